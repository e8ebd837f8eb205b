"""Progress a researcher can see: stage durations in the log, an early rough forecast of a long run."""

from __future__ import annotations

import logging
from dataclasses import replace

import pandas as pd
import pytest

from toolkit.config import CorpusConfig, PreprocessConfig, RunConfig, TopicsConfig
from toolkit.pipeline import RunSummary, _announce, _duration, _Timer, expected_cost

TEXT = "Ban Dân vận Huyện ủy tổ chức hội nghị giao ban công tác dân vận quý III năm 2024. "


def _documents(n: int, repeat: int = 1) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(n)], "title": "Giao ban công tác dân vận",
                         "body": TEXT * repeat})


def _config(grid=(8, 12, 16), seeds=(0, 1, 2), n_topics=0, n_jobs=2) -> RunConfig:
    return RunConfig(corpus=CorpusConfig(simulate=False, paths=("pages",)),
                     preprocess=PreprocessConfig(n_jobs=n_jobs),
                     topics=TopicsConfig(n_topics_grid=grid, random_states=seeds, n_topics=n_topics))


@pytest.mark.parametrize("seconds, said", [(4.24, "4.2 s"), (89.0, "89.0 s"), (150, "2.5 min"), (7200, "2.0 h")])
def test_duration_reads_as_a_person_says_it(seconds, said):
    assert _duration(seconds) == said


@pytest.mark.parametrize("grid, seeds, n_topics, fits", [
    ((8, 12, 16), (0, 1, 2), 0, "= 9 fits + the final model"),
    ((8, 12), (0, 1), 0, "= 4 fits + the final model"),
    ((), (0, 1, 2), 10, "× 1 model (no model selection)"),
])
def test_forecast_names_documents_grid_seeds_and_fits(grid, seeds, n_topics, fits):
    seconds, sentence = expected_cost(_config(grid, seeds, n_topics), _documents(40))
    assert sentence.startswith("40 documents (~")
    assert fits in sentence
    assert "rough" in sentence
    assert seconds > 0


def test_forecast_grows_with_documents_length_and_fits():
    config = _config()
    base, _ = expected_cost(config, _documents(100))
    assert expected_cost(config, _documents(1000))[0] > 5 * base
    assert expected_cost(config, _documents(100, repeat=10))[0] > 5 * base
    assert expected_cost(_config(grid=(8,), seeds=(0,)), _documents(100))[0] < base
    # more processes: less time (segmentation and fits run in parallel)
    assert expected_cost(_config(n_jobs=1), _documents(100))[0] > base


def test_forecast_counts_the_sampled_selection_on_its_sample():
    sampled = _config()
    full = RunConfig(corpus=sampled.corpus, preprocess=sampled.preprocess,
                     topics=replace(sampled.topics, selection="full"))
    docs = _documents(20_000)
    seconds, sentence = expected_cost(sampled, docs)
    full_seconds, full_sentence = expected_cost(full, docs)
    assert "9 fits on a sample of 5000 documents" in sentence and "sample" not in full_sentence
    assert seconds < full_seconds / 2
    # a corpus smaller than the sample is fitted whole either way
    assert expected_cost(sampled, _documents(100))[0] == expected_cost(full, _documents(100))[0]


def test_empty_corpus_forecasts_nothing():
    seconds, sentence = expected_cost(_config(), _documents(0))
    assert seconds == 0 and sentence.startswith("0 documents")


@pytest.mark.parametrize("n_docs, repeat, level", [(10, 1, logging.INFO), (200_000, 30, logging.WARNING)])
def test_a_long_run_warns_early(caplog, n_docs, repeat, level):
    with caplog.at_level(logging.INFO, logger="toolkit"):
        _announce(_config(), _documents(n_docs, repeat))
    (record,) = [r for r in caplog.records if "expect about" in r.getMessage()]
    assert record.levelno == level


def test_a_stage_logs_its_start_and_duration(caplog):
    summary = RunSummary(output_dir=None)
    with caplog.at_level(logging.INFO, logger="toolkit"):
        with _Timer(summary, "themes"):
            pass
    start = [r for r in caplog.records if getattr(r, "stage", None) == "themes"]
    done = [r for r in caplog.records if getattr(r, "stage_done", None) == "themes"]
    assert len(start) == 1 and len(done) == 1
    assert done[0].getMessage() == f"stage themes: {_duration(summary.timings['themes'])}"
    assert set(summary.timings) == {"themes"}


def test_forecast_of_a_run_fitting_no_topic_model_counts_no_fit():
    # walk 16: a run whose [figures] include names no topic figure was forecast "9 fits + the final model"
    from dataclasses import replace

    from toolkit.config import FiguresConfig

    config = _config()
    themes_only = replace(config, figures=FiguresConfig(include=("theme_trends",)))
    with_topics, _ = expected_cost(config, _documents(400))
    seconds, sentence = expected_cost(themes_only, _documents(400))
    assert "no topic model" in sentence and "fits" not in sentence
    assert seconds < with_topics / 3
