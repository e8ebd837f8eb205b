"""Simulate the demo corpus: raw portal pages with known planted truth.

SIMULATED — NOT REAL NEWS. Pages imitate the *formats* of Vietnamese district,
city and province Party-committee and Ban Dân vận portals (header lines,
date/view lines, banners, breadcrumbs, navigation, counters, captions, author
lines, footers), but every sentence comes from the phrase bank written for
this project (``corpora/demo/phrasebank.toml``). Only the localities are real:
districts of six provinces with their wards and communes taken from the
gazetteer (``vietnamadminunits``, through :mod:`toolkit.places`) at run time;
two of them, Huyện Châu Thành of Bến Tre and of Tiền Giang, share their name.

Pages carry the hard cases of real portals (:data:`CASES`): bodies pasted from
TCVN3/VNI files into a Unicode template, January year-end reviews without a
header date, English header labels, category lines directly above the
headline, yearly banners that are sometimes the only place the year appears,
same-named districts. :func:`ingest_accuracy` scores a document table against
the planted truth.

The planted truth is known exactly: for every district × year cell, the
probability that a page carries each theme (:func:`planted_shares`), and for
every page its main theme, secondary themes, date, headline, template,
encoding, hard cases and, for reposts, the page it copies.

Pure computation lives in :func:`simulate_corpus` (returns a
:class:`SimulatedCorpus` in memory); :func:`write_corpus` is the only function
that touches disk, with atomic writes.

Examples
--------
>>> sim = simulate_corpus(120, random_state=0)
>>> len(sim.pages)
120
>>> sorted(set(sim.documents["province"]))
['Bắc Ninh', 'Bến Tre', 'Hà Nội', 'Nam Định', 'Thừa Thiên Huế', 'Tiền Giang']
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import logging
import os
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

logger = logging.getLogger("toolkit.simulate")

#: Theme names, in the order used by every table of the planted truth.
THEMES: tuple[str, ...] = (
    "site_clearance",
    "religion",
    "democracy_regulations",
    "covid",
    "administrative_reform",
    "urban_order",
    "environment",
    "complaints",
    "dan_van_kheo",
    "security_order",
    "new_rural",
    "party_building",
    "social_welfare",
    "elections",
)
YEARS: tuple[int, ...] = tuple(range(2015, 2025))
#: The Law on Implementing Democracy at the Grassroots took effect on this day.
DEMOCRACY_LAW_EFFECTIVE = dt.date(2023, 7, 1)
#: Probability of 0, 1 or 2 secondary themes on a page.
N_SECONDARY_PROBS: tuple[float, float, float] = (0.35, 0.45, 0.20)
#: Page templates and their probabilities (``html`` is the HTML portal).
TEMPLATES: tuple[tuple[str, float], ...] = (
    ("portal_a", 0.22),   # category, title, "Ngày đăng dd/mm/yyyy | HH:MM | Lượt xem: N"
    ("portal_b", 0.14),   # "yyyy-mm-dd HH:MM:SS Số lượt xem N", no title, counter widgets
    ("portal_c", 0.16),   # banner, nav, crumbs, weekday date line, related news, footer
    ("portal_d", 0.12),   # "Cập nhật lúc HH:MM ngày dd/mm/yyyy", share line, widgets
    ("portal_e", 0.12),   # crumbs, "Ngày đăng: d-m-yyyy", "Lượt xem: N"
    ("portal_f", 0.08),   # English CMS labels: "Posted: dd/mm/yyyy | Views: N"
    ("portal_g", 0.06),   # no header date: the event date is in the opening sentence only
    ("html", 0.10),       # simple portal HTML, article in <div class="content">
)
LEGACY_ENCODINGS: tuple[str, ...] = ("cp1258", "tcvn3", "vni", "utf-8-nfd", "utf-16")
#: Legacy fonts a body pasted into a Unicode template was typed in (then read as Windows-1252).
PASTED_ENCODINGS: tuple[str, ...] = ("tcvn3", "vni")
SHARE_REPOSTS = 0.02
SHARE_LEGACY = 0.03
SHARE_NAMED = 0.70
SHARE_OLD_TONES = 0.20
#: Pages (text or HTML) whose Unicode template carries a body pasted from a TCVN3/VNI file read as Windows-1252.
SHARE_MIXED_ENCODING = 0.03
#: Pages under a yearly banner (``Chủ đề năm 2019: "…"``) set above everything.
SHARE_BANNER = 0.10
#: Pages where that banner is the only place the year appears (no header date, no year in the text).
SHARE_BANNER_ONLY_YEAR = 0.02
#: Pages of a layout with a headline whose category line or crumbs sit directly above it.
SHARE_CATEGORY_ABOVE_TITLE = 0.25
#: Pages dated 1–20 January (late December) that report the year-end review meeting, without header date.
SHARE_YEAR_END_JANUARY = 0.40
SHARE_YEAR_END_DECEMBER = 0.25
#: Hard cases a page can carry (``truth/documents.csv:case``, ``;``-joined in this order).
CASES: tuple[str, ...] = (
    "mixed_encoding",        # Unicode template, body in TCVN3/VNI read as Windows-1252
    "legacy_encoding",       # the whole page in a legacy encoding
    "no_header_date",        # no date line: the date is in the opening sentence only
    "year_end_review",       # no header date; "Sáng 8/1, … tổng kết … năm 2019, triển khai … năm 2020"
    "english_labels",        # "Posted", "Date", "Updated", "Views", "View count", "Hits"
    "category_above_title",  # "Tin hoạt động" or "Trang chủ » Tin tức" directly above the headline
    "banner_year",           # a yearly banner above everything
    "banner_only_year",      # ... and the banner is the only place the year appears
    "same_name_district",    # a district whose name another simulated province also has
)
#: Layouts with a headline that can carry a category line directly above it.
_CATEGORY_TEMPLATES = frozenset({"portal_a", "portal_c", "portal_d", "portal_e", "portal_f", "portal_g"})


# ---------------------------------------------------------------------------
# Localities
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Locality:
    """A real district (units in force before 2025) and its wards/communes."""

    province: str
    district: str
    province_phrase: str
    plvl: str
    wards: tuple[str, ...]

    @property
    def dtype(self) -> str:
        """Level word of the district: Quận, Huyện, Thị xã, Thành phố."""
        for kind in ("Thành phố", "Thị xã", "Quận", "Huyện"):
            if self.district.startswith(kind + " "):
                return kind
        raise ValueError(self.district)

    @property
    def name(self) -> str:
        return self.district[len(self.dtype) + 1:]

    @property
    def lvl(self) -> str:
        """The district Party committee: Quận ủy, Huyện ủy, Thị ủy, Thành ủy."""
        return {"Quận": "Quận ủy", "Huyện": "Huyện ủy", "Thị xã": "Thị ủy", "Thành phố": "Thành ủy"}[self.dtype]

    @property
    def province_slug(self) -> str:
        return slugify(self.province)

    @property
    def district_slug(self) -> str:
        return slugify(self.name)

    @property
    def all_wards(self) -> bool:
        """True when the district has only urban wards (no commune left to build rural areas)."""
        return all(w.startswith("Phường ") for w in self.wards)


# (province, how the text names it, provincial committee, district).  Thành
# phố Huế was split into Quận Phú Xuân and Quận Thuận Hóa in late 2024; for
# 2015–2024 it is one unit, with the wards of both (as :mod:`toolkit.places`
# gives them).  Huyện Châu Thành of Bến Tre and of Tiền Giang share their name
# (as Châu Thành does in eight more provinces): only the province tells them apart.
_LOCALITY_SPECS: tuple[tuple[str, str, str, str], ...] = (
    ("Hà Nội", "thành phố Hà Nội", "Thành ủy", "Quận Long Biên"),
    ("Hà Nội", "thành phố Hà Nội", "Thành ủy", "Huyện Đông Anh"),
    ("Hà Nội", "thành phố Hà Nội", "Thành ủy", "Quận Hoàn Kiếm"),
    ("Hà Nội", "thành phố Hà Nội", "Thành ủy", "Huyện Sóc Sơn"),
    ("Bắc Ninh", "tỉnh Bắc Ninh", "Tỉnh ủy", "Thành phố Bắc Ninh"),
    ("Bắc Ninh", "tỉnh Bắc Ninh", "Tỉnh ủy", "Thành phố Từ Sơn"),
    ("Nam Định", "tỉnh Nam Định", "Tỉnh ủy", "Huyện Hải Hậu"),
    ("Nam Định", "tỉnh Nam Định", "Tỉnh ủy", "Huyện Xuân Trường"),
    ("Nam Định", "tỉnh Nam Định", "Tỉnh ủy", "Huyện Giao Thủy"),
    ("Thừa Thiên Huế", "tỉnh Thừa Thiên Huế", "Tỉnh ủy", "Thành phố Huế"),
    ("Thừa Thiên Huế", "tỉnh Thừa Thiên Huế", "Tỉnh ủy", "Huyện Phú Vang"),
    ("Bến Tre", "tỉnh Bến Tre", "Tỉnh ủy", "Huyện Châu Thành"),
    ("Tiền Giang", "tỉnh Tiền Giang", "Tỉnh ủy", "Huyện Châu Thành"),
)


@functools.lru_cache(maxsize=1)
def localities() -> tuple[Locality, ...]:
    """The simulated districts with their real wards and communes (sorted)."""
    from toolkit.places import district_wards

    out = []
    for province, phrase, plvl, district in _LOCALITY_SPECS:
        wards = sorted({unicodedata.normalize("NFC", w) for w in district_wards(province, district)})
        if not wards:
            raise RuntimeError(f"no wards found for {district}, {province} in the gazetteer")
        out.append(Locality(province, district, phrase, plvl, tuple(wards)))
    return tuple(out)


def same_name_districts() -> frozenset[tuple[str, str]]:
    """``(province, district)`` of simulated districts whose name another simulated province also has."""
    provinces: dict[str, set[str]] = {}
    for loc in localities():
        provinces.setdefault(loc.district, set()).add(loc.province)
    return frozenset((loc.province, loc.district) for loc in localities() if len(provinces[loc.district]) > 1)


def slugify(name: str) -> str:
    """ASCII folder name for a place (``"Đông Anh"`` → ``"dong-anh"``); for paths only."""
    text = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# ---------------------------------------------------------------------------
# Planted truth
# ---------------------------------------------------------------------------

# Relative weight of a theme in a district (1.0 when not listed), by its
# short name; :data:`_SHORT` maps (province, district) to it, so the two
# Châu Thành districts have profiles of their own.
_SHORT: dict[tuple[str, str], str] = {
    ("Hà Nội", "Quận Long Biên"): "Long Biên", ("Hà Nội", "Huyện Đông Anh"): "Đông Anh",
    ("Hà Nội", "Quận Hoàn Kiếm"): "Hoàn Kiếm", ("Hà Nội", "Huyện Sóc Sơn"): "Sóc Sơn",
    ("Bắc Ninh", "Thành phố Bắc Ninh"): "Bắc Ninh", ("Bắc Ninh", "Thành phố Từ Sơn"): "Từ Sơn",
    ("Nam Định", "Huyện Hải Hậu"): "Hải Hậu", ("Nam Định", "Huyện Xuân Trường"): "Xuân Trường",
    ("Nam Định", "Huyện Giao Thủy"): "Giao Thủy", ("Thừa Thiên Huế", "Thành phố Huế"): "Huế",
    ("Thừa Thiên Huế", "Huyện Phú Vang"): "Phú Vang",
    ("Bến Tre", "Huyện Châu Thành"): "Châu Thành (Bến Tre)",
    ("Tiền Giang", "Huyện Châu Thành"): "Châu Thành (Tiền Giang)",
}
_DISTRICT_MULTIPLIERS: dict[str, dict[str, float]] = {
    "site_clearance": {
        "Đông Anh": 3.0, "Sóc Sơn": 2.5, "Long Biên": 2.5, "Từ Sơn": 2.2, "Bắc Ninh": 1.5, "Hoàn Kiếm": 0.15,
        "Hải Hậu": 0.5, "Xuân Trường": 0.5, "Giao Thủy": 0.5, "Huế": 1.2, "Phú Vang": 0.8,
        "Châu Thành (Bến Tre)": 0.6, "Châu Thành (Tiền Giang)": 2.0,   # an expressway crosses the latter
    },
    "religion": {
        "Hải Hậu": 4.0, "Xuân Trường": 4.0, "Giao Thủy": 3.5, "Huế": 3.0, "Phú Vang": 2.0, "Hoàn Kiếm": 0.6,
        "Long Biên": 0.5, "Đông Anh": 0.5, "Sóc Sơn": 0.5, "Bắc Ninh": 0.5, "Từ Sơn": 0.5,
        "Châu Thành (Bến Tre)": 2.5, "Châu Thành (Tiền Giang)": 0.8,
    },
    "urban_order": {
        "Hoàn Kiếm": 2.5, "Long Biên": 1.6, "Bắc Ninh": 1.5, "Từ Sơn": 1.3, "Huế": 1.6, "Đông Anh": 0.6,
        "Sóc Sơn": 0.5, "Hải Hậu": 0.3, "Xuân Trường": 0.3, "Giao Thủy": 0.3, "Phú Vang": 0.4,
        "Châu Thành (Bến Tre)": 0.3, "Châu Thành (Tiền Giang)": 0.5,
    },
    "new_rural": {
        "Đông Anh": 1.5, "Sóc Sơn": 1.8, "Hải Hậu": 1.8, "Xuân Trường": 1.8, "Giao Thủy": 1.8, "Phú Vang": 1.6,
        "Châu Thành (Bến Tre)": 2.0, "Châu Thành (Tiền Giang)": 1.4,
        # only urban wards: no new-rural programme at all
        "Long Biên": 0.0, "Hoàn Kiếm": 0.0, "Bắc Ninh": 0.0, "Từ Sơn": 0.0, "Huế": 0.0,
    },
    "environment": {"Hoàn Kiếm": 1.2, "Huế": 1.2, "Từ Sơn": 1.2, "Châu Thành (Bến Tre)": 1.3},
}
# Relative posting volume of each district's portal, and of each year.
_DISTRICT_VOLUME: dict[str, float] = {
    "Long Biên": 1.3, "Đông Anh": 1.2, "Hoàn Kiếm": 1.0, "Sóc Sơn": 1.0, "Bắc Ninh": 1.1, "Từ Sơn": 1.0,
    "Hải Hậu": 0.9, "Xuân Trường": 0.8, "Giao Thủy": 0.8, "Huế": 1.2, "Phú Vang": 0.7,
    "Châu Thành (Bến Tre)": 0.8, "Châu Thành (Tiền Giang)": 0.8,
}


def theme_weights(province: str, district: str, year: int, after_law: bool = False) -> np.ndarray:
    """Unnormalized weights of the themes (order :data:`THEMES`) for one cell.

    ``after_law``: the page is dated on or after 1 July 2023, when the Law on
    Implementing Democracy at the Grassroots took effect.
    """
    t = year - 2015
    base = {
        "site_clearance": 1.0,
        "religion": 0.5,
        "democracy_regulations": 0.9,
        "covid": {2020: 3.0, 2021: 3.5, 2022: 1.2}.get(year, 0.0),
        "administrative_reform": 0.45 + 0.07 * t,
        "urban_order": 0.6,
        "environment": 0.7,
        "complaints": 0.6,
        "dan_van_kheo": 0.6 + 0.04 * t,
        "security_order": 0.6,
        "new_rural": 0.9 - 0.03 * t,
        "party_building": 0.8,
        "social_welfare": 0.7,
        "elections": 2.5 if year in (2016, 2021) else 0.15,
    }
    if year == 2023 and not after_law:
        base["democracy_regulations"] *= 1.2   # the law was passed in November 2022
    elif after_law or year > 2023:
        base["democracy_regulations"] *= 2.8
    short = _SHORT[(province, district)]
    out = np.array([base[theme] * _DISTRICT_MULTIPLIERS.get(theme, {}).get(short, 1.0) for theme in THEMES])
    return out


def _carry_probabilities(w: np.ndarray) -> np.ndarray:
    """Exact probability that a page carries each theme under the sampling scheme.

    The main theme is drawn with probabilities ``w``; then 0, 1 or 2 secondary
    themes (:data:`N_SECONDARY_PROBS`) are drawn one by one without
    replacement, proportionally to ``w`` among the remaining themes.
    """
    w = np.asarray(w, dtype=float)
    w = w / w.sum()
    _, p1, p2 = N_SECONDARY_PROBS
    n = len(w)
    share = w.copy()
    for m in range(n):
        if w[m] <= 0:
            continue
        rest = 1.0 - w[m]
        first = w / rest
        first[m] = 0.0
        second = np.zeros(n)
        for j in range(n):
            if j == m or first[j] <= 0:
                continue
            rest2 = rest - w[j]
            if rest2 <= 0:
                continue
            cond = w / rest2
            cond[m] = 0.0
            cond[j] = 0.0
            second += first[j] * cond
        share += w[m] * ((p1 + p2) * first + p2 * second)
    return np.clip(share, 0.0, 1.0)


def planted_shares() -> pd.DataFrame:
    """The planted truth: probability that a page of a cell carries each theme.

    Returns
    -------
    pandas.DataFrame
        Columns ``province, district, year, theme, share``; sorted by
        province, district, year, theme. Dates are uniform within a year, so
        2023 mixes the shares before and after 1 July by number of days.
    """
    rows = []
    for loc in localities():
        for year in YEARS:
            start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
            n_days = (end - start).days
            n_after = max(0, (end - max(start, DEMOCRACY_LAW_EFFECTIVE)).days)
            share = _carry_probabilities(theme_weights(loc.province, loc.district, year, False)) * (n_days - n_after)
            if n_after:
                share = share + _carry_probabilities(theme_weights(loc.province, loc.district, year, True)) * n_after
            share = share / n_days
            for theme, value in zip(THEMES, share):
                rows.append((loc.province, loc.district, year, theme, float(value)))
    out = pd.DataFrame(rows, columns=["province", "district", "year", "theme", "share"])
    return out.sort_values(["province", "district", "year", "theme"], kind="mergesort").reset_index(drop=True)


# ---------------------------------------------------------------------------
# Phrase bank
# ---------------------------------------------------------------------------

_YEAR_MARK = re.compile(r"^@(\S+)\s+")


@dataclass(frozen=True)
class _Entry:
    text: str
    years: tuple[int, int] | frozenset[int] | None

    def allowed(self, year: int) -> bool:
        if self.years is None:
            return True
        if isinstance(self.years, frozenset):
            return year in self.years
        lo, hi = self.years
        return lo <= year <= hi


def _parse_entry(raw: str) -> _Entry:
    text = unicodedata.normalize("NFC", raw)
    match = _YEAR_MARK.match(text)
    if not match:
        return _Entry(text, None)
    spec, text = match[1], text[match.end():]
    if "," in spec:
        return _Entry(text, frozenset(int(y) for y in spec.split(",")))
    lo, _, hi = spec.partition("-")
    return _Entry(text, (int(lo) if lo else 0, int(hi) if hi else 9999))


def strip_year_mark(text: str) -> str:
    """A phrase bank text without its leading year limit (``"@2023- "``)."""
    return _parse_entry(text).text


def default_phrasebank_path() -> Path:
    from toolkit.config import DEMO_DIR

    return DEMO_DIR / "phrasebank.toml"


def load_phrasebank(path: str | os.PathLike | None = None) -> dict:
    """Read and check the phrase bank (TOML); texts are returned NFC."""
    path = Path(path) if path is not None else default_phrasebank_path()
    with open(path, "rb") as fh:
        bank = tomllib.load(fh)
    missing = [t for t in THEMES if t not in bank.get("themes", {})]
    if missing:
        raise ValueError(f"{path}: phrase bank lacks themes {missing}")
    for key in ("openings", "attendance", "sentences", "lead_ins", "closings", "captions", "year_end_openings",
                "year_end_titles"):
        if not bank.get("generic", {}).get(key):
            raise ValueError(f"{path}: phrase bank lacks [generic] {key}")
    for key in ("categories", "crumbs", "banners"):
        if not bank.get("chrome", {}).get(key):
            raise ValueError(f"{path}: phrase bank lacks [chrome] {key}")
    return bank


class _Bank:
    """Phrase bank entries indexed for fast per-year lookup."""

    def __init__(self, bank: dict):
        self.raw = bank
        self._entries: dict[tuple[str, str], list[_Entry]] = {}
        for theme, section in bank["themes"].items():
            for kind in ("titles", "topics", "sentences"):
                self._entries[(theme, kind)] = [_parse_entry(s) for s in section.get(kind, [])]
        for kind, values in bank["generic"].items():
            self._entries[("generic", kind)] = [_parse_entry(s) for s in values]
        self._cache: dict[tuple[str, str, int, bool], list[str]] = {}
        people = bank["people"]
        self.male = (people["family"], people["middle_male"], people["given_male"])
        self.female = (people["family"], people["middle_female"], people["given_female"])
        self.roles = bank["roles"]["district"]
        self.author_names = bank["authors"]["names"]
        self.author_units = bank["authors"]["units"]
        self.chrome = bank["chrome"]

    def get(self, group: str, kind: str, year: int, *, no_year: bool = False) -> list[str]:
        """Texts of ``group``/``kind`` allowed in ``year``; ``no_year``: only those without a ``{year}`` slot."""
        key = (group, kind, year, no_year)
        found = self._cache.get(key)
        if found is None:
            found = [e.text for e in self._entries.get((group, kind), []) if e.allowed(year)]
            if no_year:
                found = [t for t in found if "{year}" not in t] or found
            self._cache[key] = found
        return found


# ---------------------------------------------------------------------------
# Random draws
# ---------------------------------------------------------------------------

class _Draws:
    """Fast scalar draws from one :class:`numpy.random.Generator` (buffered)."""

    def __init__(self, rng: np.random.Generator, size: int = 16384):
        self._rng = rng
        self._size = size
        self._buf = rng.random(size)
        self._i = 0

    def random(self) -> float:
        if self._i >= self._size:
            self._buf = self._rng.random(self._size)
            self._i = 0
        u = self._buf[self._i]
        self._i += 1
        return float(u)

    def randint(self, lo: int, hi: int) -> int:
        """Integer in ``[lo, hi]``, both included."""
        return lo + min(int(self.random() * (hi - lo + 1)), hi - lo)

    def choice(self, seq: Sequence):
        return seq[min(int(self.random() * len(seq)), len(seq) - 1)]

    def sample(self, seq: Sequence, k: int) -> list:
        pool = list(seq)
        k = min(k, len(pool))
        for i in range(k):
            j = i + min(int(self.random() * (len(pool) - i)), len(pool) - i - 1)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]

    def shuffle(self, seq: list) -> list:
        return self.sample(seq, len(seq))

    def weighted(self, weights: Sequence[float]) -> int:
        cum = np.cumsum(weights)
        return int(min(np.searchsorted(cum, self.random() * cum[-1], side="right"), len(cum) - 1))


# ---------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------

_OLD_TONE_OA = re.compile(r"([òóỏõọÒÓỎÕỌ])([aAeE])(?!\w)")
_OLD_TONE_UY = re.compile(r"(?<![qQ])([ùúủũụÙÚỦŨỤ])([yY])(?!\w)")


def _move_tone(match: re.Match) -> str:
    decomposed = unicodedata.normalize("NFD", match[1])
    base, marks = decomposed[0], decomposed[1:]
    return base + unicodedata.normalize("NFC", match[2] + marks)


def to_old_tone_style(text: str) -> str:
    """Rewrite ``hòa, thủy, Ủy`` as ``hoà, thuỷ, Uỷ`` (the old tone-mark style).

    >>> to_old_tone_style("Ủy ban hòa giải Giao Thủy")
    'Uỷ ban hoà giải Giao Thuỷ'
    """
    return _OLD_TONE_UY.sub(_move_tone, _OLD_TONE_OA.sub(_move_tone, text))


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:] if text and text[0].islower() else text


_SLOT = re.compile(r"\{(\w+)\}")
_WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")


# ---------------------------------------------------------------------------
# Articles
# ---------------------------------------------------------------------------

@dataclass
class _Article:
    """Content of one page before layout (kept to re-render reposts)."""

    locality: Locality
    date: dt.date
    time: tuple[int, int, int]
    year: int
    themes: tuple[str, ...]
    main_theme: str
    named: bool
    title: str
    category: str
    blocks: list[tuple[str, str]]  # ("p" | "caption" | "item", text)
    author: str
    unit: str
    views: int
    related: list[str]
    banner_unit: str
    old_tones: bool
    year_end: bool = False      # the year-end review meeting (title names the year reviewed)
    banner: str = ""            # yearly banner above everything ("" = none)
    category_above: bool = False
    crumb: str = ""             # category line or crumbs set directly above the headline


class _Context:
    """Slot filling for one page."""

    def __init__(self, loc: Locality, year: int, named: bool, draws: _Draws, bank: _Bank):
        self.loc, self.year, self.named, self.d, self.bank = loc, year, named, draws, bank
        self.fixed = {
            "dtype": loc.dtype.lower(),
            "lvl": loc.lvl,
            "plvl": loc.plvl,
            "level_unit": f"{loc.lvl} {loc.name}" if named else loc.lvl,
            "province": loc.province_phrase,
            "year": str(year),
            "slug": loc.district_slug,
        }
        self.fixed["district"] = f"{loc.dtype.lower()} {loc.name}" if named else loc.dtype.lower()
        self.fixed["District"] = f"{loc.dtype} {loc.name}" if named else "Khối dân vận"
        self.extra: dict[str, str] = {}

    def person_name(self) -> str:
        family, middle, given = self.bank.male if self.d.random() < 0.6 else self.bank.female
        return f"{self.d.choice(family)} {self.d.choice(middle)} {self.d.choice(given)}"

    def person(self) -> str:
        name = self.person_name()
        role = self.fill(self.d.choice(self.bank.roles), capitalize=False)
        style = self.d.random()
        if style < 0.45:
            return f"{name} - {role}"
        if style < 0.85:
            return f"{name}, {role}"
        return f"{role} {name}"

    def number(self, text: str, start: int, end: int) -> str:
        before = text[max(0, start - 14):start]
        after = text[end:end + 8]
        if after.startswith("%"):
            return str(self.d.randint(55, 99))
        if before.endswith("quý "):
            return str(self.d.randint(1, 4))
        if before.endswith("tháng ") or before.endswith("thứ "):
            return str(self.d.randint(2, 11))
        if before.endswith("mũi "):
            return str(self.d.randint(1, 3))
        if before.endswith("Phật lịch "):
            return str(self.year + 544)
        if after.startswith(" tháng"):
            return self.d.choice(("3", "6", "9"))
        if before.endswith("0"):
            return str(self.d.randint(200000000, 399999999))
        return str(self.d.randint(2, 9) if self.d.random() < 0.3 else self.d.randint(10, 180))

    def fill(self, template: str, *, capitalize: bool = True) -> str:
        def repl(match: re.Match) -> str:
            key = match[1]
            if key in self.extra:
                return self.extra[key]
            if key == "dtype" and self.named and self.d.random() < 0.25:
                return self.fixed["district"]
            if key in self.fixed:
                return self.fixed[key]
            if key == "ward":
                ward = self.d.choice(self.loc.wards)
                kind, _, rest = ward.partition(" ")
                if kind == "Thị":  # "Thị trấn X"
                    return "thị trấn " + rest.partition(" ")[2]
                return kind.lower() + " " + rest
            if key == "number":
                return self.number(template, match.start(), match.end())
            if key == "few":
                return str(self.d.randint(2, 24))
            if key == "person":
                return self.person()
            if key == "name":
                return self.person_name()
            if key == "banner_unit":
                return self.extra.get("banner_unit", "")
            raise KeyError(f"unknown slot {{{key}}} in phrase bank text: {template!r}")

        out = _SLOT.sub(repl, template)
        return _capitalize(out) if capitalize else out


def _format_event_date(date: dt.date, with_year: bool, d: _Draws) -> str:
    style = d.randint(0, 1)
    day = f"{date.day:02d}" if style else str(date.day)
    month = f"{date.month:02d}" if style else str(date.month)
    return f"{day}/{month}/{date.year}" if with_year else f"{day}/{month}"


def _compose(loc: Locality, date: dt.date, themes: tuple[str, ...], template: str, named: bool,
             d: _Draws, bank: _Bank, *, year_end: str = "", no_year: bool = False, banner: bool = False,
             category_above: bool = False) -> _Article:
    """One article. ``year_end``: ``"january"`` (the review of last year) or ``"december"`` (of this
    year); ``no_year``: no text names the year (the event date is written without it)."""
    year = date.year
    main = themes[0]
    ctx = _Context(loc, year, named, d, bank)
    has_header_date = template != "portal_g"

    def get(group: str, kind: str) -> list[str]:
        return bank.get(group, kind, year, no_year=no_year)

    event = date
    if has_header_date:
        back = d.randint(0, 2)
        if (date - dt.timedelta(days=back)).year == year:
            event = date - dt.timedelta(days=back)
    with_year = False if (no_year or year_end) else (not has_header_date or d.random() < 0.5)
    ctx.extra["date"] = _format_event_date(event, with_year=with_year, d=d)
    ctx.extra["topic"] = ctx.fill(d.choice(get(main, "topics")), capitalize=False)
    if year_end:
        review = year - 1 if year_end == "january" else year
        ctx.extra["review_year"], ctx.extra["plan_year"] = str(review), str(review + 1)

    titles = get(main, "titles")
    title = ctx.fill(d.choice(get("generic", "year_end_titles") if year_end else titles))
    related = [ctx.fill(t) for t in d.sample([t for t in titles], 4)]
    related = [t for t in related if t != title][:3]

    n_sent = d.randint(6, 20)
    n_front = 1 + (d.random() < 0.8)
    n_body = n_sent - n_front
    n_second = [d.randint(1, 2) for _ in themes[1:]]
    n_main = max(2, round(0.45 * n_body))
    n_generic = n_body - n_main - sum(n_second)
    if n_generic < 1:
        n_main = max(2, n_main + n_generic - 1)
        n_generic = max(1, n_body - n_main - sum(n_second))
    chosen: list[str] = []
    chosen += d.sample(get(main, "sentences"), n_main)
    for theme, k in zip(themes[1:], n_second):
        chosen += d.sample(get(theme, "sentences"), k)
    chosen += d.sample(get("generic", "sentences"), n_generic)
    chosen = [ctx.fill(s) for s in d.shuffle(chosen)]

    openings = get("generic", "year_end_openings" if year_end else "openings")
    if not named:  # pages that do not name the district name at least one of its wards
        openings = [o for o in openings if "{ward}" in o] or openings
    front = [ctx.fill(d.choice(openings))]
    if n_front == 2:
        front.append(ctx.fill(d.choice(get("generic", "attendance"))))

    blocks: list[tuple[str, str]] = [("p", " ".join(front))]
    items: list[str] = []
    if len(chosen) >= 5 and d.random() < 0.35:
        n_items = d.randint(2, min(4, len(chosen) - 2))
        items = chosen[-n_items:]
        chosen = chosen[:-n_items]
    i = 0
    while i < len(chosen):
        size = d.randint(1, 3)
        blocks.append(("p", " ".join(chosen[i:i + size])))
        i += size
    if items:
        blocks.append(("p", ctx.fill(d.choice(get("generic", "lead_ins")))))
        blocks += [("item", f"{k}. {text}") for k, text in enumerate(items, 1)]
    if d.random() < 0.5:
        blocks.append(("p", ctx.fill(d.choice(get("generic", "closings")))))
    n_captions = d.randint(0, 2)
    captions = get("generic", "captions")
    for _ in range(n_captions):
        pos = d.randint(1, max(1, len(blocks) - 1))
        if blocks[pos - 1][0] == "item" or (pos < len(blocks) and blocks[pos][0] == "item"):
            continue
        blocks.insert(pos, ("caption", ctx.fill(d.choice(captions))))

    banner_unit = f"Ban Dân vận {loc.lvl} {loc.name}" if named else f"Ban Dân vận {loc.lvl}"
    ctx.extra["banner_unit"] = banner_unit
    return _Article(
        locality=loc, date=date, time=(d.randint(7, 17), d.randint(0, 59), d.randint(0, 59)), year=year,
        themes=themes, main_theme=main, named=named, title=title,
        category=d.choice(bank.chrome["categories"]), blocks=blocks,
        author=d.choice(bank.author_names), unit=ctx.fill(d.choice(bank.author_units), capitalize=False),
        views=int(np.clip(round(np.exp(4.0 + 2.2 * d.random())), 12, 9999)) + d.randint(0, 9),
        related=related, banner_unit=banner_unit, old_tones=d.random() < SHARE_OLD_TONES,
        year_end=bool(year_end), banner=ctx.fill(d.choice(bank.chrome["banners"])) if banner else "",
        category_above=category_above, crumb=d.choice(bank.chrome["crumbs"]),
    )


# ---------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------

# Private-use marks around body text while a page is laid out: a pasted legacy
# body replaces what lies between them; a Unicode page just drops them.
_BODY_OPEN, _BODY_CLOSE = "\ue000", "\ue001"
_BODY_SPAN = re.compile(f"{_BODY_OPEN}(.*?){_BODY_CLOSE}", re.DOTALL)
_BODY_MARKS = re.compile(f"[{_BODY_OPEN}{_BODY_CLOSE}]")


def _english_meta(a: _Article, d: _Draws, dmy: str, hm: str) -> list[str]:
    """Header lines of a CMS with English labels; an ``Updated`` date after ``Posted`` is not the date."""
    style = d.randint(0, 4)
    if style == 0:
        return [f"Posted: {dmy} | Views: {a.views}"]
    if style == 1:
        return [f"Date: {dmy}", f"View count: {a.views}"]
    if style == 2:
        return [f"Updated: {dmy} {hm} | Hits: {a.views}"]
    if style == 3:
        return [f"Posted: {hm} {dmy}", f"Views: {a.views}"]
    later = a.date + dt.timedelta(days=d.randint(1, 40))
    return [f"Posted: {dmy} {hm} | Updated: {later.day:02d}/{later.month:02d}/{later.year} "
            f"{d.randint(7, 21):02d}:{d.randint(0, 59):02d}", f"View count: {a.views}"]


def _render(a: _Article, template: str, d: _Draws, bank: _Bank, *, mark_body: bool = False) -> str:
    """Lay an article out as ``template``; ``mark_body`` wraps each body block in private-use marks."""
    date, (hh, mi, ss) = a.date, a.time
    dmy = f"{date.day:02d}/{date.month:02d}/{date.year}"
    hm = f"{hh:02d}:{mi:02d}"
    chrome = bank.chrome
    ctx = _Context(a.locality, a.year, a.named, d, bank)
    ctx.extra["banner_unit"] = a.banner_unit

    def body(sep: str, caption_fmt: str = "{}") -> str:
        parts = []
        for kind, text in a.blocks:
            if mark_body:
                text = _BODY_OPEN + text + _BODY_CLOSE
            parts.append(caption_fmt.format(text) if kind == "caption" else text)
        return sep.join(parts)

    footer = [ctx.fill(f) for f in chrome["footers"] if a.named or "{slug}" not in f]
    if template == "html":
        return _render_html(a, d, bank, dmy, hm, footer, mark_body)
    top = [a.banner] if a.banner else []
    tight = a.category_above and template in _CATEGORY_TEMPLATES
    if template == "portal_a":
        head = [a.crumb, a.title] if tight else [a.category, "", a.title]
        lines = top + head + [f"Ngày đăng {dmy} | {hm}  | Lượt xem: {a.views}", "", body("\n\n")]
        if d.random() < 0.5:
            lines += ["", a.author]
        return "\n".join(lines)
    if template == "portal_b":
        stamp = f"{date.year}-{date.month:02d}-{date.day:02d} {hh:02d}:{mi:02d}:{ss:02d} Số lượt xem {a.views}"
        text = body("\n")
        return "\n".join(top + [stamp, " " + text, " ", a.author, a.unit, " ", " ", " ", "Video",
                                "Thống kê truy cập", f"Đang online{d.randint(5, 90)}",
                                f"Tất cả{d.randint(200000, 4000000)}"])
    if template == "portal_c":
        site = (f"ĐẢNG BỘ {a.locality.dtype.upper()} {a.locality.name.upper()}" if a.named
                else "CỔNG THÔNG TIN ĐIỆN TỬ")
        date_line = f"{_WEEKDAYS[date.weekday()]}, {dmy} - {hm}" if d.random() < 0.7 else dmy
        lines = top + [a.banner_unit.upper(), site, " | ".join(chrome["nav"]),
                       f"Trang chủ > Tin tức > {a.category}"] + ([] if tight else [""])
        lines += [a.title, date_line, d.choice(chrome["share"]), "", body("\n\n"), "", f"Tác giả: {a.author}"]
        if d.random() < 0.5:
            lines.append(f"Nguồn: {a.unit}")
        lines += ["", d.choice(chrome["related_headings"])] + [f"- {t}" for t in a.related]
        lines += [""] + footer
        return "\n".join(lines)
    if template == "portal_d":
        lines = top + ([a.crumb] if tight else []) + [
            a.title, f"Cập nhật lúc {hm} ngày {dmy}", d.choice(chrome["share"]), "", body("\n\n"), "",
            f"{a.author} - {a.unit}", ""] + d.sample(chrome["widgets"], 3)
        return "\n".join(lines)
    if template == "portal_e":
        credit = f"{a.author} ({a.unit})" if d.random() < 0.6 else f"Theo {a.unit}"
        lines = top + [f"Trang chủ » Tin tức » {a.category}"] + ([] if tight else [""]) + [
            a.title, f"Ngày đăng: {date.day}-{date.month}-{date.year}", f"Lượt xem: {a.views}", "",
            body("\n\n"), "", credit]
        return "\n".join(lines)
    if template == "portal_f":
        lines = top + ["  ".join(chrome["nav_en"]), ""] + ([a.crumb] if tight else []) + [a.title]
        lines += _english_meta(a, d, dmy, hm)
        lines += ["", body("\n\n"), "", f"Posted by: {a.author}", "", "Related news"]
        lines += [f"- {t}" for t in a.related]
        lines += ["", f"Copyright © {date.year} {a.banner_unit}. All rights reserved."]
        return "\n".join(lines)
    if template == "portal_g":
        head = [a.crumb, a.title] if tight else [a.category, "", a.title]
        return "\n".join(top + head + ["", body("\n\n"), "", a.author])
    raise ValueError(f"unknown template {template!r}")


def _render_html(a: _Article, d: _Draws, bank: _Bank, dmy: str, hm: str, footer: list[str],
                 mark_body: bool = False) -> str:
    esc = html.escape
    chrome = bank.chrome
    date = a.date
    date_text = f"{_WEEKDAYS[date.weekday()]}, {dmy} - {hm}" if d.random() < 0.5 else f"{dmy} {hm}"
    nav = "".join(f'<li><a href="/{slugify(item)}">{esc(item)}</a></li>' for item in chrome["nav"])

    def marked(text: str) -> str:
        return _BODY_OPEN + esc(text) + _BODY_CLOSE if mark_body else esc(text)

    content = []
    n_img = 0
    for kind, text in a.blocks:
        if kind == "caption":
            n_img += 1
            content.append(f'<figure class="image"><img src="/uploads/{date.year}/{date.month:02d}/anh-{n_img}.jpg" '
                           f'alt=""><figcaption>{marked(text)}</figcaption></figure>')
        else:
            content.append(f"<p>{marked(text)}</p>")
    content.append(f'<p class="author" style="text-align:right"><strong>{esc(a.author)}</strong></p>')
    related = "".join(f'<li><a href="/tin-tuc/{slugify(t)[:60]}.html">{esc(t)}</a></li>' for t in a.related)
    foot = "".join(f"<p>{esc(f)}</p>" for f in footer)
    slogan = [f'<div class="slogan">{esc(a.banner)}</div>'] if a.banner else []
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="vi">',
        f'<head><meta charset="utf-8"><title>{esc(a.title)} - {esc(a.banner_unit)}</title></head>',
        "<body>",
        *slogan,
        f'<div class="header"><div class="banner">{esc(a.banner_unit.upper())}</div>',
        f'<ul class="nav">{nav}</ul></div>',
        f'<div class="breadcrumb"><a href="/">Trang chủ</a> &gt; <a href="/tin-tuc">Tin tức</a> &gt; '
        f"<span>{esc(a.category)}</span></div>",
        '<div class="article">',
        f'<h1 class="title">{esc(a.title)}</h1>',
        f'<div class="meta"><span class="date">{esc(date_text)}</span> '
        f'<span class="views">Lượt xem: {a.views}</span></div>',
        '<div class="content">',
        "\n".join(content),
        "</div>",
        "</div>",
        f'<div class="related"><h3>{esc(d.choice(chrome["related_headings"]))}</h3><ul>{related}</ul></div>',
        f'<div class="sidebar"><h4>Thống kê truy cập</h4><p>Đang online: {d.randint(5, 90)}</p>'
        f"<p>Tổng lượt truy cập: {d.randint(200000, 4000000)}</p></div>",
        f'<div class="footer">{foot}</div>',
        "</body>",
        "</html>",
        "",
    ])


# Small edits a reposting portal makes (first match only).
_REPOST_EDITS: tuple[tuple[str, str], ...] = (
    ("Sáng ngày ", "Sáng "), ("Chiều ngày ", "Chiều "), (" nhân dân ", " người dân "), (" các ", " những "),
    (" được ", " đã được "), (" tổ chức ", " đã tổ chức "), (" tiếp tục ", " sẽ tiếp tục "), (" đã ", " vừa "),
)


def _repost(a: _Article, date: dt.date, d: _Draws) -> _Article:
    blocks = list(a.blocks)
    n_words = sum(len(t.split()) for _, t in blocks)
    n_edits = 1 + (n_words > 200) + (n_words > 350)
    for _ in range(n_edits):
        candidates = [i for i, (kind, _) in enumerate(blocks) if kind == "p"]
        i = d.choice(candidates)
        kind, text = blocks[i]
        for old, new in d.shuffle(list(_REPOST_EDITS)):
            if old in text:
                blocks[i] = (kind, text.replace(old, new, 1))
                break
    # The reposting portal has its own chrome: no banner, its own category line.
    return _Article(**{**a.__dict__, "date": date, "blocks": blocks,
                       "time": (d.randint(7, 21), d.randint(0, 59), d.randint(0, 59)),
                       "views": d.randint(12, 800), "banner": "", "category_above": False})


# ---------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------

def encode_page(text: str, label: str) -> bytes:
    """Bytes of ``text`` in encoding ``label`` (one of :data:`toolkit.ingest.encoding.ENCODINGS`)."""
    from toolkit.ingest.encoding import encode_text

    return bytes(encode_text(text, label))


def legacy_in_unicode(text: str, label: str) -> str:
    """``text`` typed in a legacy font (``"tcvn3"``, ``"vni"``) and read as Windows-1252.

    >>> legacy_in_unicode("Dân vận", "vni")
    'Daân vaän'
    """
    return encode_page(text, f"{label}-in-unicode").decode("utf-8")


# ---------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------

@dataclass
class SimulatedPage:
    """One simulated raw page and its truth."""

    page_id: str
    path: str
    data: bytes
    encoding: str
    template: str
    province: str
    district: str
    year: int
    date: str
    themes: tuple[str, ...]
    main_theme: str
    duplicate_of: str = ""
    header_date: bool = True
    names_district: bool = True
    tone_style: str = "new"
    #: The headline as the page shows it ("" for a layout without one).
    title: str = ""
    #: Hard cases the page carries (names from :data:`CASES`, in that order).
    cases: tuple[str, ...] = ()
    #: The text of a page not written in plain UTF-8 (UTF-8 pages decode ``data``).
    legacy_text: str | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        """The page as NFC text (before any legacy encoding or pasted legacy body)."""
        return self.legacy_text if self.legacy_text is not None else self.data.decode("utf-8")

    @property
    def format(self) -> str:
        return "html" if self.template == "html" else "txt"

    def truth(self) -> dict:
        return {
            "page_id": self.page_id, "path": self.path, "province": self.province, "district": self.district,
            "year": self.year, "date": self.date,
            "themes": ";".join(t for t in THEMES if t in self.themes),
            "main_theme": self.main_theme, "duplicate_of": self.duplicate_of, "encoding": self.encoding,
            "template": self.template, "format": self.format, "header_date": self.header_date,
            "names_district": self.names_district, "tone_style": self.tone_style, "title": self.title,
            "case": ";".join(self.cases),
        }


#: Columns of ``truth/documents.csv``.
TRUTH_COLUMNS: tuple[str, ...] = (
    "page_id", "path", "province", "district", "year", "date", "themes", "main_theme", "duplicate_of",
    "encoding", "template", "format", "header_date", "names_district", "tone_style", "title", "case",
)


@dataclass
class SimulatedCorpus:
    """A simulated corpus in memory: pages, their truth and the planted shares."""

    pages: list[SimulatedPage]
    theme_shares: pd.DataFrame
    random_state: int
    n_pages: int
    localities: tuple[Locality, ...] = field(default_factory=tuple)

    @property
    def documents(self) -> pd.DataFrame:
        """Truth per page (columns :data:`TRUTH_COLUMNS`), in page-id order."""
        return pd.DataFrame([p.truth() for p in self.pages], columns=list(TRUTH_COLUMNS))

    def sources_toml(self) -> str:
        """The ``toolkit ingest --sources`` file mapping page folders to localities."""
        lines = ["# SIMULATED demo corpus: page folders -> locality (for `toolkit ingest --sources`).", ""]
        for loc in self.localities:
            lines += ["[[source]]", f'match = "pages/{loc.province_slug}/{loc.district_slug}/**"',
                      f'province = "{loc.province}"', f'district = "{loc.district}"', ""]
        return "\n".join(lines)

    def readme(self) -> str:
        counts = self.documents
        return "\n".join([
            f"SIMULATED demo corpus — NOT REAL NEWS. Generated by toolkit.simulate with "
            f"random_state={self.random_state}, n_pages={self.n_pages}.",
            "",
            "Every sentence comes from the phrase bank written for this project",
            "(corpora/demo/phrasebank.toml); people are invented. Only the localities",
            "(districts, wards, communes) are real units, taken from the gazetteer.",
            "",
            "pages/<province>/<district>/<year>/<page_id>.txt|.html  raw pages as a scraper saves them",
            "truth/documents.csv    per page: locality, date, themes, main theme, repost of, encoding, template,",
            "                       title, hard cases",
            "truth/theme_shares.csv planted probability that a page of a district x year carries a theme",
            "sources.toml           folders -> locality, for `python -m toolkit ingest --sources`",
            "",
            f"{len(counts)} pages; {int((counts['duplicate_of'] != '').sum())} reposts; "
            f"{int((counts['format'] == 'html').sum())} HTML; "
            f"{int((counts['encoding'] != 'utf-8').sum())} in encodings other than UTF-8.",
            "Hard cases: " + ", ".join(f"{case} {int(counts['case'].str.split(';').apply(lambda c: case in c).sum())}"
                                       for case in CASES) + ".",
            "",
        ])


def _allocate(n: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    p = weights / weights.sum()
    if n >= 2 * len(p):
        return 1 + rng.multinomial(n - len(p), p)
    return rng.multinomial(n, p)


def simulate_corpus(n_pages: int, *, random_state: int, phrasebank: dict | None = None) -> SimulatedCorpus:
    """Simulate ``n_pages`` raw portal pages with planted truth (in memory).

    Parameters
    ----------
    n_pages
        Number of pages, reposts included (1 to a few hundred thousand).
    random_state
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same
        bytes on every run.
    phrasebank
        A phrase bank as read by :func:`load_phrasebank` (default: the
        project's ``corpora/demo/phrasebank.toml``).

    Returns
    -------
    SimulatedCorpus
        Pages sorted by publication date (page ids ``p000001``… in that
        order), their truth and the planted shares (:func:`planted_shares`).
    """
    if n_pages < 1:
        raise ValueError("n_pages must be at least 1")
    rng = np.random.default_rng(random_state)
    d = _Draws(rng)
    bank = _Bank(phrasebank if phrasebank is not None else load_phrasebank())
    locs = localities()
    n_reposts = int(round(SHARE_REPOSTS * n_pages)) if n_pages >= 50 else 0
    n_orig = n_pages - n_reposts

    cells = [(li, year) for li in range(len(locs)) for year in YEARS]
    volume = np.array([_DISTRICT_VOLUME[_SHORT[(locs[li].province, locs[li].district)]] * (1.0 + 0.05 * (year - 2015))
                       for li, year in cells])
    counts = _allocate(n_orig, volume, rng)

    # originals: (date, locality index, tiebreak)
    originals = []
    for (li, year), count in zip(cells, counts):
        n_days = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
        for offset in rng.integers(0, n_days, size=count):
            originals.append((dt.date(year, 1, 1) + dt.timedelta(days=int(offset)), li, d.random()))
    originals.sort()

    weight_cache: dict[tuple[int, int, bool], np.ndarray] = {}
    template_names = [t for t, _ in TEMPLATES]
    template_probs = [p for _, p in TEMPLATES]

    plans = []  # (date, order, kind, payload)
    for k, (date, li, _) in enumerate(originals):
        after = date >= DEMOCRACY_LAW_EFFECTIVE
        key = (li, date.year, after)
        w = weight_cache.get(key)
        if w is None:
            w = theme_weights(locs[li].province, locs[li].district, date.year, after)
            w = w / w.sum()
            weight_cache[key] = w
        main = d.weighted(w)
        n_sec = d.weighted(N_SECONDARY_PROBS)
        remaining = w.copy()
        remaining[main] = 0.0
        secondary = []
        for _ in range(n_sec):
            if remaining.sum() <= 0:
                break
            j = d.weighted(remaining)
            secondary.append(j)
            remaining[j] = 0.0
        themes = tuple(THEMES[i] for i in [main] + secondary)
        template = template_names[d.weighted(template_probs)]
        year_end = ""
        if date.month == 1 and date.day <= 20 and d.random() < SHARE_YEAR_END_JANUARY:
            year_end = "january"
        elif date.month == 12 and date.day >= 20 and d.random() < SHARE_YEAR_END_DECEMBER:
            year_end = "december"
        banner_only = not year_end and d.random() < SHARE_BANNER_ONLY_YEAR
        if year_end or banner_only:
            template = "portal_g"
        legacy = d.random() < SHARE_LEGACY and template != "html"
        enc = d.choice(LEGACY_ENCODINGS) if legacy else "utf-8"
        pasted = d.choice(PASTED_ENCODINGS) if not legacy and d.random() < SHARE_MIXED_ENCODING else ""
        plans.append((date, 0, k, {
            "li": li, "themes": themes, "template": template, "named": d.random() < SHARE_NAMED, "encoding": enc,
            "pasted": pasted, "year_end": year_end, "banner_only": banner_only,
            "banner": banner_only or d.random() < SHARE_BANNER,
            "category_above": template in _CATEGORY_TEMPLATES and d.random() < SHARE_CATEGORY_ABOVE_TITLE}))
    for _ in range(n_reposts):
        k = d.randint(0, n_orig - 1)
        orig_date = originals[k][0]
        date = min(orig_date + dt.timedelta(days=d.randint(1, 5)), dt.date(orig_date.year, 12, 31))
        plans.append((date, 1, k, {"original": k}))
    plans.sort(key=lambda p: (p[0], p[1], p[2]))

    id_of_original = {}
    for position, (_, kind, k, _) in enumerate(plans):
        if kind == 0:
            id_of_original[k] = f"p{position + 1:06d}"

    reposted = {k for _, kind, k, _ in plans if kind == 1}
    same_name = same_name_districts()
    articles: dict[int, _Article] = {}
    templates_of: dict[int, str] = {}
    pages: list[SimulatedPage] = []
    for position, (date, kind, k, plan) in enumerate(tqdm(plans, desc="simulate", unit="page", disable=None)):
        page_id = f"p{position + 1:06d}"
        cases = set()
        if kind == 0:
            loc = locs[plan["li"]]
            template = plan["template"]
            article = _compose(loc, date, plan["themes"], template, plan["named"], d, bank,
                               year_end=plan["year_end"], no_year=plan["banner_only"], banner=plan["banner"],
                               category_above=plan["category_above"])
            if k in reposted:  # keep only what reposts need, so large corpora fit in memory
                articles[k] = article
            templates_of[k] = template
            duplicate_of, enc, pasted = "", plan["encoding"], plan["pasted"]
            cases.update(name for name in ("banner_only", "category_above") if plan[name])
        else:
            source = articles[k]
            loc = source.locality
            others = [t for t in template_names if t not in (templates_of[k], "portal_g")]
            template = d.choice(others)
            article = _repost(source, date, d)
            duplicate_of, enc, pasted = id_of_original[k], "utf-8", ""
        text = _render(article, template, d, bank, mark_body=bool(pasted))
        if article.old_tones:
            text = to_old_tone_style(text)
        if not text.endswith("\n"):
            text += "\n"
        text = unicodedata.normalize("NFC", text)
        clean = _BODY_MARKS.sub("", text)
        legacy_text = clean
        if pasted:
            data = _BODY_SPAN.sub(lambda m: legacy_in_unicode(m[1], pasted), text).encode("utf-8")
            enc = f"{pasted}-in-unicode"
        elif enc != "utf-8":
            data = encode_page(clean, enc)
        else:
            data, legacy_text = clean.encode("utf-8"), None
        title = "" if template == "portal_b" else article.title
        if title and article.old_tones:
            title = to_old_tone_style(title)
        flags = {
            "mixed_encoding": bool(pasted), "legacy_encoding": enc in LEGACY_ENCODINGS,
            "no_header_date": template == "portal_g",
            "year_end_review": article.year_end and template == "portal_g",
            "english_labels": template == "portal_f",
            "category_above_title": "category_above" in cases and template in _CATEGORY_TEMPLATES,
            "banner_year": bool(article.banner), "banner_only_year": "banner_only" in cases,
            "same_name_district": (loc.province, loc.district) in same_name,
        }
        ext = "html" if template == "html" else "txt"
        path = f"pages/{loc.province_slug}/{loc.district_slug}/{date.year}/{page_id}.{ext}"
        pages.append(SimulatedPage(
            page_id=page_id, path=path, data=data, encoding=enc, template=template,
            province=loc.province, district=loc.district, year=date.year, date=date.isoformat(),
            themes=article.themes, main_theme=article.main_theme, duplicate_of=duplicate_of,
            header_date=template != "portal_g", names_district=article.named,
            tone_style="old" if article.old_tones else "new",
            title=unicodedata.normalize("NFC", title), cases=tuple(c for c in CASES if flags[c]),
            legacy_text=legacy_text,
        ))
    logger.info("simulated %d pages (%d reposts)", len(pages), n_reposts)
    return SimulatedCorpus(pages=pages, theme_shares=planted_shares(), random_state=random_state,
                           n_pages=n_pages, localities=locs)


def write_corpus(sim: SimulatedCorpus, out_dir: str | os.PathLike) -> Path:
    """Write a simulated corpus to ``out_dir`` (atomically, file by file).

    Layout: ``pages/<province>/<district>/<year>/<page_id>.txt|.html``,
    ``truth/documents.csv``, ``truth/theme_shares.csv``, ``sources.toml``,
    ``README.txt``. Page files of an earlier simulated corpus in the same
    folder that are not part of this one are removed; a folder with other
    content under ``pages/`` is refused.
    """
    from toolkit.corpus import atomic_path, write_table, write_text_atomic

    out = Path(out_dir)
    pages_dir = out / "pages"
    keep = {p.path for p in sim.pages}
    if pages_dir.exists():
        old = sorted(p for p in pages_dir.rglob("*") if p.is_file())
        readme = out / "README.txt"
        previous_sim = readme.is_file() and readme.read_text(encoding="utf-8").startswith("SIMULATED")
        stale = [p for p in old if p.relative_to(out).as_posix() not in keep]
        if stale and not previous_sim:
            raise FileExistsError(f"{pages_dir} holds files that are not a simulated corpus; choose another folder")
        for path in stale:
            path.unlink()
    for page in tqdm(sim.pages, desc="write", unit="page", disable=None):
        target = out / page.path
        with atomic_path(target) as tmp:
            tmp.write_bytes(page.data)
    write_table(sim.documents, out / "truth" / "documents.csv")
    write_table(sim.theme_shares, out / "truth" / "theme_shares.csv")
    write_text_atomic(out / "sources.toml", sim.sources_toml())
    write_text_atomic(out / "README.txt", sim.readme())
    logger.info("wrote %d pages to %s", len(sim.pages), out)
    return out


# ---------------------------------------------------------------------------
# Ingest accuracy against the planted truth
# ---------------------------------------------------------------------------

#: Fields :func:`ingest_accuracy` scores, in its output order.
ACCURACY_FIELDS: tuple[str, ...] = ("date", "year", "title", "province", "district")
#: Optional document-table columns scored against the truth's province/district when present.
_TEXT_LOCALITY_FIELDS: dict[str, str] = {"province_from_text": "province", "district_from_text": "district"}


def wilson_interval(correct: int, n: int) -> tuple[float, float]:
    """95 % Wilson score interval of ``correct / n`` (NaN when ``n`` is 0): :func:`toolkit.themes.shares.proportion_interval`.

    >>> [round(x, 4) for x in wilson_interval(1, 2)]
    [0.0945, 0.9055]
    """
    from toolkit.themes.shares import proportion_interval

    low, high = proportion_interval(correct, n, method="wilson")
    return float(low[0]), float(high[0])


@functools.lru_cache(maxsize=65536)
def _canonical_text(value: str) -> str:
    """A text as compared: NFC, new-style tone marks, case and spacing folded, outer punctuation off."""
    from toolkit.text.normalize import normalize_tone_marks

    text = normalize_tone_marks(unicodedata.normalize("NFC", value))
    return " ".join(text.split()).casefold().strip(" .,:;!?\"'“”‘’«»-–—")


def _canonical(values: list) -> list[str]:
    return [_canonical_text(v) if isinstance(v, str) else "" for v in values]


def _years(values: list) -> list[int | None]:
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    return [None if pd.isna(x) else int(x) for x in numbers]


def _match_to_truth(documents: pd.DataFrame, truth: pd.DataFrame) -> list[int | None]:
    """For each truth row, the position of its document (by ``source`` ending in ``path``), or None."""
    if "source" not in documents.columns:
        raise ValueError("documents lack a 'source' column to match them with the truth's 'path'")
    depths = sorted({len(str(p).split("/")) for p in truth["path"]})
    by_suffix: dict[str, int] = {}
    for position, source in enumerate(documents["source"].astype(str)):
        parts = source.split("#", 1)[0].replace("\\", "/").split("/")
        for depth in depths:
            by_suffix.setdefault("/".join(parts[-depth:]), position)
    return [by_suffix.get(str(p)) for p in truth["path"]]


def ingest_accuracy(documents: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """How well ingestion read the simulated pages: date, year, title and locality against the truth.

    Parameters
    ----------
    documents
        The document table of the ingested pages (:data:`toolkit.corpus.DOC_COLUMNS`); a document is
        matched to its page when its ``source`` ends with the truth's ``path``. Columns
        ``province_from_text`` / ``district_from_text``, when present, are scored too (locality
        inferred from the text alone, against the true province/district).
    truth
        ``truth/documents.csv`` of a simulated corpus (:data:`TRUTH_COLUMNS`; read as strings or not).

    Returns
    -------
    pandas.DataFrame
        Columns ``case, field, n, correct, accuracy, ci_low, ci_high``: for every field, the pages
        scored (``n``), those read right, their share and its 95 % Wilson interval; ``case`` is
        ``"all"`` for every page, then one block per hard case of :data:`CASES` that occurs in the
        truth's ``case`` column. A page with no document (rejected) counts as wrong on every field.
        ``date`` is right when it is the true day (``yyyy-mm-dd``); ``title`` is scored on pages that
        show a headline, compared after NFC, tone-mark placement, case and spacing are folded; so are
        province and district. Sorted by case (``all`` first, then :data:`CASES` order), then field.

    Examples
    --------
    >>> truth = pd.DataFrame({"path": ["pages/a/1.txt", "pages/a/2.txt"], "date": ["2020-01-08"] * 2,
    ...                       "year": [2020, 2020], "title": ["Hội nghị", ""], "province": ["Bến Tre"] * 2,
    ...                       "district": ["Huyện Châu Thành"] * 2})
    >>> docs = pd.DataFrame({"source": ["demo/pages/a/1.txt", "demo/pages/a/2.txt"],
    ...                      "date": ["2020-01-08", "2019-01-08"], "year": [2020, 2019], "title": ["Hội nghị", "x"],
    ...                      "province": ["Bến Tre"] * 2, "district": ["Huyện Châu Thành"] * 2})
    >>> print(ingest_accuracy(docs, truth)[["field", "n", "correct", "accuracy"]].to_string(index=False))
       field  n  correct  accuracy
        date  2        1       0.5
        year  2        1       0.5
       title  1        1       1.0
    province  2        2       1.0
    district  2        2       1.0
    """
    truth = truth.reset_index(drop=True)
    positions = _match_to_truth(documents, truth)
    docs = documents.reset_index(drop=True)

    def aligned(column: str) -> list:
        values = docs[column].tolist() if column in docs.columns else [None] * len(docs)
        return [None if p is None else values[p] for p in positions]

    fields = list(ACCURACY_FIELDS) + [f for f in _TEXT_LOCALITY_FIELDS if f in docs.columns]
    scored: dict[str, list[bool | None]] = {}   # None: the page is not scored on that field
    for field_name in fields:
        true = truth[_TEXT_LOCALITY_FIELDS.get(field_name, field_name)].tolist()
        got = aligned(field_name)
        if field_name == "date":
            scored[field_name] = [isinstance(g, str) and g.strip() == str(t).strip() for t, g in zip(true, got)]
        elif field_name == "year":
            scored[field_name] = [g is not None and g == t for t, g in zip(_years(true), _years(got))]
        else:
            pairs = zip(_canonical(true), _canonical(got))
            scored[field_name] = [None if field_name == "title" and not t else bool(g) and g == t for t, g in pairs]

    # an empty cell (no hard case) may arrive as NaN from a CSV reader
    case_sets = ([set(c.split(";")) - {""} if isinstance(c, str) else set() for c in truth["case"]]
                 if "case" in truth.columns
                 else [set() for _ in range(len(truth))])
    present = {c for cs in case_sets for c in cs}
    groups = ["all"] + [c for c in CASES if c in present] + sorted(present - set(CASES))
    rows = []
    for group in groups:
        members = [i for i, cs in enumerate(case_sets) if group == "all" or group in cs]
        for field_name in fields:
            marks = [scored[field_name][i] for i in members if scored[field_name][i] is not None]
            n, correct = len(marks), int(sum(marks))
            low, high = wilson_interval(correct, n)
            rows.append((group, field_name, n, correct, correct / n if n else float("nan"), low, high))
    out = pd.DataFrame(rows, columns=["case", "field", "n", "correct", "accuracy", "ci_low", "ci_high"])
    return out.astype({"n": "int64", "correct": "int64"})
