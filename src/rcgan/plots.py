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


def plot_figure2(dists: dict, p: np.ndarray, beta: float):
    """Figure 2: q, t, the optimal generator p of Theorem 1, and anomalies.

    Parameters
    ----------
    dists : dict
        Output of :func:`rcgan.theory.figure2_distributions`.
    p : ndarray
        Optimal generator distribution (same shape as ``dists["q"]``).
    beta : float
        Its beta (Eq. 8), shown in the title.
    """
    from matplotlib.figure import Figure

    extent = (dists["x"].min(), dists["x"].max(), dists["y"].min(), dists["y"].max())
    panels = [
        ("normal data q(x)", dists["q"]),
        ("penalty t(x)", dists["t"]),
        (f"optimal generator p(x), beta = {beta:.3f}", p),
        ("actual anomalies", dists["anomaly"]),
    ]
    fig = Figure(figsize=(16, 4), layout="constrained")
    for ax, (title, density) in zip(fig.subplots(1, 4), panels, strict=True):
        ax.imshow(density, origin="lower", extent=extent, cmap="viridis")
        ax.contour(dists["x"], dists["y"], dists["q"], levels=3, colors="white", linewidths=0.5)
        ax.set_title(title)
    return fig


def plot_figure3(maps: dict, models: Sequence[str], extent: float = 3.0):
    """Figure 3: data (first row), then D_xz and D_xx maps per model.

    Parameters
    ----------
    maps : dict
        ``maps[shape]["data"]`` and ``maps[shape][model]["d_xz" | "d_xx"]``
        from :func:`rcgan.benchmark.synthetic.run_figure3`.
    models : sequence of str
        Models to draw, one row each.
    """
    from matplotlib.figure import Figure

    shapes = list(maps)
    n_rows, n_cols = 1 + len(models), 2 * len(shapes)
    fig = Figure(figsize=(2.4 * n_cols, 2.4 * n_rows), layout="constrained")
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    box = (-extent, extent, -extent, extent)
    for j, shape in enumerate(shapes):
        data = maps[shape]["data"]
        ax = axes[0, 2 * j]
        ax.scatter(data[:, 0], data[:, 1], s=1)
        ax.set_xlim(-extent, extent)
        ax.set_ylim(-extent, extent)
        ax.set_title(f"{shape}: normal data")
        axes[0, 2 * j + 1].axis("off")
        for i, model in enumerate(models, start=1):
            for k, key in enumerate(("d_xz", "d_xx")):
                ax = axes[i, 2 * j + k]
                ax.imshow(
                    maps[shape][model][key],
                    origin="lower",
                    extent=box,
                    vmin=0,
                    vmax=1,
                    cmap="magma",
                )
                name = "D_xz(x, E(x))" if key == "d_xz" else "D_xx(x, G(E(x)))"
                ax.set_title(f"{model}: {name}", fontsize=8)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def plot_figure1(originals: np.ndarray, ae_rec: np.ndarray, gan_rec: np.ndarray):
    """Figure 1: abnormal digits (row 1), AE (row 2) and RCGAN (row 3) reconstructions."""
    from matplotlib.figure import Figure

    rows = [("abnormal digits", originals), ("AE", ae_rec), ("RCGAN", gan_rec)]
    n = len(originals)
    fig = Figure(figsize=(1.6 * n, 5.0), layout="constrained")
    axes = fig.subplots(3, n, squeeze=False)
    for i, (label, images) in enumerate(rows):
        for j in range(n):
            ax = axes[i, j]
            ax.imshow(np.clip(images[j], 0, 255), cmap="gray", vmin=0, vmax=255)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[i, 0].set_ylabel(label)
    return fig
