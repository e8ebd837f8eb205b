"""Topic-model metrics on hand examples, and choosing the number of topics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from toolkit.topics import metrics
from toolkit.topics.lda import fit_lda
from toolkit.topics.select import select_n_topics
from toolkit.topics.synthetic import generate_lda_corpus

DOCS = [
    ["dân_vận", "khéo", "nông_thôn_mới"],
    ["dân_vận", "khéo", "hiến_đất"],
    ["bồi_thường", "tái_định_cư"],
    ["bồi_thường", "tái_định_cư", "hiến_đất"],
]


def test_npmi_of_always_cooccurring_words_is_one():
    assert metrics.topic_coherence([["dân_vận", "khéo"]], DOCS, measure="npmi")[0] == pytest.approx(1.0)


def test_npmi_of_never_cooccurring_words_is_minus_one():
    assert metrics.topic_coherence([["dân_vận", "bồi_thường"]], DOCS, measure="npmi")[0] == pytest.approx(-1.0)


def test_npmi_hand_value_and_independence():
    # hiến_đất in docs 2,3; dân_vận in 0,1 -> co-occur in doc 1: p=1/4, p_i=p_j=1/2 -> pmi=0
    assert metrics.topic_coherence([["dân_vận", "hiến_đất"]], DOCS)[0] == pytest.approx(0.0, abs=1e-12)


def test_umass_hand_value():
    # pairs (dân_vận, khéo): log((2+1)/2); (dân_vận, hiến_đất): log((1+1)/2); (khéo, hiến_đất): log((1+1)/2)
    expected = np.mean([math.log(3 / 2), 0.0, 0.0])
    got = metrics.topic_coherence([["dân_vận", "khéo", "hiến_đất"]], DOCS, measure="umass")[0]
    assert got == pytest.approx(expected)


def test_coherence_rejects_unknown_measure():
    with pytest.raises(ValueError, match="c_v"):
        metrics.topic_coherence([["dân_vận", "khéo"]], DOCS, measure="c_v")


def test_gensim_umass_ranks_coherent_topic_higher():
    good = metrics.gensim_coherence([["dân_vận", "khéo"], ["bồi_thường", "dân_vận"]], DOCS, measure="u_mass", top_n=2)
    assert good[0] > good[1]


def test_topic_diversity():
    assert metrics.topic_diversity([["a", "b"], ["c", "d"]], top_n=2) == 1.0
    assert metrics.topic_diversity([["dân_vận", "khéo"], ["dân_vận", "khéo"]], top_n=2) == 0.5
    beta = np.array([[0.5, 0.3, 0.2, 0.0], [0.0, 0.2, 0.3, 0.5]])
    assert metrics.topic_diversity(beta, top_n=2) == 1.0


def test_exclusivity_prefers_separated_topics():
    separated = np.array([[0.45, 0.45, 0.05, 0.05], [0.05, 0.05, 0.45, 0.45]])
    shared = np.array([[0.4, 0.3, 0.2, 0.1], [0.4, 0.3, 0.1, 0.2]])
    assert metrics.exclusivity(separated, top_n=2).mean() > metrics.exclusivity(shared, top_n=2).mean()
    assert np.all((metrics.frex(shared) > 0) & (metrics.frex(shared) <= 1))


def test_stability_identical_runs_is_one_and_permutation_invariant():
    rng = np.random.default_rng(0)
    beta = rng.dirichlet(np.full(30, 0.1), size=4)
    np.testing.assert_allclose(metrics.stability([beta, beta[[3, 1, 0, 2]], beta]), 1.0)
    assert metrics.matched_similarity(beta, beta[::-1], method="jaccard", top_n=5) == pytest.approx(1.0)


def test_heldout_loglik_prefers_true_number_of_topics():
    c = generate_lda_corpus(300, 4, 120, doc_length=60, random_state=0, beta=0.05)
    train, test = c.documents[:240], c.documents[240:]
    one = fit_lda(train, 1, random_state=0, passes=5)
    four = fit_lda(train, 4, random_state=0)
    ll_one, ll_four = metrics.heldout_loglik(one, test), metrics.heldout_loglik(four, test)
    assert ll_four > ll_one and ll_four < 0
    assert metrics.heldout_loglik(four, test, random_state=0) == ll_four


def test_split_documents_is_seeded_and_complete():
    doc = ["một", "hai", "ba", "bốn", "năm"]
    a1, b1 = metrics.split_documents([doc], random_state=3)
    a2, b2 = metrics.split_documents([doc], random_state=3)
    assert (a1, b1) == (a2, b2)
    assert sorted(a1[0] + b1[0]) == sorted(doc) and len(a1[0]) == 2


@pytest.fixture(scope="module")
def easy_corpus():
    return generate_lda_corpus(300, 5, 200, doc_length=60, random_state=4, beta=0.05)


def test_select_picks_true_k_gensim(easy_corpus):
    sel = select_n_topics(easy_corpus.documents, (3, 5, 8), (0, 1), n_jobs=2, progress=False)
    assert sel.recommended == 5, sel.reasoning
    assert "Recommended K = 5" in sel.reasoning
    assert list(sel.table.columns) == ["n_topics", "random_state", "measure", "value", "family", "n_docs"]
    assert set(sel.table["family"]) == {"lda"} and set(sel.table["n_docs"]) == {240}
    assert set(sel.table["measure"]) == {"npmi", "umass", "heldout", "exclusivity", "diversity", "stability"}
    assert len(sel.table) == 3 * 2 * 6
    assert list(sel.summary.columns) == ["n_topics", "measure", "mean", "sd", "n_runs", "z"]


def test_select_same_table_for_any_n_jobs(easy_corpus):
    kwargs = dict(engine="tomotopy", iterations=200, measures=("npmi", "heldout", "stability"), progress=False)
    one = select_n_topics(easy_corpus.documents[:150], (3, 5), (0, 1), n_jobs=1, keep_results=True, **kwargs)
    two = select_n_topics(easy_corpus.documents[:150], (3, 5), (0, 1), n_jobs=2, **kwargs)
    pd.testing.assert_frame_equal(one.table, two.table)
    assert one.recommended == two.recommended
    assert set(one.results) == {(3, 0), (3, 1), (5, 0), (5, 1)} and two.results is None


def test_select_rejects_unknown_measure(easy_corpus):
    with pytest.raises(ValueError, match="unknown measures"):
        select_n_topics(easy_corpus.documents, (2,), (0,), measures=("perplexity",))


def test_select_command(tmp_path, easy_corpus):
    from typer.testing import CliRunner

    import toolkit.cli.topics  # noqa: F401
    from toolkit.cli import app
    from toolkit.corpus import write_table

    ids = [f"d{i:03d}" for i in range(120)]
    write_table(pd.DataFrame({"doc_id": ids, "body": "x"}), tmp_path / "docs.parquet")
    write_table(pd.DataFrame({"doc_id": ids, "tokens": easy_corpus.documents[:120]}), tmp_path / "tokens.parquet")
    res = CliRunner().invoke(app, ["select", str(tmp_path / "docs.parquet"), "--tokens", str(tmp_path / "tokens.parquet"),
                                   "--grid", "2,4", "--random-states", "0,1", "--engine", "tomotopy", "-j", "1",
                                   "-o", str(tmp_path / "scores.csv")])
    assert res.exit_code == 0, res.output
    assert "Recommended K" in res.output
    table = pd.read_csv(tmp_path / "scores.csv")
    assert sorted(table["n_topics"].unique()) == [2, 4]
    assert (tmp_path / "scores.summary.csv").exists()


# --------------------------------------------------------------------------
# The sampled strategy and the model family (#17 item 2, #16 item 3)
# --------------------------------------------------------------------------

FAST = dict(engine="tomotopy", iterations=200, measures=("npmi", "heldout", "stability"), n_jobs=1, progress=False)


@pytest.fixture(scope="module")
def planted():
    # 6 planted topics; the sample is a third of the corpus
    return generate_lda_corpus(900, 6, 240, doc_length=60, random_state=11, beta=0.05)


def test_sample_strategy_recommends_the_planted_k(planted):
    sel = select_n_topics(planted.documents, (3, 6, 9), (0, 1), strategy="sample", sample_size=250, n_jobs=2,
                          progress=False)
    assert sel.recommended == 6, sel.reasoning
    assert sel.strategy == "sample" and sel.n_documents == 250
    assert set(sel.table["n_docs"]) == {200}  # 250 sampled, 20 % of them held out
    assert "sample of 250 of 900 documents" in sel.reasoning


def test_sample_strategy_is_deterministic_for_a_seed(planted):
    one = select_n_topics(planted.documents, (4, 6), (0, 1), strategy="sample", sample_size=200, **FAST)
    two = select_n_topics(planted.documents, (4, 6), (0, 1), strategy="sample", sample_size=200, **FAST)
    other = select_n_topics(planted.documents, (4, 6), (0, 1), strategy="sample", sample_size=200,
                            split_random_state=1, **FAST)
    pd.testing.assert_frame_equal(one.table, two.table)
    assert not np.allclose(one.table["value"], other.table["value"])  # another seed, another sample


def test_sample_larger_than_the_corpus_is_the_full_grid(planted):
    docs = planted.documents[:150]
    full = select_n_topics(docs, (4, 6), (0, 1), strategy="full", **FAST)
    sample = select_n_topics(docs, (4, 6), (0, 1), strategy="sample", sample_size=5000, **FAST)
    pd.testing.assert_frame_equal(full.table, sample.table)
    assert sample.n_documents == 150


def test_sample_fits_get_the_whole_corpus_vocabulary_and_convergence():
    from toolkit.text.vocabulary import build_vocabulary
    from toolkit.topics.lda import default_settings

    # 8,000 short documents: the full strategy's fits get 25 passes, a fit of 100 documents alone would get 50
    docs = generate_lda_corpus(8000, 3, 60, doc_length=8, random_state=2, beta=0.05).documents
    sel = select_n_topics(docs, (3,), (0,), strategy="sample", sample_size=100, measures=("npmi",), n_jobs=1,
                          keep_results=True, progress=False, min_df=2, max_df=0.9)
    result = sel.results[(3, 0)]
    assert result.vocabulary_ == build_vocabulary(docs, min_df=2, max_df=0.9).terms
    assert result.doc_topic_.shape[0] == 100  # heldout not measured: the whole sample trains
    assert result.settings_["passes"] == default_settings("gensim", 8000, 1)["passes"] == 25
    assert default_settings("gensim", 100, 1)["passes"] == 50


# The seeded family: theme topics seeded with planted topics' top words.
def _themes(corpus, n_themes):
    top = np.argsort(-corpus.topic_word, axis=1)[:n_themes, :3]
    return {f"chủ_đề_{k}": [corpus.vocabulary[j] for j in row] for k, row in enumerate(top)}


@pytest.mark.parametrize("strategy", ["full", "sample"])
def test_seeded_family_is_scored_when_themes_are_given(planted, strategy):
    themes = _themes(planted, 2)
    sel = select_n_topics(planted.documents[:300], (4, 6), (0, 1), strategy=strategy, sample_size=150,
                          themes=themes, keep_results=True, **FAST)
    assert sel.family == "seeded" and set(sel.table["family"]) == {"seeded"}
    for (k, _), result in sel.results.items():
        assert result.n_topics == k  # n_topics counts the seeded topics
        assert result.topic_labels_[:2] == list(themes) and result.settings_["themes"]
    assert "seeded LDA (2 seeded theme(s)" in sel.reasoning


def test_plain_family_without_themes(planted):
    sel = select_n_topics(planted.documents[:150], (4,), (0,), keep_results=True, **FAST)
    assert sel.family == "lda" and set(sel.table["family"]) == {"lda"}
    assert "themes" not in sel.results[(4, 0)].settings_


@pytest.mark.parametrize("grid, n_themes", [((2, 6), 2), ((3,), 3), ((4, 5), 5)])
def test_seeded_k_that_cannot_hold_the_themes_is_an_error(planted, grid, n_themes):
    with pytest.raises(ValueError, match="cannot be honoured"):
        select_n_topics(planted.documents[:100], grid, (0,), themes=_themes(planted, n_themes), **FAST)


@pytest.mark.parametrize("kwargs, message", [
    (dict(strategy="halving"), "strategy="),
    (dict(strategy="sample", sample_size=1), "at least 2 documents"),
    (dict(n_topics_grid=(0, 4)), "at least one topic"),
    (dict(n_topics_grid=()), "at least one value"),
])
def test_select_rejects_impossible_requests(planted, kwargs, message):
    kwargs = {"n_topics_grid": (4,), **kwargs}
    with pytest.raises(ValueError, match=message):
        select_n_topics(planted.documents[:100], random_states=(0,), **kwargs, **FAST)


# --------------------------------------------------------------------------
# The pipeline's select stage passes the strategy and the reported family
# --------------------------------------------------------------------------


class _Stop(Exception):
    pass


def _select_call(monkeypatch, tmp_path, topics):
    from toolkit import themes as th
    from toolkit import topics as tp
    from toolkit.config import RunConfig
    from toolkit.pipeline import RunSummary, StageCache, _topics_stage

    config = RunConfig(topics=topics)
    themes_path = config.resolve(config.themes.file)
    seeds = th.load_themes(themes_path).token_terms()
    words = sorted({t for terms in seeds.values() for t in terms})
    token_lists = [words[i % len(words):][:6] + ["dân_vận", "khéo"] for i in range(60)]
    tokens = pd.DataFrame({"doc_id": [f"d{i:02d}" for i in range(60)], "tokens": token_lists})
    calls = []

    def fake(*args, **kwargs):
        calls.append(kwargs)
        raise _Stop

    monkeypatch.setattr(tp, "select_n_topics", fake)
    with pytest.raises(_Stop):
        _topics_stage(config, tokens, tokens, tokens, StageCache(tmp_path, enabled=False), RunSummary(tmp_path),
                      ("test",), themes_path)
    return calls[0]


def test_pipeline_selects_on_the_seeded_family_with_the_configured_strategy(monkeypatch, tmp_path):
    from toolkit.config import TopicsConfig

    topics = TopicsConfig(n_topics_grid=(5, 7), seed_themes=("religion", "covid"), selection_sample=1234)
    call = _select_call(monkeypatch, tmp_path, topics)
    assert call["strategy"] == "sample" and call["sample_size"] == 1234
    assert sorted(call["themes"]) == ["covid", "religion"]
    assert call["min_df"] == 2 and call["max_df"] == 0.9


def test_pipeline_selects_plain_lda_when_not_seeded(monkeypatch, tmp_path):
    from toolkit.config import TopicsConfig

    call = _select_call(monkeypatch, tmp_path, TopicsConfig(seeded=False, selection="full"))
    assert call["themes"] is None and call["strategy"] == "full"


def test_select_command_seeded_k_below_the_themes_is_an_error(tmp_path, easy_corpus):
    from typer.testing import CliRunner

    import toolkit.cli.topics  # noqa: F401
    from toolkit.cli import app
    from toolkit.corpus import write_table

    ids = [f"d{i:03d}" for i in range(60)]
    write_table(pd.DataFrame({"doc_id": ids, "body": "x"}), tmp_path / "docs.parquet")
    write_table(pd.DataFrame({"doc_id": ids, "tokens": easy_corpus.documents[:60]}), tmp_path / "tokens.parquet")
    res = CliRunner().invoke(app, ["select", str(tmp_path / "docs.parquet"), "--tokens", str(tmp_path / "tokens.parquet"),
                                   "--grid", "2", "--random-states", "0", "--seeded", "-j", "1",
                                   "-o", str(tmp_path / "scores.csv")])
    assert res.exit_code == 2
    assert "cannot be honoured" in res.output
    assert not (tmp_path / "scores.csv").exists()


def test_a_recommended_k_at_the_end_of_the_grid_says_to_extend_it(caplog):
    from toolkit.topics.select import _recommend

    rows = [(k, s, m, v) for k in (6, 10, 14) for s in (0, 1)
            for m, v in (("npmi", 0.01 * k), ("heldout", -8 + 0.05 * k), ("stability", 0.95))]
    table = pd.DataFrame(rows, columns=["n_topics", "random_state", "measure", "value"])
    with caplog.at_level("WARNING", logger="toolkit"):
        _, best, reasoning = _recommend(table, "npmi", 0.6)
    assert best == 14 and "K = 14 is the largest K of the grid: the best may lie beyond it" in reasoning
    assert "extend the grid" in caplog.text
    # a best K inside the grid: no such note
    inside = table.assign(value=np.where(table["measure"] == "npmi", -abs(table["n_topics"] - 10), table["value"]))
    inside.loc[inside["measure"] == "heldout", "value"] = -abs(inside["n_topics"] - 10)
    _, best, reasoning = _recommend(inside, "npmi", 0.6)
    assert best == 10 and "of the grid" not in reasoning


def test_a_tie_on_the_mean_score_is_said_with_the_measures_on_each_side():
    from toolkit.topics.select import _recommend

    # two K, coherence and stability favour 5, held-out fit and exclusivity 8: the standardised means tie
    values = {5: {"npmi": 0.2, "stability": 0.95, "heldout": -9.0, "exclusivity": 0.5},
              8: {"npmi": 0.1, "stability": 0.90, "heldout": -8.0, "exclusivity": 0.6}}
    rows = [(k, s, m, v) for k, measures in values.items() for s in (0, 1) for m, v in measures.items()]
    _, best, reasoning = _recommend(pd.DataFrame(rows, columns=["n_topics", "random_state", "measure", "value"]),
                                    "npmi", 0.6)
    assert best == 5
    assert "K = 5, 8 tie on the mean score (heldout, exclusivity favour K = 8)" in reasoning
    assert "the smallest, K = 5, is recommended" in reasoning
    # no tie: no such sentence
    values[8]["exclusivity"] = 0.4
    rows = [(k, s, m, v) for k, measures in values.items() for s in (0, 1) for m, v in measures.items()]
    assert "tie" not in _recommend(pd.DataFrame(rows, columns=["n_topics", "random_state", "measure", "value"]),
                                   "npmi", 0.6)[2]
