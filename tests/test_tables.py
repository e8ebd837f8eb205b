"""Table inputs: records end where the format says, never at U+2028 & co; line numbers are the file's."""

from __future__ import annotations

import gzip
import json
import random
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from conftest import CORPORA_DIR, needs_corpora
from toolkit.ingest.core import ingest_files
from toolkit.ingest.tables import FieldMap, normalize_line_breaks, one_line

# Every character besides "\n" that str.splitlines() ends a line at and scraped text carries.
BREAKS = ["\u2028", "\u2029", "\x85", "\x0b", "\x0c"]

SENT_1 = "Ban Dân vận Huyện ủy tổ chức hội nghị giao ban công tác dân vận quý III năm 2023."
SENT_2 = "Dự hội nghị có đồng chí Phó Bí thư Thường trực Huyện ủy và lãnh đạo các xã, thị trấn."
SENT_3 = "Hội nghị thống nhất phương hướng vận động nhân dân tham gia giải phóng mặt bằng."


def _words(*texts: str) -> Counter:
    return Counter(w for t in texts for w in t.split())


def _write_jsonl(path, lines: list[str]) -> None:
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)


@pytest.mark.parametrize(("text", "expected"), [
    (f"{SENT_1}\u2028{SENT_2}", f"{SENT_1}\n{SENT_2}"),
    (f"{SENT_1}\u2029{SENT_2}", f"{SENT_1}\n\n{SENT_2}"),
    (f"{SENT_1}\x85{SENT_2}", f"{SENT_1}\n{SENT_2}"),
    (f"{SENT_1}\x0b{SENT_2}", f"{SENT_1}\n{SENT_2}"),
    (f"{SENT_1}\x0c{SENT_2}", f"{SENT_1}\n{SENT_2}"),
    (f"{SENT_1}\r\n{SENT_2}\r{SENT_3}", f"{SENT_1}\n{SENT_2}\n{SENT_3}"),
    (f"{SENT_1}\x1e{SENT_2}", f"{SENT_1}\n{SENT_2}"),
    # inside a sentence (the next word in lower case) a line break joins the parts
    ("Dự hội nghị có\u2028đồng chí Bí thư.", "Dự hội nghị có đồng chí Bí thư."),
    ("Dự hội nghị có \x0b đồng chí Bí thư.", "Dự hội nghị có đồng chí Bí thư."),
    ("vận động nhân dân\x85ủng hộ", "vận động nhân dân ủng hộ"),
    ("giải phóng mặt\x0cbằng", "giải phóng mặt bằng"),
    # a paragraph separator stays a paragraph break
    ("vận động nhân dân\u2029ủng hộ", "vận động nhân dân\n\nủng hộ"),
    ("Không có ngắt dòng.", "Không có ngắt dòng."),
])
def test_normalize_line_breaks(text, expected):
    assert normalize_line_breaks(text) == expected


@pytest.mark.parametrize("brk", BREAKS + ["\n", "\r\n"])
def test_one_line_title(brk):
    assert one_line(f"Giao ban công tác dân vận {brk} quý III") == "Giao ban công tác dân vận quý III"


@pytest.mark.parametrize("name", ["rows.jsonl", "rows.jsonl.gz"])
def test_jsonl_fields_with_unicode_line_breaks_keep_every_row(tmp_path, name):
    rows = [{"id": f"r{i}", "title": f"Giao ban{brk}quý {i}", "text": f"{SENT_1}{brk}{SENT_2}{brk}{SENT_3}",
             "note": f"a{brk}b"} for i, brk in enumerate(BREAKS)]
    # Raw characters on the line (json.dumps would escape \x0b and \x0c; scrapers often do not).
    lines = [json.dumps(r, ensure_ascii=False).replace("\\u000b", "\x0b").replace("\\f", "\x0c") for r in rows]
    assert all(brk in line for line, brk in zip(lines, BREAKS))
    _write_jsonl(tmp_path / name, lines)
    result = ingest_files([tmp_path / name])
    docs = result.documents
    assert result.rejects.empty, result.rejects.to_dict("records")
    assert docs["doc_id"].tolist() == [f"r{i}" for i in range(len(BREAKS))]
    assert docs["source"].tolist() == [f"{tmp_path / name}#{i + 1}" for i in range(len(BREAKS))]
    assert docs["title"].tolist() == [f"Giao ban quý {i}" for i in range(len(BREAKS))]
    for body in docs["body"]:
        assert _words(body) == _words(SENT_1, SENT_2, SENT_3)
        assert not any(brk in body for brk in BREAKS)


def test_jsonl_invalid_record_is_rejected_with_its_physical_line(tmp_path):
    good = [json.dumps({"id": f"r{i}", "text": f"{SENT_1}\u2028{SENT_2}\u2029{SENT_3}\x85{SENT_1}"}, ensure_ascii=False)
            for i in range(4)]
    lines = [good[0], good[1], "", '{"id": "bad", "text": "Hội nghị\u2028giao ban', good[2], "\r", good[3]]
    _write_jsonl(tmp_path / "rows.jsonl", lines)
    result = ingest_files([tmp_path / "rows.jsonl"])
    assert result.rejects["line"].tolist() == [4]
    assert "invalid JSON" in result.rejects["reason"].iloc[0]
    assert result.documents["doc_id"].tolist() == ["r0", "r1", "r2", "r3"]
    assert [s.rsplit("#", 1)[1] for s in result.documents["source"]] == ["1", "2", "5", "7"]


def test_jsonl_with_bom_and_crlf_line_ends(tmp_path):
    lines = [json.dumps({"id": f"r{i}", "text": f"{SENT_1}\u2028{SENT_2}"}, ensure_ascii=False) for i in range(3)]
    (tmp_path / "rows.jsonl").write_bytes(b"\xef\xbb\xbf" + "".join(line + "\r\n" for line in lines).encode("utf-8"))
    result = ingest_files([tmp_path / "rows.jsonl"])
    assert result.rejects.empty, result.rejects.to_dict("records")
    assert result.documents["doc_id"].tolist() == ["r0", "r1", "r2"]
    assert result.documents["body"].tolist() == [f"{SENT_1}\n\n{SENT_2}"] * 3


def test_csv_quoted_fields_with_line_breaks_keep_rows_and_line_numbers(tmp_path):
    header = "id,title,text\r\n"
    records = [f'c{i},"Giao ban{brk}quý {i}","{SENT_1}{brk}{SENT_2}\r\n{SENT_3}"\r\n' for i, brk in enumerate(BREAKS)]
    bad = 'x1,"thiếu","một","cột thừa"\r\n'
    text = header + records[0] + records[1] + bad + "".join(records[2:]) + f"c9,Không ngắt,{SENT_1}\u2028{SENT_3}\r\n"
    (tmp_path / "rows.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = ingest_files([tmp_path / "rows.csv"])
    docs = result.documents
    # each quoted record spans two physical lines (the embedded \r\n)
    assert result.rejects[["line"]].values.ravel().tolist() == [6]
    assert "4 fields where the header has 3" in result.rejects["reason"].iloc[0]
    assert docs["doc_id"].tolist() == [f"c{i}" for i in range(len(BREAKS))] + ["c9"]
    assert [int(s.rsplit("#", 1)[1]) for s in docs["source"]] == [2, 4, 7, 9, 11, 13]
    assert docs["title"].tolist()[:len(BREAKS)] == [f"Giao ban quý {i}" for i in range(len(BREAKS))]
    for body in docs["body"].iloc[:len(BREAKS)]:
        assert _words(body) == _words(SENT_1, SENT_2, SENT_3)
        assert not any(brk in body for brk in BREAKS)
    assert _words(docs["body"].iloc[-1]) == _words(SENT_1, SENT_3)


OPENING = "Xã Tân Lập tổ chức hội nghị đối thoại với nhân dân năm 2023"


def test_table_text_line_taken_for_a_headline_is_kept(tmp_path):
    # The parser takes the short first line for a headline; the table's title wins, the line stays text.
    row = {"id": "r1", "title": "Giao ban công tác dân vận quý III",
           "text": f"{OPENING}\u2029{SENT_2}\n{SENT_3}"}
    _write_jsonl(tmp_path / "rows.jsonl", [json.dumps(row, ensure_ascii=False)])
    doc = ingest_files([tmp_path / "rows.jsonl"]).documents.iloc[0]
    assert doc["title"] == row["title"]
    assert _words(doc["body"], doc["captions"], doc["author"]) == _words(OPENING, SENT_2, SENT_3)


@needs_corpora
@pytest.mark.shared
def test_real_news_table_with_unicode_line_separators_loses_no_row(tmp_path):
    lines = (CORPORA_DIR / "unc-dantri" / "unc_dantri.jsonl").read_text(encoding="utf-8").split("\n")
    rows = [json.loads(line) for line in lines[::12] if line.strip()]  # every category, a test-sized table
    source = tmp_path / "original.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    rng = random.Random(0)
    changed = []
    for i, row in enumerate(rows):
        # Sentence breaks as scrapers leave them, and a few breaks inside sentences before lower-case words.
        text = row["text"].replace("\n", BREAKS[i % len(BREAKS)])
        words = text.split(" ")
        for k in rng.sample(range(1, len(words)), min(3, len(words) - 1)):
            if words[k][:1].islower():
                words[k] = BREAKS[(i + k) % len(BREAKS)].replace("\u2029", "\u2028") + words[k]
        changed.append({**row, "text": " ".join(words)})
    table = tmp_path / "separators.jsonl"
    table.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in changed), encoding="utf-8")
    assert sum(any(b in r["text"] for b in BREAKS) for r in changed) == len(rows)

    fields = FieldMap(text="text", title="title", date="date", id="doc_id")
    original = ingest_files([source], fields=fields)
    result = ingest_files([table], fields=fields)
    assert len(result.documents) == len(original.documents) >= 200
    assert result.rejects["line"].tolist() == original.rejects["line"].tolist()
    before = original.documents.set_index("doc_id")
    after = result.documents.set_index("doc_id")
    assert sorted(after.index) == sorted(before.index)
    assert (after["source"].str.rsplit("#", n=1).str[1] == before.loc[after.index, "source"].str.rsplit("#", n=1).str[1]).all()
    columns = ["title", "body", "captions", "author"]
    lost = {d: _words(*before.loc[d, columns]) - _words(*after.loc[d, columns]) for d in before.index}
    assert {d: w for d, w in lost.items() if w} == {}
    assert not after["body"].str.contains("[\u2028\u2029\x85\x0b\x0c]").any()


def test_a_tables_own_province_and_district_columns_give_the_locality(tmp_path):
    import pandas as pd

    path = tmp_path / "mine.csv"
    pd.DataFrame({
        "title": ["Hội nghị giao ban công tác dân vận", "Tọa đàm về dân vận khéo", "Gặp mặt chức sắc"],
        "text": ["Sáng 8/1, Ban Dân vận Huyện ủy tổ chức hội nghị giao ban ở xã Uy Nỗ, huyện Đông Anh."] * 3,
        "province": ["Bến Tre", "tỉnh Tiền Giang", "Không Có Tỉnh Này"],
        "district": ["Châu Thành", "huyện Châu Thành", ""],
    }).to_csv(path, index=False)
    docs = ingest_files([path], n_jobs=1).documents
    docs = docs.sort_values("source").reset_index(drop=True)
    assert docs.loc[0, "locality"] == "Huyện Châu Thành, Bến Tre"
    assert docs.loc[1, "locality"] == "Huyện Châu Thành, Tiền Giang"
    assert docs.loc[0, "locality_evidence"] == "table columns province/district"
    # an unknown province is not invented: the text decides (it names Đông Anh, Hà Nội)
    assert docs.loc[2, "district"] == "Huyện Đông Anh"


# --- tables are decoded line by line: any size, legacy encodings, located errors -----------------------------

def _rows(n: int = 3) -> list[dict]:
    return [{"id": f"r{i}", "title": f"Giao ban quý {i}", "text": f"{SENT_1} {SENT_2}\n{SENT_3}"} for i in range(n)]


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "cp1258", "tcvn3-in-unicode"])
@pytest.mark.parametrize("name", ["rows.jsonl", "rows.csv"])
def test_legacy_encoded_table_reads_like_unicode_row_by_row(tmp_path, encoding, name):
    import pandas as pd

    from toolkit.ingest.encoding import encode_text

    def write(path, frame):
        if path.suffix == ".csv":
            return frame.to_csv(index=False)
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in frame.to_dict("records"))

    frame = pd.DataFrame(_rows())
    (tmp_path / "u").mkdir()
    (tmp_path / "l").mkdir()
    (tmp_path / "u" / name).write_text(write(Path(name), frame), encoding="utf-8")
    (tmp_path / "l" / name).write_bytes(encode_text(write(Path(name), frame), encoding))
    unicode_docs = ingest_files([tmp_path / "u" / name]).documents
    legacy = ingest_files([tmp_path / "l" / name])
    assert legacy.rejects.empty, legacy.rejects.to_dict("records")
    assert set(legacy.documents["encoding"]) == {encoding}
    for column in ("doc_id", "title", "body", "district"):
        assert legacy.documents[column].tolist() == unicode_docs[column].tolist()


def test_no_decoding_sees_more_than_one_line_of_a_table(tmp_path, monkeypatch):
    """A table of any size is decoded, and repaired, one line at a time (memory of one row)."""
    import toolkit.ingest.tables as tables

    seen = []
    real = tables.decode_bytes
    monkeypatch.setattr(tables, "decode_bytes", lambda data: seen.append(data) or real(data))
    rows = _rows(50)
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    # NFD text takes the repairing path of the decoder
    (tmp_path / "rows.jsonl").write_bytes("".join(unicodedata.normalize("NFD", line) + "\n" for line in lines).encode())
    result = ingest_files([tmp_path / "rows.jsonl"])
    assert len(result.documents) == 50
    assert set(result.documents["encoding"]) == {"utf-8-nfd"}
    assert len(seen) == 50 and all(b"\n" not in data for data in seen)
    assert result.documents["title"].tolist() == [r["title"] for r in rows]


def test_an_undecodable_line_rejects_its_row_not_the_table(tmp_path):
    lines = [json.dumps(r, ensure_ascii=False).encode() for r in _rows(3)]
    garbage = bytes(i for i in range(1, 256) if i != 10) * 2  # control and high bytes: text in no encoding
    (tmp_path / "rows.jsonl").write_bytes(b"\n".join([lines[0], garbage, lines[1], lines[2]]) + b"\n")
    result = ingest_files([tmp_path / "rows.jsonl"])
    assert result.documents["doc_id"].tolist() == ["r0", "r1", "r2"]
    assert result.rejects["line"].tolist() == [2]
    assert "binary" in result.rejects["reason"].iloc[0]

    csv_lines = ["id,text", f'c0,"{SENT_1}"', f'c1,"{SENT_2}', f'{SENT_3}"', f'c2,"{SENT_3}"']
    data = [line.encode() for line in csv_lines]
    # the second line of a quoted record; without bytes that are CSV syntax (a quote or "\r" would change the rows)
    data[3] = bytes(b for b in garbage if b not in b'"\r') + data[3]
    (tmp_path / "rows.csv").write_bytes(b"\n".join(data) + b"\n")
    result = ingest_files([tmp_path / "rows.csv"])
    assert result.documents["doc_id"].tolist() == ["c0", "c2"]
    assert result.rejects["line"].tolist() == [3]
    assert result.rejects["reason"].iloc[0].startswith("line 4: binary")


def test_a_gzip_table_cut_short_keeps_its_rows_and_says_where(tmp_path):
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _rows(400)).encode()
    packed = gzip.compress(data, mtime=0)
    (tmp_path / "cut.jsonl.gz").write_bytes(packed[: len(packed) * 2 // 3])
    result = ingest_files([tmp_path / "cut.jsonl.gz"])
    assert 0 < len(result.documents) < 400
    assert len(result.rejects) == 1
    assert "corrupt gzip" in result.rejects["reason"].iloc[0]
    assert result.rejects["line"].iloc[0] > len(result.documents)
    (tmp_path / "not.jsonl.gz").write_bytes(data)
    result = ingest_files([tmp_path / "not.jsonl.gz"])
    assert result.documents.empty and "corrupt gzip" in result.rejects["reason"].iloc[0]
    assert result.rejects["line"].tolist() == [0]


def test_utf16_and_empty_tables(tmp_path):
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _rows(3))
    (tmp_path / "u16.jsonl").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "blank.csv").write_bytes(b"\n\n  \n")
    result = ingest_files([tmp_path])
    assert result.documents["doc_id"].tolist() == ["r0", "r1", "r2"]
    assert set(result.documents["encoding"]) == {"utf-16"}
    reasons = {Path(r.source).name: r.reason for r in result.rejects.itertuples()}
    assert reasons == {"empty.jsonl": "empty file", "blank.csv": "table has no rows"}


# --- CSV field separators: Excel writes ";" where the decimal mark is a comma (vi_VN) ---------------------------

SEP_ROWS = [
    ("Giao ban công tác dân vận quý III", f"{SENT_1} {SENT_2}", "15/09/2023"),
    # the other separators inside a quoted field stay text
    ("Hội nghị Ban Chấp hành Đảng bộ huyện; lần thứ 12", "Hội nghị bàn 3 nội dung: kinh tế; quốc phòng, an ninh; "
     "xây dựng Đảng | chính quyền. Tỷ lệ thu ngân sách đạt 102,5% dự toán.", "03/10/2023"),
    ("Ra mắt mô hình \"Dân vận khéo\" ở xã Quân Chu", f"{SENT_3}\t{SENT_2}", "20/10/2023"),
]


def _delimited(rows, delimiter: str, header=("title", "text", "date")) -> str:
    import csv as _csv
    import io as _io

    out = _io.StringIO()
    writer = _csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1258"])
def test_csv_separated_by_semicolons_tabs_or_bars_reads_like_commas(tmp_path, delimiter, encoding):
    from toolkit.ingest.encoding import encode_text

    text = _delimited(SEP_ROWS, delimiter)
    path = tmp_path / "bai_viet.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode() if encoding == "utf-8-sig" else encode_text(text, encoding))
    result = ingest_files([path])
    assert result.rejects.empty, result.rejects.to_dict("records")
    docs = result.documents
    assert docs["title"].tolist() == [r[0] for r in SEP_ROWS]
    assert docs["date"].tolist() == ["2023-09-15", "2023-10-03", "2023-10-20"]
    assert "102,5% dự toán" in docs["body"].iloc[1] and "kinh tế; quốc phòng" in docs["body"].iloc[1]


def test_semicolon_csv_with_a_row_of_the_wrong_length_rejects_that_row(tmp_path):
    lines = _delimited(SEP_ROWS, ";").split("\r\n")
    lines.insert(2, 'Thiếu một cột;"Hội nghị sơ kết 6 tháng đầu năm, triển khai nhiệm vụ 6 tháng cuối năm"')
    (tmp_path / "t.csv").write_text("\r\n".join(lines), encoding="utf-8")
    result = ingest_files([tmp_path / "t.csv"])
    assert result.rejects[["line", "reason"]].values.tolist() == [[3, "2 fields where the header has 3"]]
    assert len(result.documents) == len(SEP_ROWS)


def test_named_columns_of_a_semicolon_csv_are_its_header_cells(tmp_path):
    from toolkit.ingest.tables import check_named_columns, table_columns

    text = _delimited(SEP_ROWS, ";", header=("tieu_de", "noi_dung", "ngay"))
    (tmp_path / "t.csv").write_text(text, encoding="utf-8-sig")
    assert table_columns(tmp_path / "t.csv") == ["tieu_de", "noi_dung", "ngay"]
    check_named_columns([(tmp_path / "t.csv", "t.csv")], FieldMap(text="noi_dung", date="ngay"))  # no error


def test_the_detected_separator_is_logged_at_debug(tmp_path, caplog):
    (tmp_path / "t.csv").write_text(_delimited(SEP_ROWS, ";"), encoding="utf-8")
    with caplog.at_level("DEBUG", logger="toolkit"):
        ingest_files([tmp_path / "t.csv"])
    assert any("t.csv" in r.getMessage() and "semicolons" in r.getMessage()
               for r in caplog.records if r.levelname == "DEBUG")


@pytest.mark.parametrize(("sample", "expected"), [
    ('title,text\r\nGiao ban,"Bàn 3 nội dung; kinh tế; quốc phòng"\r\n', ","),
    ('title;text\r\nGiao ban;"Thu ngân sách đạt 102,5%, vượt dự toán"\r\n', ";"),
    ("title\ttext\r\nGiao ban\tThu ngân sách đạt 102,5%, vượt; dự toán\r\n", "\t"),
    ("title|text|date\nGiao ban|Hội nghị, tọa đàm; gặp mặt|2023\n", "|"),
    # one column: nothing to separate, the comma of a CSV
    ("text\nHội nghị giao ban; tọa đàm\nGặp mặt chức sắc; tôn giáo\n", ","),
    # a header only
    ("tieu_de;noi_dung;ngay\r\n", ";"),
    # a header cell with a comma; the rows say semicolons
    ('Ngày, giờ;Nội dung\n8/1/2023, 8:00;"Hội nghị, tọa đàm"\n9/1/2023, 14:00;Gặp mặt\n', ";"),
    ("", ","),
])
def test_sniff_delimiter(sample, expected):
    from toolkit.ingest.tables import sniff_delimiter

    assert sniff_delimiter(sample) == expected


def test_sniff_delimiter_ignores_a_last_row_cut_short():
    from toolkit.ingest.tables import sniff_delimiter

    sample = 'title;text\nGiao ban;"Bàn nội dung"\nĐối thoại;"Hội nghị, tọa đàm, gặp'
    assert sniff_delimiter(sample, complete=False) == ";"


# --- Excel's "Unicode Text" export: UTF-16, tab-separated, a header row, saved as .txt ---------------------------

UTXT_HEADER = ("Tiêu đề", "Nội dung", "Ngày đăng")
UTXT_ROWS = [
    ("Hội nghị giao ban công tác dân vận quý III", f"{SENT_1} {SENT_2}", "15/09/2023"),
    # Excel quotes a cell holding a quote (doubled) or a line break
    ('Ra mắt mô hình "Dân vận khéo" ở xã Quân Chu', f"{SENT_3}\n{SENT_2}", "20/10/2023"),
    ("Đảng bộ huyện sơ kết 6 tháng đầu năm", f"Hội nghị đánh giá kết quả 6 tháng đầu năm, tỷ lệ đạt 95,5%. {SENT_2}",
     "12/07/2023"),
]


def _excel_unicode_text(rows=UTXT_ROWS, header=UTXT_HEADER) -> bytes:
    def cell(value: str) -> str:
        return f'"{value.replace(chr(34), 2 * chr(34))}"' if any(c in value for c in '"\n\t') else value

    lines = ["\t".join(cell(v) for v in row) for row in [header, *rows]]
    return b"\xff\xfe" + "".join(line + "\r\n" for line in lines).encode("utf-16-le")


@pytest.mark.parametrize(("text", "expected"), [
    ("Tiêu đề\tNội dung\tNgày đăng\nGiao ban\tHội nghị giao ban quý III.\t15/09/2023\n"
     "Đối thoại\tỦy ban xã đối thoại với nhân dân.\t20/10/2023\n", True),
    ("title\ttext\nGiao ban\tHội nghị giao ban quý III.\n", True),
    # a text page: headline, then prose, one line with a tab
    ("Hội nghị giao ban công tác dân vận quý III\n\n" + SENT_1 + "\n\tDự hội nghị có đồng chí Bí thư.\n" + SENT_3, False),
    # a first line of menu items, then the article
    ("Trang chủ\tTin tức\tSự kiện\n" + SENT_1 + "\n" + SENT_2 + "\n" + SENT_3 + "\n", False),
    # a page that opens with a two-cell line of text
    (SENT_1 + "\t" + SENT_2 + "\n" + SENT_3 + "\t" + SENT_1 + "\n", False),
    # one column
    ("Tiêu đề\nGiao ban\nĐối thoại\n", False),
    # a header and nothing under it
    ("Tiêu đề\tNội dung\n", False),
    # an empty header cell
    ("Tiêu đề\t\tNgày\nGiao ban\tHội nghị.\t2023\n", False),
])
def test_looks_like_tab_table(text, expected):
    from toolkit.ingest.tables import looks_like_tab_table

    assert looks_like_tab_table(text) is expected


def test_excel_unicode_text_is_a_table_and_reads_row_by_row(tmp_path):
    from toolkit.ingest.tables import is_tab_table, iter_table_rows, table_columns

    path = tmp_path / "bai_viet.txt"
    path.write_bytes(_excel_unicode_text())
    assert is_tab_table(path)
    assert table_columns(path) == list(UTXT_HEADER)
    rows = list(iter_table_rows(path))
    assert [r.line for r in rows] == [2, 3, 5]  # the second record spans two lines (its cell's line break)
    assert [r.record["Tiêu đề"] for r in rows] == [r[0] for r in UTXT_ROWS]
    assert [r.record["Nội dung"] for r in rows] == [r[1] for r in UTXT_ROWS]
    assert {r.encoding for r in rows} == {"utf-16"}


@pytest.mark.parametrize("name", ["bai_viet.txt", "bai_viet.tsv"])
def test_excel_text_tab_delimited_in_utf8_or_cp1258_is_a_table(tmp_path, name):
    from toolkit.ingest.encoding import encode_text
    from toolkit.ingest.tables import is_tab_table, iter_table_rows

    text = _excel_unicode_text()[2:].decode("utf-16-le")
    for encoding, data in [("utf-8", text.encode()), ("cp1258", encode_text(text, "cp1258"))]:
        path = tmp_path / encoding / name
        path.parent.mkdir()
        path.write_bytes(data)
        assert is_tab_table(path), encoding
        assert [r.record["Tiêu đề"] for r in iter_table_rows(path)] == [r[0] for r in UTXT_ROWS]


def test_text_pages_are_not_tab_tables(tmp_path):
    from toolkit.ingest.tables import is_tab_table

    page = f"Hội nghị giao ban công tác dân vận quý III\n\n{SENT_1}\t{SENT_2}\n{SENT_3}\n"
    (tmp_path / "trang.txt").write_bytes(b"\xff\xfe" + page.encode("utf-16-le"))
    (tmp_path / "menu.txt").write_text("Trang chủ\tGiới thiệu\tTin tức\n" + page, encoding="utf-8")
    (tmp_path / "bang.html").write_bytes(_excel_unicode_text())  # a table, but not a text file's extension
    (tmp_path / "rong.txt").write_bytes(b"")
    assert [p.name for p in sorted(tmp_path.iterdir()) if is_tab_table(p)] == []


def test_ingest_reads_an_excel_unicode_text_export_as_a_table(tmp_path):
    (tmp_path / "bai_viet.txt").write_bytes(_excel_unicode_text())
    result = ingest_files([tmp_path], fields=FieldMap(text="Nội dung", title="Tiêu đề", date="Ngày đăng"))
    assert result.rejects.empty, result.rejects.to_dict("records")
    docs = result.documents
    assert docs["title"].tolist() == [r[0] for r in UTXT_ROWS]
    assert docs["date"].tolist() == ["2023-09-15", "2023-10-20", "2023-07-12"]
    assert [s.rsplit("#", 1)[1] for s in docs["source"]] == ["2", "3", "5"]
