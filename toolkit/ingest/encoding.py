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
============================  ==================================================

Tone placement is *not* changed here (``hoà`` stays ``hoà``): that is
:func:`toolkit.normalize.normalize_tone_marks`'s job. Text that is already
correct Vietnamese Unicode is never converted: a repair is kept only when it
makes many more words valid Vietnamese syllables.

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
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "DecodedText",
    "UndecodableError",
    "decode_bytes",
    "encode_text",
    "repair_legacy_in_unicode",
    "vietnamese_score",
    "ENCODINGS",
]

ENCODINGS = (
    "utf-8", "utf-8-sig", "utf-8-nfd", "utf-16", "cp1258", "tcvn3", "vni",
    "tcvn3-in-unicode", "vni-in-unicode",
)

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

# Latin-1 characters that correct Vietnamese text does not use (its
# accented letters and everyday symbols excluded): their presence in valid
# UTF-8 is what sends a page to the legacy-in-Unicode check.
_KEEP = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ\u00a0©«»°·×±²³¹º")
_MARKER = re.compile("[" + "".join(re.escape(chr(c)) for c in range(0x80, 0x100) if chr(c) not in _KEEP) + "]")
_MIN_GAIN = 0.2
_MIN_SCORE = 0.6
_MAX_CHANGED_VALID = 0.35


def repair_legacy_in_unicode(text: str) -> tuple[str, str | None]:
    """Repair text typed in a TCVN3 or VNI font and read as Windows-1252.

    Parameters
    ----------
    text
        Unicode text, e.g. a page decoded from valid UTF-8.

    Returns
    -------
    tuple of (str, str or None)
        The repaired NFC text and ``"tcvn3-in-unicode"`` or
        ``"vni-in-unicode"``; or ``(text, None)`` unchanged when the text has
        none of the marker characters or no repair makes it clearly more
        Vietnamese (correct Vietnamese is never converted).

    Examples
    --------
    >>> repair_legacy_in_unicode("C«ng t¸c d©n vËn")
    ('Công tác dân vận', 'tcvn3-in-unicode')
    >>> repair_legacy_in_unicode("Coâng taùc daân vaän")
    ('Công tác dân vận', 'vni-in-unicode')
    >>> repair_legacy_in_unicode("Công tác dân vận")
    ('Công tác dân vận', None)
    """
    if not _MARKER.search(text):
        return text, None
    original = vietnamese_score(text)
    best: tuple[float, str, str] | None = None
    for name, convert in _LEGACY.items():
        repaired = unicodedata.normalize("NFC", convert(text))
        if repaired == text or not _repair_is_safe(text, repaired):
            continue
        score = vietnamese_score(repaired)
        if best is None or score > best[0]:
            best = (score, repaired, name)
    if best is None or best[0] < _MIN_SCORE or best[0] < original + _MIN_GAIN:
        return text, None
    return best[1], f"{best[2]}-in-unicode"


def _repair_is_safe(original: str, repaired: str, limit: int = 3000) -> bool:
    """A repair must fix words and break (almost) none that were valid syllables.

    Correct Vietnamese with a few stray symbols gains a little from a repair
    that turns the symbols into letters, but it loses real words (``các`` →
    ``cỏc``); legacy text only gains.
    """
    before, after = _SPLIT.split(original), _SPLIT.split(repaired)
    if len(before) != len(after):
        return False
    fixed = changed_valid = seen = 0
    for old, new in zip(before, after):
        # Lone letters are weak evidence either way (a stray "¦" becomes "Ư").
        if len(old) < 2 or old.isascii() or old == new or any(c.isdigit() for c in old):
            continue
        if _is_syllable(old):
            changed_valid += 1
        elif _is_syllable(new):
            fixed += 1
        seen += 1
        if seen >= limit:
            break
    return fixed > 0 and changed_valid <= _MAX_CHANGED_VALID * fixed


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
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
        if label == "utf-8":
            label = "utf-8-nfd"
    repaired, legacy = repair_legacy_in_unicode(text)
    if legacy is not None:
        return DecodedText(repaired, legacy)
    return DecodedText(text, label)


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
        ``encoding``, one of :data:`ENCODINGS`.

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
    once. Otherwise the candidates are decoded and the one whose words are
    most often valid Vietnamese syllables wins (see :func:`vietnamese_score`);
    Windows-1258 wins ties, then TCVN3.
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
        pass
    else:
        if unicodedata.is_normalized("NFC", text) and not _MARKER.search(text):
            if not text.strip():
                raise UndecodableError("empty file")
            return DecodedText(text, "utf-8")
        return _finish(text, "utf-8")
    return _decode_legacy(data)


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
        bytes read as Windows-1252, saved as UTF-8.
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
    if encoding in ("tcvn3", "tcvn3-in-unicode"):
        raw = _font_chars_to_bytes(_to_tcvn3_chars(text, errors), "tcvn3", errors)
    elif encoding in ("vni", "vni-in-unicode"):
        raw = _font_chars_to_bytes(_to_vni_chars(text, errors), "vni", errors)
    else:
        raise ValueError(f"unknown encoding {encoding!r}; expected one of {', '.join(ENCODINGS)}")
    if encoding.endswith("-in-unicode"):
        return _bytes_as_font_chars(raw).encode("utf-8")
    return raw
