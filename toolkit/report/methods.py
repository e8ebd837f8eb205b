"""The methods appendix of a run: ``reports/methods.md``, written by ``make figures``.

:func:`methods_markdown` is a pure function of the run's provenance, tables
and configuration: it returns Markdown prose a reviewer can read (corpus,
preprocessing, the theme dictionary and its measured quality, the topic
model, the effects model, versions and hashes). The same inputs give the
same bytes — no clock, no machine names, every collection in sorted order.
:func:`corpus_summary` computes the corpus counts the appendix reports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from toolkit.config import RunConfig

__all__ = ["corpus_summary", "effects_intervals_text", "effects_uncertainty_kind", "methods_markdown",
           "rejects_by_reason", "unplaced_documents"]

#: Rows of :func:`corpus_summary`, in order.
#: The row of the documents-per-locality table for the documents whose locality was not found (as the figures
#: label them: :data:`toolkit.report.registry.UNKNOWN_LOCALITY`).
UNKNOWN_LOCALITY = "(unknown)"
SUMMARY_MEASURES = ("documents_read", "reposts", "documents_analysed", "undated", "without_locality")


def corpus_summary(documents: pd.DataFrame, analysed: pd.DataFrame) -> pd.DataFrame:
    """Counts of the corpus as read and as analysed.

    Parameters
    ----------
    documents
        The ingested document table (reposts included, ``duplicate_of`` set on them).
    analysed
        The documents the run analyses (after the repost policy).

    Returns
    -------
    DataFrame
        ``measure, value`` with the measures of :data:`SUMMARY_MEASURES`:
        documents read, reposts among them, documents analysed, analysed
        documents without a year, analysed documents without a locality.
    """
    reposts = documents["duplicate_of"].fillna("").astype(str).ne("").sum() if "duplicate_of" in documents else 0
    year = analysed["year"] if "year" in analysed else pd.Series(pd.NA, index=analysed.index)
    locality = analysed["locality"] if "locality" in analysed else pd.Series("", index=analysed.index)
    values = (len(documents), int(reposts), len(analysed), int(year.isna().sum()),
              int(locality.fillna("").astype(str).eq("").sum()))
    return pd.DataFrame({"measure": list(SUMMARY_MEASURES), "value": [int(v) for v in values]})


def _blank_place(counts: pd.DataFrame) -> pd.Series:
    """Rows of a counts table whose place columns are all empty: the documents of no known locality."""
    columns = [c for c in ("locality", "province", "district") if c in counts]
    if not columns:
        return pd.Series(False, index=counts.index)
    return counts[columns].fillna("").astype(str).apply(lambda c: c.str.strip().eq("")).all(axis=1)


def unplaced_documents(tables: Mapping[str, pd.DataFrame]) -> dict[str, tuple[int, int]]:
    """How many documents have no known locality, of how many: every document and the dated ones.

    The figures by locality leave these documents out (their place-share tables
    hold none of them); the counts come from the run's own tables, not from
    the shares again: ``documents_per_locality`` (its row with empty place
    columns, ``n_docs`` and ``n_dated``), else ``corpus_summary``
    (``without_locality`` of ``documents_analysed``) for every document and
    ``documents_per_locality_year`` for the dated ones.

    Returns
    -------
    dict
        ``{"all": (unplaced, total), "dated": (unplaced, total)}``; a key is
        missing where the tables cannot tell.

    Examples
    --------
    >>> counts = pd.DataFrame({"province": ["", "Hà Nội"], "district": ["", "Huyện Đông Anh"],
    ...                        "n_docs": [398, 202], "n_dated": [390, 202]})
    >>> unplaced_documents({"documents_per_locality": counts})
    {'all': (398, 600), 'dated': (390, 592)}
    """
    out: dict[str, tuple[int, int]] = {}
    counts = tables.get("documents_per_locality")
    if counts is not None and not counts.empty and "n_docs" in counts:
        blank = _blank_place(counts)
        out["all"] = (int(counts.loc[blank, "n_docs"].sum()), int(counts["n_docs"].sum()))
        if "n_dated" in counts:
            out["dated"] = (int(counts.loc[blank, "n_dated"].sum()), int(counts["n_dated"].sum()))
    unplaced, analysed = _summary_value(tables, "without_locality"), _summary_value(tables, "documents_analysed")
    if "all" not in out and unplaced is not None and analysed is not None:
        out["all"] = (unplaced, analysed)
    by_year = tables.get("documents_per_locality_year")
    if "dated" not in out and by_year is not None and not by_year.empty and "n_docs" in by_year:
        out["dated"] = (int(by_year.loc[_blank_place(by_year), "n_docs"].sum()), int(by_year["n_docs"].sum()))
    return out


#: The parts of a reject's reason that vary between rejects of one kind: web addresses, then numbers.
_VARIABLE = re.compile(r"https?://\S+?(?=[),;.]*(?:\s|$))|\d+")


def _reason_kind(reason: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """A reason cut into its fixed text, the kinds of its variable parts (``url``, ``number``) and their values."""
    fixed, kinds, values, at = [], [], [], 0
    for match in _VARIABLE.finditer(reason):
        fixed.append(reason[at:match.start()])
        kinds.append("url" if match.group().startswith("http") else "number")
        values.append(match.group())
        at = match.end()
    fixed.append(reason[at:])
    return tuple(fixed), tuple(kinds), tuple(values)


def _slot(kind: str, values: list[str]) -> str:
    """One variable part of a group of reasons: its value, a few values named, a range of numbers, or ``…``."""
    distinct = sorted(set(values), key=lambda v: (int(v), v) if kind == "number" else (0, v))
    if len(distinct) == 1:
        return distinct[0]
    if kind == "url":
        return "…"
    if len(distinct) <= 3:
        return ", ".join(distinct[:-1]) + " or " + distinct[-1]
    return f"{distinct[0]}–{distinct[-1]}"


def rejects_by_reason(rejects: pd.DataFrame) -> pd.DataFrame:
    """The rejects table grouped by reason, reasons that differ only by numbers or web addresses together.

    Parameters
    ----------
    rejects
        ``source, line, reason`` (``line`` 0: the whole file was rejected).

    Returns
    -------
    DataFrame
        ``reason, n_rejects, n_files, n_rows``: the group's reason with its
        varying numbers as a range (or up to three values named) and its
        varying addresses as ``…``; the rejects, the files they come from and
        the rejects that are rows of a table (``line`` > 0). Sorted by
        ``n_rejects`` descending, then reason.

    Examples
    --------
    >>> rejects = pd.DataFrame({"source": ["a.csv", "a.csv", "b.pdf"], "line": [2, 3, 0],
    ...                         "reason": ["46 fields where the header has 1", "11 fields where the header has 1",
    ...                                    "binary file (NUL bytes)"]})
    >>> rejects_by_reason(rejects)["reason"].tolist()
    ['11 or 46 fields where the header has 1', 'binary file (NUL bytes)']
    """
    columns = ["reason", "n_rejects", "n_files", "n_rows"]
    if rejects is None or rejects.empty:
        return pd.DataFrame(columns=columns)
    line = pd.to_numeric(rejects["line"], errors="coerce").fillna(0) if "line" in rejects \
        else pd.Series(0, index=rejects.index)
    source = rejects["source"].astype(str) if "source" in rejects else pd.Series("", index=rejects.index)
    groups: dict[tuple, list[tuple[tuple[str, ...], str, bool]]] = {}
    for reason, src, row in zip(rejects["reason"].astype(str), source, line > 0):
        fixed, kinds, values = _reason_kind(reason)
        groups.setdefault((fixed, kinds), []).append((values, src, bool(row)))
    out = []
    for (fixed, kinds), members in groups.items():
        slots = [_slot(kind, [values[i] for values, _, _ in members]) for i, kind in enumerate(kinds)]
        label = "".join(part + slot for part, slot in zip(fixed, slots + [""]))
        out.append({"reason": label, "n_rejects": len(members), "n_files": len({src for _, src, _ in members}),
                    "n_rows": sum(row for _, _, row in members)})
    table = pd.DataFrame(out, columns=columns)
    return table.sort_values(["n_rejects", "reason"], ascending=[False, True], ignore_index=True)


def _rejected_where(group) -> str:
    """``8 rows in 1 file``, ``42 files`` or ``3 inputs in 2 files``: where a group of rejects comes from."""
    files = _n(group.n_files, "file")
    if group.n_rows == group.n_rejects:
        return f"{_n(group.n_rejects, 'row')} in {files}"
    if group.n_rows == 0 and group.n_rejects == group.n_files:
        return files
    return f"{_n(group.n_rejects, 'input')} in {files}"


def _n(value: int, one: str, many: str | None = None) -> str:
    return f"{value:,} {one if value == 1 else (many or one + 's')}"


def _summary_value(tables: Mapping[str, pd.DataFrame], measure: str) -> int | None:
    summary = tables.get("corpus_summary")
    if summary is None or summary.empty:
        return None
    row = summary[summary["measure"] == measure]
    return int(row["value"].iat[0]) if len(row) else None


def _table_md(frame: pd.DataFrame) -> str:
    """A small DataFrame as a Markdown table (strings as they are, floats to 2 decimals)."""
    def cell(value) -> str:
        if isinstance(value, float):
            return "" if pd.isna(value) else f"{value:.2f}"
        return str(value).replace("|", "\\|")

    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])


def _corpus(config: RunConfig, tables: Mapping[str, pd.DataFrame]) -> list[str]:
    c = config.corpus
    out = ["## Corpus", ""]
    if c.simulate:
        out.append(f"The corpus is the toolkit's **simulated** demo corpus ({_n(c.n_pages, 'page')}, "
                   f"random_state {config.random_state}): pages written for this project that imitate district "
                   "Party-committee portals, with planted theme trends. It is not real news; its figures check "
                   "the method, not the world.")
    else:
        paths = ", ".join(f"`{p}`" for p in sorted(c.paths)) or "(none)"
        inferred = ("from the tables' own columns, or inferred from the place names in each page (a page naming no "
                    "district takes its site's, from the site's name in its header, footer or title)")
        sources = (f"; localities from the sources file `{c.sources}` for the pages one of its entries matches, "
                   f"else {inferred}") if c.sources else f"; localities {inferred}"
        out.append(f"Pages and tables were read from {paths}{sources}.")
    read, reposts = _summary_value(tables, "documents_read"), _summary_value(tables, "reposts")
    analysed = _summary_value(tables, "documents_analysed")
    if read is not None:
        policy = ("Reposts were kept (`include_duplicates = true`)." if c.include_duplicates else
                  "Reposts — the same article published again by another page — were left out of every count "
                  "and model; each points to its earliest copy (`duplicate_of`).")
        out.append("")
        shown = [what for what, table in (("the document counts keep them as an (unknown) row",
                                           "documents_per_locality_year"),
                                          ("the theme trends' “All documents” panel counts the dated ones",
                                           "theme_shares_year")) if tables.get(table) is not None]
        out.append(f"Ingest read {_n(read, 'document')}, of which {_n(reposts, 'repost')}. {policy} "
                   f"The analyses use {_n(analysed, 'document')}; "
                   f"{_n(_summary_value(tables, 'undated'), 'document')} without a year are left out of the "
                   f"figures by year and {_n(_summary_value(tables, 'without_locality'), 'document')} without a "
                   "locality out of the theme and topic figures by locality"
                   + (f" ({'; '.join(shown)})." if shown else "."))
    rejects = tables.get("rejects")
    out.append("")
    if rejects is None or rejects.empty:
        out.append("No input was rejected.")
    else:
        groups = rejects_by_reason(rejects)
        out.append(f"{_n(len(rejects), 'input was', 'inputs were')} rejected, each listed with its file, line and "
                   "reason in `tables/rejects.csv`. By reason (reasons that differ only in a number or a web "
                   "address counted together):")
        out.append("")
        out += [f"- {row.reason} ({_rejected_where(row)})" for row in groups.itertuples(index=False)]
    counts = tables.get("documents_per_locality_year")
    if counts is not None and not counts.empty:
        key = "locality" if "locality" in counts else "district"
        # documents whose locality was not found are a row of their own, last, and not a locality
        counts = counts.assign(**{key: counts[key].fillna("").astype(str)})
        wide = counts.pivot_table(index=key, columns="year", values="n_docs", aggfunc="sum", fill_value=0)
        wide = wide.sort_index().sort_index(axis=1)
        wide.columns = [str(int(y)) for y in wide.columns]
        wide["total"] = wide.sum(axis=1)
        unknown = wide.index == ""
        wide = pd.concat([wide[~unknown], wide[unknown].rename(index={"": UNKNOWN_LOCALITY})])
        wide = wide.reset_index().rename(columns={key: "locality", "index": "locality"})
        out += ["", f"Documents per locality and year ({_n(int((~unknown).sum()), 'locality', 'localities')}"
                    + (f", and {UNKNOWN_LOCALITY}: the documents whose locality was not found" if unknown.any() else "")
                    + f", {wide.columns[1]}–{wide.columns[-2]}):", "", _table_md(wide)]
    return out


def _preprocessing(config: RunConfig, provenance: Mapping) -> list[str]:
    p = config.preprocess
    packages = provenance.get("packages", {})
    return [
        "## Preprocessing", "",
        "Text was normalized to NFC Unicode with new-style tone marks (`hòa`, `Ủy`); legacy font encodings "
        "(TCVN3, VNI) were converted, abbreviations expanded and known typos fixed from the project's lexicons; "
        "no diacritic was ever removed. Words were segmented with pyvi "
        f"(version {packages.get('pyvi', 'unknown')}, replayed exactly by the toolkit's CRF reader), with the "
        "multiword political terms of `corpora/lexicons/terms.txt` kept as one token and document codes "
        "(`290-qđ/tw`) kept whole; tokens are lower-case and stopwords (function words and a documented genre "
        f"list) removed. Numbers were {'kept' if p.keep_numbers else 'removed'}; person names were "
        f"{'listed per document and removed from the tokens' if p.remove_persons else 'kept in the tokens'}. "
        f"Lexicon version (a hash of every lexicon file): `{provenance.get('lexicon_version', 'unknown')}`.",
    ]


def _unplaced_shares(tables: Mapping[str, pd.DataFrame]) -> str:
    """The sentence on the documents of no known locality that the shares per locality leave out ("" when none)."""
    counts = unplaced_documents(tables)
    every, dated = counts.get("all"), counts.get("dated")
    if not any(n for n, _ in counts.values()):
        return ""
    which = f"{every[0]:,} of {every[1]:,}" if every else ""
    if dated and dated != every:
        which += f" ({dated[0]:,} of {dated[1]:,} dated)" if which else f"{dated[0]:,} of {dated[1]:,} dated"
    kept = ("; the yearly shares of the whole corpus (`tables/theme_shares_year.csv`) keep the dated ones"
            if tables.get("theme_shares_year") is not None else "")
    return (f" Shares per locality leave out the documents of no known locality: {which} "
            f"(`tables/documents_per_locality.csv`, the row with empty place columns){kept}.")


def _themes(config: RunConfig, tables: Mapping[str, pd.DataFrame], provenance: Mapping | None = None,
            definitions: Mapping[str, str] | None = None, labels: Mapping[str, str] | None = None) -> list[str]:
    t = config.themes
    out = ["## Theme dictionary", ""]
    validation = tables.get("theme_validation")
    size = ""
    if validation is not None and not validation.empty:
        per_theme = validation.groupby("theme").size()
        never = int((~validation["occurs"].astype(bool)).sum()) if "occurs" in validation else 0
        size = (f" It has {_n(len(per_theme), 'theme')} and {_n(len(validation), 'term')}; "
                f"{_n(never, 'term')} never occur in this corpus (`tables/theme_validation.csv`).")
    interval = {"jeffreys": "Jeffreys intervals (the Beta(½, ½) posterior of the share), which keep their "
                            "coverage in cells of a few documents and where no or every document mentions the theme",
                "wilson": "Wilson score intervals, which keep their coverage in small cells and at 0 and 100%",
                "bootstrap": f"percentile bootstrap intervals over documents ({t.n_boot} replicates)"}.get(
        t.interval, f"{t.interval} intervals")
    version = (provenance or {}).get("themes_version")
    out.append(f"Themes were measured with the researcher-edited dictionary `{t.file}`"
               + (f" (version `{version}`, a hash of the file)" if version else "") + ": a document mentions a "
               "theme when at least one of its terms matches the normalized tokens, outside the theme's exclusion "
               f"contexts (weak terms count only beside an unambiguous one).{size} Shares per locality and year "
               f"carry 95% {interval}; cells of fewer than {t.min_docs} documents are flagged as small."
               + _unplaced_shares(tables))
    if definitions:
        out += ["", "What each theme of the figures counts (its `definition` in the themes file; a document has the "
                    "theme when at least one sentence discusses it in this sense):", ""]
        out += [f"- **{(labels or {}).get(t, t)}** (`{t}`): {d or '(no definition in the themes file)'}"
                for t, d in definitions.items()]
    quality = tables.get("theme_quality")
    out.append("")
    if quality is None or quality.empty:
        out.append("**Measured quality: none.** No coded validation sheet was given (`[themes] validation_sheet`) "
                   "and the project's labelled articles were not available, so the precision and recall of the "
                   "dictionary on this corpus are unknown. Code a sample (`python -m toolkit validate sample`) "
                   "before reading the theme figures as measurements.")
    else:
        from toolkit.report.registry import source_of

        source = source_of(quality)
        # the counts of coded documents behind each rate (tp, fp, fn), the reference coder and, where the table
        # has it, the coders' agreement: a rate from 2 documents must not read like one from 200
        columns = [c for c in ("theme", "item", "rounds", "reference", "n_coded", "tp", "fp", "fn", "precision",
                               "precision_low", "precision_high", "recall", "recall_low", "recall_high", "f1",
                               "f1_low", "f1_high", "coders", "n_both", "cohen_kappa") if c in quality]
        quality = quality.sort_values([c for c in ("theme", "item") if c in quality], kind="mergesort")
        shown = quality[columns]
        if "rounds" in shown:
            from toolkit.themes.validate import rounds_label

            shown = shown.assign(rounds=shown["rounds"].map(lambda r: rounds_label(r) if pd.notna(r) and str(r) else r))
        counts = [c for c in ("tp", "fp", "fn", "n_both") if c in shown]
        if counts:  # counts, not rates: "20", not "20.00" (a blank cell makes pandas hold a column as floats)
            shown = shown.assign(**{c: shown[c].map(lambda v: "" if pd.isna(v) else str(int(v))) for c in counts})
        out += [f"Measured quality against human coding ({source}), with 95% intervals "
                "(`tables/theme_quality.csv`; tp, fp, fn: coded documents flagged with the theme, flagged without "
                "it, and with it but not flagged, by the reference coder's labels):", "", _table_md(shown)]
        from toolkit.report.registry import census_precision

        exact = [(row.theme, row.precision, census_precision(row)) for row in quality.itertuples(index=False)]
        exact = [(theme, value, text) for theme, value, text in exact if text]
        if exact:
            out += [""] + [f"- {theme}: precision {value:.2f} is exact, not a large-sample estimate: {text}."
                           for theme, value, text in exact]
        if "note" in quality:
            # what a reader must know about a theme's held-out rounds (corpora/validation/heldout.csv)
            notes = quality.drop_duplicates("theme").sort_values("theme", kind="mergesort")
            out += [""] + [f"- {row.theme}: {row.note}" for row in notes.itertuples(index=False)
                           if isinstance(row.note, str) and row.note.strip()]
    return out


def topics_not_fitted(tables: Mapping[str, pd.DataFrame]) -> bool:
    """Whether the run fitted no topic model: its choices table says ``topics = not fitted`` (``[figures] include``
    named no topic figure, :func:`toolkit.study.adapt.fits_topic_model`)."""
    choices = tables.get("run_choices")
    if choices is None or choices.empty or not {"setting", "value"} <= set(choices.columns):
        return False
    return bool(((choices["setting"] == "topics") & (choices["value"] == "not fitted")).any())


def _model(config: RunConfig, tables: Mapping[str, pd.DataFrame], provenance: Mapping) -> list[str]:
    t = config.topics
    engine = {"gensim": "gensim's `LdaModel` (one process, so the same seed gives the same numbers)",
              "tomotopy": "tomotopy's LDA (one worker)"}.get(t.engine, t.engine)
    grid = ", ".join(map(str, t.n_topics_grid)) or "none"
    seeds = ", ".join(map(str, t.random_states)) or "none"
    if topics_not_fitted(tables):
        return ["## Topic model", "",
                "No topic model was fitted: the run's `[figures] include` names no topic figure "
                "(`tables/run_choices.csv`)."]
    out = ["## Topic model", "",
           f"Engine: {engine}, version {provenance.get('packages', {}).get(t.engine, 'unknown')}. "
           f"The number of topics K was chosen over the grid K ∈ {{{grid}}} with one model per K and seed "
           f"(seeds {seeds}), each scored by NPMI and UMass coherence, held-out likelihood, exclusivity, topic "
           "diversity and stability across seeds (topics matched one to one by the Hungarian algorithm, since "
           "topic numbers are arbitrary across runs) (`tables/model_selection.csv`)."]
    rec = tables.get("model_recommendation")
    if t.n_topics > 0:
        out.append(f"K = {t.n_topics} was set in the configuration (`[topics] n_topics`).")
    elif rec is not None and not rec.empty:
        out.append(f"Chosen K = {int(rec['recommended'].iat[0])}. Why: {str(rec['reasoning'].iat[0]).strip()}")
    if t.seeded:
        retention = tables.get("seed_retention")
        fitted = ([str(x) for x in retention["label"]] if retention is not None and "label" in retention
                  else list(t.seed_themes))
        themes = ", ".join(fitted) if fitted else "every theme of the dictionary"
        dropped = [x for x in t.seed_themes if retention is not None and x not in fitted]
        left = (f" {', '.join(dropped)} {'was' if len(dropped) == 1 else 'were'} left out: none of {'its' if len(dropped) == 1 else 'their'} "
                "seed terms is in the model's vocabulary." if dropped else "")
        out.append(f"The final model is seeded: the topics of {themes} get a prior on their dictionary terms "
                   f"(K counts them), the remaining topics are free.{left} It was fitted with the run's random_state "
                   f"{config.random_state}. Topics are labelled in the figures by their FREX terms.")
    else:
        out.append(f"The final model is unseeded LDA, fitted with the run's random_state {config.random_state}.")
    return out


def _effects(config: RunConfig, tables: Mapping[str, pd.DataFrame]) -> list[str]:
    e = config.effects
    out = ["## Effects of locality and year", ""]
    if not e.formula.strip():
        out.append("No effects were estimated: the run has no effects formula (`[effects] formula`, or none "
                   "chosen for this corpus: `tables/run_choices.csv` says why).")
        return out
    if topics_not_fitted(tables):
        out.append("No effects were estimated: no topic model was fitted (see *Topic model*).")
        return out
    if tables.get("effects") is None or tables["effects"].empty:
        out.append(f"No effects were estimated: the formula `{e.formula}` could not be fitted on this corpus "
                   "(see the run's log).")
        return out
    out.append(f"Topic proportions were regressed on `{e.formula}` by the method of composition (as stm's "
               f"`estimateEffect`): {e.n_draws} draws of every document's topic proportions from the model's "
               "posterior, an ordinary least-squares fit on each draw, coefficients drawn from each fit's sampling "
               "distribution and pooled into 95% intervals. Documents missing a covariate of the formula "
               f"(undated pages, unknown localities) are left out. {effects_intervals_text(config, tables)} "
               "The effects are descriptive associations between places, years and what their pages write about, "
               "not causal effects. With many coefficients, some 95% intervals exclude zero by chance (one in "
               "twenty when nothing differs).")
    return out


def effects_uncertainty_kind(effects: pd.DataFrame | None) -> str:
    """How the effects' intervals were estimated, as the table's ``uncertainty`` column says.

    ``"global"`` when every row pooled refits of the model, ``"document"``
    otherwise (one model; also a table without the column), ``""`` without
    effects. The figure caption, its method text and this appendix all read it
    from here, so they cannot tell different stories.
    """
    if effects is None or effects.empty:
        return ""
    kinds = set(effects["uncertainty"].dropna().astype(str)) if "uncertainty" in effects.columns else set()
    return "global" if kinds == {"global"} else "document"


def _refit_seeds(config: RunConfig, tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """The seeds of the refits pooled with the reported model (``topic_matching``, else the config)."""
    matching = tables.get("topic_matching")
    if matching is not None and not matching.empty and {"model", "random_state"} <= set(matching.columns):
        return [str(s) for s in sorted(set(matching.loc[matching["model"] > 0, "random_state"]))]
    # the pipeline refits at every seed of global_seeds but the run's own (that one is the reported model)
    return [str(s) for s in sorted(set(config.effects.global_seeds) - {config.random_state})]


def effects_intervals_text(config: RunConfig, tables: Mapping[str, pd.DataFrame]) -> str:
    """What the effects' intervals include and leave out (:func:`effects_uncertainty_kind`), in prose.

    Used by this appendix and by the effects figure's "How it was made".
    """
    kind = effects_uncertainty_kind(tables.get("effects"))
    if kind == "global":
        seeds = ", ".join(_refit_seeds(config, tables)) or "none"
        return ("The intervals include the uncertainty of the document-topic proportions, of the regression and of "
                f"the topics themselves: the draws pool refits of the model at the seeds of `[effects] global_seeds` "
                f"({seeds}) with the reported model (random_state {config.random_state}), each refit's topics matched "
                "one to one to the run's model (`tables/topic_matching.csv`). They leave out the uncertainty of the "
                "chosen K and of preprocessing and the dictionary.")
    if kind == "document":
        return ("The intervals include the uncertainty of the document-topic proportions and of the regression; they "
                "leave out the uncertainty of the topics themselves (held fixed), of the chosen K and of the seed, "
                "and of preprocessing and the dictionary.")
    return ""


def _versions(config: RunConfig, provenance: Mapping) -> list[str]:
    packages = provenance.get("packages", {})
    rows = pd.DataFrame(sorted(packages.items()), columns=["package", "version"])
    hashes = pd.DataFrame([
        ("configuration", f"{provenance.get('config_name', config.name)} (hash {provenance.get('config_hash', config.hash())})"),
        ("corpus (documents analysed)", provenance.get("corpus_hash", "")),
        ("lexicons", provenance.get("lexicon_version", "")),
        ("theme dictionary", f"{config.themes.file} (version {provenance.get('themes_version', 'unknown')})"),
        # what the measured quality was scored from (run_inputs/ keeps the sheet)
        *([("coded validation sheet", f"{config.themes.validation_sheet} "
                                      f"(version {provenance['validation_sheet_version']})")]
          if "validation_sheet_version" in provenance else []),
        *([("labelled articles (corpora/validation)", provenance["devset_version"])]
          if "devset_version" in provenance else []),
        ("toolkit code", provenance.get("toolkit_code", "")),
        ("toolkit figure code", provenance.get("toolkit_plots_code", "")),
        ("git commit", provenance.get("git_commit", "")),
        ("random_state", str(provenance.get("random_state", config.random_state))),
    ], columns=["what", "identifier"])
    return ["## Versions and hashes", "",
            "Every figure and table has a JSON sidecar with these identifiers; "
            "`python -m toolkit repro-check` reruns the whole pipeline twice and compares every output byte "
            "for byte.", "", _table_md(hashes), "", _table_md(rows)]


def methods_markdown(provenance: Mapping, tables: Mapping[str, pd.DataFrame], config: RunConfig, *,
                     definitions: Mapping[str, str] | None = None, labels: Mapping[str, str] | None = None) -> str:
    """The methods appendix of a run as Markdown.

    Parameters
    ----------
    provenance
        The run's provenance (``config_hash``, ``corpus_hash``,
        ``lexicon_version``, ``toolkit_code``, ``git_commit``, ``packages``,
        ``random_state``), as recorded in every sidecar.
    tables
        The run's tables by name (``corpus_summary``, ``rejects``,
        ``documents_per_locality_year``, ``theme_validation``,
        ``theme_quality``, ``model_recommendation``, ``effects``…); absent
        tables are said to be absent.
    config
        The run configuration.
    definitions, labels
        The figure themes' definitions (the sense that counts) and names,
        from the themes file (:func:`toolkit.report.registry.theme_definitions`).

    Returns
    -------
    str
        Markdown, identical for identical inputs.
    """
    sections = [
        [f"# Methods: {config.name}", "",
         "How the figures and tables of this run were made, generated by `python -m toolkit figures` from the "
         "run's own configuration, tables and provenance."],
        _corpus(config, tables), _preprocessing(config, provenance), _themes(config, tables, provenance, definitions or {}, labels or {}),
        _model(config, tables, provenance), _effects(config, tables), _versions(config, provenance),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"
