"""Where one training update's time goes: each phase of the alternating step, timed alone.

The update of :func:`rcgan.training.train` is split into its phases, each
timed with ``time.perf_counter`` around the library's own calls (the
players of ``rcgan.training._Players`` on flat buffers, the default
penalty, the weight average): the minibatch gather, the penalty draw, z,
the discriminator objective's forward pass, its backward pass, its Adam
step, the same three for (E, G), and the weight average. Protocol: one
thread, 20,000 x 121 N(0, 1) rows, latent 30, dropout 0 (the defaults'),
``--updates`` timed updates after 20 untimed ones, per phase the mean
over updates; the best of ``--repeats`` runs by total (shared machine:
the least disturbed run). The phases add up to the update; a profiler is
not used, so the small operators are not inflated.

    python benchmarks/step_parts.py --out benchmarks/results/step_parts.json
"""

from __future__ import annotations

import time

import torch
from step_overhead import WIDTHS, step_setup, write_result

from rcgan import training
from rcgan.networks import NetworkConfig, build_networks
from rcgan.penalties import make_penalty

PHASES = (
    "minibatch",
    "penalty",
    "z",
    "d_forward",
    "d_backward",
    "d_adam",
    "eg_forward",
    "eg_backward",
    "eg_adam",
    "average",
)


def phase_ms(x: torch.Tensor, widths: str, batch: int, updates: int) -> dict[str, float]:
    """Mean milliseconds per update of each phase, over ``updates`` timed updates."""
    torch.manual_seed(0)
    config = NetworkConfig(n_features=x.shape[1], latent_dim=30, dropout=0.0, **WIDTHS[widths])
    nets = build_networks(config)
    train_config = training.TrainConfig(epochs=1, batch_size=batch, learning_rate=3e-4)
    penalty = make_penalty("adaptive-cross", data=x)
    players = training._Players(nets, train_config, distributed=False)
    average = training.EMA(nets, 0.999, players.buffers())
    g = torch.Generator().manual_seed(0)
    nets.train()
    totals = dict.fromkeys(PHASES, 0.0)
    for step in range(20 + updates):
        t = [time.perf_counter()]
        xb = x[torch.randint(0, x.shape[0], (batch,), generator=g)]
        t.append(time.perf_counter())
        xt = penalty(batch, x.shape[1], g)
        t.append(time.perf_counter())
        z = torch.randn(batch, 30, generator=g)
        t.append(time.perf_counter())
        loss_d = players.d_step(xb, z, xt, True, None)
        t.append(time.perf_counter())
        players.opt_d.zero_grad()
        loss_d.backward()
        t.append(time.perf_counter())
        players.opt_d.step()
        t.append(time.perf_counter())
        loss_eg = players.eg_step(xb, z, xt)
        t.append(time.perf_counter())
        players.opt_eg.zero_grad()
        loss_eg.backward(inputs=players.eg_params)
        t.append(time.perf_counter())
        players.opt_eg.step()
        t.append(time.perf_counter())
        average.update()
        t.append(time.perf_counter())
        if step >= 20:
            for name, start, end in zip(PHASES, t[:-1], t[1:], strict=True):
                totals[name] += (end - start) * 1e3 / updates
    players.release()
    return totals


def main() -> None:
    args, x = step_setup(__doc__, 3, "benchmarks/results/step_parts.json")
    rows = []
    for widths in WIDTHS:
        for batch in args.batches:
            runs = [phase_ms(x, widths, batch, args.updates) for _ in range(args.repeats)]
            best = min(runs, key=lambda r: sum(r.values()))
            row = {"widths": widths, "batch_size": batch, "total_ms": sum(best.values()), **best}
            rows.append(row)
            print(
                f"{widths:8s} batch {batch:4d}: {row['total_ms']:.2f} ms = "
                + " ".join(f"{k} {v:.2f}" for k, v in best.items()),
                flush=True,
            )
    write_result("step_parts.py", args, rows)


if __name__ == "__main__":
    main()
