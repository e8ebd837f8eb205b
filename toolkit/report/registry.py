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
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from toolkit.report import plots
from toolkit.config import RunConfig
from toolkit.corpus import write_text_atomic
from toolkit.provenance import frame_hash
from toolkit.report.files import save_figure, save_table
from toolkit.places import with_locality
from toolkit.text.collate import vi_sort_key
from toolkit.report.explorer import explorer_html, relative_sources
from toolkit.report.page import ReportItem, render_report
from toolkit.report.methods import (effects_intervals_text, effects_uncertainty_kind, methods_markdown,
                                    unplaced_documents)

logger = logging.getLogger("toolkit.figures")

TABLE_CAPTIONS = {
    "documents_per_locality_year": "Documents per locality (province, district) and year (duplicates left out).",
    "documents_per_locality": "Documents per locality (province, district), dated or not: n_docs and how many of "
                              "them carry a date (n_dated); the row with empty place columns counts documents of "
                              "unknown locality (duplicates left out).",
    "rejects": "Input files or table rows that could not be read, with the reason.",
    "corpus_summary": "Documents read, reposts among them, documents analysed, and analysed documents without a "
                      "year or a locality.",
    "theme_shares_locality_year": "Share of documents mentioning each theme per province × district × year, "
                                  "with 95% intervals ([themes] interval); empty cells kept (n_docs = 0), small "
                                  "cells flagged; documents of no known locality left out (documents_per_locality "
                                  "counts them).",
    "theme_shares_locality_period": "The same per province × district × period.",
    "theme_shares_year": "The same per year for the whole corpus.",
    "theme_shares_locality": "The same per province × district over every document of a known locality, dated or "
                             "not.",
    "theme_validation": "Seed-term validation: document frequency of every dictionary term by province; "
                        "terms that never occur are listed with occurs = false.",
    "keyness": "Distinctive terms of each group against all others: weighted log-odds with an informative "
               "Dirichlet prior (z), chi² and G².",
    "tfidf_top_terms": "Top TF-IDF terms per group.",
    "model_selection": "Model-selection measures for every K × seed.",
    "model_recommendation": "The recommended number of topics and the reasoning.",
    "topic_terms": "Top terms of each topic by probability.",
    "topic_terms_frex": "Top terms of each topic by FREX (frequency and exclusivity).",
    "effects": "Effects of locality and year on topic proportions (method of composition), with intervals; "
               "uncertainty: global (pooled over refits at several seeds) or document (one fitted model).",
    "topic_matching": "Global uncertainty: which topic of every refit (random_state) was pooled with which topic of "
                      "the reported model (model 0), matched by theme (seeded topics) or by the Hungarian algorithm "
                      "on topic-word cosine (free topics), with the similarity of each pair.",
    "split": "Split sample: half A (K chosen, model fitted, topics labelled) or half B (effects and prevalence "
             "estimated) of every document, drawn at random with the run's random_state.",
    "topic_prevalence_district_year": "Mean topic proportion per locality (province, district) × year with "
                                      "intervals.",
    "topic_correlations": "Correlations between topic proportions across documents.",
    "representative_documents": "The documents with the highest proportion of each topic.",
    "doc_topics": "Topic proportions of every document.",
    "theme_kwic": "The lines of original text that made each document count for each theme (keyword in context; "
                  "at most 5 per document and theme).",
    "topic_map": "Position of each topic on the inter-topic map (classical scaling of Jensen–Shannon distances), "
                 "its prevalence and estimated tokens.",
    "topic_relevance": "Candidate terms of each topic for the relevance slider: φ, corpus share and count.",
    "planted_vs_recovered": "Recovered theme share by year beside the planted probability (demo corpus).",
    "seed_retention": "Whether each seeded topic is still about its seed terms once fitted: the seeds' share of "
                      "the topic's words (seed_mass) against their share of the corpus (lift), the seeds among its "
                      "20 most probable terms, the share of the seeds' occurrences the topic takes (seed_capture) "
                      "and the topic that takes most (main_seed_topic), and held (a seed among its top terms and no "
                      "topic taking more of the seeds' occurrences). A topic that is not held carries its theme's "
                      "name but not its content, or not most of it.",
    "theme_quality": "How far the theme measure can be trusted: precision, recall and F1 with 95% intervals against "
                     "human coding (source: a coded sheet of this corpus, or the project's labelled real articles), "
                     "and the counts of coded documents behind them (tp, fp, fn).",
    "date_quality": "How far dates read from a page's text can be trusted: real articles whose publication date "
                    "is known, ingested with their dates and addresses hidden, per date_source: share whose year "
                    "(and day) is the publication year (day), with 95% Wilson intervals. A date from the text is the "
                    "date of an event the page reports, often days or months before it was published; filter on "
                    "date_source to keep the dates read from the page (header, markup, url, table-field).",
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
    draw: Callable[[pd.DataFrame, str, dict], plt.Figure | None]
    #: Further tables the figure draws from beside ``table`` (given to ``draw`` as ``ctx["tables"]``).
    extra_tables: tuple[str, ...] = ()


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


def theme_definitions(path: Path) -> dict[str, str]:
    """Theme id → its ``definition`` in the theme dictionary file (the sense that counts; "" when none)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    themes = data.get("themes", data)
    return {theme_id: " ".join(str(spec.get("definition", "")).split())
            for theme_id, spec in themes.items() if isinstance(spec, dict)}


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
    return full.where(~(qualified & unique), name).replace("", UNKNOWN_LOCALITY)


#: Figure label of the documents of no known locality (drawn in the figure's language: ``plots._shown``).
UNKNOWN_LOCALITY = plots.UNKNOWN_LOCALITY


#: Most localities a figure shows (the tables keep all of them).
MAX_HEATMAP_ROWS = 30
MAX_PANELS = 12


def _province_and_district(localities: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The province and the district ("" without one) of each full locality ("<district>, <province>")."""
    parts = localities.fillna("").astype(str).str.rsplit(", ", n=1)
    return parts.map(lambda p: p[-1]), parts.map(lambda p: p[0] if len(p) > 1 else "")


def _province_rank(localities: pd.Series) -> pd.Series:
    """Rank of each full locality ("<district>, <province>"): by province, then district, in Vietnamese
    alphabetical order (:func:`~toolkit.text.collate.vi_sort_key`: "Đà Nẵng" after "Cà Mau"); unknown last."""
    full = localities.fillna("").astype(str)
    province, district = _province_and_district(full)
    keys = {f: (f == "", vi_sort_key(p), vi_sort_key(d)) for f, p, d in zip(full, province, district)}
    order = sorted(keys, key=keys.__getitem__)
    return full.map({f: k for k, f in enumerate(order)})


def _row_groups(t: pd.DataFrame) -> dict[str, str]:
    """Each figure label's province (see :func:`_top_localities`), to part and name a province's rows."""
    return dict(zip(t["locality"], t["locality_group"]))


def _row_order(t: pd.DataFrame) -> list[str]:
    """Figure labels of ``t``'s localities with a province's districts together (see :func:`_top_localities`)."""
    return t.drop_duplicates("locality").sort_values("locality_rank", kind="mergesort")["locality"].tolist()


def _top_localities(t: pd.DataFrame, n: int, weight: str = "n_docs") -> pd.DataFrame:
    """Rows of the ``n`` localities with the most documents (all when there are fewer).

    ``locality`` becomes the figure label; ``locality_rank`` orders the rows by province, then
    district (:func:`_row_order`), so a province's districts stand together in a figure;
    ``locality_group`` is the province (:func:`_row_groups`).
    """
    full = (t if "locality" in t else with_locality(t))["locality"]
    province, _ = _province_and_district(full)
    t = t.assign(locality=_locality(t), locality_rank=_province_rank(full).to_numpy(),
                 locality_group=province.to_numpy())
    if t["locality"].nunique() <= n:
        return t
    if weight in t:
        sizes = t.groupby("locality")[weight].sum()
    else:
        sizes = t.groupby("locality").size()
    keep = sizes.sort_values(ascending=False, kind="mergesort").index[:n]
    logger.info("figure shows the %d localities with most documents of %d", n, t["locality"].nunique())
    return t[t["locality"].isin(set(keep))]


def figure_themes(config: RunConfig, available) -> list[str]:
    """The themes that theme figures show: ``[figures] themes``, else the seeded themes, else every theme.

    ``available`` are the theme ids of the run's tables. A theme named in
    ``[figures] themes`` that the run does not have is an error that lists the
    known ones; the seeded themes (``[topics] seed_themes`` with ``seeded``)
    are used as far as the run has them; with neither, every theme.
    """
    available = sorted(set(available))
    chosen = list(config.figures.themes)
    if chosen:
        unknown = sorted(set(chosen) - set(available))
        if unknown:
            raise ValueError(f"[figures] themes: unknown theme(s) {', '.join(unknown)}; known: {', '.join(available)}")
        return chosen
    if config.topics.seeded and config.topics.seed_themes:
        seeded = [t for t in config.topics.seed_themes if t in available]
        if seeded:
            return seeded
    return available


def _parse_term(term: str) -> tuple[str, str, str | None] | None:
    """``(variable, level, reference)`` of a treatment-coded formula term, else ``None``.

    patsy names a level of ``C(var)`` ``C(var)[T.<level>]``, and with an explicit
    reference ``C(var, Treatment(reference=<ref>))[T.<level>]`` (or
    ``Treatment(<ref>)``; a string reference keeps its quotes). ``reference`` is
    the explicit reference as text (``"2021"``, ``"Huyện Đông Anh, Hà Nội"``),
    ``None`` when the formula leaves it to patsy (the first level in sorted order).
    Interactions and other codings are not parsed.

    Examples
    --------
    >>> _parse_term("C(year)[T.2020]")
    ('year', '2020', None)
    >>> _parse_term("C(year, Treatment(reference=2021))[T.2019]")
    ('year', '2019', '2021')
    >>> _parse_term('C(locality, Treatment("Huyện Đông Anh, Hà Nội"))[T.Huyện Gia Lâm, Hà Nội]')
    ('locality', 'Huyện Gia Lâm, Hà Nội', 'Huyện Đông Anh, Hà Nội')
    """
    import ast

    if not term.endswith("]"):
        return None
    start = 0
    while (at := term.find(")[T.", start)) >= 0:
        start = at + 1
        head, level = term[:at + 1], term[at + 4:-1]
        try:
            node = ast.parse(head, mode="eval").body
        except SyntaxError:  # a ")[T." inside a quoted reference: look further
            continue
        if "]:" in level or not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                                 and node.func.id == "C" and node.args and isinstance(node.args[0], ast.Name)):
            return None
        contrast = node.args[1] if len(node.args) > 1 else next(
            (k.value for k in node.keywords if k.arg == "contrast"), None)
        reference = None
        if isinstance(contrast, ast.Call) and isinstance(contrast.func, ast.Name) and contrast.func.id == "Treatment":
            value = contrast.args[0] if contrast.args else next(
                (k.value for k in contrast.keywords if k.arg == "reference"), None)
            if value is not None:
                try:
                    reference = str(ast.literal_eval(value))
                except ValueError:  # a name or an expression: the note says "the level no term names"
                    reference = None
        return node.args[0].id, level, reference
    return None


#: patsy's spline transforms: their coefficients are not readable one by one.
SPLINES = ("bs", "cr", "cc", "te")


def _is_spline(term: str) -> bool:
    return any(term.startswith(f"{name}(") for name in SPLINES)


def spline_variables(formula: str) -> list[str]:
    """The variables a formula enters through a spline (``~ C(locality) + bs(year, df=3)`` → ``["year"]``)."""
    import re

    found = re.findall(r"\b(?:%s)\(\s*(\w+)" % "|".join(SPLINES), formula)
    return list(dict.fromkeys(found))


def _term_label(term: str) -> str:
    """Readable label of a formula term: ``C(locality)[T.Huyện X, Y]`` → ``Huyện X, Y``, splines numbered.

    ``C(year, Treatment(reference=2021))[T.2019]`` → ``2019`` as well (:func:`_parse_term`).
    """
    import re

    parsed = _parse_term(term)
    if parsed:
        return parsed[1]
    spline = re.fullmatch(r"(?:%s)\((\w+),.*\)\[(\d+)\]" % "|".join(SPLINES), term)
    if spline:
        return f"{spline.group(1)} (spline {int(spline.group(2)) + 1})"
    return term


def topic_figure_labels(frex: pd.DataFrame | None, theme_names: Mapping[str, str], n: int = 3,
                        lost: Collection[str] | Mapping[str, str] = (), lang: str = "en") -> dict[str, str]:
    """Topic label → figure label from its FREX terms: ``"Site clearance: bồi thường, tái định cư, …"``.

    Probable terms are shared by many topics (``công tác``, ``người dân``);
    FREX terms (frequent *and* exclusive) tell topics apart. A seeded
    topic's label is its theme's name; a seeded topic in ``lost`` (not held
    by its seeds, :func:`toolkit.topics.seed_retention`) says so:
    ``"Grassroots democracy regulations (seed terms lost): tổng thống, ukraine, biden"``.
    ``lost`` may map a label to its mark (:func:`seed_marks`: ``seeds_lost``
    or ``seeds_elsewhere``); a plain collection marks ``seeds_lost``.
    """
    if frex is None or frex.empty:
        return {}
    marks = dict(lost) if isinstance(lost, Mapping) else dict.fromkeys(lost, "seeds_lost")
    out = {}
    for name, rows in frex.sort_values(["topic", "rank"]).groupby("label", sort=False):
        terms = ", ".join(str(t).replace("_", " ") for t in rows["term"].head(n))
        mark = f" ({plots.label(marks[str(name)], lang)})" if str(name) in marks else ""
        out[str(name)] = f"{theme_names.get(str(name), str(name))}{mark}: {terms}"
    return out


def _seeds_lost_text(lost: Sequence[str], names: Mapping[str, str], lead: str = "Marked",
                     retention: pd.DataFrame | None = None) -> str:
    """The sentences on seeded topics their seeds do not hold ("" when all held).

    Two reasons (``seed_retention``): fewer than two seed terms among the
    topic's 20 most probable terms ("seed terms lost"), or another topic takes more of the
    seed terms' occurrences ("seed terms mostly elsewhere": the theme went to
    another topic, or is split, and the seeded topic's share understates it).
    """
    if not lost:
        return ""
    marks = seed_marks({"seed_retention": retention}) if retention is not None else {}
    gone = [x for x in lost if marks.get(x, "seeds_lost") == "seeds_lost"]
    moved = [x for x in lost if marks.get(x) == "seeds_elsewhere"]
    out = ""
    if gone:
        which = ", ".join(names.get(x, x) for x in gone)
        out += (f' {lead} "seed terms lost" ({which}): fewer than two of its seed terms among the topic\'s 20 most '
                "probable terms (tables/seed_retention); the corpus has too few documents of the theme to hold a "
                "topic: read its words, not its name.")
    if moved:
        rows = retention.set_index("label")
        parts = [f"{names.get(x, x)}: {100 * rows.at[x, 'main_seed_capture']:.0f}% of its seed terms' occurrences "
                 f"in {rows.at[x, 'main_seed_topic']}, {100 * rows.at[x, 'seed_capture']:.0f}% in the seeded topic"
                 for x in moved]
        out += (f' {lead} "seed terms mostly elsewhere" ({"; ".join(parts)}; tables/seed_retention): another '
                "topic took most of the theme, so the seeded topic's share understates it: read both topics' words.")
    return out


def lost_seeded_topics(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Seeded topics their seed terms do not hold (``seed_retention``'s ``held`` is false)."""
    table = tables.get("seed_retention")
    if table is None or table.empty or "held" not in table:
        return []
    return sorted(table.loc[~table["held"].astype(bool), "label"].astype(str))


def marked_labels(marks: Mapping[str, str], lang: str = "en") -> dict[str, str]:
    """Label → the label shown for each topic of :func:`seed_marks` ("covid" → "covid (seed terms lost)")."""
    return {name: f"{name} ({plots.label(mark, lang)})" for name, mark in sorted(marks.items())}


def seed_marks(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """Label → mark of every seeded topic not held: ``seeds_lost`` or ``seeds_elsewhere``.

    ``seeds_lost``: none of its seed terms among its most probable terms;
    ``seeds_elsewhere``: they are, but another topic (``main_seed_topic``)
    takes more of their occurrences.
    """
    from toolkit.topics.seeded import not_held_kind

    table = tables.get("seed_retention")
    return {label: f"seeds_{not_held_kind(table[table['label'].astype(str) == label].iloc[0]) or 'lost'}"
            for label in lost_seeded_topics(tables)}


def _fig_counts(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    t = _top_localities(t, MAX_HEATMAP_ROWS).assign(year=lambda d: d["year"].astype(int))
    ax = plots.doc_counts_heatmap(t, row="locality", col="year", lang=lang, row_order=_row_order(t),
                                  row_groups=_row_groups(t), unscaled_rows=[UNKNOWN_LOCALITY])
    return ax.figure


def _fig_counts_dated(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    t = _top_localities(t, MAX_HEATMAP_ROWS)
    dating = {"dated": plots.label("dated", lang), "undated": plots.label("undated", lang)}
    long = pd.concat([t.assign(dating=dating["dated"], n=t["n_dated"]),
                      t.assign(dating=dating["undated"], n=t["n_docs"] - t["n_dated"])])
    ax = plots.doc_counts_heatmap(long, row="locality", col="dating", value="n", lang=lang,
                                  title=plots.label("doc_counts_locality", lang), row_order=_row_order(t),
                                  row_groups=_row_groups(t), unscaled_rows=[UNKNOWN_LOCALITY])
    return ax.figure


def _theme_rows(t: pd.DataFrame, ctx: dict) -> pd.DataFrame:
    t = t[t["theme"].isin(ctx["themes"])]
    return t.assign(theme=t["theme"].map(lambda x: ctx["labels"].get(x, x)))


def _fig_theme_periods(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    t = _top_localities(_theme_rows(t, ctx), MAX_HEATMAP_ROWS)
    t = t[t["period"].astype(str) != ""]
    fig = plt.figure()
    plots.theme_share_panels(t, panel="theme", row="locality", col="period", fig=fig, lang=lang,
                             title=plots.label("theme_heatmap_period", lang),
                             min_docs=ctx["min_docs"], ncols=min(4, max(1, t["theme"].nunique())),
                             row_order=_row_order(t), row_groups=_row_groups(t))
    return fig


def _fig_theme_localities(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    t = _top_localities(_theme_rows(t, ctx), MAX_HEATMAP_ROWS)
    ax = plots.theme_share_heatmap(t, row="locality", col="theme", lang=lang, min_docs=ctx["min_docs"],
                                   title=plots.label("theme_heatmap_locality", lang), row_order=_row_order(t),
                                   row_groups=_row_groups(t))
    # the key the period panels carry, where this figure has a cell it explains
    empty = t["n_docs"] == 0 if "n_docs" in t else False
    if (plots._small_mask(t, "small_cell", "n_docs", ctx["min_docs"]) | empty).any():
        ax.figure.supxlabel(plots.small_cell_note(lang, ctx["min_docs"]), fontsize=plots.MIN_FONT)
    return ax.figure


def _fig_theme_trends(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    # First the whole corpus (theme_shares_year): most documents of a news site may have no locality, and a
    # reader looks for the overall trend before the localities'.
    every = ctx.get("tables", {}).get("theme_shares_year")
    every = None if every is None or every.empty else _theme_rows(every, ctx)
    t = _top_localities(_theme_rows(t, ctx), MAX_PANELS - (every is not None))
    order = _row_order(t)
    if every is not None:
        t = pd.concat([every.assign(locality=plots.ALL_DOCUMENTS), t], ignore_index=True)
        order = [plots.ALL_DOCUMENTS, *order]
    t = t.assign(year=t["year"].astype(int))
    fig = plt.figure()
    plots.trend_small_multiples(t, panel="locality", series="theme", x="year", y="share", fig=fig, lang=lang,
                                min_docs=ctx["min_docs"], panel_order=order)
    return fig


def _trends_panels(tables: Mapping[str, pd.DataFrame]) -> str:
    """How the theme trends figure lays out its panels (with or without the whole corpus first)."""
    every = tables.get("theme_shares_year")
    if every is None or every.empty:
        return f"one panel per locality (the {MAX_PANELS} with most documents when there are more)"
    return (f"first “All documents” (every dated document, those of no known locality included: "
            f"tables/theme_shares_year), then one panel per locality (the {MAX_PANELS - 1} with most documents "
            "when there are more)")


def _unplaced_text(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """The locality figures' captions on the documents of no known place they leave out, counted from the run's
    tables (:func:`~toolkit.report.methods.unplaced_documents`): ``unplaced_all`` (the figure over every document),
    ``unplaced_dated`` (over the dated ones), ``unplaced_panels`` (the trends' locality panels). "" where none is
    left out; without the counts, the rule alone."""
    counts = unplaced_documents(tables)

    def which(key: str, what: str) -> str:
        if key not in counts:
            return what
        n, total = counts[key]
        return f"the {n:,} of {total:,} {what}" if n else ""

    every, dated = which("all", "documents"), which("dated", "dated documents")
    years = tables.get("theme_shares_year")
    panels = ("Unlike “All documents”, the locality panels" if years is not None and not years.empty
              else "The locality panels")
    return {"unplaced_all": f" {every[:1].upper()}{every[1:]} of no known place are left out." if every else "",
            "unplaced_dated": f" {dated[:1].upper()}{dated[1:]} of no known place are left out." if dated else "",
            "unplaced_panels": f" {panels} leave out {dated} of no known place." if dated else ""}


def _fig_topic_terms(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    names = t["label"].astype(str) if "label" in t else t["topic"].astype(str)
    t = t.assign(panel=[ctx["topic_labels"].get(n, n) for n in names])
    order = list(dict.fromkeys(t.sort_values("topic", kind="mergesort")["panel"]))
    fig = plt.figure()
    plots.top_terms_bars(t, topic="panel", n_terms=ctx["n_terms"], fig=fig, lang=lang, topic_order=order)
    return fig


def _key_topics(t: pd.DataFrame, ctx: dict) -> list[str]:
    """The topics that stand for the figure themes (seeded topics), else the first few topics."""
    labels = sorted(t["label"].astype(str).unique())
    chosen = [x for x in ctx["themes"] if x in labels]
    return chosen or labels[:4]


def _fig_topic_prevalence(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    t = _top_localities(t[t["label"].isin(_key_topics(t, ctx)) & (t["n_docs"] > 0)], MAX_PANELS)
    t = t.assign(label=t["label"].map(lambda x: ctx["topic_labels"].get(x, ctx["labels"].get(x, x))),
                 year=t["year"].astype(int))
    fig = plt.figure()
    plots.trend_small_multiples(t, panel="locality", series="label", x="year", y="prevalence", fig=fig, lang=lang,
                                ylabel=plots.label("prevalence", lang), title=plots.label("topic_prevalence", lang),
                                min_docs=ctx["min_docs"], panel_order=_row_order(t))
    return fig


def _fig_effects(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure | None:
    # Spline coefficients are not readable one by one (the prevalence figure shows the trend).
    t = t[t["label"].isin(_key_topics(t, ctx)) & (t["term"] != "Intercept") & ~t["term"].map(_is_spline)]
    if t.empty:
        return None
    # the reference levels are those no term names, among every term (the figure may show only some)
    every = sorted(t["term"].unique())
    references = _effect_references(every, {x: _term_label(x) for x in every}, ctx.get("effect_levels", {}))
    t = _top_effect_terms(t, ctx.get("locality_sizes", {}), MAX_HEATMAP_ROWS)
    levels = sorted(t["term"].unique())
    shown = {x: _term_label(x) for x in levels}
    localities = ctx.get("localities", [])
    short = dict(zip(localities, locality_labels(pd.Series(localities, dtype=object)))) if localities else {}
    t = t.assign(label=t["label"].map(lambda x: ctx["topic_labels"].get(x, ctx["labels"].get(x, x))),
                 term=t["term"].map(lambda x: short.get(shown[x], shown[x])))
    panels = sorted(t["label"].unique())
    n_terms = t["term"].nunique()
    row = plots._row_height([plots._wrap(x, 40) for x in t["term"].unique()]) * 0.75
    fig, axes = plt.subplots(1, len(panels), figsize=(plots.PAGE_WIDTH, 1.8 + row * n_terms), squeeze=False,
                             sharey=True, sharex=True, layout="constrained")
    for k, (ax, name) in enumerate(zip(axes[0], panels)):
        plots.forest_plot(t[t["label"] == name], ax=ax, lang=lang, title=str(name),
                          title_width=max(12, 72 // max(1, len(panels))))
        if k:
            ax.tick_params(axis="y", labelleft=False)
    # One x label for the row of panels: a label under each narrow panel runs past its neighbours (and,
    # with many panels, past the page) once translated.
    xlabel = " ".join(axes[0][0].get_xlabel().split())
    for ax in axes[0]:
        ax.set_xlabel("")
    note = _effects_note(references, lang)
    fig.supxlabel("\n".join(x for x in (xlabel, note) if x), fontsize=plots.MIN_FONT)
    fig.suptitle(plots.label("effects", lang), fontsize=10)
    return fig


def _top_effect_terms(t: pd.DataFrame, sizes: Mapping[str, int], n: int) -> pd.DataFrame:
    """At most ``n`` terms: the locality levels of the localities with most documents, then the others."""
    terms = sorted(t["term"].unique())
    if len(terms) <= n:
        return t

    def size(term: str) -> int:
        parsed = _parse_term(term)
        return sizes.get(parsed[1], 0) if parsed and parsed[0] == "locality" else 1 << 62  # others first
    keep = sorted(terms, key=lambda x: (-size(x), x))[:n]
    logger.info("effects figure shows %d of %d terms (the localities with most documents)", n, len(terms))
    return t[t["term"].isin(set(keep))]


#: Why a figure whose table is not empty can still have nothing to draw.
NOTHING_TO_DRAW = {
    "effects_forest": "the effects of the figure's topics are only the intercept and the year spline (or another "
                      "spline), whose coefficients are not readable one by one (topic_prevalence shows the trend)",
}


def _effect_references(levels: list[str], shown: Mapping[str, str],
                       values: Mapping[str, list[str]]) -> dict[str, str]:
    """The reference level of each categorical variable of the figure's terms (``C(locality)``, ``C(year)``).

    An explicit reference of the formula (``C(year, Treatment(reference=2021))``)
    is that variable's reference. Otherwise patsy's treatment coding compares
    every level with the first of the sorted values of the documents in the
    model; ``values`` holds those values per variable (sorted as patsy sorts
    them). A variable without them (a ``category`` column of the researcher's
    table) gets ``""``: the note then says its reference is the level no term names.
    """
    compared: dict[str, set[str]] = {}
    explicit: dict[str, str] = {}
    for term in levels:
        parsed = _parse_term(term)
        if parsed:
            compared.setdefault(parsed[0], set()).add(shown[term])
            if parsed[2] is not None:
                explicit[parsed[0]] = parsed[2]
    out = {}
    for var, seen in compared.items():
        if var in explicit:
            out[var] = explicit[var]
            continue
        # a year term beside locality terms: the model's documents have both
        key = "year_with_locality" if var == "year" and "locality" in compared else var
        rest = [v for v in values.get(key, []) if v not in seen]
        out[var] = rest[0] if rest else ""
    return out


#: How the effects figure names a variable's levels in its note ("each locality compared with …").
EFFECT_LEVEL_NAMES = {"en": {"locality": "locality", "year": "year", "province": "province", "period": "period"},
                      "vi": {"locality": "địa phương", "year": "năm", "province": "tỉnh", "period": "giai đoạn"}}


def _effects_note(references: Mapping[str, str], lang: str) -> str:
    """``Each locality compared with An Giang; each year with 2019`` (in the figure's language)."""
    names = EFFECT_LEVEL_NAMES["vi" if lang == "vi" else "en"]
    parts = [(names.get(var, var), ref) for var, ref in sorted(references.items(), key=lambda kv: kv[0] != "locality")]
    if not parts:
        return ""
    unnamed = {"en": "the level no term names (the first in sorted order)",
               "vi": "mức không có hệ số riêng (mức đầu tiên theo thứ tự)"}["vi" if lang == "vi" else "en"]
    parts = [(name, ref or unnamed) for name, ref in parts]
    if lang == "vi":
        text = "; ".join(f"mỗi {name} so với {ref}" for name, ref in parts)
    else:
        text = "; ".join(f"each {name} compared with {ref}" if i == 0 else f"each {name} with {ref}"
                         for i, (name, ref) in enumerate(parts))
    return text[0].upper() + text[1:]


def _effect_levels(tables: Mapping[str, pd.DataFrame]) -> dict[str, list[str]]:
    """Sorted values of the effects' categorical variables among the dated documents with a locality.

    The effects leave out documents with a missing covariate; the dated documents of
    ``documents_per_locality_year`` stand for them (with a locality: the formula's locality terms need one).
    """
    counts = tables.get("documents_per_locality_year")
    if counts is None or counts.empty or "year" not in counts:
        return {}
    if "locality" not in counts:
        counts = with_locality(counts)
    dated = counts[pd.to_numeric(counts["year"], errors="coerce").notna() & (counts["n_docs"] > 0)]
    placed = dated[dated["locality"].fillna("").astype(str) != ""]
    out = {"locality": sorted(placed["locality"].astype(str).unique())}
    if "province" in placed:
        out["province"] = sorted(x for x in placed["province"].dropna().astype(str).unique() if x)
    # years in the model: those of documents with a locality when the figure compares localities too
    # (its rows need both); patsy sorts numbers numerically
    for name, frame in (("year", dated), ("year_with_locality", placed)):
        out[name] = [str(int(y)) for y in sorted(pd.to_numeric(frame["year"]).unique())]
    return out


#: Most terms a keyness panel shows (the pipeline's table holds [keyness] n_terms per group).
MAX_KEYNESS_TERMS = 30


def _keyness_shown(t: pd.DataFrame) -> pd.DataFrame:
    """The rows of the groups the keyness figure draws: bounded whatever the corpus, the
    :data:`MAX_PANELS` groups with most documents, ties by name."""
    sizes = (t.groupby("group")["n_docs"].max() if "n_docs" in t else t.groupby("group").size()).rename("size")
    if len(sizes) <= MAX_PANELS:
        return t
    keep = sizes.reset_index().sort_values(["size", "group"], ascending=[False, True],
                                           kind="mergesort")["group"].head(MAX_PANELS)
    logger.info("keyness figure shows the %d groups with most documents of %d", MAX_PANELS, len(sizes))
    return t[t["group"].isin(set(keep))]


def _keyness_small(t: pd.DataFrame, min_docs: int | None = None) -> pd.Series:
    """Rows of groups with few documents: the table's ``small_group`` flag, else fewer than ``min_docs``."""
    if "small_group" in t:
        return t["small_group"].fillna(False).astype(bool)
    if min_docs is not None and "n_docs" in t:
        return t["n_docs"].fillna(0) < min_docs
    return pd.Series(False, index=t.index)


def _fig_keyness(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    t = _keyness_shown(t)
    n_terms = min(int(t.groupby("group").size().max()), MAX_KEYNESS_TERMS)
    if ctx.get("keyness_group") in ("district", "locality"):
        t = t.assign(group=locality_labels(t["group"]))
    # a group of a few documents is drawn apart (hatched, "n = 2, small" in its title): its terms rest on them
    small = t[_keyness_small(t, ctx.get("keyness_min_docs"))]
    n_docs = (small.groupby("group")["n_docs"].max().astype(int).to_dict() if "n_docs" in small
              else dict.fromkeys(small["group"].unique()))
    fig = plt.figure()
    plots.keyness_bars(t, group="group", score="z", n_terms=n_terms, fig=fig, lang=lang, small=n_docs)
    return fig


#: How the keyness caption names the groups of ``[keyness] group`` (one, many); other columns: "`<name>` group".
KEYNESS_GROUP_NOUNS = {"locality": ("locality", "localities"), "district": ("locality", "localities"),
                       "province": ("province", "provinces"), "year": ("year", "years"),
                       "period": ("period", "periods"), "category": ("category", "categories")}


def _keyness_text(group: str, keyness: pd.DataFrame | None, min_docs: int) -> dict[str, str]:
    """The keyness caption's words for the run's groups, and how its small groups are marked."""
    one, many = KEYNESS_GROUP_NOUNS.get(group, (f"`{group}` group", f"`{group}` groups") if group
                                         else ("group", "groups"))
    small = ""
    if keyness is not None and not keyness.empty and "group" in keyness:
        shown = _keyness_shown(keyness)
        flagged = shown[_keyness_small(shown, min_docs)]
        if len(flagged):
            n = flagged["group"].nunique()
            which = f"a {one}" if n == 1 else f"{n} {many}"
            small = (f" Hatched bars, titled “(n = …, small)”: {which} of fewer than {min_docs} documents "
                     "(small_group), whose distinctive terms rest on those few documents.")
    return {"keyness_one": one, "keyness_many": many, "keyness_small": small}


def _fig_selection(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    fig = plt.figure()
    plots.selection_panels(t, fig=fig, lang=lang, chosen=ctx.get("n_topics"))
    return fig


def _fig_planted(t: pd.DataFrame, lang: str, ctx: dict) -> plt.Figure:
    t = t.assign(theme=t["theme"].map(lambda x: ctx["labels"].get(x, x)))
    fig = plt.figure()
    plots.planted_vs_recovered(t, fig=fig, lang=lang)
    return fig


COUNTS_METHOD = "Counts of the ingested document table, reposts (duplicate_of) left out."
THEME_SHARE_METHOD = ("Theme dictionary ({theme_file}) matched on normalized tokens with exclusion contexts; a document "
                      "mentions a theme when at least one term matches. Shares in per cent.")

FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("documents_per_locality_year", "documents_per_locality_year", "doc_counts",
               "How many documents each locality published per year (the 30 localities with most documents when "
               "there are more); every cell shows its count, so sparse cells (and the uncertainty they bring to "
               "later figures) are visible.",
               COUNTS_METHOD, _fig_counts),
    FigureSpec("documents_per_locality", "documents_per_locality", "doc_counts_locality",
               "How many documents each locality published, dated and undated (the 30 localities with most "
               "documents when there are more; (unknown): no locality found, its count shown but not setting the "
               "colour scale); drawn when some documents carry no date, which the figures over time leave out.",
               COUNTS_METHOD, _fig_counts_dated),
    FigureSpec("theme_share_by_locality", "theme_shares_locality", "theme_heatmap_locality",
               "Share of each locality's documents that mention {themes}, dated or not (the 30 localities with "
               "most documents when there are more; the table has all).{unplaced_all} Hatched cells have fewer "
               "than {min_docs} documents and show their number instead of a share.",
               THEME_SHARE_METHOD, _fig_theme_localities),
    FigureSpec("theme_share_by_period", "theme_shares_locality_period", "theme_heatmap_period",
               "Share of each locality's documents that mention {themes}, per period: one panel per theme on one "
               "colour scale (the 30 localities with most documents when there are more; the table has all). "
               "Hatched cells have fewer than {min_docs} documents and show their number instead of a share; "
               "– marks a period without documents.{unplaced_dated}",
               THEME_SHARE_METHOD, _fig_theme_periods),
    FigureSpec("theme_trends", "theme_shares_locality_year", "theme_trends",
               "Yearly share of documents mentioning {themes}: {trends_panels}, on one y axis, with 95% intervals; "
               "hollow points: fewer than {min_docs} documents.{unplaced_panels}",
               "Dictionary matches per document; {interval_text}", _fig_theme_trends,
               extra_tables=("theme_shares_year",)),
    FigureSpec("topic_top_terms", "topic_terms", "topic_terms",
               "The most probable terms of every topic of the final model; each panel is titled with the topic's "
               "FREX terms (frequent and exclusive), which tell topics apart better than the most probable ones. "
               "Seeded topics carry their theme's name.{seeds_lost}",
               "gensim LdaModel (single process, seeded), K chosen by model selection; seeded topics get a prior "
               "on their dictionary terms.", _fig_topic_terms),
    FigureSpec("topic_prevalence", "topic_prevalence_district_year", "topic_prevalence",
               "Mean proportion of the topics seeded with {themes} per year in each locality (the 12 with most "
               "documents when there are more) on one y axis, with 95% intervals; topics named by their FREX "
               "terms.",
               "Posterior draws of document-topic proportions combined with a bootstrap over documents.",
               _fig_topic_prevalence),
    FigureSpec("effects_forest", "effects", "effects",
               "Effects of the terms of {formula} on the proportion of the topics seeded with {themes}"
               "{effects_left_out}, with 95% intervals, on one x axis. Descriptive associations, not causal effects.",
               "Method of composition: OLS of posterior draws of topic proportions on the formula of [effects], "
               "coefficients drawn from their sampling distribution and pooled. {effects_intervals}", _fig_effects),
    FigureSpec("keyness", "keyness", "keyness",
               "The most distinctive terms of each {keyness_one} against all others, place and person names left out "
               "(the 12 {keyness_many} with most documents when there are more; tables/keyness has the top terms of "
               "every group, groups with few documents flagged small_group).{keyness_small}",
               "Weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008); "
               "bars are z-scores.", _fig_keyness),
    FigureSpec("model_selection", "model_selection", "selection",
               "Coherence, held-out likelihood, exclusivity, diversity and stability against the number of topics "
               "(mean over seeds, band = min–max); the dashed line marks the chosen K.",
               "One model per K × seed; stability matches topics across seeds with the Hungarian algorithm.",
               _fig_selection),
    FigureSpec("planted_vs_recovered", "planted_vs_recovered", "planted_vs_recovered",
               "For the simulated demo corpus: the recovered yearly theme shares against the planted truth.",
               "Recovered: dictionary shares by year with 95% intervals; planted: the simulator's theme "
               "probabilities averaged over the documents of each year.", _fig_planted),
)


def source_of(quality: pd.DataFrame) -> str:
    """Where a theme-quality table's numbers come from, in one phrase."""
    if "source" not in quality.columns or quality.empty:
        return "coded documents"
    sources = quality["source"].astype(str).unique()
    if len(sources) == 1:
        return sources[0]
    return "corpora/validation, each theme on the labelled real articles held out for it"


def _count(row, name: str) -> int | None:
    """A count column of a theme-quality row (``tp``, ``fp``, ``fn``, ``n_both``), ``None`` where absent or blank."""
    value = getattr(row, name, None)
    return None if value is None or pd.isna(value) else int(value)


def _no_width(row, name: str) -> bool:
    """Whether a weighted rate's interval has no width: every document it rests on was read (a stratum read in
    full, :func:`toolkit.themes.validate.score_predictions`), not a large sample."""
    low, high = getattr(row, f"{name}_low", np.nan), getattr(row, f"{name}_high", np.nan)
    weighted = getattr(row, "weighted", False)
    return (isinstance(weighted, (bool, np.bool_)) and bool(weighted) and pd.notna(low) and pd.notna(high)
            and bool(np.isclose(low, high)))


def census_precision(row) -> str:
    """``"2 of 2 flagged documents read, 1 coded positive"`` when a theme-quality row's precision has no interval
    because every document the measure flags was read; "" otherwise (an interval to show).

    Under the weighted finite-population design a precision over flagged strata read in full is exact: its
    interval is a point, however few documents it rests on (``tp + fp``), and says so rather than a width.
    """
    if pd.isna(getattr(row, "precision", np.nan)) or not _no_width(row, "precision"):
        return ""
    tp, fp = _count(row, "tp"), _count(row, "fp")
    if tp is None or fp is None:
        return "every flagged document read"
    flagged = tp + fp
    return f"{flagged} of {flagged} flagged document{'' if flagged == 1 else 's'} read, {tp} coded positive"


#: What a rate of a theme-quality row without a value lacks (its denominator is empty).
NO_RATE = {"precision": "nothing flagged", "recall": "no coded positive"}


def _rate(row, name: str) -> str:
    """``precision 0.61 [0.44–0.74]``: one rate of a theme-quality row with its interval, or why it has none."""
    value = getattr(row, name, np.nan)
    label = "F1" if name == "f1" else name
    if pd.isna(value):
        return f"{label} –" + (f" ({NO_RATE[name]})" if name in NO_RATE else "")
    if name == "precision" and (census := census_precision(row)):
        return f"{label} {value:.2f} ({census})"
    if _no_width(row, name):
        return f"{label} {value:.2f} (exact: every document it rests on was read)"
    low, high = getattr(row, f"{name}_low", np.nan), getattr(row, f"{name}_high", np.nan)
    return f"{label} {value:.2f}" + (f" [{low:.2f}–{high:.2f}]" if pd.notna(low) and pd.notna(high) else "")


def _reference(value) -> str:
    """How a quality row's reference labels are named: ``reference coder1``, the adjudicated ``gold``."""
    if value is None or pd.isna(value) or not str(value).strip():
        return ""
    return "reference: adjudicated labels (gold)" if str(value) == "gold" else f"reference {value}"


def _agreement(row) -> str:
    """``κ 0.62 (coder1, coder2; 20 coded by both)`` where the row carries the coders' agreement, else ""."""
    if not hasattr(row, "cohen_kappa"):
        return ""
    coders, n_both = getattr(row, "coders", None), _count(row, "n_both")
    who = "; ".join(x for x in (str(coders) if isinstance(coders, str) and coders else "",
                                f"{n_both} coded by both" if n_both is not None else "") if x)
    kappa = row.cohen_kappa
    if pd.isna(kappa):  # fewer than two shared documents, or a coder gave one label only: chance agreement undefined
        pct = getattr(row, "percent_agreement", np.nan)
        who = "; ".join(x for x in (who, f"{pct:.0%} agreement" if pd.notna(pct) else "") if x)
        return f", κ undefined ({who})" if who else ""
    return f", κ {kappa:.2f}" + (f" ({who})" if who else "")


def quality_sentence(quality: pd.DataFrame, labels: Mapping[str, str], themes: Sequence[str] = ()) -> str:
    """One sentence on the measured quality of the themes, for the captions of theme figures.

    Precision, recall and F1 with their intervals where the table has them
    ("weighted" when the rates are weighted back to the corpus with the
    sampling weights), the counts of coded documents behind them (``tp``,
    ``fp``, ``fn``), the reference coder and the coders' agreement (``cohen_kappa``)
    where the table carries them, and every theme of ``themes`` (the figure's)
    without a measure named as not measured. A precision whose interval is a
    point because every flagged document was read says so
    (:func:`census_precision`); a rate without a value (no coded positive,
    nothing flagged) is a dash with the reason.
    """
    from toolkit.themes.validate import rounds_label

    parts, measured = [], set()
    per_row = "source" in quality.columns and quality["source"].nunique() > 1 and "rounds" in quality.columns
    references = ({_reference(r) for r in quality["reference"]} - {""}) if "reference" in quality.columns else set()
    for row in quality.itertuples(index=False):
        item = getattr(row, "item", "full text")
        name = labels.get(row.theme, row.theme) + ("" if item == "full text" else f" ({item})")
        if pd.isna(row.f1):
            n_coded = getattr(row, "n_coded", 0)
            if item == "full text" and pd.notna(n_coded) and int(n_coded) > 0:
                measured.add(str(row.theme))
                if sum(int(getattr(row, c, 0) or 0) for c in ("tp", "fp", "fn")) == 0:
                    parts.append(f"{name}: no document coded positive or flagged, n = {int(n_coded)}")
                else:  # a stratum of the sample left uncoded (validate score warns, naming it)
                    parts.append(f"{name}: not estimated (a stratum of the sample left uncoded), n = {int(n_coded)}")
            continue
        measured.add(str(row.theme))
        where = f" (round{'s' if ',' in str(row.rounds) else ''} {rounds_label(str(row.rounds))})" if per_row else ""
        if len(references) > 1 and _reference(getattr(row, "reference", None)):
            where += f" ({_reference(row.reference)})"
        note = getattr(row, "note", "")
        note = f" ({note})" if isinstance(note, str) and note.strip() and item == "full text" else ""
        w = getattr(row, "weighted", False)
        weighted = ", weighted to the corpus" if isinstance(w, (bool, np.bool_)) and w else ""
        counts = [(c, _count(row, c)) for c in ("tp", "fp", "fn")]
        counts = f" ({', '.join(f'{c} {v}' for c, v in counts)})" if all(v is not None for _, v in counts) else ""
        parts.append(f"{name}{where}: {_rate(row, 'precision')}, {_rate(row, 'recall')}, {_rate(row, 'f1')}, "
                     f"n = {row.n_coded}{counts}{weighted}{_agreement(row)}{note}")
    unmeasured = [labels.get(t, t) for t in themes if str(t) not in measured]
    if not parts:
        return (f"Not measured against human coding: {', '.join(unmeasured)}." if unmeasured else "")
    source = source_of(quality) + (f", {next(iter(references))}" if len(references) == 1 else "")
    text = f"Measured quality of the measure against human coding ({source}; 95% intervals): " + "; ".join(parts) + "."
    if unmeasured:
        text += f" Not measured: {', '.join(unmeasured)} (no coded documents of {'it' if len(unmeasured) == 1 else 'them'})."
    return text


INTERVAL_TEXT = {
    "jeffreys": "intervals are 95% Jeffreys intervals of each cell's share (the Beta(½, ½) posterior): a cell where "
                "no document mentions the theme still has an upper bound, and a cell of a few documents a wide one.",
    "wilson": "intervals are 95% Wilson score intervals of each cell's share: a cell where no document mentions the "
              "theme still has an upper bound, and a cell of a few documents a wide one.",
    "bootstrap": "intervals are percentile bootstrap over documents within each cell ({n_boot} replicates, seeded by "
                 "the run's random_state); a cell where no document mentions the theme gets a zero-width interval.",
}


def _themes_in(tables: Mapping[str, pd.DataFrame]) -> set[str]:
    return {str(x) for name, t in tables.items() if name.startswith("theme_shares") and "theme" in t
            for x in t["theme"].dropna().unique()}


def _localities_in(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Every locality of the run's counts (sorted), so figure labels are short only where that stays unique."""
    counts = tables.get("documents_per_locality")
    if counts is None or counts.empty:
        counts = tables.get("documents_per_locality_year")
    if counts is None or counts.empty:
        return []
    if "locality" not in counts:
        counts = with_locality(counts)
    return sorted(x for x in counts["locality"].dropna().astype(str).unique() if x)


def _locality_sizes(tables: Mapping[str, pd.DataFrame]) -> dict[str, int]:
    """Documents per locality (full name), to keep the largest where a figure cannot show them all."""
    counts = tables.get("documents_per_locality")
    if counts is None or counts.empty:
        counts = tables.get("documents_per_locality_year")
    if counts is None or counts.empty:
        return {}
    if "locality" not in counts:
        counts = with_locality(counts)
    return {str(k): int(v) for k, v in counts.groupby("locality")["n_docs"].sum().items() if k}


def figure_context(config: RunConfig, tables: Mapping[str, pd.DataFrame], n_topics: int) -> dict:
    """What the figure functions need beside their table: labels, the figure themes, caption text."""
    lang = config.figures.language
    labels = theme_labels(config.resolve(config.themes.file), lang)
    themes = figure_themes(config, _themes_in(tables) or set(labels))
    names = [labels.get(t, t) for t in themes]
    listed = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + (names[-1] if names else "")
    lost = lost_seeded_topics(tables)
    return {
        "labels": labels, "themes": themes, "n_terms": config.topics.n_terms, "n_topics": n_topics,
        "keyness_group": config.keyness.group, "keyness_min_docs": config.keyness.min_docs,
        "min_docs": config.themes.min_docs,
        "topic_labels": topic_figure_labels(tables.get("topic_terms_frex"), labels, lost=seed_marks(tables),
                                            lang=lang),
        "localities": _localities_in(tables),
        "locality_sizes": _locality_sizes(tables),
        "effect_levels": _effect_levels(tables), "lost_seeds": lost,
        "seed_retention": tables.get("seed_retention"),
        "definitions": {t: d for t, d in theme_definitions(config.resolve(config.themes.file)).items() if t in themes},
        "text": {"themes": listed or "each theme", "min_docs": config.themes.min_docs,
                 "formula": f"`{config.effects.formula.strip()}`" if config.effects.formula.strip() else "the formula",
                 "seeds_lost": _seeds_lost_text(lost, labels, retention=tables.get("seed_retention")),
                 "theme_file": config.themes.file,
                 "interval_text": INTERVAL_TEXT.get(config.themes.interval, "95% intervals.").format(
                     n_boot=config.themes.n_boot),
                 "effects_left_out": _splines_left_out(config.effects.formula),
                 "effects_intervals": effects_intervals_text(config, tables),
                 "trends_panels": _trends_panels(tables),
                 **_unplaced_text(tables),
                 **_keyness_text(config.keyness.group, tables.get("keyness"), config.keyness.min_docs)},
    }


def _splines_left_out(formula: str) -> str:
    """The effects caption's note on the spline terms it leaves out ("" when the formula has none)."""
    variables = spline_variables(formula)
    if not variables:
        return ""
    trend = "; the prevalence figure shows the trend by year" if "year" in variables else ""
    return f" (spline terms of {' and '.join(variables)} left out: not readable one by one{trend})"


def draw_figure(spec: FigureSpec, tables: Mapping[str, pd.DataFrame], lang: str, ctx: dict) -> plt.Figure | None:
    """The figure of ``spec`` drawn from the run's tables.

    ``None`` when its table is missing or empty, or leaves nothing to draw
    (:data:`NOTHING_TO_DRAW` says why).
    """
    table = tables.get(spec.table)
    if table is None or table.empty:
        return None
    extra = {name: tables[name] for name in spec.extra_tables if tables.get(name) is not None}
    return spec.draw(table, lang, {**ctx, "tables": extra} if spec.extra_tables else ctx)


def uncertainty_sentence(tables: Mapping[str, pd.DataFrame]) -> str:
    """What the effects intervals include (global or document uncertainty, split sample), for captions."""
    kind = effects_uncertainty_kind(tables.get("effects"))
    parts = []
    if kind == "global" and "topic_matching" not in tables:
        parts.append("Intervals: global uncertainty, the reported model and its refits pooled (coefficient draws "
                     "stacked) after matching their topics to the reported model's.")
    elif kind:
        if kind == "global":
            matching = tables["topic_matching"]
            seeds = ", ".join(str(s) for s in sorted(matching.loc[matching["model"] > 0, "random_state"].unique()))
            free = matching[matching["matched_by"] == "hungarian"]
            lowest = f"; lowest cosine of a matched free topic {free['similarity'].min():.2f}" if len(free) else ""
            from toolkit.topics.uncertainty import WEAK_MATCH

            seeded = matching[(matching["matched_by"] == "seed") & (matching["similarity"] < WEAK_MATCH)]
            if len(seeded):
                worst = seeded.loc[seeded.groupby("label")["similarity"].idxmin()]
                lowest += "; seeded topics whose refits disagree: " + ", ".join(
                    f"{r.label} (cosine {r.similarity:.2f} at seed {r.random_state})" for r in worst.itertuples())
            parts.append(f"Intervals: global uncertainty, the reported model and its refits at seeds {seeds} pooled "
                         f"(coefficient draws stacked) after matching their topics to the reported model's "
                         f"(tables/topic_matching{lowest}).")
        else:
            parts.append("Intervals: document uncertainty, one fitted model (the choice of seed is left out).")
    split = tables.get("split")
    if split is not None and len(split):
        counts = split["half"].value_counts()
        parts.append(f"Split sample: K, the model and its labels from half A ({int(counts.get('A', 0))} documents), "
                     f"effects and prevalence estimated on half B ({int(counts.get('B', 0))}; tables/split).")
    return " ".join(parts)


def _prevalence_sentence(tables: Mapping[str, pd.DataFrame]) -> str:
    split = uncertainty_sentence({"split": tables["split"]}) if "split" in tables else ""
    return ("Intervals: document uncertainty, the reported model only (refits are pooled in the effects only). "
            + _prevalence_coverage(tables) + split).strip()


def _prevalence_coverage(tables: Mapping[str, pd.DataFrame]) -> str:
    """How many of the model's documents the locality × year cells hold ("" when all of them)."""
    prevalence, doc_topics = tables.get("topic_prevalence_district_year"), tables.get("doc_topics")
    if (prevalence is None or prevalence.empty or doc_topics is None or "n_docs" not in prevalence
            or "split" in tables):  # with a split the cells hold half B, the model half A
        return ""
    first = prevalence[prevalence["topic"] == prevalence["topic"].min()]
    covered, total = int(first["n_docs"].sum()), int(doc_topics["doc_id"].nunique()) if "doc_id" in doc_topics \
        else len(doc_topics)
    if covered >= total:
        return ""
    return (f"The cells hold {covered} of the model's {total} documents ({100 * covered / total:.0f}%): a document "
            "without a known locality or a year is in none (nor is a document of no known place in the theme "
            "figures by locality). ")


def tables_as_written(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The run's tables as they are saved: a seeded topic its seeds do not hold is marked in every ``label``,
    ``label_a`` and ``label_b`` column as the figures mark it ("covid (seed terms lost)"), so that a reader of a
    table does not cite it as the theme; ``seed_retention`` keeps the theme's name beside ``held``.

    The tables in memory keep the theme's name: the figures and :func:`seed_marks` look topics up by it.
    """
    shown = marked_labels(seed_marks(tables))
    if not shown:
        return dict(tables)
    out = {}
    for name, table in tables.items():
        columns = [c for c in ("label", "label_a", "label_b") if c in table] if name != "seed_retention" else []
        out[name] = table.assign(**{c: table[c].map(lambda x: shown.get(x, x)) for c in columns}) if columns else table
    return out


def write_outputs(config: RunConfig, tables: Mapping[str, pd.DataFrame], out: Path, provenance: Mapping,
                  summary, *, figures: Sequence[str] = (), notes: str = "",
                  documents: pd.DataFrame | None = None, theme_hits: pd.DataFrame | None = None) -> None:
    """Save tables and figures of a run under ``out`` and write ``out/index.html``.

    ``figures``: the names of the figures to draw (empty: every figure with
    its table); ``notes``: a paragraph for the report page (what the run
    chose and why). With ``documents`` (the run's document table) also writes
    the offline explorer ``out/explorer.html``
    (:func:`toolkit.report.explorer.explorer_html` of the run's tables,
    ``theme_hits`` choosing the documents of each theme cell) and links it
    from the report page.
    """
    lang = config.figures.language
    figures_dir, tables_dir = out / "figures", out / "tables"
    figures_dir.mkdir(parents=True, exist_ok=True)
    tables_dir.mkdir(parents=True, exist_ok=True)
    items: list[ReportItem] = []
    table_items: list[ReportItem] = []
    written = tables_as_written(tables)
    for name in tqdm(sorted(tables), desc="tables", unit="table", disable=None, leave=False):
        table = written[name]
        caption = TABLE_CAPTIONS.get(name, name)
        if name == "effects":
            caption = f"{caption} {uncertainty_sentence(tables)}".strip()
        elif name == "topic_prevalence_district_year":
            caption = f"{caption} {_prevalence_sentence(tables)}"
        summary.tables.extend(save_table(table, tables_dir / name, provenance=provenance, caption=caption))
        table_items.append(ReportItem("table", name.replace("_", " "), f"tables/{name}.csv", caption,
                                      "See the figure captions and the README.", (f"tables/{name}.parquet",)))
    ctx = figure_context(config, tables, summary.n_topics)
    left_out: list[str] = []
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
        caption = spec.caption.format(**ctx["text"])
        if spec.table == "effects":
            caption = f"{caption} {uncertainty_sentence(tables)}".strip()
        elif spec.table == "topic_prevalence_district_year":
            caption = f"{caption} {_prevalence_sentence(tables)}"
        extra = [frame_hash(tables[n]) if tables.get(n) is not None else None for n in spec.extra_tables]
        inputs = hashlib.sha256(json.dumps([frame_hash(table), extra, config.figures.__dict__, dict(provenance), ctx,
                                            spec.name, caption], sort_keys=True, default=str).encode()).hexdigest()[:16]
        paths = [stem.with_suffix(f".{fmt}") for fmt in config.figures.formats]
        sidecar = stem.with_suffix(".json")
        if sidecar.exists() and all(p.exists() for p in paths) and \
                json.loads(sidecar.read_text()).get("inputs_hash") == inputs:
            logger.info("figure %s unchanged", spec.name)
        else:
            fig = draw_figure(spec, tables, lang, ctx)
            if fig is None:
                reason = NOTHING_TO_DRAW.get(spec.name, "nothing in its table to draw")
                logger.warning("figure %s not drawn: %s", spec.name, reason)
                left_out.append(f"figure {spec.name} not drawn: {reason}")
                continue
            paths = save_figure(fig, stem, provenance={**provenance, "inputs_hash": inputs, "table": spec.table},
                                caption=caption, formats=config.figures.formats, dpi=config.figures.dpi)
            plt.close(fig)
        summary.figures.extend(paths)
        rel = [f"figures/{p.name}" for p in paths]
        png = next((r for r in rel if r.endswith(".png")), rel[0])
        method = spec.method.format(**ctx["text"])
        if spec.table.startswith("theme_shares") and "theme_quality" in tables:
            method = f"{method} {quality_sentence(tables['theme_quality'], ctx['labels'], ctx['themes'])}"
        items.append(ReportItem("figure", plots.label(spec.title_key, lang), png, caption, method,
                                tuple(r for r in rel if r != png)))
    explorer = None
    if documents is not None:
        explorer = out / "explorer.html"
        if "source" in documents.columns:  # where a page lies within the corpus, not on this machine
            documents = documents.assign(source=relative_sources(documents["source"]))
        write_text_atomic(explorer, explorer_html(
            documents, theme_shares=tables.get("theme_shares_locality_year"), theme_hits=theme_hits,
            theme_kwic=tables.get("theme_kwic"), theme_labels=ctx["labels"], doc_topics=tables.get("doc_topics"),
            topic_prevalence=tables.get("topic_prevalence_district_year"), topic_terms=tables.get("topic_terms"),
            topic_terms_frex=tables.get("topic_terms_frex"), topic_map=tables.get("topic_map"),
            topic_relevance=tables.get("topic_relevance"), topic_labels=ctx["topic_labels"],
            min_docs=config.themes.min_docs, title=f"Explorer: {config.name}"))
    report = render_report(
        items + table_items, title=f"Dân vận discourse: {config.name}",
        explorer=explorer.name if explorer is not None else None, methods="methods.md",
        provenance={k: v for k, v in provenance.items()},
        intro=("Every figure and table of this run, made by `python -m toolkit figures` from the configuration "
               "below. " + ("The corpus is the SIMULATED demo corpus; its planted truth is known."
                            if config.corpus.simulate else "") + (" " + notes if notes else "")
               + _seeds_lost_text(ctx["lost_seeds"], ctx["labels"], lead="Seeded topics not held by their seeds:",
                                 retention=ctx["seed_retention"])
               + (" " + "; ".join(left_out) + "." if left_out else "")))
    summary.report = out / "index.html"
    write_text_atomic(summary.report, report)
    write_text_atomic(out / "methods.md", methods_markdown(provenance, tables, config,
                                                           definitions=ctx["definitions"], labels=ctx["labels"]))
