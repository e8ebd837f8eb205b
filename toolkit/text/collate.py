"""Vietnamese alphabetical order for names in figures, tables and the explorer.

Python sorts strings by code point: "Đà Nẵng" (U+0110) comes after "Yên Bái",
and "Ứng Hòa" after "Yên Mỹ". Vietnamese dictionaries and gazetteers order
by the Vietnamese alphabet, letter by letter —

    a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y

(the Latin letters f, j, w, z of foreign names stand where Latin puts them) —
and, between words that differ only in tone, by tone: ngang, huyền, hỏi,
ngã, sắc, nặng (the order of Hoàng Phê's *Từ điển tiếng Việt*), word by word
("Ba Vì" before "Bà Rịa"). Case counts last. ICU's Vietnamese collation has
the same alphabet but weighs tones only after every letter of the string; it
is not a dependency of the toolkit for this one key.
"""

from __future__ import annotations

import unicodedata

#: The letters in the order of the Vietnamese alphabet (with f, j, w, z where Latin puts them).
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {c: i for i, c in enumerate(ALPHABET)}
#: Combining marks that make a letter of its own: breve (ă), circumflex (â ê ô), horn (ơ ư).
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
#: Tone marks in dictionary order (no mark = ngang = 0): huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _word_key(word: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """(letters, tones) of one word: letters by the alphabet, then its tone(s)."""
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    for char in word:
        parts = unicodedata.normalize("NFD", char)
        base, marks = parts[0], parts[1:]
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _LETTER_MARKS))
        if letter in _RANK:
            letters.append((1, _RANK[letter]))
        else:  # a digit, punctuation, a letter of another script: before the letters
            letters.append((0, ord(letter[0])))
        tones.append(next((_TONES[m] for m in marks if m in _TONES), 0))
    return tuple(letters), tuple(tones)


def vi_sort_key(value) -> tuple:
    """A sort key that puts names in Vietnamese alphabetical order (``sorted(names, key=vi_sort_key)``).

    Word by word, as a dictionary orders syllables: letters compare by the
    Vietnamese alphabet (``đ`` after ``d``, ``ă`` and ``â`` after ``a``),
    then the word's tone, then the next word ("Ba Vì" before "Bà Rịa"); a
    name that is the start of another comes first ("Hà" before "Hà Nam");
    case counts last. Digits and other characters sort before letters, in
    code-point order. Any value is compared as ``str(value)``.

    Examples
    --------
    >>> sorted(["Yên Bái", "Đà Nẵng", "Ân Thi", "An Giang", "Ứng Hòa", "Uông Bí"], key=vi_sort_key)
    ['An Giang', 'Ân Thi', 'Đà Nẵng', 'Uông Bí', 'Ứng Hòa', 'Yên Bái']
    >>> sorted(["mạ", "má", "mà", "ma", "mả", "mã"], key=vi_sort_key)
    ['ma', 'mà', 'mả', 'mã', 'má', 'mạ']
    >>> sorted(["Bà Rịa", "Bắc Ninh", "Ba Vì", "Bạc Liêu", "Ba Đình"], key=vi_sort_key)
    ['Ba Đình', 'Ba Vì', 'Bà Rịa', 'Bạc Liêu', 'Bắc Ninh']
    """
    text = str(value)
    words = unicodedata.normalize("NFC", text).casefold().split()
    return tuple(_word_key(w) for w in words), text


__all__ = ["ALPHABET", "vi_sort_key"]
