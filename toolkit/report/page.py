"""The report page: every figure and table of a run, with what it shows and how it was made."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


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
                  intro: str = "") -> str:
    """A self-contained HTML page (no scripts, no external assets) listing ``items``."""
    esc = html.escape
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
            f"<p><strong>What it shows.</strong> {esc(item.caption)}</p>"
            f"<p><strong>How it was made.</strong> {esc(item.method)}</p>"
            f'<p class="files">Files: {links}</p></section>')
    toc = "".join(f'<li><a href="#item-{n}">{esc(i.title)}</a></li>' for n, i in enumerate(items, start=1))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }}
img {{ max-width: 100%; border: 1px solid #ddd; }}
section {{ margin: 2.5em 0; }} table.prov th {{ text-align: left; padding-right: 1em; }}
.files, .table {{ font-size: 0.9em; color: #555; }}
</style></head><body>
<h1>{esc(title)}</h1>
<p>{esc(intro)}</p>
<ol>{toc}</ol>
{''.join(sections)}
<h2>Provenance</h2>
<table class="prov">{rows}</table>
<p class="files">Packages: {package_list}</p>
</body></html>
"""
