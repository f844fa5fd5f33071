"""Dask batch scoring on a LocalCluster bound to 127.0.0.1 with 2 workers."""

import numpy as np
import pytest

from rcgan.cli import main

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")

from rcgan.dataframes import read_model_bytes, score_dask, score_partition  # noqa: E402

from .conftest import manifold_data  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
        processes=True,
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_dask_scores_equal_in_process_scores(saved_model, client):
    det, path = saved_model
    X = manifold_data(1000, 1)
    ddf = dd.from_pandas(pd.DataFrame(X, columns=[f"f{i}" for i in range(8)]), npartitions=4)
    scores = score_dask(path, ddf).compute()
    np.testing.assert_allclose(scores.to_numpy(), det.anomaly_score(X), rtol=1e-6, atol=1e-7)
    both = score_dask(path, ddf, labels=True).compute()
    np.testing.assert_array_equal(both["is_anomaly"].to_numpy(), (det.predict(X) == -1).astype(int))


def test_bad_partition_is_named(saved_model, client):
    _, path = saved_model
    X = manifold_data(40, 1)
    X[35, 2] = np.nan  # in the last of 4 partitions
    ddf = dd.from_pandas(pd.DataFrame(X), npartitions=4)
    with pytest.raises(ValueError, match="partition 3"):
        score_dask(path, ddf).compute()


def test_partition_function_without_dask(saved_model):
    det, path = saved_model
    data = read_model_bytes(path)
    df = pd.DataFrame(manifold_data(10, 2))
    out = score_partition(df, data, labels=True)
    np.testing.assert_allclose(out["anomaly_score"], det.anomaly_score(df.to_numpy()), rtol=1e-6)
    assert score_partition(df.iloc[:0], data).shape == (0,)
    with pytest.raises(ValueError, match="non-numeric"):
        score_partition(pd.DataFrame({"a": ["x"] * 8}), data)


def test_cli_parquet_in_and_out(saved_model, tmp_path):
    det, path = saved_model
    X = manifold_data(200, 3)
    pd.DataFrame(X, columns=[f"f{i}" for i in range(8)]).to_parquet(tmp_path / "x.parquet")
    args = [
        "score",
        str(path),
        str(tmp_path / "x.parquet"),
        "--engine",
        "dask",
        "--workers",
        "2",
        "--out",
        str(tmp_path / "s.parquet"),
    ]
    assert main(args) == 0
    out = dd.read_parquet(str(tmp_path / "s.parquet")).compute()
    np.testing.assert_allclose(out["anomaly_score"].to_numpy(), det.anomaly_score(X), rtol=1e-6)
