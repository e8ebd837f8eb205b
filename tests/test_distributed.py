"""Local processes and a Dask LocalCluster give the same results as inline runs."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from toolkit.distributed import BatchRunner, n_workers, process_context, release_memory
from toolkit.text.preprocess import preprocess


def _scale(factor, batch):
    return [factor * x for x in batch]


def test_n_workers():
    assert n_workers(1) == 1
    assert n_workers(-1) >= 1
    with pytest.raises(ValueError):
        n_workers(0)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_batch_runner_keeps_order(n_jobs):
    batches = [[i, i + 1] for i in range(0, 40, 2)]
    with BatchRunner(n_jobs=n_jobs, shared=3) as runner:
        out = list(runner.map(_scale, iter(batches)))
    assert out == [[3 * i, 3 * (i + 1)] for i in range(0, 40, 2)]


def _warn_odd(factor, batch):
    import logging

    for x in batch:
        if x % 2:
            logging.getLogger("toolkit.text").warning("entry %d can never match", x % 4)
    return [factor * x for x in batch]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_workers_warnings_reach_the_callers_log_once(n_jobs, caplog):
    # a worker process has none of the caller's log handlers: its warnings were lost (or went to its stderr
    # unformatted) with n_jobs > 1
    with caplog.at_level(logging.WARNING, logger="toolkit"), BatchRunner(n_jobs=n_jobs, shared=2) as runner:
        out = list(runner.map(_warn_odd, iter([[1, 2], [3, 4], [5, 6]])))
    assert out == [[2, 4], [6, 8], [10, 12]]
    messages = [r.getMessage() for r in caplog.records if r.name == "toolkit.text"]
    # inline each call logs as it goes; from workers each message is logged once per run
    expected = ["entry 1 can never match", "entry 3 can never match", "entry 1 can never match"]
    assert messages == (expected if n_jobs == 1 else expected[:2])


DOCS = pd.DataFrame({
    "doc_id": [f"d{i}" for i in range(12)],
    "title": ["Hội nghị triển khai công tác dân vận"] * 12,
    "body": [f"Ban Dân vận Huyện ủy vận động nhân dân GPMB dự án số {i}. Thực hiện QCDC ở cơ sở." for i in range(12)],
})


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c, \
            distributed.Client(c) as client:
        yield client


def test_preprocess_on_dask_cluster_equals_inline(cluster):
    inline = preprocess(DOCS, n_jobs=1)
    remote = preprocess(DOCS, scheduler=cluster, chunk_size=4)
    pd.testing.assert_frame_equal(inline, remote)
    assert "giải_phóng_mặt_bằng" in inline["tokens"].iat[0]


def test_batch_runner_on_dask_address(cluster):
    address = cluster.scheduler.address
    with BatchRunner(scheduler=address, shared=2) as runner:
        assert list(runner.map(_scale, [[1], [2], [3]])) == [[2], [4], [6]]


def test_theme_counting_on_dask_cluster_equals_inline(cluster):
    from toolkit.themes.dictionary import load_themes, theme_hits, theme_hits_batched

    themes = load_themes()
    tokens = preprocess(DOCS, n_jobs=1)
    inline = theme_hits(tokens, themes, DOCS)
    remote = theme_hits_batched(tokens, themes, DOCS, scheduler=cluster, batch_size=5)
    pd.testing.assert_frame_equal(inline, remote)
    assert inline.query("theme == 'site_clearance'")["present"].all()


def test_ingest_on_dask_cluster_equals_inline(cluster, tmp_path):
    from toolkit.ingest.core import ingest_files

    for i in range(6):
        (tmp_path / f"p{i}.txt").write_text(
            f"Hội nghị dân vận số {i}\nNgày đăng: 0{i + 1}/03/2022\n"
            f"Sáng ngày 0{i + 1}/3, Ban Dân vận Huyện ủy Đông Anh tổ chức hội nghị triển khai công tác "
            f"giải phóng mặt bằng dự án số {i} tại xã Uy Nỗ. Hội nghị thống nhất phương án vận động nhân dân.\n",
            encoding="utf-8")
    inline = ingest_files([tmp_path], n_jobs=1)
    remote = ingest_files([tmp_path], scheduler=cluster)
    pd.testing.assert_frame_equal(inline.documents, remote.documents)
    assert len(inline.documents) == 6


def test_workers_start_from_a_small_process_not_from_the_caller():
    import multiprocessing

    ctx = process_context()
    if "forkserver" in multiprocessing.get_all_start_methods():
        assert ctx.get_start_method() == "forkserver"   # never a fork of a run's multi-gigabyte heap
    else:
        assert ctx.get_start_method() == multiprocessing.get_start_method()


def test_release_memory_keeps_live_objects():
    kept = [list(range(1000)) for _ in range(100)]
    release_memory()
    assert len(kept) == 100 and kept[-1][-1] == 999


def test_an_unguarded_script_is_told_what_to_do_when_its_workers_die(tmp_path):
    # each worker imports the script that started it: without `if __name__ == "__main__":` it re-runs the
    # toolkit call and dies, and Python's own error (BrokenProcessPool or BrokenPipeError) names no cause
    import subprocess
    import sys

    script = tmp_path / "noguard.py"
    script.write_text(
        "import pandas as pd\nimport toolkit\n"
        "docs = pd.DataFrame({'doc_id': [str(i) for i in range(40)], 'title': 'Hội nghị',\n"
        "                     'body': ['Ban Dân vận Huyện ủy tổ chức hội nghị số %d.' % i for i in range(40)]})\n"
        "toolkit.preprocess(docs, n_jobs=2, progress=False, cache_dir=None)\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("concurrent.futures.process.BrokenProcessPool: a worker process stopped abruptly")
    assert 'if __name__ == "__main__":' in last and "n_jobs=1" in last
