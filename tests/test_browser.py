"""The explorer and the report page in a real browser: Debian's chromium driven by playwright, offline.

The pages come from a small run of the main pipeline on the demo corpus
(``explorer.html`` and ``index.html`` as ``make figures`` writes them). Every
request that is not ``file:`` is aborted and recorded, and the test fails if
one was attempted. Screenshots go to ``reports/screenshots/`` (shown in the
README).

Skips, saying why, only where no browser can be driven: no ``/usr/bin/chromium``
(``make install`` installs it with apt-get where it can) or no ``playwright``
(the dev extra). ``playwright install`` is never used: it downloads a browser
build from a host this project cannot reach.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from toolkit.config import REPORTS_DIR, CorpusConfig, FiguresConfig, RunConfig, ThemesConfig, TopicsConfig

CHROMIUM = Path(os.environ.get("TOOLKIT_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = REPORTS_DIR / "screenshots"

if not CHROMIUM.exists():
    pytest.skip(f"no browser: {CHROMIUM} is missing (Debian: apt-get install chromium; `make install` tries it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")

CONFIG = RunConfig(
    name="browser", random_state=11,
    corpus=CorpusConfig(n_pages=200),
    # the quality stage (16,020 labelled articles of ../shared) is tested by test_pipeline; these pages need none of it
    themes=ThemesConfig(n_boot=50, devset_quality=False),
    topics=TopicsConfig(n_topics_grid=(), n_topics=6, random_states=(0,)),
    figures=FiguresConfig(formats=("png",), dpi=50),
)
THEME = "religion"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A small `make figures` run: (output folder, document table of the run)."""
    from toolkit.pipeline import StageCache, load_documents, run_pipeline

    root = tmp_path_factory.mktemp("browser")
    run_pipeline(CONFIG, output_dir=root / "reports", cache_dir=root / "cache")
    documents, _, _ = load_documents(CONFIG, StageCache(root / "cache"))
    return root / "reports", documents.set_index("doc_id")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        # --no-sandbox: tests run as root in CI, where chromium's sandbox refuses to start.
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


class Page:
    """A page that may load ``file:`` URLs only, recording console errors and attempted requests."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1400, "height": 950}, device_scale_factor=1)
        self.blocked: list[str] = []
        self.errors: list[str] = []

        def route(r):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def check_clean(self):
        assert self.blocked == [], f"requests to the network were attempted: {self.blocked}"
        assert self.errors == [], f"console errors: {self.errors}"


def _open_explorer(browser, path, html: str) -> tuple[Page, object]:
    """Write ``html`` to ``path`` and open it in a new page, ready (its script has run)."""
    path.write_text(html, encoding="utf-8")
    session = Page(browser)
    session.page.goto(path.as_uri())
    session.page.wait_for_selector("body[data-ready]")
    return session, session.page


def _theme_matches(text: str, theme_id: str) -> bool:
    """Whether the words of ``text`` contain a match of a term of the theme (as the dictionary counts)."""
    from toolkit.text.segment import get_tokenizer
    from toolkit.themes import load_themes

    themes = load_themes()
    index = themes.ids.index(theme_id)
    tokens = get_tokenizer(themes.tokenizer_config).tokenize(text)
    return any(a == index for a, _, _, _ in themes.match(tokens))


def test_explorer_from_a_trend_cell_to_a_document_and_a_kwic_line(run, browser):
    out, documents = run
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    session = Page(browser)
    page = session.page
    page.goto((out / "explorer.html").as_uri())
    page.wait_for_selector("body[data-ready]")

    # 1. choose the theme; its trend shows one cell per locality × year with documents
    page.select_option("#view-select", f"theme:{THEME}")
    assert "Religion" in page.inner_text("#trend-title")
    cells = page.query_selector_all("td.cell")
    assert cells, "the theme's trend shows no cell"
    values = [float(c.query_selector(".value").inner_text().rstrip("%")) for c in cells]
    cell = cells[max(range(len(cells)), key=lambda i: (values[i], -i))]
    assert max(values) > 0
    locality, year = cell.get_attribute("data-locality"), int(cell.get_attribute("data-year"))
    assert "[" in cell.inner_text() and "n = " in cell.inner_text()  # interval and cell size shown
    page.screenshot(path=str(SCREENSHOTS / "explorer-trend.png"))

    # 2. click the cell: its documents, each really from that locality and year
    cell.click()
    assert page.is_visible("#cell-panel")
    assert locality in page.inner_text("#cell-title") and str(year) in page.inner_text("#cell-title")
    items = page.query_selector_all("#cell-docs .doc-item")
    assert items, "a cell with a positive share lists no document"
    for item in items:
        doc = documents.loc[item.get_attribute("data-doc")]
        assert doc["locality"] == locality and int(doc["year"]) == year
        meta = item.inner_text()
        assert doc["title"] in meta and doc["date"] in meta and locality in meta

    # 3. click a document: the lines that made it count, and its text
    items[0].click()
    doc_id = items[0].get_attribute("data-doc")
    doc = documents.loc[doc_id]
    assert page.inner_text("#doc-title") == doc["title"]
    lines = page.query_selector_all(".kwic-line")
    assert lines, "the document shows no keyword-in-context line"
    body = unicodedata.normalize("NFC", doc["body"])
    assert page.inner_text("#doc-text").strip()[:200] == body.strip()[:200]

    # 4. click a KWIC line: it holds a term of the theme, and is marked in the text
    line = lines[0]
    keyword = line.query_selector(".kw").inner_text()
    assert _theme_matches(keyword, THEME), keyword
    line.click()
    marks = page.query_selector_all("#doc-text mark")
    if keyword in body:
        assert [m.inner_text() for m in marks] == [keyword]
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "explorer-document.png"))

    # 5. the topic view: map, relevance slider, and a cell of its trend
    page.select_option("#view-select", "topic:0")
    assert page.is_visible("#topic-map") and page.query_selector_all("#terms tr")
    page.fill("#lambda", "0.2")
    page.dispatch_event("#lambda", "input")
    assert page.inner_text("#lambda-value") == "0.20"
    cells = page.query_selector_all("td.cell")
    values = [float(c.query_selector(".value").inner_text().rstrip("%")) for c in cells]
    cells[max(range(len(cells)), key=lambda i: (values[i], -i))].click()
    page.click("#cell-docs .doc-item >> nth=0")
    assert "of this document" in page.inner_text("#doc-why")
    page.evaluate("window.scrollTo(0, document.getElementById('topic-panel').offsetTop)")
    page.screenshot(path=str(SCREENSHOTS / "explorer-topic.png"))
    session.check_clean()
    session.context.close()


def test_report_page_images_load_and_the_explorer_link_works(run, browser):
    out, _ = run
    session = Page(browser)
    page = session.page
    page.goto((out / "index.html").as_uri())
    images = page.query_selector_all("img")
    assert images
    for img in images:
        img.scroll_into_view_if_needed()
        assert page.evaluate("(i) => i.complete && i.naturalWidth > 0", img), img.get_attribute("src")
    assert "`" not in page.inner_text("body"), "Markdown backticks shown as text"
    assert page.query_selector_all("code")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "report-index.png"))
    page.click("#explorer-link")
    page.wait_for_selector("body[data-ready]")
    assert page.url.endswith("/explorer.html")
    assert page.query_selector_all("td.cell")
    session.check_clean()
    session.context.close()


def test_blocked_requests_are_recorded(browser, tmp_path):
    """The guard itself can fail: a page that asks for the network is caught."""
    probe = tmp_path / "probe.html"
    probe.write_text('<!DOCTYPE html><img src="https://example.invalid/x.png">', encoding="utf-8")
    session = Page(browser)
    session.page.goto(probe.as_uri())
    session.page.wait_for_load_state("load")
    assert session.blocked == ["https://example.invalid/x.png"]
    session.context.close()


def test_explorer_intervals_round_outwards_and_topics_carry_their_figure_names(browser, tmp_path):
    """A 0% cell of 1,603 documents reads [0–0.2%], not [0–0%]; a seeded topic that lost its seeds says so."""
    import pandas as pd

    from toolkit.report.explorer import explorer_html

    docs = pd.DataFrame({"doc_id": ["a", "b"], "title": ["A", "B"], "date": ["2021-01-02", "2021-03-04"],
                         "year": [2021, 2021], "province": ["Hà Nội"] * 2, "district": ["Quận Ba Đình"] * 2,
                         "body": ["Một.", "Hai."]})
    shares = pd.DataFrame({"province": ["Hà Nội"] * 2, "district": ["Quận Ba Đình"] * 2, "year": [2021, 2021],
                           "theme": ["covid", "religion"], "n_docs": [1603, 40], "docs_with_theme": [0, 5],
                           "share": [0.0, 0.125], "ci_low": [0.0, 0.0466], "ci_high": [0.0015, 0.2571],
                           "small_cell": [False, False]})
    doc_topics = pd.DataFrame({"doc_id": ["a", "b"], "topic_0": [0.9, 0.2], "topic_1": [0.1, 0.8]})
    terms = pd.DataFrame({"topic": [0, 1], "label": ["democracy_regulations", "topic_01"], "rank": [1, 1],
                          "term": ["tổng_thống", "bóng_đá"], "weight": [0.1, 0.1]})
    session, page = _open_explorer(browser, tmp_path / "explorer.html", explorer_html(
        docs, theme_shares=shares, theme_labels={"covid": "COVID-19", "religion": "Religion"}, doc_topics=doc_topics,
        topic_terms=terms, topic_labels={"democracy_regulations": "Grassroots democracy (seed terms lost): tổng thống"}))
    page.select_option("#view-select", "theme:covid")
    assert "[0–0.2%]" in page.inner_text("td.cell")
    # a theme no document mentions says so, not "Colour: 0 to 0%"
    assert page.inner_text("#trend-legend").startswith("No document of any cell mentions this theme")
    page.select_option("#view-select", "theme:religion")
    assert "[4–26%]" in page.inner_text("td.cell")  # 4.66% down, 25.71% up
    assert page.inner_text("#trend-legend").startswith("Colour: 0 to 13% (darkest)")
    options = page.inner_text("#view-select")
    assert "topic 0 · Grassroots democracy (seed terms lost): tổng thống" in options and "topic 1 · topic_01" in options
    session.check_clean()
    session.context.close()


def test_topic_cells_of_few_documents_are_dashed_like_small_theme_cells(browser, tmp_path):
    """A topic's mean over one document (Đắk Nông 2021: 40% [31–48%]) is marked as a small theme cell is."""
    import pandas as pd

    from toolkit.report.explorer import explorer_html

    docs = pd.DataFrame({"doc_id": ["a", "b"], "title": ["A", "B"], "date": ["2021-01-02", "2021-03-04"],
                         "year": [2021, 2021], "province": ["Đắk Nông", "Hà Nội"], "district": ["", "Quận Ba Đình"],
                         "body": ["Một.", "Hai."]})
    doc_topics = pd.DataFrame({"doc_id": ["a", "b"], "topic_0": [0.4, 0.3], "topic_1": [0.6, 0.7]})
    prevalence = pd.DataFrame({"province": ["Đắk Nông", "Hà Nội"], "district": ["", "Quận Ba Đình"],
                               "year": [2021, 2021], "topic": [0, 0], "label": ["covid", "covid"],
                               "n_docs": [1, 500], "prevalence": [0.40, 0.30], "ci_low": [0.31, 0.28],
                               "ci_high": [0.48, 0.32]})
    shares = pd.DataFrame({"province": ["Đắk Nông", "Hà Nội"], "district": ["", "Quận Ba Đình"], "year": [2021, 2021],
                           "theme": ["covid", "covid"], "n_docs": [1, 500], "docs_with_theme": [1, 150],
                           "share": [1.0, 0.3], "ci_low": [0.15, 0.26], "ci_high": [1.0, 0.34],
                           "small_cell": [True, False]})
    session, page = _open_explorer(browser, tmp_path / "explorer.html", explorer_html(
        docs, theme_shares=shares, doc_topics=doc_topics, topic_prevalence=prevalence))

    def borders() -> dict[str, str]:
        return {c.get_attribute("data-locality"): c.evaluate("(td) => getComputedStyle(td).borderTopStyle")
                for c in page.query_selector_all("td.cell")}

    page.select_option("#view-select", "theme:covid")
    theme = borders()
    assert theme == {"Đắk Nông": "dashed", "Quận Ba Đình, Hà Nội": "solid"}
    page.select_option("#view-select", "topic:0")
    assert borders() == theme  # the topic's cell of one document is dashed as the theme's
    assert "40.0%" in page.inner_text("td.cell.small")
    assert "Dashed: small cell (fewer than 5 documents)." in page.inner_text("#trend-legend")
    session.check_clean()
    session.context.close()


def test_topic_view_says_documents_without_a_locality_are_not_in_its_table(browser, tmp_path):
    """dantri: the "(unknown)" row read "·" ("no documents") in every year of a topic view although it held
    2, 147 and 1,603 documents; a document's main topics listed topics at 0.0%."""
    import pandas as pd

    from toolkit.report.explorer import explorer_html

    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "title": ["A", "B", "C"],
                         "date": ["2020-01-02", "2021-03-04", "2021-05-06"], "year": [2020, 2021, 2021],
                         "province": ["Hà Nội", "", ""], "district": ["Quận Ba Đình", "", ""],
                         "body": ["Một.", "Hai.", "Ba."]})
    shares = pd.DataFrame({"province": ["Hà Nội", "", ""], "district": ["Quận Ba Đình", "", ""],
                           "year": [2020, 2020, 2021], "theme": ["covid"] * 3, "n_docs": [1, 147, 1603],
                           "docs_with_theme": [1, 30, 320], "share": [1.0, 0.2, 0.2], "ci_low": [0.2, 0.14, 0.18],
                           "ci_high": [1.0, 0.27, 0.22], "small_cell": [True, False, False]})
    doc_topics = pd.DataFrame({"doc_id": ["a", "b", "c"], "topic_0": [0.999, 0.5, 0.5], "topic_1": [0.0006, 0.3, 0.3],
                               "topic_2": [0.0004, 0.2, 0.2]})
    prevalence = pd.DataFrame({"province": ["Hà Nội"], "district": ["Quận Ba Đình"], "year": [2020], "topic": [0],
                               "label": ["covid"], "n_docs": [1], "prevalence": [0.999], "ci_low": [0.99],
                               "ci_high": [1.0]})
    session, page = _open_explorer(browser, tmp_path / "explorer.html", explorer_html(
        docs, theme_shares=shares, doc_topics=doc_topics, topic_prevalence=prevalence))
    page.select_option("#view-select", "theme:covid")
    unknown = page.locator("#trend tr", has=page.locator("th", has_text="(unknown)"))
    assert "n = 1603" in unknown.inner_text()  # the theme view counts them
    page.select_option("#view-select", "topic:0")
    row = unknown.inner_text()
    assert "Not in the topic prevalence table: it groups documents by locality, and these have none" in row
    assert unknown.locator("td.empty").count() == 0 and "no documents" not in (
        unknown.locator("td").first.get_attribute("title") or "")
    # a known locality's empty year still reads "no documents"
    known = page.locator("#trend tr", has=page.locator("th", has_text="Quận Ba Đình"))
    assert known.locator("td.empty").first.get_attribute("title") == "no documents"
    # the main topics of a document of 99.9% one topic: that topic alone, no "0.0%"
    known.locator("td.cell").first.click()
    page.click(".doc-item")
    main = page.locator(".doc-topic").all_inner_texts()
    assert len(main) == 1 and "99.9%" in main[0] and not any("0.0%" in x for x in main)
    session.check_clean()
    session.context.close()


def test_topic_numbers_and_terms_on_the_page_are_those_of_the_files(browser, tmp_path):
    """Walk 17: topic_terms.csv says topic 6 (`topic_06`), the page said "7. topic_06" (menu, trend title, map
    circle 7), and showed `ủy ban nhân dân` where the tables have `ủy_ban_nhân_dân`."""
    import pandas as pd

    from toolkit.report.explorer import explorer_html

    docs = pd.DataFrame({"doc_id": ["a", "b"], "title": ["A", "B"], "date": ["2021-01-02", "2021-03-04"],
                         "year": [2021, 2021], "province": ["Hà Nội"] * 2, "district": ["Quận Ba Đình"] * 2,
                         "body": ["Ủy ban nhân dân quận họp.", "Giải phóng mặt bằng dự án."]})
    labels = ["topic_00", "site_clearance"]
    doc_topics = pd.DataFrame({"doc_id": ["a", "b"], "topic_0": [0.8, 0.3], "topic_1": [0.2, 0.7]})
    terms = pd.DataFrame({"topic": [0, 0, 1, 1], "label": [labels[0]] * 2 + [labels[1]] * 2, "rank": [1, 2, 1, 2],
                          "term": ["ủy_ban_nhân_dân", "quận", "giải_phóng_mặt_bằng", "dự_án"],
                          "weight": [0.2, 0.1, 0.2, 0.1]})
    relevance = terms.assign(phi=terms["weight"], p_w=0.05, frequency=10.0)[["topic", "term", "phi", "p_w",
                                                                              "frequency"]]
    topic_map = pd.DataFrame({"topic": [0, 1], "label": labels, "x": [-0.2, 0.2], "y": [0.0, 0.1],
                              "prevalence": [0.55, 0.45], "tokens": [11.0, 9.0]})
    prevalence = pd.DataFrame({"province": ["Hà Nội"] * 2, "district": ["Quận Ba Đình"] * 2, "year": [2021, 2021],
                               "topic": [0, 1], "label": labels, "n_docs": [2, 2], "prevalence": [0.55, 0.45],
                               "ci_low": [0.4, 0.3], "ci_high": [0.7, 0.6]})
    session, page = _open_explorer(browser, tmp_path / "explorer.html", explorer_html(
        docs, doc_topics=doc_topics, topic_terms=terms, topic_terms_frex=terms, topic_map=topic_map,
        topic_relevance=relevance, topic_prevalence=prevalence))
    page.select_option("#view-select", "topic:1")
    assert page.inner_text("#view-select").split("\n") == ["topic 0 · topic_00", "topic 1 · site_clearance"]
    assert page.inner_text("#trend-title") == "Mean proportion of topic 1 · site_clearance by locality × year"
    assert page.inner_text("#topic-title").startswith("topic 1 · site_clearance (")
    circles = {g.get_attribute("data-topic"): g.query_selector("text").text_content()
               for g in page.query_selector_all("#topic-map .topic-circle")}
    assert circles == {"0": "0", "1": "1"}
    assert page.locator("#terms td.term").all_inner_texts()[:2] == ["giải_phóng_mặt_bằng", "dự_án"]
    page.click("td.cell")
    page.click("#cell-docs .doc-item >> nth=0")
    assert page.inner_text("#doc-why").startswith("topic 1 · site_clearance: 70.0% of this document")
    assert page.locator("#doc-why .chips span").all_inner_texts()[:2] == ["giải_phóng_mặt_bằng", "dự_án"]
    assert page.locator(".doc-topic").all_inner_texts() == [
        "topic 1 · site_clearance: 70.0% — giải_phóng_mặt_bằng, dự_án", "topic 0 · topic_00: 30.0% — ủy_ban_nhân_dân, quận"]
    # the text itself is the document's, its terms marked where they occur (with spaces there)
    assert page.locator("#doc-text mark").all_inner_texts() == ["Giải phóng mặt bằng", "dự án"]
    session.check_clean()
    session.context.close()
