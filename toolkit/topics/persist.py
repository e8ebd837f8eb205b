"""Saving and loading an :class:`~toolkit.topics.lda.LdaResult` without pickles.

A saved model is a directory with

``arrays.npz``
    the learned arrays (``np.savez``, loaded with ``allow_pickle=False``);
``model.json``
    ``format_version``, the vocabulary, topic labels, the training
    documents' ``doc_ids``, settings, engine, random state, the toolkit
    version and the versions of numpy, gensim, tomotopy, scipy.

Both files are written atomically.

Models saved before ``doc_ids`` were stored (``format_version`` 1) still
load: their ids are the row positions ``"0"``, ``"1"``... (with a warning),
which match no document table, so effects refuse them until the real ids are
given — ``load_result(directory, doc_ids=...)``, e.g. the ``doc_id`` column of
the ``doc_topics.parquet`` that ``python -m toolkit topics`` wrote beside the
model — or the model is refitted.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

import toolkit
from toolkit.corpus import atomic_path, write_text_atomic
from toolkit.topics.lda import LdaResult

logger = logging.getLogger("toolkit.topics")

#: 2: ``doc_ids`` stored in model.json. Version 1 (no ids) is still read.
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
ARRAYS = (
    "topic_word_", "topic_word_concentration_", "doc_topic_", "doc_topic_concentration_",
    "alpha_", "eta_", "term_frequency_", "doc_lengths_",
)


def _package_versions() -> dict[str, str]:
    out = {}
    for name in ("numpy", "scipy", "gensim", "tomotopy", "pandas"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def save_result(result: LdaResult, directory: str | os.PathLike) -> Path:
    """Write ``result`` to ``directory`` (created) as ``arrays.npz`` + ``model.json``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    arrays = {name: np.asarray(getattr(result, name)) for name in ARRAYS}
    with atomic_path(directory / "arrays.npz") as tmp:
        with open(tmp, "wb") as fh:  # a file object keeps np.savez from appending ".npz"
            np.savez(fh, **arrays)
    meta = {
        "format_version": FORMAT_VERSION,
        "n_topics": result.n_topics,
        "engine": result.engine,
        "random_state": result.random_state,
        "vocabulary": list(result.vocabulary_),
        "topic_labels": list(result.topic_labels_),
        "doc_ids": [str(d) for d in result.doc_ids],
        "settings": _jsonable(result.settings_),
        "log_perplexity": getattr(result, "log_perplexity_", None),
        "toolkit_version": toolkit.__version__,
        "package_versions": _package_versions(),
    }
    write_text_atomic(directory / "model.json", json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return directory


def load_result(directory: str | os.PathLike, *, doc_ids: Sequence[str] | None = None) -> LdaResult:
    """Read a result written by :func:`save_result`.

    Parameters
    ----------
    directory : path
    doc_ids : sequence of str, optional
        The training documents' ids of a model saved without them
        (``format_version`` 1), in row order. Without them such a model gets
        its row positions as ids and a warning. For a model that stores its
        ids, ``doc_ids`` must equal them.

    Raises
    ------
    ValueError
        When the directory was written by an incompatible format version, or
        ``doc_ids`` does not fit the model.
    """
    directory = Path(directory)
    meta = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    version = meta.get("format_version")
    if version not in READABLE_VERSIONS:
        raise ValueError(
            f"{directory}: saved model has format_version {version!r}; this toolkit "
            f"({toolkit.__version__}) reads format_version {', '.join(map(str, READABLE_VERSIONS))}. "
            "Refit the model or load it with the toolkit version that wrote it.")
    result = LdaResult(n_topics=meta["n_topics"], engine=meta["engine"], random_state=meta["random_state"])
    with np.load(directory / "arrays.npz", allow_pickle=False) as data:
        for name in ARRAYS:
            setattr(result, name, data[name].copy())
    result.vocabulary_ = list(meta["vocabulary"])
    result.topic_labels_ = list(meta["topic_labels"])
    result.settings_ = meta["settings"]
    result.log_perplexity_ = meta.get("log_perplexity")
    if result.topic_word_.shape != (result.n_topics, len(result.vocabulary_)):
        raise ValueError(f"{directory}: arrays.npz does not match model.json (topic_word_ {result.topic_word_.shape})")
    n_docs = result.doc_topic_.shape[0]
    given = None if doc_ids is None else [str(d) for d in doc_ids]
    stored = meta.get("doc_ids")
    if stored is not None:
        if given is not None and given != stored:
            raise ValueError(f"{directory}: doc_ids= differs from the ids stored with the model")
        result.doc_ids = list(stored)
    elif given is not None:
        if len(given) != n_docs or len(set(given)) != n_docs:
            raise ValueError(f"{directory}: doc_ids= must be {n_docs} unique ids (one per training document)")
        result.doc_ids = given
        result.settings_["doc_id_source"] = "given"
    else:
        logger.warning("%s: model saved without document ids (format_version %s): its doc_ids are row positions "
                       "0..%d, which match no document table; pass load_result(..., doc_ids=...) (e.g. the doc_id "
                       "column of doc_topics.parquet beside it) or refit", directory, version, n_docs - 1)
        result.doc_ids = [str(d) for d in range(n_docs)]
        result.settings_["doc_id_source"] = "positions"
    if len(result.doc_ids) != n_docs:
        raise ValueError(f"{directory}: model.json lists {len(result.doc_ids)} doc_ids for {n_docs} documents")
    return result
