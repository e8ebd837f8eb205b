"""The simulated demo corpus: determinism, layout, planted truth, phrase bank purity."""

from __future__ import annotations

import hashlib
import html
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


# --------------------------------------------------------------------------- hard cases

def _lines(page):
    return page.text.split("\n")


def _with(sim, case):
    return [p for p in sim.pages if case in p.cases]


def test_every_hard_case_is_planted_in_a_realistic_share(sim1000):
    docs = sim1000.documents
    has = {case: docs["case"].str.split(";").apply(lambda cs, c=case: c in cs) for case in CASES}
    minimum = {"mixed_encoding": 12, "legacy_encoding": 12, "no_header_date": 50, "year_end_review": 12,
               "english_labels": 40, "category_above_title": 80, "banner_year": 50, "banner_only_year": 6,
               "same_name_district": 80}
    for case in CASES:
        assert has[case].sum() >= minimum[case], case
        assert has[case].mean() < 0.25, case
    assert set(docs["case"].str.split(";").explode()) - {""} <= set(CASES)
    # the truth's case column is what each page object says
    assert list(docs["case"]) == [";".join(p.cases) for p in sim1000.pages]


def test_titles_in_the_truth_are_the_headlines_on_the_page(sim1000):
    for page in sim1000.pages:
        if page.template == "portal_b":
            assert page.title == "", page.path  # this layout shows no headline
        elif page.format == "html":
            assert f'<h1 class="title">{html.escape(page.title)}</h1>' in page.text, page.path
        else:
            assert page.title and page.title in _lines(page), page.path


def test_mixed_encoding_pages_keep_a_unicode_template_around_a_legacy_body(sim1000):
    mixed = _with(sim1000, "mixed_encoding")
    assert {p.encoding for p in mixed} == {"tcvn3-in-unicode", "vni-in-unicode"}
    for page in mixed:
        raw = page.data.decode("utf-8")   # valid UTF-8: the CMS saved it
        font = page.encoding.removesuffix("-in-unicode")
        if page.title:
            assert page.title in raw, page.path
        # the opening paragraph ("Sáng 8/1, …") is pasted: only its legacy form is on the page
        opening = re.search(r"^(?:<p>| )?((?:Sáng|Chiều|Ngày) [^\n<:]+,[^\n<]+)", page.text, re.MULTILINE)[1]
        assert opening not in raw, page.path
        assert legacy_in_unicode(opening, font) in raw, page.path
        assert "legacy_encoding" not in page.cases


def test_year_end_reviews_name_the_reviewed_year_and_have_no_header_date(sim1000):
    reviews = _with(sim1000, "year_end_review")
    months = set()
    for page in reviews:
        y, m, d = (int(x) for x in page.date.split("-"))
        assert page.template == "portal_g" and not page.header_date
        assert (m == 1 and d <= 20) or (m == 12 and d >= 20), page.date
        months.add(m)
        reviewed, planned = (y - 1, y) if m == 1 else (y, y + 1)
        text = page.text
        assert re.search(rf"\b0?{d}/0?{m}(?![/\d])", text), page.path       # the day, without the year
        assert not re.search(rf"\b0?{d}/0?{m}/\d{{4}}", text), page.path
        assert "tổng kết" in text and f"năm {reviewed}" in text and f"năm {planned}" in text, page.path
        assert str(reviewed) in page.title or str(planned) in page.title, page.title
        assert page.year == y and str(y) in text
    assert 1 in months   # the January reviews of last year are there (December ones are the hard negative)


def test_english_label_pages_give_the_posted_date(sim1000):
    labels = ("Posted:", "Date:", "Updated:", "Views:", "View count:", "Hits:")
    seen = set()
    for page in _with(sim1000, "english_labels"):
        lines = _lines(page)
        i = lines.index(page.title)
        header = lines[i + 1:i + 3]
        seen.update(label for label in labels if any(label in line for line in header))
        y, m, d = (int(x) for x in page.date.split("-"))
        first = re.search(r"(\d\d)/(\d\d)/(\d{4})", " ".join(header))
        assert first and (int(first[1]), int(first[2]), int(first[3])) == (d, m, y), page.path
    assert seen == set(labels)


def test_category_lines_sit_directly_above_the_headline(sim1000, bank):
    crumbs = set(bank["chrome"]["crumbs"])
    for page in _with(sim1000, "category_above_title"):
        lines = _lines(page)
        i = lines.index(page.title)
        above = lines[i - 1]
        assert above in crumbs or above.startswith(("Trang chủ > Tin tức > ", "Trang chủ » Tin tức » ")), page.path
    others = [p for p in sim1000.pages if "category_above_title" not in p.cases and p.template in ("portal_a", "portal_g")]
    assert others and all(_lines(p)[_lines(p).index(p.title) - 1] == "" for p in others)


def test_banners_carry_the_page_year_and_sometimes_only_they_do(sim1000):
    banners = _with(sim1000, "banner_year")
    for page in banners:
        first = _lines(page)[0] if page.format == "txt" else re.search(r'<div class="slogan">(.*?)</div>', page.text)[1]
        assert re.search(rf"\b{page.year}\b", first), page.path
        assert str(page.year + 1) not in first and str(page.year - 1) not in first
    only = _with(sim1000, "banner_only_year")
    assert only and all("banner_year" in p.cases for p in only)
    for page in only:
        lines = _lines(page)
        assert not page.header_date, page.path
        assert str(page.year) in lines[0], page.path
        assert not any(re.search(r"\b(19|20)\d\d\b", line) for line in lines[1:]), page.path


def test_same_named_districts_are_told_apart_by_province_only(sim1000):
    pairs = same_name_districts()
    assert pairs == {("Bến Tre", "Huyện Châu Thành"), ("Tiền Giang", "Huyện Châu Thành")}
    wards = {(loc.province, loc.district): {w.split(" ", 1)[1] for w in loc.wards} for loc in localities()}
    pages_of = {pair: [p for p in sim1000.pages if (p.province, p.district) == pair] for pair in pairs}
    for pair, found in pages_of.items():
        assert len(found) >= 30, pair
        other = next(p for p in pairs if p != pair)
        for page in found:
            assert "same_name_district" in page.cases
            assert page.path.startswith(f"pages/{'ben-tre' if pair[0] == 'Bến Tre' else 'tien-giang'}/chau-thanh/")
            named = set(re.findall(r"(?:xã|thị trấn) ([A-ZĐ]\w*(?: [A-ZĐ]\w*)*)", page.text))
            # wards named on the page are the true district's (the two share no ward name)
            assert not (named & (wards[other] - wards[pair])), (page.path, named & wards[other])
    assert all("same_name_district" not in p.cases for p in sim1000.pages if (p.province, p.district) not in pairs)


def test_truth_rows_and_pages_are_deterministic():
    a = simulate_corpus(200, random_state=11)
    b = simulate_corpus(200, random_state=11)
    pd.testing.assert_frame_equal(a.documents, b.documents)
    assert [p.data for p in a.pages] == [p.data for p in b.pages]


# --------------------------------------------------------------------------- ingest accuracy

def _truth(**columns):
    n = len(next(iter(columns.values())))
    base = {"path": [f"pages/ben-tre/chau-thanh/2020/p{i:06d}.txt" for i in range(1, n + 1)],
            "date": ["2020-01-08"] * n, "year": ["2020"] * n, "title": ["Hội nghị tổng kết năm 2019"] * n,
            "province": ["Bến Tre"] * n, "district": ["Huyện Châu Thành"] * n, "case": [""] * n}
    base.update(columns)
    return pd.DataFrame(base)


def _docs(truth, **columns):
    base = {"source": ["demo/" + p for p in truth["path"]], "date": list(truth["date"]),
            "year": pd.array([int(y) for y in truth["year"]], dtype="Int64"), "title": list(truth["title"]),
            "province": list(truth["province"]), "district": list(truth["district"])}
    base.update(columns)
    return pd.DataFrame(base)


def _row(table, field, case="all"):
    return table[(table["case"] == case) & (table["field"] == field)].iloc[0]


def test_ingest_accuracy_one_wrong_date_in_two():
    truth = _truth(date=["2020-01-08", "2020-01-09"])
    table = ingest_accuracy(_docs(truth, date=["2020-01-08", "2019-01-09"]), truth)
    assert list(table.columns) == ["case", "field", "n", "correct", "accuracy", "ci_low", "ci_high"]
    assert list(table["field"]) == ["date", "year", "title", "province", "district"]
    row = _row(table, "date")
    assert (row["n"], row["correct"], row["accuracy"]) == (2, 1, 0.5)
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(1, 2, alpha=0.05, method="wilson")
    assert row["ci_low"] == pytest.approx(low) and row["ci_high"] == pytest.approx(high)
    assert _row(table, "year")["accuracy"] == 1.0 and _row(table, "district")["accuracy"] == 1.0


@pytest.mark.parametrize(("correct", "n"), [(0, 5), (3, 7), (50, 50), (912, 1000)])
def test_wilson_interval_matches_statsmodels(correct, n):
    from statsmodels.stats.proportion import proportion_confint

    low, high = wilson_interval(correct, n)
    assert (low, high) == pytest.approx(proportion_confint(correct, n, method="wilson"))
    assert low <= correct / n <= high


def test_wilson_interval_of_nothing_is_nan():
    assert all(x != x for x in wilson_interval(0, 0))


@pytest.mark.parametrize(("true_title", "read_title", "right"), [
    ("Ủy ban MTTQ huyện tổng kết năm 2019", "Uỷ ban MTTQ huyện tổng kết năm 2019", True),   # tone style
    ("Ủy ban MTTQ huyện tổng kết năm 2019", "ủy ban mttq huyện  tổng kết năm 2019.", True),  # case, spaces
    ("Hội nghị tổng kết năm 2019", "Tin hoạt động Hội nghị tổng kết năm 2019", False),       # crumb kept
    ("Hội nghị tổng kết năm 2019", "Héi nghÞ tæng kÕt n¨m 2019", False),                     # not repaired
    ("Hội nghị tổng kết năm 2019", "", False),
])
def test_ingest_accuracy_titles(true_title, read_title, right):
    truth = _truth(title=[true_title])
    table = ingest_accuracy(_docs(truth, title=[read_title]), truth)
    assert _row(table, "title")["correct"] == int(right)


def test_ingest_accuracy_missing_pages_count_wrong_and_headless_pages_are_not_scored_on_title():
    truth = _truth(title=["Hội nghị", "", "Tọa đàm"], year=["2020", "2020", "2021"],
                   date=["2020-01-08", "2020-02-01", "2021-03-05"])
    docs = _docs(truth).iloc[[0, 1]]   # the third page was rejected
    table = ingest_accuracy(docs, truth)
    assert (_row(table, "title")["n"], _row(table, "title")["correct"]) == (2, 1)
    for field in ("date", "year", "province", "district"):
        assert (_row(table, field)["n"], _row(table, field)["correct"]) == (3, 2), field


def test_ingest_accuracy_per_case_and_text_locality():
    truth = _truth(case=["year_end_review", "same_name_district", "year_end_review;same_name_district"],
                   date=["2020-01-08", "2020-05-05", "2020-01-10"], province=["Bến Tre", "Tiền Giang", "Bến Tre"])
    docs = _docs(truth, date=["2019-01-08", "2020-05-05", "2020-01-10"],
                 province_from_text=["Bến Tre", "Bến Tre", "Bến Tre"],
                 district_from_text=["Huyện Châu Thành"] * 3)
    table = ingest_accuracy(docs, truth)
    assert list(dict.fromkeys(table["case"])) == ["all", "year_end_review", "same_name_district"]
    assert set(table["field"]) == {"date", "year", "title", "province", "district", "province_from_text",
                                   "district_from_text"}
    assert _row(table, "date", "year_end_review")[["n", "correct"]].tolist() == [2, 1]
    assert _row(table, "date", "same_name_district")[["n", "correct"]].tolist() == [2, 2]
    assert _row(table, "province_from_text", "same_name_district")[["n", "correct"]].tolist() == [2, 1]
    assert _row(table, "province", "same_name_district")["accuracy"] == 1.0


def test_ingest_accuracy_needs_a_source_column():
    truth = _truth(date=["2020-01-08"])
    with pytest.raises(ValueError, match="source"):
        ingest_accuracy(_docs(truth).drop(columns="source"), truth)


def test_ingest_accuracy_on_a_written_corpus_read_back_as_strings(tmp_path):
    sim = simulate_corpus(100, random_state=8)
    out = write_corpus(sim, tmp_path / "demo")
    truth = pd.read_csv(out / "truth" / "documents.csv", dtype=str, keep_default_na=False)
    # a perfect reader: the truth itself, with sources as the ingest labels them
    docs = pd.DataFrame({"source": [f"{out}/{p}" for p in truth["path"]], "date": truth["date"],
                         "year": truth["year"].astype(int), "title": truth["title"],
                         "province": truth["province"], "district": truth["district"]})
    table = ingest_accuracy(docs, truth)
    assert (table["correct"] == table["n"]).all()
    assert _row(table, "title")["n"] == (truth["template"] != "portal_b").sum()
    docs.loc[0, "district"] = "Huyện Khác"
    assert _row(ingest_accuracy(docs, truth), "district")["correct"] == 99


def test_pipeline_ingest_accuracy_table_scores_every_page_with_locality_from_text(tmp_path):
    from toolkit.ingest.core import ingest_files
    from toolkit.pipeline import StageCache, ingest_accuracy_table

    sim = simulate_corpus(60, random_state=12)
    out = write_corpus(sim, tmp_path / "demo")
    result = ingest_files([out / "pages"], sources=out / "sources.toml", n_jobs=1)
    table = ingest_accuracy_table(result.documents, out / "truth", StageCache(tmp_path / "cache", enabled=False))
    everything = table[table["case"] == "all"].set_index("field")
    assert list(everything.index) == ["date", "year", "title", "province", "district", "province_from_text",
                                      "district_from_text"]
    assert (everything.loc[["date", "year", "province", "district"], "n"] == 60).all()
    assert everything.loc["title", "n"] == sum(p.template != "portal_b" for p in sim.pages)
    # sources.toml places every page: the locality as ingested is right by construction
    assert everything.loc["district", "accuracy"] == 1.0
    assert set(table["case"]) - {"all"} == {c for p in sim.pages for c in p.cases}
    assert ((table["ci_low"] <= table["accuracy"]) & (table["accuracy"] <= table["ci_high"])).all()


def test_ingest_accuracy_reads_empty_cases_from_csv_as_no_case():
    from toolkit.simulate import ingest_accuracy

    truth = pd.DataFrame({"path": ["a.txt", "b.txt"], "date": ["2020-01-08", "2021-03-02"], "year": ["2020", "2021"],
                          "title": ["Hội nghị", "Giao ban"], "province": ["Bến Tre", "Bến Tre"],
                          "district": ["Huyện Châu Thành", "Huyện Châu Thành"], "case": [float("nan"), "banner_year"]})
    docs = pd.DataFrame({"source": ["pages/a.txt", "pages/b.txt"], "date": ["2020-01-08", "2021-03-02"],
                         "year": [2020, 2021], "title": ["Hội nghị", "Giao ban"], "province": ["Bến Tre"] * 2,
                         "district": ["Huyện Châu Thành"] * 2})
    table = ingest_accuracy(docs, truth)
    assert set(table["case"]) == {"all", "banner_year"}


@pytest.mark.slow
def test_ingest_reads_every_hard_case_of_the_demo_right(tmp_path):
    # The regression guard of issue #11: ingest of a simulated corpus against its planted truth,
    # per hard case (legacy bodies in Unicode templates, year-end reviews without header dates,
    # English labels, category lines, banners, same-named districts). The truth is planted by the
    # generator, not tuned to: a wrong date, year, headline or locality shows here.
    from toolkit.ingest.core import ingest
    from toolkit.places import load_sources

    from toolkit.simulate import write_corpus

    folder = tmp_path / "demo"
    write_corpus(simulate_corpus(1200, random_state=11), folder)
    docs = ingest([folder / "pages"], sources=load_sources(folder / "sources.toml"), n_jobs=2)
    truth = pd.read_csv(folder / "truth" / "documents.csv", dtype=str, keep_default_na=False)
    table = ingest_accuracy(docs, truth)
    low = table[(table["n"] >= 10) & (table["accuracy"] < 0.95)]
    assert low.empty, low.to_string()
    cases = set(table["case"])
    assert {"mixed_encoding", "year_end_review", "english_labels", "category_above_title", "banner_only_year",
            "same_name_district"} <= cases
    text = table[table["field"] == "district_from_text"]
    if len(text):  # locality inferred from the text alone (no sources file)
        assert (text.loc[text["case"] == "all", "accuracy"] >= 0.85).all(), text.to_string()
