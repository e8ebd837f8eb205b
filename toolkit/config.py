"""Project paths, lexicon versions and the typed run configuration.

This is the one module that owns paths: everything else asks it where the
lexicons, the demo corpus and the reports live.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path

from toolkit.errors import UserError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPORA_DIR = PROJECT_ROOT / "corpora"
DEMO_DIR = CORPORA_DIR / "demo"
REPORTS_DIR = PROJECT_ROOT / "reports"
CONFIGS_DIR = PROJECT_ROOT / "configs"
CACHE_DIR = Path(os.environ.get("TOOLKIT_CACHE", PROJECT_ROOT / ".cache"))
#: ``../shared`` beside the checkout: real corpora for development (never committed).
SHARED_DIR = PROJECT_ROOT.parent / "shared"


def lexicon_dir() -> Path:
    """Folder of researcher-editable lexicons (``TOOLKIT_LEXICONS`` overrides it)."""
    return Path(os.environ.get("TOOLKIT_LEXICONS", CORPORA_DIR / "lexicons"))


def lexicon_version(directory: Path | None = None) -> str:
    """Content hash of every lexicon file (name + bytes), recorded with every output.

    Editing any lexicon changes the version, which invalidates caches built on it.
    """
    directory = Path(directory) if directory is not None else lexicon_dir()
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


# --------------------------------------------------------------------------
# Run configuration
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusConfig:
    """Where the documents come from: the simulated demo corpus or raw inputs."""

    simulate: bool = True
    n_pages: int = 2000
    paths: tuple[str, ...] = ()
    sources: str = ""
    text_field: str = ""
    title_field: str = ""
    date_field: str = ""
    id_field: str = ""
    include_duplicates: bool = False


@dataclass(frozen=True)
class PreprocessConfig:
    keep_numbers: bool = False
    remove_persons: bool = True
    n_jobs: int = -1


@dataclass(frozen=True)
class ThemesConfig:
    file: str = "corpora/lexicons/themes.toml"
    #: Interval of theme shares: "jeffreys", "wilson" or "bootstrap" (see toolkit.themes.shares.theme_shares).
    interval: str = "jeffreys"
    n_boot: int = 1000
    min_docs: int = 5
    #: A coded sheet of this corpus (`validate sample`, coder columns filled): its scores go beside the theme figures.
    validation_sheet: str = ""
    #: Without a sheet: score the dictionary on the project's labelled holdout, and the date rules on dated real
    #: articles (tables/date_quality) (needs ../shared/corpora).
    devset_quality: bool = True
    #: Periods for the locality × period heatmap: inclusive [first, last] years.
    periods: tuple[tuple[int, int], ...] = ((2015, 2019), (2020, 2022), (2023, 2024))


def period_label(period: tuple[int, int]) -> str:
    """How a period is named in tables and figures: ``(2019, 2020)`` → ``2019–2020``, ``(2021, 2021)`` → ``2021``."""
    first, last = period
    return f"{first}" if first == last else f"{first}–{last}"


@dataclass(frozen=True)
class KeynessConfig:
    #: Column of the groups; "district" means the same (a district of its province).
    group: str = "locality"
    #: Terms kept per group in tables/keyness (the most over-represented by z) and drawn in the figure.
    n_terms: int = 12
    min_count: int = 5
    #: Groups with fewer documents are flagged small_group in tables/keyness (kept, not pooled).
    min_docs: int = 5


@dataclass(frozen=True)
class TopicsConfig:
    engine: str = "gensim"
    n_topics_grid: tuple[int, ...] = (8, 12, 16, 20)
    random_states: tuple[int, ...] = (0, 1, 2)
    #: Model selection: "sample" fits every K × seed on a seeded sample of ``selection_sample`` documents,
    #: "full" on the whole corpus (toolkit.topics.select).
    selection: str = "sample"
    selection_sample: int = 5000
    #: 0: take the K recommended by model selection.
    n_topics: int = 0
    seeded: bool = True
    #: Themes seeded as topics (the rest of K are free topics); empty: every theme.
    seed_themes: tuple[str, ...] = ("site_clearance", "religion", "democracy_regulations", "covid")
    n_terms: int = 10
    #: Vocabulary of the topic models (selection, seeded and free), scikit-learn's meaning as everywhere
    #: (toolkit.text.vocabulary): an int is a number of documents, a float in [0, 1] a proportion.
    min_df: int | float = 2
    max_df: int | float = 0.9
    #: Split sample: share of documents (half A) on which K is chosen and the model fitted; the effects are
    #: estimated on the others (half B). 0: no split.
    split: float = 0.0


@dataclass(frozen=True)
class EffectsConfig:
    formula: str = "~ C(locality) + bs(year, df=3)"
    n_draws: int = 50
    #: Refits of the run's model pooled into the effects (global uncertainty); (): one model only.
    global_seeds: tuple[int, ...] = (0, 1, 2)


@dataclass(frozen=True)
class FiguresConfig:
    language: str = "en"
    formats: tuple[str, ...] = ("png", "svg")
    dpi: int = 300
    #: Figures to make (registry names); empty: every figure the corpus supports.
    include: tuple[str, ...] = ()
    #: Themes of the theme figures; empty: the seeded themes ([topics] seed_themes when seeded), else every theme.
    themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CollectConfig:
    """Defaults of ``python -m toolkit collect`` (its options override them)."""

    #: E-mail or URL named in the default user agent, so a webmaster can reach the researcher.
    contact: str = ""
    #: Seconds between two requests to one host (the site's Crawl-delay wins when longer).
    delay: float = 2.0
    timeout: float = 30.0
    retries: int = 3
    #: A new WARC file past this size.
    warc_max_bytes: int = 1_000_000_000
    #: Longest Retry-After/back-off waited for; a host asking for more is left for a later run.
    max_pause: float = 600.0
    #: List pages stored per address pattern before its further pages are not followed (calendar traps); 0: no cap.
    max_listings_per_pattern: int = 500


@dataclass(frozen=True)
class RunConfig:
    """One run of the pipeline; its :meth:`hash` identifies the run."""

    name: str = "demo"
    random_state: int = 2024
    output_dir: str = "reports"
    #: Where relative paths start: "" = the toolkit's checkout, "." = the folder of the config file.
    root: str = ""
    corpus: CorpusConfig = field(default_factory=CorpusConfig)
    preprocess: PreprocessConfig = field(default_factory=PreprocessConfig)
    themes: ThemesConfig = field(default_factory=ThemesConfig)
    keyness: KeynessConfig = field(default_factory=KeynessConfig)
    topics: TopicsConfig = field(default_factory=TopicsConfig)
    effects: EffectsConfig = field(default_factory=EffectsConfig)
    figures: FiguresConfig = field(default_factory=FiguresConfig)
    collect: CollectConfig = field(default_factory=CollectConfig)
    # Where the settings came from, not settings: left out of to_dict, the hash and equality.
    #: The config file read by :func:`load_config` ("" when built in Python).
    config_file: str = field(default="", compare=False, repr=False, metadata={"internal": True})
    #: Settings the file wrote (``"section.key"``), even when equal to the default: never adapted.
    set_in_file: tuple[str, ...] = field(default=(), compare=False, repr=False, metadata={"internal": True})

    def to_dict(self) -> dict:
        return _as_dict(self)

    def hash(self) -> str:
        """Stable hash of every setting (no hidden defaults: defaults are included)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]

    def base_dir(self) -> Path:
        """The folder relative paths start from (see ``root``)."""
        if not self.root:
            return PROJECT_ROOT
        root = Path(self.root)
        if root.is_absolute():
            return root
        start = Path(self.config_file).resolve().parent if self.config_file else Path.cwd()
        return (start / root).resolve()

    def resolve(self, path: str) -> Path:
        """A path from the config: absolute as written, else below :meth:`base_dir`."""
        p = Path(path)
        return p if p.is_absolute() else self.base_dir() / p

    def value(self, key: str):
        """The value of a setting by its key (``"effects.formula"``)."""
        section, _, name = key.rpartition(".")
        return getattr(getattr(self, section) if section else self, name)

    def is_set(self, key: str) -> bool:
        """Whether the researcher chose ``key`` (``"effects.formula"``): written in the config
        file, or (for a config built in Python) different from the default."""
        if key in self.set_in_file:
            return True
        return self.value(key) != RunConfig().value(key)


#: What each setting means: the comments of the config that ``python -m toolkit init`` writes
#: (:func:`toolkit.study.config_template`). Every setting has one (tests/test_study.py checks it).
SETTING_DOCS: dict[str, str] = {
    "name": "name of the study, shown on the report page",
    "random_state": "seeds every random choice of the run (same seed, same figures)",
    "output_dir": "where figures/, tables/ and index.html are written",
    "root": 'where relative paths start: "" = the toolkit\'s checkout, "." = the folder of this file',
    "corpus.simulate": "true: the simulated demo corpus; false: read `paths`",
    "corpus.n_pages": "size of the simulated demo corpus (simulate = true only)",
    "corpus.paths": "folders (searched recursively), page files (.txt, .html) or tables (.csv, .jsonl, .parquet)",
    "corpus.sources": "sources file: folders, globs or site domains -> province/district (\"\" = infer from the text)",
    "corpus.text_field": "table inputs: column(s) with the text, comma-separated to join (\"\" = text/body/content)",
    "corpus.title_field": "table inputs: column with the title (\"\" = title)",
    "corpus.date_field": "table inputs: column with the publication date (\"\" = date)",
    "corpus.id_field": "table inputs: column with a stable document id (\"\" = doc_id/id)",
    "corpus.include_duplicates": "true: keep reposts (duplicate_of set) in counts and models",
    "preprocess.keep_numbers": "keep numbers and dates as tokens",
    "preprocess.remove_persons": "person names are listed per document, not modeled",
    "preprocess.n_jobs": "worker processes for ingest, segmentation and the model-selection fits (-1 = all cores)",
    "themes.file": "the theme dictionary (terms and sense rules per theme); edit your copy",
    "themes.interval": 'share intervals: "jeffreys" or "wilson" (keep coverage in tiny and 0/100% cells), "bootstrap"',
    "themes.n_boot": 'bootstrap replicates (interval = "bootstrap" only)',
    "themes.min_docs": "cells with fewer documents are flagged small_cell",
    "themes.validation_sheet": "your coded sheet (validate sample, coders' columns filled): its quality beside the theme figures",
    "themes.devset_quality": "without a sheet: the dictionary's quality on the project's labelled articles, and the "
                             "date rules' on dated real articles (tables/date_quality) (needs ../shared)",
    "themes.periods": "periods of the locality x period heatmap: inclusive [first, last] years",
    "keyness.group": 'column of the groups compared: "locality" (a district of its province), "province", "year", ...',
    "keyness.n_terms": "terms kept per group in tables/keyness (the most over-represented, highest z) and drawn",
    "keyness.min_count": "terms rarer than this are not compared",
    "keyness.min_docs": "groups with fewer documents are flagged small_group (kept, not pooled)",
    "topics.engine": '"gensim" (canonical, single process) or "tomotopy" (faster)',
    "topics.n_topics_grid": "numbers of topics compared by model selection",
    "topics.random_states": "seeds fitted at each number of topics (stability needs two or more)",
    "topics.selection": 'model selection: "sample" (every K x seed fitted on a seeded sample of documents, a few '
                        'times faster on large corpora) or "full" (on every document); the model family is the '
                        'reported one (seeded when seeded = true)',
    "topics.selection_sample": 'documents of the "sample" selection (the whole corpus when it is smaller)',
    "topics.n_topics": "0 = the number recommended by model selection; else this many topics (seeded ones included)",
    "topics.seeded": "seeded theme topics alongside free topics",
    "topics.seed_themes": "themes seeded as topics ([] = every theme of the dictionary)",
    "topics.n_terms": "top terms shown per topic",
    "topics.min_df": "vocabulary of every topic model: terms in at least this many documents (an integer) "
                     "or this share of them (a float in [0, 1])",
    "topics.max_df": "terms in at most this many documents (an integer) or this share of them (a float in [0, 1])",
    "topics.split": "share of documents (half A, seeded by random_state) on which K is chosen and the model fitted; "
                    "effects are estimated on the rest (half B); 0 = no split",
    "effects.formula": 'patsy formula on document-table columns (C(locality), year, bs(year, df=3), period); "" = no effects',
    "effects.n_draws": "posterior draws of topic proportions (method of composition)",
    "effects.global_seeds": "refits of the model at these seeds, matched to it and pooled into the effects "
                            "(global uncertainty); [] = one model only (document uncertainty)",
    "figures.language": 'labels: "en" or "vi"',
    "figures.formats": "png (at dpi) plus svg and/or pdf",
    "figures.dpi": "resolution of png files",
    "figures.themes": "themes of the theme figures; [] = the seeded themes ([topics] seed_themes), else every theme",
    "figures.include": "figures to make (names of reports/figures/*); [] = every figure the corpus supports",
    "collect.contact": "e-mail or URL named in the crawler's user agent: set it before crawling real portals",
    "collect.delay": "seconds between two requests to one host (the site's Crawl-delay wins when longer)",
    "collect.timeout": "seconds to wait for a server's answer",
    "collect.retries": "further attempts after 429/5xx/timeouts (Retry-After, else exponential back-off)",
    "collect.warc_max_bytes": "a new WARC file past this size (bytes)",
    "collect.max_pause": "longest Retry-After/back-off waited for; a host asking for more is left for a later run",
    "collect.max_listings_per_pattern": "list pages stored per address pattern (numbers and query values taken out) "
                                        "before its further pages are not followed: ends calendar and search traps; "
                                        "0 = no cap",
}

#: Settings that, left unset, are chosen to fit the corpus (:func:`toolkit.study.adapt_defaults`).
ADAPTIVE_SETTINGS: tuple[str, ...] = ("themes.periods", "keyness.group", "topics.n_topics_grid",
                                      "effects.formula", "figures.include")


def _public_fields(cls) -> list:
    return [f for f in fields(cls) if not f.metadata.get("internal")]


def _as_dict(obj) -> dict:
    out = {}
    for f in _public_fields(type(obj)):
        value = getattr(obj, f.name)
        out[f.name] = _as_dict(value) if is_dataclass(value) else (
            [list(v) if isinstance(v, tuple) else v for v in value] if isinstance(value, tuple) else value)
    return out


def setting_keys(cls=None, prefix: str = "") -> list[str]:
    """Every setting of the run config as ``"key"`` or ``"section.key"``, in file order."""
    cls = RunConfig if cls is None else cls
    keys = []
    for f in _public_fields(cls):
        default = getattr(cls(), f.name)
        if is_dataclass(default):
            keys.extend(setting_keys(type(default), f"{prefix}{f.name}."))
        else:
            keys.append(prefix + f.name)
    return keys


def _closest(name: str, candidates) -> str:
    found = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return f"did you mean {found[0]!r}?" if found else f"valid settings here: {', '.join(sorted(candidates))}"


def _build(cls, data: dict, where: str, path: str, prefix: str = "", seen: list[str] | None = None):
    seen = [] if seen is None else seen
    known = {f.name: f for f in _public_fields(cls)}
    section = f"[{prefix.rstrip('.')}]" if prefix else "the top level"
    for name in sorted(set(data) - set(known)):
        # a section name written at the top level, or a setting of another section
        elsewhere = [k for k in setting_keys() if k.endswith("." + name)] if not prefix else []
        hint = (f"{name!r} belongs in [{elsewhere[0].split('.')[0]}]" if elsewhere else _closest(name, known))
        raise UserError(f"unknown setting {name!r} in {section}", path=path,
                        fix=f"{hint} (every setting: python -m toolkit init DIR writes a documented config)")
    kwargs = {}
    for name, value in data.items():
        default = getattr(cls(), name)
        if is_dataclass(default):
            if not isinstance(value, dict):
                raise UserError(f"[{name}] must be a table", path=path, fix=f"write it as a section: [{name}]")
            kwargs[name] = _build(type(default), value, where, path, f"{prefix}{name}.", seen)
            continue
        seen.append(prefix + name)
        if isinstance(default, tuple):
            if not isinstance(value, list):
                raise UserError(f"{prefix}{name} = {value!r} should be a list", path=path,
                                fix=f"write it as a list, like {name} = {toml_value(default)}")
            kwargs[name] = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        elif known[name].type == "int | float":  # a count (int) or a proportion (float): the type is the meaning
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{where}: {name} = {value!r} should be an int or a float")
            kwargs[name] = value
        else:
            # bool is an int to Python, not to a config; an int is a fine float
            ok = isinstance(value, type(default)) and (isinstance(value, bool) == isinstance(default, bool))
            ok = ok or (isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool))
            if not ok:
                raise UserError(f"{prefix}{name} = {value!r} should be a {type(default).__name__}", path=path,
                                fix=f"write it like the default: {name} = {toml_value(default)}")
            kwargs[name] = value
    return cls(**kwargs)


def toml_value(value) -> str:
    """``value`` as TOML writes it (``true``, ``"text"``, ``[[2015, 2019]]``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return repr(value)


def load_config(path: str | os.PathLike | None = None) -> RunConfig:
    """Read a run configuration (TOML); unspecified settings keep their defaults.

    Reading is strict: an unknown or misspelled key, in any section, is a
    :class:`~toolkit.errors.UserError` naming the key and the closest valid
    one, so a typo never silently falls back to a default. The file's own
    settings are remembered (:meth:`RunConfig.is_set`): only the others adapt
    to the corpus (:func:`toolkit.study.adapt_defaults`).
    """
    if path is None:
        return RunConfig()
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise UserError("no such config file", path=path,
                        fix="give the path of a config (python -m toolkit init DIR writes DIR/config.toml)") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"not valid TOML: {exc}", path=path,
                        fix="check quotes and brackets on that line (strings in \"double quotes\", lists in [ ])") \
            from None
    seen: list[str] = []
    config = _build(RunConfig, data, str(path), str(path), "", seen)
    from dataclasses import replace

    return replace(config, config_file=str(path.resolve()), set_in_file=tuple(seen))
