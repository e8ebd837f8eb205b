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

#: Rows buffered before a Parquet row group is written by :func:`write_keyness_parquet`.
ROW_GROUP_ROWS = 65_536

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


def write_keyness_parquet(path: str | Path, parts: Iterable[pd.DataFrame]) -> int:
    """Write a keyness table to Parquet group by group, never holding it whole.

    ``parts`` are the per-group frames of :func:`toolkit.keyness.iter_keyness`
    (the full table: ``top_n=None``); they are written in the order given with
    pyarrow's ``ParquetWriter``, a row group every :data:`ROW_GROUP_ROWS`
    rows, so memory stays that of one group and one row group. The file
    appears atomically when the last group is written (a failed run leaves
    any previous file untouched); read back, it equals
    :func:`toolkit.keyness.keyness_table` with the same arguments.

    Returns
    -------
    int
        Rows written.

    Examples
    --------
    >>> from toolkit.keyness import iter_keyness
    >>> write_keyness_parquet("keyness_full.parquet", iter_keyness(tokens, documents, "locality"))  # doctest: +SKIP
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from toolkit.keyness import KEYNESS_COLUMNS

    n_rows = 0
    with atomic_path(path) as tmp:
        writer, buffer, buffered = None, [], 0
        try:
            for part in parts:
                if part.empty:
                    continue
                buffer.append(part[KEYNESS_COLUMNS])
                buffered += len(part)
                if buffered < ROW_GROUP_ROWS:
                    continue
                writer = _write_row_group(writer, tmp, pd.concat(buffer, ignore_index=True), pa, pq)
                n_rows += buffered
                buffer, buffered = [], 0
            if buffer:
                writer = _write_row_group(writer, tmp, pd.concat(buffer, ignore_index=True), pa, pq)
                n_rows += buffered
        finally:
            if writer is not None:
                writer.close()
        if writer is None:  # no row at all: still a valid table with the columns
            pd.DataFrame(columns=KEYNESS_COLUMNS).to_parquet(tmp, index=False, engine="pyarrow")
    return n_rows


def _write_row_group(writer, tmp: Path, frame: pd.DataFrame, pa, pq):
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if writer is None:
        writer = pq.ParquetWriter(tmp, table.schema)
    writer.write_table(table.cast(writer.schema))
    return writer


def _write_sidecar(stem: Path, payload: Mapping) -> None:
    write_text_atomic(stem.with_suffix(".json"), json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
