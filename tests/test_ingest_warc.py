"""Ingest of WARC files written by any crawler (no ledger): articles in, everything else to the rejects.

Also a crawl folder whose ledger, written by an earlier crawler, calls an article a listing or `other`.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from toolkit.collect.ledger import Ledger
from toolkit.collect.urls import url_key
from toolkit.ingest.core import ingest_files
from toolkit.places import SourceMap

HOST = "http://huyenuy.example.vn"
PARAS = ("Sáng 2/11/2022, Hội Nông dân xã Mỹ Châu phối hợp với Trạm Khuyến nông huyện tổ chức lớp chuyển giao "
         "kỹ thuật trồng dưa hấu trên đất cát cho 45 hội viên nông dân.",
         "Các kỹ sư hướng dẫn cách làm đất, phủ màng nông nghiệp, tưới nhỏ giọt và phòng trừ sâu bệnh, giúp bà con "
         "giảm chi phí và tăng năng suất so với cách làm truyền thống.",
         "Hội cũng giới thiệu nguồn vốn vay ưu đãi để hội viên đầu tư hệ thống tưới tiết kiệm nước.")
ARTICLE = ("<html><head><title>Chuyển giao kỹ thuật</title></head><body><nav><a href='/'>Trang chủ</a></nav>"
           "<h1>Hội Nông dân xã chuyển giao kỹ thuật trồng dưa hấu</h1>"
           "<div>Ngày đăng: 03/11/2022 | Lượt xem: 88</div>" + "".join(f"<p>{p}</p>" for p in PARAS)
           + "</body></html>")
TITLES = ("Hội nghị sơ kết công tác dân vận sáu tháng đầu năm", "Mặt trận xã thăm hộ nghèo dịp Tết Nguyên đán",
          "Hội Phụ nữ ra quân làm sạch đường làng ngõ xóm", "Đoàn Thanh niên tổ chức Tiếp sức mùa thi",
          "Hội Nông dân chuyển giao kỹ thuật trồng dưa hấu")
LISTING = ("<html><body><h1>Tin hoạt động</h1><ul>"
           + "".join(f"<li><a href='/tin/bai-{i}.html'>{t}</a></li>" for i, t in enumerate(TITLES))
           + "</ul><a href='/tin?page=2'>Trang sau</a></body></html>")


def _warc(path, responses, truncate=0):
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "another-crawler/1.0"}))
    for url, status, content_type, body in responses:
        headers = StatusAndHeaders(f"{status} X", [("Content-Type", content_type)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                                      http_headers=headers,
                                                      warc_headers_dict={"WARC-Date": "2024-05-01T08:00:00Z"}))
    data = buffer.getvalue()
    path.write_bytes(data[:len(data) - truncate] if truncate else data)
    return path


def _responses():
    return [
        (f"{HOST}/robots.txt", 200, "text/plain", b"User-agent: *\nDisallow:\n"),
        (f"{HOST}/tin", 200, "text/html; charset=utf-8", LISTING.encode()),
        (f"{HOST}/tin/bai-4.html", 200, "text/html; charset=utf-8", ARTICLE.encode()),
        (f"{HOST}/tin/bai-da-go.html", 404, "text/html", b"<html><body>Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y</body></html>"),
        (f"{HOST}/tin/bai-4.html", 200, "text/html; charset=utf-8", ARTICLE.encode()),  # fetched twice
    ]


def test_a_foreign_warc_gives_its_articles_once_with_url_and_fetch_time(tmp_path):
    warc = _warc(tmp_path / "crawl.warc.gz", _responses())
    result = ingest_files([warc])
    docs = result.documents
    assert len(docs) == 1
    row = docs.iloc[0]
    assert (row["title"], row["date"], row["views"]) == ("Hội Nông dân xã chuyển giao kỹ thuật trồng dưa hấu",
                                                         "2022-11-03", 88)
    assert (row["url"], row["fetched_at"]) == (f"{HOST}/tin/bai-4.html", "2024-05-01T08:00:00Z")
    label, record_id = row["source"].split("#")
    assert label == warc.as_posix() and record_id.startswith("urn:uuid:")
    reasons = dict(zip(result.rejects["reason"].str.split(":").str[0], result.rejects["source"]))
    assert any(r.startswith("listing page") for r in reasons)
    assert any(r.startswith("HTTP 404") for r in reasons)
    assert any(r.startswith("not an HTML page (text/plain)") for r in reasons)
    assert any(r.startswith(f"{HOST}/tin/bai-4.html again") or "again" in r for r in result.rejects["reason"])
    assert (result.rejects["line"] == 0).all()


def test_a_truncated_warc_keeps_its_complete_records_and_says_where_it_broke(tmp_path):
    warc = _warc(tmp_path / "killed.warc.gz", _responses()[:3], truncate=25)
    result = ingest_files([warc])
    assert result.documents.empty  # the cut article is not read as if whole
    damaged = result.rejects[result.rejects["reason"].str.startswith("damaged WARC data")]
    assert len(damaged) == 1 and damaged["source"].iat[0].split("#")[0] == warc.as_posix()
    assert "bai-4.html" in damaged["reason"].iat[0]
    assert "listing page" in "\n".join(result.rejects["reason"])  # records before the damage were read


@pytest.mark.parametrize("match, district", [("huyenuy.example.vn", "Huyện Phù Mỹ"), ("*.example.vn", "Huyện Phù Mỹ"),
                                             ("other.example.vn", None)])
def test_sources_domain_rules_apply_to_the_urls_in_the_warc(tmp_path, match, district):
    warc = _warc(tmp_path / "crawl.warc", _responses()[2:3])
    sources = SourceMap.from_records([{"match": match, "province": "Bình Định", "district": "Phù Mỹ"}])
    row = ingest_files([warc], sources=sources).documents.iloc[0]
    if district is None:
        assert not row["locality_evidence"].startswith("sources:")
    else:
        assert (row["district"], row["locality_evidence"]) == (district, f"sources: match {match!r}")


def test_warc_rows_beside_text_pages_leave_url_empty_for_the_pages(tmp_path):
    _warc(tmp_path / "crawl.warc.gz", _responses()[2:3])
    (tmp_path / "trang.txt").write_text("Tin hoạt động\n\nHội Cựu chiến binh phường gặp mặt hội viên mới\n"
                                        "Ngày đăng: 05/11/2021 | Lượt xem: 87\n\n"
                                        "Sáng 4/11, Hội Cựu chiến binh phường Phúc Xá tổ chức gặp mặt 25 hội viên mới "
                                        "và phổ biến điều lệ hội cho các hội viên.\n", encoding="utf-8")
    docs = ingest_files([tmp_path]).documents.set_index("source")
    assert docs["url"].tolist().count("") == 1 and docs["fetched_at"].tolist().count("") == 1
    assert (docs["url"] != "").sum() == 1


def test_an_error_page_archived_as_a_revisit_is_rejected_as_the_error_it_is(tmp_path):
    # a site's one "not found" page, archived once as a response and then as revisits of it
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    body = "<html><body>Không tìm thấy trang</body></html>".encode()
    first = writer.create_warc_record(f"{HOST}/bai-cu.html", "response", payload=BytesIO(body), length=len(body),
                                      http_headers=StatusAndHeaders("404 Not Found", [("Content-Type", "text/html")],
                                                                    protocol="HTTP/1.1"))
    writer.write_record(first)
    again = writer.create_revisit_record(f"{HOST}/bai-khac.html", first.rec_headers.get_header("WARC-Payload-Digest"),
                                         f"{HOST}/bai-cu.html", first.rec_headers.get_header("WARC-Date"),
                                         http_headers=StatusAndHeaders("404 Not Found",
                                                                       [("Content-Type", "text/html")],
                                                                       protocol="HTTP/1.1"))
    writer.write_record(again)
    (tmp_path / "crawl.warc.gz").write_bytes(buffer.getvalue())
    reasons = sorted(ingest_files([tmp_path / "crawl.warc.gz"]).rejects["reason"])
    assert reasons == [f"HTTP 404 response for {HOST}/bai-cu.html", f"HTTP 404 response for {HOST}/bai-khac.html"]


RELATED = "".join(f"<li><a href='/tin/bai-{i}.html'>{t}</a></li>" for i, t in enumerate(TITLES))
UNDATED = ("<html><head><title>Chuyển giao kỹ thuật</title></head><body><nav><a href='/'>Trang chủ</a></nav>"
           "<h1>Hội Nông dân xã chuyển giao kỹ thuật trồng dưa hấu trên đất cát</h1>"
           + "".join(f"<p>{p.replace('Sáng 2/11/2022, ', '')}</p>" for p in PARAS)
           + f"<div class='tin-khac'><h3>Tin khác</h3><ul>{RELATED}</ul></div></body></html>")
CONTACT = ("<html><body><nav><a href='/'>Trang chủ</a></nav><h1>Liên hệ</h1><p>Ban Dân vận Huyện ủy Phù Mỹ</p>"
           "<p>Địa chỉ: số 10 đường Trần Hưng Đạo, thị trấn Phù Mỹ. Điện thoại: 0256 3855 000</p></body></html>")


@pytest.mark.parametrize("earlier_verdict", ["other", "listing"])
def test_a_crawl_ledgers_listing_or_other_page_is_read_again_and_kept_when_it_is_an_article(tmp_path, earlier_verdict):
    # a crawl made before the crawler knew undated articles: its ledger calls one `other` (or `listing`, for its box
    # of related stories); `collect` never fetches an `other` page again and archives a list page fetched again
    # unchanged as a revisit, but the WARC file holds the page: ingest reads it with today's reading
    pages = [(f"{HOST}/tin/chuyen-giao-ky-thuat-12.html", earlier_verdict, UNDATED),
             (f"{HOST}/lien-he.html", "other", CONTACT), (f"{HOST}/tin", "listing", LISTING)]
    warc = _warc(tmp_path / "danvan-1.warc.gz", [(url, 200, "text/html; charset=utf-8", html.encode())
                                                 for url, _, html in pages])
    with open(warc, "rb") as fh:
        ids = {r.rec_headers.get_header("WARC-Target-URI"): r.rec_headers.get_header("WARC-Record-ID")
               for r in ArchiveIterator(fh) if r.rec_type == "response"}
    ledger = Ledger(tmp_path)
    for url, kind, _ in pages:
        ledger.add(url_key(url), url, kind="page", priority=1)
        ledger.update(url_key(url), state="stored", kind=kind, warc_file=warc.name, warc_record_id=ids[url], run=1)
    ledger.close()
    result = ingest_files([tmp_path])
    (row,) = result.documents.itertuples()
    assert (row.url, row.date) == (pages[0][0], "")
    assert row.title == "Hội Nông dân xã chuyển giao kỹ thuật trồng dưa hấu trên đất cát"
    listing, contact = sorted(result.rejects["reason"])
    assert listing.startswith("listing page, not an article (") and listing.endswith(f"crawl ledger: listing): {HOST}/tin")
    assert contact.startswith("other page, not an article (") and contact.endswith(f"crawl ledger: other): {HOST}/lien-he.html")
