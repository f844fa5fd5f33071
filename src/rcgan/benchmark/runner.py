"""The one benchmark runner: a job (method, data set, seed, settings) -> one JSON line.

Every table of the project (Tables 1, 3 and 4, the accuracy suite, the
one-class image Table 2) goes through :func:`execute`: a *task* knows how to
run one job and returns its measured fields; the runner adds the provenance
(git commit, library versions, data SHA-256, wall time, peak memory),
appends the row to a JSON Lines file as soon as the job is done and, when
restarted on the same file, skips the jobs already there, so a killed run
loses at most the job in progress. A last line torn by a crash is dropped
with a warning naming the file (the job is run again); a malformed line
anywhere else is an error naming the file and the line.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..data import dataset_sha256, load_dataset
from ..provenance import peak_memory_mb, provenance
from ..utils import atomic_path
from .methods import make_method
from .protocol import PROTOCOLS, TabularProtocol, split_train_test, suite_protocol, topk_metrics

__all__ = ["Job", "TabularTask", "Task", "execute", "jsonable", "read_results", "run_jobs"]

Job = tuple[str, str, int]  # (method, dataset, seed)


class Task(Protocol):
    """One kind of benchmark job (tabular, one-class images, ...)."""

    #: the fields that identify a job (a row with the same values is done)
    key: tuple[str, ...]
    #: the ``protocol`` field of its rows; a results file holds one protocol
    protocol: str

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        """Run one job; the measured fields of its row."""
        ...

    def describe(self, row: dict[str, Any]) -> str:
        """One log line for a finished row."""
        ...


def jsonable(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as JSON values (anything else as its ``repr``)."""
    out = {}
    for key, value in params.items():
        try:
            json.dumps(value)
            out[key] = value
        except TypeError:
            out[key] = repr(value)
    return out


def _parse(path: Path) -> tuple[list[dict[str, Any]], bool]:
    """Rows of a results file and whether its last line was torn."""
    if not path.exists():
        return [], False
    text = path.read_text()
    lines = text.splitlines()
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as err:
            if number == len(lines) and not text.endswith("\n"):
                return rows, True  # torn by a crash while it was written
            raise ValueError(f"{path}, line {number}: not a JSON row ({err})") from None
    return rows, False


def read_results(path: str | Path) -> list[dict[str, Any]]:
    """All rows of a results file (empty list if it does not exist).

    A torn last line (no newline, not valid JSON: a crash while it was
    written) is left out with a warning; a malformed line elsewhere raises
    ``ValueError`` naming the file and the line.
    """
    path = Path(path)
    rows, torn = _parse(path)
    if torn:
        warnings.warn(
            f"{path}: the last line is incomplete (torn by a crash); ignored", stacklevel=2
        )
    return rows


def _drop_torn_line(path: Path, rows: list[dict[str, Any]]) -> None:
    """Rewrite ``path`` without its torn last line (temporary file, then rename)."""
    with atomic_path(path) as tmp:
        tmp.write_text("".join(json.dumps(r) + "\n" for r in rows))


def execute(
    jobs: Iterable[dict[str, Any]],
    out: str | Path,
    task: Task,
    verbose: bool = True,
    log: Callable[[str], None] | None = print,
) -> list[dict[str, Any]]:
    """Run the jobs not yet in ``out`` with ``task``; returns the rows written now.

    Each row is the job's fields, ``protocol``, the task's measured fields,
    ``commit`` and ``versions`` (:mod:`rcgan.provenance`), ``wall_seconds``
    and ``peak_rss_mb`` (this process's peak so far).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    existing, torn = _parse(out)
    if torn:
        warnings.warn(
            f"{out}: the last line is incomplete (torn by a crash); it is dropped and its job "
            "run again",
            stacklevel=2,
        )
        _drop_torn_line(out, existing)
    # rows written before rows named their protocol are of the file's own kind
    if {r.get("protocol", task.protocol) for r in existing} - {task.protocol}:
        raise ValueError(
            f"{out} holds rows of another protocol than {task.protocol!r}; use another file"
        )
    if out.exists() and out.stat().st_size and not out.read_bytes().endswith(b"\n"):
        with out.open("a") as fh:  # a complete last row without its newline
            fh.write("\n")
    done = {tuple(r.get(k) for k in task.key) for r in existing}
    todo = [job for job in jobs if tuple(job[k] for k in task.key) not in done]
    rows = []
    bar = None
    if verbose and todo:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc="jobs", unit="job")
    for job in todo:
        wall = time.perf_counter()
        measured = task.run(job)
        row = {
            **job,
            "protocol": task.protocol,
            **measured,
            **provenance(),
            "wall_seconds": time.perf_counter() - wall,
            "peak_rss_mb": peak_memory_mb(),
        }
        with out.open("a") as fh:  # one write per row: a crash tears at most this line
            fh.write(json.dumps(row) + "\n")
        rows.append(row)
        if bar is not None:
            bar.update(1)
        if log is not None:
            log(task.describe(row))
    if bar is not None:
        bar.close()
    return rows


@dataclass
class TabularTask:
    """A tabular job: random split per seed, fit on the normal training rows, top-k F1.

    ``suite=True`` runs the accuracy suite's protocol (:func:`suite_protocol`)
    with every method at its library defaults (no per-data-set settings);
    otherwise the paper's protocol and settings (:data:`PROTOCOLS`).
    ``epochs`` overrides the GAN methods' epochs (quick runs; recorded in the
    row's ``config``).
    """

    data_dir: str | Path | None = None
    epochs: int | None = None
    suite: bool = False
    key: tuple[str, ...] = ("method", "dataset", "seed")

    def __post_init__(self) -> None:
        self.protocol = "suite" if self.suite else "paper"
        self._data: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        dataset, method, seed = job["dataset"], job["method"], job["seed"]
        if dataset not in self._data:
            self._data[dataset] = load_dataset(dataset, data_dir=self.data_dir)
        X, y = self._data[dataset]
        proto: TabularProtocol = suite_protocol(dataset) if self.suite else PROTOCOLS[dataset]
        train, test, y_test = split_train_test(X, y, proto.train_fraction, seed)
        det = make_method(method, None if self.suite else dataset, seed, self.epochs)
        start = time.perf_counter()
        det.fit(train)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        scores = det.anomaly_score(test)
        score_s = time.perf_counter() - start
        return {
            "train_fraction": proto.train_fraction,
            "anomaly_share": proto.anomaly_share,
            **topk_metrics(scores, y_test, proto.anomaly_share),
            "fit_seconds": fit_s,
            "score_seconds": score_s,
            "n_train": len(train),
            "n_test": len(test),
            "config": jsonable(det.get_params()),
            "data_sha256": dataset_sha256(dataset),
        }

    def describe(self, row: dict[str, Any]) -> str:
        return (
            f"{row['dataset']} {row['method']} seed {row['seed']}: F1 {row['f1']:.3f} "
            f"AUROC {row['auroc']:.3f} ({row['fit_seconds']:.1f} s)"
        )


def run_jobs(
    jobs: Sequence[Job],
    out: str | Path,
    data_dir: str | Path | None = None,
    epochs: int | None = None,
    verbose: bool = True,
    log: Callable[[str], None] | None = print,
    suite: bool = False,
) -> list[dict[str, Any]]:
    """Run tabular ``(method, dataset, seed)`` jobs not yet in ``out`` (see :class:`TabularTask`).

    Each row has ``dataset``, ``method``, ``seed``, the protocol
    (``train_fraction``, ``anomaly_share``), ``precision``, ``recall``,
    ``f1``, ``auroc``, ``average_precision``, ``n_flagged``,
    ``fit_seconds``, ``score_seconds``, ``n_train``, ``n_test``, ``config``
    (the detector's parameters), ``data_sha256`` and the provenance fields
    of :func:`execute`.
    """
    task = TabularTask(data_dir=data_dir, epochs=epochs, suite=suite)
    wanted = [{"dataset": d, "method": m, "seed": s} for m, d, s in jobs]
    return execute(wanted, out, task, verbose=verbose, log=log)
