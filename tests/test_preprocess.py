"""Document table → token table: parallel, cached, streaming; vocabulary report; CLI."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

import toolkit.cli.text  # noqa: F401  (registers the command)
from toolkit.cli import app
from toolkit.config import lexicon_dir
from toolkit.corpus import read_table, write_table
from toolkit.text.preprocess import (
    TOKEN_COLUMNS,
    TokenCache,
    iter_preprocess,
    preprocess,
    vocabulary_report,
)
from toolkit.text.segment import TokenizerConfig

BODIES = [
    "Ban Dân vận Quận ủy phối hợp Ủy ban MTTQ vận động nhân dân GPMB dự án đường vành đai.",
    "Đồng chí Nguyễn Văn Hùng - Bí thư Đảng ủy phường phát biểu về quy chế dân chủ ở cơ sở.",
    "Tổ dân vận ở tổ dân phố tuyên truyền phòng chống dịch Covid-19 và tiêm vắc xin.",
    "Gặp mặt chức sắc, chức việc các tôn giáo nhân dịp Đại lễ Phật đản năm 2023.",
    "Phong trào thi đua Dân vận khéo gắn với xây dựng nông thôn mới.",
    "Ban Dân vận Quận ủy phối hợp Ủy ban MTTQ vận động nhân dân GPMB dự án đường vành đai.",  # a repost
]


def make_docs(bodies=BODIES) -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(len(bodies))],
        "title": [f"Tin số {i}" if i in (1, 3) else "" for i in range(len(bodies))],
        "body": bodies,
    })


def test_token_table_schema_and_content():
    out = preprocess(make_docs(), n_jobs=1)
    assert tuple(out.columns) == TOKEN_COLUMNS
    assert out["doc_id"].tolist() == [f"d{i}" for i in range(len(BODIES))]
    assert out["n_tokens"].tolist() == [len(t) for t in out["tokens"]]
    assert "giải_phóng_mặt_bằng" in out["tokens"][0]
    assert out["persons"][1] == ["Nguyễn Văn Hùng"]
    assert "nguyễn_văn_hùng" not in out["tokens"][1]
    assert out["lexicon_version"].nunique() == 1
    assert out.attrs == {"n_processed": len(BODIES), "n_cached": 0}


def test_title_is_tokenized_with_the_body():
    docs = pd.DataFrame({"doc_id": ["x"], "title": ["Giải phóng mặt bằng"], "body": ["Tôn giáo."]})
    assert preprocess(docs, n_jobs=1)["tokens"][0] == ["giải_phóng_mặt_bằng", "tôn_giáo"]


def test_parallel_equals_serial():
    docs = make_docs()
    serial = preprocess(docs, n_jobs=1)
    parallel = preprocess(docs, n_jobs=2, chunk_size=4)
    pd.testing.assert_frame_equal(serial, parallel)


def test_streaming_chunks_in_order():
    docs = make_docs()
    chunks = list(iter_preprocess(docs, n_jobs=1, chunk_size=4))
    assert [len(c) for c in chunks] == [4, 2]
    assert pd.concat(chunks)["doc_id"].tolist() == docs["doc_id"].tolist()
    # an iterable of frames is read frame by frame
    frames = (docs.iloc[i:i + 3] for i in range(0, len(docs), 3))
    assert pd.concat(iter_preprocess(frames, n_jobs=1))["doc_id"].tolist() == docs["doc_id"].tolist()


def test_cache_hit_on_rerun_and_changed_document_reprocessed(tmp_path):
    docs = make_docs()
    first = preprocess(docs, n_jobs=1, cache_dir=tmp_path)
    # the repost has the same text: segmented once, cached once
    assert first.attrs == {"n_processed": len(docs), "n_cached": 0}
    assert len(TokenCache(tmp_path)) == len(docs) - 1
    again = preprocess(docs, n_jobs=1, cache_dir=tmp_path)
    assert again.attrs == {"n_processed": 0, "n_cached": len(docs)}
    pd.testing.assert_frame_equal(first, again, check_like=False)

    changed = docs.copy()
    changed.loc[2, "body"] = "Người có uy tín tham gia hòa giải ở cơ sở."
    third = preprocess(changed, n_jobs=1, cache_dir=tmp_path)
    assert third.attrs == {"n_processed": 1, "n_cached": len(docs) - 1}
    assert "hòa_giải_ở_cơ_sở" in third["tokens"][2]


def test_config_change_misses_the_cache(tmp_path):
    docs = make_docs()
    preprocess(docs, n_jobs=1, cache_dir=tmp_path)
    kept = preprocess(docs, n_jobs=1, cache_dir=tmp_path, config=TokenizerConfig(keep_numbers=True))
    assert kept.attrs["n_cached"] == 0


def test_a_change_to_the_normalizer_or_segmenter_code_invalidates_the_cache(tmp_path, monkeypatch):
    import toolkit.text.preprocess as pp

    docs = make_docs()
    preprocess(docs, n_jobs=1, cache_dir=tmp_path)
    assert pp.code_version() == pp.code_version() and len(pp.code_version()) == 16
    monkeypatch.setattr(pp, "code_version", lambda: "edited-normalizer")
    after = preprocess(docs, n_jobs=1, cache_dir=tmp_path)
    assert after.attrs["n_cached"] == 0


def test_lexicon_change_invalidates_the_cache(tmp_path):
    lex = tmp_path / "lexicons"
    shutil.copytree(lexicon_dir(), lex)
    config = TokenizerConfig(lexicon_dir=str(lex))
    docs = make_docs()
    before = preprocess(docs, n_jobs=1, cache_dir=tmp_path / "cache", config=config)
    assert "vành_đai" in before["tokens"][0]
    with open(lex / "terms.txt", "a", encoding="utf-8") as fh:
        fh.write("\n## test\nđường vành đai\n")
    after = preprocess(docs, n_jobs=1, cache_dir=tmp_path / "cache", config=config)
    assert after.attrs == {"n_processed": len(docs), "n_cached": 0}
    assert after["lexicon_version"][0] != before["lexicon_version"][0]
    assert "đường_vành_đai" in after["tokens"][0]


def test_missing_columns_fail_clearly():
    with pytest.raises(ValueError, match="body"):
        preprocess(pd.DataFrame({"doc_id": ["a"], "title": ["x"]}), n_jobs=1)


def test_empty_table():
    out = preprocess(make_docs([]), n_jobs=1)
    assert len(out) == 0 and tuple(out.columns) == TOKEN_COLUMNS


def test_vocabulary_report_shows_terms_that_did_not_survive():
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "title": ["", "", ""], "body": [
        "Ủy ban Mặt trận Tổ quốc phường vận động giải phóng mặt bằng.",
        "Mặt trận Tổ quốc tham gia giải phóng mặt bằng.",
        "Đồng chí Phó Bí thư dự hội nghị.",
    ]})
    tokens = preprocess(docs, n_jobs=1)
    report = vocabulary_report(docs, tokens).set_index("token")
    assert report.loc["giải_phóng_mặt_bằng", ["n_docs_text", "n_docs_tokens"]].tolist() == [2, 2]
    # in doc a it is inside the longer term: present as a phrase, absorbed as a token
    assert report.loc["mặt_trận_tổ_quốc", ["n_docs_text", "n_docs_tokens"]].tolist() == [2, 1]
    assert report.loc["mặt_trận_tổ_quốc", "share_kept"] == pytest.approx(0.5)
    # a title is dropped on purpose, and says so
    assert report.loc["phó_bí_thư", "stopword"] and report.loc["phó_bí_thư", "n_docs_tokens"] == 0
    assert pd.isna(report.loc["tà_đạo", "share_kept"])
    assert list(report.columns) == ["term", "n_docs_text", "n_docs_tokens", "share_kept", "stopword"]


def test_cli_writes_token_table_and_vocab_report(tmp_path):
    corpus = tmp_path / "docs.jsonl"
    write_table(make_docs(), corpus)
    out = tmp_path / "tokens.parquet"
    vocab = tmp_path / "vocab.csv"
    runner = CliRunner()
    args = ["preprocess", str(corpus), "-o", str(out), "--jobs", "1", "--cache-dir", str(tmp_path / "c"),
            "--vocab-report", str(vocab)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    table = read_table(out)
    assert table["doc_id"].tolist() == make_docs()["doc_id"].tolist()
    assert "giải_phóng_mặt_bằng" in list(table["tokens"][0])
    assert "giải_phóng_mặt_bằng" in read_table(vocab)["token"].tolist()
    again = runner.invoke(app, args)
    assert f"0 segmented, {len(BODIES)} from cache" in again.output

    jsonl = tmp_path / "tokens.jsonl"
    result = runner.invoke(app, ["preprocess", str(corpus), "-o", str(jsonl), "--jobs", "1", "--no-cache",
                                 "--keep-persons", "--keep-numbers"])
    assert result.exit_code == 0, result.output
    table = read_table(jsonl)
    assert "nguyễn_văn_hùng" in table["tokens"][1] and "2023" in table["tokens"][3]


_TDC_DEFINED = "Tổng cục Tiêu chuẩn Đo lường Chất lượng (TĐC) tổ chức hội thảo."
_TDC_USED = "Người đứng đầu Tổng cục TĐC nhấn mạnh."


@pytest.mark.parametrize(("title", "body"), [
    ("", _TDC_DEFINED + "\n" + _TDC_USED),  # defined on an earlier line
    (_TDC_DEFINED, _TDC_USED),  # defined in the title
    ("", _TDC_DEFINED + "\n\n" + _TDC_USED),  # defined a paragraph before
    ("", _TDC_USED + "\n" + _TDC_DEFINED),  # defined after the use
])
def test_an_abbreviation_the_document_defines_otherwise_is_kept_on_every_line(title, body):
    docs = pd.DataFrame({"doc_id": ["a"], "title": [title], "body": [body]})
    tokens = preprocess(docs, n_jobs=1)["tokens"][0]
    assert tokens.count("tđc") == 2
    assert "tái_định_cư" not in tokens


def test_an_abbreviation_no_document_defines_otherwise_is_expanded():
    docs = pd.DataFrame({"doc_id": ["a", "b"], "title": ["", ""],
                         "body": [_TDC_DEFINED, "Bố trí TĐC cho 40 hộ dân.\n\nBan quản lý dự án (BQL) báo cáo."]})
    tokens = preprocess(docs, n_jobs=1)["tokens"]
    assert "tđc" in tokens[0]
    assert "tái_định_cư" in tokens[1] and "tđc" not in tokens[1]
