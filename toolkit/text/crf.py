"""pyvi's word segmenter, same CRF model and same output, several times faster.

``pyvi.ViTokenizer.tokenize`` spends most of its time in pure Python: it
builds one dict of features per syllable, which python-crfsuite turns into
attribute strings, which crfsuite looks up one by one. This module reads the
weights of the same model file (crfsuite's binary format, exact doubles) and
computes the same scores itself:

- every distinct syllable is looked up once (per process) and kept as one row
  of a few weight tables (its own attributes summed in crfsuite's order, and
  what it contributes as the left and as the right neighbour);
- a batch of sentences is scored with a handful of vectorized numpy
  additions, performed in the order crfsuite adds the weights of an item's
  attributes, so the scores are bit-for-bit crfsuite's (an attribute that is
  absent or false adds ``0.0``, which changes no sum);
- crfsuite's Viterbi (strict ``<`` comparisons: ties go to the lower label)
  is replayed in plain Python, two labels at a time.

:func:`segment` returns exactly what ``ViTokenizer.tokenize`` returns for the
same string; the test suite checks this on many texts, and
:func:`crfsuite_labels` (the model's own tagger) is kept as the reference.

Examples
--------
>>> from toolkit.text.crf import segment, words
>>> segment("Ban Dân vận Quận ủy tổ chức hội nghị")
'Ban Dân_vận Quận_ủy tổ_chức hội_nghị'
>>> words("Ban Dân vận Quận ủy tổ chức hội nghị")
[['Ban'], ['Dân', 'vận'], ['Quận', 'ủy'], ['tổ', 'chức'], ['hội', 'nghị']]
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import pickle
import re
import string
import struct
import threading
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = [
    "LABELS",
    "crfsuite_labels",
    "labels",
    "labels_many",
    "load_model",
    "segment",
    "sylabelize",
    "word_ids_many",
    "words",
    "words_many",
]

#: The model's labels: a syllable begins a word (``B_W``) or continues one (``I_W``).
LABELS = ("B_W", "I_W")

# pyvi's syllable pattern (ViTokenizer.sylabelize) with its groups made
# non-capturing, so that ``findall`` returns the whole matches; ``re`` (not
# ``regex``) because its \w must match exactly what pyvi's does.
_SYLLABLE = re.compile(
    "|".join([
        r"[A-ZĐ]+\.", r"Tp\.", r"Mr\.", r"Mrs\.", r"Ms\.", r"Dr\.", r"ThS\.",
        "==>", "->", r"\.\.\.", ">>", "\n",
        r"\w+://[^\s]+", r"(?:[a-zA-Z0-9_.+-]+@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+)",
        r"\d+(?:[\.,_]\d+)+", r"[^\w\s]", r"\w+",
    ]),
    re.UNICODE,
)

logger = logging.getLogger("toolkit.text.crf")

_PUNCTUATION = string.punctuation
_ZERO = (0.0, 0.0)


def sylabelize(text: str) -> list[str]:
    """Split text into syllables and punctuation exactly as pyvi does (after NFC)."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return _SYLLABLE.findall(text)


# --------------------------------------------------------------------------
# The model file
# --------------------------------------------------------------------------


def _read_cqdb(data: bytes, offset: int) -> list[str]:
    """Strings of a crfsuite CQDB (constant quark database), by id."""
    if data[offset:offset + 4] != b"CQDB":
        raise ValueError("not a crfsuite model: CQDB chunk expected")
    _size, _flag, _order, n, bwd = struct.unpack_from("<5I", data, offset + 4)
    out = []
    for i in range(n):
        (pos,) = struct.unpack_from("<I", data, offset + bwd + 4 * i)
        key_id, key_size = struct.unpack_from("<2I", data, offset + pos)
        if key_id != i:
            raise ValueError("corrupt CQDB chunk in the crfsuite model")
        start = offset + pos + 8
        out.append(data[start:start + key_size - 1].decode("utf-8"))
    return out


def _read_model(data: bytes) -> tuple[list[str], dict[str, list[float]], list[list[float]]]:
    """Labels, state weights (attribute -> weight per label) and transition weights of a CRF1d model."""
    if data[:4] != b"lCRF" or data[8:12] != b"FOMC":
        raise ValueError("not a crfsuite CRF1d model")
    (_version, _nf, n_labels, _na, off_features, off_labels, off_attrs, _olr, _oar) = struct.unpack_from("<9I", data, 12)
    labels = _read_cqdb(data, off_labels)
    attrs = _read_cqdb(data, off_attrs)
    if data[off_features:off_features + 4] != b"FEAT":
        raise ValueError("not a crfsuite model: FEAT chunk expected")
    size, n = struct.unpack_from("<2I", data, off_features + 4)
    if size != 12 + 20 * n:
        raise ValueError("unexpected feature record size in the crfsuite model")
    state: dict[str, list[float]] = {}
    trans = [[0.0] * n_labels for _ in range(n_labels)]
    for kind, src, dst, weight in struct.iter_unpack("<3Id", data[off_features + 12:off_features + size]):
        if kind == 0:
            state.setdefault(attrs[src], [0.0] * n_labels)[dst] = weight
        else:
            trans[src][dst] = weight
    return labels, state, trans


class _Stub:
    """Stands for any class of the pickled estimator: keeps the state it is given."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def __setstate__(self, state) -> None:
        self.__dict__["state"] = state


class _StubUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if module == "_codecs" and name == "encode":
            return super().find_class(module, name)
        return type(name, (_Stub,), {})


def _pyvi_files() -> tuple[bytes, list[str]]:
    """pyvi's crfsuite model (bytes) and n-gram list, read without importing pyvi.

    Importing ``pyvi.ViTokenizer`` unpickles a scikit-learn estimator, which
    imports scikit-learn and SciPy (about a second per process). The model
    file travels inside that pickle; stand-in classes recover it.
    """
    spec = importlib.util.find_spec("pyvi")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pyvi is not installed")
    models = Path(next(iter(spec.submodule_search_locations))) / "models"
    with open(models / "pyvi3.pkl", "rb") as fh:
        estimator = _StubUnpickler(fh).load()
    data = estimator.state["modelfile"].state["__FILE_RESOURCE_DATA__"]
    # Read like pyvi does (codecs.open: no newline translation).
    lines = (models / "words.txt").read_bytes().decode("utf-8").split("\n")
    return data, lines


def _pyvi_files_via_pyvi() -> tuple[bytes, list[str]]:
    from pyvi.ViTokenizer import ViTokenizer

    with open(ViTokenizer.model.modelfile.name, "rb") as fh:
        data = fh.read()
    return data, [*ViTokenizer.bi_grams, *ViTokenizer.tri_grams]


class _Model:
    """pyvi's CRF as weight tables, plus the per-syllable rows built so far (one per process)."""

    #: Rows kept before the syllable table starts afresh (bounds memory on endless streams).
    max_rows = 1 << 20

    def __init__(self) -> None:
        try:
            data, lines = _pyvi_files()
        except Exception as exc:  # an unexpected pickle layout: take the slow, sure way
            logger.debug("reading pyvi's model directly failed (%r); importing pyvi", exc)
            data, lines = _pyvi_files_via_pyvi()
        labels, state, trans = _read_model(data)
        if tuple(labels) != LABELS:
            raise ValueError(f"unexpected labels of pyvi's model: {labels}")
        # pyvi's ViTokenizer.bi_grams / tri_grams: entries of two or three space-separated parts
        self.bigrams = frozenset(t for t in lines if len(t.split(" ")) == 2)
        self.trigrams = frozenset(t for t in lines if len(t.split(" ")) == 3)
        self.trans = (trans[0][0], trans[0][1], trans[1][0], trans[1][1])

        def w(name: str) -> tuple[float, float]:
            return tuple(state.get(name, _ZERO))  # type: ignore[return-value]

        self.w = {name: w(name) for name in (
            "bias", "word.isupper()", "word.istitle()", "word.isdigit()",
            "-1:word.istitle()", "-1:word.isupper()", "-1:word.bi_gram()", "-2:word.tri_gram()",
            "+1:word.istitle()", "+1:word.isupper()", "+1:word.bi_gram()", "+2:word.tri_gram()",
        )}
        self.lower = {}
        for prefix in ("word.lower():", "-1:word.lower():", "+1:word.lower():"):
            self.lower[prefix] = {k[len(prefix):]: tuple(v) for k, v in state.items() if k.startswith(prefix)}
        # Lower-cased syllables that occur in pyvi's n-gram lists get an id, so that the
        # n-gram tests of a batch are integer searches; the others can never be in one.
        grams = [g for g in (*self.bigrams, *self.trigrams) if g == g.lower()]
        vocab = sorted({s for g in grams for s in g.split(" ")})
        self.vocab = {s: i for i, s in enumerate(vocab)}
        self.base = len(vocab) + 1
        b = self.base
        bi_keys, tri_keys = [], []
        for g in grams:
            parts = [self.vocab[s] for s in g.split(" ")]
            if len(parts) == 2 and g in self.bigrams:
                bi_keys.append(parts[0] * b + parts[1])
            elif len(parts) == 3 and g in self.trigrams:
                tri_keys.append((parts[0] * b + parts[1]) * b + parts[2])
        self.bi_keys = np.unique(np.array(bi_keys, dtype=np.int64))
        self.tri_keys = np.unique(np.array(tri_keys, dtype=np.int64))
        self.lock = threading.Lock()
        self._reset_rows()

    def _reset_rows(self) -> None:
        self.index: dict[str, int] = {}
        # Row 0: "no neighbour" (sentence edges): every contribution 0.0.
        self.n_rows = 1
        cap = 4096
        self.own = np.zeros((cap, 2))  # bias, word.lower(), isupper, istitle, isdigit: summed in order
        self.left = np.zeros((cap, 3, 2))  # -1:word.lower(), -1:istitle, -1:isupper (as left neighbour)
        self.right = np.zeros((cap, 3, 2))  # +1:word.lower(), +1:istitle, +1:isupper (as right neighbour)
        self.gram = np.full(cap, -1, dtype=np.int64)  # vocabulary id of the lower-cased syllable
        self.joinable = np.zeros(cap, dtype=bool)  # not punctuation, not starting with a digit
        self.title0 = np.zeros(cap, dtype=bool)  # first character is title case

    def _add_rows(self, syllables: list[str]) -> None:
        n = self.n_rows + len(syllables)
        cap = len(self.own)
        if n > cap:
            while cap < n:
                cap *= 2
            for name in ("own", "left", "right", "gram", "joinable", "title0"):
                old = getattr(self, name)
                new = np.zeros((cap, *old.shape[1:]), dtype=old.dtype)
                if name == "gram":
                    new[:] = -1
                new[:len(old)] = old
                setattr(self, name, new)
        w = self.w
        rows = slice(self.n_rows, n)
        k = len(syllables)
        lows = [s.lower() for s in syllables]
        # crfsuite receives attribute names as C strings: a NUL ends the name.
        keys = [low.split("\0", 1)[0] if "\0" in low else low for low in lows]
        is_up = np.fromiter(map(str.isupper, syllables), dtype=bool, count=k)[:, None]
        is_ti = np.fromiter(map(str.istitle, syllables), dtype=bool, count=k)[:, None]
        is_dg = np.fromiter(map(str.isdigit, syllables), dtype=bool, count=k)[:, None]

        def weights(table: dict) -> np.ndarray:
            return np.array([table.get(key, _ZERO) for key in keys], dtype=float).reshape(k, 2)

        def flagged(flags: np.ndarray, name: str) -> np.ndarray:
            return np.where(flags, np.array(w[name]), 0.0)

        # The syllable's own attributes in crfsuite's order, added one at a time: the
        # same doubles as crfsuite's sums (adding 0.0 for an absent one changes nothing).
        own = np.zeros((k, 2))
        own += np.array(w["bias"])
        own += weights(self.lower["word.lower():"])
        own += flagged(is_up, "word.isupper()")
        own += flagged(is_ti, "word.istitle()")
        own += flagged(is_dg, "word.isdigit()")
        self.own[rows] = own
        self.left[rows, 0] = weights(self.lower["-1:word.lower():"])
        self.left[rows, 1] = flagged(is_ti, "-1:word.istitle()")
        self.left[rows, 2] = flagged(is_up, "-1:word.isupper()")
        self.right[rows, 0] = weights(self.lower["+1:word.lower():"])
        self.right[rows, 1] = flagged(is_ti, "+1:word.istitle()")
        self.right[rows, 2] = flagged(is_up, "+1:word.isupper()")
        vocab = self.vocab
        self.gram[rows] = [vocab.get(low, -1) for low in lows]
        self.joinable[rows] = [s not in _PUNCTUATION and not s[0].isdigit() for s in syllables]
        self.title0[rows] = [s[0].istitle() for s in syllables]
        self.index.update(zip(syllables, range(self.n_rows, n)))
        self.n_rows = n

    def rows(self, flat: list[str]) -> np.ndarray:
        """Row of every syllable of ``flat``, adding rows for new syllables."""
        index = self.index
        ids = list(map(index.get, flat))
        if None in ids:
            new = list(dict.fromkeys(s for s, i in zip(flat, ids) if i is None))
            if self.n_rows + len(new) > self.max_rows:
                self._reset_rows()
                new = list(dict.fromkeys(flat))
            self._add_rows(new)
            index = self.index
            ids = list(map(index.__getitem__, flat))
        return np.fromiter(ids, dtype=np.intp, count=len(ids))

    def tag(self, sentences: Sequence[list[str]]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Labels (0 ``B_W``, 1 ``I_W``) of non-empty syllable lists, concatenated.

        Returns the concatenated syllables, their labels (uint8), their rows
        and the sentence start offsets.
        """
        flat = [s for sent in sentences for s in sent]
        lengths = np.fromiter(map(len, sentences), dtype=np.intp, count=len(sentences))
        ends = np.cumsum(lengths)
        starts = ends - lengths
        n = len(flat)
        with self.lock:
            ids = self.rows(flat)
            # neighbours' rows; row 0 (all zero) beyond the sentence edges
            prev = np.zeros(n, dtype=np.intp)
            prev[1:] = ids[:-1]
            prev[starts] = 0
            nxt = np.zeros(n, dtype=np.intp)
            nxt[:-1] = ids[1:]
            nxt[ends - 1] = 0
            # n-gram flags: bi[i] for (i, i+1), tri[i] for (i, i+1, i+2), inside one sentence
            g = self.gram[ids]
            bi = np.zeros(n, dtype=bool)
            tri = np.zeros(n, dtype=bool)
            if n > 1:
                b = self.base
                ok = (g[:-1] >= 0) & (g[1:] >= 0)
                ok[ends[:-1] - 1] = False  # the pair would straddle a sentence end
                pos2 = np.flatnonzero(ok)
                key2 = g[pos2] * b + g[pos2 + 1]
                bi[pos2] = _member(key2, self.bi_keys)
                if n > 2:
                    ok3 = ok[:-1] & ok[1:]
                    pos3 = np.flatnonzero(ok3)
                    key3 = (g[pos3] * b + g[pos3 + 1]) * b + g[pos3 + 2]
                    tri[pos3] = _member(key3, self.tri_keys)
            w = self.w
            # crfsuite's order of an item's attributes: own ones, the left neighbour's, the right one's
            score = self.own[ids]
            lp = self.left[prev]
            score += lp[:, 0]
            score += lp[:, 1]
            score += lp[:, 2]
            _add_flagged(score, np.flatnonzero(bi) + 1, w["-1:word.bi_gram()"])
            _add_flagged(score, np.flatnonzero(tri) + 2, w["-2:word.tri_gram()"])
            rn = self.right[nxt]
            score += rn[:, 0]
            score += rn[:, 1]
            score += rn[:, 2]
            _add_flagged(score, np.flatnonzero(bi), w["+1:word.bi_gram()"])
            _add_flagged(score, np.flatnonzero(tri), w["+2:word.tri_gram()"])
        tags = _viterbi(score[:, 0].tolist(), score[:, 1].tolist(), starts.tolist(), ends.tolist(), self.trans)
        return flat, tags, ids, starts


def _member(keys: np.ndarray, table: np.ndarray) -> np.ndarray:
    if not len(table) or not len(keys):
        return np.zeros(len(keys), dtype=bool)
    pos = np.searchsorted(table, keys)
    np.minimum(pos, len(table) - 1, out=pos)
    return table[pos] == keys


def _add_flagged(score: np.ndarray, positions: np.ndarray, weight: tuple[float, float]) -> None:
    """``score[i] += weight`` at ``positions``: the weight itself, not a product, is added."""
    if len(positions):
        score[positions] += weight


def _viterbi(s0: list[float], s1: list[float], starts: list[int], ends: list[int], trans) -> np.ndarray:
    """crfsuite's Viterbi for two labels over each [start, end) range of the state scores.

    ``crf1dc_viterbi``: score(t, j) = max over i of (score(t-1, i) + trans(i, j)),
    the first maximum kept (strict ``<``), plus state(t, j); the last label is
    the first maximum too. Same operations, same order, so the same doubles.
    """
    t00, t01, t10, t11 = trans
    out = bytearray(len(s0))
    for start, end in zip(starts, ends):
        a0 = s0[start]
        a1 = s1[start]
        # back[k]: bit 0 = best predecessor of label 0 at start + k, bit 1 = of label 1
        back = bytearray(end - start)
        k = 0
        for c0, c1 in zip(s0[start + 1:end], s1[start + 1:end]):
            k += 1
            x = a0 + t00
            y = a1 + t10
            u = a0 + t01
            v = a1 + t11
            if y > x:
                if v > u:
                    back[k] = 3
                    a0 = y + c0
                    a1 = v + c1
                else:
                    back[k] = 1
                    a0 = y + c0
                    a1 = u + c1
            elif v > u:
                back[k] = 2
                a0 = x + c0
                a1 = v + c1
            else:
                a0 = x + c0
                a1 = u + c1
        label = 1 if a0 < a1 else 0
        k = end - start - 1
        out[start + k] = label
        while k:
            label = (back[k] >> label) & 1
            k -= 1
            out[start + k] = label
    return np.frombuffer(bytes(out), dtype=np.uint8)


@functools.lru_cache(maxsize=1)
def _model() -> _Model:
    return _Model()


def load_model() -> None:
    """Load pyvi's model now (it loads on first use otherwise; about 0.1 s once per process)."""
    _model()


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def _as_syllables(item: str | Sequence[str]) -> list[str]:
    return sylabelize(item) if isinstance(item, str) else list(item)


def labels_many(items: Sequence[str | Sequence[str]]) -> list[list[str]]:
    """CRF labels of pyvi's model for several texts or syllable lists at once."""
    sentences = [_as_syllables(x) for x in items]
    nonempty = [s for s in sentences if s]
    if not nonempty:
        return [[] for _ in sentences]
    _, tags, _, _ = _model().tag(nonempty)
    names = [LABELS[t] for t in tags.tolist()]
    out, pos = [], 0
    for s in sentences:
        out.append(names[pos:pos + len(s)])
        pos += len(s)
    return out


def labels(syllables: Sequence[str]) -> list[str]:
    """CRF labels (``B_W``/``I_W``) of pyvi's model for a syllable sequence."""
    return labels_many([list(syllables)])[0]


def crfsuite_labels(syllables: Sequence[str]) -> list[str]:
    """The same labels from the model's own crfsuite tagger (pyvi's features; the reference)."""
    from pyvi.ViTokenizer import ViTokenizer

    syllables = list(syllables)
    if not syllables:
        return []
    return ViTokenizer.model.tagger_.tag(ViTokenizer.sent2features(syllables, False))


def word_ids_many(items: Sequence[str | Sequence[str]]) -> list[tuple[list[str], list[int]]]:
    """Syllables of each text (or syllable list) and the index of the word each belongs to.

    All items are segmented in one batch. Syllables are joined into a word
    by pyvi's rule: the CRF says ``I_W``, neither syllable is punctuation or
    starts with a digit, and a title-case syllable does not continue a
    lower-case one.

    Examples
    --------
    >>> word_ids_many(["Ban Dân vận họp"])
    [(['Ban', 'Dân', 'vận', 'họp'], [0, 1, 1, 2])]
    """
    sentences = [_as_syllables(x) for x in items]
    nonempty = [s for s in sentences if s]
    if not nonempty:
        return [([], []) for _ in sentences]
    model = _model()
    flat, tags, ids, starts = model.tag(nonempty)
    n = len(flat)
    joinable, title0 = model.joinable[ids], model.title0[ids]
    new_word = np.ones(n, dtype=np.intp)
    if n > 1:
        join = (tags[1:] == 1) & joinable[1:] & joinable[:-1] & ~(title0[1:] & ~title0[:-1])
        new_word[1:] = ~join
    new_word[starts] = 1
    word = np.cumsum(new_word)
    word -= np.repeat(word[starts], np.diff(np.append(starts, n)))
    word = word.tolist()
    out = []
    pos = 0
    for s in sentences:
        end = pos + len(s)
        out.append((s, word[pos:end]))
        pos = end
    return out


def words_many(items: Sequence[str | Sequence[str]]) -> list[list[list[str]]]:
    """Words (lists of syllables) of several texts or syllable lists, segmented in one batch."""
    out = []
    for syllables, ids in word_ids_many(items):
        words: list[list[str]] = []
        for syl, i in zip(syllables, ids):
            if i == len(words):
                words.append([syl])
            else:
                words[-1].append(syl)
        out.append(words)
    return out


def words(text_or_syllables: str | Sequence[str]) -> list[list[str]]:
    """Words of a text (or of its syllables) as pyvi segments them, each a list of syllables.

    ``" ".join("_".join(w) for w in words(text)) == segment(text)`` for every
    text with at least one syllable.
    """
    return words_many([text_or_syllables])[0]


def segment(text: str) -> str:
    """Word-segment ``text``: syllables of one word joined by ``_`` (pyvi's output)."""
    syllables = sylabelize(text)
    if not syllables:
        return text
    return " ".join("_".join(w) for w in words_many([syllables])[0])
