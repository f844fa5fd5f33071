"""One training loop and one scoring path for the deep baselines.

A baseline subclasses :class:`TorchDetector` and supplies

- ``_build(n_features) -> nn.Module`` (initialised under the private RNG);
- ``_objectives() -> list[(parameters, loss_fn)]``: the players updated in
  turn on every minibatch (one for an autoencoder or Deep SVDD, two for a
  GAN); ``loss_fn(x, generator)`` only computes a loss;
- ``_score(x) -> Tensor``: per-row anomaly scores (higher = more anomalous);
- optionally ``_before_training(x)`` / ``_after_training(x)`` (Deep SVDD's
  centre, DAGMM's mixture parameters).

The loop here is the only place that calls ``zero_grad``, ``backward`` and
``step``. Scores are computed in eval mode, in zero-padded chunks of a
fixed size, so that a row's score does not depend on the rows scored with
it.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np
import torch
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.utils.validation import check_is_fitted, validate_data
from torch import nn

from ..utils import SCALERS, ThreadLimit, check_int, fit_scaler, private_rng, seed_from

__all__ = ["TorchDetector"]

Objective = tuple[list[nn.Parameter], Callable[[torch.Tensor, torch.Generator], torch.Tensor]]


class TorchDetector(OutlierMixin, BaseEstimator):
    """Shared fit/score machinery (see the module docstring).

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

    def _validate_extra(self) -> None:
        """Subclass parameter checks."""

    def _scaler_kind(self) -> str | None:
        """Scaling fitted on the training rows (the ``scaler`` parameter)."""
        return self.scaler

    # ---------------------------------------------------------------- fit
    def _validate_common(self) -> None:
        check_int("epochs", self.epochs, 0)
        check_int("batch_size", self.batch_size, 1)
        for name in ("learning_rate",):
            v = getattr(self, name)
            if not (isinstance(v, numbers.Real) and 0 < v < np.inf):
                raise ValueError(f"{name} must be a positive number, got {v!r}")
        if not (isinstance(self.weight_decay, numbers.Real) and self.weight_decay >= 0):
            raise ValueError(f"weight_decay must be >= 0, got {self.weight_decay!r}")
        if self.scaler not in SCALERS:
            raise ValueError(f"scaler must be one of {SCALERS}, got {self.scaler!r}")
        c = self.contamination
        if not (isinstance(c, numbers.Real) and 0 < c <= 0.5):
            raise ValueError(f"contamination must be in (0, 0.5], got {c!r}")
        self._validate_extra()

    def _tensor(self, X: np.ndarray) -> torch.Tensor:
        xs = (np.asarray(X, dtype=np.float64) - self.center_) / self.scale_
        return torch.as_tensor(xs, dtype=torch.float32, device=self.device)

    def fit(self, X, y=None):
        """Train on ``X`` (normal data). ``y`` is ignored."""
        self._validate_common()
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        seed = seed_from(self.random_state)
        self.center_, self.scale_ = fit_scaler(X, self._scaler_kind())
        device = torch.device(self.device)
        with ThreadLimit(self.n_jobs):
            x = self._tensor(X)
            with private_rng(device, seed):
                self.model_ = self._build(X.shape[1]).to(device)
                self.model_.train()
                generator = torch.Generator(device=device).manual_seed(seed)
                self._before_training(x)
                self.history_ = self._train(x, generator)
                self.model_.eval()
                self._after_training(x)
            train_scores = self._scores(x)
        self.offset_ = float(np.percentile(-train_scores, 100.0 * self.contamination))
        return self

    def _train(self, x: torch.Tensor, generator: torch.Generator) -> list[list[float]]:
        objectives = self._objectives()
        optimizers = [
            torch.optim.Adam(params, lr=self.learning_rate, weight_decay=self.weight_decay)
            for params, _ in objectives
        ]
        n = x.shape[0]
        batch = max(1, min(self.batch_size, n))
        history: list[list[float]] = []
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
                    opt.zero_grad(set_to_none=True)
                    loss.backward(inputs=params)
                    opt.step()
                    totals[k] += float(loss.detach())
                steps += 1
            history.append([t / max(steps, 1) for t in totals])
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

    def anomaly_score(self, X) -> np.ndarray:
        """Per-row anomaly score, higher = more anomalous."""
        check_is_fitted(self, "model_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        with ThreadLimit(self.n_jobs):
            return self._scores(self._tensor(X))

    def score_samples(self, X) -> np.ndarray:
        """Normality score (higher = more normal): ``-anomaly_score``."""
        return -self.anomaly_score(X)

    def decision_function(self, X) -> np.ndarray:
        """``score_samples(X) - offset_``; negative = outlier."""
        return self.score_samples(X) - self.offset_

    def predict(self, X) -> np.ndarray:
        """-1 for outliers, +1 for inliers."""
        return np.where(self.decision_function(X) < 0, -1, 1)


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
