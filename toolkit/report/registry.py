"""The figure registry of the main run: which figure comes from which table.

Each entry draws one figure with a pure function of :mod:`toolkit.report.plots` on a
tidy table of the run, and says what the figure shows and how it was made;
:func:`write_outputs` saves every table and figure (with provenance sidecars)
and writes the report page ``index.html``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from tqdm.auto import tqdm

from toolkit.report import plots
from toolkit.config import RunConfig
from toolkit.corpus import write_text_atomic
from toolkit.provenance import frame_hash
from toolkit.report.files import save_figure, save_table
from toolkit.places import with_locality
from toolkit.report.page import ReportItem, render_report

logger = logging.getLogger("toolkit.figures")

#: The themes shown where a figure has room for a few only (the issue's four).
KEY_THEMES = ("site_clearance", "religion", "democracy_regulations", "covid")

TABLE_CAPTIONS = {
    "documents_per_locality_year": "Documents per locality (province, district) and year (duplicates left out).",
    "rejects": "Input files or table rows that could not be read, with the reason.",
    "theme_shares_locality_year": "Share of documents mentioning each theme per province × district × year, "
                                  "with bootstrap intervals; empty cells kept (n_docs = 0), small cells flagged.",
    "theme_shares_locality_period": "The same per province × district × period.",
    "theme_shares_year": "The same per year for the whole corpus.",
    "theme_validation": "Seed-term validation: document frequency of every dictionary term by province; "
                        "terms that never occur are listed with occurs = false.",
    "keyness": "Distinctive terms of each group against all others: weighted log-odds with an informative "
               "Dirichlet prior (z), chi² and G².",
    "tfidf_top_terms": "Top TF-IDF terms per group.",
    "model_selection": "Model-selection measures for every K × seed.",
    "model_recommendation": "The recommended number of topics and the reasoning.",
    "topic_terms": "Top terms of each topic by probability.",
    "topic_terms_frex": "Top terms of each topic by FREX (frequency and exclusivity).",
    "effects": "Effects of locality and year on topic proportions (method of composition), with intervals.",
    "topic_prevalence_district_year": "Mean topic proportion per locality (province, district) × year with "
                                      "intervals.",
    "topic_correlations": "Correlations between topic proportions across documents.",
    "representative_documents": "The documents with the highest proportion of each topic.",
    "doc_topics": "Topic proportions of every document.",
    "planted_vs_recovered": "Recovered theme share by year beside the planted probability (demo corpus).",
    "theme_quality": "How far the theme measure can be trusted: precision, recall and F1 with 95% intervals against "
                     "human coding (source: a coded sheet of this corpus, or the project's labelled real articles).",
    "run_choices": "What the run chose for the settings the config left unset (effects formula, periods, keyness "
                   "groups, K grid, figures) and why; chosen_by: config, default or corpus.",
    "ingest_accuracy": "Ingest accuracy against the planted truth (demo corpus): share of pages whose date, year, "
                       "headline, province and district were read right, with 95 % Wilson intervals, for all "
                       "pages and per hard case; *_from_text: locality inferred from the text alone.",
}


@dataclass(frozen=True)
class FigureSpec:
    name: str
    table: str
    title_key: str
    caption: str
    method: str
    draw: Callable[[pd.DataFrame, str, dict], plt.Figure]


def theme_labels(path: Path, lang: str) -> dict[str, str]:
    """Theme id → label in ``lang`` from the theme dictionary file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    themes = data.get("themes", data)
    out = {}
    for theme_id, spec in themes.items():
        if isinstance(spec, dict):
            out[theme_id] = spec.get(f"label_{lang}") or spec.get("label_en") or theme_id
    return out


def _locality(df: pd.DataFrame) -> pd.Series:
    """Figure label of each row's locality (see :func:`locality_labels`)."""
    if "locality" not in df:
        df = with_locality(df)
    return locality_labels(df["locality"])


def locality_labels(localities: pd.Series) -> pd.Series:
    """Short, still unique figure labels of localities (``"<district>, <province>"``).

    A district is shown by its name alone when no other province's district
    of that name is in the table, and with its province where one is
    ("Huyện Châu Thành, Bến Tre" beside "Huyện Châu Thành, Tiền Giang");
    a locality without a district is its province; an unknown one is
    "(unknown)". Tables always keep the full locality.
    """
    full = localities.fillna("").astype(str)
    parts = full.str.rsplit(", ", n=1)
    name = parts.str[0]
    qualified = parts.str.len() > 1
    # How many localities of the table use each name (a name alone counts as one, "Bến Tre" as its own).
    users = full.drop_duplicates().str.rsplit(", ", n=1).str[0].value_counts()
    unique = name.map(users).fillna(0) <= 1
    return full.where(~(qualified & unique), name).replace("", "(unknown)")


#: Most localities a figure shows (the tables keep all of them).
MAX_HEATMAP_ROWS = 30
MAX_PANELS = 12


def _top_localities(t: pd.DataFrame, n: int, weight: str = "n_docs") -> pd.DataFrame:
    """Rows of the ``n`` localities with the most documents (all when there are fewer)."""
    t = t.assign(locality=_locality(t))
    if t["locality"].nunique() <= n:
        return t
    if weight in t:
        sizes = t.groupby("locality")[weight].sum()
    else:
        sizes = t.groupby("locality").size()
    keep = sizes.sort_values(ascending=False, kind="mergesort").index[:n]
    logger.info("figure shows the %d localities with most documents of %d", n, t["locality"].nunique())
    return t[t["locality"].isin(set(keep))]


def _fig_counts(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    t = _top_localities(t, MAX_HEATMAP_ROWS).assign(year=lambda d: d["year"].astype(int))
    ax = plots.doc_counts_heatmap(t, row="locality", col="year", lang=lang)
    return ax.figure


def _fig_theme_periods(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    t = _top_localities(t, MAX_HEATMAP_ROWS)
    t = t.assign(theme=t["theme"].map(lambda x: ctx["labels"].get(x, x)))
    periods = sorted(p for p in t["period"].unique() if p)
    n_rows = t["locality"].nunique()
    n_cols = t["theme"].nunique()
    fig, axes = plt.subplots(1, len(periods), figsize=(len(periods) * (2.0 + 0.45 * n_cols), 1.8 + 0.4 * n_rows),
                             squeeze=False)
    for ax, period in zip(axes[0], periods):
        plots.theme_share_heatmap(t[t["period"] == period], row="locality", col="theme", ax=ax, lang=lang,
                                  title=f"{plots.label('period', lang)} {period}")
    fig.suptitle(plots.label("theme_heatmap", lang))
    fig.tight_layout()
    return fig


def _fig_theme_trends(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    t = _top_localities(t[t["theme"].isin(KEY_THEMES)], MAX_PANELS)
    t = t.assign(theme=t["theme"].map(lambda x: ctx["labels"].get(x, x)), year=t["year"].astype(int))
    fig = plt.figure()
    plots.trend_small_multiples(t, panel="locality", series="theme", x="year", y="share", fig=fig, lang=lang)
    return fig


def _fig_topic_terms(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    t = t.assign(topic=t["label"] if "label" in t else t["topic"])
    fig = plt.figure()
    plots.top_terms_bars(t, topic="topic", n_terms=ctx["n_terms"], fig=fig, lang=lang)
    return fig


def _key_topics(t: pd.DataFrame) -> list[str]:
    labels = sorted(t["label"].unique())
    chosen = [x for x in labels if x in KEY_THEMES]
    return chosen or labels[:4]


def _fig_topic_prevalence(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    t = _top_localities(t[t["label"].isin(_key_topics(t)) & (t["n_docs"] > 0)], MAX_PANELS)
    t = t.assign(label=t["label"].map(lambda x: ctx["labels"].get(x, x)), year=t["year"].astype(int))
    fig = plt.figure()
    plots.trend_small_multiples(t, panel="locality", series="label", x="year", y="prevalence", fig=fig, lang=lang,
                                ylabel=plots.label("prevalence", lang), title=plots.label("topic_prevalence", lang))
    return fig


def _fig_effects(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    t = t[t["label"].isin(_key_topics(t)) & (t["term"] != "Intercept")]
    t = t.assign(label=t["label"].map(lambda x: ctx["labels"].get(x, x)))
    panels = sorted(t["label"].unique())
    n_terms = t["term"].nunique()
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 1.2 + 0.22 * n_terms), squeeze=False,
                             sharey=True)
    for ax, name in zip(axes[0], panels):
        plots.forest_plot(t[t["label"] == name], ax=ax, lang=lang, title=str(name))
    fig.suptitle(plots.label("effects", lang))
    fig.tight_layout()
    return fig


def _fig_keyness(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    if ctx.get("keyness_group") in ("district", "locality"):
        t = t.assign(group=locality_labels(t["group"]))
    fig = plt.figure()
    plots.keyness_bars(t, group="group", score="z", n_terms=ctx["n_terms"], fig=fig, lang=lang)
    return fig


def _fig_selection(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    fig = plt.figure()
    plots.selection_panels(t, fig=fig, lang=lang, chosen=ctx.get("n_topics"))
    return fig


def _fig_planted(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    t = t.assign(theme=t["theme"].map(lambda x: ctx["labels"].get(x, x)))
    fig = plt.figure()
    plots.planted_vs_recovered(t, fig=fig, lang=lang)
    return fig


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("documents_per_locality_year", "documents_per_locality_year", "doc_counts",
               "How many documents each locality published per year (the 30 localities with most documents when "
               "there are more); every cell shows its count, so sparse cells (and the uncertainty they bring to "
               "later figures) are visible.",
               "Counts of the ingested document table, reposts (duplicate_of) left out.", _fig_counts),
    FigureSpec("theme_share_by_period", "theme_shares_locality_period", "theme_heatmap",
               "Share of each locality's documents that mention each theme, per period (the 30 localities with "
               "most documents when there are more; the table has all).",
               "Theme dictionary (corpora/lexicons/themes.toml) matched on normalized tokens with exclusion "
               "contexts; a document mentions a theme when at least one term matches.", _fig_theme_periods),
    FigureSpec("theme_trends", "theme_shares_locality_year", "theme_trends",
               "Yearly share of documents mentioning site clearance, religion, grassroots-democracy regulations "
               "and COVID-19, one panel per locality (the 12 with most documents when there are more), with 95% "
               "intervals.",
               "Dictionary matches per document; intervals are percentile bootstrap over documents within each "
               "cell (seeded by the run's random_state).", _fig_theme_trends),
    FigureSpec("topic_top_terms", "topic_terms", "topic_terms",
               "The most probable terms of every topic of the final model (seeded theme topics carry the theme's id).",
               "gensim LdaModel (single process, seeded), K chosen by model selection; seeded topics get a prior "
               "on their dictionary terms.", _fig_topic_terms),
    FigureSpec("topic_prevalence", "topic_prevalence_district_year", "topic_prevalence",
               "Mean proportion of the key topics per year in each locality (the 12 with most documents when there "
               "are more), with 95% intervals.",
               "Posterior draws of document-topic proportions combined with a bootstrap over documents.",
               _fig_topic_prevalence),
    FigureSpec("effects_forest", "effects", "effects",
               "Effects of locality and year (spline) terms on the proportion of the key topics, with 95% intervals.",
               "Method of composition: OLS of posterior draws of topic proportions on the formula of [effects], "
               "coefficients drawn from their sampling distribution and pooled.", _fig_effects),
    FigureSpec("keyness", "keyness", "keyness",
               "The most distinctive terms of each locality against all others.",
               "Weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008); "
               "bars are z-scores.", _fig_keyness),
    FigureSpec("model_selection", "model_selection", "selection",
               "Coherence, held-out likelihood, exclusivity, diversity and stability against the number of topics "
               "(mean over seeds, band = min–max); the dashed line marks the chosen K.",
               "One model per K × seed; stability matches topics across seeds with the Hungarian algorithm.",
               _fig_selection),
    FigureSpec("planted_vs_recovered", "planted_vs_recovered", "planted_vs_recovered",
               "For the simulated demo corpus: the recovered yearly theme shares against the planted truth.",
               "Recovered: dictionary shares by year with bootstrap intervals; planted: the simulator's theme "
               "probabilities averaged over the documents of each year.", _fig_planted),
)


def quality_sentence(quality: pd.DataFrame, labels: Mapping[str, str]) -> str:
    """One sentence on the measured quality of the themes, for the captions of theme figures."""
    parts = []
    for row in quality.itertuples(index=False):
        item = getattr(row, "item", "full text")
        name = labels.get(row.theme, row.theme) + ("" if item == "full text" else f" ({item})")
        if pd.isna(row.f1):
            continue
        parts.append(f"{name}: precision {row.precision:.2f}, recall {row.recall:.2f}, "
                     f"F1 {row.f1:.2f} [{row.f1_low:.2f}–{row.f1_high:.2f}], n = {row.n_coded}")
    if not parts:
        return ""
    source = str(quality["source"].iloc[0]) if "source" in quality.columns else "coded documents"
    return f"Measured quality of the measure against human coding ({source}; 95% intervals): " + "; ".join(parts) + "."


def write_outputs(config: RunConfig, tables: Mapping[str, pd.DataFrame], out: Path, provenance: Mapping,
                  summary, *, figures: Sequence[str] = (), notes: str = "") -> None:
    """Save tables and figures of a run under ``out`` and write ``out/index.html``.

    ``figures``: the names of the figures to draw (empty: every figure with
    its table); ``notes``: a paragraph for the report page (what the run
    chose and why).
    """
    lang = config.figures.language
    figures_dir, tables_dir = out / "figures", out / "tables"
    figures_dir.mkdir(parents=True, exist_ok=True)
    tables_dir.mkdir(parents=True, exist_ok=True)
    items: list[ReportItem] = []
    table_items: list[ReportItem] = []
    for name in tqdm(sorted(tables), desc="tables", unit="table", disable=None, leave=False):
        table = tables[name]
        caption = TABLE_CAPTIONS.get(name, name)
        summary.tables.extend(save_table(table, tables_dir / name, provenance=provenance, caption=caption))
        table_items.append(ReportItem("table", name.replace("_", " "), f"tables/{name}.csv", caption,
                                      "See the figure captions and the README.", (f"tables/{name}.parquet",)))
    ctx = {"labels": theme_labels(config.resolve(config.themes.file), lang), "n_terms": config.topics.n_terms,
           "n_topics": summary.n_topics, "keyness_group": config.keyness.group}
    plt.rcParams.update({"font.family": "DejaVu Sans", "svg.fonttype": "path"})
    for spec in tqdm(FIGURES, desc="figures", unit="figure", disable=None, leave=False):
        if figures and spec.name not in figures:
            logger.info("figure %s left out (tables/run_choices.csv says why)", spec.name)
            continue
        table = tables.get(spec.table)
        if table is None or table.empty:
            logger.info("figure %s skipped: no %s table", spec.name, spec.table)
            continue
        stem = figures_dir / spec.name
        inputs = hashlib.sha256(json.dumps([frame_hash(table), config.figures.__dict__, dict(provenance), ctx,
                                            spec.name], sort_keys=True, default=str).encode()).hexdigest()[:16]
        paths = [stem.with_suffix(f".{fmt}") for fmt in config.figures.formats]
        sidecar = stem.with_suffix(".json")
        if sidecar.exists() and all(p.exists() for p in paths) and \
                json.loads(sidecar.read_text()).get("inputs_hash") == inputs:
            logger.info("figure %s unchanged", spec.name)
        else:
            fig = spec.draw(table, lang, ctx)
            paths = save_figure(fig, stem, provenance={**provenance, "inputs_hash": inputs, "table": spec.table},
                                caption=spec.caption, formats=config.figures.formats, dpi=config.figures.dpi)
            plt.close(fig)
        summary.figures.extend(paths)
        rel = [f"figures/{p.name}" for p in paths]
        png = next((r for r in rel if r.endswith(".png")), rel[0])
        method = spec.method
        if spec.table.startswith("theme_shares") and "theme_quality" in tables:
            method = f"{method} {quality_sentence(tables['theme_quality'], ctx['labels'])}"
        items.append(ReportItem("figure", plots.label(spec.title_key, lang), png, spec.caption, method,
                                tuple(r for r in rel if r != png)))
    report = render_report(
        items + table_items, title=f"Dân vận discourse: {config.name}",
        provenance={k: v for k, v in provenance.items()},
        intro=("Every figure and table of this run, made by `python -m toolkit figures` from the configuration "
               "below. " + ("The corpus is the SIMULATED demo corpus; its planted truth is known."
                            if config.corpus.simulate else "") + (" " + notes if notes else "")))
    summary.report = out / "index.html"
    write_text_atomic(summary.report, report)
