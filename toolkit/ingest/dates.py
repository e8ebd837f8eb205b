"""Dates of scraped news pages: header dates, event dates, cited-document dates.

Three kinds of date appear on a page of this genre:

* the **header date** printed by the portal next to the headline
  (``Ngày đăng 05/11/2021 | 08:30``, ``Thứ Hai, 05/11/2021 - 08:30``,
  ``2021-11-05 08:30:00``, ``Posted: Nov 5, 2021``) — the publication date;
* the **event date** of the opening paragraph (``Sáng ngày 12/3, …``,
  ``Chiều 20-4, …``, ``Ngày 5/11/2021, …``), whose year is often left out;
* dates **quoted from cited documents** (``Quyết định số 290-QĐ/TW ngày
  25/02/2010``, ``Luật … năm 2022``), which are never the date of the page.

All functions are pure; each returns ``(iso, precision)`` with precision
``"day"`` (``iso`` is ``YYYY-MM-DD``), ``"month"`` (``YYYY-MM``) or
``"year"`` (``YYYY``). Only real calendar dates with a year in
:data:`YEAR_RANGE` are accepted.

Examples
--------
>>> parse_header_date("Ngày đăng 05/11/2021 | 08:30 | Lượt xem: 12")
('2021-11-05', 'day')
>>> find_event_date("Sáng 12/3, Ban Dân vận Huyện ủy tổ chức hội nghị.", 2020)
('2020-03-12', 'day')
>>> find_event_date("Thực hiện Kế hoạch số 12-KH/HU ngày 5/11/2010 của Huyện ủy, hội nghị đã diễn ra.", None) is None
True
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import NamedTuple

__all__ = [
    "YEAR_RANGE",
    "DateMatch",
    "find_date",
    "parse_header_date",
    "find_event_date",
    "is_cited_document_date",
    "find_years",
    "find_year",
]

#: Plausible publication years (inclusive).
YEAR_RANGE = (1990, 2035)

_D = r"(?P<d>0?[1-9]|[12]\d|3[01])"
_M = r"(?P<m>0?[1-9]|1[0-2])"
_Y = r"(?P<y>(?:19|20)\d{2})"
_MON_EN = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_EN_MONTHS = {name: i for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}

# Full dates (day precision), most specific first.
_DAY_PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in (
    rf"(?<![\d/.\-]){_Y}(?P<s>[-/.]){_M}(?P=s){_D}(?!\d)",
    rf"(?<![\d/.\-]){_D}\s?(?P<s>[/.\-])\s?{_M}\s?(?P=s)\s?{_Y}(?!\d|[/\-]\d)",
    rf"(?<!\d){_D}\s+tháng\s+{_M}\s*,?\s*năm\s+{_Y}(?!\d)",
    rf"(?<!\d){_D}\s+tháng\s+{_M}\s*[/,\-]\s*{_Y}(?!\d)",
    rf"\b{_MON_EN}\.?\s+{_D}(?:st|nd|rd|th)?,?\s+{_Y}(?!\d)",
    rf"(?<!\d){_D}(?:st|nd|rd|th)?\s+{_MON_EN}\.?,?\s+{_Y}(?!\d)",
))
# Month and year only.
_MONTH_PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in (
    rf"\btháng\s+{_M}\s*(?:[/\-.]|,?\s*năm)\s*{_Y}(?!\d)",
    rf"(?<![\d/.\-]){_Y}-{_M}(?![\d\-])",
    rf"(?<![\d/.\-]){_M}\s?/\s?{_Y}(?![\d/])",
    rf"\b{_MON_EN}\.?,?\s+{_Y}(?!\d)",
))
_YEAR_ONLY = re.compile(rf"^\W*(?:năm\s+)?{_Y}\W*$", re.IGNORECASE)

# Event mentions in running text: a time word, then day/month with an optional year.
_LEAD = r"(?:(?:buổi\s+)?(?:sáng|chiều|tối|trưa|đêm)(?:\s+(?:ngày|hôm))?|ngày|hôm|từ|đến|và|mồng|mùng)"
_EVENT_PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in (
    # a range of days in one month: "từ ngày 10 đến 12/5/2022", "ngày 3-4/6"
    rf"\b{_LEAD}\s+(?:ngày\s+)?{_D}\s*(?:đến|tới|-|–|và|,)\s*(?:ngày\s+)?(?:0?[1-9]|[12]\d|3[01])\s?"
    rf"(?P<s>[/.\-])\s?{_M}(?:\s?(?P=s)\s?{_Y})?(?![\d/\-]|\.\d)",
    rf"\b{_LEAD}\s+(?:ngày\s+)?{_D}\s?(?P<s>[/.\-])\s?{_M}(?:\s?(?P=s)\s?{_Y})?(?![\d/\-]|\.\d)",
    rf"\b{_LEAD}\s+(?:ngày\s+)?{_D}\s+tháng\s+{_M}(?:\s*,?\s*năm\s+{_Y})?(?!\d)",
))
_EVENT_MONTH = re.compile(rf"\btháng\s+{_M}\s*(?:[/\-]|,?\s*năm)\s*{_Y}(?!\d)", re.IGNORECASE)
_NOT_EVENT_BEFORE = re.compile(
    r"(?:trước|sau|hạn|chậm nhất|kể từ|đến hết|tới|hết|muộn nhất|thời hạn)\s*$", re.IGNORECASE)
_NEXT_YEAR = re.compile(rf"^[^.;!?]{{0,80}}?(?<![\d/.\-])(?:\d{{1,2}}\s?[/.\-]\s?)?{_M}\s?[/.\-]\s?{_Y}(?!\d)")
_SENTENCE_END = re.compile(r"[.;!?](?:\s|$)")

_DOC_KEYWORD = re.compile(
    r"(?:quyết định|kế hoạch|chỉ thị|nghị quyết|nghị định|bộ luật|luật|pháp lệnh|công văn|văn bản"
    r"|thông tư|thông tri|thông báo|hướng dẫn|kết luận|quy định|quy chế|chương trình hành động"
    r"|chương trình|đề án|tờ trình|báo cáo|công điện|điều lệ|hiến pháp|nghị quyết liên tịch"
    r"|\bqđ\b|\bkh\b|\bct\b|\bnq\b|\bcv\b)"
    r"|\b\d+(?:/\d{4})?[-/][A-ZĐ]{1,8}(?:[-/][A-ZĐ0-9]{1,12})*",
    re.IGNORECASE,
)
_CITED_GAP_END = re.compile(r"(?:ngày|năm|tháng)\s*$", re.IGNORECASE)
_EVENT_GAP = re.compile(r"\b(?:vào|được tổ chức|tổ chức|diễn ra|khai mạc|bế mạc|họp|tiến hành)\b", re.IGNORECASE)
_CODE_END = re.compile(r"(?:\d|\b[A-ZĐ]{2,}[\w/\-]*)$")
_YEAR_RE = re.compile(r"(?<![\w/.\-])((?:19|20)\d{2})(?![\w/]|[-.]\d)")


class DateMatch(NamedTuple):
    """A date found in a string: ISO value, precision and character span."""

    iso: str
    precision: str
    start: int
    end: int


def _valid_year(year: int) -> bool:
    return YEAR_RANGE[0] <= year <= YEAR_RANGE[1]


def _month_of(match: re.Match) -> int:
    groups = match.groupdict()
    if groups.get("m"):
        return int(groups["m"])
    return _EN_MONTHS[groups["mon"][:3].lower()]


def _iso_day(year: int, month: int, day: int) -> str | None:
    if not _valid_year(year):
        return None
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def find_date(text: str) -> DateMatch | None:
    """The first full date in ``text``, else the first month/year, else a bare year.

    A bare year is accepted only when ``text`` holds nothing else
    (``"2021"``, ``"năm 2021"``).

    Examples
    --------
    >>> find_date("Cập nhật lúc 08:30 ngày 12/3/2020")
    DateMatch(iso='2020-03-12', precision='day', start=24, end=33)
    >>> find_date("31/02/2021") is None
    True
    """
    best: DateMatch | None = None
    for pattern in _DAY_PATTERNS:
        for match in pattern.finditer(text):
            iso = _iso_day(int(match["y"]), _month_of(match), int(match["d"]))
            if iso:
                if best is None or match.start() < best.start:
                    best = DateMatch(iso, "day", match.start(), match.end())
                break
    if best is not None:
        return best
    for pattern in _MONTH_PATTERNS:
        for match in pattern.finditer(text):
            year = int(match["y"])
            if _valid_year(year):
                if best is None or match.start() < best.start:
                    best = DateMatch(f"{year:04d}-{_month_of(match):02d}", "month", match.start(), match.end())
                break
    if best is not None:
        return best
    match = _YEAR_ONLY.match(text)
    if match and _valid_year(int(match["y"])):
        return DateMatch(match["y"], "year", match.start("y"), match.end("y"))
    return None


def parse_header_date(line: str) -> tuple[str, str] | None:
    """Publication date of a header line or a date string, as ``(iso, precision)``.

    Accepts ``dd/mm/yyyy``, ``d/m/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``,
    ``yyyy-mm-dd`` (with or without a time, ``T…`` or a zone),
    ``ngày 5 tháng 11 năm 2021``, English ``Nov 5, 2021`` / ``5 November 2021``,
    with weekdays, labels and times before or after. Month-only dates
    (``tháng 11/2021``, ``11/2021``, ``2021-11``) give ``("YYYY-MM", "month")``
    and a bare year ``("YYYY", "year")``.

    Parameters
    ----------
    line
        A header line (``"Thứ Hai, 05/11/2021 - 08:30"``) or a date value.

    Returns
    -------
    tuple of str or None
        ``(iso, precision)``, or ``None`` when no valid date is found.

    Examples
    --------
    >>> parse_header_date("Thứ hai, ngày 5 tháng 11 năm 2021")
    ('2021-11-05', 'day')
    >>> parse_header_date("2023-09-21 11:14:10 Số lượt xem 523")
    ('2023-09-21', 'day')
    >>> parse_header_date("Posted: Nov 5, 2021")
    ('2021-11-05', 'day')
    >>> parse_header_date("tháng 11/2021")
    ('2021-11', 'month')
    """
    if not line:
        return None
    found = find_date(line)
    return (found.iso, found.precision) if found else None


def is_cited_document_date(text: str, start: int) -> bool:
    """Whether the date starting at ``text[start]`` is quoted from a cited document.

    True when, in the same sentence, the date follows the name or number of a
    legal or Party document (``Quyết định số 290-QĐ/TW ngày …``, ``Kế hoạch
    số 12-KH/HU, ngày …``, ``Chỉ thị 05 của Bộ Chính trị ngày …``, ``Luật …
    năm 2022``) with nothing but the document's own reference between them.

    Examples
    --------
    >>> s = "Thực hiện Quyết định số 290-QĐ/TW ngày 25/02/2010 của Bộ Chính trị"
    >>> is_cited_document_date(s, s.index("25/02"))
    True
    >>> s = "Thực hiện Kế hoạch của Huyện ủy, ngày 12/3/2021 Ban Dân vận tổ chức hội nghị"
    >>> is_cited_document_date(s, s.index("12/3"))
    False
    """
    window_start = max(0, start - 160)
    window = text[window_start:start]
    ends = list(_SENTENCE_END.finditer(window))
    if ends:
        window = window[ends[-1].end():]
    keywords = list(_DOC_KEYWORD.finditer(window))
    if not keywords:
        return False
    # The gap after the *first* document mention must be the citation itself.
    for keyword in keywords:
        gap = window[keyword.end():]
        if not _CITED_GAP_END.search(gap):
            continue
        gap_body = _CITED_GAP_END.sub("", gap)
        if _EVENT_GAP.search(gap_body):
            continue
        # A comma is allowed only right after the document's number or code
        # ("số 12-KH/HU, ngày"), not after a clause ("của Huyện ủy, ngày").
        gap_core = gap_body.rstrip()
        if gap_core.endswith(","):
            gap_core = gap_core[:-1].rstrip()
            if not _CODE_END.search(window[:keyword.end()] + gap_core):
                continue
        if re.search(r"[,;:!?]", gap_core):
            continue
        if len(gap_core.split()) <= 16:
            return True
    return False


def _resolve_year(text: str, end: int, month: int, year: int | None) -> int | None:
    """Year of a day/month mention: a full date later in the sentence, else ``year``."""
    following = _NEXT_YEAR.match(text[end:])
    if following:
        later_year = int(following["y"])
        if _valid_year(later_year):
            return later_year - 1 if int(following["m"]) < month else later_year
    return year


def find_event_date(opening: str, year: int | None, *, limit: int = 500) -> tuple[str, str] | None:
    """Event date of an opening paragraph, as ``(iso, precision)``.

    Looks for a time word followed by a day and month (``Sáng ngày 12/3``,
    ``Chiều 20-4``, ``Ngày 5/11/2021``, ``ngày 5 tháng 11``) in the first
    ``limit`` characters, skipping dates quoted from cited documents and
    deadlines (``trước ngày 31/12``). A missing year is taken from a full date
    later in the same sentence (``31/7 và 02/8/2019``), else from ``year``,
    else from a year mentioned in the opening. Failing a day, a month
    (``Tháng 11/2021, …``) gives month precision.

    Parameters
    ----------
    opening
        The opening paragraph.
    year
        The page's year (from its title or banner), or ``None``.
    limit
        How many characters of the opening to search.

    Examples
    --------
    >>> find_event_date("Chiều 20-4, Hội Nông dân xã tổ chức tập huấn.", 2022)
    ('2022-04-20', 'day')
    >>> find_event_date("Trong hai ngày 31/7 và 02/8/2019, Ban Dân vận tổ chức tọa đàm.", None)
    ('2019-07-31', 'day')
    >>> find_event_date("Sáng 12/3, hội nghị diễn ra.", None) is None
    True
    """
    if not opening:
        return None
    text = opening[:limit]
    fallback_year = year if year is not None else find_year(text)
    mentions = []
    for pattern in _EVENT_PATTERNS:
        mentions.extend(pattern.finditer(text))
    mentions.sort(key=lambda m: m.start())
    for match in mentions:
        if _NOT_EVENT_BEFORE.search(text[max(0, match.start() - 16):match.start()]):
            continue
        if is_cited_document_date(text, match.start("d")):
            continue
        month, day = int(match["m"]), int(match["d"])
        found_year = int(match["y"]) if match["y"] else _resolve_year(text, match.end(), month, fallback_year)
        if found_year is None:
            continue
        iso = _iso_day(found_year, month, day)
        if iso:
            return iso, "day"
    for match in _EVENT_MONTH.finditer(text[:300]):
        found_year = int(match["y"])
        if _valid_year(found_year) and not is_cited_document_date(text, match.start()):
            return f"{found_year:04d}-{int(match['m']):02d}", "month"
    return None


def find_years(text: str) -> list[int]:
    """Plausible years mentioned in ``text``, in order, without those of cited documents.

    Years inside document codes (``34/2007/PL-UBTVQH11``) and dates quoted
    from cited documents are skipped.

    Examples
    --------
    >>> find_years("Sơ kết 6 tháng đầu năm 2021 theo Luật Thực hiện dân chủ ở cơ sở năm 2022")
    [2021]
    """
    years = []
    for match in _YEAR_RE.finditer(text):
        value = int(match[1])
        if _valid_year(value) and not is_cited_document_date(text, match.start()):
            years.append(value)
    return years


def find_year(text: str) -> int | None:
    """The first plausible, non-cited year in ``text`` (see :func:`find_years`)."""
    years = find_years(text)
    return years[0] if years else None
