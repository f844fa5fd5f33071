"""Baselines of the paper's Tables 1 and 2 behind one adapter.

``get_baseline(name, **params)`` returns an estimator with ``fit(X)`` and
``anomaly_score(X)`` (higher = more anomalous) and the scikit-learn outlier
methods; ``seed=`` is accepted as an alias of ``random_state``. All are
implemented here (see :mod:`rcgan.baselines.models` for the paper each one
follows); Isolation Forest and the one-class SVM come from scikit-learn
through :mod:`rcgan.benchmark.methods`.
"""

from __future__ import annotations

from functools import partial

from .base import TorchDetector
from .models import DAGMM, DSEBM, AnoGAN, AutoEncoder, DeepSVDD

__all__ = [
    "BASELINES",
    "DAGMM",
    "DSEBM",
    "AnoGAN",
    "AutoEncoder",
    "DeepSVDD",
    "TorchDetector",
    "get_baseline",
]

BASELINES = {
    "dsvdd": DeepSVDD,
    "dagmm": DAGMM,
    "dsebm_r": partial(DSEBM, kind="reconstruction"),
    "dsebm_e": partial(DSEBM, kind="energy"),
    "adgan": AnoGAN,
    "dcae": AutoEncoder,
}


def get_baseline(name: str, **params) -> TorchDetector:
    """Build baseline ``name`` (see :data:`BASELINES`) with ``params``."""
    if name not in BASELINES:
        raise ValueError(f"unknown baseline {name!r}; valid names: {sorted(BASELINES)}")
    if "seed" in params:
        params["random_state"] = params.pop("seed")
    return BASELINES[name](**params)
