"""Benchmark jobs: one (method, data set, seed) -> one JSON line.

A run appends each finished job to a JSON Lines file as soon as it is done
and, when restarted on the same file, skips the jobs already there, so a
killed run loses at most the job in progress.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..data import dataset_sha256, load_dataset
from ..provenance import peak_memory_mb, provenance
from .methods import make_method
from .protocol import PROTOCOLS, TabularProtocol, split_train_test, suite_protocol, topk_metrics

__all__ = ["Job", "read_results", "run_jobs"]

Job = tuple[str, str, int]  # (method, dataset, seed)


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in params.items():
        try:
            json.dumps(value)
            out[key] = value
        except TypeError:
            out[key] = repr(value)
    return out


def read_results(path: str | Path) -> list[dict[str, Any]]:
    """All rows of a results file (empty list if it does not exist)."""
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def run_jobs(
    jobs: Iterable[Job],
    out: str | Path,
    data_dir: str | Path | None = None,
    epochs: int | None = None,
    verbose: bool = True,
    log: Callable[[str], None] | None = print,
    suite: bool = False,
) -> list[dict[str, Any]]:
    """Run the jobs not yet in ``out``; returns the rows written now.

    ``epochs`` overrides the GAN methods' per-data-set epochs (for quick
    runs; the value is recorded in each row's ``config``). ``suite=True``
    runs the accuracy suite's protocol (:func:`suite_protocol`) with every
    method at its library defaults (no per-data-set settings).

    Each row has ``dataset``, ``method``, ``seed``, the protocol
    (``train_fraction``, ``anomaly_share``), ``precision``, ``recall``,
    ``f1``, ``auroc``, ``average_precision``, ``n_flagged``,
    ``fit_seconds``, ``score_seconds``, ``n_train``, ``n_test``, ``config``
    (the detector's parameters), ``versions``, ``commit`` (see
    :mod:`rcgan.provenance`), ``data_sha256``, ``wall_seconds`` and
    ``peak_rss_mb`` (this process's peak so far).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    existing = read_results(out)
    wanted = "suite" if suite else "paper"
    if {r.get("protocol", "paper") for r in existing} - {wanted}:
        raise ValueError(f"{out} holds rows of another protocol than {wanted!r}; use another file")
    done = {(r["method"], r["dataset"], r["seed"]) for r in existing}
    todo = [job for job in jobs if tuple(job) not in done]
    data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    rows = []
    bar = None
    if verbose:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc="jobs", unit="job")
    for method, dataset, seed in todo:
        if dataset not in data:
            data[dataset] = load_dataset(dataset, data_dir=data_dir)
        X, y = data[dataset]
        proto: TabularProtocol = suite_protocol(dataset) if suite else PROTOCOLS[dataset]
        wall = time.perf_counter()
        train, test, y_test = split_train_test(X, y, proto.train_fraction, seed)
        det = make_method(method, None if suite else dataset, seed, epochs)
        start = time.perf_counter()
        det.fit(train)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        scores = det.anomaly_score(test)
        score_s = time.perf_counter() - start
        row = {
            "dataset": dataset,
            "method": method,
            "seed": seed,
            "protocol": "suite" if suite else "paper",
            "train_fraction": proto.train_fraction,
            "anomaly_share": proto.anomaly_share,
            **topk_metrics(scores, y_test, proto.anomaly_share),
            "fit_seconds": fit_s,
            "score_seconds": score_s,
            "n_train": len(train),
            "n_test": len(test),
            "config": _jsonable(det.get_params()),
            **provenance(),
            "data_sha256": dataset_sha256(dataset),
            "wall_seconds": time.perf_counter() - wall,
            "peak_rss_mb": peak_memory_mb(),
        }
        with out.open("a") as fh:
            fh.write(json.dumps(row) + "\n")
        rows.append(row)
        if bar is not None:
            bar.update(1)
        if log is not None:
            log(
                f"{dataset} {method} seed {seed}: F1 {row['f1']:.3f} AUROC {row['auroc']:.3f} "
                f"({fit_s:.1f} s)"
            )
    if bar is not None:
        bar.close()
    return rows
