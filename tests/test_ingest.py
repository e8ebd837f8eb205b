"""Ingestion end to end: folders, tables, rejects, ids, duplicates, encodings, CLI."""

from __future__ import annotations

import gzip
import hashlib
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import CORPORA_DIR, SEEDS_DIR, needs_corpora, needs_seeds
from toolkit.cli import app
from toolkit.corpus import DOC_COLUMNS, read_documents, read_table
from toolkit.errors import UserError
from toolkit.ingest.core import ingest, ingest_files
from toolkit.ingest.encoding import encode_text
from toolkit.ingest.tables import FieldMap

PAGE = """Tin hoạt động

Huyện ủy Đông Anh sơ kết công tác dân vận 6 tháng đầu năm 2021
Ngày đăng 15/07/2021 | 08:20 | Lượt xem: 312

Sáng ngày 14/7/2021, Ban Dân vận Huyện ủy Đông Anh tổ chức hội nghị sơ kết công tác dân vận 6 tháng đầu năm, triển khai nhiệm vụ 6 tháng cuối năm 2021.

Báo cáo nêu rõ, khối dân vận đã phối hợp với UBND các xã Kim Chung, Đại Mạch và Võng La tuyên truyền, vận động nhân dân bàn giao mặt bằng cho các dự án trọng điểm; thực hiện tốt quy chế dân chủ ở cơ sở.

Đồng chí Nguyễn Văn Bình phát biểu tại hội nghị

Hội nghị thống nhất tiếp tục đẩy mạnh phong trào thi đua "Dân vận khéo", giữ vững an ninh trật tự trên địa bàn huyện.
"""

REPOST = PAGE.replace("Tin hoạt động", "Tin tức - Sự kiện").replace(
    "Ngày đăng 15/07/2021 | 08:20 | Lượt xem: 312", "Ngày đăng 16/07/2021 | 10:05 | Lượt xem: 41"
).replace("giữ vững an ninh trật tự", "giữ vững ổn định an ninh trật tự")

OTHER = """Thời sự

Hội Nông dân xã Cổ Loa tập huấn kỹ thuật trồng rau an toàn
Ngày đăng 02/03/2020 | 14:00 | Lượt xem: 90

Chiều 1/3/2020, Hội Nông dân xã Cổ Loa phối hợp với Trạm khuyến nông mở lớp tập huấn kỹ thuật trồng rau an toàn cho 60 hội viên.

Các học viên được hướng dẫn cách sử dụng phân bón hữu cơ, phòng trừ sâu bệnh theo quy trình VietGAP và ghi chép nhật ký sản xuất.
"""


def _write(path, data: bytes | str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def _digest(folder):
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_folder_of_pages_gives_schema_ids_and_fields(tmp_path):
    _write(tmp_path / "raw" / "a.txt", PAGE)
    _write(tmp_path / "raw" / "sub" / "b.txt", OTHER)
    docs = ingest(tmp_path / "raw")
    assert list(docs.columns) == list(DOC_COLUMNS)
    assert docs["source"].tolist() == [f"{tmp_path}/raw/a.txt", f"{tmp_path}/raw/sub/b.txt"]
    first = docs.iloc[0]
    assert first["doc_id"] == hashlib.sha256(PAGE.encode()).hexdigest()[:16]
    assert first["title"].startswith("Huyện ủy Đông Anh sơ kết")
    assert (first["date"], first["date_precision"], first["year"], first["views"]) == ("2021-07-15", "day", 2021, 312)
    assert first["date_source"] == "header"
    assert first["category"] == "Tin hoạt động"
    assert "Ngày đăng" not in first["body"] and "Lượt xem" not in first["body"]
    assert "Nguyễn Văn Bình phát biểu" in first["captions"]
    assert "Nguyễn Văn Bình phát biểu" not in first["body"]
    assert first["province"] == "Hà Nội" and "Đông Anh" in first["district"]
    assert first["locality_evidence"]
    assert first["encoding"] == "utf-8"
    # Same input, same ids, on a second run.
    assert ingest(tmp_path / "raw")["doc_id"].tolist() == docs["doc_id"].tolist()


def test_inputs_are_never_modified(tmp_path):
    raw = tmp_path / "raw"
    _write(raw / "a.txt", PAGE)
    _write(raw / "t.csv", "id,text\n1,\"" + OTHER.replace('"', '""') + "\"\n")
    before = _digest(raw)
    ingest(raw)
    assert _digest(raw) == before


def test_reposts_are_marked_not_dropped(tmp_path):
    _write(tmp_path / "site1" / "a.txt", PAGE)
    _write(tmp_path / "site2" / "a.txt", REPOST)
    _write(tmp_path / "site2" / "b.txt", OTHER)
    docs = ingest(tmp_path).set_index("source")
    original = docs.loc[f"{tmp_path}/site1/a.txt"]
    repost = docs.loc[f"{tmp_path}/site2/a.txt"]
    assert len(docs) == 3
    assert repost["duplicate_of"] == original["doc_id"]
    assert original["duplicate_of"] == "" and docs.loc[f"{tmp_path}/site2/b.txt", "duplicate_of"] == ""


def test_identical_files_get_distinct_stable_ids(tmp_path):
    _write(tmp_path / "a.txt", PAGE)
    _write(tmp_path / "b.txt", PAGE)
    docs = ingest(tmp_path)
    base = hashlib.sha256(PAGE.encode()).hexdigest()[:16]
    assert docs["doc_id"].tolist() == [base, f"{base}-2"]
    assert docs["duplicate_of"].tolist() == ["", base]


@pytest.mark.parametrize("encoding", ["utf-16", "cp1258", "tcvn3", "vni"])
def test_legacy_encoded_page_reads_like_unicode(tmp_path, encoding):
    _write(tmp_path / "u" / "a.txt", PAGE)
    _write(tmp_path / "l" / "a.txt", encode_text(PAGE, encoding))
    unicode_doc = ingest(tmp_path / "u").iloc[0]
    legacy_doc = ingest(tmp_path / "l").iloc[0]
    assert legacy_doc["encoding"] == encoding
    for column in ("title", "date", "body", "captions", "district"):
        assert legacy_doc[column] == unicode_doc[column]


def test_bad_inputs_are_reported_and_the_run_goes_on(tmp_path):
    raw = tmp_path / "raw"
    _write(raw / "good.txt", PAGE)
    _write(raw / "empty.txt", b"")
    _write(raw / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    _write(raw / "only_menu.txt", "Trang chủ\nGiới thiệu\nLiên hệ\nThống kê truy cập\nĐang online33\n")
    _write(raw / "rows.jsonl", '{"id": "r1", "text": "Ban Dân vận Huyện ủy tổ chức hội nghị giao ban quý I."}\n'
                               '{"id": "r2", "text": \n'
                               '[1, 2]\n'
                               '{"id": "r4", "text": ""}\n')
    _write(raw / "rows.csv", 'id,text\nc1,"Hội nghị tổng kết công tác dân vận năm 2022."\nc2,"a","b"\n')
    result = ingest_files([raw])
    rejects = {(r.source.rsplit("/", 1)[-1], r.line): r.reason for r in result.rejects.itertuples()}
    assert rejects[("empty.txt", 0)] == "empty file"
    assert "binary" in rejects[("image.txt", 0)]
    assert "boilerplate" in rejects[("only_menu.txt", 0)]
    assert "invalid JSON" in rejects[("rows.jsonl", 2)]
    assert "not an object" in rejects[("rows.jsonl", 3)]
    assert rejects[("rows.jsonl", 4)] == "empty text"
    assert "3 fields where the header has 2" in rejects[("rows.csv", 3)]
    assert sorted(result.documents["doc_id"]) == sorted(["c1", "r1", hashlib.sha256(PAGE.encode()).hexdigest()[:16]])


def test_tables_with_field_mapping_and_segmented_text(tmp_path):
    rows = [
        {"ma": "x1", "tieu_de_bai": "Giao ban khối dân vận", "noi_dung_bai": "Ban Dân_vận Quận_ủy tổ_chức giao_ban công_tác dân_vận quý III .",
         "ngay": "20190915", "lien_ket": "https://longbien.hanoi.gov.vn/tin/1"},
        {"ma": "x2", "tieu_de_bai": "Đối thoại với nhân dân", "noi_dung_bai": "Ủy ban nhân dân phường tổ chức đối thoại với nhân dân về giải phóng mặt bằng.",
         "ngay": "03/11/2020", "lien_ket": ""},
    ]
    frame = pd.DataFrame(rows)
    frame.to_parquet(tmp_path / "t.parquet", index=False)
    with gzip.open(tmp_path / "t.jsonl.gz", "wt", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    fields = FieldMap(text="noi_dung_bai", title="tieu_de_bai", date="ngay", id="ma", url="lien_ket")
    for name in ("t.parquet", "t.jsonl.gz"):
        docs = ingest(tmp_path / name, fields=fields)
        assert docs["doc_id"].tolist() == ["x1", "x2"]
        assert docs["source"].tolist() == [f"{tmp_path}/{name}#1", f"{tmp_path}/{name}#2"]
        assert docs["title"].tolist() == ["Giao ban khối dân vận", "Đối thoại với nhân dân"]
        assert docs["date"].tolist() == ["2019-09-15", "2020-11-03"]
        assert docs["year"].tolist() == [2019, 2020]
        assert "_" not in docs["body"].iloc[0] and "Ban Dân vận Quận ủy tổ chức" in docs["body"].iloc[0]
        # the table's address column is kept: a coder opens the article from the coding sheet
        assert docs["url"].tolist() == ["https://longbien.hanoi.gov.vn/tin/1", ""]


ROWS = [
    {"id": "a1", "title": "Giao ban khối dân vận quý I",
     "content": "Sáng 12/3, Ban Dân vận Huyện ủy Đông Anh tổ chức giao ban khối dân vận quý I năm 2021.",
     "date": "15/03/2021"},
    {"id": "a2", "title": "Đối thoại với nhân dân",
     "content": "Ủy ban nhân dân phường Long Biên tổ chức đối thoại với nhân dân về giải phóng mặt bằng.",
     "date": "03/11/2020"},
]


def _jsonl(path, rows):
    return _write(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


def test_cli_text_field_naming_no_column_is_a_usage_error(tmp_path):
    table = _jsonl(tmp_path / "t.jsonl", ROWS)
    out = tmp_path / "d.parquet"
    result = CliRunner().invoke(app, ["ingest", str(table), "-o", str(out), "--text-field", "contnet", "-j", "1"])
    assert result.exit_code == 2, result.output
    assert str(table) in result.output and "'contnet'" in result.output and "--text-field" in result.output
    assert "id, title, content, date" in result.output  # the table's columns
    assert "did you mean --text-field content?" in result.output
    assert "rejected" not in result.output and "rejects report" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("option, column", [("title", "headline"), ("date", "published"), ("id", "ma"),
                                            ("url", "link"), ("category", "chuyen_muc")])
def test_optional_field_naming_no_column_is_a_usage_error(tmp_path, option, column):
    table = _jsonl(tmp_path / "t.jsonl", ROWS)
    with pytest.raises(UserError) as raised:
        ingest_files([table], fields=FieldMap(**{option: column}))
    assert raised.value.path == str(table)
    assert f"'{column}'" in str(raised.value) and f"--{option}-field" in str(raised.value)
    assert "id, title, content, date" in str(raised.value)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_named_column_is_looked_up_in_the_header_or_schema(tmp_path, suffix):
    table = tmp_path / f"t{suffix}"
    frame = pd.DataFrame(ROWS)
    frame.to_csv(table, index=False) if suffix == ".csv" else frame.to_parquet(table, index=False)
    with pytest.raises(UserError, match="'noi_dung'"):
        ingest_files([table], fields=FieldMap(text="noi_dung"))
    assert len(ingest_files([table], fields=FieldMap(text="content")).documents) == 2


def test_several_tables_error_names_each_table_lacking_the_column(tmp_path):
    _jsonl(tmp_path / "a.jsonl", ROWS)
    _jsonl(tmp_path / "b.jsonl", [{**row, "ngay": row["date"]} for row in ROWS])
    _jsonl(tmp_path / "c.jsonl", [{"id": "c1", "body": ROWS[0]["content"]}])
    with pytest.raises(UserError) as raised:
        ingest_files([tmp_path], fields=FieldMap(date="ngay"))
    message = str(raised.value)
    assert "2 of 3 tables" in message
    assert f"{tmp_path}/a.jsonl: no column 'ngay'" in message and f"{tmp_path}/c.jsonl: no column 'ngay'" in message
    assert "b.jsonl" not in message


def test_row_without_text_stays_a_located_reject(tmp_path):
    # The column exists in the table; one row has it empty, one (JSON Lines keys vary) lacks it.
    rows = [ROWS[0], {**ROWS[1], "content": ""}, {"id": "a3", "title": "Tin ảnh"},
            {"id": "a4", "content": "Hội Nông dân xã Cổ Loa tập huấn kỹ thuật trồng rau an toàn.", "ngay": "02/03/2020"}]
    table = _jsonl(tmp_path / "t.jsonl", rows)
    # `ngay` is in a later record only: a column of the table all the same
    result = ingest_files([table], fields=FieldMap(text="content", date="ngay"))
    assert sorted(result.documents["doc_id"]) == ["a1", "a4"]
    assert result.documents.set_index("doc_id").loc["a4", "date"] == "2020-03-02"
    assert dict(zip(result.rejects["line"], result.rejects["reason"])) == {
        2: "empty text", 3: "no text: the row has no column content"}


def test_table_category_is_kept(tmp_path):
    rows = [{**row, "chuyen_muc": "Tin hoạt động", "muc": "Dân vận khéo"} for row in ROWS]
    table = _jsonl(tmp_path / "t.jsonl", rows)
    assert ingest(table)["category"].tolist() == ["Tin hoạt động", "Tin hoạt động"]  # a usual name
    assert ingest(table, fields=FieldMap(category="muc"))["category"].tolist() == ["Dân vận khéo"] * 2
    csv_table = tmp_path / "t.csv"
    pd.DataFrame([{**row, "category": "Thời sự"} for row in ROWS]).to_csv(csv_table, index=False)
    assert ingest(csv_table)["category"].tolist() == ["Thời sự", "Thời sự"]


def test_cli_category_field(tmp_path):
    table = _jsonl(tmp_path / "t.jsonl", [{**row, "muc": "Dân vận khéo"} for row in ROWS])
    out = tmp_path / "d.jsonl"
    result = CliRunner().invoke(app, ["ingest", str(table), "-o", str(out), "--category-field", "muc", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert read_documents(out)["category"].tolist() == ["Dân vận khéo", "Dân vận khéo"]


def test_sources_file_sets_the_locality(tmp_path):
    _write(tmp_path / "pages" / "hoankiem" / "a.txt", OTHER)
    sources = _write(tmp_path / "sources.toml",
                     '[[source]]\nmatch = "*/pages/hoankiem/**"\nprovince = "Hà Nội"\ndistrict = "Quận Hoàn Kiếm"\n')
    doc = ingest(tmp_path / "pages", sources=sources).iloc[0]
    assert (doc["province"], doc["district"]) == ("Hà Nội", "Quận Hoàn Kiếm")
    assert doc["locality_evidence"]


def _portal_page(body: str, footer: str = "Bản quyền thuộc Ban Dân vận Huyện ủy Đại Từ, tỉnh Thái Nguyên") -> str:
    return ('<html><head><title>Hội nghị dân vận</title></head><body><div class="content"><h1>Hội nghị triển khai '
            f'công tác dân vận năm 2021</h1><div class="date">12/03/2021</div>{body}</div><footer><p>{footer}</p>'
            '</footer></body></html>')


def test_a_district_portals_page_naming_no_place_takes_the_sites_locality(tmp_path):
    placeless = ('<p>Sáng 12/3/2021, Ban Dân vận Huyện ủy tổ chức hội nghị triển khai công tác dân vận năm 2021 với '
                 'sự tham dự của đại diện các xã, thị trấn trên địa bàn huyện.</p><p>Hội nghị đã đánh giá kết quả '
                 'thực hiện quy chế dân chủ ở cơ sở và đề ra nhiệm vụ trọng tâm trong thời gian tới.</p>')
    elsewhere = placeless.replace("Ban Dân vận Huyện ủy tổ chức", "Ban Dân vận Huyện ủy Phú Lương tổ chức")
    _write(tmp_path / "pages" / "a.html", _portal_page(placeless))
    _write(tmp_path / "pages" / "b.html", _portal_page(elsewhere))
    # a provincial portal: the province, and the district the article names in it
    _write(tmp_path / "pages" / "c.html", _portal_page(placeless, "Cơ quan chủ quản: UBND tỉnh Thái Nguyên"))
    docs = ingest(tmp_path / "pages").set_index(pd.Index(["a", "b", "c"]))
    assert docs.loc["a", ["province", "district"]].tolist() == ["Thái Nguyên", "Huyện Đại Từ"]
    assert docs.loc["a", "locality_evidence"].startswith("site: ")
    # what the article names wins over the site
    assert docs.loc["b", ["province", "district"]].tolist() == ["Thái Nguyên", "Huyện Phú Lương"]
    assert not docs.loc["b", "locality_evidence"].startswith("site")
    assert docs.loc["c", ["province", "district"]].tolist() == ["Thái Nguyên", ""]
    # a province-only sources rule is completed by the site's district in that province, not by another's
    sources = _write(tmp_path / "sources.toml", '[[source]]\nmatch = "*/pages/*"\nprovince = "Thái Nguyên"\n')
    assert ingest(tmp_path / "pages" / "a.html", sources=sources).iloc[0]["district"] == "Huyện Đại Từ"
    other = _write(tmp_path / "sources2.toml", '[[source]]\nmatch = "*/pages/*"\nprovince = "Bắc Ninh"\n')
    row = ingest(tmp_path / "pages" / "a.html", sources=other).iloc[0]
    assert (row["province"], row["district"]) == ("Bắc Ninh", "")


def test_a_site_named_with_a_dashed_province_is_that_province(tmp_path):
    # "Bà Rịa - Vũng Tàu" in the <title> is one province, not a city "Bà Rịa" and a part "Vũng Tàu"
    placeless = ('<p>Sáng 12/3/2021, Ban Dân vận Tỉnh ủy tổ chức hội nghị triển khai công tác dân vận năm 2021 với '
                 'sự tham dự của đại diện các huyện, thị xã, thành phố trong tỉnh.</p><p>Hội nghị đã đánh giá kết quả '
                 'thực hiện quy chế dân chủ ở cơ sở và đề ra nhiệm vụ trọng tâm trong thời gian tới.</p>')
    page = _portal_page(placeless, "Liên hệ: ban biên tập").replace(
        "<title>Hội nghị dân vận</title>",
        "<title>Hội nghị triển khai công tác dân vận năm 2021 - Ban Dân vận Tỉnh ủy Bà Rịa - Vũng Tàu</title>")
    _write(tmp_path / "pages" / "a.html", page)
    row = ingest(tmp_path / "pages").iloc[0]
    assert row["title"] == "Hội nghị triển khai công tác dân vận năm 2021"
    assert (row["province"], row["district"]) == ("Bà Rịa - Vũng Tàu", "")
    assert row["locality_evidence"].startswith("site: ")


_PROVINCE_MEETING = ('<p>Sáng 12/3/2023, Ban Dân vận Tỉnh ủy tổ chức giao ban khối dân vận tỉnh quý I năm 2023 với sự '
                     'tham dự của đại diện ban dân vận các huyện ủy, thành ủy.</p><p>Báo cáo nêu rõ, các huyện Long '
                     'Thành, Nhơn Trạch, Cẩm Mỹ đã vận động nhân dân bàn giao mặt bằng cho các dự án trọng điểm.</p>')
_PROVINCE_PLACELESS = ('<p>Sáng 12/3/2023, Ban Dân vận Tỉnh ủy tổ chức giao ban khối dân vận quý I năm 2023.</p><p>Hội '
                       'nghị đánh giá kết quả thực hiện quy chế dân chủ ở cơ sở và đề ra nhiệm vụ quý II.</p>')


@pytest.mark.parametrize(("body", "footer", "province"), [
    # the owner line read whole: its address's city ("TP. Biên Hòa", "TP. Huế") became the site's district
    (_PROVINCE_MEETING, "Cơ quan chủ quản: Ban Dân vận Tỉnh ủy Đồng Nai. Địa chỉ: 02 Nguyễn Văn Trị, phường Thanh "
                        "Bình, TP. Biên Hòa.", "Đồng Nai"),
    (_PROVINCE_PLACELESS, "Cơ quan chủ quản: Ban Dân vận Tỉnh ủy Thừa Thiên Huế - 16 Lê Lợi, TP. Huế - ĐT: "
                          "0234.3822000", "Thừa Thiên Huế"),
    (_PROVINCE_PLACELESS, "Bản quyền thuộc Cổng thông tin điện tử Ban Dân vận Tỉnh ủy Đồng Nai. Điện thoại: "
                          "0251.3822000. Trụ sở: TP. Biên Hòa", "Đồng Nai"),
    # the owner's city without a label: a province's committee is the province's, never a district's
    (_PROVINCE_MEETING, "Cơ quan chủ quản: Ban Dân vận Tỉnh ủy Đồng Nai, TP. Biên Hòa", "Đồng Nai"),
])
def test_a_province_portals_page_is_the_provinces_not_its_offices_district(tmp_path, body, footer, province):
    _write(tmp_path / "pages" / "a.html", _portal_page(body, footer))
    row = ingest(tmp_path / "pages").iloc[0]
    assert (row["province"], row["district"]) == (province, "")
    assert "Địa chỉ" not in row["locality_evidence"] and "Biên Hòa" not in row["locality_evidence"]


@pytest.mark.parametrize(("body", "footer", "where"), [
    # a city's portal reposting a province-level article about several other districts
    (_PROVINCE_MEETING.replace("Ban Dân vận Tỉnh ủy tổ chức", "Khối dân vận tỉnh tổ chức"),
     "Bản quyền thuộc Ban Dân vận Thành ủy Biên Hòa, tỉnh Đồng Nai", ("Đồng Nai", "")),
    # ... or about several districts, its own among them
    (_PROVINCE_MEETING.replace("Ban Dân vận Tỉnh ủy tổ chức", "Khối dân vận tỉnh tổ chức"),
     "Bản quyền thuộc Ban Dân vận Huyện ủy Long Thành, tỉnh Đồng Nai", ("Đồng Nai", "")),
    # a district portal's page on its province's committee, naming no place
    (_PROVINCE_PLACELESS, "Bản quyền thuộc Ban Dân vận Huyện ủy Đại Từ, tỉnh Thái Nguyên", ("Thái Nguyên", "")),
    # controls: a district portal's own placeless page keeps the site's district, its address or not
    (_PROVINCE_PLACELESS.replace("Tỉnh ủy", "Huyện ủy"),
     "Bản quyền thuộc Ban Dân vận Huyện ủy Đại Từ, tỉnh Thái Nguyên. Địa chỉ: 12 đường Cách mạng tháng Tám, TP. "
     "Thái Nguyên", ("Thái Nguyên", "Huyện Đại Từ")),
    (_PROVINCE_PLACELESS.replace("Tỉnh ủy", "Huyện ủy"), "Cơ quan chủ quản: Ban Dân vận Huyện ủy Long Thành",
     ("Đồng Nai", "Huyện Long Thành")),
])
def test_the_site_gives_no_district_to_a_province_level_article(tmp_path, body, footer, where):
    _write(tmp_path / "pages" / "a.html", _portal_page(body, footer))
    row = ingest(tmp_path / "pages").iloc[0]
    assert (row["province"], row["district"]) == where, row["locality_evidence"]
    if where[1]:
        assert row["locality_evidence"].startswith("site: ")


@pytest.mark.parametrize(("site", "text", "where"), [
    # a province-level body's site gives its province, whatever city its office is in ...
    ("Cơ quan chủ quản: Ban Dân vận Tỉnh ủy Đồng Nai, TP. Biên Hòa", "", ("Đồng Nai", "")),
    ("Cơ quan chủ quản: UBND thành phố Đà Nẵng, quận Hải Châu", "", ("Đà Nẵng", "")),
    ("BAN DÂN VẬN THÀNH ỦY TP. HỒ CHÍ MINH\nQuận 1", "", ("Hồ Chí Minh", "")),
    # ... a provincial city's committee is a district's, and a district committee's site shows its province's Party
    ("Bản quyền thuộc Ban Dân vận Thành ủy Biên Hòa, tỉnh Đồng Nai", "", ("Đồng Nai", "Thành phố Biên Hòa")),
    ("ĐẢNG BỘ TỈNH THÁI NGUYÊN\nBAN DÂN VẬN HUYỆN ỦY ĐẠI TỪ", "", ("Thái Nguyên", "Huyện Đại Từ")),
    # a district name that several provinces have: the one the article names, in the site's province
    ("Bản quyền thuộc Ban Dân vận Huyện ủy Mỏ Cày Nam, tỉnh Bến Tre", "Khối dân vận huyện Châu Thành giao ban quý I.",
     ("Bến Tre", "Huyện Châu Thành")),
])
def test_the_sites_owner_decides_what_the_site_gives(site, text, where):
    from toolkit.ingest.core import site_locality
    from toolkit.places import infer_locality

    text = text or "Sáng 12/3, khối dân vận tổ chức hội nghị giao ban quý I năm 2023."
    found = site_locality(infer_locality(text), site, text=text)
    assert (found.province, found.district) == where, found.evidence
    assert found.evidence.startswith("site")


@pytest.mark.parametrize(("line", "owner"), [
    ("Cơ quan chủ quản: Ban Dân vận Tỉnh ủy Đồng Nai. Địa chỉ: 02 Nguyễn Văn Trị, TP. Biên Hòa.",
     "Cơ quan chủ quản: Ban Dân vận Tỉnh ủy Đồng Nai"),
    ("© Ban Dân vận Huyện ủy Đại Từ - Số 5 đường Hùng Vương, thị trấn Hùng Sơn", "© Ban Dân vận Huyện ủy Đại Từ"),
    ("Bản quyền thuộc Ban Dân vận Tỉnh ủy Thừa Thiên Huế, 16 Lê Lợi, TP. Huế", "Bản quyền thuộc Ban Dân vận Tỉnh "
                                                                               "ủy Thừa Thiên Huế"),
    ("Đơn vị quản lý: UBND huyện Đại Từ; Email: ubnd@daitu.gov.vn", "Đơn vị quản lý: UBND huyện Đại Từ"),
    ("Cơ quan chủ quản: Ban Dân vận Tỉnh ủy Đồng Nai. Chịu trách nhiệm chính: Nguyễn Văn An",
     "Cơ quan chủ quản: Ban Dân vận Tỉnh ủy Đồng Nai"),
    # no address: the line whole (a year is no street number; "Quận 1", "tỉnh …" are the owner's name)
    ("Copyright © 2023 Ban Dân vận Quận ủy Quận 1", "Copyright © 2023 Ban Dân vận Quận ủy Quận 1"),
    ("Bản quyền thuộc Ban Dân vận Huyện ủy Đại Từ, tỉnh Thái Nguyên",
     "Bản quyền thuộc Ban Dân vận Huyện ủy Đại Từ, tỉnh Thái Nguyên"),
])
def test_the_site_is_its_footers_owner_without_the_address(line, owner):
    from toolkit.ingest.htmlpage import parse_html

    site = parse_html(_portal_page(_PROVINCE_PLACELESS, line)).site.split("\n")
    assert owner in site
    assert owner == line or line not in site


def test_cli_writes_table_and_rejects_and_exit_codes(tmp_path):
    _write(tmp_path / "raw" / "a.txt", PAGE)
    _write(tmp_path / "raw" / "bad.txt", b"")
    runner = CliRunner()
    out, rejects = tmp_path / "docs.jsonl", tmp_path / "rejects.csv"
    result = runner.invoke(app, ["ingest", str(tmp_path / "raw"), "-o", str(out), "--rejects", str(rejects)])
    assert result.exit_code == 0, result.output
    assert len(read_documents(out)) == 1
    assert read_table(rejects)["reason"].tolist() == ["empty file"]
    result = runner.invoke(app, ["ingest", str(tmp_path / "raw" / "bad.txt"), "-o", str(tmp_path / "none.parquet")])
    assert result.exit_code == 1
    assert "no document" in result.output
    assert not (tmp_path / "none.parquet").exists()


@needs_seeds
def test_seeds_ingest_with_locality_and_dates(tmp_path):
    docs = ingest(SEEDS_DIR, n_jobs=2).set_index(pd.Index(["000", "001", "002"]))
    assert docs.loc["000", ["date", "views", "province", "district"]].tolist() == ["2016-09-29", 1250, "Hà Nội", "Quận Long Biên"]
    assert docs.loc["001", ["date", "views", "province", "district"]].tolist() == ["2023-09-21", 523, "Bắc Ninh", "Thành phố Bắc Ninh"]
    assert docs.loc["002", ["date", "views", "province", "district"]].tolist() == ["2019-08-02", 654, "Hà Nội", "Quận Long Biên"]
    assert (docs["duplicate_of"] == "").all()
    assert (docs["date_source"] == "header").all()


@needs_corpora
@pytest.mark.shared
def test_thousands_of_real_articles_from_a_table(tmp_path):
    source = CORPORA_DIR / "unc-dantri" / "unc_dantri.jsonl"
    result = ingest_files([source], fields=FieldMap(text="text", title="title", date="date", id="doc_id"), n_jobs=2)
    docs = result.documents
    assert len(docs) + len(result.rejects) >= 2600
    assert len(docs) >= 2500
    assert docs["doc_id"].is_unique
    assert set(docs["year"].dropna().unique()) <= {2019, 2020, 2021}
    assert (docs["date"].str.match(r"^\d{4}-\d{2}-\d{2}$")).mean() > 0.99
    assert (docs["body"].str.len() > 200).mean() > 0.95


def test_table_date_of_month_precision_keeps_date_empty(tmp_path):
    table = tmp_path / "rows.csv"
    table.write_text("title,text,date\nHội nghị,Ban Dân vận Huyện ủy tổ chức hội nghị triển khai công tác dân vận năm 2022.,03/2022\n",
                     encoding="utf-8")
    row = ingest_files([table]).documents.iloc[0]
    assert (row["date"], row["date_precision"], row["year"]) == ("", "month", 2022)


def test_table_rows_say_how_they_are_dated(tmp_path):
    rows = [
        {"id": "d", "title": "Giao ban khối dân vận", "date": "15/03/2021", "url": "",
         "text": "Sáng 12/3, Ban Dân vận Huyện ủy tổ chức giao ban khối dân vận quý I."},
        {"id": "u", "title": "Giao ban khối dân vận", "date": "", "url": "https://dv.example.vn/tin/2021/03/16/giao-ban.html",
         "text": "Sáng 12/3, Ban Dân vận Huyện ủy tổ chức giao ban khối dân vận quý I."},
        {"id": "r", "title": "Hội nghị tổng kết công tác dân vận năm 2019", "date": "", "url": "",
         "text": "Sáng 8/1, Ban Dân vận Huyện ủy tổ chức hội nghị tổng kết công tác dân vận năm 2019, "
                 "triển khai nhiệm vụ năm 2020.\n\nCác đại biểu đã thảo luận, đóng góp nhiều ý kiến."},
        {"id": "n", "title": "Gương sáng dân vận khéo", "date": "", "url": "",
         "text": "Ông Lộc đã vận động bà con hiến đất làm đường giao thông nông thôn."},
    ]
    table = tmp_path / "rows.jsonl"
    table.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    docs = ingest(table).set_index("doc_id")
    got = {i: (docs.loc[i, "date"], docs.loc[i, "date_source"]) for i in "durn"}
    assert got == {"d": ("2021-03-15", "table-field"), "u": ("2021-03-16", "url"),
                   "r": ("2020-01-08", "event+review-year"), "n": ("", "")}
    # A known title is the title and is not repeated in the body.
    assert docs.loc["r", "title"] == "Hội nghị tổng kết công tác dân vận năm 2019"
    assert not docs.loc["r", "body"].startswith("Hội nghị tổng kết")


def test_html_page_file_gets_markup_and_address_dates(tmp_path):
    body = ("<p>Sáng 8/1, Ban Dân vận Huyện ủy Kim Thành tổ chức hội nghị tổng kết công tác dân vận năm 2019.</p>"
            "<p>Các đại biểu đã thảo luận, đóng góp nhiều ý kiến về công tác dân vận chính quyền.</p>")
    _write(tmp_path / "a.html", '<html><head><meta property="article:published_time" content="2020-01-09T07:00:00+07:00">'
                                f"</head><body><article><h1>Hội nghị tổng kết công tác dân vận năm 2019</h1>{body}</article></body></html>")
    _write(tmp_path / "b.html", '<html><head><link rel="canonical" href="https://dv.example.vn/tin/2020/01/10/tong-ket.html">'
                                f"</head><body><article><h1>Hội nghị tổng kết công tác dân vận năm 2019</h1>{body}</article></body></html>")
    docs = ingest(tmp_path)
    assert docs[["date", "date_source"]].values.tolist() == [["2020-01-09", "markup"], ["2020-01-10", "url"]]
    assert docs["url"].tolist() == ["", "https://dv.example.vn/tin/2020/01/10/tong-ket.html"]   # its canonical link


def test_character_references_left_by_a_scraper_are_decoded(tmp_path):
    # dantri's export writes "lúc&nbsp11h", "tin&nbsptức": left alone they were the tokens nbsp11h, nbsptức
    rows = [{"id": "a", "title": "Tin&nbsptức dân vận",
             "text": "Cụ thể, lúc&nbsp11h hôm nay, Ban Dân vận và Công ty R&D, F&amp;B họp; &#272;ảng ủy dự."}]
    _write(tmp_path / "t.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    _write(tmp_path / "p.txt", "Tin hoạt động\n\nSáng 4/11, Hội Nông dân&nbspxã tổ chức hội nghị &amp; tập huấn.\n")
    docs = ingest(tmp_path).set_index("doc_id")
    table_row = docs.loc["a"]
    assert table_row["title"] == "Tin tức dân vận"
    assert "lúc 11h" in table_row["body"] and "R&D, F&B" in table_row["body"] and "Đảng ủy" in table_row["body"]
    assert "nbsp" not in " ".join(docs["body"]) and "&amp;" not in " ".join(docs["body"])


def test_many_rejects_are_logged_a_few_then_counted_by_reason(tmp_path, caplog):
    # a crawl folder rejects its listings by the hundred: a few lines, then a count per reason
    for i in range(25):
        _write(tmp_path / f"trong-{i:02d}.txt", "")
    with caplog.at_level("DEBUG", logger="toolkit"):
        result = ingest_files([tmp_path])
    assert len(result.rejects) == 25
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len([m for m in warnings if m.startswith("rejected ")]) == 10
    assert "25 rejected inputs in all (the first 10 above, every one in the rejects table): empty file (×25)" in warnings
    assert len([r for r in caplog.records if r.getMessage().startswith("rejected ")]) == 25   # the rest at debug


# --- a province-only [[source]] rule and the district the text names ------------------------------------------------

def _sources(tmp_path, *entries):
    text = "".join(f'[[source]]\nmatch = "{m}"\nprovince = "{p}"\n' + (f'district = "{d}"\n' if d else "")
                   for m, p, d in entries)
    return _write(tmp_path / "sources.toml", text)


@pytest.mark.parametrize("rule, expected", [
    # the rule gives the province, the communes of the text the district; the evidence names both
    (("pages/hn", "Hà Nội", ""), ("Hà Nội", "Huyện Đông Anh", "sources: match 'pages/hn' (province); text (district): ")),
    # the text points to another province: the rule wins, no district
    (("pages/hn", "Bắc Ninh", ""), ("Bắc Ninh", "", "sources: match 'pages/hn'")),
    # a rule naming a district wins outright
    (("pages/hn", "Hà Nội", "Sóc Sơn"), ("Hà Nội", "Huyện Sóc Sơn", "sources: match 'pages/hn'")),
])
def test_province_only_rule_keeps_the_district_the_text_names(tmp_path, rule, expected):
    _write(tmp_path / "pages" / "hn" / "a.txt", PAGE)
    doc = ingest(tmp_path / "pages", sources=_sources(tmp_path, rule)).iloc[0]
    province, district, evidence = expected
    assert (doc["province"], doc["district"]) == (province, district)
    assert doc["locality"] == (f"{district}, {province}" if district else province)
    if evidence.endswith(": "):
        assert doc["locality_evidence"].startswith(evidence) and "Kim Chung" in doc["locality_evidence"]
    else:
        assert doc["locality_evidence"] == evidence


@pytest.mark.parametrize("province", ["Bến Tre", "Tiền Giang"])
def test_a_same_named_district_settles_in_the_province_only_rules_province(tmp_path, province):
    # "Huyện ủy Châu Thành" names a district of ten provinces: alone it gives no locality, under a province-only
    # rule it is that province's Châu Thành
    page = ("Tin hoạt động\n\nĐối thoại với nhân dân về bồi thường\nNgày đăng: 12/03/2021\n\nSáng 12/3, Ban Dân "
            "vận Huyện ủy Châu Thành tổ chức hội nghị đối thoại với nhân dân về phương án bồi thường.\n")
    _write(tmp_path / "pages" / "ct" / "a.txt", page)
    assert ingest(tmp_path / "pages").iloc[0]["district"] == ""
    doc = ingest(tmp_path / "pages", sources=_sources(tmp_path, ("pages/ct", province, ""))).iloc[0]
    assert (doc["province"], doc["district"]) == (province, "Huyện Châu Thành")
    evidence = doc["locality_evidence"]
    assert evidence.startswith("sources: match 'pages/ct' (province); text (district): ") and "Châu Thành" in evidence


def test_province_only_site_rule_on_html_pages_keeps_the_inferred_district(tmp_path):
    # the README's own kind of rule (match = "*.<province>.gov.vn"), matched through the page's canonical link
    page = ('<html><head><link rel="canonical" href="https://donganh.hanoi.gov.vn/tin-tuc/so-ket-dan-van-123.html">'
            '</head><body><article><h1>Huyện ủy Đông Anh sơ kết công tác dân vận 6 tháng đầu năm 2021</h1>'
            '<p>Ngày đăng 15/07/2021</p>'
            '<p>Sáng ngày 14/7/2021, Ban Dân vận Huyện ủy tổ chức hội nghị sơ kết công tác dân vận 6 tháng đầu năm, '
            'triển khai nhiệm vụ 6 tháng cuối năm 2021.</p>'
            '<p>Khối dân vận đã phối hợp với UBND các xã Kim Chung, Đại Mạch và Võng La tuyên truyền, vận động nhân '
            'dân bàn giao mặt bằng cho các dự án trọng điểm.</p></article></body></html>')
    _write(tmp_path / "pages" / "a.html", page)
    sources = _sources(tmp_path, ("*.hanoi.gov.vn", "Hà Nội", ""))
    with_rule = ingest(tmp_path / "pages", sources=sources).iloc[0]
    without = ingest(tmp_path / "pages").iloc[0]
    assert without["district"] == "Huyện Đông Anh"
    assert (with_rule["province"], with_rule["district"]) == ("Hà Nội", "Huyện Đông Anh")
    assert with_rule["locality_evidence"].startswith("sources: match '*.hanoi.gov.vn' (province); text (district): ")


# --- saved HTML pages: the crawler's reading says what is a listing -----------------------------------------------

_CHROME = ('<div class="header"><div class="logo">HUYỆN ỦY SÓC SƠN</div></div>'
           '<ul class="menu"><li><a href="/">Trang chủ</a></li><li><a href="/gioi-thieu">Giới thiệu</a></li>'
           '<li><a href="/tin-tuc">Tin tức</a></li><li><a href="/lien-he">Liên hệ</a></li></ul>')
_LATEST = ('<div class="box-news"><h3>Tin mới nhất</h3><ul>'
           '<li><a href="/tin/41">Hội Cựu chiến binh xã Minh Trí gặp mặt hội viên mới năm 2022</a></li>'
           '<li><a href="/tin/42">Ban Dân vận Huyện ủy giao ban khối dân vận tháng 4 năm 2022</a></li>'
           '<li><a href="/tin/43">Xã Phù Linh đối thoại với nhân dân về dồn điền đổi thửa</a></li>'
           '<li><a href="/tin/44">Mặt trận xã Tân Hưng vận động quỹ vì người nghèo</a></li>'
           '</ul></div>')
_TEASER = ('<div class="item"><h2><a href="/tin/{n}">{title}</a></h2><p class="date">{date}</p>'
           '<p>{teaser}</p><p><a href="/tin/{n}">Xem tiếp...</a></p></div>')
LISTING_PAGE = ('<html><head><meta charset="utf-8"><title>Dân vận - Huyện ủy Sóc Sơn</title></head><body>' + _CHROME
                + '<div class="blog"><h2>Dân vận</h2>' + "".join(_TEASER.format(n=n, title=t, date=d, teaser=s) for n, t, d, s in [
                    (31, "Xã Minh Trí vận động nhân dân hiến đất mở rộng đường liên thôn", "Thứ Hai, 09/05/2022 - 08:15",
                     "Sáng 7/5, Ban Dân vận Đảng ủy xã Minh Trí phối hợp với Mặt trận và các đoàn thể tổ chức gặp gỡ "
                     "các hộ dân có đất nằm trong phạm vi mở rộng tuyến đường liên thôn..."),
                    (30, "Giao ban khối dân vận huyện tháng 4 năm 2022", "Thứ Sáu, 29/04/2022 - 15:40",
                     "Chiều 28/4, Ban Dân vận Huyện ủy chủ trì giao ban khối dân vận tháng 4, đánh giá kết quả "
                     "thực hiện quy chế dân chủ ở cơ sở..."),
                    (29, "Hội Nông dân xã Phù Linh tập huấn trồng rau hữu cơ", "Thứ Ba, 26/04/2022 - 09:00",
                     "Ngày 25/4, Hội Nông dân xã Phù Linh mở lớp tập huấn kỹ thuật trồng rau hữu cơ cho 70 hội viên "
                     "trên địa bàn các thôn..."),
                ]) + '<div class="pagination"><p>Trang 1 / 18</p><ul><li><a>1</a></li>'
                '<li><a href="/dan-van?start=5">2</a></li><li><a href="/dan-van?start=5">Trang sau</a></li></ul></div>'
                '</div></body></html>')
NOT_FOUND_PAGE = ('<html><head><meta charset="utf-8"><title>404 - Không tìm thấy trang | Huyện ủy Sóc Sơn</title></head><body>'
                  + _CHROME + '<div class="content"><h1>404</h1><h2>Xin lỗi, trang bạn tìm không có.</h2>'
                  '<p>Địa chỉ có thể đã đổi hoặc bài viết đã được gỡ xuống. Mời bạn kiểm tra lại đường dẫn hoặc trở về '
                  'trang chủ để xem các tin về hoạt động của Đảng bộ và nhân dân trong huyện.</p>'
                  '<p><a href="/">Về trang chủ</a></p></div>' + _LATEST + '</body></html>')
_ARTICLE_TEXT = ('<p>Sáng 12/5, Ban Dân vận Đảng ủy xã Minh Trí phối hợp với Ủy ban Mặt trận Tổ quốc xã tổ chức hội nghị '
                 'đối thoại với các hộ dân thôn Đồng Chầm về việc hiến đất mở rộng tuyến đường liên thôn. Tại hội nghị, '
                 'các hộ dân được nghe phổ biến chủ trương, phương án bồi thường và cách thức tổ chức thi công. '
                 'Nhiều ý kiến của bà con về lối đi chung, mương thoát nước đã được cán bộ xã tiếp thu, giải đáp cụ thể. '
                 'Kết thúc hội nghị, 23 hộ đã ký cam kết tự nguyện hiến đất, tháo dỡ tường rào để bàn giao mặt bằng.</p>')
#: an undated article with a box of latest news: the crawler needs a date to store an article, ingest does not
UNDATED_ARTICLE = ('<html><head><meta charset="utf-8"></head><body>' + _CHROME
                   + '<div class="detail"><h1>Xã Minh Trí đối thoại với nhân dân về hiến đất làm đường</h1>'
                   + _ARTICLE_TEXT + '</div>' + _LATEST + '</body></html>')
#: a photo story: a short lead and captions, no block of running text
PHOTO_STORY = ('<html><head><meta charset="utf-8"></head><body>' + _CHROME
               + '<div class="detail"><h1>Ảnh: Ngày hội đại đoàn kết ở thôn Đồng Chầm</h1><p>Ngày đăng: 18/11/2022</p>'
               '<p class="sapo">Ngày hội đại đoàn kết toàn dân tộc ở thôn Đồng Chầm, xã Minh Trí diễn ra vui tươi.</p>'
               '<figure><img src="/a1.jpg"><figcaption>Các đại biểu dự ngày hội</figcaption></figure>'
               '<figure><img src="/a2.jpg"><figcaption>Trao quà cho hộ nghèo trong thôn</figcaption></figure>'
               '</div></body></html>')


def test_saved_listing_and_error_pages_are_rejected_with_the_crawlers_reason(tmp_path):
    _write(tmp_path / "pages" / "dan-van.html", LISTING_PAGE)
    _write(tmp_path / "pages" / "loi-404.html", NOT_FOUND_PAGE)
    _write(tmp_path / "pages" / "luu-lai.txt", LISTING_PAGE)   # HTML saved under another extension is HTML
    _write(tmp_path / "pages" / "bai.html", ('<html><head><meta charset="utf-8"></head><body>' + _CHROME
                                             + '<div class="detail"><h1>Xã Minh Trí đối thoại với nhân dân về hiến đất '
                                             'làm đường</h1><p>Thứ Sáu, 13/05/2022 - 10:20</p>' + _ARTICLE_TEXT
                                             + '</div>' + _LATEST + '</body></html>'))
    result = ingest_files([tmp_path / "pages"])
    rejects = {r.source.rsplit("/", 1)[-1]: (r.line, r.reason) for r in result.rejects.itertuples()}
    assert set(rejects) == {"dan-van.html", "loi-404.html", "luu-lai.txt"}
    for line, reason in rejects.values():
        assert line == 0 and reason.startswith("listing page, not an article (")
    assert "pagination links" in rejects["dan-van.html"][1]
    assert [s.rsplit("/", 1)[-1] for s in result.documents["source"]] == ["bai.html"]
    assert result.documents["date"].tolist() == ["2022-05-13"]


def test_saved_listing_with_a_canonical_address_names_it(tmp_path):
    page = LISTING_PAGE.replace("</title>", '</title><link rel="canonical" href="https://socson.hanoi.gov.vn/dan-van">')
    _write(tmp_path / "dan-van.html", page)
    reason = ingest_files([tmp_path]).rejects["reason"].tolist()
    assert len(reason) == 1 and reason[0].endswith("): https://socson.hanoi.gov.vn/dan-van")


def test_saved_later_page_of_a_list_is_a_listing(tmp_path):
    # its canonical link says which page of the list it is, as the crawler reads it
    one = LISTING_PAGE.replace("</title>", '</title><link rel="canonical" href="https://socson.hanoi.gov.vn/dan-van?page=3">')
    _write(tmp_path / "trang-3.html", one)
    assert "page 3 of a paginated list" in ingest_files([tmp_path]).rejects["reason"].iat[0]


@pytest.mark.parametrize("name, page", [("khong-ngay.html", UNDATED_ARTICLE), ("anh.html", PHOTO_STORY)])
def test_saved_articles_the_crawler_would_not_call_articles_are_kept(tmp_path, name, page):
    # undated (the crawler wants a date; ingest keeps the page with an empty date) or without a block of running
    # text (a photo story): not listings, so read as before
    _write(tmp_path / name, page)
    result = ingest_files([tmp_path])
    assert result.rejects.empty
    assert len(result.documents) == 1 and "Minh Trí" in result.documents["body"].iat[0]


def test_cli_rejects_report_lists_a_saved_listing(tmp_path):
    _write(tmp_path / "raw" / "a.txt", PAGE)
    _write(tmp_path / "raw" / "dan-van.html", LISTING_PAGE)
    out, rejects = tmp_path / "docs.parquet", tmp_path / "rejects.csv"
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "raw"), "-o", str(out), "--rejects", str(rejects),
                                      "-j", "1"])
    assert result.exit_code == 0, result.output
    assert len(read_documents(out)) == 1
    table = read_table(rejects)
    assert table["source"].tolist() == [f"{tmp_path}/raw/dan-van.html"]
    assert table["reason"].str.startswith("listing page, not an article").all()
