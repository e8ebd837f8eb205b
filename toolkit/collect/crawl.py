"""The crawl loop: frontier, robots.txt first, discovery, archive and ledger.

See :func:`toolkit.collect.collect` for the contract; this module holds the
machinery. One thread, one request at a time: the next request goes to the
host whose politeness gap ends first, so several hosts interleave without
ever sending two requests to one host at once.
"""

from __future__ import annotations

import heapq
import json
import logging
import os
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import pandas as pd

import toolkit
from toolkit.collect.archive import ArchivedRecord, WarcArchive, run_files, warc_date
from toolkit.collect.fetch import RETRY_STATUSES, Exchange, HostPaused, PoliteFetcher
from toolkit.collect.ledger import Ledger, read_ledger
from toolkit.collect.pages import read_page, read_xml
from toolkit.collect.robots import RobotsRules
from toolkit.collect.urls import Scope, host_of, listing_pattern, request_url, resolve_link, url_key

__all__ = ["CollectSummary", "Crawler", "default_user_agent"]

logger = logging.getLogger("toolkit.collect")

#: Order of the frontier: discovery files first, then pages in discovery order.
PRIORITY = {"redirect": 0, "sitemap": 1, "feed": 1, "page": 2}
MAX_REDIRECTS = 10
#: Kinds that are HTML pages: they count towards ``max_pages``.
PAGE_KINDS = ("article", "listing", "other")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "")
_XML_TYPES = ("application/xml", "text/xml", "application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/x-gzip", "application/gzip")


def default_user_agent(contact: str = "") -> str:
    """``danvan-toolkit/<version> (+<contact>; research crawler)``; the contact from the config or ``--contact``.

    Examples
    --------
    >>> default_user_agent("mailto:nhom@example.edu")  # doctest: +ELLIPSIS
    'danvan-toolkit/... (+mailto:nhom@example.edu; research crawler)'
    """
    contact = contact.strip()
    if contact and "@" in contact and not contact.startswith(("mailto:", "http://", "https://")):
        contact = f"mailto:{contact}"
    inner = f"+{contact}; research crawler" if contact else "research crawler; no contact configured"
    return f"danvan-toolkit/{toolkit.__version__} ({inner})"


@dataclass
class CollectSummary:
    """What one run of :func:`toolkit.collect.collect` did.

    Attributes
    ----------
    stopped
        ``"done"`` (nothing left to fetch), ``"max-pages"`` or ``"interrupted"``.
    stored
        Responses stored in this run by kind (``article``, ``listing``, ``other``,
        ``sitemap``, ``feed``, ``robots``).
    failed
        Requests that failed in this run. The ``/sitemap.xml`` guessed for a
        host whose robots.txt names none is not counted when the host has none
        (HTTP 404 or 410; its ledger row says ``no sitemap: …``).
    queued
        URLs left in the queue for the next run.
    """

    output_dir: Path
    run: int
    stopped: str
    n_requests: int
    stored: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    disallowed: int = 0
    redirects: int = 0
    queued: int = 0
    warc_files: list[str] = field(default_factory=list)
    #: List-page patterns (:func:`~toolkit.collect.urls.listing_pattern`) at their
    #: ``max_listings_per_pattern`` → the URLs of that pattern this run did not fetch (links
    #: found on its list pages, and those queued before the cap was reached), state ``capped``
    #: in the ledger.
    capped: dict[str, int] = field(default_factory=dict)
    #: Host → seconds kept between two request starts in this run: max(``delay``, the
    #: host's robots.txt ``Crawl-delay``); also in ``runs.host_delays`` and the warcinfo records.
    host_delays: dict[str, float] = field(default_factory=dict)

    def ledger(self) -> pd.DataFrame:
        """The crawl's ``pages`` ledger (all runs) as a DataFrame."""
        return read_ledger(self.output_dir)


def _versions() -> str:
    parts = []
    for name in ("warcio", "protego", "courlan", "urllib3"):
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} ?")
    return ", ".join(parts)


class Crawler:
    """One run of a crawl into ``output_dir`` (use :func:`toolkit.collect.collect`)."""

    def __init__(self, seeds: list[str], output_dir: str | os.PathLike, *, delay: float, max_pages: int | None,
                 user_agent: str, timeout: float, retries: int, scope: list[str] | None, refresh: bool,
                 warc_max_bytes: int, max_pause: float, guess_sitemap: bool = True,
                 max_listings_per_pattern: int | None = None, fetcher: PoliteFetcher | None = None):
        if not seeds:
            raise ValueError("collect needs at least one seed URL")
        self.seeds = [request_url(seed) for seed in seeds]
        self.output_dir = Path(output_dir)
        self.max_pages = max_pages
        self.user_agent = user_agent
        self.scope = Scope.build(self.seeds, scope)
        self.refresh = refresh
        self.guess_sitemap = guess_sitemap
        self.settings = {"delay": delay, "max_pages": max_pages, "timeout": timeout, "retries": retries,
                         "scope": list(scope or []), "scope_rule": self.scope.describe(), "refresh": refresh,
                         "warc_max_bytes": warc_max_bytes, "max_pause": max_pause,
                         "max_listings_per_pattern": max_listings_per_pattern}
        self.max_listings = max_listings_per_pattern or None
        # list pages stored per pattern, by key: a page fetched again (--refresh) counts once
        self.listings_per_pattern: dict[str, set[str]] = {}
        self.capped: dict[str, set[str]] = {}
        self.host_delays: dict[str, float] = {}
        self.fetcher = fetcher or PoliteFetcher(user_agent, delay=delay, timeout=timeout, retries=retries,
                                                max_pause=max_pause)
        self.fetcher.on_exchange = self._on_exchange
        self.warc_max_bytes = warc_max_bytes
        self.robots: dict[str, RobotsRules] = {}
        self.paused: dict[str, str] = {}
        self.frontier: dict[str, list[tuple[int, int, str]]] = {}
        self.hosts = {host_of(seed) for seed in self.seeds}
        self._last: ArchivedRecord | None = None
        self.stored: dict[str, int] = {}
        self.counts = {"failed": 0, "disallowed": 0, "redirects": 0}
        #: ``/sitemap.xml`` of hosts whose robots.txt names no sitemap: asked for, and not missed when absent
        self.guessed_sitemaps: set[str] = set()

    # -- set-up -----------------------------------------------------------------------------------------

    def run(self) -> CollectSummary:
        started = datetime.now(timezone.utc)
        self.ledger = Ledger(self.output_dir)
        self.run_id = self.ledger.start_run(
            started_at=warc_date(started), user_agent=self.user_agent, seeds=self.seeds, settings=self.settings,
            files_on_disk=lambda run, run_started: run_files(self.output_dir, prefix="danvan", run=run,
                                                             started_at=run_started))
        info = {
            "software": f"danvan-toolkit/{toolkit.__version__} ({_versions()})",
            "format": "WARC File Format 1.0",
            "conformsTo": "http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf",
            "isPartOf": self.output_dir.name,
            "description": "research crawl of Party-committee news portals (python -m toolkit collect)",
            "robots": "obey (RFC 9309, own user agent)",
            "http-header-user-agent": self.user_agent,
            "seeds": " ".join(self.seeds),
            "scope": self.scope.describe(),
            "settings": json.dumps(self.settings, sort_keys=True),
            "run": str(self.run_id),
        }
        self.archive = WarcArchive(self.output_dir, prefix="danvan", run_started=started, info=info,
                                   max_bytes=self.warc_max_bytes, known_digests=self.ledger.known_digests())
        stopped = "interrupted"
        try:
            self._prepare()
            stopped = self._loop()
        except KeyboardInterrupt:
            logger.warning("interrupted; the next run with the same output folder continues from here")
        finally:
            self.archive.close()
            self.ledger.commit()
            queued = len(self.ledger.queued())
            self.ledger.finish_run(self.run_id, finished_at=warc_date(datetime.now(timezone.utc)), stopped=stopped,
                                   warc_files=self.archive.files)
            self.ledger.close()
        summary = CollectSummary(output_dir=self.output_dir, run=self.run_id, stopped=stopped,
                                 n_requests=self.fetcher.n_requests, stored=dict(sorted(self.stored.items())),
                                 failed=self.counts["failed"], disallowed=self.counts["disallowed"],
                                 redirects=self.counts["redirects"], queued=queued, warc_files=list(self.archive.files),
                                 capped={p: len(links) for p, links in sorted(self.capped.items())},
                                 host_delays=dict(sorted(self.host_delays.items())))
        logger.info("run %d %s: %d requests, stored %s, %d failed, %d disallowed, %d queued for a next run",
                    self.run_id, stopped, summary.n_requests, summary.stored, summary.failed, summary.disallowed,
                    summary.queued)
        return summary

    def _prepare(self) -> None:
        ledger = self.ledger
        for seed in self.seeds:
            key = url_key(seed)
            if not ledger.add(key, seed, kind="page", priority=PRIORITY["page"], seed=True):
                ledger.update(key, seed=1)
        # list pages stored by earlier runs count towards their pattern's cap
        for key, url in ledger.db.execute(
                "SELECT normalized_url, url FROM pages WHERE state = 'stored' AND kind = 'listing'"):
            self.listings_per_pattern.setdefault(listing_pattern(url), set()).add(key)
        # pages left out by a cap that is now higher (or gone) are fetched after all
        uncapped = 0
        for row in ledger.capped():
            if not self._pattern_full(listing_pattern(row["url"])):
                ledger.update(row["normalized_url"], state="queued", failure=None)
                uncapped += 1
        if uncapped:
            logger.info("%d pages left out by --max-listings-per-pattern in earlier runs are fetched under the "
                        "higher cap", uncapped)
        retried = ledger.requeue_retryable()
        if retried:
            logger.info("%d URLs that failed for a passing reason are tried again", retried)
        if self.refresh:
            logger.info("refresh: %d listings, sitemaps and feeds fetched again", ledger.requeue_for_refresh(self.run_id))
        ledger.commit()
        now = time.time()
        for row in ledger.db.execute("SELECT host, last_request_at, crawl_delay FROM hosts").fetchall():
            if row["last_request_at"] is not None:
                self.fetcher.note_previous_request(row["host"], now - row["last_request_at"])
            if row["crawl_delay"]:
                self.fetcher.set_crawl_delay(row["host"], row["crawl_delay"])
        for row in ledger.queued():
            self._push(row["normalized_url"], row["url"], row["priority"], row["seq"])

    def _push(self, key: str, url: str, priority: int, seq: int) -> None:
        heapq.heappush(self.frontier.setdefault(host_of(url), []), (priority, seq, key))

    # -- loop -------------------------------------------------------------------------------------------

    def _next_host(self) -> str | None:
        best = None
        for host, heap in self.frontier.items():
            if not heap or host in self.paused:
                continue
            candidate = (self.fetcher.ready_at(host), heap[0], host)
            if best is None or candidate < best:
                best = candidate
        return None if best is None else best[2]

    def _loop(self) -> str:
        while True:
            if self.max_pages is not None and sum(self.stored.get(k, 0) for k in PAGE_KINDS) >= self.max_pages:
                return "max-pages"
            host = self._next_host()
            if host is None:
                return "done"
            try:
                if host not in self.robots:
                    self._fetch_robots(host)
                    continue
                _, _, key = heapq.heappop(self.frontier[host])
                row = self.ledger.get(key)
                if row is None or row["state"] != "queued":
                    continue
                self._visit(row)
            except HostPaused as exc:
                self.paused[host] = str(exc)
                logger.warning("leaving %s for a later run: %s", host, exc)
            self.ledger.commit()

    def _on_exchange(self, exchange: Exchange) -> None:
        """Every attempt: to the WARC file first (fsynced), then the request log."""
        self._last = self.archive.write(exchange)
        record = self._last
        self.ledger.log_request(
            run=self.run_id, url=exchange.url, started_at=warc_date(exchange.started_at), attempt=exchange.attempt,
            status=exchange.status, error=exchange.error,
            warc_file=record.warc_file if record else None, warc_offset=record.offset if record else None,
            warc_record_id=record.record_id if record else None)
        self.ledger.set_host(host_of(exchange.url), last_request_at=exchange.started_at.timestamp())
        self.ledger.commit()

    def _fetch(self, url: str) -> tuple[Exchange, ArchivedRecord | None]:
        self._last = None
        exchange = self.fetcher.fetch(url)
        return exchange, self._last

    # -- robots.txt ---------------------------------------------------------------------------------------

    def _fetch_robots(self, host: str) -> None:
        first = self.frontier[host][0][2]
        scheme = first.split("://", 1)[0]
        url = f"{scheme}://{host}/robots.txt"
        rules = None
        for _ in range(5):  # RFC 9309: follow at least five redirects
            exchange, record = self._fetch(url)
            self._record_robots(url, exchange, record)
            status = exchange.status
            if status is None or status >= 500 or status == 429:
                rules = RobotsRules.disallow_all(self.user_agent)
                why = exchange.error or f"HTTP {status}"
                self.paused[host] = f"robots.txt unreachable ({why})"
                logger.warning("%s: robots.txt unreachable (%s); the host is left for a later run", host, why)
                break
            if 300 <= status < 400 and exchange.location:
                target = resolve_link(url, exchange.location)
                if target is None:
                    rules = RobotsRules.allow_all(self.user_agent)
                    break
                url = target
                continue
            if 200 <= status < 300:
                text = exchange.body.decode("utf-8", "replace")
                rules = RobotsRules.parse(text, self.user_agent)
            else:  # 4xx: no robots.txt, everything allowed
                rules = RobotsRules.allow_all(self.user_agent)
            break
        if rules is None:  # a redirect loop counts as unreachable
            rules = RobotsRules.disallow_all(self.user_agent)
            self.paused[host] = "robots.txt redirects too often"
        self.robots[host] = rules
        if rules.status == "disallow-all":
            # unreachable says nothing new about pace: the Crawl-delay an earlier run read still holds
            self.ledger.set_host(host, robots=rules.status)
        else:
            self.fetcher.set_crawl_delay(host, rules.crawl_delay)
            self.ledger.set_host(host, robots=rules.status, crawl_delay=rules.crawl_delay)
        if host not in self.paused:  # a host left for a later run is sent nothing more: no delay to report
            self.host_delays[host] = self.fetcher.gap(host)
            delays = dict(sorted(self.host_delays.items()))
            self.ledger.set_host_delays(self.run_id, delays)
            self.archive.update_info({"host-delays": json.dumps(delays)})
        if rules.crawl_delay:
            logger.info("%s: Crawl-delay %.2g s; requests spaced by %.2g s", host, rules.crawl_delay,
                        self.fetcher.gap(host))
        sitemaps = list(rules.sitemaps)
        if not sitemaps and self.guess_sitemap and rules.status != "disallow-all":
            sitemaps = [f"{scheme}://{host}/sitemap.xml"]
            self.guessed_sitemaps.add(url_key(sitemaps[0]))
        for sitemap in sitemaps:
            self._discover(sitemap, "sitemap", f"{scheme}://{host}/robots.txt")

    def _record_robots(self, url: str, exchange: Exchange, record: ArchivedRecord | None) -> None:
        key = url_key(url)
        self.ledger.add(key, url, kind="robots", priority=PRIORITY["sitemap"], state="stored")
        fields = self._exchange_fields(exchange, record)
        ok = exchange.status is not None and exchange.status < 400
        self.ledger.update(key, kind="robots", state="stored" if ok else "failed", run=self.run_id,
                           failure=None if ok else (exchange.error or f"HTTP {exchange.status}"), **fields)
        if ok:
            self.stored["robots"] = self.stored.get("robots", 0) + 1

    # -- pages ------------------------------------------------------------------------------------------

    def _exchange_fields(self, exchange: Exchange, record: ArchivedRecord | None) -> dict:
        return {
            "status": exchange.status,
            "fetched_at": warc_date(exchange.started_at),
            "attempts": exchange.attempt,
            "warc_file": record.warc_file if record else None,
            "warc_offset": record.offset if record else None,
            "warc_record_id": record.record_id if record else None,
            "payload_digest": record.digest if record else None,
            "revisit_of": (record.revisit_of or None) if record else None,
        }

    def _visit(self, row) -> None:
        key, url, hint = row["normalized_url"], row["url"], row["kind"]
        if not (self.scope.contains(url) or hint in ("sitemap", "feed") or row["seed"]):
            self.ledger.update(key, state="failed", failure="out of scope", retryable=0)
            return
        if self._capped_in_queue(row):
            return
        rules = self.robots[host_of(url)]
        if not rules.allows(url):
            self.ledger.update(key, state="disallowed", failure=f"robots.txt disallows it for {self.user_agent}")
            self.counts["disallowed"] += 1
            logger.info("robots.txt disallows %s", url)
            return
        exchange, record = self._fetch(url)
        fields = self._exchange_fields(exchange, record)
        status = exchange.status
        if status is None or status >= 400 or (status >= 300 and not exchange.location):
            if exchange.error:
                why = exchange.error
            else:
                why = f"HTTP {status}" if status >= 400 else f"HTTP {status} without Location"
            retryable = status is None or status in RETRY_STATUSES
            if key in self.guessed_sitemaps and status in (404, 410):
                # a site that declares no sitemap has none, mostly: no failure of the crawl
                self.ledger.update(key, state="failed", failure=f"no sitemap: the guessed {url} answered {why}",
                                   retryable=0, run=self.run_id, **fields)
                logger.info("%s: no sitemap (%s)", host_of(url), why)
                return
            self.ledger.update(key, state="failed", failure=why, retryable=int(retryable), run=self.run_id, **fields)
            self.counts["failed"] += 1
            return
        if status >= 300:
            self._redirect(row, exchange, fields)
            return
        self._store(row, exchange, fields)

    def _redirect(self, row, exchange: Exchange, fields: dict) -> None:
        key, url = row["normalized_url"], row["url"]
        self.counts["redirects"] += 1
        target = resolve_link(url, exchange.location)
        chain = json.loads(row["redirects"]) if row["redirects"] else []
        if target is None:
            self.ledger.update(key, state="failed", failure=f"unusable Location {exchange.location!r}", run=self.run_id,
                               **fields)
            return
        self.ledger.update(key, state="redirect", redirects=[target], run=self.run_id, failure=None, **fields)
        if len(chain) + 1 > MAX_REDIRECTS:
            self.ledger.update(key, failure=f"more than {MAX_REDIRECTS} redirects; not followed")
            return
        if not (self.scope.contains(target) or row["seed"]):
            self.ledger.update(key, failure=f"redirect target out of scope: {target}")
            return
        target_key = url_key(target)
        if target_key == key:
            self.ledger.update(key, failure="redirects to itself")
            return
        hint = row["kind"] if row["kind"] in ("sitemap", "feed") else "page"
        if self.ledger.add(target_key, target, kind=hint, priority=PRIORITY["redirect"], discovered_from=url,
                           seed=bool(row["seed"]), redirects=chain + [url]):
            new = self.ledger.get(target_key)
            self._push(target_key, target, new["priority"], new["seq"])
        else:
            logger.debug("%s redirects to %s, already known", url, target)

    def _store(self, row, exchange: Exchange, fields: dict) -> None:
        key, url, hint = row["normalized_url"], row["url"], row["kind"]
        try:
            body = exchange.body
        except (ValueError, zlib.error) as exc:  # the server's compression, not our code
            body = None
            failure = f"undecodable payload ({exc})"
        if body is None:
            self.ledger.update(key, state="stored", kind="other", failure=failure, run=self.run_id, **fields)
            self._count("other")
            return
        content_type = exchange.content_type
        sniff = body.lstrip()[:200].lower()
        looks_xml = content_type in _XML_TYPES or sniff.startswith(b"<?xml") or body[:2] == b"\x1f\x8b"
        if hint in ("sitemap", "feed") or (looks_xml and b"<html" not in sniff):
            reading = read_xml(body, url)
            if reading is not None:
                for page in reading.pages:
                    self._discover(page, "page", url)
                for sitemap in reading.sitemaps:
                    self._discover(sitemap, "sitemap", url)
                self.ledger.update(key, state="stored", kind=reading.kind, run=self.run_id, failure=None, **fields)
                self._count(reading.kind)
                logger.debug("%s: %s with %d pages, %d sitemaps", url, reading.kind, len(reading.pages),
                             len(reading.sitemaps))
                return
        if content_type not in _HTML_TYPES and not sniff.startswith((b"<!doctype html", b"<html")):
            self.ledger.update(key, state="stored", kind="other", run=self.run_id,
                               failure=None, **fields)
            self._count("other")
            return
        from toolkit.ingest.encoding import UndecodableError, decode_bytes

        try:
            text = decode_bytes(body).text
        except UndecodableError as exc:
            self.ledger.update(key, state="stored", kind="other", failure=str(exc), run=self.run_id, **fields)
            self._count("other")
            return
        reading = read_page(text, url)
        for feed in reading.feeds:
            self._discover(feed, "feed", url)
        full = None  # this list page's pattern, when it has had its share of list pages
        if reading.kind == "listing" and self.max_listings:
            pattern = listing_pattern(url)
            stored = self.listings_per_pattern.setdefault(pattern, set())
            stored.add(key)
            if len(stored) >= self.max_listings:
                full = pattern
        if reading.kind != "article" or row["seed"]:
            for link in reading.links:
                if full is not None and listing_pattern(link) == full:
                    self._cap(full, link, found_on=url)
                    continue
                self._discover(link, "page", url)
        self.ledger.update(key, state="stored", kind=reading.kind, run=self.run_id, failure=None, **fields)
        self._count(reading.kind)
        logger.info("%s %s: %s", reading.kind, url, reading.reason)

    def _pattern_full(self, pattern: str) -> bool:
        return bool(self.max_listings) and len(self.listings_per_pattern.get(pattern, ())) >= self.max_listings

    def _capped_in_queue(self, row) -> bool:
        """A queued link of a list page's own pattern, queued before the pattern had its share: left out.

        It is what the cap leaves out when a list page is read (a link of the
        page's own pattern), only found earlier; articles the list pages link
        to have other patterns and are fetched. A page of the pattern already
        stored (fetched again by ``refresh``) is not a further page.
        """
        if row["seed"] or row["kind"] != "page" or not row["discovered_from"]:
            return False
        pattern = listing_pattern(row["url"])
        if listing_pattern(row["discovered_from"]) != pattern or not self._pattern_full(pattern):
            return False
        if row["normalized_url"] in self.listings_per_pattern.get(pattern, ()):
            return False
        self.ledger.update(row["normalized_url"], state="capped", failure=self._cap_reason(pattern))
        self._note_capped(pattern, row["normalized_url"])
        return True

    def _cap_reason(self, pattern: str) -> str:
        return (f"not followed: {len(self.listings_per_pattern[pattern])} list pages of {pattern} stored "
                f"(max_listings_per_pattern {self.max_listings})")

    def _cap(self, pattern: str, link: str, *, found_on: str) -> None:
        """A link of a list-page pattern that has had its share: not followed (a calendar or search trap).

        A new link is written to the ledger as ``capped``; a link known already
        (stored, queued from another page, capped before) is left as it is.
        """
        try:
            link = request_url(link)
        except ValueError:
            return
        key = url_key(link)
        if not self.scope.contains(link):
            return
        if self.ledger.add(key, link, kind="page", priority=PRIORITY["page"], discovered_from=found_on,
                           state="capped", failure=self._cap_reason(pattern)):
            self._note_capped(pattern, key)

    def _note_capped(self, pattern: str, key: str) -> None:
        if pattern not in self.capped:
            self.capped[pattern] = set()
            logger.warning("%s: %d list pages of this pattern stored; its further pages are not followed (a calendar "
                           "or search trap has no last page; a longer real pagination needs a higher "
                           "--max-listings-per-pattern, and a trap can be left out with --scope '!PATTERN')",
                           pattern, len(self.listings_per_pattern[pattern]))
        self.capped[pattern].add(key)

    def _count(self, kind: str) -> None:
        self.stored[kind] = self.stored.get(kind, 0) + 1

    def _discover(self, link: str, hint: str, found_on: str) -> None:
        try:
            link = request_url(link)
        except ValueError:
            return
        if not self.scope.contains(link) and not (hint in ("sitemap", "feed") and host_of(link) in self.hosts):
            return
        key = url_key(link)
        if self.ledger.add(key, link, kind=hint, priority=PRIORITY[hint], discovered_from=found_on):
            row = self.ledger.get(key)
            self._push(key, link, row["priority"], row["seq"])
