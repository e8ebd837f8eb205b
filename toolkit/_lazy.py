"""Lazy exports for package ``__init__`` modules: a name is imported on first use.

``import toolkit`` and ``import toolkit.themes`` stay fast (no pandas, gensim or
scikit-learn until a verb is used) while ``toolkit.fit_lda`` and
``from toolkit.themes import theme_hits`` still work. The pattern is SciPy's
``lazy_loader``: a module-level ``__getattr__`` (PEP 562) that imports the
owning module and caches the attribute.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def attach(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]], list[str]]:
    """``(__getattr__, __dir__, __all__)`` for ``package`` exporting ``{name: module}``.

    ``module`` is the absolute name of the module that defines ``name``.
    """
    names = sorted(exports)

    def __getattr__(name: str) -> object:
        try:
            module = exports[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module), name)
        import sys

        setattr(sys.modules[package], name, value)  # cache: the next lookup is a plain attribute
        return value

    def __dir__() -> list[str]:
        import sys

        return sorted(set(names) | set(vars(sys.modules[package])))

    return __getattr__, __dir__, names
