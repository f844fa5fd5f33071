"""rcgan: Regularized Cycle Consistent GAN for anomaly detection.

Yang, Soltani Bozchalooi and Darve, ECAI 2020. The public surface is the two
scikit-learn estimators :class:`RCGAN` and :class:`ALAD` and :func:`load`.
"""

from __future__ import annotations

from importlib import metadata

from .estimator import ALAD, RCGAN

try:
    __version__ = metadata.version("rcgan")
except metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

__all__ = ["ALAD", "RCGAN", "__version__", "load"]


def load(path, device: str | None = None) -> RCGAN:
    """Load a model file written by ``RCGAN.save`` or ``ALAD.save``."""
    return RCGAN.load(path, device=device)
