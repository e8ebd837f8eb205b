"""Encoding detection and repair: UTF-8/16, Windows-1258, TCVN3, VNI and legacy-in-Unicode."""

from __future__ import annotations

import random
import unicodedata

import pytest

from toolkit.ingest.encoding import (
    ENCODINGS,
    DecodedText,
    UndecodableError,
    decode_bytes,
    encode_text,
    repair_legacy_in_unicode,
    vietnamese_score,
)

# Correct Vietnamese, written for these tests: all tones, ă â đ ê ô ơ ư,
# rare rhymes, capitals, old- and new-style tone placement, symbols.
CORRECT = [
    "Sáng 12/3, Ban Dân vận Huyện ủy Gia Lâm tổ chức hội nghị sơ kết công tác dân vận quý I.",
    "Đồng chí Nguyễn Thị Hường, Ủy viên Ban Thường vụ, Trưởng Ban Dân vận Tỉnh ủy phát biểu chỉ đạo.",
    "Ông Trần Quốc Tuấn đề nghị các đoàn thể phối hợp chặt chẽ, giữ vững ổn định an ninh trật tự.",
    "Hội Liên hiệp Phụ nữ xã trao 15 suất quà cho hội viên có hoàn cảnh khó khăn dịp Tết Nguyên đán.",
    "Khuỷu tay, nguệch ngoạc, ngoằn ngoèo, khuếch trương, thuở ấy, khuya khoắt, quýt ngọt.",
    "Ỷ lại, Ổn định, Ứng dụng, Ấp Bắc, Ẩn danh, Ưu tiên, Ỳ ạch, Ễnh ương, Ợ chua, Ỡm ờ.",
    "Hoà bình, thuỷ lợi, khoẻ mạnh và hòa bình, thủy lợi, khỏe mạnh cùng có trong một câu.",
    "Xoong nồi, boong tàu, huơ tay, oẳn tù tì, con hoẵng, giặt giũ, quỵ lụy, ưỡn ngực.",
    "NGHỊ QUYẾT ĐẠI HỘI ĐẢNG BỘ HUYỆN LẦN THỨ XX, NHIỆM KỲ 2020 – 2025.",
    "Mặt trận Tổ quốc phường vận động nhân dân hiến 1.200 m² đất làm đường giao thông nông thôn.",
    "© 2023 Cổng thông tin điện tử Huyện ủy; nhiệt độ 35°C, tỷ lệ 1:2 · «Dân vận khéo».",
    "Đoàn công tác gặp ông Müller và bà Peña tại Hà Nội để trao đổi kinh nghiệm xây dựng nông thôn mới.",
    "Chi bộ thôn Đông Xá kết nạp 3 đảng viên mới; đồng chí Bí thư Chi bộ trao quyết định.",
    "Cựu chiến binh Huỳnh Văn Ẩn kể lại những năm tháng gian khổ, hào hùng của dân tộc Việt Nam.",
    "Thực hiện Nghị quyết số 18-NQ/TW, huyện đã sắp xếp, tinh gọn bộ máy, giảm 12 đầu mối.",
]

# Round-trip sentences: every tone on every vowel, ă â đ ê ô ơ ư, and
# capitals (TCVN3 has no uppercase toned letters; see UPPER_TONED).
ROUND_TRIP = [
    "Ban Dân vận Huyện ủy đã phối hợp với các xã tuyên truyền, vận động nhân dân.",
    "Ăn quả nhớ kẻ trồng cây, uống nước nhớ nguồn: Đảng bộ và Ơn nghĩa, Ước mơ, Ông bà, Ê kíp, Âm vang.",
    "à á ả ã ạ ằ ắ ẳ ẵ ặ ầ ấ ẩ ẫ ậ è é ẻ ẽ ẹ ề ế ể ễ ệ ì í ỉ ĩ ị",
    "ò ó ỏ õ ọ ồ ố ổ ỗ ộ ờ ớ ở ỡ ợ ù ú ủ ũ ụ ừ ứ ử ữ ự ỳ ý ỷ ỹ ỵ đ",
    "Hội nghị sơ kết công tác dân vận 6 tháng đầu năm, triển khai nhiệm vụ những tháng cuối năm.",
    "Người dân thôn Yên Phụ hiến đất, góp công làm đường bê tông dài 1,5 km trong vòng hai tháng.",
    "Những kết quả đạt được của năm qua là tiền đề quan trọng để thực hiện thắng lợi nghị quyết.",
    "Mặt trận Tổ quốc và các đoàn thể chính trị – xã hội giám sát việc giải phóng mặt bằng.",
    "Khuya, chiến sĩ biên phòng vẫn tuần tra; thuở ấy quê hương nghèo khó, ngoằn ngoèo lối nhỏ.",
    "Đồng chí Bí thư Đảng ủy xã nhấn mạnh: “Cán bộ phải gần dân, hiểu dân, trọng dân.”",
    "Tỉnh Đoàn phát động phong trào thanh niên tình nguyện hè, ưu tiên vùng sâu, vùng xa.",
    "Quỹ vì người nghèo hỗ trợ xây mới 7 căn nhà, sửa chữa 4 căn, tổng trị giá gần 600 triệu đồng.",
]
UPPER_TONED = "Ủy ban Ấp Bắc Ổn định Ứng cử Ỷ lại Ệ Ọ Ỵ"

PAGE = "\n".join(ROUND_TRIP[:2] + ["Ngày đăng 03/04/2022 | 09:15 | Lượt xem: 128", ""] + ROUND_TRIP[4:])


# --------------------------------------------------------------------- UTF-8

@pytest.mark.parametrize("sentence", CORRECT)
def test_correct_unicode_is_never_converted(sentence):
    assert decode_bytes(sentence.encode("utf-8")) == DecodedText(sentence, "utf-8")
    assert repair_legacy_in_unicode(sentence) == (sentence, None)


def test_correct_unicode_page_with_symbols_is_kept():
    page = "\n\n".join(CORRECT)
    assert decode_bytes(page.encode("utf-8")) == DecodedText(page, "utf-8")


def test_ascii_only_is_utf8():
    assert decode_bytes(b"UBND xa Co Loa 2021") == DecodedText("UBND xa Co Loa 2021", "utf-8")


def test_bom_is_removed_and_labelled():
    assert decode_bytes(CORRECT[0].encode("utf-8-sig")) == DecodedText(CORRECT[0], "utf-8-sig")


def test_decomposed_utf8_becomes_nfc():
    decoded = decode_bytes(unicodedata.normalize("NFD", CORRECT[1]).encode("utf-8"))
    assert decoded == DecodedText(CORRECT[1], "utf-8-nfd")


def test_combining_tone_marks_after_composed_letters_become_nfc():
    # Windows-1258 style in Unicode: "ệ" as "ê" + combining dot below.
    text = "Huy\u00ea\u0323n u\u0309y"
    assert decode_bytes(text.encode("utf-8")) == DecodedText("Huyện ủy", "utf-8-nfd")


def test_tone_style_is_not_changed_here():
    for text in ("hoà thuỷ", "hòa thủy"):
        assert decode_bytes(text.encode()).text == text


# -------------------------------------------------------------------- UTF-16

@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    bom = "\ufeff".encode(codec)
    assert decode_bytes(bom + CORRECT[2].encode(codec)) == DecodedText(CORRECT[2], "utf-16")


def test_utf16_without_bom_is_recognised():
    assert decode_bytes(CORRECT[0].encode("utf-16-le")) == DecodedText(CORRECT[0], "utf-16")


# ------------------------------------------------------------ legacy 8-bit

@pytest.mark.parametrize("encoding", [e for e in ENCODINGS if "tcvn3" not in e and "in-unicode" not in e])
@pytest.mark.parametrize("sentence", ROUND_TRIP + [UPPER_TONED])
def test_round_trip(encoding, sentence):
    decoded = decode_bytes(encode_text(sentence, encoding))
    assert decoded == DecodedText(sentence, encoding)


@pytest.mark.parametrize("sentence", ROUND_TRIP)
def test_round_trip_tcvn3(sentence):
    assert decode_bytes(encode_text(sentence, "tcvn3")) == DecodedText(sentence, "tcvn3")


# Lists of lone letters are too weak evidence for an in-Unicode repair.
WORDS_ONLY = [s for s in ROUND_TRIP if not s.startswith(("à", "ò"))]


@pytest.mark.parametrize("encoding", ["tcvn3-in-unicode", "vni-in-unicode"])
@pytest.mark.parametrize("sentence", WORDS_ONLY)
def test_round_trip_legacy_in_unicode(encoding, sentence):
    assert decode_bytes(encode_text(sentence, encoding)) == DecodedText(sentence, encoding)


@pytest.mark.parametrize("encoding", ["utf-16", "cp1258", "tcvn3", "vni", "tcvn3-in-unicode", "vni-in-unicode"])
def test_page_round_trip(encoding):
    assert decode_bytes(encode_text(PAGE, encoding)) == DecodedText(PAGE, encoding)


def test_tcvn3_uppercase_toned_letters_are_approximated_in_encode_only():
    assert encode_text("Ủy ban", "tcvn3") == b"\xf1y ban"
    assert decode_bytes(encode_text("Ủy ban Ấp Bắc", "tcvn3")).text == "ủy ban ấp Bắc"
    with pytest.raises(ValueError, match="TCVN3"):
        encode_text("Ủy ban", "tcvn3", errors="strict")
    # Uppercase letters without a tone have their own codes.
    # ... but all-caps words get their capitals back.
    for title in ("NGHỊ QUYẾT ĐẠI HỘI ĐẢNG BỘ Ở XÃ ĐÔNG ANH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"):
        assert decode_bytes(encode_text(title, "tcvn3")).text == title
    mixed = "Bộ GD&ĐT, Sở GTVT và HĐND tỉnh Hà Nam"
    assert decode_bytes(encode_text(mixed, "tcvn3")).text == mixed


def test_unrepresentable_characters():
    assert encode_text("© Đảng", "tcvn3") == b"? \xa7\xb6ng"
    with pytest.raises(ValueError):
        encode_text("© Đảng", "tcvn3", errors="strict")
    with pytest.raises(ValueError, match="unknown encoding"):
        encode_text("Đảng", "koi8-r")


def test_hand_written_tcvn3_bytes():
    data = "Ban D©n vËn HuyÖn ñy tæ chøc héi nghÞ, §¶ng bé x· ®· ®¹t ®­îc nhiÒu kÕt qu¶.".encode("cp1252")
    assert decode_bytes(data) == DecodedText(
        "Ban Dân vận Huyện ủy tổ chức hội nghị, Đảng bộ xã đã đạt được nhiều kết quả.", "tcvn3")


def test_hand_written_vni_bytes():
    data = "Ban Daân vaän Huyeän uûy toå chöùc hoäi nghò, Ñaûng boä xaõ ñaõ ñaït ñöôïc nhieàu keát quaû.".encode(
        "cp1252")
    assert decode_bytes(data) == DecodedText(
        "Ban Dân vận Huyện ủy tổ chức hội nghị, Đảng bộ xã đã đạt được nhiều kết quả.", "vni")


def test_hand_written_cp1258_bytes():
    # "Nghị quyết": i + combining dot (0xF2), ê + combining acute (0xEC).
    data = b"Ngh\x69\xf2 quy\xea\xect c\xf4ng t\xe1c d\xe2n v\xe2\xf2n"
    assert decode_bytes(data) == DecodedText("Nghị quyết công tác dân vận", "cp1258")


def test_curly_quotes_survive_legacy_encodings():
    text = "Phong trào “Dân vận khéo” – những việc làm hiệu quả của đoàn viên"
    for encoding in ("cp1258", "tcvn3", "vni"):
        assert decode_bytes(encode_text(text, encoding)).text == text


# ------------------------------------------------------ legacy in Unicode

def test_repair_tcvn3_in_unicode():
    assert repair_legacy_in_unicode("C«ng t¸c d©n vËn n¨m 2022 ®¹t nhiÒu kÕt qu¶") == (
        "Công tác dân vận năm 2022 đạt nhiều kết quả", "tcvn3-in-unicode")


def test_repair_vni_in_unicode():
    text = "Coâng taùc daân vaän naêm 2022 ñaït nhieàu keát quaû; Thöôøng tröïc Huyeän uûy"
    assert repair_legacy_in_unicode(text) == (
        "Công tác dân vận năm 2022 đạt nhiều kết quả; Thường trực Huyện ủy", "vni-in-unicode")


def test_legacy_in_unicode_page_is_repaired_by_decode():
    mojibake = "Héi nghÞ s¬ kÕt c«ng t¸c d©n vËn ®­îc tæ chøc t¹i Hµ Néi."
    assert decode_bytes(mojibake.encode("utf-8")) == DecodedText(
        "Hội nghị sơ kết công tác dân vận được tổ chức tại Hà Nội.", "tcvn3-in-unicode")


@pytest.mark.parametrize("sentence", [
    "Ủy ban nhân dân xã ¶ đã tổ chức các buổi đối thoại với nhân dân về công tác bồi thường.",
    "Đồng chí Bí thư nhấn mạnh µ công tác cán bộ là khâu then chốt của công tác xây dựng Đảng.",
    "Hội nghị ® có sự tham dự của đại biểu các xã, thị trấn ñ và các cơ quan chuyên môn của huyện.",
    "Người dân phấn khởi vì con đường bê tông đã về tận ngõ, ø giúp việc đi lại thuận tiện hơn.",
])
def test_stray_symbols_do_not_trigger_a_repair(sentence):
    assert decode_bytes(sentence.encode()) == DecodedText(sentence, "utf-8")


def test_repair_leaves_text_without_markers():
    assert repair_legacy_in_unicode("UBND xã") == ("UBND xã", None)


# ---------------------------------------------------------------- rejects

@pytest.mark.parametrize("data", [b"", b"   \n\t ", b"\xef\xbb\xbf  \n", b"\xff\xfe"])
def test_empty(data):
    with pytest.raises(UndecodableError, match="empty file"):
        decode_bytes(data)


def test_binary_with_nul_bytes():
    with pytest.raises(UndecodableError, match=r"binary file \(NUL bytes\)"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 3)


def test_random_bytes_are_undecodable():
    rng = random.Random(0)
    data = bytes(rng.randrange(0x20, 0x100) for _ in range(4000))
    with pytest.raises(UndecodableError, match="undecodable"):
        decode_bytes(data)


def test_control_bytes_are_binary():
    data = bytes([1, 2, 3, 4, 5, 6, 0xC3, 7, 8, 0x0E, 0x0F]) * 50
    with pytest.raises(UndecodableError, match="binary"):
        decode_bytes(data)


def test_undecodable_error_is_a_value_error():
    assert issubclass(UndecodableError, ValueError)


# ---------------------------------------------------------- score & speed

def test_vietnamese_score():
    assert vietnamese_score("Ban Dân vận tổ chức hội nghị") == 1.0
    assert vietnamese_score("Ban D©n vËn tæ chøc héi nghÞ") < 0.5
    assert vietnamese_score("các" + " cỏc") == 0.5  # hook tone cannot close with -c
    assert vietnamese_score("UBND 2021") == 0.0


def test_pages_that_need_scoring_keep_correct_text():
    # (speed belongs in `make bench`, never in a timed unit test)
    page = ("\n".join(CORRECT) + "\n") * 6  # foreign names send it to the scorer
    assert decode_bytes(page.encode()) == DecodedText(page, "utf-8")
    assert decode_bytes(encode_text(page, "tcvn3")).encoding == "tcvn3"


# ------------------------------------------------ span-wise repair (#11)

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conftest import CORPORA_DIR, needs_corpora  # noqa: E402
from toolkit.ingest.encoding import REPAIRS, RepairedText, repair_text  # noqa: E402

# A Unicode CMS template around a pasted body (written for these tests).
TITLE = "Hội nghị giao ban công tác dân vận"
TEMPLATE_HEAD = f"Trang chủ | Tin tức | Dân vận\n{TITLE}\nNgày đăng 12/05/2023 | Lượt xem: 215\n"
TEMPLATE_FOOT = "\nBản quyền thuộc Ban Dân vận Huyện ủy. Ghi rõ nguồn khi phát hành lại."
BODY = ("Sáng 11/5, Ban Dân vận Huyện ủy tổ chức hội nghị giao ban công tác dân vận tháng 5. "
        "Các đại biểu đánh giá kết quả thực hiện phong trào thi đua “Dân vận khéo” ở cơ sở.\n"
        "Đồng chí Trưởng ban đề nghị các xã tiếp tục vận động nhân dân hiến đất làm đường giao thông nông thôn.")


def _legacy(text: str, encoding: str) -> str:
    return encode_text(text, encoding).decode("utf-8")


@pytest.mark.parametrize("encoding", ["tcvn3-in-unicode", "vni-in-unicode", "double-utf-8"])
def test_unicode_template_around_a_legacy_body_keeps_the_template(encoding):
    page = TEMPLATE_HEAD + _legacy(BODY, encoding) + TEMPLATE_FOOT
    decoded = decode_bytes(page.encode("utf-8"))
    assert decoded.text == TEMPLATE_HEAD + BODY + TEMPLATE_FOOT
    assert decoded.encoding == f"utf-8+{encoding}"
    assert decoded.text.splitlines()[1] == TITLE  # not "cụng tỏc dõn vận"


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "cp1258"])
def test_raw_legacy_bytes_inside_a_utf8_page(encoding):
    data = TEMPLATE_HEAD.encode("utf-8") + encode_text(BODY, encoding) + TEMPLATE_FOOT.encode("utf-8")
    decoded = decode_bytes(data)
    assert decoded.text == TEMPLATE_HEAD + BODY + TEMPLATE_FOOT
    assert decoded.encoding == f"utf-8+{encoding}"


def test_whole_legacy_text_keeps_its_single_label():
    assert repair_text(_legacy(BODY, "tcvn3-in-unicode")) == RepairedText(BODY, ("tcvn3-in-unicode",), False)
    assert decode_bytes(encode_text(BODY, "double-utf-8")) == DecodedText(BODY, "double-utf-8")


def test_one_line_with_a_tcvn3_span_and_a_vni_span():
    first = "các đoàn thể cần bám sát cơ sở, lắng nghe ý kiến của nhân dân"
    second = "giải quyết dứt điểm các vụ việc phức tạp ngay từ thôn, tổ dân phố"
    line = f"Đồng chí Bí thư nhấn mạnh: {_legacy(first, 'tcvn3-in-unicode')}; {_legacy(second, 'vni-in-unicode')}."
    repaired = repair_text(line)
    assert repaired.text == f"Đồng chí Bí thư nhấn mạnh: {first}; {second}."
    assert repaired.repairs == ("tcvn3-in-unicode", "vni-in-unicode")
    assert repaired.mixed


# Correct text made mostly of words whose letters Windows-1252 also has
# (à á â ã è é ê ì í ò ó ô õ ù ú ý): TCVN3 would read "các" as "cỏc",
# "dân" as "dõn", "công" as "cụng", VNI "ô" as "ơ".
LATIN1_WORDS = [
    "Các bà con dân tộc thiểu số ở bản Pù Lầy tin tưởng vào công tác dân vận của cán bộ.",
    "Ông Lò Văn Tám cho biết: bà con đã góp công, góp cát, đá làm đường, xây cầu.",
    "Chính quyền xã tôn trọng ý kiến của nhân dân trong công tác giải phóng mặt bằng.",
    "HỘI NGHỊ GIAO BAN CÔNG TÁC DÂN VẬN KHỐI CÁC CƠ QUAN TỈNH",
    "Bí thư chi bộ thôn Tân Lập trao giấy khen cho các tập thể, cá nhân có thành tích.",
]


@pytest.mark.parametrize("sentence", LATIN1_WORDS)
@pytest.mark.parametrize("encoding", ["tcvn3-in-unicode", "vni-in-unicode"])
def test_correct_words_next_to_a_legacy_paragraph_are_never_touched(sentence, encoding):
    for page in (sentence + "\n" + _legacy(BODY, encoding), _legacy(BODY, encoding) + "\n" + sentence):
        repaired = repair_text(page)
        assert sentence in repaired.text.split("\n")
        assert BODY in repaired.text


@pytest.mark.parametrize("text", LATIN1_WORDS + CORRECT + [PAGE, TEMPLATE_HEAD + BODY + TEMPLATE_FOOT])
def test_repair_text_leaves_correct_text_alone(text):
    assert repair_text(text) == RepairedText(text, (), False)


@pytest.mark.parametrize("text", [
    "Giá 5 µg/ml, diện tích 3 × 4 m, nhiệt độ 35°C, © 2023 Cổng thông tin Huyện ủy",  # symbols TCVN3 uses for letters
    "Đoàn đại biểu gặp ông José Peña và bà Ångström tại Hà Nội; «Dân vận khéo» ¶ 2",
    "Văn bản số 15 ¶ 3 và § 2 Điều 4 quy định rõ trách nhiệm của người đứng đầu.",
])
def test_stray_latin1_symbols_in_correct_text_are_kept(text):
    assert repair_text(text).text == text


def test_a_single_legacy_word_is_not_enough_evidence():
    # One word that reads validly as TCVN3 ("D©n" → "Dân") is kept: a run
    # must fix at least two words.
    assert repair_text("Ban D©n") == RepairedText("Ban D©n", (), False)
    assert repair_text("Ban D©n vËn").text == "Ban Dân vận"


def test_tcvn3_title_capitals_are_restored_within_its_run_only():
    title = "ĐẢNG BỘ XÃ ĐÔNG ANH TỔ CHỨC ĐẠI HỘI"
    page = "HẠNG MỤC KHÁC. Từ nay\n" + _legacy(title, "tcvn3-in-unicode")
    assert repair_text(page).text == "HẠNG MỤC KHÁC. Từ nay\n" + title


def test_raw_bytes_that_read_as_no_vietnamese_become_cp1252():
    data = "Hội nghị tổng kết công tác dân vận năm 2023 tại Hà Nội. Café".encode("utf-8")[:-2] + b"\xe9"
    decoded = decode_bytes(data)
    assert decoded.text.endswith("Café")
    assert decoded.encoding == "utf-8+cp1252"


def test_repairs_are_listed_in_a_fixed_order():
    line = (_legacy("Ủy ban Mặt trận Tổ quốc xã phối hợp tổ chức", "vni-in-unicode") + "\n"
            + _legacy("ngày hội đại đoàn kết toàn dân tộc ở khu dân cư", "tcvn3-in-unicode") + "\n"
            + _legacy("với sự tham gia của đông đảo bà con nhân dân", "double-utf-8") + "\nĐồng chí")
    repaired = repair_text(line)
    assert repaired.repairs == ("double-utf-8", "tcvn3-in-unicode", "vni-in-unicode")
    assert list(repaired.repairs) == sorted(repaired.repairs, key=REPAIRS.index)


def test_repair_legacy_in_unicode_is_the_same_path():
    page = TEMPLATE_HEAD + _legacy(BODY, "vni-in-unicode")
    assert repair_legacy_in_unicode(page) == (TEMPLATE_HEAD + BODY, "vni-in-unicode")


# ----------------------------------------------- properties (hypothesis)

# Vocabulary written for these tests: lower-case syllables of the genre,
# capitals without tone marks (TCVN3 has no upper-case toned letters).
VOCABULARY = (
    "ban dân vận huyện ủy tỉnh xã phường thôn tổ chức hội nghị sơ kết tổng công tác cán bộ đảng viên "
    "nhân mặt trận quốc đoàn thể phụ nữ nông cựu chiến binh thanh niên vận động hiến đất làm đường "
    "giao thông mới xây dựng nông thôn các những của với được đã đang sẽ trong ngoài năm tháng kết quả "
    "triển khai thực hiện nghị quyết chỉ thị phong trào thi đua khéo gương điển hình tiên tiến bà con "
    "giải phóng mặt bằng dự án hỗ trợ hộ nghèo khó khăn quà tết nguyên đán an ninh trật tự ổn định"
).split()
CAPITALS = "Ban Hội Đồng Đảng Các Những Sáng Chiều Theo Thực Nhân Trong Đoàn Mặt Người".split()


@st.composite
def sentences(draw, min_words=6):
    words = draw(st.lists(st.sampled_from(VOCABULARY), min_size=min_words, max_size=14))
    return draw(st.sampled_from(CAPITALS)) + " " + " ".join(words) + draw(st.sampled_from([".", ";", ":", "!", ""]))


paragraphs = st.lists(sentences(), min_size=1, max_size=3).map(" ".join)
legacy_encodings = st.sampled_from(["tcvn3-in-unicode", "vni-in-unicode", "double-utf-8"])
SPAN_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SPAN_SETTINGS
@given(correct=paragraphs, legacy=paragraphs, encoding=legacy_encodings, separator=st.sampled_from(["\n", "\n\n", " "]))
def test_correct_plus_legacy_keeps_the_correct_part_and_restores_the_legacy_one(correct, legacy, encoding, separator):
    broken = _legacy(legacy, encoding)
    # L must be repairable on its own (a few words could read validly either
    # way); what is tested is that C beside it changes nothing.
    assume(broken != legacy and repair_text(broken).text == legacy)
    if separator == " ":  # one line: the break between sentences is the border
        correct = correct.rstrip(".;:!") + "."
    for parts, want in (((correct, broken), (correct, legacy)), ((broken, correct), (legacy, correct))):
        if separator == " " and parts[0] is broken:
            continue  # "<legacy without a final stop> <correct>" is one sentence
        repaired = repair_text(separator.join(parts))
        assert repaired.text == separator.join(want)
        assert encoding in repaired.repairs


@SPAN_SETTINGS
@given(text=st.lists(st.one_of(paragraphs, st.sampled_from(LATIN1_WORDS + CORRECT)), min_size=1, max_size=4),
       separator=st.sampled_from(["\n", " ", "\n\n"]))
def test_correct_text_is_never_changed(text, separator):
    page = separator.join(text)
    assert repair_text(page) == RepairedText(page, (), False)
    assert decode_bytes(page.encode("utf-8")) == DecodedText(page, "utf-8")


@SPAN_SETTINGS
@given(correct=paragraphs, legacy=paragraphs, encoding=legacy_encodings)
def test_repair_is_idempotent(correct, legacy, encoding):
    once = repair_text(correct + "\n" + _legacy(legacy, encoding)).text
    assert repair_text(once).text == once


# ------------------------------------------------------------ real text

def _real_texts(limit: int) -> list[str]:
    import json  # noqa: PLC0415

    path = CORPORA_DIR / "unc-dantri" / "unc_dantri.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    texts = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            texts.append(unicodedata.normalize("NFC", json.loads(line)["text"]))
            if len(texts) >= limit:
                break
    return texts


@needs_corpora
@pytest.mark.shared
def test_real_correct_news_texts_are_never_changed():
    texts = _real_texts(400)
    assert len(texts) == 400
    changed = [i for i, text in enumerate(texts) if repair_text(text).text != text]
    assert changed == []
    relabelled = [i for i, text in enumerate(texts) if decode_bytes(text.encode("utf-8")).encoding != "utf-8"]
    assert relabelled == []
