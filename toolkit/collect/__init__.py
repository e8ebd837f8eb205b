"""Collecting pages: a polite, resumable research crawler that archives what it saw (WARC).

Raw pages are where every analysis starts; this stage makes their collection
part of the reproducible pipeline::

    seed URLs ─ collect ─▶ DIR/*.warc.gz + DIR/ledger.sqlite ─ ingest ─▶ document table

From one or more seed URLs (a portal's home page, a category listing) the
crawler discovers article pages through the sitemaps that ``robots.txt``
declares (else ``/sitemap.xml``), the RSS/Atom feeds pages declare, and the
links of listing pages (pagination followed), staying on the seeds' hosts
unless ``scope`` patterns say otherwise.

Modules: :mod:`~toolkit.collect.urls` (request form, dedup key, scope),
:mod:`~toolkit.collect.robots` (robots.txt for our user agent),
:mod:`~toolkit.collect.fetch` (pacing, Retry-After, back-off, retries),
:mod:`~toolkit.collect.pages` (article / listing / sitemap / feed, links),
:mod:`~toolkit.collect.archive` (WARC files), :mod:`~toolkit.collect.ledger`
(SQLite ledger), :mod:`~toolkit.collect.crawl` (the loop).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from toolkit.collect.crawl import CollectSummary, Crawler, default_user_agent
from toolkit.collect.ledger import LEDGER_NAME, read_ledger
from toolkit.collect.pages import classify_page, read_page, read_xml

__all__ = ["collect", "CollectSummary", "default_user_agent", "read_ledger", "classify_page", "read_page",
           "read_xml", "LEDGER_NAME"]


def collect(
    seeds: str | Sequence[str],
    output_dir: str | os.PathLike,
    *,
    delay: float = 2.0,
    max_pages: int | None = None,
    user_agent: str | None = None,
    contact: str = "",
    timeout: float = 30.0,
    retries: int = 3,
    scope: Sequence[str] | None = None,
    refresh: bool = False,
    warc_max_bytes: int = 1_000_000_000,
    max_pause: float = 600.0,
    max_listings_per_pattern: int | None = 500,
) -> CollectSummary:
    """Crawl from ``seeds`` into ``output_dir``, politely, resuming any earlier run there.

    Parameters
    ----------
    seeds
        Start URLs: a portal's home page or category listings. Their hosts
        are the crawl's scope unless ``scope`` is given.
    output_dir
        Folder of the crawl: WARC files (``danvan-<UTC start>-<serial>.warc.gz``,
        a new set per run) and the ledger ``ledger.sqlite``. Running again
        with the same folder continues the crawl: URLs still queued are
        fetched, stored ones never again.
    delay
        Minimum seconds between the starts of two requests to one host; the
        site's ``Crawl-delay`` (for our user agent) wins when longer. The gap
        kept with each host is recorded in ``runs.host_delays`` and the
        ``warcinfo`` records (``CollectSummary.host_delays``).
    max_pages
        Stop once this many HTML pages (articles, listings, other pages)
        were stored in this run; None: no limit.
    user_agent
        Sent with every request and matched against robots.txt groups;
        default :func:`default_user_agent` with ``contact``.
    contact
        E-mail or URL for the default user agent, so a webmaster can reach
        the researcher.
    timeout
        Seconds to connect and for each read.
    retries
        Further attempts after a 429, a 5xx, a timeout or a dropped
        connection (Retry-After honoured, else exponential back-off from
        the politeness gap); then the URL is recorded as failed and a later
        run tries again.
    scope
        URL patterns (``*`` wildcard; ``!`` excludes): with patterns, a URL
        is followed when it matches one and no excluding one; see
        :class:`toolkit.collect.urls.Scope`.
    refresh
        Fetch stored listings, sitemaps, feeds and seeds again to find new
        articles (articles already stored are still never fetched again).
    warc_max_bytes
        Start a new WARC file past this size.
    max_pause
        Longest pause (Retry-After or back-off) waited for; a host asking for
        more is left for a later run.
    max_listings_per_pattern
        List pages stored per pattern (:func:`toolkit.collect.urls.listing_pattern`:
        the address with its numbers and query values taken out, which a
        pager's or a calendar's next pages share), this run's and earlier
        runs' together; past it, a list page's links of its own pattern are
        not followed (the articles it links to still are), nor those links
        queued before the cap was reached: they are ``capped`` in the ledger
        (a later run with a higher cap fetches them), the pattern is logged as
        a warning and counted in ``CollectSummary.capped``. It ends calendar
        and search traps, which have no last page. None or 0: no cap.

    Returns
    -------
    CollectSummary
        Counts of this run, the WARC files written, and ``ledger()`` for the
        ledger of all runs.

    Examples
    --------
    >>> summary = collect(["http://huyenuy.example.vn/"], "crawls/huyenuy", delay=5,
    ...                   contact="nhom@example.edu", max_pages=200)      # doctest: +SKIP
    >>> summary.ledger().query("kind == 'article'")[["url", "fetched_at"]]  # doctest: +SKIP
    """
    if isinstance(seeds, str):
        seeds = [seeds]
    if max_pages is not None and max_pages < 1:
        raise ValueError("max_pages must be at least 1")
    if max_listings_per_pattern is not None and max_listings_per_pattern < 0:
        raise ValueError("max_listings_per_pattern must be 0 (no cap) or more")
    crawler = Crawler(list(seeds), output_dir, delay=delay, max_pages=max_pages,
                      user_agent=user_agent or default_user_agent(contact), timeout=timeout, retries=retries,
                      scope=list(scope) if scope else None, refresh=refresh, warc_max_bytes=warc_max_bytes,
                      max_pause=max_pause, max_listings_per_pattern=max_listings_per_pattern)
    return crawler.run()


class _CollectPackage(__import__("types").ModuleType):
    """The ``toolkit.collect`` package, callable: ``toolkit.collect(seeds, output_dir, **options)``.

    As for ``toolkit.ingest``: the package and the stage's verb share a name, and
    calling the package runs :func:`collect`.
    """

    def __call__(self, seeds, output_dir, **options):
        return collect(seeds, output_dir, **options)


__import__("sys").modules[__name__].__class__ = _CollectPackage
