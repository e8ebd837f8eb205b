"""Project paths, lexicon versions and the typed run configuration.

This is the one module that owns paths: everything else asks it where the
lexicons, the demo corpus and the reports live.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPORA_DIR = PROJECT_ROOT / "corpora"
DEMO_DIR = CORPORA_DIR / "demo"
REPORTS_DIR = PROJECT_ROOT / "reports"
CONFIGS_DIR = PROJECT_ROOT / "configs"
CACHE_DIR = Path(os.environ.get("TOOLKIT_CACHE", PROJECT_ROOT / ".cache"))
#: ``../shared`` beside the checkout: real corpora for development (never committed).
SHARED_DIR = PROJECT_ROOT.parent / "shared"


def lexicon_dir() -> Path:
    """Folder of researcher-editable lexicons (``TOOLKIT_LEXICONS`` overrides it)."""
    return Path(os.environ.get("TOOLKIT_LEXICONS", CORPORA_DIR / "lexicons"))


def lexicon_version(directory: Path | None = None) -> str:
    """Content hash of every lexicon file (name + bytes), recorded with every output.

    Editing any lexicon changes the version, which invalidates caches built on it.
    """
    directory = Path(directory) if directory is not None else lexicon_dir()
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]
