"""WARC files of a crawl (warcio): every request and every answer, as fetched.

Layout: ``DIR/<prefix>-<run start, UTC>-<serial>.warc.gz``. Each run opens
new files and never appends to an old one (a file from a run that was killed
may end in a partial record); a file is closed and the next one opened when it
passes ``max_bytes``. Each file starts with a ``warcinfo`` record (toolkit
version, user agent, seeds, scope, settings); when the run learns more about
itself (the delay a host's robots.txt sets), a further ``warcinfo`` record
with the updated fields describes the records that follow it (WARC 1.0, 6.2),
and later files start with them. An exchange is a ``request``
record and a ``response`` record (HTTP status line, headers and the payload
as transferred, with ``WARC-Payload-Digest``) linked by
``WARC-Concurrent-To``; a response whose payload is identical to one already
archived becomes a ``revisit`` record (profile *identical-payload-digest*)
that refers to the first. A request that got no answer (timeout, refused)
is archived as a lone ``request`` record. Records are gzip members of their
own, flushed and fsynced one exchange at a time, so a crash can damage at
most the record being written.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from toolkit.collect.fetch import Exchange

__all__ = ["WarcArchive", "ArchivedRecord", "payload_digest", "warc_date", "run_files"]

logger = logging.getLogger("toolkit.collect")

WARC_SUFFIX = ".warc.gz"


def payload_digest(payload: bytes) -> str:
    """``sha1:<base32>``, as ``WARC-Payload-Digest`` writes it."""
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


def warc_date(moment: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ`` (UTC), the WARC/1.0 date; also the ledger's ``fetched_at``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return datetime_to_iso_date(moment)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def run_files(directory: str | os.PathLike, *, prefix: str, run: int, started_at: str) -> list[str]:
    """WARC files in ``directory`` written by run number ``run`` that started at ``started_at`` (a WARC date).

    The files named with the run's start time whose first ``warcinfo`` record
    names the run; a file too damaged to say (killed while its first record
    was written) is counted as the run's by its name.
    """
    stamp = "".join(ch for ch in started_at if ch.isdigit())[:14]
    found = []
    for path in sorted(Path(directory).glob(f"{prefix}-{stamp}-*{WARC_SUFFIX}")):
        try:
            with open(path, "rb") as fh:
                first = next(iter(ArchiveIterator(fh)), None)
                fields = first.content_stream().read().decode("utf-8", "replace") if first is not None else ""
        except (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error) as exc:
            logger.warning("%s: unreadable warcinfo (%s); counted as run %d's by its name", path, exc, run)
            found.append(path.name)
            continue
        if first is None or first.rec_type != "warcinfo":
            found.append(path.name)
            continue
        named = [line.split(":", 1)[1].strip() for line in fields.splitlines() if line.startswith("run:")]
        if not named or named[0] == str(run):
            found.append(path.name)
    return found


@dataclass(frozen=True)
class ArchivedRecord:
    """Where an exchange's answer went: file name, byte offset and id of its response/revisit record."""

    warc_file: str
    offset: int
    record_id: str
    record_type: str
    digest: str
    revisit_of: str = ""


class WarcArchive:
    """Append exchanges to this run's WARC files in ``directory``.

    Parameters
    ----------
    directory
        The crawl's output folder.
    prefix
        File name prefix.
    run_started
        Start of the run; its UTC time names the files.
    info
        ``warcinfo`` fields (``software``, ``http-header-user-agent``,
        ``seeds``…), written at the start of every file.
    max_bytes
        Start a new file once the current one is this large.
    known_digests
        Payload digest → (URI, WARC-Date) of responses archived by earlier
        runs, so identical payloads become revisits across runs too.
    """

    def __init__(self, directory: str | os.PathLike, *, prefix: str, run_started: datetime, info: dict[str, str],
                 max_bytes: int = 1_000_000_000, known_digests: dict[str, tuple[str, str]] | None = None):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.stamp = _stamp(run_started)
        self.info = info
        self.max_bytes = int(max_bytes)
        self.digests: dict[str, tuple[str, str]] = dict(known_digests or {})
        self.files: list[str] = []
        self._serial = 0
        self._fh = None
        self._writer: WARCWriter | None = None

    # -- files ------------------------------------------------------------------------------------------

    def _open_next(self) -> None:
        self.close()
        while True:
            self._serial += 1
            name = f"{self.prefix}-{self.stamp}-{self._serial:05d}{WARC_SUFFIX}"
            try:
                # "x": never reopen or append to an existing file, whatever state it is in
                self._fh = open(self.directory / name, "xb")
                break
            except FileExistsError:
                continue
        self._writer = WARCWriter(self._fh, gzip=True)
        self.files.append(name)
        record = self._writer.create_warcinfo_record(name, self.info)
        self._writer.write_record(record)
        self._sync()
        logger.info("writing %s", self.directory / name)

    def update_info(self, fields: dict[str, str]) -> None:
        """Add or change ``warcinfo`` fields: a new ``warcinfo`` record now, and in the files that follow."""
        self.info = {**self.info, **fields}
        if self._fh is not None:
            name = self.files[-1]
            self._writer.write_record(self._writer.create_warcinfo_record(name, self.info))
            self._sync()

    def _sync(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._sync()
            self._fh.close()
            self._fh = None
            self._writer = None

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- records ----------------------------------------------------------------------------------------

    def write(self, exchange: Exchange) -> ArchivedRecord | None:
        """Archive one exchange; where its answer went (None when there was no answer)."""
        if self._fh is None or self._fh.tell() >= self.max_bytes:
            self._open_next()
        writer = self._writer
        date = warc_date(exchange.started_at)
        parts = urlsplit(exchange.url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        request = writer.create_warc_record(
            exchange.url, "request",
            http_headers=StatusAndHeaders(f"{exchange.method} {target} HTTP/1.1", exchange.request_headers,
                                          is_http_request=True),
            warc_headers_dict={"WARC-Date": date})
        if exchange.status is None:
            writer.write_record(request)
            self._sync()
            return None

        digest = payload_digest(exchange.payload)
        http_headers = StatusAndHeaders(f"{exchange.status} {exchange.reason}".strip(), exchange.response_headers,
                                        protocol=exchange.http_version)
        earlier = self.digests.get(digest) if exchange.payload else None
        if earlier is not None:
            record = writer.create_revisit_record(exchange.url, digest, earlier[0], earlier[1],
                                                  http_headers=http_headers, warc_headers_dict={"WARC-Date": date})
        else:
            record = writer.create_warc_record(exchange.url, "response", payload=BytesIO(exchange.payload),
                                               length=len(exchange.payload), http_headers=http_headers,
                                               warc_headers_dict={"WARC-Date": date})
        offset = self._fh.tell()
        writer.write_request_response_pair(request, record)
        self._sync()
        if earlier is None and exchange.payload:
            self.digests[digest] = (exchange.url, date)
        return ArchivedRecord(warc_file=self.files[-1], offset=offset,
                              record_id=record.rec_headers.get_header("WARC-Record-ID"),
                              record_type=record.rec_type, digest=digest,
                              revisit_of=earlier[0] if earlier is not None else "")
