import stat

import pandas as pd
import pytest

from toolkit.corpus import (DOC_COLUMNS, TokenTableStream, atomic_path, conform, read_documents, read_table,
                            table_suffix, write_table)
from toolkit.errors import UserError


@pytest.mark.parametrize("name", ["docs.parquet", "docs.csv", "docs.jsonl", "docs.jsonl.gz"])
def test_round_trip_keeps_vietnamese_and_nullable_ints(tmp_path, name):
    docs = conform(pd.DataFrame({
        "doc_id": ["a", "b"],
        "title": ["Hội nghị giao ban công tác dân vận", "Tọa đàm ở tổ dân phố"],
        "year": [2016, None],
        "views": [1250, None],
        "body": ["Ủy ban MTTQ phường Thượng Thanh", "ở"],
    }))
    path = write_table(docs, tmp_path / name)
    back = read_documents(path)
    assert list(back.columns) == list(DOC_COLUMNS)
    assert back["title"].tolist() == docs["title"].tolist()
    assert back["body"].tolist() == ["Ủy ban MTTQ phường Thượng Thanh", "ở"]
    assert back["year"].iloc[0] == 2016 and pd.isna(back["year"].iloc[1])
    assert pd.isna(back["views"].iloc[1])


def test_conform_adds_missing_columns_in_schema_order():
    out = conform(pd.DataFrame({"body": ["x"], "extra": [1]}))
    assert list(out.columns) == list(DOC_COLUMNS) + ["extra"]
    assert out["title"].iloc[0] == ""


def test_unknown_table_format_is_refused(tmp_path):
    from toolkit.errors import UserError

    with pytest.raises(UserError, match="unknown table format") as err:
        table_suffix(tmp_path / "docs.xlsx")
    assert err.value.path.endswith("docs.xlsx") and ".parquet" in err.value.fix
    assert table_suffix("a/b.JSONL.GZ") == ".jsonl.gz"


def test_atomic_write_leaves_old_file_on_failure(tmp_path):
    target = tmp_path / "t.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_atomic_write_gives_the_mode_of_any_new_file(tmp_path):
    # a temporary file is private (0600); the renamed output must be readable like any file the user writes
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    target = tmp_path / "t.csv"
    write_table(pd.DataFrame({"a": [1]}), target)
    assert stat.S_IMODE(target.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


def test_read_table_csv_keeps_strings(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("doc_id,year\n007,2019\n", encoding="utf-8")
    assert read_table(path)["doc_id"].iloc[0] == "007"


def test_a_csv_in_a_legacy_code_page_or_utf16_is_a_located_error(tmp_path):
    # Excel's plain "CSV" in Vietnamese settings writes cp1258 (here "Đà" is 0xd0 0xe0); its "Unicode Text" UTF-16
    legacy = tmp_path / "cp1258.csv"
    legacy.write_bytes("doc_id,title\n1,abc\n2,Đà Nẵng\n".encode("cp1258", errors="replace"))
    with pytest.raises(UserError, match=r"line 3: byte 0x.. is not UTF-8") as err:
        read_table(legacy)
    assert "CSV UTF-8" in err.value.fix and err.value.path == str(legacy)
    wide = tmp_path / "utf16.csv"
    wide.write_bytes("doc_id\tnotes\n1\tĐà Nẵng\n".encode("utf-16"))
    with pytest.raises(UserError, match="UTF-16"):
        read_table(wide)
    # a character split across the reader's 1 MiB chunks is not an error; a bad byte after it is found on its line
    long = tmp_path / "long.csv"
    head = "doc_id,title\n1,"
    data = (head + "a" * (2 ** 20 - 1 - len(head)) + "ẵ\n").encode("utf-8")   # "ẵ" is bytes 2**20 - 1 to 2**20 + 1
    assert data[2 ** 20 - 1:2 ** 20 + 2].decode("utf-8") == "ẵ"
    long.write_bytes(data + b"2,\xe3\n")
    with pytest.raises(UserError, match="line 3:"):
        read_table(long)
    long.write_bytes(data)
    assert read_table(long)["title"].iloc[0].endswith("aẵ")


def test_token_table_stream_yields_the_kept_documents_on_every_pass(tmp_path):
    path = tmp_path / "tokens.parquet"
    write_table(pd.DataFrame({"doc_id": ["a", "b", "a", "c"],
                              "tokens": [["giải_phóng_mặt_bằng"], ["chùa"], ["lặp"], ["ở", "xã"]]}), path)
    stream = TokenTableStream.open(path, {"a", "c"}, batch_size=1)
    assert stream.doc_ids == ["a", "c"]                     # the first row of a repeated id
    assert list(stream) == [["giải_phóng_mặt_bằng"], ["ở", "xã"]] == list(stream)
    with pytest.raises(UserError, match="have no row in") as err:
        TokenTableStream.open(path, {"a", "z"})
    assert "toolkit preprocess" in err.value.fix
    write_table(pd.DataFrame({"doc_id": ["a"], "body": ["x"]}), tmp_path / "docs.parquet")
    with pytest.raises(UserError, match="not a token table"):
        TokenTableStream.open(tmp_path / "docs.parquet", {"a"})


def test_a_coding_sheet_opens_in_a_spreadsheet_and_comes_back(tmp_path, caplog):
    import logging

    from toolkit.corpus import EXCEL_CELL_LIMIT, read_table, write_sheet

    sheet = pd.DataFrame({"doc_id": ["a", "b"], "title": ["Đà Nẵng", "Ủy ban"],
                          "text": ["ngắn", "x" * (EXCEL_CELL_LIMIT + 1)], "religion__coder1": ["", ""]})
    path = tmp_path / "sheet.csv"
    with caplog.at_level(logging.WARNING, logger="toolkit.corpus"):
        write_sheet(sheet, path)
    # a byte order mark, so Excel reads UTF-8 (not the legacy code page)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf" + b"doc_id,")
    back = read_table(path)
    assert back.columns.tolist() == sheet.columns.tolist() and back["title"].tolist() == ["Đà Nẵng", "Ủy ban"]
    assert len(back.loc[1, "text"]) == EXCEL_CELL_LIMIT + 1   # written whole, with a warning naming the row
    assert any("longer than 32767 characters" in r.getMessage() and "doc_id b" in r.getMessage()
               for r in caplog.records)
    # saved by Excel in a Vietnamese (or European) locale: semicolons, a BOM, CRLF
    saved = "\ufeffdoc_id;title;religion__coder1\r\na;Đà Nẵng, quận Hải Châu;1\r\nb;Ủy ban;0\r\n"
    (tmp_path / "coded.csv").write_bytes(saved.encode("utf-8"))
    coded = read_table(tmp_path / "coded.csv")
    assert coded.columns.tolist() == ["doc_id", "title", "religion__coder1"]
    assert coded["title"].tolist() == ["Đà Nẵng, quận Hải Châu", "Ủy ban"] and coded["religion__coder1"].tolist() == ["1", "0"]


def test_analysis_tables_stay_plain_utf8(tmp_path):
    from toolkit.corpus import write_table

    write_table(pd.DataFrame({"doc_id": ["a"]}), tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_bytes() == b"doc_id\na\n"
