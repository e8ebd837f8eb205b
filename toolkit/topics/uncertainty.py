"""Uncertainty beyond one fitted model: refits at several seeds, matched topics, split samples.

The intervals of :class:`~toolkit.topics.effects.TopicEffects` on one fitted
model reflect the posterior spread of the documents' topic proportions and the
regression's sampling error, given that model. Two choices are left out:

* **which local optimum the seed found.** :func:`refit_models` fits the same
  model at several seeds, :func:`match_refits` matches every refit's topics to
  the reference model's (the first one), and ``TopicEffects(...).fit([r0, r1,
  r2], metadata)`` pools the effects across them (``uncertainty="global"``);
* **discovery and measurement on the same documents.** :func:`split_sample`
  splits the documents at random into half ``A`` (choose K, fit the model,
  read the labels) and half ``B`` (estimate the effects);
  :func:`apply_model` gives the proportions of half ``B`` under the model
  fitted on ``A``.

Everything here computes on in-memory objects; nothing reads or writes files.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

logger = logging.getLogger("toolkit.topics.uncertainty")

__all__ = ["apply_model", "match_refits", "refit_models", "split_sample"]

#: Below this cosine similarity a matched topic is reported as not found again in a refit (a free topic matched
#: by the Hungarian algorithm, or a seeded topic whose refit gave its theme's words to another topic).
WEAK_MATCH = 0.5


def refit_models(documents, n_topics: int, random_states: Sequence[int], *,
                 themes: Mapping[str, Sequence[str]] | None = None, **kwargs) -> list:
    """Fit one model specification at every seed of ``random_states``.

    Parameters
    ----------
    documents : token table (``doc_id``, ``tokens``) or list of token lists
        As in :func:`~toolkit.topics.lda.fit_lda`; every refit gets the same
        documents, so the same ``doc_ids``.
    n_topics : int
        The total number of topics (seeded ones included).
    random_states : sequence of int
        One refit per seed, in this order; the first is the reference that
        :func:`match_refits` and :class:`~toolkit.topics.effects.TopicEffects`
        match the others to. Seeds must be distinct.
    themes : mapping of theme name to seed tokens, optional
        Fit seeded models (:func:`~toolkit.topics.seeded.fit_seeded_lda`);
        topic ``i`` is theme ``i`` in every refit.
    **kwargs
        Passed to ``fit_lda`` / ``fit_seeded_lda`` (``engine``, ``min_df``,
        ``max_df``, ...).

    Returns
    -------
    list of LdaResult
        In the order of ``random_states``.

    Examples
    --------
    >>> docs = [["dân_vận", "khéo", "hòa_giải"], ["giải_phóng_mặt_bằng", "bồi_thường"]] * 10
    >>> [r.random_state for r in refit_models(docs, 2, [0, 1])]
    [0, 1]
    """
    seeds = [int(s) for s in random_states]
    if not seeds:
        raise ValueError("random_states is empty: give at least one seed")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"random_states repeats a seed ({seeds}): a refit at the same seed is the same model")
    from toolkit.topics.lda import fit_lda
    from toolkit.topics.seeded import fit_seeded_lda

    out = []
    for seed in seeds:
        if themes:
            out.append(fit_seeded_lda(documents, themes, n_topics, random_state=seed, warn_not_held=False, **kwargs))
        else:
            out.append(fit_lda(documents, n_topics, random_state=seed, **kwargs))
        logger.info("refit at random_state=%d done (%d of %d)", seed, len(out), len(seeds))
    return out


def _labels(result) -> list[str]:
    from toolkit.topics.effects import topic_labels

    return topic_labels(result)


def _seeded_labels(result) -> list[str]:
    """The labels of the seeded (theme) topics of ``result``, in topic order."""
    themes = (getattr(result, "settings_", None) or {}).get("themes") or {}
    return [label for label in _labels(result) if label in themes]


def _union_topic_word(results) -> list[np.ndarray]:
    """Every result's topic-word matrix on the sorted union of their vocabularies."""
    vocab = sorted(set().union(*(map(str, r.vocabulary_) for r in results)))
    index = {t: i for i, t in enumerate(vocab)}
    out = []
    for r in results:
        beta = np.asarray(r.topic_word_, dtype=float)
        m = np.zeros((beta.shape[0], len(vocab)))
        m[:, [index[str(t)] for t in r.vocabulary_]] = beta
        out.append(m)
    return out


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    an = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-300)
    bn = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-300)
    return an @ bn.T


def match_refits(results: Sequence) -> pd.DataFrame:
    """Match the topics of every refit to those of the reference (``results[0]``).

    Seeded topics keep their theme: the reference's topic labelled with a
    theme is matched to the refit's topic with the same label (seed i ↔ seed
    i), whatever their similarity. Free topics are matched one to one by the
    Hungarian algorithm on the cosine similarity of their topic-word
    distributions (on the union of the vocabularies), as
    :func:`toolkit.topics.metrics.stability` matches runs.

    Parameters
    ----------
    results : sequence of fitted models
        Each with ``topic_word_`` (K × V), ``vocabulary_`` and optionally
        ``topic_labels_`` and ``settings_["themes"]``; every model has the
        same number of topics and the same seeded themes.

    Returns
    -------
    DataFrame
        One row per model and reference topic: ``model`` (position in
        ``results``, 0 = the reference), ``random_state``, ``topic``
        (reference topic, 0-based), ``label`` (its label), ``matched_topic``
        (the model's topic matched to it), ``similarity`` (cosine of the
        two topic-word distributions), ``matched_by`` (``"reference"``,
        ``"seed"`` or ``"hungarian"``). Sorted by model, then topic. A free
        topic with similarity below 0.5 was not found again in that refit:
        a warning names it, and its pooled effects mix different topics.

    Examples
    --------
    >>> import types, numpy as np
    >>> beta = np.array([[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]])
    >>> r0 = types.SimpleNamespace(topic_word_=beta, vocabulary_=["dân_vận", "hòa_giải", "đất_đai"])
    >>> r1 = types.SimpleNamespace(topic_word_=beta[::-1], vocabulary_=r0.vocabulary_)
    >>> match_refits([r0, r1])["matched_topic"].tolist()
    [0, 1, 1, 0]
    """
    results = list(results)
    if not results:
        raise ValueError("match_refits needs at least one model")
    ks = [np.asarray(r.topic_word_).shape[0] for r in results]
    if len(set(ks)) != 1:
        raise ValueError(f"the refits have different numbers of topics {ks}: refit one specification")
    k = ks[0]
    ref_labels = _labels(results[0])
    seeded = _seeded_labels(results[0])
    mats = _union_topic_word(results)
    rows = []
    for m, (result, beta) in enumerate(zip(results, mats)):
        sim = _cosine(mats[0], beta)
        matched = np.full(k, -1, dtype=int)
        how = ["hungarian"] * k
        if m == 0:
            matched[:] = np.arange(k)
            how = ["reference"] * k
        else:
            labels = _labels(result)
            if sorted(_seeded_labels(result)) != sorted(seeded):
                raise ValueError(f"refit {m} seeds themes {_seeded_labels(result)}, the reference {seeded}: "
                                 "refit one specification")
            for theme in seeded:
                i, j = ref_labels.index(theme), labels.index(theme)
                matched[i], how[i] = j, "seed"
            free_ref = [i for i in range(k) if matched[i] < 0]
            free_new = [j for j in range(k) if j not in set(matched.tolist())]
            if free_ref:
                r, c = linear_sum_assignment(-sim[np.ix_(free_ref, free_new)])
                for a, b in zip(r, c):
                    matched[free_ref[a]] = free_new[b]
        seed = getattr(result, "random_state", None)
        for i in range(k):
            rows.append((m, seed, i, ref_labels[i], int(matched[i]), float(sim[i, matched[i]]), how[i]))
    table = pd.DataFrame(rows, columns=["model", "random_state", "topic", "label", "matched_topic", "similarity",
                                        "matched_by"])
    weak = table[table["matched_by"].isin(["hungarian", "seed"]) & (table["similarity"] < WEAK_MATCH)]
    for row in weak.itertuples(index=False):
        how = "seeded with the same theme but" if row.matched_by == "seed" else "matched"
        logger.warning("refit %d (random_state=%s): topic %s %s with cosine %.2f only; its pooled effects "
                       "mix different topics", row.model, row.random_state, row.label, how, row.similarity)
    return table


def split_sample(doc_ids: Sequence, split: float = 0.5, *, random_state=0) -> pd.DataFrame:
    """Split documents at random into half ``A`` (discovery) and half ``B`` (estimation).

    The ids are sorted first and then permuted with ``random_state``, so the
    split depends on the set of ids and the seed only, never on the order of
    the rows.

    Parameters
    ----------
    doc_ids : sequence of str
        Unique document ids.
    split : float in (0, 1)
        Share of the documents in half ``A`` (rounded to a whole number of
        documents; each half keeps at least one document).
    random_state : int
        Seed of the permutation (default 0).

    Returns
    -------
    DataFrame
        ``doc_id``, ``half`` (``"A"``: choose K, fit the model, read the
        labels; ``"B"``: estimate the effects); sorted by ``doc_id``.

    Examples
    --------
    >>> split_sample(["bài-1", "bài-2", "bài-3", "bài-4"], 0.5, random_state=0)["half"].value_counts().to_dict()
    {'A': 2, 'B': 2}
    """
    if isinstance(split, bool) or not isinstance(split, (int, float)) or not 0 < split < 1:
        raise ValueError(f"split={split!r}: the share of documents in half A, a number strictly between 0 and 1 "
                         "(0 = no split is decided by the caller)")
    if random_state is None:
        raise ValueError("random_state must be given (default 0): a reported split must be reproducible")
    ids = sorted(str(d) for d in doc_ids)
    repeated = sorted({d for d, n in pd.Series(ids).value_counts().items() if n > 1})
    if repeated:
        raise ValueError(f"doc_ids repeat: {', '.join(repeated[:5])}")
    if len(ids) < 2:
        raise ValueError(f"{len(ids)} document(s) cannot be split into two halves")
    n_a = min(max(int(round(split * len(ids))), 1), len(ids) - 1)
    order = np.random.default_rng(random_state).permutation(len(ids))
    half = np.full(len(ids), "B", dtype=object)
    half[order[:n_a]] = "A"
    return pd.DataFrame({"doc_id": ids, "half": half})


def apply_model(result, documents, doc_ids: Sequence[str] | None = None):
    """The fitted model of ``result`` applied to other documents (e.g. half ``B`` of a split).

    The topics stay fixed (``topic_word_``, vocabulary, labels, prior); the
    topic proportions of ``documents`` are inferred by
    :meth:`~toolkit.topics.lda.LdaResult.transform_concentration` (the E-step
    of variational LDA, deterministic), so the returned result can be passed
    to :class:`~toolkit.topics.effects.TopicEffects` or
    :func:`~toolkit.topics.effects.prevalence_by_group` like a fitted one.

    Parameters
    ----------
    result : LdaResult
    documents : token table (``doc_id``, ``tokens``) or list of token lists
    doc_ids : sequence of str, optional
        Ids of bare token lists (required then).

    Returns
    -------
    LdaResult
        A copy of ``result`` whose ``doc_topic_``, ``doc_topic_concentration_``,
        ``doc_lengths_`` and ``doc_ids`` are those of ``documents``;
        ``settings_["applied_to"]`` records how many documents.
    """
    from toolkit.text.vocabulary import document_term_matrix
    from toolkit.topics.lda import _token_lists

    lists, ids = _token_lists(documents, doc_ids)
    lists = [list(d) for d in lists]
    if ids is None:
        raise ValueError("apply_model needs document ids: give a token table (doc_id, tokens) or doc_ids=")
    ids = [str(d) for d in ids]
    if len(ids) != len(lists):
        raise ValueError(f"{len(ids)} doc_ids for {len(lists)} documents")
    if len(set(ids)) != len(ids):
        raise ValueError("doc_ids repeat")
    gamma = result.transform_concentration(lists)
    X, _ = document_term_matrix(lists, result.vocabulary_)
    out = copy.copy(result)
    out.doc_topic_concentration_ = gamma
    out.doc_topic_ = gamma / gamma.sum(axis=1, keepdims=True)
    out.doc_lengths_ = np.asarray(X.sum(axis=1)).ravel().astype(np.int64)
    out.doc_ids = ids
    out.settings_ = {**getattr(result, "settings_", {}), "applied_to": len(ids), "doc_id_source": "applied"}
    return out
