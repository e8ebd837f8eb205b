"""Tests of toolkit.themes.validate: intervals, the coding sample, scoring, agreement, term table, classifier."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from toolkit.text.segment import tokenize
from toolkit.themes.dictionary import themes_from_mapping
from toolkit.themes.validate import (
    SEP,
    ThemeClassifier,
    agreement,
    classifier_hits,
    coded_themes,
    proportion_interval,
    score_predictions,
    score_sheet,
    term_table,
    train_classifier,
    validation_sample,
)

# -- intervals ----------------------------------------------------------------------


def _exact_coverage(p: float, n: int, method: str) -> float:
    k = np.arange(n + 1)
    low, high = proportion_interval(k, np.full(n + 1, n), method=method)
    inside = (low <= p) & (p <= high)
    return float(stats.binom.pmf(k, n, p)[inside].sum())


@pytest.mark.parametrize("method", ["wilson", "jeffreys"])
@pytest.mark.parametrize("p", [0.0, 0.02, 0.3])
@pytest.mark.parametrize("n", [3, 10, 80])
def test_interval_coverage_is_near_nominal_at_small_n_and_extreme_p(method, p, n):
    # Exact coverage (sum of binomial probabilities of the k whose interval holds p).
    # Wilson and Jeffreys dip a little below 95% at some (p, n) (Brown, Cai & DasGupta 2001);
    # a percentile bootstrap has coverage 0 at p = 0.02, n = 3 whenever k = 0 (a point interval).
    assert _exact_coverage(p, n, method) >= 0.92


def test_interval_coverage_by_simulation_matches_exact():
    rng = np.random.default_rng(1)
    for p, n in [(0.02, 10), (0.3, 3), (0.0, 80)]:
        k = rng.binomial(n, p, size=4000)
        low, high = proportion_interval(k, np.full_like(k, n))
        covered = float(np.mean((low <= p) & (p <= high)))
        assert covered == pytest.approx(_exact_coverage(p, n, "wilson"), abs=0.02)


def test_intervals_never_collapse_at_zero_or_all():
    low, high = proportion_interval([0, 5, 1], [5, 5, 1])
    assert low[0] == 0 and high[0] > 0.3
    assert high[1] == pytest.approx(1) and low[1] < 0.7
    assert low[2] < 0.5 < high[2]
    low, high = proportion_interval([0], [0])
    assert np.isnan(low[0]) and np.isnan(high[0])


# -- scoring ------------------------------------------------------------------------


def test_score_predictions_counts_and_rates():
    s = score_predictions([1, 1, 1, 0, 0], [1, 0, 1, 1, 0])
    assert (s["tp"], s["fp"], s["fn"], s["tn"]) == (2, 1, 1, 1)
    assert s["precision"] == pytest.approx(2 / 3) and s["recall"] == pytest.approx(2 / 3)
    assert s["f1"] == pytest.approx(2 / 3)
    for name in ("precision", "recall", "f1"):
        assert s[f"{name}_low"] < s[name] < s[f"{name}_high"]


def test_perfect_scores_keep_an_honest_interval():
    s = score_predictions([1] * 6 + [0] * 6, [1] * 6 + [0] * 6)
    assert s["precision"] == 1 and s["recall"] == 1 and s["f1"] == 1
    assert s["precision_low"] < 0.9 and s["recall_low"] < 0.9 and s["f1_low"] < 0.95
    # every interval holds its point: the F1 draws never reach 1, the interval is stretched to it (a round with one
    # positive, found and the only flag, had read "F1 1.00 (0.16-0.99)")
    for n in (1, 3, 6):
        s = score_predictions([1] * n + [0] * 20, [1] * n + [0] * 20)
        for name in ("precision", "recall", "f1"):
            assert s[f"{name}_low"] <= s[name] <= s[f"{name}_high"], (n, name, s)
        assert s["f1_high"] == 1 and s["f1_low"] < 1


def test_f1_of_a_measure_that_flags_nothing_has_an_upper_bound():
    # nothing predicted: F1 is 0; with precision at its best, F1 = 2R/(1 + R) bounds it
    s = score_predictions([0] * 10, [1, 1] + [0] * 8)
    assert s["f1"] == 0 and s["f1_low"] == 0 and np.isnan(s["precision"])
    assert s["f1_high"] == pytest.approx(2 * s["recall_high"] / (1 + s["recall_high"]))
    assert 0 < s["f1_high"] < 1
    # no reference positive, two flagged: bounded by precision's upper bound
    s = score_predictions([1, 1] + [0] * 8, [0] * 10)
    assert s["f1"] == 0 and s["f1_high"] == pytest.approx(2 * s["precision_high"] / (1 + s["precision_high"]))


def test_weights_move_recall_to_the_corpus():
    # 4 sampled misses stand for 100 documents each: one missed positive there weighs 100.
    pred = [1, 1, 0, 0, 0, 0]
    ref = [1, 1, 1, 0, 0, 0]
    w = [1, 1, 100, 100, 100, 100]
    unweighted = score_predictions(pred, ref)
    weighted = score_predictions(pred, ref, w)
    assert unweighted["recall"] == pytest.approx(2 / 3)
    assert weighted["recall"] == pytest.approx(2 / 102)
    assert weighted["precision"] == pytest.approx(1.0)


def _sheet():
    return pd.DataFrame({
        "doc_id": ["a", "b", "c", "d", "e", "f"],
        "weight": [1.0] * 6,
        f"site{SEP}dictionary": [1, 1, 1, 0, 0, 0],
        f"site{SEP}terms": ["giải phóng mặt bằng (2)", "mặt bằng (1)", "mặt bằng (1); thu hồi đất (1)", "", "", ""],
        f"site{SEP}coder1": [1, 0, 1, 1, 0, 0],
        f"site{SEP}coder2": [1, 0, 1, 0, 0, pd.NA],
    })


def test_score_sheet_reads_the_first_coder_and_names_it():
    report = score_sheet(_sheet())
    row = report.iloc[0]
    assert row["theme"] == "site" and row["reference"] == "coder1" and row["measure"] == "dictionary"
    assert (row["tp"], row["fp"], row["fn"], row["tn"]) == (2, 1, 1, 2)
    other = score_sheet(_sheet(), coder="coder2").iloc[0]
    assert other["n_coded"] == 5 and other["fn"] == 0


def test_score_sheet_rejects_a_bad_label_with_its_row():
    sheet = _sheet()
    sheet[f"site{SEP}coder1"] = sheet[f"site{SEP}coder1"].astype(object)
    sheet.loc[3, f"site{SEP}coder1"] = "yes"
    with pytest.raises(ValueError, match="row 5"):
        score_sheet(sheet)


def test_only_the_coded_themes_are_scored_by_default():
    # a sheet drawn for every theme of the dictionary, coded for one of them
    sheet = _sheet().assign(**{f"faith{SEP}dictionary": [0, 1, 0, 0, 0, 0], f"faith{SEP}terms": "",
                               f"faith{SEP}coder1": pd.NA, f"faith{SEP}coder2": pd.NA})
    assert coded_themes(sheet) == ["site"]
    assert score_sheet(sheet)["theme"].tolist() == ["site"]
    assert term_table(sheet)["theme"].unique().tolist() == ["site"]
    with pytest.raises(ValueError, match="'faith': no coded column"):
        score_sheet(sheet, themes=["site", "faith"])
    empty = sheet.assign(**{f"site{SEP}coder1": pd.NA, f"site{SEP}coder2": pd.NA})
    with pytest.raises(ValueError, match="no theme of the sheet is coded yet"):
        score_sheet(empty)


def test_a_sheet_saved_by_excel_in_a_vietnamese_locale_is_scored(tmp_path):
    from toolkit.corpus import read_table

    # semicolons, decimal commas, a byte-order mark, CRLF: "CSV UTF-8" of Excel with Vietnamese settings
    rows = ["doc_id;weight;site__dictionary;site__terms;site__coder1",
            "a;1;1;giải phóng mặt bằng (2);1", "b;1;1;mặt bằng (1);0", "c;12,5;0;;1", "d;12,5;0;;0"]
    (tmp_path / "coded.csv").write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    sheet = read_table(tmp_path / "coded.csv")
    row = score_sheet(sheet).iloc[0]
    assert (row["tp"], row["fp"], row["fn"], row["tn"]) == (1, 1, 1, 1)
    assert row["recall"] == pytest.approx(1 / 13.5)   # the miss weighs 12.5
    sheet.loc[2, "weight"] = "nhiều"
    with pytest.raises(ValueError, match="'weight', sheet row 4"):
        score_sheet(sheet)


def test_a_sheet_must_hold_each_document_once():
    from toolkit.themes.validate import check_sheet

    sheet = _sheet()
    sheet.loc[4, "doc_id"] = "d"          # an id typed over another: sheet rows 5 and 6
    with pytest.raises(ValueError, match=r"doc_id 'd' is on sheet rows 5, 6"):
        score_sheet(sheet)
    with pytest.raises(ValueError, match="no `doc_id` column"):
        score_sheet(_sheet().drop(columns="doc_id"))
    blank = _sheet()
    blank.loc[1, "doc_id"] = ""
    with pytest.raises(ValueError, match="sheet row.s. 3: no document id"):
        check_sheet(blank)
    check_sheet(_sheet())


def test_a_label_left_blank_is_named_not_dropped_silently(caplog):
    sheet = _sheet()
    sheet[f"site{SEP}coder1"] = sheet[f"site{SEP}coder1"].astype(object)
    sheet.loc[2, f"site{SEP}coder1"] = ""
    with caplog.at_level("WARNING", logger="toolkit"):
        row = score_sheet(sheet).iloc[0]
    assert row["n_coded"] == 5
    assert "1 of 6 documents have no label in 'site__coder1' (sheet row(s) 4; doc_id c)" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="toolkit"):
        score_sheet(_sheet())
    assert "no label" not in caplog.text     # coder1 is complete; coder2's blank is not the reference


def test_scores_say_when_they_are_not_weighted_or_use_another_reference(caplog):
    with caplog.at_level("WARNING", logger="toolkit"):
        score_sheet(_sheet().drop(columns="weight"))
    assert "no `weight` column" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="toolkit"):
        score_sheet(_sheet(), weighted=False)
    assert "weight" not in caplog.text
    # the adjudicated column exists but is empty: the first coder is the reference, and the log says so
    gold = _sheet().assign(**{f"site{SEP}gold": pd.NA})
    with caplog.at_level("WARNING", logger="toolkit"):
        assert score_sheet(gold).iloc[0]["reference"] == "coder1"
    assert "scored against 'site__coder1': 'site__gold' has no label" in caplog.text


def test_an_unknown_coder_names_the_coders_of_the_sheet():
    with pytest.raises(ValueError, match="no coder column named 'coder3'.*its coders: coder1, coder2"):
        coded_themes(_sheet(), "coder3")


def test_agreement_kappa_and_alpha():
    sheet = _sheet()
    table = agreement(sheet).iloc[0]
    assert table["n_both"] == 5
    assert table["percent_agreement"] == pytest.approx(4 / 5)
    from sklearn.metrics import cohen_kappa_score
    assert table["cohen_kappa"] == pytest.approx(cohen_kappa_score([1, 0, 1, 1, 0], [1, 0, 1, 0, 0]))
    assert -1 <= table["krippendorff_alpha"] < 1
    same = sheet.assign(**{f"site{SEP}coder2": sheet[f"site{SEP}coder1"]})
    assert agreement(same).iloc[0]["krippendorff_alpha"] == pytest.approx(1.0)


# -- weighted scores: the stratified design of `validate sample` ----------------------


def _design_sheet(miss_positive: int = 0, *, theme: str = "faith", coders=("coder1", "coder2")) -> pd.DataFrame:
    """The walk-through's design: all 59 flagged documents read (37 have the theme), 40 of 1,420 unflagged."""
    n_hit, n_miss = 59, 40
    ref = [1] * 37 + [0] * 22 + [1] * miss_positive + [0] * (n_miss - miss_positive)
    sheet = pd.DataFrame({
        "doc_id": [f"d{i:03d}" for i in range(n_hit + n_miss)],
        "stratum": [f"hit:{theme}"] * n_hit + ["miss"] * n_miss,
        "weight": [1.0] * n_hit + [1420 / n_miss] * n_miss,
        f"{theme}{SEP}dictionary": [1] * n_hit + [0] * n_miss,
        f"{theme}{SEP}{coders[0]}": ref,
    })
    sheet[f"{theme}{SEP}{coders[1]}"] = sheet[f"{theme}{SEP}{coders[0]}"]
    return sheet


def test_weighted_recall_is_uncertain_when_a_large_unflagged_stratum_is_read_thinly():
    # no miss among 40 read of 1,420 unflagged documents says little about the other 1,380: recall was
    # 1.00 (0.91-1.00), Wilson on the Kish size of the 37 coded positives
    row = score_sheet(_design_sheet()).iloc[0]
    assert row["recall"] == 1.0 and row["recall_high"] == 1.0
    assert 0.1 < row["recall_low"] < 0.6
    assert row["f1_low"] < 0.6 < row["f1"]
    # every flagged document was read: precision is known exactly (a census stratum)
    assert row["precision"] == row["precision_low"] == row["precision_high"] == pytest.approx(37 / 59)


def test_weighted_prevalence_never_falls_below_the_positives_read():
    # 37 positives of 1,479 documents are certain: prevalence >= 0.025 (the Kish-Wilson bound was 0.005)
    row = score_sheet(_design_sheet()).iloc[0]
    assert row["prevalence"] == pytest.approx(37 / 1479)
    assert row["prevalence_low"] >= 37 / 1479 - 1e-12
    assert row["prevalence_high"] > 0.04
    # two misses among the 40 read: each stands for 35.5 documents, and the interval moves with them
    found = score_sheet(_design_sheet(miss_positive=2)).iloc[0]
    assert found["recall"] == pytest.approx(37 / (37 + 2 * 35.5))
    assert found["recall_low"] < found["recall"] < found["recall_high"] < 1
    assert found["prevalence_low"] > 37 / 1479


def test_weighted_intervals_cover_the_corpus_values():
    # draw a finite corpus, sample it as `validate sample` does, score: the 95% intervals hold the corpus's own
    # precision, recall and prevalence about 95% of the time (the Kish-Wilson recall covered far less here)
    rng = np.random.default_rng(11)
    n_hit, n_miss, big_hit, big_miss = 30, 60, 100, 3000
    covered = {"precision": 0, "recall": 0, "prevalence": 0}
    reps = 150
    for r in range(reps):
        y_hit, y_miss = rng.random(big_hit) < 0.5, rng.random(big_miss) < 0.02
        truth = {"precision": y_hit.mean(), "recall": y_hit.sum() / (y_hit.sum() + y_miss.sum()),
                 "prevalence": (y_hit.sum() + y_miss.sum()) / (big_hit + big_miss)}
        ref = np.r_[y_hit[rng.choice(big_hit, n_hit, replace=False)],
                    y_miss[rng.choice(big_miss, n_miss, replace=False)]]
        s = score_predictions(np.r_[np.ones(n_hit), np.zeros(n_miss)], ref.astype(float),
                              np.r_[np.full(n_hit, big_hit / n_hit), np.full(n_miss, big_miss / n_miss)],
                              n_draws=1000, random_state=r)   # each weight a stratum
        for name in covered:
            covered[name] += s[f"{name}_low"] <= truth[name] <= s[f"{name}_high"]
    assert all(c / reps >= 0.9 for c in covered.values()), covered


def test_without_a_stratum_column_each_weight_is_a_stratum():
    sheet = _design_sheet(miss_positive=1)
    with_strata = score_sheet(sheet).iloc[0]
    without = score_sheet(sheet.drop(columns="stratum")).iloc[0]
    for name in ("recall", "recall_low", "recall_high", "prevalence_low", "f1_high"):
        assert without[name] == pytest.approx(with_strata[name])


def test_unweighted_scores_keep_their_wilson_intervals():
    row = score_sheet(_design_sheet(), weighted=False).iloc[0]
    low, high = proportion_interval(37, 37)
    assert not bool(row["weighted"])
    assert (row["recall_low"], row["recall_high"]) == (float(low[0]), float(high[0]))
    assert bool(score_sheet(_design_sheet())["weighted"].iloc[0]) is True
    assert bool(score_sheet(_design_sheet().drop(columns="weight"))["weighted"].iloc[0]) is False


def test_blank_labels_are_reweighted_within_their_stratum():
    # half of a stratum of 40 documents (weight 10 each) left blank: the 2 coded stand for all 40
    sheet = pd.DataFrame({
        "doc_id": list("abcdefgh"), "stratum": ["hit"] * 4 + ["miss"] * 4,
        "weight": [1.0] * 4 + [10.0] * 4,
        f"site{SEP}dictionary": [1, 1, 1, 1, 0, 0, 0, 0],
        f"site{SEP}coder1": [1, 1, 0, 1, 1, 0, pd.NA, pd.NA],
    })
    row = score_sheet(sheet).iloc[0]
    # tp 3, missed 1 of 2 coded misses, each now weighing 20 (40 documents / 2 coded)
    assert row["recall"] == pytest.approx(3 / (3 + 20))
    assert row["prevalence"] == pytest.approx((3 + 20) / 44)


def test_a_stratum_nobody_coded_leaves_recall_unmeasured_and_is_named(caplog):
    # the whole miss stratum blank: recall printed 1.000 from the flagged documents alone
    sheet = _design_sheet()
    sheet[f"faith{SEP}coder1"] = sheet[f"faith{SEP}coder1"].astype("Float64")
    sheet.loc[sheet["stratum"] == "miss", f"faith{SEP}coder1"] = pd.NA
    with caplog.at_level("WARNING", logger="toolkit"):
        row = score_sheet(sheet).iloc[0]
    assert np.isnan(row["recall"]) and np.isnan(row["f1"]) and np.isnan(row["prevalence"])
    assert np.isnan(row["recall_low"]) and np.isnan(row["prevalence_high"])
    assert row["precision"] == pytest.approx(37 / 59)       # the miss stratum holds no flagged document
    assert "stratum 'miss' has 40 row(s), none of them coded (40 blank)" in caplog.text
    # a blank stratum with flagged documents leaves precision unmeasured too
    sheet.loc[sheet["stratum"] != "miss", f"faith{SEP}coder1"] = pd.NA
    sheet.loc[sheet["stratum"] == "miss", f"faith{SEP}coder1"] = 0
    assert np.isnan(score_sheet(sheet).iloc[0]["precision"])


def _crossed_sheet(*, known: bool = True) -> pd.DataFrame:
    """Theme site drawn within a design stratified by another theme's hits (`validate sample` with two themes).

    ``hit:site``: its 30 documents, all flagged for site, read in full (24 have the theme). ``hit:faith``: 40
    documents, 5 of them flagged for site too; 8 read, none of those 5 (1 unflagged positive). ``miss``: 100
    unflagged documents, 10 read (1 positive). With ``known``, the sheet carries the flagged counts per stratum
    that `validate sample` writes (``site__stratum_flagged``).
    """
    parts = [("hit:site", 30, 30, [1] * 30, [1] * 24 + [0] * 6),
             ("hit:faith", 40, 8, [0] * 8, [1] + [0] * 7),
             ("miss", 100, 10, [0] * 10, [1] + [0] * 9)]
    frames = [pd.DataFrame({"stratum": name, "weight": big_n / n, f"site{SEP}dictionary": flags,
                            f"site{SEP}coder1": labels}) for name, big_n, n, flags, labels in parts]
    sheet = pd.concat(frames, ignore_index=True)
    sheet.insert(0, "doc_id", [f"d{i:03d}" for i in range(len(sheet))])
    if known:
        sheet.insert(3, f"site{SEP}stratum_flagged", sheet["stratum"].map({"hit:site": 30, "hit:faith": 5, "miss": 0}))
    return sheet


def test_weighted_scores_use_the_flagged_counts_the_sample_recorded(caplog):
    # the 5 site-flagged documents of hit:faith were never read: the weighting took them for unflagged ones, so
    # the measured share left them out (30/170, not 35/170), precision's population lacked them and recall's
    # draws counted them among the possible misses
    with caplog.at_level("WARNING", logger="toolkit"):
        row = score_sheet(_crossed_sheet()).iloc[0]
    assert row["measured_share"] == pytest.approx(35 / 170)
    # the point estimate gives the unread flagged documents the share of the coded flagged ones (24/30) ...
    tp, fn = 30 * 24 / 30 + 5 * 24 / 30, 35 * 1 / 8 + 100 * 1 / 10
    assert row["precision"] == pytest.approx(tp / 35)
    assert row["recall"] == pytest.approx(tp / (tp + fn))
    assert row["prevalence"] == pytest.approx((tp + fn) / 170)
    # ... and the interval spans what they may be (none to all 5 positive), hit:site being read in full
    assert row["precision_low"] == pytest.approx(24 / 35) and row["precision_high"] == pytest.approx(29 / 35)
    assert row["recall_low"] < row["recall"] < row["recall_high"]
    assert "theme site: 5 document(s) the dictionary flags have no coded row (stratum 'hit:faith': 5)" in caplog.text


def test_sheets_without_flagged_counts_score_as_before():
    old = score_sheet(_crossed_sheet(known=False)).iloc[0]
    assert old["measured_share"] == pytest.approx(30 / 170)
    assert old["precision"] == old["precision_low"] == old["precision_high"] == pytest.approx(24 / 30)
    assert old["recall"] == pytest.approx(24 / (24 + 40 / 8 + 100 / 10))
    # flagged counts that say what the sample already shows (every stratum all flagged or all not) change nothing
    sheet = _design_sheet(miss_positive=2)
    known = sheet.assign(**{f"faith{SEP}stratum_flagged": sheet["stratum"].map({"hit:faith": 59, "miss": 0})})
    pd.testing.assert_frame_equal(score_sheet(known), score_sheet(sheet))
    # and the counts are the dictionary's: a classifier's scores do not use them
    with_classifier = known.assign(**{f"faith{SEP}classifier": known[f"faith{SEP}dictionary"]})
    pd.testing.assert_frame_equal(score_sheet(with_classifier, measure="classifier").drop(columns="measure"),
                                  score_sheet(sheet).drop(columns="measure"))


def test_flagged_counts_that_contradict_the_sheet_are_named():
    sheet = _crossed_sheet()
    column = f"site{SEP}stratum_flagged"
    fewer = sheet.assign(**{column: sheet["stratum"].map({"hit:site": 29, "hit:faith": 5, "miss": 0})})
    with pytest.raises(ValueError, match=r"site__stratum_flagged.*'hit:site'.*29.*30 flagged row"):
        score_sheet(fewer)
    mixed = sheet.copy()
    mixed.loc[0, column] = 12
    with pytest.raises(ValueError, match=r"site__stratum_flagged.*'hit:site'.*12, 30"):
        score_sheet(mixed)
    more = sheet.assign(**{column: sheet["stratum"].map({"hit:site": 30, "hit:faith": 35, "miss": 0})})
    with pytest.raises(ValueError, match=r"'hit:faith'.*8 unflagged row"):
        score_sheet(more)


def _flags_nothing(n: int, positives: int, big=(400, 4000)):
    """Two strata, ``n`` coded documents of each (``positives`` of them positive), none flagged by the measure."""
    ref = ([1] * positives + [0] * (n - positives)) * 2
    weights = [big[0] / n] * n + [big[1] / n] * n
    return [0] * (2 * n), ref, weights, ["a"] * n + ["b"] * n


def test_weighted_recall_of_a_measure_that_flags_no_coded_document_keeps_an_upper_bound():
    # a rare theme's classifier flags none of the coded documents: recall was 0.0 (0.0-0.0), F1 too, since the
    # strata's flagged sizes, estimated as N_h·0/n_h, left no draw a true positive
    pred, ref, w, strata = [0] * 20, [1, 1, 1, 0, 0, 0, 0, 0, 0, 0] * 2, [5] * 10 + [50] * 10, ["a"] * 10 + ["b"] * 10
    s = score_predictions(pred, ref, w, strata=strata)
    assert s["recall"] == s["recall_low"] == 0 and s["f1"] == s["f1_low"] == 0
    assert 0 < s["recall_high"] < 0.6 and s["f1_high"] > 0
    # F1 = 2PR/(P + R) <= 2R/(1 + R) in every draw, as the unweighted bound has it
    assert s["f1_high"] <= 2 * s["recall_high"] / (1 + s["recall_high"]) + 1e-12
    # the point estimates are the weighted ratios, as before
    assert s["prevalence"] == pytest.approx((3 * 5 + 3 * 50) / 550) and s["measured_share"] == 0
    assert np.isnan(s["precision"]) and np.isnan(s["precision_high"])
    # `validate score --classifier` on a weighted sheet: the classifier's counts per stratum are never known
    sheet = _design_sheet(miss_positive=2).assign(**{f"faith{SEP}classifier": 0})
    row = score_sheet(sheet, measure="classifier").iloc[0]
    assert row["recall"] == row["recall_low"] == 0 and row["recall_high"] > 0 and row["f1_high"] > 0


def test_weighted_recall_bound_of_a_measure_that_flags_nothing_shrinks_as_more_is_read():
    # 30% positives read in each stratum, none flagged: more documents read, a tighter bound
    def scored(n: int, positives: int) -> dict:
        pred, ref, weights, strata = _flags_nothing(n, positives)
        return score_predictions(pred, ref, weights, strata=strata)

    by_n = [scored(n, int(0.3 * n)) for n in (10, 40, 160)]
    for name in ("recall_high", "f1_high"):
        highs = [s[name] for s in by_n]
        assert highs[0] > highs[1] > highs[2] > 0, (name, highs)
    # the same documents read, more of them positive and every one missed: a tighter bound
    by_k = [scored(40, k) for k in (2, 8, 20)]
    highs = [s["recall_high"] for s in by_k]
    assert highs[0] > highs[1] > highs[2] > 0, highs


def test_weighted_recall_of_a_measure_that_flags_every_coded_document_is_not_certain():
    # the mirror case: estimated sizes left no unflagged document, and recall was 1.0 (1.0-1.0)
    pred, ref, w, strata = _flags_nothing(10, 3)
    s = score_predictions([1] * len(pred), ref, w, strata=strata)
    assert s["recall"] == s["recall_high"] == 1 and s["recall_low"] < 1
    assert s["precision"] == pytest.approx(0.3) and s["precision_low"] < 0.3 < s["precision_high"]


def test_known_counts_that_say_the_measure_flags_nothing_leave_recall_certain():
    # with `stratum_flagged` the strata's flagged sizes are counts, not estimates: nothing flagged is no true positive
    sheet = _design_sheet(miss_positive=2).assign(**{f"faith{SEP}dictionary": 0, f"faith{SEP}stratum_flagged": 0})
    row = score_sheet(sheet).iloc[0]
    assert row["recall"] == row["recall_low"] == row["recall_high"] == 0
    assert row["f1"] == row["f1_low"] == row["f1_high"] == 0
    # without the counts the same sheet's recall is uncertain
    estimated = score_sheet(sheet.drop(columns=f"faith{SEP}stratum_flagged")).iloc[0]
    assert estimated["recall"] == 0 and estimated["recall_high"] > 0


def test_weighted_bounds_of_a_measure_that_flags_no_coded_document_cover_the_corpus_values():
    # a weak measure (10% of positives flagged, 1% of negatives) on a corpus of two strata; in the samples where it
    # flags none of the coded documents, recall's and F1's intervals hold the corpus's own values (they held them
    # never: 0-0)
    rng = np.random.default_rng(5)
    big, n, prevalence = (200, 2000), (20, 20), (0.3, 0.05)
    covered, events = {"recall": 0, "f1": 0}, 0
    for r in range(300):
        populations = []
        for size, share in zip(big, prevalence):
            y = rng.random(size) < share
            populations.append((y, np.where(y, rng.random(size) < 0.1, rng.random(size) < 0.01)))
        tp = sum(int((y & f).sum()) for y, f in populations)
        fn = sum(int((y & ~f).sum()) for y, f in populations)
        fp = sum(int((~y & f).sum()) for y, f in populations)
        if tp + fn == 0:
            continue
        truth = {"recall": tp / (tp + fn), "f1": 2 * tp / (2 * tp + fp + fn)}
        pred, ref, w, strata = [], [], [], []
        for h, ((y, f), size, n_h) in enumerate(zip(populations, big, n)):
            i = rng.choice(size, n_h, replace=False)
            pred += f[i].tolist()
            ref += y[i].tolist()
            w += [size / n_h] * n_h
            strata += [h] * n_h
        if any(pred) or not any(ref):
            continue
        events += 1
        s = score_predictions(np.array(pred, float), np.array(ref, float), w, strata=strata, n_draws=1000,
                              random_state=r)
        for name in covered:
            covered[name] += s[f"{name}_low"] <= truth[name] <= s[f"{name}_high"]
    assert events >= 50
    assert all(c / events >= 0.9 for c in covered.values()), (covered, events)


# -- coders and their agreement -------------------------------------------------------


def test_kappa_and_alpha_are_nan_when_a_coder_used_one_label():
    sheet = pd.DataFrame({"doc_id": list("abcde"), f"site{SEP}dictionary": [1, 0, 0, 0, 0],
                          f"site{SEP}coder1": [0, 0, 0, 0, 0], f"site{SEP}coder2": [0, 0, 1, 0, 0]})
    row = agreement(sheet).iloc[0]
    assert np.isnan(row["cohen_kappa"]) and np.isnan(row["krippendorff_alpha"])
    assert row["n_both"] == 5 and row["percent_agreement"] == pytest.approx(4 / 5)


def test_coders_are_the_names_the_sheet_has():
    from toolkit.themes.validate import theme_coders

    # `validate sample --coders anna,binh`
    sheet = _design_sheet(coders=("anna", "binh"))
    sheet[f"faith{SEP}kwic"] = ""
    sheet[f"faith{SEP}notes"] = "đọc lại"
    assert theme_coders(sheet, "faith") == ["anna", "binh"]
    assert coded_themes(sheet) == ["faith"]
    assert score_sheet(sheet).iloc[0]["reference"] == "anna"
    row = agreement(sheet).iloc[0]
    assert row["coders"] == "anna, binh" and row["n_both"] == 99
    # in the sheet's column order, not the alphabet's
    swapped = sheet[[c for c in sheet.columns if c != f"faith{SEP}anna"] + [f"faith{SEP}anna"]]
    assert theme_coders(swapped, "faith") == ["binh", "anna"]
    blank = sheet.assign(**{f"faith{SEP}anna": pd.NA, f"faith{SEP}binh": pd.NA})
    with pytest.raises(ValueError, match="fill <theme>__anna"):
        coded_themes(blank)


def test_score_command_gives_agreement_for_the_themes_coded_twice(tmp_path, caplog):
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table

    sheet = _design_sheet().merge(_design_sheet(theme="site").drop(columns=["stratum", "weight"]), on="doc_id")
    sheet = sheet.drop(columns=f"site{SEP}coder2")      # the second coder did not read site clearance
    write_table(sheet, tmp_path / "sheet.csv")
    with caplog.at_level("WARNING", logger="toolkit"):
        result = CliRunner().invoke(app, ["validate", "score", str(tmp_path / "sheet.csv"),
                                          "-o", str(tmp_path / "report.csv")])
    assert result.exit_code == 0, result.output
    report = read_table(tmp_path / "report.csv").set_index("theme")
    assert float(report.loc["faith", "percent_agreement"]) == 1.0 and int(report.loc["faith", "n_both"]) == 99
    assert report.loc["site", "percent_agreement"] == ""
    assert "theme site: no agreement" in caplog.text
    header = [line for line in result.output.splitlines() if "reference" in line][0].split()
    assert {"n_both", "agree", "kappa", "alpha"} <= set(header)
    assert "rates weighted back to the corpus" in result.output
    result = CliRunner().invoke(app, ["validate", "score", str(tmp_path / "sheet.csv"), "--unweighted"])
    assert "rates unweighted" in result.output and "rates weighted" not in result.output


def test_train_command_sets_the_classifier_beside_the_dictionary(tmp_path, caplog):
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table

    # the coders agree with the dictionary on every document; the texts say nothing a classifier can learn
    rng = np.random.default_rng(0)
    words = ["hội nghị", "nhân dân", "cán bộ", "địa phương", "công tác", "tuyên truyền", "vận động", "học tập"]
    labels = [i % 3 == 0 for i in range(45)]
    sheet = pd.DataFrame({
        "doc_id": [f"d{i:02d}" for i in range(45)], "weight": 1.0,
        f"faith{SEP}dictionary": np.array(labels, int), f"faith{SEP}coder1": np.array(labels, int),
        "text": [" ".join(rng.choice(words, 8)) + "." for _ in range(45)],
    })
    write_table(sheet, tmp_path / "sheet.csv")
    with caplog.at_level("WARNING", logger="toolkit"):
        result = CliRunner().invoke(app, ["validate", "train", str(tmp_path / "sheet.csv"), "-o",
                                          str(tmp_path / "models"), "--folds", "3", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    report = read_table(tmp_path / "models" / "cv_report.csv").iloc[0]
    assert float(report["dictionary_f1"]) == 1.0 and float(report["f1"]) < 1.0
    assert "dictionary F1" in result.output
    assert "keep the dictionary for it" in caplog.text
    assert "use them with" not in result.output


def test_train_command_names_the_themes_it_cannot_fit_before_tokenizing(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from toolkit.cli import app, themes as cli_themes
    from toolkit.corpus import write_table

    # a sheet drawn for every theme and coded 0 for COVID-19 stopped after tokenizing, suggesting nothing
    labels = np.array([i % 3 == 0 for i in range(12)], int)
    sheet = pd.DataFrame({"doc_id": [f"d{i:02d}" for i in range(12)], "text": "hội nghị nhân dân.",
                          f"faith{SEP}coder1": labels, f"covid{SEP}coder1": 0})
    write_table(sheet, tmp_path / "sheet.csv")
    monkeypatch.setattr(cli_themes, "load_tokens", lambda *a, **k: pytest.fail("tokenized before the check"))
    result = CliRunner().invoke(app, ["validate", "train", str(tmp_path / "sheet.csv"), "-o", str(tmp_path / "m")])
    assert result.exit_code != 0
    text = " ".join(result.output.replace("│", " ").split())
    assert "'covid' has 0 coded positive(s) and 12 negative(s)" in text and "--theme-ids faith" in text


def test_term_table_names_false_positive_terms_and_misses():
    table = term_table(_sheet())
    rows = table.set_index("term")
    assert rows.loc["mặt bằng", "false_pos"] == 1 and rows.loc["mặt bằng", "true_pos"] == 1
    assert rows.loc["mặt bằng", "doc_ids"] == "b"
    assert rows.loc["giải phóng mặt bằng", "term_precision"] == 1.0
    assert rows.loc["(no term)", "n_docs"] == 1 and rows.loc["(no term)", "doc_ids"] == "d"
    assert table["term"].iloc[0] == "mặt bằng"  # most false positives first


# -- the coding sample --------------------------------------------------------------

THEMES = {"themes": {
    "site": {"label_en": "Site", "label_vi": "GPMB", "terms": ["giải phóng mặt bằng", "thu hồi đất"]},
    "faith": {"label_en": "Religion", "label_vi": "Tôn giáo", "terms": ["tôn giáo", "chức sắc"]},
}}


def _corpus(n: int = 60) -> tuple[pd.DataFrame, pd.DataFrame]:
    bodies = []
    for i in range(n):
        if i % 5 == 0:
            bodies.append(f"Xã tổ chức đối thoại về giải phóng mặt bằng dự án đường số {i}.")
        elif i % 7 == 0:
            bodies.append(f"Ban Dân vận gặp mặt chức sắc tôn giáo nhân dịp lễ lần {i}.")
        else:
            bodies.append(f"Hội nghị giao ban công tác dân vận quý {i % 4 + 1} được tổ chức.")
    docs = pd.DataFrame({
        "doc_id": [f"d{i:03d}" for i in range(n)], "title": "", "body": bodies,
        "province": ["Bến Tre" if i % 2 else "Tiền Giang" for i in range(n)],
        "district": "Huyện Châu Thành", "year": [2018 + i % 3 for i in range(n)],
    })
    toks = [tokenize(b) for b in bodies]
    tokens = pd.DataFrame({"doc_id": docs["doc_id"], "tokens": toks, "n_tokens": [len(t) for t in toks]})
    return docs, tokens


@pytest.fixture(scope="module")
def sample_inputs():
    return (*_corpus(), themes_from_mapping(THEMES))


def test_validation_sample_strata_weights_and_sheet(sample_inputs):
    docs, tokens, themes = sample_inputs
    result = validation_sample(docs, tokens, themes, n=20, miss_fraction=0.3, random_state=3)
    sheet, strata = result.sheet, result.strata
    assert len(sheet) == 20 and sheet["doc_id"].is_unique
    assert set(strata["stratum"]) == {"hit:site", "hit:faith", "miss"}
    # weights restore the population of every stratum
    for r in strata.itertuples():
        part = sheet[sheet["stratum"] == r.stratum]
        assert len(part) == r.n_sampled
        assert part["weight"].sum() == pytest.approx(r.n_population)
    assert (sheet["stratum"] == "miss").sum() == 6
    hit = sheet[sheet["stratum"] == "hit:site"]
    assert (hit[f"site{SEP}dictionary"] == 1).all()
    assert hit[f"site{SEP}kwic"].str.contains(r"\[giải phóng mặt bằng\]").all()
    assert hit[f"site{SEP}terms"].str.startswith("giải phóng mặt bằng (1)").all()
    assert sheet[f"site{SEP}coder1"].isna().all() and f"faith{SEP}coder2" in sheet.columns
    assert sheet["text"].str.len().gt(0).all()
    # reproducible, and the seed matters
    again = validation_sample(docs, tokens, themes, n=20, miss_fraction=0.3, random_state=3).sheet
    pd.testing.assert_frame_equal(sheet, again)
    other = validation_sample(docs, tokens, themes, n=20, miss_fraction=0.3, random_state=4).sheet
    assert set(other["doc_id"]) != set(sheet["doc_id"])


def test_the_sheet_writes_years_as_years_beside_undated_documents(sample_inputs, tmp_path):
    from toolkit.corpus import read_table, write_sheet

    docs, tokens, themes = sample_inputs
    docs = docs.assign(year=docs["year"].astype(float))
    docs.loc[3, "year"] = np.nan                       # an undated document
    sheet = validation_sample(docs, tokens, themes, n=60, random_state=0).sheet
    assert str(sheet["year"].dtype) == "Int64"
    write_sheet(sheet, tmp_path / "s.csv")
    years = set(read_table(tmp_path / "s.csv")["year"])
    assert years == {"", "2018", "2019", "2020"}


def test_validation_sample_spreads_over_localities_and_years(sample_inputs):
    docs, tokens, themes = sample_inputs
    sheet = validation_sample(docs, tokens, themes, n=30, random_state=0).sheet
    miss = sheet[sheet["stratum"] == "miss"]
    assert miss["province"].nunique() == 2 and miss["year"].nunique() == 3


def test_validation_sample_rejects_unknown_themes(sample_inputs):
    docs, tokens, themes = sample_inputs
    with pytest.raises(ValueError, match="unknown theme"):
        validation_sample(docs, tokens, themes, theme_ids=["covid"])


def test_the_sample_records_each_themes_flagged_documents_per_stratum_and_scoring_uses_them():
    # documents flagged for both themes go to the rarer theme's stratum (hit:faith); the draw reads none of the
    # two there, so the sheet alone would take them for documents the site dictionary does not flag
    bodies = {f"s{i:02d}": f"Huyện họp dân về giải phóng mặt bằng dự án đường số {i}." for i in range(20)}
    bodies |= {f"f{i:02d}": f"Ban Dân vận gặp mặt chức sắc tôn giáo nhân dịp lễ lần {i}." for i in range(12)}
    bodies |= {f"f{i:02d}b": f"Chức sắc tôn giáo vận động giáo dân giải phóng mặt bằng cho dự án số {i}."
               for i in (3, 9)}
    bodies |= {f"n{i:02d}": f"Hội nghị giao ban công tác dân vận quý {i % 4 + 1} được tổ chức." for i in range(30)}
    docs, tokens = _inline_corpus(bodies)
    result = validation_sample(docs, tokens, themes_from_mapping(THEMES), n=12, random_state=0)
    sheet, strata = result.sheet, result.strata
    has = {t: docs["body"].str.contains(term).to_numpy() for t, term in (("site", "giải phóng mặt bằng"),
                                                                        ("faith", "tôn giáo"))}
    stratum = np.where(has["faith"], "hit:faith", np.where(has["site"], "hit:site", "miss"))
    both = set(docs["doc_id"][has["site"] & has["faith"]])
    assert both and not both & set(sheet["doc_id"])
    for t in ("site", "faith"):
        truth = {s: int(has[t][stratum == s].sum()) for s in ("hit:faith", "hit:site", "miss")}
        assert strata.set_index("stratum")[f"{t}{SEP}stratum_flagged"].to_dict() == truth
        assert (sheet[f"{t}{SEP}stratum_flagged"] == sheet["stratum"].map(truth)).all()
    sheet["site__coder1"] = sheet["text"].str.contains("giải phóng mặt bằng").astype(int)
    sheet["faith__coder1"] = sheet["text"].str.contains("tôn giáo").astype(int)
    report = score_sheet(sheet).set_index("theme")
    for t in ("site", "faith"):
        assert report.loc[t, "measured_share"] == pytest.approx(has[t].mean())


# -- a supervised measure -----------------------------------------------------------


def _labelled(n: int = 80, seed: int = 0):
    rng = np.random.default_rng(seed)
    vocab_pos = ["thu_hồi", "đất", "bồi_thường", "tái_định_cư", "dự_án"]
    vocab_neg = ["văn_nghệ", "thể_thao", "học_sinh", "trường", "mùa_xuân"]
    common = ["nhân_dân", "địa_phương", "cán_bộ", "vận_động"]
    docs, labels = [], []
    for i in range(n):
        y = i % 2
        words = list(rng.choice(vocab_pos if y else vocab_neg, size=6)) + list(rng.choice(common, size=6))
        docs.append(words)
        labels.append(y)
    return docs, labels


def test_train_classifier_cross_validated_and_roundtrip():
    docs, labels = _labelled()
    model = train_classifier(docs, labels, theme="site", random_state=0)
    assert model.cv["f1"] > 0.9 and model.cv["n_coded"] == 80
    assert model.cv["f1_low"] < model.cv["f1"]
    probs = model.decision(docs)
    assert ((probs >= 0.5).astype(int) == np.array(labels)).mean() > 0.95
    again = ThemeClassifier.from_json(model.to_json())
    np.testing.assert_allclose(again.decision(docs), probs)
    tokens = pd.DataFrame({"doc_id": [f"x{i}" for i in range(len(docs))], "tokens": docs})
    hits = classifier_hits(tokens, [again])
    assert list(hits.columns[:6]) == ["doc_id", "theme", "hits", "n_tokens", "per_1k_tokens", "present"]
    assert (hits["measure"] == "classifier").all() and hits["present"].sum() == (probs >= 0.5).sum()


def test_train_classifier_needs_both_classes():
    docs, _ = _labelled(10)
    with pytest.raises(ValueError, match="positive and 2 negative"):
        train_classifier(docs, [1] + [0] * 9, theme="site")


def test_cross_validation_does_not_depend_on_how_the_sheet_was_sorted():
    # noisy documents, so that which fold a document falls in changes the errors
    rng = np.random.default_rng(3)
    pos, neg = ["thu_hồi", "đất", "bồi_thường", "tái_định_cư"], ["văn_nghệ", "thể_thao", "học_sinh", "trường"]
    docs, labels = [], []
    for i in range(60):
        y = int(rng.random() < 0.4)
        own, other = (pos, neg) if y else (neg, pos)
        docs.append([str(w) for w in rng.choice(own, 3)] + [str(w) for w in rng.choice(other, 3)])
        labels.append(y)
    ids = [f"doc{i:02d}" for i in range(60)]
    first = train_classifier(docs, labels, theme="site", doc_ids=ids, random_state=0)
    back = train_classifier(docs[::-1], labels[::-1], theme="site", doc_ids=ids[::-1], random_state=0)
    assert first.cv == back.cv
    np.testing.assert_allclose(first.coef, back.coef, rtol=1e-6, atol=1e-9)
    with pytest.raises(ValueError, match="59 doc_ids for 60 labels"):
        train_classifier(docs, labels, theme="site", doc_ids=ids[:-1])


# -- the commands, as a researcher runs them ---------------------------------------


def test_validate_commands_sample_code_score_train(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table

    docs, _ = _corpus(60)
    corpus = tmp_path / "docs.parquet"
    write_table(docs, corpus)
    themes_file = tmp_path / "themes.toml"
    themes_file.write_text(
        '[themes.site]\nlabel_en = "Site"\nlabel_vi = "GPMB"\nterms = ["giải phóng mặt bằng", "thu hồi đất"]\n'
        '[themes.faith]\nlabel_en = "Religion"\nlabel_vi = "Tôn giáo"\nterms = ["tôn giáo", "chức sắc"]\n',
        encoding="utf-8")
    runner = CliRunner()
    sheet_path = tmp_path / "sheet.csv"
    result = runner.invoke(app, ["validate", "sample", str(corpus), "-o", str(sheet_path), "--n", "30",
                                 "--themes", str(themes_file), "--jobs", "1", "--random-state", "1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sheet.strata.csv").is_file()
    assert sheet_path.read_bytes()[:3] == b"\xef\xbb\xbf"   # opens in Excel as UTF-8
    sheet = read_table(sheet_path)
    assert len(sheet) == 30 and {"site__coder1", "faith__kwic", "weight", "text"} <= set(sheet.columns)
    # a coder reads: site clearance is the road projects; one "miss" is a case the dictionary lacks
    sheet["site__coder1"] = sheet["text"].str.contains("giải phóng mặt bằng").astype(int)
    sheet["faith__coder1"] = sheet["text"].str.contains("chức sắc").astype(int)
    miss = sheet.index[sheet["stratum"] == "miss"][0]
    sheet.loc[miss, "site__coder1"] = 1
    sheet["site__coder2"] = sheet["site__coder1"]
    sheet["faith__coder2"] = sheet["faith__coder1"]
    # coded for "site" only: the uncoded theme is left out, and said so
    only_site = tmp_path / "only_site.csv"
    write_table(sheet.assign(faith__coder1=pd.NA, faith__coder2=pd.NA), only_site)
    result = runner.invoke(app, ["validate", "score", str(only_site), "-o", str(tmp_path / "only.csv")])
    assert result.exit_code == 0, result.output
    assert "not coded, left out: faith" in result.output
    assert read_table(tmp_path / "only.csv")["theme"].tolist() == ["site"]
    result = runner.invoke(app, ["validate", "score", str(only_site), "--theme-ids", "site,faith"])
    assert result.exit_code == 2 and "faith" in result.output
    write_table(sheet, sheet_path)
    report_path = tmp_path / "report.csv"
    result = runner.invoke(app, ["validate", "score", str(sheet_path), "-o", str(report_path)])
    assert result.exit_code == 0, result.output
    report = read_table(report_path).set_index("theme")
    assert int(report.loc["site", "fn"]) == 1 and float(report.loc["site", "precision"]) == 1.0
    assert float(report.loc["site", "recall"]) < 1.0
    assert float(report.loc["faith", "krippendorff_alpha"]) == pytest.approx(1.0)
    terms = read_table(tmp_path / "report.terms.csv")
    assert int(terms.loc[(terms["theme"] == "site") & (terms["term"] == "(no term)"), "n_docs"].item()) == 1
    models = tmp_path / "models"
    result = runner.invoke(app, ["validate", "train", str(sheet_path), "-o", str(models), "--theme-ids", "site",
                                 "--folds", "3", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert (models / "site.json").is_file() and read_table(models / "cv_report.csv")["theme"].tolist() == ["site"]
    # the printout gives the reference and the counts beside the rates
    result = runner.invoke(app, ["validate", "score", str(sheet_path)])
    header = [line for line in result.output.splitlines() if "reference" in line][0].split()
    assert header[:6] == ["theme", "reference", "n", "tp", "fp", "fn"] and "kappa" in header
    # a theme id the sheet does not have: the sheet's themes are named, and nothing is written
    result = runner.invoke(app, ["validate", "train", str(sheet_path), "-o", str(tmp_path / "typo"),
                                 "--theme-ids", "sitee", "--jobs", "1"])
    assert result.exit_code == 2 and "its themes: faith, site" in result.output.replace("\n", " ")
    assert not (tmp_path / "typo").exists()
    # a theme that cannot be fitted (no positive) leaves no folder half-full for `themes --classifier`
    write_table(sheet.assign(faith__coder1=0), tmp_path / "nofaith.csv")
    result = runner.invoke(app, ["validate", "train", str(tmp_path / "nofaith.csv"), "-o", str(tmp_path / "half"),
                                 "--folds", "3", "--jobs", "1"])
    assert result.exit_code == 2 and "needs at least 2 of each" in " ".join(result.output.replace("│", " ").split())
    assert not (tmp_path / "half").exists()


def test_validate_sample_takes_theme_ids_as_the_issue_wrote_them(tmp_path):
    """`validate sample CORPUS -o sheet.csv --themes site_clearance,religion` (issue #12's spelling) chooses
    themes of the default themes file, as --theme-ids does; a --themes that is neither a file nor theme ids
    is a usage error that says both."""
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table

    docs, _ = _corpus(40)
    corpus = tmp_path / "docs.parquet"
    write_table(docs, corpus)
    runner = CliRunner()
    result = runner.invoke(app, ["validate", "sample", str(corpus), "-o", str(tmp_path / "a.csv"), "--n", "12",
                                 "--themes", "site_clearance,religion", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    drawn = read_table(tmp_path / "a.csv").columns
    assert sorted(c[:-len("__dictionary")] for c in drawn if c.endswith("__dictionary")) == ["religion", "site_clearance"]
    result = runner.invoke(app, ["validate", "sample", str(corpus), "-o", str(tmp_path / "b.csv"),
                                 "--themes", "nothere.toml", "--jobs", "1"])
    assert result.exit_code == 2 and "--theme-ids" in result.output


def test_themes_command_takes_classifiers_and_says_which_measure(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table

    docs, _ = _corpus(40)
    corpus = tmp_path / "docs.parquet"
    write_table(docs, corpus)
    token_lists, labels = _labelled(40)
    models = tmp_path / "models"
    models.mkdir()
    model = train_classifier(token_lists, labels, theme="site_clearance", random_state=0)
    (models / "site_clearance.json").write_text(model.to_json(), encoding="utf-8")
    out = tmp_path / "shares.csv"
    result = CliRunner().invoke(app, ["themes", str(corpus), "-o", str(out), "--by", "year", "--jobs", "1",
                                      "--classifier", str(models)])
    assert result.exit_code == 0, result.output
    shares = read_table(out)
    measure = shares.drop_duplicates("theme").set_index("theme")["measure"]
    assert measure["site_clearance"] == "classifier" and measure["religion"] == "dictionary"
    # a classifier counts no term occurrences: no rate per 1,000 tokens (it was flagged documents per 1,000 tokens)
    rated = pd.to_numeric(shares["rate_per_1k"], errors="coerce").notna().groupby(shares["theme"]).any()
    assert not rated["site_clearance"] and rated["religion"]
    # and says how good each classifier is (its cross-validated F1, from its JSON)
    line = [x for x in result.output.splitlines() if x.strip().startswith("site_clearance:")][0]
    assert f"cross-validated F1 {model.cv['f1']:.2f}" in line and "on 40 coded documents" in line


def _readings(rows):
    return pd.DataFrame(rows, columns=["corpus", "doc_id", "religion", "covid"])


def test_majority_labels_let_a_third_reading_settle_what_two_readers_split_on():
    from toolkit.themes.validate import majority_labels

    first = _readings([("a", "1", 1, 0), ("a", "2", 0, 0), ("b", "3", 1, 1), ("b", "4", 0, 1)])
    first["reason"] = ["r1", "r2", "r3", "r4"]
    # document 4 was read once; 1-3 twice: 1 agrees, 2 and 3 part on religion
    second = _readings([("b", "3", 0, 1), ("a", "1", 1, 0), ("a", "2", 1, 0)])
    # the third reading sides with the second on 2, with the first on 3; its covid on 3 (0) does not count,
    # the first two agree there
    third = _readings([("a", "2", 1, 0), ("b", "3", 1, 0)])
    gold = majority_labels(first, second, third, labels=["religion", "covid"])
    assert gold["doc_id"].tolist() == ["1", "2", "3", "4"] and gold["reason"].tolist() == ["r1", "r2", "r3", "r4"]
    assert gold["religion"].tolist() == [1, 1, 1, 0] and gold["covid"].tolist() == [0, 0, 1, 1]
    assert gold["relabelled"].tolist() == ["", "religion", "", ""]
    # the inputs are not changed
    assert first["religion"].tolist() == [1, 0, 1, 0]


@pytest.mark.parametrize("second, third, message", [
    ([("a", "2", 1, 0)], [], "disagree on 1 document"),            # a split nobody settled
    ([("a", "2", 1, 0), ("a", "2", 1, 0)], [("a", "2", 1, 0)], "listed twice"),
    ([("a", "2", 2, 0)], [("a", "2", 1, 0)], "must be 0 or 1"),
])
def test_majority_labels_refuse_readings_that_do_not_settle_the_gold(second, third, message):
    from toolkit.themes.validate import majority_labels

    first = _readings([("a", "1", 1, 0), ("a", "2", 0, 0)])
    with pytest.raises(ValueError, match=message):
        majority_labels(first, _readings(second), _readings(third), labels=["religion", "covid"])


def test_the_devset_gold_is_the_majority_of_three_readings_where_two_split():
    """Every document the first two readers part on was read a third time, blind; its majority is the gold."""
    from toolkit.themes.validate import DEVSET_LABELS, devset_labels, devset_path

    first = pd.read_csv(devset_path(), dtype={"doc_id": str})
    second = pd.read_csv(devset_path().with_name("devset_second_coder.csv"), dtype={"doc_id": str})
    third = pd.read_csv(devset_path().with_name("devset_third_coder.csv"), dtype={"doc_id": str})
    both = first.merge(second, on=["corpus", "doc_id"], suffixes=("", "__2"))
    split = np.zeros(len(both), bool)
    for col in DEVSET_LABELS:
        split |= (both[col] != both[col + "__2"]).to_numpy()
    # the third reader read exactly those documents (252 of rounds 7-51), and nothing else
    assert set(zip(third["corpus"], third["doc_id"])) == set(zip(both.loc[split, "corpus"], both.loc[split, "doc_id"]))
    assert len(third) == 252 and third[list(DEVSET_LABELS)].isin([0, 1]).all().all()
    gold = devset_labels()
    assert len(gold) == len(first) and (gold["doc_id"] == first["doc_id"]).all()
    changed = gold["relabelled"] != ""
    # only documents the first two readers split on can change, and only on a label they split on
    assert set(zip(gold.loc[changed, "corpus"], gold.loc[changed, "doc_id"])) <= set(zip(third["corpus"], third["doc_id"]))
    for col in DEVSET_LABELS:
        moved = gold[col] != first[col]
        assert (gold.loc[moved, "relabelled"].str.split(",").map(lambda r: col in r)).all()


def test_a_fourth_reading_of_the_split_documents_mostly_sides_with_the_third():
    """The third reader settled most splits positive; a fourth, blind to every other reading, was asked again."""
    from toolkit.themes.validate import DEVSET_LABELS, devset_labels, devset_path

    third, fourth = (pd.read_csv(devset_path().with_name(f"devset_{n}_coder.csv"), dtype={"doc_id": str})
                     for n in ("third", "fourth"))
    assert list(fourth.columns) == list(third.columns) and len(fourth) == 252
    assert list(zip(fourth["corpus"], fourth["doc_id"])) == list(zip(third["corpus"], third["doc_id"]))
    assert fourth[list(DEVSET_LABELS)].isin([0, 1]).all().all()
    first = pd.read_csv(devset_path(), dtype={"doc_id": str})
    second = pd.read_csv(devset_path().with_name("devset_second_coder.csv"), dtype={"doc_id": str})
    both = first.merge(second, on=["corpus", "doc_id"], suffixes=("", "__2")).merge(
        third, on=["corpus", "doc_id"], suffixes=("", "__3")).merge(fourth, on=["corpus", "doc_id"], suffixes=("", "__4"))
    split = both[both["religion"] != both["religion__2"]]
    # religion: 181 splits; the third counts 138 positive, the fourth 147, and they agree on 148
    assert len(split) == 181 and split["religion__3"].sum() == 138 and split["religion__4"].sum() == 147
    assert (split["religion__3"] == split["religion__4"]).sum() == 148
    with pytest.raises(ValueError, match="tie_breaker"):
        devset_labels(tie_breaker="second")


def test_heldout_notes_say_what_a_reader_must_know_about_the_rounds(tmp_path, monkeypatch):
    from toolkit.themes import validate

    assert "religion" in validate.heldout_notes()  # round 40 is mostly world news, round 41 domestic
    (tmp_path / "heldout.csv").write_text("theme,rounds,why\nreligion,40,x\n", encoding="utf-8")
    monkeypatch.setattr(validate, "devset_path", lambda: tmp_path / "devset.csv")
    assert validate.heldout_notes() == {} and validate.heldout_rounds() == {"religion": (40,)}
    (tmp_path / "heldout.csv").write_text("theme,rounds,why,note\nreligion,40,x,world news\ncovid,5 6,y,\n",
                                          encoding="utf-8")
    assert validate.heldout_notes() == {"religion": "world news"}


def test_quality_sentence_carries_a_themes_note():
    from toolkit.report.registry import quality_sentence

    row = dict(item="full text", precision=0.9, recall=0.9, f1=0.9, f1_low=0.8, f1_high=0.95, n_coded=100,
               source="corpora/validation round 40, held out (100 real articles)")
    quality = pd.DataFrame([dict(row, theme="religion", rounds="40", note="mostly world news"),
                            dict(row, theme="covid", rounds="5, 6, 7", note="", source="other")])
    text = quality_sentence(quality, {"religion": "Religion", "covid": "COVID-19"})
    assert "Religion (round 40): precision 0.90, recall 0.90, F1 0.90 [0.80–0.95], n = 100 (mostly world news)" in text
    assert text.endswith("COVID-19 (rounds 5–7): precision 0.90, recall 0.90, F1 0.90 [0.80–0.95], n = 100.")
    # a sheet's table has no note column
    assert "(mostly" not in quality_sentence(quality.drop(columns="note"), {})


def test_quality_sentence_gives_every_rates_interval_says_weighted_and_names_the_unmeasured_themes():
    # a researcher's sheet: recall 0.15 was printed without its 0.01-0.81 interval, the weighting unsaid, and the
    # second theme of the figure had no word at all
    from toolkit.report.registry import quality_sentence

    quality = pd.DataFrame([dict(theme="complaints", item="full text", weighted=True, n_coded=60, precision=0.60,
                                 precision_low=0.44, precision_high=0.74, recall=0.15, recall_low=0.01,
                                 recall_high=0.81, f1=0.24, f1_low=0.01, f1_high=0.72, source="sheet.csv")])
    text = quality_sentence(quality, {"complaints": "Complaints", "land": "Land"}, ["complaints", "land"])
    assert ("Complaints: precision 0.60 [0.44–0.74], recall 0.15 [0.01–0.81], F1 0.24 [0.01–0.72], n = 60, "
            "weighted to the corpus.") in text
    assert text.endswith("Not measured: Land (no coded documents of it).")
    assert quality_sentence(quality.iloc[:0], {}, ["land"]) == "Not measured against human coding: land."
    # a theme coded on 120 documents that neither the coders nor the dictionary found was called "Not measured
    # (no coded documents of it)"
    none = pd.DataFrame([dict(theme="covid", item="full text", weighted=True, n_coded=120, tp=0, fp=0, fn=0,
                              precision=np.nan, recall=np.nan, f1=np.nan, source="sheet.csv")])
    text = quality_sentence(pd.concat([quality, none]), {"covid": "COVID-19"}, ["complaints", "covid"])
    assert "COVID-19: no document coded positive or flagged, n = 120" in text and "Not measured" not in text


def test_second_coding_of_the_devset_agrees_with_the_first():
    """How far two readers agree sets the ceiling a measure can reach (labels only: no texts needed)."""
    from toolkit.themes.validate import agreement, devset_path

    first = pd.read_csv(devset_path(), dtype={"doc_id": str})
    second = pd.read_csv(devset_path().with_name("devset_second_coder.csv"), dtype={"doc_id": str})
    both = second.merge(first, on=["corpus", "doc_id"], suffixes=("__coder2", "__coder1"), validate="1:1")
    assert set(both["round"]) == {2, 7, 8, *range(10, 52)} and (both["round"] == 7).sum() == 119 and (both["round"] == 8).sum() == 119
    round7 = agreement(both[both["round"] == 7], themes=["site_clearance", "religion", "covid", "covid_short"])
    kappa = round7.set_index("theme")["cohen_kappa"]
    # religion: the two readers parted on 4 of 119 articles, each a borderline call (kappa 0.88)
    assert kappa["religion"] >= 0.85 and (kappa.drop("religion") == 1.0).all(), round7
    # round 8: two more readers agree on every article and theme (14 religion positives, 2 democracy)
    round8 = agreement(both[both["round"] == 8], themes=["site_clearance", "religion", "democracy_regulations",
                                                          "covid", "covid_short"])
    assert (round8["percent_agreement"] == 1.0).all() and (round8["n_both"] == 119).all(), round8
    assert both.loc[both["round"] == 8, "religion__coder2"].sum() == 14
    # rounds 10-51 (political, local-government and, in 29-32 and 34-51, other domestic and world news) were coded twice in
    # full: readers part on 177 borderline religion calls of 14,567 articles, 57 democracy and 13 site-clearance calls
    genre = both[both["round"].between(10, 51)]
    assert len(genre) == 14567
    kappa = agreement(genre, themes=["site_clearance", "religion", "democracy_regulations", "covid"]).set_index("theme")
    assert kappa.loc["religion", "cohen_kappa"] >= 0.9 and kappa.loc["democracy_regulations", "cohen_kappa"] >= 0.85
    assert kappa.loc["covid", "cohen_kappa"] == 1.0 and kappa.loc["site_clearance", "cohen_kappa"] >= 0.95


@pytest.mark.parametrize("rounds, expected", [
    ("5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26", "5–9, 12–26"),
    ("23, 24, 25, 26", "23–26"),
    ("23, 24", "23, 24"),
    ("7", "7"),
    ("1, 3, 4, 5, 9", "1, 3–5, 9"),
    ("", ""),
    ("nan", "nan"),
])
def test_rounds_label_reads_runs_as_ranges(rounds, expected):
    from toolkit.themes.validate import rounds_label

    assert rounds_label(rounds) == expected


# -- a held-out score of a classifier ------------------------------------------------


def _text_sheet(ids, seed: int) -> pd.DataFrame:
    """A coded sheet whose texts carry the theme's words when the coder said 1: a classifier can learn it."""
    rng = np.random.default_rng(seed)
    own = ["bồi thường", "tái định cư", "thu hồi đất", "mặt bằng"]
    other = ["văn nghệ", "thể thao", "học sinh", "mùa xuân"]
    common = ["nhân dân", "địa phương", "cán bộ", "vận động"]
    labels = np.array([i % 3 == 0 for i in range(len(ids))], int)
    texts = [" ".join(list(rng.choice(own if y else other, 4)) + list(rng.choice(common, 4))) + "." for y in labels]
    return pd.DataFrame({"doc_id": ids, "stratum": "miss", "weight": 10.0,
                         f"site{SEP}dictionary": labels, f"site{SEP}coder1": labels, "text": texts})


def test_train_command_stores_the_training_documents_and_old_models_still_load(tmp_path):
    import json

    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import write_table

    sheet = _text_sheet([f"d{i:02d}" for i in range(30)][::-1], seed=0)
    sheet.loc[sheet["doc_id"] == "d07", f"site{SEP}coder1"] = pd.NA   # not coded: not trained on
    write_table(sheet, tmp_path / "sheet.csv")
    result = CliRunner().invoke(app, ["validate", "train", str(tmp_path / "sheet.csv"), "-o", str(tmp_path / "m"),
                                      "--folds", "3", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    stored = json.loads((tmp_path / "m" / "site.json").read_text(encoding="utf-8"))
    assert stored["train_doc_ids"] == [f"d{i:02d}" for i in range(30) if i != 7]
    assert stored["cv"]["weighted"] is True
    model = ThemeClassifier.from_json((tmp_path / "m" / "site.json").read_text(encoding="utf-8"))
    assert model.train_doc_ids == stored["train_doc_ids"]
    # a model saved before the ids were stored still loads: its training documents are unknown, not none
    del stored["train_doc_ids"]
    assert ThemeClassifier.from_json(json.dumps(stored)).train_doc_ids is None


def test_score_command_scores_classifiers_and_warns_on_their_training_documents(tmp_path, caplog):
    import json

    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table

    runner = CliRunner()
    train = _text_sheet([f"t{i:02d}" for i in range(30)], seed=0)
    write_table(train, tmp_path / "train.csv")
    models = tmp_path / "models"
    result = runner.invoke(app, ["validate", "train", str(tmp_path / "train.csv"), "-o", str(models),
                                 "--folds", "3", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    # without --classifier a sheet from `validate sample` has no classifier column: the error says what to pass
    result = runner.invoke(app, ["validate", "score", str(tmp_path / "train.csv"), "--measure", "classifier"])
    assert result.exit_code == 2
    assert "--classifier MODELS_DIR" in " ".join(result.output.replace("│", " ").split())
    # scored on its own training documents: scored anyway, with a warning that counts them
    with caplog.at_level("WARNING", logger="toolkit"):
        result = runner.invoke(app, ["validate", "score", str(tmp_path / "train.csv"), "--classifier", str(models),
                                     "-o", str(tmp_path / "own.csv"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "theme site: 30 of the sheet's 30 coded documents were among the 30" in caplog.text
    assert "optimistic" in caplog.text and "--exclude" in caplog.text
    own = read_table(tmp_path / "own.csv").iloc[0]
    assert own["measure"] == "classifier" and own["n_in_training"] == "30"
    # a held-out sheet: other documents, other texts; no warning, and the report says none was trained on
    held = _text_sheet([f"h{i:02d}" for i in range(24)], seed=5)
    held[f"site{SEP}classifier"] = 1 - held[f"site{SEP}coder1"]   # a stale column is replaced by the models'
    write_table(held, tmp_path / "held.csv")
    caplog.clear()
    with caplog.at_level("WARNING", logger="toolkit"):
        result = runner.invoke(app, ["validate", "score", str(tmp_path / "held.csv"), "--classifier", str(models),
                                     "-o", str(tmp_path / "held_report.csv"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "trained on" not in caplog.text
    report = read_table(tmp_path / "held_report.csv").iloc[0]
    assert report["n_in_training"] == "0" and int(report["tp"]) == 8 and int(report["fn"]) == 0
    assert "in training" in result.output
    # a model saved before the training ids were stored: the overlap cannot be checked, and it says so
    stored = json.loads((models / "site.json").read_text(encoding="utf-8"))
    del stored["train_doc_ids"]
    (models / "site.json").write_text(json.dumps(stored), encoding="utf-8")
    caplog.clear()
    with caplog.at_level("WARNING", logger="toolkit"):
        result = runner.invoke(app, ["validate", "score", str(tmp_path / "held.csv"), "--classifier", str(models),
                                     "-o", str(tmp_path / "old.csv"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "stores no training document ids" in caplog.text and "cannot be checked" in caplog.text
    assert read_table(tmp_path / "old.csv").iloc[0]["n_in_training"] == ""
    # a theme asked for by name needs a classifier in the folder
    two = held.assign(**{f"faith{SEP}coder1": held[f"site{SEP}coder1"]})
    write_table(two, tmp_path / "two.csv")
    result = runner.invoke(app, ["validate", "score", str(tmp_path / "two.csv"), "--classifier", str(models),
                                 "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert f"no classifier in {models}, left out: faith" in " ".join(result.output.split())
    result = runner.invoke(app, ["validate", "score", str(tmp_path / "two.csv"), "--classifier", str(models),
                                 "--theme-ids", "site,faith", "--jobs", "1"])
    assert result.exit_code == 2 and "no classifier for faith" in " ".join(result.output.replace("│", " ").split())


def test_sample_leaves_out_the_documents_of_sheets_already_drawn(tmp_path, caplog):
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table

    docs, _ = _corpus(60)
    corpus = tmp_path / "docs.parquet"
    write_table(docs, corpus)
    themes_file = tmp_path / "themes.toml"
    themes_file.write_text(
        '[themes.site]\nlabel_en = "Site"\nlabel_vi = "GPMB"\nterms = ["giải phóng mặt bằng", "thu hồi đất"]\n',
        encoding="utf-8")
    runner = CliRunner()

    def draw(name, *exclude):
        args = ["validate", "sample", str(corpus), "-o", str(tmp_path / name), "--n", "20", "--themes",
                str(themes_file), "--jobs", "1"]
        for value in exclude:
            args += ["--exclude", value]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        return read_table(tmp_path / name), read_table(tmp_path / name.replace(".csv", ".strata.csv"))

    first, _ = draw("a.csv")
    # the 12 flagged documents are all drawn: without --exclude a new draw returns the same ones
    assert (first["stratum"] == "hit:site").sum() == 12
    again, _ = draw("again.csv")
    assert set(again.loc[again["stratum"] == "hit:site", "doc_id"]) == set(first.loc[first["stratum"] == "hit:site",
                                                                                     "doc_id"])
    with caplog.at_level("INFO", logger="toolkit"):
        second, strata = draw("b.csv", str(tmp_path / "a.csv"))
    assert not set(second["doc_id"]) & set(first["doc_id"]) and len(second) == 20
    assert "20 of 60 documents left out" in caplog.text
    # the weights refer to the 40 documents that could be drawn
    assert strata["n_population"].astype(int).sum() == 40
    assert second["weight"].astype(float).sum() == pytest.approx(40)
    # repeatable or comma-separated
    third, strata = draw("c.csv", f"{tmp_path / 'a.csv'},{tmp_path / 'b.csv'}")
    assert not set(third["doc_id"]) & (set(first["doc_id"]) | set(second["doc_id"]))
    assert strata["n_population"].astype(int).sum() == 20
    fourth, _ = draw("d.csv", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"))
    assert set(fourth["doc_id"]) == set(third["doc_id"])
    result = runner.invoke(app, ["validate", "sample", str(corpus), "-o", str(tmp_path / "e.csv"), "--themes",
                                 str(themes_file), "--exclude", str(tmp_path / "nothere.csv"), "--jobs", "1"])
    assert result.exit_code == 2 and "--exclude" in result.output


def test_validation_sample_names_a_theme_the_dictionary_never_flags(sample_inputs, caplog):
    # a sheet drawn for COVID-19 from 2017 news had no hit stratum for it, and nothing said so
    docs, tokens, _ = sample_inputs
    themes = themes_from_mapping({"themes": {**THEMES["themes"], "covid": {
        "label_en": "COVID-19", "label_vi": "COVID-19", "terms": ["Covid-19"]}}})
    with caplog.at_level("WARNING", logger="toolkit"):
        validation_sample(docs, tokens, themes, n=20, random_state=3)
    assert "the dictionary flags no document for covid: no hit stratum" in caplog.text


def test_validation_sample_refuses_to_exclude_every_document(sample_inputs):
    docs, tokens, themes = sample_inputs
    with pytest.raises(ValueError, match="nothing left to draw"):
        validation_sample(docs, tokens, themes, n=5, exclude=set(docs["doc_id"]))


# -- what the coding sheet shows, and to whom ---------------------------------------

FAITH_RITES = {"themes": {"faith": {"label_en": "Religion", "label_vi": "Tôn giáo", "terms": ["cúng rằm", "tôn giáo"]}}}


def _inline_corpus(bodies: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    docs = pd.DataFrame({"doc_id": list(bodies), "title": "", "body": list(bodies.values())})
    toks = [tokenize(b) for b in bodies.values()]
    return docs, pd.DataFrame({"doc_id": docs["doc_id"], "tokens": toks, "n_tokens": [len(t) for t in toks]})


def _counted(cell: str) -> int:
    """Occurrences a ``t__terms`` cell counts (``term (n); …``)."""
    return sum(int(part.rsplit("(", 1)[1].rstrip(")")) for part in cell.split("; ") if part.strip())


def test_the_sheet_says_which_counted_occurrences_have_no_kwic_line():
    # the tokens drop stopwords and punctuation, so a term's words may be counted together across three
    # dropped words or a full stop, where KWIC finds no line: the coder must be told, not left to guess
    docs, tokens = _inline_corpus({
        "r1": "Dân làng cúng rằm tại đình làng.",
        "r2": "Gia đình cúng cho được vào rằm tháng Giêng.",
        "r3": "Bà con đến thắp hương cúng. Rằm tháng Giêng năm nay đông người.",
        "r4": "Hội nghị giao ban công tác dân vận quý một.",
    })
    sheet = validation_sample(docs, tokens, themes_from_mapping(FAITH_RITES), n=4, random_state=0).sheet
    sheet = sheet.set_index("doc_id")
    kwic_cells = sheet[f"faith{SEP}kwic"]
    assert "[cúng rằm]" in kwic_cells["r1"] and "without a line" not in kwic_cells["r1"]
    for doc in ("r2", "r3"):
        assert sheet.at[doc, f"faith{SEP}terms"] == "cúng rằm (1)"
        assert ("(+1 counted occurrence of 'cúng rằm' without a line: its words are far apart in the text"
                in kwic_cells[doc])
    # every occurrence the terms column counts is a line, or is said to have none
    for doc, row in sheet.iterrows():
        parts = [p for p in row[f"faith{SEP}kwic"].split(" | ") if p]
        notes = [int(p[2:].split(" ", 1)[0]) for p in parts if p.startswith("(+")]
        assert len(parts) - len(notes) + sum(notes) == _counted(row[f"faith{SEP}terms"]), doc


def test_blind_sheets_hold_the_documents_and_the_coder_columns_only(sample_inputs):
    from toolkit.themes.validate import blind_sheets

    docs, tokens, themes = sample_inputs
    key = validation_sample(docs, tokens, themes, n=20, random_state=3).sheet
    sheets = blind_sheets(key, random_state=3)
    assert list(sheets) == ["coder1", "coder2"]
    for coder, blind in sheets.items():
        assert set(blind.columns) == {"row", "doc_id", "title", f"site{SEP}{coder}", f"faith{SEP}{coder}", "notes",
                                      "text"}
        assert blind["row"].tolist() == list(range(1, 21))
        assert sorted(blind["doc_id"]) == sorted(key["doc_id"])
        texts = key.set_index("doc_id")["text"]
        assert (blind.set_index("doc_id")["text"] == texts.reindex(blind["doc_id"])).all()
        assert blind[f"site{SEP}{coder}"].isna().all()
        # not grouped by stratum as the key is
        assert blind["doc_id"].tolist() != key["doc_id"].tolist()
    # each coder in an order of their own, the same for the same seed
    assert sheets["coder1"]["doc_id"].tolist() != sheets["coder2"]["doc_id"].tolist()
    again = blind_sheets(key, random_state=3)
    assert again["coder1"]["doc_id"].tolist() == sheets["coder1"]["doc_id"].tolist()
    assert blind_sheets(key, random_state=4)["coder1"]["doc_id"].tolist() != sheets["coder1"]["doc_id"].tolist()
    assert list(blind_sheets(key, coders=["anna"])) == ["anna"]


def _filled(blind: pd.DataFrame, coder: str, truth: dict[str, int]) -> pd.DataFrame:
    out = blind.copy()
    out[f"site{SEP}{coder}"] = out["doc_id"].map(truth).astype("Int64")
    return out


def test_returned_blind_sheets_are_merged_by_doc_id_and_score_as_the_full_sheet(sample_inputs):
    from toolkit.themes.validate import blind_sheets, merge_coder_sheets

    docs, tokens, themes = sample_inputs
    key = validation_sample(docs, tokens, themes, n=20, random_state=3).sheet
    truth = dict(zip(key["doc_id"], key["text"].str.contains("giải phóng mặt bằng").astype(int)))
    truth[key.loc[key["stratum"] == "miss", "doc_id"].iloc[0]] = 1        # a miss the dictionary lacks
    second = {**truth, key["doc_id"].iloc[0]: 1 - truth[key["doc_id"].iloc[0]]}
    blind = blind_sheets(key, random_state=3)
    returned = {"sheet.coder1.csv": _filled(blind["coder1"], "coder1", truth),
                "sheet.coder2.csv": _filled(blind["coder2"], "coder2", second)}
    merged = merge_coder_sheets(key, returned)
    assert merged["doc_id"].tolist() == key["doc_id"].tolist()
    by_hand = key.assign(**{f"site{SEP}coder1": key["doc_id"].map(truth).astype("Int64"),
                            f"site{SEP}coder2": key["doc_id"].map(second).astype("Int64")})
    pd.testing.assert_frame_equal(score_sheet(merged), score_sheet(by_hand))
    pd.testing.assert_frame_equal(agreement(merged, themes=["site"]), agreement(by_hand, themes=["site"]))

    one = returned["sheet.coder1.csv"]
    cases = [
        (one.iloc[1:], r"sheet.coder1.csv: 1 document\(s\) of the key sheet are missing: doc_id "
                       + repr(one["doc_id"].iloc[0])),
        (pd.concat([one, one.iloc[[0]].assign(doc_id="zz9")], ignore_index=True),
         r"sheet.coder1.csv: doc_id 'zz9' \(sheet row 22\) is not in the key sheet"),
        (pd.concat([one, one.iloc[[4]]], ignore_index=True),
         rf"sheet.coder1.csv: doc_id {one['doc_id'].iloc[4]!r} is on sheet rows 6, 22"),
        (one.astype({f"site{SEP}coder1": object}).assign(**{f"site{SEP}coder1": ["có"] + [1] * 19}),
         r"sheet.coder1.csv: column 'site__coder1', sheet row 2: 'có' is not 0, 1 or empty"),
        (one.drop(columns=[f"site{SEP}coder1", f"faith{SEP}coder1"]), r"sheet.coder1.csv: no coder column"),
    ]
    for bad, message in cases:
        with pytest.raises(ValueError, match=message):
            merge_coder_sheets(key, {"sheet.coder1.csv": bad})
    with pytest.raises(ValueError, match="coder1.*both"):
        merge_coder_sheets(key, {"a.csv": one, "b.csv": one})


def test_validate_sample_blind_writes_a_sheet_per_coder_and_score_merges_them(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table

    docs, _ = _corpus(40)
    corpus = tmp_path / "docs.parquet"
    write_table(docs, corpus)
    themes_file = tmp_path / "themes.toml"
    themes_file.write_text(
        '[themes.site]\nlabel_en = "Site"\nlabel_vi = "GPMB"\ndefinition = "Thu hồi đất, giải phóng mặt bằng."\n'
        'terms = ["giải phóng mặt bằng", "thu hồi đất"]\n', encoding="utf-8")
    runner = CliRunner()
    args = ["validate", "sample", str(corpus), "--n", "16", "--themes", str(themes_file), "--jobs", "1"]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "plain.csv")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("plain*")) == ["plain.csv", "plain.strata.csv"]   # as before
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "sheet.csv"), "--blind"])
    assert result.exit_code == 0, result.output
    key = read_table(tmp_path / "sheet.csv")
    pd.testing.assert_frame_equal(key, read_table(tmp_path / "plain.csv"))       # the key is the full sheet
    codebook = read_table(tmp_path / "sheet.codebook.csv")
    assert codebook["theme"].tolist() == ["site"] and "giải phóng mặt bằng" in codebook["definition"].iloc[0]
    truth = dict(zip(key["doc_id"], key["text"].str.contains("giải phóng mặt bằng").astype(int)))
    paths = []
    for coder in ("coder1", "coder2"):
        blind = read_table(tmp_path / f"sheet.{coder}.csv")
        assert not [c for c in blind.columns if "dictionary" in c or "kwic" in c or "terms" in c
                    or c in ("stratum", "weight")]
        blind[f"site{SEP}{coder}"] = blind["doc_id"].map(truth)
        write_table(blind, tmp_path / f"back.{coder}.csv")
        paths += ["--coder-sheet", str(tmp_path / f"back.{coder}.csv")]
    # the key alone has no label yet: the error says to pass the coders' sheets
    result = runner.invoke(app, ["validate", "score", str(tmp_path / "sheet.csv")])
    assert result.exit_code == 2 and "--coder-sheet" in " ".join(result.output.replace("│", " ").split())
    result = runner.invoke(app, ["validate", "score", str(tmp_path / "sheet.csv"), *paths,
                                 "-o", str(tmp_path / "report.csv"), "--merged", str(tmp_path / "coded.csv")])
    assert result.exit_code == 0, result.output
    report = read_table(tmp_path / "report.csv").iloc[0]
    assert float(report["precision"]) == 1.0 and float(report["percent_agreement"]) == 1.0
    coded_sheet = read_table(tmp_path / "coded.csv")
    assert coded_sheet["site__coder1"].tolist() == [str(truth[d]) for d in coded_sheet["doc_id"]]
    # a returned sheet with a bad label: the file, the column and the row are named
    bad = read_table(tmp_path / "back.coder2.csv")
    bad.loc[3, "site__coder2"] = "x"
    write_table(bad, tmp_path / "bad.csv")
    result = runner.invoke(app, ["validate", "score", str(tmp_path / "sheet.csv"), "--coder-sheet",
                                 str(tmp_path / "bad.csv")])
    from toolkit.errors import UserError

    assert result.exit_code == 1 and isinstance(result.exception, UserError), result.output
    assert "bad.csv: column 'site__coder2', sheet row 5: 'x' is not 0, 1 or empty (doc_id " in str(result.exception)
    assert "\n  fix: " in str(result.exception)


def test_printed_points_and_interval_bounds_share_their_precision(tmp_path):
    import re

    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.cli.themes import _interval
    from toolkit.corpus import write_table

    def triples(text: str):
        return [tuple(m) for m in re.findall(r"(\d\.\d+) \((\d\.\d+)–(\d\.\d+)\)", text)]

    # a recall at the upper end of its interval (a stretched bound): never printed outside it
    (shown,) = triples(_interval(0.964516, 0.131, 0.964516))
    assert float(shown[1]) <= float(shown[0]) <= float(shown[2])
    assert len({len(x.split(".")[1]) for x in shown}) == 1
    write_table(_design_sheet(miss_positive=1), tmp_path / "sheet.csv")
    result = CliRunner().invoke(app, ["validate", "score", str(tmp_path / "sheet.csv")])
    assert result.exit_code == 0, result.output
    found = triples(result.output)
    assert len(found) == 3
    for point, low, high in found:
        assert len({len(x.split(".")[1]) for x in (point, low, high)}) == 1
        assert float(low) <= float(point) <= float(high)


def test_term_table_separates_misses_that_held_only_a_weak_term():
    sheet = _sheet().assign(**{f"site{SEP}weak_terms": ["", "", "", "mặt bằng (2)", "", ""]})
    table = term_table(sheet).set_index("term")
    assert table.loc["(weak term only)", "n_docs"] == 1 and table.loc["(weak term only)", "doc_ids"] == "d"
    assert table.loc["(weak term only)", "weak_terms"] == "mặt bằng (1)"
    assert table.loc["(no term)", "n_docs"] == 0
    assert list(table.index[-2:]) == ["(weak term only)", "(no term)"]


def test_the_sheet_names_the_weak_terms_the_weak_term_rule_dropped():
    from toolkit.themes.validate import theme_coders

    themes = themes_from_mapping({"themes": {"faith": {
        "label_en": "Religion", "label_vi": "Tôn giáo", "terms": ["tôn giáo", "Thượng đế"],
        "weak_terms": ["Thượng đế"]}}})
    docs, tokens = _inline_corpus({
        "w1": "Khách hàng là Thượng đế, cửa hàng nói vậy.",
        "w2": "Chức sắc tôn giáo cầu nguyện Thượng đế ban phước.",
        "w3": "Hội nghị giao ban công tác dân vận quý một.",
    })
    sheet = validation_sample(docs, tokens, themes, n=3, random_state=0).sheet.set_index("doc_id")
    assert sheet.at["w1", f"faith{SEP}dictionary"] == 0 and sheet.at["w1", f"faith{SEP}terms"] == ""
    assert sheet.at["w1", f"faith{SEP}weak_terms"] == "Thượng đế (1)"
    # counted beside an anchor: a term of the terms column, not a dropped one
    assert "Thượng đế (1)" in sheet.at["w2", f"faith{SEP}terms"] and sheet.at["w2", f"faith{SEP}weak_terms"] == ""
    assert sheet.at["w3", f"faith{SEP}weak_terms"] == ""
    coded_sheet = sheet.reset_index().assign(**{f"faith{SEP}coder1": 1})
    table = term_table(coded_sheet).set_index("term")
    assert table.loc["(weak term only)", "doc_ids"] == "w1" and table.loc["(no term)", "doc_ids"] == "w3"
    assert theme_coders(coded_sheet, "faith") == ["coder1", "coder2"]      # weak_terms is not a coder's column


def test_themes_with_classifiers_repeat_the_warning_of_train_where_the_dictionary_does_better(tmp_path, caplog):
    import json

    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import write_table

    # the coders agree with the dictionary on every document; the texts say nothing a classifier can learn
    rng = np.random.default_rng(0)
    words = ["hội nghị", "nhân dân", "cán bộ", "địa phương", "công tác", "tuyên truyền", "vận động", "học tập"]
    labels = np.array([i % 3 == 0 for i in range(45)], int)
    sheet = pd.DataFrame({"doc_id": [f"d{i:02d}" for i in range(45)], "weight": 1.0,
                          f"religion{SEP}dictionary": labels, f"religion{SEP}coder1": labels,
                          "text": [" ".join(rng.choice(words, 8)) + "." for _ in range(45)]})
    write_table(sheet, tmp_path / "sheet.csv")
    runner = CliRunner()
    result = runner.invoke(app, ["validate", "train", str(tmp_path / "sheet.csv"), "-o", str(tmp_path / "models"),
                                 "--folds", "3", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    stored = json.loads((tmp_path / "models" / "religion.json").read_text(encoding="utf-8"))
    assert stored["dictionary_score"]["f1"] == 1.0 and stored["dictionary_score"]["n_coded"] == 45
    assert {"f1_low", "f1_high", "weighted"} <= set(stored["dictionary_score"]) and stored["cv"]["f1"] < 1.0
    docs, _ = _corpus(20)
    write_table(docs, tmp_path / "docs.parquet")
    with caplog.at_level("WARNING", logger="toolkit"):
        result = runner.invoke(app, ["themes", str(tmp_path / "docs.parquet"), "-o", str(tmp_path / "shares.csv"),
                                     "--by", "year", "--jobs", "1", "--classifier", str(tmp_path / "models")])
    assert result.exit_code == 0, result.output
    assert "theme religion: the classifier's cross-validated F1" in caplog.text
    assert "below the dictionary's 1.00" in caplog.text and "religion.json" in caplog.text
    # a model saved before the dictionary's score was stored still loads, and measures without a comparison
    del stored["dictionary_score"]
    assert ThemeClassifier.from_json(json.dumps(stored)).dictionary_score is None


def test_validate_sample_help_says_where_the_token_cache_goes():
    from typer.testing import CliRunner

    from toolkit.cli import app

    result = CliRunner().invoke(app, ["validate", "sample", "--help"], terminal_width=200)
    text = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code == 0
    assert ".cache/preprocess" in text and "TOOLKIT_CACHE" in text


def test_a_deleted_row_of_a_stratum_is_warned_about(caplog):
    # a researcher deleted a `miss` row: its stratum shrank from 1,420 to 1,384.5 documents and every weighted
    # rate moved, silently
    sheet = _design_sheet().drop(index=70)
    with caplog.at_level("WARNING", logger="toolkit"):
        score_sheet(sheet)
    assert "'miss' (1384.5): the rows' weights sum to no whole number of documents: a row deleted" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="toolkit"):
        score_sheet(_design_sheet())
    assert "no whole number" not in caplog.text


def test_a_sheet_the_researcher_can_mend_is_a_located_error_with_a_fix(tmp_path):
    # a bad label was a usage error (exit status 2, typer's box, no fix); the README's errors name the file, the
    # problem and a fix, and exit with status 1
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import write_table
    from toolkit.errors import UserError

    sheet = _design_sheet().astype({f"faith{SEP}coder1": object})
    sheet.loc[3, f"faith{SEP}coder1"] = "yes"
    write_table(sheet, tmp_path / "sheet.csv")
    result = CliRunner().invoke(app, ["validate", "score", str(tmp_path / "sheet.csv")])
    assert result.exit_code == 1 and isinstance(result.exception, UserError), result.output
    assert "'yes'" in str(result.exception) and "fix: mend the sheet" in str(result.exception)
    assert str(tmp_path / "sheet.csv") in str(result.exception)


# -- one coder, coder sheets and the printout: what a researcher scoring a sheet is told ----------------------------


def _two_theme_sheet(second: str = "empty") -> pd.DataFrame:
    """Two themes coded by coder1 alone; coder2's columns empty (``"empty"``) or absent (``"absent"``)."""
    sheet = _design_sheet().merge(_design_sheet(theme="site").drop(columns=["stratum", "weight"]), on="doc_id")
    for theme in ("faith", "site"):
        if second == "empty":
            sheet[f"{theme}{SEP}coder2"] = pd.NA
        else:
            sheet = sheet.drop(columns=f"{theme}{SEP}coder2")
    return sheet


@pytest.mark.parametrize("second", ["empty", "absent"])
def test_a_sheet_coded_once_says_once_why_there_is_no_agreement(tmp_path, caplog, second):
    # coder2's columns left empty: the printout showed `n_both 0 – – –` and nothing said why; without them, silence
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table

    write_table(_two_theme_sheet(second), tmp_path / "sheet.csv")
    with caplog.at_level("WARNING", logger="toolkit"):
        result = CliRunner().invoke(app, ["validate", "score", str(tmp_path / "sheet.csv"),
                                          "-o", str(tmp_path / "report.csv")])
    assert result.exit_code == 0, result.output
    told = [r.getMessage() for r in caplog.records if "no agreement" in r.getMessage()]
    assert len(told) == 1, told
    assert "faith" in told[0] and "site" in told[0] and "coder1" in told[0]
    assert ("empty" if second == "empty" else "one coder column") in told[0]
    header = [line for line in result.output.splitlines() if "reference" in line][0].split()
    assert "n_both" not in header and "kappa" not in header
    assert "percent_agreement" not in read_table(tmp_path / "report.csv").columns


def test_scoring_against_a_coder_who_has_not_coded_says_so_and_names_who_has(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import write_table

    write_table(_two_theme_sheet("empty"), tmp_path / "sheet.csv")
    result = CliRunner().invoke(app, ["validate", "score", str(tmp_path / "sheet.csv"), "--coder", "coder2"])
    text = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code == 2, result.output
    assert "fill <theme>__coder1" not in text
    assert "<theme>__coder2" in text and "empty" in text and "coded: coder1 (faith, site)" in text


def _key_and_returned(tmp_path, labels: dict[int, object] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A key sheet without labels and coder1's returned blind sheet, in an order of its own (``row`` 1, 2, …);
    ``labels`` overwrites cells of the returned sheet by its 0-based row."""
    from toolkit.corpus import write_table

    key = _design_sheet().assign(**{f"faith{SEP}coder1": pd.NA, f"faith{SEP}coder2": pd.NA})
    truth = _design_sheet().set_index("doc_id")[f"faith{SEP}coder1"]
    order = np.random.default_rng(7).permutation(len(key))
    returned = pd.DataFrame({"row": np.arange(1, len(key) + 1), "doc_id": key["doc_id"].to_numpy()[order]})
    returned["title"] = "Hội nghị tổng kết công tác tôn giáo năm 2023"
    returned[f"faith{SEP}coder1"] = returned["doc_id"].map(truth).astype(object)
    for r, value in (labels or {}).items():
        returned.loc[r, f"faith{SEP}coder1"] = value
    write_table(key, tmp_path / "sheet.csv")
    write_table(returned, tmp_path / "sheet.coder1.csv")
    return key, returned


def test_a_bad_label_in_a_coders_sheet_is_a_located_error_with_a_fix(tmp_path):
    # 'no' in the key sheet was exit 1 with a fix; in a coder's returned sheet, a usage box, exit 2, no doc_id
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.errors import UserError

    _, returned = _key_and_returned(tmp_path, {17: "không"})
    result = CliRunner().invoke(app, ["validate", "score", str(tmp_path / "sheet.csv"),
                                      "--coder-sheet", str(tmp_path / "sheet.coder1.csv")])
    assert result.exit_code == 1 and isinstance(result.exception, UserError), result.output
    message = str(result.exception)
    assert message.startswith(f"{tmp_path / 'sheet.coder1.csv'}: ")
    assert "sheet row 19" in message and "'không'" in message              # its own row: header = row 1
    assert repr(returned["doc_id"].iloc[17]) in message and "\n  fix: " in message
    # a row the coder deleted is the coder's sheet's error too, not a usage error
    returned.iloc[1:].to_csv(tmp_path / "short.csv", index=False)
    result = CliRunner().invoke(app, ["validate", "score", str(tmp_path / "sheet.csv"),
                                      "--coder-sheet", str(tmp_path / "short.csv")])
    assert result.exit_code == 1 and isinstance(result.exception, UserError), result.output
    assert str(tmp_path / "short.csv") in str(result.exception) and "fix: " in str(result.exception)


def test_a_label_left_blank_in_a_coders_sheet_is_named_in_that_sheet(tmp_path, caplog):
    # was "sheet row(s) 42": the key's row, in a file the coder never saw
    from typer.testing import CliRunner

    from toolkit.cli import app

    key, returned = _key_and_returned(tmp_path, {16: ""})
    doc = returned["doc_id"].iloc[16]
    key_row = int(np.flatnonzero(key["doc_id"] == doc)[0]) + 2
    assert key_row != 18
    with caplog.at_level("WARNING", logger="toolkit"):
        result = CliRunner().invoke(app, ["validate", "score", str(tmp_path / "sheet.csv"),
                                          "--coder-sheet", str(tmp_path / "sheet.coder1.csv"),
                                          "--merged", str(tmp_path / "coded.parquet")])
    assert result.exit_code == 0, result.output
    told = [r.getMessage() for r in caplog.records if "no label" in r.getMessage()]
    assert len(told) == 1, told
    assert str(tmp_path / "sheet.coder1.csv") in told[0] and "sheet row(s) 18;" in told[0] and doc in told[0]
    assert f"row(s) {key_row};" not in told[0]
    # the merged sheet, scored alone, is a sheet of its own: its rows are the key's
    caplog.clear()
    with caplog.at_level("WARNING", logger="toolkit"):
        result = CliRunner().invoke(app, ["validate", "score", str(tmp_path / "coded.parquet")])
    assert result.exit_code == 0, result.output
    told = [r.getMessage() for r in caplog.records if "no label" in r.getMessage()]
    assert len(told) == 1 and f"row(s) {key_row};" in told[0] and "sheet.coder1.csv" not in told[0], told


def test_the_printout_gives_percent_agreement_as_the_report_does_a_proportion(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table

    sheet = _design_sheet()
    sheet.loc[[3, 60], f"faith{SEP}coder2"] = 1 - sheet.loc[[3, 60], f"faith{SEP}coder2"]
    write_table(sheet, tmp_path / "sheet.csv")
    result = CliRunner().invoke(app, ["validate", "score", str(tmp_path / "sheet.csv"),
                                      "-o", str(tmp_path / "report.csv")])
    assert result.exit_code == 0, result.output
    share = float(read_table(tmp_path / "report.csv")["percent_agreement"].iloc[0])
    assert share == pytest.approx(97 / 99)
    lines = result.output.splitlines()
    header = [line for line in lines if "reference" in line][0].split()
    row = [line for line in lines if line.split()[:1] == ["faith"]][0].split()
    assert header[-4:] == ["n_both", "agree", "kappa", "alpha"]      # the last columns; rates hold spaces
    assert row[-3] == f"{share:.2f}", row


def test_devset_texts_are_read_once_and_again_when_a_corpus_file_changes(tmp_path, monkeypatch):
    # reading the shared corpora is the costly part of read_devset (a pass over ~120,000 articles) and a test run or
    # report asks for it several times; the memo must never serve a text that changed on disk
    import gzip
    import json

    from toolkit.themes import validate

    (tmp_path / "unc-dantri").mkdir()
    (tmp_path / "baomoi-2017").mkdir()
    (tmp_path / "vntc").mkdir()
    dantri = tmp_path / "unc-dantri" / "unc_dantri.jsonl"

    def write_dantri(title):
        rows = [dict(doc_id="7", title=title, text=f"{title}\nMô tả.\nThân bài.", date="20200301"),
                dict(doc_id="8", title="Khác", text="Khác\nx", date="20200302")]
        dantri.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")

    write_dantri("Chùa Một Cột")
    with gzip.open(tmp_path / "baomoi-2017" / "baomoi_vn_news.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps(dict(id="b1", title="Lễ hội", sapo="Sapo.", body="Thân."), ensure_ascii=False) + "\n")
    with gzip.open(tmp_path / "vntc" / "vntc_10topics.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps(dict(id="v1", text="Tựa\n\nĐoạn một.\nĐoạn hai."), ensure_ascii=False) + "\n")
    pd.DataFrame({"corpus": ["dantri", "baomoi", "vntc"], "doc_id": ["7", "b1", "v1"]}).to_csv(
        tmp_path / "devset.csv", index=False)
    monkeypatch.setattr(validate, "devset_path", lambda: tmp_path / "devset.csv")
    monkeypatch.setattr(validate, "_DEVSET_TEXTS", {})
    parsed = []
    real_loads = json.loads
    monkeypatch.setattr(validate.json, "loads", lambda s: parsed.append(1) or real_loads(s))

    first = validate._devset_texts(tmp_path)
    assert first == {("dantri", "7"): ("Chùa Một Cột", "Mô tả.\nThân bài.", "Mô tả.", "2020-03-01"),
                     ("baomoi", "b1"): ("Lễ hội", "Sapo.\nThân.", "Sapo.", "2017"),
                     ("vntc", "v1"): ("Tựa", "Đoạn một.\nĐoạn hai.", "Đoạn một.", pd.NA)}
    n_read = len(parsed)
    assert n_read == 4
    first.clear()  # a caller's copy: clearing it leaves the memo whole
    assert validate._devset_texts(tmp_path)[("dantri", "7")][0] == "Chùa Một Cột" and len(parsed) == n_read
    write_dantri("Chùa Trấn Quốc")  # the file changed: read again
    assert validate._devset_texts(tmp_path)[("dantri", "7")][0] == "Chùa Trấn Quốc" and len(parsed) > n_read
    # devset.csv names another document: read again, and a missing corpus file says which
    pd.DataFrame({"corpus": ["dantri"], "doc_id": ["8"]}).to_csv(tmp_path / "devset.csv", index=False)
    assert set(validate._devset_texts(tmp_path)) == {("dantri", "8")}
    (tmp_path / "vntc" / "vntc_10topics.jsonl.gz").unlink()
    with pytest.raises(FileNotFoundError, match="vntc_10topics"):
        validate._devset_texts(tmp_path)
