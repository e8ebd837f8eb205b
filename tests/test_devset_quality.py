"""The theme dictionary against the labelled development set (real articles; needs ../shared).

Quality is reported on the ``holdout`` rounds 5-39 (10,188 articles; rounds 10-12 are political
news, rounds 13-28 and 33 local-government news, round 15 also every article naming ``dân vận``,
rounds 29-32 and 34-39 domestic news outside local government), coded by readers who never saw the
dictionary, each round scored once with the dictionary frozen before its labels were read; each
theme is scored on the rounds still held out for it (``heldout.csv``: rounds 5-39 for COVID-19, 5-9
and 12-39 for site clearance, rounds 31-36 and 39 for religion and 23-28, 30-33 and 37-39 for grassroots
democracy, drawn after the dictionary edits that could change them were committed). These bounds guard
against regressions and sit a little below what was measured (README, "Measured quality").
They are checked on the labels, never tuned on the holdout. The labels are the gold labels
(``read_devset()``): the majority of three readings where the first two readers part.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import needs_corpora
from toolkit.config import CACHE_DIR
from toolkit.text.preprocess import preprocess
from toolkit.themes.dictionary import load_themes, theme_hits
from toolkit.themes.validate import dictionary_quality, heldout_rounds, read_devset

pytestmark = [pytest.mark.shared, pytest.mark.slow, needs_corpora]


@pytest.fixture(scope="module")
def quality():
    dev = read_devset(split="holdout")
    themes = load_themes()
    docs = dev[["doc_id", "title", "body", "date", "year"]]
    short = pd.DataFrame({"doc_id": dev["doc_id"], "title": "", "body": dev["short"], "date": dev["date"],
                          "year": dev["year"]})
    cache = CACHE_DIR / "preprocess"
    hits = theme_hits(preprocess(docs, n_jobs=-1, cache_dir=cache, progress=False), themes, docs)
    short_hits = theme_hits(preprocess(short, n_jobs=-1, cache_dir=cache, progress=False), themes, short)
    return dictionary_quality(dev, hits, short_hits, rounds=heldout_rounds()).set_index(["theme", "item"])


def test_holdout_has_the_designed_size():
    dev = read_devset(split="holdout")
    assert len(dev) == 10188 and dev["doc_id"].is_unique and set(dev["round"]) == set(range(5, 40))
    assert (dev[["site_clearance", "religion", "covid"]].sum() >= 45).all()
    # no document is in two rounds: a holdout document was never read while the dictionary was edited
    every = read_devset()
    assert every["doc_id"].is_unique and len(every) == 11979
    # a theme's held-out rounds are holdout rounds; the latest round is held out for every theme; grassroots
    # democracy was edited from its errors of rounds 29 and 34-36 (ad2daed from rounds 29 and 34's, 0b955e0 from
    # round 35's, then from round 36's)
    rounds = heldout_rounds()
    assert set(rounds) == {"site_clearance", "religion", "democracy_regulations", "covid"}
    assert all(set(r) <= set(range(5, 40)) for r in rounds.values())
    assert all(39 in rounds[theme] for theme in rounds)
    # religion was edited from rounds 37-38's errors (a trophy parade, "like a medium", the monk's habit)
    assert not {37, 38} & set(rounds["religion"])
    assert not {29, 34, 35, 36} & set(rounds["democracy_regulations"]) and 33 in rounds["democracy_regulations"]


def test_site_clearance_and_covid_agree_with_readers(quality):
    every = ", ".join(str(r) for r in range(5, 40))
    for theme, floor, rounds in (("site_clearance", 0.85, every.replace("10, 11, ", "")),  # 0.89
                                 ("covid", 0.9, every)):  # 0.98
        row = quality.loc[(theme, "full text")]
        assert row["rounds"] == rounds
        assert row["f1"] >= floor, row
        assert row["f1_low"] < row["f1"] < row["f1_high"]


def test_covid_on_short_items_and_never_before_2020(quality):
    short = quality.loc[("covid", "title + description")]
    assert short["precision"] >= 0.9 and short["recall"] >= 0.9, short  # measured: 0.98, 0.97
    assert quality.loc[("covid", "full text"), "flagged_before_2020"] == 0


def test_religion_and_democracy_are_measured_with_their_uncertainty(quality):
    # Religion is held out on rounds 31-36 and 39 (its terms were edited from rounds 5-30's errors, the last time
    # in a5e1d85 and 300085a, and from rounds 37-38's, bb86c30, which changes no document of rounds 31-36; round 39
    # was drawn after it): 456 positives in 2,650 articles (428 in rounds 31-32, 34-36 and 39 of domestic news
    # outside local government, 28 in round 33 of local-government news); measured precision 0.86, recall 0.83,
    # F1 0.84 (0.82-0.87), below the 0.85 target (round 39 alone 0.82: passing mentions, temples and churches as
    # sights abroad, "Muslim-majority countries" of a travel ban) (README, "Measured quality"); against the
    # first reader's labels alone 454 positives, F1 0.84 (0.81-0.86).
    religion = quality.loc[("religion", "full text")]
    assert religion["rounds"] == "31, 32, 33, 34, 35, 36, 39" and religion["n_coded"] == 2650
    assert religion["tp"] + religion["fn"] == 456
    assert religion["precision"] >= 0.82 and religion["recall"] >= 0.8 and religion["f1"] >= 0.82, religion
    # Grassroots democracy is the weaker measure (rounds 23-28, 30-33 and 37-39: F1 0.63 on 63 positives; 0.45 on
    # rounds 23-36 as first scored, before ad2daed, 0b955e0 and the edit after round 36 were made from rounds 29,
    # 34, 35 and 36's errors): what it misses and what it flags wrongly are borderline calls (disclosure and dialogue in land
    # and complaint stories) and, in general news, meetings, dialogue and disclosure that are not a local
    # authority's with residents (foreign leaders', national drafts', "openly").
    democracy = quality.loc[("democracy_regulations", "full text")]
    assert democracy["rounds"] == "23, 24, 25, 26, 27, 28, 30, 31, 32, 33, 37, 38, 39"
    assert democracy["tp"] + democracy["fn"] == 63
    assert democracy["f1"] >= 0.55, democracy
    assert democracy["f1_high"] - democracy["f1_low"] > 0.1   # its interval says how little is known
