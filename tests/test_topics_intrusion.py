"""Word- and topic-intrusion sheets and their scoring (``toolkit.topics.intrusion``)."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest

from toolkit.topics.intrusion import score_intrusion, sheet_task, topic_intrusion_sheet, word_intrusion_sheet
from toolkit.topics.lda import LdaResult

THEMES = {
    "giải_phóng_mặt_bằng": ["giải_phóng_mặt_bằng", "bồi_thường", "tái_định_cư", "khiếu_nại", "đất_đai",
                            "thu_hồi", "hỗ_trợ", "đối_thoại"],
    "nông_thôn_mới": ["nông_thôn_mới", "tiêu_chí", "đường_giao_thông", "hộ_nghèo", "thu_nhập", "mô_hình",
                      "hội_nông_dân", "sản_xuất"],
    "tôn_giáo": ["tôn_giáo", "đồng_bào", "giáo_xứ", "chức_sắc", "tín_ngưỡng", "lễ_hội", "đoàn_kết", "chùa"],
    "dân_vận_khéo": ["dân_vận_khéo", "phong_trào", "thi_đua", "điển_hình", "khen_thưởng", "gương",
                     "tuyên_dương", "cá_nhân"],
    "an_ninh": ["an_ninh", "trật_tự", "công_an", "tội_phạm", "tuần_tra", "camera", "tố_giác", "ma_túy"],
}


def _result(n_docs: int = 30, seed: int = 0) -> LdaResult:
    """A model with 5 known topics over a sorted Vietnamese vocabulary (each topic owns 8 words)."""
    rng = np.random.default_rng(seed)
    vocabulary = sorted({w for words in THEMES.values() for w in words})
    beta = np.full((len(THEMES), len(vocabulary)), 1e-4)
    for k, words in enumerate(THEMES.values()):
        for r, w in enumerate(words):
            beta[k, vocabulary.index(w)] = 1.0 / (r + 1)
    result = LdaResult(n_topics=len(THEMES), engine="gensim", random_state=0)
    result.topic_word_ = beta / beta.sum(axis=1, keepdims=True)
    result.vocabulary_ = vocabulary
    result.topic_labels_ = list(THEMES)
    result.doc_topic_ = rng.dirichlet(np.full(len(THEMES), 0.5), size=n_docs)
    result.doc_ids = [f"bai-{i:02d}" for i in range(n_docs)]
    return result


def _documents(ids) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": list(ids),
                         "title": [f"Hội nghị dân vận số {i}" for i in range(len(ids))],
                         "body": ["Sáng nay, Ban Dân vận Huyện ủy tổ chức hội nghị triển khai công tác dân vận "
                                  "năm 2024 với sự tham dự của đại diện Ủy ban Mặt trận Tổ quốc"] * len(ids)})


@pytest.mark.parametrize("n", [1, 5, 12, 20])
def test_word_sheet_is_well_formed(n):
    result = _result()
    made = word_intrusion_sheet(result, n=n, random_state=0)
    sheet, key = made.sheet, made.key
    assert len(sheet) == len(key) == n
    assert list(sheet.columns) == ["item_id"] + [f"word_{i}" for i in range(1, 7)] + ["choice"]
    assert sheet["item_id"].is_unique and (sheet["item_id"] == key["item_id"]).all()
    assert (sheet["choice"] == "").all()
    assert not {"intruder", "intruder_position", "topic"} & set(sheet.columns)  # the answer is not on the sheet
    for row, answer in zip(sheet.itertuples(index=False), key.itertuples(index=False), strict=True):
        words = list(row[1:7])
        assert len(set(words)) == 6
        assert words[answer.intruder_position - 1] == answer.intruder
        assert set(words) - {answer.intruder} <= set(_top_words(result, answer.topic, 10))
        assert all(unicodedata.is_normalized("NFC", w) for w in words)
    for topic, sets in _shown_sets(made).items():  # one question on each topic shows its 5 most probable words
        assert frozenset(_top_words(result, topic, 5)) in sets, topic


def _top_words(result, topic: int, n: int) -> list[str]:
    order = np.argsort(-result.topic_word_[topic], kind="stable")
    return [result.vocabulary_[w] for w in order[:n]]


def _shown_sets(made) -> dict[int, list[frozenset]]:
    """Per topic, the sets of top words its questions show (the intruder left out), in item order."""
    shown: dict[int, list[frozenset]] = {}
    for row, answer in zip(made.sheet.itertuples(index=False), made.key.itertuples(index=False), strict=True):
        words = frozenset(row[1:-1]) - {answer.intruder}
        shown.setdefault(answer.topic, []).append(words)
    return shown


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n", [10, 15, 20, 40])
def test_repeated_questions_on_a_topic_show_different_top_words(n, seed):
    # a coder comparing two rows of one topic must not find the intruder as the only word that changes
    result = _result()
    made = word_intrusion_sheet(result, n=n, random_state=seed)
    for topic, sets in _shown_sets(made).items():
        assert len(set(sets)) == len(sets), (topic, sets)
        top10 = set(_top_words(result, topic, 10))
        assert all(len(s) == 5 and s <= top10 for s in sets)
        if len(sets) >= 2:  # another question shares none of the top 5 (the pool of 10 holds two such sets)
            top5 = frozenset(_top_words(result, topic, 5))
            assert any(not s & top5 for s in sets), (topic, sets)


def test_too_few_top_words_for_distinct_questions_is_a_warning(caplog):
    import logging

    with caplog.at_level(logging.WARNING, logger="toolkit.topics"):
        made = word_intrusion_sheet(_result(), n=10, n_top=5, random_state=0)
    assert any("some questions show the same words" in r.getMessage() for r in caplog.records)
    assert len(made.sheet) == 10
    with pytest.raises(ValueError, match="n_top=4 is below n_words=5"):
        word_intrusion_sheet(_result(), n=10, n_top=4, random_state=0)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_intruder_is_never_among_the_topics_top_words(seed):
    result = _result()
    key = word_intrusion_sheet(result, n=25, random_state=seed).key
    for answer in key.itertuples(index=False):
        assert answer.intruder not in THEMES[answer.label]  # not even among its 8 strongest words
        assert answer.intruder in THEMES[list(THEMES)[answer.intruder_topic]][:10]
        assert answer.intruder_topic != answer.topic


def test_questions_spread_evenly_over_topics():
    key = word_intrusion_sheet(_result(), n=12, random_state=0).key
    counts = key["topic"].value_counts()
    assert set(counts.index) == set(range(5)) and counts.max() - counts.min() <= 1


@pytest.mark.parametrize("make", [
    lambda r, s: word_intrusion_sheet(r, n=10, random_state=s),
    lambda r, s: topic_intrusion_sheet(r, _documents(r.doc_ids), n=10, random_state=s),
])
def test_sheets_are_deterministic_for_a_seed(make):
    result = _result()
    a, b, c = make(result, 0), make(result, 0), make(result, 1)
    pd.testing.assert_frame_equal(a.sheet, b.sheet)
    pd.testing.assert_frame_equal(a.key, b.key)
    assert not a.sheet.equals(c.sheet)


def test_topic_sheet_is_well_formed():
    result = _result()
    made = topic_intrusion_sheet(result, _documents(result.doc_ids[::-1]), n=15, random_state=0)
    sheet, key = made.sheet, made.key
    assert len(sheet) == 15 and sheet["doc_id"].is_unique
    assert list(sheet.columns) == ["item_id", "doc_id", "title", "snippet", "topic_1", "topic_2", "topic_3",
                                   "topic_4", "choice"]
    assert sheet_task(sheet) == "topic"
    for row, answer in zip(sheet.itertuples(index=False), key.itertuples(index=False), strict=True):
        d = result.doc_ids.index(row.doc_id)
        ranked = np.argsort(-result.doc_topic_[d], kind="stable")
        shown = [answer.option_1, answer.option_2, answer.option_3, answer.option_4]
        assert shown[answer.intruder_position - 1] == answer.intruder_topic
        assert answer.intruder_topic not in ranked[:3]
        assert sorted(k for k in shown if k != answer.intruder_topic) == sorted(ranked[:3].tolist())
        assert row.topic_1 == " ".join(_top_words(result, answer.option_1, 8))  # words only, no label
        assert row.title.startswith("Hội nghị") and row.snippet.startswith("Sáng nay")


def test_topic_sheet_options_show_no_label_and_the_key_keeps_them():
    # a seeded theme's name beside its words tells the coder what the topic is meant to be (Chang et al. show words)
    result = _result()
    result.topic_labels_ = ["site_clearance", "new_countryside", "religion", "mass_mobilization", "public_security"]
    made = topic_intrusion_sheet(result, _documents(result.doc_ids), n=15, random_state=0)
    options = made.sheet[[f"topic_{j}" for j in range(1, 5)]].to_numpy().ravel()
    assert not [o for o in options if any(label in o for label in result.topic_labels_) or ":" in o]
    assert set(made.key["label"]) <= set(result.topic_labels_)
    sheet = made.sheet.copy()  # a coder may answer with the option's text
    sheet["choice"] = [row[f"topic_{key.intruder_position}"] for row, key in
                       zip(made.sheet.to_dict("records"), made.key.itertuples(index=False), strict=True)]
    assert (score_intrusion(sheet, made.key)["precision"] == 1.0).all()


def test_topic_sheet_draws_only_documents_with_text():
    result = _result()
    documents = _documents(result.doc_ids[:4])
    made = topic_intrusion_sheet(result, documents, n=10, random_state=0)
    assert sorted(made.sheet["doc_id"]) == result.doc_ids[:4]


def _fill(made, answer) -> pd.DataFrame:
    sheet = made.sheet.copy()
    sheet["choice"] = [answer(row, key) for row, key in zip(sheet.itertuples(index=False),
                                                            made.key.itertuples(index=False), strict=True)]
    return sheet


def test_a_perfect_coder_scores_one_and_zero_log_odds():
    result = _result(60)
    word = word_intrusion_sheet(result, n=20, random_state=0)
    report = score_intrusion(_fill(word, lambda row, key: key.intruder), word.key)  # answers given as words
    assert (report["precision"] == 1.0).all() and (report["n_answered"] == report["n_items"]).all()
    overall = report[report["label"] == "all"].iloc[0]
    assert overall["n_correct"] == 20 and 0.8 < overall["ci_low"] < 1.0 and overall["ci_high"] == 1.0
    topic = topic_intrusion_sheet(result, _documents(result.doc_ids), n=20, random_state=0)
    report = score_intrusion(_fill(topic, lambda row, key: str(key.intruder_position)), topic.key)
    assert (report["precision"] == 1.0).all() and (report["tlo"] == 0.0).all()


def test_a_random_coder_finds_the_intruder_by_chance():
    result = _result(200)
    rng = np.random.default_rng(5)
    word = word_intrusion_sheet(result, n=600, random_state=0)
    report = score_intrusion(_fill(word, lambda row, key: int(rng.integers(1, 7))), word.key)
    overall = report[report["label"] == "all"].iloc[0]
    assert overall["ci_low"] < 1 / 6 < overall["ci_high"]
    assert set(report.loc[report["label"] != "all", "topic"]) == set(range(5))
    topic = topic_intrusion_sheet(result, _documents(result.doc_ids), n=200, random_state=0)
    report = score_intrusion(_fill(topic, lambda row, key: int(rng.integers(1, 5))), topic.key)
    overall = report[report["label"] == "all"].iloc[0]
    assert overall["ci_low"] < 1 / 4 < overall["ci_high"]
    assert overall["tlo_high"] < 0  # wrong picks are more probable topics than the intruder


def test_several_coders_and_blank_answers():
    result = _result()
    word = word_intrusion_sheet(result, n=10, random_state=0)
    sheet = _fill(word, lambda row, key: str(key.intruder_position))
    sheet["choice_b"] = [1 if key.intruder_position != 1 else 2 for key in word.key.itertuples()]  # always wrong
    sheet.loc[0, "choice"] = ""
    overall = score_intrusion(sheet, word.key).query("label == 'all'").iloc[0]
    assert (overall["n_items"], overall["n_answered"], overall["n_correct"]) == (10, 19, 9)


@pytest.mark.parametrize("value, message", [("7", "neither a position"), ("hòa bình", "neither a position")])
def test_an_answer_that_is_no_option_is_a_located_error(value, message):
    word = word_intrusion_sheet(_result(), n=5, random_state=0)
    sheet = word.sheet.copy()
    sheet.loc[2, "choice"] = value
    with pytest.raises(ValueError, match=f"item {sheet.loc[2, 'item_id']}, column choice: .*{message}"):
        score_intrusion(sheet, word.key)


def test_a_key_of_the_other_task_is_refused():
    result = _result()
    word = word_intrusion_sheet(result, n=5, random_state=0)
    topic = topic_intrusion_sheet(result, _documents(result.doc_ids), n=5, random_state=0)
    with pytest.raises(ValueError, match="key"):
        score_intrusion(word.sheet, topic.key)


def test_command_line_writes_a_sheet_and_scores_it(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table
    from toolkit.topics.persist import save_result

    result = _result()
    result.topic_word_concentration_ = result.topic_word_ * 100
    result.doc_topic_concentration_ = result.doc_topic_ * 10
    result.alpha_ = np.full(5, 0.2)
    result.eta_ = np.full(result.topic_word_.shape, 0.01)
    result.term_frequency_ = np.ones(len(result.vocabulary_), dtype=np.int64)
    result.doc_lengths_ = np.full(len(result.doc_ids), 50)
    result.settings_ = {}
    save_result(result, tmp_path / "run" / "model")
    write_table(_documents(result.doc_ids), tmp_path / "docs.csv")
    runner = CliRunner()
    for task in ("word", "topic"):
        sheet_path = tmp_path / f"{task}.csv"
        out = runner.invoke(app, ["validate", "topics", str(tmp_path / "run"), "-o", str(sheet_path), "--task", task,
                                  "--n", "10", "--corpus", str(tmp_path / "docs.csv")])
        assert out.exit_code == 0, out.output
        key = read_table(tmp_path / f"{task}.key.csv")
        sheet = read_table(sheet_path)
        assert "intruder_position" not in sheet.columns and len(sheet) == len(key) == 10
        sheet["choice"] = key["intruder_position"].astype(str)
        write_table(sheet, sheet_path)
        out = runner.invoke(app, ["validate", "score-topics", str(sheet_path), "-o", str(tmp_path / f"{task}.r.csv")])
        assert out.exit_code == 0, out.output
        report = read_table(tmp_path / f"{task}.r.csv")
        assert (report["precision"].astype(float) == 1.0).all(), report.to_string()
    out = runner.invoke(app, ["validate", "topics", str(tmp_path / "run"), "-o", str(tmp_path / "x.csv"),
                              "--task", "topic"])
    assert out.exit_code != 0 and "--corpus" in out.output
