"""Walk raw inputs and build the document table.

Every input file is read, never modified. A file or row that cannot be used
goes to the rejects table (``source, line, reason``) and the run goes on. A
folder's files that cannot be pages or tables by their extension (styles,
scripts, images, fonts, media) and the folders of files a browser saves beside
a page are skipped and counted in the log. A column named by the field mapping
that a table lacks is a usage error, raised before any input is parsed.

Document ids are stable: the SHA-256 of a page file's raw bytes, or for a
table row the value of its id field (else the hash of its title and text),
so the same input gives the same id on every run and machine. Ids that
collide within a run (the same bytes twice) get a ``-2``, ``-3``… suffix in
input order.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import multiprocessing as mp
import os
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
from tqdm.auto import tqdm

from toolkit.collect.pages import PageReading, read_page
from toolkit.corpus import TABLE_SUFFIXES, conform, empty_documents
from toolkit.distributed import BatchRunner
from toolkit.ingest.dates import parse_header_date
from toolkit.ingest.dedup import find_near_duplicates
from toolkit.ingest.encoding import UndecodableError, decode_bytes
from toolkit.ingest.htmlpage import vietnam_day, parse_html
from toolkit.ingest.pages import parse_page, unescape_entities, unsegment
from toolkit.ingest.tables import (
    FieldMap, ResolvedFields, check_named_columns, is_tab_table, iter_table_rows, table_format,
)
from toolkit.ingest.warc import WarcReject, is_collect_bookkeeping, is_warc, iter_warc_pages
from toolkit.places import (
    Locality,
    SourceMap,
    canonical_district,
    canonical_province,
    infer_locality,
    list_provinces,
    load_sources,
    locality_key,
    named_districts,
    place_name_at,
    province_2025,
)

logger = logging.getLogger("toolkit.ingest")

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".aspx", ".php")
REJECT_COLUMNS = ("source", "line", "reason")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")


@dataclass
class IngestResult:
    """Documents read and inputs rejected (``source, line, reason``)."""

    documents: pd.DataFrame
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(REJECT_COLUMNS)))


@dataclass(frozen=True)
class IngestOptions:
    fields: FieldMap = FieldMap()
    sources: SourceMap | None = None
    #: A bar over the rows of a table (None: on a terminal), shown in the main process only.
    progress: bool | None = None


#: Extensions of files that are never pages nor tables, by kind: what a browser's "Save page as…" leaves beside a
#: page, and a site's static files. Met in a folder, they are skipped (counted once in the log); a file named on
#: the command line is rejected with its kind as the reason.
ASSET_SUFFIXES: dict[str, str] = {suffix: kind for kind, suffixes in (
    ("style sheet", ".css .scss .sass .less"),
    ("script", ".js .mjs .cjs"),
    ("source map", ".map"),
    ("image", ".png .jpg .jpeg .jfif .gif .webp .svg .svgz .ico .cur .bmp .tif .tiff .avif .heic .heif"),
    ("font", ".woff .woff2 .ttf .otf .eot"),
    ("audio or video file", ".mp3 .mp4 .m4a .m4v .aac .wav .ogg .oga .ogv .opus .webm .avi .mov .flv .wmv .mkv .swf"),
) for suffix in suffixes.split()}

#: How browsers name the folder of a page saved complete (``page.html`` beside ``page_files/``): Chrome, Firefox,
#: Edge and Internet Explorer in English and Vietnamese (``_files``), German, French, Spanish, Portuguese, Dutch,
#: Danish and Norwegian, Polish, Czech, Finnish and Turkish.
SAVED_PAGE_FOLDER_SUFFIXES = ("_files", ".files", "-dateien", "_fichiers", "_archivos", "_arquivos", "_bestanden",
                              "-filer", "_pliki", "_soubory", "_tiedostot", "_dosyalar")


def _asset_kind(name: str) -> str:
    """The kind of file ``name`` is when its extension says it is no page and no table, else ``""``."""
    return ASSET_SUFFIXES.get(os.path.splitext(name)[1].lower(), "")


def _saved_page_folder(name: str, siblings: Iterable[str]) -> bool:
    """Whether folder ``name`` holds a saved page's files: ``<stem>_files`` beside ``<stem>.html`` (``.htm``…)."""
    low = name.lower()
    pages = {sibling.lower() for sibling in siblings}
    for suffix in SAVED_PAGE_FOLDER_SUFFIXES:
        if low.endswith(suffix) and len(low) > len(suffix):
            stem = low[:-len(suffix)]
            if any(stem + html in pages for html in HTML_SUFFIXES):
                return True
    return False


@dataclass
class _Walk:
    """The input files found under the paths, and what the walk left out."""

    files: list[tuple[Path, str]]
    #: extension → files skipped by their extension (outside saved pages' folders)
    assets: Counter = field(default_factory=Counter)
    #: label of each saved page's folder skipped whole → its number of files
    saved_page_folders: dict[str, int] = field(default_factory=dict)


def _walk_inputs(paths: Iterable[str | os.PathLike]) -> _Walk:
    found: dict[str, Path] = {}
    assets: Counter = Counter()
    companions: dict[str, int] = {}
    for raw in paths:
        root = Path(raw)
        if root.is_dir():
            for folder, dirs, names in os.walk(root):
                rel = Path(folder).relative_to(root)
                kept = []
                for name in sorted(dirs):
                    if name.startswith("."):
                        continue
                    if _saved_page_folder(name, names):
                        companions[(Path(raw) / rel / name).as_posix()] = sum(
                            len(files) for _, _, files in os.walk(Path(folder) / name))
                        continue
                    kept.append(name)
                dirs[:] = kept
                for name in names:
                    path = Path(folder) / name
                    if name.startswith(".") or not path.is_file():
                        continue
                    if _asset_kind(name):
                        assets[os.path.splitext(name)[1].lower()] += 1
                        continue
                    found[(Path(raw) / rel / name).as_posix()] = path
        elif root.exists():
            found[root.as_posix()] = root   # named by the user: read whatever it is
        else:
            raise FileNotFoundError(f"{raw}: no such file or folder")
    return _Walk([(found[label], label) for label in sorted(found)], assets, companions)


def iter_input_files(paths: Iterable[str | os.PathLike]) -> list[tuple[Path, str]]:
    """Files under ``paths`` (recursive), as ``(path, source label)`` sorted by label.

    Hidden files and folders (``.name``) are skipped, and so, in a folder, are
    files that cannot be pages or tables by their extension
    (:data:`ASSET_SUFFIXES`: style sheets, scripts, images, fonts, media) and
    the folder of files a browser saves beside a page (``<name>_files`` next
    to ``<name>.html``, :data:`SAVED_PAGE_FOLDER_SUFFIXES`). A file named in
    ``paths`` is always listed. The label is the path as the user wrote it for
    files, and ``folder/relative/path`` for folder members, always with ``/``,
    so it is the same on every machine.
    """
    return _walk_inputs(paths).files


def _log_skipped(walk: _Walk) -> None:
    """One line for what the walk left out (a folder of saved pages has three assets per page)."""
    parts = []
    if walk.saved_page_folders:
        n_folders, n_files = len(walk.saved_page_folders), sum(walk.saved_page_folders.values())
        parts.append(f"{n_files} files in {n_folders} saved pages' folders of styles, scripts and images "
                     f"(e.g. {next(iter(sorted(walk.saved_page_folders)))!r})")
    if walk.assets:
        kinds = ", ".join(f"{suffix} ×{n}" for suffix, n in sorted(walk.assets.items(), key=lambda x: (-x[1], x[0])))
        parts.append(f"{sum(walk.assets.values())} files that cannot be pages or tables ({kinds})")
    if parts:
        logger.info("skipped %s; name a file on the command line to have it read", " and ".join(parts))


def ingest_files(
    paths: Iterable[str | os.PathLike],
    *,
    fields: FieldMap | None = None,
    sources: SourceMap | str | os.PathLike | None = None,
    dedup_threshold: float = 0.8,
    n_jobs: int = 1,
    progress: bool | None = None,
    scheduler=None,
) -> IngestResult:
    """Read pages and tables into the document table, with a rejects report.

    Parameters
    ----------
    paths
        Files or folders (searched recursively). Text pages (any other
        extension), HTML pages (``.html``/``.htm``…) and tables
        (``.csv``, ``.jsonl``, ``.jsonl.gz``, ``.parquet``). An HTML page
        that the crawler's reading calls a listing is rejected
        (:func:`saved_page_reading`). In a folder, files that cannot be pages
        or tables (:data:`ASSET_SUFFIXES`) and a saved page's ``<name>_files``
        folder are skipped (:func:`iter_input_files`); office documents and
        PDFs are rejected with what to do (:func:`office_format`). The rows of
        a document table written by ``ingest -o`` are kept as they are
        (:data:`DOCUMENT_TABLE_MARKERS`), only reposts being marked again.
    fields
        Column mapping for tables (see :class:`~toolkit.ingest.tables.FieldMap`).
    sources
        A :class:`~toolkit.places.SourceMap` or the path of a sources file
        mapping folders, globs or site domains to localities. Documents it
        does not cover get their locality inferred from the text; an entry
        naming only the province keeps the district inferred from the text
        when it lies in that province (:func:`district_within_rule`).
    dedup_threshold
        Estimated Jaccard similarity of word 5-shingles above which a
        document is marked as a repost (``duplicate_of``) of an earlier one.
    n_jobs
        Worker processes for parsing (``-1``: all cores).
    progress
        Show a progress bar (default: when attached to a terminal).
    scheduler
        Parse on this Dask cluster (address or ``Client``) instead of local
        processes; the workers must see the input paths.

    Returns
    -------
    IngestResult
        ``documents`` conforms to :data:`toolkit.corpus.DOC_COLUMNS`, sorted
        by ``source``; ``rejects`` lists ``source, line, reason``.

    Raises
    ------
    FileNotFoundError
        When a path does not exist.
    UserError
        Before anything is parsed, when ``fields`` names a column that a table
        does not have (:func:`~toolkit.ingest.tables.check_named_columns`):
        every table must have every named column; the error names each table
        lacking one, the column and the table's columns.
    """
    if sources is not None and not isinstance(sources, SourceMap):
        sources = load_sources(sources)
    options = IngestOptions(fields=fields or FieldMap(), sources=sources, progress=progress)
    walk = _walk_inputs(paths)
    _log_skipped(walk)
    # a `collect` folder: its WARC files are read, its ledger is bookkeeping
    files = [(path, label) for path, label in walk.files if not is_collect_bookkeeping(path)]
    check_named_columns([(path, label) for path, label in files if _is_table(label)], options.fields)
    records: list[dict] = []
    rejects: list[dict] = []
    bar = tqdm(total=len(files), desc="ingest", unit="file", disable=None if progress is None else not progress)
    runner = BatchRunner(n_jobs=n_jobs if len(files) > 1 else 1, scheduler=scheduler, shared=options)
    with runner:
        size = max(1, min(256, len(files) // (runner.n_slots * 8) or 1))
        batches = ([(str(path), label) for path, label in files[i:i + size]] for i in range(0, len(files), size))
        for results in runner.map(_process_file_batch, batches):
            for docs, bad, warnings in results:
                records.extend(docs)
                rejects.extend(bad)
                for message in warnings:
                    logger.warning("%s", message)
            bar.update(len(results))
    bar.close()

    documents = conform(pd.DataFrame(records)) if records else empty_documents()
    # url: where the input gives one (a WARC record, an HTML page's canonical link, a table's url column);
    # fetched_at: WARC rows only; empty for the other rows
    for column in ("url", "fetched_at"):
        if column in documents.columns:
            documents[column] = documents[column].fillna("").astype(str)
    if len(documents):
        documents["doc_id"] = _unique_ids(documents["doc_id"].tolist())
        documents["duplicate_of"] = _duplicates(documents, dedup_threshold)
    reject_table = pd.DataFrame(rejects, columns=list(REJECT_COLUMNS))
    _log_rejects(rejects)
    logger.info("ingested %d documents from %d files (%d rejected inputs, %d marked as duplicates)",
                len(documents), len(files), len(rejects), int((documents["duplicate_of"] != "").sum()))
    return IngestResult(documents=documents, rejects=reject_table)


#: Rejects logged one by one as warnings; the others at debug level, all of them counted by reason.
LOGGED_REJECTS = 10
_URL_RE = re.compile(r"https?://\S+")


def _log_rejects(rejects: list[dict]) -> None:
    """The first rejects one by one, then a count per reason (a crawl folder rejects its listings by the hundred)."""
    for k, reject in enumerate(rejects):
        logger.log(logging.WARNING if k < LOGGED_REJECTS else logging.DEBUG, "rejected %s%s: %s", reject["source"],
                   f" line {reject['line']}" if reject["line"] else "", reject["reason"])
    if len(rejects) > LOGGED_REJECTS:
        reasons = Counter(_URL_RE.sub("…", str(r["reason"])) for r in rejects)
        listed = "; ".join(f"{reason} (×{n})" for reason, n in sorted(reasons.items(), key=lambda x: (-x[1], x[0]))[:8])
        logger.warning("%d rejected inputs in all (the first %d above, every one in the rejects table): %s%s",
                       len(rejects), LOGGED_REJECTS, listed, "; …" if len(reasons) > 8 else "")


def ingest(paths: Iterable[str | os.PathLike] | str | os.PathLike, **options) -> pd.DataFrame:
    """Read pages and tables into the document table (see :func:`ingest_files`).

    Rejected inputs are logged as warnings; use :func:`ingest_files` to get
    them as a table.

    Examples
    --------
    >>> docs = ingest(["pages/"])                      # doctest: +SKIP
    >>> docs[["doc_id", "date", "district", "title"]]  # doctest: +SKIP
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return ingest_files(paths, **options).documents


def _process_file_batch(options: IngestOptions,
                        batch: list[tuple[str, str]]) -> list[tuple[list[dict], list[dict], list[str]]]:
    return [_process_file(Path(path), label, options) for path, label in batch]


def _process_file(path: Path, label: str, options: IngestOptions) -> tuple[list[dict], list[dict], list[str]]:
    """A file's documents, its rejects, and the warnings about it.

    The warnings travel back with the results and the main process logs them:
    a worker process's own log records reach no handler.
    """
    try:
        if is_warc(label):
            return (*_process_warc(path, label, options), [])
        kind = _asset_kind(label)
        if kind:   # only a file named on the command line gets here: a folder's are skipped
            suffix = os.path.splitext(label)[1].lower()
            return [], [_reject(label, 0, f"a {kind} ({suffix}), not a page or a table")], []
        office = office_format(path)
        if office:
            return [], [_reject(label, 0, office)], []
        if _is_table(label):
            return _process_table(path, label, options)
        return (*_process_page(path, label, options), [])
    except (UndecodableError, OSError) as exc:
        return [], [_reject(label, 0, str(exc))], []


_SAVE_AS_CSV = "save it as CSV UTF-8 (File → Save As → CSV UTF-8), one sheet per file, and ingest that"
_SAVE_AS_TEXT = "save it as plain text (File → Save As → Plain Text .txt, encoding UTF-8) and ingest that"
_OLE_FORMATS = {  # the Office 97–2003 formats share one container: the extension says which
    ".xls": f"an Excel 97–2003 workbook: {_SAVE_AS_CSV}",
    ".doc": f"a Word 97–2003 document: {_SAVE_AS_TEXT}",
    ".ppt": "a PowerPoint 97–2003 presentation: export its text to a .txt file (UTF-8) and ingest that",
}
_OPENDOCUMENT_FORMATS = {
    "application/vnd.oasis.opendocument.text": f"an OpenDocument text (.odt): {_SAVE_AS_TEXT}",
    "application/vnd.oasis.opendocument.spreadsheet": ("an OpenDocument spreadsheet (.ods): save it as CSV (File → "
                                                       "Save As → Text CSV, character set UTF-8) and ingest that"),
    "application/vnd.oasis.opendocument.presentation": ("an OpenDocument presentation (.odp): export its text to a "
                                                        ".txt file (UTF-8) and ingest that"),
}


def office_format(path: str | os.PathLike) -> str:
    """Why a file cannot be read as a page or a table when it is an office document or a PDF, else ``""``.

    Told by the file's first bytes, whatever its name: a ZIP holding the parts
    of an Excel workbook, a Word document or a PowerPoint presentation
    (Office Open XML), an OpenDocument file, another ZIP archive, a PDF, an
    Office 97–2003 file (its extension says which) or an RTF document. The
    reason names the format and what to do (save it as CSV UTF-8, as plain
    text, export the text). A file of text whatever its extension (an HTML
    page saved as ``.doc``, as old portals offer) gives ``""`` and is read.
    """
    path = Path(path)
    with open(path, "rb") as stream:
        head = stream.read(8)
    if head.startswith(b"%PDF"):
        return ("a PDF document: export its text (pdftotext -enc UTF-8 FILE.pdf, or open it and save or copy the "
                "text into a .txt file in UTF-8) and ingest that; a scanned PDF needs OCR first")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _OLE_FORMATS.get(path.suffix.lower(), "a Microsoft Office 97–2003 file: save a sheet as CSV UTF-8, "
                                                     "a document as plain text (.txt, UTF-8), and ingest that")
    if head.startswith(b"{\\rtf"):
        return f"a Rich Text (RTF) document: {_SAVE_AS_TEXT}"
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(path)
    return ""


def _zip_format(path: Path) -> str:
    archive = "a ZIP archive: unpack it and ingest the folder"
    try:
        with zipfile.ZipFile(path) as zipped:
            names = zipped.namelist()
            mimetype = zipped.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, KeyError):
        return archive
    if "[Content_Types].xml" in names:
        parts = {name.split("/", 1)[0] for name in names}
        if "xl" in parts:
            return f"an Excel workbook: {_SAVE_AS_CSV}"
        if "word" in parts:
            return f"a Word document: {_SAVE_AS_TEXT}"
        if "ppt" in parts:
            return "a PowerPoint presentation: export its text to a .txt file (UTF-8) and ingest that"
    return _OPENDOCUMENT_FORMATS.get(mimetype, archive)


def _is_table(label: str) -> bool:
    return not is_warc(label) and (label.lower().endswith(TABLE_SUFFIXES) or is_tab_table(label))


def _reject(source: str, line: int, reason: str) -> dict:
    return {"source": source, "line": line, "reason": reason}


def _process_page(path: Path, label: str, options: IngestOptions) -> tuple[list[dict], list[dict]]:
    data = path.read_bytes()
    if not data.strip():
        return [], [_reject(label, 0, "empty file")]
    decoded = decode_bytes(data)
    if label.lower().endswith(HTML_SUFFIXES) or _looks_like_html(decoded.text):
        fields = parse_html(decoded.text).to_dict()
        reading = saved_page_reading(decoded.text, fields.get("url") or None)
        if reading.kind == "listing":
            where = f": {fields['url']}" if fields.get("url") else ""
            return [], [_reject(label, 0, f"listing page, not an article ({reading.reason}){where}")]
    else:
        fields = parse_page(unescape_entities(decoded.text)).to_dict()
    if not fields.get("body", "").strip():
        return [], [_reject(label, 0, "no article text left after removing boilerplate")]
    url = fields.get("url") or None
    doc = _document(fields, doc_id=hashlib.sha256(data).hexdigest()[:16], source=label,
                    encoding=decoded.encoding, url=url, options=options)
    return [{**doc, "url": url} if url else doc], []


def _process_warc(path: Path, label: str, options: IngestOptions) -> tuple[list[dict], list[dict]]:
    docs: list[dict] = []
    rejects: list[dict] = []
    for item in iter_warc_pages(path, label):
        if isinstance(item, WarcReject):
            rejects.append(_reject(item.source, 0, item.reason))
            continue
        fields = parse_html(item.text, url=item.url).to_dict()
        if not fields.get("body", "").strip():
            rejects.append(_reject(item.source, 0, f"no article text left after removing boilerplate: {item.url}"))
            continue
        doc = _document(fields, doc_id=item.doc_id, source=item.source, encoding=item.encoding, url=item.url,
                        options=options)
        docs.append({**doc, "url": item.url, "fetched_at": item.fetched_at})
    return docs, rejects


#: Where a saved page without a usable canonical link is taken to sit: its relative links resolve there, and the
#: address itself (reserved, never a real site) says nothing about a page number.
SAVED_PAGE_URL = "http://saved-page.invalid/"


def saved_page_reading(html: str, url: str | None = None) -> PageReading:
    """The crawler's reading (:func:`toolkit.collect.pages.read_page`) of a page saved as a file.

    The same structure decides, so ingest and ``collect`` agree on what a
    listing is (headline links, teasers, pagination, a later page of a
    list). The date is left out of the decision: the crawler needs one to
    call a page an article, ingest keeps an undated article with an empty
    ``date``. ``kind`` is ``listing`` for a page to reject; ``article`` or
    ``other`` (a page whose running text the crawler does not see as one
    story, e.g. a photo story) are read as before.

    Parameters
    ----------
    html
        The decoded page.
    url
        Its canonical address when it gives one (a later page of a list,
        ``?start=10``, is then a listing); else :data:`SAVED_PAGE_URL`.

    Examples
    --------
    >>> page = ('<html><body><h2>Tin hoạt động</h2><ul>'
    ...         '<li><a href="/tin/1">Hội nghị giao ban công tác dân vận quý I năm 2021</a></li>'
    ...         '<li><a href="/tin/2">Xã Quân Chu ra mắt mô hình dòng họ tự quản</a></li>'
    ...         '</ul><a href="?page=2">Trang sau</a></body></html>')
    >>> saved_page_reading(page).kind
    'listing'
    """
    if not (url and url.lower().startswith(("http://", "https://")) and urlsplit(url).hostname):
        url = SAVED_PAGE_URL
    return read_page(html, url, has_date=True)


def _looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head)


_MARKUP_TAG_RE = re.compile(
    r"</?(?:p|div|span|br|hr|a|img|figure|figcaption|picture|table|thead|tbody|tr|td|th|ul|ol|li|h[1-6]|strong|em"
    r"|b|i|u|sup|sub|script|style|noscript|article|section|header|footer|main|aside|nav|iframe|font|center"
    r"|blockquote|meta|link)(?:\s[^<>]*)?/?>", re.IGNORECASE)


def _is_markup(text: str) -> bool:
    """Whether a table's text cell holds HTML (a page, or the article's element as a scraper kept it).

    Two or more tags of HTML elements make it markup; a ``<`` of the text
    itself (``giảm còn <2%``) does not.

    Examples
    --------
    >>> _is_markup('<div class="detail-content"><p>Sáng 12/3, Ban Dân vận Huyện ủy tổ chức hội nghị.</p></div>')
    True
    >>> _is_markup("Tỷ lệ hộ nghèo giảm còn <2%, hộ cận nghèo > 3%.")
    False
    """
    if _looks_like_html(text):
        return True
    return len(_MARKUP_TAG_RE.findall(text[:4096])) >= 2


#: The columns of the toolkit's document table that say how each row was read. A table that has them was written
#: by ``ingest -o``: its rows are documents already, and reading it again keeps them as they are.
DOCUMENT_TABLE_MARKERS = ("date_source", "date_precision")
#: What a document table's row keeps as it is (besides its text, title, category, id and url, read through the
#: field mapping, and its source, locality and encoding): ``duplicate_of`` and ``locality`` are computed again.
_KEPT_FIELDS = ("date", "date_precision", "date_source", "year", "views", "author", "issuer", "captions")


@dataclass
class _TableNotes:
    """What a table's rows could not give, one warning per problem and table (a table repeats one row after row)."""

    label: str
    line_word: str
    #: date columns → (line, value) of every row whose date could not be read
    unread_dates: dict[tuple[str, ...], list[tuple[int, str]]] = field(default_factory=dict)
    #: problem with the province/district columns → lines
    places: dict[str, list[int]] = field(default_factory=dict)

    def warnings(self) -> list[str]:
        out = []
        for columns, rows in self.unread_dates.items():
            shown = "; ".join(f"{self.line_word} {line}: {value!r}" for line, value in rows[:2])
            shown += "; …" if len(rows) > 2 else ""
            out.append(f"{self.label}: the date column {', '.join(repr(c) for c in columns)} of {len(rows)} "
                       f"{'row' if len(rows) == 1 else 'rows'} could not be read ({shown}); "
                       f"{'it is' if len(rows) == 1 else 'they are'} dated from the text, if at all")
        for problem, lines in self.places.items():
            shown = ", ".join(str(line) for line in lines[:5]) + (", …" if len(lines) > 5 else "")
            out.append(f"{self.label}: {problem} ({len(lines)} {'row' if len(lines) == 1 else 'rows'}: "
                       f"{self.line_word}{'s' if len(lines) > 1 else ''} {shown}); their locality is left to the "
                       "sources file and the text")
        return out


def _process_table(path: Path, label: str, options: IngestOptions) -> tuple[list[dict], list[dict], list[str]]:
    rows = iter_table_rows(path)
    # a bar per table in the main process (one big table is read there); workers' bars would interleave
    in_main = mp.parent_process() is None
    rows = tqdm(rows, desc=label[-30:], unit="row", leave=False,
                disable=(None if options.progress is None else not options.progress) if in_main else True)
    docs: list[dict] = []
    rejects: list[dict] = []
    notes = _TableNotes(label, "row" if table_format(label) == ".parquet" else "line")
    for row in rows:
        source = f"{label}#{row.line}"
        if row.record is None:
            rejects.append(_reject(label, row.line, row.error))
            continue
        # Named columns are the table's (checked before reading); the usual names are looked up per row,
        # as the records of a JSON Lines table need not share their keys.
        resolved = options.fields.resolve(row.record)
        if not resolved.text:
            rejects.append(_reject(label, row.line, "no text column (set --text-field)"))
            continue
        if not any(column in row.record for column in resolved.text):
            rejects.append(_reject(label, row.line, f"no text: the row has no column {', '.join(resolved.text)}"))
            continue
        raw_text = resolved.get(row.record, "text")
        text = unescape_entities(unsegment(raw_text))
        if not text.strip():
            rejects.append(_reject(label, row.line, "empty text"))
            continue
        if all(column in row.record for column in DOCUMENT_TABLE_MARKERS):
            docs.append(_document_table_row(row.record, resolved, raw_text, source=source, encoding=row.encoding,
                                            options=options))
            continue
        title = unescape_entities(unsegment(resolved.get(row.record, "title")))
        url = resolved.get(row.record, "url") or None
        if _is_markup(raw_text):
            # HTML a scraper left in the cell: read as a page is (tags, scripts and styles out, captions apart)
            fields = parse_html(raw_text, url=url).to_dict()
            if title:
                fields["title"] = title
        else:
            # A known headline is not looked for in the text (nor left in the body) and dates the page like one.
            fields = parse_page(text, title=title or None, url=url).to_dict()
        category = resolved.get(row.record, "category")
        if category:  # the table's own category, else one the text opens with
            fields["category"] = category
        date_value = resolved.get(row.record, "date")
        if date_value:
            parsed = _parse_date_field(date_value)
            if parsed is None:
                columns = tuple(column for column in resolved.date if column in row.record)
                notes.unread_dates.setdefault(columns, []).append((row.line, date_value))
            else:
                iso, precision = parsed
                # `date` is a full day or empty; month/year precision lives in `year` + `date_precision`.
                fields["date"] = iso if precision == "day" else ""
                fields["date_precision"] = precision
                fields["date_source"] = "table-field"
                fields["year"] = int(iso[:4])
        if not fields.get("body", "").strip() and _short_item(text):
            # a table's text column is the text: a one- or two-line item (a sapo without a body, a short news
            # item) that the page reading takes for a headline or a caption is the document's body
            fields["body"] = "\n\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
        if not fields.get("body", "").strip():
            rejects.append(_reject(label, row.line, "no article text left after removing boilerplate"))
            continue
        given_id = resolved.get(row.record, "id")
        doc_id = given_id or hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:16]
        locality, problem = _table_locality(row.record)
        if problem:
            notes.places.setdefault(problem, []).append(row.line)
        doc = _document(fields, doc_id=doc_id, source=source, encoding=row.encoding, url=url, options=options,
                        locality=locality)
        docs.append({**doc, "url": url} if url else doc)
    if not docs and not rejects:
        rejects.append(_reject(label, 0, "table has no rows"))
    return docs, rejects, notes.warnings()


#: A table cell of this many lines at most, and of this many words at least, is a short item (see _process_table).
_SHORT_ITEM_LINES, _SHORT_ITEM_WORDS = 3, 8


def _short_item(text: str) -> bool:
    """Whether a table's text cell is a short item of running words: a few lines and a sentence's worth of words.

    >>> _short_item("Bà Trump yêu cầu công ty chủ quản tờ báo bồi thường 150 triệu đô la Mỹ vì bài báo sai sự thật")
    True
    >>> _short_item("Trang chủ | Giới thiệu | Liên hệ")
    False
    """
    lines = [line for line in text.splitlines() if line.strip()]
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    return 0 < len(lines) <= _SHORT_ITEM_LINES and len(words) >= _SHORT_ITEM_WORDS


def _document_table_row(record: dict, resolved: ResolvedFields, text: str, *, source: str, encoding: str,
                        options: IngestOptions) -> dict:
    """A row of the toolkit's own document table, kept as it is (merging ``ingest -o`` tables changes no row).

    Its dates and how they were found (``date_source`` ``event``… stays,
    never relabelled ``table-field``), author, issuer, captions, views,
    locality and its evidence, encoding and source (the page it was read
    from) are the row's; only ``duplicate_of`` is marked again, across every
    input, and a ``doc_id`` met twice gets its suffix. A row without a
    province gets its locality as other rows do (``--sources``, the text).
    """
    fields = {name: _cell(record, name) for name in _KEPT_FIELDS if name in record}
    fields.update(title=resolved.get(record, "title"), category=resolved.get(record, "category"), body=text.strip())
    province = _cell(record, "province")
    locality = None
    if province:
        try:
            after_2025 = province_2025(province)
        except ValueError:
            after_2025 = ""
        locality = Locality(province, _cell(record, "district"), _cell(record, "province_2025") or after_2025,
                            _cell(record, "locality_evidence") if "locality_evidence" in record
                            else "table columns province/district", 1.0)
    doc_id = resolved.get(record, "id") or hashlib.sha256(f"{fields['title']}\n{text}".encode()).hexdigest()[:16]
    url = resolved.get(record, "url") or None
    doc = _document(fields, doc_id=doc_id, source=_cell(record, "source") or source,
                    encoding=_cell(record, "encoding") or encoding, url=url, options=options, locality=locality)
    fetched_at = _cell(record, "fetched_at")
    return {**doc, **({"url": url} if url else {}), **({"fetched_at": fetched_at} if fetched_at else {})}


_EXCEL_SERIAL = re.compile(r"^\s*(\d{5})(?:[.,]\d+)?\s*$")
#: Day 0 of Excel's 1900 date system as Excel counts (it takes 1900 for a leap year, so from March 1900 on
#: serial day N is this date + N).
_EXCEL_EPOCH = date(1899, 12, 30)
#: Serial days read as dates in a date column: 1990-01-01 to 2100-12-31 (other five-digit numbers are not days).
_EXCEL_SERIAL_RANGE = ((date(1990, 1, 1) - _EXCEL_EPOCH).days, (date(2100, 12, 31) - _EXCEL_EPOCH).days)


def _parse_date_field(value: str) -> tuple[str, str] | None:
    """A table's date cell as ``(iso, precision)``, or ``None`` when it cannot be read.

    Besides the dates of :func:`~toolkit.ingest.dates.parse_header_date`: a
    compact ``20210315``; a timestamp with a time zone offset, dated in
    Vietnam (UTC+7) as HTML markup is; an Excel serial day (a date column of
    a workbook saved as CSV, the fraction being the time of day).

    Examples
    --------
    >>> _parse_date_field("2021-12-31T23:30:00+00:00"), _parse_date_field("2021-12-31 23:30:00")
    (('2022-01-01', 'day'), ('2021-12-31', 'day'))
    >>> _parse_date_field("44299.85417"), _parse_date_field("20210315")
    (('2021-04-13', 'day'), ('2021-03-15', 'day'))
    """
    match = _COMPACT_DATE.match(value)
    if match:
        value = f"{match[1]}-{match[2]}-{match[3]}"
    day = vietnam_day(value)
    if day:
        return day, "day"
    serial = _EXCEL_SERIAL.match(value)
    if serial:
        days = int(serial[1])
        if _EXCEL_SERIAL_RANGE[0] <= days <= _EXCEL_SERIAL_RANGE[1]:
            return (_EXCEL_EPOCH + timedelta(days=days)).isoformat(), "day"
        return None
    return parse_header_date(value)


def _cell(record: dict, name: str) -> str:
    value = record.get(name)
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


@functools.lru_cache(maxsize=4096)
def _district_provinces(name: str) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The provinces with a district of that name: ``([(province, district)…], [provinces where it is ambiguous])``."""
    found, ambiguous = [], []
    for province in list_provinces():
        try:
            found.append((province, canonical_district(province, name)))
        except ValueError as exc:
            if str(exc).startswith("ambiguous"):   # two districts of the province bear the name
                ambiguous.append(province)
    return tuple(found), tuple(ambiguous)


def _table_locality(record: dict) -> tuple[Locality | None, str]:
    """The row's own ``province``/``district`` columns, in the gazetteer's names, and what was wrong with them.

    A district without a province gives its province when no other province
    has a district of that name (``Củ Chi``; not ``Châu Thành``, which ten
    have). A name the gazetteer does not know, or a district several
    provinces have, gives ``None`` and the problem (logged once per table by
    the caller): the row's locality is left to the other rules (sources file,
    inference from the text) and the document is kept.

    Examples
    --------
    >>> loc, problem = _table_locality({"province": "", "district": "Củ Chi"})
    >>> loc.province, loc.district, problem
    ('Hồ Chí Minh', 'Huyện Củ Chi', '')
    >>> _table_locality({"province": "", "district": "Châu Thành"})[1].split(" (")[0]
    "district 'Châu Thành' without a province is in 10 provinces"
    """
    province, district = _cell(record, "province"), _cell(record, "district")
    if not province and not district:
        return None, ""
    if not province:
        found, ambiguous = _district_provinces(district)
        if len(found) == 1 and not ambiguous:
            (province, name), = found
            return (Locality(province, name, province_2025(province),
                             f"table column district (the only {name} is in {province})", 1.0), "")
        provinces = sorted({p for p, _ in found} | set(ambiguous))
        if not provinces:
            return None, f"district {district!r} without a province is not in the gazetteer"
        shown = ", ".join(provinces[:6]) + (f" and {len(provinces) - 6} more" if len(provinces) > 6 else "")
        return None, f"district {district!r} without a province is in {len(provinces)} provinces ({shown})"
    try:
        province = canonical_province(province)
        district = canonical_district(province, district) if district else ""
    except ValueError as exc:
        return None, f"the province/district columns are not in the gazetteer ({exc})"
    return Locality(province, district, province_2025(province), "table columns province/district", 1.0), ""


def _document(fields: dict, *, doc_id: str, source: str, encoding: str, url: str | None,
              options: IngestOptions, locality: Locality | None = None) -> dict:
    # the row's own columns, then the sources file, then the place names of the text
    if locality is None and options.sources:
        locality = options.sources.lookup(source.split("#", 1)[0], url)
        if locality is not None and not locality.district:
            # the district inferred among the rule's province's districts only ("Huyện ủy Châu Thành" on a
            # *.bentre.gov.vn page is Bến Tre's, not one of the nine others)
            locality = district_within_rule(locality, _inferred_locality(fields, province=locality.province),
                                            source=source)
    if locality is None:
        locality = _inferred_locality(fields)
    return {
        "doc_id": doc_id,
        "source": source,
        "title": fields.get("title", ""),
        "date": fields.get("date", ""),
        "date_precision": fields.get("date_precision", ""),
        "date_source": fields.get("date_source", ""),
        "year": fields.get("year"),
        "views": fields.get("views"),
        "category": fields.get("category", ""),
        "author": fields.get("author", ""),
        "issuer": fields.get("issuer", ""),
        "province": locality.province,
        "district": locality.district,
        "locality": locality_key(locality.province, locality.district),
        "province_2025": locality.province_2025,
        "locality_evidence": locality.evidence,
        "body": fields.get("body", ""),
        "captions": fields.get("captions", ""),
        "duplicate_of": "",
        "encoding": encoding,
    }


def _inferred_locality(fields: dict, province: str = "") -> Locality:
    text = "\n\n".join(part for part in (fields.get("body", ""), fields.get("captions", "")) if part)
    title, issuer = fields.get("title", ""), fields.get("issuer", "")
    found = infer_locality(text, title=title, issuer=issuer, province=province)
    return site_locality(found, fields.get("site", ""), province=province, text=text, title=title, issuer=issuer)


def site_locality(found: Locality, site: str, *, province: str = "", text: str = "", title: str = "",
                  issuer: str = "") -> Locality:
    """The article's locality, completed by the site's own name when the article names no district.

    A district portal's pages often name no place ("Ban Dân vận Huyện ủy tổ
    chức hội nghị … trên địa bàn huyện"): the site's header, footer or
    ``<title>`` (``PageFields.site``) says where the publisher is. It gives
    the province when the article names no other, and the district only
    when the article names no district and is no province-level article;
    ``locality_evidence`` then starts with ``site``. What the article names
    always wins.

    Parameters
    ----------
    found
        The locality inferred from the article (``text``, ``title``, ``issuer``).
    site
        The site's own name, one per line.
    province
        The province when it is known otherwise (a sources rule).
    text, title, issuer
        The article ``found`` was inferred from. The site gives no district
        to an article whose issuer is a province-level body ("Ban Dân vận
        Tỉnh ủy"), nor to one that names districts of the site's province
        but settles on none (a province's meeting on several districts); a
        site whose owner is a province-level body ("Tỉnh ủy", "UBND tỉnh",
        a centrally-run city's "Thành ủy") gives none at all. Within the
        site's province, the district the article names wins over the
        site's (a district name that several provinces have).

    Examples
    --------
    >>> loc = site_locality(Locality(), "Bản quyền thuộc Ban Dân vận Huyện ủy Đại Từ, tỉnh Thái Nguyên")
    >>> loc.province, loc.district, loc.evidence.startswith("site: ")
    ('Thái Nguyên', 'Huyện Đại Từ', True)
    >>> loc = site_locality(Locality(), "Bản quyền thuộc Ban Dân vận Huyện ủy Đại Từ, tỉnh Thái Nguyên",
    ...                     text="Ban Dân vận Tỉnh ủy tổ chức hội nghị.", issuer="Ban Dân vận Tỉnh ủy")
    >>> loc.province, loc.district
    ('Thái Nguyên', '')
    """
    if found.district or not site.strip():
        return found
    known = province or found.province
    from_site = infer_locality(site, province=known)
    if not from_site.province or (known and from_site.province != known):
        return found
    if from_site.district:
        in_province = infer_locality(text, title=title, issuer=issuer, province=from_site.province)
        if in_province.district:  # a district name that several provinces have, one of them the site's
            if found.province:
                return in_province
            return replace(in_province, evidence=f"site (province): {from_site.evidence}; text (district): "
                                                 f"{in_province.evidence}")
        no_district = _province_level(site, from_site, text=text, title=title, issuer=issuer)
        if no_district:
            if found.province:
                return found
            return Locality(province=from_site.province, province_2025=from_site.province_2025,
                            evidence=f"site: {no_district}", score=from_site.score)
    if not from_site.district and found.province:
        return found
    evidence = f"site: {from_site.evidence}" + (f"; text: {found.evidence}" if found.evidence else "")
    return replace(from_site, evidence=evidence)


# A body a site's owner line or an article's issuer names, by the unit it belongs to: a Party committee ("Tỉnh ủy",
# "Huyện ủy", "Thành ủy"), a people's committee or council, a Front committee, a portal ("Cổng thông tin điện tử
# huyện …"). A "Thành ủy"/"thành phố" is a centrally-run city's (a province) or a provincial city's (a district):
# its name decides.
_BODY_RE = re.compile(
    r"\b(?:(?P<committee>tỉnh|thành|huyện|quận|thị) ủy"
    r"|(?:ubnd|ủy ban nhân dân|hđnd|hội đồng nhân dân|ủy ban mttq(?: việt nam)?|ủy ban mặt trận tổ quốc(?: việt nam)?"
    r"|đảng bộ|(?:cổng|trang) thông tin(?: điện tử)?|trang tin(?: điện tử)?)\s+"
    r"(?P<unit>tỉnh|thành phố|tp\.|huyện|quận|thị xã|tx\.))(?!\w)",
    re.IGNORECASE)
_BODY_PLACE_RE = re.compile(r" (?:(?:thành phố|tp\.) ?)?", re.IGNORECASE)


def _bodies(text: str) -> list[tuple[str, str]]:
    """The bodies ``text`` names, as (level, name): level ``"province"`` or ``"district"``, name with its place.

    Examples
    --------
    >>> _bodies("Cơ quan chủ quản: Ban Dân vận Tỉnh ủy Đồng Nai, TP. Biên Hòa")
    [('province', 'Tỉnh ủy Đồng Nai')]
    >>> _bodies("UBND thành phố Đà Nẵng"), _bodies("Ban Dân vận Thành ủy Biên Hòa"), _bodies("Huyện Đại Từ")
    ([('province', 'UBND thành phố Đà Nẵng')], [('district', 'Thành ủy Biên Hòa')], [])
    """
    found = []
    for body in _BODY_RE.finditer(text):
        lead = _BODY_PLACE_RE.match(text, body.end())  # "Thành ủy TP. Hồ Chí Minh"
        place = place_name_at(text[lead.end():]) if lead else ""
        name = text[body.start():lead.end() + len(place)] if place else body.group()
        word = (body.group("committee") or body.group("unit")).casefold()
        if word == "tỉnh":
            found.append(("province", name))
        elif word in ("thành", "thành phố", "tp."):  # a centrally-run city's (a province) or a provincial city's
            named = infer_locality(name)
            if named.province:
                found.append(("district" if named.district else "province", name))
        else:
            found.append(("district", name))
    return found


def _province_level(site: str, from_site: Locality, *, text: str, title: str, issuer: str) -> str:
    """Why the ``site`` (inferred as ``from_site``) gives its province but not its district, as evidence; "" when
    it gives the district too.

    The site's owner is a province-level body (and no line of the site names a district's); the article's issuer is
    one; or the article names districts of the province and settles on none.
    """
    owners = _bodies(site)
    if {level for level, _ in owners} == {"province"}:
        return "province's body: " + ", ".join(dict.fromkeys(name for _, name in owners))
    if {level for level, _ in _bodies(issuer)} == {"province"}:
        return f"{from_site.evidence} (province; the issuer is the province's: {issuer})"
    if _names_a_district(text, title=title, issuer=issuer, province=from_site.province):
        return f"{from_site.evidence} (province; the article names other districts)"
    return ""


def _names_a_district(text: str, *, title: str, issuer: str, province: str) -> bool:
    """Whether the article names a district of ``province`` (where :func:`infer_locality` settles on none)."""
    return bool((text or title or issuer) and named_districts(text, title=title, issuer=issuer, province=province))


def district_within_rule(rule: Locality, inferred: Locality, *, source: str = "") -> Locality:
    """A province-only sources rule, completed by the district the text names in that province.

    A rule such as ``match = "*.thainguyen.gov.vn"`` says the province, not
    the district: the district inferred from the page's place names is kept
    when its province is the rule's, and ``locality_evidence`` names both
    (the rule for the province, the text for the district). When the text
    points to another province the rule wins and the district stays empty.
    A rule naming a district is not passed here: it wins outright.

    Examples
    --------
    >>> from toolkit.places import Locality
    >>> rule = Locality("Quảng Trị", "", "Quảng Trị", "sources: match '*.quangtri.gov.vn'", 1.0)
    >>> text = Locality("Quảng Trị", "Huyện Hướng Hóa", "Quảng Trị", "wards: Hướng Phùng, Hướng Lộc", 4.0)
    >>> found = district_within_rule(rule, text)
    >>> found.district
    'Huyện Hướng Hóa'
    >>> found.evidence
    "sources: match '*.quangtri.gov.vn' (province); text (district): wards: Hướng Phùng, Hướng Lộc"
    """
    if not inferred.district:
        return rule
    if inferred.province != rule.province:
        logger.debug("%s: the text names %s, %s; the sources rule says %s (%s): district left empty", source,
                     inferred.district, inferred.province, rule.province, rule.evidence)
        return rule
    return Locality(province=rule.province, district=inferred.district, province_2025=rule.province_2025,
                    evidence=f"{rule.evidence} (province); text (district): {inferred.evidence}",
                    score=inferred.score)


def _unique_ids(ids: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for doc_id in ids:
        count = seen.get(doc_id, 0) + 1
        seen[doc_id] = count
        out.append(doc_id if count == 1 else f"{doc_id}-{count}")
    return out


def _duplicates(documents: pd.DataFrame, threshold: float) -> list[str]:
    # The original of a repost is the earliest published copy; undated ones come
    # last, ties broken by file and row, so the first row of a table is the earliest
    # and the choice is the same on every run.
    order = sorted(range(len(documents)),
                   key=lambda i: (documents["date"].iat[i] or "9999", _source_order(documents["source"].iat[i])))
    texts = [documents["title"].iat[i] + "\n\n" + documents["body"].iat[i] for i in order]
    ids = [documents["doc_id"].iat[i] for i in order]
    found = find_near_duplicates(texts, ids, threshold=threshold)
    duplicate_of = [""] * len(documents)
    for position, original in zip(order, found):
        duplicate_of[position] = original
    return duplicate_of


def _source_order(source: str) -> tuple[str, int]:
    """A ``source`` as ``(file, row)``: rows of a table in their order (``t.csv#30`` before ``t.csv#1093``).

    Examples
    --------
    >>> sorted(["t.csv#1093", "t.csv#30", "a.txt", "t.csv#4"], key=_source_order)
    ['a.txt', 't.csv#4', 't.csv#30', 't.csv#1093']
    """
    file, _, row = source.rpartition("#")
    return (file, int(row)) if file and row.isdigit() else (source, -1)
