"""Deterministic figure and table writers with provenance sidecars (the report stage's file I/O).

Two runs with the same inputs write byte-identical files: PNG/SVG/PDF carry
no timestamps and SVG ids are salted with a fixed string. Every figure and
table gets ``<stem>.json`` beside it with the config hash, corpus hash,
lexicon version, package versions and git commit that made it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from toolkit.corpus import atomic_path, write_table, write_text_atomic

_SAVE_OPTIONS = {
    "png": {"metadata": {"Software": None}},
    "svg": {"metadata": {"Date": None, "Creator": None}},
    "pdf": {"metadata": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}},
}


def save_figure(fig: Figure, stem: str | Path, *, provenance: Mapping, caption: str = "",
                formats: Iterable[str] = ("png", "svg"), dpi: int = 300) -> list[Path]:
    """Write ``fig`` as ``<stem>.<fmt>`` for each format, plus ``<stem>.json``.

    Parameters
    ----------
    fig
        The figure to save (closed afterwards by the caller if wanted).
    stem
        Output path without extension.
    provenance
        What made the figure (config hash, corpus hash, lexicon version…).
    caption
        What the figure shows and how it was made (also used by the report page).
    formats
        Any of ``png``, ``svg``, ``pdf``; PNG is written at ``dpi``.
    """
    stem = Path(stem)
    written = []
    with matplotlib.rc_context({"svg.hashsalt": "danvan-toolkit", "pdf.compression": 6}):
        for fmt in formats:
            if fmt not in _SAVE_OPTIONS:
                raise ValueError(f"unknown figure format {fmt!r}; use png, svg or pdf")
            target = stem.with_suffix(f".{fmt}")
            with atomic_path(target) as tmp:
                # the saved area grows to hold every label (long locality names are never cut off)
                fig.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight", pad_inches=0.1, **_SAVE_OPTIONS[fmt])
            written.append(target)
    _write_sidecar(stem, {"kind": "figure", "files": [p.name for p in written], "caption": caption, **provenance})
    return written


def save_table(df: pd.DataFrame, stem: str | Path, *, provenance: Mapping, caption: str = "") -> list[Path]:
    """Write ``df`` as ``<stem>.csv`` and ``<stem>.parquet``, plus ``<stem>.json``."""
    stem = Path(stem)
    written = [write_table(df, stem.with_suffix(".csv")), write_table(df, stem.with_suffix(".parquet"))]
    _write_sidecar(stem, {"kind": "table", "files": [p.name for p in written], "caption": caption,
                          "rows": int(len(df)), "columns": list(map(str, df.columns)), **provenance})
    return written


def _write_sidecar(stem: Path, payload: Mapping) -> None:
    write_text_atomic(stem.with_suffix(".json"), json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
