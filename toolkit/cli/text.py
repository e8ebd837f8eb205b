"""The text stage: ``python -m toolkit preprocess CORPUS -o TOKENS`` (document table → token table)."""

from __future__ import annotations

from pathlib import Path

import typer

from toolkit.cli import app, jobs_option
from toolkit.cli._shared import TOKEN_CACHE, table_path


@app.command("preprocess")
def preprocess_command(
    corpus: Path = typer.Argument(..., exists=True, dir_okay=False, help="Document table (.parquet, .csv, .jsonl)."),
    output: Path = typer.Option(..., "-o", "--output", callback=table_path, help="Token table to write (.parquet recommended, or .jsonl)."),
    jobs: int = jobs_option("Worker processes segmenting"),
    no_cache: bool = typer.Option(False, "--no-cache", help="Segment every document again; do not read or write the cache."),
    cache_dir: Path = typer.Option(TOKEN_CACHE, "--cache-dir", help="Folder of the token cache."),
    keep_numbers: bool = typer.Option(False, "--keep-numbers", help="Keep numbers, dates and times as tokens."),
    keep_persons: bool = typer.Option(False, "--keep-persons", help="Keep person names as tokens (nguyễn_văn_an)."),
    vocab_report: Path | None = typer.Option(None, "--vocab-report", callback=table_path, help="Also write the lexicon survival table here."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:8786); default: local processes."),
    batch_size: int = typer.Option(2048, "--batch-size", help="Documents read from CORPUS at a time (memory stays flat)."),
) -> None:
    """Normalize and segment every document (title + body) into topic-model tokens."""
    from toolkit.corpus import TableWriter, conform, iter_table_batches, read_documents, write_table
    from toolkit.text.preprocess import empty_tokens, iter_preprocess, vocabulary_report
    from toolkit.text.segment import TokenizerConfig

    if output.suffix.lower() == ".csv":
        raise typer.BadParameter("the token table has list columns: write .parquet or .jsonl", param_hint="--output")
    config = TokenizerConfig(keep_numbers=keep_numbers, keep_dates=keep_numbers, remove_persons=not keep_persons)
    # Streamed: the corpus is read, segmented and written batch by batch.
    batches = (conform(b) for b in iter_table_batches(corpus, batch_size=batch_size))
    n_processed = n_cached = 0
    lexicon = "-"
    with TableWriter(output) as out:
        for part in iter_preprocess(batches, config=config, n_jobs=jobs, scheduler=scheduler,
                                    cache_dir=None if no_cache else cache_dir):
            out.write(part)
            n_processed += part.attrs["n_processed"]
            n_cached += part.attrs["n_cached"]
            lexicon = part["lexicon_version"].iat[0] if len(part) else lexicon
        if out.n_rows == 0:
            out.write(empty_tokens())
    typer.echo(f"{output}: {out.n_rows} documents ({n_processed} segmented, {n_cached} from cache), "
               f"lexicon version {lexicon}")
    if vocab_report is not None:
        from toolkit.corpus import read_table

        write_table(vocabulary_report(read_documents(corpus), read_table(output), config=config), vocab_report)
        typer.echo(f"{vocab_report}: lexicon terms in text vs as tokens")
