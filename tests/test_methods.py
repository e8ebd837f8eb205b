"""The methods appendix (reports/methods.md): a pure, deterministic function of provenance, tables and config."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.config import CorpusConfig, EffectsConfig, RunConfig, TopicsConfig
from toolkit.report.methods import corpus_summary, methods_markdown

PROVENANCE = {
    "config_hash": "cfg123", "config_name": "demo", "corpus_hash": "corp456", "lexicon_version": "lex789",
    "themes_version": "thm2a2b2c2d",
    "toolkit_code": "code000", "toolkit_plots_code": "plot111", "git_commit": "abcdef0",
    "packages": {"pyvi": "0.1.1", "gensim": "4.3.3", "numpy": "2.0.0"}, "random_state": 2024,
}


def _documents():
    return pd.DataFrame({
        "doc_id": ["a", "b", "c", "d", "e"],
        "duplicate_of": ["", "", "a", "", ""],
        "year": pd.array([2019, 2020, 2019, pd.NA, 2021], dtype="Int64"),
        "locality": ["Huyện Hải Hậu, Nam Định", "Quận Long Biên, Hà Nội", "Huyện Hải Hậu, Nam Định", "", "Bến Tre"],
    })


def _tables(**changes):
    documents = _documents()
    analysed = documents[documents["duplicate_of"] == ""]
    tables = {
        "corpus_summary": corpus_summary(documents, analysed),
        "rejects": pd.DataFrame({"source": ["x.txt", "y.csv"], "line": [0, 7], "reason": ["binary file", "empty text"]}),
        "documents_per_locality_year": pd.DataFrame({
            "province": ["Nam Định", "Hà Nội", "Hà Nội"], "district": ["Huyện Hải Hậu", "Quận Long Biên", "Quận Long Biên"],
            "locality": ["Huyện Hải Hậu, Nam Định", "Quận Long Biên, Hà Nội", "Quận Long Biên, Hà Nội"],
            "year": [2019, 2020, 2021], "n_docs": [1, 1, 3]}),
        "theme_validation": pd.DataFrame({"theme": ["religion", "religion", "covid"],
                                          "term": ["tôn_giáo", "chức_sắc", "covid-19"], "occurs": [True, False, True]}),
        "theme_quality": pd.DataFrame({"theme": ["religion"], "item": ["full text"], "n_coded": [120],
                                       "precision": [0.91], "precision_low": [0.8], "precision_high": [0.96],
                                       "recall": [0.45], "recall_low": [0.33], "recall_high": [0.57], "f1": [0.6],
                                       "f1_low": [0.49], "f1_high": [0.7], "source": ["coded sheet"]}),
        "model_recommendation": pd.DataFrame({"recommended": [12], "reasoning": ["Recommended K = 12: stable."]}),
        "effects": pd.DataFrame({"label": ["religion"], "term": ["year"], "estimate": [0.01]}),
    }
    tables.update(changes)
    return tables


def test_corpus_summary_counts_reposts_undated_and_unplaced():
    documents = _documents()
    summary = corpus_summary(documents, documents[documents["duplicate_of"] == ""])
    assert summary.set_index("measure")["value"].to_dict() == {
        "documents_read": 5, "reposts": 1, "documents_analysed": 4, "undated": 1, "without_locality": 1}


def test_the_appendix_says_what_was_done_in_prose():
    text = methods_markdown(PROVENANCE, _tables(), RunConfig())
    for section in ("## Corpus", "## Preprocessing", "## Theme dictionary", "## Topic model",
                    "## Effects of locality and year", "## Versions and hashes"):
        assert section in text
    for fact in ("**simulated**", "5 documents, of which 1 repost", "4 documents", "- binary file (1 file)",
                 "- empty text (1 row in 1 file)", "| Huyện Hải Hậu, Nam Định | 1 | 0 | 0 | 1 |", "lex789", "version 0.1.1", "2 themes and 3 terms", "1 term never occur",
                 "| religion | full text | 120 | 0.91 |", "K ∈ {8, 12, 16, 20}", "Chosen K = 12. Why: Recommended K = 12",
                 "`~ C(locality) + bs(year, df=3)`", "descriptive associations", "the chosen K",
                 "| gensim | 4.3.3 |", "cfg123", "corp456", "abcdef0",
                 # a study's own copy of the themes file is identified (the lexicon version does not cover it)
                 "(version `thm2a2b2c2d`, a hash of the file)", "| theme dictionary | corpora/lexicons/themes.toml (version thm2a2b2c2d) |"):
        assert fact in text, fact


@pytest.mark.parametrize("changes, config, expected", [
    ({"theme_quality": pd.DataFrame()}, RunConfig(), "**Measured quality: none.**"),
    ({"rejects": pd.DataFrame(columns=["source", "line", "reason"])}, RunConfig(), "No input was rejected."),
    ({"effects": pd.DataFrame()}, RunConfig(), "No effects were estimated"),
    # no formula at all: said so, not "the formula `` could not be fitted"
    ({"effects": pd.DataFrame()}, RunConfig(effects=EffectsConfig(formula="")), "the run has no effects formula"),
    # a seeded theme left out of the model (no seed term in its vocabulary) is not claimed to be seeded
    ({"seed_retention": pd.DataFrame({"label": ["site_clearance", "religion", "democracy_regulations"]})},
     RunConfig(), "the topics of site_clearance, religion, democracy_regulations get a prior on their dictionary "
                  "terms (K counts them), the remaining topics are free. covid was left out"),
    ({}, RunConfig(topics=TopicsConfig(n_topics=9)), "K = 9 was set in the configuration"),
    ({}, RunConfig(corpus=CorpusConfig(simulate=False, paths=("b/pages", "a/table.csv"))),
     "read from `a/table.csv`, `b/pages`"),
    # a sources file whose entries may match no page does not claim every locality
    ({}, RunConfig(corpus=CorpusConfig(simulate=False, paths=("pages",), sources="sources.toml")),
     "localities from the sources file `sources.toml` for the pages one of its entries matches, else from"),
    # effects pooled over refits include the topics' uncertainty, and say so
    ({"effects": pd.DataFrame({"label": ["religion"], "term": ["year"], "estimate": [0.01],
                               "uncertainty": ["global"]})}, RunConfig(),
     "the draws pool refits of the model at the seeds of `[effects] global_seeds` (0, 1, 2)"),
    # the documents whose locality was not found are a row of their own, not counted as a locality
    ({"documents_per_locality_year": pd.DataFrame({"locality": ["Huyện Hải Hậu, Nam Định", ""], "year": [2019, 2019],
                                                   "n_docs": [1, 4]})}, RunConfig(),
     "(1 locality, and (unknown): the documents whose locality was not found, 2019–2019):"),
])
def test_the_appendix_follows_the_run(changes, config, expected):
    assert expected in methods_markdown(PROVENANCE, _tables(**changes), config)
    assert expected not in methods_markdown(PROVENANCE, _tables(), RunConfig())


def test_the_appendix_is_deterministic():
    first = methods_markdown(PROVENANCE, _tables(), RunConfig())
    shuffled = {name: table.sample(frac=1, random_state=1) for name, table in reversed(_tables().items())}
    assert methods_markdown(dict(reversed(PROVENANCE.items())), shuffled, RunConfig()) == first


def test_the_appendix_gives_each_figure_themes_definition_and_the_report_links_it():
    # a researcher's new theme, with its definition in the themes file, appeared nowhere in the report
    from toolkit.report.page import render_report

    text = methods_markdown(PROVENANCE, _tables(), RunConfig(),
                            definitions={"complaints": "citizens' complaints and denunciations received by the state",
                                         "land": ""},
                            labels={"complaints": "Complaints"})
    assert "- **Complaints** (`complaints`): citizens' complaints and denunciations received by the state" in text
    assert "- **land** (`land`): (no definition in the themes file)" in text
    assert "What each theme of the figures counts" not in methods_markdown(PROVENANCE, _tables(), RunConfig())
    page = render_report([], title="t", provenance={}, methods="methods.md")
    assert 'id="methods-link" href="methods.md"' in page and "methods-link" not in render_report([], title="t",
                                                                                                  provenance={})


def test_a_run_that_fitted_no_topic_model_says_so_by_its_choices_not_by_a_missing_table():
    provenance = {"config_hash": "abc", "corpus_hash": "def", "lexicon_version": "x", "toolkit_code": "y",
                  "git_commit": "z", "packages": {"gensim": "4.3.3"}, "random_state": 2024}
    not_fitted = pd.DataFrame({"setting": ["topics"], "value": ["not fitted"], "chosen_by": ["config"],
                               "reason": ["[figures] include names no topic figure"]})
    text = methods_markdown(provenance, _tables(run_choices=not_fitted), RunConfig(name="demo"))
    assert "No topic model was fitted" in text and "No effects were estimated: no topic model" in text
    # a table set without topic_terms (a researcher's own tables, an older run) is not read as "not fitted"
    text = methods_markdown(provenance, _tables(), RunConfig(name="demo"))
    assert "No topic model was fitted" not in text and "K ∈ {8, 12, 16, 20}" in text


def test_rejects_that_differ_only_by_a_number_or_an_address_are_one_line():
    # a researcher's methods.md listed "11 fields where the header has 1", "21 fields ...", ... as 8 reasons
    table = "export/bai-viet.csv"
    rejects = pd.DataFrame({
        "source": [table] * 8 + ["docs/bao-cao.docx", "docs/bai.pdf", "crawl.warc.gz", "crawl.warc.gz",
                                 "data/tin.jsonl", "khac.csv"],
        "line": [2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 0, 3, 2],
        "reason": [f"{n} fields where the header has 1" for n in (46, 42, 45, 38, 37, 21, 11, 64)]
                  + ["binary file (NUL bytes)"] * 2
                  + ["HTTP 404 response for https://daitu.thainguyen.gov.vn/tin-tuc/1",
                     "HTTP 404 response for https://daitu.thainguyen.gov.vn/tin-tuc/2?page=3"]
                  + ["invalid JSON: Unterminated string starting at (column 38)", "2 fields where the header has 3"],
    })
    text = methods_markdown(PROVENANCE, _tables(rejects=rejects), RunConfig())
    assert "14 inputs were rejected, each listed with its file, line and reason in `tables/rejects.csv`" in text
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert "- 2–64 fields where the header has 1 or 3 (9 rows in 2 files)" in lines, lines
    assert "- binary file (NUL bytes) (2 files)" in lines
    assert "- HTTP 404 response for … (2 inputs in 1 file)" in lines
    assert "- invalid JSON: Unterminated string starting at (column 38) (1 row in 1 file)" in lines
    assert not [line for line in lines if "fields where" in line and line != lines[0]]  # one line, the largest first
    # a few distinct numbers are named, not a range
    few = rejects.iloc[:3].assign(reason=["11 fields where the header has 1", "21 fields where the header has 1",
                                          "11 fields where the header has 1"])
    assert "- 11 or 21 fields where the header has 1 (3 rows in 1 file)" in methods_markdown(
        PROVENANCE, _tables(rejects=few), RunConfig())


def test_the_appendix_says_how_many_documents_of_no_known_locality_the_shares_by_locality_leave_out():
    # 398 of 600 news articles had no province or district: theme_shares_locality held 202 of them, and nothing in
    # the methods' account of the shares said that the others were left out
    from toolkit.pipeline import documents_per_locality
    from toolkit.places import with_locality
    from toolkit.themes.shares import theme_shares

    docs = with_locality(pd.DataFrame({
        "doc_id": [f"bai-{k}" for k in range(6)],
        "province": ["Nam Định", "Nam Định", "Hà Nội", "", "", ""],
        "district": ["Huyện Hải Hậu", "Huyện Hải Hậu", "Quận Long Biên", "", "", ""],
        "year": pd.array([2019, 2020, 2020, 2020, 2021, pd.NA], dtype="Int64")}))
    hits = pd.DataFrame({"doc_id": docs["doc_id"], "theme": "religion", "hits": [1, 0, 0, 1, 0, 0], "n_tokens": 100})
    shares = theme_shares(hits.assign(present=hits["hits"] > 0), docs, by=("province", "district"))
    assert len(docs) - shares["n_docs"].sum() == 3  # what the shares by locality leave out
    tables = _tables(corpus_summary=corpus_summary(docs.assign(duplicate_of=""), docs),
                     documents_per_locality=documents_per_locality(docs), theme_shares_locality=shares)
    text = methods_markdown(PROVENANCE, tables, RunConfig())
    assert "Shares per locality leave out the documents of no known locality: 3 of 6 (2 of 5 dated)" in text
    assert "3 documents without a locality out of the theme and topic figures by locality (the document counts " \
           "keep them as an (unknown) row)" in text
    # every document placed: nothing said to be left out
    placed = docs.iloc[:3]
    tables = _tables(corpus_summary=corpus_summary(placed.assign(duplicate_of=""), placed),
                     documents_per_locality=documents_per_locality(placed))
    assert "leave out the documents of no known locality" not in methods_markdown(PROVENANCE, tables, RunConfig())


def test_the_quality_table_shows_the_counts_behind_each_rate_and_an_exact_precision_says_why():
    # "democracy_regulations | 80 | 0.50 | 0.50 | 0.50": a precision from the 2 documents the dictionary flags, both
    # read, looked like a large-sample certainty
    from toolkit.themes.validate import score_sheet

    flagged, unflagged = [1, 0], [0] * 78
    sheet = pd.DataFrame({
        "doc_id": [f"bai-{k}" for k in range(80)], "stratum": ["hit"] * 2 + ["miss"] * 78,
        "weight": [1.0] * 2 + [598 / 78] * 78, "democracy_regulations__stratum_flagged": [2] * 2 + [0] * 78,
        "democracy_regulations__dictionary": [1] * 2 + [0] * 78,
        "democracy_regulations__coder1": flagged + unflagged})
    quality = score_sheet(sheet).assign(source="validation/sheet_coded.csv")
    text = methods_markdown(PROVENANCE, _tables(theme_quality=quality), RunConfig())
    assert "| theme | reference | n_coded | tp | fp | fn | precision | precision_low |" in text
    assert "| democracy_regulations | coder1 | 80 | 1 | 1 | 0 | 0.50 | 0.50 | 0.50 |" in text
    assert ("- democracy_regulations: precision 0.50 is exact, not a large-sample estimate: 2 of 2 flagged documents "
            "read, 1 coded positive.") in text
    assert "is exact" not in methods_markdown(PROVENANCE, _tables(), RunConfig())  # an interval with width: none


def test_the_versions_table_names_what_the_quality_was_scored_from():
    from toolkit.config import RunConfig, ThemesConfig
    from toolkit.report.methods import _versions

    config = RunConfig(themes=ThemesConfig(validation_sheet="validation/sheet_coded.csv"))
    text = "\n".join(_versions(config, {"validation_sheet_version": "8875c56a5173"}))
    assert "| coded validation sheet | validation/sheet_coded.csv (version 8875c56a5173) |" in text
    text = "\n".join(_versions(RunConfig(), {"devset_version": "0123456789ab"}))
    assert "| labelled articles (corpora/validation) | 0123456789ab |" in text and "coded validation sheet" not in text
    assert "labelled articles" not in "\n".join(_versions(RunConfig(), {}))
