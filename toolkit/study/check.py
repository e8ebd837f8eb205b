"""A dry run of ``make figures``: what the run will read, choose, make and cost — in seconds.

:func:`check_run` reads the inputs (all of them, or a seeded sample of the
files for big folders), and returns a :class:`CheckReport` of tidy tables
(its coverage tables count the documents the run analyses: reposts left out
unless ``[corpus] include_duplicates = true``);
``python -m toolkit check --config FILE`` prints it. The pipeline runs the
same checks first (:func:`config_problems` before it reads anything,
:func:`corpus_problems` right after ingest) and stops with a
:class:`~toolkit.errors.UserError` that names the file and the fix.
"""

from __future__ import annotations

import ast
import logging
import os
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.config import RunConfig
from toolkit.errors import UserError
from toolkit.ingest.dates import PAGE_DATE_SOURCES
from toolkit.study.adapt import FIGURE_NEEDS, adapt_defaults, figure_plan, fits_topic_model, not_fitted_choice

logger = logging.getLogger("toolkit.study")

#: How the document table's ``date_source`` values were found (README, "The document table").
DATE_HOW = {
    **dict.fromkeys(PAGE_DATE_SOURCES, "read from the page"), "event": "event date in the opening",
    "review-year": "year only", "title-year": "year only", "banner-year": "year only",
}

INTERVALS = ("jeffreys", "wilson", "bootstrap")
ENGINES = ("gensim", "tomotopy")
SELECTIONS = ("sample", "full")
LANGUAGES = ("en", "vi")
FORMATS = ("png", "svg", "pdf")


def _config_path(config: RunConfig) -> str | None:
    return config.config_file or None


def _writable(folder: Path) -> bool:
    probe = folder
    while not probe.exists():
        if probe.parent == probe:
            return False
        probe = probe.parent
    return probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)


def config_problems(config: RunConfig, *, output_dir: str | os.PathLike | None = None) -> list[UserError]:
    """Problems of ``config`` found without reading the corpus (fast).

    Checks the input paths, the sources file, the themes file (every rule
    compiled), ``seed_themes``, the validation sheet, the output folder
    (writable), and the values of settings with a fixed set of choices.
    """
    where = _config_path(config)
    problems: list[UserError] = []
    c = config.corpus
    if not c.simulate:
        if not c.paths:
            problems.append(UserError("[corpus] simulate = false but paths is empty", path=where,
                                      fix='set paths = ["pages"] (a folder of .txt/.html pages or a table)'))
        for raw in c.paths:
            if not config.resolve(raw).exists():
                problems.append(UserError(f"[corpus] paths: {config.resolve(raw)} does not exist", path=where,
                                          fix="create the folder and drop your pages into it, or correct the path "
                                              "(relative paths start at "
                                              f"{config.base_dir()}, see `root`)"))
        if c.sources:
            sources = config.resolve(c.sources)
            if not sources.exists():
                problems.append(UserError(f"[corpus] sources: {sources} does not exist", path=where,
                                          fix='create it (python -m toolkit init writes an example) or set sources = ""'))
            else:
                from toolkit.places import load_sources

                try:
                    load_sources(sources)
                except UserError as exc:  # names the file, the entry and its fix
                    problems.append(exc)
                except ValueError as exc:
                    problems.append(UserError(str(exc), fix="correct that [[source]] entry: match = a folder, glob "
                                                            "or domain; province (and district) as the gazetteer "
                                                            "writes them"))
    problems.extend(_themes_problems(config))
    if config.topics.selection_sample < 1:
        problems.append(UserError(f"[topics] selection_sample = {config.topics.selection_sample}: model selection "
                                  "needs at least one document", path=where,
                                  fix='set selection_sample to a number of documents (5000 by default), or '
                                      'selection = "full"'))
    if config.topics.n_topics == 0 and not config.topics.n_topics_grid:
        problems.append(UserError("[topics] n_topics = 0 (choose by model selection) but n_topics_grid is empty",
                                  path=where, fix="set n_topics to a number of topics, or remove n_topics_grid"))
    problems.extend(_seeded_k_problems(config, where))
    t = config.themes
    if t.validation_sheet and not config.resolve(t.validation_sheet).exists():
        problems.append(UserError(f"[themes] validation_sheet: {config.resolve(t.validation_sheet)} does not exist",
                                  path=where, fix='give your coded sheet (python -m toolkit validate sample) or set '
                                                  'validation_sheet = ""'))
    elif t.validation_sheet:
        problems.extend(_sheet_problems(config.resolve(t.validation_sheet), config.random_state))
    for key, value, allowed in (("themes.interval", t.interval, INTERVALS),
                                ("topics.engine", config.topics.engine, ENGINES),
                                ("topics.selection", config.topics.selection, SELECTIONS),
                                ("figures.language", config.figures.language, LANGUAGES)):
        if value not in allowed:
            problems.append(UserError(f"{key} = {value!r} is not one of {', '.join(allowed)}", path=where,
                                      fix=f"write one of {', '.join(repr(a) for a in allowed)}"))
    periods = [tuple(p) for p in t.periods]
    reversed_ = [p for p in periods if p[0] > p[1]]
    if reversed_:
        problems.append(UserError(
            f"[themes] periods: {', '.join(f'[{a}, {b}]' for a, b in reversed_)} ends before it starts",
            path=where, fix="write each period as [first year, last year], e.g. [2019, 2021]"))
    ordered = sorted(p for p in periods if p[0] <= p[1])
    overlaps = [(a, b) for a, b in zip(ordered, ordered[1:]) if b[0] <= a[1]]
    if overlaps:
        problems.append(UserError(
            "[themes] periods overlap: " + "; ".join(f"[{a[0]}, {a[1]}] and [{b[0]}, {b[1]}]" for a, b in overlaps),
            path=where, fix="a year belongs to one period: make them disjoint, e.g. [2015, 2019], [2020, 2022]"))
    bad = [f for f in config.figures.formats if f not in FORMATS]
    if bad:
        problems.append(UserError(f"figures.formats: unknown format(s) {', '.join(bad)}", path=where,
                                  fix=f"use {', '.join(FORMATS)}"))
    unknown = [f for f in config.figures.include if f not in FIGURE_NEEDS]
    if unknown:
        import difflib

        close = [difflib.get_close_matches(f, list(FIGURE_NEEDS), n=1) for f in unknown]
        hint = "; ".join(f"{f!r}: did you mean {c[0]!r}?" for f, c in zip(unknown, close) if c)
        problems.append(UserError(f"figures.include: unknown figure(s) {', '.join(unknown)}", path=where,
                                  fix=(hint + "; " if hint else "") + f"figures: {', '.join(FIGURE_NEEDS)}"))
    out = Path(output_dir) if output_dir is not None else config.resolve(config.output_dir)
    if out.exists() and not out.is_dir():
        problems.append(UserError(f"the output folder {out} is a file", path=where,
                                  fix="set output_dir to a folder (or pass -o DIR)"))
    elif not _writable(out):
        problems.append(UserError(f"the output folder {out} is not writable", path=where,
                                  fix="set output_dir (or -o DIR) to a folder you can write to"))
    return problems


def as_config_error(exc: UserError) -> UserError:
    """An ingest error worded for the run's configuration: ``--text-field`` → ``[corpus] text_field``."""
    import re

    def wording(text: str) -> str:
        return re.sub(r"--(text|title|date|id)-field", r"[corpus] \1_field", text)

    return UserError(wording(exc.message), path=exc.path, fix=wording(exc.fix))


def _themes_problems(config: RunConfig) -> list[UserError]:
    from toolkit.themes.dictionary import load_themes

    path = config.resolve(config.themes.file)
    try:
        dictionary = load_themes(path)
    except UserError as exc:
        return [exc]
    import difflib

    problems = []
    t = config.topics
    named = [("[topics] seed_themes", t.seed_themes if t.seeded else ()), ("[figures] themes", config.figures.themes)]
    for setting, ids in named:
        unknown = sorted(set(ids) - set(dictionary.ids))
        if unknown:
            hints = [f"{u!r}: did you mean {m[0]!r}?" for u in unknown
                     if (m := difflib.get_close_matches(u, sorted(dictionary.ids), n=1))]
            problems.append(UserError(f"{setting}: {', '.join(unknown)} not in the themes file {path}",
                                      path=_config_path(config),
                                      fix="; ".join(hints) or f"themes of that file: {', '.join(sorted(dictionary.ids))}"))
    return problems


def _seeded_k_problems(config: RunConfig, where) -> list[UserError]:
    """A K the config sets that cannot hold the seeded themes plus one free topic (found before any fit)."""
    from toolkit.study.adapt import seeded_min_topics

    t = config.topics
    min_k = seeded_min_topics(config)
    if min_k <= 2:
        return []
    fix = (f"set K to at least {min_k} (n_topics counts every topic, the {min_k - 1} seeded themes and at least one "
           "free topic), seed fewer themes ([topics] seed_themes) or set seeded = false")
    if t.n_topics > 0 and t.n_topics < min_k:
        return [UserError(f"[topics] n_topics = {t.n_topics}: {min_k - 1} seeded themes need at least {min_k} topics",
                          path=where, fix=fix)]
    small = [k for k in t.n_topics_grid if k < min_k]
    if t.n_topics == 0 and small and config.is_set("topics.n_topics_grid"):
        return [UserError(f"[topics] n_topics_grid: K = {', '.join(map(str, small))} cannot hold the {min_k - 1} "
                          f"seeded themes and a free topic (at least {min_k} topics)", path=where,
                          fix=fix + "; or leave n_topics_grid out and the run chooses a grid for the corpus")]
    return []


def formula_names(formula: str) -> list[str]:
    """Column names a patsy formula uses (``"~ C(locality) + bs(year, df=3)"`` → ``locality, year``).

    Function names (``C``, ``bs``, ``np.log``) are not columns.

    Examples
    --------
    >>> formula_names("~ C(locality) * bs(year, df=3) + np.log(views)")
    ['locality', 'views', 'year']
    """
    import patsy

    desc = patsy.ModelDesc.from_formula(formula if "~" in formula else "~ " + formula)
    names: set[str] = set()
    for term in desc.lhs_termlist + desc.rhs_termlist:
        for factor in term.factors:
            tree = ast.parse(factor.name(), mode="eval")
            not_columns = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
            not_columns |= {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
            names.update(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in not_columns)
    return sorted(names)


def corpus_problems(config: RunConfig, documents: pd.DataFrame, rejects: pd.DataFrame, *,
                    n_files: int | None = None) -> list[UserError]:
    """Problems found once the inputs are read: nothing read, everything rejected, settings naming
    columns the document table lacks."""
    where = _config_path(config)
    inputs = ", ".join(str(config.resolve(p)) for p in config.corpus.paths) or "the inputs"
    problems: list[UserError] = []
    if documents.empty:
        if len(rejects):
            reasons = Counter(rejects["reason"].astype(str))
            common = "; ".join(f"{r} (×{n})" for r, n in reasons.most_common(3))
            problems.append(UserError(f"all {len(rejects)} inputs were rejected: {common}", path=inputs,
                                      fix="read the rejects (python -m toolkit check --config CONFIG -o DIR writes "
                                          "DIR/rejects.csv): pages need article text; tables need a text column "
                                          "([corpus] text_field)"))
        else:
            problems.append(UserError("no documents read: no input files", path=inputs,
                                      fix="drop .txt or .html pages (or .csv/.jsonl tables) into that folder, or "
                                          "collect them there with python -m toolkit collect"))
        return problems
    columns = set(documents.columns) | {"period"}
    formula = config.effects.formula
    if formula.strip():
        import patsy

        try:
            missing = sorted(set(formula_names(formula)) - columns)
        except (patsy.PatsyError, SyntaxError) as exc:
            problems.append(UserError(f"[effects] formula {formula!r} is not a valid formula: {exc}", path=where,
                                      fix='write it like "~ C(locality) + C(year)", or remove the line and the '
                                          "run chooses one"))
        else:
            if missing:
                problems.append(UserError(
                    f"[effects] formula {formula!r} names {', '.join(missing)}, not a column of the document table",
                    path=where, fix="use columns the corpus has (locality, province, district, year, period, "
                                    "category, …), or remove the line and the run chooses a formula"))
    group = config.keyness.group
    if group not in columns and group != "district":
        problems.append(UserError(f"[keyness] group = {group!r} is not a column of the document table", path=where,
                                  fix='use "locality", "province" or "year", or remove the line'))
    elif config.figures.include and not problems:
        # a list whose every figure this corpus cannot support would make a run of no figure (an empty list
        # means every figure): said now, with each figure's reason
        from toolkit.corpus import apply_repost_policy

        docs = apply_repost_policy(documents, config.corpus.include_duplicates)
        adapted, _ = adapt_defaults(config, docs)
        plan = figure_plan(replace(adapted, figures=config.figures), docs).set_index("figure")
        if not plan["made"].any():
            reasons = "; ".join(f"{name}: {plan.loc[name, 'reason'] if name in plan.index else 'no such figure'}"
                                for name in config.figures.include)
            problems.append(UserError(f"[figures] include: this corpus supports none of the listed figures ({reasons})",
                                      path=where, fix="list figures the corpus supports (python -m toolkit check "
                                                      "says which), or remove the line and the run makes every one"))
    return problems


def raise_problems(problems: list[UserError], config: RunConfig) -> None:
    """Raise the first problem, saying how many more there are and how to list them."""
    if not problems:
        return
    first = problems[0]
    if len(problems) > 1:
        where = config.config_file or "CONFIG"
        raise UserError(f"{first.message} (and {len(problems) - 1} more problem(s); "
                        f"python -m toolkit check --config {where} lists them)", path=first.path, fix=first.fix)
    raise first


@dataclass
class CheckReport:
    """What :func:`check_run` found. Every table is tidy; ``errors`` stop a run, ``warnings`` do not.

    Attributes
    ----------
    config : RunConfig
        The config with its unset settings chosen to fit the corpus.
    n_files, n_files_read : int
        Input files found, and read (fewer when a sample was read).
    n_documents : int
        Documents read (reposts included).
    n_analysed : int
        Documents the run analyses: those read, reposts left out unless
        ``[corpus] include_duplicates = true``. The coverage tables
        (``by_locality_year``, ``encodings``, ``dates``, ``localities``)
        count these.
    by_locality_year : DataFrame
        ``locality, year, n_docs, sparse`` (``year`` ``"undated"``, locality
        ``"(unknown)"`` where missing; ``sparse``: fewer than ``[themes] min_docs``).
    encodings, dates, localities : DataFrame
        ``encoding, n_docs``; ``date_source, how, n_docs, share``;
        ``how, n_docs, share`` (sources file, table columns, place names in
        the text, unknown).
    rejects, reposts : DataFrame
        ``source, line, reason``; ``doc_id, source, duplicate_of``.
    figures, choices, cost : DataFrame
        ``figure, made, reason``; ``setting, value, chosen_by, reason``;
        ``stage, n_documents, n_fits, note``.
    errors, warnings, notes : list
        Problems that stop a run; problems that do not; what the tables
        count (``check`` prints them as ``error:``, ``warning:``, ``note:``).
    """

    config: RunConfig
    errors: list[UserError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    n_files: int = 0
    n_files_read: int = 0
    n_documents: int = 0
    n_analysed: int = 0
    by_locality_year: pd.DataFrame = field(default_factory=pd.DataFrame)
    encodings: pd.DataFrame = field(default_factory=pd.DataFrame)
    rejects: pd.DataFrame = field(default_factory=pd.DataFrame)
    reposts: pd.DataFrame = field(default_factory=pd.DataFrame)
    dates: pd.DataFrame = field(default_factory=pd.DataFrame)
    localities: pd.DataFrame = field(default_factory=pd.DataFrame)
    figures: pd.DataFrame = field(default_factory=pd.DataFrame)
    choices: pd.DataFrame = field(default_factory=pd.DataFrame)
    cost: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def sampled(self) -> bool:
        return self.n_files_read < self.n_files

    def tables(self) -> dict[str, pd.DataFrame]:
        """The report's tables by name (what ``check -o DIR`` writes)."""
        return {"by_locality_year": self.by_locality_year, "encodings": self.encodings, "rejects": self.rejects,
                "reposts": self.reposts, "dates": self.dates, "localities": self.localities,
                "figures": self.figures, "run_choices": self.choices, "cost": self.cost}


def _share(table: pd.DataFrame, total: int) -> pd.DataFrame:
    return table.assign(share=(table["n_docs"] / total).round(3) if total else 0.0)


def by_locality_year(documents: pd.DataFrame, min_docs: int) -> pd.DataFrame:
    """Documents per locality and year, sparse cells marked (``locality, year, n_docs, sparse``)."""
    year = pd.to_numeric(documents["year"], errors="coerce")
    table = pd.DataFrame({
        "locality": documents["locality"].fillna("").astype(str).replace("", "(unknown)"),
        "year": [str(int(y)) if pd.notna(y) else "undated" for y in year],
    })
    counts = table.groupby(["locality", "year"]).size().rename("n_docs").reset_index()
    counts["sparse"] = counts["n_docs"] < min_docs
    return counts.sort_values(["locality", "year"], ignore_index=True)


def date_coverage(documents: pd.DataFrame) -> pd.DataFrame:
    """How the dates were found: ``date_source, how, n_docs, share`` (``(undated)`` included)."""
    source = documents["date_source"].fillna("").astype(str)
    undated = pd.to_numeric(documents["year"], errors="coerce").isna()
    source = source.where(~undated, "(undated)")
    counts = source.value_counts().rename_axis("date_source").rename("n_docs").reset_index()
    counts["how"] = [("undated" if s == "(undated)" else DATE_HOW.get(s, "event day, year inferred"
                                                                      if s.startswith("event+") else "other"))
                     for s in counts["date_source"]]
    counts = counts.sort_values(["n_docs", "date_source"], ascending=[False, True], ignore_index=True)
    return _share(counts[["date_source", "how", "n_docs"]], len(documents))


def _sheet_problems(path: Path, random_state: int) -> list[UserError]:
    """The coded sheet scored as the run's quality stage will score it: what would stop ``make figures`` there.

    The run scores it with its own dictionary's flags (:func:`toolkit.pipeline.sheet_with_run_flags`); the
    sheet's labels, rows, strata and weights are checked here as they are.
    """
    from toolkit.corpus import read_table
    from toolkit.themes.validate import score_sheet

    try:
        score_sheet(read_table(path), random_state=random_state)
    except (ValueError, OSError) as exc:
        if isinstance(exc, UserError):
            return [exc]
        return [UserError(f"[themes] validation_sheet: {exc}", path=path,
                          fix="mend the sheet (check it with `python -m toolkit validate score`); keep every row "
                              "`validate sample` wrote, blanking labels rather than deleting rows")]
    return []


def locality_coverage(documents: pd.DataFrame) -> pd.DataFrame:
    """How the localities were found: ``how, n_docs, share``, from ``locality_evidence``."""
    def how(evidence: str, locality: str, district: str) -> str:
        if not locality:
            return "unknown"
        level = "district" if district else "province only"
        if evidence.startswith("sources:"):
            if "; text (district): " in evidence:  # a province-only rule, the district from the page's text
                return "sources file (province), place names in the text (district)"
            return f"sources file ({level})"
        if evidence.startswith("table columns"):
            return f"table columns ({level})"
        if evidence.startswith("site"):  # "site: …", "site (province): …; text (district): …"
            if "; text (district): " in evidence:
                return "the site's name (province), place names in the text (district)"
            return f"the site's name ({level})"
        return f"place names in the text ({level})"

    kinds = [how(str(e), str(loc), str(d)) for e, loc, d in zip(documents["locality_evidence"].fillna(""),
                                                                  documents["locality"].fillna(""),
                                                                  documents["district"].fillna(""))]
    counts = pd.Series(kinds, dtype=str).value_counts().rename_axis("how").rename("n_docs").reset_index()
    counts = counts.sort_values(["n_docs", "how"], ascending=[False, True], ignore_index=True)
    return _share(counts, len(documents))


def quality_stage(config: RunConfig) -> dict | None:
    """The run's quality stage, as a row of :func:`run_cost`, or None when the run has none.

    The stage scores the researcher's coded sheet (``[themes]
    validation_sheet``, no segmentation), else — with ``[themes]
    devset_quality`` and ``../shared/corpora`` present — the dictionary on the
    project's labelled held-out articles; with ``devset_quality`` and the
    shared dantri articles present it also dates those articles from their
    text. The same conditions as the pipeline's
    (:func:`toolkit.pipeline.theme_quality_table`, :func:`toolkit.pipeline.date_quality_table`);
    reads the sheet, ``corpora/validation/devset.csv`` and counts the dantri
    file's lines.
    """
    from toolkit import config as paths
    from toolkit.pipeline import DATE_QUALITY_CORPUS
    from toolkit.themes import validate as va

    t = config.themes
    corpora = paths.SHARED_DIR / "corpora"
    parts, n_docs, shared = [], 0, False
    if t.validation_sheet:
        sheet = config.resolve(t.validation_sheet)
        if sheet.is_file():
            from toolkit.corpus import read_table

            n_sheet = len(read_table(sheet))
            parts.append(f"theme quality from the coded sheet {t.validation_sheet} ({n_sheet} documents, no "
                         "segmentation)")
            n_docs += n_sheet
    elif t.devset_quality and corpora.is_dir():
        from toolkit.themes.dictionary import load_themes

        try:
            ids = load_themes(config.resolve(t.file)).ids
        except UserError:
            ids = ()  # reported by config_problems
        if any(i in ids for i in va.DEVSET_THEMES):
            split = pd.read_csv(va.devset_path(), usecols=["split"])["split"]
            n_holdout = int((split == "holdout").sum())
            parts.append(f"theme quality on {n_holdout:,} labelled held-out articles (each segmented twice: its "
                         "full text and its title + description)")
            n_docs, shared = n_docs + n_holdout, True
    dantri = corpora / Path(*DATE_QUALITY_CORPUS)
    if t.devset_quality and dantri.is_file():
        with dantri.open("rb") as f:
            n_dated = sum(1 for line in f if line.strip())
        parts.append(f"date quality on {n_dated:,} dantri articles dated from their text")
        n_docs, shared = n_docs + n_dated, True
    if not parts:
        return None
    note = "; ".join(parts) + (" — articles of ../shared, segmented on the first run and read from the stage cache "
                               "after it ([themes] devset_quality = false leaves them out)" if shared else "")
    return {"stage": "quality", "n_documents": n_docs, "n_fits": 0, "note": note}


def run_cost(config: RunConfig, n_documents: int, *, estimated: bool, quality: dict | None = None) -> pd.DataFrame:
    """What the heavy stages will cost: ``stage, n_documents, n_fits, note``.

    ``quality`` is the run's quality stage (:func:`quality_stage`), a row of
    its own after ingest: on the project's labelled articles it can take
    longer than the rest of a run.
    """
    t = config.topics
    grid, seeds = list(t.n_topics_grid), list(t.random_states)
    n_select = len(grid) * len(seeds)
    note = " (estimated from a sample of the files)" if estimated else ""
    ingest = {"stage": "ingest + preprocess", "n_documents": n_documents, "n_fits": 0,
              "note": f"{n_documents} documents; segmentation ~300 news-length documents/s per core" + note}
    head = [ingest] + ([quality] if quality else [])
    if not fits_topic_model(config):
        left = "left out: [figures] include names no topic figure"
        return pd.DataFrame(head + [{"stage": stage, "n_documents": n_documents, "n_fits": 0, "note": left}
                                    for stage in ("select (K grid × seeds)", "topics (final model)", "effects")],
                            columns=["stage", "n_documents", "n_fits", "note"])
    rows = [
        *head,
        {"stage": "select (K grid × seeds)", "n_documents": n_documents, "n_fits": n_select,
         "note": (f"K in {grid} × seeds {seeds}: {n_select} fits of {n_documents} documents" if n_select
                  else "no model selection") + note},
        {"stage": "topics (final model)", "n_documents": n_documents, "n_fits": 1, "note": f"engine {t.engine}"},
        {"stage": "effects", "n_documents": n_documents,
         "n_fits": len(set(config.effects.global_seeds) - {config.random_state}) if config.effects.formula.strip()
         else 0,
         "note": (f"{config.effects.n_draws} draws of {config.effects.formula}"
                  + (f"; refits at seeds {list(config.effects.global_seeds)} (global uncertainty)"
                     if config.effects.global_seeds else "")) if config.effects.formula.strip()
         else "left out (no formula): no refits"},
    ]
    return pd.DataFrame(rows, columns=["stage", "n_documents", "n_fits", "note"])


def check_run(config: RunConfig, *, sample: int | None = 2000, random_state: int = 0, n_jobs: int = -1,
              output_dir: str | os.PathLike | None = None) -> CheckReport:
    """Dry run of ``make figures`` on ``config``: read the inputs and say what the run will do.

    Parameters
    ----------
    config
        The run config (:func:`toolkit.config.load_config`: strict, so a
        misspelled key never gets this far).
    sample
        Read at most this many input files, a seeded random sample of them
        (``None``: all). Counts are then those of the sample; the cost is
        extrapolated to every file.
    random_state
        Seed of the sample.
    n_jobs
        Worker processes for ingest (``-1``: all cores).
    output_dir
        The output folder the run will use (default: the config's).

    Returns
    -------
    CheckReport
    """
    from toolkit.corpus import apply_repost_policy
    from toolkit.ingest.core import ingest_files, iter_input_files
    from toolkit.ingest.tables import FieldMap

    report = CheckReport(config=config)
    report.errors = config_problems(config, output_dir=output_dir)
    if config.corpus.simulate:
        report.warnings.append("[corpus] simulate = true: the run uses the simulated demo corpus, not your pages "
                               "(set simulate = false and paths)")
        return report
    paths = [config.resolve(p) for p in config.corpus.paths]
    if not paths or not all(p.exists() for p in paths):
        return report
    from toolkit.ingest.warc import is_collect_bookkeeping

    # the files ingest reads: a crawl folder's ledger is bookkeeping, not an input
    files = [(path, label) for path, label in iter_input_files(paths) if not is_collect_bookkeeping(path)]
    report.n_files = len(files)
    chosen = files
    if sample is not None and len(files) > sample:
        rng = np.random.default_rng(random_state)
        picks = sorted(rng.choice(len(files), size=sample, replace=False).tolist())
        chosen = [files[i] for i in picks]
        report.warnings.append(f"{len(files)} input files: read a random sample of {sample} (random_state "
                               f"{random_state}); counts below are the sample's, reposts only within it")
    report.n_files_read = len(chosen)
    sources = None
    if config.corpus.sources:
        from toolkit.places import load_sources

        try:
            sources = load_sources(config.resolve(config.corpus.sources))
        except (OSError, ValueError):
            pass  # in report.errors already (config_problems); the pages are read without it
    c = config.corpus
    fields = FieldMap(text=c.text_field or None, title=c.title_field or None, date=c.date_field or None,
                      id=c.id_field or None)
    try:
        result = ingest_files([p for p, _ in chosen], fields=fields, sources=sources, n_jobs=n_jobs, progress=False)
    except UserError as exc:  # a [corpus] *_field naming no column of a table: listed with the other errors
        report.errors.append(as_config_error(exc))
        return report
    documents, rejects = result.documents, result.rejects
    report.n_documents = len(documents)
    report.rejects = rejects.sort_values(["source", "line"], ignore_index=True)
    report.errors.extend(corpus_problems(config, documents, rejects, n_files=len(files)))
    if documents.empty:
        return report
    dup = documents[documents["duplicate_of"].fillna("") != ""]
    report.reposts = dup[["doc_id", "source", "duplicate_of"]].sort_values("source", ignore_index=True)
    # the coverage tables describe what the run counts and models: reposts left out unless it keeps them
    docs = apply_repost_policy(documents, c.include_duplicates)
    report.n_analysed = len(docs)
    if len(dup):
        within = " of the sample" if report.sampled else ""
        kept = (f"the {len(dup)} reposts included ([corpus] include_duplicates = true)" if c.include_duplicates
                else f"{len(dup)} reposts left out ([corpus] include_duplicates = true keeps them)")
        report.notes.append(f"the tables by locality × year, encodings, dates and localities count the "
                               f"{len(docs)} documents the run analyses{within}: {kept}")
    report.by_locality_year = by_locality_year(docs, config.themes.min_docs)
    report.encodings = (docs["encoding"].fillna("").astype(str).value_counts().rename_axis("encoding")
                        .rename("n_docs").reset_index().sort_values(["n_docs", "encoding"], ascending=[False, True],
                                                                    ignore_index=True))
    report.dates = date_coverage(docs)
    from_text = int(report.dates.loc[~report.dates["how"].isin(["read from the page", "undated"]), "n_docs"].sum())
    if from_text:
        from toolkit.ingest.accuracy import MEASURED_FROM_TEXT as m

        report.warnings.append(
            f"{from_text} of {len(docs)} documents are dated from their text, not a date line: on real news "
            f"such a date gives the publication year about half the time ({m['year_accuracy']:.2f}, "
            f"{m['year_low']:.2f}-{m['year_high']:.2f}, on {m['n_docs']} dantri articles; README, 'How far a date "
            "read from the text can be trusted'); check a sample, or keep the dates read from the page for figures "
            "over years")
    report.localities = locality_coverage(docs)
    if sources is not None:  # the same warning `ingest --sources` gives
        report.warnings.extend(sources.unmatched_warnings(documents["locality_evidence"], sampled=report.sampled))
    adapted, choices = adapt_defaults(config, docs)
    if not fits_topic_model(config):  # as the run's tables/run_choices.csv says it
        choices = pd.concat([choices, not_fitted_choice()], ignore_index=True).sort_values(
            "setting", kind="mergesort", ignore_index=True)
    report.config, report.choices = adapted, choices
    # the plan under the config's own figure list: a figure left out says why, not "not included"
    report.figures = figure_plan(replace(adapted, figures=config.figures), docs)
    years = pd.to_numeric(docs["year"], errors="coerce").dropna() if "year" in docs else pd.Series(dtype=float)
    for first, last in adapted.themes.periods:
        if first <= last and not years.between(first, last).any():
            report.warnings.append(f"[themes] periods: [{first}, {last}] holds no dated document"
                                   f"{' of the sample' if report.sampled else ''}: its column of the locality x "
                                   "period heatmap is empty")
    warned = choices[(choices["setting"] == "topics.n_topics_grid") & choices["reason"].str.contains("few")]
    report.warnings.extend(f"[topics] n_topics_grid: {r}" for r in warned["reason"])
    scale = len(files) / max(1, len(chosen))
    report.cost = run_cost(adapted, int(round(len(docs) * scale)), estimated=scale > 1,
                           quality=quality_stage(config))
    return report


__all__ = ["CheckReport", "by_locality_year", "check_run", "config_problems", "corpus_problems", "date_coverage",
           "formula_names", "locality_coverage", "quality_stage", "raise_problems", "run_cost"]
