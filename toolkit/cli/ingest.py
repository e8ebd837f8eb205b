"""``python -m toolkit ingest`` (filled in with the ingest package)."""
