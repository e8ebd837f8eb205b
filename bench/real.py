"""Whole-run benchmarks on real text: ``make figures``' pipeline on the shared news corpora.

For each corpus of ``../shared/corpora`` that is present (vntc: 84k articles,
fields ``id, text``, undated, localities only in the text; baomoi: 35k
articles, ``id, title, sapo, body``), a seeded random sample of ``n`` rows is
written to a JSON Lines table in a temporary folder (never in the checkout),
and :func:`toolkit.pipeline.run_pipeline` runs on it cold, as a new user's
study would (a config that names the table and leaves the adaptive settings
unset), in a fresh process. Reported per run:

- per-stage wall time (``RunSummary.timings``; ``other`` is the rest of the
  run, e.g. the theme-quality table and the checks) and CPU seconds of the
  process tree (steadier than wall time on a loaded machine);
- per-stage peak memory: the resident memory of the whole process tree
  (the run and its worker processes) sampled every 0.2 s, highest value while
  the stage ran, and ``rise_mb``, how far it rose above the value at the
  stage's start;
- output sizes: rows of every table in ``reports/tables``, bytes of
  ``reports/`` (figures, tables, report page);
- scaling from the smallest to the largest size of the same corpus: time
  (wall, and CPU beside it) and peak-memory ratio per stage beside the ratio
  of its input (rows read for ingest and preprocessing, documents analysed
  after; at most linear is the target), and whole-run peak memory under 4 GB
  at the largest size.

Sizes: ``BENCH_REAL`` = ``full`` (default: 10,000 and the whole corpus),
``quick`` (2,000 and 5,000: a smoke test; also ``python -m bench --quick``),
``off``, or a comma list of document counts and ``full`` (``10000,22000``).
``BENCH_REAL_CORPORA`` = comma list of corpus names (default: every one present).
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from toolkit.config import SHARED_DIR


@dataclass(frozen=True)
class RealCorpus:
    """A real news table of ``../shared/corpora`` and how the pipeline reads it."""

    name: str
    path: Path
    #: Columns copied to the benchmark table (the rest of the record is left out).
    columns: tuple[str, ...]
    text_field: str
    title_field: str = ""


CORPORA = {
    "vntc": RealCorpus("vntc", SHARED_DIR / "corpora" / "vntc" / "vntc_10topics.jsonl.gz", ("id", "text"), "text"),
    "baomoi": RealCorpus("baomoi", SHARED_DIR / "corpora" / "baomoi-2017" / "baomoi_vn_news.jsonl.gz",
                         ("id", "title", "sapo", "body"), "sapo,body", "title"),
}
FULL_SIZES: tuple[int | None, ...] = (10_000, None)  # None: the whole corpus
QUICK_SIZES: tuple[int | None, ...] = (2_000, 5_000)
#: Whole-run peak memory target at the largest size (issue #17).
MEMORY_TARGET_MB = 4096
#: A stage's time or memory may grow by the documents' ratio times this (noise of a shared machine).
LINEAR_TOLERANCE = 1.10
SAMPLE_SECONDS = 0.2


def real_sizes(quick: bool = False, setting: str | None = None) -> tuple[int | None, ...]:
    """The sizes of ``BENCH_REAL`` (``setting``; default: the environment), ``None`` = the whole corpus.

    >>> real_sizes(setting="quick"), real_sizes(setting="10000,full"), real_sizes(setting="off")
    ((2000, 5000), (10000, None), ())
    """
    setting = (os.environ.get("BENCH_REAL", "") if setting is None else setting).strip().lower()
    if not setting:
        return QUICK_SIZES if quick else FULL_SIZES
    if setting == "quick":
        return QUICK_SIZES
    if setting == "full":
        return FULL_SIZES
    if setting in ("off", "0", "no"):
        return ()
    sizes = []
    for part in setting.split(","):
        part = part.strip().replace("_", "")
        if part == "full":
            sizes.append(None)
        elif part.isdigit() and int(part) > 0:
            sizes.append(int(part))
        else:
            raise ValueError(f"BENCH_REAL={setting!r}: use quick, full, off or document counts like 10000,22000,full")
    return tuple(sizes)


def present_corpora(setting: str | None = None) -> list[RealCorpus]:
    """The corpora of ``BENCH_REAL_CORPORA`` (default: all) whose file is present, in name order."""
    setting = os.environ.get("BENCH_REAL_CORPORA", "") if setting is None else setting
    names = [n.strip() for n in setting.split(",") if n.strip()] or sorted(CORPORA)
    unknown = sorted(set(names) - set(CORPORA))
    if unknown:
        raise ValueError(f"BENCH_REAL_CORPORA: unknown {', '.join(unknown)}; known: {', '.join(sorted(CORPORA))}")
    return [CORPORA[n] for n in sorted(names) if CORPORA[n].path.exists()]


def count_rows(path: Path) -> int:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return sum(1 for _ in fh)


def write_sample_table(corpus: RealCorpus, n: int | None, target: Path, *, random_state: int = 0) -> int:
    """Write a seeded random sample of ``n`` rows of ``corpus`` (``None``: every row) to ``target`` (JSONL).

    The sample keeps the corpus' row order; rows are drawn at random because
    the files are sorted by category. Returns the number of rows written.
    """
    total = count_rows(corpus.path)
    if n is None or n >= total:
        keep = None
    else:
        keep = set(np.random.default_rng(random_state).choice(total, size=n, replace=False).tolist())
    written = 0
    tmp = target.with_name(target.name + ".tmp")
    with gzip.open(corpus.path, "rt", encoding="utf-8") as src, tmp.open("w", encoding="utf-8") as out:
        for i, line in enumerate(src):
            if keep is not None and i not in keep:
                continue
            record = json.loads(line)
            out.write(json.dumps({c: record.get(c) for c in corpus.columns}, ensure_ascii=False) + "\n")
            written += 1
    os.replace(tmp, target)
    return written


class _StageMemory(logging.Handler):
    """Peak resident memory and CPU seconds of this process and its children per pipeline stage.

    The pipeline logs the start of each stage with ``extra={"stage": name}``
    and its end with ``extra={"stage_done": name}``; a thread samples the
    process tree's RSS and keeps the maximum per stage (``other`` between
    stages). CPU seconds per stage: the tree's CPU time at each boundary
    (steadier than wall time on a shared machine).
    """

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        import psutil

        self.process = psutil.Process()
        self.current = "start"
        self.peaks: dict[str, float] = {}
        self.starts: dict[str, float] = {}
        self.peak = 0.0
        self.cpu: dict[str, float] = {}
        self._cpu_mark = self.tree_cpu()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def tree_mb(self) -> float:
        import psutil

        total = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.Error:  # a worker that just ended
                pass
        return total / 2**20

    def tree_cpu(self) -> float:
        """CPU seconds of this process and its descendants, live or ended (forkserver workers included)."""
        from bench.harness import descendants_cpu

        own = self.process.cpu_times()
        return own.user + own.system + own.children_user + own.children_system + descendants_cpu()

    def _switch(self, stage: str) -> None:
        cpu = self.tree_cpu()
        self.cpu[self.current] = self.cpu.get(self.current, 0.0) + cpu - self._cpu_mark
        self._cpu_mark = cpu
        mb = self.tree_mb()
        self.current = stage
        self.starts.setdefault(stage, mb)
        self._note(mb)

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "stage", None):
            self._switch(record.stage)
        elif getattr(record, "stage_done", None):
            self._switch("other")

    def _note(self, mb: float) -> None:
        stage = self.current
        self.peaks[stage] = max(self.peaks.get(stage, 0.0), mb)
        self.peak = max(self.peak, mb)

    def _loop(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._note(self.tree_mb())

    def __enter__(self):
        log = logging.getLogger("toolkit")
        self._level = log.level
        log.setLevel(logging.INFO)
        log.addHandler(self)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._switch("other")
        self._stop.set()
        self._thread.join()
        log = logging.getLogger("toolkit")
        log.removeHandler(self)
        log.setLevel(self._level)


def output_sizes(out: Path) -> dict:
    """Rows of every table (Parquet metadata) and bytes of ``reports/`` and its parts."""
    import pyarrow.parquet as pq

    rows = {p.stem: pq.read_metadata(p).num_rows for p in sorted((out / "tables").glob("*.parquet"))}
    files = [p for p in out.rglob("*") if p.is_file()]

    def size(part: str) -> int:
        return sum(p.stat().st_size for p in files if p.relative_to(out).parts[0] == part)
    return {"table_rows": rows, "reports_bytes": sum(p.stat().st_size for p in files),
            "figures_bytes": size("figures"), "tables_bytes": size("tables"),
            "n_figure_files": sum(1 for p in files if p.relative_to(out).parts[0] == "figures")}


def whole_run(corpus: str, n: int | None, workdir: str):
    """Set-up: the sample table of ``corpus``; timed: ``run_pipeline`` on it, cold (see the module)."""
    from toolkit.config import CorpusConfig, RunConfig
    from toolkit.pipeline import run_pipeline

    spec = CORPORA[corpus]
    work = Path(workdir)
    table = work / f"{corpus}.jsonl"
    n_rows = write_sample_table(spec, n, table)
    config = RunConfig(name=f"bench-{corpus}-{n_rows}", random_state=0,
                       corpus=CorpusConfig(simulate=False, paths=(str(table),), text_field=spec.text_field,
                                           title_field=spec.title_field, id_field="id"))

    def run():
        start = time.perf_counter()
        with _StageMemory() as memory:
            summary = run_pipeline(config, output_dir=work / "reports", cache_dir=work / "cache")
        wall = time.perf_counter() - start
        timings = dict(summary.timings)
        timings["other"] = round(max(0.0, wall - sum(timings.values())), 3)
        memory.cpu["other"] = memory.cpu.get("other", 0.0) + memory.cpu.pop("start", 0.0)
        stages = {stage: {"wall_s": seconds, "cpu_s": round(memory.cpu.get(stage, 0.0), 1),
                          "peak_mb": round(max(memory.peaks.get(stage, 0.0),
                                               memory.peaks.get("start", 0.0) if stage == "other" else 0.0), 1),
                          "rise_mb": round(memory.peaks.get(stage, 0.0) - memory.starts.get(stage, 0.0), 1)}
                  for stage, seconds in timings.items()}
        return {"corpus": corpus, "rows": n_rows, "docs": summary.n_documents, "n_topics": summary.n_topics,
                "stages": stages, "tree_peak_mb": round(memory.peak, 1), **output_sizes(work / "reports")}
    return run


#: Stages that work on every row read (reposts and rejects included); later stages work on the
#: documents analysed, so their growth is compared with that count.
ROW_STAGES = ("ingest", "preprocess")


def scaling_rows(runs: list[dict]) -> list[dict]:
    """Smallest against largest run of each corpus: per-stage time and memory ratios against the input's.

    A stage's input is the rows read for :data:`ROW_STAGES` (when the runs
    record ``rows``) and the documents analysed for the others: vntc's
    84,132 rows are 80,215 documents once reposts are set aside, and
    preprocessing segments all 84,132. ``cpu_ratio`` (process-tree CPU
    seconds) is reported beside the wall-time ratio; the target is judged
    on wall time and peak memory.
    """
    out = []
    for corpus in sorted({r["corpus"] for r in runs}):
        mine = sorted((r for r in runs if r["corpus"] == corpus), key=lambda r: r["docs"])
        if len(mine) < 2:
            continue
        small, large = mine[0], mine[-1]
        for stage in [s for s in large["stages"] if s in small["stages"]]:
            unit = "rows" if stage in ROW_STAGES and small.get("rows") and large.get("rows") else "docs"
            size_ratio = large[unit] / small[unit]
            limit = size_ratio * LINEAR_TOLERANCE
            a, b = small["stages"][stage], large["stages"][stage]
            time_ratio = b["wall_s"] / a["wall_s"] if a["wall_s"] > 0 else float("nan")
            cpu_ratio = b["cpu_s"] / a["cpu_s"] if a.get("cpu_s") and b.get("cpu_s") else float("nan")
            memory_ratio = b["peak_mb"] / a["peak_mb"] if a["peak_mb"] > 0 else 0.0  # "other": no memory of its own
            out.append({"corpus": corpus, "stage": stage, "unit": "rows" if unit == "rows" else "documents",
                        "docs": (small[unit], large[unit]), "docs_ratio": round(size_ratio, 2),
                        "time_ratio": round(time_ratio, 2), "cpu_ratio": round(cpu_ratio, 2),
                        "memory_ratio": round(memory_ratio, 2),
                        "met": bool(time_ratio <= limit and memory_ratio <= limit)})
    return out


def per_million_rows(runs: list[dict]) -> list[dict]:
    """Wall and CPU minutes per million documents, per stage, linear from the largest run of each corpus.

    The README's "per million documents" column: an extrapolation from a
    whole run on real text, not from synthetic stage benches. Model selection
    scores a fixed-size sample, so its linear figure is an upper bound.
    """
    out = []
    for corpus in sorted({r["corpus"] for r in runs}):
        large = max((r for r in runs if r["corpus"] == corpus), key=lambda r: r["docs"])
        scale = 1e6 / max(large["docs"], 1) / 60.0
        stages = {**large["stages"], "whole run": {"wall_s": large.get("wall_s", sum(
            s["wall_s"] for s in large["stages"].values())), "cpu_s": large.get("cpu_s", float("nan"))}}
        for stage, s in stages.items():
            out.append({"corpus": corpus, "stage": stage, "docs": large["docs"],
                        "wall_min_per_million": round(s["wall_s"] * scale, 1),
                        "cpu_min_per_million": round(s.get("cpu_s", float("nan")) * scale, 1)})
    return out


def bench_real(sizes: dict, rows: list[dict]) -> None:
    """``make bench``'s whole-run case (``BENCHES["real"]``): every present corpus at every size."""
    from bench.harness import measure

    quick = sizes.get("real_quick", False)
    chosen = real_sizes(quick)
    corpora = present_corpora()
    if not chosen or not corpora:
        why = "BENCH_REAL=off" if not chosen else f"none of {', '.join(sorted(CORPORA))} under {SHARED_DIR / 'corpora'}"
        print(f"real corpora: skipped ({why})")
        return
    runs = []
    for spec in corpora:
        for n in chosen:
            work = Path(tempfile.mkdtemp(prefix=f"bench-real-{spec.name}-"))
            try:
                result = measure("bench.real:whole_run", corpus=spec.name, n=n, workdir=str(work))
            finally:
                shutil.rmtree(work, ignore_errors=True)
            peak = max(result["peak_rss_mb"], result["tree_peak_mb"])
            row = {"name": f"make figures[{spec.name} {result['docs']} docs] cold", **result, "peak_rss_mb": peak,
                   "target": f"whole run ≤ {MEMORY_TARGET_MB} MB", "met": peak <= MEMORY_TARGET_MB}
            rows.append(row)
            runs.append(row)
            print(format_run(row), flush=True)
    for line, row in summary_rows(runs):
        print(line, flush=True)
        rows.append(row)


def summary_rows(runs: list[dict]) -> list[tuple[str, dict]]:
    """The scaling and per-million lines printed after the whole runs, each with its summary row.

    Summary rows carry their own verdict (``met``) only where there is a
    target: the per-million rows are an extrapolation and have none.
    """
    out = []
    for s in scaling_rows(runs):
        line = (f"scaling[{s['corpus']} {s['docs'][0]}→{s['docs'][1]} {s['unit']}] {s['stage']:<10} "
                f"time ×{s['time_ratio']:<6} (cpu ×{s['cpu_ratio']:<6}) memory ×{s['memory_ratio']:<6} "
                f"{s['unit']} ×{s['docs_ratio']}  [at most linear: {'met' if s['met'] else 'NOT met'}]")
        out.append((line, {"name": f"scaling[{s['corpus']}] {s['stage']}", "wall_s": float("nan"),
                           "cpu_s": float("nan"), "peak_rss_mb": float("nan"), **s, "ratio": s["time_ratio"],
                           "target": f"time and peak memory ≤ {s['unit']}' ratio"}))
    for s in per_million_rows(runs):
        line = (f"per million documents[{s['corpus']}, linear from {s['docs']:,}] {s['stage']:<10} "
                f"wall {s['wall_min_per_million']:8.1f} min  cpu {s['cpu_min_per_million']:8.1f} min")
        out.append((line, {"name": f"per million[{s['corpus']}] {s['stage']}", "wall_s": float("nan"),
                           "cpu_s": float("nan"), "peak_rss_mb": float("nan"), **s, "ratio": float("nan")}))
    return out


def format_run(row: dict) -> str:
    """One whole run as lines of text: stages (time, peak, rise), outputs."""
    lines = [f"{row['name']}: wall {row['wall_s']:.0f} s, cpu {row['cpu_s']:.0f} s, peak {row['peak_rss_mb']:.0f} MB "
             f"(process tree), K = {row['n_topics']}"]
    for stage, s in row["stages"].items():
        cpu = f"cpu {s['cpu_s']:8.1f} s" if "cpu_s" in s else ""
        lines.append(f"  {stage:<11} {s['wall_s']:8.1f} s  {cpu}  peak {s['peak_mb']:7.0f} MB  rise {s['rise_mb']:+7.0f} MB")
    biggest = sorted(row["table_rows"].items(), key=lambda kv: (-kv[1], kv[0]))[:6]
    lines.append(f"  outputs: reports/ {row['reports_bytes'] / 2**20:.1f} MB (figures {row['figures_bytes'] / 2**20:.1f} MB"
                 f" in {row['n_figure_files']} files, tables {row['tables_bytes'] / 2**20:.1f} MB); largest tables: "
                 + ", ".join(f"{name} {n:,}" for name, n in biggest))
    return "\n".join(lines)
