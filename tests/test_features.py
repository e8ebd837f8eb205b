"""Tests of toolkit.text.vocabulary: Vietnamese-safe bag-of-words builders."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from toolkit.text.vocabulary import build_dictionary, document_term_matrix, identity, tfidf_matrix

DOCS = [
    ["dân_vận", "giải_phóng_mặt_bằng", "ủy_ban_nhân_dân", "đ"],
    ["dân_vận", "dân_vận", "tôn_giáo", "chùa"],
    ["quy_chế_dân_chủ", "chùa", "đ"],
]


def test_dictionary_ids_follow_the_sorted_vocabulary_whatever_the_order():
    d1 = build_dictionary(DOCS)
    d2 = build_dictionary(DOCS[::-1])
    assert d1.token2id == d2.token2id
    assert list(d1.token2id) == sorted(d1.token2id)
    assert d1.token2id["chùa"] == 0
    assert d1.num_docs == 3
    assert d1.dfs[d1.token2id["dân_vận"]] == 2
    assert d1.cfs[d1.token2id["dân_vận"]] == 3
    # one-letter syllables and underscores survive
    assert "đ" in d1.token2id and "giải_phóng_mặt_bằng" in d1.token2id


def test_dictionary_filters():
    d = build_dictionary(DOCS, min_df=2)
    assert list(d.token2id) == ["chùa", "dân_vận", "đ"]
    d = build_dictionary(DOCS, max_df=0.5)  # at most 1.5 documents
    assert "chùa" not in d.token2id and "tôn_giáo" in d.token2id
    d = build_dictionary(DOCS, keep_n=1)
    assert list(d.token2id) == ["chùa"]  # df 2 ties with dân_vận and đ: broken by token order
    bow = d.doc2bow(["chùa", "chùa", "khác"])
    assert bow == [(0, 2)]


def test_dictionary_rejects_strings():
    with pytest.raises(TypeError):
        build_dictionary(["dân vận"])


def test_document_term_matrix_counts():
    X, vocab = document_term_matrix(DOCS)
    assert vocab.terms == sorted({t for d in DOCS for t in d})
    dense = X.toarray()
    assert dense[1, vocab.index("dân_vận")] == 2
    assert dense.sum() == sum(len(d) for d in DOCS)
    assert X.shape == (3, len(vocab))


def test_document_term_matrix_with_vocabulary_keeps_its_order_and_ignores_others():
    X, vocab = document_term_matrix(DOCS, vocabulary=["tôn_giáo", "chùa"])
    assert vocab.terms == ["tôn_giáo", "chùa"]
    assert vocab.document_frequency.tolist() == [1, 2] and vocab.filters == {"vocabulary": "given"}
    assert X.toarray().tolist() == [[0, 0], [1, 1], [0, 1]]
    with pytest.raises(ValueError):
        document_term_matrix(DOCS, vocabulary=["chùa", "chùa"])


def test_document_term_matrix_min_df():
    _, vocab = document_term_matrix(DOCS, min_df=2)
    assert vocab.terms == ["chùa", "dân_vận", "đ"]


def test_tfidf_equals_sklearn_with_identity_analyzer():
    X, vocab = tfidf_matrix(DOCS)
    ref = TfidfVectorizer(analyzer=identity)
    Y = ref.fit_transform(DOCS)
    assert vocab.terms == list(ref.get_feature_names_out())
    np.testing.assert_allclose(X.toarray(), Y.toarray())
    np.testing.assert_allclose(np.linalg.norm(X.toarray(), axis=1), 1.0)


def test_empty_inputs():
    X, vocab = document_term_matrix([])
    assert X.shape == (0, 0) and vocab.terms == [] and vocab.n_docs == 0
    X, vocab = tfidf_matrix([[]])
    assert X.shape == (1, 0)
