"""Saving and loading an :class:`~toolkit.topics.lda.LdaResult` without pickles.

A saved model is a directory with

``arrays.npz``
    the learned arrays (``np.savez``, loaded with ``allow_pickle=False``);
``model.json``
    ``format_version``, the vocabulary, topic labels, settings, engine,
    random state, the toolkit version and the versions of numpy, gensim,
    tomotopy, scipy.

Both files are written atomically.
"""

from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import Path

import numpy as np

import toolkit
from toolkit.corpus import atomic_path, write_text_atomic
from toolkit.topics.lda import LdaResult

FORMAT_VERSION = 1
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
        "settings": _jsonable(result.settings_),
        "log_perplexity": getattr(result, "log_perplexity_", None),
        "toolkit_version": toolkit.__version__,
        "package_versions": _package_versions(),
    }
    write_text_atomic(directory / "model.json", json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return directory


def load_result(directory: str | os.PathLike) -> LdaResult:
    """Read a result written by :func:`save_result`.

    Raises
    ------
    ValueError
        When the directory was written by an incompatible format version.
    """
    directory = Path(directory)
    meta = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{directory}: saved model has format_version {version!r}; this toolkit "
            f"({toolkit.__version__}) reads format_version {FORMAT_VERSION}. Refit the model "
            "or load it with the toolkit version that wrote it.")
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
    return result
