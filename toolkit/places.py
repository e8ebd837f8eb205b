"""Gazetteer lookups: the locality (province, district) of a page.

Vietnamese local Party pages rarely say which district they come from in so
many words: a Long Biên page says "Quận ủy" and names its wards ("phường
Phúc Đồng", "phường Việt Hưng"). This module finds every place name in a
page and resolves them by intersection against the administrative units in
force before the July 2025 reorganization (63 provinces, their districts and
wards), read at run time from the ``vietnamadminunits`` package:

* ward and commune names count only after ``phường``/``xã``/``thị trấn``
  (or in a list that follows one: "các phường Phúc Đồng, Việt Hưng và Gia
  Thụy"), so that "Thống Nhất" or "Tân Tiến" in running text count for
  nothing;
* a ward name found in many districts is settled by the other wards named:
  the district that explains the most mentions wins;
* a committee with its name ("Quận ủy Long Biên", "Thành ủy Bắc Ninh",
  "Tỉnh ủy Nam Định") weighs most, above all in the page's issuer line;
* a bare province name counts only as a whole capitalized word group ("Hà
  Nội", not "Nguyễn Hòa Bình"); "Hồ Chí Minh" counts only after "thành
  phố"/"TP";
* a district named with the type it had before an upgrade ("huyện Quế Võ",
  a thị xã since 2023) counts as fully as with its current type once its
  province is named too ("huyện Quế Võ, tỉnh Bắc Ninh"), since every page
  published before the upgrade writes the old type;
* names with an apostrophe ("Cư M'gar", "Cư M’Gar", "Đắk R'Lấp") are one
  name whatever the apostrophe, and a name written without its spaces or
  apostrophes but with its diacritics ("Krông Ana", "Cư Mgar") is the same
  name.

Names follow the project convention: NFC, new-style tone marks, provinces
without their type ("Hà Nội", "Bắc Ninh", "Thừa Thiên Huế"), districts and
wards with it ("Quận Long Biên", "Thành phố Bắc Ninh", "Phường Phúc Đồng").
``province_2025`` is the province after the 2025 merger, from the package's
conversion table ("Nam Định" → "Ninh Bình").

Two departures from the package, both because its "before 2025" snapshot is
of June 2025 rather than of the years the corpus covers:

* the province the package calls "Huế" (a centrally run city since January
  2025) is called "Thừa Thiên Huế" here, as on the pages;
* the January 2025 split of Thành phố Huế into Quận Phú Xuân and Quận Thuận
  Hóa is undone (:data:`HISTORICAL_DISTRICTS`): their wards form "Thành phố
  Huế", and "quận Thuận Hóa" still resolves to it.

Examples
--------
>>> loc = infer_locality("Hội nghị tại phường Phúc Đồng; đại diện phường Việt Hưng, phường Gia Thụy dự.")
>>> loc.province, loc.district, loc.province_2025
('Hà Nội', 'Quận Long Biên', 'Hà Nội')
>>> infer_locality("", issuer="Ban Dân vận Tỉnh ủy Nam Định").province_2025
'Ninh Bình'
"""

from __future__ import annotations

import difflib
import functools
import contextlib
import importlib.util
import json
import logging
import math
import os
import re
import sqlite3
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from urllib.parse import unquote, urlsplit

import pandas as pd

from toolkit.errors import UserError
from toolkit.text.normalize import normalize_tone_marks, to_nfc

logger = logging.getLogger("toolkit.places")

__all__ = [
    "HISTORICAL_DISTRICTS",
    "Locality",
    "SourceMap",
    "canonical_district",
    "canonical_province",
    "district_wards",
    "infer_locality",
    "list_districts",
    "list_provinces",
    "load_sources",
    "locality_key",
    "place_columns",
    "named_districts",
    "place_name_at",
    "place_names",
    "province_2025",
    "qualify_grouping",
    "resolve_locality",
    "with_locality",
]

#: Province names as the pages write them where the package's June-2025
#: snapshot differs.
PROVINCE_NAMES = {"Huế": "Thừa Thiên Huế"}

#: Districts of the 2021–2024 map that the package only has split up:
#: ``{province: {district: (package districts it is made of)}}``.
HISTORICAL_DISTRICTS: dict[str, dict[str, tuple[str, ...]]] = {
    "Thừa Thiên Huế": {"Thành phố Huế": ("Quận Phú Xuân", "Quận Thuận Hóa")},
}

#: Capitalized word groups never counted as a province without a prefix
#: (the President's name is everywhere in political text).
BARE_EXCLUDED = frozenset({("hồ", "chí", "minh")})

_TYPES = {
    "thành phố": "Thành phố", "thị xã": "Thị xã", "thị trấn": "Thị trấn", "quận": "Quận",
    "huyện": "Huyện", "phường": "Phường", "xã": "Xã", "tỉnh": "Tỉnh",
}
_TYPE_RE = re.compile(r"^(thành phố|thị xã|thị trấn|quận|huyện|phường|xã|tỉnh)\s+(.+)$", re.IGNORECASE)
_PAREN_RE = re.compile(r"\s*\(.*?\)")
_WORD_RE = re.compile(r"\w+")
# Ê Đê, M'nông, ... names carry an apostrophe ("Cư M'gar", "Đắk R'Lấp"), typed as any of these;
# U+02BC is a letter to ``\w``, so it would glue "Mʼgar" into one word.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})

# (tokens, lowercased) -> (level, unit type, is a Party committee)
_PREFIXES: dict[tuple[str, ...], tuple[str, str, bool]] = {
    ("phường",): ("ward", "Phường", False),
    ("xã",): ("ward", "Xã", False),
    ("thị", "trấn"): ("ward", "Thị trấn", False),
    ("quận",): ("district", "Quận", False),
    ("huyện",): ("district", "Huyện", False),
    ("thị", "xã"): ("district", "Thị xã", False),
    ("tx",): ("district", "Thị xã", False),
    ("thành", "phố"): ("city", "Thành phố", False),
    ("tp",): ("city", "Thành phố", False),
    ("quận", "ủy"): ("district", "Quận", True),
    ("huyện", "ủy"): ("district", "Huyện", True),
    ("thị", "ủy"): ("district", "Thị xã", True),
    ("thành", "ủy"): ("city", "Thành phố", True),
    ("tỉnh",): ("province", "Tỉnh", False),
    ("tỉnh", "ủy"): ("province", "Tỉnh", True),
}
_PREFIX_WORDS = frozenset(w for key in _PREFIXES for w in key)
# Committee words counted without a name, as a hint of the district's type.
_COMMITTEE_TYPES = {("quận", "ủy"): "Quận", ("huyện", "ủy"): "Huyện", ("thị", "ủy"): "Thị xã",
                    ("thành", "ủy"): "Thành phố"}

# Base weights by (where, what).
_WEIGHTS = {
    ("issuer", "committee"): 12.0, ("title", "committee"): 5.0, ("text", "committee"): 2.5,
    ("issuer", "unit"): 8.0, ("title", "unit"): 4.0, ("text", "unit"): 2.0,
    ("issuer", "province"): 8.0, ("title", "province"): 4.0, ("text", "province"): 1.5,
    ("issuer", "bare_province"): 6.0, ("title", "bare_province"): 2.0, ("text", "bare_province"): 0.6,
    ("issuer", "bare_district"): 6.0, ("title", "bare_district"): 2.0, ("text", "bare_district"): 0.5,
    ("issuer", "ward"): 6.0, ("title", "ward"): 1.5, ("text", "ward"): 1.0,
}
_OTHER_TYPE = 0.8        # a unit named with another type than the gazetteer's ("xã" for a phường)
_UNACCENTED = 0.7        # matched only through the package's unaccented former names
_MIN_PROVINCE = 1.0      # evidence needed to name a province
_MIN_DISTRICT = 2.0      # district-specific evidence needed to name a district
_TYPE_HINT = 0.25        # tie-breaker: the page's committee word ("Quận ủy") fits the district type

#: Types a district may have had before an upgrade (huyện → thị xã → thành phố;
#: quận ↔ huyện), by its type in the gazetteer. Pages written before the
#: upgrade use the old type ("huyện Quế Võ", a thị xã since 2023); with its
#: province named such a mention counts as fully as the current type would.
_FORMER_TYPES = {
    "Thành phố": frozenset({"Thị xã", "Huyện"}),
    "Thị xã": frozenset({"Huyện"}),
    "Quận": frozenset({"Huyện"}),
    "Huyện": frozenset({"Quận"}),
}


@dataclass(frozen=True)
class Locality:
    """Where a page comes from.

    Attributes
    ----------
    province
        Province before July 2025, without its type ("Bắc Ninh"); "" if unknown.
    district
        District with its type ("Quận Long Biên"); "" if unknown.
    province_2025
        Province after the July 2025 merger ("Nam Định" → "Ninh Bình").
    evidence
        Short human-readable reason, e.g. ``"issuer: Quận ủy Long Biên"``.
    score
        Weight of the evidence for the answer (0 when nothing was found).
    """

    province: str = ""
    district: str = ""
    province_2025: str = ""
    evidence: str = ""
    score: float = 0.0


# --------------------------------------------------------------------------
# Name helpers
# --------------------------------------------------------------------------


def _clean(name: str) -> str:
    """NFC, new-style tone marks, single spaces, no ``(Xã)`` qualifiers."""
    name = _PAREN_RE.sub("", to_nfc(name or "").translate(_APOSTROPHES))
    return " ".join(normalize_tone_marks(name).split())


def _key(name: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORD_RE.findall(_clean(name)))


@functools.lru_cache(maxsize=1 << 15)
def _fold(text: str) -> str:
    """Lowercase letters and digits without diacritics (the package's ``*Key`` columns)."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").translate(_APOSTROPHES))
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def _split_type(full: str, fallback: str | None) -> tuple[str, str]:
    """``"Thành Phố Bắc Kạn"`` → ``("Thành phố", "Bắc Kạn")``."""
    full = _clean(full)
    m = _TYPE_RE.match(full)
    if m:
        return _TYPES[m.group(1).lower()], m.group(2)
    return (_TYPES.get((fallback or "").lower(), fallback or ""), full)


def _json_list(value: str | None) -> list[str]:
    if not value:
        return []
    try:
        return [str(v) for v in json.loads(value)]
    except ValueError:
        return []


def _bare_keywords(keywords: Iterable[str], type_keys: tuple[str, ...]) -> set[str]:
    """Unaccented names from the package's keyword lists, without their type prefix."""
    words = set(keywords)
    bare = set()
    for word in words:
        stripped = next((word[len(t):] for t in type_keys if word.startswith(t) and word[len(t):] in words), None)
        if stripped is None:
            bare.add(word)
    return bare


# --------------------------------------------------------------------------
# The gazetteer, built once from the package
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    province: str
    district: str
    type: str          # of the unit itself (ward type for wards)
    name: str          # full name with type


@dataclass
class _Gazetteer:
    provinces: dict[str, str] = field(default_factory=dict)            # canonical -> province_2025
    province_keys: dict[tuple[str, ...], str] = field(default_factory=dict)
    province_folds: dict[str, str] = field(default_factory=dict)
    districts: dict[tuple[str, str], str] = field(default_factory=dict)  # (province, district) -> type
    wards: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    district_keys: dict[tuple[str, ...], list[_Unit]] = field(default_factory=dict)
    district_folds: dict[str, list[_Unit]] = field(default_factory=dict)
    ward_keys: dict[tuple[str, ...], list[_Unit]] = field(default_factory=dict)
    ward_folds: dict[str, list[_Unit]] = field(default_factory=dict)
    # names of two words or more, lowercased with their diacritics, without spaces or apostrophes
    # ("krôngana", "cưmgar"): "Krông Ana", "Cư Mgar" as pages write "Krông A Na", "Cư M'gar"
    district_squash: dict[str, list[_Unit]] = field(default_factory=dict)
    ward_squash: dict[str, list[_Unit]] = field(default_factory=dict)
    names: frozenset[str] = frozenset()
    max_len: int = 1


@functools.lru_cache(maxsize=1)
def _data_dir() -> Path:
    """The package's ``data`` folder, found without importing the package (its
    ``__init__`` loads parsers we do not need)."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("toolkit.places needs the 'vietnamadminunits' package")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _query(sql: str) -> list[dict]:
    uri = (_data_dir() / "dataset.db").as_uri() + "?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql)]


def _province_map_2025() -> dict[str, str]:
    """Legacy province key → province name after the 2025 merger."""
    table = json.loads((_data_dir() / "converter_2025.json").read_text(encoding="utf-8"))["DICT_PROVINCE"]
    new_names = {r["provinceKey"]: _clean(r["provinceShort"])
                 for r in _query("SELECT DISTINCT provinceKey, provinceShort FROM admin_units")}
    return {old: new_names[new] for new, olds in table.items() for old in olds}


def _squashed(keys: Mapping[tuple[str, ...], set[_Unit]], order) -> dict[str, list[_Unit]]:
    squashed: dict[str, set[_Unit]] = defaultdict(set)
    for key, units in keys.items():
        if len(key) > 1:
            squashed["".join(key)].update(units)
    return {k: order(v) for k, v in squashed.items()}


@functools.lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    gz = _Gazetteer()
    to_2025 = _province_map_2025()
    rows = _query(
        "SELECT province, district, ward, provinceShort, districtType, wardType, provinceKey, "
        "provinceKeywords, districtKeywords, wardKeywords FROM admin_units_legacy"
    )
    merged = {(p, part): d for p, ds in HISTORICAL_DISTRICTS.items() for d, parts in ds.items() for part in parts}
    district_keys: dict[tuple[str, ...], set[_Unit]] = defaultdict(set)
    district_folds: dict[str, set[_Unit]] = defaultdict(set)
    ward_keys: dict[tuple[str, ...], set[_Unit]] = defaultdict(set)
    ward_folds: dict[str, set[_Unit]] = defaultdict(set)
    wards: dict[tuple[str, str], set[str]] = defaultdict(set)
    names: set[str] = set()
    for row in rows:
        short = _clean(row["provinceShort"])
        province = PROVINCE_NAMES.get(short, short)
        if province not in gz.provinces:
            gz.provinces[province] = to_2025[row["provinceKey"]]
            for alias in {province, short, _split_type(row["province"], None)[1]}:
                gz.province_keys[_key(alias)] = province
                names.add(alias.lower())
            for word in _json_list(row["provinceKeywords"]):
                gz.province_folds[word] = province
            gz.province_folds[_fold(province)] = province
        dtype, dshort = _split_type(row["district"], row["districtType"])
        dfull = f"{dtype} {dshort}"
        district = merged.get((province, dfull), dfull)
        if district != dfull:  # a former district: its own name still leads to the whole
            unit = _Unit(province, district, dtype, dfull)
            district_keys[_key(dshort)].add(unit)
            dtype, dshort = _split_type(district, None)
        gz.districts[(province, district)] = dtype
        unit = _Unit(province, district, dtype, district)
        district_keys[_key(dshort)].add(unit)
        names.add(dshort.lower())
        for word in _bare_keywords(_json_list(row["districtKeywords"]), ("quan", "huyen", "thixa", "thanhpho")):
            district_folds[word].add(unit)
        if not row["ward"]:
            wards.setdefault((province, district), set())
            continue
        wtype, wshort = _split_type(row["ward"], row["wardType"])
        wfull = f"{wtype} {wshort}"
        wards[(province, district)].add(wfull)
        wunit = _Unit(province, district, wtype, wfull)
        ward_keys[_key(wshort)].add(wunit)
        names.add(wshort.lower())
        for word in _bare_keywords(_json_list(row["wardKeywords"]), ("phuong", "thitran", "xa")):
            ward_folds[word].add(wunit)
    for row in _query("SELECT DISTINCT provinceShort, wardShort FROM admin_units"):
        names.update(_clean(v).lower() for v in (row["provinceShort"], row["wardShort"]) if v)
    order = lambda units: sorted(units, key=lambda u: (u.province, u.district, u.name))  # noqa: E731
    gz.district_keys = {k: order(v) for k, v in district_keys.items()}
    gz.district_folds = {k: order(v) for k, v in district_folds.items()}
    gz.ward_keys = {k: order(v) for k, v in ward_keys.items()}
    gz.ward_folds = {k: order(v) for k, v in ward_folds.items()}
    gz.district_squash = _squashed(district_keys, order)
    gz.ward_squash = _squashed(ward_keys, order)
    gz.wards = {k: sorted(v) for k, v in wards.items()}
    gz.names = frozenset(n for n in names if n)
    gz.max_len = max(len(k) for k in (*gz.ward_keys, *gz.district_keys, *gz.province_keys))
    logger.debug("gazetteer: %d provinces, %d districts, %d ward names",
                 len(gz.provinces), len(gz.districts), len(gz.ward_keys))
    return gz


# --------------------------------------------------------------------------
# Public lookups
# --------------------------------------------------------------------------


def _suggest(name: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    by_fold = {_fold(c): c for c in choices}
    close = difflib.get_close_matches(_fold(name), list(by_fold), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(repr(by_fold[c]) for c in close)}?" if close else ""


def list_provinces() -> list[str]:
    """The 63 provinces before July 2025, sorted."""
    return sorted(_gazetteer().provinces)


_PROVINCE_PREFIX_RE = re.compile(r"^\s*(?:tỉnh|thành phố|tp\.?|t\.)\s*", re.IGNORECASE)


def canonical_province(name: str) -> str:
    """The project's name of a province ("tỉnh Bắc Ninh", "TP. Hà Nội", "Huế" → …).

    Raises
    ------
    ValueError
        For a name the gazetteer does not know, with close names suggested.

    Examples
    --------
    >>> canonical_province("tỉnh Thừa Thiên Huế"), canonical_province("TP.HCM")
    ('Thừa Thiên Huế', 'Hồ Chí Minh')
    """
    gz = _gazetteer()
    cleaned = _clean(name)
    for candidate in (cleaned, _PROVINCE_PREFIX_RE.sub("", cleaned)):
        key = _key(candidate)
        if key in gz.province_keys:
            return gz.province_keys[key]
        if _fold(candidate) in gz.province_folds:
            return gz.province_folds[_fold(candidate)]
    raise ValueError(f"unknown province {name!r}{_suggest(name, gz.provinces)}")


def province_2025(province: str) -> str:
    """Province after the July 2025 merger ("Bắc Giang" → "Bắc Ninh", "Thừa Thiên Huế" → "Huế")."""
    return _gazetteer().provinces[canonical_province(province)]


def list_districts(province: str) -> list[str]:
    """Districts of a province before July 2025, with their type, sorted.

    Examples
    --------
    >>> "Quận Long Biên" in list_districts("Hà Nội")
    True
    """
    province = canonical_province(province)
    return sorted(d for p, d in _gazetteer().districts if p == province)


_DISTRICT_PREFIX_RE = re.compile(
    r"^\s*(thành phố|thị xã|quận|huyện|tp\.?|tx\.?|q\.|h\.)\s*(?=\S)", re.IGNORECASE)
_ABBR_TYPES = {"tp": "Thành phố", "tp.": "Thành phố", "tx": "Thị xã", "tx.": "Thị xã", "q.": "Quận", "h.": "Huyện"}


def canonical_district(province: str, name: str) -> str:
    """The project's name of a district ("Long Biên", "quận Long Biên", "Q. Long Biên" → "Quận Long Biên").

    A type that differs from the gazetteer's is accepted when the name alone
    is unambiguous in the province ("Thị xã Từ Sơn" → "Thành phố Từ Sơn").

    Raises
    ------
    ValueError
        For an unknown or ambiguous name, with close names suggested.
    """
    gz = _gazetteer()
    province = canonical_province(province)
    cleaned = _clean(name)
    m = _DISTRICT_PREFIX_RE.match(cleaned)
    wanted = None
    if m:
        word = m.group(1).lower()
        wanted = _ABBR_TYPES.get(word) or _TYPES[word]
        cleaned = cleaned[m.end():]
    units = {u.district: u for u in gz.district_keys.get(_key(cleaned), ()) if u.province == province}
    if not units:
        units = {u.district: u for u in gz.district_folds.get(_fold(cleaned), ()) if u.province == province}
    if wanted and len(units) > 1:
        typed = {d: u for d, u in units.items() if u.type == wanted or gz.districts[(province, d)] == wanted}
        units = typed or units
    if len(units) == 1:
        return next(iter(units))
    if units:
        raise ValueError(f"ambiguous district {name!r} in {province}: {', '.join(sorted(units))}")
    raise ValueError(f"unknown district {name!r} in {province}{_suggest(name, list_districts(province))}")


def district_wards(province: str, district: str) -> list[str]:
    """Wards, communes and towns of a district before July 2025, with their type, sorted.

    Examples
    --------
    >>> "Phường Phúc Đồng" in district_wards("Hà Nội", "Long Biên")
    True
    """
    province = canonical_province(province)
    return list(_gazetteer().wards[(province, canonical_district(province, district))])


def place_names() -> frozenset[str]:
    """Lower-cased names of provinces, districts and wards (before and after 2025), without type.

    For filters that must not take "Hòa Bình" or "Long Biên" for a person.
    """
    return _gazetteer().names


def place_name_at(text: str) -> str:
    """The longest province, district or ward name ``text`` begins with, as ``text`` writes it ("" if none).

    For a committee's name, where the words after "Huyện ủy" are a place and a rule about the words that end a
    place cannot tell "Huyện ủy Đồng Văn" from "Huyện ủy Đồng chí…": every word of the name is capitalized (or a
    number, "Quận 1"); a dash with spaces (``Bà Rịa - Vũng Tàu``) and an apostrophe (``Cư M’gar``) join its words.

    >>> place_name_at("Củ Chi tổ chức hội nghị")
    'Củ Chi'
    >>> place_name_at("Đồng chí Nguyễn Văn An")
    ''
    """
    gz = _gazetteer()
    plain = text.translate(_APOSTROPHES)  # one character for one: offsets hold in ``text``
    matches = list(_WORD_RE.finditer(plain))
    if not matches or matches[0].start() != 0:
        return ""
    toks = [m.group() for m in matches]
    length = 0
    for i, tok in enumerate(toks[:gz.max_len]):
        gap = plain[matches[i - 1].end():matches[i].start()] if i else ""
        apostrophe = gap == "'"
        if i and not (apostrophe or gap == " " or (len(gap) <= 3 and gap.strip() in ("-", "–"))):
            break
        if not (apostrophe or tok[0].isupper() or tok[0].isdigit()):
            break
        length = i + 1
    for size in range(length, 0, -1):
        key = tuple(t.lower() for t in toks[:size])
        if key in gz.province_keys or key in gz.district_keys or key in gz.ward_keys:
            return text[:matches[size - 1].end()]
    return ""


# --------------------------------------------------------------------------
# Inference from text
# --------------------------------------------------------------------------


@dataclass
class _Mention:
    source: str                      # issuer | title | text
    kind: str                        # ward | unit | committee | province | bare_province | bare_district
    surface: str
    name: str                        # the place name as written (after normalization)
    weights: dict[tuple[str, str], float]   # candidate (province, district) -> weight; district "" for provinces
    # candidates named with a former type of theirs -> their weight once their province is named
    former: dict[tuple[str, str], float] = field(default_factory=dict)


def _prepare(text: str) -> str:
    # One character for one: the scan's offsets stay those of the text.
    return normalize_tone_marks(to_nfc(text)).translate(_APOSTROPHES) if text else ""


def _units_weights(units: list[_Unit], wanted: str | None,
                   factor: float) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
    """Weights of the candidates, and of those named with a former type of theirs (:data:`_FORMER_TYPES`)."""
    weights: dict[tuple[str, str], float] = {}
    former: dict[tuple[str, str], float] = {}
    for u in units:
        same = wanted is None or u.type == wanted
        key = (u.province, u.district)
        weights[key] = max(weights.get(key, 0.0), factor * (1.0 if same else _OTHER_TYPE))
        if not same and wanted in _FORMER_TYPES.get(u.type, ()):
            former[key] = max(former.get(key, 0.0), factor)
    return weights, former


def _scan(text: str, source: str, hints: dict[str, int]) -> list[_Mention]:
    """Place-name mentions in one text."""
    if not text:
        return []
    gz = _gazetteer()
    matches = list(_WORD_RE.finditer(text))
    n = len(matches)
    if not n:
        return []
    toks = [m.group() for m in matches]
    low = [t.lower() for t in toks]
    starts = [m.start() for m in matches]
    ends = [m.end() for m in matches]
    cap = [t[0].isupper() or t[0].isdigit() for t in toks]
    # joined[i]: token i continues a name begun before it (one space or a hyphen between)
    joined = [False] * n
    for i in range(1, n):
        gap = text[ends[i - 1]:starts[i]]
        joined[i] = gap == " " or (len(gap) <= 3 and gap.strip() == "-" and "\n" not in gap)
        if gap == "'" and low[i] != "s":  # one word: "M'gar" in "Cư M'gar" (not an English "'s")
            joined[i], cap[i] = True, cap[i - 1]
    mentions: list[_Mention] = []
    used = [False] * n

    def name_at(i: int, level: str) -> tuple[int, list[_Unit] | str | None, float]:
        """Longest known name of ``level`` at token ``i``: (length, units or province, factor)."""
        if i >= n or not cap[i]:
            return 0, None, 0.0
        length = 1
        while length < gz.max_len and i + length < n and cap[i + length] and joined[i + length]:
            length += 1
        for size in range(length, 0, -1):
            key = tuple(low[i:i + size])
            if key[-1].isdigit() and not number_ends_name(i + size):
                continue
            if level == "province":
                if key in gz.province_keys:
                    return size, gz.province_keys[key], 1.0
                continue
            table = gz.ward_keys if level == "ward" else gz.district_keys
            if level == "city":
                units = [u for u in gz.district_keys.get(key, ()) if u.type == "Thành phố"]
                if units:
                    return size, units, 1.0
                if key in gz.province_keys:
                    return size, gz.province_keys[key], 1.0
                if size == 1 and key[0] in gz.province_folds and toks[i].isupper():  # TP.HCM
                    return size, gz.province_folds[key[0]], 1.0
            if key in table:
                return size, table[key], 1.0
        if level != "province":
            squash = gz.ward_squash if level == "ward" else gz.district_squash
            for size in range(length, 1, -1):
                units = squash.get("".join(low[i:i + size]))
                if units and not low[i + size - 1].isdigit():
                    return size, units, 1.0
        folds = gz.ward_folds if level == "ward" else gz.district_folds
        for size in range(length, 0, -1):
            units = folds.get(_fold("".join(low[i:i + size])))
            if units:
                return size, units, _UNACCENTED
        return 0, None, 0.0

    def number_ends_name(j: int) -> bool:
        """"phường 5," names a ward; "quận 3 tháng cuối năm" does not."""
        if j >= n:
            return True
        gap = text[ends[j - 1]:starts[j]]
        return bool(gap.strip()) or "\n" in gap or cap[j] or low[j] == "và"

    def prefix_before(i: int) -> tuple[tuple[str, str, bool], int] | None:
        if i == 0:
            return None
        gap = text[ends[i - 1]:starts[i]]
        if "\n" in gap or gap.strip() not in ("", ".", ":"):
            return None
        if i >= 2 and joined_prefix(i - 1):
            two = (low[i - 2], low[i - 1])
            if two in _PREFIXES:
                return _PREFIXES[two], i - 2
        one = (low[i - 1],)
        if one in _PREFIXES:
            return _PREFIXES[one], i - 1
        return None

    def joined_prefix(j: int) -> bool:
        gap = text[ends[j - 1]:starts[j]]
        return gap.isspace() and "\n" not in gap

    for i in range(n - 1):
        if low[i] in ("ủy",) and i and (low[i - 1], "ủy") in _COMMITTEE_TYPES and joined_prefix(i):
            hint = _COMMITTEE_TYPES[(low[i - 1], "ủy")]
            hints[hint] = hints.get(hint, 0) + 1

    i = 0
    while i < n:
        if low[i] in _PREFIX_WORDS or not cap[i]:
            found = None
        else:
            found = prefix_before(i)
        if found is None:
            i += 1
            continue
        (level, wanted, committee), pstart = found
        size, target, factor = name_at(i, level)
        if not size:
            i += 1
            continue
        first = True
        while size:
            surface = text[starts[pstart if first else i]:ends[i + size - 1]]
            name = text[starts[i]:ends[i + size - 1]]
            for k in range(i, i + size):
                used[k] = True
            if isinstance(target, str):
                kind = "province"
                mentions.append(_Mention(source, kind, surface, name, {(target, ""): factor}))
            else:
                kind = "ward" if level == "ward" else ("committee" if committee else "unit")
                weights, former = _units_weights(target, wanted if level != "city" else "Thành phố", factor)
                mentions.append(_Mention(source, kind, surface, name, weights, former))
            first = False
            # a list: "các phường Phúc Đồng, Việt Hưng và Gia Thụy"
            j = i + size
            if j >= n or level == "province":
                i = j
                break
            gap = text[ends[j - 1]:starts[j]]
            nxt = j
            if gap.strip() in (",", ";") and "\n" not in gap:
                if low[j] == "và" and j + 1 < n and joined_prefix(j + 1):
                    nxt = j + 1
            elif gap == " " and low[j] == "và" and j + 1 < n and text[ends[j]:starts[j + 1]] == " ":
                nxt = j + 1
            else:
                i = j
                break
            if nxt >= n or low[nxt] in _PREFIX_WORDS:
                i = nxt
                break
            size, target, factor = name_at(nxt, level)
            i = nxt

    # bare names: a whole capitalized word group that is a province (or a district known nowhere else)
    i = 0
    while i < n:
        if not cap[i] or (i and joined[i] and cap[i - 1]):
            i += 1
            continue
        j = i + 1
        while j < n and cap[j] and joined[j]:
            j += 1
        if not any(used[i:j]) and j - i <= gz.max_len:
            key = tuple(low[i:j])
            surface = text[starts[i]:ends[j - 1]]
            if key in gz.province_keys and key not in BARE_EXCLUDED and not key[-1].isdigit():
                mentions.append(_Mention(source, "bare_province", surface, surface,
                                         {(gz.province_keys[key], ""): 1.0}))
            elif key in gz.district_keys and len(key) > 1:
                units = {(u.province, u.district) for u in gz.district_keys[key]}
                if len(units) == 1:
                    mentions.append(_Mention(source, "bare_district", surface, surface,
                                             {next(iter(units)): 1.0}))
        i = j
    return mentions


def named_districts(text: str, *, title: str = "", issuer: str = "", province: str = "") -> list[str]:
    """Districts a page names as districts: with their type ("huyện Cẩm Mỹ", "TP. Biên Hòa") or by their
    committee ("Huyện ủy Long Thành"), sorted; with ``province``, only that province's, and then its bare
    names too ("Long Thành, Nhơn Trạch"). Wards do not count (a ward names a district only with others).

    For a page whose place :func:`infer_locality` leaves open between several districts: that it names some
    of them is what tells a province-level article from one that names no place at all.

    >>> named_districts("Hội nghị có đại diện huyện Long Thành, Nhơn Trạch và Cẩm Mỹ.", province="Đồng Nai")
    ['Huyện Cẩm Mỹ', 'Huyện Long Thành', 'Huyện Nhơn Trạch']
    >>> named_districts("Ban Dân vận Tỉnh ủy tổ chức hội nghị.", province="Đồng Nai")
    []
    """
    hints: dict[str, int] = {}
    mentions = (_scan(_prepare(issuer), "issuer", hints) + _scan(_prepare(title), "title", hints)
                + _scan(_prepare(text), "text", hints))
    kinds = ("unit", "committee", "bare_district") if province else ("unit", "committee")
    return sorted({d for m in mentions if m.kind in kinds for (p, d) in m.weights
                   if d and (not province or p == province)})


def infer_locality(text: str, *, title: str = "", issuer: str = "", province: str = "") -> Locality:
    """Province and district of a page, from the places it names.

    Parameters
    ----------
    text
        Article text (any Unicode form or tone-mark style).
    title, issuer
        The page's title and issuing body ("Ban Dân vận Quận ủy Long Biên");
        names found there weigh more.
    province
        The province when it is known otherwise (a sources file's rule for
        the page's site): only its districts are candidates, so a name that
        ten provinces give a district ("Huyện ủy Châu Thành") settles on the
        one in that province. Empty: every province is a candidate.

    Returns
    -------
    Locality
        ``district`` is filled only with district-specific evidence (a
        named district or committee, at least two of its wards, or one
        ward whose name no other district has, with no other district of
        the province mentioned); when
        only the province is clear ``district`` is ""; when nothing is,
        every field is empty, except ``evidence`` when a district name
        several provinces have is what left it open
        (``"district: An Lão ambiguous (Bình Định, Hải Phòng)"``).

    Examples
    --------
    >>> loc = infer_locality("Đại diện phường Đại Phúc, phường Khúc Xuyên phát biểu.")
    >>> loc.province, loc.district
    ('Bắc Ninh', 'Thành phố Bắc Ninh')
    >>> infer_locality("Đồng chí Nguyễn Hòa Bình dự hội nghị.").province
    ''
    """
    known = province  # the name `province` is reused below
    hints: dict[str, int] = {}
    mentions = (_scan(_prepare(issuer), "issuer", hints) + _scan(_prepare(title), "title", hints)
                + _scan(_prepare(text), "text", hints))
    if not mentions:
        return Locality()
    gz = _gazetteer()

    # Occurrences of the same name add up, but slowly.
    groups: dict[tuple, list[_Mention]] = defaultdict(list)
    for m in mentions:
        groups[(m.source, m.kind, m.name.lower(), tuple(sorted(m.weights.items())),
                tuple(sorted(m.former.items())))].append(m)
    scored: list[tuple[float, _Mention, int]] = []
    for (source, kind, *_), found in groups.items():
        base = _WEIGHTS[(source, kind)] * (1.0 + math.log(len(found)))
        scored.append((base, found[0], len(found)))

    district_score: dict[tuple[str, str], float] = defaultdict(float)
    support: dict[tuple[str, str], float] = defaultdict(float)
    province_score: dict[str, float] = defaultdict(float)
    province_direct: dict[str, float] = defaultdict(float)
    # Districts named by a ward that exists in no other district of the country.
    unique_ward: dict[tuple[str, str], float] = {}
    # Districts named by a name that several provinces give a district.
    shared: set[tuple[str, str]] = set()
    # Provinces the page names (or known otherwise): their districts named with a former type count fully.
    named = {p for _, m, _ in scored if m.kind in ("province", "bare_province") for p, _ in m.weights}
    named.update([known] if known else [])
    for base, m, _count in scored:
        if m.kind not in ("ward", "province", "bare_province") and len({k[0] for k in m.weights}) > 1:
            shared.update(m.weights)
        if m.kind in ("province", "bare_province"):
            for (province, _), w in m.weights.items():
                province_score[province] += base * w
                province_direct[province] += base * w
            continue
        if m.kind == "bare_district":
            continue
        best: dict[str, float] = {}
        if m.kind == "ward" and len(m.weights) == 1:
            unique_ward.update(m.weights)
        for key, w in m.weights.items():
            if key in m.former and key[0] in named:
                w = max(w, m.former[key])
            district_score[key] += base * w
            support[key] += base * w
            best[key[0]] = max(best.get(key[0], 0.0), base * w)
        for province, w in best.items():
            province_score[province] += w
    for base, m, _count in scored:
        if m.kind == "bare_district":
            for key, w in m.weights.items():
                if support.get(key):
                    district_score[key] += base * w
    if known:  # known otherwise: its districts alone compete
        if not any(k[0] == known for k in district_score) and known not in province_score:
            return Locality()
        ranked = [(known, max(province_score.get(known, 0.0), _MIN_PROVINCE))]
    elif not province_score:
        return Locality()
    else:
        ranked = sorted(province_score.items(), key=lambda kv: (-kv[1], kv[0]))
    province, top = ranked[0]
    if len(ranked) > 1 and ranked[1][1] >= top - 1e-9:
        # Same-named districts ("huyện Châu Thành" is in ten provinces): of the
        # provinces tied, the one where the places named meet in one district.
        # Only then: a tie between two places a page names is no answer.
        tied = {p for p, s in ranked if s >= top - 1e-9}
        joint = sorted(((v, k) for k, v in district_score.items() if k[0] in tied), key=lambda vk: (-vk[0], vk[1]))
        runner_up = max((v for v, k in joint if k[0] != joint[0][1][0]), default=0.0) if joint else 0.0
        if not joint or joint[0][1] not in shared or joint[0][0] <= runner_up + 1e-9:
            return Locality(evidence=_ambiguity(scored, tied))
        province = joint[0][1][0]
    if top < _MIN_PROVINCE:
        return Locality()
    dominant = max(hints, key=lambda t: (hints[t], t)) if hints else None
    in_province = {}
    for key, s in district_score.items():
        if key[0] == province:
            bonus = _TYPE_HINT if dominant and gz.districts[key] == dominant else 0.0
            in_province[key] = s + province_direct[province] + bonus
    district = ""
    score = top
    if in_province:
        order = sorted(in_province.items(), key=lambda kv: (-kv[1], kv[0]))
        (best_key, best), runner = order[0], (order[1][1] if len(order) > 1 else -1.0)
        # Enough district-specific evidence; or one ward whose name exists in
        # this district only, with no other district of the province in play.
        enough = support[best_key] >= _MIN_DISTRICT or (best_key in unique_ward and len(order) == 1)
        if enough and best > runner + 1e-9:
            district, score = best_key[1], best
    evidence = _evidence(scored, province, district)
    return Locality(province=province, district=district, province_2025=gz.provinces[province],
                    evidence=evidence, score=round(score, 3))


@functools.lru_cache(maxsize=1)
def _shared_district_names() -> frozenset[str]:
    """District names (with type) found in more than one province ("Huyện Châu Thành")."""
    provinces: dict[str, set[str]] = defaultdict(set)
    for province, district in _gazetteer().districts:
        provinces[district].add(province)
    return frozenset(name for name, found in provinces.items() if len(found) > 1)


def _ambiguity(scored: list[tuple[float, _Mention, int]], tied: set[str]) -> str:
    """Why no locality: the district names that the tied provinces all have.

    ``"district: An Lão ambiguous (Bình Định, Hải Phòng)"``; "" when the tie
    is between places of different names (nothing ambiguous to report).
    """
    parts: list[str] = []
    for _, m, _ in sorted(scored, key=lambda s: -s[0]):
        if m.kind not in ("unit", "committee"):
            continue
        provinces = sorted({p for p, _ in m.weights} & tied)
        if len(provinces) < 2:
            continue
        shown = ", ".join(provinces[:6]) + (f" and {len(provinces) - 6} more" if len(provinces) > 6 else "")
        parts.append(f"district: {m.name} ambiguous ({shown})")
    return "; ".join(dict.fromkeys(parts))


def _evidence(scored: list[tuple[float, _Mention, int]], province: str, district: str) -> str:
    target = (province, district)
    by_source: list[str] = []
    units: list[str] = []
    wards: list[tuple[float, str, frozenset]] = []
    provinces: list[str] = []
    for base, m, count in sorted(scored, key=lambda s: -s[0]):
        times = f" ×{count}" if count > 1 else ""
        if m.kind in ("province", "bare_province"):
            if (province, "") in m.weights:
                (by_source if m.source != "text" else provinces).append(
                    f"{m.source}: {m.surface}" if m.source != "text" else m.surface + times)
            continue
        keys = set(m.weights)
        hit = target in keys if district else any(k[0] == province for k in keys)
        if not hit:
            continue
        if m.source != "text":
            by_source.append(f"{m.source}: {m.surface}")
        elif m.kind == "ward":
            wards.append((base, m.name, frozenset(k for k in keys if k[0] == province)))
        elif m.kind == "bare_district":
            units.append(m.surface + times)
        else:
            units.append(m.surface + times)
    parts = list(dict.fromkeys(by_source))
    if units:
        units = list(dict.fromkeys(units))
        parts.append(("district: " if len(units) == 1 else "districts: ") + ", ".join(units))
    if wards:
        names = list(dict.fromkeys(name for _, name, _ in wards))
        shown = ", ".join(names[:6]) + (", …" if len(names) > 6 else "")
        if district:
            common = frozenset.intersection(*(keys for _, _, keys in wards))
            where = f"only in {district}" if common == {target} else f"in {district}"
            parts.append(f"wards: {shown} ({where})")
        else:
            parts.append(f"wards: {shown} (in {province})")
    # A district name several provinces have is only settled by its province.
    if provinces and (not district or district in _shared_district_names()):
        parts.append("province: " + ", ".join(dict.fromkeys(provinces)))
    return "; ".join(parts)


# --------------------------------------------------------------------------
# Sources file: folders, globs and site domains → locality
# --------------------------------------------------------------------------

_DOMAIN_RE = re.compile(r"^(\*\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$", re.IGNORECASE)
_IPV4_RE = re.compile(r"^(?:\d{1,3}\.){3}\d{1,3}$")
# a host name of one label or more: "localhost", a machine of the local network
_HOSTNAME_RE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", re.IGNORECASE)
_IPV6_HOST_RE = re.compile(r"^\[[0-9a-f:.]+\]", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
# a port written out that is the scheme's own says nothing: "https://x.gov.vn:443" is "x.gov.vn"
_DEFAULT_PORTS = frozenset({80, 443})
_GLOB_CHARS = frozenset("*?[")
# an address's path ending like an article's: a rule written with it is the address of one page
_PAGE_PATH_RE = re.compile(r"\.(?:s?html?|aspx?|php|jsp|cfm)$")
_NO_PATH = re.compile(r"(?!)")
_FIELDS = ("match", "province", "district")
_ENTRY_EXAMPLE = 'match = "pages/longbien", province = "Hà Nội", district = "Long Biên"'
# how ingest completes a province-only rule with the text's district (toolkit.ingest.core.district_within_rule)
_COMPLETED_BY_TEXT = " (province); text (district): "


def _glob_regex(pattern: str) -> str:
    """fnmatch-style glob over ``/``-separated paths; ``**`` spans folders."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and pattern.find("]", i + 2) != -1:
            j = pattern.find("]", i + 2)
            body = pattern[i + 1:j]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = j + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


def _posix(path: str | os.PathLike) -> str:
    text = PurePath(path).as_posix() if not isinstance(path, str) else path.replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text


@dataclass(frozen=True)
class _Site:
    """The pages a site rule covers, by their URL.

    ``host`` is lowercased, without ``www.``; ``*.`` in front also covers the
    bare domain. ``port`` is a port the rule wrote out (None: any port);
    ``path`` a path prefix, lowercased, without its final ``/`` (``""``: the
    whole site).
    """

    host: str
    port: int | None = None
    path: str = ""

    def covers(self, address: tuple[str, int | None, str]) -> bool:
        host, port, path = address
        base = self.host[2:] if self.host.startswith("*.") else None
        if host != self.host and not (base is not None and (host == base or host.endswith("." + base))):
            return False
        if self.port is not None and port != self.port:
            return False
        return not self.path or path == self.path or path.startswith(self.path + "/")

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host + (f":{self.port}" if self.port is not None else "") + self.path


def _url_path(path: str) -> str:
    # portals on IIS and SharePoint answer "/Pages/…" and "/pages/…" alike; links write both
    return unquote(path).rstrip("/").lower()


def _address(url: str | None) -> tuple[str, int | None, str] | None:
    """``(host, port, path)`` of a page's URL as :class:`_Site` compares them; None without a host."""
    if not url:
        return None
    try:
        parts = urlsplit(url if _SCHEME_RE.match(url) or url.startswith("//") else "//" + url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www."), None if port in _DEFAULT_PORTS else port, _url_path(parts.path)


def _site_rule(match: str) -> tuple[_Site | None, bool, str]:
    """The site ``match`` names: ``(site or None, written as an address, what of it is ignored)``.

    An address is a match with a scheme (``http://``, ``https://``) or a port
    (``cuchi.hochiminhcity.test:8101``): it names a site, never a folder. A
    bare host (``longbien.hanoi.gov.vn``, ``*.bacninh.gov.vn``, an IP
    ``127.0.0.1``), with or without a path, names a site and is also tried as
    a folder. A glob beyond a leading ``*.`` makes a match without a scheme a
    folder rule only.

    Raises
    ------
    ValueError
        For an address that names no web site (another scheme, no host, a bad port).
    """
    scheme = _SCHEME_RE.match(match)
    if scheme is None:
        rest = _IPV6_HOST_RE.sub("", match[2:] if match.startswith("*.") else match)
        if _GLOB_CHARS & set(rest) or "\\" in match or match.startswith(("/", ".")):
            return None, False, ""
    try:
        parts = urlsplit(match if scheme else "//" + match)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        if scheme is None:
            return None, False, ""  # "pages:2021", "[ab]c": not an address, a folder
        raise ValueError(f"not a web address ({exc})") from None
    if scheme is not None:
        if scheme.group(1).lower() not in ("http", "https"):
            raise ValueError(f"a site is an http:// or https:// address, not {scheme.group(1)}://")
        if not host:
            raise ValueError("the address names no host")
        path = parts.path
        if path.endswith(("/*", "/**")):  # "everything below", as a folder glob writes it
            path = path.rstrip("*")
        if _GLOB_CHARS & set(path) or not (_DOMAIN_RE.match(host) or _HOSTNAME_RE.match(host) or ":" in host):
            raise ValueError("an address names one host and a path, without wildcards other than a leading '*.'")
    else:
        path = parts.path
        if not host or not (_DOMAIN_RE.match(host) or _IPV4_RE.match(host) or ":" in host
                            or (port is not None and _HOSTNAME_RE.match(host))):
            return None, False, ""
    ignored = " and ".join(part for part, value in (("query", parts.query), ("fragment", parts.fragment)) if value)
    site = _Site(host=host.removeprefix("www."), port=None if port in _DEFAULT_PORTS else port, path=_url_path(path))
    return site, scheme is not None or port is not None, ignored


@dataclass(frozen=True)
class _SourceEntry:
    match: str
    locality: Locality
    path_re: re.Pattern
    site: _Site | None


def _entry_error(where: str, match: object, message: str, origin: str, fix: str) -> UserError:
    what = f"{where} (match {match!r})" if isinstance(match, str) and match.strip() else where
    return UserError(f"{what}: {message}", path=origin, fix=fix)


def _districts_named(name: str) -> list[tuple[str, str]]:
    """``(province, district)`` of every district called ``name`` (its type, if written, aside), sorted."""
    gz = _gazetteer()
    cleaned = _clean(name)
    prefix = _DISTRICT_PREFIX_RE.match(cleaned)
    if prefix:
        cleaned = cleaned[prefix.end():]
    units = gz.district_keys.get(_key(cleaned)) or gz.district_folds.get(_fold(cleaned)) or ()
    return sorted({(u.province, u.district) for u in units})


def _unknown_fields(unknown: list[str]) -> str:
    """The fix for an entry's unknown fields: the closest field of each, when one is close."""
    close = {f: difflib.get_close_matches(f.lower(), _FIELDS, n=1, cutoff=0.6) for f in unknown}
    named = [(f, c[0]) for f, c in close.items() if c]
    if len(unknown) == 1 and named:
        return f"did you mean {named[0][1]!r}?"
    fix = f"an entry's fields are {', '.join(_FIELDS)}"
    if named:
        fix = "did you mean " + ", ".join(f"{c!r} for {f!r}" for f, c in named) + f"? ({fix})"
    return fix


def _entry(index: int, record: Mapping, origin: str) -> _SourceEntry:
    where = f"source entry {index}"
    if not isinstance(record, Mapping):
        raise _entry_error(where, None, f"expected a table with {', '.join(_FIELDS)}, got {record!r}", origin,
                           f"write each rule as a [[source]] table: {_ENTRY_EXAMPLE}")
    match = record.get("match")
    if not isinstance(match, str) or not match.strip():
        raise _entry_error(where, None, "'match' must be a non-empty string", origin,
                           'add match = a folder ("pages/longbien"), a glob ("pages/longbien/**") or a site '
                           '("longbien.hanoi.gov.vn")')
    unknown = sorted(set(record) - set(_FIELDS))
    if unknown:
        raise _entry_error(where, match, f"unknown field(s) {', '.join(map(repr, unknown))}", origin,
                           _unknown_fields(unknown))
    raw_province, raw_district = record.get("province"), record.get("district")
    if not isinstance(raw_province, str) or not raw_province.strip():
        raise _entry_error(where, match, "'province' is required", origin,
                           'add province = "…", the province of the pages the entry matches (before the July 2025 '
                           'merger)')
    if raw_district is not None and not isinstance(raw_district, str):
        raise _entry_error(where, match, f"'district' must be a name, got {raw_district!r}", origin,
                           'write district = "Long Biên" (in double quotes), or leave it out')
    try:
        province = canonical_province(raw_province)
    except ValueError as exc:
        raise _entry_error(where, match, str(exc), origin,
                           "write the province as before the July 2025 merger (toolkit.places.list_provinces() "
                           "lists the 63)") from None
    district = ""
    if raw_district and raw_district.strip():
        try:
            district = canonical_district(province, raw_district)
        except ValueError as exc:
            named = _districts_named(raw_district)
            if not named or any(p == province for p, _ in named):  # a close name, or several in the province
                raise _entry_error(where, match, str(exc), origin,
                                   "write the district as the gazetteer does (close names above), or leave it out "
                                   "to infer the district from the text") from None
            elsewhere = ", ".join(f"{p} ({d})" for p, d in named)
            if len(named) == 1:
                message, fix = (f"unknown district {raw_district!r} in {province}; {elsewhere} has a district of "
                                f"that name", f'if the pages are from {named[0][1]}, write province = '
                                              f'"{named[0][0]}"; else correct the district')
            else:
                message, fix = (f"unknown district {raw_district!r} in {province}; provinces with a district of "
                                f"that name: {elsewhere}", "write the province the district lies in (one of those "
                                                           "listed), or correct the district")
            raise _entry_error(where, match, message, origin, fix) from None
    match = match.strip()
    try:
        site, address, ignored = _site_rule(match)
    except ValueError as exc:
        raise _entry_error(where, match, str(exc), origin,
                           'write a site as its host ("vanlam.hungyen.gov.vn", "*.hungyen.gov.vn") or its address '
                           '("https://vanlam.hungyen.gov.vn/"); a folder or glob without "://"') from None
    if address:
        path_re = _NO_PATH
    else:
        pattern = _posix(match).rstrip("/") or "/"
        anchor = "^" if pattern.startswith("/") else "(?:^|.*/)"
        if _GLOB_CHARS & set(pattern):
            path_re = re.compile(anchor + _glob_regex(pattern.lstrip("/")) + "$")
        else:
            path_re = re.compile(anchor + re.escape(pattern.lstrip("/")) + "(?:/.*)?$")
    if site is not None and _PAGE_PATH_RE.search(site.path):
        logger.warning("%s: %s: match %r names one page (%s): it matches that page only; write match = %r for "
                       "every page of the site", origin, where, match, site.path, str(replace(site, path="")))
    elif site is not None and (address or site.path or ignored):
        logger.info("%s: %s: match %r is read as the pages whose URL is on %s%s%s%s", origin, where, match,
                    replace(site, path=""), f" under {site.path}" if site.path else "",
                    "" if address else ", and the files below a folder of that name",
                    f" (its {ignored} is ignored)" if ignored else "")
    locality = Locality(province=province, district=district, province_2025=_gazetteer().provinces[province],
                        evidence=f"sources: match {match!r}", score=1.0)
    return _SourceEntry(match=match, locality=locality, path_re=path_re, site=site)


@dataclass(frozen=True)
class SourceMap:
    """Localities assigned by where a page comes from (folder, file glob or site).

    Entries are tried in order; the first that matches wins. ``match`` is

    * a folder or file (``"data/longbien"``): matches it and everything
      below it, wherever it sits in the path (``/abs/data/longbien/a.txt``);
      a leading ``/`` anchors it at the root;
    * a glob (``"pages/longbien/**"``, ``"*_bn.txt"``): ``*`` and ``?``
      within one folder name, ``**`` across folders, ``[...]`` classes;
    * a site (``"longbien.hanoi.gov.vn"``, ``"*.bacninh.gov.vn"``, an IP
      ``"127.0.0.1"``): matches the host of the page's URL (``www.``
      ignored; ``*.`` also matches the bare domain). A site-like name is
      also tried as a folder name;
    * a site's address, as pasted from the browser
      (``"http://vanlam.hungyen.gov.vn/"``, ``"cuchi.hochiminhcity.test:8101"``):
      its host, as above, and its port when one is written (so two sites of
      one machine, ``127.0.0.1:8101`` and ``127.0.0.1:8102``, stay apart;
      ``:80`` and ``:443`` are no port). A path after the host keeps the
      pages below it (``https://www.quangninh.gov.vn/donvi/tpcampha``: a
      province portal's district section), compared without case; paste the
      site's home page, not an article, for the whole site. Query and
      fragment are ignored. An address with a scheme or a port is never a
      folder; how each is read is logged.
    """

    entries: tuple[_SourceEntry, ...] = ()
    origin: str = "<records>"

    @classmethod
    def from_records(cls, records: Iterable[Mapping], *, origin: str = "<records>") -> SourceMap:
        """Build from dicts with ``match``, ``province`` and optional ``district``.

        Raises
        ------
        toolkit.errors.UserError
            For a malformed entry or a name the gazetteer does not know
            (the message names ``origin`` and the 1-based entry number; a
            district of another province says which; ``fix`` says what to do).
        """
        return cls(entries=tuple(_entry(i, r, origin) for i, r in enumerate(records, start=1)), origin=origin)

    def lookup(self, path: str | os.PathLike | None, url: str | None = None) -> Locality | None:
        """Locality of the first entry matching ``path`` or ``url``, else None.

        Examples
        --------
        >>> sm = SourceMap.from_records([{"match": "pages/longbien/**", "province": "Hà Nội",
        ...                               "district": "Long Biên"}])
        >>> sm.lookup("pages/longbien/2019/a.txt", None).district
        'Quận Long Biên'
        """
        posix = _posix(path) if path is not None and str(path) else None
        address = _address(url)
        for entry in self.entries:
            if entry.site is not None and address is not None and entry.site.covers(address):
                return entry.locality
            if posix is not None and entry.path_re.match(posix):
                return entry.locality
        return None

    def unmatched(self, evidence: Iterable[object]) -> tuple[_SourceEntry, ...]:
        """The entries that gave no document its locality, in the file's order.

        ``evidence`` is the ``locality_evidence`` column of the documents
        ingested with this map; a province-only entry completed by the text's
        district (``"sources: match '…' (province); text (district): …"``)
        counts as matched.

        Examples
        --------
        >>> sm = SourceMap.from_records([{"match": "pages/cuchi", "province": "Hồ Chí Minh"},
        ...                              {"match": "pages/cu-chi", "province": "Hồ Chí Minh"}])
        >>> [e.match for e in sm.unmatched(["sources: match 'pages/cuchi'", "wards: Phúc Đồng"])]
        ['pages/cu-chi']
        """
        used = {e.split(_COMPLETED_BY_TEXT, 1)[0] for e in evidence if isinstance(e, str)}
        return tuple(entry for entry in self.entries if entry.locality.evidence not in used)

    def unmatched_warnings(self, evidence: Iterable[object], *, sampled: bool = False) -> list[str]:
        """One warning per entry :meth:`unmatched` finds, for the ``len(evidence)`` documents read.

        ``sampled``: the documents are a sample of the inputs (``check``'s), as the warning then says.
        """
        evidence = list(evidence)
        return [f"[[source]] match = {entry.match!r} ({self.origin}) matched none of the {len(evidence)} documents "
                f"read{' (a sample)' if sampled else ''}: a typo? A site rule needs the pages' addresses (a crawl, "
                "HTML pages with a canonical link, a table's url column); plain text files match by folder or file "
                "name" for entry in self.unmatched(evidence)]

    def __len__(self) -> int:
        return len(self.entries)


def _top_level_fix(unknown: list[str]) -> str:
    """The fix for keys of a sources file other than ``source``."""
    if any(difflib.get_close_matches(key.lower(), ["source"], n=1, cutoff=0.6) for key in unknown):
        return "did you mean [[source]]? (lower case, singular, two brackets, above each entry)"
    if any(key in _FIELDS for key in unknown):
        return "start each entry with a [[source]] line above its match, province and district"
    return f"a sources file holds [[source]] entries only, each with {_ENTRY_EXAMPLE}"


def load_sources(path: str | os.PathLike) -> SourceMap:
    """Read a sources file (TOML) strictly::

        [[source]]
        match = "pages/longbien/**"
        province = "Hà Nội"
        district = "Long Biên"

        [[source]]
        match = "*.bacninh.gov.vn"
        province = "Bắc Ninh"

    Any key other than ``[[source]]`` entries (``[[sources]]``, a
    ``match`` above the first ``[[source]]`` line) is an error. A file with
    no entry (every entry commented out, as ``init`` writes it) is no rule:
    localities come from the pages' text, and the log says so. See
    :class:`SourceMap` for what ``match`` may be.

    Raises
    ------
    toolkit.errors.UserError
        For a file that cannot be read, TOML errors, an unknown key,
        malformed entries or unknown place names (with the file, the entry
        number, close names and a ``fix``).
    """
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"not valid TOML: {exc}", path=path,
                        fix=f'correct that line: text values in double quotes ({_ENTRY_EXAMPLE})') from None
    except UnicodeDecodeError:
        raise UserError("not UTF-8 text", path=path, fix="save the file as UTF-8") from None
    except OSError as exc:
        raise UserError(f"cannot read the sources file ({exc.strerror or exc})", path=path,
                        fix="give the path of a sources file (python -m toolkit init writes an example)") from None
    unknown = [key for key in data if key != "source"]
    if unknown:
        raise UserError(f"unknown key(s) {', '.join(map(repr, unknown))}", path=path, fix=_top_level_fix(unknown))
    records = data.get("source", [])
    if not isinstance(records, list):
        raise UserError("'source' is a single table ([source]), not a list of entries", path=path,
                        fix="write [[source]] (two brackets) above each entry")
    sources = SourceMap.from_records(records, origin=os.fspath(path))
    if not sources:
        logger.info("%s: no [[source]] entry: localities come from the pages' text", path)
    logger.debug("%s: %d source entries", path, len(sources))
    return sources


# --------------------------------------------------------------------------
# The locality key: a district qualified by its province
# --------------------------------------------------------------------------

#: Columns that name nested places (a district lies in one province, a
#: locality is one province + district): grouped tables keep their observed
#: combinations instead of crossing them.
PLACE_COLUMNS = ("province", "district", "locality", "province_2025")

_QUALIFIED = ("province", "district", "locality")


def locality_key(province: object, district: object) -> str:
    """The unique name of a locality: ``"<district>, <province>"``.

    District names repeat across provinces (Huyện Châu Thành lies in ten
    provinces), so a district alone is not a place; with its province it is.

    Parameters
    ----------
    province, district
        As in the document table; missing values (None, NaN, ``""``) count as
        unknown.

    Returns
    -------
    str
        ``"Huyện Châu Thành, Bến Tre"`` when the district is known; the
        province alone when only it is known; the district alone when only it
        is known (a researcher's table without provinces cannot say more);
        ``""`` when neither is.

    Examples
    --------
    >>> locality_key("Bến Tre", "Huyện Châu Thành")
    'Huyện Châu Thành, Bến Tre'
    >>> locality_key("Bến Tre", "")
    'Bến Tre'
    """
    parts = [_text(district), _text(province)]
    return ", ".join(p for p in parts if p)


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def with_locality(documents):
    """``documents`` with a ``locality`` column (:func:`locality_key` of ``province``, ``district``).

    The column is derived from ``province`` and ``district`` wherever either
    is known, so it always agrees with them (a value that disagreed is
    replaced, and the number of such rows logged); rows where both are
    unknown keep a ``locality`` the table already had, else get ``""``. A
    table with neither ``province`` nor ``district`` is returned unchanged
    (with ``locality`` added as ``""`` only when absent).

    Parameters
    ----------
    documents : DataFrame
        A document table, or any table with ``province`` and/or ``district``.

    Returns
    -------
    DataFrame
        A copy with ``locality`` (str); other columns untouched.
    """
    out = documents.copy()
    has = [c for c in ("province", "district") if c in out.columns]
    old = (out["locality"].astype("string").fillna("").astype(object) if "locality" in out.columns
           else pd.Series("", index=out.index, dtype=object))
    if not has:
        out["locality"] = old.astype(str)
        return out
    province = out["province"].tolist() if "province" in out.columns else [""] * len(out)
    district = out["district"].tolist() if "district" in out.columns else [""] * len(out)
    derived = pd.Series([locality_key(p, d) for p, d in zip(province, district)], index=out.index, dtype=object)
    changed = (derived != "") & (old != "") & (derived != old)
    if changed.any():
        logger.warning("locality: %d row(s) whose locality disagreed with province/district re-derived from them",
                       int(changed.sum()))
    # The dtype of every text column of conform(), so written tables have one schema.
    out["locality"] = derived.where(derived != "", old).astype(str)
    return out


def place_columns(by, available=None) -> list[str]:
    """Grouping columns with ``district`` qualified by its province.

    ``district`` becomes ``province, district, locality`` (each once, in
    place of ``district``), so two same-named districts of different
    provinces are two groups while grouped tables keep separate ``province``
    and ``district`` columns. Other columns are kept as they are.

    Parameters
    ----------
    by : sequence of str
        Grouping columns as asked ("district", "year").
    available : collection of str, optional
        Columns of the table; without a ``province`` column ``by`` is
        returned as it is (a table without provinces can only be grouped by
        district).

    Examples
    --------
    >>> place_columns(["district", "year"])
    ['province', 'district', 'locality', 'year']
    >>> place_columns(["province", "district", "year"])
    ['province', 'district', 'locality', 'year']
    """
    by = [by] if isinstance(by, str) else list(by)
    if available is not None and not {"province", "district"} <= set(available):
        # No district to qualify (the caller reports it missing), or no
        # province to qualify it with: the district is all there is.
        return by
    out: list[str] = []
    for col in by:
        for c in _QUALIFIED if col == "district" else (col,):
            if c not in out:
                out.append(c)
    return out


def qualify_grouping(table, by):
    """``(table, columns)`` to group ``table`` by ``by`` with districts qualified.

    The one entry point of every grouping "by district": ``columns`` is
    :func:`place_columns` of ``by``, and ``table`` gains a ``locality``
    column (:func:`with_locality`) when the columns need one it lacks.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"province": ["Bến Tre", "Tiền Giang"], "district": ["Huyện Châu Thành"] * 2})
    >>> docs, by = qualify_grouping(docs, ["district"])
    >>> docs.groupby(by).ngroups
    2
    """
    columns = place_columns(by, table.columns)
    if "locality" in columns and "locality" not in table.columns and "district" in table.columns:
        table = with_locality(table)
    return table, columns


def resolve_locality(value: str, localities) -> str:
    """The locality meant by ``value``: itself, or the one locality whose district it names.

    Lets a researcher write ``"Huyện Long Phú"`` or ``"Long Phú"`` where that
    district name is unique in the corpus (case, tone-mark style and
    apostrophes aside); a name shared by several provinces must be qualified
    (``"Huyện Châu Thành, Bến Tre"``).

    Raises
    ------
    ValueError
        When ``value`` names no locality, or several (the message lists them).
    """
    names = sorted({str(x) for x in localities})
    if value in names:
        return value
    matches = [n for n in names if n.rsplit(", ", 1)[0] == value]
    if not matches:  # "Củ Chi", "cư m’gar" for "Huyện Củ Chi, Hồ Chí Minh", "Huyện Cư M'gar, Đắk Lắk"
        wanted = _district_name_key(value)
        matches = [n for n in names if ", " in n and _district_name_key(n.rsplit(", ", 1)[0]) == wanted]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValueError(f"{value!r} names {len(matches)} districts of different provinces; "
                         f"write one of: {'; '.join(matches)}")
    shown = "; ".join(names[:12]) + ("; …" if len(names) > 12 else "")
    raise ValueError(f"{value!r} is not a locality of the table{_suggest(value, names)} "
                     f"(its {len(names)} localities: {shown})")


def _district_name_key(name: str) -> tuple[str, ...]:
    """A district's name without its type, as words to compare ("Huyện Củ Chi", "củ chi" → ("củ", "chi"))."""
    name = _clean(name)
    typed = _TYPE_RE.match(name)
    return _key(typed.group(2) if typed else re.sub(r"^tp\.?\s*", "", name, flags=re.IGNORECASE))
