"""``python -m toolkit effects`` and ``python -m toolkit browse``: analyse a fitted topic model.

``effects MODEL_DIR CORPUS --formula "~ C(locality) + year" -o effects.csv``
    covariate effects on topic prevalence (method of composition), and
    optionally prevalence per group (``--prevalence OUT --by district,year``).
    ``locality`` is the district of its province ("Huyện Châu Thành, Bến
    Tre"), and ``--by district`` groups by it, so same-named districts of
    different provinces stay apart.
``browse MODEL_DIR CORPUS -o topics.html``
    the offline interactive topic browser.

``MODEL_DIR`` is the output folder of ``python -m toolkit topics``: the model in
``MODEL_DIR/model`` and the training documents' order in
``MODEL_DIR/doc_topics.parquet`` (column ``doc_id``), which is matched to the
document table ``CORPUS`` by ``doc_id``. In ``effects``, the model's documents
that are reposts in ``CORPUS`` are left out unless ``--include-duplicates`` (they
are only there when the model was fitted with ``topics --include-duplicates``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import typer

from toolkit.cli import INCLUDE_DUPLICATES, app
from toolkit.corpus import apply_repost_policy, read_documents, read_table, write_table, write_text_atomic

logger = logging.getLogger("toolkit.cli.effects")


def _load(model_dir: Path, corpus: Path, include_duplicates: bool):
    """The fitted model and the corpus rows aligned with its documents (missing, or reposts left out → NaN rows)."""
    from toolkit.topics.persist import load_result

    doc_table = model_dir / "doc_topics.parquet"
    if not (model_dir / "model").is_dir():
        raise typer.BadParameter(f"{model_dir / 'model'} not found: is MODEL_DIR the output of `toolkit topics`?",
                                 param_hint="MODEL_DIR")
    if not doc_table.is_file():
        raise typer.BadParameter(f"{doc_table} not found: is MODEL_DIR the output of `toolkit topics`?",
                                 param_hint="MODEL_DIR")
    result = load_result(model_dir / "model")
    doc_ids = read_table(doc_table)["doc_id"].astype(str).tolist()
    n_model = result.doc_topic_.shape[0]
    if len(doc_ids) != n_model:
        raise typer.BadParameter(f"{doc_table} lists {len(doc_ids)} documents but the model has {n_model}",
                                 param_hint="MODEL_DIR")
    documents = read_documents(corpus)
    documents = documents.assign(doc_id=documents["doc_id"].astype(str)).drop_duplicates("doc_id")
    found = pd.Index(doc_ids).isin(documents["doc_id"])
    if not found.any():
        raise typer.BadParameter(
            f"none of the model's {n_model} documents (doc_id) is in {corpus}: "
            "give the document table the model was fitted on", param_hint="CORPUS")
    if not found.all():
        logger.warning("%d of %d model documents are not in %s; they are left out",
                       int((~found).sum()), n_model, corpus)
    # A repost left out gets an empty row, so estimates leave it out like a document without covariates.
    documents = apply_repost_policy(documents, include_duplicates)
    aligned = documents.set_index("doc_id").reindex(doc_ids).reset_index()
    return result, aligned


@app.command("effects")
def effects_command(
    model_dir: Path = typer.Argument(..., exists=True, file_okay=False, help="Output folder of `toolkit topics`."),
    corpus: Path = typer.Argument(..., exists=True, dir_okay=False, help="Document table with the covariates."),
    output: Path = typer.Option(..., "-o", "--output", help="Effects table to write (.csv, .parquet, .jsonl)."),
    formula: str = typer.Option("~ C(locality) + year", "--formula", "-f",
                                help='patsy formula, e.g. "~ C(locality) + bs(year, df=3)" '
                                     '(locality: the district of its province).'),
    n_draws: int = typer.Option(50, "--n-draws", help="Posterior draws of the topic proportions."),
    random_state: int = typer.Option(0, "--random-state", help="Seed of all draws."),
    ci: float = typer.Option(0.95, "--ci", help="Coverage of the intervals."),
    cov_type: str = typer.Option("classical", "--cov-type", help="OLS covariance: classical, HC0 or HC1."),
    prevalence: Path | None = typer.Option(None, "--prevalence", help="Also write prevalence per group here."),
    by: str = typer.Option("district,year", "--by",
                           help="Grouping columns of --prevalence, comma-separated; district is grouped with its "
                                "province (columns province, district, locality)."),
    include_duplicates: bool = INCLUDE_DUPLICATES,
) -> None:
    """Estimate covariate effects on topic prevalence (stm's estimateEffect)."""
    from toolkit.topics.effects import estimate_effects, prevalence_by_group

    result, documents = _load(model_dir, corpus, include_duplicates)
    try:
        table = estimate_effects(result, documents, formula, n_draws=n_draws, random_state=random_state,
                                 ci=ci, cov_type=cov_type)
    except Exception as exc:  # patsy errors name the offending term; show them plainly
        raise typer.BadParameter(f"{type(exc).__name__}: {exc}", param_hint="--formula") from exc
    write_table(table, output)
    typer.echo(f"{output}: {table['topic'].nunique()} topics × {table['term'].nunique()} terms "
               f"from {table.attrs.get('n_docs')} documents ({n_draws} draws)")
    if prevalence is not None:
        columns = [c.strip() for c in by.split(",") if c.strip()]
        missing = [c for c in columns if c not in documents.columns]
        if missing:
            raise typer.BadParameter(f"not columns of the corpus: {missing}", param_hint="--by")
        groups = prevalence_by_group(result, documents, by=columns, n_draws=n_draws,
                                     random_state=random_state, ci=ci)
        write_table(groups, prevalence)
        typer.echo(f"{prevalence}: prevalence by {', '.join(columns) or 'corpus'} ({len(groups)} rows)")


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
    from toolkit.report.browser import topic_browser_html

    # The browser shows the model as fitted: the repost policy applied at `topics`.
    result, documents = _load(model_dir, corpus, include_duplicates=True)
    page = topic_browser_html(result, documents, n_terms=n_terms, lambda_=lambda_, n_docs=n_docs, title=title)
    write_text_atomic(output, page)
    typer.echo(f"{output}: {result.doc_topic_.shape[1]} topics")
