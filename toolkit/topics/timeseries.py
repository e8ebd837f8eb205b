"""Topics over time: yearly prevalence, and separate models per period aligned by theme.

Two complementary views of change:

- :func:`prevalence_by_year` — one model for the whole corpus, prevalence of
  each topic per year (optionally per district), with intervals;
- :func:`fit_period_models` + :func:`align_period_models` +
  :func:`vocabulary_shift` — one model per period, topics matched across
  periods by the Hungarian algorithm on cosine similarity, showing how the
  vocabulary of a theme shifts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Mapping, Sequence

import numpy as np
import pandas as pd

from toolkit.topics.effects import prevalence_by_group, topic_labels

logger = logging.getLogger("toolkit.topics.timeseries")

__all__ = ["prevalence_by_year", "fit_period_models", "align_period_models", "vocabulary_shift"]


def prevalence_by_year(
    result,
    metadata: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    year: str = "year",
    topics=None,
    n_draws: int = 50,
    random_state=0,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Mean topic proportion per year (and per ``by`` group), with intervals.

    A thin wrapper of :func:`toolkit.topics.effects.prevalence_by_group` with
    the year as the last grouping column.

    Returns
    -------
    DataFrame
        Columns ``<by>...``, ``year``, ``topic``, ``label``, ``n_docs``,
        ``prevalence``, ``ci_low``, ``ci_high``; every observed year appears
        for every group (``n_docs`` 0 when empty); sorted by the grouping
        columns, year, topic.
    """
    groups = [] if by is None else [by] if isinstance(by, str) else list(by)
    return prevalence_by_group(result, metadata, by=groups + [year], topics=topics, n_draws=n_draws,
                               random_state=random_state, ci=ci)


def fit_period_models(
    token_lists: Sequence[Sequence[str]],
    periods: Sequence[Hashable],
    n_topics: int,
    *,
    random_state: int,
    fit: Callable | None = None,
    **fit_kwargs,
) -> dict:
    """Fit one topic model per period.

    Parameters
    ----------
    token_lists : sequence of list of str
        Token lists of all documents.
    periods : sequence
        The period label of each document (e.g. ``"2010–2014"``); documents
        with a missing label are skipped.
    n_topics : int
        Topics per period model.
    random_state : int
        Seed passed to every fit (so each period's model is reproducible on
        its own).
    fit : callable, optional
        ``fit(token_lists, n_topics=..., random_state=..., **fit_kwargs)``
        returning a fitted result; default :func:`toolkit.topics.lda.fit_lda`.

    Returns
    -------
    dict
        Period label → fitted result, in sorted period order.
    """
    if fit is None:
        from toolkit.topics.lda import fit_lda as fit
    periods = list(periods)
    if len(periods) != len(token_lists):
        raise ValueError(f"{len(periods)} period labels for {len(token_lists)} documents")
    labels = sorted({p for p in periods if not pd.isna(p)}, key=lambda x: (str(type(x)), x))
    out = {}
    for label in labels:
        docs = [token_lists[i] for i, p in enumerate(periods) if not pd.isna(p) and p == label]
        logger.info("period %s: fitting %d topics on %d documents", label, n_topics, len(docs))
        out[label] = fit(docs, n_topics=n_topics, random_state=random_state, **fit_kwargs)
    return out


def _union_topic_word(results: Mapping) -> tuple[list[str], dict]:
    vocab = sorted({t for r in results.values() for t in r.vocabulary_})
    index = {t: i for i, t in enumerate(vocab)}
    mats = {}
    for key, r in results.items():
        phi = np.asarray(r.topic_word_, dtype=float)
        mat = np.zeros((phi.shape[0], len(vocab)))
        mat[:, [index[t] for t in r.vocabulary_]] = phi
        mats[key] = mat
    return vocab, mats


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    na = np.linalg.norm(a, axis=1, keepdims=True)
    nb = np.linalg.norm(b, axis=1, keepdims=True)
    return (a / np.maximum(na, 1e-300)) @ (b / np.maximum(nb, 1e-300)).T


def align_period_models(results: Mapping, *, reference=None) -> pd.DataFrame:
    """Match the topics of per-period models to those of a reference period.

    Topic-word distributions are placed on the union vocabulary (a term absent
    from a period's vocabulary has probability 0 there) and compared by cosine
    similarity; the one-to-one matching maximizing total similarity is found
    by the Hungarian algorithm (:func:`scipy.optimize.linear_sum_assignment`).
    When a period has more topics than the reference, its extra topics stay
    unmatched.

    Parameters
    ----------
    results : mapping of period label to fitted result
    reference : period label, optional
        The period whose topics name the themes; default the first key.

    Returns
    -------
    DataFrame
        Columns ``period``, ``topic``, ``label``,
        ``matched_topic_in_reference`` (``-1`` when unmatched),
        ``reference_label``, ``similarity`` (cosine; NaN when unmatched);
        sorted by period (mapping order) then topic. The reference period
        matches itself with similarity 1.
    """
    from scipy.optimize import linear_sum_assignment

    if not results:
        raise ValueError("no period models given")
    keys = list(results)
    reference = keys[0] if reference is None else reference
    if reference not in results:
        raise ValueError(f"reference period {reference!r} not among {keys}")
    _, mats = _union_topic_word(results)
    ref_labels = topic_labels(results[reference])
    rows = []
    for key in keys:
        sim = _cosine(mats[key], mats[reference])
        rr, cc = linear_sum_assignment(-sim)
        match = dict(zip(rr.tolist(), cc.tolist()))
        labels = topic_labels(results[key])
        for k in range(sim.shape[0]):
            j = match.get(k, -1)
            rows.append((key, k, labels[k], j, ref_labels[j] if j >= 0 else "", float(sim[k, j]) if j >= 0 else np.nan))
    return pd.DataFrame(rows, columns=["period", "topic", "label", "matched_topic_in_reference", "reference_label", "similarity"])


def vocabulary_shift(results: Mapping, alignment: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """Top terms of each reference theme in every period, via the alignment.

    Parameters
    ----------
    results : mapping of period label to fitted result
    alignment : DataFrame
        Output of :func:`align_period_models`.
    n : int
        Terms per theme and period.

    Returns
    -------
    DataFrame
        Columns ``period``, ``reference_topic``, ``topic`` (the period
        model's topic), ``rank``, ``term``, ``weight`` (φ in that period);
        sorted by reference topic, period (mapping order), rank. A theme with
        no matched topic in a period has no rows for that period.
    """
    order = {key: i for i, key in enumerate(results)}
    matched = alignment[alignment["matched_topic_in_reference"] >= 0]
    rows = []
    for rec in matched.itertuples(index=False):
        r = results[rec.period]
        phi = np.asarray(r.topic_word_, dtype=float)[int(rec.topic)]
        vocab = np.asarray(r.vocabulary_, dtype=object)
        for rank, j in enumerate(np.lexsort((vocab, -phi))[:n], start=1):
            rows.append((rec.period, int(rec.matched_topic_in_reference), int(rec.topic), rank, vocab[j], float(phi[j])))
    out = pd.DataFrame(rows, columns=["period", "reference_topic", "topic", "rank", "term", "weight"])
    if len(out):
        out = (out.assign(_p=out["period"].map(order))
               .sort_values(["reference_topic", "_p", "rank"], kind="stable")
               .drop(columns="_p").reset_index(drop=True))
    return out
