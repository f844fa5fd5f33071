"""Label-free geometry of each suite set's normal training rows, under the default scaling.

Two statistics that might tell apart the sets where a smooth D_xz helps
(Thyroid, mammography: ``dxz_weight_decay``) from those where it must be
sharp (vowels, pendigits), computed on the normal training rows of one
split (standardised, tails beyond 3 standard deviations compressed, at
most 3,000 rows):

- ``nn_ratio``: the median distance from a row to its nearest other row,
  over the same for as many draws of a Gaussian with the rows' mean and
  covariance (small: the rows lie on clusters or a thin manifold);
- ``k90``: the share of principal directions that hold 90 % of the variance;
- ``duplicates``: the share of rows equal to an earlier one.

No labels are read beyond the split's normal rows.

    python benchmarks/data_geometry.py --seed 0 --data-dir ../shared/data \
        --out benchmarks/results/data_geometry.json
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch

from rcgan.benchmark.protocol import SUITE, split_train_test, suite_protocol
from rcgan.data import load_dataset
from rcgan.penalties import _nearest
from rcgan.preprocessing import TAIL_KNEE, compress_tails, fit_scaler

MAX_ROWS = 3000


def nearest_other(rows: np.ndarray) -> np.ndarray:
    """Distance from each row to its nearest other, distinct row (the library's ``_nearest``)."""
    t = torch.as_tensor(rows, dtype=torch.float32)
    v = _nearest(t, t, chunk=512, others=True).numpy()
    return v[np.isfinite(v)]


def geometry(train: np.ndarray, seed: int) -> dict:
    center, scale = fit_scaler(train, "standard-log")
    z = compress_tails((train - center) / scale, TAIL_KNEE)
    rng = np.random.default_rng(seed)
    if len(z) > MAX_ROWS:
        z = z[rng.choice(len(z), MAX_ROWS, replace=False)]
    cov = np.cov(z.T) + 1e-9 * np.eye(z.shape[1])
    gauss = rng.multivariate_normal(z.mean(0), cov, size=len(z))
    eig = np.sort(np.linalg.eigvalsh(cov))[::-1]
    k90 = int(np.searchsorted(np.cumsum(eig) / eig.sum(), 0.9)) + 1
    return {
        "rows": len(train),
        "features": int(z.shape[1]),
        "nn_ratio": float(np.median(nearest_other(z)) / np.median(nearest_other(gauss))),
        "k90": k90 / z.shape[1],
        "duplicates": 1.0 - len(np.unique(z, axis=0)) / len(z),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    if args.seed >= 1000:
        raise SystemExit("seeds 1000 and up are for reporting")
    torch.set_num_threads(1)
    result = {}
    for name in SUITE:
        X, y = load_dataset(name, data_dir=args.data_dir)
        train, _, _ = split_train_test(X, y, suite_protocol(name).train_fraction, args.seed)
        result[name] = row = geometry(train, args.seed)
        print(
            f"{name:12s} rows {row['rows']:6d} features {row['features']:4d} "
            f"nn_ratio {row['nn_ratio']:.3f} k90 {row['k90']:.2f} "
            f"duplicates {row['duplicates']:.2f}"
        )
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"seed": args.seed, "sets": result}, f, indent=2)


if __name__ == "__main__":
    main()
