"""Validation commands: ``validate sample``, ``validate score``, ``validate train``.

Measure a theme dictionary against human coding (see :mod:`toolkit.themes.validate`):
draw a coding sheet, let one or two coders fill it in, score it, and where the
dictionary is not good enough train a supervised measure from the same sheet.
"""

from __future__ import annotations

from pathlib import Path

import typer

from toolkit.cli import INCLUDE_DUPLICATES, app
from toolkit.config import CACHE_DIR

validate_app = typer.Typer(help="Measure theme dictionaries against human coding: sample, score, train.",
                           no_args_is_help=True)
app.add_typer(validate_app, name="validate")


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _companion(path: Path, suffix: str) -> Path:
    """``sheet.csv`` → ``sheet.<suffix>.csv``."""
    return path.with_name(f"{path.stem}.{suffix}{path.suffix or '.csv'}")


@validate_app.command("sample")
def sample_command(
    corpus: Path = typer.Argument(..., exists=True, dir_okay=False, help="Document table (.parquet, .csv, .jsonl)."),
    output: Path = typer.Option(..., "-o", "--output", help="Coding sheet to write (.csv); the strata and weights go to <name>.strata.csv."),
    n: int = typer.Option(200, "--n", help="Documents in the sample."),
    themes: str | None = typer.Option(None, "--themes", help="Theme ids to code, comma-separated (default: every theme)."),
    random_state: int = typer.Option(0, "--random-state", help="Seed of the draw."),
    miss_fraction: float = typer.Option(0.3, "--miss-fraction", help="Share of the sample from documents the dictionary flags for no theme."),
    coders: str = typer.Option("coder1,coder2", "--coders", help="Names of the empty coder columns."),
    tokens: Path | None = typer.Option(None, "--tokens", help="Token table from `toolkit preprocess` (else the corpus is tokenized now)."),
    themes_file: Path | None = typer.Option(None, "--themes-file", exists=True, dir_okay=False, help="Themes file (default corpora/lexicons/themes.toml)."),
    jobs: int = typer.Option(-1, "--jobs", "-j", help="Worker processes when tokenizing (-1 = all cores, 1 = inline)."),
    include_duplicates: bool = INCLUDE_DUPLICATES,
) -> None:
    """Draw a stratified sample of documents for coding, with the KWIC lines behind every hit."""
    from toolkit.cli.themes import _documents, _tokens_for
    from toolkit.corpus import write_table
    from toolkit.themes.dictionary import load_themes
    from toolkit.themes.validate import validation_sample

    documents = _documents(corpus, include_duplicates)
    dictionary = load_themes(themes_file)
    try:
        result = validation_sample(documents, _tokens_for(documents, tokens, jobs), dictionary,
                                   theme_ids=_split(themes), n=n, miss_fraction=miss_fraction,
                                   coders=_split(coders) or [], random_state=random_state)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    write_table(result.sheet, output)
    strata_path = _companion(output, "strata")
    write_table(result.strata, strata_path)
    typer.echo(f"{output}: {len(result.sheet)} documents to code; strata and weights in {strata_path}")
    typer.echo(result.strata.to_string(index=False))


@validate_app.command("score")
def score_command(
    sheet: Path = typer.Argument(..., exists=True, dir_okay=False, help="A coded sheet from `validate sample`."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Report table (per theme P/R/F1 with intervals and agreement)."),
    terms: Path | None = typer.Option(None, "--terms", help="Term table (default: <report>.terms.csv next to the report)."),
    coder: str | None = typer.Option(None, "--coder", help="Reference coder column (default: <theme>__gold, else the first coder with labels)."),
    measure: str = typer.Option("dictionary", "--measure", help="Column suffix of the measure scored (dictionary, classifier)."),
    unweighted: bool = typer.Option(False, "--unweighted", help="Ignore the sampling weights (rates of the sample, not the corpus)."),
    random_state: int = typer.Option(0, "--random-state", help="Seed of the F1 interval draws."),
) -> None:
    """Precision, recall and F1 of the dictionary against the coders, with intervals; agreement; term table."""
    from toolkit.corpus import read_table, write_table
    from toolkit.themes.validate import CODERS, SEP, agreement, score_sheet, sheet_themes, term_table

    table = read_table(sheet)
    try:
        report = score_sheet(table, coder=coder, measure=measure, weighted=not unweighted, random_state=random_state)
        themes = sheet_themes(table)
        if all(f"{t}{SEP}{c}" in table.columns for t in themes for c in CODERS):
            report = report.merge(agreement(table, themes=themes), on="theme", how="left")
        term_rows = term_table(table, coder=coder) if measure == "dictionary" else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    shown = report[["theme", "n_coded", "precision", "precision_low", "precision_high", "recall", "recall_low",
                    "recall_high", "f1", "f1_low", "f1_high"]]
    typer.echo(shown.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    if output is not None:
        write_table(report, output)
        typer.echo(f"{output}: {len(report)} themes")
    if term_rows is not None and (terms is not None or output is not None):
        path = terms if terms is not None else _companion(output, "terms")
        write_table(term_rows, path)
        typer.echo(f"{path}: {len(term_rows)} terms (false positives and misses)")


@validate_app.command("train")
def train_command(
    sheet: Path = typer.Argument(..., exists=True, dir_okay=False, help="A coded sheet from `validate sample` (its `text` column is tokenized)."),
    output: Path = typer.Option(..., "-o", "--output", help="Folder for the classifiers (<theme>.json) and cv_report.csv."),
    themes: str | None = typer.Option(None, "--themes", help="Theme ids, comma-separated (default: every coded theme)."),
    coder: str | None = typer.Option(None, "--coder", help="Reference coder column (default: <theme>__gold, else the first coder with labels)."),
    c: float = typer.Option(4.0, "--c", help="Inverse regularization strength of the logistic regression."),
    n_folds: int = typer.Option(5, "--folds", help="Cross-validation folds."),
    random_state: int = typer.Option(0, "--random-state", help="Seed of the folds and the solver."),
    jobs: int = typer.Option(-1, "--jobs", "-j", help="Worker processes when tokenizing (-1 = all cores, 1 = inline)."),
) -> None:
    """Fit a supervised theme measure on a coded sheet; report its cross-validated P/R/F1."""
    import pandas as pd

    from toolkit.corpus import read_table, write_table, write_text_atomic
    from toolkit.text.preprocess import preprocess
    from toolkit.themes.validate import SEP, coded, reference_column, sheet_themes, train_classifier

    table = read_table(sheet)
    if "text" not in table.columns:
        raise typer.BadParameter("the sheet has no `text` column (draw it with `validate sample`)", param_hint="SHEET")
    documents = pd.DataFrame({"doc_id": table["doc_id"].astype(str), "title": "",
                              "body": table["text"].fillna("").astype(str)})
    tokens = preprocess(documents, n_jobs=jobs, cache_dir=CACHE_DIR / "preprocess")
    token_lists = tokens.set_index("doc_id").loc[documents["doc_id"], "tokens"].map(list).tolist()
    weights = table["weight"].to_numpy(dtype=float) if "weight" in table.columns else None
    output.mkdir(parents=True, exist_ok=True)
    rows = []
    for theme in _split(themes) or sheet_themes(table):
        try:
            ref_col = reference_column(table, theme, coder)
            model = train_classifier(token_lists, coded(table, ref_col),
                                     theme=theme, weights=weights, c=c, n_folds=n_folds, random_state=random_state)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        model.settings["reference"] = ref_col.rpartition(SEP)[2]
        write_text_atomic(output / f"{theme}.json", model.to_json())
        rows.append({"theme": theme, "measure": "classifier", **model.cv})
    report = pd.DataFrame(rows)
    write_table(report, output / "cv_report.csv")
    typer.echo(report[["theme", "n_coded", "precision", "recall", "f1", "f1_low", "f1_high"]]
               .to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    typer.echo(f"{output}: {len(rows)} classifier(s); use them with `toolkit themes … --classifier {output}`")
