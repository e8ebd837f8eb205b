"""Text-saved pages of Party-committee / Ban Dân vận portals → document fields.

A page saved as text holds, around the article, the portal's furniture: menus,
search boxes, visitor counters (``Thống kê truy cập``, ``Đang online33``),
breadcrumbs (``Trang chủ > Tin tức > …``), yearly banners (``Năm 2023 — năm
…``), date and view lines (``Ngày đăng: 05/11/2021 | Lượt xem: 123``),
print/share buttons, related-article lists and footers. :func:`parse_page`
classifies each line by genre rules and returns a :class:`PageFields`:
headline, publication date (header date, else the event date of the opening
paragraph with the year taken from the page), views, category, author and
source lines, the acting body (``issuer``), photo captions and the clean body.

The rules look at the *shape* of lines (length, final punctuation, labels,
position relative to the headline and the first paragraph), never at a
particular portal, so they carry over to other localities and templates.

Examples
--------
>>> page = '''Tin hoạt động
...
... Hội Cựu chiến binh phường tổ chức gặp mặt hội viên mới
... Ngày đăng: 05/11/2021 | Lượt xem: 87
...
... Sáng 4/11, Hội Cựu chiến binh phường Phúc Xá tổ chức gặp mặt 25 hội viên mới.
...
... Các hội viên được phổ biến điều lệ hội và nhiệm vụ năm 2022.
...
... Thống kê truy cập
... Đang online12'''
>>> fields = parse_page(page)
>>> fields.title, fields.date, fields.views, fields.category
('Hội Cựu chiến binh phường tổ chức gặp mặt hội viên mới', '2021-11-05', 87, 'Tin hoạt động')
"""

from __future__ import annotations

import dataclasses
import html
import re
import unicodedata
from dataclasses import dataclass

import regex

from toolkit.ingest.dates import YEAR_RANGE, find_date, find_year_evidence, infer_date
from toolkit.places import place_name_at
from toolkit.text.normalize import normalize_tone_marks

__all__ = ["PageFields", "parse_page", "unsegment", "split_lines", "find_issuer", "banner_year", "is_category_line"]

PARAGRAPH_SEP = "\n\n"


@dataclass
class PageFields:
    """Fields of one page, as used by the document table.

    Attributes
    ----------
    title : str
        Headline; empty when the page has none (never invented from the body).
    date : str
        ``YYYY-MM-DD`` when the day is known, else empty.
    date_precision : str
        ``"day"``, ``"month"``, ``"year"`` or empty.
    year : int or None
        Publication year when known (also for month/year precision).
    views : int or None
        View count printed in the header.
    category : str
        Portal category or last breadcrumb.
    author : str
        Author and source lines (several joined by ``" - "``).
    issuer : str
        Acting body of the article, e.g. ``"Ban Dân vận Huyện ủy"``.
    body : str
        Clean article text, paragraphs separated by blank lines.
    captions : str
        Photo captions, one per line.
    date_source : str
        How the date was found: ``"header"``, ``"header-english"``,
        ``"markup"``, ``"url"``, ``"event"``, ``"event+review-year"``,
        ``"title-year"``… (see :data:`toolkit.ingest.dates.DATE_SOURCES`), or empty.
    url : str or None
        Address of the page when known.
    site : str
        The site's own name as an HTML page shows it, one per line: its
        ``og:site_name``, the parts of its ``<title>`` beside the headline,
        its header's committee name in capitals, its footer's owner line
        without the office's address and contacts that may follow it
        (``Bản quyền thuộc Ban Dân vận Huyện ủy Đại Từ``).
        Where the publisher is: the locality's evidence when the article
        names no district. Empty for text pages.
    """

    title: str = ""
    date: str = ""
    date_precision: str = ""
    year: int | None = None
    views: int | None = None
    category: str = ""
    author: str = ""
    issuer: str = ""
    body: str = ""
    captions: str = ""
    date_source: str = ""
    url: str | None = None
    site: str = ""

    def to_dict(self) -> dict:
        """The fields as a plain ``dict`` (keys as the attribute names)."""
        return dataclasses.asdict(self)


# --------------------------------------------------------------------------
# Line preparation
# --------------------------------------------------------------------------

_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def split_lines(text: str) -> list[str]:
    """NFC lines of ``text`` in the new tone-mark style, stripped, without odd spaces or invisible characters."""
    text = normalize_tone_marks(unicodedata.normalize("NFC", _INVISIBLE_RE.sub("", text)))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return [_SPACES_RE.sub(" ", line).strip() for line in text.split("\n")]


# --------------------------------------------------------------------------
# unsegment
# --------------------------------------------------------------------------

_SEG_TOKEN_RE = re.compile(r"(?<![\w/@.\-])([^\W\d_]+(?:_[^\W\d_]+)+)(?![\w/@]|[.\-]\w)")
_SEG_PUNCT_BEFORE_RE = re.compile(r"(?<=\w) +([.,;:!?)\]”’…]+)(?=\s|$)")
_SEG_PUNCT_AFTER_RE = re.compile(r"([(\[“‘]) +(?=\w)")


# An HTML character reference left in scraped text: numeric, named with its semicolon, or one of the five a
# page most often writes without it ("lúc&nbsp11h", "F&amp B").
_ENTITY_RE = regex.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};|(?:nbsp|amp|quot|lt|gt)(?![A-Za-z0-9]*;))")


def unescape_entities(text: str) -> str:
    """Decode the HTML character references a scraper left in plain text (``&nbsp;``, ``&#7897;``, ``&nbsp``).

    Tables and text files exported from portals carry them; left as they are,
    ``lúc&nbsp11h`` becomes the token ``nbsp11h`` and ``tin&nbsptức`` the
    token ``nbsptức``. Only character references are decoded (never a bare
    ``&``: "R&D", "Công ty A&B"); a name HTML does not know stays as written.

    Examples
    --------
    >>> unescape_entities("lúc&nbsp11h, F&amp;B, R&D, &#272;&#7843;ng")
    'lúc 11h, F&B, R&D, Đảng'
    """
    if "&" not in text:
        return text
    # a no-break space is written as the space it stands for
    return _ENTITY_RE.sub(lambda m: html.unescape(m[0]).replace("\xa0", " "), text)


def unsegment(text: str) -> str:
    """Undo word segmentation: ``"giải_phóng mặt_bằng"`` → ``"giải phóng mặt bằng"``.

    Acts only when the text looks segmented (several letter_letter tokens,
    or at least a tenth of the tokens): underscores inside tokens made of
    letters become spaces, and the spaces a segmenter puts before punctuation
    (``"quý III ."``) are removed. Tokens that hold digits, ``/``, ``@`` or a
    file extension (``ma_so_2``, ``a_b@x.vn``, ``bao_cao.pdf``) are left alone.

    Examples
    --------
    >>> unsegment("Ban Dân_vận Quận_ủy tổ_chức giao_ban quý III .")
    'Ban Dân vận Quận ủy tổ chức giao ban quý III.'
    >>> unsegment("xem tệp bao_cao.pdf")
    'xem tệp bao_cao.pdf'
    """
    if not text or "_" not in text:
        return text
    segmented = _SEG_TOKEN_RE.findall(text)
    n_tokens = max(1, len(text.split()))
    if len(segmented) < 3 and len(segmented) / n_tokens < 0.1:
        return text
    out = _SEG_TOKEN_RE.sub(lambda m: m[1].replace("_", " "), text)
    out = _SEG_PUNCT_BEFORE_RE.sub(r"\1", out)
    return _SEG_PUNCT_AFTER_RE.sub(r"\1", out)


# --------------------------------------------------------------------------
# Genre vocabulary
# --------------------------------------------------------------------------

_I = re.IGNORECASE

#: Navigation and sidebar items that are dropped wherever they stand alone on a line.
_MENU_ITEMS = frozenset("""
trang chủ|home|giới thiệu|liên hệ|tìm kiếm|search|tìm|đăng nhập|đăng ký|đăng xuất|sơ đồ site|sơ đồ trang|sitemap
|video|videos|clip|thư viện ảnh|thư viện video|thư viện|hình ảnh|ảnh|album ảnh|media|podcast|infographic|emagazine
|văn bản|văn bản mới|văn bản chỉ đạo|hỏi đáp|góp ý|english|tiếng việt|menu|danh mục|chuyên mục|tin mới|tin mới nhất
|tin nổi bật|nổi bật|đọc nhiều|xem nhiều|tin xem nhiều|tin đọc nhiều|liên kết|liên kết website|liên kết web
|quảng cáo|lịch công tác|danh bạ|danh bạ điện thoại|rss|in|in bài|in trang|bản in|gửi email|gửi mail|email
|chia sẻ|facebook|twitter|zalo|youtube|google|like|share|tweet|lưu|lưu bài|quay lại|trở lại|về đầu trang
|đầu trang|trở về|trở về trang trước|bình luận|gửi|xem tiếp|đọc tiếp|chi tiết|xem chi tiết|xem thêm|top|tiêu điểm
|thông báo|sự kiện|tin ảnh|phóng sự ảnh|dư luận|bạn đọc|thăm dò ý kiến|bình chọn|kết quả|biểu quyết|skip to content
|trang trước|trang sau|trang tiếp|previous|next|prev|đóng|close|x|cỡ chữ|a|a+|a-|font|in ấn|print|mobile|desktop
|lịch|lịch làm việc|tải về|download|tải xuống|đính kèm|tệp đính kèm|file đính kèm|xem file|ngôn ngữ
""".replace("\n", "").split("|"))

_SOCIAL_TOKEN_RE = re.compile(
    r"\b(?:in bài|in trang|bản in|gửi email|gửi bài|gửi mail|gửi cho bạn bè|chia sẻ|facebook|twitter|zalo|google\+?"
    r"|like|share|tweet|lưu bài|lưu tin|quay lại|trở về|về đầu trang|đầu trang|print|email|cỡ chữ|a\+|a-|in|lưu"
    r"|thích|bình luận|copy link|sao chép liên kết|phản hồi)\b|[|•·/\-–—:()\[\]]",
    _I,
)
_COUNTER_RE = re.compile(
    r"^(?:thống kê truy cập|thống kê|đang online|đang trực tuyến|đang truy cập|online|trực tuyến"
    r"|tổng (?:số )?(?:lượt )?truy cập|tổng lượt truy cập|lượt truy cập|số lượt truy cập|truy cập"
    r"|hôm nay|hôm qua|tuần này|tuần trước|tháng này|tháng trước|năm nay|trong ngày|trong tuần|trong tháng"
    r"|trong năm|tất cả|tổng cộng|tổng|khách|thành viên|đang xem|số người online|lượt xem trang|visitors?"
    r"|total|today|yesterday|users? online|người trực tuyến|lượt truy cập hiện tại|khách online|khách truy cập"
    r"|lượt khách|tuần|tháng|năm|hiện tại|đã truy cập|lượt truy cập trong ngày)\s*[:：]?\s*[\d.,]*$",
    _I,
)
_SEARCH_RE = re.compile(r"^(?:tìm kiếm|search|nhập từ khóa|từ khóa|nhập nội dung|tìm kiếm nâng cao)\b.{0,40}$", _I)
_CRUMB_SPLIT_RE = re.compile(r"\s*(?:>>|»|›|>|→|/|\\)\s*")
_CRUMB_START_RE = re.compile(r"^(?:trang chủ|home|trang nhất)\s*(?:>>|»|›|>|→|/|\\)", _I)
_BANNER_RE = re.compile(
    r"^[\"“]?\s*(?:năm\s+(?:19|20)\d{2}\s*(?:[-–—:,.]\s*)?(?:là\s+)?[\"“]?\s*năm\b"
    r"|chủ đề\b[^:：]{0,40}?(?:19|20)\d{2}[^:：]{0,40}[:：]"
    r"|(?:nhiệt liệt )?chào mừng\b|mừng đảng\b|(?:đảng cộng sản việt nam )?quang vinh muôn năm"
    r"|(?:nước )?cộng hòa xã hội chủ nghĩa việt nam muôn năm|chủ tịch hồ chí minh vĩ đại)",
    _I,
)
_BANNER_ANY_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# Breadcrumbs that do not start at the home page: "Tin tức » Hoạt động".
_CRUMB_ARROW_RE = re.compile(r"\s*(?:>>|»|›|>|→)\s*")
# Category lines: short lines made only of the words portals name their sections with.
_CATEGORY_WORDS = frozenset("""
tin tức bài hoạt động sự kiện nổi bật đảng đoàn thể dân vận khéo chuyên đề mục thời cơ sở địa phương trong ngoài
nước quốc tế tổng hợp chính trị xã hội kinh văn hóa giáo dục an ninh phòng mặt trận gương điển hình người tốt việc
nghiên cứu trao đổi xây dựng tuyên truyền công tác ảnh video thông báo chỉ đạo điều hành lãnh đạo của ban các và
cấp huyện quận tỉnh thành phố thị xã phường trấn ủy mttq đời sống pháp luật chính quyền vùng dân tộc tôn giáo
phụ nữ nông thanh niên cựu chiến binh hội mới nhất tiêu điểm góc nhìn bình luận phóng sự dư luận khối vận
news events activities local party mass mobilization home
""".split())
# "Bình luận của các nhà khoa học": a heading of the article (its experts' comments), not the readers' comments
_NOT_READERS = r"của\s+(?!bạn\b|bạn đọc|độc giả|khách)"
_STOP_RE = re.compile(
    r"^(?:tin liên quan|các tin liên quan|bài viết liên quan|bài liên quan|tin bài liên quan|các bài liên quan"
    r"|các tin khác|tin khác|các bài khác|các bài viết khác|bài viết khác|tin bài khác|các tin bài khác"
    r"|tin cùng chuyên mục|cùng chuyên mục|bài cùng chuyên mục|tin cùng loại|các tin cùng chuyên mục"
    r"|tin đã đưa|các tin đã đưa|tin đã đăng|các tin đã đăng|tin mới hơn|tin cũ hơn|các tin mới|các tin cũ"
    r"|tin mới(?=\s*[:：]?\s*$)"
    r"|các tin mới hơn|các tin cũ hơn|tin mới đăng|tin tức khác|xem thêm|xem tiếp|đọc thêm|có thể bạn quan tâm"
    r"|tin cùng chủ đề|bài viết cùng chủ đề|cùng chủ đề|tin bài cùng chuyên mục|tin mới nhất|tin xem nhiều"
    r"|tin đọc nhiều|đọc nhiều nhất|xem nhiều nhất|tin nổi bật|tin tiêu điểm|tin ảnh|video nổi bật"
    r"|related(?: news| articles| posts)?|other news|more news|read more|see also|thống kê truy cập"
    rf"|ý kiến bạn đọc|ý kiến của bạn|gửi ý kiến|gửi bình luận|bình luận(?!\s+{_NOT_READERS})|viết bình luận"
    rf"|ý kiến phản hồi|tags?|từ khóa)\b\s*[:：]?.{{0,60}}$",
    _I,
)
# Footer lines: some are footers however they are written, others only as "Label: value".
_FOOTER_RE = re.compile(
    r"^(?:bản quyền|copyright|©|\(c\)|cơ quan chủ quản|chịu trách nhiệm (?:nội dung|xuất bản|chính)"
    r"|người chịu trách nhiệm|giấy phép (?:số|xuất bản|thiết lập|hoạt động)|ghi rõ nguồn|thiết kế bởi"
    r"|phát triển bởi|thiết kế và phát triển|designed by|powered by|developed by|all rights reserved"
    r"|đơn vị quản lý website|đơn vị vận hành)\b.*$",
    _I,
)
_FOOTER_LABEL_RE = re.compile(
    r"^(?:địa chỉ|điện thoại|đt|tel|fax|hotline|e-?mail|website|trụ sở|phụ trách|ban biên tập|trưởng ban biên tập"
    r"|cơ quan quản lý|đơn vị quản lý|chịu trách nhiệm|giấy phép|liên hệ)\s*[:：]",
    _I,
)
_FOOTER_INLINE_RE = re.compile(r"©|copyright|bản quyền thuộc|all rights reserved", _I)
# Stop lines that end the article whatever follows them: the visitor counters, the readers' comments (which read as
# running prose) and the tags.
_HARD_STOP_RE = re.compile(
    rf"^(?:thống kê|ý kiến|gửi ý kiến|gửi bình luận|bình luận(?!\s+{_NOT_READERS})|viết bình luận|tags?\b|từ khóa)", _I)
# The link that closes a box of other articles, under its items ("Xem tiếp", "Đọc thêm »").
_BOX_CLOSER_RE = re.compile(r"^(?:xem tiếp|xem thêm|đọc tiếp|đọc thêm|read more|more)\W*$", _I)
# A footer's label with its value ("Địa chỉ: …", "Cơ quan chủ quản: …"), not a heading that starts with its words.
_FOOTER_VALUE_RE = re.compile(r"^[^:：]{0,40}[:：]")

_TERMINAL_RE = re.compile(r"(?:[.!?…;:]|\.\.\.|\./\.)[\"”’»)\]]*$")
_TITLE_BAD_END_RE = re.compile(r"[.;:,]$")

# Header date/views lines.
_DATE_LABEL_RE = re.compile(
    r"\b(?:ngày đăng|đăng ngày|ngày đưa tin|ngày cập nhật|cập nhật(?: lúc| ngày| lần cuối)?|đăng lúc|ngày xuất bản"
    r"|xuất bản(?: lúc| ngày)?|thời gian đăng|thời gian cập nhật|thời gian|ngày gửi|gửi lúc|ngày tạo|ngày viết"
    r"|ngày ban hành|posted(?: on| at)?|published(?: on| at)?|updated(?: on| at)?|last updated|created(?: on)?"
    r"|date|đăng)\b\s*[:：]?",
    _I,
)
_VIEWS_RE = re.compile(
    r"(?:(?:số\s+)?lượt\s+(?:xem|đọc)|số\s+lần\s+(?:xem|đọc)|lần\s+xem|đã\s+xem|lượt\s+truy\s+cập\s+bài"
    r"|views?\s+count|view\s+count|page\s*views?|views?|reads?|hits?"
    r"|xem)\s*[:：]?\s*(\d{1,3}(?:[.,]\d{3})+|\d+)(?!\d)",
    _I,
)
# "(312 lượt xem)": the number first, never the minutes of a time ("09:47 Lượt xem: 86").
_VIEWS_AFTER_RE = re.compile(
    r"(?<![\d:.,/h])(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:lượt\s+(?:xem|đọc)|lần\s+xem|views?|reads?)\b", _I)
_ENGLISH_DATE_RE = re.compile(
    r"\b(?:posted|published|updated|last updated|created|date|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
    r"|january|february|march|april|june|july|august|september|october|november|december)\b", _I)
_TIME_RE = re.compile(r"\b\d{1,2}\s?[:h]\s?\d{2}(?:\s?:\s?\d{2})?(?:\s?(?:am|pm|sa|ch))?\b|\bgmt\s?[+-]?\s?\d*|\butc\b", _I)
_WEEKDAY_RE = re.compile(
    r"\b(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|bẩy|[2-7])|chủ\s*nhật|cn|t[2-7]"
    r"|mon(?:day)?|tue(?:sday)?|wed(?:nesday)?|thu(?:rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\b",
    _I,
)
_META_FILLER_RE = re.compile(r"\b(?:lúc|ngày|vào|at|on|giờ)\b|[|•·,\-–—:()\[\]/]", _I)
_INLINE_AUTHOR_RE = re.compile(
    r"(?:tác giả|người đăng|người viết|đăng bởi|posted by|written by|by|biên tập|nguồn)\s*[:：]?\s*"
    r"([^|•·\d:]{2,60}?)\s*(?=[|•·]|$|\d|ngày|lượt|cập nhật)",
    _I,
)

# Author and source lines.
_NOT_AUTHORS = frozenset({"admin", "administrator", "quản trị", "quản trị viên", "biên tập viên", "btv", "webmaster",
                          "editor", "user", "người dùng", "ban biên tập", "bbt", "quản trị hệ thống", "quản trị website",
                          "quản trị web", "quản trị cổng", "ban quản trị", "quản trị nội dung", "super user",
                          "superuser", "system administrator"})
_UPPER = "A-ZÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_NAME_WORD = rf"(?:[{_UPPER}](?:['’ʼ][{_UPPER}])?[^\W\d_]*\.?|[{_UPPER}]\.)"  # also Ê Đê and Gia Rai names: H'Bla
_NAME = rf"{_NAME_WORD}(?: {_NAME_WORD}){{1,4}}"
_ABBR = rf"[{_UPPER}]{{2,8}}"
_INITIALS = rf"[{_UPPER}]\.\s?(?:[{_UPPER}]\.\s?)*[{_UPPER}][^\W\d_]*"
_NAME_RE = regex.compile(rf"^(?:{_NAME}|{_INITIALS})(?:\s*(?:[-–—,&]|và)\s*(?:{_NAME}|{_INITIALS}))*$")
_COMPILED_SOURCE_RE = re.compile(r"^\(?(?:tổng hợp|tin tổng hợp|nguồn tổng hợp|th|tổng hợp từ .{2,40})\)?\.?$", _I)
_ABBR_LINE_RE = regex.compile(rf"^\(?(?:{_ABBR})(?:\s*[-–—/,]\s*{_ABBR})*\)?\.?$")
_ORG_HEAD = (
    r"(?:ban|trung tâm|phòng|hội|đài|báo|cổng|trang|văn phòng|ubnd|ủy ban|hđnd|huyện ủy|quận ủy|thành ủy|tỉnh ủy"
    r"|thị ủy|đảng ủy|đảng bộ|chi bộ|đoàn|huyện đoàn|quận đoàn|thành đoàn|tỉnh đoàn|mặt trận|mttq|liên đoàn|công an"
    r"|bộ|sở|trường|khối|tổ|cộng tác viên|ctv|pv|phóng viên|bdv|nhóm phóng viên|thông tấn|ttxvn|tạp chí|viện)"
)
_ORG_LINE_RE = re.compile(rf"^\(?{_ORG_HEAD}\b[^.;:!?]{{0,90}}\)?$", _I)
_NAME_ORG_RE = regex.compile(rf"^(?P<name>{_NAME}|{_ABBR})\s*(?:[-–—,]|\()\s*(?P<org>.{{2,100}}?)\)?$")
_AUTHOR_LABEL_RE = re.compile(
    r"^\(?(?:tác giả|người viết|người đăng|bài viết|bài và ảnh|bài, ảnh|bài & ảnh|bài/ảnh|tin và ảnh|tin, ảnh"
    r"|tin & ảnh|tin/ảnh|tin bài|tin|bài|nguồn tin|nguồn|theo|biên tập|thực hiện|ảnh và tin|nhóm tác giả"
    r"|source|by|author|posted by|đăng bởi|cộng tác viên|phóng viên|pv|ctv)\s*[:：]\s*(?P<v>[^:]{2,120}?)\)?\.?$",
    _I,
)
# "Viết bởi Nguyễn Văn An", "Đăng bởi: Hồng Nhung" (Joomla's and WordPress's bylines): a name after the verb
_BY_NAME_RE = regex.compile(rf"^(?:viết bởi|đăng bởi|người đăng|posted by|written by|by)\s*[:：]?\s*(?P<v>{_NAME}|{_INITIALS})\.?$",
                            regex.IGNORECASE)
_THEO_RE = re.compile(r"^\(?(?:theo|nguồn)\s+(?P<v>[^.!?;:]{2,80}?)\)?\.?$", _I)
# "Minh PhươngTheo Reuters", "T.ThủyTheo NDTV": a writer's name run into the source line under it (two lines pasted
# as one)
_GLUED_SOURCE_RE = regex.compile(
    rf"^(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{0,4}}?|{_INITIALS})(?<=\p{{Ll}})(?P<src>(?:Theo|Nguồn)\s.+)$")
# A writer's role after the name ("Việt Anh thực hiện", "Thu Hà (ghi)", "Minh Châu - tổng hợp")
# ("Phạm Hiếu - Anh Thưthực hiện": two lines run together; only "thực hiện" is sure enough to split off a word)
_ROLE_SUFFIX_RE = regex.compile(
    r"\s*(?:[-–—,]\s*)?\(?(?:(?<!\p{L})(?:ghi|ghi nhận|tổng hợp|lược dịch|biên dịch)|thực hiện)\)?\.?$",
    regex.IGNORECASE)
_TRAILING_PAREN_RE = regex.compile(r"\s*\((?P<v>[^()]{2,60})\)\s*\.?$")
_LEADING_SOURCE_RE = regex.compile(rf"^\((?P<v>{_ABBR}(?:\s*[-–/]\s*{_ABBR})*|[^()]{{2,30}})\)\s*[-–—]\s*")

# Captions and images.
_IMAGE_MARKER_RE = re.compile(
    r"^(?:\[(?:ảnh|hình|hình ảnh|image|img|photo|picture|figure|icon)[^\]]*\]|!\[(?P<alt>[^\]]*)\]\([^)]*\)"
    r"|<img[^>]*>|\((?:ảnh|hình)\)|image|img|photo|\[\s*\])$",
    _I,
)
_CAPTION_CREDIT_RE = re.compile(r"[(\[]\s*(?:ảnh|nguồn ảnh|ảnh minh họa|photo)\s*(?::[^)\]]{0,60})?[)\]]\s*\.?$", _I)
# Words of a news sentence before a photo credit, for a photo story's captions to be its body (a name is shorter).
_MIN_STORY_WORDS = 8
_CAPTION_LABEL_RE = re.compile(r"^(?:ảnh|hình|hình ảnh|ảnh minh họa|photo|nguồn ảnh)\s*(?:[:：]|\d+\s*[:：.]|$)", _I)
_CAPTION_START_RE = re.compile(
    r"^(?:đ/c|đc\.?|đ\.c|đồng chí|các đồng chí|đại biểu|các đại biểu|quang cảnh|toàn cảnh|lãnh đạo|ông|bà|anh|chị"
    r"|các em|học sinh|cán bộ|người dân|nhân dân|bà con|hội viên|đoàn viên|các thành viên|thành viên"
    r"|đoàn công tác|đoàn đại biểu|đoàn|ban tổ chức|btc|tặng quà|trao quà|trao|tặng|một góc|góc|các đơn vị|các tập thể"
    r"|các cá nhân|tập thể|lực lượng|thường trực|hình ảnh|ảnh|buổi|lễ|hội nghị|tiết mục|các đội|đội|chụp ảnh)\b",
    _I,
)
_CAPTION_VERB_RE = re.compile(
    r"\b(?:phát biểu|trao (?:tặng|quà|giấy|bằng|kỷ niệm|quyết định|hỗ trợ|thưởng|huy hiệu|giải|cờ)|tặng quà|trao quà"
    r"|chụp ảnh|lưu niệm|tham quan|thăm hỏi|thăm và|dâng hương|dâng hoa|cắt băng|quang cảnh|toàn cảnh"
    r"|tại (?:hội nghị|buổi|lễ|chương trình|tọa đàm|hội thi|đại hội|hội thảo|lớp|cuộc)|tiếp thu ý kiến"
    r"|kết luận (?:hội nghị|buổi)|chủ trì|báo cáo tại|tham luận|khen thưởng|biểu dương)\b",
    _I,
)
_LIST_ITEM_RE = re.compile(r"^(?:\d{1,2}[.)]|[a-zđ][.)]|[-–•+*]|[IVX]{1,4}[.)])\s", _I)

# Acting bodies.
_ORGAN_RE = regex.compile(
    r"(?<![\p{L}])(?:"
    r"(?i:(?:ban thường vụ|ban chấp hành|thường trực|ban dân vận|ban tuyên giáo|ban tổ chức|ban nội chính"
    r"|ủy ban kiểm tra|văn phòng|khối dân vận|bch|btv)\s+)?"
    r"(?i:huyện ủy|quận ủy|thành ủy|thị ủy|tỉnh ủy|đảng ủy(?:\s+(?:xã|phường|thị trấn|khối\s+\S+))?)"
    r"|(?i:ban dân vận|khối dân vận|bdv)\s+(?i:huyện|quận|thành phố|thị xã|tỉnh|xã|phường|thị trấn)(?!\s+(?i:ủy)\b)"
    r"|(?i:(?:ubnd|ủy ban nhân dân|hđnd|hội đồng nhân dân|ủy ban mttq(?: việt nam)?|ủy ban mặt trận tổ quốc(?: việt nam)?"
    r"|mttq(?: việt nam)?|mặt trận tổ quốc(?: việt nam)?|hội nông dân|hội liên hiệp phụ nữ|hội lhpn|hội phụ nữ"
    r"|hội cựu chiến binh|hội ccb|đoàn thanh niên(?: cộng sản hồ chí minh)?|đoàn tncs hồ chí minh|liên đoàn lao động"
    r"|công an|hội người cao tuổi|hội chữ thập đỏ)"
    r"\s+(?:huyện|quận|thành phố|thị xã|tỉnh|xã|phường|thị trấn|tp\.?))"
    r"|(?i:huyện đoàn|quận đoàn|thành đoàn|tỉnh đoàn)"
    r")"
    # a place's words; "Thành", "Nhân", "Thị", "Phòng" end it only as the start of the next body ("Thành ủy",
    # "Nhân dân", "Thị xã", "Phòng Nội vụ"): "Huyện ủy Châu Thành", "Huyện ủy Lý Nhân" keep their whole name
    r"(?P<place>(?:\s+(?!(?:Hội|Ban|UBND|MTTQ|HĐND|Ủy|Đảng|Đoàn|Tổ|Mặt|Nhân\s+(?i:dân)|Sở|Phòng\s+\p{Lu}|Chi|Thường"
    r"|Huyện|Quận|Tỉnh|Thành\s+(?i:ủy|uỷ|phố|đoàn)|Thị\s+(?i:xã|trấn|ủy|uỷ)|Khối|Trưởng|Phó|Bí|Chủ|Cựu|Công|Lãnh"
    r"|Đồng|Các|Trung|Văn|Về|Tại|Trong|Năm|Ngày|Sáng|Chiều|Lần)\b)"
    r"\p{Lu}[\p{Ll}\p{M}]*(?![\p{L}\p{N}])){0,3})"
)
_ORGAN_CANON = (
    (re.compile(r"\bban thường vụ\b", _I), "Ban Thường vụ"),
    (re.compile(r"\bban chấp hành\b", _I), "Ban Chấp hành"),
    (re.compile(r"\bthường trực\b", _I), "Thường trực"),
    (re.compile(r"\b(?:ban dân vận|bdv)\b", _I), "Ban Dân vận"),
    (re.compile(r"\bkhối dân vận\b", _I), "Khối Dân vận"),
    (re.compile(r"\bban tuyên giáo\b", _I), "Ban Tuyên giáo"),
    (re.compile(r"\bban tổ chức\b", _I), "Ban Tổ chức"),
    (re.compile(r"\bban nội chính\b", _I), "Ban Nội chính"),
    (re.compile(r"\bủy ban kiểm tra\b", _I), "Ủy ban Kiểm tra"),
    (re.compile(r"\bvăn phòng\b", _I), "Văn phòng"),
    (re.compile(r"\bbch\b", _I), "Ban Chấp hành"),
    (re.compile(r"\bbtv\b", _I), "Ban Thường vụ"),
    (re.compile(r"\b(?:ủy ban nhân dân|ubnd)\b", _I), "UBND"),
    (re.compile(r"\b(?:hội đồng nhân dân|hđnd)\b", _I), "HĐND"),
    (re.compile(r"\bủy ban (?:mttq|mặt trận tổ quốc)(?: việt nam)?\b", _I), "Ủy ban MTTQ"),
    (re.compile(r"\b(?:mặt trận tổ quốc|mttq)(?: việt nam)?\b", _I), "MTTQ"),
    (re.compile(r"\bhội nông dân\b", _I), "Hội Nông dân"),
    (re.compile(r"\b(?:hội liên hiệp phụ nữ|hội lhpn|hội phụ nữ)\b", _I), "Hội Liên hiệp Phụ nữ"),
    (re.compile(r"\b(?:hội cựu chiến binh|hội ccb)\b", _I), "Hội Cựu chiến binh"),
    (re.compile(r"\b(?:đoàn thanh niên(?: cộng sản hồ chí minh)?|đoàn tncs hồ chí minh)\b", _I), "Đoàn Thanh niên"),
    (re.compile(r"\bliên đoàn lao động\b", _I), "Liên đoàn Lao động"),
    (re.compile(r"\bhội người cao tuổi\b", _I), "Hội Người cao tuổi"),
    (re.compile(r"\bhội chữ thập đỏ\b", _I), "Hội Chữ thập đỏ"),
    (re.compile(r"\bcông an\b", _I), "Công an"),
)
_PARTY_CANON = {
    "huyện ủy": "Huyện ủy", "quận ủy": "Quận ủy", "thành ủy": "Thành ủy", "thị ủy": "Thị ủy", "tỉnh ủy": "Tỉnh ủy",
    "đảng ủy": "Đảng ủy", "huyện đoàn": "Huyện đoàn", "quận đoàn": "Quận đoàn", "thành đoàn": "Thành đoàn",
    "tỉnh đoàn": "Tỉnh đoàn",
}
_PARTY_RE = re.compile(r"\b(?:" + "|".join(_PARTY_CANON) + r")\b", _I)
_LEVEL_RE = re.compile(r"\b(?:huyện|quận|thành phố|thị xã|tỉnh|xã|phường|thị trấn|tp\.?)(?=\s|$)(?!\s+(?:ủy|đoàn)\b)", _I)
_ISSUER_SKIP_BEFORE = re.compile(
    r"(?:trưởng|phó|bí thư|chủ tịch|ủy viên|uv|cán bộ|chuyên viên|lãnh đạo|của|với|cho|thuộc|tặng|thăm|gửi|về"
    r"|đại diện|nguyên|thường trực|số|đến|tới|và|cùng)\s+$",
    _I,
)
_LOCATIVE_CLAUSE = re.compile(r"^\s*(?:tại|ở|trụ sở|hội trường|phòng họp)\b", _I)
# "Đoàn giám sát (của) Ban Dân vận Huyện ủy …", "Tổ công tác của UBND xã …": the delegation acts for the body it is of
_DELEGATION_OF_RE = re.compile(
    r"^\s*(?:các\s+)?(?:đoàn|tổ|nhóm)(?:\s+(?:giám sát|công tác|kiểm tra|khảo sát|thanh tra|liên ngành|đại biểu"
    r"|cán bộ|lãnh đạo)){0,2}(?:\s+(?:của|thuộc))?\s+$",
    _I,
)
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?…])\s+(?=[\"“(]?[" + _UPPER + r"0-9])")
_DATE_CLAUSE_RE = re.compile(
    r"^(?:(?:vào\s+)?(?:buổi\s+)?(?:sáng|chiều|tối|trưa|đêm|ngày|hôm|trong|từ|mới đây|vừa qua|gần đây)\b[^,]{0,60},\s*)",
    _I,
)


# --------------------------------------------------------------------------
# Line classification
# --------------------------------------------------------------------------

BLANK, DROP, STOP, META, CRUMB, BANNER, AUTHOR, IMAGE, TEXT = (
    "blank", "drop", "stop", "meta", "crumb", "banner", "author", "image", "text")


@dataclass
class _Line:
    text: str
    kind: str
    n_words: int = 0
    date: tuple[str, str] | None = None
    views: int | None = None
    labelled: bool = False
    english: bool = False
    author: str = ""
    alt: str = ""
    category: str = ""


def _n_words(text: str) -> int:
    return len(text.split())


def _to_int(number: str) -> int | None:
    digits = re.sub(r"[.,]", "", number)
    return int(digits) if digits.isdigit() else None


def _is_prose(line: _Line) -> bool:
    if line.kind != TEXT:
        return False
    if line.n_words >= 30:
        return True
    return line.n_words >= 6 and bool(_TERMINAL_RE.search(line.text))


def _menu_line(text: str, low: str, n_words: int) -> bool:
    if n_words <= 5 and low.strip(" :.»>|*-–—[]()+") in _MENU_ITEMS:
        return True
    if n_words <= 12 and not _SOCIAL_TOKEN_RE.sub(" ", low).strip():
        return True
    if "|" not in text and "•" not in text and "·" not in text:
        return False
    parts = [p.strip() for p in re.split(r"\s*[|•·]\s*", text) if p.strip()]
    if len(parts) >= 3 and all(_n_words(p) <= 4 and not re.search(r"\d", p) for p in parts):
        return True  # a menu bar saved on one line
    return False


def _meta_line(text: str) -> _Line | None:
    """A header line with a date and/or a view count (and nothing else of weight)."""
    n_words = _n_words(text)
    if n_words > 24:
        return None
    found = find_date(text)
    if found is not None and found.precision == "year":
        found = None
    views_match = _VIEWS_RE.search(text) or _VIEWS_AFTER_RE.search(text)
    if found is None and views_match is None:
        return None
    rest = text
    author = ""
    inline_author = _INLINE_AUTHOR_RE.search(rest)
    if inline_author:
        author = inline_author[1].strip(" -–|,")
        if author.lower() in _NOT_AUTHORS:
            author = ""
        rest = rest[:inline_author.start()] + " " + rest[inline_author.end():]
    english = False
    if found is not None:
        date_text = text[found.start:found.end]
        rest = rest.replace(date_text, " ", 1)
        english = bool(_ENGLISH_DATE_RE.search(date_text))
    if views_match is not None:
        rest = rest.replace(views_match[0], " ", 1)
    label = _DATE_LABEL_RE.search(rest)
    labelled = bool(label) or (found is None and views_match is not None)
    english = english or bool(label and _ENGLISH_DATE_RE.search(label[0]))
    rest = _DATE_LABEL_RE.sub(" ", rest)
    rest = _TIME_RE.sub(" ", rest)
    rest = _WEEKDAY_RE.sub(" ", rest)
    rest = _META_FILLER_RE.sub(" ", rest)
    rest = _SPACES_RE.sub(" ", rest).strip(" .")
    rest_words = _n_words(rest)
    category = ""
    if rest_words == 0 or (labelled and rest_words <= 6):
        pass
    elif rest_words <= 5 and _NAME_RE.match(rest):
        author = author or rest
    elif _category_words(rest):  # "Tin hoạt động | 15/11/2022"
        category = rest
    elif found is not None and views_match is None and not labelled and (signed := _dated_signature(text, date_text)):
        author = author or signed  # "Nguyễn Văn An (Ban Dân vận Huyện ủy) - 12/10/2020"
    else:
        return None
    return _Line(text, META, n_words, date=(found.iso, found.precision) if found else None,
                 views=_to_int(next(g for g in views_match.groups() if g)) if views_match else None,
                 labelled=labelled, english=english, author=author, category=category)


# A list item ("- Thời gian: …", "+ …", "1. …"), a labelled field or an event's date ("vào ngày 28/5") is no byline.
_NOT_SIGNATURE_RE = re.compile(r"^\s*(?:[-+•*–]\s|\d+[.)]\s)|:|\b(?:ngày|vào|từ|đến|lúc)\b", _I)


def _dated_signature(text: str, date_text: str) -> str:
    """The author of a signature line that ends (or starts) with a date, else ``""``."""
    stripped = text.strip(" .")
    if _NOT_SIGNATURE_RE.search(text) or not (stripped.endswith(date_text) or stripped.startswith(date_text)):
        return ""
    rest = text.replace(date_text, " ", 1)
    rest = _TIME_RE.sub(" ", rest)
    rest = _SPACES_RE.sub(" ", rest).strip(" -–—|,·•")
    n_words = _n_words(rest)
    return _author_like(_Line(rest, TEXT, n_words), allow_org=False) if 2 <= n_words <= 14 else ""


# "Đông Anh, ngày 12 tháng 10 năm 2020": the place and date a quoted document was signed, not a byline.
_DATELINE_RE = re.compile(r"^[^,\d]{2,40},\s*ngày\s+\d", _I)


def _byline(lines: list[_Line], i: int, last_prose: int | None) -> bool:
    """Whether date line ``i`` is the byline right under the article's last paragraph (signatures between)."""
    if (last_prose is None or i <= last_prose or not lines[i].author or _DATELINE_RE.match(lines[i].text)
            or _NOT_SIGNATURE_RE.search(lines[i].text)):
        return False
    return all(lines[k].kind in (BLANK, AUTHOR, IMAGE) or _author_like(lines[k], allow_org=True)
               for k in range(last_prose + 1, i))


def _category_words(text: str) -> bool:
    words = [w for w in re.split(r"[\s\-–—&|,/]+", text.lower()) if w]
    return 1 <= len(words) <= 6 and all(w in _CATEGORY_WORDS for w in words)


def is_category_line(text: str) -> bool:
    """Whether a short line names a portal's section (``Tin hoạt động``, ``Tin tức - Sự kiện nổi bật``).

    Such a line, standing above a headline, is never the headline.

    Examples
    --------
    >>> is_category_line("Tin tức - Sự kiện nổi bật"), is_category_line("Đảng - đoàn thể")
    (True, True)
    >>> is_category_line("Hội Nông dân xã Cổ Loa tập huấn trồng rau")
    False
    """
    text = text.strip()
    return (bool(text) and not re.search(r"\d", text) and not _TERMINAL_RE.search(text)
            and _category_words(text))


def _arrow_crumb(text: str, n_words: int) -> bool:
    """``Tin tức » Hoạt động``: two to five short parts joined by arrows, no digits."""
    if n_words > 20 or not _CRUMB_ARROW_RE.search(text) or re.search(r"\d", text):
        return False
    parts = [p.strip() for p in _CRUMB_ARROW_RE.split(text)]
    return 2 <= len(parts) <= 5 and all(p and _n_words(p) <= 5 and not _TERMINAL_RE.search(p) for p in parts)


def _classify(text: str) -> _Line:
    if not text:
        return _Line(text, BLANK)
    n_words = _n_words(text)
    low = text.lower()
    image = _IMAGE_MARKER_RE.match(text)
    if image:
        return _Line(text, IMAGE, n_words, alt=(image.group("alt") or "").strip())
    if (n_words <= 30 and _CRUMB_START_RE.match(text)) or _arrow_crumb(text, n_words):
        return _Line(text, CRUMB, n_words)
    if n_words <= 8 and _COUNTER_RE.match(text):
        return _Line(text, STOP if low.startswith("thống kê") else DROP, n_words)
    if n_words <= 12 and _STOP_RE.match(text):
        return _Line(text, STOP, n_words)
    if n_words <= 40 and (_FOOTER_RE.match(text) or _FOOTER_LABEL_RE.match(text)):
        return _Line(text, STOP, n_words)
    if n_words <= 30 and _FOOTER_INLINE_RE.search(text):
        return _Line(text, STOP, n_words)
    if n_words <= 8 and _SEARCH_RE.match(text):
        return _Line(text, DROP, n_words)
    if _menu_line(text, low, n_words):
        return _Line(text, DROP, n_words)
    if n_words <= 30 and _BANNER_RE.match(text):
        return _Line(text, BANNER, n_words)
    meta = _meta_line(text)
    if meta is not None:
        return meta
    label = _AUTHOR_LABEL_RE.match(text)
    if label and n_words <= 25:
        return _Line(text, AUTHOR, n_words, author=label["v"].strip())
    by = _BY_NAME_RE.match(text) if n_words <= 10 else None
    if by and by["v"].lower() not in _NOT_AUTHORS:
        return _Line(text, AUTHOR, n_words, author=by["v"].strip())
    return _Line(text, TEXT, n_words)


def _author_like(line: _Line, *, allow_org: bool) -> str:
    """The author text of a short signature line, or ``""``."""
    if line.kind == AUTHOR:
        return line.author
    if line.kind != TEXT or line.n_words > 14 or _TERMINAL_RE.search(line.text.rstrip(".)")):
        if not (line.kind == TEXT and line.n_words <= 14 and line.text.endswith(")")):
            return ""
    text = line.text.strip()
    role = _ROLE_SUFFIX_RE.search(text)
    if role and role.start() > 0:  # "Việt Anh thực hiện", "Nhóm PV (thực hiện)": the writer without the role
        rest = text[:role.start()]
        return _author_like(_Line(rest, TEXT, _n_words(rest)), allow_org=allow_org)
    glued = _GLUED_SOURCE_RE.match(text)
    if glued and re.fullmatch(r"(?:Theo|Nguồn)\s+[^!?;:]{2,80}", glued["src"].rstrip(".")):  # "Theo E.T/ToI"
        return f"{glued['name']} - {glued['src'].strip('()')}"
    if _ABBR_LINE_RE.match(text):
        return text.strip("()")
    if _NAME_RE.match(text) or _COMPILED_SOURCE_RE.match(text):
        return text.strip("()")
    theo = _THEO_RE.match(text)
    if theo and line.n_words <= 12:
        return text.strip("()")
    name_org = _NAME_ORG_RE.match(text)
    if name_org and (_ORG_LINE_RE.match(name_org["org"]) or _ABBR_LINE_RE.match(name_org["org"])
                     or _ORGAN_RE.search(name_org["org"])):
        return f"{name_org['name']} - {name_org['org'].strip(' ()')}"
    if allow_org and _ORG_LINE_RE.match(text) and line.n_words <= 12 and not _site_line(text):
        return text.strip("()")
    return ""


# "…, tỉnh Bình Định", "… - Thành phố Hà Nội": a place with its province after a separator, as a site's name is written.
_PROVINCE_AFTER_RE = regex.compile(r"[-–—,|]\s*(?:tỉnh|thành phố|tp\.)\s+\p{Lu}", regex.IGNORECASE)


# A portal's own name ("Cổng thông tin điện tử huyện Tuy Phước"). Not "Ban Dân vận Thành ủy" alone: the genre's
# signature is the writer's name over that line.
_PORTAL_RE = re.compile(r"^(?:cổng thông tin|trang thông tin|trang tin|website|báo điện tử|tạp chí)\b", _I)


def _site_line(text: str) -> bool:
    """Whether an organization line names the portal (its footer or header), not the article's author."""
    return bool(_PORTAL_RE.match(text)) or bool(_PROVINCE_AFTER_RE.search(text))


def _caption_like(line: _Line, *, after_image: bool) -> bool:
    if line.kind != TEXT or line.n_words < 2:
        return False
    text = line.text
    if _CAPTION_CREDIT_RE.search(text) and line.n_words <= 60:
        return True
    if _CAPTION_LABEL_RE.match(text) and line.n_words <= 40:
        return True
    if _LIST_ITEM_RE.match(text):
        return False
    if _TERMINAL_RE.search(text) or line.n_words > 40:
        return after_image and line.n_words <= 30 and not _is_prose(line)
    if after_image:
        return True
    if line.n_words < 4:
        return False
    return bool(_CAPTION_START_RE.match(text) or _CAPTION_VERB_RE.search(text))


def _photo_story(credited: list[str], captions: list[str]) -> tuple[list[str], list[str]]:
    """Body and captions of a photo story told in its captions, when nothing else is left for the body.

    Each credited caption that is a sentence of news (``Người dân làm homestay, hướng dẫn khách ngắm hoa. (Ảnh:
    Hoàng Lâm).``) is a paragraph, its credit (``(Ảnh: Hoàng Lâm)``) a caption; a caption naming a person or a
    place (``Đồng chí Nguyễn Văn An (Ảnh: TL)``) stays a caption.
    """
    body: list[str] = []
    moved: dict[str, str] = {}
    for text in credited:
        credit = _CAPTION_CREDIT_RE.search(text)
        sentence = text[:credit.start()].rstrip()
        if _n_words(sentence) < _MIN_STORY_WORDS:
            continue
        if credit[0].rstrip().endswith(".") and not _TERMINAL_RE.search(sentence):
            sentence += "."  # "… tối 24/4 (Ảnh: Reuters)." : the period ends the sentence
        body.append(sentence)
        moved[text] = credit[0].strip().rstrip(".").rstrip()
    return body, [moved.get(text, text) for text in captions]


#: Words of a headline the page's markup confirms (an ``<h1>`` its ``<title>`` repeats); others have at most 45.
CONFIRMED_TITLE_MAX_WORDS = 80


def _is_title_candidate(line: _Line, *, confirmed: bool = False) -> bool:
    """Whether a line reads as a headline.

    A headline the page's markup confirms (``confirmed``: its ``<h1>`` repeated by its ``<title>``) may be long (up
    to :data:`CONFIRMED_TITLE_MAX_WORDS` words) and end with any punctuation; it is still never a name, a site's
    name or a category.
    """
    if line.kind != TEXT or not 3 <= line.n_words <= (CONFIRMED_TITLE_MAX_WORDS if confirmed else 45):
        return False
    text = line.text
    if _TITLE_BAD_END_RE.search(text) and not text.endswith("...") and not confirmed:
        return False
    if _NAME_RE.match(text) or _ABBR_LINE_RE.match(text) or _NAME_ORG_RE.match(text) and _author_like(
            line, allow_org=False):
        return False
    if _site_name(text) or is_category_line(text):
        return False
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        organ = _ORGAN_RE.search(text.title())
        if organ and len(organ[0]) >= 0.6 * len(text):
            return False  # the portal's name in capitals
    return True


_SITE_NAME_RE = re.compile(
    r"^(?:cổng thông tin|trang thông tin|trang tin|website|báo điện tử|tạp chí|đảng cộng sản việt nam$"
    r"|đảng bộ\s+\S+(?:\s+\S+){0,4}$|ban dân vận\s+(?:huyện|quận|thành|thị|tỉnh)\s+ủy(?:\s+\S+){0,3}$)",
    _I,
)


def _site_name(text: str) -> bool:
    return bool(_SITE_NAME_RE.match(text))


# --------------------------------------------------------------------------
# Issuer
# --------------------------------------------------------------------------


def _canonical_organ(text: str, place: str) -> str:
    body = text[: len(text) - len(place)] if place else text
    for pattern, canon in _ORGAN_CANON:
        body = pattern.sub(canon, body)
    body = _PARTY_RE.sub(lambda m: _PARTY_CANON[m[0].lower()], body)
    body = _LEVEL_RE.sub(lambda m: "thành phố" if m[0].lower().startswith("tp") else m[0].lower(), body)
    body = _SPACES_RE.sub(" ", body).strip()
    place = place.strip()
    return f"{body} {place}".strip() if place else body


def _organs(text: str, *, subject_only: bool = False) -> list[str]:
    """Acting bodies named in ``text``, skipping titles of persons and locatives."""
    found = []
    for match in _ORGAN_RE.finditer(text):
        before = text[max(0, match.start() - 40):match.start()]
        clause_start = max(text.rfind(",", 0, match.start()), text.rfind(";", 0, match.start())) + 1
        clause = text[clause_start:match.start()]
        delegation = bool(_DELEGATION_OF_RE.match(clause))
        if _ISSUER_SKIP_BEFORE.search(before) and not delegation:
            continue
        if _LOCATIVE_CLAUSE.match(clause):
            continue
        if subject_only and clause.strip() and not delegation:
            continue
        found.append(_canonical_organ(*_organ_and_place(text, match)))
    return found


# A place's type written again after a committee ("Quận ủy Quận 1", "Thành ủy Thành phố Hồ Chí Minh", "Thành ủy
# TP.HCM"), and Ho Chi Minh City's abbreviation after it
_PLACE_TYPE_RE = regex.compile(r"(?:(?i:thành phố|thị xã|thị trấn|quận|huyện|tỉnh|phường|xã)\s+|TP\.?\s*)")
_HCM_RE = regex.compile(r"HCM(?![\p{L}\p{N}])")
_NUMBERED_TYPES = ("quận", "phường")


def _organ_and_place(text: str, match: regex.Match) -> tuple[str, str]:
    """An organ's words and its place; the gazetteer's longest name where it knows one ("Huyện ủy Củ Chi",
    "Tỉnh ủy Bà Rịa - Vũng Tàu", "Huyện ủy Văn Lâm", "Quận ủy Quận 1"), else the words the pattern took for one."""
    start = match.start("place")
    rest = text[start:]
    gap = len(rest) - len(rest.lstrip())
    rest = rest[gap:]
    if gap:
        typed = _PLACE_TYPE_RE.match(rest)
        for prefix in ((typed[0],) if typed else ()) + ("",):
            after = rest[len(prefix):]
            name = place_name_at(after)
            if not name and prefix.startswith("TP") and (hcm := _HCM_RE.match(after)):
                name = hcm[0]
            if not name:
                continue
            before = (prefix or match[0]).split()[-1].lower()
            if name.isdigit() and before not in _NUMBERED_TYPES:
                continue  # "huyện 3 lần": a number names only a quận or a phường
            place = prefix + name
            return text[match.start():start + gap + len(place)], " " + place
    return match[0], match["place"] or ""


def find_issuer(*, author: str = "", title: str = "", opening: str = "") -> str:
    """The acting body of an article, normalized (``"Ban Dân vận Huyện ủy Đông Anh"``).

    Looked up in this order: an organ named in the author line; the subject of
    the opening sentence (after its time clause); the subject of the title;
    any organ of the opening sentence; any organ of the title. Organs that are
    part of a person's title (``Trưởng Ban Dân vận…``), a possessive (``của
    Huyện ủy``) or a place (``tại hội trường Huyện ủy``) are skipped.

    Examples
    --------
    >>> find_issuer(opening="Sáng 5/11, Ban dân vận huyện uỷ Gia Lâm tổ chức hội nghị.")
    'Ban Dân vận Huyện ủy Gia Lâm'
    >>> find_issuer(title="UBND xã Cổ Loa đối thoại với nhân dân")
    'UBND xã Cổ Loa'
    """
    author, title, opening = (normalize_tone_marks(t) for t in (author, title, opening))
    return _find_issuer(author, title, opening)


def _find_issuer(author: str, title: str, opening: str) -> str:
    first = _SENTENCE_SPLIT_RE.split(opening, maxsplit=1)[0] if opening else ""
    first = _DATE_CLAUSE_RE.sub("", first)
    from_author = _organs(author) if author else []
    if from_author:
        # The signature often drops the place ("Ban Dân vận Huyện ủy"); the text may name it.
        for organ in _organs(first) + _organs(title):
            if organ.startswith(from_author[0] + " "):
                return organ
        return from_author[0]
    for text, subject_only in ((first, True), (title, True), (first, False), (title, False)):
        if text:
            organs = _organs(text, subject_only=subject_only)
            if organs:
                return organs[0]
    return ""


# --------------------------------------------------------------------------
# parse_page
# --------------------------------------------------------------------------


# a byline (Joomla's "Viết bởi Minh Đức") is no category
_BYLINE_START_RE = re.compile(r"^(?:viết bởi|đăng bởi|người viết|người đăng|tác giả|posted by|written by|by)\b", _I)
_CATEGORY_LABEL_RE = re.compile(r"^(?:danh mục|chuyên mục|chuyên đề|thể loại|mục|category|categories)\s*[:：]\s*", _I)


def category_text(text: str) -> str:
    """A category as the portal names it, without its label ("Danh mục: Công tác dân vận" → "Công tác dân vận").

    >>> category_text("Chuyên mục: Dân chủ cơ sở")
    'Dân chủ cơ sở'
    """
    return _CATEGORY_LABEL_RE.sub("", text or "").strip()


def _crumb_category(text: str, title: str) -> str:
    parts = [p.strip(" |") for p in _CRUMB_SPLIT_RE.split(text) if p.strip(" |")]
    parts = [p for p in parts if p.lower() not in ("trang chủ", "home", "trang nhất")]
    while parts and title and (parts[-1] == title or (len(parts[-1]) > 20 and title.startswith(parts[-1][:20]))):
        parts.pop()
    return parts[-1] if parts else ""


def _next_index(lines: list[_Line], start: int, step: int, stop: int, skip: tuple[str, ...]) -> int | None:
    i = start
    while (0 <= i < stop) if step > 0 else (i >= stop):
        if lines[i].kind not in skip:
            return i
        i += step
    return None


def _strip_leading_source(paragraph: str) -> tuple[str, str]:
    match = _LEADING_SOURCE_RE.match(paragraph)
    if match and _n_words(paragraph) > 8:
        return paragraph[match.end():], match["v"].strip()
    return paragraph, ""


def _strip_trailing_author(paragraph: str) -> tuple[str, str]:
    match = _TRAILING_PAREN_RE.search(paragraph)
    if not match:
        return paragraph, ""
    value = match["v"].strip()
    if re.search(r"\d", value):
        return paragraph, ""
    if (_NAME_RE.match(value) or _ABBR_LINE_RE.match(value) or _THEO_RE.match(value)
            or _AUTHOR_LABEL_RE.match(value)):
        label = _AUTHOR_LABEL_RE.match(value)
        author = label["v"].strip() if label else value
        kept = paragraph[:match.start()].rstrip()
        if kept and not _TERMINAL_RE.search(kept):
            kept += "."
        return kept, author
    return paragraph, ""


def _join_unique(parts: list[str], sep: str) -> str:
    seen: list[str] = []
    for part in parts:
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return sep.join(seen)


def parse_page(text: str, *, title: str | None = None, url: str | None = None,
               links: frozenset[str] | set[str] = frozenset()) -> PageFields:
    """Parse a text-saved news page into :class:`PageFields`.

    Parameters
    ----------
    text
        The page as text (one block per line, as saved by a browser or a
        scraper). Word-segmented text is not undone here (see :func:`unsegment`).
    title
        The headline when it is already known (from HTML markup): then no line
        is taken as the headline and lines equal to it are dropped; the
        article starts under the line showing it, unless more of the text's
        prose stands above that line than below it.
    url
        Address of the page when known (a date in it dates the page); else a
        bare address line in the page's header (``https://…``, ``URL: …``).
    links
        Headlines the page shows as links (from HTML): a run of them, with
        their date and teaser lines, is a list of other articles, and before
        the article it gives neither the headline nor the date.

    Returns
    -------
    PageFields
        ``body`` is empty when nothing but boilerplate is found.

    Notes
    -----
    Lines are classified as blank, dropped furniture (menus, counters, search,
    share buttons), stop markers (related lists, counters block, footers:
    everything after them is dropped once the article has begun),
    breadcrumbs, banners, header date/views lines, author lines, image
    markers or text. The first *prose* line (six or more words ending with
    sentence punctuation, or thirty words) opens the article; the headline is
    the text line next to the header date line, else the last headline-like
    line before the article, never a category line (``Tin hoạt động``), a
    breadcrumb, a menu or a banner; the category is the breadcrumb's last item,
    the short line just above the headline, or a category beside the date.
    Short signature lines after the last paragraph become the author; short
    lines with caption cues, or next to an image marker, become captions,
    except in a photo story told in its captions: when nothing else is left
    for the body, each caption that is a sentence of news before a photo
    credit (``…, hướng dẫn khách ngắm hoa. (Ảnh: Hoàng Lâm).``) is a
    paragraph of the body and its credit a caption. The
    date is found by :func:`toolkit.ingest.dates.infer_date` from the header
    date line, the address, the opening paragraph, the title and the yearly
    banner; ``date_source`` says which.
    """
    raw = [_classify(t) for t in split_lines(text or "")]
    lines: list[_Line] = []
    for line in raw:  # collapse runs of blank lines
        if line.kind == BLANK and lines and lines[-1].kind == BLANK:
            continue
        lines.append(line)

    prose = [i for i, line in enumerate(lines) if _is_prose(line)]
    listed = _link_list_lines(lines, links) if links else set()
    if listed:
        # A sidebar of other articles placed before the article: its headlines, dates and teasers are furniture.
        first = next((i for i in prose if i not in listed), len(lines))
        for i in listed:
            if i < first:
                lines[i].kind = DROP
        prose = [i for i in prose if i >= first]
    known_title = _shown_headline(lines, prose, title) if title is not None else None
    if known_title is not None:
        # the headline's own line stays where the header ends, as when it is found by the structure: the date
        # lines "near" it are those around it, not those of the article's opening
        prose = [i for i in prose if i >= known_title]
    # A headline written as a sentence ("… năm 2019.") above the date line or under a category line.
    punctuated_title = None
    if title is None and prose and _punctuated_headline(lines, prose):
        punctuated_title = prose.pop(0)
    first_prose = prose[0] if prose else None
    # Stop markers before the article are only dropped; after it, they end it, unless the article's running prose
    # goes on after them (a box of links inside the article, a heading that starts with a footer's words).
    end = len(lines)
    resumed: list[int] = []
    inside = False
    for i, line in enumerate(lines):
        if line.kind == STOP and first_prose is not None and i > first_prose:
            box = _box_inside(lines, i, links)
            if box is None:
                end = i
                break
            inside = True
            for k in box:
                lines[k].kind = DROP
            if lines[i].kind == STOP:  # a heading of the article: its line stays
                lines[i].kind = TEXT
                resumed.append(i)
    if inside:  # a box's lines are no paragraphs (a line of headlines run together reads as one)
        prose = sorted({i for i in prose if lines[i].kind == TEXT} | {i for i in resumed if _is_prose(lines[i])})
    prose = [i for i in prose if i < end]
    last_prose = prose[-1] if prose else None

    fields = PageFields()
    authors: list[str] = []
    captions: list[str] = []
    body: list[str] = []

    header_end = first_prose if first_prose is not None else end
    metas = [i for i in range(end) if lines[i].kind == META]
    header_metas = [i for i in metas if i < header_end]

    # Headline: next to the header date line, else the last candidate before the article.
    title_idx = None
    skip = (BLANK, DROP, META, AUTHOR, IMAGE, BANNER, STOP)
    if title is not None:
        fields.title = title.strip()
        wanted = _SPACES_RE.sub(" ", fields.title).casefold()
        for line in lines:
            if line.kind == TEXT and line.text.casefold() == wanted:
                line.kind = DROP
    elif punctuated_title is not None:
        title_idx = punctuated_title
    elif header_metas:
        anchor = header_metas[-1]
        before = _next_index(lines, anchor - 1, -1, 0, skip)
        after = _next_index(lines, anchor + 1, 1, header_end, skip)
        before_ok = before is not None and _is_title_candidate(lines[before])
        after_ok = after is not None and _is_title_candidate(lines[after])
        # A headline has more words than the category line that may sit above the date.
        if before_ok and (not after_ok or lines[before].n_words >= 6
                          or lines[before].n_words >= lines[after].n_words):
            title_idx = before
        elif after_ok:
            title_idx = after
    if title is None and title_idx is None and first_prose is not None:
        candidates = [i for i in range(header_end) if _is_title_candidate(lines[i])]
        if candidates:
            title_idx = candidates[-1]
    if title_idx is not None:
        fields.title = lines[title_idx].text
        if title_idx == punctuated_title and fields.title.endswith(".") and not fields.title.endswith(".."):
            fields.title = fields.title[:-1].rstrip()

    # Category: breadcrumb, else the short line just above the headline.
    crumbs = [line for line in lines[:end] if line.kind == CRUMB]
    if crumbs:
        fields.category = _crumb_category(crumbs[-1].text, fields.title)
    elif title_idx is not None:
        above = _next_index(lines, title_idx - 1, -1, 0, (BLANK, META))
        if above is not None:
            candidate = lines[above]
            if (candidate.kind == TEXT and (candidate.n_words <= 6 or is_category_line(candidate.text))
                    and not _TERMINAL_RE.search(candidate.text) and not _BYLINE_START_RE.match(candidate.text)
                    and not _NAME_RE.match(candidate.text) and not _site_name(candidate.text)):
                fields.category = candidate.text

    # Header date: labelled lines anywhere before the end; unlabelled ones only
    # next to the headline or the article (a portal's top bar shows today's date).
    anchor_idx = title_idx if title_idx is not None else header_end
    header_date = None
    header_english = False
    views = None
    ordered = sorted(metas, key=lambda i: (i >= header_end, -i if i < header_end else i))
    for i in ordered:
        line = lines[i]
        if views is None and line.views is not None:
            views = line.views
        if header_date is None and line.date is not None:
            near = abs(i - anchor_idx) <= 4 or (first_prose is not None and 0 <= first_prose - i <= 4)
            if line.labelled or near or _byline(lines, i, last_prose):
                header_date = line.date
                header_english = line.english
        if line.author:
            authors.append(line.author)
    fields.views = views
    if not fields.category:
        fields.category = next((lines[i].category for i in header_metas if lines[i].category), "")
    if not fields.category:  # a labelled category line of the header ("Danh mục: Công tác dân vận")
        fields.category = next((category_text(line.text) for line in lines[:header_end]
                                if _CATEGORY_LABEL_RE.match(line.text) and 1 <= _n_words(category_text(line.text)) <= 8),
                               "")

    # The article: from after the headline (or the first prose line) to the end.
    if title is not None:
        start = known_title + 1 if known_title is not None else 0
    else:
        start = title_idx + 1 if title_idx is not None else (first_prose if first_prose is not None else 0)
    has_structure = title_idx is not None or first_prose is not None or bool(metas) or bool(title)
    after_image = False
    credited: list[str] = []  # caption lines ending with a photo credit
    for i in range(start, end):
        line = lines[i]
        if line.kind == IMAGE:
            after_image = True
            if line.alt and _n_words(line.alt) >= 2:
                captions.append(line.alt)
            continue
        if line.kind == AUTHOR:
            if _CAPTION_LABEL_RE.match(line.text):
                captions.append(line.text)
            else:
                authors.append(line.author)
            continue
        if line.kind != TEXT:
            if line.kind != BLANK:
                after_image = False
            continue
        in_head = first_prose is not None and i < first_prose
        in_tail = last_prose is not None and i > last_prose
        if _caption_like(line, after_image=after_image):
            captions.append(line.text)
            if _CAPTION_CREDIT_RE.search(line.text):
                credited.append(line.text)
        elif in_head or in_tail:
            # a linked headline of a list after the article ("Video khác", "Bài viết mới") is nobody's signature
            signature = "" if line.text in links else _author_like(line, allow_org=in_tail)
            if signature:
                authors.append(signature)
            elif (in_tail and _LIST_ITEM_RE.match(line.text)) or (
                    line.n_words >= 8 and not (in_tail and _link_like(lines, i, end))):
                body.append(line.text)
        elif not has_structure or line.n_words >= 1:
            body.append(line.text)
        after_image = False

    if not has_structure:
        body = [line.text for line in lines[:end] if line.kind == TEXT]
    if not body and credited:
        body, captions = _photo_story(credited, captions)

    if body:
        body[0], source = _strip_leading_source(body[0])
        if source:
            authors.insert(0, source)
        body[-1], signature = _strip_trailing_author(body[-1])
        if signature:
            authors.append(signature)
    fields.category = category_text(fields.category)
    fields.body = PARAGRAPH_SEP.join(p for p in body if p)
    fields.captions = _join_unique(captions, "\n")
    fields.author = _join_unique(authors, " - ")

    opening = body[0] if body else ""
    fields.issuer = _find_issuer(fields.author, fields.title, opening)

    fields.url = url or _address_line(lines[:header_end])
    found = infer_date(header=header_date, header_source="header-english" if header_english else "header",
                       url=fields.url, title=fields.title, opening=opening,
                       banner_year=banner_year(line.text for line in lines[:end] if line.kind == BANNER))
    if found is not None:
        _set_date(fields, (found.iso, found.precision), found.source)
    return fields


def _shown_headline(lines: list[_Line], prose: list[int], title: str) -> int | None:
    """The line showing a known headline above the article, or ``None``.

    The article starts after its headline, and what stands above it is the
    page's furniture (a sidebar's teasers in a layout table's cell). Of the
    lines equal to the headline, the last one with more prose after it than
    before it is that line; one with less (the article listed again in a
    sidebar under it) is not.
    """
    wanted = _SPACES_RE.sub(" ", title.strip()).casefold()
    total = sum(lines[i].n_words for i in prose)
    before = 0
    found = None
    k = 0
    for t, line in enumerate(lines):
        while k < len(prose) and prose[k] < t:
            before += lines[prose[k]].n_words
            k += 1
        if line.kind == TEXT and line.text.casefold() == wanted and total - before > before:
            found = t
    return found


def _punctuated_headline(lines: list[_Line], prose: list[int]) -> bool:
    """Whether the first prose line is a headline ending in a full stop.

    It is when it is one short sentence followed by the header's date/views
    line, or standing under a category line or breadcrumb with the article
    after it.
    """
    i = prose[0]
    line = lines[i]
    if line.n_words > 30 or len(_SENTENCE_SPLIT_RE.split(line.text)) > 1:
        return False
    after = _next_index(lines, i + 1, 1, len(lines), (BLANK,))
    if after is not None and lines[after].kind == META:
        return True
    before = _next_index(lines, i - 1, -1, 0, (BLANK,))
    return (before is not None and len(prose) > 1 and after == prose[1]
            and (lines[before].kind == CRUMB or (lines[before].kind == TEXT and is_category_line(lines[before].text))))


_ADDRESS_RE = re.compile(r"^(?:(?:url|link|địa chỉ bài viết)\s*[:：]\s*)?(https?://\S+)$", _I)


def _address_line(lines: list[_Line]) -> str | None:
    for line in lines:
        match = _ADDRESS_RE.match(line.text)
        if match:
            return match[1]
    return None


def banner_year(banners) -> int | None:
    """The year of the first yearly banner or slogan that names one.

    ``Chủ đề năm 2019: "Năm dân vận khéo"`` and ``Năm 2021 - năm …`` give
    their year, ``Mừng Đảng - Mừng Xuân Canh Tý 2020`` the year of the Tết,
    ``Chào mừng Đại hội … nhiệm kỳ 2020-2025`` the congress year, and an
    anniversary ``(1930 - 2020)`` its last year.

    Examples
    --------
    >>> banner_year(['Chủ đề năm 2019: "Năm dân vận khéo"'])
    2019
    >>> banner_year(["Mừng Đảng - Mừng Xuân Canh Tý 2020"])
    2020
    """
    for text in banners:
        evidence = find_year_evidence(text)
        if evidence:
            return evidence[0].year
        years = [int(y) for y in _BANNER_ANY_YEAR_RE.findall(text) if YEAR_RANGE[0] <= int(y) <= YEAR_RANGE[1]]
        if years:
            return max(years)
    return None


# Lines between two linked headlines of one list: a date, a teaser, a views line.
_ITEM_GAP = 3


def _link_list_lines(lines: list[_Line], links) -> set[int]:
    """Indices of the lines of lists of links to other articles (``Tin mới``, ``Tin nổi bật`` boxes).

    A list is a run of two or more linked headlines at most :data:`_ITEM_GAP`
    lines apart; the lines between them (each item's date and teaser) belong
    to it, and so do the date lines and a one-paragraph teaser after its last
    headline. A linked headline standing alone (an article's own headline
    written as a link to itself) is no list.
    """
    linked = [i for i, line in enumerate(lines)
              if line.kind == TEXT and line.n_words >= 4 and line.text in links and _is_title_candidate(line)]
    listed: set[int] = set()
    for a, b in zip(linked, linked[1:]):
        if sum(lines[k].kind != BLANK for k in range(a + 1, b)) <= _ITEM_GAP:
            listed.update(range(a, b + 1))
    heads = set(linked)
    for i in sorted(listed):
        if i + 1 in listed or i not in heads:
            continue
        # The last headline of a list: its date lines and a teaser that no other paragraph follows.
        j = i + 1
        taken = 0
        while j < len(lines) and taken < _ITEM_GAP:
            line = lines[j]
            if line.kind == BLANK:
                j += 1
                continue
            if line.kind == META and line.date is not None:  # the item's date line, "Ngày đăng …" too
                listed.add(j)
            elif _is_prose(line):
                after = _next_index(lines, j + 1, 1, len(lines), (BLANK,))
                if after is not None and _is_prose(lines[after]):
                    break
                listed.add(j)
            else:
                break
            taken += 1
            j += 1
    return listed


_SENTENCE_END_RE = re.compile(r"[.!?]\s")
_DATED_LINK_RE = re.compile(r"[(\[]\s*\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?(?:\s+\d{1,2}[:h]\d{2})?\s*[)\]]$")


def _link_like(lines: list[_Line], i: int, end: int) -> bool:
    """Whether tail line ``i`` belongs to a list of links to other articles.

    Such lists end with the article's date in brackets (``… (10/10/2022)``),
    or are runs of three or more short unpunctuated headline-like lines.
    """
    if _DATED_LINK_RE.search(lines[i].text):
        return True

    def headline(j: int) -> bool:
        line = lines[j]
        return (line.kind == TEXT and 4 <= line.n_words <= 25 and not _TERMINAL_RE.search(line.text)
                and not _SENTENCE_END_RE.search(line.text))

    if not headline(i):
        return False
    run = 1
    for step in (-1, 1):
        j = i + step
        # three make a run: stop there (a sidebar of thousands of links made this quadratic)
        while run < 3 and 0 <= j < end and (lines[j].kind == BLANK or headline(j)):
            run += lines[j].kind != BLANK
            j += step
    return run >= 3


# The article's running prose after a stop line: paragraphs in a row, and their words (a box's teaser is one).
_RESUME_MIN_PARAGRAPHS = 2
_RESUME_MIN_WORDS = 50
# Lines of a box of links between its heading and the article's next paragraph.
_BOX_MAX_LINES = 12


def _sentence_paragraph(line: _Line) -> bool:
    """A paragraph of running text: prose that ends as a sentence does, not a dated link."""
    return _is_prose(line) and bool(_TERMINAL_RE.search(line.text)) and not _DATED_LINK_RE.search(line.text)


def _running_prose(lines: list[_Line], k: int) -> bool:
    """Whether the article's running prose starts at line ``k``: :data:`_RESUME_MIN_PARAGRAPHS` paragraphs or more
    in a row, of :data:`_RESUME_MIN_WORDS` words or more."""
    paragraphs = words = 0
    while k < len(lines) and (lines[k].kind == BLANK or _sentence_paragraph(lines[k])):
        if lines[k].kind != BLANK:
            paragraphs += 1
            words += lines[k].n_words
            if paragraphs >= _RESUME_MIN_PARAGRAPHS and words >= _RESUME_MIN_WORDS:
                return True
        k += 1
    return False


def _box_inside(lines: list[_Line], i: int, links) -> list[int] | None:
    """The lines of a box inside the article that stop line ``i`` heads or closes; ``None`` when it ends the article.

    A box of other articles (``Tin liên quan``, ``Xem thêm: …``, dated links closed by ``Xem tiếp``) sits inside
    the article when the article's running prose (see :func:`_running_prose`) comes after it: its heading, the
    items under it (at most :data:`_BOX_MAX_LINES` lines: headlines, dates, a line of headlines run together) and,
    above a closing link (``Xem tiếp``), the linked headlines it closes are the box. A line that starts with a
    footer's words but names no label (``Bản quyền nhãn hiệu cho chè Suối Giàng``) is the article's own heading
    when its running prose follows at once: then no line is the box (an empty list). Counters, readers' comments, tags and a footer's own lines
    (``Bản quyền thuộc …``, ``Địa chỉ: …``) always end the article.
    """
    text = lines[i].text
    if _HARD_STOP_RE.match(text) or _COUNTER_RE.match(text):
        return None
    heading = bool(_STOP_RE.match(text))
    if not heading and (_FOOTER_INLINE_RE.search(text) or _FOOTER_VALUE_RE.match(text)):
        return None
    box = [i] if heading else []
    k = i + 1
    while k < len(lines) and not _sentence_paragraph(lines[k]):
        if lines[k].kind != BLANK:
            if not heading or lines[k].kind == STOP or len(box) > _BOX_MAX_LINES:
                return None
            box.append(k)
        k += 1
    if not _running_prose(lines, k):
        return None
    if _BOX_CLOSER_RE.match(text):  # the box's items above its closing link: headlines, their dates and pictures
        first = None
        j = i - 1
        while j >= 0 and (lines[j].kind in (BLANK, META, IMAGE) or (
                lines[j].kind == TEXT and not _is_prose(lines[j])
                and (lines[j].text in links or _DATED_LINK_RE.search(lines[j].text)
                     or (_link_like(lines, j, i) and not _LIST_ITEM_RE.match(lines[j].text))))):
            if lines[j].kind == TEXT:
                first = j
            j -= 1
        if first is not None:
            box += [j for j in range(first, i) if lines[j].kind != BLANK]
    return box


def _set_date(fields: PageFields, value: tuple[str, str], source: str) -> None:
    iso, precision = value
    fields.date_precision = precision
    fields.year = int(iso[:4])
    fields.date = iso if precision == "day" else ""
    fields.date_source = source
