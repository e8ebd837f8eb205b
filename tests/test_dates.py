"""Tests of toolkit.ingest.dates: header dates, event dates, cited-document dates, years."""

from __future__ import annotations

import pytest

from toolkit.ingest.dates import (
    DATE_SOURCES,
    evidence_year,
    find_date,
    find_event_date,
    find_year,
    find_year_evidence,
    find_years,
    infer_date,
    is_cited_document_date,
    parse_header_date,
    parse_url_date,
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Ngày đăng 15/07/2021 | 08:20 | Lượt xem: 312", ("2021-07-15", "day")),
        ("Ngày đăng: 05/11/2021", ("2021-11-05", "day")),
        ("5/3/2020", ("2020-03-05", "day")),
        ("05-11-2021 08:30", ("2021-11-05", "day")),
        ("05.11.2021", ("2021-11-05", "day")),
        ("2021-11-05", ("2021-11-05", "day")),
        ("2019/09/15", ("2019-09-15", "day")),
        ("2022-06-30T07:45:00+07:00", ("2022-06-30", "day")),
        ("2023-09-21 11:14:10 Số lượt xem 523", ("2023-09-21", "day")),
        ("Cập nhật lúc 08:30 ngày 12/3/2020", ("2020-03-12", "day")),
        ("Thứ hai, 05/11/2021 - 08:30", ("2021-11-05", "day")),
        ("08:30 Thứ Bảy, 20/4/2019", ("2019-04-20", "day")),
        ("Chủ nhật, ngày 7 tháng 8 năm 2022", ("2022-08-07", "day")),
        ("Thứ Hai, 05 tháng 11, 2021", ("2021-11-05", "day")),
        ("Posted: Nov 5, 2021", ("2021-11-05", "day")),
        ("Published on 5 November 2021 08:00", ("2021-11-05", "day")),
        ("tháng 11/2021", ("2021-11", "month")),
        ("Tháng 3 năm 2020", ("2020-03", "month")),
        ("11/2021", ("2021-11", "month")),
        ("2021", ("2021", "year")),
        ("năm 2018", ("2018", "year")),
    ],
)
def test_header_date_formats(line, expected):
    assert parse_header_date(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "",
        "31/02/2021",            # not a calendar day
        "30/02/2020 10:00",
        "13/13/2021",            # month 13 whichever way it is read
        "12/32/2021",            # day 32
        "05/11/1985",            # implausible year
        "05/11/2041",
        "Lượt xem: 2021",        # a count, not a year
        "Hội nghị tổng kết năm 2021 của khối dân vận",  # a bare year inside text
        "Mã số 12-2021-3",
    ],
)
def test_header_date_rejects(line):
    assert parse_header_date(line) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # US-culture ASP.NET: month first, only because the second number cannot be a month
        ("Cập nhật ngày: 11/25/2019 2:30:00 PM", ("2019-11-25", "day")),
        ("11/25/2019", ("2019-11-25", "day")),
        ("12/13/2021 9:05 AM", ("2021-12-13", "day")),
        ("1/31/2020 11:59:59 PM", ("2020-01-31", "day")),
        # ...and an ambiguous date stays day first, AM/PM or not
        ("Cập nhật ngày: 05/11/2019 2:30:00 PM", ("2019-11-05", "day")),
        ("12/11/2019 10:00 AM", ("2019-11-12", "day")),
        ("Thứ Hai, 05/11/2021 08:30 SA", ("2021-11-05", "day")),
        # Joomla's Vietnamese locale: "Tháng" and the month's number, no "năm"
        ("Ngày đăng: 19 Tháng 5 2021", ("2021-05-19", "day")),
        ("Được đăng ngày Thứ ba, 10 Tháng 11 2020", ("2020-11-10", "day")),
        ("Thứ Sáu, 03 Tháng 1 2020 07:15", ("2020-01-03", "day")),
        # Vietnamese-locale WordPress: the month as a word, any case
        ("08 Tháng Tư, 2019", ("2019-04-08", "day")),
        ("08 tháng tư, 2019", ("2019-04-08", "day")),
        ("08 THÁNG TƯ, 2019", ("2019-04-08", "day")),
        ("1 Tháng Giêng, 2020", ("2020-01-01", "day")),
        ("2 Tháng Một, 2020", ("2020-01-02", "day")),
        ("29 Tháng Hai, 2020", ("2020-02-29", "day")),
        ("25 Tháng Ba, 2019", ("2019-03-25", "day")),
        ("5 Tháng Bốn, 2019", ("2019-04-05", "day")),
        ("8 Tháng Năm, 2019", ("2019-05-08", "day")),
        ("14 Tháng Sáu, 2022", ("2022-06-14", "day")),
        ("7 Tháng Bảy, 2021", ("2021-07-07", "day")),
        ("7 Tháng Bẩy, 2021", ("2021-07-07", "day")),
        ("31 Tháng Tám, 2021", ("2021-08-31", "day")),
        ("2 Tháng Chín, 2021", ("2021-09-02", "day")),
        ("11 Tháng Mười, 2019", ("2019-10-11", "day")),
        ("11 Tháng Mười Một, 2019", ("2019-11-11", "day")),
        ("12 Tháng Mười Hai, 2019", ("2019-12-12", "day")),
        ("24 Tháng Chạp, 2019", ("2019-12-24", "day")),
        ("Thứ Hai, 08 Tháng Tư 2019 - 08:30", ("2019-04-08", "day")),
        ("ngày 5 tháng Hai năm 2020", ("2020-02-05", "day")),
    ],
)
def test_header_dates_of_other_locales(line, expected):
    assert parse_header_date(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "02/30/2021 10:00 AM",   # neither the 2nd of month 30 nor the 30th of February
        "13/25/2019 2:30 PM",    # no month either way
        "30 Tháng Hai, 2020",    # not a calendar day
        "19 Tháng 13 2021",
        "Trong 12 tháng năm 2021, huyện đã giải ngân 95% vốn",  # "the 12 months of 2021"
        "Năm 2021, huyện đạt và vượt 18/20 chỉ tiêu",           # a year word, not a date
        "Vào tháng Năm 2021, người dân phấn khởi đi bầu cử",    # a month in a sentence, not a header
        "Hội nghị tổng kết 6 tháng đầu năm 2021",
        "Tháng Tư, 2019",        # a word month without a day is as often prose ("tháng Năm 2021") as a header
    ],
)
def test_header_dates_of_other_locales_reject(line):
    assert parse_header_date(line) is None


def test_month_first_date_gives_its_span():
    line = "Cập nhật ngày: 11/25/2019 2:30:00 PM"
    found = find_date(line)
    assert line[found.start:found.end] == "11/25/2019"


def test_word_month_date_gives_its_span():
    line = "Bởi admin - 08 Tháng Tư, 2019 - 356"
    found = find_date(line)
    assert line[found.start:found.end] == "08 Tháng Tư, 2019"


def test_first_full_date_wins_over_later_ones():
    assert parse_header_date("Cập nhật 02/01/2022 (đăng lần đầu 30/12/2021)") == ("2022-01-02", "day")


def test_find_date_gives_span():
    line = "Ngày đăng: 05/11/2021 | 09:00"
    found = find_date(line)
    assert line[found.start:found.end] == "05/11/2021"


@pytest.mark.parametrize(
    ("opening", "year", "expected"),
    [
        ("Sáng ngày 12/3, Ban Dân vận Huyện ủy tổ chức hội nghị giao ban.", 2020, ("2020-03-12", "day")),
        ("Chiều 20-4, Hội Phụ nữ xã ra quân làm sạch đường làng.", 2019, ("2019-04-20", "day")),
        ("Ngày 5/11/2021, UBND phường đối thoại với nhân dân.", None, ("2021-11-05", "day")),
        ("Ngày 5/11/2021, UBND phường đối thoại với nhân dân.", 2015, ("2021-11-05", "day")),
        ("Tối 1.9, đoàn viên thanh niên thắp nến tri ân.", 2023, ("2023-09-01", "day")),
        ("Trong hai ngày 28/12 và 3/1/2022, Ban Dân vận tổ chức kiểm tra.", None, ("2021-12-28", "day")),
        ("Từ ngày 10 đến 12/5/2022, các chi hội tổ chức ra quân.", None, ("2022-05-10", "day")),
        ("Trong các ngày 3-4/6, đoàn công tác làm việc tại cơ sở.", 2020, ("2020-06-03", "day")),
        ("Sáng ngày 4 tháng 6 năm 2020, Hội Nông dân huyện khai mạc hội thi.", None, ("2020-06-04", "day")),
        ("Sáng 8/2, hội nghị diễn ra tại hội trường; năm 2024 là năm bản lề.", None, ("2024-02-08", "day")),
        ("Tháng 11/2021, Khối dân vận phường ra mắt mô hình mới.", None, ("2021-11", "month")),
        ("Sáng 12/3, hội nghị diễn ra tại trụ sở Huyện ủy.", None, None),   # no year anywhere
        ("Hội nghị đã thống nhất 3/4 số nội dung.", 2020, None),          # a fraction
        ("Các xã phải hoàn thành trước ngày 31/12/2023.", None, None),    # a deadline
        # the month as a word, with its year
        ("Sáng 19 tháng Năm năm 2021, Ban Dân vận Huyện ủy tổ chức hội nghị.", None, ("2021-05-19", "day")),
        ("Ngày 8 tháng Mười Một năm 2020, UBND xã tổ chức họp dân.", 2019, ("2020-11-08", "day")),
        ("Ngày 12 tháng năm 2021 chưa có kết quả.", None, None),           # "tháng năm": time, not May
        # lunar dates are not the calendar's: the festival's day is skipped, the meeting's read
        ("Mùng 6 tháng Ba năm 2020, lễ hội đền làng diễn ra.", None, None),
        ("Chiều 3 tháng Chạp năm 2020, dân làng dọn đình.", None, None),
        ("Ngày 10/3 âm lịch, lễ hội diễn ra; sáng 2/4/2020, xã họp dân.", None, ("2020-04-02", "day")),
        ("Ngày 10/3 (Âm lịch) năm 2020, lễ hội diễn ra.", None, None),
    ],
)
def test_event_dates(opening, year, expected):
    assert find_event_date(opening, year) == expected


def test_event_day_with_an_impossible_date_is_skipped():
    assert find_event_date("Sáng 30/2, hội nghị diễn ra; chiều 1/3, đoàn về cơ sở.", 2021) == ("2021-03-01", "day")


# Hard negatives: the date of a cited document is never the date of the page.
CITED = [
    ("Thực hiện Quyết định số 290-QĐ/TW ngày 25/02/2010 của Bộ Chính trị", "25/02/2010"),
    ("Thực hiện Quyết định số 290-QĐ/TW, ngày 25/02/2010 của Bộ Chính trị", "25/02/2010"),
    ("Căn cứ Kế hoạch số 12-KH/HU ngày 5/11/2010 của Ban Thường vụ Huyện ủy", "5/11/2010"),
    ("Triển khai Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị", "15/5/2016"),
    ("Quán triệt Chỉ thị 05 của Bộ Chính trị ngày 15/5/2016", "15/5/2016"),
    ("Theo Nghị quyết số 25-NQ/TW ngày 3/6/2013 về công tác dân vận", "3/6/2013"),
    ("Thực hiện Luật Thực hiện dân chủ ở cơ sở ngày 10/11/2022", "10/11/2022"),
    ("theo Công văn số 123/UBND-NV ngày 7/4/2021 của UBND huyện", "7/4/2021"),
    ("thực hiện Thông báo kết luận số 45-TB/HU ngày 2/3/2019", "2/3/2019"),
    ("thực hiện Hướng dẫn số 16-HD/BDVTW ngày 18/3/2021 của Ban Dân vận Trung ương", "18/3/2021"),
    ("theo Kết luận số 120-KL/TW, ngày 7/1/2016", "7/1/2016"),
]


@pytest.mark.parametrize(("text", "date"), CITED)
def test_cited_document_dates_are_recognized(text, date):
    assert is_cited_document_date(text, text.index(date))


@pytest.mark.parametrize(("text", "date"), CITED)
def test_cited_document_date_never_becomes_the_event_date(text, date):
    assert find_event_date(text + ", các chi bộ đã học tập nghiêm túc.", 2021) is None


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Thực hiện Kế hoạch của Huyện ủy, ngày 12/3/2021 Ban Dân vận tổ chức hội nghị", "12/3/2021"),
        ("Sáng ngày 12/3/2021, Ban Dân vận tổ chức hội nghị", "12/3/2021"),
        ("Huyện ủy tổ chức hội nghị quán triệt Chỉ thị 05 vào ngày 20/3/2021", "20/3/2021"),
    ],
)
def test_event_dates_are_not_cited(text, date):
    assert not is_cited_document_date(text, text.index(date))


def test_event_date_after_a_cited_document():
    opening = ("Thực hiện Quyết định số 290-QĐ/TW ngày 25/02/2010 của Bộ Chính trị và Kế hoạch số 12-KH/HU "
               "ngày 5/11/2010 của Huyện ủy, chiều 20-4, Ban Dân vận Huyện ủy tổ chức hội nghị.")
    assert find_event_date(opening, 2011) == ("2011-04-20", "day")


def test_years_skip_codes_and_cited_documents():
    text = "Pháp lệnh 34/2007/PL-UBTVQH11 và Luật Thực hiện dân chủ ở cơ sở năm 2022; kết quả năm 2023 rất tốt."
    assert find_years(text) == [2023]
    assert find_year("Hội nghị tổng kết công tác dân vận năm 2019") == 2019
    assert find_year("Hội nghị năm 1975") is None
    assert find_year("Không có năm") is None


# --------------------------------------------------------------------------
# The genre's year logic: reviews, plans, periods, Tết, quoted slogans
# --------------------------------------------------------------------------

REVIEW_JAN = "Sáng 8/1, Ban Dân vận Huyện ủy tổ chức hội nghị tổng kết công tác dân vận năm 2019, triển khai nhiệm vụ năm 2020."
REVIEW_DEC = REVIEW_JAN.replace("Sáng 8/1", "Chiều 15/12")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (REVIEW_JAN, [(2019, "review"), (2020, "plan")]),
        ("Hội nghị đánh giá kết quả thực hiện nhiệm vụ năm 2021", [(2021, "review")]),
        ("Hội nghị triển khai phương hướng, nhiệm vụ năm 2022", [(2022, "plan")]),
        ("Hội nghị giao ban công tác dân vận năm 2018", [(2018, "other")]),  # a routine meeting: any time of the year
        ("Sơ kết 6 tháng đầu năm 2021, triển khai nhiệm vụ 6 tháng cuối năm 2021", [(2021, "period"), (2021, "period")]),
        ("Giao ban khối dân vận quý IV năm 2020", [(2020, "quarter")]),
        ("Thăm, chúc Tết Nguyên đán Canh Tý 2020", [(2020, "tet")]),
        ("Tặng quà nhân dịp Xuân Nhâm Dần năm 2022", [(2022, "tet")]),
        ("Tổng kết năm học 2020-2021", [(2021, "school-year")]),
        ("Đại hội Hội Nông dân xã lần thứ VIII, nhiệm kỳ 2023-2028", [(2023, "congress")]),
        ("Tổng kết phong trào giai đoạn 2016 - 2020", [(2020, "review")]),
        ("Năm 2019, khối dân vận vận động nhân dân hiến đất", [(2019, "other")]),
        ("Hội thi tìm hiểu pháp luật 2019", [(2019, "bare")]),
        # a clause ends at a comma: the review word of another clause does not reach the year
        ("Theo đánh giá của Huyện ủy, phong trào là điểm sáng của năm 2021", [(2021, "other")]),
        # targets and birth years say nothing of when the page is written
        ("Phấn đấu đến năm 2025 có 100% xã đạt chuẩn nông thôn mới", []),
        ("tầm nhìn đến năm 2030", []),
        ("Ông Nguyễn Văn Lộc (sinh năm 1960) hiến 500 mét vuông đất", []),
        ("anh N.V.Đ (SN 1993, trú thôn Đông)", []),
        ("Tuyển sinh 2017: những điều cần biết", [(2017, "bare")]),
        ("Ra quân đánh bắt hải sản đầu năm Đinh Dậu 2017", [(2017, "tet")]),
        # hard negatives: quoted slogans, cited documents, codes, ranges without a role
        ("Hưởng ứng chủ đề “Năm 2019 - Năm dân vận khéo” của Tỉnh ủy", []),
        ('Hưởng ứng chủ đề "Năm 2019 - Năm dân vận khéo" của Tỉnh ủy', []),
        ("Thực hiện Luật Thực hiện dân chủ ở cơ sở năm 2022", []),
        ("theo Quyết định số 217-QĐ/TW ngày 12/12/2013", []),
        ("Pháp lệnh 34/2007/PL-UBTVQH11", []),
        ("Bí thư Huyện ủy nhiệm kỳ 2015-2020", []),
    ],
)
def test_year_evidence_roles(text, expected):
    assert [(e.year, e.role) for e in find_year_evidence(text)] == expected


def test_year_evidence_windows_hold_the_meetings():
    review, plan = find_year_evidence(REVIEW_JAN)
    assert (str(review.start), str(review.end)) == ("2019-10-01", "2020-04-30")
    assert (str(plan.start), str(plan.end)) == ("2019-10-01", "2020-06-30")
    (quarter,) = find_year_evidence("giao ban quý I năm 2021")
    assert (str(quarter.start), str(quarter.end)) == ("2020-12-01", "2021-04-30")


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("tổng kết công tác năm 2019", 2020),                       # October 2019 to April 2020: mostly 2020
        ("tổng kết năm 2019, triển khai nhiệm vụ năm 2020", 2020),
        ("sơ kết 6 tháng đầu năm 2021", 2021),
        ("triển khai nhiệm vụ năm 2023", 2023),
        ("giao ban quý III năm 2017", 2017),
        ("Năm 2019, khối dân vận đạt nhiều kết quả", None),          # no role: not evidence of the writing date
        ("", None),
    ],
)
def test_evidence_year(text, year):
    assert evidence_year(find_year_evidence(text)) == year


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://dv.example.vn/tin-tuc/2020/01/08/hoi-nghi.html", ("2020-01-08", "day")),
        ("https://dv.example.vn/tin-tuc/2020-01-08/hoi-nghi.html", ("2020-01-08", "day")),
        ("https://dv.example.vn/hoi-nghi-tong-ket-20200108.html", ("2020-01-08", "day")),
        ("https://dv.example.vn/hoi-nghi-tong-ket-20200108093015123.htm", ("2020-01-08", "day")),
        ("https://dv.example.vn/hoi-nghi-tong-ket-8-1-2020.html", ("2020-01-08", "day")),
        ("https://dv.example.vn/news/2019_12_15_tong_ket", ("2019-12-15", "day")),
        ("https://dv.example.vn/uploads/2019/12/", ("2019-12", "month")),
        ("https://dv.example.vn/tin-tuc/2021/hoi-nghi.html", ("2021", "year")),
        ("https://dv.example.vn/tin-tuc/12345678.html", None),         # an id, not a date
        ("https://dv.example.vn/tin-tuc/20191345.html", None),         # month 13
        ("https://dv.example.vn/tin-tuc/2021345678901.html", None),
        ("https://dv2020.example.vn/tin/hoi-nghi.html", None),          # the host is not searched
        ("https://dv.example.vn/tin/hoi-nghi-tong-ket-5-nam-2016-2020.html", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_url_date(url, expected):
    assert parse_url_date(url) == expected


TITLE_REVIEW = "Hội nghị tổng kết công tác dân vận năm 2019"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # January meeting reviewing 2019 (title says 2019): January 2020.
        (dict(title=TITLE_REVIEW, opening=REVIEW_JAN), ("2020-01-08", "day", "event+review-year")),
        # December meeting that already plans 2020: December 2019.
        (dict(title=TITLE_REVIEW, opening=REVIEW_DEC), ("2019-12-15", "day", "event+review-year")),
        # Only the plan is named.
        (dict(opening="Sáng 6/1, Hội Nông dân huyện triển khai nhiệm vụ năm 2021."), ("2021-01-06", "day", "event+review-year")),
        (dict(opening="Chiều 28/12, Hội Nông dân huyện triển khai nhiệm vụ năm 2021."), ("2020-12-28", "day", "event+review-year")),
        # Reviews held in February and March, after Tết.
        (dict(opening="Sáng 25/2, thôn Đông tổng kết công tác năm 2022."), ("2023-02-25", "day", "event+review-year")),
        # Half-year, quarter, Tết, school year, congress.
        (dict(opening="Sáng 12/7, Ban Dân vận sơ kết công tác 6 tháng đầu năm 2021."), ("2021-07-12", "day", "event+review-year")),
        (dict(opening="Sáng 6/1, Khối dân vận giao ban quý IV năm 2020."), ("2021-01-06", "day", "event+review-year")),
        (dict(opening="Chiều 28/12, lãnh đạo huyện thăm, tặng quà Tết Nguyên đán Canh Tý 2020."), ("2019-12-28", "day", "event+review-year")),
        (dict(opening="Sáng 20/1, lãnh đạo huyện thăm, chúc Tết Nguyên đán Canh Tý 2020."), ("2020-01-20", "day", "event+review-year")),
        (dict(opening="Sáng 28/5, nhà trường tổng kết năm học 2020-2021."), ("2021-05-28", "day", "event+review-year")),
        (dict(opening="Sáng 5/9, các trường khai giảng năm học 2020 - 2021."), ("2020-09-05", "day", "event+review-year")),
        (dict(opening="Sáng 12/5, Đại hội Hội Cựu chiến binh xã lần thứ VII, nhiệm kỳ 2022-2027."), ("2022-05-12", "day", "event+review-year")),
        # A year written with the date, or later in the sentence, beats every inference.
        (dict(title=TITLE_REVIEW, opening="Ngày 8/1/2019, Huyện ủy tổng kết công tác năm 2019."), ("2019-01-08", "day", "event")),
        (dict(opening="Trong hai ngày 30/12 và 2/1/2020, các xã tổng kết năm 2019."), ("2019-12-30", "day", "event")),
        # The header date always wins.
        (dict(header=("2020-01-09", "day"), title=TITLE_REVIEW, opening=REVIEW_JAN), ("2020-01-09", "day", "header")),
        (dict(header=("2022-11-15", "day"), header_source="header-english", opening=REVIEW_JAN),
         ("2022-11-15", "day", "header-english")),
        # Markup, then the address.
        (dict(markup=("2020-01-10", "day"), url="https://x.example.vn/2020/01/11/a.html", opening=REVIEW_JAN),
         ("2020-01-10", "day", "markup")),
        (dict(url="https://x.example.vn/tin/2020/01/11/a.html", opening=REVIEW_JAN), ("2020-01-11", "day", "url")),
        # A month or year from the address or header dates a day/month event.
        (dict(url="https://x.example.vn/tin/2020/01/", opening="Chiều 30/12, Hội Nông dân huyện gặp mặt hội viên."),
         ("2019-12-30", "day", "event+url-year")),
        (dict(header=("2021-03", "month"), opening="Sáng 5/3, Hội Phụ nữ xã ra quân."), ("2021-03-05", "day", "event+header-year")),
        (dict(url="https://x.example.vn/2020/tin.html", opening=REVIEW_DEC), ("2019-12-15", "day", "event+url-year")),
        # Year from the title, the opening, the banner, in that order.
        (dict(title="Giao ban dân vận khối xã năm 2018", opening="Sáng 12/3, Ban Dân vận giao ban.", banner_year=2019),
         ("2018-03-12", "day", "event+title-year")),
        (dict(title="Giao ban dân vận", opening="Sáng 12/3, Ban Dân vận giao ban; năm 2017 là năm bản lề.", banner_year=2019),
         ("2017-03-12", "day", "event+text-year")),
        (dict(title="Giao ban dân vận", opening="Sáng 12/3, Ban Dân vận giao ban.", banner_year=2019),
         ("2019-03-12", "day", "event+banner-year")),
        # A quoted slogan's year is never the page's year; a cited document's date never its date.
        (dict(title="Hội Nông dân xã hưởng ứng chủ đề năm", opening="Sáng 10/3, Hội Nông dân xã hưởng ứng chủ đề “Năm 2019 - Năm dân vận khéo”."),
         None),
        (dict(opening="Sáng 10/3, Hội Nông dân xã hưởng ứng chủ đề “Năm 2019 - Năm dân vận khéo”.", banner_year=2021),
         ("2021-03-10", "day", "event+banner-year")),
        (dict(opening="Thực hiện Quyết định số 290-QĐ/TW ngày 25/02/2010, sáng 5/4, các chi bộ học tập.", banner_year=2012),
         ("2012-04-05", "day", "event+banner-year")),
        (dict(opening="Thực hiện Kế hoạch số 12-KH/HU ngày 5/11/2010 của Huyện ủy, các chi bộ học tập chuyên đề."), None),
        # No event day: month, partial header/address, then year only.
        (dict(opening="Tháng 11/2021, Ban Dân vận ra mắt mô hình."), ("2021-11", "month", "event")),
        (dict(url="https://x.example.vn/2020/05/", opening="Các chi bộ học tập chuyên đề."), ("2020-05", "month", "url")),
        (dict(title=TITLE_REVIEW, opening="Vừa qua, Ban Dân vận Huyện ủy tổ chức hội nghị tổng kết."), ("2020", "year", "review-year")),
        (dict(title="Gương sáng dân vận khéo năm 2018", opening="Ông Lộc hiến đất làm đường."), ("2018", "year", "title-year")),
        (dict(title="Gương sáng dân vận khéo", opening="Ông Lộc hiến đất làm đường.", banner_year=2019), ("2019", "year", "banner-year")),
        (dict(title="Gương sáng dân vận khéo", opening="Ông Lộc hiến đất làm đường năm 2017."), None),
        # birth years and targets of the opening give no year
        (dict(title="Gương sáng dân vận khéo", opening="Sáng 12/3, ông Lộc (sinh năm 1960) được tuyên dương."), None),
        (dict(title="Gương sáng dân vận khéo", opening="Sáng 12/3, ông Lộc (SN 1960) được tuyên dương."), None),
        (dict(title="Gương sáng dân vận khéo", opening="Sáng 12/3, xã phấn đấu đến năm 2025 đạt chuẩn."), None),
        (dict(title="Hội thi tìm hiểu pháp luật 2019", opening="Sáng 12/3, Hội Nông dân xã tổ chức hội thi."),
         ("2019-03-12", "day", "event+title-year")),
        (dict(), None),
    ],
)
def test_infer_date(kwargs, expected):
    found = infer_date(**kwargs)
    assert (tuple(found) if found else None) == expected
    if found:
        assert found.source in DATE_SOURCES


def test_header_of_month_precision_keeps_its_source_when_nothing_better():
    assert tuple(infer_date(header=("2021-03", "month"), opening="Các chi bộ học tập.")) == ("2021-03", "month", "header")


def test_find_event_date_uses_the_reviewed_year():
    assert find_event_date(REVIEW_JAN, 2019) == ("2020-01-08", "day")
    assert find_event_date(REVIEW_DEC, 2019) == ("2019-12-15", "day")


@pytest.mark.parametrize(
    ("text", "title", "date"),
    [
        # walk 11, p15: the unread date line became the headline, and its year the page's "title-year"
        ("Trang chủ\nYên Phong: Người dân đồng thuận bàn giao mặt bằng\nBởi\nadmin\n-\n08 Tháng Tư, 2019\n356\n"
         "Dự án mở rộng Khu công nghiệp Yên Phong II có diện tích hơn 200 ha, thuộc địa bàn các xã Yên Trung, "
         "Thụy Hòa, Đông Phong. Đây là dự án lớn.\nNguyễn Hằng",
         "Yên Phong: Người dân đồng thuận bàn giao mặt bằng", "2019-04-08"),
        # walk 11, p05: the US-culture date line became the headline
        ("Trang chủ\nBan Dân vận Thành ủy thăm, chúc mừng các giáo xứ\nCập nhật ngày: 11/25/2019 2:30:00 PM\n"
         "Chiều 25/11, đoàn công tác Ban Dân vận Thành ủy đã đến thăm, chúc mừng các giáo xứ trên địa bàn "
         "thành phố nhân dịp Lễ Giáng sinh.\nTuấn Anh",
         "Ban Dân vận Thành ủy thăm, chúc mừng các giáo xứ", "2019-11-25"),
    ],
)
def test_other_locale_date_lines_are_header_dates_of_a_page(text, title, date):
    from toolkit.ingest.pages import parse_page

    fields = parse_page(text)
    assert (fields.title, fields.date, fields.date_source) == (title, date, "header")


# --------------------------------------------------------------------------
# Years of a headline: counts, targets and events are not the page's year
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a number that counts something
        ("Huy động 2000 người dân ra quân dọn vệ sinh môi trường", []),
        ("Hơn 2000 đoàn viên thanh niên tham gia chiến dịch tình nguyện hè", []),
        ("Xã Minh Trí trồng mới 2020 cây xanh dọc các tuyến đường", []),
        ("Huyện giải ngân 2021 tỷ đồng vốn đầu tư công", []),
        ("Nhân dân hiến 2018 m2 đất mở rộng đường giao thông nông thôn", []),
        ("Trao 2019 suất quà cho hộ nghèo dịp Tết", []),
        ("Gần 2000 ha lúa vụ Đông Xuân bị ngập úng", []),
        ("Ghi nhận thêm 2017 ca mắc sốt xuất huyết", []),
        # ... but a year followed by what it is about stays a year
        ("Liên hoan văn nghệ 2019 ca ngợi quê hương", [(2019, "bare")]),
        ("Hội thi dân vận khéo 2021: 12 mô hình được khen thưởng", [(2021, "bare")]),
        ("Trong năm 2016 người dân đã hiến hơn 5 ha đất", [(2016, "other")]),
        # a target, with or without "năm"
        ("Công bố quy hoạch vùng sản xuất lúa chất lượng cao đến 2030", []),
        ("Phấn đấu tới 2025 toàn huyện đạt chuẩn nông thôn mới", []),
        ("Người dân nên chờ đến 2018 để làm thủ tục", []),
        ("Từ 2012 đến nay, xã đã xây dựng 15 km đường bê tông", []),
        ("Khu dân cư mới sẽ hoàn thành trong nửa sau 2017", [(2017, "bare")]),  # "the second half", not "after"
        ("Chiến lược phát triển du lịch cộng đồng 2030", []),
        ("Tầm nhìn Minh Hóa 2035 được cụ thể hóa trong năm 2021", [(2021, "other")]),
        # an event with editions planned years ahead
        ("Vận động viên của huyện hướng về Olympic 2024", []),
        ("Thanh niên xã cổ vũ đội tuyển tại World Cup 2022", []),
        ("Sản phẩm OCOP của tỉnh có mặt tại Expo Dubai 2020", []),
        ("Hai vận động viên của huyện dự SEA Games 2019", []),
    ],
)
def test_year_evidence_skips_counts_targets_and_events(text, expected):
    assert [(e.year, e.role) for e in find_year_evidence(text)] == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Huy động 2000 người dập lửa cháy rừng phòng hộ", None),
        ("Công bố quy hoạch khu du lịch sinh thái hồ Núi Cốc đến 2030", None),
        ("Cổ động viên của huyện chờ Olympic 2024", None),
        # "năm 2019" over a bare number ahead of it
        ("Mô hình Dân vận khéo 2018 được nhân rộng trong năm 2019", ("2019", "year", "title-year")),
        ("Tầm nhìn Việt Nam 2035 trong năm 2017", ("2017", "year", "title-year")),
        ("Hội thi tìm hiểu pháp luật 2019 ở xã Minh Trí", ("2019", "year", "title-year")),
    ],
)
def test_title_year_is_a_year_the_headline_is_written_in(title, expected):
    found = infer_date(title=title, opening="Ông Lộc hiến đất làm đường.")
    assert (tuple(found) if found else None) == expected


def test_a_written_year_of_the_headline_dates_the_opening_over_a_bare_one():
    found = infer_date(title="Mô hình Dân vận khéo 2018 được nhân rộng trong năm 2019",
                       opening="Sáng 12/3, Ban Dân vận Huyện ủy tổ chức hội nghị.")
    assert tuple(found) == ("2019-03-12", "day", "event+title-year")


def test_a_place_after_a_year_is_not_what_it_counts():
    # "Đồng Tháp", "Con Cuông", "Vụ Bản" begin like counted nouns (đồng, con, vụ)
    assert [(e.year, e.role) for e in find_year_evidence("Hội chợ nông sản 2019 Đồng Tháp thu hút khách")] == [
        (2019, "bare")]
    assert [(e.year, e.role) for e in find_year_evidence("Ngày hội văn hóa 2022 Con Cuông")] == [(2022, "bare")]


def test_a_fair_named_after_its_place_keeps_its_year():
    # yearly, unlike the World Expo ("Expo Dubai 2020", tested above)
    assert [(e.year, e.role) for e in find_year_evidence("Vietnam Expo 2021 khai mạc tại Hà Nội")] == [(2021, "bare")]


def test_a_written_year_of_another_sentence_does_not_replace_the_first():
    # a lead used as the title: "năm 1991" is a past event of the second sentence
    title = "Đội bóng của tỉnh thi đấu tại Hội khỏe Phù Đổng 2021. Huấn luyện viên từng đoạt giải vào năm 1991."
    assert tuple(infer_date(title=title, opening="Các em tập luyện hằng ngày.")) == ("2021", "year", "title-year")
