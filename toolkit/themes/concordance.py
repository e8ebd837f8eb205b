"""Keywords in context: the lines of the original text where a theme's terms occur.

:func:`kwic` finds every surface form of a term (as written, abbreviated, with
the syllables the tokenizer joins) in the documents' own text, so a reader sees
what the dictionary counted; :func:`theme_kwic` gives, for every document and
theme, the lines of the terms that made the document count.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import logging
import unicodedata

import numpy as np
import pandas as pd
import regex

from toolkit.themes.dictionary import (
    Theme, ThemeDictionary, _document_texts, _syllables, compound_words, document_matches,
)

logger = logging.getLogger("toolkit.themes")

# --------------------------------------------------------------------------
# KWIC
# --------------------------------------------------------------------------

# Between the syllables of a term as written: spaces, commas, dashes, and quotes, which the tokens drop too
# (the phrase "phong trào thi đua Dân vận khéo" is written 'phong trào thi đua “Dân vận khéo”').
_SEP = r"[\s,;\-–—\"“”«»]+"
# Between two syllables of a term: the separator, or up to two words the tokens may have dropped as
# stopwords ("lấy ý kiến của người dân" is a match of "lấy ý kiến người dân"); lazy, so the plain
# phrase is tried first, and never across a full stop. The tokenizer's confirmation decides.
_GAP = _SEP + r"(?:[\p{L}\p{N}]+" + _SEP + r"){0,2}?"
_CONTEXT_WORDS = 4


def _surface_variants(term: str, tokenizer) -> list[list[str]]:
    """Lower-case syllable lists that may be written for ``term`` (before confirmation).

    The phrase itself (and its normalization: an abbreviation typed as the term
    is expanded), each abbreviation whose expansion the phrase contains (or
    that contains the phrase) put in its place, each typo of a phrase part.
    """
    from toolkit.text.normalize import load_abbreviations, load_typos, normalize

    def syl(text: str) -> list[str]:
        return list(_syllable_split(text))

    base = [syl(term), syl(normalize(term))]
    variants = {tuple(v) for v in base if v}
    for phrase in [v for v in base if v]:
        for a in load_abbreviations():
            exp = syl(a.expansion)
            variants.update(tuple(v) for v in _replace_all(phrase, exp, syl(a.abbreviation)))
            if _find(exp, phrase) >= 0:  # "UBMTTQ" written for "Mặt trận Tổ quốc"
                variants.add(tuple(syl(a.abbreviation)))
        for t in load_typos():
            variants.update(tuple(v) for v in _replace_all(phrase, syl(t.correction), syl(t.typo)))
    return sorted((list(v) for v in variants if v), key=lambda v: (-sum(map(len, v)), v))


@functools.lru_cache(maxsize=4096)
def _syllable_split(text: str) -> tuple[str, ...]:
    """Lower-case syllables of ``text`` (NFC, the project's tone marks); cached: every term splits
    the same abbreviation and typo lists again."""
    from toolkit.text.normalize import normalize_tone_marks, to_nfc

    return tuple(s for s in regex.split(_SEP, normalize_tone_marks(to_nfc(text)).lower()) if s)


def _find(needle: list[str], hay: list[str]) -> int:
    k = len(needle)
    for i in range(len(hay) - k + 1):
        if hay[i:i + k] == needle:
            return i
    return -1


def _replace_all(phrase: list[str], old: list[str], new: list[str]) -> list[list[str]]:
    out = []
    i = _find(old, phrase)
    if old and i >= 0:
        out.append(phrase[:i] + new + phrase[i + len(old):])
    return out


def _words(text: str) -> list[str]:
    return text.split()


def kwic(
    documents: pd.DataFrame,
    term: str,
    *,
    window: int = 8,
    tokenizer=None,
    themes: ThemeDictionary | None = None,
    theme: str | None = None,
    tokens: pd.DataFrame | None = None,
    max_per_doc: int | None = None,
) -> pd.DataFrame:
    """Keyword in context: every occurrence of ``term`` in the original text (that counts, with ``themes``).

    Parameters
    ----------
    documents : DataFrame
        Document table: ``doc_id``, ``title``, ``body`` (``province``,
        ``district``, ``year`` are copied when present).
    term : str
        A phrase as written in a themes file (``"giải phóng mặt bằng"``).
    window : int
        Words of original text shown left and right.
    tokenizer : toolkit.text.segment.Tokenizer, optional
        Default: the shared default tokenizer.
    themes : ThemeDictionary, optional
        When ``term`` is one of its terms, KWIC shows the occurrences that
        :func:`~toolkit.themes.dictionary.theme_hits` counts for it and no
        other (a rare one it cannot find in the text has no line): its
        exclusion rules apply (``before``, ``after``, ``near``, ``pattern``,
        ``title``), and so does the longest-term rule of its theme (``đền``
        written as the first half of ``đền, chùa`` is an occurrence of the
        term ``đền chùa``, not of ``đền``). The weak-term and date rules,
        which take or leave a document's occurrences all together, do not
        apply here (:func:`theme_kwic` applies them).
    theme : str, optional
        The id of the theme whose rules apply, for a term listed by several
        themes (default: the first of them in the file).
    tokens : DataFrame, optional
        Token table of the documents (``doc_id``, ``tokens``), as counted by
        :func:`~toolkit.themes.dictionary.theme_hits`: read where the term
        has ``pattern``/``title`` rules, to tell which of its occurrences they
        cancel. A document without a row is tokenized here.
    max_per_doc : int, optional
        At most this many lines per document, the first in text order
        (``None``: every occurrence). Later candidates are not confirmed at
        all, which is what makes long documents cheap (except for a term with
        ``pattern``/``title`` rules, whose lines are paired with its
        occurrences first).

    Returns
    -------
    DataFrame
        ``doc_id, province, district, year, left, keyword, right`` sorted by
        ``doc_id`` then position; ``keyword`` is the surface string as
        written (``GPMB``, ``Giải phóng mặt bằng``, ``giải phòng mặt
        bằng``), in NFC.

    Raises
    ------
    ValueError
        When ``theme`` is not a theme of ``themes`` that lists ``term``.

    Notes
    -----
    Candidates are found with a case-insensitive regex built from the
    term's surface variants (the phrase, abbreviations from
    ``abbreviations.tsv``, typos from ``typos.tsv``, the syllables the
    matcher keeps once stopwords are gone), up to two words apart (words
    the tokens may drop as stopwords: "lấy ý kiến của người dân"), on the NFC text with
    tone marks placed by the project's convention (a length-preserving step,
    so offsets point into the original; old-style ``hoà`` is found too).
    Each candidate is then confirmed by the tokenizer: the words around it
    (a few, or as many as the rules of the term and of the longer terms
    that contain it reach) are tokenized with and without it, and it is
    kept only when it adds a match of the term's syllables under the
    matching rules of :class:`ThemeDictionary` and the other terms of its
    theme (so ``dịch`` in ``dịch vụ`` is not a hit of ``dịch``).

    The ``pattern`` and ``title`` rules need the whole document: for a term
    that has them, :func:`~toolkit.themes.dictionary.document_matches` (the
    function counting uses) tells, on the document's tokens, which of the
    term's occurrences they cancel. A document where they cancel every one
    has no line; otherwise every candidate of the document is confirmed, the
    confirmed lines are paired with the term's occurrences in text order (by
    the syllables around them when KWIC confirms more or fewer lines than
    the tokens hold occurrences), and only the lines of occurrences that
    count are kept, so a line the tokens do not hold is dropped too.
    """
    token_lists = None if tokens is None else dict(zip(tokens["doc_id"].astype(str), tokens["tokens"]))
    return _kwic(documents, term, window=window, tokenizer=tokenizer, themes=themes, theme=theme,
                 token_lists=token_lists, max_per_doc=max_per_doc)


def _owner(themes: ThemeDictionary | None, key: str, theme: str | None) -> Theme | None:
    """The theme of ``themes`` whose rules apply to the term ``key`` (see :func:`kwic`), or ``None``."""
    if themes is None:
        if theme is not None:
            raise ValueError(f"theme={theme!r} needs the themes it is one of (themes=)")
        return None
    listing = [t for t in themes.themes if key in t.terms]
    if theme is not None:
        if theme not in themes.ids:
            raise ValueError(f"unknown theme {theme!r}; the dictionary has {', '.join(themes.ids)}")
        if theme not in [t.id for t in listing]:
            raise ValueError(f"{key!r} is not a term of theme {theme!r}"
                             + (f"; it is one of {', '.join(t.id for t in listing)}" if listing else ""))
        return next(t for t in listing if t.id == theme)
    if len(listing) > 1:
        logger.info("kwic: %r is a term of %s; the rules of %s apply (choose with theme=)", key,
                    ", ".join(t.id for t in listing), listing[0].id)
    return listing[0] if listing else None


def _kwic(documents, term, *, window, tokenizer, themes, theme, token_lists, max_per_doc) -> pd.DataFrame:
    """:func:`kwic` with the token table as a mapping doc_id → tokens (``None``: tokenize where needed)."""
    from toolkit.text.normalize import make_normalizer, normalize_tone_marks, to_nfc
    from toolkit.text.segment import get_tokenizer

    tokenizer = tokenizer if tokenizer is not None else get_tokenizer()
    plain = get_tokenizer(dataclasses.replace(tokenizer.config, remove_stopwords=False))
    columns = ["doc_id", "province", "district", "year", "left", "keyword", "right"]
    key = unicodedata.normalize("NFC", term.strip())
    owner = _owner(themes, key, theme)
    if owner is None:
        syls = _syllables(term, plain, tokenizer.stopwords)
        owner, index = Theme("term", term, term, (key,), (syls,), {}), 0
    else:
        index = owner.terms.index(key)
        syls = owner.syllables[index]
    if not syls:
        logger.warning("kwic: %r has no syllables after tokenization (stopwords or numbers only)", term)
        return pd.DataFrame(columns=columns)
    # the term among the other terms of its theme: a longer term that holds it takes the occurrence
    matcher = ThemeDictionary((owner,), compound_words(tokenizer.terms), tokenizer.stopwords,
                              tokenizer_config=tokenizer.config)
    rule = owner.excludes.get(key)
    text_rules = {(0, index): rule} if rule is not None and (rule.patterns or rule.titles) else {}
    normalize = make_normalizer() if text_rules else None
    # Words of text tokenized around a candidate to confirm it: enough to hold the longer terms of the theme
    # that contain it, and the contexts of its rule and of theirs (a `near` phrase up to `window` syllables
    # away), twice over since stopwords and punctuation take surface words that the syllables do not count.
    longer = [(t, s) for t, s in zip(owner.terms, owner.syllables) if s and _find(list(syls), list(s)) >= 0]
    rules = [owner.excludes[t] for t, _ in longer if t in owner.excludes]
    reach = max([len(s) for _, s in longer]
                + [len(p) + (r.window if r.near else 0) for r in rules for p in (*r.before, *r.after, *r.near)])
    context_words = max(_CONTEXT_WORDS, 2 * reach)
    # the surface forms, and the syllables the matcher keeps (a stopword of the term may stand as another
    # stopword in the text: "công khai cho người dân" counts "công khai để người dân")
    variants = _surface_variants(term, tokenizer)
    if list(syls) not in variants:
        variants.append(list(syls))
    pattern = regex.compile(
        r"(?<![\p{L}\p{N}])(?:" + "|".join(_GAP.join(regex.escape(s) for s in v) for v in variants) + r")(?![\p{L}\p{N}])",
        regex.IGNORECASE,
    )
    logger.debug("kwic %r: syllables %s, regex %s", term, syls, pattern.pattern)

    def n_matches(text: str) -> int:
        if not text.strip():
            return 0
        return sum(1 for _, b, _, _ in matcher.match(tokenizer.tokenize(text)) if b == index)

    texts = _document_texts(documents)
    meta = documents.assign(doc_id=documents["doc_id"].astype(str)).drop_duplicates("doc_id")
    places = {c: dict(zip(meta["doc_id"], meta[c])) for c in ("province", "district", "year") if c in meta.columns}
    rows = []
    limit = None if max_per_doc is None else max(int(max_per_doc), 0)
    for doc_id in sorted(texts):
        if limit == 0:
            break
        nfc = to_nfc(texts[doc_id])
        search = normalize_tone_marks(nfc)
        shown = nfc if len(nfc) == len(search) else search
        candidates = pattern.finditer(search)
        paired = None  # with text rules: the document's syllables and the term's occurrences among them
        if text_rules:
            first = next(candidates, None)
            if first is None:
                continue
            candidates = itertools.chain([first], candidates)
            toks = token_lists.get(doc_id) if token_lists is not None else None
            if toks is None:
                toks = tokenizer.tokenize(texts[doc_id])
            # what counting decides, by the same function: which occurrences the title and patterns cancel
            syllables, matches, cancelled = document_matches(matcher, toks, texts[doc_id], text_rules=text_rules,
                                                             normalize=normalize, tokenizer=tokenizer)
            occurrences = [(k not in cancelled, i, j) for k, (_, b, i, j) in enumerate(matches) if b == index]
            if not any(counts for counts, _, _ in occurrences):
                continue  # a title rule, or patterns around every occurrence: no line counts
            paired = (syllables, occurrences)
        found = []  # (start, end, left context, right context) of the confirmed candidates
        for m in candidates:
            if paired is None and limit is not None and len(found) >= limit:
                break
            s, e = m.span()
            line_start = search.rfind("\n", 0, s) + 1
            line_end = search.find("\n", e)
            line_end = len(search) if line_end < 0 else line_end
            left_ctx = " ".join(_words(search[line_start:s])[-context_words:])
            right_ctx = " ".join(_words(search[e:line_end])[:context_words])
            with_it = n_matches(f"{left_ctx} {search[s:e]} {right_ctx}")
            if with_it == 0 or with_it <= n_matches(f"{left_ctx} {right_ctx}"):
                continue
            found.append((s, e, left_ctx, right_ctx))
        if paired is not None:
            found = _counted_lines(found, *paired, tokenizer)
        for s, e, _, _ in found[:limit]:
            rows.append({
                "doc_id": doc_id,
                **{c: places[c].get(doc_id, pd.NA) if c in places else pd.NA for c in ("province", "district", "year")},
                "left": " ".join(_words(shown[:s])[-window:]) if window > 0 else "",
                "keyword": shown[s:e],
                "right": " ".join(_words(shown[e:])[:window]) if window > 0 else "",
                "_pos": s,
            })
    out = pd.DataFrame(rows, columns=[*columns, "_pos"])
    out = out.sort_values(["doc_id", "_pos"], kind="mergesort", ignore_index=True).drop(columns="_pos")
    return out


#: Syllables on each side of an occurrence compared when KWIC lines are paired with occurrences by context.
_PAIR_CONTEXT = 6


def _counted_lines(lines: list, syllables: list[str], occurrences: list[tuple[bool, int, int]], tokenizer) -> list:
    """The confirmed KWIC ``lines`` of one document (text order) whose occurrence counts.

    ``occurrences`` are the term's occurrences among the document's
    ``syllables`` (text order), each ``(counts, start, end)``. The q-th line is
    the q-th occurrence when there are as many of each; otherwise lines and
    occurrences are paired in order so that as many as possible are paired
    and the syllables around each line agree best with those around its
    occurrence, and a line left unpaired (KWIC confirmed an occurrence the
    tokens do not hold) is dropped.
    """
    n, m = len(lines), len(occurrences)
    if n == m:
        return [line for line, (counts, _, _) in zip(lines, occurrences) if counts]
    k = _PAIR_CONTEXT

    def syl(text: str) -> list[str]:
        return [s for t in tokenizer.tokenize(text) for s in t.split("_") if s] if text.strip() else []

    def agreeing(a, b) -> int:
        return next((q for q, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))

    sides = [(syl(left)[-k:][::-1], syl(right)[:k]) for _, _, left, right in lines]
    score = [[agreeing(left, syllables[max(0, i - k):i][::-1]) + agreeing(right, syllables[j:j + k])
              for _, i, j in occurrences] for left, right in sides]
    pair = 2 * k + 1  # one more pair is worth more than any agreement of contexts
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for p in range(1, n + 1):
        for r in range(1, m + 1):
            best[p][r] = max(best[p - 1][r], best[p][r - 1], best[p - 1][r - 1] + pair + score[p - 1][r - 1])
    kept = []
    p, r = n, m
    while p and r:
        if best[p][r] == best[p - 1][r - 1] + pair + score[p - 1][r - 1]:
            if occurrences[r - 1][0]:
                kept.append(lines[p - 1])
            p, r = p - 1, r - 1
        elif best[p][r] == best[p - 1][r]:
            p -= 1
        else:
            r -= 1
    return kept[::-1]


def theme_kwic(
    documents: pd.DataFrame,
    tokens: pd.DataFrame,
    themes: ThemeDictionary,
    *,
    window: int = 8,
    max_lines: int = 5,
    counts: np.ndarray | None = None,
) -> pd.DataFrame:
    """The lines that made each document count for each theme: :func:`kwic` of the terms that matched.

    Each line is an occurrence that counted: :func:`kwic` applies the term's
    exclusion rules (``pattern`` and ``title`` included, on these tokens) and
    the longest-term rule of its theme.

    Parameters
    ----------
    documents : DataFrame
        Document table: ``doc_id``, ``title``, ``body`` (and ``date``/``year``
        for the themes' date rules).
    tokens : DataFrame
        Token table of the same documents (``doc_id``, ``tokens``), as given
        to :func:`~toolkit.themes.dictionary.theme_hits`.
    themes : ThemeDictionary
    window : int
        Words of original text shown left and right.
    max_lines : int
        Most lines kept per document and theme (the first ones in the
        dictionary's term order, then in text order).
    counts : array, optional
        :func:`~toolkit.themes.dictionary.term_counts` of these tokens,
        themes and documents, when already computed.

    Returns
    -------
    DataFrame
        ``theme, term, doc_id, left, keyword, right``, sorted by theme (file
        order), ``doc_id``, term (file order), position. Only terms that
        counted for the document are searched (the counts of
        :func:`~toolkit.themes.dictionary.theme_hits`, after the weak-term and
        date rules), and only in those documents, so the cost grows with the
        hits rather than with the dictionary. A hit found on tokens but not
        confirmed in the original text has no line: rare (19 of 7,610 counted
        occurrences on 1,500 labelled articles: more than two dropped
        stopwords, or a sentence break, between two of a term's syllables,
        where KWIC looks for at most two words and never across a full stop;
        or a one-word term whose ``near`` context is inside a compound token).
        ``validate sample`` notes them in its ``<theme>__kwic`` cells.
    """
    from toolkit.themes.dictionary import _given_counts, _tokenizers, ruled_counts

    columns = ["theme", "term", "doc_id", "left", "keyword", "right"]
    if tokens.empty or not themes.themes:
        return pd.DataFrame(columns=columns)
    doc_ids = tokens["doc_id"].astype(str).to_numpy()
    counts = ruled_counts(_given_counts(counts, tokens, themes, documents, progress=False), doc_ids.tolist(),
                          themes, documents)
    docs = documents.assign(doc_id=documents["doc_id"].astype(str)).drop_duplicates("doc_id").set_index("doc_id")
    tokenizer, _ = _tokenizers(themes.tokenizer_config)
    token_lists = dict(zip(doc_ids, tokens["tokens"]))
    cap = max(int(max_lines), 0)
    frames = []
    for a, theme in enumerate(themes.themes):
        # Lines still wanted per document for this theme: terms come in file order, so once a
        # document has its max_lines lines, the theme's later terms are not searched in it at all.
        wanted: dict[str, int] = {}
        for b, term in enumerate(theme.terms):
            rows = np.flatnonzero(counts[:, themes.term_index(a, b)])
            found = [d for d in doc_ids[rows] if d in docs.index and wanted.get(d, cap) > 0]
            if not found:
                continue
            for need in sorted({wanted.get(d, cap) for d in found}):
                group = [d for d in found if wanted.get(d, cap) == need]
                lines = _kwic(docs.loc[group].reset_index(), term, window=window, tokenizer=tokenizer, themes=themes,
                              theme=theme.id, token_lists=token_lists, max_per_doc=need)
                if lines.empty:
                    continue
                for doc_id, n in lines["doc_id"].value_counts().items():
                    wanted[doc_id] = wanted.get(doc_id, cap) - int(n)
                frames.append(lines[["doc_id", "left", "keyword", "right"]].assign(
                    theme=theme.id, term=term, _theme=a, _term=b, _line=np.arange(len(lines))))
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["_theme", "doc_id", "_term", "_line"], kind="mergesort", ignore_index=True)
    out = out.groupby(["_theme", "doc_id"], sort=False).head(max(int(max_lines), 0))
    return out[columns].reset_index(drop=True)
