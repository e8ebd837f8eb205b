"""Reading a fitted topic model: top terms, representative documents, correlations.

Python's answer to stm's ``labelTopics`` (prob / FREX / lift / score),
LDAvis's relevance, stm's ``findThoughts`` and ``topicCorr``. Pure functions
on a fitted result (``topic_word_``, ``vocabulary_``, ``doc_topic_``,
``term_frequency_``, ``topic_labels_``) returning tidy DataFrames.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from toolkit.topics.effects import topic_labels

logger = logging.getLogger("toolkit.topics.inspection")

__all__ = [
    "MEASURES",
    "term_weights",
    "top_terms",
    "representative_documents",
    "topic_correlations",
    "topic_summary",
    "term_marginal",
]

MEASURES = ("prob", "frex", "lift", "score", "relevance")
_EPS = 1e-300


def _topic_word(result) -> np.ndarray:
    phi = np.asarray(result.topic_word_, dtype=float)
    if phi.ndim != 2:
        raise ValueError(f"topic_word_ must be 2-D (topics × terms), got shape {phi.shape}")
    return phi


def term_marginal(result) -> np.ndarray:
    """The corpus-wide term distribution p_w.

    From ``term_frequency_`` when the result has it (as LDAvis does); otherwise
    the prevalence-weighted mixture of topics, Σ_k p_k φ_kw, with p_k the mean
    of ``doc_topic_`` (or uniform).
    """
    phi = _topic_word(result)
    freq = getattr(result, "term_frequency_", None)
    if freq is not None:
        freq = np.asarray(freq, dtype=float)
        if freq.shape == (phi.shape[1],) and freq.sum() > 0:
            return freq / freq.sum()
    theta = getattr(result, "doc_topic_", None)
    weights = np.asarray(theta, dtype=float).mean(axis=0) if theta is not None else np.full(phi.shape[0], 1 / phi.shape[0])
    p = weights @ phi
    return p / p.sum()


def term_weights(result, measure: str = "prob", *, lambda_: float = 0.6, frex_weight: float = 0.7) -> np.ndarray:
    """Weight of every term in every topic under ``measure``, shape (K, V).

    Parameters
    ----------
    result : fitted topic model
    measure : {"prob", "frex", "lift", "score", "relevance"}
        - ``prob``: φ_kw, the topic-word probability.
        - ``frex``: stm's FREX (Bischof & Airoldi 2012; Roberts et al. 2019),
          the weighted harmonic mean of a term's within-topic ECDF rank of
          exclusivity φ_kw / Σ_j φ_jw and of frequency φ_kw:
          ``1 / (w / ECDF_excl + (1 − w) / ECDF_freq)``, ``w = frex_weight``.
          (stm additionally shrinks exclusivity with a James–Stein estimate;
          we use the raw ratio.)
        - ``lift``: φ_kw / p_w (Taddy 2012), p_w the corpus term distribution.
        - ``score``: stm's/lda's score, φ_kw (log φ_kw − mean_j log φ_jw).
        - ``relevance``: LDAvis's relevance (Sievert & Shirley 2014),
          λ log φ_kw + (1 − λ) log(φ_kw / p_w).
    lambda_ : float
        λ of ``relevance`` in [0, 1]; 1 ranks by probability, 0 by lift.
        Sievert & Shirley found 0.6 best for interpretation.
    frex_weight : float
        Weight on exclusivity in ``frex`` (in [0, 1]).
    """
    phi = _topic_word(result)
    log_phi = np.log(np.maximum(phi, _EPS))
    if measure == "prob":
        return phi.copy()
    if measure == "lift":
        return phi / np.maximum(term_marginal(result), _EPS)[None, :]
    if measure == "relevance":
        if not 0 <= lambda_ <= 1:
            raise ValueError(f"lambda_ must be in [0, 1], got {lambda_}")
        log_p = np.log(np.maximum(term_marginal(result), _EPS))
        return lambda_ * log_phi + (1 - lambda_) * (log_phi - log_p[None, :])
    if measure == "score":
        return phi * (log_phi - log_phi.mean(axis=0, keepdims=True))
    if measure == "frex":
        if not 0 <= frex_weight <= 1:
            raise ValueError(f"frex_weight must be in [0, 1], got {frex_weight}")
        n_terms = phi.shape[1]
        excl = phi / np.maximum(phi.sum(axis=0, keepdims=True), _EPS)
        excl_score = rankdata(excl, axis=1) / n_terms
        freq_score = rankdata(phi, axis=1) / n_terms
        return 1.0 / (frex_weight / excl_score + (1 - frex_weight) / freq_score)
    raise ValueError(f"measure must be one of {MEASURES}, got {measure!r}")


def _order(weights: np.ndarray, vocab: np.ndarray, n: int) -> np.ndarray:
    """Indices of the top ``n`` terms by weight, ties broken by term."""
    return np.lexsort((vocab, -weights))[:n]


def top_terms(
    result,
    n: int = 10,
    *,
    measure: str = "prob",
    lambda_: float = 0.6,
    frex_weight: float = 0.7,
) -> pd.DataFrame:
    """The ``n`` highest-weighted terms of every topic (also :meth:`LdaResult.top_terms <toolkit.topics.lda.LdaResult.top_terms>`).

    Parameters
    ----------
    result : fitted topic model
    n : int
        Terms per topic.
    measure, lambda_, frex_weight
        See :func:`term_weights`.

    Returns
    -------
    DataFrame
        Columns ``topic`` (0-based), ``label``, ``rank`` (1 = best), ``term``,
        ``weight``, ``measure``; sorted by topic then rank (ties broken by
        term).

    Examples
    --------
    >>> top_terms(result, 5, measure="frex")  # doctest: +SKIP
    """
    weights = term_weights(result, measure, lambda_=lambda_, frex_weight=frex_weight)
    vocab = np.asarray(result.vocabulary_, dtype=object)
    labels = topic_labels(result)
    rows = []
    for k in range(weights.shape[0]):
        for rank, j in enumerate(_order(weights[k], vocab, n), start=1):
            rows.append((k, labels[k], rank, vocab[j], float(weights[k, j]), measure))
    return pd.DataFrame(rows, columns=["topic", "label", "rank", "term", "weight", "measure"])


def _excerpt(text, length: int = 200) -> str:
    text = "" if text is None or (isinstance(text, float) and text != text) else str(text)
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= length else text[:length].rstrip() + "…"


def _align_documents(result, documents: pd.DataFrame) -> pd.DataFrame:
    n_docs = np.asarray(result.doc_topic_).shape[0]
    doc_ids = getattr(result, "doc_ids", None)
    by_position = (getattr(result, "settings_", None) or {}).get("doc_id_source") == "positions"
    if doc_ids is not None and not by_position and "doc_id" in documents.columns:
        # the model's documents by doc_id, in its row order (README, "Conventions": never by position)
        table = documents.assign(doc_id=documents["doc_id"].astype(str)).drop_duplicates("doc_id").set_index("doc_id")
        wanted = [str(d) for d in doc_ids]
        missing = [d for d in wanted if d not in table.index]
        if missing:
            raise ValueError(f"{len(missing)} of the model's documents are not in documents (e.g. {missing[:3]})")
        return table.loc[wanted].reset_index()
    if len(documents) != n_docs:
        raise ValueError(f"documents has {len(documents)} rows but the model has {n_docs} documents; "
                         "rows must be aligned with the model's documents")
    return documents.reset_index(drop=True)


def representative_documents(
    result,
    documents: pd.DataFrame,
    n: int = 3,
    *,
    excerpt_length: int = 200,
) -> pd.DataFrame:
    """The documents with the highest proportion of each topic (stm's ``findThoughts``).

    Parameters
    ----------
    result : fitted topic model
    documents : DataFrame
        One row per document of ``result``, in the same order, with
        ``doc_id`` and optionally ``title`` and ``body``. (If the result has a
        ``doc_ids_`` attribute, rows are matched on ``doc_id`` instead.)
    n : int
        Documents per topic.
    excerpt_length : int
        Characters of ``body`` (whitespace collapsed) in ``excerpt``.

    Returns
    -------
    DataFrame
        Columns ``topic``, ``label``, ``rank`` (1 = highest θ), ``doc_id``,
        ``proportion`` (θ_dk), ``title``, ``excerpt``; sorted by topic then
        rank (ties broken by document order).
    """
    theta = np.asarray(result.doc_topic_, dtype=float)
    docs = _align_documents(result, documents)
    if "doc_id" not in docs.columns:
        docs = docs.assign(doc_id=np.arange(len(docs)))
    titles = docs["title"].tolist() if "title" in docs.columns else [""] * len(docs)
    bodies = docs["body"].tolist() if "body" in docs.columns else [""] * len(docs)
    ids = docs["doc_id"].tolist()
    labels = topic_labels(result)
    rows = []
    position = np.arange(theta.shape[0])
    for k in range(theta.shape[1]):
        order = np.lexsort((position, -theta[:, k]))[:n]
        for rank, d in enumerate(order, start=1):
            title = titles[d]
            title = "" if title is None or (isinstance(title, float) and title != title) else str(title)
            rows.append((k, labels[k], rank, ids[d], float(theta[d, k]), title, _excerpt(bodies[d], excerpt_length)))
    return pd.DataFrame(rows, columns=["topic", "label", "rank", "doc_id", "proportion", "title", "excerpt"])


def topic_correlations(
    result,
    *,
    method: str = "pearson",
    transform: str = "raw",
    cutoff: float = 0.01,
) -> pd.DataFrame:
    """Correlations between topic proportions across documents (stm's ``topicCorr``).

    Parameters
    ----------
    result : fitted topic model
    method : {"pearson", "spearman"}
    transform : {"raw", "clr"}
        ``raw`` correlates θ itself, as stm's ``topicCorr(method = "simple")``.
        Proportions sum to one, so raw correlations lean negative (with K
        equally prevalent topics the average is about −1/(K−1)); ``clr``
        correlates centred log-ratios log θ_k − mean_j log θ_j instead, the
        usual compositional-data transform, which has the same lean but is
        not bounded by the simplex.
    cutoff : float
        ``edge`` is true when the correlation exceeds ``cutoff`` — stm's
        "simple" method keeps positive correlations above 0.01 as edges of
        the topic graph: two topics that tend to appear in the same documents.

    Returns
    -------
    DataFrame
        One row per unordered pair: ``topic_a``, ``topic_b`` (a < b),
        ``label_a``, ``label_b``, ``correlation``, ``edge``; sorted by
        topic_a, topic_b.
    """
    theta = np.asarray(result.doc_topic_, dtype=float)
    if transform == "clr":
        log_t = np.log(np.maximum(theta, 1e-12))
        values = log_t - log_t.mean(axis=1, keepdims=True)
    elif transform == "raw":
        values = theta
    else:
        raise ValueError(f"transform must be 'raw' or 'clr', got {transform!r}")
    if method == "spearman":
        values = rankdata(values, axis=0)
    elif method != "pearson":
        raise ValueError(f"method must be 'pearson' or 'spearman', got {method!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(values, rowvar=False)
    corr = np.atleast_2d(corr)
    labels = topic_labels(result)
    a, b = np.triu_indices(theta.shape[1], k=1)
    values = corr[a, b]
    return pd.DataFrame({
        "topic_a": a,
        "topic_b": b,
        "label_a": [labels[i] for i in a],
        "label_b": [labels[i] for i in b],
        "correlation": values,
        "edge": np.nan_to_num(values, nan=-np.inf) > cutoff,
    })


def topic_summary(result, *, n_terms: int = 8, measure: str = "prob", **measure_kwargs) -> pd.DataFrame:
    """One line per topic: its prevalence and top terms.

    Returns
    -------
    DataFrame
        Columns ``topic``, ``label``, ``prevalence`` (mean θ over the
        training documents), ``top_terms`` (the ``n_terms`` best terms by
        ``measure``, joined by ", "); sorted by topic.
    """
    theta = np.asarray(result.doc_topic_, dtype=float)
    terms = top_terms(result, n_terms, measure=measure, **measure_kwargs)
    joined = terms.groupby("topic", sort=True)["term"].agg(", ".join)
    labels = topic_labels(result)
    k = theta.shape[1]
    return pd.DataFrame({
        "topic": np.arange(k),
        "label": labels,
        "prevalence": theta.mean(axis=0),
        "top_terms": [joined.get(i, "") for i in range(k)],
    })
