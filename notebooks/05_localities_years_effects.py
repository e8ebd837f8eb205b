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
# # 05 · Comparing localities and years: effects with uncertainty
#
# The research question is comparative: *does site clearance weigh more in
# peri-urban districts? did grassroots-democracy regulations gain ground after
# the 2022 Law on Implementing Democracy at the Grassroots took effect on
# 1 July 2023?* A topic model gives each document topic proportions; we now
# regress those proportions on locality and year.
#
# The proportions are estimates, not data. Following stm's `estimateEffect`,
# `estimate_effects` uses the **method of composition**: it draws document-topic
# proportions from the model's posterior many times, runs the regression on
# each draw, and pools the coefficient draws — so the intervals carry the
# uncertainty of the topic model as well as the sampling uncertainty.
#
# `TopicEffects` does this once — it checks the formula and the data, builds
# the design, draws, and keeps the draws — and then answers several questions
# from the same draws: the effects table (`.table()`), predicted prevalence
# (`.predict(newdata)`) and the difference between two values (`.contrast`).
# `estimate_effects(...)` is the one-call shortcut for the table. The
# metadata is matched to the model's documents by `doc_id`, so its row order
# does not matter.
#
# The demo corpus is simulated, so we know the truth and can check the
# answers.

# %% tags=["parameters"]
n_pages = 2000
quick = False
random_state = 2024

# %%
import matplotlib.pyplot as plt
import pandas as pd

from toolkit.config import TopicsConfig
from toolkit.report import plots
from toolkit.pipeline import load_demo
from toolkit.places import with_locality
from toolkit.themes.dictionary import load_themes
from toolkit.topics import TopicEffects, estimate_effects, fit_seeded_lda, prevalence_by_group

demo = load_demo(n_pages)
docs = demo.documents.reset_index(drop=True)
themes = load_themes().token_terms()
key = {k: themes[k] for k in ("site_clearance", "religion", "democracy_regulations", "covid")}
# 8 (quick) or 10 topics in all: the 4 seeded themes and 4 or 6 free topics.
topics_config = TopicsConfig()  # the topic models' vocabulary, as in `make figures`
result = fit_seeded_lda(demo.tokens[["doc_id", "tokens"]], key, 8 if quick else 10, random_state=random_state,
                        min_df=topics_config.min_df, max_df=topics_config.max_df)
meta = docs[["doc_id", "province", "district", "locality", "year"]].copy()
meta["year"] = meta["year"].astype("Int64")   # pages whose year was not found stay NA; the models leave them out
meta["after_law"] = (docs["date"].fillna("") >= "2023-07-01").astype(int)
print(result.topic_labels_)

# %% [markdown]
# ## 1. Locality and year effects
#
# A formula says what to compare. `C(locality)` compares every locality with a
# reference locality; a locality is a district of its province
# (`"Huyện Đông Anh, Hà Nội"`), because district names repeat across
# provinces — Huyện Châu Thành exists in ten — and `C(district)` would make
# them one place. `bs(year, df=3)` lets the year trend bend (a B-spline);
# interactions such as `C(province) * year` let trends differ by province.

# %%
model = TopicEffects("~ C(locality) + bs(year, df=3)", n_draws=20 if quick else 50,
                     random_state=random_state).fit(result, meta)
effects = model.table()
effects[effects["label"] == "site_clearance"]

# %%
fig, ax = plt.subplots(figsize=(7, 5))
plots.forest_plot(effects[(effects["label"] == "site_clearance") & effects["term"].str.startswith("C(locality)")],
                  ax=ax, title="Site clearance: locality effects (vs reference locality)")
plt.show()

# %% [markdown]
# ## 2. Before and after the 2023 law
#
# A simple before/after indicator with locality fixed effects. The planted
# truth raises the share of grassroots-democracy content after mid-2023.

# %%
law = estimate_effects(result, meta, "~ C(locality) + year + after_law", n_draws=20 if quick else 50,
                       random_state=random_state)
law[law["term"] == "after_law"]

# %% [markdown]
# ## 3. Predicted prevalence with intervals
#
# Coefficients of splines are hard to read; predictions are not. Predict the
# proportion of each key topic for each year in two contrasting districts.

# %%
years = sorted(int(y) for y in meta["year"].dropna().unique())
newdata = pd.DataFrame([(d, y) for d in ("Huyện Đông Anh, Hà Nội", "Huyện Hải Hậu, Nam Định") for y in years],
                       columns=["locality", "year"])
pred = model.predict(newdata)   # the same draws as the table above: nothing is refitted
pred_key = pred[pred["label"].isin(key)]
fig = plt.figure()
plots.trend_small_multiples(pred_key, panel="locality", series="label", x="year", y="estimate", fig=fig,
                            ylabel="Predicted topic proportion", title="Predicted prevalence")
plt.show()

# %% [markdown]
# The difference between two localities, other covariates at their typical
# values (here the median year), with an interval from the same draws:

# %%
difference = model.contrast("locality", "Huyện Hải Hậu, Nam Định", "Huyện Đông Anh, Hà Nội")
difference[difference["label"].isin(list(key))]

# %% [markdown]
# ## 4. Raw prevalence by group, and a placebo
#
# Without a model, the mean proportion per locality and year (with intervals
# from posterior draws and a bootstrap over documents) shows the same
# patterns — and where the data are thin.

# %%
prev = prevalence_by_group(result, meta, by=("province", "year"), n_draws=20 if quick else 50,
                           random_state=random_state)
prev[prev["label"] == "religion"].pivot_table(index="province", columns="year", values="prevalence").round(2)

# %% [markdown]
# A **placebo**: a covariate with no relation to the text (random labels)
# should have intervals that cover zero. If it does not, the intervals are too
# narrow.

# %%
import numpy as np

meta["placebo"] = np.random.default_rng(random_state).choice(["a", "b"], size=len(meta))
placebo = estimate_effects(result, meta, "~ C(placebo)", n_draws=20 if quick else 50, random_state=random_state)
placebo[placebo["term"] != "Intercept"][["label", "term", "estimate", "ci_low", "ci_high"]]

# %% [markdown]
# ## 5. Check against the planted truth
#
# The simulator saved the probability that a document of each district and
# year carries each theme. Compare the planted site-clearance probability by
# locality with the estimated prevalence (`by=("district",)` groups by
# province, district and locality).

# %%
truth = pd.read_csv(demo.truth / "theme_shares.csv")
truth = with_locality(truth)
planted = truth[truth["theme"] == "site_clearance"].groupby("locality")["share"].mean().rename("planted")
estimated = (prevalence_by_group(result, meta, by=("district",), n_draws=10, random_state=random_state)
             .query("label == 'site_clearance'").set_index("locality")["prevalence"].rename("estimated"))
comparison = pd.concat([planted, estimated], axis=1).sort_values("planted")
print("rank correlation:", round(comparison.corr(method="spearman").iloc[0, 1], 2))
comparison

# %% [markdown]
# ## Exercises
#
# 1. Fit `~ C(province) * year` and interpret the interaction for religion.
# 2. Reduce `n_draws` to 5 and then raise it to 200. How do the intervals
#    change, and why does the method of composition need many draws?
# 3. Drop every document of one locality from 2020–2022 and re-estimate.
#    Which intervals widen?
