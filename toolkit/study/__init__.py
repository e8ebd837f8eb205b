"""Your own study: a study folder, a dry run, and defaults that fit the corpus.

* :mod:`toolkit.study.scaffold` — ``python -m toolkit init DIR``: a study
  folder with a documented config generated from :mod:`toolkit.config`;
* :mod:`toolkit.study.check` — ``python -m toolkit check --config FILE``:
  what a run will read, choose, make and cost, and the errors that would
  stop it (the pipeline runs the same checks first);
* :mod:`toolkit.study.adapt` — :func:`adapt_defaults`: the effects formula,
  periods, keyness groups, K grid and figures chosen to fit the corpus
  where the config leaves them unset.
"""

from toolkit.study.adapt import adapt_defaults, choices_paragraph, figure_plan
from toolkit.study.check import CheckReport, check_run, config_problems, corpus_problems, raise_problems
from toolkit.study.scaffold import config_template, init_study, study_config

__all__ = ["CheckReport", "adapt_defaults", "check_run", "choices_paragraph", "config_problems", "config_template",
           "corpus_problems", "figure_plan", "init_study", "raise_problems", "study_config"]
