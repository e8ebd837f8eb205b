"""How often the date rules date a page without a date line right: measured on real dated articles.

The dantri articles of ``../shared`` (2,653, published 2019-21) are ingested
with their dates and addresses hidden, so that only the text can date them,
and compared with their publication dates (README, "The document table").
The bounds sit a little below what was measured; the synthetic tests pin the
arithmetic of :func:`toolkit.ingest.accuracy.date_accuracy`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import CORPORA_DIR, needs_corpora
from toolkit.ingest.accuracy import DATE_QUALITY_COLUMNS, date_accuracy, date_rules_without_dates


def test_date_accuracy_counts_years_days_and_how_far_off():
    docs = pd.DataFrame({
        "doc_id": ["a", "b", "c", "d", "e", "f"],
        "date": ["2021-04-23", "2021-04-01", "", "2021-04-20", "", "2021-04-25"],
        "year": [2021, 2021, 2020, 2021, None, 2021],
        "date_source": ["event", "event", "title-year", "event+title-year", "", "header"]})
    truth = pd.DataFrame({"doc_id": list("abcdef"),
                          "date": ["20210423", "2021-04-24", "20210424", "20210424", "20210425", "2021-04-25"]})
    table = date_accuracy(docs, truth)
    assert list(table.columns) == list(DATE_QUALITY_COLUMNS)
    rows = table.set_index("date_source")
    # most documents first, then the pooled rows
    assert list(rows.index) == ["event", "(undated)", "event+title-year", "header", "title-year", "(all dated)",
                                "(from the text)"]
    event = rows.loc["event"]
    assert (event["n_docs"], event["year_correct"], event["n_day"], event["day_correct"]) == (2, 2, 2, 1)
    assert event["within_7_days"] == 0.5 and event["median_days_off"] == 11.5  # 0 and 23 days off
    assert event["year_low"] < 1 and event["year_high"] == pytest.approx(1.0)  # Wilson: no point at 1
    assert rows.loc["title-year", "year_correct"] == 0 and rows.loc["title-year", "n_day"] == 0
    assert np.isnan(rows.loc["title-year", "day_accuracy"])
    # undated: counted, never right or wrong
    assert rows.loc["(undated)", "n_docs"] == 1 and pd.isna(rows.loc["(undated)", "year_correct"])
    # every dated document, and those dated from the text (not a header, markup, address or table field)
    assert rows.loc["(all dated)", "n_docs"] == 5 and rows.loc["(from the text)", "n_docs"] == 4
    assert rows.loc["(from the text)", "year_correct"] == 3
    with pytest.raises(ValueError, match="no true date"):
        date_accuracy(docs, truth.assign(date=["", "x", "", "", "", ""]))


@needs_corpora
@pytest.mark.shared
def test_dates_read_from_the_text_of_real_news_are_often_not_the_publication_year():
    source = CORPORA_DIR / "unc-dantri" / "unc_dantri.jsonl"
    before = source.stat().st_mtime_ns
    documents, truth = date_rules_without_dates(source, n_jobs=2)
    assert source.stat().st_mtime_ns == before  # the input is read, never changed
    assert len(truth) == 2653 and set(documents["doc_id"]) <= set(truth["doc_id"])
    rows = date_accuracy(documents, truth).set_index("date_source")
    # Measured: 306 of 2,653 articles dated from their text (12%); the year right for 175 (0.57,
    # 0.52-0.63); a year from the title 99 of 187 (0.53); an event date of the opening the right
    # year for 47 of 65 (0.72) but the publication day for 2 of 39 (median 23 days off): national
    # news quote dates of past events. Dates from the text are event dates, not publication dates.
    dated = rows.loc["(from the text)"]
    assert 300 <= dated["n_docs"] <= 340 and 0.45 <= dated["year_accuracy"] <= 0.65, dated
    assert dated["year_high"] < 0.7  # far from what a trend over years needs: the README says so
    event = rows.loc["event"]
    assert event["year_accuracy"] >= 0.6 and event["day_accuracy"] < 0.2, event
    assert rows.loc["(undated)", "share"] > 0.8
    # what check quotes is what is measured
    from toolkit.ingest.accuracy import MEASURED_FROM_TEXT

    assert dated["n_docs"] == MEASURED_FROM_TEXT["n_docs"]
    for key in ("year_accuracy", "year_low", "year_high"):
        assert round(dated[key], 2) == MEASURED_FROM_TEXT[key], key
