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
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import special

from toolkit.places import district_wards, place_names, qualify_grouping, resolve_locality
from toolkit.text.vocabulary import MAX_DF, MIN_DF, document_term_matrix, tfidf_weights

logger = logging.getLogger("toolkit.keyness")

__all__ = ["group_term_counts", "iter_keyness", "keyness", "keyness_table", "name_terms", "tfidf_top_terms"]

PRIORS = ("informative", "uniform")
KEYNESS_COLUMNS = ["group", "term", "count_target", "count_reference", "log_odds", "z", "chi2", "g2", "p_value",
                   "n_docs", "small_group"]
#: Groups with fewer documents are flagged ``small_group`` (as theme shares flag ``small_cell``).
MIN_DOCS = 5


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
    delta, z = _log_odds(yi, yj, prior=prior, alpha0=alpha0, prior_counts=prior_counts)
    chi2, g2 = _two_by_two(yi, yj, yi.sum(), yj.sum())
    return pd.DataFrame({
        "count_target": yi.astype(np.int64) if np.all(yi == np.round(yi)) else yi,
        "count_reference": yj.astype(np.int64) if np.all(yj == np.round(yj)) else yj,
        "log_odds": delta,
        "z": z,
        "chi2": chi2,
        "g2": g2,
        "p_value": _p_value(z),
    })


def _log_odds(yi: np.ndarray, yj: np.ndarray, *, prior: str, alpha0: float | None,
              prior_counts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """δ and z of every term (Monroe et al. 2008, eq. 16, 18–22); vectors of the vocabulary's length."""
    alpha, a0 = _prior(yi + yj if prior_counts is None else prior_counts, prior=prior, alpha0=alpha0)
    return _delta_z(yi, yj, alpha, a0)


def _prior(background: np.ndarray, *, prior: str, alpha0: float | None) -> tuple[np.ndarray, float]:
    """The prior pseudo-counts α_w of every term and their total α0."""
    background = np.asarray(background, dtype=float)
    n_terms = len(background)
    a0 = float(alpha0) if alpha0 is not None else float(max(n_terms, 1))
    if prior == "informative":
        total = background.sum()
        alpha = a0 * background / total if total > 0 else np.full(n_terms, a0 / max(n_terms, 1))
        # A term absent from the background would get α = 0 and an infinite δ: give it a tiny floor.
        return np.maximum(alpha, 1e-9), a0
    if prior == "uniform":
        return np.full(n_terms, a0 / max(n_terms, 1)), a0
    raise ValueError(f"prior={prior!r}: use one of {', '.join(PRIORS)}")


def _delta_z(yi: np.ndarray, yj: np.ndarray, alpha: np.ndarray, a0: float) -> tuple[np.ndarray, np.ndarray]:
    ni, nj = yi.sum(), yj.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        a = yi + alpha
        b = yj + alpha
        # δ = log(a / (n_i + α0 − a)) − log(b / (n_j + α0 − b)), one log per term (called once per group)
        delta = np.log((a * (nj + a0 - b)) / ((ni + a0 - a) * b))
        # z = δ / √(1/a + 1/b) = δ · √(ab / (a + b))
        z = delta * np.sqrt(a * b / (a + b))
    return delta, z


def _p_value(z: np.ndarray) -> np.ndarray:
    """Two-sided normal p-value, ``2 · scipy.stats.norm.sf(|z|)`` (``ndtr`` directly: no per-call overhead)."""
    return 2.0 * special.ndtr(-np.abs(z))


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
        Sparse: a group's row holds only the terms it uses.
    groups : list
        Sorted group levels (documents with a missing or empty group are left out).
    vocabulary : list of str
        Sorted terms.
    """
    counts, groups, vocab, _ = _group_counts(tokens, documents, group_col, min_df=min_df, max_df=max_df,
                                             keep_n=keep_n)
    return counts, groups, vocab


def _group_counts(tokens: pd.DataFrame, documents: pd.DataFrame, group_col: str, *, min_df, max_df,
                  keep_n) -> tuple[sp.csr_matrix, list, list[str], np.ndarray]:
    """:func:`group_term_counts` and the number of documents of each group."""
    documents, group_col = _qualified(documents, group_col)
    if group_col not in documents.columns:
        raise ValueError(f"documents have no column {group_col!r}")
    meta = documents[["doc_id", group_col]].assign(doc_id=documents["doc_id"].astype(str)).drop_duplicates("doc_id")
    df = tokens[["doc_id", "tokens"]].assign(doc_id=tokens["doc_id"].astype(str)).merge(meta, on="doc_id", how="inner")
    # An empty value (a document whose locality could not be read) is no group: "(unknown)" has no
    # vocabulary of its own, and as the largest "group" of a corpus without localities it would lead every figure.
    missing = df[group_col].isna() | (df[group_col].astype(str).str.strip() == "")
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
    n_docs = np.bincount(rows, minlength=len(groups)).astype(np.int64)
    return counts.astype(np.int64), groups, vocab.terms, n_docs


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


#: Ho Chi Minh City as the press abbreviates it ("TP.HCM", "TPHCM"): the abbreviation expander keeps it as
#: written (README: "TP" is ambiguous), so its tokens are not the gazetteer's hồ_chí_minh.
PLACE_ABBREVIATIONS = frozenset({"hcm", "tphcm", "tp.hcm"})


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
    * Ho Chi Minh City's abbreviations (:data:`PLACE_ABBREVIATIONS`: ``hcm``,
      ``tphcm``);
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
    excluded.update(PLACE_ABBREVIATIONS)
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


def iter_keyness(
    tokens: pd.DataFrame,
    documents: pd.DataFrame,
    group_col: str,
    target=None,
    reference=None,
    *,
    prior: str = "informative",
    alpha0: float | None = None,
    min_count: int = 5,
    top_n: int | None = None,
    min_docs: int = MIN_DOCS,
    min_df: int | float = MIN_DF,
    max_df: int | float = MAX_DF,
    keep_n: int | None = None,
    keep_places: bool = False,
) -> Iterator[pd.DataFrame]:
    """:func:`keyness_table` one group at a time, in group order.

    Each part has the columns and the sort order of :func:`keyness_table`
    and holds one group's rows (a group with no term left by ``min_count``
    yields nothing); concatenated, the parts are :func:`keyness_table` with
    the same arguments. Memory stays O(vocabulary + top_n) per part, so the
    full table (``top_n=None``) of hundreds of groups can be streamed to
    disk (:func:`toolkit.report.files.write_keyness_parquet`) without ever
    being held.
    """
    for group, cols in _keyness_parts(tokens, documents, group_col, target, reference, prior=prior, alpha0=alpha0,
                                      min_count=min_count, top_n=top_n, min_docs=min_docs, min_df=min_df,
                                      max_df=max_df, keep_n=keep_n, keep_places=keep_places):
        yield _part_frame(group, cols)


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
    top_n: int | None = None,
    min_docs: int = MIN_DOCS,
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
    top_n : int, optional
        Keep the ``top_n`` most over-represented terms of each group (highest
        ``z``; ties at the cut broken by the term, exactly the first rows of
        the full table). ``None``: every term that passes ``min_count`` (the
        full table: groups × vocabulary rows — on a large corpus stream it
        with :func:`iter_keyness` instead). Each group is computed on its
        own sparse row, so memory is O(vocabulary + groups × top_n) whatever
        the number of groups.
    min_docs : int
        Groups with fewer documents are kept and flagged ``small_group``:
        their terms are ranked on a handful of texts, so read them as
        anecdotes. They are neither dropped nor pooled (a pool of unrelated
        small localities has no distinctive vocabulary of its own), and their
        documents always count in the "rest" of the other groups.
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
        ``p_value`` (see :func:`keyness`), ``n_docs`` (documents of the
        group), ``small_group`` (``n_docs < min_docs``), sorted by ``group``,
        ``z`` descending, ``term``. Positive ``z``: over-represented in the
        group.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "province": ["Bến Tre", "Bến Tre", "Sóc Trăng"]})
    >>> tokens = pd.DataFrame({"doc_id": ["a", "b", "c"],
    ...                        "tokens": [["dừa", "dừa", "dân_vận"], ["dừa", "dân_vận"], ["lúa", "dân_vận"]]})
    >>> keyness_table(tokens, docs, "province", min_count=1, top_n=1, min_docs=2)[["group", "term", "n_docs", "small_group"]]
           group term  n_docs  small_group
    0    Bến Tre  dừa       2        False
    1  Sóc Trăng  lúa       1         True
    """
    parts = list(_keyness_parts(tokens, documents, group_col, target, reference, prior=prior, alpha0=alpha0,
                                min_count=min_count, top_n=top_n, min_docs=min_docs, min_df=min_df, max_df=max_df,
                                keep_n=keep_n, keep_places=keep_places))
    if not parts:
        return pd.DataFrame(columns=KEYNESS_COLUMNS)
    sizes = [len(cols["term"]) for _, cols in parts]
    # One frame from the concatenated arrays: no per-group DataFrame to build and concatenate.
    data = {"group": np.repeat(np.array([g for g, _ in parts], dtype=object), sizes)}
    for column in KEYNESS_COLUMNS[1:]:
        data[column] = np.concatenate([cols[column] for _, cols in parts])
    out = pd.DataFrame(data, columns=KEYNESS_COLUMNS)
    if not isinstance(parts[0][0], str):
        out["group"] = out["group"].infer_objects()
    return out


def _part_frame(group, cols: dict[str, np.ndarray]) -> pd.DataFrame:
    frame = pd.DataFrame(cols, columns=KEYNESS_COLUMNS[1:])
    frame.insert(0, "group", group)
    return frame


def _keyness_parts(tokens, documents, group_col, target, reference, *, prior, alpha0, min_count, top_n, min_docs,
                   min_df, max_df, keep_n, keep_places) -> Iterator[tuple[object, dict[str, np.ndarray]]]:
    """(group, columns) of each target group, in group order, its rows sorted by z descending then term."""
    if reference is not None and target is None:
        raise ValueError("reference needs a target")
    if top_n is not None and top_n < 1:
        raise ValueError(f"top_n={top_n!r}: use a positive number of terms, or None for every term")
    if prior not in PRIORS:
        raise ValueError(f"prior={prior!r}: use one of {', '.join(PRIORS)}")
    counts, groups, vocab, n_docs = _group_counts(tokens, documents, group_col, min_df=min_df, max_df=max_df,
                                                  keep_n=keep_n)
    vocab_arr = np.array(vocab, dtype=object)
    index = {g: i for i, g in enumerate(groups)}
    if group_col in ("district", "locality"):
        target, reference = (resolve_locality(str(g), groups) if g is not None else None for g in (target, reference))
    if target is not None:
        for g in (target,) + ((reference,) if reference is not None else ()):
            if g not in index:
                raise ValueError(f"{group_col}={g!r} has no documents; groups: {groups[:20]}")
        targets = [target]
    else:
        targets = groups
    n_terms = counts.shape[1]
    total = np.asarray(counts.sum(axis=0)).ravel().astype(float)
    # Place and person names still count in the totals and the prior; they are only not reported.
    reported = np.ones(n_terms, dtype=bool)
    if not keep_places:
        names = name_terms(tokens, documents)
        reported = np.fromiter((t not in names for t in vocab), dtype=bool, count=n_terms)
        logger.info("keyness: %d place and person name tokens left out of the report (keep_places=True keeps them)",
                    int((~reported).sum()))
    # Each group against the rest: target + reference is the whole corpus for every group, so the
    # informative prior and the terms passing min_count are the same for all (computed once).
    shared = _prior(total, prior=prior, alpha0=alpha0) if reference is None else None
    shared_terms = np.flatnonzero((total >= min_count) & reported) if reference is None else None
    n_small = 0
    for g in targets:
        # One sparse row at a time: vectors of the vocabulary's length, never groups × vocabulary.
        yi = _dense_row(counts, index[g], n_terms)
        if reference is None:
            yj = total - yi
            delta, z = _delta_z(yi, yj, *shared)
            candidates = shared_terms
        else:
            yj = _dense_row(counts, index[reference], n_terms)
            delta, z = _log_odds(yi, yj, prior=prior, alpha0=alpha0)
            candidates = np.flatnonzero(((yi + yj) >= min_count) & reported)
        rows = _top_rows(z, candidates, top_n)
        if not len(rows):
            continue
        chi2, g2 = _two_by_two(yi[rows], yj[rows], yi.sum(), yj.sum())
        small = int(n_docs[index[g]]) < min_docs
        n_small += small
        yield g, {
            "term": vocab_arr[rows],
            "count_target": yi[rows].astype(np.int64),
            "count_reference": yj[rows].astype(np.int64),
            "log_odds": delta[rows],
            "z": z[rows],
            "chi2": chi2,
            "g2": g2,
            "p_value": _p_value(z[rows]),
            "n_docs": np.full(len(rows), n_docs[index[g]], dtype=np.int64),
            "small_group": np.full(len(rows), small, dtype=bool),
        }
    if n_small:
        logger.info("%d of %d group(s) have fewer than %d documents: flagged small_group", n_small, len(targets),
                    min_docs)


def _dense_row(counts: sp.csr_matrix, i: int, n_terms: int) -> np.ndarray:
    row = np.zeros(n_terms)
    start, stop = counts.indptr[i], counts.indptr[i + 1]
    row[counts.indices[start:stop]] = counts.data[start:stop]
    return row


def _top_rows(z: np.ndarray, candidates: np.ndarray, top_n: int | None) -> np.ndarray:
    """The candidate term indices in table order (z descending, then term), the first ``top_n`` of them.

    The vocabulary is sorted, so the term order is the index order. With
    ``top_n``, :func:`numpy.argpartition` finds the cut in O(vocabulary);
    every candidate tied with the cut stays in until the final sort, so the
    result is exactly the first ``top_n`` rows of the full sort.
    """
    if top_n is not None and len(candidates) > top_n:
        # NaN z (degenerate tables) sort last, as in the full table.
        key = z[candidates]  # a copy
        key[np.isnan(key)] = -np.inf
        cut = key[np.argpartition(-key, top_n - 1)[top_n - 1]]
        candidates = candidates[key >= cut]
    order = np.lexsort((candidates, -z[candidates]))
    return candidates[order][:top_n]


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
    keep_places: bool = False,
) -> pd.DataFrame:
    """The ``n_terms`` highest TF-IDF terms of each group, groups as documents.

    Each group's tokens are pooled into one document and scikit-learn's
    :class:`~sklearn.feature_extraction.text.TfidfTransformer` weighs the
    group × term counts (``idf = ln((1 + G) / (1 + g_w)) + 1`` over the G
    groups, ``sublinear_tf``: ``1 + ln(tf)``, rows L2-normalized). A term
    used by every group gets the lowest idf, 1, which is not 0: with few
    groups (13 localities: a term of one group weighs at most 2.9 times one
    of all) the genre's frequent words (``ban_dân_vận``, ``hội_nghị``) still
    fill most of a group's top terms. They describe what a group writes
    most; what sets a group apart from the others is :func:`keyness_table`'s
    question (a log-odds ``z`` against the rest). ``min_df``, ``max_df``,
    ``keep_n`` choose the vocabulary over the documents (not the groups), as
    in :func:`group_term_counts`. As in :func:`keyness_table`, place and person
    names (:func:`name_terms`) are weighed but not reported unless
    ``keep_places``: a group's own name is its top TF-IDF term and tells a
    reader nothing.

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
    # Sparse rows: a group's weights are its own terms only, never a dense groups × vocabulary array.
    weights = sp.csr_matrix(tfidf_weights(counts, sublinear_tf=sublinear_tf))
    vocab_arr = np.array(vocab, dtype=object)
    names = frozenset() if keep_places else name_terms(tokens, documents)
    reported = np.fromiter((t not in names for t in vocab), dtype=bool, count=len(vocab))
    rows = []
    for i, g in enumerate(groups):
        start, stop = weights.indptr[i], weights.indptr[i + 1]
        terms, w = weights.indices[start:stop], weights.data[start:stop]
        positive = (w > 0) & reported[terms]
        terms, w = terms[positive], w[positive]
        # The vocabulary is sorted: ties broken by the term are ties broken by its index.
        order = np.lexsort((terms, -w))[:n_terms]
        for rank, j in enumerate(order, start=1):
            rows.append((g, vocab_arr[terms[j]], float(w[j]), rank))
    return pd.DataFrame(rows, columns=columns)
