"""Project paths, lexicon versions and the typed run configuration.

This is the one module that owns paths: everything else asks it where the
lexicons, the demo corpus and the reports live.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path

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
    #: Without a sheet: score the dictionary on the project's labelled holdout (needs ../shared/corpora).
    devset_quality: bool = True
    #: Periods for the locality × period heatmap: inclusive [first, last] years.
    periods: tuple[tuple[int, int], ...] = ((2015, 2019), (2020, 2022), (2023, 2024))


@dataclass(frozen=True)
class KeynessConfig:
    #: Column of the groups; "district" means the same (a district of its province).
    group: str = "locality"
    n_terms: int = 12
    min_count: int = 5


@dataclass(frozen=True)
class TopicsConfig:
    engine: str = "gensim"
    n_topics_grid: tuple[int, ...] = (8, 12, 16)
    random_states: tuple[int, ...] = (0, 1, 2)
    #: 0: take the K recommended by model selection.
    n_topics: int = 0
    seeded: bool = True
    #: Themes seeded as topics (the rest of K are free topics); empty: every theme.
    seed_themes: tuple[str, ...] = ("site_clearance", "religion", "democracy_regulations", "covid")
    n_terms: int = 10


@dataclass(frozen=True)
class EffectsConfig:
    formula: str = "~ C(locality) + bs(year, df=3)"
    n_draws: int = 50


@dataclass(frozen=True)
class FiguresConfig:
    language: str = "en"
    formats: tuple[str, ...] = ("png", "svg")
    dpi: int = 300
    #: Themes of the theme figures; empty: the seeded themes ([topics] seed_themes when seeded), else every theme.
    themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunConfig:
    """One run of the pipeline; its :meth:`hash` identifies the run."""

    name: str = "demo"
    random_state: int = 2024
    output_dir: str = "reports"
    corpus: CorpusConfig = field(default_factory=CorpusConfig)
    preprocess: PreprocessConfig = field(default_factory=PreprocessConfig)
    themes: ThemesConfig = field(default_factory=ThemesConfig)
    keyness: KeynessConfig = field(default_factory=KeynessConfig)
    topics: TopicsConfig = field(default_factory=TopicsConfig)
    effects: EffectsConfig = field(default_factory=EffectsConfig)
    figures: FiguresConfig = field(default_factory=FiguresConfig)

    def to_dict(self) -> dict:
        return asdict(self)

    def hash(self) -> str:
        """Stable hash of every setting (no hidden defaults: defaults are included)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]

    def resolve(self, path: str) -> Path:
        """A path from the config, relative to the project root unless absolute."""
        p = Path(path)
        return p if p.is_absolute() else PROJECT_ROOT / p


def _build(cls, data: dict, where: str):
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(f"{where}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    kwargs = {}
    for name, value in data.items():
        default = getattr(cls(), name) if name in known else None
        if is_dataclass(default):
            if not isinstance(value, dict):
                raise ValueError(f"{where}: [{name}] must be a table")
            kwargs[name] = _build(type(default), value, f"{where} [{name}]")
        elif isinstance(default, tuple):
            kwargs[name] = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        else:
            if default is not None and not isinstance(value, type(default)) and not (
                    isinstance(default, float) and isinstance(value, int)):
                raise ValueError(f"{where}: {name} = {value!r} should be a {type(default).__name__}")
            kwargs[name] = value
    return cls(**kwargs)


def load_config(path: str | os.PathLike | None = None) -> RunConfig:
    """Read a run configuration (TOML); unspecified settings keep their defaults.

    Unknown keys are errors, so a typo never silently falls back to a default.
    """
    if path is None:
        return RunConfig()
    path = Path(path)
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return _build(RunConfig, data, str(path))
