"""What several commands read: the corpus under the repost policy, its token table, a fitted topic model.

One loader per input, so every command treats it the same way:

:func:`load_documents`
    the document table with reposts left out unless ``--include-duplicates``;
:func:`load_tokens`
    the token table of those documents, in their order: from ``--tokens``
    (every document must have a row, else a usage error that says which) or
    tokenized now with the preprocess cache (and the log says so);
:func:`load_model`
    a model folder written by ``topics`` and the corpus rows aligned with its
    documents by ``doc_id``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from toolkit.config import CACHE_DIR

logger = logging.getLogger("toolkit.cli")

#: Where commands cache tokenized documents (the default of ``preprocess --cache-dir``).
TOKEN_CACHE = CACHE_DIR / "preprocess"


def split_list(value: str | None) -> list[str]:
    """``"a, b,,c"`` → ``["a", "b", "c"]`` (comma-separated option values)."""
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def check_columns(documents, columns: list[str], hint: str) -> None:
    """A usage error naming the columns ``documents`` lacks."""
    missing = [c for c in columns if c not in documents.columns]
    if missing:
        raise typer.BadParameter(f"the corpus has no column(s) {', '.join(missing)}", param_hint=hint)


def load_documents(corpus: Path, include_duplicates: bool):
    """The document table of ``corpus`` that counts and models use (the repost policy applied)."""
    from toolkit.corpus import apply_repost_policy, read_documents

    documents = read_documents(corpus)
    return apply_repost_policy(documents.assign(doc_id=documents["doc_id"].astype(str)), include_duplicates)


def load_tokens(documents, tokens_path: Path | None, jobs: int, scheduler: str | None = None):
    """The token table of ``documents``: one row per document, in the order of ``documents``.

    Parameters
    ----------
    documents : pandas.DataFrame
        Documents with a ``doc_id`` column (after the repost policy).
    tokens_path : Path or None
        A token table from ``preprocess`` (``--tokens``). Every document must
        have a row in it, made from its present text (the table's ``text_hash``,
        when it has one), else :class:`typer.BadParameter` names how many do not
        and one of them; rows of other documents (reposts left out, another
        corpus's documents) are ignored. ``None``: the documents are tokenized
        now with :func:`toolkit.text.preprocess.preprocess`, through the
        preprocess cache (``.cache/preprocess``), and the log says so.
    jobs, scheduler
        Workers for tokenizing (``--jobs``, ``--scheduler``).

    Returns
    -------
    pandas.DataFrame
        The token table (``doc_id, tokens, …``), ``tokens`` as lists.
    """
    from toolkit.corpus import read_table

    doc_ids = documents["doc_id"].astype(str)
    if tokens_path is not None:
        table = read_table(tokens_path)
        absent = [c for c in ("doc_id", "tokens") if c not in table.columns]
        if absent:
            raise typer.BadParameter(f"{tokens_path} is not a token table (no column {', '.join(absent)}); "
                                     "write one with `toolkit preprocess`", param_hint="--tokens")
        table = table.assign(doc_id=table["doc_id"].astype(str)).drop_duplicates("doc_id")
        missing = sorted(set(doc_ids) - set(table["doc_id"]))
        if missing:
            raise typer.BadParameter(
                f"{len(missing)} of the corpus's {len(doc_ids)} documents have no row in {tokens_path} "
                f"(e.g. doc_id {missing[0]}): give the token table of this corpus, or rerun `toolkit preprocess`",
                param_hint="--tokens")
        _check_texts(documents, table, tokens_path)
        logger.info("tokens of %d documents read from %s", len(doc_ids), tokens_path)
    else:
        from toolkit.text.preprocess import preprocess

        logger.info("no --tokens: tokenizing %d documents (cache %s)", len(doc_ids), TOKEN_CACHE)
        table = preprocess(documents, n_jobs=jobs, cache_dir=TOKEN_CACHE, scheduler=scheduler)
        table = table.assign(doc_id=table["doc_id"].astype(str)).drop_duplicates("doc_id")
        logger.info("tokenized %d documents (%d from the cache)", len(table), table.attrs.get("n_cached", 0))
    tokens = table.set_index("doc_id").loc[doc_ids.tolist()].reset_index()
    tokens["tokens"] = tokens["tokens"].map(list)
    return tokens


def _check_texts(documents, table, tokens_path: Path) -> None:
    """Raise unless the token table was made from these documents' texts (its ``text_hash``), when it says."""
    from toolkit.text.preprocess import document_text, text_hash

    if "text_hash" not in table.columns:
        logger.info("%s has no text_hash column (written before it was added): its tokens cannot be checked "
                    "against the corpus's texts", tokens_path)
        return
    made_from = table.set_index("doc_id")["text_hash"]
    ids = documents["doc_id"].astype(str).tolist()
    titles = documents["title"].fillna("").astype(str) if "title" in documents else [""] * len(ids)
    now = [text_hash(document_text(t, b)) for t, b in zip(titles, documents["body"].fillna("").astype(str))]
    changed = [d for d, h in zip(ids, now) if made_from.get(d) not in (h, None, "")]
    if changed:
        raise typer.BadParameter(
            f"{len(changed)} of the corpus's {len(ids)} documents have another text than the one {tokens_path} was "
            f"made from (e.g. doc_id {changed[0]}): rerun `toolkit preprocess` on this corpus",
            param_hint="--tokens")


def load_model(model_dir: Path, corpus: Path, include_duplicates: bool):
    """The model ``topics`` wrote to ``model_dir`` and the corpus rows aligned with its documents.

    The rows follow ``model_dir/doc_topics.parquet`` by ``doc_id``; a model
    document missing from ``corpus``, or a repost the policy leaves out, gets an
    empty row (so estimates leave it out like a document without covariates).
    """
    import pandas as pd

    from toolkit.corpus import apply_repost_policy, read_documents, read_table
    from toolkit.topics.persist import load_result

    doc_table = model_dir / "doc_topics.parquet"
    if not (model_dir / "model").is_dir():
        raise typer.BadParameter(f"{model_dir / 'model'} not found: is MODEL_DIR the output of `toolkit topics`?",
                                 param_hint="MODEL_DIR")
    if not doc_table.is_file():
        raise typer.BadParameter(f"{doc_table} not found: is MODEL_DIR the output of `toolkit topics`?",
                                 param_hint="MODEL_DIR")
    result = load_result(model_dir / "model")
    doc_ids = read_table(doc_table)["doc_id"].astype(str).tolist()
    n_model = result.doc_topic_.shape[0]
    if len(doc_ids) != n_model:
        raise typer.BadParameter(f"{doc_table} lists {len(doc_ids)} documents but the model has {n_model}",
                                 param_hint="MODEL_DIR")
    documents = read_documents(corpus)
    documents = documents.assign(doc_id=documents["doc_id"].astype(str)).drop_duplicates("doc_id")
    found = pd.Index(doc_ids).isin(documents["doc_id"])
    if not found.any():
        raise typer.BadParameter(
            f"none of the model's {n_model} documents (doc_id) is in {corpus}: "
            "give the document table the model was fitted on", param_hint="CORPUS")
    if not found.all():
        logger.warning("%d of %d model documents are not in %s; they are left out",
                       int((~found).sum()), n_model, corpus)
    documents = apply_repost_policy(documents, include_duplicates)
    aligned = documents.set_index("doc_id").reindex(doc_ids).reset_index()
    return result, aligned


def table_path(value: Path | None) -> Path | None:
    """Option callback: a table to write must name its format (``.parquet``, ``.csv``, ``.jsonl``, ``.jsonl.gz``).

    Checked when the command line is read, so a long run does not end in an
    unknown-format error at its last step.
    """
    if value is None:
        return value
    from toolkit.corpus import table_suffix

    try:
        table_suffix(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    return value
