"""Where a batch-50 training update spends its time: a torch.profiler trace.

Issue 14 asks for a profiler trace before any rewrite of the training step.
Protocol: one thread, 20,000 x 121 N(0, 1) rows, RCGAN's default networks
at ALAD's widths (latent 30, no dropout, as ``benchmarks/speed.py``'s RCGAN
row), the default penalty ("adaptive-cross"), batch 50; 200 updates for
warm-up, then 200 updates under the profiler. Reported: operator calls per
update, each operator's share of the operators' own ("self") CPU time, and
the share of the matrix products (``addmm``, ``mm``). The profiler adds a
fixed cost to every call, so small operators weigh more here than in an
unprofiled run: the matrix share is a lower bound of the unprofiled one.

    python benchmarks/step_profile.py --out benchmarks/results/step_profile.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

from rcgan import training
from rcgan.estimator import ALAD_WIDTHS
from rcgan.networks import NetworkConfig, Networks, build_networks
from rcgan.penalties import PenaltySampler, make_penalty
from rcgan.provenance import cpu_description, git_commit

MATMUL = ("aten::addmm", "aten::mm")


def probe_rows() -> tuple[torch.Tensor, PenaltySampler]:
    """The probe's 20,000 x 121 N(0, 1) rows and the default penalty on them."""
    x = torch.randn(20_000, 121, generator=torch.Generator().manual_seed(0))
    return x, make_penalty("adaptive-cross", 1.0, float(x.norm(dim=1).max()), x)


def probe_networks() -> Networks:
    """RCGAN's networks at ALAD's widths, latent 30, no dropout, seed 0."""
    torch.manual_seed(0)
    return build_networks(NetworkConfig(n_features=121, latent_dim=30, dropout=0.0, **ALAD_WIDTHS))


def train_probe(
    nets: Networks, x: torch.Tensor, penalty: PenaltySampler, batch: int, updates: int, seed: int
) -> float:
    """Train ``nets`` for ``updates`` updates; milliseconds per update."""
    config = training.TrainConfig(
        epochs=10_000, batch_size=batch, learning_rate=3e-4, max_updates=updates
    )
    start = time.perf_counter()
    training.train(nets, x, config, torch.Generator().manual_seed(seed), penalty=penalty)
    return 1000 * (time.perf_counter() - start) / updates


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--updates", type=int, default=200)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    x, penalty = probe_rows()
    nets = probe_networks()
    train_probe(nets, x, penalty, args.batch, args.updates, seed=0)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        train_probe(nets, x, penalty, args.batch, args.updates, seed=1)
    events = prof.key_averages()
    total = sum(e.self_cpu_time_total for e in events)
    ops = [e for e in events if e.key.startswith("aten::")]
    top = sorted(events, key=lambda e: -e.self_cpu_time_total)[:20]
    result = {
        "command": f"python benchmarks/step_profile.py --batch {args.batch} --updates "
        f"{args.updates} --out {args.out}",
        "commit": git_commit(),
        "cpu": cpu_description(),
        "torch": torch.__version__,
        "batch_size": args.batch,
        "profiled_ms_per_update": total / 1000 / args.updates,
        "aten_calls_per_update": sum(e.count for e in ops) / args.updates,
        "matmul_share_of_self_time": sum(e.self_cpu_time_total for e in events if e.key in MATMUL)
        / total,
        "top": [
            {
                "op": e.key,
                "calls_per_update": e.count / args.updates,
                "share_of_self_time": e.self_cpu_time_total / total,
            }
            for e in top
        ],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"batch {args.batch}: {result['profiled_ms_per_update']:.2f} ms per update (profiled), "
        f"{result['aten_calls_per_update']:.0f} operator calls, matrix products "
        f"{100 * result['matmul_share_of_self_time']:.0f} % of the operators' time"
    )
    for row in result["top"][:12]:
        print(
            f"  {row['op']:50s} {row['calls_per_update']:6.1f} calls "
            f"{100 * row['share_of_self_time']:5.1f} %"
        )


if __name__ == "__main__":
    main()
