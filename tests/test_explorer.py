"""Tests of the offline explorer (toolkit.report.explorer), toolkit.themes.theme_kwic and the report page's Markdown.

What a browser does with the page is tested in tests/test_browser.py; here the
embedded data and the HTML are checked on tiny inline Vietnamese tables.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from toolkit.report.explorer import explorer_html
from toolkit.report.page import ReportItem, inline_markdown, render_report

XSS = "</script><script>alert(1)</script><img src=x onerror=alert(2)> <!-- &amp;"

DOCS = pd.DataFrame({
    "doc_id": ["d1", "d2", "d3", "d4", "d5"],
    "title": ["Gặp mặt chức sắc tôn giáo dịp Giáng sinh", XSS, "Đối thoại về giải phóng mặt bằng",
              "Hội nghị dân vận khéo", "Bồi thường, hỗ trợ tái định cư"],
    "date": ["2019-12-20", "2019-03-02", "2020-05-11", "2020-07-01", "2019-09-09"],
    "year": [2019, 2019, 2020, 2020, 2019],
    "province": ["Nam Định", "Nam Định", "Nam Định", "Bến Tre", "Bến Tre"],
    "district": ["Huyện Giao Thủy"] * 3 + ["Huyện Châu Thành"] * 2,
    "source": ["https://giaothuy.namdinh.gov.vn/a", "p2.html", "p3.html", "p4.html", "p5.html"],
    "body": ["Ban Dân vận Huyện ủy gặp mặt chức sắc tôn giáo, đồng bào Công giáo.\nTôn giáo đồng hành cùng dân tộc.",
             "Công tác tôn giáo " + XSS, "Người dân đồng thuận giải phóng mặt bằng dự án đường.",
             "Mô hình dân vận khéo ở xã.", "Chi trả bồi thường, hỗ trợ tái định cư cho 12 hộ."],
})
HITS = pd.DataFrame({
    "doc_id": ["d1", "d1", "d2", "d2", "d3", "d3", "d4", "d4", "d5", "d5"],
    "theme": ["religion", "site_clearance"] * 5,
    "hits": [3, 0, 1, 0, 0, 2, 0, 0, 0, 1],
})
KWIC = pd.DataFrame({
    "theme": ["religion", "religion", "religion", "site_clearance", "site_clearance"],
    "term": ["tôn giáo", "tôn giáo", "tôn giáo", "giải phóng mặt bằng", "bồi thường, hỗ trợ, tái định cư"],
    "doc_id": ["d1", "d1", "d2", "d3", "d5"],
    "left": ["gặp mặt chức sắc", "cùng dân tộc.", "Công tác", "đồng thuận", "Chi trả"],
    "keyword": ["tôn giáo", "Tôn giáo", "tôn giáo", "giải phóng mặt bằng", "bồi thường, hỗ trợ tái định cư"],
    "right": [", đồng bào", "đồng hành", XSS, "dự án", "cho 12"],
})


def _shares() -> pd.DataFrame:
    """Theme shares per locality × year, computed by hand from DOCS and HITS (every cell, empty ones too)."""
    rows = []
    docs = DOCS.assign(locality=DOCS["district"] + ", " + DOCS["province"])
    for theme in ("religion", "site_clearance"):
        for (locality, year), g in docs.groupby(["locality", "year"]):
            k = int(HITS[(HITS["theme"] == theme) & HITS["doc_id"].isin(g["doc_id"]) & (HITS["hits"] > 0)].shape[0])
            n = len(g)
            rows.append({"province": g["province"].iat[0], "district": g["district"].iat[0], "locality": locality,
                         "year": year, "theme": theme, "n_docs": n, "docs_with_theme": k, "share": k / n,
                         "ci_low": 0.0, "ci_high": 1.0, "small_cell": n < 5})
    rows.append({"province": "Bến Tre", "district": "Huyện Châu Thành", "locality": "Huyện Châu Thành, Bến Tre",
                 "year": 2021, "theme": "religion", "n_docs": 0, "docs_with_theme": 0, "share": np.nan,
                 "ci_low": np.nan, "ci_high": np.nan, "small_cell": True})
    return pd.DataFrame(rows)


def _page(**kwargs) -> str:
    args = dict(theme_shares=_shares(), theme_hits=HITS, theme_kwic=KWIC,
                theme_labels={"religion": "Tôn giáo", "site_clearance": "Giải phóng mặt bằng"})
    args.update(kwargs)
    return explorer_html(DOCS, **args)


def _payload(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def _view(data: dict, key: str) -> dict:
    return next(v for v in data["views"] if v["key"] == key)


def test_theme_cells_list_their_documents_with_the_theme_most_hits_first():
    data = _payload(_page())
    assert [v["key"] for v in data["views"]] == ["theme:religion", "theme:site_clearance"]
    assert data["localities"] == ["Huyện Châu Thành, Bến Tre", "Huyện Giao Thủy, Nam Định"]
    assert data["years"] == [2019, 2020, 2021]
    docs = DOCS.assign(locality=DOCS["district"] + ", " + DOCS["province"]).set_index("doc_id")
    for theme in ("religion", "site_clearance"):
        view = _view(data, f"theme:{theme}")
        listed = set()
        for key, cell in view["lists"].items():
            li, yi = map(int, key.split(":"))
            hits = [h for _, h in cell["docs"]]
            assert hits == sorted(hits, reverse=True) and all(h > 0 for h in hits)
            for doc_id, _ in cell["docs"]:
                assert docs.loc[doc_id, "locality"] == data["localities"][li]
                assert docs.loc[doc_id, "year"] == data["years"][yi]
                listed.add(doc_id)
        expected = set(HITS[(HITS["theme"] == theme) & (HITS["hits"] > 0)]["doc_id"])
        assert listed == expected
    religion = _view(data, "theme:religion")
    assert religion["lists"]["1:0"]["docs"] == [["d1", 3], ["d2", 1]]
    # the empty cell is kept (n_docs = 0, no share) and lists nothing
    empty = [c for c in religion["cells"] if c[:2] == [0, 2]]
    assert empty == [[0, 2, None, None, None, 0, 0, 1]]


def test_documents_carry_their_metadata_kwic_lines_and_text():
    data = _payload(_page())
    d1 = data["documents"]["d1"]
    assert (d1["title"], d1["date"], d1["year"], d1["locality"]) == (
        "Gặp mặt chức sắc tôn giáo dịp Giáng sinh", "2019-12-20", 2019, "Huyện Giao Thủy, Nam Định")
    assert d1["source"] == "https://giaothuy.namdinh.gov.vn/a" and d1["text"] == DOCS["body"].iat[0]
    assert data["kwic"]["religion"]["d1"] == [["gặp mặt chức sắc", "tôn giáo", ", đồng bào", "tôn giáo"],
                                              ["cùng dân tộc.", "Tôn giáo", "đồng hành", "tôn giáo"]]
    assert "d4" not in data["documents"]  # in no cell's list


def test_a_document_without_a_title_is_listed_by_its_opening_words():
    # a template without a headline: the list showed the hash id ("7143bba0fdea7d3f")
    untitled = DOCS.assign(title=DOCS["title"].where(DOCS["doc_id"] != "d3", ""),
                           body=DOCS["body"].where(DOCS["doc_id"] != "d3", "Người dân đồng thuận " * 10))
    d3 = _payload(explorer_html(untitled, theme_shares=_shares(), theme_hits=HITS, theme_kwic=KWIC))["documents"]["d3"]
    assert d3["title"].startswith("Người dân đồng thuận Người dân") and d3["title"].endswith("…")
    assert len(d3["title"]) <= 91 and not d3["title"][:-1].endswith(" ")


def test_untrusted_text_is_escaped_and_nothing_is_fetched():
    page = _page(title="Khám phá <b>dân vận</b>")
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert "<script>alert" not in page and "<img src=x" not in page and "<!-- &amp;" not in page
    assert "<title>Khám phá &lt;b&gt;dân vận&lt;/b&gt;</title>" in page
    # no attribute loads or links anything (the URL of a source is data, not a link)
    payload = re.search(r'id="explorer-data">(.*?)</script>', page, re.S).group(1)
    assert not re.search(r"\b(src|href)\s*=", page.replace(payload, ""))
    assert "default-src 'none'" in page
    assert not set(payload) & set("<>&")
    assert _payload(page)["documents"]["d2"]["title"] == XSS  # shown as text by the page


def test_same_bytes_for_same_tables_in_any_row_order():
    page = _page()
    assert page == _page()
    shuffled = explorer_html(DOCS.sample(frac=1, random_state=1), theme_shares=_shares().sample(frac=1, random_state=2),
                             theme_hits=HITS.sample(frac=1, random_state=3), theme_kwic=KWIC,
                             theme_labels={"religion": "Tôn giáo", "site_clearance": "Giải phóng mặt bằng"})
    assert shuffled == page


@pytest.mark.parametrize("caps, check", [
    ({"max_docs_per_cell": 1}, lambda d: all(len(c["docs"]) <= 1 for v in d["views"] for c in v["lists"].values())
     and _view(d, "theme:religion")["lists"]["1:0"] == {"docs": [["d1", 3]], "total": 2}),
    ({"max_chars": 12}, lambda d: d["documents"]["d1"]["text"] == DOCS["body"].iat[0][:12]
     and d["documents"]["d1"]["chars"] == len(DOCS["body"].iat[0]) and any("12 characters" in n for n in d["notes"])),
    ({"max_documents": 2}, lambda d: len(d["documents"]) == 2 and any("2 of the 4 documents" in n for n in d["notes"])),
    ({"max_kwic_per_doc": 1}, lambda d: len(d["kwic"]["religion"]["d1"]) == 1),
])
def test_caps_bound_the_file_and_are_stated(caps, check):
    data = _payload(_page(**caps))
    assert check(data), data["notes"]


def test_the_note_on_documents_left_out_names_the_cap_that_left_them_out():
    # "1469 of the 2651 documents in cells are embedded (max_documents = 3000)": 3000 was never reached,
    # the documents past the first 25 of their cells were left out by max_docs_per_cell
    per_cell = [n for n in _payload(_page(max_docs_per_cell=1))["notes"] if "embedded" in n]
    assert per_cell == ["3 of the 4 documents in cells are embedded: 1 is past the first document of every cell "
                        "that lists it (max_docs_per_cell = 1); every cell keeps its first documents."]
    budget = [n for n in _payload(_page(max_documents=2))["notes"] if "embedded" in n]
    assert budget == ["2 of the 4 documents in cells are embedded: 2 are left out to keep the file small "
                      "(max_documents = 2); every cell keeps its first documents."]
    both = [n for n in _payload(_page(max_docs_per_cell=1, max_documents=2))["notes"] if "embedded" in n]
    assert both == ["2 of the 4 documents in cells are embedded: 1 is past the first document of every cell that "
                    "lists it (max_docs_per_cell = 1), and 1 is left out to keep the file small (max_documents = 2); "
                    "every cell keeps its first documents."]
    assert not [n for n in _payload(_page())["notes"] if "embedded" in n]  # nothing left out, nothing said


def test_topic_cells_of_few_documents_are_small_as_theme_cells_are():
    # Đắk Nông 2021, one document: 0.40 [0.31–0.48] looked as firm as a cell of 500
    doc_topics = pd.DataFrame({"doc_id": DOCS["doc_id"], "topic_0": [0.4, 0.5, 0.6, 0.7, 0.2],
                               "topic_1": [0.6, 0.5, 0.4, 0.3, 0.8]})
    prevalence = pd.DataFrame({
        "locality": ["Huyện Giao Thủy, Nam Định", "Huyện Châu Thành, Bến Tre", "Huyện Châu Thành, Bến Tre"],
        "year": [2019, 2019, 2020], "topic": [0, 0, 0], "label": ["topic_00"] * 3, "n_docs": [500, 1, 0],
        "prevalence": [0.3, 0.4, np.nan], "ci_low": [0.28, 0.31, np.nan], "ci_high": [0.32, 0.48, np.nan]})
    data = _payload(explorer_html(DOCS, doc_topics=doc_topics, topic_prevalence=prevalence))
    cells = {(c[0], c[1]): c for c in _view(data, "topic:0")["cells"]}
    assert cells[(1, 0)][5:] == [500, None, 0] and cells[(0, 0)][5:] == [1, None, 1]
    assert data["min_docs"] == 5
    # the threshold is the page's: themes without a small_cell column follow it too
    data = _payload(explorer_html(DOCS, doc_topics=doc_topics, topic_prevalence=prevalence, min_docs=1,
                                  theme_shares=_shares().drop(columns="small_cell"), theme_hits=HITS))
    assert {c[7] for c in _view(data, "topic:0")["cells"] if c[5]} == {0}
    assert [c[7] for c in _view(data, "theme:religion")["cells"]] == [0, 0, 1, 0, 0]  # only the empty cell
    # a theme table's own flag wins (its min_docs is the run's [themes] min_docs)
    data = _payload(explorer_html(DOCS, theme_shares=_shares(), theme_hits=HITS, min_docs=1))
    assert [c[7] for c in _view(data, "theme:religion")["cells"]] == [1, 1, 1, 1, 1]
    # how the page draws them: tests/test_browser.py


def test_budget_keeps_the_first_document_of_every_cell():
    data = _payload(_page(max_documents=3))
    for view in data["views"]:
        for cell in view["lists"].values():
            assert cell["docs"], view["key"]  # every non-empty cell keeps its top document


def test_topic_views_list_documents_by_proportion():
    # d1 is 0.04 of topic 1: in topic 1's Giao Thủy 2019 cell, but not one of its documents (under 10%)
    theta = np.array([[0.96, 0.04], [0.2, 0.8], [0.6, 0.4], [0.5, 0.5], [0.1, 0.9]])
    doc_topics = pd.DataFrame(theta, columns=["topic_0", "topic_1"]).assign(doc_id=DOCS["doc_id"])
    prevalence = pd.DataFrame({
        "province": ["Nam Định", "Nam Định"], "district": ["Huyện Giao Thủy"] * 2,
        "locality": ["Huyện Giao Thủy, Nam Định"] * 2, "year": [2019, 2019], "topic": [0, 1],
        "label": ["tôn giáo", "bồi thường"], "n_docs": [2, 2], "prevalence": [0.45, 0.55],
        "ci_low": [0.2, 0.3], "ci_high": [0.7, 0.8]})
    terms = pd.DataFrame({"topic": [0, 0, 1], "label": ["tôn giáo", "tôn giáo", "bồi thường"], "rank": [2, 1, 1],
                          "term": ["giáo_xứ", "tôn_giáo", "bồi_thường"], "weight": [0.1, 0.2, 0.3]})
    data = _payload(explorer_html(DOCS, doc_topics=doc_topics, topic_prevalence=prevalence, topic_terms=terms,
                                  n_top_docs=2))
    assert [v["key"] for v in data["views"]] == ["topic:0", "topic:1"]
    t1 = _view(data, "topic:1")
    assert t1["cells"] == [[0, 0, 0.55, 0.3, 0.8, 2, None, 1]]  # laid out as a theme's cell; 2 documents: small
    assert t1["lists"]["0:0"] == {"docs": [["d2", 0.8]], "total": 1}  # Giao Thủy 2019: d1 (0.04) left out
    assert _view(data, "topic:0")["lists"]["0:0"]["docs"] == [["d1", 0.96], ["d2", 0.2]]
    assert any("at least 10% of" in note for note in data["notes"])
    assert data["topics"]["topics"][0]["top"] == ["tôn_giáo", "giáo_xứ"]
    assert [d for d, _ in data["topics"]["topics"][1]["docs"]] == ["d5", "d2"]
    assert data["documents"]["d2"]["topics"] == [[1, 0.8], [0, 0.2]]


def test_invalid_arguments_fail_loudly():
    with pytest.raises(ValueError, match="lambda_"):
        explorer_html(DOCS, lambda_=1.5)
    with pytest.raises(ValueError, match="max_chars"):
        explorer_html(DOCS, max_chars=-1)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_explorer_javascript_parses():
    script = _page().rsplit("<script>", 1)[1].split("</script>", 1)[0]
    result = subprocess.run(["node", "--check", "-"], input=script, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------------------
# theme_kwic
# ---------------------------------------------------------------------------


def test_theme_kwic_gives_the_lines_of_the_terms_that_counted():
    from toolkit.text.preprocess import preprocess
    from toolkit.themes import theme_hits, theme_kwic, themes_from_mapping

    themes = themes_from_mapping({"themes": {
        "religion": {"label_en": "Religion", "label_vi": "Tôn giáo", "terms": ["tôn giáo", "giáo xứ"]},
        "site_clearance": {"label_en": "Site clearance", "label_vi": "GPMB", "terms": ["giải phóng mặt bằng"]},
    }})
    docs = DOCS[["doc_id", "title", "body", "date", "year"]]
    tokens = preprocess(docs, n_jobs=1)
    hits = theme_hits(tokens, themes, documents=docs)
    lines = theme_kwic(docs, tokens, themes, window=3)
    assert list(lines.columns) == ["theme", "term", "doc_id", "left", "keyword", "right"]
    counted = set(map(tuple, hits[hits["present"]][["theme", "doc_id"]].to_numpy()))
    assert set(map(tuple, lines[["theme", "doc_id"]].to_numpy())) == counted
    assert {k.lower() for k in lines["keyword"]} <= {"tôn giáo", "giáo xứ", "giải phóng mặt bằng"}
    d1 = lines[(lines["doc_id"] == "d1") & (lines["theme"] == "religion")]
    assert d1["keyword"].tolist() == ["tôn giáo", "tôn giáo", "Tôn giáo"]  # title, then body, in text order
    capped = theme_kwic(docs, tokens, themes, window=3, max_lines=1)
    assert capped.groupby(["theme", "doc_id"]).size().max() == 1


# ---------------------------------------------------------------------------
# report page
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("made by `python -m toolkit figures`", "made by <code>python -m toolkit figures</code>"),
    ("*tôn giáo* and **dân vận**", "<em>tôn giáo</em> and <strong>dân vận</strong>"),
    ("`a*b*c` <b>x</b>", "<code>a*b*c</code> &lt;b&gt;x&lt;/b&gt;"),
    ("`<script>`", "<code>&lt;script&gt;</code>"),
    ("2 * 3 * 4 and giải_phóng_mặt_bằng", "2 * 3 * 4 and giải_phóng_mặt_bằng"),
    ("an `unclosed tick and *star", "an `unclosed tick and *star"),
])
def test_inline_markdown(text, expected):
    assert inline_markdown(text) == expected


def test_report_page_renders_markdown_and_links_the_explorer():
    items = [ReportItem("figure", "Xu hướng <1>", "figures/a.png", "Share of *tôn giáo* by `year`.",
                        "Made by `theme_shares` <i>", ("figures/a.svg",))]
    page = render_report(items, title="Báo cáo", provenance={"seed": 1}, intro="Run `make figures`.",
                         explorer="explorer.html")
    assert "<code>make figures</code>" in page and "`" not in page
    assert "<em>tôn giáo</em>" in page and "<code>theme_shares</code> &lt;i&gt;" in page
    assert html.escape("Xu hướng <1>") in page
    assert 'href="explorer.html"' in page
    assert 'href="explorer.html"' not in render_report(items, title="t", provenance={})


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def test_cli_explore_themes_and_model(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import write_table

    rng = np.random.default_rng(0)
    phrases = ["Ban Dân vận gặp mặt chức sắc tôn giáo.", "Người dân đồng thuận giải phóng mặt bằng.",
               "Hội nghị dân vận khéo ở xã.", "Chi trả bồi thường, hỗ trợ tái định cư.", "Tập huấn công tác tôn giáo."]
    rows = []
    for i in range(24):
        body = " ".join(rng.choice(phrases, 4))
        rows.append({"doc_id": f"d{i:02d}", "title": f"Tin số {i}", "date": f"{2019 + i % 2}-03-0{1 + i % 5}",
                     "year": 2019 + i % 2, "province": ["Nam Định", "Bến Tre"][i % 3 == 0],
                     "district": ["Huyện Giao Thủy", "Huyện Châu Thành"][i % 3 == 0], "source": f"p{i}.html",
                     "body": body})
    corpus = tmp_path / "corpus.parquet"
    write_table(pd.DataFrame(rows), corpus)
    runner = CliRunner()
    res = runner.invoke(app, ["topics", str(corpus), "-k", "2", "--random-state", "0", "-o", str(tmp_path / "m"),
                              "--min-df", "1", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "explorer.html"
    args = ["explore", str(corpus), "--model", str(tmp_path / "m"), "--jobs", "1", "--n-draws", "5"]
    res = runner.invoke(app, [*args, "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    data = _payload(page)
    keys = [v["key"] for v in data["views"]]
    assert "theme:religion" in keys and "topic:0" in keys and "topic:1" in keys
    assert data["localities"] == ["Huyện Châu Thành, Bến Tre", "Huyện Giao Thủy, Nam Định"]
    religion = _view(data, "theme:religion")
    with_religion = {r["doc_id"] for r in rows if "tôn giáo" in r["body"]}
    listed = {d for cell in religion["lists"].values() for d, _ in cell["docs"]}
    assert listed == with_religion
    assert all(data["kwic"]["religion"][d] for d in listed)
    assert _view(data, "topic:0")["cells"] and data["topics"]["vocab"]
    # the same inputs give the same bytes
    assert runner.invoke(app, [*args, "-o", str(tmp_path / "again.html")]).exit_code == 0
    assert (tmp_path / "again.html").read_bytes() == out.read_bytes()
    res = runner.invoke(app, ["explore", str(corpus), "--model", str(tmp_path), "-o", str(out)])
    assert res.exit_code != 0 and "toolkit topics" in res.output


@pytest.mark.parametrize("sources, expected", [
    (["/a/corpus/nam-dinh/x.html", "/a/corpus/ben-tre/y.txt"], ["nam-dinh/x.html", "ben-tre/y.txt"]),
    (["/b/other/corpus/nam-dinh/x.html", "/b/other/corpus/ben-tre/y.txt"], ["nam-dinh/x.html", "ben-tre/y.txt"]),
    (["/a/corpus/only.html"], ["only.html"]),
    (["https://hshd.namdinh.gov.vn/tin/1", "", "table.csv:12"], ["https://hshd.namdinh.gov.vn/tin/1", "", "table.csv:12"]),
])
def test_relative_sources_do_not_depend_on_where_the_corpus_lies(sources, expected):
    from toolkit.report.explorer import relative_sources

    assert relative_sources(pd.Series(sources)).tolist() == expected


# ---------------------------------------------------------------------------
# seeded topics not held by their seeds are marked, as in the report's figures
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded_model(tmp_path_factory):
    """A seeded model (as `toolkit topics` writes it) whose `democracy_regulations` topic, seeded with two words of
    one document each, is not held by its seeds; `site_clearance`, seeded with words of a third of the corpus, is."""
    from toolkit.corpus import write_table
    from toolkit.topics import seed_retention
    from toolkit.topics.persist import save_result
    from toolkit.topics.seeded import fit_seeded_lda

    from tests.conftest import seeded_corpus_with_a_lost_theme

    words, tokens, doc_ids = seeded_corpus_with_a_lost_theme()
    result = fit_seeded_lda(pd.DataFrame({"doc_id": doc_ids, "tokens": tokens}),
                            {"site_clearance": words["land"][:4], "democracy_regulations": ["quy_chế_dân_chủ", "hương_ước"]},
                            4, random_state=0, max_df=1.0, min_df=1)
    retention = seed_retention(result).set_index("label")["held"]
    assert retention.to_dict() == {"site_clearance": True, "democracy_regulations": False}  # the fixture's premise
    root = tmp_path_factory.mktemp("seeded")
    save_result(result, root / "m" / "model")
    write_table(result.doc_topic_frame(doc_ids), root / "m" / "doc_topics.parquet")
    documents = pd.DataFrame({
        "doc_id": doc_ids, "title": [f"Tin số {i}" for i in range(len(doc_ids))],
        "date": [f"{2020 + i % 2}-05-0{1 + i % 5}" for i in range(len(doc_ids))],
        "year": [2020 + i % 2 for i in range(len(doc_ids))], "province": ["Hà Nam"] * len(doc_ids),
        "district": ["Huyện Lý Nhân", "Huyện Kim Bảng"] * (len(doc_ids) // 2), "source": "p.html",
        "body": [" ".join(t).replace("_", " ") + "." for t in tokens]})
    write_table(documents, root / "corpus.parquet")
    return root, result


def _topic_labels(page: str) -> list[str]:
    return [v["label"] for v in _payload(page)["views"] if v["kind"] == "topic"]


def test_browse_marks_a_seeded_topic_its_seeds_do_not_hold(seeded_model, tmp_path):
    # browse labelled it "democracy_regulations", read as the theme although the data took the topic elsewhere
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.report.browser import seeded_topic_labels

    root, result = seeded_model
    assert seeded_topic_labels(result) == {"democracy_regulations": "democracy_regulations (seed terms lost)"}
    assert seeded_topic_labels(result, "vi") == {"democracy_regulations": "democracy_regulations (lệch khỏi từ khóa gốc)"}
    out = tmp_path / "topics.html"
    res = CliRunner().invoke(app, ["browse", str(root / "m"), str(root / "corpus.parquet"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    labels = _topic_labels(out.read_text(encoding="utf-8"))
    assert labels == ["topic 0 · site_clearance", "topic 1 · democracy_regulations (seed terms lost)",
                      "topic 2 · topic_02", "topic 3 · topic_03"]
    assert [t["label"] for t in _payload(out.read_text(encoding="utf-8"))["topics"]["topics"]][1] == \
        "democracy_regulations (seed terms lost)"  # the map's and the document's topic names too


def test_explore_with_a_model_marks_a_seeded_topic_its_seeds_do_not_hold(seeded_model, tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    root, _ = seeded_model
    out = tmp_path / "explorer.html"
    res = CliRunner().invoke(app, ["explore", str(root / "corpus.parquet"), "--model", str(root / "m"), "--jobs", "1",
                                   "--n-draws", "5", "-o", str(out)])
    assert res.exit_code == 0, res.output
    labels = _topic_labels(out.read_text(encoding="utf-8"))
    assert labels == ["topic 0 · site_clearance", "topic 1 · democracy_regulations (seed terms lost)",
                      "topic 2 · topic_02", "topic 3 · topic_03"]


def test_topic_views_say_the_documents_without_a_locality_are_not_in_their_table():
    # dantri: the "(unknown)" row showed "·" ("no documents") in every year of a topic view, while the theme view
    # counted 2, 147 and 1,603 documents in it: the topic prevalence table groups by locality and has no such row
    docs = DOCS.assign(province=DOCS["province"].where(DOCS["doc_id"] != "d4", ""),
                       district=DOCS["district"].where(DOCS["doc_id"] != "d4", ""))
    shares = _shares()
    unknown = shares[(shares["locality"] == "Huyện Châu Thành, Bến Tre") & (shares["year"] == 2020)].assign(
        province="", district="", locality="")
    shares = pd.concat([shares, unknown], ignore_index=True)
    doc_topics = pd.DataFrame({"doc_id": DOCS["doc_id"], "topic_0": [0.4, 0.5, 0.6, 0.7, 0.2],
                               "topic_1": [0.6, 0.5, 0.4, 0.3, 0.8]})
    prevalence = pd.DataFrame({
        "locality": ["Huyện Giao Thủy, Nam Định", "Huyện Châu Thành, Bến Tre"], "year": [2019, 2019],
        "topic": [0, 0], "label": ["topic_00"] * 2, "n_docs": [3, 1], "prevalence": [0.5, 0.2],
        "ci_low": [0.4, 0.1], "ci_high": [0.6, 0.3]})
    data = _payload(explorer_html(docs, theme_shares=shares, theme_hits=HITS, doc_topics=doc_topics,
                                  topic_prevalence=prevalence))
    unknown_row = data["localities"].index("")
    assert _view(data, "topic:0")["absent"] == [unknown_row]
    assert "absent" not in _view(data, "theme:religion")
    assert any(c[0] == unknown_row for c in _view(data, "theme:religion")["cells"])  # the theme view counts them
    # the page writes the reason, not "no documents" (tests/test_browser.py shows it in a browser)
    assert "Not in the topic prevalence table: it groups documents by locality, and these have none" in _page()
    # a page whose topic table has every locality marks none
    data = _payload(explorer_html(DOCS, doc_topics=doc_topics, topic_prevalence=prevalence))
    assert _view(data, "topic:0")["absent"] == []


def test_a_documents_main_topics_leave_out_those_it_hardly_has():
    # "Main topics of this document" listed topics at 0.0%
    theta = np.array([[0.995, 0.004, 0.001], [0.5, 0.3, 0.2], [0.6, 0.395, 0.005], [0.4, 0.4, 0.2],
                      [0.9, 0.05, 0.05]])
    doc_topics = pd.DataFrame(theta, columns=["topic_0", "topic_1", "topic_2"]).assign(doc_id=DOCS["doc_id"])
    data = _payload(explorer_html(DOCS, doc_topics=doc_topics))
    assert data["documents"]["d1"]["topics"] == [[0, 0.995]]
    assert data["documents"]["d3"]["topics"] == [[0, 0.6], [1, 0.395], [2, 0.005]]  # 0.5% is shown as 0.5%


def test_the_topic_map_draws_small_circles_over_large_ones():
    # the largest topic's circle was drawn last and hid the smaller ones under it
    topic_map = pd.DataFrame({"topic": [0, 1, 2], "label": ["a", "b", "c"], "x": [0.0, 0.1, 0.5],
                              "y": [0.0, 0.1, 0.4], "prevalence": [0.1, 0.6, 0.3], "tokens": [10.0, 60.0, 30.0]})
    page = explorer_html(DOCS, topic_map=topic_map)
    drawn = re.findall(r'<g class="topic-circle" data-topic="(\d+)"', page)
    assert drawn == ["1", "2", "0"]
    radii = [float(r) for r in re.findall(r'<circle [^>]*r="([\d.]+)"', page)]
    assert radii == sorted(radii, reverse=True)


def _numbered_topics() -> dict:
    """Topic tables of three topics, the first seeded (``site_clearance``), as `toolkit topics` writes them."""
    theta = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.5, 0.4, 0.1], [0.1, 0.1, 0.8]])
    labels = ["site_clearance", "topic_01", "topic_02"]
    return {
        "doc_topics": pd.DataFrame(theta, columns=["topic_0", "topic_1", "topic_2"]).assign(doc_id=DOCS["doc_id"]),
        "topic_map": pd.DataFrame({"topic": [0, 1, 2], "label": labels, "x": [0.0, 0.3, -0.2], "y": [0.1, -0.2, 0.3],
                                   "prevalence": [0.32, 0.36, 0.32], "tokens": [32.0, 36.0, 32.0]}),
        "topic_terms": pd.DataFrame({"topic": [0, 1, 2], "label": labels, "rank": [1, 1, 1],
                                     "term": ["bồi_thường", "tôn_giáo", "dân_vận"], "weight": [0.1, 0.1, 0.1]}),
    }


def test_topics_are_numbered_from_0_as_in_the_tables():
    # walk 17: topic_terms.csv, the effects and the labels say topic 6 (`topic_06`), the explorer said "7. topic_06"
    # and drew circle 7: a researcher looking up `topic == 7` got another topic
    page = explorer_html(DOCS, **_numbered_topics())
    assert _topic_labels(page) == ["topic 0 · site_clearance", "topic 1 · topic_01", "topic 2 · topic_02"]
    circles = re.findall(r'<g class="topic-circle" data-topic="(\d+)">.*?<text [^>]*>(\d+)</text></g>', page)
    assert sorted(circles) == [("0", "0"), ("1", "1"), ("2", "2")]  # each circle shows its topic's number
    # without a table naming them, a topic is named as the model names it (`topic_00`), with the same number
    doc_topics = _numbered_topics()["doc_topics"]
    assert _topic_labels(explorer_html(DOCS, doc_topics=doc_topics)) == [
        "topic 0 · topic_00", "topic 1 · topic_01", "topic 2 · topic_02"]
    # the script writes no number of its own (a `+ 1` would renumber the topics in the page)
    script = page.rsplit("<script>", 1)[1]
    assert not re.search(r"\[0\] \+ 1\b|\bid \+ 1\b", script)


def _intro(page: str) -> str:
    return html.unescape(re.search(r'</h1>\n<p class="meta"[^>]*>(.*?)</p>', page, re.S).group(1))


def test_the_browse_page_describes_what_it_has(seeded_model):
    # walk 17: the browse page said "click a cell of its trend … at most 5 lines of text per document and theme",
    # but it has no trend, no cell, no theme and no line of text
    from toolkit.report.browser import topic_browser_html

    root, result = seeded_model
    documents = pd.read_parquet(root / "corpus.parquet")
    page = topic_browser_html(result, documents)
    intro, notes = _intro(page), " ".join(_payload(page)["notes"])
    assert "map" in intro and "λ" in intro and "document" in intro
    for absent in ("cell", "trend", "theme", "line"):
        assert not re.search(rf"\b{absent}s?\b", f"{intro} {notes}", re.I), absent
    assert '<label for="view-select">Topic: </label>' in page
    # the explorer with themes and topics still says how to go from a cell to its lines
    full = _page(**_numbered_topics())
    assert "cell" in _intro(full) and "lines" in _intro(full)
    assert '<label for="view-select">Theme or topic: </label>' in full
    assert any("lines of text per document and theme" in n for n in _payload(full)["notes"])
