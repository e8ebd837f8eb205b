"""The offline explorer: from a trend cell to the documents and the lines behind it.

:func:`explorer_html` turns the tidy tables of a run into one self-contained
HTML file (data embedded as JSON, JavaScript and CSS inline, no network) in
which a reader

1. chooses a theme or a topic;
2. sees its trend by locality × year as a table of cells, each with its share
   (theme) or mean proportion (topic), interval and number of documents;
3. clicks a cell to list the documents in it (title, date, locality, source);
4. clicks a document to see the keyword-in-context lines that made it count
   for the theme (or the topic's top terms, its FREX terms marked in the text) and the
   document's text; a click on a line marks it in the text.

The topic view also holds the inter-topic map and the relevance slider
(LDAvis): the former topic browser (:func:`toolkit.report.browser.topic_browser_html`)
is this page with topics only.

The page is deterministic (sorted JSON keys, rounded numbers, no timestamps)
and escapes every string: document texts are untrusted, so the page builds
its content with ``textContent`` only, the JSON payload contains no ``<``,
``>`` or ``&``, and a Content-Security-Policy forbids every request.

Caps keep the file bounded on big corpora (each cap is stated on the page):
``max_docs_per_cell`` documents listed per cell (the most relevant first),
``max_documents`` documents embedded in all (chosen rank by rank across all
cells, so every cell keeps its first documents), ``max_chars`` characters of
each text, ``max_kwic_per_doc`` lines per document and theme.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping

import numpy as np
import pandas as pd

from toolkit.config import ThemesConfig
from toolkit.text.collate import vi_sort_key

__all__ = ["explorer_html", "relative_sources", "EXPLORER_CAPS"]

#: Default caps of :func:`explorer_html` (documented in the README).
#: Least proportion of a topic in a document for the document to be listed in the topic's cells.
MIN_TOPIC_SHARE = 0.1
#: Least proportion of a topic in a document for it to be named among the document's main topics (0.5%: shown
#: as 0.5%, never as "0.0%").
MIN_SHOWN_TOPIC_SHARE = 0.005
EXPLORER_CAPS = {"max_docs_per_cell": 25, "max_documents": 3000, "max_chars": 3000, "max_kwic_per_doc": 5}
#: Cells of fewer documents are small (dashed on the page): the default of ``[themes] min_docs``.
MIN_DOCS = ThemesConfig().min_docs


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


def _r(x, digits: int = 6):
    """A finite float with ``digits`` significant digits (``None`` for NaN/missing)."""
    if x is None or pd.isna(x):
        return None
    x = float(x)
    if not np.isfinite(x):
        return None
    return 0.0 if x == 0 else float(f"{x:.{digits}g}")


def _s(x) -> str:
    """A cell as text ("" for missing)."""
    return "" if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x)


def _json_for_script(data) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    # No "<", ">" or "&" at all, so the payload can neither close its <script>
    # element nor open a comment or another script (as Django's json_script).
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def relative_sources(sources: pd.Series) -> pd.Series:
    """Local file paths shown relative to the folder they all share; URLs and other values unchanged.

    The pages of a run are read from wherever the corpus (or the demo's
    cache) lies; the explorer shows where a page is *within* the corpus, so
    the same corpus gives the same page wherever it is stored.

    Examples
    --------
    >>> relative_sources(pd.Series(["/data/c/pages/nam-dinh/2019/a.html", "/data/c/pages/ben-tre/b.txt",
    ...                              "https://hshd.namdinh.gov.vn/tin/1"])).tolist()
    ['nam-dinh/2019/a.html', 'ben-tre/b.txt', 'https://hshd.namdinh.gov.vn/tin/1']
    """
    import os.path

    text = sources.map(_s)
    local = text.map(lambda x: x.startswith("/") and "://" not in x)
    if not local.any():
        return text
    paths = sorted(set(text[local]))
    root = os.path.commonpath(paths)
    if root in paths:  # one file: keep its name
        root = os.path.dirname(root)
    return text.where(~local, text[local].map(lambda x: os.path.relpath(x, root)))


def _with_locality(table: pd.DataFrame) -> pd.DataFrame:
    if "locality" in table.columns:
        return table.assign(locality=table["locality"].map(_s))
    from toolkit.places import with_locality

    return with_locality(table)


def _years(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("Int64")


def _topic_name(k: int, label: str) -> str:
    """The name a page shows for topic ``k``: its number as the tables give it (from 0), then its label.

    ``topic_terms.csv``, the effects and the model's labels number topics from 0 (``topic`` 6 is
    ``topic_06``); a page that counted from 1 ("7. topic_06") sent a reader to another topic.

    Examples
    --------
    >>> _topic_name(6, "topic_06"), _topic_name(0, "site_clearance (seed terms lost)")
    ('topic 6 · topic_06', 'topic 0 · site_clearance (seed terms lost)')
    """
    return f"topic {k} · {label}"


def _topic_columns(doc_topics: pd.DataFrame) -> list[str]:
    cols = [c for c in doc_topics.columns if str(c).startswith("topic_")]
    return sorted(cols, key=lambda c: int(str(c).split("_", 1)[1]))


class _Docs:
    """Ranked document lists of every cell, and the budget that decides which are embedded."""

    def __init__(self) -> None:
        self.lists: list[list[str]] = []

    def add(self, ranked: list[str]) -> int:
        self.lists.append(ranked)
        return len(self.lists) - 1

    def choose(self, per_list: int, budget: int) -> set[str]:
        chosen: set[str] = set()
        for rank in range(per_list):
            for ranked in self.lists:
                if rank < len(ranked) and ranked[rank] not in chosen:
                    if len(chosen) >= budget:
                        return chosen
                    chosen.add(ranked[rank])
        return chosen


def _explorer_data(documents, *, theme_shares, theme_hits, theme_kwic, theme_labels, doc_topics, topic_prevalence,
                   topic_terms, topic_terms_frex, topic_map, topic_relevance, caps, n_terms, lambda_,
                   n_top_docs, topic_labels=None, min_docs=MIN_DOCS) -> dict:
    docs = _with_locality(documents.assign(doc_id=documents["doc_id"].map(_s)).drop_duplicates("doc_id"))
    docs = docs.assign(year=_years(docs["year"]) if "year" in docs.columns else pd.array([pd.NA] * len(docs), "Int64"))
    docs = docs.sort_values("doc_id", kind="mergesort").reset_index(drop=True)
    doc_cell = {d: (loc, None if pd.isna(y) else int(y)) for d, loc, y in zip(docs["doc_id"], docs["locality"], docs["year"])}
    dates = dict(zip(docs["doc_id"], docs["date"].map(_s) if "date" in docs.columns else [""] * len(docs)))

    trend_tables = []
    if theme_shares is not None and not theme_shares.empty:
        theme_shares = _with_locality(theme_shares).assign(year=lambda t: _years(t["year"]))
        trend_tables.append(theme_shares)
    if topic_prevalence is not None and not topic_prevalence.empty:
        topic_prevalence = _with_locality(topic_prevalence).assign(year=lambda t: _years(t["year"]))
        trend_tables.append(topic_prevalence)
    localities = sorted({_s(x) for t in trend_tables for x in t["locality"]}, key=vi_sort_key)
    years = sorted({int(y) for t in trend_tables for y in t["year"].dropna()})
    loc_index = {x: i for i, x in enumerate(localities)}
    year_index = {y: i for i, y in enumerate(years)}

    ranked = _Docs()
    views: list[dict] = []

    # ---- themes -----------------------------------------------------------
    labels = dict(theme_labels or {})
    if theme_hits is None and theme_kwic is not None and not theme_kwic.empty:
        theme_hits = theme_kwic.groupby(["doc_id", "theme"]).size().rename("hits").reset_index()
    present = pd.DataFrame(columns=["doc_id", "theme", "hits"])
    if theme_hits is not None and not theme_hits.empty:
        present = theme_hits[theme_hits["hits"] > 0][["doc_id", "theme", "hits"]].assign(
            doc_id=lambda t: t["doc_id"].map(_s), theme=lambda t: t["theme"].map(_s))
    theme_ids: list[str] = []
    if theme_shares is not None and not theme_shares.empty:
        found = set(theme_shares["theme"].map(_s))
        theme_ids = [t for t in labels if t in found] + sorted(found - set(labels))
    for theme in theme_ids:
        rows = theme_shares[theme_shares["theme"].map(_s) == theme]
        cells = []
        for r in rows.itertuples(index=False):
            if pd.isna(r.year) or _s(r.locality) not in loc_index:
                continue
            n = int(r.n_docs)
            # the table's own flag where it has one (its min_docs), else the page's threshold
            small = getattr(r, "small_cell", None)
            small = n < min_docs if small is None or pd.isna(small) else bool(small)
            cells.append([loc_index[_s(r.locality)], year_index[int(r.year)],
                          _r(r.share, 4) if n else None, _r(r.ci_low, 4) if n else None,
                          _r(r.ci_high, 4) if n else None, n, int(getattr(r, "docs_with_theme", 0) or 0),
                          int(small)])
        lists: dict[str, list] = {}
        hits = present[present["theme"] == theme]
        by_cell: dict[tuple, list] = {}
        for d, h in zip(hits["doc_id"], hits["hits"]):
            loc, year = doc_cell.get(d, (None, None))
            if loc in loc_index and year in year_index:
                by_cell.setdefault((loc_index[loc], year_index[year]), []).append((-int(h), dates.get(d, ""), d))
        for key in sorted(by_cell):
            order = sorted(by_cell[key])
            lists[f"{key[0]}:{key[1]}"] = (ranked.add([d for _, _, d in order]), {d: -h for h, _, d in order})
        views.append({"key": f"theme:{theme}", "kind": "theme", "id": theme, "label": labels.get(theme, theme),
                      "cells": sorted(cells), "_lists": lists})

    # ---- topics -----------------------------------------------------------
    theta = None
    topic_docs: list[str] = []
    if doc_topics is not None and not doc_topics.empty:
        cols = _topic_columns(doc_topics)
        dt = doc_topics.assign(doc_id=doc_topics["doc_id"].map(_s)).drop_duplicates("doc_id")
        topic_docs = dt["doc_id"].tolist()
        theta = dt[cols].to_numpy(dtype=float)
    topic_ids: list[int] = []
    topic_label: dict[int, str] = {}
    for table in (topic_map, topic_terms, topic_prevalence):
        if table is not None and not table.empty and "topic" in table.columns:
            for k, lab in zip(table["topic"], table["label"] if "label" in table.columns else table["topic"]):
                topic_label.setdefault(int(k), _s(lab))
    if theta is not None:
        from toolkit.topics.lda import default_labels

        for k, lab in enumerate(default_labels(theta.shape[1])):  # as the model names them: topic_00, topic_01, …
            topic_label.setdefault(k, lab)
    # the figures' names of the topics (a seeded topic's theme and FREX terms, "seed terms lost" where so)
    topic_label = {k: _s((topic_labels or {}).get(lab, lab)) for k, lab in topic_label.items()}
    topic_ids = sorted(topic_label)
    # Localities of the page that the topic prevalence table has no row of: its cells group the documents by
    # locality, so those without one (the "(unknown)" row of the theme views) are in none. Their row says so,
    # not "no documents" (1,603 of them in a year).
    absent: list[int] = []
    if topic_prevalence is not None and not topic_prevalence.empty:
        covered = {_s(x) for x in topic_prevalence["locality"]}
        absent = [loc_index[x] for x in localities if x not in covered]
    reps: dict[int, list] = {}
    for k in topic_ids:
        cells, lists = [], {}
        if topic_prevalence is not None and not topic_prevalence.empty:
            rows = topic_prevalence[topic_prevalence["topic"].astype(int) == k]
            for r in rows.itertuples(index=False):
                if pd.isna(r.year) or _s(r.locality) not in loc_index:
                    continue
                n = int(r.n_docs)
                # laid out as a theme's cell (no count of documents mentioning it), small as a theme's: a
                # topic's mean over one document reads as firmly as one over 500 otherwise
                cells.append([loc_index[_s(r.locality)], year_index[int(r.year)], _r(r.prevalence, 4) if n else None,
                              _r(r.ci_low, 4) if n else None, _r(r.ci_high, 4) if n else None, n, None,
                              int(n < min_docs)])
        if theta is not None and k < theta.shape[1]:
            by_cell = {}
            for i, d in enumerate(topic_docs):
                loc, year = doc_cell.get(d, (None, None))
                # a cell lists the documents the topic is a real part of, not every document of the cell
                if loc in loc_index and year in year_index and theta[i, k] >= MIN_TOPIC_SHARE:
                    by_cell.setdefault((loc_index[loc], year_index[year]), []).append((-theta[i, k], d))
            for key in sorted(by_cell):
                order = sorted(by_cell[key])
                lists[f"{key[0]}:{key[1]}"] = (ranked.add([d for _, d in order]), {d: _r(-p, 3) for p, d in order})
            top = sorted((-theta[i, k], d) for i, d in enumerate(topic_docs))[:n_top_docs]
            reps[k] = (ranked.add([d for _, d in top]), {d: _r(-p, 3) for p, d in top})
        views.append({"key": f"topic:{k}", "kind": "topic", "id": k, "absent": absent,
                      "label": _topic_name(k, topic_label[k]), "cells": sorted(cells), "_lists": lists})

    # ---- which documents are embedded ---------------------------------------
    known = set(docs["doc_id"])
    ranked.lists = [[d for d in lst if d in known] for lst in ranked.lists]
    chosen = ranked.choose(caps["max_docs_per_cell"], caps["max_documents"])
    n_listed = len({d for lst in ranked.lists for d in lst})
    # the documents within the first max_docs_per_cell of some list: those max_documents chooses from
    n_in_reach = len({d for lst in ranked.lists for d in lst[:caps["max_docs_per_cell"]]})

    def shown(entry) -> dict:
        index, scores = entry
        full = ranked.lists[index]
        keep = [d for d in full[:caps["max_docs_per_cell"]] if d in chosen]
        return {"docs": [[d, scores[d]] for d in keep], "total": len(full)}

    for view in views:
        view["lists"] = {key: shown(entry) for key, entry in sorted(view.pop("_lists").items())}

    kwic: dict[str, dict[str, list]] = {}
    if theme_kwic is not None and not theme_kwic.empty:
        lines = theme_kwic.assign(doc_id=theme_kwic["doc_id"].map(_s), theme=theme_kwic["theme"].map(_s))
        lines = lines[lines["doc_id"].isin(chosen)]
        lines = lines.groupby(["theme", "doc_id"], sort=False).head(caps["max_kwic_per_doc"])
        for r in lines.itertuples(index=False):
            kwic.setdefault(r.theme, {}).setdefault(r.doc_id, []).append(
                [_s(r.left), _s(r.keyword), _s(r.right), _s(getattr(r, "term", ""))])

    doc_top_topics: dict[str, list] = {}
    if theta is not None:
        for i, d in enumerate(topic_docs):
            if d in chosen:
                order = np.lexsort((np.arange(theta.shape[1]), -theta[i]))[:3]
                # a topic of 0.1% is not a main topic, and would read "0.0%"
                doc_top_topics[d] = [[int(k), _r(theta[i, k], 3)] for k in order
                                     if theta[i, k] >= MIN_SHOWN_TOPIC_SHARE]
    documents_out = {}
    for r in docs[docs["doc_id"].isin(chosen)].itertuples(index=False):
        body = _s(getattr(r, "body", ""))
        source = _s(getattr(r, "url", "")) or _s(getattr(r, "source", ""))
        documents_out[r.doc_id] = {
            # a page whose template has no headline is listed by its opening words, not by its hash id
            "title": _s(getattr(r, "title", "")) or _opening(body), "date": _s(getattr(r, "date", "")),
            "year": None if pd.isna(r.year) else int(r.year), "locality": _s(r.locality), "source": source,
            "text": body[:caps["max_chars"]], "chars": len(body), "topics": doc_top_topics.get(r.doc_id, []),
        }

    topics = None
    if topic_ids:
        topics = {"lambda": _r(lambda_), "n_terms": int(n_terms), "vocab": [], "p": [], "freq": [], "topics": []}
        if topic_relevance is not None and not topic_relevance.empty:
            rel = topic_relevance.sort_values(["term", "topic"], kind="mergesort")
            vocab = sorted(set(rel["term"].map(_s)))
            index = {t: i for i, t in enumerate(vocab)}
            first = rel.drop_duplicates("term").set_index("term")
            topics["vocab"] = vocab
            topics["p"] = [_r(first.loc[t, "p_w"]) for t in vocab]
            topics["freq"] = [_r(first.loc[t, "frequency"]) for t in vocab]
            rel_terms = {int(k): [[index[_s(t)], _r(p)] for t, p in zip(g["term"], g["phi"])]
                         for k, g in rel.sort_values(["topic", "term"], kind="mergesort").groupby("topic")}
        else:
            rel_terms = {}
        positions = {}
        if topic_map is not None and not topic_map.empty:
            positions = {int(r.topic): r for r in topic_map.itertuples(index=False)}

        def ranked_terms(table, k) -> list[str]:
            if table is None or table.empty:
                return []
            g = table[table["topic"].astype(int) == k]
            g = g.sort_values("rank", kind="mergesort") if "rank" in g.columns else g
            return [_s(t) for t in g["term"]][:n_terms]

        for k in topic_ids:
            pos = positions.get(k)
            prevalence = (float(theta[:, k].mean()) if theta is not None and k < theta.shape[1]
                          else (pos.prevalence if pos is not None else None))
            topics["topics"].append({
                "id": k, "label": topic_label[k], "name": _topic_name(k, topic_label[k]),
                "x": _r(pos.x) if pos is not None else None, "y": _r(pos.y) if pos is not None else None,
                "prevalence": _r(prevalence), "tokens": _r(pos.tokens) if pos is not None else None,
                "terms": rel_terms.get(k, []), "top": ranked_terms(topic_terms, k),
                "frex": ranked_terms(topic_terms_frex, k),
                "docs": shown(reps[k])["docs"] if k in reps else [],
            })

    # Each note names only what the page has: the topic browser has no trend cell, no theme and no KWIC line.
    kinds = {v["kind"] for v in views}
    notes = []
    if localities:
        first = ", or ".join(x for kind, x in (("theme", "most theme hits"), ("topic", "highest topic proportion"))
                             if kind in kinds)
        if "topic" in kinds:
            first += f"; a topic's cells list the documents it is at least {100 * MIN_TOPIC_SHARE:.0f}% of"
        lines = (f", and at most {caps['max_kwic_per_doc']} lines of text per document and theme"
                 if "theme" in kinds else "")
        notes.append(f"Cells list at most {caps['max_docs_per_cell']} documents each (the most relevant first: "
                     f"{first}){lines}.")
    if n_listed > len(chosen):
        # Two caps leave documents out: say which did, and how many each (max_documents was blamed for
        # 1,182 documents that max_docs_per_cell had left out while 1,531 places of 3,000 stayed free).
        per_cell, n_past, n_cut = caps["max_docs_per_cell"], n_listed - n_in_reach, n_in_reach - len(chosen)
        reasons = []
        if n_past:
            first = "document" if per_cell == 1 else f"{per_cell} documents"
            reasons.append(f"{n_past} {'is' if n_past == 1 else 'are'} past the first {first} of every cell that "
                           f"lists {'it' if n_past == 1 else 'them'} (max_docs_per_cell = {per_cell})")
        if n_cut:
            reasons.append(f"{n_cut} {'is' if n_cut == 1 else 'are'} left out to keep the file small "
                           f"(max_documents = {caps['max_documents']})")
        where = ("in cells or among a topic's top documents" if localities else "among the topics' top documents"
                 ) if reps else "in cells"
        notes.append(f"{len(chosen)} of the {n_listed} documents {where} are embedded: {', and '.join(reasons)}; "
                     "every cell keeps its first documents.")
    if any(v["chars"] > caps["max_chars"] for v in documents_out.values()):
        notes.append(f"Texts are cut at {caps['max_chars']} characters (marked where cut).")
    return {"caps": dict(caps), "min_docs": int(min_docs), "localities": localities, "years": years, "views": views,
            "documents": documents_out, "kwic": kwic, "topics": topics, "notes": notes}


# --------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------


def _svg_map(topics: list[dict], size: int = 360, pad: int = 36) -> str:
    """The inter-topic map as inline SVG (circle area ∝ prevalence); empty without coordinates."""
    placed = [t for t in topics if t["x"] is not None and t["y"] is not None]
    if not placed:
        return ""
    # largest first: a small topic's circle drawn later sits on top of a large one, which would hide it
    placed = sorted(placed, key=lambda t: (-(t["prevalence"] or 0), t["id"]))
    xs = np.array([t["x"] for t in placed])
    ys = np.array([t["y"] for t in placed])
    span = max(float(np.ptp(xs)), float(np.ptp(ys)), 1e-9)
    cx, cy = (xs.max() + xs.min()) / 2, (ys.max() + ys.min()) / 2
    max_prev = max([t["prevalence"] or 0 for t in placed] + [1e-12])
    parts = [f'<svg id="topic-map" width="{size}" height="{size}" viewBox="0 0 {size} {size}" role="img" '
             f'aria-label="Inter-topic distance map">',
             f'<line x1="{size / 2:.1f}" y1="{pad / 2}" x2="{size / 2:.1f}" y2="{size - pad / 2}" class="axis"/>',
             f'<line x1="{pad / 2}" y1="{size / 2:.1f}" x2="{size - pad / 2}" y2="{size / 2:.1f}" class="axis"/>']
    inner = size - 2 * pad
    for t, x, y in zip(placed, xs, ys):
        px = size / 2 + (x - cx) / span * inner
        py = size / 2 - (y - cy) / span * inner
        radius = 5 + 24 * np.sqrt((t["prevalence"] or 0) / max_prev)
        parts.append(
            f'<g class="topic-circle" data-topic="{t["id"]}"><title>{html.escape(t["name"])} '
            f'({100 * (t["prevalence"] or 0):.1f}%)</title>'
            f'<circle cx="{px:.2f}" cy="{py:.2f}" r="{radius:.2f}"/>'
            f'<text x="{px:.2f}" y="{py + 4:.2f}">{t["id"]}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",Arial,sans-serif;margin:1em;color:#222}
h1{font-size:1.3em;margin:.2em 0 .4em}
h2{font-size:1.1em;margin:1em 0 .4em}
h3{font-size:1em;margin:.8em 0 .3em}
.meta,.note{color:#666;font-size:.85em}
#notes{margin:.2em 0 .8em;padding-left:1.2em}
#chooser{margin:.4em 0 .8em}
#chooser select{font-size:1em;max-width:100%}
#layout{display:flex;flex-wrap:wrap;gap:1.2em;align-items:flex-start}
#left{flex:1 1 520px;min-width:320px}
#right{flex:1 1 420px;min-width:320px;position:sticky;top:.5em;max-height:calc(100vh - 1em);overflow:auto}
#trend-wrap{max-height:65vh;overflow:auto;border:1px solid #ddd}
table.trend{border-collapse:collapse;font-size:.85em}
table.trend th{position:sticky;top:0;background:#f4f4f4;padding:2px 6px;z-index:1}
table.trend th.loc{position:sticky;left:0;text-align:left;font-weight:normal;background:#fafafa;white-space:nowrap;z-index:0}
table.trend td{padding:2px 4px;text-align:center;min-width:4.2em;border:1px solid #eee}
table.trend td.cell{cursor:pointer}
table.trend td.cell:hover,table.trend td.cell:focus{outline:2px solid #3a6f9f}
table.trend td.selected{outline:3px solid #222}
table.trend td.empty{color:#bbb}
table.trend td.absent{color:#666;font-style:italic;text-align:left;background:#f7f7f7}
table.trend td.small{font-style:italic;border:1px dashed #999}
table.trend small{display:block;color:#333;font-size:.8em;white-space:nowrap}
.doc-item{margin:.35em 0;padding:.35em .6em;border-left:3px solid #3a6f9f;background:#fafafa;cursor:pointer}
.doc-item:hover,.doc-item:focus{background:#eef}
.doc-item.selected{background:#dde8f3}
.kwic-line{margin:.25em 0;padding:.2em .4em;background:#fffbe6;cursor:pointer;font-size:.9em}
.kwic-line:hover,.kwic-line:focus{background:#fff0b3}
.kwic-line .kw{font-weight:bold;background:#ffe08a}
.kwic-line .term{color:#666;font-size:.85em;margin-left:.5em}
#doc-text{white-space:pre-wrap;line-height:1.45;border-top:1px solid #ddd;padding-top:.5em}
#doc-text mark{background:#ffd24d}
#doc-text mark.term{background:#cfe3f7}
.chips span{display:inline-block;margin:2px;padding:1px 6px;border-radius:10px;background:#eee;font-size:.85em}
#topic-map .axis{stroke:#ccc;stroke-dasharray:4 3}
#topic-map circle{fill:#8fb8de;fill-opacity:.55;stroke:#3a6f9f;cursor:pointer}
#topic-map .selected circle{fill:#d9534f;fill-opacity:.7;stroke:#922}
#topic-map text{font-size:11px;text-anchor:middle;pointer-events:none}
.controls{margin:.4em 0 .6em}
table.terms{border-collapse:collapse;width:100%}
table.terms td{padding:1px 4px;font-size:.85em;vertical-align:middle}
td.term{white-space:nowrap;text-align:right;width:11em}
.bar{position:relative;height:11px}
.bar .all{position:absolute;top:0;left:0;height:11px;background:#c8c8c8}
.bar .topic{position:absolute;top:0;left:0;height:11px;background:#d9534f}
.legend span{display:inline-block;width:12px;height:12px;vertical-align:middle;margin:0 4px 0 10px}
.hidden{display:none}
"""

_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("explorer-data").textContent);
  var state = {view: null, cell: null, doc: null, lambda: data.topics ? data.topics.lambda : 0.6};
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function pct(x, digits) { return x === null || x === undefined ? "–" : (100 * x).toFixed(digits) + "%"; }
  // an interval's bounds in per cent, rounded outwards (a bound under 1% keeps one decimal: [0–0.2%], never [0–0%])
  function bound(x, up) {
    var v = 100 * x, digits = v > 0 && v < 1 ? 1 : 0, f = Math.pow(10, digits);
    return ((up ? Math.ceil(v * f - 1e-9) : Math.floor(v * f + 1e-9)) / f).toFixed(digits);
  }
  function interval(lo, hi) {
    return lo === null || lo === undefined ? "" : "[" + bound(lo, false) + "–" + bound(hi, true) + "%]";
  }
  function activate(node, handler) {
    node.tabIndex = 0;
    node.addEventListener("click", handler);
    node.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); handler(ev); }
    });
  }
  function viewByKey(key) {
    for (var i = 0; i < data.views.length; i++) { if (data.views[i].key === key) { return data.views[i]; } }
    return null;
  }
  function topicById(k) {
    if (!data.topics) { return null; }
    for (var i = 0; i < data.topics.topics.length; i++) { if (data.topics.topics[i].id === k) { return data.topics.topics[i]; } }
    return null;
  }

  // ---- trend table ------------------------------------------------------
  function renderTrend() {
    var view = state.view, box = $("trend");
    clear(box);
    $("trend-section").classList.toggle("hidden", !data.localities.length);
    $("trend-title").textContent = (view.kind === "theme" ? "Share of documents mentioning " : "Mean proportion of ") +
      view.label + " by locality × year";
    if (!view.cells.length) {
      box.appendChild(el("p", "note", "No trend table for this " + view.kind + " in this file."));
      return;
    }
    var max = 0;
    view.cells.forEach(function (c) { if (c[2] !== null) { max = Math.max(max, c[2]); } });
    $("trend-legend").textContent = (max > 0 ? "Colour: 0 to " + pct(max, 0) + " (darkest); " :
      (view.kind === "theme" ? "No document of any cell mentions this theme; " : "This topic is 0 in every cell; ")) +
      "[interval], n = documents in the cell. Dashed: small cell (fewer than " + data.min_docs + " documents).";
    var byKey = {};
    view.cells.forEach(function (c) { byKey[c[0] + ":" + c[1]] = c; });
    var table = el("table", "trend"), head = el("tr");
    head.appendChild(el("th", "loc", "Locality"));
    data.years.forEach(function (y) { head.appendChild(el("th", "", y)); });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var body = el("tbody");
    var absent = {};
    (view.absent || []).forEach(function (li) { absent[li] = true; });
    data.localities.forEach(function (loc, li) {
      var tr = el("tr");
      tr.appendChild(el("th", "loc", loc || "(unknown)"));
      if (absent[li]) {
        // the topic table groups documents by locality: these are in none of its cells, which is not "none"
        var note = el("td", "absent", loc ? "Not in the topic prevalence table." :
          "Not in the topic prevalence table: it groups documents by locality, and these have none " +
          "(the theme views count them).");
        note.colSpan = data.years.length;
        note.title = note.textContent;
        tr.appendChild(note);
        body.appendChild(tr);
        return;
      }
      data.years.forEach(function (y, yi) {
        var c = byKey[li + ":" + yi], td;
        if (!c || !c[5]) {
          td = el("td", "empty", "·");
          td.title = "no documents";
        } else {
          td = el("td", "cell" + (c[7] ? " small" : ""));
          td.appendChild(el("span", "value", pct(c[2], view.kind === "theme" ? 0 : 1)));
          td.appendChild(el("small", "", interval(c[3], c[4])));
          td.appendChild(el("small", "", "n = " + c[5]));
          var alpha = max > 0 && c[2] !== null ? 0.06 + 0.74 * c[2] / max : 0;
          td.style.background = "rgba(217,83,79," + alpha.toFixed(3) + ")";
          td.setAttribute("data-locality", loc);
          td.setAttribute("data-year", String(y));
          td.setAttribute("data-cell", li + ":" + yi);
          td.title = loc + " · " + y;
          (function (key, node) { activate(node, function () { selectCell(key); }); })(li + ":" + yi, td);
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    box.appendChild(table);
  }

  // ---- documents of a cell ----------------------------------------------
  function docItem(id, score, kind) {
    var d = data.documents[id], item = el("div", "doc-item");
    item.setAttribute("data-doc", id);
    item.appendChild(el("strong", "doc-title", d.title || id));
    var meta = [d.date || (d.year !== null ? String(d.year) : "undated"), d.locality || "(unknown locality)"];
    if (kind === "theme") { meta.push(score + (score === 1 ? " hit" : " hits")); }
    else if (kind === "topic") { meta.push(pct(score, 1) + " of the document"); }
    item.appendChild(el("div", "meta doc-meta", meta.join(" · ")));
    if (d.source) { item.appendChild(el("div", "meta doc-source", d.source)); }
    activate(item, function () { selectDoc(id); });
    return item;
  }
  function selectCell(key) {
    state.cell = key;
    state.doc = null;
    Array.prototype.forEach.call(document.querySelectorAll("td.cell"), function (td) {
      td.classList.toggle("selected", td.getAttribute("data-cell") === key);
    });
    var view = state.view, parts = key.split(":"), loc = data.localities[+parts[0]], year = data.years[+parts[1]];
    var c = null;
    view.cells.forEach(function (x) { if (x[0] === +parts[0] && x[1] === +parts[1]) { c = x; } });
    var list = view.lists[key] || {docs: [], total: 0};
    $("cell-title").textContent = view.label + " · " + (loc || "(unknown)") + " · " + year;
    var summary = view.kind === "theme"
      ? (c ? c[6] + " of " + c[5] + " documents mention it (" + pct(c[2], 0) + " " + interval(c[3], c[4]) + ")" : "")
      : (c ? "mean proportion " + pct(c[2], 1) + " " + interval(c[3], c[4]) + " over " + c[5] + " documents" : "");
    $("cell-summary").textContent = summary;
    var box = $("cell-docs");
    clear(box);
    if (!list.docs.length) { box.appendChild(el("p", "note", "No documents listed for this cell.")); }
    list.docs.forEach(function (pair) { box.appendChild(docItem(pair[0], pair[1], view.kind)); });
    $("cell-note").textContent = list.total > list.docs.length
      ? "Showing " + list.docs.length + " of " + list.total + " documents (caps: see the notes at the top)." : "";
    $("cell-panel").classList.remove("hidden");
    $("doc-panel").classList.add("hidden");
  }

  // ---- one document -------------------------------------------------------
  function renderText(text, marks) {
    var box = $("doc-text");
    clear(box);
    marks = marks.slice().sort(function (a, b) { return a[0] - b[0]; });
    var at = 0, first = null;
    marks.forEach(function (m) {
      if (m[0] < at) { return; }
      box.appendChild(document.createTextNode(text.slice(at, m[0])));
      var mark = el("mark", m[2], text.slice(m[0], m[1]));
      box.appendChild(mark);
      if (!first && m[2] === "line") { first = mark; }
      at = m[1];
    });
    box.appendChild(document.createTextNode(text.slice(at)));
    return first;
  }
  function normalizeSpace(s) { return s.replace(/\s+/g, " ").trim(); }
  function locate(text, line) {
    var keyword = line[1], left = normalizeSpace(line[0]).split(" ").slice(-3).join(" ");
    var from = 0, first = -1, idx;
    while (keyword && (idx = text.indexOf(keyword, from)) >= 0) {
      if (first < 0) { first = idx; }
      var before = normalizeSpace(text.slice(Math.max(0, idx - left.length - 80), idx));
      if (!left || before.slice(-left.length) === left) { return idx; }
      from = idx + 1;
    }
    return first;
  }
  function termMarks(text, terms) {
    var marks = [], lower = text.toLowerCase();
    terms.forEach(function (t) {
      var needle = t.replace(/_/g, " ").toLowerCase(), from = 0, idx;
      if (!needle) { return; }
      while ((idx = lower.indexOf(needle, from)) >= 0) {
        var before = idx > 0 ? lower.charAt(idx - 1) : " ", after = lower.charAt(idx + needle.length) || " ";
        if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) { marks.push([idx, idx + needle.length, "term"]); }
        from = idx + needle.length;
      }
    });
    marks.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var out = [], end = -1;
    marks.forEach(function (m) { if (m[0] >= end) { out.push(m); end = m[1]; } });
    return out;
  }
  // Terms as topic_terms.csv writes them: a multiword term is one token, joined by "_" (ủy_ban_nhân_dân).
  function chips(terms) {
    var box = el("div", "chips");
    terms.forEach(function (t) { box.appendChild(el("span", "", t)); });
    return box;
  }
  function selectDoc(id) {
    state.doc = id;
    Array.prototype.forEach.call(document.querySelectorAll(".doc-item"), function (e) {
      e.classList.toggle("selected", e.getAttribute("data-doc") === id);
    });
    var d = data.documents[id], view = state.view;
    $("doc-title").textContent = d.title || id;
    $("doc-meta").textContent = [d.date || (d.year !== null ? String(d.year) : "undated"), d.locality || "(unknown locality)",
      "id " + id].join(" · ");
    $("doc-source").textContent = d.source ? "Source: " + d.source : "";
    var why = $("doc-why");
    clear(why);
    var highlight = [];
    if (view.kind === "theme") {
      why.appendChild(el("h3", "", "Lines that made it count for " + view.label));
      var lines = (data.kwic[view.id] || {})[id] || [];
      if (!lines.length) { why.appendChild(el("p", "note", "No keyword-in-context line embedded for this document.")); }
      lines.forEach(function (line) {
        var div = el("div", "kwic-line");
        div.appendChild(document.createTextNode("… " + line[0] + " "));
        div.appendChild(el("span", "kw", line[1]));
        div.appendChild(document.createTextNode(" " + line[2] + " …"));
        if (line[3]) { div.appendChild(el("span", "term", "term: " + line[3])); }
        activate(div, function () { showLine(line); });
        why.appendChild(div);
      });
    } else {
      var t = topicById(view.id), share = null;
      d.topics.forEach(function (p) { if (p[0] === view.id) { share = p[1]; } });
      why.appendChild(el("h3", "", view.label + (share !== null ? ": " + pct(share, 1) + " of this document" : "")));
      if (t && t.frex.length) { why.appendChild(el("div", "meta", "Top terms by FREX:")); why.appendChild(chips(t.frex.slice(0, 10))); }
      if (t && t.top.length) { why.appendChild(el("div", "meta", "Top terms by probability:")); why.appendChild(chips(t.top.slice(0, 10))); }
      // Mark the distinctive terms (FREX) only: the most probable ones are often generic ("dân", "công tác").
      if (t) { highlight = (t.frex.length ? t.frex : t.top).slice(0, 10); }
    }
    if (d.topics.length && data.topics) {
      why.appendChild(el("h3", "", "Main topics of this document"));
      d.topics.forEach(function (p) {
        var t = topicById(p[0]);
        if (!t) { return; }
        var row = el("div", "meta doc-topic", t.name + ": " + pct(p[1], 1) + " — ");
        row.appendChild(document.createTextNode((t.frex.length ? t.frex : t.top).slice(0, 6).join(", ")));
        why.appendChild(row);
      });
    }
    renderText(d.text, termMarks(d.text, highlight));
    $("doc-cut").textContent = d.chars > d.text.length
      ? "Text cut at " + d.text.length + " of " + d.chars + " characters." : "";
    $("doc-line-note").textContent = "";
    $("doc-panel").classList.remove("hidden");
  }
  function showLine(line) {
    var d = data.documents[state.doc], at = locate(d.text, line);
    if (at < 0) {
      renderText(d.text, []);
      $("doc-line-note").textContent = "This line is in the title" + (d.chars > d.text.length ? " or beyond the part of the text shown." : ".");
      return;
    }
    var mark = renderText(d.text, [[at, at + line[1].length, "line"]]);
    $("doc-line-note").textContent = "Marked in the text below.";
    if (mark && mark.scrollIntoView) { mark.scrollIntoView({block: "center"}); }
  }

  // ---- topic panel (inter-topic map, relevance slider) ----------------------
  function renderTerms() {
    var t = topicById(state.view.id), table = $("terms");
    clear(table);
    if (!t || !t.terms.length) { return; }
    var lambda = state.lambda;
    var rows = t.terms.map(function (pair) {
      var i = pair[0], phi = pair[1], p = data.topics.p[i];
      var rel = (phi > 0 && p > 0) ? lambda * Math.log(phi) + (1 - lambda) * Math.log(phi / p) : -Infinity;
      return {term: data.topics.vocab[i], phi: phi, rel: rel, inTopic: phi * (t.tokens || 0), all: data.topics.freq[i]};
    });
    rows.sort(function (a, b) {
      if (b.rel !== a.rel) { return b.rel - a.rel; }
      return a.term < b.term ? -1 : (a.term > b.term ? 1 : 0);
    });
    rows = rows.slice(0, data.topics.n_terms);
    var max = 0;
    rows.forEach(function (r) { max = Math.max(max, r.all, r.inTopic); });
    rows.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("td", "term", r.term));
      var td = el("td"), bar = el("div", "bar"), all = el("div", "all"), top = el("div", "topic");
      all.style.width = (max > 0 ? 100 * r.all / max : 0) + "%";
      top.style.width = (max > 0 ? 100 * r.inTopic / max : 0) + "%";
      bar.appendChild(all); bar.appendChild(top); td.appendChild(bar);
      td.title = "p(term | topic) = " + r.phi.toPrecision(3);
      tr.appendChild(td);
      table.appendChild(tr);
    });
  }
  function renderTopicPanel() {
    var panel = $("topic-panel");
    if (state.view.kind !== "topic") { panel.classList.add("hidden"); return; }
    panel.classList.remove("hidden");
    var t = topicById(state.view.id);
    $("topic-title").textContent = state.view.label + (t && t.prevalence !== null ? " (" + pct(t.prevalence, 1) + " mean share)" : "");
    Array.prototype.forEach.call(document.querySelectorAll("#topic-map [data-topic]"), function (e) {
      var on = Number(e.getAttribute("data-topic")) === state.view.id;
      e.setAttribute("class", on ? "topic-circle selected" : "topic-circle");
    });
    renderTerms();
    var box = $("topic-docs");
    clear(box);
    if (!t || !t.docs.length) { box.appendChild(el("p", "note", "No documents embedded.")); }
    else { t.docs.forEach(function (pair) { box.appendChild(docItem(pair[0], pair[1], "topic")); }); }
  }

  // ---- choosing -----------------------------------------------------------
  function selectView(key) {
    var view = viewByKey(key);
    if (!view) { return; }
    state.view = view; state.cell = null; state.doc = null;
    $("view-select").value = key;
    renderTrend();
    renderTopicPanel();
    $("cell-panel").classList.add("hidden");
    $("doc-panel").classList.add("hidden");
  }
  var select = $("view-select");
  select.addEventListener("change", function () { selectView(select.value); });
  Array.prototype.forEach.call(document.querySelectorAll("#topic-map [data-topic]"), function (e) {
    e.addEventListener("click", function () { selectView("topic:" + e.getAttribute("data-topic")); });
  });
  var slider = $("lambda");
  slider.addEventListener("input", function () {
    state.lambda = Number(slider.value);
    $("lambda-value").textContent = state.lambda.toFixed(2);
    renderTerms();
  });
  var notes = $("notes");
  data.notes.forEach(function (n) { notes.appendChild(el("li", "", n)); });
  if (data.views.length) { selectView(data.views[0].key); }
  document.body.setAttribute("data-ready", "1");
})();
"""


def _opening(body: str, n_chars: int = 90) -> str:
    """The first words of a text, cut at a word, with "…" when cut (the listed name of an untitled document)."""
    text = " ".join(body.split())
    if len(text) <= n_chars:
        return text
    cut = text[:n_chars].rsplit(" ", 1)[0]
    return (cut or text[:n_chars]) + "…"


def _intro(kinds: set[str], trend: bool, topic_map: bool) -> str:
    """The page's opening sentence: how to use what it has (the topic browser has no trend, no theme, no line)."""
    if trend:
        chosen = " or ".join(f"a {kind}" for kind in ("theme", "topic") if kind in kinds) or "a theme or a topic"
        read = "the lines that made it count and its text" if "theme" in kinds else "its text"
        return (f"Choose {chosen}, click a cell of its trend to list the documents in it, click a document to read "
                f"{read}. Works offline.")
    where = "from the list or on the inter-topic map" if topic_map else "from the list"
    return (f"Choose a topic {where}, move the relevance slider λ to re-rank its terms, and click one of the "
            "documents with the highest proportion of the topic to read its text, the topic's distinctive (FREX) "
            "terms marked. Works offline.")


def explorer_html(
    documents: pd.DataFrame,
    *,
    theme_shares: pd.DataFrame | None = None,
    theme_hits: pd.DataFrame | None = None,
    theme_kwic: pd.DataFrame | None = None,
    theme_labels: Mapping[str, str] | None = None,
    doc_topics: pd.DataFrame | None = None,
    topic_prevalence: pd.DataFrame | None = None,
    topic_terms: pd.DataFrame | None = None,
    topic_terms_frex: pd.DataFrame | None = None,
    topic_map: pd.DataFrame | None = None,
    topic_relevance: pd.DataFrame | None = None,
    topic_labels: Mapping[str, str] | None = None,
    min_docs: int = MIN_DOCS,
    max_docs_per_cell: int = EXPLORER_CAPS["max_docs_per_cell"],
    max_documents: int = EXPLORER_CAPS["max_documents"],
    max_chars: int = EXPLORER_CAPS["max_chars"],
    max_kwic_per_doc: int = EXPLORER_CAPS["max_kwic_per_doc"],
    n_terms: int = 30,
    lambda_: float = 0.6,
    n_top_docs: int = 10,
    title: str = "Explorer",
) -> str:
    """One self-contained HTML page to go from a trend cell to its documents and their lines.

    Every table is optional except ``documents``: a page without theme tables
    has topic views only (the topic browser), one without topic tables theme
    views only.

    Parameters
    ----------
    documents : DataFrame
        Document table: ``doc_id``, ``title``, ``date``, ``year``,
        ``province``/``district`` (or ``locality``), ``source`` (or ``url``),
        ``body``.
    theme_shares : DataFrame, optional
        :func:`toolkit.themes.theme_shares` by ``province, district, year``:
        ``locality, year, theme, n_docs, docs_with_theme, share, ci_low,
        ci_high, small_cell``.
    theme_hits : DataFrame, optional
        :func:`toolkit.themes.theme_hits` (``doc_id, theme, hits``): which
        documents a theme cell lists (those with hits, most hits first).
        Without it, the documents with KWIC lines.
    theme_kwic : DataFrame, optional
        :func:`toolkit.themes.theme_kwic` (``theme, term, doc_id, left,
        keyword, right``): the lines shown for a document.
    theme_labels : mapping, optional
        Theme id → label; its order is the order of the themes on the page
        (themes it lacks follow, sorted by id).
    doc_topics : DataFrame, optional
        ``doc_id, topic_0, ..., topic_{K-1}`` (proportions).
    topic_prevalence : DataFrame, optional
        :func:`toolkit.topics.prevalence_by_group` by ``district, year``:
        ``locality, year, topic, label, n_docs, prevalence, ci_low, ci_high``.
    topic_terms, topic_terms_frex : DataFrame, optional
        :func:`toolkit.topics.top_terms` by probability and by FREX
        (``topic, label, rank, term``).
    topic_map : DataFrame, optional
        :func:`toolkit.topics.intertopic.topic_map` (``topic, label, x, y,
        prevalence, tokens``): the inter-topic map.
    topic_relevance : DataFrame, optional
        :func:`toolkit.topics.intertopic.relevance_terms` (``topic, term,
        phi, p_w, frequency``): the relevance slider's terms.
    topic_labels : mapping, optional
        A topic table's ``label`` (``religion``, ``topic_05``) → the name the
        page shows (the figures' ``Religion: giáo xứ, linh mục, …``, with
        "seed terms lost" or "seed terms mostly elsewhere" for a seeded topic not held by its seeds).
    min_docs : int
        Cells of fewer documents are small, dashed on the page as in the
        figures: every topic cell, and the theme cells of a ``theme_shares``
        without ``small_cell`` (its flag, set by ``[themes] min_docs``, wins).
    max_docs_per_cell, max_documents, max_chars, max_kwic_per_doc : int
        Caps that bound the file (stated on the page): documents listed per
        cell; documents embedded in all (chosen rank by rank across cells);
        characters of each text; lines per document and theme.
    n_terms : int
        Terms shown by the relevance slider.
    lambda_ : float
        Initial λ of the relevance slider.
    n_top_docs : int
        Documents with the highest proportion listed under each topic.
    title : str
        Page title.

    Returns
    -------
    str
        HTML5; no external reference; identical bytes for identical inputs.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a"], "title": ["Đối thoại với người dân"], "date": ["2019-05-02"],
    ...                      "year": [2019], "locality": ["Huyện Giao Thủy, Nam Định"], "body": ["…"]})
    >>> page = explorer_html(docs, title="Dân vận")
    >>> page.startswith("<!DOCTYPE html>")
    True
    """
    if not 0 <= lambda_ <= 1:
        raise ValueError(f"lambda_ must be in [0, 1], got {lambda_}")
    if min_docs < 0:
        raise ValueError(f"min_docs must be >= 0, got {min_docs}")
    caps = {"max_docs_per_cell": int(max_docs_per_cell), "max_documents": int(max_documents),
            "max_chars": int(max_chars), "max_kwic_per_doc": int(max_kwic_per_doc)}
    for name, value in caps.items():
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    data = _explorer_data(documents, theme_shares=theme_shares, theme_hits=theme_hits, theme_kwic=theme_kwic,
                          theme_labels=theme_labels, doc_topics=doc_topics, topic_prevalence=topic_prevalence,
                          topic_terms=topic_terms, topic_terms_frex=topic_terms_frex, topic_map=topic_map,
                          topic_relevance=topic_relevance, caps=caps, n_terms=int(n_terms), lambda_=float(lambda_),
                          n_top_docs=int(n_top_docs), topic_labels=topic_labels, min_docs=int(min_docs))
    esc = html.escape
    groups = []
    for kind, name in (("theme", "Themes"), ("topic", "Topics")):
        options = "".join(f'<option value="{esc(v["key"])}">{esc(v["label"])}</option>'
                          for v in data["views"] if v["kind"] == kind)
        if options:
            groups.append(f'<optgroup label="{name}">{options}</optgroup>')
    topic_map_svg = _svg_map(data["topics"]["topics"]) if data["topics"] else ""
    kinds = {v["kind"] for v in data["views"]}
    choose = {frozenset({"theme"}): "Theme", frozenset({"topic"}): "Topic"}.get(frozenset(kinds), "Theme or topic")
    lam = data["topics"]["lambda"] if data["topics"] else 0.6
    return (
        "<!DOCTYPE html>\n"
        '<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        'script-src \'unsafe-inline\'; style-src \'unsafe-inline\'; img-src data:">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n"
        f'<p class="meta">{esc(_intro(kinds, bool(data["localities"]), bool(topic_map_svg)))}</p>\n'
        '<ul id="notes" class="note"></ul>\n'
        f'<div id="chooser"><label for="view-select">{choose}: </label><select id="view-select">'
        f'{"".join(groups)}</select></div>\n'
        '<div id="layout">\n<div id="left">\n'
        '<div id="trend-section"><h2 id="trend-title"></h2>\n<p id="trend-legend" class="note"></p>\n'
        '<div id="trend-wrap"><div id="trend"></div></div></div>\n'
        '<div id="topic-panel" class="hidden">\n<h2 id="topic-title"></h2>\n'
        '<p class="note">Inter-topic map (classical scaling of Jensen–Shannon distances; circle area ∝ prevalence). '
        "Click a topic.</p>\n"
        f"{topic_map_svg}\n"
        '<div class="controls"><label for="lambda">Relevance λ = <span id="lambda-value">'
        f'{lam:.2f}</span></label> '
        f'<input type="range" id="lambda" min="0" max="1" step="0.01" value="{lam}"> '
        '<span class="legend note"><span style="background:#c8c8c8"></span>corpus count'
        '<span style="background:#d9534f"></span>estimated count in topic</span></div>\n'
        '<table class="terms"><tbody id="terms"></tbody></table>\n'
        '<h3>Documents with the highest proportion of the topic</h3>\n<div id="topic-docs"></div>\n</div>\n'
        "</div>\n"
        '<div id="right">\n'
        '<div id="cell-panel" class="hidden"><h2 id="cell-title"></h2><p id="cell-summary" class="meta"></p>'
        '<p id="cell-note" class="note"></p><div id="cell-docs"></div></div>\n'
        '<div id="doc-panel" class="hidden"><h2 id="doc-title"></h2><p id="doc-meta" class="meta"></p>'
        '<p id="doc-source" class="meta"></p><div id="doc-why"></div><p id="doc-line-note" class="note"></p>'
        '<h3>Text</h3><div id="doc-text"></div><p id="doc-cut" class="note"></p></div>\n'
        "</div>\n</div>\n"
        f'<script type="application/json" id="explorer-data">{_json_for_script(data)}</script>\n'
        f"<script>{_JS}</script>\n</body>\n</html>\n"
    )
