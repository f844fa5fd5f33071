"""Where the seed spread comes from: the split or the model's own seed.

The suite's protocol ties the two: seed s draws the train/test split and
seeds the model. This script crosses them on development seeds only, every
split with every model seed, so that a method's F1 spread over the
protocol's seeds can be taken apart:

- *split spread*: the std over splits of the F1 averaged over model seeds
  (what any method sees on that data: a different test sample);
- *model spread*: the std over model seeds on one split, averaged over
  splits (the method's own instability);
- *protocol spread*: the std over the diagonal (split s with model seed s),
  which is what the suite reports.

    python benchmarks/seed_spread.py --datasets arrhythmia,thyroid --splits 0 1 2 3 4 \\
        --models 0 1 2 3 4 --data-dir ../shared/data --out benchmarks/results/seed_spread.jsonl
    python benchmarks/seed_spread.py --summary benchmarks/results/seed_spread.jsonl

Protocol as ``rcgan reproduce suite`` (50/50 split, 80/20 for KDDCUP99 and
Arrhythmia, normal training rows only, top-k F1 with k = the test anomaly
count, AUROC); library defaults. Seeds 1000-1009 are refused.
"""

from __future__ import annotations

import argparse
import collections
import json
import time
from pathlib import Path

import numpy as np
import torch
from accuracy_dev import suite_splits

from rcgan.benchmark.methods import make_method
from rcgan.benchmark.protocol import topk_metrics

#: methods crossed (kNN has no seed of its own: its spread is the split's)
METHODS = ("rcgan_default", "iforest", "knn")


def run(args) -> None:
    torch.set_num_threads(1)
    seeds = [*args.splits, *args.models]
    if any(1000 <= s <= 1009 for s in seeds):
        raise SystemExit("seeds 1000-1009 are for reporting only")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for dataset, split, train, test, y_test in suite_splits(
        args.datasets, args.splits, args.data_dir
    ):
        for method in args.methods.split(","):
            models = [0] if method == "knn" else args.models
            for model in models:
                t0 = time.perf_counter()
                det = make_method(method, dataset, model).fit(train)
                scores = det.anomaly_score(test)
                m = topk_metrics(scores, y_test, y_test.sum() / len(y_test) - 1e-12)
                row = {
                    "dataset": dataset,
                    "method": method,
                    "split": split,
                    "model": model,
                    "f1": m["f1"],
                    "auroc": m["auroc"],
                    "seconds": time.perf_counter() - t0,
                }
                with out.open("a") as fh:
                    fh.write(json.dumps(row) + "\n")
                print(dataset, method, split, model, f"{m['f1']:.3f}", flush=True)


def summary(path: str) -> None:
    """Print split, model and protocol spreads (F1 std in points) per set and method."""
    cells = collections.defaultdict(dict)
    for line in Path(path).read_text().splitlines():
        r = json.loads(line)
        cells[(r["dataset"], r["method"])][(r["split"], r["model"])] = (r["f1"], r["auroc"])
    print(
        "| data set | method | mean F1 | protocol spread | split spread | model spread "
        "| worst AUROC gap, one split |\n|---|---|---|---|---|---|---|"
    )
    for (dataset, method), grid in sorted(cells.items()):
        splits = sorted({s for s, _ in grid})
        models = sorted({m for _, m in grid})
        f1 = np.array([[grid.get((s, m), (np.nan,))[0] for m in models] for s in splits])
        auc = np.array([[grid.get((s, m), (np.nan, np.nan))[1] for m in models] for s in splits])
        if method == "knn":  # no model seed: the diagonal is the column
            diagonal = f1[:, 0]
        else:
            diagonal = np.array([grid[(s, s)][0] for s in splits if (s, s) in grid])
        model_spread = np.nanmean(np.nanstd(f1, axis=1))
        auc_gap = np.nanmax(np.nanmean(auc, axis=1) - np.nanmin(auc, axis=1))
        print(
            f"| {dataset} | {method} | {100 * np.nanmean(f1):.1f} | {100 * np.std(diagonal):.1f} "
            f"| {100 * np.std(np.nanmean(f1, axis=1)):.1f} | {100 * model_spread:.1f} "
            f"| {100 * auc_gap:.1f} |"
        )
    print(
        f"\n{len(splits)} splits x {len(models)} model seeds; F1 and spreads in points (std x 100)."
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--summary", help="print the spreads of this results file and exit")
    ap.add_argument("--datasets", default="arrhythmia,thyroid")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--splits", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--models", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.summary:
        summary(args.summary)
        return
    if not args.out:
        ap.error("--out is required")
    run(args)


if __name__ == "__main__":
    main()
