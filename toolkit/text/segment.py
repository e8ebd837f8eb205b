"""Word segmentation for Vietnamese political text: normalized text → tokens.

The pipeline of :meth:`Tokenizer.tokenize`, one sentence at a time:

1. :func:`toolkit.text.normalize.normalize` (NFC, new-style tone marks, abbreviations
   expanded: ``GPMB`` → ``giải phóng mặt bằng``, ``Đ/c`` → ``đồng chí``).
2. Non-lexical units are protected as single units before segmenting: document
   codes (``290-QĐ/TW`` → ``290-qđ/tw``), references (``Quyết định số 290`` →
   ``quyết_định_số_290``), ``Covid-19``, dates, times, numbers and person names.
3. pyvi's CRF segmenter (:mod:`toolkit.text.crf`, identical output) or, optionally,
   underthesea.
4. Multiword political terms of ``corpora/lexicons/terms.txt`` are merged by
   longest match over the syllable sequence (see *Merging policy*).
5. Lower-case, drop punctuation, numbers and dates (unless kept), person names
   (unless kept) and stopwords (``stopwords.txt``, ``stopwords_genre.txt``).

Token convention: lower-case, the syllables of one word joined by ``_``
(``giải_phóng_mặt_bằng``, ``ủy_ban_nhân_dân``).

Merging policy
--------------
Terms are matched case-insensitively on syllables, across pyvi's word
boundaries, so ``giải_phóng mặt_bằng`` and ``giải phóng_mặt bằng`` both become
``giải_phóng_mặt_bằng``. Where matches overlap the longer term wins, then the
one further left. Punctuation written inside a term is optional in the text.
Where a match edge falls inside a pyvi word, that word is re-split (the
syllables outside the term become a word of their own). Measured on news
text, pyvi often glues a term's first syllable to the word before it
(``đảm_bảo_vệ_sinh môi_trường``, ``cô_giáo_chủ_nhiệm``), whereas a short term
ending inside a pyvi word is usually the head of a longer real word
(``dịch_vụ_công_nghệ``, ``một cửa_hàng``, ``đào_tạo nghề_nghiệp``). So:

- a match may start inside a pyvi word;
- it may end inside one only when the term has four or more syllables
  (``đại_biểu quốc_hội_đồng ý`` → ``đại_biểu_quốc_hội đồng_ý``);
- a match with both edges inside pyvi words is rejected.

Sentences are segmented independently and cached (LRU): pages of this genre
repeat boilerplate and formulae, so the cache spares most CRF calls. The
sentences of a page that are not cached go through the CRF in one batch
(:func:`toolkit.text.crf.word_ids_many`); normalized lines are cached too.
:func:`tokenize` looks at the lexicon files at most once per
:data:`LEXICON_CHECK_INTERVAL` seconds; :func:`get_tokenizer` at every call.

Examples
--------
>>> from toolkit.text.segment import tokenize
>>> tokenize("Ban Dân vận vận động nhân dân bàn giao mặt bằng")  # doctest: +SKIP
['ban_dân_vận', 'vận_động', 'nhân_dân', 'bàn_giao_mặt_bằng']
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import hashlib
import itertools
import json
import logging
import os
import re
import threading
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import regex

from toolkit import config as _config
from toolkit.text import crf as fastpyvi
from toolkit.text import normalize as _normalize
from toolkit.text.normalize import DOC_CODE_RE, detect_level, normalize

logger = logging.getLogger("toolkit.text.segment")

BACKENDS = ("pyvi", "underthesea")

# --------------------------------------------------------------------------
# Protected units
# --------------------------------------------------------------------------

#: Words that introduce a numbered document: "Quyết định số 290" is one token.
_REF_WORDS = (
    "quyết định", "nghị quyết", "chỉ thị", "kết luận", "quy định", "thông báo",
    "kế hoạch", "chương trình", "công văn", "hướng dẫn", "nghị định", "thông tư",
    "luật", "pháp lệnh", "đề án", "tờ trình", "báo cáo", "quy chế",
)
_REF_RE = regex.compile(
    r"(?<![\p{L}\d])(?i:" + "|".join(w.replace(" ", r"\s+") for w in _REF_WORDS) + r")\s+(?i:số)\s+\d+"
    # A number followed by a code part ("số 217-QĐ/TW") is a document code instead.
    r"(?![\p{L}\d]|\s*[-/]\s*[\p{L}\d])"
)
_COVID_RE = regex.compile(r"(?<![\w-])(?:[A-Za-z]+-)*[A-Za-z]{3,}-\d{1,3}(?![\w-])")
_DATE_RE = regex.compile(
    r"(?<![\w/.-])(?:"
    r"\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}"
    r"|\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{2}"
    r"|(?:19|20)\d{2}\s*[-–]\s*(?:19|20)\d{2}"
    r"|\d{1,2}\s*/\s*\d{4}"
    r"|\d{1,2}\s*/\s*\d{1,2}"
    r")(?![\w/])"
)
_TIME_RE = regex.compile(r"(?<![\w:])\d{1,2}\s*(?::\s*\d{2}(?::\d{2})?|h\d{0,2}(?:'|p)?)(?![\w:])", regex.IGNORECASE)
_DIGIT_RE = regex.compile(r"\d")
_SPACE_RE = regex.compile(r"\s+")
# Cheap tests (``re``) that a pattern cannot match, each a superset of what the pattern needs:
# a code has a digit right before "-" or "/", a reference the word "số", "Covid-19" a letter,
# "-" and a digit, a date a digit and a separator, a time a digit and ":" or "h". A digit of
# ``regex`` is any of [0-9] or a non-ASCII character (``re``'s \d knows fewer digits), and
# ``re``'s \s is a superset of ``regex``'s.
_DIGITISH = "[0-9\u0080-\U0010ffff]"
_CODE_HINT_RE = re.compile(_DIGITISH + "[-/]")
_REF_HINT_RE = re.compile("[sSſ][ốỐ]")
_COVID_HINT_RE = re.compile("[A-Za-z]-" + _DIGITISH)
_DATE_HINT_RE = re.compile(_DIGITISH + r"\s*[-/.–]")
_TIME_HINT_RE = re.compile(_DIGITISH + r"\s*[:hH]")
_NUMBER_RE = regex.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?:\s*%)?(?![\w])")
_ROMAN_RE = regex.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
#: Words after which a roman numeral is an ordinal ("khóa XI", "quý III").
_ROMAN_CONTEXT = frozenset({"khóa", "quý", "lần", "thứ", "phần", "chương", "mục", "đại", "hội", "kỳ", "số"})

#: Shortest term that may end inside a pyvi word (see *Merging policy*).
_MIN_SYLLABLES_TO_CUT_A_TAIL = 4
#: Punctuation that may stand inside a term ("chính trị - xã hội", slogans with commas).
_SEPARATORS = frozenset({",", ";", "-", "–", "—"})

# --------------------------------------------------------------------------
# Person names
# --------------------------------------------------------------------------

#: Vietnamese surnames (họ), new-style tone marks.
SURNAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
    "Ngô", "Dương", "Lý", "Đào", "Trương", "Đinh", "Lâm", "Mai", "Trịnh", "Đoàn", "Lương", "Cao", "Tạ",
    "Hà", "Tô", "Phùng", "Chu", "Kiều", "Vương", "Lưu", "Văn", "Quách", "Thái", "Triệu", "Khổng",
    "Đàm", "Lại", "Lò", "Mạc", "Nghiêm", "Ninh", "Tăng", "Thân", "Tống", "Trịnh", "Từ", "Viên", "Âu",
    "Đồng", "Giáp", "Hứa", "Khúc", "Lục", "Mẫn", "Nông", "Ông", "Phí", "Quan", "Quang", "Sầm",
    "Thạch", "Trà", "Vi", "Doãn", "Đậu", "Hầu", "Kim", "Khương", "La", "Lã", "Lạc", "Châu", "Diệp",
)
_CAP = r"\p{Lu}\p{Ll}*"
_PERSON_RE = regex.compile(
    r"(?<![\p{L}\d])(?:" + "|".join(sorted(set(SURNAMES), key=len, reverse=True)) + r")(?:[ \t]+" + _CAP + r")+(?![\p{L}\d])"
)
# A surname and a space: what every match of _PERSON_RE starts with (most sentences have none).
_PERSON_HINT_RE = re.compile("(?:" + "|".join(sorted(set(SURNAMES), key=len, reverse=True)) + ")[ \t]")
#: Capitalized syllables that start a title or an organisation, never a given name.
_NOT_GIVEN_NAMES = frozenset({
    "Bí", "Phó", "Chủ", "Trưởng", "Ủy", "Giám", "Tổ", "Ban", "Quận", "Huyện", "Tỉnh", "Phường", "Xã",
    "Đảng", "Hội", "Thường", "Trung", "Mặt", "Đoàn", "Bộ", "Sở", "Phòng", "Công", "Ngày", "Năm",
})
#: Forms of address that announce a person name right after them.
_PERSON_TRIGGERS = ("đồng chí", "ông", "bà", "anh", "chị", "cụ", "thầy", "cô", "em", "cháu", "đ/c")
#: Words after which a capitalized name is a street or an institution named after someone.
_STREET_TRIGGERS = (
    "đường", "phố", "ngõ", "ngách", "hẻm", "kiệt", "trường", "cầu", "chợ", "công viên", "khu đô thị",
    "tuyến", "nút giao", "bến", "cảng", "bệnh viện", "giải", "giải thưởng", "tượng đài", "đền", "tp",
    "tp.", "thcs", "thpt", "tiểu học", "mầm non", "tên", "ngã tư", "ngã ba", "quảng trường", "lăng",
)
#: Administrative units: after them a name is a place unless it is a full name no unit bears
#: ("Phó Chủ tịch Ủy ban nhân dân quận Vũ Đức Minh" vs "phường Hoàng Văn Thụ").
_LEVEL_TRIGGERS = (
    "phường", "xã", "quận", "huyện", "thị trấn", "thị xã", "tỉnh", "thôn", "ấp", "làng", "bản", "khu",
    "tổ", "khu phố", "xóm",
)
_TITLE_AFTER_RE = regex.compile(
    r"^[ \t]*[-–—,:][ \t]*(?:Bí thư|Phó|Chủ tịch|Trưởng|Ủy viên|UV|Giám đốc|Tổ trưởng|Chủ nhiệm|"
    r"Chánh|Đại biểu|Bí thư|Thường trực|Thành viên|Cán bộ|Chuyên viên|Hội viên|Đoàn viên|Đảng viên|"
    r"Người|Nguyên|Cựu|đại diện|tổ trưởng|trưởng|phó|bí thư|chủ tịch|ủy viên)"
)
#: Proper names that start with a surname but are not people reported on in this genre.
_NOT_PERSONS = frozenset({"Hồ Chí Minh"})
#: Names of deities that start with a surname ("Quan" of Quan Âm): never a person, also with what follows them
#: ("Phật bà Quan Âm Bồ Tát"; after "bà" or "mẹ" they looked like a person named after a form of address).
_NOT_PERSON_PREFIXES = ("Quan Âm", "Quan Thế Âm")


# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenizerConfig:
    """Settings of :class:`Tokenizer`; its :meth:`fingerprint` keys caches.

    Parameters
    ----------
    backend : {"pyvi", "underthesea"}
        Word segmenter. ``underthesea`` is optional (not installed by default).
    keep_numbers : bool
        Keep numbers (``1.250,5``, ``3,5%``, ``285b``, roman ordinals) as tokens.
    keep_dates : bool
        Keep dates and times (``28/9/2016``, ``2017-2022``, ``10:34``) as one token each.
    remove_stopwords : bool
        Drop the words of ``stopword_files``.
    remove_persons : bool
        Drop detected person names from the tokens (they are still reported
        by :meth:`Tokenizer.analyze`); when False a name is one token
        (``nguyễn_văn_an``).
    stopword_files : tuple of str
        Stopword lists, relative to ``lexicon_dir`` (or absolute).
    terms_file : str
        Multiword term lexicon, relative to ``lexicon_dir`` (or absolute).
    level : str or None
        Passed to :func:`toolkit.text.normalize.normalize`.
    lexicon_dir : str or None
        Folder of the lexicons; ``None``: :func:`toolkit.config.lexicon_dir`.
    """

    backend: str = "pyvi"
    keep_numbers: bool = False
    keep_dates: bool = False
    remove_stopwords: bool = True
    remove_persons: bool = True
    stopword_files: tuple[str, ...] = ("stopwords.txt", "stopwords_genre.txt")
    terms_file: str = "terms.txt"
    level: str | None = None
    lexicon_dir: str | None = None

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"backend={self.backend!r}: use one of {', '.join(BACKENDS)}")
        if isinstance(self.stopword_files, (str, os.PathLike)):
            object.__setattr__(self, "stopword_files", (str(self.stopword_files),))
        else:
            object.__setattr__(self, "stopword_files", tuple(str(p) for p in self.stopword_files))

    def resolved_lexicon_dir(self) -> Path:
        return Path(self.lexicon_dir) if self.lexicon_dir is not None else _config.lexicon_dir()

    def fingerprint(self) -> str:
        """Stable hash of every setting that changes tokens.

        The lexicon folder is left out: the lexicons' *content* is keyed
        separately by :func:`toolkit.config.lexicon_version`.
        """
        data = dataclasses.asdict(self)
        data.pop("lexicon_dir")
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


class Analysis(NamedTuple):
    """Result of :meth:`Tokenizer.analyze`: topic-model tokens and person names."""

    tokens: list[str]
    persons: list[str]


class _Units(NamedTuple):
    """The units of a sentence, one list per field (unit ``i`` is ``keys[i], tokens[i], ...``)."""

    keys: list  # lower-case text matched against the term lexicon; None: never part of a term
    tokens: list  # the token a unit gives on its own; None: punctuation, never a token
    kinds: list  # "w" syllable, "p" punctuation, "num", "date", "code", "ref", "covid", "person"
    words: list  # pyvi word index (syllables of one segmented word share it; -1 - k: span k)


# --------------------------------------------------------------------------
# Lexicon files
# --------------------------------------------------------------------------


def read_lexicon_lines(path: str | os.PathLike) -> list[str]:
    """Entries of a lexicon file: one per line, ``#`` comments and blank lines skipped."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if line:
            out.append(line)
    return out


def _lexicon_path(directory: Path, name: str) -> Path:
    p = Path(name)
    return p if p.is_absolute() else directory / p


def _split_sentences(text: str) -> list[str]:
    if "\n" in text:
        return [s.strip() for s in _SENTENCE_SPLIT_RE.split(text) if s and s.strip()]
    # One line (the tokenizer's case): _SENTENCE_SPLIT_RE's second branch, with ``re``
    # finding the spaces after an end of sentence and the abbreviation test run only there.
    parts = []
    pos = 0
    for m in _SENTENCE_END_RE.finditer(text):
        start = m.start(1)
        if _ABBREVIATION_DOT_RE.search(text, max(0, start - 6), start) is None:
            parts.append(text[pos:start])
            pos = m.end(1)
    parts.append(text[pos:])
    return [s.strip() for s in parts if s and s.strip()]


# A sentence ends at a line break, or at . ! ? … (with closing quotes) before
# a space, unless the dot ends an abbreviation ("TP.", "ThS.").
_SENTENCE_SPLIT_RE = regex.compile(
    r"\s*\n\s*|(?<=[.!?…][\"”’»)]*)(?<!(?<![\p{L}])(?:\p{Lu}{1,4}|Tp|Mr|Mrs|Ms|Dr|ThS|TS|PGS|GS|Th)\.)[ \t]+"
)
_SENTENCE_END_RE = re.compile(r"[.!?…][\"”’»)]*([ \t]+)")
_ABBREVIATION_DOT_RE = regex.compile(r"(?<![\p{L}])(?:\p{Lu}{1,4}|Tp|Mr|Mrs|Ms|Dr|ThS|TS|PGS|GS|Th)\.\Z")


class CacheInfo(NamedTuple):
    """Statistics of the sentence cache, as ``functools.lru_cache`` reports them."""

    hits: int
    misses: int
    maxsize: int | None
    currsize: int


class _LRU:
    """A least-recently-used dict (sentence -> analysis) that one can query before computing."""

    def __init__(self, maxsize: int | None) -> None:
        self.maxsize = maxsize
        self.data: dict = {}
        self.hits = 0
        self.misses = 0
        self.lock = threading.Lock()

    def get(self, key):
        """The value of ``key`` (now the most recent one) and a hit, or None (not counted)."""
        with self.lock:
            value = self.data.pop(key, None)
            if value is not None:
                self.data[key] = value
                self.hits += 1
            return value

    def put(self, key, value) -> None:
        if self.maxsize is not None and self.maxsize <= 0:
            return
        with self.lock:
            self.data[key] = value
            if self.maxsize is not None and len(self.data) > self.maxsize:
                del self.data[next(iter(self.data))]

    def cache_info(self) -> CacheInfo:
        return CacheInfo(self.hits, self.misses, self.maxsize, len(self.data))


class Tokenizer:
    """Compiled lexicons and the segmentation pipeline (picklable).

    Parameters
    ----------
    config : TokenizerConfig, optional
    cache_size : int
        Number of sentences whose analysis is kept (LRU).

    Attributes
    ----------
    lexicon_version : str
        :func:`toolkit.config.lexicon_version` of the lexicon folder used.
    terms : dict
        Term token (``giải_phóng_mặt_bằng``) → the entry as written in ``terms.txt``.
    stopwords : frozenset of str
        Tokens dropped when ``config.remove_stopwords``.
    """

    def __init__(self, config: TokenizerConfig | None = None, *, cache_size: int = 65536) -> None:
        self.config = config if config is not None else TokenizerConfig()
        self.cache_size = cache_size
        directory = self.config.resolved_lexicon_dir()
        self.lexicon_version = _config.lexicon_version(directory)
        if directory.resolve() != _config.lexicon_dir().resolve():
            # the normalizer reads its abbreviations and typos from the project's folder
            both = self.lexicon_version + _config.lexicon_version()
            self.lexicon_version = hashlib.sha256(both.encode()).hexdigest()[:16]
        if self.config.backend == "underthesea":
            _underthesea()  # fail early with a clear message
        else:
            fastpyvi.load_model()  # once per process, like the lexicons
        self._places = _place_names()
        self._trie: dict = {}
        self.terms: dict[str, str] = {}
        for entry in read_lexicon_lines(_lexicon_path(directory, self.config.terms_file)):
            self._add_term(entry)
        stop = set()
        for name in self.config.stopword_files:
            for entry in read_lexicon_lines(_lexicon_path(directory, name)):
                # A multiword stopword is merged like a term, so that it is one token to drop.
                stop.add(self._add_term(entry, record=False))
        stop.discard(None)
        self.stopwords = frozenset(stop)
        # The normalizer's lexicons as they are now, like ``lexicon_version``: no file check per line.
        self._normalizer_lexicons = _normalize.lexicon_keys()
        self._init_cache()

    # -- pickling: the sentence cache stays behind --------------------------

    _UNPICKLED = ("_sentence_cache", "_normalized_sentences", "_normalizers")

    def _init_cache(self) -> None:
        self._sentence_cache = _LRU(self.cache_size)
        self._normalized_sentences = functools.lru_cache(maxsize=self.cache_size)(self._normalized_sentences_uncached)
        self._normalizers: dict = {}

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        for name in self._UNPICKLED:
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._init_cache()

    def cache_info(self):
        """Hits and misses of the sentence cache (``functools.lru_cache`` statistics)."""
        return self._sentence_cache.cache_info()

    # -- lexicon --------------------------------------------------------------

    def _add_term(self, entry: str, *, record: bool = True) -> str | None:
        """Add ``entry`` to the merging trie; return its token (``record``: list it in :attr:`terms`)."""
        text = normalize(entry, level=self.config.level)
        units = _units(text, *_plain_words(text), self._protected_spans(text, persons=False))
        keys = []
        for key, token, kind in zip(units.keys, units.tokens, units.kinds):
            if kind == "p":
                if key in _SEPARATORS and keys and keys[-1] != "":
                    keys.append("")  # an optional separator
                continue
            if key is None:
                logger.warning("lexicon: %r contains %r, which can never match; entry skipped", entry, token)
                return None
            keys.append(key)
        while keys and keys[-1] == "":
            keys.pop()
        words = [k for k in keys if k]
        if not words:
            return None
        token = "_".join(words)
        if len(words) == 1 and not record:
            return token
        node = self._trie
        for k in keys:
            if k == "":
                node["\0sep"] = True
                continue
            node = node.setdefault(k, {})
        node["\0term"] = token
        if record:
            self.terms.setdefault(token, entry)
        return token

    def _matches_at(self, units: _Units, i: int) -> Iterator[tuple[int, str]]:
        """(end, token) of every term starting at unit ``i`` (end exclusive)."""
        keys, kinds = units.keys, units.kinds
        node = self._trie
        j = i
        n = len(keys)
        while j < n:
            key = keys[j]
            if kinds[j] == "p" and key in _SEPARATORS and j > i and node.get("\0sep"):
                j += 1
                continue
            child = node.get(key) if key is not None else None
            if child is None:
                return
            node = child
            j += 1
            if "\0term" in node:
                yield j, node["\0term"]

    def _merge(self, units: _Units) -> list[tuple[int, int, str]]:
        """Accepted term matches (start, end, token) by the merging policy."""
        keys, kinds, words = units.keys, units.kinds, units.words
        n = len(keys)
        root = self._trie
        found = []
        # Only a unit whose key starts a term can start a match; most do not. The walk
        # down the trie is _matches_at's, inlined.
        separators = _SEPARATORS
        for i in itertools.compress(range(n), map(root.__contains__, keys)):
            if kinds[i] == "p":
                continue
            # A "w" unit starts a pyvi word when the unit before is not a syllable of the same word.
            start_ok = kinds[i] != "w" or i == 0 or kinds[i - 1] != "w" or words[i - 1] != words[i]
            node = root[keys[i]]
            j = i + 1
            while True:
                term = node.get("\0term")
                if term is not None:
                    last = j - 1
                    end_ok = kinds[last] != "w" or j == n or kinds[j] != "w" or words[j] != words[last]
                    if end_ok or (start_ok and term.count("_") >= _MIN_SYLLABLES_TO_CUT_A_TAIL - 1):
                        found.append((i, j, term))
                while j < n and kinds[j] == "p" and keys[j] in separators and node.get("\0sep"):
                    j += 1  # an optional separator inside the term
                if j == n or keys[j] is None:
                    break
                node = node.get(keys[j])
                if node is None:
                    break
                j += 1
        if not found:
            return []
        if len(found) > 1:
            found.sort(key=lambda m: (m[0] - m[1], m[0]))
        taken = [False] * n
        accepted = []
        for start, end, token in found:
            if not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                accepted.append((start, end, token))
        accepted.sort()
        return accepted

    # -- persons --------------------------------------------------------------

    def _person_spans(self, sentence: str, claimed: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
        spans = []
        if _PERSON_HINT_RE.search(sentence) is None:
            return spans
        for m in _PERSON_RE.finditer(sentence):
            parts = m.group(0).split()
            # A title or organisation word ends the name ("Nguyễn Văn An Bí thư").
            for k in range(1, len(parts)):
                if parts[k] in _NOT_GIVEN_NAMES:
                    parts = parts[:k]
                    break
            if not 2 <= len(parts) <= 4:
                continue  # a surname alone, or a Title Case Heading Of Many Words
            name = " ".join(parts)
            start = m.start()
            end = _span_end(sentence, start, parts)
            if (name in _NOT_PERSONS or any(name == p or name.startswith(p + " ") for p in _NOT_PERSON_PREFIXES)
                    or any(s < end and start < e for s, e in claimed)):
                continue
            before = sentence[:start].rstrip().lower()
            triggered = _word_edge(before, _PERSON_TRIGGERS)
            if not triggered:
                if _word_edge(before, _STREET_TRIGGERS) and not before.endswith("thành phố"):
                    continue
                if any(" ".join(parts[:k]) in self._places for k in range(2, len(parts) + 1)):
                    continue
                if len(parts) == 2 and (_word_edge(before, _LEVEL_TRIGGERS) or not _TITLE_AFTER_RE.match(sentence[end:])):
                    continue
            spans.append((start, end, name))
        return spans

    # -- the pipeline -----------------------------------------------------------

    def _protected_spans(self, sentence: str, *, persons: bool = True) -> list[tuple[int, int, str, str]]:
        """Non-overlapping (start, end, kind, token) spans, earlier patterns first."""
        spans: list[tuple[int, int, str, str]] = []

        def claim(start: int, end: int, kind: str, token: str) -> None:
            for s, e, _, _ in spans:
                if s < end and start < e:
                    return
            spans.append((start, end, kind, token))

        # Every pattern but persons needs a digit; most sentences have none.
        if _DIGIT_RE.search(sentence) is not None:
            squeeze = _SPACE_RE.sub
            if _CODE_HINT_RE.search(sentence):
                for m in DOC_CODE_RE.finditer(sentence):
                    claim(m.start(), m.end(), "code", squeeze("", m.group(0)).lower())
            if _REF_HINT_RE.search(sentence):
                for m in _REF_RE.finditer(sentence):
                    claim(m.start(), m.end(), "ref", "_".join(m.group(0).lower().split()))
            if _COVID_HINT_RE.search(sentence):
                for m in _COVID_RE.finditer(sentence):
                    claim(m.start(), m.end(), "covid", m.group(0).lower())
            if _DATE_HINT_RE.search(sentence):
                for m in _DATE_RE.finditer(sentence):
                    claim(m.start(), m.end(), "date", squeeze("", m.group(0)).lower())
            if _TIME_HINT_RE.search(sentence):
                for m in _TIME_RE.finditer(sentence):
                    claim(m.start(), m.end(), "date", squeeze("", m.group(0)).lower())
            for m in _NUMBER_RE.finditer(sentence):
                claim(m.start(), m.end(), "num", squeeze("", m.group(0)).lower())
        if persons and _PERSON_HINT_RE.search(sentence) is not None:
            for start, end, name in self._person_spans(sentence, [(s, e) for s, e, _, _ in spans]):
                claim(start, end, "person", "_".join(name.lower().split()))
        return spans

    def _segment_many(self, sentences: Sequence[str]) -> list[tuple[list[str], list[int]]]:
        """Syllables of each sentence and the word index of each syllable (pyvi: one batch)."""
        if self.config.backend == "pyvi":
            return fastpyvi.word_ids_many(sentences)
        out = []
        for sentence in sentences:
            words = [w.split() for w in _underthesea()(sentence)]
            out.append(([syl for w in words for syl in w], [i for i, w in enumerate(words) for _ in w]))
        return out

    def _analyze_sentence_uncached(self, sentence: str, segmented: tuple[list[str], list[int]] | None = None,
                                   ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Tokens and person names of one normalized sentence (``segmented``: its words, if known)."""
        if segmented is None:
            segmented = self._segment_many([sentence])[0]
        spans = self._protected_spans(sentence)
        units = _units(sentence, *segmented, spans)
        names = tuple(sentence[s:e] for s, e, kind, _ in spans if kind == "person") if spans else ()
        matches = self._merge(units)
        cfg = self.config
        _, tokens, kinds, wids = units
        out: list[str] = []
        append = out.append
        keep = {"num": cfg.keep_numbers, "date": cfg.keep_dates, "person": not cfg.remove_persons}
        pos = 0
        n = len(tokens)
        for start, end, term in (*matches, (n, n, None)):
            # Units before the next match: a pyvi word is the run of its syllables ("w" units)
            # that no other unit or match interrupts; what a match left of a word stays apart.
            last = None  # word whose token out[-1] is, while the run goes on
            for token, kind, word in zip(tokens[pos:start], kinds[pos:start], wids[pos:start]):
                if kind == "w":
                    if word == last:
                        out[-1] = out[-1] + "_" + token
                    else:
                        append(token)
                        last = word
                    continue
                last = None
                if token is not None and keep.get(kind, True):
                    append(token)
            if term is not None:
                append(term)
            pos = end
        if cfg.remove_stopwords:
            stop = self.stopwords
            out = [t for t in out if t not in stop]
        return tuple(out), names

    def _analyze_sentence(self, sentence: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """:meth:`_analyze_sentence_uncached` through the sentence cache."""
        return self._analyze_many([sentence])[0]

    def _analyze_many(self, sentences: list[str]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Analyses of ``sentences``: cached ones reused, the others segmented in one batch."""
        cache = self._sentence_cache
        results: list = [None] * len(sentences)
        todo: dict[str, list[int]] = {}
        for i, sentence in enumerate(sentences):
            result = cache.get(sentence)
            if result is not None:
                results[i] = result
            elif sentence in todo:
                todo[sentence].append(i)
                cache.hits += 1
            else:
                todo[sentence] = [i]
                cache.misses += 1
        if todo:
            pending = list(todo)
            for sentence, segmented in zip(pending, self._segment_many(pending)):
                result = self._analyze_sentence_uncached(sentence, segmented)
                cache.put(sentence, result)
                for i in todo[sentence]:
                    results[i] = result
        return results

    def analyze(self, text: str) -> Analysis:
        """Tokens and the person names found (sorted, unique) in one document.

        Parameters
        ----------
        text : str
            Raw text (it is normalized here).
        """
        tokens: list[str] = []
        persons: set[str] = set()
        for toks, names in self._analyze_many(self._sentences(text)):
            tokens.extend(toks)
            if names:
                persons.update(" ".join(n.split()) for n in names)
        return Analysis(tokens, sorted(persons))

    def _sentences(self, text: str) -> list[str]:
        """Normalized sentences of ``text``.

        Lines are normalized one at a time (and cached: pages repeat lines)
        at the level of the whole page, which :func:`detect_level` finds once,
        and with the abbreviations the whole page defines in another sense
        (:func:`toolkit.text.normalize.redefined_abbreviations`: a definition
        in the title or another paragraph covers every line).
        """
        level = self.config.level if self.config.level is not None else detect_level(text)
        redefined = _normalize.redefined_abbreviations(text, lexicons=getattr(self, "_normalizer_lexicons", None))
        out = []
        normalized = self._normalized_sentences
        for line in text.splitlines():
            if line and not line.isspace():
                out.extend(normalized(line, level, redefined))
        return out

    def _normalized_sentences_uncached(self, line: str, level: str | None,
                                       redefined: frozenset[str] = frozenset()) -> tuple[str, ...]:
        normalizer = self._normalizers.get((level, redefined))
        if normalizer is None:
            lexicons = getattr(self, "_normalizer_lexicons", None)
            normalizer = self._normalizers[level, redefined] = _normalize.make_normalizer(
                level, lexicons=lexicons, redefined=redefined)
        return tuple(_split_sentences(normalizer(line)))

    def tokenize(self, text: str) -> list[str]:
        """Topic-model tokens of ``text`` (see the module docstring)."""
        return self.analyze(text).tokens

    def find_persons(self, text: str) -> list[str]:
        """Person names in ``text``: normalized full names, sorted, unique."""
        return self.analyze(text).persons

    def terms_in_text(self, text: str) -> set[str]:
        """Term tokens whose phrase occurs anywhere in ``text`` (after normalization).

        Every occurrence counts, also one inside a longer term and one that
        the merging policy would reject; used by :func:`vocabulary_report`.
        """
        found = set()
        root = self._trie
        for sentence in self._sentences(text):
            spans = self._protected_spans(sentence, persons=False)
            units = _units(sentence, *_plain_words(sentence), spans)
            for i, (key, kind) in enumerate(zip(units.keys, units.kinds)):
                if key is not None and kind != "p" and key in root:
                    found.update(token for _, token in self._matches_at(units, i))
        return found & self.terms.keys()


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _span_end(sentence: str, start: int, parts: list[str]) -> int:
    pos = start
    for part in parts:
        pos = sentence.index(part, pos) + len(part)
    return pos


def _word_edge(before: str, words: tuple[str, ...]) -> bool:
    """True when ``before`` ends with one of ``words`` as a whole word."""
    for w in words:
        if before.endswith(w):
            k = len(before) - len(w)
            if k == 0 or not before[k - 1].isalnum():
                return True
    return False


def _plain_words(text: str) -> tuple[list[str], range]:
    """Syllables of ``text``, every one a word of its own (lexicon entries, phrase search)."""
    syllables = fastpyvi.sylabelize(text)
    return syllables, range(len(syllables))


@functools.lru_cache(maxsize=1)
def _underthesea():
    try:
        from underthesea import word_tokenize
    except ImportError as exc:
        raise ImportError(
            "backend='underthesea' needs the optional package underthesea, which is not installed: "
            "`.venv/bin/pip install underthesea`, or use the default backend='pyvi'"
        ) from exc
    return word_tokenize


@functools.lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    """Names of provinces, districts and wards (before and after 2025) that start with a surname."""
    from vietnamadminunits.database import query

    surnames = frozenset(SURNAMES)
    names = set()
    for table, cols in (("admin_units_legacy", ("provinceShort", "districtShort", "wardShort")),
                        ("admin_units", ("provinceShort", "wardShort"))):
        for col in cols:
            for row in query(f"SELECT DISTINCT {col} AS name FROM {table}"):
                value = unicodedata.normalize("NFC", regex.sub(r"\s*\(.*?\)", "", row["name"] or "").strip())
                if value.split(" ", 1)[0] in surnames:
                    names.add(normalize(value))
    return frozenset(names)


#: Syllable -> (key, token, kind, may be a roman ordinal); pages reuse a small vocabulary.
_CLASSES: dict[str, tuple[str | None, str | None, str, bool]] = {}


def _classify(syl: str) -> tuple[str | None, str | None, str, bool]:
    """(key, token, kind, roman) of one syllable outside protected spans.

    ``roman``: the syllable reads as a roman numeral, an ordinal after the
    words of ``_ROMAN_CONTEXT`` ("khóa XI", "quý III").
    """
    out = _CLASSES.get(syl)
    if out is not None:
        return out
    if syl[0].isdigit():
        low = syl.lower()
        out = (low, low, "num", False)
    elif not any(c.isalpha() for c in syl) or "://" in syl or "@" in syl:
        out = (syl, None, "p", False)
    else:
        low = syl.lower().rstrip(".")
        out = (low, low, "w", syl.isupper() and _ROMAN_RE.fullmatch(syl.rstrip(".")) is not None)
    if len(_CLASSES) >= 1 << 18:
        _CLASSES.clear()
    _CLASSES[syl] = out
    return out


def _span_ranges(sentence: str, syllables: list[str], spans) -> list[tuple[int, int]]:
    """(lo, hi) for each of the sorted ``spans``: syllables lo..hi-1 start inside it."""
    if sentence.replace(" ", "") == "".join(syllables):
        # The syllables spell the sentence without its spaces: count offsets in that string.
        # A syllable starting at (non-space) position q is inside [s, e) exactly when the
        # non-space characters before s <= those before q < those before e.
        starts = list(itertools.accumulate(map(len, syllables), initial=0))
        starts.pop()

        def position(p: int) -> int:
            return p - sentence.count(" ", 0, p)
    else:
        starts = []
        pos = 0
        for syl in syllables:
            found = sentence.find(syl, pos)
            start = found if found >= 0 else pos
            pos = start + len(syl) if found >= 0 else pos
            starts.append(start)

        def position(p: int) -> int:
            return p
    out = []
    lo = 0
    for start, end, _, _ in spans:
        lo = bisect.bisect_left(starts, position(start), lo)
        hi = bisect.bisect_left(starts, position(end), lo)
        out.append((lo, hi))
        lo = hi
    return out


def _units(sentence: str, syllables: list[str], word_ids: Sequence[int], spans) -> _Units:
    """Units of a sentence: protected spans as one unit each, other syllables as the segmenter gave them.

    ``word_ids[i]`` is the index of the word that ``syllables[i]`` belongs to;
    a syllable that starts inside a protected span is part of its unit.
    """
    if not syllables:
        return _Units([], [], [], [])
    found = list(map(_CLASSES.get, syllables))
    if None in found:
        found = [c or _classify(syl) for c, syl in zip(found, syllables)]
    keys, tokens, kinds, romans = zip(*found)
    wids = word_ids
    if spans:
        n = len(syllables)
        ks, ts, ds, rs, ws = [], [], [], [], []
        i = 0
        ordered = sorted(spans)
        for k, (lo, hi) in enumerate(_span_ranges(sentence, syllables, ordered)):
            if lo == hi:
                continue  # no syllable starts inside the span
            _, _, kind, token = ordered[k]
            ks += keys[i:lo]
            ts += tokens[i:lo]
            ds += kinds[i:lo]
            rs += romans[i:lo]
            ws += wids[i:lo]
            ks.append(token if kind in ("code", "ref", "covid", "num", "date") else None)
            ts.append(token)
            ds.append(kind)
            rs.append(False)
            ws.append(-1 - k)
            i = hi
        if i < n:
            ks += keys[i:]
            ts += tokens[i:]
            ds += kinds[i:]
            rs += romans[i:]
            ws += wids[i:]
        keys, tokens, kinds, romans, wids = ks, ts, ds, rs, ws
    if True in romans:
        kinds = list(kinds)
        for i, roman in enumerate(romans):
            if roman and i and keys[i - 1] in _ROMAN_CONTEXT:
                kinds[i] = "num"  # "khóa XI", "quý III": an ordinal
    return _Units(keys, tokens, kinds, wids)


# --------------------------------------------------------------------------
# Module-level API
# --------------------------------------------------------------------------


def _lexicon_stamp(*directories: Path) -> tuple:
    """(path, mtime, size) of every file under ``directories``, sorted: changes when a file does."""
    out = set()
    todo = [str(d) for d in directories]
    seen = set()
    while todo:
        folder = todo.pop()
        if folder in seen:
            continue
        seen.add(folder)
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                todo.append(entry.path)
            elif entry.is_file():
                st = entry.stat()
                out.add((entry.path, st.st_mtime_ns, st.st_size))
    return tuple(sorted(out))


#: Seconds during which :func:`tokenize` and :func:`find_persons` trust their last look at
#: the lexicon files (:func:`get_tokenizer` always looks).
LEXICON_CHECK_INTERVAL = 1.0
#: (config, lexicon folders) -> (files' stamp, time of the check, tokenizer); a few configs at most.
_TOKENIZERS: dict[tuple, tuple[tuple, float, Tokenizer]] = {}
_TOKENIZERS_LOCK = threading.Lock()


def _shared_tokenizer(config: TokenizerConfig | None, *, max_age: float, reload: bool = False) -> Tokenizer:
    """The shared tokenizer of ``config``; the lexicon files are re-checked when older than ``max_age`` s."""
    config = config if config is not None else TokenizerConfig()
    directories = (config.resolved_lexicon_dir(), _config.lexicon_dir())
    key = (config, str(directories[0]), str(directories[1]))
    now = time.monotonic()
    entry = _TOKENIZERS.get(key)
    if entry is not None and not reload and now - entry[1] < max_age:
        return entry[2]
    stamp = _lexicon_stamp(*directories)
    if entry is not None and not reload and entry[0] == stamp:
        tokenizer = entry[2]
    else:
        tokenizer = Tokenizer(config)
    with _TOKENIZERS_LOCK:
        _TOKENIZERS.pop(key, None)
        _TOKENIZERS[key] = (stamp, now, tokenizer)
        while len(_TOKENIZERS) > 8:
            del _TOKENIZERS[next(iter(_TOKENIZERS))]
    return tokenizer


def get_tokenizer(config: TokenizerConfig | None = None, *, reload: bool = False) -> Tokenizer:
    """The shared :class:`Tokenizer` for ``config``, rebuilt when a lexicon file changed.

    Every call looks at the lexicon files (one ``stat`` each); call it once
    per run or batch. :func:`tokenize` and :func:`find_persons`, called once
    per document, look at most once per :data:`LEXICON_CHECK_INTERVAL`
    seconds, or right after a call of this function.

    Parameters
    ----------
    config : TokenizerConfig, optional
    reload : bool
        Build a new tokenizer even if the lexicon files look unchanged.
    """
    return _shared_tokenizer(config, max_age=0.0, reload=reload)


def tokenize(text: str, *, config: TokenizerConfig | None = None) -> list[str]:
    """Topic-model tokens of ``text``: normalized, segmented, terms merged, stopwords removed.

    Parameters
    ----------
    text : str
        Raw Vietnamese text (any Unicode form, either tone-mark style).
    config : TokenizerConfig, optional
        Defaults: pyvi, numbers, dates, stopwords and person names dropped.

    Returns
    -------
    list of str
        Lower-case tokens, syllables of one word joined by ``_``.

    Examples
    --------
    >>> tokenize("Vận động GPMB dự án đường Vành đai 4")  # doctest: +SKIP
    ['vận_động', 'giải_phóng_mặt_bằng', 'dự_án', 'vành_đai']
    """
    return _shared_tokenizer(config, max_age=LEXICON_CHECK_INTERVAL).tokenize(text)


def find_persons(text: str, *, config: TokenizerConfig | None = None) -> list[str]:
    """Person names in ``text`` (normalized full names, sorted, unique).

    Names are a surname followed by one to three capitalized syllables, in
    the genre's patterns: "đồng chí Nguyễn Văn An", "Nguyễn Văn An - Bí thư",
    a title then a full name, "ông/bà X". Names of streets, schools and
    wards ("đường Hoàng Hoa Thám"), provinces and districts ("Hoàng Mai")
    and "Hồ Chí Minh" are not persons.

    Examples
    --------
    >>> find_persons("Dự có đồng chí Trần Thị Bình - Phó Bí thư Huyện ủy")  # doctest: +SKIP
    ['Trần Thị Bình']
    """
    return _shared_tokenizer(config, max_age=LEXICON_CHECK_INTERVAL).find_persons(text)

