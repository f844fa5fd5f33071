"""Where D_xz goes wrong on KDDCUP99 with tail compression (development seeds only).

One ``RCGAN(scaler=...)`` fit on KDDCUP99's normal training rows (suite
protocol: 80/20 split, normal training rows only), then D_xz's logits
l(x, E(x)) on the training rows, the test rows of each class and fresh
draws of the default penalty's two halves (near: x_i + (x_j - x_k) /
sqrt(2); far: random directions out to 3 times the largest training norm),
with D_xz's AUROC and top-k F1 alone and those of the combined and the L1
scores. ``--penalty axis`` replaces the far half by axis-aligned moves: a
training row with one random coordinate moved by U(-3 M_j, 3 M_j), M_j the
largest |value| of that coordinate on the training rows (at least 1):
the moves of ``penalty="adaptive-axis"``, which uses them for a quarter of
each draw only.

    python benchmarks/kdd_dxz.py --seed 4 --penalty default --data-dir ../shared/data \\
        --out benchmarks/results/suite_dev/kdd_dxz.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from rcgan import RCGAN
from rcgan.benchmark.protocol import split_train_test, suite_protocol, topk_metrics
from rcgan.data import load_dataset
from rcgan.penalties import _axis, _local_diff, make_penalty
from rcgan.provenance import provenance


def axis_penalty(data: torch.Tensor):
    """Half near the data (as the default), half :func:`rcgan.penalties._axis` moves."""
    near, moved = _local_diff(data, 1.0), _axis(data)

    def sample(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
        far = moved(n // 2, dim, generator)  # drawn first, as in this script's rows
        return torch.cat((near(n - n // 2, dim, generator), far))

    return sample


def quartiles(v: np.ndarray) -> list[float]:
    return [round(float(q), 3) for q in np.percentile(v, [25, 50, 75])]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--scaler", default="standard-log")
    ap.add_argument("--penalty", choices=("default", "axis"), default="default")
    ap.add_argument("--data-dir")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if 1000 <= args.seed <= 1009:
        raise SystemExit("seeds 1000-1009 are for reporting only")
    torch.set_num_threads(1)
    X, y = load_dataset("kddcup99", data_dir=args.data_dir)
    fraction = suite_protocol("kddcup99").train_fraction
    train, test, y_test = split_train_test(X, y, fraction, args.seed)
    params = {"scaler": args.scaler, "random_state": args.seed, "n_jobs": 1}
    if args.penalty == "axis":
        scaled = RCGAN(**params, max_updates=1).fit(train).network_input(train)
        params["penalty"] = axis_penalty(scaled)
    det = RCGAN(**params).fit(train)
    nets = det.networks_.eval()
    rows = det.network_input(train)
    radius = float(rows.norm(dim=1).max())

    def logits(x: torch.Tensor) -> np.ndarray:
        with torch.inference_mode():
            return nets.d_xz(x, nets.encoder(x)).squeeze(-1).numpy()

    default = make_penalty("adaptive-diff", data=rows, data_radius=radius)
    draws = default(4000, rows.shape[1], torch.Generator().manual_seed(0))
    l_pen, l_test = logits(draws), logits(det.network_input(test))
    result = {
        "seed": args.seed,
        "scaler": args.scaler,
        "penalty": args.penalty,
        "largest_training_norm": radius,
        "median_norm": {
            "training": float(rows.norm(dim=1).median()),
            "anomalies": float(det.network_input(test[y_test == 1]).norm(dim=1).median()),
        },
        "d_xz_logit_quartiles": {
            "training": quartiles(logits(rows[:20000])),
            "test_normal": quartiles(l_test[y_test == 0]),
            "test_anomalies": quartiles(l_test[y_test == 1]),
            "penalty_near": quartiles(l_pen[:2000]),
            "penalty_far": quartiles(l_pen[2000:]),
        },
        "xz_auroc": float(roc_auc_score(y_test, -l_test)),
        "xz_f1": topk_metrics(-l_test, y_test, None)["f1"],
    }
    for kind in ("xz+l2", "l1"):
        det.set_params(scoring=kind)
        result[f"{kind}_f1"] = topk_metrics(det.anomaly_score(test), y_test, None)["f1"]
    result.update(provenance())
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with Path(args.out).open("a") as fh:
        fh.write(json.dumps(result) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k not in ("versions",)}))


if __name__ == "__main__":
    main()
