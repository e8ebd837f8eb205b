"""Topic models: LDA fitting, choice of the number of topics, seeded topics, metrics.

Modules: :mod:`~toolkit.topics.lda` (fitting, :class:`LdaResult`),
:mod:`~toolkit.topics.select` (number of topics), :mod:`~toolkit.topics.seeded`
(theme-guided topics), :mod:`~toolkit.topics.metrics` (coherence, exclusivity,
diversity, held-out fit, stability), :mod:`~toolkit.topics.effects` (prevalence
and covariate effects: :class:`TopicEffects`), :mod:`~toolkit.topics.inspection` (top terms,
representative documents, correlations), :mod:`~toolkit.topics.persist`
(save/load), :mod:`~toolkit.topics.uncertainty` (refits at several seeds and
their matched topics, split samples), :mod:`~toolkit.topics.synthetic` (planted
corpora for tests), :mod:`~toolkit.topics.dmr` (covariates inside the model:
DMR/GDMR), :mod:`~toolkit.topics.compare` (DMR against post-hoc effects on
planted corpora) and :mod:`~toolkit.topics.intrusion` (word- and topic-intrusion tasks).
"""

from toolkit.topics.dmr import dmr_coefficients, dmr_prevalence, fit_dmr
from toolkit.topics.effects import TopicEffects, estimate_effects, prevalence_by_group
from toolkit.topics.inspection import representative_documents, top_terms, topic_correlations
from toolkit.topics.intrusion import score_intrusion, topic_intrusion_sheet, word_intrusion_sheet
from toolkit.topics.lda import LdaResult, fit_lda, infer_doc_topic
from toolkit.topics.metrics import (
    exclusivity,
    gensim_coherence,
    heldout_loglik,
    stability,
    topic_coherence,
    topic_diversity,
)
from toolkit.topics.persist import load_result, save_result
from toolkit.topics.seeded import (
    RETENTION_TOP_N, check_n_topics, fit_seeded_lda, seed_coverage, seed_retention, seeded_eta,
)
from toolkit.topics.select import SelectionResult, select_n_topics
from toolkit.topics.synthetic import SyntheticCorpus, generate_lda_corpus, match_topics, recovery_score
from toolkit.topics.uncertainty import apply_model, match_refits, refit_models, split_sample

__all__ = [
    "dmr_coefficients", "dmr_prevalence", "fit_dmr", "score_intrusion", "topic_intrusion_sheet",
    "word_intrusion_sheet",
    "LdaResult", "SelectionResult", "SyntheticCorpus", "TopicEffects", "apply_model", "check_n_topics",
    "estimate_effects", "exclusivity", "fit_lda", "fit_seeded_lda", "generate_lda_corpus", "gensim_coherence",
    "heldout_loglik", "infer_doc_topic", "load_result", "match_refits", "match_topics", "prevalence_by_group",
    "recovery_score", "refit_models", "representative_documents", "save_result", "seed_coverage", "seed_retention",
    "seeded_eta", "select_n_topics", "split_sample", "stability", "top_terms", "topic_coherence", "topic_correlations",
    "topic_diversity",
]
