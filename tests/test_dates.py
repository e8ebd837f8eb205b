"""Tests of toolkit.ingest.dates: header dates, event dates, cited-document dates, years."""

from __future__ import annotations

import pytest

from toolkit.ingest.dates import (
    find_date,
    find_event_date,
    find_year,
    find_years,
    is_cited_document_date,
    parse_header_date,
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
        "12/13/2021",            # month 13
        "05/11/1985",            # implausible year
        "05/11/2041",
        "Lượt xem: 2021",        # a count, not a year
        "Hội nghị tổng kết năm 2021 của khối dân vận",  # a bare year inside text
        "Mã số 12-2021-3",
    ],
)
def test_header_date_rejects(line):
    assert parse_header_date(line) is None


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
