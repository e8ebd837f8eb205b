"""Tests of toolkit.text.collocations: candidate multiword terms."""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.text.collocations import discover_collocations


def test_discover_collocations_on_repetitive_corpus():
    rng = np.random.default_rng(0)
    filler = ["nhân_dân", "cán_bộ", "địa_bàn_dân_cư", "hội_nghị", "kết_quả", "nhiệm_vụ", "đoàn_thể", "tuyên_truyền"]
    docs = []
    for _ in range(30):
        doc = list(rng.choice(filler, size=6))
        docs.append(doc[:3] + ["hiến", "đất_làm_đường"] + doc[3:] + ["ban_dân_vận", "quận_ủy"])
    out = discover_collocations(docs, min_count=5, threshold=0.5, known_terms={"ban_dân_vận_quận_ủy"})
    assert list(out.columns) == ["candidate", "count", "score", "in_lexicon"]
    rows = out.set_index("candidate")
    assert rows.loc["hiến_đất_làm_đường", "count"] == 30
    assert not rows.loc["hiến_đất_làm_đường", "in_lexicon"]
    assert rows.loc["ban_dân_vận_quận_ủy", "in_lexicon"]
    assert rows.loc["hiến_đất_làm_đường", "score"] == pytest.approx(1.0)
    assert not out["in_lexicon"].iloc[0]  # new candidates first
    assert "nhân_dân_cán_bộ" not in rows.index or rows.loc["nhân_dân_cán_bộ", "score"] < 0.9


def test_pairs_that_never_occur_apart_are_ranked_by_how_often_they_occur():
    # NPMI is 1 for every such pair: alphabetical order put "an_bình" (5 times) before "xóm_yên" (40 times)
    docs = [["an", "bình"]] * 5 + [["xóm", "yên"]] * 40 + [["nhân_dân", "cán_bộ", "hội_nghị"]] * 3
    out = discover_collocations(docs, min_count=5, threshold=0.5, known_terms=set())
    top = out[out["score"] > 0.999]
    assert top["candidate"].tolist()[:2] == ["xóm_yên", "an_bình"]
