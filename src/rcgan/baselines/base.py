"""One training loop and one scoring path for the deep baselines.

A baseline subclasses :class:`TorchDetector` and supplies

- ``_build(n_features) -> nn.Module`` (initialised under the private RNG);
- ``_objectives() -> list[(parameters, loss_fn)]``: the players updated in
  turn on every minibatch (one for an autoencoder or Deep SVDD, two for a
  GAN); ``loss_fn(x, generator)`` only computes a loss;
- ``_score(x) -> Tensor``: per-row anomaly scores (higher = more anomalous);
- optionally ``_before_training(x)`` / ``_after_training(x)`` (Deep SVDD's
  centre, DAGMM's mixture parameters);
- ``_params``: its parameter declarations (see :mod:`rcgan.base`, which
  also holds the sign methods shared with RCGAN).

The fit skeleton and the model files are :class:`rcgan.base.Detector`'s;
every gradient step goes through :func:`rcgan.training.descend` (here, in
the RCGAN/ALAD loop and in AnoGAN's latent search, which steps only its
latent codes). Fitted tensors outside the network (Deep SVDD's centre,
DAGMM's mixture) are declared by ``_fitted_tensor_shapes`` and saved too.
Scores are computed in eval mode, in zero-padded chunks of a fixed size,
so that a row's score does not depend on the rows scored with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ..base import Detector, Param, common_params, real
from ..training import descend
from ..utils import ThreadLimit, private_rng

__all__ = ["TorchDetector", "baseline_params"]

Objective = tuple[list[nn.Parameter], Callable[[torch.Tensor, torch.Generator], torch.Tensor]]


def baseline_params(
    *,
    epochs: int = 100,
    batch_size: int,
    learning_rate: float,
    weight_decay: float,
    scaler: str | None = "standard",
    **own: Param,
) -> dict[str, Param]:
    """A baseline's declarations: its own parameters, then the common ones."""
    common = common_params(
        epochs=epochs, batch_size=batch_size, learning_rate=learning_rate, scaler=scaler
    )
    return {**own, **common, "weight_decay": Param(weight_decay, real(0.0, low_open=False))}


def store_params(obj: TorchDetector, values: dict[str, Any]) -> None:
    """Store the constructor arguments as given (scikit-learn's contract)."""
    for name in obj._params:
        setattr(obj, name, values[name])


class TorchDetector(Detector):
    """Shared fit/score machinery of the baselines (see the module docstring).

    Common parameters: ``epochs``, ``batch_size``, ``learning_rate``,
    ``weight_decay``, ``scaler``, ``contamination``, ``random_state``,
    ``device``, ``n_jobs``, ``verbose``; subclasses add their own.
    """

    _score_needs_grad = False
    _chunk = 512

    # ------------------------------------------------------------- hooks
    def _build(self, n_features: int) -> nn.Module:
        raise NotImplementedError

    def _objectives(self) -> list[Objective]:
        raise NotImplementedError

    def _score(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _before_training(self, x: torch.Tensor) -> None:
        """Called once before the first epoch (model built, in train mode)."""

    def _after_training(self, x: torch.Tensor) -> None:
        """Called once after the last epoch (model in eval mode)."""

    def _image_shape(self) -> tuple[int, int, int] | None:
        """Image layout of the rows (None: tables)."""
        return None

    def _tensor(self, X: np.ndarray) -> torch.Tensor:
        return self.preprocessor_.to_tensor(X, self.device)

    def _training_rows(self, X):
        return X, self._image_shape()

    def _fit_networks(self, x: torch.Tensor, seed: int, device: torch.device) -> None:
        with private_rng(device, seed):
            self.model_ = self._build(self.n_features_in_).to(device)
            self.model_.train()
            generator = torch.Generator(device=device).manual_seed(seed)
            self._before_training(x)
            self.history_ = self._train(x, generator)
            self.model_.eval()
            self._after_training(x)

    def _tensor_scores(self, x: torch.Tensor) -> np.ndarray:
        return self._scores(x)

    # ---------------------------------------------------------- model files
    def _network_description(self) -> dict[str, Any]:
        return {"n_features": int(self.n_features_in_)}

    def _build_from(self, description: dict[str, Any], fitted: dict[str, Any]) -> nn.Module:
        if description != {"n_features": fitted["n_features_in_"]}:
            raise ValueError(f"network description {description!r} does not match the data")
        return self._build(fitted["n_features_in_"])

    def _train(self, x: torch.Tensor, generator: torch.Generator) -> dict[str, list[float]]:
        objectives = self._objectives()
        optimizers = [
            torch.optim.Adam(params, lr=self.learning_rate, weight_decay=self.weight_decay)
            for params, _ in objectives
        ]
        n = x.shape[0]
        batch = max(1, min(self.batch_size, n))
        names = ["loss"] if len(objectives) == 1 else [f"loss_{k}" for k in range(len(objectives))]
        history: dict[str, list[float]] = {name: [] for name in names}
        epochs = range(self.epochs)
        if self.verbose:
            from tqdm.auto import tqdm

            epochs = tqdm(epochs, desc=type(self).__name__, unit="epoch")
        for _ in epochs:
            perm = torch.randperm(n, generator=generator, device=x.device)
            totals = [0.0] * len(objectives)
            steps = 0
            for start in range(0, n, batch):
                xb = x[perm[start : start + batch]]
                for k, ((params, loss_fn), opt) in enumerate(
                    zip(objectives, optimizers, strict=True)
                ):
                    loss = loss_fn(xb, generator)
                    descend(opt, loss, params)
                    totals[k] += float(loss.detach())
                steps += 1
            for name, total in zip(names, totals, strict=True):
                history[name].append(total / max(steps, 1))
        return history

    # ------------------------------------------------------------ scoring
    def _scores(self, x: torch.Tensor) -> np.ndarray:
        self.model_.eval()
        out = []
        context = torch.enable_grad if self._score_needs_grad else torch.no_grad
        with context():
            for start in range(0, x.shape[0], self._chunk):
                chunk = x[start : start + self._chunk]
                n = chunk.shape[0]
                if n < self._chunk:  # fixed shapes: a row's score ignores its neighbours
                    chunk = torch.cat((chunk, chunk.new_zeros((self._chunk - n, *chunk.shape[1:]))))
                out.append(self._score(chunk)[:n].detach())
        if not out:
            return np.zeros(0)
        return torch.cat(out).to("cpu", torch.float64).numpy()

    def _raw_scores(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = self._check_X(X)
        with ThreadLimit(self.n_jobs):
            return self._scores(self._tensor(X))


def mlp(
    sizes: list[int],
    activation: Callable[[], nn.Module],
    bias: bool = True,
    last_activation: bool = False,
) -> nn.Sequential:
    """Linear layers of the given sizes with ``activation`` between them."""
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1], bias=bias))
        if i < len(sizes) - 2 or last_activation:
            layers.append(activation())
    return nn.Sequential(*layers)
