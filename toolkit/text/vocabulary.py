"""Bag-of-words features from token lists: dictionary, document-term matrix, TF-IDF.

Input everywhere is a sequence of token lists as produced by
:func:`toolkit.text.segment.tokenize` / :func:`toolkit.text.preprocess.preprocess`
(lower-case, syllables of a word joined by ``_``: ``giải_phóng_mặt_bằng``).
The tokens are used **as they are**: nothing here lower-cases, strips
diacritics or re-tokenizes. In particular scikit-learn's default
``token_pattern`` (``\\b\\w\\w+\\b``) is never used: it would cut
``giải_phóng_mặt_bằng`` apart at no boundary at all and drop every
one-letter syllable. The vectorizers get ``analyzer=`` :func:`identity`.

Column order is deterministic: the vocabulary is sorted (Python string
order on the NFC tokens) unless a vocabulary is passed, whose order is kept.

Examples
--------
>>> docs = [["dân_vận", "giải_phóng_mặt_bằng"], ["dân_vận", "dân_vận", "tôn_giáo"]]
>>> X, vocab = document_term_matrix(docs)
>>> vocab
['dân_vận', 'giải_phóng_mặt_bằng', 'tôn_giáo']
>>> X.toarray().tolist()
[[1, 1, 0], [2, 0, 1]]
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

logger = logging.getLogger("toolkit.text.vocabulary")

__all__ = ["build_dictionary", "document_term_matrix", "identity", "tfidf_matrix"]


def identity(tokens: Sequence[str]) -> Sequence[str]:
    """The analyzer of every vectorizer here: a document is already its token list."""
    return tokens


def _as_lists(token_lists: Iterable[Sequence[str]]) -> list[list[str]]:
    out = []
    for toks in token_lists:
        if isinstance(toks, str):
            raise TypeError("token_lists must hold lists of tokens, not strings: tokenize first")
        out.append([str(t) for t in toks])
    return out


def _document_frequencies(token_lists: list[list[str]]) -> Counter:
    dfs: Counter = Counter()
    for toks in token_lists:
        dfs.update(set(toks))
    return dfs


def _select_vocabulary(dfs: Counter, n_docs: int, *, min_df: int | float, max_df: int | float,
                       keep_n: int | None) -> list[str]:
    """Tokens with ``min_df <= df <= max_df``, the ``keep_n`` most frequent, sorted."""
    lo = min_df if isinstance(min_df, (int, np.integer)) else int(np.ceil(min_df * n_docs))
    hi = max_df if isinstance(max_df, (int, np.integer)) else max_df * n_docs
    if isinstance(min_df, float) and not 0.0 <= min_df <= 1.0:
        raise ValueError(f"min_df={min_df}: a float is a share of documents in [0, 1]")
    if isinstance(max_df, float) and not 0.0 <= max_df <= 1.0:
        raise ValueError(f"max_df={max_df}: a float is a share of documents in [0, 1]")
    kept = [t for t, df in dfs.items() if lo <= df <= hi]
    if keep_n is not None and len(kept) > keep_n:
        # most frequent first; ties broken by the token so the choice is reproducible
        kept = sorted(kept, key=lambda t: (-dfs[t], t))[:keep_n]
    return sorted(kept)


def build_dictionary(
    token_lists: Iterable[Sequence[str]],
    *,
    min_df: int | float = 1,
    max_df: int | float = 1.0,
    keep_n: int | None = None,
):
    """A gensim :class:`~gensim.corpora.Dictionary` with sorted, reproducible ids.

    gensim numbers tokens in order of first appearance, so the same corpus in
    another order gets other ids; here ids follow the sorted vocabulary.

    Parameters
    ----------
    token_lists : iterable of list of str
        Tokenized documents.
    min_df : int or float
        Keep tokens in at least this many documents (int) or this share of
        documents (float in [0, 1]).
    max_df : int or float
        Keep tokens in at most this many documents (int) or this share (float).
    keep_n : int, optional
        Then keep only the ``keep_n`` tokens of highest document frequency
        (ties: token order).

    Returns
    -------
    gensim.corpora.Dictionary
        ``token2id`` maps the sorted vocabulary to ``0..n-1``; ``dfs``,
        ``cfs``, ``num_docs``, ``num_pos`` and ``num_nnz`` describe the
        corpus restricted to the kept tokens (``num_docs``: all documents).

    Examples
    --------
    >>> d = build_dictionary([["tôn_giáo", "chùa"], ["chùa"]])
    >>> d.token2id
    {'chùa': 0, 'tôn_giáo': 1}
    """
    from gensim.corpora import Dictionary

    docs = _as_lists(token_lists)
    dfs = _document_frequencies(docs)
    vocab = _select_vocabulary(dfs, len(docs), min_df=min_df, max_df=max_df, keep_n=keep_n)
    token2id = {t: i for i, t in enumerate(vocab)}
    cfs: Counter = Counter()
    num_nnz = 0
    for toks in docs:
        counts = Counter(t for t in toks if t in token2id)
        cfs.update(counts)
        num_nnz += len(counts)
    dictionary = Dictionary()
    dictionary.token2id = token2id
    dictionary.dfs = {token2id[t]: dfs[t] for t in vocab}
    dictionary.cfs = {token2id[t]: cfs[t] for t in vocab}
    dictionary.num_docs = len(docs)
    dictionary.num_pos = int(sum(cfs.values()))
    dictionary.num_nnz = num_nnz
    dictionary.id2token = {}
    logger.debug("dictionary: %d of %d tokens kept over %d documents", len(vocab), len(dfs), len(docs))
    return dictionary


def document_term_matrix(
    token_lists: Iterable[Sequence[str]],
    vocabulary: Sequence[str] | None = None,
    *,
    min_df: int | float = 1,
    max_df: int | float = 1.0,
) -> tuple[sp.csr_matrix, list[str]]:
    """Counts of each vocabulary token in each document.

    Parameters
    ----------
    token_lists : iterable of list of str
        Tokenized documents (rows of the result, in order).
    vocabulary : sequence of str, optional
        Columns, in this order; tokens outside it are ignored. ``None``: every
        token passing ``min_df``/``max_df``, sorted.
    min_df, max_df : int or float
        Document-frequency limits as in :func:`build_dictionary` (ignored
        when ``vocabulary`` is given).

    Returns
    -------
    X : scipy.sparse.csr_matrix of shape (n_documents, n_terms), int64
    vocabulary : list of str
        The column labels.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    docs = token_lists if isinstance(token_lists, list) else list(token_lists)
    if any(isinstance(toks, str) for toks in docs):
        raise TypeError("token_lists must hold lists of tokens, not strings: tokenize first")
    # scikit-learn's counting loop, with the tokens taken as they are (no
    # token_pattern, no lower-casing); columns come out in sorted order.
    if vocabulary is not None:
        vocab = [str(t) for t in vocabulary]
        if len(set(vocab)) != len(vocab):
            raise ValueError("vocabulary has duplicate tokens")
        if not vocab:
            return sp.csr_matrix((len(docs), 0), dtype=np.int64), []
        vectorizer = CountVectorizer(analyzer=_identity, lowercase=False, dtype=np.int64,
                                     vocabulary={t: i for i, t in enumerate(vocab)})
        return vectorizer.transform(docs).tocsr(), vocab
    vectorizer = CountVectorizer(analyzer=_identity, lowercase=False, dtype=np.int64)
    try:
        X = vectorizer.fit_transform(docs)
    except ValueError:  # no token at all
        return sp.csr_matrix((len(docs), 0), dtype=np.int64), []
    names = vectorizer.get_feature_names_out().tolist()
    df = np.bincount(X.indices, minlength=X.shape[1])
    keep = set(_select_vocabulary(dict(zip(names, df.tolist())), len(docs), min_df=min_df, max_df=max_df,
                                  keep_n=None))
    columns = [j for j, t in enumerate(names) if t in keep]
    if len(columns) < len(names):
        X = X[:, columns]  # column selection keeps rows' indices sorted
    return X.tocsr(), [names[j] for j in columns]


def _identity(tokens):
    return tokens


def tfidf_matrix(
    token_lists: Iterable[Sequence[str]],
    vocabulary: Sequence[str] | None = None,
    *,
    min_df: int | float = 1,
    max_df: int | float = 1.0,
    norm: str | None = "l2",
    use_idf: bool = True,
    smooth_idf: bool = True,
    sublinear_tf: bool = False,
) -> tuple[sp.csr_matrix, list[str]]:
    """TF-IDF weights (scikit-learn's :class:`~sklearn.feature_extraction.text.TfidfTransformer`).

    The counts come from :func:`document_term_matrix`, so the tokens are
    taken as they are (no ``token_pattern``, no lower-casing).

    Parameters
    ----------
    token_lists, vocabulary, min_df, max_df
        As in :func:`document_term_matrix`.
    norm, use_idf, smooth_idf, sublinear_tf
        As in scikit-learn: by default ``idf = ln((1 + n) / (1 + df)) + 1``
        and each row is scaled to unit length.

    Returns
    -------
    X : scipy.sparse.csr_matrix of float64
    vocabulary : list of str
    """
    from sklearn.feature_extraction.text import TfidfTransformer

    counts, vocab = document_term_matrix(token_lists, vocabulary, min_df=min_df, max_df=max_df)
    transformer = TfidfTransformer(norm=norm, use_idf=use_idf, smooth_idf=smooth_idf, sublinear_tf=sublinear_tf)
    X = transformer.fit_transform(counts) if counts.shape[1] else sp.csr_matrix(counts.shape, dtype=np.float64)
    return sp.csr_matrix(X, dtype=np.float64), vocab
