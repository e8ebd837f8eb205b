"""Near-duplicate detection: exact copies, edited reposts, chains, shared boilerplate."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest

from toolkit.ingest.dedup import NearDuplicateIndex, find_near_duplicates, normalize_for_dedup, shingles

OPENING = "Sáng ngày 14/7/2021, Ban Dân vận Huyện ủy tổ chức hội nghị sơ kết công tác dân vận 6 tháng đầu năm. "

ARTICLE_A = OPENING + (
    "Báo cáo nêu rõ, khối dân vận đã phối hợp với Ủy ban nhân dân các xã tuyên truyền, vận động nhân dân "
    "bàn giao mặt bằng cho các dự án trọng điểm của huyện, trong đó có tuyến đường vành đai và khu tái định cư. "
    "Nhiều hộ gia đình tự nguyện tháo dỡ công trình, hiến đất mở rộng đường làng, ngõ xóm. "
    "Việc thực hiện quy chế dân chủ ở cơ sở có chuyển biến rõ nét, các kiến nghị của cử tri được giải quyết kịp thời. "
    "Hội nghị thống nhất tiếp tục đẩy mạnh phong trào thi đua Dân vận khéo, giữ vững an ninh trật tự trên địa bàn, "
    "phấn đấu hoàn thành các chỉ tiêu nghị quyết đề ra trong năm. "
    "Trong sáu tháng cuối năm, Ban Dân vận Huyện ủy sẽ chủ trì kiểm tra việc thực hiện Quy chế công tác dân vận "
    "của hệ thống chính trị tại năm xã và hai thị trấn, lựa chọn các mô hình tiêu biểu để nhân rộng. "
    "Các cơ quan chuyên môn của Ủy ban nhân dân huyện được yêu cầu công khai quy hoạch, kế hoạch sử dụng đất, "
    "tiếp nhận và trả lời đầy đủ phản ánh của người dân qua đường dây nóng. "
    "Đoàn Thanh niên, Hội Liên hiệp Phụ nữ và Hội Cựu chiến binh tiếp tục ra quân làm đường giao thông nông thôn, "
    "thắp sáng đường quê, trồng cây xanh và hỗ trợ các gia đình chính sách sửa chữa nhà ở trước mùa mưa bão. "
    "Kết thúc hội nghị, Ban Thường vụ Huyện ủy đã khen thưởng mười hai tập thể và hai mươi cá nhân có thành tích "
    "xuất sắc trong phong trào thi đua."
)

ARTICLE_B = OPENING + (
    "Tại hội nghị, các đại biểu tập trung thảo luận về công tác chăm lo đời sống đồng bào dân tộc thiểu số "
    "ở các thôn vùng cao, nơi còn nhiều hộ nghèo và cận nghèo. Mặt trận Tổ quốc huyện đã vận động các doanh nghiệp "
    "ủng hộ hơn hai tỷ đồng xây dựng nhà đại đoàn kết, trao học bổng cho học sinh vượt khó. "
    "Đồng chí Phó Bí thư Thường trực Huyện ủy đề nghị các tổ chức đoàn thể đổi mới phương thức tập hợp đoàn viên, "
    "hội viên, chú trọng tuyên truyền trên mạng xã hội và kịp thời nắm bắt tâm tư, nguyện vọng của nhân dân."
)

ARTICLE_C = (
    "Hội Nông dân xã Cổ Loa phối hợp với Trạm khuyến nông mở lớp tập huấn kỹ thuật trồng rau an toàn cho sáu mươi "
    "hội viên. Các học viên được hướng dẫn cách sử dụng phân bón hữu cơ, phòng trừ sâu bệnh theo quy trình sản xuất "
    "sạch và ghi chép nhật ký đồng ruộng. Sau khóa học, hội sẽ hỗ trợ giống, vật tư và kết nối tiêu thụ sản phẩm "
    "cho các tổ hợp tác, góp phần nâng cao thu nhập cho bà con nông dân trên địa bàn xã."
)


def _edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new, 1)
    return text


def test_normalization_and_shingles():
    assert normalize_for_dedup("Ủy ban  MTTQ,\n\n(xã Cổ Loa)!") == "ủy ban mttq xã cổ loa"
    assert normalize_for_dedup("ỦY BAN") == normalize_for_dedup("Ủy ban")
    assert len(shingles(normalize_for_dedup(ARTICLE_A))) > 100
    assert shingles("ban dân vận", 5) == {"ban dân vận"}
    assert shingles("", 5) == set()


def test_exact_duplicate_with_other_case_and_spacing():
    copy = ARTICLE_A.upper().replace(" ", "  ")
    assert find_near_duplicates([ARTICLE_A, copy], ["a", "b"]) == ["", "a"]


def test_near_duplicate_with_edited_words():
    edited = _edit(ARTICLE_A, ("giữ vững an ninh", "giữ vững ổn định an ninh"),
                   ("Nhiều hộ gia đình", "Rất nhiều hộ gia đình"), ("kịp thời", "nhanh chóng"))
    assert find_near_duplicates([ARTICLE_A, edited, ARTICLE_C], ["a", "b", "c"]) == ["", "a", ""]


def test_repost_with_other_header_and_title():
    original = "Tin hoạt động\nHuyện ủy sơ kết công tác dân vận 6 tháng đầu năm\n\n" + ARTICLE_A
    repost = ("Tin tức - Sự kiện | Ngày đăng 16/07/2021 | Lượt xem: 41\n"
              "Sơ kết công tác dân vận sáu tháng đầu năm 2021\n\n" + ARTICLE_A + "\nNguồn: Ban Dân vận Huyện ủy")
    assert find_near_duplicates([original, repost], ["a", "b"]) == ["", "a"]


def test_shared_boilerplate_is_not_a_duplicate():
    assert find_near_duplicates([ARTICLE_A, ARTICLE_B, ARTICLE_C], ["a", "b", "c"]) == ["", "", ""]


def test_chain_maps_to_root():
    words = ARTICLE_A.split()
    # Each step changes different words; the third copy is far from the first.
    step1 = " ".join(w + "x" if i % 75 == 5 else w for i, w in enumerate(words))
    step2 = " ".join(w + "y" if i % 75 == 40 else w for i, w in enumerate(step1.split()))
    assert find_near_duplicates([ARTICLE_A, step2], ["a", "c"]) == ["", ""]  # too far apart directly
    index = NearDuplicateIndex(threshold=0.8)
    assert [index.add(k, t) for k, t in [("a", ARTICLE_A), ("b", step1), ("c", step2)]] == ["", "a", "a"]
    assert index.n_docs_ == 3 and index.n_duplicates_ == 2


def test_chain_through_exact_copy_maps_to_root():
    found = find_near_duplicates([ARTICLE_A, ARTICLE_A, ARTICLE_A + " (Ảnh minh họa)"], ["a", "b", "c"])
    assert found == ["", "a", "a"]


def test_order_decides_the_original():
    edited = _edit(ARTICLE_A, ("kịp thời", "nhanh chóng"))
    assert find_near_duplicates([edited, ARTICLE_A], ["new", "old"]) == ["", "new"]


def test_empty_and_punctuation_only_texts_are_never_duplicates():
    assert find_near_duplicates(["", "  ", "...", ARTICLE_C, ""], list("abcde")) == ["", "", "", "", ""]
    assert find_near_duplicates([], []) == []


def test_short_texts_use_shorter_shingles():
    assert find_near_duplicates(["Hội nghị giao ban", "hội nghị, giao ban!", "Hội nghị tổng kết"],
                                ["a", "b", "c"]) == ["", "a", ""]


def test_threshold_is_respected():
    edited = _edit(ARTICLE_A, ("kịp thời", "nhanh chóng"))
    assert find_near_duplicates([ARTICLE_A, edited], ["a", "b"], threshold=1.0) == ["", ""]


def test_deterministic_for_a_random_state():
    texts = [ARTICLE_A, ARTICLE_B, ARTICLE_C, _edit(ARTICLE_B, ("hai tỷ", "ba tỷ")), ARTICLE_A + " Hết."]
    ids = [f"d{i}" for i in range(len(texts))]
    first = find_near_duplicates(texts, ids, random_state=7)
    assert first == find_near_duplicates(texts, ids, random_state=7) == ["", "", "", "d1", "d0"]
    assert find_near_duplicates(texts, ids, random_state=np.random.RandomState(3)) == first


def test_mismatched_lengths_and_bad_threshold():
    with pytest.raises(ValueError):
        find_near_duplicates(["a"], [])
    with pytest.raises(ValueError):
        NearDuplicateIndex(threshold=0.0).add("a", "văn bản")


def test_two_thousand_synthetic_documents_run_fast():
    rng = random.Random(0)
    vocab = (ARTICLE_A + " " + ARTICLE_B + " " + ARTICLE_C).lower().replace(",", "").replace(".", "").split()
    originals = [" ".join(rng.choice(vocab) for _ in range(120)) for _ in range(1800)]
    reposts = []
    for i in range(0, 1800, 9):
        words = originals[i].split()
        words[rng.randrange(len(words))] = "đã"
        reposts.append(("Tin địa phương " + " ".join(words), i))
    texts = originals + [t for t, _ in reposts]
    ids = [f"o{i}" for i in range(len(originals))] + [f"r{j}" for j in range(len(reposts))]
    start = time.perf_counter()
    found = find_near_duplicates(texts, ids)
    assert time.perf_counter() - start < 10
    assert found[:1800] == [""] * 1800
    assert found[1800:] == [f"o{i}" for _, i in reposts]
