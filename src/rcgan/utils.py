"""Small helpers shared by the estimators and the baselines."""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

__all__ = [
    "SCALERS",
    "ThreadLimit",
    "check_int",
    "check_widths",
    "crop_images",
    "fit_scaler",
    "pad_images",
    "private_rng",
    "seed_from",
]

SCALERS = ("standard", "minmax", "unit", "image", None)


@contextmanager
def private_rng(device: torch.device, seed: int) -> Iterator[None]:
    """Seed torch's generator(s) for ``device`` inside, restore them after.

    Only the CPU generator and, for a CUDA device, that device's generator
    are forked and seeded (``torch.manual_seed`` would reseed every device).
    """
    devices = []
    if device.type == "cuda":
        devices = [device.index if device.index is not None else torch.cuda.current_device()]
    with torch.random.fork_rng(devices=devices, device_type="cuda"):
        torch.default_generator.manual_seed(seed)
        if devices:
            with torch.cuda.device(devices[0]):
                torch.cuda.manual_seed(seed)
        yield


class ThreadLimit:
    """Set torch's intra-op thread count for a block, then restore it."""

    def __init__(self, n_jobs: int | None) -> None:
        self.n_jobs = n_jobs
        self.previous = torch.get_num_threads()

    def __enter__(self) -> None:
        if self.n_jobs is not None:
            n = (os.cpu_count() or 1) if self.n_jobs == -1 else int(self.n_jobs)
            torch.set_num_threads(n)

    def __exit__(self, *exc: object) -> None:
        torch.set_num_threads(self.previous)


def check_int(name: str, value: object, low: int) -> None:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


def check_widths(name: str, value: object) -> None:
    ok = isinstance(value, (tuple, list)) and all(
        isinstance(w, numbers.Integral) and not isinstance(w, bool) and w >= 1 for w in value
    )
    if not ok:
        raise ValueError(f"{name} must be a tuple of positive integers, got {value!r}")


def fit_scaler(X: np.ndarray, kind: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature ``(center, scale)`` so that ``(X - center) / scale`` is scaled.

    ``"standard"``: mean and standard deviation; ``"minmax"``: the training
    range mapped to [-1, 1]; ``"unit"``: the training range mapped to [0, 1];
    ``"image"``: one range for all features (pixels)
    mapped to [-1, 1]; ``None``: identity. Constant features get scale 1.
    """
    n_features = X.shape[1]
    if kind == "standard":
        center, scale = X.mean(axis=0), X.std(axis=0)
    elif kind == "minmax":
        lo, hi = X.min(axis=0), X.max(axis=0)
        center, scale = (hi + lo) / 2.0, (hi - lo) / 2.0
    elif kind == "unit":
        lo, hi = X.min(axis=0), X.max(axis=0)
        center, scale = lo, hi - lo
    elif kind == "image":
        lo, hi = float(X.min()), float(X.max())
        center, scale = np.full(n_features, (hi + lo) / 2.0), np.full(n_features, (hi - lo) / 2.0)
    elif kind is None:
        center, scale = np.zeros(n_features), np.ones(n_features)
    else:
        raise ValueError(f"scaler must be one of {SCALERS}, got {kind!r}")
    scale = np.where(np.isfinite(scale) & (scale > 1e-12), scale, 1.0)
    return np.asarray(center, dtype=np.float64), np.asarray(scale, dtype=np.float64)


def seed_from(random_state) -> int:
    """A 31-bit seed from a ``random_state`` parameter.

    None draws fresh entropy from the operating system (NumPy's global
    state is not used); an int or ``RandomState`` follows scikit-learn.
    """
    if random_state is None:
        return int(np.random.default_rng().integers(np.iinfo(np.int32).max))
    from sklearn.utils import check_random_state

    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def pad_images(x: torch.Tensor, shape: tuple[int, int, int]) -> torch.Tensor:
    """Scaled flat rows -> (n, C, 32, 32) images; 28 x 28 padded with -1."""
    c, h, w = shape
    x = x.reshape(-1, c, h, w)
    pad = (32 - h) // 2
    return torch.nn.functional.pad(x, (pad, pad, pad, pad), value=-1.0) if pad else x


def crop_images(x: torch.Tensor, shape: tuple[int, int, int]) -> torch.Tensor:
    """Undo :func:`pad_images`: (n, C, 32, 32) -> (n, C, H, W)."""
    pad = (32 - shape[1]) // 2
    return x[:, :, pad:-pad, pad:-pad] if pad else x
