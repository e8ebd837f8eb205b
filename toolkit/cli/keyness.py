"""The keyness stage: ``keyness`` (distinctive terms between groups) and ``collocations`` (multiword terms).

Both read a document table (CORPUS) and its tokens (``--tokens``, or tokenized
here with the preprocess cache); reposts are left out unless
``--include-duplicates``. Library: :mod:`toolkit.keyness`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from toolkit.cli import INCLUDE_DUPLICATES, TOKENS, app, jobs_option
from toolkit.cli._shared import check_columns, load_documents, load_tokens, table_path
from toolkit.config import KeynessConfig

#: The defaults of ``[keyness]`` in the run config: one default per setting.
_DEFAULTS = KeynessConfig()

_CORPUS = typer.Argument(..., exists=True, dir_okay=False, help="Document table (.parquet, .csv, .jsonl).")
_JOBS = jobs_option("Worker processes tokenizing")


@app.command("keyness")
def keyness_command(
    corpus: Path = _CORPUS,
    output: Path = typer.Option(..., "-o", "--output", callback=table_path, help="Keyness table (group, term, log_odds, z, chi2, g2, ...)."),
    group: str = typer.Option("district", "--group",
                              help="Column defining the groups; district groups by locality (district, province)."),
    target: str | None = typer.Option(None, "--target", help="One group (default: every group vs the rest); "
                                      "a district as its locality, or its name when no other province has it."),
    reference: str | None = typer.Option(None, "--reference", help="Compare the target with this group (default: the rest)."),
    prior: str = typer.Option("informative", "--prior", help="informative or uniform Dirichlet prior."),
    min_count: int = typer.Option(5, "--min-count", help="Report terms seen at least this often in the two corpora."),
    keep_places: bool = typer.Option(False, "--keep-places",
                                     help="Also report place and person names (left out by default)."),
    top_n: int = typer.Option(_DEFAULTS.n_terms, "--top-n", min=0,
                              help="Keep the N most over-represented terms of each group (highest z); "
                                   "0 = every term (large on many groups: see --full)."),
    min_docs: int = typer.Option(_DEFAULTS.min_docs, "--min-docs", min=0,
                                 help="Groups with fewer documents are flagged small_group (kept, not pooled)."),
    full: Path | None = typer.Option(None, "--full", dir_okay=False,
                                     help="Also write the full table (every term of every group) to this .parquet "
                                          "file, group by group, never held in memory."),
    tokens: Path | None = TOKENS,
    jobs: int = _JOBS,
    include_duplicates: bool = INCLUDE_DUPLICATES,
) -> None:
    """Distinctive terms of each group (weighted log-odds with informative prior)."""
    import pandas as pd

    from toolkit.corpus import write_table
    from toolkit.keyness import KEYNESS_COLUMNS, iter_keyness, keyness_table
    from toolkit.places import resolve_locality
    from toolkit.report.files import write_keyness_parquet

    documents = load_documents(corpus, include_duplicates)
    check_columns(documents, [group], "--group")
    # A district is a group of its province: the groups are localities.
    values = documents["locality" if group == "district" else group].dropna()
    # Group values from the command line are strings; match them to the column's type (year is an integer).
    lookup = {str(v): v for v in values.unique()}
    for name, value in (("--target", target), ("--reference", reference)):
        if value is None or value in lookup:
            continue
        if group not in ("district", "locality"):
            raise typer.BadParameter(f"{value!r} is not a value of {group}", param_hint=name)
        try:
            lookup[value] = resolve_locality(value, lookup)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint=name) from None
    if full is not None and not full.name.endswith(".parquet"):
        raise typer.BadParameter(f"{full.name}: the full table is written as .parquet", param_hint="--full")
    token_table = load_tokens(documents, tokens, jobs)
    options = dict(target=lookup.get(target) if target is not None else None,
                   reference=lookup.get(reference) if reference is not None else None,
                   prior=prior, min_count=min_count, min_docs=min_docs,
                   keep_places=keep_places)
    if full is None:
        table = keyness_table(token_table, documents, group, top_n=top_n or None, **options)
    else:
        # One pass: each group's full part is streamed to --full, its first top_n rows kept for -o.
        heads = []

        def parts():
            for part in iter_keyness(token_table, documents, group, **options):
                heads.append(part.head(top_n) if top_n else part)
                yield part
        n_rows = write_keyness_parquet(full, parts())
        typer.echo(f"{full}: {n_rows} rows (every term of every group)")
        table = pd.concat(heads, ignore_index=True) if heads else pd.DataFrame(columns=KEYNESS_COLUMNS)
    write_table(table, output)
    typer.echo(f"{output}: {len(table)} rows over {table['group'].nunique()} group(s)")


@app.command("collocations")
def collocations_command(
    corpus: Path = _CORPUS,
    output: Path = typer.Option(..., "-o", "--output", callback=table_path, help="Candidate multiword terms (candidate, count, score, in_lexicon)."),
    min_count: int = typer.Option(5, "--min-count", help="Minimum pair count."),
    threshold: float = typer.Option(0.5, "--threshold", help="Minimum NPMI score."),
    tokens: Path | None = TOKENS,
    jobs: int = _JOBS,
    include_duplicates: bool = INCLUDE_DUPLICATES,
) -> None:
    """Propose multiword terms for corpora/lexicons/terms.txt (gensim Phrases, NPMI)."""
    from toolkit.corpus import write_table
    from toolkit.text.collocations import discover_collocations

    documents = load_documents(corpus, include_duplicates)
    table = discover_collocations(load_tokens(documents, tokens, jobs)["tokens"], min_count=min_count, threshold=threshold)
    write_table(table, output)
    typer.echo(f"{output}: {len(table)} candidates, {int((~table['in_lexicon']).sum())} not in the lexicon")
