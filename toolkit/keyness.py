"""Distinctive terms of groups of documents: keyness and TF-IDF top terms.

- :func:`keyness` / :func:`keyness_table`: weighted log-odds ratio with an
  informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin'
  Words", *Political Analysis* 16(4), eq. 16–22), with Pearson's chi² and
  Dunning's log-likelihood G² of the same 2×2 table beside it;
- :func:`tfidf_top_terms`: the highest TF-IDF terms of each group, the groups
  pooled as documents (a group comparison, so it lives here; the TF-IDF
  weighting itself is :func:`toolkit.text.vocabulary.tfidf_weights`).

All functions take token tables (``doc_id``, ``tokens``) and document tables
(``doc_id`` and the group column) and return tidy DataFrames. The terms are
the one vocabulary of :func:`toolkit.text.vocabulary.document_term_matrix`
(``min_df``/``max_df``/``keep_n`` with scikit-learn's meaning; by default
every term, as the informative prior and the totals of :func:`keyness` want).
Tokens are used as they are (Vietnamese-safe: no ``token_pattern``, no
lower-casing, no accent stripping). Collocations moved to
:mod:`toolkit.text.collocations`.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from toolkit.places import district_wards, place_names, qualify_grouping, resolve_locality
from toolkit.text.vocabulary import MAX_DF, MIN_DF, document_term_matrix, tfidf_weights

logger = logging.getLogger("toolkit.keyness")

__all__ = ["group_term_counts", "keyness", "keyness_table", "name_terms", "tfidf_top_terms"]

PRIORS = ("informative", "uniform")
KEYNESS_COLUMNS = ["group", "term", "count_target", "count_reference", "log_odds", "z", "chi2", "g2", "p_value"]


def keyness(
    counts_target: np.ndarray,
    counts_reference: np.ndarray,
    *,
    prior: str = "informative",
    alpha0: float | None = None,
    prior_counts: np.ndarray | None = None,
) -> pd.DataFrame:
    """Keyness statistics of every term, target vs reference, from count vectors.

    Parameters
    ----------
    counts_target, counts_reference : array of shape (n_terms,)
        Occurrences of each term in the target and in the reference corpus.
        Totals ``n_i``, ``n_j`` are the sums of these arrays, so pass every
        term (filter rows of the result, not the input).
    prior : {"informative", "uniform"}
        ``"informative"``: ``α_w = α0 · π_w`` with ``π_w`` the term's share of
        ``prior_counts`` (default: target + reference). ``"uniform"``:
        ``α_w = α0 / n_terms``.
    alpha0 : float, optional
        Prior strength (total pseudo-count). Default: the number of terms,
        i.e. one pseudo-count per term on average (``uniform`` is then
        add-one smoothing).
    prior_counts : array of shape (n_terms,), optional
        Background counts for the informative prior.

    Returns
    -------
    DataFrame
        One row per term, in input order: ``count_target``,
        ``count_reference``, ``log_odds`` (δ, positive: more typical of the
        target), ``z`` (δ / √var), ``chi2`` (Pearson's chi² of the 2×2 table
        term/other × target/reference, **without** Yates' continuity
        correction, so it equals
        ``scipy.stats.chi2_contingency(table, correction=False)``), ``g2``
        (Dunning's log-likelihood ratio, ``scipy.stats.power_divergence(...,
        lambda_="log-likelihood")``) and ``p_value`` (two-sided normal
        p-value of ``z``; uncorrected for the many terms tested — read it as
        a ranking aid). chi2 and g2 are unsigned: the sign of ``log_odds``
        gives the direction.

    Notes
    -----
    With ``y`` the counts, ``n`` the totals and ``α`` the prior (Monroe et
    al. 2008, eq. 16, 18–22)::

        δ_w = log((y_iw + α_w) / (n_i + α0 − y_iw − α_w))
            − log((y_jw + α_w) / (n_j + α0 − y_jw − α_w))
        var(δ_w) ≈ 1 / (y_iw + α_w) + 1 / (y_jw + α_w)
        z_w = δ_w / √var(δ_w)

    Examples
    --------
    >>> keyness(np.array([10, 0]), np.array([5, 5]), prior="uniform", alpha0=2)[["log_odds"]].round(3)
       log_odds
    0     2.398
    1    -2.398
    """
    yi = np.asarray(counts_target, dtype=float)
    yj = np.asarray(counts_reference, dtype=float)
    if yi.shape != yj.shape or yi.ndim != 1:
        raise ValueError("counts_target and counts_reference must be 1-d arrays of the same length")
    if (yi < 0).any() or (yj < 0).any():
        raise ValueError("counts must be non-negative")
    n_terms = len(yi)
    ni, nj = yi.sum(), yj.sum()
    a0 = float(alpha0) if alpha0 is not None else float(max(n_terms, 1))
    if prior == "informative":
        background = yi + yj if prior_counts is None else np.asarray(prior_counts, dtype=float)
        total = background.sum()
        alpha = a0 * background / total if total > 0 else np.full(n_terms, a0 / max(n_terms, 1))
        # A term absent from the background would get α = 0 and an infinite δ: give it a tiny floor.
        alpha = np.maximum(alpha, 1e-9)
    elif prior == "uniform":
        alpha = np.full(n_terms, a0 / max(n_terms, 1))
    else:
        raise ValueError(f"prior={prior!r}: use one of {', '.join(PRIORS)}")
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = (np.log((yi + alpha) / (ni + a0 - yi - alpha))
                 - np.log((yj + alpha) / (nj + a0 - yj - alpha)))
        var = 1.0 / (yi + alpha) + 1.0 / (yj + alpha)
        z = delta / np.sqrt(var)
    chi2, g2 = _two_by_two(yi, yj, ni, nj)
    return pd.DataFrame({
        "count_target": yi.astype(np.int64) if np.all(yi == np.round(yi)) else yi,
        "count_reference": yj.astype(np.int64) if np.all(yj == np.round(yj)) else yj,
        "log_odds": delta,
        "z": z,
        "chi2": chi2,
        "g2": g2,
        "p_value": 2.0 * stats.norm.sf(np.abs(z)),
    })


def _two_by_two(yi: np.ndarray, yj: np.ndarray, ni: float, nj: float) -> tuple[np.ndarray, np.ndarray]:
    """Pearson chi² (no Yates) and G² of the tables [[y_i, y_j], [n_i − y_i, n_j − y_j]]."""
    observed = np.stack([yi, yj, ni - yi, nj - yj])  # cells a, c, b, d
    n = ni + nj
    rows = np.stack([yi + yj, yi + yj, n - yi - yj, n - yi - yj])
    cols = np.array([ni, nj, ni, nj])[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = rows * cols / n if n > 0 else np.zeros_like(observed)
        chi2 = np.where(expected > 0, (observed - expected) ** 2 / expected, 0.0).sum(axis=0)
        g2 = 2.0 * np.where(observed > 0, observed * np.log(observed / expected), 0.0).sum(axis=0)
    degenerate = (yi + yj == 0) | (yi + yj == n) | (ni == 0) | (nj == 0)
    chi2 = np.where(degenerate, 0.0, chi2)
    g2 = np.where(degenerate, 0.0, g2)
    return chi2, g2


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------


def group_term_counts(
    tokens: pd.DataFrame,
    documents: pd.DataFrame,
    group_col: str,
    *,
    min_df: int | float = MIN_DF,
    max_df: int | float = MAX_DF,
    keep_n: int | None = None,
) -> tuple[sp.csr_matrix, list, list[str]]:
    """Term counts summed per group.

    ``group_col="district"`` groups by the district of its province: the
    groups are localities (``"Huyện Châu Thành, Bến Tre"``), so same-named
    districts of different provinces stay apart. The terms are the
    vocabulary of the documents that have a group
    (:func:`toolkit.text.vocabulary.document_term_matrix` with ``min_df``,
    ``max_df``, ``keep_n``: an int is a number of documents, a float in
    [0, 1] a proportion of documents; by default every term).

    Returns
    -------
    counts : csr_matrix (n_groups, n_terms)
    groups : list
        Sorted group levels (documents with a missing group are left out).
    vocabulary : list of str
        Sorted terms.
    """
    documents, group_col = _qualified(documents, group_col)
    if group_col not in documents.columns:
        raise ValueError(f"documents have no column {group_col!r}")
    meta = documents[["doc_id", group_col]].assign(doc_id=documents["doc_id"].astype(str)).drop_duplicates("doc_id")
    df = tokens[["doc_id", "tokens"]].assign(doc_id=tokens["doc_id"].astype(str)).merge(meta, on="doc_id", how="inner")
    missing = df[group_col].isna()
    if missing.any():
        logger.warning("%d document(s) without %s are left out", int(missing.sum()), group_col)
        df = df[~missing]
    X, vocab = document_term_matrix(df["tokens"], min_df=min_df, max_df=max_df, keep_n=keep_n)
    groups = sorted(df[group_col].unique().tolist())
    index = {g: i for i, g in enumerate(groups)}
    rows = np.array([index[g] for g in df[group_col]], dtype=np.int64)
    indicator = sp.csr_matrix((np.ones(len(rows)), (rows, np.arange(len(rows)))), shape=(len(groups), len(rows)))
    counts = (indicator @ X).tocsr()
    counts.data = np.rint(counts.data)
    return counts.astype(np.int64), groups, vocab.terms


def _qualified(documents: pd.DataFrame, group_col: str) -> tuple[pd.DataFrame, str]:
    """Documents and group column with a district qualified by its province (its locality)."""
    if group_col not in ("district", "locality"):
        return documents, group_col
    documents, _ = qualify_grouping(documents, ["district"])
    return documents, "locality" if "locality" in documents.columns else group_col


_UNIT_TYPE = re.compile(r"^(?:thành phố|thị xã|thị trấn|quận|huyện|phường|xã|tỉnh)\s+", re.IGNORECASE)
#: A single-syllable token is a name fragment when at least this share of its occurrences sit inside a name.
NAME_FRAGMENT_SHARE = 0.5


def _syllables(name: str) -> tuple[str, ...]:
    return tuple(_UNIT_TYPE.sub("", str(name).strip()).lower().split())


def _local_place_names(documents: pd.DataFrame) -> set[tuple[str, ...]]:
    """Names (as syllables) of the corpus's own provinces, districts and their communes and wards."""
    names: set[tuple[str, ...]] = set()
    if "province" not in documents.columns:
        return names
    districts = documents["district"] if "district" in documents.columns else pd.Series("", index=documents.index)
    pairs = {(str(p), str(d) if pd.notna(d) else "") for p, d in zip(documents["province"], districts) if pd.notna(p) and str(p)}
    for province, district in sorted(pairs):
        names.add(_syllables(province))
        if not district:
            continue
        names.add(_syllables(district))
        try:
            names.update(_syllables(w) for w in district_wards(province, district))
        except ValueError as exc:  # a locality the gazetteer does not know: its own name still counts
            logger.info("keyness: no communes for %s, %s (%s)", district, province, exc)
    return {n for n in names if n}


def name_terms(tokens: pd.DataFrame, documents: pd.DataFrame) -> frozenset[str]:
    """Tokens that name places or persons, which :func:`keyness_table` leaves out by default.

    A locality's own name is its most distinctive "term" and says nothing a
    reader does not know (``giao_thủy`` for Huyện Giao Thủy), so:

    * every place name of the gazetteer (:func:`toolkit.places.place_names`:
      provinces, districts, communes and wards, before and after 2025) of two
      syllables or more, as a token (``hải_hậu``, ``long_biên``);
    * the names of the corpus's own localities (``documents``' ``province``
      and ``district``, and the communes and wards of those districts), their
      single-syllable names (``huế``) and every run of two or more syllables
      of them (``giao_thủy``, ``xuân_trường``), and the single syllables of
      the province and district names (``giao``, ``sơn``);
    * person names of the token table's ``persons`` column (``Trần Thị
      Hương`` → ``trần_thị_hương`` and its runs of two or more syllables);
    * a single-syllable token (``kim``, ``phúc``) when at least
      :data:`NAME_FRAGMENT_SHARE` of its occurrences in ``tokens`` sit inside
      a place or person name of two or more syllables written over several
      tokens (``kim`` + ``chung`` for Xã Kim Chung). Common words that also
      occur in names (``dân``, ``đạo``, ``hòa``) mostly occur outside them,
      so they stay.

    Returns
    -------
    frozenset of str
        Tokens as the token table writes them (lower-case, syllables joined by ``_``).
    """
    local = _local_place_names(documents)
    persons: set[tuple[str, ...]] = set()
    if "persons" in tokens.columns:
        for names in tokens["persons"]:
            if names is not None and not (isinstance(names, float) and np.isnan(names)):
                persons.update(tuple(str(n).lower().split()) for n in names if str(n).strip())
    whole = {tuple(n.split()) for n in place_names() if any(ch.isalpha() for ch in n)}
    excluded: set[str] = {"_".join(n) for n in whole if len(n) > 1}
    for name in local | persons:
        if len(name) == 1 and name in local:
            excluded.add(name[0])
        for i in range(len(name)):
            for j in range(i + 2, len(name) + 1):
                excluded.add("_".join(name[i:j]))
    for name in {_syllables(n) for n in (*documents.get("province", ()), *documents.get("district", ()))
                 if isinstance(n, str)}:
        excluded.update(name)
    # Single syllables split from longer names: count how often each sits inside one
    # (a name spans whole tokens: "kim" + "chung", never part of "kim_chung").
    longer = {name for name in whole | local | persons if len(name) > 1}
    longest = max(map(len, longer), default=0)
    inside: Counter = Counter()
    total: Counter = Counter()
    for doc in tokens["tokens"]:
        doc = [str(t).split("_") for t in doc]
        covered: set[int] = set()
        for k, parts in enumerate(doc):
            if len(parts) == 1:
                total[parts[0]] += 1
            span = tuple(parts)
            for m in range(k + 1, len(doc)):
                span += tuple(doc[m])
                if len(span) > longest:
                    break
                if span in longer:
                    covered.update(range(k, m + 1))
        for k in covered:
            if len(doc[k]) == 1:
                inside[doc[k][0]] += 1
    excluded.update(t for t, n in inside.items() if n >= NAME_FRAGMENT_SHARE * total[t])
    return frozenset(excluded)


def keyness_table(
    tokens: pd.DataFrame,
    documents: pd.DataFrame,
    group_col: str,
    target=None,
    reference=None,
    *,
    prior: str = "informative",
    alpha0: float | None = None,
    min_count: int = 5,
    min_df: int | float = MIN_DF,
    max_df: int | float = MAX_DF,
    keep_n: int | None = None,
    keep_places: bool = False,
) -> pd.DataFrame:
    """Distinctive terms of groups (districts, provinces, periods) by weighted log-odds.

    Parameters
    ----------
    tokens : DataFrame
        Token table (``doc_id``, ``tokens``).
    documents : DataFrame
        Document table with ``doc_id`` and ``group_col``.
    group_col : str
        Column defining the groups (``"district"``, ``"province"``,
        ``"year"``). ``"district"`` (like ``"locality"``) groups by the
        district of its province: the group label is the locality
        (``"Huyện Châu Thành, Bến Tre"``).
    target : optional
        One group. ``None``: every group in turn, each against all others.
        Grouping by district or locality, a district name unique in the
        corpus may stand for its locality (``"Huyện Long Phú"``).
    reference : optional
        The group to compare ``target`` with. ``None``: all other groups.
    prior, alpha0
        See :func:`keyness`; the informative prior is the term's share of the
        two corpora compared (target + reference).
    min_count : int
        Report only terms with ``count_target + count_reference >= min_count``
        (all terms count in the totals and the prior).
    min_df, max_df, keep_n
        The vocabulary (see :func:`group_term_counts`); by default every
        term, so the totals and the prior are those of the whole corpus.
    keep_places : bool
        ``False`` (default): leave out of the report the tokens that name
        places or persons (:func:`name_terms`: gazetteer names, the corpus's
        own localities and their communes, the syllables split from them,
        the ``persons`` of the token table). They still count in the totals
        and the prior. ``True``: report every term.

    Returns
    -------
    DataFrame
        ``group`` (the target), ``term``, ``count_target``,
        ``count_reference``, ``log_odds``, ``z``, ``chi2``, ``g2``,
        ``p_value`` (see :func:`keyness`), sorted by ``group``, ``z``
        descending, ``term``. Positive ``z``: over-represented in the group.
    """
    if reference is not None and target is None:
        raise ValueError("reference needs a target")
    counts, groups, vocab = group_term_counts(tokens, documents, group_col, min_df=min_df, max_df=max_df,
                                              keep_n=keep_n)
    vocab_arr = np.array(vocab, dtype=object)
    if group_col in ("district", "locality"):
        target, reference = (resolve_locality(str(g), groups) if g is not None else None for g in (target, reference))
    if target is not None:
        for g in (target,) + ((reference,) if reference is not None else ()):
            if g not in groups:
                raise ValueError(f"{group_col}={g!r} has no documents; groups: {groups[:20]}")
        targets = [target]
    else:
        targets = groups
    total = np.asarray(counts.sum(axis=0)).ravel()
    reported = np.ones(len(vocab), dtype=bool)
    if not keep_places:
        names = name_terms(tokens, documents)
        reported = np.array([t not in names for t in vocab], dtype=bool)
        logger.info("keyness: %d place and person name tokens left out of the report (keep_places=True keeps them)",
                    int((~reported).sum()))
    parts = []
    for g in targets:
        yi = counts[groups.index(g)].toarray().ravel()
        yj = counts[groups.index(reference)].toarray().ravel() if reference is not None else total - yi
        stats_ = keyness(yi, yj, prior=prior, alpha0=alpha0)
        keep = ((yi + yj) >= min_count) & reported
        stats_ = stats_[keep]
        stats_.insert(0, "term", vocab_arr[keep])
        stats_.insert(0, "group", g)
        parts.append(stats_)
    if not parts:
        return pd.DataFrame(columns=KEYNESS_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    order = np.lexsort((out["term"].to_numpy(), -out["z"].to_numpy(), pd.factorize(out["group"], sort=True)[0]))
    return out.iloc[order].reset_index(drop=True)[KEYNESS_COLUMNS]


def tfidf_top_terms(
    tokens: pd.DataFrame,
    documents: pd.DataFrame,
    group_col: str,
    n_terms: int = 10,
    *,
    sublinear_tf: bool = True,
    min_df: int | float = MIN_DF,
    max_df: int | float = MAX_DF,
    keep_n: int | None = None,
) -> pd.DataFrame:
    """The ``n_terms`` highest TF-IDF terms of each group, groups as documents.

    Each group's tokens are pooled into one document and scikit-learn's
    :class:`~sklearn.feature_extraction.text.TfidfTransformer` weighs the
    group × term counts (``idf = ln((1 + G) / (1 + g_w)) + 1`` over the G
    groups, ``sublinear_tf``: ``1 + ln(tf)``, rows L2-normalized). A term
    used by every group gets the lowest idf, so the top terms are those a
    group uses a lot and few other groups use. ``min_df``, ``max_df``,
    ``keep_n`` choose the vocabulary over the documents (not the groups), as
    in :func:`group_term_counts`.

    Returns
    -------
    DataFrame
        ``group``, ``term``, ``tfidf``, ``rank`` (1 = highest), sorted by
        ``group`` then ``rank``; ties broken by the term.
    """
    counts, groups, vocab = group_term_counts(tokens, documents, group_col, min_df=min_df, max_df=max_df,
                                              keep_n=keep_n)
    columns = ["group", "term", "tfidf", "rank"]
    if not groups or not vocab:
        return pd.DataFrame(columns=columns)
    weights = tfidf_weights(counts, sublinear_tf=sublinear_tf).toarray()
    vocab_arr = np.array(vocab, dtype=object)
    rows = []
    for g, w in zip(groups, weights):
        nz = np.flatnonzero(w > 0)
        order = nz[np.lexsort((vocab_arr[nz], -w[nz]))][:n_terms]
        for rank, j in enumerate(order, start=1):
            rows.append((g, vocab_arr[j], float(w[j]), rank))
    return pd.DataFrame(rows, columns=columns)
