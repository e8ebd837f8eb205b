"""The fast segmenter gives exactly pyvi's output."""

import itertools
import json
import pickle
import sys
import unicodedata

import pytest
from pyvi import ViTokenizer

from conftest import CORPORA_DIR, SEEDS_DIR, needs_corpora, needs_seeds
from toolkit.text import crf as fastpyvi
from toolkit.text.crf import (
    crfsuite_labels,
    labels,
    labels_many,
    segment,
    sylabelize,
    word_ids_many,
    words,
    words_many,
)

SENTENCES = [
    "Ban Dân vận Quận ủy tổ chức hội nghị giao ban công tác dân vận quý III năm 2023.",
    "Đ/c Nguyễn Văn An - UVTV, Trưởng Ban Dân vận Huyện ủy phát biểu chỉ đạo",
    "Thực hiện Quyết định số 217-QĐ/TW, Quyết định số 218-QĐ/TW của Bộ Chính trị khóa XI...",
    "Vận động nhân dân bàn giao mặt bằng cho dự án đường Vành đai 4 (trước 31/12/2023)!",
    "Email: bandanvan@hanoi.gov.vn, website https://longbien.hanoi.gov.vn ==> xem thêm >> tin khác",
    "TP. Hồ Chí Minh; Tp. Huế; ThS. Lê Thị B; Mr. Smith; 1.250,5 triệu đồng; 3,5%",
    "Covid-19 và \"Dân vận khéo\" – phong trào thi đua\nxuống dòng ở tổ dân phố",
    unicodedata.normalize("NFD", "Uỷ ban MTTQ phường Thượng Thanh, hoà giải ở cơ sở"),
    "", "   ", "...", "a", "Ở",
    # n-grams of pyvi's word list at both ends, title case after lower case, digits, NUL
    "hợp tác xã nông nghiệp", "Hợp Tác Xã", "HỢP TÁC XÃ", "phó chủ tịch ủy ban nhân dân",
    "ủy ban 2 nhân dân 3 tỉnh", "a\x00b c", "_ __ ___ a_b", "đồng bào dân tộc thiểu số",
]


@pytest.mark.parametrize("text", SENTENCES)
def test_identical_to_pyvi(text):
    assert segment(text) == ViTokenizer.ViTokenizer.tokenize(text)


def test_syllables_match_pyvi():
    for text in SENTENCES:
        assert sylabelize(text) == ViTokenizer.ViTokenizer.sylabelize(text)[1]


@pytest.mark.parametrize("text", [t for t in SENTENCES if t.strip()])
def test_labels_are_crfsuites(text):
    syllables = sylabelize(text)
    assert labels(syllables) == crfsuite_labels(syllables)


def test_words_rebuild_the_segmented_string():
    for text in SENTENCES:
        got = words(text)
        if sylabelize(text):
            assert " ".join("_".join(w) for w in got) == segment(text)
        else:
            assert got == []
    assert words("Ban Dân vận Quận ủy họp") == [["Ban"], ["Dân", "vận"], ["Quận", "ủy"], ["họp"]]
    assert words(["Ban", "Dân", "vận"]) == [["Ban"], ["Dân", "vận"]]


def test_a_batch_segments_each_item_as_alone():
    # One-syllable and empty items first and last: n-gram and neighbour features must
    # stop at every item edge.
    items = ["Ở", "", *SENTENCES, "a", "hợp tác", "xã", "ủy ban nhân dân"]
    batch = words_many(items)
    assert batch == [words(x) for x in items]
    assert labels_many(items) == [labels(sylabelize(x)) for x in items]
    for (syllables, ids), group in zip(word_ids_many(items), batch):
        assert syllables == [s for w in group for s in w]
        assert ids == [i for i, w in enumerate(group) for _ in w]


def test_syllable_table_restarts_without_changing_labels(monkeypatch):
    model = fastpyvi._Model()
    monkeypatch.setattr(fastpyvi._Model, "max_rows", 64)
    monkeypatch.setattr(fastpyvi, "_model", lambda: model)
    for text in SENTENCES * 2:
        if sylabelize(text):
            assert segment(text) == ViTokenizer.ViTokenizer.tokenize(text)
    assert model.n_rows <= 64


def test_model_is_read_without_importing_scikit_learn():
    data, lines = fastpyvi._pyvi_files()
    model = fastpyvi._model()
    assert data[:4] == b"lCRF"
    assert model.bigrams == frozenset(ViTokenizer.ViTokenizer.bi_grams)
    assert model.trigrams == frozenset(ViTokenizer.ViTokenizer.tri_grams)
    with open(ViTokenizer.ViTokenizer.model.modelfile.name, "rb") as fh:
        assert fh.read() == data


def test_model_file_is_read_whole():
    labels_, state, trans = fastpyvi._read_model(fastpyvi._pyvi_files()[0])
    assert labels_ == list(ViTokenizer.ViTokenizer.model.tagger_.labels())
    assert len(trans) == 2 and all(w != 0.0 for row in trans for w in row)
    assert {"bias", "word.istitle()", "-1:word.bi_gram()", "+2:word.tri_gram()"} <= state.keys()
    assert state["bias"][0] == pytest.approx(2.444936, abs=1e-6)


def test_picklable_functions_for_worker_processes():
    for func in (segment, words, word_ids_many, sylabelize):
        assert pickle.loads(pickle.dumps(func)) is func


@needs_seeds
def test_identical_on_seed_pages():
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert segment(text) == ViTokenizer.ViTokenizer.tokenize(text)
        lines = [line for line in text.splitlines() if line.strip()]
        assert [" ".join("_".join(w) for w in ws) for ws in words_many(lines)] == [
            ViTokenizer.ViTokenizer.tokenize(line) for line in lines
        ]


@needs_corpora
@pytest.mark.shared
def test_identical_on_real_news_paragraphs():
    with open(CORPORA_DIR / "unc-dantri" / "unc_dantri.jsonl", encoding="utf-8") as fh:
        paragraphs = [p for line in itertools.islice(fh, 150) for p in json.loads(line)["text"].split("\n") if p]
    mismatches = [p for p in paragraphs if segment(p) != ViTokenizer.ViTokenizer.tokenize(p)]
    assert len(paragraphs) > 1000 and mismatches == []
    # the same paragraphs segmented in batches of a page
    batches = [paragraphs[i:i + 40] for i in range(0, len(paragraphs), 40)]
    got = [" ".join("_".join(w) for w in ws) for batch in batches for ws in words_many(batch)]
    assert got == [ViTokenizer.ViTokenizer.tokenize(p) for p in paragraphs]


def test_no_scikit_learn_import_for_segmentation():
    import subprocess

    code = (
        "import sys; from toolkit.text.crf import segment; segment('Ban Dân vận họp'); "
        "print('sklearn' in sys.modules, 'pyvi.ViTokenizer' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
