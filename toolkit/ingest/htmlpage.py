"""HTML pages of Party-committee / Ban Dân vận portals → document fields.

:func:`parse_html` combines two readings of a page:

* trafilatura's main-text extraction (``favor_precision``, no comments) with
  its metadata (headline, date from markup, author, categories, URL);
* the genre rules of :func:`toolkit.ingest.pages.parse_page`, applied both to
  the extracted main text (captions, author lines, event dates) and to the
  whole page rendered as text (header date and view lines, breadcrumbs, which
  trafilatura drops as furniture).

trafilatura writes a table cell on one line; a layout table's cell (headline,
date line, paragraphs, sidebars) is split again into the page's own lines
before the genre rules read it. When trafilatura finds no main text, the page
rendered as text goes through :func:`~toolkit.ingest.pages.parse_page` alone.
The result is deterministic.

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

import functools
import logging
import re
from copy import deepcopy
from datetime import datetime, timedelta, timezone

import lxml.html
from lxml import etree

from toolkit.ingest.dates import find_date, infer_date
from toolkit.ingest.pages import (
    BANNER,
    IMAGE,
    PARAGRAPH_SEP,
    _NOT_AUTHORS,
    _PORTAL_RE,
    PageFields,
    _classify,
    _is_title_candidate,
    _set_date,
    banner_year,
    category_text,
    find_issuer,
    parse_page,
    split_lines,
)

__all__ = ["parse_html", "html_to_text", "html_captions", "markup_date", "vietnam_day"]

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
# The words of a site's or committee's name besides its proper names: "Ban Dân vận Huyện ủy Yên Thành",
# "Cổng thông tin điện tử Đảng bộ huyện Yên Định", "Ủy ban nhân dân huyện Hoằng Hóa, tỉnh Thanh Hóa".
_NAME_KIND_RE = re.compile(
    r"(?:(?:cổng|trang) thông tin(?: điện tử)?|trang tin(?: điện tử)?|website|ban (?:dân vận|tuyên giáo|tổ chức"
    r"|thường vụ|chấp hành)|(?:huyện|quận|thành|tỉnh|thị|đảng) ủy|đảng bộ|ủy ban nhân dân|ubnd|hđnd"
    r"|hội đồng nhân dân|ủy ban (?:mttq|mặt trận tổ quốc)|mặt trận tổ quốc|việt nam|tỉnh|thành phố|tp\.|huyện|quận"
    r"|thị xã|xã|phường|thị trấn)(?=[\s,]|$)[\s,]*",
    re.IGNORECASE,
)
_PROPER_WORD_RE = re.compile(r"(?:[^\W\d_][\w.-]*|\d+)[\s,]*")


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


@functools.cache
def _joined_place_re() -> re.Pattern[str]:
    """Place names written with a dash ("Bà Rịa - Vũng Tàu", "Phan Rang - Tháp Chàm"), any dash and spacing."""
    from toolkit.places import place_names

    names = sorted((name for name in place_names() if re.search(r"\s[-–—]\s", name)), key=len, reverse=True)
    sides = [re.split(r"\s[-–—]\s", name) for name in names]
    return re.compile("|".join(r"\s*[-–—]\s*".join(re.escape(side.strip()) for side in parts) for parts in sides),
                      re.IGNORECASE)


def _split_title(title: str) -> list[str]:
    """``title`` split at its separators (parts at even positions, separators at odd ones), a place name written
    with a dash kept whole.

    Examples
    --------
    >>> _split_title("Hội nghị dân vận - Tỉnh ủy Bà Rịa - Vũng Tàu")
    ['Hội nghị dân vận', ' - ', 'Tỉnh ủy Bà Rịa - Vũng Tàu']
    """
    kept: list[str] = []

    def hold(match: re.Match[str]) -> str:
        kept.append(match.group())
        return f"\x00{len(kept) - 1}\x00"

    pieces = _TITLE_SPLIT_RE.split(_joined_place_re().sub(hold, title))
    return [re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], piece) for piece in pieces]


def _clean_title(title: str | None, sitename: str | None) -> str:
    """The headline without the site name the ``<title>`` often adds before or after it."""
    title = _clean(title or "")
    if not title:
        return ""
    pieces = _split_title(title)  # parts at even positions, separators at odd ones
    site = _clean(sitename or "").casefold()

    def is_site(part: str, limit: int) -> bool:
        part = part.strip()
        return bool(site and (part.casefold() == site or (len(part) > 3 and part.casefold() in site))) or (
            bool(_SITE_PART_RE.match(part)) and len(part.split()) <= limit)

    while len(pieces) > 1:
        if is_site(pieces[-1], 10):
            del pieces[-2:]
        elif (is_site(pieces[0], 6) or (len(pieces[0].split()) <= 10 and _is_site_name(pieces[0]))) and len(
                " ".join(pieces[2:]).split()) >= 4:
            del pieces[:2]
        else:
            break
    return "".join(pieces).strip()


def _is_site_name(part: str) -> bool:
    """Whether ``part`` is a site's or committee's name: its kind words and proper names only.

    A headline about a committee ("Huyện ủy Yên Thành sơ kết công tác dân vận") has other words.

    Examples
    --------
    >>> _is_site_name("Ban Dân vận Huyện ủy Yên Thành"), _is_site_name("Huyện ủy Yên Thành sơ kết công tác dân vận")
    (True, False)
    """
    part = _joined_place_re().sub(lambda m: re.sub(r"\s*[-–—]\s*", " ", m.group()), part.strip())
    if not _SITE_PART_RE.match(part):
        return False
    pos = 0
    while pos < len(part):
        kind = _NAME_KIND_RE.match(part, pos)
        if kind:
            pos = kind.end()
            continue
        word = _PROPER_WORD_RE.match(part, pos)
        if word is None or not (word.group()[0].isupper() or word.group()[0].isdigit()):
            return False
        pos = word.end()
    return True


# The site's owner in its footer; its committee's name as a header prints it (in capitals). Not its address: a
# national paper's address ("15 Lý Nam Đế, Hoàn Kiếm") is no place of its articles.
_OWNER_LINE_RE = re.compile(
    r"^(?:bản quyền|copyright|©|cơ quan chủ quản|đơn vị chủ quản|cơ quan quản lý|đơn vị quản lý|cơ quan chủ trì)",
    re.IGNORECASE)
_COMMITTEE_LINE_RE = re.compile(
    r"^(?:ban dân vận|ban tuyên giáo|huyện ủy|quận ủy|thành ủy|thị ủy|tỉnh ủy|đảng bộ|ủy ban nhân dân|ubnd"
    r"|mặt trận tổ quốc|ủy ban mttq|cổng thông tin|trang thông tin|tỉnh|thành phố|huyện|quận|thị xã)\b",
    re.IGNORECASE)
# Where a footer's owner line goes on to the office ("Cơ quan chủ quản: Ban Dân vận Tỉnh ủy Đồng Nai. Địa chỉ: 02
# Nguyễn Văn Trị, TP. Biên Hòa"): its address, phone, e-mail, licence or editor; a street number after a comma, full
# stop or dash ("- 16 Lê Lợi"; a year is none, nor the "1" of "Quận ủy Quận 1"); any "Label:" after a full stop or
# dash (not "Bà Rịa - Vũng Tàu"). The office's city is no place of the site's articles.
_OWNER_END_RE = re.compile(
    r"[\s.,;:|–—-]+(?=(?:địa chỉ|trụ sở|tòa soạn|điện thoại|tel|fax|hotline|e-?mail|giấy phép|chịu trách nhiệm"
    r"|(?:phó )?trưởng ban biên tập|(?:phó )?tổng biên tập)\b|đ/c\s*:|đt\s*[:.(\d])"
    r"|\s*[.,;|–—-]\s*(?=(?:số\s+)?(?!(?:19|20)\d\d\b)\d+[a-z]?(?:/\d+[a-z]?)*\s+(?:đường\s+)?[^\W\d_])"
    r"|\s*[.;|–—-]\s+(?=[^\W\d_][^:.,;|–—-]{0,30}:)",
    re.IGNORECASE)
# A part of the <title> beside the headline that names the site or its place ("- Huyện Đại Từ").
_PLACE_PART_RE = re.compile(r"\b(?:tỉnh|thành phố|tp\.|huyện|quận|thị xã|xã|phường|thị trấn)\s+\w", re.IGNORECASE)


def _owner(line: str) -> str:
    """A footer's owner line without the office's address and contacts that may follow it on the line.

    The site's identity is its owner, not where its office is: a province committee's portal has its office in a
    district's city, a national paper in Hà Nội.

    Examples
    --------
    >>> _owner("Cơ quan chủ quản: Ban Dân vận Tỉnh ủy Đồng Nai. Địa chỉ: 02 Nguyễn Văn Trị, TP. Biên Hòa.")
    'Cơ quan chủ quản: Ban Dân vận Tỉnh ủy Đồng Nai'
    >>> _owner("Bản quyền thuộc Ban Dân vận Huyện ủy Đại Từ, tỉnh Thái Nguyên")
    'Bản quyền thuộc Ban Dân vận Huyện ủy Đại Từ, tỉnh Thái Nguyên'
    """
    for end in _OWNER_END_RE.finditer(line):
        if line[:end.start()].strip(" .,;:|–—-©"):  # a label never ends the line at its start
            return line[:end.start()]
    return line


def _site_text(sitename: str, title_tags: list[str], headline: str, full_text: str, article_text: str,
               links: set[str]) -> str:
    """The site's own name as the page shows it (see ``PageFields.site``), one per line, in page order.

    Links are left out: a portal lists other portals ("Liên kết website"), and sidebars link other articles. A
    footer's line ends before the office's address (:func:`_owner`).
    """
    found = [_clean(sitename)] if sitename else []
    head = _clean(headline).casefold()
    for tag in title_tags:
        pieces = _split_title(_clean(tag))[::2]
        found += [piece.strip() for piece in pieces
                  if piece.strip() and piece.strip().casefold() not in head and len(piece.split()) <= 15
                  and (_SITE_PART_RE.match(piece.strip()) or _PLACE_PART_RE.search(piece))]
    article = set(split_lines(article_text))
    for line in split_lines(full_text):
        if not line or line in links or line in article or len(line.split()) > 30:
            continue
        if _OWNER_LINE_RE.match(line) or _PORTAL_RE.match(line) or (
                _COMMITTEE_LINE_RE.match(line) and line.upper() == line and len(line.split()) <= 15):
            found.append(_owner(line))
    return "\n".join(dict.fromkeys(part for part in found if part))


def _h1(tree: lxml.html.HtmlElement, titles: list[str] | tuple[str, ...] = ()) -> str:
    """The first ``<h1>`` that reads like a headline (not the portal's name in a logo).

    An ``<h1>`` that one of the page's markup ``titles`` (its ``<title>`` or ``og:title`` without the site's name)
    repeats is the headline however long it is and whatever punctuation ends it (a headline of 30 words ending with
    a full stop, or of 45 words, was lost).
    """
    confirmed = {_clean(" ".join(split_lines(t))).casefold() for t in titles if t}
    for element in tree.iter("h1"):
        text = " ".join(split_lines(element.text_content())).strip()
        text = _clean(text)
        if len(text.split()) >= 3 and _is_title_candidate(_classify(text), confirmed=text.casefold() in confirmed):
            return text
    return ""


def _line_text(element: lxml.html.HtmlElement) -> str:
    """The element's text as the page's rendered lines write it, on one line."""
    return " ".join(line for line in split_lines(element.text_content()) if line)


def _headline_links(tree: lxml.html.HtmlElement) -> dict:
    """The page's links whose text reads like a headline (four words or more), in page order, with that text."""
    texts = ((element, _line_text(element)) for element in tree.iter("a"))
    return {element: text for element, text in texts if len(text.split()) >= 4}


# Words of running text after a page's own heading (outside boxes of links): its date line and article. A box's
# item (headline, date, a teaser cut at a line or two) has fewer.
_OWN_HEADING_MIN_WORDS = 40
# Words outside the linked headlines of a box of other articles, per headline: a date and a teaser.
_BOX_ITEM_MAX_WORDS = 60
# How a featured item whose headline is plain text links its article ("Xem tiếp »", or its photo).
_MORE_LINK_RE = re.compile(r"^(?:xem tiếp|xem thêm|chi tiết|xem chi tiết|đọc tiếp|đọc thêm|more|[»>›]+)\W*$",
                           re.IGNORECASE)


def _words(element: lxml.html.HtmlElement) -> int:
    return len(element.text_content().split())


def _link_boxes(linked: dict) -> dict:
    """Each linked headline's box of other articles ("Tin nổi bật", "Tin liên quan", "Các tin khác").

    The box is the smallest element around the link that holds another linked headline, when it is made of items
    (each child, and each run of text between them, has at most :data:`_BOX_ITEM_MAX_WORDS` words besides its
    linked headlines: a date and a teaser) and is no longer than its items; a linked headline in running text,
    or in a column that also holds an article, has none.
    """
    in_links = {e for a in linked for e in a.iter()}
    count: dict = {}
    for link in linked:
        for ancestor in link.iterancestors():
            count[ancestor] = count.get(ancestor, 0) + 1

    def other_words(element) -> int:
        return sum(len(t.split()) for t in element.xpath(".//text()")
                   if (t.getparent().getparent() if t.is_tail else t.getparent()) not in in_links)

    boxes: dict = {}
    checked: dict = {}
    for link in linked:
        box = next(a for a in link.iterancestors() if count[a] >= 2 or a.getparent() is None)
        if box not in checked:
            chunks = [len((box.text or "").split())] + [len((child.tail or "").split()) for child in box]
            chunks += [other_words(child) for child in box if isinstance(child.tag, str)]
            checked[box] = (box.tag not in ("body", "html") and count.get(box, 0) >= 2
                            and max(chunks) <= _BOX_ITEM_MAX_WORDS
                            and other_words(box) <= _BOX_ITEM_MAX_WORDS * count[box])
        if checked[box]:
            boxes[link] = box
    return boxes


def _teaser_item(element: lxml.html.HtmlElement, text: str) -> bool:
    """Whether ``element`` is the plain headline of a featured item: beside it, a teaser and a link to the article
    ("Xem tiếp", its photo) and little else."""
    for ancestor in element.iterancestors():
        if ancestor.tag in ("body", "html"):
            return False
        links = list(ancestor.iter("a"))
        if links:
            return _words(ancestor) - len(text.split()) <= _BOX_ITEM_MAX_WORDS and any(
                a.find(".//img") is not None or _MORE_LINK_RE.match(_clean(a.text_content())) for a in links)
    return False


def _words_after(element: lxml.html.HtmlElement, skipped: set, stops: set) -> int:
    """Words of the text after ``element`` (in page order, outside it) before an element of ``stops``; text in
    ``skipped`` is passed over. Counting ends at :data:`_OWN_HEADING_MIN_WORDS`."""
    words = 0
    for text, holder in _texts_after(element):
        if holder is None or holder.tag in _DROP_TAGS or holder in skipped:
            continue
        if holder in stops:
            break
        words += len(text.split())
        if words >= _OWN_HEADING_MIN_WORDS:
            break
    return words


def _texts_after(element: lxml.html.HtmlElement):
    """The texts after ``element`` and outside it, in page order, each with the element it stands in (lazily)."""
    node = element
    while node is not None:
        if node.tail:
            yield node.tail, node.getparent()
        for sibling in node.itersiblings():
            for inner in sibling.iter():
                if isinstance(inner.tag, str) and inner.text:
                    yield inner.text, inner
                if inner is not sibling and inner.tail:
                    yield inner.tail, inner.getparent()
            if sibling.tail:
                yield sibling.tail, node.getparent()
        node = node.getparent()


def _own_headings(tree: lxml.html.HtmlElement, linked: dict) -> tuple[frozenset[str], list[lxml.html.HtmlElement]]:
    """The page's own headings that a link of the page reads exactly like, and the boxes of links that show them.

    Portals repeat yearly headlines ("Thăm, chúc mừng giáo xứ … nhân dịp Lễ Giáng sinh"), and a box ("Tin nổi
    bật", "Tin liên quan", "Các tin khác") links last year's article, or this one, by the same text. The page's
    own heading shows it as plain text (no link in or around it, in no box of links and no featured item), with
    the article's running text after it (boxes that link the same text passed over) before any other box of
    links. Returns the headings' texts and the boxes (holding none of the headings) that link them.
    """
    texts = set(linked.values())
    written = {_clean(a.text_content()) for a in linked}  # as the markup writes them: a cheap first look
    in_links = {e for a in linked for e in a.iter()}
    plain: dict[str, list] = {}
    for element in tree.iter():
        if (not isinstance(element.tag, str) or element.tag in _DROP_TAGS or element.tag in ("html", "body", "title")
                or element in in_links or element.find(".//a") is not None
                or _clean(element.text_content()) not in written
                or any(a.tag in ("a", "nav") + _DROP_TAGS for a in element.iterancestors())):
            continue
        text = _line_text(element)
        if text in texts and _headline_like(text) and not any(_line_text(child) == text for child in element):
            plain.setdefault(text, []).append(element)
    if not plain:
        return frozenset(), []
    boxes = _link_boxes(linked)
    in_boxes = {e for box in set(boxes.values()) for e in box.iter()}
    found: dict[str, list] = {}
    for text, elements in plain.items():
        showing = {box for link, box in boxes.items() if linked[link] == text}
        skipped = {e for box in showing for e in box.iter()}
        for element in elements:
            if (element not in in_boxes and not _teaser_item(element, text)
                    and _words_after(element, skipped, in_boxes - skipped) >= _OWN_HEADING_MIN_WORDS):
                found.setdefault(text, []).append(element)
    own = {e for elements in found.values() for e in elements}
    dropped = []
    for link, box in boxes.items():
        if linked[link] in found and box not in dropped and not own & set(box.iter()):
            dropped.append(box)
    return frozenset(found), dropped


def _without(tree: lxml.html.HtmlElement, elements: list[lxml.html.HtmlElement]) -> lxml.html.HtmlElement:
    """A copy of the page without ``elements``."""
    paths = [element.getroottree().getpath(element) for element in elements]
    copy = deepcopy(tree)
    for path in paths:
        for element in copy.getroottree().xpath(path):
            element.drop_tree()
    return copy


_TABLE_RULE_RE = re.compile(r"^\|?(?:\s*:?-{2,}:?\s*\|)+\s*:?-*:?\s*$")


def _untable(text: str) -> str:
    """One line per cell for the ``| a | b |`` rows trafilatura writes for tables, without its ``\\|`` escapes."""
    out = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("|") or (stripped.endswith("|") and not stripped.endswith("\\|")):
            if _TABLE_RULE_RE.match(stripped):
                continue
            # cells split at every unescaped pipe: an empty cell ("|  | | text |") leaves no stray "| " behind
            out.extend(cell.strip() for cell in re.split(r"(?<!\\)\|", stripped.strip("|")) if cell.strip())
        else:
            out.append(line)
    # A pipe inside a cell is escaped for Markdown tables; the page shows a plain one.
    return "\n".join(out).replace("\\|", "|")


def _unflatten(main_text: str, full_text: str) -> str:
    """The main text with every table cell trafilatura wrote on one line split into the page's own lines.

    trafilatura joins the blocks of a table cell with spaces, so a layout
    table's cell (headline, date and views line, paragraphs, captions,
    signature, sidebar boxes, counters) arrives as one paragraph. The page
    rendered block by block (:func:`_render`) has them apart: a line of the
    main text that is a run of rendered lines joined by spaces is replaced by
    those lines, with the image markers standing between them (they cue the
    captions), so the genre rules of
    :func:`~toolkit.ingest.pages.parse_page` see the same lines as on any
    other template. Other lines are kept as they are.
    """
    rendered = [line for line in full_text.split("\n") if line]
    by_first: dict[str, list[int]] = {}
    for j, line in enumerate(rendered):
        by_first.setdefault(line.split(" ", 1)[0], []).append(j)
    shown = set(rendered)
    out = []
    for line in main_text.split("\n"):
        normal = " ".join(part for part in split_lines(line) if part)
        covered = None if not normal or normal in shown else _cover(normal, rendered, by_first)
        if covered is None or len(covered) < 2:
            out.append(line)
            continue
        for k, j in enumerate(covered):
            if k and j > covered[k - 1]:
                out.extend(rendered[m] for m in range(covered[k - 1] + 1, j) if _classify(rendered[m]).kind == IMAGE)
            out.append(rendered[j])
    return "\n".join(out)


def _cover(text: str, rendered: list[str], by_first: dict[str, list[int]]) -> list[int] | None:
    """Indices of rendered lines that, joined by spaces, make ``text`` (each the next in page order
    where it can be), or ``None``."""
    found: list[int] = []
    pos = 0
    while pos < len(text):
        rest = text[pos:]
        matches = [j for j in by_first.get(rest.split(" ", 1)[0], ())
                   if rest.startswith(rendered[j]) and rest[len(rendered[j]):len(rendered[j]) + 1] in ("", " ")]
        if not matches:
            return None
        previous = found[-1] if found else -1
        later = [j for j in matches if j > previous]
        j = min(later) if later else max(matches, key=lambda m: len(rendered[m]))
        found.append(j)
        pos += len(rendered[j]) + 1
    return found


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


#: Vietnam's offset (Asia/Ho_Chi_Minh, UTC+7 without daylight saving since 1975): a page's day is its day there.
_VIETNAM_TZ = timezone(timedelta(hours=7))
_OFFSET_TIMESTAMP_RE = re.compile(
    r"^\s*(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)\s*$",
    re.IGNORECASE)


def vietnam_day(value: str) -> str | None:
    """The day in Vietnam (UTC+7) of a timestamp written with a time zone offset, else ``None``.

    A timestamp without an offset is not converted (it is read as written).

    Examples
    --------
    >>> vietnam_day("2021-12-31T23:30:00+00:00"), vietnam_day("2022-06-09T23:15Z")
    ('2022-01-01', '2022-06-10')
    >>> vietnam_day("2022-06-10T06:15:00+07:00"), vietnam_day("2021-12-31T23:30:00") is None
    ('2022-06-10', True)
    """
    match = _OFFSET_TIMESTAMP_RE.match(value)
    if not match:
        return None
    day, clock, offset = match.groups()
    offset = "+00:00" if offset.upper() == "Z" else offset
    if len(offset) == 3:
        offset += ":00"
    elif ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    try:
        moment = datetime.fromisoformat(f"{day}T{re.split('[.,]', clock)[0]}{offset}")
    except ValueError:
        return None
    return moment.astimezone(_VIETNAM_TZ).date().isoformat()


def _parsed(value: str | None) -> tuple[str, str] | None:
    day = vietnam_day(value) if value else None
    if day:
        return day, "day"
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


_BLOCKS_DROPPED = ("ol", "ul", "h2", "h3", "h4", "h5", "h6")


def _restore_dropped(tree: lxml.html.HtmlElement, main_text: str) -> str:
    """Put back the article's lists and sub-headings that the extractor left out.

    trafilatura keeps the paragraphs of an article but can drop a plain
    ``<ol>``/``<ul>`` of short items ("khối dân vận cần: 1. Nắm chắc tình
    hình… 2. Kiện toàn…") and an ``<h3>`` sub-heading between them. Such a
    block is put back under the paragraph it follows when that paragraph was
    kept and either the next paragraph was kept too or the block ends the
    article after a colon; a list mostly of links (a related-news box) never
    is. List items come back one per line with their numbers (``1.``) or a
    dash.
    """
    if not main_text:
        return main_text
    kept = {_clean(line) for line in main_text.split("\n") if _clean(line)}
    lines = main_text.split("\n")
    inserts: dict[str, list[str]] = {}
    for block in tree.iter(*_BLOCKS_DROPPED):
        text = _clean(block.text_content())
        if not text or text in kept or any(text in k for k in kept):
            continue
        before = block.getprevious()
        after = block.getnext()
        while after is not None and (not isinstance(after.tag, str) or not _clean(after.text_content())):
            after = after.getnext()
        if before is None or before.tag != "p" or _clean(before.text_content()) not in kept:
            continue
        ends = after is None or after.tag != "p"
        if not ((after is not None and after.tag == "p" and _clean(after.text_content()) in kept)
                or (ends and _clean(before.text_content()).endswith(":"))):
            continue
        if block.tag in ("ol", "ul"):
            items = [li for li in block.iterchildren("li")]
            if not items:
                continue
            texts = [_clean(li.text_content()) for li in items]
            if any(t and any(t in k for k in kept) for t in texts):
                continue  # the extractor kept the list (item by item): nothing to put back
            linked = sum(len(_clean(a.text_content())) for li in items for a in li.iter("a"))
            if linked > 0.5 * len(text):
                continue  # a list of links: a related-news box, not the article's
            out = [f"{k}. {_clean(li.text_content())}" if block.tag == "ol" else f"- {_clean(li.text_content())}"
                   for k, li in enumerate(items, start=1) if _clean(li.text_content())]
        else:
            out = [text]
        inserts.setdefault(_clean(before.text_content()), []).extend(out)
    if not inserts:
        return main_text
    result = []
    for line in lines:
        result.append(line)
        for extra in inserts.pop(_clean(line), []):
            result.extend(["", extra])
    return "\n".join(result)


_LEAD_CLASS_RE = re.compile(
    r"(?:^|[-_])(?:sapo|lead|hometext|summary|chapeau|tomtat|tom-tat|tom_tat|description|desc|intro|introtext"
    r"|excerpt|abstract|teaser|brief|mota|mo-ta|trichyeu|trich-yeu|headline-desc)(?:$|[-_])",
    re.IGNORECASE,
)
_LEAD_TAGS = frozenset("div p h2 h3 h4 h5 h6 span strong b em i section header td blockquote".split())
_LEAD_MIN_WORDS = 12
_LEAD_MAX_WORDS = 250
_LEAD_MAX_DEPTH = 5


def _lead_class(element: lxml.html.HtmlElement) -> bool:
    """Whether the element's class or id names a lead ("sapo", "news-sapo", "hometext", "summary", "lead"…)."""
    return any(name and _LEAD_CLASS_RE.search(name)
               for name in (element.get("class") or "").split() + [element.get("id") or ""])


def _is_description(text: str, descriptions: list[str]) -> bool:
    """Whether ``text`` is the page's description meta: the same, or the text that a cut description begins."""
    for description in descriptions:
        stem = description.rstrip(" .…")
        if len(stem) < 60:
            continue
        if text.rstrip(" .…") == stem or (description.endswith(("…", "...")) and text.startswith(stem)):
            return True
    return False


def _restore_lead(tree: lxml.html.HtmlElement, main_text: str) -> str:
    """Put back the article's lead (sapo) when the extractor left it out.

    Portals often print the lead in its own container beside the body's
    (Liferay ``sapo``/``summary``, NukeViet ``hometext``, ``news-sapo``,
    ``lead``), and trafilatura keeps only the body's container; the lead is
    often the only sentence naming the event, its date or its commune. An
    element marked up as a lead (a lead class or id, or the text of the page's
    ``description`` meta) comes back before the first kept paragraph (after a
    headline or date line the extractor kept) when it stands after the
    headline and before that paragraph, near it in the
    page (within five levels of a common container), outside lists, links and
    boxes that hold another article's linked headline, is mostly not link text
    and is not in the main text already.
    """
    lines = [_clean(line) for line in main_text.split("\n") if _clean(line)]
    if not lines:
        return main_text
    order = {element: k for k, element in enumerate(tree.iter())}
    body = body_line = None
    for line in lines[:4]:
        if len(line.split()) < _LEAD_MIN_WORDS or not line.endswith((".", "!", "?", "…", ":", '"', "”", ")")):
            continue  # a headline or a date line the extractor kept above the body
        matches = [e for e in tree.iter(*_BLOCK_TAGS) if _clean(e.text_content()) == line]
        if matches and matches[-1].tag not in ("h1", "h2", "h3", "h4", "h5", "h6"):
            body, body_line = matches[-1], line  # the innermost element that holds just this paragraph
        break
    if body is None:
        return main_text
    headlines = [e for e in tree.iter("h1") if order[e] < order[body] and len(_clean(e.text_content()).split()) >= 3]
    headline = headlines[-1] if headlines else None  # the article's, after any portal name in the logo
    descriptions = [_clean(e.get("content") or "") for e in tree.iter("meta")
                    if (e.get("name") or e.get("property") or "").lower() in ("description", "og:description")]
    body_chain = set(body.iterancestors()) | {body}
    marked, described = [], []
    for element in tree.iter(*_LEAD_TAGS):
        if not order[element] < order[body] or element in body_chain:
            continue
        if headline is not None and (order[element] < order[headline] or headline in set(element.iterdescendants())):
            continue
        text = _clean(element.text_content())
        if not _LEAD_MIN_WORDS <= len(text.split()) <= _LEAD_MAX_WORDS:
            continue
        by_class = _lead_class(element)
        if not by_class and not _is_description(text, descriptions):
            continue
        ancestors = list(element.iterancestors())
        if any(a.tag in ("li", "a", "nav", "aside", "footer") for a in ancestors):
            continue
        if sum(len(_clean(a.text_content())) for a in element.iter("a")) > 0.3 * len(text):
            continue
        common = next((k for k, a in enumerate(ancestors) if a in body_chain), None)
        if common is None or common >= _LEAD_MAX_DEPTH:
            continue
        if any(len(_clean(link.text_content()).split()) >= 4 for box in ancestors[:common] for link in box.iter("a")):
            continue  # a teaser of another article, beside its linked headline
        if any(text in line or (len(line.split()) >= 8 and line in text) for line in lines):
            return main_text  # the extractor kept it (or a paragraph of it)
        (marked if by_class else described).append((element, text))
    # A lead class marks the lead's whole container (the outermost of nested ones); the description's
    # text is the innermost element that holds it, not a box that also holds a photo and its caption.
    chosen = [(e, t) for e, t in marked if not any(o in set(e.iterancestors()) for o, _ in marked)]
    if not chosen:
        chosen = [(e, t) for e, t in described if not any(e in set(o.iterancestors()) for o, _ in described)]
    if not chosen:
        return main_text
    out = main_text.split("\n")
    at = next(k for k, line in enumerate(out) if _clean(line) == body_line)
    return "\n".join(out[:at] + [chosen[-1][1]] + out[at:])


def _menu_item_above(tree: lxml.html.HtmlElement, full_text: str, category: str, title: str) -> bool:
    """Whether ``category`` is the last item of the site's menu, read as the short line above the headline.

    A menu is a list (``ul``/``ol``) of three links or more that is not a breadcrumb, or a table of such links
    only (an old portal's left column); the category line is a
    menu item when the page shows its text only as links of such lists and the two lines above it are links of
    the same menu (a breadcrumb's last item, or a section's heading, is the category).
    """
    def crumb(element) -> bool:
        marks = " ".join(str(e.get(a, "")) for e in (element, *element.iterancestors())
                         for a in ("class", "id", "aria-label"))
        return "crumb" in marks.lower()

    menus: list[set[str]] = []
    in_menu: set = set()
    for box in tree.iter("ul", "ol", "table"):
        if crumb(box) or any(a.tag == "nav" and not crumb(a) for a in box.iterancestors()):
            continue  # a breadcrumb; a <nav> is not rendered at all
        links = [a for a in box.iter("a") if _clean(a.text_content())]
        if box.tag == "table" and (any(t is not box for t in box.iter("table"))
                                   or sum(len(_clean(a.text_content())) for a in links)
                                   < 0.7 * len(_clean(box.text_content()))):
            continue  # a layout table: only a table of links (an old portal's menu) is a menu
        if len(links) >= 3:
            menus.append({_clean(a.text_content()) for a in links})
            in_menu.update(e for a in links for e in (a, *a.iterancestors()) if e is not box and box in e.iterancestors())
    if not any(category in menu for menu in menus):
        return False
    # the elements that show just the category's text (XPath's string() in C: this runs on every page of a site
    # whose menu names the page's section)
    # (XPath's normalize-space knows ASCII spaces only: a no-break space is turned into one first, as _clean does)
    for element in tree.xpath("//*[normalize-space(translate(string(.), $spaces, $plain)) = $text]", text=category,
                              spaces="\u00a0\u202f\u2009\u2007", plain="    "):
        if (element not in in_menu and element.tag not in ("ul", "ol", "nav", "table", "tbody", "tr")
                and not any(a.tag == "nav" and not crumb(a) for a in element.iterancestors())):
            return False  # shown elsewhere: a breadcrumb's item, a section heading
    lines = full_text.split("\n")
    for k, line in enumerate(lines):
        if line == category and k + 1 < len(lines) and lines[k + 1] == title and k >= 2:
            return any({lines[k - 1], lines[k - 2]} <= menu for menu in menus)
    return False


def _markup_author(author: str | None) -> str:
    """The author the page's markup names, unless it is a CMS login ("bandanvan", "admin2"): one word, no space.

    A Vietnamese writer's name has several syllables; a WordPress byline
    ("bởi bandanvan") links the account's slug.
    """
    author = re.sub(r"^(?:đăng bởi|viết bởi|bởi|by|posted by|written by)\s+", "", _clean(author or ""), flags=re.IGNORECASE)
    if author.lower() in _NOT_AUTHORS:  # "Quản trị hệ thống", "Super User": the CMS's account, not a writer
        return ""
    return "" if re.fullmatch(r"[A-Za-z0-9_.\-]+", author) else author


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
        category line. A heading that a box of other articles also links
        (a yearly headline repeated, or this article listed again) is still
        the headline, and the page is read without those boxes. The date
        comes from a header date line of the page, else from the page's
        date markup (:func:`markup_date`), else from the address, else from
        the opening paragraph with the year from the page's evidence (see
        :func:`toolkit.ingest.dates.infer_date`); ``date_source`` says which. ``body`` is empty when nothing but
        boilerplate is found.
    """
    tree = html_tree(html)
    if tree is None:
        return PageFields(url=url)
    full_text = _render(tree)
    doc = _extract(html, url)
    page_url = url or _attr(doc, "url") or _canonical_url(tree)
    sitename = _attr(doc, "sitename")
    meta_titles = [_clean_title(t, sitename) for t in [_attr(doc, "title") or ""] + _markup_titles(tree)]
    h1 = _h1(tree, meta_titles)
    linked = _headline_links(tree)
    # The page's own heading is no linked headline, though a box links another article (or this one) by its text;
    # and the whole page is read without those boxes, which would take the heading for one of their items.
    headings, boxes = _own_headings(tree, linked)
    links = frozenset(linked.values()) - {h1} - {_clean(t) for t in _markup_titles(tree)} - headings
    unboxed_text = _render(_without(tree, boxes)) if boxes else full_text
    full = parse_page(unboxed_text, url=page_url, links=links)
    marked_captions = _captions(tree)
    main_text = _restore_lead(tree, _restore_dropped(tree, _unflatten(_untable(_attr(doc, "text") or ""), full_text).strip()))

    # trafilatura's own date is not used: it falls back to modification times and the address.
    markup = _markup_date(tree, html)
    if not main_text:
        _add_captions(full, [c for c in marked_captions if c in full.body or c in full.captions])
        full.url = page_url
        _date_html(full, full, full, markup, full_text)
        return full

    title = _choose_title(h1, meta_titles, full.title, full_text)
    main = parse_page(main_text, title=title, url=page_url, links=links)

    # a headline written as a sentence keeps no full stop (as the genre rules write it, see parse_page)
    fields = PageFields(title=title[:-1].rstrip() if title.endswith(".") and not title.endswith("..") else title,
                        url=page_url)
    fields.body = main.body
    fields.captions = main.captions
    fields.author = main.author or full.author or _markup_author(_attr(doc, "author"))
    fields.views = full.views if full.views is not None else main.views
    categories = _attr(doc, "categories") or []
    fields.category = full.category or (category_text(_clean(categories[0])) if categories else "") or main.category
    if fields.category and _menu_item_above(tree, full_text, fields.category, title):
        fields.category = ""  # the site menu's last item, just above the headline, is no category
    # A caption marked up inside the article; trafilatura drops figures, so the page's own reading says where it is.
    in_article = "\n".join((main_text, full.body, full.captions))
    _add_captions(fields, [c for c in marked_captions if c in main_text or _shown_in(c, in_article)])

    if fields.author and fields.captions:  # a signature in the photo table's last cell is no caption
        signed = {part.strip() for part in fields.author.split(" - ")} | {fields.author}
        fields.captions = "\n".join(c for c in fields.captions.split("\n") if c.strip() not in signed)
    opening = fields.body.split(PARAGRAPH_SEP, 1)[0] if fields.body else ""
    _date_html(fields, full, main, markup, full_text)
    fields.issuer = find_issuer(author=fields.author, title=fields.title, opening=opening)
    fields.site = _site_text(sitename or "", [t.text_content() for t in tree.iter("title")], title, full_text,
                             "\n".join((main_text, fields.body, fields.captions)), links)
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
    else:
        # a year read from a headline is the page's only when that headline is the one written out
        for parsed in (main, full):
            if parsed.date_source and (parsed.date_source != "title-year" or parsed.title == fields.title):
                _copy_date(fields, parsed)
                return


def _copy_date(target: PageFields, source: PageFields) -> None:
    target.date = source.date
    target.date_precision = source.date_precision
    target.year = source.year
    target.date_source = source.date_source


def _shown_in(text: str, lines: str) -> bool:
    """Whether ``text``, as the page's lines are written (NFC, tone marks, spaces), is in ``lines``."""
    text = " ".join(part for part in split_lines(text) if part)
    return bool(text) and text in lines


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
