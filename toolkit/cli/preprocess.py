"""``python -m toolkit preprocess CORPUS -o TOKENS``: document table → token table."""

from __future__ import annotations

from pathlib import Path

import typer

from toolkit.cli import app
from toolkit.config import CACHE_DIR
from toolkit.corpus import read_documents, write_table


@app.command("preprocess")
def preprocess_command(
    corpus: Path = typer.Argument(..., exists=True, dir_okay=False, help="Document table (.parquet, .csv, .jsonl)."),
    output: Path = typer.Option(..., "-o", "--output", help="Token table to write (.parquet recommended, or .jsonl)."),
    jobs: int = typer.Option(-1, "--jobs", "-j", help="Worker processes (-1 = all cores, 1 = inline)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Segment every document again; do not read or write the cache."),
    cache_dir: Path = typer.Option(CACHE_DIR / "preprocess", "--cache-dir", help="Folder of the token cache."),
    keep_numbers: bool = typer.Option(False, "--keep-numbers", help="Keep numbers, dates and times as tokens."),
    keep_persons: bool = typer.Option(False, "--keep-persons", help="Keep person names as tokens (nguyễn_văn_an)."),
    vocab_report: Path | None = typer.Option(None, "--vocab-report", help="Also write the lexicon survival table here."),
) -> None:
    """Normalize and segment every document (title + body) into topic-model tokens."""
    from toolkit.preprocess import preprocess, vocabulary_report
    from toolkit.segment import TokenizerConfig

    if output.suffix.lower() == ".csv":
        raise typer.BadParameter("the token table has list columns: write .parquet or .jsonl", param_hint="--output")
    documents = read_documents(corpus)
    config = TokenizerConfig(keep_numbers=keep_numbers, keep_dates=keep_numbers, remove_persons=not keep_persons)
    tokens = preprocess(documents, config=config, n_jobs=jobs, cache_dir=None if no_cache else cache_dir)
    write_table(tokens, output)
    typer.echo(f"{output}: {len(tokens)} documents ({tokens.attrs.get('n_processed', 0)} segmented, "
               f"{tokens.attrs.get('n_cached', 0)} from cache), lexicon version {tokens['lexicon_version'].iat[0] if len(tokens) else '-'}")
    if vocab_report is not None:
        write_table(vocabulary_report(documents, tokens, config=config), vocab_report)
        typer.echo(f"{vocab_report}: lexicon terms in text vs as tokens")
