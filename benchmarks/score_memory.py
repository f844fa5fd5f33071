"""Peak memory and time of ``rcgan score`` on a 1,000,000 x 20 CSV file (streamed).

Writes a CSV of 1,000,000 rows x 20 standard-normal features (seed 0), fits
a default RCGAN on 2,000 other rows, then runs ``rcgan score MODEL DATA
--out OUT`` in a fresh process and reads its peak resident memory
(``resource.getrusage(RUSAGE_CHILDREN)``), once with the default chunk
streaming and once with ``--explain 3``::

    python benchmarks/score_memory.py --out benchmarks/results/score_memory.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from rcgan import RCGAN
from rcgan.provenance import provenance


def run(cmd: list[str]) -> dict[str, float]:
    """Wall time and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    # each measurement in its own child of a fresh helper, so RUSAGE_CHILDREN is its own
    code = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *cmd], check=True, capture_output=True, text=True
    )
    peak_kb = int(out.stdout.strip().splitlines()[-1])
    return {"seconds": time.perf_counter() - start, "peak_rss_mb": peak_kb / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    cols = [f"f{i}" for i in range(20)]
    with tempfile.TemporaryDirectory() as tmp:
        data, model = Path(tmp) / "big.csv", Path(tmp) / "m.rcgan"
        for start in range(0, args.rows, 100_000):
            chunk = pd.DataFrame(
                rng.normal(size=(min(100_000, args.rows - start), 20)), columns=cols
            )
            chunk.to_csv(data, mode="a", header=start == 0, index=False)
        RCGAN(random_state=0).fit(pd.DataFrame(rng.normal(size=(2000, 20)), columns=cols)).save(
            model
        )
        size_mb = os.path.getsize(data) / 1e6
        base = [sys.executable, "-m", "rcgan", "score", str(model), str(data)]
        result = {
            "rows": args.rows,
            "features": 20,
            "csv_mb": size_mb,
            "score": run([*base, "--out", str(Path(tmp) / "s.csv")]),
            "score_explain3": run([*base, "--explain", "3", "--out", str(Path(tmp) / "e.csv")]),
            **provenance(),
        }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
