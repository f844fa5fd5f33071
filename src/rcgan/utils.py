"""Small helpers shared by the detectors: private RNG, thread limits, seeds."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

__all__ = ["ThreadLimit", "private_rng", "seed_from"]


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


def seed_from(random_state) -> int:
    """A 31-bit seed from a ``random_state`` parameter.

    None draws fresh entropy from the operating system (NumPy's global
    state is not used); an int or ``RandomState`` follows scikit-learn.
    """
    if random_state is None:
        return int(np.random.default_rng().integers(np.iinfo(np.int32).max))
    from sklearn.utils import check_random_state

    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
