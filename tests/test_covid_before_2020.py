"""No COVID-19 flag on news written before it existed: the whole of VNTC (84,132 articles of 2005-2007, needs ../shared).

VNTC carries no dates, so the date rules (``not_before``, the 2020-2022 window of the weak terms) cannot help:
only the terms that count alone can flag a page, and each flag is wrong by the calendar, so no reader is needed.
Besides the 9,683 VNTC articles of the labelled development set, none was read to write the dictionary
until this test found six flags (fbe7975 was written from them).
Dated pre-2020 news (baomoi 2017) is covered by ``not_before`` and its unit tests.
"""

from __future__ import annotations

import gzip
import json
import unicodedata

import pandas as pd
import pytest
import regex

from tests.conftest import CORPORA_DIR, needs_corpora
from toolkit.config import CACHE_DIR
from toolkit.text.normalize import normalize_tone_marks
from toolkit.text.preprocess import preprocess
from toolkit.themes.dictionary import load_themes, theme_hits

pytestmark = [pytest.mark.shared, pytest.mark.slow, needs_corpora]


_WORD = regex.compile(r"\w+")


def _could_match(text: str, strong: list[tuple[str, ...]]) -> bool:
    """Whether every syllable of some term that counts alone stands in the text (lower-cased, tone marks placed
    as the normalizer places them): a page without one cannot be flagged (weak terms need such an anchor in an
    undated page), so only these pages need segmenting. A syllable with a hyphen (``covid-19``) is looked for as
    a substring, the others as words."""
    words = set(_WORD.findall(text))
    return any(all((s in text) if "-" in s else (s in words) for s in syllables) for syllables in strong)


def test_no_covid_flag_on_any_undated_article_of_2005_to_2007():
    themes = load_themes()
    covid = themes.themes[themes.ids.index("covid")]
    strong = [syls for term, syls in zip(covid.terms, covid.syllables) if syls and term not in covid.weak]
    assert len(strong) >= 20  # the names, the early names, the vaccines, giãn cách xã hội, ca dương tính, F0 …
    rows, n = [], 0
    with gzip.open(CORPORA_DIR / "vntc" / "vntc_10topics.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            n += 1
            text = normalize_tone_marks(unicodedata.normalize("NFC", record["text"])).lower()
            if _could_match(text, strong):
                parts = [p for p in record["text"].split("\n") if p.strip()]
                rows.append({"doc_id": record["id"], "title": parts[0] if parts else "",
                             "body": "\n".join(parts[1:]), "date": None})
    assert n == 84132
    docs = pd.DataFrame(rows).drop_duplicates("doc_id")
    # 2005-07 health news: avian flu's positive cases and isolation, HIV tests, SARS, vaccines; a racing game "F0"
    assert len(docs) > 500
    tokens = preprocess(docs, n_jobs=-1, cache_dir=CACHE_DIR / "preprocess", progress=False)
    hits = theme_hits(tokens, themes, docs)
    flagged = sorted(hits.loc[(hits["theme"] == "covid") & hits["present"], "doc_id"])
    assert flagged == []
