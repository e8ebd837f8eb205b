"""Command-line interface: ``python -m toolkit COMMAND``.

One module per stage of the pipeline, each registering its commands on
:data:`app`; the modules only parse arguments, call library functions and write
files. ``--help`` lists the commands in pipeline order (the order of the import
line below):

============  ===============================================================================================
module        commands
============  ===============================================================================================
``ingest``    ``ingest``
``text``      ``preprocess``
``themes``    ``themes``, ``validate-themes``, ``kwic``, ``validate sample|score|train|topics|score-topics``
``keyness``   ``keyness``, ``collocations``
``topics``    ``topics``, ``select``, ``effects``
``report``    ``figures``, ``repro-check``, ``browse``
``simulate``  ``simulate``
============  ===============================================================================================

The grammar every command follows (``tests/test_cli_grammar.py`` checks it):
``-o/--output`` names the file or folder a command writes; ``--jobs`` defaults
to ``-1`` (every core); a command with a random choice takes ``--random-state``,
default ``0``; ``--include-duplicates`` is the repost policy; ``--tokens`` reuses
a token table. The options shared by several commands are defined here, once;
reading a corpus, its token table or a fitted model lives in
:mod:`toolkit.cli._shared`.
"""

from __future__ import annotations

import logging
import os

# The command line writes figures to files and never opens a window: Agg, unless the user chose a
# backend. Set for this process only, before anything imports matplotlib (libraries never switch it).
os.environ.setdefault("MPLBACKEND", "Agg")

import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402


def _module_of(command) -> str:
    """The ``toolkit.cli`` module that registered a command (a group: that of its first subcommand)."""
    subcommands = getattr(command, "commands", None)
    if subcommands:
        return _module_of(next(iter(subcommands.values())))
    return getattr(command.callback, "__module__", "")


class _PipelineOrder(TyperGroup):
    """``--help`` lists commands module by module, in the order the modules were registered.

    Typer lists sub-apps (``validate``) after every plain command; this keeps
    ``validate`` with the other commands of its stage.
    """

    def list_commands(self, ctx) -> list[str]:
        rank: dict[str, int] = {}
        for command in self.commands.values():
            rank.setdefault(_module_of(command), len(rank))
        return sorted(self.commands, key=lambda name: rank[_module_of(self.commands[name])])


app = typer.Typer(
    cls=_PipelineOrder,
    help="Topic modeling and discourse analysis of Vietnamese political text. "
         "Commands in pipeline order; -o/--output is the file or folder a command writes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: The repost policy (:func:`toolkit.corpus.apply_repost_policy`): one option, one help text, on every
#: command that counts or models.
INCLUDE_DUPLICATES = typer.Option(
    False, "--include-duplicates",
    help="Keep reposts (duplicate_of set) in counts and models; by default they are left out, as in `make figures`.")

#: ``--tokens``: a token table from ``preprocess`` (read by :func:`toolkit.cli._shared.load_tokens`).
TOKENS = typer.Option(
    None, "--tokens", exists=True, dir_okay=False,
    help="Token table from `toolkit preprocess` for this corpus (default: tokenize now, with the preprocess cache).")

#: ``--jobs``: the same default on every command (README, "Conventions").
JOBS_DEFAULT = -1

#: ``--random-state``: the same default on every command with a random choice (README, "Conventions").
RANDOM_STATE_DEFAULT = 0


def jobs_option(what: str = "Worker processes"):
    """``-j/--jobs``, default -1 (every core); ``what`` says what the workers do."""
    return typer.Option(JOBS_DEFAULT, "--jobs", "-j", show_default=False,
                        help=f"{what}. Default -1: every core; 1: in this process. Results do not depend on it.")


def random_state_option(what: str):
    """``--random-state``, default 0; ``what`` names the random choices it seeds."""
    return typer.Option(RANDOM_STATE_DEFAULT, "--random-state", show_default=False,
                        help=f"Seed of {what}. Default 0; the same seed gives the same output.")


@app.callback()
def _root(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages.")) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # gensim logs every training pass at INFO; keep its warnings only unless -v.
    for noisy in ("gensim", "smart_open", "urllib3", "distributed", "trafilatura"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)


# Registration happens on import, stage by stage: this order is the order of --help.
from toolkit.cli import collect, ingest, text, themes, keyness, topics, report, explore, simulate, study  # noqa: E402,F401


def main() -> None:
    """The entry point: an error the researcher can fix is printed, without a traceback unless ``--verbose``."""
    from toolkit.errors import UserError

    try:
        app()
    except UserError as exc:
        if logging.getLogger("toolkit").isEnabledFor(logging.DEBUG):  # --verbose
            raise
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
