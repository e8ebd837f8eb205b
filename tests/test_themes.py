"""Tests of toolkit.themes: theme dictionaries, counts, shares with bootstrap CIs, validation, KWIC."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import SEEDS_DIR, needs_seeds
from toolkit.text.normalize import normalize
from toolkit.text.segment import tokenize
from toolkit.themes.dictionary import load_themes, theme_hits, themes_from_mapping, validate_themes
from toolkit.themes.concordance import kwic
from toolkit.themes.shares import theme_shares


@pytest.fixture(scope="module")
def themes():
    return load_themes()


def _tokens(texts: dict[str, str]) -> pd.DataFrame:
    toks = [tokenize(t) for t in texts.values()]
    return pd.DataFrame({"doc_id": list(texts), "tokens": toks, "n_tokens": [len(t) for t in toks]})


def _documents(texts: dict[str, str], **cols) -> pd.DataFrame:
    df = pd.DataFrame({"doc_id": list(texts), "title": "", "body": list(texts.values())})
    for k, v in cols.items():
        df[k] = v
    return df


def _hits_of(texts, themes, theme, *, with_documents=True) -> dict[str, int]:
    docs = _documents(texts) if with_documents else None
    h = theme_hits(_tokens(texts), themes, docs)
    return h[h["theme"] == theme].set_index("doc_id")["hits"].to_dict()


TINY = {
    "themes": {
        "site": {
            "label_en": "Site clearance", "label_vi": "GPMB",
            "terms": ["giải phóng mặt bằng", "mặt bằng", "thu hồi đất"],
            "exclude": [{"term": "mặt bằng", "after": ["giá"], "before": ["thuê"]}],
        },
        "faith": {"label_en": "Religion", "label_vi": "Tôn giáo", "terms": ["tôn giáo", "chùa"]},
    }
}


@pytest.fixture(scope="module")
def tiny():
    return themes_from_mapping(TINY)


# -- counting on hand-made token lists --------------------------------------------


def test_counts_per_1k_and_zero_rows(tiny):
    tokens = pd.DataFrame({
        "doc_id": ["d2", "d1"],
        "tokens": [["chùa", "tôn_giáo", "chùa", "x"], ["giải_phóng_mặt_bằng", "mặt_bằng", "giá", "thu_hồi_đất", "x"]],
    })
    h = theme_hits(tokens, tiny)
    assert list(h.columns) == ["doc_id", "theme", "hits", "n_tokens", "per_1k_tokens", "present"]
    assert h[["doc_id", "theme"]].values.tolist() == [["d1", "faith"], ["d1", "site"], ["d2", "faith"], ["d2", "site"]]
    got = h.set_index(["doc_id", "theme"])
    # d1: giải_phóng_mặt_bằng (1, not also mặt bằng) + thu_hồi_đất (1); "mặt_bằng giá" excluded
    assert got.loc[("d1", "site"), "hits"] == 2
    assert got.loc[("d1", "site"), "per_1k_tokens"] == pytest.approx(1000 * 2 / 5)
    assert got.loc[("d2", "faith"), "hits"] == 3
    assert got.loc[("d2", "faith"), "per_1k_tokens"] == pytest.approx(750.0)
    assert got.loc[("d2", "site"), "hits"] == 0 and not got.loc[("d2", "site"), "present"]
    assert got.loc[("d1", "site"), "present"]


def test_before_context_and_empty_document(tiny):
    tokens = pd.DataFrame({"doc_id": ["a", "b"], "tokens": [["thuê", "mặt_bằng"], []], "n_tokens": [2, 0]})
    h = theme_hits(tokens, tiny).set_index(["doc_id", "theme"])
    assert h.loc[("a", "site"), "hits"] == 0
    assert h.loc[("b", "site"), "hits"] == 0 and np.isnan(h.loc[("b", "site"), "per_1k_tokens"])


def test_terms_match_inside_lexicon_terms_but_not_inside_ordinary_words():
    th = themes_from_mapping({"themes": {"t": {"label_en": "", "label_vi": "", "terms": ["dịch", "quy chế dân chủ"]}}})
    # thực_hiện_quy_chế_dân_chủ_ở_cơ_sở is a terms.txt entry: sub-phrases match inside it
    assert th.count_terms(["thực_hiện_quy_chế_dân_chủ_ở_cơ_sở"]).total() == 1
    # dịch_vụ, phiên_dịch_viên are ordinary words of the segmenter
    assert th.count_terms(["dịch_vụ", "phiên_dịch_viên", "dịch"]).total() == 1


def test_stopwords_in_a_term_do_not_prevent_matching():
    # "ở", "tại" are stopwords: dropped from documents, so dropped from terms too
    th = themes_from_mapping({"themes": {"t": {"label_en": "", "label_vi": "",
                                              "terms": ["an ninh trật tự ở khu dân cư", "quy chế dân chủ ở cơ sở"]}}})
    texts = {"a": "Giữ vững an ninh trật tự tại khu dân cư.", "b": "Thực hiện quy chế dân chủ ở cơ sở."}
    assert _hits_of(texts, th, "t") == {"a": 1, "b": 1}


def test_only_stopword_term_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="toolkit.themes"):
        th = themes_from_mapping({"themes": {"t": {"label_en": "", "label_vi": "", "terms": ["và", "chùa"]}}})
    assert "can never match" in caplog.text
    assert th.count_terms(["và", "chùa"]).total() == 1


def test_a_long_term_reduced_to_a_broad_word_by_its_stopwords_warns(caplog):
    # "thực hiện", "ở", "xã", "phường", "thị trấn" are stopwords of the genre: the term would count every "dân chủ"
    spec = {"label_en": "", "label_vi": "", "terms": ["thực hiện dân chủ ở xã, phường, thị trấn",
                                                      "Ban Thanh tra nhân dân"]}
    with caplog.at_level(logging.WARNING, logger="toolkit.themes"):
        themes_from_mapping({"themes": {"t": spec}})
    assert "'thực hiện dân chủ ở xã, phường, thị trấn' matches as 'dân chủ' alone" in caplog.text
    assert "Thanh tra" not in caplog.text


def test_a_term_that_loses_its_negation_warns_until_a_pattern_guards_it(caplog):
    """``không`` is a stopword: ``xây dựng không phép`` would also match ``xây dựng được phép``."""
    spec = {"label_en": "", "label_vi": "", "terms": ["xây dựng không phép"]}
    with caplog.at_level(logging.WARNING, logger="toolkit.themes"):
        themes_from_mapping({"themes": {"t": spec}})
    assert "loses its negation 'không'" in caplog.text
    caplog.clear()
    guard = {"term": "xây dựng không phép", "pattern": [r"(?i)xây dựng\s+(?!không\b)(?:\S+\s+){0,2}phép"]}
    with caplog.at_level(logging.WARNING, logger="toolkit.themes"):
        th = themes_from_mapping({"themes": {"t": {**spec, "exclude": [guard]}}})
    assert caplog.text == ""
    texts = {"a": "Phát hiện công trình xây dựng không phép trên đất nông nghiệp.",
             "b": "Luật Xây dựng cho phép chủ đầu tư điều chỉnh thiết kế."}
    assert _hits_of(texts, th, "t") == {"a": 1, "b": 0}


def test_a_theme_wide_pattern_does_not_silence_the_negation_warning(caplog):
    """``term = "*"`` gives every term a pattern about something else (foreign politics): the term
    that loses its negation still needs a guard of its own."""
    spec = {"label_en": "", "label_vi": "", "terms": ["xây dựng không phép", "lấn chiếm"],
            "exclude": [{"term": "*", "pattern": "Thủ đô Viêng Chăn[^.]*"}]}
    with caplog.at_level(logging.WARNING, logger="toolkit.themes"):
        themes_from_mapping({"themes": {"t": spec}})
    assert "'xây dựng không phép' loses its negation 'không'" in caplog.text


def _theme_wide(extra_term: str | None = None):
    terms = ["đối thoại với nhân dân", "lấy ý kiến nhân dân"] + ([extra_term] if extra_term else [])
    rule = {"term": "*", "pattern": r"(?m)(?:^|(?<=[.!?]))[^.!?\n]*Tổng thống[^.!?\n]*",
            "title": ["Nhà Trắng", "Điện Kremlin"]}
    return themes_from_mapping({"themes": {"t": {"label_en": "", "label_vi": "", "terms": terms, "exclude": [rule]}}})


def _titled_hits(themes, rows: dict[str, tuple[str, str]], *, with_documents=True) -> dict[str, int]:
    docs = pd.DataFrame({"doc_id": list(rows), "title": [t for t, _ in rows.values()],
                         "body": [b for _, b in rows.values()]})
    texts = {d: f"{t}\n\n{b}" if t else b for d, (t, b) in rows.items()}
    h = theme_hits(_tokens(texts), themes, docs if with_documents else None)
    return h[h["theme"] == "t"].set_index("doc_id")["hits"].to_dict()


def test_a_theme_wide_rule_reaches_every_term_including_one_added_later():
    rows = {"us": ("Bầu cử", "Tổng thống đối thoại với nhân dân. Tổng thống lấy ý kiến nhân dân."),
            "vn": ("Bầu cử", "Chủ tịch xã đối thoại với nhân dân. Huyện lấy ý kiến nhân dân.")}
    assert _titled_hits(_theme_wide(), rows) == {"us": 0, "vn": 2}
    later = {"us": ("Bầu cử", "Tổng thống công khai cho người dân."), "vn": ("Bầu cử", "Xã công khai cho người dân.")}
    assert _titled_hits(_theme_wide("công khai cho người dân"), later) == {"us": 0, "vn": 1}


def test_a_theme_wide_rule_names_no_other_term():
    rule = {"term": ["*", "lấy ý kiến nhân dân"], "pattern": "Tổng thống"}
    with pytest.raises(ValueError, match="every term"):
        themes_from_mapping({"themes": {"t": {"label_en": "", "label_vi": "", "terms": ["lấy ý kiến nhân dân"],
                                              "exclude": [rule]}}})


def test_a_title_rule_cancels_every_occurrence_only_when_the_title_matches(caplog):
    body = "Buổi đối thoại với nhân dân kéo dài bốn giờ. Sau đó lấy ý kiến nhân dân về dự thảo."
    rows = {"headed": ("Nhà Trắng công bố lịch làm việc", body),
            # the same words in the body are not the title: only the sentence rule could cancel them
            "body_only": ("Lịch làm việc tuần tới", "Đoàn thăm Nhà Trắng. " + body),
            # a table without titles: the first line of the text is the headline of a scraped page
            "untitled": ("", "Điện Kremlin công bố lịch làm việc\n" + body),
            "untitled_body": ("", "Lịch làm việc tuần tới\nĐoàn thăm Điện Kremlin. " + body),
            # a title-only item (title + description with no body)
            "short": ("Điện Kremlin đối thoại với nhân dân", "")}
    got = _titled_hits(_theme_wide(), rows)
    assert got == {"headed": 0, "body_only": 2, "untitled": 0, "untitled_body": 2, "short": 0}
    # like `pattern`, a `title` rule needs the document table: without it, a warning and no cancelling
    with caplog.at_level(logging.WARNING, logger="toolkit.themes"):
        without = _titled_hits(_theme_wide(), {"headed": rows["headed"]}, with_documents=False)
    assert without == {"headed": 2} and "NOT applied" in caplog.text


def test_a_bad_title_regex_names_its_key():
    rule = {"term": "lấy ý kiến nhân dân", "title": "Tổng thống ("}
    with pytest.raises(ValueError, match="title 'Tổng thống \\(' of 'lấy ý kiến nhân dân' is not a valid regex"):
        themes_from_mapping({"themes": {"t": {"label_en": "", "label_vi": "", "terms": ["lấy ý kiến nhân dân"],
                                              "exclude": [rule]}}})


def test_the_shipped_themes_file_loads_without_warnings(caplog):
    # a warning there is a rule that silently never applies (a stopword context, a term that cannot match)
    with caplog.at_level(logging.WARNING, logger="toolkit.themes"):
        load_themes()
    assert caplog.text == ""


@pytest.mark.parametrize("bad, message", [
    ({"themes": {"t": {"terms": ["chùa"], "colour": "red"}}}, "unknown key"),
    ({"themes": {"t": {"terms": []}}}, "non-empty"),
    ({"themes": {"T-1": {"terms": ["chùa"]}}}, "snake_case"),
    ({"themes": {"t": {"terms": ["chùa"], "exclude": [{"term": "đình", "after": ["x"]}]}}}, "not among"),
    ({"themes": {"t": {"terms": ["chùa"], "exclude": [{"term": "chùa", "pattern": ["(unclosed"]}]}}}, "regex"),
    ({"themes": {}}, "no \\[themes"),
])
def test_malformed_theme_files_fail_clearly(bad, message):
    with pytest.raises(ValueError, match=message):
        themes_from_mapping(bad)


# -- the project's themes file: required themes, hard negatives ----------------------


def test_themes_file_has_required_themes_and_every_term_tokenizes(themes):
    ids = themes.ids
    for required in ("site_clearance", "religion", "democracy_regulations", "covid"):
        assert required in ids
    assert len(ids) >= 12
    frame = themes.to_frame()
    assert (frame["syllables"] != "").all()
    assert themes.version


@pytest.mark.parametrize("text", [
    "Giá thuê mặt bằng kinh doanh tăng cao.",
    "Lạm phát được kiểm soát, mặt bằng giá chung ổn định.",
    "Cho thuê mặt bằng tầng một.",
])
def test_site_clearance_hard_negatives(themes, text):
    assert _hits_of({"a": text}, themes, "site_clearance") == {"a": 0}


def test_gpmb_abbreviation_and_typo_count_as_site_clearance(themes):
    texts = {"a": "Vận động nhân dân GPMB dự án đường.", "b": "Công tác giải phòng mặt bằng chậm."}
    assert _hits_of(texts, themes, "site_clearance") == {"a": 1, "b": 1}


@pytest.mark.parametrize("text", [
    "Phát triển dịch vụ du lịch cộng đồng.",
    "Tuyển phiên dịch viên tiếng Anh.",
    "Biên dịch tài liệu pháp luật.",
    "Chuyển dịch cơ cấu kinh tế theo hướng hiện đại.",
    "Phòng chống dịch tả lợn châu Phi trên đàn vật nuôi.",
])
def test_covid_hard_negatives(themes, text):
    assert _hits_of({"a": text}, themes, "covid") == {"a": 0}


def test_covid_positive(themes):
    texts = {"a": "Chung tay phòng, chống dịch Covid-19 tại khu dân cư.",
             "b": "Người dân tiêm vắc xin phòng Covid-19 đầy đủ.",
             "c": "Trẻ em trong xã được tiêm vắc xin sởi đầy đủ.",
             "d": "Năm 2018, xã tập trung phòng chống dịch bệnh sốt xuất huyết."}
    got = _hits_of(texts, themes, "covid")
    assert got["a"] >= 1 and got["b"] >= 2
    # generic epidemic words alone are weak terms: not COVID-19
    assert got["c"] == 0 and got["d"] == 0


@pytest.mark.parametrize("text", [
    "Hội nghị diễn ra tại số 10 phố Chùa Bộc.",
    "Trụ sở mới nằm trên đường Nhà Thờ.",
    "Đại hội Đảng bộ phường Nhà Thờ thành công tốt đẹp.",
    "Xây dựng gia đình văn hóa ở khu dân cư.",
    "Làm tốt công tác đền ơn đáp nghĩa.",
])
def test_religion_hard_negatives(themes, text):
    assert _hits_of({"a": text}, themes, "religion") == {"a": 0}


def test_religion_positive_and_place_name_needs_the_text(themes, caplog):
    # the buildings count next to an anchor ("giáo xứ", "phật tử"); a street named after one never does
    texts = {"a": "Tu bổ đình, chùa và nhà thờ giáo xứ.", "b": "Phật tử họp tại phố Chùa Bộc."}
    got = _hits_of(texts, themes, "religion")
    assert got["a"] >= 3 and got["b"] == 1
    with caplog.at_level(logging.WARNING, logger="toolkit.themes"):
        without = _hits_of(texts, themes, "religion", with_documents=False)
    assert without["b"] == 2 and "NOT applied" in caplog.text


def test_religion_buildings_alone_are_venues(themes):
    texts = {"a": "Đoàn khách tham quan chùa Một Cột và nhà thờ Lớn.", "b": "Lễ cầu an tại chùa, tăng ni và phật tử dự."}
    got = _hits_of(texts, themes, "religion")
    assert got["a"] == 0 and got["b"] >= 3


def test_bare_religion_word_in_a_generic_list_is_not_religion(themes):
    texts = {"a": "Mọi công dân được tuyển dụng không phân biệt giới tính, dân tộc, tôn giáo.",
             "b": "Ban Dân vận phối hợp làm công tác tôn giáo, gặp mặt chức sắc, chức việc."}
    got = _hits_of(texts, themes, "religion")
    assert got["a"] == 0 and got["b"] >= 2


@pytest.mark.parametrize("text, expected", [
    ("Tòa án buộc bị cáo bồi thường cho gia đình nạn nhân.", 0),          # damages
    ("Cửa hàng thuê mặt bằng kinh doanh ở mặt phố.", 0),                  # premises
    ("Di dời 30 hộ dân khỏi vùng sạt lở trước bão.", 0),                   # evacuation
    ("Huyện thu hồi đất, bồi thường cho 30 hộ dân để làm đường.", 2),     # acquisition + its compensation
    ("Vận động nhân dân bàn giao mặt bằng cho dự án.", 1),
    # resettlement after a disaster, of refugees: not for a project's land
    ("Tái định cư cho các hộ dân vùng sạt lở ven sông.", 0),
    ("Mỹ và Úc thỏa thuận tái định cư cho người tị nạn.", 0),
    ("Xây khu tái định cư cho các hộ dân nhường đất làm đường cao tốc.", 1),
    ("Nhà nước lo nguồn đất sạch, doanh nghiệp xây nhà ở xã hội.", 0),    # land supply, not acquisition
    # the office in an official's title is not its work; the office at work is
    ("Ông từng là Phó Giám đốc Trung tâm Phát triển quỹ đất tỉnh, nay nghỉ hưu.", 0),
    ("Ông Mẫn, Phó Trưởng phòng Thu hồi đất, bị phê bình.", 0),
    ("Trung tâm Phát triển quỹ đất quận chi trả tiền bồi thường cho các hộ.", 2),
    ("Ông Mẫn (Phó Trưởng phòng Thu hồi đất, Trung tâm Phát triển quỹ đất) bị phê bình.", 0),
    # land revoked for violating the Land Law: not acquisition
    ("Tỉnh ban hành 4 quyết định thu hồi đất đối với các dự án chậm tiến độ.", 0),
    # the genre's steps of acquisition; land donated for a road is not acquisition
    ("Thực hiện cưỡng chế kiểm đếm đối với 3 hộ không chấp hành.", 1),
    ("Vận động nhân dân di dời mồ mả để bàn giao cho dự án.", 1),
    ("Nhiều hộ dân tự nguyện hiến đất làm đường giao thông nông thôn.", 0),
])
def test_site_clearance_senses(themes, text, expected):
    assert _hits_of({"a": text}, themes, "site_clearance")["a"] == expected


def test_the_fronts_enumeration_of_society_is_no_occurrence_of_religion(themes):
    """``tôn giáo`` in "các giai cấp, tầng lớp, dân tộc, tôn giáo" is not counted (nor shown in KWIC)."""
    from toolkit.themes.dictionary import term_counts

    texts = {"a": "Mặt trận đoàn kết các giai cấp, tầng lớp xã hội, dân tộc, tôn giáo. Linh mục dự họp.",
             "b": "Linh mục dự họp bàn về tôn giáo và đời sống."}
    counts = term_counts(_tokens(texts), themes, _documents(texts))
    col = themes.to_frame().query("theme == 'religion' and term == 'tôn giáo'").index[0]
    assert counts[:, col].tolist() == [0, 1]


def test_discipline_for_undemocratic_leadership_is_not_grassroots_democracy(themes):
    texts = {"a": "Ông bị kỷ luật vì lãnh đạo độc đoán, mất dân chủ nội bộ, trù dập cán bộ.",
             "b": "Người dân phản ánh cán bộ thôn mất dân chủ khi chia đất công ích."}
    assert _hits_of(texts, themes, "democracy_regulations") == {"a": 0, "b": 1}


def test_democracy_regulations_abbreviation(themes):
    texts = {"a": "Thực hiện tốt QCDC ở cơ sở.", "b": "Phát huy dân chủ, dân biết, dân bàn, dân làm, dân kiểm tra."}
    got = _hits_of(texts, themes, "democracy_regulations")
    assert got == {"a": 1, "b": 1}


def test_genre_abbreviations_and_short_names_reach_their_themes(themes):
    """How Ban Dân vận pages write the regulations' bodies and laws (the normalizer expands them)."""
    texts = {"qcdccs": "Đẩy mạnh thực hiện QCDCCS tại các xã.", "law": "Triển khai Luật THDCCS năm 2022.",
             "ttnd": "Ban TTND phường đã giám sát 4 vụ việc.", "gsdt": "Ban GSĐTCĐ giám sát 3 công trình.",
             "ordinance": "Xã tiếp tục thực hiện Pháp lệnh dân chủ ở xã, phường, thị trấn.",
             # without "ở": "cơ sở" and "thực hiện" are stopwords, so only terms.txt's joined phrase keeps the sense
             "no_o": "Ban Chỉ đạo thực hiện dân chủ cơ sở huyện kiểm tra tại 5 xã.",
             "slogan": "Chính quyền công khai các chủ trương để Nhân dân biết, bàn, kiểm tra, giám sát.",
             "title": "GS.TS.TTND Nguyễn Văn A khám bệnh cho người cao tuổi.",
             "centralism": "Các chi bộ thực hiện nghiêm nguyên tắc tập trung dân chủ trong sinh hoạt đảng.",
             # the village meeting, the residents' election of their hamlet head and vote, consulting them on a
             # local plan (not on the Constitution: a national draft)
             "meeting": "UBND xã tổ chức hội nghị nhân dân tại 12 thôn để bầu trưởng thôn nhiệm kỳ 2022-2025.",
             "vote": "Nhân dân bàn và biểu quyết mức đóng góp xây dựng nhà văn hóa thôn.",
             "plan": "Tổ chức lấy ý kiến góp ý của Nhân dân vào dự thảo quy hoạch chung xây dựng xã.",
             "constitution": "Tổ chức lấy ý kiến góp ý của Nhân dân vào dự thảo sửa đổi Hiến pháp năm 2013.",
             "council": "Hội nghị Ủy ban nhân dân tỉnh thông qua kế hoạch."}
    docs = _documents(texts)
    docs["body"] = docs["body"].map(normalize)
    toks = pd.DataFrame({"doc_id": list(texts), "tokens": [tokenize(t) for t in docs["body"]]})
    toks["n_tokens"] = toks["tokens"].map(len)
    h = theme_hits(toks, themes, docs)
    got = h[h["theme"] == "democracy_regulations"].set_index("doc_id")["hits"].to_dict()
    assert {k: v > 0 for k, v in got.items()} == {
        "qcdccs": True, "law": True, "ttnd": True, "gsdt": True, "ordinance": True, "no_o": True, "slogan": True,
        "title": False, "centralism": False, "meeting": True, "vote": True, "plan": True, "constitution": False,
        "council": False}
    site = h[h["theme"] == "site_clearance"].set_index("doc_id")["hits"]
    assert (site == 0).all()
    faith = {"field": "Thực hiện tốt công tác dân vận trong vùng đồng bào dân tộc thiểu số và có đạo.",
             "ethics": "Thanh niên dân tộc thiểu số và có đạo đức tốt được kết nạp Đảng.",
             "director": "Đồng bào dân tộc thiểu số, đạo diễn trẻ và nghệ sĩ tham gia liên hoan."}
    assert {k: v > 0 for k, v in _hits_of(faith, themes, "religion").items()} == {
        "field": True, "ethics": False, "director": False}
    one = {"council": normalize("Hội đồng BTGPMB huyện họp với các hộ."),
           "price": "Đối thoại với các hộ dân về giá đất bồi thường.",
           "damages": "Kiến nghị bồi thường thiệt hại do thi công làm nứt nhà dân."}
    assert {k: v > 0 for k, v in _hits_of(one, themes, "site_clearance").items()} == {
        "council": True, "price": True, "damages": False}


@pytest.mark.parametrize("text, expected", [
    # belief practice, worship and clergy in general news (no dân vận vocabulary)
    ("Nhiều người đi xem tử vi, xem bói đầu năm.", True),
    ("Đặt vật phẩm phong thủy trong phòng ngủ để cầu tình duyên.", True),
    ("Người dân đốt vàng mã, dâng lễ vật cúng thành hoàng làng.", True),
    ("Hàng vạn người Do Thái dự lễ hội tại khu mộ của một giáo sĩ.", True),
    ("Giáo hoàng cử hành thánh lễ tại Vatican.", True),
    ("Các tín đồ Hồi giáo bắt đầu tháng Ramadan.", True),
    ("Nữ ca sĩ quyết định xuất gia sau khi ly hôn.", True),
    ("Khách sạn ma ám nổi tiếng nước Mỹ.", True),
    # hard negatives: the same words in other senses
    ("Doanh nghiệp coi khách hàng là thượng đế.", False),
    ("Cả nước cầu nguyện cho các nạn nhân của vụ tai nạn.", False),
    ("Lễ hội hoa Sầm Sơn khai mạc, kích cầu mùa du lịch hè.", False),
    ("Tạm dừng karaoke, vũ trường, các lễ hội, sự kiện đông người.", False),
    ("Tiền đạo giải hạn bàn thắng sau ba trận.", False),
    ("Đảng Dân chủ Thiên Chúa giáo thắng cử ở Đức.", False),
    ("Sau lễ cưới, nhà trai mang lễ vật sang nhà gái.", False),
    ("Rủi ro chính trị gia tăng lên đồng bảng Anh.", False),
    ("Uống rượu trong 3 tháng đầu thai kỳ tăng nguy cơ sảy thai.", False),
    ("Tai nạn trên đoạn từ cầu An Phú Đông đến ngã tư Ga.", False),
    ("Xe buýt gặp nạn sau kỳ nghỉ lễ Phục sinh.", False),
    ("Căn hộ phải có chỗ thờ cúng tổ tiên, ban công, kho.", False),
    ("Ngôi tháp mang kiến trúc Phật giáo độc đáo.", False),
    ("Tuyển dụng không có sự phân biệt tôn giáo, tín ngưỡng, màu da.", False),
    ("Chúng tôi chào đón các bạn, bất kể các bạn theo tín ngưỡng nào.", False),
    ("Hãng thông tấn Cộng hòa Hồi giáo Iran đưa tin.", False),
    ("Tăng ni các chùa bước vào mùa an cư kiết hạ.", True),
    ("Người dân xếp hàng mua vàng ngày vía Thần Tài.", True),
    # state commemorations and a faculty in a CV are not religion; incense at a pagoda is
    ("Đoàn đại biểu dâng hương tưởng niệm Chủ tịch Hồ Chí Minh.", False),
    ("Lãnh đạo tỉnh thắp hương tri ân các anh hùng liệt sĩ tại Nghĩa trang liệt sĩ tỉnh.", False),
    ("Ông từng là Trưởng khoa Dân tộc, Tôn giáo và Tín ngưỡng của Học viện.", False),
    ("Phật tử dâng hương lễ Phật tại chùa.", True),
    # "giáo" ends the word "tuyên_giáo": no "giáo đoàn" (a congregation) here
    ("Ông là Trưởng Ban Tuyên giáo, Trưởng Đoàn đại biểu Quốc hội tỉnh.", False),
    # secular processions and the Front's enumeration of society are not religion; a palanquin
    # procession and the religious compatriots themselves are
    ("Lễ rước ảnh Bác từ nhà lưu niệm ra quảng trường mở đầu lễ hội.", False),
    ("Các em thiếu nhi tham gia lễ rước đèn trung thu quanh phường.", False),
    ("Dân làng tổ chức lễ rước kiệu Thánh Mẫu về đền.", True),
    ("Ủy ban Mặt trận gặp mặt chức sắc, chức việc các tôn giáo trên địa bàn.", True),
    # the press's idiom; a tie in the Senate read across a dropped comma and stopwords; a monk's title
    ("Báo chí là vũ khí sắc bén trong sự nghiệp phò chính trừ tà.", False),
    ("Cuộc bỏ phiếu lâm vào thế hòa khi thượng nghị sĩ Collins bỏ phiếu chống.", False),
    ("Hòa thượng Thích Trí Quảng chủ trì đại lễ tại chùa.", True),
    # a figurative talisman alone; a Catholic newspaper named as a source
    ("Nhiều đơn vị nắm lấy lá bùa hộ mệnh này để kéo dài thời gian.", False),
    ("Thầy cúng yểm bùa, phát bùa hộ mệnh cho con nhang.", True),
    ("Nhật báo Thiên Chúa giáo Trouw nhận xét về cuộc trưng cầu.", False),
    # closing religious venues in an epidemic is not religion; closing those that back extremism is
    ("Tạm dừng hoạt động tại các cơ sở tôn giáo để phòng dịch.", False),
    ("Dự luật cho phép đóng cửa các cơ sở tôn giáo ủng hộ chủ nghĩa cực đoan.", True),
    # ethnic and religious affairs named together: policy and work with religious communities
    ("Các chính sách dân tộc, tôn giáo được thực hiện ngày càng tốt hơn.", True),
    ("Mặt trận vận động đồng bào các dân tộc, tôn giáo trên địa bàn.", True),
    ("Ông Thắng, Trưởng ban Tôn giáo tỉnh, nghỉ hưu theo chế độ.", False),
    # state commemorations: wreaths laid with the incense; festivals as crowds in an epidemic
    ("Đoàn đã đặt vòng hoa và dâng hương. Ảnh: TTXVN", False),
    ("Tỉnh quản lý chặt các hoạt động lễ hội, tập trung đông người để phòng dịch.", False),
    # a temple's seal rite, a festival's sacrifices; temples and pagodas listed as a village's heritage
    ("Đền Trần tổ chức lễ khai ấn đầu xuân.", True),
    ("Làng đã bỏ lễ hội chém lợn từ nhiều năm nay.", True),
    ("Làng cổ còn giữ nguyên đình chùa, cổng làng, giếng nước.", False),
    # the religions' mottos of patriotic religious life; clergy and followers named together
    ("Phong trào Tốt đời, đẹp đạo được hưởng ứng rộng rãi.", True),
    ("Xây dựng mô hình dân vận khéo Tôn giáo đồng hành cùng dân tộc.", True),
    ("Đại hội có đại biểu là chức sắc và tín đồ các dân tộc thiểu số.", True),
    ("Báo chí luôn đồng hành cùng dân tộc trong sự nghiệp đổi mới.", False),
    # religious establishments in a distance rule and in the Land Law's list of land users; a street,
    # an address, a cemetery named Thánh Mẫu; a newspaper's name; an idiom; the rule of law's "thần linh"
    ("Quán karaoke phải cách trường học, bệnh viện, cơ sở tôn giáo... từ 200 m trở lên.", False),
    ("Sở cấp giấy chứng nhận cho tổ chức, cơ sở tôn giáo, người Việt Nam định cư ở nước ngoài.", False),
    ("Khách đi dọc đường Thánh Mẫu tìm vườn dâu.", False),
    ("Tang vật được tìm thấy tại nghĩa trang Thánh Mẫu.", False),
    ("Báo Công giáo và Dân tộc nhiều lần phản ánh sai phạm của dự án.", False),
    ("Tin lành đồn xa, anh được nhiều nơi mời đến làm cầu.", False),
    ("Bác dạy: Trăm điều phải có thần linh pháp quyền.", False),
    # sorcery, merit release, mass mobilisation in the religious field
    ("Dân làng nghi hai vợ chồng ém bùa làm chết gia súc.", True),
    ("Thành phố cấm bán chim phóng sinh ở các đền, chùa.", True),
    ("Quan tâm công tác dân vận, nhất là trong lĩnh vực tôn giáo, dân tộc.", True),
    # proselytizing and the religious situation, as the genre reports them; lists are not
    ("Kịp thời phát hiện hoạt động truyền đạo trái pháp luật trên địa bàn.", True),
    ("Ban Dân vận nắm tình hình tôn giáo, dân tộc ở cơ sở.", True),
    ("Du khách đến Cuba để tham gia các hoạt động tôn giáo, nghệ thuật, báo chí.", False),
    ("Bài báo bị tố đạo văn của tác giả nước ngoài.", False),
    # a pilgrimage counts alone; a civic one to Hồ Chí Minh's home or the fallen does not; the Land Law's
    # kinds of land
    ("Hàng vạn người hành hương lên núi dịp đầu xuân.", True),
    ("Đoàn viên thanh niên hành hương về quê Chủ tịch Hồ Chí Minh.", False),
    ("Giá đất nông nghiệp, đất do các cơ sở tôn giáo sử dụng, đất nghĩa trang được quy định riêng.", False),
    # worship at a temple or a shrine, merit work at a pagoda, the mountain saint's festival
    ("Cán bộ đi lễ đền trong giờ hành chính.", True),
    ("Bà thường lên chùa làm công quả.", True),
    ("Huyện khai hội Tản Viên Sơn Thánh đầu xuân.", True),
    # the Mother Goddess cult's mediums, Saint Trần's rite; a style of roof; religious bodies among those a
    # land project displaces
    ("Ban tổ chức cấm hát văn, nhảy đồng trong khuôn viên lễ hội.", True),
    ("Hàng vạn người dự lễ phát lương tại đền Trần Thương.", True),
    ("Du khách đổ về núi Sam dự lễ hội vía Bà Chúa Xứ.", True),
    ("Tiếng nổ khiến cả xóm sợ khiếp vía.", False),
    ("Phố nhan nhản nhà chóp kiểu đạo Hồi.", False),
    ("Dự án ảnh hưởng 1.500 hộ dân và 26 tổ chức, gồm các tổ chức tôn giáo, trụ sở cơ quan, trường học.", False),
    ("Ban Dân vận gặp mặt các tổ chức tôn giáo trên địa bàn.", True),
    # words of religion used of other things: a football match, a scapegoat, the Gregorian calendar, a
    # teacher from a region, the theatre's "temple", a devotee of cosmetic surgery; a temple as a landmark
    ("Barcelona vượt qua trận cầu siêu bạo lực trước Atletico.", False),
    ("Nhà chùa tổ chức lễ cầu siêu cho các nạn nhân.", True),
    ("Real đã tìm được vật tế thần cho vụ Mbappe.", False),
    ("Ngày 8/3 theo lịch Công giáo, nữ công nhân xuống đường.", False),
    ("Cô giáo xứ Quảng gây ấn tượng từ phút đầu.", False),
    ("Linh mục giáo xứ Thái Hà dâng thánh lễ.", True),
    ("Với anh, sân khấu là thánh đường sân khấu thiêng liêng.", False),
    ("Chị trở thành tín đồ của phương pháp làm đẹp bằng dao kéo.", False),
    ("Xe còn cách chùa Cao Đài (phường Linh Xuân) khoảng 200m thì giảm tốc.", False),
    ("Tín đồ Cao Đài dự lễ tại Tòa Thánh Tây Ninh.", True),
    # building a pagoda; faith as religion, not faith in anything
    ("Ông ủng hộ 20 tỷ đồng xây dựng chùa Hưng Long.", True),
    ("Vì đức tin tôn giáo, anh không cầm súng.", True),
    ("Tắm onsen là đức tin về một sức mạnh thần bí của người Nhật.", False),
    # a trophy parade; a singer or a dancer "like a medium in trance"; the habit that does not make the monk
    ("Câu lạc bộ hủy lễ rước cúp vì lo ngại an ninh.", False),
    ("Dân làng tổ chức lễ rước kiệu Thánh Mẫu quanh làng.", True),
    ("Ông múa say sưa, y như đang lên đồng.", False),
    ("Cô hát như lên đồng suốt hai giờ.", False),
    ("Cơ quan chức năng xử lý nhóm người tổ chức lên đồng trái phép.", True),
    ("Chiếc áo không làm nên thầy tu, nhưng hàng hiệu làm nên dáng vẻ.", False),
    ("Vị thầy tu sống ẩn dật trong núi suốt ba mươi năm.", True),
    # bare "tôn giáo" counts alone; not as a field or a trait in a list, a figure of speech or a denial, a CV's
    # field, an office in a title, a category of delegates, a kind of land
    ("Cô cho biết đã tìm thấy sự bình yên nhờ tôn giáo.", True),
    ("Huyện quan tâm giải quyết các vấn đề liên quan đến tôn giáo ở cơ sở.", True),
    ("Những vấn đề nhạy cảm như tôn giáo, dân tộc, cán bộ phải xuống nghe dân.", True),
    ("Châu Á đa dạng về tôn giáo, văn hóa, sắc tộc.", False),
    ("Ông đọc sách về triết học, tôn giáo và lập trình mỗi ngày.", False),
    ("Ở Brazil, bóng đá như một tôn giáo bất khả xâm phạm.", False),
    ("Yoga không phải là một tôn giáo mà là một chuỗi bài tập.", False),
    ("Dân tộc: Kinh. Tôn giáo: Không. Trình độ: Tiến sĩ Kinh tế.", False),
    ("Bà Hoa, Trưởng ban Dân tộc - Tôn giáo Hội Liên hiệp Phụ nữ, phát biểu.", False),
    ("Đại biểu của các giới, các dân tộc, tôn giáo đóng góp nhiều ý kiến cho đại hội.", False),
    ("Khu quy hoạch gồm đất ở, đất quân sự, cây xanh và đất tôn giáo.", False),
    # the royal court ("cung đình"), a stir ("nổi đình nổi đám"), Hội An's covered bridge, the Penal Code's
    # worship objects, a comparison with a temple; devout people and a deity's day rite (rounds 41-42)
    ("Nhã nhạc cung đình Huế được biểu diễn tại Nhà hát lớn.", False),
    ("Bộ phim từng nổi đình nổi đám năm 2006 nay được làm lại.", False),
    ("Du khách xếp hàng chụp ảnh bên Chùa Cầu về đêm.", False),
    ("Hủy hoại tài sản là kỷ vật, di vật, đồ thờ cúng có giá trị đặc biệt về mặt tinh thần bị phạt tù.", False),
    ("Giới nghệ sĩ thường ví phòng trà là thánh đường của những giọng ca.", False),
    ("Ông là một người sùng đạo, quyên góp tiền phục hồi nhà thờ của thành phố.", True),
    ("Hội An tổ chức lễ vía Quan Công tại Quan Công miếu.", True),
    ("Nhà văn là tín đồ ngoan đạo của văn chương.", False),
    # offerings count alone, a bribe in quotes does not; a cosy room is no offering (round 43's errors)
    ("Chiều ba mươi, cả nhà quây quần làm mâm cơm cúng ông bà.", True),
    ("Mỗi tháng các sạp phải “cúng” cho nhóm bảo kê vài triệu đồng.", False),
    ("Căn phòng nhỏ nhưng ấm cúng, đầy ánh nến.", False),
    # fortune telling: a horoscope's wealth forecast, zodiac signs, the taboo proverb; an athletes' contest is not
    ("Tử vi tuần này: tài vận của người tuổi Thìn có nhiều khởi sắc.", True),
    ("Tính cách của bạn qua 12 cung hoàng đạo.", True),
    ("Ngày đầu năm chị chọn người mở hàng, có kiêng có lành.", True),
    ("Các vận động viên thi tài vận dụng chiến thuật mới.", False),
    # Heaven and the Buddha prayed to, a Buddhist service, hymns, conversion; thanking heavens is an idiom
    ("Bà chỉ biết cầu trời phật phù hộ cho con thi đỗ.", True),
    ("Nhờ trời phật, mùa này lúa không bị sâu.", False),
    ("Du khách dự lễ Phật tại ngôi chùa cổ.", True),
    ("Ca đoàn hát thánh ca trong đêm canh thức.", True),
    ("Con tin bị ép cải đạo.", True),
    # bad times, Easter as a date, a frenzy, a stalagmite shaped like the Buddha, karma as a motto: not alone
    ("Con tôm đang trong vận hạn vì giá thức ăn tăng.", False),
    ("Phim ra rạp đúng dịp lễ Phục sinh.", False),
    ("Khán giả hò hét như lên đồng.", False),
    ("Cần tỉnh táo trước những cơn lên đồng mua sắm theo phong trào.", False),
    ("Nhũ đá trong hang có hình Phật bà.", False),
    ("Tôi tin vào luật nhân quả trong kinh doanh.", False),
    # the spirit-medium songs as one stage art among others; a street named after a nun
    ("Liên hoan gồm hát bội, cải lương, ca trù và hát chầu văn.", False),
    ("Quán nằm ở số 113 Ni Sư Huỳnh Liên, quận Tân Bình.", False),
    ("Vào dịp lễ, Chùa Cầu được thắp đèn lồng.", False),
    # the shallot is no pilgrimage
    ("Phi thơm hành hương rồi cho thịt bò vào xào.", False),
    ("Giá củ hành hương tăng mạnh dịp cuối năm.", False),
    ("Hàng nghìn người hành hương về chùa Hương.", True),
    # the genre's Khmer, Cham and Catholic words; Taoism, souls of the dead, tending incense, the Buddha's gate
    # (rounds 44-45's errors and sentences written in the genre's style)
    ("Ban Dân vận thăm, chúc mừng Hội Đoàn kết sư sãi yêu nước tỉnh nhân dịp Tết Chôl Chnăm Thmây.", True),
    ("Lãnh đạo huyện thăm hỏi đồng bào Chăm Bani nhân tháng Ramưwan.", True),
    ("Đoàn công tác làm việc với linh mục quản hạt và các xứ đạo trong giáo hạt.", True),
    ("Lễ hội cầu siêu theo nghi thức Lão giáo được tổ chức bên bờ biển.", True),
    ("Người dân lập đàn cầu cho vong hồn những người đã khuất.", True),
    ("Con cháu vẫn giữ nếp hương khói cho tổ tiên mỗi dịp rằm.", True),
    ("Chị tìm đến cửa Phật sau biến cố gia đình.", True),
    ("Khu lăng mộ hương khói nghi ngút trong ngày tang lễ.", False),
    # a person likened to a saint or a missionary; a faith as a building's style; a lower-case "đạo hồi"
    ("Bức chân dung khiến cô trông giống Đức Mẹ.", False),
    ("Anh đi khắp các tỉnh như một nhà truyền giáo của nhạc jazz.", False),
    ("Ngôi đền có kiến trúc đặc trưng theo đạo Hindu, thu hút du khách chụp ảnh.", False),
    ("Sau chuyến tuần du, nhà vua theo ngự đạo hồi cung.", False),
    # going to worship with the stopword verb "đi", one token (round 46's errors and sentences in the genre's style)
    ("Mỗi rằm bà vẫn đi chùa từ sáng sớm.", True),
    ("Sáng chủ nhật cả gia đình đi nhà thờ.", True),
    ("Ông cùng cháu đi lễ chùa đầu năm.", True),
    ("Đầu năm cả nhà rủ nhau đi chùa Hương ngắm cảnh.", False),
    ("Bố mẹ tôi cùng đi nhà thờ họ.", True),
    # fortune telling in other words, Saint Trần, the deity Quan Âm after "bà" (not a person's name)
    ("Bà chuyên coi bói cho khách ở đầu chợ.", True),
    ("Đầu năm nhiều người tìm đến bói Kiều.", True),
    ("Tỉnh tổ chức lễ hội kỷ niệm ngày giỗ Đức Thánh Trần.", True),
    ("Người dân lên núi viếng Phật bà Quan Âm.", True),
    ("Khối đá lớn không khác gì tượng Phật bà Quan Âm.", False),
    # incense lit by mourners (weak), worship objects as goods (weak), a house plan's space, the Civil Code's list
    ("Lãnh đạo trung tâm đến thắp nhang, thăm hỏi gia đình nạn nhân.", False),
    ("Cửa hàng bày bán đồ thờ và vật thờ bằng gốm.", False),
    ("Tầng trên cùng dành cho không gian thờ cúng của gia đình.", False),
    ("Người lập di chúc có quyền dành một phần di sản để di tặng, thờ cúng.", False),
    # Germany before a comma and a mother; a song by Văn Cao; luck as a god
    ("Cô mang hai dòng máu: bố người Anh lai Đức, mẹ người Nhật.", False),
    ("Bài hát ấy được Văn Cao viết năm 1944.", False),
    ("Từ đó vị thần may mắn luôn mỉm cười với anh.", False),
    # a church choir, a vowed prayer, thanks to God (round 47's errors and sentences in the genre's style)
    ("Chị vẫn đi hát cho các ca đoàn mỗi tối thứ bảy.", True),
    ("Bà tự khấn nguyện cho con qua khỏi cơn bạo bệnh.", True),
    ("Anh nói mình sống được đến hôm nay là nhờ ơn Chúa.", True),
    ("Cô luôn cảm ơn Chúa vì vẫn còn giữ được giọng hát.", True),
    ("Dàn hợp xướng thiếu nhi của nhà văn hóa biểu diễn tối qua.", False),
    # going to worship with no place named, a love charm; the shallot by the stalk, a trip "like a pilgrimage"
    # (round 48's errors and sentences in the genre's style)
    ("Đầu năm chị dẫn hai con đi lễ cầu may.", True),
    ("Bà cụ tin rằng mua bùa yêu thì cháu gái sẽ sớm lấy được chồng.", True),
    ("Cuối tuần cả nhà đi lễ hội hoa xuân ở công viên.", False),
    ("Nồi canh chỉ cần một cọng hành hương và ít thịt mỡ.", False),
    ("Con đường đá dẫn lên núi tạo cảm giác như một chuyến hành hương.", False),
    # fortune telling by the face, the old spelling of the fortune teller, Christianity's other name, a grand
    # ayatollah, a baptism, worshipping the Buddha; the proverb of the blind fortune tellers, "cao" and "đài" brought
    # together by stopwords, a beer parade (round 49's errors and sentences in the genre's style)
    ("Trước khi mở cửa hàng, chị đi xem tướng và được thầy tướng khuyên chọn ngày.", True),
    ("Hồi đó thày bói bảo tôi mạng hỏa, làm ăn về thủy thì thua.", True),
    ("Phiến quân nhắm vào người theo Cơ đốc giáo.", True),
    ("Đại giáo chủ Ali Khamenei đi bỏ phiếu sáng nay.", True),
    ("Cậu bé từng khóc nhè tại lễ rửa tội của em gái.", True),
    ("Nhà ông ba đời nay vẫn thờ Phật.", True),
    ("Bàn chuyện quy hoạch mà chỉ nhìn một góc thì chẳng khác thày bói xem voi.", False),
    ("Nữ diễn viên từng được đánh giá cao ở đài TVB.", False),
    ("Lễ rước bia mở màn lễ hội ẩm thực cuối tuần.", False),
    # complacency, not the rite; an animal "oracle" of match results (round 50's errors and the genre's wording)
    ("Chi bộ yêu cầu khắc phục tâm lý cầu an, ngại va chạm của cán bộ.", False),
    ("Sau khi “nhà tiên tri” động vật này đoán sai đội vô địch, người hâm mộ đòi làm thịt nó.", False),
    ("Bạch tuộc “nhà tiên tri” Paul đoán đúng cả tám trận.", False),
])
def test_religion_senses_of_general_news(themes, text, expected):
    assert (_hits_of({"a": text}, themes, "religion")["a"] > 0) == expected


def test_a_temple_is_not_a_debt_paid(themes):
    # "đền" is weak: with an anchor in the page it counts, but "bắt đền", "đền tiền", "đền xe" are paying for a loss
    text = "Bà vẫn thờ cúng tổ tiên. Hôm trước cậu làm mất xe của bạn nên bị bắt đền, phải đền tiền."
    assert _hits_of({"a": text}, themes, "religion") == {"a": 1}


@pytest.mark.parametrize("text, date, expected", [
    # 2020-2022 short items that name the epidemic only by its response
    ("6 ca mắc mới được cách ly ngay sau khi nhập cảnh.", "2021-04-26", True),
    ("Hà Nội có 2 ca F1 liên quan ca bệnh ở Hà Nam.", "2021-04-29", True),
    ("Khách phản ánh chi phí khách sạn cách ly quá cao.", "2020-10-01", True),
    ("Phong tỏa thôn có ca bệnh, người dân ở yên trong nhà.", "2021-05-01", True),
    # the same words before 2020 or undated: no COVID-19
    ("6 ca mắc mới được cách ly ngay sau khi nhập cảnh.", "2017", False),
    ("Hà Nội có 2 ca F1 liên quan ca bệnh ở Hà Nam.", None, False),
    # hard negatives in the pandemic years
    ("Hà Tĩnh ghi nhận gần 150 ca mắc viêm não từ đầu năm.", "2021-04-30", False),
    ("Năm 2020 có thêm 26.262 ca mắc mới ung thư phổi.", "2021-04-23", False),
    ("Công an phong tỏa tài khoản của doanh nghiệp.", "2021-04-20", False),
    ("Chặng đua F1 tại Hà Nội thu hút khán giả.", "2021-03-01", False),
    ("Bệnh nhân được xét nghiệm viêm gan B.", "2021-04-28", False),
    ("Giới khoa học cách ly chủng vi khuẩn mới trên trạm vũ trụ.", "2021-03-17", False),
    ("Siêu sao Ronaldo bị phong tỏa chặt trong trận đấu.", "2021-04-25", False),
    ("Hải quân điều 10 tàu chiến phong tỏa khu vực tập trận.", "2021-04-25", False),
    ("Nhiều tàu quân sự được điều đến để phong tỏa vùng biển diễn ra tập trận.", "2020-08-10", False),
    ("Bác sĩ đã mổ nhiều ca bệnh u não.", "2020-10-01", False),
    ("Trong đại dịch hạch năm 1665, dân làng tự cách ly.", "2021-03-27", False),
    # a variant and close contacts in the pandemic years
    ("Biến chủng kép lây lan rất nhanh.", "2021-04-28", True),
    ("Những người tiếp xúc gần cần liên hệ cơ quan y tế.", "2021-04-29", True),
    # words that are COVID-19 on their own, dated or not
    ("Thực hiện giãn cách xã hội theo Chỉ thị 16.", None, True),
])
def test_covid_short_items_by_date(themes, text, date, expected):
    docs = pd.DataFrame({"doc_id": ["a"], "title": [""], "body": [text], "date": [date],
                         "year": pd.array([int(date[:4]) if date else None], dtype="Int64")})
    hits = theme_hits(_tokens({"a": text}), themes, docs)
    assert bool(hits.set_index("theme").loc["covid", "present"]) == expected


# -- another disease named in the document: the weak terms do not count alone ------------------------

#: 2021-22 news of other outbreaks: the disease is named in the title, the body has only COVID-19's
#: weak words (isolation, the outbreak zone, checkpoints, close contacts) in other sentences.
OTHER_OUTBREAKS = [
    ("Bệnh tay chân miệng tăng mạnh ở trẻ nhỏ",
     "Trẻ bị bệnh phải được cách ly tại nhà, không đến trường. Hiện bệnh chưa có vắc xin phòng ngừa."),
    ("Sốt xuất huyết bùng phát ở nhiều phường",
     "Trung tâm y tế quận đã khoanh vùng dịch và phun hóa chất diệt muỗi. Người dân trong vùng dịch cần đậy kín "
     "các dụng cụ chứa nước."),
    ("Dịch tả lợn châu Phi tái phát ở 5 xã",
     "Huyện lập chốt kiểm soát ở các ngả đường. Cấm vận chuyển lợn ra khỏi vùng dịch trong 21 ngày."),
    ("Phát hiện ổ bạch hầu ở huyện miền núi",
     "Những người tiếp xúc gần với bệnh nhân đã được cách ly y tế và uống thuốc dự phòng."),
    ("Cúm A/H5N1 xuất hiện trên đàn gà",
     "Huyện lập chốt kiểm soát, tiêu hủy toàn bộ gà trong vùng dịch."),
]


def _covid_in(themes, title: str, body: str, date: str | None) -> bool:
    docs = pd.DataFrame({"doc_id": ["a"], "title": [title], "body": [body], "date": [date],
                         "year": pd.array([int(date[:4]) if date else None], dtype="Int64")})
    tokens = _tokens({"a": f"{title}\n\n{body}"})
    return bool(theme_hits(tokens, themes, docs).set_index("theme").loc["covid", "present"])


@pytest.mark.parametrize("title, body", OTHER_OUTBREAKS)
def test_weak_terms_do_not_count_alone_in_a_document_naming_another_disease(themes, title, body):
    assert not _covid_in(themes, title, body, "2021-06-15")
    # the same words with no other disease named: COVID-19 in these years
    assert _covid_in(themes, "Tin trong ngày", body, "2021-06-15")
    # another disease and COVID-19 named: the weak terms count with their anchor
    assert _covid_in(themes, title, body + " Tỉnh vẫn thực hiện nghiêm các biện pháp phòng chống Covid-19.",
                     "2021-06-15")


@pytest.mark.parametrize("title, body, date", [
    # 2022: monkeypox patients isolated, their close contacts traced
    ("Ghi nhận ca đậu mùa khỉ đầu tiên", "Bệnh nhân được cách ly tại bệnh viện. Ngành y tế đang truy vết những "
     "người tiếp xúc gần.", "2022-10-03"),
    # rabies: the outbreak zone ringed off
    ("Bé trai tử vong vì bệnh dại", "Xã khoanh vùng dịch, tiêm phòng cho toàn bộ đàn chó.", "2021-04-20"),
    # HIV/AIDS action month: the genre's "phòng, chống dịch"
    ("Hưởng ứng Tháng hành động quốc gia phòng, chống HIV/AIDS", "Huyện ra quân tuyên truyền phòng chống dịch "
     "tại các xã.", "2021-11-10"),
])
def test_other_outbreaks_of_the_pandemic_years_are_not_covid(themes, title, body, date):
    assert not _covid_in(themes, title, body, date)


@pytest.mark.parametrize("title, body, date", [
    # the early names of COVID-19 and its comparisons: pneumonia, seasonal flu, SARS are not another outbreak
    ("Người về từ vùng dịch có biểu hiện viêm phổi", "Người này đã được cách ly ngay tại bệnh viện tỉnh.",
     "2020-02-05"),
    ("Virus corona chủng mới lây nhanh hơn cúm mùa", "Virus corona chủng mới có họ hàng với virus gây SARS năm "
     "2003.", "2020-02-10"),
])
def test_covid_comparisons_with_pneumonia_flu_and_sars_stay_covid(themes, title, body, date):
    assert _covid_in(themes, title, body, date)


@pytest.mark.parametrize("title, body, expected", [
    # undated avian-flu news of 2004-2007 (VNTC): "ca dương tính" counts alone, so another disease's positive
    # cases were COVID-19 -- named in the sentence, or in the title of a page that never names COVID-19
    ("Tin y tế", "Viện Pasteur hôm qua đã xác định thêm một ca dương tính với H5N1, là bệnh nhi 12 tuổi.", False),
    ("Tin y tế", "Qua chẩn đoán PCR đã xác định được 7 ca dương tính (mắc bệnh cúm A), nhưng chỉ 1 ca còn sống.",
     False),
    ("Lây cúm gia cầm cho người: nguy cơ rất lớn", "Các ca dương tính đều có biểu hiện sốt trên 38 độ, ho, khó thở.",
     False),
    # a racing class ("đua xe F0", a 2005 computer game), not a COVID-19 case
    ("Trò chơi đoạt giải", "Sản phẩm game Đua xe F0 đã nhận giải nhất cuộc thi lập trình.", False),
    # guards: COVID-19's own positive cases and F0, undated too
    ("Tin trong ngày", "Hà Nội ghi nhận thêm 3 ca dương tính, đều đã được cách ly tập trung.", True),
    ("Tin trong ngày", "Các ca dương tính đều có biểu hiện sốt, ho, khó thở.", True),
    # the title names flu and COVID-19: the positive cases stay COVID-19's
    ("Phân biệt Covid-19 với cúm A", "Các ca dương tính đều có biểu hiện sốt, ho, khó thở.", True),
    ("Tin trong ngày", "Hà Nội thêm 300 F0 trong ngày.", True),
])
def test_undated_positive_cases_and_f0_are_covid_unless_another_disease_or_a_race(themes, title, body, expected):
    assert _covid_in(themes, title, body, None) == expected


UNLESS = {"patterns": {"dengue": r"sốt xuất huyết"}, "themes": {"covid": {
    "label_en": "COVID-19", "label_vi": "Covid", "terms": ["Covid-19", "dịch bệnh"], "weak_terms": ["dịch bệnh"],
    "weak_alone_between": ["2020-02", "2022-12"], "weak_alone_unless": [r"(?i)\b${dengue}\b", r"\bHIV\b"]}}}


def test_weak_alone_unless_vetoes_weak_terms_alone_inside_the_window_only():
    from toolkit.themes.dictionary import apply_weak_terms, document_periods, term_counts, weak_alone_vetoes

    themes = themes_from_mapping(UNLESS)
    assert [p.pattern for p in themes.themes[0].weak_alone_unless] == [r"(?i)\bsốt xuất huyết\b", r"\bHIV\b"]
    texts = {"dengue": "Sốt xuất huyết tăng.\n\nPhòng, chống dịch bệnh ở các xã.",
             "plain": "Tin trong ngày.\n\nPhòng, chống dịch bệnh ở các xã.",
             "both": "Sốt xuất huyết tăng.\n\nPhòng, chống dịch bệnh Covid-19 ở các xã.",
             "hiv": "Phòng chống hiv.\n\nPhòng, chống dịch bệnh ở các xã.",  # case-sensitive: not a match
             "old": "Sốt xuất huyết tăng.\n\nPhòng, chống dịch bệnh ở các xã."}
    title, body = zip(*(t.split("\n\n") for t in texts.values()))
    docs = pd.DataFrame({"doc_id": list(texts), "title": title, "body": body,
                         "date": ["2021-05", "2021-05", "2021-05", "2021-05", "2019-06"]})
    got = {d: int(h) for d, h in theme_hits(_tokens(texts), themes, docs).set_index("doc_id")["hits"].items()}
    assert got == {"dengue": 0, "plain": 1, "both": 2, "hiv": 1, "old": 0}
    # the veto: a document dated inside the window whose text matches (the 2019 page is outside it)
    ids = list(texts)
    vetoes = weak_alone_vetoes(ids, themes, docs)
    assert vetoes.shape == (5, 1) and vetoes[:, 0].tolist() == [True, False, True, False, False]
    # without it apply_weak_terms keeps its plain date rule; without a document table there is no veto
    raw = term_counts(_tokens(texts), themes, docs)
    periods = document_periods(ids, docs)
    assert apply_weak_terms(raw, themes, periods)[0].sum() == 1
    assert apply_weak_terms(raw, themes, periods, vetoes=vetoes)[0].sum() == 0
    # with the counts, only documents whose weak terms would count alone are searched (not the anchored one)
    assert weak_alone_vetoes(ids, themes, docs, counts=raw)[:, 0].tolist() == [True, False, False, False, False]
    with pytest.raises(ValueError, match="vetoes has shape"):
        apply_weak_terms(raw, themes, periods, vetoes=vetoes[:2])
    assert not weak_alone_vetoes(ids, themes, None).any()


def test_theme_kwic_and_the_validation_sample_respect_the_veto():
    from toolkit.themes import theme_kwic
    from toolkit.themes.validate import SEP, validation_sample

    themes = themes_from_mapping(UNLESS)
    texts = {"dengue": "Phòng, chống dịch bệnh ở các xã. Sốt xuất huyết tăng ở trẻ em.",
             "plain": "Phòng, chống dịch bệnh ở các xã. Số trẻ em đến trường tăng."}
    docs = _documents(texts, date="2021-05", year=2021)
    tokens = _tokens(texts)
    lines = theme_kwic(docs, tokens, themes)
    assert lines["doc_id"].tolist() == ["plain"] and lines["keyword"].str.lower().tolist() == ["dịch bệnh"]
    sheet = validation_sample(docs, tokens, themes, n=2, miss_fraction=0.5, random_state=0).sheet.set_index("doc_id")
    assert sheet.loc["dengue", f"covid{SEP}dictionary"] == 0 and sheet.loc["plain", f"covid{SEP}dictionary"] == 1
    # the vetoed weak term is listed among those the weak-term rule did not count
    assert sheet.loc["dengue", f"covid{SEP}weak_terms"] == "dịch bệnh (1)"


@pytest.mark.parametrize("text, expected", [
    ("Quận lập quy hoạch có tham khảo ý kiến người dân.", True),
    ("Ban Giám sát đầu tư của cộng đồng xã kiểm tra công trình.", True),
    ("Thanh tra nhân dân phát hiện sai phạm ở thôn.", True),
    ("UBND xã tổ chức họp dân bàn việc làm đường.", True),
    ("Triển khai Luật Thực hiện dân chủ ở cơ sở năm 2022.", True),
    # disclosure and oversight that are not with residents
    ("Cửa hàng phải niêm yết công khai giá bán.", False),
    ("Trước 2 ngày niêm yết danh sách ứng cử viên đại biểu Quốc hội.", False),
    ("Cần dựa vào vai trò giám sát của nhân dân để chống tham nhũng.", False),
    ("Bộ không cần hỏi ý kiến người dân về giá điện.", False),
    # disclosure, consultation and dialogue next to the residents, in other wordings
    ("Phường công khai kế hoạch sử dụng đất để người dân biết và góp ý.", True),
    ("Xã tổ chức đối thoại, lắng nghe bà con phản ánh.", True),
    ("Thành phố lấy ý kiến người dân về thiết kế nhà ở giá rẻ.", True),
    ("Tòa án xét xử công khai vụ án tham nhũng.", False),
    ("Thủ tướng đối thoại với doanh nghiệp.", False),
    # the people consulted on the Party congress's political report: a national campaign
    ("Việc tổ chức lấy ý kiến nhân dân cho dự thảo Báo cáo Chính trị trình Đại hội.", False),
    ("Ban Bí thư công bố Báo cáo Chính trị trình Đại hội X để lấy ý kiến nhân dân.", False),
    # dialogue with complainants; voters at a deputies' meeting; "openly"; the Front's functions
    ("Chính quyền phải lắng nghe, đối thoại, giải quyết kịp thời khiếu nại của công dân.", True),
    ("Tại buổi đối thoại, nhiều cử tri bày tỏ bức xúc về ô nhiễm.", False),
    ("Người dân có thể bày tỏ công khai mong muốn của mình qua báo chí.", False),
    ("Mặt trận phát huy dân chủ, đại diện, bảo vệ quyền lợi của nhân dân.", False),
    ("Đoàn tổ chức hội nghị lấy ý kiến chuẩn bị Báo cáo chính trị Đại hội, bà con góp ý nhiều.", False),
    # disclosing land-use plans; dialogue with workers, but not with their company
    ("Thành phố công khai quy hoạch sử dụng đất đến từng phường.", True),
    ("Chủ tịch UBND thành phố đối thoại với công nhân các khu công nghiệp.", True),
    ("Tỉnh tiếp tục đối thoại với doanh nghiệp để giải quyết việc công nhân ngừng việc.", False),
    ("Một bộ phận cán bộ còn quan liêu, mất dân chủ với dân.", False),
    ("Người dân ngang nhiên công khai bán hàng lậu.", False),
    # community COVID-19 monitoring teams
    ("Tổ giám sát cộng đồng rà soát người về từ vùng dịch.", False),
    ("Tăng cường giám sát cộng đồng đối với các công trình ở xã.", True),
    # the genre's own wordings: leaders' dialogue under the Party's rule, matters residents decide,
    # democracy in state agencies and at workplaces
    ("Huyện ủy tổ chức đối thoại giữa người đứng đầu cấp ủy, chính quyền với Nhân dân.", True),
    ("Người đứng đầu cấp ủy có trách nhiệm tiếp dân, đối thoại trực tiếp với dân.", True),
    ("Nhân dân được bàn và quyết định trực tiếp mức đóng góp xây dựng nhà văn hóa.", True),
    ("Trưởng thôn tổ chức họp thôn để nhân dân bàn bạc phương án làm đường.", True),
    ("Các cơ quan thực hiện dân chủ trong hoạt động của cơ quan hành chính nhà nước.", True),
    ("Doanh nghiệp thực hiện dân chủ tại nơi làm việc theo Nghị định 145.", True),
    # dialogue with the head of government; democratic centralism; a public apology
    ("Doanh nghiệp cả nước đối thoại với người đứng đầu Chính phủ.", False),
    ("Giữ vững nguyên tắc tập trung dân chủ trong sinh hoạt Đảng.", False),
    # what a commune discloses to residents and consults them on: the poor-household list, contributions,
    # receipts and spending, a local draft (a national draft is not grassroots democracy)
    ("Xã niêm yết công khai danh sách hộ nghèo tại nhà văn hóa thôn để nhân dân biết, giám sát.", True),
    ("Việc bình xét hộ nghèo được thực hiện công khai, dân chủ tại các thôn.", True),
    ("UBND xã công khai các khoản thu, chi ngân sách và các khoản đóng góp của nhân dân.", True),
    ("Chính quyền xã tổ chức hội nghị lấy ý kiến Nhân dân về dự thảo hương ước thôn.", True),
    ("Tổ chức lấy ý kiến nhân dân về dự thảo Luật Đất đai (sửa đổi) tại các khu dân cư.", False),
    ("Trường công khai thu chi tài chính để phụ huynh cùng giám sát.", False),
    ("Cục Thuế công khai danh sách doanh nghiệp nợ thuế.", False),
    # "dân chủ" then "cơ quan" with only stopwords (or a comma) between: not democracy in agencies
    ("Nguyên tắc tập trung dân chủ, cơ quan nhà nước làm việc theo quy định.", False),
    ("Ban hành quy chế thực hiện dân chủ trong cơ quan.", True),
    ("Tòa án nhân dân huyện đã công khai xin lỗi người dân bị kết án oan.", False),
    # dialogue with "Nhân dân" as a word of its own, not a people's committee's or two countries' people
    ("Xã tổ chức đối thoại giữa Chủ tịch UBND xã với Nhân dân về quản lý đất đai.", True),
    ("Ủy ban nhân dân tỉnh và các bên liên quan đã có cuộc đối thoại nảy lửa.", False),
    ("Hai bên thúc đẩy đối thoại chiến lược vì lợi ích của nhân dân hai nước.", False),
    # a meeting called to investigate a crime, forged minutes; an investor's talks with its buyers; the
    # chairman's dialogue with citizens
    ("Xã đã tổ chức họp dân để điều tra, xác minh vụ trộm.", False),
    ("Cán bộ xã làm giả biên bản họp dân để vay vốn.", False),
    ("Chủ đầu tư đã đối thoại với cư dân về phí dịch vụ chung cư.", False),
    ("UBND phường, chủ đầu tư và người dân đã đối thoại về phương án bồi thường.", True),
    ("Chủ tịch UBND huyện đối thoại với công dân về bồi thường đất.", True),
    # a land project's compensation plan disclosed to the households it affects
    ("Nhà nước sẽ lập và công khai phương án đền bù, hỗ trợ, tái định cư.", True),
    ("Huyện niêm yết công khai phương án bồi thường tại trụ sở UBND xã.", True),
    # the residents' opinion of a candidate where the candidate lives: vetting for a post
    ("Tiểu ban nhân sự lấy ý kiến cấp ủy, lấy ý kiến nhân dân nơi người đó sinh sống.", False),
    # every wording of consulting residents shares the national-draft and vetting rules
    ("Cách thức lấy ý kiến người dân đóng góp cho dự luật còn nặng hình thức.", False),
    ("Đảng ủy lấy ý kiến người dân nơi người đó cư trú.", False),
    ("Phường lấy ý kiến người dân về phương án chỉnh trang khu phố.", True),
    # a meeting the police or a court calls for an apology or for crime reports; a commune's meeting to decide
    ("Công an huyện tổ chức họp dân, buộc bị cáo nhận lỗi trước bà con.", False),
    ("Viện kiểm sát về xã họp dân để xin lỗi và minh oan cho ông Thành.", False),
    ("Xã tổ chức họp dân để bàn phương án làm đường liên thôn.", True),
    # foreign politics: a president's or a foreign government's dialogue with and consultation of its people; a
    # country's name before a capitalised syllable is a Vietnamese place
    ("Tổng thống đối thoại trực tuyến với người dân về giá năng lượng.", False),
    ("Chính quyền cũ bị chỉ trích vì chưa tham vấn người dân Hàn Quốc về hệ thống tên lửa.", False),
    ("Chính phủ Anh cam kết công khai dự luật cho người dân biết.", False),
    ("Chính quyền Nga Sơn đối thoại với người dân về phương án bồi thường.", True),
    ("Phường lấy ý kiến người dân Mỹ Đình về phương án chỉnh trang hè phố.", True),
    ("Ban quản lý dự án cùng chính quyền sở tại đối thoại với người dân về phương án bồi thường.", True),
    # consultation on a national draft or by the National Assembly; the whole country consulted at once
    ("Bộ luật Hình sự năm 2015 đã được Quốc hội tổ chức lấy ý kiến nhân dân.", False),
    ("Dự luật sẽ được đăng tải để lấy ý kiến của người dân trong hai tháng.", False),
    ("Căn cứ Luật Đất đai, xã lấy ý kiến người dân về phương án bồi thường.", True),
    ("Quốc hội đã thảo luận kỹ và lấy ý kiến nhân dân trước khi quyết định.", False),
    # the residents of a commune consulted on merging it, under the Standing Committee's resolution
    ("Thực hiện Nghị quyết của Ủy ban Thường vụ Quốc hội, xã tổ chức lấy ý kiến nhân dân về việc sáp nhập thôn.", True),
    # "openly": gambling dens, a firm's selling price
    ("Các sòng bạc hoạt động công khai khiến người dân bất bình.", False),
    ("Doanh nghiệp phải công khai giá bán cho người dân.", False),
    # disease surveillance in the community; democratic centralism a comma from "làm việc"; a recorded
    # conversation; a public tender offer for shares
    ("Trung tâm y tế điều tra, giám sát tại cộng đồng các ca sốt xuất huyết.", False),
    ("Ủy ban hoạt động theo nguyên tắc tập trung dân chủ, làm việc theo chế độ tập thể.", False),
    ("Luật sư đề nghị nghe lại băng ghi âm cuộc đối thoại giữa hai bị cáo, người dân dự phiên tòa bức xúc.", False),
    ("Công ty đã chào mua công khai 12 triệu cổ phần, người dân nắm giữ phần còn lại.", False),
    ("Ban giám sát đầu tư của cộng đồng xã giám sát công trình, người dân đồng tình.", True),
    ("Công ty thực hiện dân chủ tại nơi làm việc, đối thoại định kỳ với người lao động.", True),
    # "bản" and "khu phố" are stopwords: "bầu trưởng bản" was any "bầu trưởng", a hunting team's head among them
    ("Bầu trưởng (người đứng đầu nhóm) dẫn cả đội vào rừng tìm trầm.", False),
    ("Thôn tổ chức hội nghị bầu trưởng bản nhiệm kỳ mới.", True),
    ("Khu phố 3 tổ chức bầu trưởng khu phố mới.", True),
])
def test_democracy_regulations_senses(themes, text, expected):
    assert (_hits_of({"a": text}, themes, "democracy_regulations")["a"] > 0) == expected


def test_democracy_practices_in_an_article_titled_for_a_foreign_leader(themes):
    """An article whose title names a foreign head of state: its dialogue with "người dân" is foreign politics,
    in every sentence; the same body under a Vietnamese title stays."""
    body = "Cuộc đối thoại trực tuyến với người dân bắt đầu lúc trưa và kéo dài bốn giờ."
    docs = pd.DataFrame({"doc_id": ["foreign", "local"], "body": [body, body],
                         "title": ["Tổng thống nhận hai triệu câu hỏi", "Chủ tịch huyện nhận hai trăm câu hỏi"]})
    texts = {d: f"{t}\n\n{body}" for d, t in zip(docs["doc_id"], docs["title"])}
    hits = theme_hits(_tokens(texts), themes, docs)
    present = hits[hits["theme"] == "democracy_regulations"].set_index("doc_id")["present"]
    assert not present["foreign"] and present["local"]


# -- shares and bootstrap --------------------------------------------------------------


def _toy_hits_and_documents():
    docs = pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(5)],
        "province": "Hà Nội",
        "district": ["Ba Đình", "Ba Đình", "Ba Đình", "Cầu Giấy", "Cầu Giấy"],
        "year": pd.array([2020, 2020, 2020, 2021, 2021], dtype="Int64"),
    })
    hits = pd.DataFrame({
        "doc_id": np.repeat(docs["doc_id"], 2).to_numpy(),
        "theme": ["a", "b"] * 5,
        "hits": [2, 0, 0, 0, 1, 0, 0, 3, 0, 0],
        "n_tokens": np.repeat([100, 50, 50, 200, 100], 2),
    })
    hits["present"] = hits["hits"] > 0
    hits["per_1k_tokens"] = 1000 * hits["hits"] / hits["n_tokens"]
    return hits, docs


def test_shares_counts_rates_and_empty_cells():
    hits, docs = _toy_hits_and_documents()
    out = theme_shares(hits, docs, n_boot=200, random_state=1, min_docs=3)
    assert list(out.columns) == ["province", "district", "locality", "year", "theme", "n_docs", "docs_with_theme",
                                 "share", "rate_per_1k", "ci_low", "ci_high", "small_cell", "measure"]
    assert (out["measure"] == "dictionary").all()
    # 2 districts (observed with their province) × 2 years × 2 themes; empty cells shown
    assert len(out) == 8
    cell = out.set_index(["district", "year", "theme"])
    a = cell.loc[("Ba Đình", 2020, "a")]
    assert a["n_docs"] == 3 and a["docs_with_theme"] == 2
    assert a["share"] == pytest.approx(2 / 3)
    assert a["rate_per_1k"] == pytest.approx(1000 * 3 / 200)
    assert 0 <= a["ci_low"] <= a["share"] <= a["ci_high"] <= 1
    assert not a["small_cell"]
    empty = cell.loc[("Ba Đình", 2021, "a")]
    assert empty["n_docs"] == 0 and np.isnan(empty["share"]) and np.isnan(empty["ci_low"]) and empty["small_cell"]
    b = cell.loc[("Cầu Giấy", 2021, "b")]
    assert b["share"] == 0.5 and b["small_cell"]
    assert out[["district", "year", "theme"]].apply(tuple, axis=1).is_monotonic_increasing


def test_shares_are_reproducible_and_seeded():
    hits, docs = _toy_hits_and_documents()
    a = theme_shares(hits, docs, by=("district",), n_boot=300, random_state=7)
    b = theme_shares(hits, docs, by=("district",), n_boot=300, random_state=7)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 4


def test_bootstrap_interval_coverage():
    rng = np.random.default_rng(123)
    p, n, reps = 0.3, 80, 200
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n)], "district": "X"})
    covered = 0
    for r in range(reps):
        present = rng.random(n) < p
        hits = pd.DataFrame({"doc_id": docs["doc_id"], "theme": "a", "hits": present.astype(int),
                             "n_tokens": 100, "present": present})
        out = theme_shares(hits, docs, by=("district",), n_boot=300, random_state=r)
        covered += int(out["ci_low"].iat[0] <= p <= out["ci_high"].iat[0])
    assert 0.88 <= covered / reps <= 0.99


def test_documents_with_no_place_are_left_out_not_a_nameless_cell(caplog):
    # a document table writes an unknown place as "" (not NA): it formed a cell with no name, the largest of a real
    # corpus, while the warning said such documents were left out
    from toolkit.themes.shares import theme_shares

    docs = pd.DataFrame({"doc_id": list("abcde"), "province": ["Hà Nội", "Hà Nội", "", " ", "Hà Nội"],
                         "district": ["Quận Long Biên", "", "", "", "Quận Long Biên"],
                         "year": [2020, 2020, 2020, 2021, 2021], "category": ["Tin", "", "Tin", "Tin", "Tin"]})
    hits = pd.DataFrame({"doc_id": list("abcde"), "theme": "covid", "present": [True, False, True, True, False],
                         "hits": [1, 0, 1, 1, 0], "n_tokens": 10})
    with caplog.at_level(logging.WARNING, logger="toolkit.themes"):
        out = theme_shares(hits, docs, by=("locality", "year"))
    assert "2 of 5 documents have a missing locality/year and are left out" in caplog.text
    assert "" not in set(out["locality"]) and out["n_docs"].sum() == 3
    # a province without its district is the province's own group, by district too
    by_district = theme_shares(hits, docs, by=("district", "year"))
    assert by_district.loc[by_district["district"].eq(""), "locality"].unique().tolist() == ["Hà Nội"]
    assert by_district["n_docs"].sum() == 3
    # a blank category is missing like NA
    assert "" not in set(theme_shares(hits, docs, by=("category",))["category"])


def test_shares_whole_corpus_and_missing_by_values(caplog):
    hits, docs = _toy_hits_and_documents()
    out = theme_shares(hits, docs, by=(), n_boot=50)
    assert out["n_docs"].tolist() == [5, 5]
    docs.loc[0, "district"] = None
    with caplog.at_level(logging.WARNING, logger="toolkit.themes"):
        out = theme_shares(hits, docs, by=("district",), n_boot=0, interval="bootstrap")
    assert "left out" in caplog.text
    assert out["ci_low"].isna().all()
    with pytest.raises(ValueError):
        theme_shares(hits, docs, by=("commune",))


# -- same-named districts of different provinces --------------------------------------


def _same_named():
    """Huyện Châu Thành of Bến Tre and of Tiền Giang, Huyện Phú Tân of An Giang, one unknown page."""
    docs = pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(7)],
        "province": ["Bến Tre", "Bến Tre", "Tiền Giang", "Tiền Giang", "Tiền Giang", "An Giang", "Bến Tre"],
        "district": ["Huyện Châu Thành"] * 5 + ["Huyện Phú Tân", ""],
        "year": pd.array([2020, 2021, 2020, 2020, 2021, 2021, 2020], dtype="Int64"),
    })
    present = [True, False, False, False, True, True, False]
    hits = pd.DataFrame({"doc_id": docs["doc_id"], "theme": "a", "hits": np.array(present, dtype=int),
                         "n_tokens": 100, "present": present})
    return hits, docs


@pytest.mark.parametrize("by", [("district",), ("province", "district"), ("district", "year"), ("locality",)])
def test_same_named_districts_are_two_cells(by):
    hits, docs = _same_named()
    out = theme_shares(hits, docs, by=by, n_boot=0)
    assert "locality" in out  # derived: the table had none
    cells = out[out["n_docs"] > 0].groupby("locality")["n_docs"].sum().to_dict()
    assert cells == {"Huyện Châu Thành, Bến Tre": 2, "Huyện Châu Thành, Tiền Giang": 3,
                     "Huyện Phú Tân, An Giang": 1, "Bến Tre": 1}
    if "district" in by:
        assert list(out.columns[:3]) == ["province", "district", "locality"]
        chau = out[out["district"] == "Huyện Châu Thành"]
        assert set(zip(chau["province"], chau["locality"])) == {
            ("Bến Tre", "Huyện Châu Thành, Bến Tre"), ("Tiền Giang", "Huyện Châu Thành, Tiền Giang")}


def test_same_named_districts_shares_and_grid():
    hits, docs = _same_named()
    out = theme_shares(hits, docs, by=("district", "year"), n_boot=0).set_index(["locality", "year"])
    assert out.loc[("Huyện Châu Thành, Bến Tre", 2020), "share"] == 1.0
    assert out.loc[("Huyện Châu Thành, Tiền Giang", 2020), "share"] == 0.0
    assert out.loc[("Huyện Châu Thành, Tiền Giang", 2021), "share"] == 1.0
    # Observed localities × observed years, never a district crossed with a province it is not in.
    assert len(out) == 4 * 2


def test_same_named_districts_validate_themes():
    tiny = themes_from_mapping(TINY)
    texts = {"d0": "Giải phóng mặt bằng dự án.", "d1": "Tặng quà.", "d2": "Giải phóng mặt bằng đường tỉnh."}
    docs = _documents(texts, province=["Bến Tre", "Tiền Giang", "Tiền Giang"], district="Huyện Châu Thành")
    out = validate_themes(_tokens(texts), docs, tiny, by=("district",))
    assert out.set_index("term").loc["giải phóng mặt bằng", ["Huyện Châu Thành, Bến Tre",
                                                              "Huyện Châu Thành, Tiền Giang"]].tolist() == [1, 1]


# -- validation -------------------------------------------------------------------------


def test_validate_themes_reports_doc_freq_per_group_and_never_occurring_terms(tiny, caplog):
    tokens = pd.DataFrame({"doc_id": ["a", "b", "c"],
                           "tokens": [["chùa"], ["chùa", "tôn_giáo"], ["giải_phóng_mặt_bằng"]]})
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "body": "", "title": "", "province": ["P1", "P2", "P2"]})
    with caplog.at_level(logging.WARNING, logger="toolkit.themes"):
        out = validate_themes(tokens, docs, tiny, by=("province",))
    assert list(out.columns[:5]) == ["theme", "term", "syllables", "doc_freq", "occurs"]
    row = out.set_index("term").loc["chùa"]
    assert row["doc_freq"] == 2 and row["P1"] == 1 and row["P2"] == 1
    assert not out.set_index("term").loc["thu hồi đất", "occurs"]
    assert "thu hồi đất" in caplog.text
    # a term that is another term of its theme once normalized is said so, not listed as absent from the corpus
    # ("vắc-xin" beside "vắc xin": the dantri walk-through read "vắc-xin never occurs" where kwic found 615 lines)
    twins = themes_from_mapping({"themes": {"covid": {"label_en": "", "label_vi": "",
                                                       "terms": ["vắc xin", "vắc-xin", "khẩu trang"]}}})
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="toolkit.themes"):
        validate_themes(pd.DataFrame({"doc_id": ["a"], "tokens": [["vắc_xin"]]}), docs.iloc[:1], twins, by=())
    assert "1 term(s) are another term of their theme once normalized" in caplog.text
    assert "covid: vắc-xin = vắc xin" in caplog.text
    assert "covid: khẩu trang" in caplog.text and "covid: vắc-xin;" not in caplog.text
    assert "never counted in this corpus: absent, or every occurrence excluded" in caplog.text
    NAMES12 = ["an", "bình", "cường", "dũng", "hà", "khánh", "lan", "minh", "giang", "nam", "oanh", "phúc"]
    # a long list stays a line per theme: its first terms and how many more (the table lists every one)
    many = themes_from_mapping({"themes": {"covid": {"label_en": "", "label_vi": "",
                                                      "terms": [f"thuật ngữ {w}" for w in NAMES12]}}})
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="toolkit.themes"):
        listed = validate_themes(pd.DataFrame({"doc_id": ["a"], "tokens": [["vắc_xin"]]}), docs.iloc[:1], many, by=())
    shown = "; ".join(f"thuật ngữ {w}" for w in NAMES12[:8])
    assert f"covid: {shown} … and 4 more" in caplog.text
    assert "thuật ngữ giang" not in caplog.text and (~listed["occurs"]).sum() == 12
    twins_table = validate_themes(pd.DataFrame({"doc_id": ["a"], "tokens": [["vắc_xin"]]}), docs.iloc[:1], twins,
                                  by=())
    assert twins_table.set_index("term")["same_as"].to_dict() == {"vắc xin": "", "vắc-xin": "vắc xin",
                                                                   "khẩu trang": ""}
    # documents whose province was not found: a named column, not a blank header
    unknown = validate_themes(tokens, docs.assign(province=["P1", "", None]), tiny, by=("province",))
    assert "(unknown)" in unknown.columns and "" not in unknown.columns and "<NA>" not in unknown.columns
    assert unknown.set_index("term").loc["chùa", "(unknown)"] == 1


# -- KWIC -------------------------------------------------------------------------------------


def test_kwic_finds_surface_variants_and_shows_original_text():
    docs = _documents({
        "a": "Ban Dân vận vận động GPMB dự án.",
        "b": "Giải phóng mặt bằng là nhiệm vụ khó. Công tác giải phòng mặt bằng còn chậm.",
        "c": "Giá thuê mặt bằng tăng.",
    }, province="Hà Nội", district=["Ba Đình", "Đống Đa", "Tây Hồ"], year=2020)
    out = kwic(docs, "giải phóng mặt bằng", window=3)
    assert list(out.columns) == ["doc_id", "province", "district", "year", "left", "keyword", "right"]
    assert out["keyword"].tolist() == ["GPMB", "Giải phóng mặt bằng", "giải phòng mặt bằng"]
    first = out.iloc[0]
    assert first["left"] == "vận vận động"
    assert first["right"] == "dự án."
    assert out["district"].tolist() == ["Ba Đình", "Đống Đa", "Đống Đa"]


def test_kwic_old_tone_style_and_confirmation_by_tokens(themes):
    docs = _documents({
        "a": "Kiện toàn tổ hoà giải ở khu dân cư.",
        "b": "Phát triển dịch vụ du lịch. Phòng chống dịch hiệu quả.",
        "c": "Cung cấp dịch vụ công trực tuyến.",
    })
    out = kwic(docs, "tổ hòa giải", window=2)
    assert out["keyword"].tolist() == ["tổ hoà giải"]
    out = kwic(docs, "dịch", window=2)
    # "dịch vụ" is an ordinary word, not "dịch"; the epidemic in "phòng chống dịch" is; inside the
    # lexicon term "dịch vụ công" a match may only start or end where a word of it does (dịch_vụ | công)
    assert out["doc_id"].tolist() == ["b"]
    assert out["left"].iat[0] == "Phòng chống"
    # with the themes, the longest term of the theme takes the occurrence, as in counting: "phòng chống dịch"
    # is one occurrence of that COVID-19 term, not also one of "dịch"
    assert kwic(docs, "dịch", window=2, themes=themes).empty
    assert kwic(docs, "phòng chống dịch", window=2, themes=themes)["doc_id"].tolist() == ["b"]


def test_matches_inside_multiword_terms_keep_to_their_words():
    """A term may start or end inside a multiword lexicon term only where one of its words does."""
    themes = themes_from_mapping({"themes": {"t": {"terms": ["giáo đoàn", "mặt bằng", "quy chế dân chủ", "dịch"]}}})
    assert themes.compounds["ban_tuyên_giáo"] == frozenset({0, 1})  # ban | tuyên_giáo
    tokens = {
        # "giáo" ends the word "tuyên_giáo" and "đoàn" starts "đoàn_đại_biểu": not the term "giáo đoàn"
        "a": ["trưởng", "ban_tuyên_giáo", "đoàn_đại_biểu_quốc_hội"],
        # a whole word inside the multiword term: giải_phóng | mặt_bằng
        "b": ["công_tác", "giải_phóng_mặt_bằng"],
        "c": ["thực_hiện_quy_chế_dân_chủ_ở_cơ_sở"],
        # "dịch" is half of the word "dịch_bệnh" inside "phòng_chống_dịch_bệnh"
        "d": ["phòng_chống_dịch_bệnh"],
    }
    found = {doc: [themes.themes[0].terms[b] for _, b, _, _ in themes.match(toks)] for doc, toks in tokens.items()}
    assert found == {"a": [], "b": ["mặt bằng"], "c": ["quy chế dân chủ"], "d": []}


# -- seeds -------------------------------------------------------------------------------------


@needs_seeds
def test_themes_on_seed_pages(themes):
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))}
    assert texts
    h = theme_hits(_tokens(texts), themes, _documents(texts))
    present = h[h["present"]].groupby("theme")["doc_id"].nunique()
    # every seed page reports on grassroots democracy; most also on religion, site clearance, Dân vận khéo
    assert present.get("democracy_regulations", 0) == len(texts)
    assert present.get("religion", 0) >= 2
    assert present.get("site_clearance", 0) >= 2
    assert present.get("dan_van_kheo", 0) >= 2


# -- CLI -----------------------------------------------------------------------------------------


def test_cli_themes_kwic_validate(tmp_path):
    import toolkit.cli.themes  # noqa: F401  (registers the commands)
    from toolkit.cli import app
    from toolkit.corpus import conform, read_table, write_table

    texts = {f"d{i}": t for i, t in enumerate([
        "Vận động nhân dân GPMB dự án.", "Tu bổ chùa làng.", "Phòng chống dịch Covid-19.",
        "Thực hiện quy chế dân chủ ở cơ sở.", "Giải phóng mặt bằng đúng tiến độ.", "Tặng quà hộ nghèo.",
    ])}
    docs = conform(_documents(texts, province="Hà Nội", district=["A", "A", "A", "B", "B", "B"],
                              year=[2020, 2020, 2021, 2021, 2021, 2021]))
    corpus = tmp_path / "docs.parquet"
    write_table(docs, corpus)
    runner = CliRunner()
    res = runner.invoke(app, ["themes", str(corpus), "-o", str(tmp_path / "shares.csv"), "--by", "district,year",
                              "--n-boot", "50", "--per-doc", str(tmp_path / "hits.parquet"), "--jobs", "1"])
    assert res.exit_code == 0, res.output
    shares = read_table(tmp_path / "shares.csv")
    assert set(shares["district"]) == {"A", "B"} and len(shares) == 2 * 2 * len(load_themes().ids)
    hits = read_table(tmp_path / "hits.parquet")
    assert hits.query("doc_id == 'd0' and theme == 'site_clearance'")["hits"].iat[0] == 1
    assert set(shares["locality"]) == {"A, Hà Nội", "B, Hà Nội"}
    res = runner.invoke(app, ["kwic", str(corpus), "giải phóng mặt bằng", "--window", "3"])
    assert res.exit_code == 0, res.output
    assert "[GPMB]" in res.output and "[Giải phóng mặt bằng]" in res.output
    # a theme id is not a phrase of the text: no lines, and the reason
    res = runner.invoke(app, ["kwic", str(corpus), "site_clearance"])
    assert res.exit_code == 0 and "0 occurrence(s)" in res.output
    assert "'site_clearance' is a theme id, not a phrase" in res.output and "kwic" in res.output
    res = runner.invoke(app, ["validate-themes", str(corpus), "-o", str(tmp_path / "terms.csv"), "--jobs", "1"])
    assert res.exit_code == 0, res.output
    assert "never counted (absent, or every occurrence excluded)" in res.output and "column same_as" in res.output


def test_weak_terms_need_an_anchor_term():
    from toolkit.themes.dictionary import theme_hits, themes_from_mapping

    themes = themes_from_mapping({"themes": {"covid": {
        "terms": ["Covid-19", "dịch bệnh", "cách ly"], "weak_terms": ["dịch bệnh", "cách ly"]}}})
    tokens = pd.DataFrame({
        "doc_id": ["dengue2018", "covid2021"],
        "tokens": [["phòng_chống", "dịch", "bệnh", "sốt_xuất_huyết", "cách_ly"],
                   ["phòng_chống", "dịch", "bệnh", "covid-19", "cách_ly"]],
    })
    hits = theme_hits(tokens, themes).set_index("doc_id")
    assert hits.loc["dengue2018", "hits"] == 0 and not hits.loc["dengue2018", "present"]
    assert hits.loc["covid2021", "hits"] == 3


def test_weak_terms_validation():
    from toolkit.themes.dictionary import themes_from_mapping

    with pytest.raises(ValueError, match="not among"):
        themes_from_mapping({"themes": {"covid": {"terms": ["Covid-19"], "weak_terms": ["dịch"]}}})
    with pytest.raises(ValueError, match="every term is weak"):
        themes_from_mapping({"themes": {"covid": {"terms": ["dịch"], "weak_terms": ["dịch"]}}})


# -- date rules and proximity ------------------------------------------------------

DATED = {"themes": {"covid": {
    "label_en": "COVID-19", "label_vi": "Covid",
    "terms": ["Covid-19", "dịch bệnh", "khẩu trang"],
    "weak_terms": ["dịch bệnh", "khẩu trang"],
    "weak_alone_between": ["2020-02", "2022-12"],
    "weak_alone_terms": ["dịch bệnh"],
    "not_before": "2019-12",
}}}


@pytest.fixture(scope="module")
def dated():
    return themes_from_mapping(DATED)


@pytest.mark.parametrize("text, date, year, expected", [
    ("Giải đấu hoãn vì dịch bệnh.", "2021-07-01", 2021, 1),     # the pandemic years: the epidemic word alone
    ("Giải đấu hoãn vì dịch bệnh.", "2021", 2021, 1),           # a year-only date inside the window
    ("Giải đấu hoãn vì dịch bệnh.", "2018-07-01", 2018, 0),     # before: another epidemic
    ("Giải đấu hoãn vì dịch bệnh.", None, None, 0),             # undated: the plain rule (needs an anchor)
    ("Giải đấu hoãn vì dịch bệnh.", "2020", 2020, 0),           # the year 2020 reaches into January: not wholly inside
    ("Phát khẩu trang cho học sinh.", "2021-03-02", 2021, 0),   # weak but not listed to count alone
    ("Phòng chống Covid-19 tại trường.", "2017-05-01", 2017, 0),  # not_before: no COVID in 2017 news
    ("Phòng chống Covid-19 tại trường.", None, None, 1),
    ("Phòng chống Covid-19, phát khẩu trang.", None, None, 2),
])
def test_date_rules(dated, text, date, year, expected):
    docs = pd.DataFrame({"doc_id": ["a"], "title": [""], "body": [text], "date": [date],
                         "year": pd.array([year], dtype="Int64")})
    hits = theme_hits(_tokens({"a": text}), dated, docs)
    assert int(hits["hits"].iloc[0]) == expected


def test_date_rules_without_a_document_table_follow_the_plain_rules(dated):
    hits = theme_hits(_tokens({"a": "Hoãn vì dịch bệnh."}), dated)
    assert int(hits["hits"].iloc[0]) == 0


def test_near_rule_counts_an_ambiguous_term_only_in_context():
    themes = themes_from_mapping({"themes": {"site": {
        "label_en": "Site", "label_vi": "GPMB", "terms": ["bồi thường"],
        "exclude": [{"term": "bồi thường", "near": ["đất", "tái định cư"], "window": 6}],
    }}})
    texts = {"a": "Bồi thường cho hộ dân có đất bị thu hồi.", "b": "Bị cáo phải bồi thường cho người bị hại.",
             "c": "Bồi thường cho các hộ dân nằm trong vùng quy hoạch khu công nghiệp mới của huyện nhà có đất."}
    got = {d: int(h) for d, h in theme_hits(_tokens(texts), themes).set_index("doc_id")["hits"].items()}
    assert got == {"a": 1, "b": 0, "c": 0}


def test_one_exclude_rule_serves_a_list_of_terms():
    # the variants of one wording share a rule; every name in the list must be a term of the theme
    spec = {"label_en": "Site", "label_vi": "GPMB", "terms": ["bồi thường", "đền bù", "giải tỏa"],
            "exclude": [{"term": ["bồi thường", "đền bù"], "near": ["đất"], "window": 6}]}
    themes = themes_from_mapping({"themes": {"site": spec}})
    texts = {"a": "Bồi thường cho hộ dân có đất bị thu hồi.", "b": "Bị cáo phải bồi thường cho người bị hại.",
             "c": "Công ty phải đền bù cho khách hàng.", "d": "Đền bù đất cho các hộ dân.",
             "e": "Giải tỏa ách tắc giao thông."}
    got = {d: int(h) for d, h in theme_hits(_tokens(texts), themes).set_index("doc_id")["hits"].items()}
    assert got == {"a": 1, "b": 0, "c": 0, "d": 1, "e": 1}
    bad = {**spec, "exclude": [{"term": ["bồi thường", "di dời"], "near": ["đất"]}]}
    with pytest.raises(ValueError, match="exclude rule for 'di dời'"):
        themes_from_mapping({"themes": {"site": bad}})


def test_a_context_written_with_underscores_is_a_whole_word():
    # "nhân dân" as syllables also ends "ủy_ban_nhân_dân" and "hội_đồng_nhân_dân"; "nhân_dân" is the people alone
    def themes_with(word, side="near"):
        rule = {"term": "đối thoại", side: [word]} | ({"window": 6} if side == "near" else {})
        return themes_from_mapping({"themes": {"t": {"label_en": "", "label_vi": "", "terms": ["đối thoại"],
                                                     "exclude": [rule]}}})
    texts = {"people": "Chủ tịch xã mở hội nghị đối thoại, lắng nghe Nhân dân về quy hoạch.",
             "committee": "Ủy ban nhân dân tỉnh đã đối thoại với các bên.",
             "council": "Đại biểu Hội đồng nhân dân đối thoại trên truyền hình."}
    syllables = {d: int(h) for d, h in theme_hits(_tokens(texts), themes_with("nhân dân")).set_index("doc_id")["hits"].items()}
    assert syllables == {"people": 1, "committee": 1, "council": 1}
    words = {d: int(h) for d, h in theme_hits(_tokens(texts), themes_with("nhân_dân")).set_index("doc_id")["hits"].items()}
    assert words == {"people": 1, "committee": 0, "council": 0}
    # as a `before` context too: only the whole word cancels
    before = themes_with("nhân_dân", side="before")
    got = {d: int(h) for d, h in theme_hits(_tokens({"a": "Nhân dân đối thoại.", "b": "Ủy ban nhân dân đối thoại."}),
                                             before).set_index("doc_id")["hits"].items()}
    assert got == {"a": 0, "b": 1}


@pytest.mark.parametrize("spec, message", [
    ({"weak_alone_between": ["2020-01", "2022-12"]}, "needs weak_terms"),
    ({"weak_terms": ["dịch"], "weak_alone_between": ["2023", "2020"]}, "FROM is after TO"),
    ({"weak_terms": ["dịch"], "weak_alone_between": ["2020-13", "2022"]}, "no month"),
    ({"weak_terms": ["dịch"], "weak_alone_between": ["2020", "2022"], "weak_alone_terms": ["Covid"]}, "not among the weak_terms"),
    ({"not_before": "12/2019"}, "not a date"),
    ({"weak_terms": ["dịch"], "weak_alone_unless": ["sởi"]}, "weak_alone_unless needs weak_alone_between"),
    ({"weak_terms": ["dịch"], "weak_alone_between": ["2020", "2022"], "weak_alone_unless": []}, "is empty"),
    ({"weak_terms": ["dịch"], "weak_alone_between": ["2020", "2022"], "weak_alone_unless": ["sởi("]},
     "not a valid regex"),
    ({"weak_terms": ["dịch"], "weak_alone_between": ["2020", "2022"], "weak_alone_unless": ["${measles}"]},
     r"uses \$\{measles\}, which \[patterns\] does not define"),
    ({"weak_terms": ["dịch"], "weak_alone_between": ["2020", "2022"], "weak_alone_unless": [3]},
     "is a list of regular expressions"),
    ({"exclude": [{"term": "dịch", "window": 3}]}, "needs `near`"),
])
def test_date_and_near_rules_are_checked_on_load(spec, message):
    base = {"label_en": "C", "label_vi": "C", "terms": ["Covid", "dịch"]}
    with pytest.raises(ValueError, match=message):
        themes_from_mapping({"themes": {"covid": {**base, **spec}}})


def test_every_theme_of_the_project_dictionary_has_a_definition(themes):
    assert all(len(t.definition) > 40 for t in themes.themes)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_cli_themes_by_district_same_named(tmp_path, suffix):
    import toolkit.cli.themes  # noqa: F401  (registers the commands)
    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table

    texts = {f"d{i}": t for i, t in enumerate([
        "Vận động nhân dân giải phóng mặt bằng.", "Tặng quà hộ nghèo.", "Tu bổ chùa làng.",
        "Giải phóng mặt bằng đúng tiến độ.",
    ])}
    # A researcher's own table: province and district, no locality column.
    docs = _documents(texts, province=["Bến Tre", "Bến Tre", "Tiền Giang", "Tiền Giang"],
                      district="Huyện Châu Thành", year=2021)
    corpus = tmp_path / f"docs{suffix}"
    write_table(docs, corpus)
    res = CliRunner().invoke(app, ["themes", str(corpus), "-o", str(tmp_path / "shares.csv"), "--by", "district",
                                   "--n-boot", "0", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    shares = read_table(tmp_path / "shares.csv")
    site = shares[shares["theme"] == "site_clearance"]
    assert site[["province", "district", "locality", "n_docs"]].values.tolist() == [
        ["Bến Tre", "Huyện Châu Thành", "Huyện Châu Thành, Bến Tre", "2"],
        ["Tiền Giang", "Huyện Châu Thành", "Huyện Châu Thành, Tiền Giang", "2"],
    ]
    assert site["share"].astype(float).tolist() == [0.5, 0.5]


# -- honest intervals for small cells ------------------------------------------------


def _simulated_cells(p: float, n: int, reps: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    present = rng.random(reps * n) < p
    ids = [f"d{i}" for i in range(reps * n)]
    hits = pd.DataFrame({"doc_id": ids, "theme": "t", "hits": present.astype(int), "n_tokens": 50,
                         "present": present})
    docs = pd.DataFrame({"doc_id": ids, "cell": np.repeat(np.arange(reps), n)})
    return hits, docs


@pytest.mark.parametrize("interval", ["jeffreys", "wilson"])
@pytest.mark.parametrize("p", [0.0, 0.02, 0.3])
@pytest.mark.parametrize("n", [3, 10, 80])
def test_share_intervals_keep_their_coverage_in_small_and_empty_cells(interval, p, n):
    hits, docs = _simulated_cells(p, n, reps=600, seed=int(1000 * p) + n)
    shares = theme_shares(hits, docs, by=["cell"], interval=interval)
    covered = ((shares["ci_low"] <= p) & (p <= shares["ci_high"])).mean()
    # exact coverage of both intervals is >= 0.924 at these (p, n); 600 cells add ~0.01 of noise
    assert covered >= 0.90
    assert (shares["ci_high"] > shares["ci_low"]).all()  # never a point, even when k = 0 or k = n


def test_bootstrap_intervals_collapse_where_the_default_does_not():
    hits, docs = _simulated_cells(0.02, 3, reps=600, seed=5)
    boot = theme_shares(hits, docs, by=["cell"], interval="bootstrap", n_boot=200, random_state=0)
    assert ((boot["ci_low"] <= 0.02) & (0.02 <= boot["ci_high"])).mean() < 0.2
    with pytest.raises(ValueError, match="interval"):
        theme_shares(hits, docs, by=["cell"], interval="normal")


def test_a_term_that_stopwords_shrink_to_one_syllable_is_warned(caplog):
    # `bà` is a stopword: `bà đồng` (a spirit medium) would count every `đồng` (the currency)
    from toolkit.themes.dictionary import themes_from_mapping

    with caplog.at_level(logging.WARNING, logger="toolkit.themes"):
        themes_from_mapping({"themes": {"religion": {"terms": ["bà đồng", "lên đồng", "tôn giáo"]}}})
    warned = [r.getMessage() for r in caplog.records if "alone once its stopwords" in r.getMessage()]
    assert len(warned) == 1 and "'bà đồng'" in warned[0] and "'đồng'" in warned[0]


def test_one_term_count_serves_hits_term_table_and_kwic(themes):
    """The costly count is shared (counts=) and gives what each function computes on its own."""
    from toolkit.themes import theme_kwic
    from toolkit.themes.dictionary import term_counts

    texts = {"a": "Xã hoàn thành giải phóng mặt bằng dự án. Nhà thờ giáo xứ tổ chức thánh lễ.",
             "b": "Mặt bằng giá tăng; thuê mặt bằng kinh doanh.", "c": ""}
    docs = _documents(texts)
    tokens = _tokens(texts)
    counts = term_counts(tokens, themes, docs)
    assert counts.dtype == np.int32 and counts.shape == (3, themes.n_terms)
    pd.testing.assert_frame_equal(theme_hits(tokens, themes, docs, counts=counts), theme_hits(tokens, themes, docs))
    pd.testing.assert_frame_equal(validate_themes(tokens, docs, themes, by=(), counts=counts),
                                  validate_themes(tokens, docs, themes, by=()))
    pd.testing.assert_frame_equal(theme_kwic(docs, tokens, themes, counts=counts), theme_kwic(docs, tokens, themes))
    with pytest.raises(ValueError, match="term_counts"):
        theme_hits(tokens, themes, docs, counts=counts[:2])


def test_kwic_stops_at_max_per_doc_and_theme_kwic_keeps_the_first_lines(themes):
    from toolkit.themes import theme_kwic

    texts = {"a": "Giải phóng mặt bằng xong. Lại giải phóng mặt bằng. Bồi thường, hỗ trợ, tái định cư cho dân. "
                  "Giải phóng mặt bằng lần ba.",
             "b": "Tái định cư cho các hộ dân. Giải phóng mặt bằng đường mới."}
    docs = _documents(texts)
    every = kwic(docs, "giải phóng mặt bằng")
    assert every["doc_id"].tolist() == ["a", "a", "a", "b"]
    first = kwic(docs, "giải phóng mặt bằng", max_per_doc=1)
    pd.testing.assert_frame_equal(first, every.groupby("doc_id").head(1).reset_index(drop=True))
    assert kwic(docs, "giải phóng mặt bằng", max_per_doc=0).empty
    # a document's lines: terms in file order, then text order, at most max_lines of them
    lines = theme_kwic(docs, _tokens(texts), themes, max_lines=2)
    site = lines[lines["theme"] == "site_clearance"]
    assert site.groupby("doc_id").size().to_dict() == {"a": 2, "b": 2}
    assert site.loc[site["doc_id"] == "a", "keyword"].str.lower().tolist() == ["giải phóng mặt bằng"] * 2



def test_theme_kwic_shows_every_hit_whose_near_context_is_a_few_words_away(themes):
    """A term that counts only near a phrase (``đối thoại`` near ``người dân``) gets its line in KWIC
    even when the phrase is more words away than the few that confirm a plain term."""
    from toolkit.themes import theme_kwic

    texts = {"a": "Chủ tịch xã tham gia buổi đối thoại trực tuyến trên mạng với người dân về quy hoạch.",
             "b": "Hai nước tiếp tục đối thoại chiến lược về an ninh khu vực."}
    docs, tokens = _documents(texts), _tokens(texts)
    hits = theme_hits(tokens, themes, docs)
    counted = set(hits.loc[hits["present"] & (hits["theme"] == "democracy_regulations"), "doc_id"])
    assert counted == {"a"}  # the residents make it count; diplomacy does not
    lines = theme_kwic(docs, tokens, themes)
    lines = lines[lines["theme"] == "democracy_regulations"]
    assert lines["doc_id"].tolist() == ["a"] and lines["keyword"].tolist() == ["đối thoại"]


def test_kwic_shows_a_term_whose_stopwords_the_text_writes_otherwise():
    """The tokens drop stopwords, so "lấy ý kiến của người dân" counts for "lấy ý kiến người dân" and "công
    khai để người dân biết" for "công khai cho người dân": KWIC shows those lines too, as written, and not a
    phrase whose extra words are not stopwords."""
    texts = {"a": "Thành phố đã lấy ý kiến của người dân về hệ thống loa.",
             "b": "Kết luận sẽ được công khai để người dân biết.",
             "c": "Xã lấy ý kiến chuyên gia, người dân chưa được hỏi."}
    docs = _documents(texts)
    out = kwic(docs, "lấy ý kiến người dân", window=2)
    assert out["doc_id"].tolist() == ["a"] and out["keyword"].tolist() == ["lấy ý kiến của người dân"]
    out = kwic(docs, "công khai cho người dân", window=2)
    assert out["doc_id"].tolist() == ["b"] and out["keyword"].tolist() == ["công khai để người dân"]
    # what KWIC shows is what the dictionary counts
    themes = themes_from_mapping({"themes": {"d": {"terms": ["lấy ý kiến người dân", "công khai cho người dân"]}}})
    counted = set(theme_hits(_tokens(texts), themes, docs).query("present")["doc_id"])
    assert counted == {"a", "b"}


def test_a_pattern_cancels_only_the_occurrences_inside_its_match():
    """A context named by a pattern ("Phó Giám đốc <office>") leaves the office's other mentions counted."""
    themes = themes_from_mapping({"themes": {"site": {
        "terms": ["Trung tâm phát triển quỹ đất"],
        "exclude": [{"term": "Trung tâm phát triển quỹ đất",
                     "pattern": ["[Gg]iám đốc Trung tâm [Pp]hát triển [Qq]uỹ đất"]}]}}})
    texts = {"title_only": "Ông Tuấn, Phó Giám đốc Trung tâm Phát triển quỹ đất, phát biểu.",
             "both": "Ông Tuấn, Phó Giám đốc Trung tâm Phát triển quỹ đất, cho biết Trung tâm Phát triển quỹ đất "
                     "đã chi trả tiền bồi thường.",
             "work_first": "Trung tâm Phát triển quỹ đất đã chi trả. Ông Tuấn, Giám đốc Trung tâm Phát triển quỹ đất, "
                           "cho biết."}
    counts = _hits_of(texts, themes, "site")
    assert counts == {"title_only": 0, "both": 1, "work_first": 1}


# -- KWIC shows what counts; rules that cannot fire fail on load -------------------------------


def _foreign_rule_themes():
    """A theme whose `tố cáo` does not count in a sentence, or a document headed, about a foreign head of state."""
    return themes_from_mapping({
        "patterns": {"foreign_state": "(?:Tổng thống|Nhà Trắng)"},
        "themes": {"t": {"terms": ["tố cáo"], "exclude": [
            {"term": "tố cáo", "pattern": r"[^.!?\n]*${foreign_state}[^.!?\n]*", "title": "${foreign_state}"}]}}})


def test_kwic_lines_are_the_occurrences_that_pattern_and_title_rules_leave_counted():
    """KWIC shows exactly what counts: not the occurrence a `pattern` cancels, nor any in a document whose
    `title` rule matches (alone, with the token table, and in theme_kwic)."""
    from toolkit.themes import theme_kwic

    themes = _foreign_rule_themes()
    rows = {"mixed": ("Tiếp dân ở xã", "Bà Hoa tố cáo cán bộ địa chính. Tổng thống nước bạn tố cáo báo chí. "
                                       "Ông Tư tố cáo chủ tịch xã."),
            "headed": ("Nhà Trắng đáp lời", "Bà Hoa tố cáo cán bộ địa chính."),
            "plain": ("Tiếp dân ở phường", "Ông Tư tố cáo cán bộ phường.")}
    docs = pd.DataFrame({"doc_id": list(rows), "title": [t for t, _ in rows.values()],
                         "body": [b for _, b in rows.values()]})
    tokens = _tokens({d: f"{t}\n\n{b}" for d, (t, b) in rows.items()})
    assert theme_hits(tokens, themes, docs).set_index("doc_id")["hits"].to_dict() == {
        "headed": 0, "mixed": 2, "plain": 1}
    for lines in (kwic(docs, "tố cáo", window=2, themes=themes),
                  kwic(docs, "tố cáo", window=2, themes=themes, tokens=tokens),
                  theme_kwic(docs, tokens, themes, window=2)):
        assert lines["doc_id"].tolist() == ["mixed", "mixed", "plain"]
        assert lines["left"].tolist() == ["Bà Hoa", "Ông Tư", "Ông Tư"]
    # without the dictionary, every occurrence of the phrase
    assert len(kwic(docs, "tố cáo", window=2)) == 5


def test_kwic_pairs_its_lines_with_the_counted_occurrences_by_context():
    """When KWIC confirms fewer lines than the tokens hold occurrences, each line goes to the occurrence whose
    syllables around it agree, so the line of a cancelled occurrence is not shown in place of a counted one."""
    from toolkit.text.segment import get_tokenizer
    from toolkit.themes.concordance import _counted_lines

    tokenizer = get_tokenizer()
    syllables = [s for t in tokenize("Bà Hoa tố cáo cán bộ địa chính. Tổng thống nước bạn tố cáo báo chí. "
                                     "Ông Tư tố cáo chủ tịch xã.") for s in t.split("_")]
    starts = [i for i in range(len(syllables) - 1) if syllables[i:i + 2] == ["tố", "cáo"]]
    assert len(starts) == 3
    occurrences = [(True, starts[0], starts[0] + 2), (False, starts[1], starts[1] + 2), (True, starts[2], starts[2] + 2)]
    # the first occurrence had no line; the second is cancelled (a pattern), the third counts
    lines = [(0, 0, "Tổng thống nước bạn", "báo chí."), (1, 1, "báo chí. Ông Tư", "chủ tịch xã.")]
    assert _counted_lines(lines, syllables, occurrences, tokenizer) == [lines[1]]
    # as many lines as occurrences: paired in order
    every = [(0, 0, "Bà Hoa", "cán bộ"), *lines]
    assert _counted_lines(every, syllables, occurrences, tokenizer) == [every[0], every[2]]


def test_kwic_gives_an_occurrence_to_the_longest_term_of_its_theme_and_reads_through_quotes():
    """As in counting, "đền, chùa" is one occurrence of the term "đền chùa", not also one of "đền"; a term
    written between quotes ("Dân vận khéo") is found."""
    themes = themes_from_mapping({"themes": {
        "faith": {"terms": ["đền", "đền chùa"]},
        "kheo": {"terms": ["phong trào thi đua Dân vận khéo"]}}})
    texts = {"a": "Du khách đi lễ đền, chùa đầu năm. Người dân dâng hương ở đền làng.",
             "b": "Xã phát động phong trào thi đua “Dân vận khéo” năm 2024."}
    docs = _documents(texts)
    counts = theme_hits(_tokens(texts), themes, docs).set_index(["doc_id", "theme"])["hits"]
    assert counts["a", "faith"] == 2 and counts["b", "kheo"] == 1
    assert kwic(docs, "đền", themes=themes, window=2)["right"].tolist() == ["làng."]
    assert kwic(docs, "đền chùa", themes=themes, window=2)["keyword"].tolist() == ["đền, chùa"]
    assert len(kwic(docs, "đền", window=2)) == 2  # the phrase alone, with no theme around it
    assert kwic(docs, "phong trào thi đua Dân vận khéo", themes=themes)["doc_id"].tolist() == ["b"]


def test_kwic_applies_the_rules_of_the_theme_it_is_asked_for():
    """A term of two themes: `theme=` chooses whose rules apply (default: the first in the file)."""
    themes = themes_from_mapping({"themes": {
        "complaints": {"terms": ["tố cáo"]},
        "citizens": {"terms": ["tố cáo"], "exclude": [{"term": "tố cáo", "pattern": "[^.]*Tổng thống[^.]*"}]}}})
    docs = _documents({"a": "Tổng thống tố cáo báo chí."})
    assert len(kwic(docs, "tố cáo", themes=themes)) == 1
    assert len(kwic(docs, "tố cáo", themes=themes, theme="complaints")) == 1
    assert kwic(docs, "tố cáo", themes=themes, theme="citizens").empty
    with pytest.raises(ValueError, match="unknown theme 'citizen'"):
        kwic(docs, "tố cáo", themes=themes, theme="citizen")
    with pytest.raises(ValueError, match="'khiếu nại' is not a term of theme 'citizens'"):
        kwic(docs, "khiếu nại", themes=themes, theme="citizens")


def _themes_file(tmp_path, text: str):
    path = tmp_path / "themes.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unknown_pattern_name_is_a_load_error_that_suggests_the_defined_one(tmp_path):
    """A misspelt ${name} would stay in the regex, which then never matches: the file is refused."""
    from toolkit.errors import UserError

    path = _themes_file(tmp_path, """
[patterns]
foreign_state = '(?:Tổng thống|Nhà Trắng)'

[themes.x]
terms = ["tố cáo", "khiếu nại"]

[[themes.x.exclude]]
term = "khiếu nại"
after = ["đông người"]

[[themes.x.exclude]]
term = "tố cáo"
pattern = ['[^.]*${foreign_stat}[^.]*']
""")
    with pytest.raises(UserError) as err:
        load_themes(path)
    assert err.value.path is None and err.value.message.startswith(str(path))  # the file, named once
    for part in ("[themes.x], exclude rule #2", "pattern '[^.]*${foreign_stat}[^.]*' of 'tố cáo'",
                 "${foreign_stat}", "did you mean ${foreign_state}?"):
        assert part in err.value.message
    # in a title too, and a name that is no name at all; a `$` that is the regex's own end of line stays
    spec = {"terms": ["tố cáo"], "exclude": [{"term": "tố cáo", "title": "${Nhà Trắng}"}]}
    with pytest.raises(ValueError, match=r"title '\$\{Nhà Trắng\}' of 'tố cáo' uses \$\{Nhà Trắng\}.*no \[patterns\]"):
        themes_from_mapping({"themes": {"x": spec}})
    spec = {"terms": ["tố cáo"], "exclude": [{"term": "tố cáo", "pattern": "tố cáo$", "title": "${place}"}]}
    themes = themes_from_mapping({"patterns": {"place": "Phường"}, "themes": {"x": spec}})
    assert [p.pattern for p in themes.themes[0].excludes["tố cáo"].patterns] == ["tố cáo$"]


@pytest.mark.parametrize("rule, message", [
    ({"term": "tố cáo"}, r"exclude rule #1 \(term 'tố cáo'\) names no context.*`before`, `after`, `pattern`"),
    ({"term": ["tố cáo", "khiếu nại"]}, "names no context"),
    ({"term": "*", "near": []}, r"\(term '\*'\) has an empty `near`"),
    ({"term": "tố cáo", "near": [], "window": 5}, "has an empty `near`"),
    ({"term": "tố cáo", "after": ["đông người"], "pattern": []}, "has an empty `pattern`"),
])
def test_an_exclude_rule_that_can_never_fire_is_a_load_error(rule, message):
    with pytest.raises(ValueError, match=message):
        themes_from_mapping({"themes": {"x": {"terms": ["tố cáo", "khiếu nại"], "exclude": [rule]}}})


def test_the_themes_file_header_documents_every_key_and_load_errors_point_to_it(tmp_path):
    """Every key a themes file may have is in the header of the project's file, which a load error names
    with the README section that explains how a term counts."""
    import re
    from pathlib import Path

    from toolkit import config
    from toolkit.errors import UserError
    from toolkit.themes.dictionary import _EXCLUDE_KEYS, _THEME_KEYS

    text = (config.lexicon_dir() / "themes.toml").read_text(encoding="utf-8")
    header = "\n".join(line for line in text.split("\n[", 1)[0].splitlines() if line.startswith("#"))
    undocumented = [k for k in sorted(_THEME_KEYS | _EXCLUDE_KEYS) if not re.search(rf"(?:#\s+|<id>\.){k}[\s\]]", header)]
    assert undocumented == []
    assert "a weak term is also written in `terms`" in " ".join(header.replace("#", " ").split()).lower()
    path = _themes_file(tmp_path, '[themes.x]\nterms = ["tố cáo"]\nweak_terms = ["khiếu nại"]\n')
    with pytest.raises(UserError, match="not among the theme's terms") as err:
        load_themes(path)
    assert "corpora/lexicons/themes.toml" in err.value.fix
    section, paragraph = re.search(r"README, section `([^`]+)`, '([^']+)'", err.value.fix).groups()
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"### `{section} " in readme and f"\n{paragraph} (" in readme


def test_the_miss_stratum_is_described_as_no_flag_for_the_chosen_themes():
    import inspect

    from toolkit.cli.themes import sample_command

    help_text = inspect.signature(sample_command).parameters["miss_fraction"].default.help
    assert "none of the chosen themes" in help_text and "no theme" not in help_text


def test_cli_kwic_prints_only_the_lines_the_themes_file_counts(tmp_path):
    import toolkit.cli.themes  # noqa: F401  (registers the commands)
    from toolkit.cli import app
    from toolkit.corpus import conform, write_table

    path = _themes_file(tmp_path, """
[patterns]
foreign_state = '(?:Tổng thống|Nhà Trắng)'

[themes.x]
terms = ["tố cáo"]

[[themes.x.exclude]]
term = "tố cáo"
pattern = ['[^.!?\\n]*${foreign_state}[^.!?\\n]*']
""")
    corpus = tmp_path / "docs.parquet"
    write_table(conform(_documents({"a": "Bà Hoa tố cáo cán bộ xã. Tổng thống nước bạn tố cáo báo chí."},
                                   province="Hà Nội", district="A", year=2021)), corpus)
    runner = CliRunner()
    res = runner.invoke(app, ["kwic", str(corpus), "tố cáo", "--themes", str(path), "--window", "3"])
    assert res.exit_code == 0, res.output
    assert "1 occurrence(s)" in res.output and "Bà Hoa [tố cáo] cán bộ xã." in res.output
    assert "bạn [tố cáo]" not in res.output  # the foreign president's line, which did not count
    res = runner.invoke(app, ["kwic", str(corpus), "tố cáo", "--themes", str(path), "--theme-id", "y"])
    assert res.exit_code == 2 and "unknown theme 'y'" in res.output
