"""Provenance of a run: content hashes of tables, package versions, the git commit.

Shared by the pipeline's stage cache (what a stage's key is made of) and the
figure and table writers of :mod:`toolkit.report.files` (what each sidecar
records), so both describe a run the same way.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

import pandas as pd

from toolkit.config import PROJECT_ROOT

PACKAGES = ("danvan-toolkit", "numpy", "scipy", "pandas", "pyarrow", "gensim", "tomotopy", "scikit-learn",
            "patsy", "matplotlib", "pyvi", "python-crfsuite", "trafilatura", "vietnamadminunits")


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str]:
    """Installed versions of the packages that change numbers or figures."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(root: Path = PROJECT_ROOT) -> str:
    """The checkout's commit (with ``-dirty`` when files differ), or ``unknown``."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


def frame_hash(df: pd.DataFrame) -> str:
    """A content hash of a table (values and column names, in order)."""
    digest = hashlib.sha256("\0".join(map(str, df.columns)).encode())
    digest.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]
