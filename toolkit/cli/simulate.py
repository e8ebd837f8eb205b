"""The demo corpus: ``python -m toolkit simulate -n N --random-state S -o DIR`` (simulated portal pages with planted truth)."""

from __future__ import annotations

from pathlib import Path

import typer

from toolkit.cli import app, random_state_option


@app.command("simulate")
def simulate_command(
    n_pages: int = typer.Option(2000, "--n-pages", "-n", min=1, help="Number of pages (reposts included)."),
    random_state: int = random_state_option("the simulation (the same seed writes the same bytes)"),
    output: Path = typer.Option(..., "-o", "--output", help="Folder to write pages/, truth/, sources.toml, README.txt."),
) -> None:
    """Write the SIMULATED demo corpus (raw portal pages with planted truth)."""
    from toolkit.simulate import simulate_corpus, write_corpus

    sim = simulate_corpus(n_pages, random_state=random_state)
    try:
        write_corpus(sim, output)
    except FileExistsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"wrote {len(sim.pages)} simulated pages to {output}")
