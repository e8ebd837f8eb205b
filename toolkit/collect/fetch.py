"""The polite fetcher: one request at a time per host, paced, retried with care.

Every request goes through :meth:`PoliteFetcher.fetch`, robots.txt, sitemaps
and feeds included. Before a request to a host it waits until

* ``gap`` seconds (the larger of ``delay`` and the site's ``Crawl-delay``)
  have passed since the *start* of the previous request to that host, and
* any pause the host asked for has passed (``Retry-After`` of a 429 or 503,
  counted from when that answer arrived) or that our back-off set
  (``gap × 2**attempt`` after a 5xx, a timeout or a dropped connection).

Redirects are not followed here: each hop is an exchange of its own (the
crawler records it and queues the target like any other link). Each attempt
is handed to an ``on_exchange`` callback before anything else happens, so
the archive holds every request and every answer, failed ones included.

The clock and the sleep function are parameters, so the pacing logic is
tested without waiting.
"""

from __future__ import annotations

import email.utils
import logging
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import urllib3

from toolkit.collect.urls import host_of

__all__ = ["Exchange", "PoliteFetcher", "parse_retry_after", "decode_content"]

logger = logging.getLogger("toolkit.collect")

#: Statuses worth another attempt; 429/503 first honour Retry-After.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 408})
#: Headers of a response that describe the transfer, not the payload we store (de-chunked).
_TRANSFER_HEADERS = frozenset({"transfer-encoding"})


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Exchange:
    """One HTTP request and what came back (``status`` None when nothing did).

    ``payload`` is the body as transferred (still content-encoded, chunking
    removed), as a WARC response record stores it; :attr:`body` decodes it.
    """

    url: str
    request_headers: list[tuple[str, str]]
    started_at: datetime
    method: str = "GET"
    status: int | None = None
    reason: str = ""
    http_version: str = "HTTP/1.1"
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    payload: bytes = b""
    error: str = ""
    attempt: int = 1

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.response_headers:
            if key.lower() == name:
                return value
        return None

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    @property
    def body(self) -> bytes:
        """The payload with its ``Content-Encoding`` (gzip, deflate) undone."""
        return decode_content(self.payload, self.header("content-encoding"))

    @property
    def location(self) -> str | None:
        return self.header("location") if self.status is not None and 300 <= self.status < 400 else None


def decode_content(payload: bytes, encoding: str | None) -> bytes:
    """Undo ``Content-Encoding: gzip`` / ``deflate`` (several, in order); other codings raise ValueError."""
    for coding in reversed([c.strip().lower() for c in (encoding or "").split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip"):
            payload = zlib.decompress(payload, 16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            try:
                payload = zlib.decompress(payload)
            except zlib.error:  # raw deflate without the zlib header, as some servers send it
                payload = zlib.decompress(payload, -zlib.MAX_WBITS)
        elif coding != "identity":
            raise ValueError(f"unsupported Content-Encoding {coding!r}")
    return payload


def parse_retry_after(value: str | None, *, now: datetime, server_date: str | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP date.

    An HTTP date is read against the response's own ``Date`` when it has one
    (so a wrong clock on either side does not shorten the pause), else
    against ``now``. None for a missing or unreadable value.

    Examples
    --------
    >>> now = datetime(2024, 5, 1, 8, 0, 0, tzinfo=timezone.utc)
    >>> parse_retry_after("3", now=now), parse_retry_after("Wed, 01 May 2024 08:00:30 GMT", now=now)
    (3.0, 30.0)
    """
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    reference = now
    if server_date:
        try:
            reference = email.utils.parsedate_to_datetime(server_date)
            if reference.tzinfo is None:
                reference = reference.replace(tzinfo=timezone.utc)
        except (TypeError, ValueError):
            reference = now
    return max(0.0, (when - reference).total_seconds())


class HostPaused(Exception):
    """The host asked for a pause longer than we are willing to wait in this run."""


class PoliteFetcher:
    """GET with per-host pacing, Retry-After, exponential back-off and a bounded number of retries.

    Parameters
    ----------
    user_agent
        Sent with every request.
    delay
        Minimum seconds between the starts of two requests to one host.
    timeout
        Seconds for connecting and for each read.
    retries
        Further attempts after the first for 429, 5xx, timeouts and dropped
        connections; then the fetch gives up.
    max_pause
        Longest ``Retry-After`` (or back-off) honoured by waiting; a longer
        one raises :class:`HostPaused` so the crawl leaves the host for a
        later run instead of hammering it or hanging.
    on_exchange
        Called with every :class:`Exchange` (each attempt) as soon as it ends.
    clock, sleep, now
        Monotonic clock, sleep and wall clock (tests pass fakes).
    """

    def __init__(self, user_agent: str, *, delay: float = 2.0, timeout: float = 30.0, retries: int = 3,
                 max_pause: float = 600.0, on_exchange: Callable[[Exchange], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] = _utcnow, pool: urllib3.PoolManager | None = None):
        if delay < 0 or timeout <= 0 or retries < 0:
            raise ValueError("delay and retries must be >= 0 and timeout > 0")
        self.user_agent = user_agent
        self.delay = float(delay)
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.max_pause = float(max_pause)
        self.on_exchange = on_exchange
        self.clock, self.sleep, self.now = clock, sleep, now
        # One connection per host (maxsize=1, block=True): requests to one host never overlap.
        self.pool = pool or urllib3.PoolManager(num_pools=16, maxsize=1, block=True, retries=False)
        self.crawl_delays: dict[str, float] = {}
        self._last_start: dict[str, float] = {}
        self._not_before: dict[str, float] = {}
        self.n_requests = 0

    # -- pacing -----------------------------------------------------------------------------------------

    def gap(self, host: str) -> float:
        """Seconds between request starts for ``host``: max(delay, Crawl-delay)."""
        return max(self.delay, self.crawl_delays.get(host, 0.0))

    def set_crawl_delay(self, host: str, seconds: float) -> None:
        self.crawl_delays[host] = max(0.0, float(seconds))

    def note_previous_request(self, host: str, seconds_ago: float) -> None:
        """A request to ``host`` started ``seconds_ago`` (e.g. by the previous run of this crawl)."""
        self._last_start[host] = self.clock() - max(0.0, seconds_ago)

    def ready_at(self, host: str) -> float:
        """Monotonic time at which ``host`` may be sent its next request."""
        last = self._last_start.get(host)
        ready = -float("inf") if last is None else last + self.gap(host)
        return max(ready, self._not_before.get(host, -float("inf")))

    def _wait_for(self, host: str) -> None:
        while True:
            remaining = self.ready_at(host) - self.clock()
            if remaining <= 0:
                return
            self.sleep(remaining)

    def _pause(self, host: str, seconds: float, why: str) -> None:
        if seconds > self.max_pause:
            raise HostPaused(f"{host} asked for a pause of {seconds:.0f} s ({why}); more than {self.max_pause:.0f} s")
        self._not_before[host] = max(self._not_before.get(host, -float("inf")), self.clock() + seconds)

    # -- requests ---------------------------------------------------------------------------------------

    def request_headers(self, url: str) -> list[tuple[str, str]]:
        parts = urlsplit(url)
        return [
            ("Host", parts.netloc),
            ("User-Agent", self.user_agent),
            ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            ("Accept-Language", "vi,en;q=0.5"),
            ("Accept-Encoding", "gzip, deflate"),
            ("Connection", "keep-alive"),
        ]

    def fetch(self, url: str) -> Exchange:
        """GET ``url`` politely; the last attempt's :class:`Exchange` (``attempt`` says which).

        Raises
        ------
        HostPaused
            When the host asks for a longer pause than ``max_pause``.
        """
        host = host_of(url)
        attempt = 0
        while True:
            attempt += 1
            self._wait_for(host)
            exchange = self._once(url, host, attempt)
            if self.on_exchange is not None:
                self.on_exchange(exchange)
            retryable = exchange.status in RETRY_STATUSES or (exchange.status is None and exchange.error)
            if not retryable:
                return exchange
            if attempt > self.retries:
                logger.info("giving up on %s after %d attempts (%s)", url, attempt,
                            exchange.error or f"HTTP {exchange.status}")
                return exchange
            backoff = self.gap(host) * 2 ** attempt
            retry_after = None
            if exchange.status in (429, 503):
                retry_after = parse_retry_after(exchange.header("retry-after"), now=self.now(),
                                                server_date=exchange.header("date"))
            if retry_after is not None:
                # the server said when: wait that long (never less than our own gap)
                self._pause(host, max(retry_after, self.gap(host)), f"Retry-After {retry_after:g}")
                logger.info("%s: HTTP %s, Retry-After %.1f s", url, exchange.status, retry_after)
            else:
                self._pause(host, backoff, "back-off")
                logger.info("%s: %s; retrying in %.1f s", url, exchange.error or f"HTTP {exchange.status}", backoff)

    def _once(self, url: str, host: str, attempt: int) -> Exchange:
        headers = self.request_headers(url)
        self._last_start[host] = self.clock()
        exchange = Exchange(url=url, request_headers=headers, started_at=self.now(), attempt=attempt)
        self.n_requests += 1
        try:
            response = self.pool.request(
                "GET", url, headers={k: v for k, v in headers if k != "Host"}, redirect=False, retries=False,
                preload_content=False, decode_content=False,
                timeout=urllib3.Timeout(connect=self.timeout, read=self.timeout))
            try:
                payload = response.read(decode_content=False)
            finally:
                response.release_conn()
        except urllib3.exceptions.TimeoutError as exc:
            exchange.error = f"timeout ({type(exc).__name__})"
            return exchange
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            exchange.error = f"connection error ({type(exc).__name__}: {exc})"
            return exchange
        exchange.status = response.status
        exchange.reason = response.reason or ""
        exchange.http_version = {10: "HTTP/1.0", 11: "HTTP/1.1"}.get(getattr(response, "version", 11), "HTTP/1.1")
        exchange.response_headers = [(k, v) for k, v in response.headers.iteritems()
                                     if k.lower() not in _TRANSFER_HEADERS]
        exchange.payload = payload
        return exchange
