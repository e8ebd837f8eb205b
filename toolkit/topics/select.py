"""Choosing the number of topics: fit a grid of K × seeds and compare measures.

:func:`select_n_topics` holds out a share of documents (one split, seeded by
``split_random_state``, the same for every fit), fits a model for every
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

The model family is the one that will be reported: plain LDA
(:func:`~toolkit.topics.lda.fit_lda`, ``family="lda"``) or, given ``themes``,
the seeded model (:func:`~toolkit.topics.seeded.fit_seeded_lda`,
``family="seeded"``) at every K of the grid, ``n_topics`` counting every
topic, the seeded ones included; a K that cannot hold the themes plus one
free topic is an error before anything is fitted.

Two strategies (``strategy=``):

``"full"``
    every fit on the whole corpus (less the held-out share);
``"sample"``
    every fit on a seeded random sample of ``sample_size`` documents
    (default ``min(n, 5000)``; the held-out share is taken from the sample),
    with the vocabulary built on the whole corpus (the columns of the model
    that will be reported) and the convergence settings (gensim passes and
    E-step iterations, tomotopy sweeps) that the full strategy's fits would
    get, so a fit costs about ``sample_size / n`` of a full one. The scores,
    the measures and the recommendation rule are the same; ``make bench``
    measures the time against ``"full"`` and whether the two recommend the
    same K (README, "Benchmarks"). With ``sample_size >= n`` it is the full
    strategy.

Fits run in separate processes (``n_jobs``), each single-threaded (BLAS
pinned to one thread), so the table is identical for any ``n_jobs``.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from toolkit.text.vocabulary import MAX_DF, MIN_DF, build_vocabulary
from toolkit.topics import metrics
from toolkit.topics.lda import LdaResult, default_settings, fit_lda
from toolkit.topics.seeded import check_n_topics, fit_seeded_lda

logger = logging.getLogger("toolkit.topics")

MEASURES = ("npmi", "umass", "heldout", "exclusivity", "diversity", "stability")
STRATEGIES = ("full", "sample")
#: Documents of the ``"sample"`` strategy when ``sample_size`` is not given (fewer when the corpus is smaller).
SAMPLE_SIZE = 5000


@dataclass
class SelectionResult:
    """Outcome of :func:`select_n_topics`.

    Attributes
    ----------
    table : DataFrame
        Tidy scores: ``n_topics, random_state, measure, value, family,
        n_docs`` (``family``: ``"lda"`` or ``"seeded"``, the model scored;
        ``n_docs``: the documents it was fitted on), sorted by n_topics,
        measure, random_state.
    summary : DataFrame
        ``n_topics, measure, mean, sd, n_runs, z`` (z: standardised mean
        across K), sorted by n_topics, measure.
    recommended : int
    reasoning : str
    results : dict of (n_topics, random_state) to LdaResult, or None
    family : {"lda", "seeded"}
        The model family scored.
    strategy : {"full", "sample"}
    n_documents : int
        Documents scored (training plus held-out): the corpus, or the sample.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    recommended: int
    reasoning: str
    results: dict | None = field(default=None, repr=False)
    family: str = "lda"
    strategy: str = "full"
    n_documents: int = 0


_WORKER: dict = {}


def _init_worker(train, heldout, fit_kwargs, measures, heldout_random_state, themes) -> None:
    from threadpoolctl import threadpool_limits

    _WORKER.update(train=train, heldout=heldout, fit_kwargs=fit_kwargs, measures=measures,
                   heldout_random_state=heldout_random_state, themes=themes, limits=threadpool_limits(1))


def _score_one(job: tuple[int, int]) -> tuple[int, int, dict, LdaResult]:
    n_topics, random_state = job
    w = _WORKER
    if w["themes"]:
        # a selection fit is scored, not read: its topics' seeds are the final model's to report
        result = fit_seeded_lda(w["train"], w["themes"], n_topics, random_state=random_state, warn_not_held=False,
                                **w["fit_kwargs"])
    else:
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
    n_topics_grid: Sequence[int] = (8, 12, 16, 20),
    random_states: Sequence[int] = (0, 1, 2),
    *,
    strategy: str = "full",
    sample_size: int | None = None,
    themes: Mapping[str, Sequence[str]] | None = None,
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
    """Fit a model over a grid of K and seeds, score every fit and recommend a K.

    Parameters
    ----------
    documents : list of list of str
    n_topics_grid : sequence of int
        Numbers of topics compared: the total of each model, seeded topics
        included (README, "Conventions").
    random_states : sequence of int
        Seeds of the fits at each K (at least 2 for ``stability``).
    strategy : {"full", "sample"}
        ``"full"``: every fit on the whole corpus; ``"sample"``: on a seeded
        random sample of ``sample_size`` documents (see the module docstring).
    sample_size : int, optional
        Documents of the ``"sample"`` strategy (default ``min(n, 5000)``).
    themes : mapping of theme name to list of tokens, optional
        Score the seeded model (:func:`~toolkit.topics.seeded.fit_seeded_lda`
        with these themes) instead of plain LDA: the family that will be
        reported.
    engine : {"gensim", "tomotopy"}
    heldout_fraction : float
        Share of documents held out for ``heldout`` (0 disables it).
    split_random_state : int
        Seed of the sample, of the held-out split and of the
        document-completion halves.
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
        Passed to :func:`~toolkit.topics.lda.fit_lda` or
        :func:`~toolkit.topics.seeded.fit_seeded_lda` (``passes``,
        ``min_df``, ``max_df``, ``seed_weight``...).

    Returns
    -------
    SelectionResult

    Raises
    ------
    ValueError
        For an unknown measure or strategy, an empty grid, a K below 1, or
        (seeded) a K below the number of themes plus one.

    Examples
    --------
    >>> docs = [["dân_vận", "khéo", "nông_thôn_mới"], ["giải_phóng_mặt_bằng", "bồi_thường"]] * 20
    >>> sel = select_n_topics(docs, (2, 3), (0, 1), strategy="sample", sample_size=30, n_jobs=1,
    ...                       measures=("npmi", "stability"), progress=False)
    >>> sel.family, sel.n_documents, sorted(sel.table["n_docs"].unique().tolist())  # no held-out share here
    ('lda', 30, [30])
    """
    unknown = set(measures) - set(MEASURES)
    if unknown:
        raise ValueError(f"unknown measures {sorted(unknown)}; use {MEASURES}")
    if coherence not in metrics.COHERENCE_MEASURES:
        raise ValueError(f"coherence={coherence!r}: use one of {metrics.COHERENCE_MEASURES}")
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy={strategy!r}: use one of {STRATEGIES}")
    measures = tuple(dict.fromkeys(list(measures) + [coherence]))
    grid = sorted({int(k) for k in n_topics_grid})
    seeds = sorted({int(s) for s in random_states})
    if not grid or not seeds:
        raise ValueError("n_topics_grid and random_states need at least one value each")
    if grid[0] < 1:
        raise ValueError(f"n_topics={grid[0]} in n_topics_grid: a model needs at least one topic")
    themes = {str(k): list(v) for k, v in themes.items()} if themes else None
    family = "seeded" if themes else "lda"
    for k in grid if themes else []:  # an impossible K is an error before anything is fitted
        check_n_topics(k, len(themes))
    documents = [list(d) for d in documents]
    n_corpus = len(documents)
    fit_kwargs = {"engine": engine, **fit_kwargs}
    size = n_corpus
    if strategy == "sample":
        size = min(n_corpus, SAMPLE_SIZE if sample_size is None else int(sample_size))
        if size < 2:
            raise ValueError(f"sample_size={sample_size}: the sample needs at least 2 documents")
    n_held_full = int(round(heldout_fraction * n_corpus)) if "heldout" in measures else 0
    if size < n_corpus:
        # The fits of the sample get the columns and the convergence settings of the models they
        # stand for (whole-corpus vocabulary; passes/iterations the full strategy's fits would get):
        # the sample saves documents, not convergence.
        vocab = build_vocabulary(documents, min_df=fit_kwargs.get("min_df", MIN_DF),
                                 max_df=fit_kwargs.get("max_df", MAX_DF),
                                 keep_n=fit_kwargs.get("keep_n"))
        n_train_full = n_corpus - n_held_full
        n_tokens_full = int(round(vocab.term_frequency.sum() * n_train_full / max(n_corpus, 1)))
        for key, value in default_settings(engine, n_train_full, n_tokens_full).items():
            if key in ("passes", "iterations") and fit_kwargs.get(key) is None:
                fit_kwargs[key] = value
        if fit_kwargs.get("vocabulary") is None:
            fit_kwargs["vocabulary"] = vocab.terms
        order = np.random.default_rng(split_random_state).permutation(n_corpus)
        documents = [documents[i] for i in np.sort(order[:size])]
    rng = np.random.default_rng(split_random_state)
    n_held = int(round(heldout_fraction * len(documents))) if "heldout" in measures else 0
    order = rng.permutation(len(documents))
    held_idx = set(order[:n_held].tolist())
    train = [d for i, d in enumerate(documents) if i not in held_idx]
    heldout = [d for i, d in enumerate(documents) if i in held_idx]
    jobs = [(k, s) for k in grid for s in seeds]
    init_args = (train, heldout, fit_kwargs, measures, split_random_state, themes)
    workers = _n_workers(n_jobs, len(jobs))
    logger.info("select_n_topics (%s, %s): K in %s x seeds %s (%d fits, %d workers), %d training / %d held-out "
                "documents of %d", family, strategy, grid, seeds, len(jobs), workers, len(train), len(heldout),
                n_corpus)
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
        from toolkit.distributed import pool_result, pool_submit, process_context

        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=process_context(), initializer=_init_worker,
                                                    initargs=init_args) as pool:
            for future in [pool_submit(pool, _score_one, job) for job in jobs]:
                outputs.append(pool_result(future))
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
    table["family"] = family
    table["n_docs"] = len(train)
    summary, recommended, reasoning = _recommend(table, coherence, stability_threshold)
    what = (f"seeded LDA ({len(themes)} seeded theme(s) among the K topics)" if themes else "LDA")
    where = (f"a seeded random sample of {len(documents):,} of {n_corpus:,} documents" if len(documents) < n_corpus
             else f"all {n_corpus:,} documents")
    reasoning += f" Scored: {what}, {engine}, on {where} ({len(heldout):,} held out)."
    return SelectionResult(table, summary, recommended, reasoning, results if keep_results else None,
                           family=family, strategy=strategy, n_documents=len(documents))


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
    tied = [k for k in eligible if k != best and round(float(score[k]), 12) == round(float(score[best]), 12)]
    if tied:
        # a tie (with two K, measures that split evenly give both the same mean z): say so, and which way it went
        favour = {k: [m for m in used if zwide.at[k, m] > zwide.at[best, m]] for k in tied}
        note += (f" K = {', '.join(map(str, [best, *tied]))} tie on the mean score"
                 + "".join(f" ({', '.join(f) or 'no measure'} favour K = {k})" for k, f in favour.items())
                 + f"; the smallest, K = {best}, is recommended (fewer, broader topics): read both before settling.")
    parts = ", ".join(f"{m} {wide.at[best, m]:.3f}" for m in used)
    ranking = "; ".join(f"K={k}: {score[k]:+.2f}" for k in wide.index)
    grid = sorted(wide.index)
    if len(grid) > 2 and best in (grid[0], grid[-1]):
        # the best K at an end of the grid: the scores may keep improving past it
        side = "largest" if best == grid[-1] else "smallest"
        further = "larger" if best == grid[-1] else "smaller"
        note += (f" K = {best} is the {side} K of the grid: the best may lie beyond it; score a grid that "
                 f"reaches {further} K before settling.")
        logger.warning("model selection: the recommended K = %d is the %s of the grid %s; extend the grid",
                       best, side, grid)
    reasoning = (f"Recommended K = {best}: the best mean standardised score over {', '.join(used)} "
                 f"(averaged over seeds; {ranking}). At K = {best}: {parts}.{note} "
                 "Read the top terms of the neighbouring K before settling.")
    return summary.sort_values(["n_topics", "measure"]).reset_index(drop=True), int(best), reasoning
