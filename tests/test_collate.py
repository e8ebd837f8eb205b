"""Vietnamese alphabetical order (toolkit.text.collate.vi_sort_key)."""

from __future__ import annotations

import random

from toolkit.text.collate import vi_sort_key

#: 62 of the 63 provinces, as Vietnamese lists print them (Hồ Chí Minh City is left out: lists file it under
#: "Thành phố" or under "H").
PROVINCES = [
    "An Giang", "Bà Rịa – Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre", "Bình Dương",
    "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ", "Đà Nẵng", "Đắk Lắk", "Đắk Nông",
    "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương",
    "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu",
    "Lạng Sơn", "Lào Cai", "Lâm Đồng", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ",
    "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La",
    "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh",
    "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
]


def test_provinces_in_the_order_vietnamese_lists_print_them():
    shuffled = PROVINCES[:]
    random.Random(0).shuffle(shuffled)
    assert sorted(shuffled, key=vi_sort_key) == PROVINCES
    assert sorted(PROVINCES, key=str) != PROVINCES   # code-point order puts "Đà Nẵng" after "Yên Bái"


def test_letters_then_tones_then_the_next_word():
    assert sorted(["mạ", "má", "mà", "ma", "mả", "mã"], key=vi_sort_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert sorted(["Bà Rịa", "Ba Vì", "Ba Đình"], key=vi_sort_key) == ["Ba Đình", "Ba Vì", "Bà Rịa"]
    assert sorted(["Hà Nam", "Hà", "Hàm Yên"], key=vi_sort_key) == ["Hà", "Hà Nam", "Hàm Yên"]
    assert sorted(["ư", "u", "ơ", "ô", "o", "ê", "e", "đ", "d", "â", "ă", "a"], key=vi_sort_key) == \
        ["a", "ă", "â", "d", "đ", "e", "ê", "o", "ô", "ơ", "u", "ư"]


def test_case_and_normalization_do_not_change_the_letters():
    import unicodedata

    assert vi_sort_key("Đà Nẵng")[0] == vi_sort_key("đà nẵng")[0] == \
        vi_sort_key(unicodedata.normalize("NFD", "Đà Nẵng"))[0]
    assert sorted(["b", "B", "a"], key=vi_sort_key) == ["a", "B", "b"]   # ties broken by the text: stable output
    assert sorted([2021, 2019, "2020"], key=vi_sort_key) == [2019, "2020", 2021]   # any value, as str
    assert sorted(["(unknown)", "An Giang", "3 tháng"], key=vi_sort_key)[-1] == "An Giang"
