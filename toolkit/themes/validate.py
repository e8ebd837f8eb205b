"""Validating a theme measure against human coding: sample, score, train.

Text-as-data practice (Grimmer, Roberts & Stewart): a dictionary is a
measurement instrument whose precision and recall must be measured on
documents that people have read. This module holds the three steps of that
workflow (``python -m toolkit validate sample|score|train``):

1. :func:`validation_sample` draws a stratified sample of a corpus for
   coding: documents the dictionary flags (per theme) and documents it does
   not, spread over localities and years, with the sampling weight of every
   document and the KWIC lines that made each hit.
2. :func:`score_sheet` reads the coded sheet back: per theme precision,
   recall and F1 with intervals, weighted back to the corpus with the
   sampling weights per stratum (intervals from the stratified
   finite-population posterior of :func:`score_predictions`);
   :func:`agreement` gives Cohen's kappa and Krippendorff's alpha between
   two coders; :func:`term_table` says which
   terms produced the false positives and how many missed documents
   contained only weak terms, or no term at all. To code blind,
   :func:`blind_sheets` gives each coder a sheet of the documents alone (no
   dictionary output, an order of their own) and :func:`merge_coder_sheets`
   brings their labels back into the full sheet by ``doc_id``.
3. :func:`train_classifier` fits a supervised measure (logistic regression on
   TF-IDF of the toolkit's tokens) where the dictionary falls short, with
   cross-validated precision and recall computed exactly as in 2;
   :func:`classifier_hits` applies it, in the shape of
   :func:`toolkit.themes.dictionary.theme_hits`; :func:`classifier_columns`
   adds its ``t__classifier`` column to a coded sheet, so that
   :func:`score_sheet` scores it (``measure="classifier"``), and
   :func:`training_overlap` says which of the sheet's documents it was
   trained on (a score on those is optimistic).

The coding sheet is one row per document. For every theme ``t`` it has the
columns ``t__dictionary`` (0/1, what the dictionary says), ``t__terms``
(the terms counted, ``term (n); …``), ``t__weak_terms`` (weak terms found
that the weak-term rule did not count: no other term of the theme beside
them, outside the theme's ``weak_alone_between`` window or where its
``weak_alone_unless`` matches), ``t__kwic`` (the lines that made the hit, and a note for each
counted occurrence without a line) and one column per coder, ``t__coder1`` and ``t__coder2`` (or the
names given to ``coders``: any ``t__<name>`` column that is not one of
:data:`NON_CODER_COLUMNS` is a coder's), left empty for the coders (1 = the
document has the theme, 0 = it does not). A column ``t__gold`` (an
adjudicated label), when present, is the reference in scoring; otherwise
the first coder's column (in the sheet's order) with labels is. Beside the
sampling design's ``stratum`` and ``weight`` (``N_h / n_h``), the column
``t__stratum_flagged`` holds how many documents of the row's stratum the
dictionary flags for ``t`` (the same number on every row of a stratum):
weighted scoring takes the flagged and unflagged sizes of each stratum from
it rather than estimating them from the rows read.

Only pure functions live here; the CLI reads and writes the files.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from toolkit.text.vocabulary import MAX_DF, TermCounter
from toolkit.themes.shares import proportion_interval

logger = logging.getLogger("toolkit.themes.validate")

SEP = "__"
CODERS = ("coder1", "coder2")
#: Suffix of the sheet's and the strata table's ``t__stratum_flagged``: how many documents of the stratum
#: the dictionary flags for theme ``t`` (every document, read or not), written by :func:`validation_sample`.
STRATUM_FLAGGED = "stratum_flagged"
SCORE_COLUMNS = [
    "theme", "measure", "reference", "weighted", "n_coded", "tp", "fp", "fn", "tn",
    "precision", "precision_low", "precision_high", "recall", "recall_low", "recall_high",
    "f1", "f1_low", "f1_high", "prevalence", "prevalence_low", "prevalence_high", "measured_share",
]


# --------------------------------------------------------------------------
# Intervals for weighted proportions
# --------------------------------------------------------------------------


def _kish(weights: np.ndarray) -> float:
    """Kish effective sample size of weighted observations."""
    s2 = float(np.sum(weights * weights))
    return float(np.sum(weights)) ** 2 / s2 if s2 > 0 else 0.0


def _weighted_rate(hit: np.ndarray, weights: np.ndarray, ci: float) -> tuple[float, float, float]:
    """Weighted share of ``hit`` with a Wilson interval on the Kish effective size."""
    if len(hit) == 0 or weights.sum() <= 0:
        return (math.nan, math.nan, math.nan)
    p = float(np.sum(weights * hit) / np.sum(weights))
    n_eff = _kish(weights)
    low, high = proportion_interval(p * n_eff, n_eff, ci=ci)
    return p, float(low[0]), float(high[0])


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan


#: A difference of documents below this is the rounding of summed weights (3,000 documents drawn 7 at a time
#: weigh 3000/7 each, which sum to 2999.9999999999995), not a document.
_ROUNDING = 1e-6


def _known_flagged(labels: np.ndarray, valid: np.ndarray, values: np.ndarray, flag: np.ndarray, pred: np.ndarray,
                   weights: np.ndarray, what: str) -> dict[str, float] | None:
    """Stratum → the documents there that the measure flags (``t__stratum_flagged``), checked against the rows.

    ``values`` holds the column on every sheet row (NaN where blank); ``None``
    when it is blank on every row with a weight (a sheet drawn before the
    column was written, scored as before). Raises ``ValueError`` naming the
    column and the stratum when the rows of a stratum hold different counts,
    when it is blank in some strata only, or when a count is not a whole
    number of documents, is below the stratum's flagged rows, or leaves fewer
    documents of ``N_h`` (the sum of its weights) than its unflagged rows.
    """
    column = f"{what}{SEP}{STRATUM_FLAGGED}" if what else STRATUM_FLAGGED
    if np.isnan(values[valid]).all():
        return None
    out: dict[str, float] = {}
    blank = []
    for h in sorted(set(labels[valid])):
        rows = valid & (labels == h)
        given = np.unique(values[rows & ~np.isnan(values)])
        if len(given) == 0:
            blank.append(h)
            continue
        if len(given) > 1:
            raise ValueError(f"column {column!r}: the rows of stratum {h!r} hold {', '.join(f'{v:g}' for v in given)}: "
                             "one count per stratum, on each of its rows (as `validate sample` wrote it)")
        n_flagged = float(given[0])
        if n_flagged < 0 or n_flagged != round(n_flagged):
            raise ValueError(f"column {column!r}, stratum {h!r}: {n_flagged:g} is not a number of documents")
        shown = rows & ~np.isnan(pred)
        flag_rows, other_rows = int((shown & flag).sum()), int((shown & ~flag).sum())
        big_n = float(weights[rows].sum())
        if n_flagged < flag_rows:
            raise ValueError(f"column {column!r}, stratum {h!r}: {n_flagged:g} flagged document(s), but the sheet "
                             f"holds {flag_rows} flagged row(s) of that stratum: the counts are not this sheet's")
        if big_n - n_flagged < other_rows - _ROUNDING:
            raise ValueError(f"column {column!r}, stratum {h!r}: the weights of its rows sum to {big_n:g} documents, "
                             f"too few for the {n_flagged:g} the dictionary flags there and its {other_rows} "
                             "unflagged row(s): a row of the stratum deleted, or its weights edited? Keep every row "
                             "`validate sample` wrote (blank its labels rather than delete it)")
        out[h] = n_flagged
    if blank:
        raise ValueError(f"column {column!r} is blank on the rows of stratum(s) {', '.join(map(repr, blank))} and "
                         "filled on others: fill it on every row (as `validate sample` wrote it), or on none")
    return out


def _warn_partial_strata(weights: np.ndarray, strata: np.ndarray) -> None:
    """Warn of a stratum whose rows' weights do not sum to a whole number of documents.

    `validate sample` gives every row of a stratum the weight ``N_h / n_h``, so its ``n_h`` rows sum to
    ``N_h``; a deleted row (or an edited weight) shrinks the stratum, and with it every weighted rate, silently.
    """
    valid = ~np.isnan(weights)
    odd = []
    for h in sorted({str(x) for x in strata[valid]}):
        total = float(weights[valid & (strata.astype(str) == h)].sum())
        if abs(total - round(total)) > 1e-6 * max(1.0, total):
            odd.append(f"{h!r} ({total:.1f})")
    if odd:
        logger.warning("stratum(s) %s: the rows' weights sum to no whole number of documents: a row deleted, or a "
                       "weight edited? Each stratum's weighted rates stand for the documents its weights sum to; "
                       "keep every row `validate sample` wrote (blank its labels rather than delete it)",
                       ", ".join(odd))


def _binomial(rng: np.random.Generator, total: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Binomial(total, p) draws for totals that may hold a fraction of a document, which counts by its fraction."""
    whole = np.floor(total)
    return rng.binomial(whole.astype(np.int64), p) + (total - whole) * (rng.random(p.shape) < p)


def _stratified_rates(pred: np.ndarray, ref: np.ndarray, weights: np.ndarray, strata, *, ci: float,
                      n_draws: int, random_state: int, what: str = "",
                      stratum_flagged: np.ndarray | None = None) -> dict[str, float]:
    """Weighted rates with intervals from a stratified finite-population posterior (see :func:`score_predictions`).

    ``pred`` and ``ref`` hold every row of the sheet (NaN where blank); a row
    with a weight counts in its stratum's population whether coded or not.

    ``stratum_flagged`` holds, on every row, how many documents of its
    stratum the measure flags (the sheet's ``t__stratum_flagged``; NaN where
    blank). With it the flagged and unflagged sizes of each stratum are
    known, not estimated: the measured share is exact, and precision's and
    recall's populations are those sizes. Without it (or blank on every row)
    a stratum's flagged size is estimated as ``N_h · n_h1 / n_h`` from its
    coded rows, as before the column was written, so a flagged document in
    a stratum where no coded row is flagged drops out of precision's
    population and counts among recall's possible misses.

    Estimated sizes are held fixed in the draws, except where the coded rows
    show the measure one way only: it flags none of them (or every one). Fixed,
    the sizes would then leave no flagged (unflagged) document anywhere, and
    recall would be certain at 0 (at 1), its interval 0–0 (1–1), and F1's
    interval 0–0 with it. Instead each stratum's flagged share is drawn
    in each draw from its Jeffreys posterior Beta(n_h1 + ½, n_h0 + ½), its
    unread documents split between the two cells by it, and a cell without a
    coded row gets its share of positives from the Jeffreys prior: recall of
    a measure that flags no coded document runs from 0 to an upper bound above
    0 that shrinks as more documents, and more positives, are read. Elsewhere
    the split is kept fixed: drawn in every stratum, it would put flagged
    documents into strata that a dictionary's sample keeps free of them (its
    ``miss`` stratum, on a sheet without counts) and widen a precision that a
    flagged stratum read in full makes exact. With counts, nothing is drawn:
    counts that say the measure flags no document (every document) make
    recall 0 (1) certain, and its interval 0–0 (1–1), as it should be.

    A known (stratum, flag) cell with documents but no coded row stays in the
    populations: in the intervals its share of positives is drawn from the
    Jeffreys prior (Beta(½, ½), the posterior at n = k = 0), and in the point
    estimates it is taken as the weighted share of positives of the coded
    documents with the same flag (NaN where there are none), with a warning
    naming the theme and the strata.

    Each interval is stretched to hold its point estimate: ``low, high =
    min(low, point), max(high, point)``. Where a cell has no positive (or no
    negative) read, the point estimate sits at the edge of what the cell may
    hold (none of its unread documents positive, or all), an edge its Beta
    posterior never reaches, so the draws' percentile bound may fall short of
    the point; the bound is then moved to the point, as a Jeffreys interval's
    lower bound is set to 0 at k = 0 (its upper to 1 at k = n). The interval
    is then wider than the draws' percentile interval, never narrower.
    """
    valid = ~np.isnan(weights)
    if strata is None:
        labels = np.array([f"weight {float(v):g}" for v in weights], dtype=object)
    else:
        labels = np.array(["" if pd.isna(v) else str(v) for v in strata], dtype=object)
        if len(labels) != len(weights):
            raise ValueError(f"{len(labels)} strata for {len(weights)} weights")
    keep = valid & ~np.isnan(pred) & ~np.isnan(ref)
    flag = pred > 0
    pos = ref > 0
    known = None
    if stratum_flagged is not None:
        values = np.asarray(stratum_flagged, dtype=float)
        if len(values) != len(weights):
            raise ValueError(f"{len(values)} flagged counts for {len(weights)} weights")
        known = _known_flagged(labels, valid, values, flag, pred, weights, what)
    w_point = np.zeros(len(weights))
    # one row per (stratum, predicted value): coded rows n, reference positives k, population N
    cells_n, cells_k, cells_size, cells_flag = [], [], [], []
    uncoded, below = [], []
    # estimated sizes: per coded stratum its flagged and unflagged coded rows, their positives, its unread documents
    splits: list[tuple[int, int, int, int, float]] = []
    unread_cells: list[tuple[str, bool, float]] = []  # known cells with documents and no coded row
    for h in sorted(set(labels[valid])):
        rows = valid & (labels == h)
        coded_h = keep & (labels == h)
        n_h = int(coded_h.sum())
        big_n = float(weights[rows].sum())
        if n_h == 0:
            flagged_h = bool((flag & rows & ~np.isnan(pred)).any()) if known is None else known[h] > 0
            uncoded.append((h, int(rows.sum()), flagged_h))
            continue
        if big_n < n_h:
            below.append(h)
        if known is None:
            w_point[coded_h] = big_n / n_h
            n_h1 = int((coded_h & flag).sum())
            splits.append((n_h1, int((coded_h & flag & pos).sum()), n_h - n_h1, int((coded_h & ~flag & pos).sum()),
                           max(big_n - n_h, 0.0)))
        for v in (True, False):
            in_cell = coded_h & (flag == v)
            n_hv = int(in_cell.sum())
            if known is None:
                if n_hv == 0:
                    continue
                # the unsampled rest of a cell is never negative: weights below 1 make the stratum a census
                size = max(big_n * n_hv / n_h, n_hv)
            else:
                size = known[h] if v else big_n - known[h]
                if n_hv == 0:
                    if size < _ROUNDING:
                        continue
                    unread_cells.append((h, v, size))
                else:
                    size = max(size, n_hv)
                    w_point[in_cell] = size / n_hv
            cells_n.append(n_hv)
            cells_k.append(int((in_cell & pos).sum()))
            cells_size.append(size)
            cells_flag.append(v)
    where = f"theme {what}: " if what else ""
    for h, n_rows, flagged in uncoded:
        logger.warning("%sstratum %r has %d row(s), none of them coded (%d blank): recall, F1 and prevalence%s "
                       "are not estimated (NaN); code some of its documents", where, h, n_rows, n_rows,
                       " and precision" if flagged else "")
    if below:
        logger.warning("%sstratum(s) %s: weights sum to fewer documents than were coded; the weights are not "
                       "population counts (N_h / n_h), and these strata are taken as a census", where,
                       ", ".join(map(repr, below)))
    for v in (True, False):
        cells = [(h, size) for h, flag_v, size in unread_cells if flag_v == v]
        if cells:
            logger.warning("%s%s document(s) the dictionary %s have no coded row (%s): they count in precision's and "
                           "recall's populations, with the share of positives of the coded %s documents in the point "
                           "estimates and a share drawn from the Jeffreys prior in the intervals; to measure them, "
                           "code a sample drawn for this theme", where, f"{sum(s for _, s in cells):g}",
                           "flags" if v else "does not flag", ", ".join(f"stratum {h!r}: {s:g}" for h, s in cells),
                           "flagged" if v else "unflagged")
    w = w_point[keep]
    f, r = flag[keep], pos[keep]
    tp, fp, fn = (float(np.sum(w[c])) for c in (f & r, f & ~r, ~f & r))
    total = float(np.sum(w))
    for v in (True, False):
        size_v = sum(size for _, flag_v, size in unread_cells if flag_v == v)
        if size_v:
            # cells collapsed for the point: an unread cell takes the share of the coded cells with its flag
            rate = _ratio(float(np.sum(w[(f == v) & r])), float(np.sum(w[f == v])))
            if v:
                tp, fp = tp + size_v * rate, fp + size_v * (1 - rate)
            else:
                fn += size_v * rate
            total += size_v
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    prevalence = _ratio(tp + fn, total)
    if known is not None:
        # the measure flags every document of the corpus: its share needs no label, nor any estimate
        share = _ratio(sum(known.values()), float(weights[valid].sum()))
    else:
        # the measure's share needs no label: a stratum nobody coded counts with the flags of its rows
        share_num = tp + fp
        share_den = total
        for h, _, _ in uncoded:
            rows = valid & (labels == h)
            known_rows = rows & ~np.isnan(pred)
            share_den += float(weights[rows].sum())
            share_num += float(weights[rows].sum()) * (float(flag[known_rows].mean()) if known_rows.any()
                                                       else math.nan)
        share = _ratio(share_num, share_den)
    if any(flagged for _, _, flagged in uncoded):
        precision = math.nan
    if uncoded:
        recall = f1 = prevalence = math.nan
    rng = np.random.default_rng(random_state)
    split = np.asarray(splits, float).reshape(-1, 5)
    # estimated sizes N_h·n_hv/n_h held fixed leave a measure that flags no coded document without a flagged cell
    # (every coded document: without an unflagged one), so no draw holds a true positive (a miss) and recall's
    # interval collapses to 0–0 (1–1); its flagged shares are drawn instead. Only then: drawn in every stratum,
    # they would put flagged documents into the strata that a dictionary's sample keeps free of them (`miss`, on
    # a sheet without counts) and widen precision known exactly from a stratum read in full
    drawn = known is None and len(split) > 0 and (not split[:, 0].any() or not split[:, 2].any())
    if drawn:
        # the unread documents of a stratum split between its flag values with its flagged share φ from its
        # Jeffreys posterior (each unread document flagged with φ), then hold positives as a cell's always do
        n_h1, k_h1, n_h0, k_h0, unread_h = split.T
        n_c, k_c = np.r_[n_h1, n_h0], np.r_[k_h1, k_h0]
        flag_c = np.r_[np.ones(len(split), bool), np.zeros(len(split), bool)]
        pi = rng.beta(k_c + 0.5, n_c - k_c + 0.5, size=(n_draws, len(n_c)))
        phi = rng.beta(n_h1 + 0.5, n_h0 + 0.5, size=(n_draws, len(split)))
        unread_1 = _binomial(rng, np.broadcast_to(unread_h, phi.shape), phi)
        unread = np.concatenate([unread_1, np.maximum(unread_h - unread_1, 0.0)], axis=1)
        positives = k_c + _binomial(rng, unread, pi)
        d_flagged = (n_c + unread)[:, flag_c].sum(axis=1)
        d_total = float(split[:, [0, 2, 4]].sum())
    else:
        n_c, k_c = np.asarray(cells_n, float), np.asarray(cells_k, float)
        size_c, flag_c = np.asarray(cells_size, float), np.asarray(cells_flag, bool)
        # positives of each cell: the k read ones plus those of the unread rest, each unread document positive
        # with the cell's share π, itself drawn from its Jeffreys posterior (the finite-population posterior
        # predictive; (N - n)·π alone would leave out the unread documents' own spread, and cover too little
        # where a stratum is read in good part)
        pi = rng.beta(k_c + 0.5, n_c - k_c + 0.5, size=(n_draws, len(n_c)))
        positives = k_c + _binomial(rng, np.broadcast_to(size_c - n_c, pi.shape), pi)
        d_flagged = float(size_c[flag_c].sum())
        d_total = float(size_c.sum())
    d_tp = positives[:, flag_c].sum(axis=1)
    d_fn = positives[:, ~flag_c].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        draws = {
            "precision": d_tp / d_flagged if np.all(d_flagged > 0) else np.full(n_draws, np.nan),
            "recall": d_tp / (d_tp + d_fn),
            "f1": 2 * d_tp / (d_flagged + d_tp + d_fn),  # 2TP / (2TP + FP + FN)
            "prevalence": (d_tp + d_fn) / d_total if d_total > 0 else np.full(n_draws, np.nan),
        }
    out: dict[str, float] = {}
    for name, point in (("precision", precision), ("recall", recall), ("f1", f1), ("prevalence", prevalence)):
        sample = draws[name]
        if math.isnan(point) or np.isnan(sample).any():
            low = high = math.nan
        else:
            low, high = (float(x) for x in np.quantile(sample, [(1 - ci) / 2, (1 + ci) / 2]))
            # no positive (or no negative) read in a cell: its Beta posterior never reaches the edge the
            # estimate sits on, so the interval is stretched to hold it (as Jeffreys intervals are at k = 0):
            # wider, never narrower
            low, high = min(low, point), max(high, point)
        out.update({name: point, f"{name}_low": low, f"{name}_high": high})
    out["measured_share"] = share
    return out


# --------------------------------------------------------------------------
# Sampling documents for coding
# --------------------------------------------------------------------------


def _allocate(sizes: dict[str, int], total: int) -> dict[str, int]:
    """Split ``total`` as evenly as possible over strata, never more than a stratum holds."""
    alloc = {s: 0 for s in sizes}
    left = total
    open_ = sorted(s for s in sizes if sizes[s] > 0)
    while left > 0 and open_:
        share = max(1, left // len(open_))
        for s in list(open_):
            take = min(share, sizes[s] - alloc[s], left)
            alloc[s] += take
            left -= take
            if alloc[s] >= sizes[s]:
                open_.remove(s)
            if left == 0:
                break
    return alloc


def _systematic(frame: pd.DataFrame, n: int, order: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """``n`` rows at equal steps through ``frame`` sorted by ``order``: spread over its localities and years."""
    if n >= len(frame):
        return frame
    ordered = frame.sort_values(order, kind="mergesort", na_position="last")
    step = len(ordered) / n
    start = rng.uniform(0, step)
    positions = np.floor(start + step * np.arange(n)).astype(int)
    return ordered.iloc[positions]


def _format_terms(row: np.ndarray, terms: list[str]) -> str:
    return "; ".join(f"{terms[j]} ({int(row[j])})" for j in np.flatnonzero(row))


def _unshown_note(term: str, n: int, n_words: int) -> str:
    """What a kwic cell says of ``n`` counted occurrences of ``term`` (``n_words`` syllables) that have no line.

    The dictionary counts on tokens without stopwords and punctuation, so the
    words of a term may be counted together across several dropped words or
    a full stop, where KWIC (at most two words apart, never across a full
    stop) finds no line; a one-word term has no line when KWIC's
    re-tokenized context does not confirm it (its rule's context lies
    beyond).
    """
    what = "occurrence" if n == 1 else "occurrences"
    if n_words > 1:
        why = f"{'its' if n == 1 else 'their'} words are far apart in the text"
    else:
        why = "counted on the tokens, not confirmed in the text's context"
    return f"(+{n} counted {what} of '{term}' without a line: {why})"


def _dropped_weak(raw: np.ndarray, counted: np.ndarray, theme, periods: np.ndarray) -> np.ndarray:
    """The counts of a theme's weak terms that the weak-term rule zeroed (documents × the theme's terms).

    ``raw`` and ``counted`` are the theme's columns before and after
    :func:`~toolkit.themes.dictionary.apply_weak_terms`; a document dated
    before the theme's ``not_before`` loses every term to the date rule, not
    to the weak-term rule, and has none here.
    """
    weak = np.array([term in theme.weak for term in theme.terms], dtype=bool)
    out = np.where(weak[None, :] & (counted == 0), raw, 0)
    if theme.not_before is not None:
        with np.errstate(invalid="ignore"):
            out[periods[:, 1] < theme.not_before] = 0
    return out


def _parse_terms(value) -> list[str]:
    if not isinstance(value, str) or not value.strip():
        return []
    out = []
    for part in value.split(";"):
        part = part.strip()
        if part:
            out.append(part.rsplit(" (", 1)[0] if part.endswith(")") else part)
    return out


@dataclass
class ValidationSample:
    """A coding sheet and the strata it was drawn from.

    Attributes
    ----------
    sheet : DataFrame
        One row per sampled document (see the module docstring for columns).
    strata : DataFrame
        ``stratum, n_population, n_sampled, weight`` and, per theme ``t``,
        ``t__stratum_flagged``: the stratum's documents the dictionary flags
        for ``t`` (of its ``n_population``).
    """

    sheet: pd.DataFrame
    strata: pd.DataFrame


def validation_sample(
    documents: pd.DataFrame,
    tokens: pd.DataFrame,
    themes,
    *,
    theme_ids: Sequence[str] | None = None,
    n: int = 200,
    miss_fraction: float = 0.3,
    coders: Sequence[str] = CODERS,
    window: int = 8,
    random_state: int = 0,
    exclude: Collection[str] | None = None,
) -> ValidationSample:
    """Draw a stratified sample of documents for human coding of dictionary themes.

    Parameters
    ----------
    documents : DataFrame
        Document table (``doc_id``, ``title``, ``body``; ``province``,
        ``district``, ``locality``, ``year``, ``date``, ``source``, ``url``
        are copied when present).
    tokens : DataFrame
        Its token table (:func:`toolkit.text.preprocess.preprocess`).
    themes : toolkit.themes.dictionary.ThemeDictionary
    theme_ids : sequence of str, optional
        Themes to code (default: every theme of the dictionary).
    n : int
        Documents in the sample.
    miss_fraction : float
        Share of the sample drawn from documents the dictionary flags for
        none of the themes (the only place where missed cases can be found).
    coders : sequence of str
        Names of the empty coder columns.
    window : int
        Words of context in the KWIC lines.
    random_state : int
        Seed of the draw.
    exclude : collection of str, optional
        Ids of documents that may not be drawn (those of sheets already
        coded, so that a new sheet is held out from them). They are left out
        of the population before the strata are formed, so the strata sizes
        and weights refer to the documents that could be drawn.

    Returns
    -------
    ValidationSample

    Notes
    -----
    Strata: ``miss`` (no hit for any chosen theme) and, for a document with
    hits, ``hit:<theme>`` for its rarest hit theme (the chosen theme with the
    fewest flagged documents), so a rare theme is not swamped by a common one
    and every document belongs to exactly one stratum. ``round(n *
    miss_fraction)`` documents come from ``miss``; the rest are split evenly
    over the ``hit:`` strata. Within a stratum documents are drawn
    systematically (equal steps from a random start) through the stratum
    sorted by locality, year and id, which spreads the sample over localities
    and years. A document's weight is ``N_h / n_h`` of its stratum. A
    document flagged for several themes counts in one stratum only, so a
    theme's flagged documents also sit in the strata of rarer themes (and a
    draw there may read none of them): the sheet's and the strata table's
    ``t__stratum_flagged`` say how many documents of each stratum the
    dictionary flags for each theme ``t``, and :func:`score_sheet` takes the
    flagged and unflagged sizes of every stratum from them.
    """
    from toolkit.themes.dictionary import document_periods, ruled_counts, term_counts
    from toolkit.themes.concordance import kwic

    if not 0 <= miss_fraction <= 1:
        raise ValueError(f"miss_fraction={miss_fraction}: a share in [0, 1]")
    if n < 1:
        raise ValueError(f"n={n}: at least one document")
    ids = list(theme_ids) if theme_ids else themes.ids
    unknown = sorted(set(ids) - set(themes.ids))
    if unknown:
        raise ValueError(f"unknown theme(s) {unknown}; the dictionary has {themes.ids}")
    if not len(tokens):
        raise ValueError("validation_sample: the token table is empty")
    if exclude is not None:
        excluded = {str(d).strip() for d in exclude}
        ids_all = documents["doc_id"].astype(str)
        out = ids_all.isin(excluded)
        n_out, n_docs = int(ids_all[out].nunique()), int(ids_all.nunique())
        not_found = len(excluded - set(ids_all))
        if excluded and n_out == 0:
            logger.warning("validate sample: none of the %d excluded document ids is in the corpus (ids of "
                           "another corpus?): nothing is left out", len(excluded))
        else:
            logger.info("validate sample: %d of %d documents left out (already in an excluded sheet), %d can be "
                        "drawn; the strata sizes and weights refer to those%s", n_out, n_docs, n_docs - n_out,
                        f"; {not_found} excluded id(s) are not in the corpus" if not_found else "")
        if n_out == n_docs:
            raise ValueError(f"every one of the corpus's {n_docs} documents is in the excluded sheets: "
                             "nothing left to draw")
        documents = documents[~out.to_numpy()]
    rng = np.random.default_rng(random_state)
    docs = documents.assign(doc_id=documents["doc_id"].astype(str)).drop_duplicates("doc_id").set_index("doc_id")
    tokens = tokens.assign(doc_id=tokens["doc_id"].astype(str))
    tokens = tokens[tokens["doc_id"].isin(docs.index)].reset_index(drop=True)
    documents = documents.assign(doc_id=documents["doc_id"].astype(str))
    raw = term_counts(tokens, themes, documents, progress=False)
    periods = document_periods(tokens["doc_id"].tolist(), documents)  # also what _dropped_weak reports as dated out
    counts = ruled_counts(raw, tokens["doc_id"].tolist(), themes, documents, periods=periods)
    offsets = themes._offsets
    index = {t: k for k, t in enumerate(themes.ids)}
    flagged = {t: counts[:, offsets[index[t]]:offsets[index[t] + 1]].sum(axis=1) > 0 for t in ids}
    n_flagged = {t: int(flagged[t].sum()) for t in ids}
    unflagged = [t for t in ids if n_flagged[t] == 0]
    if unflagged:
        logger.warning("validate sample: the dictionary flags no document for %s: no hit stratum, so the sheet "
                       "measures only what it misses there (recall from the unflagged documents, no precision)",
                       ", ".join(unflagged))
    rarest = sorted(ids, key=lambda t: (n_flagged[t], t))
    stratum = np.full(len(tokens), "miss", dtype=object)
    for t in reversed(rarest):  # the rarest theme is written last, so it wins
        stratum[flagged[t]] = f"hit:{t}"
    frame = pd.DataFrame({"doc_id": tokens["doc_id"], "stratum": stratum, "_row": np.arange(len(tokens))})
    for col in ("locality", "province", "district", "year"):
        frame[col] = frame["doc_id"].map(docs[col]) if col in docs.columns else pd.NA
    sizes = frame["stratum"].value_counts().to_dict()
    # what the dictionary flags in each stratum is known for every theme, read or not: scoring needs these
    # cells, since a theme's flagged documents also sit in the strata of rarer themes, where few may be drawn
    n_stratum_flagged = {t: {s: int(flagged[t][stratum == s].sum()) for s in sizes} for t in ids}
    flagged_columns = [f"{t}{SEP}{STRATUM_FLAGGED}" for t in ids]
    n = min(n, len(frame))
    n_miss = min(int(round(n * miss_fraction)), sizes.get("miss", 0))
    hit_sizes = {s: c for s, c in sizes.items() if s != "miss"}
    alloc = _allocate(hit_sizes, n - n_miss)
    left = n - n_miss - sum(alloc.values())
    alloc["miss"] = min(sizes.get("miss", 0), n_miss + left)
    order = ["locality", "province", "district", "year", "doc_id"]
    picked = []
    strata_rows = []
    for s in sorted(alloc):
        group = frame[frame["stratum"] == s]
        k = alloc[s]
        counts_s = {col: n_stratum_flagged[t][s] for t, col in zip(ids, flagged_columns)}
        if k <= 0:
            strata_rows.append({"stratum": s, "n_population": len(group), "n_sampled": 0, "weight": math.nan,
                                **counts_s})
            continue
        chosen = _systematic(group, k, order, rng)
        weight = len(group) / len(chosen)
        picked.append(chosen.assign(weight=weight))
        strata_rows.append({"stratum": s, "n_population": len(group), "n_sampled": len(chosen), "weight": weight,
                            **counts_s})
    sample = pd.concat(picked, ignore_index=True).sort_values(["stratum", "doc_id"], ignore_index=True)
    sheet = pd.DataFrame({"doc_id": sample["doc_id"]})
    for col in ("source", "url", "title", "date", "year", "province", "district", "locality"):
        if col in docs.columns:
            sheet[col] = sample["doc_id"].map(docs[col]).to_numpy()
    if "year" in sheet.columns:  # a nullable integer (2021, not 2021.0 beside an undated document's blank)
        sheet["year"] = pd.to_numeric(sheet["year"], errors="coerce").round().astype("Int64")
    sheet["stratum"] = sample["stratum"].to_numpy()
    sheet["weight"] = sample["weight"].to_numpy()
    for t, col in zip(ids, flagged_columns):
        sheet[col] = sheet["stratum"].map(n_stratum_flagged[t]).astype(int)
    terms = themes.to_frame()["term"].tolist()
    rows = sample["_row"].to_numpy()
    sample_docs = documents.assign(doc_id=documents["doc_id"].astype(str))
    sample_docs = sample_docs[sample_docs["doc_id"].isin(set(sheet["doc_id"]))]
    unshown = 0
    for t in ids:
        a, b = offsets[index[t]], offsets[index[t] + 1]
        sub = counts[rows, a:b]
        sheet[f"{t}{SEP}dictionary"] = (sub.sum(axis=1) > 0).astype(int)
        sheet[f"{t}{SEP}terms"] = [_format_terms(r, terms[a:b]) for r in sub]
        sheet[f"{t}{SEP}weak_terms"] = [_format_terms(r, terms[a:b])
                                        for r in _dropped_weak(raw[rows, a:b], sub, themes.themes[index[t]],
                                                               periods[rows])]
        lines: dict[str, list[str]] = {}
        for j in np.flatnonzero(sub.sum(axis=0)):
            term = terms[a + j]
            with_term = sheet.loc[sub[:, j] > 0, "doc_id"].tolist()
            table = kwic(sample_docs[sample_docs["doc_id"].isin(set(with_term))], term, window=window,
                         themes=themes, theme=t, tokens=tokens)
            for r in table.itertuples(index=False):
                lines.setdefault(r.doc_id, []).append(f"{r.left} [{r.keyword}] {r.right}".strip())
            shown = table["doc_id"].value_counts()
            for d, n_counted in zip(with_term, sub[sub[:, j] > 0, j]):
                missing = int(n_counted) - int(shown.get(d, 0))
                if missing > 0:
                    unshown += missing
                    lines.setdefault(d, []).append(
                        _unshown_note(term, missing, len(themes.themes[index[t]].syllables[j])))
        sheet[f"{t}{SEP}kwic"] = [" | ".join(lines.get(d, [])) for d in sheet["doc_id"]]
        for coder in coders:
            sheet[f"{t}{SEP}{coder}"] = pd.array([pd.NA] * len(sheet), dtype="Int64")
    sheet["notes"] = ""
    from toolkit.text.preprocess import document_text

    titles = docs["title"] if "title" in docs.columns else pd.Series("", index=docs.index)
    sheet["text"] = [document_text(str(titles.get(d, "") or ""), str(docs.at[d, "body"] or "")) for d in sheet["doc_id"]]
    strata = pd.DataFrame(strata_rows, columns=["stratum", "n_population", "n_sampled", "weight", *flagged_columns])
    if unshown:
        logger.info("validate sample: %d counted occurrence(s) have no KWIC line (a term's words counted together "
                    "across dropped stopwords or a full stop); their kwic cells say so", unshown)
    logger.info("validate sample: %d documents from %d strata (%s)", len(sheet), len(strata),
                ", ".join(f"{r.stratum}: {r.n_sampled}/{r.n_population}" for r in strata.itertuples()))
    return ValidationSample(sheet=sheet, strata=strata)


# --------------------------------------------------------------------------
# Blind coding: a sheet per coder, merged back by doc_id
# --------------------------------------------------------------------------

#: The columns of the full sheet that a coder's blind sheet shows of the document (when the sheet has them).
BLIND_DOCUMENT_COLUMNS = ("title", "date", "url")
#: What a coder does with a theme's column, as the codebook says it.
CODING_RULE = ("1 when at least one sentence of the document discusses the theme in the sense of its definition, "
               "0 when none does; leave the cell empty only for a document you did not read")


def _sheet_coder_names(sheet: pd.DataFrame) -> list[str]:
    """The coder names of a sheet's ``t__<coder>`` columns in column order (``gold`` left out)."""
    return [c for c in dict.fromkeys(coder for _, coder in _coder_columns(sheet)) if c != "gold"]


def blind_sheets(sheet: pd.DataFrame, *, coders: Sequence[str] | None = None,
                 random_state: int = 0) -> dict[str, pd.DataFrame]:
    """One sheet per coder, to code without seeing what the dictionary said: ``validate sample --blind``.

    The full sheet of :func:`validation_sample` shows each theme's flag,
    terms and KWIC lines and the document's stratum beside the coder's
    column, and groups the rows by stratum: a coder who reads it codes the
    dictionary's output, not the document. Each coder gets instead the
    documents alone, in an order of their own; the full sheet is the key the
    researcher keeps, and :func:`merge_coder_sheets` brings the labels back
    into it by ``doc_id``.

    Parameters
    ----------
    sheet : DataFrame
        The full sheet (:attr:`ValidationSample.sheet`).
    coders : sequence of str, optional
        The coders (default: the coder names of the sheet's ``t__<coder>``
        columns, in column order).
    random_state : int
        Seed of the row orders (each coder's differs).

    Returns
    -------
    dict of str to DataFrame
        Coder name → ``row`` (1, 2, … in that sheet's order), ``doc_id``,
        the document columns of :data:`BLIND_DOCUMENT_COLUMNS` the sheet has,
        per theme the coder's column ``t__<coder>`` (the sheet's values,
        empty when freshly drawn), ``notes`` (empty) and ``text``. No
        dictionary flag, terms, KWIC line, stratum, weight or other coder's
        column.

    Examples
    --------
    >>> key = pd.DataFrame({"doc_id": ["a", "b", "c"], "stratum": ["hit:covid", "hit:covid", "miss"],
    ...                     "covid__dictionary": [1, 1, 0], "covid__coder1": pd.NA, "covid__coder2": pd.NA,
    ...                     "text": ["Ca mắc Covid-19 mới.", "Tiêm vắc xin Covid-19.", "Hội nghị giao ban."]})
    >>> sheets = blind_sheets(key, random_state=1)
    >>> list(sheets), list(sheets["coder1"].columns)
    (['coder1', 'coder2'], ['row', 'doc_id', 'covid__coder1', 'notes', 'text'])
    """
    check_sheet(sheet)
    names = list(coders) if coders is not None else _sheet_coder_names(sheet)
    if not names:
        raise ValueError(f"the sheet has no coder column (<theme>{SEP}<coder>): name the coders")
    if len(set(names)) < len(names) or any(not str(c).strip() or SEP in str(c) for c in names):
        raise ValueError(f"coders {names}: distinct names, without {SEP!r}")
    themes = list(dict.fromkeys(t for t, _ in _coder_columns(sheet)))
    if not themes:
        themes = list(dict.fromkeys(str(c).rpartition(SEP)[0] for c in sheet.columns
                                    if str(c).endswith(f"{SEP}dictionary")))
    if "text" not in sheet.columns:
        raise ValueError("the sheet has no `text` column: a coder would have nothing to read")
    rng = np.random.default_rng(random_state)
    shown = ["doc_id", *(c for c in BLIND_DOCUMENT_COLUMNS if c in sheet.columns)]
    out = {}
    for coder in names:
        order = rng.permutation(len(sheet))
        part = sheet.iloc[order]
        blind = pd.DataFrame({"row": np.arange(1, len(sheet) + 1)})
        for col in shown:
            blind[col] = part[col].to_numpy()
        for t in themes:
            col = f"{t}{SEP}{coder}"
            blind[col] = (_labels(part, col).astype("Int64").to_numpy() if col in part.columns
                          else pd.array([pd.NA] * len(part), dtype="Int64"))
        blind["notes"] = ""
        blind["text"] = part["text"].to_numpy()
        out[str(coder)] = blind
    return out


def codebook(themes, theme_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The definitions coders label by: ``theme, label_en, label_vi, definition, coding`` (file order).

    ``coding`` says what to write in a theme's column (:data:`CODING_RULE`).
    A theme without a ``definition`` in the themes file has a blank one, with
    a warning: its coders have only its labels to go by.
    """
    ids = list(theme_ids) if theme_ids else themes.ids
    rows = [{"theme": t.id, "label_en": t.label_en, "label_vi": t.label_vi, "definition": t.definition,
             "coding": CODING_RULE} for t in themes.themes if t.id in ids]
    undefined = [r["theme"] for r in rows if not r["definition"]]
    if undefined:
        logger.warning("codebook: theme(s) %s have no `definition` in the themes file: their coders have only the "
                       "labels to go by", ", ".join(undefined))
    return pd.DataFrame(rows, columns=["theme", "label_en", "label_vi", "definition", "coding"])


def merge_coder_sheets(sheet: pd.DataFrame, coder_sheets: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The full sheet with the labels of the coders' returned blind sheets, matched by ``doc_id``.

    Parameters
    ----------
    sheet : DataFrame
        The full sheet (the key: ``validate sample``'s ``sheet.csv``).
    coder_sheets : mapping of str to DataFrame
        Each returned sheet (:func:`blind_sheets`, coded) under the name that
        errors give it (its file name). A sheet holds one coder's
        ``t__<coder>`` columns; rows may be in any order, other columns are
        ignored, its ``notes`` become the key's ``notes_<coder>``.

    Returns
    -------
    DataFrame
        A copy of ``sheet``, in its row order, whose ``t__<coder>`` columns
        hold the returned labels (a column the key lacks is added after the
        theme's other columns): a coded sheet for :func:`score_sheet`,
        :func:`agreement` and ``validate train``. Its
        ``attrs["returned_rows"]`` maps each merged column to the returned
        sheet's name and its ``doc_id`` values in its row order (one a
        line), so that a label left blank is named where the coder can mend
        it: that sheet and its row (:func:`warn_blanks`). Clear ``attrs``
        before saving the merged sheet as Parquet, which would keep them.

    Raises
    ------
    toolkit.errors.UserError
        Naming the returned sheet (its ``path``) and, where it applies, the
        column, the sheet row (header = row 1) and the ``doc_id``, with a
        fix: a document of the key missing from it, a ``doc_id`` not in the
        key, blank or on two rows, a label other than 0, 1 or empty, a sheet
        without a coder column or with several coders', a theme the key does
        not have, a coder returned in two sheets, or labels that differ from
        those the key already holds.
    ValueError
        When the key itself is not a coding sheet (:func:`check_sheet`).
    """
    from toolkit.errors import UserError

    mend = (f"mend the coder's sheet as `validate sample --blind` wrote it: in its <theme>{SEP}<coder> columns 1 or "
            "0 (blank only for a document not read); one row per document, its doc_id unchanged; no row deleted")
    check_sheet(sheet)
    key_ids = sheet["doc_id"].astype(str).str.strip()
    key_set = set(key_ids)
    key_themes = {str(c).rpartition(SEP)[0] for c in sheet.columns if SEP in str(c)}
    out = sheet.copy()
    source: dict[str, str] = {}
    returned_rows: dict[str, tuple[str, str]] = {}
    for name, returned in coder_sheets.items():
        try:
            check_sheet(returned)
        except ValueError as exc:
            raise UserError(str(exc), path=name, fix=mend) from None
        pairs = _coder_columns(returned)
        if not pairs:
            raise UserError(f"no coder column (<theme>{SEP}<coder>, as `validate sample --blind` wrote it)",
                            path=name, fix="pass the sheet a coder returned (<name>.<coder>.csv of `validate "
                                           "sample --blind`), its column names as written")
        names = list(dict.fromkeys(c for _, c in pairs))
        if len(names) > 1:
            raise UserError(f"holds the columns of several coders ({', '.join(names)}): a returned sheet is one "
                            "coder's", path=name, fix="give each coder's returned sheet on its own")
        coder = names[0]
        if coder in source:
            raise UserError(f"{coder}'s labels are in both {source[coder]} and {name}",
                            fix="give each coder's sheet once")
        source[coder] = name
        ids = returned["doc_id"].astype(str).str.strip()
        extra = np.flatnonzero(~ids.isin(key_set).to_numpy())
        if len(extra):
            raise UserError(f"doc_id {ids.iloc[extra[0]]!r} (sheet row {extra[0] + 2}) is not in the key sheet"
                            + (f"; {len(extra) - 1} more are not either" if len(extra) > 1 else "")
                            + " (another sample's sheet, or an id edited?)", path=name,
                            fix="score the sheet with the key of its own sample; keep each doc_id as written")
        missing = [d for d in key_ids if d not in set(ids)]
        if missing:
            raise UserError(f"{len(missing)} document(s) of the key sheet are missing: doc_id "
                            + ", ".join(map(repr, missing[:5])) + (" …" if len(missing) > 5 else "")
                            + " (rows deleted?)", path=name,
                            fix="put the missing rows back from the sheet `validate sample --blind` wrote (a "
                                "document not read keeps its row, its labels blank)")
        # one string, the ids in the returned sheet's row order: pandas deep-copies attrs at every step, and
        # writes them into a Parquet file's metadata as JSON
        order = "\n".join(ids)
        for t, _ in pairs:
            col = f"{t}{SEP}{coder}"
            if t not in key_themes:
                raise UserError(f"column {col!r}: the key sheet has no theme {t!r}", path=name,
                                fix="score the sheet with the key of its own sample, or name the column after "
                                    "one of the key's themes")
            try:
                labels = _labels(returned, col)
            except ValueError as exc:
                raise UserError(str(exc), path=name, fix=mend) from None
            values = key_ids.map(dict(zip(ids, labels))).astype("Float64")
            if col in out.columns:
                old = _labels(out, col)
                differ = np.flatnonzero((old.notna() & (values.isna() | (old != values).fillna(True))).to_numpy())
                if len(differ):
                    r = differ[0]
                    raise UserError(f"column {col!r}: the key sheet already holds labels there, and doc_id "
                                    f"{key_ids.iloc[r]!r} (key sheet row {r + 2}) has {int(old.iloc[r])} in the "
                                    "key", path=name,
                                    fix="merge into a key sheet whose coder columns are empty (as `validate "
                                        "sample` wrote it), or score the coded key without the coders' sheets")
                out[col] = values.astype("Int64").to_numpy()
            else:
                after = max(i for i, c in enumerate(out.columns) if str(c).startswith(f"{t}{SEP}"))
                out.insert(after + 1, col, values.astype("Int64").to_numpy())
            returned_rows[col] = (name, order)
        if "notes" in returned.columns:
            notes = returned["notes"].fillna("").astype(str).str.strip()
            if (notes != "").any():
                out[f"notes_{coder}"] = key_ids.map(dict(zip(ids, notes))).fillna("").to_numpy()
    out.attrs["returned_rows"] = {**out.attrs.get("returned_rows", {}), **returned_rows}
    logger.info("merged the labels of %s into the key sheet (%d documents)",
                ", ".join(f"{c} ({n})" for c, n in source.items()), len(out))
    return out


# --------------------------------------------------------------------------
# Scoring a coded sheet
# --------------------------------------------------------------------------


def check_sheet(sheet: pd.DataFrame) -> None:
    """Raise ``ValueError`` (naming the column or the rows) unless every row of a coding sheet is one document
    and every coder's label is 0, 1 or blank.

    A sheet needs its ``doc_id`` column, and each id once: a row copied in a
    spreadsheet, or an id typed over another, would be scored twice, and
    ``validate train`` would tokenize the first row's text for both. Sheet
    rows are counted as a spreadsheet shows them (the header is row 1).
    """
    if "doc_id" not in sheet.columns:
        raise ValueError("the sheet has no `doc_id` column (the documents' ids, as `validate sample` wrote them)")
    ids = sheet["doc_id"].astype(str).str.strip()
    blank = ids.isin(["", "nan", "<NA>", "None"])
    if blank.any():
        rows = np.flatnonzero(blank.to_numpy())
        raise ValueError(f"column 'doc_id', sheet row(s) {_sheet_rows(rows)}: no document id")
    repeated = ids[ids.duplicated(keep=False)]
    if len(repeated):
        first = repeated.iloc[0]
        rows = np.flatnonzero((ids == first).to_numpy())
        others = repeated.nunique() - 1
        raise ValueError(f"doc_id {first!r} is on sheet rows {_sheet_rows(rows)}: each document once (a row "
                         f"copied, or an id typed over another?)"
                         + (f"; {others} other id(s) repeat too" if others else ""))
    for theme, coder in _coder_columns(sheet):  # every coder's label 0, 1 or blank, the first bad one named
        _labels(sheet, f"{theme}{SEP}{coder}")


def _sheet_rows(rows, limit: int = 8) -> str:
    """0-based data rows as a spreadsheet numbers them (header = row 1): ``"3, 9, 12"``, cut after ``limit``."""
    shown = ", ".join(str(int(r) + 2) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def blank_cells(sheet: pd.DataFrame, column: str) -> np.ndarray:
    """0-based rows whose ``column`` is empty while other rows of it hold a label (a cell the coder skipped)."""
    values = coded(sheet, column)
    missing = np.isnan(values)
    return np.flatnonzero(missing) if (~missing).any() else np.array([], dtype=int)


def warn_blanks(sheet: pd.DataFrame, theme: str, columns: Sequence[str], what: str) -> None:
    """Log, per column, the documents left without a label while others have one (rows and ids named).

    A column merged from a coder's returned sheet (:func:`merge_coder_sheets`) is named with that sheet and
    its rows there, where the coder can fill the cells; other columns with the sheet's own rows.
    """
    returned = sheet.attrs.get("returned_rows", {})
    for column in columns:
        rows = blank_cells(sheet, column)
        if not len(rows):
            continue
        ids = sheet["doc_id"].astype(str).str.strip().to_numpy()[rows] if "doc_id" in sheet.columns else []
        where = ""
        if column in returned and len(ids):
            name, order = returned[column]
            position = {d: r for r, d in enumerate(order.split("\n"))}
            if all(d in position for d in ids):
                there = sorted((position[d], d) for d in ids)
                rows = np.array([r for r, _ in there])
                ids = np.array([d for _, d in there])
                where = f" of {name}"
        logger.warning("theme %s: %d of %d documents have no label in %r%s (sheet row(s) %s%s): left out of %s",
                       theme, len(rows), len(sheet), column, where, _sheet_rows(rows),
                       f"; doc_id {', '.join(ids[:5])}" + (" …" if len(ids) > 5 else "") if len(ids) else "",
                       what)


#: Column suffixes of a sheet that are not coders: what a measure said and why.
MEASURE_COLUMNS = ("dictionary", "terms", "weak_terms", "kwic", "classifier")
#: Column suffixes of a sheet that hold no coder's labels: the measures' columns, the sampling design's
#: :data:`STRATUM_FLAGGED`, the adjudicated ``gold`` and a coder's free-text remarks.
NON_CODER_COLUMNS = (*MEASURE_COLUMNS, "probability", STRATUM_FLAGGED, "gold", "note", "notes", "comment",
                     "comments")


def _coder_columns(sheet: pd.DataFrame) -> list[tuple[str, str]]:
    """``(theme, coder)`` of every ``<theme>__<coder>`` column, in the sheet's order (``gold`` is a coder here)."""
    pairs = (str(col).rpartition(SEP) for col in sheet.columns if SEP in str(col))
    return [(theme, kind) for theme, _, kind in pairs
            if theme and kind and (kind == "gold" or kind not in NON_CODER_COLUMNS)]


def theme_coders(sheet: pd.DataFrame, theme: str) -> list[str]:
    """The coders of a theme: the names of its ``<theme>__<name>`` columns in the sheet's column order.

    Any name counts (``validate sample --coders anna,binh`` writes
    ``t__anna``, ``t__binh``) except the suffixes that hold no coder's labels
    (:data:`NON_CODER_COLUMNS`: ``dictionary``, ``terms``, ``kwic``,
    ``classifier``, ``gold``, …). :func:`agreement` compares the first two.
    """
    return [coder for t, coder in _coder_columns(sheet) if t == theme and coder != "gold"]


def sheet_themes(sheet: pd.DataFrame) -> list[str]:
    """Themes of a coding sheet: every ``t`` with a ``t__<coder>`` or ``t__gold`` column."""
    return sorted({theme for theme, _ in _coder_columns(sheet)})


def sheet_coders(sheet: pd.DataFrame) -> list[str]:
    """The coder names of a sheet's ``t__<coder>`` columns (``gold`` included), sorted."""
    return sorted({coder for _, coder in _coder_columns(sheet)})


def coded_themes(sheet: pd.DataFrame, coder: str | None = None) -> list[str]:
    """The sheet's themes that have labels in their reference column (see :func:`reference_column`).

    A sheet drawn for every theme of the dictionary usually gets coded for a
    few: scoring, agreement, the term table and training default to those.
    Raises ``ValueError`` when no theme has a label yet; with ``coder``, when
    that coder's columns are empty, naming the coders whose columns are not.
    """
    if coder is not None and not any(f"{t}{SEP}{coder}" in sheet.columns for t in sheet_themes(sheet)):
        raise ValueError(f"the sheet has no coder column named {coder!r} (<theme>{SEP}{coder}); its coders: "
                         + (", ".join(sheet_coders(sheet)) or "none"))
    found = []
    for t in sheet_themes(sheet):
        # a bad label raises here, naming its row, as scoring would
        if any(col in sheet.columns and _labels(sheet, col).notna().any()
               for col in _reference_candidates(sheet, t, coder)):
            found.append(t)
    if found:
        return found
    if coder is not None:
        others = {c: [t for t in sheet_themes(sheet) if f"{t}{SEP}{c}" in sheet.columns
                      and _labels(sheet, f"{t}{SEP}{c}").notna().any()]
                  for c in dict.fromkeys(c for _, c in _coder_columns(sheet)) if c != coder}
        others = {c: themes for c, themes in others.items() if themes}
        if others:
            raise ValueError(f"{coder} has coded no theme yet: the sheet's <theme>{SEP}{coder} columns are empty; "
                             "coded: " + "; ".join(f"{c} ({', '.join(themes)})" for c, themes in others.items())
                             + f". Score against one of those, or fill <theme>{SEP}{coder} first")
    names = [coder] if coder is not None else _sheet_coder_names(sheet)
    column = f"<theme>{SEP}{names[0]}" if names else f"<theme>{SEP}coder1"
    raise ValueError(f"no theme of the sheet is coded yet: fill {column} (or <theme>{SEP}gold) "
                     "with 1 or 0 for the themes you read the documents for")


def _default_themes(sheet: pd.DataFrame, themes: Sequence[str] | None, coder: str | None) -> list[str]:
    """``themes`` as given (each must be coded: its error names it), else the coded themes, logging the others."""
    if themes:
        return list(themes)
    found = coded_themes(sheet, coder)
    left = sorted(set(sheet_themes(sheet)) - set(found))
    if left:
        logger.info("not coded, left out: %s", ", ".join(left))
    return found


def sheet_weights(sheet: pd.DataFrame) -> np.ndarray | None:
    """The sheet's sampling weights as floats (``None`` without a ``weight`` column).

    A sheet saved by a spreadsheet in a Vietnamese or European locale writes
    decimals with a comma (``12,5``): read as 12.5. Anything else that is not
    a number is an error that names the row.
    """
    if "weight" not in sheet.columns:
        return None
    raw = sheet["weight"]
    text = raw.astype(str).str.strip().str.replace(r"^(\d+),(\d+)$", r"\1.\2", regex=True)
    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"column 'weight', sheet row {row + 2}: {raw.iloc[row]!r} is not a sampling weight "
                         "(a number ≥ 0, as `validate sample` wrote it)")
    return values.to_numpy(dtype=float)


def _labels(sheet: pd.DataFrame, column: str) -> pd.Series:
    """A 0/1 column as nullable integers; blanks are NaN; anything else is an error naming the row (and doc_id)."""
    values = sheet[column]
    out = pd.to_numeric(values.replace({"": pd.NA, " ": pd.NA}), errors="coerce")
    bad = out.notna() & ~out.isin([0, 1])
    bad |= values.notna() & out.isna() & (values.astype(str).str.strip() != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        doc = f" (doc_id {str(sheet['doc_id'].iloc[row]).strip()!r})" if "doc_id" in sheet.columns else ""
        raise ValueError(f"column {column!r}, sheet row {row + 2}: {values.iloc[row]!r} is not 0, 1 or empty{doc}")
    return out.astype("Float64")


def coded(sheet: pd.DataFrame, column: str) -> np.ndarray:
    """A coding column as floats: 1.0, 0.0, or NaN where it was left empty (bad values raise, naming the row)."""
    return _labels(sheet, column).to_numpy(dtype=float, na_value=np.nan)


def _reference_candidates(sheet: pd.DataFrame, theme: str, coder: str | None) -> list[str]:
    """The columns that may hold a theme's reference labels, in order of preference."""
    if coder is not None:
        return [f"{theme}{SEP}{coder}"]
    return [f"{theme}{SEP}gold"] + [f"{theme}{SEP}{c}" for c in theme_coders(sheet, theme)]


def reference_column(sheet: pd.DataFrame, theme: str, coder: str | None = None) -> str:
    """The column scored against: ``coder`` if given, else ``t__gold``, else the first coder column with labels.

    The coder columns are the theme's in the sheet's column order (:func:`theme_coders`).
    """
    if coder is not None:
        col = f"{theme}{SEP}{coder}"
        if col not in sheet.columns:
            raise ValueError(f"the sheet has no column {col!r}")
        return col
    for col in _reference_candidates(sheet, theme, None):
        if col in sheet.columns and _labels(sheet, col).notna().any():
            return col
    present = [c for c in _reference_candidates(sheet, theme, None) if c in sheet.columns]
    raise ValueError(f"theme {theme!r}: no coded column ("
                     + (", ".join(present) if present else f"{theme}{SEP}gold or {theme}{SEP}coder1 …")
                     + ") has labels")


def _warn_reference(sheet: pd.DataFrame, theme: str, ref_col: str, coder: str | None) -> None:
    """Log when a theme's reference is not its first candidate column (that one has no label yet)."""
    if coder is not None:
        return
    present = [c for c in _reference_candidates(sheet, theme, None) if c in sheet.columns]
    if present and present[0] != ref_col:
        logger.warning("theme %s: scored against %r: %r has no label", theme, ref_col, present[0])


def _f1_draws(p: float, n_p: float, r: float, n_r: float, rng: np.random.Generator, n_draws: int) -> np.ndarray:
    """F1 = 2PR/(P+R) with P and R drawn from their Jeffreys posteriors on their effective sizes."""
    p_draws = rng.beta(p * n_p + 0.5, (1 - p) * n_p + 0.5, size=n_draws)
    r_draws = rng.beta(r * n_r + 0.5, (1 - r) * n_r + 0.5, size=n_draws)
    return 2 * p_draws * r_draws / (p_draws + r_draws)


def score_predictions(
    predicted,
    reference,
    weights=None,
    *,
    strata=None,
    stratum_flagged=None,
    ci: float = 0.95,
    n_draws: int = 4000,
    random_state: int = 0,
) -> dict[str, float]:
    """Precision, recall, F1 and prevalence of 0/1 predictions against 0/1 reference labels.

    Parameters
    ----------
    predicted, reference : array-like of 0/1
        One value per document; NaN where blank (the row is not coded).
    weights : array-like, optional
        Sampling weights (``N_h / n_h`` of the document's stratum, as
        :func:`validation_sample` writes them): the rates then refer to the
        corpus the sample was drawn from. ``None``: the sample's own rates.
    strata : array-like, optional
        The stratum of every document (the sheet's ``stratum``); used with
        ``weights`` only. Default: each distinct weight is a stratum.
    stratum_flagged : array-like, optional
        On every document, how many documents of its stratum the measure
        flags, read or not (the sheet's ``t__stratum_flagged``, written by
        :func:`validation_sample`; NaN where blank); used with ``weights``
        and ``strata`` only. The strata's flagged and unflagged sizes are
        then known rather than estimated from the coded rows.
    ci : float
        Coverage of the intervals.
    n_draws : int
        Posterior draws behind the F1 interval (every interval, with weights).
    random_state : int
        Seed of the draws.

    Returns
    -------
    dict
        ``n_coded, tp, fp, fn, tn`` (counts of the coded documents, never
        weighted), ``precision, recall, f1, prevalence`` each with ``_low``
        and ``_high``, and ``measured_share``.

    Notes
    -----
    Without weights, precision, recall and prevalence get Wilson intervals;
    F1 gets the percentile interval of ``2PR/(P+R)`` with P and R drawn from
    their Jeffreys (Beta(k + ½, n − k + ½)) posteriors, stretched to hold the
    point estimate (the draws never reach 1, so with every flag right and
    every positive found the bare percentiles would end below F1 = 1). No
    interval collapses to a point when a rate is 0 or 1. A measure that flags nothing (or a
    sample with no reference positive) has F1 = 0, bounded above by
    2R/(1 + R) at recall's upper bound (2P/(1 + P) at precision's).

    With weights the design is a stratified sample of a finite corpus. A
    stratum ``h`` holds ``N_h`` documents, the sum of the weights of all its
    rows, coded or blank; its ``n_h`` coded rows stand for it, each with the
    weight ``N_h / n_h`` (blank cells are re-weighted away, not dropped
    silently). The point estimates are the weighted ratios. For the
    intervals, each stratum's coded rows with predicted value ``v`` (0/1) —
    ``n_hv`` of them, ``k_hv`` reference positives — stand for ``N_hv = N_h ·
    n_hv / n_h`` documents. A draw takes the cell's share of positives ``π ~
    Beta(k_hv + ½, n_hv − k_hv + ½)`` (Jeffreys) and its positives as the
    ``k_hv`` read plus ``Binomial(N_hv − n_hv, π)`` among the unread (a
    fraction of a document counts by its fraction): the finite-population
    posterior predictive. From ``n_draws`` draws of the corpus's true and
    false positives and negatives come precision, recall, F1 and prevalence
    per draw, and their percentile intervals, stretched to hold the point
    estimate: where a cell has no positive (or no negative) read, the point
    sits at the edge of what the cell may hold, which its Beta posterior never
    reaches, so the bound is moved to the point, as a Jeffreys interval's is
    at k = 0; the interval is then wider, never narrower. A stratum read in
    full (``N_h = n_h``) is certain, so a prevalence never falls below the
    positives read and a precision over fully read flagged strata has no
    width, while a large unflagged stratum read thinly keeps recall's interval wide even when no miss was
    found. A stratum with rows but none coded makes recall, F1 and
    prevalence NaN (precision too when it holds flagged rows), with a
    warning naming it. Weights that sum to fewer documents than a stratum's
    coded rows are not population counts: such a stratum is taken as a
    census, with a warning.

    The sizes ``N_hv`` are estimates, held fixed in the draws, but for a
    measure that flags none of the coded documents (or every one): fixed,
    they would leave the corpus no flagged (unflagged) document, and recall
    and F1 certain at 0 (recall at 1). Then each draw also takes each
    stratum's flagged share from its Jeffreys posterior ``Beta(n_h1 + ½,
    n_h0 + ½)`` and splits the stratum's unread documents by it (a cell with no
    coded row draws its share of positives from the Jeffreys prior), so
    recall and F1 run from 0 to an upper bound above 0 that shrinks as more
    positives are read, in the spirit of the unweighted Jeffreys and Wilson
    bounds. Drawing the split in every stratum would also put flagged
    documents into strata that the design keeps free of them (a dictionary's
    ``miss`` stratum on a sheet without ``stratum_flagged``) and widen
    precision known exactly from flagged strata read in full, so it is drawn
    only in that case; where a measure flags a few coded documents only, the
    fixed split can still understate recall's uncertainty.
    Precision needs no such draw (with no reference positive read it is 0,
    its upper bound above 0 wherever flagged documents are unread), nor does
    prevalence.

    With ``stratum_flagged`` the cells' sizes ``N_h1`` (flagged) and ``N_h0 =
    N_h − N_h1`` are known, and ``measured_share`` is exact (``Σ N_h1 / Σ
    N_h``): a document flagged for several themes sits in one stratum only,
    so a theme's flagged documents also sit in other themes' strata, where a
    draw may read none of them, and ``N_h · n_h1 / n_h`` would drop them.
    The coded rows of a cell each weigh ``N_hv / n_hv``. A cell with
    documents but no coded row stays in the populations: its share of
    positives is drawn from the Jeffreys prior (Beta(½, ½)) in the intervals
    and taken as the weighted share of the coded documents with its flag in
    the point estimates, with a warning naming the strata. Counts that the
    sheet's rows contradict (more flagged rows than flagged documents, say)
    raise ``ValueError``. Known sizes are never drawn: counts that say the
    measure flags no document make recall 0 certain, its interval 0–0 (and 1–1
    for counts that say it flags every one).

    Examples
    --------
    One positive the dictionary missed among 4 read of 400 unflagged documents:

    >>> s = score_predictions([1, 1, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0], [1, 1, 100, 100, 100, 100],
    ...                       strata=["hit", "hit", "miss", "miss", "miss", "miss"])
    >>> round(s["recall"], 3), s["recall_low"] < 0.02 < s["recall_high"] < 0.5
    (0.02, True)
    """
    return _score_predictions(predicted, reference, weights, strata=strata, stratum_flagged=stratum_flagged, ci=ci,
                              n_draws=n_draws, random_state=random_state)


def _score_predictions(predicted, reference, weights=None, *, strata=None, stratum_flagged=None, ci: float = 0.95,
                       n_draws: int = 4000, random_state: int = 0, what: str = "") -> dict[str, float]:
    """:func:`score_predictions`, naming ``what`` (a theme) in its warnings."""
    pred = np.asarray(predicted, dtype=float)
    ref = np.asarray(reference, dtype=float)
    w = np.ones_like(ref) if weights is None else np.asarray(weights, dtype=float)
    keep = ~(np.isnan(pred) | np.isnan(ref) | np.isnan(w))
    all_pred, all_ref, all_w = pred, ref, w
    pred, ref, w = pred[keep] > 0, ref[keep] > 0, w[keep]
    cells = np.array([pred & ref, pred & ~ref, ~pred & ref, ~pred & ~ref])
    out: dict[str, float] = {"n_coded": int(keep.sum())}
    out.update({name: int(c.sum()) for name, c in zip(("tp", "fp", "fn", "tn"), cells)})
    if weights is not None:
        out.update(_stratified_rates(all_pred, all_ref, all_w, strata, ci=ci, n_draws=n_draws,
                                     random_state=random_state, what=what,
                                     stratum_flagged=stratum_flagged if strata is not None else None))
        return out
    p, p_lo, p_hi = _weighted_rate(ref[pred], w[pred], ci)
    r, r_lo, r_hi = _weighted_rate(pred[ref], w[ref], ci)
    prev, prev_lo, prev_hi = _weighted_rate(ref, w, ci)
    share = float(np.sum(w * pred) / np.sum(w)) if len(w) and w.sum() > 0 else math.nan
    w_cells = np.array([float(np.sum(w[c])) for c in cells])
    if w_cells[0] + w_cells[1] + w_cells[2] > 0:
        f1 = 2 * w_cells[0] / (2 * w_cells[0] + w_cells[1] + w_cells[2])
        if pred.any() and ref.any():
            draws = _f1_draws(p, _kish(w[pred]), r, _kish(w[ref]), np.random.default_rng(random_state), n_draws)
            f_lo, f_hi = (float(x) for x in np.quantile(draws, [(1 - ci) / 2, (1 + ci) / 2]))
            # the Beta draws never reach P = R = 1, so a perfect score's percentile interval would end below it
            f_lo, f_hi = min(f_lo, f1), max(f_hi, f1)
        else:
            # no predicted (or no reference) positive: F1 is 0, and with the undefined rate at its best (1)
            # F1 = 2R/(1 + R) (or 2P/(1 + P)) is bounded above by the defined rate's upper bound
            hi = r_hi if not pred.any() else p_hi
            f_lo, f_hi = 0.0, 2 * hi / (1 + hi)
    else:
        f1 = f_lo = f_hi = math.nan
    out.update({
        "precision": p, "precision_low": p_lo, "precision_high": p_hi,
        "recall": r, "recall_low": r_lo, "recall_high": r_hi,
        "f1": f1, "f1_low": f_lo, "f1_high": f_hi,
        "prevalence": prev, "prevalence_low": prev_lo, "prevalence_high": prev_hi,
        "measured_share": share,
    })
    return out


def score_sheet(
    sheet: pd.DataFrame,
    *,
    themes: Sequence[str] | None = None,
    coder: str | None = None,
    measure: str = "dictionary",
    weighted: bool = True,
    ci: float = 0.95,
    random_state: int = 0,
) -> pd.DataFrame:
    """Per theme: how well a measure agrees with the coders.

    Parameters
    ----------
    sheet : DataFrame
        A coded sheet (from :func:`validation_sample`, coder columns filled in).
    themes : sequence of str, optional
        Default: every theme with labels in its reference column; themes
        nobody coded are left out (and logged). A theme named here must be
        coded.
    coder : str, optional
        Reference coder column suffix (``"coder2"``); default: ``t__gold``
        when present, else the first coder column with labels.
    measure : str
        Suffix of the 0/1 column scored (``"dictionary"``, or e.g.
        ``"classifier"`` for predictions added by :func:`classifier_hits`).
    weighted : bool
        Weight documents by the sheet's ``weight`` column (sampling weights),
        per stratum (its ``stratum`` column; without it each distinct weight
        is a stratum): see :func:`score_predictions`.
    ci : float
        Coverage of the intervals.
    random_state : int
        Seed of the posterior draws (F1's interval; every interval when
        weighted).

    Returns
    -------
    DataFrame
        ``theme, measure, reference, weighted, n_coded, tp, fp, fn, tn,
        precision, precision_low, precision_high, recall, recall_low,
        recall_high, f1, f1_low, f1_high, prevalence, prevalence_low,
        prevalence_high, measured_share`` — counts unweighted; rates weighted
        back to the corpus where ``weighted`` is True (a sheet without a
        ``weight`` column, or ``weighted=False``: the sample's own rates);
        sorted by theme.

    Notes
    -----
    Weighted, a label cell left blank is re-weighted away within its
    stratum (its coded rows then stand for all ``N_h`` of its documents), and
    a stratum with rows but none coded for a theme makes that theme's recall,
    F1 and prevalence NaN (precision too when the stratum holds rows the
    measure flags), with a warning that names the stratum. Scoring the
    dictionary, a sheet's ``t__stratum_flagged`` (written by
    :func:`validation_sample`) gives each stratum's flagged and unflagged
    sizes: ``measured_share`` is then exact, and flagged documents in strata
    where none was read stay in precision's and recall's populations (see
    :func:`score_predictions`). A sheet without the column scores as before.
    """
    check_sheet(sheet)
    themes = _default_themes(sheet, themes, coder)
    weights = sheet_weights(sheet) if weighted else None
    if weighted and weights is None:
        logger.warning("the sheet has no `weight` column: rates are those of the sample, not weighted back to the "
                       "corpus (as with --unweighted); `validate sample` writes the weights")
    strata = sheet_strata(sheet) if weights is not None else None
    if weights is not None and strata is not None and "stratum" in sheet.columns:
        _warn_partial_strata(np.asarray(weights, dtype=float), np.asarray(strata, dtype=object))
    rows = []
    for t in themes:
        col = f"{t}{SEP}{measure}"
        if col not in sheet.columns:
            raise ValueError(f"the sheet has no column {col!r}" + (
                " (a sheet from `validate sample` holds the dictionary's flags; add a classifier's with "
                "classifier_columns, as `validate score --classifier MODELS_DIR` does)"
                if measure == "classifier" else ""))
        ref_col = reference_column(sheet, t, coder)
        _warn_reference(sheet, t, ref_col, coder)
        warn_blanks(sheet, t, [ref_col, col], "the score" + (" (their strata re-weighted from the coded rows)"
                                                             if weights is not None else ""))
        ref = coded(sheet, ref_col)
        pred = coded(sheet, col)
        # the counts are the dictionary's flags over the corpus: a classifier's are known on the sheet only
        known = _stratum_flagged(sheet, t) if weights is not None and measure == "dictionary" else None
        if known is not None and strata is None:
            logger.warning("theme %s: %r is left unused: the sheet has no `stratum` column to match its counts to; "
                           "the strata's flagged sizes are estimated from the coded rows", t,
                           f"{t}{SEP}{STRATUM_FLAGGED}")
            known = None
        row = {"theme": t, "measure": measure, "reference": ref_col.rpartition(SEP)[2],
               "weighted": weights is not None}
        row.update(_score_predictions(pred, ref, weights, strata=strata, stratum_flagged=known, ci=ci,
                                      random_state=random_state, what=t))
        rows.append(row)
    return pd.DataFrame(rows, columns=SCORE_COLUMNS).astype({"weighted": bool})


def _stratum_flagged(sheet: pd.DataFrame, theme: str) -> np.ndarray | None:
    """The sheet's ``t__stratum_flagged`` as floats, NaN where blank (``None`` without the column).

    Anything else that is not a number is an error that names the row.
    """
    column = f"{theme}{SEP}{STRATUM_FLAGGED}"
    if column not in sheet.columns:
        return None
    raw = sheet[column]
    text = raw.astype(str).str.strip()
    blank = raw.isna().to_numpy() | text.isin(["", "nan", "<NA>", "None"]).to_numpy()
    values = pd.to_numeric(text.where(~blank), errors="coerce").to_numpy(dtype=float)
    bad = ~blank & np.isnan(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"column {column!r}, sheet row {row + 2}: {raw.iloc[row]!r} is not a number of documents "
                         "(as `validate sample` wrote it)")
    return values


def sheet_strata(sheet: pd.DataFrame) -> np.ndarray | None:
    """The sheet's ``stratum`` column as strings (``None`` without one): the strata of the sampling design."""
    if "stratum" not in sheet.columns:
        return None
    return np.array(["" if pd.isna(v) else str(v).strip() for v in sheet["stratum"]], dtype=object)


def agreement(sheet: pd.DataFrame, *, themes: Sequence[str] | None = None,
              coders: Sequence[str] | None = None) -> pd.DataFrame:
    """Agreement between two coders per theme.

    Parameters
    ----------
    sheet : DataFrame
        A coded sheet.
    themes : sequence of str, optional
        Default: every theme of the sheet (:func:`sheet_themes`).
    coders : pair of str, optional
        The two coder names compared (``("coder1", "coder2")``); default:
        per theme, its first two coder columns in the sheet's order
        (:func:`theme_coders`), whatever their names.

    Returns
    -------
    DataFrame
        ``theme, coders`` (the pair compared, ``"anna, binh"``), ``n_both,
        percent_agreement, cohen_kappa, krippendorff_alpha`` (nominal alpha
        over every document either coder labelled; kappa over the documents
        both labelled). Kappa and alpha are NaN where fewer than two documents
        were coded by both or a coder used one label only on them (chance
        agreement is then undefined), while ``n_both`` and
        ``percent_agreement`` are still given.

    Raises
    ------
    ValueError
        When a theme lacks a coder column: one of ``coders``, or (default) a
        second coder column.
    """
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    if coders is not None and len(coders) != 2:
        raise ValueError("agreement compares exactly two coders")
    themes = list(themes) if themes else sheet_themes(sheet)
    rows = []
    for t in themes:
        pair = list(coders) if coders is not None else theme_coders(sheet, t)[:2]
        if len(pair) < 2:
            raise ValueError(f"theme {t!r}: agreement needs two coder columns; the sheet has "
                             + (", ".join(f"{t}{SEP}{c}" for c in pair) or "none"))
        a_col, b_col = (f"{t}{SEP}{c}" for c in pair)
        if a_col not in sheet.columns or b_col not in sheet.columns:
            raise ValueError(f"the sheet has no columns {a_col!r} and {b_col!r}")
        a = coded(sheet, a_col)
        b = coded(sheet, b_col)
        both = ~np.isnan(a) & ~np.isnan(b)
        n_both = int(both.sum())
        pct = float(np.mean(a[both] == b[both])) if n_both else math.nan
        kappa = alpha = math.nan
        # a coder who gave one label only to the shared documents leaves chance agreement undefined:
        # kappa and alpha would print 0 (or 1) for a measurement that did not happen
        if n_both >= 2 and len(np.unique(a[both])) > 1 and len(np.unique(b[both])) > 1:
            kappa = float(cohen_kappa_score(a[both].astype(int), b[both].astype(int)))
            either = ~np.isnan(a) | ~np.isnan(b)
            values = np.vstack([a[either], b[either]])
            alpha = float(krippendorff.alpha(reliability_data=values, level_of_measurement="nominal"))
        rows.append({"theme": t, "coders": ", ".join(pair), "n_both": n_both, "percent_agreement": pct,
                     "cohen_kappa": kappa, "krippendorff_alpha": alpha})
    return pd.DataFrame(rows, columns=["theme", "coders", "n_both", "percent_agreement", "cohen_kappa",
                                       "krippendorff_alpha"])


#: The term table's rows of missed documents: those with only weak terms the weak-term rule dropped, and
#: those with no term of the theme at all.
WEAK_ONLY = "(weak term only)"
NO_TERM = "(no term)"



def agreement_gaps(sheet: pd.DataFrame, themes: Sequence[str]) -> dict[str, tuple]:
    """The themes of ``themes`` whose coders' agreement cannot be computed, each with why.

    Agreement compares a theme's first two coder columns (:func:`theme_coders`) on the documents both
    labelled. Returns, per theme without it: ``("none",)`` (no coder column but ``gold``), ``("one", c)`` (one
    coder column), ``("empty", c, other)`` (of its first two, ``c`` is empty), ``("both empty", a, b)``, or
    ``("apart", a, b)`` (both hold labels, on no document in common). Themes that can be compared are absent.
    """
    reasons: dict[str, tuple] = {}
    for t in themes:
        pair = theme_coders(sheet, t)[:2]
        if len(pair) < 2:
            reasons[t] = ("one", pair[0]) if pair else ("none",)
            continue
        labelled = [~np.isnan(coded(sheet, f"{t}{SEP}{c}")) for c in pair]
        empty = [c for c, has in zip(pair, labelled) if not has.any()]
        if len(empty) == 2:
            reasons[t] = ("both empty", *pair)
        elif empty:
            reasons[t] = ("empty", empty[0], next(c for c in pair if c != empty[0]))
        elif not (labelled[0] & labelled[1]).any():
            reasons[t] = ("apart", *pair)
    return reasons


def with_agreement(report: pd.DataFrame, sheet: pd.DataFrame, themes: Sequence[str] | None = None, *,
                   gaps: Mapping[str, tuple] | None = None) -> pd.DataFrame:
    """A score table (:func:`score_sheet`) with the coders' agreement (:func:`agreement`'s columns) of every theme
    that can be compared, as ``validate score`` and ``make figures`` report it; the others' cells stay blank.

    ``themes`` defaults to the table's; ``gaps`` is :func:`agreement_gaps` of them, when already computed.
    """
    themes = list(report["theme"]) if themes is None else list(themes)
    gaps = agreement_gaps(sheet, themes) if gaps is None else gaps
    paired = [t for t in themes if t not in gaps]
    if not paired:
        return report
    out = report.merge(agreement(sheet, themes=paired), on="theme", how="left")
    out["n_both"] = out["n_both"].astype("Int64")
    return out


def term_table(sheet: pd.DataFrame, *, themes: Sequence[str] | None = None,
               coder: str | None = None) -> pd.DataFrame:
    """Which terms made the dictionary right or wrong, per theme.

    Returns
    -------
    DataFrame
        ``theme, term, n_docs, true_pos, false_pos, term_precision, doc_ids,
        weak_terms``: for each term counted in a coded document, in how many
        documents the reference agrees (``true_pos``) or not (``false_pos``),
        with the false-positive documents' ids. The missed documents
        (reference 1, dictionary 0) follow, with their ids: a row ``(weak term
        only)`` for those that held weak terms the weak-term rule did not
        count (the sheet's ``t__weak_terms``; its ``weak_terms`` lists them,
        ``term (documents)``), and a row ``(no term)`` for those that held no
        term of the theme at all: the vocabulary the dictionary lacks is in
        them. A sheet without ``t__weak_terms`` (drawn before it was written)
        has no ``(weak term only)`` row, and its ``(no term)`` row counts every
        missed document. Sorted by theme, then false positives (most first),
        then term, the two rows of misses last.
    """
    themes = _default_themes(sheet, themes, coder)
    rows = []
    for t in themes:
        ref = coded(sheet, reference_column(sheet, t, coder))
        pred = coded(sheet, f"{t}{SEP}dictionary")
        terms_col = sheet.get(f"{t}{SEP}terms", pd.Series([""] * len(sheet)))
        weak_col = sheet.get(f"{t}{SEP}weak_terms")
        stats: dict[str, dict[str, Any]] = {}
        for i, (r, value) in enumerate(zip(ref, terms_col)):
            if np.isnan(r):
                continue
            for term in _parse_terms(value):
                s = stats.setdefault(term, {"n_docs": 0, "true_pos": 0, "false_pos": 0, "fp_ids": []})
                s["n_docs"] += 1
                if r > 0:
                    s["true_pos"] += 1
                else:
                    s["false_pos"] += 1
                    s["fp_ids"].append(str(sheet["doc_id"].iloc[i]))
        for term, s in stats.items():
            rows.append({"theme": t, "term": term, "n_docs": s["n_docs"], "true_pos": s["true_pos"],
                         "false_pos": s["false_pos"], "term_precision": s["true_pos"] / s["n_docs"],
                         "doc_ids": " ".join(sorted(s["fp_ids"])), "weak_terms": ""})
        missed = (ref > 0) & (pred == 0)
        ids = sheet["doc_id"].astype(str).to_numpy()
        if weak_col is not None:
            weak_found = [_parse_terms(v) for v in weak_col]
            weak_only = missed & np.array([bool(w) for w in weak_found])
            found: dict[str, int] = {}
            for i in np.flatnonzero(weak_only):
                for term in weak_found[i]:
                    found[term] = found.get(term, 0) + 1
            rows.append({"theme": t, "term": WEAK_ONLY, "n_docs": int(weak_only.sum()), "true_pos": 0,
                         "false_pos": 0, "term_precision": math.nan, "doc_ids": " ".join(sorted(ids[weak_only])),
                         "weak_terms": "; ".join(f"{k} ({n})" for k, n in sorted(found.items(),
                                                                                key=lambda x: (-x[1], x[0])))})
            missed &= ~weak_only
        rows.append({"theme": t, "term": NO_TERM, "n_docs": int(missed.sum()), "true_pos": 0, "false_pos": 0,
                     "term_precision": math.nan, "doc_ids": " ".join(sorted(ids[missed])), "weak_terms": ""})
    out = pd.DataFrame(rows, columns=["theme", "term", "n_docs", "true_pos", "false_pos", "term_precision", "doc_ids",
                                      "weak_terms"])
    out["_missed"] = out["term"].map({WEAK_ONLY: 1, NO_TERM: 2}).fillna(0)
    out = out.sort_values(["theme", "_missed", "false_pos", "term"], ascending=[True, True, False, True],
                          kind="mergesort", ignore_index=True)
    return out.drop(columns="_missed")


# --------------------------------------------------------------------------
# A supervised measure
# --------------------------------------------------------------------------


@dataclass
class ThemeClassifier:
    """A logistic-regression measure of one theme on TF-IDF of the toolkit's tokens.

    Attributes
    ----------
    theme : str
    vocabulary : list of str
    idf : ndarray
    coef : ndarray
    intercept : float
    threshold : float
        Probability at or above which a document has the theme.
    settings : dict
        ``C``, ``min_df``, ``random_state``, ``n_train``, ``reference``.
    cv : dict
        Cross-validated scores (the keys of :func:`score_predictions`, ``n_folds`` and ``weighted``).
    train_doc_ids : list of str or None
        The sorted ids of the documents it was fitted on (its coded
        documents); ``None`` for a model saved before they were stored, or
        fitted without ids. :func:`training_overlap` reads it.
    dictionary_score : dict or None
        The dictionary's scores on the same coded documents, weighted as
        ``cv`` (the keys of :func:`score_predictions` and ``weighted``): what
        the classifier would replace. ``None`` for a model saved before it
        was stored, or fitted without the dictionary's flags;
        :meth:`below_dictionary` compares the two.
    """

    theme: str
    vocabulary: list[str]
    idf: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float = 0.5
    settings: dict = field(default_factory=dict)
    cv: dict = field(default_factory=dict)
    train_doc_ids: list[str] | None = None
    dictionary_score: dict | None = None

    def below_dictionary(self) -> bool | None:
        """Whether the cross-validated F1 is below the dictionary's on the same coded documents (``None``: unknown)."""
        if not self.dictionary_score or self.cv.get("f1") is None or self.dictionary_score.get("f1") is None:
            return None
        mine, theirs = float(self.cv["f1"]), float(self.dictionary_score["f1"])
        if math.isnan(mine) or math.isnan(theirs):
            return None
        return mine < theirs

    def decision(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """Probability of the theme for each token list."""
        from scipy import sparse

        index = {t: i for i, t in enumerate(self.vocabulary)}
        rows, cols, vals = [], [], []
        for r, toks in enumerate(token_lists):
            counts: dict[int, int] = {}
            for tok in toks:
                j = index.get(tok)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            for j, c in counts.items():
                rows.append(r)
                cols.append(j)
                vals.append(c * self.idf[j])
        x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(token_lists), len(self.vocabulary)))
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        x = sparse.diags(1.0 / norms) @ x
        z = x @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def to_json(self) -> str:
        """Serialize (no pickle): vocabulary, weights and settings as JSON."""
        return json.dumps({
            "theme": self.theme, "vocabulary": self.vocabulary, "idf": self.idf.tolist(),
            "coef": self.coef.tolist(), "intercept": self.intercept, "threshold": self.threshold,
            "settings": self.settings, "cv": self.cv, "train_doc_ids": self.train_doc_ids,
            "dictionary_score": self.dictionary_score, "format": "toolkit.themes.validate.ThemeClassifier/1",
        }, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ThemeClassifier:
        data = json.loads(text)
        if data.get("format") != "toolkit.themes.validate.ThemeClassifier/1":
            raise ValueError("not a toolkit theme classifier")
        return cls(theme=data["theme"], vocabulary=list(data["vocabulary"]), idf=np.asarray(data["idf"], float),
                   coef=np.asarray(data["coef"], float), intercept=float(data["intercept"]),
                   threshold=float(data["threshold"]), settings=dict(data["settings"]), cv=dict(data["cv"]),
                   # a model saved before the training ids were stored: unknown, not "none"
                   train_doc_ids=(None if data.get("train_doc_ids") is None
                                  else [str(d) for d in data["train_doc_ids"]]),
                   # a model saved before the dictionary's score was stored: no comparison, not "no dictionary"
                   dictionary_score=(None if data.get("dictionary_score") is None
                                     else dict(data["dictionary_score"])))


def _pipeline(c: float, min_df: int | float, max_df: int | float, random_state: int):
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    # The one vocabulary (the toolkit's own tokens, never scikit-learn's token_pattern),
    # learned on each training fold.
    return make_pipeline(
        TermCounter(min_df=min_df, max_df=max_df),
        TfidfTransformer(sublinear_tf=True),
        LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=random_state),
    )


def train_classifier(
    token_lists: Sequence[Sequence[str]],
    labels,
    *,
    theme: str,
    weights=None,
    strata=None,
    doc_ids=None,
    dictionary=None,
    c: float = 4.0,
    min_df: int | float = 2,
    max_df: int | float = MAX_DF,
    n_folds: int = 5,
    random_state: int = 0,
    ci: float = 0.95,
) -> ThemeClassifier:
    """Fit a supervised measure of one theme and report its cross-validated quality.

    Parameters
    ----------
    token_lists : sequence of list of str
        Tokens of the coded documents (token table ``tokens``).
    labels : array-like of 0/1
        Reference labels (documents with a missing label are left out).
    theme : str
    weights : array-like, optional
        Sampling weights: used to weight the cross-validated scores back to
        the corpus (the fit itself uses balanced class weights), as
        :func:`score_predictions` does: documents with a missing label count
        in their stratum's population, not in the score.
    strata : array-like, optional
        The documents' strata (the sheet's ``stratum``), with ``weights``.
    doc_ids : sequence of str, optional
        The documents' ids. Given, the documents are put in id order before
        the folds are drawn, so the cross-validated scores do not depend on
        how the sheet's rows were sorted (a sheet sorted in a spreadsheet
        gives the same folds), and the ids of the labelled ones are stored in
        the model (``train_doc_ids``); without them, the order given, and no
        ids stored.
    dictionary : array-like of 0/1, optional
        The dictionary's flags of the same documents (the sheet's
        ``t__dictionary``): scored against ``labels`` with the same weights
        and strata and stored as ``dictionary_score``, so that whoever uses
        the model later can see whether it does better than the dictionary.
    c : float
        Inverse regularization strength of the logistic regression.
    min_df, max_df : int or float
        The vocabulary of the training documents
        (:class:`toolkit.text.vocabulary.TermCounter`: an int is a number of
        documents, a float in [0, 1] a proportion). ``min_df`` defaults to 2
        here, unlike the vocabulary's default of 1: a term of a single
        training document would get a weight learned from one example.
    n_folds : int
        Stratified folds for the cross-validated scores (shuffled with
        ``random_state``).
    random_state : int
    ci : float

    Returns
    -------
    ThemeClassifier
        Fitted on all labelled documents; ``cv`` holds the cross-validated
        scores (:func:`score_predictions`), ``dictionary_score`` the
        dictionary's (with ``dictionary``).
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    y = np.asarray(pd.to_numeric(pd.Series(labels), errors="coerce"), dtype=float)
    keep = ~np.isnan(y)
    order = np.flatnonzero(keep)
    if doc_ids is not None:
        ids = np.asarray([str(d) for d in doc_ids], dtype=object)
        if len(ids) != len(y):
            raise ValueError(f"theme {theme!r}: {len(ids)} doc_ids for {len(y)} labels")
        order = order[np.argsort(ids[order], kind="stable")]
    token_lists = list(token_lists)
    docs = [list(token_lists[i]) for i in order]
    y = y[order].astype(int)
    n_pos = int(y.sum())
    if n_pos < 2 or len(y) - n_pos < 2:
        raise ValueError(f"theme {theme!r}: need at least 2 positive and 2 negative coded documents "
                         f"(have {n_pos} and {len(y) - n_pos})")
    folds = min(n_folds, n_pos, len(y) - n_pos)
    cv_pred = cross_val_predict(_pipeline(c, min_df, max_df, random_state), np.array(docs, dtype=object), y,
                                cv=StratifiedKFold(folds, shuffle=True, random_state=random_state))
    # scored over every row given, the unlabelled ones blank, so that weights are re-weighted per stratum
    all_pred = np.full(len(keep), np.nan)
    all_pred[order] = cv_pred
    all_labels = np.asarray(pd.to_numeric(pd.Series(labels), errors="coerce"), dtype=float)
    cv = _score_predictions(all_pred, all_labels, weights, strata=strata, ci=ci, random_state=random_state,
                            what=theme)
    cv["n_folds"] = folds
    cv["weighted"] = weights is not None
    baseline = None
    if dictionary is not None:
        flags = np.asarray(pd.to_numeric(pd.Series(dictionary), errors="coerce"), dtype=float)
        if len(flags) != len(all_labels):
            raise ValueError(f"theme {theme!r}: {len(flags)} dictionary flags for {len(all_labels)} labels")
        baseline = _score_predictions(flags, all_labels, weights, strata=strata, ci=ci, random_state=random_state,
                                      what=theme)
        baseline["weighted"] = weights is not None
    model = _pipeline(c, min_df, max_df, random_state).fit(np.array(docs, dtype=object), y)
    counter, tfidf, lr = model[0], model[1], model[-1]
    vocab = counter.get_feature_names_out().tolist()
    return ThemeClassifier(
        theme=theme, vocabulary=vocab, idf=np.asarray(tfidf.idf_, dtype=float), coef=lr.coef_[0].astype(float),
        intercept=float(lr.intercept_[0]),
        settings={"C": c, "min_df": min_df, "max_df": max_df, "random_state": random_state, "n_train": int(len(y)),
                  "n_positive": n_pos, "sublinear_tf": True, "class_weight": "balanced"},
        cv=cv,
        train_doc_ids=None if doc_ids is None else sorted(str(d) for d in ids[order]),
        dictionary_score=baseline,
    )


def classifier_hits(tokens: pd.DataFrame, classifiers: Sequence[ThemeClassifier]) -> pd.DataFrame:
    """Apply trained classifiers: a table shaped like :func:`toolkit.themes.dictionary.theme_hits`.

    Returns
    -------
    DataFrame
        ``doc_id, theme, hits, n_tokens, per_1k_tokens, present, probability,
        measure``: ``hits`` and ``present`` say whether the probability
        reaches the classifier's threshold; ``per_1k_tokens`` is NaN (a
        classifier counts documents, not terms); ``measure`` is
        ``"classifier"``. Sorted by ``doc_id``, ``theme``.
    """
    token_lists = [list(t) for t in tokens["tokens"]]
    n_tok = np.array([len(t) for t in token_lists], dtype=np.int64)
    parts = []
    for model in classifiers:
        prob = model.decision(token_lists)
        present = prob >= model.threshold
        parts.append(pd.DataFrame({
            "doc_id": tokens["doc_id"].astype(str).to_numpy(), "theme": model.theme,
            "hits": present.astype(np.int64), "n_tokens": n_tok, "per_1k_tokens": np.nan,
            "present": present, "probability": prob, "measure": "classifier",
        }))
    if not parts:
        raise ValueError("classifier_hits: no classifiers")
    return pd.concat(parts, ignore_index=True).sort_values(["doc_id", "theme"], kind="mergesort", ignore_index=True)


def classifier_columns(sheet: pd.DataFrame, tokens: pd.DataFrame,
                       classifiers: Sequence[ThemeClassifier]) -> pd.DataFrame:
    """A coding sheet with each classifier's measure added, for :func:`score_sheet` (``measure="classifier"``).

    Parameters
    ----------
    sheet : DataFrame
        A coding sheet (``doc_id``, one row per document).
    tokens : DataFrame
        The token table of the sheet's documents (``doc_id, tokens``), made
        from its ``text`` as ``validate train`` makes it.
    classifiers : sequence of ThemeClassifier

    Returns
    -------
    DataFrame
        A copy of ``sheet`` with, per classifier of theme ``t``,
        ``t__classifier`` (0/1: the probability reaches the threshold) and
        ``t__probability``; a column of that name already in the sheet is
        replaced. Rows in the sheet's order.

    Raises
    ------
    ValueError
        When a document of the sheet has no row in ``tokens``.
    """
    hits = classifier_hits(tokens, classifiers)
    ids = sheet["doc_id"].astype(str).str.strip()
    missing = sorted(set(ids) - set(hits["doc_id"]))
    if missing:
        raise ValueError(f"{len(missing)} document(s) of the sheet have no tokens, e.g. {missing[0]!r}")
    out = sheet.copy()
    for model in classifiers:
        rows = hits[hits["theme"] == model.theme].drop_duplicates("doc_id").set_index("doc_id")
        out[f"{model.theme}{SEP}classifier"] = ids.map(rows["present"]).astype(int).to_numpy()
        out[f"{model.theme}{SEP}probability"] = ids.map(rows["probability"]).astype(float).to_numpy()
    return out


def training_overlap(sheet: pd.DataFrame, classifier: ThemeClassifier) -> np.ndarray | None:
    """Which rows of a sheet are documents the classifier was trained on (by ``doc_id``).

    A classifier scored on its own training documents is scored on what it
    was fitted to: its precision and recall there are optimistic.

    Returns
    -------
    ndarray of bool or None
        One value per sheet row; ``None`` when the classifier stores no
        training ids (``train_doc_ids``: saved before they were stored), so
        the overlap cannot be checked.
    """
    if classifier.train_doc_ids is None:
        return None
    return sheet["doc_id"].astype(str).str.strip().isin(set(classifier.train_doc_ids)).to_numpy()


# --------------------------------------------------------------------------
# The project's labelled development set (ids and labels committed, texts in ../shared)
# --------------------------------------------------------------------------

DEVSET_THEMES = ("site_clearance", "religion", "democracy_regulations", "covid")
# the development set's label columns: each theme on the full text, and COVID-19 on the short item alone
DEVSET_LABELS = (*DEVSET_THEMES, "covid_short")


def majority_labels(first: pd.DataFrame, second: pd.DataFrame, third: pd.DataFrame, *,
                    labels: Sequence[str] = DEVSET_LABELS) -> pd.DataFrame:
    """Gold labels of documents read by up to three coders: the readings where the first two agree, else the majority.

    Parameters
    ----------
    first : DataFrame
        One row per document: ``corpus, doc_id`` and the 0/1 ``labels`` of the first reading (every document).
    second : DataFrame
        ``corpus, doc_id`` and ``labels`` of an independent second reading (some or all documents).
    third : DataFrame
        ``corpus, doc_id`` and ``labels`` of a third reading, blind to the first two, of every document where
        they part on some label.

    Returns
    -------
    DataFrame
        ``first`` with each label replaced by the majority of the readings where the first two disagree (the
        third reading decides), in the same row order, plus ``relabelled``: the labels whose gold differs from
        the first reading, comma-separated ("" for none).

    Raises
    ------
    ValueError
        When the first two readings disagree on a document the third did not read, when a document is read
        twice by the same coder, or when a label is not 0 or 1, naming the documents.
    """
    key = ["corpus", "doc_id"]
    for name, table in (("first", first), ("second", second), ("third", third)):
        dup = table[table.duplicated(key, keep=False)]
        if len(dup):
            raise ValueError(f"{name} reading: documents listed twice: {dup[key].drop_duplicates().values.tolist()[:5]}")
        for col in labels:
            bad = table[~table[col].isin([0, 1])]
            if len(bad):
                raise ValueError(f"{name} reading: {col} must be 0 or 1; documents "
                                 f"{bad[key].values.tolist()[:5]} have {sorted(map(str, set(bad[col])))[:5]}")
    cols = key + list(labels)
    both = first[cols].merge(second[cols], on=key, how="left", suffixes=("", "__2"), validate="1:1")
    both = both.merge(third[cols].rename(columns={c: c + "__3" for c in labels}), on=key, how="left", validate="1:1")
    out = first.copy()
    relabelled = [[] for _ in range(len(out))]
    for col in labels:
        one = both[col].to_numpy(dtype=float)
        two = both[col + "__2"].to_numpy(dtype=float)
        three = both[col + "__3"].to_numpy(dtype=float)
        split = ~np.isnan(two) & (one != two)
        unread = split & np.isnan(three)
        if unread.any():
            raise ValueError(f"{col}: the first two readings disagree on {int(unread.sum())} document(s) the third did "
                             f"not read, e.g. {both.loc[unread, key].values.tolist()[:5]}")
        # one of the first two readings is 1 and the other 0: the third is the majority
        gold = np.where(split, three, one).astype(int)
        for i in np.flatnonzero(gold != one):
            relabelled[i].append(col)
        out[col] = gold
    out["relabelled"] = [",".join(r) for r in relabelled]
    return out


def devset_path():
    """``corpora/validation/devset.csv``: ids, strata, weights, split and labels (no text)."""
    from toolkit.config import PROJECT_ROOT

    return PROJECT_ROOT / "corpora" / "validation" / "devset.csv"


def rounds_label(rounds: str) -> str:
    """The ``rounds`` of :func:`dictionary_quality` for a reader: runs of consecutive rounds as ranges.

    >>> rounds_label("5, 6, 7, 8, 9, 12, 13, 14, 26")
    '5–9, 12–14, 26'
    >>> rounds_label("23, 24")
    '23, 24'
    """
    parts = str(rounds).replace(",", " ").split()
    if not parts or not all(p.isdigit() for p in parts):  # not a list of rounds (missing, a sheet's own label)
        return str(rounds)
    numbers = sorted({int(p) for p in parts})
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    # three or more consecutive rounds read as a range; two stay as two
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def heldout_rounds() -> dict[str, tuple[int, ...]]:
    """Theme → the devset rounds held out for it (``corpora/validation/heldout.csv``).

    A round is held out for a theme when it was scored once with the dictionary
    frozen and its errors for that theme have not informed the dictionary
    since; the file says, per theme, which rounds those are and why.
    """
    table = pd.read_csv(devset_path().with_name("heldout.csv"), dtype=str, keep_default_na=False)
    return {theme: tuple(int(r) for r in rounds.split()) for theme, rounds in zip(table["theme"], table["rounds"])}


def heldout_notes() -> dict[str, str]:
    """Theme → what a reader must know about its held-out rounds (``heldout.csv``'s ``note``; themes without one
    are left out): where the rounds' population differs from the genre the measure is used on, for instance."""
    table = pd.read_csv(devset_path().with_name("heldout.csv"), dtype=str, keep_default_na=False)
    if "note" not in table:
        return {}
    return {theme: note.strip() for theme, note in zip(table["theme"], table["note"]) if note.strip()}


def devset_labels(tie_breaker: str = "third") -> pd.DataFrame:
    """``devset.csv`` with its gold labels (no text): :func:`majority_labels` of the three readings (I/O).

    ``tie_breaker="fourth"`` lets the fourth reading of the same split documents (``devset_fourth_coder.csv``)
    break the ties instead of the third: how far the scores hinge on that one reader. The gold labels are the
    third's.
    """
    if tie_breaker not in ("third", "fourth"):
        raise ValueError(f"tie_breaker is 'third' or 'fourth', got {tie_breaker!r}")
    first = pd.read_csv(devset_path(), dtype={"doc_id": str})
    second, third = (pd.read_csv(devset_path().with_name(f"devset_{n}_coder.csv"), dtype={"doc_id": str})
                     for n in ("second", tie_breaker))
    return majority_labels(first, second, third)


#: The shared corpora's files that hold the development set's texts, per corpus.
DEVSET_SOURCES = (("dantri", "unc-dantri/unc_dantri.jsonl"), ("baomoi", "baomoi-2017/baomoi_vn_news.jsonl.gz"),
                   ("vntc", "vntc/vntc_10topics.jsonl.gz"))
#: One :func:`_devset_texts` result, keyed by the files it read (path, size, mtime): reading them is the costly part
#: of :func:`read_devset` (a pass over some 120,000 articles), and a test run or a report asks several times.
_DEVSET_TEXTS: dict[tuple, dict] = {}


def _devset_texts(root) -> dict[tuple[str, str], tuple[str, str, str, object]]:
    """(corpus, id) → (title, body, description, date) of every document of ``devset.csv`` (I/O).

    The inputs never change under a run (raw data is immutable), so the last result is kept in memory
    while the files it read keep their size and modification time, and ``devset.csv`` its ids; callers
    get a copy of the mapping (its values are tuples of strings).
    """
    import gzip
    from pathlib import Path

    root = Path(root)
    paths = [root / name for _, name in DEVSET_SOURCES]
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"{path}: the shared corpora are not available")
    ids = pd.read_csv(devset_path(), dtype=str, usecols=["corpus", "doc_id"])
    wanted = {c: frozenset(g["doc_id"]) for c, g in ids.groupby("corpus")}
    key = (tuple((str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) for p in paths),
           tuple(sorted(wanted.items())))
    if key in _DEVSET_TEXTS:
        return dict(_DEVSET_TEXTS[key])
    texts: dict[tuple[str, str], tuple[str, str, str, object]] = {}

    def lines_of(path: Path, opener):
        with opener(path) as f:
            for line in f:
                yield json.loads(line)

    dantri, baomoi, vntc = paths
    for r in lines_of(dantri, lambda p: open(p, encoding="utf-8")):
        if r["doc_id"] in wanted.get("dantri", ()) and ("dantri", r["doc_id"]) not in texts:
            parts = r["text"].split("\n")
            body = "\n".join(parts[1:]) if parts and parts[0].strip() == r["title"].strip() else r["text"]
            date = f"{r['date'][:4]}-{r['date'][4:6]}-{r['date'][6:8]}"
            texts["dantri", r["doc_id"]] = (r["title"], body, parts[1] if len(parts) > 1 else "", date)
    for r in lines_of(baomoi, lambda p: gzip.open(p, "rt", encoding="utf-8")):
        if r["id"] in wanted.get("baomoi", ()) and ("baomoi", r["id"]) not in texts:
            body = "\n".join(x for x in (r["sapo"], r["body"]) if x)
            texts["baomoi", r["id"]] = (r["title"] or "", body, r["sapo"] or "", "2017")
    for r in lines_of(vntc, lambda p: gzip.open(p, "rt", encoding="utf-8")):
        if r["id"] in wanted.get("vntc", ()) and ("vntc", r["id"]) not in texts:
            parts = [x for x in r["text"].split("\n") if x.strip()]
            texts["vntc", r["id"]] = (parts[0] if parts else "", "\n".join(parts[1:]),
                                      parts[1] if len(parts) > 1 else "", pd.NA)
    _DEVSET_TEXTS.clear()
    _DEVSET_TEXTS[key] = texts
    return dict(texts)


def read_devset(shared_corpora=None, *, split: str | None = None, labels: str = "majority") -> pd.DataFrame:
    """The labelled development set joined with its texts from the shared corpora (I/O).

    Parameters
    ----------
    shared_corpora : path, optional
        Folder with ``unc-dantri/``, ``baomoi-2017/`` and ``vntc/``
        (default: ``../shared/corpora`` beside the project).
    split : {"tune", "test", "reviewed", "holdout"}, optional
        One half only.
    labels : {"majority", "first"}
        ``"majority"`` (the gold standard): where a second reading
        (``devset_second_coder.csv``) disagrees with the first, the third
        reading (``devset_third_coder.csv``) decides, :func:`majority_labels`;
        ``"first"``: the first coder's labels (``devset.csv``) as read.

    Returns
    -------
    DataFrame
        ``doc_id`` (``corpus:id``), ``corpus``, ``title``, ``body`` (the text
        after the title), ``short`` (title + description), ``date``
        (``YYYY-MM-DD`` for dantri, ``2017`` for baomoi, empty for the
        undated vntc), ``year``,
        ``stratum``, ``weight``, ``split``, the label columns, ``reason`` (the
        first coder's) and, with ``labels="majority"``, ``relabelled`` (the
        labels whose gold differs from the first reading).

    Raises
    ------
    FileNotFoundError
        When the shared corpora are not there (callers skip).

    Notes
    -----
    The texts are read once per process while the corpora's files and
    ``devset.csv`` stay unchanged (:func:`_devset_texts`); the labels are
    read on every call.
    """
    from pathlib import Path

    from toolkit.config import SHARED_DIR

    root = Path(shared_corpora) if shared_corpora is not None else SHARED_DIR / "corpora"
    if labels not in ("majority", "first"):
        raise ValueError(f"labels must be 'majority' or 'first', not {labels!r}")
    coded = devset_labels() if labels == "majority" else pd.read_csv(devset_path(), dtype={"doc_id": str})
    if split is not None:
        coded = coded[coded["split"] == split]
    texts = _devset_texts(root)
    missing = [(c, d) for c, d in zip(coded["corpus"], coded["doc_id"]) if (c, d) not in texts]
    if missing:
        raise ValueError(f"{len(missing)} development-set documents are not in the shared corpora, e.g. {missing[:3]}")
    rows = [texts[c, d] for c, d in zip(coded["corpus"], coded["doc_id"])]
    out = coded.rename(columns={"doc_id": "id"}).reset_index(drop=True)
    out.insert(0, "doc_id", out["corpus"] + ":" + out["id"])
    out["title"] = [r[0] for r in rows]
    out["body"] = [r[1] for r in rows]
    out["short"] = [f"{r[0]}\n{r[2]}".strip() for r in rows]
    out["date"] = [r[3] for r in rows]
    out["year"] = pd.array([int(r[3][:4]) if isinstance(r[3], str) else pd.NA for r in rows], dtype="Int64")
    return out.drop(columns="id")


def dictionary_quality(
    devset: pd.DataFrame,
    hits: pd.DataFrame,
    short_hits: pd.DataFrame | None = None,
    *,
    theme_ids: Sequence[str] = DEVSET_THEMES,
    weighted: bool = False,
    rounds: Mapping[str, Sequence[int]] | None = None,
    ci: float = 0.95,
    random_state: int = 0,
) -> pd.DataFrame:
    """Quality of theme hits against the development set's labels, one row per theme and item.

    Parameters
    ----------
    devset : DataFrame
        :func:`read_devset` (one split or several).
    hits : DataFrame
        :func:`toolkit.themes.dictionary.theme_hits` (or :func:`classifier_hits`) of the
        full texts, keyed by the devset's ``doc_id``.
    short_hits : DataFrame, optional
        The same for the short items (title + description): scored against
        ``covid_short`` for COVID-19.
    weighted : bool
        Weight by the sampling weights (corpus-level rates) instead of the
        labelled sample's own rates.
    rounds : mapping of theme id to rounds, optional
        Score a theme only on the devset's documents of these rounds
        (:func:`heldout_rounds`: the rounds whose errors never informed that
        theme's terms); a theme not in the mapping uses every row given.

    Returns
    -------
    DataFrame
        ``theme, item, measure, weighted, rounds`` (the rounds scored, e.g.
        ``"5, 6, 7"``) and the columns of :func:`score_predictions`, plus
        ``flagged_before_2020`` (documents dated before 2020 flagged for
        COVID-19; NaN for other rows).
    """
    def present(table: pd.DataFrame, theme: str) -> np.ndarray:
        sub = table[table["theme"] == theme].set_index("doc_id")["present"]
        return sub.reindex(devset["doc_id"]).fillna(False).astype(int).to_numpy()

    weights = devset["weight"].to_numpy(dtype=float) if weighted else None
    measure = str(hits["measure"].iloc[0]) if "measure" in hits.columns and len(hits) else "dictionary"
    rows = []
    items = [("full text", hits, t, t) for t in theme_ids]
    if short_hits is not None and "covid" in theme_ids and "covid_short" in devset.columns:
        items.append(("title + description", short_hits, "covid", "covid_short"))
    before = (devset["year"].fillna(9999).to_numpy() < 2020) if "year" in devset.columns else np.zeros(len(devset), bool)
    all_rounds = devset["round"].to_numpy() if "round" in devset.columns else np.zeros(len(devset), int)
    for item, table, theme, label in items:
        keep = np.ones(len(devset), bool)
        if rounds is not None and theme in rounds:
            keep = np.isin(all_rounds, list(rounds[theme]))
        pred = present(table, theme)
        row = {"theme": theme, "item": item, "measure": measure, "weighted": weighted,
               "rounds": ", ".join(str(r) for r in sorted(set(all_rounds[keep].tolist())))}
        row.update(score_predictions(pred[keep], devset[label].to_numpy(dtype=float)[keep],
                                     None if weights is None else weights[keep], ci=ci, random_state=random_state))
        row["flagged_before_2020"] = int(pred[keep & before].sum()) if theme == "covid" else math.nan
        rows.append(row)
    return pd.DataFrame(rows)
