"""Raw page bytes → NFC Unicode text, whatever Vietnamese encoding they are in.

Vietnamese political news sites and the documents they re-post still carry
text in the legacy 8-bit "font" encodings of the 1990s and 2000s, and text
that was typed in one of them and later read as Windows-1252. This module
recognises, by scoring how Vietnamese the result looks, and converts:

============================  ==================================================
label                         what the bytes were
============================  ==================================================
``utf-8``                     UTF-8, already NFC
``utf-8-sig``                 UTF-8 with a byte-order mark
``utf-8-nfd``                 valid UTF-8 whose text was decomposed (NFD, or
                              tone marks as combining characters)
``utf-16``                    UTF-16 (with a BOM, or without one when the NUL
                              pattern is unmistakable)
``cp1258``                    Windows-1258 (base letters plus combining tones)
``tcvn3``                     TCVN3 / ABC (TCVN 5712:1993 "VN3"), one byte a
                              letter
``vni``                       VNI-Windows, a letter with its marks is a base
                              byte plus one modifier byte (``a`` + ``ø``)
``tcvn3-in-unicode``          valid UTF-8 text typed in a TCVN3 font and
                              read as Windows-1252 (``c¸c`` for ``các``)
``vni-in-unicode``            the same for VNI (``caùc`` for ``các``)
``double-utf-8``              UTF-8 read as Windows-1252 and saved as UTF-8
                              again (``cÃ¡c`` for ``các``)
============================  ==================================================

Real pages mix them: a Unicode template (menu, title, date line, footer)
around a body pasted from an old TCVN3 or VNI document. :func:`repair_text`
repairs each broken run alone and leaves correct Unicode around it as it
is, span by span; the label then names the page's encoding and what was
repaired inside it, joined with ``+``: ``utf-8+tcvn3-in-unicode``,
``utf-8+tcvn3-in-unicode+vni-in-unicode``, ``utf-8+double-utf-8``, and for
raw legacy bytes inside a UTF-8 file ``utf-8+tcvn3``, ``utf-8+vni``,
``utf-8+cp1258`` (``utf-8+cp1252`` for raw bytes that are no Vietnamese
encoding, kept as their Windows-1252 characters). A text that is *all*
legacy keeps the single label (``tcvn3-in-unicode``).

Tone placement is *not* changed here (``hoà`` stays ``hoà``): that is
:func:`toolkit.text.normalize.normalize_tone_marks`'s job. Text that is already
correct Vietnamese Unicode is never converted: a run is repaired only when
its repair makes several words valid Vietnamese syllables and breaks
(almost) none.

Examples
--------
>>> decode_bytes("Ban Dân vận".encode("utf-8"))
DecodedText(text='Ban Dân vận', encoding='utf-8')
>>> decode_bytes(encode_text("Ban Dân vận Huyện ủy", "tcvn3"))
DecodedText(text='Ban Dân vận Huyện ủy', encoding='tcvn3')
>>> repair_legacy_in_unicode("Ban D©n vËn")
('Ban Dân vận', 'tcvn3-in-unicode')
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-1252 codec)
import regex

__all__ = [
    "DecodedText",
    "UndecodableError",
    "decode_bytes",
    "encode_text",
    "RepairedText",
    "repair_legacy_in_unicode",
    "repair_text",
    "vietnamese_score",
    "ENCODINGS",
    "REPAIRS",
]

ENCODINGS = (
    "utf-8", "utf-8-sig", "utf-8-nfd", "utf-16", "cp1258", "tcvn3", "vni",
    "tcvn3-in-unicode", "vni-in-unicode", "double-utf-8",
)
# What repair_text may repair inside a text, in the order labels list them.
REPAIRS = ("double-utf-8", "tcvn3-in-unicode", "vni-in-unicode", "tcvn3", "vni", "cp1258", "cp1252")

UNDECODABLE_REASON = "undecodable bytes (not UTF-8, UTF-16, Windows-1258, TCVN3 or VNI)"


class UndecodableError(ValueError):
    """The bytes are not text in any encoding this module knows.

    The message is a short human reason (``"empty file"``, ``"binary file
    (NUL bytes)"``…) that the ingest stage writes to its rejects table.
    """


@dataclass(frozen=True)
class DecodedText:
    """Decoded NFC text and the label of the encoding it was found in."""

    text: str
    encoding: str


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------

# TCVN3 (TCVN 5712:1993, level VN3; the "ABC" fonts .VnTime, .VnArial…).
# Byte → character. Only the lowercase toned letters and the seven uppercase
# base letters exist; uppercase toned letters were typed with the separate
# "H" fonts (.VnTimeH) that draw the lowercase codes as capitals, so their
# bytes are the lowercase ones. Bytes not listed keep their Windows-1252
# meaning (ASCII, punctuation at 0x80-0x9F).
_TCVN3_DECODE: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}

# VNI-Windows (VNI Software's font encoding, .VnTimes / VNI-Times…): a
# letter is its ASCII base followed by one modifier byte carrying the vowel
# shape and/or the tone; ơ, ư, đ, the toned i's and ỵ are single bytes.
# Modifiers are written in the case of their base letter. Shown as the
# Windows-1252 characters of the bytes.
_VNI_TONE = {  # tone → (lower, upper) modifier
    "grave": ("ø", "Ø"), "acute": ("ù", "Ù"), "hook": ("û", "Û"),
    "tilde": ("õ", "Õ"), "dot": ("ï", "Ï"),
}
_VNI_CIRCUMFLEX = {  # tone (None: no tone) → modifier after a, e, o
    None: ("â", "Â"), "grave": ("à", "À"), "acute": ("á", "Á"), "hook": ("å", "Å"),
    "tilde": ("ã", "Ã"), "dot": ("ä", "Ä"),
}
_VNI_BREVE = {  # tone → modifier after a
    None: ("ê", "Ê"), "grave": ("è", "È"), "acute": ("é", "É"), "hook": ("ú", "Ú"),
    "tilde": ("ü", "Ü"), "dot": ("ë", "Ë"),
}
_VNI_SINGLE = {  # letter → (lower byte, upper byte)
    "ơ": ("ô", "Ô"), "ư": ("ö", "Ö"), "đ": ("ñ", "Ñ"),
    "ì": ("ì", "Ì"), "í": ("í", "Í"), "ỉ": ("æ", "Æ"), "ĩ": ("ó", "Ó"), "ị": ("ò", "Ò"),
    "ỵ": ("î", "Î"),
}

_TONE_OF_MARK = {"\u0300": "grave", "\u0301": "acute", "\u0309": "hook", "\u0303": "tilde", "\u0323": "dot"}
_MARK_OF_TONE = {tone: mark for mark, tone in _TONE_OF_MARK.items()}
_SHAPE_MARKS = {"\u0302": "circumflex", "\u0306": "breve", "\u031b": "horn"}

# The Windows-1252 meaning of bytes 0x80-0x9F (font encodings kept it for
# punctuation); bytes it leaves undefined keep their Latin-1 C1 code point.
_C1_TO_CP1252: dict[int, str] = {}
for _byte in range(0x80, 0xA0):
    try:
        _C1_TO_CP1252[_byte] = bytes([_byte]).decode("cp1252")
    except UnicodeDecodeError:
        pass
_CP1252_TO_BYTE = {char: byte for byte, char in _C1_TO_CP1252.items()}


def _split_letter(char: str) -> tuple[str, str | None, str | None]:
    """``"ộ"`` → ``("o", "circumflex", "dot")``; base keeps the case."""
    decomposed = unicodedata.normalize("NFD", char)
    base, shape, tone = decomposed[0], None, None
    for mark in decomposed[1:]:
        if mark in _TONE_OF_MARK:
            tone = _TONE_OF_MARK[mark]
        elif mark in _SHAPE_MARKS:
            shape = _SHAPE_MARKS[mark]
    if char in "đĐ":
        return char, None, None
    return base, shape, tone


def _vietnamese_letters() -> list[str]:
    letters = []
    for base in "aăâeêioôơuưy":
        for tone in (None, *_MARK_OF_TONE):
            lower = unicodedata.normalize("NFC", base + (_MARK_OF_TONE[tone] if tone else ""))
            letters += [lower, lower.upper()]
    return letters + ["đ", "Đ"]


VIETNAMESE_LETTERS = frozenset(_vietnamese_letters())


def _build_vni() -> tuple[dict[str, str], dict[str, str]]:
    encode: dict[str, str] = {}
    for letter in VIETNAMESE_LETTERS:
        upper = letter.isupper()
        case = 1 if upper else 0
        lower = letter.lower()
        base, shape, tone = _split_letter(lower)
        if lower in _VNI_SINGLE:
            code = _VNI_SINGLE[lower][case]
        elif lower in ("ờ", "ớ", "ở", "ỡ", "ợ", "ừ", "ứ", "ử", "ữ", "ự"):
            code = _VNI_SINGLE["ơ" if base == "o" else "ư"][case] + _VNI_TONE[tone][case]
        elif shape == "circumflex":
            code = (base.upper() if upper else base) + _VNI_CIRCUMFLEX[tone][case]
        elif shape == "breve":
            code = ("A" if upper else "a") + _VNI_BREVE[tone][case]
        elif tone is None:
            code = letter
        else:
            code = (base.upper() if upper else base) + _VNI_TONE[tone][case]
        if code != letter:
            encode[letter] = code
    decode = {code: letter for letter, code in encode.items()}
    # Typists mixed cases (upper base, lowercase modifier in all-caps titles
    # typed without caps lock on the modifier): the base decides the case.
    for code, letter in list(decode.items()):
        if len(code) == 2:
            variant = code[0] + code[1].swapcase()
            decode.setdefault(variant, letter.upper() if variant[0].isupper() else letter.lower())
    return encode, decode


_VNI_ENCODE, _VNI_DECODE = _build_vni()
_VNI_PATTERN = re.compile("|".join(re.escape(code) for code in sorted(_VNI_DECODE, key=len, reverse=True)))

_TCVN3_TRANSLATE = {byte: char for byte, char in _TCVN3_DECODE.items()}
_TCVN3_ENCODE: dict[str, int] = {char: byte for byte, char in _TCVN3_DECODE.items()}


# ---------------------------------------------------------------------------
# Scoring: how Vietnamese does a text look?
# ---------------------------------------------------------------------------

_ONSETS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
           "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
_CODAS = frozenset(("", "c", "ch", "m", "n", "ng", "nh", "p", "t"))
_STOP_CODAS = frozenset(("c", "ch", "p", "t"))
_VOWELS = frozenset("aăâeêioôơuưy")
# Vowel groups that can close with a consonant.
_CLOSABLE = frozenset(("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "iê", "yê", "uô", "ươ",
                       "oa", "oă", "oe", "uâ", "uê", "uy", "uyê", "oo", "ôô"))
# Vowel groups that can end a syllable.
_OPEN = frozenset(("a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ia", "ua", "ưa", "oa", "oe", "uê",
                   "uy", "uơ", "uya", "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "iu", "oi", "ôi",
                   "ơi", "ui", "ưi", "ưu", "iêu", "yêu", "oai", "oay", "oao", "oeo", "uây", "uôi",
                   "ươi", "ươu", "uyu", "uai", "uau", "uay"))
_NEEDS_CODA = frozenset(("ă", "â", "iê", "yê", "uô", "ươ", "oă", "uâ", "uyê", "oo", "ôô"))

_SPLIT = re.compile(r"[\s\-/|,.;:!?()\[\]{}\"'`“”‘’„…*+=<>_–—~#&%@^\\]+")


@functools.lru_cache(maxsize=1 << 16)
def _is_syllable(token: str) -> bool:
    if not (token == token.lower() or token == token.upper() or token[1:] == token[1:].lower()):
        return False
    tones = 0
    tone = None
    kept = []
    for char in unicodedata.normalize("NFD", token.lower()):
        if char in _TONE_OF_MARK:
            tones += 1
            tone = _TONE_OF_MARK[char]
        else:
            kept.append(char)
    if tones > 1:
        return False
    plain = unicodedata.normalize("NFC", "".join(kept))
    for onset in _ONSETS:
        if not plain.startswith(onset):
            continue
        rest = plain[len(onset):]
        if onset in ("gi", "qu") and (not rest or rest[0] not in _VOWELS):
            continue
        end = 0
        while end < len(rest) and rest[end] in _VOWELS:
            end += 1
        vowels, coda = rest[:end], rest[end:]
        if not vowels or coda not in _CODAS:
            continue
        if coda:
            if vowels not in _CLOSABLE:
                continue
            if coda in _STOP_CODAS and tone not in ("acute", "dot"):
                continue
        elif vowels not in _OPEN:
            continue
        return True
    return False


def _token_scores(text: str, limit: int = 3000) -> tuple[int, int]:
    """``(valid, counted)`` over the words that contain a non-ASCII character."""
    valid = counted = 0
    for token in _SPLIT.split(text):
        if not token or token.isascii() or any(c.isdigit() for c in token):
            continue
        counted += 1
        if _is_syllable(token):
            valid += 1
        if counted >= limit:
            break
    return valid, counted


def vietnamese_score(text: str) -> float:
    """Share of the words with a non-ASCII letter that are valid Vietnamese syllables.

    Words are split at spaces and punctuation; words with digits and pure
    ASCII words are left out (they read the same in every encoding). A
    valid syllable has an onset, a vowel group and a coda that Vietnamese
    allows, at most one tone mark, and only the sắc or nặng tone before
    ``c``, ``ch``, ``p``, ``t``. Returns 0.0 when no word counts.

    Examples
    --------
    >>> vietnamese_score("Ban Dân vận tổ chức hội nghị")
    1.0
    >>> vietnamese_score("Ban D©n vËn tæ chøc héi nghÞ") < 0.5
    True
    """
    valid, counted = _token_scores(text)
    return valid / counted if counted else 0.0


# ---------------------------------------------------------------------------
# Converters on text ("font characters" = Windows-1252 reading of the bytes)
# ---------------------------------------------------------------------------

def _bytes_as_font_chars(data: bytes) -> str:
    text = data.decode("latin-1")
    if any(0x80 <= b < 0xA0 for b in data):
        text = text.translate(_C1_TO_CP1252)
    return text


_TCVN3_LOWER = frozenset(c for c in _TCVN3_DECODE.values() if c.islower())
_INNER_CAPITAL = re.compile(r"\w+[A-ZĂÂÊÔƠƯĐ]\w*")


def _restore_capitals(match: re.Match) -> str:
    # All-caps words typed with the ABC capital fonts have lowercase codes for
    # their toned letters ("ĐảNG"): a word whose other letters are all
    # capitals, with a capital after its first letter, is all capitals.
    word = match.group()
    if all(c.isupper() or c in _TCVN3_LOWER or not c.isalpha() for c in word) and any(
            c in _TCVN3_LOWER for c in word):
        return word.upper()
    return word


_LINE_WORDS = re.compile(r"[^\W\d_]+")


def _is_caps_word(word: str) -> bool:
    return len(word) > 1 and word.isupper() and any(not c.isascii() and c != "Đ" for c in word)


def _restore_short_capitals(line: str) -> str:
    # Short words of an all-caps title ("ĐẢNG Bộ ở XÃ"): a capitalized or
    # toned word with no ASCII lowercase letter, next to an all-caps word
    # with Vietnamese capitals, is all capitals too.
    words = list(_LINE_WORDS.finditer(line))
    if len(words) < 2:
        return line
    texts = [m.group() for m in words]
    changed = False
    for i, word in enumerate(texts):
        if word.isupper() or not any(c in _TCVN3_LOWER for c in word):
            continue
        if any(c.islower() and c not in _TCVN3_LOWER for c in word) or not (word[0].isupper() or len(word) == 1
                                                                           or word[0] in _TCVN3_LOWER):
            continue
        if (i > 0 and _is_caps_word(texts[i - 1])) or (i + 1 < len(texts) and _is_caps_word(texts[i + 1])):
            texts[i] = word.upper()
            changed = True
    if not changed:
        return line
    out, last = [], 0
    for match, word in zip(words, texts):
        out += [line[last:match.start()], word]
        last = match.end()
    return "".join(out) + line[last:]


def _from_tcvn3(text: str) -> str:
    text = _INNER_CAPITAL.sub(_restore_capitals, text.translate(_TCVN3_TRANSLATE))
    if not any(_is_caps_word(m.group()) for m in _INNER_CAPITAL.finditer(text)):
        return text
    return "\n".join(_restore_short_capitals(line) if any(c.isupper() for c in line[1:]) else line
                     for line in text.split("\n"))


def _from_vni(text: str) -> str:
    return _VNI_PATTERN.sub(lambda match: _VNI_DECODE[match.group()], text)


_LEGACY = {"tcvn3": _from_tcvn3, "vni": _from_vni}

# ---------------------------------------------------------------------------
# Repair, span by span
# ---------------------------------------------------------------------------
#
# One repair path for ingest (decode_bytes) and the normalizer
# (toolkit.text.normalize.repair_mojibake): repair_text. It runs two passes.
#
# 1. Double UTF-8 ("Ã¡" for "á"): runs of complete UTF-8 byte sequences
#    seen through Windows-1252 are found by their byte structure and decoded
#    one run at a time, as ftfy.fixes.decode_inconsistent_utf8 does.
# 2. Legacy fonts (TCVN3, VNI as Windows-1252; raw TCVN3, VNI or
#    Windows-1258 bytes inside UTF-8): every word is read as it stands and
#    as each legacy encoding would have it, and a Viterbi path over the words
#    chooses, word by word, "keep" or one encoding, paying a cost for each
#    word that is not a valid Vietnamese syllable under its reading and a
#    cost for each switch between readings.

def _sloppy_cp1252(first: int, last: int) -> str:
    """Characters that bytes ``first..last`` become when UTF-8 is read as Windows-1252.

    ftfy's "sloppy" codec maps the five bytes Windows-1252 leaves undefined
    to the C1 controls of the same number, as browsers do.
    """
    return bytes(range(first, last + 1)).decode("sloppy-windows-1252")


_CONT = regex.escape(_sloppy_cp1252(0x80, 0xBF))
# Runs of complete 2- and 3-byte UTF-8 sequences seen through Windows-1252
# ("Ä‘", "á»“"); 4-byte sequences (emoji) are not Vietnamese text.
_DOUBLE_UTF8_RUN = regex.compile(
    rf"(?:[{regex.escape(_sloppy_cp1252(0xC2, 0xDF))}][{_CONT}]"
    rf"|[{regex.escape(_sloppy_cp1252(0xE0, 0xEF))}][{_CONT}]{{2}})+"
)
# A quick test before the full pattern: lead bytes of Vietnamese letters and
# of the typographic punctuation (C3-C6, E1, E2) followed by a continuation.
DOUBLE_UTF8_HINT = regex.compile(rf"[ÂÃÄÅÆáâ][{_CONT}]")
# What a double-UTF-8 repair may yield: letters of the Vietnamese alphabet
# (any case and tone), digits, punctuation, symbols and spaces.
_PLAUSIBLE_REPAIR = regex.compile(
    r"(?:[a-zA-ZđĐăâêôơưĂÂÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    r"ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ]|\p{N}|\p{P}|\p{S}|\p{Zs})+"
)


def _mostly_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return sum(c.isupper() for c in letters) * 2 > len(letters)


def _decode_double_utf8(match: regex.Match) -> str:
    seen = match.group()
    try:
        decoded = seen.encode("sloppy-windows-1252").decode("utf-8")
    except UnicodeError:
        return seen
    if not _PLAUSIBLE_REPAIR.fullmatch(decoded):
        return seen
    if len(seen) == 2 and seen[0] == "Ã":
        # "Ã" is also a Vietnamese capital (XÃ, NGÃ): "XÃ×" or, in a heading,
        # "XÃ\u00a0" are correct text, while "vÃ\u00a0" in running text is "và".
        if not any(c.isalpha() for c in decoded):
            return seen
        text = match.string
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        if _mostly_upper(text[start:end if end >= 0 else len(text)]):
            return seen
    return decoded


def _repair_double_utf8(text: str) -> str:
    if not DOUBLE_UTF8_HINT.search(text):
        return text
    return _DOUBLE_UTF8_RUN.sub(_decode_double_utf8, text)


# -- pass 2: legacy font runs -------------------------------------------------

# Raw bytes that are not UTF-8 arrive as lone surrogates U+DC80-U+DCFF
# (Python's "surrogateescape"); their font character is the byte's
# Windows-1252 reading, as for legacy text read as Windows-1252.
_RAW_TO_FONT = {0xDC00 + b: _bytes_as_font_chars(bytes([b])) for b in range(0x80, 0x100)}
_RAW_CHARS = "\udc80-\udcff"

_SEPARATOR_CLASS = r"\s\-/|,.;:!?()\[\]{}\"'`“”‘’„…*+=<>_–—~#&%@^\\"
_TOKEN = re.compile(rf"[^{_SEPARATOR_CLASS}]+")
_SEPARATOR = re.compile(rf"[{_SEPARATOR_CLASS}]")
_SENTENCE_BREAK = re.compile(r"[.!?;:|…–—\t]")

_TCVN3_CHARS = frozenset(chr(b) for b in _TCVN3_DECODE)
_VNI_CHARS = frozenset(c for code in _VNI_DECODE for c in code if not c.isascii())
# Characters some legacy reading changes, less the Latin-1 letters of
# correct Vietnamese (à á â ã è é ê ì í ò ó ô õ ù ú ý and capitals): a text
# without any of them (or raw bytes) has nothing to repair.
_VIETNAMESE_LATIN1 = frozenset(c for c in VIETNAMESE_LETTERS if ord(c) < 0x100)
_MARKER = re.compile("[" + "".join(sorted(re.escape(c) for c in (_TCVN3_CHARS | _VNI_CHARS) - _VIETNAMESE_LATIN1))
                     + _RAW_CHARS + "]")
# Letters that no legacy text read as Windows-1252 can contain (``ộ``,
# ``ư``, ``Đ``: beyond Latin-1 and not one of Windows-1252's Œ Š Ž ƒ…): a
# word holding one is correct Unicode, evidence against a legacy run.
_UNICODE_ONLY = frozenset(c for c in VIETNAMESE_LETTERS if ord(c) > 0xFF and c not in _CP1252_TO_BYTE)
_LEGACY_CHAR = re.compile("[" + "".join(sorted(re.escape(c) for c in _TCVN3_CHARS | _VNI_CHARS)) + "]")
_UNICODE_ONLY_LETTER = re.compile("[" + "".join(sorted(_UNICODE_ONLY)) + "]")
# Every character a legacy reading may change, and the Unicode-only letters
# (the words the path looks at).
_CHANGEABLE = re.compile("[" + "".join(sorted(re.escape(c) for c in _TCVN3_CHARS | _VNI_CHARS | _UNICODE_ONLY))
                         + _RAW_CHARS + "]")
_RAW = re.compile(f"[{_RAW_CHARS}]")

# Costs of the path, in words: a word that is not a valid syllable under its
# reading costs 1 (a lone letter 0.25: weak evidence either way), a valid
# syllable that no word of pyvi's word list uses 0.75 (a tie-breaker
# between two valid readings: ``ông`` over ``ụng``); a word with a
# Unicode-only letter has no legacy reading, nor has a valid word a reading
# that makes it invalid. A switch of reading costs almost nothing at a line
# or sentence break (. ! ? ; : | … –: where pasted text begins and ends,
# so that each sentence is judged on its own words) and 3 between two words
# of one sentence (so that a sentence is read in one encoding). A word that
# reads as valid either way (``dân``, which TCVN3 would read ``dõn``) costs
# _CHANGED more in a legacy reading: it is converted when its sentence is
# legacy and otherwise stays as it is.
_SWITCH_LINE, _SWITCH_SENTENCE, _SWITCH_WORD = 0.005, 0.005, 3.0
_LONE_LETTER = 0.25
_UNKNOWN = 0.75
_CHANGED = 0.01
_IMPOSSIBLE = 1e9
# A run of legacy text is repaired only when it fixes at least _MIN_FIXED
# words (one for raw bytes, which cannot stay as they are) and reads as
# mostly valid syllables.
_MIN_FIXED = 2
_MIN_SCORE = 0.6


@dataclass(frozen=True)
class RepairedText:
    """Result of :func:`repair_text`.

    Attributes
    ----------
    text
        The repaired text (unchanged when nothing was repaired).
    repairs
        Labels of the repairs made, in :data:`REPAIRS` order:
        ``double-utf-8``, ``tcvn3-in-unicode``, ``vni-in-unicode`` (legacy
        text read as Windows-1252), ``tcvn3``, ``vni``, ``cp1258`` (raw
        legacy bytes) or ``cp1252`` (raw bytes that read as no Vietnamese
        encoding, kept as their Windows-1252 characters).
    mixed
        True when the input also holds letters no legacy text read as
        Windows-1252 can contain (``ộ``, ``Đ``, ``ư``…): correct Unicode was
        kept beside the repaired runs.
    """

    text: str
    repairs: tuple[str, ...]
    mixed: bool

    @property
    def label(self) -> str | None:
        """The repairs joined with ``+`` (``"tcvn3-in-unicode+vni-in-unicode"``), None for none."""
        return "+".join(self.repairs) or None


def _font(token: str) -> str:
    return token.translate(_RAW_TO_FONT) if _RAW.search(token) else token


def _read_tcvn3(font: str) -> str:
    if not any(c in _TCVN3_CHARS for c in font):
        return font
    return unicodedata.normalize("NFC", _INNER_CAPITAL.sub(_restore_capitals, font.translate(_TCVN3_TRANSLATE)))


def _read_vni(font: str) -> str:
    return unicodedata.normalize("NFC", _from_vni(font))


def _read_cp1258(font: str) -> str | None:
    try:
        return unicodedata.normalize("NFC", _font_chars_to_bytes(font, "cp1258", "strict").decode("cp1258"))
    except (ValueError, UnicodeDecodeError):
        return None


_READERS = {"tcvn3": _read_tcvn3, "vni": _read_vni, "cp1258": _read_cp1258}


@dataclass
class _Word:
    start: int
    end: int
    raw: bool
    weight: float  # 0 for words with digits: they read the same in every encoding
    readings: list[str | None]  # per state; state 0 is "keep"
    valid: list[bool]

    def cost(self, state: int) -> float:
        reading = self.readings[state]
        if reading is None:
            return _IMPOSSIBLE
        if not self.valid[state]:
            cost = self.weight
        elif not _syllable_count(reading):
            cost = _UNKNOWN * self.weight
        else:
            cost = 0.0
        if state and reading != self.readings[0]:
            cost += _CHANGED
        return cost


def _syllable_key(syllable: str) -> str:
    """Lower case, tone mark moved to the end: ``hoà`` and ``hòa`` are one key."""
    decomposed = unicodedata.normalize("NFD", syllable.lower())
    tones = "".join(c for c in decomposed if c in _TONE_OF_MARK)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_OF_MARK)) + tones


@functools.lru_cache(maxsize=1)
def _syllable_counts() -> dict[str, int]:
    """In how many words of pyvi's word list (31,000 words) each syllable occurs.

    A rough measure of how common a syllable is, used only to choose
    between two readings that are both valid syllables.
    """
    words = importlib.resources.files("pyvi").joinpath("models", "words.txt").read_text(encoding="utf-8")
    counts: dict[str, int] = {}
    for word in words.splitlines():
        for syllable in set(word.split()):
            key = _syllable_key(syllable)
            counts[key] = counts.get(key, 0) + 1
    return counts


@functools.lru_cache(maxsize=1 << 16)
def _syllable_count(syllable: str) -> int:
    return _syllable_counts().get(_syllable_key(syllable), 0)


def _words(text: str, states: tuple[str, ...]) -> list[_Word]:
    """The words of ``text`` that some legacy reading changes, in order."""
    words: list[_Word] = []
    end = 0
    for match in _CHANGEABLE.finditer(text):
        position = match.start()
        if position < end:
            continue
        start = position
        while start > end and not _SEPARATOR.match(text, start - 1):
            start -= 1
        end = _TOKEN.match(text, position).end()
        token = text[start:end]
        raw = bool(_RAW.search(token))
        font = _font(token)
        readings: list[str | None] = [None if raw else token]
        # A word with a Unicode-only letter is correct Unicode: no legacy reading.
        unicode_only = not raw and any(c in _UNICODE_ONLY for c in token)
        for state in states[1:]:
            if unicode_only or (state == "cp1258" and not raw):
                readings.append(None)
            else:
                readings.append(_READERS[state](font))
        if any(c.isdigit() for c in token):
            weight = 0.0
        else:
            weight = _LONE_LETTER if len(font) < 2 else 1.0
        valid = [reading is not None and _is_syllable(reading) for reading in readings]
        if valid[0]:
            # A word that is a valid syllable as it stands is never read as
            # an invalid one (``các`` is not TCVN3 ``cỏc``).
            readings = [r if v or r == token else None for r, v in zip(readings, valid)]
        words.append(_Word(start, end, raw, weight, readings, valid))
    return words


def _words_with(text: str, pattern) -> Iterator[str]:
    """Each word of ``text`` holding a match of ``pattern``, once, left to right."""
    end = 0
    for match in pattern.finditer(text):
        if match.start() < end:
            continue
        start = match.start()
        while start > end and not _SEPARATOR.match(text, start - 1):
            start -= 1
        end = _TOKEN.match(text, match.start()).end()
        yield text[start:end]


def _some_fixable(text: str) -> bool:
    """Quick test: do at least _MIN_FIXED words read validly only in a legacy encoding?"""
    fixable = 0
    for token in _words_with(text, _LEGACY_CHAR):
        if len(token) > 1 and not _is_syllable(token) and (_is_syllable(_read_tcvn3(token))
                                                           or _is_syllable(_read_vni(token))):
            fixable += 1
            if fixable >= _MIN_FIXED:
                return True
    return False


def _switch_cost(gap: str) -> float:
    if "\n" in gap:
        return _SWITCH_LINE
    if _SENTENCE_BREAK.search(gap):
        return _SWITCH_SENTENCE
    return _SWITCH_WORD


def _best_path(text: str, words: list[_Word], n_states: int) -> list[int]:
    """Viterbi: the cheapest reading of each word, switches paid at the gaps between words."""
    states = range(n_states)
    costs = [w.cost(s) for w in words[:1] for s in states]
    back: list[list[int]] = []
    for previous, word in zip(words, words[1:]):
        switch = _switch_cost(text[previous.end:word.start])
        cheapest = min(states, key=costs.__getitem__)
        word_costs = [word.cost(state) for state in states]
        pointers, new = [], []
        for state in states:
            if costs[cheapest] + switch < costs[state]:
                pointers.append(cheapest)
                new.append(costs[cheapest] + switch + word_costs[state])
            else:
                pointers.append(state)
                new.append(costs[state] + word_costs[state])
        back.append(pointers)
        costs = new
    state = min(range(n_states), key=costs.__getitem__)
    path = [state]
    for pointers in reversed(back):
        state = pointers[state]
        path.append(state)
    return path[::-1]


def _runs(path: list[int]) -> list[tuple[int, int, int]]:
    """``(state, first, last + 1)`` of each stretch of words in one legacy state."""
    runs, first = [], 0
    for i in range(1, len(path) + 1):
        if i == len(path) or path[i] != path[first]:
            if path[first]:
                runs.append((path[first], first, i))
            first = i
    return runs


def _run_is_repaired(run: list[_Word], state: int, min_fixed: int = _MIN_FIXED) -> bool:
    fixed = counted = valid = 0
    for word in run:
        if word.weight < 1:
            continue
        counted += 1
        valid += word.valid[state]
        fixed += word.valid[state] and (word.raw or not word.valid[0])
    if not counted or valid < _MIN_SCORE * counted:
        return False
    return fixed >= min_fixed


# Two bytes of a legacy word can happen to form a UTF-8 sequence (Windows-
# 1258 "ồ" then "…": 0xCC 0x85, a combining overline); such characters
# beside raw bytes are raw bytes too.
_ACCIDENTAL_UTF8 = frozenset(chr(c) for c in range(0x300, 0x800)) - VIETNAMESE_LETTERS


def _raw_word(match: re.Match) -> str:
    word = match.group()
    if not (_RAW.search(word) or any(c in _ACCIDENTAL_UTF8 for c in word)):
        return word
    out = []
    for byte in word.encode("utf-8", "surrogateescape"):
        font = _RAW_TO_FONT.get(0xDC00 + byte, chr(byte))
        # Punctuation bytes (“ ” – … NBSP) mean the same in every legacy encoding.
        out.append(font if byte < 0x80 or _SEPARATOR.match(font) else chr(0xDC00 + byte))
    return "".join(out)


def _repair_legacy_spans(text: str) -> tuple[str, set[str]]:
    has_raw = bool(_RAW.search(text))
    if has_raw:
        text = _TOKEN.sub(_raw_word, text)
    states = ("keep", "tcvn3", "vni", "cp1258") if has_raw else ("keep", "tcvn3", "vni")
    if not has_raw and not _some_fixable(text):
        return text, set()
    words = _words(text, states)
    path = _best_path(text, words, len(states))
    replaced: dict[int, tuple[str, str]] = {}  # word index -> (new text, label)
    tcvn3_runs: list[list[int]] = []  # words read as TCVN3, run by run
    weak_raw_runs = []
    for state, first, last in _runs(path):
        run = words[first:last]
        if _run_is_repaired(run, state):
            _replace(words, first, last, state, states, replaced, tcvn3_runs)
        elif any(word.raw for word in run):
            weak_raw_runs.append((state, first, last))
    # Raw bytes never stay raw. A raw run with a single fixed word is read in
    # the encoding of the page's other raw runs, else in its own when that
    # fixes its word, else as Windows-1252.
    raw_labels = Counter(label for _, label in replaced.values() if label in states)
    dominant = states.index(raw_labels.most_common(1)[0][0]) if raw_labels else None
    for state, first, last in weak_raw_runs:
        if dominant is not None:
            state = dominant
        elif not _run_is_repaired(words[first:last], state, min_fixed=1):
            continue
        _replace(words, first, last, state, states, replaced, tcvn3_runs)
    for i, word in enumerate(words):
        if word.raw and i not in replaced:
            replaced[i] = (_font(text[word.start:word.end]), "cp1252")
    if not replaced:
        return text, set()
    return _splice(text, words, replaced, tcvn3_runs), {label for _, label in replaced.values()}


def _replace(words: list[_Word], first: int, last: int, state: int, states: tuple[str, ...],
             replaced: dict[int, tuple[str, str]], tcvn3_runs: list[list[int]]) -> None:
    name = states[state]
    changed = [i for i in range(first, last)
               if words[i].readings[state] not in (None, words[i].readings[0])]
    for i in changed:
        replaced[i] = (words[i].readings[state], name if words[i].raw else f"{name}-in-unicode")
    if name == "tcvn3":
        tcvn3_runs.append(changed)


def _splice(text: str, words: list[_Word], replaced: dict[int, tuple[str, str]],
            tcvn3_runs: list[list[int]]) -> str:
    out: list[str] = []
    last = length = 0
    spans: dict[int, tuple[int, int]] = {}  # word index -> its offsets in the output
    for i, word in enumerate(words):
        if i not in replaced:
            continue
        gap, new = text[last:word.start], replaced[i][0]
        out += [gap, new]
        length += len(gap)
        spans[i] = (length, length + len(new))
        length += len(new)
        last = word.end
    out.append(text[last:])
    result = "".join(out)
    for run in tcvn3_runs:
        if run:
            result = _restore_tcvn3_caps(result, [spans[i] for i in run])
    return result


def _restore_tcvn3_caps(text: str, spans: list[tuple[int, int]]) -> str:
    # Short words of all-caps titles typed in the ABC capital fonts ("ĐẢNG
    # Bộ" → "ĐẢNG BỘ"), judged within one run: only its words read as TCVN3
    # may change case (case changes keep lengths, so offsets hold).
    start, end = spans[0][0], spans[-1][1]
    part = text[start:end]
    if not any(_is_caps_word(m.group()) for m in _INNER_CAPITAL.finditer(part)):
        return text
    restored = "\n".join(_restore_short_capitals(line) if any(c.isupper() for c in line[1:]) else line
                         for line in part.split("\n"))
    if restored == part:
        return text
    chars = list(text)
    for word_start, word_end in spans:
        chars[word_start:word_end] = restored[word_start - start:word_end - start]
    return "".join(chars)


def _proves_unicode(text: str) -> bool:
    """Does ``text`` hold letters that no legacy text read as Windows-1252 can contain?"""
    return any(ord(c) > 0xFF and c.isalpha() and c not in _CP1252_TO_BYTE for c in text)


def repair_text(text: str) -> RepairedText:
    """Repair the broken runs of a text, leaving correct Unicode around them untouched.

    Real pages mix encodings: a Unicode CMS template (menu, title, date line,
    footer) around a body pasted from an old TCVN3 or VNI Word file and read
    as Windows-1252, or saved as raw bytes into the UTF-8 page; a paragraph
    of UTF-8 read as Windows-1252 (``Ã¡``); a line whose one half is TCVN3
    and other half VNI. Each run is repaired alone; text outside the runs is
    returned character for character.

    Parameters
    ----------
    text
        Unicode text. Raw bytes that were not UTF-8 may be passed as lone
        surrogates (``bytes.decode("utf-8", "surrogateescape")``); they never
        stay in the result.

    Returns
    -------
    RepairedText

    Notes
    -----
    *Double UTF-8* is found by its byte structure: each run of complete UTF-8
    sequences seen through Windows-1252 is decoded on its own, and only
    when it decodes to Vietnamese letters, punctuation or symbols (``Â–``,
    ``XÃ`` in a heading stay).

    *Legacy runs* are found word by word. Every word holding a character
    that a legacy reading changes, or a letter only Unicode has (``ộ``,
    ``ư``), is read as it stands, as TCVN3, as VNI (and, for raw bytes, as
    Windows-1258), and scored with the syllable check of
    :func:`vietnamese_score`. A Viterbi path then chooses a reading for
    each word: an invalid syllable costs one, a switch of reading almost
    nothing at a line or sentence break and 3 between two words of a
    sentence. The unit of decision is thus the sentence (a line, or the
    text between . ! ? ; : | … –): pasted text begins and ends there, a
    sentence is read in one encoding, and its own words decide, so a
    correct title keeps its words whatever the body below it is; a line
    may still hold a TCVN3 sentence and a VNI one. A word with a
    Unicode-only letter is never read as legacy, nor is a valid syllable
    read as an invalid one (``các`` is never ``cỏc``), and a word valid
    either way (``dân``/``dõn``, ``công``/``cụng``) changes only inside a
    legacy sentence. A run is repaired only when it fixes at least two
    words and reads as mostly valid syllables, so a stray symbol in
    correct text (``xã ¶ đã``) never starts one. A correct Vietnamese word
    made of letters Windows-1252 also has (``các``, ``dân``, ``bà``) is
    therefore never converted in correct text. Raw bytes never stay: a
    run too short to judge is read in the encoding of the page's other raw
    runs, else as Windows-1252 (``cp1252``).

    Known limits: TCVN3 has no uppercase toned letters (the ABC "H" fonts
    drew the lowercase codes as capitals), so they come back lowercase
    except inside all-caps words and titles (``Ủy ban`` → ``ủy ban``). A
    word glued to a word of another encoding (no space) cannot be split.

    Examples
    --------
    >>> repair_text("Hội nghị giao ban công tác dân vận\\nC«ng t¸c d©n vËn n¨m 2022")
    RepairedText(text='Hội nghị giao ban công tác dân vận\\nCông tác dân vận năm 2022', \
repairs=('tcvn3-in-unicode',), mixed=True)
    >>> repair_text("Ä‘á»“ng chÃ­ BÃ­ thÆ°").text
    'đồng chí Bí thư'
    >>> repair_text("Công tác dân vận").repairs
    ()
    """
    repairs: set[str] = set()
    repaired = _repair_double_utf8(text)
    if repaired != text:
        repairs.add("double-utf-8")
    if _MARKER.search(repaired):
        repaired, legacy = _repair_legacy_spans(repaired)
        repairs |= legacy
    if not repairs:
        return RepairedText(text, (), False)
    order = {label: i for i, label in enumerate(REPAIRS)}
    return RepairedText(repaired, tuple(sorted(repairs, key=order.__getitem__)), _proves_unicode(text))


def repair_legacy_in_unicode(text: str) -> tuple[str, str | None]:
    """:func:`repair_text` as a pair ``(text, label or None)``.

    Examples
    --------
    >>> repair_legacy_in_unicode("C«ng t¸c d©n vËn")
    ('Công tác dân vận', 'tcvn3-in-unicode')
    >>> repair_legacy_in_unicode("Coâng taùc daân vaän")
    ('Công tác dân vận', 'vni-in-unicode')
    >>> repair_legacy_in_unicode("Công tác dân vận")
    ('Công tác dân vận', None)
    """
    repaired = repair_text(text)
    return repaired.text, repaired.label


# ---------------------------------------------------------------------------
# decode_bytes
# ---------------------------------------------------------------------------

def _utf16_without_bom(data: bytes) -> str | None:
    if len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    pairs = len(data) // 2
    for order, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if high.count(0) >= 0.3 * pairs and low.count(0) <= 0.01 * pairs:
            try:
                text = data.decode(order)
            except UnicodeDecodeError:
                return None
            return text if not _too_many_controls(text) else None
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def _too_many_controls(text: str) -> bool:
    return len(_CONTROL.findall(text[:20000])) > max(2, 0.01 * min(len(text), 20000))


def _finish(text: str, label: str) -> DecodedText:
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise UndecodableError("empty file")
    # Raw legacy bytes are read before NFC, which could compose a letter with
    # a combining mark that two of their bytes happen to spell.
    if not _RAW.search(text) and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
        if label == "utf-8":
            label = "utf-8-nfd"
    repaired = repair_text(text)
    if not repaired.repairs:
        return DecodedText(text, label)
    if repaired.mixed:
        label = f"{label}+{repaired.label}"
    else:
        label = repaired.label
    return DecodedText(unicodedata.normalize("NFC", repaired.text), label)


def _mostly_utf8(text: str) -> bool:
    """Does text decoded with ``surrogateescape`` hold real UTF-8 Vietnamese beside its raw bytes?

    Two valid syllables with letters beyond Windows-1252 (``Hội``, ``được``)
    are needed: a whole legacy file makes such a letter only by accident
    (two bytes that happen to form a UTF-8 sequence), never two syllables.
    """
    found = 0
    for word in _words_with(text, _UNICODE_ONLY_LETTER):
        if not _RAW.search(word) and _is_syllable(word):
            found += 1
            if found >= 2:
                return True
    return False


def decode_bytes(data: bytes) -> DecodedText:
    """Detect the encoding of a page and return its text as NFC Unicode.

    Parameters
    ----------
    data
        The raw bytes of a page or table file.

    Returns
    -------
    DecodedText
        ``text`` (NFC, tone marks where the source put them) and
        ``encoding``, one of :data:`ENCODINGS`, or for a page with repaired
        runs the page's encoding and the :data:`REPAIRS` joined with ``+``
        (``utf-8+tcvn3-in-unicode``; see :func:`repair_text`).

    Raises
    ------
    UndecodableError
        ``"empty file"`` for empty or whitespace-only input, ``"binary file
        (NUL bytes)"`` for NUL bytes outside UTF-16, ``"binary file (control
        bytes)"``, or :data:`UNDECODABLE_REASON` when no encoding gives
        Vietnamese text.

    Notes
    -----
    Plain UTF-8 that is NFC and has no legacy marker characters returns at
    once; other Unicode goes through :func:`repair_text`. Bytes that are
    not UTF-8 but hold real UTF-8 Vietnamese (two valid syllables with
    letters beyond Windows-1252) are a UTF-8 page with raw legacy runs,
    repaired run by run. Otherwise the candidates are decoded whole and
    the one whose words are most often valid Vietnamese syllables wins (see
    :func:`vietnamese_score`); Windows-1258 wins ties, then TCVN3.
    """
    if not data.strip():
        raise UndecodableError("empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return _finish(data[3:].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError:
            data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _finish(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            raise UndecodableError("undecodable bytes (broken UTF-16)") from exc
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise UndecodableError("binary file (NUL bytes)")
        return _finish(text, "utf-16")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", "surrogateescape")
        if _mostly_utf8(text) and not _too_many_controls(text):
            return _finish(text, "utf-8")
        return _decode_legacy(data)
    if unicodedata.is_normalized("NFC", text) and not _MARKER.search(text) and not DOUBLE_UTF8_HINT.search(text):
        if not text.strip():
            raise UndecodableError("empty file")
        return DecodedText(text, "utf-8")
    return _finish(text, "utf-8")


def _decode_legacy(data: bytes) -> DecodedText:
    font_chars = _bytes_as_font_chars(data)
    if _too_many_controls(font_chars):
        raise UndecodableError("binary file (control bytes)")
    candidates: list[tuple[str, str]] = []
    try:
        candidates.append(("cp1258", unicodedata.normalize("NFC", data.decode("cp1258"))))
    except UnicodeDecodeError:
        pass
    for name, convert in _LEGACY.items():
        candidates.append((name, unicodedata.normalize("NFC", convert(font_chars))))
    best_label, best_text, best_score = "", "", -1.0
    for label, text in candidates:
        valid, counted = _token_scores(text)
        score = valid / counted if counted else 0.0
        if score > best_score:
            best_label, best_text, best_score = label, text, score
    if best_score < 0.5:
        raise UndecodableError(UNDECODABLE_REASON)
    if not best_text.strip():
        raise UndecodableError("empty file")
    return DecodedText(best_text, best_label)


# ---------------------------------------------------------------------------
# encode_text
# ---------------------------------------------------------------------------

def _font_chars_to_bytes(text: str, encoding: str, errors: str) -> bytes:
    out = bytearray()
    for char in text:
        code = ord(char)
        if code < 0x80 or 0xA0 <= code < 0x100:
            out.append(code)
        elif char in _CP1252_TO_BYTE:
            out.append(_CP1252_TO_BYTE[char])
        elif errors == "strict":
            raise ValueError(f"{char!r} (U+{code:04X}) cannot be written in {encoding}")
        else:
            out.append(ord("?"))
    return bytes(out)


def _to_tcvn3_chars(text: str, errors: str) -> str:
    out = []
    for char in text:
        if char in _TCVN3_ENCODE:
            out.append(chr(_TCVN3_ENCODE[char]))
        elif char in VIETNAMESE_LETTERS and char.lower() in _TCVN3_ENCODE:
            # Uppercase toned letters: TCVN3 has no codes for them; the ABC
            # "H" fonts drew the lowercase codes as capitals, which read back
            # as lowercase.
            if errors == "strict":
                raise ValueError(f"{char!r} has no TCVN3 code (uppercase toned letters are missing)")
            out.append(chr(_TCVN3_ENCODE[char.lower()]))
        elif ord(char) in _TCVN3_DECODE:
            # A Latin-1 character whose byte TCVN3 uses for a letter (©, ñ…).
            out.append(_unrepresentable(char, "tcvn3", errors))
        else:
            out.append(char)
    return "".join(out)


def _unrepresentable(char: str, encoding: str, errors: str) -> str:
    if errors == "strict":
        raise ValueError(f"{char!r} (U+{ord(char):04X}) cannot be written in {encoding}")
    return "?"


_VNI_TAKEN = set("".join(_VNI_DECODE)) - set("aeiouyAEIOUY")


def _to_vni_chars(text: str, errors: str) -> str:
    out = []
    for char in text:
        if char in _VNI_ENCODE:
            out.append(_VNI_ENCODE[char])
        elif char in _VNI_TAKEN:
            out.append(_unrepresentable(char, "vni", errors))
        else:
            out.append(char)
    return "".join(out)


def _to_cp1258(text: str, errors: str) -> bytes:
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        tone = "".join(m for m in decomposed if m in _TONE_OF_MARK)
        base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in _TONE_OF_MARK))
        try:
            out += base.encode("cp1258") + tone.encode("cp1258")
        except UnicodeEncodeError:
            out += _unrepresentable(char, "cp1258", errors).encode()
    return bytes(out)


def encode_text(text: str, encoding: str, *, errors: str = "approximate") -> bytes:
    """Write text in one of the encodings :func:`decode_bytes` reads.

    Used by tests and by the demo-corpus simulator to make legacy pages.

    Parameters
    ----------
    text
        Unicode text (normalized to NFC first).
    encoding
        One of :data:`ENCODINGS`. ``"utf-8-nfd"`` writes NFD; ``"cp1258"``
        writes base letters plus combining tone marks (precomposed where
        Windows-1258 has the letter); ``"utf-16"`` writes a little-endian
        BOM; ``"tcvn3-in-unicode"`` / ``"vni-in-unicode"`` write the legacy
        bytes read as Windows-1252, saved as UTF-8; ``"double-utf-8"``
        writes UTF-8 read as Windows-1252, saved as UTF-8 again.
    errors
        ``"approximate"`` (default): uppercase toned letters, which TCVN3
        lacks, are written with the lowercase code (as the ABC capital fonts
        did); they read back as capitals inside all-caps words (``ĐẢNG``)
        and as lowercase elsewhere (``Ủy ban`` → ``ủy ban``). Other
        characters the encoding cannot hold become ``?``. ``"strict"``: raise :class:`ValueError`.

    Returns
    -------
    bytes

    Examples
    --------
    >>> encode_text("Dân vận", "vni")
    b'Da\\xe2n va\\xe4n'
    >>> encode_text("Ủy ban", "tcvn3")
    b'\\xf1y ban'
    """
    if errors not in ("approximate", "strict"):
        raise ValueError(f"errors must be 'approximate' or 'strict', not {errors!r}")
    text = unicodedata.normalize("NFC", text)
    if encoding == "utf-8":
        return text.encode("utf-8")
    if encoding == "utf-8-sig":
        return text.encode("utf-8-sig")
    if encoding == "utf-8-nfd":
        return unicodedata.normalize("NFD", text).encode("utf-8")
    if encoding == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if encoding == "cp1258":
        return _to_cp1258(text, errors)
    if encoding == "double-utf-8":
        return text.encode("utf-8").decode("sloppy-windows-1252").encode("utf-8")
    if encoding in ("tcvn3", "tcvn3-in-unicode"):
        raw = _font_chars_to_bytes(_to_tcvn3_chars(text, errors), "tcvn3", errors)
    elif encoding in ("vni", "vni-in-unicode"):
        raw = _font_chars_to_bytes(_to_vni_chars(text, errors), "vni", errors)
    else:
        raise ValueError(f"unknown encoding {encoding!r}; expected one of {', '.join(ENCODINGS)}")
    if encoding.endswith("-in-unicode"):
        return _bytes_as_font_chars(raw).encode("utf-8")
    return raw
