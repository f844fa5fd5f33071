"""Networks of RCGAN and ALAD: encoder E, generator G, discriminators.

The tabular (MLP) networks follow the widths of ALAD's KDDCUP99 networks
(Zenati et al. 2018, reference code ``alad/kdd_utilities.py``), which RCGAN
reuses "for a fair comparison" (paper, Section 5.4):

- E: d -> 64 -> latent (32), leaky ReLU, linear output;
- G: latent -> 64 -> 128 -> d, ReLU, linear output;
- D_xz(x, z): an x branch and a z branch of 128 units each, joined into a
  hidden layer of 128 (the feature-matching layer), then one logit;
- D_xx(x, x'): concat(x, x') -> 128 -> logit; its last hidden layer is the
  ``l_xx`` of the feature-matching score, Eq. (12);
- D_zz(z, z'): concat(z, z') -> 32 -> logit (ALAD only).

Every module is a plain :class:`torch.nn.Module` that knows nothing about
training or scikit-learn. Discriminators return logits; the sigmoid lives in
the losses and scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

__all__ = [
    "ACTIVATIONS",
    "ConvEncoder",
    "ConvGenerator",
    "ConvJointDiscriminator",
    "ConvPairDiscriminator",
    "JointDiscriminator",
    "MLPEncoder",
    "MLPGenerator",
    "NetworkConfig",
    "Networks",
    "PairDiscriminator",
    "build_networks",
]

ACTIVATIONS = {
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "elu": nn.ELU,
}


@dataclass(frozen=True)
class NetworkConfig:
    """Sizes and options of the four (five with D_zz) networks.

    Parameters
    ----------
    n_features : int
        Dimension d of the (scaled) data.
    latent_dim : int
        Dimension of z.
    encoder_hidden, generator_hidden : tuple of int
        Hidden widths of E and of G.
    disc_hidden : int
        Width of each branch of D_xz and of its joint layer.
    disc_xx_hidden, disc_zz_hidden : tuple of int
        Hidden widths of D_xx and D_zz; the last one is the feature layer.
    dropout : float
        Dropout rate of the discriminators' hidden layers (only active in
        training mode; scoring always runs in eval mode).
    activation : str
        Hidden activation of E and the discriminators (G uses ReLU, as ALAD).
    spectral_norm : bool
        Spectral normalisation of the discriminators' linear layers.
    with_dzz : bool
        Build D_zz (ALAD's latent cycle discriminator).
    image_shape : (C, H, W) or None
        Build the convolutional networks for images of this shape (H = W =
        32; 28 x 28 images are padded to 32 x 32 by the estimator), else the
        MLPs. ``n_features`` is then C * H * W.
    conv_width : int
        Channels of the first convolution (ALAD: 128; doubled at each
        stride-2 layer).
    dxz_batchnorm : bool
        Batch norm on D_xz's x-branch (ALAD's tabular networks); its
        statistics are taken per pair kind in training (see
        :func:`rcgan.training.d_xz_logits`), running statistics at scoring.
    dxz_dropout : float or None
        Dropout of D_xz's z-branch and joint layer (ALAD's tabular networks:
        0.5); None: ``dropout``.
    """

    n_features: int
    latent_dim: int = 32
    encoder_hidden: tuple[int, ...] = (64,)
    generator_hidden: tuple[int, ...] = (64, 128)
    disc_hidden: int = 128
    disc_xx_hidden: tuple[int, ...] = (128,)
    disc_zz_hidden: tuple[int, ...] = (32,)
    dropout: float = 0.2
    activation: str = "leaky_relu"
    spectral_norm: bool = False
    with_dzz: bool = False
    image_shape: tuple[int, int, int] | None = None
    conv_width: int = 128
    dxz_batchnorm: bool = False
    dxz_dropout: float | None = None


def _linear(n_in: int, n_out: int, spectral: bool = False) -> nn.Module:
    layer = nn.Linear(n_in, n_out)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    if spectral:
        layer = nn.utils.parametrizations.spectral_norm(layer)
    return layer


def _mlp(
    n_in: int,
    widths: Sequence[int],
    activation: str,
    dropout: float = 0.0,
    spectral: bool = False,
) -> tuple[nn.Sequential, int]:
    """Stack of Linear -> activation [-> Dropout]; returns it and its width."""
    layers: list[nn.Module] = []
    for width in widths:
        layers.append(_linear(n_in, width, spectral))
        layers.append(ACTIVATIONS[activation]())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        n_in = width
    return nn.Sequential(*layers), n_in


class MLPEncoder(nn.Module):
    """Encoder E: x -> z (linear output layer)."""

    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.body, width = _mlp(config.n_features, config.encoder_hidden, config.activation)
        self.out = _linear(width, config.latent_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, d) -> (B, latent)
        return self.out(self.body(x))


class MLPGenerator(nn.Module):
    """Generator G: z -> x (ReLU hidden layers, linear output layer)."""

    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.body, width = _mlp(config.latent_dim, config.generator_hidden, "relu")
        self.out = _linear(width, config.n_features)

    def forward(self, z: torch.Tensor) -> torch.Tensor:  # (B, latent) -> (B, d)
        return self.out(self.body(z))


class JointDiscriminator(nn.Module):
    """D_xz(x, z): separate x and z branches joined into one hidden layer.

    Parameters
    ----------
    x_dim, z_dim : int
        Sizes of the two inputs.
    hidden : int
        Width of each branch and of the joint layer.
    """

    def __init__(
        self,
        x_dim: int,
        z_dim: int,
        hidden: int,
        activation: str,
        dropout: float,
        spectral: bool,
        batchnorm: bool = False,
    ) -> None:
        super().__init__()
        if batchnorm:  # Linear -> BatchNorm -> activation (ALAD's x-branch)
            self.x_branch = nn.Sequential(
                _linear(x_dim, hidden, spectral), nn.BatchNorm1d(hidden), ACTIVATIONS[activation]()
            )
        else:
            self.x_branch, _ = _mlp(x_dim, (hidden,), activation, 0.0, spectral)
        self.z_branch, _ = _mlp(z_dim, (hidden,), activation, dropout, spectral)
        self.joint, _ = _mlp(2 * hidden, (hidden,), activation, dropout, spectral)
        self.out = _linear(hidden, 1, spectral)

    def forward(
        self, x: torch.Tensor, z: torch.Tensor, return_features: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Logit of shape (B,), and the joint hidden layer if asked."""
        h = self.joint(torch.cat((self.x_branch(x), self.z_branch(z)), dim=1))
        logit = self.out(h).squeeze(1)
        return (logit, h) if return_features else logit


class PairDiscriminator(nn.Module):
    """D(a, b) on the concatenation of two inputs: D_xx and D_zz.

    The last hidden layer is the feature layer ``l`` of Eq. (12).
    """

    def __init__(
        self,
        dim: int,
        widths: Sequence[int],
        activation: str,
        dropout: float,
        spectral: bool,
    ) -> None:
        super().__init__()
        self.body, width = _mlp(2 * dim, widths, activation, dropout, spectral)
        self.out = _linear(width, 1, spectral)

    def forward(
        self, a: torch.Tensor, b: torch.Tensor, return_features: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Logit of shape (B,), and the last hidden layer if asked."""
        h = self.body(torch.cat((a, b), dim=1))
        logit = self.out(h).squeeze(1)
        return (logit, h) if return_features else logit


def _conv(c_in: int, c_out: int, k: int, s: int, p: int, spectral: bool = False) -> nn.Module:
    layer = nn.Conv2d(c_in, c_out, k, s, p)
    return nn.utils.parametrizations.spectral_norm(layer) if spectral else layer


class ConvEncoder(nn.Module):
    """E for 32 x 32 images (ALAD's CIFAR-10 encoder): 4x4 stride-2
    convolutions w -> 2w -> 4w with batch norm and leaky ReLU, then a 4x4
    valid convolution to the latent code."""

    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        c, w = config.image_shape[0], config.conv_width
        self.net = nn.Sequential(
            _conv(c, w, 4, 2, 1),
            nn.LeakyReLU(0.2),  # 16 x 16
            _conv(w, 2 * w, 4, 2, 1),
            nn.BatchNorm2d(2 * w),
            nn.LeakyReLU(0.2),  # 8 x 8
            _conv(2 * w, 4 * w, 4, 2, 1),
            nn.BatchNorm2d(4 * w),
            nn.LeakyReLU(0.2),  # 4 x 4
            _conv(4 * w, config.latent_dim, 4, 1, 0),  # 1 x 1
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, 32, 32) -> (B, latent)
        return self.net(x).flatten(1)


class ConvGenerator(nn.Module):
    """G for 32 x 32 images: transposed convolutions 4w -> 2w -> w -> C with
    batch norm and ReLU, tanh output (images are scaled to [-1, 1])."""

    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        c, w = config.image_shape[0], config.conv_width
        self.net = nn.Sequential(
            nn.ConvTranspose2d(config.latent_dim, 4 * w, 4, 1, 0),  # 4 x 4
            nn.BatchNorm2d(4 * w),
            nn.ReLU(),
            nn.ConvTranspose2d(4 * w, 2 * w, 4, 2, 1),
            nn.BatchNorm2d(2 * w),
            nn.ReLU(),  # 8
            nn.ConvTranspose2d(2 * w, w, 4, 2, 1),
            nn.BatchNorm2d(w),
            nn.ReLU(),  # 16
            nn.ConvTranspose2d(w, c, 4, 2, 1),
            nn.Tanh(),  # 32 x 32
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:  # (B, latent) -> (B, C, 32, 32)
        return self.net(z[:, :, None, None])


class ConvJointDiscriminator(nn.Module):
    """D_xz for images: a convolutional x branch and a dense z branch, joined
    in a dense layer (the feature layer), dropout in the z and joint parts."""

    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        c, w, sn = config.image_shape[0], config.conv_width, config.spectral_norm
        self.x_branch = nn.Sequential(
            _conv(c, w, 4, 2, 1, sn),
            nn.LeakyReLU(0.2),
            _conv(w, 2 * w, 4, 2, 1, sn),
            nn.LeakyReLU(0.2),
            _conv(2 * w, 4 * w, 4, 2, 1, sn),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
        )
        self.z_branch, _ = _mlp(config.latent_dim, (4 * w,), "leaky_relu", config.dropout, sn)
        self.joint, _ = _mlp(4 * w * 16 + 4 * w, (8 * w,), "leaky_relu", config.dropout, sn)
        self.out = _linear(8 * w, 1, sn)

    def forward(self, x, z, return_features: bool = False):
        """Logit of shape (B,), and the joint hidden layer if asked."""
        h = self.joint(torch.cat((self.x_branch(x), self.z_branch(z)), dim=1))
        logit = self.out(h).squeeze(1)
        return (logit, h) if return_features else logit


class ConvPairDiscriminator(nn.Module):
    """D_xx for images: the two images stacked along the channels, two 4x4
    stride-2 convolutions with leaky ReLU and dropout, flattened (the
    feature layer of Eq. 12), then one logit. (ALAD stacks along the height;
    stacking channels keeps pixel positions aligned.)"""

    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        c, w, sn = config.image_shape[0], config.conv_width, config.spectral_norm
        half = max(w // 2, 1)
        self.body = nn.Sequential(
            _conv(2 * c, half, 4, 2, 1, sn),
            nn.LeakyReLU(0.2),
            nn.Dropout(config.dropout),
            _conv(half, w, 4, 2, 1, sn),
            nn.LeakyReLU(0.2),
            nn.Dropout(config.dropout),
            nn.Flatten(),
        )
        self.out = _linear(w * 64, 1, sn)

    def forward(self, a, b, return_features: bool = False):
        """Logit of shape (B,), and the flattened feature layer if asked."""
        h = self.body(torch.cat((a, b), dim=1))
        logit = self.out(h).squeeze(1)
        return (logit, h) if return_features else logit


class Networks(nn.Module):
    """Container of E, G, D_xz, D_xx and optionally D_zz.

    Grouping them in one module gives one ``state_dict`` (for saving and for
    EMA) and one ``train()`` / ``eval()`` switch.
    """

    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.config = config
        act, drop, sn = config.activation, config.dropout, config.spectral_norm
        if config.image_shape is not None:
            self.encoder = ConvEncoder(config)
            self.generator = ConvGenerator(config)
            self.d_xz = ConvJointDiscriminator(config)
            self.d_xx = ConvPairDiscriminator(config)
        else:
            self.encoder = MLPEncoder(config)
            self.generator = MLPGenerator(config)
            self.d_xz = JointDiscriminator(
                config.n_features,
                config.latent_dim,
                config.disc_hidden,
                act,
                drop if config.dxz_dropout is None else config.dxz_dropout,
                sn,
                config.dxz_batchnorm,
            )
            self.d_xx = PairDiscriminator(config.n_features, config.disc_xx_hidden, act, drop, sn)
        self.d_zz = (
            PairDiscriminator(config.latent_dim, config.disc_zz_hidden, act, drop, sn)
            if config.with_dzz
            else None
        )
        # the training rows' per-feature range in the networks' input space,
        # set after a fit (set_feature_range) for the "range" score; not part of
        # the state_dict (a model file keeps it among the fitted values)
        self.register_buffer("feature_low", None, persistent=False)
        self.register_buffer("feature_high", None, persistent=False)

    def set_feature_range(self, x: torch.Tensor) -> None:
        """Keep the per-feature minimum and maximum of the (scaled) training rows ``x``.

        Flat (one value per input feature, pixels of an image included).
        """
        flat = x.flatten(1)
        self.feature_low = flat.amin(dim=0).to(torch.float32)
        self.feature_high = flat.amax(dim=0).to(torch.float32)

    def generator_parameters(self) -> list[nn.Parameter]:
        """Parameters updated by the (E, G) step."""
        return [*self.encoder.parameters(), *self.generator.parameters()]

    def discriminator_parameters(self) -> list[nn.Parameter]:
        """Parameters updated by the discriminator step."""
        params = [*self.d_xz.parameters(), *self.d_xx.parameters()]
        if self.d_zz is not None:
            params += list(self.d_zz.parameters())
        return params

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """G(E(x))."""
        return self.generator(self.encoder(x))

    def __reduce_ex__(self, protocol):
        # torch refuses to pickle parametrised modules (spectral norm): pickle
        # the configuration, the state_dict and the (non-persistent) training
        # range instead, as a model file does
        if not self.config.spectral_norm:
            return super().__reduce_ex__(protocol)
        bounds = (self.feature_low, self.feature_high)
        return _rebuilt, (self.config, self.state_dict(), self.training, bounds)


def _rebuilt(
    config: NetworkConfig,
    state: dict[str, torch.Tensor],
    training: bool,
    bounds: tuple[torch.Tensor | None, torch.Tensor | None] = (None, None),
) -> Networks:
    """Networks of ``config`` holding ``state`` (the unpickling of :class:`Networks`).

    ``bounds``: the training rows' range (:meth:`Networks.set_feature_range`),
    absent from pickles written before 0.9.
    """
    with torch.random.fork_rng(devices=[]):  # the throwaway initialisation stays private
        nets = Networks(config)
    nets.load_state_dict(state)
    nets.feature_low, nets.feature_high = bounds
    device = next(iter(state.values())).device if state else torch.device("cpu")
    return nets.to(device).train(training)


def build_networks(config: NetworkConfig) -> Networks:
    """Build all networks for ``config`` (initialised from torch's global RNG).

    Call it under :func:`torch.random.fork_rng` with a seed for repeatable,
    side-effect-free initialisation, as the estimator does.
    """
    if config.image_shape is not None and tuple(config.image_shape[1:]) != (32, 32):
        raise ValueError(f"convolutional networks take 32 x 32 images, got {config.image_shape}")
    if config.activation not in ACTIVATIONS:
        raise ValueError(
            f"activation={config.activation!r} is not supported; valid names: {sorted(ACTIVATIONS)}"
        )
    return Networks(config)
