"""Vietnamese text normalization for political news: small ``str -> str`` steps.

Everything downstream of this module sees NFC text with one tone-mark
convention (``hòa``, ``khóa``, ``thủy``, ``Ủy``), clean spacing and
punctuation, the genre's typos fixed and its abbreviations written out, so
that ``Uỷ ban``/``Ủy ban``, ``GPMB``/``giải phóng mặt bằng`` and ``Mặt
trân``/``Mặt trận`` become the same words.

Each step is a pure function, idempotent and testable alone; they are
grouped by verb like ``textacy.preprocessing`` and composed with
:func:`make_pipeline`. :func:`normalize` runs them in this order:

1. :func:`repair_mojibake` -- broken encodings, run by run, only where the
   repair reads as Vietnamese: UTF-8 read as cp1252/Latin-1 (``Ä‘á»“ng``),
   TCVN3/VNI text read as cp1252 (``C«ng t¸c``); the one repair path shared
   with ingest (:func:`toolkit.ingest.encoding.repair_text`);
2. :func:`to_nfc` -- Unicode NFC;
3. :func:`clean_spaces_punct` -- invisible characters, spaces, dashes, quotes,
   ellipsis, blank lines;
4. :func:`normalize_tone_marks` -- tone mark on the vowel the project's
   convention asks for, syllable by syllable;
5. :func:`fix_typos` -- ``corpora/lexicons/typos.tsv``;
6. :func:`expand_abbreviations` -- ``corpora/lexicons/abbreviations.tsv``,
   level-aware (``TUV`` is ``Thành ủy viên`` on a city page, ``Tỉnh ủy viên``
   on a province page);
7. :func:`fix_missing_space_after_period` -- ``năm 2023.Ban`` → ``năm 2023. Ban``
   (last, so that it also sees sentences that begin with an expanded
   abbreviation).

Document codes (``217-QĐ/TW``, ``34/2007/PL-UBTVQH11``), URLs and e-mail
addresses are never altered by steps 4--7 (:data:`DOC_CODE_RE` is exported
for the segmenter). No step ever removes a diacritic.

Examples
--------
>>> from toolkit.text.normalize import normalize
>>> normalize("Uỷ ban MTTQ phối hợp GPMB theo Quyết định 217-QĐ/TW")
'Ủy ban Mặt trận Tổ quốc phối hợp giải phóng mặt bằng theo Quyết định 217-QĐ/TW'
>>> normalize("UBND phường hoà giải.Ban Dân vận QU dự")
'Ủy ban nhân dân phường hòa giải. Ban Dân vận Quận ủy dự'
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
import unicodedata
from collections.abc import Callable, Container, Iterable
from pathlib import Path
from typing import NamedTuple

import regex

from toolkit import config as _config
from toolkit.ingest.encoding import repair_text

logger = logging.getLogger("toolkit.text.normalize")

__all__ = [
    "DOC_CODE_RE",
    "LEVELS",
    "Abbreviation",
    "Typo",
    "clean_spaces_punct",
    "detect_level",
    "expand_abbreviations",
    "fix_missing_space_after_period",
    "fix_typos",
    "lexicon_keys",
    "load_abbreviations",
    "load_typos",
    "make_normalizer",
    "make_pipeline",
    "normalize",
    "normalize_tone_marks",
    "redefined_abbreviations",
    "repair_mojibake",
    "to_nfc",
]

#: Administrative levels of a page's Party committee, most local first.
LEVELS = ("district", "city", "province")

ABBREVIATIONS_FILE = "abbreviations.tsv"
TYPOS_FILE = "typos.tsv"

# --------------------------------------------------------------------------
# Protected spans: document codes, URLs, e-mail addresses
# --------------------------------------------------------------------------

#: Vietnamese document numbers and codes: ``217-QĐ/TW``, ``01-CTr/QU``,
#: ``15-KH/BDVTU``, ``34/2007/PL-UBTVQH11``, ``30/2020/NĐ-CP``, ``16/CT-TTg``.
#: A number, then ``-``/``/``-separated parts; the first lettered part starts
#: with two capitals (so ``ngày 3-Tháng`` is not a code). No spaces inside.
DOC_CODE_RE = regex.compile(
    r"(?<![\p{L}\p{N}/-])\d+(?:[/-]\d+)*[/-]\p{Lu}\p{Lu}[\p{L}\p{N}]*"
    r"(?:[/-](?:\p{N}+|\p{Lu}[\p{L}\p{N}]*))*(?![\p{L}\p{N}])"
)

_URL_RE = regex.compile(
    # a dot inside a URL is followed by another URL character: "gov.vn." and "gov.vn...hòa" end at "vn"
    r"(?:https?://|www\.)(?:[^\s<>\".…]|\.(?=[^\s<>\".…]))+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w.])[\w-]+(?:\.[\w-]+)*\.(?i:vn|com|net|org|gov|edu|int|info)(?![\w-])(?:/[^\s<>\"]*)?"
)

# Cheap tests that let most pages skip the full patterns above.
_CODE_HINT_RE = re.compile(r"\d[-/]")
_TLD_HINT_RE = re.compile(r"\.(?:vn|com|net|org|gov|edu|int|info)(?!\w)", re.IGNORECASE)


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans of document codes, URLs and e-mail addresses."""
    spans: list[tuple[int, int]] = []
    if "www." in text or "://" in text or "@" in text or _TLD_HINT_RE.search(text):
        spans.extend(m.span() for m in _URL_RE.finditer(text))
    if _CODE_HINT_RE.search(text):
        spans.extend(m.span() for m in DOC_CODE_RE.finditer(text))
        spans.sort()
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and start < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        spans = merged
    return spans


def _outside_protected(text: str, func: Callable[[str], str]) -> str:
    """Apply ``func`` to the stretches of ``text`` between protected spans."""
    spans = _protected_spans(text)
    if not spans:
        return func(text)
    parts: list[str] = []
    pos = 0
    for start, end in spans:
        parts.append(func(text[pos:start]))
        parts.append(text[start:end])
        pos = end
    parts.append(func(text[pos:]))
    return "".join(parts)


class _Protected:
    """Whether a span overlaps a protected span; the spans are found on first use."""

    __slots__ = ("text", "spans", "starts")

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[tuple[int, int]] | None = None
        self.starts: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        if self.spans is None:
            self.spans = _protected_spans(self.text)
            self.starts = [s for s, _ in self.spans]
        i = bisect.bisect_left(self.starts, end) - 1
        return i >= 0 and self.spans[i][1] > start


# --------------------------------------------------------------------------
# Composition
# --------------------------------------------------------------------------


def make_pipeline(*steps: Callable[[str], str]) -> Callable[[str], str]:
    """Compose ``str -> str`` steps, applied left to right.

    Parameters
    ----------
    *steps
        Callables taking and returning one string.

    Returns
    -------
    Callable[[str], str]

    Examples
    --------
    >>> from toolkit.text.normalize import make_pipeline, to_nfc, normalize_tone_marks
    >>> make_pipeline(to_nfc, normalize_tone_marks)("Uỷ ban")
    'Ủy ban'
    """
    steps = tuple(steps)

    def pipeline(text: str) -> str:
        for step in steps:
            text = step(text)
        return text

    pipeline.steps = steps  # type: ignore[attr-defined]
    return pipeline


# --------------------------------------------------------------------------
# 1. Encoding repair
# --------------------------------------------------------------------------

def repair_mojibake(text: str) -> str:
    """Repair broken encodings run by run: :func:`toolkit.ingest.encoding.repair_text`'s text.

    The one repair path of ingest and the normalizer: UTF-8 read as
    Windows-1252 (``Ä‘á»“ng`` → ``đồng``), and text typed in a TCVN3 or VNI
    font and read as Windows-1252 (``C«ng t¸c`` → ``Công tác``). Each broken
    run is repaired alone, only when its repair clearly reads as Vietnamese;
    correct text around it, and correct text that happens to look like
    mojibake (``Â–``, ``XÃ`` in a heading, ``các``), is kept character for
    character. No other change is made (no quote uncurling, width folding or
    normalization).

    Examples
    --------
    >>> repair_mojibake("Ä‘á»“ng chÃ­ BÃ­ thÆ° Quáº­n á»§y")
    'đồng chí Bí thư Quận ủy'
    >>> repair_mojibake("Ban Dân vận â€œDÃ¢n váº­n khÃ©oâ€\x9d")
    'Ban Dân vận “Dân vận khéo”'
    >>> repair_mojibake("Hội nghị giao ban công tác dân vận\\nC«ng t¸c d©n vËn n¨m 2022")
    'Hội nghị giao ban công tác dân vận\\nCông tác dân vận năm 2022'
    >>> repair_mojibake("đồng chí Bí thư")
    'đồng chí Bí thư'
    """
    return repair_text(text).text


# --------------------------------------------------------------------------
# 2. Unicode normalization
# --------------------------------------------------------------------------


def to_nfc(text: str) -> str:
    """Compose to Unicode NFC (decomposed input such as macOS file names is common).

    Examples
    --------
    >>> import unicodedata
    >>> to_nfc(unicodedata.normalize("NFD", "Ủy ban")) == "Ủy ban"
    True
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text)


# --------------------------------------------------------------------------
# 3. Spaces and punctuation
# --------------------------------------------------------------------------

_REPLACEMENTS = {
    # line breaks: one convention
    "\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n",
    # spaces: NBSP, tab and the typographic spaces become a plain space
    "\t": " ", "\u00a0": " ", "\u1680": " ", "\u202f": " ", "\u205f": " ", "\u3000": " ",
    **{chr(c): " " for c in range(0x2000, 0x200B)},
    # invisible characters: soft hyphen, zero-width (non-)joiners, BOM, controls
    "\u00ad": "", "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "",
    **{chr(c): "" for c in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F)},
    # dashes and minus: one hyphen-minus; spacing is decided below
    **{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"},
    # quotes: straight
    **{c: '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb"},
    **{c: "'" for c in "\u2018\u2019\u201a\u201b"},
    "\u2026": "...",
}
# A regex finding the few characters to replace is much faster than
# ``str.translate`` on non-ASCII text, where most characters stay.
_SPECIAL_CHARS_RE = re.compile("[" + "".join(re.escape(c) for c in _REPLACEMENTS) + "]")

# "01- CTr/QU": a document code broken by a stray space after the number.
_BROKEN_CODE_RE = regex.compile(r"(?<=(?<![\p{L}\p{N}/-])\d+)- +(?=\p{Lu}\p{Lu}[\p{L}\p{N}]*/\p{Lu})")
# A hyphen with a space on either side is a dash, written " - " (the spaces
# collapse afterwards); not "-5" after a space (a negative number).
_SPACED_DASH_RE = re.compile(r"-(?= )|(?<= )-(?!\d)")
# Spaces before , ; ! ? go; before : and . only when a space or the end
# follows (not in "10 :30", ".vn").
_SPACE_BEFORE_PUNCT_RE = re.compile(r" +(?=[,;!?]|(?::|\.{1,3})(?:[\s\"')\]]|$))")
_SPACE_BEFORE_HINT_RE = re.compile(" [,;:!?.]")
_MULTI_SPACE_RE = re.compile(r"  +")
_BLANK_LINES_RE = re.compile(r"\n\n\n+")


def clean_spaces_punct(text: str) -> str:
    """Normalize invisible characters, spaces, dashes, quotes and line breaks.

    - NBSP, tabs and typographic spaces become a space; soft hyphens,
      zero-width characters, BOMs and control characters are removed;
      ``\\r\\n``, ``\\r`` and Unicode line separators become ``\\n``.
    - Every dash (``‐ ‑ ‒ – — ― −``) becomes ``-``; a dash with a space on
      either side is written ``" - "`` (``Thắng- Phó`` → ``Thắng - Phó``),
      an unspaced one stays ``-`` (``2017–2022`` → ``2017-2022``). A document
      code broken after its number is rejoined (``01- CTr/QU`` → ``01-CTr/QU``).
    - Curly quotes and guillemets become ``"`` and ``'``; ``…`` becomes ``...``.
    - Spaces before ``, ; : ! ? .`` are removed, runs of spaces collapse to
      one, lines are trimmed, and more than one blank line becomes one:
      newlines (paragraphs) are kept.

    Examples
    --------
    >>> clean_spaces_punct("“Dân vận khéo”\u00a0– năm 2017–2022 …")
    '"Dân vận khéo" - năm 2017-2022...'
    """
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    if _SPECIAL_CHARS_RE.search(text):
        text = _SPECIAL_CHARS_RE.sub(lambda m: _REPLACEMENTS[m.group()], text)
    if "-" in text:
        text = _BROKEN_CODE_RE.sub("-", text)
        text = _SPACED_DASH_RE.sub(" - ", text)
    if _SPACE_BEFORE_HINT_RE.search(text):
        text = _SPACE_BEFORE_PUNCT_RE.sub("", text)
    if "  " in text:
        text = _MULTI_SPACE_RE.sub(" ", text)
    if "\n" in text:
        # Spaces are single now: trimming lines is two replacements.
        text = text.replace(" \n", "\n").replace("\n ", "\n")
        if "\n\n\n" in text:
            text = _BLANK_LINES_RE.sub("\n\n", text)
    return text.strip(" \n")


# --------------------------------------------------------------------------
# 4. Missing space after a sentence end
# --------------------------------------------------------------------------

# A period after a lower-case letter, digit, closing bracket or quote, or the
# last dot of an ellipsis, or ! and ?, directly followed by a capitalized
# word. "TP.HCM", "TS.Nguyễn" (capital before the dot), "1.250", "3.5",
# "v.v." (lower case after the dot) never match; URLs and codes are skipped.
_MISSING_SPACE_RE = regex.compile(r"(?:(?<=[\p{Ll}\p{N})\]\"'])\.|(?<=\.\.)\.|[!?])(?=\p{Lu}\p{Ll})")


def fix_missing_space_after_period(text: str) -> str:
    """Insert the space missing after a sentence end: ``năm 2023.Ban`` → ``năm 2023. Ban``.

    Abbreviations and numbers are left alone: ``TP.HCM``, ``1.250``, ``3.5``,
    ``v.v.``, ``Đ/c``; so are URLs (``www.hanoi.gov.vn``) and document codes.

    Examples
    --------
    >>> fix_missing_space_after_period("năm 2023.Ban Dân vận tại TP.HCM, www.Dangcongsan.vn")
    'năm 2023. Ban Dân vận tại TP.HCM, www.Dangcongsan.vn'
    """
    if not _MISSING_SPACE_RE.search(text):
        return text
    return _outside_protected(text, lambda s: _MISSING_SPACE_RE.sub(r"\g<0> ", s))


# --------------------------------------------------------------------------
# 5. Tone-mark placement
# --------------------------------------------------------------------------

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_PLAIN_VOWELS = "aeiouy"
_QUALITY_VOWELS = "ăâêôơư"
_VOWELS = _PLAIN_VOWELS + _QUALITY_VOWELS

# toned char -> (toneless char, combining tone mark); and back.
_SPLIT: dict[str, tuple[str, str]] = {}
_JOIN: dict[tuple[str, str], str] = {}
for _base in _VOWELS:
    for _mark in _TONE_MARKS:
        _toned = unicodedata.normalize("NFC", _base + _mark)
        _SPLIT[_toned] = (_base, _mark)
        _JOIN[(_base, _mark)] = _toned


def _chars(bases: str, *, toned: bool) -> str:
    """Lower- and upper-case forms of ``bases``, toned (5 marks each) or not."""
    out = [_JOIN[(b, m)] for b in bases for m in _TONE_MARKS] if toned else list(bases)
    return "".join(out) + "".join(c.upper() for c in out)


_PV = _chars(_PLAIN_VOWELS, toned=False)  # plain, untoned
_DV = _chars(_QUALITY_VOWELS, toned=False)  # with ˆ ˘ ˀ, untoned
_TP = _chars(_PLAIN_VOWELS, toned=True)
_TD = _chars(_QUALITY_VOWELS, toned=True)
_V = _PV + _DV + _TP + _TD
_T = _TP + _TD
_TU = _chars("u", toned=True)
_TI = _chars("i", toned=True)

# Quick pre-check: two or three letters showing that a tone mark may sit on
# the wrong vowel. Correct syllables rarely match, so few words reach the
# parser. ``re`` rather than ``regex``: several times faster on this
# alternation, and its Unicode ``\w`` is all the pattern needs.
_LETTER = r"[^\W\d_]"
_TONE_CANDIDATE_RE = re.compile(
    r"(?:"
    rf"[{_PV}][{_TP}](?!{_LETTER})"       # hoà, thuỷ (open oa/oe/uy)
    rf"|[{_TP}][{_PV}][cmnptCMNPT]"       # hòang (closed: mark on the 2nd)
    rf"|[qQ][{_TU}]|[gG][{_TI}][{_V}]"    # qúy, gìa (qu/gi are onsets)
    rf"|[{_TP}][{_DV}]|[{_DV}][{_TP}]"    # múôn, thủơ (mark on the ˆ ˘ ˀ vowel)
    rf"|[{_TD}][{_DV}]"                   # thừơng (ươ: mark on ơ)
    rf"|[{_T}][{_V}][{_V}]|[{_V}][{_V}][{_T}]"  # ngòai (three vowels: middle)
    r")"
)

_SYLLABLE_RE = regex.compile(
    r"(?P<onset>ngh|ng|gh|gi|kh|ph|th|tr|ch|nh|qu|[bcdđghklmnprstvx])?"
    rf"(?P<nucleus>[{_VOWELS}]+)"
    r"(?P<coda>ch|ng|nh|[cmnpt])?"
)
# Vowel clusters of Vietnamese rhymes (toneless), without and with a final
# consonant. A syllable outside these is not Vietnamese and is left alone.
_OPEN_NUCLEI = frozenset(
    "a e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iu oa oe oi ôi ơi ua ui uy ưa ưi ưu uê uơ "
    "oai oay oeo oao uya uyu uây uôi ươi ươu iêu yêu".split()
)
_CLOSED_NUCLEI = frozenset("a ă â e ê i o ô ơ u ư y iê yê uô ươ oa oă oe oo uâ uy uê uyê".split())


def _parse_syllable(base: str) -> tuple[str, str, str] | None:
    """(onset, nucleus, coda) of a toneless lower-case syllable, or None."""
    m = _SYLLABLE_RE.fullmatch(base)
    if m is None:
        return None
    onset, nucleus, coda = m.group("onset") or "", m.group("nucleus"), m.group("coda") or ""
    if nucleus not in (_CLOSED_NUCLEI if coda else _OPEN_NUCLEI):
        return None
    return onset, nucleus, coda


def _tone_index(nucleus: str, closed: bool) -> int:
    """Index in ``nucleus`` of the vowel that carries the tone mark.

    The project's convention: a vowel with ˆ ˘ ˀ carries it (the last one:
    ``ươ`` → ơ); else the middle of three vowels (``ngoài``); of two, the
    second when a consonant follows (``hoàng``, ``thuyết``) and the first
    in an open syllable (``hòa``, ``khỏe``, ``thủy``, ``mùa``, ``hài``).
    """
    for i in range(len(nucleus) - 1, -1, -1):
        if nucleus[i] in _QUALITY_VOWELS:
            return i
    if len(nucleus) == 3:
        return 1
    if len(nucleus) == 2:
        return 1 if closed else 0
    return 0


@functools.lru_cache(maxsize=65536)
def _retone(word: str) -> str:
    """``word`` with its tone mark moved to the conventional vowel, if it is a syllable."""
    low = word.lower()
    if len(low) != len(word):
        return word
    bases: list[str] = []
    tone = ""
    tone_pos = -1
    for i, ch in enumerate(low):
        split = _SPLIT.get(ch)
        if split is None:
            bases.append(ch)
            continue
        if tone:  # two tone marks: not a syllable
            return word
        bases.append(split[0])
        tone, tone_pos = split[1], i
    if not tone:
        return word
    parsed = _parse_syllable("".join(bases))
    if parsed is None:
        return word
    onset, nucleus, coda = parsed
    target = len(onset) + _tone_index(nucleus, bool(coda))
    if target == tone_pos:
        return word
    bases[target] = _JOIN[(bases[target], tone)]
    return "".join(c.upper() if w.isupper() else c for c, w in zip(bases, word))


def _retone_text(text: str) -> str:
    out: list[str] = []
    pos = 0  # end of the last word handled
    protected = _Protected(text)
    for m in _TONE_CANDIDATE_RE.finditer(text):
        start, end = m.start(), m.end()
        if start < pos:  # another candidate inside a word already handled
            continue
        while start > 0 and text[start - 1].isalpha():
            start -= 1
        while end < len(text) and text[end].isalpha():
            end += 1
        word = text[start:end]
        new = _retone(word)
        if new != word and not protected.overlaps(start, end):
            out.append(text[pos:start])
            out.append(new)
        else:
            out.append(text[pos:end])
        pos = end
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def normalize_tone_marks(text: str) -> str:
    """Place tone marks by the project's convention (``hoà`` → ``hòa``, ``hòang`` → ``hoàng``).

    Each word is parsed into onset, vowel nucleus and final consonant
    (``qu`` and ``gi`` are onsets: ``quý``, ``già``). The mark goes on the
    vowel with ˆ ˘ ˀ if there is one (``thuở``, ``người``), else on the
    middle of three vowels (``ngoài``), else, of two vowels, on the second
    when a consonant follows (``hoàng``, ``quyền``, ``huỳnh``) and on the
    first in an open syllable (``hòa``, ``khóa``, ``thủy``, ``Ủy``, ``lòe``).
    Case is kept (``UỶ`` → ``ỦY``). Words that are not Vietnamese
    syllables (foreign words, codes, two marks) are left alone; no mark is
    ever added or removed, only moved.

    Examples
    --------
    >>> normalize_tone_marks("Uỷ ban hoà giải, khoá XI, thuỷ lợi, HOÀ BÌNH")
    'Ủy ban hòa giải, khóa XI, thủy lợi, HÒA BÌNH'
    >>> normalize_tone_marks("hòang hôn, qúy, gìa, ngòai")
    'hoàng hôn, quý, già, ngoài'
    """
    return _retone_text(text)


def _is_syllable(word: str) -> bool:
    """Whether ``word`` (any case, tone or not) spells a Vietnamese syllable."""
    low = word.lower()
    base = "".join(_SPLIT.get(ch, (ch,))[0] for ch in low)
    return _parse_syllable(base) is not None


# --------------------------------------------------------------------------
# Lexicons
# --------------------------------------------------------------------------


class Typo(NamedTuple):
    """One row of ``typos.tsv`` (after normalization of its text)."""

    typo: str
    correction: str
    note: str


class Abbreviation(NamedTuple):
    """One row of ``abbreviations.tsv``; ``level`` is ``""`` unless level-aware."""

    abbreviation: str
    expansion: str
    level: str
    note: str


# Lexicon text goes through the same steps as the pages it is matched on.
_normalize_entry = make_pipeline(to_nfc, clean_spaces_punct, normalize_tone_marks)


def _read_tsv(path: Path, columns: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    """Rows of a commented TSV lexicon: ``#`` lines and blank lines skipped, header checked."""
    rows: list[tuple[int, list[str]]] = []
    header_seen = False
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = [f.strip() for f in line.split("\t")]
            if not header_seen:
                if tuple(f.lower() for f in fields) != columns:
                    raise ValueError(f"{path}:{lineno}: header must be {' <TAB> '.join(columns)}, got {line!r}")
                header_seen = True
                continue
            if len(fields) > len(columns):
                raise ValueError(f"{path}:{lineno}: {len(fields)} tab-separated fields, expected at most {len(columns)}")
            rows.append((lineno, fields + [""] * (len(columns) - len(fields))))
    if not header_seen:
        raise ValueError(f"{path}: no header line ({' <TAB> '.join(columns)})")
    return rows


def _file_key(directory: str | Path | None, name: str) -> tuple[str, int, int]:
    """Cache key of a lexicon file: path, modification time and size.

    A cheap ``stat`` per call instead of hashing every lexicon file
    (:func:`toolkit.config.lexicon_version` does that once per run): an
    edited file gets a new key, so the cache never serves stale entries.
    """
    path = Path(directory) if directory is not None else _config.lexicon_dir()
    path = path / name
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=8)
def _typos_from(path: str, mtime_ns: int, size: int) -> tuple[Typo, ...]:
    out: dict[str, Typo] = {}
    for lineno, (typo, correction, note) in _read_tsv(Path(path), ("typo", "correction", "note")):
        if not typo or not correction:
            raise ValueError(f"{path}:{lineno}: typo and correction must not be empty")
        typo, correction = _normalize_entry(typo), _normalize_entry(correction)
        if typo == correction:
            logger.warning("%s:%d: %r is already fixed by the tone-mark step; entry ignored", path, lineno, typo)
            continue
        if typo in out:
            raise ValueError(f"{path}:{lineno}: duplicate typo {typo!r}")
        out[typo] = Typo(typo, correction, note)
    return tuple(out.values())


@functools.lru_cache(maxsize=8)
def _abbreviations_from(path: str, mtime_ns: int, size: int) -> tuple[Abbreviation, ...]:
    out: dict[tuple[str, str], Abbreviation] = {}
    columns = ("abbreviation", "expansion", "level", "note")
    for lineno, (abbreviation, expansion, level, note) in _read_tsv(Path(path), columns):
        if not abbreviation or not expansion:
            raise ValueError(f"{path}:{lineno}: abbreviation and expansion must not be empty")
        level = level.lower()
        if level and level not in LEVELS:
            raise ValueError(f"{path}:{lineno}: level must be blank or one of {', '.join(LEVELS)}, got {level!r}")
        abbreviation, expansion = _normalize_entry(abbreviation), _normalize_entry(expansion)
        if (abbreviation, level) in out:
            raise ValueError(f"{path}:{lineno}: duplicate abbreviation {abbreviation!r} (level {level or 'blank'})")
        out[(abbreviation, level)] = Abbreviation(abbreviation, expansion, level, note)
    return tuple(out.values())


def load_typos(directory: str | Path | None = None) -> tuple[Typo, ...]:
    """The typo lexicon, ``typos.tsv``, normalized and cached.

    Parameters
    ----------
    directory
        Lexicon folder; default :func:`toolkit.config.lexicon_dir`.

    Returns
    -------
    tuple of Typo
        ``(typo, correction, note)`` rows in file order;
        ``pandas.DataFrame(load_typos())`` gives a table.
    """
    return _typos_from(*_file_key(directory, TYPOS_FILE))


def load_abbreviations(directory: str | Path | None = None) -> tuple[Abbreviation, ...]:
    """The abbreviation lexicon, ``abbreviations.tsv``, normalized and cached.

    Parameters
    ----------
    directory
        Lexicon folder; default :func:`toolkit.config.lexicon_dir`.

    Returns
    -------
    tuple of Abbreviation
        ``(abbreviation, expansion, level, note)`` rows in file order;
        ``pandas.DataFrame(load_abbreviations())`` gives a table.
    """
    return _abbreviations_from(*_file_key(directory, ABBREVIATIONS_FILE))


def _trie_pattern(keys: Iterable[str]) -> str:
    """One regular expression matching any of ``keys``, as a character trie.

    A flat alternation of a hundred phrases makes the engine try each one at
    every position; the trie tries one branch per character. Optional
    endings are greedy, so the longest key wins ("MTTQVN" over "MTTQ"), and
    backtracking falls back to a shorter key when a boundary check fails.
    """
    trie: dict = {}
    for key in sorted(set(keys)):
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches, singles = [], []
        for ch in sorted(k for k in node if k):
            rest = build(node[ch])
            if rest:
                branches.append(re.escape(ch) + rest)
            else:
                singles.append(re.escape(ch))
        if singles:
            branches.append(singles[0] if len(singles) == 1 else "[" + "".join(singles) + "]")
        if not branches:
            return ""
        out = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{out})?" if "" in node else out

    return build(trie)


# --------------------------------------------------------------------------
# 6. Typos
# --------------------------------------------------------------------------


def _capitalize(s: str) -> str:
    return s[:1].upper() + s[1:]


@functools.lru_cache(maxsize=8)
def _typo_matcher(path: str, mtime_ns: int, size: int) -> tuple[re.Pattern | None, dict[str, str]]:
    typos = _typos_from(path, mtime_ns, size)
    table = {t.typo: t.correction for t in typos}
    # Case variants: an entry written in lower case also matches at the start
    # of a sentence (first letter capitalized) and in ALL CAPS; one written
    # capitalized ("Mặt trân") matches only capitalized text and ALL CAPS.
    for t in typos:
        if t.typo[:1].islower():
            table.setdefault(_capitalize(t.typo), _capitalize(t.correction))
        table.setdefault(t.typo.upper(), t.correction.upper())
    if not table:
        return None, table
    # ``re``: its Unicode \w (letters, digits, _) is the word boundary needed,
    # and it runs this lower-case trie several times faster than ``regex``.
    pattern = re.compile(rf"(?<!\w)(?:{_trie_pattern(table)})(?!\w)")
    return pattern, table


def fix_typos(text: str) -> str:
    """Fix the genre's typos listed in ``corpora/lexicons/typos.tsv``.

    Entries match whole words or phrases only. An entry written in lower case
    also matches with its first letter capitalized and in ALL CAPS, and the
    correction takes the same form; a capitalized entry matches only
    capitalized text. Document codes and URLs are skipped.

    Examples
    --------
    >>> fix_typos("công tác giải phòng mặt bằng, Ủy ban Mặt trân Tổ quốc")
    'công tác giải phóng mặt bằng, Ủy ban Mặt trận Tổ quốc'
    """
    return _fix_typos(text, _typo_matcher(*_file_key(None, TYPOS_FILE)))


def _fix_typos(text: str, matcher: tuple[re.Pattern | None, dict[str, str]]) -> str:
    pattern, table = matcher
    if pattern is None:
        return text
    out: list[str] = []
    pos = 0
    protected = _Protected(text)
    for m in pattern.finditer(text):
        start, end = m.span()
        if protected.overlaps(start, end):
            continue
        out.append(text[pos:start])
        out.append(table[m.group()])
        pos = end
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


# --------------------------------------------------------------------------
# 7. Abbreviations
# --------------------------------------------------------------------------

# Party committees named in a page, by level. "Quận ủy", "QU" → district, etc. Not "Thành Ủy ban
# nhân dân": the word "ủy ban" (a committee) after a place word, which the expansion of "Thành UBND"
# writes; counting it would let a second normalization expand what the first left (idempotence).
_LEVEL_MARKERS_RE = regex.compile(
    r"(?<![\p{L}\p{N}/-])(?:"
    r"(?P<district>(?:Quận|Huyện|Thị|QUẬN|HUYỆN|THỊ) (?:ủy|uỷ|Ủy|Uỷ|ỦY|UỶ)|QU|HU|QUV|HUV|BTVQU|BTVHU)"
    r"|(?P<city>(?:Thành|THÀNH) (?:ủy|uỷ|Ủy|Uỷ|ỦY|UỶ))"
    r"|(?P<province>(?:Tỉnh|TỈNH) (?:ủy|uỷ|Ủy|Uỷ|ỦY|UỶ))"
    r")(?![\p{L}\p{N}/])(?!(?i:\s+ban\s+(?:nhân dân|mặt trận|kiểm tra|thường vụ quốc hội)))"
)


def _level_counts(text: str) -> dict[str, int]:
    counts = dict.fromkeys(LEVELS, 0)
    for m in _LEVEL_MARKERS_RE.finditer(to_nfc(text)):
        counts[m.lastgroup] += 1
    return counts


def detect_level(text: str) -> str | None:
    """The level of the Party committee a page is about, from the committees it names.

    Counts ``Quận ủy``/``Huyện ủy``/``Thị ủy`` (and ``QU``, ``HU``) for
    ``"district"``, ``Thành ủy`` for ``"city"``, ``Tỉnh ủy`` for
    ``"province"``; the most named level wins, ties going to the more local
    level (a district page also names its city or province).

    Returns
    -------
    str or None
        One of :data:`LEVELS`, or None when no committee is named.

    Examples
    --------
    >>> detect_level("Ban Dân vận Quận ủy làm việc với Ban Dân vận Thành ủy; Quận ủy chỉ đạo")
    'district'
    >>> detect_level("Ban Thường vụ Tỉnh ủy họp") , detect_level("Hội nghị nhân dân")
    ('province', None)
    """
    counts = _level_counts(text)
    best = max(LEVELS, key=lambda lv: (counts[lv], -LEVELS.index(lv)))
    return best if counts[best] else None


def _candidate_levels(text: str, level: str | None) -> list[str]:
    """Levels to try for a level-aware abbreviation: the page's, then the superior ones named."""
    counts = _level_counts(text)
    if level is None:
        best = max(LEVELS, key=lambda lv: (counts[lv], -LEVELS.index(lv)))
        level = best if counts[best] else None
    out = [level] if level else []
    # On a district page "TUV" is a member of the superior committee: the
    # city's or the province's, whichever the page names (more often).
    for lv in sorted(("city", "province"), key=lambda lv: -counts[lv]):
        if counts[lv] and lv not in out:
            out.append(lv)
    return out


class _AbbreviationMatcher(NamedTuple):
    pattern: regex.Pattern | None
    expansions: dict[str, dict[str, str]]  # abbreviation -> {level or "": expansion}
    syllable_like: frozenset[str]  # abbreviations that also spell a word (TU: "tu")


@functools.lru_cache(maxsize=8)
def _abbreviation_matcher(path: str, mtime_ns: int, size: int) -> _AbbreviationMatcher:
    expansions: dict[str, dict[str, str]] = {}
    for a in _abbreviations_from(path, mtime_ns, size):
        expansions.setdefault(a.abbreviation, {})[a.level] = a.expansion
    if not expansions:
        return _AbbreviationMatcher(None, expansions, frozenset())
    # "/" is excluded on both sides: "QĐ/TW" outside a numbered code is still a code.
    pattern = regex.compile(rf"(?<![\p{{L}}\p{{N}}_/])(?:{_trie_pattern(expansions)})(?![\p{{L}}\p{{N}}_/])")
    syllable_like = frozenset(k for k in expansions if " " not in k and _is_syllable(k))
    return _AbbreviationMatcher(pattern, expansions, syllable_like)


_WORD_BEFORE_RE = regex.compile(r"(\p{L}+) +$")
_WORD_AFTER_RE = regex.compile(r" +(\p{L}+)")
_TRAILING_PUNCT = ".,;:!?\"')]"


@functools.lru_cache(maxsize=4096)
def _split_fold(expansion: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words = tuple(expansion.split(" "))
    return words, tuple(w.strip(_TRAILING_PUNCT + "(\"'").casefold() for w in words)


def _words_before(text: str, start: int, limit: int, n: int) -> list[str]:
    """Up to ``n`` case-folded words joined by single spaces that end right before ``start``."""
    if start - 1 < limit or text[start - 1] != " ":
        return []
    out: list[str] = []
    for word in reversed(text[max(limit, start - 16 * n):start - 1].split(" ")[-n:]):
        if not word.isalnum():
            break
        out.append(word.casefold())
    out.reverse()
    return out


def _words_after(text: str, end: int, n: int) -> list[str]:
    """Up to ``n`` case-folded words joined by single spaces that start right after ``end``."""
    if text[end:end + 1] != " ":
        return []
    out: list[str] = []
    for word in text[end + 1:end + 1 + 16 * n].split(" ")[:n]:
        core = word.rstrip(_TRAILING_PUNCT)
        if not core.isalnum():
            break
        out.append(core.casefold())
        if core != word:
            break
    return out


def _in_caps_context(text: str, start: int, end: int, known: dict) -> bool:
    """Whether a neighbouring word is written in capitals (a headline: ``TU BỔ``, ``TƯ TƯỞNG``)."""
    for m in (_WORD_BEFORE_RE.search(text, max(0, start - 40), start), _WORD_AFTER_RE.match(text, end)):
        if m is not None:
            word = m.group(1)
            if len(word) > 1 and word.isupper() and word not in known:
                return True
    return False


def _is_sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 4):start].rstrip(" ")
    return not before or before[-1] in ".!?\n" and not before.endswith("..")


def expand_abbreviations(text: str, *, level: str | None = None) -> str:
    """Write out the abbreviations of ``corpora/lexicons/abbreviations.tsv``.

    Only stand-alone tokens written exactly as in the lexicon are expanded
    (``UBND``, ``Đ/c``; not ``ubnd``, not parts of ``217-QĐ/TW`` or of any
    document code, URL or ``X/Y`` pair).

    Level-aware abbreviations (``TUV``, ``TU``, ``BTVTU``) take the expansion
    of the page's level: ``level`` if given, else :func:`detect_level`; on a
    district page, the level of the superior committee the page names
    (``Thành ủy`` → city, ``Tỉnh ủy`` → province). With no usable level they
    are left as written.

    No doubling: words the text already has next to the abbreviation are not
    repeated: the expansion's head is dropped where the preceding words
    spell it (``Hội HND`` → ``Hội Nông dân``), its tail where the following
    words spell two or more of its last words (``MTTQVN Việt Nam`` →
    ``Mặt trận Tổ quốc Việt Nam``). A one-word tail is not dropped: it
    coincides by chance too often (``KP phố Huế`` must become ``khu phố phố
    Huế``, a quarter on Huế street). Expansions written in lower case are
    capitalized at the start of a sentence. Abbreviations that are also
    Vietnamese words (``TU``, ``TƯ``, ``ĐU``) are not expanded next to a word
    in capitals (headlines such as ``TU BỔ``, ``TƯ TƯỞNG``). An
    abbreviation the page defines in another sense — ``(X)`` after a name
    that is none of the lexicon's expansions of ``X``: "Tổng cục Tiêu chuẩn
    Đo lường Chất lượng (TĐC)" — is left as written throughout the text
    given (to normalize a page line by line, see
    :func:`redefined_abbreviations`).

    Parameters
    ----------
    text
        Text, normalized up to the tone-mark step.
    level
        ``"district"``, ``"city"``, ``"province"`` or None (detect).

    Examples
    --------
    >>> expand_abbreviations("Ủy ban MTTQ phối hợp GPMB; đồng chí A, TUV", level="province")
    'Ủy ban Mặt trận Tổ quốc phối hợp giải phóng mặt bằng; đồng chí A, Tỉnh ủy viên'
    >>> expand_abbreviations("thực hiện QCDC ở cơ sở")
    'thực hiện quy chế dân chủ ở cơ sở'
    >>> expand_abbreviations("Tổng cục Tiêu chuẩn Đo lường Chất lượng (TĐC) ... Chi cục TĐC tỉnh")
    'Tổng cục Tiêu chuẩn Đo lường Chất lượng (TĐC) ... Chi cục TĐC tỉnh'
    """
    if level is not None and level not in LEVELS:
        raise ValueError(f"level must be None or one of {', '.join(LEVELS)}, got {level!r}")
    return _expand_abbreviations(text, _abbreviation_matcher(*_file_key(None, ABBREVIATIONS_FILE)), level)


_DEFINED_RE = regex.compile(r"\(([^()\s]{2,12})\)")
#: Words before a definition "(X)" searched for the lexicon's expansion of X (as many and 8 more: a place name
#: may stand between, "Ủy ban nhân dân thành phố Hồ Chí Minh (UBND)").
_DEFINITION_SLACK = 8


def _redefined(text: str, matcher: _AbbreviationMatcher, used: Container[str]) -> frozenset[str]:
    """Abbreviations the text itself defines in another sense: left as written throughout the text.

    News defines an abbreviation at its first use, in parentheses after the
    name: "Tổng cục Tiêu chuẩn Đo lường Chất lượng (TĐC)". When none of the
    lexicon's expansions of ``X`` (any level) stands among the words right
    before any ``(X)`` of the text, the page uses ``X`` in its own sense, and
    the lexicon's expansion ("tái định cư") would put a theme's term into it.
    """
    if "(" not in text:
        return frozenset()
    defined, agreed = set(), set()
    for m in _DEFINED_RE.finditer(text):
        abbreviation = m.group(1)
        if abbreviation not in used or abbreviation not in matcher.expansions:
            continue
        expansions = [_definition_words(e) for e in matcher.expansions[abbreviation].values()]
        width = max(len(e) for e in expansions) + _DEFINITION_SLACK
        # the name a campaign or a document is given in quotes stands between ("Cuộc vận động “…” (CVĐ)")
        head = _QUOTED_END_RE.sub("", text[max(0, m.start() - 400):m.start()])
        # the other abbreviations of the name written out ("đại biểu QH (ĐBQH)")
        head = _expand_abbreviations(head[-24 * width:], matcher, None, definitions=False)
        before = _definition_words(head)[-width:]
        defined.add(abbreviation)
        if any(_contains(before, e) for e in expansions):
            agreed.add(abbreviation)
    return frozenset(defined - agreed)


_QUOTED_END_RE = regex.compile(r"\s*[“\"«][^“”\"«»]{1,200}[”\"»]\s*$")
_WORD_SPLIT_RE = regex.compile(r"[^\p{L}\p{N}&]+")


def _definition_words(text: str) -> tuple[str, ...]:
    """Case-folded words, hyphens and punctuation dropped ("phòng cháy-chữa cháy" = "phòng cháy, chữa cháy")."""
    return tuple(w.casefold() for w in _WORD_SPLIT_RE.split(text) if w)


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    k = len(phrase)
    return any(tuple(words[i:i + k]) == phrase for i in range(len(words) - k + 1))


def _expand_abbreviations(text: str, matcher: _AbbreviationMatcher, level: str | None, *,
                          definitions: bool = True, redefined: frozenset[str] = frozenset()) -> str:
    if matcher.pattern is None:
        return text
    matches = list(matcher.pattern.finditer(text))
    if not matches:
        return text
    if definitions:
        redefined = redefined | _redefined(text, matcher, {m.group() for m in matches})
    protected = _Protected(text)
    levels: list[str] | None = None
    out: list[str] = []
    pos = 0
    for m in matches:
        start, end = m.span()
        if protected.overlaps(start, end) or m.group() in redefined:
            continue
        by_level = matcher.expansions[m.group()]
        expansion = by_level.get("")
        if set(by_level) - {""}:
            if levels is None:
                levels = _candidate_levels(text, level)
            expansion = next((by_level[lv] for lv in levels if lv in by_level), expansion)
        if expansion is None:
            continue
        if m.group() in matcher.syllable_like and _in_caps_context(text, start, end, matcher.expansions):
            continue
        words, folded = _split_fold(expansion)
        prev = _words_before(text, start, pos, len(words))
        head = next((k for k in range(len(prev), 0, -1) if tuple(prev[-k:]) == folded[:k]), 0)
        words, folded = words[head:], folded[head:]
        if len(words) >= 2:
            nxt = _words_after(text, end, len(words))
            tail = next((k for k in range(len(nxt), 1, -1) if tuple(nxt[:k]) == folded[-k:]), 0)
            words = words[: len(words) - tail]
        if not words:
            # The text already spells the whole expansion: drop the abbreviation and one space.
            if start > pos and text[start - 1] == " ":
                start -= 1
            elif text[end:end + 1] == " ":
                end += 1
            out.append(text[pos:start])
            pos = end
            continue
        replacement = " ".join(words)
        if replacement[:1].islower() and _is_sentence_start(text, start):
            replacement = _capitalize(replacement)
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


# --------------------------------------------------------------------------
# The whole normalizer
# --------------------------------------------------------------------------


def lexicon_keys(directory: str | Path | None = None) -> tuple[tuple[str, int, int], tuple[str, int, int]]:
    """The state of the normalizer's lexicon files now: (path, mtime, size) of the typos and abbreviations.

    Pass it to :func:`make_normalizer` to normalize many texts with one
    snapshot of the lexicons (two ``stat`` calls, not two per text).
    """
    return _file_key(directory, TYPOS_FILE), _file_key(directory, ABBREVIATIONS_FILE)


@functools.lru_cache(maxsize=8)
def _bound_steps_before_abbreviations(typos_key: tuple[str, int, int]) -> Callable[[str], str]:
    return make_pipeline(
        repair_mojibake,
        to_nfc,
        clean_spaces_punct,
        normalize_tone_marks,
        functools.partial(_fix_typos, matcher=_typo_matcher(*typos_key)),
    )


@functools.lru_cache(maxsize=64)
def _bound_pipeline(level: str | None, typos_key: tuple[str, int, int], abbreviations_key: tuple[str, int, int],
                    redefined: frozenset[str] = frozenset()) -> Callable[[str], str]:
    return make_pipeline(
        *_bound_steps_before_abbreviations(typos_key).steps,
        functools.partial(_expand_abbreviations, matcher=_abbreviation_matcher(*abbreviations_key), level=level,
                          redefined=redefined),
        fix_missing_space_after_period,
    )


@functools.lru_cache(maxsize=65536)
def _before_abbreviations(typos_key: tuple[str, int, int], text: str) -> str:
    """A short text (what a page writes in parentheses) normalized up to the abbreviation step."""
    return _bound_steps_before_abbreviations(typos_key)(text)


# What a page writes in parentheses, before normalization: spaces and invisible characters may still stand
# in it ("(TĐC\u200b)"), so this is wider than :data:`_DEFINED_RE`.
_PARENTHESIZED_RE = regex.compile(r"\(([^()\n]{1,40})\)")


def redefined_abbreviations(text: str, *, lexicons: tuple | None = None) -> frozenset[str]:
    """Abbreviations that ``text`` defines in another sense than the lexicon's, to leave as written in all of it.

    :func:`normalize` finds them itself in the text it is given ("Tổng cục
    Tiêu chuẩn Đo lường Chất lượng (TĐC)": every ``TĐC`` of the text stays
    ``TĐC``, none becomes "tái định cư"). A caller that normalizes a
    document piece by piece -- line by line and cached, as
    :class:`toolkit.text.segment.Tokenizer` does -- finds them here once, on
    the whole document (title and body), and passes them to
    :func:`make_normalizer`: a definition in the title, in another
    paragraph, before or after the use then covers every occurrence.

    Parameters
    ----------
    text
        The whole document, raw (as :func:`normalize` takes it).
    lexicons
        :func:`lexicon_keys` taken earlier; ``None``: the files as they are now.

    Returns
    -------
    frozenset of str
        The abbreviations as written in the lexicon; empty for most pages.

    Notes
    -----
    A page is normalized (up to the abbreviation step) only when something
    it writes in parentheses is one of the lexicon's abbreviations; the
    others cost one regular-expression scan.

    Examples
    --------
    >>> text = "Tổng cục Tiêu chuẩn Đo lường Chất lượng (TĐC) họp.\\n\\nChi cục TĐC tỉnh dự."
    >>> sorted(redefined_abbreviations(text))
    ['TĐC']
    >>> normalizer = make_normalizer(redefined=redefined_abbreviations(text))
    >>> [normalizer(line) for line in text.splitlines()] == normalize(text).splitlines()
    True
    >>> redefined_abbreviations("Quỹ nhà tái định cư (TĐC).\\nCác tòa nhà TĐC")
    frozenset()
    """
    typos_key, abbreviations_key = lexicons if lexicons is not None else lexicon_keys()
    matcher = _abbreviation_matcher(*abbreviations_key)
    if matcher.pattern is None or "(" not in text:
        return frozenset()
    if not any(_before_abbreviations(typos_key, m.group(1)) in matcher.expansions
               for m in _PARENTHESIZED_RE.finditer(text)):
        return frozenset()
    # Every "(X)" with X in the lexicon is itself a use of X: all of the lexicon's abbreviations may count.
    return _redefined(_bound_steps_before_abbreviations(typos_key)(text), matcher, matcher.expansions.keys())


def make_normalizer(level: str | None = None, *, lexicons: tuple | None = None,
                    redefined: Iterable[str] = ()) -> Callable[[str], str]:
    """:func:`normalize` bound to one state of the lexicon files, for many texts.

    :func:`normalize` checks the lexicon files on every call, so that an
    edit is seen at once; a long run (:class:`toolkit.text.segment.Tokenizer`)
    fixes the lexicons when it starts and records their version.

    Parameters
    ----------
    level
        As in :func:`normalize`.
    lexicons
        :func:`lexicon_keys` taken earlier; ``None``: the files as they are now.
    redefined
        Abbreviations to leave as written, besides those each text defines
        in another sense itself: :func:`redefined_abbreviations` of the
        whole document, when its lines are normalized one by one.

    Examples
    --------
    >>> make_normalizer()("Uỷ ban MTTQ") == normalize("Uỷ ban MTTQ")
    True
    >>> make_normalizer(redefined={"TĐC"})("Chi cục TĐC và Ban GPMB")
    'Chi cục TĐC và Ban giải phóng mặt bằng'
    """
    if level is not None and level not in LEVELS:
        raise ValueError(f"level must be None or one of {', '.join(LEVELS)}, got {level!r}")
    if isinstance(redefined, str):
        raise TypeError("redefined must be a collection of abbreviations, not a str")
    return _bound_pipeline(level, *(lexicons if lexicons is not None else lexicon_keys()), frozenset(redefined))


def normalize(text: str, *, level: str | None = None) -> str:
    """Normalize Vietnamese political text: every step of this module, in order.

    Parameters
    ----------
    text
        Raw article text (any Unicode form, either tone-mark style).
    level
        Administrative level of the page, ``"district"``, ``"city"`` or
        ``"province"``, for level-aware abbreviations (``TUV``); None
        detects it from the text (:func:`detect_level`).

    Returns
    -------
    str
        NFC text with the project's tone-mark convention, typos fixed and
        abbreviations expanded; newlines kept. ``normalize(normalize(x)) ==
        normalize(x)``.

    Examples
    --------
    >>> normalize("Đ/c Nguyễn Văn A - TUV, Trưởng Ban Dân vận Thành uỷ")
    'Đồng chí Nguyễn Văn A - Thành ủy viên, Trưởng Ban Dân vận Thành ủy'
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize() takes a str, not {type(text).__name__}")
    if level is not None and level not in LEVELS:
        raise ValueError(f"level must be None or one of {', '.join(LEVELS)}, got {level!r}")
    return _bound_pipeline(level, *lexicon_keys())(text)
