"""The theme dictionary: its rules, and the theme hits of each document.

The themes are researcher-edited data, ``corpora/lexicons/themes.toml``
(its header documents the format). This module

- loads and compiles them (:func:`load_themes`): every term goes through the
  same normalizer and tokenizer as the documents, so ``GPMB`` in a page and
  ``giải phóng mặt bằng`` in the file are the same syllables;
- counts them in token tables (:func:`theme_hits`), honouring the exclusion
  rules of ambiguous terms (``mặt bằng giá``, ``dịch vụ``, ``phố Chùa Bộc``);
- checks which terms occur at all (:func:`validate_themes`).

Shares per locality and year are in :mod:`toolkit.themes.shares`, terms in
context in :mod:`toolkit.themes.concordance`, human-coded validation in
:mod:`toolkit.themes.validate`.

Matching
--------
A document's tokens (``giải_phóng_mặt_bằng``, ``dự_án``) are read as a
sequence of syllables. A term (its syllables, stopword tokens removed as in
the documents) matches a run of syllables that starts at the start of a
token and ends at the end of one, except that inside a multiword term of
``terms.txt`` (a phrase whose parts keep their meaning) a match may also start
or end where one of the phrase's own words starts or ends (pyvi's segmentation
of the phrase): ``mặt bằng`` matches inside ``giải_phóng_mặt_bằng`` and
``quy chế dân chủ`` inside ``thực_hiện_quy_chế_dân_chủ_ở_cơ_sở``, while
``dịch`` never matches inside the ordinary words ``dịch_vụ`` or
``phiên_dịch_viên``, and ``giáo đoàn`` never matches across
``ban_tuyên_giáo đoàn_đại_biểu_quốc_hội`` (``giáo`` ends the word
``tuyên_giáo``, it does not start one). Within one theme the longest term wins and matches do
not overlap: ``giải phóng mặt bằng`` is one hit, not also a hit of
``mặt bằng``.

Exclusions
----------
``before``/``after`` phrases cancel an occurrence when their syllables stand
right before/after it in the (stopword-free) syllable sequence.
``weak_terms`` of a theme count only in a document where one of its other
(anchor) terms also occurs: ``dịch`` alone is not COVID-19.
``weak_alone_between = [FROM, TO]`` lets the weak terms count alone in
documents dated inside that window (in 2021 news ``vì dịch`` is COVID-19);
``weak_alone_unless = [REGEX, ...]`` takes that back in a document whose
normalized text (title + body, as for ``pattern`` rules below, ``${name}``
macros included) one of the regular expressions matches: a 2021 page on
dengue fever or African swine fever (``khoanh vùng dịch``, ``cách ly``) is
not COVID-19, even where the disease is named sentences away from the
epidemic words; there the weak terms again need an anchor term
(:func:`weak_alone_vetoes`).
``not_before = DATE`` gives the theme to no document dated before DATE (no
COVID-19 in 2017 news, whatever its words). Dates come from the document
table's ``date`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) or ``year``; a
document counts as inside a window only when its whole period is, and as
before a date only when its whole period is; undated documents follow the
plain rules, and so does every document when no document table is given.
``pattern`` regular expressions are searched in the normalized text of the
document (title + body, so they see capitals and stopwords such as
``phường``); each match is tokenized on its own and the occurrences of the
term inside it are subtracted from the document's count (never below 0).
``title`` regular expressions are searched in the document's title (the
first line of that text); a match cancels every occurrence of the term in the
document (an article headed by a foreign head of state). Like ``pattern``
rules they need the document table; without it they are skipped with a
warning. ``term = "*"`` gives a rule to every term of its theme.

Examples
--------
>>> themes = load_themes()  # doctest: +SKIP
>>> tokens = pd.DataFrame({"doc_id": ["a"], "tokens": [["vận_động", "giải_phóng_mặt_bằng"]], "n_tokens": [2]})
>>> theme_hits(tokens, themes).query("theme == 'site_clearance'")  # doctest: +SKIP
  doc_id           theme  hits  n_tokens  per_1k_tokens  present
0      a  site_clearance     1         2          500.0     True
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import itertools
import logging
import os
import string
import tomllib
import types
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import regex
from tqdm.auto import tqdm

from toolkit import config as _config
from toolkit.errors import UserError
from toolkit.places import qualify_grouping

logger = logging.getLogger("toolkit.themes")

__all__ = [
    "THEMES_FILE",
    "ExcludeRule",
    "Theme",
    "ThemeDictionary",
    "load_themes",
    "theme_hits",
    "theme_hits_batched",
    "validate_themes",
    "document_matches",
]

THEMES_FILE = "themes.toml"

_ID_RE = regex.compile(r"[a-z][a-z0-9_]*")
_THEME_KEYS = {"label_en", "label_vi", "definition", "terms", "exclude", "weak_terms", "weak_alone_between",
               "weak_alone_terms", "weak_alone_unless", "not_before"}
_DATE_RE = regex.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_EXCLUDE_KEYS = {"term", "before", "after", "pattern", "title", "near", "window"}


# --------------------------------------------------------------------------
# The compiled dictionary
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExcludeRule:
    """Contexts that cancel an occurrence of one term.

    Attributes
    ----------
    term : str
        The term as written in the themes file.
    before, after : tuple of tuple of str
        Syllable sequences that, adjacent to the occurrence, cancel it.
    patterns : tuple of regex.Pattern
        Searched in the normalized document text; occurrences inside a match are cancelled.
    titles : tuple of regex.Pattern
        Searched in the normalized document title; when one matches, every occurrence of the
        term in the document is cancelled (an article headed by a foreign head of state).
    near : tuple of tuple of str
        When set, an occurrence counts only if one of these syllable sequences
        stands within ``window`` syllables of it (``bồi thường`` near ``đất``).
    window : int
        Syllables on each side searched for ``near``.
    words : frozenset of tuple of str
        Contexts written as whole words (``nhân_dân``): they count only where a
        token starts and ends, so ``nhân_dân`` (the people) is not the end of
        ``ủy_ban_nhân_dân`` (a people's committee).
    """

    term: str
    before: tuple[tuple[str, ...], ...] = ()
    after: tuple[tuple[str, ...], ...] = ()
    patterns: tuple = ()
    near: tuple[tuple[str, ...], ...] = ()
    window: int = 10
    words: frozenset = frozenset()
    titles: tuple = ()

    def _at(self, ctx: tuple[str, ...], i: int, syllables: Sequence[str], bounds) -> bool:
        """Whether ``ctx`` stands at syllable ``i`` (as whole words, when it is one of ``words``)."""
        k = len(ctx)
        if i < 0 or i + k > len(syllables) or syllables[i] != ctx[0] or tuple(syllables[i:i + k]) != ctx:
            return False
        if ctx in self.words and bounds is not None:
            token_start, token_end = bounds
            return token_start[i] and token_end[i + k - 1]
        return True

    def _has_near(self, syllables: Sequence[str], start: int, end: int, bounds=None) -> bool:
        lo, hi = max(0, start - self.window), min(len(syllables), end + self.window)
        for ctx in self.near:
            k = len(ctx)
            for i in range(lo, hi - k + 1):
                if start <= i < end or start < i + k <= end:
                    continue  # inside the occurrence itself
                if syllables[i] == ctx[0] and self._at(ctx, i, syllables, bounds):
                    return True
        return False

    def cancels(self, syllables: Sequence[str], start: int, end: int, bounds=None) -> bool:
        """Whether a ``before``/``after`` context surrounds ``syllables[start:end]``, or no ``near`` context is close.

        ``bounds`` = (token_start, token_end): per syllable, whether a token starts / ends there;
        without it whole-word contexts match like the others.
        """
        if self.near and not self._has_near(syllables, start, end, bounds):
            return True
        n = len(syllables)
        for ctx in self.before:
            i = start - len(ctx)
            if i >= 0 and syllables[i] == ctx[0] and self._at(ctx, i, syllables, bounds):
                return True
        for ctx in self.after:
            if end < n and syllables[end] == ctx[0] and self._at(ctx, end, syllables, bounds):
                return True
        return False


@dataclass(frozen=True)
class Theme:
    """One theme: labels, its terms as written and as syllables, and exclusion rules."""

    id: str
    label_en: str
    label_vi: str
    terms: tuple[str, ...]
    syllables: tuple[tuple[str, ...], ...]
    excludes: dict = field(default_factory=dict)
    #: Terms that count only in a document where a non-weak term of the theme also occurs.
    weak: frozenset = frozenset()
    #: The sense that counts, in words (what coders read; see ``corpora/lexicons/themes.toml``).
    definition: str = ""
    #: (first, last) day as YYYYMMDD integers: weak terms count alone in documents dated inside.
    weak_alone: tuple[int, int] | None = None
    #: The weak terms that ``weak_alone`` applies to (all weak terms when not given).
    weak_alone_terms: frozenset = frozenset()
    #: regex.Pattern searched in the normalized document text: where one matches, ``weak_alone`` does not apply.
    weak_alone_unless: tuple = ()
    #: YYYYMMDD: documents dated entirely before it never have the theme.
    not_before: int | None = None


@dataclass
class ThemeDictionary:
    """Compiled themes, as returned by :func:`load_themes`.

    Attributes
    ----------
    themes : tuple of Theme
        In file order.
    compounds : mapping of str to frozenset of int
        Tokens inside which a term may match (the multiword terms of ``terms.txt``),
        each with the syllable offsets where one of its words starts (0 included).
    stopwords : frozenset of str
    source : str
        Path of the themes file (``"<inline>"`` when built from a mapping).
    version : str
        Hash of the file's bytes (provenance).
    tokenizer_config : toolkit.text.segment.TokenizerConfig
        The config documents must be tokenized with (pattern rules, KWIC).
    """

    themes: tuple[Theme, ...]
    compounds: Mapping[str, frozenset]
    stopwords: frozenset
    source: str = "<inline>"
    version: str = ""
    tokenizer_config: object = None

    def __post_init__(self) -> None:
        self._entries = []  # (theme index, term index, syllables)
        for a, theme in enumerate(self.themes):
            for b, syls in enumerate(theme.syllables):
                if syls:
                    self._entries.append((a, b, syls))
        first: dict[str, list] = {}
        for a, b, syls in self._entries:
            first.setdefault(syls[0], []).append((len(syls), syls, a, b))
        for cands in first.values():
            cands.sort(key=lambda c: -c[0])
        self._first = first
        self._offsets = np.cumsum([0] + [len(t.terms) for t in self.themes])

    @property
    def ids(self) -> list[str]:
        """Theme ids in file order."""
        return [t.id for t in self.themes]

    @property
    def n_terms(self) -> int:
        return int(self._offsets[-1])

    def term_index(self, theme: int, term: int) -> int:
        """Column of (theme, term) in the flat term order of :meth:`to_frame`."""
        return int(self._offsets[theme]) + term

    def to_frame(self) -> pd.DataFrame:
        """One row per term: ``theme, label_en, label_vi, term, syllables, n_rules``."""
        rows = []
        for t in self.themes:
            for term, syls in zip(t.terms, t.syllables):
                rule = t.excludes.get(term)
                rows.append({
                    "theme": t.id, "label_en": t.label_en, "label_vi": t.label_vi, "term": term,
                    "syllables": " ".join(syls),
                    "n_rules": 0 if rule is None else (len(rule.before) + len(rule.after) + len(rule.patterns)
                                                        + len(rule.titles) + len(rule.near)),
                })
        return pd.DataFrame(rows, columns=["theme", "label_en", "label_vi", "term", "syllables", "n_rules"])

    # -- matching -------------------------------------------------------------

    def syllabify(self, tokens: Sequence[str]) -> tuple[list[str], list[bool], list[bool]]:
        """Syllables of ``tokens``, and where a match may start / end (see the module docstring)."""
        return self._syllabify(tokens)[:3]

    def _syllabify(self, tokens: Sequence[str]):
        """:meth:`syllabify`, and per syllable whether a token starts / ends there."""
        syllables: list[str] = []
        start_ok: list[bool] = []
        end_ok: list[bool] = []
        token_start: list[bool] = []
        token_end: list[bool] = []
        compounds = self.compounds
        for tok in tokens:
            if "_" not in tok:  # one syllable: a word of its own
                syllables.append(tok)
                start_ok.append(True)
                end_ok.append(True)
                token_start.append(True)
                token_end.append(True)
                continue
            parts = tok.split("_")
            starts = compounds.get(tok, ())
            last = len(parts) - 1
            for k, part in enumerate(parts):
                syllables.append(part)
                start_ok.append(k == 0 or k in starts)
                end_ok.append(k == last or k + 1 in starts)
                token_start.append(k == 0)
                token_end.append(k == last)
        return syllables, start_ok, end_ok, token_start, token_end

    def match(self, tokens: Sequence[str]) -> list[tuple[int, int, int, int]]:
        """Accepted matches ``(theme, term, start, end)`` over the syllables of ``tokens``.

        Exclusion contexts (``before``/``after``/``near``) are applied; ``pattern`` and
        ``title`` rules are not (they need the text: see :func:`document_matches`).
        """
        return self._match(tokens)[1]

    def _match(self, tokens: Sequence[str]) -> tuple[list[str], list[tuple[int, int, int, int]]]:
        """The syllables of ``tokens`` and :meth:`match` over them (one syllabification serves both)."""
        syllables, start_ok, end_ok, token_start, token_end = self._syllabify(tokens)
        bounds = (token_start, token_end)
        first = self._first
        if not any(s in first for s in syllables):
            return syllables, []
        n = len(syllables)
        found = []
        for i, syl in enumerate(syllables):
            cands = first.get(syl)
            if cands is None or not start_ok[i]:
                continue
            for length, syls, a, b in cands:
                j = i + length
                if j > n or not end_ok[j - 1]:
                    continue
                if length > 1 and tuple(syllables[i:j]) != syls:
                    continue
                rule = self.themes[a].excludes.get(self.themes[a].terms[b])
                if rule is not None and rule.cancels(syllables, i, j, bounds):
                    continue
                found.append((a, b, i, j))
        if not found:
            return syllables, []
        # Per theme: longest first, then leftmost; no overlaps.
        found.sort(key=lambda m: (m[0], -(m[3] - m[2]), m[2]))
        accepted = []
        for _, group in itertools.groupby(found, key=lambda m: m[0]):
            taken: set[int] = set()
            for a, b, i, j in group:
                span = range(i, j)
                if not taken.intersection(span):
                    taken.update(span)
                    accepted.append((a, b, i, j))
        accepted.sort(key=lambda m: (m[2], m[0], m[1]))
        return syllables, accepted

    def token_terms(self, *, weak: bool = False) -> dict[str, list[str]]:
        """Theme id → its terms as tokens (syllables joined by ``_``), for seeding topic models.

        Weak terms are left out unless ``weak=True``: a seed should point at
        the theme, not at vocabulary it shares with others.
        """
        out = {}
        for theme in self.themes:
            toks = {"_".join(syls) for term, syls in zip(theme.terms, theme.syllables)
                    if syls and (weak or term not in theme.weak)}
            out[theme.id] = sorted(toks)
        return out

    def count_terms(self, tokens: Sequence[str]) -> Counter:
        """Occurrences per flat term index (see :meth:`term_index`)."""
        return self._count(self.match(tokens))

    def _count(self, matches: list[tuple[int, int, int, int]]) -> Counter:
        """Occurrences per flat term index of :meth:`match`'s matches."""
        return Counter(self.term_index(a, b) for a, b, _, _ in matches)


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def _tokenizers(tokenizer_config=None):
    """(document tokenizer, the same without stopword removal)."""
    from toolkit.text.segment import TokenizerConfig, get_tokenizer

    cfg = tokenizer_config if tokenizer_config is not None else TokenizerConfig()
    return get_tokenizer(cfg), get_tokenizer(dataclasses.replace(cfg, remove_stopwords=False))


def compound_words(tokens) -> Mapping[str, frozenset]:
    """Multiword terms of ``terms.txt`` → syllable offsets where one of their words starts.

    The words are pyvi's segmentation of the phrase: ``ban_tuyên_giáo`` →
    ``{0, 1}`` (``ban`` + ``tuyên_giáo``), so a match may start at ``tuyên``
    but never at ``giáo``.
    """
    return dict(_compound_words(frozenset(t for t in tokens if "_" in t)))  # a copy: picklable, unshared


@functools.lru_cache(maxsize=8)
def _compound_words(tokens: frozenset) -> Mapping[str, frozenset]:
    from toolkit.text import crf

    tokens = sorted(tokens)
    out = {}
    for token, (_, ids) in zip(tokens, crf.word_ids_many([t.split("_") for t in tokens])):
        out[token] = frozenset(k for k in range(len(ids)) if k == 0 or ids[k] != ids[k - 1])
    return types.MappingProxyType(out)


#: Negations. When one is a stopword, a term that contains it loses it with the other stopwords and
#: matches its own opposite: ``xây dựng không phép`` (unlicensed) would count ``xây dựng được phép``.
NEGATIONS = frozenset({"không", "chưa", "chẳng", "chả", "chớ", "đừng", "chẳng_hề", "không_hề", "chưa_hề"})


def _syllables(phrase: str, tokenizer, stopwords: frozenset) -> tuple[str, ...]:
    """Syllables of ``phrase`` tokenized like a document, stopword tokens removed."""
    tokens = [t for t in tokenizer.tokenize(phrase) if t not in stopwords]
    return tuple(s for t in tokens for s in t.split("_") if s)


def load_themes(path: str | os.PathLike | None = None, *, tokenizer_config=None) -> ThemeDictionary:
    """Read and compile a themes file.

    Parameters
    ----------
    path : path, optional
        Default ``themes.toml`` in :func:`toolkit.config.lexicon_dir`.
    tokenizer_config : toolkit.text.segment.TokenizerConfig, optional
        The config the documents are (to be) tokenized with.

    Returns
    -------
    ThemeDictionary

    Raises
    ------
    toolkit.errors.UserError
        (a ``ValueError``) On a malformed file, naming the file, the theme
        and the rule: unknown keys, a theme without terms, an exclusion for a
        term the theme does not list, a rule that could cancel nothing (no
        context key, or an empty one: ``near = []``), a bad regex, a
        ``${name}`` that ``[patterns]`` does not define (with the closest
        name that it does).

    Notes
    -----
    Each term is tokenized with stopword removal OFF (so the multiword terms
    of ``terms.txt`` merge exactly as in running text) and then its
    stopword tokens are dropped, as they are from the documents: the term
    ``an ninh trật tự ở khu dân cư`` becomes the syllables of
    ``an_ninh_trật_tự khu_dân_cư``. Stopword syllables inside a merged term
    stay (``quy_chế_dân_chủ_ở_cơ_sở`` keeps its ``ở``). A term left empty
    (only stopwords, or only numbers) is skipped with a warning.
    """
    path = Path(path) if path is not None else _config.lexicon_dir() / THEMES_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError("no such themes file", path=path,
                        fix="set [themes] file to your copy of corpora/lexicons/themes.toml") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
        themes = themes_from_mapping(data, tokenizer_config=tokenizer_config, source=str(path))
    except ValueError as exc:  # a bad rule, bad TOML or bad UTF-8 in the researcher's file
        message = str(exc)
        raise UserError(message, path=None if message.startswith(str(path)) else path,
                        fix="correct the named theme or rule in the themes file: the comments at the top of "
                            "corpora/lexicons/themes.toml say what each key means (README, section `python -m "
                            "toolkit themes`, 'How a term counts')") from exc
    themes.version = hashlib.sha256(raw).hexdigest()[:12]
    return themes


def themes_from_mapping(data: dict, *, tokenizer_config=None, source: str = "<inline>") -> ThemeDictionary:
    """Compile themes from a parsed TOML mapping (``{"themes": {...}, "patterns": {...}}``).

    See :func:`load_themes`; this is the file-free entry used by tests and notebooks.
    """
    unknown = set(data) - {"themes", "patterns"}
    if unknown:
        raise ValueError(f"{source}: unknown top-level key(s) {sorted(unknown)}; expected [themes.<id>] and [patterns]")
    macros = {str(k): str(v) for k, v in data.get("patterns", {}).items()}
    tokenizer, plain = _tokenizers(tokenizer_config)
    stopwords = tokenizer.stopwords
    out = []
    for theme_id, spec in data.get("themes", {}).items():
        where = f"{source}: [themes.{theme_id}]"
        if not _ID_RE.fullmatch(theme_id):
            raise ValueError(f"{where}: a theme id is lower-case snake_case")
        bad = set(spec) - _THEME_KEYS
        if bad:
            raise ValueError(f"{where}: unknown key(s) {sorted(bad)}; allowed: {sorted(_THEME_KEYS)}")
        terms = spec.get("terms")
        if not terms or not all(isinstance(t, str) and t.strip() for t in terms):
            raise ValueError(f"{where}: `terms` must be a non-empty list of phrases")
        terms = list(dict.fromkeys(unicodedata.normalize("NFC", t.strip()) for t in terms))
        syllables = []
        for term in terms:
            syls = _syllables(term, plain, stopwords)
            if not syls:
                logger.warning("%s: term %r is only stopwords or numbers after tokenization; it can never match",
                               where, term)
            elif (n_full := len(_syllables(term, plain, frozenset()))) > len(syls) and (
                    len(syls) == 1 or (len(syls) == 2 and n_full > 4)):
                # `bà đồng` would count every `đồng` (currency), `thực hiện dân chủ ở xã, phường, thị trấn`
                # every `dân chủ`: the stopwords took the sense with them
                logger.warning("%s: term %r matches as %r alone once its stopwords are removed (a broader sense); "
                               "write a longer phrase or use a `pattern`", where, term, " ".join(syls))
            syllables.append(syls)
        excludes = {}
        named_patterns = set()  # terms with a `pattern` rule of their own (not only a theme-wide one)
        for n, rule in enumerate(spec.get("exclude", []), 1):
            bad = set(rule) - _EXCLUDE_KEYS
            if bad:
                raise ValueError(f"{where}: exclude rule with unknown key(s) {sorted(bad)}; allowed: {sorted(_EXCLUDE_KEYS)}")
            rule_where = f"{where}, exclude rule #{n}"  # the n-th [[themes.<id>.exclude]] of the theme
            _check_contexts(rule, rule_where)
            # one term, or a list of terms that share the rule (the variants of one wording)
            names = [unicodedata.normalize("NFC", name.strip()) for name in _as_list(rule.get("term"))] or [""]
            if "*" in names:  # every term of the theme, including those added later
                if len(names) > 1:
                    raise ValueError(f"{where}: exclude rule for '*' (every term) names other terms too")
                names = list(terms)
            elif rule.get("pattern"):
                named_patterns.update(names)
            for term in names:
                if term not in terms:
                    raise ValueError(f"{where}: exclude rule for {term!r}, which is not among the theme's terms")
                excludes[term] = _compile_rule(term, rule, tokenizer, stopwords, macros, rule_where,
                                               excludes.get(term))
        for term in terms:
            lost = sorted(NEGATIONS & stopwords & set(plain.tokenize(term)))
            if lost and term not in named_patterns:
                logger.warning("%s: term %r loses its negation %r with the stopwords and also matches the "
                               "opposite wording; add a `pattern` exclusion for it", where, term, lost[0])
        weak = {unicodedata.normalize("NFC", str(w).strip()) for w in spec.get("weak_terms", [])}
        if weak - set(terms):
            raise ValueError(f"{where}: weak_terms {sorted(weak - set(terms))} are not among the theme's terms")
        if weak and weak >= set(terms):
            raise ValueError(f"{where}: every term is weak; at least one term must anchor the theme")
        window = spec.get("weak_alone_between")
        weak_alone = None
        if window is not None:
            if not weak or not isinstance(window, list) or len(window) != 2:
                raise ValueError(f"{where}: weak_alone_between is [FROM, TO] (dates) and needs weak_terms")
            weak_alone = (_date_bounds(window[0], where)[0], _date_bounds(window[1], where)[1])
            if weak_alone[0] > weak_alone[1]:
                raise ValueError(f"{where}: weak_alone_between {window}: FROM is after TO")
        alone_terms = {unicodedata.normalize("NFC", str(w).strip()) for w in spec.get("weak_alone_terms", [])}
        if alone_terms and window is None:
            raise ValueError(f"{where}: weak_alone_terms needs weak_alone_between")
        if alone_terms - weak:
            raise ValueError(f"{where}: weak_alone_terms {sorted(alone_terms - weak)} are not among the weak_terms")
        unless = _compile_unless(spec.get("weak_alone_unless"), window is not None, macros, theme_id, where)
        not_before = spec.get("not_before")
        not_before = None if not_before is None else _date_bounds(not_before, where)[0]
        out.append(Theme(theme_id, str(spec.get("label_en", theme_id)), str(spec.get("label_vi", theme_id)),
                         tuple(terms), tuple(syllables), excludes, frozenset(weak),
                         definition=" ".join(str(spec.get("definition", "")).split()),
                         weak_alone=weak_alone, weak_alone_terms=frozenset(alone_terms or weak),
                         weak_alone_unless=unless, not_before=not_before))
    if not out:
        raise ValueError(f"{source}: no [themes.<id>] tables")
    return ThemeDictionary(tuple(out), compound_words(tokenizer.terms), stopwords, source=source,
                           tokenizer_config=tokenizer.config)


def _compile_unless(value, has_window: bool, macros: Mapping[str, str], theme_id: str, where: str) -> tuple:
    """The compiled ``weak_alone_unless`` regexes of a theme (``()`` when the key is absent).

    Raises ``ValueError`` naming the theme: the key without ``weak_alone_between`` (it takes back
    nothing), no regex in it, a value that is not a list of strings, a ``${name}`` that
    ``[patterns]`` does not define, a bad regex.
    """
    if value is None:
        return ()
    if not has_window:
        raise ValueError(f"{where}: weak_alone_unless needs weak_alone_between (outside a window the weak terms "
                         f"never count alone, so there is nothing to take back)")
    sources = [value] if isinstance(value, str) else value
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise ValueError(f"{where}: weak_alone_unless is a list of regular expressions, not {value!r}")
    sources = [unicodedata.normalize("NFC", s) for s in sources if s.strip()]
    if not sources:
        raise ValueError(f"{where}: weak_alone_unless is empty, so it takes back nothing; list the regular "
                         f"expressions (other diseases' names) or remove the key")
    return tuple(_compile_regex(source, macros, "weak_alone_unless", theme_id, where) for source in sources)


def _date_bounds(value, where: str = "date") -> tuple[int, int]:
    """First and last day (YYYYMMDD integers) of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    import calendar
    import datetime

    if isinstance(value, datetime.date):
        value = value.isoformat()
    m = _DATE_RE.match(str(value).strip())
    if not m:
        raise ValueError(f"{where}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"{where}: {value!r} has no month {month}")
    if month is None:
        return year * 10000 + 101, year * 10000 + 1231
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return year * 10000 + month * 100 + 1, year * 10000 + month * 100 + last
    if not 1 <= day <= last:
        raise ValueError(f"{where}: {value!r} has no day {day}")
    return (year * 10000 + month * 100 + day,) * 2


def document_periods(doc_ids: Sequence[str], documents: pd.DataFrame | None) -> np.ndarray:
    """(first, last) day of each document's date as YYYYMMDD floats; NaN when undated.

    From ``date`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) where set, else ``year``.
    """
    out = np.full((len(doc_ids), 2), np.nan)
    if documents is None or not ({"date", "year"} & set(documents.columns)):
        return out
    meta = documents.assign(doc_id=documents["doc_id"].astype(str)).drop_duplicates("doc_id").set_index("doc_id")
    dates = meta["date"] if "date" in meta.columns else pd.Series(pd.NA, index=meta.index)
    years = meta["year"] if "year" in meta.columns else pd.Series(pd.NA, index=meta.index)
    for i, doc_id in enumerate(doc_ids):
        if doc_id not in meta.index:
            continue
        date, year = dates.get(doc_id), years.get(doc_id)
        for value in (date, year):
            if value is None or (not isinstance(value, str) and pd.isna(value)) or not str(value).strip():
                continue
            text = str(value).strip()
            text = text[:-2] if text.endswith(".0") else text  # a float year from CSV
            try:
                out[i] = _date_bounds(text[:10])
                break
            except ValueError:
                continue
    return out


def weak_alone_vetoes(
    doc_ids: Sequence[str],
    themes: ThemeDictionary,
    documents: pd.DataFrame | None,
    *,
    periods: np.ndarray | None = None,
    counts: np.ndarray | None = None,
) -> np.ndarray:
    """Where a theme's ``weak_alone_unless`` takes back its ``weak_alone_between`` window: documents × themes, bool.

    True for a document dated inside the theme's window whose text one of
    the theme's ``weak_alone_unless`` regexes matches (another disease named
    anywhere in a 2021 page: its ``vùng dịch`` and ``cách ly`` are that
    disease's). The text is the one ``pattern`` exclusions see: the
    document's title and body (:func:`toolkit.text.preprocess.document_text`)
    through :func:`toolkit.text.normalize.make_normalizer`. Give the result
    to :func:`apply_weak_terms` as ``vetoes``: there the theme's weak terms
    need an anchor term, as outside the window.

    Parameters
    ----------
    doc_ids : sequence of str
        The documents, in the row order of the counts.
    themes : ThemeDictionary
    documents : DataFrame or None
        Document table (``doc_id``, ``title``, ``body``, ``date``/``year``).
        ``None``: nothing is vetoed (without dates the weak terms never
        count alone anyway).
    periods : array, optional
        :func:`document_periods` of ``doc_ids``, when already computed.
    counts : array, optional
        :func:`term_counts` of these documents. With it only the documents
        where the veto changes a count are searched, those with one of the
        theme's ``weak_alone_terms`` and none of its anchor terms; the others
        stay False. Without it every document dated inside the window is
        searched (its text normalized, about as costly as counting it).

    Returns
    -------
    ndarray of bool
        Shape ``(len(doc_ids), len(themes.themes))``, columns in theme order.
    """
    out = np.zeros((len(doc_ids), len(themes.themes)), dtype=bool)
    ruled = [k for k, t in enumerate(themes.themes) if t.weak_alone_unless and t.weak_alone is not None]
    if documents is None or not ruled or not len(doc_ids):
        return out
    if periods is None:
        periods = document_periods(doc_ids, documents)
    offsets = themes._offsets
    searched = {}
    with np.errstate(invalid="ignore"):
        for k in ruled:
            theme = themes.themes[k]
            lo, hi = theme.weak_alone
            rows = (periods[:, 0] >= lo) & (periods[:, 1] <= hi)
            if counts is not None:
                cols = np.arange(offsets[k], offsets[k + 1])
                alone = np.array([term in theme.weak_alone_terms for term in theme.terms])
                anchors = np.array([term not in theme.weak for term in theme.terms])
                rows &= (counts[:, cols[alone]].sum(axis=1) > 0) & (counts[:, cols[anchors]].sum(axis=1) == 0)
            searched[k] = rows
    todo = np.flatnonzero(np.logical_or.reduce(list(searched.values())))
    if not len(todo):
        return out
    from toolkit.text.normalize import make_normalizer

    normalize = make_normalizer()  # one snapshot of the lexicons for the whole table
    wanted = {str(doc_ids[i]) for i in todo}
    texts = _document_texts(documents[documents["doc_id"].astype(str).isin(wanted)])
    for i in todo:
        text = texts.get(str(doc_ids[i]))
        if text is None:
            continue
        text = normalize(text)
        for k in ruled:
            if searched[k][i]:
                out[i, k] = any(p.search(text) is not None for p in themes.themes[k].weak_alone_unless)
    return out


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


#: The keys of an exclude rule that name contexts; a rule needs at least one (`window` only sizes `near`).
_CONTEXT_KEYS = ("before", "after", "pattern", "title", "near")


def _check_contexts(rule: Mapping, where: str) -> None:
    """Raise ``ValueError`` for an exclude rule that could never cancel anything: no context key at all
    (only ``term``), or a context key with nothing in it (``near = []``)."""
    name = f"(term {rule.get('term')!r})"
    empty = [k for k in _CONTEXT_KEYS if k in rule and not any(str(v).strip() for v in _as_list(rule[k]))]
    if empty:
        raise ValueError(f"{where} {name} has an empty `{empty[0]}`, so the rule cancels nothing; list the "
                         f"{'phrases' if empty[0] in ('before', 'after', 'near') else 'regular expressions'} "
                         f"of `{empty[0]}` or remove the key")
    if "window" not in rule and not any(k in rule for k in _CONTEXT_KEYS):
        raise ValueError(f"{where} {name} names no context, so it cancels nothing; give it at least one of "
                         + ", ".join(f"`{k}`" for k in _CONTEXT_KEYS))


def _compile_regex(source: str, macros: Mapping[str, str], key: str, owner: str, where: str, *, of: str = ""):
    """A themes-file regex (``key`` of ``owner``) with its ``${name}`` macros expanded, compiled.

    A bad regex is a ``ValueError`` located at ``where`` (``of``: whose it is, " of 'term'").
    """
    expanded = _expand_macros(source, macros, key, owner, where)
    try:
        return regex.compile(expanded)
    except regex.error as exc:
        raise ValueError(f"{where}: {key} {source!r}{of} is not a valid regex: {exc}") from exc


def _expand_macros(source: str, macros: Mapping[str, str], key: str, term: str, where: str) -> str:
    """``source`` with every ``${name}`` replaced by the regex of ``[patterns].name``.

    A ``${name}`` that ``[patterns]`` does not define is an error (it would stay in the regex, which then
    never matches); a ``$`` not followed by ``{`` is the regex's own (an end-of-line anchor).
    """
    for m in string.Template.pattern.finditer(source):
        name = m.group("braced")
        if name is None and m.group("invalid") is not None and source[m.end():m.end() + 1] == "{":
            name = source[m.end() + 1:].partition("}")[0]  # `${foreign state}`: not a name at all
        if name is None or name in macros:
            continue
        close = difflib.get_close_matches(name, list(macros), n=1, cutoff=0.6)
        hint = (f"did you mean ${{{close[0]}}}?" if close
                else f"[patterns] defines {', '.join(sorted(macros))}" if macros
                else "the file has no [patterns] table")
        raise ValueError(f"{where}: {key} {source!r} of {term!r} uses ${{{name}}}, "
                         f"which [patterns] does not define; {hint}")
    return string.Template(source).safe_substitute(macros)


def _compile_rule(term, rule, tokenizer, stopwords, macros, where, previous: ExcludeRule | None) -> ExcludeRule:
    contexts = {}
    words = set()
    for side in ("before", "after", "near"):
        seqs = []
        for phrase in _as_list(rule.get(side)):
            # `nhân_dân`: the whole word, never the end of `ủy_ban_nhân_dân`
            whole = "_" in phrase
            syls = tuple(s for t in tokenizer.tokenize(phrase.replace("_", " ")) for s in t.split("_") if s)
            if not syls:
                logger.warning("%s: %s context %r of %r is only stopwords: it never applies; use a `pattern`",
                               where, side, phrase, term)
                continue
            seqs.append(syls)
            if whole:
                words.add(syls)
        contexts[side] = tuple(seqs)
    compiled = {}
    for key in ("pattern", "title"):
        compiled[key] = [_compile_regex(source, macros, key, term, where, of=f" of {term!r}")
                         for source in _as_list(rule.get(key))]
    patterns, titles = compiled["pattern"], compiled["title"]
    window = rule.get("window", previous.window if previous is not None else 10)
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        raise ValueError(f"{where}: window of {term!r} must be a positive whole number of syllables")
    if "window" in rule and not contexts["near"]:
        raise ValueError(f"{where}: window of {term!r} needs `near` phrases")
    if previous is not None:  # several rules for one term add up
        return ExcludeRule(term, previous.before + contexts["before"], previous.after + contexts["after"],
                           previous.patterns + tuple(patterns), previous.near + contexts["near"], window,
                           previous.words | frozenset(words), previous.titles + tuple(titles))
    return ExcludeRule(term, contexts["before"], contexts["after"], tuple(patterns), contexts["near"], window,
                       frozenset(words), tuple(titles))


# --------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------


def _n_tokens(tokens: pd.DataFrame) -> np.ndarray:
    if "n_tokens" in tokens.columns:
        return tokens["n_tokens"].to_numpy(dtype=np.int64)
    return np.array([len(t) for t in tokens["tokens"]], dtype=np.int64)


def _document_texts(documents: pd.DataFrame) -> dict[str, str]:
    from toolkit.text.preprocess import document_text

    titles = documents["title"].fillna("").astype(str) if "title" in documents else [""] * len(documents)
    bodies = documents["body"].fillna("").astype(str)
    return {str(d): document_text(t, b) for d, t, b in zip(documents["doc_id"], titles, bodies)}


def _title(text: str) -> str:
    """A document's title in its :func:`_document_texts` text: the first line (the body's first line,
    its headline in scraped pages, when the table has no title)."""
    return text.partition("\n")[0]


def term_counts(
    tokens: pd.DataFrame,
    themes: ThemeDictionary,
    documents: pd.DataFrame | None = None,
    *,
    progress: bool | None = None,
) -> np.ndarray:
    """Occurrences of every term in every document: int32 array (n_documents, n_terms).

    Rows follow ``tokens``; columns follow :meth:`ThemeDictionary.to_frame`.
    ``documents`` (with ``doc_id``, ``title``, ``body``) enables the
    ``pattern`` and ``title`` exclusion rules. Counting is the costly step of the theme
    stage: :func:`theme_hits`, :func:`validate_themes` and
    :func:`~toolkit.themes.concordance.theme_kwic` accept its result as
    ``counts=`` so that one count serves all three.
    """
    counts = np.zeros((len(tokens), themes.n_terms), dtype=np.int32)
    text_rules = _text_rules(themes)
    if text_rules and documents is None:
        logger.warning("themes: %d term(s) have text `pattern`/`title` exclusions (%s) that need the document table; "
                       "they are NOT applied", len(text_rules),
                       ", ".join(sorted({themes.themes[a].terms[b] for a, b in text_rules})))
        text_rules = {}
    texts: dict[str, str] = {}
    normalize = tokenizer = None
    if text_rules:
        from toolkit.text.normalize import make_normalizer

        normalize = make_normalizer()  # one snapshot of the lexicons for the whole table
        tokenizer, _ = _tokenizers(themes.tokenizer_config)
        texts = _document_texts(documents)
    doc_ids = tokens["doc_id"].astype(str).tolist()
    for row, toks in enumerate(tqdm(tokens["tokens"], desc="themes", unit="doc",
                                    disable=None if progress is None else not progress)):
        _, matches, cancelled = document_matches(themes, toks, texts.get(doc_ids[row]), text_rules=text_rules,
                                                 normalize=normalize, tokenizer=tokenizer)
        counted = [m for k, m in enumerate(matches) if k not in cancelled] if cancelled else matches
        for col, c in themes._count(counted).items():
            counts[row, col] = c
    return counts


def _text_rules(themes: ThemeDictionary) -> dict[tuple[int, int], ExcludeRule]:
    """(theme, term) → its exclusion rule, for the terms whose rule has ``pattern`` or ``title`` regexes."""
    return {(a, b): rule for a, t in enumerate(themes.themes) for b, term in enumerate(t.terms)
            if (rule := t.excludes.get(term)) is not None and (rule.patterns or rule.titles)}


def document_matches(
    themes: ThemeDictionary,
    tokens: Sequence[str],
    text: str | None = None,
    *,
    text_rules: Mapping[tuple[int, int], ExcludeRule] | None = None,
    normalize=None,
    tokenizer=None,
) -> tuple[list[str], list[tuple[int, int, int, int]], set[int]]:
    """The occurrences of the terms in one document, and those that its text's ``title``/``pattern`` rules cancel.

    The one definition of what counts, shared by :func:`term_counts` (hence
    :func:`theme_hits`) and the KWIC of :mod:`toolkit.themes.concordance`: an
    occurrence counts when it is among ``matches`` (the ``before``/``after``/
    ``near`` rules and the longest-term rule already applied) and not in
    ``cancelled``. The weak-term and date rules, which take or leave a
    document's terms whole, come after (:func:`apply_weak_terms`).

    Parameters
    ----------
    themes : ThemeDictionary
    tokens : sequence of str
        The document's tokens (a row of the token table).
    text : str, optional
        The document's text as :func:`toolkit.text.preprocess.document_text`
        writes it (title, blank line, body), not yet normalized. ``None``: the
        text rules are not applied.
    text_rules : mapping, optional
        (theme, term) → rule, the rules to apply (default: every term's
        ``title``/``pattern`` rule).
    normalize, tokenizer : optional
        The normalizer the text goes through and the tokenizer of the pattern
        matches (default: :func:`toolkit.text.normalize.make_normalizer` and
        the dictionary's tokenizer); a caller counting many documents passes
        one of each.

    Returns
    -------
    syllables : list of str
        The document's syllables.
    matches : list of (theme, term, start, end)
        :meth:`ThemeDictionary.match` over them, in text order.
    cancelled : set of int
        Positions in ``matches`` of the occurrences that a ``title`` rule (every
        occurrence of its term) or a ``pattern`` rule (those inside a match)
        cancels.
    """
    syllables, matches = themes._match(list(tokens))
    text_rules = _text_rules(themes) if text_rules is None else text_rules
    if text is None or not text_rules or not any((a, b) in text_rules for a, b, _, _ in matches):
        return syllables, matches, set()
    if normalize is None:
        from toolkit.text.normalize import make_normalizer

        normalize = make_normalizer()
    if tokenizer is None:
        tokenizer, _ = _tokenizers(themes.tokenizer_config)
    return syllables, matches, _cancelled_in_text(text_rules, normalize(text), syllables, matches, tokenizer)


def _cancelled_in_text(text_rules: Mapping[tuple[int, int], ExcludeRule], text: str, syllables: list[str],
                       matches: list, tokenizer) -> set[int]:
    """Positions in ``matches`` (:meth:`ThemeDictionary._match` of one document) of the occurrences that the
    ``title`` and ``pattern`` rules of ``text_rules`` cancel. ``text`` is the document's normalized text."""
    live = sorted({(a, b) for a, b, _, _ in matches if (a, b) in text_rules})
    title = _title(text)
    # a title pattern shared by several terms is tried once per document
    headed: dict[regex.Pattern, bool] = {}
    cancelled_terms = set()
    for a, b in live:
        for pattern in text_rules[a, b].titles:
            if pattern not in headed:
                headed[pattern] = pattern.search(title) is not None
            if headed[pattern]:
                cancelled_terms.add((a, b))
                break
    out = {k for k, (a, b, _, _) in enumerate(matches) if (a, b) in cancelled_terms}
    located: dict[tuple[str, ...], tuple[list[int], list[tuple[int, int]]]] = {}
    # a pattern shared by several terms (a rule naming a list of terms) is searched once per document
    found: dict[regex.Pattern, list[tuple[int, int, list[str]]]] = {}
    for a, b in live:
        rule = text_rules[a, b]
        if (a, b) in cancelled_terms or not rule.patterns:
            continue
        # Locate each pattern match in the document's syllables (syllables do not depend on
        # where the segmenter put word boundaries) and cancel the occurrences inside it.
        covered: set[int] = set()
        for pattern in rule.patterns:
            if pattern not in found:
                found[pattern] = [(m.start(), m.end(), [s for t in tokenizer.tokenize(m.group(0))
                                                        for s in t.split("_") if s])
                                  for m in pattern.finditer(text)]
            for start, end, span in found[pattern]:
                covered.update(_occurrences_in(span, syllables, text, start, end, located))
        out.update(k for k, (a2, b2, i, j) in enumerate(matches)
                   if (a2, b2) == (a, b) and covered.issuperset(range(i, j)))
    return out


def _given_counts(counts: np.ndarray | None, tokens: pd.DataFrame, themes: ThemeDictionary,
                  documents: pd.DataFrame | None, progress: bool | None = None) -> np.ndarray:
    """``counts`` checked against ``tokens`` and ``themes``, or :func:`term_counts` when not given."""
    if counts is None:
        return term_counts(tokens, themes, documents, progress=progress)
    counts = np.asarray(counts)
    if counts.shape != (len(tokens), themes.n_terms):
        raise ValueError(f"counts has shape {counts.shape}; expected (documents, terms) = "
                         f"({len(tokens)}, {themes.n_terms}): term_counts() of these tokens and themes")
    return counts


def _starts(needle: list[str], hay: list[str]) -> list[int]:
    """Start positions of ``needle`` in ``hay``, in order."""
    k = len(needle)
    if not k:
        return []
    first = needle[0]
    return [i for i in range(len(hay) - k + 1) if hay[i] == first and hay[i:i + k] == needle]


def _occurrences_in(needle: list[str], hay: list[str], text: str, start: int, end: int,
                     located: dict | None = None) -> set[int]:
    """Positions of ``hay`` (the document's syllables) covered by the occurrences of ``needle``
    that lie in ``text[start:end]``.

    The syllables have lost the text's offsets, so occurrences are paired in order: the q-th time
    the needle's syllables stand in the text (words apart only by spaces or punctuation) is its
    q-th occurrence among the syllables. When the two counts differ (a stopword between the
    syllables in the text, an abbreviation expanded), every occurrence is covered, as when a
    pattern names the context of all of them. ``located`` caches, per needle, its positions in
    ``hay`` and ``text`` (one document's matches of a pattern share them).
    """
    located = {} if located is None else located
    key = tuple(needle)
    if key not in located:
        starts = _starts(needle, hay)
        found: list[tuple[int, int]] = []
        if starts:
            surface = regex.compile(r"(?<!\w)" + r"[\W_]+".join(regex.escape(s) for s in needle) + r"(?!\w)",
                                    regex.IGNORECASE)
            found = [(m.start(), m.end()) for m in surface.finditer(text)]
        located[key] = (starts, found)
    starts, found = located[key]
    if not starts:
        return set()
    k = len(needle)
    if len(found) != len(starts):
        chosen = starts
    else:
        chosen = [i for i, (a, b) in zip(starts, found) if a >= start and b <= end]
    return {p for i in chosen for p in range(i, i + k)}


def apply_weak_terms(counts: np.ndarray, themes: ThemeDictionary, periods: np.ndarray | None = None, *,
                     vetoes: np.ndarray | None = None) -> np.ndarray:
    """Apply the weak-term and date rules of every theme to a documents × terms count array.

    Weak terms are zeroed in documents where none of the theme's anchor terms
    occurs: ``dịch`` or ``cách ly`` alone are not evidence of COVID-19 (a 2018
    page on dengue fever also has them); with ``Covid-19`` in the same page
    they are. With ``periods`` (:func:`document_periods`), weak terms also
    count alone in documents dated inside the theme's ``weak_alone_between``
    window, except where ``vetoes`` (:func:`weak_alone_vetoes`, documents ×
    themes) is True, and every term of a theme is zeroed in documents dated
    before its ``not_before``. ``counts`` is in the dictionary's term order.
    """
    out = counts.copy()
    offsets = themes._offsets
    if periods is None:
        periods = np.full((counts.shape[0], 2), np.nan)
    if vetoes is not None:
        vetoes = np.asarray(vetoes, dtype=bool)
        if vetoes.shape != (counts.shape[0], len(themes.themes)):
            raise ValueError(f"vetoes has shape {vetoes.shape}; expected (documents, themes) = "
                             f"({counts.shape[0]}, {len(themes.themes)}): weak_alone_vetoes() of these documents")
    with np.errstate(invalid="ignore"):
        for k, theme in enumerate(themes.themes):
            cols = np.arange(offsets[k], offsets[k + 1])
            if theme.weak:
                weak = np.array([term in theme.weak for term in theme.terms])
                anchored = counts[:, cols[~weak]].sum(axis=1) > 0
                if theme.weak_alone is not None:
                    lo, hi = theme.weak_alone
                    in_window = (periods[:, 0] >= lo) & (periods[:, 1] <= hi)
                    if vetoes is not None:
                        in_window &= ~vetoes[:, k]  # another disease named: its epidemic words, not this theme's
                    alone = np.array([term in theme.weak_alone_terms for term in theme.terms])
                    # in the window, the listed weak terms anchor like any other term
                    anchored |= in_window & (counts[:, cols[alone]].sum(axis=1) > 0)
                out[np.ix_(~anchored, cols[weak])] = 0
            if theme.not_before is not None:
                before = periods[:, 1] < theme.not_before
                out[np.ix_(before, cols)] = 0
    return out


def ruled_counts(counts: np.ndarray, doc_ids: Sequence[str], themes: ThemeDictionary,
                 documents: pd.DataFrame | None, *, periods: np.ndarray | None = None) -> np.ndarray:
    """Raw :func:`term_counts` of ``doc_ids`` (rows in that order) with every weak-term and date rule applied.

    The one place the rules are put together: the documents' dates (:func:`document_periods`), the
    windows other diseases take back (:func:`weak_alone_vetoes`), then :func:`apply_weak_terms`.
    :func:`theme_hits`, :func:`toolkit.themes.concordance.theme_kwic` and
    :func:`toolkit.themes.validate.validation_sample` count through it, so a flag, its lines and its
    coding-sheet row agree. ``documents=None``: the plain rules only. ``periods``: the documents'
    :func:`document_periods`, when the caller needs them too.
    """
    doc_ids = [str(d) for d in doc_ids]
    if periods is None:
        periods = document_periods(doc_ids, documents)
    vetoes = weak_alone_vetoes(doc_ids, themes, documents, periods=periods, counts=counts)
    return apply_weak_terms(counts, themes, periods, vetoes=vetoes)


def theme_hits(
    tokens: pd.DataFrame,
    themes: ThemeDictionary,
    documents: pd.DataFrame | None = None,
    *,
    progress: bool | None = None,
    counts: np.ndarray | None = None,
) -> pd.DataFrame:
    """Theme occurrences per document, long format.

    Parameters
    ----------
    tokens : DataFrame
        Token table: ``doc_id``, ``tokens`` (list of str), ``n_tokens``
        (optional: ``len(tokens)``).
    themes : ThemeDictionary
        From :func:`load_themes`.
    documents : DataFrame, optional
        Document table (``doc_id``, ``title``, ``body``; ``date``/``year``):
        needed for the ``pattern`` exclusion rules (place names such as
        ``phố Chùa Bộc``) and the date rules (``weak_alone_between``,
        ``weak_alone_unless``, ``not_before``).
    progress : bool, optional
        tqdm bar; ``None``: on a terminal only.
    counts : array, optional
        :func:`term_counts` of these tokens, themes and documents, when
        already computed.

    Returns
    -------
    DataFrame
        Every document × every theme (zeros included): ``doc_id``,
        ``theme``, ``hits`` (term occurrences, non-overlapping within the
        theme), ``n_tokens``, ``per_1k_tokens`` (``1000 * hits / n_tokens``,
        NaN for an empty document) and ``present`` (``hits > 0``). Sorted by
        ``doc_id``, ``theme``.
    """
    counts = ruled_counts(_given_counts(counts, tokens, themes, documents, progress),
                          tokens["doc_id"].astype(str).tolist(), themes, documents)
    offsets = themes._offsets
    per_theme = np.add.reduceat(counts, offsets[:-1], axis=1) if counts.shape[1] else np.zeros((len(tokens), 0), int)
    n_tok = _n_tokens(tokens)
    ids = themes.ids
    n_docs, n_themes = per_theme.shape
    out = pd.DataFrame({
        "doc_id": np.repeat(tokens["doc_id"].astype(str).to_numpy(), n_themes),
        "theme": np.tile(np.array(ids, dtype=object), n_docs),
        "hits": per_theme.reshape(-1).astype(np.int64),
        "n_tokens": np.repeat(n_tok, n_themes),
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = 1000.0 * out["hits"].to_numpy() / out["n_tokens"].to_numpy()
    out["per_1k_tokens"] = np.where(out["n_tokens"].to_numpy() > 0, rate, np.nan)
    out["present"] = out["hits"] > 0
    return out.sort_values(["doc_id", "theme"], kind="mergesort", ignore_index=True)


def _hits_batch(themes: ThemeDictionary, batch: tuple[pd.DataFrame, pd.DataFrame | None]) -> pd.DataFrame:
    tokens, documents = batch
    return theme_hits(tokens, themes, documents, progress=False)


def theme_hits_batched(
    tokens: pd.DataFrame,
    themes: ThemeDictionary,
    documents: pd.DataFrame | None = None,
    *,
    n_jobs: int = 1,
    scheduler=None,
    batch_size: int = 2000,
) -> pd.DataFrame:
    """:func:`theme_hits` computed in batches of documents on local processes or a Dask cluster.

    Same result as :func:`theme_hits` (documents are independent); ``scheduler``
    is a Dask scheduler address or client (see :mod:`toolkit.distributed`).
    """
    from toolkit.distributed import BatchRunner

    if scheduler is None and (n_jobs == 1 or len(tokens) <= batch_size):
        return theme_hits(tokens, themes, documents)
    by_id = documents.set_index(documents["doc_id"].astype(str)) if documents is not None else None

    def batches():
        for start in range(0, len(tokens), batch_size):
            part = tokens.iloc[start:start + batch_size]
            docs = None
            if by_id is not None:
                docs = by_id.loc[by_id.index.intersection(part["doc_id"].astype(str))].reset_index(drop=True)
            yield part, docs

    with BatchRunner(n_jobs=n_jobs, scheduler=scheduler, shared=themes) as runner:
        parts = list(runner.map(_hits_batch, batches()))
    if not parts:
        return theme_hits(tokens, themes, documents)
    return pd.concat(parts, ignore_index=True).sort_values(["doc_id", "theme"], kind="mergesort", ignore_index=True)


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


#: Terms a warning names per theme; the returned table lists every term (``occurs``).
_NEVER_SHOWN = 8


def validate_themes(
    tokens: pd.DataFrame,
    documents: pd.DataFrame | None,
    themes: ThemeDictionary,
    by: Sequence[str] = ("province",),
    *,
    progress: bool | None = None,
    counts: np.ndarray | None = None,
) -> pd.DataFrame:
    """Document frequency of every theme term, overall and per group.

    Parameters
    ----------
    tokens : DataFrame
        Token table (``doc_id``, ``tokens``).
    documents : DataFrame or None
        Document table: the ``by`` columns, and ``title``/``body`` for the
        pattern exclusions. ``None``: no groups, no pattern rules.
    themes : ThemeDictionary
    by : sequence of str
        Group columns of ``documents`` (``district`` qualified by its
        province, as in :func:`theme_shares`).
    counts : array, optional
        :func:`term_counts` of these tokens, themes and documents, when
        already computed.

    Returns
    -------
    DataFrame
        One row per (theme, term), in file order: ``theme``, ``term``,
        ``syllables`` (how it was tokenized), ``doc_freq`` (documents with
        at least one counted occurrence), ``occurs`` (``doc_freq > 0``: a
        term absent from the corpus and one whose every occurrence its
        exclusion rules cancel are both ``False``), ``same_as`` (the earlier
        term of its theme it is once normalized, ``vắc-xin`` → ``vắc xin``,
        which counts its occurrences; else ``""``), then one column per group (the level, several ``by`` columns joined
        with ``" / "``; a district is shown as its locality,
        ``"Huyện Châu Thành, Bến Tre"``) holding the group's doc_freq, groups sorted. Terms
        that never occur are also logged as a warning: a typo in the file,
        a term the tokenizer splits differently, or a term absent from
        this corpus.
    """
    present = _given_counts(counts, tokens, themes, documents, progress) > 0
    frame = themes.to_frame()[["theme", "term", "syllables"]]
    frame["doc_freq"] = present.sum(axis=0).astype(np.int64)
    frame["occurs"] = frame["doc_freq"] > 0
    # a term written as an earlier term of its theme once normalized ("vắc-xin" and "vắc xin") never counts: the
    # earlier one takes its occurrences; said so, not listed among the terms the corpus lacks
    same = frame.duplicated(["theme", "syllables"], keep="first")
    first = frame[~same].set_index(["theme", "syllables"])["term"]
    frame["same_as"] = [first[(r.theme, r.syllables)] if twin else ""
                        for r, twin in zip(frame.itertuples(), same)]
    if by and documents is not None:
        documents, by = qualify_grouping(documents, by)
        meta = documents[["doc_id", *by]].assign(doc_id=documents["doc_id"].astype(str)).drop_duplicates("doc_id")
        meta = meta.set_index("doc_id").reindex(tokens["doc_id"].astype(str))
        # The locality already names its province and district.
        shown = [c for c in by if not ("locality" in by and c in ("province", "district"))]
        # a document whose group is unknown (no province found) gets a named column, not a blank header
        labels = (meta[shown].astype("string").fillna("").replace("", "(unknown)")
                  .agg(" / ".join, axis=1).to_numpy())
        for level in sorted(set(labels)):
            frame[level] = present[labels == level].sum(axis=0).astype(np.int64)
    if same.any():
        pairs = [f"{r.theme}: {r.term} = {r.same_as}" for r in frame[same].itertuples()]
        logger.warning("validate_themes: %d term(s) are another term of their theme once normalized (that term "
                       "counts their occurrences): %s", len(pairs), "; ".join(pairs))
    never = frame.loc[~frame["occurs"] & ~same, ["theme", "term"]]
    if len(never):
        # One line per theme, so a long list stays readable in a terminal.
        logger.warning("validate_themes: %d term(s) never counted in this corpus: absent, or every occurrence "
                       "excluded by the term's rules (`kwic CORPUS TERM` shows what counts; column `occurs`)",
                       len(never))
        for theme, terms in never.groupby("theme", sort=True)["term"]:
            shown = list(terms[:_NEVER_SHOWN])
            more = f" … and {len(terms) - len(shown)} more" if len(terms) > len(shown) else ""
            logger.warning("  %s: %s%s", theme, "; ".join(shown), more)
    return frame.reset_index(drop=True)
