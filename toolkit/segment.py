"""Word segmentation for Vietnamese political text: normalized text → tokens.

The pipeline of :meth:`Tokenizer.tokenize`, one sentence at a time:

1. :func:`toolkit.normalize.normalize` (NFC, new-style tone marks, abbreviations
   expanded: ``GPMB`` → ``giải phóng mặt bằng``, ``Đ/c`` → ``đồng chí``).
2. Non-lexical units are protected as single units before segmenting: document
   codes (``290-QĐ/TW`` → ``290-qđ/tw``), references (``Quyết định số 290`` →
   ``quyết_định_số_290``), ``Covid-19``, dates, times, numbers and person names.
3. pyvi's CRF segmenter (:mod:`toolkit.fastpyvi`, identical output) or, optionally,
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
repeat boilerplate and formulae, so the cache spares most CRF calls.

Examples
--------
>>> from toolkit.segment import tokenize
>>> tokenize("Ban Dân vận vận động nhân dân bàn giao mặt bằng")  # doctest: +SKIP
['ban_dân_vận', 'vận_động', 'nhân_dân', 'bàn_giao_mặt_bằng']
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import regex

from toolkit import config as _config
from toolkit import fastpyvi
from toolkit.normalize import DOC_CODE_RE, detect_level, normalize

logger = logging.getLogger("toolkit.segment")

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
        Passed to :func:`toolkit.normalize.normalize`.
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


class _Unit(NamedTuple):
    key: str | None  # lower-case text matched against the term lexicon; None: never part of a term
    token: str | None  # the token it gives on its own; None: punctuation, never a token
    kind: str  # "w" syllable, "p" punctuation, "num", "date", "code", "ref", "covid", "person"
    word: int  # pyvi word index (syllables of one segmented word share it)


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
    return [s.strip() for s in _SENTENCE_SPLIT_RE.split(text) if s and s.strip()]


# A sentence ends at a line break, or at . ! ? … (with closing quotes) before
# a space, unless the dot ends an abbreviation ("TP.", "ThS.").
_SENTENCE_SPLIT_RE = regex.compile(
    r"\s*\n\s*|(?<=[.!?…][\"”’»)]*)(?<!(?<![\p{L}])(?:\p{Lu}{1,4}|Tp|Mr|Mrs|Ms|Dr|ThS|TS|PGS|GS|Th)\.)[ \t]+"
)


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
        self._init_cache()

    # -- pickling: the sentence cache stays behind --------------------------

    def _init_cache(self) -> None:
        self._analyze_sentence = functools.lru_cache(maxsize=self.cache_size)(self._analyze_sentence_uncached)
        self._normalized_sentences = functools.lru_cache(maxsize=self.cache_size)(self._normalized_sentences_uncached)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_analyze_sentence", None)
        state.pop("_normalized_sentences", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._init_cache()

    def cache_info(self):
        """Hits and misses of the sentence cache (``functools.lru_cache`` statistics)."""
        return self._analyze_sentence.cache_info()

    # -- lexicon --------------------------------------------------------------

    def _add_term(self, entry: str, *, record: bool = True) -> str | None:
        """Add ``entry`` to the merging trie; return its token (``record``: list it in :attr:`terms`)."""
        text = normalize(entry, level=self.config.level)
        units = _units(text, _plain_words(text), self._protected_spans(text, persons=False))
        keys = []
        for u in units:
            if u.kind == "p":
                if u.key in _SEPARATORS and keys and keys[-1] != "":
                    keys.append("")  # an optional separator
                continue
            if u.key is None:
                logger.warning("lexicon: %r contains %r, which can never match; entry skipped", entry, u.token)
                return None
            keys.append(u.key)
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

    def _matches_at(self, units: list[_Unit], i: int) -> Iterator[tuple[int, str]]:
        """(end, token) of every term starting at unit ``i`` (end exclusive)."""
        node = self._trie
        j = i
        n = len(units)
        while j < n:
            u = units[j]
            if u.kind == "p" and u.key in _SEPARATORS and node.get("\0sep") and j > i:
                j += 1
                continue
            child = node.get(u.key) if u.key is not None else None
            if child is None:
                return
            node = child
            j += 1
            if "\0term" in node:
                yield j, node["\0term"]

    def _merge(self, units: list[_Unit]) -> list[tuple[int, int, str]]:
        """Accepted term matches (start, end, token) by the merging policy."""
        n = len(units)
        starts = [u.kind == "w" and (i == 0 or units[i - 1].word != u.word or units[i - 1].kind != "w")
                  for i, u in enumerate(units)]
        ends = [u.kind == "w" and (i == n - 1 or units[i + 1].word != u.word or units[i + 1].kind != "w")
                for i, u in enumerate(units)]
        found = []
        for i in range(n):
            if units[i].key is None or units[i].kind == "p":
                continue
            for end, token in self._matches_at(units, i):
                start_ok = units[i].kind != "w" or starts[i]
                end_ok = units[end - 1].kind != "w" or ends[end - 1]
                if end_ok or (start_ok and token.count("_") >= _MIN_SYLLABLES_TO_CUT_A_TAIL - 1):
                    found.append((i, end, token))
        if not found:
            return []
        found.sort(key=lambda m: (-(m[1] - m[0]), m[0]))
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
            if name in _NOT_PERSONS or any(s < end and start < e for s, e in claimed):
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
            if not any(s < end and start < e for s, e, _, _ in spans):
                spans.append((start, end, kind, token))

        # Every pattern but persons needs a digit; most sentences have none.
        has_digit = _DIGIT_RE.search(sentence) is not None
        for m in (DOC_CODE_RE.finditer(sentence) if has_digit else ()):
            claim(m.start(), m.end(), "code", regex.sub(r"\s+", "", m.group(0)).lower())
        for m in (_REF_RE.finditer(sentence) if has_digit else ()):
            claim(m.start(), m.end(), "ref", "_".join(m.group(0).lower().split()))
        for m in (_COVID_RE.finditer(sentence) if has_digit else ()):
            claim(m.start(), m.end(), "covid", m.group(0).lower())
        for m in (_DATE_RE.finditer(sentence) if has_digit else ()):
            claim(m.start(), m.end(), "date", regex.sub(r"\s+", "", m.group(0)).lower())
        for m in (_TIME_RE.finditer(sentence) if has_digit else ()):
            claim(m.start(), m.end(), "date", regex.sub(r"\s+", "", m.group(0)).lower())
        for m in (_NUMBER_RE.finditer(sentence) if has_digit else ()):
            claim(m.start(), m.end(), "num", regex.sub(r"\s+", "", m.group(0)).lower())
        if persons:
            for start, end, name in self._person_spans(sentence, [(s, e) for s, e, _, _ in spans]):
                claim(start, end, "person", "_".join(name.lower().split()))
        return spans

    def _segment_words(self, sentence: str) -> list[list[str]]:
        if self.config.backend == "pyvi":
            return _pyvi_words(sentence)
        return [w.split() for w in _underthesea()(sentence)]

    def _analyze_sentence_uncached(self, sentence: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        spans = self._protected_spans(sentence)
        units = _units(sentence, self._segment_words(sentence), spans)
        names = tuple(sentence[s:e] for s, e, kind, _ in spans if kind == "person")
        matches = self._merge(units)
        cfg = self.config
        out = []
        i, m = 0, 0
        n = len(units)
        while i < n:
            if m < len(matches) and matches[m][0] == i:
                out.append(matches[m][2])
                i = matches[m][1]
                m += 1
                continue
            u = units[i]
            if u.kind == "w":
                # One pyvi word, or what a term match left of it (re-split).
                j = i + 1
                stop = matches[m][0] if m < len(matches) else n
                while j < stop and units[j].kind == "w" and units[j].word == u.word:
                    j += 1
                out.append("_".join(units[k].token for k in range(i, j)))
                i = j
                continue
            i += 1
            if u.token is None:
                continue
            if u.kind == "num" and not cfg.keep_numbers:
                continue
            if u.kind == "date" and not cfg.keep_dates:
                continue
            if u.kind == "person" and cfg.remove_persons:
                continue
            out.append(u.token)
        if cfg.remove_stopwords:
            out = [t for t in out if t not in self.stopwords]
        return tuple(out), names

    def analyze(self, text: str) -> Analysis:
        """Tokens and the person names found (sorted, unique) in one document.

        Parameters
        ----------
        text : str
            Raw text (it is normalized here).
        """
        tokens: list[str] = []
        persons: set[str] = set()
        for sentence in self._sentences(text):
            toks, names = self._analyze_sentence(sentence)
            tokens.extend(toks)
            persons.update(" ".join(n.split()) for n in names)
        return Analysis(tokens, sorted(persons))

    def _sentences(self, text: str) -> list[str]:
        """Normalized sentences of ``text``.

        Lines are normalized one at a time (and cached: pages repeat lines)
        at the level of the whole page, which :func:`detect_level` finds once.
        """
        level = self.config.level if self.config.level is not None else detect_level(text)
        out = []
        for line in text.splitlines():
            if line and not line.isspace():
                out.extend(self._normalized_sentences(line, level))
        return out

    def _normalized_sentences_uncached(self, line: str, level: str | None) -> tuple[str, ...]:
        return tuple(_split_sentences(normalize(line, level=level)))

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
        for sentence in self._sentences(text):
            spans = self._protected_spans(sentence, persons=False)
            units = _units(sentence, _plain_words(sentence), spans)
            for i, u in enumerate(units):
                if u.key is not None and u.kind != "p":
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


def _pyvi_words(sentence: str) -> list[list[str]]:
    """pyvi's segmentation of ``sentence`` as words of syllables."""
    syllables = fastpyvi.sylabelize(sentence)
    if not syllables:
        return []
    joined = fastpyvi.segment(sentence)
    words: list[list[str]] = []
    pos = 0
    current: list[str] = []
    for syl in syllables:
        pos += len(syl)
        current.append(syl)
        if pos >= len(joined) or joined[pos] == " ":
            words.append(current)
            current = []
        pos += 1
    if current:
        words.append(current)
    return words


def _plain_words(text: str) -> list[list[str]]:
    """Every syllable a word of its own (lexicon entries, phrase search)."""
    return [[s] for s in fastpyvi.sylabelize(text)]


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


@functools.lru_cache(maxsize=1 << 16)
def _classify(syl: str) -> tuple[str | None, str | None, str]:
    """(key, token, kind) of one syllable outside protected spans."""
    if syl[0].isdigit():
        low = syl.lower()
        return low, low, "num"
    if not any(c.isalpha() for c in syl) or "://" in syl or "@" in syl:
        return syl, None, "p"
    low = syl.lower().rstrip(".")
    return low, low, "w"


def _units(sentence: str, words: list[list[str]], spans) -> list[_Unit]:
    """Units of a sentence: protected spans as one unit each, other syllables as pyvi gave them."""
    spans = sorted(spans)
    out: list[_Unit] = []
    pos = 0
    k = 0  # next span
    for w, syllables in enumerate(words):
        for syl in syllables:
            found = sentence.find(syl, pos)
            start = found if found >= 0 else pos
            pos = start + len(syl) if found >= 0 else pos
            while k < len(spans) and spans[k][1] <= start:
                k += 1
            if k < len(spans) and spans[k][0] <= start < spans[k][1]:
                s, e, kind, token = spans[k]
                if not out or out[-1].kind != kind or out[-1].word != -1 - k:
                    key = token if kind in ("code", "ref", "covid", "num", "date") else None
                    out.append(_Unit(key, token, kind, -1 - k))
                continue
            key, token, kind = _classify(syl)
            if kind == "w" and syl.isupper() and out and out[-1].key in _ROMAN_CONTEXT and _ROMAN_RE.fullmatch(syl.rstrip(".")):
                kind = "num"  # "khóa XI", "quý III": an ordinal
            out.append(_Unit(key, token, kind, w))
    return out


# --------------------------------------------------------------------------
# Module-level API
# --------------------------------------------------------------------------


def _lexicon_stamp(*directories: Path) -> tuple:
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size)
                        for d in directories if d.is_dir() for p in d.rglob("*") if p.is_file()))


@functools.lru_cache(maxsize=8)
def _cached_tokenizer(config: TokenizerConfig, stamp: tuple) -> Tokenizer:
    return Tokenizer(config)


def get_tokenizer(config: TokenizerConfig | None = None) -> Tokenizer:
    """The shared :class:`Tokenizer` for ``config``, rebuilt when a lexicon file changes."""
    config = config if config is not None else TokenizerConfig()
    return _cached_tokenizer(config, _lexicon_stamp(config.resolved_lexicon_dir(), _config.lexicon_dir()))


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
    return get_tokenizer(config).tokenize(text)


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
    return get_tokenizer(config).find_persons(text)

