"""Command-line interface: ``python -m toolkit COMMAND``.

Each command lives in its own module of this package and registers itself on
:data:`app`; the modules only parse arguments, call library functions and write
files.
"""

from __future__ import annotations

import logging
import os

# The command line writes figures to files and never opens a window: Agg, unless the user chose a
# backend. Set for this process only, before anything imports matplotlib (libraries never switch it).
os.environ.setdefault("MPLBACKEND", "Agg")

import typer

app = typer.Typer(
    help="Topic modeling and discourse analysis of Vietnamese political text.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: The repost policy (:func:`toolkit.corpus.apply_repost_policy`): one option, one help text, on every
#: command that counts or models.
INCLUDE_DUPLICATES = typer.Option(
    False, "--include-duplicates",
    help="Keep reposts (duplicate_of set) in counts and models; by default they are left out, as in `make figures`.")


@app.callback()
def _root(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages.")) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # gensim logs every training pass at INFO; keep its warnings only unless -v.
    for noisy in ("gensim", "smart_open", "urllib3", "distributed", "trafilatura"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)


# Registration happens on import; order here is the order in --help.
from toolkit.cli import ingest, text, themes, validate, topics, effects, simulate, report  # noqa: E402,F401
from toolkit.cli import explore  # noqa: E402,F401


def main() -> None:
    app()
