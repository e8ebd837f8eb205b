"""``python -m toolkit figures`` (``make figures``) and ``repro-check`` (``make repro-check``)."""

from __future__ import annotations

from pathlib import Path

import typer

from toolkit.cli import app


@app.command("figures")
def figures_command(
    config: Path = typer.Option(Path("configs/default.toml"), "--config", "-c", exists=True, dir_okay=False,
                                help="Run configuration (TOML)."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Output folder (default: the config's output_dir)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Recompute every stage."),
) -> None:
    """Run the whole pipeline: pages → document table → tokens → themes, keyness, topics, effects → figures, tables, report."""
    from toolkit.config import load_config
    from toolkit.pipeline import run_pipeline

    summary = run_pipeline(load_config(config), output_dir=output, use_cache=not no_cache)
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in summary.timings.items())
    typer.echo(f"{summary.n_documents} documents, K = {summary.n_topics}: {len(summary.figures)} figure files, "
               f"{len(summary.tables)} table files in {summary.output_dir}; report {summary.report}")
    typer.echo(f"timings: {timings}")


@app.command("repro-check")
def repro_check_command(
    config: Path = typer.Option(Path("configs/default.toml"), "--config", "-c", exists=True, dir_okay=False,
                                help="Run configuration (TOML)."),
    workdir: Path | None = typer.Option(None, "--workdir", help="Where the two runs go (default: a temporary folder)."),
) -> None:
    """Run the pipeline twice from empty caches and compare the hashes of every output file."""
    from toolkit.config import load_config
    from toolkit.pipeline import repro_check

    identical, differences = repro_check(load_config(config), workdir=workdir)
    if not identical:
        typer.echo("outputs differ between runs:\n  " + "\n  ".join(differences), err=True)
        raise typer.Exit(1)
    typer.echo("reproducible: every figure, table and the report are byte-identical across two runs")
