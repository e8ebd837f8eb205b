"""Choosing the number of topics: fit a grid of K × seeds and compare measures.

:func:`select_n_topics` holds out a share of documents (one split, seeded by
``split_random_state``, the same for every fit), fits LDA for every
``(n_topics, random_state)`` on the rest and scores each fit by

``npmi`` / ``umass``
    mean topic coherence on the training documents (top 10 terms);
``heldout``
    document-completion log-likelihood per token on the held-out documents;
``exclusivity``
    mean FREX of the top 10 terms;
``diversity``
    share of unique terms among the topics' top 25;
``stability``
    mean Hungarian-matched cosine similarity of this run's topics to the other
    seeds' runs at the same K.

The recommendation: average each measure over seeds, standardise the means
across K (z-scores), and take the K with the best mean z-score of the
*coherence* measure, ``heldout``, ``exclusivity`` and ``stability`` among the
K whose mean stability reaches ``stability_threshold`` (all K if none does);
ties go to the smaller K. The numbers are advice: read the topics of the
short-listed K before choosing.

Fits run in separate processes (``n_jobs``), each single-threaded (BLAS
pinned to one thread), so the table is identical for any ``n_jobs``.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from toolkit.topics import metrics
from toolkit.topics.lda import LdaResult, fit_lda

logger = logging.getLogger("toolkit.topics")

MEASURES = ("npmi", "umass", "heldout", "exclusivity", "diversity", "stability")


@dataclass
class SelectionResult:
    """Outcome of :func:`select_n_topics`.

    Attributes
    ----------
    table : DataFrame
        Tidy scores: ``n_topics, random_state, measure, value``, sorted by
        n_topics, measure, random_state.
    summary : DataFrame
        ``n_topics, measure, mean, sd, n_runs, z`` (z: standardised mean
        across K), sorted by n_topics, measure.
    recommended : int
    reasoning : str
    results : dict of (n_topics, random_state) to LdaResult, or None
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    recommended: int
    reasoning: str
    results: dict | None = field(default=None, repr=False)


_WORKER: dict = {}


def _init_worker(train, heldout, fit_kwargs, measures, heldout_random_state) -> None:
    from threadpoolctl import threadpool_limits

    _WORKER.update(train=train, heldout=heldout, fit_kwargs=fit_kwargs, measures=measures,
                   heldout_random_state=heldout_random_state, limits=threadpool_limits(1))


def _score_one(job: tuple[int, int]) -> tuple[int, int, dict, LdaResult]:
    n_topics, random_state = job
    w = _WORKER
    result = fit_lda(w["train"], n_topics, random_state=random_state, **w["fit_kwargs"])
    scores = {}
    for m in w["measures"]:
        if m in metrics.COHERENCE_MEASURES:
            scores[m] = float(np.nanmean(metrics.topic_coherence(result, w["train"], measure=m, top_n=10)))
        elif m == "heldout":
            scores[m] = metrics.heldout_loglik(result, w["heldout"], random_state=w["heldout_random_state"]) \
                if w["heldout"] else float("nan")
        elif m == "exclusivity":
            scores[m] = float(metrics.exclusivity(result, top_n=10).mean())
        elif m == "diversity":
            scores[m] = metrics.topic_diversity(result.topic_word_, top_n=25)
    return n_topics, random_state, scores, result


def _n_workers(n_jobs: int, n_tasks: int) -> int:
    """``n_jobs`` as in :func:`toolkit.distributed.n_workers`, capped by the number of fits."""
    from toolkit.distributed import n_workers

    return max(1, min(n_workers(n_jobs), n_tasks))


def select_n_topics(
    documents: Sequence[Sequence[str]],
    n_topics_grid: Sequence[int] = (8, 12, 16),
    random_states: Sequence[int] = (0, 1, 2),
    *,
    engine: str = "gensim",
    heldout_fraction: float = 0.2,
    split_random_state: int = 0,
    n_jobs: int = -1,
    measures: Sequence[str] = ("npmi", "umass", "heldout", "exclusivity", "diversity", "stability"),
    coherence: str = "npmi",
    stability_threshold: float = 0.7,
    keep_results: bool = False,
    progress: bool | None = None,
    **fit_kwargs,
) -> SelectionResult:
    """Fit LDA over a grid of K and seeds, score every fit and recommend a K.

    Parameters
    ----------
    documents : list of list of str
    n_topics_grid : sequence of int
    random_states : sequence of int
        Seeds of the fits at each K (at least 2 for ``stability``).
    engine : {"gensim", "tomotopy"}
    heldout_fraction : float
        Share of documents held out for ``heldout`` (0 disables it).
    split_random_state : int
        Seed of the held-out split and of the document-completion halves.
    n_jobs : int
        Worker processes (-1 = all cores, 1 = in this process).
    measures : sequence of str
        Any of :data:`MEASURES`.
    coherence : {"npmi", "umass"}
        The coherence measure used in the recommendation.
    stability_threshold : float
        Minimum mean stability of a K to be recommended.
    keep_results : bool
        Keep every fitted :class:`LdaResult` in ``.results``.
    **fit_kwargs
        Passed to :func:`~toolkit.topics.lda.fit_lda` (``passes``, ``min_df``...).

    Returns
    -------
    SelectionResult
    """
    unknown = set(measures) - set(MEASURES)
    if unknown:
        raise ValueError(f"unknown measures {sorted(unknown)}; use {MEASURES}")
    if coherence not in metrics.COHERENCE_MEASURES:
        raise ValueError(f"coherence={coherence!r}: use one of {metrics.COHERENCE_MEASURES}")
    measures = tuple(dict.fromkeys(list(measures) + [coherence]))
    grid = sorted({int(k) for k in n_topics_grid})
    seeds = sorted({int(s) for s in random_states})
    documents = [list(d) for d in documents]
    rng = np.random.default_rng(split_random_state)
    n_held = int(round(heldout_fraction * len(documents))) if "heldout" in measures else 0
    order = rng.permutation(len(documents))
    held_idx = set(order[:n_held].tolist())
    train = [d for i, d in enumerate(documents) if i not in held_idx]
    heldout = [d for i, d in enumerate(documents) if i in held_idx]
    fit_kwargs = {"engine": engine, **fit_kwargs}
    jobs = [(k, s) for k in grid for s in seeds]
    init_args = (train, heldout, fit_kwargs, measures, split_random_state)
    workers = _n_workers(n_jobs, len(jobs))
    logger.info("select_n_topics: K in %s x seeds %s (%d fits, %d workers), %d training / %d held-out documents",
                grid, seeds, len(jobs), workers, len(train), len(heldout))
    outputs = []
    bar = tqdm(total=len(jobs), desc="topic models", disable=None if progress is None else not progress)
    if workers == 1:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            _init_worker(*init_args)
            try:
                for job in jobs:
                    outputs.append(_score_one(job))
                    bar.update()
            finally:
                _WORKER.clear()
    else:
        with concurrent.futures.ProcessPoolExecutor(workers, initializer=_init_worker,
                                                    initargs=init_args) as pool:
            for out in pool.map(_score_one, jobs):
                outputs.append(out)
                bar.update()
    bar.close()
    outputs.sort(key=lambda o: (o[0], o[1]))
    rows = [(k, s, m, v) for k, s, scores, _ in outputs for m, v in scores.items()]
    results = {(k, s): r for k, s, _, r in outputs}
    if "stability" in measures:
        for k in grid:
            runs = [results[(k, s)] for s in seeds]
            for s, v in zip(seeds, metrics.stability(runs, method="cosine"), strict=True):
                rows.append((k, s, "stability", float(v)))
    table = pd.DataFrame(rows, columns=["n_topics", "random_state", "measure", "value"])
    table = table.sort_values(["n_topics", "measure", "random_state"], kind="stable").reset_index(drop=True)
    summary, recommended, reasoning = _recommend(table, coherence, stability_threshold)
    return SelectionResult(table, summary, recommended, reasoning, results if keep_results else None)


def _recommend(table: pd.DataFrame, coherence: str, stability_threshold: float) -> tuple[pd.DataFrame, int, str]:
    summary = (table.groupby(["n_topics", "measure"], sort=True)["value"]
               .agg(mean="mean", sd="std", n_runs="count").reset_index())

    def z(s: pd.Series) -> pd.Series:
        sd = s.std(ddof=0)
        return (s - s.mean()) / sd if sd > 0 and np.isfinite(sd) else s * 0.0

    summary["z"] = summary.groupby("measure")["mean"].transform(z)
    wide = summary.pivot(index="n_topics", columns="measure", values="mean")
    zwide = summary.pivot(index="n_topics", columns="measure", values="z")
    used = [m for m in (coherence, "heldout", "exclusivity", "stability") if m in zwide.columns
            and zwide[m].notna().any()]
    score = zwide[used].mean(axis=1)
    eligible = list(wide.index)
    note = ""
    if "stability" in wide.columns and wide["stability"].notna().any():
        stable = [k for k in wide.index if wide.at[k, "stability"] >= stability_threshold]
        if stable:
            eligible = stable
            dropped = sorted(set(wide.index) - set(stable))
            if dropped:
                note = f" K = {', '.join(map(str, dropped))} fell below the stability threshold {stability_threshold:g}."
        else:
            note = f" No K reached the stability threshold {stability_threshold:g}; all were considered."
    best = max(eligible, key=lambda k: (round(float(score[k]), 12), -k))
    parts = ", ".join(f"{m} {wide.at[best, m]:.3f}" for m in used)
    ranking = "; ".join(f"K={k}: {score[k]:+.2f}" for k in wide.index)
    reasoning = (f"Recommended K = {best}: the best mean standardised score over {', '.join(used)} "
                 f"(averaged over seeds; {ranking}). At K = {best}: {parts}.{note} "
                 "Read the top terms of the neighbouring K before settling.")
    return summary.sort_values(["n_topics", "measure"]).reset_index(drop=True), int(best), reasoning
