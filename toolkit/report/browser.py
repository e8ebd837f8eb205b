"""An offline, self-contained interactive topic browser (our own pyLDAvis).

:func:`topic_browser_html` returns one HTML string with no external assets —
no CDN, no fonts, no network — that a researcher can open from a USB stick or
attach to an e-mail:

- an inter-topic map: topics placed by classical multidimensional scaling of
  the Jensen–Shannon distances between their term distributions (as LDAvis),
  drawn as inline SVG circles whose area is proportional to prevalence;
- a list of topics;
- for the selected topic, its top terms ranked by relevance
  λ log φ_kw + (1 − λ) log(φ_kw / p_w) with a λ slider (re-ranked in the
  page by inline JavaScript from embedded φ and p_w of candidate terms), bars
  for the term's estimated count in the topic against its corpus count, and
  the topic's representative documents.

The output is deterministic (sorted JSON, rounded numbers, no timestamps), so
two calls on the same model give byte-identical files.
"""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd

from toolkit.topics.effects import topic_labels
from toolkit.topics.inspection import representative_documents, term_marginal

__all__ = ["topic_browser_html", "topic_coordinates", "jensen_shannon_distances"]

_LAMBDA_GRID = np.linspace(0, 1, 21)


def jensen_shannon_distances(topic_word: np.ndarray) -> np.ndarray:
    """Pairwise Jensen–Shannon distances (square root of the divergence, base 2) between rows."""
    phi = np.asarray(topic_word, dtype=float)
    phi = phi / phi.sum(axis=1, keepdims=True)
    k = phi.shape[0]
    out = np.zeros((k, k))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_phi = np.where(phi > 0, np.log2(phi), 0.0)
        for i in range(k):
            m = (phi[i][None, :] + phi) / 2
            log_m = np.where(m > 0, np.log2(m), 0.0)
            kl_i = np.sum(np.where(phi[i] > 0, phi[i] * (log_phi[i] - log_m), 0.0), axis=1)
            kl_j = np.sum(np.where(phi > 0, phi * (log_phi - log_m), 0.0), axis=1)
            out[i] = np.sqrt(np.clip((kl_i + kl_j) / 2, 0, None))
    out = (out + out.T) / 2
    np.fill_diagonal(out, 0.0)
    return out


def topic_coordinates(topic_word: np.ndarray) -> np.ndarray:
    """2-D positions of topics by classical MDS (principal coordinates) of JS distances.

    Signs are fixed (largest-magnitude coordinate of each axis positive) so
    the map is deterministic. Returns shape (K, 2).
    """
    dist = jensen_shannon_distances(topic_word)
    k = dist.shape[0]
    if k == 1:
        return np.zeros((1, 2))
    j = np.eye(k) - 1.0 / k
    b = -0.5 * j @ (dist**2) @ j
    w, v = np.linalg.eigh((b + b.T) / 2)
    order = np.argsort(-w)[:2]
    coords = v[:, order] * np.sqrt(np.clip(w[order], 0, None))
    if coords.shape[1] < 2:
        coords = np.column_stack([coords, np.zeros(k)])
    for a in range(2):
        col = coords[:, a]
        if col[np.argmax(np.abs(col))] < 0:
            coords[:, a] = -col
    return coords


def _r(x: float, digits: int = 6) -> float:
    x = float(x)
    return 0.0 if not np.isfinite(x) or x == 0 else float(f"{x:.{digits}g}")


def _json_for_script(data) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    # No "<", ">" or "&" at all, so the payload can neither close its <script>
    # element nor open a comment or another script (as Django's json_script).
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _browser_data(result, documents, n_terms: int, lambda_: float, n_docs: int) -> dict:
    phi = np.asarray(result.topic_word_, dtype=float)
    n_topics, n_vocab = phi.shape
    vocab = np.asarray(result.vocabulary_, dtype=object)
    labels = topic_labels(result)
    theta = np.asarray(result.doc_topic_, dtype=float)
    p_w = term_marginal(result)
    freq = getattr(result, "term_frequency_", None)
    freq = np.asarray(freq, dtype=float) if freq is not None else p_w * 1.0
    lengths = getattr(result, "doc_lengths_", None)
    lengths = np.asarray(lengths, dtype=float) if lengths is not None and len(lengths) == theta.shape[0] else np.ones(theta.shape[0])
    topic_tokens = theta.T @ lengths  # estimated tokens per topic
    prevalence = theta.mean(axis=0)
    coords = topic_coordinates(phi)

    log_phi = np.log(np.maximum(phi, 1e-300))
    log_lift = log_phi - np.log(np.maximum(p_w, 1e-300))[None, :]
    n_pick = min(n_terms, n_vocab)
    candidates: list[np.ndarray] = []
    for k in range(n_topics):
        chosen: set[int] = set()
        for lam in _LAMBDA_GRID:
            rel = lam * log_phi[k] + (1 - lam) * log_lift[k]
            chosen.update(np.lexsort((vocab, -rel))[:n_pick].tolist())
        candidates.append(np.array(sorted(chosen), dtype=int))
    local = np.array(sorted(set(np.concatenate(candidates).tolist())), dtype=int)
    local_index = {g: i for i, g in enumerate(local.tolist())}

    docs_by_topic: dict[int, list] = {}
    if documents is not None and n_docs > 0:
        reps = representative_documents(result, documents, n=n_docs)
        for rec in reps.itertuples(index=False):
            docs_by_topic.setdefault(int(rec.topic), []).append({
                "doc_id": str(rec.doc_id), "title": rec.title, "excerpt": rec.excerpt,
                "proportion": _r(rec.proportion, 4),
            })

    topics = []
    for k in range(n_topics):
        topics.append({
            "id": k,
            "label": labels[k],
            "x": _r(coords[k, 0]),
            "y": _r(coords[k, 1]),
            "prevalence": _r(prevalence[k]),
            "tokens": _r(topic_tokens[k]),
            "terms": [[local_index[int(j)], _r(phi[k, j])] for j in candidates[k]],
            "docs": docs_by_topic.get(k, []),
        })
    return {
        "lambda": _r(lambda_),
        "n_terms": int(n_pick),
        "vocab": [str(vocab[j]) for j in local],
        "p": [_r(p_w[j]) for j in local],
        "freq": [_r(freq[j]) for j in local],
        "topics": topics,
    }


def _svg_map(data: dict, size: int = 420, pad: int = 40) -> str:
    topics = data["topics"]
    xs = np.array([t["x"] for t in topics])
    ys = np.array([t["y"] for t in topics])
    span = max(np.ptp(xs) if len(xs) else 0, np.ptp(ys) if len(ys) else 0, 1e-9)
    cx = (xs.max() + xs.min()) / 2 if len(xs) else 0
    cy = (ys.max() + ys.min()) / 2 if len(ys) else 0
    max_prev = max([t["prevalence"] for t in topics] + [1e-12])
    parts = [f'<svg id="topic-map" width="{size}" height="{size}" viewBox="0 0 {size} {size}" role="img" '
             f'aria-label="Inter-topic distance map">',
             f'<line x1="{size / 2:.1f}" y1="{pad / 2}" x2="{size / 2:.1f}" y2="{size - pad / 2}" class="axis"/>',
             f'<line x1="{pad / 2}" y1="{size / 2:.1f}" x2="{size - pad / 2}" y2="{size / 2:.1f}" class="axis"/>']
    inner = size - 2 * pad
    for t, x, y in zip(topics, xs, ys):
        px = size / 2 + (x - cx) / span * inner
        py = size / 2 - (y - cy) / span * inner
        radius = 6 + 28 * np.sqrt(t["prevalence"] / max_prev)
        label = html.escape(t["label"])
        parts.append(
            f'<g class="topic-circle" data-topic="{t["id"]}"><title>{label} '
            f'({100 * t["prevalence"]:.1f}%)</title>'
            f'<circle cx="{px:.2f}" cy="{py:.2f}" r="{radius:.2f}"/>'
            f'<text x="{px:.2f}" y="{py + 4:.2f}">{t["id"] + 1}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;margin:1em;color:#222}
h1{font-size:1.3em;margin:.2em 0 .6em}
#layout{display:flex;flex-wrap:wrap;gap:1.5em}
#left{flex:0 0 auto}
#right{flex:1 1 420px;min-width:320px}
#topic-map .axis{stroke:#ccc;stroke-dasharray:4 3}
#topic-map circle{fill:#8fb8de;fill-opacity:.55;stroke:#3a6f9f;cursor:pointer}
#topic-map .selected circle{fill:#d9534f;fill-opacity:.7;stroke:#922}
#topic-map text{font-size:11px;text-anchor:middle;pointer-events:none}
#topic-list{list-style:none;padding:0;margin:.8em 0;max-height:260px;overflow:auto;max-width:420px}
#topic-list li{padding:2px 6px;cursor:pointer;border-radius:3px}
#topic-list li:hover{background:#eef}
#topic-list li.selected{background:#d9534f;color:#fff}
.controls{margin:.4em 0 .8em}
table.terms{border-collapse:collapse;width:100%}
table.terms td{padding:1px 4px;font-size:.9em;vertical-align:middle}
td.term{white-space:nowrap;text-align:right;width:12em}
.bar{position:relative;height:12px}
.bar .all{position:absolute;top:0;left:0;height:12px;background:#c8c8c8}
.bar .topic{position:absolute;top:0;left:0;height:12px;background:#d9534f}
.doc{margin:.5em 0;padding:.4em .6em;border-left:3px solid #d9534f;background:#fafafa}
.doc .meta{color:#666;font-size:.85em}
.legend span{display:inline-block;width:12px;height:12px;vertical-align:middle;margin:0 4px 0 10px}
"""

_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("topic-data").textContent);
  var selected = 0;
  var lambda = data.lambda;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function renderTerms() {
    var t = data.topics[selected];
    var rows = t.terms.map(function (pair) {
      var i = pair[0], phi = pair[1], p = data.p[i];
      var rel = (phi > 0 && p > 0) ? lambda * Math.log(phi) + (1 - lambda) * Math.log(phi / p) : -Infinity;
      return {term: data.vocab[i], phi: phi, rel: rel, inTopic: phi * t.tokens, all: data.freq[i]};
    });
    rows.sort(function (a, b) {
      if (b.rel !== a.rel) { return b.rel - a.rel; }
      return a.term < b.term ? -1 : (a.term > b.term ? 1 : 0);
    });
    rows = rows.slice(0, data.n_terms);
    var max = 0;
    rows.forEach(function (r) { max = Math.max(max, r.all, r.inTopic); });
    var table = document.getElementById("terms");
    table.textContent = "";
    rows.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("td", "term", r.term));
      var td = el("td");
      var bar = el("div", "bar");
      var all = el("div", "all");
      all.style.width = (max > 0 ? 100 * r.all / max : 0) + "%";
      var top = el("div", "topic");
      top.style.width = (max > 0 ? 100 * r.inTopic / max : 0) + "%";
      bar.appendChild(all); bar.appendChild(top); td.appendChild(bar);
      td.title = "p(term | topic) = " + r.phi.toPrecision(3);
      tr.appendChild(td);
      table.appendChild(tr);
    });
  }
  function renderDocs() {
    var t = data.topics[selected];
    var box = document.getElementById("docs");
    box.textContent = "";
    if (!t.docs.length) { box.appendChild(el("p", "meta", "No documents embedded.")); return; }
    t.docs.forEach(function (d) {
      var div = el("div", "doc");
      div.appendChild(el("strong", "", d.title || d.doc_id));
      div.appendChild(el("div", "meta", d.doc_id + " \u00b7 " + (100 * d.proportion).toFixed(1) + "%"));
      div.appendChild(el("div", "", d.excerpt));
      box.appendChild(div);
    });
  }
  function select(k) {
    selected = k;
    var t = data.topics[k];
    document.getElementById("topic-title").textContent =
      t.label + " (" + (100 * t.prevalence).toFixed(1) + "% mean share)";
    Array.prototype.forEach.call(document.querySelectorAll("[data-topic]"), function (e) {
      var on = Number(e.getAttribute("data-topic")) === k;
      if (e.classList) { e.classList.toggle("selected", on); }
      else { e.setAttribute("class", on ? "topic-circle selected" : "topic-circle"); }
    });
    renderTerms();
    renderDocs();
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-topic]"), function (e) {
    e.addEventListener("click", function () { select(Number(e.getAttribute("data-topic"))); });
  });
  var slider = document.getElementById("lambda");
  var shown = document.getElementById("lambda-value");
  slider.addEventListener("input", function () {
    lambda = Number(slider.value);
    shown.textContent = lambda.toFixed(2);
    renderTerms();
  });
  if (data.topics.length) { select(0); }
})();
"""


def topic_browser_html(
    result,
    documents: pd.DataFrame | None = None,
    *,
    n_terms: int = 30,
    lambda_: float = 0.6,
    n_docs: int = 3,
    title: str = "Topics",
) -> str:
    """An offline, self-contained interactive topic browser as one HTML string.

    Parameters
    ----------
    result : fitted topic model
        Uses ``topic_word_``, ``vocabulary_``, ``doc_topic_``,
        ``term_frequency_``, ``doc_lengths_``, ``topic_labels_``.
    documents : DataFrame, optional
        One row per document of ``result``, in the same order, with
        ``doc_id`` and optionally ``title``/``body``; the ``n_docs`` documents
        with the highest share of each topic are embedded.
    n_terms : int
        Terms shown per topic.
    lambda_ : float
        Initial λ of the relevance slider.
    n_docs : int
        Representative documents per topic.
    title : str
        Page title.

    Returns
    -------
    str
        HTML5 with inline CSS, SVG, JSON and JavaScript; no external
        references. Identical across calls on the same inputs.
    """
    if not 0 <= lambda_ <= 1:
        raise ValueError(f"lambda_ must be in [0, 1], got {lambda_}")
    data = _browser_data(result, documents, int(n_terms), float(lambda_), int(n_docs))
    items = "".join(
        f'<li data-topic="{t["id"]}">{t["id"] + 1}. {html.escape(t["label"])} '
        f'<small>({100 * t["prevalence"]:.1f}%)</small></li>' for t in data["topics"])
    esc_title = html.escape(title)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc_title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{esc_title}</h1>\n"
        '<div id="layout">\n<div id="left">\n'
        "<p class=\"meta\">Inter-topic map (classical scaling of Jensen–Shannon distances; "
        "circle area ∝ prevalence). Click a topic.</p>\n"
        f"{_svg_map(data)}\n"
        f'<ul id="topic-list">{items}</ul>\n</div>\n'
        '<div id="right">\n<h2 id="topic-title"></h2>\n'
        '<div class="controls"><label for="lambda">Relevance λ = <span id="lambda-value">'
        f'{data["lambda"]:.2f}</span></label> '
        f'<input type="range" id="lambda" min="0" max="1" step="0.01" value="{data["lambda"]}"> '
        '<span class="legend"><span style="background:#c8c8c8"></span>corpus count'
        '<span style="background:#d9534f"></span>estimated count in topic</span></div>\n'
        '<table class="terms"><tbody id="terms"></tbody></table>\n'
        '<h3>Representative documents</h3>\n<div id="docs"></div>\n</div>\n</div>\n'
        f'<script type="application/json" id="topic-data">{_json_for_script(data)}</script>\n'
        f"<script>{_JS}</script>\n</body>\n</html>\n"
    )
