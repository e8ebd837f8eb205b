"""Table inputs (CSV, JSONL, JSONL.gz, Parquet) with field mapping.

Each row of a table is one document. Which column holds the text, title, date,
id and URL is set by a :class:`FieldMap`; unset fields are looked up among
common column names. Rows are streamed (never the whole table in memory at
once for JSONL/CSV/Parquet), and every malformed row is reported with its
line number instead of stopping the run.

A JSON Lines record ends at ``\n`` (or ``\r\n``) only and a CSV row where its
quoting says, so the other characters Unicode counts as line breaks (U+2028,
U+2029, U+0085, ``\x0b``, ``\x0c``, common in scraped text) stay inside their
field and line numbers are the file's physical lines. In the text of a
document they then become line breaks (:func:`normalize_line_breaks`).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import regex

from toolkit.corpus import table_suffix
from toolkit.ingest.encoding import UndecodableError, decode_bytes

TEXT_CANDIDATES = ("text", "body", "content", "noi_dung", "article")
TITLE_CANDIDATES = ("title", "tieu_de", "headline")
DATE_CANDIDATES = ("date", "published", "publish_date", "pub_date", "ngay_dang")
ID_CANDIDATES = ("doc_id", "id")
URL_CANDIDATES = ("url", "link")

# CSV fields of real scraped pages exceed the csv module's 128 KiB default.
csv.field_size_limit(2**31 - 1)

# What str.splitlines() ends a line at, besides "\n": inside a field, a line break.
_LINE_BREAK_RE = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028]")
# A line (not paragraph) break inside a sentence, i.e. before a lower-case word: Word's manual
# break \x0b, a page break \x0c, NEL, U+2028.
_SOFT_BREAK_IN_SENTENCE_RE = regex.compile(r"\h*[\x0b\x0c\x85\u2028]\h*(?=\p{Ll})")
_ANY_BREAK_RE = re.compile("\\s*(?:\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029])\\s*")


def normalize_line_breaks(text: str) -> str:
    """Every kind of line break in ``text`` written the one way the page parser reads lines.

    The characters Unicode counts as line ends (``\\r\\n``, ``\\r``, ``\\x0b``,
    ``\\x0c``, ``\\x1c``-``\\x1e``, U+0085, U+2028, U+2029) become ``"\\n"``, a
    paragraph separator (U+2029) ``"\\n\\n"``. A line or page break
    (``\\x0b``, ``\\x0c``, U+0085, U+2028) inside a sentence (a wrapped line, a
    pasted manual break: the next word begins in lower case) becomes a space,
    so the parts stay one paragraph and none is taken for a headline, an author
    line or a caption and left out of the body. No other character changes.

    Examples
    --------
    >>> normalize_line_breaks("Hội nghị giao ban.\\u2028Dự có\\x85đồng chí Bí thư.\\u2029Kết luận.")
    'Hội nghị giao ban.\\nDự có đồng chí Bí thư.\\n\\nKết luận.'
    """
    text = _SOFT_BREAK_IN_SENTENCE_RE.sub(" ", text)
    return _LINE_BREAK_RE.sub("\n", text).replace("\u2029", "\n\n")


def one_line(text: str) -> str:
    """``text`` with every line break (and the spaces around it) as one space: for titles.

    Examples
    --------
    >>> one_line("Giao ban công tác dân vận\\u2028quý III")
    'Giao ban công tác dân vận quý III'
    """
    return _ANY_BREAK_RE.sub(" ", text)


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
        """The field ``name`` of ``row``: its columns' values, stripped, joined as paragraphs.

        Line breaks of every kind become ``"\\n"`` in ``text``
        (:func:`normalize_line_breaks`) and a space in ``title``
        (:func:`one_line`); ``date``, ``id`` and ``url`` are only stripped.
        """
        parts = []
        for column in getattr(self, name):
            value = row.get(column)
            if value is None or (isinstance(value, float) and value != value):
                continue
            value = str(value)
            if name == "text":
                value = normalize_line_breaks(value)
            elif name == "title":
                value = one_line(value)
            value = value.strip()
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


def _physical_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(1-based number, line)`` of ``text`` split at ``"\\n"`` only, a final ``"\\r"`` removed."""
    start, number = 0, 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        number += 1
        line = text[start:end]
        yield number, line[:-1] if line.endswith("\r") else line
        start = end + 1


def _iter_jsonl(text: str) -> Iterator[TableRow]:
    # Not str.splitlines(): it also ends lines at U+2028, U+0085, \x0b... found inside JSON strings.
    for number, line in _physical_lines(text):
        if not line.strip():
            continue
        try:
            # strict=False: raw control characters (tabs, \x0b, \x0c) inside strings, as scrapers write them.
            record = json.loads(line, strict=False)
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

