"""Time per training update with flat parameter buffers against per-tensor Adam, in one run.

The training loop keeps each player's weights and gradients in one flat
buffer (:class:`rcgan.training.FlatAdam`), so Adam and the weight average
are a few whole-buffer operations per step. The per-tensor path (torch's
``Adam(foreach=True)`` and a per-tensor average, what DDP still uses) is
reached by turning the flat buffers off; both give the same bits
(``tests/test_training.py``). Protocol: one thread, 20,000 x 121 N(0, 1)
rows, the default penalty, latent 30, 300 updates per timing, the two
variants interleaved, the best of ``--repeats`` per variant (the machine
is shared: the minimum is the least disturbed run).

    python benchmarks/step_overhead.py --out benchmarks/results/step_overhead.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from rcgan import training
from rcgan.networks import NetworkConfig, build_networks
from rcgan.penalties import make_penalty
from rcgan.provenance import cpu_description, git_commit

WIDTHS = {
    "ALAD": {},
    "default": {
        "encoder_hidden": (128,),
        "generator_hidden": (128, 256),
        "disc_hidden": 256,
        "disc_xx_hidden": (256,),
    },
}


def ms_per_update(x: torch.Tensor, widths: str, batch: int, flat: bool, updates: int) -> float:
    """Milliseconds per alternating update of one :func:`rcgan.training.train` run."""
    original = training._flattenable
    if not flat:
        training._flattenable = lambda nets: False
    try:
        torch.manual_seed(0)
        nets = build_networks(NetworkConfig(n_features=x.shape[1], latent_dim=30, **WIDTHS[widths]))
        config = training.TrainConfig(
            epochs=1000, batch_size=batch, learning_rate=3e-4, max_updates=updates
        )
        penalty = make_penalty("adaptive-diff", data=x)
        start = time.perf_counter()
        training.train(nets, x, config, torch.Generator().manual_seed(0), penalty=penalty)
        return (time.perf_counter() - start) / updates * 1e3
    finally:
        training._flattenable = original


def step_setup(doc: str, repeats: int, out: str) -> tuple[argparse.Namespace, torch.Tensor]:
    """The arguments of a per-update timing script and its data, on one thread.

    ``--batches``, ``--repeats`` (default ``repeats``), ``--updates`` and
    ``--out`` (default ``out``); 20,000 x 121 N(0, 1) rows, seed 0.
    """
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[50, 256])
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--out", default=out)
    args = parser.parse_args()
    torch.set_num_threads(1)
    return args, torch.randn(20_000, 121, generator=torch.Generator().manual_seed(0))


def main() -> None:
    args, x = step_setup(__doc__, 5, "benchmarks/results/step_overhead.json")
    rows = []
    for widths in WIDTHS:
        for batch in args.batches:
            for flat in (False, True):  # warm-up: first calls allocate and load kernels
                ms_per_update(x, widths, batch, flat, 10)
            times: dict[bool, list[float]] = {False: [], True: []}
            for _ in range(args.repeats):
                for flat in (False, True):
                    times[flat].append(ms_per_update(x, widths, batch, flat, args.updates))
            row = {
                "widths": widths,
                "batch_size": batch,
                "per_tensor_ms": min(times[False]),
                "flat_ms": min(times[True]),
                "speedup": min(times[False]) / min(times[True]),
            }
            rows.append(row)
            print(
                f"{widths:8s} batch {batch:4d}: per-tensor {row['per_tensor_ms']:.3f} ms, "
                f"flat {row['flat_ms']:.3f} ms per update, x{row['speedup']:.3f}",
                flush=True,
            )
    write_result("step_overhead.py", args, rows)


def write_result(script: str, args: argparse.Namespace, rows: list[dict]) -> None:
    """Write ``rows`` to ``args.out`` with the command that made them and their provenance.

    The command is ``python benchmarks/SCRIPT`` with ``--batches``,
    ``--repeats``, ``--updates`` and ``--out``; the provenance is the
    commit, the CPU and torch's version.
    """
    result = {
        "command": f"python benchmarks/{script} --batches "
        + " ".join(map(str, args.batches))
        + f" --repeats {args.repeats} --updates {args.updates} --out {args.out}",
        "commit": git_commit(),
        "cpu": cpu_description(),
        "torch": torch.__version__,
        "rows": rows,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
