"""Crawler defects found by walk-through 12: the list-page cap, crashed runs' WARC files, the delay kept per host.

Each test serves a small district portal of its own on 127.0.0.1 (a month-grid
event calendar, the genre's trap without a last page; articles with a date and
running text) and checks what the crawl folder records.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

import portal as site
from test_collect import UA, local_network_only
from toolkit.collect import collect, read_ledger
from toolkit.collect import archive
from toolkit.collect.archive import WarcArchive, warc_date
from toolkit.collect.fetch import Exchange
from toolkit.collect.ledger import Ledger
from toolkit.collect.urls import listing_pattern
from toolkit.config import PROJECT_ROOT


@pytest.fixture(autouse=True)
def _guard():
    with local_network_only():
        yield


ARTICLE = ("<html><body><div class='menu'><a href='/'>Trang chủ</a> "
           "<a href='/lich-su-kien?ngay=2023-05-01'>Lịch sự kiện</a></div>"
           "<h1>{title}</h1><p>Ngày đăng: {day:%d/%m/%Y}</p>"
           "<p>Sáng {day.day}/{day.month}, Ban Dân vận Huyện ủy Yên Thành phối hợp với Ủy ban Mặt trận Tổ quốc "
           "huyện tổ chức {title_lower}; các đại biểu thảo luận về công tác dân vận chính quyền, việc thực hiện "
           "quy chế dân chủ ở cơ sở và phong trào thi đua dân vận khéo trên địa bàn các xã, thị trấn.</p>"
           "</body></html>")
NEWS = [f"/tin-tuc/hoi-nghi-giao-ban-dan-van-quy-{i}.html" for i in range(1, 4)]


def _title(path: str) -> str:
    name = path.rsplit("/", 1)[1].removesuffix(".html")
    return "Hội nghị giao ban công tác dân vận " + name.replace("-", " ")


class DistrictPortal(site.PageServer):
    """A Ban Dân vận portal: home page, news, and an event calendar whose month grid links every day.

    ``robots`` is the robots.txt text; ``on_request(path)`` runs before each answer.
    """

    def __init__(self, robots: str = "User-agent: *\nDisallow: /quan-tri/\n", on_request=None):
        self.robots = robots
        self.request_hook = on_request

    def on_request(self, path: str) -> None:
        if self.request_hook is not None:
            self.request_hook(path)

    def answer(self, path: str, query: dict) -> tuple[str, str] | None:
        if path == "/robots.txt":
            return self.robots, "text/plain"
        page = self.page(path, query)
        return None if page is None else (page, "text/html; charset=utf-8")

    def page(self, path: str, query: dict) -> str | None:
        news = "".join(f'<li><a href="{p}">{_title(p)} năm 2023 của huyện Yên Thành</a></li>'
                       for p in NEWS)
        if path == "/":
            return (f"<html><body><h2>Tin hoạt động</h2><ul>{news}</ul>"
                    "<div class='box'><h3>Lịch sự kiện</h3>"
                    '<a href="/lich-su-kien?ngay=2023-05-01">Xem lịch sự kiện</a></div></body></html>')
        if path == "/lich-su-kien":
            day = date.fromisoformat(query["ngay"][0])
            first = day.replace(day=1)
            following = (first + timedelta(days=32)).replace(day=1)
            previous = (first - timedelta(days=1)).replace(day=1)
            grid = " ".join(f'<a href="/lich-su-kien?ngay={first + timedelta(days=i)}">{i + 1}</a>'
                            for i in range((following - first).days))
            return (f"<html><body><h1>Lịch sự kiện tháng {day.month}/{day.year}</h1>"
                    f'<a href="/lich-su-kien?ngay={previous}">« Tháng trước</a> {grid} '
                    f'<a href="/lich-su-kien?ngay={following}">Tháng sau »</a>'
                    f"<h2>Sự kiện ngày {day:%d/%m/%Y}</h2>"
                    f'<ul><li><a href="/tin-tuc/su-kien-{day}.html">Hội nghị '
                    f"tiếp xúc cử tri và đối thoại với nhân dân ngày {day:%d/%m/%Y}</a></li></ul>"
                    f"<h2>Tin mới</h2><ul>{news}</ul></body></html>")
        if path.startswith("/tin-tuc/su-kien-"):
            day = date.fromisoformat(path[len("/tin-tuc/su-kien-"):-len(".html")])
            title = f"Hội nghị tiếp xúc cử tri và đối thoại với nhân dân ngày {day:%d/%m/%Y}"
            return ARTICLE.format(title=title, title_lower=title.lower(), day=day)
        if path in NEWS:
            title = _title(path)
            return ARTICLE.format(title=title, title_lower=title.lower(), day=date(2023, 4, 5))
        return None


def _calendar(paths):
    return [p for p in paths if p.startswith("/lich-su-kien")]


# --------------------------------------------------------------------------------------------------------
# 1. the cap on list pages per pattern holds for pages queued before it was reached
# --------------------------------------------------------------------------------------------------------

def test_a_month_grid_calendar_stores_at_most_the_cap_and_its_queued_days_are_capped_in_the_ledger(tmp_path):
    with DistrictPortal() as portal:
        first = collect([portal.base + "/"], tmp_path, delay=0.0, user_agent=UA, max_listings_per_pattern=2)
        days = _calendar(portal.log)
        pages = read_ledger(tmp_path)
        pattern = f"{portal.host}/lich-su-kien?ngay"
        calendar = pages[pages["url"].map(listing_pattern) == pattern]
        # two calendar pages requested and stored, although the first one's grid queued a whole month
        assert len(days) == 2 and first.stopped == "done" and first.queued == 0
        stored = calendar[calendar["state"] == "stored"]
        assert len(stored) == 2 and set(stored["kind"]) == {"listing"}
        # the other days are in the ledger, never requested, and said to be capped
        capped = calendar[calendar["state"] == "capped"]
        assert len(capped) >= 30 and set(capped["kind"]) == {"page"} and capped["fetched_at"].isna().all()
        assert capped["failure"].str.contains("max_listings_per_pattern 2").all()
        assert not {u[len(portal.base):] for u in capped["url"]} & set(days)
        assert first.capped == {pattern: len(capped)}  # the summary counts each page left out once
        # the articles the stored calendar pages link to are fetched, and the news
        stored_days = [parse_qs(urlsplit(p).query)["ngay"][0] for p in days]
        assert {f"/tin-tuc/su-kien-{d}.html" for d in stored_days} | set(NEWS) <= set(portal.log)
        articles = pages[pages["kind"] == "article"]
        assert len(articles) == len(NEWS) + 2 and set(articles["state"]) == {"stored"}

        # refresh fetches the stored calendar pages again, never a further day
        again = collect([portal.base + "/"], tmp_path, delay=0.0, user_agent=UA, max_listings_per_pattern=2,
                        refresh=True)
        assert sorted(_calendar(portal.log)[2:]) == sorted(days) and again.capped == {}

        # a higher cap in a later run fetches capped days, up to the new cap
        higher = collect([portal.base + "/"], tmp_path, delay=0.0, user_agent=UA, max_listings_per_pattern=4)
    assert len(set(_calendar(portal.log))) == 4 and higher.queued == 0
    pages = read_ledger(tmp_path)
    calendar = pages[pages["url"].map(listing_pattern) == pattern]
    assert (calendar["state"] == "stored").sum() == 4
    assert higher.capped == {pattern: (calendar["state"] == "capped").sum()}


# --------------------------------------------------------------------------------------------------------
# 2. a run killed without clean-up still cites its WARC files
# --------------------------------------------------------------------------------------------------------

def test_a_run_killed_hard_is_marked_crashed_with_its_warc_files(tmp_path):
    out = tmp_path / "crawl"
    victim: dict[str, int] = {}
    may_kill, killed = threading.Event(), threading.Event()

    def kill_on_second_news_article(path):
        # deterministic, not timed: the crawler dies while it waits for this answer
        if path == NEWS[1] and not killed.is_set():
            assert may_kill.wait(timeout=60)
            killed.set()
            os.kill(victim["pid"], signal.SIGKILL)

    with DistrictPortal(on_request=kill_on_second_news_article) as portal:
        code = (site.NET_GUARD + "\nfrom toolkit.collect import collect\n"
                f"collect([{portal.base + '/'!r}], {str(out)!r}, delay=0.0, user_agent={UA!r}, "
                "max_listings_per_pattern=2)\n")
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        process = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=PROJECT_ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        victim["pid"] = process.pid
        may_kill.set()
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == -signal.SIGKILL, stderr.decode()
        files_of_killed_run = sorted(p.name for p in out.glob("*.warc.gz"))
        assert files_of_killed_run
        second = collect([portal.base + "/"], out, delay=0.0, user_agent=UA, max_listings_per_pattern=2)
    runs = read_ledger(out, "runs")
    assert runs["stopped"].tolist() == ["crashed", "done"]
    assert json.loads(runs.loc[0, "warc_files"]) == files_of_killed_run
    assert json.loads(runs.loc[1, "warc_files"]) == second.warc_files
    # every file the ledger points into is cited by its run
    cited = {run: set(json.loads(files)) for run, files in zip(runs["run"], runs["warc_files"])}
    for table in ("pages", "requests"):
        rows = read_ledger(out, table).dropna(subset=["warc_file"])
        assert all(row.warc_file in cited[row.run] for row in rows.itertuples()), table
    assert {name for files in cited.values() for name in files} == {p.name for p in out.glob("*.warc.gz")}


def test_a_crashed_runs_file_with_no_record_in_the_ledger_is_found_by_its_warcinfo(tmp_path):
    started = datetime(2024, 5, 1, 8, 0, 0, tzinfo=timezone.utc)
    ledger = Ledger(tmp_path)
    run = ledger.start_run(started_at=warc_date(started), user_agent=UA, seeds=["http://127.0.0.1:1/"], settings={})
    # killed right after its first request was archived, before the ledger heard of it
    killed = WarcArchive(tmp_path, prefix="danvan", run_started=started, info={"run": str(run)})
    killed.write(Exchange(url="http://127.0.0.1:1/robots.txt", request_headers=[], started_at=started))
    killed.close()
    # a file of another run that started in the same second is not this run's
    other = WarcArchive(tmp_path, prefix="danvan", run_started=started, info={"run": "7"})
    other.write(Exchange(url="http://127.0.0.1:1/", request_headers=[], started_at=started))
    other.close()
    ledger.close()
    assert killed.files != other.files
    ledger = Ledger(tmp_path)
    ledger.start_run(started_at=warc_date(started + timedelta(minutes=5)), user_agent=UA, seeds=[], settings={},
                     files_on_disk=lambda r, at: archive.run_files(tmp_path, prefix="danvan", run=r, started_at=at))
    ledger.close()
    runs = read_ledger(tmp_path, "runs")
    assert runs.loc[0, "stopped"] == "crashed" and json.loads(runs.loc[0, "warc_files"]) == killed.files


# --------------------------------------------------------------------------------------------------------
# 3. the delay kept with each host, robots.txt's Crawl-delay included, is in the runs table and the warcinfo
# --------------------------------------------------------------------------------------------------------

def test_the_delay_kept_per_host_is_recorded_in_the_runs_table_and_the_warcinfo_records(tmp_path):
    robots = "User-agent: *\nDisallow: /quan-tri/\nCrawl-delay: 0.05\n"
    with DistrictPortal(robots=robots) as portal:
        # every exchange in a file of its own: later files start with what the run learned
        summary = collect([portal.base + "/"], tmp_path, delay=0.0, user_agent=UA, max_listings_per_pattern=1,
                          warc_max_bytes=1)
    runs = read_ledger(tmp_path, "runs")
    assert json.loads(runs.loc[0, "host_delays"]) == {portal.host: 0.05} == summary.host_delays
    assert json.loads(runs.loc[0, "settings"])["delay"] == 0.0  # the option as given keeps its meaning
    assert len(summary.warc_files) > 2
    seen_robots = False
    for name in summary.warc_files:
        with open(tmp_path / name, "rb") as fh:
            info = None
            for record in ArchiveIterator(fh):
                if record.rec_type == "warcinfo":
                    fields = dict(line.split(": ", 1) for line in record.content_stream().read().decode().splitlines()
                                  if ": " in line)
                    info = json.loads(fields["host-delays"]) if "host-delays" in fields else None
                elif record.rec_type in ("response", "revisit"):
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    if url.endswith("/robots.txt"):
                        # archived before robots.txt was read: its warcinfo cannot know the delay yet
                        assert info is None
                        seen_robots = True
                    else:
                        assert info == {portal.host: 0.05}, (name, url)
    assert seen_robots


@pytest.mark.parametrize(("article", "listing"), [
    # Joomla: one script serves the articles and the category pages; only `view` tells them apart
    ("https://dv.example.vn/index.php?option=com_content&view=article&id=412&catid=8",
     "https://dv.example.vn/index.php?option=com_content&view=category&id=8&limitstart=20"),
    # NukeViet without rewriting
    ("https://dv.example.vn/index.php?language=vi&nv=news&op=cong-tac-dan-van/hoi-nghi-412.html",
     "https://dv.example.vn/index.php?language=vi&nv=news&op=cong-tac-dan-van/page-3"),
])
def test_a_cms_scripts_articles_and_list_pages_have_different_patterns(article, listing):
    # with one pattern, the list pages' cap would leave the articles they link to out of the crawl
    assert listing_pattern(article) != listing_pattern(listing)
    # the pager's next pages keep one pattern (the cap still ends a trap)
    assert listing_pattern(listing) == listing_pattern(listing.replace("20", "40").replace("page-3", "page-4"))
    assert listing_pattern("https://dv.example.vn/lich?view=calendar&ngay=2023-05-01") == \
        listing_pattern("https://dv.example.vn/lich?view=calendar&ngay=2023-06-12")


def test_an_unreachable_robots_txt_keeps_the_crawl_delay_an_earlier_run_read(tmp_path):
    # run 1 reads Crawl-delay: 0.05; in run 2 robots.txt answers 503 (the host is left for later): the
    # remembered delay must still space run 3's first request, not be overwritten with 0
    class Flaky(DistrictPortal):
        down = False

        def answer(self, path, query):
            if path == "/robots.txt" and self.down:
                return "Service Unavailable", "text/plain", 503
            return super().answer(path, query)

    with Flaky(robots="User-agent: *\nDisallow: /quan-tri/\nCrawl-delay: 0.05\n") as portal:
        collect([portal.base + "/"], tmp_path, delay=0.0, user_agent=UA, max_pages=1)
        portal.down = True
        summary = collect([portal.base + "/"], tmp_path, delay=0.0, user_agent=UA, max_pages=1)
    assert portal.host not in summary.host_delays  # nothing more was sent to it
    hosts = read_ledger(tmp_path, "hosts").set_index("host")
    assert hosts.loc[portal.host, "robots"] == "disallow-all"
    assert hosts.loc[portal.host, "crawl_delay"] == 0.05


def test_a_guessed_sitemap_a_portal_does_not_have_is_no_failure(tmp_path):
    # the summary of a crawl of 9 portals said "9 failed": 8 were the /sitemap.xml guessed for sites whose robots.txt
    # names none; a paper reporting failed pages would overstate them
    with DistrictPortal() as portal:
        summary = collect([portal.base + "/"], tmp_path, delay=0.0, user_agent=UA, max_listings_per_pattern=2)
        assert "/sitemap.xml" in portal.log  # still asked for
    assert summary.failed == 0
    pages = read_ledger(tmp_path)
    (row,) = pages[pages["url"].str.endswith("/sitemap.xml")].itertuples()
    assert row.state == "failed" and row.failure.startswith("no sitemap: the guessed") and not row.retryable


def test_a_missing_page_still_counts_as_failed(tmp_path):
    with DistrictPortal() as portal:
        summary = collect([portal.base + "/", portal.base + "/tin-tuc/khong-con.html"], tmp_path, delay=0.0,
                          user_agent=UA, max_listings_per_pattern=2)
    assert summary.failed == 1
