"""The synthetic study of Section 5.1 (Figure 3), with a number on it.

For each shape ("loop", "arc", "four-dot"), model and seed: train on
``n_train`` normal points of the shape, evaluate D_xz(x, E(x)) and
D_xx(x, G(E(x))) on a grid over [-3, 3]^2, and measure how well each
discriminator separates grid points **near** the true support (distance
below twice the shape's noise level: 0.1 for the curves, 0.3 for the dots)
from grid points **far** from it (distance above max(0.5, 5 x noise): 0.5
and 0.75): the AUROC of the discriminator's output with "near" as the
positive class. 1 = perfect separation, 0.5 = no information.

Models (same networks and hyper-parameters; only the objective differs):

- ``rcgan_paper``: t(x) = N(0, I) in Eq. (4), Eq. (9) as written;
- ``rcgan``: the library's default RCGAN (wide penalty, also shown to D_xx);
- ``alad``: ALAD (no penalty, with D_zz).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from sklearn.metrics import roc_auc_score

from ..data import SHAPES, distance_to_support, make_synthetic
from ..data.synthetic import NOISE
from ..estimator import ALAD, RCGAN
from ..scores import discriminator_outputs
from .methods import LEGACY_PARAMS

__all__ = ["FIGURE3_MODELS", "grid_points", "near_far", "run_figure3", "summarize_figure3"]

#: Figure 3's models keep the 0.1.0 parameters (LEGACY_PARAMS): "rcgan" is
#: the wide penalty with Eq. (11), "rcgan_paper" the paper's objective
FIGURE3_MODELS: dict[str, Callable[..., RCGAN]] = {
    "rcgan_paper": lambda **kw: RCGAN(
        **{**LEGACY_PARAMS["RCGAN"], "penalty": "normal", "penalty_dxx": False, **kw}
    ),
    "rcgan": lambda **kw: RCGAN(**{**LEGACY_PARAMS["RCGAN"], **kw}),
    "alad": lambda **kw: ALAD(**{**LEGACY_PARAMS["ALAD"], **kw}),
}


def near_far(shape: str) -> tuple[float, float]:
    """Distance thresholds (near, far) of the grid labelling for ``shape``."""
    noise = NOISE[shape]
    return 2.0 * noise, max(0.5, 5.0 * noise)


def grid_points(resolution: int = 121, extent: float = 3.0) -> np.ndarray:
    """Points of a square grid over [-extent, extent]^2, row-major in y."""
    axis = np.linspace(-extent, extent, resolution)
    gx, gy = np.meshgrid(axis, axis)
    return np.column_stack((gx.ravel(), gy.ravel()))


def run_figure3(
    seeds: int = 3,
    epochs: int = 100,
    n_train: int = 2000,
    resolution: int = 121,
    shapes: tuple[str, ...] = SHAPES,
    models: tuple[str, ...] = tuple(FIGURE3_MODELS),
    progress: Callable[[str], None] | None = None,
) -> tuple[list[dict], dict]:
    """Train every (shape, model, seed) and measure the discriminators.

    Returns
    -------
    rows : list of dict
        One per (shape, model, seed): ``auroc_d_xz``, ``auroc_d_xx``, fit
        seconds.
    maps : dict
        ``maps[shape]["data"]`` = training points of seed 0, and
        ``maps[shape][model]`` = {"d_xz", "d_xx"} grids (resolution x
        resolution) of seed 0, for the figure.
    """
    grid = grid_points(resolution)
    rows, maps = [], {}
    for shape in shapes:
        dist = distance_to_support(shape, grid)
        near, far = near_far(shape)
        label = np.where(dist < near, 1, np.where(dist > far, 0, -1))
        keep = label >= 0
        if not (np.any(label == 1) and np.any(label == 0)):
            raise ValueError(f"resolution={resolution} leaves no grid point near {shape!r}")
        maps[shape] = {}
        for seed in range(seeds):
            train = make_synthetic(shape, n_train, random_state=seed)
            if seed == 0:
                maps[shape]["data"] = train
            for model in models:
                det = FIGURE3_MODELS[model](epochs=epochs, random_state=seed)
                start = time.perf_counter()
                det.fit(train)
                seconds = time.perf_counter() - start
                out = discriminator_outputs(det.networks_, det.network_input(grid))
                row = {
                    "shape": shape,
                    "model": model,
                    "seed": seed,
                    "epochs": epochs,
                    "fit_seconds": seconds,
                }
                for key, values in out.items():
                    row[f"auroc_{key}"] = float(roc_auc_score(label[keep], values.numpy()[keep]))
                rows.append(row)
                if seed == 0:
                    maps[shape][model] = {
                        k: v.numpy().reshape(resolution, resolution) for k, v in out.items()
                    }
                if progress is not None:
                    progress(
                        f"{shape} {model} seed {seed}: D_xz AUROC {row['auroc_d_xz']:.3f}, "
                        f"D_xx AUROC {row['auroc_d_xx']:.3f} ({seconds:.1f} s)"
                    )
    return rows, maps


def summarize_figure3(rows: list[dict]) -> list[dict]:
    """Mean and standard deviation over seeds per (shape, model)."""
    out = []
    keys = sorted({(r["shape"], r["model"]) for r in rows})
    for shape, model in keys:
        sel = [r for r in rows if r["shape"] == shape and r["model"] == model]
        entry = {"shape": shape, "model": model, "seeds": len(sel)}
        for d in ("d_xz", "d_xx"):
            vals = np.array([r[f"auroc_{d}"] for r in sel])
            entry[f"auroc_{d}_mean"] = float(vals.mean())
            entry[f"auroc_{d}_std"] = float(vals.std())
        out.append(entry)
    return out
