"""Covariate effects on topic prevalence (Python's answer to stm's ``estimateEffect``).

A fitted topic model gives, for every document, an approximate posterior over
its topic proportions θ (gensim's variational Dirichlet γ). Regressing the
point estimates of θ on document metadata would ignore that θ is itself
uncertain. The *method of composition* (Tanner 1996; Roberts, Stewart & Tingley
2019, stm's ``estimateEffect``) propagates it:

1. draw θ for every document from its posterior;
2. regress each topic's θ on the design matrix (OLS);
3. draw coefficients from their sampling distribution N(β̂, V̂);
4. repeat and pool all coefficient draws: the estimate is their mean, the
   interval their percentiles.

The design matrix comes from a patsy formula, so categorical terms
(``C(locality)``: the district of its province, see
:func:`toolkit.places.locality_key`), numeric terms (``year``), splines (``bs(year, df=3)``,
``cr(year, df=4)``) and interactions (``C(province) * year``) all work.

Every function here computes on in-memory objects and returns a tidy
:class:`pandas.DataFrame`; nothing reads or writes files.

The fitted result only needs the attributes ``doc_topic_`` (D × K),
``doc_topic_concentration_`` (D × K Dirichlet parameters of each document's
posterior), ``topic_labels_`` and optionally a method
``sample_doc_topic(n_draws, random_state)``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

logger = logging.getLogger("toolkit.topics.effects")

__all__ = [
    "draw_doc_topic",
    "estimate_effects",
    "predict_prevalence",
    "prevalence_by_group",
    "contrast",
    "topic_labels",
]

#: Upper bound on the floats of one chunk of θ draws held in memory at once.
_CHUNK_FLOATS = 20_000_000
_COV_TYPES = ("classical", "HC0", "HC1")


# ---------------------------------------------------------------------------
# Small shared helpers (also used by inspect, timeseries and browser)
# ---------------------------------------------------------------------------


def _rng(random_state: Any) -> np.random.Generator:
    """Normalize ``random_state`` (None, int, SeedSequence, Generator, RandomState) once."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    return np.random.default_rng(random_state)


def topic_labels(result) -> list[str]:
    """The topic labels of ``result`` (``topic_labels_``), or ``"Topic 1"``, ... when absent."""
    if getattr(result, "topic_word_", None) is not None:
        k = np.asarray(result.topic_word_).shape[0]
    else:
        k = np.asarray(result.doc_topic_).shape[1]
    labels = getattr(result, "topic_labels_", None)
    if labels is None or len(labels) != k:
        return [f"Topic {i + 1}" for i in range(k)]
    return [str(x) for x in labels]


def _doc_topic(result) -> np.ndarray:
    theta = np.asarray(result.doc_topic_, dtype=float)
    if theta.ndim != 2:
        raise ValueError(f"doc_topic_ must be 2-D (documents × topics), got shape {theta.shape}")
    return theta


def _resolve_topics(result, topics) -> np.ndarray:
    """Topic indices (0-based) from ``None`` (all), indices or labels."""
    n_topics = _doc_topic(result).shape[1]
    if topics is None:
        return np.arange(n_topics)
    if isinstance(topics, (int, np.integer, str)):
        topics = [topics]
    labels = topic_labels(result)
    out = []
    for t in topics:
        if isinstance(t, str):
            if t not in labels:
                raise ValueError(f"unknown topic label {t!r}; known: {labels}")
            out.append(labels.index(t))
        else:
            t = int(t)
            if not 0 <= t < n_topics:
                raise ValueError(f"topic index {t} out of range 0..{n_topics - 1}")
            out.append(t)
    return np.array(sorted(set(out)), dtype=int)


def _check_ci(ci: float) -> tuple[float, float]:
    if not 0 < ci < 1:
        raise ValueError(f"ci must be in (0, 1), got {ci}")
    return (1 - ci) / 2, 1 - (1 - ci) / 2


def _prepare_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` that patsy understands, with a 0..n-1 index.

    Nullable integer/float/boolean columns become float64 with NaN; string
    columns become object columns with ``None`` for missing values. Empty
    strings count as missing (the document table stores an unknown district as
    ``""``).
    """
    out = df.reset_index(drop=True).copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            continue
        if pd.api.types.is_bool_dtype(s.dtype) and not s.isna().any():
            out[col] = s.astype(bool)
        elif pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            out[col] = pd.to_numeric(s, errors="coerce").astype("float64")
        elif pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
            values = [None if (v is None or v is pd.NA or (isinstance(v, float) and v != v)
                               or (isinstance(v, str) and v == "")) else v for v in s.tolist()]
            out[col] = pd.Series(np.array(values, dtype=object), index=out.index, dtype=object)
    return out


def draw_doc_topic(result, n_draws: int, random_state=None) -> np.ndarray:
    """Draw document-topic proportions θ from each document's approximate posterior.

    Uses ``result.sample_doc_topic(n_draws, random_state)`` when the result has
    it; otherwise draws ``Dirichlet(doc_topic_concentration_[d])`` for every
    document (via normalized Gamma variates, which is exactly a Dirichlet draw).

    Parameters
    ----------
    result : fitted topic model
        Needs ``doc_topic_concentration_`` (D × K) unless it has
        ``sample_doc_topic``. Without either, the point estimate ``doc_topic_``
        is repeated (no posterior uncertainty) and a warning is logged.
    n_draws : int
        Number of draws.
    random_state : int, numpy Generator or None
        Seed of the draws.

    Returns
    -------
    numpy.ndarray of shape (n_draws, D, K)
        Each ``[i, d]`` is a probability vector.
    """
    n_draws = int(n_draws)
    if n_draws < 1:
        raise ValueError("n_draws must be at least 1")
    if hasattr(result, "sample_doc_topic") and callable(result.sample_doc_topic):
        seed = random_state
        if isinstance(random_state, np.random.Generator):
            seed = int(random_state.integers(2**32))
        draws = np.asarray(result.sample_doc_topic(n_draws, seed), dtype=float)
        if draws.ndim != 3 or draws.shape[0] != n_draws:
            raise ValueError(f"sample_doc_topic returned shape {draws.shape}, expected ({n_draws}, D, K)")
        return draws
    rng = _rng(random_state)
    alpha = getattr(result, "doc_topic_concentration_", None)
    if alpha is None:
        logger.warning("result has no doc_topic_concentration_: using the point estimate doc_topic_ for every draw")
        theta = _doc_topic(result)
        return np.broadcast_to(theta, (n_draws,) + theta.shape).copy()
    alpha = np.asarray(alpha, dtype=float)
    alpha = np.where(np.isfinite(alpha) & (alpha > 0), alpha, 1e-12)
    gam = rng.standard_gamma(np.broadcast_to(alpha, (n_draws,) + alpha.shape))
    total = gam.sum(axis=2, keepdims=True)
    # A draw underflowing to all zeros (tiny concentrations) falls back to the mean.
    mean = alpha / alpha.sum(axis=1, keepdims=True)
    bad = ~(total > 0)
    out = np.divide(gam, total, out=np.zeros_like(gam), where=~bad)
    if bad.any():
        out = np.where(bad, mean[None], out)
    return out


def _iter_draws(result, n_draws: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Yield ``n_draws`` θ draws (each D × K), a memory-bounded chunk at a time."""
    n_docs, n_topics = _doc_topic(result).shape
    chunk = max(1, _CHUNK_FLOATS // max(1, n_docs * n_topics))
    done = 0
    while done < n_draws:
        size = min(chunk, n_draws - done)
        seed = int(rng.integers(2**32))
        block = draw_doc_topic(result, size, seed)
        if block.shape[1:] != (n_docs, n_topics):
            raise ValueError(f"θ draws have shape {block.shape[1:]}, doc_topic_ has {(n_docs, n_topics)}")
        yield from block
        done += size


# ---------------------------------------------------------------------------
# Design matrices
# ---------------------------------------------------------------------------


def _formula_variables(formula: str) -> list[str]:
    """Names referenced by the factors of a patsy formula (``C(locality)`` → ``locality``)."""
    import ast

    import patsy

    names: set[str] = set()
    desc = patsy.ModelDesc.from_formula(formula)
    for term in desc.lhs_termlist + desc.rhs_termlist:
        for factor in term.factors:
            try:
                tree = ast.parse(factor.name(), mode="eval")
            except SyntaxError:
                continue
            names.update(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))
    return sorted(names)


def _with_formula_columns(metadata: pd.DataFrame, formula: str, *, warn: bool = True) -> pd.DataFrame:
    """``metadata`` with ``locality`` derived from province/district when the formula uses it and it lacks it.

    A formula on ``district`` itself is kept as written, with a warning when
    district names repeat across provinces (they become one level).
    """
    from toolkit.places import with_locality

    names = _formula_variables(formula if "~" in formula else "~ " + formula)
    if "locality" in names and "locality" not in metadata.columns and "district" in metadata.columns:
        metadata = with_locality(metadata)
    if warn and "district" in names and {"province", "district"} <= set(metadata.columns):
        pairs = metadata[["province", "district"]].astype("string").fillna("")
        pairs = pairs[(pairs["province"] != "") & (pairs["district"] != "")].drop_duplicates()
        shared = sorted(pairs.loc[pairs["district"].duplicated(keep=False), "district"].unique())
        if shared:
            logger.warning("the formula's district merges same-named districts of different provinces (%s); "
                           "write C(locality) to keep them apart", ", ".join(shared[:5]) + (", …" if len(shared) > 5 else ""))
    return metadata


class _Design:
    """A patsy design matrix restricted to complete rows, with identifiability checks."""

    def __init__(self, formula: str, metadata: pd.DataFrame, n_docs: int):
        import patsy

        if "~" not in formula:
            formula = "~ " + formula
        if formula.split("~", 1)[0].strip():
            raise ValueError(f"formula must be one-sided (no response): {formula!r}")
        if len(metadata) != n_docs:
            raise ValueError(f"metadata has {len(metadata)} rows but the model has {n_docs} documents; "
                             "rows must be aligned with the model's documents")
        metadata = _with_formula_columns(metadata, formula)
        used = [c for c in _formula_variables(formula) if c in metadata.columns]
        frame = _prepare_frame(metadata[used] if used else metadata)
        # Drop incomplete rows before patsy sees them: stateful transforms such
        # as bs() would otherwise compute their knots from NaN.
        frame = frame.loc[frame[used].notna().all(axis=1)] if used else frame
        design = patsy.dmatrix(formula, frame, return_type="dataframe", NA_action="drop")
        self.formula = formula
        self.design_info = design.design_info
        self.rows = design.index.to_numpy(dtype=int)
        n_dropped = n_docs - len(self.rows)
        if n_dropped:
            logger.warning("%d of %d documents have missing covariates and are left out", n_dropped, n_docs)
        X = design.to_numpy(dtype=float)
        columns = list(design.columns)
        empty = ~np.any(X != 0, axis=0)
        if empty.any():
            logger.warning("dropping all-zero design columns (levels without documents): %s",
                           [c for c, e in zip(columns, empty) if e])
        self.keep = ~empty
        X = X[:, self.keep]
        self.columns = [c for c, k in zip(columns, self.keep) if k]
        n, p = X.shape
        if n <= p:
            raise ValueError(f"{n} documents with complete covariates for {p} coefficients: too few")
        rank = np.linalg.matrix_rank(X)
        if rank < p:
            raise ValueError(f"design matrix of {formula!r} is rank deficient (rank {rank} < {p} columns "
                             f"{self.columns}); remove collinear terms (with an intercept, write cr()/cc() splines as "
                             "cr(year, df=3, constraints='center'))")
        self.X = X
        q, r = np.linalg.qr(X)
        self.q = q
        r_inv = np.linalg.solve(r, np.eye(p))
        self.xtx_inv = r_inv @ r_inv.T
        self.r_inv = r_inv

    def new(self, newdata: pd.DataFrame) -> np.ndarray:
        import patsy

        frame = _prepare_frame(newdata)
        (mat,) = patsy.build_design_matrices([self.design_info], frame, return_type="dataframe", NA_action="raise")
        return mat.to_numpy(dtype=float)[:, self.keep]


def _coef_draws(design: _Design, theta: np.ndarray, n_coef_draws: int, cov_type: str,
                rng: np.random.Generator) -> np.ndarray:
    """OLS of every column of ``theta`` (n × K) on the design, then ``n_coef_draws``
    draws of the coefficients from N(β̂, V̂). Returns (n_coef_draws, p, K)."""
    X = design.X
    n, p = X.shape
    beta = design.r_inv @ (design.q.T @ theta)  # p × K
    resid = theta - X @ beta
    k = theta.shape[1]
    z = rng.standard_normal((n_coef_draws, p, k))
    if cov_type == "classical":
        sigma = np.sqrt((resid**2).sum(axis=0) / (n - p))  # K
        chol = _psd_sqrt(design.xtx_inv)
        return beta[None] + np.einsum("ij,cjk->cik", chol, z) * sigma[None, None, :]
    scale = n / (n - p) if cov_type == "HC1" else 1.0
    out = np.empty((n_coef_draws, p, k))
    bread = design.xtx_inv
    for j in range(k):
        xe = X * resid[:, j : j + 1]
        cov = scale * bread @ (xe.T @ xe) @ bread
        out[:, :, j] = beta[None, :, j] + z[:, :, j] @ _psd_sqrt(cov).T
    return out


def _psd_sqrt(cov: np.ndarray) -> np.ndarray:
    """A matrix L with L Lᵀ = cov (Cholesky, or eigen-decomposition when singular)."""
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh((cov + cov.T) / 2)
        return v * np.sqrt(np.clip(w, 0, None))


def _composition(result, design: _Design, topics: np.ndarray, n_draws: int, n_coef_draws: int,
                 cov_type: str, rng: np.random.Generator) -> np.ndarray:
    """All pooled coefficient draws: (n_draws · n_coef_draws, p, len(topics))."""
    if cov_type not in _COV_TYPES:
        raise ValueError(f"cov_type must be one of {_COV_TYPES}, got {cov_type!r}")
    if n_coef_draws < 1:
        raise ValueError("n_coef_draws must be at least 1")
    pooled = []
    for theta in _iter_draws(result, n_draws, rng):
        pooled.append(_coef_draws(design, theta[design.rows][:, topics], n_coef_draws, cov_type, rng))
    return np.concatenate(pooled, axis=0)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def estimate_effects(
    result,
    metadata: pd.DataFrame,
    formula: str = "~ C(locality) + bs(year, df=3)",
    *,
    topics: Sequence[int | str] | None = None,
    n_draws: int = 50,
    n_coef_draws: int = 10,
    cov_type: str = "classical",
    random_state=None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Regress topic prevalence on document covariates by the method of composition.

    For each of ``n_draws`` draws of every document's topic proportions θ from
    its posterior, θ_k is regressed (OLS) on the design matrix of ``formula``,
    and ``n_coef_draws`` coefficient vectors are drawn from N(β̂, V̂). The pooled
    draws give the estimate (mean), standard error (standard deviation) and a
    percentile interval, so both the regression's sampling error and the
    uncertainty of θ enter the interval — as stm's ``estimateEffect``.

    Coefficients are on the θ scale: a coefficient of 0.05 on
    ``C(locality)[T.X]`` means documents of locality X (a district of its
    province, "Huyện Châu Thành, Bến Tre") devote on average five
    percentage points more of their words to the topic than the reference
    locality, other covariates held fixed.

    Parameters
    ----------
    result : fitted topic model
        See the module docstring.
    metadata : DataFrame
        One row per document of ``result``, in the same order (the index is
        ignored). Columns referenced by ``formula`` (``locality``, ``year``,
        ...); ``locality`` is derived from ``province`` and ``district``
        when absent. Documents with a missing covariate (NaN, None or
        ``""``) are left out of the regression.
    formula : str
        One-sided patsy formula, e.g. ``"~ C(locality) + year"``,
        ``"~ C(province) * year"``, ``"~ bs(year, df=3)"``. ``C(district)``
        makes same-named districts of different provinces one level (a
        warning says so); ``C(locality)`` keeps them apart.
    topics : sequence of int or str, optional
        Topic indices (0-based) or labels; default all.
    n_draws : int
        Posterior draws of θ.
    n_coef_draws : int
        Coefficient draws per θ draw (stm uses 1; more smooths the percentiles
        at no cost in θ draws).
    cov_type : {"classical", "HC0", "HC1"}
        OLS covariance: homoskedastic (stm's choice) or White
        heteroskedasticity-consistent.
    random_state : int, numpy Generator or None
        Seed of all draws.
    ci : float
        Coverage of the interval.

    Returns
    -------
    DataFrame
        Columns ``topic`` (0-based index), ``label``, ``term`` (design column
        name, e.g. ``Intercept``, ``C(locality)[T.Huyện Ba Vì, Hà Nội]``, ``year``),
        ``estimate``, ``std_error``, ``ci_low``, ``ci_high``; sorted by topic,
        then term in design-matrix order. ``attrs`` records the formula,
        number of documents used and draws.

    Examples
    --------
    >>> effects = estimate_effects(result, documents[["locality", "year"]],
    ...                            "~ C(locality) + year", n_draws=25, random_state=0)  # doctest: +SKIP
    >>> effects.query("term == 'year'")  # doctest: +SKIP
    """
    rng = _rng(random_state)
    lo, hi = _check_ci(ci)
    theta = _doc_topic(result)
    topic_idx = _resolve_topics(result, topics)
    design = _Design(formula, metadata, theta.shape[0])
    draws = _composition(result, design, topic_idx, n_draws, n_coef_draws, cov_type, rng)
    labels = topic_labels(result)
    p = len(design.columns)
    est = draws.mean(axis=0)
    se = draws.std(axis=0, ddof=1) if draws.shape[0] > 1 else np.full(est.shape, np.nan)
    q_lo, q_hi = np.quantile(draws, [lo, hi], axis=0)
    out = pd.DataFrame({
        "topic": np.repeat(topic_idx, p),
        "label": np.repeat([labels[t] for t in topic_idx], p),
        "term": np.tile(design.columns, len(topic_idx)),
        "estimate": est.T.ravel(),
        "std_error": se.T.ravel(),
        "ci_low": q_lo.T.ravel(),
        "ci_high": q_hi.T.ravel(),
    })
    out.attrs.update(formula=design.formula, n_docs=int(len(design.rows)), n_draws=int(n_draws),
                     n_coef_draws=int(n_coef_draws), cov_type=cov_type, ci=float(ci))
    return out


def _predict_draws(result, metadata, formula, newdata, topics, n_draws, n_coef_draws, cov_type, rng):
    theta = _doc_topic(result)
    topic_idx = _resolve_topics(result, topics)
    design = _Design(formula, metadata, theta.shape[0])
    x_new = design.new(newdata)
    draws = _composition(result, design, topic_idx, n_draws, n_coef_draws, cov_type, rng)
    return topic_idx, np.einsum("mp,spk->smk", x_new, draws)  # (S, m, K)


def predict_prevalence(
    result,
    metadata: pd.DataFrame,
    formula: str,
    newdata: pd.DataFrame,
    *,
    topics: Sequence[int | str] | None = None,
    n_draws: int = 50,
    n_coef_draws: int = 10,
    cov_type: str = "classical",
    random_state=None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Expected topic prevalence at given covariate values, by the method of composition.

    The model of :func:`estimate_effects` is fitted, and for every row of
    ``newdata`` (e.g. every locality × year) the predicted θ_k = x β is pooled
    over the coefficient draws.

    Parameters
    ----------
    result, metadata, formula, topics, n_draws, n_coef_draws, cov_type, random_state, ci
        As in :func:`estimate_effects`.
    newdata : DataFrame
        Covariate values to predict at; needs every column of ``formula``.
        Levels of categorical terms must occur in ``metadata``; spline terms
        must stay inside the observed range.

    Returns
    -------
    DataFrame
        The columns of ``newdata``, then ``topic``, ``label``, ``estimate``,
        ``ci_low``, ``ci_high``; sorted by the row order of ``newdata``, then
        topic. Predictions are on the θ scale and are not clipped to [0, 1].
    """
    rng = _rng(random_state)
    lo, hi = _check_ci(ci)
    topic_idx, pred = _predict_draws(result, metadata, formula, newdata, topics, n_draws, n_coef_draws, cov_type, rng)
    labels = topic_labels(result)
    m, k = pred.shape[1], pred.shape[2]
    q_lo, q_hi = np.quantile(pred, [lo, hi], axis=0)
    base = newdata.reset_index(drop=True).loc[np.repeat(np.arange(m), k)].reset_index(drop=True)
    base["topic"] = np.tile(topic_idx, m)
    base["label"] = [labels[t] for t in base["topic"]]
    base["estimate"] = pred.mean(axis=0).ravel()
    base["ci_low"] = q_lo.ravel()
    base["ci_high"] = q_hi.ravel()
    base.attrs.update(formula=formula, n_draws=int(n_draws), ci=float(ci))
    return base


def _typical_value(s: pd.Series):
    s = s.dropna()
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return float(s.median())
    counts = s.value_counts()
    top = counts[counts == counts.max()].index
    return sorted(top, key=str)[0]


def contrast(
    result,
    metadata: pd.DataFrame,
    formula: str,
    variable: str,
    value_a,
    value_b,
    *,
    at: dict[str, Any] | None = None,
    topics: Sequence[int | str] | None = None,
    n_draws: int = 50,
    n_coef_draws: int = 10,
    cov_type: str = "classical",
    random_state=None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Difference in expected prevalence between two values of one covariate.

    Like stm's ``plot.estimateEffect(method = "difference")``: prevalence at
    ``variable = value_b`` minus prevalence at ``variable = value_a``, with the
    other covariates of the formula held at ``at`` or, if not given, at their
    median (numeric) or most frequent value (categorical). The difference is
    computed within every pooled draw, so its interval accounts for the
    correlation of the two predictions.

    Returns
    -------
    DataFrame
        Columns ``topic``, ``label``, ``variable``, ``value_a``, ``value_b``,
        ``estimate``, ``ci_low``, ``ci_high``; sorted by topic.
    """
    rng = _rng(random_state)
    lo, hi = _check_ci(ci)
    metadata = _with_formula_columns(metadata, formula, warn=False)  # _Design warns
    frame = _prepare_frame(metadata)
    at = dict(at or {})
    row = {}
    for col in frame.columns:
        if col == variable:
            continue
        row[col] = at[col] if col in at else _typical_value(frame[col]) if frame[col].notna().any() else None
    newdata = pd.DataFrame([{**row, variable: value_a}, {**row, variable: value_b}])
    if variable not in metadata.columns:
        raise ValueError(f"{variable!r} is not a column of metadata")
    newdata = newdata[[c for c in metadata.columns if c in newdata.columns]]
    topic_idx, pred = _predict_draws(result, metadata, formula, newdata, topics, n_draws, n_coef_draws, cov_type, rng)
    diff = pred[:, 1, :] - pred[:, 0, :]
    labels = topic_labels(result)
    q_lo, q_hi = np.quantile(diff, [lo, hi], axis=0)
    return pd.DataFrame({
        "topic": topic_idx,
        "label": [labels[t] for t in topic_idx],
        "variable": variable,
        "value_a": [value_a] * len(topic_idx),
        "value_b": [value_b] * len(topic_idx),
        "estimate": diff.mean(axis=0),
        "ci_low": q_lo,
        "ci_high": q_hi,
    })


def prevalence_by_group(
    result,
    metadata: pd.DataFrame,
    by: str | Sequence[str] = ("district", "year"),
    *,
    topics: Sequence[int | str] | None = None,
    n_draws: int = 50,
    random_state=None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Mean topic proportion per group, with intervals from posterior draws and a bootstrap.

    The point estimate is the mean of the documents' posterior-mean θ
    (``doc_topic_``) within each group. For the interval, each of ``n_draws``
    replicates draws θ for every document from its posterior *and* reweights
    the documents of each group by a Bayesian bootstrap (Rubin 1981:
    Dirichlet(1, …, 1) weights within the group, i.e. normalized Exp(1)
    variates); the interval is the percentile interval of the replicate means.
    It thus reflects both the uncertainty of θ and which documents happened to
    be written.

    Parameters
    ----------
    result : fitted topic model
    metadata : DataFrame
        One row per document of ``result``, in the same order.
    by : str or sequence of str
        Grouping columns; ``()`` gives the corpus-wide prevalence. Documents
        with a missing value (NaN, None, ``""``) in a grouping column are left
        out. ``district`` is qualified by its province: it stands for
        ``province, district, locality`` (:func:`toolkit.places.place_columns`),
        so same-named districts of different provinces are two groups; a
        document is then left out only when its locality is unknown (a
        known province with an unknown district is the group of that
        province, as in :func:`toolkit.themes.shares.theme_shares`).
    topics, n_draws, random_state, ci
        As in :func:`estimate_effects`.

    Returns
    -------
    DataFrame
        Columns ``<by>...``, ``topic``, ``label``, ``n_docs``, ``prevalence``,
        ``ci_low``, ``ci_high``. Every combination of the observed levels of
        the ``by`` columns appears, except that place columns (``province``,
        ``district``, ``locality``, ``province_2025``) keep their observed
        combinations (a district lies in one province); combinations without documents have
        ``n_docs`` 0 and missing prevalence and interval. Sorted by the ``by``
        columns, then topic. With a single document in a group the interval
        reflects only the uncertainty of θ.
    """
    rng = _rng(random_state)
    lo, hi = _check_ci(ci)
    from toolkit.places import PLACE_COLUMNS, qualify_grouping

    metadata, by = qualify_grouping(metadata, [by] if isinstance(by, str) else list(by))
    theta = _doc_topic(result)
    n_docs_total = theta.shape[0]
    if len(metadata) != n_docs_total:
        raise ValueError(f"metadata has {len(metadata)} rows but the model has {n_docs_total} documents")
    missing = [c for c in by if c not in metadata.columns]
    if missing:
        raise ValueError(f"grouping columns not in metadata: {missing}")
    topic_idx = _resolve_topics(result, topics)
    labels = topic_labels(result)
    frame = metadata[by].reset_index(drop=True).copy()
    # Grouped by locality, an unknown province or district is part of the
    # locality ("Bến Tre": district unknown), not a missing value.
    described = {"province", "district"} if "locality" in by else set()
    for col in by:
        s = frame[col]
        if col in described:
            frame[col] = s.fillna("").astype(str)
        elif pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
            frame[col] = s.where(s.astype(str).ne("") & s.notna())
    complete = frame.notna().all(axis=1).to_numpy() if by else np.ones(n_docs_total, bool)
    if (~complete).any():
        logger.warning("%d documents have a missing %s and are left out", int((~complete).sum()), "/".join(by))
    rows = np.flatnonzero(complete)

    if by:
        observed = frame.loc[rows, by]
        places = [c for c in by if c in PLACE_COLUMNS]
        blocks = [observed[places].drop_duplicates()] if places else []
        blocks += [observed[[c]].drop_duplicates() for c in by if c not in places]
        grid = blocks[0]
        for block in blocks[1:]:
            grid = grid.merge(block, how="cross")
        full = pd.MultiIndex.from_frame(grid[by].sort_values(by, kind="mergesort", ignore_index=True))
        codes = pd.MultiIndex.from_frame(frame.loc[rows, by]) if len(rows) else full[:0]
        group = full.get_indexer(codes)
        n_groups = len(full)
    else:
        full = None
        group = np.zeros(len(rows), dtype=int)
        n_groups = 1

    counts = np.bincount(group, minlength=n_groups).astype(float)
    point = _group_sums(group, theta[rows][:, topic_idx], n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        point = point / counts[:, None]

    reps = np.empty((n_draws, n_groups, len(topic_idx)))
    for i, draw in enumerate(_iter_draws(result, n_draws, rng)):
        w = rng.standard_exponential(len(rows))
        sums = _group_sums(group, draw[rows][:, topic_idx] * w[:, None], n_groups)
        wsum = np.bincount(group, weights=w, minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            reps[i] = sums / wsum[:, None]
    q_lo, q_hi = np.quantile(reps, [lo, hi], axis=0) if n_draws else (point * np.nan, point * np.nan)

    k = len(topic_idx)
    if by:
        keys = full.to_frame(index=False)
        out = keys.loc[np.repeat(np.arange(n_groups), k)].reset_index(drop=True)
    else:
        out = pd.DataFrame(index=range(k))
    out["topic"] = np.tile(topic_idx, n_groups)
    out["label"] = [labels[t] for t in out["topic"]]
    out["n_docs"] = np.repeat(counts.astype(int), k)
    empty = np.repeat(counts == 0, k)
    out["prevalence"] = np.where(empty, np.nan, point.ravel())
    out["ci_low"] = np.where(empty, np.nan, q_lo.ravel())
    out["ci_high"] = np.where(empty, np.nan, q_hi.ravel())
    out.attrs.update(n_draws=int(n_draws), ci=float(ci), by=list(by))
    return out


def _group_sums(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    return np.column_stack([np.bincount(group, weights=values[:, j], minlength=n_groups)
                            for j in range(values.shape[1])]) if values.shape[1] else np.zeros((n_groups, 0))
