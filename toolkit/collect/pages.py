"""What a fetched page is — article, listing, sitemap, feed — and the links it leads to.

Party-committee portals differ in templates, not in genre. An **article**
has one story: a headline, a date line, and a body of running text that is
not a list of teasers. A **listing** (a category page, the home page, a
search-free index) is a list of stories: many links whose anchor text is a
headline, often each with a date and a one-paragraph teaser, and pagination
(``?page=2``, ``/trang-2``, ``Trang sau``, ``»``). :func:`classify_page`
decides from the page's structure, never from a portal's class names:

* the *body* is the running text outside links that does not belong to a
  listing item (a paragraph whose nearest container with a story link holds
  just that one story, or whose previous sibling is the story's headline);
* a page whose body holds at least :data:`ARTICLE_MIN_CHARS` characters in
  one container (less
  when its markup says ``og:type=article``) and a publication date is an
  article — unless it is a later page of a paginated list, or its teasers
  outweigh its body on a paginated page;
* so is such a page without a date when ingest's reader
  (:func:`toolkit.ingest.htmlpage.parse_html`) finds its headline and the
  page has no list structure (teasers, pagination): many templates show no
  date, and ingest keeps an undated article with an empty ``date``;
* so is a page whose running text no single container holds — a lead in a
  box of its own (``sapo``) before the body, paragraphs in blocks of their
  own — when ingest's reader finds its headline and a body of at least
  :data:`ARTICLE_MIN_CHARS` characters, the lead counted with it, and the
  page has no list structure;
* a page with many story links, teasers or pagination is a listing;
* anything else is ``other`` (contact, introduction, menus).

Story links alone (a box of related stories under an article) never make a
page with a headline and a body of running text a listing. The crawler and
ingest thus agree on what an article is: a page ingest reads as a headline
and a body, which is not a list of stories. A page of the site whose heading
is a section's name (``Giới thiệu chung``, ``Liên hệ``) stays ``other``.

Sitemaps (``urlset``, ``sitemapindex``, gzip or plain text) and RSS/Atom
feeds are read by :func:`read_xml`. Both are parsed without entities or
network access.

Examples
--------
>>> listing = '''<html><body><h1>Tin hoạt động</h1><ul>
... <li><a href="/tin/hoi-nghi-dan-van-khoi-xa-1.html">Hội nghị dân vận khéo cấp xã năm 2022</a></li>
... <li><a href="/tin/mat-tran-tham-ho-ngheo-2.html">Mặt trận xã thăm hộ nghèo dịp Tết Nguyên đán</a></li>
... <li><a href="/tin/hoi-phu-nu-ra-quan-3.html">Hội Phụ nữ ra quân làm sạch đường làng</a></li>
... </ul><a href="/tin-hoat-dong?page=2">Trang sau</a></body></html>'''
>>> classify_page(listing, "http://huyenuy.example.vn/tin-hoat-dong").kind
'listing'
"""

from __future__ import annotations

import functools
import gzip
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from toolkit.collect.urls import looks_like_file, resolve_link, url_key
from toolkit.ingest.htmlpage import html_tree, parse_html
from toolkit.ingest.pages import PARAGRAPH_SEP, PageFields

__all__ = ["PageReading", "XmlReading", "classify_page", "read_page", "read_xml", "page_number",
           "ARTICLE_MIN_CHARS"]

#: Running text (outside links and listing items) that makes a dated page an article.
ARTICLE_MIN_CHARS = 300
#: Story links (headline-like anchors) that make a page without a body a listing.
LISTING_MIN_STORIES = 4

_DROP = ("script", "style", "noscript", "template", "svg", "select", "textarea", "button", "head")
_INLINE = frozenset("""a abbr b bdi bdo big br cite code em font i img kbd label mark q s small span strong sub sup
time u var wbr del ins nobr tt strike""".split())
_CHROME = frozenset({"nav", "header", "footer", "aside", "form", "menu"})
# not `p` (WordPress's `?p=123` is a post) nor a bare `-p12` in a slug (item ids)
_PAGE_PARAM = re.compile(r"^(?:page|pg|trang|paged|pageindex|page_index|pagenum|pagenumber|currentpage|cpage|start"
                         r"|offset|so-trang|sotrang)$", re.IGNORECASE)
_PAGE_PATH = re.compile(r"(?:^|[/_-])(?:trang|page)[-_/]?(\d{1,5})(?:\.[a-z]{2,5})?/?$", re.IGNORECASE)
_PAGER_TEXT = re.compile(
    r"^(?:\d{1,5}|[»›>]{1,2}|[«‹<]{1,2}|trang\s+(?:sau|tiếp|kế|trước|cuối|đầu|\d+)|tiếp(?:\s+theo)?|sau|kế\s+tiếp|next|"
    r"prev(?:ious)?|last|first|cuối|đầu|xem\s+tiếp|xem\s+thêm)(?:\s*[»›>]+)?$",
    re.IGNORECASE,
)
_ARTICLE_TYPES = re.compile(r'"@type"\s*:\s*"(?:NewsArticle|Article|BlogPosting|ReportageNewsArticle)"')
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")


@dataclass
class PageReading:
    """What :func:`read_page` found on an HTML page."""

    kind: str
    reason: str
    links: list[str] = field(default_factory=list)
    pagination: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    story_links: int = 0
    body_chars: int = 0
    teasers: int = 0


@dataclass
class XmlReading:
    """A sitemap or feed: the pages and the further sitemaps it lists."""

    kind: str
    pages: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def page_number(url: str) -> int | None:
    """The list page number an address asks for (``?page=3``, ``/trang-3``, ``/page/3``), else None.

    Examples
    --------
    >>> page_number("http://x.vn/tin-tuc?page=3"), page_number("http://x.vn/tin-tuc/trang-2.html"), page_number("http://x.vn/tin-tuc/bai-12.html")
    (3, 2, None)
    """
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if _PAGE_PARAM.match(key) and value.isdigit():
            return int(value)
    match = _PAGE_PATH.search(parts.path)
    return int(match[1]) if match else None


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _own_text(element) -> str:
    """Text of ``element`` and its inline children, links and nested blocks left out."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag in _INLINE and child.tag != "a":
            parts.append(_own_text(child))
        parts.append(child.tail or "")
    return " ".join(" ".join(parts).split())


def _headline_like(text: str) -> bool:
    words = text.split()
    return len(words) >= 4 and len(text) >= 20 and not _PAGER_TEXT.match(text)


def _in_chrome(element) -> bool:
    return any(isinstance(a.tag, str) and a.tag in _CHROME for a in element.iterancestors())


def read_page(html: str, url: str, *, has_date: bool | None = None) -> PageReading:
    """Classify an HTML page and collect its links (absolute, in page order, without duplicates).

    Parameters
    ----------
    html
        The decoded page.
    url
        Its address (links are resolved against it or its ``<base href>``).
    has_date
        Whether the page shows a publication date; None: find out with
        :func:`toolkit.ingest.htmlpage.parse_html`.

    Returns
    -------
    PageReading
        ``kind`` is ``article``, ``listing`` or ``other`` (see the module's
        description), ``reason`` says why. Ingest's reading of the page
        (its headline, body and date) is made only when the page's structure
        leaves the kind open.
    """
    tree = html_tree(html)
    if tree is None:
        return PageReading(kind="other", reason="empty or unreadable HTML")
    base = url
    for element in tree.iter("base"):
        if element.get("href"):
            base = resolve_link(url, element.get("href")) or url
            break
    feeds: list[str] = []
    og_article = False
    for element in tree.iter("link", "meta"):
        if element.tag == "link":
            rel = (element.get("rel") or "").lower().split()
            kind = (element.get("type") or "").lower()
            if "alternate" in rel and kind in _FEED_TYPES:
                link = resolve_link(base, element.get("href"))
                if link and link not in feeds:
                    feeds.append(link)
        elif (element.get("property") or element.get("name") or "").lower() == "og:type":
            og_article = (element.get("content") or "").strip().lower() == "article"
    article_markup = og_article or bool(_ARTICLE_TYPES.search(html))

    next_links = [resolve_link(base, e.get("href")) for e in tree.iter("link", "a")
                  if "next" in (e.get("rel") or "").lower().split()]
    for element in list(tree.iter(*_DROP)):
        element.drop_tree()

    own_key = url_key(url)
    links: list[str] = []
    seen: set[str] = set()
    pagination: list[str] = []
    story_count: dict = {}
    n_story = 0
    story_keys: set[str] = set()
    for anchor in tree.iter("a", "area", "frame"):
        link = resolve_link(base, anchor.get("src") if anchor.tag == "frame" else anchor.get("href"))
        if link is None or looks_like_file(link):
            continue
        key = url_key(link)
        if key not in seen:
            seen.add(key)
            links.append(link)
        if key == own_key:
            continue
        text = _text(anchor) or (anchor.get("title") or "").strip()
        number = page_number(link)
        if _PAGER_TEXT.match(text) and (number is not None or text.isdigit() or not _headline_like(text)) \
                and (number is not None or _same_list(link, url)):
            if link not in pagination:
                pagination.append(link)
            continue
        if _headline_like(text) and not _in_chrome(anchor):
            if key not in story_keys:
                story_keys.add(key)
                n_story += 1
            story_count[anchor] = story_count.get(anchor, 0) + 1
            for ancestor in anchor.iterancestors():
                story_count[ancestor] = story_count.get(ancestor, 0) + 1
    for link in next_links:
        if link and link not in pagination:
            pagination.append(link)

    # running text: block elements' own text, outside menus and page chrome
    paragraphs = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in _INLINE or element.tag in ("html", "title"):
            continue
        own = _own_text(element)
        if len(own) >= 60 and len(own.split()) >= 10 and not _in_chrome(element):
            paragraphs.append((element, own))
    long_count: dict = {}
    for element, _ in paragraphs:
        long_count[element] = long_count.get(element, 0) + 1
        for ancestor in element.iterancestors():
            long_count[ancestor] = long_count.get(ancestor, 0) + 1

    body_chars = teaser_chars = teasers = 0
    # running text held together: an article's paragraphs share a container; a footer's or a sidebar's
    # text sits elsewhere and never adds up with them
    by_container: dict = {}
    first_in: dict = {}
    for element, own in paragraphs:
        if _is_teaser(element, story_count, long_count):
            teasers += 1
            teaser_chars += len(own)
        else:
            body_chars += len(own)
            container = element.getparent()
            by_container[container] = by_container.get(container, 0) + len(own)
            first_in.setdefault(container, element)
    main_chars = max(by_container.values(), default=0)
    if main_chars and _follows_a_story_link(tree, first_in[max(by_container, key=by_container.get)], story_count):
        # text right after a list of stories (a site footer, an introduction box under the list): not a story
        main_chars = 0

    reading = PageReading(kind="other", reason="", links=links, pagination=pagination, feeds=feeds,
                          story_links=n_story, body_chars=body_chars, teasers=teasers)
    number = page_number(url)
    list_structure = teasers >= 3 or bool(pagination)
    listing_like = n_story >= LISTING_MIN_STORIES or list_structure
    threshold = ARTICLE_MIN_CHARS // 2 if article_markup else ARTICLE_MIN_CHARS
    # ingest's reading of the page: its headline, body (a lead box restored before it) and date; parsed once, if asked
    story = functools.cache(lambda: parse_html(html, url=url))

    def dated() -> bool:
        return story().year is not None if has_date is None else has_date

    if number is not None and number >= 2:
        reading.kind, reading.reason = "listing", f"page {number} of a paginated list"
    elif main_chars >= threshold and not (pagination and teasers >= 3 and teaser_chars >= body_chars):
        if dated():
            reading.kind = "article"
            reading.reason = f"{main_chars} characters of running text in one block and a publication date"
        elif not list_structure and _headline(story()):
            reading.kind = "article"
            reading.reason = (f"{main_chars} characters of running text in one block under the headline "
                              f"{_headline(story())!r}, no publication date")
        elif listing_like:
            reading.kind = "listing"
            reading.reason = f"undated page with {n_story} story links, {teasers} teasers"
        else:
            reading.reason = f"{body_chars} characters of running text but no publication date and no headline"
    elif not list_structure and _headline(story()) and _body_chars(story()) >= threshold:
        # no one container holds the story: a lead box before the body, paragraphs in blocks of their own
        reading.kind = "article"
        reading.reason = (f"{_body_chars(story())} characters of running text in several blocks under the headline "
                          f"{_headline(story())!r}, " + ("a publication date" if dated() else "no publication date"))
    elif listing_like:
        reading.kind = "listing"
        reading.reason = (f"{n_story} story links, {teasers} teasers, {len(pagination)} pagination links, "
                          f"{body_chars} characters of running text")
    else:
        reading.reason = f"neither article nor listing ({n_story} story links, {body_chars} characters of text)"
    return reading


def classify_page(html: str, url: str, *, has_date: bool | None = None) -> PageReading:
    """:func:`read_page` (named for what callers use it for)."""
    return read_page(html, url, has_date=has_date)


def _same_list(link: str, url: str) -> bool:
    a, b = urlsplit(link), urlsplit(url)
    return a.netloc == b.netloc and a.path.rstrip("/") == b.path.rstrip("/")


def _is_teaser(element, story_count: dict, long_count: dict) -> bool:
    """A paragraph that belongs to one story of a list (its teaser), not to the page's own text."""
    previous = element.getprevious()
    while previous is not None and isinstance(previous.tag, str) and previous.tag in ("br", "img", "hr"):
        previous = previous.getprevious()
    if previous is not None and story_count.get(previous, 0) >= 1 and long_count.get(previous, 0) == 0:
        return True  # flat list: the story's headline, then its teaser
    node = element
    for _ in range(4):
        if node is None:
            break
        n_stories = story_count.get(node, 0)
        if n_stories:
            # an item holding one headline and this paragraph (maybe a second short one)
            return n_stories == 1 and long_count.get(node, 0) <= 2
        node = node.getparent()
    return False


def _follows_a_story_link(tree, paragraph, story_count: dict) -> bool:
    """Is the nearest text before ``paragraph`` (in reading order) a story link?

    An article's text follows its headline and date line; a footer or a box
    of text on a listing page follows the last story of the list.
    """
    ancestors = set(paragraph.iterancestors())
    previous = None
    for element in tree.iter():
        if element is paragraph:
            break
        if not isinstance(element.tag, str) or element in ancestors:
            continue
        if element.tag == "a" and story_count.get(element):
            previous = "story"
        elif element.tag != "a" and _own_text(element) and not _in_chrome(element):
            previous = "text"
    return previous == "story"


def _headline(fields: PageFields) -> str:
    """The headline ingest's reader found, when it reads as a story's headline (not a section's name), else ``""``.

    Ingest never takes a category, menu or site name for a headline; a
    heading shorter than a story link's anchor (``Giới thiệu chung``) is a
    page of the site, not a story.
    """
    return fields.title if _headline_like(fields.title) else ""


def _body_chars(fields: PageFields) -> int:
    """Characters of the body ingest's reader keeps, paragraphs joined as :func:`read_page` counts running text."""
    return sum(len(" ".join(part.split())) for part in fields.body.split(PARAGRAPH_SEP))


def _local(tag) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


_XML_PARSER = dict(resolve_entities=False, no_network=True, recover=True, huge_tree=False, remove_comments=True)


def read_xml(data: bytes, url: str) -> XmlReading | None:
    """Read a sitemap (``urlset``/``sitemapindex``, gzip or plain list of URLs) or an RSS/Atom feed.

    None when ``data`` is neither.

    Examples
    --------
    >>> xml = b'''<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    ... <url><loc>http://huyenuy.example.vn/tin/bai-1.html</loc></url></urlset>'''
    >>> read_xml(xml, "http://huyenuy.example.vn/sitemap.xml").pages
    ['http://huyenuy.example.vn/tin/bai-1.html']
    """
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return None
    stripped = data.lstrip()
    if not stripped.startswith(b"<"):
        lines = [line.strip() for line in stripped.decode("utf-8", "replace").splitlines() if line.strip()]
        if lines and all(line.startswith(("http://", "https://")) for line in lines):
            return XmlReading(kind="sitemap", pages=_resolved(url, lines))
        return None
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(**_XML_PARSER))
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    name = _local(root.tag)
    if name in ("urlset", "sitemapindex"):
        locs = [(e.text or "").strip() for e in root.iter() if _local(e.tag) == "loc" and _local(e.getparent().tag)
                in ("url", "sitemap")]
        if name == "urlset":
            return XmlReading(kind="sitemap", pages=_resolved(url, locs))
        return XmlReading(kind="sitemap", sitemaps=_resolved(url, locs))
    if name in ("rss", "rdf"):
        found = []
        for item in root.iter():
            if _local(item.tag) != "item":
                continue
            link = next((c for c in item if _local(c.tag) == "link"), None)
            if link is not None and (link.text or "").strip():
                found.append(link.text.strip())
            else:
                guid = next((c for c in item if _local(c.tag) == "guid"), None)
                if guid is not None and (guid.text or "").strip().startswith("http"):
                    found.append(guid.text.strip())
        return XmlReading(kind="feed", pages=_resolved(url, found))
    if name == "feed":
        found = []
        for entry in root.iter():
            if _local(entry.tag) != "entry":
                continue
            for link in entry:
                if _local(link.tag) == "link" and (link.get("rel") or "alternate") == "alternate" and link.get("href"):
                    found.append(link.get("href"))
                    break
        return XmlReading(kind="feed", pages=_resolved(url, found))
    return None


def _resolved(base: str, links: list[str]) -> list[str]:
    out: list[str] = []
    for raw in links:
        link = resolve_link(base, raw)
        if link is not None and link not in out:
            out.append(link)
    return out
