"""Document table → token table, in parallel, with a cache of unchanged documents.

The token table has one row per document:

========================  ===========================================================
``doc_id`` (str)          the document's id
``tokens`` (list of str)  :func:`toolkit.text.segment.tokenize` of ``title + "\\n\\n" + body``
``n_tokens`` (int)        ``len(tokens)``
``persons`` (list of str) person names found (normalized full names, sorted, unique)
``lexicon_version`` (str) :func:`toolkit.config.lexicon_version` of the lexicons used
========================  ===========================================================

Rows keep the order of the input. The cache (one SQLite database under
``cache_dir``, each chunk written in one transaction) is keyed by the text's
hash, the lexicon version, the tokenizer config's fingerprint, the toolkit
version and a hash of the normalizer's and segmenter's source
(:func:`code_version`), so a re-run only segments documents whose text,
lexicons, settings or tokenizing code changed. It stores JSON, never pickles.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

import toolkit
from toolkit.distributed import BatchRunner
from toolkit.text.segment import Tokenizer, TokenizerConfig, get_tokenizer

logger = logging.getLogger("toolkit.text.preprocess")

TOKEN_COLUMNS = ("doc_id", "tokens", "n_tokens", "persons", "lexicon_version", "text_hash")
CACHE_FILE = "tokens.sqlite"


def text_hash(text: str) -> str:
    """The digest a token table keeps of the text it was made from (16 hex digits of SHA-256).

    ``text_hash(document_text(title, body))``: a token table given with
    ``--tokens`` is checked against the corpus's texts, so tokens of an older
    or truncated copy of a document are not used for it.
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def document_text(title: str, body: str) -> str:
    """The text that is tokenized for one document: title, blank line, body."""
    title = title or ""
    body = body or ""
    return f"{title}\n\n{body}" if title else body


class TokenCache:
    """Token lists of already processed texts, in ``directory/tokens.sqlite``.

    Parameters
    ----------
    directory : Path
        Created if missing.
    """

    def __init__(self, directory: str | os.PathLike) -> None:
        self.path = Path(directory) / CACHE_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE IF NOT EXISTS tokens (key TEXT PRIMARY KEY, tokens TEXT NOT NULL, persons TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    def get_many(self, keys: list[str]) -> dict[str, tuple[list[str], list[str]]]:
        out = {}
        with self._connect() as conn:
            for start in range(0, len(keys), 500):
                batch = keys[start:start + 500]
                rows = conn.execute(
                    f"SELECT key, tokens, persons FROM tokens WHERE key IN ({','.join('?' * len(batch))})", batch)
                for key, tokens, persons in rows:
                    out[key] = (json.loads(tokens), json.loads(persons))
        return out

    def put_many(self, items: dict[str, tuple[list[str], list[str]]]) -> None:
        """Store ``items`` in one transaction: all of them or, on failure, none."""
        with self._connect() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO tokens (key, tokens, persons) VALUES (?, ?, ?)",
                [(k, json.dumps(t, ensure_ascii=False), json.dumps(p, ensure_ascii=False))
                 for k, (t, p) in sorted(items.items())])

    def __len__(self) -> int:
        with self._connect() as conn:
            return conn.execute("SELECT COUNT(*) FROM tokens").fetchone()[0]


@functools.lru_cache(maxsize=1)
@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the source of the modules that turn text into tokens (normalizer, segmenter, CRF).

    Read once per process (the code that runs is the code that was loaded).

    Part of every token-cache key: a change to how text is normalized or segmented invalidates the
    cached tokens even when the toolkit's version number stays the same.
    """
    from toolkit.text import crf, normalize, segment

    digest = hashlib.sha256()
    for module in (normalize, segment, crf):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


def cache_key(text: str, tokenizer: Tokenizer) -> str:
    """Text hash + lexicon version + tokenizer fingerprint + toolkit version + :func:`code_version`."""
    digest = hashlib.sha256()
    for part in (toolkit.__version__, code_version(), tokenizer.lexicon_version, tokenizer.config.fingerprint(),
                 text):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


#: Joins a document's tokens on the way back from a worker: one string pickles
#: far faster than a list of thousands of small ones (tokens never contain it).
_SEP = "\x1f"


def _analyze_batch(tokenizer: Tokenizer, texts: list[str]) -> list[tuple[str, str]]:
    out = []
    for text in texts:
        tokens, persons = tokenizer.analyze(text)
        out.append((_SEP.join(tokens), _SEP.join(persons)))
    return out


def _split(joined: str) -> list[str]:
    return joined.split(_SEP) if joined else []


def _chunks(documents: pd.DataFrame | Iterable[pd.DataFrame], chunk_size: int) -> Iterator[pd.DataFrame]:
    if isinstance(documents, pd.DataFrame):
        for start in range(0, len(documents), chunk_size):
            yield documents.iloc[start:start + chunk_size]
    else:
        for frame in documents:
            yield from _chunks(frame, chunk_size)


def iter_preprocess(
    documents: pd.DataFrame | Iterable[pd.DataFrame],
    *,
    config: TokenizerConfig | None = None,
    n_jobs: int = -1,
    cache_dir: str | os.PathLike | None = None,
    chunk_size: int = 128,
    progress: bool | None = None,
    scheduler=None,
) -> Iterator[pd.DataFrame]:
    """Token table in chunks, so memory stays flat in corpus size.

    Parameters
    ----------
    documents : DataFrame or iterable of DataFrames
        Needs ``doc_id``, ``title``, ``body``; an iterable of frames is read
        one frame at a time.
    config : TokenizerConfig, optional
    n_jobs : int
        Worker processes: ``1`` runs inline, ``-1`` uses all cores.
    cache_dir : path, optional
        Folder of the token cache; ``None``: no cache.
    chunk_size : int
        Documents per yielded chunk (and per cache transaction and per batch
        sent to a worker).
    progress : bool, optional
        Show a tqdm bar; ``None``: only on a terminal.
    scheduler : str or dask.distributed.Client, optional
        Segment on this Dask cluster instead of local processes (see
        :mod:`toolkit.distributed`).

    Yields
    ------
    DataFrame
        Rows of the token table (module docstring) in input order; ``attrs``
        holds ``n_processed`` (documents segmented now) and ``n_cached``
        (taken from the cache).
    """
    tokenizer = get_tokenizer(config)
    cache = TokenCache(cache_dir) if cache_dir is not None else None
    total = len(documents) if isinstance(documents, pd.DataFrame) else None
    bar = tqdm(total=total, unit="doc", desc="preprocess", disable=(None if progress is None else not progress))
    prepared: collections.deque = collections.deque()

    def batches() -> Iterator[list[str]]:
        # Cache look-ups happen here, in this process, while workers segment
        # earlier chunks; only texts not in the cache travel to the workers.
        for chunk in _chunks(documents, chunk_size):
            missing = sorted({"doc_id", "title", "body"} - set(chunk.columns))
            if missing:
                raise ValueError(f"documents lack column(s) {', '.join(missing)}: expected a document table")
            texts = [document_text(t, b) for t, b in zip(chunk["title"].fillna("").astype(str),
                                                            chunk["body"].fillna("").astype(str))]
            # Without a cache the text itself is the key (no hashing work in this process).
            keys = [cache_key(t, tokenizer) for t in texts] if cache is not None else texts
            done = cache.get_many(sorted(set(keys))) if cache is not None else {}
            todo: dict[str, str] = {}
            for key, text in zip(keys, texts):
                if key not in done:
                    todo.setdefault(key, text)  # identical texts in a chunk are segmented once
            prepared.append((chunk, keys, done, list(todo), [text_hash(t) for t in texts]))
            yield list(todo.values())

    runner = BatchRunner(n_jobs=n_jobs if scheduler is None else 1, scheduler=scheduler, shared=tokenizer)
    try:
        with runner:
            for results in runner.map(_analyze_batch, batches()):
                chunk, keys, done, todo_keys, digests = prepared.popleft()
                fresh = {k: (_split(t), _split(p)) for k, (t, p) in zip(todo_keys, results)}
                if cache is not None and fresh:
                    cache.put_many(fresh)
                done.update(fresh)
                n_processed = sum(1 for k in keys if k in fresh)
                out = pd.DataFrame({
                    "doc_id": chunk["doc_id"].astype(str).tolist(),
                    # One string object per distinct token (the vocabulary), not one per occurrence: 31
                    # million tokens of 80,000 articles took 2 GB as separate strings.
                    "tokens": [list(map(sys.intern, done[k][0])) for k in keys],
                    "n_tokens": [len(done[k][0]) for k in keys],
                    "persons": [list(done[k][1]) for k in keys],
                    "lexicon_version": tokenizer.lexicon_version,
                    "text_hash": digests,
                })
                out["n_tokens"] = out["n_tokens"].astype("int64")
                out.attrs["n_processed"] = n_processed
                out.attrs["n_cached"] = len(keys) - n_processed
                bar.update(len(keys))
                yield out
    finally:
        bar.close()


def empty_tokens() -> pd.DataFrame:
    """An empty token table."""
    return pd.DataFrame({
        "doc_id": pd.Series([], dtype=str), "tokens": pd.Series([], dtype=object),
        "n_tokens": pd.Series([], dtype="int64"), "persons": pd.Series([], dtype=object),
        "lexicon_version": pd.Series([], dtype=str), "text_hash": pd.Series([], dtype=str),
    })


def preprocess(
    documents: pd.DataFrame | Iterable[pd.DataFrame],
    *,
    config: TokenizerConfig | None = None,
    n_jobs: int = -1,
    cache_dir: str | os.PathLike | None = None,
    chunk_size: int = 128,
    progress: bool | None = None,
    scheduler=None,
) -> pd.DataFrame:
    """The token table of a document table (see :func:`iter_preprocess`).

    ``attrs`` of the result holds ``n_processed`` and ``n_cached`` summed
    over the whole run.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a"], "title": ["Hội nghị"],
    ...                      "body": ["Vận động nhân dân GPMB."]})
    >>> preprocess(docs, n_jobs=1)["tokens"][0]  # doctest: +SKIP
    ['hội_nghị', 'vận_động_nhân_dân', 'giải_phóng_mặt_bằng']
    """
    parts = list(iter_preprocess(documents, config=config, n_jobs=n_jobs, cache_dir=cache_dir,
                                 chunk_size=chunk_size, progress=progress, scheduler=scheduler))
    if not parts:
        return empty_tokens()
    out = pd.concat(parts, ignore_index=True)
    out.attrs = {"n_processed": sum(p.attrs["n_processed"] for p in parts),
                 "n_cached": sum(p.attrs["n_cached"] for p in parts)}
    logger.info("preprocess: %d documents, %d segmented, %d from cache",
                len(out), out.attrs["n_processed"], out.attrs["n_cached"])
    return out


def vocabulary_report(
    documents: pd.DataFrame,
    tokens_table: pd.DataFrame,
    *,
    config: TokenizerConfig | None = None,
) -> pd.DataFrame:
    """Which lexicon terms survive tokenization as one token.

    Parameters
    ----------
    documents : DataFrame
        Document table (``doc_id``, ``title``, ``body``).
    tokens_table : DataFrame
        Its token table (``doc_id``, ``tokens``).
    config : TokenizerConfig, optional
        The config the token table was made with.

    Returns
    -------
    DataFrame
        One row per term of ``terms.txt``: ``term`` (as written), ``token``,
        ``n_docs_text`` (documents whose normalized text contains the phrase,
        also inside a longer term), ``n_docs_tokens`` (documents with the
        token), ``share_kept`` (their ratio; NaN when the phrase never
        occurs) and ``stopword`` (the token is dropped on purpose).
        Sorted by ``n_docs_text`` descending, then ``token``. A term with
        ``n_docs_text > 0`` and a low ``share_kept`` did not survive:
        usually a longer term absorbed it, or it is a stopword.
    """
    tokenizer = get_tokenizer(config)
    text_counts: dict[str, int] = dict.fromkeys(tokenizer.terms, 0)
    for title, body in zip(documents["title"].fillna("").astype(str), documents["body"].fillna("").astype(str)):
        for token in tokenizer.terms_in_text(document_text(title, body)):
            text_counts[token] += 1
    token_counts: dict[str, int] = dict.fromkeys(tokenizer.terms, 0)
    for tokens in tokens_table["tokens"]:
        for token in set(tokens) & token_counts.keys():
            token_counts[token] += 1
    out = pd.DataFrame({
        "term": [tokenizer.terms[t] for t in tokenizer.terms],
        "token": list(tokenizer.terms),
        "n_docs_text": [text_counts[t] for t in tokenizer.terms],
        "n_docs_tokens": [token_counts[t] for t in tokenizer.terms],
    })
    out["share_kept"] = (out["n_docs_tokens"] / out["n_docs_text"].where(out["n_docs_text"] > 0)).astype("float64")
    out["stopword"] = out["token"].isin(tokenizer.stopwords)
    return out.sort_values(["n_docs_text", "token"], ascending=[False, True], ignore_index=True)
