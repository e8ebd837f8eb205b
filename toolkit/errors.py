"""Errors a researcher caused and can fix.

A :class:`UserError` says which file (or setting) is wrong and what to do
about it. The command line prints it without a traceback (``--verbose``
shows one); every other exception is a bug of the toolkit and keeps its
traceback.
"""

from __future__ import annotations

import os


class UserError(ValueError):
    """An input, a setting or a folder the researcher can fix.

    Subclasses :class:`ValueError`, so callers that already handle bad values
    keep working.

    Parameters
    ----------
    message
        What is wrong, in one sentence.
    path
        The file or folder concerned (a config, a themes file, the pages folder).
    fix
        What to do about it.

    Examples
    --------
    >>> err = UserError("unknown setting 'fromula'", path="study/config.toml",
    ...                 fix="did you mean 'formula'?")
    >>> print(err)
    study/config.toml: unknown setting 'fromula'
      fix: did you mean 'formula'?
    """

    def __init__(self, message: str, *, path: str | os.PathLike | None = None, fix: str = "") -> None:
        self.message = message
        self.path = None if path is None else os.fspath(path)
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.path}: {self.message}" if self.path else self.message
        return f"{head}\n  fix: {self.fix}" if self.fix else head

    def __reduce__(self):
        return (_rebuild, (self.message, self.path, self.fix))


def _rebuild(message: str, path: str | None, fix: str) -> UserError:
    return UserError(message, path=path, fix=fix)


__all__ = ["UserError"]
