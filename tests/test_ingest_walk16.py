"""Ingest on a researcher's messy folder: saved-page folders, table dates, reposts, localities, office files,
re-ingested document tables and HTML left in a table's text column."""

from __future__ import annotations

import json
import logging
import zipfile

import pandas as pd
import pytest

from test_ingest import OTHER, PAGE, _write
from toolkit.corpus import write_table
from toolkit.ingest.core import ingest, ingest_files
from toolkit.ingest.encoding import encode_text

#: An article saved with a browser's "Save page as… (complete)".
SAVED_ARTICLE = """<html><head><meta charset="utf-8">
<title>Huyện ủy Củ Chi giao ban công tác dân vận quý I</title>
<link rel="stylesheet" href="./Giao ban dân vận_files/style.css">
<script src="./Giao ban dân vận_files/jquery.min.js"></script></head><body><div class="detail">
<h1>Huyện ủy Củ Chi giao ban công tác dân vận quý I</h1><p>Thứ Hai, 15/03/2021 - 08:20</p>
<p>Sáng 12/3, Ban Dân vận Huyện ủy Củ Chi tổ chức hội nghị giao ban khối dân vận quý I năm 2021 với sự tham dự của
đại diện Mặt trận Tổ quốc và các đoàn thể huyện.</p>
<p>Các đại biểu đã thảo luận, đóng góp nhiều ý kiến về công tác dân vận chính quyền và việc thực hiện quy chế dân chủ
ở cơ sở trên địa bàn các xã Tân Thạnh Đông, Phước Vĩnh An.</p>
<p>Hội nghị thống nhất tiếp tục đẩy mạnh phong trào thi đua dân vận khéo, vận động nhân dân hiến đất làm đường.</p>
<iframe src="./Giao ban dân vận_files/saved_resource.html"></iframe></div></body></html>"""

#: A social network's like box saved as a frame of the page.
LIKE_BOX = """<html><head><meta charset="utf-8"><title>Trang thông tin Huyện ủy</title></head><body>
<div class="like-box"><p>Trang thông tin điện tử Huyện ủy</p><p>1.234 lượt thích</p>
<p>Bạn và 56 người bạn khác đã thích trang này. Thích Trang Chia sẻ Xem thêm bài viết của trang</p>
</div></body></html>"""

CSS = "body { font-family: Arial, sans-serif; font-size: 14px; }\n.detail h1 { color: #333; font-weight: bold; }\n"
JS = "/*! jQuery v3.6.0 */\n!function(e,t){'use strict';var n=[];e.jQuery=t}(window,function(){});\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 2


def _saved_page(folder, stem: str, companion: str = "_files"):
    _write(folder / f"{stem}.html", SAVED_ARTICLE)
    assets = folder / f"{stem}{companion}"
    _write(assets / "style.css", CSS)
    _write(assets / "jquery.min.js", JS)
    _write(assets / "logo.png", PNG)
    _write(assets / "saved_resource.html", LIKE_BOX)
    return assets


# --- 1. a browser's saved-page folder is not read as pages ----------------------------------------------------

@pytest.mark.parametrize("companion", ["_files", "-Dateien"])
def test_a_saved_pages_companion_folder_is_skipped_whole(tmp_path, caplog, companion):
    raw = tmp_path / "html"
    _saved_page(raw, "Giao ban dân vận", companion)
    _write(raw / "khac.txt", OTHER)
    with caplog.at_level(logging.INFO, logger="toolkit"):
        result = ingest_files([raw])
    names = [s.rsplit("/", 1)[-1] for s in result.documents["source"]]
    assert names == ["Giao ban dân vận.html", "khac.txt"]
    assert result.rejects.empty
    assert "lượt thích" not in " ".join(result.documents["title"])
    skipped = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == 1 and skipped[0].levelno == logging.INFO
    assert f"Giao ban dân vận{companion}" in skipped[0].getMessage()


def test_style_script_image_and_font_files_of_a_folder_are_skipped_and_counted(tmp_path, caplog):
    raw = tmp_path / "trang"
    _write(raw / "a.txt", PAGE)
    _write(raw / "static" / "site.css", CSS)
    _write(raw / "static" / "app.js", JS)
    _write(raw / "static" / "app.js.map", '{"version":3,"sources":["app.ts"]}')
    _write(raw / "img" / "banner.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64))
    _write(raw / "img" / "logo.PNG", PNG)
    _write(raw / "fonts" / "roboto.woff2", b"wOF2\x00\x01" + bytes(64))
    with caplog.at_level(logging.INFO, logger="toolkit"):
        result = ingest_files([raw])
    assert [s.rsplit("/", 1)[-1] for s in result.documents["source"]] == ["a.txt"]
    assert result.rejects.empty
    messages = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(messages) == 1 and "6 files" in messages[0]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and "rejected" in r.getMessage()]


def test_a_file_named_on_the_command_line_is_still_read(tmp_path):
    assets = _saved_page(tmp_path, "Giao ban dân vận")
    result = ingest_files([assets / "style.css", assets / "logo.png", assets / "saved_resource.html"])
    reasons = {r.source.rsplit("/", 1)[-1]: r.reason for r in result.rejects.itertuples()}
    # not a page: rejected with a reason, never a document with the tokens body, font, family
    assert "style sheet" in reasons["style.css"] and "image" in reasons["logo.png"]
    assert not result.documents["source"].str.endswith(("style.css", "logo.png")).any()
    # an HTML file named explicitly is read as a page (kept, or rejected for what it is)
    assert "saved_resource.html" in reasons or result.documents["source"].str.endswith("saved_resource.html").any()


# --- 2. table timestamps with an offset are dated in Vietnam ----------------------------------------------------

TEXT = "Ban Dân vận Huyện ủy tổ chức hội nghị giao ban khối dân vận, triển khai nhiệm vụ trọng tâm trong thời gian tới."


def _csv(path, header: list[str], rows: list[list[str]]):
    frame = pd.DataFrame(rows, columns=header)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("value, day", [
    ("2021-12-31T23:30:00+00:00", "2022-01-01"),
    ("2021-12-31T23:30:00Z", "2022-01-01"),
    ("2021-12-31 23:30:00+00:00", "2022-01-01"),
    ("2022-01-01T00:30:00+07:00", "2022-01-01"),
    ("2021-12-31T23:30:00", "2021-12-31"),   # no offset: read as written
])
def test_a_table_timestamp_with_an_offset_is_the_day_in_vietnam(tmp_path, value, day):
    table = _csv(tmp_path / "t.csv", ["title", "text", "date"], [["Giao ban khối dân vận", TEXT, value]])
    row = ingest(table).iloc[0]
    assert (row["date"], row["date_source"], row["year"]) == (day, "table-field", int(day[:4]))


# --- 3. Excel serial days are dates; what is left unread is logged once per file ----------------------------------

def test_excel_serial_days_in_a_date_column_are_dates(tmp_path):
    values = ["44299.85417", "44316", "44197"]   # Excel's 1900 date system: 44197 is 2021-01-01
    rows = [[f"Tin {i}", f"{TEXT} Lần thứ {i}.", value] for i, value in enumerate(values)]
    docs = ingest(_csv(tmp_path / "t.csv", ["title", "text", "date"], rows))
    assert docs["date"].tolist() == ["2021-04-13", "2021-04-30", "2021-01-01"]
    assert (docs["date_source"] == "table-field").all()


def test_unread_date_values_are_counted_and_logged_once_per_file(tmp_path, caplog):
    rows = [[f"Tin {i}", f"{TEXT} Lần thứ {i}.", value]
            for i, value in enumerate(["15/03/2021", "hôm qua", "31/02/2021", "12345", "không rõ"])]
    table = _csv(tmp_path / "bang.csv", ["title", "text", "ngay_dang"], rows)
    with caplog.at_level(logging.DEBUG, logger="toolkit"):
        docs = ingest(table)
    assert docs["date"].iloc[0] == "2021-03-15"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "bang.csv" in r.getMessage()]
    assert len(warnings) == 1
    message = warnings[0]
    assert "ngay_dang" in message and "4 rows" in message
    assert "line 3: 'hôm qua'" in message   # the first example with its line in the file


def test_table_warnings_reach_the_log_from_worker_processes(tmp_path, caplog):
    # with -j N the tables are read in worker processes, whose own log records reach no handler
    for name in ("a.csv", "b.csv"):
        _csv(tmp_path / name, ["title", "text", "date", "province", "district"],
             [["Giao ban khối dân vận", TEXT, "hôm qua", "", "Châu Thành"]])
    with caplog.at_level(logging.WARNING, logger="toolkit"):
        ingest_files([tmp_path], n_jobs=2)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    for name in ("a.csv", "b.csv"):
        assert any(name in m and "'hôm qua'" in m for m in warnings), warnings
        assert any(name in m and "Châu Thành" in m for m in warnings), warnings


# --- 4. the earliest copy of a repeated row is its first row ------------------------------------------------------

def test_the_first_row_of_a_file_is_the_original_of_a_repeated_row(tmp_path):
    one_line = " ".join(PAGE.split())
    rows = ([["x0", "", ""], ["a", "Giao ban khối dân vận", one_line]] + [[f"x{i}", "", ""] for i in range(1, 9)]
            + [["b", "Giao ban khối dân vận", one_line]])
    table = _csv(tmp_path / "t.csv", ["id", "title", "text"], rows)
    docs = ingest_files([table]).documents.set_index("doc_id")
    # line 3 and line 12: "#12" sorts before "#3" as a string
    assert docs.loc["a", "source"].endswith("#3") and docs.loc["b", "source"].endswith("#12")
    assert docs.loc["b", "duplicate_of"] == "a"
    assert docs.loc["a", "duplicate_of"] == ""


# --- 5. a district column without its province --------------------------------------------------------------------

LOC_TEXT = ("Sáng 8/1, đoàn công tác của huyện Đông Anh, thành phố Hà Nội đến thăm, trao đổi kinh nghiệm "
            "công tác dân vận chính quyền với Ban Dân vận Huyện ủy.")


def test_a_district_unique_in_vietnam_gives_its_province(tmp_path):
    table = _csv(tmp_path / "t.csv", ["title", "text", "province", "district"],
                 [["Trao đổi kinh nghiệm dân vận", LOC_TEXT, "", "Củ Chi"]])
    row = ingest(table).iloc[0]
    assert (row["province"], row["district"]) == ("Hồ Chí Minh", "Huyện Củ Chi")
    assert "district" in row["locality_evidence"]


@pytest.mark.parametrize("district, said", [("Châu Thành", "Bến Tre"), ("Huyện Không Có", "not in the gazetteer")])
def test_an_ambiguous_or_unknown_district_without_province_is_logged(tmp_path, caplog, district, said):
    table = _csv(tmp_path / "t.csv", ["title", "text", "province", "district"],
                 [["Trao đổi kinh nghiệm dân vận", LOC_TEXT, "", district]])
    with caplog.at_level(logging.WARNING, logger="toolkit"):
        row = ingest(table).iloc[0]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(district in m and said in m for m in warnings), warnings
    assert row["district"] == "Huyện Đông Anh"   # left to the text


# --- 6. office files and PDFs say what to do ----------------------------------------------------------------------

def _zip(path, members: dict[str, str]):
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_office_files_and_pdfs_are_rejected_with_what_to_do(tmp_path):
    raw = tmp_path / "raw"
    types = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    _zip(raw / "bai_viet.xlsx", {"[Content_Types].xml": types, "xl/workbook.xml": "<workbook/>"})
    _zip(raw / "bao_cao.docx", {"[Content_Types].xml": types, "word/document.xml": "<document/>"})
    _zip(raw / "bien_ban.odt", {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"})
    _zip(raw / "khong_duoi", {"[Content_Types].xml": types, "xl/workbook.xml": "<workbook/>"})   # by its bytes
    _write(raw / "to_trinh.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\x00\x00")
    reasons = {r.source.rsplit("/", 1)[-1]: r.reason for r in ingest_files([raw]).rejects.itertuples()}
    assert "Excel" in reasons["bai_viet.xlsx"] and "CSV UTF-8" in reasons["bai_viet.xlsx"]
    assert "Excel" in reasons["khong_duoi"]
    assert "Word" in reasons["bao_cao.docx"] and ".txt" in reasons["bao_cao.docx"]
    assert "OpenDocument" in reasons["bien_ban.odt"] and ".txt" in reasons["bien_ban.odt"]
    assert "PDF" in reasons["to_trinh.pdf"] and "text" in reasons["to_trinh.pdf"]
    assert not any("NUL bytes" in reason for reason in reasons.values())


def test_old_office_files_archives_and_html_saved_as_doc(tmp_path):
    raw = tmp_path / "raw"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    _write(raw / "bang_tong_hop.xls", ole)
    _write(raw / "bao_cao.doc", ole)
    _zip(raw / "trang_luu.zip", {"a.html": "<html></html>"})
    # old portals offer "Word" downloads that are HTML: the bytes say it is a page, and it is read as one
    _write(raw / "tin_bai.doc", SAVED_ARTICLE)
    result = ingest_files([raw])
    reasons = {r.source.rsplit("/", 1)[-1]: r.reason for r in result.rejects.itertuples()}
    assert set(reasons) == {"bang_tong_hop.xls", "bao_cao.doc", "trang_luu.zip"}
    assert "Excel 97–2003" in reasons["bang_tong_hop.xls"] and "CSV UTF-8" in reasons["bang_tong_hop.xls"]
    assert "Word 97–2003" in reasons["bao_cao.doc"] and ".txt" in reasons["bao_cao.doc"]
    assert "unpack" in reasons["trang_luu.zip"]
    assert result.documents["title"].tolist() == ["Huyện ủy Củ Chi giao ban công tác dân vận quý I"]


# --- 7. the toolkit's own document table read again ---------------------------------------------------------------

#: dated from its text only (no date line)
EVENT_PAGE = """Tin hoạt động

Hội Cựu chiến binh xã Kim Chung ra mắt mô hình tự quản về an ninh trật tự

Sáng 5/11/2021, Hội Cựu chiến binh xã Kim Chung, huyện Đông Anh ra mắt mô hình tự quản về an ninh trật tự ở thôn Bầu.

Mô hình có 25 thành viên, thường xuyên tuần tra, vận động nhân dân chấp hành pháp luật và giữ gìn vệ sinh môi trường.

Nguyễn Thị Lan
"""


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_reingesting_the_toolkits_own_tables_keeps_their_rows(tmp_path, suffix):
    _write(tmp_path / "a" / "page.txt", PAGE)
    _write(tmp_path / "a" / "event.txt", EVENT_PAGE)
    _write(tmp_path / "b" / "legacy.txt", encode_text(OTHER, "tcvn3"))
    _write(tmp_path / "b" / "repost.txt", PAGE.replace("Tin hoạt động", "Tin tức"))
    first = ingest(tmp_path / "a")
    second = ingest(tmp_path / "b")
    assert set(first["date_source"]) == {"header", "event"}
    write_table(first, tmp_path / f"a{suffix}")
    write_table(second, tmp_path / f"b{suffix}")
    merged = ingest([tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"]).set_index("doc_id")
    before = pd.concat([first, second]).set_index("doc_id")
    assert sorted(merged.index) == sorted(before.index)
    kept = ["date_source", "date_precision", "date", "year", "title", "views", "category", "author",
            "issuer", "province", "district", "locality", "province_2025", "locality_evidence", "body", "captions",
            "encoding", "source"]
    for column in kept:
        got = merged.loc[before.index, column].astype(str).tolist()
        assert got == before[column].astype(str).tolist(), column
    # what must change: the repost in b is marked against the original in a
    repost = second.loc[second["source"].str.endswith("repost.txt"), "doc_id"].iat[0]
    original = first.loc[first["source"].str.endswith("page.txt"), "doc_id"].iat[0]
    assert before.loc[repost, "duplicate_of"] == "" and merged.loc[repost, "duplicate_of"] == original


def test_a_researchers_table_with_a_date_column_still_says_table_field(tmp_path):
    # a table that is not the toolkit's (no date_source column): its date column is a table-field date
    table = _csv(tmp_path / "t.csv", ["title", "text", "date", "source"],
                 [["Giao ban khối dân vận", TEXT, "15/03/2021", "Báo Đông Anh"]])
    row = ingest(table).iloc[0]
    assert (row["date"], row["date_source"]) == ("2021-03-15", "table-field")
    assert row["source"] == f"{table}#2"


# --- 8. HTML left in a table's text column ------------------------------------------------------------------------

HTML_CELL = ('<div class="detail-content"><p>Sáng 12/3, Ban Dân vận Huyện ủy Đông Anh tổ chức hội nghị giao ban '
             'khối dân vận quý I năm 2021.</p><figure><img src="/anh/1.jpg"><figcaption>Đồng chí Trưởng Ban Dân '
             'vận Huyện ủy phát biểu tại hội nghị</figcaption></figure><p>Các đại biểu đã thảo luận, đóng góp nhiều '
             'ý kiến về công tác dân vận chính quyền, xây dựng quy chế dân chủ ở cơ sở.</p><script>var a=1;</script>'
             '<style>.x{color:red}</style><p>Hội nghị thống nhất đẩy mạnh phong trào thi đua dân vận khéo trên địa '
             'bàn huyện.</p></div>')


@pytest.mark.parametrize("name", ["t.csv", "t.jsonl"])
def test_html_in_a_tables_text_column_is_read_as_html(tmp_path, name):
    record = {"id": "h1", "title": "Giao ban khối dân vận quý I", "text": HTML_CELL, "date": "15/03/2021"}
    if name.endswith(".csv"):
        table = _csv(tmp_path / name, list(record), [list(record.values())])
    else:
        table = _write(tmp_path / name, json.dumps(record, ensure_ascii=False) + "\n")
    row = ingest(table).iloc[0]
    assert "<" not in row["body"] and "detail-content" not in row["body"] and "var a" not in row["body"]
    assert "color" not in row["body"]
    assert row["body"].startswith("Sáng 12/3, Ban Dân vận Huyện ủy Đông Anh")
    assert "dân vận khéo" in row["body"]
    assert "Trưởng Ban Dân vận Huyện ủy phát biểu" in row["captions"]
    assert "phát biểu tại hội nghị" not in row["body"]
    assert row["title"] == "Giao ban khối dân vận quý I"
    assert (row["date"], row["date_source"]) == ("2021-03-15", "table-field")


def test_a_text_with_a_less_than_sign_is_not_html(tmp_path):
    text = "Tỷ lệ hộ nghèo của xã giảm còn <2% và tỷ lệ hộ cận nghèo > 3%, vượt chỉ tiêu Nghị quyết Đại hội đề ra."
    table = _csv(tmp_path / "t.csv", ["title", "text"], [["Kết quả giảm nghèo", text]])
    assert "<2%" in ingest(table).iloc[0]["body"]


def test_a_table_rows_short_item_is_its_body(tmp_path):
    # walk 17: a row whose only text is a one-sentence sapo (no final full stop) was rejected as "no article text
    # left after removing boilerplate": the table's text column is the text
    rows = [{"id": "a", "title": "Huyện ủy Yên Thành gặp mặt chức sắc tôn giáo",
             "sapo": "Thường trực Huyện ủy Yên Thành gặp mặt, chúc mừng các chức sắc Công giáo trên địa bàn nhân dịp "
                     "lễ Giáng sinh năm 2020", "body": ""},
            {"id": "b", "title": "Trang chủ", "sapo": "Trang chủ | Giới thiệu | Liên hệ", "body": ""}]
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    from toolkit.ingest.tables import FieldMap

    result = ingest_files([path], fields=FieldMap(text="sapo,body"))
    assert result.documents["doc_id"].tolist() == ["a"]
    assert result.documents.iloc[0]["body"].startswith("Thường trực Huyện ủy Yên Thành gặp mặt")
    assert result.rejects["line"].tolist() == [2]  # a menu line is no item
