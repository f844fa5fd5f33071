"""Synthetic data sets in R^2 of the paper's Section 5.1 (Figure 3).

The paper shows three normal-data shapes, "loop", "arc" and "four-dot", in
the square [-3, 3]^2 but gives no parameters; the ones chosen here are:

- ``"loop"``: a circle of radius 1.5 centred at the origin;
- ``"arc"``: the upper half (angles 0 to pi) of a circle of radius 1.5
  centred at (0, -0.75);
- ``"four-dot"``: four equal clusters centred at (+-1.5, +-1.5);

each with isotropic Gaussian noise of standard deviation ``noise`` (0.05 for
the curves, 0.15 for the dots by default).
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["SHAPES", "distance_to_support", "make_synthetic", "make_synthetic_anomalies"]

SHAPES = ("loop", "arc", "four-dot")
_RADIUS = 1.5
_ARC_CENTER = np.array([0.0, -0.75])
NOISE = {"loop": 0.05, "arc": 0.05, "four-dot": 0.15}
_DOTS = np.array([[1.5, 1.5], [1.5, -1.5], [-1.5, 1.5], [-1.5, -1.5]])


def _check_shape(name: str) -> None:
    if name not in SHAPES:
        raise ValueError(f"unknown synthetic shape {name!r}; valid names: {list(SHAPES)}")


def make_synthetic(
    name: str, n_samples: int = 1000, random_state=None, noise: float | None = None
) -> np.ndarray:
    """Sample normal data of one of the Figure 3 shapes.

    Parameters
    ----------
    name : {"loop", "arc", "four-dot"}
    n_samples : int
    random_state : int, RandomState or None
    noise : float, optional
        Standard deviation of the Gaussian noise (default 0.05, or 0.15 for
        "four-dot").

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    """
    _check_shape(name)
    if not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    rng = check_random_state(random_state)
    if noise is None:
        noise = NOISE[name]
    if name == "four-dot":
        centers = _DOTS[rng.randint(0, 4, size=n_samples)]
    else:
        high = 2 * np.pi if name == "loop" else np.pi
        angle = rng.uniform(0.0, high, size=n_samples)
        centers = _RADIUS * np.column_stack((np.cos(angle), np.sin(angle)))
        if name == "arc":
            centers = centers + _ARC_CENTER
    return centers + noise * rng.standard_normal((n_samples, 2))


def distance_to_support(name: str, points: np.ndarray) -> np.ndarray:
    """Euclidean distance of each point to the noise-free shape ``name``."""
    _check_shape(name)
    points = np.asarray(points, dtype=float)
    if name == "four-dot":
        return np.min(np.linalg.norm(points[:, None, :] - _DOTS[None], axis=2), axis=1)
    if name == "loop":
        return np.abs(np.linalg.norm(points, axis=1) - _RADIUS)
    rel = points - _ARC_CENTER
    angle = np.arctan2(rel[:, 1], rel[:, 0])
    on_arc = (angle >= 0) & (angle <= np.pi)
    radial = np.abs(np.linalg.norm(rel, axis=1) - _RADIUS)
    ends = _ARC_CENTER + np.array([[_RADIUS, 0.0], [-_RADIUS, 0.0]])
    to_ends = np.min(np.linalg.norm(points[:, None, :] - ends[None], axis=2), axis=1)
    return np.where(on_arc, radial, to_ends)


def make_synthetic_anomalies(
    name: str, n_samples: int = 200, random_state=None, min_distance: float = 0.5
) -> np.ndarray:
    """Uniform points in [-3, 3]^2 at least ``min_distance`` from the shape."""
    _check_shape(name)
    rng = check_random_state(random_state)
    out = np.empty((0, 2))
    while out.shape[0] < n_samples:
        cand = rng.uniform(-3.0, 3.0, size=(4 * n_samples, 2))
        out = np.vstack((out, cand[distance_to_support(name, cand) >= min_distance]))
    return out[:n_samples]
