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
