"""A label-free choice of D_xz's weight decay per fit (development seeds only).

The weight decay experiments (``dxz_weight_decay``, stop 19) found two groups
of sets: a smooth D_xz (strong decay) helps where the normal rows form one
body (Thyroid, mammography), a sharp one where they form several clusters
(vowels, pendigits). This script tests whether a fit can tell which it is
without labels. For each split, 10 % of the normal training rows are held
out; ``RCGAN()`` is fitted on the rest once per weight decay of the grid;
each fit's default score (D_xz + L1) is asked to rank the held-out normal
rows below fresh draws of its own penalty t(x) (draws the fit never saw,
mapped back to the input's units), and the fit with the larger AUROC is
kept. Rows: ``wd=W`` for each fit of the grid, ``pick`` for the kept one
(with ``picked`` and each fit's criterion), F1 and AUROC on the test rows,
as ``accuracy_dev.py`` writes them (its ``--summary`` reads them).

    python benchmarks/select_smoothness.py --grid 0,10 --seeds 0 1 2 --data-dir ../shared/data \\
        --datasets SETS --out benchmarks/results/suite_dev/select_wd.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from accuracy_dev import SETS, hold_out, metrics, suite_splits
from sklearn.metrics import roc_auc_score

from rcgan import RCGAN
from rcgan.penalties import make_penalty

#: held-out share of the normal training rows, and penalty draws per held-out row
HOLDOUT, DRAWS_PER_ROW = 0.1, 4


def penalty_draws(det: RCGAN, fitted: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` fresh draws of the fit's penalty t(x), in the input's units."""
    x = det.preprocessor_.to_tensor(fitted)
    penalty = make_penalty(det.penalty, det.penalty_scale, det.data_radius_, data=x)
    draws = penalty(n, x.shape[1], torch.Generator().manual_seed(50_000 + seed))
    return det.preprocessor_.inverse(draws)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", default="0,10", help="weight decays to choose among")
    ap.add_argument("--datasets", default=",".join(SETS))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--tag", default="sel_wd")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if any(s >= 1000 for s in args.seeds):
        raise SystemExit("seeds 1000 and up are for reporting only")
    torch.set_num_threads(1)
    grid = [float(w) for w in args.grid.split(",")]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for dataset, seed, train, test, y_test in suite_splits(
        args.datasets, args.seeds, args.data_dir
    ):
        held, fitted = hold_out(train, HOLDOUT, seed)
        n_held = len(held)
        rows, criteria, tests = [], {}, {}
        for wd in grid:
            t0 = time.perf_counter()
            det = RCGAN(dxz_weight_decay=wd, random_state=seed, n_jobs=1).fit(fitted)
            fake = penalty_draws(det, fitted, DRAWS_PER_ROW * n_held, seed)
            s_held, s_fake = det.anomaly_score(held), det.anomaly_score(fake)
            labels = np.r_[np.zeros(len(s_held)), np.ones(len(s_fake))]
            criteria[wd] = float(roc_auc_score(labels, np.r_[s_held, s_fake]))
            tests[wd] = metrics(det.anomaly_score(test), y_test)
            rows.append(
                {
                    "tag": args.tag,
                    "kind": f"wd={wd:g}",
                    **tests[wd],
                    "criterion": criteria[wd],
                    "seconds": time.perf_counter() - t0,
                }
            )
        pick = max(grid, key=lambda w: criteria[w])  # ties: the first of the grid
        rows.append(
            {
                "tag": args.tag,
                "kind": "pick",
                **tests[pick],
                "picked": pick,
                "criteria": {f"{w:g}": criteria[w] for w in grid},
            }
        )
        with out.open("a") as fh:
            for r in rows:
                fh.write(json.dumps({"dataset": dataset, "seed": seed, **r}) + "\n")
        print(
            dataset,
            seed,
            " ".join(f"{r['kind']}:{r['f1']:.2f}" for r in rows),
            {f"{w:g}": round(criteria[w], 3) for w in grid},
            flush=True,
        )


if __name__ == "__main__":
    main()
