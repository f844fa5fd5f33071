"""Plots; every function returns a matplotlib Figure and never shows it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["plot_score_maps"]


def plot_score_maps(
    panels: Sequence[tuple[str, object]],
    train: np.ndarray,
    extent: float = 3.0,
    resolution: int = 121,
):
    """Anomaly score A(x) of 2-D detectors over [-extent, extent]^2.

    Parameters
    ----------
    panels : sequence of (title, fitted estimator)
        Each estimator must have ``anomaly_score``.
    train : ndarray of shape (n, 2)
        Training points, drawn on every panel.
    extent : float
        Half-width of the square.
    resolution : int
        Grid points per axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    grid = np.linspace(-extent, extent, resolution)
    gx, gy = np.meshgrid(grid, grid)
    points = np.column_stack((gx.ravel(), gy.ravel()))
    fig = Figure(figsize=(4.2 * len(panels), 4.0), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (title, est) in zip(axes, panels, strict=True):
        score = est.anomaly_score(points).reshape(gx.shape)
        # rank-normalise so that panels with different score scales compare
        ranks = score.ravel().argsort().argsort().reshape(gx.shape) / (score.size - 1)
        im = ax.imshow(
            1.0 - ranks, origin="lower", extent=(-extent, extent, -extent, extent), cmap="magma"
        )
        ax.scatter(train[:, 0], train[:, 1], s=1, c="cyan", alpha=0.3)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(im, ax=list(axes), shrink=0.8, label="normality (rank of -A(x))")
    return fig
