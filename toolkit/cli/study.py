"""``python -m toolkit init DIR`` and ``python -m toolkit check --config FILE``."""

from __future__ import annotations

from pathlib import Path

import typer

from toolkit.cli import app, random_state_option


@app.command("init")
def init_command(
    directory: Path = typer.Argument(..., help="The study folder to create (config.toml, sources.toml, themes.toml, "
                                               "pages/, README.md, .gitignore)."),
    name: str | None = typer.Option(None, "--name", help="Name of the study (default: the folder's name)."),
    random_state: int = random_state_option("the study (written into its config)"),
    force: bool = typer.Option(False, "--force", help="Rewrite the files of an existing study (pages/ is kept)."),
) -> None:
    """Create a study folder: drop pages into DIR/pages/, then `check` and `make figures CONFIG=DIR/config.toml`."""
    from toolkit.study import init_study

    written = init_study(directory, name=name, random_state=random_state, force=force)
    for path in written:
        typer.echo(f"wrote {path}")
    config = (directory / "config.toml").as_posix()
    typer.echo(f"\nnext: put your .txt/.html pages into {(directory / 'pages').as_posix()}/, then\n"
               f"  python -m toolkit check --config {config}\n"
               f"  make figures CONFIG={config}")


def _table(df, columns=None, max_rows: int = 30) -> str:
    if df is None or df.empty:
        return "  (none)"
    shown = df if columns is None else df[columns]
    text = shown.head(max_rows).to_string(index=False)
    more = f"\n  … {len(df) - max_rows} more rows (-o DIR writes them all)" if len(df) > max_rows else ""
    return "\n".join("  " + line for line in text.splitlines()) + more


def format_report(report) -> str:
    """The check report as the terminal shows it."""
    out = []
    files = (f"{report.n_files_read} of {report.n_files} input files (a random sample)" if report.sampled
             else f"{report.n_files} input files")
    out.append(f"read {files}: {report.n_documents} documents, {len(report.rejects)} rejected inputs, "
               f"{len(report.reposts)} reposts ({report.n_analysed} documents analysed)")
    if not report.by_locality_year.empty:
        grid = report.by_locality_year.pivot_table(index="locality", columns="year", values="n_docs",
                                                   aggfunc="sum", fill_value=0)
        min_docs = report.config.themes.min_docs
        marked = grid.map(lambda n: f"{n}*" if 0 < n < min_docs else (str(n) if n else "·"))
        out.append(f"\ndocuments by locality × year (* = sparse, fewer than {min_docs}; · = none):")
        out.append("\n".join("  " + line for line in marked.to_string().splitlines()))
    if report.n_documents:
        for title, table in (("encodings found", report.encodings),
                             ("dates: how they were found (date_source)", report.dates),
                             ("localities: how they were found (locality_evidence)", report.localities)):
            out.append(f"\n{title}:")
            out.append(_table(table))
    out.append("\nrejected inputs (source, line, reason):")
    out.append(_table(report.rejects))
    if report.n_documents:
        out.append("\nreposts (left out of counts and models):")
        out.append(_table(report.reposts))
    if not report.choices.empty:
        out.append("\nwhat the run chooses (reports/tables/run_choices.csv):")
        for row in report.choices.itertuples(index=False):
            if row.setting not in ("figures.include", "figures.left_out"):
                out.append(f"  {row.setting} = {row.value}  [{row.chosen_by}] {row.reason}")
    if not report.figures.empty:
        out.append("\nfigures:")
        for row in report.figures.itertuples(index=False):
            out.append(f"  {'made     ' if row.made else 'left out '} {row.figure}" +
                       ("" if row.made else f": {row.reason}"))
    if not report.cost.empty:
        out.append("\ncost of the heavy stages:")
        for row in report.cost.itertuples(index=False):
            out.append(f"  {row.stage}: {row.note}")
    for note in report.notes:
        out.append(f"\nnote: {note}")
    for warning in report.warnings:
        out.append(f"\nwarning: {warning}")
    if report.errors:
        out.append(f"\n{len(report.errors)} error(s) — `make figures` would stop:")
        for error in report.errors:
            out.append("error: " + str(error).replace("\n", "\n  "))
    else:
        out.append("\nno errors: `make figures` can run.")
    return "\n".join(out)


@app.command("check")
def check_command(
    config: Path = typer.Option(..., "--config", "-c", help="Run configuration (TOML)."),
    output: Path | None = typer.Option(None, "-o", "--output",
                                       help="Also write the check's tables (rejects.csv, run_choices.csv, …) here."),
    sample: int = typer.Option(2000, "--sample", help="Read at most this many input files, a random sample "
                                                      "(0: all)."),
    random_state: int = random_state_option("the sample of input files"),
    jobs: int = typer.Option(-1, "--jobs", "-j", help="Worker processes for reading (-1: all cores)."),
) -> None:
    """Dry run of `make figures`: what it will read, choose, make and cost, and what would stop it. Exit 1 on errors."""
    from toolkit.config import load_config
    from toolkit.corpus import write_table
    from toolkit.study import check_run

    report = check_run(load_config(config), sample=sample or None, random_state=random_state, n_jobs=jobs)
    typer.echo(format_report(report))
    if output is not None:
        for name, table in sorted(report.tables().items()):
            write_table(table, output / f"{name}.csv")
        typer.echo(f"\nwrote the tables to {output}")
    if report.errors:
        raise typer.Exit(1)
