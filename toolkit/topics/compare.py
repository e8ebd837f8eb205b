"""In-model covariates (DMR) against post-hoc effects, on corpora with planted effects.

:func:`covariate_recovery` draws corpora with planted locality and year
effects on topic prevalence (:func:`toolkit.topics.synthetic.generate_covariate_corpus`),
and in each replication (its own seed for the corpus and both models)

* **post-hoc**: fits LDA (tomotopy, the same sampler and sweeps as the DMR)
  and then :class:`~toolkit.topics.effects.TopicEffects` with
  ``~ C(locality) + year`` (method of composition, 95% intervals);
* **dmr**: fits :func:`~toolkit.topics.dmr.fit_dmr` with ``locality``
  (categorical) and ``year`` (numeric) and reads its implied prevalence
  (:func:`~toolkit.topics.dmr.dmr_prevalence`, point estimates);

matches each model's topics to the planted ones (Hungarian, cosine of
topic-word rows) and scores both against the planted prevalence
(:func:`~toolkit.topics.synthetic.planted_prevalence`):

``locality_mae``
    mean absolute error of the prevalence of every topic in every locality
    (averaged over the years: the corpus is balanced over them);
``locality_corr``
    correlation of the estimated and planted locality deviations (each
    locality's prevalence minus the topic's mean over localities): are the
    locality effects themselves recovered;
``year_mae``
    mean absolute error of every topic's change of prevalence from the first
    to the last year (the planted change averaged over localities);
``topic_match``
    mean cosine similarity of matched topics (the topics themselves);
``coverage_locality``, ``coverage_year``
    post-hoc only: share of 95% intervals (locality prevalence; the
    first-to-last-year contrast) that contain the planted value. The DMR
    gives no interval, so these are NaN for it.

Used by ``tests/test_topics_dmr.py`` (small, fast) and ``bench/dmr_compare.py``
(the README's table).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["covariate_recovery", "summarize_recovery"]

METRICS = ("locality_mae", "locality_corr", "year_mae", "topic_match", "coverage_locality", "coverage_year")


def _matched(corpus, result) -> tuple[np.ndarray, np.ndarray]:
    from toolkit.topics.synthetic import align_topic_word, match_topics

    est = align_topic_word(result.topic_word_, result.vocabulary_, corpus.vocabulary)
    return match_topics(corpus.topic_word, est)


def covariate_recovery(
    n_replications: int = 3,
    *,
    n_docs: int = 600,
    n_topics: int = 4,
    vocab_size: int = 300,
    n_localities: int = 6,
    years: tuple[int, int] = (2016, 2021),
    locality_scale: float = 0.8,
    year_scale: float = 0.25,
    doc_length: int = 60,
    iterations: int = 200,
    n_draws: int = 20,
    random_state: int = 0,
) -> pd.DataFrame:
    """Recovery of planted locality and year effects by post-hoc effects and by the in-model DMR.

    Replication ``r`` uses the seed ``random_state + r`` for the corpus and
    both models. Parameters other than ``n_replications`` are those of
    :func:`~toolkit.topics.synthetic.generate_covariate_corpus`, the Gibbs
    sweeps of both models and the posterior draws of the post-hoc effects.

    Returns
    -------
    DataFrame
        ``replication, method, metric, value`` (tidy; ``method`` is
        ``"post-hoc"`` or ``"dmr"``; metrics as in the module docstring),
        sorted by replication, method, metric.
    """
    from toolkit.topics.dmr import dmr_prevalence, fit_dmr
    from toolkit.topics.effects import TopicEffects
    from toolkit.topics.lda import fit_lda
    from toolkit.topics.synthetic import generate_covariate_corpus, planted_prevalence

    rows = []
    for r in range(int(n_replications)):
        seed = int(random_state) + r
        corpus = generate_covariate_corpus(
            n_docs, n_topics, vocab_size, n_localities=n_localities, years=years, locality_scale=locality_scale,
            year_scale=year_scale, doc_length=doc_length, random_state=seed)
        meta = corpus.covariates
        tokens = pd.DataFrame({"doc_id": meta["doc_id"], "tokens": corpus.documents})
        localities = sorted(meta["locality"].unique())
        first, last = int(meta["year"].min()), int(meta["year"].max())
        year_range = np.arange(first, last + 1)
        # Locality targets are averaged over the years (the corpus is balanced over them); a linear
        # year term predicts that average at the mean year, so post-hoc predicts there.
        at_mean = pd.DataFrame({"locality": localities, "year": float(year_range.mean())})
        grid = pd.DataFrame({"locality": np.repeat(localities, len(year_range)),
                             "year": np.tile(year_range, len(localities))})
        truth_grid = planted_prevalence(corpus, grid).reshape(len(localities), len(year_range), n_topics)
        truth_loc = truth_grid.mean(axis=1)  # L × K
        truth_year = (truth_grid[:, -1] - truth_grid[:, 0]).mean(axis=0)  # K

        lda = fit_lda(tokens, n_topics, random_state=seed, engine="tomotopy", iterations=iterations)
        assign, similarity = _matched(corpus, lda)
        effects = TopicEffects("~ C(locality) + year", n_draws=n_draws, random_state=seed).fit(lda, meta)
        pred = effects.predict(at_mean)
        est = pred["estimate"].to_numpy().reshape(len(localities), n_topics)[:, assign]
        low = pred["ci_low"].to_numpy().reshape(len(localities), n_topics)[:, assign]
        high = pred["ci_high"].to_numpy().reshape(len(localities), n_topics)[:, assign]
        contrast = effects.contrast("year", first, last).set_index("topic").loc[assign]
        year_est = contrast["estimate"].to_numpy()
        rows += _scores(r, "post-hoc", est, truth_loc, year_est, truth_year, similarity)
        rows += [
            (r, "post-hoc", "coverage_locality", float(((low <= truth_loc) & (truth_loc <= high)).mean())),
            (r, "post-hoc", "coverage_year", float(((contrast["ci_low"].to_numpy() <= truth_year)
                                                   & (truth_year <= contrast["ci_high"].to_numpy())).mean())),
        ]

        dmr = fit_dmr(tokens, n_topics, metadata=meta, covariates=("locality", "year"), random_state=seed,
                      iterations=iterations)
        assign, similarity = _matched(corpus, dmr)
        g = dmr_prevalence(dmr, grid)["estimate"].to_numpy().reshape(len(localities), len(year_range), n_topics)
        g = g[:, :, assign]
        est = g.mean(axis=1)
        year_est = (g[:, -1] - g[:, 0]).mean(axis=0)
        rows += _scores(r, "dmr", est, truth_loc, year_est, truth_year, similarity)
        rows += [(r, "dmr", "coverage_locality", float("nan")), (r, "dmr", "coverage_year", float("nan"))]
    out = pd.DataFrame(rows, columns=["replication", "method", "metric", "value"])
    return out.sort_values(["replication", "method", "metric"], kind="mergesort", ignore_index=True)


def _scores(r, method, est, truth_loc, year_est, truth_year, similarity) -> list[tuple]:
    dev_est = est - est.mean(axis=0, keepdims=True)
    dev_true = truth_loc - truth_loc.mean(axis=0, keepdims=True)
    return [
        (r, method, "locality_mae", float(np.abs(est - truth_loc).mean())),
        (r, method, "locality_corr", float(np.corrcoef(dev_est.ravel(), dev_true.ravel())[0, 1])),
        (r, method, "year_mae", float(np.abs(year_est - truth_year).mean())),
        (r, method, "topic_match", float(np.mean(similarity))),
    ]


def summarize_recovery(table: pd.DataFrame) -> pd.DataFrame:
    """Mean of every metric per method over the replications: ``method`` rows, one column per metric."""
    wide = table.pivot_table(index="method", columns="metric", values="value", aggfunc="mean", dropna=False)
    return wide.reindex(columns=[m for m in METRICS if m in wide.columns]).reset_index()
