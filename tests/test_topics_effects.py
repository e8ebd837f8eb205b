"""Tests of toolkit.topics.effects (method of composition) and the effects/browse CLI."""

from __future__ import annotations

import logging
import re
import types

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment

from toolkit.topics.effects import (
    TopicEffects,
    draw_doc_topic,
    estimate_effects,
    prevalence_by_group,
)

DISTRICTS = ["Ba Vì", "Sóc Sơn", "Đông Anh"]
SYLLABLES = ["đất", "nước", "dân", "vận", "hòa", "thủy", "ủy", "ban", "xã", "huyện", "lúa", "mùa",
             "đường", "làng", "chợ", "trường", "học", "sinh", "bệnh", "viện"]


def _vocabulary(n: int) -> list[str]:
    words = [f"{a}_{b}" for a in SYLLABLES for b in SYLLABLES if a != b]
    return words[:n]


# ---------------------------------------------------------------------------
# helpers: results with exactly known θ draws (no LDA)
# ---------------------------------------------------------------------------


def _exact_result(theta: np.ndarray, draws: np.ndarray | None = None):
    """A result whose posterior draws are given (``draws``) or exactly θ."""

    def sample_doc_topic(n_draws, random_state=None):
        if draws is None:
            return np.broadcast_to(theta, (n_draws,) + theta.shape).copy()
        return draws[:n_draws]

    k = theta.shape[1]
    return types.SimpleNamespace(doc_topic_=theta, topic_labels_=[f"chủ đề {i}" for i in range(k)],
                                 n_topics=k, sample_doc_topic=sample_doc_topic, doc_ids=_ids(len(theta)))


def _ids(n: int) -> list[str]:
    return [f"bài-{i:04d}" for i in range(n)]


def _linear_data(rng, n=300, k=3):
    meta = pd.DataFrame({"doc_id": _ids(n), "district": rng.choice(DISTRICTS, n),
                         "year": rng.integers(2010, 2021, n)})
    x = pd.get_dummies(meta["district"], drop_first=True).to_numpy(float)
    X = np.column_stack([np.ones(n), x, meta["year"].to_numpy(float) - 2015])
    beta = np.array([[0.3, 0.2, 0.5], [0.05, -0.04, 0.0], [-0.02, 0.03, 0.0], [0.01, 0.0, -0.01]])[:, :k]
    theta = X @ beta + rng.normal(0, 0.05, (n, k))
    return meta, X, beta, theta


# ---------------------------------------------------------------------------
# composition machinery with exact θ
# ---------------------------------------------------------------------------


def test_exact_theta_recovers_beta_and_columns():
    rng = np.random.default_rng(1)
    meta, X, beta, theta = _linear_data(rng, n=2000)
    meta = meta.assign(year=meta["year"] - 2015)
    out = estimate_effects(_exact_result(theta), meta, "~ C(district) + year", n_draws=5, random_state=0)
    assert list(out.columns) == ["topic", "label", "term", "estimate", "std_error", "ci_low", "ci_high",
                                 "uncertainty"]
    assert (out["uncertainty"] == "document").all()
    assert out["term"].tolist()[:4] == ["Intercept", "C(district)[T.Sóc Sơn]", "C(district)[T.Đông Anh]", "year"]
    assert out["topic"].is_monotonic_increasing
    est = out.pivot(index="term", columns="topic", values="estimate").loc[out["term"].unique()[:4]].to_numpy()
    ols = np.linalg.lstsq(X, theta, rcond=None)[0]
    np.testing.assert_allclose(est, ols, atol=0.004)
    np.testing.assert_allclose(est, beta, atol=0.02)
    assert (out["ci_low"] <= out["estimate"]).all() and (out["estimate"] <= out["ci_high"]).all()
    assert out.attrs["n_docs"] == 2000


def test_exact_theta_interval_coverage_near_nominal():
    rng = np.random.default_rng(2)
    hits, reps = [], 200
    for r in range(reps):
        meta, X, beta, theta = _linear_data(rng, n=60, k=2)
        out = estimate_effects(_exact_result(theta), meta, "~ C(district) + year", n_draws=2,
                               n_coef_draws=100, random_state=r, ci=0.9)
        year = out[out["term"] == "year"].sort_values("topic")
        truth = beta[3, :2]
        hits.extend(((year["ci_low"].to_numpy() <= truth) & (truth <= year["ci_high"].to_numpy())).tolist())
    coverage = np.mean(hits)
    assert 0.84 <= coverage <= 0.96, coverage


def test_posterior_spread_widens_intervals():
    rng = np.random.default_rng(3)
    meta, X, beta, theta = _linear_data(rng, n=400)
    noisy = theta[None] + rng.normal(0, 0.2, (30,) + theta.shape)
    tight = estimate_effects(_exact_result(theta), meta, "~ C(district) + year", n_draws=30, random_state=0)
    wide = estimate_effects(_exact_result(theta, noisy), meta, "~ C(district) + year", n_draws=30, random_state=0)
    assert (wide["std_error"].to_numpy() > tight["std_error"].to_numpy()).mean() > 0.9


def test_hc_covariance_and_topic_selection():
    rng = np.random.default_rng(4)
    meta, X, beta, theta = _linear_data(rng)
    res = _exact_result(theta)
    out = estimate_effects(res, meta, "~ C(district) * year", topics=["chủ đề 1"], cov_type="HC1",
                           n_draws=3, random_state=0)
    assert set(out["topic"]) == {1}
    assert "C(district)[T.Sóc Sơn]:year" in set(out["term"])
    with pytest.raises(ValueError, match="cov_type"):
        estimate_effects(res, meta, "~ year", cov_type="HC9", n_draws=2, random_state=0)


def test_splines_nullable_year_and_missing_district():
    rng = np.random.default_rng(5)
    meta, X, beta, theta = _linear_data(rng)
    meta["year"] = pd.array(meta["year"], dtype="Int64")
    meta.loc[0, "year"] = pd.NA
    meta.loc[1, "district"] = ""
    out = estimate_effects(_exact_result(theta), meta, "~ C(district) + bs(year, df=3)", n_draws=3, random_state=0)
    assert out.attrs["n_docs"] == len(meta) - 2
    assert "C(district)[T.]" not in set(out["term"])
    assert sum(t.startswith("bs(year") for t in out["term"].unique()) == 3


def test_year_levels_read_as_years_though_the_column_is_float():
    # the document table's year is a float column once an undated document is in it: C(year)[T.2020], not 2020.0
    rng = np.random.default_rng(5)
    meta, X, beta, theta = _linear_data(rng)
    meta["year"] = meta["year"].astype(float)
    meta.loc[0, "year"] = np.nan
    out = estimate_effects(_exact_result(theta), meta, "~ C(year)", n_draws=3, random_state=0)
    years = sorted(t for t in out["term"].unique() if t.startswith("C(year)"))
    assert years and all(re.fullmatch(r"C\(year\)\[T\.\d{4}\]", t) for t in years), years
    # and the fitted object predicts at float or integer years alike
    fit = TopicEffects("~ C(year)", n_draws=3, random_state=0).fit(_exact_result(theta), meta)
    last = meta["year"].max()
    pred = fit.predict(pd.DataFrame({"year": [float(last), int(last)]}))
    k = theta.shape[1]
    np.testing.assert_allclose(pred["estimate"].iloc[:k].to_numpy(), pred["estimate"].iloc[k:].to_numpy())


def test_a_categorical_level_of_a_few_documents_is_warned_about(caplog):
    # dantri 2019-21: "~ C(year)" compared every year with 2019's 2 documents, whose clustered variance was ~0
    rng = np.random.default_rng(3)
    meta, X, beta, theta = _linear_data(rng)
    meta["year"] = np.where(np.arange(len(meta)) < 2, 2009, np.where(np.arange(len(meta)) < 5, 2030, 2015))
    with caplog.at_level(logging.WARNING, logger="toolkit.topics.effects"):
        TopicEffects("~ C(year)", n_draws=2, random_state=0, cov_type="HC1").fit(_exact_result(theta), meta)
    assert ("year = 2009, the reference level every other level of year is compared with, has 2 document(s); under "
            "HC1 covariance") in caplog.text
    assert "C(year, Treatment(reference=…))" in caplog.text
    assert "year = 2030 has 3 document(s): its coefficient rests on them" in caplog.text
    assert "2015" not in caplog.text
    # with the reference named (as the run now chooses it), 2009 is a small level like any other, 2015 the reference
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="toolkit.topics.effects"):
        TopicEffects("~ C(year, Treatment(reference=2015))", n_draws=2, random_state=0,
                     cov_type="HC1").fit(_exact_result(theta), meta)
    assert "year = 2009 has 2 document(s): its coefficient rests on them" in caplog.text
    assert "reference level" not in caplog.text and "2015" not in caplog.text
    caplog.clear()
    meta["year"] = 2015 + np.arange(len(meta)) % 3
    with caplog.at_level(logging.WARNING, logger="toolkit.topics.effects"):
        TopicEffects("~ C(year)", n_draws=2, random_state=0).fit(_exact_result(theta), meta)
    assert "document(s)" not in caplog.text


def test_predictions_outside_the_documents_say_they_extrapolate(caplog):
    # dantri: business × 2019 (no document) predicted COVID at -0.17, year 2030 at 0.69 [0.38, 1.03], silently
    rng = np.random.default_rng(4)
    meta, X, beta, theta = _linear_data(rng)
    meta = meta.assign(district=np.where(meta["year"] > 2012, meta["district"], DISTRICTS[0]))
    fit = TopicEffects("~ C(district) + year", n_draws=2, random_state=0).fit(_exact_result(theta), meta)
    with caplog.at_level(logging.WARNING, logger="toolkit.topics.effects"):
        fit.predict(pd.DataFrame({"district": [DISTRICTS[1]], "year": [2015]}))
    assert caplog.text == ""
    with caplog.at_level(logging.WARNING, logger="toolkit.topics.effects"):
        fit.predict(pd.DataFrame({"district": [DISTRICTS[1]], "year": [2040]}))
        fit.contrast("year", 2000, 2015)
    assert "year = 2040 lies outside the documents' range 2010–2020" in caplog.text
    assert "year = 2000 lies outside" in caplog.text
    caplog.clear()
    cells = TopicEffects("~ C(district) + C(year)", n_draws=2, random_state=0).fit(_exact_result(theta), meta)
    with caplog.at_level(logging.WARNING, logger="toolkit.topics.effects"):
        cells.predict(pd.DataFrame({"district": [DISTRICTS[1], DISTRICTS[0]], "year": [2011, 2011]}))
    assert f"no document of the fit has district = {DISTRICTS[1]}, year = 2011" in caplog.text
    assert f"district = {DISTRICTS[0]}, year = 2011:" not in caplog.text
    # a linear model on θ can leave [0, 1]: the count is said
    far = fit.predict(pd.DataFrame({"district": [DISTRICTS[1]] * 2, "year": [1000, 3000]}))
    n = int(((far["estimate"] < 0) | (far["estimate"] > 1)).sum())
    assert n and f"{n} of {len(far)} predicted proportions fall outside [0, 1]" in caplog.text


def test_deterministic_given_seed_and_errors():
    rng = np.random.default_rng(6)
    meta, X, beta, theta = _linear_data(rng)
    gamma = np.abs(theta) * 50 + 0.1
    res = types.SimpleNamespace(doc_topic_=gamma / gamma.sum(1, keepdims=True), doc_topic_concentration_=gamma,
                                topic_labels_=["a", "b", "c"], doc_ids=_ids(len(gamma)))
    a = estimate_effects(res, meta, "~ C(district) + year", n_draws=4, random_state=7)
    b = estimate_effects(res, meta, "~ C(district) + year", n_draws=4, random_state=7)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError, match=r"1 of the model's 300 documents are not in metadata \(doc_id bài-0299\)"):
        estimate_effects(res, meta.iloc[:-1], "~ year", n_draws=2, random_state=0)
    with pytest.raises(ValueError, match="rank deficient"):
        estimate_effects(res, meta.assign(y2=meta["year"] * 2), "~ year + y2", n_draws=2, random_state=0)


def test_draw_doc_topic_dirichlet_fallback():
    gamma = np.array([[9.0, 1.0], [1.0, 1.0], [0.5, 30.0]])
    res = types.SimpleNamespace(doc_topic_=gamma / gamma.sum(1, keepdims=True), doc_topic_concentration_=gamma)
    draws = draw_doc_topic(res, 4000, random_state=0)
    assert draws.shape == (4000, 3, 2)
    np.testing.assert_allclose(draws.sum(axis=2), 1.0)
    np.testing.assert_allclose(draws.mean(axis=0), res.doc_topic_, atol=0.02)
    np.testing.assert_array_equal(draws[:10], draw_doc_topic(res, 4000, random_state=0)[:10])
    # the method wins when present
    called = {}

    def sample(n, rs):
        called["n"] = n
        return np.broadcast_to(res.doc_topic_, (n, 3, 2)).copy()

    res.sample_doc_topic = sample
    assert draw_doc_topic(res, 3, random_state=0).shape == (3, 3, 2) and called["n"] == 3


def test_predict_prevalence_matches_ols():
    rng = np.random.default_rng(8)
    meta, X, beta, theta = _linear_data(rng, n=1000)
    newdata = pd.DataFrame({"district": ["Đông Anh", "Ba Vì"], "year": [2012, 2018]})
    out = TopicEffects("~ C(district) + year", n_draws=4).fit(_exact_result(theta), meta).predict(newdata)
    assert list(out.columns) == ["district", "year", "topic", "label", "estimate", "ci_low", "ci_high"]
    assert out["district"].tolist() == ["Đông Anh"] * 3 + ["Ba Vì"] * 3
    ols = np.linalg.lstsq(X, theta, rcond=None)[0]
    xnew = np.array([[1, 0, 1, 2012 - 2015], [1, 0, 0, 2018 - 2015]], float)
    np.testing.assert_allclose(out["estimate"].to_numpy(), (xnew @ ols).ravel(), atol=0.005)
    assert (out["ci_low"] < out["estimate"]).all() and (out["estimate"] < out["ci_high"]).all()


def test_contrast_sign():
    rng = np.random.default_rng(9)
    meta, X, beta, theta = _linear_data(rng, n=1500)
    out = TopicEffects("~ C(district) + year", n_draws=4).fit(_exact_result(theta), meta).contrast(
        "district", "Ba Vì", "Sóc Sơn")
    assert list(out["topic"]) == [0, 1, 2]
    assert out.loc[0, "ci_low"] > 0.02 and out.loc[1, "ci_high"] < -0.02  # β = +0.05, −0.04


def test_contrast_says_which_value_is_subtracted_from_which():
    """``contrast(v, a, b)`` is b − a ("from a to b"); a reader of the table sees it without the docstring."""
    rng = np.random.default_rng(9)
    meta, X, beta, theta = _linear_data(rng, n=600)
    fitted = TopicEffects("~ C(district) + year", n_draws=4).fit(_exact_result(theta), meta)
    out = fitted.contrast("district", "Ba Vì", "Sóc Sơn")
    assert list(out.columns) == ["topic", "label", "variable", "value_a", "value_b", "difference", "estimate",
                                 "ci_low", "ci_high"]
    assert (out["difference"] == "Sóc Sơn − Ba Vì").all()   # U+2212: a district name may hold a hyphen
    assert out.loc[0, "estimate"] > 0                       # β of Sóc Sơn against Ba Vì is +0.05
    # swapping the values swaps the text and the sign, never one without the other
    back = fitted.contrast("district", "Sóc Sơn", "Ba Vì")
    assert (back["difference"] == "Ba Vì − Sóc Sơn").all()
    np.testing.assert_allclose(back["estimate"], -out["estimate"])
    # numbers as written, also when the column was read as floats
    years = fitted.contrast("year", 2012.0, 2018)
    assert (years["difference"] == "2018 − 2012").all()


def test_prevalence_by_group_empty_cells_and_means(caplog):
    theta = np.array([[0.8, 0.2], [0.6, 0.4], [0.1, 0.9], [0.3, 0.7], [0.5, 0.5]])
    meta = pd.DataFrame({"doc_id": _ids(5), "district": ["Ba Vì", "Ba Vì", "Sóc Sơn", "Sóc Sơn", ""],
                         "year": pd.array([2020, 2020, 2020, 2021, 2021], dtype="Int64")})
    res = types.SimpleNamespace(doc_topic_=theta, doc_topic_concentration_=theta * 100, topic_labels_=["x", "y"],
                                doc_ids=_ids(5))
    with caplog.at_level("WARNING", logger="toolkit.topics.effects"):
        out = prevalence_by_group(res, meta, n_draws=30, random_state=0)
    # the log names the table the undistricted document leaves, not the model (a researcher read it as the effects)
    assert "topic prevalence by district/year: 1 of 5 documents have no district or year" in caplog.text
    assert "the model keeps them; effects leave out the documents missing a covariate" in caplog.text
    # No province column: nothing to qualify the district with.
    assert list(out.columns) == ["district", "year", "topic", "label", "n_docs", "prevalence", "ci_low", "ci_high"]
    assert len(out) == 2 * 2 * 2  # 2 districts × 2 years × 2 topics; "" is missing
    empty = out[(out["district"] == "Ba Vì") & (out["year"] == 2021)]
    assert (empty["n_docs"] == 0).all() and empty["prevalence"].isna().all() and empty["ci_low"].isna().all()
    cell = out[(out["district"] == "Ba Vì") & (out["year"] == 2020) & (out["topic"] == 0)].iloc[0]
    assert cell["n_docs"] == 2 and cell["prevalence"] == pytest.approx(0.7)
    assert cell["ci_low"] < 0.7 < cell["ci_high"]
    again = prevalence_by_group(res, meta, n_draws=30, random_state=0)
    pd.testing.assert_frame_equal(out, again)
    overall = prevalence_by_group(res, meta, by=(), n_draws=10, random_state=0)
    assert overall["prevalence"].tolist() == pytest.approx(theta.mean(axis=0).tolist())


# ---------------------------------------------------------------------------
# same-named districts of different provinces
# ---------------------------------------------------------------------------


def _same_named_data(rng, n=240):
    """Huyện Châu Thành of Bến Tre and of Tiền Giang (different effects), Huyện Long Phú, and
    documents of Bến Tre with an unknown district; no locality column."""
    places = [("Bến Tre", "Huyện Châu Thành"), ("Tiền Giang", "Huyện Châu Thành"), ("Sóc Trăng", "Huyện Long Phú"),
              ("Bến Tre", "")]
    pick = rng.integers(0, len(places), n)
    meta = pd.DataFrame({"doc_id": _ids(n), "province": [places[i][0] for i in pick],
                         "district": [places[i][1] for i in pick], "year": rng.integers(2018, 2024, n)})
    effect = np.array([0.0, 0.15, -0.05, 0.05])[pick]  # reference: Châu Thành, Bến Tre
    t0 = 0.3 + effect + rng.normal(0, 0.02, n)
    theta = np.column_stack([t0, 1 - t0])
    return meta, theta


def test_effects_same_named_districts_are_two_coefficients(caplog):
    meta, theta = _same_named_data(np.random.default_rng(3))
    out = estimate_effects(_exact_result(theta), meta, n_draws=3, random_state=0)  # default formula
    assert out.attrs["formula"].startswith("~ C(locality)")
    est = out[out["topic"] == 0].set_index("term")["estimate"]
    # Reference level: "Bến Tre" (district unknown, effect 0.05), the first in sort order.
    assert list(est.index[1:4]) == ["C(locality)[T.Huyện Châu Thành, Bến Tre]",
                                    "C(locality)[T.Huyện Châu Thành, Tiền Giang]", "C(locality)[T.Huyện Long Phú, Sóc Trăng]"]
    assert est["Intercept"] == pytest.approx(0.35, abs=0.02)
    assert est["C(locality)[T.Huyện Châu Thành, Bến Tre]"] == pytest.approx(-0.05, abs=0.02)
    assert est["C(locality)[T.Huyện Châu Thành, Tiền Giang]"] == pytest.approx(0.10, abs=0.02)
    assert est["C(locality)[T.Huyện Long Phú, Sóc Trăng]"] == pytest.approx(-0.10, abs=0.02)
    # Written on the district itself, the two Châu Thành are one level, and a warning says so.
    with caplog.at_level("WARNING", logger="toolkit.topics.effects"):
        merged = estimate_effects(_exact_result(theta), meta, "~ C(district) + year", n_draws=2, random_state=0)
    assert "Huyện Châu Thành" in caplog.text and "C(locality)" in caplog.text
    assert not any("Tiền Giang" in t for t in merged["term"])


def test_prevalence_by_group_same_named_districts():
    meta, theta = _same_named_data(np.random.default_rng(4))
    res = types.SimpleNamespace(doc_topic_=theta, doc_topic_concentration_=theta * 200, topic_labels_=["x", "y"],
                                doc_ids=_ids(len(theta)))
    out = prevalence_by_group(res, meta, by=("district", "year"), n_draws=5, random_state=0)
    assert list(out.columns[:4]) == ["province", "district", "locality", "year"]
    # Observed places only (never Long Phú in Bến Tre), crossed with the 6 years, × 2 topics.
    assert out[["province", "district"]].drop_duplicates().values.tolist() == [
        ["Bến Tre", ""], ["Bến Tre", "Huyện Châu Thành"], ["Sóc Trăng", "Huyện Long Phú"],
        ["Tiền Giang", "Huyện Châu Thành"]]
    assert len(out) == 4 * 6 * 2
    means = out[out["topic"] == 0].groupby("locality").apply(
        lambda g: np.average(g["prevalence"], weights=g["n_docs"]), include_groups=False)
    assert means["Huyện Châu Thành, Tiền Giang"] - means["Huyện Châu Thành, Bến Tre"] == pytest.approx(0.15, abs=0.02)


# ---------------------------------------------------------------------------
# planted effect recovered through LDA
# ---------------------------------------------------------------------------


def _simulate(rng, n_docs=1500, n_topics=4, n_terms=120, doc_length=60):
    vocab = _vocabulary(n_terms)
    block = n_terms // n_topics
    topic_word = np.full((n_topics, n_terms), 0.02 / n_terms)
    for k in range(n_topics):
        topic_word[k, k * block:(k + 1) * block] += rng.dirichlet(np.full(block, 2.0))
    topic_word /= topic_word.sum(axis=1, keepdims=True)
    meta = pd.DataFrame({"doc_id": _ids(n_docs), "district": rng.choice(DISTRICTS, n_docs),
                         "year": rng.integers(2010, 2021, n_docs),
                         "placebo": rng.choice(["nhóm A", "nhóm B", "nhóm C"], n_docs)})
    eta = np.zeros((n_docs, n_topics))
    eta[:, 1] += 1.2 * (meta["district"] == "Sóc Sơn").to_numpy()   # district effect on topic 1
    eta[:, 2] += 0.15 * (meta["year"].to_numpy() - 2015)             # linear year effect on topic 2
    eta += rng.normal(0, 1.0, eta.shape)
    theta = np.exp(eta)
    theta /= theta.sum(axis=1, keepdims=True)
    # tokens by inverse-CDF sampling, vectorized over all tokens of the corpus
    doc = np.repeat(np.arange(n_docs), doc_length)
    z = np.minimum((rng.random(doc.size)[:, None] > np.cumsum(theta, axis=1)[doc]).sum(axis=1), n_topics - 1)
    w = np.minimum((rng.random(doc.size)[:, None] > np.cumsum(topic_word, axis=1)[z]).sum(axis=1), n_terms - 1)
    docs = [list(row) for row in np.asarray(vocab, dtype=object)[w].reshape(n_docs, doc_length)]
    return docs, vocab, topic_word, theta, meta


def _fit_gensim(docs, n_topics, passes=10):
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    dictionary = Dictionary(docs)
    corpus = [dictionary.doc2bow(d) for d in docs]
    lda = LdaModel(corpus, id2word=dictionary, num_topics=n_topics, passes=passes, iterations=100, chunksize=250,
                   alpha="auto", random_state=0)
    gamma, _ = lda.inference(corpus)
    vocab = [dictionary[i] for i in range(len(dictionary))]
    freq = np.array([dictionary.cfs[i] for i in range(len(dictionary))], float)
    return types.SimpleNamespace(
        topic_word_=lda.get_topics(), vocabulary_=vocab, doc_topic_=gamma / gamma.sum(1, keepdims=True),
        doc_topic_concentration_=gamma, term_frequency_=freq, doc_lengths_=np.array([len(d) for d in docs]),
        topic_labels_=[f"chủ đề {k}" for k in range(n_topics)], n_topics=n_topics, doc_ids=_ids(len(docs)))


@pytest.fixture(scope="module")
def planted():
    rng = np.random.default_rng(42)
    docs, vocab, topic_word, theta, meta = _simulate(rng)
    result = _fit_gensim(docs, 4)
    # match fitted topics to true ones (on the common vocabulary order)
    index = {t: i for i, t in enumerate(vocab)}
    est = np.zeros_like(topic_word)
    est[:, [index[t] for t in result.vocabulary_]] = result.topic_word_
    sim = (topic_word / np.linalg.norm(topic_word, axis=1, keepdims=True)) @ (est / np.linalg.norm(est, axis=1, keepdims=True)).T
    true_idx, est_idx = linear_sum_assignment(-sim)
    assert sim[true_idx, est_idx].min() > 0.9
    return result, theta, meta, dict(zip(true_idx.tolist(), est_idx.tolist()))


def test_planted_effects_recovered(planted):
    result, theta, meta, match = planted
    formula = "~ C(district) + year"
    out = estimate_effects(result, meta, formula, n_draws=20, random_state=0)
    import patsy

    X = patsy.dmatrix(formula, meta, return_type="dataframe")
    truth = pd.DataFrame(np.linalg.lstsq(X.to_numpy(), theta, rcond=None)[0], index=X.columns)
    for term, true_topic in [("C(district)[T.Sóc Sơn]", 1), ("year", 2)]:
        row = out[(out["topic"] == match[true_topic]) & (out["term"] == term)].iloc[0]
        true_value = truth.loc[term, true_topic]
        assert np.sign(row["estimate"]) == np.sign(true_value) and row["ci_low"] * row["ci_high"] > 0
        tol = 0.25 * abs(true_value)
        assert row["ci_low"] - tol <= true_value <= row["ci_high"] + tol, (term, row.to_dict(), true_value)
    # every slope of every topic (not only the planted ones) agrees with the truth
    for true_topic, est_topic in match.items():
        rows = out[(out["topic"] == est_topic) & (out["term"] != "Intercept")].set_index("term")
        true_values = truth.loc[rows.index, true_topic]
        assert ((rows["ci_low"] - 0.01 <= true_values) & (true_values <= rows["ci_high"] + 0.01)).all()


def test_placebo_covariate_covers_zero(planted):
    result, theta, meta, match = planted
    out = estimate_effects(result, meta, "~ C(district) + year + C(placebo)", n_draws=20, random_state=1)
    placebo = out[out["term"].str.startswith("C(placebo)")]
    assert len(placebo) == 4 * 2
    assert ((placebo["ci_low"] < 0) & (placebo["ci_high"] > 0)).all(), placebo


def test_planted_prevalence_by_group_tracks_truth(planted):
    result, theta, meta, match = planted
    out = prevalence_by_group(result, meta, by="district", n_draws=20, random_state=0)
    topic = out[out["topic"] == match[1]].set_index("district")
    true_means = pd.DataFrame(theta).groupby(meta["district"].to_numpy())[1].mean()
    assert topic.loc["Sóc Sơn", "prevalence"] > topic.loc["Ba Vì", "prevalence"] + 0.08
    np.testing.assert_allclose(topic["prevalence"].to_numpy(), true_means.loc[topic.index].to_numpy(), atol=0.06)


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def _saved_model(tmp_path, seed: int):
    """A 3-topic model fitted on simulated documents and saved as `topics` saves it: (folder, ids, docs, meta)."""
    from toolkit.corpus import write_table
    from toolkit.topics import lda, persist

    rng = np.random.default_rng(seed)
    docs, _, _, _, meta = _simulate(rng, n_docs=120, n_topics=3, n_terms=60, doc_length=30)
    ids = [f"bài-{i:03d}" for i in range(len(docs))]
    result = lda.fit_lda(docs, 3, random_state=0, min_df=1, max_df=1.0, doc_ids=ids)
    model_dir = tmp_path / "model_out"
    persist.save_result(result, model_dir / "model")
    write_table(pd.DataFrame({"doc_id": ids}), model_dir / "doc_topics.parquet")
    return model_dir, ids, docs, meta


def test_cli_effects_and_browse(tmp_path):
    from typer.testing import CliRunner

    import toolkit.cli.topics  # noqa: F401
    from toolkit.cli import app
    from toolkit.corpus import conform, read_table, write_table

    model_dir, ids, docs, meta = _saved_model(tmp_path, 0)
    corpus = conform(pd.DataFrame({
        "doc_id": ids[::-1], "title": [f"Tin số {i}" for i in range(len(ids))][::-1],
        "body": ["Ủy ban nhân dân xã họp bàn về thủy lợi và hòa giải ở cơ sở."] * len(ids),
        "district": meta["district"].tolist()[::-1], "year": meta["year"].tolist()[::-1]}))
    write_table(corpus, tmp_path / "corpus.parquet")

    runner = CliRunner()
    res = runner.invoke(app, ["effects", str(model_dir), str(tmp_path / "corpus.parquet"), "--formula",
                              "~ C(district) + year", "--n-draws", "5", "-o", str(tmp_path / "eff.csv"),
                              "--prevalence", str(tmp_path / "prev.csv"), "--by", "district,year"])
    assert res.exit_code == 0, res.output
    eff = read_table(tmp_path / "eff.csv")
    assert set(eff["term"]) == {"Intercept", "C(district)[T.Sóc Sơn]", "C(district)[T.Đông Anh]", "year"}
    prev = read_table(tmp_path / "prev.csv")
    assert len(prev) == 3 * 11 * 3

    res = runner.invoke(app, ["browse", str(model_dir), str(tmp_path / "corpus.parquet"), "-o", str(tmp_path / "t.html")])
    assert res.exit_code == 0, res.output
    assert "Tin số" in (tmp_path / "t.html").read_text(encoding="utf-8")

    other = conform(pd.DataFrame({"doc_id": ["khác-1"], "district": ["Ba Vì"], "year": [2020]}))
    write_table(other, tmp_path / "other.parquet")
    res = runner.invoke(app, ["effects", str(model_dir), str(tmp_path / "other.parquet"), "-o", str(tmp_path / "x.csv")])
    assert res.exit_code != 0 and "none of the model's" in res.output


def test_cli_effects_same_named_districts(tmp_path):
    from typer.testing import CliRunner

    import toolkit.cli.topics  # noqa: F401
    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table

    model_dir, ids, docs, meta = _saved_model(tmp_path, 1)
    province = np.where(np.arange(len(ids)) % 3 == 0, "Bến Tre", np.where(np.arange(len(ids)) % 3 == 1,
                                                                          "Tiền Giang", "Sóc Trăng"))
    district = np.where(province == "Sóc Trăng", "Huyện Long Phú", "Huyện Châu Thành")
    # A researcher's CSV: province and district, no locality column.
    write_table(pd.DataFrame({"doc_id": ids, "title": "Tin", "body": "Hội nghị dân vận.", "province": province,
                              "district": district, "year": meta["year"]}), tmp_path / "corpus.csv")
    res = CliRunner().invoke(app, ["effects", str(model_dir), str(tmp_path / "corpus.csv"), "--n-draws", "3",
                                   "-o", str(tmp_path / "eff.csv"), "--prevalence", str(tmp_path / "prev.csv"),
                                   "--by", "district,year"])
    assert res.exit_code == 0, res.output
    terms = set(read_table(tmp_path / "eff.csv")["term"])
    assert terms == {"Intercept", "C(locality)[T.Huyện Châu Thành, Tiền Giang]",
                     "C(locality)[T.Huyện Long Phú, Sóc Trăng]", "year"}
    prev = read_table(tmp_path / "prev.csv")
    assert sorted(prev["locality"].unique()) == ["Huyện Châu Thành, Bến Tre", "Huyện Châu Thành, Tiền Giang",
                                                "Huyện Long Phú, Sóc Trăng"]
    assert len(prev) == 3 * 11 * 3  # localities × years × topics


# ---------------------------------------------------------------------------
# the effects object: one fit, three readings, alignment by doc_id
# ---------------------------------------------------------------------------


def _counting_result(rng, n=240, k=3):
    """A result with Dirichlet posteriors, doc ids and a counter of θ draws; its metadata (with doc_id)."""
    meta, X, beta, theta = _linear_data(rng, n=n, k=k)
    gamma = np.abs(theta) * 60 + 0.2
    calls = {"n": 0}

    def sample_doc_topic(n_draws, random_state=None):
        calls["n"] += 1
        g = np.random.default_rng(random_state).standard_gamma(np.broadcast_to(gamma, (n_draws,) + gamma.shape))
        return g / g.sum(axis=2, keepdims=True)

    res = types.SimpleNamespace(doc_topic_=gamma / gamma.sum(1, keepdims=True), doc_topic_concentration_=gamma,
                                topic_labels_=[f"chủ đề {i}" for i in range(k)], doc_ids=_ids(n),
                                sample_doc_topic=sample_doc_topic)
    return res, meta, calls


def _reference_draws(result, meta, formula, n_draws, n_coef_draws, seed):
    """The method of composition written out plainly (classical OLS covariance), drawing in the order
    the toolkit promises: one seed for the θ draws of a chunk, then N(0, 1) coefficient noise per θ draw."""
    import patsy

    X = patsy.dmatrix(formula, meta, return_type="dataframe")
    terms, X = list(X.columns), X.to_numpy()
    n, p = X.shape
    rng = np.random.default_rng(seed)
    thetas = result.sample_doc_topic(n_draws, int(rng.integers(2**32)))
    chol = np.linalg.cholesky(np.linalg.inv(X.T @ X))
    pooled = []
    for theta in thetas:
        beta = np.linalg.lstsq(X, theta, rcond=None)[0]
        sigma = np.sqrt(((theta - X @ beta) ** 2).sum(axis=0) / (n - p))
        z = rng.standard_normal((n_coef_draws, p, theta.shape[1]))
        pooled.append(beta[None] + np.einsum("ij,cjk->cik", chol, z) * sigma)
    return terms, np.concatenate(pooled), patsy.dmatrix(formula, meta, return_type="dataframe").design_info


@pytest.mark.parametrize("formula,seed", [("~ C(district) + year", 7), ("~ C(district) * year", 3),
                                          ("~ bs(year, df=3)", 11)])
def test_table_predict_contrast_agree_with_a_plain_reference(formula, seed):
    """The numbers equal the old estimate_effects / predict_prevalence / contrast on the same seed
    (checked against them in commit 7b8b533 before they were removed) and this plain reference."""
    import patsy

    res, meta, _ = _counting_result(np.random.default_rng(seed))
    fitted = TopicEffects(formula, n_draws=4, n_coef_draws=5, cluster=None, random_state=seed).fit(res, meta)
    terms, draws, info = _reference_draws(res, meta, formula, 4, 5, seed)
    table = fitted.table()
    assert table["term"].tolist()[:len(terms)] == terms
    # Tolerances allow for QR (toolkit) versus normal equations (reference) on an uncentred year × district
    # design; a different draw order or seed would differ by 1e-2.
    close = {"rtol": 1e-6, "atol": 1e-6}
    np.testing.assert_allclose(table["estimate"].to_numpy(), draws.mean(axis=0).T.ravel(), **close)
    np.testing.assert_allclose(table["std_error"].to_numpy(), draws.std(axis=0, ddof=1).T.ravel(), **close)
    np.testing.assert_allclose(table["ci_high"].to_numpy(), np.quantile(draws, 0.975, axis=0).T.ravel(), **close)
    newdata = pd.DataFrame({"district": ["Đông Anh", "Ba Vì"], "year": [2012, 2018]})
    x_new = patsy.build_design_matrices([info], newdata)[0]
    pred = np.einsum("mp,spk->smk", x_new, draws)
    np.testing.assert_allclose(fitted.predict(newdata)["estimate"].to_numpy(), pred.mean(axis=0).ravel(), **close)
    # contrast of year at the typical district (the most frequent one among the documents)
    typical = meta["district"].value_counts().sort_index(kind="mergesort").idxmax()
    assert fitted.typical_["year"] == meta["year"].median()
    two = pd.DataFrame({"district": [typical] * 2, "year": [2012, 2018]})
    x_two = patsy.build_design_matrices([info], two)[0]
    diff = np.einsum("mp,spk->smk", x_two, draws)
    out = fitted.contrast("year", 2012, 2018)
    np.testing.assert_allclose(out["estimate"].to_numpy(), (diff[:, 1] - diff[:, 0]).mean(axis=0), **close)


def test_fit_draws_once_and_readings_never_draw():
    res, meta, calls = _counting_result(np.random.default_rng(1))
    fitted = TopicEffects("~ C(district) + year", n_draws=6, cluster=None).fit(res, meta)
    assert calls["n"] == 1  # one memory-bounded chunk of 6 draws
    fitted.table()
    fitted.predict(pd.DataFrame({"district": ["Ba Vì"], "year": [2015]}))
    fitted.contrast("district", "Ba Vì", "Đông Anh")
    fitted.contrast("year", 2011, 2019, at={"district": "Sóc Sơn"})
    assert calls["n"] == 1
    assert fitted.coef_draws_.shape == (6 * 10, 4, 3)


def test_shuffled_metadata_gives_the_same_effects():
    res, meta, _ = _counting_result(np.random.default_rng(2))
    other = meta.head(7).assign(doc_id=[f"khác-{i}" for i in range(7)])  # rows of documents not in the model
    shuffled = pd.concat([meta, other]).sample(frac=1.0, random_state=5).reset_index(drop=True)
    for formula in ("~ C(district) + year", "~ year"):
        a = TopicEffects(formula, n_draws=3).fit(res, meta)
        b = TopicEffects(formula, n_draws=3).fit(res, shuffled)
        pd.testing.assert_frame_equal(a.table(), b.table())
        assert a.doc_ids_ == b.doc_ids_ == res.doc_ids
    pd.testing.assert_frame_equal(prevalence_by_group(res, meta, by="district", n_draws=4),
                                  prevalence_by_group(res, shuffled, by="district", n_draws=4))
    # doc ids stored as numbers in a CSV still match
    numeric = types.SimpleNamespace(**{**vars(res), "doc_ids": [str(i) for i in range(len(meta))]})
    c = TopicEffects("~ year", n_draws=3).fit(numeric, meta.assign(doc_id=np.arange(len(meta))))
    pd.testing.assert_frame_equal(c.table(), TopicEffects("~ year", n_draws=3).fit(res, meta).table())


@pytest.mark.parametrize("settings,edit,match", [
    ({"formula": "~ C(không_có) + year"}, None, "không_có"),
    ({"formula": "year ~ C(district)"}, None, "one-sided"),
    ({"formula": "~ C(district"}, None, "cannot be parsed"),
    ({"formula": "~ year + I(year * 2)"}, None, "rank deficient"),
    ({}, lambda m: m.iloc[3:], r"3 of the model's 240 documents are not in metadata \(doc_id bài-0000, bài-0001"),
    ({}, lambda m: m.drop(columns="doc_id"), "no doc_id column"),
    ({}, lambda m: pd.concat([m, m.head(1)]), "repeats doc_id bài-0000"),
    ({"cov_type": "HC9"}, None, "cov_type"),
    ({"cov_type": "CR1", "cluster": None}, None, "needs cluster"),
    ({"cov_type": "HC1", "cluster": "district"}, None, "asks for clustered"),
    ({"cluster": "portal"}, None, "not a column"),
    ({"n_draws": 0}, None, "n_draws"),
    ({"n_coef_draws": 2.5}, None, "n_coef_draws"),
    ({"ci": 1.5}, None, "ci must be"),
    ({"random_state": None}, None, "random_state"),
    ({"topics": ["không có"]}, None, "unknown topic label"),
])
def test_bad_arguments_fail_before_any_draw(settings, edit, match):
    res, meta, calls = _counting_result(np.random.default_rng(3))
    settings = {"formula": "~ C(district) + year", "n_draws": 3, **settings}
    with pytest.raises(ValueError, match=match):
        TopicEffects(**settings).fit(res, edit(meta) if edit else meta)
    assert calls["n"] == 0


def test_documents_left_out_of_metadata_are_refused_with_the_way_to_leave_them_out():
    """Leaving a locality's 2020–2022 pages out of the regression by dropping their metadata rows is refused;
    the message says what works instead (keep the rows, set a covariate to NA), and that does work."""
    res, meta, _ = _counting_result(np.random.default_rng(5))
    drop = (meta["district"] == "Đông Anh") & meta["year"].between(2012, 2014)
    with pytest.raises(ValueError, match=rf"{int(drop.sum())} of the model's 240 documents are not in metadata") as info:
        TopicEffects("~ C(district) + year", n_draws=2).fit(res, meta[~drop])
    assert "keep their rows and set a covariate to NA" in str(info.value)
    left_out = meta.assign(year=meta["year"].astype("Int64").mask(drop))
    model = TopicEffects("~ C(district) + year", n_draws=2).fit(res, left_out)
    assert set(model.doc_ids_) == set(meta.loc[~drop, "doc_id"])


def test_results_without_doc_ids_and_positional_ids_are_refused():
    res, meta, calls = _counting_result(np.random.default_rng(4))
    bare = types.SimpleNamespace(doc_topic_=res.doc_topic_, doc_topic_concentration_=res.doc_topic_concentration_)
    with pytest.raises(ValueError, match="no doc_ids"):
        estimate_effects(bare, meta, "~ year")
    positional = types.SimpleNamespace(**{**vars(res), "doc_ids": [str(i) for i in range(len(meta))],
                                          "settings_": {"doc_id_source": "positions"}})
    with pytest.raises(ValueError, match="row positions"):
        estimate_effects(positional, meta, "~ year")
    assert calls["n"] == 0


@pytest.mark.parametrize("call,match", [
    (lambda f: f.contrast("province", "Hà Nội", "Huế"), r"'province' is not a variable of the formula"),
    (lambda f: f.contrast("district", "Ba Vì", "Hoàn Kiếm"), "'Hoàn Kiếm' does not occur"),
    (lambda f: f.contrast("year", 2012, 2018, at={"tỉnh": "Hà Nội"}), "at= names"),
    (lambda f: f.contrast("year", 2012, 2018, at={"year": 2015}), "at= names"),
    (lambda f: f.predict(pd.DataFrame({"year": [2015]})), r"lacks the formula's columns \['district'\]"),
    (lambda f: f.table(ci=0), "ci must be"),
])
def test_readings_validate_their_arguments(call, match):
    res, meta, calls = _counting_result(np.random.default_rng(5))
    fitted = TopicEffects("~ C(district) + year", n_draws=2).fit(res, meta)
    with pytest.raises(ValueError, match=match):
        call(fitted)
    assert calls["n"] == 1


def test_unfitted_object_says_so():
    with pytest.raises(ValueError, match="not fitted"):
        TopicEffects().table()


# ---------------------------------------------------------------------------
# clustered uncertainty (issue #16)
# ---------------------------------------------------------------------------


def _clustered_corpus(rng, n_localities=40, per_locality=15, k=3):
    """Documents of ``n_localities`` localities sharing locality-level random effects on every topic, a
    linear year effect on topic 1, and a locality-level placebo (half the localities) with no effect."""
    n = n_localities * per_locality
    loc = np.repeat(np.arange(n_localities), per_locality)
    placebo = rng.permutation(np.arange(n_localities) % 2)[loc]
    year = rng.integers(2015, 2025, n)
    eta = rng.normal(0, 0.6, (n_localities, k))[loc] + rng.normal(0, 0.8, (n, k))
    eta[:, 1] += 0.08 * (year - 2020)
    theta = np.exp(eta) / np.exp(eta).sum(axis=1, keepdims=True)
    meta = pd.DataFrame({"doc_id": _ids(n), "locality": [f"Huyện {g:02d}, Tỉnh Thử" for g in loc], "year": year,
                         "placebo": placebo})
    return _exact_result(theta), meta


def test_clustered_intervals_cover_a_placebo():
    """150 replications of 40 localities × 15 documents (seed 2024): the 95% interval of the placebo's
    coefficient on topic 0 covers its true value, 0, in 92% of replications with CR1 clustering by locality
    (the default) and in 56% without clustering (classical covariance)."""
    rng = np.random.default_rng(2024)
    covered = {"auto": [], None: []}
    for r in range(150):
        result, meta = _clustered_corpus(rng)
        for cluster in covered:
            fitted = TopicEffects("~ placebo + year", n_draws=1, n_coef_draws=200, cluster=cluster,
                                  random_state=r).fit(result, meta)
            row = fitted.table().query("term == 'placebo' and topic == 0").iloc[0]
            covered[cluster].append(row["ci_low"] <= 0 <= row["ci_high"])
    assert (fitted.cluster_, fitted.cov_type_) == (None, "classical")
    clustered, naive = np.mean(covered["auto"]), np.mean(covered[None])
    assert 0.88 <= clustered <= 0.99, clustered
    assert naive <= 0.8, naive


def test_cr1_matches_statsmodels_cluster_covariance():
    sm = pytest.importorskip("statsmodels.api")
    result, meta = _clustered_corpus(np.random.default_rng(7), n_localities=25, per_locality=8, k=2)
    fitted = TopicEffects("~ placebo + year", n_draws=1, n_coef_draws=20000).fit(result, meta)
    assert (fitted.cluster_, fitted.cov_type_, fitted.n_clusters_) == ("locality", "CR1", 25)
    X = sm.add_constant(meta[["placebo", "year"]].astype(float))
    groups = pd.factorize(meta["locality"])[0]
    ols = sm.OLS(result.doc_topic_[:, 0], X).fit(cov_type="cluster", cov_kwds={"groups": groups})
    se = fitted.table().query("topic == 0").set_index("term")["std_error"]
    np.testing.assert_allclose(se[["Intercept", "placebo", "year"]].to_numpy(), ols.bse.to_numpy(), rtol=0.03)


@pytest.mark.parametrize("formula,cluster,expected", [
    ("~ year", "auto", ("locality", "CR1")),
    ("~ C(locality) + year", "auto", (None, "classical")),  # fixed effects absorb the clusters
    ("~ year", None, (None, "classical")),
    ("~ C(province) + year", "auto", ("locality", "CR1")),  # provinces hold several localities
])
def test_default_cluster_is_the_locality_unless_absorbed(formula, cluster, expected):
    meta, theta = _same_named_data(np.random.default_rng(8), n=400)
    fitted = TopicEffects(formula, n_draws=2, cluster=cluster).fit(_exact_result(theta), meta)
    assert (fitted.cluster_, fitted.cov_type_) == expected
    assert fitted.table().attrs["cluster"] == expected[0]


def test_explicit_cluster_absorbed_by_fixed_effects_warns(caplog):
    meta, theta = _same_named_data(np.random.default_rng(9), n=200)
    with caplog.at_level("WARNING", logger="toolkit.topics.effects"):
        fitted = TopicEffects("~ C(locality) + year", n_draws=2, cluster="locality").fit(_exact_result(theta), meta)
    assert fitted.cov_type_ == "CR1" and "absorb every locality cluster" in caplog.text
    assert "only 4 locality clusters" in caplog.text


@pytest.mark.parametrize("given, hint", [
    (["--n-draws", "0"], "--n-draws"),
    (["--ci", "95"], "--ci"),
    (["--cov-type", "HC9"], "--cov-type"),
    (["--cluster", "portal"], "--cluster"),
    (["--cov-type", "HC1", "--cluster", "district"], "--cluster"),
    (["--prevalence", "PREV", "--by", "catgory"], "--by"),
    (["--formula", "~ C(huyen) + year"], "--formula"),
])
def test_cli_effects_errors_name_their_option_and_nothing_is_written(tmp_path, given, hint):
    from typer.testing import CliRunner

    import toolkit.cli.topics  # noqa: F401
    from toolkit.cli import app
    from toolkit.corpus import write_table

    model_dir, ids, docs, meta = _saved_model(tmp_path, 0)
    write_table(pd.DataFrame({"doc_id": ids, "title": "Tin", "body": "Hội nghị dân vận.",
                              "district": meta["district"], "year": meta["year"]}), tmp_path / "corpus.csv")
    given = [str(tmp_path / "prev.csv") if g == "PREV" else g for g in given]
    res = CliRunner().invoke(app, ["effects", str(model_dir), str(tmp_path / "corpus.csv"), "--n-draws", "3",
                                   "-o", str(tmp_path / "eff.csv"), *given])
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.replace("│", " ").split())
    named = text.split("Invalid value for", 1)[-1].split(":", 1)[0]
    assert hint in named and (hint == "--formula" or "--formula" not in named), text
    assert not (tmp_path / "eff.csv").exists() and not (tmp_path / "prev.csv").exists()


def test_cli_tables_mark_a_seeded_topic_its_seeds_do_not_hold(tmp_path):
    # `topics --seeded` warned that a theme's seeds were lost, yet topic_terms.csv and the effects and prevalence
    # tables `effects` wrote from the saved model still named the topic after the theme: a reader of the CSV would
    # cite its effect as the theme's. They carry the figures' label (seeded_topic_labels); the ids stay.
    from typer.testing import CliRunner

    import toolkit.cli.topics  # noqa: F401
    from toolkit.cli import app
    from toolkit.corpus import write_table
    from toolkit.topics.seeded import not_held_kind

    from tests.conftest import seeded_corpus_with_a_lost_theme

    _, tokens, ids = seeded_corpus_with_a_lost_theme()
    write_table(pd.DataFrame({"doc_id": ids, "tokens": tokens, "n_tokens": [len(t) for t in tokens]}),
                tmp_path / "tokens.parquet")
    write_table(pd.DataFrame({"doc_id": ids, "title": [f"Tin số {i}" for i in range(len(ids))],
                              "body": [" ".join(t).replace("_", " ") + "." for t in tokens],
                              "province": "Hà Nam", "district": ["Huyện Lý Nhân", "Huyện Kim Bảng"] * 30,
                              "year": [2019 + i % 3 for i in range(len(ids))]}), tmp_path / "corpus.parquet")
    themes = tmp_path / "themes.toml"
    themes.write_text('[themes.site_clearance]\nlabel_en = "Site clearance"\nlabel_vi = "Giải phóng mặt bằng"\n'
                      'terms = ["giải phóng mặt bằng", "bồi thường", "thu hồi đất", "tái định cư"]\n'
                      '[themes.democracy]\nlabel_en = "Grassroots democracy"\nlabel_vi = "Dân chủ cơ sở"\n'
                      'terms = ["quy chế dân chủ", "hương ước"]\n', encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["topics", str(tmp_path / "corpus.parquet"), "--tokens", str(tmp_path / "tokens.parquet"),
                              "-k", "4", "--seeded", "--themes", str(themes), "--min-df", "1", "--max-df", "1.0",
                              "--random-state", "0", "-o", str(tmp_path / "m")])
    assert res.exit_code == 0, res.output
    retention = pd.read_csv(tmp_path / "m" / "seed_retention.csv").set_index("label")
    # the premise: one theme held, the other lost, as the command warned
    assert retention["held"].to_dict() == {"site_clearance": True, "democracy": False}
    assert not_held_kind(retention.loc["democracy"]) == "lost"
    assert "democracy" in res.output and "seed_retention.csv" in res.output
    shown = {0: "site_clearance", 1: "democracy (seed terms lost)", 2: "topic_02", 3: "topic_03"}

    terms = pd.read_csv(tmp_path / "m" / "topic_terms.csv")
    assert terms.drop_duplicates("topic").set_index("topic")["label"].to_dict() == shown

    res = runner.invoke(app, ["effects", str(tmp_path / "m"), str(tmp_path / "corpus.parquet"), "--formula",
                              "~ C(year)", "--n-draws", "3", "-o", str(tmp_path / "eff.csv"),
                              "--prevalence", str(tmp_path / "prev.csv"), "--by", "year"])
    assert res.exit_code == 0, res.output
    for name in ("eff.csv", "prev.csv"):
        table = pd.read_csv(tmp_path / name)
        assert sorted(table["topic"].unique()) == [0, 1, 2, 3], name  # the ids are unchanged
        assert table.drop_duplicates("topic").set_index("topic")["label"].to_dict() == shown, name
