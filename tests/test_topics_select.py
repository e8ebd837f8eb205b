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
    assert list(sel.table.columns) == ["n_topics", "random_state", "measure", "value"]
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
