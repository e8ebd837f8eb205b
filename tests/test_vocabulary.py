"""One vocabulary: every user (features/TF-IDF, keyness, topic models, the classifier) gets the same terms.

The reference meaning of ``min_df``/``max_df`` is scikit-learn's
``CountVectorizer``: an int is a number of documents, a float in [0, 1] a
proportion of documents.
"""

from __future__ import annotations

import inspect
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.pipeline import make_pipeline

from toolkit.config import RunConfig, TopicsConfig, load_config
from toolkit.keyness import group_term_counts, keyness_table, tfidf_top_terms
from toolkit.text.vocabulary import (
    MAX_DF,
    MIN_DF,
    TermCounter,
    Vocabulary,
    build_dictionary,
    build_vocabulary,
    check_filters,
    document_term_matrix,
    identity,
    tfidf_matrix,
)
from toolkit.topics.inspection import top_terms
from toolkit.topics.lda import BowCorpus, fit_lda
from toolkit.topics.seeded import fit_seeded_lda
from toolkit.topics.select import select_n_topics

# Ten short documents whose terms occur in 1, 2, ... 10 of them.
DOCS = [
    ["dân_vận", "công_tác", "giải_phóng_mặt_bằng", "bồi_thường", "đối_thoại", "ủy_ban", "hòa_giải"],
    ["dân_vận", "công_tác", "giải_phóng_mặt_bằng", "bồi_thường", "đối_thoại", "ủy_ban", "dân_vận"],
    ["dân_vận", "công_tác", "giải_phóng_mặt_bằng", "bồi_thường", "đối_thoại", "tôn_giáo"],
    ["dân_vận", "công_tác", "giải_phóng_mặt_bằng", "bồi_thường", "chùa", "tôn_giáo"],
    ["dân_vận", "công_tác", "giải_phóng_mặt_bằng", "chùa", "tôn_giáo", "lễ_hội"],
    ["dân_vận", "công_tác", "nông_thôn_mới", "chùa", "tôn_giáo", "lễ_hội"],
    ["dân_vận", "công_tác", "nông_thôn_mới", "hiến_đất", "đường_giao_thông"],
    ["dân_vận", "công_tác", "nông_thôn_mới", "hiến_đất", "thủy_lợi"],
    ["dân_vận", "nông_thôn_mới", "covid-19", "cách_ly"],
    ["dân_vận", "covid-19", "cách_ly", "đ"],
]
N_DOCS = len(DOCS)
DF = Counter(t for doc in DOCS for t in set(doc))

# (min_df, max_df): ints, floats and the edge cases 1, 1.0, 0.0 and max_df=1.0
CASES = [
    (1, 1.0),      # every term (the defaults)
    (1.0, 1.0),    # min_df=1.0: in every document
    (0.0, 1.0),    # no lower limit
    (2, 1.0),
    (3, 8),
    (1, 1),        # max_df=1 (an int): in one document at most
    (0.25, 0.75),
    (0.3, 0.9),    # 0.3 × 10 is 3.0000000000000004 in floating point: scikit-learn keeps df >= that
    (2, 0.9),      # the topic models' run settings
    (0.0, 0.5),
    (4, 1.0),
]


def _reference(min_df, max_df) -> list[str]:
    """scikit-learn's vocabulary: the meaning every user must share."""
    vectorizer = CountVectorizer(analyzer=identity, lowercase=False, min_df=min_df, max_df=max_df)
    vectorizer.fit(DOCS)
    return vectorizer.get_feature_names_out().tolist()


def _tables():
    ids = [f"d{i:02d}" for i in range(N_DOCS)]
    tokens = pd.DataFrame({"doc_id": ids, "tokens": DOCS})
    documents = pd.DataFrame({"doc_id": ids, "province": ["Bến Tre", "Sóc Trăng"] * (N_DOCS // 2)})
    return tokens, documents


@pytest.mark.parametrize("min_df,max_df", CASES)
def test_features_keyness_and_topic_models_share_one_vocabulary(min_df, max_df):
    expected = _reference(min_df, max_df)
    assert expected, "a case must keep some terms"
    filters = {"min_df": min_df, "max_df": max_df}

    vocab = build_vocabulary(DOCS, **filters)
    assert vocab.terms == expected
    X, counted = document_term_matrix(DOCS, **filters)
    assert counted == vocab  # same terms, frequencies and number of documents
    assert tfidf_matrix(DOCS, **filters)[1].terms == expected
    assert list(build_dictionary(DOCS, **filters).token2id) == expected
    assert TermCounter(**filters).fit(DOCS).get_feature_names_out().tolist() == expected

    tokens, documents = _tables()
    assert group_term_counts(tokens, documents, "province", **filters)[2] == expected
    assert set(tfidf_top_terms(tokens, documents, "province", n_terms=50, **filters)["term"]) <= set(expected)

    fit = {"random_state": 0, "passes": 1, "iterations": 5, "init": "uniform", **filters}
    assert fit_lda(DOCS, 2, **fit).vocabulary_ == expected
    assert fit_lda(DOCS, 2, stream=True, **fit).vocabulary_ == expected
    assert fit_lda(DOCS, 2, engine="tomotopy", random_state=0, iterations=10, **filters).vocabulary_ == expected


@pytest.mark.parametrize("min_df,max_df", [(2, 0.9), (0.3, 1.0)])
def test_model_selection_and_seeded_topics_use_the_same_vocabulary(min_df, max_df):
    expected = _reference(min_df, max_df)
    selection = select_n_topics(DOCS, (2,), (0,), measures=("npmi",), n_jobs=1, keep_results=True, progress=False,
                                passes=1, iterations=5, init="uniform", min_df=min_df, max_df=max_df)
    assert selection.results[(2, 0)].vocabulary_ == expected
    # seeded: the vocabulary plus the seed terms that occur at all
    seeded = fit_seeded_lda(DOCS, {"religion": ["chùa", "đ"]}, 2, random_state=0, passes=1, iterations=5,
                            min_df=min_df, max_df=max_df)
    assert seeded.vocabulary_ == sorted(set(expected) | {"chùa", "đ"})


@pytest.mark.parametrize("min_df,max_df,meaning", [
    (1, 1.0, lambda df: df >= 1),
    (1.0, 1.0, lambda df: df == N_DOCS),
    (0.0, 1.0, lambda df: True),
    (2, 1.0, lambda df: df >= 2),
    (1, 1, lambda df: df == 1),
    (1, 0.5, lambda df: df <= 5),
    (0.5, 1.0, lambda df: df >= 5),
])
def test_the_meaning_of_the_edge_cases(min_df, max_df, meaning):
    vocab = build_vocabulary(DOCS, min_df=min_df, max_df=max_df)
    assert vocab.terms == sorted(t for t, df in DF.items() if meaning(df))
    assert vocab.document_frequency.tolist() == [DF[t] for t in vocab.terms]


def test_frequencies_and_keep_n():
    vocab = build_vocabulary(DOCS)
    cf = Counter(t for doc in DOCS for t in doc)
    assert vocab.n_docs == N_DOCS
    assert vocab.term_frequency.tolist() == [cf[t] for t in vocab.terms]
    assert vocab.term_frequency[vocab.index("dân_vận")] == 11 and vocab.document_frequency[vocab.index("dân_vận")] == 10
    # keep_n: the terms in most documents, ties broken by the term, then sorted
    kept = build_vocabulary(DOCS, keep_n=4)
    by_df = sorted(DF, key=lambda t: (-DF[t], t))[:4]
    assert kept.terms == sorted(by_df)
    assert document_term_matrix(DOCS, keep_n=4)[1] == kept
    assert fit_lda(DOCS, 2, random_state=0, passes=1, iterations=5, keep_n=4).vocabulary_ == kept.terms


def _bad_filters():
    return [
        ({"min_df": 1.5}, ValueError, r"min_df=1.5: a float is a proportion of documents and must lie in \[0, 1\]"),
        ({"max_df": 2.0}, ValueError, r"max_df=2.0: a float is a proportion .* \[0, 1\]"),
        ({"max_df": -0.1}, ValueError, r"max_df=-0.1: .*\[0, 1\]"),
        ({"min_df": -1}, ValueError, r"min_df=-1: an int is a number of documents and cannot be negative"),
        ({"min_df": 3, "max_df": 2}, ValueError, r"min_df=3 is more than max_df=2"),
        ({"min_df": 0.8, "max_df": 0.5}, ValueError, r"min_df=0.8 is more than max_df=0.5"),
        # mixed: compared in documents, once their number is known (0.5 of 10 documents = 5)
        ({"min_df": 6, "max_df": 0.5}, ValueError, r"min_df=6 \(6 documents\) is more than max_df=0.5 \(5 of 10"),
        ({"keep_n": 0}, ValueError, r"keep_n=0: a positive int"),
        ({"min_df": True}, TypeError, r"min_df=True"),
        ({"max_df": "0.9"}, TypeError, r"max_df='0.9'"),
    ]


@pytest.mark.parametrize("kwargs,error,match", _bad_filters())
@pytest.mark.parametrize("user", ["build_vocabulary", "document_term_matrix", "tfidf_matrix", "group_term_counts",
                                  "keyness_table", "fit_lda", "fit_lda_stream", "TermCounter"])
def test_every_user_rejects_the_same_filters_with_the_same_message(user, kwargs, error, match):
    tokens, documents = _tables()
    calls = {
        "build_vocabulary": lambda: build_vocabulary(DOCS, **kwargs),
        "document_term_matrix": lambda: document_term_matrix(DOCS, **kwargs),
        "tfidf_matrix": lambda: tfidf_matrix(DOCS, **kwargs),
        "group_term_counts": lambda: group_term_counts(tokens, documents, "province", **kwargs),
        "keyness_table": lambda: keyness_table(tokens, documents, "province", **kwargs),
        "fit_lda": lambda: fit_lda(DOCS, 2, random_state=0, **kwargs),
        "fit_lda_stream": lambda: fit_lda(DOCS, 2, random_state=0, stream=True, **kwargs),
        "TermCounter": lambda: TermCounter(**kwargs).fit(DOCS),
    }
    with pytest.raises(error, match=match):
        calls[user]()


def test_static_errors_come_before_any_document_is_read():
    def never():
        raise AssertionError("documents were read")
        yield []

    for kwargs, error, match in _bad_filters():
        if "min_df" in kwargs and "max_df" in kwargs and isinstance(kwargs["min_df"], int) != isinstance(
                kwargs["max_df"], int):
            continue  # mixed limits need the number of documents
        with pytest.raises(error, match=match):
            check_filters(kwargs.get("min_df", MIN_DF), kwargs.get("max_df", MAX_DF), kwargs.get("keep_n"))
        with pytest.raises(error, match=match):
            build_vocabulary(never(), **kwargs)


def test_one_set_of_defaults_for_every_user():
    assert (MIN_DF, MAX_DF) == (1, 1.0)
    users = [build_vocabulary, document_term_matrix, tfidf_matrix, build_dictionary, TermCounter, group_term_counts,
             keyness_table, tfidf_top_terms, fit_lda, fit_seeded_lda]
    for user in users:
        params = inspect.signature(user).parameters
        assert params["min_df"].default == MIN_DF and type(params["min_df"].default) is int, user.__name__
        assert params["max_df"].default == MAX_DF and type(params["max_df"].default) is float, user.__name__
        assert params["keep_n"].default is None, user.__name__


def test_a_given_vocabulary_keeps_its_order_and_reports_frequencies():
    X, vocab = document_term_matrix(DOCS, ["tôn_giáo", "chùa", "không_có"])
    assert vocab.terms == ["tôn_giáo", "chùa", "không_có"]
    assert vocab.document_frequency.tolist() == [DF["tôn_giáo"], DF["chùa"], 0]
    assert X.shape == (N_DOCS, 3) and X.dtype == np.int64
    assert X.has_sorted_indices


def test_matrix_rows_and_streamed_bags_of_words_agree():
    X, vocab = document_term_matrix(DOCS)
    bows = list(BowCorpus(DOCS, vocab.terms, chunksize=3))
    assert len(bows) == N_DOCS
    for d, bow in enumerate(bows):
        row = X[d]
        assert bow == list(zip(row.indices.tolist(), row.data.tolist()))


def test_vocabulary_is_a_sequence_of_terms_with_a_table():
    vocab = build_vocabulary(DOCS, min_df=5)
    assert len(vocab) == len(vocab.terms) and list(vocab) == vocab.terms and vocab[0] == vocab.terms[0]
    assert "dân_vận" in vocab and "đ" not in vocab
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.index("đ")
    table = vocab.to_frame()
    assert list(table.columns) == ["term", "document_frequency", "term_frequency"]
    assert table["term"].tolist() == vocab.terms
    assert isinstance(vocab, Vocabulary) and vocab.filters == {"min_df": 5, "max_df": 1.0, "keep_n": None}


def test_term_counter_pipeline_equals_scikit_learns_tfidf_vectorizer():
    for min_df, max_df in [(2, 1.0), (1, 0.8), (0.2, 7)]:
        ours = make_pipeline(TermCounter(min_df=min_df, max_df=max_df), TfidfTransformer(sublinear_tf=True))
        ref = TfidfVectorizer(analyzer=identity, lowercase=False, min_df=min_df, max_df=max_df, sublinear_tf=True)
        np.testing.assert_allclose(ours.fit_transform(DOCS).toarray(), ref.fit_transform(DOCS).toarray())
        assert ours[0].get_feature_names_out().tolist() == ref.get_feature_names_out().tolist()


@pytest.mark.parametrize("measure", ["prob", "frex", "relevance"])
def test_lda_result_top_terms_is_the_inspection_table(measure):
    result = fit_lda(DOCS, 3, random_state=0, passes=2, iterations=10)
    method = result.top_terms(4, measure=measure)
    pd.testing.assert_frame_equal(method, top_terms(result, 4, measure=measure))
    assert list(method.columns) == ["topic", "label", "rank", "term", "weight", "measure"]
    assert method["label"].tolist()[:4] == [result.topic_labels_[0]] * 4


def test_config_keeps_the_type_that_carries_the_meaning(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text("[topics]\nmin_df = 0.05\nmax_df = 1\n", encoding="utf-8")
    topics = load_config(path).topics
    assert topics.min_df == 0.05 and isinstance(topics.min_df, float)
    assert topics.max_df == 1 and isinstance(topics.max_df, int)  # one document, not a proportion
    path.write_text("[topics]\nmin_df = true\n", encoding="utf-8")
    with pytest.raises(ValueError, match="min_df = True should be an int or a float"):
        load_config(path)
    assert (TopicsConfig().min_df, TopicsConfig().max_df) == (2, 0.9)


def test_pipeline_rejects_a_meaningless_filter_before_any_stage(tmp_path):
    from toolkit.pipeline import run_pipeline

    config = RunConfig(topics=TopicsConfig(max_df=1.5))
    with pytest.raises(ValueError, match=r"max_df=1.5: a float is a proportion"):
        run_pipeline(config, output_dir=tmp_path / "out", cache_dir=tmp_path / "cache")
    assert not (tmp_path / "out").exists()
