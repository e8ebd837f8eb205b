"""Theme shares per locality and year, with intervals that keep their coverage.

:func:`theme_shares` aggregates the per-document hits of
:func:`toolkit.themes.dictionary.theme_hits` (or of a classifier) over any
grouping (province-qualified ``locality``, ``year``, …), with Jeffreys (default),
Wilson or bootstrap intervals (:func:`proportion_interval`) and the empty cells
of the grid kept as rows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from toolkit.places import PLACE_COLUMNS, qualify_grouping

#: Columns that name nested places: their observed combinations are crossed with the other ``by`` columns.
NESTED_PLACE_COLUMNS = PLACE_COLUMNS

logger = logging.getLogger("toolkit.themes")

# --------------------------------------------------------------------------
# Aggregation with bootstrap intervals
# --------------------------------------------------------------------------


def proportion_interval(successes, n, *, ci: float = 0.95, method: str = "wilson") -> tuple[np.ndarray, np.ndarray]:
    """Interval for a binomial proportion that keeps its coverage at 0, 1 and small n.

    Parameters
    ----------
    successes, n : array-like
        Counts (``n`` may be a non-integer effective sample size).
    ci : float
        Nominal coverage.
    method : {"wilson", "jeffreys"}
        Wilson score interval, or the Jeffreys interval (Beta(k + ½, n − k + ½)
        quantiles, with the bound at 0 or 1 when ``k`` is 0 or ``n``, as in
        Brown, Cai & DasGupta 2001).

    Returns
    -------
    low, high : ndarray
        NaN where ``n`` is 0. Neither collapses to a point when ``k`` is 0 or ``n``.

    Examples
    --------
    >>> low, high = proportion_interval([0, 3], [3, 3])
    >>> bool(high[0] > 0.4) and bool(low[1] < 0.6)
    True
    """
    from scipy import stats

    k = np.atleast_1d(np.asarray(successes, dtype=float))
    n = np.atleast_1d(np.asarray(n, dtype=float))
    k, n = np.broadcast_arrays(k, n)
    if not 0 < ci < 1:
        raise ValueError(f"ci={ci}: a coverage in (0, 1)")
    alpha = 1 - ci
    low = np.full(k.shape, np.nan)
    high = np.full(k.shape, np.nan)
    ok = n > 0
    if not ok.any():
        return low, high
    kk, nn = k[ok], n[ok]
    if method == "wilson":
        z = stats.norm.ppf(1 - alpha / 2)
        p = kk / nn
        denom = 1 + z * z / nn
        centre = (p + z * z / (2 * nn)) / denom
        half = z * np.sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / denom
        # exactly 0 / 1 at the boundaries (rounding would otherwise exclude p = 0)
        lo = np.where(kk <= 0, 0.0, centre - half)
        hi = np.where(kk >= nn, 1.0, centre + half)
    elif method == "jeffreys":
        lo = stats.beta.ppf(alpha / 2, kk + 0.5, nn - kk + 0.5)
        hi = stats.beta.ppf(1 - alpha / 2, kk + 0.5, nn - kk + 0.5)
        lo = np.where(kk <= 0, 0.0, lo)
        hi = np.where(kk >= nn, 1.0, hi)
    else:
        raise ValueError(f"method={method!r}: 'wilson' or 'jeffreys'")
    low[ok] = np.clip(lo, 0.0, 1.0)
    high[ok] = np.clip(hi, 0.0, 1.0)
    return low, high


INTERVALS = ("jeffreys", "wilson", "bootstrap")


def _rng(random_state) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    return np.random.default_rng(random_state)


def _grid(meta: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Every combination of observed levels; nested place columns keep their observed combinations."""
    places = [c for c in by if c in NESTED_PLACE_COLUMNS]
    blocks = []
    if places:
        blocks.append(meta[places].drop_duplicates())
    for c in by:
        if c not in places:
            blocks.append(meta[[c]].drop_duplicates())
    grid = blocks[0]
    for block in blocks[1:]:
        grid = grid.merge(block, how="cross")
    return grid[by].sort_values(by, kind="mergesort", ignore_index=True)


def theme_shares(
    hits: pd.DataFrame,
    documents: pd.DataFrame,
    by: Sequence[str] = ("province", "district", "year"),
    *,
    n_boot: int = 1000,
    random_state=0,
    min_docs: int = 5,
    ci: float = 0.95,
    interval: str = "jeffreys",
) -> pd.DataFrame:
    """Share of documents with each theme per cell, with intervals that keep their coverage in small cells.

    Parameters
    ----------
    hits : DataFrame
        :func:`theme_hits` output.
    documents : DataFrame
        Document table with ``doc_id`` and the ``by`` columns.
    by : sequence of str
        Cell columns. Empty: one cell, the whole corpus. ``district`` is
        qualified by its province: it stands for ``province, district,
        locality`` (:func:`toolkit.places.place_columns`), so two districts
        of the same name in different provinces are two cells; ``locality``
        is derived from ``province`` and ``district`` when ``documents``
        lacks it.
    n_boot : int
        Bootstrap replicates per cell with ``interval="bootstrap"`` (0: no intervals).
    random_state : int, numpy Generator or None
        Seed of the bootstrap.
    min_docs : int
        Cells with fewer documents are flagged ``small_cell``.
    ci : float
        Coverage of the interval.
    interval : {"jeffreys", "wilson", "bootstrap"}
        ``jeffreys`` (default) and ``wilson`` keep close to their nominal
        coverage in cells of 1–10 documents and when no or every document
        has the theme (see :func:`proportion_interval`); ``bootstrap`` is the
        percentile bootstrap of earlier versions, which collapses to a point
        when ``k = 0`` or ``k = n`` (kept to reproduce old tables).

    Returns
    -------
    DataFrame
        ``<by...>, theme, n_docs, docs_with_theme, share, rate_per_1k,
        ci_low, ci_high, small_cell, measure`` (``measure``: ``dictionary``,
        or ``classifier`` for themes whose hits came from
        :func:`toolkit.themes.validate.classifier_hits`; ``by`` with ``district`` qualified:
        ``by=["district", "year"]`` gives ``province, district, locality,
        year, theme, ...``), sorted by the ``by`` columns then
        ``theme``. ``share = docs_with_theme / n_docs``; ``rate_per_1k =
        1000 * sum(hits) / sum(n_tokens)`` over the cell's documents (term
        occurrences: NaN for a theme a classifier measured). Every
        combination of observed levels is a row, empty ones with
        ``n_docs = 0`` and NaN share, rate and interval; place columns
        (``province``, ``district``, ``locality``, ``province_2025``) are not crossed with
        each other but keep their observed combinations (a district lies in
        one province), and those are crossed with the other columns
        (``year``). Documents with a missing ``by`` value (NA or blank: a
        ``locality`` of ``""`` when neither province nor district is known)
        are left out (logged); a blank ``district`` of a known province
        stays, as that province's own group.

    Notes
    -----
    A cell's documents are treated as a binomial sample of its theme share.
    The Jeffreys interval is the Beta(k + ½, n − k + ½) equal-tailed interval
    with its bound set to 0 (1) when k = 0 (k = n); a cell of 3 documents with
    no hit gets [0, 0.54], not [0, 0]. The bootstrap resamples the ``n`` documents of a cell with replacement
    and takes the share of resampled documents with the theme. For a 0/1
    statistic the number of successes in such a resample is exactly
    Binomial(n, k/n), so it is drawn as that (same distribution, no n × B
    index array); replicates of all cells and themes are drawn in one
    vectorized call, in the output's row order, from one seeded generator.
    The interval is the (1-ci)/2 and (1+ci)/2 percentiles of the replicates;
    it collapses to a point when k = 0 or k = n.
    """
    if not 0 < ci < 1:
        raise ValueError(f"ci={ci}: a coverage in (0, 1)")
    if interval not in INTERVALS:
        raise ValueError(f"interval={interval!r}: one of {', '.join(INTERVALS)}")
    documents, by = qualify_grouping(documents, by)
    missing = sorted(set(by) - set(documents.columns))
    if missing:
        raise ValueError(f"documents lack the `by` column(s) {missing}")
    meta = documents[["doc_id", *by]].copy()
    meta["doc_id"] = meta["doc_id"].astype(str)
    meta = meta.drop_duplicates("doc_id")
    if by:
        na = meta[by].isna().any(axis=1)
        for column in by:
            if column in ("province", "district") and "locality" in by:
                continue  # "Hà Nội" with no district is a province-level group: its locality names it
            if not pd.api.types.is_numeric_dtype(meta[column]):
                na |= meta[column].astype("string").str.strip().eq("").fillna(False).to_numpy(bool)
        if na.any():
            logger.warning("theme_shares: %d of %d documents have a missing %s and are left out",
                           int(na.sum()), len(meta), "/".join(by))
            meta = meta[~na]
    df = hits.assign(doc_id=hits["doc_id"].astype(str)).merge(meta, on="doc_id", how="inner")
    if "n_tokens" not in df.columns:
        df["n_tokens"] = np.nan
    themes = sorted(hits["theme"].unique())
    keys = [*by, "theme"]
    agg = (df.groupby(keys, sort=False, observed=True)
             .agg(n_docs=("doc_id", "size"), docs_with_theme=("present", "sum"),
                  _hits=("hits", "sum"), _tokens=("n_tokens", "sum"))
             .reset_index())
    grid = _grid(meta, by) if by else pd.DataFrame(index=[0])
    grid = grid.merge(pd.DataFrame({"theme": themes}), how="cross")
    out = grid.merge(agg, on=keys, how="left")
    out["n_docs"] = out["n_docs"].fillna(0).astype(np.int64)
    out["docs_with_theme"] = out["docs_with_theme"].fillna(0).astype(np.int64)
    n = out["n_docs"].to_numpy()
    k = out["docs_with_theme"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(n > 0, k / n, np.nan)
        tokens = out["_tokens"].to_numpy(dtype=float)
        out["rate_per_1k"] = np.where((n > 0) & (tokens > 0), 1000.0 * out["_hits"].to_numpy(dtype=float) / tokens, np.nan)
    low = np.full(len(out), np.nan)
    high = np.full(len(out), np.nan)
    rows = np.flatnonzero(n > 0)
    if interval != "bootstrap" and len(rows):
        low[rows], high[rows] = proportion_interval(k[rows], n[rows], ci=ci, method=interval)
    elif n_boot > 0 and len(rows):
        rng = _rng(random_state)
        q = [(1 - ci) / 2, (1 + ci) / 2]
        chunk = max(1, 2_000_000 // n_boot)  # bounded memory: rows × n_boot floats per call
        for start in range(0, len(rows), chunk):
            r = rows[start:start + chunk]
            draws = rng.binomial(n[r][:, None], (k[r] / n[r])[:, None], size=(len(r), n_boot)) / n[r][:, None]
            lo_hi = np.quantile(draws, q, axis=1)
            low[r], high[r] = lo_hi[0], lo_hi[1]
    out["ci_low"] = low
    out["ci_high"] = high
    out["small_cell"] = out["n_docs"] < min_docs
    # which instrument measured each theme: the dictionary, or a classifier (toolkit.themes.validate.classifier_hits)
    measures = (hits.drop_duplicates("theme").set_index("theme")["measure"] if "measure" in hits.columns
                else pd.Series("dictionary", index=themes))
    out["measure"] = out["theme"].map(measures).fillna("dictionary")
    # a classifier flags documents; it counts no term occurrences, so it has no rate per 1,000 tokens
    out.loc[out["measure"] != "dictionary", "rate_per_1k"] = np.nan
    out = out.drop(columns=["_hits", "_tokens"])
    columns = [*by, "theme", "n_docs", "docs_with_theme", "share", "rate_per_1k", "ci_low", "ci_high", "small_cell",
               "measure"]
    return out[columns].sort_values(keys, kind="mergesort", ignore_index=True)
