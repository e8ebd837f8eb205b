"""Topic validation tasks for human coders: word intrusion and topic intrusion (Chang et al. 2009).

Coherence scores say how often top words co-occur; whether a reader
recognises a topic is a question for readers. Chang, Boyd-Graber, Gerrish,
Wang & Blei ("Reading tea leaves", NIPS 2009) propose two tasks:

**Word intrusion** (:func:`word_intrusion_sheet`)
    the 5 most probable words of a topic plus one *intruder* — a word that is
    among the top words of another topic but in the lower half of this
    topic's ranking — shuffled; the coder picks the word that does not
    belong. *Model precision* of a topic is the share of its questions where
    the intruder was found: high when the topic is one coherent idea. A
    topic's further questions show other sets of its top 10 words, so rows
    of one topic differ in more than their intruder.
**Topic intrusion** (:func:`topic_intrusion_sheet`)
    a document's title and opening words and four topics (each shown by its
    top words only: a label, such as a seeded theme's name, would lead the
    coder, so labels stay in the answer key): the document's 3 most probable topics plus one topic of low
    probability in it, shuffled; the coder picks the topic that does not
    belong. Besides the share found, the *topic log odds*
    TLO = log θ_d,intruder − log θ_d,chosen (0 when the intruder is found,
    more negative the more probable the topic wrongly picked) says how far
    the model's view of the document is from the reader's.

Both return an :class:`IntrusionSheet`: the ``sheet`` coders see (an empty
``choice`` column to fill with the position 1…m or the word/topic label) and
the answer ``key``, kept apart so coders cannot see it.
:func:`score_intrusion` scores a filled sheet against its key. Every function
here is pure (a result and tables in, tables out); the command line
(``python -m toolkit validate topics``, ``validate score-topics``) reads and
writes the files.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

logger = logging.getLogger("toolkit.topics")

__all__ = ["IntrusionSheet", "score_intrusion", "sheet_task", "topic_intrusion_sheet", "word_intrusion_sheet"]

TASKS = ("word", "topic")
#: Coder columns: ``choice``, or several coders' ``choice_<name>`` (each filled cell is one judgement).
CHOICE = "choice"


@dataclass
class IntrusionSheet:
    """A coding sheet and its answer key (rows matched by ``item_id``).

    Attributes
    ----------
    sheet : DataFrame
        What coders see; ``choice`` is empty.
    key : DataFrame
        The answers; never shown to coders.
    """

    sheet: pd.DataFrame
    key: pd.DataFrame


def _rng(random_state) -> np.random.Generator:
    if random_state is None:
        raise ValueError("random_state is required (an int) so that the sheet is reproducible")
    return np.random.default_rng(random_state)


def _ranking(weights: np.ndarray) -> np.ndarray:
    """Column indices of every row by decreasing weight, ties by index (= term or topic order)."""
    idx = np.arange(weights.shape[1])
    return np.stack([np.lexsort((idx, -row)) for row in weights])


def _labels(result) -> list[str]:
    labels = getattr(result, "topic_labels_", None)
    k = np.asarray(result.topic_word_).shape[0]
    return [str(x) for x in labels] if labels is not None and len(labels) == k else [f"topic_{i}" for i in range(k)]


def _per_topic(n: int, n_topics: int, rng: np.random.Generator) -> np.ndarray:
    """Questions per topic: ``n`` spread as evenly as possible, the extra ones to topics drawn by ``rng``."""
    counts = np.full(n_topics, n // n_topics)
    counts[np.sort(rng.choice(n_topics, size=n % n_topics, replace=False))] += 1
    return counts


#: Above this many ``n_words``-subsets of a topic's pool, candidate word sets are drawn, not enumerated.
_MAX_WORD_SETS = 5000


def _word_sets(pool: np.ndarray, n_words: int, count: int, rng: np.random.Generator) -> list[np.ndarray]:
    """``count`` sets of ``n_words`` term indices from ``pool`` (a topic's terms by decreasing weight).

    The first is the top ``n_words``; each further one shares the fewest terms with any set before
    it (the most it shares with one of them, then in all), drawn by ``rng`` among equals. Sets repeat
    only when ``count`` exceeds the number of distinct subsets.
    """
    import itertools
    import math

    sets = [np.asarray(pool[:n_words])]
    if count <= 1:
        return sets[:count]
    if math.comb(len(pool), n_words) <= _MAX_WORD_SETS:
        candidates = np.array(list(itertools.combinations(range(len(pool)), n_words)))
    else:
        candidates = np.sort(np.stack([rng.choice(len(pool), n_words, replace=False)
                                       for _ in range(_MAX_WORD_SETS)]), axis=1)
    member = np.zeros((len(candidates), len(pool)), dtype=np.int64)
    np.put_along_axis(member, candidates, 1, axis=1)
    chosen = (np.arange(len(pool)) < n_words).astype(np.int64)[None, :]
    used = (member == chosen[0]).all(axis=1)
    for _ in range(count - 1):
        shared = member @ chosen.T  # terms each candidate shares with each earlier set
        score = shared.max(axis=1) * (n_words * len(chosen) + 1) + shared.sum(axis=1)
        free = ~used if (~used).any() else np.ones_like(used)  # every set shown: repeats (the caller warns)
        pick = int(rng.choice(np.flatnonzero(free & (score == score[free].min()))))
        used |= (member == member[pick]).all(axis=1)
        chosen = np.vstack([chosen, member[pick]])
        sets.append(np.asarray(pool[candidates[pick]]))
    return sets


def word_intrusion_sheet(result, *, n: int = 20, n_words: int = 5, n_top: int = 10, n_candidates: int = 10,
                         random_state=0) -> IntrusionSheet:
    """Word-intrusion questions: a topic's top words plus one intruder, shuffled.

    Parameters
    ----------
    result : LdaResult
        Needs ``topic_word_``, ``vocabulary_`` and ``topic_labels_``.
    n : int
        Questions in the sheet, spread evenly over the topics (each topic
        gets ``n // K`` or one more; with ``n < K`` some topics get none, and
        the log says so). Repeated questions on one topic show different
        sets of its top words (see ``n_top``) and different intruders while
        candidates last, so a coder comparing rows cannot find the intruder
        as the one word that changes.
    n_words : int
        Top words shown per question (Chang et al.: 5).
    n_top : int
        The pool of a topic's top words its questions draw from (at most half
        the vocabulary). The first question on a topic shows its ``n_words``
        most probable words (Chang et al.); each further one the ``n_words``
        of its ``n_top`` most probable words that share the fewest words with
        any earlier question on that topic (drawn by ``random_state`` among
        equals): with the defaults, a topic's second question shows its words
        ranked 6–10, and no two questions on a topic show the same words
        unless it has more questions than ``n_words``-word sets of the pool
        (a warning says so).
    n_candidates : int
        An intruder for topic k is a word among the ``n_candidates`` most
        probable words of another topic and in the lower half of topic k's
        ranking; so it is never one of topic k's top words.
    random_state : int
        Seed of the extra topics, the word sets, the intruders and the shuffles.

    Returns
    -------
    IntrusionSheet
        ``sheet``: ``item_id, word_1 … word_{n_words+1}, choice``;
        ``key``: ``item_id, task, topic, label, intruder, intruder_position,
        intruder_topic``. Rows in ``item_id`` order (the questions shuffled).
    """
    rng = _rng(random_state)
    beta = np.asarray(result.topic_word_, dtype=float)
    vocabulary = list(result.vocabulary_)
    n_topics, n_terms = beta.shape
    if n_topics < 2:
        raise ValueError("word intrusion needs at least 2 topics (the intruder comes from another topic)")
    if n < 1 or n_words < 1:
        raise ValueError("n and n_words must be at least 1")
    if n_top < n_words:
        raise ValueError(f"n_top={n_top} is below n_words={n_words}: the words shown come from the top n_top")
    if n_terms < 2 * (n_words + 1):
        raise ValueError(f"a vocabulary of {n_terms} terms is too small for {n_words} top words and an intruder")
    labels = _labels(result)
    order = _ranking(beta)
    rank = np.empty_like(order)
    rank[np.arange(n_topics)[:, None], order] = np.arange(n_terms)[None, :]
    counts = _per_topic(int(n), n_topics, rng)
    skipped = [labels[k] for k in range(n_topics) if counts[k] == 0]
    if skipped:
        logger.warning("n=%d < %d topics: no word-intrusion question for %s", n, n_topics, ", ".join(skipped))
    items = []
    for k in range(n_topics):
        if not counts[k]:
            continue
        word_sets = _word_sets(order[k, :max(n_words, min(n_top, n_terms // 2))], n_words, int(counts[k]), rng)
        if len({tuple(sorted(ws)) for ws in word_sets}) < len(word_sets):
            logger.warning("topic %s: %d questions but fewer distinct sets of %d of its top %d words; some "
                           "questions show the same words (raise n_top)", labels[k], counts[k], n_words, n_top)
        others = {int(w) for j in range(n_topics) if j != k for w in order[j, :n_candidates]}
        candidates = sorted(w for w in others if rank[k, w] >= n_terms // 2)
        if not candidates:
            raise ValueError(f"topic {labels[k]}: no word is both among the top {n_candidates} of another topic and "
                             f"in the lower half of this one; raise n_candidates")
        picks = rng.choice(candidates, size=int(counts[k]), replace=len(candidates) < counts[k])
        for top, intruder in zip(word_sets, picks, strict=True):
            words = np.append(top, intruder)[rng.permutation(n_words + 1)]
            position = int(np.flatnonzero(words == intruder)[0]) + 1
            items.append((k, [vocabulary[w] for w in words], vocabulary[intruder], position,
                          int(np.argmax(beta[:, intruder] * (np.arange(n_topics) != k)))))
    items = [items[i] for i in rng.permutation(len(items))]
    width = len(str(len(items)))
    ids = [f"w{i + 1:0{width}d}" for i in range(len(items))]
    sheet = pd.DataFrame([[iid, *words] for iid, (_, words, _, _, _) in zip(ids, items, strict=True)],
                         columns=["item_id"] + [f"word_{i + 1}" for i in range(n_words + 1)])
    sheet[CHOICE] = ""
    key = pd.DataFrame({
        "item_id": ids, "task": "word",
        "topic": [it[0] for it in items], "label": [labels[it[0]] for it in items],
        "intruder": [it[2] for it in items], "intruder_position": [it[3] for it in items],
        "intruder_topic": [it[4] for it in items],
    })
    return IntrusionSheet(sheet, key)


def _snippet(row: pd.Series, n_words: int) -> str:
    for column in ("body", "text"):
        if column in row.index and isinstance(row[column], str) and row[column].strip():
            words = row[column].split()
            return " ".join(words[:n_words]) + (" …" if len(words) > n_words else "")
    return ""


def topic_intrusion_sheet(result, documents: pd.DataFrame, *, n: int = 20, n_top_topics: int = 3,
                          n_topic_words: int = 8, snippet_words: int = 60, random_state=0) -> IntrusionSheet:
    """Topic-intrusion questions: a document, its most probable topics and one improbable topic, shuffled.

    Parameters
    ----------
    result : LdaResult
        Needs ``doc_topic_``, ``doc_ids``, ``topic_word_``, ``vocabulary_``.
    documents : DataFrame
        ``doc_id`` and the text: ``title`` (optional) and ``body`` (or
        ``text``); matched to the model's documents by ``doc_id``. Only
        model documents with text are drawn.
    n : int
        Documents in the sheet (fewer when fewer have text; the log says so).
    n_top_topics : int
        The document's most probable topics shown (Chang et al.: 3).
    n_topic_words : int
        Top words shown for each topic.
    snippet_words : int
        Words of the body shown under the title.
    random_state : int
        Seed of the documents drawn, the intruders and the shuffles.

    Returns
    -------
    IntrusionSheet
        ``sheet``: ``item_id, doc_id, title, snippet, topic_1 … topic_m,
        choice`` (each option the topic's top words, ``"word word …"``, with
        no label); ``key``:
        ``item_id, task, doc_id, topic`` (the document's most probable topic),
        ``label, intruder_topic, intruder_position``, then the topic shown at
        each position (``option_1`` …) and its θ (``theta_1`` …).
        The intruder is drawn from the topics in the lower half of the
        document's ranking, never from its top ``n_top_topics``.
    """
    rng = _rng(random_state)
    theta = np.asarray(result.doc_topic_, dtype=float)
    n_docs, n_topics = theta.shape
    m = n_top_topics + 1
    if n_topics < m or n_topics < 2:
        raise ValueError(f"topic intrusion with {n_top_topics} top topics needs at least {m} topics; "
                         f"the model has {n_topics}")
    if "doc_id" not in documents.columns:
        raise ValueError("documents has no doc_id column: they are matched to the model's documents by doc_id")
    labels = _labels(result)
    word_order = _ranking(np.asarray(result.topic_word_, dtype=float))
    vocabulary = list(result.vocabulary_)
    # words only (Chang et al.): a label beside them, above all a seeded theme's name, tells the coder what
    # the topic is meant to be, whether or not the model kept it
    shown = [" ".join(vocabulary[w] for w in word_order[k, :n_topic_words]) for k in range(n_topics)]
    table = documents.assign(doc_id=documents["doc_id"].astype(str)).drop_duplicates("doc_id").set_index("doc_id")
    ids = [str(d) for d in result.doc_ids]
    usable = [i for i, d in enumerate(ids) if d in table.index and _snippet(table.loc[d], 1)]
    if not usable:
        raise ValueError("none of the model's documents has text (body or text column) in documents")
    if len(usable) < n:
        logger.warning("only %d model documents have text: the sheet has %d questions, not %d",
                       len(usable), len(usable), n)
    picks = np.sort(rng.choice(usable, size=min(int(n), len(usable)), replace=False))
    order = _ranking(theta[picks])
    rows, keys = [], []
    for d, ranked in zip(picks, order, strict=True):
        low = ranked[max(n_top_topics, n_topics // 2):]
        intruder = int(rng.choice(low))
        options = np.append(ranked[:n_top_topics], intruder)[rng.permutation(m)]
        doc = table.loc[ids[d]]
        title = doc["title"] if "title" in doc.index and isinstance(doc["title"], str) else ""
        rows.append([ids[d], title, _snippet(doc, snippet_words), *[shown[k] for k in options]])
        keys.append([ids[d], int(ranked[0]), labels[ranked[0]], intruder,
                     int(np.flatnonzero(options == intruder)[0]) + 1,
                     *[int(k) for k in options], *[float(theta[d, k]) for k in options]])
    shuffle = rng.permutation(len(rows))
    width = len(str(len(rows)))
    item_ids = [f"t{i + 1:0{width}d}" for i in range(len(rows))]
    sheet = pd.DataFrame([rows[i] for i in shuffle],
                         columns=["doc_id", "title", "snippet", *[f"topic_{j + 1}" for j in range(m)]])
    sheet.insert(0, "item_id", item_ids)
    sheet[CHOICE] = ""
    key = pd.DataFrame([keys[i] for i in shuffle],
                       columns=["doc_id", "topic", "label", "intruder_topic", "intruder_position",
                                *[f"option_{j + 1}" for j in range(m)], *[f"theta_{j + 1}" for j in range(m)]])
    key.insert(0, "item_id", item_ids)
    key.insert(1, "task", "topic")
    return IntrusionSheet(sheet, key)


def sheet_task(sheet: pd.DataFrame) -> str:
    """``"word"`` or ``"topic"``: the kind of a sheet, read from its columns."""
    if "word_1" in sheet.columns:
        return "word"
    if "topic_1" in sheet.columns:
        return "topic"
    raise ValueError("not an intrusion sheet: it has neither word_1… nor topic_1… columns")


def _options(sheet: pd.DataFrame, task: str) -> list[str]:
    prefix = "word_" if task == "word" else "topic_"
    return sorted((c for c in sheet.columns if c.startswith(prefix) and c[len(prefix):].isdigit()),
                  key=lambda c: int(c[len(prefix):]))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", str(text)).strip().casefold()


def _chosen_position(value, options: list[str], task: str, item_id: str, column: str) -> int | None:
    """1-based position a coder chose: a number, the word (word task) or the topic's shown text (or label, on
    sheets whose options still begin with ``label:``)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None and number.is_integer() and 1 <= int(number) <= len(options):
        return int(number)
    folded = _fold(text)
    for j, option in enumerate(options):
        option = _fold(option)
        if folded == option or (task == "topic" and folded == option.split(":", 1)[0].strip()):
            return j + 1
    raise ValueError(f"item {item_id}, column {column}: {text!r} is neither a position 1–{len(options)} "
                     f"nor one of the options")


def score_intrusion(sheet: pd.DataFrame, key: pd.DataFrame, *, ci: float = 0.95) -> pd.DataFrame:
    """Score a filled intrusion sheet against its key.

    Every non-empty cell of a ``choice`` column (one coder), or of
    ``choice_<coder>`` columns (several), is one judgement: a position
    (1 … m), the word (word task) or the topic's shown text (topic
    task). An answer that is none of these is an error naming the item and
    column.

    Parameters
    ----------
    sheet : DataFrame
        The sheet of :func:`word_intrusion_sheet` or
        :func:`topic_intrusion_sheet`, filled in.
    key : DataFrame
        Its key (matched by ``item_id``).
    ci : float
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        One row per topic that has questions, then ``topic = <NA>``,
        ``label = "all"``: ``task, topic, label, n_items, n_answered,
        n_correct, precision, ci_low, ci_high`` — the share of judgements that
        found the intruder (model precision) with a Wilson interval. Word
        task: per topic of the question. Topic task: per the document's most
        probable topic, plus ``tlo, tlo_low, tlo_high``: the mean topic log
        odds (0 = intruder found; more negative = worse) with a t interval.
        A random coder finds the intruder in 1/m of the judgements (1/6 for
        5 words, 1/4 for 3 topics).
    """
    from scipy import stats

    from toolkit.themes.shares import proportion_interval

    task = sheet_task(sheet)
    if "task" in key.columns and set(key["task"]) - {task}:
        raise ValueError(f"the key is for a {sorted(set(key['task']))[0]}-intrusion sheet, the sheet for {task}")
    choices = [c for c in sheet.columns if c == CHOICE or c.startswith(CHOICE + "_")]
    if not choices:
        raise ValueError("the sheet has no choice column")
    options = _options(sheet, task)
    key = key.assign(item_id=key["item_id"].astype(str))
    # A key read back from CSV is text: its numbers are made numbers again (a bad cell is an error naming it).
    for column in [c for c in key.columns if c in ("topic", "intruder_position", "intruder_topic")
                   or c.startswith(("option_", "theta_"))]:
        values = pd.to_numeric(key[column], errors="coerce")
        bad = values.isna()
        if bad.any():
            raise ValueError(f"key, item {key.loc[bad, 'item_id'].iloc[0]}, column {column}: "
                             f"{key.loc[bad, column].iloc[0]!r} is not a number")
        key[column] = values
    keyed = key.set_index("item_id")
    missing = sorted(set(sheet["item_id"].astype(str)) - set(keyed.index))
    if missing:
        raise ValueError(f"items not in the key: {', '.join(missing[:5])}: is it this sheet's key?")
    judgements = []
    for row in sheet.itertuples(index=False):
        item = str(getattr(row, "item_id"))
        shown = [str(getattr(row, c)) for c in options]
        answer = keyed.loc[item]
        for column in choices:
            position = _chosen_position(getattr(row, column), shown, task, item, column)
            if position is None:
                continue
            judgement = {"item_id": item, "topic": int(answer["topic"]), "label": answer["label"],
                         "correct": position == int(answer["intruder_position"])}
            if task == "topic":
                intruder = float(answer[f"theta_{int(answer['intruder_position'])}"])
                chosen = float(answer[f"theta_{position}"])
                judgement["tlo"] = float(np.log(max(intruder, 1e-300)) - np.log(max(chosen, 1e-300)))
            judgements.append(judgement)
    judged = pd.DataFrame(judgements, columns=["item_id", "topic", "label", "correct"]
                          + (["tlo"] if task == "topic" else []))
    items = keyed.reset_index()[["item_id", "topic", "label"]]
    groups = [(int(t), lab, items[items["topic"] == t], judged[judged["topic"] == t])
              for t, lab in items[["topic", "label"]].drop_duplicates().sort_values("topic").itertuples(index=False)]
    groups.append((pd.NA, "all", items, judged))
    rows = []
    for topic, label, its, jd in groups:
        n_answered, n_correct = len(jd), int(jd["correct"].sum())
        low, high = proportion_interval(n_correct, n_answered, ci=ci, method="wilson")
        row = {"task": task, "topic": topic, "label": label, "n_items": len(its), "n_answered": n_answered,
               "n_correct": n_correct, "precision": n_correct / n_answered if n_answered else np.nan,
               "ci_low": float(low[0]), "ci_high": float(high[0])}
        if task == "topic":
            values = jd["tlo"].to_numpy(dtype=float)
            mean = float(values.mean()) if len(values) else np.nan
            if len(values) >= 2 and values.std(ddof=1) > 0:
                half = stats.t.ppf(0.5 + ci / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
            else:
                half = np.nan if len(values) < 2 else 0.0
            row.update({"tlo": mean, "tlo_low": mean - half, "tlo_high": mean + half})
        rows.append(row)
    out = pd.DataFrame(rows)
    out["topic"] = out["topic"].astype("Int64")
    return out
