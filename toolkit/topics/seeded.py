"""Seeded (guided) LDA: theme dictionaries as priors on topic-word distributions.

A theme is a list of seed tokens (already segmented, e.g.
``"giải_phóng_mặt_bằng"``). Theme topics come first (topic ``i`` is theme
``i`` in the order given) and carry the theme's name as label; the
residual (free) topics follow, labelled ``topic_NN``. ``n_topics`` is the
total, seeded topics included (README, "Conventions"): 4 themes and
``n_topics=12`` give 8 free topics, and ``n_topics`` below the number of
themes plus one is an error, never silently raised.

The prior: every cell of ``eta`` is ``base_eta``; a theme's seed terms get
``seed_weight`` in the theme's topic and ``base_eta * off_weight`` in the
other *theme* topics (free topics keep ``base_eta``), so a seed term is
steered to its theme but the data can still put it elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from toolkit.text.vocabulary import MAX_DF, MIN_DF, build_vocabulary
from toolkit.topics.lda import LdaResult, _token_lists, default_labels, fit_lda

logger = logging.getLogger("toolkit.topics")


def seed_coverage(themes: Mapping[str, Sequence[str]], vocabulary: Sequence[str]) -> pd.DataFrame:
    """How many of each theme's seed terms are in the model's vocabulary.

    Returns
    -------
    DataFrame
        Columns ``theme``, ``n_terms``, ``n_in_vocabulary``,
        ``terms_missing`` (sorted, ``"; "``-joined); rows in theme order.

    Examples
    --------
    >>> seed_coverage({"đất_đai": ["thu_hồi_đất", "bồi_thường"]}, ["bồi_thường"]).to_dict("records")
    [{'theme': 'đất_đai', 'n_terms': 2, 'n_in_vocabulary': 1, 'terms_missing': 'thu_hồi_đất'}]
    """
    vocab = set(vocabulary)
    rows = []
    for theme, terms in themes.items():
        unique = sorted(set(terms))
        missing = [t for t in unique if t not in vocab]
        rows.append((theme, len(unique), len(unique) - len(missing), "; ".join(missing)))
    return pd.DataFrame(rows, columns=["theme", "n_terms", "n_in_vocabulary", "terms_missing"])


#: Most probable terms of a seeded topic among which one of its seed terms must stand for the topic to be
#: held by its seeds (:func:`seed_retention`).
RETENTION_TOP_N = 20
#: Seed terms that must stand among those most probable terms (fewer when the theme has fewer in the vocabulary):
#: one alone can be a word the topic shares with something else ("lễ hội" at the top of a topic of holiday
#: beaches, seeded with religion, which took 70% of the seeds' occurrences) ...
RETENTION_MIN_SEEDS = 2
#: ... unless the topic takes at least this share of the seed terms' occurrences: then it is where the theme's
#: words live, its rarer seeds below the top (a demo COVID-19 topic with one seed on top took 93% of them).
RETENTION_CAPTURE_ALONE = 0.8


def enough_seeds_in_top(n_in_top: int, n_in_vocabulary: int, capture: float | None = None) -> bool:
    """Whether ``n_in_top`` seed terms among the top terms hold a topic with ``n_in_vocabulary`` seeds in the
    vocabulary: :data:`RETENTION_MIN_SEEDS` of them (fewer when it has fewer), or one that stands for a topic
    taking at least :data:`RETENTION_CAPTURE_ALONE` of the seeds' occurrences (``capture``)."""
    if n_in_top >= max(1, min(RETENTION_MIN_SEEDS, n_in_vocabulary)):
        return True
    return n_in_top >= 1 and capture is not None and capture >= RETENTION_CAPTURE_ALONE


def seed_retention(result: LdaResult, n_top: int = RETENTION_TOP_N) -> pd.DataFrame:
    """Whether each seeded topic is still about its seed terms once fitted.

    A seed prior steers a topic; on a corpus where the theme is rare (a
    national news site for grassroots democracy) the data win and the topic
    that carries the theme's name is about something else (foreign presidents).
    Where the theme is common the fit can also give it to a free topic and
    leave the seeded one nearly empty, its top terms still the seeds (the
    prior is most of what it has). A seeded topic is **held** when

    * at least two of its seed terms (one when it has one in the
      vocabulary: :data:`RETENTION_MIN_SEEDS`) are among its ``n_top`` most
      probable terms, or one is and the topic takes at least
      :data:`RETENTION_CAPTURE_ALONE` of the seeds' occurrences, and
    * no other topic takes more of its seed terms' occurrences than it does.

    A term's occurrences are shared among the topics by p(topic | term) ∝
    φ_k,w · N_k, with N_k = Σ_d θ_dk · length_d the topic's estimated tokens
    (the quantity LDAvis draws); the seeded topic's ``seed_capture`` is its
    share of the seed terms' occurrences, weighted by their corpus counts.

    Returns
    -------
    DataFrame
        One row per seeded topic (in topic order): ``topic, label, n_seeds,
        n_seeds_in_vocabulary``, ``seed_mass`` (the seed terms' share of the
        topic's words), ``corpus_seed_mass`` (their share of the corpus's
        tokens), ``lift`` (the ratio), ``seeds_in_top_terms`` (the seed
        terms among its ``n_top`` most probable terms, in rank order,
        ``"; "``-joined), ``seed_capture`` (its share of the seed terms'
        occurrences), ``main_seed_topic`` and ``main_seed_capture`` (the
        topic that takes most of them, itself when it is held, and its
        share) and ``held``. Without document-topic proportions (``doc_topic_``)
        the three capture columns are missing values and ``held`` is the
        top-terms rule alone. Empty for an unseeded model.
    """
    columns = ["topic", "label", "n_seeds", "n_seeds_in_vocabulary", "seed_mass", "corpus_seed_mass", "lift",
               "seeds_in_top_terms", "seed_capture", "main_seed_topic", "main_seed_capture", "held"]
    themes = (getattr(result, "settings_", None) or {}).get("themes") or {}
    if not themes:
        return pd.DataFrame(columns=columns)
    labels = list(result.topic_labels_)
    index = {term: i for i, term in enumerate(result.vocabulary_)}
    frequency = np.asarray(result.term_frequency_, dtype=float)
    corpus = frequency / frequency.sum() if frequency.sum() > 0 else frequency
    phi_all = np.asarray(result.topic_word_, dtype=float)
    topic_tokens = _topic_tokens(result)
    rows = []
    for theme, seeds in themes.items():
        if theme not in labels:
            continue
        k = labels.index(theme)
        ids = sorted({index[t] for t in seeds if t in index})
        phi = phi_all[k]
        mass, base = float(phi[ids].sum()), float(corpus[ids].sum())
        top, seed_ids = np.argsort(-phi, kind="stable")[:n_top], set(ids)
        in_top = [result.vocabulary_[i] for i in top if i in seed_ids]
        capture, main, main_capture = _seed_capture(phi_all, topic_tokens, frequency, ids, k)
        held = enough_seeds_in_top(len(in_top), len(ids), None if np.isnan(capture) else capture) and (
            main is None or main == k)
        rows.append((k, theme, len(set(seeds)), len(ids), mass, base, mass / base if base > 0 else np.nan,
                     "; ".join(in_top), capture, labels[main] if main is not None else None, main_capture, held))
    return pd.DataFrame(rows, columns=columns).sort_values("topic", kind="mergesort").reset_index(drop=True)


def not_held_kind(row) -> str:
    """Why a seeded topic (a row of :func:`seed_retention`, a mapping or a named tuple) is not held:
    ``"lost"`` (too few seed terms among its top terms), ``"elsewhere"`` (another topic takes more of
    their occurrences), or ``""`` when it is held. A row without ``n_seeds_in_vocabulary`` (an older
    table) counts any seed among the top terms as enough."""
    def get(name):
        value = row.get(name) if hasattr(row, "get") else getattr(row, name, None)
        return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value

    if bool(get("held")):
        return ""
    in_top = [t for t in str(get("seeds_in_top_terms") or "").split("; ") if t]
    n_vocabulary, capture = get("n_seeds_in_vocabulary"), get("seed_capture")
    enough = (enough_seeds_in_top(len(in_top), int(n_vocabulary), None if capture is None else float(capture))
              if n_vocabulary is not None else bool(in_top))
    return "elsewhere" if enough else "lost"


def not_held_reason(row, n_top: int = RETENTION_TOP_N) -> str:
    """Why a seeded topic (a row of :func:`seed_retention`) is not held, in one clause for warnings."""
    in_top = [t for t in str(row.seeds_in_top_terms or "").split("; ") if t]
    if not_held_kind(row) == "lost":
        which = f"only {in_top[0].replace('_', ' ')} of its seed terms is" if in_top else "none of its seed terms is"
        return (f"{which} among its {n_top} most probable terms (they are "
                f"{100 * row.seed_mass:.2f}% of its words): the theme's name is not its content; the corpus may have "
                "too few documents of the theme to hold a topic")
    return (f"{row.main_seed_topic} takes {100 * row.main_seed_capture:.0f}% of its seed terms' occurrences and it "
            f"{100 * row.seed_capture:.0f}%: the theme went to another topic or is split, and the seeded topic's "
            "share understates it; read both topics' words")


def _topic_tokens(result) -> np.ndarray | None:
    """Estimated tokens of every topic (Σ_d θ_dk · length_d), or None without θ."""
    theta = getattr(result, "doc_topic_", None)
    if theta is None:
        return None
    theta = np.asarray(theta, dtype=float)
    lengths = getattr(result, "doc_lengths_", None)
    lengths = (np.asarray(lengths, dtype=float) if lengths is not None and len(lengths) == theta.shape[0]
               else np.ones(theta.shape[0]))
    return theta.T @ lengths


def _seed_capture(phi: np.ndarray, topic_tokens: np.ndarray | None, frequency: np.ndarray, ids: Sequence[int],
                  k: int) -> tuple[float, int | None, float]:
    """``(topic k's share, the topic with the largest share, that share)`` of the seed terms' occurrences.

    Ties go to topic ``k``, then to the lower topic number. NaN and None
    without topic sizes or without a seed term that occurs.
    """
    counts = frequency[list(ids)]
    if topic_tokens is None or not len(ids) or counts.sum() <= 0:
        return np.nan, None, np.nan
    joint = phi[:, list(ids)] * topic_tokens[:, None]          # ∝ p(topic, term)
    total = joint.sum(axis=0)
    share = np.divide(joint, total, out=np.zeros_like(joint), where=total > 0)   # p(topic | term)
    captured = share @ counts / counts.sum()
    best = int(np.argmax(captured))
    main = k if captured[k] >= captured[best] else best
    return float(captured[k]), main, float(captured[main])


def _check_coverage(themes: Mapping[str, Sequence[str]], vocabulary: Sequence[str]) -> None:
    vocab = set(vocabulary)
    for theme, terms in themes.items():
        unique = sorted(set(terms))
        if not any(t in vocab for t in unique):
            shown = ", ".join(unique[:5]) + (", ..." if len(unique) > 5 else "")
            raise ValueError(
                f"theme {theme}: none of its {len(unique)} seed terms is in the vocabulary ({shown}); "
                "none of them occurs in these documents (every seed term that occurs is kept, whatever min_df): "
                "choose other themes or edit the themes file (multiword terms joined by '_')")


def seeded_eta(
    themes: Mapping[str, Sequence[str]],
    vocabulary: Sequence[str],
    n_topics: int,
    *,
    seed_weight: float = 1.0,
    base_eta: float | None = None,
    off_weight: float = 0.01,
) -> tuple[np.ndarray, list[str]]:
    """The topic-word prior of a seeded model and its topic labels.

    Parameters
    ----------
    themes : mapping of theme name to list of tokens
    vocabulary : list of str
        The model's columns.
    n_topics : int
        Theme topics + free topics (at least ``len(themes)``).
    seed_weight : float
        Prior pseudo-count of a seed term in its theme's topic.
    base_eta : float, optional
        Every other cell (default ``1 / n_topics``, gensim's default).
    off_weight : float
        Multiplier of ``base_eta`` for a seed term in other theme topics.

    Returns
    -------
    eta : ndarray, shape (n_topics, V)
    labels : list of str
        Theme names, then ``topic_NN`` for the free topics.

    Raises
    ------
    ValueError
        When a theme has no seed term in the vocabulary.
    """
    if n_topics < len(themes):
        raise ValueError(f"n_topics={n_topics} is fewer than the {len(themes)} themes")
    _check_coverage(themes, vocabulary)
    base = 1.0 / n_topics if base_eta is None else float(base_eta)
    index = {t: i for i, t in enumerate(vocabulary)}
    eta = np.full((n_topics, len(vocabulary)), base)
    n_themes = len(themes)
    for k, terms in enumerate(themes.values()):
        ids = sorted({index[t] for t in terms if t in index})
        others = [j for j in range(n_themes) if j != k]
        for j in others:
            eta[j, ids] = np.minimum(eta[j, ids], base * off_weight)
    for k, terms in enumerate(themes.values()):
        ids = sorted({index[t] for t in terms if t in index})
        eta[k, ids] = seed_weight
    generic = default_labels(n_topics)
    labels = [str(t) for t in themes] + generic[n_themes:]
    return eta, labels


def check_n_topics(n_topics: int, n_themes: int) -> None:
    """Raise when a seeded model of ``n_topics`` topics cannot hold ``n_themes`` themes and one free topic."""
    if int(n_topics) < n_themes + 1:
        raise ValueError(f"n_topics={n_topics} cannot be honoured: {n_themes} seeded theme(s) need at least "
                         f"{n_themes + 1} topics (n_topics counts every topic, the seeded ones and at least one "
                         "free topic)")


def fit_seeded_lda(
    documents: Sequence[Sequence[str]],
    themes: Mapping[str, Sequence[str]],
    n_topics: int,
    *,
    random_state: int,
    seed_weight: float | None = None,
    min_df: int | float = MIN_DF,
    max_df: int | float = MAX_DF,
    keep_n: int | None = None,
    vocabulary: Sequence[str] | None = None,
    engine: str = "gensim",
    warn_not_held: bool = True,
    **kwargs,
) -> LdaResult:
    """LDA whose first topics are steered towards the given themes.

    A seed prior steers a topic but does not hold it: where the corpus has
    too few documents of a theme, the topic that carries the theme's name is
    about something else. Every seeded topic its seeds do not hold
    (:func:`seed_retention`, ``held`` false) is named in a warning on the
    ``toolkit.topics`` logger, with its words: read it by them, not by its name.

    Parameters
    ----------
    documents : list of list of str, or DataFrame
        Token lists or a token table (``doc_id``, ``tokens``; its ids become
        ``result.doc_ids``), as in :func:`~toolkit.topics.lda.fit_lda`.
    themes : mapping of theme name to list of tokens
    n_topics : int
        The total number of topics: the theme topics plus free topics (at
        least one), so at least ``len(themes) + 1``.
    random_state : int
    seed_weight : float, optional
        Pseudo-count of a seed term in its theme topic; by default a tenth of
        the mean number of tokens per topic per term (``0.1 * n_tokens /
        (n_topics * V)``, at least 1), so the prior keeps its weight as the
        corpus grows.
    min_df, max_df, keep_n
        Vocabulary filters; seed terms are always kept if they occur at all.
    vocabulary : list of str, optional
        Use these terms (plus the seed terms that occur) instead of filtering
        ``documents``' own: model selection on a sample of documents passes
        the whole corpus's vocabulary.
    engine : {"gensim", "tomotopy"}
    warn_not_held : bool
        Warn of the seeded topics their seeds do not hold (default). A caller
        that reports :func:`seed_retention` itself may turn it off.
    **kwargs
        Passed to :func:`~toolkit.topics.lda.fit_lda` (e.g. ``doc_ids``).
        With ``stream=True`` a re-iterable ``documents`` (e.g. read from disk)
        is never held in memory: it is read twice here (vocabulary, seed
        terms present) and then by the streamed fit.

    Returns
    -------
    LdaResult
        With ``topic_labels_`` (theme names first) and ``settings_["themes"]``.

    Raises
    ------
    ValueError
        When ``n_topics < len(themes) + 1``, or a theme has no seed term in
        the vocabulary.
    """
    check_n_topics(n_topics, len(themes))
    n_topics = int(n_topics)
    documents, doc_ids = _token_lists(documents, kwargs.pop("doc_ids", None))
    if not kwargs.get("stream"):  # a streamed corpus is re-read pass by pass, never held
        documents = documents if isinstance(documents, list) else [list(d) for d in documents]
    if vocabulary is None:
        vocabulary = build_vocabulary(documents, min_df=min_df, max_df=max_df, keep_n=keep_n).terms
    seeds = {t for terms in themes.values() for t in terms}
    present: set[str] = set()
    n_tokens = 0
    for doc in documents:
        present.update(t for t in doc if t in seeds)
        n_tokens += len(doc)
    vocabulary = sorted(set(vocabulary) | present)
    if seed_weight is None:
        seed_weight = max(1.0, 0.1 * n_tokens / (n_topics * max(len(vocabulary), 1)))
    eta, labels = seeded_eta(themes, vocabulary, n_topics, seed_weight=seed_weight,
                             base_eta=None if engine == "gensim" else 0.01)
    seed_topics = {k: list(terms) for k, terms in enumerate(themes.values())}
    result = fit_lda(documents, n_topics, random_state=random_state, engine=engine, eta=eta,
                     vocabulary=vocabulary, seed_topics=seed_topics, topic_labels=labels, doc_ids=doc_ids, **kwargs)
    result.settings_.update({"min_df": min_df, "max_df": max_df, "keep_n": keep_n, "seed_weight": float(seed_weight),
                             "themes": {str(k): sorted(set(v)) for k, v in themes.items()}})
    logger.info("seeded LDA: %d topics = %d theme topics + %d free, seed_weight=%.3g", n_topics, len(themes),
                n_topics - len(themes), seed_weight)
    if warn_not_held:
        _warn_not_held(result)
    return result


def _warn_not_held(result: LdaResult, n_words: int = 5) -> None:
    """A warning per seeded topic its seed terms do not hold (:func:`seed_retention`), naming its FREX words."""
    retention = seed_retention(result)
    if retention.empty or retention["held"].all():
        return
    from toolkit.topics.inspection import top_terms

    frex = top_terms(result, n_words, measure="frex")
    settings = result.settings_
    for row in retention[~retention["held"].astype(bool)].itertuples():
        words = ", ".join(str(t).replace("_", " ") for t in frex.loc[frex["topic"] == row.topic, "term"])
        logger.warning("seeded topic %s (its words: %s) is not held by its seed terms in this fit (K=%s, "
                       "random_state=%s): %s (toolkit.topics.seed_retention(result))", row.label, words,
                       settings.get("n_topics"), settings.get("random_state"), not_held_reason(row))
