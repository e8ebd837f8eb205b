"""Pure plotting functions: a tidy DataFrame in, a matplotlib ``Axes`` out.

Nothing here reads or writes files (see :mod:`toolkit.figures`). Single-panel
plots take an optional ``ax``; small multiples take an optional ``fig`` and
return the array of axes. Labels come from :data:`LABELS` in English or
Vietnamese (``lang="en"``/``"vi"``); DejaVu Sans, which matplotlib ships,
renders every Vietnamese diacritic.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

# No matplotlib.use() here: importing a library must change nothing global (a backend
# switch hides every inline figure of a notebook). The command line chooses Agg for itself.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "year": "Year",
        "documents": "Documents",
        "share": "Share of documents",
        "locality": "Locality",
        "period": "Period",
        "theme": "Theme",
        "weight": "Probability in topic",
        "estimate": "Effect on topic proportion",
        "z": "Log-odds z-score",
        "prevalence": "Topic prevalence",
        "planted": "planted",
        "recovered": "recovered",
        "n_topics": "Number of topics (K)",
        "doc_counts": "Documents per locality and year",
        "theme_heatmap": "Share of documents mentioning each theme",
        "theme_trends": "Theme trends by year",
        "topic_terms": "Top terms per topic",
        "topic_prevalence": "Topic prevalence by year",
        "effects": "Locality and year effects",
        "keyness": "Distinctive terms",
        "selection": "Choosing the number of topics",
        "planted_vs_recovered": "Recovered vs planted theme trends",
    },
    "vi": {
        "year": "Năm",
        "documents": "Số bài viết",
        "share": "Tỷ lệ bài viết",
        "locality": "Địa phương",
        "period": "Giai đoạn",
        "theme": "Chủ đề",
        "weight": "Xác suất trong chủ đề",
        "estimate": "Tác động lên tỷ trọng chủ đề",
        "z": "Điểm z log-odds",
        "prevalence": "Tỷ trọng chủ đề",
        "planted": "cài đặt",
        "recovered": "ước lượng",
        "n_topics": "Số chủ đề (K)",
        "doc_counts": "Số bài viết theo địa phương và năm",
        "theme_heatmap": "Tỷ lệ bài viết nhắc đến từng chủ đề",
        "theme_trends": "Xu hướng chủ đề theo năm",
        "topic_terms": "Từ tiêu biểu của mỗi chủ đề",
        "topic_prevalence": "Tỷ trọng chủ đề theo năm",
        "effects": "Tác động của địa phương và năm",
        "keyness": "Từ đặc trưng",
        "selection": "Chọn số chủ đề",
        "planted_vs_recovered": "Xu hướng ước lượng so với cài đặt",
    },
}


def label(key: str, lang: str = "en") -> str:
    """The axis or title label ``key`` in ``lang`` (falls back to English, then the key)."""
    return LABELS.get(lang, LABELS["en"]).get(key, LABELS["en"].get(key, key))


def _wrap(title: object, width: int = 28) -> str:
    """Panel titles on at most a few short lines, so neighbours never overlap."""
    return textwrap.fill(str(title), width)


def _short(text: str, width: int = 30) -> str:
    """A term label cut to ``width`` characters (the tables keep the full term)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _axes(ax: Axes | None, figsize=(7, 4.5)) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize)
    return ax


def _grid(n_panels: int, fig: Figure | None, *, ncols: int = 3, panel=(3.2, 2.4), sharey=True):
    ncols = max(1, min(ncols, n_panels))
    nrows = max(1, math.ceil(n_panels / ncols))
    size = (panel[0] * ncols, panel[1] * nrows + 0.8)
    if fig is None:
        fig = plt.figure(figsize=size)
    else:  # the grid decides the layout, so it also decides the size
        fig.set_size_inches(*size)
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=sharey, squeeze=False).ravel()
    for extra in axes[n_panels:]:
        extra.set_visible(False)
    return fig, axes[:n_panels]


def doc_counts_heatmap(counts: pd.DataFrame, *, row: str = "district", col: str = "year",
                       value: str = "n_docs", ax: Axes | None = None, lang: str = "en") -> Axes:
    """Documents per locality × year, with every count written in its cell.

    ``counts`` is long: ``row, col, value`` (e.g. ``district, year, n_docs``);
    cells missing from it are shown as 0 so sparse cells are visible.
    """
    table = counts.pivot_table(index=row, columns=col, values=value, aggfunc="sum", fill_value=0)
    table = table.sort_index().sort_index(axis=1)
    ax = _axes(ax, figsize=(1.0 + 0.55 * table.shape[1], 1.0 + 0.4 * table.shape[0]))
    image = ax.imshow(table.to_numpy(), aspect="auto", cmap="Blues")
    vmax = table.to_numpy().max() if table.size else 0
    for (i, j), n in np.ndenumerate(table.to_numpy()):
        ax.text(j, i, str(int(n)), ha="center", va="center", fontsize=7,
                color="white" if vmax and n > 0.6 * vmax else "black")
    ax.set_xticks(range(table.shape[1]), [str(c) for c in table.columns], rotation=90)
    ax.set_yticks(range(table.shape[0]), list(table.index))
    ax.set_xlabel(label(col, lang))
    ax.set_title(label("doc_counts", lang))
    ax.figure.colorbar(image, ax=ax, label=label("documents", lang), shrink=0.8)
    return ax


def theme_share_heatmap(shares: pd.DataFrame, *, row: str = "district", col: str = "theme",
                        value: str = "share", ax: Axes | None = None, lang: str = "en",
                        title: str | None = None) -> Axes:
    """Share of documents per cell (e.g. locality × theme for one period), annotated."""
    table = shares.pivot_table(index=row, columns=col, values=value, aggfunc="mean").sort_index().sort_index(axis=1)
    ax = _axes(ax, figsize=(1.5 + 0.6 * table.shape[1], 1.0 + 0.4 * table.shape[0]))
    data = table.to_numpy(dtype=float)
    image = ax.imshow(np.ma.masked_invalid(data), aspect="auto", cmap="viridis", vmin=0,
                      vmax=max(np.nanmax(data), 1e-9) if np.isfinite(data).any() else 1)
    for (i, j), v in np.ndenumerate(data):
        ax.text(j, i, "–" if not np.isfinite(v) else f"{v:.2f}", ha="center", va="center", fontsize=6,
                color="white" if np.isfinite(v) and v < 0.6 * np.nanmax(data) else "black")
    ax.set_xticks(range(table.shape[1]), list(table.columns), rotation=60, ha="right")
    ax.set_yticks(range(table.shape[0]), list(table.index))
    ax.set_title(title or label("theme_heatmap", lang))
    ax.figure.colorbar(image, ax=ax, label=label("share", lang), shrink=0.8)
    return ax


def trend_small_multiples(trends: pd.DataFrame, *, panel: str = "district", series: str = "theme",
                          x: str = "year", y: str = "share", ci: tuple[str, str] | None = ("ci_low", "ci_high"),
                          series_order: Sequence[str] | None = None, fig: Figure | None = None,
                          lang: str = "en", ylabel: str | None = None, title: str | None = None,
                          ncols: int = 3) -> np.ndarray:
    """One panel per ``panel`` value, one line per ``series`` over ``x``, with interval bands."""
    panels = sorted(trends[panel].dropna().unique())
    names = list(series_order) if series_order is not None else sorted(trends[series].dropna().unique())
    colors = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
    fig, axes = _grid(len(panels), fig, ncols=ncols)
    for ax, value in zip(axes, panels):
        sub = trends[trends[panel] == value]
        for k, name in enumerate(names):
            line = sub[sub[series] == name].sort_values(x)
            if line.empty:
                continue
            ax.plot(line[x], line[y], marker="o", ms=2.5, lw=1.2, color=colors(k % colors.N), label=str(name))
            if ci is not None and ci[0] in line and line[ci[0]].notna().any():
                ax.fill_between(line[x], line[ci[0]], line[ci[1]], color=colors(k % colors.N), alpha=0.15, lw=0)
        ax.set_title(_wrap(value), fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes:
        ax.set_xlabel(label(x, lang), fontsize=8)
    axes[0].set_ylabel(ylabel or label(y, lang), fontsize=8)
    handles, labels_ = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels_, loc="lower center", ncol=min(len(names), 6), fontsize=7, frameon=False)
    fig.suptitle(title or label("theme_trends", lang), fontsize=11)
    fig.tight_layout(rect=(0, 0.06 + 0.02 * math.ceil(len(names) / 6), 1, 0.97))
    return axes


def top_terms_bars(terms: pd.DataFrame, *, topic: str = "topic", term: str = "term", weight: str = "weight",
                   n_terms: int = 10, fig: Figure | None = None, lang: str = "en", ncols: int = 4,
                   title: str | None = None) -> np.ndarray:
    """Horizontal bars of each topic's top terms (``topic, term, weight``)."""
    topics = sorted(terms[topic].unique(), key=lambda t: (str(type(t)), t))
    fig, axes = _grid(len(topics), fig, ncols=ncols, panel=(4.2, 2.8), sharey=False)
    for ax, name in zip(axes, topics):
        sub = terms[terms[topic] == name].nlargest(n_terms, weight).iloc[::-1]
        ax.barh(range(len(sub)), sub[weight], color="#4c72b0")
        ax.set_yticks(range(len(sub)), [_short(t.replace("_", " ")) for t in sub[term]], fontsize=7)
        ax.set_title(_wrap(name), fontsize=9)
        ax.tick_params(axis="x", labelsize=6)
    fig.suptitle(title or label("topic_terms", lang), fontsize=11)
    fig.tight_layout()
    return axes


def forest_plot(effects: pd.DataFrame, *, term: str = "term", estimate: str = "estimate",
                ci: tuple[str, str] = ("ci_low", "ci_high"), group: str | None = None,
                ax: Axes | None = None, lang: str = "en", title: str | None = None) -> Axes:
    """Point estimates with intervals, one row per ``term`` (optionally grouped), zero line."""
    data = effects.sort_values([c for c in (group, term) if c]).reset_index(drop=True)
    ax = _axes(ax, figsize=(7, 1.0 + 0.25 * len(data)))
    y = np.arange(len(data))[::-1]
    colors = plt.get_cmap("tab10")
    groups = list(dict.fromkeys(data[group])) if group else [None]
    for k, name in enumerate(groups):
        mask = (data[group] == name).to_numpy() if group else np.ones(len(data), bool)
        ax.errorbar(data.loc[mask, estimate], y[mask],
                    xerr=[data.loc[mask, estimate] - data.loc[mask, ci[0]], data.loc[mask, ci[1]] - data.loc[mask, estimate]],
                    fmt="o", ms=3, lw=1, capsize=2, color=colors(k % 10), label=None if name is None else str(name))
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    ax.set_yticks(y, [str(t) for t in data[term]], fontsize=7)
    ax.set_xlabel(label("estimate", lang))
    if group:
        ax.legend(fontsize=7, frameon=False, loc="best")
    ax.set_title(title or label("effects", lang))
    return ax


def keyness_bars(keyness: pd.DataFrame, *, group: str = "group", term: str = "term", score: str = "z",
                 n_terms: int = 10, fig: Figure | None = None, lang: str = "en", ncols: int = 3,
                 title: str | None = None) -> np.ndarray:
    """The most distinctive terms of each group, as bars of their score."""
    groups = sorted(keyness[group].unique())
    fig, axes = _grid(len(groups), fig, ncols=ncols, panel=(4.2, 2.8), sharey=False)
    for ax, name in zip(axes, groups):
        sub = keyness[keyness[group] == name].nlargest(n_terms, score).iloc[::-1]
        ax.barh(range(len(sub)), sub[score], color="#dd8452")
        ax.set_yticks(range(len(sub)), [_short(t.replace("_", " ")) for t in sub[term]], fontsize=7)
        ax.set_title(_wrap(name), fontsize=9)
        ax.tick_params(axis="x", labelsize=6)
    for ax in axes:
        ax.set_xlabel(label("z", lang), fontsize=7)
    fig.suptitle(title or label("keyness", lang), fontsize=11)
    fig.tight_layout()
    return axes


def selection_panels(selection: pd.DataFrame, *, x: str = "n_topics", metrics: Sequence[str] | None = None,
                     fig: Figure | None = None, lang: str = "en", chosen: int | None = None,
                     title: str | None = None) -> np.ndarray:
    """Model-selection metrics against K: mean over seeds with min–max range.

    ``selection`` has one row per K × seed and a column per metric.
    """
    metrics = list(metrics) if metrics is not None else [
        c for c in selection.columns if c not in (x, "random_state") and pd.api.types.is_numeric_dtype(selection[c])]
    fig, axes = _grid(len(metrics), fig, ncols=min(3, len(metrics)), panel=(3.2, 2.5), sharey=False)
    grouped = selection.groupby(x)
    for ax, metric in zip(axes, metrics):
        stats = grouped[metric].agg(["mean", "min", "max"]).sort_index()
        ax.plot(stats.index, stats["mean"], marker="o", ms=3, color="#4c72b0")
        ax.fill_between(stats.index, stats["min"], stats["max"], alpha=0.2, color="#4c72b0", lw=0)
        if chosen is not None:
            ax.axvline(chosen, color="#c44e52", lw=0.8, ls="--")
        ax.set_title(metric.replace("_", " "), fontsize=9)
        ax.set_xlabel(label(x, lang), fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle(title or label("selection", lang), fontsize=11)
    fig.tight_layout()
    return axes


def planted_vs_recovered(trends: pd.DataFrame, *, panel: str = "theme", x: str = "year",
                         recovered: str = "share", planted: str = "planted_share",
                         ci: tuple[str, str] | None = ("ci_low", "ci_high"), fig: Figure | None = None,
                         lang: str = "en", ncols: int = 4, title: str | None = None) -> np.ndarray:
    """Recovered trend with its interval against the planted truth, one panel per theme."""
    panels = sorted(trends[panel].unique())
    fig, axes = _grid(len(panels), fig, ncols=ncols, sharey=False)
    for ax, name in zip(axes, panels):
        sub = trends[trends[panel] == name].sort_values(x)
        ax.plot(sub[x], sub[planted], color="black", lw=1.2, ls="--", label=label("planted", lang))
        ax.plot(sub[x], sub[recovered], color="#c44e52", marker="o", ms=2.5, lw=1.2, label=label("recovered", lang))
        if ci is not None and ci[0] in sub:
            ax.fill_between(sub[x], sub[ci[0]], sub[ci[1]], color="#c44e52", alpha=0.15, lw=0)
        ax.set_title(_wrap(name), fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7, frameon=False)
    fig.suptitle(title or label("planted_vs_recovered", lang), fontsize=11)
    fig.tight_layout()
    return axes
