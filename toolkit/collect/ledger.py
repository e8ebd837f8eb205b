"""The crawl ledger: ``DIR/ledger.sqlite``, what was found, fetched and stored, and where.

Tables (read them with :func:`read_ledger` or any SQLite client):

``pages`` — one row per normalized URL:
    ``normalized_url`` (key), ``url`` (address requested), ``kind``
    (``article``, ``listing``, ``other``, ``sitemap``, ``feed``, ``robots``; before
    the fetch the hint ``page``, ``sitemap`` or ``feed``), ``state``
    (``queued``, ``stored``, ``redirect``, ``failed``, ``disallowed``, ``capped``:
    a further page of a list-page pattern that had its ``max_listings_per_pattern``,
    not requested; a later run with a higher cap fetches it),
    ``status`` (HTTP status of the last answer), ``fetched_at`` (UTC, as the
    WARC-Date), ``warc_file``, ``warc_offset``, ``warc_record_id`` (of the
    response or revisit record), ``payload_digest``, ``revisit_of``,
    ``failure`` (why it failed or was not fetched), ``redirects`` (JSON: for a
    redirect its target; for a page reached through redirects the addresses
    before it), ``discovered_from``, ``seed``, ``attempts``, ``retryable``
    (a failure a later run tries again: 5xx, 429, timeouts), ``run``,
    ``priority``, ``seq`` (discovery order).
``requests`` — every HTTP request of every run: ``run, url, started_at, attempt, status,
    error, warc_file, warc_offset, warc_record_id``.
``runs`` — ``run, started_at, finished_at, stopped`` (``done``, ``max-pages``,
    ``interrupted``; ``crashed``, set by the next run, when a run never finished), ``user_agent, seeds, settings``
    (JSON: the options as given), ``warc_files`` (JSON: the run's files; for a crashed run found by the next run
    from the ledger and the files' ``warcinfo``), ``host_delays`` (JSON ``{host: seconds}``: the gap between
    request starts actually kept with each host, max(``delay``, its robots.txt ``Crawl-delay``), written
    as soon as the host's robots.txt is read).
``hosts`` — ``host, last_request_at`` (epoch seconds), ``robots``, ``crawl_delay``:
    the next run waits out the gap after the previous run's last request.

Every change is committed in one transaction per URL, after its WARC records
were written and fsynced, so the ledger never points at a record that is not
on disk.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

__all__ = ["Ledger", "read_ledger", "LEDGER_NAME"]

LEDGER_NAME = "ledger.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    normalized_url TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    status INTEGER,
    fetched_at TEXT,
    warc_file TEXT,
    warc_offset INTEGER,
    warc_record_id TEXT,
    payload_digest TEXT,
    revisit_of TEXT,
    failure TEXT,
    redirects TEXT,
    discovered_from TEXT,
    seed INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    retryable INTEGER NOT NULL DEFAULT 0,
    run INTEGER,
    refreshed_run INTEGER,
    priority INTEGER NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS pages_state ON pages (state);
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL,
    url TEXT NOT NULL,
    started_at TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status INTEGER,
    error TEXT,
    warc_file TEXT,
    warc_offset INTEGER,
    warc_record_id TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    run INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    stopped TEXT,
    user_agent TEXT,
    seeds TEXT,
    settings TEXT,
    warc_files TEXT,
    host_delays TEXT
);
CREATE TABLE IF NOT EXISTS hosts (
    host TEXT PRIMARY KEY,
    last_request_at REAL,
    robots TEXT,
    crawl_delay REAL
);
"""

#: Kinds that `refresh` fetches again: they are where new articles show up.
REFRESH_KINDS = ("listing", "sitemap", "feed")


class Ledger:
    """The SQLite ledger of one crawl folder."""

    def __init__(self, directory: str | os.PathLike):
        self.path = Path(directory) / LEDGER_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level="DEFERRED")
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA synchronous = FULL")
        self.db.executescript(_SCHEMA)
        # ledgers written before a column existed gain it (empty for their runs)
        have = {row[1] for row in self.db.execute("PRAGMA table_info(runs)")}
        for column in ("host_delays",):
            if column not in have:
                self.db.execute(f"ALTER TABLE runs ADD COLUMN {column} TEXT")
        self.db.commit()
        self._seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM pages").fetchone()[0]

    def close(self) -> None:
        self.db.commit()
        self.db.close()

    def commit(self) -> None:
        self.db.commit()

    # -- runs -------------------------------------------------------------------------------------------

    def start_run(self, *, started_at: str, user_agent: str, seeds: list[str], settings: dict,
                  files_on_disk: Callable[[int, str], Iterable[str]] | None = None) -> int:
        """A new row in ``runs``; earlier runs that never finished are marked ``crashed`` first.

        A crashed run's ``warc_files`` are the files its requests and pages name in
        the ledger, and those ``files_on_disk(run, started_at)`` finds (a file
        whose records never reached the ledger), so the table cites every file.
        """
        # an earlier run that never finished was killed hard (kill -9, a power cut): say so, with its files
        # (also for a run marked crashed before the files were recorded)
        crashed = self.db.execute(
            "SELECT run, started_at FROM runs WHERE (finished_at IS NULL AND stopped IS NULL) "
            "OR (stopped = 'crashed' AND warc_files IS NULL)").fetchall()
        for run, run_started in crashed:
            files = set(self.warc_files_of(run))
            if files_on_disk is not None:
                files.update(files_on_disk(run, run_started))
            self.db.execute("UPDATE runs SET stopped = 'crashed', warc_files = ? WHERE run = ?",
                            (json.dumps(sorted(files)), run))
        cursor = self.db.execute(
            "INSERT INTO runs (started_at, user_agent, seeds, settings, host_delays) VALUES (?, ?, ?, ?, ?)",
            (started_at, user_agent, json.dumps(seeds, ensure_ascii=False), json.dumps(settings, sort_keys=True),
             "{}"))
        self.db.commit()
        return int(cursor.lastrowid)

    def warc_files_of(self, run: int) -> list[str]:
        """The WARC files that the ledger's requests and pages of ``run`` point into."""
        rows = self.db.execute(
            "SELECT warc_file FROM requests WHERE run = ? AND warc_file IS NOT NULL "
            "UNION SELECT warc_file FROM pages WHERE run = ? AND warc_file IS NOT NULL", (run, run)).fetchall()
        return sorted(row[0] for row in rows)

    def set_host_delays(self, run: int, delays: dict[str, float]) -> None:
        """The gap kept with each host in ``run`` (``runs.host_delays``)."""
        self.db.execute("UPDATE runs SET host_delays = ? WHERE run = ?", (json.dumps(delays, sort_keys=True), run))

    def finish_run(self, run: int, *, finished_at: str, stopped: str, warc_files: list[str]) -> None:
        self.db.execute("UPDATE runs SET finished_at = ?, stopped = ?, warc_files = ? WHERE run = ?",
                        (finished_at, stopped, json.dumps(warc_files), run))
        self.db.commit()

    # -- pages ------------------------------------------------------------------------------------------

    def get(self, key: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM pages WHERE normalized_url = ?", (key,)).fetchone()

    def add(self, key: str, url: str, *, kind: str, priority: int, discovered_from: str = "", seed: bool = False,
            state: str = "queued", failure: str = "", redirects: list[str] | None = None) -> bool:
        """Record a newly found URL; False when it is already known (nothing changes)."""
        self._seq += 1
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO pages (normalized_url, url, kind, state, failure, redirects, discovered_from, seed,"
            " priority, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, url, kind, state, failure or None, json.dumps(redirects) if redirects else None,
             discovered_from or None, int(seed), priority, self._seq))
        return cursor.rowcount == 1

    def update(self, key: str, **values) -> None:
        if "redirects" in values and isinstance(values["redirects"], list):
            values["redirects"] = json.dumps(values["redirects"], ensure_ascii=False)
        columns = ", ".join(f"{name} = ?" for name in values)
        self.db.execute(f"UPDATE pages SET {columns} WHERE normalized_url = ?", (*values.values(), key))

    def capped(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM pages WHERE state = 'capped' ORDER BY priority, seq").fetchall()

    def queued(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM pages WHERE state = 'queued' ORDER BY priority, seq").fetchall()

    def requeue_retryable(self) -> int:
        """Failures worth another try (5xx, 429, timeouts, robots.txt unreachable) go back to the queue."""
        cursor = self.db.execute("UPDATE pages SET state = 'queued' WHERE state = 'failed' AND retryable = 1")
        self.db.commit()
        return cursor.rowcount

    def requeue_for_refresh(self, run: int) -> int:
        """Stored listings, sitemaps, feeds and seeds are fetched again (once in run ``run``)."""
        marks = ", ".join("?" for _ in REFRESH_KINDS)
        cursor = self.db.execute(
            f"UPDATE pages SET state = 'queued', refreshed_run = ? WHERE state = 'stored' "
            f"AND (kind IN ({marks}) OR seed = 1) AND kind != 'article' AND COALESCE(refreshed_run, 0) != ?",
            (run, *REFRESH_KINDS, run))
        self.db.commit()
        return cursor.rowcount

    def known_digests(self) -> dict[str, tuple[str, str]]:
        """Payload digest → (URL, WARC-Date) of every response archived so far (for revisit records)."""
        rows = self.db.execute(
            "SELECT payload_digest, url, fetched_at FROM pages WHERE payload_digest IS NOT NULL "
            "AND (revisit_of IS NULL OR revisit_of = '') AND warc_record_id IS NOT NULL ORDER BY seq").fetchall()
        found: dict[str, tuple[str, str]] = {}
        for digest, url, fetched_at in rows:
            found.setdefault(digest, (url, fetched_at))
        return found

    def count_stored(self, kinds: tuple[str, ...], run: int) -> int:
        marks = ", ".join("?" for _ in kinds)
        return self.db.execute(f"SELECT COUNT(*) FROM pages WHERE state = 'stored' AND run = ? AND kind IN ({marks})",
                               (run, *kinds)).fetchone()[0]

    # -- requests and hosts -----------------------------------------------------------------------------

    def log_request(self, *, run: int, url: str, started_at: str, attempt: int, status: int | None, error: str,
                    warc_file: str | None, warc_offset: int | None, warc_record_id: str | None) -> None:
        self.db.execute(
            "INSERT INTO requests (run, url, started_at, attempt, status, error, warc_file, warc_offset,"
            " warc_record_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run, url, started_at, attempt, status, error or None, warc_file, warc_offset, warc_record_id))

    def host_last_request(self, host: str) -> float | None:
        row = self.db.execute("SELECT last_request_at FROM hosts WHERE host = ?", (host,)).fetchone()
        return None if row is None else row[0]

    def set_host(self, host: str, **values) -> None:
        self.db.execute("INSERT OR IGNORE INTO hosts (host) VALUES (?)", (host,))
        columns = ", ".join(f"{name} = ?" for name in values)
        self.db.execute(f"UPDATE hosts SET {columns} WHERE host = ?", (*values.values(), host))


def read_ledger(directory: str | os.PathLike, table: str = "pages") -> pd.DataFrame:
    """A table of a crawl's ledger (``pages``, ``requests``, ``runs`` or ``hosts``) as a DataFrame.

    ``pages`` is sorted by discovery order (``seq``), the others by their key.
    """
    order = {"pages": "seq", "requests": "id", "runs": "run", "hosts": "host"}
    if table not in order:
        raise ValueError(f"unknown ledger table {table!r}; one of {', '.join(order)}")
    path = Path(directory) / LEDGER_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no crawl ledger (run `python -m toolkit collect` first)")
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return pd.read_sql_query(f"SELECT * FROM {table} ORDER BY {order[table]}", db)
