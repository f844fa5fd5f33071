"""Run under torchrun by tests/test_distributed.py: fit on a synthetic set
and write this rank's parameters and test scores (not collected as a test)."""

import sys
from pathlib import Path

import numpy as np
import torch.distributed as dist
from safetensors.torch import save_file

from rcgan import RCGAN

out = Path(sys.argv[1])
dist.init_process_group("gloo")
rank = dist.get_rank()
rng = np.random.default_rng(0)
basis = np.random.default_rng(123).normal(size=(2, 8))
train = rng.normal(size=(1000, 2)) @ basis + 0.05 * rng.normal(size=(1000, 8))
det = RCGAN(epochs=30, learning_rate=1e-3, random_state=0).fit(train)
state = {k: v.detach().contiguous() for k, v in det.networks_.state_dict().items()}
save_file(state, str(out / f"rank{rank}.safetensors"))
if rank == 0:
    det.save(out / "model.rcgan")
dist.barrier()  # leave together (see rcgan.cli._fit)
dist.destroy_process_group()
