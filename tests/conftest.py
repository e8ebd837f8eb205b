"""Shared test fixtures."""

from __future__ import annotations

import pytest

from toolkit.config import SHARED_DIR

SEEDS_DIR = SHARED_DIR / "seeds"
CORPORA_DIR = SHARED_DIR / "corpora"

needs_seeds = pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="../shared/seeds is absent")
needs_corpora = pytest.mark.skipif(not CORPORA_DIR.is_dir(), reason="../shared/corpora is absent")
