"""Where KDDCUP99's anomalies lie feature by feature, against the normal training rows.

Under the default scaling (standardised, values beyond 3 standard deviations
compressed), counts per test row the features with |z| > 1 and lists the
features whose share of such values differs most between the anomalies and
the normal training rows. This is the measurement behind the crossover
penalty (``penalty="adaptive-cross"``): anomalies with ordinary values per
feature, in combinations no training row has.

    python benchmarks/kdd_features.py --seed 0 --data-dir ../shared/data
"""

from __future__ import annotations

import argparse

import numpy as np

from rcgan.benchmark.protocol import split_train_test, suite_protocol
from rcgan.data import load_dataset
from rcgan.preprocessing import TAIL_KNEE, compress_tails, fit_scaler


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args()
    X, y = load_dataset("kddcup99", data_dir=args.data_dir)
    train, test, labels = split_train_test(
        X, y, suite_protocol("kddcup99").train_fraction, args.seed
    )
    center, scale = fit_scaler(train, "standard-log")
    z_train = compress_tails((train - center) / scale, TAIL_KNEE)
    z_anom = compress_tails((test[labels == 1] - center) / scale, TAIL_KNEE)
    off_train, off_anom = np.abs(z_train) > 1, np.abs(z_anom) > 1
    print(
        f"seed {args.seed}: {len(train)} normal training rows, {len(z_anom)} test anomalies; "
        f"features with |z| > 1 per row, median: anomalies {np.median(off_anom.sum(1)):.0f}, "
        f"training rows {np.median(off_train.sum(1)):.0f}; training rows with none: "
        f"{(off_train.sum(1) == 0).mean():.3f}"
    )
    share_train, share_anom = off_train.mean(0), off_anom.mean(0)
    print("feature | share |z|>1: training rows | anomalies | largest |z| in training")
    for j in np.argsort(-(share_anom - share_train))[: args.top]:
        largest = np.abs(z_train[:, j]).max()
        print(f"{j} | {share_train[j]:.4f} | {share_anom[j]:.3f} | {largest:.2f}")


if __name__ == "__main__":
    main()
