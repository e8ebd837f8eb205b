"""A fixture portal of the genre, served on 127.0.0.1 from a thread, with its own request log.

Authored for the tests (no text from real portals): a district Ban Dân vận
site with two templates (a modern one with ``?page=N`` listings and an old
table-layout one with ``/trang-N.html`` listings and ``chi-tiet.aspx?id=``
articles), robots.txt with a group for our user agent and another for ``*``,
a sitemap index, an RSS feed, a redirect, a 404, a 429 with Retry-After, a
500 that recovers, tracking parameters and off-site links.

Also :data:`NET_GUARD`: code that makes any connection to a host other than
127.0.0.1 raise (used in-process by the tests and in CLI subprocesses).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SITE = "Ban Dân vận Huyện ủy Phù Mỹ"
CRAWL_DELAY = 0.25
RETRY_AFTER = 1

#: Runs before anything else in a process: connections and lookups beyond 127.0.0.1 raise.
NET_GUARD = '''
import socket as _s
_LOCAL = ("127.0.0.1", "::1", "localhost")
_connect = _s.socket.connect
def _guarded_connect(self, address, *a, **k):
    if self.family in (_s.AF_INET, _s.AF_INET6) and address[0] not in _LOCAL:
        raise OSError(f"test network guard: connection to {address!r} refused (only 127.0.0.1)")
    return _connect(self, address, *a, **k)
_s.socket.connect = _guarded_connect
_getaddrinfo = _s.getaddrinfo
def _guarded_getaddrinfo(host, *a, **k):
    if host not in _LOCAL and host is not None:
        raise OSError(f"test network guard: lookup of {host!r} refused (only 127.0.0.1)")
    return _getaddrinfo(host, *a, **k)
_s.getaddrinfo = _guarded_getaddrinfo
'''


@dataclass(frozen=True)
class Article:
    path: str
    title: str
    date: str  # dd/mm/yyyy as the page shows it
    views: int
    paragraphs: tuple[str, ...]
    template: str = "modern"

    @property
    def iso_date(self) -> str:
        day, month, year = self.date.split("/")
        return f"{year}-{int(month):02d}-{int(day):02d}"


ARTICLES = (
    Article("/tin-hoat-dong/hoi-nghi-so-ket-cong-tac-dan-van-6-thang-101.html",
            "Hội nghị sơ kết công tác dân vận 6 tháng đầu năm 2021", "15/07/2021", 412, (
                "Sáng ngày 14/7/2021, Ban Dân vận Huyện ủy tổ chức hội nghị sơ kết công tác dân vận 6 tháng đầu năm, "
                "triển khai nhiệm vụ trọng tâm 6 tháng cuối năm 2021 với sự tham dự của lãnh đạo các xã, thị trấn.",
                "Trong 6 tháng qua, khối dân vận đã tham mưu cấp ủy ban hành nhiều văn bản chỉ đạo, phối hợp vận động "
                "nhân dân hiến đất làm đường giao thông nông thôn, giữ vững an ninh trật tự ở cơ sở.",
                "Phát biểu kết luận, đồng chí Trưởng Ban Dân vận đề nghị các đơn vị tiếp tục phát huy phong trào thi "
                "đua dân vận khéo, gắn với việc thực hiện quy chế dân chủ ở cơ sở.")),
    Article("/tin-hoat-dong/mat-tran-xa-tham-tang-qua-ho-ngheo-102.html",
            "Mặt trận xã Mỹ Lợi thăm, tặng quà hộ nghèo dịp Tết Nguyên đán", "28/01/2022", 230, (
                "Chiều 27/1/2022, Ủy ban Mặt trận Tổ quốc xã Mỹ Lợi phối hợp với các đoàn thể đến thăm, tặng 120 "
                "phần quà cho hộ nghèo, hộ cận nghèo và gia đình chính sách trên địa bàn xã.",
                "Mỗi phần quà gồm gạo, dầu ăn và tiền mặt với tổng trị giá hơn 60 triệu đồng, do các nhà hảo tâm và "
                "con em quê hương làm ăn xa đóng góp qua cuộc vận động Ngày vì người nghèo.",
                "Dịp này, Mặt trận xã cũng thông tin tới bà con về tình hình phòng, chống dịch bệnh và nhắc nhở mọi "
                "người đón Tết an toàn, tiết kiệm.")),
    Article("/tin-hoat-dong/hoi-phu-nu-ra-quan-ve-sinh-moi-truong-103.html",
            "Hội Phụ nữ huyện ra quân làm sạch đường làng, ngõ xóm", "06/03/2022", 188, (
                "Hưởng ứng Tháng hành động vì môi trường, sáng 5/3/2022, Hội Liên hiệp Phụ nữ huyện tổ chức ra quân "
                "làm sạch đường làng, ngõ xóm tại thôn Trung Thành với hơn 200 hội viên tham gia.",
                "Các hội viên đã thu gom rác thải, phát quang bụi rậm, trồng hoa dọc tuyến đường dài gần hai cây số, "
                "góp phần xây dựng cảnh quan xanh, sạch, đẹp ở khu dân cư.",
                "Hội phát động mỗi chi hội đăng ký một tuyến đường tự quản và duy trì lịch vệ sinh hằng tuần.")),
    Article("/tin-hoat-dong/doi-thoai-voi-nhan-dan-ve-giai-phong-mat-bang-104.html",
            "Đối thoại với nhân dân về bồi thường, giải phóng mặt bằng dự án đường ven biển", "19/04/2022", 975, (
                "Ngày 18/4/2022, Thường trực Huyện ủy tổ chức đối thoại với các hộ dân bị ảnh hưởng bởi dự án đường "
                "ven biển đoạn qua xã Mỹ Thọ nhằm lắng nghe tâm tư, nguyện vọng của bà con.",
                "Nhiều ý kiến đề nghị công khai phương án bồi thường, hỗ trợ tái định cư và sớm bố trí đất ở mới để "
                "người dân ổn định cuộc sống. Lãnh đạo huyện đã trả lời cụ thể từng kiến nghị.",
                "Kết thúc buổi đối thoại, phần lớn các hộ dân thống nhất bàn giao mặt bằng cho đơn vị thi công trong "
                "tháng 5 năm 2022.")),
    Article("/tin-hoat-dong/doan-thanh-nien-tiep-suc-mua-thi-105.html",
            "Đoàn Thanh niên huyện tổ chức chương trình Tiếp sức mùa thi", "02/07/2022", 156, (
                "Chiều 1/7/2022, Huyện đoàn ra mắt đội hình tình nguyện Tiếp sức mùa thi với 80 đoàn viên, thanh niên "
                "hỗ trợ thí sinh tại ba điểm thi trung học phổ thông trên địa bàn huyện.",
                "Các tình nguyện viên hướng dẫn thí sinh tìm phòng thi, giữ đồ, phát nước uống miễn phí và bố trí chỗ "
                "nghỉ trưa cho phụ huynh từ các xã xa đến.",
                "Huyện đoàn đề nghị các cơ sở đoàn bảo đảm an toàn giao thông trên các tuyến đường dẫn đến điểm thi.")),
    Article("/tin-hoat-dong/hoi-cuu-chien-binh-gap-mat-hoi-vien-moi-106.html",
            "Hội Cựu chiến binh thị trấn gặp mặt hội viên mới", "20/09/2022", 97, (
                "Sáng 19/9/2022, Hội Cựu chiến binh thị trấn Bình Dương tổ chức gặp mặt 25 hội viên mới được kết nạp "
                "trong 9 tháng đầu năm, ôn lại truyền thống của đơn vị.",
                "Các hội viên được phổ biến điều lệ hội, những nhiệm vụ trọng tâm năm 2022 và phong trào giúp nhau "
                "phát triển kinh tế, giảm nghèo bền vững ở khu dân cư.",
                "Hội khen thưởng 5 chi hội có thành tích xuất sắc trong công tác phát triển hội viên.")),
    Article("/tin-hoat-dong/tap-huan-nghiep-vu-cong-tac-dan-van-107.html",
            "Tập huấn nghiệp vụ công tác dân vận cho cán bộ cơ sở", "11/10/2022", 143, (
                "Trong hai ngày 10 và 11/10/2022, Ban Dân vận Huyện ủy mở lớp tập huấn nghiệp vụ công tác dân vận cho "
                "hơn 150 cán bộ khối dân vận các xã, thị trấn.",
                "Học viên được trao đổi kinh nghiệm vận động đồng bào có đạo, cách tiếp xúc, đối thoại với người dân "
                "và kỹ năng nắm bắt dư luận xã hội ở cơ sở.",
                "Cuối lớp, các học viên làm bài thu hoạch và đề xuất mô hình dân vận khéo phù hợp với địa phương.")),
    Article("/tin-hoat-dong/hoi-nong-dan-chuyen-giao-ky-thuat-108.html",
            "Hội Nông dân xã phối hợp chuyển giao kỹ thuật trồng dưa hấu", "03/11/2022", 88, (
                "Sáng 2/11/2022, Hội Nông dân xã Mỹ Châu phối hợp với Trạm Khuyến nông huyện tổ chức lớp chuyển giao "
                "kỹ thuật trồng dưa hấu trên đất cát cho 45 hội viên nông dân.",
                "Các kỹ sư hướng dẫn cách làm đất, phủ màng nông nghiệp, tưới nhỏ giọt và phòng trừ sâu bệnh, giúp bà "
                "con giảm chi phí và tăng năng suất so với cách làm truyền thống.",
                "Hội cũng giới thiệu nguồn vốn vay ưu đãi để hội viên đầu tư hệ thống tưới tiết kiệm nước.")),
    Article("/tin-hoat-dong/ra-mat-mo-hinh-dan-van-kheo-109.html",
            "Ra mắt mô hình dân vận khéo Khu dân cư không có rác thải nhựa", "25/11/2022", 301, (
                "Chiều 24/11/2022, Ủy ban nhân dân xã Mỹ An ra mắt mô hình dân vận khéo Khu dân cư không có rác thải "
                "nhựa tại thôn Xuân Thạnh với sự tham gia của 180 hộ gia đình.",
                "Theo quy ước, các hộ phân loại rác tại nguồn, hạn chế dùng túi ni lông và đổi chai nhựa lấy cây "
                "giống vào ngày chủ nhật cuối tháng tại nhà văn hóa thôn.",
                "Ban Dân vận Huyện ủy sẽ theo dõi, đánh giá để nhân rộng mô hình ra các thôn khác trong năm 2023.")),
    Article("/dan-van-kheo/chi-tiet.aspx?id=201",
            "Xã Mỹ Hiệp vận động nhân dân hiến đất mở rộng đường liên thôn", "12/03/2020", 240, (
                "Thực hiện phong trào thi đua dân vận khéo, năm 2020 xã Mỹ Hiệp vận động 64 hộ dân hiến hơn 3.000 mét "
                "vuông đất để mở rộng tuyến đường liên thôn dài 2,5 km.",
                "Cán bộ thôn đến từng nhà giải thích lợi ích của công trình, công khai thiết kế và phương án thi công "
                "để người dân cùng giám sát theo phương châm dân biết, dân bàn, dân làm, dân kiểm tra.",
                "Công trình hoàn thành trước kế hoạch hai tháng, tạo thuận lợi cho việc đi lại và vận chuyển nông sản."),
            template="table"),
    Article("/dan-van-kheo/chi-tiet.aspx?id=202",
            "Chi hội Phụ nữ thôn Vạn Định giúp hội viên thoát nghèo", "08/06/2020", 133, (
                "Từ nguồn quỹ tiết kiệm do hội viên đóng góp, Chi hội Phụ nữ thôn Vạn Định đã cho 12 chị em vay vốn "
                "không lãi để chăn nuôi bò và mở quầy tạp hóa nhỏ.",
                "Sau hai năm, 9 hộ đã thoát nghèo, nhiều chị em trả vốn đúng hạn để quỹ tiếp tục quay vòng cho các "
                "hội viên khó khăn khác trong thôn.",
                "Mô hình được Hội Liên hiệp Phụ nữ huyện đánh giá cao và đề nghị nhân rộng."),
            template="table"),
    Article("/dan-van-kheo/chi-tiet.aspx?id=203",
            "Công an xã phối hợp xây dựng tổ tự quản an ninh trật tự", "17/09/2020", 176, (
                "Công an xã Mỹ Thắng phối hợp với Mặt trận và các đoàn thể thành lập 8 tổ tự quản về an ninh trật tự ở "
                "các khu dân cư ven biển, thu hút 96 thành viên tham gia.",
                "Các tổ tuần tra vào ban đêm, nắm tình hình người lạ đến địa phương và hòa giải kịp thời mâu thuẫn "
                "trong cộng đồng, góp phần kéo giảm các vụ việc phức tạp.",
                "Năm 2020, trên địa bàn xã không xảy ra vụ việc nghiêm trọng nào về an ninh trật tự."),
            template="table"),
    Article("/tin-noi-bo/hoi-nghi-giao-ban-khoi-dan-van-301.html",
            "Hội nghị giao ban khối dân vận quý III năm 2022", "05/10/2022", 64, (
                "Ngày 4/10/2022, Ban Dân vận Huyện ủy tổ chức hội nghị giao ban khối dân vận quý III, đánh giá kết quả "
                "phối hợp giữa chính quyền, Mặt trận và các đoàn thể chính trị - xã hội.",
                "Hội nghị thống nhất tập trung tuyên truyền, vận động nhân dân thực hiện tốt các chủ trương của Đảng, "
                "chính sách, pháp luật của Nhà nước, nhất là công tác chuyển đổi số ở cơ sở.",
                "Các đơn vị được giao xây dựng kế hoạch cụ thể cho quý IV và báo cáo về Ban trước ngày 15/10/2022.")),
)

BY_PATH = {a.path: a for a in ARTICLES}
MODERN = [a for a in ARTICLES if a.path.startswith("/tin-hoat-dong/")]
TABLE = [a for a in ARTICLES if a.template == "table"]
A_SITEMAP_ONLY = MODERN[6]  # 107: only in the sitemap
A_FEED_ONLY = MODERN[7]  # 108: only in the feed
A_REDIRECT_ONLY = MODERN[8]  # 109: only behind /bai-cu/109
A_429 = MODERN[1]
A_500 = MODERN[2]
LISTED = MODERN[:6]  # on the "Tin hoạt động" listing, 4 per page
NOI_BO = BY_PATH["/tin-noi-bo/hoi-nghi-giao-ban-khoi-dan-van-301.html"]
MISSING = "/tin-hoat-dong/bai-da-go-110.html"
DISALLOWED_FOR_US = ("/quan-tri/", "/tim-kiem")
OFF_SITE = ("http://thoibao.example.com/bai-viet/dan-van-123.html", "https://www.facebook.com/sharer.php?u=x")


def robots_txt(port: int) -> str:
    return f"""# robots.txt of the fixture portal
User-agent: *
Disallow: /tin-noi-bo/
Crawl-delay: 5

User-agent: danvan-toolkit
Disallow: /quan-tri/
Disallow: /tim-kiem
Crawl-delay: {CRAWL_DELAY}

Sitemap: http://127.0.0.1:{port}/sitemap.xml
"""


def _frame(title: str, main: str, aside: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{title} - {SITE}</title>
<link rel="alternate" type="application/rss+xml" title="Tin mới" href="/rss.xml"></head>
<body><header><div class="logo">BAN DÂN VẬN HUYỆN ỦY PHÙ MỸ</div>
<nav><a href="/">Trang chủ</a> <a href="/tin-hoat-dong">Tin hoạt động</a> <a href="/dan-van-kheo/trang-1.html">Dân vận khéo</a>
<a href="/gioi-thieu.html">Giới thiệu</a> <a href="/tim-kiem?q=dan+van">Tìm kiếm</a> <a href="/quan-tri/dang-nhap">Quản trị</a></nav></header>
<main>{main}</main>
<aside>{aside}</aside>
<footer><p>Cơ quan chủ quản: {SITE}. Địa chỉ: số 10 đường Trần Hưng Đạo, thị trấn Phù Mỹ. Điện thoại: 0256 3855 000.</p>
<p>Ghi rõ nguồn khi phát hành lại thông tin từ trang này.</p></footer></body></html>"""


def _latest() -> str:
    items = "".join(f'<li><a href="{a.path}">{a.title}</a></li>' for a in LISTED[:4])
    return f"<h3>Tin mới</h3><ul>{items}</ul>"


def _modern_article(article: Article) -> str:
    others = "".join(f'<li><a href="{a.path}">{a.title}</a> ({a.date})</li>' for a in MODERN if a is not article)[:2000]
    body = "".join(f"<p>{p}</p>" for p in article.paragraphs)
    main = f"""<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/tin-hoat-dong">Tin hoạt động</a></div>
<article><h1>{article.title}</h1>
<div class="meta">Ngày đăng: {article.date} | Lượt xem: {article.views}</div>
<div class="content">{body}<p class="tac-gia"><strong>Lê Minh</strong></p></div></article>
<div class="tin-khac"><h3>Tin khác</h3><ul>{others}</ul></div>"""
    return _frame(article.title, main, _latest())


def _table_article(article: Article) -> str:
    body = "<br><br>".join(article.paragraphs)
    day, month, year = article.date.split("/")
    main = f"""<table width="100%"><tr><td class="tieude"><b>{article.title}</b></td></tr>
<tr><td class="ngay">Cập nhật: {int(day)}/{int(month)}/{year} 08:15 | Lượt xem: {article.views}</td></tr>
<tr><td class="noidung">{body}<br><br><i>Trần Hòa - Ban Dân vận xã</i></td></tr></table>"""
    return _frame(article.title, main, _latest())


def _modern_listing(page: int) -> str:
    per_page = 4
    chunk = LISTED[(page - 1) * per_page: page * per_page]
    items = "".join(
        f'<div class="item"><a href="{a.path}"><img src="/anh/{i}.jpg" alt=""></a>'
        f'<h3><a href="{a.path}">{a.title}</a></h3><span class="ngay">{a.date}</span>'
        f'<p>{a.paragraphs[0]}</p></div>' for i, a in enumerate(chunk))
    if page == 2:
        items += f'<div class="item"><h3><a href="{MISSING}">Bài viết đã gỡ khỏi trang tin của huyện</a></h3></div>'
    pages = (len(LISTED) + per_page - 1) // per_page
    pager = " ".join(f'<a href="/tin-hoat-dong?page={n}">{n}</a>' for n in range(1, pages + 1))
    if page < pages:
        pager += f' <a href="/tin-hoat-dong?page={page + 1}">Trang sau</a>'
    main = f'<h1>Tin hoạt động</h1><div class="list">{items}</div><div class="pager">{pager}</div>'
    return _frame("Tin hoạt động", main)


def _table_listing(page: int) -> str:
    per_page = 2
    chunk = TABLE[(page - 1) * per_page: page * per_page]
    rows = "".join(f'<tr><td><a href="{a.path}">{a.title}</a><br>{a.paragraphs[0]}</td></tr>' for a in chunk)
    pages = (len(TABLE) + per_page - 1) // per_page
    pager = "".join(f'<a href="/dan-van-kheo/trang-{n}.html">{n}</a> ' for n in range(1, pages + 1))
    if page < pages:
        pager += f'<a href="/dan-van-kheo/trang-{page + 1}.html">»</a>'
    main = f'<table class="ds"><tr><td class="tieude">DÂN VẬN KHÉO</td></tr>{rows}<tr><td>{pager}</td></tr></table>'
    return _frame("Dân vận khéo", main)


def _home() -> str:
    featured = LISTED[0]
    items = "".join(f'<li><a href="{a.path}">{a.title}</a></li>' for a in LISTED[1:5])
    main = f"""<div class="noi-bat"><h2><a href="{featured.path}?utm_source=zalo&amp;utm_medium=share">{featured.title}</a></h2>
<p>{featured.paragraphs[0]}</p></div>
<h3><a href="/tin-hoat-dong">Tin hoạt động</a></h3><ul>{items}</ul>
<h3><a href="/dan-van-kheo/trang-1.html">Dân vận khéo</a></h3>
<ul><li><a href="{TABLE[0].path}">{TABLE[0].title}</a></li>
<li><a href="{NOI_BO.path}#binh-luan">{NOI_BO.title}</a></li>
<li><a href="/bai-cu/109">{A_REDIRECT_ONLY.title}</a></li></ul>
<h3>Liên kết</h3><ul><li><a href="{OFF_SITE[0]}">Báo điện tử Thời báo: dân vận trong tình hình mới</a></li>
<li><a href="{OFF_SITE[1]}">Chia sẻ lên mạng xã hội</a></li>
<li><a href="/van-ban/ke-hoach-2022.pdf">Kế hoạch công tác dân vận năm 2022 (tệp PDF)</a></li></ul>"""
    return _frame("Trang chủ", main)


def _about() -> str:
    main = """<h1>Giới thiệu</h1><p>Ban Dân vận Huyện ủy là cơ quan tham mưu, giúp việc của Huyện ủy về công tác dân vận,
trực tiếp là Ban Thường vụ Huyện ủy, đồng thời là cơ quan chuyên môn, nghiệp vụ về công tác dân vận của huyện.</p>
<p>Địa chỉ liên hệ: số 10 đường Trần Hưng Đạo, thị trấn Phù Mỹ; điện thoại 0256 3855 000.</p>"""
    return _frame("Giới thiệu", main)


def _sitemap_index(port: int) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://127.0.0.1:{port}/sitemap-tin.xml</loc></sitemap></sitemapindex>"""


def _sitemap(port: int) -> str:
    paths = [LISTED[0].path, LISTED[3].path, A_SITEMAP_ONLY.path, TABLE[1].path, "/quan-tri/bao-cao.html"]
    urls = "".join(f"<url><loc>http://127.0.0.1:{port}{p.replace('&', '&amp;')}</loc></url>" for p in paths)
    urls += f"<url><loc>{OFF_SITE[0]}</loc></url>"
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def _rss(port: int) -> str:
    items = "".join(f"<item><title>{a.title}</title><link>http://127.0.0.1:{port}{a.path}?utm_source=rss</link></item>"
                    for a in (LISTED[5], A_FEED_ONLY))
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{SITE}</title>{items}</channel></rss>'


@dataclass(frozen=True)
class Hit:
    at: float  # time.monotonic() when the request arrived
    path: str  # as requested (with query)
    status: int
    user_agent: str


class Portal:
    """The fixture portal; ``log`` holds every request in arrival order."""

    def __init__(self) -> None:
        self.log: list[Hit] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self._server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Portal:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def hits(self, path: str) -> list[Hit]:
        return [h for h in self.log if h.path.split("?")[0] == path.split("?")[0]
                and ("?" not in path or h.path == path)]

    def _count(self, path: str) -> int:
        return sum(1 for h in self.log if h.path == path)

    def respond(self, path: str) -> tuple[int, dict[str, str], bytes]:
        route = path.split("#")[0]
        bare = route.split("?")[0]
        seen = self._count(route)  # earlier requests of this exact address
        html = {"Content-Type": "text/html; charset=utf-8"}
        if route == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, robots_txt(self.port).encode()
        if route == "/sitemap.xml":
            return 200, {"Content-Type": "application/xml"}, _sitemap_index(self.port).encode()
        if route == "/sitemap-tin.xml":
            return 200, {"Content-Type": "application/xml"}, _sitemap(self.port).encode()
        if route == "/rss.xml":
            return 200, {"Content-Type": "application/rss+xml"}, _rss(self.port).encode()
        if route == "/":
            return 200, html, _home().encode()
        if route == "/gioi-thieu.html":
            return 200, html, _about().encode()
        if bare == "/tin-hoat-dong":
            page = int(route.split("page=")[1]) if "page=" in route else 1
            return 200, html, _modern_listing(page).encode()
        if bare.startswith("/dan-van-kheo/trang-"):
            return 200, html, _table_listing(int(bare.rsplit("-", 1)[1].split(".")[0])).encode()
        if bare == "/bai-cu/109":
            return 301, {"Location": A_REDIRECT_ONLY.path, "Content-Type": "text/html"}, b"<a>moved</a>"
        article = BY_PATH.get(route) or BY_PATH.get(bare)
        if article is not None:
            if article is A_429 and seen == 0:
                return 429, {"Retry-After": str(RETRY_AFTER), "Content-Type": "text/plain"}, b"Too Many Requests"
            if article is A_500 and seen == 0:
                return 500, {"Content-Type": "text/plain"}, b"Internal Server Error"
            page = _table_article(article) if article.template == "table" else _modern_article(article)
            return 200, html, page.encode()
        return 404, {"Content-Type": "text/html; charset=utf-8"}, "<h1>Không tìm thấy trang</h1>".encode()

    def _handler(self):
        portal = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server's name
                arrived = time.monotonic()
                with portal._lock:
                    status, headers, body = portal.respond(self.path)
                    portal.log.append(Hit(arrived, self.path, status, self.headers.get("User-Agent", "")))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # quiet
                pass

        return Handler


class PageServer:
    """A small site on 127.0.0.1 for one test: a subclass answers ``answer(path, query)`` with ``(body, content
    type)``, ``(body, content type, status)`` or ``None`` (404). Requests are logged (``log``, the paths as asked); ``base`` is the site's address.

    ``with Site() as site: collect([site.base + "/"], …)``.
    """

    def answer(self, path: str, query: dict) -> tuple[str, str] | None:
        raise NotImplementedError

    def on_request(self, path: str) -> None:
        """Runs before each answer (a test can stop the crawler here)."""

    def __enter__(self):
        from urllib.parse import parse_qs, urlsplit

        outer = self
        self.log: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.log.append(self.path)
                outer.on_request(self.path)
                parts = urlsplit(self.path)
                found = outer.answer(parts.path, parse_qs(parts.query))
                if found is None:
                    self.send_error(404)
                    return
                body, kind, status = (*found, 200)[:3]
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.base = f"http://{self.host}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
