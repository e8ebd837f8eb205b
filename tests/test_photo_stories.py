"""Photo stories told in their captions: every paragraph a sentence of news and a photo credit."""

from __future__ import annotations

import json

from toolkit.ingest.core import ingest_files
from toolkit.ingest.pages import parse_page

TITLE = "Hoa đỗ quyên nở rộ trên đỉnh núi phía Tây huyện, nhuộm đỏ các sườn đồi. (Ảnh: Hoàng Lâm)."
STORY = [
    "Mỗi năm vào tháng 3, hoa đỗ quyên nở khắp các triền núi của xã Tả Phìn, thu hút đông đảo du khách. "
    "(Ảnh: Hoàng Lâm).",
    "Người dân thôn Sín Chải làm dịch vụ homestay, hướng dẫn khách lên núi ngắm hoa (Ảnh: Hoàng Lâm).",
    "Chính quyền xã đã cắm biển chỉ dẫn và tổ chức đội thu gom rác dọc đường mòn. (Ảnh minh họa: Văn Toàn)",
]
# a table's text repeats its title as the first line, and the writer signs under it
TEXT = "\n".join([TITLE, *STORY, "Minh Anh"])


def test_the_news_sentences_of_a_photo_story_are_its_body():
    fields = parse_page(TEXT, title=TITLE)
    assert fields.body.split("\n\n") == [
        "Mỗi năm vào tháng 3, hoa đỗ quyên nở khắp các triền núi của xã Tả Phìn, thu hút đông đảo du khách.",
        # the period after the credit ends the sentence
        "Người dân thôn Sín Chải làm dịch vụ homestay, hướng dẫn khách lên núi ngắm hoa.",
        "Chính quyền xã đã cắm biển chỉ dẫn và tổ chức đội thu gom rác dọc đường mòn.",
    ]
    # the credits are the captions' part, the signature the author's
    assert fields.captions.split("\n") == ["(Ảnh: Hoàng Lâm)", "(Ảnh minh họa: Văn Toàn)"]
    assert fields.author == "Minh Anh"


def test_a_photo_story_in_a_table_is_a_document(tmp_path):
    path = tmp_path / "anh.jsonl"
    path.write_text(json.dumps({"doc_id": "a1", "title": TITLE, "text": TEXT}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    result = ingest_files([path])
    assert result.rejects.empty
    assert result.documents["body"].iat[0].startswith("Mỗi năm vào tháng 3, hoa đỗ quyên")


def test_credited_captions_beside_running_text_stay_captions():
    text = "\n".join([
        "Sáng 12/3, Ban Dân vận Huyện ủy tổ chức hội nghị giao ban công tác dân vận quý I năm 2021.",
        "Đồng chí Bí thư Huyện ủy phát biểu chỉ đạo tại hội nghị. (Ảnh: Hoàng Lâm).",
        "Hội nghị đã thống nhất các nhiệm vụ trọng tâm của công tác dân vận trong quý II.",
    ])
    fields = parse_page(text, title="Giao ban công tác dân vận quý I")
    assert "Bí thư Huyện ủy phát biểu" not in fields.body and fields.body.count("\n\n") == 1
    assert fields.captions == "Đồng chí Bí thư Huyện ủy phát biểu chỉ đạo tại hội nghị. (Ảnh: Hoàng Lâm)."


def test_a_gallery_of_names_is_no_article():
    # captions that name a person or a place tell no news: nothing is left for the body
    text = "Đồng chí Nguyễn Văn An (Ảnh: TL).\nNhà văn hóa thôn Đông (Ảnh: Hoàng Lâm)."
    assert parse_page(text, title="Thư viện ảnh").body == ""
