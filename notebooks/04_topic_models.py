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
# # 04 · Topic models you can defend: choosing K, seeded themes, stability
#
# A topic model (LDA) describes each document as a mixture of *topics*, each
# topic a distribution over words. Three decisions decide whether its output
# means anything, and a reader of your paper will ask about each:
#
# 1. **How many topics (K)?** There is no true K; we compare several K on
#    coherence, held-out fit, exclusivity and — above all — stability across
#    random seeds, and we read the topics.
# 2. **Is it reproducible?** The toolkit fits gensim's single-process
#    `LdaModel` with an explicit `random_state`, so the same inputs give the
#    same numbers in any process (gensim's multicore variant does not).
# 3. **Do the topics line up with the concepts we study?** *Seeded* topics put
#    a prior on the dictionary terms of a theme (as keyATM and seededlda do),
#    next to free topics that find what the dictionary missed.

# %% tags=["parameters"]
n_pages = 2000
quick = False
random_state = 2024

# %%
# %matplotlib inline
import logging
from pathlib import Path
import tempfile

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from toolkit.config import TopicsConfig
from toolkit.report import plots
from toolkit.pipeline import load_demo
from toolkit.text.vocabulary import build_vocabulary
from toolkit.themes.dictionary import load_themes
from toolkit.topics import (fit_lda, fit_seeded_lda, match_topics, representative_documents, seed_coverage,
                            seed_retention, select_n_topics, stability, top_terms)
from toolkit.report.browser import seeded_topic_labels, topic_browser_html

# The toolkit reports what a reader must know (a page left out, an extrapolation, a seeded topic that lost its
# seed terms) as `logging` warnings, which a notebook shows only once logging is configured:
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
pd.set_option("display.max_colwidth", 120)

demo = load_demo(n_pages, random_state=random_state, n_jobs=1 if quick else -1)
token_lists = [list(t) for t in demo.tokens["tokens"]]
print(len(token_lists), "documents")

# %% [markdown]
# ## 0. The vocabulary
#
# Every analysis (features, keyness, topic models) builds its vocabulary with
# one function, `build_vocabulary`, and one meaning of `min_df`/`max_df`
# (scikit-learn's): an integer is a number of documents, a float in [0, 1] a
# proportion of documents. By default every term is kept; topic models drop
# terms of a single document and terms in almost every document, as
# `make figures` does (`[topics] min_df = 2`, `max_df = 0.9`).

# %%
filters = {"min_df": TopicsConfig().min_df, "max_df": TopicsConfig().max_df}
vocabulary = build_vocabulary(token_lists, **filters)
print(vocabulary)
vocabulary.to_frame().sort_values("document_frequency", ascending=False).head(10)

# %% [markdown]
# ## 1. Choosing K
#
# `select_n_topics` fits one model per K × seed (in parallel, each fit
# single-threaded and deterministic) and scores each:
#
# * **NPMI / UMass coherence** — do a topic's top words occur together in
#   documents? (c_v is available but discouraged by its own author.)
# * **held-out likelihood** — document completion on documents the model did
#   not see;
# * **exclusivity (FREX)** and **diversity** — are topics distinct?
# * **stability** — topics matched across seeds by the Hungarian algorithm:
#   a topic that appears only with one seed is not a finding. Matching is
#   needed because of **label switching**: a topic's number means nothing, and
#   the topic that is number 3 with seed 0 may be number 7 with seed 1. Two
#   runs are compared only after each topic of one is paired with its most
#   similar topic of the other.
#
# The grid must reach past the K it recommends. When the best K is the
# largest (or smallest) of the grid, `select_n_topics` warns "the recommended
# K = … is the largest of the grid; extend the grid": the scores may still be
# improving beyond it, so the grid has not shown where they peak. Add a larger
# K and run it again; a recommendation is only worth reporting once it has a
# K on either side. On the demo corpus, (6, 10, 14) ends at the K it
# recommends, so the grid below goes on to 18.

# %%
grid = (6, 8) if quick else (6, 10, 14, 18)  # K ≥ 6: room for the four seeded themes of section 3
seeds = (0, 1) if quick else (0, 1, 2)
selection = select_n_topics(token_lists, n_topics_grid=grid, random_states=seeds, n_jobs=1 if quick else -1,
                            **filters)
print(selection.reasoning)
selection.summary if hasattr(selection, "summary") else selection.table.head()

# %%
wide = selection.table.pivot_table(index=["n_topics", "random_state"], columns="measure", values="value").reset_index()
fig = plt.figure()
plots.selection_panels(wide, fig=fig, chosen=selection.recommended)
plt.show()

# %% [markdown]
# ## 2. Fit and read the topics
#
# Top terms by probability favour frequent words (*công tác* "work, task",
# *người dân* "residents", *nhân dân* "the people" head many topics and tell
# them apart from nothing); **FREX** weighs frequency against exclusivity
# (stm's default for labelling); **relevance** (λ, as in LDAvis) moves between
# the two. The report's figures label topics with their FREX terms.

# %%
K = selection.recommended
result = fit_lda(token_lists, K, random_state=random_state, **filters)
print(result.settings_)
top_terms(result, n=8, measure="frex").groupby("topic")["term"].apply(lambda s: ", ".join(s)).to_frame()

# %% [markdown]
# Terms are not enough: **read the documents** a topic describes best (stm's
# `findThoughts`). `representative_documents` gives, for each topic, the
# documents with the highest proportion of it, with their title and the start
# of their text. Name a topic only after reading them. (The demo's pages are
# written for this project; on a real corpus this is where a topic turns out
# to be a template, a kind of meeting report or a real theme.)

# %%
reps = representative_documents(result, demo.documents, n=2, excerpt_length=160)
reps[["topic", "rank", "proportion", "title", "excerpt"]].head(8)

# %% [markdown]
# For a reader without Vietnamese: the demo's headlines are of the genre's
# usual kinds — *Hội nghị* (a conference or meeting), *Ban Dân vận Huyện ủy*
# (the Mass Mobilisation Board of the district Party committee), *giải phóng
# mặt bằng* (site clearance), *chức sắc tôn giáo* (religious dignitaries),
# *quy chế dân chủ ở cơ sở* (grassroots-democracy regulations), *phòng, chống
# dịch COVID-19* (COVID-19 prevention), *dân vận khéo* ("skilful mass
# mobilisation", an emulation movement).
# %% [markdown]
# Same seed, same numbers — try it:

# %%
again = fit_lda(token_lists, K, random_state=random_state, **filters)
assert np.array_equal(result.topic_word_, again.topic_word_)

# %% [markdown]
# How stable are the topics across seeds? Because of label switching, the
# topics of two runs are first paired one to one (the Hungarian algorithm
# maximises the total cosine similarity of the pairs). The table pairs the
# topics of **the model above** (`random_state`; its FREX terms are the table of
# section 2, topics numbered from 0 as there) with those of a refit with
# another seed, how similar each pair is, and the FREX terms of both, so a weak
# pair can be looked up in the model you read:

# %%
runs = [fit_lda(token_lists, K, random_state=s, **filters) for s in seeds]
# every run shares the corpus's vocabulary, so their topic-word matrices have the same columns
assert all(list(run.vocabulary_) == list(result.vocabulary_) for run in runs)
other_seed = seeds[0] if seeds[0] != random_state else seeds[1]   # a seed other than the model's
other = runs[seeds.index(other_seed)]
pairing, similarity = match_topics(result.topic_word_, other.topic_word_)


def frex_of(model, n=4):
    return top_terms(model, n=n, measure="frex").groupby("topic")["term"].apply(", ".join)


pd.DataFrame({f"topic (model above, random_state={random_state})": np.arange(K),
              "its FREX terms": frex_of(result).to_numpy(),
              f"matched topic (random_state={other_seed})": pairing,
              "matched FREX terms": frex_of(other).reindex(pairing).to_numpy(),
              "cosine similarity": similarity.round(2)}).sort_values("cosine similarity", ignore_index=True)

# %% [markdown]
# The weakest pairs come first: a topic whose best match is weak is not a
# finding. `stability` does this for every pair of the runs with the seeds of
# section 1 (`seeds`): one value per run, the mean similarity of its topics to
# their matches in the other runs (1 = the same topics every time).

# %%
stability(runs)

# %% [markdown]
# The selection table of section 1 gives another stability for the same K
# and seeds, and the difference is no error: `select_n_topics` fits every
# model on the training documents only (it holds out a fifth of them for the
# held-out likelihood), with the vocabulary of those documents, while the runs
# here use every document. Other documents give other fits, so the two
# numbers measure the same property on different data. Compare K with the
# selection's numbers; report the stability of the runs of the model you fit.

# %%
in_selection = selection.summary.query("n_topics == @K and measure == 'stability'")["mean"].iloc[0]
print(f"K = {K}: stability {stability(runs).mean():.3f} on all {len(token_lists)} documents, "
      f"{in_selection:.3f} in the selection ({int(selection.table['n_docs'].iloc[0])} training documents)")

# %% [markdown]
# ## 3. Seeded themes
#
# Before fitting, check how many seed terms of each theme are in the model's
# vocabulary: a theme with none cannot be seeded (the toolkit stops with a
# clear message rather than fitting a meaningless topic).

# %%
themes = load_themes().token_terms()
# site clearance, religion, grassroots-democracy regulations, COVID-19
key = {k: themes[k] for k in ("site_clearance", "religion", "democracy_regulations", "covid")}
seed_coverage(key, vocabulary)

# %% [markdown]
# K counts **every** topic, the seeded ones included: with the four themes
# above, the model has 4 seeded and K − 4 free topics (K = 10: 6 free; the K
# chosen above gives `K - 4`). A K that leaves no free topic (here below 5) is
# refused with an error, never raised quietly.
# Fitting on the token table (not bare token lists) gives the model the
# documents' `doc_id`s, by which effects and prevalence find their metadata.

# %%
seeded = fit_seeded_lda(demo.tokens[["doc_id", "tokens"]], key, K, random_state=random_state, **filters)
retention = seed_retention(seeded)
retention[["label", "n_seeds_in_vocabulary", "seeds_in_top_terms", "seed_mass", "seed_capture", "main_seed_topic",
           "held"]]

# %% [markdown]
# A seed prior steers a topic; it does not make the topic about its theme.
# Where the corpus has few documents of a theme, the data win and the topic
# that carries the theme's name is about something else; where it has many,
# the fit can give the theme to a free topic instead. `seed_retention`
# checks each seeded topic once fitted: **`held`** is `True` when at least two
# of its seed terms are among its 20 most probable terms (one, if the topic
# takes at least 80% of the seed terms' occurrences) *and* no other topic
# takes more of those occurrences (`seed_capture` is the seeded topic's
# share, `main_seed_topic` the topic with the largest). **A topic that is not
# held must not be read by its theme's name** — nor its prevalence or its
# effects: read its words and name it by them. `fit_seeded_lda` names such a
# topic in a warning (above, if there is one), and below, as in the report's
# figures, its label says "(seed terms lost)" or "(seed terms mostly
# elsewhere)". FREX terms (frequent *and* exclusive) are what to read it by.

# %%
shown = seeded_topic_labels(seeded)  # label → label marked as the figures mark it, for the topics not held
words = pd.DataFrame({measure: top_terms(seeded, n=8, measure=measure).groupby("label", sort=False)["term"]
                      .apply(", ".join) for measure in ("prob", "frex")})
words.loc[list(key)].rename(index=shown)

# %% [markdown]
# ## 4. Browse
#
# `topic_browser_html` writes one self-contained HTML page (no internet
# needed): an inter-topic map, and for a chosen topic its terms with a λ
# slider and its most representative documents.

# %%
page = Path(tempfile.mkdtemp()) / "topics.html"
page.write_text(topic_browser_html(seeded, demo.documents), encoding="utf-8")
print(page, page.stat().st_size // 1024, "kB")

# %% [markdown]
# ## Exercises
#
# 1. Add K = 22 to the grid. Which measures keep improving, and which fall?
#    Is stability still acceptable, and does the recommended K change?
# 2. Fit with `engine="tomotopy"`. Are the topics the same as gensim's?
#    (Match them with `toolkit.topics.match_topics`.)
# 3. Seed only `religion` and read its top terms. What do the free topics
#    pick up that the dictionary does not list?
