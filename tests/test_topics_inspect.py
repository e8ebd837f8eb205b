"""Tests of toolkit.topics.inspection, toolkit.topics.timeseries and toolkit.report.browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import types

import numpy as np
import pandas as pd
import pytest

from toolkit.report.browser import jensen_shannon_distances, topic_browser_html, topic_coordinates
from toolkit.topics.inspection import (
    representative_documents,
    term_weights,
    top_terms,
    topic_correlations,
    topic_summary,
)
from toolkit.topics.timeseries import (
    align_period_models,
    fit_period_models,
    prevalence_by_year,
    vocabulary_shift,
)

VOCAB = ["bồi_thường", "dân_vận", "giải_phóng_mặt_bằng", "hòa_giải", "nhân_dân", "nông_thôn_mới",
         "thủy_lợi", "ủy_ban"]
# three topics: land clearance, mass mobilisation, irrigation; "nhân_dân" and "ủy_ban" are common to all
PHI = np.array([
    [0.30, 0.02, 0.30, 0.02, 0.14, 0.02, 0.02, 0.18],
    [0.02, 0.34, 0.02, 0.20, 0.16, 0.08, 0.02, 0.16],
    [0.02, 0.02, 0.02, 0.02, 0.14, 0.20, 0.40, 0.18],
])
LABELS = ["giải phóng mặt bằng", "dân vận", "thủy lợi"]


def _result(theta=None, phi=PHI, vocab=VOCAB, labels=LABELS):
    rng = np.random.default_rng(0)
    if theta is None:
        theta = rng.dirichlet(np.full(phi.shape[0], 0.5), 40)
    lengths = np.full(theta.shape[0], 50.0)
    freq = (theta * lengths[:, None]).sum(axis=0) @ phi
    return types.SimpleNamespace(topic_word_=phi, vocabulary_=list(vocab), doc_topic_=theta,
                                 doc_topic_concentration_=theta * 30 + 0.01, term_frequency_=freq,
                                 doc_lengths_=lengths, topic_labels_=list(labels), n_topics=phi.shape[0],
                                 doc_ids=[f"tin-{i:02d}" for i in range(theta.shape[0])])


# ---------------------------------------------------------------------------
# top terms
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("measure", ["prob", "frex", "lift", "score", "relevance"])
def test_top_terms_shape_and_order(measure):
    out = top_terms(_result(), 4, measure=measure)
    assert list(out.columns) == ["topic", "label", "rank", "term", "weight", "measure"]
    assert len(out) == 3 * 4 and (out["measure"] == measure).all()
    assert out.groupby("topic")["rank"].apply(list).tolist() == [[1, 2, 3, 4]] * 3
    for _, g in out.groupby("topic"):
        assert g["weight"].is_monotonic_decreasing
    assert out["label"].unique().tolist() == LABELS


def test_prob_top_terms_and_ties_broken_by_term():
    out = top_terms(_result(), 2)
    assert out[out["topic"] == 0]["term"].tolist() == ["bồi_thường", "giải_phóng_mặt_bằng"]  # tie at 0.30
    assert out[out["topic"] == 2]["term"].tolist() == ["thủy_lợi", "nông_thôn_mới"]


def test_lift_separates_common_from_specific_terms():
    res = _result()
    lift = term_weights(res, "lift")
    p = res.term_frequency_ / res.term_frequency_.sum()
    np.testing.assert_allclose(lift, PHI / p)
    # "ủy_ban" is frequent everywhere: lift near 1 in every topic; own-topic terms far above
    assert np.all(np.abs(lift[:, VOCAB.index("ủy_ban")] - 1) < 0.2)
    assert lift[2, VOCAB.index("thủy_lợi")] > 2 and lift[1, VOCAB.index("dân_vận")] > 2
    out = top_terms(res, 1, measure="lift")
    assert out["term"].tolist() == ["bồi_thường", "dân_vận", "thủy_lợi"]


def test_frex_is_harmonic_mean_of_ecdfs():
    res = _result()
    excl = PHI / PHI.sum(axis=0)
    w = 0.7
    for k in range(3):
        ecdf_excl = np.array([(excl[k] <= v).mean() for v in excl[k]])
        ecdf_freq = np.array([(PHI[k] <= v).mean() for v in PHI[k]])
        expected = 1 / (w / ecdf_excl + (1 - w) / ecdf_freq)
        # ties: rankdata averages, the ECDF takes the upper end; compare on untied terms
        untied = np.array([(PHI[k] == v).sum() == 1 and (excl[k] == e).sum() == 1 for v, e in zip(PHI[k], excl[k])])
        np.testing.assert_allclose(term_weights(res, "frex", frex_weight=w)[k][untied], expected[untied])
    frex = term_weights(res, "frex")
    assert ((frex > 0) & (frex <= 1)).all()
    # a term both most frequent and most exclusive in its topic gets FREX 1
    assert frex[2, VOCAB.index("thủy_lợi")] == pytest.approx(1.0)


def test_relevance_endpoints():
    res = _result()
    phi = res.topic_word_
    p = res.term_frequency_ / res.term_frequency_.sum()
    np.testing.assert_allclose(term_weights(res, "relevance", lambda_=1.0), np.log(phi))
    np.testing.assert_allclose(term_weights(res, "relevance", lambda_=0.0), np.log(phi / p))
    mid = term_weights(res, "relevance", lambda_=0.6)
    np.testing.assert_allclose(mid, 0.6 * np.log(phi) + 0.4 * np.log(phi / p))
    with pytest.raises(ValueError):
        term_weights(res, "relevance", lambda_=1.5)
    with pytest.raises(ValueError, match="measure"):
        top_terms(res, measure="tfidf")


def test_score_matches_stm_formula():
    res = _result()
    log_phi = np.log(PHI)
    expected = PHI * (log_phi - log_phi.mean(axis=0))
    np.testing.assert_allclose(term_weights(res, "score"), expected)


# ---------------------------------------------------------------------------
# documents, correlations, summary
# ---------------------------------------------------------------------------


def _documents(n):
    bodies = [f"Bài số {i}: Ủy ban nhân dân xã tổ chức hòa giải, vận động bà con hiến đất làm đường. " * 5
              for i in range(n)]
    return pd.DataFrame({"doc_id": [f"tin-{i:02d}" for i in range(n)],
                         "title": [f"Tin thứ {i}" for i in range(n)], "body": bodies})


def test_representative_documents():
    theta = np.array([[0.9, 0.05, 0.05], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    res = _result(theta)
    out = representative_documents(res, _documents(4), n=2)
    assert list(out.columns) == ["topic", "label", "rank", "doc_id", "proportion", "title", "excerpt"]
    assert out[out["topic"] == 0]["doc_id"].tolist() == ["tin-00", "tin-02"]
    assert out[out["topic"] == 1]["doc_id"].tolist() == ["tin-01", "tin-02"]
    assert out["proportion"].iloc[0] == pytest.approx(0.9)
    assert all(len(e) <= 201 for e in out["excerpt"]) and out["excerpt"].iloc[0].endswith("…")
    assert out["excerpt"].iloc[0].startswith("Bài số 0: Ủy ban")
    with pytest.raises(ValueError, match="not in documents"):
        representative_documents(res, _documents(3))
    # matched by doc_id, not by row position: shuffled rows give the same table
    shuffled = _documents(4).sample(frac=1.0, random_state=1)
    pd.testing.assert_frame_equal(representative_documents(res, shuffled, n=2), out)


def test_topic_correlations_detects_cooccurrence():
    rng = np.random.default_rng(1)
    n = 500
    shared = rng.random(n)
    theta = np.column_stack([shared, shared + 0.1 * rng.random(n), rng.random(n), rng.random(n) * 2])
    theta /= theta.sum(axis=1, keepdims=True)
    phi = np.vstack([PHI, PHI[0][::-1]])
    res = _result(theta, phi=phi, labels=LABELS + ["khác"])
    for transform in ("raw", "clr"):
        out = topic_correlations(res, transform=transform)
        assert list(out.columns) == ["topic_a", "topic_b", "label_a", "label_b", "correlation", "edge"]
        assert len(out) == 6 and (out["topic_a"] < out["topic_b"]).all()
        pair = out[(out["topic_a"] == 0) & (out["topic_b"] == 1)].iloc[0]
        assert pair["correlation"] > 0.5 and pair["edge"]
        assert out["correlation"].between(-1, 1).all()
    spear = topic_correlations(res, method="spearman")
    assert spear.iloc[0]["correlation"] > 0.5


def test_topic_summary():
    res = _result()
    out = topic_summary(res, n_terms=3)
    assert list(out.columns) == ["topic", "label", "prevalence", "top_terms"]
    assert out["prevalence"].sum() == pytest.approx(1.0)
    assert out.loc[2, "top_terms"] == "thủy_lợi, nông_thôn_mới, ủy_ban"


# ---------------------------------------------------------------------------
# time series and period models
# ---------------------------------------------------------------------------


def test_prevalence_by_year_columns():
    rng = np.random.default_rng(2)
    theta = rng.dirichlet(np.ones(3), 30)
    meta = pd.DataFrame({"doc_id": [f"tin-{i:02d}" for i in range(30)], "district": rng.choice(["Ba Vì", "Mê Linh"], 30),
                         "year": rng.integers(2019, 2022, 30)})
    res = _result(theta)
    out = prevalence_by_year(res, meta, by="district", n_draws=10, random_state=0)
    assert list(out.columns) == ["district", "year", "topic", "label", "n_docs", "prevalence", "ci_low", "ci_high"]
    assert len(out) == 2 * 3 * 3
    assert out.groupby(["district", "year"])["n_docs"].first().sum() == 30
    plain = prevalence_by_year(res, meta, n_draws=10, random_state=0)
    assert list(plain.columns[:2]) == ["year", "topic"]


def _period_result(perm, vocab_order, scale=1.0):
    phi = PHI[perm][:, vocab_order]
    vocab = [VOCAB[j] for j in vocab_order]
    return types.SimpleNamespace(topic_word_=phi, vocabulary_=vocab, topic_labels_=[f"k{i}" for i in range(len(perm))])


def test_align_period_models_recovers_permutation_and_shift():
    results = {
        "2015–2019": _period_result([0, 1, 2], list(range(8))),
        "2020–2024": _period_result([2, 0, 1], [7, 6, 5, 4, 3, 2, 1, 0]),  # permuted topics and vocabulary
    }
    align = align_period_models(results)
    assert list(align.columns) == ["period", "topic", "label", "matched_topic_in_reference", "reference_label", "similarity"]
    later = align[align["period"] == "2020–2024"]
    assert later["matched_topic_in_reference"].tolist() == [2, 0, 1]
    np.testing.assert_allclose(align["similarity"], 1.0)
    shift = vocabulary_shift(results, align, n=2)
    assert list(shift.columns) == ["period", "reference_topic", "topic", "rank", "term", "weight"]
    theme2 = shift[shift["reference_topic"] == 2]
    assert theme2["period"].tolist() == ["2015–2019"] * 2 + ["2020–2024"] * 2
    assert theme2["term"].tolist() == ["thủy_lợi", "nông_thôn_mới"] * 2


def test_align_with_missing_vocabulary_and_extra_topics():
    ref = _period_result([0, 1], list(range(8)))
    later = types.SimpleNamespace(topic_word_=np.vstack([PHI[1][:6] / PHI[1][:6].sum(), PHI[2][:6] / PHI[2][:6].sum(),
                                                         PHI[0][:6] / PHI[0][:6].sum()]),
                                  vocabulary_=VOCAB[:6], topic_labels_=["a", "b", "c"])
    align = align_period_models({"đầu": ref, "sau": later}, reference="đầu")
    rows = align[align["period"] == "sau"].set_index("topic")
    assert rows.loc[0, "matched_topic_in_reference"] == 1 and rows.loc[2, "matched_topic_in_reference"] == 0
    assert rows.loc[1, "matched_topic_in_reference"] == -1 and np.isnan(rows.loc[1, "similarity"])
    with pytest.raises(ValueError):
        align_period_models({"đầu": ref}, reference="không có")


def test_fit_period_models_with_stub_fit():
    calls = []

    def fake_fit(docs, n_topics, random_state):
        calls.append((len(docs), n_topics, random_state))
        return types.SimpleNamespace(n_docs=len(docs))

    docs = [["dân_vận"], ["thủy_lợi"], ["hòa_giải"], ["ủy_ban"], ["nhân_dân"]]
    out = fit_period_models(docs, ["2020", "2015", "2020", None, "2015"], 2, random_state=3, fit=fake_fit)
    assert list(out) == ["2015", "2020"]
    assert calls == [(2, 2, 3), (2, 2, 3)]
    with pytest.raises(ValueError):
        fit_period_models(docs, ["2020"], 2, random_state=0, fit=fake_fit)


# ---------------------------------------------------------------------------
# browser
# ---------------------------------------------------------------------------


def test_mds_coordinates():
    d = jensen_shannon_distances(PHI)
    assert d.shape == (3, 3) and np.allclose(d, d.T) and np.allclose(np.diag(d), 0)
    assert ((d > 0) & (d <= 1))[~np.eye(3, dtype=bool)].all()
    coords = topic_coordinates(PHI)
    assert coords.shape == (3, 2)
    # classical MDS of 3 points in 2-D reproduces the distances exactly
    emb = np.sqrt(((coords[:, None] - coords[None]) ** 2).sum(-1))
    np.testing.assert_allclose(emb, d, atol=1e-8)
    assert topic_coordinates(PHI[:1]).shape == (1, 2)


def _payload(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_browser_offline_deterministic_and_escaped():
    theta = np.random.default_rng(3).dirichlet(np.ones(3), 12)
    labels = ["giải phóng mặt bằng", "dân vận <khéo> & \"đúng\"", "thủy lợi"]
    res = _result(theta, labels=labels)
    docs = _documents(12)
    docs["title"] = "Tiêu đề </script><script>alert(1)</script> <!-- &amp;"
    page = topic_browser_html(res, docs, n_terms=5, title="Chủ đề <thử>")
    assert page == topic_browser_html(res, docs, n_terms=5, title="Chủ đề <thử>")
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"\b(src|href)\s*=", page)
    assert page.count("</script>") == 2 and "<script>alert" not in page
    import html as html_mod

    for label in labels:
        assert html_mod.escape(label) in page
    assert "<title>Chủ đề &lt;thử&gt;</title>" in page
    data = _payload(page)["topics"]
    assert [t["label"] for t in data["topics"]] == labels
    assert data["n_terms"] == 5 and len(data["vocab"]) == len(data["p"]) == len(data["freq"])
    embedded = _payload(page)["documents"]
    titles = [embedded[d]["title"] for t in data["topics"] for d, _ in t["docs"]]
    assert len(titles) == 9 and set(titles) <= set(docs["title"])
    # each topic lists its 3 documents of highest proportion, highest first
    theta = res.doc_topic_
    for t in data["topics"]:
        ids = [d for d, _ in t["docs"]]
        expected = docs["doc_id"].astype(str).to_numpy()[np.argsort(-theta[:, t["id"]], kind="stable")[:3]]
        assert ids == list(expected)
    assert page.count('class="topic-circle"') == 3
    assert page.count('<option value="topic:') == 3


def test_browser_without_documents_and_candidate_terms():
    res = _result()
    page = topic_browser_html(res, n_terms=3, lambda_=1.0)
    data = _payload(page)["topics"]
    assert all(t["docs"] == [] for t in data["topics"])
    # at λ = 1 the embedded candidates include the top-3 terms by probability
    for t in data["topics"]:
        terms = {data["vocab"][i] for i, _ in t["terms"]}
        top = set(top_terms(res, 3).query("topic == @t['id']")["term"])
        assert top <= terms
    with pytest.raises(ValueError):
        topic_browser_html(res, lambda_=2.0)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_browser_javascript_parses():
    page = topic_browser_html(_result(), n_terms=3)
    script = page.rsplit("<script>", 1)[1].split("</script>", 1)[0]
    result = subprocess.run(["node", "--check", "-"], input=script, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
