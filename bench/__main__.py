"""``make bench`` / ``python -m bench``: the toolkit against the bare engines, in one run.

Each pair runs on the same data in fresh processes (see :mod:`bench.harness`);
the table printed at the end gives wall time, CPU seconds, peak RSS and the
ratio against the baseline measured in this same run, with the target from
the benchmark issue. Results are also written to ``bench/results/latest.json``.

Options: ``--quick`` (small sizes, for a smoke test), ``--only NAME`` (repeatable: tokenize, lda, tfidf,
end_to_end, memory, stream, real, selection, themes).
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.cases import BAOMOI, BENCH_CACHE, DANTRI, VNTC
from bench.harness import measure
from bench.real import bench_real

RESULTS = Path(__file__).resolve().parent / "results"


def _row(name, result, **extra):
    return {"name": name, **result, **extra}


def bench_tokenize(sizes, rows):
    sources = (["dantri"] if DANTRI.exists() else []) + ["demo"]
    for source in sources:
        n = sizes["tokenize"]
        identity = measure("bench.cases:segmentation_identity", source=source, n=n)
        base = measure("bench.cases:tokenize_pyvi", source=source, n=n)
        tool = measure("bench.cases:tokenize_toolkit", source=source, n=n)
        rows.append(_row(f"tokenize[{source}] pyvi.ViTokenizer (bare)", base, docs_per_s=base["docs"] / base["wall_s"]))
        rows.append(_row(f"tokenize[{source}] toolkit.text.segment.tokenize", tool, docs_per_s=tool["docs"] / tool["wall_s"],
                         speedup=base["wall_s"] / tool["wall_s"], target="≥ 2.0× bare pyvi per core",
                         identical_segmentation=identity["identical"], met=base["wall_s"] / tool["wall_s"] >= 2.0
                         and identity["identical"]))

    # Scaling: enough real, non-repeating text per process to amortize starting the pool.
    source = "vntc" if VNTC.exists() else "demo"
    n_scale = sizes["scaling"]
    one = measure("bench.cases:preprocess_processes", source=source, n=n_scale, n_jobs=1)
    two = measure("bench.cases:preprocess_processes", source=source, n=n_scale, n_jobs=2)
    rows.append(_row(f"preprocess[{source} {n_scale}] 1 process", one))
    rows.append(_row(f"preprocess[{source} {n_scale}] 2 processes", two, speedup=one["wall_s"] / two["wall_s"],
                     target="≥ 1.7× one process", met=one["wall_s"] / two["wall_s"] >= 1.7))


def bench_lda(sizes, rows):
    for n_docs in sizes["lda"]:
        for engine, bare in (("gensim", "bench.cases:lda_bare_gensim"), ("tomotopy", "bench.cases:lda_bare_tomotopy")):
            base = measure(bare, n_docs=n_docs)
            tool = measure("bench.cases:lda_toolkit", n_docs=n_docs, engine=engine)
            rows.append(_row(f"lda[{n_docs}] bare {engine}", base))
            ratio = tool["wall_s"] / base["wall_s"]
            rows.append(_row(f"lda[{n_docs}] fit_lda engine={engine}", tool, ratio=ratio,
                             target="≤ 1.2× bare engine", met=ratio <= 1.2))


def bench_tfidf(sizes, rows):
    n = sizes["tfidf"]
    base = measure("bench.cases:tfidf_bare", n_docs=n)
    tool = measure("bench.cases:tfidf_toolkit", n_docs=n)
    ratio = tool["wall_s"] / base["wall_s"]
    rows.append(_row(f"tfidf[{n}] sklearn TfidfVectorizer (bare)", base))
    rows.append(_row(f"tfidf[{n}] toolkit.text.vocabulary.tfidf_matrix", tool, ratio=ratio, target="≤ 1.2× bare",
                     met=ratio <= 1.2))


def bench_end_to_end(sizes, rows):
    for n_pages in sizes["end_to_end"]:
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-e2e-{n_pages}-"))
        try:
            cold = measure("bench.cases:end_to_end", n_pages=n_pages, cache_dir=str(tmp))
            warm = measure("bench.cases:end_to_end", n_pages=n_pages, cache_dir=str(tmp))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        ratio = warm["wall_s"] / cold["wall_s"]
        rows.append(_row(f"make figures[{n_pages} pages] cold", cold))
        rows.append(_row(f"make figures[{n_pages} pages] cached re-run", warm, ratio=ratio,
                         target="≤ 0.10× cold run", met=ratio <= 0.10))


def bench_memory(sizes, rows):
    small, large = sizes["memory"]
    a = measure("bench.cases:preprocess_streaming", n_pages=small)
    b = measure("bench.cases:preprocess_streaming", n_pages=large)
    ratio = b["peak_rss_mb"] / a["peak_rss_mb"]
    rows.append(_row(f"preprocess streaming[{small}]", a))
    rows.append(_row(f"preprocess streaming[{large}]", b, ratio=ratio,
                     target=f"peak RSS flat ({large // small}× the documents, ≤ 1.25× the memory)", met=ratio <= 1.25))


def bench_stream(sizes, rows):
    """The streamed topic model from disk: peak RSS and time at two sizes, topic recovery against the in-memory fit."""
    small, large = sizes["lda_memory"]
    paths = {}
    for n in (small, large):
        paths[n] = str(BENCH_CACHE / f"synthetic-{n}.txt")
        measure("bench.cases:write_synthetic_corpus", n_docs=n, path=paths[n])
    a = measure("bench.cases:lda_streaming", path=paths[small], n_docs=small)
    b = measure("bench.cases:lda_streaming", path=paths[large], n_docs=large)
    ratio = b["peak_rss_mb"] / a["peak_rss_mb"]
    rows.append(_row(f"fit_lda(stream=True) from disk[{small}]", a))
    rows.append(_row(f"fit_lda(stream=True) from disk[{large}]", b, ratio=ratio,
                     target=f"peak RSS flat ({large // small}× the documents, ≤ 1.25× the memory)", met=ratio <= 1.25))
    # Topic recovery: the streamed fit's clustered start (k-means on a document sample) against the
    # in-memory fit (k-means on every document) and against gensim's own start, same corpus and settings.
    memory = measure("bench.cases:lda_in_memory", path=paths[small], n_docs=small)
    uniform = measure("bench.cases:lda_streaming", path=paths[small], n_docs=small, init="uniform")
    rows.append(_row(f"fit_lda in memory[{small}]", memory))
    rows.append(_row(f"fit_lda(stream=True, init='uniform') from disk[{small}]", uniform))
    rows.append(_row(f"streamed vs in-memory recovery[{small}]", {k: a[k] for k in ("wall_s", "cpu_s", "peak_rss_mb")},
                     recovery_cosine=a["recovery_cosine"], target="within 0.01 of the in-memory fit",
                     met=a["recovery_cosine"] >= memory["recovery_cosine"] - 0.01))


def bench_selection(sizes, rows):
    n = sizes["selection"]
    for source in ["planted"] + (["baomoi"] if BAOMOI.exists() else []):
        full = measure("bench.cases:selection", source=source, n_docs=n, strategy="full")
        fast = measure("bench.cases:selection", source=source, n_docs=n, strategy="sample")
        ratio = full["wall_s"] / fast["wall_s"]
        agree = full["recommended"] == fast["recommended"]
        rows.append(_row(f"select[{source} {n}] strategy=full", full))
        rows.append(_row(f"select[{source} {n}] strategy=sample", fast, speedup=ratio, same_k=agree,
                         target="≥ 3× the full grid, same recommended K", met=ratio >= 3 and agree))


def bench_themes(sizes, rows):
    """The theme stage alone, on real news and on the dense genre pages of the demo corpus: a slow
    exclusion rule shows here (one pattern of 2026 made the demo's ratio 27×)."""
    n = sizes["themes"]
    for source in (["baomoi"] if BAOMOI.exists() else []) + ["demo"]:
        keywords = measure("bench.cases:themes_keywords", source=source, n_docs=n)
        bare = measure("bench.cases:themes_toolkit", source=source, n_docs=n, rules=False)
        full = measure("bench.cases:themes_toolkit", source=source, n_docs=n, rules=True)
        rows.append(_row(f"themes[{source} {n}] keyword search of the terms (bare)", keywords,
                         docs_per_s=keywords["docs"] / keywords["wall_s"]))
        rows.append(_row(f"themes[{source} {n}] theme_hits without exclude rules", bare,
                         docs_per_s=bare["docs"] / bare["wall_s"], ratio=bare["wall_s"] / keywords["wall_s"]))
        ratio = full["wall_s"] / bare["wall_s"]
        rows.append(_row(f"themes[{source} {n}] theme_hits, shipped rules", full,
                         docs_per_s=full["docs"] / full["wall_s"], ratio=ratio,
                         target="≤ 5× the same terms without exclude rules", met=ratio <= 5.0))


BENCHES = {"tokenize": bench_tokenize, "lda": bench_lda, "tfidf": bench_tfidf, "end_to_end": bench_end_to_end,
           "memory": bench_memory, "stream": bench_stream, "real": bench_real, "selection": bench_selection,
           "themes": bench_themes}
FULL = {"tokenize": 1000, "scaling": 8000, "lda": (10_000, 50_000), "tfidf": 50_000, "end_to_end": (1000, 10_000),
        "memory": (10_000, 100_000), "lda_memory": (20_000, 100_000),
        "real_quick": False, "selection": 20_000, "themes": 5000}
QUICK = {"tokenize": 200, "scaling": 600, "lda": (2000,), "tfidf": 5000, "end_to_end": (300,), "memory": (1000, 4000), "lda_memory": (2000, 10_000), "real_quick": True,
         "selection": 6000, "themes": 500}


def _fmt(row) -> str:
    if "time_ratio" in row:  # a whole-run scaling verdict: ratios, no times of its own
        parts = [f"{row['name']:<52}", f"time ×{row['time_ratio']:<6}", f"cpu ×{row['cpu_ratio']:<6}",
                 f"memory ×{row['memory_ratio']:<6}", f"{row['unit']} ×{row['docs_ratio']}"]
    elif "wall_min_per_million" in row:  # an extrapolation from the largest whole run: no target
        return "  ".join([f"{row['name']:<52}", f"wall {row['wall_min_per_million']:8.1f} min",
                          f"cpu {row['cpu_min_per_million']:8.1f} min", "per million documents (linear)"])
    else:
        parts = [f"{row['name']:<52}", f"wall {row['wall_s']:8.2f}s", f"cpu {row['cpu_s']:8.2f}s",
                 f"peak {row['peak_rss_mb']:7.0f} MB"]
    if "docs_per_s" in row:
        parts.append(f"{row['docs_per_s']:7.1f} docs/s")
    for key in ("speedup", "ratio"):
        if key in row and "time_ratio" not in row:
            parts.append(f"{key} {row[key]:.2f}")
    if "recommended" in row:
        parts.append(f"K {row['recommended']} on {row['n_docs_scored']} docs")
    if "same_k" in row:
        parts.append(f"same K: {'yes' if row['same_k'] else 'NO'}")
    if "recovery_cosine" in row:
        parts.append(f"recovery {row['recovery_cosine']:.3f}")
    if "target" in row and "met" in row:
        parts.append(f"[{row['target']}: {'met' if row['met'] else 'NOT met'}]")
    return "  ".join(parts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    parser.add_argument("--only", action="append", choices=sorted(BENCHES), help="run only these benchmarks")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    rows: list[dict] = []
    start = time.perf_counter()
    for name in args.only or BENCHES:
        print(f"== {name}", flush=True)
        before = len(rows)
        BENCHES[name](sizes, rows)
        for row in rows[before:]:
            print(_fmt(row), flush=True)
    print("\n== summary (ratios measured in this run)")
    for row in rows:
        print(_fmt(row))
    RESULTS.mkdir(exist_ok=True)
    payload = {"python": sys.version, "machine": platform.platform(), "quick": args.quick,
               "total_s": time.perf_counter() - start, "rows": rows}
    (RESULTS / "latest.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nresults: {RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
