"""The themes stage: ``themes``, ``validate-themes``, ``kwic`` and ``validate sample|score|train|topics|score-topics``.

Each command reads a document table (CORPUS) and, optionally, its token table
from ``python -m toolkit preprocess`` (``--tokens``); without it the documents
are tokenized here (with the preprocess cache). Reposts (``duplicate_of`` set) are
left out unless ``--include-duplicates`` (:func:`toolkit.corpus.apply_repost_policy`).

``validate`` measures a theme dictionary against human coding (see
:mod:`toolkit.themes.validate`): draw a coding sheet (``sample``), let one or two
coders fill it in, score it (``score``), and where the dictionary is not good
enough train a supervised measure from the same sheet (``train``). ``validate
topics`` / ``score-topics`` do the same for a topic model: word- and
topic-intrusion sheets (:mod:`toolkit.topics.intrusion`) and their scores.
"""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from toolkit.cli import INCLUDE_DUPLICATES, TOKENS, app, jobs_option, random_state_option
from toolkit.cli._shared import TOKEN_CACHE, check_columns, load_documents, load_tokens, split_list, table_path
from toolkit.errors import UserError

logger = logging.getLogger("toolkit.cli")
_CORPUS = typer.Argument(..., exists=True, dir_okay=False, help="Document table (.parquet, .csv, .jsonl).")
_JOBS = jobs_option("Worker processes tokenizing and counting")
_THEMES_FILE = typer.Option(None, "--themes", exists=True, dir_okay=False,
                            help="Themes file (default corpora/lexicons/themes.toml).")
_SAMPLE_TOKENS = typer.Option(
    None, "--tokens", exists=True, dir_okay=False,
    help="Token table from `toolkit preprocess` for this corpus. Default: the corpus is tokenized now, and the "
         "tokens are cached in .cache/preprocess of the toolkit's checkout, wherever the command runs (here: "
         f"{TOKEN_CACHE}); TOOLKIT_CACHE=DIR puts the cache in DIR/preprocess instead.")


@app.command("themes")
def themes_command(
    corpus: Path = _CORPUS,
    output: Path = typer.Option(..., "-o", "--output", callback=table_path, help="Aggregated table: theme shares per cell with intervals."),
    by: str = typer.Option("province,district,year", "--by",
                           help="Cell columns, comma-separated; district means the district of its province "
                                "(cells keep province, district and locality)."),
    tokens: Path | None = TOKENS,
    themes_file: Path | None = _THEMES_FILE,
    interval: str = typer.Option("jeffreys", "--interval", help="Share intervals: jeffreys, wilson (coverage kept in tiny and 0/100% cells) or bootstrap."),
    n_boot: int = typer.Option(1000, "--n-boot", help="Bootstrap replicates per cell (--interval bootstrap)."),
    random_state: int = random_state_option("the bootstrap (--interval bootstrap)"),
    min_docs: int = typer.Option(5, "--min-docs", help="Cells with fewer documents are flagged small_cell."),
    per_doc: Path | None = typer.Option(None, "--per-doc", callback=table_path, help="Also write the per-document long table here."),
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
    from toolkit.themes.validate import classifier_hits

    documents = load_documents(corpus, include_duplicates)
    by_cols = split_list(by)
    check_columns(documents, by_cols, "--by")
    themes = load_themes(themes_file)
    token_table = load_tokens(documents, tokens, jobs, scheduler)
    hits = theme_hits_batched(token_table, themes, documents, n_jobs=jobs, scheduler=scheduler)
    hits["measure"] = "dictionary"
    if classifier is not None:
        models = _load_classifiers(classifier)
        measured = classifier_hits(token_table, models).drop(columns="probability")
        hits = pd.concat([hits[~hits["theme"].isin({m.theme for m in models})], measured], ignore_index=True)
        hits = hits.sort_values(["doc_id", "theme"], kind="mergesort", ignore_index=True)
        typer.echo(f"measured by classifier: {', '.join(m.theme for m in models)}")
        for m in models:
            typer.echo(f"  {m.theme}: {_cv_quality(m)}")
            # `validate train` said to keep the dictionary for such a theme; measuring with it anyway is a choice
            # the researcher makes knowingly, not one the folder makes silently
            if m.below_dictionary():
                logger.warning("theme %s: %s (as `validate train` warned): it is measured by the classifier all the "
                               "same; to keep the dictionary for it, remove %s from %s", m.theme, _below_dictionary(m),
                               f"{m.theme}.json", classifier)
            elif m.dictionary_score is None:
                logger.info("theme %s: its classifier's file stores no dictionary F1 to compare with (trained before "
                            "it was stored); `validate train` again to store it", m.theme)
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
    output: Path = typer.Option(..., "-o", "--output", callback=table_path, help="Table of document frequencies per theme term."),
    by: str = typer.Option("province", "--by", help="Group columns, comma-separated ('' for none)."),
    tokens: Path | None = TOKENS,
    themes_file: Path | None = _THEMES_FILE,
    jobs: int = _JOBS,
    include_duplicates: bool = INCLUDE_DUPLICATES,
) -> None:
    """Check every theme term: in how many documents (per group) it is counted."""
    from toolkit.corpus import write_table
    from toolkit.themes.dictionary import load_themes, validate_themes

    documents = load_documents(corpus, include_duplicates)
    by_cols = split_list(by)
    check_columns(documents, by_cols, "--by")
    themes = load_themes(themes_file)
    table = validate_themes(load_tokens(documents, tokens, jobs), documents, themes, by=by_cols)
    write_table(table, output)
    never = table.loc[~table["occurs"] & (table["same_as"] == ""), "term"].tolist()
    twins = int((table["same_as"] != "").sum())
    typer.echo(f"{output}: {len(table)} terms, {len(never)} never counted (absent, or every occurrence excluded)"
               + (f": {', '.join(never)}" if never else "")
               + (f"; {twins} are another term once normalized (column same_as)" if twins else ""))


@app.command("kwic")
def kwic_command(
    corpus: Path = _CORPUS,
    term: str = typer.Argument(..., help='A phrase, as in the themes file ("giải phóng mặt bằng").'),
    window: int = typer.Option(8, "--window", "-w", help="Words of context on each side."),
    output: Path | None = typer.Option(None, "-o", "--output", callback=table_path, help="Write the table here instead of printing it."),
    limit: int = typer.Option(50, "--limit", help="Rows printed to the terminal (0: all)."),
    themes_file: Path | None = typer.Option(None, "--themes", exists=True, dir_okay=False, help="Themes file whose rules apply to TERM: the lines are the occurrences its themes count."),
    theme_id: str | None = typer.Option(None, "--theme-id", help="Theme whose rules apply, for a term of several themes (default: the first in the file)."),
    include_duplicates: bool = INCLUDE_DUPLICATES,
) -> None:
    """Show every occurrence of TERM in the original text that the theme dictionary counts, with context."""
    import unicodedata

    from toolkit.corpus import write_table
    from toolkit.themes.dictionary import load_themes
    from toolkit.themes.concordance import kwic

    dictionary = load_themes(themes_file)
    documents = load_documents(corpus, include_duplicates)
    if theme_id is not None:
        if theme_id not in dictionary.ids:
            raise typer.BadParameter(f"unknown theme {theme_id!r}; the themes file has {', '.join(dictionary.ids)}",
                                     param_hint="--theme-id")
        if unicodedata.normalize("NFC", term.strip()) not in dictionary.themes[dictionary.ids.index(theme_id)].terms:
            raise typer.BadParameter(f"{term!r} is not a term of theme {theme_id!r}", param_hint="--theme-id")
    table = kwic(documents, term, window=window, themes=dictionary, theme=theme_id)
    if table.empty and term in dictionary.ids:
        # `kwic CORPUS religion`: a theme id, not a phrase of the text
        first = dictionary.themes[dictionary.ids.index(term)].terms[0]
        typer.echo(f"{term!r} is a theme id, not a phrase: kwic looks for a phrase of the text, such as one of "
                   f"the theme's terms: python -m toolkit kwic {corpus} {first!r}", err=True)
    if output is not None:
        write_table(table, output)
        typer.echo(f"{output}: {len(table)} occurrences of {term!r}")
        return
    shown = table if limit <= 0 else table.head(limit)
    width = max((len(s) for s in shown["left"]), default=0)
    for row in shown.itertuples(index=False):
        typer.echo(f"{row.doc_id}\t{row.left:>{width}} [{row.keyword}] {row.right}")
    typer.echo(f"-- {len(table)} occurrence(s) of {term!r}" + (f", {len(shown)} shown" if len(shown) < len(table) else ""))


validate_app = typer.Typer(help="Measure theme dictionaries against human coding (sample, score, train) and topic "
                                "models by intrusion tasks (topics, score-topics).",
                           no_args_is_help=True)
app.add_typer(validate_app, name="validate")


def _companion(path: Path, suffix: str) -> Path:
    """``sheet.csv`` → ``sheet.<suffix>.csv``."""
    return path.with_name(f"{path.stem}.{suffix}{path.suffix or '.csv'}")


#: The companion files of a coding sheet, ``<name>.<suffix>.csv``, that a coder's blind sheet may not overwrite.
_SAMPLE_COMPANIONS = ("strata", "codebook", "terms", "key")


def _excluded_ids(values: list[str]) -> set[str]:
    """The doc_ids of the sheets named by ``--exclude`` (each value a path, or paths comma-separated)."""
    from toolkit.corpus import read_table

    ids: set[str] = set()
    for path in (Path(v) for value in values for v in split_list(value)):
        if not path.is_file():
            raise typer.BadParameter(f"{path}: no such sheet", param_hint="--exclude")
        table = read_table(path)
        if "doc_id" not in table.columns:
            raise typer.BadParameter(f"{path} has no `doc_id` column: is it a sheet of `validate sample`?",
                                     param_hint="--exclude")
        got = {str(d).strip() for d in table["doc_id"] if str(d).strip() not in ("", "nan", "<NA>", "None")}
        logger.info("--exclude %s: %d document id(s)", path, len(got))
        ids |= got
    return ids


@validate_app.command("sample")
def sample_command(
    corpus: Path = typer.Argument(..., exists=True, dir_okay=False, help="Document table (.parquet, .csv, .jsonl)."),
    output: Path = typer.Option(..., "-o", "--output", callback=table_path, help="Coding sheet to write (.csv); the strata and weights go to <name>.strata.csv."),
    n: int = typer.Option(200, "--n", help="Documents in the sample."),
    theme_ids: str | None = typer.Option(None, "--theme-ids", help="Theme ids to code, comma-separated (default: every theme)."),
    random_state: int = random_state_option("the draw"),
    miss_fraction: float = typer.Option(0.3, "--miss-fraction", help="Share of the sample from documents the dictionary flags for none of the chosen themes (--theme-ids; stratum miss)."),
    coders: str = typer.Option("coder1,coder2", "--coders", help="Names of the empty coder columns."),
    tokens: Path | None = _SAMPLE_TOKENS,
    themes_file: Path | None = typer.Option(
        None, "--themes", dir_okay=False,
        help="Themes file (default corpora/lexicons/themes.toml); a list of the default file's theme ids "
             "(site_clearance,religion), which is not a file, chooses themes as --theme-ids does."),
    jobs: int = _JOBS,
    include_duplicates: bool = INCLUDE_DUPLICATES,
    exclude: list[str] = typer.Option(
        [], "--exclude",
        help="Sheets whose documents (doc_id) may not be drawn, such as sheets already coded or used by "
             "`validate train`; repeatable or comma-separated. They leave the population before the strata "
             "and weights are computed."),
    blind: bool = typer.Option(
        False, "--blind",
        help="Also write a sheet per coder to code blind, <name>.<coder>.csv: row, doc_id, title, date and url (those "
             "the corpus has), the coder's empty <theme>__<coder> columns, notes and text, in an order of its own "
             "(--random-state); no dictionary flag, terms, KWIC, stratum or weight. <name>.codebook.csv holds the "
             "themes' definitions. "
             "Give each coder their sheet and the codebook, keep <name>.csv (the key) to yourself, and score the "
             "returned sheets with `validate score <name>.csv --coder-sheet <name>.coder1.csv --coder-sheet "
             "<name>.coder2.csv`."),
) -> None:
    """Draw a stratified sample of documents for coding, with the KWIC lines behind every hit.

    With ``--blind`` the coders get sheets without the dictionary's output (``toolkit.themes.validate.blind_sheets``;
    the full sheet is the key), and ``validate score --coder-sheet`` merges their labels back by doc_id.
    """
    from toolkit.corpus import write_sheet, write_table
    from toolkit.themes.dictionary import load_themes
    from toolkit.themes.validate import blind_sheets, codebook, validation_sample

    if themes_file is not None and not themes_file.is_file():
        # `validate sample … --themes site_clearance,religion` (the spelling of issue #12) chooses themes
        ids = split_list(str(themes_file))
        known = load_themes().ids
        if theme_ids is None and ids and all(i in known for i in ids):
            logger.info("--themes %s: theme ids of the default themes file (as --theme-ids)", themes_file)
            theme_ids, themes_file = ",".join(ids), None
        else:
            raise typer.BadParameter(f"file {str(themes_file)!r} does not exist (--themes names a themes file, "
                                     "or theme ids of the default one; --theme-ids chooses themes)",
                                     param_hint="--themes")
    coder_names = split_list(coders)
    if blind:
        taken = sorted({c for c in coder_names if c in _SAMPLE_COMPANIONS})
        if taken:
            raise typer.BadParameter(f"--blind writes <name>.<coder>.csv beside <name>.{taken[0]}.csv: name the "
                                     f"coder otherwise than {', '.join(taken)}", param_hint="--coders")
    excluded = _excluded_ids(exclude)
    documents = load_documents(corpus, include_duplicates)
    dictionary = load_themes(themes_file)
    try:
        result = validation_sample(documents, load_tokens(documents, tokens, jobs), dictionary,
                                   theme_ids=split_list(theme_ids) or None, n=n, miss_fraction=miss_fraction,
                                   coders=coder_names, random_state=random_state,
                                   exclude=excluded if exclude else None)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    write_sheet(result.sheet, output)
    strata_path = _companion(output, "strata")
    write_table(result.strata, strata_path)
    typer.echo(f"{output}: {len(result.sheet)} documents to code; strata and weights in {strata_path}")
    typer.echo(result.strata.to_string(index=False))
    if blind:
        book_path = _companion(output, "codebook")
        write_sheet(codebook(dictionary, split_list(theme_ids) or None), book_path)
        written = []
        for coder, part in blind_sheets(result.sheet, coders=coder_names, random_state=random_state).items():
            path = _companion(output, coder)
            write_sheet(part, path)
            written.append(str(path))
        typer.echo(f"blind coding: give each coder their sheet ({', '.join(written)}) and {book_path}; keep "
                   f"{output} (the key) from them; then `validate score {output} "
                   + " ".join(f"--coder-sheet {w}" for w in written) + "`")


@validate_app.command("score")
def score_command(
    sheet: Path = typer.Argument(..., exists=True, dir_okay=False, help="A coded sheet from `validate sample` (with --coder-sheet: its key, the full sheet)."),
    output: Path | None = typer.Option(None, "-o", "--output", callback=table_path, help="Report table (per theme P/R/F1 with intervals and agreement)."),
    terms: Path | None = typer.Option(None, "--terms", callback=table_path, help="Term table (default: <report>.terms.csv next to the report)."),
    coder: str | None = typer.Option(None, "--coder", help="Reference coder column (default: <theme>__gold, else the first coder with labels)."),
    coder_sheets: list[Path] = typer.Option(
        [], "--coder-sheet", exists=True, dir_okay=False,
        help="A coder's returned blind sheet (<name>.<coder>.csv of `validate sample --blind`); repeatable, one per "
             "coder. Its labels are merged into SHEET (the key) by doc_id before scoring; a document missing, an "
             "id not in the key or on two rows, or a label other than 0, 1 or empty is an error naming the file, "
             "the row and the id."),
    merged: Path | None = typer.Option(
        None, "--merged", callback=table_path,
        help="With --coder-sheet: also write the key with the coders' labels merged in, a coded sheet for "
             "`validate train` and the study config's validation_sheet."),
    measure: str = typer.Option("dictionary", "--measure", help="Column suffix of the measure scored (dictionary, classifier); --classifier scores classifier."),
    unweighted: bool = typer.Option(False, "--unweighted", help="Ignore the sampling weights and strata (rates of the sample, not the corpus)."),
    theme_ids: str | None = typer.Option(None, "--theme-ids", help="Theme ids, comma-separated (default: every theme with labels; uncoded themes are left out)."),
    random_state: int = random_state_option("the interval draws (F1's; every interval when weighted)"),
    classifier: Path | None = typer.Option(
        None, "--classifier", exists=True, file_okay=False,
        help="Folder of classifiers from `validate train`: the sheet's text is tokenized and each classifier's "
             "<theme>__classifier column added and scored (measure classifier); warns when the sheet holds "
             "documents a classifier was trained on."),
    jobs: int = jobs_option("Worker processes tokenizing the sheet (--classifier)"),
) -> None:
    """Precision, recall and F1 of the dictionary (or, with --classifier, of classifiers) against the coders.

    Rates are weighted back to the corpus per stratum of the sheet (``stratum``, ``weight``), with intervals
    from the stratified finite-population posterior (:func:`toolkit.themes.validate.score_predictions`);
    agreement compares each theme's first two coder columns, whatever their names. With ``--classifier`` the
    report gains ``n_in_training``: the coded documents the classifier was fitted on (blank where its file
    does not say). Coded blind (``validate sample --blind``), SHEET is the key and each ``--coder-sheet`` a
    coder's returned sheet, merged by doc_id (:func:`toolkit.themes.validate.merge_coder_sheets`).
    """
    from toolkit.corpus import read_table, write_sheet, write_table
    from toolkit.themes.validate import (
        SEP, agreement_gaps, check_sheet, coded_themes, merge_coder_sheets, score_sheet, sheet_themes, term_table,
        with_agreement,
    )

    table = read_table(sheet)
    if merged is not None and not coder_sheets:
        raise typer.BadParameter("--merged writes the key with the labels of --coder-sheet: give the coders' sheets",
                                 param_hint="--merged")
    returned_sheets = {str(p): read_table(p) for p in coder_sheets}
    models = _load_classifiers(classifier) if classifier is not None else []
    if classifier is not None:
        measure = "classifier"
    contents = True  # an error of the sheet's contents (labels, rows, strata), else of the command's options
    try:
        check_sheet(table)
        if returned_sheets:
            # a coder's sheet that is wrong is a UserError naming that file, its row and the doc_id
            table = merge_coder_sheets(table, returned_sheets)
            if merged is not None:
                coded_sheet = table.copy()
                coded_sheet.attrs.clear()  # where this run's labels came from, which Parquet would store
                write_sheet(coded_sheet, merged)
                typer.echo(f"{merged}: {sheet} with the labels of {', '.join(map(str, coder_sheets))}")
        contents = False
        themes = split_list(theme_ids) or coded_themes(table, coder)
        _check_theme_ids(themes, sheet_themes(table))
        no_model: list[str] = []
        if classifier is not None:
            themes, no_model, models = _themes_with_classifiers(themes, models, classifier, explicit=bool(theme_ids))
            table, in_training = _add_classifiers(table, models, classifier, coder, jobs)
        else:
            absent = [f"{t}{SEP}{measure}" for t in themes if f"{t}{SEP}{measure}" not in table.columns]
            if absent and measure == "classifier":
                raise ValueError(f"the sheet has no column {absent[0]!r}"
                                 + (f" (nor {len(absent) - 1} more <theme>{SEP}classifier)" if len(absent) > 1 else "")
                                 + ": a sheet from `validate sample` holds the dictionary's flags only; to score "
                                   "the classifiers of `validate train`, pass --classifier MODELS_DIR (the folder "
                                   "it wrote), which adds these columns from the sheet's text")
        left_out = sorted(set(sheet_themes(table)) - set(themes) - set(no_model))
        if theme_ids and measure == "dictionary":
            coded = set(coded_themes(table, coder))
            uncoded = [t for t in themes if t not in coded]
            if uncoded:
                raise ValueError(f"theme {uncoded[0]!r} (--theme-ids) has no coder column with labels"
                                 + (f"; coded: {', '.join(sorted(coded))}" if coded else ""))
        contents = True
        report = score_sheet(table, themes=themes, coder=coder, measure=measure, weighted=not unweighted,
                             random_state=random_state)
        # agreement of each theme's first two coder columns, whatever their names (--coders of `validate sample`)
        unpaired = agreement_gaps(table, themes)
        if unpaired:
            logger.warning(_no_agreement_message(unpaired))
        report = with_agreement(report, table, themes, gaps=unpaired)
        if classifier is not None:
            report["n_in_training"] = report["theme"].map(in_training).astype("Int64")
        term_rows = term_table(table, themes=themes, coder=coder) if measure == "dictionary" else None
    except UserError:
        raise
    except ValueError as exc:
        returned = [] if coder_sheets else _returned_blind_sheets(sheet, table)
        uncoded = "no theme of the sheet is coded yet" in str(exc) or "has coded no theme yet" in str(exc)
        hint = ("; coded blind? pass the coders' sheets: " + " ".join(f"--coder-sheet {p}" for p in returned)
                if returned and uncoded else "")
        if not contents:
            raise typer.BadParameter(f"{sheet}: {exc}{hint}") from exc
        # a sheet the researcher can mend: the README's error (file, problem, fix; exit status 1), not a usage error
        raise UserError(f"{exc}{hint}", path=sheet,
                        fix="mend the sheet: labels 0, 1 or blank; one row per document; keep every row `validate "
                            "sample` wrote (blank its labels rather than delete it), with its stratum and weight") \
            from exc
    if left_out and not theme_ids:
        typer.echo(f"not coded, left out: {', '.join(left_out)}")
    if no_model:
        typer.echo(f"no classifier in {classifier}, left out: {', '.join(no_model)}")
    typer.echo(_score_summary(report).to_string(index=False))
    typer.echo(_weighting_footer(report))
    if output is not None:
        write_table(report, output)
        typer.echo(f"{output}: {len(report)} themes")
    if term_rows is not None and (terms is not None or output is not None):
        path = terms if terms is not None else _companion(output, "terms")
        write_table(term_rows, path)
        typer.echo(f"{path}: {len(term_rows)} terms (false positives and misses)")


def _no_agreement_message(reasons: dict[str, tuple]) -> str:
    """One warning for every theme without agreement, themes that lack it for the same reason named together."""
    from toolkit.themes.validate import SEP

    groups: dict[tuple, list[str]] = {}
    for theme, reason in reasons.items():
        groups.setdefault(reason, []).append(theme)
    parts = []
    for reason, themes in groups.items():
        one = len(themes) == 1
        where = themes[0] if one else "<theme>"
        cols = [f"{where}{SEP}{c}" for c in reason[1:]]
        if reason[0] == "none":
            why = f"no coder column, only {where}{SEP}gold"
        elif reason[0] == "one":
            why = f"{'it has' if one else 'each has'} one coder column, {cols[0]}"
        elif reason[0] == "empty":
            why = (f"{cols[0]} is empty: only {reason[2]} coded it" if one
                   else f"the {cols[0]} columns are empty: only {reason[2]} coded them")
        elif reason[0] == "both empty":
            why = f"{cols[0]} and {cols[1]} are empty" + ("" if one else " for each")
        else:
            why = f"{cols[0]} and {cols[1]} hold labels on no document in common" + ("" if one else " for each")
        parts.append(f"{'theme' if one else 'themes'} {', '.join(themes)}: no agreement: {why}")
    return ("; ".join(parts) + ". Agreement (n_both, kappa, alpha) needs two coders' labels on the same documents, "
            "in a theme's first two coder columns")


def _returned_blind_sheets(sheet: Path, table) -> list[Path]:
    """The blind sheets of ``validate sample --blind`` beside a key sheet (``<name>.<coder>.csv``), if any."""
    from toolkit.themes.validate import sheet_coders

    return [p for p in (_companion(sheet, c) for c in sheet_coders(table) if c != "gold") if p.is_file()]


def _cv_quality(model) -> str:
    """How good a classifier is, from its JSON: its cross-validated F1 with the interval and the documents behind it."""
    cv = model.cv
    if cv.get("f1") is None:
        return "no cross-validated F1 stored in its file (retrain it with `validate train`)"
    weighted = cv.get("weighted")
    how = "" if weighted is None else (", weighted to the corpus" if weighted else ", unweighted")
    base = model.dictionary_score
    beside = "" if not base or base.get("f1") is None else f"; the dictionary's F1 on them {_f1(base)}"
    return (f"cross-validated F1 {_f1(cv)} on {int(cv.get('n_coded', 0))} coded documents, "
            f"{cv.get('n_folds', '?')} folds{how}{beside}")


def _f1(scores: dict) -> str:
    """An F1 and its interval from a model file's scores (``cv`` or ``dictionary_score``)."""
    return _interval(scores["f1"], scores.get("f1_low", float("nan")), scores.get("f1_high", float("nan")))


def _below_dictionary(model) -> str:
    """How a classifier's cross-validated F1 falls short of the dictionary's, both from its file."""
    return (f"the classifier's cross-validated F1 {_f1(model.cv)} is below the dictionary's "
            f"{_f1(model.dictionary_score)} on the same {int(model.cv.get('n_coded', 0))} coded documents")


def _load_classifiers(folder: Path) -> list:
    """Every ``<theme>.json`` classifier of a folder from `validate train`, in file-name order."""
    from toolkit.themes.validate import ThemeClassifier

    models = []
    for path in sorted(folder.glob("*.json")):
        try:
            models.append(ThemeClassifier.from_json(path.read_text(encoding="utf-8")))
        except ValueError as exc:
            raise typer.BadParameter(f"{path}: {exc}", param_hint="--classifier") from exc
    if not models:
        raise typer.BadParameter(f"no <theme>.json classifiers in {folder} (the folder `validate train -o` wrote)",
                                 param_hint="--classifier")
    return models


def _sheet_tokens(table, jobs: int):
    """The token table of a sheet's ``text`` (tokenized as a document's body, through the preprocess cache)."""
    import pandas as pd

    documents = pd.DataFrame({"doc_id": table["doc_id"].astype(str).str.strip(), "title": "",
                              "body": table["text"].fillna("").astype(str)})
    return load_tokens(documents, None, jobs)


def _themes_with_classifiers(themes, models, folder: Path, *, explicit: bool):
    """The themes to score with ``--classifier``: those with a classifier (a theme asked for by name must have one).

    Returns the themes scored, the coded themes left out for want of a classifier, and their classifiers.
    """
    by_theme = {m.theme: m for m in models}
    no_model = [t for t in themes if t not in by_theme]
    if no_model and explicit:
        raise ValueError(f"no classifier for {', '.join(no_model)} in {folder}; its classifiers: "
                         + ", ".join(sorted(by_theme)))
    scored = [t for t in themes if t in by_theme]
    if not scored:
        raise ValueError(f"no classifier in {folder} is for a coded theme of the sheet (coded: {', '.join(themes)}; "
                         f"classifiers: {', '.join(sorted(by_theme))})")
    return scored, no_model, [by_theme[t] for t in scored]


def _add_classifiers(table, models, folder: Path, coder: str | None, jobs: int):
    """The sheet with each classifier's ``<theme>__classifier`` column, and per theme how many of its coded
    documents the classifier was trained on (``None``: its file does not say); warns about both."""
    import numpy as np

    from toolkit.themes.validate import SEP, classifier_columns, coded, reference_column, training_overlap

    if "text" not in table.columns:
        raise ValueError("the sheet has no `text` column, which --classifier tokenizes (draw it with `validate sample`)")
    replaced = [f"{m.theme}{SEP}classifier" for m in models if f"{m.theme}{SEP}classifier" in table.columns]
    if replaced:
        logger.info("%s: replaced by the measure of the classifiers in %s", ", ".join(replaced), folder)
    table = classifier_columns(table, _sheet_tokens(table, jobs), models)
    in_training: dict[str, int | None] = {}
    for model in models:
        overlap = training_overlap(table, model)
        if overlap is None:
            in_training[model.theme] = None
            logger.warning("theme %s: %s stores no training document ids (trained before they were stored): "
                           "whether the sheet's documents were among them cannot be checked; if they were, the "
                           "score is optimistic (retrain with `validate train` to store them)",
                           model.theme, folder / f"{model.theme}.json")
            continue
        scored = ~np.isnan(coded(table, reference_column(table, model.theme, coder)))
        n = int((overlap & scored).sum())
        in_training[model.theme] = n
        if n:
            logger.warning("theme %s: %d of the sheet's %d coded documents were among the %d the classifier was "
                           "trained on: they are scored anyway, so the score is optimistic (a classifier scored on "
                           "documents it was fitted to); for a held-out score, draw a fresh sheet with `validate "
                           "sample CORPUS -o new.csv --exclude TRAINING_SHEET` and code it",
                           model.theme, n, int(scored.sum()), len(model.train_doc_ids))
        else:
            logger.info("theme %s: none of the sheet's %d coded documents was among the %d the classifier was "
                        "trained on (a held-out score)", model.theme, int(scored.sum()), len(model.train_doc_ids))
    return table, in_training


def _check_theme_ids(asked, known) -> None:
    """Raise ``ValueError`` naming the theme ids the sheet does not have, and those it has."""
    unknown = sorted(set(asked) - set(known))
    if unknown:
        raise ValueError(f"the sheet has no coder columns for {', '.join(unknown)}; its themes: "
                         + (", ".join(known) or "none"))


#: Decimals of every rate score and train print, point and interval bounds alike: a point printed with more
#: decimals than its bounds could read as outside its own interval ("0.965 (0.13–0.96)").
_DECIMALS = 2


def _rate(value) -> str:
    """A rate as score and train print it (``–`` for NaN)."""
    return "–" if value != value else f"{value:.{_DECIMALS}f}"


def _interval(value, low, high) -> str:
    """``0.96 (0.13–0.96)``: a rate and its interval, printed to the same decimals."""
    if value != value:
        return "–"
    return _rate(value) + ("" if low != low else f" ({_rate(low)}–{_rate(high)})")


def _weighting_footer(report) -> str:
    """Whether the rates of a score report are the corpus's (weighted) or the sample's: said in both cases."""
    if len(report) and bool(report["weighted"].all()):
        return ("rates weighted back to the corpus with the sampling weights, per stratum; intervals from the "
                "stratified finite-population posterior; counts are the sample's")
    return "rates unweighted: the coded sample's own, not the corpus's; counts are the sample's"


def _score_summary(report):
    """The score report as the terminal shows it: counts, rates with their intervals, agreement when coded twice."""
    import pandas as pd

    out = pd.DataFrame({
        "theme": report["theme"], "reference": report["reference"], "n": report["n_coded"],
        "tp": report["tp"], "fp": report["fp"], "fn": report["fn"],
        "precision": [_interval(*r) for r in report[["precision", "precision_low", "precision_high"]].to_numpy()],
        "recall": [_interval(*r) for r in report[["recall", "recall_low", "recall_high"]].to_numpy()],
        "F1": [_interval(*r) for r in report[["f1", "f1_low", "f1_high"]].to_numpy()],
    })
    if "n_in_training" in report.columns:
        out["in training"] = ["?" if pd.isna(v) else str(int(v)) for v in report["n_in_training"]]
    if "dictionary_f1" in report.columns:
        out["dictionary F1"] = [_interval(*r) for r in
                                report[["dictionary_f1", "dictionary_f1_low", "dictionary_f1_high"]].to_numpy()]
    if "cohen_kappa" in report.columns:
        out["n_both"] = ["–" if pd.isna(v) else str(int(v)) for v in report["n_both"]]
        out["agree"] = [_rate(v) for v in report["percent_agreement"]]   # a proportion, as in the report
        out["kappa"] = [("–" if v != v else f"{v:.2f}") for v in report["cohen_kappa"]]
        out["alpha"] = [("–" if v != v else f"{v:.2f}") for v in report["krippendorff_alpha"]]
    return out


@validate_app.command("train")
def train_command(
    sheet: Path = typer.Argument(..., exists=True, dir_okay=False, help="A coded sheet from `validate sample` (its `text` column is tokenized)."),
    output: Path = typer.Option(..., "-o", "--output", help="Folder for the classifiers (<theme>.json) and cv_report.csv."),
    theme_ids: str | None = typer.Option(None, "--theme-ids", help="Theme ids, comma-separated (default: every theme with labels)."),
    coder: str | None = typer.Option(None, "--coder", help="Reference coder column (default: <theme>__gold, else the first coder with labels)."),
    c: float = typer.Option(4.0, "--c", help="Inverse regularization strength of the logistic regression."),
    n_folds: int = typer.Option(5, "--folds", help="Cross-validation folds."),
    random_state: int = random_state_option("the folds and the solver"),
    jobs: int = jobs_option("Worker processes tokenizing the sheet"),
) -> None:
    """Fit a supervised theme measure on a coded sheet; report its cross-validated P/R/F1 beside the dictionary's F1."""
    import pandas as pd

    from toolkit.corpus import read_table, write_table, write_text_atomic
    from toolkit.themes.validate import (
        SEP, check_sheet, coded, coded_themes, reference_column, sheet_strata, sheet_themes, sheet_weights,
        train_classifier, warn_blanks,
    )

    table = read_table(sheet)
    if "text" not in table.columns:
        raise typer.BadParameter("the sheet has no `text` column (draw it with `validate sample`)", param_hint="SHEET")
    try:
        check_sheet(table)
        weights = sheet_weights(table)
        strata = sheet_strata(table) if weights is not None else None
        themes = split_list(theme_ids) or coded_themes(table, coder)
        _check_theme_ids(themes, sheet_themes(table))
        references = {theme: reference_column(table, theme, coder) for theme in themes}
    except ValueError as exc:
        raise typer.BadParameter(f"{sheet}: {exc}") from exc
    # before the sheet is tokenized: a theme without 2 coded positives and 2 negatives cannot be fitted
    counts = {theme: coded(table, col) for theme, col in references.items()}
    short = {t: (int((v == 1).sum()), int((v == 0).sum())) for t, v in counts.items()
             if (v == 1).sum() < 2 or (v == 0).sum() < 2}
    if short:
        fit = [t for t in themes if t not in short]
        raise typer.BadParameter(
            f"{sheet}: " + "; ".join(f"theme {t!r} has {p} coded positive(s) and {n} negative(s)" for t, (p, n) in
                                     short.items())
            + " (a classifier needs at least 2 of each)"
            + (f"; fit the others with --theme-ids {','.join(fit)}" if fit else ""))
    token_lists = _sheet_tokens(table, jobs)["tokens"].tolist()
    # every theme is fitted before anything is written: a theme that cannot be fitted leaves no folder half-full
    models, rows = [], []
    for theme in themes:
        ref_col = references[theme]
        warn_blanks(table, theme, [ref_col], "the training")
        try:
            labels = coded(table, ref_col)
            # the measure the classifier would replace, scored on the same coded documents and stored with it
            dict_col = f"{theme}{SEP}dictionary"
            model = train_classifier(token_lists, labels, theme=theme, weights=weights, strata=strata,
                                     doc_ids=table["doc_id"].astype(str).str.strip(),
                                     dictionary=coded(table, dict_col) if dict_col in table.columns else None,
                                     c=c, n_folds=n_folds, random_state=random_state)
            baseline = model.dictionary_score
        except ValueError as exc:
            raise typer.BadParameter(f"{sheet}: {exc}") from exc
        model.settings["reference"] = ref_col.rpartition(SEP)[2]
        models.append(model)
        rows.append({"theme": theme, "measure": "classifier", "reference": model.settings["reference"],
                     "weighted": weights is not None, **model.cv,
                     **{f"dictionary_{k}": (float("nan") if baseline is None else baseline[k])
                        for k in ("f1", "f1_low", "f1_high")}})
    report = pd.DataFrame(rows)
    output.mkdir(parents=True, exist_ok=True)
    for model in models:
        write_text_atomic(output / f"{model.theme}.json", model.to_json())
    write_table(report, output / "cv_report.csv")
    stale = sorted(p.name for p in output.glob("*.json") if p.stem not in set(themes))
    if stale:
        logger.warning("%s also holds %s from an earlier run: `themes --classifier %s` uses every classifier of "
                       "the folder", output, ", ".join(stale), output)
    typer.echo(_score_summary(report).to_string(index=False))
    typer.echo(_weighting_footer(report))
    # a classifier that does worse than the dictionary on the same documents is no reason to switch measures
    worse = [m.theme for m in models if m.below_dictionary()]
    for m in models:
        if m.theme in worse:
            logger.warning("theme %s: %s: keep the dictionary for it", m.theme, _below_dictionary(m))
    better = [t for t in report["theme"] if t not in worse]
    typer.echo(f"{output}: {len(rows)} classifier(s) (F1: the classifier's cross-validated, the dictionary's on the "
               "same coded documents)")
    if not better:
        typer.echo("no classifier does better than the dictionary: keep the dictionary (no --classifier)")
    elif worse:
        typer.echo(f"not below the dictionary: {', '.join(better)}; `toolkit themes … --classifier {output}` uses "
                   f"every classifier of the folder: remove {', '.join(f'{t}.json' for t in worse)} from it first")
    else:
        typer.echo(f"use them with `toolkit themes … --classifier {output}`")


@validate_app.command("topics")
def topics_sheet_command(
    model_dir: Path = typer.Argument(..., exists=True, file_okay=False,
                                     help="A model folder: the output of `topics` (or its model/ folder)."),
    output: Path = typer.Option(..., "-o", "--output", callback=table_path, help="Coding sheet to write (.csv); the answer key goes to <name>.key.csv."),
    task: str = typer.Option("word", "--task", help="word (top words + an intruder word) or topic (a document + its top topics + an intruder topic)."),
    n: int = typer.Option(20, "--n", min=1, help="Questions in the sheet (word: spread evenly over the topics; a topic's further questions show other sets of its top 10 words, so rows of one topic differ in more than their intruder; topic: documents, each option its topic's top words without labels)."),
    corpus: Path | None = typer.Option(None, "--corpus", exists=True, dir_okay=False,
                                       help="Document table with the texts (needed by --task topic: title and body)."),
    random_state: int = random_state_option("the questions, intruders and shuffles"),
) -> None:
    """Write a word- or topic-intrusion sheet (Chang et al. 2009) and its answer key."""
    from toolkit.corpus import read_documents, write_sheet, write_table
    from toolkit.topics.intrusion import TASKS, topic_intrusion_sheet, word_intrusion_sheet
    from toolkit.topics.persist import load_result

    if task not in TASKS:
        raise typer.BadParameter(f"{task!r}: use word or topic", param_hint="--task")
    folder = model_dir / "model" if (model_dir / "model").is_dir() else model_dir
    if not (folder / "model.json").is_file():
        raise typer.BadParameter(f"no model.json in {folder}: is MODEL_DIR the output of `toolkit topics`?",
                                 param_hint="MODEL_DIR")
    result = load_result(folder)
    try:
        if task == "word":
            made = word_intrusion_sheet(result, n=n, random_state=random_state)
        else:
            if corpus is None:
                raise typer.BadParameter("--task topic shows documents: give their table with --corpus",
                                         param_hint="--corpus")
            made = topic_intrusion_sheet(result, read_documents(corpus), n=n, random_state=random_state)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    write_sheet(made.sheet, output)
    key_path = _companion(output, "key")
    write_table(made.key, key_path)
    typer.echo(f"{output}: {len(made.sheet)} {task}-intrusion questions; answer key in {key_path} (keep it from coders)")


@validate_app.command("score-topics")
def score_topics_command(
    sheet: Path = typer.Argument(..., exists=True, dir_okay=False, help="A filled sheet from `validate topics`."),
    key: Path | None = typer.Option(None, "--key", exists=True, dir_okay=False, help="Its answer key (default: <sheet>.key.csv)."),
    output: Path | None = typer.Option(None, "-o", "--output", callback=table_path, help="Report table (per topic: precision with Wilson interval; topic task: log odds)."),
) -> None:
    """Model precision per topic (share of intruders found) and topic log odds of a filled intrusion sheet."""
    from toolkit.corpus import read_table, write_table
    from toolkit.topics.intrusion import score_intrusion

    key_path = key if key is not None else _companion(sheet, "key")
    if not key_path.is_file():
        raise typer.BadParameter(f"{key_path} not found: give the sheet's answer key", param_hint="--key")
    try:
        report = score_intrusion(read_table(sheet).fillna(""), read_table(key_path))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(report.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    if output is not None:
        write_table(report, output)
        typer.echo(f"{output}: {len(report) - 1} topics and the total")
