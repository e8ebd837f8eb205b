"""The one vocabulary and document–term matrix of every analysis; TF-IDF.

Features, keyness, topic models (plain, streamed, seeded, model selection,
metrics) and the theme classifier all build their vocabulary here:

- :func:`build_vocabulary`: the sorted terms kept by the document-frequency
  filters, with their document and corpus frequencies (a :class:`Vocabulary`);
- :func:`document_term_matrix`: the CSR count matrix, columns in vocabulary
  order, and its :class:`Vocabulary`;
- :func:`tfidf_matrix` / :func:`tfidf_weights`: scikit-learn's TF-IDF of
  those counts; :class:`TermCounter`: the same counts as a scikit-learn
  transformer (for pipelines and cross-validation);
- :func:`build_dictionary`: the vocabulary as a gensim ``Dictionary``.

**One meaning of ``min_df`` / ``max_df``: scikit-learn's.** An int is a number
of documents, a float in [0, 1] a proportion of documents: a term is kept when
``min_df <= df <= max_df`` (a float limit is multiplied by the number of
documents). So ``min_df=1`` is "in one document", ``min_df=1.0`` "in every
document", ``max_df=1.0`` "no upper limit" and ``max_df=1`` "in one document
at most". A float outside [0, 1], a negative int, or a ``min_df`` above
``max_df`` is a ``ValueError`` that says so. **One set of defaults**,
:data:`MIN_DF` ``= 1``, :data:`MAX_DF` ``= 1.0``, ``keep_n=None``: every term is
kept unless the caller filters (scikit-learn's defaults). ``keep_n`` then keeps
the ``keep_n`` terms in most documents (ties broken by the term).

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
>>> vocab.terms
['dân_vận', 'giải_phóng_mặt_bằng', 'tôn_giáo']
>>> X.toarray().tolist()
[[1, 1, 0], [2, 0, 1]]
>>> build_vocabulary(docs, min_df=2).terms
['dân_vận']
"""

from __future__ import annotations

import logging
import numbers
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import scipy.sparse as sp

logger = logging.getLogger("toolkit.text.vocabulary")

__all__ = [
    "MAX_DF", "MIN_DF", "TermCounter", "Vocabulary", "build_dictionary", "build_vocabulary", "check_filters",
    "document_term_matrix", "identity", "tfidf_matrix", "tfidf_weights",
]

#: Default lower document-frequency limit of every vocabulary: in at least one document (every term).
MIN_DF: int = 1
#: Default upper document-frequency limit of every vocabulary: in at most every document (no limit).
MAX_DF: float = 1.0


def identity(tokens: Sequence[str]) -> Sequence[str]:
    """The analyzer of every vectorizer here: a document is already its token list."""
    return tokens


# ----------------------------------------------------------------------------
# the filter: one meaning of min_df / max_df


def check_filters(min_df: int | float, max_df: int | float, keep_n: int | None = None) -> None:
    """Raise for limits that mean nothing, before any document is read.

    ``TypeError`` for a limit that is not a number (or a bool);
    ``ValueError`` for a float outside [0, 1], a negative int, ``min_df``
    above ``max_df`` when both are ints or both floats (mixed limits are
    compared once the number of documents is known), or a ``keep_n`` that
    is not a positive int.
    """
    for name, value in (("min_df", min_df), ("max_df", max_df)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name}={value!r}: use an int (a number of documents) "
                            "or a float in [0, 1] (a proportion of documents)")
        if isinstance(value, numbers.Integral):
            if value < 0:
                raise ValueError(f"{name}={value}: an int is a number of documents and cannot be negative")
        elif not 0.0 <= value <= 1.0:
            raise ValueError(f"{name}={value}: a float is a proportion of documents and must lie in [0, 1] "
                             "(an int is a number of documents)")
    same_kind = isinstance(min_df, numbers.Integral) == isinstance(max_df, numbers.Integral)
    if same_kind and min_df > max_df:
        raise ValueError(f"min_df={min_df} is more than max_df={max_df}: no term can be kept")
    if keep_n is not None and (isinstance(keep_n, bool) or not isinstance(keep_n, numbers.Integral) or keep_n < 1):
        raise ValueError(f"keep_n={keep_n!r}: a positive int (the number of terms kept), or None for every term")


def _limits(min_df, max_df, n_docs: int) -> tuple[float, float]:
    """Lowest and highest document frequency kept, in documents (scikit-learn's arithmetic)."""
    lo = float(min_df) if isinstance(min_df, numbers.Integral) else min_df * n_docs
    hi = float(max_df) if isinstance(max_df, numbers.Integral) else max_df * n_docs
    if n_docs and hi < lo:
        raise ValueError(f"min_df={min_df} ({lo:g} documents) is more than max_df={max_df} "
                         f"({hi:g} of {n_docs} documents): no term can be kept")
    return lo, hi


class Vocabulary(Sequence):
    """Terms (the columns of a document–term matrix) with their frequencies.

    A read-only sequence of the terms: ``len(vocab)``, ``vocab[j]``,
    ``"chùa" in vocab``, ``vocab.index("chùa")``, ``list(vocab)``.

    Attributes
    ----------
    terms : list of str
        Sorted when built by :func:`build_vocabulary` /
        :func:`document_term_matrix`; in the given order when a vocabulary
        was passed.
    document_frequency : ndarray of int64, shape (V,)
        Number of documents each term occurs in.
    term_frequency : ndarray of int64, shape (V,)
        Occurrences of each term in the corpus.
    n_docs : int
        Number of documents read.
    filters : dict
        ``{"min_df", "max_df", "keep_n"}`` that made it, or
        ``{"vocabulary": "given"}``.
    """

    def __init__(self, terms: Sequence[str], document_frequency, term_frequency, n_docs: int,
                 filters: dict | None = None) -> None:
        self.terms = [str(t) for t in terms]
        self.document_frequency = np.asarray(document_frequency, dtype=np.int64).reshape(-1)
        self.term_frequency = np.asarray(term_frequency, dtype=np.int64).reshape(-1)
        if not len(self.terms) == len(self.document_frequency) == len(self.term_frequency):
            raise ValueError("terms, document_frequency and term_frequency differ in length")
        self.n_docs = int(n_docs)
        self.filters = dict(filters or {})
        self._index: dict[str, int] | None = None

    @property
    def term_index(self) -> dict[str, int]:
        """``{term: column}``."""
        if self._index is None:
            self._index = {t: j for j, t in enumerate(self.terms)}
        return self._index

    def index(self, term, *args) -> int:
        """The column of ``term`` (``ValueError`` when it is not in the vocabulary)."""
        if args:
            return self.terms.index(term, *args)
        try:
            return self.term_index[term]
        except KeyError:
            raise ValueError(f"{term!r} is not in the vocabulary") from None

    def __len__(self) -> int:
        return len(self.terms)

    def __getitem__(self, j):
        return self.terms[j]

    def __iter__(self) -> Iterator[str]:
        return iter(self.terms)

    def __contains__(self, term) -> bool:
        return term in self.term_index

    def __eq__(self, other) -> bool:
        if not isinstance(other, Vocabulary):
            return NotImplemented
        return (self.terms == other.terms and self.n_docs == other.n_docs
                and np.array_equal(self.document_frequency, other.document_frequency)
                and np.array_equal(self.term_frequency, other.term_frequency))

    __hash__ = None  # mutable container semantics, like a list

    def __repr__(self) -> str:
        shown = ", ".join(self.terms[:5]) + (", …" if len(self.terms) > 5 else "")
        return f"Vocabulary({len(self.terms)} terms over {self.n_docs} documents: {shown})"

    def to_frame(self):
        """The vocabulary as a table: ``term, document_frequency, term_frequency`` in column order."""
        import pandas as pd

        return pd.DataFrame({"term": self.terms, "document_frequency": self.document_frequency,
                             "term_frequency": self.term_frequency})


def _select(terms: list[str], df: np.ndarray, tf: np.ndarray, n_docs: int, *, min_df, max_df,
            keep_n) -> tuple[np.ndarray, Vocabulary]:
    """Columns of the sorted ``terms`` that pass the filters, and their :class:`Vocabulary`.

    The one place where ``min_df``/``max_df``/``keep_n`` choose terms.
    """
    lo, hi = _limits(min_df, max_df, n_docs)
    keep = np.flatnonzero((df >= lo) & (df <= hi))
    if keep_n is not None and len(keep) > keep_n:
        # most documents first; ties broken by the term so the choice is reproducible
        best = sorted(keep.tolist(), key=lambda j: (-int(df[j]), terms[j]))[:keep_n]
        keep = np.array(sorted(best), dtype=np.int64)
    filters = {"min_df": min_df, "max_df": max_df, "keep_n": keep_n}
    vocabulary = Vocabulary([terms[j] for j in keep], df[keep], tf[keep], n_docs, filters)
    logger.debug("vocabulary: %d of %d terms kept over %d documents (%s)", len(keep), len(terms), n_docs, filters)
    return keep, vocabulary


def _token_lists(token_lists: Iterable[Sequence[str]]) -> Iterator[Sequence[str]]:
    for toks in token_lists:
        if isinstance(toks, str):
            raise TypeError("token_lists must hold lists of tokens, not strings: tokenize first")
        yield toks


def build_vocabulary(
    token_lists: Iterable[Sequence[str]],
    *,
    min_df: int | float = MIN_DF,
    max_df: int | float = MAX_DF,
    keep_n: int | None = None,
) -> Vocabulary:
    """The sorted vocabulary of tokenized documents after the document-frequency filters.

    Reads ``token_lists`` once, holding only the term counts (it may stream
    from disk).

    Parameters
    ----------
    token_lists : iterable of list of str
        Tokenized documents.
    min_df : int or float, default :data:`MIN_DF` (1)
        Keep terms in at least this many documents (int) or this proportion
        of documents (float in [0, 1]).
    max_df : int or float, default :data:`MAX_DF` (1.0)
        Keep terms in at most this many documents (int) or this proportion
        of documents (float in [0, 1]).
    keep_n : int, optional
        Then keep only the ``keep_n`` terms in most documents (ties broken
        by the term).

    Returns
    -------
    Vocabulary
        Kept terms in sorted order with their document and corpus frequencies.

    Raises
    ------
    ValueError
        A float limit outside [0, 1], a negative int, or ``min_df`` above
        ``max_df`` (as numbers of documents).

    Examples
    --------
    >>> docs = [["dân_vận", "khéo"], ["dân_vận", "nông_thôn_mới"], ["dân_vận", "khéo"]]
    >>> v = build_vocabulary(docs, min_df=2, max_df=0.9)
    >>> v.terms, v.document_frequency.tolist(), v.term_frequency.tolist(), v.n_docs
    (['khéo'], [2], [2], 3)
    """
    check_filters(min_df, max_df, keep_n)
    df: Counter[str] = Counter()
    cf: Counter[str] = Counter()
    n_docs = 0
    for toks in _token_lists(token_lists):
        n_docs += 1
        cf.update(toks)
        df.update(set(toks))
    terms = sorted(df)
    _, vocabulary = _select(terms, np.array([df[t] for t in terms], dtype=np.int64),
                            np.array([cf[t] for t in terms], dtype=np.int64), n_docs,
                            min_df=min_df, max_df=max_df, keep_n=keep_n)
    return vocabulary


def document_term_matrix(
    token_lists: Iterable[Sequence[str]],
    vocabulary: Sequence[str] | None = None,
    *,
    min_df: int | float = MIN_DF,
    max_df: int | float = MAX_DF,
    keep_n: int | None = None,
) -> tuple[sp.csr_matrix, Vocabulary]:
    """Counts of each vocabulary term in each document.

    ``token_lists`` is read once and never held in memory as token lists (it
    may stream from disk). Counting is scikit-learn's, with the tokens taken
    as they are (no ``token_pattern``, no lower-casing); without a
    ``vocabulary`` the terms are chosen by the same filters as
    :func:`build_vocabulary`, and the result's vocabulary equals
    ``build_vocabulary(token_lists, min_df=..., max_df=..., keep_n=...)``.

    Parameters
    ----------
    token_lists : iterable of list of str
        Tokenized documents (rows of the result, in order).
    vocabulary : sequence of str or Vocabulary, optional
        Columns, in this order; tokens outside it are ignored. ``None``:
        every term passing the filters, sorted.
    min_df, max_df, keep_n
        As in :func:`build_vocabulary` (not used when ``vocabulary`` is
        given).

    Returns
    -------
    X : scipy.sparse.csr_matrix of int64, shape (n_documents, n_terms)
        Column indices sorted within each row.
    vocabulary : Vocabulary
        The column labels with their document and corpus frequencies in
        these documents.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    if vocabulary is not None:
        terms = [str(t) for t in vocabulary]
        if len(set(terms)) != len(terms):
            raise ValueError("vocabulary has duplicate terms")
        if not terms:
            n_docs = sum(1 for _ in _token_lists(token_lists))
            return sp.csr_matrix((n_docs, 0), dtype=np.int64), Vocabulary([], [], [], n_docs, {"vocabulary": "given"})
        vectorizer = CountVectorizer(analyzer=identity, lowercase=False, dtype=np.int64,
                                     vocabulary={t: j for j, t in enumerate(terms)})
        X = sp.csr_matrix(vectorizer.transform(_token_lists(token_lists)), dtype=np.int64)
        X.sort_indices()
        df = np.bincount(X.indices, minlength=X.shape[1])
        tf = np.asarray(X.sum(axis=0)).ravel()
        return X, Vocabulary(terms, df, tf, X.shape[0], {"vocabulary": "given"})

    check_filters(min_df, max_df, keep_n)
    seen = {"docs": 0, "tokens": 0}

    def counted(docs):
        for toks in _token_lists(docs):
            seen["docs"] += 1
            seen["tokens"] += len(toks)
            yield toks

    vectorizer = CountVectorizer(analyzer=identity, lowercase=False, dtype=np.int64)
    try:
        X = vectorizer.fit_transform(counted(token_lists))
    except ValueError:
        if seen["tokens"]:  # not scikit-learn's "empty vocabulary": a real error
            raise
        n_docs = seen["docs"]
        _limits(min_df, max_df, n_docs)
        return sp.csr_matrix((n_docs, 0), dtype=np.int64), Vocabulary([], [], [], n_docs, {
            "min_df": min_df, "max_df": max_df, "keep_n": keep_n})
    names = vectorizer.get_feature_names_out().tolist()
    df = np.bincount(X.indices, minlength=X.shape[1])
    tf = np.asarray(X.sum(axis=0)).ravel()
    keep, vocab = _select(names, df, tf, X.shape[0], min_df=min_df, max_df=max_df, keep_n=keep_n)
    X = sp.csr_matrix(X[:, keep] if len(keep) < len(names) else X, dtype=np.int64)
    X.sort_indices()
    return X, vocab


# ----------------------------------------------------------------------------
# weights and adapters


def tfidf_weights(
    counts: sp.spmatrix,
    *,
    norm: str | None = "l2",
    use_idf: bool = True,
    smooth_idf: bool = True,
    sublinear_tf: bool = False,
) -> sp.csr_matrix:
    """TF-IDF weights of a count matrix (scikit-learn's :class:`~sklearn.feature_extraction.text.TfidfTransformer`).

    Rows are the units weighed (documents, or groups pooled as documents);
    by default ``idf = ln((1 + n) / (1 + df)) + 1`` and each row is scaled to
    unit length.

    Returns
    -------
    scipy.sparse.csr_matrix of float64, the shape of ``counts``
    """
    from sklearn.feature_extraction.text import TfidfTransformer

    if not counts.shape[1]:
        return sp.csr_matrix(counts.shape, dtype=np.float64)
    transformer = TfidfTransformer(norm=norm, use_idf=use_idf, smooth_idf=smooth_idf, sublinear_tf=sublinear_tf)
    return sp.csr_matrix(transformer.fit_transform(sp.csr_matrix(counts, dtype=np.float64)), dtype=np.float64)


def tfidf_matrix(
    token_lists: Iterable[Sequence[str]],
    vocabulary: Sequence[str] | None = None,
    *,
    min_df: int | float = MIN_DF,
    max_df: int | float = MAX_DF,
    keep_n: int | None = None,
    norm: str | None = "l2",
    use_idf: bool = True,
    smooth_idf: bool = True,
    sublinear_tf: bool = False,
) -> tuple[sp.csr_matrix, Vocabulary]:
    """TF-IDF weights of documents: :func:`document_term_matrix` then :func:`tfidf_weights`.

    Parameters
    ----------
    token_lists, vocabulary, min_df, max_df, keep_n
        As in :func:`document_term_matrix`.
    norm, use_idf, smooth_idf, sublinear_tf
        As in scikit-learn (see :func:`tfidf_weights`).

    Returns
    -------
    X : scipy.sparse.csr_matrix of float64
    vocabulary : Vocabulary
    """
    counts, vocab = document_term_matrix(token_lists, vocabulary, min_df=min_df, max_df=max_df, keep_n=keep_n)
    return tfidf_weights(counts, norm=norm, use_idf=use_idf, smooth_idf=smooth_idf, sublinear_tf=sublinear_tf), vocab


class TermCounter:
    """:func:`document_term_matrix` as a scikit-learn transformer (pipelines, cross-validation).

    ``fit`` learns the vocabulary of the training documents (``vocabulary_``)
    with the filters; ``transform`` counts it in any documents. Parameters
    are only stored by ``__init__`` (so :func:`sklearn.base.clone` works).

    Examples
    --------
    >>> counter = TermCounter(min_df=2).fit([["chùa", "lễ_hội"], ["chùa"]])
    >>> counter.get_feature_names_out().tolist(), counter.transform([["chùa", "chùa"]]).toarray().tolist()
    (['chùa'], [[2]])
    """

    def __init__(self, *, min_df: int | float = MIN_DF, max_df: int | float = MAX_DF,
                 keep_n: int | None = None) -> None:
        self.min_df = min_df
        self.max_df = max_df
        self.keep_n = keep_n

    def get_params(self, deep: bool = True) -> dict:
        return {"min_df": self.min_df, "max_df": self.max_df, "keep_n": self.keep_n}

    def set_params(self, **params) -> TermCounter:
        for key, value in params.items():
            if key not in ("min_df", "max_df", "keep_n"):
                raise ValueError(f"TermCounter has no parameter {key!r}")
            setattr(self, key, value)
        return self

    def fit(self, token_lists, y=None) -> TermCounter:
        self.fit_transform(token_lists)
        return self

    def fit_transform(self, token_lists, y=None) -> sp.csr_matrix:
        X, self.vocabulary_ = document_term_matrix(token_lists, min_df=self.min_df, max_df=self.max_df,
                                                   keep_n=self.keep_n)
        return X

    def transform(self, token_lists) -> sp.csr_matrix:
        return document_term_matrix(token_lists, self.vocabulary_.terms)[0]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray(self.vocabulary_.terms, dtype=object)

    def __repr__(self) -> str:
        return f"TermCounter(min_df={self.min_df!r}, max_df={self.max_df!r}, keep_n={self.keep_n!r})"


def build_dictionary(
    token_lists: Iterable[Sequence[str]],
    *,
    min_df: int | float = MIN_DF,
    max_df: int | float = MAX_DF,
    keep_n: int | None = None,
):
    """The :func:`build_vocabulary` as a gensim :class:`~gensim.corpora.Dictionary` (sorted ids).

    gensim numbers tokens in order of first appearance, so the same corpus in
    another order gets other ids; here ids follow the sorted vocabulary.

    Parameters
    ----------
    token_lists, min_df, max_df, keep_n
        As in :func:`build_vocabulary`.

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

    vocab = build_vocabulary(token_lists, min_df=min_df, max_df=max_df, keep_n=keep_n)
    dictionary = Dictionary()
    dictionary.token2id = dict(vocab.term_index)
    dictionary.dfs = dict(enumerate(vocab.document_frequency.tolist()))
    dictionary.cfs = dict(enumerate(vocab.term_frequency.tolist()))
    dictionary.num_docs = vocab.n_docs
    dictionary.num_pos = int(vocab.term_frequency.sum())
    # each (document, kept term) pair is one non-zero: the sum of the document frequencies
    dictionary.num_nnz = int(vocab.document_frequency.sum())
    dictionary.id2token = {}
    return dictionary
