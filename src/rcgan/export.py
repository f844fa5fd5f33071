"""Export the scoring graph of a fitted RCGAN / ALAD to ONNX.

The exported graph takes raw rows, float32 of shape (n, n_features) (images
flattened), and computes, inside the graph: the fitted scaling, the image
reshape and padding when the model is convolutional, E, G, D_xx and the
estimator's score. Outputs:

- ``anomaly_score``: the paper's A(x), as ``RCGAN.anomaly_score``;
- ``score_samples``: higher = more normal, as ``RCGAN.score_samples``.

The networks run in eval mode (no dropout, batch norm with running
statistics), so every output row depends only on its input row.
Requires the ``onnx`` extra (``pip install "rcgan[onnx]"``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch
from torch import nn

from .networks import Networks
from .scores import score_batch, to_paper_scale
from .utils import atomic_path

__all__ = ["ScoringGraph", "export_onnx", "plain_copy"]


def plain_copy(nets: Networks) -> Networks:
    """A copy of ``nets`` without spectral-norm parametrisations.

    Each normalised layer gets, as a plain tensor, the eval-mode weight that
    the original computes (W / sigma with its stored singular vectors); the
    training range of the range score comes along.
    """
    source = nets.eval()
    with torch.random.fork_rng(devices=[]):  # the throwaway initialisation stays private
        plain = Networks(dataclasses.replace(nets.config, spectral_norm=False))
    modules = dict(source.named_modules())
    state = {}
    with torch.no_grad():
        for key in plain.state_dict():
            owner, _, attr = key.rpartition(".")
            state[key] = getattr(modules[owner], attr).detach().clone()
    plain.load_state_dict(state)
    plain.feature_low, plain.feature_high = source.feature_low, source.feature_high  # not in state
    return plain.to(next(nets.parameters()).device).eval()


class ScoringGraph(nn.Module):
    """Raw rows -> (anomaly_score, score_samples), all in one module."""

    def __init__(self, estimator) -> None:
        super().__init__()
        self.nets = plain_copy(estimator.networks_)
        self.kind = estimator.scoring
        self.stats = dict(estimator.score_stats_)
        self.preprocess = estimator.preprocessor_.module()

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        raw = score_batch(self.nets, self.preprocess(x), self.kind, self.stats)
        return to_paper_scale(raw, self.kind), -raw


def export_onnx(estimator, path: str | Path, opset: int = 17) -> Path:
    """Write the fitted ``estimator``'s scoring graph to ``path`` (ONNX).

    Returns the path. The batch dimension is dynamic.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator, "networks_")
    graph = ScoringGraph(estimator).eval()
    example = torch.zeros(2, estimator.n_features_in_, dtype=torch.float32)
    path = Path(path)
    with atomic_path(path) as tmp:  # renamed over ``path`` once complete
        _export(graph, example, tmp, opset)
    return path


def _export(graph: torch.nn.Module, example: torch.Tensor, path: Path, opset: int) -> None:
    with torch.no_grad():
        torch.onnx.export(
            graph,
            (example,),
            str(path),
            input_names=["X"],
            output_names=["anomaly_score", "score_samples"],
            dynamic_axes={"X": {0: "n"}, "anomaly_score": {0: "n"}, "score_samples": {0: "n"}},
            opset_version=opset,
            dynamo=False,
        )
