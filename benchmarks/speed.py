"""Training and scoring speed of rcgan's ALAD against PyOD's ALAD, in one run.

Protocol (all in one process, one thread, same data):

- data: 20,000 x 121 rows of N(0, 1) (the width of KDDCUP99's one-hot matrix);
- both detectors use ALAD's KDD widths (E 121-64-32, G 32-64-128-121,
  discriminators of width 128, D_zz 32), batch size 50, dropout 0.2; PyOD's
  D_xz is one MLP on concat(x, z) where ours has ALAD's two branches, so ours
  does more arithmetic per row;
- training rows/s counts the rows actually processed: ours = epochs x 20,000;
  PyOD's "epoch" is one minibatch, so PyOD = epochs x 50. Both ``fit`` calls
  end by scoring the training set; that scoring time (measured separately)
  is subtracted;
- scoring rows/s: ``decision_function`` / ``score_samples`` on the 20,000
  rows, median of 5 repeats after one warm-up call;
- the CPU's matrix-multiply rate is measured on 1024 x 1024 float32 products;
  our arithmetic per row is counted with hooks on every Linear layer in
  training (forward multiply-adds x 3, the usual estimate for forward +
  backward) and from the fused scorer's matrices in scoring (see
  ``rcgan.scores.FusedMLPScorer``), giving the share of that rate we reach;
- the PyOD-equivalent scoring arithmetic (E, G, and D_xx on (x, x) and
  (x, G(E(x))), as PyOD computes) is also counted, to bound what any
  implementation of that computation could reach on this CPU.

Run::

    python benchmarks/speed.py --out benchmarks/results/speed.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import torch

from rcgan import ALAD, RCGAN
from rcgan.scores import FusedMLPScorer, anomaly_scores

N_ROWS, N_FEATURES, BATCH = 20_000, 121, 50


def matmul_rate(n: int = 1024, repeats: int = 10) -> float:
    """Measured float32 multiply-adds per second of one n x n product."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return repeats * n**3 / (time.perf_counter() - start)


def count_macs(run) -> int:
    """Multiply-adds of every Linear layer called during ``run()``."""
    total = 0

    def hook(layer, inputs, output):
        nonlocal total
        if isinstance(layer, torch.nn.Linear):
            total += inputs[0].shape[0] * layer.in_features * layer.out_features

    handle = torch.nn.modules.module.register_module_forward_hook(hook)
    try:
        run()
    finally:
        handle.remove()
    return total


def median_seconds(fn, repeats: int = 5) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ours(cls, X: np.ndarray, epochs: int, **params) -> dict:
    det = cls(epochs=epochs, batch_size=BATCH, random_state=0, n_jobs=1, **params)
    cls(epochs=1, batch_size=BATCH, random_state=0, n_jobs=1, **params).fit(X[:500])  # warm-up
    start = time.perf_counter()
    det.fit(X)
    fit_s = time.perf_counter() - start
    score_s = median_seconds(lambda: det.score_samples(X))
    train_s = fit_s - score_s
    if FusedMLPScorer.supports(det.networks_, det.score):
        score_macs = FusedMLPScorer(det.networks_, det.score).macs_per_row * N_ROWS
    else:
        xt = det._to_tensor(X)
        score_macs = count_macs(lambda: anomaly_scores(det.networks_, xt, det.score))
    return {
        "method": f"rcgan.{cls.__name__}",
        "scoring": det.scoring,
        "epochs": epochs,
        "train_rows": epochs * N_ROWS,
        "train_seconds": train_s,
        "train_rows_per_s": epochs * N_ROWS / train_s,
        "score_rows_per_s": N_ROWS / score_s,
        "score_macs_per_row": score_macs / N_ROWS,
        "det": det,
    }


def train_macs_per_row(det, X: np.ndarray, n: int = 2000) -> float:
    """Forward multiply-adds per row of one training epoch, times 3."""
    probe = type(det)(**{**det.get_params(), "epochs": 1})
    fit = count_macs(lambda: probe.fit(X[:n]))
    xt = probe._to_tensor(X[:n])
    final_scoring = count_macs(lambda: anomaly_scores(probe.networks_, xt, probe.score))
    return 3 * (fit - final_scoring) / n


def pyod_alad(X: np.ndarray, steps: int) -> dict:
    from pyod.models.alad import ALAD as PyodALAD

    def make(epochs):
        return PyodALAD(
            latent_dim=32,
            enc_layers=[64],
            dec_layers=[64, 128],
            disc_xx_layers=[128],
            disc_zz_layers=[32],
            disc_xz_layers=[128],
            activation_hidden_gen="relu",
            activation_hidden_disc="relu",
            dropout_rate=0.2,
            epochs=epochs,
            batch_size=BATCH,
            device="cpu",
        )

    make(5).fit(X[:500])  # warm-up
    det = make(steps)
    start = time.perf_counter()
    det.fit(X)
    fit_s = time.perf_counter() - start
    score_s = median_seconds(lambda: det.decision_function(X))
    train_s = fit_s - score_s
    score_macs = count_macs(lambda: det.decision_function(X)) / N_ROWS
    return {
        "method": "pyod.ALAD",
        "score_macs_per_row": score_macs,
        "pyod_version": metadata.version("pyod"),
        "epochs": steps,
        "train_rows": steps * BATCH,
        "train_seconds": train_s,
        "train_rows_per_s": steps * BATCH / train_s,
        "score_rows_per_s": N_ROWS / score_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=2, help="our epochs (20,000 rows each)")
    parser.add_argument("--out", default="benchmarks/results/speed.json")
    args = parser.parse_args()

    torch.set_num_threads(1)
    X = np.random.default_rng(0).normal(size=(N_ROWS, N_FEATURES)).astype(np.float32)
    rate = matmul_rate()
    pyod = pyod_alad(X, steps=args.epochs * N_ROWS // BATCH)
    rows = [
        ours(ALAD, X, args.epochs),
        ours(ALAD, X, args.epochs, scoring="discriminator"),
        ours(RCGAN, X, args.epochs),
    ]
    for row in rows:
        det = row.pop("det")
        row["train_macs_per_row"] = train_macs_per_row(det, X)
        row["train_share_of_matmul_rate"] = (
            row["train_rows_per_s"] * row["train_macs_per_row"] / rate
        )
        row["score_share_of_matmul_rate"] = (
            row["score_rows_per_s"] * row["score_macs_per_row"] / rate
        )
        row["train_speedup_vs_pyod"] = row["train_rows_per_s"] / pyod["train_rows_per_s"]
        row["score_speedup_vs_pyod"] = row["score_rows_per_s"] / pyod["score_rows_per_s"]
    result = {
        "command": f"python benchmarks/speed.py --epochs {args.epochs} --out {args.out}",
        "data": f"{N_ROWS} x {N_FEATURES} N(0,1) float32, batch {BATCH}",
        "threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
        "torch": torch.__version__,
        "matmul_macs_per_s": rate,
        "pyod": pyod,
        "rcgan": rows,
    }
    pyod["score_share_of_matmul_rate"] = (
        pyod["score_rows_per_s"] * pyod["score_macs_per_row"] / rate
    )
    # 5x PyOD's scoring speed at PyOD's arithmetic per row would need this share of the CPU:
    result["five_x_pyod_at_pyod_arithmetic_share"] = 5 * pyod["score_share_of_matmul_rate"]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")

    print(f"float32 matmul rate (1 thread): {rate / 1e9:.1f} G multiply-adds/s")
    head = ("method", "train rows/s", "x PyOD", "score rows/s", "x PyOD", "train %mm", "score %mm")
    print("{:28s} {:>12s} {:>7s} {:>12s} {:>7s} {:>9s} {:>9s}".format(*head))
    line = "{:28s} {:12.0f} {:7.2f} {:12.0f} {:7.2f} {:>9s} {:>9s}"
    print(
        line.format("pyod.ALAD", pyod["train_rows_per_s"], 1, pyod["score_rows_per_s"], 1, "", "")
    )
    for r in rows:
        print(
            line.format(
                f"{r['method']} ({r['scoring']})",
                r["train_rows_per_s"],
                r["train_speedup_vs_pyod"],
                r["score_rows_per_s"],
                r["score_speedup_vs_pyod"],
                f"{100 * r['train_share_of_matmul_rate']:.1f}%",
                f"{100 * r['score_share_of_matmul_rate']:.1f}%",
            )
        )
    print(
        f"PyOD scores at {100 * pyod['score_share_of_matmul_rate']:.1f}% of the matmul rate with "
        f"{pyod['score_macs_per_row']:.0f} multiply-adds/row: 5x PyOD at that arithmetic would "
        f"need {100 * result['five_x_pyod_at_pyod_arithmetic_share']:.0f}% of the CPU's rate"
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
