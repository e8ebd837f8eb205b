"""HTML pages of Party-committee / Ban Dân vận portals → document fields.

:func:`parse_html` combines two readings of a page:

* trafilatura's main-text extraction (``favor_precision``, no comments) with
  its metadata (headline, date from markup, author, categories, URL);
* the genre rules of :func:`toolkit.ingest.pages.parse_page`, applied both to
  the extracted main text (captions, author lines, event dates) and to the
  whole page rendered as text (header date and view lines, breadcrumbs, which
  trafilatura drops as furniture).

When trafilatura finds no main text, the page rendered as text goes through
:func:`~toolkit.ingest.pages.parse_page` alone. The result is deterministic.

Examples
--------
>>> html = '''<html><body><nav>Trang chủ | Tin tức | Liên hệ</nav>
... <article><h1>Hội Nông dân xã tập huấn trồng rau an toàn</h1>
... <div class="date">Ngày đăng: 02/03/2020 | Lượt xem: 90</div>
... <p>Chiều 1/3/2020, Hội Nông dân xã Cổ Loa mở lớp tập huấn cho 60 hội viên về trồng rau.</p>
... <p>Các học viên được hướng dẫn dùng phân bón hữu cơ và ghi nhật ký sản xuất.</p></article>
... </body></html>'''
>>> fields = parse_html(html)
>>> fields.title, fields.date, fields.views
('Hội Nông dân xã tập huấn trồng rau an toàn', '2020-03-02', 90)
"""

from __future__ import annotations

import logging
import re

import lxml.html
from lxml import etree

from toolkit.ingest.dates import find_date, infer_date
from toolkit.ingest.pages import (
    BANNER,
    PARAGRAPH_SEP,
    PageFields,
    _classify,
    _is_title_candidate,
    _set_date,
    banner_year,
    find_issuer,
    parse_page,
    split_lines,
)

__all__ = ["parse_html", "html_to_text", "html_captions", "markup_date"]

logger = logging.getLogger("toolkit.ingest")

_DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas",
              "select", "button", "input", "textarea", "head", "map")
_BLOCK_TAGS = frozenset("""p div br li ul ol h1 h2 h3 h4 h5 h6 tr td th table thead tbody tfoot section article
header footer nav aside figure figcaption blockquote pre dd dt dl form hr main address center caption
fieldset legend details summary""".split())
_CAPTION_CLASS_RE = re.compile(
    r"caption|chuthich|chu-thich|chu_thich|img-desc|image-desc|desc-img|imgdesc|photo-desc|expnoedit|fig-desc"
    r"|image_desc|ghi-chu-anh|note-image|img_caption|pcaption",
    re.IGNORECASE,
)
_TITLE_SPLIT_RE = re.compile(r"(\s+[|\-–—:»]\s+)")
_SITE_PART_RE = re.compile(
    r"^(?:cổng thông tin|trang thông tin|trang tin|website|báo|tạp chí|ban dân vận|huyện ủy|quận ủy|thành ủy"
    r"|tỉnh ủy|thị ủy|đảng bộ|ubnd|ủy ban nhân dân|www\.|https?://|[\w-]+\.(?:vn|com|net|org)\b)",
    re.IGNORECASE,
)


def html_tree(html: str) -> lxml.html.HtmlElement | None:
    """The parsed page (an XML declaration dropped), or ``None`` for an empty or unparsable one."""
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html or "")
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def html_to_text(html: str) -> str:
    """The visible text of an HTML page, one block element per line.

    Scripts, styles and form controls are dropped; images become a ``[Ảnh]``
    line so that the captions next to them can be recognized; navigation bars
    other than breadcrumbs are dropped.

    Examples
    --------
    >>> html_to_text("<body><p>Một</p><p>Hai<br>Ba</p><img src='a.jpg'><script>x()</script></body>")
    'Một\\nHai\\nBa\\n[Ảnh]'
    """
    tree = html_tree(html)
    if tree is None:
        return ""
    return _render(tree)


def _render(tree: lxml.html.HtmlElement) -> str:
    tree = lxml.html.fromstring(lxml.html.tostring(tree, encoding="unicode"))  # work on a copy
    for element in list(tree.iter(*_DROP_TAGS)):
        element.drop_tree()
    for element in list(tree.iter(etree.Comment, etree.ProcessingInstruction)):
        element.drop_tree()
    for element in list(tree.iter("nav")):
        marker = " ".join(str(element.get(a, "")) for a in ("class", "id", "aria-label")).lower()
        if "bread" not in marker and "crumb" not in marker:
            element.drop_tree()
    for element in tree.iter("img"):
        element.tail = "\n[Ảnh]\n" + (element.tail or "")
    for element in tree.iter(*_BLOCK_TAGS):
        element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")
    text = tree.text_content()
    return "\n".join(line for line in split_lines(text) if line)


def html_captions(html: str) -> list[str]:
    """Photo captions marked up as such (``<figcaption>``, caption classes, image tables)."""
    tree = html_tree(html)
    return _captions(tree) if tree is not None else []


def _clean(text: str) -> str:
    return " ".join(text.split())


def _captions(tree: lxml.html.HtmlElement) -> list[str]:
    found: list[str] = []
    for element in tree.iter("figcaption"):
        found.append(_clean(element.text_content()))
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("figcaption", "body", "html"):
            continue
        classes = f"{element.get('class', '')} {element.get('id', '')}"
        if classes.strip() and _CAPTION_CLASS_RE.search(classes) and element.tag not in ("img", "figure", "table"):
            found.append(_clean(element.text_content()))
    for table in tree.iter("table"):
        rows = table.findall(".//tr")
        if len(rows) <= 3 and table.find(".//img") is not None:
            for row in rows:
                if row.find(".//img") is None:
                    found.append(_clean(row.text_content()))
    out: list[str] = []
    for caption in found:
        if caption and 2 <= len(caption.split()) <= 60 and caption not in out:
            out.append(caption)
    return out


def _clean_title(title: str | None, sitename: str | None) -> str:
    """The headline without the site name the ``<title>`` often adds before or after it."""
    title = _clean(title or "")
    if not title:
        return ""
    pieces = _TITLE_SPLIT_RE.split(title)  # parts at even positions, separators at odd ones
    site = _clean(sitename or "").casefold()

    def is_site(part: str, limit: int) -> bool:
        part = part.strip()
        return bool(site and (part.casefold() == site or (len(part) > 3 and part.casefold() in site))) or (
            bool(_SITE_PART_RE.match(part)) and len(part.split()) <= limit)

    while len(pieces) > 1:
        if is_site(pieces[-1], 10):
            del pieces[-2:]
        elif is_site(pieces[0], 6) and len(" ".join(pieces[2:]).split()) >= 4:
            del pieces[:2]
        else:
            break
    return "".join(pieces).strip()


def _h1(tree: lxml.html.HtmlElement) -> str:
    """The first ``<h1>`` that reads like a headline (not the portal's name in a logo)."""
    for element in tree.iter("h1"):
        text = " ".join(split_lines(element.text_content())).strip()
        text = _clean(text)
        if len(text.split()) >= 3 and _is_title_candidate(_classify(text)):
            return text
    return ""


_TABLE_RULE_RE = re.compile(r"^\|?(?:\s*:?-{2,}:?\s*\|)+\s*:?-*:?\s*$")


def _untable(text: str) -> str:
    """One line per cell for the ``| a | b |`` rows trafilatura writes for tables."""
    out = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("|") or stripped.endswith("|"):
            if _TABLE_RULE_RE.match(stripped):
                continue
            out.extend(cell.strip() for cell in stripped.strip("|").split(" | ") if cell.strip())
        else:
            out.append(line)
    return "\n".join(out)


def _headline_like(text: str) -> bool:
    return bool(text) and len(text.split()) >= 3 and _is_title_candidate(_classify(text))


def _choose_title(h1: str, meta_titles: list[str], text_title: str, full_text: str) -> str:
    """The headline: the page's ``<h1>``, else a markup title the page shows as a line,
    else the line the genre rules found next to the date line, else a markup title."""
    if h1:
        return h1
    candidates = [t for t in meta_titles if _headline_like(t)]
    shown = set(full_text.split("\n"))
    for title in candidates:
        if title in shown:
            return title
    return text_title or (candidates[0] if candidates else "")


def _markup_titles(tree: lxml.html.HtmlElement) -> list[str]:
    found = []
    for element in tree.iter("meta"):
        if (element.get("property") or element.get("name") or "").lower() in ("og:title", "twitter:title"):
            found.append(element.get("content") or "")
    for element in tree.iter("title"):
        found.append(element.text_content())
    return found


_PUBLISHED_META = frozenset({
    "article:published_time", "og:published_time", "og:article:published_time", "published_time",
    "datepublished", "pubdate", "publishdate", "publish-date", "publish_date", "published-date", "date",
    "dc.date", "dc.date.issued", "dc.date.created", "dcterms.created", "dcterms.issued", "article.published",
    "sailthru.date", "created", "date.published",
})
_JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{6,40})"')


def markup_date(html: str) -> tuple[str, str] | None:
    """Publication date of an HTML page from its markup, as ``(iso, precision)``.

    Looked up in order: publication meta tags (``article:published_time``,
    ``itemprop="datePublished"``, ``pubdate``, ``dc.date``…), JSON-LD
    ``datePublished``, a ``<time>`` marked as the publication time
    (``pubdate``, ``itemprop="datePublished"``, a ``publish`` class), and the
    first ``<time datetime>`` of the ``<article>``. Modification times are
    never used.

    Examples
    --------
    >>> markup_date('<html><head><meta property="article:published_time" content="2022-11-15T08:45:00+07:00">'
    ...             '</head><body><p>x</p></body></html>')
    ('2022-11-15', 'day')
    >>> markup_date('<html><body><article><time datetime="2020-01-08">8/1</time><p>x</p></article></body></html>')
    ('2020-01-08', 'day')
    """
    tree = html_tree(html)
    return _markup_date(tree, html) if tree is not None else None


def _parsed(value: str | None) -> tuple[str, str] | None:
    found = find_date(value.strip()) if value and value.strip() else None
    return (found.iso, found.precision) if found is not None and found.precision != "year" else None


def _markup_date(tree: lxml.html.HtmlElement, html: str) -> tuple[str, str] | None:
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        if key in _PUBLISHED_META:
            found = _parsed(element.get("content"))
            if found:
                return found
    for match in _JSON_LD_DATE.finditer(html):
        found = _parsed(match[1])
        if found:
            return found
    times = list(tree.iter("time"))
    for element in times:
        marker = f"{element.get('itemprop', '')} {element.get('class', '')}".lower()
        if element.get("pubdate") is not None or "datepublished" in marker or "publish" in marker:
            found = _parsed(element.get("datetime") or element.text_content())
            if found:
                return found
    for article in tree.iter("article"):
        for element in article.iter("time"):
            found = _parsed(element.get("datetime"))
            if found:
                return found
    return None


def _canonical_url(tree: lxml.html.HtmlElement) -> str | None:
    for element in tree.iter("link"):
        if (element.get("rel") or "").lower() == "canonical" and element.get("href"):
            return element.get("href").strip()
    for element in tree.iter("meta"):
        if (element.get("property") or "").lower() == "og:url" and element.get("content"):
            return element.get("content").strip()
    return None


def _extract(html: str, url: str | None):
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - trafilatura is a dependency
        logger.warning("trafilatura is not installed; HTML pages are read as plain text")
        return None
    try:
        return trafilatura.bare_extraction(
            html,
            url=url,
            include_comments=False,
            favor_precision=True,
            include_tables=True,
            include_images=False,
            with_metadata=True,
            deduplicate=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # trafilatura raises many kinds on broken markup
        logger.debug("trafilatura failed: %s", exc)
        return None


def _attr(doc, name: str):
    if doc is None:
        return None
    if isinstance(doc, dict):
        return doc.get(name)
    return getattr(doc, name, None)


def parse_html(html: str, url: str | None = None) -> PageFields:
    """Parse an HTML news page into :class:`~toolkit.ingest.pages.PageFields`.

    Parameters
    ----------
    html
        The page's markup (already decoded).
    url
        Address of the page, when known; else the page's canonical URL.

    Returns
    -------
    PageFields
        The headline is the page's ``<h1>``, else a markup title
        (``og:title``, ``<title>`` without the site name) shown on the page,
        else the line the genre rules find next to the date line; never a
        category line. The date comes from a header date line of the page,
        else from the page's date markup (:func:`markup_date`), else from the
        address, else from the opening paragraph with the year from the
        page's evidence (see :func:`toolkit.ingest.dates.infer_date`);
        ``date_source`` says which. ``body`` is empty when nothing but
        boilerplate is found.
    """
    tree = html_tree(html)
    if tree is None:
        return PageFields(url=url)
    full_text = _render(tree)
    doc = _extract(html, url)
    page_url = url or _attr(doc, "url") or _canonical_url(tree)
    full = parse_page(full_text, url=page_url)
    marked_captions = _captions(tree)
    main_text = _untable(_attr(doc, "text") or "").strip()

    # trafilatura's own date is not used: it falls back to modification times and the address.
    markup = _markup_date(tree, html)
    if not main_text:
        _add_captions(full, [c for c in marked_captions if c in full.body or c in full.captions])
        full.url = page_url
        _date_html(full, full, full, markup, full_text)
        return full

    sitename = _attr(doc, "sitename")
    meta_titles = [_clean_title(t, sitename) for t in [_attr(doc, "title") or ""] + _markup_titles(tree)]
    title = _choose_title(_h1(tree), meta_titles, full.title, full_text)
    main = parse_page(main_text, title=title, url=page_url)

    fields = PageFields(title=title, url=page_url)
    fields.body = main.body
    fields.captions = main.captions
    fields.author = main.author or full.author or _clean(_attr(doc, "author") or "")
    fields.views = full.views if full.views is not None else main.views
    categories = _attr(doc, "categories") or []
    fields.category = full.category or (_clean(categories[0]) if categories else "") or main.category
    _add_captions(fields, [c for c in marked_captions if c in main_text or c in full.captions])

    opening = fields.body.split(PARAGRAPH_SEP, 1)[0] if fields.body else ""
    _date_html(fields, full, main, markup, full_text)
    fields.issuer = find_issuer(author=fields.author, title=fields.title, opening=opening)
    return fields


def _date_html(fields: PageFields, full: PageFields, main: PageFields, markup: tuple[str, str] | None,
               full_text: str) -> None:
    """A header date line of the page wins; else markup, address, event date… (see ``infer_date``)."""
    for parsed in (full, main):
        if parsed.date_source.startswith("header") and parsed.date_precision == "day":
            _copy_date(fields, parsed)
            return
    opening = fields.body.split(PARAGRAPH_SEP, 1)[0] if fields.body else ""
    banners = [line for line in split_lines(full_text) if _classify(line).kind == BANNER]
    found = infer_date(markup=markup, url=fields.url, title=fields.title, opening=opening,
                       banner_year=banner_year(banners))
    if found is not None:
        _set_date(fields, (found.iso, found.precision), found.source)
    elif main.date_source:
        _copy_date(fields, main)
    elif full.date_source:
        _copy_date(fields, full)


def _copy_date(target: PageFields, source: PageFields) -> None:
    target.date = source.date
    target.date_precision = source.date_precision
    target.year = source.year
    target.date_source = source.date_source


def _add_captions(fields: PageFields, captions: list[str]) -> None:
    """Move marked-up captions out of the body and into ``captions``."""
    if not captions:
        return
    wanted = {c.casefold() for c in captions}
    paragraphs = fields.body.split(PARAGRAPH_SEP) if fields.body else []
    fields.body = PARAGRAPH_SEP.join(p for p in paragraphs if p.casefold() not in wanted)
    existing = fields.captions.split("\n") if fields.captions else []
    for caption in captions:
        if caption not in existing:
            existing.append(caption)
    fields.captions = "\n".join(existing)
