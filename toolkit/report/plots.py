"""Pure plotting functions: a tidy DataFrame in, a matplotlib ``Axes`` out.

Nothing here reads or writes files (see :mod:`toolkit.report.files`). Single-panel
plots take an optional ``ax``; small multiples take an optional ``fig`` and
return the array of axes. Labels come from :data:`LABELS` in English or
Vietnamese (``lang="en"``/``"vi"``); DejaVu Sans, which matplotlib ships,
renders every Vietnamese diacritic.

Made for print: small multiples are :data:`PAGE_WIDTH` inches wide with no
text smaller than :data:`MIN_FONT` points, laid out by matplotlib's
constrained layout so that no label is cut off (long locality names are
wrapped); panels that are compared share one axis range or one colour scale.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

# No matplotlib.use() here: importing a library must change nothing global (a backend
# switch hides every inline figure of a notebook). The command line chooses Agg for itself.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from toolkit.text.collate import vi_sort_key

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
        "doc_counts_locality": "Documents per locality, dated and undated",
        "dated": "dated",
        "undated": "undated",
        "dating": "Date",
        "theme_heatmap_locality": "Share of each locality's documents mentioning each theme",
        "theme_heatmap": "Share of documents mentioning each theme",
        "theme_heatmap_period": "Share of each locality's documents mentioning each theme, by period",
        "theme_trends": "Theme trends by year",
        "topic_terms": "Top terms per topic",
        "topic_prevalence": "Topic prevalence by year",
        "effects": "Effects of the covariates on topic proportions",
        "keyness": "Distinctive terms",
        "selection": "Choosing the number of topics",
        "planted_vs_recovered": "Recovered vs planted theme trends",
        "small_cell": "fewer than {n} documents",
        "small_cell_flagged": "small cell (too few documents)",
        "small_group": "n = {n}, small",
        "all_documents": "All documents",
        "hatched": "hatched",
        "unknown_locality": "(unknown)",
        "no_documents": "no documents",
        "seeds_lost": "seed terms lost",
        "seeds_elsewhere": "seed terms mostly elsewhere",
        "chosen_n_topics": "chosen K = {k}",
        "mean_over_seeds": "mean over seeds (band: min–max)",
        # the measures of toolkit.topics.select (toolkit.topics.metrics); all of them: higher is better
        "selection_npmi": "Coherence, NPMI (higher is better)",
        "selection_umass": "Coherence, UMass (higher is better)",
        "selection_heldout": "Held-out log-likelihood per token (higher is better)",
        "selection_exclusivity": "Exclusivity, FREX of top 10 terms (higher is better)",
        "selection_diversity": "Diversity, unique top-25 terms (higher: less overlap)",
        "selection_stability": "Stability across seeds (higher is better)",
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
        "doc_counts_locality": "Số bài viết theo địa phương, có và không có ngày",
        "dated": "có ngày",
        "undated": "không có ngày",
        "dating": "Ngày đăng",
        "theme_heatmap_locality": "Tỷ lệ bài viết của mỗi địa phương nhắc đến từng chủ đề",
        "theme_heatmap": "Tỷ lệ bài viết nhắc đến từng chủ đề",
        "theme_heatmap_period": "Tỷ lệ bài viết của mỗi địa phương nhắc đến từng chủ đề, theo giai đoạn",
        "theme_trends": "Xu hướng chủ đề theo năm",
        "topic_terms": "Từ tiêu biểu của mỗi chủ đề",
        "topic_prevalence": "Tỷ trọng chủ đề theo năm",
        "effects": "Tác động của các biến lên tỷ trọng chủ đề",
        "keyness": "Từ đặc trưng",
        "selection": "Chọn số chủ đề",
        "planted_vs_recovered": "Xu hướng ước lượng so với cài đặt",
        "small_cell": "ít hơn {n} bài viết",
        "small_cell_flagged": "ô nhỏ (quá ít bài viết)",
        "small_group": "n = {n}, nhóm nhỏ",
        "all_documents": "Tất cả bài viết",
        "hatched": "ô gạch chéo",
        "unknown_locality": "(không rõ)",
        "no_documents": "không có bài viết",
        "seeds_lost": "lệch khỏi từ khóa gốc",
        "seeds_elsewhere": "từ khóa gốc phần lớn ở chủ đề khác",
        "chosen_n_topics": "K được chọn = {k}",
        "mean_over_seeds": "trung bình qua các seed (dải: nhỏ nhất–lớn nhất)",
        "selection_npmi": "Độ mạch lạc NPMI (càng cao càng tốt)",
        "selection_umass": "Độ mạch lạc UMass (càng cao càng tốt)",
        "selection_heldout": "Log-likelihood mỗi từ trên dữ liệu giữ lại (càng cao càng tốt)",
        "selection_exclusivity": "Độ đặc trưng, FREX của 10 từ đầu (càng cao càng tốt)",
        "selection_diversity": "Độ đa dạng, từ không trùng trong 25 từ đầu (càng cao càng ít trùng)",
        "selection_stability": "Độ ổn định giữa các seed (càng cao càng tốt)",
    },
}

#: Width of a printed page's text block (inches): small multiples are drawn at this width.
PAGE_WIDTH = 6.5
#: Smallest font size (points) of any text of a figure drawn at :data:`PAGE_WIDTH`.
MIN_FONT = 7


def label(key: str, lang: str = "en") -> str:
    """The axis or title label ``key`` in ``lang`` (falls back to English, then the key)."""
    return LABELS.get(lang, LABELS["en"]).get(key, LABELS["en"].get(key, key))


def _wrap(title: object, width: int = 28) -> str:
    """Labels on at most a few short lines, so neighbours never overlap and long names fit."""
    return textwrap.fill(str(title), width, break_long_words=False)


def _short(text: str, width: int = 24) -> str:
    """A term label cut to ``width`` characters (the tables keep the full term)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _axes(ax: Axes | None, figsize=(PAGE_WIDTH, 4.0)) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _grid(n_panels: int, fig: Figure | None, *, ncols: int = 3, panel_height: float = 1.8, sharey=True,
          sharex=True, extra_height: float = 0.8):
    """A grid of panels :data:`PAGE_WIDTH` wide, laid out so that every label fits."""
    ncols = max(1, min(ncols, n_panels))
    nrows = max(1, math.ceil(n_panels / ncols))
    size = (PAGE_WIDTH, panel_height * nrows + extra_height)
    if fig is None:
        fig = plt.figure(figsize=size, layout="constrained")
    else:  # the grid decides the layout, so it also decides the size
        fig.set_size_inches(*size)
        fig.set_layout_engine("constrained")
    axes = fig.subplots(nrows, ncols, sharex=sharex, sharey=sharey, squeeze=False).ravel()
    for extra in axes[n_panels:]:
        extra.set_visible(False)
    return fig, axes[:n_panels]


def _chars(ncols: int, fontsize: float = MIN_FONT, margin: float = 24) -> int:
    """How many characters of a panel title fit across one of ``ncols`` columns of the page."""
    return max(10, int((PAGE_WIDTH * 72 / max(1, ncols) - margin) / (0.62 * fontsize)))


def _row_height(labels: Sequence[str]) -> float:
    """Inches per heatmap row: enough for the tallest wrapped label at :data:`MIN_FONT` points."""
    lines = max((str(t).count("\n") + 1 for t in labels), default=1)
    return max(0.3, 0.14 * lines + 0.06)


def _legend_columns(labels: Sequence[str], most: int = 4) -> int:
    """How many legend columns of these labels fit across the page at :data:`MIN_FONT` points."""
    widest = max((max(len(line) for line in str(t).split("\n")) for t in labels), default=1)
    per_column = widest * 0.6 * MIN_FONT + 30  # points: DejaVu Sans averages ~0.6 em per character, plus the marker
    return max(1, min(most, len(labels), int(PAGE_WIDTH * 72 // per_column)))


def _small_mask(table: pd.DataFrame, small: str | None, n_docs: str, min_docs: int | None) -> pd.Series:
    """Rows whose cell is too small to read (flagged ``small``, or fewer than ``min_docs`` documents)."""
    mask = pd.Series(False, index=table.index)
    if small and small in table:
        mask |= table[small].fillna(False).astype(bool)
    if min_docs is not None and n_docs in table:
        mask |= table[n_docs].fillna(0) < min_docs
    return mask


def _in_order(values, order: Sequence | None) -> list:
    """The distinct ``values`` in ``order``; those it does not name follow, in Vietnamese alphabetical order."""
    present = set(values)
    named = [v for v in dict.fromkeys(order or ()) if v in present]
    return named + sorted(present - set(named), key=vi_sort_key)


def _ordered_rows(table: pd.DataFrame, row_order: Sequence | None) -> pd.DataFrame:
    """``table`` with its columns sorted and its rows in ``row_order`` (see :func:`_in_order`), else sorted."""
    table = table.sort_index(axis=1)
    return table.reindex(_in_order(table.index, row_order))


def _mark_row_groups(ax: Axes, rows: Sequence, groups: Mapping | None, *, names: bool = True) -> None:
    """Rule a line between consecutive heatmap rows of different groups (a district's province) and, with
    ``names``, name each group on the right, beside its rows. Nothing when the rows are one group."""
    if not groups:
        return
    spans: list[list] = []  # [group, first row, last row]
    for i, r in enumerate(rows):
        g = groups.get(r, "")
        if spans and spans[-1][0] == g:
            spans[-1][2] = i
        else:
            spans.append([g, i, i])
    if len(spans) < 2:
        return
    for _, first, _ in spans[1:]:
        ax.axhline(first - 0.5, color="black", lw=1.0)
    if names:
        right = ax.secondary_yaxis("right")
        right.set_yticks([(a + b) / 2 for _, a, b in spans], [_wrap(g, 16) for g, _, _ in spans],
                         fontsize=MIN_FONT, fontstyle="italic")
        right.tick_params(length=0)


def doc_counts_heatmap(counts: pd.DataFrame, *, row: str = "district", col: str = "year",
                       value: str = "n_docs", ax: Axes | None = None, lang: str = "en",
                       title: str | None = None, row_order: Sequence | None = None,
                       row_groups: Mapping | None = None, unscaled_rows: Sequence = ()) -> Axes:
    """Documents per locality × year (or any ``col``), with every count written in its cell.

    ``counts`` is long: ``row, col, value`` (e.g. ``district, year, n_docs``);
    cells missing from it are shown as 0 so sparse cells are visible. Rows
    follow ``row_order`` when given (a province's districts together), else
    in Vietnamese alphabetical order (``vi_sort_key``). ``row_groups`` maps
    a row to its group (a district to its province): a line parts the groups
    and each is named on the right. ``unscaled_rows`` (the documents of no
    known locality) do not set the colour scale: 1,669 of them would leave
    every locality's cells white; their cells above it are drawn at its top
    (the colour bar's arrow) and still show their count.
    """
    table = counts.pivot_table(index=row, columns=col, values=value, aggfunc="sum", fill_value=0)
    table = _ordered_rows(table, row_order)
    rows = [_wrap(_shown(r, lang), 34) for r in table.index]
    ax = _axes(ax, figsize=(PAGE_WIDTH, 1.3 + _row_height(rows) * table.shape[0]))
    scaled = table[~table.index.isin(list(unscaled_rows))]
    top = scaled.to_numpy().max() if scaled.size else (table.to_numpy().max() if table.size else 0)
    above = bool(table.size) and table.to_numpy().max() > top
    image = ax.imshow(table.to_numpy(), aspect="auto", cmap="Blues", vmin=0, vmax=max(top, 1))
    vmax = max(top, 1)
    for (i, j), n in np.ndenumerate(table.to_numpy()):
        ax.text(j, i, str(int(n)), ha="center", va="center", fontsize=MIN_FONT,
                color="white" if vmax and n > 0.6 * vmax else "black")
    ax.set_xticks(range(table.shape[1]), [str(c) for c in table.columns], rotation=90, fontsize=MIN_FONT)
    ax.set_yticks(range(table.shape[0]), rows, fontsize=MIN_FONT)
    ax.set_xlabel(label(col, lang) if col in LABELS[lang] else "", fontsize=8)
    ax.set_title(_wrap(title or label("doc_counts", lang), 36), fontsize=9)
    _mark_row_groups(ax, table.index, row_groups)
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.8, extend="max" if above else "neither")
    bar.set_label(label("documents", lang), fontsize=MIN_FONT)
    bar.ax.tick_params(labelsize=MIN_FONT)
    return ax


def theme_share_heatmap(shares: pd.DataFrame, *, row: str = "district", col: str = "theme",
                        value: str = "share", ax: Axes | None = None, lang: str = "en",
                        title: str | None = None, vmax: float | None = None, colorbar: bool = True,
                        small: str | None = "small_cell", n_docs: str = "n_docs",
                        min_docs: int | None = None, title_width: int = 40, row_order: Sequence | None = None,
                        row_groups: Mapping | None = None, group_names: bool = True):
    """Share of documents per cell (e.g. locality × period for one theme), annotated in per cent.

    Cells marked too small (the ``small`` column, or fewer than ``min_docs``
    documents) are hatched and show their number of documents instead of a
    share; cells without documents show "–". ``vmax`` fixes the top of the
    colour scale (give every panel of a comparison the same one). Rows follow
    ``row_order`` when given, else in Vietnamese alphabetical order (``vi_sort_key``);
    ``row_groups`` parts and (with ``group_names``) names groups of rows as in
    :func:`doc_counts_heatmap`. Returns the ``Axes``; the colour mapping is its first image.
    """
    table = _ordered_rows(shares.pivot_table(index=row, columns=col, values=value, aggfunc="mean"), row_order)
    mask = _small_mask(shares, small, n_docs, min_docs)
    small_cells = shares.assign(_small=mask).pivot_table(index=row, columns=col, values="_small", aggfunc="max")
    small_cells = small_cells.reindex(index=table.index, columns=table.columns).fillna(False).astype(bool)
    counts = (shares.pivot_table(index=row, columns=col, values=n_docs, aggfunc="sum")
              .reindex(index=table.index, columns=table.columns) if n_docs in shares else None)
    rows = [_wrap(_shown(r, lang), 34) for r in table.index]
    ax = _axes(ax, figsize=(PAGE_WIDTH, 1.3 + _row_height(rows) * table.shape[0]))
    data = table.to_numpy(dtype=float)
    top = vmax if vmax is not None else (max(np.nanmax(data), 1e-9) if np.isfinite(data).any() else 1.0)
    shown = np.ma.masked_where(~np.isfinite(data) | small_cells.to_numpy(), data)
    image = ax.imshow(shown, aspect="auto", cmap="viridis", vmin=0, vmax=top)
    ax.set_facecolor("#eeeeee")
    for (i, j), v in np.ndenumerate(data):
        n = counts.iat[i, j] if counts is not None else np.nan
        if not np.isfinite(v) or (np.isfinite(n) and n == 0):
            text, color = "–", "black"
        elif small_cells.iat[i, j]:
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="////", edgecolor="#999999",
                                       lw=0))
            text, color = (f"n={int(n)}" if np.isfinite(n) else "?"), "black"
        else:
            # a share above zero that rounds to 0% reads "<1", not "0" (no document)
            text = "<1" if 0 < v and round(100 * v) == 0 else f"{100 * v:.0f}"
            color = "white" if v < 0.6 * top else "black"
        ax.text(j, i, text, ha="center", va="center", fontsize=MIN_FONT, color=color)
    ax.set_xticks(range(table.shape[1]), [_wrap(c, 14) for c in table.columns], rotation=90, fontsize=MIN_FONT)
    ax.set_yticks(range(table.shape[0]), rows, fontsize=MIN_FONT)
    ax.set_title(_wrap(title or label("theme_heatmap", lang), title_width), fontsize=8)
    _mark_row_groups(ax, table.index, row_groups, names=group_names)
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, shrink=0.8)
        bar.set_label(label("share", lang) + " (%)", fontsize=MIN_FONT)
        bar.ax.tick_params(labelsize=MIN_FONT)
        bar.ax.yaxis.set_major_formatter(lambda x, _: f"{100 * x:.0f}")
    return ax


#: The label of the documents of no known locality in the tables the figures draw (``locality_labels``);
#: drawn in the figure's language.
UNKNOWN_LOCALITY = "(unknown)"
#: The panel of every document, whatever its locality (a trend figure's first panel); drawn in the figure's
#: language ("All documents", "Tất cả bài viết").
ALL_DOCUMENTS = "(all documents)"


def _shown(value, lang: str) -> str:
    """A row or panel value as the figure writes it: the unknown locality and all documents in the figure's
    language."""
    if value == UNKNOWN_LOCALITY:
        return label("unknown_locality", lang)
    if value == ALL_DOCUMENTS:
        return label("all_documents", lang)
    return str(value)


def small_cell_note(lang: str = "en", min_docs: int | None = None) -> str:
    """The key of a share heatmap's marks: hatched cells with their n (under ``min_docs``), "–" without documents."""
    note = label("no_documents", lang)
    if min_docs is not None:
        note = f"n=…: {label('small_cell', lang).format(n=min_docs)} ({label('hatched', lang)}); –: {note}"
    return note


def theme_share_panels(shares: pd.DataFrame, *, panel: str = "theme", row: str = "locality", col: str = "period",
                       value: str = "share", fig: Figure | None = None, lang: str = "en", ncols: int = 4,
                       min_docs: int | None = None, title: str | None = None,
                       row_order: Sequence | None = None, row_groups: Mapping | None = None) -> np.ndarray:
    """One heatmap per theme (``row`` × ``col``, e.g. locality × period), on one shared colour scale.

    Every panel uses the same colour for the same share, read off one
    colorbar; small cells are hatched (see :func:`theme_share_heatmap`).
    ``row_groups`` parts groups of rows in every panel and names them beside
    the last panel of each line of panels.
    Drawn :data:`PAGE_WIDTH` wide with text of at least :data:`MIN_FONT` points.
    """
    panels = sorted(shares[panel].dropna().unique(), key=vi_sort_key)
    n_rows = shares[row].nunique()
    finite = shares[value][np.isfinite(shares[value].astype(float))]
    if "small_cell" in shares or (min_docs is not None and "n_docs" in shares):
        finite = shares.loc[~_small_mask(shares, "small_cell", "n_docs", min_docs), value].dropna()
    vmax = float(finite.max()) if len(finite) and finite.max() > 0 else 1.0
    row_height = _row_height([_wrap(r, 34) for r in shares[row].dropna().astype(str).unique()])
    fig, axes = _grid(len(panels), fig, ncols=ncols, panel_height=0.9 + row_height * n_rows, sharey=True,
                      sharex=True, extra_height=0.9)
    per_line = max(1, min(ncols, len(panels)))
    for k, (ax, name) in enumerate(zip(axes, panels)):
        theme_share_heatmap(shares[shares[panel] == name], row=row, col=col, value=value, ax=ax, lang=lang,
                            title=str(name), vmax=vmax, colorbar=False, min_docs=min_docs,
                            title_width=14 if min(ncols, len(panels)) >= 3 else 28, row_order=row_order,
                            row_groups=row_groups, group_names=k % per_line == per_line - 1 or k == len(panels) - 1)
        if k % per_line:
            ax.tick_params(axis="y", labelleft=False)
    bar = fig.colorbar(axes[0].images[0], ax=list(axes), shrink=0.6, location="right")
    bar.set_label(label("share", lang) + " (%)", fontsize=MIN_FONT)
    bar.ax.tick_params(labelsize=MIN_FONT)
    bar.ax.yaxis.set_major_formatter(lambda x, _: f"{100 * x:.0f}")
    fig.supxlabel(small_cell_note(lang, min_docs), fontsize=MIN_FONT)
    fig.suptitle(title or label("theme_heatmap", lang), fontsize=10)
    return axes


def _alone(y: np.ndarray) -> np.ndarray:
    """Points of a series with no neighbour to join (a single year, or years without documents either side)."""
    shown = np.isfinite(y)
    return shown & ~np.r_[False, shown[:-1]] & ~np.r_[shown[1:], False]


#: Points between the error bars of neighbouring series at one x (see :func:`_dodge`).
DODGE = 3.5


def _dodge(ax: Axes, k: int, n: int):
    """Data coordinates shifted :data:`DODGE` points sideways per series, so lone error bars at one x stay apart."""
    from matplotlib.transforms import ScaledTranslation

    return ax.transData + ScaledTranslation((k - (n - 1) / 2) * DODGE / 72, 0, ax.figure.dpi_scale_trans)


def _x_grid(values: pd.Series) -> np.ndarray | None:
    """Every whole number from the first x to the last when x holds whole numbers (years), else None."""
    if values.dtype.kind not in "iuf":
        return None
    xs = values.dropna().unique()
    if not len(xs) or not np.all(np.mod(xs, 1) == 0) or xs.max() - xs.min() > 1000:
        return None
    return np.arange(int(xs.min()), int(xs.max()) + 1).astype(values.dtype)


def trend_small_multiples(trends: pd.DataFrame, *, panel: str = "district", series: str = "theme",
                          x: str = "year", y: str = "share", ci: tuple[str, str] | None = ("ci_low", "ci_high"),
                          series_order: Sequence[str] | None = None, fig: Figure | None = None,
                          lang: str = "en", ylabel: str | None = None, title: str | None = None,
                          ncols: int = 3, min_docs: int | None = None,
                          panel_order: Sequence | None = None) -> np.ndarray:
    """One panel per ``panel`` value, one line per ``series`` over ``x``, with its intervals.

    Intervals are faint, edged bands; a whole-number ``x`` (years) the table
    has no row for breaks a line, as an empty cell does. A point without a
    neighbour (a series of a single year) shows its interval as an error bar, set a few points aside
    per series. Every panel shares one y range (and one x range), so panels
    compare at a glance. Points of cells marked too small (a ``small_cell``
    column, or fewer than ``min_docs`` documents) are drawn hollow; their
    intervals are drawn like every other (wide, as they should be). Panels follow
    ``panel_order`` when given (values it does not name follow, sorted), else
    in Vietnamese alphabetical order (``vi_sort_key``). A panel of
    :data:`ALL_DOCUMENTS` (the whole corpus) is titled "All documents" in bold.
    """
    panels = _in_order(trends[panel].dropna().unique(), panel_order)
    names = list(series_order) if series_order is not None else sorted(trends[series].dropna().unique(), key=vi_sort_key)
    colors = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
    fig, axes = _grid(len(panels), fig, ncols=ncols, sharey=True, extra_height=0.9 + 0.15 * math.ceil(len(names) / 3))
    small_any = any_alone = False
    lone: dict[Axes, list[np.ndarray]] = {ax: [] for ax in axes}  # lone points and their bars' ends
    grid = _x_grid(trends[x])
    for ax, value in zip(axes, panels):
        sub = trends[trends[panel] == value]
        for k, name in enumerate(names):
            line = sub[sub[series] == name].sort_values(x)
            if line.empty:
                continue
            if grid is not None and line[x].is_unique:
                # a year the table has no row for is a gap, not a line across it (a topic's prevalence table
                # has no row where a locality has no document, unlike the theme shares' empty cells)
                line = line.set_index(x).reindex(grid).rename_axis(x).reset_index()
            color = colors(k % colors.N)
            xs, ys = line[x].to_numpy(dtype=float), line[y].to_numpy(dtype=float)
            # A band needs two neighbouring points: a lone point shows its interval as an error bar, drawn
            # a little aside per series so that the bars of several series at one x do not hide each other.
            alone = _alone(ys)
            beside = _dodge(ax, k, len(names))
            small = _small_mask(line, "small_cell", "n_docs", min_docs).to_numpy() & np.isfinite(ys)
            ax.plot(xs, np.where(alone, np.nan, ys), lw=1.2, marker="o", ms=2.5, color=color, label=str(name))
            if alone.any():
                any_alone = True
                ax.plot(xs[alone], ys[alone], ls="none", marker="o", ms=2.5, color=color, transform=beside,
                        label="_alone")
            if small.any():
                small_any = True
                for part, where in ((small & ~alone, ax.transData), (small & alone, beside)):
                    if part.any():
                        ax.plot(xs[part], ys[part], ls="none", marker="o", ms=3.5, mfc="white", color=color,
                                transform=where, label="_small")
            if alone.any():
                lone[ax].append(np.column_stack([xs[alone], ys[alone]]))
            if ci is not None and ci[0] in line and line[ci[0]].notna().any():
                low, high = line[ci[0]].to_numpy(dtype=float), line[ci[1]].to_numpy(dtype=float)
                # faint, with an edge: where several series' bands overlap, every line stays readable
                ax.fill_between(xs, np.where(alone, np.nan, low), np.where(alone, np.nan, high),
                                facecolor=to_rgba(color, 0.06), edgecolor=to_rgba(color, 0.5), lw=0.5,
                                label="_interval")
                bar = alone & np.isfinite(low) & np.isfinite(high)
                if bar.any():
                    ax.errorbar(xs[bar], ys[bar], yerr=[np.maximum(ys - low, 0)[bar], np.maximum(high - ys, 0)[bar]],
                                fmt="none", ecolor=color, elinewidth=1.0, capsize=2, transform=beside,
                                label="_interval")
                    lone[ax].append(np.column_stack([xs[bar], low[bar]]))
                    lone[ax].append(np.column_stack([xs[bar], high[bar]]))
        ax.set_title(_wrap(_shown(value, lang), _chars(ncols, 8)), fontsize=8,
                     fontweight="bold" if value == ALL_DOCUMENTS else "normal")
        ax.tick_params(labelsize=MIN_FONT)
        ax.xaxis.get_major_locator().set_params(integer=True)
    # Autoscaling leaves out artists drawn with another transform than the data's (the lone points and
    # error bars set aside by _dodge): put their data into the limits, or a lone 0.88 [0.83, 0.92] falls
    # off the top of a panel. The shared y axis then covers every panel's points.
    for ax, parts in lone.items():
        if parts:
            points = np.concatenate(parts)
            ax.update_datalim(points[np.isfinite(points).all(axis=1)])
    for ax in axes:
        ax.autoscale_view()
    ncols_used = max(1, min(ncols, len(panels)))
    if any_alone:  # room at either end for the error bars set aside (see _dodge)
        reach = ((len(names) - 1) / 2 * DODGE + 4) / 72
        width = 0.8 * PAGE_WIDTH / ncols_used
        for ax in axes:
            ax.margins(x=max(0.05, reach / max(width - 2 * reach, 0.1)))
    for k, ax in enumerate(axes):
        if k >= len(axes) - ncols_used:
            ax.set_xlabel(label(x, lang), fontsize=MIN_FONT)
        if k % ncols_used == 0:
            ax.set_ylabel(ylabel or label(y, lang), fontsize=MIN_FONT)
    handles, labels_ = axes[0].get_legend_handles_labels()
    seen = dict(zip(labels_, handles))
    for ax in axes[1:]:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    if small_any:
        from matplotlib.lines import Line2D

        # without min_docs the table's own small_cell flag marked them: its threshold is not known here
        text = (label("small_cell", lang).format(n=min_docs) if min_docs is not None
                else label("small_cell_flagged", lang))
        seen[text] = Line2D([], [], ls="none", marker="o", ms=3.5, mfc="white", color="grey")
    if seen:
        texts = [_wrap(t, 40) for t in seen]
        fig.legend(list(seen.values()), texts, loc="outside lower center", ncol=_legend_columns(texts),
                   fontsize=MIN_FONT, frameon=False)
    fig.suptitle(title or label("theme_trends", lang), fontsize=10)
    return axes


def top_terms_bars(terms: pd.DataFrame, *, topic: str = "topic", term: str = "term", weight: str = "weight",
                   n_terms: int = 10, fig: Figure | None = None, lang: str = "en", ncols: int = 3,
                   title: str | None = None, topic_order: Sequence | None = None) -> np.ndarray:
    """Horizontal bars of each topic's top terms (``topic, term, weight``), panels in ``topic_order``."""
    topics = list(topic_order) if topic_order is not None else sorted(terms[topic].unique(),
                                                                        key=lambda t: (str(type(t)), t))
    fig, axes = _grid(len(topics), fig, ncols=ncols, panel_height=0.5 + 0.13 * n_terms, sharey=False,
                      sharex=False)
    for ax, name in zip(axes, topics):
        sub = terms[terms[topic] == name].nlargest(n_terms, weight).iloc[::-1]
        ax.barh(range(len(sub)), sub[weight], color="#4c72b0")
        ax.set_yticks(range(len(sub)), [_short(t.replace("_", " "), 20) for t in sub[term]], fontsize=MIN_FONT)
        ax.set_title(_wrap(name, _chars(ncols)), fontsize=MIN_FONT, loc="right")
        ax.tick_params(axis="x", labelsize=MIN_FONT)
        ax.xaxis.set_major_locator(plt.MaxNLocator(3))
    fig.suptitle(title or label("topic_terms", lang), fontsize=10)
    return axes


def forest_plot(effects: pd.DataFrame, *, term: str = "term", estimate: str = "estimate",
                ci: tuple[str, str] = ("ci_low", "ci_high"), group: str | None = None,
                ax: Axes | None = None, lang: str = "en", title: str | None = None, title_width: int = 40) -> Axes:
    """Point estimates with intervals, one row per ``term`` (optionally grouped), zero line."""
    data = effects.sort_values([c for c in (group, term) if c]).reset_index(drop=True)
    ax = _axes(ax, figsize=(PAGE_WIDTH, 1.0 + 0.22 * len(data)))
    y = np.arange(len(data))[::-1]
    colors = plt.get_cmap("tab10")
    groups = list(dict.fromkeys(data[group])) if group else [None]
    for k, name in enumerate(groups):
        mask = (data[group] == name).to_numpy() if group else np.ones(len(data), bool)
        ax.errorbar(data.loc[mask, estimate], y[mask],
                    xerr=[data.loc[mask, estimate] - data.loc[mask, ci[0]], data.loc[mask, ci[1]] - data.loc[mask, estimate]],
                    fmt="o", ms=3, lw=1, capsize=2, color=colors(k % 10), label=None if name is None else str(name))
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    ax.set_yticks(y, [_wrap(t, 40) for t in data[term]], fontsize=MIN_FONT)
    ax.set_xlabel(_wrap(label("estimate", lang), 24), fontsize=MIN_FONT)
    ax.tick_params(axis="x", labelsize=MIN_FONT)
    if group:
        ax.legend(fontsize=MIN_FONT, frameon=False, loc="best")
    ax.set_title(_wrap(title or label("effects", lang), title_width), fontsize=MIN_FONT)
    return ax


def keyness_bars(keyness: pd.DataFrame, *, group: str = "group", term: str = "term", score: str = "z",
                 n_terms: int = 10, fig: Figure | None = None, lang: str = "en", ncols: int = 3,
                 title: str | None = None, small: Mapping | None = None) -> np.ndarray:
    """The most distinctive terms of each group, as bars of their score (one x range for all panels).

    ``small`` maps the groups of a few documents to their number of documents
    (``None`` when not known): their bars are hatched and pale and their panel
    titled "<group> (n = 2, small)", since their terms rest on those few documents.
    """
    groups = sorted(keyness[group].unique(), key=vi_sort_key)
    small = dict(small or {})
    fig, axes = _grid(len(groups), fig, ncols=ncols, panel_height=0.5 + 0.13 * n_terms, sharey=False, sharex=True)
    for ax, name in zip(axes, groups):
        sub = keyness[keyness[group] == name].nlargest(n_terms, score).iloc[::-1]
        shown = str(name)
        if name in small:
            ax.barh(range(len(sub)), sub[score], color=to_rgba("#dd8452", 0.35), edgecolor="#dd8452", hatch="////",
                    lw=0.5)
            n = small[name]
            shown += f" ({label('small_group', lang).format(n='…' if n is None else n)})"
        else:
            ax.barh(range(len(sub)), sub[score], color="#dd8452")
        ax.set_yticks(range(len(sub)), [_short(t.replace("_", " "), 20) for t in sub[term]], fontsize=MIN_FONT)
        ax.set_title(_wrap(shown, _chars(ncols)), fontsize=MIN_FONT, loc="right")
        ax.tick_params(axis="x", labelsize=MIN_FONT, labelbottom=True)
    ncols_used = max(1, min(ncols, len(groups)))
    for ax in axes[-ncols_used:]:
        ax.set_xlabel(label(score, lang), fontsize=MIN_FONT)
    fig.suptitle(title or label("keyness", lang), fontsize=10)
    return axes


def selection_panels(selection: pd.DataFrame, *, x: str = "n_topics", metrics: Sequence[str] | None = None,
                     fig: Figure | None = None, lang: str = "en", chosen: int | None = None,
                     title: str | None = None) -> np.ndarray:
    """Model-selection metrics against K: mean over seeds with min–max range.

    ``selection`` has one row per K × seed and a column per metric (those of
    :func:`toolkit.topics.select.select_n_topics`, titled with what they measure and which
    direction is better). K is ticked at the values of the grid; ``chosen``
    (the K of the reported model) is a dashed line named in the legend.
    """
    metrics = list(metrics) if metrics is not None else [
        c for c in selection.columns if c not in (x, "random_state") and pd.api.types.is_numeric_dtype(selection[c])]
    ncols = min(3, len(metrics))
    fig, axes = _grid(len(metrics), fig, ncols=ncols, sharey=False)
    grouped = selection.groupby(x)
    grid = sorted(int(k) for k in selection[x].dropna().unique())
    handles: dict[str, object] = {}
    for ax, metric in zip(axes, metrics):
        stats = grouped[metric].agg(["mean", "min", "max"]).sort_index()
        (mean,) = ax.plot(stats.index, stats["mean"], marker="o", ms=3, color="#4c72b0")
        handles.setdefault(label("mean_over_seeds", lang), mean)
        ax.fill_between(stats.index, stats["min"], stats["max"], alpha=0.2, color="#4c72b0", lw=0)
        if chosen is not None:
            line = ax.axvline(chosen, color="#c44e52", lw=0.8, ls="--")
            handles.setdefault(label("chosen_n_topics", lang).format(k=chosen), line)
        key = f"selection_{metric}"
        name = label(key, lang) if key in LABELS["en"] else metric.replace("_", " ")
        ax.set_title(_wrap(name, _chars(ncols, 7)), fontsize=8)
        ax.set_xlabel(label(x, lang), fontsize=MIN_FONT)
        ax.tick_params(labelsize=MIN_FONT, labelbottom=True)
        # K is a whole number: tick the grid's values (a long grid: whole numbers only)
        if len(grid) <= 12:
            ax.set_xticks(grid, [str(k) for k in grid])
        else:
            ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    if handles:
        fig.legend(list(handles.values()), list(handles), loc="outside lower center", ncol=len(handles),
                   fontsize=MIN_FONT, frameon=False)
    fig.suptitle(title or label("selection", lang), fontsize=10)
    return axes


def planted_vs_recovered(trends: pd.DataFrame, *, panel: str = "theme", x: str = "year",
                         recovered: str = "share", planted: str = "planted_share",
                         ci: tuple[str, str] | None = ("ci_low", "ci_high"), fig: Figure | None = None,
                         lang: str = "en", ncols: int = 4, title: str | None = None) -> np.ndarray:
    """Recovered trend with its interval against the planted truth, one panel per theme."""
    panels = sorted(trends[panel].unique(), key=vi_sort_key)
    fig, axes = _grid(len(panels), fig, ncols=ncols, sharey=False, panel_height=1.6)
    for ax, name in zip(axes, panels):
        sub = trends[trends[panel] == name].sort_values(x)
        ax.plot(sub[x], sub[planted], color="black", lw=1.2, ls="--", label=label("planted", lang))
        ax.plot(sub[x], sub[recovered], color="#c44e52", marker="o", ms=2.5, lw=1.2, label=label("recovered", lang))
        if ci is not None and ci[0] in sub:
            ax.fill_between(sub[x], sub[ci[0]], sub[ci[1]], color="#c44e52", alpha=0.15, lw=0)
        ax.set_title(_wrap(name, 22), fontsize=8)
        ax.tick_params(labelsize=MIN_FONT)
        ax.tick_params(axis="x", rotation=90)
        ax.xaxis.get_major_locator().set_params(integer=True)   # years, never 2017.5
    per_line = max(1, min(ncols, len(panels)))
    for k, ax in enumerate(axes):
        if k >= len(axes) - per_line:
            ax.set_xlabel(label(x, lang), fontsize=MIN_FONT)
        if k % per_line == 0:
            ax.set_ylabel(label("share", lang), fontsize=MIN_FONT)
    handles, labels_ = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels_, loc="outside lower center", ncol=2, fontsize=MIN_FONT, frameon=False)
    fig.suptitle(title or label("planted_vs_recovered", lang), fontsize=10)
    return axes
