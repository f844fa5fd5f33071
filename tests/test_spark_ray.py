"""Spark and Ray Data batch scoring, on one local process each, loopback only."""

import shutil

import numpy as np
import pytest

from .conftest import manifold_data

pd = pytest.importorskip("pandas")

COLUMNS = [f"f{i}" for i in range(8)]


def frame(n: int, seed: int):
    X = manifold_data(n, seed)
    df = pd.DataFrame(X, columns=COLUMNS)
    df.insert(0, "id", np.arange(n))
    return X, df


@pytest.mark.slow
def test_ray_data_scores_equal_in_process_scores(saved_model):
    ray = pytest.importorskip("ray")
    from rcgan.dataframes import score_ray

    det, path = saved_model
    X, df = frame(500, 1)
    ray.init(
        num_cpus=1,
        include_dashboard=False,
        log_to_driver=False,
        _node_ip_address="127.0.0.1",
        configure_logging=False,
    )
    try:
        ds = ray.data.from_pandas(df).repartition(3)
        out = score_ray(path, ds, columns=COLUMNS, labels=True, batch_size=128).to_pandas()
    finally:
        ray.shutdown()
    out = out.sort_values("id")
    assert len(out) == len(X)
    np.testing.assert_allclose(out["anomaly_score"], det.anomaly_score(X), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(out["is_anomaly"], (det.predict(X) == -1).astype(int))
    np.testing.assert_array_equal(out[COLUMNS].to_numpy(), X)  # rows kept with their scores


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime")
@pytest.mark.slow
def test_spark_scores_equal_in_process_scores(saved_model):
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    from rcgan.dataframes import score_spark

    det, path = saved_model
    X, df = frame(500, 2)
    spark = (
        SparkSession.builder.master("local[1]")
        .appName("rcgan-test")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    try:
        sdf = spark.createDataFrame(df).repartition(3)
        out = score_spark(path, sdf, columns=COLUMNS, batch_size=128).toPandas()
    finally:
        spark.stop()
    out = out.sort_values("id")
    assert len(out) == len(X)
    np.testing.assert_allclose(out["anomaly_score"], det.anomaly_score(X), rtol=1e-6, atol=1e-7)


def test_score_columns_are_added_not_overwritten(saved_model):
    from rcgan.dataframes import _with_scores, read_model_bytes

    det, path = saved_model
    X, df = frame(20, 3)
    out = _with_scores(df, read_model_bytes(path), COLUMNS, labels=True)
    assert list(out.columns) == [*df.columns, "anomaly_score", "is_anomaly"]
    np.testing.assert_allclose(out["anomaly_score"], det.anomaly_score(X), rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="already have"):
        _with_scores(out, read_model_bytes(path), COLUMNS, labels=False)
