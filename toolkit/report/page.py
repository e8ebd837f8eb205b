"""The report page: every figure and table of a run, with what it shows and how it was made."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

_CODE = re.compile(r"`([^`\n]+)`")
_STRONG = re.compile(r"(?<![\w*])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])")
_EM = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")


def inline_markdown(text: str) -> str:
    """HTML of ``text`` with Markdown's inline code, strong and emphasis; everything else escaped.

    Only `` `code` ``, ``**strong**`` and ``*emphasis*`` are read (no links,
    no raw HTML: any ``<`` is shown as text). Inside code nothing else is
    read, and underscores never mean emphasis (tokens such as
    ``giải_phóng`` keep them).

    Examples
    --------
    >>> inline_markdown("made by `python -m toolkit figures` from *tôn giáo* <b>")
    'made by <code>python -m toolkit figures</code> from <em>tôn giáo</em> &lt;b&gt;'
    """
    out = []
    for i, part in enumerate(_CODE.split(text)):
        if i % 2:
            out.append(f"<code>{html.escape(part)}</code>")
        else:
            part = html.escape(part)
            part = _STRONG.sub(r"<strong>\1</strong>", part)
            out.append(_EM.sub(r"<em>\1</em>", part))
    return "".join(out)


@dataclass(frozen=True)
class ReportItem:
    """One figure or table of the report.

    ``path`` is relative to the report page; ``caption`` says what the item
    shows, ``method`` how it was made.
    """

    kind: str  # "figure" or "table"
    title: str
    path: str
    caption: str
    method: str
    alternates: tuple[str, ...] = ()


def render_report(items: Sequence[ReportItem], *, title: str, provenance: Mapping[str, object],
                  intro: str = "", explorer: str | None = None, methods: str | None = None) -> str:
    """A self-contained HTML page (no scripts, no external assets) listing ``items``.

    ``intro``, captions and methods may use Markdown's inline code and
    emphasis (:func:`inline_markdown`); every other character is escaped.
    ``explorer``: the path of the offline explorer, linked at the top;
    ``methods``: the path of the methods appendix (the themes' definitions,
    the model, versions and hashes), linked beside it.
    """
    esc = html.escape
    md = inline_markdown
    rows = "".join(
        f"<tr><th>{esc(str(k))}</th><td><code>{esc(str(v))}</code></td></tr>" for k, v in sorted(provenance.items())
        if not isinstance(v, Mapping))
    packages = provenance.get("packages", {})
    package_list = ", ".join(f"{esc(k)} {esc(str(v))}" for k, v in sorted(packages.items())) if packages else ""
    sections = []
    for number, item in enumerate(items, start=1):
        links = " · ".join(f'<a href="{esc(p)}">{esc(p.rsplit(".", 1)[-1].upper())}</a>'
                           for p in (item.path, *item.alternates))
        body = (f'<a href="{esc(item.path)}"><img src="{esc(item.path)}" alt="{esc(item.title)}"></a>'
                if item.kind == "figure" else f'<p class="table">Table: {links}</p>')
        sections.append(
            f'<section id="item-{number}"><h2>{number}. {esc(item.title)}</h2>{body}'
            f"<p><strong>What it shows.</strong> {md(item.caption)}</p>"
            f"<p><strong>How it was made.</strong> {md(item.method)}</p>"
            f'<p class="files">Files: {links}</p></section>')
    explorer_link = (f'<p class="explorer"><a id="explorer-link" href="{esc(explorer)}">Open the explorer</a>: '
                     "choose a theme or topic, click a locality × year cell of its trend, and read the documents "
                     "and the lines behind it (one offline file).</p>\n" if explorer else "")
    methods_link = (f'<p class="methods"><a id="methods-link" href="{esc(methods)}">Methods appendix</a>: what each '
                    "theme means (its definition), how it was measured and how well, the topic model, versions and "
                    "hashes.</p>\n" if methods else "")
    toc = "".join(f'<li><a href="#item-{n}">{esc(i.title)}</a></li>' for n, i in enumerate(items, start=1))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }}
img {{ max-width: 100%; border: 1px solid #ddd; }}
section {{ margin: 2.5em 0; }} table.prov th {{ text-align: left; padding-right: 1em; }}
.files, .table {{ font-size: 0.9em; color: #555; }}
code {{ font-family: "DejaVu Sans Mono", monospace; font-size: 0.92em; background: #f3f3f3; padding: 0 .2em; }}
.explorer {{ font-size: 1.05em; padding: .6em .8em; background: #eef4fa; border-left: 4px solid #3a6f9f; }}
</style></head><body>
<h1>{esc(title)}</h1>
<p>{md(intro)}</p>
{explorer_link}{methods_link}<ol>{toc}</ol>
{''.join(sections)}
<h2>Provenance</h2>
<table class="prov">{rows}</table>
<p class="files">Packages: {package_list}</p>
</body></html>
"""
