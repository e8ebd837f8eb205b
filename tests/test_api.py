"""The front door (`import toolkit`) and the layout: one place per stage, every module documented."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

import toolkit

STAGE_PACKAGES = ("toolkit.text", "toolkit.themes", "toolkit.report", "toolkit.topics")


def test_import_toolkit_loads_no_heavy_library():
    code = ("import sys, toolkit; heavy = [m for m in ('pandas', 'numpy', 'gensim', 'sklearn', 'matplotlib', "
            "'pyvi', 'tomotopy') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"import toolkit loaded {out}"


@pytest.mark.parametrize("name", sorted(toolkit.VERBS))
def test_every_verb_resolves_to_a_documented_callable_of_its_module(name):
    value = getattr(toolkit, name)
    assert callable(value)
    assert value.__module__ == toolkit.VERBS[name]
    assert (value.__doc__ or "").strip(), f"toolkit.{name} has no docstring"


def test_all_lists_the_verbs_and_dir_shows_them():
    assert set(toolkit.__all__) == set(toolkit.VERBS) | {"collect", "ingest"}
    assert set(toolkit.__all__) <= set(dir(toolkit))
    with pytest.raises(AttributeError, match="no attribute 'fit_lad'"):
        toolkit.fit_lad  # noqa: B018


def test_ingest_is_the_package_and_calling_it_ingests(tmp_path):
    page = tmp_path / "p.txt"
    page.write_text("Huyện Châu Thành tổ chức hội nghị dân vận\n\nNgày 12/3/2021, Ban Dân vận Huyện ủy Châu Thành "
                    "tỉnh Bến Tre tổ chức hội nghị sơ kết công tác dân vận quý I năm 2021 với sự tham dự của "
                    "đại diện các xã, thị trấn trong huyện.", encoding="utf-8")
    import toolkit.ingest.core

    assert toolkit.ingest is sys.modules["toolkit.ingest"]
    docs = toolkit.ingest([page])
    assert docs.equals(toolkit.ingest.core.ingest([page]))
    assert len(docs) == 1


def test_collect_is_the_package_and_callable():
    import toolkit.collect.crawl  # noqa: F401

    assert toolkit.collect is sys.modules["toolkit.collect"] and callable(toolkit.collect)
    assert toolkit.collect.collect.__doc__


@pytest.mark.parametrize("package", STAGE_PACKAGES)
def test_stage_packages_export_their_verbs(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name}"


def _all_modules():
    names = ["toolkit"]
    for info in pkgutil.walk_packages(toolkit.__path__, "toolkit."):
        if not info.name.endswith("__main__"):  # running it is its only purpose (docstring checked below)
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _all_modules())
def test_every_module_says_what_it_holds(name):
    module = importlib.import_module(name)
    assert (module.__doc__ or "").strip(), f"{name} has no module docstring"


def test_main_module_is_documented():
    from pathlib import Path

    source = (Path(toolkit.__file__).parent / "__main__.py").read_text(encoding="utf-8")
    assert source.lstrip().startswith('"""')


@pytest.mark.parametrize("old", ["toolkit.normalize", "toolkit.segment", "toolkit.fastpyvi", "toolkit.preprocess",
                                 "toolkit.features", "toolkit.validate", "toolkit.plots", "toolkit.figures",
                                 "toolkit.report_figures", "toolkit.topics.browser", "toolkit.cli.figures"])
def test_moved_modules_left_no_shim_behind(old):
    # moved, not copied (CHANGELOG.md lists old -> new); `toolkit.normalize`/`preprocess` are now verbs
    try:
        module = importlib.import_module(old)
    except ModuleNotFoundError:
        return
    pytest.fail(f"{old} still imports as a module: {module!r}")
