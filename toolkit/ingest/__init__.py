"""Raw scraped pages (text, HTML, tables) → the tidy document table.

Modules: ``encoding`` (bytes → NFC text), ``pages`` / ``html`` / ``dates``
(genre rules: header, boilerplate, captions, authors, dates), ``tables``
(CSV/JSONL/Parquet inputs with field mapping), ``dedup`` (near-duplicates),
``core`` (walking inputs, rejects, doc ids, locality).
"""
