"""Batch scoring on dataframe engines (Dask; the same function for Spark, Ray).

:func:`score_partition` is a pure function of a pandas DataFrame and the
*bytes of a saved model file*: no pickled estimator crosses the wire, only
the safe model file (safetensors + JSON, see :mod:`rcgan.persistence`), which
each worker turns into an estimator once (cached by the file's SHA-256).

- Dask: :func:`score_dask` maps it over a Dask DataFrame's partitions.
- Spark (documented, not tested here): wrap it with
  ``pyspark.ml.functions.predict_batch_udf``, giving the model bytes through
  a broadcast variable.
- Ray Data (documented, not tested here):
  ``ds.map_batches(lambda df: score_partition(df, model_bytes).to_frame(),
  batch_format="pandas")``.

Requires the ``distributed`` extra (``pip install "rcgan[distributed]"``).
"""

from __future__ import annotations

import hashlib
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["read_model_bytes", "score_dask", "score_partition"]


def read_model_bytes(path: str | Path) -> bytes:
    """The bytes of a model file (verified by loading it once here)."""
    from .estimator import RCGAN

    RCGAN.load(path)  # refuse a bad file before any worker sees it
    return Path(path).read_bytes()


@lru_cache(maxsize=8)
def _estimator(digest: str, data: bytes):
    from .estimator import RCGAN

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{digest[:16]}.rcgan"
        path.write_bytes(data)
        return RCGAN.load(path, device="cpu")


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
        try:
            scores = det.anomaly_score(X)
            flags = (det.predict(X) == -1).astype(np.int64) if labels else None
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
