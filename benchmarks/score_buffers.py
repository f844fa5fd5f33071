"""Scoring time with and without :class:`rcgan.scores.BufferedMLPScorer`, in one run.

Protocol (one process, one thread): 20,000 x 121 rows of N(0, 1) (the
width of KDDCUP99's one-hot matrix, as in ``benchmarks/speed.py``); an
``RCGAN`` with the default scoring ``"xz+l1+range"`` fitted for 20 updates
on 2,000 of them (the weights do not change the arithmetic), once with
ALAD's KDD widths and once with the default widths. ``score_samples`` on
the 20,000 rows, the median of 5 calls after a warm-up call, alternating
the buffered path and the reference forward pass (``component_batch``,
selected by making ``BufferedMLPScorer.supports`` answer False) for
``--rounds`` rounds; each path's best round is reported, with whether the
two gave the same bits, and the share of the operators' own time that
the matrix products (``aten::addmm``, ``aten::mm``) take in one buffered
call under ``torch.profiler``::

    python benchmarks/score_buffers.py --out benchmarks/results/score_buffers.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch

import rcgan.scores as scores
from rcgan import RCGAN
from rcgan.estimator import ALAD_WIDTHS
from rcgan.provenance import provenance


def timed(det: RCGAN, X: np.ndarray, repeats: int = 5) -> tuple[float, np.ndarray]:
    """Median seconds of ``det.score_samples(X)`` after one warm-up call, and the scores."""
    out = det.score_samples(X)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = det.score_samples(X)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def product_share(det: RCGAN, X: np.ndarray) -> float:
    """Share of the operators' own CPU time spent in matrix products, one call."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        det.score_samples(X)
    own = {e.key: e.self_cpu_time_total for e in prof.key_averages()}
    return sum(own.get(k, 0.0) for k in ("aten::addmm", "aten::mm")) / sum(own.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    X = np.random.default_rng(0).standard_normal((20_000, 121))
    supports = scores.BufferedMLPScorer.supports
    rows = []
    for widths, params in (("ALAD", ALAD_WIDTHS), ("default", {})):
        det = RCGAN(epochs=1, max_updates=20, random_state=0, **params).fit(X[:2000])
        best: dict[str, float] = {}
        bits: dict[str, np.ndarray] = {}
        try:
            for _ in range(args.rounds):
                for path in ("reference", "buffered"):
                    switch = supports if path == "buffered" else (lambda nets: False)
                    scores.BufferedMLPScorer.supports = staticmethod(switch)
                    seconds, bits[path] = timed(det, X)
                    best[path] = min(best.get(path, np.inf), seconds)
        finally:
            scores.BufferedMLPScorer.supports = staticmethod(supports)
        rows.append(
            {
                "widths": widths,
                "scoring": det.scoring,
                "reference_seconds": best["reference"],
                "buffered_seconds": best["buffered"],
                "time_ratio": best["buffered"] / best["reference"],
                "same_bits": bool(np.array_equal(bits["reference"], bits["buffered"])),
                "buffered_product_share": product_share(det, X),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    result = {
        "command": f"python benchmarks/score_buffers.py --rounds {args.rounds} --out {args.out}",
        "rows": rows,
        **provenance(),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
