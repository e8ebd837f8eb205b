"""Text stage: document text → normalized, word-segmented tokens → vocabulary.

Modules: :mod:`~toolkit.text.normalize` (``str -> str`` steps: encoding repair,
NFC, new-style tone marks, abbreviations, typos), :mod:`~toolkit.text.segment`
(pyvi word segmentation with protected multiword terms, stopwords, person
names), :mod:`~toolkit.text.crf` (an exact fast replay of pyvi's CRF
segmenter), :mod:`~toolkit.text.preprocess` (the token table of a document
table: streaming, parallel, cached), :mod:`~toolkit.text.vocabulary` (the
one vocabulary and document–term matrix every analysis uses, TF-IDF) and
:mod:`~toolkit.text.collocations` (candidate multiword terms for the lexicon).
"""

from toolkit._lazy import attach

# ``normalize`` and ``preprocess`` are both modules here and functions inside them: the
# functions are ``toolkit.normalize`` / ``toolkit.preprocess`` (the front door) or
# ``toolkit.text.normalize.normalize`` / ``toolkit.text.preprocess.preprocess``.

__getattr__, __dir__, __all__ = attach(__name__, {
    "make_normalizer": "toolkit.text.normalize",
    "Tokenizer": "toolkit.text.segment",
    "TokenizerConfig": "toolkit.text.segment",
    "get_tokenizer": "toolkit.text.segment",
    "iter_preprocess": "toolkit.text.preprocess",
    "vocabulary_report": "toolkit.text.preprocess",
    "MIN_DF": "toolkit.text.vocabulary",
    "MAX_DF": "toolkit.text.vocabulary",
    "Vocabulary": "toolkit.text.vocabulary",
    "TermCounter": "toolkit.text.vocabulary",
    "build_vocabulary": "toolkit.text.vocabulary",
    "build_dictionary": "toolkit.text.vocabulary",
    "document_term_matrix": "toolkit.text.vocabulary",
    "tfidf_matrix": "toolkit.text.vocabulary",
    "tfidf_weights": "toolkit.text.vocabulary",
    "discover_collocations": "toolkit.text.collocations",
})
