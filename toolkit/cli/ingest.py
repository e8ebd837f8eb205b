"""The ingest stage: ``python -m toolkit ingest PATH... -o OUT`` (raw pages and tables → the document table)."""

from __future__ import annotations

from pathlib import Path

import typer

from toolkit.cli import app, jobs_option
from toolkit.cli._shared import table_path


@app.command("ingest")
def ingest_command(
    paths: list[Path] = typer.Argument(..., help="Page files, folders (recursive) or tables."),
    output: Path = typer.Option(..., "-o", "--output", callback=table_path, help="Document table to write: .parquet, .csv or .jsonl."),
    rejects: Path | None = typer.Option(None, "--rejects", callback=table_path, help="Write rejected inputs (source, line, reason) here (.csv)."),
    sources: Path | None = typer.Option(None, "--sources", exists=True, dir_okay=False, help="TOML file mapping folders, globs or domains to localities (\\[\\[source]] match/province/district)."),
    text_field: str | None = typer.Option(None, "--text-field", help="Table column(s) with the text; comma-separated to join."),
    title_field: str | None = typer.Option(None, "--title-field", help="Table column with the title."),
    date_field: str | None = typer.Option(None, "--date-field", help="Table column with the publication date."),
    id_field: str | None = typer.Option(None, "--id-field", help="Table column with a stable document id."),
    url_field: str | None = typer.Option(None, "--url-field", help="Table column with the page URL (for --sources domains)."),
    category_field: str | None = typer.Option(None, "--category-field", help="Table column with the portal's category (chuyên mục)."),
    dedup_threshold: float = typer.Option(0.8, "--dedup-threshold", help="Jaccard similarity above which a page is a repost."),
    jobs: int = jobs_option("Worker processes reading the inputs"),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:8786); default: local processes."),
) -> None:
    """Read raw scraped pages and tables into one tidy document table."""
    from toolkit.corpus import table_suffix, write_table
    from toolkit.ingest.core import ingest_files
    from toolkit.ingest.tables import FieldMap
    from toolkit.places import load_sources

    table_suffix(output)  # fail before reading anything when OUTPUT has no known format
    fields = FieldMap(text=text_field, title=title_field, date=date_field, id=id_field, url=url_field,
                      category=category_field)
    # a UserError (the file, the problem, `fix:`, exit status 1) as `check` and `figures` report it
    source_map = load_sources(sources) if sources is not None else None
    try:
        result = ingest_files(paths, fields=fields, sources=source_map, dedup_threshold=dedup_threshold, n_jobs=jobs,
                              scheduler=scheduler)
    except (FileNotFoundError, ValueError) as exc:  # also a UserError: a --*-field naming no column of a table
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if rejects is not None:
        write_table(result.rejects, rejects)
    elif len(result.rejects):
        typer.echo(f"{len(result.rejects)} inputs rejected (use --rejects FILE for the list)", err=True)
    if result.documents.empty:
        typer.echo("error: no document could be read from the inputs; see the rejects report", err=True)
        raise typer.Exit(1)
    if source_map is not None:
        for warning in source_map.unmatched_warnings(result.documents["locality_evidence"]):
            typer.echo(f"warning: {warning}", err=True)
    write_table(result.documents, output)
    typer.echo(f"wrote {len(result.documents)} documents to {output}")
