"""DistributedDataParallel training: 2 processes on loopback (gloo)."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from safetensors.torch import load_file
from sklearn.metrics import roc_auc_score

from rcgan import load

from .conftest import manifold_data

HERE = Path(__file__).resolve().parent


def env():
    e = dict(os.environ, GLOO_SOCKET_IFNAME="lo", OMP_NUM_THREADS="1", MASTER_ADDR="127.0.0.1")
    e["PYTHONPATH"] = os.pathsep.join([str(HERE.parent / "src"), e.get("PYTHONPATH", "")])
    return e


@pytest.mark.slow
def test_two_processes_train_identical_models(tmp_path, detection_task):
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        "--standalone",  # torchrun picks a free port: no check-then-use race
        str(HERE / "ddp_worker.py"),
        str(tmp_path),
    ]
    done = subprocess.run(cmd, env=env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    r0, r1 = load_file(tmp_path / "rank0.safetensors"), load_file(tmp_path / "rank1.safetensors")
    assert r0.keys() == r1.keys()
    for key in r0:
        assert (r0[key] == r1[key]).all(), key  # all-reduced updates keep the ranks in step
    # the model written by rank 0 loads in a single process and detects as well
    _, test, y = detection_task
    det = load(tmp_path / "model.rcgan")
    assert roc_auc_score(y, det.anomaly_score(test)) > 0.95


@pytest.mark.slow
def test_fit_command_with_nproc(tmp_path):
    data = tmp_path / "train.csv"
    with data.open("w", newline="") as fh:
        csv.writer(fh).writerows(manifold_data(200, 0).tolist())
    model = tmp_path / "m.rcgan"
    cmd = [
        sys.executable,
        "-m",
        "rcgan",
        "fit",
        str(data),
        "--out",
        str(model),
        "--epochs",
        "2",
        "--nproc",
        "2",
    ]
    done = subprocess.run(cmd, env=env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "2 process(es)" in done.stdout
    scores = load(model).anomaly_score(manifold_data(20, 1))
    assert scores.shape == (20,) and np.all(np.isfinite(scores))
