"""Report stage: figures, tables and pages a reader sees.

Modules: :mod:`~toolkit.report.plots` (pure plotting on a given ``Axes``),
:mod:`~toolkit.report.registry` (which figures and tables ``make figures``
writes, their captions and the order of the report), :mod:`~toolkit.report.files`
(deterministic figure and table writers with provenance sidecars),
:mod:`~toolkit.report.page` (the HTML report page),
:mod:`~toolkit.report.explorer` (the offline explorer: trend cell → documents →
KWIC lines → text) and :mod:`~toolkit.report.browser` (the topic browser, the
explorer's topic view).
"""

from toolkit._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "save_figure": "toolkit.report.files",
    "save_table": "toolkit.report.files",
    "write_keyness_parquet": "toolkit.report.files",
    "write_outputs": "toolkit.report.registry",
    "render_report": "toolkit.report.page",
    "explorer_html": "toolkit.report.explorer",
    "topic_browser_html": "toolkit.report.browser",
})
