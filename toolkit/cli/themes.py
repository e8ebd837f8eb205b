"""Rule-based analysis commands: ``themes``, ``validate-themes``, ``kwic``, ``keyness``, ``collocations``.

Each command reads a document table (CORPUS) and, optionally, its token table
from ``python -m toolkit preprocess`` (``--tokens``); without it the documents
are tokenized here (with the preprocess cache). Reposts (``duplicate_of`` set) are
left out unless ``--include-duplicates`` (:func:`toolkit.corpus.apply_repost_policy`).
"""

from __future__ import annotations

from pathlib import Path

import typer

from toolkit.cli import INCLUDE_DUPLICATES, app
from toolkit.config import CACHE_DIR

_CORPUS = typer.Argument(..., exists=True, dir_okay=False, help="Document table (.parquet, .csv, .jsonl).")
_TOKENS = typer.Option(None, "--tokens", help="Token table from `toolkit preprocess` (else the corpus is tokenized now).")
_JOBS = typer.Option(-1, "--jobs", "-j", help="Worker processes when tokenizing (-1 = all cores, 1 = inline).")


def _documents(corpus: Path, include_duplicates: bool):
    from toolkit.corpus import apply_repost_policy, read_documents

    return apply_repost_policy(read_documents(corpus), include_duplicates)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _tokens_for(documents, tokens_path: Path | None, jobs: int, scheduler: str | None = None):
    from toolkit.corpus import read_table
    from toolkit.text.preprocess import preprocess

    if tokens_path is not None:
        tokens = read_table(tokens_path)
        missing = set(documents["doc_id"].astype(str)) - set(tokens["doc_id"].astype(str))
        if missing:
            typer.echo(f"warning: {len(missing)} document(s) of the corpus are not in {tokens_path}", err=True)
        # Only the corpus's documents (the repost policy applies to the token table too).
        tokens = tokens[tokens["doc_id"].astype(str).isin(set(documents["doc_id"].astype(str)))].reset_index(drop=True)
        tokens["tokens"] = tokens["tokens"].map(list)
        return tokens
    return preprocess(documents, n_jobs=jobs, cache_dir=CACHE_DIR / "preprocess", scheduler=scheduler)


def _check_columns(documents, columns: list[str], hint: str) -> None:
    missing = [c for c in columns if c not in documents.columns]
    if missing:
        raise typer.BadParameter(f"the corpus has no column(s) {', '.join(missing)}", param_hint=hint)


@app.command("themes")
def themes_command(
    corpus: Path = _CORPUS,
    output: Path = typer.Option(..., "-o", "--output", help="Aggregated table: theme shares per cell with intervals."),
    by: str = typer.Option("province,district,year", "--by",
                           help="Cell columns, comma-separated; district means the district of its province "
                                "(cells keep province, district and locality)."),
    tokens: Path | None = _TOKENS,
    themes_file: Path | None = typer.Option(None, "--themes", exists=True, dir_okay=False, help="Themes file (default corpora/lexicons/themes.toml)."),
    interval: str = typer.Option("jeffreys", "--interval", help="Share intervals: jeffreys, wilson (coverage kept in tiny and 0/100% cells) or bootstrap."),
    n_boot: int = typer.Option(1000, "--n-boot", help="Bootstrap replicates per cell (--interval bootstrap)."),
    random_state: int = typer.Option(0, "--random-state", help="Seed of the bootstrap."),
    min_docs: int = typer.Option(5, "--min-docs", help="Cells with fewer documents are flagged small_cell."),
    per_doc: Path | None = typer.Option(None, "--per-doc", help="Also write the per-document long table here."),
    jobs: int = _JOBS,
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:8786) for tokenizing and counting; default: local processes."),
    include_duplicates: bool = INCLUDE_DUPLICATES,
    classifier: Path | None = typer.Option(None, "--classifier", exists=True, file_okay=False,
                                           help="Folder of classifiers from `validate train`: their themes are measured by them (column measure)."),
) -> None:
    """Count dictionary themes in every document and aggregate per cell."""
    import pandas as pd

    from toolkit.corpus import write_table
    from toolkit.themes.dictionary import load_themes, theme_hits_batched
    from toolkit.themes.shares import theme_shares
    from toolkit.themes.validate import ThemeClassifier, classifier_hits

    documents = _documents(corpus, include_duplicates)
    by_cols = _split(by)
    _check_columns(documents, by_cols, "--by")
    themes = load_themes(themes_file)
    token_table = _tokens_for(documents, tokens, jobs, scheduler)
    hits = theme_hits_batched(token_table, themes, documents, n_jobs=jobs, scheduler=scheduler)
    hits["measure"] = "dictionary"
    if classifier is not None:
        models = [ThemeClassifier.from_json(p.read_text(encoding="utf-8")) for p in sorted(classifier.glob("*.json"))]
        if not models:
            raise typer.BadParameter(f"no <theme>.json classifiers in {classifier}", param_hint="--classifier")
        measured = classifier_hits(token_table, models).drop(columns="probability")
        hits = pd.concat([hits[~hits["theme"].isin({m.theme for m in models})], measured], ignore_index=True)
        hits = hits.sort_values(["doc_id", "theme"], kind="mergesort", ignore_index=True)
        typer.echo(f"measured by classifier: {', '.join(m.theme for m in models)}")
    if per_doc is not None:
        write_table(hits, per_doc)
        typer.echo(f"{per_doc}: {len(hits)} rows (documents × themes)")
    try:
        shares = theme_shares(hits, documents, by=by_cols, n_boot=n_boot, random_state=random_state,
                              min_docs=min_docs, interval=interval)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--interval") from exc
    write_table(shares, output)
    typer.echo(f"{output}: {len(shares)} rows, {len(themes.themes)} themes, themes file version {themes.version}")


@app.command("validate-themes")
def validate_themes_command(
    corpus: Path = _CORPUS,
    output: Path = typer.Option(..., "-o", "--output", help="Table of document frequencies per theme term."),
    by: str = typer.Option("province", "--by", help="Group columns, comma-separated ('' for none)."),
    tokens: Path | None = _TOKENS,
    themes_file: Path | None = typer.Option(None, "--themes", exists=True, dir_okay=False, help="Themes file."),
    jobs: int = _JOBS,
    include_duplicates: bool = INCLUDE_DUPLICATES,
) -> None:
    """Check every theme term: in how many documents (per group) it is counted."""
    from toolkit.corpus import write_table
    from toolkit.themes.dictionary import load_themes, validate_themes

    documents = _documents(corpus, include_duplicates)
    by_cols = _split(by)
    _check_columns(documents, by_cols, "--by")
    themes = load_themes(themes_file)
    table = validate_themes(_tokens_for(documents, tokens, jobs), documents, themes, by=by_cols)
    write_table(table, output)
    never = table.loc[~table["occurs"], "term"].tolist()
    typer.echo(f"{output}: {len(table)} terms, {len(never)} never occur" + (f": {', '.join(never)}" if never else ""))


@app.command("kwic")
def kwic_command(
    corpus: Path = _CORPUS,
    term: str = typer.Argument(..., help='A phrase, as in the themes file ("giải phóng mặt bằng").'),
    window: int = typer.Option(8, "--window", "-w", help="Words of context on each side."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write the table here instead of printing it."),
    limit: int = typer.Option(50, "--limit", help="Rows printed to the terminal (0: all)."),
    themes_file: Path | None = typer.Option(None, "--themes", exists=True, dir_okay=False, help="Themes file whose exclusion rules apply to TERM."),
    include_duplicates: bool = INCLUDE_DUPLICATES,
) -> None:
    """Show every occurrence of TERM in the original text, with context."""
    from toolkit.corpus import write_table
    from toolkit.themes.dictionary import load_themes
    from toolkit.themes.concordance import kwic

    table = kwic(_documents(corpus, include_duplicates), term, window=window, themes=load_themes(themes_file))
    if output is not None:
        write_table(table, output)
        typer.echo(f"{output}: {len(table)} occurrences of {term!r}")
        return
    shown = table if limit <= 0 else table.head(limit)
    width = max((len(s) for s in shown["left"]), default=0)
    for row in shown.itertuples(index=False):
        typer.echo(f"{row.doc_id}\t{row.left:>{width}} [{row.keyword}] {row.right}")
    typer.echo(f"-- {len(table)} occurrence(s) of {term!r}" + (f", {len(shown)} shown" if len(shown) < len(table) else ""))


@app.command("keyness")
def keyness_command(
    corpus: Path = _CORPUS,
    output: Path = typer.Option(..., "-o", "--output", help="Keyness table (group, term, log_odds, z, chi2, g2, ...)."),
    group: str = typer.Option("district", "--group",
                              help="Column defining the groups; district groups by locality (district, province)."),
    target: str | None = typer.Option(None, "--target", help="One group (default: every group vs the rest); "
                                      "a district as its locality, or its name when no other province has it."),
    reference: str | None = typer.Option(None, "--reference", help="Compare the target with this group (default: the rest)."),
    prior: str = typer.Option("informative", "--prior", help="informative or uniform Dirichlet prior."),
    min_count: int = typer.Option(5, "--min-count", help="Report terms seen at least this often in the two corpora."),
    keep_places: bool = typer.Option(False, "--keep-places",
                                     help="Also report place and person names (left out by default)."),
    tokens: Path | None = _TOKENS,
    jobs: int = _JOBS,
    include_duplicates: bool = INCLUDE_DUPLICATES,
) -> None:
    """Distinctive terms of each group (weighted log-odds with informative prior)."""
    from toolkit.corpus import write_table
    from toolkit.keyness import keyness_table
    from toolkit.places import resolve_locality

    documents = _documents(corpus, include_duplicates)
    _check_columns(documents, [group], "--group")
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
    table = keyness_table(_tokens_for(documents, tokens, jobs), documents, group,
                          target=lookup.get(target) if target is not None else None,
                          reference=lookup.get(reference) if reference is not None else None,
                          prior=prior, min_count=min_count, keep_places=keep_places)
    write_table(table, output)
    typer.echo(f"{output}: {len(table)} rows over {table['group'].nunique()} group(s)")


@app.command("collocations")
def collocations_command(
    corpus: Path = _CORPUS,
    output: Path = typer.Option(..., "-o", "--output", help="Candidate multiword terms (candidate, count, score, in_lexicon)."),
    min_count: int = typer.Option(5, "--min-count", help="Minimum pair count."),
    threshold: float = typer.Option(0.5, "--threshold", help="Minimum NPMI score."),
    tokens: Path | None = _TOKENS,
    jobs: int = _JOBS,
    include_duplicates: bool = INCLUDE_DUPLICATES,
) -> None:
    """Propose multiword terms for corpora/lexicons/terms.txt (gensim Phrases, NPMI)."""
    from toolkit.corpus import write_table
    from toolkit.keyness import discover_collocations

    documents = _documents(corpus, include_duplicates)
    table = discover_collocations(_tokens_for(documents, tokens, jobs)["tokens"], min_count=min_count, threshold=threshold)
    write_table(table, output)
    typer.echo(f"{output}: {len(table)} candidates, {int((~table['in_lexicon']).sum())} not in the lexicon")
