"""Benchmark cases: each function does its set-up and returns the timed callable.

Every toolkit case has a bare baseline case run on the same data in the same
``make bench`` run; :mod:`bench.__main__` prints their ratios. Data: the
dantri corpus from ``../shared`` when present (real news text, never copied
into the project), otherwise and additionally the simulated demo corpus.
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from toolkit.config import CACHE_DIR, SHARED_DIR

DANTRI = SHARED_DIR / "corpora" / "unc-dantri" / "unc_dantri.jsonl"
VNTC = SHARED_DIR / "corpora" / "vntc" / "vntc_10topics.jsonl.gz"
BAOMOI = SHARED_DIR / "corpora" / "baomoi-2017" / "baomoi_vn_news.jsonl.gz"
BENCH_CACHE = CACHE_DIR / "bench"


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


def page_texts(source: str, n: int) -> list[str]:
    """``n`` article texts: ``dantri``/``vntc`` (real news, if present) or ``demo`` (simulated genre pages)."""
    if source == "vntc":
        import gzip

        with gzip.open(VNTC, "rt", encoding="utf-8") as fh:
            return [json.loads(line)["text"] for line in itertools.islice(fh, n)]
    if source == "dantri":
        with DANTRI.open(encoding="utf-8") as fh:
            return [json.loads(line)["text"] for line in itertools.islice(fh, n)]
    docs = demo_documents(n)
    return [f"{t}\n{b}" for t, b in zip(docs["title"], docs["body"])][:n]


def demo_documents(n_pages: int):
    """The ingested document table of a demo corpus of ``n_pages`` (cached on disk)."""
    from toolkit.config import RunConfig, CorpusConfig
    from toolkit.corpus import read_table, write_table
    from toolkit.pipeline import StageCache, load_documents

    path = BENCH_CACHE / f"demo-documents-{n_pages}.parquet"
    if path.exists():
        return read_table(path)
    config = RunConfig(corpus=CorpusConfig(n_pages=n_pages))
    documents, _, _ = load_documents(config, StageCache(BENCH_CACHE / "pipeline"))
    write_table(documents, path)
    return documents


def baomoi_documents(n_docs: int):
    """The first ``n_docs`` articles of the baomoi corpus (``../shared``) as a document table: ``doc_id``,
    ``title``, ``body`` (description, then text)."""
    import gzip

    import pandas as pd

    with gzip.open(BAOMOI, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in itertools.islice(fh, n_docs)]
    return pd.DataFrame({"doc_id": [str(r["id"]) for r in rows], "title": [r.get("title") or "" for r in rows],
                         "body": [f"{r.get('sapo') or ''}\n{r.get('body') or ''}" for r in rows]})


def synthetic_lda(n_docs: int, n_topics: int = 20, vocab_size: int = 5000, random_state: int = 0):
    from toolkit.topics.synthetic import generate_lda_corpus

    return generate_lda_corpus(n_docs, n_topics, vocab_size, doc_length=100, alpha=0.1, beta=0.01,
                               random_state=random_state)


# --------------------------------------------------------------------------
# 1. Tokenization
# --------------------------------------------------------------------------


def tokenize_toolkit(source: str, n: int):
    from toolkit.text import segment

    texts = page_texts(source, n)
    tokenizer = segment.Tokenizer(segment.TokenizerConfig())  # fresh: empty sentence cache
    tokenizer.tokenize("Khởi động mô hình.")  # load the CRF model outside the timing, as for pyvi

    def run():
        n_tokens = sum(len(tokenizer.tokenize(t)) for t in texts)
        return {"docs": len(texts), "tokens": n_tokens}
    return run


def tokenize_pyvi(source: str, n: int):
    from pyvi import ViTokenizer

    texts = page_texts(source, n)
    ViTokenizer.tokenize("Khởi động mô hình.")

    def run():
        return {"docs": len(texts), "tokens": sum(len(ViTokenizer.tokenize(t).split()) for t in texts)}
    return run


def segmentation_identity(source: str, n: int):
    """Not timed for speed: checks toolkit's CRF path gives pyvi's exact segmentation."""
    from pyvi import ViTokenizer

    from toolkit.text import crf as fastpyvi

    texts = page_texts(source, n)

    def run():
        differ = sum(fastpyvi.segment(t) != ViTokenizer.tokenize(t) for t in texts)
        return {"docs": len(texts), "identical": differ == 0, "n_different": int(differ)}
    return run


def preprocess_processes(source: str, n: int, n_jobs: int):
    import pandas as pd

    from toolkit.text.preprocess import preprocess

    texts = page_texts(source, n)
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "title": "", "body": texts})

    def run():
        out = preprocess(docs, n_jobs=n_jobs, cache_dir=None, progress=False)
        return {"docs": len(out)}
    return run


# --------------------------------------------------------------------------
# 2. LDA
# --------------------------------------------------------------------------

#: Same settings for fit_lda and the bare engine (one pass, as in the issue's reference timing).
LDA_SETTINGS = {"passes": 1, "iterations": 50, "chunksize": 2000, "alpha": "asymmetric"}
TOMOTOPY_ITERATIONS = 40


def _recovery(corpus, topic_word, vocabulary) -> float:
    from toolkit.topics.synthetic import align_topic_word, recovery_score

    return recovery_score(corpus.topic_word, align_topic_word(np.asarray(topic_word), vocabulary, corpus.vocabulary))


def lda_toolkit(n_docs: int, engine: str):
    from toolkit.topics import fit_lda

    corpus = synthetic_lda(n_docs)

    def run():
        if engine == "gensim":
            result = fit_lda(corpus.documents, 20, random_state=0, engine="gensim", min_df=1, max_df=1.0,
                             **LDA_SETTINGS)
        else:
            result = fit_lda(corpus.documents, 20, random_state=0, engine="tomotopy", min_df=1, max_df=1.0,
                             iterations=TOMOTOPY_ITERATIONS)
        return {"recovery_cosine": _recovery(corpus, result.topic_word_, result.vocabulary_)}
    return run


def lda_bare_gensim(n_docs: int):
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    corpus = synthetic_lda(n_docs)

    def run():
        dictionary = Dictionary(corpus.documents)
        bow = [dictionary.doc2bow(d) for d in corpus.documents]
        model = LdaModel(bow, num_topics=20, id2word=dictionary, random_state=0, eval_every=None,
                         **LDA_SETTINGS)
        # fit_lda also returns every document's topic proportions: the baseline computes them too.
        gamma = np.vstack([model.inference(bow[i:i + 2000])[0] for i in range(0, len(bow), 2000)])
        assert gamma.shape == (len(bow), 20)
        vocab = [dictionary[i] for i in range(len(dictionary))]
        return {"recovery_cosine": _recovery(corpus, model.get_topics(), vocab)}
    return run


def lda_bare_tomotopy(n_docs: int):
    import tomotopy as tp

    corpus = synthetic_lda(n_docs)

    def run():
        model = tp.LDAModel(k=20, seed=0)
        for doc in corpus.documents:
            model.add_doc(doc)
        model.train(TOMOTOPY_ITERATIONS, workers=1)
        doc_topic = np.array([doc.get_topic_dist() for doc in model.docs])
        assert doc_topic.shape == (len(corpus.documents), 20)
        vocab = list(model.used_vocabs)
        topic_word = np.array([model.get_topic_word_dist(k) for k in range(20)])
        return {"recovery_cosine": _recovery(corpus, topic_word, vocab)}
    return run


# --------------------------------------------------------------------------
# 3. TF-IDF
# --------------------------------------------------------------------------


def tfidf_toolkit(n_docs: int):
    from toolkit.text.vocabulary import tfidf_matrix

    documents = synthetic_lda(n_docs).documents
    tfidf_matrix([["khởi_động"]])  # imports and first-call set-up outside the timing, as for the baseline

    def run():
        matrix = tfidf_matrix(documents)[0]
        return {"nnz": int(matrix.nnz)}
    return run


def tfidf_bare(n_docs: int):
    from sklearn.feature_extraction.text import TfidfVectorizer

    documents = synthetic_lda(n_docs).documents
    TfidfVectorizer(analyzer=_identity, lowercase=False).fit_transform([["khởi_động"]])

    def run():
        vectorizer = TfidfVectorizer(analyzer=_identity, lowercase=False)
        return {"nnz": int(vectorizer.fit_transform(documents).nnz)}
    return run


def _identity(tokens):
    return tokens


# --------------------------------------------------------------------------
# 4. End to end, 5. memory
# --------------------------------------------------------------------------


def end_to_end(n_pages: int, cache_dir: str):
    """``make figures`` on a demo corpus of ``n_pages``; ``cache_dir`` empty = cold."""
    from toolkit.config import CorpusConfig, RunConfig
    from toolkit.pipeline import run_pipeline

    config = RunConfig(corpus=CorpusConfig(n_pages=n_pages))
    out = Path(cache_dir) / "reports"

    def run():
        summary = run_pipeline(config, output_dir=out, cache_dir=Path(cache_dir) / "pipeline")
        return {"n_topics": summary.n_topics, "docs": summary.n_documents, "stages": summary.timings}
    return run


def preprocess_streaming(n_pages: int, base_pages: int = 2000):
    """Peak RSS of ``toolkit preprocess`` streaming a table of ``n_pages`` documents.

    The table repeats a demo corpus of ``base_pages`` with distinct ids and a
    distinct closing sentence per copy (so every document is a new text).
    """
    import pandas as pd

    from toolkit.corpus import TableWriter

    base = demo_documents(base_pages)[["doc_id", "title", "body"]]
    path = BENCH_CACHE / f"stream-{n_pages}.parquet"
    if not path.exists():
        with TableWriter(path) as out:
            for copy in range(-(-n_pages // len(base))):
                part = base.copy()
                part["doc_id"] = part["doc_id"] + f"-{copy}"
                part["body"] = part["body"] + f"\nBài viết số {copy}."
                out.write(part.iloc[: max(0, min(len(base), n_pages - copy * len(base)))])
    tmp = Path(tempfile.mkdtemp(prefix="bench-stream-"))

    def run():
        from typer.testing import CliRunner

        import toolkit.cli.text  # noqa: F401
        from toolkit.cli import app

        result = CliRunner().invoke(app, ["preprocess", str(path), "-o", str(tmp / "tokens.parquet"), "--jobs", "1",
                                          "--no-cache"])
        if result.exit_code != 0:
            raise RuntimeError(result.output)
        return {"docs": n_pages, "table_mb": round(os.path.getsize(path) / 2**20, 1)}
    return run


def write_synthetic_corpus(n_docs: int, path: str):
    """Set-up only: write a planted LDA corpus to ``path``, one document per line, and its true topics beside it."""
    target, truth = Path(path), _truth_path(path)
    if not (target.exists() and truth.exists()):
        corpus = synthetic_lda(n_docs)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for doc in corpus.documents:
                fh.write(" ".join(doc) + "\n")
        np.savez(truth.with_suffix(".tmp.npz"), topic_word=corpus.topic_word, vocabulary=np.array(corpus.vocabulary))
        os.replace(truth.with_suffix(".tmp.npz"), truth)
        os.replace(tmp, target)
    return lambda: {"docs": n_docs}


def _truth_path(path: str) -> Path:
    return Path(path).with_suffix(".truth.npz")


class _LinesCorpus:
    """Token lists streamed from a text file on every pass."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __iter__(self):
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                yield line.split()


#: The streamed fit's settings in the memory benchmark: one pass, K = 20 (as LDA_SETTINGS, gensim's own alpha).
STREAM_SETTINGS = {"passes": 1, "iterations": 50, "min_df": 1, "max_df": 1.0}


def lda_streaming(path: str, n_docs: int, init: str = "clusters"):
    """Peak RSS, time and topic recovery of ``fit_lda(stream=True)`` reading its corpus from disk.

    The start is drawn from a seeded sample of at most 20,000 documents
    (``init="clusters"``) or is gensim's own (``init="uniform"``, the streamed
    fit before #17). Recovery: mean best-match cosine of the planted topics,
    read after the fit from the file :func:`write_synthetic_corpus` left
    beside the corpus (so the truth is not in memory during the fit).
    """
    from toolkit.topics import fit_lda
    from toolkit.topics.synthetic import align_topic_word, recovery_score

    corpus = _LinesCorpus(path)

    def run():
        result = fit_lda(corpus, 20, random_state=0, stream=True, init=init, **STREAM_SETTINGS)
        truth = np.load(_truth_path(path))
        estimated = align_topic_word(result.topic_word_, result.vocabulary_, truth["vocabulary"].tolist())
        return {"docs": n_docs, "n_terms": len(result.vocabulary_), "init_sample": result.settings_["init_sample"],
                "recovery_cosine": recovery_score(truth["topic_word"], estimated)}
    return run


def lda_in_memory(path: str, n_docs: int):
    """The same fit as :func:`lda_streaming` with the corpus in memory (token lists read from the same file)."""
    from toolkit.topics import fit_lda
    from toolkit.topics.synthetic import align_topic_word, recovery_score

    documents = list(_LinesCorpus(path))

    def run():
        result = fit_lda(documents, 20, random_state=0, **STREAM_SETTINGS)
        truth = np.load(_truth_path(path))
        estimated = align_topic_word(result.topic_word_, result.vocabulary_, truth["vocabulary"].tolist())
        return {"docs": n_docs, "recovery_cosine": recovery_score(truth["topic_word"], estimated)}
    return run


# --------------------------------------------------------------------------
# 6. Model selection: the full grid against the sampled strategy
# --------------------------------------------------------------------------

#: K grid × seeds of the selection benchmark: the planted corpus has 20 topics; the real corpus gets the
#: run config's default grid.
SELECTION_GRIDS = {"planted": (16, 20, 24), "baomoi": (8, 12, 16)}
SELECTION_SEEDS = (0, 1, 2)


def selection_documents(source: str, n_docs: int) -> list[list[str]]:
    """Token lists for the selection benchmark: ``planted`` (LDA with 20 topics) or ``baomoi`` (real news,
    segmented by the toolkit; cached on disk, never copied into the project)."""
    if source == "planted":
        return synthetic_lda(n_docs).documents
    from toolkit.corpus import read_table, write_table
    from toolkit.text.preprocess import preprocess

    path = BENCH_CACHE / f"{source}-tokens-{n_docs}.parquet"
    if not path.exists():
        tokens = preprocess(baomoi_documents(n_docs), n_jobs=-1, cache_dir=None, progress=False)
        BENCH_CACHE.mkdir(parents=True, exist_ok=True)
        write_table(tokens[["doc_id", "tokens"]], path)
    return [list(t) for t in read_table(path)["tokens"]]


def selection(source: str, n_docs: int, strategy: str):
    """``select_n_topics`` over the K × seed grid with ``strategy`` (``"full"`` or ``"sample"``, its default
    sample), as the pipeline runs it: gensim, every core, the run config's vocabulary filters."""
    from toolkit.topics.select import select_n_topics

    documents = selection_documents(source, n_docs)

    def run():
        sel = select_n_topics(documents, SELECTION_GRIDS[source], SELECTION_SEEDS, strategy=strategy, n_jobs=-1,
                              min_df=2, max_df=0.9, progress=False)
        return {"docs": len(documents), "recommended": sel.recommended, "n_docs_scored": sel.n_documents}
    return run


# --------------------------------------------------------------------------
# 7. Theme dictionary
# --------------------------------------------------------------------------


def theme_documents(source: str, n_docs: int):
    """Documents and their token table for the theme benchmark: ``baomoi`` (real 2017 news, segmented by
    the toolkit; cached on disk, never copied into the project) or ``demo`` (simulated genre pages)."""
    from toolkit.corpus import read_table, write_table
    from toolkit.text.preprocess import preprocess

    docs_path, tokens_path = (BENCH_CACHE / f"themes-{source}-{n_docs}-{kind}.parquet" for kind in ("docs", "tokens"))
    if not (docs_path.exists() and tokens_path.exists()):
        if source == "baomoi":
            docs = baomoi_documents(n_docs)
        else:
            docs = demo_documents(n_docs)[["doc_id", "title", "body"]].reset_index(drop=True)
        tokens = preprocess(docs, n_jobs=-1, cache_dir=None, progress=False)
        BENCH_CACHE.mkdir(parents=True, exist_ok=True)
        write_table(docs, docs_path)
        write_table(tokens[["doc_id", "tokens", "n_tokens"]], tokens_path)
    return read_table(docs_path), read_table(tokens_path)


def themes_keywords(source: str, n_docs: int):
    """Baseline: the shipped dictionary's terms as one case-insensitive keyword search of the text, the count
    a researcher writes by hand (no word segmentation, no senses)."""
    import regex

    from toolkit.text.normalize import normalize
    from toolkit.themes.dictionary import load_themes

    docs, _ = theme_documents(source, n_docs)
    terms = sorted({t for theme in load_themes().themes for t in theme.terms}, key=len, reverse=True)
    search = regex.compile(r"(?<!\w)(?:" + "|".join(regex.escape(t) for t in terms) + r")(?!\w)", regex.IGNORECASE)
    texts = [normalize(f"{t}\n\n{b}") for t, b in zip(docs["title"], docs["body"])]

    def run():
        return {"docs": len(texts), "hits": sum(len(search.findall(text)) for text in texts)}
    return run


def themes_toolkit(source: str, n_docs: int, rules: bool = True):
    """``theme_hits`` of the shipped dictionary on tokens computed in set-up; ``rules=False`` drops every
    ``exclude`` rule (what the sense rules cost on top of term matching)."""
    import tomllib

    from toolkit.config import lexicon_dir
    from toolkit.themes.dictionary import THEMES_FILE, theme_hits, themes_from_mapping

    docs, tokens = theme_documents(source, n_docs)
    data = tomllib.loads((lexicon_dir() / THEMES_FILE).read_text(encoding="utf-8"))
    if not rules:
        data["themes"] = {k: {key: v for key, v in spec.items() if key != "exclude"}
                          for k, spec in data["themes"].items()}
    themes = themes_from_mapping(data, source="bench")

    def run():
        hits = theme_hits(tokens, themes, docs, progress=False)
        return {"docs": len(tokens), "present": int(hits["present"].sum())}
    return run
