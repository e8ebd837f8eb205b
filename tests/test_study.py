"""Your own study: init, check, defaults that fit the corpus, errors that say what to do (issue #18)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tomllib
from dataclasses import replace

import pandas as pd
import pytest

from toolkit.config import (ADAPTIVE_SETTINGS, PROJECT_ROOT, SETTING_DOCS, EffectsConfig, FiguresConfig, RunConfig,
                            TopicsConfig, load_config, setting_keys)
from toolkit.errors import UserError
from toolkit.study import (adapt_defaults, check_run, config_problems, config_template, corpus_problems,
                           init_study, study_config)
from toolkit.study.adapt import FIGURE_NEEDS, MIN_DATED_SHARE, choices_paragraph
from toolkit.study.check import formula_names

# --------------------------------------------------------------------------
# Authored pages of the genre (written for these tests): one district, 2021–2023, one undated page.
# --------------------------------------------------------------------------

_HEAD = "Tin hoạt động\n{title}\n{dateline}\n\n"
PAGES = {
    "tong-ket-2022.txt": _HEAD.format(title="Ban Dân vận Huyện ủy Đại Từ tổng kết công tác dân vận năm 2022",
                                      dateline="Ngày đăng: 05/01/2023 | Lượt xem: 312") +
    "Sáng ngày 4/1/2023, Ban Dân vận Huyện ủy Đại Từ tổ chức hội nghị tổng kết công tác dân vận năm 2022, triển "
    "khai nhiệm vụ năm 2023. Dự hội nghị có lãnh đạo Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội huyện.\n\n"
    "Các cấp ủy tập trung lãnh đạo thực hiện quy chế dân chủ ở cơ sở, vận động nhân dân hiến đất làm đường giao "
    "thông nông thôn, phối hợp giải phóng mặt bằng các công trình trọng điểm của huyện.\n",
    "gpmb-hung-son.txt": _HEAD.format(title="Xã Hùng Sơn ra mắt mô hình Dân vận khéo trong giải phóng mặt bằng",
                                      dateline="Ngày đăng: 12/06/2022 | Lượt xem: 208") +
    "Ngày 10/6/2022, Đảng ủy xã Hùng Sơn, huyện Đại Từ ra mắt mô hình \"Dân vận khéo\" trong công tác giải phóng "
    "mặt bằng dự án đường vành đai. Cán bộ, đảng viên đến từng hộ gia đình vận động nhân dân bàn giao mặt bằng, "
    "nhận tiền bồi thường, hỗ trợ tái định cư.\n\nĐến nay, 45 hộ dân đã bàn giao mặt bằng đúng tiến độ.\n",
    "giam-sat-qcdc.txt": _HEAD.format(title="Huyện Đại Từ giám sát thực hiện quy chế dân chủ ở cơ sở",
                                      dateline="Ngày đăng: 20/09/2021") +
    "Từ ngày 15 đến 17/9/2021, đoàn giám sát do đồng chí Trưởng Ban Dân vận Huyện ủy Đại Từ làm trưởng đoàn đã "
    "làm việc tại các xã Tân Linh, Phục Linh và Yên Lãng.\n\nCác xã đã công khai các nội dung để nhân dân biết, "
    "bàn, làm, kiểm tra, giám sát; hội nghị nhân dân ở thôn, xóm được tổ chức đúng quy định.\n",
    "covid-xom.txt": _HEAD.format(title="Chung tay phòng, chống dịch COVID-19 tại các xóm",
                                  dateline="Ngày đăng: 03/08/2021 | Lượt xem: 455") +
    "Trước diễn biến phức tạp của dịch COVID-19, Ban Dân vận Huyện ủy Đại Từ chỉ đạo Mặt trận và các đoàn thể vận "
    "động hội viên thực hiện nghiêm thông điệp 5K và tiêm vắc xin phòng COVID-19.\n\nCác tổ COVID cộng đồng ở thôn, "
    "xóm thường xuyên đến từng hộ tuyên truyền.\n",
    "ton-giao.txt": "Tin hoạt động\nGặp mặt chức sắc, chức việc các tôn giáo\nLượt xem: 97\n\n"
    "Ban Dân vận Huyện ủy Đại Từ phối hợp với Ủy ban Mặt trận Tổ quốc huyện gặp mặt chức sắc, chức việc các tôn "
    "giáo trên địa bàn, đề nghị các chức sắc vận động đồng bào có đạo sống \"tốt đời, đẹp đạo\".\n\nCác chức sắc "
    "tôn giáo đồng thuận với chính sách, pháp luật của Nhà nước về tín ngưỡng, tôn giáo.\n",
    "dan-van-chinh-quyen.html": "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Hội nghị dân "
    "vận chính quyền năm 2023</title></head><body><nav>Trang chủ | Tin tức</nav><article><h1>Hội nghị dân vận chính "
    "quyền năm 2023</h1><p>Ngày đăng: 14/03/2023</p><p>Ngày 13/3/2023, Ban Dân vận Huyện ủy Đại Từ phối hợp với Ủy "
    "ban nhân dân huyện tổ chức hội nghị đánh giá công tác dân vận chính quyền: tiếp công dân, đối thoại với nhân "
    "dân, cải cách hành chính và thực hiện quy chế dân chủ ở cơ sở.</p><p>Đồng chí Chủ tịch Ủy ban nhân dân huyện "
    "đề nghị giải quyết dứt điểm các vụ việc liên quan đến đất đai, bồi thường giải phóng mặt bằng.</p></article>"
    "<footer>Bản quyền thuộc Huyện ủy Đại Từ</footer></body></html>",
}


def write_pages(folder):
    """The authored pages, one of them in TCVN3 and one empty file (a reject)."""
    from toolkit.ingest.encoding import encode_text

    folder.mkdir(parents=True, exist_ok=True)
    for name, text in PAGES.items():
        data = encode_text(text, "tcvn3") if name == "covid-xom.txt" else text.encode("utf-8")
        (folder / name).write_bytes(data)
    (folder / "trang-trong.txt").write_bytes(b"")


def _fast(config_path, **extra):
    """Make a scaffolded config fast for tests: no devset quality, small PNGs only."""
    text = config_path.read_text(encoding="utf-8")
    text = text.replace("devset_quality = true", "devset_quality = false")
    text = text.replace('formats = ["png", "svg"]', 'formats = ["png"]').replace("dpi = 300", "dpi = 40")
    for old, new in extra.items():
        text = text.replace(old, new)
    config_path.write_text(text, encoding="utf-8")


def _docs(years, localities, n_per_cell):
    rows = [{"doc_id": f"d{i}-{y}-{j}", "year": y, "locality": loc}
            for i, loc in enumerate(localities) for y in years for j in range(n_per_cell)]
    return pd.DataFrame(rows).astype({"year": "Int64"})


# --------------------------------------------------------------------------
# The config: generated template, strict reading
# --------------------------------------------------------------------------


def test_every_setting_is_documented_and_in_the_template():
    keys = setting_keys()
    assert sorted(SETTING_DOCS) == sorted(keys)
    assert set(ADAPTIVE_SETTINGS) <= set(keys)
    text = config_template()
    lines = [line.lstrip("# ") for line in text.splitlines()]
    for key in keys:
        name = key.rpartition(".")[2]
        assert any(line.startswith(f"{name} = ") and SETTING_DOCS[key] in line for line in lines), key


def test_template_reads_back_as_the_study_config(tmp_path):
    config = study_config("longbien", random_state=3)
    path = tmp_path / "config.toml"
    path.write_text(config_template(config), encoding="utf-8")
    loaded = load_config(path)
    assert loaded == config
    assert loaded.resolve("pages") == tmp_path.resolve() / "pages"  # root = ".": beside the config file
    assert not any(loaded.is_set(k) for k in ADAPTIVE_SETTINGS)  # commented out: chosen to fit the corpus
    # uncommented, an adaptive setting is the researcher's, even at its default value
    path.write_text(config_template(config).replace("# formula = ", "formula = "), encoding="utf-8")
    assert load_config(path).is_set("effects.formula")


def test_the_default_config_file_is_strict_and_sets_everything():
    config = load_config(PROJECT_ROOT / "configs" / "default.toml")
    assert config == RunConfig()
    assert sorted(config.set_in_file) == sorted(setting_keys())
    assert config.resolve("corpora") == PROJECT_ROOT / "corpora"


@pytest.mark.parametrize("text, expected", [
    ("[effects]\nfromula = '~ C(year)'\n", "did you mean 'formula'?"),
    ("[topic]\nn_topics = 4\n", "did you mean 'topics'?"),
    ("[figures]\nincluded = []\n", "did you mean 'include'?"),
    ("[corpus]\npath = ['pages']\n", "did you mean 'paths'?"),
    ("[themes]\nperiod = [[2020, 2021]]\n", "did you mean 'periods'?"),
    ("formula = '~ C(year)'\n", "'formula' belongs in [effects]"),
    ("[keyness]\ngroup = 3\n", "should be a str"),
    ("[topics]\nn_topics = true\n", "should be a int"),
    ("[topics]\nn_topics_grid = 8\n", "should be a list"),
    ("[corpus\npaths = []\n", "not valid TOML"),
])
def test_a_misspelled_or_mistyped_key_names_the_file_and_the_fix(tmp_path, text, expected):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_config(path)
    assert info.value.path == str(path)
    assert expected in str(info.value)
    assert info.value.fix


# --------------------------------------------------------------------------
# Defaults that fit the corpus
# --------------------------------------------------------------------------

LOCALITIES = ["Huyện Đại Từ, Thái Nguyên", "Quận Long Biên, Hà Nội", "Huyện Châu Thành, Bến Tre"]


@pytest.mark.parametrize("years, localities, n, formula, group", [
    (range(2015, 2024), LOCALITIES, 20, "~ C(locality) + bs(year, df=3)", "locality"),  # the full design
    ([2021, 2022, 2023], LOCALITIES, 20, "~ C(locality) + C(year)", "locality"),      # short span: categories
    ([2021, 2022, 2023], LOCALITIES[:1], 20, "~ C(year)", "year"),                     # one locality
    ([2022], LOCALITIES, 20, "~ C(locality)", "locality"),                             # one year
    ([2022], LOCALITIES[:1], 20, "", "locality"),                                      # nothing to compare
    ([2021, 2022, 2023], LOCALITIES, 2, "~ C(year)", "locality"),                      # too few documents
    ([2021, 2022, 2023], LOCALITIES, 1, "", "locality"),                               # far too few
])
def test_formula_and_groups_fit_the_corpus(years, localities, n, formula, group):
    config, choices = adapt_defaults(RunConfig(), _docs(years, localities, n))
    assert config.effects.formula == formula
    assert config.keyness.group == group
    row = choices.set_index("setting").loc["effects.formula"]
    assert row["chosen_by"] == ("default" if formula == RunConfig().effects.formula else "corpus")
    assert ("effects_forest" in config.figures.include) == bool(formula)


def test_a_first_level_of_a_few_documents_is_not_the_reference_of_the_chosen_formula():
    # dantri 2019-21: 2019 holds 2 documents; every year was compared with it (clustered SE 0.0000)
    dantri = _docs_per_year({2019: 2, 2020: 147, 2021: 1603})
    config, choices = adapt_defaults(RunConfig(), dantri)
    assert config.effects.formula == "~ C(year, Treatment(reference=2021))"
    reason = choices.set_index("setting").loc["effects.formula", "reason"]
    assert "the first year, 2019, holds 2 document(s) (fewer than 30): compared with 2021, the year with most" in reason
    # localities the same way: patsy's first in sorted order holds 10 documents
    few_first = pd.concat([_docs([2020, 2021], LOCALITIES[2:], 5), _docs([2020, 2021], LOCALITIES[:2], 40)],
                          ignore_index=True)
    formula = adapt_defaults(RunConfig(), few_first)[0].effects.formula
    assert formula.startswith("~ C(locality, Treatment(reference='Huyện Đại Từ, Thái Nguyên'))")
    import patsy  # the chosen formula is one patsy reads, its reference the level named

    design = patsy.dmatrix(formula, few_first.assign(year=few_first["year"].astype(int)), return_type="dataframe")
    levels = sorted(column.split("[T.", 1)[1].rstrip("]") for column in design.columns
                    if column.startswith("C(locality") and "[T." in column)
    assert levels == ["Huyện Châu Thành, Bến Tre", "Quận Long Biên, Hà Nội"]
    # a first level with enough documents stays the reference: the formula reads as before
    assert adapt_defaults(RunConfig(), _docs_per_year({2019: 40, 2020: 147, 2021: 1603}))[0].effects.formula == \
        "~ C(year)"


def test_no_dates_no_year_terms_and_no_year_figures():
    docs = _docs([2020], LOCALITIES, 10).assign(year=pd.array([pd.NA] * 30, dtype="Int64"))
    config, choices = adapt_defaults(RunConfig(), docs)
    assert config.effects.formula == "~ C(locality)"
    left_out = set(choices.loc[choices["setting"] == "figures.left_out", "value"])
    assert {"documents_per_locality_year", "theme_trends", "topic_prevalence", "theme_share_by_period"} <= left_out
    assert "no dated documents" in choices.set_index("setting").loc["themes.periods", "reason"]


def test_no_dates_still_shows_documents_and_theme_shares_per_locality():
    docs = _docs([2020], LOCALITIES, 10).assign(year=pd.array([pd.NA] * 30, dtype="Int64"))
    config, _ = adapt_defaults(RunConfig(), docs)
    assert {"documents_per_locality", "theme_share_by_locality", "topic_top_terms", "keyness",
            "effects_forest"} <= set(config.figures.include)
    # all dated: the dated/undated counts add nothing to the counts per year
    config, choices = adapt_defaults(RunConfig(), _docs([2020, 2021], LOCALITIES, 10))
    assert "documents_per_locality" not in config.figures.include
    assert "documents_per_locality_year" in config.figures.include


def test_a_few_dated_documents_do_not_make_time_figures_or_a_year_term():
    """Dates found in 10% of a corpus (e.g. in the text of undated news) describe that 10%, not the corpus."""
    docs = _docs(range(2001, 2011), LOCALITIES, 10)  # 300 documents, 10 years
    undated = docs["doc_id"].str.endswith(tuple(str(j) for j in range(1, 10)))
    docs.loc[undated, "year"] = pd.NA
    assert 0.05 < docs["year"].notna().mean() < MIN_DATED_SHARE
    config, choices = adapt_defaults(RunConfig(), docs)
    assert config.effects.formula == "~ C(locality)"
    assert "carry a date" in choices.set_index("setting").loc["effects.formula", "reason"]
    time_figures = {"documents_per_locality_year", "theme_share_by_period", "theme_trends", "topic_prevalence"}
    assert not time_figures & set(config.figures.include)
    left_out = choices[choices["setting"] == "figures.left_out"].set_index("value")["reason"]
    assert all("only 30 of 300 documents (10%) carry a date" in left_out[f] for f in time_figures)
    assert {"documents_per_locality", "theme_share_by_locality"} <= set(config.figures.include)
    # listed in the config, a time figure is drawn anyway
    listed = RunConfig(figures=FiguresConfig(include=("theme_trends", "theme_share_by_locality")))
    assert adapt_defaults(listed, docs)[0].figures.include == ("theme_share_by_locality", "theme_trends")
    # at the threshold and above, dates count
    docs["year"] = _docs(range(2001, 2011), LOCALITIES, 10)["year"].where(~undated | (docs.index % 3 == 0))
    assert docs["year"].notna().mean() >= MIN_DATED_SHARE
    assert "bs(year" in adapt_defaults(RunConfig(), docs)[0].effects.formula


def test_a_formula_of_the_year_spline_alone_has_no_effects_figure():
    path_config = RunConfig(effects=EffectsConfig(formula="~ bs(year, df=3)"))
    config, choices = adapt_defaults(path_config, _docs(range(2015, 2024), LOCALITIES[:1], 20))
    assert "effects_forest" not in config.figures.include
    reason = choices[choices["value"] == "effects_forest"]["reason"].iloc[0]
    assert "only the year spline" in reason
    # the terms are read as patsy reads them: a `+` inside the spline's call is not a second term,
    # a categorical term beside the spline is
    for formula, forest in (("~ bs(year + 0.5, df=3)", False), ("~ bs(year, df=3) * C(locality)", True),
                            ("~ C(locality):bs(year, df=3)", True)):
        config, _ = adapt_defaults(RunConfig(effects=EffectsConfig(formula=formula)),
                                   _docs(range(2015, 2024), LOCALITIES[:1], 20))
        assert ("effects_forest" in config.figures.include) == forest, formula


@pytest.mark.parametrize("years, periods", [
    ([2016, 2021, 2024], ((2015, 2019), (2020, 2022), (2023, 2024))),  # the defaults hold them
    ([2005, 2006, 2007], ((2005, 2005), (2006, 2006), (2007, 2007))),  # short span: a period per year
    ([2001, 2005, 2010], ((2001, 2001), (2005, 2005), (2010, 2010))),  # three periods over the span, each
    # trimmed to the years with documents
    ([2005, 2007], ((2005, 2005), (2007, 2007))),                      # a year without documents: no period
    ([2001, 2010], ((2001, 2001), (2010, 2010))),                      # an empty middle third: left out
])
def test_periods_cover_the_dated_years(years, periods):
    config, _ = adapt_defaults(RunConfig(), _docs(years, LOCALITIES, 3))
    assert config.themes.periods == periods


def _docs_per_year(counts: dict[int, int]) -> pd.DataFrame:
    return pd.concat([_docs([year], LOCALITIES[:1], n) for year, n in counts.items()], ignore_index=True)


@pytest.mark.parametrize("counts, periods, why", [
    # dantri 2019-2021: the default 2015-2019 would be a column of 2 documents beside 2,649
    ({2019: 2, 2020: 200, 2021: 2449}, ((2019, 2020), (2021, 2021)),
     "the default period 2015–2019 (2 documents) would hold under 5% of the 2651 dated documents"),
    # all in one default period: one column would compare nothing
    ({2020: 100, 2021: 100, 2022: 100}, ((2020, 2020), (2021, 2021), (2022, 2022)),
     "fall in one default period: one period per year"),
    # three periods over the span, the sparse last one merged into its neighbour
    ({2001: 300, 2004: 300, 2007: 300, 2010: 10}, ((2001, 2004), (2007, 2010)), "2007–2010: 310"),
    # a sparse middle period goes to its smaller neighbour
    ({2001: 300, 2005: 10, 2010: 100}, ((2001, 2001), (2005, 2010)), "2001: 300, 2005–2010: 110"),
    # a year without documents is no period of its own
    ({2005: 300, 2007: 300}, ((2005, 2005), (2007, 2007)), "one period per year with documents"),
    ({2024: 50}, ((2024, 2024),), "one dated year (2024)"),
    # the defaults, sparse years inside a well-filled period; the default period holding no document left out
    ({2015: 500, 2016: 500, 2017: 10, 2018: 10, 2019: 10, 2020: 400}, ((2015, 2019), (2020, 2022)),
     "the default periods hold every dated year (2015–2020); 2023–2024, which holds no dated document, left out"),
])
def test_periods_are_never_a_column_of_a_few_documents(counts, periods, why):
    config, choices = adapt_defaults(RunConfig(), _docs_per_year(counts))
    assert config.themes.periods == periods
    assert why in choices.set_index("setting").loc["themes.periods", "reason"]


@pytest.mark.parametrize("n_docs, seeded, grid", [(400, True, (8, 12, 16, 20)), (100, True, (8,)), (7, False, (2,)),
                                                   (50, False, (2, 5)),
                                                   # the 4 seeded themes and a free topic need K ≥ 5, however few
                                                   # the documents (K = 2 stopped the run after its ingest)
                                                   (7, True, (5,)), (40, True, (5,)), (120, True, (8, 12))])
def test_a_small_corpus_gets_a_smaller_grid_and_a_warning(caplog, n_docs, seeded, grid):
    docs = _docs([2020], ["Huyện Đại Từ, Thái Nguyên"], n_docs)
    base = RunConfig() if seeded else RunConfig(topics=replace(RunConfig().topics, seeded=False))
    with caplog.at_level(logging.WARNING, logger="toolkit.study"):
        config, choices = adapt_defaults(base, docs)
    assert config.topics.n_topics_grid == grid
    assert ("n_topics_grid" in caplog.text) == (grid != (8, 12, 16, 20))
    why = choices.set_index("setting").at["topics.n_topics_grid", "reason"]
    assert ("cannot hold the 4 seeded themes" in why) == (seeded and n_docs < 50), why


def test_settings_the_config_sets_are_kept(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[effects]\nformula = "~ C(locality) + bs(year, df=3)"\n[topics]\nn_topics_grid = [8]\n',
                    encoding="utf-8")
    config, choices = adapt_defaults(load_config(path), _docs([2021, 2022], LOCALITIES[:1], 3))
    assert config.effects.formula == "~ C(locality) + bs(year, df=3)"  # at its default value, but written
    assert config.topics.n_topics_grid == (8,)
    by = choices.set_index("setting")["chosen_by"]
    assert by["effects.formula"] == "config" and by["topics.n_topics_grid"] == "config"
    # a config built in Python: a value other than the default is the researcher's
    python = RunConfig(effects=EffectsConfig(formula="~ C(province)"))
    assert adapt_defaults(python, _docs([2021], LOCALITIES, 3))[0].effects.formula == "~ C(province)"


def test_every_registry_figure_has_a_rule_and_the_paragraph_says_why():
    from toolkit.report.registry import FIGURES

    assert [spec.name for spec in FIGURES] == list(FIGURE_NEEDS)
    _, choices = adapt_defaults(RunConfig(), _docs([2021, 2022, 2023], LOCALITIES[:1], 4))
    text = choices_paragraph(choices)
    assert "effects.formula" in text and "one locality (Huyện Đại Từ, Thái Nguyên)" in text


# --------------------------------------------------------------------------
# Errors that say what to do
# --------------------------------------------------------------------------


@pytest.mark.parametrize("formula, names", [
    ("~ C(locality) + bs(year, df=3)", ["locality", "year"]),
    ("~ C(province) * np.log(views)", ["province", "views"]),
    ("period", ["period"]),
])
def test_formula_names_are_columns_not_functions(formula, names):
    assert formula_names(formula) == names


def _study_config(tmp_path, **changes):
    return replace(study_config("t"), config_file=str(tmp_path / "config.toml"), **changes)


def test_no_documents_all_rejected_and_a_missing_column(tmp_path):
    config = _study_config(tmp_path)
    empty = pd.DataFrame(columns=["doc_id", "year", "locality"])
    none = pd.DataFrame(columns=["source", "line", "reason"])
    (problem,) = corpus_problems(config, empty, none)
    assert "no documents read" in problem.message and "pages" in problem.fix
    rejects = pd.DataFrame({"source": ["a.txt", "b.txt"], "line": [0, 0], "reason": ["empty file"] * 2})
    (problem,) = corpus_problems(config, empty, rejects)
    assert "all 2 inputs were rejected: empty file (×2)" in problem.message and "rejects.csv" in problem.fix
    bad = replace(config, effects=EffectsConfig(formula="~ C(locality) + C(huyen)"))
    (problem,) = corpus_problems(bad, _docs([2021], LOCALITIES, 2), none)
    assert "huyen" in problem.message and problem.path == config.config_file and "remove the line" in problem.fix


def test_config_problems_name_the_file_and_the_fix(tmp_path):
    (tmp_path / "themes.toml").write_text(
        '[themes.site_clearance]\nlabel_en = "Site clearance"\nterms = ["giải phóng mặt bằng"]\n'
        'exclude = [{ term = "tái định cư", near = ["xe"] }]\n', encoding="utf-8")
    (tmp_path / "sources.toml").write_text('[[source]]\nmatch = "pages"\nprovince = "Thái Nguyênn"\n',
                                           encoding="utf-8")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    config = _study_config(tmp_path, root=str(tmp_path), output_dir=str(blocker / "reports"),
                           topics=TopicsConfig(seed_themes=("site_clearance",)))
    problems = config_problems(config)
    messages = "\n".join(str(p) for p in problems)
    assert "[corpus] paths" in messages and "does not exist" in messages  # no pages folder
    assert "Thái Nguyênn" in messages                                        # the sources entry
    assert "tái định cư" in messages and "themes file" in messages           # the bad rule
    assert "not writable" in messages                                        # the output folder
    assert all(p.fix for p in problems)


def test_config_problems_check_the_model_selection_keys(tmp_path):
    (tmp_path / "pages").mkdir()
    config = _study_config(tmp_path, root=str(tmp_path), output_dir=str(tmp_path / "reports"),
                           topics=TopicsConfig(selection="whole", selection_sample=0))
    messages = "\n".join(str(p) for p in config_problems(config))
    assert "topics.selection = 'whole' is not one of sample, full" in messages
    assert "selection_sample = 0" in messages


@pytest.mark.parametrize("topics, expected", [
    (TopicsConfig(n_topics_grid=(2, 8)), "[topics] n_topics_grid: K = 2 cannot hold the 4 seeded themes"),
    (TopicsConfig(n_topics=4), "[topics] n_topics = 4: 4 seeded themes need at least 5 topics"),
    (TopicsConfig(n_topics=3, seed_themes=("covid",)), None),
    (TopicsConfig(n_topics_grid=(2, 3), seeded=False), None),
])
def test_a_k_that_cannot_hold_the_seeded_themes_stops_the_check_not_the_topics_stage(tmp_path, topics, expected):
    # `check` said "no errors" and `figures` stopped with a traceback after ingest, preprocessing and themes
    import shutil

    shutil.copy(PROJECT_ROOT / "corpora" / "lexicons" / "themes.toml", tmp_path / "themes.toml")
    config = _study_config(tmp_path, output_dir=str(tmp_path / "reports"), topics=topics)
    found = [p for p in config_problems(config) if "seeded themes" in p.message]
    if expected is None:
        assert not found
    else:
        (problem,) = found
        assert expected in problem.message and "at least 5" in problem.fix and problem.path == config.config_file


def test_a_theme_of_the_figures_that_the_themes_file_lacks_stops_the_check_not_the_last_stage(tmp_path):
    # `check` said "no errors" and `figures` died with a traceback in its figure stage, minutes later
    import shutil

    shutil.copy(PROJECT_ROOT / "corpora" / "lexicons" / "themes.toml", tmp_path / "themes.toml")
    config = _study_config(tmp_path, output_dir=str(tmp_path / "reports"),
                           figures=FiguresConfig(themes=("relgion", "covid")))
    (problem,) = [p for p in config_problems(config) if "[figures] themes" in p.message]
    assert "relgion not in the themes file" in problem.message and "did you mean 'religion'?" in problem.fix
    assert problem.path == config.config_file


def test_a_text_field_naming_no_column_is_a_check_error_in_the_configs_words(tmp_path):
    from toolkit.config import CorpusConfig

    table = tmp_path / "bai.jsonl"
    table.write_text('{"id": "1", "title": "Hội nghị", "content": "Ban Dân vận tổ chức hội nghị."}\n',
                     encoding="utf-8")
    config = _study_config(tmp_path, output_dir=str(tmp_path / "reports"),
                           corpus=CorpusConfig(simulate=False, paths=(str(table),), sources="", text_field="contnet"))
    report = check_run(config, n_jobs=1)
    (error,) = [e for e in report.errors if "contnet" in e.message]
    assert "no column 'contnet' ([corpus] text_field); its columns: id, title, content" in error.message
    assert "[corpus] text_field content" in error.fix and "--text-field" not in str(error)


def test_check_counts_the_input_files_ingest_reads_not_a_crawls_ledger(tmp_path):
    from toolkit.config import CorpusConfig

    crawl = tmp_path / "crawl"
    crawl.mkdir()
    (crawl / "trang.txt").write_text("Tin hoạt động\n\nHội nghị\nNgày đăng: 05/11/2021\n\nSáng 4/11, Hội Cựu chiến binh "
                                     "phường tổ chức gặp mặt 25 hội viên mới và phổ biến điều lệ hội.\n", encoding="utf-8")
    (crawl / "ledger.sqlite").write_bytes(b"")   # collect's bookkeeping beside the pages
    config = _study_config(tmp_path, output_dir=str(tmp_path / "reports"),
                           corpus=CorpusConfig(simulate=False, paths=(str(crawl),), sources=""))
    report = check_run(config, n_jobs=1)
    assert report.n_files == 1 and report.n_documents == 1


def test_periods_that_end_before_they_start_or_overlap_are_errors_and_an_empty_one_a_warning(tmp_path):
    from toolkit.config import CorpusConfig, ThemesConfig

    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "trang.txt").write_text("Tin hoạt động\n\nHội nghị\nNgày đăng: 05/11/2021\n\nSáng 4/11, Hội Cựu chiến binh "
                                     "phường tổ chức gặp mặt 25 hội viên mới và phổ biến điều lệ hội.\n", encoding="utf-8")
    corpus = CorpusConfig(simulate=False, paths=(str(pages),), sources="")

    def problems(periods):
        config = _study_config(tmp_path, output_dir=str(tmp_path / "reports"), corpus=corpus,
                               themes=ThemesConfig(periods=periods))
        return "\n".join(str(p) for p in config_problems(config))

    assert "[2021, 2019] ends before it starts" in problems(((2021, 2019),))
    assert "periods overlap: [2015, 2019] and [2019, 2021]" in problems(((2015, 2019), (2019, 2021)))
    assert "[themes] periods" not in problems(((2015, 2018), (2019, 2021)))
    # a period with no dated document: the check says its heatmap column will be empty
    config = _study_config(tmp_path, output_dir=str(tmp_path / "reports"), corpus=corpus,
                           themes=ThemesConfig(periods=((2015, 2018), (2019, 2021))))
    warnings = check_run(config, n_jobs=1).warnings
    assert any(w.startswith("[themes] periods: [2015, 2018] holds no dated document") for w in warnings), warnings
    assert not any("[2019, 2021]" in w for w in warnings)


def test_a_source_entry_that_matches_no_page_is_a_check_warning(tmp_path):
    from toolkit.config import CorpusConfig

    pages = tmp_path / "pages" / "daitu"
    pages.mkdir(parents=True)
    (pages / "trang.txt").write_text("Tin hoạt động\n\nHội nghị\nNgày đăng: 05/11/2021\n\nSáng 4/11, Hội Cựu chiến binh "
                                     "xã tổ chức gặp mặt 25 hội viên mới và phổ biến điều lệ hội.\n", encoding="utf-8")
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nmatch = "pages/daitu"\nprovince = "Thái Nguyên"\ndistrict = "Huyện Đại Từ"\n'
        '[[source]]\nmatch = "pages/dai-tu"\nprovince = "Thái Nguyên"\ndistrict = "Huyện Đại Từ"\n', encoding="utf-8")
    config = _study_config(tmp_path, output_dir=str(tmp_path / "reports"),
                           corpus=CorpusConfig(simulate=False, paths=(str(tmp_path / "pages"),),
                                               sources=str(tmp_path / "sources.toml")))
    warnings = [w for w in check_run(config, n_jobs=1).warnings if "[[source]]" in w]
    assert len(warnings) == 1 and "match = 'pages/dai-tu'" in warnings[0] and "matched none of the 1 documents" in warnings[0]


def test_a_province_only_source_completed_by_the_texts_district_counts_as_matched(tmp_path):
    # ingest keeps the district the text names inside a province-only rule's province; the check took the
    # completed evidence for another rule's and warned that the rule matched nothing
    from toolkit.config import CorpusConfig

    pages = tmp_path / "pages" / "thainguyen"
    pages.mkdir(parents=True)
    (pages / "trang.txt").write_text("Tin hoạt động\n\nHội nghị\nNgày đăng: 05/11/2021\n\nSáng 4/11, Ban Dân vận Huyện "
                                     "ủy Đại Từ phối hợp với xã Quân Chu, huyện Đại Từ tổ chức hội nghị đối thoại "
                                     "với nhân dân.\n", encoding="utf-8")
    (tmp_path / "sources.toml").write_text('[[source]]\nmatch = "pages/thainguyen"\nprovince = "Thái Nguyên"\n',
                                           encoding="utf-8")
    config = _study_config(tmp_path, output_dir=str(tmp_path / "reports"),
                           corpus=CorpusConfig(simulate=False, paths=(str(tmp_path / "pages"),),
                                               sources=str(tmp_path / "sources.toml")))
    report = check_run(config, n_jobs=1)
    assert not [w for w in report.warnings if "[[source]]" in w], report.warnings
    assert report.localities["how"].tolist() == ["sources file (province), place names in the text (district)"]


def test_a_write_into_an_unwritable_place_says_so(tmp_path):
    from toolkit.corpus import write_text_atomic

    (tmp_path / "a-file").write_text("")
    with pytest.raises(UserError, match="cannot write") as info:
        write_text_atomic(tmp_path / "a-file" / "index.html", "x")
    assert "output folder" in info.value.fix


# --------------------------------------------------------------------------
# The command line: init, check, figures
# --------------------------------------------------------------------------


def _cli(*args, cwd=PROJECT_ROOT):
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run([sys.executable, "-m", "toolkit", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def test_init_writes_a_study_and_refuses_to_overwrite_it(tmp_path):
    study = tmp_path / "longbien"
    written = init_study(study)
    assert sorted(p.name for p in written) == [".gitignore", "README.md", "config.toml", "sources.toml",
                                                "themes.toml"]
    assert (study / "pages").is_dir()
    config = load_config(study / "config.toml")
    assert config.resolve(config.corpus.paths[0]) == (study / "pages").resolve()
    assert config.name == "longbien" and config.random_state == 0 and not config.corpus.simulate
    assert tomllib.loads((study / "sources.toml").read_text(encoding="utf-8")) == {}  # examples are comments
    assert f"make figures CONFIG={study.as_posix()}/config.toml" in (study / "README.md").read_text(encoding="utf-8")
    with pytest.raises(UserError, match="already a study folder"):
        init_study(study)
    init_study(study, force=True)


@pytest.mark.slow
def test_errors_print_without_a_traceback_unless_verbose(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[effects]\nfromula = '~ C(year)'\n", encoding="utf-8")
    quiet = _cli("check", "--config", config)
    assert quiet.returncode == 1
    assert "did you mean 'formula'?" in quiet.stderr and "Traceback" not in quiet.stderr
    figures = _cli("figures", "--config", config)  # make figures stops before any work
    assert figures.returncode == 1 and "did you mean 'formula'?" in figures.stderr
    assert "stage ingest" not in figures.stderr
    loud = _cli("--verbose", "check", "--config", config)
    assert loud.returncode == 1 and "Traceback" in loud.stderr and "UserError" in loud.stderr


@pytest.mark.slow
def test_a_tiny_study_from_init_to_report(tmp_path, monkeypatch):
    """A handful of pages of one district: check says what it will do; figures gives a report, not a crash."""
    from typer.testing import CliRunner

    from toolkit.cli import app

    monkeypatch.setattr("toolkit.pipeline.CACHE_DIR", tmp_path / "cache")
    study = tmp_path / "daitu"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(study)]).exit_code == 0
    write_pages(study / "pages")
    _fast(study / "config.toml")

    report = check_run(load_config(study / "config.toml"), n_jobs=1)
    assert report.ok, report.errors
    assert report.n_documents == len(PAGES)
    assert set(report.encodings["encoding"]) == {"utf-8", "tcvn3"}
    assert report.rejects["reason"].tolist() == ["empty file"]
    assert "(undated)" in set(report.dates["date_source"])
    assert not any("dated from their text" in w for w in report.warnings)  # date lines, or no date at all
    assert report.by_locality_year["sparse"].all()
    assert set(report.by_locality_year["locality"]) == {"Huyện Đại Từ, Thái Nguyên"}
    choices = report.choices.set_index("setting")
    assert choices.loc["keyness.group", "value"] == "year"
    assert choices.loc["topics.n_topics_grid", "chosen_by"] == "corpus"
    # a page without a date line, dated from its text: the check says how far such dates can be trusted
    extra = tmp_path / "extra"
    write_pages(extra)
    (extra / "hoi-nghi.txt").write_text("Hội nghị giao ban khối dân vận\n\nSáng 8/1/2023, Ban Dân vận Huyện ủy Đại Từ "
                                        "tổ chức hội nghị giao ban khối dân vận quý I.\n", encoding="utf-8")
    config = load_config(study / "config.toml")
    warned = check_run(replace(config, corpus=replace(config.corpus, paths=(str(extra),))), n_jobs=1).warnings
    assert any(w.startswith("1 of 7 documents are dated from their text") and "0.57" in w for w in warned), warned
    printed = runner.invoke(app, ["check", "--config", str(study / "config.toml"), "--jobs", "1",
                                  "-o", str(tmp_path / "check")])
    assert printed.exit_code == 0, printed.output
    assert "sparse" in printed.output and "left out  planted_vs_recovered" in printed.output
    assert (tmp_path / "check" / "rejects.csv").exists()

    result = runner.invoke(app, ["figures", "--config", str(study / "config.toml")])
    assert result.exit_code == 0, result.output
    out = study / "reports"
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "chosen to fit the corpus" in html and "one locality" in html
    chosen = pd.read_csv(out / "tables" / "run_choices.csv")
    assert set(ADAPTIVE_SETTINGS) - {"figures.include"} <= set(chosen["setting"])
    assert (out / "figures" / "topic_top_terms.png").exists()
    assert not (out / "figures" / "planted_vs_recovered.png").exists()
    made = set(report.figures.loc[report.figures["made"], "figure"])
    assert {p.stem for p in (out / "figures").glob("*.png")} == made


def test_the_sources_examples_are_valid_rules_once_uncommented(tmp_path):
    import re

    from toolkit.places import SourceMap

    init_study(tmp_path / "s")
    text = (tmp_path / "s" / "sources.toml").read_text(encoding="utf-8")
    rules = re.sub(r"^# (\[\[source\]\]|match|province|district)", r"\1", text, flags=re.M)
    sources = SourceMap.from_records(tomllib.loads(rules)["source"])
    assert [e.match for e in sources.entries] == ["pages/longbien", "pages/bentre-*/**", "*.bacninh.gov.vn"]
    assert sources.lookup(f"{tmp_path}/s/pages/longbien/2021/bai-1.txt").district == "Quận Long Biên"
    assert sources.lookup(f"{tmp_path}/s/pages/bentre-2020/a/b.txt").district == "Huyện Châu Thành"
    assert sources.lookup("x.html", "https://www.sonoivu.bacninh.gov.vn/tin/1").province == "Bắc Ninh"


def test_a_figure_list_the_corpus_supports_none_of_is_a_check_error_not_a_run_of_every_figure():
    from toolkit.study.check import corpus_problems

    docs = _docs_per_year({2020: 100})
    docs = docs.assign(title="t", body="b", duplicate_of="")
    none_rejected = pd.DataFrame(columns=["source", "reason"])
    listed = RunConfig(figures=FiguresConfig(include=("topic_prevalence", "theme_trends")))
    problems = corpus_problems(listed, docs, none_rejected)
    assert len(problems) == 1
    assert "supports none of the listed figures" in str(problems[0])
    assert "topic_prevalence: dated documents in 1 year(s)" in str(problems[0])
    # one supported figure in the list: the run makes it
    assert corpus_problems(RunConfig(figures=FiguresConfig(include=("theme_trends", "topic_top_terms"))),
                           docs, none_rejected) == []
    # an unknown name is config_problems' to report; here it is only named
    assert "bogus: no such figure" in str(corpus_problems(RunConfig(figures=FiguresConfig(include=("bogus",))),
                                                          docs, none_rejected)[0])


def test_a_one_year_period_reads_as_its_year():
    from toolkit.pipeline import _period_label

    config, choices = adapt_defaults(RunConfig(), _docs_per_year({2019: 2, 2020: 200, 2021: 2449}))
    assert choices.set_index("setting").loc["themes.periods", "value"] == "2019–2020, 2021"
    assert [_period_label(y, config.themes.periods) for y in (2019, 2020, 2021, 2022)] == \
        ["2019–2020", "2019–2020", "2021", ""]


def test_without_an_effects_formula_no_refits_are_fitted_or_announced():
    from toolkit.study.check import run_cost

    effects = run_cost(RunConfig(effects=EffectsConfig(formula="")), 500, estimated=False).set_index("stage")
    assert effects.loc["effects", "n_fits"] == 0 and effects.loc["effects", "note"] == "left out (no formula): no refits"
    effects = run_cost(RunConfig(random_state=0, effects=EffectsConfig(formula="~ C(locality)")), 500,
                       estimated=False).set_index("stage")
    assert effects.loc["effects", "n_fits"] == 2 and "refits at seeds [0, 1, 2]" in effects.loc["effects", "note"]


# --------------------------------------------------------------------------
# What check and run_choices describe: the documents and stages the run has
# --------------------------------------------------------------------------


def _pages_with_reposts(tmp_path):
    """The authored pages, and three of them posted again by another site without their date line."""
    import re

    write_pages(tmp_path / "pages" / "huyen")
    again = tmp_path / "pages" / "dang-lai"
    again.mkdir(parents=True)
    for name in ("tong-ket-2022.txt", "gpmb-hung-son.txt", "giam-sat-qcdc.txt"):
        (again / name).write_text(re.sub(r"Ngày đăng: [^\n]*\n", "", PAGES[name]), encoding="utf-8")
    return tmp_path / "pages"


@pytest.mark.parametrize("include_duplicates", [False, True])
def test_the_checks_coverage_tables_count_the_documents_the_run_analyses(tmp_path, include_duplicates):
    # a researcher's check: the locality x year table summed to 304 (reposts included) beside 190 analysed
    # documents, and counted 38 "undated" reposts of a locality whose analysed documents were all dated
    from toolkit.config import CorpusConfig

    pages = _pages_with_reposts(tmp_path)
    config = _study_config(tmp_path, output_dir=str(tmp_path / "reports"),
                           corpus=CorpusConfig(simulate=False, paths=(str(pages),), sources="",
                                               include_duplicates=include_duplicates))
    report = check_run(config, n_jobs=1)
    assert report.n_documents == len(PAGES) + 3 and len(report.reposts) == 3
    analysed = len(PAGES) + (3 if include_duplicates else 0)
    for name in ("by_locality_year", "encodings", "dates", "localities"):
        assert report.tables()[name]["n_docs"].sum() == analysed, name
    assert report.n_analysed == analysed
    assert report.dates.set_index("date_source").at["(undated)", "n_docs"] == 1  # ton-giao.txt, no repost
    # the copies without a date line are dated from their text: the warning counts among the analysed documents
    (from_text,) = [w for w in report.warnings if "dated from their text" in w]
    assert from_text.startswith(f"3 of {analysed} documents"), from_text
    (note,) = report.notes  # what the tables count is no problem: printed as a note, not a warning
    assert not [w for w in report.warnings if "repost" in w]
    assert f"count the {analysed} documents the run analyses" in note
    from toolkit.cli.study import format_report

    assert f"\nnote: {note}" in format_report(report) and f"warning: {note}" not in format_report(report)
    if include_duplicates:
        assert "the 3 reposts included ([corpus] include_duplicates = true)" in note
    else:
        assert "3 reposts left out" in note and "include_duplicates = true" in note


@pytest.mark.parametrize("counts", [
    # a researcher's corpus: 2005-2007 and 2017-2022, nothing between (2011-2016 was an empty column)
    {2005: 20, 2006: 15, 2007: 10, 2017: 40, 2020: 10, 2021: 80, 2022: 13},
    {2001: 50, 2024: 50},                                  # two years far apart
    {2010: 5, 2011: 200, 2019: 300, 2020: 3},              # gaps and sparse ends
    {2003: 100, 2004: 100, 2005: 100, 2006: 100, 2013: 100, 2014: 100, 2022: 100},
    {2016: 400, 2017: 300, 2021: 200},                     # the default periods would leave 2023-2024 empty
])
def test_chosen_periods_are_never_empty_and_follow_the_years_with_documents(counts):
    config, choices = adapt_defaults(RunConfig(), _docs_per_year(counts))
    periods = config.themes.periods
    cut = not choices.set_index("setting").at["themes.periods", "reason"].startswith("the default periods")
    total = sum(counts.values())
    for first, last in periods:
        held = sum(n for year, n in counts.items() if first <= year <= last)
        assert held >= 0.05 * total, (periods, (first, last))
        if cut:  # periods cut from the span begin and end at years with documents
            assert first in counts and last in counts, (periods, (first, last))
    assert all(any(a <= year <= b for a, b in periods) for year in counts)   # every dated year in a period
    assert all(b[0] > a[1] for a, b in zip(periods, periods[1:]))            # in order, disjoint


def test_a_check_of_chosen_periods_warns_of_no_empty_column(tmp_path):
    # the check warned "[2015, 2019] holds no dated document" of periods the run itself had chosen
    from toolkit.config import CorpusConfig

    pages = tmp_path / "pages"
    write_pages(pages)
    config = _study_config(tmp_path, output_dir=str(tmp_path / "reports"),
                           corpus=CorpusConfig(simulate=False, paths=(str(pages),), sources=""))
    report = check_run(config, n_jobs=1)
    assert not [w for w in report.warnings if w.startswith("[themes] periods")], report.warnings
    assert report.config.themes.periods == ((2020, 2022), (2023, 2024))


def test_a_run_of_no_topic_figure_chooses_no_k_and_no_formula(tmp_path, caplog):
    # run_choices listed "effects.formula = ~ bs(year, df=3) [corpus]" and a K grid for a run that fits no model
    theme_figures = FiguresConfig(include=("theme_trends", "theme_share_by_locality", "keyness"))
    docs = _docs(range(2015, 2024), LOCALITIES, 1)  # 27 documents: few for the default K grid (a warning)
    with caplog.at_level(logging.WARNING, logger="toolkit.study"):
        config, choices = adapt_defaults(RunConfig(figures=theme_figures), docs)
    rows = choices.set_index("setting")
    for setting in ("topics.n_topics_grid", "effects.formula"):
        assert rows.at[setting, "value"] == "(none)" and rows.at[setting, "chosen_by"] == "config", setting
        assert "no topic model is fitted" in rows.at[setting, "reason"], setting
    assert "n_topics_grid" not in caplog.text  # no warning about a grid the run does not fit
    assert config.figures.include == ("theme_share_by_locality", "theme_trends", "keyness")
    # the check's choices say what the run's run_choices says: topics not fitted, once
    pages = tmp_path / "pages"
    write_pages(pages)
    from toolkit.config import CorpusConfig

    study = _study_config(tmp_path, output_dir=str(tmp_path / "reports"), figures=theme_figures,
                          corpus=CorpusConfig(simulate=False, paths=(str(pages),), sources=""))
    checked = check_run(study, n_jobs=1).choices
    assert checked.loc[checked["setting"] == "topics", "value"].tolist() == ["not fitted"]
    assert checked.set_index("setting").at["effects.formula", "value"] == "(none)"
    # a topic figure in the list brings both choices back
    _, choices = adapt_defaults(RunConfig(figures=FiguresConfig(include=("topic_prevalence",))), docs)
    assert choices.set_index("setting").at["effects.formula", "value"] != "(none)"


def test_the_cost_table_includes_the_quality_stage_when_it_will_run(tmp_path, monkeypatch):
    # the devset "quality" stage took 134 s of a 157 s run and the check's cost table did not name it
    import json

    from toolkit.study.check import quality_stage, run_cost

    shared = tmp_path / "shared"
    dantri = shared / "corpora" / "unc-dantri"
    dantri.mkdir(parents=True)
    lines = [json.dumps({"doc_id": str(i), "title": "Hội nghị", "text": "Hội nghị\nNội dung.", "date": "20210105"},
                        ensure_ascii=False) for i in range(4)]
    (dantri / "unc_dantri.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr("toolkit.config.SHARED_DIR", shared)
    devset = pd.read_csv(PROJECT_ROOT / "corpora" / "validation" / "devset.csv", usecols=["split"])
    holdout = int((devset["split"] == "holdout").sum())

    stage = quality_stage(RunConfig())
    assert stage["stage"] == "quality" and stage["n_documents"] == holdout + 4
    assert f"{holdout:,} labelled held-out articles" in stage["note"] and "4 dantri articles" in stage["note"]
    assert "devset_quality = false" in stage["note"]
    cost = run_cost(RunConfig(), 500, estimated=False, quality=stage).set_index("stage")
    assert cost.at["quality", "n_documents"] == holdout + 4
    # turned off, or without ../shared: no quality stage, none in the table
    assert quality_stage(RunConfig(themes=replace(RunConfig().themes, devset_quality=False))) is None
    monkeypatch.setattr("toolkit.config.SHARED_DIR", tmp_path / "nowhere")
    assert quality_stage(RunConfig()) is None
    assert "quality" not in set(run_cost(RunConfig(), 500, estimated=False, quality=None)["stage"])
    # a coded sheet is scored in the stage (fast: no segmentation)
    sheet = tmp_path / "coded.csv"
    sheet.write_text("doc_id,religion__coder\na,1\nb,0\n", encoding="utf-8")
    coded = quality_stage(RunConfig(themes=replace(RunConfig().themes, validation_sheet=str(sheet))))
    assert coded["n_documents"] == 2 and "coded.csv" in coded["note"]
    # check_run puts it in the table
    monkeypatch.setattr("toolkit.config.SHARED_DIR", shared)
    pages = tmp_path / "pages"
    write_pages(pages)
    from toolkit.config import CorpusConfig

    study = _study_config(tmp_path, output_dir=str(tmp_path / "reports"),
                          corpus=CorpusConfig(simulate=False, paths=(str(pages),), sources=""))
    assert "quality" in set(check_run(study, n_jobs=1).cost["stage"])


def test_the_checks_localities_table_tells_the_sites_name_from_the_text():
    # 4 of 52 pages of a crawl took their district from the site's header or footer (`site:` evidence); the check
    # counted them as "place names in the text"
    import pandas as pd

    from toolkit.study.check import locality_coverage

    docs = pd.DataFrame({
        "locality_evidence": ["site: district: Huyện ủy Đại Từ", "site: province's body: Tỉnh ủy Đồng Nai",
                              "site (province): districts: TP. Biên Hòa; text (district): district: huyện Châu Thành",
                              "district: huyện Củ Chi ×2", "sources: match 'pages/daitu'", ""],
        "locality": ["Huyện Đại Từ, Thái Nguyên", "Đồng Nai", "Huyện Châu Thành, Bến Tre", "Huyện Củ Chi, Hồ Chí Minh",
                     "Huyện Đại Từ, Thái Nguyên", ""],
        "district": ["Huyện Đại Từ", "", "Huyện Châu Thành", "Huyện Củ Chi", "Huyện Đại Từ", ""]})
    how = dict(zip(*locality_coverage(docs)[["how", "n_docs"]].T.to_numpy()))
    assert how == {"the site's name (district)": 1, "the site's name (province only)": 1,
                   "the site's name (province), place names in the text (district)": 1,
                   "place names in the text (district)": 1, "sources file (district)": 1, "unknown": 1}


def test_check_scores_the_coded_sheet_as_the_run_will(tmp_path):
    # `check` said "no errors: make figures can run" for a sheet the quality stage then rejected, after ingest,
    # preprocess and themes had run and the previous report had been removed
    sheet = tmp_path / "coded.csv"
    sheet.write_text("doc_id,stratum,weight,religion__dictionary,religion__coder1\n"
                     "a,hit:religion,1,1,1\nb,hit:religion,1,1,yes\nc,miss,10,0,0\n", encoding="utf-8")
    config = _study_config(tmp_path, themes=replace(study_config("t").themes, validation_sheet=str(sheet)))
    problems = [p for p in config_problems(config) if "validation_sheet" in p.message]
    assert len(problems) == 1 and "'yes' is not 0, 1 or empty" in problems[0].message
    assert str(problems[0].path) == str(sheet) and "mend the sheet" in problems[0].fix
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(",yes\n", ",0\n"), encoding="utf-8")
    assert not [p for p in config_problems(config) if "validation_sheet" in p.message]
