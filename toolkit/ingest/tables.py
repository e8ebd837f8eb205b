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
import itertools
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
    """One row of a table: its 1-based line, either the record or why it is bad, and how its text was read."""

    line: int
    record: dict | None
    error: str = ""
    #: The row's text encoding (one of :data:`toolkit.ingest.encoding.ENCODINGS`, ``+`` repairs), "" when unknown.
    encoding: str = ""


# How much of a table is looked at to tell UTF-16 (read whole) from byte-oriented encodings (read line by line).
_SNIFF_BYTES = 1 << 16
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class _Line:
    number: int
    text: str  # without its line end
    end: str  # "\n", "\r\n" or "" (the last line)
    encoding: str = ""
    error: str = ""


def iter_table_rows(path: str | Path) -> Iterator[TableRow]:
    """The rows of a table file, streamed: memory stays that of one row, whatever the file's size.

    JSONL and CSV are read line by line and each line is decoded on its own
    (:func:`~toolkit.ingest.encoding.decode_bytes`: UTF-8, legacy Vietnamese
    encodings and their repairs), so a table of any size is never held, nor
    repaired, as one string, and an undecodable line rejects its row, not the
    file. UTF-16 tables (rare) are decoded whole.

    Raises
    ------
    UndecodableError
        When the file as a whole cannot be read (empty, binary, not gzip,
        unreadable Parquet): the caller rejects the file.
    """
    path = Path(path)
    suffix = table_suffix(path)
    if suffix == ".parquet":
        return _iter_parquet(path)
    lines = _decoded_lines(path)
    first = next(lines, None)  # reads the head now, so a file-level error is raised here
    if first is None:
        raise UndecodableError("empty file")
    lines = itertools.chain([first], lines)
    return _iter_csv(lines) if suffix == ".csv" else _iter_jsonl(lines)


def _open_binary(path: Path):
    if table_suffix(path) == ".jsonl.gz":
        return gzip.open(path, "rb")
    return open(path, "rb", buffering=_SNIFF_BYTES)


def _split_end(raw: bytes) -> tuple[bytes, str]:
    if raw.endswith(b"\r\n"):
        return raw[:-2], "\r\n"
    if raw.endswith(b"\n"):
        return raw[:-1], "\n"
    return raw, ""


def _decoded_lines(path: Path) -> Iterator[_Line]:
    """The file's physical lines (ended by ``"\\n"`` only), each decoded on its own; blank lines kept."""
    try:
        stream = _open_binary(path)
        head = stream.peek(_SNIFF_BYTES)[:_SNIFF_BYTES]  # at least one byte unless the file is empty
    except (OSError, EOFError) as exc:
        if table_suffix(path) == ".jsonl.gz":
            raise UndecodableError(f"corrupt gzip file: {exc}") from exc
        raise
    with stream:
        if not head:
            raise UndecodableError("empty file")
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
            yield from _utf16_lines(stream)
            return
        bom = head.startswith(_UTF8_BOM)
        number = 0
        try:
            for raw in stream:
                number += 1
                if number == 1 and bom:
                    raw = raw[len(_UTF8_BOM):]
                content, end = _split_end(raw)
                if not content.strip():
                    yield _Line(number, content.decode("latin-1"), end)
                    continue
                try:
                    decoded = decode_bytes(content)
                except UndecodableError as exc:
                    # Latin-1 keeps every byte, so the quotes and commas of a CSV line stay where the file has them.
                    yield _Line(number, content.decode("latin-1"), end, error=str(exc))
                    continue
                label = decoded.encoding
                if bom and label.startswith("utf-8") and not label.startswith("utf-8-sig"):
                    label = "utf-8-sig" + label[len("utf-8"):]
                yield _Line(number, decoded.text, end, label)
        except (OSError, EOFError) as exc:  # a gzip stream that breaks off part way
            yield _Line(number + 1, "", "", error=f"corrupt gzip file from here on: {exc}")


def _utf16_lines(stream) -> Iterator[_Line]:
    decoded = decode_bytes(stream.read())  # raises for binary files
    for number, line in _physical_lines(decoded.text):
        yield _Line(number, line, "\n", decoded.encoding)


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


def _iter_jsonl(lines: Iterator[_Line]) -> Iterator[TableRow]:
    # Lines end at "\n" only, not where str.splitlines() would (U+2028, U+0085, \x0b... inside JSON strings).
    for line in lines:
        if line.error:
            yield TableRow(line.number, None, line.error)
            continue
        if not line.text.strip():
            continue
        try:
            # strict=False: raw control characters (tabs, \x0b, \x0c) inside strings, as scrapers write them.
            record = json.loads(line.text, strict=False)
        except json.JSONDecodeError as exc:
            yield TableRow(line.number, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield TableRow(line.number, None, f"a JSON {type(record).__name__}, not an object")
            continue
        yield TableRow(line.number, record, encoding=line.encoding)


def _iter_csv(lines: Iterator[_Line]) -> Iterator[TableRow]:
    # Lines as the csv module counts them (a lone "\r" ends one too) -> the physical line they are part of,
    # with its encoding and why it could not be decoded, kept until the rows that span them are read.
    seen: dict[int, _Line] = {}

    def text_lines() -> Iterator[str]:
        counted = 0
        for line in lines:
            for piece in io.StringIO(line.text + line.end, newline=""):
                counted += 1
                seen[counted] = line
                yield piece

    reader = csv.reader(text_lines())
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield TableRow(1, None, f"unreadable CSV header: {exc}")
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    for number in range(1, reader.line_num + 1):
        seen.pop(number, None)
    while True:
        start = reader.line_num + 1
        try:
            values, error = next(reader), ""
        except StopIteration:
            return
        except csv.Error as exc:
            values, error = [], f"malformed CSV row: {exc}"
        spanned = [seen.pop(n) for n in range(start, reader.line_num + 1) if n in seen]
        first = spanned[0].number if spanned else start  # the file's physical line, not the csv module's count
        undecodable = next((f"line {line.number}: {line.error}" for line in spanned if line.error), "")
        if undecodable or error:
            yield TableRow(first, None, undecodable or error)
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            yield TableRow(first, None, f"{len(values)} fields where the header has {len(header)}")
            continue
        yield TableRow(first, dict(zip(header, values)), encoding=spanned[0].encoding if spanned else "")


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
            yield TableRow(number, record, encoding="utf-8")

