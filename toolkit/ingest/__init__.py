"""Raw scraped pages (text, HTML, tables) → the tidy document table.

Modules: ``encoding`` (bytes → NFC text), ``pages`` / ``html`` / ``dates``
(genre rules: header, boilerplate, captions, authors, dates), ``tables``
(CSV/JSONL/Parquet inputs with field mapping), ``dedup`` (near-duplicates),
``core`` (walking inputs, rejects, doc ids, locality).
"""

import sys
import types


class _IngestPackage(types.ModuleType):
    """The ``toolkit.ingest`` package, callable: ``toolkit.ingest(paths, **options)``.

    The package and the main verb of the stage share their name; calling the
    package runs :func:`toolkit.ingest.core.ingest` (its help is that function's).
    """

    def __call__(self, paths, **options):
        from toolkit.ingest.core import ingest

        return ingest(paths, **options)


sys.modules[__name__].__class__ = _IngestPackage
