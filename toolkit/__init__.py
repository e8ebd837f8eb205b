"""Topic modeling and discourse analysis of Vietnamese political text.

Data flows one way, one package or module per stage::

    collect -> ingest -> text -> themes / keyness / topics -> report
    (pages)    (table)   (tokens)  (analyses: tidy tables)     (figures, pages)

with ``pipeline`` running the stages of ``make figures`` and ``cli`` the
command line. Library functions compute on pandas DataFrames and arrays; only
``corpus`` (tables on disk), ``collect``/``ingest`` (reading inputs), the
``report`` writers and the CLI touch the disk.

The main verbs are available here, imported on first use (``import toolkit``
loads no heavy library)::

    import toolkit
    docs = toolkit.ingest(["pages/"])                 # raw pages -> document table
    tokens = toolkit.preprocess(docs)                 # -> token table
    hits = toolkit.theme_hits(tokens, toolkit.load_themes(), docs)
    shares = toolkit.theme_shares(hits, docs, by=("locality", "year"), random_state=0)
    model = toolkit.fit_lda(tokens["tokens"], n_topics=12, random_state=0)

``help(toolkit)`` lists them all (``toolkit.__all__``); the README's "Python
API" table says what each returns.
"""

import logging

from toolkit._lazy import attach

__version__ = "0.1.0"

logging.getLogger("toolkit").addHandler(logging.NullHandler())

#: The front door: name -> module that defines it.
VERBS = {
    # configuration and tables on disk
    "load_config": "toolkit.config",
    "read_table": "toolkit.corpus",
    "write_table": "toolkit.corpus",
    "read_documents": "toolkit.corpus",
    "apply_repost_policy": "toolkit.corpus",
    # the demo corpus
    "load_demo": "toolkit.pipeline",
    "simulate_corpus": "toolkit.simulate",
    # collect and ingest: ``toolkit.collect(...)`` and ``toolkit.ingest(...)`` call the packages
    # text
    "normalize": "toolkit.text.normalize",
    "preprocess": "toolkit.text.preprocess",
    "get_tokenizer": "toolkit.text.segment",
    "build_vocabulary": "toolkit.text.vocabulary",
    "document_term_matrix": "toolkit.text.vocabulary",
    "tfidf_matrix": "toolkit.text.vocabulary",
    "discover_collocations": "toolkit.text.collocations",
    # themes
    "load_themes": "toolkit.themes.dictionary",
    "theme_hits": "toolkit.themes.dictionary",
    "theme_shares": "toolkit.themes.shares",
    "kwic": "toolkit.themes.concordance",
    "validation_sample": "toolkit.themes.validate",
    "score_sheet": "toolkit.themes.validate",
    "train_classifier": "toolkit.themes.validate",
    # keyness
    "keyness_table": "toolkit.keyness",
    "tfidf_top_terms": "toolkit.keyness",
    # topics
    "fit_lda": "toolkit.topics.lda",
    "fit_seeded_lda": "toolkit.topics.seeded",
    "select_n_topics": "toolkit.topics.select",
    "top_terms": "toolkit.topics.inspection",
    "representative_documents": "toolkit.topics.inspection",
    "estimate_effects": "toolkit.topics.effects",
    "prevalence_by_group": "toolkit.topics.effects",
    # report and the whole run
    "run_pipeline": "toolkit.pipeline",
    # your own study: a study folder, the dry run, defaults that fit the corpus
    "init_study": "toolkit.study.scaffold",
    "check_run": "toolkit.study.check",
    "adapt_defaults": "toolkit.study.adapt",
}

_getattr, __dir__, __all__ = attach(__name__, VERBS)
#: Stage packages that are also their stage's verb: ``toolkit.collect(seeds, out)``, ``toolkit.ingest(paths)``.
CALLABLE_PACKAGES = ("collect", "ingest")
__all__ = [*CALLABLE_PACKAGES, *__all__]


def __getattr__(name: str):
    if name in CALLABLE_PACKAGES:  # the subpackage, callable (see its __init__)
        import importlib

        return importlib.import_module(f"toolkit.{name}")
    return _getattr(name)
