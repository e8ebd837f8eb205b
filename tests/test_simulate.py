"""The simulated demo corpus: determinism, layout, planted truth, phrase bank purity."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pandas as pd
import pytest
from typer.testing import CliRunner

from toolkit.ingest import encoding, pages
from toolkit.simulate import (
    CASES,
    THEMES,
    YEARS,
    default_phrasebank_path,
    ingest_accuracy,
    legacy_in_unicode,
    load_phrasebank,
    localities,
    planted_shares,
    same_name_districts,
    simulate_corpus,
    strip_year_mark,
    to_old_tone_style,
    wilson_interval,
    write_corpus,
)

# Keywords that mark each theme (written for this test; lower case, new tone style).
KEYWORDS: dict[str, tuple[str, ...]] = {
    "site_clearance": ("giải phóng mặt bằng", "giải phòng mặt bằng", "gpmb", "bồi thường", "tái định cư",
                       "mặt bằng", "thu hồi đất"),
    "religion": ("tôn giáo", "tín ngưỡng", "giáo xứ", "linh mục", "nhà thờ", "chùa", "chức sắc", "phật giáo",
                 "công giáo", "giáng sinh", "phật đản", "đẹp đạo", "tín đồ", "giáo dân", "tăng ni", "giáo hội",
                 "giáo phận", "tu sĩ", "đồng bào có đạo", "vùng có đạo"),
    "democracy_regulations": ("dân chủ", "qcdc", "dân biết, dân bàn", "dân bàn, dân quyết", "dân kiểm tra", "dân giám sát",
                              "dân thụ hưởng"),
    "covid": ("covid", "dịch bệnh", "phòng, chống dịch", "phòng chống dịch", "chống dịch", "phòng dịch",
              "giãn cách", "vắc xin", "vaccine", "cách ly", "5k", "vùng dịch", "dập dịch", "kiểm soát dịch",
              "tiêm chủng"),
    "administrative_reform": ("cải cách hành chính", "một cửa", "dịch vụ công", "thủ tục hành chính", "cchc"),
    "urban_order": ("trật tự đô thị", "giấy phép xây dựng", "lấn chiếm", "vỉa hè", "trật tự xây dựng",
                    "văn minh đô thị"),
    "environment": ("môi trường", "rác", "chủ nhật xanh", "ô nhiễm", "cây xanh"),
    "complaints": ("tiếp công dân", "khiếu nại", "tố cáo", "đối thoại", "đơn thư"),
    "dan_van_kheo": ("dân vận khéo",),
    "security_order": ("an ninh", "tội phạm", "ma túy", "công an", "trật tự an toàn xã hội"),
    "new_rural": ("nông thôn", "hiến đất"),
    "party_building": ("xây dựng đảng", "chỉnh đốn đảng", "hồ chí minh", "tổ chức cơ sở đảng", "đảng viên mới",
                       "kết nạp", "huy hiệu đảng", "tuổi đảng", "suy thoái"),
    "social_welfare": ("an sinh", "hộ nghèo", "cận nghèo", "đại đoàn kết", "hoàn cảnh khó khăn", "người có công",
                       "gia đình chính sách", "vì người nghèo", "giảm nghèo", "thoát nghèo"),
    "elections": ("bầu cử", "cử tri", "ứng cử", "hiệp thương", "đại biểu quốc hội"),
}
_PATTERNS = {theme: re.compile(r"(?<!\w)(?:" + "|".join(re.escape(k) for k in kws) + r")(?!\w)")
             for theme, kws in KEYWORDS.items()}
# old tone style back to new, for matching only
_TONES = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "uỳ": "ùy", "uý": "úy", "uỷ": "ủy",
          "uỹ": "ũy", "uỵ": "ụy", "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe"}


def _canon(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    for old, new in _TONES.items():
        text = re.sub(re.escape(old) + r"(?!\w)", new, text)
    return text


def themes_in(text: str) -> set[str]:
    text = _canon(text)
    return {theme for theme, pattern in _PATTERNS.items() if pattern.search(text)}


@pytest.fixture(scope="module")
def bank():
    return load_phrasebank()


@pytest.fixture(scope="module")
def sim1000():
    return simulate_corpus(1000, random_state=7)


# --------------------------------------------------------------------------- phrase bank

def test_bank_has_every_theme_with_enough_texts(bank):
    assert set(bank["themes"]) == set(THEMES)
    for theme in THEMES:
        section = bank["themes"][theme]
        assert len(set(section["sentences"])) >= 25, theme
        assert len(set(section["titles"])) >= 10, theme
        assert len(section["topics"]) >= 5, theme
    assert len(set(bank["generic"]["sentences"])) >= 40


@pytest.mark.parametrize("theme", THEMES)
def test_theme_texts_carry_their_keywords_and_no_other(bank, theme):
    section = bank["themes"][theme]
    for text in section["sentences"] + section["titles"] + section["topics"]:
        found = themes_in(strip_year_mark(text))
        assert theme in found, f"{theme}: no keyword in {text!r}"
        assert found == {theme}, f"{theme}: keywords of {found - {theme}} in {text!r}"


def test_generic_texts_carry_no_theme_keyword(bank):
    generic = bank["generic"]
    texts = [t for key in ("openings", "attendance", "sentences", "lead_ins", "closings", "captions",
                           "year_end_openings", "year_end_titles")
             for t in generic[key]]
    texts += bank["roles"]["district"] + bank["authors"]["names"] + bank["authors"]["units"]
    texts += [t for values in bank["chrome"].values() for t in values]
    for text in texts:
        assert themes_in(text) == set(), f"theme keyword in generic text {text!r}"


def test_bank_has_both_tone_styles_and_a_few_typos():
    raw = default_phrasebank_path().read_text(encoding="utf-8")
    assert "Ủy" in raw and "Uỷ" in raw
    assert "giải phòng mặt bằng" in raw and "Mặt trân" in raw


def test_wards_and_names_carry_no_keyword():
    for loc in localities():
        assert loc.wards, loc.district
        for ward in loc.wards:
            assert themes_in(ward) == set(), ward


def test_old_tone_style():
    assert to_old_tone_style("Ủy ban hòa giải huyện Giao Thủy, sức khỏe") == "Uỷ ban hoà giải huyện Giao Thuỷ, sức khoẻ"
    assert to_old_tone_style("hoạt động quý báu, thủy lợi") == "hoạt động quý báu, thuỷ lợi"


# --------------------------------------------------------------------------- corpus

def test_same_seed_same_bytes_other_seed_differs():
    a = simulate_corpus(150, random_state=3)
    b = simulate_corpus(150, random_state=3)
    c = simulate_corpus(150, random_state=4)
    assert [(p.path, p.data) for p in a.pages] == [(p.path, p.data) for p in b.pages]
    assert [p.data for p in a.pages] != [p.data for p in c.pages]


def test_counts_and_truth_columns(sim1000):
    docs = sim1000.documents
    assert len(sim1000.pages) == 1000 and len(docs) == 1000
    assert list(docs.columns[:9]) == ["page_id", "path", "province", "district", "year", "date", "themes",
                                      "main_theme", "duplicate_of"]
    assert docs["page_id"].is_unique and docs["path"].is_unique
    assert docs["date"].is_monotonic_increasing
    assert 10 <= (docs["duplicate_of"] != "").sum() <= 30
    assert 50 <= (docs["format"] == "html").sum() <= 160
    assert (docs["encoding"] != "utf-8").sum() >= 10
    assert (docs["header_date"] == False).sum() >= 20  # noqa: E712
    assert 0.6 < docs["names_district"].mean() < 0.8
    for row in docs.itertuples():
        assert row.main_theme in row.themes.split(";")
        assert 1 <= len(row.themes.split(";")) <= 3
        assert row.path.startswith("pages/") and f"/{row.year}/{row.page_id}." in row.path
        assert pd.Timestamp(row.date).year == row.year


def test_every_district_and_year_present(sim1000):
    docs = sim1000.documents
    cells = set(zip(docs["province"], docs["district"], docs["year"]))
    assert cells == {(loc.province, loc.district, year) for loc in localities() for year in YEARS}
    assert len({(loc.province, loc.district) for loc in localities()}) == 13
    # two districts share a name: only the province tells them apart
    assert len({loc.district for loc in localities()}) == 12


def test_reposts_point_to_an_earlier_page_with_the_same_themes(sim1000):
    by_id = {p.page_id: p for p in sim1000.pages}
    reposts = [p for p in sim1000.pages if p.duplicate_of]
    assert reposts
    for page in reposts:
        original = by_id[page.duplicate_of]
        assert original.page_id < page.page_id and original.date <= page.date
        assert original.themes == page.themes and original.year == page.year
        assert original.template != page.template


def test_covid_planted_only_2020_to_2022(sim1000):
    shares = planted_shares()
    covid = shares[shares["theme"] == "covid"]
    assert (covid.loc[~covid["year"].between(2020, 2022), "share"] == 0).all()
    assert (covid.loc[covid["year"].isin([2020, 2021]), "share"] > 0.15).all()
    docs = sim1000.documents
    outside = docs[~docs["year"].between(2020, 2022)]
    assert not outside["themes"].str.contains("covid").any()
    for page in sim1000.pages:
        if not 2020 <= page.year <= 2022:
            assert "covid" not in themes_in(page.text), page.path
    inside = docs[docs["year"].between(2020, 2021)]
    assert inside["themes"].str.contains("covid").mean() > 0.2


def test_page_texts_carry_exactly_their_themes(sim1000):
    for page in sim1000.pages[:300]:
        assert themes_in(page.text) == set(page.themes), page.path


def test_planted_shares_patterns():
    shares = planted_shares()
    assert list(shares.columns) == ["province", "district", "year", "theme", "share"]
    assert len(shares) == 13 * len(YEARS) * len(THEMES)
    assert shares["share"].between(0, 1).all()
    mean = shares.groupby(["province", "theme"])["share"].mean()
    assert mean["Nam Định", "religion"] > 2 * mean["Hà Nội", "religion"]
    by_district = shares.groupby(["district", "theme"])["share"].mean()
    assert by_district["Huyện Đông Anh", "site_clearance"] > 3 * by_district["Quận Hoàn Kiếm", "site_clearance"]
    demo = shares[shares["theme"] == "democracy_regulations"].groupby("year")["share"].mean()
    assert demo[2024] > 1.5 * demo[2022] and demo[2023] > demo[2022]
    # the main-theme and secondary draws sum to the expected number of themes per page
    per_cell = shares.groupby(["province", "district", "year"])["share"].sum()
    assert per_cell.between(1.84, 1.86).all()


def test_religion_share_higher_in_nam_dinh(sim1000):
    docs = sim1000.documents
    has = docs["themes"].str.contains("religion")
    assert has[docs["province"] == "Nam Định"].mean() > 2 * has[docs["province"] == "Hà Nội"].mean()


def test_files_are_valid_in_their_recorded_encoding(sim1000):
    decode = {"utf-8": "utf-8", "utf-8-nfd": "utf-8", "utf-16": "utf-16", "cp1258": "cp1258"}
    labels = {p.encoding for p in sim1000.pages}
    assert len(labels) >= 3
    for page in sim1000.pages:
        if page.encoding in decode:
            text = unicodedata.normalize("NFC", page.data.decode(decode[page.encoding]))
            assert text == page.text, page.path
        elif page.encoding.endswith("-in-unicode"):
            continue  # a pasted legacy body in a Unicode page: test_mixed_encoding_pages
        else:
            decoded = encoding.decode_bytes(page.data)
            assert decoded.encoding == page.encoding, page.path
            # TCVN3 has no capital toned letters (they come back in lower case),
            # and symbols such as © become "?": compare the words
            def words(text):
                return re.sub(r"[^\w\s]", "", text).lower()

            assert words(decoded.text) == words(page.text), page.path
    # whole pages in a legacy encoding are text pages (HTML declares UTF-8); pasted bodies occur in both
    assert all(p.encoding == "utf-8" or p.encoding.endswith("-in-unicode") or p.format == "txt"
               for p in sim1000.pages)


def test_html_pages_have_the_article_in_a_content_div(sim1000):
    html_pages = [p for p in sim1000.pages if p.format == "html"]
    assert html_pages
    for page in html_pages[:20]:
        assert page.text.startswith("<!DOCTYPE html>") and '<div class="content">' in page.text
        assert page.path.endswith(".html")


def test_header_dates_are_written_in_many_formats(sim1000):
    texts = "\n".join(p.text for p in sim1000.pages)
    for pattern in (r"Ngày đăng \d\d/\d\d/\d{4} \| \d\d:\d\d", r"Thứ \w+, \d\d/\d\d/\d{4} - \d\d:\d\d",
                    r"Ngày đăng: \d{1,2}-\d{1,2}-\d{4}", r"Cập nhật lúc \d\d:\d\d ngày \d\d/\d\d/\d{4}",
                    r"Posted: \d\d/\d\d/\d{4}", r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Số lượt xem"):
        assert re.search(pattern, texts), pattern


def test_pages_without_header_date_give_the_date_in_the_opening(sim1000):
    n_full = 0
    for page in sim1000.pages:
        if not page.header_date:
            y, m, d = (int(x) for x in page.date.split("-"))
            if {"year_end_review", "banner_only_year"} & set(page.cases):
                # the day and month only; the year comes from elsewhere (tested below)
                assert re.search(rf"\b0?{d}/0?{m}(?![/\d])", page.text), page.path
            else:
                assert re.search(rf"\b0?{d}/0?{m}/{y}\b", page.text), page.path
                n_full += 1
    assert n_full >= 20


def test_write_corpus_layout_and_readme(tmp_path):
    sim = simulate_corpus(120, random_state=5)
    out = write_corpus(sim, tmp_path / "demo")
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert readme.startswith("SIMULATED") and "random_state=5" in readme and "n_pages=120" in readme
    docs = pd.read_csv(out / "truth" / "documents.csv", dtype=str, keep_default_na=False)
    assert len(docs) == 120
    for row in docs.itertuples():
        assert (out / row.path).read_bytes() == next(p.data for p in sim.pages if p.page_id == row.page_id)
    shares = pd.read_csv(out / "truth" / "theme_shares.csv")
    assert len(shares) == 13 * len(YEARS) * len(THEMES)
    sources = (out / "sources.toml").read_text(encoding="utf-8")
    assert sources.count("[[source]]") == 13
    assert 'match = "pages/ben-tre/chau-thanh/**"' in sources and 'match = "pages/tien-giang/chau-thanh/**"' in sources
    assert 'match = "pages/ha-noi/dong-anh/**"' in sources and 'district = "Huyện Đông Anh"' in sources
    # a smaller corpus written over it removes the stale pages
    write_corpus(simulate_corpus(100, random_state=6), out)
    assert len([p for p in (out / "pages").rglob("*") if p.is_file()]) == 100


def test_write_refuses_a_folder_of_other_pages(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "mine.txt").write_text("trang của tôi", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_corpus(simulate_corpus(100, random_state=1), tmp_path)


def test_written_bytes_are_deterministic(tmp_path):
    def digest(folder):
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    a = write_corpus(simulate_corpus(100, random_state=9), tmp_path / "a")
    b = write_corpus(simulate_corpus(100, random_state=9), tmp_path / "b")
    assert digest(a) == digest(b)


def test_parse_page_finds_the_dates(sim1000):
    # only pages without the hard cases: ingest's handling of those is scored by ingest_accuracy
    checked = 0
    for page in sim1000.pages:
        if page.format != "txt" or page.encoding != "utf-8" or page.template not in ("portal_a", "portal_c",
                                                                                     "portal_e", "portal_g"):
            continue
        if set(page.cases) - {"same_name_district", "no_header_date"}:
            continue
        fields = pages.parse_page(page.text).to_dict()
        assert fields.get("date") == page.date, (page.path, fields.get("date"))
        checked += 1
        if checked >= 12:
            break
    assert checked


def test_cli_writes_the_corpus(tmp_path):
    import toolkit.cli.simulate  # noqa: F401
    from toolkit.cli import app

    result = CliRunner().invoke(app, ["simulate", "-n", "100", "--random-state", "2", "-o", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "README.txt").read_text(encoding="utf-8").startswith("SIMULATED")
    assert len(list((tmp_path / "d" / "pages").rglob("*.*"))) == 100
