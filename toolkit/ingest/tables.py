"""Table inputs (CSV, JSONL, JSONL.gz, Parquet, tab-separated text) with field mapping.

Each row of a table is one document. Which column holds the text, title, date,
id, URL and category is set by a :class:`FieldMap`; unset fields are looked up
among common column names. A column named explicitly must be a column of every
table (:func:`check_named_columns`: a usage error before any row is read, not
one reject per row). Rows are streamed (never the whole table in memory at
once for JSONL/CSV/Parquet), and every malformed row is reported with its
line number instead of stopping the run.

A JSON Lines record ends at ``\n`` (or ``\r\n``) only and a CSV row where its
quoting says, so the other characters Unicode counts as line breaks (U+2028,
U+2029, U+0085, ``\x0b``, ``\x0c``, common in scraped text) stay inside their
field and line numbers are the file's physical lines. In the text of a
document they then become line breaks (:func:`normalize_line_breaks`).

A CSV file's fields may be separated by commas, semicolons (what Excel's "CSV"
writes where the decimal mark is a comma, as in a Vietnamese locale), tabs or
vertical bars: :func:`sniff_delimiter` tells which from the header and the
first rows. A text file (``.txt``, ``.tsv``, ``.tab``) whose head is a
tab-separated table with a header row (:func:`is_tab_table`: Excel's "Unicode
Text" and "Text (Tab delimited)" exports) is read as a table too.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import itertools
import json
import logging
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import regex

from toolkit.corpus import TABLE_SUFFIXES, table_suffix
from toolkit.errors import UserError
from toolkit.ingest.encoding import UndecodableError, decode_bytes

logger = logging.getLogger("toolkit.ingest")

TEXT_CANDIDATES = ("text", "body", "content", "noi_dung", "article")
TITLE_CANDIDATES = ("title", "tieu_de", "headline")
DATE_CANDIDATES = ("date", "published", "publish_date", "pub_date", "ngay_dang")
ID_CANDIDATES = ("doc_id", "id")
URL_CANDIDATES = ("url", "link")
CATEGORY_CANDIDATES = ("category", "chuyen_muc", "section")

#: The fields of a :class:`FieldMap` (option ``--<field>-field``) and the usual column names of each.
FIELD_CANDIDATES = {
    "text": TEXT_CANDIDATES,
    "title": TITLE_CANDIDATES,
    "date": DATE_CANDIDATES,
    "id": ID_CANDIDATES,
    "url": URL_CANDIDATES,
    "category": CATEGORY_CANDIDATES,
}

# How many records of a JSON Lines table give its columns (records need not all have the same keys).
_COLUMN_SNIFF_RECORDS = 1000

#: The field separators a CSV file may use, in order of preference when the file does not tell.
CSV_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
#: Extensions of text files read as a table when their head is a tab-separated table (:func:`is_tab_table`).
TAB_TABLE_SUFFIXES = (".txt", ".tsv", ".tab")
# The format of a tab-separated text file, beside the table suffixes of toolkit.corpus.
_TAB_TEXT = "tab"
# How many records of a table's head tell its field separator, or that a text file is a tab-separated table.
_SNIFF_RECORDS = 50
# A column name: a few words (letters, digits, some punctuation), not a sentence.
_COLUMN_NAME_RE = regex.compile(r"(?=.*\p{L})[\p{L}\p{M}\p{N}_][\p{L}\p{M}\p{N}_\p{Zs}.,()/#%&+*-]*")
_COLUMN_NAME_CHARS = 40
_COLUMN_NAME_WORDS = 6

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

    Each field may name several columns separated by commas (``"sapo,body"``);
    their values are joined as paragraphs. ``None`` means: the first present
    column among the usual names (:data:`FIELD_CANDIDATES`: ``text``/``body``/
    ``content``…, ``title``…, ``date``…, ``doc_id``/``id``, ``url``/``link``,
    ``category``/``chuyen_muc``/``section``).

    A column named here must be a column of the table, even for an optional
    field (title, date, id, URL, category): :func:`check_named_columns` stops
    the run otherwise. A row that has the column but no value in it has no
    value for the field (no text: the row is rejected).

    Examples
    --------
    >>> fields = FieldMap(text="sapo,noi_dung", category="muc")
    >>> fields.named()
    {'text': ('sapo', 'noi_dung'), 'category': ('muc',)}
    >>> fields.resolve(["sapo", "noi_dung", "tieu_de", "muc"]).title
    ('tieu_de',)
    """

    text: str | None = None
    title: str | None = None
    date: str | None = None
    id: str | None = None
    url: str | None = None
    category: str | None = None

    def named(self) -> dict[str, tuple[str, ...]]:
        """The columns of each field set explicitly, by field (unset fields left out)."""
        named = {}
        for name in FIELD_CANDIDATES:
            value = getattr(self, name)
            if value:
                named[name] = tuple(c.strip() for c in value.split(",") if c.strip())
        return named

    def resolve(self, columns: Iterable[str]) -> "ResolvedFields":
        """The columns of each field for a record (or table) with ``columns``.

        A field set explicitly keeps its columns, whether or not ``columns``
        has them (a record without them has no value for the field; whether the
        table has them is :func:`check_named_columns`'s business); an unset field
        gets the first of its usual names among ``columns``, else none.
        """
        present = set(columns)
        named = self.named()
        return ResolvedFields(**{
            name: named[name] if name in named else next(((c,) for c in candidates if c in present), ())
            for name, candidates in FIELD_CANDIDATES.items()
        })


def table_columns(path: str | Path, wanted: Collection[str] = ()) -> list[str]:
    """The column names of a table file, in the table's order.

    A CSV file's header (its fields separated as :func:`sniff_delimiter`
    says), a tab-separated text file's header, a Parquet file's schema; for
    JSON Lines, whose records
    need not share their keys, the keys of its records in order of first
    appearance, read until every column of ``wanted`` has been seen or after
    1,000 records (so a column first used further down counts as absent).

    Raises
    ------
    UndecodableError, OSError, csv.Error
        When the file cannot be read (the caller rejects it when reading its rows).
    """
    path = Path(path)
    kind = table_format(path)
    if kind == ".parquet":
        import pyarrow.parquet as pq

        try:
            return list(pq.ParquetFile(path).schema_arrow.names)
        except Exception as exc:  # pyarrow raises several types for corrupt files
            raise UndecodableError(f"unreadable Parquet file: {exc}") from exc
    lines = _decoded_lines(path)
    try:
        if kind in (".csv", _TAB_TEXT):
            delimiter, head = _delimiter_of(lines, kind)
            pieces = (piece for line in head for piece in io.StringIO(line.text + line.end, newline=""))
            return _clean_header(next(csv.reader(pieces, delimiter=delimiter), []))
        columns: dict[str, None] = {}
        for row in itertools.islice(_iter_jsonl(lines), _COLUMN_SNIFF_RECORDS):
            columns.update(dict.fromkeys(row.record or ()))
            if wanted and set(wanted) <= columns.keys():
                break
        return list(columns)
    finally:
        lines.close()


def check_named_columns(tables: Iterable[tuple[str | Path, str]], fields: FieldMap) -> None:
    """Stop when a column named by ``fields`` is not a column of a table (:func:`table_columns`).

    A misspelt ``--text-field`` would otherwise reject every row with the same
    reason, and a misspelt optional field (``--title-field``, ``--date-field``…)
    would reject or empty every row of the table. When several tables are read
    at once, every table must have every named column: a table lacking one is
    not read with the usual names instead (its rows would be mapped unlike the
    others'), and the error names each table lacking a column, with the
    table's columns and the closest name. Tables whose columns cannot be read
    (empty, binary, no record) are left to the rejects report.

    Parameters
    ----------
    tables
        ``(path, label)`` of each table; the label names it in the message.
    fields
        The field mapping; only explicitly set fields are checked.

    Raises
    ------
    UserError
        Naming each table that lacks a named column (as ``path`` when it is
        the only one), the missing columns and their options, the table's
        columns and the closest column names.

    Examples
    --------
    >>> check_named_columns([("bai_viet.jsonl", "bai_viet.jsonl")], FieldMap(text="contnet"))  # doctest: +SKIP
    Traceback (most recent call last):
    toolkit.errors.UserError: bai_viet.jsonl: no column 'contnet' (--text-field); its columns: id, title, content, date
      fix: did you mean --text-field content?
    """
    named = fields.named()
    if not named:
        return
    wanted = {c for columns in named.values() for c in columns}
    tables = list(tables)
    lacking: dict[str, tuple[list[str], list[tuple[str, str]]]] = {}  # label -> its columns, (option, column)
    for path, label in tables:
        try:
            columns = table_columns(path, wanted)
        except (UndecodableError, OSError, csv.Error):
            continue  # rejected with its reason when its rows are read
        if not columns:
            continue  # no header or no record: its rows, if any, are rejected with their reasons
        missing = [(f"--{name}-field", c) for name, cols in named.items() for c in cols if c not in columns]
        if missing:
            lacking[label] = (columns, missing)
    if not lacking:
        return

    def describe(columns: list[str], missing: list[tuple[str, str]]) -> tuple[str, list[str]]:
        what = ", ".join(f"{column!r} ({option})" for option, column in missing)
        guesses = [f"{option} {close[0]}" for option, column in missing
                   if (close := difflib.get_close_matches(column, columns, n=1, cutoff=0.6))]
        return f"no column {what}; its columns: {', '.join(columns)}", guesses

    if len(lacking) == 1:
        label, (columns, missing) = next(iter(lacking.items()))
        message, guesses = describe(columns, missing)
        options = sorted({option for option, _ in missing})
        optional = [o for o in options if o != "--text-field"]
        fix = (f"did you mean {' '.join(guesses)}?" if guesses else
               f"name one of its columns with {' / '.join(options)}"
               + (f", or leave {' and '.join(optional)} out (optional; the usual column names are then used)"
                  if optional else ""))
        raise UserError(message, path=label, fix=fix)
    lines = []
    for label, (columns, missing) in lacking.items():
        message, guesses = describe(columns, missing)
        lines.append(f"  {label}: {message}" + (f"; did you mean {' '.join(guesses)}?" if guesses else ""))
    raise UserError(
        f"{len(lacking)} of {len(tables)} tables lack a column named by an option:\n" + "\n".join(lines),
        fix="name columns that every table has, or read the tables with other columns in a run of their own, "
            "with their own options")


@dataclass(frozen=True)
class ResolvedFields:
    text: tuple[str, ...]
    title: tuple[str, ...]
    date: tuple[str, ...]
    id: tuple[str, ...]
    url: tuple[str, ...]
    category: tuple[str, ...] = ()

    def get(self, row: dict, name: str) -> str:
        """The field ``name`` of ``row``: its columns' values, stripped, joined as paragraphs.

        Line breaks of every kind become ``"\\n"`` in ``text``
        (:func:`normalize_line_breaks`) and a space in ``title`` and
        ``category`` (:func:`one_line`); ``date``, ``id`` and ``url`` are only
        stripped. A column the row does not have gives nothing.
        """
        parts = []
        for column in getattr(self, name):
            value = row.get(column)
            if value is None or (isinstance(value, float) and value != value):
                continue
            value = str(value)
            if name == "text":
                value = normalize_line_breaks(value)
            elif name in ("title", "category"):
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
    file. UTF-16 tables (Excel's "Unicode Text") are decoded whole. A CSV
    file's field separator is the one :func:`sniff_delimiter` finds in its
    head (logged at debug level); any other file (``.txt``: the caller has
    asked :func:`is_tab_table`) is read as a tab-separated table with a
    header row.

    Raises
    ------
    UndecodableError
        When the file as a whole cannot be read (empty, binary, not gzip,
        unreadable Parquet): the caller rejects the file.
    """
    path = Path(path)
    kind = table_format(path)
    if kind == ".parquet":
        return _iter_parquet(path)
    lines = _decoded_lines(path)
    first = next(lines, None)  # reads the head now, so a file-level error is raised here
    if first is None:
        raise UndecodableError("empty file")
    lines = itertools.chain([first], lines)
    if kind not in (".csv", _TAB_TEXT):
        return _iter_jsonl(lines)
    delimiter, lines = _delimiter_of(lines, kind)
    logger.debug("%s: a table with its fields separated by %s", path, _DELIMITER_NAMES[delimiter])
    return _iter_csv(lines, delimiter)


def sniff_delimiter(sample: str, *, complete: bool = True) -> str:
    """The field separator of a CSV table, told from its head: one of :data:`CSV_DELIMITERS`.

    Each candidate must split the header into two columns or more; among
    those, the one that gives the most of the following records (up to 50)
    as many fields as the header wins, then the one giving more columns, then
    the first of ``,`` ``;`` tab ``|``. Quoting is the CSV's own, so the other
    separators inside a quoted field (``"kinh tế; quốc phòng"``, ``102,5%``)
    do not count. With one column, or nothing to tell, a comma.

    Parameters
    ----------
    sample
        The first lines of the file, decoded.
    complete
        False when ``sample`` is a cut-off head of the file: its last record,
        perhaps cut short, is left out.

    Examples
    --------
    >>> sniff_delimiter('Tiêu đề;Nội dung\\nGiao ban quý III;"Thu ngân sách đạt 102,5%, vượt dự toán"\\n')
    ';'
    >>> sniff_delimiter('title,text\\nGiao ban,"Bàn 3 nội dung: kinh tế; quốc phòng; xây dựng Đảng"\\n')
    ','
    """
    best, best_score = ",", (-1.0, 0)
    for delimiter in CSV_DELIMITERS:
        records = _head_records(sample, delimiter, complete)
        if not records or len(records[0]) < 2:
            continue
        width, body = len(records[0]), records[1:]
        consistent = sum(len(r) == width for r in body) / len(body) if body else 0.0
        if (consistent, width) > best_score:
            best, best_score = delimiter, (consistent, width)
    return best


def looks_like_tab_table(text: str, *, complete: bool = True) -> bool:
    """Whether ``text`` (the decoded head of a text file) is a tab-separated table with a header row.

    The first line must name two columns or more, each a name, not a
    sentence: at most 40 characters and 6 words, of letters, digits, spaces
    and ``_ . , ( ) / # % & + * -``, not ending in ``.`` or ``,``. At least
    80% of the records under it (up to 50; at least one) must have as many
    fields. Fields are quoted as Excel quotes them
    (a cell holding a quote, a tab or a line break). A text page has a
    headline and prose, with a tab here and there, so it is not a table; nor
    is a page opening with a line of menu items.

    Parameters
    ----------
    text
        The head of the file, decoded.
    complete
        False when ``text`` is a cut-off head: its last record is left out.

    Examples
    --------
    >>> looks_like_tab_table("Tiêu đề\\tNội dung\\tNgày đăng\\n"
    ...                      "Giao ban quý III\\tHội nghị giao ban công tác dân vận.\\t15/09/2023\\n")
    True
    >>> looks_like_tab_table("Hội nghị giao ban công tác dân vận quý III\\n"
    ...                      "Sáng 15/9, Ban Dân vận Huyện ủy tổ chức hội nghị.\\tDự có đồng chí Bí thư.\\n")
    False
    """
    records = _head_records(text, "\t", complete)
    if len(records) < 2:
        return False
    header = [cell.strip().lstrip("\ufeff").strip() for cell in records[0]]
    if len(header) < 2 or not all(_is_column_name(cell) for cell in header):
        return False
    body = records[1:]
    return sum(len(r) == len(header) for r in body) >= 0.8 * len(body)


def is_tab_table(path: str | Path) -> bool:
    """Whether the text file ``path`` is a tab-separated table with a header row, to read as a table.

    Excel saves a sheet as "Unicode Text" (UTF-16 with a BOM) or "Text (Tab
    delimited)" (the Windows code page: Windows-1258 in Vietnam) in a ``.txt``
    file: one row a line, cells separated by tabs, the column names first.
    A file ending in one of :data:`TAB_TABLE_SUFFIXES` whose first line has a
    tab and whose decoded head (up to 64 KiB) :func:`looks_like_tab_table` is
    one; any other file, an unreadable one included, is not (a page).
    """
    path = Path(path)
    if not path.name.lower().endswith(TAB_TABLE_SUFFIXES):
        return False
    try:
        with open(path, "rb") as stream:
            first_line = stream.read(_SNIFF_BYTES).split(b"\n", 1)[0]
        if b"\t" not in first_line:  # most text pages: told without decoding
            return False
        lines = _decoded_lines(path)
        try:
            head, complete = _head_lines(lines)
        finally:
            lines.close()
    except (UndecodableError, OSError):
        return False
    return looks_like_tab_table("".join(line.text + line.end for line in head), complete=complete)


def _is_column_name(cell: str) -> bool:
    return (0 < len(cell) <= _COLUMN_NAME_CHARS and len(cell.split()) <= _COLUMN_NAME_WORDS
            and _COLUMN_NAME_RE.fullmatch(cell) is not None and not cell.endswith((".", ",")))


def _head_records(sample: str, delimiter: str, complete: bool) -> list[list[str]]:
    """The first non-blank records of ``sample`` read with ``delimiter`` (the last one left out if cut off)."""
    records = []
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append(record)
                if len(records) > _SNIFF_RECORDS:
                    return records
    except csv.Error:
        return []
    return records if complete else records[:-1]


def _head_lines(lines: Iterator[_Line]) -> tuple[list[_Line], bool]:
    """The first lines of a table, up to :data:`_SNIFF_BYTES` characters, and whether they are all of it."""
    head, size = [], 0
    for line in lines:
        head.append(line)
        size += len(line.text) + len(line.end)
        if size >= _SNIFF_BYTES:
            return head, False
    return head, True


def _delimiter_of(lines: Iterator[_Line], kind: str) -> tuple[str, Iterator[_Line]]:
    """The field separator of a CSV (sniffed) or tab-separated text table, and its lines, the head included."""
    if kind == _TAB_TEXT:
        return "\t", lines
    head, complete = _head_lines(lines)
    delimiter = sniff_delimiter("".join(line.text + line.end for line in head), complete=complete)
    return delimiter, itertools.chain(head, lines)


def table_format(path: str | Path) -> str:
    """How a table file is read: its table suffix (:func:`~toolkit.corpus.table_suffix`), else ``"tab"``.

    ``".parquet"``, ``".csv"``, ``".jsonl"`` or ``".jsonl.gz"`` by the
    extension; any other file is read as a tab-separated text table (one
    that :func:`is_tab_table` recognised).

    Examples
    --------
    >>> table_format("bai_viet.jsonl.gz"), table_format("bai_viet_excel.txt")
    ('.jsonl.gz', 'tab')
    """
    return table_suffix(path) if Path(path).name.lower().endswith(TABLE_SUFFIXES) else _TAB_TEXT


def _open_binary(path: Path):
    if table_format(path) == ".jsonl.gz":
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
        if table_format(path) == ".jsonl.gz":
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


def _iter_csv(lines: Iterator[_Line], delimiter: str = ",") -> Iterator[TableRow]:
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

    reader = csv.reader(text_lines(), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield TableRow(1, None, f"unreadable CSV header: {exc}")
        return
    header = _clean_header(header)
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


def _clean_header(header: list[str]) -> list[str]:
    return [h.strip().lstrip("\ufeff") for h in header]


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

