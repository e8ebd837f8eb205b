"""Theme stage: dictionary themes, their hits and shares, terms in context, validation.

Modules: :mod:`~toolkit.themes.dictionary` (the researcher-edited themes file,
its sense rules, and the hits of each document), :mod:`~toolkit.themes.shares`
(shares per locality and year with intervals), :mod:`~toolkit.themes.concordance`
(terms in context in the original text) and :mod:`~toolkit.themes.validate`
(human coding: samples, scores, agreement, supervised classifiers, the
project's labelled development set).
"""

from toolkit._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "ThemeDictionary": "toolkit.themes.dictionary",
    "load_themes": "toolkit.themes.dictionary",
    "themes_from_mapping": "toolkit.themes.dictionary",
    "theme_hits": "toolkit.themes.dictionary",
    "theme_hits_batched": "toolkit.themes.dictionary",
    "document_matches": "toolkit.themes.dictionary",
    "validate_themes": "toolkit.themes.dictionary",
    "proportion_interval": "toolkit.themes.shares",
    "theme_shares": "toolkit.themes.shares",
    "kwic": "toolkit.themes.concordance",
    "theme_kwic": "toolkit.themes.concordance",
    "validation_sample": "toolkit.themes.validate",
    "score_sheet": "toolkit.themes.validate",
    "agreement": "toolkit.themes.validate",
    "term_table": "toolkit.themes.validate",
    "train_classifier": "toolkit.themes.validate",
    "classifier_hits": "toolkit.themes.validate",
    "classifier_columns": "toolkit.themes.validate",
    "training_overlap": "toolkit.themes.validate",
    "ThemeClassifier": "toolkit.themes.validate",
    "dictionary_quality": "toolkit.themes.validate",
    "read_devset": "toolkit.themes.validate",
    "devset_labels": "toolkit.themes.validate",
    "majority_labels": "toolkit.themes.validate",
    "heldout_rounds": "toolkit.themes.validate",
})
