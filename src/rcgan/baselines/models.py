"""The deep baselines of Tables 1 and 2, written on :class:`TorchDetector`.

Each follows its paper; the sizes are those used for the tabular benchmarks
by the ALAD and DAGMM code bases unless stated. All train on standardised
features with Adam.

- :class:`DeepSVDD`: Ruff et al. 2018, one-class objective: a bias-free
  network phi, centre c = mean of phi over the training data from an initial
  pass (coordinates closer than 0.1 to 0 pushed to +-0.1), loss and score
  ||phi(x) - c||^2.
- :class:`DAGMM`: Zong et al. 2018: compression autoencoder, features
  [z_c, relative Euclidean error, cosine similarity], estimation network
  giving mixture memberships, loss = reconstruction + lambda_1 energy +
  lambda_2 sum of 1/diag(Sigma); score = sample energy under the mixture
  fitted on the training data.
- :class:`DSEBM`: Zhai et al. 2016: energy
  E(x) = 0.5 ||x - b||^2 - sum softplus(f(x)), trained by denoising score
  matching (x~ = x + sigma eps, reconstruction x~ - grad E(x~)); scores: the
  energy (DSEBM-e) or the reconstruction error ||x - (x - grad E(x))||^2
  (DSEBM-r).
- :class:`AnoGAN`: Schlegl et al. 2017 (ADGAN): a GAN on normal data; each
  test row is mapped back to the latent space by gradient descent on
  (1 - lambda) |x - G(z)|_1 + lambda |f_D(x) - f_D(G(z))|_1 (lambda = 0.1),
  all rows of a chunk at once (the per-row losses are summed, so each row's
  latent code gets its own gradient); the final loss is the score. The
  search starts from z = 0 for every row, so a row's score does not depend
  on its chunk.
- :class:`AutoEncoder`: DCAE's tabular counterpart, an MLP autoencoder with
  the L2 reconstruction error as the score.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..base import Param, integer, one_of, real, widths
from ..networks import ConvEncoder, ConvGenerator, NetworkConfig
from ..preprocessing import IMAGE_SIZES, network_image_shape
from ..training import descend
from .base import TorchDetector, baseline_params, mlp, store_params

__all__ = ["DAGMM", "DSEBM", "AnoGAN", "AutoEncoder", "DeepSVDD"]


def _image_shape(name: str, value) -> None:
    if value is None:
        return
    ok = isinstance(value, (tuple, list)) and len(value) == 3
    if not ok or tuple(value[1:]) not in IMAGE_SIZES:
        raise ValueError(f"{name} must be (C, 28|32, 28|32) or None, got {value!r}")
    integer(1)(name, value[0])


class DeepSVDD(TorchDetector):
    """Deep Support Vector Data Description (one-class), Ruff et al. 2018.

    Parameters
    ----------
    hidden : tuple of int, default=(64, 32)
        Widths of the bias-free network; the last is the representation.
    Other parameters: see :class:`rcgan.baselines.base.TorchDetector`.
    """

    _params = baseline_params(
        batch_size=128,
        learning_rate=1e-4,
        weight_decay=1e-6,
        hidden=Param((64, 32), widths(1)),
    )

    def __init__(
        self,
        *,
        hidden=(64, 32),
        epochs=100,
        batch_size=128,
        learning_rate=1e-4,
        weight_decay=1e-6,
        scaler="standard",
        contamination=0.1,
        random_state=None,
        device="cpu",
        n_jobs=1,
        verbose=False,
        impute=None,
    ):
        store_params(self, locals())

    def _build(self, n_features: int) -> nn.Module:
        # no biases and no bounded activations: they allow the trivial
        # collapse phi = c (Ruff et al., Section 3.3)
        return mlp([n_features, *self.hidden], lambda: nn.LeakyReLU(0.1), bias=False)

    def _fitted_tensor_shapes(self, n_features: int) -> dict[str, tuple[int, ...]]:
        return {"c_": (int(self.hidden[-1]),)}

    def _before_training(self, x: torch.Tensor) -> None:
        with torch.no_grad():
            c = self.model_(x).mean(0)
        eps = 0.1
        c[(c.abs() < eps) & (c < 0)] = -eps
        c[(c.abs() < eps) & (c >= 0)] = eps
        self.c_ = c

    def _objectives(self):
        def loss(x, generator):
            return ((self.model_(x) - self.c_) ** 2).sum(1).mean()

        return [(list(self.model_.parameters()), loss)]

    def _score(self, x):
        return ((self.model_(x) - self.c_) ** 2).sum(1)


class _DAGMMNet(nn.Module):
    def __init__(
        self,
        n_features: int,
        hidden: tuple[int, ...],
        latent: int,
        est_hidden: int,
        n_gmm: int,
        dropout: float,
    ) -> None:
        super().__init__()
        self.encoder = mlp([n_features, *hidden, latent], nn.Tanh)
        self.decoder = mlp([latent, *reversed(hidden), n_features], nn.Tanh)
        self.estimator = nn.Sequential(
            nn.Linear(latent + 2, est_hidden),
            nn.Tanh(),
            nn.Dropout(dropout),
            nn.Linear(est_hidden, n_gmm),
        )

    def forward(self, x):
        zc = self.encoder(x)
        rec = self.decoder(zc)
        rel = (x - rec).norm(dim=1) / x.norm(dim=1).clamp_min(1e-12)
        cos = F.cosine_similarity(x, rec, dim=1)
        z = torch.cat((zc, rel[:, None], cos[:, None]), dim=1)
        gamma = torch.softmax(self.estimator(z), dim=1)
        return rec, z, gamma


def _gmm_parameters(z, gamma):
    """Mixture weights, means and covariances from memberships (DAGMM Eq. 5)."""
    n_k = gamma.sum(0)  # (K,)
    phi = n_k / gamma.shape[0]
    mu = (gamma.t() @ z) / n_k[:, None]  # (K, D)
    diff = z[None, :, :] - mu[:, None, :]  # (K, N, D)
    cov = torch.einsum("kn,kni,knj->kij", gamma.t(), diff, diff) / n_k[:, None, None]
    return phi, mu, cov


def _energy(z, phi, mu, cov, eps: float = 1e-6):
    """Sample energy -log sum_k phi_k N(z | mu_k, cov_k), via Cholesky (DAGMM Eq. 6)."""
    d = z.shape[1]
    eye = torch.eye(d, device=z.device, dtype=z.dtype)
    # a component whose memberships collapse onto a line has a singular
    # covariance: raise the diagonal jitter tenfold until Cholesky succeeds
    # (unchanged result whenever eps is enough)
    for _ in range(8):
        chol, info = torch.linalg.cholesky_ex(cov + eps * eye)  # (K, D, D)
        if not bool(info.any()):
            break
        eps *= 10.0
    else:
        raise ValueError("DAGMM: mixture covariance is not positive definite even with jitter")
    diff = (z[None, :, :] - mu[:, None, :]).transpose(1, 2)  # (K, D, N)
    sol = torch.linalg.solve_triangular(chol, diff, upper=False)  # (K, D, N)
    maha = (sol**2).sum(1)  # (K, N)
    log_det = 2 * torch.log(torch.diagonal(chol, dim1=1, dim2=2)).sum(1)  # (K,)
    log_prob = -0.5 * (maha + log_det[:, None] + d * math.log(2 * math.pi))
    return -torch.logsumexp(torch.log(phi.clamp_min(1e-12))[:, None] + log_prob, dim=0)


class DAGMM(TorchDetector):
    """Deep Autoencoding Gaussian Mixture Model, Zong et al. 2018.

    Parameters
    ----------
    hidden : tuple of int, default=(60, 30, 10)
        Compression network widths (mirrored in the decoder), tanh.
    latent_dim : int, default=1
    est_hidden : int, default=10
        Width of the estimation network.
    n_gmm : int, default=4
        Mixture components K.
    lambda_energy, lambda_cov : float, default=0.1, 0.005
    dropout : float, default=0.5
    scaler : {"unit", "standard", "minmax", "image"} or None, default="unit"
        The training range mapped to [0, 1], unlike the other detectors (and
        as DAGMM's public implementations do): the estimation network's input
        holds the relative reconstruction error ||x - x'|| / ||x||, which
        explodes for rows near the origin. Standardisation puts the mean row
        there, [-1, 1] scaling the mid-range row; [0, 1] only the row at the
        minimum of every feature (measured on Thyroid, 3 seeds: top-k F1 0.0
        with standard scaling).
    """

    _params = baseline_params(
        batch_size=1024,
        learning_rate=1e-4,
        weight_decay=0.0,
        scaler="unit",
        hidden=Param((60, 30, 10), widths()),
        latent_dim=Param(1, integer(1)),
        est_hidden=Param(10, integer(1)),
        n_gmm=Param(4, integer(1)),
        lambda_energy=Param(0.1, real(0.0, low_open=False)),
        lambda_cov=Param(0.005, real(0.0, low_open=False)),
        dropout=Param(0.5, real(0.0, 1.0, low_open=False)),
    )

    def __init__(
        self,
        *,
        hidden=(60, 30, 10),
        latent_dim=1,
        est_hidden=10,
        n_gmm=4,
        lambda_energy=0.1,
        lambda_cov=0.005,
        dropout=0.5,
        epochs=100,
        batch_size=1024,
        learning_rate=1e-4,
        weight_decay=0.0,
        scaler="unit",
        contamination=0.1,
        random_state=None,
        device="cpu",
        n_jobs=1,
        verbose=False,
        impute=None,
    ):
        store_params(self, locals())

    def _build(self, n_features: int) -> nn.Module:
        return _DAGMMNet(
            n_features,
            tuple(self.hidden),
            self.latent_dim,
            self.est_hidden,
            self.n_gmm,
            self.dropout,
        )

    def _objectives(self):
        def loss(x, generator):
            rec, z, gamma = self.model_(x)
            phi, mu, cov = _gmm_parameters(z, gamma)
            energy = _energy(z, phi, mu, cov).mean()
            cov_penalty = (1.0 / torch.diagonal(cov, dim1=1, dim2=2).clamp_min(1e-12)).sum()
            recon = ((x - rec) ** 2).sum(1).mean()
            return recon + self.lambda_energy * energy + self.lambda_cov * cov_penalty

        return [(list(self.model_.parameters()), loss)]

    def _fitted_tensor_shapes(self, n_features: int) -> dict[str, tuple[int, ...]]:
        k, d = int(self.n_gmm), int(self.latent_dim) + 2  # code + two error features
        return {"phi_": (k,), "mu_": (k, d), "cov_": (k, d, d)}

    def _after_training(self, x: torch.Tensor) -> None:
        with torch.no_grad():
            gammas, zs = [], []
            for start in range(0, x.shape[0], 4096):
                _, z, gamma = self.model_(x[start : start + 4096])
                zs.append(z)
                gammas.append(gamma)
            self.phi_, self.mu_, self.cov_ = _gmm_parameters(torch.cat(zs), torch.cat(gammas))

    def _score(self, x):
        _, z, _ = self.model_(x)
        return _energy(z, self.phi_, self.mu_, self.cov_)


class _EnergyNet(nn.Module):
    def __init__(self, n_features: int, hidden: tuple[int, ...]) -> None:
        super().__init__()
        self.f = mlp([n_features, *hidden], nn.Softplus)
        self.b = nn.Parameter(torch.zeros(n_features))

    def forward(self, x):  # energy E(x), shape (N,)
        return 0.5 * ((x - self.b) ** 2).sum(1) - F.softplus(self.f(x)).sum(1)


class DSEBM(TorchDetector):
    """Deep Structured Energy-Based Model, Zhai et al. 2016.

    Parameters
    ----------
    hidden : tuple of int, default=(128, 512)
        Widths of f (softplus), as the ALAD code's KDD network.
    noise_std : float, default=0.5
        sigma of the denoising score matching noise (standardised data).
    kind : {"energy", "reconstruction"}, default="energy"
        The score: DSEBM-e or DSEBM-r.
    """

    _score_needs_grad = True

    _params = baseline_params(
        batch_size=128,
        learning_rate=1e-4,
        weight_decay=0.0,
        hidden=Param((128, 512), widths()),
        noise_std=Param(0.5, real(0.0)),
        kind=Param("energy", one_of("energy", "reconstruction")),
    )

    def __init__(
        self,
        *,
        hidden=(128, 512),
        noise_std=0.5,
        kind="energy",
        epochs=100,
        batch_size=128,
        learning_rate=1e-4,
        weight_decay=0.0,
        scaler="standard",
        contamination=0.1,
        random_state=None,
        device="cpu",
        n_jobs=1,
        verbose=False,
        impute=None,
    ):
        store_params(self, locals())

    def _build(self, n_features: int) -> nn.Module:
        return _EnergyNet(n_features, tuple(self.hidden))

    def _grad_energy(self, x, create_graph: bool):
        x = x.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(self.model_(x).sum(), x, create_graph=create_graph)
        return grad

    def _objectives(self):
        def loss(x, generator):
            noisy = x + self.noise_std * torch.randn(x.shape, generator=generator, device=x.device)
            rec = noisy - self._grad_energy(noisy, create_graph=True)
            return ((x - rec) ** 2).sum(1).mean()

        return [(list(self.model_.parameters()), loss)]

    def _score(self, x):
        if self.kind == "energy":
            return self.model_(x).detach()
        return (self._grad_energy(x, create_graph=False) ** 2).sum(1)


class AnoGAN(TorchDetector):
    """AnoGAN / ADGAN, Schlegl et al. 2017, with a batched latent search.

    Parameters
    ----------
    latent_dim : int, default=32
    hidden : tuple of int, default=(64, 128)
        Generator widths (mirrored for the discriminator).
    query_steps : int, default=100
        Gradient steps of the latent search per scored chunk.
    query_lr : float, default=0.05
        Adam step size of the latent search.
    weight : float, default=0.1
        lambda: weight of the feature-matching residual.
    """

    _score_needs_grad = True

    _params = baseline_params(
        batch_size=64,
        learning_rate=2e-4,
        weight_decay=0.0,
        latent_dim=Param(32, integer(1)),
        hidden=Param((64, 128), widths()),
        query_steps=Param(100, integer(0)),
        query_lr=Param(0.05, real(0.0)),
        weight=Param(0.1, real(0.0, 1.0, low_open=False, high_open=False)),
    )

    def __init__(
        self,
        *,
        latent_dim=32,
        hidden=(64, 128),
        query_steps=100,
        query_lr=0.05,
        weight=0.1,
        epochs=100,
        batch_size=64,
        learning_rate=2e-4,
        weight_decay=0.0,
        scaler="standard",
        contamination=0.1,
        random_state=None,
        device="cpu",
        n_jobs=1,
        verbose=False,
        impute=None,
    ):
        store_params(self, locals())

    def _build(self, n_features: int) -> nn.Module:
        hidden = list(self.hidden)
        net = nn.Module()
        net.generator = mlp([self.latent_dim, *hidden, n_features], nn.ReLU)
        net.features = mlp(
            [n_features, *reversed(hidden)], lambda: nn.LeakyReLU(0.2), last_activation=True
        )
        net.head = nn.Linear(hidden[0] if hidden else n_features, 1)
        return net

    def _d(self, x):
        f = self.model_.features(x)
        return self.model_.head(f).squeeze(1), f

    def _objectives(self):
        g_params = list(self.model_.generator.parameters())
        d_params = [*self.model_.features.parameters(), *self.model_.head.parameters()]

        def noise(x, generator):
            return torch.randn(x.shape[0], self.latent_dim, generator=generator, device=x.device)

        def d_loss(x, generator):
            fake = self.model_.generator(noise(x, generator)).detach()
            real_logit, _ = self._d(x)
            fake_logit, _ = self._d(fake)
            return F.binary_cross_entropy_with_logits(
                real_logit, torch.ones_like(real_logit)
            ) + F.binary_cross_entropy_with_logits(fake_logit, torch.zeros_like(fake_logit))

        def g_loss(x, generator):
            fake_logit, _ = self._d(self.model_.generator(noise(x, generator)))
            return F.binary_cross_entropy_with_logits(fake_logit, torch.ones_like(fake_logit))

        return [(d_params, d_loss), (g_params, g_loss)]

    def _residual(self, x, z):
        gz = self.model_.generator(z)
        _, f_x = self._d(x)
        _, f_g = self._d(gz)
        return (1 - self.weight) * (x - gz).abs().sum(1) + self.weight * (
            f_x.detach() - f_g
        ).abs().sum(1)

    def _score(self, x):
        # The latent search is AnoGAN's scoring procedure itself: only z is
        # optimised; the network weights get no gradient.
        z = torch.zeros(x.shape[0], self.latent_dim, device=x.device, requires_grad=True)
        opt = torch.optim.Adam([z], lr=self.query_lr)
        for _ in range(self.query_steps):
            descend(opt, self._residual(x, z).sum(), [z])
        with torch.no_grad():
            return self._residual(x, z)


class AutoEncoder(TorchDetector):
    """Autoencoder, L2 reconstruction error as the score (DCAE).

    With ``image_shape`` set, the rows are flattened images and the network
    is the convolutional encoder and generator of RCGAN's image networks
    (DCAE, Table 2); images are mapped to [-1, 1] with the training pixel
    range and 28 x 28 ones padded to 32 x 32. Otherwise an MLP.

    Parameters
    ----------
    hidden : tuple of int, default=(64, 32)
        MLP encoder widths (the last is the code); the decoder mirrors them.
    image_shape : (C, H, W) or None, default=None
        Shape of the images whose flattened pixels are the rows.
    latent_dim, conv_width : int, default=100, 32
        Code size and first-layer channels of the convolutional version.
    """

    _params = baseline_params(
        batch_size=128,
        learning_rate=1e-3,
        weight_decay=1e-5,
        hidden=Param((64, 32), widths(1)),
        image_shape=Param(None, _image_shape),
        latent_dim=Param(100, integer(1)),
        conv_width=Param(32, integer(1)),
    )

    def __init__(
        self,
        *,
        hidden=(64, 32),
        image_shape=None,
        latent_dim=100,
        conv_width=32,
        epochs=100,
        batch_size=128,
        learning_rate=1e-3,
        weight_decay=1e-5,
        scaler="standard",
        contamination=0.1,
        random_state=None,
        device="cpu",
        n_jobs=1,
        verbose=False,
        impute=None,
    ):
        store_params(self, locals())

    def _image_shape(self) -> tuple[int, int, int] | None:
        # images: one pixel range mapped to [-1, 1] (the decoder ends in tanh)
        return None if self.image_shape is None else tuple(int(v) for v in self.image_shape)

    def _build(self, n_features: int) -> nn.Module:
        if self.image_shape is not None:
            shape = network_image_shape(self.image_shape)
            config = NetworkConfig(
                n_features=int(np.prod(shape)),
                latent_dim=self.latent_dim,
                image_shape=shape,
                conv_width=self.conv_width,
            )
            net = nn.Module()
            net.encoder, net.decoder = ConvEncoder(config), ConvGenerator(config)
            return net
        hidden = list(self.hidden)
        net = nn.Module()
        net.encoder = mlp([n_features, *hidden], nn.ReLU)
        net.decoder = mlp([hidden[-1], *reversed(hidden[:-1]), n_features], nn.ReLU)
        return net

    def _objectives(self):
        def loss(x, generator):
            rec = self.model_.decoder(self.model_.encoder(x))
            return ((x - rec) ** 2).flatten(1).sum(1).mean()

        return [(list(self.model_.parameters()), loss)]

    def _score(self, x):
        rec = self.model_.decoder(self.model_.encoder(x))
        return (x - rec).flatten(1).norm(dim=1)

    def reconstruct(self, X) -> np.ndarray:
        """Decoder(encoder(x)) in the units of ``X`` (flattened rows)."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "model_")
        X = self._check_X(X)
        self.model_.eval()
        with torch.no_grad():
            rec = self.model_.decoder(self.model_.encoder(self._tensor(X)))
        return self.preprocessor_.inverse(rec)
