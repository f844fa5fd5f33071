"""Batch scoring on dataframe engines (Dask; the same function for Spark, Ray).

:func:`score_partition` is a pure function of a pandas DataFrame and the
*bytes of a saved model file*: no pickled estimator crosses the wire, only
the safe model file (safetensors + JSON, see :mod:`rcgan.persistence`), which
each worker turns into an estimator once (cached by the file's SHA-256).

- Dask: :func:`score_dask` maps it over a Dask DataFrame's partitions.
- Spark: :func:`score_spark` wraps it in ``pyspark.ml.functions.predict_batch_udf``;
  the model bytes travel once per executor as a broadcast variable.
- Ray Data: :func:`score_ray` calls it from ``Dataset.map_batches`` with
  ``batch_format="pandas"``; the model bytes go to the object store once.

Requires the ``distributed`` extra (``pip install "rcgan[distributed]"``) for
Dask, the ``spark`` or ``ray`` extra for the others.
"""

from __future__ import annotations

import hashlib
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["read_model_bytes", "score_dask", "score_partition", "score_ray", "score_spark"]


def read_model_bytes(path: str | Path) -> bytes:
    """The bytes of a model file (verified by loading it once here)."""
    from .base import Detector

    Detector.load(path)  # refuse a bad file before any worker sees it
    return Path(path).read_bytes()


@lru_cache(maxsize=8)
def _estimator(digest: str, data: bytes):
    from .base import Detector

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{digest[:16]}.rcgan"
        path.write_bytes(data)
        return Detector.load(path, device="cpu")


def score_partition(
    df,
    model_bytes: bytes,
    columns: list[str] | None = None,
    labels: bool = False,
    partition_info: dict | None = None,
):
    """Anomaly scores of the rows of a pandas DataFrame.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows to score; ``columns`` (default: all) in the training order.
    model_bytes : bytes
        Content of a model file written by ``RCGAN.save`` / ``ALAD.save``.
    columns : list of str, optional
    labels : bool
        Also return ``is_anomaly`` (1 where ``predict`` says -1).
    partition_info : dict, optional
        Filled in by Dask (``{"number": i, ...}``); used in error messages.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        ``anomaly_score`` (the paper's A(x)), indexed like ``df``; with
        ``labels``, a frame with ``anomaly_score`` and ``is_anomaly``.

    Raises
    ------
    ValueError
        Naming the partition, for non-numeric, NaN or infinite values or a
        wrong number of columns.
    """
    import pandas as pd

    where = f"partition {partition_info['number']}" if partition_info else "partition"
    frame = df if columns is None else df[list(columns)]
    try:
        X = frame.to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: non-numeric values ({err})") from err
    det = _estimator(hashlib.sha256(model_bytes).hexdigest(), model_bytes)
    if len(X) == 0:
        scores, flags = np.zeros(0), np.zeros(0, dtype=np.int64)
    else:
        if hasattr(det, "feature_names_in_"):  # matched by name, as in-process
            X = pd.DataFrame(X, columns=[str(c) for c in frame.columns], index=frame.index)
        try:
            scores, flagged = det.score_and_flag(X)
            flags = flagged.astype(np.int64) if labels else None
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from err
    series = pd.Series(scores, index=df.index, name="anomaly_score", dtype="float64")
    if not labels:
        return series
    return pd.DataFrame({"anomaly_score": series, "is_anomaly": flags}, index=df.index)


def score_dask(
    model_path: str | Path, ddf, columns: list[str] | None = None, labels: bool = False
) -> Any:
    """Lazy anomaly scores for the rows of a Dask DataFrame.

    A Dask Series ``anomaly_score``; with ``labels``, a Dask DataFrame with
    ``anomaly_score`` and ``is_anomaly``.
    """
    import pandas as pd

    model_bytes = read_model_bytes(model_path)
    meta = (
        pd.DataFrame({"anomaly_score": pd.Series(dtype="f8"), "is_anomaly": pd.Series(dtype="i8")})
        if labels
        else ("anomaly_score", "f8")
    )
    return ddf.map_partitions(score_partition, model_bytes, columns, labels, meta=meta)


def _with_scores(batch, model_bytes: bytes, columns: list[str] | None, labels: bool):
    """``batch`` (pandas) with the score column(s) of :func:`score_partition` appended."""
    taken = {"anomaly_score", "is_anomaly"} & set(batch.columns)
    if taken:
        raise ValueError(f"the data already have column(s) {sorted(taken)}")
    out = score_partition(batch, model_bytes, columns, labels)
    out = out if labels else out.to_frame()
    return batch.assign(**{name: out[name].to_numpy() for name in out.columns})


def score_ray(
    model_path: str | Path,
    ds,
    columns: list[str] | None = None,
    labels: bool = False,
    batch_size: int | None = 4096,
):
    """Lazy anomaly scores for a Ray Dataset.

    Parameters
    ----------
    model_path : str or Path
        A model file written by ``RCGAN.save`` / ``ALAD.save``.
    ds : ray.data.Dataset
        Rows to score.
    columns : list of str, optional
        The feature columns, in the training order; default: every column,
        so give ``columns`` whenever the data hold anything else (an id).
    labels : bool
        Also add ``is_anomaly`` (1 where ``predict`` says -1).
    batch_size : int or None
        Rows per call of the scoring function (``map_batches``).

    Returns
    -------
    ray.data.Dataset
        ``ds`` with an ``anomaly_score`` column (and ``is_anomaly``). Rows keep
        their own columns, so an id column left out of ``columns`` stays
        attached to its score whatever order Ray returns the rows in.
    """
    import ray

    ref = ray.put(read_model_bytes(model_path))

    def fn(batch):
        return _with_scores(batch, ray.get(ref), columns, labels)

    return ds.map_batches(fn, batch_format="pandas", batch_size=batch_size)


def score_spark(
    model_path: str | Path,
    sdf,
    columns: list[str] | None = None,
    batch_size: int = 4096,
    output_col: str = "anomaly_score",
):
    """Anomaly scores for a Spark DataFrame, through ``predict_batch_udf``.

    Parameters
    ----------
    model_path : str or Path
        A model file written by ``RCGAN.save`` / ``ALAD.save``.
    sdf : pyspark.sql.DataFrame
        Rows to score.
    columns : list of str, optional
        The numeric feature columns, in the training order; default: every
        column, so give ``columns`` whenever the data hold anything else.
    batch_size : int
        Rows per call of the scoring function on an executor.
    output_col : str
        Name of the added column.

    Returns
    -------
    pyspark.sql.DataFrame
        ``sdf`` with ``output_col`` (double) appended; lazy, like any Spark
        transformation.
    """
    from pyspark.ml.functions import predict_batch_udf
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType

    columns = list(sdf.columns if columns is None else columns)
    broadcast = sdf.sparkSession.sparkContext.broadcast(read_model_bytes(model_path))

    def make_predict_fn():
        import pandas as pd

        model_bytes = broadcast.value

        def predict(x: np.ndarray) -> np.ndarray:
            return score_partition(pd.DataFrame(x), model_bytes).to_numpy()

        return predict

    udf = predict_batch_udf(
        make_predict_fn,
        return_type=DoubleType(),
        batch_size=batch_size,
        input_tensor_shapes=[[len(columns)]],
    )
    features = F.array(*[F.col(c).cast("double") for c in columns])
    return sdf.withColumn(output_col, udf(features))
