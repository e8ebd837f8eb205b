"""Reposts and near-duplicate pages: which earlier document is each one a copy of?

The same article is re-posted by district, province and sector sites with
another header line, a retouched title, a few words edited. Each document is
reduced to the set of word 5-grams ("shingles") of its normalized text
(NFC, lowercase, punctuation and spaces collapsed). Exact copies are caught
by hashing that normalized text; the rest go through MinHash signatures and
a MinHash LSH index (``datasketch``), and every LSH candidate is confirmed by
the estimated Jaccard similarity of the two shingle sets. A document found to
copy a copy is mapped to the root original.

Documents are streamed through :class:`NearDuplicateIndex` one at a time, so
memory and time grow linearly with the corpus (no pairwise comparison):
about 0.5 kB of signature per indexed document plus the LSH tables.

Examples
--------
>>> base = ("Chiều 3/5, Ủy ban Mặt trận Tổ quốc xã Cổ Loa tổ chức lễ trao nhà đại "
...         "đoàn kết cho hai hộ nghèo ở thôn Đường Yên, mỗi căn trị giá 80 triệu đồng.")
>>> find_near_duplicates([base, "Tin địa phương\\n" + base, "Một bài khác hẳn."], ["a", "b", "c"])
['', 'a', '']
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
from datasketch import MinHash, MinHashLSH
from sklearn.utils import check_random_state
from tqdm.auto import tqdm

__all__ = ["NearDuplicateIndex", "find_near_duplicates", "normalize_for_dedup", "shingles"]

logger = logging.getLogger("toolkit.ingest.dedup")

_NON_WORD = re.compile(r"[\W_]+")
_CHUNK = 4096


def normalize_for_dedup(text: str) -> str:
    """NFC, lowercase, punctuation and whitespace collapsed to single spaces.

    Examples
    --------
    >>> normalize_for_dedup("  Ủy ban   MTTQ,\\n(xã Cổ Loa)… ")
    'ủy ban mttq xã cổ loa'
    """
    return _NON_WORD.sub(" ", unicodedata.normalize("NFC", text).lower()).strip()


def shingles(normalized: str, size: int = 5) -> set[str]:
    """Word ``size``-grams of normalized text; shorter texts give one shingle of all their words.

    Examples
    --------
    >>> sorted(shingles("ban dân vận huyện ủy", 3))
    ['ban dân vận', 'dân vận huyện', 'vận huyện ủy']
    >>> shingles("hội nghị", 5)
    {'hội nghị'}
    """
    words = normalized.split()
    if not words:
        return set()
    size = max(1, min(size, len(words)))
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


@functools.lru_cache(maxsize=1 << 20)
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def _shingle_hashes(normalized: str, size: int) -> np.ndarray:
    """32-bit hashes of the distinct shingles of :func:`shingles` (same sets, hashed)."""
    words = normalized.split()
    hashes = np.fromiter((_word_hash(word) for word in words), dtype=np.uint64, count=len(words))
    size = max(1, min(size, len(words)))
    n = len(words) - size + 1
    combined = hashes[:n].copy()
    for offset in range(1, size):
        combined = combined * _MULTIPLIER + hashes[offset:offset + n]  # wraps mod 2**64
    return np.unique((combined ^ (combined >> np.uint64(32))).astype(np.uint32))


def _lsh_params(threshold: float, num_perm: int, recall: float = 0.99) -> tuple[int, int]:
    """Bands and rows giving ``recall`` at the threshold, with as few false candidates as possible.

    datasketch's own choice balances false positives against false
    negatives and finds only ~40% of pairs right at the threshold; every
    candidate is confirmed here anyway, so recall matters more.
    """
    for rows in range(max(1, num_perm // 2), 0, -1):  # datasketch needs two bands or more
        bands = num_perm // rows
        if 1.0 - (1.0 - threshold ** rows) ** bands >= recall:
            return bands, rows
    return num_perm, 1


def _seed(random_state) -> int:
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return int(random_state) % (1 << 32)
    return int(check_random_state(random_state).randint(0, np.iinfo(np.int32).max))


class NearDuplicateIndex:
    """Incremental near-duplicate finder: add documents in priority order.

    Parameters
    ----------
    threshold
        Estimated Jaccard similarity of shingle sets at or above which a
        document is a near-duplicate of an earlier one.
    shingle_size
        Words per shingle (texts shorter than this use all their words as
        one shingle).
    num_perm
        MinHash permutations (signature length).
    random_state
        Seed of the MinHash permutations (an int, or a NumPy random state /
        generator from which one int is drawn). Same seed, same answers.

    Attributes
    ----------
    n_docs_ : int
        Documents added so far.
    n_duplicates_ : int
        Documents found to be duplicates so far.

    Examples
    --------
    >>> index = NearDuplicateIndex()
    >>> text = ("Đoàn Thanh niên phường Phúc Xá ra quân dọn vệ sinh môi trường, "
    ...         "trồng 200 cây xanh dọc bờ sông Hồng trong ngày Chủ nhật xanh.")
    >>> index.add("p1", text), index.add("p2", text.upper()), index.add("p3", "Tin khác.")
    ('', 'p1', '')
    """

    def __init__(self, threshold: float = 0.8, *, shingle_size: int = 5, num_perm: int = 128,
                 random_state=0):
        self.threshold = threshold
        self.shingle_size = shingle_size
        self.num_perm = num_perm
        self.random_state = random_state

    def _setup(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if self.shingle_size < 1:
            raise ValueError(f"shingle_size must be >= 1, got {self.shingle_size}")
        seed = _seed(self.random_state)
        template = MinHash(num_perm=self.num_perm, seed=seed, scheme="affine32")
        self._permutations = template.permutations
        self._lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm,
                               params=_lsh_params(self.threshold, self.num_perm))
        self._exact: dict[bytes, int] = {}
        self._signatures: list[np.ndarray] = []
        self._ids: list[str] = []
        self._root: list[int] = []
        self.n_docs_ = 0
        self.n_duplicates_ = 0

    def _signature_of(self, position: int) -> np.ndarray:
        return self._signatures[position // _CHUNK][position % _CHUNK]

    def _store(self, position: int, hashvalues: np.ndarray | None) -> None:
        if position % _CHUNK == 0:
            self._signatures.append(np.zeros((_CHUNK, self.num_perm), dtype=np.uint32))
        if hashvalues is not None:
            self._signatures[-1][position % _CHUNK] = hashvalues

    def add(self, doc_id: str, text: str) -> str:
        """Add the next document; return the id of its root original, or ``""``.

        Documents with no words are never duplicates (nor originals).
        """
        if not hasattr(self, "_lsh"):
            self._setup()
        position = self.n_docs_
        self.n_docs_ += 1
        self._ids.append(doc_id)
        normalized = normalize_for_dedup(text)
        if not normalized:
            self._root.append(position)
            self._store(position, None)
            return ""
        key = hashlib.blake2b(normalized.encode("utf-8"), digest_size=16).digest()
        if key in self._exact:
            root = self._root[self._exact[key]]
            self._root.append(root)
            self._store(position, None)
            self.n_duplicates_ += 1
            return self._ids[root]
        self._exact[key] = position
        # Shingles are hashed here (vectorized); datasketch's affine32 scheme
        # pre-mixes the given 32-bit values, so ``int`` is a safe hashfunc.
        minhash = MinHash(num_perm=self.num_perm, permutations=self._permutations, scheme="affine32",
                          hashfunc=int)
        minhash.update_batch(_shingle_hashes(normalized, self.shingle_size).tolist())
        signature = minhash.hashvalues.astype(np.uint32, copy=False)
        best, best_similarity = -1, -1.0
        for candidate in self._lsh.query(minhash):
            similarity = float(np.mean(self._signature_of(candidate) == signature))
            if similarity >= self.threshold and (similarity > best_similarity
                                                 or (similarity == best_similarity and candidate < best)):
                best, best_similarity = candidate, similarity
        self._store(position, signature)
        self._lsh.insert(position, minhash, check_duplication=False)
        if best < 0:
            self._root.append(position)
            return ""
        root = self._root[best]
        self._root.append(root)
        self.n_duplicates_ += 1
        return self._ids[root]


def find_near_duplicates(
    texts: Sequence[str],
    doc_ids: Sequence[str],
    *,
    threshold: float = 0.8,
    shingle_size: int = 5,
    num_perm: int = 128,
    random_state=0,
    progress: bool | None = None,
) -> list[str]:
    """For each text, the id of the earlier document it re-posts (``""`` if none).

    Parameters
    ----------
    texts
        Documents in priority order: the earliest copy of an article first.
    doc_ids
        Their ids, same length.
    threshold, shingle_size, num_perm, random_state
        See :class:`NearDuplicateIndex`.
    progress
        Show a progress bar (default: when attached to a terminal and the
        corpus is large).

    Returns
    -------
    list of str
        For position ``i``, the id of the root original of ``texts[i]`` (the
        first document of its chain of copies), or ``""``.

    Examples
    --------
    >>> a = ("Hội Cựu chiến binh huyện Sóc Sơn tổng kết phong trào thi đua, "
    ...      "khen thưởng 25 tập thể và 40 cá nhân có thành tích xuất sắc.")
    >>> find_near_duplicates([a, a + " (Ảnh: Văn Hùng)", "Một tin khác"], ["x", "y", "z"])
    ['', 'x', '']
    """
    if len(texts) != len(doc_ids):
        raise ValueError(f"{len(texts)} texts but {len(doc_ids)} doc_ids")
    if not len(texts):
        return []
    index = NearDuplicateIndex(threshold, shingle_size=shingle_size, num_perm=num_perm,
                               random_state=random_state)
    disable = (True if len(texts) < 10_000 else None) if progress is None else not progress
    found = [index.add(doc_id, text) for doc_id, text in
             tqdm(zip(doc_ids, texts), total=len(texts), desc="dedup", unit="doc", disable=disable)]
    logger.debug("dedup: %d of %d documents are copies", index.n_duplicates_, len(texts))
    return found
