"""WARC files (``*.warc``, ``*.warc.gz``, a ``collect`` folder) → the HTML pages to read as documents.

:func:`iter_warc_pages` walks the records of one WARC file and yields, for
each response, either a :class:`WarcPage` (an article to read with
:func:`toolkit.ingest.htmlpage.parse_html`) or a :class:`WarcReject` with a
located reason: ``warcinfo`` and ``request`` records are not pages and are
passed over; ``revisit`` records (a payload identical to one archived
before), non-200 answers, non-HTML payloads (robots.txt, sitemaps, feeds,
PDFs), listing and other non-article pages are rejected with what they are.

Which responses are articles: when the WARC file sits in a ``collect`` folder,
the crawl ledger (``ledger.sqlite`` beside it) says which record is a URL's
(any other record of the same URL, an interrupted or repeated fetch, is
rejected), and a record it calls an article is read. A record it calls a
listing or ``other`` is read again with the crawler's page reading
(:func:`toolkit.collect.pages.read_page`) and becomes a document when that
reading finds an article. The ledger keeps the verdict of the crawler that
fetched the page, perhaps an earlier version's, while the WARC file keeps the
page: a crawler never fetches an ``other`` page again, and a list page that
``collect --refresh`` fetches again unchanged is archived as a revisit, so
an undated article an earlier crawler passed over would otherwise be lost
to the crawl. For a crawl of this version the reading gives the ledger's
verdict again. WARC files from elsewhere (other crawlers) are read with the
same page reading, and a URL met twice is read once.
A file that ends in a damaged record (a crawl killed mid-write) gives every
complete record before it and one reject naming the offset.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from toolkit.collect.ledger import LEDGER_NAME
from toolkit.collect.pages import read_page
from toolkit.ingest.encoding import UndecodableError, decode_bytes

__all__ = ["WARC_SUFFIXES", "WarcPage", "WarcReject", "is_warc", "is_collect_bookkeeping", "iter_warc_pages"]

WARC_SUFFIXES = (".warc", ".warc.gz")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Kinds of HTML pages in the crawl ledger (the others are robots.txt, sitemaps and feeds).
_PAGE_KINDS = ("article", "listing", "other")


@dataclass(frozen=True)
class WarcPage:
    """An article response: its decoded HTML and where it came from."""

    source: str
    url: str
    fetched_at: str
    text: str
    encoding: str
    doc_id: str


@dataclass(frozen=True)
class WarcReject:
    source: str
    reason: str


def is_warc(name: str | Path) -> bool:
    """Does the file name end in ``.warc`` or ``.warc.gz``?"""
    return str(name).lower().endswith(WARC_SUFFIXES)


def is_collect_bookkeeping(path: str | Path) -> bool:
    """The crawl ledger and its journal files: bookkeeping of ``collect``, not pages to read."""
    name = Path(path).name
    return name == LEDGER_NAME or (name.startswith(LEDGER_NAME + "-") and name.endswith(("-journal", "-wal", "-shm")))


def _ledger_records(folder: Path) -> dict[str, str] | None:
    """WARC-Record-ID → kind of every stored page of the crawl ledger in ``folder``; None without a ledger."""
    path = folder / LEDGER_NAME
    if not path.is_file():
        return None
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT warc_record_id, kind FROM pages WHERE state = 'stored' AND warc_record_id IS NOT NULL")
        return {record_id: kind for record_id, kind in rows}


def iter_warc_pages(path: str | Path, label: str) -> Iterator[WarcPage | WarcReject]:
    """The article responses of one WARC file, and a reject for every other response.

    Parameters
    ----------
    path
        The WARC file.
    label
        Its name in ``source`` (``<label>#<WARC-Record-ID>``).
    """
    path = Path(path)
    ledger = _ledger_records(path.parent)
    seen_urls: dict[str, str] = {}
    with open(path, "rb") as fh:
        records = ArchiveIterator(fh)
        try:
            for record in records:
                item = _read_record(record, label, ledger, seen_urls)
                if item is not None:
                    yield item
        except (ArchiveLoadFailed, EOFError, zlib.error, ValueError) as exc:
            offset = records.offset
            yield WarcReject(label, f"damaged WARC data from byte {offset} on (a crawl stopped mid-write?): "
                                    f"{type(exc).__name__}: {str(exc)[:200]}")


def _read_record(record, label: str, ledger: dict[str, str] | None, seen_urls: dict[str, str]):
    kind = record.rec_type
    if kind not in ("response", "revisit"):
        return None
    headers = record.rec_headers
    record_id = (headers.get_header("WARC-Record-ID") or "").strip("<>")
    source = f"{label}#{record_id}"
    url = headers.get_header("WARC-Target-URI") or ""
    http = record.http_headers
    if kind == "revisit":
        # an error page whose body repeats another's (a site's one 404 page) is still the error it is
        status = http.get_statuscode() if http is not None else "200"
        if status != "200":
            return WarcReject(source, f"HTTP {status} response for {url}")
        return WarcReject(source, f"revisit record: the payload of {url} is identical to "
                                  f"{headers.get_header('WARC-Refers-To-Target-URI') or 'an earlier response'}")
    if http is None:
        return WarcReject(source, f"response without HTTP headers for {url}")
    status = http.get_statuscode()
    if status != "200":
        return WarcReject(source, f"HTTP {status} response for {url}")
    content_type = (http.get_header("Content-Type") or "").split(";", 1)[0].strip().lower()
    data = record.content_stream().read()
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:  # the file ends inside this record: a crawl stopped mid-write
        return WarcReject(source, f"damaged WARC data: the record of {url} is cut short ({missing} bytes missing; "
                                  "a crawl stopped mid-write?)")
    if content_type not in _HTML_TYPES and not data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return WarcReject(source, f"not an HTML page ({content_type or 'no Content-Type'}): {url}")
    page_kind = None
    if ledger is not None:
        page_kind = ledger.get(f"<{record_id}>", ledger.get(record_id))
        if page_kind is None:
            return WarcReject(source, f"not the crawl ledger's record for {url} (an interrupted or repeated fetch)")
        if page_kind not in _PAGE_KINDS:
            return WarcReject(source, f"{page_kind} page, not an article (crawl ledger): {url}")
    try:
        decoded = decode_bytes(data)
    except UndecodableError as exc:
        return WarcReject(source, f"{exc}: {url}")
    if page_kind != "article":
        # the ledger's listing or other is the verdict of the crawler that fetched the page, maybe an earlier
        # version's; the same reading of the same payload gives it again, unless the reading has learnt better
        reading = read_page(decoded.text, url)
        if reading.kind != "article":
            where = f"; crawl ledger: {page_kind}" if page_kind else ""
            return WarcReject(source, f"{reading.kind} page, not an article ({reading.reason}{where}): {url}")
    if ledger is None:
        if url in seen_urls:
            return WarcReject(source, f"{url} again; read from {seen_urls[url]}")
        seen_urls[url] = source
    return WarcPage(source=source, url=url, fetched_at=headers.get_header("WARC-Date") or "", text=decoded.text,
                    encoding=decoded.encoding, doc_id=hashlib.sha256(data).hexdigest()[:16])
