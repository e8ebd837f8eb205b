"""A figure's caption ("What it shows") and method ("How it was made") say what its tables hold, and agree."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from toolkit.config import EffectsConfig, KeynessConfig, RunConfig
from toolkit.report.methods import methods_markdown
from toolkit.report.registry import FIGURES, _fig_keyness, figure_context, uncertainty_sentence

SPECS = {spec.name: spec for spec in FIGURES}


def _effects_tables(uncertainty: str, formula_terms=("C(year)[T.2020]", "C(year)[T.2021]")) -> dict:
    rows = [{"topic": 0, "label": "religion", "term": term, "estimate": 0.01, "std_error": 0.01, "ci_low": -0.01,
             "ci_high": 0.03, "uncertainty": uncertainty} for term in ("Intercept", *formula_terms)]
    tables = {"effects": pd.DataFrame(rows),
              "topic_terms": pd.DataFrame({"topic": [0], "label": ["religion"], "rank": [1], "term": ["giáo_xứ"],
                                           "weight": [0.1]})}
    if uncertainty == "global":
        tables["topic_matching"] = pd.DataFrame({
            "model": [0, 1], "random_state": [0, 1], "topic": [0, 0], "label": ["religion"] * 2,
            "matched_topic": [0, 0], "similarity": [1.0, 0.9], "matched_by": ["reference", "seed"]})
    return tables


@pytest.mark.parametrize("uncertainty, includes, leaves_out", [
    ("global", "of the regression and of the topics themselves", "the chosen K"),
    ("document", "of the document-topic proportions and of the regression", "the topics themselves (held fixed)"),
])
def test_the_effects_figure_gives_one_account_of_its_intervals(uncertainty, includes, leaves_out):
    # dantri: the caption said the refits were pooled (global), methods.md that the topics' uncertainty was in,
    # and "How it was made" that it was not ("not that of the topics themselves, the chosen K or the seed")
    config = RunConfig(random_state=0, effects=EffectsConfig(formula="~ C(year)", global_seeds=(0, 1)))
    tables = _effects_tables(uncertainty)
    ctx = figure_context(config, tables, 1)
    spec = SPECS["effects_forest"]
    method = spec.method.format(**ctx["text"])
    caption = f"{spec.caption.format(**ctx['text'])} {uncertainty_sentence(tables)}"
    appendix = methods_markdown({}, tables, config)
    assert includes in method and leaves_out in method
    account = method.split("pooled. ", 1)[1]
    assert account in appendix  # the same sentence as methods.md
    assert f"Intervals: {uncertainty} uncertainty" in caption
    if uncertainty == "global":
        assert "not that of the topics themselves" not in method
        # the refits pooled are those the caption names (the run's own seed is the reported model, not a refit)
        assert "`[effects] global_seeds` (1)" in method and "refits at seeds 1 pooled" in caption


@pytest.mark.parametrize("formula, note", [
    ("~ C(year)", None),
    ("~ C(year, Treatment(reference=2021))", None),
    ("~ C(locality) + bs(year, df=3)", "(spline terms of year left out: not readable one by one; the prevalence "
                                       "figure shows the trend by year)"),
    ("~ C(year) + cr(n_words, df=4)", "(spline terms of n_words left out: not readable one by one)"),
])
def test_the_effects_caption_mentions_spline_terms_only_when_the_formula_has_them(formula, note):
    # `~ C(year)` was captioned "(spline terms of year left out …)"
    ctx = figure_context(RunConfig(effects=EffectsConfig(formula=formula)), _effects_tables("document"), 1)
    caption = SPECS["effects_forest"].caption.format(**ctx["text"])
    if note is None:
        assert "spline" not in caption
    else:
        assert note in caption


def _keyness(groups: dict[str, int], min_docs: int = 5) -> pd.DataFrame:
    rows = []
    for k, (group, n_docs) in enumerate(groups.items()):
        for rank in range(3):
            rows.append({"group": group, "term": f"từ_{k}_{rank}", "z": 5.0 - rank, "n_docs": n_docs,
                         "small_group": n_docs < min_docs})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("group, each, many", [
    ("year", "each year against", "the 12 years with most documents"),
    ("province", "each province against", "the 12 provinces with most documents"),
    ("locality", "each locality against", "the 12 localities with most documents"),
    ("category", "each category against", "the 12 categories with most documents"),
    ("source_site", "each `source_site` group against", "the 12 `source_site` groups with most documents"),
])
def test_the_keyness_caption_names_the_runs_groups(group, each, many):
    # with [keyness] group = "year" the caption still spoke of "each locality" and "the 12 localities"
    config = RunConfig(keyness=KeynessConfig(group=group))
    caption = SPECS["keyness"].caption.format(**figure_context(config, {"keyness": _keyness({"a": 9})}, 0)["text"])
    assert each in caption and many in caption
    if group != "locality":
        assert "localit" not in caption


def test_small_keyness_groups_are_marked_in_the_figure_and_the_caption_says_how():
    # dantri by year: 2019 (2 documents, small_group) was drawn like 2020 (147) and 2021 (1,603)
    table = _keyness({"2019": 2, "2020": 147, "2021": 1603})
    config = RunConfig(keyness=KeynessConfig(group="year", min_docs=5))
    ctx = figure_context(config, {"keyness": table}, 0)
    caption = SPECS["keyness"].caption.format(**ctx["text"])
    assert "Hatched bars, titled “(n = …, small)”: a year of fewer than 5 documents (small_group)" in caption
    for lang, title in (("en", "2019 (n = 2, small)"), ("vi", "2019 (n = 2, nhóm nhỏ)")):
        fig = _fig_keyness(table, lang, ctx)
        panels = {ax.get_title(loc="right"): ax for ax in fig.axes if ax.get_title(loc="right")}
        assert set(panels) == {title, "2020", "2021"}
        assert {bar.get_hatch() for bar in panels[title].patches} == {"////"}
        assert {bar.get_hatch() for bar in panels["2021"].patches} == {None}
        plt.close(fig)
    # no small group among those drawn: nothing to explain
    big = _keyness({"2020": 147, "2021": 1603})
    assert "Hatched" not in SPECS["keyness"].caption.format(**figure_context(config, {"keyness": big}, 0)["text"])


# ---- documents of no known place in the locality figures -------------------------------------------------------

def _located_tables(unplaced: int = 7) -> tuple[pd.DataFrame, dict]:
    """Three articles of two Hanoi districts and ``unplaced`` of no known place (a news site's own pages), with
    the run's locality tables made as the pipeline makes them; the last unplaced article is undated."""
    from toolkit.pipeline import documents_per_locality
    from toolkit.places import qualify_grouping, with_locality
    from toolkit.report.methods import corpus_summary
    from toolkit.themes.shares import theme_shares

    n = 3 + unplaced
    years = [2020, 2021, 2021] + [2020 + k % 2 for k in range(unplaced - 1)] + [None] * min(unplaced, 1)
    docs = with_locality(pd.DataFrame({
        "doc_id": [f"bai-{k}" for k in range(n)],
        "province": ["Hà Nội"] * 3 + [""] * unplaced,
        "district": ["Huyện Đông Anh", "Huyện Đông Anh", "Quận Long Biên"] + [""] * unplaced,
        "year": pd.array(years[:n], dtype="Int64")}))
    docs["period"] = docs["year"].map(lambda y: "2020–2021" if pd.notna(y) else "")
    hits = pd.DataFrame([{"doc_id": d, "theme": t, "hits": int((k + j) % 3 == 0), "n_tokens": 200}
                         for k, d in enumerate(docs["doc_id"]) for j, t in enumerate(("religion", "covid"))])
    hits["present"] = hits["hits"] > 0
    dated = docs[docs["year"].notna()]
    grouped, by = qualify_grouping(dated, ["district", "year"])
    tables = {
        "corpus_summary": corpus_summary(docs.assign(duplicate_of=""), docs),
        "documents_per_locality": documents_per_locality(docs),
        "documents_per_locality_year": grouped.groupby(by).size().rename("n_docs").reset_index(),
        "theme_shares_locality": theme_shares(hits, docs, by=("province", "district")),
        "theme_shares_locality_year": theme_shares(hits, dated, by=("province", "district", "year")),
        "theme_shares_locality_period": theme_shares(hits, dated, by=("province", "district", "period")),
        "theme_shares_year": theme_shares(hits, dated, by=("year",)),
    }
    return docs, tables


def _in_table(table: pd.DataFrame) -> int:
    """The documents a theme-share table holds (every theme's cells hold the same documents)."""
    return int(table.loc[table["theme"] == table["theme"].iloc[0], "n_docs"].sum())


def test_the_locality_figures_say_how_many_documents_of_no_known_place_they_leave_out():
    # a news corpus of 600 articles, 398 without a province or district: theme_shares_locality held 202 documents
    # while its caption said "over every document, dated or not" and the prevalence caption that "the theme figures
    # keep an (unknown) row"; only the log said the 398 were left out
    docs, tables = _located_tables()
    ctx = figure_context(RunConfig(), tables, 0)
    caption = {name: SPECS[name].caption.format(**ctx["text"])
               for name in ("theme_share_by_locality", "theme_share_by_period", "theme_trends")}
    n_all, n_dated = len(docs), int(docs["year"].notna().sum())
    left_all = n_all - _in_table(tables["theme_shares_locality"])
    left_dated = n_dated - _in_table(tables["theme_shares_locality_year"])
    assert left_all == 7 and left_dated == 6  # the fixture: 7 articles of no known place, 6 of them dated
    assert f"The {left_all} of {n_all} documents of no known place are left out" in caption["theme_share_by_locality"]
    assert "over every document, dated or not" not in caption["theme_share_by_locality"]
    assert (f"The {left_dated} of {n_dated} dated documents of no known place are left out"
            in caption["theme_share_by_period"])
    assert f"the locality panels leave out the {left_dated} of {n_dated} dated documents of no known place" \
        in caption["theme_trends"]
    assert "All documents" in caption["theme_trends"]  # where the trends figure does count them
    # every document placed: nothing is said to be left out
    _, placed = _located_tables(unplaced=0)
    text = figure_context(RunConfig(), placed, 0)["text"]
    assert not [name for name in caption if "no known place" in SPECS[name].caption.format(**text)]


def test_the_prevalence_caption_does_not_promise_an_unknown_row_the_theme_figures_lack():
    from toolkit.report.registry import _prevalence_sentence

    docs, tables = _located_tables()
    placed = docs[(docs["locality"] != "") & docs["year"].notna()]
    tables["topic_prevalence_district_year"] = (placed.groupby(["locality", "year"]).size().rename("n_docs")
                                                .reset_index().assign(topic=0, label="religion", prevalence=0.2))
    tables["doc_topics"] = pd.DataFrame({"doc_id": docs["doc_id"], "topic_0": 0.5})
    text = _prevalence_sentence(tables)
    assert f"The cells hold {len(placed)} of the model's {len(docs)} documents" in text
    assert "(unknown) row" not in text
    assert "nor is a document of no known place in the theme figures by locality" in text


# ---- the measured quality of the themes beside the theme figures --------------------------------------------------

def _coded_sheet(theme: str, flagged: list[int], unflagged: list[int], n_flagged: int, n_docs: int,
                 second: list[int] | None = None) -> pd.DataFrame:
    """A coding sheet as `validate sample` writes it, coded: the documents the dictionary flags (``flagged``: the
    coder's labels, one per document read, of ``n_flagged``) and a sample of the others (``unflagged``)."""
    rest = n_docs - n_flagged
    rows = [{"stratum": f"hit:{theme}", "weight": n_flagged / len(flagged), "dictionary": 1, "coder1": label,
             "stratum_flagged": n_flagged} for label in flagged]
    rows += [{"stratum": "miss", "weight": rest / len(unflagged), "dictionary": 0, "coder1": label,
              "stratum_flagged": 0} for label in unflagged]
    sheet = pd.DataFrame(rows).rename(columns={c: f"{theme}__{c}" for c in ("dictionary", "coder1",
                                                                                "stratum_flagged")})
    if second is not None:
        sheet[f"{theme}__coder2"] = second
    return sheet.assign(doc_id=[f"bai-{k}" for k in range(len(sheet))])


def test_a_precision_from_every_flagged_document_read_says_so_with_the_counts_behind_each_rate():
    # a sheet of 80 coded articles: "Grassroots democracy regulations: precision 0.50 [0.50–0.50] … n = 80" rested
    # on the 2 documents the dictionary flags in the corpus, both read (a stratum read in full)
    from toolkit.report.registry import quality_sentence
    from toolkit.themes.validate import score_sheet

    democracy = score_sheet(_coded_sheet("democracy_regulations", [1, 0], [0] * 78, n_flagged=2, n_docs=600))
    covid = score_sheet(_coded_sheet("covid", [1] * 9 + [0], [1] + [0] * 69, n_flagged=150, n_docs=600))
    quality = pd.concat([democracy, covid], ignore_index=True).assign(source="validation/sheet_coded.csv")
    labels = {"democracy_regulations": "Grassroots democracy regulations", "covid": "COVID-19"}
    text = quality_sentence(quality, labels)
    row = quality.set_index("theme").loc["democracy_regulations"]
    assert row["precision_low"] == row["precision_high"]  # the design's exact precision: nothing to widen
    assert ("Grassroots democracy regulations: precision 0.50 (2 of 2 flagged documents read, 1 coded positive), "
            "recall 1.00 [") in text
    assert "[0.50–0.50]" not in text
    assert f"n = 80 (tp {row['tp']}, fp {row['fp']}, fn {row['fn']})" in text
    # a precision from a sample of the flagged documents keeps its interval, and its counts
    c = quality.set_index("theme").loc["covid"]
    assert c["precision_low"] < c["precision"] and f"COVID-19: precision {c['precision']:.2f} [" in text
    assert f"n = 80 (tp {c['tp']}, fp {c['fp']}, fn {c['fn']})" in text
    # the reference coder is named; the table carries no agreement, so none is claimed
    assert "reference coder1" in text and "κ" not in text


def test_the_quality_sentence_gives_the_coders_agreement_where_the_table_has_it():
    # `validate score` merges agreement() into its report when the sheet has a second coder
    from toolkit.report.registry import quality_sentence
    from toolkit.themes.validate import agreement, score_sheet

    sheet = _coded_sheet("religion", [1, 1, 0, 1], [0] * 15 + [1], n_flagged=4, n_docs=300,
                         second=[1, 1, 0, 0] + [0] * 16)
    quality = score_sheet(sheet).merge(agreement(sheet), on="theme").assign(source="sheet.csv")
    kappa = quality["cohen_kappa"].iat[0]
    assert f"κ {kappa:.2f} (coder1, coder2; 20 coded by both)" in quality_sentence(quality, {"religion": "Religion"})


def test_a_recall_without_a_coded_positive_is_a_dash_not_nan():
    # no coded document had the theme: F1 is 0 but recall was printed "recall nan"
    from toolkit.report.registry import quality_sentence
    from toolkit.themes.validate import score_sheet

    quality = score_sheet(_coded_sheet("site_clearance", [0, 0, 0], [0] * 40, n_flagged=3, n_docs=500))
    assert pd.isna(quality["recall"].iat[0]) and pd.notna(quality["f1"].iat[0])
    text = quality_sentence(quality.assign(source="sheet.csv"), {"site_clearance": "Site clearance"})
    assert "nan" not in text
    assert "recall – (no coded positive)" in text


def test_a_weighted_rate_read_in_full_says_it_is_exact():
    # every stratum read in full: recall's interval has no width either, and the caption says why in words
    from toolkit.report.registry import quality_sentence

    row = dict(theme="site", item="full text", weighted=True, n_coded=12, tp=3, fp=1, fn=1,
               precision=0.75, precision_low=0.75, precision_high=0.75, recall=0.75, recall_low=0.75,
               recall_high=0.75, f1=0.75, f1_low=0.75, f1_high=0.75, source="sheet.csv")
    text = quality_sentence(pd.DataFrame([row]), {"site": "Site clearance"})
    assert "precision 0.75 (4 of 4 flagged documents read, 3 coded positive)" in text
    assert "recall 0.75 (exact: every document it rests on was read)" in text
    assert "[0.75–0.75]" not in text
