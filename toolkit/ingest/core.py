"""Walk raw inputs and build the document table.

Every input file is read, never modified. A file or row that cannot be used
goes to the rejects table (``source, line, reason``) and the run goes on. A
column named by the field mapping that a table lacks is a usage error, raised
before any input is parsed.

Document ids are stable: the SHA-256 of a page file's raw bytes, or for a
table row the value of its id field (else the hash of its title and text),
so the same input gives the same id on every run and machine. Ids that
collide within a run (the same bytes twice) get a ``-2``, ``-3``… suffix in
input order.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing as mp
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
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
from toolkit.ingest.htmlpage import parse_html
from toolkit.ingest.pages import parse_page, unescape_entities, unsegment
from toolkit.ingest.tables import FieldMap, check_named_columns, iter_table_rows
from toolkit.ingest.warc import WarcReject, is_collect_bookkeeping, is_warc, iter_warc_pages
from toolkit.places import (
    Locality,
    SourceMap,
    canonical_district,
    canonical_province,
    infer_locality,
    load_sources,
    locality_key,
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


def iter_input_files(paths: Iterable[str | os.PathLike]) -> list[tuple[Path, str]]:
    """Files under ``paths`` (recursive), as ``(path, source label)`` sorted by label.

    Hidden files and folders (``.name``) are skipped. The label is the path as
    the user wrote it for files, and ``folder/relative/path`` for folder
    members, always with ``/``, so it is the same on every machine.
    """
    found: dict[str, Path] = {}
    for raw in paths:
        root = Path(raw)
        if root.is_dir():
            for path in root.rglob("*"):
                rel = path.relative_to(root)
                if path.is_file() and not any(part.startswith(".") for part in rel.parts):
                    found[(Path(raw) / rel).as_posix()] = path
        elif root.exists():
            found[root.as_posix()] = root
        else:
            raise FileNotFoundError(f"{raw}: no such file or folder")
    return [(found[label], label) for label in sorted(found)]


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
        (:func:`saved_page_reading`).
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
    # a `collect` folder: its WARC files are read, its ledger is bookkeeping
    files = [(path, label) for path, label in iter_input_files(paths) if not is_collect_bookkeeping(path)]
    check_named_columns([(path, label) for path, label in files if _is_table(label)], options.fields)
    records: list[dict] = []
    rejects: list[dict] = []
    bar = tqdm(total=len(files), desc="ingest", unit="file", disable=None if progress is None else not progress)
    runner = BatchRunner(n_jobs=n_jobs if len(files) > 1 else 1, scheduler=scheduler, shared=options)
    with runner:
        size = max(1, min(256, len(files) // (runner.n_slots * 8) or 1))
        batches = ([(str(path), label) for path, label in files[i:i + size]] for i in range(0, len(files), size))
        for results in runner.map(_process_file_batch, batches):
            for docs, bad in results:
                records.extend(docs)
                rejects.extend(bad)
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


def _process_file_batch(options: IngestOptions, batch: list[tuple[str, str]]) -> list[tuple[list[dict], list[dict]]]:
    return [_process_file(Path(path), label, options) for path, label in batch]


def _process_file(path: Path, label: str, options: IngestOptions) -> tuple[list[dict], list[dict]]:
    try:
        if is_warc(label):
            return _process_warc(path, label, options)
        if _is_table(label):
            return _process_table(path, label, options)
        return _process_page(path, label, options)
    except (UndecodableError, OSError) as exc:
        return [], [_reject(label, 0, str(exc))]


def _is_table(label: str) -> bool:
    return not is_warc(label) and label.lower().endswith(TABLE_SUFFIXES)


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


def _process_table(path: Path, label: str, options: IngestOptions) -> tuple[list[dict], list[dict]]:
    rows = iter_table_rows(path)
    # a bar per table in the main process (one big table is read there); workers' bars would interleave
    in_main = mp.parent_process() is None
    rows = tqdm(rows, desc=label[-30:], unit="row", leave=False,
                disable=(None if options.progress is None else not options.progress) if in_main else True)
    docs: list[dict] = []
    rejects: list[dict] = []
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
        text = unescape_entities(unsegment(resolved.get(row.record, "text")))
        if not text.strip():
            rejects.append(_reject(label, row.line, "empty text"))
            continue
        title = unescape_entities(unsegment(resolved.get(row.record, "title")))
        # A known headline is not looked for in the text (nor left in the body) and dates the page like one.
        fields = parse_page(text, title=title or None, url=resolved.get(row.record, "url") or None).to_dict()
        category = resolved.get(row.record, "category")
        if category:  # the table's own category, else one the text opens with
            fields["category"] = category
        date_value = resolved.get(row.record, "date")
        if date_value:
            parsed = _parse_date_field(date_value)
            if parsed is None:
                logger.debug("%s: unparsed date %r", source, date_value)
            else:
                iso, precision = parsed
                # `date` is a full day or empty; month/year precision lives in `year` + `date_precision`.
                fields["date"] = iso if precision == "day" else ""
                fields["date_precision"] = precision
                fields["date_source"] = "table-field"
                fields["year"] = int(iso[:4])
        if not fields.get("body", "").strip():
            rejects.append(_reject(label, row.line, "no article text left after removing boilerplate"))
            continue
        given_id = resolved.get(row.record, "id")
        doc_id = given_id or hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:16]
        url = resolved.get(row.record, "url") or None
        doc = _document(fields, doc_id=doc_id, source=source, encoding=row.encoding, url=url, options=options,
                        locality=_table_locality(row.record, source))
        docs.append({**doc, "url": url} if url else doc)
    if not docs and not rejects:
        rejects.append(_reject(label, 0, "table has no rows"))
    return docs, rejects


def _parse_date_field(value: str) -> tuple[str, str] | None:
    match = _COMPACT_DATE.match(value)
    if match:
        value = f"{match[1]}-{match[2]}-{match[3]}"
    return parse_header_date(value)


def _table_locality(record: dict, source: str) -> Locality | None:
    """The row's own ``province``/``district`` columns, in the gazetteer's names; None when it has none.

    A name the gazetteer does not know is logged and left to the other rules
    (sources file, inference from the text): the document is kept.
    """
    def cell(name: str) -> str:
        value = record.get(name)
        return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()

    province, district = cell("province"), cell("district")
    if not province:
        return None
    try:
        province = canonical_province(province)
        district = canonical_district(province, district) if district else ""
    except ValueError as exc:
        logger.warning("%s: the row's province/district are not in the gazetteer (%s); locality from the text", source, exc)
        return None
    return Locality(province, district, province_2025(province), "table columns province/district", 1.0)


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
    found = infer_locality(
        "\n\n".join(part for part in (fields.get("body", ""), fields.get("captions", "")) if part),
        title=fields.get("title", ""),
        issuer=fields.get("issuer", ""),
        province=province,
    )
    return site_locality(found, fields.get("site", ""), province=province)


def site_locality(found: Locality, site: str, *, province: str = "") -> Locality:
    """The article's locality, completed by the site's own name when the article names no district.

    A district portal's pages often name no place ("Ban Dân vận Huyện ủy tổ
    chức hội nghị … trên địa bàn huyện"): the site's header, footer or
    ``<title>`` (``PageFields.site``) says where the publisher is. It gives
    the district (and the province) only when the article names no district
    and no other province than the site's; ``locality_evidence`` then starts
    with ``site:``. What the article names always wins.

    Examples
    --------
    >>> loc = site_locality(Locality(), "Bản quyền thuộc Ban Dân vận Huyện ủy Đại Từ, tỉnh Thái Nguyên")
    >>> loc.province, loc.district, loc.evidence.startswith("site: ")
    ('Thái Nguyên', 'Huyện Đại Từ', True)
    """
    if found.district or not site.strip():
        return found
    known = province or found.province
    from_site = infer_locality(site, province=known)
    if not from_site.province or (known and from_site.province != known):
        return found
    if not from_site.district and found.province:
        return found
    evidence = f"site: {from_site.evidence}" + (f"; text: {found.evidence}" if found.evidence else "")
    return replace(from_site, evidence=evidence)


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
    # last, ties broken by source so the choice is the same on every run.
    order = sorted(range(len(documents)),
                   key=lambda i: (documents["date"].iat[i] or "9999", documents["source"].iat[i]))
    texts = [documents["title"].iat[i] + "\n\n" + documents["body"].iat[i] for i in order]
    ids = [documents["doc_id"].iat[i] for i in order]
    found = find_near_duplicates(texts, ids, threshold=threshold)
    duplicate_of = [""] * len(documents)
    for position, original in zip(order, found):
        duplicate_of[position] = original
    return duplicate_of
