"""Collocations: adjacent token pairs that behave like one term.

:func:`discover_collocations` proposes multiword terms for the segmenter's
lexicon (``corpora/lexicons/terms.txt``): a pair found here and added there is
joined into one token (``giải_phóng_mặt_bằng``) by every later run of
:mod:`toolkit.text.segment`. It reads token lists and compares no groups, so it
belongs to the text stage, beside the vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = ["discover_collocations"]


def discover_collocations(
    token_lists: Iterable[Sequence[str]],
    *,
    min_count: int = 5,
    threshold: float = 0.5,
    scoring: str = "npmi",
    known_terms: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Adjacent token pairs that behave like one term (gensim ``Phrases``).

    Parameters
    ----------
    token_lists : iterable of list of str
        Tokenized documents. Stopwords are already removed, so a pair may
        stand across a dropped stopword; check candidates with :func:`toolkit.themes.concordance.kwic`.
    min_count : int
        Pairs seen fewer times are ignored.
    threshold : float
        Minimum score (NPMI lies in [-1, 1]; 0.5 is a strong association).
    scoring : {"npmi", "default"}
        gensim's scorer.
    known_terms : iterable of str, optional
        Terms already in the lexicon (tokens joined by ``_``). Default: the
        multiword terms of ``terms.txt`` as tokens.

    Returns
    -------
    DataFrame
        ``candidate`` (the pair joined with ``_``: ``giải_phóng`` +
        ``mặt_bằng`` → ``giải_phóng_mặt_bằng``), ``count`` (pair
        occurrences), ``score``, ``in_lexicon``; sorted by ``in_lexicon``
        (new candidates first), ``score`` descending, ``count`` descending
        (NPMI is 1 for every pair whose words never occur apart: the frequent
        ones first), ``candidate``.
    """
    from gensim.models.phrases import Phrases

    docs = [[str(tok) for tok in t] for t in token_lists]
    if known_terms is None:
        from toolkit.text.segment import get_tokenizer

        known_terms = get_tokenizer().terms
    known = set(known_terms)
    # gensim splits phrases on its delimiter, and our tokens contain "_": pair them with a space, then join with "_".
    phrases = Phrases(docs, min_count=min_count, threshold=threshold, scoring=scoring, delimiter=" ")
    rows = []
    for pair, score in phrases.export_phrases().items():
        candidate = pair.replace(" ", "_")
        rows.append((candidate, int(phrases.vocab.get(pair, 0)), float(score), candidate in known))
    out = pd.DataFrame(rows, columns=["candidate", "count", "score", "in_lexicon"])
    if out.empty:
        return out.astype({"count": "int64", "score": "float64", "in_lexicon": "bool"})
    # ties of score (NPMI is 1 for every pair whose words never occur apart) go to the more frequent pair
    order = np.lexsort((out["candidate"].to_numpy(), -out["count"].to_numpy(), -out["score"].to_numpy(),
                        out["in_lexicon"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)
