"""The fast segmenter gives exactly pyvi's output."""

import itertools
import json
import unicodedata

import pytest
from pyvi import ViTokenizer

from conftest import CORPORA_DIR, SEEDS_DIR, needs_corpora, needs_seeds
from toolkit.fastpyvi import segment, sylabelize

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
]


@pytest.mark.parametrize("text", SENTENCES)
def test_identical_to_pyvi(text):
    assert segment(text) == ViTokenizer.ViTokenizer.tokenize(text)


def test_syllables_match_pyvi():
    for text in SENTENCES:
        assert sylabelize(text) == ViTokenizer.ViTokenizer.sylabelize(text)[1]


@needs_seeds
def test_identical_on_seed_pages():
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert segment(text) == ViTokenizer.ViTokenizer.tokenize(text)


@needs_corpora
@pytest.mark.shared
def test_identical_on_real_news_paragraphs():
    with open(CORPORA_DIR / "unc-dantri" / "unc_dantri.jsonl", encoding="utf-8") as fh:
        paragraphs = [p for line in itertools.islice(fh, 150) for p in json.loads(line)["text"].split("\n") if p]
    mismatches = [p for p in paragraphs if segment(p) != ViTokenizer.ViTokenizer.tokenize(p)]
    assert len(paragraphs) > 1000 and mismatches == []
