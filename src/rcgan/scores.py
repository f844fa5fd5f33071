"""Per-sample anomaly scores from trained networks (higher = more anomalous).

- ``"discriminator"``: Eq. (11), A(x) = 1 - D_xx(x, G(E(x))). Internally the
  score is the logit -l_xx(x, G(E(x))), a strictly increasing function of A
  (A = sigmoid(-l)), so rankings are identical but the float32 sigmoid's
  saturation at 0 and 1 cannot create ties; :func:`to_paper_scale` maps it
  back to A(x).
- ``"fm_l1"`` / ``"fm_l2"``: Eq. (12), the L1 / L2 norm of
  l_xx(x, x) - l_xx(x, G(E(x))), with l_xx the last hidden layer of D_xx
  (the paper writes L2; ALAD's reference code defaults to L1).
- ``"l1"`` / ``"l2"``: plain reconstruction error |x - G(E(x))|.

Scoring always runs with the networks in eval mode (dropout off) under
``torch.inference_mode``, in chunks of exactly ``CHUNK`` rows (the last one
zero-padded), so the matrix kernels see the same shapes whatever the caller's
batching: a row's score does not depend on which other rows are scored with
it (bit-identical on the machines tested; the tests allow float32 rounding).
"""

from __future__ import annotations

import torch

from .networks import Networks

__all__ = ["CHUNK", "SCORES", "anomaly_scores", "score_batch", "to_paper_scale"]

SCORES: dict[str, str] = {
    "discriminator": "Eq. (11): 1 - D_xx(x, G(E(x)))",
    "fm_l1": "Eq. (12) with the L1 norm on D_xx's last hidden layer",
    "fm_l2": "Eq. (12) with the L2 norm on D_xx's last hidden layer",
    "l1": "L1 reconstruction error |x - G(E(x))|_1",
    "l2": "L2 reconstruction error |x - G(E(x))|_2",
}

CHUNK = 256


def score_batch(nets: Networks, x: torch.Tensor, kind: str) -> torch.Tensor:
    """Raw anomaly score of each row of ``x`` (higher = more anomalous).

    ``nets`` must already be in eval mode. For ``"discriminator"`` the raw
    score is the negative D_xx logit (see :func:`to_paper_scale`).
    """
    x_rec = nets.reconstruct(x)
    if kind == "discriminator":
        return -nets.d_xx(x, x_rec)
    if kind in ("fm_l1", "fm_l2"):
        _, f_real = nets.d_xx(x, x, return_features=True)
        _, f_rec = nets.d_xx(x, x_rec, return_features=True)
        return torch.linalg.vector_norm(f_real - f_rec, ord=1 if kind == "fm_l1" else 2, dim=1)
    if kind in ("l1", "l2"):
        return torch.linalg.vector_norm(x - x_rec, ord=1 if kind == "l1" else 2, dim=1)
    raise ValueError(f"score={kind!r} is not a known score; valid names: {sorted(SCORES)}")


def anomaly_scores(nets: Networks, x: torch.Tensor, kind: str) -> torch.Tensor:
    """:func:`score_batch` over all rows of ``x``, in eval mode and fixed chunks.

    Returns a float64 CPU tensor of shape (n,). The networks' train/eval mode
    is restored afterwards.
    """
    was_training = nets.training
    nets.eval()
    out = []
    try:
        with torch.inference_mode():
            for start in range(0, x.shape[0], CHUNK):
                chunk = x[start : start + CHUNK]
                n = chunk.shape[0]
                if n < CHUNK:
                    chunk = torch.cat((chunk, chunk.new_zeros((CHUNK - n, *chunk.shape[1:]))))
                out.append(score_batch(nets, chunk, kind)[:n].to("cpu", torch.float64))
    finally:
        nets.train(was_training)
    if not out:
        return torch.zeros(0, dtype=torch.float64)
    return torch.cat(out)


def to_paper_scale(raw: torch.Tensor, kind: str) -> torch.Tensor:
    """Map a raw score to the paper's A(x): sigmoid for Eq. (11), identity else."""
    return torch.sigmoid(raw) if kind == "discriminator" else raw
