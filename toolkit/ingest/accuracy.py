"""How well the date rules date real pages: inferred dates against the known dates of dated articles.

A page without a header, markup or address date is dated from its text
(``date_source`` ``event``, ``event+…-year``, ``review-year``, ``title-year``,
``banner-year``; :func:`toolkit.ingest.dates.infer_date`). How often those
rules give the right year — the figures over time group by it — is measured
by taking articles whose publication date is known, hiding it (and the
address, which often carries it), ingesting their text and comparing
(:func:`date_rules_without_dates`, then :func:`date_accuracy`). ``make
figures`` does so on the dantri articles of ``../shared`` when they are there
(``tables/date_quality``); README, "The document table", reports the numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.ingest.dates import PAGE_DATE_SOURCES

__all__ = ["date_accuracy", "date_rules_without_dates", "DATE_QUALITY_COLUMNS", "MEASURED_FROM_TEXT"]

#: What ``(from the text)`` of :func:`date_accuracy` measured on the dantri articles of ``../shared``
#: (``tests/test_date_quality.py`` checks it still holds): documents dated from the text, publication year
#: right, its 95% Wilson interval. ``check`` quotes it.
MEASURED_FROM_TEXT = {"n_docs": 306, "year_accuracy": 0.57, "year_low": 0.52, "year_high": 0.63}

#: Columns of :func:`date_accuracy`.
DATE_QUALITY_COLUMNS = ("date_source", "n_docs", "share", "year_correct", "year_accuracy", "year_low", "year_high",
                        "n_day", "day_correct", "day_accuracy", "day_low", "day_high", "within_7_days",
                        "median_days_off")


def _iso_day(value: object) -> str:
    """``YYYY-MM-DD`` of a date given as ``YYYY-MM-DD`` or ``YYYYMMDD``; "" otherwise."""
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value).strip()
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text if len(text) == 10 and text[4] == "-" and text[7] == "-" else ""


def date_accuracy(documents: pd.DataFrame, truth: pd.DataFrame, *, ci: float = 0.95) -> pd.DataFrame:
    """Accuracy of inferred dates against the true publication dates, per ``date_source``.

    Parameters
    ----------
    documents : DataFrame
        ``doc_id, date, year, date_source`` (the ingested document table).
    truth : DataFrame
        ``doc_id, date``: the true publication date (``YYYY-MM-DD`` or ``YYYYMMDD``).
    ci : float
        Coverage of the Wilson intervals.

    Returns
    -------
    DataFrame
        :data:`DATE_QUALITY_COLUMNS`, one row per ``date_source`` (most
        documents first; ``(undated)`` for documents the rules left undated,
        with their count and share only),
        then ``(all dated)`` (every dated document) and ``(from the text)``
        (the dates the rules read from the text: not a header, markup,
        address or table field). ``share``: of all documents; ``year_*``:
        documents whose inferred year is the publication year, with the
        interval; ``n_day`` / ``day_*``: documents dated to the day, and
        those whose day is the publication day; ``within_7_days``: share of
        them at most a week off; ``median_days_off``: median of |inferred −
        published| in days.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "date": ["2021-04-23", "", ""],
    ...                      "year": [2021, 2020, None], "date_source": ["event", "title-year", ""]})
    >>> truth = pd.DataFrame({"doc_id": ["a", "b", "c"], "date": ["20210423", "20210424", "20210425"]})
    >>> date_accuracy(docs, truth).set_index("date_source")["year_correct"].dropna().to_dict()
    {'event': 1, 'title-year': 0, '(all dated)': 1, '(from the text)': 1}
    """
    from toolkit.themes.shares import proportion_interval

    true = truth.assign(doc_id=truth["doc_id"].astype(str), true=truth["date"].map(_iso_day))[["doc_id", "true"]]
    frame = documents.assign(doc_id=documents["doc_id"].astype(str)).merge(true, on="doc_id", how="inner")
    if frame["true"].eq("").any():
        raise ValueError(f"{int(frame['true'].eq('').sum())} documents have no true date in YYYY-MM-DD or YYYYMMDD")
    source = frame["date_source"].fillna("").astype(str)
    year = pd.to_numeric(frame["year"], errors="coerce")
    frame = frame.assign(source=source.where(source != "", "(undated)"),
                         year_ok=year.eq(frame["true"].str[:4].astype(int)) & year.notna(),
                         day=frame["date"].map(_iso_day))
    frame["day_ok"] = frame["day"].eq(frame["true"]) & frame["day"].ne("")
    days = (pd.to_datetime(frame["true"], errors="coerce")
            - pd.to_datetime(frame["day"].where(frame["day"] != ""), errors="coerce")).dt.days.abs()
    frame["days_off"] = days
    groups = [(name, g) for name, g in frame.groupby("source", sort=False)]
    groups.sort(key=lambda item: (-len(item[1]), item[0]))
    dated = frame[frame["source"] != "(undated)"]
    groups += [("(all dated)", dated), ("(from the text)", dated[~dated["source"].isin(PAGE_DATE_SOURCES)])]
    rows = []
    for name, g in groups:
        n, n_day = len(g), int(g["day"].ne("").sum())
        y_ok, d_ok = int(g["year_ok"].sum()), int(g["day_ok"].sum())
        if name == "(undated)":  # no year to be right or wrong: only how many the rules leave undated
            rows.append((name, n, n / len(frame)) + (np.nan,) * (len(DATE_QUALITY_COLUMNS) - 3))
            continue
        (y_lo,), (y_hi,) = proportion_interval([y_ok], [n], ci=ci)
        (d_lo,), (d_hi,) = proportion_interval([d_ok], [n_day], ci=ci)
        off = g["days_off"].dropna()
        rows.append((name, n, n / len(frame) if len(frame) else np.nan, y_ok, y_ok / n if n else np.nan,
                     float(y_lo), float(y_hi), n_day, d_ok, d_ok / n_day if n_day else np.nan, float(d_lo), float(d_hi),
                     float((off <= 7).mean()) if len(off) else np.nan, float(off.median()) if len(off) else np.nan))
    out = pd.DataFrame(rows, columns=list(DATE_QUALITY_COLUMNS))
    return out.astype({"n_docs": "int64", "year_correct": "Int64", "n_day": "Int64", "day_correct": "Int64"})


def date_rules_without_dates(path: str | Path, *, text: str = "text", title: str = "title", date: str = "date",
                             doc_id: str = "doc_id", n_jobs: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ingest a JSON-lines table of dated articles with their dates (and addresses) hidden.

    Returns the ingested document table (dated only from the text) and the
    truth (``doc_id, date``) for :func:`date_accuracy`. The input file is
    read, never changed; the copy without dates is a temporary file.
    """
    import tempfile

    from toolkit.ingest.core import ingest_files
    from toolkit.ingest.tables import FieldMap

    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    truth = pd.DataFrame({"doc_id": [str(r[doc_id]) for r in rows], "date": [str(r.get(date) or "") for r in rows]})
    with tempfile.TemporaryDirectory() as tmp:
        hidden = Path(tmp) / f"{Path(path).stem}-without-dates.jsonl"
        hidden.write_text("".join(json.dumps({"doc_id": str(r[doc_id]), "title": r.get(title) or "",
                                              "text": r.get(text) or ""}, ensure_ascii=False) + "\n" for r in rows),
                          encoding="utf-8")
        result = ingest_files([hidden], fields=FieldMap(text="text", title="title", id="doc_id"), n_jobs=n_jobs)
    return result.documents, truth
