"""The matrix products of one training update, timed alone: the step's compute floor.

Issue 14's training target is a share of the matmul rate that
``benchmarks/speed.py`` measures on one 1024 x 1024 product. A batch-50
update is made of much smaller products (50 or 150 rows; backward products
with an inner dimension of 50), which run below that rate even when nothing
else runs. This benchmark records every ``addmm`` / ``mm`` call of the
update with its shapes and strides (``torch.profiler``, the probe set-up of
``step_profile.py``: one thread, RCGAN at ALAD's widths, the default
penalty), then times each distinct call alone on tensors of the same
shapes and strides (best of several rounds, many calls per round). The sum
over one update's calls is the floor: the time of an update whose other
work cost nothing. Reported beside the measured update time and the square
product's rate:

- ``floor_share_of_matmul_rate``: the update's multiply-adds over the floor,
  as a share of the square rate: the highest share any rewrite of the
  step (fused, compiled, C++) can reach with these kernels;
- ``step_share_of_matmul_rate``: the same for the measured update (what
  ``speed.py`` reports as the training share, from this probe);
- ``floor_share_of_step``: the floor over the measured update time.

    python benchmarks/matmul_floor.py --out benchmarks/results/matmul_floor.json
    python benchmarks/matmul_floor.py --batch 256 --out benchmarks/results/matmul_floor_256.json
"""

from __future__ import annotations

import argparse
import collections
import json
import time
from pathlib import Path

import torch
from speed import matmul_rate
from step_profile import MATMUL, probe_networks, probe_rows, train_probe
from torch.profiler import ProfilerActivity, profile

from rcgan.provenance import cpu_description, git_commit


def operand(shape: list[int], strides: list[int]) -> torch.Tensor:
    """A random tensor of ``shape`` laid out with ``strides`` (e.g. a transposed view)."""
    if not shape:
        return torch.randn(())
    order = sorted(range(len(shape)), key=lambda i: -strides[i])
    base = torch.randn([shape[i] for i in order])
    return base.permute([order.index(i) for i in range(len(shape))])


def per_call_seconds(name: str, shapes: list, strides: list, rounds: int = 7) -> float:
    """Best-of-``rounds`` seconds of one call of ``name`` on operands like the recorded ones."""
    args = [operand(s, st) for s, st in zip(shapes, strides, strict=True) if s]
    if name == "aten::addmm":
        bias, a, b = args[:3]
        call = lambda: torch.addmm(bias, a, b)  # noqa: E731
    else:
        a, b = args[:2]
        call = lambda: torch.mm(a, b)  # noqa: E731
    macs = a.shape[0] * a.shape[1] * b.shape[1]
    reps = max(20, int(2e7 / max(macs, 1)))
    for _ in range(3):
        call()
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(reps):
            call()
        best = min(best, (time.perf_counter() - start) / reps)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--updates", type=int, default=50, help="profiled updates")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    x, penalty = probe_rows()
    nets = probe_networks()
    train_probe(nets, x, penalty, args.batch, 200, seed=0)  # warm-up
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        train_probe(nets, x, penalty, args.batch, args.updates, seed=1)
    calls: collections.Counter = collections.Counter()
    for e in prof.events():
        if e.name in MATMUL:
            shapes = [list(s) for s in e.input_shapes]
            strides = [list(s) for s in e.structured_input_strides]
            calls[(e.name, json.dumps(shapes), json.dumps(strides))] += 1
    rows, floor_s, macs = [], 0.0, 0
    for (name, shapes, strides), count in sorted(calls.items(), key=lambda kv: -kv[1]):
        shapes, strides = json.loads(shapes), json.loads(strides)
        mats = [s for s in shapes if len(s) == 2]
        m, k, n = mats[0][0], mats[0][1], mats[1][1]
        seconds = per_call_seconds(name, shapes, strides)
        per_update = count / args.updates
        floor_s += per_update * seconds
        macs += per_update * m * k * n
        rows.append(
            {
                "op": name,
                "m_k_n": [m, k, n],
                "strides": strides,
                "calls_per_update": per_update,
                "microseconds_per_call": 1e6 * seconds,
            }
        )
    square = max(matmul_rate() for _ in range(3))
    for row in rows:
        m, k, n = row["m_k_n"]
        row["share_of_square_rate"] = m * k * n / (row["microseconds_per_call"] / 1e6) / square
    step_ms = min(train_probe(nets, x, penalty, args.batch, 400, seed=2 + i) for i in range(3))
    result = {
        "command": f"python benchmarks/matmul_floor.py --batch {args.batch} --updates "
        f"{args.updates} --out {args.out}",
        "commit": git_commit(),
        "cpu": cpu_description(),
        "torch": torch.__version__,
        "batch_size": args.batch,
        "matmul_macs_per_s": square,
        "macs_per_update": macs,
        "matmul_calls_per_update": sum(r["calls_per_update"] for r in rows),
        "floor_ms_per_update": 1000 * floor_s,
        "step_ms_per_update": step_ms,
        "floor_share_of_matmul_rate": macs / floor_s / square,
        "step_share_of_matmul_rate": macs / (step_ms / 1000) / square,
        "floor_share_of_step": 1000 * floor_s / step_ms,
        "calls": rows,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"batch {args.batch}: {result['matmul_calls_per_update']:.0f} products per update, "
        f"{macs / 1e6:.2f} M multiply-adds; floor {result['floor_ms_per_update']:.2f} ms, "
        f"update {step_ms:.2f} ms (floor {100 * result['floor_share_of_step']:.0f} % of it); "
        f"square rate {square / 1e9:.1f} G/s: floor reaches "
        f"{100 * result['floor_share_of_matmul_rate']:.0f} %, the update "
        f"{100 * result['step_share_of_matmul_rate']:.0f} %"
    )
    for row in sorted(rows, key=lambda r: -r["calls_per_update"] * r["microseconds_per_call"])[:10]:
        print(
            f"  {row['op']:12s} {row['m_k_n']!s:18s} {row['calls_per_update']:4.1f} calls "
            f"{row['microseconds_per_call']:7.1f} us  {100 * row['share_of_square_rate']:5.1f} %"
        )


if __name__ == "__main__":
    main()
