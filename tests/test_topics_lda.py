"""LDA fitting, seeded topics, persistence and the `topics` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from toolkit.topics.lda import fit_lda, mixture_probabilities
from toolkit.topics.persist import load_result, save_result
from toolkit.topics.seeded import check_n_topics, fit_seeded_lda, seed_coverage, seeded_eta
from toolkit.topics.synthetic import _cosine, align_topic_word, generate_lda_corpus, match_topics, recovery_score

# Small Vietnamese corpus written for these tests: three recognisable themes.
VI_DOCS = [
    ["giải_phóng_mặt_bằng", "bồi_thường", "thu_hồi_đất", "người_dân", "đồng_thuận"],
    ["bồi_thường", "hỗ_trợ", "tái_định_cư", "giải_phóng_mặt_bằng", "dự_án"],
    ["thu_hồi_đất", "dự_án", "tái_định_cư", "bồi_thường", "hộ_dân"],
    ["dân_vận_khéo", "mô_hình", "nông_thôn_mới", "đoàn_viên", "hội_viên"],
    ["nông_thôn_mới", "đường_giao_thông", "hiến_đất", "dân_vận_khéo", "mô_hình"],
    ["hiến_đất", "đường_giao_thông", "người_dân", "nông_thôn_mới", "đồng_thuận"],
    ["tôn_giáo", "đồng_bào", "chức_sắc", "đoàn_kết", "dân_tộc"],
    ["đồng_bào", "dân_tộc", "đoàn_kết", "hộ_dân", "chức_sắc"],
    ["chức_sắc", "tôn_giáo", "đoàn_kết", "đồng_bào", "mô_hình"],
] * 4


@pytest.fixture(scope="module")
def planted():
    # beta=0.05: topics of ~100 words; very sparse topics (beta=0.01) leave both
    # samplers in poor local optima for some seeds
    return generate_lda_corpus(600, 5, 300, doc_length=80, random_state=1, beta=0.05)


@pytest.fixture(scope="module")
def gensim_fit(planted):
    return fit_lda(planted.documents, 5, random_state=0)


@pytest.fixture(scope="module")
def vi_fit():
    return fit_lda(VI_DOCS, 3, random_state=0, max_df=1.0)


def _recovery(corpus, result):
    return recovery_score(corpus.topic_word, align_topic_word(result.topic_word_, result.vocabulary_, corpus.vocabulary))


def test_gensim_recovers_planted_topics(planted, gensim_fit):
    assert _recovery(planted, gensim_fit) >= 0.9


def test_tomotopy_recovers_planted_topics(planted):
    result = fit_lda(planted.documents, 5, random_state=0, engine="tomotopy")
    assert result.engine == "tomotopy"
    assert _recovery(planted, result) >= 0.9
    np.testing.assert_allclose(result.doc_topic_.sum(axis=1), 1.0)
    assert result.doc_topic_concentration_.min() > 0


def test_arrays_are_distributions(gensim_fit, planted):
    r = gensim_fit
    K, V = r.topic_word_.shape
    assert K == 5 and V == len(r.vocabulary_) and r.vocabulary_ == sorted(r.vocabulary_)
    np.testing.assert_allclose(r.topic_word_.sum(axis=1), 1.0)
    np.testing.assert_allclose(r.doc_topic_.sum(axis=1), 1.0)
    assert r.doc_topic_.shape == (len(planted.documents), 5)
    assert r.alpha_.shape == (5,) and r.term_frequency_.shape == (V,)
    assert r.doc_lengths_.sum() == r.term_frequency_.sum()
    assert r.settings_["passes"] == 50 and r.settings_["iterations"] >= 100
    assert r.topic_labels_ == ["topic_00", "topic_01", "topic_02", "topic_03", "topic_04"]


def test_transform_shape_and_determinism(vi_fit):
    new = [["bồi_thường", "tái_định_cư"], [], ["tôn_giáo", "không_có_trong_từ_điển"]]
    a = vi_fit.transform(new)
    assert a.shape == (3, 3)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    np.testing.assert_array_equal(a, vi_fit.transform(new))
    np.testing.assert_allclose(a[1], vi_fit.alpha_ / vi_fit.alpha_.sum())
    # the training documents give back their own proportions
    np.testing.assert_allclose(vi_fit.transform(VI_DOCS), vi_fit.doc_topic_)


def test_sample_doc_topic(vi_fit):
    draws = vi_fit.sample_doc_topic(4, random_state=1)
    assert draws.shape == (4, len(VI_DOCS), 3)
    np.testing.assert_allclose(draws.sum(axis=2), 1.0)
    np.testing.assert_array_equal(draws, vi_fit.sample_doc_topic(4, random_state=1))


def test_top_terms_table(vi_fit):
    table = vi_fit.top_terms(4)
    assert list(table.columns) == ["topic", "label", "rank", "term", "weight", "measure"]
    assert set(table["measure"]) == {"prob"}
    assert len(table) == 12
    assert table.groupby("topic")["weight"].apply(lambda w: w.is_monotonic_decreasing).all()


def test_same_seed_same_arrays_different_seed_differs():
    a = fit_lda(VI_DOCS, 3, random_state=5, max_df=1.0)
    b = fit_lda(iter([list(d) for d in VI_DOCS]), 3, random_state=5, max_df=1.0)  # one-shot iterator
    c = fit_lda(VI_DOCS, 3, random_state=6, max_df=1.0)
    np.testing.assert_array_equal(a.topic_word_, b.topic_word_)
    np.testing.assert_array_equal(a.doc_topic_, b.doc_topic_)
    assert not np.array_equal(a.topic_word_, c.topic_word_)


_HASH_SCRIPT = textwrap.dedent("""
    import hashlib, json, sys
    from toolkit.topics.lda import fit_lda
    docs = json.loads(sys.stdin.read())
    out = {}
    for engine in ("gensim", "tomotopy"):
        r = fit_lda(docs, 3, random_state=11, engine=engine, max_df=1.0, passes=5 if engine == "gensim" else None,
                    iterations=200)
        h = hashlib.sha256()
        for arr in (r.topic_word_, r.doc_topic_, r.alpha_):
            h.update(arr.tobytes())
        h.update("|".join(r.vocabulary_).encode())
        out[engine] = h.hexdigest()
    print(json.dumps(out))
""")


def test_identical_arrays_under_different_hash_seeds():
    # shuffle token order inside documents so set/dict iteration order would show
    digests = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        proc = subprocess.run([sys.executable, "-c", _HASH_SCRIPT], input=json.dumps(VI_DOCS),
                              capture_output=True, text=True, env=env, timeout=120, check=True)
        digests.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert digests[0] == digests[1]


def test_empty_vocabulary_raises():
    with pytest.raises(ValueError, match="vocabulary is empty"):
        fit_lda([["một"], ["hai"]], 2, random_state=0, min_df=2)


def test_match_topics_recovers_permutation():
    rng = np.random.default_rng(0)
    beta = rng.dirichlet(np.full(20, 0.1), size=4)
    perm = np.array([2, 0, 3, 1])
    assignment, sim = match_topics(beta, beta[perm])
    np.testing.assert_array_equal(perm[assignment], np.arange(4))
    np.testing.assert_allclose(sim, 1.0)


# --------------------------------------------------------------------------- seeded


@pytest.fixture(scope="module")
def seeded_corpus():
    c = generate_lda_corpus(400, 5, 200, doc_length=60, random_state=3, beta=0.05)
    voc = np.array(c.vocabulary)
    themes = {"site_clearance": voc[np.argsort(-c.topic_word[3])[:5]].tolist(),
              "mass_mobilization": voc[np.argsort(-c.topic_word[1])[:5]].tolist()}
    return c, themes


@pytest.mark.parametrize("engine,seed", [("gensim", 0), ("gensim", 1), ("tomotopy", 0)])
def test_seeded_topics_capture_their_themes(seeded_corpus, engine, seed):
    c, themes = seeded_corpus
    r = fit_seeded_lda(c.documents, themes, 5, random_state=seed, engine=engine)  # 2 seeded + 3 free
    assert r.topic_labels_ == ["site_clearance", "mass_mobilization", "topic_02", "topic_03", "topic_04"]
    sim = _cosine(c.topic_word, align_topic_word(r.topic_word_, r.vocabulary_, c.vocabulary))
    assert sim[3, 0] >= 0.9 and sim[1, 1] >= 0.9
    top = r.top_terms(10)
    assert set(themes["site_clearance"]) <= set(top.loc[top["topic"] == 0, "term"])


def test_seeded_eta_layout():
    vocab = ["bồi_thường", "dân_vận_khéo", "hiến_đất", "thu_hồi_đất"]
    eta, labels = seeded_eta({"đất_đai": ["thu_hồi_đất", "bồi_thường"], "dân_vận": ["dân_vận_khéo"]}, vocab, 3,
                             seed_weight=5.0)
    assert labels == ["đất_đai", "dân_vận", "topic_02"]
    assert eta.shape == (3, 4)
    assert eta[0, 0] == eta[0, 3] == 5.0 and eta[1, 1] == 5.0
    assert eta[1, 0] < eta[2, 0] == pytest.approx(1 / 3)


def test_theme_without_vocabulary_terms_raises():
    with pytest.raises(ValueError, match=r"theme tôn_giáo: none of its 2 seed terms is in the vocabulary"):
        seeded_eta({"tôn_giáo": ["chùa", "nhà_thờ"]}, ["bồi_thường"], 2)
    with pytest.raises(ValueError, match="none of its"):
        fit_seeded_lda(VI_DOCS, {"kinh_tế": ["lạm_phát"]}, 2, random_state=0)


@pytest.mark.parametrize("n_topics,n_themes,ok", [(3, 2, True), (2, 2, False), (1, 2, False), (5, 4, True),
                                                  (4, 4, False), (1, 0, True)])
def test_n_topics_counts_every_topic(n_topics, n_themes, ok):
    if ok:
        check_n_topics(n_topics, n_themes)
    else:
        with pytest.raises(ValueError, match=f"n_topics={n_topics} cannot be honoured: {n_themes} seeded theme"):
            check_n_topics(n_topics, n_themes)


def test_seeded_model_has_exactly_n_topics_or_fails():
    themes = {"đất_đai": ["thu_hồi_đất", "bồi_thường"], "dân_vận": ["dân_vận_khéo"]}
    r = fit_seeded_lda(VI_DOCS, themes, 3, random_state=0, max_df=1.0, min_df=1)
    assert r.n_topics == 3 and r.topic_labels_ == ["đất_đai", "dân_vận", "topic_02"]
    for k in (1, 2):
        with pytest.raises(ValueError, match="cannot be honoured"):
            fit_seeded_lda(VI_DOCS, themes, k, random_state=0, max_df=1.0, min_df=1)


def test_seed_coverage_table():
    table = seed_coverage({"đất_đai": ["thu_hồi_đất", "bồi_thường", "bồi_thường"], "x": ["không_có"]},
                          ["bồi_thường"])
    assert table.to_dict("list") == {"theme": ["đất_đai", "x"], "n_terms": [2, 1], "n_in_vocabulary": [1, 0],
                                     "terms_missing": ["thu_hồi_đất", "không_có"]}


# --------------------------------------------------------------------------- persistence


def test_persistence_round_trip(vi_fit, tmp_path):
    save_result(vi_fit, tmp_path / "model")
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["arrays.npz", "model.json"]
    loaded = load_result(tmp_path / "model")
    for name in ("topic_word_", "doc_topic_", "doc_topic_concentration_", "alpha_", "term_frequency_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(vi_fit, name))
    assert loaded.vocabulary_ == vi_fit.vocabulary_ and loaded.topic_labels_ == vi_fit.topic_labels_
    assert loaded.settings_["passes"] == vi_fit.settings_["passes"]
    np.testing.assert_array_equal(loaded.transform(VI_DOCS[:3]), vi_fit.transform(VI_DOCS[:3]))
    meta = json.loads((tmp_path / "model" / "model.json").read_text(encoding="utf-8"))
    assert "gensim" in meta["package_versions"] and "thu_hồi_đất" in meta["vocabulary"]


def test_doc_ids_from_the_token_table_or_given():
    ids = [f"tin-{i:02d}" for i in range(len(VI_DOCS))]
    table = pd.DataFrame({"doc_id": ids, "tokens": VI_DOCS})
    from_table = fit_lda(table, 2, random_state=0, max_df=1.0)
    given = fit_lda(VI_DOCS, 2, random_state=0, max_df=1.0, doc_ids=ids)
    assert from_table.doc_ids == given.doc_ids == ids and given.settings_["doc_id_source"] == "given"
    np.testing.assert_array_equal(from_table.doc_topic_, given.doc_topic_)
    assert from_table.doc_topic_frame()["doc_id"].tolist() == ids
    seeded = fit_seeded_lda(table, {"đất_đai": ["thu_hồi_đất"]}, 2, random_state=0, max_df=1.0)
    assert seeded.doc_ids == ids
    bare = fit_lda(VI_DOCS, 2, random_state=0, max_df=1.0)
    assert bare.doc_ids == [str(i) for i in range(len(VI_DOCS))] and bare.settings_["doc_id_source"] == "positions"


@pytest.mark.parametrize("kwargs,match", [
    ({"doc_ids": ["a", "b"]}, "2 doc_ids for"),
    ({"doc_ids": ["a"] * len(VI_DOCS)}, "doc_ids repeat: a"),
])
def test_bad_doc_ids_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fit_lda(VI_DOCS, 2, random_state=0, max_df=1.0, **kwargs)
    table = pd.DataFrame({"doc_id": [f"x{i}" for i in range(len(VI_DOCS))], "tokens": VI_DOCS})
    with pytest.raises(ValueError, match="differs from the doc_id column"):
        fit_lda(table, 2, random_state=0, doc_ids=[f"y{i}" for i in range(len(VI_DOCS))])


def test_doc_ids_saved_and_old_models_without_ids(vi_fit, tmp_path, caplog):
    ids = [f"tin-{i:02d}" for i in range(len(VI_DOCS))]
    fitted = fit_lda(pd.DataFrame({"doc_id": ids, "tokens": VI_DOCS}), 3, random_state=0, max_df=1.0)
    save_result(fitted, tmp_path / "new")
    assert load_result(tmp_path / "new").doc_ids == ids
    with pytest.raises(ValueError, match="differs from the ids stored"):
        load_result(tmp_path / "new", doc_ids=ids[::-1])
    # a model saved before ids were stored (format_version 1)
    save_result(fitted, tmp_path / "old")
    meta = json.loads((tmp_path / "old" / "model.json").read_text(encoding="utf-8"))
    del meta["doc_ids"]
    meta["format_version"] = 1
    (tmp_path / "old" / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with caplog.at_level("WARNING", logger="toolkit.topics"):
        old = load_result(tmp_path / "old")
    assert old.doc_ids == [str(i) for i in range(len(VI_DOCS))] and "without document ids" in caplog.text
    assert load_result(tmp_path / "old", doc_ids=ids).doc_ids == ids
    with pytest.raises(ValueError, match="unique ids"):
        load_result(tmp_path / "old", doc_ids=ids[:3])


def test_incompatible_format_version(vi_fit, tmp_path):
    save_result(vi_fit, tmp_path)
    meta = json.loads((tmp_path / "model.json").read_text(encoding="utf-8"))
    meta["format_version"] = 999
    (tmp_path / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ValueError, match="format_version 999"):
        load_result(tmp_path)


# --------------------------------------------------------------------------- CLI


def test_topics_command(tmp_path):
    from typer.testing import CliRunner

    import toolkit.cli.topics  # noqa: F401
    from toolkit.cli import app
    from toolkit.corpus import write_table

    ids = [f"d{i:03d}" for i in range(len(VI_DOCS))] + ["dup"]
    docs = pd.DataFrame({"doc_id": ids, "title": "", "body": "văn bản", "duplicate_of": [""] * len(VI_DOCS) + ["d000"]})
    tokens = pd.DataFrame({"doc_id": ids, "tokens": VI_DOCS + [VI_DOCS[0]]})
    write_table(docs, tmp_path / "docs.parquet")
    write_table(tokens, tmp_path / "tokens.parquet")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["topics", str(tmp_path / "docs.parquet"), "--tokens", str(tmp_path / "tokens.parquet"),
                                   "--n-topics", "3", "--random-state", "0", "-o", str(out), "--max-df", "1.0",
                                   "--engine", "tomotopy"])
    assert res.exit_code == 0, res.output
    terms = pd.read_csv(out / "topic_terms.csv")
    assert list(terms.columns) == ["topic", "label", "rank", "term", "weight", "measure"]
    doc_topics = pd.read_parquet(out / "doc_topics.parquet")
    assert list(doc_topics.columns) == ["doc_id", "topic_0", "topic_1", "topic_2"]
    assert doc_topics["doc_id"].tolist() == ids[:-1]  # the duplicate is dropped
    assert load_result(out / "model").engine == "tomotopy"


def test_topics_command_seeded_fails_loudly_when_our_theme_module_is_broken(tmp_path, monkeypatch):
    # our own code is never wrapped in a fallback: a broken module raises, it is not reported as a usage error
    from typer.testing import CliRunner

    import toolkit.cli.topics  # noqa: F401
    from toolkit.cli import app
    from toolkit.corpus import write_table

    monkeypatch.setitem(sys.modules, "toolkit.themes.dictionary", None)  # import fails
    ids = [f"d{i:03d}" for i in range(len(VI_DOCS))]
    write_table(pd.DataFrame({"doc_id": ids, "body": "x"}), tmp_path / "docs.parquet")
    write_table(pd.DataFrame({"doc_id": ids, "tokens": VI_DOCS}), tmp_path / "tokens.parquet")
    res = CliRunner().invoke(app, ["topics", str(tmp_path / "docs.parquet"), "--tokens", str(tmp_path / "tokens.parquet"),
                                   "--n-topics", "2", "--random-state", "0", "-o", str(tmp_path / "o"), "--seeded"])
    assert isinstance(res.exception, ImportError) and "toolkit.themes" in str(res.exception)


def test_topics_command_seeded_with_theme_dictionary(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import toolkit.cli.topics  # noqa: F401
    import toolkit.themes.dictionary
    from toolkit.cli import app
    from toolkit.corpus import write_table

    class FakeThemes:
        def token_terms(self):
            return {"site_clearance": ["bồi_thường", "thu_hồi_đất"], "religion": ["tôn_giáo", "chức_sắc"],
                    "absent": ["không_xuất_hiện"]}

    monkeypatch.setattr(toolkit.themes.dictionary, "load_themes", lambda *a, **k: FakeThemes())
    ids = [f"d{i:03d}" for i in range(len(VI_DOCS))]
    write_table(pd.DataFrame({"doc_id": ids, "body": "x"}), tmp_path / "docs.parquet")
    write_table(pd.DataFrame({"doc_id": ids, "tokens": VI_DOCS}), tmp_path / "tokens.parquet")
    args = ["topics", str(tmp_path / "docs.parquet"), "--tokens", str(tmp_path / "tokens.parquet"), "--n-topics", "4",
            "--random-state", "0", "-o", str(tmp_path / "o"), "--seeded", "--max-df", "1.0", "--seed-themes", "all"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2 and "theme absent: none of its 1 seed terms" in res.output
    # by default the project's dictionary seeds the figures' themes ([topics] seed_themes), not every theme
    res = CliRunner().invoke(app, args[:-2])
    assert res.exit_code == 0, res.output
    assert pd.read_csv(tmp_path / "o" / "seed_retention.csv")["label"].tolist() == ["site_clearance", "religion"]
    res = CliRunner().invoke(app, args[:-1] + ["religion"])
    assert res.exit_code == 0, res.output
    assert pd.read_csv(tmp_path / "o" / "seed_retention.csv")["label"].tolist() == ["religion"]
    res = CliRunner().invoke(app, args[:-1] + ["religon"])
    assert res.exit_code == 2 and "religon not a theme of the dictionary" in res.output
    res = CliRunner().invoke(app, args + ["--skip-missing-themes"])
    assert res.exit_code == 0, res.output
    terms = pd.read_csv(tmp_path / "o" / "topic_terms.csv")
    # --n-topics counts every topic: 2 seeded themes (one left out) + 2 free
    assert terms.drop_duplicates("topic")["label"].tolist() == ["site_clearance", "religion", "topic_02", "topic_03"]
    retention = pd.read_csv(tmp_path / "o" / "seed_retention.csv")
    assert retention["label"].tolist() == ["site_clearance", "religion"] and "held" in retention
    res = CliRunner().invoke(app, args[:5] + ["2"] + args[6:] + ["--skip-missing-themes"])
    assert res.exit_code == 2 and "n_topics=2 cannot be honoured: 2 seeded theme(s) need at least 3" in res.output


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_sparse_planted_topics_recovered_at_a_realistic_size(seed):
    # Sparse topics (beta = 0.01) are where variational LDA merges two topics
    # and splits another from a poor start; the clustered start avoids it.
    c = generate_lda_corpus(3000, 10, 2000, doc_length=100, alpha=0.1, beta=0.01, random_state=1)
    r = fit_lda(c.documents, 10, random_state=seed)
    assert recovery_score(c.topic_word, align_topic_word(r.topic_word_, r.vocabulary_, c.vocabulary)) >= 0.94


class _DiskCorpus:
    """Token lists read from a file on every pass, counting the passes."""

    def __init__(self, path):
        self.path, self.passes = path, 0

    def __iter__(self):
        self.passes += 1
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                yield line.split()


class _ListCorpus:
    """A re-iterable corpus that is not a list (as a corpus streamed from disk)."""

    def __init__(self, documents):
        self.documents = documents

    def __iter__(self):
        return iter(self.documents)


def test_streamed_fit_never_holds_the_corpus(tmp_path):
    c = generate_lda_corpus(1500, 5, 300, doc_length=80, alpha=0.1, beta=0.05, random_state=2)
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(doc) for doc in c.documents) + "\n", encoding="utf-8")
    corpus = _DiskCorpus(path)
    r = fit_lda(corpus, 5, random_state=0, stream=True, passes=10, min_df=1, max_df=1.0)
    assert corpus.passes == 10 + 3  # vocabulary, lengths, passes, proportions
    assert r.settings_["stream"] is True and r.doc_topic_.shape == (1500, 5)
    np.testing.assert_allclose(r.doc_topic_.sum(axis=1), 1.0)
    assert r.doc_lengths_.sum() == sum(len(d) for d in c.documents)
    assert recovery_score(c.topic_word, align_topic_word(r.topic_word_, r.vocabulary_, c.vocabulary)) >= 0.9
    again = fit_lda(_DiskCorpus(path), 5, random_state=0, stream=True, passes=10, min_df=1, max_df=1.0)
    np.testing.assert_array_equal(r.topic_word_, again.topic_word_)


def test_stream_needs_a_reiterable_gensim_corpus():
    with pytest.raises(ValueError, match="re-iterable"):
        fit_lda((d for d in VI_DOCS), 2, random_state=0, stream=True)
    with pytest.raises(ValueError, match="engine='gensim'"):
        fit_lda(VI_DOCS, 2, random_state=0, stream=True, engine="tomotopy")


def test_streamed_fit_starts_from_the_in_memory_clusters(planted):
    # When the start's sample holds the whole corpus, streaming changes nothing: the same start, the same arrays.
    memory = fit_lda(planted.documents, 5, random_state=3, passes=4, min_df=1, max_df=1.0)
    streamed = fit_lda(_ListCorpus(planted.documents), 5, random_state=3, passes=4, min_df=1, max_df=1.0, stream=True)
    assert streamed.settings_["init"] == "clusters" and streamed.settings_["init_sample"] == len(planted.documents)
    assert streamed.settings_["init_n_init"] == 3  # as in memory
    np.testing.assert_array_equal(streamed.topic_word_, memory.topic_word_)
    np.testing.assert_allclose(streamed.doc_topic_, memory.doc_topic_)


def test_streamed_fit_recovers_sparse_planted_topics_from_a_sample_start():
    # Sparse topics (beta = 0.01) are where gensim's own random start merges two
    # topics and splits another (recovery ~0.82-0.92 on this corpus); k-means on
    # a seeded sample of a fifth of the documents keeps them apart, as the
    # in-memory fit's k-means on every document does.
    c = generate_lda_corpus(2000, 10, 1000, doc_length=100, alpha=0.1, beta=0.01, random_state=1)
    settings = {"random_state": 0, "passes": 10, "iterations": 100, "min_df": 1, "max_df": 1.0}
    streamed = fit_lda(_ListCorpus(c.documents), 10, stream=True, init_sample=400, **settings)
    memory = fit_lda(c.documents, 10, **settings)
    assert streamed.settings_["init_sample"] == 400 and streamed.settings_["init_n_init"] == 10
    scores = [recovery_score(c.topic_word, align_topic_word(r.topic_word_, r.vocabulary_, c.vocabulary))
              for r in (streamed, memory)]
    assert scores[0] >= 0.99 and scores[0] >= scores[1] - 0.005, scores


@pytest.mark.parametrize("chunksize", [7, 64, 1000])
def test_start_sample_is_seeded_uniform_and_independent_of_chunks(chunksize):
    import scipy.sparse as sp

    from toolkit.topics.lda import _RowSample

    X = sp.csr_matrix(np.arange(300, dtype=float).reshape(-1, 1) + 1)  # row i holds i + 1
    samples = []
    for seed in (0, 0, 1):
        sample = _RowSample(40, seed)
        for start in range(0, 300, chunksize):
            sample.add(X[start:start + chunksize])
        samples.append(sample.rows.toarray().ravel() - 1)
    reference = _RowSample(40, 0)
    reference.add(X)  # one chunk
    assert len(samples[0]) == 40 and len(set(samples[0])) == 40
    assert np.all(np.diff(samples[0]) > 0)  # kept in stream order
    np.testing.assert_array_equal(samples[0], samples[1])
    np.testing.assert_array_equal(samples[0], reference.rows.toarray().ravel() - 1)
    assert not np.array_equal(samples[0], samples[2])
    assert samples[0].min() < 60 and samples[0].max() > 240  # spread over the stream, not its head


@pytest.mark.parametrize("init_sample", [100, 20_000])
def test_streamed_seeded_topics_capture_their_themes(seeded_corpus, init_sample):
    # Seeded topics start from the sampled cluster richest in their seeds, as in memory.
    c, themes = seeded_corpus
    corpus = _ListCorpus(c.documents)
    r = fit_seeded_lda(corpus, themes, 5, random_state=0, passes=10, stream=True, init_sample=init_sample)
    assert r.settings_["stream"] is True and r.settings_["init_sample"] == min(init_sample, len(c.documents))
    assert r.topic_labels_ == ["site_clearance", "mass_mobilization", "topic_02", "topic_03", "topic_04"]
    sim = _cosine(c.topic_word, align_topic_word(r.topic_word_, r.vocabulary_, c.vocabulary))
    assert sim[3, 0] >= 0.9 and sim[1, 1] >= 0.9
    if init_sample >= len(c.documents):
        memory = fit_seeded_lda(c.documents, themes, 5, random_state=0, passes=10)
        np.testing.assert_array_equal(r.topic_word_, memory.topic_word_)


def _write_vi_tables(tmp_path, tokens_order=None):
    from toolkit.corpus import write_table

    ids = [f"d{i:03d}" for i in range(len(VI_DOCS))] + ["dup"]
    docs = pd.DataFrame({"doc_id": ids, "title": "", "body": "văn bản", "duplicate_of": [""] * len(VI_DOCS) + ["d000"]})
    tokens = pd.DataFrame({"doc_id": ids + ["d001"], "tokens": VI_DOCS + [VI_DOCS[0], ["lặp_lại"]]})  # d001 repeats
    if tokens_order is not None:
        tokens = tokens.iloc[tokens_order]
    write_table(docs, tmp_path / "docs.parquet")
    write_table(tokens, tmp_path / "tokens.jsonl")
    return ids


def _topics(tmp_path, *args):
    from typer.testing import CliRunner

    import toolkit.cli.topics  # noqa: F401
    from toolkit.cli import app

    return CliRunner().invoke(app, ["topics", str(tmp_path / "docs.parquet"), "--n-topics", "3", "--max-df", "1.0",
                                    "--passes", "5", *args])


def test_topics_command_stream_gives_the_in_memory_model(tmp_path, monkeypatch):
    ids = _write_vi_tables(tmp_path)
    tokens = ["--tokens", str(tmp_path / "tokens.jsonl")]
    res = _topics(tmp_path, *tokens, "-o", str(tmp_path / "memory"))
    assert res.exit_code == 0, res.output
    # --stream never loads a whole table
    import toolkit.cli._shared
    import toolkit.corpus

    def refuse(*args, **kwargs):
        raise AssertionError("a whole table was loaded")

    monkeypatch.setattr(toolkit.corpus, "read_table", refuse)
    monkeypatch.setattr(toolkit.cli._shared, "load_tokens", refuse)
    res = _topics(tmp_path, *tokens, "--stream", "-o", str(tmp_path / "stream"))
    assert res.exit_code == 0, res.output
    monkeypatch.undo()
    streamed, memory = (pd.read_parquet(tmp_path / d / "doc_topics.parquet") for d in ("stream", "memory"))
    assert streamed["doc_id"].tolist() == ids[:-1]  # the repost is left out, a repeated token row read once
    pd.testing.assert_frame_equal(streamed, memory)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "stream" / "topic_terms.csv"),
                                  pd.read_csv(tmp_path / "memory" / "topic_terms.csv"))
    model = load_result(tmp_path / "stream" / "model")
    assert model.settings_["stream"] is True and model.doc_ids == ids[:-1]


def test_topics_command_stream_follows_the_token_table_order(tmp_path):
    n = len(VI_DOCS)
    ids = _write_vi_tables(tmp_path, tokens_order=list(range(n + 1, -1, -1)))  # reversed
    res = _topics(tmp_path, "--tokens", str(tmp_path / "tokens.jsonl"), "--stream", "-o", str(tmp_path / "o"))
    assert res.exit_code == 0, res.output
    doc_topics = pd.read_parquet(tmp_path / "o" / "doc_topics.parquet")
    # reversed, the repeated row of d001 comes first: it is the one read (as `load_tokens` keeps the first)
    expected = ["d001"] + [d for d in ids[:-1][::-1] if d != "d001"]
    assert doc_topics["doc_id"].tolist() == expected


@pytest.mark.parametrize("args,message", [
    (["--stream"], "toolkit preprocess"),  # no --tokens: says how to make it
    (["--stream", "--engine", "tomotopy", "--tokens", "TOKENS"], "--engine gensim"),
    (["--stream", "--tokens", "OTHER"], "have no row in"),
])
def test_topics_command_stream_usage_errors(tmp_path, args, message):
    _write_vi_tables(tmp_path)
    from toolkit.corpus import write_table

    write_table(pd.DataFrame({"doc_id": ["d000"], "tokens": [["bồi_thường"]]}), tmp_path / "other.parquet")
    paths = {"TOKENS": str(tmp_path / "tokens.jsonl"), "OTHER": str(tmp_path / "other.parquet")}
    res = _topics(tmp_path, *[paths.get(a, a) for a in args], "-o", str(tmp_path / "o"))
    assert res.exit_code == 2 and message in res.output, res.output
    assert not (tmp_path / "o").exists()


def test_mixture_probabilities_in_chunks_equal_the_one_piece_values():
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    theta, beta = rng.dirichlet(np.ones(7), size=300), rng.dirichlet(np.ones(2000), size=7)
    X = sp.random(300, 2000, density=0.05, format="coo", random_state=1)
    whole = np.einsum("ij,ji->i", theta[X.row], beta[:, X.col])
    for chunk in (1, 997, X.nnz, 10 * X.nnz):
        assert np.array_equal(mixture_probabilities(theta, beta, X.row, X.col, chunk=chunk), whole)


def test_seed_retention_says_which_seeded_topics_kept_their_seeds(seeded_corpus):
    from types import SimpleNamespace

    from toolkit.topics.seeded import seed_retention

    # by hand: seeds "a" and "b" are 0.5 of topic 0's words and 0.25 of the corpus's tokens, in its top terms;
    # "e" is 0.01 of topic 1's words, not among its 2 most probable terms
    model = SimpleNamespace(settings_={"themes": {"one": ["a", "b", "zz"], "two": ["e"]}},
                            topic_labels_=["one", "two", "topic_02"], vocabulary_=["a", "b", "c", "d", "e"],
                            term_frequency_=np.array([10, 10, 30, 30, 0]),
                            topic_word_=np.array([[0.3, 0.2, 0.3, 0.2, 0.0], [0.0, 0.0, 0.5, 0.49, 0.01],
                                                  [0.2, 0.2, 0.2, 0.2, 0.2]]))
    table = seed_retention(model, n_top=2)
    assert table["label"].tolist() == ["one", "two"] and table["n_seeds"].tolist() == [3, 1]
    # "one" has two seeds in the vocabulary and only "a" among its 2 most probable terms: one seed alone can be a
    # word the topic shares with something else (religion's "lễ hội" atop a topic of holiday beaches)
    assert not table["held"].iloc[0]
    assert seed_retention(model, n_top=4).set_index("label").at["one", "seeds_in_top_terms"] == "a; b"
    assert seed_retention(model, n_top=4).set_index("label").at["one", "held"]
    assert table["n_seeds_in_vocabulary"].tolist() == [2, 1]
    np.testing.assert_allclose(table["seed_mass"], [0.5, 0.01])
    np.testing.assert_allclose(table["corpus_seed_mass"], [0.25, 0.0])
    assert table["lift"].iloc[0] == pytest.approx(2.0) and np.isnan(table["lift"].iloc[1])
    assert table["seeds_in_top_terms"].tolist() == ["a", ""] and table["held"].tolist() == [False, False]
    # without document-topic proportions there are no topic sizes: no capture, the top-terms rule alone
    assert table["seed_capture"].isna().all() and table["main_seed_topic"].isna().all()

    # with them: p(topic | term) ∝ φ · N_k. Topic 0 has 10 tokens, topic 2 has 90: of "a"'s occurrences topic 0
    # takes 0.3·10 / (0.3·10 + 0.2·90) = 1/7, of "b"'s 0.2·10 / (0.2·10 + 0.2·90) = 1/10; "a" and "b" occur 10
    # times each, so topic 0 takes (1/7 + 1/10) / 2 of them and topic 2 the rest: its seeds are mostly elsewhere
    # although "a" is among its top terms
    sized = SimpleNamespace(**vars(model), doc_topic_=np.array([[0.1, 0.0, 0.9]]), doc_lengths_=np.array([100]))
    table = seed_retention(sized, n_top=4).set_index("label")
    assert table.at["one", "seed_capture"] == pytest.approx((1 / 7 + 1 / 10) / 2)
    assert table.at["one", "main_seed_topic"] == "topic_02"
    assert table.at["one", "main_seed_capture"] == pytest.approx(1 - (1 / 7 + 1 / 10) / 2)
    assert not table.at["one", "held"] and table.at["one", "seeds_in_top_terms"] == "a; b"
    # the same topic with most of the tokens holds its seeds
    big = SimpleNamespace(**vars(model), doc_topic_=np.array([[0.9, 0.0, 0.1]]), doc_lengths_=np.array([100]))
    row = seed_retention(big, n_top=4).set_index("label").loc["one"]
    assert row["held"] and row["main_seed_topic"] == "one" and row["seed_capture"] == row["main_seed_capture"]
    # one seed alone among its top terms holds a topic that takes most of the seeds' occurrences (the rarer seeds
    # below its top; a demo COVID-19 topic took 93%), not one that takes less (dantri's religion topic of holiday
    # beaches took 70% with "lễ hội" alone)
    alone = seed_retention(big, n_top=2).set_index("label").loc["one"]
    assert alone["seeds_in_top_terms"] == "a" and alone["seed_capture"] >= 0.8 and alone["held"]
    weak = SimpleNamespace(**vars(model), doc_topic_=np.array([[0.6, 0.0, 0.4]]), doc_lengths_=np.array([100]))
    row = seed_retention(weak, n_top=2).set_index("label").loc["one"]
    assert row["main_seed_topic"] == "one" and row["seed_capture"] < 0.8 and not row["held"]
    # "e" never occurs: nothing to capture, the top-terms rule alone
    assert pd.isna(seed_retention(big, n_top=2).set_index("label").at["two", "seed_capture"])
    # an unseeded model has no seeded topics
    assert seed_retention(SimpleNamespace(settings_={})).empty

    # fitted: a theme seeded with a planted topic's words holds; one seeded with the corpus's rarest words
    # (a theme the corpus hardly has) is taken over by other words and says so
    c, themes = seeded_corpus
    counts = pd.Series([t for doc in c.documents for t in doc]).value_counts()
    rare = counts[counts >= 2].index[-3:].tolist()
    r = fit_seeded_lda(c.documents, {"site_clearance": themes["site_clearance"], "rare": rare}, 5, random_state=0)
    table = seed_retention(r).set_index("label")
    assert table.loc["site_clearance", "held"] and table.loc["site_clearance", "seed_mass"] > 0.2
    assert not table.loc["rare", "held"] and table.loc["rare", "seed_mass"] < 0.01, table


def test_fit_seeded_lda_warns_of_every_theme_its_seeds_do_not_hold(seeded_corpus, caplog):
    """A notebook or script that fits a seeded model is told, through the "toolkit" logger, which seeded topic
    must not be read by its theme's name, not only the command line and the pipeline that check afterwards."""
    import logging

    from toolkit.topics.seeded import seed_retention

    c, themes = seeded_corpus
    counts = pd.Series([t for doc in c.documents for t in doc]).value_counts()
    rare = counts[counts >= 2].index[-3:].tolist()
    mixed = {"site_clearance": themes["site_clearance"], "rare": rare}
    with caplog.at_level(logging.WARNING, logger="toolkit"):
        r = fit_seeded_lda(c.documents, mixed, 5, random_state=0)
    held = seed_retention(r).set_index("label")["held"]
    assert held["site_clearance"] and not held["rare"]
    warned = [rec for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert [rec.name.split(".")[0] for rec in warned] == ["toolkit"]
    message = warned[0].getMessage()
    assert message.startswith("seeded topic rare (its words: ") and "is not held by its seed terms" in message
    assert "K=5, random_state=0" in message and "seed_retention" in message
    # every theme held: nothing to say; a caller that reports retention itself can turn the warning off
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="toolkit"):
        fit_seeded_lda(c.documents, {"site_clearance": themes["site_clearance"]}, 5, random_state=0)
        fit_seeded_lda(c.documents, mixed, 5, random_state=0, warn_not_held=False)
    assert not [rec for rec in caplog.records if rec.levelno >= logging.WARNING]
