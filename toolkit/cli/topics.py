"""``python -m toolkit topics`` (fit a topic model) and ``python -m toolkit select`` (choose K).

``topics CORPUS -o DIR`` writes

``DIR/topic_terms.csv``
    ``topic, label, rank, term, weight`` (top 30 terms per topic);
``DIR/doc_topics.parquet``
    ``doc_id, topic_0 ... topic_{K-1}`` (proportions, rows sum to 1);
``DIR/model/``
    the fitted model (:func:`toolkit.topics.persist.save_result`).

``select CORPUS -o OUT.csv`` writes the tidy score table
(``n_topics, random_state, measure, value``) and ``OUT.summary.csv``, and
prints the recommended K with its reasoning.

Reposts (``duplicate_of`` set) are left out unless ``--include-duplicates``. Tokens come from ``--tokens``
(a token table from ``python -m toolkit preprocess``) or are computed with
:func:`toolkit.text.preprocess.preprocess`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from toolkit.cli import INCLUDE_DUPLICATES, app
from toolkit.corpus import apply_repost_policy, read_documents, read_table, write_table


def _load_tokens(corpus: Path, tokens: Path | None, jobs: int,
                 include_duplicates: bool) -> tuple[list[str], list[list[str]]]:
    """Doc ids and token lists of the documents of ``corpus`` the repost policy keeps, in corpus order."""
    documents = apply_repost_policy(read_documents(corpus), include_duplicates)
    if tokens is not None:
        table = read_table(tokens)
        missing = set(documents["doc_id"]) - set(table["doc_id"])
        if missing:
            raise typer.BadParameter(f"{len(missing)} documents of the corpus have no row in the token table "
                                     f"(e.g. {sorted(missing)[0]}); rerun preprocess", param_hint="--tokens")
        by_id = dict(zip(table["doc_id"], table["tokens"], strict=True))
        token_lists = [list(by_id[d]) for d in documents["doc_id"]]
    else:
        from toolkit.text.preprocess import preprocess

        table = preprocess(documents, n_jobs=jobs)
        token_lists = [list(t) for t in table["tokens"]]
    return documents["doc_id"].astype(str).tolist(), token_lists


def _load_themes(themes_file: Path | None) -> dict[str, list[str]]:
    import tomllib

    from toolkit.themes.dictionary import load_themes

    try:
        dictionary = load_themes(themes_file) if themes_file is not None else load_themes()
        return {str(k): list(v) for k, v in dictionary.token_terms().items()}
    except (ValueError, OSError, tomllib.TOMLDecodeError) as exc:  # a theme-file problem: report it plainly
        typer.echo(f"error: could not read the theme dictionary{f' {themes_file}' if themes_file else ''}: {exc}",
                   err=True)
        raise typer.Exit(2) from exc


@app.command("topics")
def topics_command(
    corpus: Path = typer.Argument(..., exists=True, dir_okay=False, help="Document table (.parquet, .csv, .jsonl)."),
    n_topics: int = typer.Option(..., "--n-topics", "-k", min=1, help="Number of topics, seeded ones included (--seeded: at least themes + 1)."),
    random_state: int = typer.Option(..., "--random-state", help="Seed of the model."),
    output: Path = typer.Option(..., "-o", "--output", file_okay=False, help="Output folder."),
    tokens: Path | None = typer.Option(None, "--tokens", exists=True, dir_okay=False,
                                       help="Token table from `preprocess` (default: preprocess now)."),
    engine: str = typer.Option("gensim", "--engine", help="gensim (variational) or tomotopy (Gibbs)."),
    seeded: bool = typer.Option(False, "--seeded/--no-seeded", help="Theme topics first, seeded by the theme dictionary."),
    themes: Path | None = typer.Option(None, "--themes", exists=True, dir_okay=False, help="Theme dictionary file."),
    skip_missing_themes: bool = typer.Option(False, "--skip-missing-themes",
                                             help="With --seeded: leave out themes none of whose terms occur "
                                                  "(default: stop with an error)."),
    passes: int | None = typer.Option(None, "--passes", help="gensim passes (default: by corpus size)."),
    iterations: int | None = typer.Option(None, "--iterations", help="gensim E-step cap / tomotopy sweeps."),
    min_df: int = typer.Option(2, "--min-df", help="Drop terms in fewer documents."),
    max_df: float = typer.Option(0.9, "--max-df", help="Drop terms in more than this share of documents."),
    n_terms: int = typer.Option(30, "--n-terms", help="Terms per topic in topic_terms.csv."),
    jobs: int = typer.Option(-1, "--jobs", "-j", help="Preprocessing workers when --tokens is not given."),
    include_duplicates: bool = INCLUDE_DUPLICATES,
) -> None:
    """Fit LDA (or seeded LDA) and write topic terms, document topics and the model."""
    from toolkit.topics.lda import fit_lda
    from toolkit.topics.persist import save_result

    if engine not in ("gensim", "tomotopy"):
        raise typer.BadParameter("use gensim or tomotopy", param_hint="--engine")
    doc_ids, token_lists = _load_tokens(corpus, tokens, jobs, include_duplicates)
    kwargs = {"random_state": random_state, "engine": engine, "passes": passes, "iterations": iterations,
              "min_df": min_df, "max_df": max_df, "doc_ids": doc_ids}
    if engine == "tomotopy":
        kwargs.pop("passes")
    try:
        if seeded:
            from toolkit.topics.seeded import fit_seeded_lda

            theme_terms = _load_themes(themes)
            if skip_missing_themes:
                present = {t for doc in token_lists for t in doc}
                missing = [name for name, terms in theme_terms.items() if not present.intersection(terms)]
                for name in missing:
                    typer.echo(f"warning: theme {name}: none of its terms occurs in the corpus; left out", err=True)
                theme_terms = {k: v for k, v in theme_terms.items() if k not in missing}
            result = fit_seeded_lda(token_lists, theme_terms, n_topics, **kwargs)
        else:
            result = fit_lda(token_lists, n_topics, **kwargs)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    write_table(result.top_terms(n_terms), output / "topic_terms.csv")
    write_table(result.doc_topic_frame(doc_ids), output / "doc_topics.parquet")
    save_result(result, output / "model")
    typer.echo(f"{output}: {result.n_topics} topics over {len(doc_ids)} documents, "
               f"{len(result.vocabulary_)} terms ({engine}, random_state={random_state})")


def _int_list(text: str, name: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r}: give comma-separated integers", param_hint=name) from exc


@app.command("select")
def select_command(
    corpus: Path = typer.Argument(..., exists=True, dir_okay=False, help="Document table (.parquet, .csv, .jsonl)."),
    grid: str = typer.Option("8,12,16", "--grid", help="Numbers of topics to compare, comma-separated."),
    random_states: str = typer.Option("0,1,2", "--random-states", help="Seeds per K, comma-separated."),
    output: Path = typer.Option(..., "-o", "--output", help="Score table to write (.csv)."),
    tokens: Path | None = typer.Option(None, "--tokens", exists=True, dir_okay=False,
                                       help="Token table from `preprocess` (default: preprocess now)."),
    engine: str = typer.Option("gensim", "--engine", help="gensim or tomotopy."),
    heldout_fraction: float = typer.Option(0.2, "--heldout-fraction", help="Share of documents held out."),
    coherence: str = typer.Option("npmi", "--coherence", help="npmi or umass (used in the recommendation)."),
    jobs: int = typer.Option(-1, "--jobs", "-j", help="Worker processes (-1 = all cores, 1 = inline)."),
    include_duplicates: bool = INCLUDE_DUPLICATES,
) -> None:
    """Fit a grid of K × seeds, score coherence, held-out fit, exclusivity and stability, recommend K."""
    from toolkit.topics.select import select_n_topics

    doc_ids, token_lists = _load_tokens(corpus, tokens, jobs, include_duplicates)
    result = select_n_topics(token_lists, _int_list(grid, "--grid"), _int_list(random_states, "--random-states"),
                             engine=engine, heldout_fraction=heldout_fraction, coherence=coherence, n_jobs=jobs)
    write_table(result.table, output)
    summary_path = output.with_name(output.name.removesuffix(output.suffix) + ".summary" + output.suffix)
    write_table(result.summary, summary_path)
    typer.echo(f"{output}: {len(result.table)} scores; {summary_path}: means per K")
    typer.echo(result.reasoning)
