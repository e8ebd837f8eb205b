"""``python -m toolkit collect URL... -o DIR``."""

from __future__ import annotations

import signal
from pathlib import Path

import typer

from toolkit.cli import app


@app.command("collect")
def collect_command(
    urls: list[str] = typer.Argument(..., help="Seed URLs: a portal's home page or category listings."),
    output: Path = typer.Option(..., "--output", "-o", help="Crawl folder (WARC files + ledger.sqlite); the same folder resumes."),
    delay: float | None = typer.Option(None, "--delay", min=0.0, help="Seconds between two requests to one host (default: \\[collect] delay, 2). The site's Crawl-delay wins when longer."),
    max_pages: int | None = typer.Option(None, "--max-pages", min=1, help="Stop after storing N HTML pages in this run."),
    user_agent: str | None = typer.Option(None, "--user-agent", help="User agent (default: danvan-toolkit/VERSION with the contact)."),
    contact: str | None = typer.Option(None, "--contact", help="E-mail or URL for the default user agent (default: \\[collect] contact)."),
    timeout: float | None = typer.Option(None, "--timeout", min=0.1, help="Seconds to connect and per read (default 30)."),
    retries: int | None = typer.Option(None, "--retries", min=0, help="Further attempts after 429/5xx/timeouts (default 3)."),
    scope: list[str] = typer.Option([], "--scope", help="URL pattern to follow (repeatable; * wildcard; !PATTERN excludes). Default: the seeds' hosts."),
    refresh: bool = typer.Option(False, "--refresh", help="Fetch stored listings, sitemaps and feeds again to find new articles."),
    max_listings: int | None = typer.Option(None, "--max-listings-per-pattern", min=0, help="List pages stored per address pattern (numbers and query values taken out) before its further pages are not followed: ends calendar and search traps; 0: no cap (default: \\[collect] max_listings_per_pattern, 500)."),
    config: Path | None = typer.Option(None, "--config", "-c", exists=True, dir_okay=False, help="Run config whose \\[collect] section gives the defaults."),
) -> None:
    """Crawl portals politely into WARC files and a ledger; rerun to resume."""
    from toolkit.collect import collect, default_user_agent
    from toolkit.config import load_config

    settings = load_config(config).collect
    agent = user_agent or default_user_agent(contact if contact is not None else settings.contact)
    if user_agent is None and not (contact or settings.contact):
        typer.echo("warning: no contact in the user agent; set --contact or [collect] contact before crawling "
                   "real portals", err=True)
    # A `kill` (SIGTERM) stops like Ctrl-C: the current record is finished and the ledger closed.
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        summary = collect(
            urls, output,
            delay=settings.delay if delay is None else delay,
            max_pages=max_pages, user_agent=agent,
            timeout=settings.timeout if timeout is None else timeout,
            retries=settings.retries if retries is None else retries,
            scope=scope or None, refresh=refresh,
            warc_max_bytes=settings.warc_max_bytes, max_pause=settings.max_pause,
            max_listings_per_pattern=settings.max_listings_per_pattern if max_listings is None else max_listings)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    stored = ", ".join(f"{n} {kind}" for kind, n in summary.stored.items()) or "nothing"
    typer.echo(f"run {summary.run} {summary.stopped}: {summary.n_requests} requests; stored {stored}; "
               f"{summary.failed} failed, {summary.redirects} redirects, {summary.disallowed} disallowed by "
               f"robots.txt, {summary.queued} queued for the next run; WARC: {', '.join(summary.warc_files) or 'none'} "
               f"in {output}")
    for pattern, n in summary.capped.items():
        typer.echo(f"capped: {pattern} had its share of list pages; {n} further page(s) of it not fetched "
                   "(--max-listings-per-pattern; state 'capped' in the ledger)")
    if summary.stopped == "interrupted":
        raise typer.Exit(130)
