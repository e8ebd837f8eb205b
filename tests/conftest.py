"""Shared test fixtures."""

from __future__ import annotations

import pytest

from toolkit.config import SHARED_DIR

SEEDS_DIR = SHARED_DIR / "seeds"
CORPORA_DIR = SHARED_DIR / "corpora"

needs_seeds = pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="../shared/seeds is absent")
needs_corpora = pytest.mark.skipif(not CORPORA_DIR.is_dir(), reason="../shared/corpora is absent")


def seeded_corpus_with_a_lost_theme() -> tuple[dict[str, list[str]], list[list[str]], list[str]]:
    """Token lists where a seeded `democracy_regulations` theme cannot hold a topic: ``(words, tokens, doc_ids)``.

    Three groups of 40 words (land, religion, COVID: more than the 20 top terms that decide whether seeds hold
    a topic), 20 documents of 30 words each; the democracy theme's two seed terms are in one document each,
    while ``words["land"][:4]`` seeds a theme in a third of the documents.
    """
    import numpy as np

    words = {
        "land": "giải_phóng_mặt_bằng bồi_thường thu_hồi_đất tái_định_cư dự_án hộ_dân đền_bù".split(),
        "religion": "tôn_giáo chức_sắc đồng_bào giáo_xứ linh_mục nhà_thờ chùa".split(),
        "covid": "cách_ly tiêm_chủng vắc_xin phong_tỏa xét_nghiệm ca_nhiễm giãn_cách".split(),
    }
    words = {k: v + [f"{v[0]}_{i}" for i in range(40 - len(v))] for k, v in words.items()}
    rng = np.random.default_rng(0)
    tokens = [list(rng.choice(group, 30)) for group in words.values() for _ in range(20)]
    tokens[0].append("quy_chế_dân_chủ")
    tokens[21].append("hương_ước")
    return words, tokens, [f"d{i:02d}" for i in range(len(tokens))]
