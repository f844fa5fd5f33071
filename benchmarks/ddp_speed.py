"""Training rows/s with 1 and with 2 processes (DDP, gloo, loopback).

Each configuration trains RCGAN (defaults, no update budget, ``--batch``
rows per process) for ``--epochs`` epochs on the same 20,000 x 121 N(0, 1)
rows with one thread per process; rows/s counts every row every epoch (with
2 processes each epoch is split between them), from the difference to a
1-epoch run (start-up and data loading removed). Scaling efficiency =
rows/s(2) / (2 rows/s(1)). Run it on an otherwise idle machine with at
least 2 cores, for each batch::

    python benchmarks/ddp_speed.py --batch 50 --out benchmarks/results/ddp_speed.json
    python benchmarks/ddp_speed.py --batch 512 --out benchmarks/results/ddp_speed_512.json
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed_fit(csv_path: Path, nproc: int, epochs: int, out: Path, batch: int) -> float:
    cmd = [
        sys.executable,
        "-m",
        "rcgan",
        "fit",
        str(csv_path),
        "--out",
        str(out),
        "--epochs",
        str(epochs),
        "--batch-size",
        str(batch),
        "--max-updates",
        str(10**9),
        "--nproc",
        str(nproc),
        "--port",
        str(free_port()),
    ]
    env = dict(os.environ, OMP_NUM_THREADS="1", GLOO_SOCKET_IFNAME="lo")
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=50, help="rows per process and step")
    parser.add_argument("--out", default="benchmarks/results/ddp_speed.json")
    args = parser.parse_args()
    X = np.random.default_rng(0).normal(size=(20_000, 121))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "x.csv"
        np.savetxt(data, X, delimiter=",", fmt="%.6f")
        # a 1-epoch run each, then the timed runs (process start included in both)
        base = {n: timed_fit(data, n, 1, Path(tmp) / "w.rcgan", args.batch) for n in (1, 2)}
        runs = {
            n: timed_fit(data, n, args.epochs, Path(tmp) / "m.rcgan", args.batch) for n in (1, 2)
        }
    rows = {n: (args.epochs - 1) * len(X) / (runs[n] - base[n]) for n in (1, 2)}
    result = {
        "command": (
            f"python benchmarks/ddp_speed.py --epochs {args.epochs} --batch {args.batch} "
            f"--out {args.out}"
        ),
        "batch_per_process": args.batch,
        "cores": os.cpu_count(),
        "rows_per_s": {str(n): rows[n] for n in rows},
        "efficiency_2_processes": rows[2] / (2 * rows[1]),
        "note": "rows/s from (timed run - 1-epoch run) to remove start-up and data loading",
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
