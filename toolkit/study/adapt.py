"""Defaults that fit the corpus: what a run chooses for the settings the researcher left unset.

:func:`adapt_defaults` is pure: a config and the document table in, the
adapted config and a table of choices out. A setting the config file writes
(or, for a config built in Python, one that differs from its default) is
never changed; the table still says it was the config's choice, with a
warning when the corpus cannot support it.

The rules (one locality, a short span, no dates, few documents):

``effects.formula``
    ``C(locality)`` when the dated documents come from two or more
    localities, none with one; the year as a spline ``bs(year, df=3)`` from
    :data:`MIN_YEARS_SPLINE` distinct years on, as categories ``C(year)``
    for a shorter span, no year term with fewer than two years or when
    fewer than :data:`MIN_DATED_SHARE` of the documents are dated; terms are
    dropped (locality first) until there are :data:`DOCS_PER_COEFFICIENT`
    documents per coefficient; no term left: ``""`` (no effects).
``themes.periods``
    the default periods when they hold every dated year, two or more of them
    hold documents and none that does holds fewer than
    :data:`MIN_PERIOD_SHARE` of the dated documents (a default period that
    holds none is left out); else the span cut into three consecutive
    periods (one per year for three years or fewer), each trimmed to its
    first and last year with documents and left out when it has none (a
    corpus of 2005–2007 and 2017–2022 gets those two, not an empty
    2011–2016 between them), a period under that share merged into its
    smaller neighbour (a corpus of 2, 200 and 2,449 documents in 2019, 2020,
    2021 gets 2019–2020 and 2021, not a column of two documents). No chosen
    period is empty.
``keyness.group``
    ``locality`` with two or more localities, else ``year`` with two or
    more years, else no keyness.
``topics.n_topics_grid``
    the numbers of topics with at least :data:`DOCS_PER_TOPIC` documents
    each and room for the seeded themes plus one free topic
    (:func:`seeded_min_topics`); none: a smaller grid, never below that
    (and a warning).
``topics.n_topics_grid``, ``effects.formula`` of a run that fits no topic model
    ``(none)`` in the choices table (:func:`fits_topic_model`: its ``[figures]
    include`` names no topic figure); nothing is chosen.
``figures.include``
    every figure the corpus supports (:data:`FIGURE_NEEDS`); a list in the
    config restricts them (a figure the corpus cannot support is left out
    even when listed). With fewer than :data:`MIN_DATED_SHARE` of the
    documents dated, the figures over time are left out unless listed;
    documents and theme shares per locality (dated or not) stand in for them.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import pandas as pd

from toolkit.config import RunConfig, period_label

logger = logging.getLogger("toolkit.study")

#: Distinct years from which the year enters the effects formula as a spline (fewer: categories).
MIN_YEARS_SPLINE = 6
#: Documents needed per coefficient of the effects formula.
DOCS_PER_COEFFICIENT = 5
#: Documents needed per topic of the K grid.
DOCS_PER_TOPIC = 10
#: Share of the documents that must carry a date before the figures over time (and the year term of the
#: effects) describe the corpus: below it they would describe a small, unrepresentative part of it.
MIN_DATED_SHARE = 0.2
#: Share of the dated documents a period of the locality x period figure must hold: a sparser one is a
#: column of a few documents beside the others (merged into a neighbour when the run chooses the periods).
MIN_PERIOD_SHARE = 0.05

#: Columns of the choices table (``tables/run_choices.csv``).
CHOICE_COLUMNS = ("setting", "value", "chosen_by", "reason")

#: What each figure of :data:`toolkit.report.registry.FIGURES` needs from the corpus and the run.
FIGURE_NEEDS: dict[str, str] = {
    "documents_per_locality_year": "dated documents",
    "documents_per_locality": "documents with a locality, some of them undated",
    "theme_share_by_locality": "documents with a locality",
    "theme_share_by_period": "dated documents inside the periods",
    "theme_trends": "dated documents in two or more years",
    "topic_top_terms": "a topic model (always made)",
    "topic_prevalence": "dated documents in two or more years",
    "effects_forest": "an effects formula with a term besides the year spline",
    "keyness": "two or more groups to compare",
    "model_selection": "a grid of numbers of topics",
    "planted_vs_recovered": "the simulated demo corpus (its planted truth)",
}

#: The figures drawn from the topic model (its terms, prevalence, effects and the choice of K): a run whose
#: ``[figures] include`` names none of them fits no topic model.
TOPIC_FIGURES: frozenset[str] = frozenset({"topic_top_terms", "topic_prevalence", "effects_forest", "model_selection"})


#: Why a run fits no topic model (the choices table's reason).
NOT_FITTED_REASON = "no topic model is fitted: [figures] include names no topic figure (" + \
    ", ".join(sorted(TOPIC_FIGURES)) + ")"


def not_fitted_choice() -> pd.DataFrame:
    """The choices-table row of a run that fits no topic model: ``topics = not fitted``, the config's choice."""
    return pd.DataFrame([_row("topics", "not fitted", "config", NOT_FITTED_REASON)], columns=list(CHOICE_COLUMNS))


def fits_topic_model(config: RunConfig) -> bool:
    """Whether a run of ``config`` fits a topic model: unless its ``[figures] include`` names no topic figure.

    An empty ``include`` means every figure the corpus supports, the topic
    figures among them (``topic_top_terms`` is always made).
    """
    include = set(config.figures.include)
    return not include or bool(TOPIC_FIGURES & include)


def corpus_facts(documents: pd.DataFrame) -> dict:
    """What the choices depend on: documents, dated documents, years, localities."""
    years = pd.to_numeric(documents["year"], errors="coerce") if "year" in documents else pd.Series(dtype=float)
    localities = documents["locality"].fillna("").astype(str) if "locality" in documents \
        else pd.Series([""] * len(documents))
    dated = years.notna()
    return {
        "n_docs": len(documents),
        "n_dated": int(dated.sum()),
        "dated_share": float(dated.mean()) if len(documents) else 0.0,
        "n_localized": int((localities != "").sum()),
        "n_undated_localized": int(((localities != "") & ~dated).sum()),
        "years": sorted(int(y) for y in years[dated].unique()),
        "year_counts": {int(y): int(n) for y, n in sorted(years[dated].value_counts().items())},
        "localities": sorted(set(localities[localities != ""])),
        "dated_localities": sorted(set(localities[dated & (localities != "")])),
    }


def _row(setting: str, value, chosen_by: str, reason: str) -> dict:
    if isinstance(value, tuple):
        value = ", ".join(period_label(v) if isinstance(v, tuple) else str(v) for v in value)
    return {"setting": setting, "value": str(value), "chosen_by": chosen_by, "reason": reason}


def _period_docs(period: tuple[int, int], year_counts: dict[int, int]) -> int:
    return sum(n for year, n in year_counts.items() if period[0] <= year <= period[1])


def _periods(year_counts: dict[int, int]) -> tuple[tuple[tuple[int, int], ...], list[tuple[int, int]], bool]:
    """Periods over the years with documents: ``(periods, empty cuts left out, whether sparse ones were merged)``.

    The span is cut into three consecutive periods (one per year for three
    years or fewer); each is trimmed to its first and last year with
    documents and one without documents is left out, so a gap in the years
    is no column of its own; then the sparsest period is merged into the
    smaller of its neighbours until each holds :data:`MIN_PERIOD_SHARE` of
    the documents.
    """
    years = sorted(y for y, n in year_counts.items() if n)
    first, last = years[0], years[-1]
    span = last - first + 1
    if span <= 3:
        cuts = [(y, y) for y in range(first, last + 1)]
    else:
        sizes = [span // 3 + (1 if i < span % 3 else 0) for i in range(3)]
        cuts, start = [], first
        for size in sizes:
            cuts.append((start, start + size - 1))
            start += size
    out, empty = [], []
    for a, b in cuts:
        held = [y for y in years if a <= y <= b]
        if held:
            out.append((held[0], held[-1]))
        else:
            empty.append((a, b))
    total = sum(year_counts.values())
    merged = False
    while len(out) >= 2:
        docs = [_period_docs(p, year_counts) for p in out]
        i = min(range(len(out)), key=lambda k: (docs[k], k))
        if docs[i] >= MIN_PERIOD_SHARE * total:
            break
        j = min((k for k in (i - 1, i + 1) if 0 <= k < len(out)), key=lambda k: (docs[k], k))
        a, b = min(i, j), max(i, j)
        out[a:b + 1] = [(out[a][0], out[b][1])]
        merged = True
    return tuple(out), empty, merged


def _choose_periods(config: RunConfig, facts: dict) -> tuple[tuple, str, str]:
    periods, years = config.themes.periods, facts["years"]
    if config.is_set("themes.periods"):
        outside = [y for y in years if not any(a <= y <= b for a, b in periods)]
        note = f"; years outside every period: {', '.join(map(str, outside))}" if outside else ""
        return periods, "config", "set in the config" + note
    if not years:
        return periods, "default", "no dated documents: no periods (the period figure is left out)"
    counts = facts["year_counts"]
    total = sum(counts.values())
    held = {p: _period_docs(p, counts) for p in periods}
    held = {p: n for p, n in held.items() if n}
    if len(years) == 1:
        return ((years[0], years[0]),), "corpus", f"one dated year ({years[0]}): one period"
    if all(any(a <= y <= b for a, b in periods) for y in years):
        if len(held) >= 2 and min(held.values()) >= MIN_PERIOD_SHARE * total:
            why = f"the default periods hold every dated year ({years[0]}–{years[-1]})"
            if len(held) == len(periods):
                return periods, "default", why
            # a default period without documents would be an empty column of the period figure
            empty = [p for p in periods if p not in held]
            return tuple(p for p in periods if p in held), "corpus", (
                f"{why}; {', '.join(period_label(p) for p in empty)}, which hold{'s' * (len(empty) == 1)} no "
                "dated document, left out")
        if len(held) < 2:
            why = f"the dated years {years[0]}–{years[-1]} fall in one default period"
        else:
            sparse = [p for p, n in held.items() if n < MIN_PERIOD_SHARE * total]
            named = ", ".join(f"{a}–{b} ({held[(a, b)]} documents)" for a, b in sparse)
            why = (f"the default period{'s' * (len(sparse) > 1)} {named} would hold under {MIN_PERIOD_SHARE:.0%} "
                   f"of the {total} dated documents")
    else:
        why = f"the dated years {years[0]}–{years[-1]} fall outside the default periods"
    chosen, empty, merged = _periods(counts)
    span = years[-1] - years[0] + 1
    if span <= 3:
        how = "one period per year" + (" with documents" if empty else "")
    else:
        how = "three consecutive periods over the span, each from its first to its last year with documents"
        if empty:
            how += f" ({' and '.join(period_label(p) for p in empty)}: none, left out)"
    if merged:
        how += f", those under {MIN_PERIOD_SHARE:.0%} of the dated documents merged into a neighbour"
    label = ", ".join(f"{period_label((a, b))}: {_period_docs((a, b), counts)}" for a, b in chosen)
    return chosen, "corpus", f"{why}: {how} (documents {label})"


def _choose_group(config: RunConfig, facts: dict) -> tuple[str, str, str]:
    group = config.keyness.group
    if config.is_set("keyness.group"):
        return group, "config", "set in the config"
    if group in ("locality", "district"):
        n_loc = len(facts["localities"])
        if n_loc >= 2:
            return group, "default", f"{n_loc} localities to compare"
        if len(facts["years"]) >= 2:
            where = facts["localities"][0] if n_loc else "no known locality"
            return "year", "corpus", f"one locality ({where}): terms are compared between years instead"
        return group, "corpus", "one locality and fewer than two years: nothing to compare (keyness left out)"
    return group, "default", "the default"


def seeded_min_topics(config: RunConfig) -> int:
    """The smallest K the run can fit: its seeded themes plus one free topic (2 when nothing is seeded).

    The seeded themes are ``[topics] seed_themes``, or every theme of the
    themes file when that list is empty (a theme without a seed term in the
    vocabulary is left out at run time, which only lowers the need).
    """
    t = config.topics
    if not t.seeded:
        return 2
    n_themes = len(set(t.seed_themes))
    if not n_themes:
        from toolkit.errors import UserError
        from toolkit.themes.dictionary import load_themes

        try:
            n_themes = len(load_themes(config.resolve(config.themes.file)).ids)
        except (UserError, OSError, ValueError):
            n_themes = 0  # reported by config_problems
    return max(2, n_themes + 1)


def _choose_grid(config: RunConfig, facts: dict) -> tuple[tuple[int, ...], str, str, bool]:
    """Grid, chosen_by, reason, and whether it is a warning."""
    grid = tuple(config.topics.n_topics_grid)
    n = facts["n_docs"]
    max_k = n // DOCS_PER_TOPIC
    min_k = seeded_min_topics(config)
    if config.is_set("topics.n_topics_grid"):
        too_big = [k for k in grid if k > max(max_k, 2)]
        if too_big:
            return grid, "config", (f"set in the config; {n} documents are few for K = "
                                    f"{', '.join(map(str, too_big))} (under {DOCS_PER_TOPIC} per topic)"), True
        return grid, "config", "set in the config", False
    if not grid:
        return grid, "default", "no model selection ([topics] n_topics is used)", False
    seeded = f"; K below {min_k} cannot hold the {min_k - 1} seeded themes and a free topic"
    kept = tuple(k for k in grid if min_k <= k <= max_k)
    if kept == grid:
        return grid, "default", f"{n} documents: at least {DOCS_PER_TOPIC} per topic at every K", False
    if kept:
        dropped = ", ".join(str(k) for k in grid if k not in kept)
        return kept, "corpus", (f"{n} documents: K = {dropped} left out (fewer than {DOCS_PER_TOPIC} documents "
                                f"per topic{seeded if any(k < min_k for k in grid) else ''})"), True
    smaller = tuple(sorted({max(min_k, max_k // 2), max(min_k, max_k)}))
    return smaller, "corpus", (f"only {n} documents, too few for K = {', '.join(map(str, grid))} "
                               f"({DOCS_PER_TOPIC} per topic): a smaller grid{seeded if max_k < min_k else ''}; "
                               "topics of so few documents are a sketch, not a finding"), True


#: Documents the reference level of a chosen categorical term needs: every coefficient is a comparison with it,
#: so a reference of a few documents makes every interval rest on them (dantri's 2019 had 2).
MIN_REFERENCE_DOCS = 30


def _categorical(variable: str, counts: dict) -> tuple[str, str]:
    """``C(variable)``, or with the level of most documents as its reference when the first level holds too few.

    patsy compares every level with the first in sorted order; when that one
    holds fewer than :data:`MIN_REFERENCE_DOCS` documents, the level with
    most documents (the first of them on a tie) becomes the reference.
    Returns the term and the reason (empty when the first level serves).
    """
    first = min(counts)
    if counts[first] >= MIN_REFERENCE_DOCS:
        return f"C({variable})", ""
    reference = max(sorted(counts), key=lambda level: counts[level])
    if reference == first:
        return f"C({variable})", ""
    return (f"C({variable}, Treatment(reference={reference!r}))",
            f"the first {variable}, {first}, holds {counts[first]} document(s) (fewer than {MIN_REFERENCE_DOCS}): "
            f"compared with {reference}, the {variable} with most ({counts[reference]})")


def _choose_formula(config: RunConfig, facts: dict, documents: pd.DataFrame) -> tuple[str, str, str]:
    formula = config.effects.formula
    if config.is_set("effects.formula"):
        return formula, "config", "set in the config"
    years = facts["years"]
    reasons = []
    year_term, n_year_coef = "", 0
    if not years:
        reasons.append("no dated documents: no year term")
    elif facts["dated_share"] < MIN_DATED_SHARE:
        reasons.append(f"{_dated_note(facts)}: no year term")
    elif len(years) == 1:
        reasons.append(f"every dated document is of {years[0]}: no year term")
    elif len(years) < MIN_YEARS_SPLINE:
        year_term, n_year_coef = "C(year)", len(years) - 1
        reasons.append(f"a short span ({len(years)} distinct years): year as categories C(year)")
        year_term, why = _categorical("year", facts["year_counts"])
        if why:
            reasons.append(why)
    else:
        year_term, n_year_coef = "bs(year, df=3)", 3
        reasons.append(f"{len(years)} distinct years: year as a spline bs(year, df=3)")
    localities = facts["dated_localities"] if year_term else facts["localities"]
    loc_term, n_loc_coef = "", 0
    if len(localities) >= 2:
        loc_term, n_loc_coef = "C(locality)", len(localities) - 1
        reasons.append(f"{len(localities)} localities: C(locality)")
        in_model = documents["locality"].fillna("").astype(str)
        if year_term:
            in_model = in_model[pd.to_numeric(documents["year"], errors="coerce").notna()]
        loc_term, why = _categorical("locality", in_model[in_model != ""].value_counts().to_dict())
        if why:
            reasons.append(why)
    else:
        reasons.append(f"one locality ({localities[0]}): no locality term" if localities
                       else "no known locality: no locality term")
    n_complete = facts["n_dated"] if year_term else facts["n_docs"]
    if loc_term:
        loc = documents["locality"].fillna("").astype(str) != ""
        if year_term:
            loc &= pd.to_numeric(documents["year"], errors="coerce").notna()
        n_complete = int(loc.sum())
    while loc_term or year_term:
        n_coef = 1 + n_loc_coef + n_year_coef
        if n_complete >= DOCS_PER_COEFFICIENT * n_coef:
            break
        dropped = loc_term or year_term
        reasons.append(f"{n_complete} documents for {n_coef} coefficients (fewer than {DOCS_PER_COEFFICIENT} "
                       f"each): {dropped} left out")
        if loc_term:
            loc_term, n_loc_coef = "", 0
            n_complete = facts["n_dated"] if year_term else facts["n_docs"]
        else:
            year_term, n_year_coef = "", 0
    terms = [t for t in (loc_term, year_term) if t]
    chosen = "~ " + " + ".join(terms) if terms else ""
    if not terms:
        reasons.append("no term left: effects are left out")
    return chosen, ("default" if chosen == formula else "corpus"), "; ".join(reasons)


def _dated_note(facts: dict) -> str:
    return (f"only {facts['n_dated']} of {facts['n_docs']} documents ({100 * facts['dated_share']:.0f}%) carry a "
            f"date, under the {100 * MIN_DATED_SHARE:.0f}% needed to describe the corpus over time")


def _only_year_spline(formula: str) -> bool:
    """Whether every term of the formula's right side is a spline (``bs(...)``): nothing to draw as a forest.

    Parsed as patsy parses it, so ``bs(year, df=3) + C(locality)`` has a categorical term and
    ``bs(year + 0.5, df=3)`` is one spline; an unparsable formula is left to the effects stage's error.
    """
    import patsy

    try:
        desc = patsy.ModelDesc.from_formula(formula if "~" in formula else "~ " + formula)
    except patsy.PatsyError:
        return False
    factors = [f.name() for term in desc.rhs_termlist for f in term.factors]
    return bool(factors) and all(name.replace(" ", "").startswith("bs(") for name in factors)


def figure_plan(config: RunConfig, documents: pd.DataFrame) -> pd.DataFrame:
    """Which figures the run makes and which it leaves out, and why.

    ``config`` is the adapted config (:func:`adapt_defaults`). Columns
    ``figure, made, reason`` in the order of :data:`FIGURE_NEEDS`.
    """
    facts = corpus_facts(documents)
    years = facts["years"]
    periods = config.themes.periods
    in_periods = any(a <= y <= b for y in years for a, b in periods)
    group = config.keyness.group
    if group in ("locality", "district"):
        n_groups = len(facts["localities"])
    elif group in documents:
        n_groups = documents[group].dropna().astype(str).replace("", pd.NA).dropna().nunique()
    else:
        n_groups = 0
    selection = bool(config.topics.n_topics_grid) or config.topics.n_topics == 0
    formula = config.effects.formula.strip()
    supported = {
        "documents_per_locality_year": (facts["n_dated"] > 0, "no dated documents"),
        "documents_per_locality": (facts["n_undated_localized"] > 0,
                                   "no undated document with a locality (documents_per_locality_year has them all)"
                                   if facts["n_localized"] else "no document with a known locality"),
        "theme_share_by_locality": (facts["n_localized"] > 0, "no document with a known locality"),
        "theme_share_by_period": (in_periods, "no dated document inside the periods"),
        "theme_trends": (len(years) >= 2, f"dated documents in {len(years)} year(s): no trend to draw"),
        "topic_top_terms": (True, ""),
        "topic_prevalence": (len(years) >= 2, f"dated documents in {len(years)} year(s): no trend to draw"),
        "effects_forest": (bool(formula) and not _only_year_spline(formula),
                           "the effects formula has only the year spline, whose coefficients are not readable one "
                           "by one (topic_prevalence shows the trend)" if formula
                           else "no effects formula (see effects.formula)"),
        "keyness": (n_groups >= 2, f"{n_groups} group(s) of {group}: nothing to compare"),
        "model_selection": (selection, "no K grid ([topics] n_topics fixed)"),
        "planted_vs_recovered": (config.corpus.simulate, "not the simulated demo corpus"),
    }
    if facts["n_dated"] and facts["dated_share"] < MIN_DATED_SHARE:
        # a time figure of a few dated documents says little about the corpus; the config may still list it
        for name in ("documents_per_locality_year", "theme_share_by_period", "theme_trends", "topic_prevalence"):
            if supported[name][0]:
                supported[name] = (name in config.figures.include,
                                   f"{_dated_note(facts)} (list it in [figures] include to draw it anyway)")
    include = set(config.figures.include)
    rows = []
    for name, needs in FIGURE_NEEDS.items():
        ok, why_not = supported[name]
        if include and name not in include:
            rows.append({"figure": name, "made": False, "reason": "not in [figures] include"})
        elif ok:
            rows.append({"figure": name, "made": True, "reason": f"needs {needs}: present"})
        else:
            rows.append({"figure": name, "made": False, "reason": why_not})
    return pd.DataFrame(rows, columns=["figure", "made", "reason"])


def adapt_defaults(config: RunConfig, documents: pd.DataFrame) -> tuple[RunConfig, pd.DataFrame]:
    """The config with its unset settings chosen to fit ``documents``, and why.

    Parameters
    ----------
    config
        The run config; settings it sets (:meth:`~toolkit.config.RunConfig.is_set`)
        are kept as they are.
    documents
        The documents the run counts and models (reposts left out), with
        ``year`` and ``locality``.

    Returns
    -------
    config : RunConfig
        With ``effects.formula``, ``themes.periods``, ``keyness.group``,
        ``topics.n_topics_grid`` and ``figures.include`` chosen (a run that
        fits no topic model, :func:`fits_topic_model`, keeps the config's
        grid and formula: it uses neither).
    choices : DataFrame
        ``setting, value, chosen_by, reason``: one row per adaptive setting,
        ``chosen_by`` one of ``config`` (the researcher's), ``default`` (the
        default fits the corpus), ``corpus`` (changed to fit it); plus a
        ``figures.left_out`` row per figure the corpus cannot support. A run
        that fits no topic model has ``(none)`` for the grid and the formula.
        Sorted by setting.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.config import RunConfig
    >>> docs = pd.DataFrame({"year": [2020, 2021, 2022] * 5, "locality": "Quận Long Biên, Hà Nội"})
    >>> config, choices = adapt_defaults(RunConfig(), docs)
    >>> config.effects.formula
    '~ C(year)'
    >>> # 12 documents would be fewer than 5 per coefficient of ~ C(year): no formula, and the table says why
    >>> adapt_defaults(RunConfig(), docs.iloc[:12])[0].effects.formula
    ''
    """
    facts = corpus_facts(documents)
    rows = []
    periods, by, why = _choose_periods(config, facts)
    rows.append(_row("themes.periods", periods, by, why))
    group, by, why = _choose_group(config, facts)
    rows.append(_row("keyness.group", group, by, why))
    if fits_topic_model(config):
        grid, by, why, warn = _choose_grid(config, facts)
        if warn:
            logger.warning("[topics] n_topics_grid: %s", why)
        rows.append(_row("topics.n_topics_grid", grid, by, why))
        formula, by, why = _choose_formula(config, facts, documents)
        rows.append(_row("effects.formula", formula or "(none)", by, why))
    else:
        # nothing to choose: the config's values stay (the provenance keeps them), the table says none is used
        grid, formula = tuple(config.topics.n_topics_grid), config.effects.formula
        rows.append(_row("topics.n_topics_grid", "(none)", "config", f"{NOT_FITTED_REASON}: no K to choose"))
        rows.append(_row("effects.formula", "(none)", "config", f"{NOT_FITTED_REASON}: no effects"))
    adapted = replace(
        config,
        themes=replace(config.themes, periods=periods),
        keyness=replace(config.keyness, group=group),
        topics=replace(config.topics, n_topics_grid=grid),
        effects=replace(config.effects, formula=formula),
    )
    plan = figure_plan(adapted, documents)
    made = tuple(plan.loc[plan["made"], "figure"])
    if config.figures.include:
        rows.append(_row("figures.include", made, "config", "set in the config"))
    else:
        rows.append(_row("figures.include", made, "corpus" if len(made) < len(plan) else "default",
                         "every figure the corpus supports"))
    for figure in plan.itertuples(index=False):
        if not figure.made:
            rows.append(_row("figures.left_out", figure.figure, "corpus", figure.reason))
    adapted = replace(adapted, figures=replace(adapted.figures, include=made))
    choices = pd.DataFrame(rows, columns=list(CHOICE_COLUMNS))
    choices = choices.sort_values(["setting", "value"], kind="stable", ignore_index=True)
    return adapted, choices


def choices_paragraph(choices: pd.DataFrame) -> str:
    """The report page's paragraph on what the run chose and why (from the choices table)."""
    if choices is None or choices.empty:
        return ""
    parts = []
    for row in choices.itertuples(index=False):
        if row.setting == "figures.left_out":
            parts.append(f"figure {row.value} left out: {row.reason}")
        elif row.setting != "figures.include":
            who = {"config": "set in the config", "default": "the default", "corpus": "chosen to fit the corpus"}
            label = who.get(row.chosen_by, row.chosen_by)
            why = "" if row.reason == label else f": {row.reason}"
            parts.append(f"{row.setting} = {row.value} ({label}{why})")
    return ("Settings left unset were chosen to fit this corpus (tables/run_choices.csv): "
            + "; ".join(parts) + ".")


__all__ = ["CHOICE_COLUMNS", "DOCS_PER_COEFFICIENT", "DOCS_PER_TOPIC", "FIGURE_NEEDS", "MIN_DATED_SHARE",
           "MIN_YEARS_SPLINE", "NOT_FITTED_REASON",
           "TOPIC_FIGURES", "adapt_defaults", "choices_paragraph", "corpus_facts", "figure_plan", "fits_topic_model",
           "not_fitted_choice"]
