"""Shared tiny configurations and data for the test suite (CPU only)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

# Small widths keep the sklearn common checks fast.
TINY = dict(
    latent_dim=4,
    encoder_hidden=(16,),
    generator_hidden=(16,),
    disc_hidden=16,
    disc_xx_hidden=(16,),
    disc_zz_hidden=(8,),
    batch_size=32,
    epochs=2,
)


@pytest.fixture(autouse=True)
def _one_thread():
    """Tests run single-threaded, like the estimators' default n_jobs=1."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def manifold_data(n: int, seed: int, dim: int = 8) -> np.ndarray:
    """Normal data near a 2-D linear subspace of R^dim (fixed across seeds)."""
    rng = np.random.default_rng(seed)
    basis = np.random.default_rng(123).normal(size=(2, dim))
    return rng.normal(size=(n, 2)) @ basis + 0.05 * rng.normal(size=(n, dim))


@pytest.fixture(scope="session")
def detection_task():
    """(train, test, y_test): manifold normals vs. isotropic N(0, 4I) anomalies."""
    train = manifold_data(1000, 0)
    normal = manifold_data(300, 1)
    anomalies = 2.0 * np.random.default_rng(2).normal(size=(300, 8))
    test = np.vstack((normal, anomalies))
    y = np.r_[np.zeros(len(normal)), np.ones(len(anomalies))]
    return train, test, y


@pytest.fixture(scope="session")
def saved_model(tmp_path_factory):
    """(detector, path of its saved file): a default RCGAN fitted on manifold data."""
    from rcgan import RCGAN

    path = tmp_path_factory.mktemp("m") / "model.rcgan"
    det = RCGAN(random_state=0, epochs=3).fit(manifold_data(300, 0))
    det.save(path)
    return det, path


def shared_data_dir() -> Path | None:
    """The benchmark data folder for the real-data tests, or None to skip them.

    ``RCGAN_TEST_DATA`` names it explicitly (``.ci/run`` sets it): then a
    missing folder is an error, so that real-data coverage cannot vanish
    unnoticed. Without it, ``../shared/data`` beside the checkout is used
    when present.
    """
    explicit = os.environ.get("RCGAN_TEST_DATA")
    if explicit:
        folder = Path(explicit)
        if not folder.is_dir():
            raise RuntimeError(f"RCGAN_TEST_DATA={explicit!r} is not a folder")
        return folder
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    return default if default.is_dir() else None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The benchmark data folder (see :func:`shared_data_dir`); skips if absent."""
    folder = shared_data_dir()
    if folder is None:
        pytest.skip("benchmark data folder not present (set RCGAN_TEST_DATA to require it)")
    return folder
