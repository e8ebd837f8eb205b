"""The whole-run benchmark's own logic: sizes, sample tables, scaling verdicts (no pipeline run here)."""

from __future__ import annotations

import gzip
import json
import time

import numpy as np
import pytest

from bench import real
from bench.real import RealCorpus, per_million_rows, real_sizes, scaling_rows, write_sample_table


@pytest.mark.parametrize("setting, quick, sizes", [
    ("", False, (10_000, None)),
    ("", True, (2_000, 5_000)),
    ("quick", False, (2_000, 5_000)),
    ("full", True, (10_000, None)),
    ("off", False, ()),
    ("10000,22000", False, (10_000, 22_000)),
    ("10_000, full", False, (10_000, None)),
])
def test_sizes_of_bench_real(setting, quick, sizes):
    assert real_sizes(quick, setting) == sizes


@pytest.mark.parametrize("setting", ["ten", "-5", "0,5", "10000;20000"])
def test_a_wrong_size_names_the_knob(setting):
    with pytest.raises(ValueError, match="BENCH_REAL"):
        real_sizes(setting=setting)


def test_unknown_corpus_is_an_error():
    with pytest.raises(ValueError, match="known: baomoi, vntc"):
        real.present_corpora("vntc,dantri")


def _corpus(tmp_path, n=50) -> RealCorpus:
    path = tmp_path / "news.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": f"a{i}", "category": "Xã hội",
                                 "text": f"Bài {i}: Ủy ban nhân dân xã họp bàn công tác dân vận."},
                                ensure_ascii=False) + "\n")
    return RealCorpus("news", path, ("id", "text"), "text")


def _ids(path):
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]


def test_sample_is_seeded_keeps_order_and_only_the_named_columns(tmp_path):
    corpus = _corpus(tmp_path)
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    assert write_sample_table(corpus, 20, a, random_state=1) == 20
    write_sample_table(corpus, 20, b, random_state=1)
    write_sample_table(corpus, 20, c, random_state=2)
    ids = _ids(a)
    assert ids == _ids(b) != _ids(c)
    assert ids == sorted(ids, key=lambda s: int(s[1:]))       # the corpus' order
    assert ids != [f"a{i}" for i in range(20)]               # a random sample, not the first rows
    record = json.loads(a.read_text(encoding="utf-8").splitlines()[0])
    assert set(record) == {"id", "text"} and "Ủy ban" in record["text"]


@pytest.mark.parametrize("n", [None, 50, 80])
def test_the_whole_corpus_when_asked_or_too_small(tmp_path, n):
    target = tmp_path / "all.jsonl"
    assert write_sample_table(_corpus(tmp_path), n, target) == 50
    assert _ids(target) == [f"a{i}" for i in range(50)]


def _run(corpus, docs, stages):
    return {"corpus": corpus, "docs": docs,
            "stages": {name: {"wall_s": t, "peak_mb": m, "rise_mb": 0.0} for name, (t, m) in stages.items()}}


@pytest.mark.parametrize("large_select, met", [((35.0, 900.0), True), ((90.0, 900.0), False), ((35.0, 5000.0), False)])
def test_scaling_compares_smallest_and_largest_run_per_stage(large_select, met):
    runs = [_run("vntc", 10_000, {"ingest": (10.0, 400.0), "select": (10.0, 500.0)}),
            _run("vntc", 20_000, {"ingest": (15.0, 420.0), "select": (25.0, 700.0)}),
            _run("vntc", 40_000, {"ingest": (30.0, 450.0), "select": large_select}),
            _run("baomoi", 10_000, {"ingest": (5.0, 300.0)})]
    rows = scaling_rows(runs)
    assert [(r["corpus"], r["stage"]) for r in rows] == [("vntc", "ingest"), ("vntc", "select")]
    ingest, select = rows
    assert ingest["docs"] == (10_000, 40_000) and ingest["docs_ratio"] == 4.0
    assert ingest["time_ratio"] == 3.0 and ingest["memory_ratio"] == 1.12 and ingest["met"]
    assert select["time_ratio"] == round(large_select[0] / 10.0, 2)
    assert select["met"] is met


def test_scaling_of_row_stages_is_against_the_rows_read():
    """Ingest and preprocessing work on every row read (reposts too); later stages on the analysed documents."""
    def run(rows, docs, preprocess_s, topics_s):
        return {**_run("vntc", docs, {"preprocess": (preprocess_s, 900.0), "topics": (topics_s, 900.0)}), "rows": rows}

    # 84,132 rows, 80,215 documents: preprocessing ×8.9 is linear in rows (×8.41 × 1.10), not in documents
    rows = {r["stage"]: r for r in scaling_rows([run(10_000, 9_933, 17.0, 60.0), run(84_132, 80_215, 151.6, 480.0)])}
    assert rows["preprocess"]["unit"] == "rows" and rows["preprocess"]["docs"] == (10_000, 84_132)
    assert rows["preprocess"]["docs_ratio"] == 8.41 and rows["preprocess"]["met"]
    assert rows["topics"]["unit"] == "documents" and rows["topics"]["docs_ratio"] == 8.08
    assert rows["topics"]["met"]  # ×8.0 against documents ×8.08
    # CPU seconds are reported beside wall time when the runs have them
    assert np.isnan(rows["preprocess"]["cpu_ratio"])


def test_every_summary_row_of_the_whole_runs_prints():
    """The summary at the end of ``make bench`` formats every row the whole-run case adds (it once
    stopped there with a KeyError on the per-million rows, which have no target)."""
    from bench.__main__ import _fmt

    runs = [{**_run("vntc", docs, {"ingest": (t, 500.0), "topics": (2 * t, 800.0)}), "rows": docs + 400,
             "wall_s": 3 * t, "cpu_s": 4 * t} for docs, t in ((10_000, 30.0), (80_000, 250.0))]
    for run in runs:
        for stage in run["stages"].values():
            stage["cpu_s"] = stage["wall_s"] * 1.1
    pairs = real.summary_rows(runs)
    assert {row["name"] for _, row in pairs} >= {"scaling[vntc] ingest", "per million[vntc] whole run"}
    for line, row in pairs:
        text = _fmt(row)
        assert row["name"] in text and line
        assert ("met" in text) is ("met" in row)  # a verdict only where there is a target
    ingest = _fmt(next(row for _, row in pairs if row["name"] == "scaling[vntc] ingest"))
    assert "rows ×7.73" in ingest and "cpu ×8.33" in ingest and ingest.endswith("[time and peak memory ≤ rows' ratio: met]")


def test_per_million_documents_comes_from_the_largest_whole_run():
    runs = [{**_run("vntc", 10_000, {"ingest": (60.0, 400.0)}), "wall_s": 100.0, "cpu_s": 150.0},
            {**_run("vntc", 80_000, {"ingest": (300.0, 900.0), "themes": (120.0, 900.0)}), "wall_s": 1200.0,
             "cpu_s": 1500.0}]
    rows = {r["stage"]: r for r in per_million_rows(runs)}
    assert set(rows) == {"ingest", "themes", "whole run"} and rows["ingest"]["docs"] == 80_000
    assert rows["ingest"]["wall_min_per_million"] == round(300.0 / 80_000 * 1e6 / 60, 1)  # 62.5 min
    assert rows["whole run"]["wall_min_per_million"] == 250.0 and rows["whole run"]["cpu_min_per_million"] == 312.5


def test_stage_memory_follows_the_pipelines_stage_records():
    import logging

    log = logging.getLogger("toolkit.pipeline")
    with real._StageMemory() as memory:
        log.info("stage %s …", "ingest", extra={"stage": "ingest"})
        # CPU inside the stage: at least 50 ms, whatever the machine's speed (psutil counts 10 ms clock ticks;
        # a fixed loop of 300,000 squares once took less than one tick on CI)
        started = time.process_time()
        while time.process_time() - started < 0.05:
            sum(i * i for i in range(10_000))
        log.info("stage %s: done", "ingest", extra={"stage_done": "ingest"})
        log.info("stage %s …", "themes", extra={"stage": "themes"})
    assert {"ingest", "other", "themes"} <= set(memory.peaks)
    assert memory.peaks["ingest"] > 10  # MB of this Python process at least
    assert memory.peak == max(memory.peaks.values())
    assert memory.cpu["ingest"] > 0
    assert memory.current == "other"  # the run's end closes the last stage
    assert memory not in logging.getLogger("toolkit").handlers
