"""``python -m toolkit explore CORPUS -o explorer.html``: the offline explorer of a corpus (and a fitted model).

``explore CORPUS [--tokens T] [--model DIR] [--themes FILE] -o explorer.html``
    theme hits, shares per locality × year (Jeffreys intervals) and the lines
    that made each document count, from the document table ``CORPUS`` and
    the theme dictionary; with ``--model`` (the output folder of
    ``python -m toolkit topics``) also the topics: their prevalence per
    locality × year with intervals, top terms (probability and FREX), the
    inter-topic map and the relevance slider. Writes one self-contained HTML
    file (:func:`toolkit.report.explorer.explorer_html`).

Reposts (``duplicate_of`` set) are left out unless ``--include-duplicates``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from toolkit.cli import INCLUDE_DUPLICATES, TOKENS, app, jobs_option, random_state_option
from toolkit.cli._shared import load_documents, load_tokens

logger = logging.getLogger("toolkit.cli.explore")


def _model_tables(model_dir: Path, documents, *, n_draws: int, random_state: int) -> dict:
    """The topic tables of the explorer from the output folder of ``toolkit topics``."""
    import pandas as pd

    from toolkit.corpus import read_table
    from toolkit.report.browser import seeded_topic_labels
    from toolkit.topics import prevalence_by_group, top_terms
    from toolkit.topics.intertopic import relevance_terms, topic_map
    from toolkit.topics.persist import load_result

    doc_table = model_dir / "doc_topics.parquet"
    if not (model_dir / "model").is_dir() or not doc_table.is_file():
        raise typer.BadParameter(f"{model_dir} has no model/ and doc_topics.parquet: give the output folder of "
                                 "`toolkit topics`", param_hint="--model")
    result = load_result(model_dir / "model")
    doc_ids = read_table(doc_table)["doc_id"].astype(str).tolist()
    if len(doc_ids) != result.doc_topic_.shape[0]:
        raise typer.BadParameter(f"{doc_table} lists {len(doc_ids)} documents but the model has "
                                 f"{result.doc_topic_.shape[0]}", param_hint="--model")
    missing = sorted(set(doc_ids) - set(documents["doc_id"]))
    if len(missing) == len(doc_ids):
        raise typer.BadParameter("none of the model's documents (doc_id) is in CORPUS: give the document table "
                                 "the model was fitted on", param_hint="--model")
    if missing:
        logger.warning("%d of %d model documents are not in the corpus (or are reposts left out); e.g. %s",
                       len(missing), len(doc_ids), missing[0])
    doc_topics = pd.DataFrame(result.doc_topic_, columns=[f"topic_{k}" for k in range(result.doc_topic_.shape[1])])
    doc_topics.insert(0, "doc_id", doc_ids)
    # Rows aligned with the model; a document missing from the corpus gets no covariates and is left out.
    aligned = documents.set_index("doc_id").reindex(doc_ids).reset_index()
    return {
        "doc_topics": doc_topics,
        "topic_prevalence": prevalence_by_group(result, aligned, by=("district", "year"), n_draws=n_draws,
                                                random_state=random_state),
        "topic_terms": top_terms(result, 30),
        "topic_terms_frex": top_terms(result, 30, measure="frex"),
        "topic_map": topic_map(result),
        "topic_relevance": relevance_terms(result, 30),
        # a seeded topic its seeds do not hold says so, as in the report's figures ("seed terms lost")
        "topic_labels": seeded_topic_labels(result),
    }


@app.command("explore")
def explore_command(
    corpus: Path = typer.Argument(..., exists=True, dir_okay=False, help="Document table (.parquet, .csv, .jsonl)."),
    output: Path = typer.Option(..., "-o", "--output", dir_okay=False, help="HTML file to write."),
    tokens: Path | None = TOKENS,
    model: Path | None = typer.Option(None, "--model", exists=True, file_okay=False,
                                      help="Output folder of `toolkit topics` (adds the topic views)."),
    themes: Path | None = typer.Option(None, "--themes", exists=True, dir_okay=False,
                                       help="Theme dictionary (default: corpora/lexicons/themes.toml)."),
    random_state: int = random_state_option("the share intervals and topic-prevalence draws"),
    n_draws: int = typer.Option(50, "--n-draws", help="Posterior draws of topic proportions (with --model)."),
    max_docs_per_cell: int = typer.Option(25, "--max-docs-per-cell", min=0, help="Documents listed per cell."),
    max_documents: int = typer.Option(3000, "--max-documents", min=0, help="Documents embedded in all."),
    max_chars: int = typer.Option(3000, "--max-chars", min=0, help="Characters of each text embedded."),
    title: str = typer.Option("Explorer", "--title", help="Page title."),
    jobs: int = jobs_option("Workers for preprocessing when --tokens is not given"),
    include_duplicates: bool = INCLUDE_DUPLICATES,
) -> None:
    """Write the offline explorer: a theme's or topic's trend → a cell's documents → their lines and text."""
    import tomllib

    from toolkit.corpus import write_text_atomic
    from toolkit.places import with_locality
    from toolkit.report.explorer import MIN_DOCS, explorer_html, relative_sources
    from toolkit.themes import load_themes, theme_hits, theme_kwic, theme_shares
    from toolkit.themes.dictionary import term_counts

    documents = load_documents(corpus, include_duplicates)
    documents = with_locality(documents.assign(doc_id=documents["doc_id"].astype(str)).drop_duplicates("doc_id"))
    if "source" in documents.columns:
        documents = documents.assign(source=relative_sources(documents["source"]))
    token_table = load_tokens(documents, tokens, jobs)
    try:
        dictionary = load_themes(themes) if themes is not None else load_themes()
    except (ValueError, OSError, tomllib.TOMLDecodeError) as exc:  # a theme-file problem: report it plainly
        typer.echo(f"error: could not read the theme dictionary{f' {themes}' if themes else ''}: {exc}", err=True)
        raise typer.Exit(2) from exc
    counts = term_counts(token_table, dictionary, documents)  # one count for the hits and the KWIC lines
    hits = theme_hits(token_table, dictionary, documents=documents, counts=counts)
    dated = documents[documents["year"].notna()]
    shares = theme_shares(hits, dated, by=("province", "district", "year"), random_state=random_state,
                          min_docs=MIN_DOCS)
    lines = theme_kwic(documents, token_table, dictionary, counts=counts)
    labels = {t.id: t.label_en or t.id for t in dictionary.themes}
    topic_tables = (_model_tables(model, documents, n_draws=n_draws, random_state=random_state)
                    if model is not None else {})
    page = explorer_html(documents, theme_shares=shares, theme_hits=hits, theme_kwic=lines, theme_labels=labels,
                         max_docs_per_cell=max_docs_per_cell, max_documents=max_documents, max_chars=max_chars,
                         min_docs=MIN_DOCS, title=title, **topic_tables)
    write_text_atomic(output, page)
    n_topics = topic_tables["doc_topics"].shape[1] - 1 if topic_tables else 0
    typer.echo(f"{output}: {len(documents)} documents, {len(dictionary.themes)} themes, {n_topics} topics, "
               f"{len(lines)} lines in context ({len(page.encode('utf-8')) // 1024} KiB)")
