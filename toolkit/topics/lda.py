"""Latent Dirichlet allocation with a deterministic vocabulary and two engines.

:func:`fit_lda` turns token lists into an :class:`LdaResult`, a plain object
with scikit-learn style learned attributes (``topic_word_``, ``doc_topic_``,
...) that does not depend on the engine that produced it:

``engine="gensim"`` (default)
    :class:`gensim.models.LdaModel` (online variational Bayes, Hoffman et al.
    2010), always single process (never ``LdaMulticore``, whose result depends
    on worker scheduling), ``update_every=1``, ``eval_every=None``.
``engine="tomotopy"``
    :class:`tomotopy.LDAModel` (collapsed Gibbs sampling) trained with one
    worker by default so that a seed gives one result.

Convergence settings chosen when ``passes``/``iterations`` are ``None``
(recorded in ``result.settings_`` and logged):

* gensim ``passes = clip(round(200_000 / n_docs), 2, 50)`` — small corpora
  see each document many times, large ones at least twice; ``iterations``
  (per-document E-step cap) ``= 200`` below 10 000 documents, else ``100``;
  ``chunksize = min(2000, n_docs)``.
* gensim starts each topic from one cluster of documents (spherical
  k-means on TF-IDF rows, seeded: ``init="clusters"``), so topics begin far
  apart; with gensim's near-uniform start or a few random documents per
  topic, planted 20-topic corpora often ended with two topics merged and
  another split (best-match cosine 0.88 instead of 0.999). A streamed fit
  (``stream=True``) clusters a seeded sample of at most ``init_sample``
  documents (20 000) drawn while it counts document lengths, so it keeps the
  protection with memory bounded. Variational LDA and Gibbs
  sampling can both still end in a local optimum (two topics merged, one
  split): compare seeds (:mod:`toolkit.topics.select` reports stability).
* tomotopy ``iterations = clip(round(5e7 / n_tokens), 200, 2000)`` Gibbs
  sweeps, rounded up to a multiple of 10.

The vocabulary and the count matrix come from the text stage's one builder
(:func:`toolkit.text.vocabulary.document_term_matrix`,
:func:`~toolkit.text.vocabulary.build_vocabulary` when streaming):
scikit-learn's ``min_df``/``max_df``, terms in sorted (code point) order, so
column order never depends on insertion order or the hash seed.

Document-topic proportions of the training documents and of new documents
(:meth:`LdaResult.transform`) come from one variational E-step
(:func:`infer_doc_topic`) written in NumPy with a fixed, non-random
initialisation: the same documents always give the same numbers, whichever
engine fitted the topics and whether the model was just fitted or loaded from
disk. For tomotopy the training documents instead keep their Gibbs counts
(``doc_topic_concentration_`` = topic counts + alpha).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import digamma

from toolkit.text.vocabulary import MAX_DF, MIN_DF, build_vocabulary, document_term_matrix

logger = logging.getLogger("toolkit.topics")

ENGINES = ("gensim", "tomotopy")
ALPHA_CHOICES = ("auto", "symmetric", "asymmetric")
#: Documents of the seeded sample a streamed fit draws its start from (``init_sample``).
INIT_SAMPLE = 20_000
#: k-means restarts of the streamed start when it clusters a sample (3 on a whole corpus, as in memory).
SAMPLE_N_INIT = 10


# ----------------------------------------------------------------------------
# corpus helpers


def _reiterable(documents: Iterable[Sequence[str]]) -> Iterable[Sequence[str]]:
    """``documents`` if it can be iterated twice, else a list of it."""
    if iter(documents) is documents:  # a generator or iterator: one pass only
        logger.debug("documents is a one-shot iterator; holding it in memory")
        return [list(doc) for doc in documents]
    return documents


def _matrix_chunks(documents: Iterable[Sequence[str]], vocabulary: Sequence[str], chunksize: int):
    """Count matrices (:func:`document_term_matrix`) of ``chunksize`` documents at a time, streamed."""
    chunk: list[Sequence[str]] = []
    for doc in documents:
        chunk.append(doc)
        if len(chunk) == chunksize:
            yield document_term_matrix(chunk, vocabulary)[0]
            chunk = []
    if chunk:
        yield document_term_matrix(chunk, vocabulary)[0]


class BowCorpus:
    """A re-iterable gensim bag-of-words view of token lists.

    Each pass re-reads ``documents`` (which may stream from disk), counts
    them ``chunksize`` at a time with :func:`document_term_matrix` and yields
    ``[(term_id, count), ...]`` sorted by id; unknown tokens are dropped.
    """

    def __init__(self, documents: Iterable[Sequence[str]], vocabulary: Sequence[str], chunksize: int = 1000) -> None:
        self.documents = documents
        self.vocabulary = list(vocabulary)
        self.chunksize = int(chunksize)

    def __iter__(self):
        for X in _matrix_chunks(self.documents, self.vocabulary, self.chunksize):
            yield from _MatrixCorpus(X)


class _MatrixCorpus:
    """Re-iterable gensim corpus over the rows of a CSR count matrix."""

    def __init__(self, X: sp.csr_matrix) -> None:
        self.X = X

    def __len__(self) -> int:
        return self.X.shape[0]

    def __iter__(self):
        X = self.X
        for d in range(X.shape[0]):
            lo, hi = X.indptr[d], X.indptr[d + 1]
            yield list(zip(X.indices[lo:hi].tolist(), X.data[lo:hi].astype(np.int64).tolist(), strict=True))


# ----------------------------------------------------------------------------
# inference


def _dirichlet_expectation(x: np.ndarray) -> np.ndarray:
    """E[log X] for X ~ Dir(x), row-wise."""
    if x.ndim == 1:
        return digamma(x) - digamma(x.sum())
    return digamma(x) - digamma(x.sum(axis=1, keepdims=True))


def infer_doc_topic(
    X: sp.csr_matrix,
    topic_word_concentration: np.ndarray,
    alpha: np.ndarray,
    *,
    max_iter: int = 200,
    tol: float = 1e-4,
    chunksize: int = 2000,
) -> np.ndarray:
    """Variational Dirichlet parameters γ of documents given fixed topics.

    The E-step of Blei et al. (2003) / Hoffman et al. (2010), vectorised over
    documents, started from ``alpha + n_d / K`` (no random initialisation, so
    the result is a pure function of the inputs).

    Parameters
    ----------
    X : scipy.sparse matrix, shape (D, V)
        Term counts.
    topic_word_concentration : ndarray, shape (K, V)
        Variational parameters λ of the topics (counts + eta).
    alpha : ndarray, shape (K,)
    max_iter, tol
        Stop when the mean absolute change of γ per document is below ``tol``
        for every document, or after ``max_iter`` iterations.
    chunksize : int
        Documents per block (bounds memory).

    Returns
    -------
    ndarray, shape (D, K)
    """
    X = sp.csr_matrix(X, dtype=np.float64)
    alpha = np.asarray(alpha, dtype=np.float64)
    exp_elog_beta = np.exp(_dirichlet_expectation(np.asarray(topic_word_concentration, dtype=np.float64)))
    n_topics = exp_elog_beta.shape[0]
    out = np.empty((X.shape[0], n_topics))
    for start in range(0, X.shape[0], chunksize):
        Xb = X[start:start + chunksize]
        n_d = np.asarray(Xb.sum(axis=1)).ravel()
        gamma = alpha[None, :] + (n_d / n_topics)[:, None]
        # Iterate only the documents that have not converged yet (as gensim's
        # per-document loop does); the set shrinks once a quarter converged.
        active = np.arange(Xb.shape[0])
        block = Xb.tocoo()
        beta_nz = exp_elog_beta[:, block.col].T  # nnz × K
        for _ in range(max_iter):
            g = gamma[active]
            exp_elog_theta = np.exp(_dirichlet_expectation(g))
            phinorm = np.einsum("ij,ij->i", exp_elog_theta[block.row], beta_nz) + 1e-100
            weights = sp.csr_matrix((block.data / phinorm, (block.row, block.col)), shape=block.shape)
            new_gamma = alpha[None, :] + exp_elog_theta * (weights @ exp_elog_beta.T)
            converged = np.abs(new_gamma - g).mean(axis=1) < tol
            gamma[active] = new_gamma
            if converged.all():
                break
            if converged.mean() >= 0.25:
                active = active[~converged]
                block = Xb[active].tocoo()
                beta_nz = exp_elog_beta[:, block.col].T
        out[start:start + len(gamma)] = gamma
    return out


# ----------------------------------------------------------------------------
# result


class LdaResult:
    """A fitted topic model: arrays, vocabulary and the settings that made them.

    Attributes
    ----------
    topic_word_ : ndarray, shape (K, V)
        Topic-word probabilities β (rows sum to 1).
    topic_word_concentration_ : ndarray, shape (K, V)
        Variational λ (gensim) or word-topic counts + eta (tomotopy).
    vocabulary_ : list of str
        Terms in column order (sorted).
    doc_topic_ : ndarray, shape (D, K)
        Topic proportions θ of the training documents (rows sum to 1).
    doc_topic_concentration_ : ndarray, shape (D, K)
        Dirichlet parameters of θ: variational γ (gensim) or topic counts +
        alpha (tomotopy). :meth:`sample_doc_topic` draws from them.
    alpha_ : ndarray, shape (K,)
        Document-topic prior (learned when ``alpha="auto"``).
    eta_ : ndarray, shape (K, V)
        Topic-word prior.
    term_frequency_ : ndarray, shape (V,)
        Corpus frequency of each term.
    doc_lengths_ : ndarray, shape (D,)
        In-vocabulary tokens per training document.
    topic_labels_ : list of str
        ``"topic_00"``... or theme names of seeded topics.
    doc_ids : list of str
        The ``doc_id`` of every training document, in row order of
        ``doc_topic_`` (from the token table, or ``doc_ids=`` of
        :func:`fit_lda`; row positions ``"0"``, ``"1"``... only when fitted on
        bare token lists without ids, recorded as ``settings_["doc_id_source"] ==
        "positions"``). Effects and prevalence align metadata by these ids.
    settings_ : dict
        Everything that determined the fit (engine, passes, iterations, ...).
    log_perplexity_ : float or None
        Per-word bound (gensim) or log-likelihood per word (tomotopy) on the
        training corpus.
    """

    def __init__(self, *, n_topics: int, engine: str, random_state: int | None) -> None:
        self.n_topics = int(n_topics)
        self.engine = engine
        self.random_state = random_state

    def __repr__(self) -> str:
        fitted = hasattr(self, "topic_word_")
        shape = f", V={self.topic_word_.shape[1]}, D={self.doc_topic_.shape[0]}" if fitted else ""
        return f"LdaResult(n_topics={self.n_topics}, engine={self.engine!r}, random_state={self.random_state}{shape})"

    @property
    def n_terms(self) -> int:
        return len(self.vocabulary_)

    def transform(self, documents: Iterable[Sequence[str]]) -> np.ndarray:
        """Topic proportions of new token lists, shape (D', K), rows summing to 1.

        Deterministic (see :func:`infer_doc_topic`); out-of-vocabulary tokens
        are ignored and an empty document gets ``alpha_ / alpha_.sum()``.
        """
        gamma = self.transform_concentration(documents)
        return gamma / gamma.sum(axis=1, keepdims=True)

    def transform_concentration(self, documents: Iterable[Sequence[str]]) -> np.ndarray:
        """Variational Dirichlet parameters γ of new token lists, shape (D', K)."""
        X, _ = document_term_matrix(documents, self.vocabulary_)
        return infer_doc_topic(X, self.topic_word_concentration_, self.alpha_)

    def sample_doc_topic(self, n_draws: int, random_state=None) -> np.ndarray:
        """Draws of θ from its (approximate) posterior, shape (n_draws, D, K).

        Each document's θ is drawn from ``Dirichlet(doc_topic_concentration_[d])``:
        the uncertainty that the method of composition carries into effect
        estimates.
        """
        rng = np.random.default_rng(random_state)
        conc = np.maximum(self.doc_topic_concentration_, 1e-12)
        # gamma variates normalised = Dirichlet, vectorised over documents
        draws = rng.standard_gamma(np.broadcast_to(conc, (int(n_draws),) + conc.shape))
        return draws / draws.sum(axis=2, keepdims=True)

    def top_terms(self, n: int = 10, *, measure: str = "prob", lambda_: float = 0.6,
                  frex_weight: float = 0.7) -> pd.DataFrame:
        """The ``n`` best terms of every topic: :func:`toolkit.topics.inspection.top_terms` of this model.

        Returns
        -------
        DataFrame
            Columns ``topic`` (int), ``label``, ``rank`` (1 = best),
            ``term``, ``weight``, ``measure``; sorted by topic then rank, ties
            broken by term.
        """
        from toolkit.topics.inspection import top_terms

        return top_terms(self, n, measure=measure, lambda_=lambda_, frex_weight=frex_weight)

    def doc_topic_frame(self, doc_ids: Sequence | None = None) -> pd.DataFrame:
        """``doc_topic_`` as a table: ``doc_id, topic_0 ... topic_{K-1}`` (ids: ``doc_ids`` or the model's)."""
        ids = list(self.doc_ids) if doc_ids is None else list(doc_ids)
        frame = pd.DataFrame(self.doc_topic_, columns=[f"topic_{k}" for k in range(self.n_topics)])
        frame.insert(0, "doc_id", ids)
        return frame


def default_labels(n_topics: int) -> list[str]:
    width = max(2, len(str(n_topics - 1)))
    return [f"topic_{k:0{width}d}" for k in range(n_topics)]


def _token_lists(documents, doc_ids: Sequence | None):
    """``(documents, doc_ids)`` from token lists or a token table (``doc_id``, ``tokens`` columns).

    A token table gives both; ``doc_ids`` (strings) may be given with token
    lists and must not contradict a table's own ids.
    """
    if isinstance(documents, pd.DataFrame):
        missing = [c for c in ("doc_id", "tokens") if c not in documents.columns]
        if missing:
            raise ValueError(f"a token table needs the columns doc_id and tokens; missing: {missing}")
        table_ids = documents["doc_id"].astype(str).tolist()
        if doc_ids is not None and [str(d) for d in doc_ids] != table_ids:
            raise ValueError("doc_ids= differs from the doc_id column of the token table; give one of them")
        return [list(t) for t in documents["tokens"]], table_ids
    return documents, None if doc_ids is None else [str(d) for d in doc_ids]


def _check_doc_ids(doc_ids: list[str] | None, n_docs: int) -> tuple[list[str], str]:
    """The ids of ``n_docs`` documents (checked: one per document, unique) or their row positions."""
    if doc_ids is None:
        return [str(d) for d in range(n_docs)], "positions"
    if len(doc_ids) != n_docs:
        raise ValueError(f"{len(doc_ids)} doc_ids for {n_docs} documents")
    seen: set[str] = set()
    repeated = sorted({d for d in doc_ids if d in seen or seen.add(d)})
    if repeated:
        raise ValueError(f"doc_ids repeat: {', '.join(repeated[:5])}{', …' if len(repeated) > 5 else ''}")
    return list(doc_ids), "given"


# ----------------------------------------------------------------------------
# fitting


def _alpha_vector(alpha, n_topics: int) -> np.ndarray:
    if isinstance(alpha, str):
        if alpha in ("symmetric", "auto"):
            return np.full(n_topics, 1.0 / n_topics)
        if alpha == "asymmetric":  # gensim's fixed normalised 1 / (k + sqrt(K))
            a = 1.0 / (np.arange(n_topics) + np.sqrt(n_topics))
            return a / a.sum()
        raise ValueError(f"alpha={alpha!r}: use one of {ALPHA_CHOICES} or a positive number")
    arr = np.asarray(alpha, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(n_topics, float(arr))
    if arr.shape != (n_topics,):
        raise ValueError(f"alpha has shape {arr.shape}; expected ({n_topics},)")
    return arr


def _eta_matrix(eta, n_topics: int, n_terms: int, engine: str) -> np.ndarray:
    if eta is None:
        eta = 1.0 / n_topics if engine == "gensim" else 0.01
    arr = np.asarray(eta, dtype=np.float64)
    if arr.ndim == 0:
        return np.full((n_topics, n_terms), float(arr))
    if arr.shape == (n_terms,):
        return np.broadcast_to(arr, (n_topics, n_terms)).copy()
    if arr.shape != (n_topics, n_terms):
        raise ValueError(f"eta has shape {arr.shape}; expected ({n_topics}, {n_terms})")
    return arr


def default_settings(engine: str, n_docs: int, n_tokens: int) -> dict:
    """Convergence settings chosen by corpus size (see the module docstring)."""
    if engine == "gensim":
        return {
            "passes": int(np.clip(round(200_000 / max(n_docs, 1)), 2, 50)),
            "iterations": 200 if n_docs < 10_000 else 100,
            "chunksize": int(max(1, min(2000, n_docs))),
        }
    iterations = int(np.clip(round(5e7 / max(n_tokens, 1)), 200, 2000))
    return {"iterations": int(math.ceil(iterations / 10) * 10)}


def count_matrix(documents, vocabulary=None, *, min_df, max_df, keep_n):
    """The float64 CSR counts every engine fits on, its ``Vocabulary``, the filters used (for ``settings_``)
    and the documents' in-vocabulary lengths.

    One read of the corpus: counts of every term, then the document-frequency filters; or the
    counts of a given ``vocabulary``. An empty vocabulary, or no in-vocabulary token at all, is an error.
    """
    if vocabulary is None:
        X, vocab = document_term_matrix(documents, min_df=min_df, max_df=max_df, keep_n=keep_n)
        filters = {"min_df": min_df, "max_df": max_df, "keep_n": keep_n}
    else:
        X, vocab = document_term_matrix(documents, sorted(set(vocabulary)))
        filters = {"vocabulary": "given"}
    if not vocab.terms:
        raise ValueError("the vocabulary is empty after filtering; lower min_df or raise max_df")
    X = sp.csr_matrix(X, dtype=np.float64)
    doc_lengths = np.asarray(X.sum(axis=1)).ravel().astype(np.int64)
    if not doc_lengths.any():
        raise ValueError("no document has an in-vocabulary token")
    return X, vocab, filters, doc_lengths


def fit_lda(
    documents: Iterable[Sequence[str]],
    n_topics: int,
    *,
    random_state: int,
    engine: str = "gensim",
    passes: int | None = None,
    iterations: int | None = None,
    alpha: str | float | Sequence[float] = "auto",
    eta: float | np.ndarray | None = None,
    min_df: int | float = MIN_DF,
    max_df: int | float = MAX_DF,
    keep_n: int | None = None,
    vocabulary: Sequence[str] | None = None,
    seed_topics: Mapping[int, Sequence[str]] | None = None,
    topic_labels: Sequence[str] | None = None,
    n_jobs: int = 1,
    chunksize: int | None = None,
    init: str = "clusters",
    stream: bool = False,
    doc_ids: Sequence[str] | None = None,
    init_sample: int = INIT_SAMPLE,
) -> LdaResult:
    """Fit LDA to token lists.

    Parameters
    ----------
    documents : iterable of list of str, or DataFrame
        Token lists, or a token table (columns ``doc_id``, ``tokens``, as
        :func:`toolkit.text.preprocess.preprocess` returns it), whose ids
        become ``result.doc_ids``. A re-iterable object (a list, or a class whose
        ``__iter__`` streams from disk) is read three times (vocabulary,
        counts, tomotopy) and never held in memory as token lists: training
        runs on a sparse count matrix. A one-shot generator is materialised.
    n_topics : int
        The total number of topics.
    random_state : int
        Seed of the engine's generator. Same inputs + same seed → identical
        arrays in any process.
    engine : {"gensim", "tomotopy"}
    passes : int, optional
        gensim passes over the corpus (chosen by size when None).
    iterations : int, optional
        gensim per-document E-step cap, or tomotopy Gibbs sweeps.
    alpha : {"auto", "symmetric", "asymmetric"} or float or array
        Document-topic prior. ``"auto"`` (default) starts symmetric at
        1/K and learns an asymmetric prior from the data (gensim's Newton
        update; tomotopy's hyperparameter optimisation every 10 sweeps) —
        both deterministic.
    eta : float or ndarray (V,) or (K, V), optional
        Topic-word prior; default 1/K (gensim) or 0.01 (tomotopy). A (K, V)
        array is how seeded topics are expressed (see :mod:`toolkit.topics.seeded`).
    min_df, max_df, keep_n
        Vocabulary filters with scikit-learn's meaning (an int is a number
        of documents, a float in [0, 1] a proportion), as in
        :func:`toolkit.text.vocabulary.build_vocabulary`; by default every
        term is kept. ``make figures`` filters with ``[topics] min_df`` and
        ``max_df`` of the run config (2 documents, 0.9). Ignored when
        ``vocabulary`` is given.
    vocabulary : list of str, optional
        Use exactly these terms (sorted) as columns.
    seed_topics : mapping of topic index to list of terms, optional
        Start those topics with their seed terms' mass (used with a seeded
        ``eta``; gensim only, tomotopy uses ``eta`` directly).
    topic_labels : list of str, optional
        Names of the topics (default ``topic_00``...).
    n_jobs : int
        tomotopy workers (1 = reproducible); gensim always uses one process.
    chunksize : int, optional
        gensim documents per update.
    stream : bool
        gensim only: never hold the corpus in memory. ``documents`` must be
        re-iterable (e.g. a class whose ``__iter__`` reads token lists from
        disk); it is read once for the vocabulary, once per pass, and once
        more for the document-topic proportions, in chunks. Memory then
        grows with the vocabulary and with the D × K proportions, not with
        the corpus. The start follows ``init`` as in memory, drawn from a
        seeded sample of ``init_sample`` documents collected on the second
        read (the one that counts document lengths); a corpus of at most
        ``init_sample`` documents gets exactly the in-memory fit's arrays.
    init : {"clusters", "documents", "uniform"}
        gensim start: ``"clusters"`` (default) gives each topic the word
        distribution of one k-means cluster of documents (TF-IDF rows,
        ``random_state``), with the mass of a few documents;
        ``"documents"`` adds the pooled counts of a few documents drawn with
        ``random_state`` (lda-c's "seeded" start); ``"uniform"`` is gensim's
        own near-uniform random start.
    doc_ids : sequence of str, optional
        The ``doc_id`` of every document of ``documents`` (token lists), in
        order; unique. Without it (and without a token table) the ids are
        the row positions ``"0"``, ``"1"``...
    init_sample : int
        ``stream=True`` only: documents of the uniform sample (seeded by
        ``random_state``) whose k-means clusters (``init="clusters"``) or
        documents (``init="documents"``) start the topics; it bounds the
        start's memory and time whatever the corpus size (default 20 000).
        k-means on a sample that is not the whole corpus gets 10 restarts
        instead of 3 (a sample merges planted topics more often). Recorded
        as ``settings_["init_sample"]`` and ``settings_["init_n_init"]``.

    Returns
    -------
    LdaResult

    Examples
    --------
    >>> docs = [["dân_vận", "khéo", "nông_thôn_mới"], ["giải_phóng_mặt_bằng", "bồi_thường"]] * 5
    >>> result = fit_lda(docs, 2, random_state=0)
    >>> result.doc_topic_.shape
    (10, 2)
    """
    if engine not in ENGINES:
        raise ValueError(f"engine={engine!r}: use one of {ENGINES}")
    if init not in ("clusters", "documents", "uniform"):
        raise ValueError(f"init={init!r}: use 'clusters', 'documents' or 'uniform'")
    if n_topics < 1:
        raise ValueError("n_topics must be at least 1")
    if random_state is None:
        raise ValueError("random_state is required (an int) so that the fit is reproducible")
    random_state = int(random_state)
    documents, doc_ids = _token_lists(documents, doc_ids)
    if n_topics == 1 and isinstance(alpha, str) and alpha == "auto":
        alpha = "symmetric"  # nothing to learn, and gensim's Newton step divides by zero at K=1
    if stream:
        if engine != "gensim":
            raise ValueError("stream=True needs engine='gensim' (tomotopy holds its documents in memory)")
        if iter(documents) is documents:
            raise ValueError("stream=True needs a re-iterable corpus (a list or a class with __iter__), "
                             "not a one-shot generator")
        result = _fit_gensim_streaming(
            documents, n_topics, random_state=random_state, passes=passes, iterations=iterations, alpha=alpha,
            eta=eta, min_df=min_df, max_df=max_df, keep_n=keep_n, vocabulary=vocabulary,
            topic_labels=topic_labels, chunksize=chunksize, init=init, init_sample=init_sample, seed_topics=seed_topics)
        result.doc_ids, result.settings_["doc_id_source"] = _check_doc_ids(doc_ids, result.doc_topic_.shape[0])
        return result
    documents = _reiterable(documents)

    X, vocab, filters, doc_lengths = count_matrix(documents, vocabulary, min_df=min_df, max_df=max_df, keep_n=keep_n)
    vocabulary = vocab.terms
    term_frequency = vocab.term_frequency
    n_docs, n_terms = X.shape
    n_tokens = int(doc_lengths.sum())
    ids, id_source = _check_doc_ids(doc_ids, n_docs)

    settings = default_settings(engine, n_docs, n_tokens)
    if passes is not None:
        settings["passes"] = int(passes)
    if iterations is not None:
        settings["iterations"] = int(iterations)
    if chunksize is not None and engine == "gensim":
        settings["chunksize"] = int(chunksize)
    eta_arr = _eta_matrix(eta, n_topics, n_terms, engine)
    settings.update({
        "engine": engine, "n_topics": int(n_topics), "random_state": random_state,
        "alpha": alpha if isinstance(alpha, str) else np.asarray(alpha, dtype=float).tolist(),
        "eta": None if eta is None else ("matrix" if np.ndim(eta) else float(eta)),
        "n_docs": int(n_docs), "n_terms": int(n_terms), "n_tokens": n_tokens, **filters, "doc_id_source": id_source,
    })

    result = LdaResult(n_topics=n_topics, engine=engine, random_state=random_state)
    if engine == "gensim":
        settings["init"] = init
        _fit_gensim(result, documents, vocabulary, X, alpha, eta_arr, settings, seed_topics, init)
    else:
        settings["n_jobs"] = int(n_jobs)
        _fit_tomotopy(result, documents, vocabulary, X, alpha, eta_arr, settings)

    result.vocabulary_ = list(vocabulary)
    result.eta_ = eta_arr
    result.term_frequency_ = term_frequency
    result.doc_lengths_ = doc_lengths
    result.topic_labels_ = list(topic_labels) if topic_labels is not None else default_labels(n_topics)
    if len(result.topic_labels_) != n_topics:
        raise ValueError(f"{len(result.topic_labels_)} topic labels for {n_topics} topics")
    result.settings_ = settings
    result.doc_ids = ids
    logger.info("LDA %s: K=%d, D=%d, V=%d, %s", engine, n_topics, n_docs, n_terms,
                ", ".join(f"{k}={settings[k]}" for k in ("passes", "iterations", "chunksize") if k in settings))
    return result


def _fit_gensim(result, documents, vocabulary, X, alpha, eta_arr, settings, seed_topics, init) -> None:
    from gensim.models import LdaModel

    n_topics = result.n_topics
    # The sparse count matrix (read from ``documents`` once) feeds every pass:
    # far smaller than the token lists, and a corpus streamed from disk is not
    # re-read and re-counted on each of up to 50 passes.
    corpus = _MatrixCorpus(X)
    gensim_alpha = alpha if isinstance(alpha, str) else _alpha_vector(alpha, n_topics)
    id2word = dict(enumerate(vocabulary))
    model = LdaModel(
        num_topics=n_topics, id2word=id2word, alpha=gensim_alpha, eta=eta_arr,
        random_state=result.random_state, passes=settings["passes"], iterations=settings["iterations"],
        chunksize=settings["chunksize"], update_every=1, eval_every=None, dtype=np.float64,
    )
    _start_topics(model, X, X.shape[0], init, result.random_state, seed_topics, vocabulary, eta_arr)
    model.update(corpus, passes=settings["passes"], iterations=settings["iterations"],
                 chunksize=settings["chunksize"], update_every=1, eval_every=None)
    lam = model.state.get_lambda().astype(np.float64)
    result.alpha_ = np.asarray(model.alpha, dtype=np.float64).copy()
    result.topic_word_concentration_ = lam
    result.topic_word_ = lam / lam.sum(axis=1, keepdims=True)
    gamma = infer_doc_topic(X, lam, result.alpha_)
    result.doc_topic_concentration_ = gamma
    result.doc_topic_ = gamma / gamma.sum(axis=1, keepdims=True)
    result.log_perplexity_ = _log_likelihood_per_token(X, result.doc_topic_, result.topic_word_)


class _Sized:
    """A re-iterable corpus with a known length."""

    def __init__(self, corpus, n: int) -> None:
        self.corpus, self.n = corpus, n

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        return iter(self.corpus)


def _fit_gensim_streaming(documents, n_topics, *, random_state, passes, iterations, alpha, eta, min_df, max_df,
                          keep_n, vocabulary, topic_labels, chunksize, init, init_sample, seed_topics) -> LdaResult:
    from gensim.models import LdaModel

    if vocabulary is None:
        vocab = build_vocabulary(documents, min_df=min_df, max_df=max_df, keep_n=keep_n)
        vocabulary, term_frequency = vocab.terms, vocab.term_frequency
        filters = {"min_df": min_df, "max_df": max_df, "keep_n": keep_n}
    else:
        vocabulary, term_frequency = sorted(set(vocabulary)), None
        filters = {"vocabulary": "given"}
    if not vocabulary:
        raise ValueError("the vocabulary is empty after filtering; lower min_df or raise max_df")
    corpus = BowCorpus(documents, vocabulary)
    n_terms = len(vocabulary)
    # One read: document lengths, and the seeded sample of documents the start is drawn from.
    sample = _RowSample(init_sample, random_state)
    lengths = []
    for X in _matrix_chunks(documents, vocabulary, corpus.chunksize):
        lengths.append(np.asarray(X.sum(axis=1)).ravel().astype(np.int64))
        if init != "uniform":
            sample.add(X)
    lengths = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64)
    n_docs, n_tokens = len(lengths), int(lengths.sum())
    if n_tokens == 0:
        raise ValueError("no document has an in-vocabulary token")
    settings = default_settings("gensim", n_docs, n_tokens)
    for key, value in (("passes", passes), ("iterations", iterations), ("chunksize", chunksize)):
        if value is not None:
            settings[key] = int(value)
    eta_arr = _eta_matrix(eta, n_topics, n_terms, "gensim")
    settings.update({
        "engine": "gensim", "n_topics": int(n_topics), "random_state": random_state, "stream": True,
        "init": init, "init_sample": 0 if sample.rows is None else int(sample.rows.shape[0]),
        "alpha": alpha if isinstance(alpha, str) else np.asarray(alpha, dtype=float).tolist(),
        "eta": None if eta is None else ("matrix" if np.ndim(eta) else float(eta)),
        "n_docs": int(n_docs), "n_terms": int(n_terms), "n_tokens": n_tokens, **filters,
    })
    gensim_alpha = alpha if isinstance(alpha, str) else _alpha_vector(alpha, n_topics)
    # iterations go to the constructor: gensim's E-step reads self.iterations, not update()'s argument.
    model = LdaModel(num_topics=n_topics, id2word=dict(enumerate(vocabulary)), alpha=gensim_alpha, eta=eta_arr,
                     random_state=random_state, passes=settings["passes"], iterations=settings["iterations"],
                     chunksize=settings["chunksize"], update_every=1, eval_every=None, dtype=np.float64)
    # k-means on a sample of the corpus merges two planted topics more often than on every document
    # (20 sparse topics, 20,000 of 100,000 documents: 2 of 3 seeds with 3 restarts, none with 10); the
    # sample bounds the cost of more restarts. A sample that is the whole corpus starts as in memory.
    n_init = 3 if sample.rows is None or sample.rows.shape[0] == n_docs else SAMPLE_N_INIT
    settings["init_n_init"] = n_init if init == "clusters" else None
    _start_topics(model, sample.rows, n_docs, init, random_state, seed_topics, vocabulary, eta_arr, n_init=n_init)
    del sample  # the start is set: the sample's rows are not needed during the passes
    # A known length spares gensim a counting pass over the disk.
    model.update(_Sized(corpus, n_docs), passes=settings["passes"], iterations=settings["iterations"],
                 chunksize=settings["chunksize"], update_every=1, eval_every=None)
    result = LdaResult(n_topics=n_topics, engine="gensim", random_state=random_state)
    lam = model.state.get_lambda().astype(np.float64)
    result.alpha_ = np.asarray(model.alpha, dtype=np.float64).copy()
    result.topic_word_concentration_ = lam
    result.topic_word_ = lam / lam.sum(axis=1, keepdims=True)
    gamma = np.empty((n_docs, n_topics))
    frequency = np.zeros(n_terms)
    log_lik, start = 0.0, 0
    for X in _matrix_chunks(documents, vocabulary, settings["chunksize"]):
        g = infer_doc_topic(X, lam, result.alpha_)
        gamma[start:start + X.shape[0]] = g
        theta = g / g.sum(axis=1, keepdims=True)
        if X.sum():
            log_lik += _log_likelihood_per_token(X, theta, result.topic_word_) * float(X.sum())
        frequency += np.asarray(X.sum(axis=0)).ravel()
        start += X.shape[0]
    result.doc_topic_concentration_ = gamma
    result.doc_topic_ = gamma / gamma.sum(axis=1, keepdims=True)
    result.log_perplexity_ = log_lik / n_tokens
    result.vocabulary_ = list(vocabulary)
    result.eta_ = eta_arr
    result.term_frequency_ = term_frequency if term_frequency is not None else frequency.astype(np.int64)
    result.doc_lengths_ = lengths
    result.topic_labels_ = list(topic_labels) if topic_labels is not None else default_labels(n_topics)
    result.settings_ = settings
    logger.info("LDA gensim (streamed): K=%d, D=%d, V=%d, passes=%d, iterations=%d, chunksize=%d", n_topics, n_docs,
                n_terms, settings["passes"], settings["iterations"], settings["chunksize"])
    return result


def _start_topics(model, X, n_docs: int, init: str, random_state: int, seed_topics, vocabulary, eta_arr,
                  n_init: int = 3) -> None:
    """Set the starting topics of a fresh gensim ``model`` (both the in-memory and the streamed fit).

    ``X`` holds the counts of the documents the start is drawn from: the
    whole corpus in memory, or a seeded sample of a streamed one
    (:class:`_RowSample`); ``n_docs`` is the size of the whole corpus.
    ``n_init``: k-means restarts (the best inertia is kept).
    """
    n_topics = model.num_topics
    if init == "clusters":
        # Start each topic from one cluster of documents (spherical k-means on
        # TF-IDF rows, seeded): topics begin far apart, so fewer runs end with
        # two true topics merged and another split (the usual local optimum).
        _init_from_clusters(model, X, n_topics, random_state, seed_topics, vocabulary, n_init=n_init)
    elif init == "documents":
        # lda-c's "seeded" start: each topic begins as the pooled counts of a
        # few random documents, which breaks the symmetry of gensim's
        # near-uniform start and avoids many poor local optima.
        rng = np.random.default_rng(random_state)
        n_rows = X.shape[0]
        per_topic = int(np.clip(n_rows // (4 * n_topics), 1, 10))
        picks = rng.choice(n_rows, size=(n_topics, per_topic), replace=n_rows < n_topics * per_topic)
        for k in range(n_topics):
            model.state.sstats[k] += np.asarray(X[picks[k]].sum(axis=0)).ravel()
        model.expElogbeta = np.exp(_dirichlet_expectation(model.state.get_lambda()))
    if seed_topics:
        # Start seeded topics with their seeds' mass so the prior is not
        # drowned by the random initialisation (eta alone is a pseudo-count).
        index = {t: i for i, t in enumerate(vocabulary)}
        sstats = model.state.sstats
        for k, terms in seed_topics.items():
            ids = [index[t] for t in terms if t in index]
            if ids:
                sstats[k, ids] += eta_arr[k, ids] * max(1.0, n_docs / n_topics)
        model.expElogbeta = np.exp(_dirichlet_expectation(model.state.get_lambda()))


class _RowSample:
    """A seeded uniform sample of at most ``size`` rows of a stream of count matrices.

    Every row gets a random key (drawn in stream order from
    ``default_rng(random_state)``, so the sample does not depend on the chunk
    size); the ``size`` rows with the smallest keys are kept (bottom-k
    sampling), in stream order. Memory is bounded by ``size`` rows plus one
    chunk. When the stream has at most ``size`` rows, the sample is all of
    them, in order.
    """

    def __init__(self, size: int, random_state: int) -> None:
        self.size = int(size)
        self.rng = np.random.default_rng(random_state)
        self.rows: sp.csr_matrix | None = None
        self.keys = np.empty(0)
        self.positions = np.empty(0, dtype=np.int64)
        self.seen = 0

    def add(self, X: sp.csr_matrix) -> None:
        keys = self.rng.random(X.shape[0])
        positions = np.arange(self.seen, self.seen + X.shape[0])
        self.seen += X.shape[0]
        rows = X if self.rows is None else sp.vstack([self.rows, X], format="csr")
        keys, positions = np.concatenate([self.keys, keys]), np.concatenate([self.positions, positions])
        if len(keys) > self.size:
            keep = np.sort(np.argpartition(keys, self.size - 1)[:self.size])  # stays in stream order
            rows, keys, positions = rows[keep], keys[keep], positions[keep]
        self.rows, self.keys, self.positions = sp.csr_matrix(rows), keys, positions


def _init_from_clusters(model, X, n_topics: int, random_state: int, seed_topics=None, vocabulary=(),
                        n_init: int = 3) -> None:
    from scipy.optimize import linear_sum_assignment
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.preprocessing import normalize

    n_docs = X.shape[0]
    if n_docs < 2 * n_topics:
        return
    rows = normalize(TfidfTransformer(sublinear_tf=True).fit_transform(X))
    from threadpoolctl import threadpool_limits

    # One thread: the same clusters on any machine, whatever its core count.
    with threadpool_limits(limits=1):
        labels = KMeans(n_clusters=n_topics, n_init=n_init, random_state=random_state).fit_predict(rows)
    clusters = np.zeros((n_topics, X.shape[1]))
    for c in range(n_topics):
        counts = np.asarray(X[labels == c].sum(axis=0)).ravel().astype(np.float64)
        clusters[c] = counts / counts.sum() if counts.sum() > 0 else 0.0
    order = np.arange(n_topics)
    if seed_topics:
        # A seeded topic starts from the cluster richest in its seed terms, so
        # the start agrees with the prior instead of fighting it.
        index = {t: i for i, t in enumerate(vocabulary)}
        seeded = sorted(seed_topics)
        score = np.array([[clusters[c, [index[t] for t in seed_topics[k] if t in index]].sum()
                           for c in range(n_topics)] for k in seeded])
        rows_, cols = linear_sum_assignment(-score)
        taken = dict(zip((seeded[r] for r in rows_), cols))
        rest = iter(c for c in range(n_topics) if c not in set(cols))
        order = np.array([taken[k] if k in taken else next(rest) for k in range(n_topics)])
    # As much initial mass as the documents-start gives: a few documents' worth per topic.
    per_topic = float(np.clip(n_docs // (4 * n_topics), 1, 10)) * float(X.sum()) / n_docs
    for k in range(n_topics):
        model.state.sstats[k] += per_topic * clusters[order[k]]
    model.expElogbeta = np.exp(_dirichlet_expectation(model.state.get_lambda()))


def _fit_tomotopy(result, documents, vocabulary, X, alpha, eta_arr, settings) -> None:
    import tomotopy as tp

    n_topics = result.n_topics
    learn = alpha == "auto"
    alpha_vec = _alpha_vector(alpha, n_topics)
    base_eta = float(np.median(eta_arr))
    model = tp.LDAModel(
        tw=tp.TermWeight.ONE, min_cf=0, min_df=0, rm_top=0, k=n_topics,
        alpha=alpha_vec.tolist(), eta=base_eta, seed=result.random_state,
    )
    model.optim_interval = 10 if learn else 0
    index = {t: i for i, t in enumerate(vocabulary)}
    # Word priors must be set before documents add the words; tomotopy
    # needs the word in its vocabulary, which set_word_prior does itself.
    nonuniform = np.flatnonzero(~np.all(np.isclose(eta_arr, base_eta), axis=0))
    for j in nonuniform:
        model.set_word_prior(vocabulary[j], eta_arr[:, j].tolist())
    added = []
    for d, doc in enumerate(documents):
        words = [t for t in doc if t in index]
        if words:
            model.add_doc(words)
            added.append(d)
    model.train(0, workers=settings["n_jobs"])
    model.train(settings["iterations"], workers=settings["n_jobs"])
    tp_vocab = list(model.used_vocabs)
    cols = np.array([index[t] for t in tp_vocab])
    counts = np.zeros((n_topics, len(vocabulary)))
    for k in range(n_topics):
        counts[k, cols] = np.asarray(model.get_topic_word_dist(k, normalize=False), dtype=np.float64)
    # get_topic_word_dist(normalize=False) already includes eta for used words
    missing = np.setdiff1d(np.arange(len(vocabulary)), cols)
    counts[:, missing] = eta_arr[:, missing]
    result.alpha_ = np.asarray(model.alpha, dtype=np.float64).copy()
    result.topic_word_concentration_ = counts
    result.topic_word_ = counts / counts.sum(axis=1, keepdims=True)
    conc = np.tile(result.alpha_, (X.shape[0], 1))
    for d, doc in zip(added, model.docs, strict=True):
        conc[d] = np.asarray(doc.get_topic_dist(normalize=False), dtype=np.float64)
    result.doc_topic_concentration_ = conc
    result.doc_topic_ = conc / conc.sum(axis=1, keepdims=True)
    result.log_perplexity_ = float(model.ll_per_word)


def mixture_probabilities(theta: np.ndarray, beta: np.ndarray, rows: np.ndarray, cols: np.ndarray, *,
                          chunk: int = 1 << 18) -> np.ndarray:
    """``Σ_k θ[rows[i], k] · β[k, cols[i]]`` for every pair ``i`` (the model's probability of a token).

    Computed ``chunk`` pairs at a time: one nnz × K array for a corpus of
    80,000 news articles is 1.5 GB, and two of them were the largest memory
    peak of a whole run. Each value is computed exactly as in one piece.
    """
    out = np.empty(len(rows), dtype=np.float64)
    for start in range(0, len(rows), chunk):
        stop = start + chunk
        out[start:stop] = np.einsum("ij,ji->i", theta[rows[start:stop]], beta[:, cols[start:stop]])
    return out


def _log_likelihood_per_token(X: sp.csr_matrix, theta: np.ndarray, beta: np.ndarray) -> float:
    coo = X.tocoo()
    p = mixture_probabilities(theta, beta, coo.row, coo.col)
    total = X.sum()
    return float((coo.data * np.log(np.maximum(p, 1e-300))).sum() / total) if total else float("nan")
