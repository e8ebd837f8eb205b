"""The theme dictionary against the labelled development set (real articles; needs ../shared).

Quality is reported on the ``holdout`` rounds 5-51 (16,020 articles; rounds 10-12 are political
news, rounds 13-28 and 33 local-government news, round 15 also every article naming ``dân vận``,
rounds 29-32, 34-39 and 41-51 domestic news outside local government, round 40 mostly world news naming
religion's clear keywords, rounds 41-51 domestic news naming temples and festivals), coded by readers who
never saw the dictionary, each round scored once with the dictionary frozen before its labels were read;
each theme is scored on the rounds still held out for it (``heldout.csv``: rounds 5-36, 38-45 and 47-51 for COVID-19, 5-9
and 12-51 for site clearance, rounds 40 and 51 for religion and 23-28, 30-33 and 37-51 for grassroots
democracy, drawn after the dictionary edits that
could change them were committed). These bounds guard
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
def scored():
    dev = read_devset(split="holdout")
    themes = load_themes()
    docs = dev[["doc_id", "title", "body", "date", "year"]]
    short = pd.DataFrame({"doc_id": dev["doc_id"], "title": "", "body": dev["short"], "date": dev["date"],
                          "year": dev["year"]})
    cache = CACHE_DIR / "preprocess"
    hits = theme_hits(preprocess(docs, n_jobs=-1, cache_dir=cache, progress=False), themes, docs)
    short_hits = theme_hits(preprocess(short, n_jobs=-1, cache_dir=cache, progress=False), themes, short)
    return dev, hits, short_hits


@pytest.fixture(scope="module")
def quality(scored):
    return dictionary_quality(*scored, rounds=heldout_rounds()).set_index(["theme", "item"])


def test_holdout_has_the_designed_size():
    dev = read_devset(split="holdout")
    assert len(dev) == 16020 and dev["doc_id"].is_unique and set(dev["round"]) == set(range(5, 52))
    assert (dev[["site_clearance", "religion", "covid"]].sum() >= 45).all()
    # no document is in two rounds: a holdout document was never read while the dictionary was edited
    every = read_devset()
    assert every["doc_id"].is_unique and len(every) == 17811
    # a theme's held-out rounds are holdout rounds; the latest round is held out for every theme; grassroots
    # democracy was edited from its errors of rounds 29 and 34-36 (ad2daed from rounds 29 and 34's, 0b955e0 from
    # round 35's, then from round 36's)
    rounds = heldout_rounds()
    assert set(rounds) == {"site_clearance", "religion", "democracy_regulations", "covid"}
    assert all(set(r) <= set(range(5, 52)) for r in rounds.values())
    assert all(51 in rounds[theme] for theme in rounds)
    # COVID-19's other-disease rule (weak_alone_unless) was written from round 46's false flag, round 37's in view
    assert not {37, 46} & set(rounds["covid"]) and len(rounds["covid"]) == 45
    # religion was edited from rounds 37-38's errors (a trophy parade, "like a medium", the monk's habit), then
    # (3e52339, bare "tôn giáo") with rounds 31-36 and 39's in view: rounds 40-42, drawn after it, were its holdout;
    # 7a289fc was edited from rounds 41-42's errors, round 43 drawn after it; 09563d4 was edited from round 43's, and
    # round 44, drawn before it and coded while it was written, was scored once with it, round 45 after it; the
    # next edit (659d640) was made from rounds 44-45's errors, and round 46, drawn before it, was scored once with it;
    # edfa76d was made from round 46's errors, and round 47, drawn before it, was scored once with it; the edit after
    # it (a010818) was made from round 47's errors, and round 48, drawn before it, was scored once with it; the edit
    # after it (748fbf2) was made from round 48's errors, and round 49, drawn before it, was scored once with it; the
    # next edit (2888d89) was made from round 49's errors, and round 50, drawn before it, was scored once with it; the
    # edit after it (47f0850) was made from round 50's errors, and round 51, drawn before it, was scored once with it
    assert rounds["religion"] == (40, 51)
    assert not {29, 34, 35, 36} & set(rounds["democracy_regulations"]) and 33 in rounds["democracy_regulations"]


def test_site_clearance_and_covid_agree_with_readers(quality):
    every = ", ".join(str(r) for r in range(5, 52))
    for theme, floor, rounds in (("site_clearance", 0.85, every.replace("10, 11, ", "")),  # 0.89
                                 ("covid", 0.9, every.replace("37, ", "").replace("46, ", ""))):  # 0.99
        row = quality.loc[(theme, "full text")]
        assert row["rounds"] == rounds
        assert row["f1"] >= floor, row
        assert row["f1_low"] < row["f1"] < row["f1_high"]


def test_covid_on_short_items_and_never_before_2020(quality):
    short = quality.loc[("covid", "title + description")]
    assert short["precision"] >= 0.9 and short["recall"] >= 0.9, short  # measured: 0.98, 0.97
    assert quality.loc[("covid", "full text"), "flagged_before_2020"] == 0


def test_religion_and_democracy_are_measured_with_their_uncertainty(quality):
    # Religion is held out on rounds 40 and 51: 729 positives in 1,708 articles, 619 of them among round 40's 710
    # world-news articles naming religion's clear keywords; precision 0.94, recall 0.93, F1 0.93 (0.92-0.95) (the
    # edits from rounds 43's and 46's errors change 5 of round 40's documents, all toward the gold label, the edits
    # from rounds 47-50's none). The domestic news naming temples and festivals is weaker (the tests below).
    religion = quality.loc[("religion", "full text")]
    assert religion["rounds"] == "40, 51" and religion["n_coded"] == 1708
    assert religion["tp"] + religion["fn"] == 729
    assert religion["precision"] >= 0.9 and religion["recall"] >= 0.9 and religion["f1"] >= 0.9, religion
    # Grassroots democracy is the weaker measure (rounds 23-28, 30-33 and 37-51: F1 0.60 on 67 positives; 0.45 on
    # rounds 23-36 as first scored, before ad2daed, 0b955e0 and the edit after round 36 were made from rounds 29,
    # 34, 35 and 36's errors): what it misses and what it flags wrongly are borderline calls (disclosure and dialogue in land
    # and complaint stories) and, in general news, meetings, dialogue and disclosure that are not a local
    # authority's with residents (foreign leaders', national drafts', "openly").
    democracy = quality.loc[("democracy_regulations", "full text")]
    assert democracy["rounds"] == "23, 24, 25, 26, 27, 28, 30, 31, 32, 33, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51"
    assert democracy["tp"] + democracy["fn"] == 67
    assert democracy["f1"] >= 0.55, democracy
    assert democracy["f1_high"] - democracy["f1_low"] > 0.1   # its interval says how little is known


def test_religion_on_domestic_news_naming_temples_and_festivals(scored):
    """Round 41: 600 of the domestic news's articles naming temples, festivals or the Buddha (73 positives).

    As first scored (drawn after 901d0b5, held out): precision 0.73, recall 0.66, F1 0.69 (0.60-0.76); 7a289fc and
    the edit after round 43 were made from its errors and rounds 42-43's (0.82 with them), so this is a floor now,
    not a measure. What it
    misses are passing belief practices in lifestyle and culture news (offerings to ancestors, fortune tellers,
    praying at a pagoda); what it flags wrongly are temples and churches as venues, sights or figures of speech.
    """
    religion = dictionary_quality(*scored, theme_ids=["religion"], rounds={"religion": [41]}).iloc[0]
    assert religion["n_coded"] == 633 and religion["tp"] + religion["fn"] == 73
    assert religion["precision"] >= 0.8 and religion["recall"] >= 0.75 and religion["f1"] >= 0.78, religion


def test_religion_on_a_second_round_of_domestic_news_naming_temples_and_festivals(scored):
    """Round 42: 300 more of round 41's population (34 positives), drawn after d231640 and scored once with it.

    No religion term was edited between rounds 41 and 42, so as first scored it measured the same dictionary on fresh
    articles: precision 0.86, recall 0.74, F1 0.79 (0.67-0.87); rounds 41-42 together 0.72 (0.66-0.78). 7a289fc and
    the edit after round 43 were made from their errors (0.88 and 0.84 with them): floors now, not measures.
    """
    religion = dictionary_quality(*scored, theme_ids=["religion"], rounds={"religion": [42]}).iloc[0]
    assert religion["n_coded"] == 323 and religion["tp"] + religion["fn"] == 34
    assert religion["precision"] >= 0.85 and religion["recall"] >= 0.8 and religion["f1"] >= 0.84, religion
    both = dictionary_quality(*scored, theme_ids=["religion"], rounds={"religion": [41, 42]}).iloc[0]
    assert both["tp"] + both["fn"] == 107 and both["f1"] >= 0.81, both


def test_religion_on_domestic_news_naming_temples_and_festivals_after_the_edit_from_their_errors(scored):
    """Round 43: 299 more of round 41's population (35 positives), drawn after 7a289fc and scored once with it.

    The edit from rounds 41-42's errors (the royal court, a stir, a bridge, a penal-code formula, comparisons; devout
    people, a deity's day rite) did not lift this population to the target: as first scored, precision 0.78, recall
    0.71, F1 0.75 (0.62-0.83), against 0.69 and 0.79 as rounds 41 and 42 were first scored. Its errors were then
    read and the dictionary edited (0.84 with it): a floor now, not a measure.
    """
    religion = dictionary_quality(*scored, theme_ids=["religion"], rounds={"religion": [43]}).iloc[0]
    assert religion["n_coded"] == 322 and religion["tp"] + religion["fn"] == 35
    assert religion["precision"] >= 0.8 and religion["recall"] >= 0.75 and religion["f1"] >= 0.8, religion


def test_religion_on_domestic_news_naming_temples_and_festivals_held_out_after_the_edit_from_their_errors(scored):
    """Round 44: 300 more of round 41's population (42 positives), drawn after 7a289fc before round 43's errors were
    read, coded twice, blind, while 09563d4 was written from those errors, and scored once with it (committed before
    its labels were read): precision 0.92, recall 0.81, F1 0.86 (0.76-0.92), against 0.75 on round 43 and 0.69, 0.79
    on rounds 41-42 as first scored. What it still misses are passing belief practices without a religion word
    ("going to the pagoda", a temple festival's rites); what it flags wrongly, churches and temples as venues.
    """
    religion = dictionary_quality(*scored, theme_ids=["religion"], rounds={"religion": [44]}).iloc[0]
    assert religion["n_coded"] == 322 and religion["tp"] + religion["fn"] == 42
    assert religion["precision"] >= 0.85 and religion["recall"] >= 0.75 and religion["f1"] >= 0.8, religion
    # 42 positives: a wide interval (0.76-0.92 as first scored); the edit from rounds 44-45's errors makes it a floor


def test_religion_on_a_second_round_of_that_population_after_the_edit(scored):
    """Round 45: 300 more of round 41's population (46 positives), drawn after round 44 was scored with 09563d4 and
    scored once with it unchanged: precision 0.86, recall 0.70, F1 0.77 (0.66-0.85) — round 44's 0.86 was the
    lucky side of its interval. Rounds 44-45 together: 66 / 8 / 22, F1 0.81 (0.74-0.87), below the target. The
    misses are passing mentions (a devout girlfriend, a mother-in-law's days at the pagoda, a Thai man's time as
    a monk, small notes for pagoda offerings) that readers count and no word of religion's own names; one is the
    Khmer monks' association (``sư sãi``), a term the dictionary lacks.
    """
    religion = dictionary_quality(*scored, theme_ids=["religion"], rounds={"religion": [45]}).iloc[0]
    assert religion["n_coded"] == 321 and religion["tp"] + religion["fn"] == 46
    assert religion["precision"] >= 0.8 and religion["recall"] >= 0.65 and religion["f1"] >= 0.72, religion
    both = dictionary_quality(*scored, theme_ids=["religion"], rounds={"religion": [44, 45]}).iloc[0]
    assert both["tp"] + both["fn"] == 88 and both["f1"] >= 0.77, both   # a floor after the edit from their errors


def test_religion_on_domestic_news_naming_temples_and_festivals_after_the_edit_from_rounds_44_45(scored):
    """Round 46: 300 more of round 41's population (41 positives), drawn before rounds 44-45's errors were read,
    coded twice, blind, while 659d640 was written from them, and scored once with it: precision 0.82, recall 0.80,
    F1 0.81 (0.71-0.88) — the same as rounds 44-45 as first scored (0.81): the edit's gains there (0.90 with it)
    did not carry over. Misses and false flags are passing mentions readers split on (a pagoda's altar for crash
    victims, a wedding game as a rite against bad luck, an altar room in a house plan, worship in an inheritance
    list). Its errors were then read and the next edit made from them, so this is a floor now (0.90 with it), not
    a measure.
    """
    religion = dictionary_quality(*scored, theme_ids=["religion"], rounds={"religion": [46]}).iloc[0]
    assert religion["n_coded"] == 320 and religion["tp"] + religion["fn"] == 41
    assert religion["precision"] >= 0.85 and religion["recall"] >= 0.85 and religion["f1"] >= 0.85, religion


def test_religion_on_domestic_news_naming_temples_and_festivals_after_the_edit_from_round_46(scored):
    """Round 47: 300 more of round 41's population (49 positives), drawn before round 46's errors were read, coded
    twice, blind (kappa 0.96 on religion, 3 splits read a third and a fourth time), while edfa76d was written from
    them, and scored once with it: precision 0.87, recall 0.82, F1 0.84 (0.75-0.90) — up from 0.81 on round 46 and
    on rounds 44-45 as first scored, still short of the 0.85 target on this population, and its interval is wide.
    Its errors were then read and the next edit made from them (a church choir, a vowed prayer, thanks to God), so
    this is a floor now (0.85 with it), not a measure.
    """
    religion = dictionary_quality(*scored, theme_ids=["religion"], rounds={"religion": [47]}).iloc[0]
    assert religion["n_coded"] == 320 and religion["tp"] + religion["fn"] == 49
    assert religion["precision"] >= 0.85 and religion["recall"] >= 0.82 and religion["f1"] >= 0.84, religion


def test_religion_on_domestic_news_naming_temples_and_festivals_after_the_edit_from_round_47(scored):
    """Round 48: 300 more of round 41's population (39 positives), drawn before round 47's errors were read, coded
    twice, blind (kappa 0.93 on religion, 5 splits read a third and a fourth time), while a010818 was written from
    them, and scored once with it: precision 0.84, recall 0.82, F1 0.83 (0.73-0.90) — as rounds 46-47 (0.81, 0.84):
    the population's passing mentions keep religion near 0.83 there, short of the 0.85 target. Its errors were then
    read and the next edit made from them (going to worship with no place named, a love charm, the shallot by the
    stalk, a trip "like a pilgrimage"), so this is a floor now (0.88 with it), not a measure.
    """
    religion = dictionary_quality(*scored, theme_ids=["religion"], rounds={"religion": [48]}).iloc[0]
    assert religion["n_coded"] == 321 and religion["tp"] + religion["fn"] == 39
    assert religion["precision"] >= 0.85 and religion["recall"] >= 0.85 and religion["f1"] >= 0.85, religion


def test_religion_on_domestic_news_naming_temples_and_festivals_after_the_edit_from_round_48(scored):
    """Round 49: 600 more of round 41's population (87 positives), drawn before round 48's errors were read, coded
    twice, blind (kappa 0.95 on religion, 8 splits read a third and a fourth time), while 748fbf2 was written from
    them, and scored once with it: precision 0.88, recall 0.79, F1 0.84 (0.77-0.89) — as rounds 46-48 (0.81, 0.84,
    0.83; rounds 46-49 together, each as first scored, 0.83 (0.79-0.87) on 216 positives): on this population the
    dictionary finds about four in five of the articles readers count, one flag in eight or nine not theirs. Its
    errors were then read and the next edit made from them, so this is a floor now (0.89 with it), not a measure.
    """
    religion = dictionary_quality(*scored, theme_ids=["religion"], rounds={"religion": [49]}).iloc[0]
    assert religion["n_coded"] == 621 and religion["tp"] + religion["fn"] == 87
    assert religion["precision"] >= 0.88 and religion["recall"] >= 0.85 and religion["f1"] >= 0.87, religion


def test_religion_on_domestic_news_naming_temples_and_festivals_after_the_edit_from_round_49(scored):
    """Round 50: 600 more of round 41's population (70 positives), drawn before round 49's errors were read, coded
    twice, blind (kappa 0.95 on religion, 6 splits read a third and a fourth time), while 2888d89 was written from
    them, and scored once with it: precision 0.73, recall 0.76, F1 0.74 (0.66-0.81) — below rounds 46-49 (0.81-0.84),
    and not because of that edit (748fbf2 and a010818 score it 0.74 and 0.73): 20 flags readers did not count. Rounds
    46-50 together, each as first scored: 0.81 (0.77-0.84) on 286 positives. Its errors were then read and the next
    edit made from them (one of its flags goes), so this is a floor now (0.75 with it), not a measure.
    """
    religion = dictionary_quality(*scored, theme_ids=["religion"], rounds={"religion": [50]}).iloc[0]
    assert religion["n_coded"] == 621 and religion["tp"] + religion["fn"] == 70
    assert religion["precision"] >= 0.65 and religion["recall"] >= 0.68 and religion["f1"] >= 0.68, religion
    assert religion["f1_high"] < 0.85, religion   # below the target on this population


def test_religion_on_domestic_news_naming_temples_and_festivals_after_the_edit_from_round_50(scored):
    """Round 51: 600 more of round 41's population (75 positives), drawn before round 50's errors were read, coded
    twice, blind (kappa 0.94 on religion, 8 splits read a third and a fourth time), while 47f0850 was written from
    them, and scored once with it: precision 0.87, recall 0.72, F1 0.79 (0.71-0.85). Rounds 46-51 together, each as
    first scored: precision 0.83, recall 0.78, F1 0.81 (0.77-0.83) on 361 positives: on this population the
    dictionary misses one article in five that readers count, mostly passing mentions with no word of its own.
    """
    religion = dictionary_quality(*scored, theme_ids=["religion"], rounds={"religion": [51]}).iloc[0]
    assert religion["n_coded"] == 621 and religion["tp"] + religion["fn"] == 75
    assert religion["precision"] >= 0.8 and religion["recall"] >= 0.65 and religion["f1"] >= 0.74, religion
    assert religion["f1_high"] < 0.9, religion   # below the target on this population


def test_religion_on_the_domestic_news_it_was_last_held_out_on(scored):
    """Rounds 31-36 and 39 (domestic news, 456 positives) guard the population nearest the genre from regressions.

    They are no longer held out for religion (3e52339 was designed with their errors in view), so this is a floor,
    not a measure: F1 0.86 (0.84-0.88) with today's dictionary, 0.84 (0.82-0.87) with the one before 3e52339.
    """
    religion = dictionary_quality(*scored, theme_ids=["religion"],
                                  rounds={"religion": [31, 32, 33, 34, 35, 36, 39]}).iloc[0]
    assert religion["n_coded"] == 2650 and religion["tp"] + religion["fn"] == 456
    assert religion["precision"] >= 0.82 and religion["recall"] >= 0.85 and religion["f1"] >= 0.84, religion


def test_the_scores_do_not_hinge_on_the_reader_who_breaks_a_tie(scored, quality):
    """A fourth blind reading of the 252 split documents (``devset_fourth_coder.csv``) breaking the ties instead of
    the third: religion on rounds 40 and 51 keeps F1 0.93, grassroots democracy 32 / 14 / 32 (0.58 against 0.60),
    site clearance 0.89. The fourth reader counts 147 of the 181 religion splits positive, the third 138: the lean
    to passing mentions is the documents', not one reader's."""
    from toolkit.themes.validate import devset_labels

    alt = devset_labels(tie_breaker="fourth")
    alt.index = alt["corpus"] + ":" + alt["doc_id"]
    dev, hits, short_hits = scored
    dev = dev.copy()
    for col in ("site_clearance", "religion", "democracy_regulations"):
        dev[col] = alt.loc[dev["doc_id"], col].to_numpy()
    other = dictionary_quality(dev, hits, short_hits, rounds=heldout_rounds()).set_index(["theme", "item"])
    for theme in ("site_clearance", "religion", "democracy_regulations"):
        gold, tie = quality.loc[(theme, "full text")], other.loc[(theme, "full text")]
        assert abs(gold["f1"] - tie["f1"]) <= 0.03, (theme, gold["f1"], tie["f1"])
        assert tie["f1_low"] <= gold["f1"] <= tie["f1_high"], theme
