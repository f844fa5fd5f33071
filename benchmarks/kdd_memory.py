"""Peak memory of one KDDCUP99 fit: load, split (seed 0), fit RCGAN.

Run under GNU time to read the peak resident set size::

    /usr/bin/time -v python benchmarks/kdd_memory.py --data-dir ../shared/data --epochs 1

It prints the fit time and the process's peak RSS (``resource.getrusage``),
which includes the loaded data set (494,021 x 121 float64) and the split.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

from rcgan.benchmark.methods import make_method
from rcgan.benchmark.protocol import PROTOCOLS, split_train_test
from rcgan.data import load_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    X, y = load_dataset("kddcup99", data_dir=args.data_dir)
    train, _, _ = split_train_test(X, y, PROTOCOLS["kddcup99"].train_fraction, 0)
    del X, y
    det = make_method("rcgan", "kddcup99", 0, epochs=args.epochs)
    start = time.perf_counter()
    det.fit(train)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "train_rows": len(train),
                "epochs": args.epochs,
                "fit_seconds": round(seconds, 1),
                "peak_rss_mb": round(peak_mb),
            }
        )
    )


if __name__ == "__main__":
    main()
