"""The main job: raw pages → every comparative figure, table and the report page.

``python -m toolkit figures --config configs/default.toml`` (``make figures``)
runs :func:`run_pipeline`. Stages, each cached under ``.cache/pipeline`` by a
key over its inputs, its settings and the toolkit's code, so a re-run with
nothing changed only reads the cache:

1. corpus: simulate the demo corpus (``[corpus] simulate = true``) or take the
   researcher's ``paths``; ingest them into the document table;
2. preprocess: normalize and segment (token cache per document);
3. themes: dictionary hits, shares with bootstrap intervals, seed validation;
4. keyness: distinctive terms per group;
5. topics: choose K over a grid of K × seeds, then fit the final (seeded) model;
6. effects: topic prevalence regressed on locality and year (method of
   composition) and prevalence by year with intervals;
7. figures, tables (CSV + Parquet, JSON sidecars), ``index.html`` and the
   offline explorer ``explorer.html``.

This module is an edge: it reads and writes files. The analyses it calls are
pure functions on tables.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.config import CACHE_DIR, RunConfig, lexicon_version, period_label
from toolkit.corpus import apply_repost_policy, read_table, write_table, write_text_atomic
from toolkit.distributed import release_memory
from toolkit.errors import UserError
from toolkit.provenance import frame_hash, git_commit, package_versions
from toolkit.places import qualify_grouping

logger = logging.getLogger("toolkit.pipeline")

#: Bumped when the pipeline's outputs change meaning (invalidates all caches).
PIPELINE_VERSION = "1"


#: Modules that only draw or write results: editing them never invalidates computed stages.
PRESENTATION_MODULES = ("report/", "cli/")


@functools.lru_cache(maxsize=None)
def code_version(part: str = "analysis") -> str:
    """Hash of the toolkit's source that ``part`` depends on.

    Read once per process: the code a run executes is the code it loaded, so
    a file edited while a run goes on cannot label the old code's results
    with the new code's hash in the stage cache.

    ``"analysis"``: every module except the presentation ones (a change there
    invalidates the computed stages); ``"presentation"``: plotting and report
    modules only (a change there redraws the figures, nothing else).
    """
    if part not in ("analysis", "presentation"):
        raise ValueError(f"part={part!r}: use 'analysis' or 'presentation'")
    digest = hashlib.sha256(f"{PIPELINE_VERSION}:{part}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        if rel.startswith(PRESENTATION_MODULES) == (part == "presentation"):
            digest.update(rel.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:20]


class StageCache:
    """Content-addressed results of pipeline stages (tables and JSON)."""

    def __init__(self, directory: Path | None, *, enabled: bool = True) -> None:
        self.directory = Path(directory) if directory is not None else CACHE_DIR / "pipeline"
        self.enabled = enabled
        #: Stages computed in this run (not read from the cache), in order.
        self.computed: list[str] = []

    def _path(self, stage: str, key: str, suffix: str) -> Path:
        return self.directory / f"{stage}-{key}{suffix}"

    def table(self, stage: str, key: str, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        path = self._path(stage, key, ".parquet")
        if self.enabled and path.exists():
            logger.info("%s: from cache", stage)
            return read_table(path)
        self.computed.append(stage)
        result = compute()
        if self.enabled:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_table(result, path)
        return result

    def tables(self, stage: str, key: str, compute: Callable[[], dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
        index = self._path(stage, key, ".json")
        if self.enabled and index.exists():
            names = json.loads(index.read_text())
            if all(self._path(stage, f"{key}-{n}", ".parquet").exists() for n in names):
                logger.info("%s: from cache", stage)
                return {n: read_table(self._path(stage, f"{key}-{n}", ".parquet")) for n in names}
        self.computed.append(stage)
        result = compute()
        if self.enabled:
            self.directory.mkdir(parents=True, exist_ok=True)
            for name, table in result.items():
                write_table(table, self._path(stage, f"{key}-{name}", ".parquet"))
            write_text_atomic(index, json.dumps(sorted(result)))
        return result

    def folder(self, stage: str, key: str) -> Path:
        return self.directory / f"{stage}-{key}"


@dataclass
class RunSummary:
    """What a run wrote and how long each stage took (seconds)."""

    output_dir: Path
    figures: list[Path] = field(default_factory=list)
    tables: list[Path] = field(default_factory=list)
    report: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    n_documents: int = 0
    n_topics: int = 0
    #: Stages computed in this run rather than read from the stage cache.
    computed: list[str] = field(default_factory=list)


class _Timer:
    def __init__(self, summary: RunSummary, name: str) -> None:
        self.summary, self.name = summary, name

    def __enter__(self):
        self.start = time.perf_counter()
        # `extra`: a log handler can tell which stage runs (make bench measures memory per stage so)
        logger.info("stage %s …", self.name, extra={"stage": self.name})
        return self

    def __exit__(self, *exc):
        # The stage's temporary objects go back to the system: the next stage starts from what is kept.
        release_memory()
        seconds = round(time.perf_counter() - self.start, 3)
        self.summary.timings[self.name] = seconds
        logger.info("stage %s: %s", self.name, _duration(seconds), extra={"stage_done": self.name})


def _duration(seconds: float) -> str:
    """``"42 s"``, ``"3.5 min"``, ``"1.2 h"``: a duration as a reader says it."""
    if seconds < 90:
        return f"{seconds:.1f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


#: Rough costs behind :func:`expected_cost`, measured on whole runs of real news text on the
#: 2-core development machine (README, "Benchmarks"); they only size the warning.
CHARS_PER_TOKEN = 6.0            # characters of title + body per kept token (stopwords and numbers dropped)
PREPROCESS_CHARS_PER_S = 450_000  # normalization + segmentation, per process
FIT_S_PER_TOKEN = 25e-6          # one model-selection fit with its scores, per kept token, per process


def expected_cost(config: RunConfig, documents: pd.DataFrame) -> tuple[float, str]:
    """A rough forecast of a run on ``documents``: ``(seconds, sentence)``.

    From the number of documents and their length (tokens estimated from
    characters) and the K grid × seeds of ``config``; the constants come from
    measured whole runs and only say whether to expect minutes or hours.
    """
    from toolkit.distributed import n_workers
    from toolkit.study.adapt import fits_topic_model

    t = config.topics
    chars = int(documents["title"].str.len().sum() + documents["body"].str.len().sum()) if len(documents) else 0
    tokens = chars / CHARS_PER_TOKEN
    fitted = fits_topic_model(config)
    grid = list(t.n_topics_grid) if fitted and (t.n_topics == 0 or t.n_topics_grid) else []
    n_fits = len(grid) * len(t.random_states)
    workers = n_workers(config.preprocess.n_jobs)
    # the "sample" selection fits the grid on at most selection_sample documents
    sampled = t.selection == "sample" and len(documents) > t.selection_sample
    share = t.selection_sample / len(documents) if sampled else 1.0
    seconds = (chars / (PREPROCESS_CHARS_PER_S * workers)
               + tokens * share * FIT_S_PER_TOKEN * (-(-n_fits // min(workers, n_fits)) if n_fits else 0)
               + (tokens * FIT_S_PER_TOKEN if fitted else 0.0))  # the final model
    on = f" on a sample of {t.selection_sample} documents" if sampled else ""
    fits = (f"× K grid {grid} × seeds {list(t.random_states)} = {n_fits} fits{on} + the final model"
            if n_fits else "× 1 model (no model selection)" if fitted
            else "and no topic model ([figures] include names no topic figure)")
    sentence = (f"{len(documents)} documents (~{tokens / 1e6:.1f} M tokens) {fits}; expect about "
                f"{_duration(seconds)} on {workers} process(es) (a rough estimate from document length)")
    return seconds, sentence


def _announce(config: RunConfig, documents: pd.DataFrame) -> None:
    """Say early how long the run will take; a warning when it is long."""
    seconds, sentence = expected_cost(config, documents)
    logger.log(logging.WARNING if seconds > 600 else logging.INFO, "%s", sentence)


# --------------------------------------------------------------------------
# Stages
# --------------------------------------------------------------------------


def _files_fingerprint(paths: list[Path]) -> list[tuple[str, str]]:
    from toolkit.ingest.core import iter_input_files

    out = []
    for path, label in iter_input_files(paths):
        out.append((label, hashlib.sha256(path.read_bytes()).hexdigest()[:16]))
    return out


def demo_corpus(config: RunConfig, cache_dir: Path) -> Path:
    """The simulated demo corpus of ``config`` (written once, then reused)."""
    from toolkit.simulate import simulate_corpus, write_corpus

    key = _key("demo", config.corpus.n_pages, config.random_state, code_version())
    target = cache_dir / f"demo-{key}"
    if (target / ".complete").exists():
        return target
    logger.info("simulating the demo corpus: %d pages, random_state=%d", config.corpus.n_pages, config.random_state)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".demo-", dir=cache_dir))
    sim = simulate_corpus(config.corpus.n_pages, random_state=config.random_state)
    write_corpus(sim, tmp)
    (tmp / ".complete").write_text("ok\n")
    if target.exists():
        shutil.rmtree(target)
    os.replace(tmp, target)
    return target


def _inputs(config: RunConfig, cache_dir: Path) -> tuple[list[Path], Path | None, Path | None]:
    """Input paths, sources file and (for the demo) the truth folder."""
    if config.corpus.simulate:
        demo = demo_corpus(config, cache_dir)
        return [demo / "pages"], demo / "sources.toml", demo / "truth"
    if not config.corpus.paths:
        raise ValueError("[corpus] simulate = false but no paths are given")
    paths = [config.resolve(p) for p in config.corpus.paths]
    sources = config.resolve(config.corpus.sources) if config.corpus.sources else None
    return paths, sources, None


def load_documents(config: RunConfig, cache: StageCache) -> tuple[pd.DataFrame, pd.DataFrame, Path | None]:
    """Ingest stage: the document table, the rejects table and the truth folder (demo only)."""
    from toolkit.ingest.core import ingest_files
    from toolkit.ingest.tables import FieldMap

    paths, sources, truth = _inputs(config, cache.directory)
    c = config.corpus
    fields = FieldMap(text=c.text_field or None, title=c.title_field or None, date=c.date_field or None,
                      id=c.id_field or None)
    key = _key("ingest", _files_fingerprint(paths),
               _files_fingerprint([sources]) if sources else None,
               [c.text_field, c.title_field, c.date_field, c.id_field], code_version())

    def compute() -> dict[str, pd.DataFrame]:
        from toolkit.study.check import as_config_error

        try:
            result = ingest_files(paths, fields=fields, sources=sources, n_jobs=config.preprocess.n_jobs)
        except UserError as exc:  # a [corpus] *_field naming no column of a table
            raise as_config_error(exc) from None
        return {"documents": result.documents, "rejects": result.rejects.astype({"line": "int64"})}

    out = cache.tables("ingest", key, compute)
    return out["documents"], out["rejects"], truth


def tokenize_documents(config: RunConfig, documents: pd.DataFrame, cache: StageCache, *,
                       shared: bool = False) -> pd.DataFrame:
    """Preprocess stage: the token table (``doc_id, tokens, n_tokens, persons, lexicon_version``).

    ``shared=True`` (reference data such as the labelled articles, the same for every run): the
    documents go through the token cache every command shares (``CACHE_DIR/preprocess``) and no stage
    table is written; otherwise the per-document token cache lives with the stage cache, so an empty
    stage cache means a truly cold run of the corpus.
    """
    from toolkit.text.preprocess import preprocess
    from toolkit.text.segment import TokenizerConfig

    p = config.preprocess
    tok_config = TokenizerConfig(keep_numbers=p.keep_numbers, keep_dates=p.keep_numbers,
                                 remove_persons=p.remove_persons)
    if shared:
        return preprocess(documents, config=tok_config, n_jobs=p.n_jobs,
                          cache_dir=CACHE_DIR / "preprocess" if cache.enabled else None)
    # the lexicons' content too (the fingerprint leaves their folder out): an edited terms.txt or stopword
    # list segments the corpus again instead of reading the tokens of the lexicons before it
    key = _key("tokens", frame_hash(documents[["doc_id", "title", "body"]]), tok_config.fingerprint(),
               lexicon_version(tok_config.resolved_lexicon_dir()), code_version())
    return cache.table("tokens", key, lambda: preprocess(
        documents, config=tok_config, n_jobs=p.n_jobs,
        cache_dir=cache.directory / "preprocess" if cache.enabled else None))


@dataclass
class DemoData:
    """The demo corpus as tables: what notebooks and benchmarks start from."""

    documents: pd.DataFrame
    tokens: pd.DataFrame
    rejects: pd.DataFrame
    folder: Path
    truth: Path


def load_demo(n_pages: int = 2000, *, random_state: int = 2024, duplicates: bool = False,
              n_jobs: int = -1) -> DemoData:
    """Simulate (once, cached), ingest and tokenize the demo corpus.

    Parameters
    ----------
    n_pages
        Size of the simulated corpus.
    random_state
        Seed of the simulation.
    duplicates
        Keep reposts (``duplicate_of`` set); by default they are left out of
        ``documents`` and ``tokens``, as in the main run.
    n_jobs
        Worker processes for ingest and segmentation (``[preprocess] n_jobs``;
        -1 = every core, 1 = this process only). The tables do not depend on it.

    Examples
    --------
    >>> demo = load_demo(300, n_jobs=1)               # doctest: +SKIP
    >>> demo.documents[["district", "year", "title"]].head()  # doctest: +SKIP
    """
    from toolkit.config import CorpusConfig, PreprocessConfig

    config = RunConfig(random_state=random_state, corpus=CorpusConfig(n_pages=n_pages),
                       preprocess=PreprocessConfig(n_jobs=n_jobs))
    cache = StageCache(None)
    documents, rejects, truth = load_documents(config, cache)
    tokens = tokenize_documents(config, documents, cache)
    if not duplicates:
        documents = apply_repost_policy(documents)
        tokens = tokens[tokens["doc_id"].isin(set(documents["doc_id"]))].reset_index(drop=True)
    return DemoData(documents, tokens, rejects, truth.parent, truth)


def _period_label(year: float, periods) -> str:
    for first, last in periods:
        if first <= year <= last:
            return period_label((first, last))
    return ""


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


def run_pipeline(config: RunConfig, *, output_dir: str | os.PathLike | None = None,
                 cache_dir: str | os.PathLike | None = None, use_cache: bool = True) -> RunSummary:
    """Run every stage of ``config`` and write figures, tables and the report page.

    Parameters
    ----------
    config
        The run configuration (see ``configs/default.toml``).
    output_dir
        Where ``figures/``, ``tables/`` and ``index.html`` go (default: the
        config's ``output_dir``, relative to the project root).
    cache_dir
        Stage cache (default ``.cache/pipeline``).
    use_cache
        ``False`` recomputes every stage (the cache is neither read nor written).
    """
    from threadpoolctl import threadpool_limits

    from toolkit.text.vocabulary import check_filters

    check_filters(config.topics.min_df, config.topics.max_df)  # before any stage runs

    out = Path(output_dir) if output_dir is not None else config.resolve(config.output_dir)
    summary = RunSummary(output_dir=out)
    cache = StageCache(Path(cache_dir) if cache_dir is not None else None, enabled=use_cache)
    # Canonical runs: one BLAS thread, so floating-point sums happen in one order.
    with threadpool_limits(limits=1):
        _run(config, out, cache, summary)
    summary.computed = list(cache.computed)
    logger.info("done in %.1f s: %d figures, %d tables, report %s", sum(summary.timings.values()),
                len(summary.figures), len(summary.tables), summary.report)
    return summary


def _run(config: RunConfig, out: Path, cache: StageCache, summary: RunSummary) -> None:
    from toolkit import themes as th
    from toolkit.themes.dictionary import term_counts
    from toolkit.keyness import keyness_table, tfidf_top_terms

    from toolkit.study import adapt_defaults, choices_paragraph, config_problems, corpus_problems, raise_problems
    from toolkit.study.adapt import TOPIC_FIGURES, fits_topic_model, not_fitted_choice

    seed = config.random_state
    # The checks of `python -m toolkit check`, before any heavy work: a researcher's error stops the run here.
    raise_problems(config_problems(config, output_dir=out), config)
    _clear_report(out)
    with _Timer(summary, "ingest"):
        documents, rejects, truth = load_documents(config, cache)
    raise_problems(corpus_problems(config, documents, rejects), config)
    _announce(config, apply_repost_policy(documents, config.corpus.include_duplicates))
    with _Timer(summary, "preprocess"):
        tokens = tokenize_documents(config, documents, cache)

    docs = apply_repost_policy(documents, config.corpus.include_duplicates).reset_index(drop=True)
    # What the outputs need of the whole ingested table (reposts included), taken now: the table itself
    # (every text twice over with `docs`) is let go before the heavy stages.
    from toolkit.report.methods import corpus_summary

    summary_table = corpus_summary(documents, docs)
    accuracy = ingest_accuracy_table(documents, truth, cache) if truth is not None else None
    del documents
    release_memory()
    # Settings left unset fit the corpus (toolkit.study.adapt); the provenance keeps the config as given.
    given_config, (config, choices) = config, adapt_defaults(config, docs)
    tokens = tokens.set_index("doc_id").loc[docs["doc_id"]].reset_index()
    summary.n_documents = len(docs)
    corpus_hash = frame_hash(docs[["doc_id", "title", "body", "province", "district", "year"]])
    lex = lexicon_version()
    themes_path = config.resolve(config.themes.file)
    provenance = {
        "config_hash": given_config.hash(), "config_name": config.name, "corpus_hash": corpus_hash,
        "lexicon_version": lex,
        # the run's themes file (a study's own copy lies outside the lexicon folder): the version `themes` prints
        "themes_version": hashlib.sha256(themes_path.read_bytes()).hexdigest()[:12],
        "toolkit_code": code_version(), "git_commit": git_commit(),
        "toolkit_plots_code": code_version("presentation"),
        "packages": package_versions(), "random_state": seed, "python": platform.python_version(),
    }
    base_key = (corpus_hash, lex, code_version(), hashlib.sha256(themes_path.read_bytes()).hexdigest()[:16])
    # Every metadata column of the document table can appear in the effects formula.
    meta = docs.drop(columns=[c for c in ("title", "body", "captions") if c in docs.columns]).copy()
    meta["period"] = [_period_label(y, config.themes.periods) if pd.notna(y) else "" for y in meta["year"]]

    # ---- themes ----------------------------------------------------------
    with _Timer(summary, "themes"):
        def themes_compute() -> dict[str, pd.DataFrame]:
            dictionary = th.load_themes(themes_path)
            # One count of every term serves the hits, the term table and the KWIC lines.
            counts = term_counts(tokens, dictionary, docs)
            hits = th.theme_hits(tokens, dictionary, documents=docs, counts=counts)
            t = config.themes
            common = dict(n_boot=t.n_boot, random_state=seed, min_docs=t.min_docs, interval=t.interval)
            dated = meta[meta["year"].notna()]
            return {
                "theme_hits": hits,
                "theme_shares_locality_year": th.theme_shares(hits, dated, by=("province", "district", "year"), **common),
                "theme_shares_locality_period": th.theme_shares(hits, dated[dated["period"] != ""],
                                                                by=("province", "district", "period"), **common),
                "theme_shares_year": th.theme_shares(hits, dated, by=("year",), **common),
                # every document, dated or not: what a corpus without dates can still show
                "theme_shares_locality": th.theme_shares(hits, meta, by=("province", "district"), **common),
                "theme_validation": th.validate_themes(tokens, docs, dictionary, by=("province",), counts=counts),
                "theme_kwic": th.theme_kwic(docs, tokens, dictionary, counts=counts),
            }
        theme_tables = cache.tables("themes", _key(*base_key, config.themes, seed), themes_compute)

    # the measured quality of the themes and the dates: the project's labelled articles are segmented here
    # (once, then cached), a stage of its own in the timings
    with _Timer(summary, "quality"):
        quality = theme_quality_table(config, themes_path, cache, hits=theme_tables["theme_hits"])
        dates_quality = date_quality_table(config, cache)
    # what the quality was scored from (a coded sheet, the labelled articles) changes its numbers: named in every
    # sidecar, as the themes file is
    provenance.update(quality_provenance(config, quality))

    # ---- keyness ---------------------------------------------------------
    with _Timer(summary, "keyness"):
        k = config.keyness

        def keyness_compute() -> dict[str, pd.DataFrame]:
            return {
                # The top terms of each group, not every term: the table stays proportional to what it reports.
                "keyness": keyness_table(tokens, docs, k.group, min_count=k.min_count, top_n=k.n_terms,
                                         min_docs=k.min_docs),
                "tfidf_top_terms": tfidf_top_terms(tokens, docs, k.group, n_terms=k.n_terms),
            }
        keyness_tables = cache.tables("keyness", _key(*base_key, k), keyness_compute)

    # ---- topics ----------------------------------------------------------
    # The topic model serves the topic figures only: a run whose [figures] include names none of them (a
    # researcher iterating on the theme figures) fits none, and its choices table says so.
    if fits_topic_model(config):
        topic_tables = _topics_stage(config, docs, tokens, meta, cache, summary, base_key, themes_path)
    else:
        logger.info("topics: no topic model fitted: [figures] include names no topic figure (%s)",
                    ", ".join(sorted(TOPIC_FIGURES)))
        topic_tables = {}
        choices = pd.concat([choices, not_fitted_choice()], ignore_index=True).sort_values("setting", kind="mergesort",
                                                                               ignore_index=True)

    # ---- outputs ---------------------------------------------------------
    with _Timer(summary, "figures"):
        dated, by = qualify_grouping(meta[meta["year"].notna()], ["district", "year"])
        counts = dated.groupby(by).size().rename("n_docs").reset_index()
        tables = {"documents_per_locality_year": counts, "documents_per_locality": documents_per_locality(meta),
                  "rejects": rejects.reset_index(drop=True),
                  "run_choices": choices,
                  **{n: t for n, t in theme_tables.items() if n != "theme_hits"},
                  **keyness_tables, **topic_tables}
        if truth is not None:
            tables["planted_vs_recovered"] = planted_vs_recovered_table(
                theme_tables["theme_shares_year"], truth, docs)
            tables["ingest_accuracy"] = accuracy
        if quality is not None:
            tables["theme_quality"] = quality
        if dates_quality is not None:
            tables["date_quality"] = dates_quality
        from toolkit.report.registry import write_outputs

        tables["corpus_summary"] = summary_table

        write_outputs(config, tables, out, provenance, summary, figures=config.figures.include,
                      notes=choices_paragraph(choices), documents=docs, theme_hits=theme_tables["theme_hits"])
        inputs = write_run_inputs(given_config, themes_path, out)
        _finish_outputs(out, summary, inputs)


#: What a run writes at the top of its output folder last: removed when a run starts, so a run stopped half-way
#: (Ctrl-C, a crash) leaves no report page that claims a complete run over a mix of old and new files.
REPORT_FILES = ("index.html", "methods.md", "explorer.html", "manifest.sha256")
#: Suffixes of the files a run writes under figures/ and tables/ (an earlier run's that this run did not write are
#: removed at its end).
OUTPUT_SUFFIXES = (".png", ".svg", ".pdf", ".json", ".csv", ".parquet")


def _clear_report(out: Path) -> None:
    removed = [name for name in REPORT_FILES if (out / name).is_file()]
    for name in removed:
        (out / name).unlink()
    if removed:
        logger.info("the previous run's %s removed from %s: rewritten when this run ends", ", ".join(removed), out)


def write_run_inputs(config: RunConfig, themes_path: Path, out: Path) -> list[Path]:
    """Copies of what a reviewer needs to rerun the study, in ``out/run_inputs``.

    ``settings.json``: every setting of the run as given (defaults included),
    the bytes whose SHA-256 (first 16 hex) is the sidecars' ``config_hash``;
    ``config.toml`` (the file as written, when the run read one), the themes
    file (its SHA-256, first 12 hex, is ``themes_version``), the sources
    file, when set, and the coded sheet scored for ``theme_quality``
    (``[themes] validation_sheet``, when set), as
    ``validation_sheet.<its extension>`` (first 12 hex of its SHA-256:
    ``validation_sheet_version``). Each copy is byte for byte the file the
    run read.
    """
    from toolkit.corpus import atomic_path, table_suffix, write_text_atomic

    folder = out / "run_inputs"
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "settings.json"]
    write_text_atomic(written[0], json.dumps(config.to_dict(), sort_keys=True))
    copies = [(Path(config.config_file), "config.toml")] if config.config_file else []
    copies.append((themes_path, "themes.toml"))
    if config.corpus.sources:
        copies.append((config.resolve(config.corpus.sources), "sources.toml"))
    if config.themes.validation_sheet:
        sheet = config.resolve(config.themes.validation_sheet)
        copies.append((sheet, RUN_INPUT_SHEET + table_suffix(sheet)))
    for source, name in copies:
        if source.is_file():
            target = folder / name
            with atomic_path(target) as tmp:
                tmp.write_bytes(source.read_bytes())
            written.append(target)
    return written


#: The name (before its table extension) of the coded sheet's copy in ``run_inputs/``.
RUN_INPUT_SHEET = "validation_sheet"
#: The label files of the project's labelled articles (``corpora/validation``) that ``[themes] devset_quality``
#: scores the dictionary on, with the texts of ``../shared/corpora``.
DEVSET_FILES = ("devset.csv", "devset_second_coder.csv", "devset_third_coder.csv", "heldout.csv")


def quality_provenance(config: RunConfig, quality: pd.DataFrame | None) -> dict[str, str]:
    """What the run's ``theme_quality`` table was scored from, for the sidecars' provenance.

    Returns ``{"validation_sheet_version": ...}`` (first 12 hex of the SHA-256
    of the coded sheet, ``[themes] validation_sheet``: that of its copy in
    ``run_inputs/``), else ``{"devset_version": ...}`` (first 12 hex of a
    SHA-256 over the names and bytes of :data:`DEVSET_FILES`, the labels the
    dictionary was scored on), or ``{}`` when the run measured no quality
    (``quality`` is None: no sheet, and ``devset_quality = false`` or no
    ``../shared``).
    """
    from toolkit.themes import validate as va

    if quality is None:
        return {}
    if config.themes.validation_sheet:
        sheet = config.resolve(config.themes.validation_sheet)
        return {"validation_sheet_version": hashlib.sha256(sheet.read_bytes()).hexdigest()[:12]}
    digest = hashlib.sha256()
    for name in DEVSET_FILES:
        digest.update(name.encode() + b"\0" + va.devset_path().with_name(name).read_bytes() + b"\0")
    return {"devset_version": digest.hexdigest()[:12]}


def _finish_outputs(out: Path, summary: RunSummary, inputs: Sequence[Path]) -> None:
    """Remove an earlier run's figure and table files this run did not write, then write ``manifest.sha256``.

    The manifest lists every file of the run (``sha256sum`` format, sorted by
    path): ``sha256sum -c manifest.sha256`` in the output folder checks a
    published report, and two runs compare by their manifests.
    """
    from toolkit.corpus import write_text_atomic

    written = {Path(p).resolve() for p in (*summary.figures, *summary.tables, *inputs)}
    # every figure and table has a JSON sidecar beside it (provenance, caption)
    written |= {p.with_suffix(".json") for p in list(written) if p.with_suffix(".json").is_file()}
    for name in REPORT_FILES[:-1]:
        if (out / name).is_file():
            written.add((out / name).resolve())
    # run_inputs/ also holds the coded sheet's copy, in any table format (``.jsonl``, ``.jsonl.gz``)
    suffixes = {"figures": (*OUTPUT_SUFFIXES, ".toml"), "tables": (*OUTPUT_SUFFIXES, ".toml"),
                "run_inputs": (*OUTPUT_SUFFIXES, ".toml", ".jsonl", ".gz")}
    stale = sorted(p for folder, kept in suffixes.items() if (out / folder).is_dir()
                   for p in (out / folder).iterdir()
                   if p.is_file() and p.suffix in kept and p.resolve() not in written)
    for path in stale:
        path.unlink()
    if stale:
        logger.warning("removed %d file(s) of an earlier run that this run did not write (%s%s)", len(stale),
                       ", ".join(p.relative_to(out).as_posix() for p in stale[:5]), ", …" if len(stale) > 5 else "")
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(out.resolve()).as_posix()}"
             for p in sorted(written, key=lambda q: q.relative_to(out.resolve()).as_posix())]
    write_text_atomic(out / "manifest.sha256", "\n".join(lines) + "\n")


def documents_per_locality(meta: pd.DataFrame) -> pd.DataFrame:
    """Documents per locality, dated or not: ``province, district, locality, n_docs, n_dated``.

    Every document counts (an unknown locality is the row with empty place
    columns), so a corpus without dates still shows where its documents come
    from. Sorted by locality.
    """
    table, by = qualify_grouping(meta.assign(_dated=meta["year"].notna()), ["district"])
    counts = table.groupby(by, sort=True).agg(n_docs=("_dated", "size"), n_dated=("_dated", "sum")).reset_index()
    return counts.astype({"n_docs": "int64", "n_dated": "int64"})


def _topics_stage(config: RunConfig, docs: pd.DataFrame, tokens: pd.DataFrame, meta: pd.DataFrame,
                  cache: StageCache, summary: RunSummary, base_key: tuple, themes_path: Path) -> dict[str, pd.DataFrame]:
    from toolkit import topics as tp
    from toolkit.topics.intertopic import relevance_terms, topic_map
    from toolkit.topics.persist import load_result, save_result

    t = config.topics
    seed = config.random_state
    # Split sample ([topics] split): K, the model and its labels come from half A, the effects from half B.
    tokens, measured_tokens, split_table = _split_tokens(tokens, t.split, seed)
    if split_table is not None:
        base_key = (*base_key, "split", t.split)
    filters = {"min_df": t.min_df, "max_df": t.max_df}  # the topic models' one vocabulary ([topics])
    token_lists = [list(x) for x in tokens["tokens"]]
    # n_topics counts every topic, the seeded ones included (README, "Conventions"); a K that cannot
    # hold the seeded themes plus one free topic is an error before anything is fitted.
    seeds = _seed_themes(t, token_lists, themes_path) if t.seeded else {}
    where, candidates = ("n_topics", [t.n_topics]) if t.n_topics > 0 else ("n_topics_grid", list(t.n_topics_grid))
    for k in candidates if seeds else []:
        try:
            tp.check_n_topics(k, len(seeds))
        except ValueError as exc:
            raise ValueError(f"[topics] {where}: {exc} (seeded themes: {', '.join(seeds)})") from exc
    with _Timer(summary, "select"):
        def select_compute() -> dict[str, pd.DataFrame]:
            # Selection scores the family that is reported: the seeded model, with the same themes and
            # filters, when [topics] seeded (issue #16 item 3).
            selection = tp.select_n_topics(token_lists, n_topics_grid=t.n_topics_grid, random_states=t.random_states,
                                           strategy=t.selection, sample_size=t.selection_sample,
                                           themes=seeds or None, engine=t.engine, n_jobs=config.preprocess.n_jobs,
                                           # the run's seed draws the sample and the held-out split too
                                           split_random_state=seed, **filters)
            wide = selection.table.pivot_table(index=["n_topics", "random_state", "family"], columns="measure",
                                               values="value").reset_index()
            wide.columns.name = None
            rec = pd.DataFrame({"recommended": [int(selection.recommended)], "reasoning": [selection.reasoning],
                                "family": [selection.family], "strategy": [selection.strategy],
                                "n_documents": [selection.n_documents]})
            return {"model_selection": wide, "model_recommendation": rec}
        if t.n_topics > 0 and len(t.n_topics_grid) == 0:
            selected = {}
            n_topics = t.n_topics
        else:
            selected = cache.tables("select", _key(*base_key, t.n_topics_grid, t.random_states, t.engine, filters,
                                                   t.selection, t.selection_sample, seeds, seed), select_compute)
            n_topics = t.n_topics or int(selected["model_recommendation"]["recommended"].iat[0])
    summary.n_topics = n_topics

    with _Timer(summary, "topics"):
        model_dir = cache.folder("model", _key(*base_key, t, n_topics, seed))
        result = None
        if cache.enabled and (model_dir / "model.json").exists():
            try:
                result = load_result(model_dir)
                logger.info("topics: from cache")
            except ValueError as exc:
                logger.warning("cached model unusable (%s); refitting", exc)
        if result is None:
            cache.computed.append("topics")
            # The token table gives the model its doc_ids; effects match metadata by them.
            table = tokens[["doc_id", "tokens"]]
            if seeds:
                # _warn_lost_seeds says which themes were not held, once, with the run's labels
                result = tp.fit_seeded_lda(table, seeds, n_topics, random_state=seed, engine=t.engine,
                                           warn_not_held=False, **filters)
            else:
                result = tp.fit_lda(table, n_topics, random_state=seed, engine=t.engine, **filters)
            if cache.enabled:
                save_result(result, model_dir)

    with _Timer(summary, "effects"):
        def effects_compute() -> dict[str, pd.DataFrame]:
            e = config.effects
            # Global uncertainty: refits at [effects] global_seeds, matched to the run's model (the reference);
            # without an effects formula nothing would use them
            models = [result] + ([_refit(config, tokens, seeds, n_topics, s, cache, base_key)
                                  for s in e.global_seeds if s != seed] if e.formula.strip() else [])
            # With a split, every model measures the documents of half B.
            measured = models if measured_tokens is None else [
                tp.apply_model(m, measured_tokens[["doc_id", "tokens"]]) for m in models]
            doc_topics = result.doc_topic_frame()
            out = {"topic_terms": tp.top_terms(result, n=t.n_terms, measure="prob"),
                   "topic_terms_frex": tp.top_terms(result, n=t.n_terms, measure="frex"),
                   "topic_correlations": tp.topic_correlations(result),
                   # the model's own documents (half A with a split), in its row order
                   "representative_documents": tp.representative_documents(
                       result, docs.set_index("doc_id").loc[list(result.doc_ids)].reset_index(), n=3),
                   "doc_topics": doc_topics,
                   "topic_map": topic_map(result), "topic_relevance": relevance_terms(result, 30)}
            from patsy import PatsyError

            # estimate_effects and prevalence_by_group match the metadata to the
            # model by doc_id and leave out documents missing a covariate they use
            # (undated pages, unknown localities); "district" groups by province,
            # district and locality.
            covariates = meta.reset_index(drop=True)
            if seeds:
                out["seed_retention"] = tp.seed_retention(result)
            if len(models) > 1:
                out["topic_matching"] = tp.match_refits(models)
            if split_table is not None:
                out["split"] = split_table
            try:
                if e.formula.strip():  # "" : no effects (toolkit.study.adapt_defaults says why)
                    out["effects"] = tp.estimate_effects(measured if len(measured) > 1 else measured[0], covariates,
                                                         e.formula, n_draws=e.n_draws, random_state=seed)
            except (ValueError, PatsyError) as exc:  # e.g. a corpus without the formula's columns
                logger.warning("effects left out: %s (set [effects] formula to columns your corpus has)", exc)
            try:
                out["topic_prevalence_district_year"] = tp.prevalence_by_group(
                    measured[0], covariates, by=("district", "year"), n_draws=e.n_draws, random_state=seed)
            except ValueError as exc:
                logger.warning("prevalence by locality and year left out: %s", exc)
            return out
        tables = cache.tables("effects", _key(*base_key, t, n_topics, seed, config.effects), effects_compute)
    _warn_lost_seeds(tables.get("seed_retention"), tables.get("topic_terms_frex"))
    return {**selected, **tables}


def _warn_lost_seeds(retention: pd.DataFrame | None, frex: pd.DataFrame | None) -> None:
    """A warning per seeded topic that carries its theme's name but is not held by its seed terms."""
    from toolkit.topics.seeded import not_held_reason

    if retention is None or retention.empty:
        return
    for row in retention[~retention["held"].astype(bool)].itertuples():
        words = ""
        if frex is not None and not frex.empty:
            terms = frex[frex["label"].astype(str) == row.label].sort_values("rank")["term"].head(5)
            words = f" (its words: {', '.join(str(x).replace('_', ' ') for x in terms)})"
        logger.warning("seeded topic %s%s: %s (tables/seed_retention.csv)", row.label, words, not_held_reason(row))


def _split_tokens(tokens: pd.DataFrame, split: float, seed: int
                  ) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """``(tokens of half A, tokens of half B, the split table)``; without a split ``(tokens, None, None)``."""
    from toolkit.topics.uncertainty import split_sample

    if not split:
        return tokens, None, None
    try:
        table = split_sample(tokens["doc_id"], split, random_state=seed)
    except ValueError as exc:
        raise ValueError(f"[topics] split: {exc}") from exc
    half = tokens["doc_id"].astype(str).map(table.set_index("doc_id")["half"]).to_numpy()
    logger.info("split sample: K and the model from %d documents (half A), effects from %d (half B)",
                int((half == "A").sum()), int((half == "B").sum()))
    return (tokens[half == "A"].reset_index(drop=True), tokens[half == "B"].reset_index(drop=True), table)


def _refit(config: RunConfig, tokens: pd.DataFrame, seeds: dict, n_topics: int, random_state: int,
           cache: StageCache, base_key: tuple):
    """The run's model refitted at ``random_state`` (global uncertainty), cached like the model itself."""
    from toolkit import topics as tp
    from toolkit.topics.persist import load_result, save_result

    t = config.topics
    model_dir = cache.folder("model", _key(*base_key, t, n_topics, random_state))
    if cache.enabled and (model_dir / "model.json").exists():
        return load_result(model_dir)
    filters = {"min_df": t.min_df, "max_df": t.max_df}
    table = tokens[["doc_id", "tokens"]]
    logger.info("effects: refitting the model at random_state=%d (global uncertainty)", random_state)
    if seeds:
        refit = tp.fit_seeded_lda(table, seeds, n_topics, random_state=random_state, engine=t.engine,
                                  warn_not_held=False, **filters)  # a refit's topics are matched to the run's
    else:
        refit = tp.fit_lda(table, n_topics, random_state=random_state, engine=t.engine, **filters)
    if cache.enabled:
        save_result(refit, model_dir)
    return refit


def _seed_themes(t, token_lists: list[list[str]], themes_path: Path) -> dict[str, list[str]]:
    """The themes seeded as topics: ``[topics] seed_themes`` (every theme when empty) that have a seed term
    in the vocabulary (the others are left out with a warning)."""
    from toolkit import themes as th
    from toolkit import topics as tp
    from toolkit.text.vocabulary import build_vocabulary

    seeds = th.load_themes(themes_path).token_terms()
    if t.seed_themes:
        unknown = sorted(set(t.seed_themes) - set(seeds))
        if unknown:
            raise ValueError(f"[topics] seed_themes: unknown theme(s) {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(seeds))}")
        seeds = {k: seeds[k] for k in t.seed_themes}
    # the model's own vocabulary ([topics] min_df/max_df): a seed term filtered out cannot seed
    vocabulary = build_vocabulary(token_lists, min_df=t.min_df, max_df=t.max_df).terms
    coverage = tp.seed_coverage(seeds, vocabulary)
    keep = set(coverage.loc[coverage["n_in_vocabulary"] > 0, "theme"])
    for theme in sorted(set(seeds) - keep):
        logger.warning("seeded topics: theme %s has no seed term in the vocabulary; left out", theme)
    return {k: v for k, v in seeds.items() if k in keep}


def planted_vs_recovered_table(shares_year: pd.DataFrame, truth: Path, docs: pd.DataFrame) -> pd.DataFrame:
    """Recovered theme share by year beside the planted probability (demo corpus only).

    The planted share of a year is the mean of the planted cell probabilities
    over the documents of that year, so it is comparable with the recovered
    share of documents.
    """
    planted = pd.read_csv(truth / "theme_shares.csv")
    truth_docs = pd.read_csv(truth / "documents.csv")
    weights = truth_docs.groupby(["province", "district", "year"]).size().rename("n").reset_index()
    merged = planted.merge(weights, on=["province", "district", "year"], how="inner")
    merged["w"] = merged["share"] * merged["n"]
    by_year = merged.groupby(["theme", "year"], as_index=False)[["w", "n"]].sum()
    by_year["planted_share"] = by_year["w"] / by_year["n"]
    rec = shares_year[["year", "theme", "share", "ci_low", "ci_high", "n_docs"]].copy()
    rec["year"] = rec["year"].astype("int64")
    table = rec.merge(by_year[["theme", "year", "planted_share"]], on=["theme", "year"], how="inner")
    return table.sort_values(["theme", "year"], ignore_index=True)


#: Dated real articles on which the date rules are measured (``../shared``; its dates are hidden, then compared).
DATE_QUALITY_CORPUS = ("unc-dantri", "unc_dantri.jsonl")


def reference_cache(cache: StageCache) -> StageCache:
    """Where the tables computed from the project's reference data are cached: ``CACHE_DIR/reference``.

    The dictionary's quality on the labelled articles and the date rules' accuracy on dantri depend on the
    themes file, the lexicons, the labels, the settings, the seed and the code (all in their keys), never on
    the run's corpus: computed once per checkout, not once per stage cache. ``cache`` says whether caching is
    on at all; :func:`repro_check` gives each of its runs empty caches of every kind.
    """
    return StageCache(CACHE_DIR / "reference", enabled=cache.enabled)


def date_quality_table(config: RunConfig, cache: StageCache) -> pd.DataFrame | None:
    """How often the date rules give the right year to a page without a date line, or None.

    With ``[themes] devset_quality`` and ``../shared/corpora`` present: the
    2,653 dantri articles of 2019–21 ingested with their dates and addresses
    hidden, so that they are dated from their text only, and compared with
    their publication dates (:func:`toolkit.ingest.accuracy.date_accuracy`).
    """
    from toolkit.config import SHARED_DIR
    from toolkit.ingest.accuracy import date_accuracy, date_rules_without_dates

    path = SHARED_DIR / "corpora" / Path(*DATE_QUALITY_CORPUS)
    if not config.themes.devset_quality or not path.is_file():
        return None
    key = _key("date_quality", hashlib.sha256(path.read_bytes()).hexdigest()[:16], code_version())

    def compute() -> pd.DataFrame:
        documents, truth = date_rules_without_dates(path, n_jobs=config.preprocess.n_jobs)
        return date_accuracy(documents, truth).assign(
            source=f"{len(truth)} dantri articles of 2019-21 (../shared), dates and addresses hidden")
    return reference_cache(cache).table("date_quality", key, compute)


def sheet_with_run_flags(sheet: pd.DataFrame, hits: pd.DataFrame | None) -> pd.DataFrame:
    """A coded sheet whose ``t__dictionary`` columns are what this run's dictionary says.

    The sheet stores the flags of the dictionary it was drawn with; once the
    themes file is edited they are stale, and scoring them would report the
    old dictionary's quality beside the new one's figures. Each flag of a
    sheet document the run's ``theme_hits`` has is replaced by the run's;
    a document the run's corpus lacks keeps the sheet's flag (a warning
    counts them). The sampling weights stay valid: they are the documents'
    chances of being drawn, whatever the dictionary now says of them. What
    the old dictionary flagged in each stratum (``t__stratum_flagged``) does
    not: it is dropped for a theme the run flags otherwise (on a coded
    document, or on as many documents in all), whose strata's flagged sizes
    are then estimated from the coded rows.
    """
    from toolkit.themes.validate import SEP, STRATUM_FLAGGED

    STRATUM_FLAGGED_SEP = f"{SEP}{STRATUM_FLAGGED}"
    if hits is None or hits.empty or "doc_id" not in sheet.columns:
        return sheet
    present = hits.pivot_table(index="doc_id", columns="theme", values="present", aggfunc="max")
    ids = sheet["doc_id"].astype(str)
    out = sheet.copy()
    changed, missing = {}, set()
    for theme in present.columns:
        column = f"{theme}{SEP}dictionary"
        if column not in out.columns:
            continue
        run = ids.map(present[theme].astype(int))
        missing |= set(ids[run.isna()])
        old = pd.to_numeric(out[column], errors="coerce")
        new = run.fillna(old)
        changed[str(theme)] = int((new.notna() & old.notna() & (new != old)).sum())
        out[column] = new.astype("Int64")
    if missing:
        logger.warning("theme quality: %d of the coded sheet's documents are not in this run's corpus; their "
                       "dictionary flags are the sheet's", len(missing))
    edited = {t: n for t, n in sorted(changed.items()) if n}
    # What the sampled dictionary flagged in each stratum is stale once this run flags otherwise: a coded
    # document, or as many documents in all (the run's corpus is the one drawn from, else the counts do not
    # apply to it either). Those themes' strata sizes are then estimated from the coded rows, as for a sheet
    # drawn before the counts were written.
    stale = []
    for theme in present.columns:
        column = f"{theme}{STRATUM_FLAGGED_SEP}"
        if column not in out.columns or "stratum" not in out.columns:
            continue
        drawn = pd.to_numeric(out.groupby("stratum")[column].first(), errors="coerce").sum()
        now = int(present[theme].fillna(False).astype(bool).sum())
        if str(theme) in edited or drawn != now:
            stale.append(column)
        if drawn != now and str(theme) not in edited:
            # an edit that changed only documents nobody coded: the score cannot see it
            logger.warning("theme quality: the dictionary now flags %d %s document(s) in this run's corpus, %d when "
                           "the sheet was drawn (the themes file was edited, or the corpus is another); none of the "
                           "coded documents changed, so the quality shown is the coded documents' and says nothing "
                           "of the %d that changed: draw and code a new sample to measure the edited terms",
                           now, theme, int(drawn), abs(now - int(drawn)))
    out = out.drop(columns=stale)
    if edited:
        logger.warning("theme quality: the dictionary now flags %s coded document(s) otherwise than when the sheet "
                       "was drawn (the themes file was edited); scored with this run's dictionary",
                       ", ".join(f"{n} {t}" for t, n in edited.items()))
    return out


def theme_quality_table(config: RunConfig, themes_path: Path, cache: StageCache,
                        hits: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """How far the theme measure can be trusted: precision, recall and F1 with intervals, or None.

    From the researcher's coded sheet (``[themes] validation_sheet``, scored
    with :func:`toolkit.themes.validate.score_sheet`), else — with ``[themes]
    devset_quality`` and ``../shared/corpora`` present — from the project's
    labelled holdout of real articles (:func:`toolkit.themes.validate.dictionary_quality`
    on the ``holdout`` split of ``corpora/validation/devset.csv``, coded after the dictionary
    was frozen, each theme on the rounds held out for it: ``heldout.csv``). ``source`` says
    which, per row.
    """
    from toolkit import themes as th
    from toolkit.themes import validate as va
    from toolkit.config import SHARED_DIR
    from toolkit.corpus import read_table

    t = config.themes
    if t.validation_sheet:
        sheet_path = config.resolve(t.validation_sheet)
        # scored with this run's dictionary, not the one the sheet was drawn with
        sheet = sheet_with_run_flags(read_table(sheet_path), hits)
        # the interval draws take the run's seed
        key = _key("theme_quality_sheet", frame_hash(sheet), code_version(), config.random_state)
        def score() -> pd.DataFrame:
            try:
                table = va.score_sheet(sheet, random_state=config.random_state)
            except ValueError as exc:  # a bad label, a repeated doc_id: named by row, in the researcher's sheet
                raise UserError(str(exc), path=sheet_path,
                                fix="mend the sheet (or check it with `python -m toolkit validate score`)") from None
            # the coders' agreement, as `validate score` reports it: the captions and the methods page show it
            return va.with_agreement(table, sheet)

        table = cache.table("theme_quality", key, score)
        return table.assign(source=str(t.validation_sheet))
    corpora = SHARED_DIR / "corpora"
    if not t.devset_quality or not corpora.is_dir():
        logger.info("theme quality: no validation sheet and no shared corpora; the theme figures carry no measured quality")
        return None
    dictionary = th.load_themes(themes_path)
    ids = [i for i in va.DEVSET_THEMES if i in dictionary.ids]
    if not ids:
        return None
    # the articles' tokens follow the lexicons and the preprocess settings; the interval draws take the run's seed
    p = config.preprocess
    key = _key("theme_quality_devset", hashlib.sha256(themes_path.read_bytes()).hexdigest()[:16],
               *(hashlib.sha256(va.devset_path().with_name(name).read_bytes()).hexdigest()[:16]
                 for name in DEVSET_FILES),
               code_version(), ids, lexicon_version(), p.keep_numbers, p.remove_persons, config.random_state,
               # the texts' files in ../shared (never edited; a replaced copy is read again)
               [((corpora / name).stat().st_size, (corpora / name).stat().st_mtime_ns)
                for _, name in va.DEVSET_SOURCES if (corpora / name).is_file()])

    def compute() -> pd.DataFrame:
        dev = va.read_devset(corpora, split="holdout")
        docs = dev[["doc_id", "title", "body", "date", "year"]]
        short = docs.assign(title="", body=dev["short"])
        # The labelled articles are fixed reference data, not this run's corpus: their tokens go through the
        # token cache every command shares (.cache/preprocess, where `validate` and the devset tests put them),
        # so a run with an empty stage cache does not segment 16,000 articles again.
        tokens = tokenize_documents(config, docs, cache, shared=True)
        short_tokens = tokenize_documents(config, short, cache, shared=True)
        # Each theme on the rounds held out for it (corpora/validation/heldout.csv).
        table = va.dictionary_quality(dev, th.theme_hits(tokens, dictionary, docs),
                                      th.theme_hits(short_tokens, dictionary, short), theme_ids=ids,
                                      rounds=va.heldout_rounds(), random_state=config.random_state)

        def source(rounds: str, n: int) -> str:
            named = ("rounds " if "," in rounds else "round ") + va.rounds_label(rounds)
            return f"corpora/validation {named}, held out ({n} real articles)"

        # what a reader must know about a theme's held-out rounds (heldout.csv's note), beside its scores
        notes = va.heldout_notes()
        return table.assign(source=[source(r, int(n)) for r, n in zip(table["rounds"], table["n_coded"])],
                            note=[notes.get(theme, "") for theme in table["theme"]])
    return reference_cache(cache).table("theme_quality", key, compute)


def ingest_accuracy_table(documents: pd.DataFrame, truth: Path, cache: StageCache) -> pd.DataFrame:
    """Ingest accuracy against the planted truth (demo corpus only): :func:`toolkit.simulate.ingest_accuracy`.

    Every ingested page is scored, reposts included. The demo takes localities
    from ``sources.toml``, so the locality is also inferred from each page's
    text alone (``province_from_text``, ``district_from_text``): a regression
    of :func:`toolkit.places.infer_locality` shows there.
    """
    from toolkit.places import infer_locality
    from toolkit.simulate import ingest_accuracy

    truth_docs = pd.read_csv(truth / "documents.csv", dtype=str, keep_default_na=False)
    key = _key("ingest_accuracy", frame_hash(documents), frame_hash(truth_docs), code_version())

    def compute() -> pd.DataFrame:
        docs = documents.copy()
        found = [infer_locality("\n\n".join(p for p in (body, captions) if p), title=title, issuer=issuer)
                 for body, captions, title, issuer in zip(docs["body"], docs["captions"], docs["title"],
                                                          docs["issuer"])]
        docs["province_from_text"] = [f.province for f in found]
        docs["district_from_text"] = [f.district for f in found]
        return ingest_accuracy(docs, truth_docs)

    return cache.table("ingest_accuracy", key, compute)


def repro_check(config: RunConfig, *, workdir: str | os.PathLike | None = None) -> tuple[bool, list[str]]:
    """Run the pipeline twice into two folders and compare every output file's hash.

    Each run is a process of its own with its own ``PYTHONHASHSEED`` (so an
    output that depends on set or dict order of strings, or on anything kept
    in memory between runs, differs), and starts from empty caches (the stage
    cache with the simulated corpus, the token cache and the reference tables
    of ``TOOLKIT_CACHE``), so the check covers every computation, not the
    cache. The runs' ``manifest.sha256`` files are compared, and every file
    besides. Sidecars record the git commit, so run it on one checkout.
    Returns ``(identical, differences)``.
    """
    import pickle
    import subprocess
    import sys

    root = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="repro-"))
    root.mkdir(parents=True, exist_ok=True)
    spec = root / "config.pickle"
    spec.write_bytes(pickle.dumps(config))
    script = ("import pickle, sys; from pathlib import Path; from toolkit.pipeline import run_pipeline; "
              "run_pipeline(pickle.loads(Path(sys.argv[1]).read_bytes()), output_dir=sys.argv[2], cache_dir=sys.argv[3])")
    hashes = []
    for i, name in enumerate(("run1", "run2")):
        # Each run gets its own empty stage cache and its own toolkit cache (the shared token cache and the
        # reference tables live there): both compute everything.
        env = {**os.environ, "PYTHONHASHSEED": str(i + 1), "TOOLKIT_CACHE": str(root / f"toolkit-cache-{name}")}
        done = subprocess.run([sys.executable, "-c", script, str(spec), str(root / name), str(root / f"cache-{name}")],
                              env=env, check=False)
        if done.returncode:
            raise RuntimeError(f"repro-check: run {name} failed (exit status {done.returncode}); see its log above")
        hashes.append({p.relative_to(root / name).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                       for p in sorted((root / name).rglob("*")) if p.is_file()})
    differences = sorted(k for k in set(hashes[0]) | set(hashes[1]) if hashes[0].get(k) != hashes[1].get(k))
    return not differences, differences


__all__ = ["DemoData", "RunSummary", "load_demo", "StageCache", "code_version", "demo_corpus", "load_documents", "planted_vs_recovered_table",
           "repro_check", "run_pipeline", "tokenize_documents"]
