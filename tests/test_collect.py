"""toolkit.collect: URLs, robots.txt, pacing, page reading, WARC, ledger — and whole crawls of a local portal.

Every test here runs behind a network guard: a connection or a name lookup
for anything but 127.0.0.1 fails the test (CLI subprocesses get the same guard).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

import portal as site
from toolkit.collect import collect, read_ledger, read_page, read_xml
from toolkit.collect.archive import WarcArchive, payload_digest
from toolkit.collect.crawl import default_user_agent
from toolkit.collect.fetch import Exchange, HostPaused, PoliteFetcher, decode_content, parse_retry_after
from toolkit.collect.pages import page_number
from toolkit.collect.robots import RobotsRules
from toolkit.collect.urls import Scope, request_url, url_key
from toolkit.config import PROJECT_ROOT
from toolkit.ingest.core import ingest_files

UA = default_user_agent("nhom-nghien-cuu@example.edu")
SLACK = 0.03  # scheduling jitter between our clock and the server's arrival times
# The fixture portal runs in the crawler's process, so its arrival stamp for a request can be late by as long as
# the crawler holds the GIL (parsing a page on a loaded host: 30 ms was seen in CI). A late stamp shrinks the gap
# after it and stretches the one before, so a single gap gets this wider allowance -- still far above the 0.05 s
# base delay, so a request that ignored the crawl delay fails -- and the median gap gets SLACK.
LATE_STAMP = 0.1


@contextlib.contextmanager
def local_network_only():
    """Connections and lookups beyond 127.0.0.1 raise and are remembered; the test fails if any was tried."""
    blocked: list = []
    local = ("127.0.0.1", "::1", "localhost")
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def connect(sock, address, *args, **kwargs):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in local:
            blocked.append(address)
            raise OSError(f"network guard: {address!r} is not 127.0.0.1")
        return real_connect(sock, address, *args, **kwargs)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and host not in local:
            blocked.append(host)
            raise OSError(f"network guard: lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", connect)
        mp.setattr(socket, "getaddrinfo", getaddrinfo)
        yield blocked
    assert not blocked, f"requests left 127.0.0.1: {blocked}"


@pytest.fixture(autouse=True)
def _guard():
    with local_network_only():
        yield


# --------------------------------------------------------------------------------------------------------
# URLs and scope
# --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, requested", [
    ("HTTP://HuyenUy.Example.VN/tin-tuc/bai-1.html#binh-luan", "http://huyenuy.example.vn/tin-tuc/bai-1.html"),
    ("http://a.example.vn:80/x?utm_source=zalo&id=7&fbclid=abc", "http://a.example.vn/x?id=7"),
    ("https://a.example.vn:443/x?zarsrc=30&cid=12&page=2", "https://a.example.vn/x?cid=12&page=2"),
    ("http://a.example.vn:8080/x", "http://a.example.vn:8080/x"),
    ("http://a.example.vn/tin tức/bài 1", "http://a.example.vn/tin%20t%E1%BB%A9c/b%C3%A0i%201"),
    ("http://a.example.vn", "http://a.example.vn/"),
])
def test_request_url_drops_only_what_never_changes_the_page(raw, requested):
    assert request_url(raw) == requested


@pytest.mark.parametrize("a, b, same", [
    ("http://a.example.vn/tin-tuc/", "http://a.example.vn/tin-tuc", True),
    ("http://a.example.vn/tin-tuc/index.html", "http://a.example.vn/tin-tuc/", True),
    ("http://a.example.vn/Default.aspx", "http://A.example.vn/", True),
    ("http://a.example.vn/x?b=2&a=1", "http://a.example.vn/x?a=1&b=2", True),
    ("http://a.example.vn/x?id=1&utm_medium=rss", "http://a.example.vn/x?id=1", True),
    ("http://a.example.vn//x", "http://a.example.vn/x", True),
    ("http://a.example.vn/x?cid=1", "http://a.example.vn/x?cid=2", False),
    ("http://a.example.vn/x?page=1", "http://a.example.vn/x", False),
    ("http://a.example.vn/x", "https://a.example.vn/x", False),
])
def test_url_key_says_when_two_links_are_one_page(a, b, same):
    assert (url_key(a) == url_key(b)) is same


@pytest.mark.parametrize("bad", ["ftp://a.example.vn/x", "/tin-tuc", "mailto:a@b.vn"])
def test_request_url_rejects_non_http(bad):
    with pytest.raises(ValueError):
        request_url(bad)


@pytest.mark.parametrize("patterns, url, inside", [
    (None, "http://www.huyenuy.example.vn/a", True),
    (None, "http://tinhuy.example.vn/a", False),
    (["huyenuy.example.vn/dan-van/*"], "http://huyenuy.example.vn/dan-van/bai-1", True),
    (["huyenuy.example.vn/dan-van/*"], "http://huyenuy.example.vn/tin-tuc/bai-1", False),
    (["*.example.vn"], "http://tinhuy.example.vn/a", True),
    (["*.example.vn", "!*/in-bai/*"], "http://tinhuy.example.vn/in-bai/a", False),
    (["http://huyenuy.example.vn/*?id=*"], "http://huyenuy.example.vn/chi-tiet?id=3", True),
])
def test_scope_patterns_widen_and_narrow(patterns, url, inside):
    assert Scope.build(["http://huyenuy.example.vn/"], patterns).contains(url) is inside


# --------------------------------------------------------------------------------------------------------
# robots.txt, Retry-After, pacing
# --------------------------------------------------------------------------------------------------------

ROBOTS = """User-agent: *
Disallow: /rieng-cho-khach/
Crawl-delay: 9

User-agent: danvan-toolkit
Disallow: /noi-bo/
Crawl-delay: 0.5
Sitemap: http://h.example.vn/sitemap.xml
"""


@pytest.mark.parametrize("path, allowed", [("/noi-bo/a.html", False), ("/rieng-cho-khach/a.html", True),
                                           ("/tin-tuc/a.html", True), ("/robots.txt", True)])
def test_robots_rules_are_our_agents_group_not_the_wildcard(path, allowed):
    rules = RobotsRules.parse(ROBOTS, UA)
    assert rules.allows("http://h.example.vn" + path) is allowed
    assert rules.crawl_delay == 0.5 and rules.sitemaps == ("http://h.example.vn/sitemap.xml",)


def test_robots_for_another_agent_falls_back_to_the_wildcard():
    rules = RobotsRules.parse(ROBOTS, "otherbot/2.0")
    assert not rules.allows("http://h.example.vn/rieng-cho-khach/a") and rules.allows("http://h.example.vn/noi-bo/a")
    assert rules.crawl_delay == 9


def test_robots_pace_from_request_rate_and_from_the_wildcard_when_our_group_is_silent():
    assert RobotsRules.parse("User-agent: *\nRequest-rate: 1/4\n", UA).crawl_delay == 4
    text = "User-agent: *\nCrawl-delay: 3\n\nUser-agent: danvan-toolkit\nDisallow: /x\n"
    assert RobotsRules.parse(text, UA).crawl_delay == 3
    assert not RobotsRules.disallow_all(UA).allows("http://h.example.vn/")


NOW = datetime(2024, 5, 1, 8, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("value, server_date, seconds", [
    ("7", None, 7.0),
    ("Wed, 01 May 2024 08:00:45 GMT", None, 45.0),
    ("Wed, 01 May 2024 08:00:45 GMT", "Wed, 01 May 2024 08:00:40 GMT", 5.0),
    ("Wed, 01 May 2024 07:59:00 GMT", None, 0.0),
    ("soon", None, None),
    ("", None, None),
])
def test_retry_after_seconds_or_http_date(value, server_date, seconds):
    assert parse_retry_after(value, now=NOW, server_date=server_date) == seconds


class FakeClock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t

    def sleep(self, seconds):
        assert seconds > 0
        self.t += seconds


class FakeResponse:
    def __init__(self, status, headers=None, body=b"ok"):
        import urllib3

        self.status, self.reason, self.version = status, "", 11
        self.headers = urllib3.HTTPHeaderDict(headers or {})
        self._body = body

    def read(self, decode_content=False):
        return self._body

    def release_conn(self):
        pass


class FakePool:
    """Answers from a script per URL; records (clock time, url) of each request."""

    def __init__(self, clock, script):
        self.clock, self.script, self.calls = clock, {k: list(v) for k, v in script.items()}, []

    def request(self, method, url, **kwargs):
        self.calls.append((self.clock(), url))
        answer = self.script[url].pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _fetcher(script, **kwargs):
    clock = FakeClock()
    pool = FakePool(clock, script)
    fetcher = PoliteFetcher(UA, clock=clock, sleep=clock.sleep, now=lambda: NOW, pool=pool, **kwargs)
    return fetcher, pool


def test_fetcher_spaces_request_starts_by_the_larger_of_delay_and_crawl_delay():
    urls = [f"http://h.example.vn/{i}" for i in range(4)]
    fetcher, pool = _fetcher({u: [FakeResponse(200)] for u in urls}, delay=1.0)
    fetcher.set_crawl_delay("h.example.vn", 2.5)
    for url in urls:
        fetcher.fetch(url)
    starts = [t for t, _ in pool.calls]
    assert [round(b - a, 6) for a, b in zip(starts, starts[1:])] == [2.5, 2.5, 2.5]


def test_fetcher_honours_retry_after_then_backs_off_exponentially_and_gives_up():
    import urllib3

    url = "http://h.example.vn/a"
    script = {url: [FakeResponse(429, {"Retry-After": "30"}), FakeResponse(503),
                    urllib3.exceptions.ReadTimeoutError(None, url, "slow"), FakeResponse(500)]}
    seen = []
    fetcher, pool = _fetcher(script, delay=1.0, retries=3, on_exchange=seen.append)
    last = fetcher.fetch(url)
    starts = [t for t, _ in pool.calls]
    gaps = [round(b - a, 6) for a, b in zip(starts, starts[1:])]
    assert gaps == [30.0, 4.0, 8.0]  # Retry-After; then gap × 2**attempt after a 503 without it and a timeout
    assert last.status == 500 and last.attempt == 4
    assert [e.status for e in seen] == [429, 503, None, 500] and "timeout" in seen[2].error


def test_fetcher_leaves_a_host_that_asks_for_too_long_a_pause():
    url = "http://h.example.vn/a"
    fetcher, _ = _fetcher({url: [FakeResponse(429, {"Retry-After": "3600"})]}, delay=1.0, max_pause=60)
    with pytest.raises(HostPaused):
        fetcher.fetch(url)


def test_fetcher_does_not_retry_a_404_or_follow_a_redirect():
    url = "http://h.example.vn/a"
    fetcher, pool = _fetcher({url: [FakeResponse(301, {"Location": "/b"})]}, delay=0.5)
    assert fetcher.fetch(url).location == "/b" and len(pool.calls) == 1
    fetcher, pool = _fetcher({url: [FakeResponse(404)]}, delay=0.5)
    assert fetcher.fetch(url).status == 404 and len(pool.calls) == 1


def test_content_encoding_is_undone_for_reading_only():
    text = "Tin hoạt động".encode()
    assert decode_content(gzip.compress(text), "gzip") == text
    with pytest.raises(ValueError):
        decode_content(text, "br")


# --------------------------------------------------------------------------------------------------------
# Article, listing, sitemap, feed
# --------------------------------------------------------------------------------------------------------

PARAS = ("Sáng ngày 14/7/2021, Ban Dân vận Huyện ủy tổ chức hội nghị sơ kết công tác dân vận sáu tháng đầu năm "
         "với sự tham dự của lãnh đạo các xã, thị trấn trên địa bàn huyện.",
         "Trong sáu tháng qua, khối dân vận đã tham mưu cấp ủy ban hành nhiều văn bản chỉ đạo, vận động nhân dân "
         "hiến đất làm đường giao thông nông thôn, giữ vững an ninh trật tự ở cơ sở.",
         "Phát biểu kết luận, đồng chí Trưởng Ban Dân vận đề nghị các đơn vị tiếp tục phát huy phong trào thi đua "
         "dân vận khéo, gắn với thực hiện quy chế dân chủ ở cơ sở.")
TITLES = ("Hội nghị sơ kết công tác dân vận sáu tháng đầu năm", "Mặt trận xã thăm hộ nghèo dịp Tết Nguyên đán",
          "Hội Phụ nữ ra quân làm sạch đường làng ngõ xóm", "Đoàn Thanh niên tổ chức Tiếp sức mùa thi",
          "Hội Nông dân chuyển giao kỹ thuật trồng dưa hấu")
RELATED = "".join(f'<li><a href="/tin/bai-{i}.html">{t}</a></li>' for i, t in enumerate(TITLES))
HEAD = "<html><head><title>Trang tin</title></head><body><nav><a href='/'>Trang chủ</a><a href='/tin'>Tin tức</a></nav>"

PAGES = {
    "article, p paragraphs, related list": (
        HEAD + "<h1>Hội nghị sơ kết công tác dân vận</h1><div>Ngày đăng: 15/07/2021 | Lượt xem: 412</div>"
        + "".join(f"<p>{p}</p>" for p in PARAS) + f"<div class='lq'><h3>Tin khác</h3><ul>{RELATED}</ul></div></body></html>",
        "http://h.example.vn/tin/hoi-nghi-101.html", "article"),
    "article, br-separated text in a table cell": (
        HEAD + "<table><tr><td><b>Hội nghị sơ kết công tác dân vận</b></td></tr><tr><td>Cập nhật: 15/7/2021 8:15</td></tr>"
        + "<tr><td>" + "<br><br>".join(PARAS) + "</td></tr></table></body></html>",
        "http://h.example.vn/chi-tiet.aspx?id=12", "article"),
    "article with one related story": (
        HEAD + "<div class='ct'><h1>Hội nghị sơ kết công tác dân vận</h1><span>15/07/2021</span>"
        + "".join(f"<p>{p}</p>" for p in PARAS) + f"<p><a href='/tin/bai-1.html'>{TITLES[1]}</a></p></div></body></html>",
        "http://h.example.vn/tin/hoi-nghi-101.html", "article"),
    "listing with teasers and pager": (
        HEAD + "".join(f"<div class='item'><h3><a href='/tin/bai-{i}.html'>{t}</a></h3><span>0{i + 1}/03/2022</span>"
                       f"<p>{PARAS[i % 3]}</p></div>" for i, t in enumerate(TITLES))
        + "<div class='pager'><a href='/tin?page=2'>2</a><a href='/tin?page=2'>Trang sau</a></div></body></html>",
        "http://h.example.vn/tin", "listing"),
    "flat listing: headline then teaser siblings": (
        HEAD + "<div>" + "".join(f"<h3><a href='/tin/bai-{i}.html'>{t}</a></h3><p>{PARAS[i % 3]}</p>"
                                 for i, t in enumerate(TITLES)) + "</div></body></html>",
        "http://h.example.vn/chuyen-muc/dan-van", "listing"),
    "title-only listing in a table": (
        HEAD + "<table>" + "".join(f"<tr><td><a href='/tin/bai-{i}.html'>{t}</a> (12/3/2022)</td></tr>"
                                   for i, t in enumerate(TITLES)) + "</table><a href='/tin/trang-2.html'>»</a></body></html>",
        "http://h.example.vn/tin/trang-1.html", "listing"),
    "home page: featured teasers, no pager, a long footer div": (
        HEAD + f"<div class='hot'><h2><a href='/tin/bai-0.html'>{TITLES[0]}</a></h2><p>{PARAS[0]}</p></div>"
        + f"<ul>{RELATED}</ul><div id='footer'><p>Cơ quan chủ quản: Ban Dân vận Huyện ủy. Địa chỉ: số 10 đường Trần "
        "Hưng Đạo, thị trấn Phù Mỹ, tỉnh Bình Định. Điện thoại: 0256 3855 000. Giấy phép số 12/GP-STTTT cấp ngày "
        "05/01/2019. Chịu trách nhiệm chính: Trưởng Ban Dân vận Huyện ủy. Ghi rõ nguồn khi phát hành lại thông tin "
        "từ trang này. Thiết kế và vận hành bởi Trung tâm Văn hóa - Thông tin và Thể thao huyện.</p></div></body></html>",
        "http://h.example.vn/", "listing"),
    "second page of a list, whatever it holds": (
        HEAD + f"<h3><a href='/tin/bai-1.html'>{TITLES[0]}</a></h3></body></html>",
        "http://h.example.vn/tin/trang-2.html", "listing"),
    "introduction page without a date": (
        HEAD + "<h1>Giới thiệu chung</h1>" + "".join(f"<p>{p.replace('14/7/2021', 'hằng năm')}</p>" for p in PARAS)
        + "</body></html>", "http://h.example.vn/gioi-thieu", "other"),
    "contact page": (HEAD + "<h1>Liên hệ</h1><p>Điện thoại: 0256 3855 000</p></body></html>",
                     "http://h.example.vn/lien-he", "other"),
}


# Article pages as district portals write them, whatever their template says about the date and the lead: ingest
# reads each as a document (an undated one with an empty date), so the crawler must collect each as an article.
LEAD = ("Sáng 14/1/2021, Ban Dân vận Quận ủy phối hợp với Ủy ban Mặt trận Tổ quốc quận trao 300 phần quà Tết "
        "cho hộ nghèo, hộ cận nghèo và gia đình chính sách trên địa bàn.")
LEAD_BODY = ("Mỗi phần quà gồm gạo, dầu ăn, bánh mứt và tiền mặt, tổng trị giá hơn 150 triệu đồng, do các mạnh "
             "thường quân đóng góp.", "Dịp này, lãnh đạo quận thăm hỏi, động viên bà con vượt qua khó khăn, đón Tết "
             "an toàn.")
MARKET = ("Ban Dân vận Huyện ủy phối hợp với Ban quản lý chợ tổ chức tuyên truyền, vận động hơn 200 tiểu thương ký "
          "cam kết chấp hành quy định về phòng cháy, chữa cháy và giữ gìn vệ sinh môi trường tại chợ.",
          "Tại buổi tuyên truyền, cán bộ Công an huyện hướng dẫn bà con cách sử dụng bình chữa cháy, sắp xếp hàng hóa "
          "gọn gàng, không câu móc điện tùy tiện và tắt các thiết bị điện trước khi ra về.",
          "Các tiểu thương thống nhất thành lập tổ tự quản phòng cháy ở từng dãy ki-ốt, phân công người trực vào ban "
          "đêm và kịp thời báo tin khi phát hiện nguy cơ cháy nổ.")
CRUMB = "<div class='breadcrumb'><a href='/'>Trang chủ</a> » <a href='/tin'>Tin hoạt động</a></div>"


def _undated_article(related: bool) -> str:
    box = f"<div class='tin-khac'><h3>Tin khác</h3><ul>{RELATED}</ul></div>" if related else ""
    return (HEAD + CRUMB + "<h1>Vận động tiểu thương chợ huyện chấp hành quy định phòng cháy, chữa cháy</h1>"
            + "<div class='noi-dung'>" + "".join(f"<p>{p}</p>" for p in MARKET)
            + "<p><strong>Thanh Tâm</strong></p></div>" + box + "</body></html>")


def _lead_box_article(related: bool) -> str:
    box = f"<div class='tin-khac'><h3>Tin khác</h3><ul>{RELATED}</ul></div>" if related else ""
    return (HEAD + CRUMB + "<h1>Quận trao quà Tết cho hộ khó khăn trên địa bàn</h1>"
            "<div class='ngay'>Thứ sáu, 15/01/2021 09:30</div>"
            f"<div class='sapo'><strong>{LEAD}</strong></div>"
            "<div class='noi-dung'>" + "".join(f"<p>{p}</p>" for p in LEAD_BODY) + "</div>" + box + "</body></html>")


CONTACT = (HEAD + "<h1>Liên hệ</h1><div class='lien-he'><p>Ban Dân vận Huyện ủy Phù Mỹ</p>"
           "<p>Địa chỉ: số 10 đường Trần Hưng Đạo, thị trấn Phù Mỹ, tỉnh Bình Định</p>"
           "<p>Điện thoại: 0256 3855 000 - Thư điện tử: banDanvan@example.vn</p></div>"
           "<form><p>Họ và tên</p><input name='ten'><p>Nội dung</p><textarea></textarea><button>Gửi</button></form>"
           "</body></html>")
SEARCH = (HEAD + "<h1>Kết quả tìm kiếm: dân vận khéo</h1><p>Tìm thấy 5 kết quả phù hợp với từ khóa.</p><ul>"
          + "".join(f"<li><a href='/tin/bai-{i}.html'>{t}</a><p>{PARAS[i % 3]}</p></li>" for i, t in enumerate(TITLES))
          + "</ul></body></html>")
CATEGORY = (HEAD + "<h1>Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh</h1>"
            f"<div class='mo-ta'><p>{PARAS[1]}</p></div>"
            + "".join(f"<div class='item'><h3><a href='/tin/bai-{i}.html'>{t}</a></h3><p>{PARAS[i % 3]}</p></div>"
                      for i, t in enumerate(TITLES))
            + "<div class='pager'><a href='/chuyen-de/hoc-tap?page=2'>Trang sau</a></div></body></html>")

PAGES.update({
    "undated article: a headline and running text, no date line": (
        _undated_article(related=False), "http://h.example.vn/tin/van-dong-tieu-thuong-cho-huyen-51.html", "article"),
    "undated article with a box of related stories": (
        _undated_article(related=True), "http://h.example.vn/tin/van-dong-tieu-thuong-cho-huyen-51.html", "article"),
    "dated article whose lead is a box of its own": (
        _lead_box_article(related=False), "http://h.example.vn/tin/trao-qua-tet-52.html", "article"),
    "dated article with a lead box and related stories": (
        _lead_box_article(related=True), "http://h.example.vn/tin/trao-qua-tet-52.html", "article"),
    "contact page with an address block and a form": (CONTACT, "http://h.example.vn/lien-he.html", "other"),
    "search results with snippets": (SEARCH, "http://h.example.vn/tim-kiem?q=dan+van+kheo", "listing"),
    "category page: a description, its stories and a pager": (CATEGORY, "http://h.example.vn/chuyen-de/hoc-tap",
                                                              "listing"),
})


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_are_read_as_articles_listings_or_other(name):
    html, url, kind = PAGES[name]
    reading = read_page(html, url)
    assert reading.kind == kind, reading.reason


def test_listing_links_are_absolute_deduplicated_and_skip_files():
    html = (HEAD + "<a href='/tin/bai-1.html'>A</a><a href='/tin/bai-1.html#x'>A</a><a href='tai-lieu.pdf'>PDF</a>"
            "<a href='javascript:void(0)'>JS</a><a href='mailto:a@b.vn'>thư</a>"
            "<link rel='alternate' type='application/rss+xml' href='/rss/tin.rss'></body></html>")
    reading = read_page(html, "http://h.example.vn/tin/")
    assert "http://h.example.vn/tin/bai-1.html" in reading.links
    assert not any(link.endswith(".pdf") or "javascript" in link for link in reading.links)
    assert len(reading.links) == len({url_key(link) for link in reading.links})
    assert reading.feeds == ["http://h.example.vn/rss/tin.rss"]


@pytest.mark.parametrize("url, number", [
    ("http://h.vn/tin?page=3", 3), ("http://h.vn/tin/trang-2.html", 2), ("http://h.vn/tin/page/4/", 4),
    ("http://h.vn/?paged=2", 2), ("http://h.vn/?p=123", None), ("http://h.vn/tin/bai-p12.html", None),
    ("http://h.vn/tin/hoi-nghi-101.html", None),
])
def test_page_number(url, number):
    assert page_number(url) == number


SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


@pytest.mark.parametrize("data, kind, pages, sitemaps", [
    (f'<?xml version="1.0"?><urlset {SITEMAP_NS}><url><loc>http://h.vn/a</loc></url></urlset>'.encode(),
     "sitemap", ["http://h.vn/a"], []),
    (gzip.compress(f'<urlset {SITEMAP_NS}><url><loc>/b</loc></url></urlset>'.encode()), "sitemap", ["http://h.vn/b"], []),
    (f'<sitemapindex {SITEMAP_NS}><sitemap><loc>http://h.vn/s1.xml</loc></sitemap></sitemapindex>'.encode(),
     "sitemap", [], ["http://h.vn/s1.xml"]),
    (b'<rss version="2.0"><channel><item><title>T</title><link>http://h.vn/c?utm_source=rss</link></item></channel></rss>',
     "feed", ["http://h.vn/c"], []),
    (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" href="http://h.vn/d"/></entry></feed>',
     "feed", ["http://h.vn/d"], []),
    (b"http://h.vn/e\nhttp://h.vn/f\n", "sitemap", ["http://h.vn/e", "http://h.vn/f"], []),
])
def test_sitemaps_and_feeds_are_read(data, kind, pages, sitemaps):
    reading = read_xml(data, "http://h.vn/sitemap.xml")
    assert (reading.kind, reading.pages, reading.sitemaps) == (kind, pages, sitemaps)


@pytest.mark.parametrize("data", [b"<html><body>x</body></html>", b"User-agent: *", b'<!DOCTYPE x [<!ENTITY e "z">]><x>&e;</x>'])
def test_other_payloads_are_not_sitemaps(data):
    assert read_xml(data, "http://h.vn/x") is None


# --------------------------------------------------------------------------------------------------------
# WARC archive
# --------------------------------------------------------------------------------------------------------

def _exchange(url, status=200, body=b"<html>x</html>"):
    return Exchange(url=url, request_headers=[("Host", "h.example.vn"), ("User-Agent", UA)], started_at=NOW,
                    status=status, reason="OK", response_headers=[("Content-Type", "text/html")], payload=body)


def test_archive_writes_pairs_revisits_and_rotates(tmp_path):
    with WarcArchive(tmp_path, prefix="t", run_started=NOW, info={"http-header-user-agent": UA},
                     max_bytes=900) as archive:
        first = archive.write(_exchange("http://h.example.vn/a", body=b"<html>" + b"x" * 2000 + b"</html>"))
        again = archive.write(_exchange("http://h.example.vn/a?in=1", body=b"<html>" + b"x" * 2000 + b"</html>"))
        lost = archive.write(Exchange(url="http://h.example.vn/b", request_headers=[], started_at=NOW, error="timeout"))
    assert first.record_type == "response" and again.record_type == "revisit" and lost is None
    assert again.revisit_of == "http://h.example.vn/a" and again.digest == first.digest
    assert len(archive.files) >= 2  # past max_bytes a new file, each with its own warcinfo
    for name in archive.files:
        with open(tmp_path / name, "rb") as fh:
            records = list(ArchiveIterator(fh, check_digests="raise"))
        assert records[0].rec_type == "warcinfo"
    with open(tmp_path / first.warc_file, "rb") as fh:
        fh.seek(first.offset)
        record = next(iter(ArchiveIterator(fh)))
        assert record.rec_headers.get_header("WARC-Record-ID") == first.record_id
        assert record.content_stream().read() == b"<html>" + b"x" * 2000 + b"</html>"
    assert first.digest == payload_digest(b"<html>" + b"x" * 2000 + b"</html>")


def test_archive_never_appends_to_an_existing_file(tmp_path):
    name = "t-20240501080000-00001.warc.gz"
    (tmp_path / name).write_bytes(b"partial record of a killed run")
    with WarcArchive(tmp_path, prefix="t", run_started=NOW, info={}) as archive:
        archive.write(_exchange("http://h.example.vn/a"))
    assert (tmp_path / name).read_bytes() == b"partial record of a killed run"
    assert archive.files == ["t-20240501080000-00002.warc.gz"]


# --------------------------------------------------------------------------------------------------------
# Whole crawls of the fixture portal
# --------------------------------------------------------------------------------------------------------

def _article_hits(portal, article):
    return [h for h in portal.log if h.path.split("#")[0] == article.path and h.status == 200]


def _gaps(hits):
    return [b.at - a.at for a, b in zip(hits, hits[1:])]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    out = tmp_path_factory.mktemp("crawl")
    with local_network_only(), site.Portal() as portal:
        summary = collect([portal.base + "/"], out, delay=0.05, user_agent=UA, retries=2)
    return portal, out, summary


def test_robots_txt_first_and_no_disallowed_or_off_site_request(crawl):
    portal, _, summary = crawl
    assert summary.stopped == "done" and summary.queued == 0
    assert portal.log[0].path == "/robots.txt"
    assert not [h.path for h in portal.log if h.path.startswith(site.DISALLOWED_FOR_US)]
    assert {h.user_agent for h in portal.log} == {UA}
    assert not [h.path for h in portal.log if "utm_" in h.path]  # tracking parameters never sent


def test_requests_are_spaced_by_the_crawl_delay(crawl):
    portal, _, _ = crawl
    gaps = _gaps(portal.log)
    assert len(gaps) >= 10
    assert min(gaps) >= site.CRAWL_DELAY - LATE_STAMP
    assert statistics.median(gaps) >= site.CRAWL_DELAY - SLACK


def test_retry_after_and_recovering_500(crawl):
    portal, out, _ = crawl
    hits = [h for h in portal.log if h.path == site.A_429.path]
    assert [h.status for h in hits] == [429, 200]
    assert hits[1].at - hits[0].at >= site.RETRY_AFTER - SLACK
    assert [h.status for h in portal.log if h.path == site.A_500.path] == [500, 200]


def test_every_article_fetched_once_and_allowed_for_us_though_not_for_star(crawl):
    portal, _, _ = crawl
    assert {a.path: len(_article_hits(portal, a)) for a in site.ARTICLES} == {a.path: 1 for a in site.ARTICLES}
    assert _article_hits(portal, site.NOI_BO)  # only `*` is disallowed /tin-noi-bo/


def test_ledger_records_kinds_failures_redirects(crawl):
    portal, out, _ = crawl
    pages = read_ledger(out).set_index("url")
    base = portal.base
    articles = pages[pages["kind"] == "article"]
    assert sorted(articles.index) == sorted(base + request_url("http://x" + a.path)[len("http://x"):]
                                            for a in site.ARTICLES)
    assert (articles["state"] == "stored").all() and articles["warc_file"].notna().all()
    assert pages.loc[base + site.MISSING, "failure"] == "HTTP 404"
    assert pages.loc[base + "/bai-cu/109", "state"] == "redirect"
    target = base + site.A_REDIRECT_ONLY.path
    assert json.loads(pages.loc[base + "/bai-cu/109", "redirects"]) == [target]
    assert json.loads(pages.loc[target, "redirects"]) == [base + "/bai-cu/109"]
    assert set(pages[pages["state"] == "disallowed"].index) == {base + "/quan-tri/bao-cao.html",
                                                                  base + "/quan-tri/dang-nhap", base + "/tim-kiem?q=dan+van"}
    assert set(pages.loc[[base + "/tin-hoat-dong", base + "/dan-van-kheo/trang-2.html", base + "/"], "kind"]) == {"listing"}
    assert pages.loc[base + "/sitemap-tin.xml", "kind"] == "sitemap" and pages.loc[base + "/rss.xml", "kind"] == "feed"
    assert pages.loc[base + "/gioi-thieu.html", "kind"] == "other"
    assert pages.loc[base + site.A_429.path, "attempts"] == 2


def test_warc_files_read_back_and_match_the_ledger(crawl):
    portal, out, summary = crawl
    by_id = {}
    for name in summary.warc_files:
        with open(out / name, "rb") as fh:
            records = [(r, r.content_stream().read()) for r in ArchiveIterator(fh, check_digests="raise")]
        info, text = records[0]
        assert info.rec_type == "warcinfo"
        assert UA in text.decode() and portal.base in text.decode() and "danvan-toolkit/" in text.decode()
        for record, _ in records[1:]:
            by_id[record.rec_headers.get_header("WARC-Record-ID")] = record
    responses = [r for r in by_id.values() if r.rec_type in ("response", "revisit")]
    requests = {r.rec_headers.get_header("WARC-Concurrent-To") for r in by_id.values() if r.rec_type == "request"}
    assert {r.rec_headers.get_header("WARC-Record-ID") for r in responses} <= requests
    assert len(responses) == len([h for h in portal.log])  # every answer archived, retries included
    revisits = [r for r in responses if r.rec_type == "revisit"]
    assert [r.rec_headers.get_header("WARC-Target-URI") for r in revisits] == [portal.base + "/tin-hoat-dong?page=1"]
    pages = read_ledger(out)
    for row in pages[pages["warc_record_id"].notna()].itertuples():
        with open(out / row.warc_file, "rb") as fh:
            fh.seek(int(row.warc_offset))
            record = next(iter(ArchiveIterator(fh)))
        assert record.rec_headers.get_header("WARC-Record-ID") == row.warc_record_id
        assert record.rec_headers.get_header("WARC-Target-URI") == row.url


def test_ingest_reads_every_article_once_from_the_crawl_folder(crawl):
    portal, out, _ = crawl
    result = ingest_files([out])
    docs = result.documents.assign(path=lambda d: d["url"].str[len(portal.base):])
    expected = {request_url("http://x" + a.path)[len("http://x"):]: a for a in site.ARTICLES}
    assert sorted(docs["path"]) == sorted(expected)
    for row in docs.itertuples():
        article = expected[row.path]
        assert (row.title, row.date, row.views) == (article.title, article.iso_date, article.views)
        assert row.fetched_at.endswith("Z") and row.source.split("#")[1].startswith("urn:uuid:")
        assert article.paragraphs[1] in row.body
    reasons = "\n".join(result.rejects["reason"])
    for expected_reason in ("listing page", "HTTP 404", "HTTP 429", "HTTP 301", "revisit record",
                            "not an HTML page (application/xml)", "other page"):
        assert expected_reason in reasons
    assert not (result.rejects["source"].str.contains("ledger.sqlite")).any()


def test_max_pages_then_resume_then_refresh_fetch_each_article_once(tmp_path):
    with site.Portal() as portal:
        first = collect([portal.base + "/"], tmp_path, delay=0.05, user_agent=UA, max_pages=4)
        end_of_first = len(portal.log)
        assert first.stopped == "max-pages" and first.queued > 0
        assert sum(first.stored.get(k, 0) for k in ("article", "listing", "other")) == 4
        second = collect([portal.base + "/"], tmp_path, delay=0.05, user_agent=UA)
        assert second.stopped == "done" and second.queued == 0
        later = portal.log[end_of_first:]
        assert later[0].path == "/robots.txt"
        # the second run waited out the gap after the first run's last request
        assert later[0].at - portal.log[end_of_first - 1].at >= site.CRAWL_DELAY - LATE_STAMP
        assert {a.path: len(_article_hits(portal, a)) for a in site.ARTICLES} == {a.path: 1 for a in site.ARTICLES}
        end_of_second = len(portal.log)
        third = collect([portal.base + "/"], tmp_path, delay=0.05, user_agent=UA, refresh=True)
        refreshed = {h.path for h in portal.log[end_of_second:]}
    assert third.stopped == "done"
    assert {"/robots.txt", "/", "/tin-hoat-dong", "/sitemap.xml", "/rss.xml"} <= refreshed
    assert not refreshed & {a.path for a in site.ARTICLES}  # articles never again
    assert len(read_ledger(tmp_path, "runs")) == 3
    assert len(ingest_files([tmp_path]).documents) == len(site.ARTICLES)


def _cli(args, **kwargs):
    code = site.NET_GUARD + "\nfrom toolkit.cli import main\nmain()\n"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, cwd=PROJECT_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


@pytest.mark.slow
def test_cli_killed_mid_crawl_resumes_without_refetching_stored_pages(tmp_path):
    out = tmp_path / "crawl"
    with site.Portal() as portal:
        args = ["collect", portal.base + "/", "-o", str(out), "--delay", "0.05", "--contact", "nhom@example.edu"]
        process = _cli(args)
        deadline = time.monotonic() + 60
        while len([h for h in portal.log if h.status == 200]) < 9 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)  # a crash: no clean-up at all
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
        with contextlib.closing(sqlite3.connect(out / "ledger.sqlite")) as db:
            stored_first = {row[0] for row in db.execute(
                "SELECT url FROM pages WHERE state = 'stored' AND kind IN ('article', 'listing', 'other')")}
        assert stored_first
        end_of_first = len(portal.log)
        finished = _cli(args)
        stdout, stderr = finished.communicate(timeout=120)
        assert finished.returncode == 0, stderr
        assert "run 2 done" in stdout
        again = {portal.base + h.path for h in portal.log[end_of_first:]}
    assert not again & stored_first
    assert portal.log[end_of_first].path == "/robots.txt"
    pages = read_ledger(out)
    assert set(pages.loc[pages["kind"] == "article", "state"]) == {"stored"}
    assert (pages["kind"] == "article").sum() == len(site.ARTICLES)
    runs = read_ledger(out, "runs")
    assert runs["stopped"].tolist() == ["crashed", "done"]   # the killed run is marked by the next one
    assert "danvan-toolkit/" in portal.log[0].user_agent and "mailto:nhom@example.edu" in portal.log[0].user_agent
    docs = ingest_files([out]).documents
    assert len(docs) == len(site.ARTICLES) and docs["url"].is_unique


class _CalendarTrap(site.PageServer):
    """A portal whose event calendar links each day to the next, without end (a crawler trap)."""

    ARTICLE = ("<html><body><h1>Hội nghị giao ban công tác dân vận quý {i}</h1><p>Ngày đăng: 05/0{i}/2023</p>"
               "<p>Sáng 4/{i}, Ban Dân vận Huyện ủy tổ chức hội nghị giao ban công tác dân vận quý {i}; các đại "
               "biểu thảo luận về công tác dân vận chính quyền và việc thực hiện quy chế dân chủ ở cơ sở.</p>"
               "</body></html>")
    ITEMS = "".join(f'<li><a href="/tin/bai-{i}.html">Hội nghị giao ban công tác dân vận quý {i} năm 2023 '
                    "của huyện</a></li>" for i in range(1, 6))

    def answer(self, path: str, query: dict) -> tuple[str, str] | None:
        from datetime import date, timedelta

        if path == "/":
            body = f'<html><body><ul>{self.ITEMS}</ul><a href="/lich?ngay=2023-01-01">Lịch sự kiện</a></body></html>'
        elif path == "/lich":
            day = date.fromisoformat(query["ngay"][0])
            body = (f"<html><body><h1>Lịch sự kiện ngày {day}</h1><ul>{self.ITEMS}</ul>"
                    f'<a href="/lich?ngay={day + timedelta(days=1)}">Ngày sau</a></body></html>')
        elif path.startswith("/tin/bai-"):
            body = self.ARTICLE.format(i=path[9])
        else:
            return None
        return body, "text/html; charset=utf-8"


def test_a_calendar_trap_is_capped_by_list_page_pattern_and_said(tmp_path, caplog):
    with local_network_only(), _CalendarTrap() as trap, caplog.at_level("WARNING", logger="toolkit"):
        summary = collect([trap.base + "/"], tmp_path, delay=0.0, user_agent=UA, max_listings_per_pattern=3)
        again = collect([trap.base + "/"], tmp_path, delay=0.0, user_agent=UA, max_listings_per_pattern=3)
    days = [p for p in trap.log if p.startswith("/lich")]
    # three calendar days stored, their fourth day's link not followed: the crawl ends instead of walking on
    assert summary.stopped == "done" and summary.queued == 0 and len(days) == 3
    assert summary.capped == {f"127.0.0.1:{trap.base.rsplit(':', 1)[1]}/lich?ngay": 1}
    assert "list pages of this pattern stored; its further pages are not followed" in caplog.text
    # the articles the calendar links to are all collected
    assert {p for p in trap.log if p.startswith("/tin/")} == {f"/tin/bai-{i}.html" for i in range(1, 6)}
    # a later run counts the earlier runs' list pages: nothing more of the trap
    assert again.n_requests <= 1 and len([p for p in trap.log if p.startswith("/lich")]) == 3


class _UndatedTemplatePortal(site.PageServer):
    """A district portal whose template shows no date on some articles and puts the lead in a box of its own."""

    UNDATED = "/tin/van-dong-tieu-thuong-cho-huyen-51.html"
    LEAD_BOX = "/tin/trao-qua-tet-52.html"
    HOME = (HEAD + "<h2>Tin hoạt động</h2><ul>"
            f"<li><a href='{UNDATED}'>Vận động tiểu thương chợ huyện chấp hành quy định phòng cháy, chữa cháy</a></li>"
            f"<li><a href='{LEAD_BOX}'>Quận trao quà Tết cho hộ khó khăn trên địa bàn</a></li>"
            "<li><a href='/lien-he.html'>Liên hệ</a></li><li><a href='/gioi-thieu'>Giới thiệu</a></li></ul>"
            "</body></html>")

    def answer(self, path: str, query: dict) -> tuple[str, str] | None:
        pages = {"/": self.HOME, self.UNDATED: _undated_article(related=True),
                 self.LEAD_BOX: _lead_box_article(related=True), "/lien-he.html": CONTACT, "/gioi-thieu": PAGES["introduction page without a date"][0],
                 "/tin": PAGES["listing with teasers and pager"][0]}
        if path.startswith("/tin/bai-"):  # the related stories: dated articles
            return PAGES["article, p paragraphs, related list"][0], "text/html; charset=utf-8"
        return (pages[path], "text/html; charset=utf-8") if path in pages else None


@pytest.fixture(scope="module")
def undated_crawl(tmp_path_factory):
    out = tmp_path_factory.mktemp("undated")
    with local_network_only(), _UndatedTemplatePortal() as portal:
        collect([portal.base + "/"], out, delay=0.0, user_agent=UA)
    return portal, out


def test_an_undated_article_and_one_with_a_lead_box_are_collected_as_articles(undated_crawl):
    portal, out = undated_crawl
    kinds = read_ledger(out).set_index("url")["kind"]
    assert kinds[portal.base + portal.UNDATED] == "article"
    assert kinds[portal.base + portal.LEAD_BOX] == "article"
    # the site's own pages and its lists stay what they are
    assert kinds[portal.base + "/lien-he.html"] == "other" and kinds[portal.base + "/gioi-thieu"] == "other"
    assert kinds[portal.base + "/tin"] == "listing" and kinds[portal.base + "/tin?page=2"] == "listing"


def test_ingest_of_the_crawl_keeps_the_undated_article_with_an_empty_date_and_the_lead_with_the_body(undated_crawl):
    portal, out = undated_crawl
    result = ingest_files([out])
    docs = result.documents.set_index("url")
    undated, lead_box = docs.loc[portal.base + portal.UNDATED], docs.loc[portal.base + portal.LEAD_BOX]
    assert undated["title"] == "Vận động tiểu thương chợ huyện chấp hành quy định phòng cháy, chữa cháy"
    assert undated["date"] == "" and MARKET[1] in undated["body"]
    assert (lead_box["title"], lead_box["date"]) == ("Quận trao quà Tết cho hộ khó khăn trên địa bàn", "2021-01-15")
    assert LEAD in lead_box["body"] and LEAD_BODY[0] in lead_box["body"]
    rejected = dict(zip(result.rejects["reason"].str.rsplit(": ", n=1).str[-1], result.rejects["reason"]))
    assert rejected[portal.base + "/lien-he.html"].startswith("other page, not an article")
    assert rejected[portal.base + "/tin"].startswith("listing page, not an article")
