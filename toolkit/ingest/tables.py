"""Table inputs (CSV, JSONL, JSONL.gz, Parquet) with field mapping.

Each row of a table is one document. Which column holds the text, title, date,
id and URL is set by a :class:`FieldMap`; unset fields are looked up among
common column names. Rows are streamed (never the whole table in memory at
once for JSONL/CSV/Parquet), and every malformed row is reported with its
line number instead of stopping the run.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from toolkit.corpus import table_suffix
from toolkit.ingest.encoding import UndecodableError, decode_bytes

TEXT_CANDIDATES = ("text", "body", "content", "noi_dung", "article")
TITLE_CANDIDATES = ("title", "tieu_de", "headline")
DATE_CANDIDATES = ("date", "published", "publish_date", "pub_date", "ngay_dang")
ID_CANDIDATES = ("doc_id", "id")
URL_CANDIDATES = ("url", "link")

# CSV fields of real scraped pages exceed the csv module's 128 KiB default.
csv.field_size_limit(2**31 - 1)


@dataclass(frozen=True)
class FieldMap:
    """Which table columns hold the document's fields.

    ``text`` may name several columns separated by commas (``"sapo,body"``);
    they are joined as paragraphs. ``None`` means: the first present column
    among the usual names (``text``/``body``/``content``…, ``title``…,
    ``date``…, ``doc_id``/``id``, ``url``).
    """

    text: str | None = None
    title: str | None = None
    date: str | None = None
    id: str | None = None
    url: str | None = None

    def resolve(self, columns: list[str]) -> "ResolvedFields":
        present = set(columns)

        def pick(explicit: str | None, candidates: tuple[str, ...], name: str) -> tuple[str, ...]:
            if explicit:
                wanted = tuple(c.strip() for c in explicit.split(",") if c.strip())
                missing = [c for c in wanted if c not in present]
                if missing:
                    raise KeyError(
                        f"--{name}-field {','.join(missing)} not among the columns: {', '.join(columns)}"
                    )
                return wanted
            return next(((c,) for c in candidates if c in present), ())

        return ResolvedFields(
            text=pick(self.text, TEXT_CANDIDATES, "text"),
            title=pick(self.title, TITLE_CANDIDATES, "title"),
            date=pick(self.date, DATE_CANDIDATES, "date"),
            id=pick(self.id, ID_CANDIDATES, "id"),
            url=pick(self.url, URL_CANDIDATES, "url"),
        )


@dataclass(frozen=True)
class ResolvedFields:
    text: tuple[str, ...]
    title: tuple[str, ...]
    date: tuple[str, ...]
    id: tuple[str, ...]
    url: tuple[str, ...]

    def get(self, row: dict, name: str) -> str:
        parts = []
        for column in getattr(self, name):
            value = row.get(column)
            if value is None or (isinstance(value, float) and value != value):
                continue
            value = str(value).strip()
            if value:
                parts.append(value)
        return "\n\n".join(parts)


@dataclass(frozen=True)
class TableRow:
    """One row of a table: its 1-based position and either the record or why it is bad."""

    line: int
    record: dict | None
    error: str = ""


def _decoded_text(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    if table_suffix(path) == ".jsonl.gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise UndecodableError(f"corrupt gzip file: {exc}") from exc
    decoded = decode_bytes(data)
    return decoded.text, decoded.encoding


def iter_table_rows(path: str | Path) -> tuple[str, Iterator[TableRow]]:
    """Return the file's text encoding and an iterator over its rows.

    Raises
    ------
    UndecodableError
        When the file as a whole cannot be read (the caller rejects the file).
    """
    path = Path(path)
    suffix = table_suffix(path)
    if suffix == ".parquet":
        return "utf-8", _iter_parquet(path)
    text, encoding = _decoded_text(path)
    if suffix == ".csv":
        return encoding, _iter_csv(text)
    return encoding, _iter_jsonl(text)


def _iter_jsonl(text: str) -> Iterator[TableRow]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield TableRow(number, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield TableRow(number, None, f"a JSON {type(record).__name__}, not an object")
            continue
        yield TableRow(number, record)


def _iter_csv(text: str) -> Iterator[TableRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield TableRow(1, None, f"unreadable CSV header: {exc}")
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield TableRow(start, None, f"malformed CSV row: {exc}")
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            yield TableRow(start, None, f"{len(values)} fields where the header has {len(header)}")
            continue
        yield TableRow(start, dict(zip(header, values)))


def _iter_parquet(path: Path) -> Iterator[TableRow]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise UndecodableError(f"unreadable Parquet file: {exc}") from exc
    number = 0
    for batch in parquet.iter_batches(batch_size=2048):
        for record in batch.to_pylist():
            number += 1
            yield TableRow(number, record)

