"""The offline topic browser (our own pyLDAvis): the explorer with topics only.

:func:`topic_browser_html` returns one HTML string with no external assets —
no CDN, no fonts, no network — that a researcher can open from a USB stick or
attach to an e-mail. It is :func:`toolkit.report.explorer.explorer_html` given
the tables of one fitted model:

- an inter-topic map: topics placed by classical multidimensional scaling of
  the Jensen–Shannon distances between their term distributions (as LDAvis,
  :func:`toolkit.topics.intertopic.topic_map`), circle area ∝ prevalence;
- for the selected topic, its top terms ranked by relevance
  λ log φ_kw + (1 − λ) log(φ_kw / p_w) with a λ slider (re-ranked in the
  page from the embedded φ and p_w of candidate terms,
  :func:`toolkit.topics.intertopic.relevance_terms`), bars for the term's
  estimated count in the topic against its corpus count, and the topic's
  representative documents, each opening its text.

The output is deterministic (sorted JSON, rounded numbers, no timestamps), so
two calls on the same model give byte-identical files.
"""

from __future__ import annotations

import pandas as pd

from toolkit.report.explorer import explorer_html
from toolkit.topics.inspection import top_terms
from toolkit.topics.intertopic import jensen_shannon_distances, relevance_terms, topic_coordinates, topic_map

__all__ = ["topic_browser_html", "seeded_topic_labels", "topic_coordinates", "jensen_shannon_distances"]


def seeded_topic_labels(result, lang: str = "en") -> dict[str, str]:
    """Label → shown label of every seeded topic its seeds do not hold, marked as the report's figures mark it.

    ``"site_clearance"`` → ``"site_clearance (seed terms lost)"`` (or "seed
    terms mostly elsewhere"), from :func:`toolkit.topics.seed_retention` and
    :func:`toolkit.report.registry.seed_marks`; empty for an unseeded model
    or one whose seeded topics are all held. Pass it as ``topic_labels`` to
    :func:`toolkit.report.explorer.explorer_html`, so that a topic named
    after its theme is not read as the theme when the data took it elsewhere.
    """
    from toolkit.report.registry import marked_labels, seed_marks
    from toolkit.topics import seed_retention

    return marked_labels(seed_marks({"seed_retention": seed_retention(result)}), lang)


def topic_browser_html(
    result,
    documents: pd.DataFrame | None = None,
    *,
    n_terms: int = 30,
    lambda_: float = 0.6,
    n_docs: int = 3,
    title: str = "Topics",
) -> str:
    """An offline, self-contained interactive topic browser as one HTML string.

    Parameters
    ----------
    result : fitted topic model
        Uses ``topic_word_``, ``vocabulary_``, ``doc_topic_``,
        ``term_frequency_``, ``doc_lengths_``, ``topic_labels_``.
    documents : DataFrame, optional
        One row per document of ``result``, in the same order, with
        ``doc_id`` and optionally ``title``/``body``/``date``/``locality``;
        the ``n_docs`` documents with the highest share of each topic are
        embedded.
    n_terms : int
        Terms shown per topic.
    lambda_ : float
        Initial λ of the relevance slider.
    n_docs : int
        Representative documents per topic.
    title : str
        Page title.

    Returns
    -------
    str
        HTML5 with inline CSS, SVG, JSON and JavaScript; no external
        references. Identical across calls on the same inputs.
    """
    if not 0 <= lambda_ <= 1:
        raise ValueError(f"lambda_ must be in [0, 1], got {lambda_}")
    theta = result.doc_topic_
    n_model = len(theta)
    if documents is None:
        documents, n_docs = pd.DataFrame({"doc_id": [str(i) for i in range(n_model)]}), 0
    elif len(documents) != n_model:
        raise ValueError(f"documents has {len(documents)} rows but the model has {n_model} documents; "
                         "rows must be aligned with the model's documents")
    doc_topics = pd.DataFrame(theta, columns=[f"topic_{k}" for k in range(theta.shape[1])])
    doc_topics.insert(0, "doc_id", documents["doc_id"].astype(str).to_numpy())
    return explorer_html(
        documents, doc_topics=doc_topics, topic_map=topic_map(result),
        topic_relevance=relevance_terms(result, n_terms), topic_terms=top_terms(result, n_terms),
        topic_terms_frex=top_terms(result, n_terms, measure="frex"), topic_labels=seeded_topic_labels(result),
        n_terms=n_terms, lambda_=lambda_, n_top_docs=n_docs, max_docs_per_cell=max(n_docs, 1), title=title)
