"""The document table: its schema, and reading/writing it atomically.

Columns of the document table (one row per document, see README):

``doc_id, source, title, date, date_precision, date_source, year, views, category,
author, issuer, province, district, locality, province_2025, locality_evidence, body,
captions, duplicate_of, encoding``
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from toolkit.errors import UserError

logger = logging.getLogger("toolkit.corpus")

DOC_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "source",
    "title",
    "date",
    "date_precision",
    "date_source",
    "year",
    "views",
    "category",
    "author",
    "issuer",
    "province",
    "district",
    "locality",
    "province_2025",
    "locality_evidence",
    "body",
    "captions",
    "duplicate_of",
    "encoding",
)
#: Integer columns (nullable: unknown stays missing, never 0).
INT_COLUMNS = ("year", "views")
TABLE_SUFFIXES = (".parquet", ".csv", ".jsonl", ".jsonl.gz")


def table_suffix(path: str | os.PathLike) -> str:
    """The table format of ``path`` by its extension (``.jsonl.gz`` counts as one)."""
    name = Path(path).name.lower()
    for suffix in sorted(TABLE_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    raise UserError("unknown table format", path=path, fix=f"a table file ends in one of {', '.join(TABLE_SUFFIXES)}")


def empty_documents() -> pd.DataFrame:
    """An empty document table with the schema's columns and dtypes."""
    return conform(pd.DataFrame({c: [] for c in DOC_COLUMNS}))


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with exactly the schema's columns, in order, with schema dtypes.

    Missing text columns become empty strings; integer columns are nullable
    ``Int64``; extra columns are kept after the schema's ones.
    """
    out = df.copy()
    for col in DOC_COLUMNS:
        if col not in out.columns:
            out[col] = pd.NA if col in INT_COLUMNS else ""
    for col in DOC_COLUMNS:
        if col in INT_COLUMNS:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
        else:
            out[col] = out[col].fillna("").astype(str)
    # `locality` ("<district>, <province>") follows province and district, also
    # in tables written before the column existed or by researchers.
    from toolkit.places import with_locality

    out = with_locality(out)
    extra = [c for c in out.columns if c not in DOC_COLUMNS]
    return out[list(DOC_COLUMNS) + extra].reset_index(drop=True)


def apply_repost_policy(documents: pd.DataFrame, include_duplicates: bool = False) -> pd.DataFrame:
    """The documents that counts and models use: reposts left out unless ``include_duplicates``.

    The one rule behind every command that counts or models (``themes``,
    ``keyness``, ``kwic``, ``validate-themes``, ``collocations``, ``topics``,
    ``select``, ``effects``) and the pipeline (``[corpus] include_duplicates``):
    a repost (``duplicate_of`` set at ingest) is left out, so a story copied by
    several portals counts once. How many were left out is logged.

    Parameters
    ----------
    documents
        A document table; without a ``duplicate_of`` column nothing is left out.
    include_duplicates
        Keep the reposts.

    Returns
    -------
    DataFrame
        ``documents`` (with a fresh index when rows were left out).

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "duplicate_of": ["", "a", ""]})
    >>> apply_repost_policy(docs)["doc_id"].tolist()
    ['a', 'c']
    >>> apply_repost_policy(docs, include_duplicates=True)["doc_id"].tolist()
    ['a', 'b', 'c']
    """
    if include_duplicates or "duplicate_of" not in documents.columns:
        return documents
    repost = documents["duplicate_of"].fillna("").astype(str).str.strip() != ""
    n_reposts = int(repost.sum())
    if not n_reposts:
        return documents
    logger.info("%d of %d documents are reposts (duplicate_of set) and are left out; "
                "include_duplicates keeps them", n_reposts, len(documents))
    return documents[~repost.to_numpy()].reset_index(drop=True)


def _read_umask() -> int:
    mask = os.umask(0o022)  # the only way to read it: set and restore (once, at import)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    Readers never see a half-written file, and a failed write leaves any
    previous file untouched.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except (PermissionError, NotADirectoryError, FileExistsError) as exc:
        raise UserError(f"cannot write {path.name} here: {exc.strerror}", path=path.parent,
                        fix="choose an output folder you can write to (-o DIR, or output_dir in the config)") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp makes the file private (0600); give it the mode any new file of the user gets
        os.chmod(tmp_path, 0o666 & ~_UMASK)
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 text to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


#: The most characters a spreadsheet cell holds in Excel (longer texts are cut when a sheet is opened there).
EXCEL_CELL_LIMIT = 32_767


def write_table(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a table atomically; the format follows the extension.

    ``.parquet`` (pyarrow), ``.csv`` (UTF-8), ``.jsonl`` / ``.jsonl.gz``
    (one JSON object per line, non-ASCII kept as is).
    """
    return _write_table(df, Path(path), bom=False)


def write_sheet(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a sheet that people open in a spreadsheet to code it (``validate sample``, ``validate topics``).

    As :func:`write_table`, but a ``.csv`` starts with a UTF-8 byte order
    mark, without which Excel reads the file in the system's legacy code page
    and shows Vietnamese as mojibake ("Náºµng" for "Nẵng"); every
    reader of the toolkit, pandas, R's readr and LibreOffice skip it. Cells
    longer than Excel's limit (:data:`EXCEL_CELL_LIMIT` characters) are
    written whole, with a warning naming their rows: Excel would show them cut.
    """
    path = Path(path)
    text_columns = [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])]
    for column in text_columns:
        long = df[column].astype(str).str.len() > EXCEL_CELL_LIMIT
        if long.any():
            ids = df.loc[long, "doc_id"].astype(str).tolist() if "doc_id" in df.columns else []
            logger.warning("%s: %d cell(s) of column %r are longer than %d characters, which Excel cuts when it "
                           "opens the sheet (LibreOffice does not)%s", path, int(long.sum()), column,
                           EXCEL_CELL_LIMIT, f": doc_id {', '.join(ids[:5])}" if ids else "")
    return _write_table(df, path, bom=True)


def _write_table(df: pd.DataFrame, path: Path, *, bom: bool) -> Path:
    suffix = table_suffix(path)
    with atomic_path(path) as tmp:
        if suffix == ".parquet":
            df.to_parquet(tmp, index=False, engine="pyarrow")
        elif suffix == ".csv":
            df.to_csv(tmp, index=False, encoding="utf-8-sig" if bom else "utf-8", lineterminator="\n")
        else:
            opener = gzip.open if suffix == ".jsonl.gz" else open
            with opener(tmp, "wt", encoding="utf-8", newline="\n") as fh:
                for record in df.to_dict(orient="records"):
                    fh.write(json.dumps(_jsonable(record), ensure_ascii=False, sort_keys=False))
                    fh.write("\n")
    return path


def _jsonable(record: dict) -> dict:
    out = {}
    for key, value in record.items():
        if value is pd.NA or (isinstance(value, float) and value != value):
            out[key] = None
        elif hasattr(value, "item"):
            out[key] = value.item()
        elif hasattr(value, "tolist"):
            out[key] = value.tolist()
        else:
            out[key] = value
    return out


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a table written by :func:`write_table` (or any table of those formats)."""
    path = Path(path)
    suffix = table_suffix(path)
    if suffix == ".parquet":
        return pd.read_parquet(path, engine="pyarrow")
    if suffix == ".csv":
        _check_utf8(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", sep=csv_separator(path))
    return pd.read_json(path, lines=True, dtype=False, compression="gzip" if suffix.endswith(".gz") else None)


_SAVE_AS_UTF8 = ("save it again as \"CSV UTF-8 (Comma delimited)\" (Excel: File > Save As; LibreOffice: "
                 "character set Unicode (UTF-8))")


def _check_utf8(path: Path) -> None:
    """Raise a :class:`UserError` naming the line unless a CSV file is UTF-8 text (with or without a BOM).

    Excel's plain "CSV" writes the Windows code page of its locale (cp1258 in
    Vietnamese settings) and its "Unicode Text" UTF-16 with tabs; neither can
    be read as UTF-8, and guessing a code page would garble Vietnamese
    silently.
    """
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 1
    with open(path, "rb") as fh:
        first = True
        while True:
            chunk = fh.read(1 << 20)
            if first and chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise UserError("the file is UTF-16 text (Excel's \"Unicode Text\"), not a UTF-8 CSV", path=path,
                                fix=_SAVE_AS_UTF8)
            first = False
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # exc.start counts in the decoder's input: bytes held over from the last chunk, then this one
                at = max(0, exc.start - (len(exc.object) - len(chunk)))
                line = lines + chunk.count(b"\n", 0, at)
                raise UserError(f"line {line}: byte 0x{exc.object[exc.start]:02x} is not UTF-8 (the file was saved "
                                "in a legacy code page, such as Excel's plain \"CSV\" in Vietnamese settings, "
                                "cp1258)", path=path, fix=_SAVE_AS_UTF8) from None
            if not chunk:
                return
            lines += chunk.count(b"\n")


def csv_separator(path: str | os.PathLike) -> str:
    """The field separator of a UTF-8 CSV file: ``,``, ``;``, tab or ``|``, told from its head as ingest tells it
    (:func:`toolkit.ingest.tables.sniff_delimiter`).

    A spreadsheet saves CSV with the list separator of its locale: Excel in
    Vietnamese (and most European) settings writes ``;``, so a coding sheet
    opened, coded and saved there comes back semicolon-separated.
    """
    from toolkit.ingest.tables import sniff_delimiter

    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        head = fh.read(65536)
        complete = not fh.read(1)
    return sniff_delimiter(head, complete=complete)


def read_documents(path: str | os.PathLike) -> pd.DataFrame:
    """Read a document table and conform it to the schema."""
    return conform(read_table(path))


def iter_table_batches(path: str | os.PathLike, batch_size: int = 2048,
                       columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """Read a table in batches of rows, so a large corpus is never held at once.

    Parquet is read by row batches (pyarrow), JSONL and CSV by chunks.
    """
    path = Path(path)
    suffix = table_suffix(path)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size, columns=columns):
            yield batch.to_pandas()
    elif suffix == ".csv":
        for chunk in pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", chunksize=batch_size,
                                 usecols=columns, sep=csv_separator(path)):
            yield chunk
    else:
        with pd.read_json(path, lines=True, dtype=False, chunksize=batch_size,
                          compression="gzip" if suffix.endswith(".gz") else None) as reader:
            for chunk in reader:
                yield chunk[columns] if columns else chunk


class TableWriter:
    """Write a table batch by batch (Parquet or JSONL), atomically on close.

    >>> with TableWriter("tokens.parquet") as out:   # doctest: +SKIP
    ...     for part in parts:
    ...         out.write(part)
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.suffix = table_suffix(self.path)
        if self.suffix == ".csv":
            raise ValueError(f"{path}: stream tables to .parquet or .jsonl")
        self._ctx = None
        self._tmp: Path | None = None
        self._writer = None
        self._fh = None
        self.n_rows = 0

    def __enter__(self) -> TableWriter:
        self._ctx = atomic_path(self.path)
        self._tmp = self._ctx.__enter__()
        if self.suffix != ".parquet":
            opener = gzip.open if self.suffix == ".jsonl.gz" else open
            self._fh = opener(self._tmp, "wt", encoding="utf-8", newline="\n")
        return self

    def write(self, df: pd.DataFrame) -> None:
        if self.suffix == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(df, preserve_index=False)
            if self._writer is None:
                self._writer = pq.ParquetWriter(self._tmp, table.schema)
            self._writer.write_table(table.cast(self._writer.schema))
        else:
            for record in df.to_dict(orient="records"):
                self._fh.write(json.dumps(_jsonable(record), ensure_ascii=False))
                self._fh.write("\n")
        self.n_rows += len(df)

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._writer is not None:
            self._writer.close()
        elif self.suffix == ".parquet" and exc_type is None:
            # No batch at all: still leave a valid (empty) table behind.
            self._writer = None
        if self._fh is not None:
            self._fh.close()
        if exc_type is None and self.suffix == ".parquet" and self.n_rows == 0:
            pd.DataFrame().to_parquet(self._tmp, index=False)
        self._ctx.__exit__(exc_type, exc, tb)


class TokenTableStream:
    """Token lists of a token table, read batch by batch on every pass (``topics --stream``).

    :meth:`open` reads the ``doc_id`` column once to find the row of every
    kept document (the first row of an id, as :func:`toolkit.cli._shared.load_tokens` keeps);
    each iteration then reads ``doc_id, tokens`` in batches of ``batch_size``
    rows (:func:`toolkit.corpus.iter_table_batches`) and yields the kept rows'
    tokens in table order. Memory: one batch, the kept ids and one byte per
    row of the table, never the tokens of the whole table. (``topics --stream``
    reads its token table this way; it lived in ``toolkit.cli.topics``, which still exports it.)
    """

    def __init__(self, path: str | os.PathLike, rows, doc_ids: list[str], batch_size: int = 2048) -> None:
        self.path, self.rows, self.doc_ids, self.batch_size = path, rows, doc_ids, batch_size

    @classmethod
    def open(cls, path: str | os.PathLike, keep: set[str], batch_size: int = 2048) -> TokenTableStream:
        """Index the rows of the token table ``path`` that hold the documents ``keep``.

        Raises
        ------
        toolkit.errors.UserError
            When ``path`` has no ``doc_id``/``tokens`` column, or lacks a document of ``keep``.
        """
        import numpy as np

        path = Path(path)
        batches = iter_table_batches(path, 1)
        first = next(batches, None)
        batches.close()
        absent = [c for c in ("doc_id", "tokens") if first is None or c not in first.columns]
        if absent:
            raise UserError(f"{path} is not a token table (no column {', '.join(absent)})",
                            fix="write one with `toolkit preprocess`")
        rows, doc_ids, seen = [], [], set()
        for batch in iter_table_batches(path, batch_size, columns=["doc_id"]):
            for doc_id in batch["doc_id"].astype(str):
                use = doc_id in keep and doc_id not in seen
                rows.append(use)
                if use:
                    seen.add(doc_id)
                    doc_ids.append(doc_id)
        missing = sorted(keep - seen)
        if missing:
            raise UserError(f"{len(missing)} of the corpus's {len(keep)} documents have no row in {path} "
                            f"(e.g. doc_id {missing[0]})",
                            fix="give the token table of this corpus, or rerun `toolkit preprocess`")
        return cls(path, np.array(rows, dtype=bool), doc_ids, batch_size)

    def __iter__(self):
        start = 0
        for batch in iter_table_batches(self.path, self.batch_size, columns=["doc_id", "tokens"]):
            use = self.rows[start:start + len(batch)]
            start += len(batch)
            for tokens in batch["tokens"][use]:
                yield list(tokens)
