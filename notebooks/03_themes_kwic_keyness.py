# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Themes, concordances and distinctive terms
#
# Before fitting any model, ask the transparent question: **how often do
# site clearance, religion, grassroots-democracy regulations and COVID-19
# appear, where, and when?** A theme dictionary answers it with counts anyone
# can audit, and a concordance (KWIC) lets you read the passages behind every
# count. Keyness then shows which words set one locality apart from the others.
#
# We use the simulated demo corpus (its pages imitate district Party-committee
# portals; its truth is known, see notebook 05).

# %% tags=["parameters"]
n_pages = 2000
quick = False
random_state = 2024

# %%
# %matplotlib inline
import logging

import matplotlib.pyplot as plt
import pandas as pd

from toolkit.report import plots
from toolkit.keyness import keyness_table, tfidf_top_terms
from toolkit.pipeline import load_demo
from toolkit.themes.dictionary import load_themes, theme_hits, validate_themes
from toolkit.themes.concordance import kwic
from toolkit.themes.shares import theme_shares
from toolkit.text.collocations import discover_collocations

# The toolkit reports what a reader must know (a page left out, an extrapolation, a seeded topic that lost its
# seed terms) as `logging` warnings, which a notebook shows only once logging is configured:
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
demo = load_demo(n_pages, random_state=random_state, n_jobs=1 if quick else -1)
documents, tokens = demo.documents, demo.tokens
print(len(documents), "documents;", documents["locality"].nunique(), "localities;",
      int(documents["year"].min()), "–", int(documents["year"].max()))

# %% [markdown]
# ## 1. The theme dictionary
#
# Themes live in `corpora/lexicons/themes.toml`, a file you are expected to
# read and edit. Each theme lists plain Vietnamese phrases; each phrase goes
# through the same normalizer and tokenizer as the documents, so *GPMB* in a
# page counts as *giải phóng mặt bằng* (site clearance). Ambiguous terms carry
# **exclusion contexts** (*mặt bằng* "ground, site" in *mặt bằng giá* is the price
# level, not site clearance; *dịch* "epidemic" in *dịch vụ* is a service; *chùa*
# "pagoda" in *phố Chùa Bộc* is a street name), and **weak terms** count only next
# to an unambiguous one (*cách ly* "quarantine" alone is not COVID-19).

# %%
themes = load_themes()
themes.to_frame().groupby("theme").size().rename("n_terms").to_frame().T

# %% [markdown]
# ## 2. Validate the seed terms first
#
# Which terms occur at all, and where? A term that never occurs is either
# misspelled in the dictionary or absent from this corpus — you want to know
# before drawing any conclusion. A term that is another term of its theme once
# normalized (`vắc-xin` and `vắc xin`, column `same_as`) has `occurs` False
# because its twin counts its occurrences: it is not missing, and it is left out
# of the count below, as in the toolkit's warning.

# %%
validation = validate_themes(tokens, documents, themes, by=("province",))
twins = validation["same_as"] != ""
never = validation[~validation["occurs"] & ~twins]
print(f"{len(never)} of {len(validation)} terms never counted in this corpus "
      f"({int(twins.sum())} more are another term of their theme once normalized: column same_as)")
validation.sort_values("doc_freq", ascending=False).head(10)

# %% [markdown]
# ## 2b. Validate by reading: sample, code, score
#
# A term that occurs is not yet a theme that is there: *bồi thường*
# ("compensation") in a court report is damages, not land compensation; *chùa*
# ("pagoda") in a travel piece is a landmark. Every theme of `themes.toml` carries a `definition` (the sense that
# counts). The validation workflow measures the dictionary against people who
# read by that definition:
#
# 1. `validation_sample` draws documents the dictionary flags for each theme and
#    documents it flags for none (where its misses hide), spread over localities
#    and years, with each document's sampling **weight** and the KWIC lines behind
#    every hit. On the command line: `python -m toolkit validate sample CORPUS -o sheet.csv`.
# 2. Coders fill the `<theme>__coder1` (and `__coder2`) columns with 1/0. The full sheet shows the
#    dictionary's flags, terms and lines beside those columns: to code **blind**, `validate sample … --blind`
#    (`blind_sheets` in Python) also writes one sheet per coder with the documents alone, each in its own
#    order, and `validate score sheet.csv --coder-sheet sheet.coder1.csv --coder-sheet sheet.coder2.csv`
#    merges them back by `doc_id` (`merge_coder_sheets`).
# 3. `score_sheet` gives precision, recall and F1 with intervals, weighted back to
#    the corpus; `agreement` gives Cohen's kappa and Krippendorff's alpha;
#    `term_table` names the terms behind false positives and the missed documents.

# %%
from toolkit.themes.validate import score_sheet, term_table, validation_sample

key = ["site_clearance", "religion", "democracy_regulations", "covid"]
sample = validation_sample(documents, tokens, themes, theme_ids=key, n=40 if quick else 80,
                           random_state=random_state)
sample.strata

# %%
sample.sheet[["doc_id", "locality", "year", "stratum", "weight", "religion__dictionary", "religion__kwic"]].head(8)

# %% [markdown]
# Here no person codes the sheet: on the **simulated** corpus the planted themes
# of each page (its truth) stand in for a coder, which checks the plumbing, not
# the dictionary — the demo's pages were written with the dictionary's own
# keywords. What the dictionary is worth on **real** articles is measured on the
# project's labelled set (`corpora/validation/`: thousands of news articles coded
# by reading): README "Measured quality" gives each theme's precision, recall and
# F1 with intervals on the articles it was not tuned on, and `make figures`
# prints the same table under the theme figures (`tables/theme_quality.csv`).
# They differ by theme — grassroots democracy, whose edges are fuzzy, is measured
# least well. Code a sample of *your* corpus: it is the only measure of the
# dictionary on *your* pages.

# %%
planted = pd.read_csv(demo.truth / "documents.csv")
by_path = {path: set(str(t).split(";")) for path, t in zip(planted["path"], planted["themes"])}
sheet = sample.sheet.copy()
for theme in key:
    sheet[f"{theme}__coder1"] = [int(theme in next((v for k, v in by_path.items() if str(src).endswith(k)), set()))
                                 for src in sheet["source"]]
score_sheet(sheet)[["theme", "n_coded", "precision", "precision_low", "recall", "recall_low", "f1"]]

# %% [markdown]
# `term_table` has one row per theme and term counted in a coded document. The
# rows worth reading are those with **false positives** (`false_pos`: documents
# the term flagged that the coder did not code for the theme, their ids in
# `doc_ids`): the terms to narrow with an exclusion context or to make weak. The
# rest of the table lists the terms that were always right and, last for each
# theme, the missed documents.

# %%
terms = term_table(sheet)
print(f"{int((terms['false_pos'] > 0).sum())} of {len(terms)} terms flagged at least one false positive")
terms[terms["false_pos"] > 0].sort_values(["false_pos", "term_precision"], ascending=[False, True]).head(10)

# %% [markdown]
# ## 3. Theme presence per document, and shares per locality and year
#
# `theme_hits` gives one row per document × theme. `theme_shares` aggregates
# by any grouping and adds a Jeffreys interval per cell, which keeps its
# coverage in cells of a handful of documents and when no (or every) document
# has the theme — a cell of 3 documents without a hit reads "somewhere between
# 0 and about 54%" (the 95% Jeffreys interval of 0 of 3 is [0, 0.536]), not
# "exactly 0". The interval is computed, not resampled, so it needs no
# `n_boot` or `random_state`: those belong to `interval="bootstrap"`, the
# percentile bootstrap, which collapses to a point in such a cell. Empty
# cells are kept (`n_docs == 0`) and small cells flagged, so a missing year
# is never mistaken for a zero.
# A district is always grouped with its province — district names repeat
# across provinces (Huyện Châu Thành exists in ten) — so the table has
# `province`, `district` and `locality` (`"Huyện Đông Anh, Hà Nội"`).

# %%
hits = theme_hits(tokens, themes, documents=documents)
shares = theme_shares(hits, documents, by=("province", "district", "year"), min_docs=5)
shares[shares["theme"] == "covid"].head(12)

# %%
key = ["site_clearance", "religion", "democracy_regulations", "covid"]
fig = plt.figure()
plots.trend_small_multiples(shares[shares["theme"].isin(key)].assign(year=lambda d: d["year"].astype(int)),
                            panel="locality", series="theme", x="year", y="share", fig=fig)
plt.show()

# %% [markdown]
# ## 4. Read the passages: KWIC
#
# A count is only as good as its matches. `kwic` finds a term in the
# **original** text, locating it through the normalized tokens, so searching
# *giải phóng mặt bằng* (site clearance) also finds its abbreviation *GPMB* and
# the typo *giải phòng mặt bằng*. The `left` and `right` columns are the words
# around it; for a reader without Vietnamese, the recurring ones in this genre
# are *vận động* (persuade, mobilise), *người dân* / *nhân dân* (residents, the
# people), *bàn giao mặt bằng* (hand over land), *bồi thường, hỗ trợ, tái định cư*
# (compensation, support, resettlement) and *dự án* (project).

# %%
conc = kwic(documents, "giải phóng mặt bằng", window=8)
conc.head(10)

# %%
conc["keyword"].value_counts().head()

# %% [markdown]
# ## 5. Distinctive terms: keyness
#
# Which words does one district use more than the others? Grouped by
# `"district"`, the groups are localities (the district of its province). The weighted
# log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi &
# Quinn 2008) shrinks rare words toward the corpus rate, so a word used twice
# does not top the list; `z` is its standardized score. χ² and G² are given
# for comparison with older studies.
#
# A locality's own name is always its most distinctive "word" (*giao_thủy*,
# *hải_hậu*, or the syllable *giao* split from it), which tells a reader
# nothing. Place names known to the gazetteer, the syllables split from the
# corpus's own place names, and person names are therefore left out of the
# report by default; `keep_places=True` (on the command line `--keep-places`)
# keeps them. For a reader without Vietnamese, distinctive terms of this genre
# include *giải phóng mặt bằng* (site clearance), *bồi thường* (compensation),
# *tái định cư* (resettlement), *vỉa hè* (pavement), *lấn chiếm* (encroachment),
# *tôn giáo* (religion), *giáo xứ* (parish), *chức sắc* (religious dignitaries),
# *nông thôn mới* (the "new countryside" programme).

# %%
key_terms = keyness_table(tokens, documents, "district", min_count=5)
# one row per locality: its five most distinctive terms, highest z first (the table has every term of every group)
top5 = key_terms.groupby("group").head(5)
top5 = top5.assign(shown=top5["term"] + " (" + top5["z"].round(1).astype(str) + ")")
with pd.option_context("display.max_colwidth", None):
    display(top5.groupby("group", sort=False)["shown"].apply(", ".join).to_frame("top 5 terms (z)"))

# %%
fig = plt.figure()
plots.keyness_bars(key_terms, group="group", score="z", n_terms=8, fig=fig)
plt.show()

# %% [markdown]
# TF-IDF top terms answer another question: what a group writes *most*, not
# what sets it apart. Each group is one "document", and with few groups (here
# the provinces) a word that every group uses keeps an idf of 1, not 0, so the
# genre's frequent words (*hội nghị* "conference", *ban dân vận* "mass
# mobilisation board", *công tác* "work") fill the lists. What sets a group
# apart is keyness's question, above.

# %%
tfidf_top_terms(tokens, documents, "province", n_terms=8).head(16)

# %% [markdown]
# ## 6. Growing the lexicon: collocations
#
# Frequent word pairs that are not yet in `terms.txt` are candidates for new
# multiword terms. Read them, and add the ones that name a concept.

# %%
discover_collocations([list(t) for t in tokens["tokens"]], min_count=10).head(15)

# %% [markdown]
# ## Exercises
#
# 1. *Mặt bằng* ("ground, site") has other senses — *mặt bằng giá* (the price
#    level), *mặt bằng kinh doanh* (business premises) — but the demo's pages use
#    it for site clearance only. Write two sentences of your own with those
#    senses, and one about site clearance, into a small document table
#    (`mine = pd.DataFrame({"doc_id": [...], "title": "", "body": [...]})`),
#    tokenize it (`from toolkit.text.preprocess import preprocess`;
#    `mine_tokens = preprocess(mine, n_jobs=1)`) and compare `kwic(mine, "mặt bằng")`
#    with `kwic(mine, "mặt bằng", themes=themes, theme="site_clearance",
#    tokens=mine_tokens)` and `theme_hits(mine_tokens, themes, documents=mine)`.
#    Which sentences count for site clearance, and which rule of `themes.toml`
#    (an exclusion context, or the weak-term rule) leaves the others out?
# 2. Compute theme shares by `("province", "year")` and compare Nam Định with
#    Hà Nội for religion. How wide are the intervals, and why?
# 3. Run keyness for one district against **one** other district
#    (`target=`, `reference=`) instead of against all others.
