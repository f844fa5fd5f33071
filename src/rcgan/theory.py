"""Proposition 1 and Theorem 1 of the paper on discrete distributions.

Everything here works elementwise on arrays of probabilities over a finite
(or gridded) set of (x, z) cells: ``q`` the encoder joint on normal data,
``t`` the encoder joint on penalty data, ``p`` the generator joint. Each must
be non-negative and sum to 1.

- :func:`optimal_discriminator`: Proposition 1, Eq. (5),
  D*_xz = q / (q + t + p).
- :func:`optimal_generator`: Theorem 1, Eqs. (7)-(8),
  p = max(0, beta q - t), with the unique beta in [1, 2] for which p sums to
  one, computed exactly by sorting the ratios t / q and walking the candidate
  supports (no iterative solver).
- :func:`value`: the objective C of Eq. (6) (the value of Eq. 4 at the
  optimal discriminator), with its constant -log(27/4).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "check_distribution",
    "figure2_distributions",
    "optimal_discriminator",
    "optimal_generator",
    "value",
]

_ATOL = 1e-8


def check_distribution(a, name: str, atol: float = 1e-6) -> np.ndarray:
    """Return ``a`` as a float array after checking it is a distribution.

    Raises
    ------
    ValueError
        If ``a`` is empty, not finite, has negative entries, or does not sum
        to 1 within ``atol``.
    """
    a = np.asarray(a, dtype=float)
    if a.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} has NaN or infinite entries")
    if np.any(a < 0):
        raise ValueError(f"{name} has negative entries (min {a.min():.3g})")
    total = a.sum()
    if abs(total - 1.0) > atol:
        raise ValueError(f"{name} must sum to 1, sums to {total:.8g}")
    return a


def _same_shape(**arrays: np.ndarray) -> None:
    shapes = {name: a.shape for name, a in arrays.items()}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"distributions must have the same shape, got {shapes}")


def optimal_discriminator(q, t, p) -> np.ndarray:
    """Proposition 1, Eq. (5): D*_xz = q / (q + t + p), elementwise.

    Where q + t + p = 0 no data reach the cell and every value is optimal;
    0 is returned there.
    """
    q, t, p = (check_distribution(a, n) for a, n in ((q, "q"), (t, "t"), (p, "p")))
    _same_shape(q=q, t=t, p=p)
    s = q + t + p
    return np.divide(q, s, out=np.zeros_like(q), where=s > 0)


def optimal_generator(q, t) -> tuple[np.ndarray, float]:
    """Theorem 1: the generator distribution that minimises Eq. (6).

    Parameters
    ----------
    q, t : array-like
        Normal and penalty distributions (same shape, each summing to 1).

    Returns
    -------
    p : ndarray
        ``max(0, beta * q - t)``, Eq. (7); sums to 1.
    beta : float
        The unique solution in [1, 2] of Eq. (8).

    Notes
    -----
    On the cells with q > 0, sorted by r = t / q ascending, the support
    S_beta = {r <= beta} is a prefix. For the prefix of the k smallest ratios,
    Eq. (8) gives beta_k = (1 + sum t) / (sum q); the solution is the k with
    r_(k) <= beta_k <= r_(k+1) (r_(m+1) = infinity), which exists and is unique
    because sum(max(0, beta q - t)) is continuous and strictly increasing in
    beta (the paper's proof). Cells with q = 0 never carry generator mass.
    """
    q, t = check_distribution(q, "q"), check_distribution(t, "t")
    _same_shape(q=q, t=t)
    flat_q, flat_t = q.ravel(), t.ravel()
    idx = np.flatnonzero(flat_q > 0)
    ratio = flat_t[idx] / flat_q[idx]
    order = np.argsort(ratio, kind="stable")
    r_sorted = ratio[order]
    cum_q = np.cumsum(flat_q[idx][order])
    cum_t = np.cumsum(flat_t[idx][order])
    beta_k = (1.0 + cum_t) / cum_q
    upper = np.append(r_sorted[1:], np.inf)
    ok = (r_sorted <= beta_k * (1 + _ATOL) + _ATOL) & (beta_k <= upper * (1 + _ATOL) + _ATOL)
    k = int(np.flatnonzero(ok)[0])  # several k can match only through ties r_(k) = r_(k+1)
    beta = float(np.clip(beta_k[k], 1.0, 2.0))  # [1, 2] by Theorem 1; clip rounding only
    p = np.maximum(0.0, beta * q - t)
    p /= p.sum()  # removes rounding drift only; the sum is 1 up to ~1e-15
    return p, beta


def value(q, t, p) -> float:
    """Eq. (6): C = 2 KL((t + p)/2 || s/3) + KL(q || s/3) - log(27/4).

    With s = q + t + p. Equals Eq. (4) evaluated at the optimal
    discriminator of Proposition 1 (see the tests).
    """
    q, t, p = (check_distribution(a, n) for a, n in ((q, "q"), (t, "t"), (p, "p")))
    _same_shape(q=q, t=t, p=p)
    s3 = (q + t + p) / 3.0
    m = (t + p) / 2.0
    return float(2.0 * _kl(m, s3) + _kl(q, s3) - np.log(27.0 / 4.0))


def _kl(a: np.ndarray, b: np.ndarray) -> float:
    """KL(a || b) with 0 log 0 = 0 (b > 0 wherever a > 0 here)."""
    mask = a > 0
    return float(np.sum(a[mask] * np.log(a[mask] / b[mask])))


def figure2_distributions(resolution: int = 121, extent: float = 2.0) -> dict[str, np.ndarray]:
    """The discrete distributions of the paper's Figure 2 on a 2-D grid.

    The paper gives no parameters; the ones chosen here:

    - q: a narrow Gaussian, N((0, 0), 0.25^2 I);
    - t: roughly uniform on [-1, 1]^2 (a product of logistic edges of width
      0.05, so that it is smooth);
    - anomalies: N((1.3, -1.3), 0.2^2 I), unrelated to t;

    each normalised to sum to 1 over the grid [-extent, extent]^2.

    Returns
    -------
    dict
        ``"x"``, ``"y"`` (grid coordinates, shape (resolution, resolution)) and
        ``"q"``, ``"t"``, ``"anomaly"`` (distributions of the same shape).
    """
    axis = np.linspace(-extent, extent, resolution)
    gx, gy = np.meshgrid(axis, axis)

    def gaussian(cx: float, cy: float, sd: float) -> np.ndarray:
        g = np.exp(-((gx - cx) ** 2 + (gy - cy) ** 2) / (2 * sd**2))
        return g / g.sum()

    def edge(u: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(1.0 - np.abs(u)) / 0.05))

    t = edge(gx) * edge(gy)
    return {
        "x": gx,
        "y": gy,
        "q": gaussian(0.0, 0.0, 0.25),
        "t": t / t.sum(),
        "anomaly": gaussian(1.3, -1.3, 0.2),
    }
