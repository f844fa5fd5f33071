"""Multi-process (DDP) training set-up: launching workers and the process group.

:func:`launch` re-runs a command line under ``torchrun`` with ``nproc``
local processes (rendezvous on a free port unless one is given), and
:func:`process_group` joins the group that ``torchrun`` describes in the
environment for the duration of a block. The training loop itself
(:mod:`rcgan.training`) shards the data and wraps the players in
``DistributedDataParallel`` whenever a group is initialised.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

__all__ = ["launch", "process_group", "rank"]


def launch(nproc: int, argv: Sequence[str], port: int = 0) -> None:
    """Run ``python -m rcgan *argv`` in ``nproc`` local processes under torchrun.

    ``port=0`` lets torchrun pick a free rendezvous port itself (no
    check-then-use race); another value fixes it.
    """
    from torch.distributed.run import main as torchrun

    rendezvous = (
        ["--standalone"] if port == 0 else ["--master_addr=127.0.0.1", f"--master_port={port}"]
    )
    torchrun([f"--nproc_per_node={nproc}", *rendezvous, "-m", "rcgan", *argv])


@contextmanager
def process_group(device: str = "cpu") -> Iterator[bool]:
    """Join the torchrun process group for a block (yields whether one was started).

    Outside torchrun (``WORLD_SIZE`` unset or 1), or when a group already
    exists, nothing is done. On leaving, every rank meets at a barrier before
    the group is destroyed: a rank tearing gloo down while rank 0 still
    writes can abort the run.
    """
    import torch
    import torch.distributed as dist

    started = False
    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and not dist.is_initialized():
        backend = "nccl" if device.startswith("cuda") and torch.cuda.is_available() else "gloo"
        if backend == "nccl":
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        dist.init_process_group(backend=backend)
        started = True
    try:
        yield started
        if started:
            dist.barrier()
    finally:
        if started:
            dist.destroy_process_group()


def rank() -> tuple[int, int]:
    """(rank, world size) of an initialised process group, else (0, 1)."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1
