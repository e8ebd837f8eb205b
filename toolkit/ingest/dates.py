"""Dates of scraped news pages: header dates, event dates, cited-document dates.

Three kinds of date appear on a page of this genre:

* the **header date** printed by the portal next to the headline
  (``Ngày đăng 05/11/2021 | 08:30``, ``Thứ Hai, 05/11/2021 - 08:30``,
  ``2021-11-05 08:30:00``, ``19 Tháng 5 2021``, ``08 Tháng Tư, 2019``,
  ``Posted: Nov 5, 2021``) — the publication date;
* the **event date** of the opening paragraph (``Sáng ngày 12/3, …``,
  ``Chiều 20-4, …``, ``Ngày 5/11/2021, …``), whose year is often left out;
* dates **quoted from cited documents** (``Quyết định số 290-QĐ/TW ngày
  25/02/2010``, ``Luật … năm 2022``), which are never the date of the page.

When a page prints no header date, its date is inferred from the genre's
logic (:func:`infer_date`): a date in its address; the event date of the
opening, whose missing year comes from what the page reviews or plans
(:func:`find_year_evidence`: ``tổng kết công tác năm 2019`` in January is
January 2020, ``triển khai nhiệm vụ năm 2020`` in December is December 2019;
quarters, half-years, Tết, school years, congresses likewise), else from the
title, the opening or the yearly banner. Every inferred date says how it was
found (:data:`DATE_SOURCES`, the document table's ``date_source``).

All functions are pure; dates are ``(iso, precision)`` with precision
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
    "YearEvidence",
    "find_year_evidence",
    "evidence_year",
    "parse_url_date",
    "DateInference",
    "DATE_SOURCES",
    "PAGE_DATE_SOURCES",
    "infer_date",
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
# Months written as words, as Vietnamese-locale WordPress prints them ("08 Tháng Tư, 2019"); two-word names first.
_VI_MONTHS = {
    "mười một": 11, "mười hai": 12, "giêng": 1, "một": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5,
    "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9, "mười": 10, "chạp": 12,
}
_MON_VI = r"(?P<vmon>" + "|".join(name.replace(" ", r"\s+") for name in _VI_MONTHS) + r")"

# Full dates (day precision), most specific first.
_DAY_PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in (
    rf"(?<![\d/.\-]){_Y}(?P<s>[-/.]){_M}(?P=s){_D}(?!\d)",
    rf"(?<![\d/.\-]){_D}\s?(?P<s>[/.\-])\s?{_M}\s?(?P=s)\s?{_Y}(?!\d|[/\-]\d)",
    # US-culture ASP.NET ("11/25/2019 2:30:00 PM"): month first only when the second number cannot be a month,
    # so an ambiguous 05/11/2019 stays the 5th of November.
    rf"(?<![\d/.\-])(?P<m>0?[1-9]|1[0-2])/(?P<d>1[3-9]|2\d|3[01])/{_Y}(?!\d|[/\-]\d)",
    rf"(?<!\d){_D}\s+tháng\s+{_M}\s*,?\s*năm\s+{_Y}(?!\d)",
    # Joomla's Vietnamese locale writes no "năm": "19 Tháng 5 2021"
    rf"(?<!\d){_D}\s+tháng\s+{_M}(?:\s*[/,\-]\s*|\s+){_Y}(?!\d)",
    # "08 Tháng Tư, 2019"; "tháng Năm" needs its comma, since "12 tháng năm 2021" is "the 12 months of 2021"
    rf"(?<!\d){_D}\s+tháng\s+(?:(?!năm\b){_MON_VI}(?:\s*,?\s*năm\s+|\s*,\s*|\s+)"
    rf"|(?P<vmay>năm)\s*,\s*){_Y}(?!\d)",
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
    # the month as a word, with its year ("Sáng 19 tháng Năm năm 2021", "ngày 8 tháng Mười Một năm 2020"):
    # without the year a word is too often not a month ("ngày 20 tháng ba năm trước", "tháng năm" = time)
    # "tháng Giêng" and "tháng Chạp" are the lunar calendar's, and so is a day "mồng" of a month word
    rf"\b(?!m[ồù]ng\b){_LEAD}\s+(?:ngày\s+)?{_D}\s+tháng\s+(?!giêng\b|chạp\b){_MON_VI}\s*,?\s*năm\s+{_Y}(?!\d)",
))
# A lunar date ("ngày 10/3 âm lịch", "mùng 6 tháng 1 (Âm lịch)"): not the page's calendar date.
_LUNAR_AFTER = re.compile(r"\s*[(,]?\s*(?:âm\s+lịch|\bÂL\b)", re.IGNORECASE)
_EVENT_MONTH = re.compile(rf"\btháng\s+{_M}\s*(?:[/\-]|,?\s*năm)\s*{_Y}(?!\d)", re.IGNORECASE)
_NOT_EVENT_BEFORE = re.compile(
    r"(?:trước|sau|hạn|chậm nhất|kể từ|đến hết|tới|hết|muộn nhất|thời hạn)\s*$", re.IGNORECASE)
# The year of "31/7 và 02/8/2019": a full date closing the same range, not one in a later clause or bracket.
_NEXT_YEAR = re.compile(rf"^[^.;!?()\[\]]{{0,30}}?(?<![\d/.\-])(?:\d{{1,2}}\s?[/.\-]\s?)?{_M}\s?[/.\-]\s?{_Y}(?!\d)")
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
    if groups.get("vmay"):
        return _VI_MONTHS["năm"]
    if groups.get("vmon"):
        return _VI_MONTHS[" ".join(groups["vmon"].lower().split())]
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
    ``ngày 5 tháng 11 năm 2021``, Joomla's ``19 Tháng 5 2021`` (no ``năm``),
    WordPress's ``08 Tháng Tư, 2019`` (the month as a word: ``Giêng``/``Một``
    … ``Mười Hai``/``Chạp``, any case; ``Tháng Năm`` only with its comma,
    since ``12 tháng năm 2021`` is "the 12 months of 2021"), English
    ``Nov 5, 2021`` / ``5 November 2021``, with weekdays, labels and times
    (``08:30``, ``2:30:00 PM``) before or after. A ``dd/mm/yyyy`` date is read
    day first; US-culture ``11/25/2019`` is read month first only because 25
    cannot be a month (``05/11/2019`` is always the 5th of November).
    Month-only dates (``tháng 11/2021``, ``11/2021``, ``2021-11``) give
    ``("YYYY-MM", "month")`` and a bare year ``("YYYY", "year")``.

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
    >>> parse_header_date("Cập nhật ngày: 11/25/2019 2:30:00 PM")
    ('2019-11-25', 'day')
    >>> parse_header_date("Cập nhật ngày: 05/11/2019 2:30:00 PM")
    ('2019-11-05', 'day')
    >>> parse_header_date("Được đăng ngày Thứ ba, 10 Tháng 11 2020")
    ('2020-11-10', 'day')
    >>> parse_header_date("08 Tháng Tư, 2019")
    ('2019-04-08', 'day')
    >>> parse_header_date("Trong 12 tháng năm 2021, huyện đã giải ngân 95% vốn") is None
    True
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


class _Mention(NamedTuple):
    day: int
    month: int
    year: int | None      # written with the date or later in the same sentence
    start: int


def _event_mentions(text: str) -> list[_Mention]:
    """Day/month mentions of an opening that can be the event's date, in order.

    Deadlines (``trước ngày 31/12``) and dates quoted from cited documents are
    left out; the year is the one written with the date or later in the same
    sentence (``31/7 và 02/8/2019``), else ``None``.
    """
    matches = []
    for pattern in _EVENT_PATTERNS:
        matches.extend(pattern.finditer(text))
    matches.sort(key=lambda m: m.start())
    mentions = []
    for match in matches:
        if _NOT_EVENT_BEFORE.search(text[max(0, match.start() - 16):match.start()]):
            continue
        if is_cited_document_date(text, match.start("d")):
            continue
        if _LUNAR_AFTER.match(text, match.end()):
            continue
        month, day = _month_of(match), int(match["d"])
        year = int(match["y"]) if match["y"] else _resolve_year(text, match.end(), month, None)
        mentions.append(_Mention(day, month, year, match.start()))
    return mentions


def _event_month(text: str) -> tuple[str, str] | None:
    for match in _EVENT_MONTH.finditer(text[:300]):
        found_year = int(match["y"])
        if _valid_year(found_year) and not is_cited_document_date(text, match.start()):
            return f"{found_year:04d}-{int(match['m']):02d}", "month"
    return None


def find_event_date(opening: str, year: int | None, *, limit: int = 500) -> tuple[str, str] | None:
    """Event date of an opening paragraph, as ``(iso, precision)``.

    Looks for a time word followed by a day and month (``Sáng ngày 12/3``,
    ``Chiều 20-4``, ``Ngày 5/11/2021``, ``ngày 5 tháng 11``) in the first
    ``limit`` characters, skipping dates quoted from cited documents and
    deadlines (``trước ngày 31/12``). A missing year is taken from a full date
    later in the same sentence (``31/7 và 02/8/2019``), else from what the
    opening reviews or plans (``tổng kết công tác năm 2019`` in January:
    2020, see :func:`find_year_evidence`), else from ``year``, else from a
    year mentioned in the opening. Failing a day, a month (``Tháng 11/2021,
    …``) gives month precision. :func:`infer_date` does the same with all the
    evidence of a page and says where the year came from.

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
    >>> find_event_date("Sáng 8/1, Huyện ủy tổ chức hội nghị tổng kết công tác năm 2019.", 2019)
    ('2020-01-08', 'day')
    >>> find_event_date("Sáng 12/3, hội nghị diễn ra.", None) is None
    True
    """
    if not opening:
        return None
    found = infer_date(opening=opening, year_hint=year, limit=limit)
    return (found.iso, found.precision) if found else None


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


# --------------------------------------------------------------------------
# The genre's year logic
# --------------------------------------------------------------------------

_QUOTED = re.compile(r'“[^”\n]{0,300}”|"[^"\n]{0,300}"|«[^»\n]{0,300}»|‘[^’\n]{0,300}’')
_YEAR_MENTION = re.compile(
    r"(?P<prefix>\b(?:năm\s+học|niên\s+khóa|nhiệm\s+kỳ|giai\s+đoạn|năm)\s+)?"
    r"(?<![\w/.\-])(?P<a>(?:19|20)\d{2})(?:\s*[-–]\s*(?P<b>(?:19|20)\d{2}))?(?![\w/]|[-.]\d)",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[.;!?:]\s|\n")
_CLAUSE_END = re.compile(r"[.;!?:,]\s|\n")
# A target year ("mục tiêu đến năm 2025", "quy hoạch … đến 2030", "tầm nhìn Việt Nam 2035", "Chiến lược … 2030")
# says nothing of when the page is written.
_TARGET_BEFORE = re.compile(
    r"\b(?:đến|tới|trước|(?<!nửa\s)sau|từ|cho đến|vào khoảng)\s+(?:hết\s+)?(?:năm\s+)?$"
    r"|\b(?:tầm\s+nhìn|chiến\s+lược)\b[^\d,;:.!?()]{0,40}$", re.IGNORECASE)
# Nor does the year of an event whose editions are named years ahead ("Olympic 2024", "World Cup Nga 2018",
# "Expo Dubai 2020"): a 2017 page speaks of them.
# Not a fair named after its place ("Vietnam Expo 2021"): that one is yearly.
_EVENT_BEFORE = re.compile(
    r"\b(?:olympics?|paralympics?|sea\s+games|asiad|asian\s+games|world\s+cup|euro|copa\s+am[eé]rica|asian\s+cup"
    r"|aff(?:\s+suzuki)?\s+cup|confederations\s+cup|world\s+expo|(?P<expo>expo))"
    r"(?:\s+[^\s\d,;:.!?()]+){0,2}\s+(?:năm\s+)?$",
    re.IGNORECASE)
# A bare number that counts something is no year: "2000 người", "hơn 2000 đoàn viên", "2021 tỷ đồng", "2018 m2".
_COUNT_AFTER = re.compile(
    r"\s*(?:người|hộ|fan|cổ động viên|khán giả|du khách|lượt|học sinh|sinh viên|thí sinh|giáo viên|cán bộ|đảng viên"
    r"|hội viên|đoàn viên|công nhân|lao động|bệnh nhân|trẻ em|gia đình|doanh nghiệp|hợp tác xã|trường hợp|vụ|hồ sơ"
    r"|suất|phần quà|ha|héc-?ta|km2?|m[23²³]?|mét|tấn|kg|lít|tỷ|tỉ|triệu|nghìn|ngàn|trăm|đồng|usd|con|cây|căn|chiếc"
    r"|ngôi|cuốn|tác phẩm"
    r"|ca(?=\s*(?:$|[,.;:!?)]|mắc|bệnh|nhiễm|tử vong|dương tính|f0|covid|sốt|tay chân miệng)))(?![\w²³])",
    re.IGNORECASE)
_COUNT_BEFORE = re.compile(r"\b(?:hơn|gần|khoảng|chừng|trên|dưới|hàng|tổng cộng|tổng số)\s+$", re.IGNORECASE)
# Birth years of the people named ("sinh năm 1993", "SN 1993") neither.
_BIRTH_BEFORE = re.compile(r"(?:\bsinh\s+năm|\bnăm\s+sinh|[(,]\s*sinh|\bSN|\bs\.n)\s*:?\s*$", re.IGNORECASE)
_PERIOD_BEFORE = re.compile(
    r"(?P<n>\d{1,2}|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mười một)\s+tháng\s+(?P<half>đầu|cuối)\s+năm\s+$",
    re.IGNORECASE)
_QUARTER_BEFORE = re.compile(r"\bquý\s+(?P<q>iv|i{1,3}|[1-4])\s+(?:năm\s+)?$", re.IGNORECASE)
_CAN = r"(?:giáp|ất|bính|đinh|mậu|kỷ|canh|tân|nhâm|quý)"
_CHI = r"(?:tý|sửu|dần|mão|mẹo|thìn|tỵ|ngọ|mùi|thân|dậu|tuất|hợi)"
_TET_BEFORE = re.compile(
    rf"(?:\b(?:tết|xuân)(?:\s+nguyên\s+đán)?(?:\s+{_CAN}\s+{_CHI})?|\bnăm\s+{_CAN}\s+{_CHI})\s+(?:năm\s+)?$",
    re.IGNORECASE)
_REVIEW_WORDS = (r"tổng kết|sơ kết|kết quả|đánh giá|nhìn lại|đạt được|thành tích|báo cáo|khen thưởng|biểu dương"
                 r"|thực hiện được|đã làm được")
_PLAN_WORDS = (r"triển khai|phương hướng|kế hoạch|mục tiêu|chỉ tiêu|định hướng|giao ước|phát động|bước vào|dự toán"
               r"|đề ra|khai giảng|chuẩn bị|đăng ký thi đua")
_ROLE_WORD = re.compile(rf"\b(?:(?P<review>{_REVIEW_WORDS})|(?P<plan>{_PLAN_WORDS}))\b", re.IGNORECASE)
_WEAK_PLAN = re.compile(r"\b(?:nhiệm vụ|chương trình công tác)\b", re.IGNORECASE)
_CONGRESS = re.compile(r"\bđại hội\b", re.IGNORECASE)
_VI_NUMBERS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10,
               "mười một": 11}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


class YearEvidence(NamedTuple):
    """A year mentioned in a page, what it is said about, and when such a page is written.

    ``role`` is ``"review"`` (``tổng kết công tác năm 2019``), ``"plan"``
    (``triển khai nhiệm vụ năm 2020``), ``"period"`` (``sơ kết 6 tháng đầu
    năm 2021``), ``"quarter"`` (``quý III năm 2017``), ``"tet"`` (``Tết
    Nguyên đán Canh Tý 2020``), ``"school-year"`` (``năm học 2020-2021``),
    ``"congress"`` (``Đại hội … nhiệm kỳ 2020-2025``), ``"other"`` (``năm
    2019`` said of nothing in particular) or ``"bare"`` (a year without
    ``năm``: ``Hội thi 2019``).
    ``start``/``end`` bound the dates of the meetings and articles that speak
    of it that way (a review of 2019 from October 2019 to April 2020); an
    ``"other"`` or ``"bare"`` mention spans its own year.
    """

    year: int
    role: str
    start: _dt.date
    end: _dt.date
    position: int


def _month_start(year: int, month: int) -> _dt.date:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return _dt.date(year, month, 1)


def _month_end(year: int, month: int) -> _dt.date:
    return _month_start(year, month + 1) - _dt.timedelta(days=1)


def _role(clause: str) -> str:
    """``"review"``, ``"plan"`` or ``""`` from the words before a year in its clause (the nearest wins)."""
    last = None
    for match in _ROLE_WORD.finditer(clause):
        last = match
    if last is not None:
        return "review" if last["review"] else "plan"
    return "plan" if _WEAK_PLAN.search(clause) else ""


def _window(role: str, year: int) -> tuple[_dt.date, _dt.date]:
    if role == "review":  # a year's review: from October to the following April
        return _dt.date(year, 10, 1), _dt.date(year + 1, 4, 30)
    if role == "plan":    # a year's tasks: set from the October before to mid-year
        return _dt.date(year - 1, 10, 1), _dt.date(year, 6, 30)
    return _dt.date(year, 1, 1), _dt.date(year, 12, 31)


def find_year_evidence(text: str) -> list[YearEvidence]:
    """Years of ``text`` with what is said about them, for dating a page of the genre.

    Year-end and start-of-year meetings review one year and plan the next:
    a page saying ``tổng kết công tác năm 2019, triển khai nhiệm vụ năm
    2020`` is written between October 2019 and mid-2020, so its ``Sáng 8/1``
    is 8 January 2020 and its ``Sáng 15/12`` is 15 December 2019. Years
    inside quotations (slogans such as ``"Năm 2019 - Năm dân vận khéo"``),
    years of cited documents (``Luật … năm 2022``), targets (``mục tiêu đến
    năm 2025``, ``quy hoạch … đến 2030``, ``tầm nhìn Việt Nam 2035``,
    ``Chiến lược … 2030``), events named years ahead (``Olympic 2024``,
    ``World Cup 2022``, ``SEA Games``, ``ASIAD``, ``Euro``, ``Expo``), birth
    years (``sinh năm 1993``), bare numbers that count something (``2000
    người``, ``hơn 2000 đoàn viên``, ``2021 tỷ đồng``, ``2018 m2``) and codes
    are skipped.

    Examples
    --------
    >>> [(e.year, e.role) for e in find_year_evidence(
    ...     "Sáng 8/1, hội nghị tổng kết công tác năm 2019, triển khai nhiệm vụ năm 2020.")]
    [(2019, 'review'), (2020, 'plan')]
    >>> find_year_evidence("Huy động 2000 người dân dọn vệ sinh môi trường đón Olympic 2024")
    []
    >>> [(e.year, e.role, str(e.start), str(e.end)) for e in find_year_evidence("sơ kết 6 tháng đầu năm 2021")]
    [(2021, 'period', '2021-05-01', '2021-08-31')]
    """
    if not text:
        return []
    masked = _QUOTED.sub(lambda m: " " * len(m[0]), text)
    found: list[YearEvidence] = []
    previous_end = 0
    for match in _YEAR_MENTION.finditer(masked):
        a = int(match["a"])
        b = int(match["b"]) if match["b"] else None
        if not _valid_year(a) or (b is not None and not (_valid_year(b) and a < b <= a + 10)):
            previous_end = match.end()
            continue
        if is_cited_document_date(masked, match.start()) or is_cited_document_date(masked, match.start("a")):
            previous_end = match.end()
            continue
        window_start = max(previous_end, match.start() - 100)
        sentence = masked[_last_end(_SENTENCE_BREAK, masked, window_start, match.start("a")):match.start("a")]
        before = masked[_last_end(_CLAUSE_END, masked, window_start, match.start("a")):match.start("a")]
        prefix = (match["prefix"] or "").strip().lower()
        prefix = " ".join(prefix.split())
        role = _role(before[: len(before) - len(match["prefix"] or "")])
        evidence = _classify_year(a, b, prefix, role, before, sentence, match.start("a"),
                                  after=masked[match.end():match.end() + 40])
        if evidence is not None:
            found.append(evidence)
        previous_end = match.end()
    return found


def _last_end(pattern: re.Pattern, text: str, start: int, end: int) -> int:
    ends = list(pattern.finditer(text, start, end))
    return ends[-1].end() if ends else start


def _classify_year(a: int, b: int | None, prefix: str, role: str, before: str, sentence: str,
                   position: int, *, after: str = "") -> YearEvidence | None:
    if b is not None:
        if prefix in ("năm học", "niên khóa"):
            if role == "review":
                return YearEvidence(b, "school-year", _dt.date(b, 4, 1), _dt.date(b, 8, 31), position)
            if role == "plan":
                return YearEvidence(a, "school-year", _dt.date(a, 7, 1), _dt.date(a, 10, 31), position)
            # admissions and fees are written from spring of the first year on
            return YearEvidence(a, "school-year", _dt.date(a, 3, 1), _dt.date(b, 6, 30), position)
        if prefix == "nhiệm kỳ" and _CONGRESS.search(sentence):
            return YearEvidence(a, "congress", _dt.date(a - 1, 10, 1), _dt.date(a, 12, 31), position)
        if prefix == "giai đoạn" and role:
            year = b if role == "review" else a
            return YearEvidence(year, role, *_window(role, year), position)
        if prefix in ("giai đoạn", ""):  # "tiêu chí giai đoạn 2017-2020", "học bổng 2017 - 2018"
            return YearEvidence(a, "bare", *_window("other", a), position)
        return None
    if _TARGET_BEFORE.search(before) or _BIRTH_BEFORE.search(before) or _event_named(before):
        return None
    period = _PERIOD_BEFORE.search(before)
    if period:
        n = period["n"].lower()
        months = int(n) if n.isdigit() else _VI_NUMBERS[n]
        if not 1 <= months <= 12:
            return None
        at = months if period["half"].lower() == "đầu" else 12 - months
        if at in (0, 12):  # the whole year
            kind = "plan" if at == 0 else "review"
            return YearEvidence(a, kind, *_window(kind, a), position)
        return YearEvidence(a, "period", _month_start(a, max(1, at - 1)), _month_end(a, min(12, at + 2)), position)
    quarter = _QUARTER_BEFORE.search(before)
    if quarter:
        q = quarter["q"].lower()
        q = int(q) if q.isdigit() else _ROMAN[q]
        return YearEvidence(a, "quarter", _month_start(a, 3 * q - 3), _month_end(a, 3 * q + 1), position)
    if _TET_BEFORE.search(before):
        return YearEvidence(a, "tet", _dt.date(a - 1, 12, 1), _dt.date(a, 3, 15), position)
    if prefix == "năm" and role:
        return YearEvidence(a, role, *_window(role, a), position)
    if prefix == "năm":
        return YearEvidence(a, "other", *_window("other", a), position)
    if not prefix:
        if _counts(after) or _COUNT_BEFORE.search(before):
            return None
        return YearEvidence(a, "bare", *_window("other", a), position)
    return None


def _event_named(before: str) -> bool:
    """Whether a year closes the name of an event held every few years (``Olympic 2024``, ``World Cup Nga 2018``)."""
    event = _EVENT_BEFORE.search(before)
    if event is None:
        return False
    if event["expo"]:
        preceding = before[:event.start()].split()[-1:]
        return not (preceding and preceding[0][:1].isupper())
    return True


def _counts(after: str) -> bool:
    """Whether the words after a bare number name what it counts (``2000 người``), not a place (``2019 Đồng Tháp``)."""
    noun = _COUNT_AFTER.match(after)
    if noun is None:
        return False
    following = after[noun.end():].split(maxsplit=1)
    proper = noun[0].strip()[:1].isupper() and bool(following) and following[0][:1].isupper()
    return not proper


def _scores(month: int, day: int, windows: list[YearEvidence]) -> dict[int, int]:
    """For each candidate year, how many evidence windows hold ``day/month`` of that year."""
    scores: dict[int, int] = {}
    for year in sorted({y for e in windows for y in range(e.start.year, e.end.year + 1)}):
        try:
            when = _dt.date(year, month, day)
        except ValueError:
            continue
        scores[year] = sum(e.start <= when <= e.end for e in windows)
    return scores


def _best(scores: dict[int, int], preferred: list[int]) -> int | None:
    if not scores or max(scores.values()) == 0:
        return None
    top = max(scores.values())
    tied = [y for y, s in scores.items() if s == top]
    for year in preferred:
        if year in tied:
            return year
    return max(tied)


def evidence_year(evidence: list[YearEvidence]) -> int | None:
    """The year in which a page with this evidence is most likely written, or ``None``.

    Only reviews, plans, periods, quarters, Tết, school years and congresses
    count. The months held by the most windows are found; the year with most
    of those months wins (a later year on a tie): a review of 2019 alone spans
    October 2019 to April 2020, so 2020.

    Examples
    --------
    >>> evidence_year(find_year_evidence("Hội nghị sơ kết 6 tháng đầu năm 2021"))
    2021
    >>> evidence_year(find_year_evidence("tổng kết năm 2019, triển khai nhiệm vụ năm 2020"))
    2020
    """
    windows = [e for e in evidence if e.role not in ("other", "bare")]
    if not windows:
        return None
    counts: dict[tuple[int, int], int] = {}
    for e in windows:
        month = _month_start(e.start.year, e.start.month)
        while month <= e.end:
            key = (month.year, month.month)
            counts[key] = counts.get(key, 0) + 1
            month = _month_start(month.year, month.month + 1)
    top = max(counts.values())
    years: dict[int, int] = {}
    for (year, _), count in counts.items():
        if count == top:
            years[year] = years.get(year, 0) + 1
    best = max(years.values())
    return max(y for y, n in years.items() if n == best)


# --------------------------------------------------------------------------
# Dates in addresses
# --------------------------------------------------------------------------

_URL_HOST = re.compile(r"^[a-z][a-z0-9+.\-]*://[^/]*", re.IGNORECASE)
_URL_DAY = tuple(re.compile(p) for p in (
    r"(?<!\d)(?P<y>(?:19|20)\d{2})[/_\-.](?P<m>0?[1-9]|1[0-2])[/_\-.](?P<d>0?[1-9]|[12]\d|3[01])(?!\d)",
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])"
    r"(?:(?P<hh>[01]\d|2[0-3])(?P<mi>[0-5]\d)(?:[0-5]\d(?:\d{3})?)?)?(?!\d)",
    r"(?<![\d])(?P<d>0?[1-9]|[12]\d|3[01])[_\-.](?P<m>0?[1-9]|1[0-2])[_\-.](?P<y>(?:19|20)\d{2})(?!\d)",
))
_URL_MONTH = re.compile(r"/(?P<y>(?:19|20)\d{2})[/_\-](?P<m>0?[1-9]|1[0-2])(?=/|$)")
_URL_YEAR = re.compile(r"/(?P<y>(?:19|20)\d{2})/")


def parse_url_date(url: str | None) -> tuple[str, str] | None:
    """Publication date written in a page's address, as ``(iso, precision)``.

    Recognizes ``/2020/01/08/``, ``/2020-01-08/``, ``…-20200108.html``,
    ``…-20200108163534963.htm`` (date and time), ``…-8-1-2020.html``;
    ``/2020/01/`` gives a month and ``/2020/`` a year. The host name is not
    searched.

    Examples
    --------
    >>> parse_url_date("https://dvhuyen.example.vn/tin-tuc/2020/01/08/hoi-nghi.html")
    ('2020-01-08', 'day')
    >>> parse_url_date("https://example.vn/chinh-tri/hoi-nghi-tong-ket-20200108093015123.htm")
    ('2020-01-08', 'day')
    >>> parse_url_date("https://example.vn/tin/2019/12/")
    ('2019-12', 'month')
    >>> parse_url_date("https://example.vn/tin-tuc/12345678.html") is None
    True
    """
    if not url:
        return None
    path = _URL_HOST.sub("", url.strip())
    for pattern in _URL_DAY:
        for match in pattern.finditer(path):
            iso = _iso_day(int(match["y"]), int(match["m"]), int(match["d"]))
            if iso:
                return iso, "day"
    for match in _URL_MONTH.finditer(path):
        if _valid_year(int(match["y"])):
            return f"{int(match['y']):04d}-{int(match['m']):02d}", "month"
    for match in _URL_YEAR.finditer(path):
        if _valid_year(int(match["y"])):
            return match["y"], "year"
    return None


# --------------------------------------------------------------------------
# One page's date from all its evidence
# --------------------------------------------------------------------------


class DateInference(NamedTuple):
    """A page's date: ISO value, precision and how it was found (``date_source``)."""

    iso: str
    precision: str
    source: str


#: The ``date_source`` values of a date read from the page or its table (a date line, the markup, the address, a
#: date column), not inferred from the text.
PAGE_DATE_SOURCES = ("header", "header-english", "markup", "url", "table-field")

#: The ``date_source`` vocabulary (see README, "The document table").
DATE_SOURCES = PAGE_DATE_SOURCES + (
    "event", "event+header-year", "event+markup-year", "event+url-year", "event+review-year",
    "event+title-year", "event+hint-year", "event+text-year", "event+banner-year",
    "review-year", "title-year", "banner-year",
)


def _first_year(text: str) -> int | None:
    """The first year of ``text`` usable as a page's year (see :func:`find_year_evidence`).

    A year written as one (``năm 2019``, ``quý I năm 2020``, ``Tết … 2020``) comes before a bare number of the
    same sentence (``Dân vận khéo 2018 … trong năm 2019`` is 2019).
    """
    evidence = find_year_evidence(text or "")
    if not evidence:
        return None
    first = evidence[0]
    for mention in evidence:
        if _SENTENCE_BREAK.search(text, first.position, mention.position):
            break  # a later sentence's "vào năm 1991" is another story
        if mention.role != "bare":
            return mention.year
    return first.year


def infer_date(
    *,
    header: tuple[str, str] | None = None,
    header_source: str = "header",
    markup: tuple[str, str] | None = None,
    url: str | None = None,
    title: str = "",
    opening: str = "",
    banner_year: int | None = None,
    year_hint: int | None = None,
    limit: int = 500,
) -> DateInference | None:
    """The publication date of a page from all its evidence, and how it was found.

    In order: a header date of the day (``header_source``); a date in the
    markup (``markup``); a date in the address (``url``); the event date of
    the opening paragraph (``event`` when its year is written, else
    ``event+…-year`` saying where the year came from: a header, markup or
    address giving only the month or year, the reviews and plans of the title
    and opening (:func:`find_year_evidence`), the title's year, ``year_hint``,
    a year of the opening, the banner's year); a month of the opening
    (``Tháng 11/2021, …``); a header, markup or address month or year; then a
    year only, from the reviews and plans (``review-year``), the title
    (``title-year``) or the banner (``banner-year``). Dates quoted from cited
    documents and years inside quotations are never used, nor targets, events
    named years ahead and numbers that count (:func:`find_year_evidence`);
    the title's or opening's year is the first written as one (``năm
    2019``) before a bare number (``Hội thi 2019``).

    Parameters
    ----------
    header, markup
        ``(iso, precision)`` of the header date line and of the page's date
        markup, when there are.
    header_source
        ``"header"`` or ``"header-english"`` (an English label or month).
    url
        The page's address.
    title, opening
        Headline and opening paragraph.
    banner_year
        Year of the portal's yearly banner (``Chủ đề năm 2019: …``).
    year_hint
        A year the caller knows from elsewhere (after the title's year).
    limit
        How many characters of the opening to search for the event date.

    Examples
    --------
    >>> infer_date(title="Hội nghị tổng kết công tác dân vận năm 2019",
    ...            opening="Sáng 8/1, Ban Dân vận Huyện ủy tổ chức hội nghị tổng kết công tác năm 2019, "
    ...                    "triển khai nhiệm vụ năm 2020.")
    DateInference(iso='2020-01-08', precision='day', source='event+review-year')
    >>> infer_date(header=("2020-01-09", "day"), opening="Sáng 8/1, Huyện ủy tổ chức hội nghị.")
    DateInference(iso='2020-01-09', precision='day', source='header')
    >>> infer_date(title="Gương sáng dân vận khéo năm 2018", opening="Ông Lộc hiến đất làm đường.")
    DateInference(iso='2018', precision='year', source='title-year')
    """
    if header is not None and header[1] == "day":
        return DateInference(header[0], "day", header_source)
    if markup is not None and markup[1] == "day":
        return DateInference(markup[0], "day", "markup")
    from_url = parse_url_date(url)
    if from_url is not None and from_url[1] == "day":
        return DateInference(from_url[0], "day", "url")
    partial = [(value, source) for value, source in (
        (header, "header"), (markup, "markup"), (from_url, "url")) if value is not None]

    text = (opening or "")[:limit]
    evidence = find_year_evidence(title) + find_year_evidence(text)
    windows = [e for e in evidence if e.role not in ("other", "bare")]
    fallbacks = [(year, name) for year, name in (
        (_first_year(title), "title"), (year_hint, "hint"), (_first_year(text), "text"), (banner_year, "banner"))
        if year is not None]

    for mention in _event_mentions(text):
        found = _event_year(mention, partial, windows, fallbacks)
        if found is None:
            continue
        year, source = found
        iso = _iso_day(year, mention.month, mention.day)
        if iso:
            return DateInference(iso, "day", source)
    month = _event_month(text)
    if month is not None:
        return DateInference(month[0], month[1], "event")
    if partial:
        (iso, precision), source = partial[0]
        return DateInference(iso, precision, header_source if source == "header" else source)
    year = evidence_year(evidence)
    if year is not None and _valid_year(year):
        return DateInference(str(year), "year", "review-year")
    for year, name in fallbacks:
        if name in ("title", "banner"):
            return DateInference(str(year), "year", f"{name}-year")
    return None


def _event_year(mention: _Mention, partial, windows: list[YearEvidence], fallbacks) -> tuple[int, str] | None:
    if mention.year is not None:
        return mention.year, "event"
    preferred = [year for year, _ in fallbacks]
    if partial:
        (iso, precision), source = partial[0]
        known = int(iso[:4])
        if precision == "month":
            year = known if mention.month <= int(iso[5:7]) else known - 1
        else:  # the event is in the publication year, or just before it
            scores = {y: s for y, s in _scores(mention.month, mention.day, windows).items() if y in (known, known - 1)}
            year = known - 1 if scores.get(known - 1, 0) > scores.get(known, 0) else known
        return year, f"event+{source}-year"
    year = _best(_scores(mention.month, mention.day, windows), preferred)
    if year is not None:
        return year, "event+review-year"
    if fallbacks:
        year, name = fallbacks[0]
        return year, f"event+{name}-year"
    return None
