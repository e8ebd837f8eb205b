"""Covariates inside the model: Dirichlet-multinomial regression (DMR, Mimno & McCallum 2008).

Post-hoc effects (:mod:`toolkit.topics.effects`) fit the topics first and
regress their proportions on locality and year afterwards. A DMR model lets
the covariates shape topic prevalence *while* the topics are fitted: every
document's Dirichlet prior is log-linear in its covariates,

    α_dk = exp(λ_k · x_d),    E[θ_d | x_d] = α_d / Σ_k α_dk,

and λ is learned together with the topics (tomotopy 0.14, collapsed Gibbs
sampling with λ optimised every ``optim_interval`` sweeps, Gaussian prior
``sigma`` on λ).

:func:`fit_dmr` fits tomotopy's ``DMRModel`` (categorical covariates only) or
``GDMRModel`` (one numeric covariate, linear in the log prior, plus
categorical ones) and returns the same :class:`~toolkit.topics.lda.LdaResult`
as :func:`~toolkit.topics.lda.fit_lda`, with ``doc_ids``, so everything that
reads a model (top terms, effects, the browser, ``save_result``) reads it
too. Categorical covariates enter additively (tomotopy's ``multi_metadata``:
one λ per level), never as an interaction of all covariates.

:func:`dmr_coefficients` gives the prevalence coefficients as a tidy table in
reference coding (``Intercept``, ``C(locality)[T.X]``, ``year``, as patsy names
them) on the log-prior scale; :func:`dmr_prevalence` the implied prevalence
E[θ | x] at given covariate values. Both are **point estimates without
uncertainty** (tomotopy optimises λ; it does not sample it), and their
``uncertainty`` column says so: never draw them as intervals.

The coefficients are kept in ``result.settings_["dmr"]`` (plain JSON), so a
model saved with :func:`~toolkit.topics.persist.save_result` keeps them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from toolkit.text.vocabulary import MAX_DF, MIN_DF
from toolkit.topics.lda import LdaResult, _check_doc_ids, _token_lists, count_matrix, default_labels, default_settings

logger = logging.getLogger("toolkit.topics")

__all__ = ["ENGINE", "NO_UNCERTAINTY", "dmr_coefficients", "dmr_prevalence", "fit_dmr"]

#: ``result.engine`` of a model fitted by :func:`fit_dmr`.
ENGINE = "tomotopy-dmr"
#: The ``uncertainty`` column of the DMR's tables: no interval exists, and none may be drawn.
NO_UNCERTAINTY = "none: point estimate"
#: The one categorical ``metadata`` value of every document: covariates go to ``multi_metadata`` (additive).
_CONSTANT = "_"


def _aligned(metadata: pd.DataFrame, doc_ids: list[str], covariates: Sequence[str]) -> pd.DataFrame:
    """The covariate rows of ``metadata`` for ``doc_ids``, in that order, matched by ``doc_id``."""
    if not isinstance(metadata, pd.DataFrame):
        raise TypeError(f"metadata must be a DataFrame, got {type(metadata).__name__}")
    if "doc_id" not in metadata.columns:
        raise ValueError("metadata has no doc_id column: rows are matched to the documents by doc_id")
    if "locality" in covariates and "locality" not in metadata.columns and "district" in metadata.columns:
        from toolkit.places import with_locality

        metadata = with_locality(metadata)
    absent = [c for c in covariates if c not in metadata.columns]
    if absent:
        raise ValueError(f"metadata has no column(s) {', '.join(absent)} (covariates={list(covariates)})")
    keys = metadata["doc_id"].astype(str)
    repeated = sorted(keys[keys.duplicated()].unique())
    if repeated:
        raise ValueError(f"metadata repeats doc_id {', '.join(repeated[:5])}{', …' if len(repeated) > 5 else ''}")
    rows = pd.Index(keys).get_indexer(doc_ids)
    if (rows < 0).any():
        missing = [d for d, r in zip(doc_ids, rows, strict=True) if r < 0]
        raise ValueError(f"{len(missing)} of {len(doc_ids)} documents are not in metadata (doc_id "
                         f"{', '.join(missing[:5])}{', …' if len(missing) > 5 else ''})")
    frame = metadata.iloc[rows][list(covariates)].reset_index(drop=True)
    for col in covariates:
        values = frame[col]
        blank = values.isna() | (values.astype(str).str.strip() == "")
        if blank.any():
            bad = [doc_ids[i] for i in np.flatnonzero(blank.to_numpy())]
            raise ValueError(f"covariate {col!r} is missing for {len(bad)} documents (doc_id "
                             f"{', '.join(bad[:5])}{', …' if len(bad) > 5 else ''}): a DMR needs every document's "
                             "covariates; drop those documents or fill the column")
    return frame


def _kinds(frame: pd.DataFrame, covariates: Sequence[str], categorical: Sequence[str]) -> tuple[list[str], list[str]]:
    """(numeric, categorical) covariates: numeric dtype → numeric unless listed in ``categorical``."""
    unknown = sorted(set(categorical) - set(covariates))
    if unknown:
        raise ValueError(f"categorical={unknown} are not among covariates={list(covariates)}")
    numeric = [c for c in covariates if c not in categorical and pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c])]
    if len(numeric) > 1:
        raise ValueError(f"at most one numeric covariate (GDMR, linear in the log prior); got {numeric}: "
                         f"list the others in categorical=")
    return numeric, [c for c in covariates if c not in numeric]


def fit_dmr(
    documents,
    n_topics: int,
    *,
    metadata: pd.DataFrame,
    covariates: Sequence[str] = ("locality", "year"),
    categorical: Sequence[str] = (),
    random_state: int,
    iterations: int | None = None,
    alpha: float = 0.1,
    eta: float = 0.01,
    sigma: float = 1.0,
    min_df: int | float = MIN_DF,
    max_df: int | float = MAX_DF,
    keep_n: int | None = None,
    vocabulary: Sequence[str] | None = None,
    topic_labels: Sequence[str] | None = None,
    doc_ids: Sequence[str] | None = None,
    n_jobs: int = 1,
) -> LdaResult:
    """Fit a topic model whose topic prevalence depends on document covariates (DMR / GDMR).

    Parameters
    ----------
    documents : DataFrame or list of list of str
        A token table (``doc_id``, ``tokens``) or token lists with ``doc_ids``.
    n_topics : int
        The total number of topics.
    metadata : DataFrame
        ``doc_id`` and the covariate columns, matched to the documents by
        ``doc_id`` (order and extra rows do not matter). ``locality`` is
        derived from ``province``/``district`` when absent. A document
        without a value of a covariate is an error naming it.
    covariates : sequence of str
        Columns that shape prevalence. A numeric column (``year``) enters
        linearly in the log prior (tomotopy ``GDMRModel``, Legendre degree 1
        on the observed range); at most one may be numeric. Other columns
        are categorical (one coefficient per level; ``DMRModel`` when no
        covariate is numeric).
    categorical : sequence of str
        Numeric covariates to treat as categorical (``("year",)``: one
        coefficient per year, no linearity assumed).
    random_state : int
        tomotopy's seed; with ``n_jobs=1`` the same inputs give the same arrays.
    iterations : int, optional
        Gibbs sweeps (default: by corpus size, as ``fit_lda(engine="tomotopy")``).
    alpha : float
        tomotopy's initial exp(λ) (the prior before covariates are learned).
    eta : float
        Topic-word prior.
    sigma : float
        Standard deviation of the Gaussian prior on the non-constant λ
        (smaller: coefficients shrunk harder towards 0).
    min_df, max_df, keep_n, vocabulary, topic_labels, doc_ids
        As in :func:`toolkit.topics.lda.fit_lda`.
    n_jobs : int
        tomotopy workers; 1 (default) is reproducible.

    Returns
    -------
    LdaResult
        ``engine == "tomotopy-dmr"``. ``doc_topic_concentration_`` holds each
        document's Gibbs counts plus its own covariate prior α_d; ``alpha_``
        is the mean prior of the training documents (what
        :meth:`~LdaResult.transform` uses for new documents, whose covariates
        it does not know). ``settings_["dmr"]`` holds the coefficients
        (:func:`dmr_coefficients`, :func:`dmr_prevalence`).

    Examples
    --------
    >>> tokens = pd.DataFrame({"doc_id": [f"d{i}" for i in range(40)],
    ...                        "tokens": [["dân_vận", "khéo", "nông_thôn_mới"], ["giải_phóng_mặt_bằng", "bồi_thường"]] * 20})
    >>> meta = pd.DataFrame({"doc_id": tokens["doc_id"], "locality": ["Huyện A, Tỉnh X", "Huyện B, Tỉnh X"] * 20,
    ...                      "year": [2019, 2020, 2021, 2022] * 10})
    >>> result = fit_dmr(tokens, 2, metadata=meta, random_state=0, iterations=50)
    >>> sorted(dmr_coefficients(result)["term"].unique())
    ['C(locality)[T.Huyện B, Tỉnh X]', 'Intercept', 'year']
    """
    import tomotopy as tp

    if n_topics < 1:
        raise ValueError("n_topics must be at least 1")
    if random_state is None:
        raise ValueError("random_state is required (an int) so that the fit is reproducible")
    covariates = list(dict.fromkeys(covariates))
    if not covariates:
        raise ValueError("covariates is empty: use fit_lda for a model without covariates")
    random_state = int(random_state)
    documents, doc_ids = _token_lists(documents, doc_ids)
    documents = [list(doc) for doc in documents]
    ids, id_source = _check_doc_ids(doc_ids, len(documents))
    frame = _aligned(metadata, ids, covariates)
    numeric, cats = _kinds(frame, covariates, categorical)

    X, vocab, filters, doc_lengths = count_matrix(documents, vocabulary, min_df=min_df, max_df=max_df, keep_n=keep_n)
    terms = vocab.terms
    n_docs, n_terms = X.shape
    n_tokens = int(doc_lengths.sum())

    settings = default_settings("tomotopy", n_docs, n_tokens)
    if iterations is not None:
        settings["iterations"] = int(iterations)
    levels = {c: sorted(frame[c].astype(str).unique()) for c in cats}
    num = None
    if numeric:
        values = frame[numeric[0]].to_numpy(dtype=float)
        num = {"name": numeric[0], "min": float(values.min()), "max": float(values.max()), "mean": float(values.mean())}
        if num["max"] == num["min"]:
            raise ValueError(f"numeric covariate {numeric[0]!r} has one value ({num['min']:g}) in every document")
        model = tp.GDMRModel(tw=tp.TermWeight.ONE, k=n_topics, degrees=[1], alpha=float(alpha), eta=float(eta),
                             sigma=float(sigma), seed=random_state)
    else:
        model = tp.DMRModel(tw=tp.TermWeight.ONE, k=n_topics, alpha=float(alpha), eta=float(eta),
                            sigma=float(sigma), seed=random_state)
    index = {t: i for i, t in enumerate(terms)}
    multi = [[f"{c}={v}" for c, v in zip(cats, row, strict=True)] for row in frame[cats].astype(str).itertuples(
        index=False, name=None)] if cats else [[] for _ in range(n_docs)]
    added = []
    for d, doc in enumerate(documents):
        words = [t for t in doc if t in index]
        if not words:
            continue
        if num is not None:
            model.add_doc(words, numeric_metadata=[float(values[d])], metadata=_CONSTANT, multi_metadata=multi[d])
        else:
            model.add_doc(words, metadata=_CONSTANT, multi_metadata=multi[d])
        added.append(d)
    model.train(0, workers=int(n_jobs))
    model.train(settings["iterations"], workers=int(n_jobs))

    if num is not None:  # the range tomotopy maps to [-1, 1] (the observed one; read back, not assumed)
        num["min"], num["max"] = (float(v) for v in model.metadata_range[0])
    coef, term_names = _reference_coefficients(model, cats, levels, num)
    log_prior = _design(frame, cats, levels, num, term_names) @ coef.T  # D × K
    conc = np.exp(log_prior)
    counts_dk = np.zeros_like(conc)
    for d, doc in zip(added, model.docs, strict=True):
        raw = np.asarray(doc.get_topic_dist(normalize=False), dtype=np.float64)
        counts = np.bincount(np.asarray(doc.topics), minlength=n_topics).astype(np.float64)
        counts_dk[d] = counts
        # tomotopy's own prior of the document must be what the coefficients say: a check of the
        # parametrisation read from lambda_ (additive multi_metadata, Legendre P1 on the observed range).
        if not np.allclose(raw - counts, conc[d], rtol=1e-3, atol=1e-6):
            raise RuntimeError(f"DMR coefficients do not reproduce tomotopy's prior of document {ids[d]} "
                               f"({raw - counts} vs {conc[d]}): tomotopy's parametrisation changed")
    tp_vocab = list(model.used_vocabs)
    cols = np.array([index[t] for t in tp_vocab])
    word_counts = np.full((n_topics, n_terms), float(eta))
    for k in range(n_topics):
        word_counts[k, cols] = np.asarray(model.get_topic_word_dist(k, normalize=False), dtype=np.float64)

    settings.update({
        "engine": ENGINE, "n_topics": int(n_topics), "random_state": random_state, "n_jobs": int(n_jobs),
        "alpha": float(alpha), "eta": float(eta), "n_docs": int(n_docs), "n_terms": int(n_terms),
        "n_tokens": n_tokens, **filters, "doc_id_source": id_source,
        "dmr": {
            "model": "GDMRModel" if num is not None else "DMRModel", "sigma": float(sigma),
            "covariates": covariates, "numeric": num, "levels": levels, "terms": term_names,
            "coef": coef.tolist(), "scale": "log Dirichlet prior", "uncertainty": NO_UNCERTAINTY,
        },
    })
    result = LdaResult(n_topics=n_topics, engine=ENGINE, random_state=random_state)
    result.topic_word_concentration_ = word_counts
    result.topic_word_ = word_counts / word_counts.sum(axis=1, keepdims=True)
    result.doc_topic_concentration_ = counts_dk + conc
    result.doc_topic_ = result.doc_topic_concentration_ / result.doc_topic_concentration_.sum(axis=1, keepdims=True)
    result.alpha_ = conc.mean(axis=0)
    result.eta_ = np.full((n_topics, n_terms), float(eta))
    result.vocabulary_ = list(terms)
    result.term_frequency_ = vocab.term_frequency
    result.doc_lengths_ = doc_lengths
    result.topic_labels_ = list(topic_labels) if topic_labels is not None else default_labels(n_topics)
    if len(result.topic_labels_) != n_topics:
        raise ValueError(f"{len(result.topic_labels_)} topic labels for {n_topics} topics")
    result.settings_ = settings
    result.doc_ids = ids
    result.log_perplexity_ = float(model.ll_per_word)
    logger.info("DMR %s: K=%d, D=%d, V=%d, iterations=%d, covariates %s", settings["dmr"]["model"], n_topics,
                n_docs, n_terms, settings["iterations"], ", ".join(covariates))
    return result


def _reference_coefficients(model, cats: list[str], levels: dict, num: dict | None) -> tuple[np.ndarray, list[str]]:
    """λ of tomotopy rewritten in reference coding: ``(coef (K × T), term names)``.

    tomotopy's ``lambda_[k, 0, :]`` (one categorical ``metadata`` value) is
    ``[constant, (P1 of the numeric covariate), one λ per multi_metadata value
    in multi_metadata_dict order]``; the numeric covariate is mapped to
    x = 2 (v − min) / (max − min) − 1. Reference coding: the first sorted
    level of each categorical covariate is the reference, the numeric one is
    centred on its mean and measured per unit.
    """
    lam = np.asarray(model.lambda_, dtype=np.float64)[:, 0, :]
    n_poly = 2 if num is not None else 1
    multi_ids = {name: i for i, name in enumerate(model.multi_metadata_dict)}
    if lam.shape[1] != n_poly + len(multi_ids):
        raise RuntimeError(f"unexpected tomotopy lambda_ shape {lam.shape}: tomotopy's parametrisation changed")
    intercept = lam[:, 0].copy()
    names, columns = ["Intercept"], []
    slope = None
    if num is not None:
        scale = 2.0 / (num["max"] - num["min"])
        slope = lam[:, 1] * scale
        intercept += slope * (num["mean"] - num["min"]) - lam[:, 1]
    for c in cats:
        base = lam[:, n_poly + multi_ids[f"{c}={levels[c][0]}"]]
        intercept += base
        for level in levels[c][1:]:
            names.append(f"C({c})[T.{level}]")
            columns.append(lam[:, n_poly + multi_ids[f"{c}={level}"]] - base)
    if slope is not None:
        names.append(num["name"])
        columns.append(slope)
    return np.column_stack([intercept, *columns]), names


def _design(frame: pd.DataFrame, cats: list[str], levels: dict, num: dict | None, names: list[str]) -> np.ndarray:
    """Reference-coded design matrix of ``frame`` for the terms ``names``."""
    X = np.zeros((len(frame), len(names)))
    X[:, 0] = 1.0
    position = {n: j for j, n in enumerate(names)}
    for c in cats:
        values = frame[c].astype(str)
        unknown = sorted(set(values) - set(levels[c]))
        if unknown:
            raise ValueError(f"{c}: level(s) {', '.join(unknown[:5])} did not occur among the fitted documents")
        for level in levels[c][1:]:
            X[:, position[f"C({c})[T.{level}]"]] = (values == level).to_numpy(dtype=float)
    if num is not None:
        X[:, position[num["name"]]] = frame[num["name"]].to_numpy(dtype=float) - num["mean"]
    return X


def _dmr_settings(result) -> dict:
    dmr = getattr(result, "settings_", {}).get("dmr")
    if dmr is None:
        raise ValueError(f"the model was not fitted by fit_dmr (engine {getattr(result, 'engine', None)!r}): "
                         "it has no prevalence coefficients")
    return dmr


def dmr_coefficients(result) -> pd.DataFrame:
    """The DMR's prevalence coefficients as a tidy table (point estimates, no uncertainty).

    Returns
    -------
    DataFrame
        ``topic, label, term, estimate, scale, uncertainty``, sorted by topic
        then term order (``Intercept``, categorical levels, the numeric
        covariate). ``estimate`` is on the log scale of the Dirichlet prior:
        ``C(locality)[T.X]`` = 0.5 means documents of X have exp(0.5) = 1.65
        times the reference locality's prior weight on the topic, other
        covariates equal; ``year`` is the change per year. ``Intercept`` is
        the log prior at the reference levels (first in sorted order) and
        the mean of the numeric covariate. ``uncertainty`` is
        ``"none: point estimate"`` in every row: tomotopy optimises the
        coefficients and gives no standard error, so no interval may be drawn.
    """
    dmr = _dmr_settings(result)
    coef = np.asarray(dmr["coef"], dtype=float)
    n_topics, n_terms = coef.shape
    labels = list(getattr(result, "topic_labels_", default_labels(n_topics)))
    return pd.DataFrame({
        "topic": np.repeat(np.arange(n_topics), n_terms),
        "label": np.repeat(labels, n_terms),
        "term": np.tile(dmr["terms"], n_topics),
        "estimate": coef.ravel(),
        "scale": dmr["scale"],
        "uncertainty": dmr["uncertainty"],
    })


def dmr_prevalence(result, newdata: pd.DataFrame) -> pd.DataFrame:
    """The prevalence the DMR implies at given covariate values: E[θ | x] = α(x) / Σ α(x).

    Parameters
    ----------
    result : LdaResult
        Fitted by :func:`fit_dmr`.
    newdata : DataFrame
        Every covariate of the model (``locality`` may come from
        ``province``/``district``); categorical levels must occur among the
        fitted documents.

    Returns
    -------
    DataFrame
        The columns of ``newdata``, then ``topic, label, estimate,
        uncertainty``; sorted by the row order of ``newdata``, then topic.
        ``estimate`` sums to 1 over the topics of a row; ``uncertainty`` is
        ``"none: point estimate"`` (no interval exists).
    """
    dmr = _dmr_settings(result)
    covariates = list(dmr["covariates"])
    data = newdata.reset_index(drop=True)
    if "locality" in covariates and "locality" not in data.columns and "district" in data.columns:
        from toolkit.places import with_locality

        data = with_locality(data)
    absent = [c for c in covariates if c not in data.columns]
    if absent:
        raise ValueError(f"newdata has no column(s) {', '.join(absent)}")
    num = dmr["numeric"]
    cats = [c for c in covariates if num is None or c != num["name"]]
    coef = np.asarray(dmr["coef"], dtype=float)
    log_prior = _design(data, cats, dmr["levels"], num, list(dmr["terms"])) @ coef.T
    log_prior -= log_prior.max(axis=1, keepdims=True)
    prevalence = np.exp(log_prior)
    prevalence /= prevalence.sum(axis=1, keepdims=True)
    m, k = prevalence.shape
    labels = list(getattr(result, "topic_labels_", default_labels(k)))
    out = newdata.reset_index(drop=True).loc[np.repeat(np.arange(m), k)].reset_index(drop=True)
    out["topic"] = np.tile(np.arange(k), m)
    out["label"] = np.tile(labels, m)
    out["estimate"] = prevalence.ravel()
    out["uncertainty"] = NO_UNCERTAINTY
    return out
