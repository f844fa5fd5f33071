"""Does one autograd node per Linear stack speed up the training update? (issue 14)

A probe, not library code: every ``nn.Sequential`` body of Linear ->
(leaky) ReLU layers in RCGAN's networks (ALAD's widths, latent 30, no
dropout) is replaced by one ``torch.autograd.Function`` whose forward runs
the same ``addmm`` and activation kernels and whose backward is written by
hand (``leaky_relu_backward`` / ``threshold_backward``, then ``mm`` for the
weight and input gradients and ``sum`` for the bias). It checks that the
weights after 50 updates are the same bits as the stock path's, then
times both, interleaved, best of ``--repeats``, 200 updates each, one
thread, 20,000 x 121 N(0, 1) rows, the default penalty.

``--compile`` also times both objectives under ``torch.compile`` (default
Inductor backend; needs a C++ compiler; its kernels round differently, so
no bit check), after a first fit that pays the compilation.

    python benchmarks/fused_stack.py --compile --out benchmarks/results/fused_stack.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from step_profile import probe_networks, probe_rows, train_probe
from torch import nn

from rcgan import training
from rcgan.provenance import cpu_description, git_commit


class _Stack(torch.autograd.Function):
    """Linear -> activation layers as one node; ``slopes[i]`` 0 means ReLU."""

    @staticmethod
    def forward(ctx, x, slopes, *weights):
        outputs, h = [x], x
        for i, slope in enumerate(slopes):
            pre = torch.addmm(weights[2 * i + 1], h, weights[2 * i].t())
            h = torch.nn.functional.leaky_relu(pre, slope) if slope > 0 else torch.relu(pre)
            outputs.append(h)
        ctx.slopes = slopes
        ctx.save_for_backward(*outputs, *weights)
        return h

    @staticmethod
    def backward(ctx, grad):
        n = len(ctx.slopes)
        saved = ctx.saved_tensors
        outputs, weights = saved[: n + 1], saved[n + 1 :]
        grads: list[torch.Tensor | None] = [None] * (2 * n)
        for i in reversed(range(n)):
            y = outputs[i + 1]
            if ctx.slopes[i] > 0:
                grad = torch.ops.aten.leaky_relu_backward(grad, y, ctx.slopes[i], True)
            else:
                grad = torch.ops.aten.threshold_backward(grad, y, 0)
            if ctx.needs_input_grad[2 + 2 * i]:
                grads[2 * i] = grad.t().mm(outputs[i])
            if ctx.needs_input_grad[3 + 2 * i]:
                grads[2 * i + 1] = grad.sum(0)
            grad = grad.mm(weights[2 * i]) if i > 0 or ctx.needs_input_grad[0] else None
        return (grad, None, *grads)


def _fuse(body: nn.Sequential) -> None:
    layers = list(body)
    slopes = tuple(
        act.negative_slope if isinstance(act, nn.LeakyReLU) else 0.0 for act in layers[1::2]
    )
    params = [p for lin in layers[0::2] for p in (lin.weight, lin.bias)]
    body.forward = lambda x: _Stack.apply(x, slopes, *params)


def fit(x, penalty, fused: bool, updates: int, batch: int):
    """The probe's networks (``step_profile.probe_networks``), stacks fused or not, trained."""
    nets = probe_networks()
    if fused:
        for m in list(nets.modules()):
            kinds = (nn.Linear, nn.LeakyReLU, nn.ReLU)
            if isinstance(m, nn.Sequential) and all(isinstance(c, kinds) for c in m):
                _fuse(m)
    return nets, train_probe(nets, x, penalty, batch, updates, seed=0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=4)
    ap.add_argument("--compile", action="store_true", help="also torch.compile'd objectives")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    x, penalty = probe_rows()
    stock, _ = fit(x, penalty, False, 50, 50)
    fused, _ = fit(x, penalty, True, 50, 50)
    pairs = zip(stock.parameters(), fused.parameters(), strict=True)
    same = all(torch.equal(a, b) for a, b in pairs)
    rows = []
    for batch in (50, 256):
        ms = {False: [], True: []}
        for _ in range(args.repeats):
            for variant in (False, True):
                ms[variant].append(fit(x, penalty, variant, 200, batch)[1])
        rows.append(
            {
                "batch_size": batch,
                "stock_ms_per_update": min(ms[False]),
                "fused_ms_per_update": min(ms[True]),
                "speedup": min(ms[False]) / min(ms[True]),
            }
        )
        print(
            f"batch {batch}: stock {min(ms[False]):.2f} ms, one node per stack "
            f"{min(ms[True]):.2f} ms per update (x{rows[-1]['speedup']:.2f})"
        )
    print(f"same weights after 50 updates: {same}")
    compiled = None
    if args.compile:
        objectives = training.discriminator_objective, training.encoder_generator_objective
        training.discriminator_objective = torch.compile(objectives[0], dynamic=False)
        training.encoder_generator_objective = torch.compile(objectives[1], dynamic=False)
        start = time.perf_counter()
        fit(x, penalty, False, 5, 50)
        first = time.perf_counter() - start
        ms = min(fit(x, penalty, False, 200, 50)[1] for _ in range(args.repeats))
        training.discriminator_objective, training.encoder_generator_objective = objectives
        compiled = {
            "batch_size": 50,
            "first_fit_of_5_updates_s": first,
            "ms_per_update": ms,
            "speedup": rows[0]["stock_ms_per_update"] / ms,
        }
        print(
            f"batch 50, torch.compile'd objectives: {ms:.2f} ms per update "
            f"(x{compiled['speedup']:.2f}; first fit of 5 updates {first:.0f} s)"
        )
    result = {
        "command": f"python benchmarks/fused_stack.py --repeats {args.repeats}"
        + (" --compile" if args.compile else "")
        + f" --out {args.out}",
        "commit": git_commit(),
        "cpu": cpu_description(),
        "torch": torch.__version__,
        "same_bits_after_50_updates": same,
        "rows": rows,
        "compiled": compiled,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
