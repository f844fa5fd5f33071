"""rcgan: Regularized Cycle Consistent GAN for anomaly detection.

Yang, Soltani Bozchalooi and Darve, ECAI 2020. The public surface is the two
scikit-learn estimators :class:`RCGAN` and :class:`ALAD` and :func:`load`.
"""

from __future__ import annotations

from importlib import metadata

from .base import Detector
from .estimator import ALAD, RCGAN

try:
    __version__ = metadata.version("rcgan")
except metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

__all__ = ["ALAD", "RCGAN", "__version__", "load"]


def load(path, device: str | None = None) -> Detector:
    """Load a model file written by the ``save`` method of any detector of the package.

    RCGAN, ALAD and the baselines (Deep SVDD, DAGMM, DSEBM, AnoGAN, the
    autoencoder) all write the same safe format (:mod:`rcgan.persistence`).
    """
    return Detector.load(path, device=device)
