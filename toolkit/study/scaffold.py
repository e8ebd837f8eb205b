"""A study folder in one command: ``python -m toolkit init DIR``.

The folder holds everything a run on the researcher's own pages needs::

    DIR/config.toml     every setting, with its default and comment (generated
                        from toolkit.config, so it never drifts from the code)
    DIR/sources.toml    commented folder, glob and domain rules
    DIR/themes.toml     a copy of the project's theme dictionary, to edit
    DIR/pages/          where the pages go
    DIR/README.md       the study's next three commands
    DIR/.gitignore      reports and caches are rebuilt, not committed
"""

from __future__ import annotations

import os
from itertools import groupby
from pathlib import Path

from toolkit.config import (ADAPTIVE_SETTINGS, SETTING_DOCS, CorpusConfig, RunConfig, ThemesConfig, lexicon_dir,
                            setting_keys, toml_value)
from toolkit.corpus import write_text_atomic
from toolkit.errors import UserError

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Files of a study folder, template → name in the folder.
FILES = {"sources.toml": "sources.toml", "README.md": "README.md", "gitignore": ".gitignore"}
#: Column of the comments in config.toml.
_COMMENT_AT = 34


def study_config(name: str, *, random_state: int = 0) -> RunConfig:
    """The run config of a new study folder: its own pages, sources, themes and reports.

    Paths are relative to the config file (``root = "."``), so the folder can move.
    """
    return RunConfig(name=name, random_state=random_state, output_dir="reports", root=".",
                     corpus=CorpusConfig(simulate=False, paths=("pages",), sources="sources.toml"),
                     themes=ThemesConfig(file="themes.toml"))


def config_template(config: RunConfig | None = None) -> str:
    """The TOML text of ``config`` with every setting, its value and its comment.

    Settings of :data:`~toolkit.config.ADAPTIVE_SETTINGS` that ``config``
    leaves at their default are written commented out (``# formula = …``):
    unset, the run chooses them to fit the corpus; uncommented, they are
    the researcher's. Reading the text back gives ``config``.

    Examples
    --------
    >>> text = config_template(study_config("longbien"))
    >>> 'paths = ["pages"]' in text and "# formula = " in text
    True
    """
    config = study_config("study") if config is None else config
    lines = [
        f"# Study {config.name!r}: the settings of `make figures CONFIG=<this file>`.",
        "# Every setting is listed with its value and what it means. A line starting with",
        '# "# key =" is left unset: the run chooses it to fit your corpus and says why',
        "# (reports/tables/run_choices.csv, and `python -m toolkit check --config <this file>`).",
        '# Remove the "# " to fix it yourself. A misspelled key is an error, never ignored.',
        "",
    ]
    default = RunConfig()
    for section, keys in groupby(setting_keys(), key=lambda k: k.rpartition(".")[0]):
        if section:
            lines += ["", f"[{section}]"]
        for key in keys:
            value = config.value(key)
            line = f"{key.rpartition('.')[2]} = {toml_value(value)}"
            doc = SETTING_DOCS.get(key, "")
            if key in ADAPTIVE_SETTINGS and not config.is_set(key):
                line, doc = "# " + line, doc + "; unset: chosen to fit the corpus"
            elif value != default.value(key):
                doc += f" (default {toml_value(default.value(key))})"
            lines.append(f"{line.ljust(_COMMENT_AT - 1)} # {doc}" if doc else line)
    return "\n".join(lines) + "\n"


def _render(template: str, study: Path, name: str) -> str:
    return (TEMPLATES / template).read_text(encoding="utf-8").replace("{study}", study.as_posix()).replace(
        "{name}", name)


def init_study(directory: str | os.PathLike, *, name: str | None = None, random_state: int = 0,
               force: bool = False) -> list[Path]:
    """Create a study folder (see the module docstring) and return the files written, sorted.

    Parameters
    ----------
    directory
        The study folder; created when missing.
    name
        The study's name (default: the folder's name).
    random_state
        Seed written into the config.
    force
        Overwrite files of an existing study (``pages/`` is never touched).

    Raises
    ------
    UserError
        When the folder already holds a study's files (and not ``force``), or
        cannot be written.
    """
    study = Path(directory)
    name = name or study.resolve().name
    existing = sorted(n for n in ("config.toml", *FILES.values(), "themes.toml") if (study / n).exists())
    if existing and not force:
        raise UserError(f"already a study folder ({', '.join(existing)} exist)", path=study,
                        fix="choose a new folder, or pass --force to rewrite these files (pages/ is kept)")
    try:
        (study / "pages").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder: {exc.strerror}", path=study,
                        fix="choose a folder you can write to") from None
    texts = {"config.toml": config_template(study_config(name, random_state=random_state)),
             "themes.toml": (lexicon_dir() / "themes.toml").read_text(encoding="utf-8")}
    texts.update({target: _render(template, study, name) for template, target in FILES.items()})
    written = []
    for target in sorted(texts):
        write_text_atomic(study / target, texts[target])
        written.append(study / target)
    return written


__all__ = ["FILES", "TEMPLATES", "config_template", "init_study", "study_config"]
