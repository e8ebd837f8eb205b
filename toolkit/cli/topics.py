"""The topics stage: ``topics`` (fit a topic model), ``select`` (choose K) and ``effects`` (covariates).

``topics CORPUS -o DIR`` writes

``DIR/topic_terms.csv``
    ``topic, label, rank, term, weight`` (top 30 terms per topic);
``DIR/doc_topics.parquet``
    ``doc_id, topic_0 ... topic_{K-1}`` (proportions, rows sum to 1);
``DIR/seed_retention.csv``
    with ``--seeded``: whether each seeded topic kept its seed terms
    (:func:`toolkit.topics.seed_retention`);
``DIR/model/``
    the fitted model (:func:`toolkit.topics.persist.save_result`).

``select CORPUS -o OUT.csv`` writes the tidy score table
(``n_topics, random_state, measure, value``) and ``OUT.summary.csv``, and
prints the recommended K with its reasoning.

``effects MODEL_DIR CORPUS --formula "~ C(locality) + year" -o effects.csv``
    covariate effects on topic prevalence (method of composition), and
    optionally prevalence per group (``--prevalence OUT --by district,year``).
    ``locality`` is the district of its province ("Huyện Châu Thành, Bến
    Tre"), and ``--by district`` groups by it, so same-named districts of
    different provinces stay apart. ``MODEL_DIR`` is the output folder of
    ``topics``, matched to the document table ``CORPUS`` by ``doc_id``
    (:func:`toolkit.cli._shared.load_model`).

In every table these commands write with a ``label`` column (``topic_terms.csv``, the effects and
prevalence tables), a seeded topic its seed terms do not hold is labelled as the report's figures label it,
"covid (seed terms lost)" or "covid (seed terms mostly elsewhere)"
(:func:`toolkit.report.browser.seeded_topic_labels`, recomputed from the saved model); ``topic`` is unchanged,
and ``seed_retention.csv`` keeps the theme's name beside ``held``.

``topics --stream --tokens TOKENS`` never loads the token table: it reads it batch by batch on every
pass (:class:`toolkit.corpus.TokenTableStream`, :func:`toolkit.topics.lda.fit_lda` with ``stream=True``), and the
document table batch by batch for the ids the repost policy keeps; ``doc_topics.parquet`` then lists
the documents in the token table's order.

Reposts (``duplicate_of`` set) are left out unless ``--include-duplicates``. Tokens come from ``--tokens``
(a token table from ``python -m toolkit preprocess``) or are computed here with the preprocess cache
(:func:`toolkit.cli._shared.load_tokens`).
"""

from __future__ import annotations

import math
from pathlib import Path

import typer

from toolkit.cli import INCLUDE_DUPLICATES, TOKENS, app, jobs_option, random_state_option
from toolkit.cli._shared import load_documents, load_model, load_tokens, split_list, table_path

_CORPUS = typer.Argument(..., exists=True, dir_okay=False, help="Document table (.parquet, .csv, .jsonl).")


def _token_lists(corpus: Path, tokens: Path | None, jobs: int,
                 include_duplicates: bool) -> tuple[list[str], list[list[str]]]:
    """Doc ids and token lists of the documents of ``corpus`` the repost policy keeps, in corpus order."""
    table = load_tokens(load_documents(corpus, include_duplicates), tokens, jobs)
    return table["doc_id"].tolist(), table["tokens"].tolist()


def __getattr__(name: str):
    # TokenTableStream lived here; it is still importable from this module, without loading pandas
    # when the command line starts (the CLI imports no heavy library before a command runs)
    if name == "TokenTableStream":
        from toolkit.corpus import TokenTableStream

        return TokenTableStream
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _kept_doc_ids(corpus: Path, include_duplicates: bool) -> set[str]:
    """The ``doc_id`` of every document of ``corpus`` the repost policy keeps, read in batches."""
    from toolkit.corpus import apply_repost_policy, iter_table_batches

    keep: set[str] = set()
    for batch in iter_table_batches(corpus, 8192):
        keep.update(apply_repost_policy(batch, include_duplicates)["doc_id"].astype(str))
    return keep


def _load_themes(themes_file: Path | None, seed_themes: str | None = None) -> dict[str, list[str]]:
    """The seeded themes' seed terms: ``--seed-themes`` ids (``all``: every theme of the file); by default the
    figures' four (``[topics] seed_themes``) from the project's dictionary, every theme of a ``--themes`` file."""
    import tomllib

    from toolkit.config import TopicsConfig
    from toolkit.themes.dictionary import load_themes

    try:
        dictionary = load_themes(themes_file) if themes_file is not None else load_themes()
        terms = {str(k): list(v) for k, v in dictionary.token_terms().items()}
    except (ValueError, OSError, tomllib.TOMLDecodeError) as exc:  # a theme-file problem: report it plainly
        typer.echo(f"error: could not read the theme dictionary{f' {themes_file}' if themes_file else ''}: {exc}",
                   err=True)
        raise typer.Exit(2) from exc
    if seed_themes is None:
        return terms if themes_file is not None else {k: terms[k] for k in TopicsConfig().seed_themes if k in terms}
    if seed_themes.strip().lower() == "all":
        return terms
    wanted = [t.strip() for t in seed_themes.split(",") if t.strip()]
    unknown = [t for t in wanted if t not in terms]
    if unknown or not wanted:
        raise typer.BadParameter(f"{', '.join(unknown) or 'no theme'} not a theme of the dictionary (its themes: "
                                 f"{', '.join(sorted(terms))}; or `all`)", param_hint="--seed-themes")
    return {k: terms[k] for k in wanted}


def _mark_lost_seeds(table, result):
    """``table`` with the ``label`` of every seeded topic its seeds do not hold marked as the report's figures mark
    it ("covid (seed terms lost)", "(seed terms mostly elsewhere)": :func:`toolkit.report.browser.seeded_topic_labels`),
    so that a reader of the table does not read the topic by its theme's name; ``topic`` is unchanged.

    ``result`` may be a model loaded from its folder: its settings keep the seed themes, so
    :func:`toolkit.topics.seed_retention` gives what it gave when the model was fitted.
    """
    from toolkit.report.browser import seeded_topic_labels

    shown = seeded_topic_labels(result)
    if shown and "label" in table.columns:
        table["label"] = [shown.get(name, name) for name in table["label"]]  # in place: the table's attrs stay
    return table


_SEED_THEMES = typer.Option(
    None, "--seed-themes",
    help="With --seeded: theme ids to seed, comma-separated, or `all` (default: site_clearance, religion, "
         "democracy_regulations, covid, as \\[topics] seed_themes; with --themes FILE, every theme of the file).")


def _document_frequency(value: str | int | float | None) -> int | float | None:
    """Option callback of ``--min-df`` / ``--max-df``: the text decides, as everywhere (README, *Conventions*).

    ``"2"``, ``"100"`` → int (a number of documents); ``"0.5"``, ``"1.0"``,
    ``"1e-2"`` → float (a proportion of documents, in [0, 1]).
    """
    if value is None or isinstance(value, (int, float)):
        return value
    text = str(value).strip()
    try:
        return int(text)  # "1" is one document, "1.0" every document
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise typer.BadParameter(f"{text!r}: give an integer (a number of documents, e.g. 2) or a decimal "
                                 "number in [0, 1] (a proportion of documents, e.g. 0.9)")
    return number


def _check_document_frequency(min_df: int | float, max_df: int | float) -> None:
    """A usage error, naming the option, for limits that mean nothing (before any document is read)."""
    from toolkit.text.vocabulary import check_filters

    try:
        check_filters(min_df, max_df)
    except (TypeError, ValueError) as exc:
        text = str(exc)
        hint = "--max-df" if text.startswith("max_df") else "--min-df" if "max_df" not in text else "--min-df/--max-df"
        raise typer.BadParameter(text.replace("min_df", "--min-df").replace("max_df", "--max-df"),
                                 param_hint=hint) from None


_MIN_DF = typer.Option("2", "--min-df", callback=_document_frequency, metavar="INT|FLOAT",
                       help="Drop terms in fewer documents: an integer is a number of documents (2: in at least "
                            "two), a decimal a proportion (0.01: in at least 1% of them; 1.0: in every one).")
_MAX_DF = typer.Option("0.9", "--max-df", callback=_document_frequency, metavar="INT|FLOAT",
                       help="Drop terms in more documents: a decimal is a proportion (0.9: in at most 90% of "
                            "them; 1.0: no limit), an integer a number of documents (1: in one at most).")


@app.command("topics")
def topics_command(
    corpus: Path = _CORPUS,
    n_topics: int = typer.Option(..., "--n-topics", "-k", min=1, help="Number of topics, seeded ones included (--seeded: at least themes + 1)."),
    random_state: int = random_state_option("the model"),
    output: Path = typer.Option(..., "-o", "--output", file_okay=False, help="Output folder."),
    tokens: Path | None = TOKENS,
    engine: str = typer.Option("gensim", "--engine", help="gensim (variational) or tomotopy (Gibbs)."),
    seeded: bool = typer.Option(False, "--seeded/--no-seeded", help="Theme topics first, seeded by the theme dictionary."),
    themes: Path | None = typer.Option(None, "--themes", exists=True, dir_okay=False, help="Theme dictionary file."),
    seed_themes: str | None = _SEED_THEMES,
    skip_missing_themes: bool = typer.Option(False, "--skip-missing-themes",
                                             help="With --seeded: leave out themes none of whose terms occur "
                                                  "(default: stop with an error)."),
    passes: int | None = typer.Option(None, "--passes", help="gensim passes (default: by corpus size)."),
    iterations: int | None = typer.Option(None, "--iterations", help="gensim E-step cap / tomotopy sweeps."),
    min_df: str = _MIN_DF,
    max_df: str = _MAX_DF,
    n_terms: int = typer.Option(30, "--n-terms", help="Terms per topic in topic_terms.csv."),
    jobs: int = jobs_option("Worker processes tokenizing when --tokens is not given"),
    include_duplicates: bool = INCLUDE_DUPLICATES,
    stream: bool = typer.Option(False, "--stream/--no-stream",
                                help="Read the --tokens table batch by batch on every pass instead of loading it "
                                     "(gensim; memory flat in the number of documents)."),
) -> None:
    """Fit LDA (or seeded LDA) and write topic terms, document topics and the model."""
    from toolkit.corpus import write_table
    from toolkit.topics.lda import fit_lda
    from toolkit.topics.persist import save_result

    if engine not in ("gensim", "tomotopy"):
        raise typer.BadParameter("use gensim or tomotopy", param_hint="--engine")
    _check_document_frequency(min_df, max_df)
    if stream:
        if tokens is None:
            raise typer.BadParameter("--stream reads a token table: write one with `python -m toolkit preprocess "
                                     "CORPUS -o TOKENS.parquet` and pass --tokens TOKENS.parquet",
                                     param_hint="--tokens")
        if engine != "gensim":
            raise typer.BadParameter("--stream needs --engine gensim (tomotopy holds its documents in memory)",
                                     param_hint="--engine")
        from toolkit.corpus import TokenTableStream
        from toolkit.errors import UserError

        try:
            token_lists = TokenTableStream.open(tokens, _kept_doc_ids(corpus, include_duplicates))
        except UserError as exc:  # a usage error of --tokens (exit status 2), not a failed run
            raise typer.BadParameter(f"{exc.message}: {exc.fix}", param_hint="--tokens") from None
        doc_ids = token_lists.doc_ids
    else:
        doc_ids, token_lists = _token_lists(corpus, tokens, jobs, include_duplicates)
    kwargs = {"random_state": random_state, "engine": engine, "passes": passes, "iterations": iterations,
              "min_df": min_df, "max_df": max_df, "doc_ids": doc_ids}
    if engine == "tomotopy":
        kwargs.pop("passes")
    if stream:
        kwargs["stream"] = True
    try:
        if seeded:
            from toolkit.topics.seeded import fit_seeded_lda

            theme_terms = _load_themes(themes, seed_themes)
            seeds = {t for terms in theme_terms.values() for t in terms}
            present = {t for doc in token_lists for t in doc if t in seeds}
            missing = [name for name, terms in theme_terms.items() if not present.intersection(terms)]
            if missing and not skip_missing_themes:
                # every seed term that occurs at all joins the vocabulary, whatever --min-df: only other themes help
                for name in missing:
                    unique = sorted(set(theme_terms[name]))
                    typer.echo(f"error: theme {name}: none of its {len(unique)} seed terms ("
                               f"{', '.join(unique[:5])}{', …' if len(unique) > 5 else ''}) occurs in this corpus",
                               err=True)
                typer.echo("error: choose other --seed-themes, leave these out with --skip-missing-themes, or edit "
                           "the themes file (multiword terms are joined by '_', as in the token table)", err=True)
                raise typer.Exit(2)
            for name in missing:
                typer.echo(f"warning: theme {name}: none of its terms occurs in the corpus; left out", err=True)
            theme_terms = {k: v for k, v in theme_terms.items() if k not in missing}
            # the seed_retention check below says which themes were not held (once, on stderr)
            result = fit_seeded_lda(token_lists, theme_terms, n_topics, warn_not_held=False, **kwargs)
        else:
            result = fit_lda(token_lists, n_topics, **kwargs)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    write_table(_mark_lost_seeds(result.top_terms(n_terms), result), output / "topic_terms.csv")
    write_table(result.doc_topic_frame(doc_ids), output / "doc_topics.parquet")
    if seeded:
        from toolkit.topics.seeded import not_held_reason, seed_retention

        retention = seed_retention(result)
        write_table(retention, output / "seed_retention.csv")
        for row in retention[~retention["held"]].itertuples():
            typer.echo(f"warning: seeded topic {row.label}: {not_held_reason(row)} (seed_retention.csv)", err=True)
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
    corpus: Path = _CORPUS,
    grid: str = typer.Option("8,12,16,20", "--grid", help="Numbers of topics to compare, comma-separated."),
    random_states: str = typer.Option("0,1,2", "--random-states", help="Seeds of the models: every K is fitted with each, comma-separated."),
    output: Path = typer.Option(..., "-o", "--output", callback=table_path, help="Score table to write (.csv)."),
    tokens: Path | None = TOKENS,
    engine: str = typer.Option("gensim", "--engine", help="gensim or tomotopy."),
    heldout_fraction: float = typer.Option(0.2, "--heldout-fraction", help="Share of documents held out."),
    random_state: int = random_state_option("the held-out split (the same documents for every fit)"),
    coherence: str = typer.Option("npmi", "--coherence", help="npmi or umass (used in the recommendation)."),
    strategy: str = typer.Option("sample", "--strategy",
                                 help="sample (every fit on a seeded sample of --sample-size documents) or full."),
    sample_size: int = typer.Option(5000, "--sample-size", min=2, help="Documents of --strategy sample."),
    seeded: bool = typer.Option(False, "--seeded/--no-seeded",
                                help="Score the seeded model (theme topics first; K counts them)."),
    themes: Path | None = typer.Option(None, "--themes", exists=True, dir_okay=False,
                                       help="Theme dictionary file (with --seeded)."),
    seed_themes: str | None = _SEED_THEMES,
    min_df: str = _MIN_DF,
    max_df: str = _MAX_DF,
    jobs: int = jobs_option("Worker processes fitting the grid (and tokenizing)"),
    include_duplicates: bool = INCLUDE_DUPLICATES,
) -> None:
    """Fit a grid of K × seeds, score coherence, held-out fit, exclusivity and stability, recommend K."""
    from toolkit.corpus import write_table
    from toolkit.topics.select import select_n_topics

    _check_document_frequency(min_df, max_df)
    doc_ids, token_lists = _token_lists(corpus, tokens, jobs, include_duplicates)
    try:
        result = select_n_topics(token_lists, _int_list(grid, "--grid"), _int_list(random_states, "--random-states"),
                                 strategy=strategy, sample_size=sample_size,
                                 themes=_load_themes(themes, seed_themes) if seeded else None, engine=engine,
                                 heldout_fraction=heldout_fraction, split_random_state=random_state,
                                 coherence=coherence, n_jobs=jobs, min_df=min_df, max_df=max_df)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    write_table(result.table, output)
    summary_path = output.with_name(output.name.removesuffix(output.suffix) + ".summary" + output.suffix)
    write_table(result.summary, summary_path)
    typer.echo(f"{output}: {len(result.table)} scores; {summary_path}: means per K")
    typer.echo(result.reasoning)


@app.command("effects")
def effects_command(
    model_dir: Path = typer.Argument(..., exists=True, file_okay=False, help="Output folder of `toolkit topics`."),
    corpus: Path = typer.Argument(..., exists=True, dir_okay=False, help="Document table with the covariates."),
    output: Path = typer.Option(..., "-o", "--output", callback=table_path, help="Effects table to write (.csv, .parquet, .jsonl)."),
    formula: str = typer.Option("~ C(locality) + year", "--formula", "-f",
                                help='patsy formula, e.g. "~ C(locality) + bs(year, df=3)" '
                                     '(locality: the district of its province).'),
    n_draws: int = typer.Option(50, "--n-draws", min=1, help="Posterior draws of the topic proportions."),
    random_state: int = random_state_option("the posterior draws"),
    ci: float = typer.Option(0.95, "--ci", help="Coverage of the intervals, between 0 and 1 (0.95: 95%)."),
    cov_type: str | None = typer.Option(None, "--cov-type",
                                        help="OLS covariance inside each draw: classical, HC0, HC1 or CR1 "
                                             "(default: CR1 when clustered, else classical)."),
    cluster: str = typer.Option("auto", "--cluster",
                                help="Column whose documents share errors (cluster-robust CR1): auto = locality "
                                     "unless the formula has locality fixed effects; none = never cluster."),
    prevalence: Path | None = typer.Option(None, "--prevalence", callback=table_path, help="Also write prevalence per group here."),
    by: str = typer.Option("district,year", "--by",
                           help="Grouping columns of --prevalence, comma-separated; district is grouped with its "
                                "province (columns province, district, locality)."),
    include_duplicates: bool = INCLUDE_DUPLICATES,
) -> None:
    """Estimate covariate effects on topic prevalence (stm's estimateEffect).

    Every option is checked, each error naming its own, before anything is
    written; the effects table and the prevalence table are both computed
    before either is written.
    """
    import patsy

    from toolkit.corpus import write_table
    from toolkit.topics.effects import COV_TYPES  # the one list of covariances it accepts
    from toolkit.topics.effects import estimate_effects, prevalence_by_group

    if not 0 < ci < 1:
        raise typer.BadParameter(f"{ci:g}: a coverage between 0 and 1 (0.95 for 95% intervals)", param_hint="--ci")
    if cov_type is not None and cov_type not in COV_TYPES:
        raise typer.BadParameter(f"{cov_type!r}: use one of {', '.join(COV_TYPES)}", param_hint="--cov-type")
    if cov_type == "CR1" and cluster == "none":
        raise typer.BadParameter("--cov-type CR1 is cluster-robust: give --cluster auto or a column",
                                 param_hint="--cluster")
    if cov_type not in (None, "CR1") and cluster not in ("auto", "none"):
        raise typer.BadParameter(f"{cluster!r} asks for clustered errors but --cov-type {cov_type} does not cluster "
                                 "(use --cov-type CR1, or --cluster none)", param_hint="--cluster")
    columns = split_list(by)
    result, documents = load_model(model_dir, corpus, include_duplicates)
    if cluster not in ("auto", "none") and cluster not in documents.columns \
            and not (cluster == "locality" and "district" in documents.columns):
        raise typer.BadParameter(f"{cluster!r} is not a column of the corpus (its columns: "
                                 f"{', '.join(map(str, documents.columns))}; or auto, none)", param_hint="--cluster")
    if prevalence is not None:
        missing = [c for c in columns if c not in documents.columns]
        if missing:
            raise typer.BadParameter(f"not columns of the corpus: {missing}", param_hint="--by")
    try:
        table = estimate_effects(result, documents, formula, n_draws=n_draws, random_state=random_state,
                                 ci=ci, cov_type=cov_type, cluster=None if cluster == "none" else cluster)
    except (ValueError, patsy.PatsyError) as exc:  # patsy errors name the offending term; show them plainly
        hint = "--cluster" if "cluster" in str(exc) and "formula" not in str(exc) else "--formula"
        raise typer.BadParameter(f"{type(exc).__name__}: {exc}", param_hint=hint) from exc
    groups = None
    if prevalence is not None:
        groups = _mark_lost_seeds(prevalence_by_group(result, documents, by=columns, n_draws=n_draws,
                                                      random_state=random_state, ci=ci), result)
    write_table(_mark_lost_seeds(table, result), output)
    typer.echo(f"{output}: {table['topic'].nunique()} topics × {table['term'].nunique()} terms "
               f"from {table.attrs.get('n_docs')} documents ({n_draws} draws)")
    if groups is not None:
        write_table(groups, prevalence)
        typer.echo(f"{prevalence}: prevalence by {', '.join(columns) or 'corpus'} ({len(groups)} rows)")
