"""Training and scoring speed of rcgan's ALAD and RCGAN against PyOD's ALAD, in one run.

Protocol (all in one process, one thread, same data):

- data: 20,000 x 121 rows of N(0, 1) (the width of KDDCUP99's one-hot matrix);
- batch sizes 50, 256 and 1024 (``--batches``), the same for every method;
- ALAD's KDD widths everywhere (E 121-64-32, G 32-64-128-121, discriminators
  of width 128, D_zz 32); our ALAD and PyOD's with dropout 0.2, our RCGAN
  at its defaults (latent 30 for 121 features) but for the widths (its
  0.5 defaults are twice as wide; the KDDCUP99 and 1M-row rows below use
  the full defaults); PyOD's D_xz is one MLP on
  concat(x, z) where ours has ALAD's two branches, so ours does more
  arithmetic per row;
- training rows/s counts the rows actually processed: ours = epochs x 20,000
  (``max_updates=None``); PyOD's "epoch" is one minibatch, so PyOD = steps x
  batch. What our ``fit`` computes after the loop (score statistics and the
  training rows' scores) is timed separately and subtracted, as is PyOD's
  final scoring;
- scoring rows/s: ``score_samples`` / ``decision_function`` on the 20,000
  rows, median of 5 repeats after one warm-up call (scoring runs in chunks
  of 512 rows whatever the training batch);
- the CPU's matrix-multiply rate is measured on 1024 x 1024 float32 products,
  right before each row (shared machines drift by 10-30 % within minutes),
  and each row's shares use its own measurement;
  our arithmetic per row is counted with hooks on every Linear layer in
  training (forward multiply-adds x 3, the usual estimate for forward +
  backward) and from the fused scorer's matrices in scoring (see
  ``rcgan.scores.FusedMLPScorer``), giving the share of that rate we reach.

Optional: ``--kdd-data-dir DIR`` times a default ``RCGAN()`` fit on
KDDCUP99's normal training rows (suite protocol, seed 1000) with its F1;
``--large`` times a default fit on 1,000,000 x 20 rows.

Run (on an otherwise idle machine: the shares compare rates measured
minutes apart)::

    python benchmarks/speed.py --kdd-data-dir ../shared/data --large \
        --out benchmarks/results/speed.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import torch

from rcgan import ALAD, RCGAN
from rcgan.estimator import ALAD_WIDTHS
from rcgan.provenance import cpu_description
from rcgan.scores import FusedMLPScorer, anomaly_scores, training_statistics

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


def ours(cls, X: np.ndarray, epochs: int, batch: int, **params) -> dict:
    kw = dict(batch_size=batch, random_state=0, n_jobs=1, max_updates=None, **params)
    det = cls(epochs=epochs, **kw)
    cls(**{**kw, "epochs": 1}).fit(X[:500])  # warm-up
    start = time.perf_counter()
    det.fit(X)
    fit_s = time.perf_counter() - start
    score_s = median_seconds(lambda: det.score_samples(X))
    xt = det.network_input(X)
    train_s = fit_s - median_seconds(lambda: after_training(det, xt), repeats=3)
    if FusedMLPScorer.supports(det.networks_, det.scoring):
        score_macs = FusedMLPScorer(det.networks_, det.scoring).macs_per_row * N_ROWS
    else:
        score_macs = count_macs(
            lambda: anomaly_scores(det.networks_, xt, det.scoring, stats=det.score_stats_)
        )
    return {
        "method": f"rcgan.{cls.__name__}",
        "scoring": det.scoring,
        "batch_size": batch,
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
    xt = probe.network_input(X[:n])
    return 3 * (fit - count_macs(lambda: after_training(probe, xt))) / n


def after_training(det, xt: torch.Tensor) -> None:
    """What ``fit`` computes after the loop: score statistics and the training rows' scores."""
    with torch.inference_mode():
        stats, scores = training_statistics(det.networks_, xt, det.scoring)
        if scores is None:
            anomaly_scores(det.networks_, xt, det.scoring, stats=stats)


def pyod_alad(X: np.ndarray, steps: int, batch: int) -> dict:
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
            batch_size=batch,
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
        "batch_size": batch,
        "score_macs_per_row": score_macs,
        "pyod_version": metadata.version("pyod"),
        "epochs": steps,
        "train_rows": steps * batch,
        "train_seconds": train_s,
        "train_rows_per_s": steps * batch / train_s,
        "score_rows_per_s": N_ROWS / score_s,
    }


def kdd_time_to_accuracy(data_dir: str, seed: int) -> dict:
    """A default fit on KDDCUP99's normal training rows (suite protocol), its F1 and time."""
    from rcgan.benchmark.protocol import split_train_test, suite_protocol, topk_metrics
    from rcgan.data import load_dataset

    X, y = load_dataset("kddcup99", data_dir=data_dir)
    train, test, y_test = split_train_test(X, y, suite_protocol("kddcup99").train_fraction, seed)
    start = time.perf_counter()
    det = RCGAN(random_state=seed).fit(train)
    fit_s = time.perf_counter() - start
    return {
        "seed": seed,
        "n_train": len(train),
        "fit_seconds": fit_s,
        "f1": topk_metrics(det.anomaly_score(test), y_test, None)["f1"],
    }


def large_fit(rows: int = 1_000_000, features: int = 20) -> dict:
    """Time of a default fit on rows x features N(0, 1) (the update budget caps training)."""
    X = np.random.default_rng(1).normal(size=(rows, features))
    start = time.perf_counter()
    det = RCGAN(random_state=0).fit(X)
    return {
        "rows": rows,
        "features": features,
        "fit_seconds": time.perf_counter() - start,
        "epochs_run": len(det.history_["loss_d"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=2, help="our epochs (20,000 rows each)")
    parser.add_argument("--batches", type=int, nargs="+", default=[50, 256, 1024])
    parser.add_argument("--kdd-data-dir", help="also time a default KDDCUP99 fit (seed 1000)")
    parser.add_argument("--large", action="store_true", help="also time a 1M x 20 default fit")
    parser.add_argument("--out", default="benchmarks/results/speed.json")
    args = parser.parse_args()

    torch.set_num_threads(1)
    X = np.random.default_rng(0).normal(size=(N_ROWS, N_FEATURES)).astype(np.float32)
    rates = [matmul_rate()]
    pyods, rows = [], []
    for batch in args.batches:
        rate = matmul_rate()  # measured next to each row: the machine's speed drifts
        rates.append(rate)
        pyod = pyod_alad(X, steps=args.epochs * N_ROWS // batch, batch=batch)
        pyod["matmul_macs_per_s"] = rate
        pyod["score_share_of_matmul_rate"] = (
            pyod["score_rows_per_s"] * pyod["score_macs_per_row"] / rate
        )
        pyods.append(pyod)
        for cls, params, widths in (
            (ALAD, {"dropout": 0.2}, "ALAD"),
            (RCGAN, dict(ALAD_WIDTHS), "ALAD"),
            (RCGAN, {}, "default"),  # the 0.5 defaults, twice as wide: not PyOD's widths
        ):
            rate = matmul_rate()
            rates.append(rate)
            row = ours(cls, X, args.epochs, batch, **params)
            row["widths"] = widths
            row["matmul_macs_per_s"] = rate
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
            rows.append(row)
    command = f"python benchmarks/speed.py --epochs {args.epochs} --batches " + " ".join(
        map(str, args.batches)
    )
    if args.kdd_data_dir:
        command += f" --kdd-data-dir {args.kdd_data_dir}"
    if args.large:
        command += " --large"
    result = {
        "command": f"{command} --out {args.out}",
        "data": f"{N_ROWS} x {N_FEATURES} N(0,1) float32",
        "threads": torch.get_num_threads(),
        "cpu": cpu_description(),
        "torch": torch.__version__,
        "matmul_macs_per_s": statistics.median(rates),
        "matmul_macs_per_s_range": [min(rates), max(rates)],
        "pyod": pyods,
        "rcgan": rows,
    }
    if args.kdd_data_dir:
        result["kdd_time_to_accuracy"] = kdd_time_to_accuracy(args.kdd_data_dir, 1000)
    if args.large:
        result["large_fit"] = large_fit()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")

    print(
        f"float32 matmul rate (1 thread), measured before each row: median "
        f"{statistics.median(rates) / 1e9:.1f}, range {min(rates) / 1e9:.1f}-"
        f"{max(rates) / 1e9:.1f} G multiply-adds/s"
    )
    head = ("method", "batch", "train rows/s", "x PyOD", "score rows/s", "x PyOD", "train %mm")
    print("{:36s} {:>6s} {:>12s} {:>7s} {:>12s} {:>7s} {:>9s}  score %mm".format(*head))
    line = "{:36s} {:6d} {:12.0f} {:7.2f} {:12.0f} {:7.2f} {:>9s}  {}"
    for pyod in pyods:
        print(
            line.format(
                "pyod.ALAD",
                pyod["batch_size"],
                pyod["train_rows_per_s"],
                1,
                pyod["score_rows_per_s"],
                1,
                "",
                f"{100 * pyod['score_share_of_matmul_rate']:.1f}%",
            )
        )
    for r in rows:
        print(
            line.format(
                f"{r['method']} ({r['scoring']}, {r['widths']})",
                r["batch_size"],
                r["train_rows_per_s"],
                r["train_speedup_vs_pyod"],
                r["score_rows_per_s"],
                r["score_speedup_vs_pyod"],
                f"{100 * r['train_share_of_matmul_rate']:.1f}%",
                f"{100 * r['score_share_of_matmul_rate']:.1f}%",
            )
        )
    for key in ("kdd_time_to_accuracy", "large_fit"):
        if key in result:
            print(key, result[key])
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
