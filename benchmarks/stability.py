"""Seed stability of the default estimators on real tabular data (ODDS files).

For each data set, method and seed: the paper's protocol
(:mod:`rcgan.benchmark.protocol`: random split per seed, training on the
normal training rows only, top-k threshold on the test scores with k the
anomaly share), one JSON line per job appended to ``--out`` (a restarted run
skips finished jobs). Prints mean, std and minimum AUROC and F1 per method.

Methods: ``rcgan`` (library defaults), ``rcgan_paper`` (the paper's choices:
t(x) = N(0, I), Eq. (9) as written, i.e. ``penalty="normal",
penalty_dxx=False``), ``alad`` (defaults) and ``iforest`` (scikit-learn
defaults). No parameter was tuned on these test splits.

Run::

    python benchmarks/stability.py --data-dir DIR --seeds 10 \
        --out benchmarks/results/stability.jsonl

where DIR holds ``thyroid.mat``, ``arrhythmia.mat`` and ``musk.mat`` (ODDS).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import scipy.io
import torch
from sklearn.ensemble import IsolationForest

from rcgan import ALAD, RCGAN
from rcgan.benchmark import PROTOCOLS, split_train_test, topk_metrics

METHODS = {
    "rcgan": lambda seed: RCGAN(random_state=seed),
    "rcgan_paper": lambda seed: RCGAN(random_state=seed, penalty="normal", penalty_dxx=False),
    "alad": lambda seed: ALAD(random_state=seed),
    "iforest": lambda seed: IsolationForest(random_state=seed),
}


def anomaly_scores(det, X):
    return det.anomaly_score(X) if hasattr(det, "anomaly_score") else -det.score_samples(X)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=os.environ.get("RCGAN_DATA_DIR"), required=False)
    parser.add_argument("--datasets", default="thyroid,arrhythmia,musk")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--out", default="benchmarks/results/stability.jsonl")
    args = parser.parse_args()
    if not args.data_dir:
        parser.error("give --data-dir or set RCGAN_DATA_DIR")
    torch.set_num_threads(1)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if out.exists():
        for line in out.read_text().splitlines():
            row = json.loads(line)
            done.add((row["dataset"], row["method"], row["seed"]))
    for name in args.datasets.split(","):
        mat = scipy.io.loadmat(Path(args.data_dir) / f"{name}.mat")
        X, y = mat["X"].astype(np.float64), mat["y"].ravel().astype(int)
        proto = PROTOCOLS[name]
        for method in args.methods.split(","):
            for seed in range(args.seeds):
                if (name, method, seed) in done:
                    continue
                train, test, y_test = split_train_test(X, y, proto.train_fraction, seed)
                det = METHODS[method](seed)
                start = time.perf_counter()
                det.fit(train)
                fit_s = time.perf_counter() - start
                start = time.perf_counter()
                scores = anomaly_scores(det, test)
                score_s = time.perf_counter() - start
                row = {
                    "dataset": name,
                    "method": method,
                    "seed": seed,
                    "n_train": len(train),
                    "n_test": len(test),
                    "fit_seconds": fit_s,
                    "score_seconds": score_s,
                    **topk_metrics(scores, y_test, proto.anomaly_share),
                }
                with out.open("a") as fh:
                    fh.write(json.dumps(row) + "\n")
                print(
                    f"{name:10s} {method:12s} seed {seed}: AUROC {row['auroc']:.3f} "
                    f"F1 {row['f1']:.3f} ({fit_s:.1f} s)",
                    flush=True,
                )
    summarize(out)


def summarize(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    keys = sorted({(r["dataset"], r["method"]) for r in rows})
    print("\n| data set | method | seeds | AUROC mean ± std | AUROC min | F1 mean ± std | F1 min |")
    print("|---|---|---|---|---|---|---|")
    for ds, m in keys:
        sel = [r for r in rows if r["dataset"] == ds and r["method"] == m]
        a = np.array([r["auroc"] for r in sel])
        f = np.array([r["f1"] for r in sel])
        print(
            f"| {ds} | {m} | {len(sel)} | {a.mean():.3f} ± {a.std():.3f} | {a.min():.3f} | "
            f"{f.mean():.3f} ± {f.std():.3f} | {f.min():.3f} |"
        )


if __name__ == "__main__":
    main()
