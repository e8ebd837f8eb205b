"""Quality measures of topic models: coherence, exclusivity, diversity, held-out fit, stability.

All measures here are "higher is better".

* :func:`topic_coherence` — NPMI (Bouma 2009; Aletras & Stevenson 2013) and
  UMass (Mimno et al. 2011) from *document* co-occurrence of each topic's top
  terms in a reference corpus, computed on a sparse binary document-term
  matrix. :func:`gensim_coherence` wraps :class:`gensim.models.CoherenceModel`
  (``processes=1``) for its other measures; its ``c_v`` is available but
  flagged as discouraged: its author (M. Röder, Palmetto) later advised
  against using it — prefer NPMI.
* :func:`exclusivity` — FREX as in stm (Roberts et al.): the weighted harmonic
  mean of the within-topic ECDF ranks of a word's exclusivity
  ``β_kv / Σ_j β_jv`` and of its probability ``β_kv``, weight 0.7 on
  exclusivity, averaged over the topic's top terms.
* :func:`topic_diversity` — share of unique terms among all topics' top-25
  terms (Dieng et al. 2020).
* :func:`heldout_loglik` — document completion: each held-out document's
  tokens are split in half at random (seeded), θ is inferred from the first
  half and the second half is scored under θ·β (Wallach et al. 2009).
* :func:`stability` — Hungarian matching of topics between runs with
  different seeds (cosine of topic-word vectors, or Jaccard of top terms).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment

from toolkit.text.vocabulary import document_term_matrix
from toolkit.topics.lda import LdaResult, mixture_probabilities

COHERENCE_MEASURES = ("npmi", "umass")


def _top_indices(topic_word: np.ndarray, top_n: int) -> np.ndarray:
    """Column indices of each topic's top terms (ties broken by column)."""
    order = np.argsort(-topic_word, axis=1, kind="stable")
    return order[:, :top_n]


def top_term_lists(result: LdaResult, top_n: int = 10) -> list[list[str]]:
    """Each topic's ``top_n`` most probable terms, most probable first."""
    vocab = np.asarray(result.vocabulary_, dtype=object)
    return [vocab[row].tolist() for row in _top_indices(result.topic_word_, top_n)]


def _binary_matrix(documents, vocabulary) -> sp.csc_matrix:
    X = sp.csr_matrix(document_term_matrix(documents, vocabulary)[0], dtype=np.float64)
    X.data[:] = 1.0
    return X.tocsc()


def topic_coherence(
    topics: Sequence[Sequence[str]] | LdaResult,
    documents: Sequence[Sequence[str]] | sp.spmatrix,
    *,
    measure: str = "npmi",
    top_n: int = 10,
    vocabulary: Sequence[str] | None = None,
) -> np.ndarray:
    """Coherence of each topic from document co-occurrence in a reference corpus.

    Parameters
    ----------
    topics : list of list of str, or LdaResult
        Each topic's top terms in rank order (from a result: its ``top_n``).
    documents : list of list of str, or sparse matrix (D × V)
        Reference corpus; a matrix needs ``vocabulary`` (its columns).
    measure : {"npmi", "umass"}
        ``npmi``: mean over term pairs of ``log(p_ij / (p_i p_j)) / -log p_ij``
        with document probabilities; a pair that never co-occurs scores -1 and
        a pair that always co-occurs scores 1. ``umass``: mean over pairs
        (``w_i`` ranked above ``w_j``) of ``log((D(w_i, w_j) + 1) / D(w_i))``.
    top_n : int

    Returns
    -------
    ndarray, shape (K,)

    Examples
    --------
    >>> docs = [["dân_vận", "khéo"], ["dân_vận", "khéo"], ["nông_thôn_mới"]]
    >>> topic_coherence([["dân_vận", "khéo"]], docs, measure="npmi")
    array([1.])
    """
    if measure not in COHERENCE_MEASURES:
        raise ValueError(f"measure={measure!r}: use one of {COHERENCE_MEASURES} (or gensim_coherence)")
    if isinstance(topics, LdaResult):
        topics = top_term_lists(topics, top_n)
    topics = [list(t)[:top_n] for t in topics]
    terms = sorted({t for topic in topics for t in topic})
    if sp.issparse(documents):
        if vocabulary is None:
            raise ValueError("a document-term matrix needs its vocabulary")
        index = {t: i for i, t in enumerate(vocabulary)}
        B = sp.csc_matrix(documents)[:, [index[t] for t in terms if t in index]]
        B = (B > 0).astype(np.float64)
        terms = [t for t in terms if t in index]
    else:
        B = _binary_matrix(documents, terms)
    n_docs = B.shape[0]
    co = (B.T @ B).toarray()  # document co-occurrence counts of the terms
    df = np.diag(co).copy()
    col = {t: i for i, t in enumerate(terms)}
    scores = np.full(len(topics), np.nan)
    for k, topic in enumerate(topics):
        ids = [col[t] for t in topic if t in col]
        if len(ids) < 2:
            continue
        ids = np.asarray(ids)
        i, j = np.triu_indices(len(ids), k=1)  # i ranked above j
        a, b = ids[i], ids[j]
        dij = co[a, b]
        if measure == "umass":
            with np.errstate(divide="ignore"):
                vals = np.log((dij + 1.0) / df[a])
            vals[df[a] == 0] = np.nan
        else:
            p_ij = dij / n_docs
            p_i, p_j = df[a] / n_docs, df[b] / n_docs
            vals = np.full(len(a), -1.0)
            seen = dij > 0
            full = seen & (p_ij >= 1.0)
            part = seen & ~full
            vals[part] = np.log(p_ij[part] / (p_i[part] * p_j[part])) / -np.log(p_ij[part])
            vals[full] = 1.0
        scores[k] = np.nanmean(vals) if np.isfinite(vals).any() else np.nan
    return scores


def gensim_coherence(
    topics: Sequence[Sequence[str]] | LdaResult,
    documents: Sequence[Sequence[str]],
    *,
    measure: str = "c_npmi",
    top_n: int = 10,
    window_size: int | None = None,
) -> np.ndarray:
    """Per-topic coherence by :class:`gensim.models.CoherenceModel` (single process).

    ``measure`` is one of gensim's ``"u_mass"``, ``"c_npmi"``, ``"c_uci"``,
    ``"c_v"``. ``c_v`` is flagged as discouraged: its author reported that it
    does not correlate with human ratings as claimed; prefer ``c_npmi`` or
    :func:`topic_coherence`.
    """
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    if isinstance(topics, LdaResult):
        topics = top_term_lists(topics, top_n)
    texts = [list(d) for d in documents]
    dictionary = Dictionary(texts)
    kwargs = {"topics": [list(t)[:top_n] for t in topics], "dictionary": dictionary, "coherence": measure,
              "topn": top_n, "processes": 1}
    if measure == "u_mass":
        kwargs["corpus"] = [dictionary.doc2bow(t) for t in texts]
    else:
        kwargs["texts"] = texts
        if window_size is not None:
            kwargs["window_size"] = window_size
    return np.asarray(CoherenceModel(**kwargs).get_coherence_per_topic(), dtype=float)


def _ecdf_rank(x: np.ndarray) -> np.ndarray:
    """Row-wise empirical CDF values (share of entries ≤ each entry)."""
    n = x.shape[1]
    order = np.sort(x, axis=1)
    return np.vstack([np.searchsorted(order[k], x[k], side="right") / n for k in range(x.shape[0])])


def frex(topic_word: np.ndarray, weight: float = 0.7) -> np.ndarray:
    """FREX score of every topic-term cell (K × V), stm's definition."""
    beta = np.asarray(topic_word, dtype=float)
    excl = beta / np.maximum(beta.sum(axis=0, keepdims=True), 1e-300)
    return 1.0 / (weight / _ecdf_rank(excl) + (1.0 - weight) / _ecdf_rank(beta))


def exclusivity(topic_word: np.ndarray | LdaResult, *, top_n: int = 10, weight: float = 0.7) -> np.ndarray:
    """Mean FREX of each topic's ``top_n`` terms (stm's ``exclusivity`` / ``top_n``), shape (K,)."""
    beta = topic_word.topic_word_ if isinstance(topic_word, LdaResult) else np.asarray(topic_word, float)
    scores = frex(beta, weight)
    top = _top_indices(beta, top_n)
    return np.take_along_axis(scores, top, axis=1).mean(axis=1)


def topic_diversity(topic_word: np.ndarray | LdaResult | Sequence[Sequence[str]], *, top_n: int = 25) -> float:
    """Share of unique terms among all topics' ``top_n`` terms (1 = no term shared).

    Examples
    --------
    >>> topic_diversity([["dân_vận", "khéo"], ["dân_vận", "nông_thôn_mới"]], top_n=2)
    0.75
    """
    if isinstance(topic_word, LdaResult):
        lists = top_term_lists(topic_word, top_n)
    elif isinstance(topic_word, np.ndarray):
        lists = _top_indices(topic_word, top_n).tolist()
    else:
        lists = [list(t)[:top_n] for t in topic_word]
    total = sum(len(t) for t in lists)
    return len({w for t in lists for w in t}) / total if total else float("nan")


def split_documents(documents: Sequence[Sequence[str]], random_state=None) -> tuple[list[list[str]], list[list[str]]]:
    """Split each document's tokens at random into two halves (observed, held out)."""
    rng = np.random.default_rng(random_state)
    first, second = [], []
    for doc in documents:
        doc = list(doc)
        perm = rng.permutation(len(doc))
        half = len(doc) // 2
        first.append([doc[i] for i in np.sort(perm[:half])])
        second.append([doc[i] for i in np.sort(perm[half:])])
    return first, second


def heldout_loglik(result: LdaResult, documents: Sequence[Sequence[str]], *, random_state=0) -> float:
    """Document-completion log-likelihood per held-out token (higher is better).

    θ is inferred (:meth:`LdaResult.transform`) from a random half of each
    document's in-vocabulary tokens; the other half is scored by
    ``log Σ_k θ_dk β_kw``, averaged over all scored tokens.
    """
    index = set(result.vocabulary_)
    docs = [[t for t in doc if t in index] for doc in documents]
    first, second = split_documents(docs, random_state)
    theta = result.transform(first)
    X = document_term_matrix(second, result.vocabulary_)[0].tocoo()
    if X.nnz == 0:
        return float("nan")
    p = mixture_probabilities(theta, result.topic_word_, X.row, X.col)
    return float((X.data * np.log(np.maximum(p, 1e-300))).sum() / X.data.sum())


def _aligned(results: Sequence[LdaResult]) -> list[np.ndarray]:
    vocab = sorted(set().union(*(r.vocabulary_ for r in results)))
    index = {t: i for i, t in enumerate(vocab)}
    out = []
    for r in results:
        m = np.zeros((r.n_topics, len(vocab)))
        m[:, [index[t] for t in r.vocabulary_]] = r.topic_word_
        out.append(m)
    return out


def topic_similarity(a: np.ndarray, b: np.ndarray, *, method: str = "cosine", top_n: int = 10) -> np.ndarray:
    """Pairwise similarity of the topics of two topic-word matrices on the same columns."""
    if method == "cosine":
        an = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-300)
        bn = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-300)
        return an @ bn.T
    if method == "jaccard":
        ta = [set(r) for r in _top_indices(a, top_n).tolist()]
        tb = [set(r) for r in _top_indices(b, top_n).tolist()]
        return np.array([[len(x & y) / len(x | y) for y in tb] for x in ta])
    raise ValueError(f"method={method!r}: use 'cosine' or 'jaccard'")


def matched_similarity(a: np.ndarray, b: np.ndarray, *, method: str = "cosine", top_n: int = 10) -> float:
    """Mean similarity of topics of ``a`` to their Hungarian-matched topics of ``b``."""
    sim = topic_similarity(a, b, method=method, top_n=top_n)
    rows, cols = linear_sum_assignment(-sim)
    return float(sim[rows, cols].mean())


def stability(results: Sequence[LdaResult | np.ndarray], *, method: str = "cosine", top_n: int = 10) -> np.ndarray:
    """Per-run stability: mean matched similarity of each run to every other run.

    Parameters
    ----------
    results : list of LdaResult (or topic-word matrices on the same columns)
        Runs with the same number of topics and different seeds.

    Returns
    -------
    ndarray, shape (n_runs,)
        Its mean is the model's stability (1 = the same topics every run).
    """
    mats = _aligned(results) if all(isinstance(r, LdaResult) for r in results) else [np.asarray(r, float) for r in results]
    n = len(mats)
    if n < 2:
        return np.full(n, np.nan)
    pair = np.zeros((n, n))
    for i, j in itertools.combinations(range(n), 2):
        pair[i, j] = pair[j, i] = matched_similarity(mats[i], mats[j], method=method, top_n=top_n)
    return pair.sum(axis=1) / (n - 1)
