"""The report stage: ``figures`` (``make figures``), ``repro-check`` (``make repro-check``) and ``browse``.

``figures`` runs the whole pipeline from a run configuration; its seeds come from
the configuration (``random_state``), which alone describes a run, so it takes no
``--random-state``. ``browse MODEL_DIR CORPUS -o topics.html`` writes the offline
topic browser of a model written by ``topics``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from toolkit.cli import app
from toolkit.cli._shared import load_model


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
    k = f"K = {summary.n_topics}" if summary.n_topics else "topics not fitted"
    typer.echo(f"{summary.n_documents} documents, {k}: {len(summary.figures)} figure files, "
               f"{len(summary.tables)} table files in {summary.output_dir}; report {summary.report}")
    typer.echo(f"timings: {timings}")


@app.command("repro-check")
def repro_check_command(
    config: Path = typer.Option(Path("configs/default.toml"), "--config", "-c", exists=True, dir_okay=False,
                                help="Run configuration (TOML)."),
    output: Path | None = typer.Option(None, "-o", "--output", file_okay=False,
                                       help="Folder for the two runs (run1/, run2/ and their caches; "
                                            "default: a new temporary folder)."),
) -> None:
    """Run the pipeline twice from empty caches and compare the hashes of every output file."""
    from toolkit.config import load_config
    from toolkit.pipeline import repro_check

    identical, differences = repro_check(load_config(config), workdir=output)
    if not identical:
        typer.echo("outputs differ between runs:\n  " + "\n  ".join(differences), err=True)
        raise typer.Exit(1)
    typer.echo("reproducible: every figure, table and the report are byte-identical across two runs")


@app.command("browse")
def browse_command(
    model_dir: Path = typer.Argument(..., exists=True, file_okay=False, help="Output folder of `toolkit topics`."),
    corpus: Path = typer.Argument(..., exists=True, dir_okay=False, help="Document table (titles and excerpts)."),
    output: Path = typer.Option(..., "-o", "--output", help="HTML file to write."),
    n_terms: int = typer.Option(30, "--n-terms", help="Terms shown per topic."),
    lambda_: float = typer.Option(0.6, "--lambda", help="Initial relevance λ (0 = lift, 1 = probability)."),
    n_docs: int = typer.Option(3, "--n-docs", help="Representative documents per topic."),
    title: str = typer.Option("Topics", "--title", help="Page title."),
) -> None:
    """Write an offline, self-contained interactive topic browser (HTML)."""
    from toolkit.corpus import write_text_atomic
    from toolkit.report.browser import topic_browser_html

    # The browser shows the model as fitted: the repost policy applied at `topics`.
    result, documents = load_model(model_dir, corpus, include_duplicates=True)
    page = topic_browser_html(result, documents, n_terms=n_terms, lambda_=lambda_, n_docs=n_docs, title=title)
    write_text_atomic(output, page)
    typer.echo(f"{output}: {result.doc_topic_.shape[1]} topics")
