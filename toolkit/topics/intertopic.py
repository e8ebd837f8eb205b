"""The inter-topic map and relevance-ranked terms of a fitted model, as tidy tables (LDAvis's data).

:func:`topic_map` places topics in two dimensions by classical
multidimensional scaling of the Jensen–Shannon distances between their term
distributions (Sievert & Shirley 2014); :func:`relevance_terms` keeps, for each
topic, every term that ranks among its top ``n_terms`` by relevance
λ log φ_kw + (1 − λ) log(φ_kw / p_w) for some λ on a grid of 21 values in
[0, 1], with φ_kw and p_w, so a page can re-rank them for any λ (the
explorer's relevance slider, :mod:`toolkit.report.explorer`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.topics.effects import topic_labels
from toolkit.topics.inspection import term_marginal

__all__ = ["jensen_shannon_distances", "topic_coordinates", "topic_map", "relevance_terms", "LAMBDA_GRID"]

#: The λ values at which candidate terms are collected (0, 0.05, ..., 1).
LAMBDA_GRID = np.linspace(0, 1, 21)


def jensen_shannon_distances(topic_word: np.ndarray) -> np.ndarray:
    """Pairwise Jensen–Shannon distances (square root of the divergence, base 2) between rows."""
    phi = np.asarray(topic_word, dtype=float)
    phi = phi / phi.sum(axis=1, keepdims=True)
    k = phi.shape[0]
    out = np.zeros((k, k))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_phi = np.where(phi > 0, np.log2(phi), 0.0)
        for i in range(k):
            m = (phi[i][None, :] + phi) / 2
            log_m = np.where(m > 0, np.log2(m), 0.0)
            kl_i = np.sum(np.where(phi[i] > 0, phi[i] * (log_phi[i] - log_m), 0.0), axis=1)
            kl_j = np.sum(np.where(phi > 0, phi * (log_phi - log_m), 0.0), axis=1)
            out[i] = np.sqrt(np.clip((kl_i + kl_j) / 2, 0, None))
    out = (out + out.T) / 2
    np.fill_diagonal(out, 0.0)
    return out


def topic_coordinates(topic_word: np.ndarray) -> np.ndarray:
    """2-D positions of topics by classical MDS (principal coordinates) of JS distances.

    Signs are fixed (largest-magnitude coordinate of each axis positive) so
    the map is deterministic. Returns shape (K, 2).
    """
    dist = jensen_shannon_distances(topic_word)
    k = dist.shape[0]
    if k == 1:
        return np.zeros((1, 2))
    j = np.eye(k) - 1.0 / k
    b = -0.5 * j @ (dist**2) @ j
    w, v = np.linalg.eigh((b + b.T) / 2)
    order = np.argsort(-w)[:2]
    coords = v[:, order] * np.sqrt(np.clip(w[order], 0, None))
    if coords.shape[1] < 2:
        coords = np.column_stack([coords, np.zeros(k)])
    for a in range(2):
        col = coords[:, a]
        if col[np.argmax(np.abs(col))] < 0:
            coords[:, a] = -col
    return coords


def topic_map(result) -> pd.DataFrame:
    """Position and size of every topic on the inter-topic map.

    Parameters
    ----------
    result : fitted topic model
        Uses ``topic_word_``, ``doc_topic_``, ``doc_lengths_`` (optional) and
        ``topic_labels_`` (optional).

    Returns
    -------
    DataFrame
        ``topic`` (0-based), ``label``, ``x``, ``y`` (classical scaling of
        Jensen–Shannon distances), ``prevalence`` (mean θ_k over documents),
        ``tokens`` (estimated tokens of the topic, Σ_d θ_dk · length_d; one
        per document when lengths are unknown); sorted by topic.
    """
    phi = np.asarray(result.topic_word_, dtype=float)
    theta = np.asarray(result.doc_topic_, dtype=float)
    lengths = getattr(result, "doc_lengths_", None)
    lengths = (np.asarray(lengths, dtype=float) if lengths is not None and len(lengths) == theta.shape[0]
               else np.ones(theta.shape[0]))
    coords = topic_coordinates(phi)
    return pd.DataFrame({
        "topic": np.arange(phi.shape[0]),
        "label": topic_labels(result),
        "x": coords[:, 0],
        "y": coords[:, 1],
        "prevalence": theta.mean(axis=0),
        "tokens": theta.T @ lengths,
    })


def relevance_terms(result, n_terms: int = 30) -> pd.DataFrame:
    """The candidate terms of each topic for a relevance slider.

    Parameters
    ----------
    result : fitted topic model
        Uses ``topic_word_``, ``vocabulary_`` and ``term_frequency_``
        (optional: the corpus term counts; else p_w from the topics).
    n_terms : int
        A term is kept for a topic when it is among the topic's ``n_terms``
        most relevant terms at some λ of :data:`LAMBDA_GRID`; re-ranking the
        kept terms at any λ in [0, 1] gives (up to the grid's spacing) the
        same top ``n_terms`` as ranking the whole vocabulary.

    Returns
    -------
    DataFrame
        ``topic``, ``term``, ``phi`` (φ_kw), ``p_w`` (corpus share of the
        term), ``frequency`` (corpus count of the term, or ``p_w`` when
        counts are unknown); sorted by topic then term.
    """
    phi = np.asarray(result.topic_word_, dtype=float)
    n_topics, n_vocab = phi.shape
    vocab = np.asarray(result.vocabulary_, dtype=object)
    p_w = term_marginal(result)
    freq = getattr(result, "term_frequency_", None)
    freq = np.asarray(freq, dtype=float) if freq is not None and len(freq) == n_vocab else p_w.copy()
    log_phi = np.log(np.maximum(phi, 1e-300))
    log_lift = log_phi - np.log(np.maximum(p_w, 1e-300))[None, :]
    n_pick = min(int(n_terms), n_vocab)
    rows = []
    for k in range(n_topics):
        chosen: set[int] = set()
        for lam in LAMBDA_GRID:
            rel = lam * log_phi[k] + (1 - lam) * log_lift[k]
            chosen.update(np.lexsort((vocab, -rel))[:n_pick].tolist())
        for j in chosen:
            rows.append((k, str(vocab[j]), float(phi[k, j]), float(p_w[j]), float(freq[j])))
    out = pd.DataFrame(rows, columns=["topic", "term", "phi", "p_w", "frequency"])
    return out.sort_values(["topic", "term"], kind="mergesort", ignore_index=True)
