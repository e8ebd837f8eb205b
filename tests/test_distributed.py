"""Local processes and a Dask LocalCluster give the same results as inline runs."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.distributed import BatchRunner, n_workers
from toolkit.preprocess import preprocess


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
