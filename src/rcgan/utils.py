"""Small helpers shared by the package: private RNG, thread limits, seeds, atomic files."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import numpy as np
import torch

__all__ = ["ThreadLimit", "atomic_path", "private_rng", "seed_from"]


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed over it when the block succeeds.

    Write the whole file to the yielded path; it replaces ``path`` only when
    the block ends without an exception (KeyboardInterrupt included), and is
    removed otherwise, so ``path`` is never left half-written. Model files,
    score outputs, ONNX exports and rewritten result files go through it.
    """
    target = Path(path)
    folder = target.resolve().parent
    if not folder.is_dir():
        raise ValueError(f"{path}: the folder {folder} does not exist")
    if target.is_dir():
        raise ValueError(f"{path} is a folder: give the path of a file to write")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # the permissions of a plainly created file
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


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
