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

:class:`TopicEffects` does this once per fit and keeps the pooled coefficient
draws; its :meth:`~TopicEffects.table` (the effects table),
:meth:`~TopicEffects.predict` (prevalence at given covariate values) and
:meth:`~TopicEffects.contrast` (the difference between two values of one
covariate) read them. :func:`estimate_effects` is the one-call verb for the
table. Metadata is matched to the model's documents by ``doc_id``
(``result.doc_ids``), never by row position.

Inside each draw the OLS covariance is classical (stm's), White (HC0/HC1) or
cluster-robust (CR1, ``cluster=``): documents of one locality or portal share
authors, templates and campaigns, and treating them as independent makes
intervals too narrow.

Fitted on several refits of one model (``fit([r0, r1, r2], metadata)``,
``uncertainty="global"``), the draws of every refit are stacked after its
topics are matched to the reference's (:func:`toolkit.topics.uncertainty.match_refits`),
so the intervals also carry the spread between seeds.

The design matrix comes from a patsy formula, so categorical terms
(``C(locality)``: the district of its province, see
:func:`toolkit.places.locality_key`), numeric terms (``year``), splines (``bs(year, df=3)``,
``cr(year, df=4)``) and interactions (``C(province) * year``) all work.

Every function here computes on in-memory objects and returns a tidy
:class:`pandas.DataFrame`; nothing reads or writes files.

The fitted result only needs the attributes ``doc_topic_`` (D × K),
``doc_ids`` (D document ids), ``doc_topic_concentration_`` (D × K Dirichlet
parameters of each document's posterior), ``topic_labels_`` and optionally a
method ``sample_doc_topic(n_draws, random_state)``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

logger = logging.getLogger("toolkit.topics.effects")

__all__ = [
    "COV_TYPES",
    "TopicEffects",
    "draw_doc_topic",
    "estimate_effects",
    "prevalence_by_group",
    "topic_labels",
]

#: Upper bound on the floats of one chunk of θ draws held in memory at once.
_CHUNK_FLOATS = 20_000_000
#: The coefficient covariances `effects` accepts (`cov_type=`, `--cov-type`).
COV_TYPES = ("classical", "HC0", "HC1", "CR1")
_UNCERTAINTIES = ("auto", "document", "global")
#: Below this many clusters CR1 intervals are known to be too narrow (Cameron & Miller 2015): a warning says so.
_FEW_CLUSTERS = 20


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


def _whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Complete float columns of whole numbers as integers: ``C(year)`` levels read ``2020``, not ``2020.0``.

    The document table's ``year`` is a float column (an undated document is
    NaN); once the incomplete rows are gone its values are whole years.
    Numeric terms (``year``, ``bs(year, df=3)``) compute the same on either.
    """
    out = frame
    for col in frame.columns:
        s = frame[col]
        if s.dtype == "float64" and len(s) and s.notna().all() and bool(np.all(np.mod(s.to_numpy(), 1) == 0)) \
                and bool(np.all(np.abs(s.to_numpy()) < 2 ** 53)):
            out = out.assign(**{col: s.astype("int64")})
    return out


def draw_doc_topic(result, n_draws: int, random_state=0) -> np.ndarray:
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
    random_state : int or numpy Generator
        Seed of the draws (default 0).

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


#: A level of a categorical covariate with fewer documents than this gets a warning: its coefficient (or, for the
#: reference level, the intercept every other level is compared with) rests on a handful of documents, and robust
#: (HC, CR) variances computed from so few residuals can be near zero when those documents agree.
MIN_LEVEL_DOCS = 5


def _small_levels(design_info, frame: pd.DataFrame) -> list[tuple[str, str, int, bool]]:
    """``(variable, level, n_documents, is_reference)`` of every categorical level with fewer than
    :data:`MIN_LEVEL_DOCS` documents among the rows used."""
    out = []
    for factor, info in design_info.factor_infos.items():
        if info.type != "categorical":
            continue
        try:
            values = factor.eval(info.state, frame)
        except Exception:  # noqa: BLE001 - a factor patsy evaluated already; counting is best effort
            continue
        values = getattr(values, "data", values)  # C(x) evaluates to a box around the values
        counts = pd.Series(np.asarray(values).ravel()).value_counts()
        reference = _reference_level(design_info, factor, info)
        for level in info.categories:
            n = int(counts.get(level, 0))
            if 0 < n < MIN_LEVEL_DOCS:
                name = re.match(r"^C\(\s*([^,)\s]+)", factor.name())
                out.append((name.group(1) if name else factor.name(), _level_text(level), n, level == reference))
    return out


def _reference_level(design_info, factor, info):
    """The level every other level of ``factor`` is compared with: the one its contrast has no column of
    (``C(year, Treatment(reference=2021))`` → 2021, plain ``C(year)`` → the first); ``None`` when every level has a
    column (no intercept) or the coding compares otherwise."""
    for subterms in design_info.term_codings.values():
        for subterm in subterms:
            matrix = subterm.contrast_matrices.get(factor)
            if matrix is None:
                continue
            shown = set(matrix.column_suffixes)
            missing = [level for level in info.categories if f"[T.{level}]" not in shown]
            return missing[0] if len(missing) == 1 and len(shown) == len(info.categories) - 1 else None
    return None


def _level_text(level) -> str:
    """A level as written: ``2019`` for a whole-number float."""
    if isinstance(level, float) and level.is_integer():
        return str(int(level))
    return str(level)


class _Design:
    """A patsy design matrix restricted to complete rows, with identifiability checks."""

    def __init__(self, formula: str, metadata: pd.DataFrame, clusters: pd.Series | None = None):
        """``metadata``: one row per document of the model, in its row order (see :func:`_aligned_metadata`)."""
        import patsy

        n_docs = len(metadata)
        metadata = _with_formula_columns(metadata, formula)
        used = [c for c in _formula_variables(formula) if c in metadata.columns]
        frame = _prepare_frame(metadata[used] if used else metadata)
        # Drop incomplete rows before patsy sees them: stateful transforms such
        # as bs() would otherwise compute their knots from NaN.
        frame = _whole_numbers(frame.loc[frame[used].notna().all(axis=1)] if used else frame)
        try:
            design = patsy.dmatrix(formula, frame, return_type="dataframe", NA_action="drop")
        except patsy.PatsyError as exc:  # an unknown column or function: say which, with the columns there are
            raise ValueError(f"formula {formula!r}: {exc} (metadata columns: "
                             f"{sorted(map(str, metadata.columns))})") from exc
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
        self.small_levels = _small_levels(design.design_info, frame.loc[design.index])
        q, r = np.linalg.qr(X)
        self.q = q
        r_inv = np.linalg.solve(r, np.eye(p))
        self.xtx_inv = r_inv @ r_inv.T
        self.r_inv = r_inv
        self.cluster_matrix = None
        self.n_clusters = None
        if clusters is not None:
            self._set_clusters(clusters)

    def _set_clusters(self, clusters: pd.Series) -> None:
        """The G × n indicator matrix of the clusters of the rows used; a missing value is its own cluster."""
        import scipy.sparse as sp

        values = pd.Series(clusters).reset_index(drop=True).iloc[self.rows]
        known = values.notna() & values.astype("string").fillna("").ne("")
        keys = np.where(known.to_numpy(), values.astype(str).to_numpy(dtype=object),
                        np.array([f"\x00row {r}" for r in range(len(values))], dtype=object))
        _, codes = np.unique(keys.astype(str), return_inverse=True)
        n = len(codes)
        self.n_clusters = int(codes.max()) + 1 if n else 0
        if self.n_clusters < 2:
            raise ValueError(f"cluster-robust covariance needs at least 2 clusters, got {self.n_clusters}")
        if (~known).any():
            logger.info("%d documents without a cluster value are clusters of their own", int((~known).sum()))
        self.cluster_matrix = sp.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(self.n_clusters, n))

    def clusters_absorbed(self) -> bool:
        """True when every cluster indicator lies in the column space of the design (fixed effects of it)."""
        # ‖c_g − QQᵀc_g‖² = n_g − ‖Qᵀc_g‖² for the 0/1 indicator c_g of cluster g (Q orthonormal).
        sizes = np.asarray(self.cluster_matrix.sum(axis=1)).ravel()
        projected = np.asarray(self.cluster_matrix @ self.q)
        return bool(np.all(sizes - (projected**2).sum(axis=1) < 1e-8 * sizes))

    def drop_clusters(self) -> None:
        self.cluster_matrix = None
        self.n_clusters = None

    def new(self, newdata: pd.DataFrame) -> np.ndarray:
        import patsy

        frame = _whole_numbers(_prepare_frame(newdata))
        try:
            (mat,) = patsy.build_design_matrices([self.design_info], frame, return_type="dataframe",
                                                 NA_action="raise")
        except patsy.PatsyError as exc:
            raise ValueError(f"cannot evaluate {self.formula!r} at these values: {exc}") from exc
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
    if cov_type == "CR1":
        # Stata's small-sample factor: G/(G−1) · (n−1)/(n−p).
        g = design.n_clusters
        scale = g / (g - 1) * (n - 1) / (n - p)
    else:
        scale = n / (n - p) if cov_type == "HC1" else 1.0
    out = np.empty((n_coef_draws, p, k))
    bread = design.xtx_inv
    for j in range(k):
        xe = X * resid[:, j : j + 1]
        if cov_type == "CR1":
            xe = np.asarray(design.cluster_matrix @ xe)  # G × p sums of the scores within clusters
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
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    if cov_type == "CR1" and design.cluster_matrix is None:
        raise ValueError("cov_type='CR1' needs clusters")
    if n_coef_draws < 1:
        raise ValueError("n_coef_draws must be at least 1")
    pooled = []
    for theta in tqdm(_iter_draws(result, n_draws, rng), total=n_draws, desc="effects draws", unit="draw",
                      disable=None, leave=False):
        pooled.append(_coef_draws(design, theta[design.rows][:, topics], n_coef_draws, cov_type, rng))
    return np.concatenate(pooled, axis=0)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def _typical_value(s: pd.Series):
    s = s.dropna()
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return float(s.median())
    counts = s.value_counts()
    top = counts[counts == counts.max()].index
    return sorted(top, key=str)[0]


# ---------------------------------------------------------------------------
# The effects object
# ---------------------------------------------------------------------------


def _aligned_metadata(result, metadata: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``metadata`` for the model's documents, in the model's row order, matched by ``doc_id``.

    Raises when the result has no ``doc_ids``, ``metadata`` has no (or a
    repeated) ``doc_id``, or a document of the model is not in ``metadata``
    (naming the first missing ids).
    """
    ids = getattr(result, "doc_ids", None)
    if ids is None:
        raise ValueError("the fitted result has no doc_ids; fit it on the token table (fit_lda(tokens, ...)) "
                         "or give fit_lda(..., doc_ids=...) so metadata can be matched by doc_id")
    if not isinstance(metadata, pd.DataFrame):
        raise TypeError(f"metadata must be a DataFrame, got {type(metadata).__name__}")
    if "doc_id" not in metadata.columns:
        raise ValueError("metadata has no doc_id column: rows are matched to the model's documents by doc_id")
    ids = [str(d) for d in ids]
    n_docs = _doc_topic(result).shape[0]
    if len(ids) != n_docs:
        raise ValueError(f"the result has {len(ids)} doc_ids for {n_docs} documents")
    keys = metadata["doc_id"].astype(str)
    repeated = sorted(keys[keys.duplicated()].unique())
    if repeated:
        raise ValueError(f"metadata repeats doc_id {', '.join(repeated[:5])}{', …' if len(repeated) > 5 else ''}")
    index = pd.Index(keys)
    rows = index.get_indexer(ids)
    if (rows < 0).any():
        missing = [d for d, r in zip(ids, rows) if r < 0]
        if getattr(result, "settings_", {}).get("doc_id_source") == "positions":
            hint = ("; the model's doc_ids are row positions (fitted on bare token lists, or saved before ids "
                    "were stored): fit it on the token table, or load it with load_result(..., doc_ids=...)")
        else:
            # dropping rows is the natural way to leave documents out, and the one that cannot work here
            hint = ("; every document of the model needs its row: to leave documents out of the regression, "
                    "keep their rows and set a covariate to NA/missing (documents with a missing covariate "
                    "are left out)")
        raise ValueError(f"{len(missing)} of the model's {n_docs} documents are not in metadata (doc_id "
                         f"{', '.join(missing[:5])}{', …' if len(missing) > 5 else ''}){hint}")
    return metadata.iloc[rows].reset_index(drop=True)


class _MatchedRefit:
    """A refit seen through the reference: its documents in the reference's row order, its topics in the
    order of the reference topics they are matched to."""

    def __init__(self, result, rows: np.ndarray, topics: np.ndarray):
        self._result, self._rows, self._topics = result, rows, topics
        self.doc_topic_ = _doc_topic(result)[rows][:, topics]

    def sample_doc_topic(self, n_draws: int, random_state=None) -> np.ndarray:
        return draw_doc_topic(self._result, n_draws, random_state)[:, self._rows][:, :, self._topics]


def _matched_refits(results: list) -> tuple[list, pd.DataFrame | None]:
    """The reference and every other refit aligned to it (documents by ``doc_id``, topics matched)."""
    if len(results) == 1:
        return results, None
    from toolkit.topics.uncertainty import match_refits

    for m, r in enumerate(results):
        if getattr(r, "topic_word_", None) is None or getattr(r, "vocabulary_", None) is None:
            raise ValueError(f"refit {m} has no topic_word_/vocabulary_: its topics cannot be matched")
    matching = match_refits(results)
    ref_ids = pd.Index([str(d) for d in results[0].doc_ids])
    models = [results[0]]
    for m, r in enumerate(results[1:], start=1):
        ids = getattr(r, "doc_ids", None)
        if ids is None:
            raise ValueError(f"refit {m} has no doc_ids")
        ids = [str(d) for d in ids]
        if len(ids) != _doc_topic(r).shape[0]:
            raise ValueError(f"refit {m} has {len(ids)} doc_ids for {_doc_topic(r).shape[0]} documents")
        rows = pd.Index(ids).get_indexer(ref_ids)
        if (rows < 0).any() or len(ids) != len(ref_ids):
            missing = [d for d, i in zip(ref_ids, rows) if i < 0]
            raise ValueError(f"refit {m} was fitted on other documents than the reference "
                             f"({len(ids)} vs {len(ref_ids)}; not in the refit: {', '.join(missing[:5])}): "
                             "refit on the same token table")
        topics = matching.loc[matching["model"] == m].sort_values("topic")["matched_topic"].to_numpy(dtype=int)
        models.append(_MatchedRefit(r, rows, topics))
    return models, matching


class TopicEffects:
    """Covariate effects on topic prevalence, fitted once and read many ways.

    The estimator of :func:`estimate_effects` as an object (scikit-learn
    style): ``__init__`` only stores the settings; :meth:`fit` validates every
    argument, matches the metadata to the model's documents by ``doc_id``,
    builds the design matrix, draws the topic proportions θ ``n_draws`` times
    and keeps the pooled coefficient draws. :meth:`table`, :meth:`predict` and
    :meth:`contrast` then read those draws: they never draw again, so the
    three agree with each other and with the same ``random_state``.

    Parameters
    ----------
    formula : str
        One-sided patsy formula, e.g. ``"~ C(locality) + year"``,
        ``"~ C(province) * year"``, ``"~ bs(year, df=3)"``. ``locality`` is
        derived from ``province`` and ``district`` when the metadata lacks it.
        ``C(district)`` makes same-named districts of different provinces one
        level (a warning says so); ``C(locality)`` keeps them apart.
    topics : sequence of int or str, optional
        Topic indices (0-based) or labels; default all.
    n_draws : int
        Posterior draws of θ (default 50).
    n_coef_draws : int
        Coefficient draws per θ draw (default 10; stm uses 1; more smooths
        the percentiles at no cost in θ draws).
    cov_type : {"classical", "HC0", "HC1", "CR1"}, optional
        OLS covariance inside each draw: homoskedastic (stm's choice), White
        heteroskedasticity-consistent, or cluster-robust (CR1, clusters from
        ``cluster``). Default: ``"CR1"`` when a cluster column is used, else
        ``"classical"``.
    cluster : str or None
        Column of the metadata whose values are clusters of documents that
        share unmodelled variation (a portal, a locality). ``"auto"``
        (default): ``locality`` (the province-qualified district, derived
        from ``province``/``district`` when absent) when the metadata has it,
        ``cov_type`` is not set to another type, and the formula does not
        absorb it (with ``C(locality)`` fixed effects every locality's
        residuals sum to zero, so its clustered variance would be degenerate;
        the fixed effects take up what the documents of a locality share).
        ``None``: no clustering. A named column must exist. Documents with a
        missing cluster value are clusters of their own.
    uncertainty : {"auto", "document", "global"}
        ``"document"``: the intervals reflect one fitted model (the posterior
        spread of θ and the regression's sampling error, given that model);
        :meth:`fit` takes one result. ``"global"``: :meth:`fit` takes several
        refits of one model at different seeds (e.g.
        :func:`toolkit.topics.uncertainty.refit_models`); each refit's topics
        are matched to the first one's (seeded topics by theme, free topics
        by the Hungarian algorithm on topic-word cosine), the method of
        composition runs on every refit with ``n_draws`` draws, and the
        coefficient draws are stacked, so the intervals also carry the spread
        between seeds. ``"auto"`` (default): ``"global"`` when fitted on
        several results, ``"document"`` on one.
    random_state : int or numpy Generator
        Seed of all draws (default 0; never None, so a reported table is
        reproducible).
    ci : float
        Default coverage of the intervals of :meth:`table`, :meth:`predict`
        and :meth:`contrast` (default 0.95); each takes its own ``ci=`` too.

    Attributes
    ----------
    coef_draws_ : ndarray, shape (n_draws * n_coef_draws, p, n_topics_used)
        The pooled coefficient draws.
    terms_ : list of str
        Design-matrix column names (``Intercept``, ``C(locality)[T.…]``, ``year``...).
    topics_ : ndarray of int
        The topics estimated (0-based), sorted.
    labels_ : list of str
        Their labels.
    variables_ : list of str
        The metadata columns the formula uses.
    doc_ids_ : list of str
        The documents in the regression (complete covariates), in model order.
    typical_ : dict
        Median (numeric) or most frequent value (categorical; ties broken by
        sort order) of every formula variable over those documents: the
        values :meth:`contrast` holds the other covariates at.
    cov_type_ : str
        The covariance used.
    cluster_ : str or None
        The cluster column used; ``n_clusters_`` its number of clusters.
    uncertainty_ : str
        ``"document"`` or ``"global"``; ``n_models_`` the number of refits
        pooled (1 for ``"document"``).
    matching_ : DataFrame or None
        Under ``"global"``: :func:`~toolkit.topics.uncertainty.match_refits`
        of the refits (which topic of every refit was pooled with which
        topic of the reference, and their cosine similarity).

    Examples
    --------
    >>> effects = TopicEffects("~ C(locality) + year", n_draws=25).fit(result, documents)  # doctest: +SKIP
    >>> effects.table().query("term == 'year'")  # doctest: +SKIP
    >>> effects.contrast("year", 2019, 2023)  # doctest: +SKIP
    >>> refits = refit_models(tokens, 12, [0, 1, 2], themes=themes)  # doctest: +SKIP
    >>> TopicEffects("~ C(locality) + year").fit(refits, documents).table()  # global  # doctest: +SKIP
    """

    def __init__(self, formula: str = "~ C(locality) + bs(year, df=3)", *,
                 topics: Sequence[int | str] | None = None, n_draws: int = 50, n_coef_draws: int = 10,
                 cov_type: str | None = None, cluster: str | None = "auto", uncertainty: str = "auto",
                 random_state=0, ci: float = 0.95):
        self.formula = formula
        self.topics = topics
        self.n_draws = n_draws
        self.n_coef_draws = n_coef_draws
        self.cov_type = cov_type
        self.cluster = cluster
        self.uncertainty = uncertainty
        self.random_state = random_state
        self.ci = ci

    # -- fitting ------------------------------------------------------------

    def _check_settings(self) -> str:
        """Validate the settings; return the formula with its ``~``."""
        import patsy

        if not isinstance(self.formula, str) or not self.formula.strip():
            raise ValueError(f"formula must be a non-empty string, got {self.formula!r}")
        formula = self.formula if "~" in self.formula else "~ " + self.formula
        if formula.split("~", 1)[0].strip():
            raise ValueError(f"formula must be one-sided (no response): {self.formula!r}")
        try:
            patsy.ModelDesc.from_formula(formula)
        except patsy.PatsyError as exc:
            raise ValueError(f"formula {self.formula!r} cannot be parsed: {exc}") from exc
        if isinstance(self.n_draws, bool) or int(self.n_draws) != self.n_draws or self.n_draws < 1:
            raise ValueError(f"n_draws must be a positive integer, got {self.n_draws!r}")
        if isinstance(self.n_coef_draws, bool) or int(self.n_coef_draws) != self.n_coef_draws or self.n_coef_draws < 1:
            raise ValueError(f"n_coef_draws must be a positive integer, got {self.n_coef_draws!r}")
        if self.cov_type is not None and self.cov_type not in COV_TYPES:
            raise ValueError(f"cov_type must be one of {COV_TYPES} (or None), got {self.cov_type!r}")
        if self.cov_type == "CR1" and self.cluster is None:
            raise ValueError("cov_type='CR1' needs cluster= (a metadata column)")
        if self.cov_type not in (None, "CR1") and self.cluster not in (None, "auto"):
            raise ValueError(f"cluster={self.cluster!r} asks for clustered errors but cov_type={self.cov_type!r}")
        if self.uncertainty not in _UNCERTAINTIES:
            raise ValueError(f"uncertainty must be one of {_UNCERTAINTIES}, got {self.uncertainty!r}")
        if self.random_state is None:
            raise ValueError("random_state must be given (default 0): a reported table must be reproducible")
        _check_ci(self.ci)
        return formula

    def fit(self, result, metadata: pd.DataFrame) -> TopicEffects:
        """Match ``metadata`` to ``result`` by ``doc_id``, build the design, draw once.

        Parameters
        ----------
        result : fitted topic model, or a list of refits of one model
            ``doc_topic_`` (D × K), ``doc_ids`` (D ids), and
            ``doc_topic_concentration_`` or ``sample_doc_topic`` (see
            :func:`draw_doc_topic`); ``topic_labels_`` optional. A list (or
            tuple) of refits at different seeds gives global uncertainty
            (see ``uncertainty``): they need ``topic_word_`` and
            ``vocabulary_`` too (to match topics) and the same documents;
            the first is the reference whose topic order, labels and
            documents the table reports.
        metadata : DataFrame
            A ``doc_id`` column and the formula's columns. Its rows are
            matched to the model's documents by ``doc_id`` (order does not
            matter, extra rows are ignored, a model document missing from it
            is an error naming the ids). Documents with a missing covariate
            (NaN, None or ``""``) are left out of the regression.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            For a bad setting, formula, topic or cluster column, missing
            ids, or a rank-deficient design, refits that do not fit
            ``uncertainty`` or do not share the reference's documents — always
            before any θ is drawn.
        """
        formula = self._check_settings()
        results, uncertainty = self._results(result)
        result = results[0]
        topic_idx = _resolve_topics(result, self.topics)
        aligned = _aligned_metadata(result, metadata)
        aligned = _with_formula_columns(aligned, formula)
        variables = _formula_variables(formula)
        cluster = self._cluster_column(aligned)
        design = _Design(formula, aligned, clusters=None if cluster is None else aligned[cluster])
        if cluster is not None:
            self._check_absorbed(design, cluster)
            cluster = cluster if design.cluster_matrix is not None else None
        cov_type = self.cov_type or ("CR1" if cluster is not None else "classical")
        for variable, level, n, reference in design.small_levels:
            robust = (f"; under {cov_type} covariance its interval comes from those residuals alone and can be "
                      "near zero when they agree" if cov_type != "classical" else "")
            if reference:
                logger.warning("effects: %s = %s, the reference level every other level of %s is compared with, has "
                               "%d document(s)%s; compare with a larger level (C(%s, Treatment(reference=…))) or "
                               "leave the level's documents out", variable, level, variable, n, robust, variable)
            else:
                logger.warning("effects: %s = %s has %d document(s): its coefficient rests on them%s", variable,
                               level, n, robust)
        models, matching = _matched_refits(results)
        rng = _rng(self.random_state)
        # The reference is drawn first with the same generator as a document-level fit, so its draws are
        # exactly those of `uncertainty="document"` and the refits' draws are added to them.
        self.coef_draws_ = np.concatenate([
            _composition(model, design, topic_idx, int(self.n_draws), int(self.n_coef_draws), cov_type, rng)
            for model in models], axis=0)
        self.uncertainty_ = uncertainty
        self.n_models_ = len(models)
        self.matching_ = matching
        self._design = design
        self.formula_ = design.formula
        self.terms_ = list(design.columns)
        self.topics_ = topic_idx
        self.labels_ = [topic_labels(result)[t] for t in topic_idx]
        self.variables_ = [v for v in variables if v in aligned.columns]
        used = _prepare_frame(aligned[self.variables_]).loc[design.rows] if self.variables_ else None
        self.typical_ = {v: _typical_value(used[v]) for v in self.variables_}
        self._levels = {v: set(used[v].dropna().tolist()) for v in self.variables_
                        if not pd.api.types.is_numeric_dtype(used[v].dtype)
                        or pd.api.types.is_bool_dtype(used[v].dtype)}
        # what the documents cover, so that a prediction outside it says it extrapolates
        self._ranges = {v: (used[v].min(), used[v].max()) for v in self.variables_ if v not in self._levels}
        categorical = [v for v in self.variables_
                       if v in self._levels or re.search(rf"\bC\(\s*{re.escape(v)}\b", self.formula_)]
        self._cell_variables = categorical if len(categorical) >= 2 else []
        self._cells = (set(used[categorical].dropna().itertuples(index=False, name=None))
                       if self._cell_variables else set())
        self.doc_ids_ = [str(result.doc_ids[r]) for r in design.rows]
        self.n_docs_ = int(len(design.rows))
        self.cov_type_ = cov_type
        self.cluster_ = cluster
        self.n_clusters_ = design.n_clusters
        if cluster is not None and design.n_clusters < _FEW_CLUSTERS:
            logger.warning("effects: only %d %s clusters; cluster-robust intervals are too narrow with fewer than "
                           "about %d clusters", design.n_clusters, cluster, _FEW_CLUSTERS)
        return self

    def _results(self, result) -> tuple[list, str]:
        """The fitted models (the reference first) and the uncertainty they give."""
        results = list(result) if isinstance(result, (list, tuple)) else [result]
        if not results:
            raise ValueError("fit needs a fitted result (or a list of refits), got an empty list")
        uncertainty = self.uncertainty
        if uncertainty == "auto":
            uncertainty = "global" if len(results) > 1 else "document"
        if uncertainty == "global" and len(results) < 2:
            raise ValueError("uncertainty='global' pools refits of one model at different seeds: fit on a list of "
                             "at least two (refit_models(tokens, n_topics, [0, 1, 2]))")
        if uncertainty == "document" and len(results) > 1:
            raise ValueError(f"uncertainty='document' reflects one fitted model, got {len(results)}: fit on one "
                             "result, or use uncertainty='global' to pool the refits")
        return results, uncertainty

    def _cluster_column(self, aligned: pd.DataFrame) -> str | None:
        """The cluster column to use (``locality`` is added to ``aligned`` when derived), or None."""
        if self.cluster is None:
            return None
        if self.cluster == "auto":
            if self.cov_type not in (None, "CR1"):
                return None
            if "locality" not in aligned.columns and "district" in aligned.columns:
                from toolkit.places import with_locality

                aligned["locality"] = with_locality(aligned)["locality"].to_numpy()
            if "locality" not in aligned.columns or not aligned["locality"].astype("string").fillna("").ne("").any():
                logger.info("effects: no locality column to cluster on; cov_type %s", self.cov_type or "classical")
                return None
            return "locality"
        if self.cluster not in aligned.columns:
            if self.cluster == "locality" and "district" in aligned.columns:
                from toolkit.places import with_locality

                aligned["locality"] = with_locality(aligned)["locality"].to_numpy()
            else:
                raise ValueError(f"cluster={self.cluster!r} is not a column of metadata")
        return self.cluster

    def _check_absorbed(self, design: _Design, cluster: str) -> None:
        """Under ``cluster='auto'``, drop clustering the formula absorbs; warn when it was asked for."""
        if not design.clusters_absorbed():
            return
        message = (f"the formula's terms absorb every {cluster} cluster (fixed effects of it), so each cluster's "
                   "residuals sum to zero and the clustered variance of those terms is degenerate")
        if self.cluster == "auto" and self.cov_type is None:
            logger.info("effects: %s; using classical covariance (the fixed effects take up what a cluster shares)",
                        message)
            design.drop_clusters()
            return
        logger.warning("effects: %s; only the other terms' intervals are meaningful", message)

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_draws_"):
            raise ValueError("this TopicEffects is not fitted yet: call .fit(result, metadata) first")

    # -- reading ------------------------------------------------------------

    def table(self, *, ci: float | None = None) -> pd.DataFrame:
        """The effects table: one row per topic and design term.

        Returns
        -------
        DataFrame
            Columns ``topic`` (0-based index), ``label``, ``term`` (design
            column name, e.g. ``Intercept``, ``C(locality)[T.Huyện Ba Vì, Hà Nội]``,
            ``year``), ``estimate`` (mean of the pooled draws), ``std_error``
            (their standard deviation), ``ci_low``, ``ci_high`` (percentile
            interval), ``uncertainty`` (``"document"``: one fitted model;
            ``"global"``: pooled over refits at several seeds); sorted by
            topic, then term in design-matrix order. ``attrs`` records the
            formula, documents used, draws, covariance, cluster column and
            the number of models pooled.
        """
        self._check_fitted()
        lo, hi = _check_ci(self.ci if ci is None else ci)
        draws = self.coef_draws_
        p = len(self.terms_)
        est = draws.mean(axis=0)
        se = draws.std(axis=0, ddof=1) if draws.shape[0] > 1 else np.full(est.shape, np.nan)
        q_lo, q_hi = np.quantile(draws, [lo, hi], axis=0)
        out = pd.DataFrame({
            "topic": np.repeat(self.topics_, p),
            "label": np.repeat(self.labels_, p),
            "term": np.tile(self.terms_, len(self.topics_)),
            "estimate": est.T.ravel(),
            "std_error": se.T.ravel(),
            "ci_low": q_lo.T.ravel(),
            "ci_high": q_hi.T.ravel(),
            "uncertainty": self.uncertainty_,
        })
        out.attrs.update(self._attrs(ci))
        return out

    def _attrs(self, ci) -> dict:
        return {"formula": self.formula_, "n_docs": self.n_docs_, "n_draws": int(self.n_draws),
                "n_coef_draws": int(self.n_coef_draws), "cov_type": self.cov_type_, "cluster": self.cluster_,
                "n_clusters": self.n_clusters_, "uncertainty": self.uncertainty_, "n_models": self.n_models_,
                "ci": float(self.ci if ci is None else ci)}

    def _prediction_draws(self, newdata: pd.DataFrame) -> np.ndarray:
        """Predicted θ of every row of ``newdata`` in every pooled draw: (S, m, K)."""
        if not isinstance(newdata, pd.DataFrame) or newdata.empty:
            raise ValueError("newdata must be a non-empty DataFrame")
        newdata = _with_formula_columns(newdata, self.formula_, warn=False)
        missing = [v for v in self.variables_ if v not in newdata.columns]
        if missing:
            raise ValueError(f"newdata lacks the formula's columns {missing}")
        frame = _prepare_frame(newdata[self.variables_])
        for v, levels in self._levels.items():
            unseen = sorted({x for x in frame[v].tolist() if x is not None and x not in levels}, key=str)
            if unseen:
                raise ValueError(f"{v} = {', '.join(map(repr, unseen[:5]))} does not occur among the documents "
                                 "of the fit")
        self._warn_extrapolation(frame)
        return np.einsum("mp,spk->smk", self._design.new(frame), self.coef_draws_)

    def _warn_extrapolation(self, frame: pd.DataFrame) -> None:
        """A warning for covariate values outside the documents' range and for cells no document fills."""
        for v, (low, high) in getattr(self, "_ranges", {}).items():
            values = pd.to_numeric(frame[v], errors="coerce")
            outside = sorted({_level_text(float(x)) for x in values[(values < low) | (values > high)].dropna()})
            if outside:
                logger.warning("effects: %s = %s lies outside the documents' range %s–%s: the prediction is an "
                               "extrapolation of the formula", v, ", ".join(outside[:5]), _level_text(float(low)),
                               _level_text(float(high)))
        if getattr(self, "_cell_variables", None):
            rows = frame[self._cell_variables].itertuples(index=False, name=None)
            empty = sorted({r for r in rows if r not in self._cells}, key=str)
            if empty:
                shown = "; ".join(", ".join(f"{v} = {_level_text(x)}" for v, x in zip(self._cell_variables, r))
                                  for r in empty[:3])
                logger.warning("effects: no document of the fit has %s%s: the prediction adds up the terms' "
                               "effects where no document was observed (an extrapolation)", shown,
                               f" (and {len(empty) - 3} more such cells)" if len(empty) > 3 else "")

    def predict(self, newdata: pd.DataFrame, *, ci: float | None = None) -> pd.DataFrame:
        """Expected topic prevalence at given covariate values.

        For every row of ``newdata`` (e.g. every locality × year) the
        predicted θ_k = x β is computed in every pooled draw.

        Parameters
        ----------
        newdata : DataFrame
            Covariate values; needs every column the formula uses
            (``variables_``; ``locality`` may come from ``province`` and
            ``district``). Levels of categorical terms must occur among the
            documents of the fit; spline terms must stay inside the observed
            range.
        ci : float, optional
            Coverage (default: the object's ``ci``).

        Returns
        -------
        DataFrame
            The columns of ``newdata``, then ``topic``, ``label``,
            ``estimate``, ``ci_low``, ``ci_high``; sorted by the row order of
            ``newdata``, then topic. On the θ scale, not clipped to [0, 1].
        """
        self._check_fitted()
        lo, hi = _check_ci(self.ci if ci is None else ci)
        pred = self._prediction_draws(newdata)
        m, k = pred.shape[1], pred.shape[2]
        q_lo, q_hi = np.quantile(pred, [lo, hi], axis=0)
        base = newdata.reset_index(drop=True).loc[np.repeat(np.arange(m), k)].reset_index(drop=True)
        base["topic"] = np.tile(self.topics_, m)
        base["label"] = np.tile(self.labels_, m)
        base["estimate"] = pred.mean(axis=0).ravel()
        base["ci_low"] = q_lo.ravel()
        base["ci_high"] = q_hi.ravel()
        base.attrs.update(self._attrs(ci))
        outside = int(((base["estimate"] < 0) | (base["estimate"] > 1)).sum())
        if outside:
            logger.warning("effects: %d of %d predicted proportions fall outside [0, 1] (the regression is linear "
                           "in θ): read them as extrapolations, not prevalences", outside, len(base))
        return base

    def contrast(self, variable: str, value_a, value_b, *, at: dict[str, Any] | None = None,
                 ci: float | None = None) -> pd.DataFrame:
        """Difference in expected prevalence from ``value_a`` to ``value_b``: prevalence at b minus prevalence at a.

        A positive ``estimate`` means the topic weighs more at ``value_b``
        (``contrast("year", 2019, 2023)``: more in 2023 than in 2019); the
        ``difference`` column spells it out (``"2023 − 2019"``).

        Like stm's ``plot.estimateEffect(method = "difference")``: prevalence
        at ``variable = value_b`` minus prevalence at ``variable = value_a``,
        with the formula's other variables held at ``at`` or, where not
        given, at ``typical_`` (median or most frequent value among the
        documents of the fit). The difference is computed within every pooled
        draw, so its interval accounts for the correlation of the two
        predictions.

        Parameters
        ----------
        variable : str
            A variable of the formula (``variables_``), e.g. ``"locality"``,
            ``"year"``.
        value_a, value_b
            Its two values; categorical values must occur in the fit.
        at : dict, optional
            Values of other formula variables.
        ci : float, optional
            Coverage (default: the object's ``ci``).

        Returns
        -------
        DataFrame
            Columns ``topic``, ``label``, ``variable``, ``value_a``,
            ``value_b``, ``difference`` (what ``estimate`` measures, as text:
            ``"<value_b> − <value_a>"``, with a minus sign U+2212 since place
            names may hold hyphens), ``estimate`` (b − a), ``ci_low``,
            ``ci_high``; sorted by topic.

        Examples
        --------
        Đông Anh minus Hải Hậu (``difference`` reads "Huyện Đông Anh, Hà Nội −
        Huyện Hải Hậu, Nam Định"): positive for the topics Đông Anh carries more of.

        >>> effects.contrast("locality", "Huyện Hải Hậu, Nam Định",  # doctest: +SKIP
        ...                  "Huyện Đông Anh, Hà Nội")
        """
        self._check_fitted()
        lo, hi = _check_ci(self.ci if ci is None else ci)
        if variable not in self.variables_:
            raise ValueError(f"{variable!r} is not a variable of the formula {self.formula_!r}; "
                             f"its variables: {self.variables_}")
        at = dict(at or {})
        extra = sorted(set(at) - set(self.variables_) - {variable})
        if extra or variable in at:
            raise ValueError(f"at= names {sorted(set(extra) | ({variable} & set(at)))}: give values of the "
                             f"formula's other variables {[v for v in self.variables_ if v != variable]}")
        row = {v: at.get(v, self.typical_[v]) for v in self.variables_ if v != variable}
        newdata = pd.DataFrame([{**row, variable: value_a}, {**row, variable: value_b}])[self.variables_]
        pred = self._prediction_draws(newdata)
        diff = pred[:, 1, :] - pred[:, 0, :]
        q_lo, q_hi = np.quantile(diff, [lo, hi], axis=0)
        out = pd.DataFrame({
            "topic": self.topics_,
            "label": self.labels_,
            "variable": variable,
            "value_a": [value_a] * len(self.topics_),
            "value_b": [value_b] * len(self.topics_),
            "difference": f"{_level_text(value_b)} \u2212 {_level_text(value_a)}",
            "estimate": diff.mean(axis=0),
            "ci_low": q_lo,
            "ci_high": q_hi,
        })
        out.attrs.update(self._attrs(ci), at=row)
        return out


def estimate_effects(
    result,
    metadata: pd.DataFrame,
    formula: str = "~ C(locality) + bs(year, df=3)",
    *,
    topics: Sequence[int | str] | None = None,
    n_draws: int = 50,
    n_coef_draws: int = 10,
    cov_type: str | None = None,
    cluster: str | None = "auto",
    uncertainty: str = "auto",
    random_state=0,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Regress topic prevalence on document covariates by the method of composition.

    ``TopicEffects(formula, ...).fit(result, metadata).table()`` in one call:
    the verb for the pipeline, the command line and notebooks that want the
    table only. Fit a :class:`TopicEffects` to also predict prevalence or
    contrast two values from the same draws.

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
    result : fitted topic model, or a list of refits of one model
        See :meth:`TopicEffects.fit` (needs ``doc_ids``); a list pools the
        refits (global uncertainty).
    metadata : DataFrame
        ``doc_id`` and the formula's columns; matched to the model's
        documents by ``doc_id``, never by position.
    formula, topics, n_draws, n_coef_draws, cov_type, cluster, uncertainty, random_state, ci
        As in :class:`TopicEffects`.

    Returns
    -------
    DataFrame
        :meth:`TopicEffects.table`: ``topic, label, term, estimate,
        std_error, ci_low, ci_high, uncertainty``.

    Examples
    --------
    >>> effects = estimate_effects(result, documents, "~ C(locality) + year", n_draws=25)  # doctest: +SKIP
    >>> effects.query("term == 'year'")  # doctest: +SKIP
    """
    return TopicEffects(formula, topics=topics, n_draws=n_draws, n_coef_draws=n_coef_draws, cov_type=cov_type,
                        cluster=cluster, uncertainty=uncertainty, random_state=random_state,
                        ci=ci).fit(result, metadata).table()


def prevalence_by_group(
    result,
    metadata: pd.DataFrame,
    by: str | Sequence[str] = ("district", "year"),
    *,
    topics: Sequence[int | str] | None = None,
    n_draws: int = 50,
    random_state=0,
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
        With ``doc_ids`` (see :meth:`TopicEffects.fit`).
    metadata : DataFrame
        ``doc_id`` and the grouping columns; matched to the model's documents
        by ``doc_id`` (order does not matter, extra rows are ignored, a model
        document missing from it is an error naming the ids).
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
        As in :class:`TopicEffects` (``random_state`` default 0).

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
    if random_state is None:
        raise ValueError("random_state must be given (default 0): a reported table must be reproducible")
    lo, hi = _check_ci(ci)
    if int(n_draws) != n_draws or n_draws < 1:
        raise ValueError(f"n_draws must be a positive integer, got {n_draws!r}")
    from toolkit.places import PLACE_COLUMNS, qualify_grouping

    topic_idx = _resolve_topics(result, topics)
    metadata = _aligned_metadata(result, metadata)
    metadata, by = qualify_grouping(metadata, [by] if isinstance(by, str) else list(by))
    theta = _doc_topic(result)
    n_docs_total = theta.shape[0]
    missing = [c for c in by if c not in metadata.columns]
    if missing:
        raise ValueError(f"grouping columns not in metadata: {missing}")
    rng = _rng(random_state)
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
        logger.warning("topic prevalence by %s: %d of %d documents have no %s and are left out of this table "
                       "(the model keeps them; effects leave out the documents missing a covariate of their formula, and say so)", "/".join(by), int((~complete).sum()), n_docs_total,
                       " or ".join(c for c in by if c not in described) or "/".join(by))
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
    for i, draw in enumerate(tqdm(_iter_draws(result, n_draws, rng), total=n_draws, desc="prevalence draws",
                                  unit="draw", disable=None, leave=False)):
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
