"""RCGAN and ALAD as scikit-learn outlier detectors.

Both derive from :class:`rcgan.base.Detector`, which holds the parameter
checks and the sign conventions (``score_samples`` higher = more normal,
``anomaly_score`` the paper's A(x), higher = more anomalous; for Eq. (11)
A(x) = 1 - D_xx(x, G(E(x))), in [0, 1]). ALAD is RCGAN with other defaults.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict
from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from . import persistence
from .base import (
    Detector,
    Param,
    boolean,
    common_params,
    integer,
    one_of,
    real,
    widths,
    with_defaults,
)
from .networks import ACTIVATIONS, NetworkConfig, Networks, build_networks
from .penalties import AUTO_PENALTIES, auto_scale, make_penalty, nn_spacing
from .preprocessing import IMAGE_SIZES, network_image_shape
from .scores import (
    COMBINED,
    SCORES,
    anomaly_scores,
    feature_excess,
    to_paper_scale,
    training_range,
    training_statistics,
)
from .training import TrainConfig, train
from .utils import ThreadLimit, private_rng

__all__ = ["ALAD", "ALAD_WIDTHS", "RCGAN"]


def _penalty(name: str, value) -> None:
    make_penalty(value)  # raises on an unknown name


def _penalty_scale(name: str, value) -> None:
    if isinstance(value, str) and value == "auto":
        return
    try:
        real(0.0)(name, value)
    except ValueError:
        raise ValueError(f"{name} must be 'auto' or a number > 0, got {value!r}") from None


def _latent_dim(name: str, value) -> None:
    if isinstance(value, str) and value == "auto":
        return
    try:
        integer(1)(name, value)
    except ValueError:
        raise ValueError(f"{name} must be 'auto' or an integer >= 1, got {value!r}") from None


def auto_latent_dim(n_features: int) -> int:
    """``latent_dim="auto"``: a quarter of the input dimension, between 2 and 32.

    A code narrower than the input makes G(E(x)) a real bottleneck: with a
    code as wide as the data (e.g. 32 for 16 features), E and G can learn
    the identity and reconstruct anomalies as well as normal rows.
    """
    return int(min(32, max(2, n_features // 4)))


def _unit_weight(name: str, value) -> None:
    """True, False or a number in [0, 1]."""
    if isinstance(value, (bool, np.bool_)):
        return
    real(0.0, 1.0, low_open=False, high_open=False)(name, value)


class RCGAN(Detector):
    """Regularized Cycle Consistent GAN for anomaly detection.

    Trains an encoder E, a generator G and discriminators D_xz(x, z) and
    D_xx(x, x') on normal data by the minimax objective of Eq. (10): the
    ALI-style objective with the penalty term of Eq. (4), in which samples of
    a penalty distribution t(x) are fake pairs (x, E(x)) for D_xz, plus the
    cycle consistency of Eq. (9). Anomalies are scored by Eq. (11),
    A(x) = 1 - D_xx(x, G(E(x))), by the feature-matching score Eq. (12), by
    D_xz (Proposition 1), by the reconstruction error, or by a combination.

    The defaults are the library's (chosen on a 16-set suite, see the README
    "Decisions"): the data-adaptive penalty, the combined D_xz and L2 score,
    a code a quarter as wide as the data, networks twice ALAD's widths, 3000
    updates. The paper's method as written is ``RCGAN(penalty="normal",
    penalty_dxx=False, latent_dim=32, dropout=0.2, scoring="discriminator",
    learning_rate=1e-4, max_updates=None, scaler="standard", **ALAD_WIDTHS)``
    with its epochs.

    Parameters
    ----------
    penalty : {"adaptive-cross", "adaptive-offcross", "adaptive-diff", "adaptive-distinct", \
            "adaptive-axis", "adaptive", "adaptive-mix", "normal", "uniform", "normal-wide", \
            "local", "local-nn", "adaptive-nn"}, callable or None, default="adaptive-cross"
        Penalty distribution t(x) on the scaled data (see
        :mod:`rcgan.penalties`), set by the training rows themselves for
        the "adaptive" family: half of each draw is radial out to 3 times
        the largest training norm (far outliers, the paper's Section 6
        limitation), half is a training row x_i moved near the data. In
        "adaptive-diff" the move is s (x_j - x_k) / sqrt(2) for two other
        random rows: noise with the data's own covariance (times s^2), so
        t smooths q along the directions in which the data varies and past
        its ends; in "adaptive" (0.2-0.3) it is N(0, s^2 I), which in many
        dimensions puts its mass at distance s sqrt(d), off the data's
        span; "adaptive-mix" is half of each. "adaptive-cross" (the default
        since 0.8) is "adaptive-diff" with half of the radial half replaced
        by crossovers of two random training rows (each coordinate from
        either): values each seen in training, combined as no training row
        combines them; "adaptive-offcross" keeps only the crossovers that lie
        farther from the data than nine in ten training rows. "normal" is
        the paper's N(0, s^2 I);
        "normal-wide" is half N(0, s^2 I), half radial; None is the ablation
        without t(x) (Table 3).
    penalty_scale : float or "auto", default=1.0
        s above: the smoothing bandwidth (the "adaptive" family, "local"), standard
        deviation ("normal") or half-width ("uniform"). "auto" (the
        "adaptive" family and "local" only): the smallest of 1, 1.5, 2 and 3
        at which at most a quarter of the near half's draws fall on the
        data, so that t(x) sits beside q(x) rather than on it (Section 6;
        :func:`rcgan.penalties.auto_scale`); the scale used is
        ``penalty_scale_``.
    penalty_dxx : bool, default=True
        Carry the penalty over to D_xx: identity pairs (x_t, x_t) of penalty
        samples are shown as fake, so that D_xx, and with it A(x) of
        Eq. (11), learns what t covers and q does not, as D_xz does by
        Proposition 1. The paper's Eq. (9) has no such term
        (False); without it, the Eq. (11) score ranked Thyroid's anomalies
        below its normal rows in our runs (see the README). No effect
        without a penalty.
    latent_dim : int or "auto", default="auto"
        Dimension of z; "auto": a quarter of the number of features, between
        2 and 32 (:func:`auto_latent_dim`).
    encoder_hidden : tuple of int, default=(128,)
        Hidden widths of E. The defaults of E, G, D_xz and D_xx are twice
        ALAD's KDDCUP99 widths ((64,), (64, 128), 128, (128,); :class:`ALAD`'s
        defaults and the paper tables' networks); see the README, "Decisions".
    generator_hidden : tuple of int, default=(128, 256)
        Hidden widths of G.
    disc_hidden : int, default=256
        Width of the branches and the joint layer of D_xz.
    disc_xx_hidden : tuple of int, default=(256,)
        Hidden widths of D_xx (the last is the feature layer of Eq. 12).
    disc_zz_hidden : tuple of int, default=(32,)
        Hidden widths of D_zz (used when ``discriminator_zz``).
    discriminator_zz : bool, default=False
        Add ALAD's latent cycle discriminator D_zz.
    dropout : float, default=0.0
        Dropout of the discriminators in training (never at scoring; ALAD's
        reference networks use 0.2-0.5).
    dxz_dropout : float or None, default=None
        Dropout of D_xz's z-branch and joint layer; None: ``dropout``.
        ALAD's tabular networks use 0.5 there and 0.2 in D_xx and D_zz.
    dxz_batchnorm : bool, default=False
        Batch norm on D_xz's x-branch, as ALAD's tabular networks (statistics
        per pair kind in training, running statistics at scoring).
    separate_batches : bool, default=False
        Give the (E, G) step its own minibatch, z and penalty draws (a second
        permutation per epoch), as ALAD's reference loop; by default both
        steps of an update see the same draws.
    penalty_encoder : bool or float in [0, 1], default=True
        Weight of the t(x) term of Eq. (4) in the (E, G) step (True = 1): E
        learns to make the penalty pairs (x_t, E(x_t)) look real (see
        :mod:`rcgan.losses`). False (0): only the discriminators see the
        penalty draws (the reading in which t(x) regularises D alone).
    dxz_weight_decay : float, default=0.0
        Decoupled weight decay of D_xz's weight matrices (AdamW's form: they
        shrink by ``1 - lr * dxz_weight_decay`` per update, lr the
        discriminators' learning rate, so the product must be below 1); 0:
        none (the paper trains without it).
        Refused with ``spectral_norm``, whose normalisation cancels it; with
        ``dxz_batchnorm`` it has no effect on the layer before the batch norm.
    dxz_noise : float, default=0.0
        Instance noise for D_xz (Sønderby et al., 2017): in the discriminator
        step, the x of every D_xz pair gets N(0, s^2 I) added, with s sqrt(d)
        this multiple of the training rows' median distance to their nearest
        other row (after scaling): each x moves by about that multiple of the
        data's own spacing, so that D_xz is smoothed at that scale. 0: none
        (the paper's objective).
    reconstruction_weight : float, default=0.0
        Weight of an explicit reconstruction error, mean |x - G(E(x))| per
        feature, added to the (E, G) loss (ALICE's explicit form of the
        cycle consistency that Eq. 9 asks of D_xx adversarially); 0 is the
        paper's objective.
    max_time : float or None, default=None
        Stop training after this many seconds (on top of ``epochs`` and
        ``max_updates``); a fit it cuts short is not reproducible.
    activation : {"leaky_relu", "relu", "tanh", "elu"}, default="leaky_relu"
        Hidden activation of E and the discriminators.
    spectral_norm : bool, default=False
        Spectral normalisation of the discriminators.
    conv_width : int, default=64
        Channels of the first convolution of the image networks (ALAD's
        CIFAR-10 networks use 128); doubled at each stride-2 layer.
    epochs : int, default=100
        Most full passes over the training data.
    max_updates : int or None, default=3000
        Stop after this many alternating updates (one discriminator and one
        (E, G) step each), within an epoch if need be; None: ``epochs`` full
        passes. The budget is min(epochs passes, max_updates updates): small
        sets stop at 100 epochs, large ones at 3000 updates.
    batch_size : int, default=50
        Minibatch size (ALAD's KDDCUP99 setting).
    learning_rate : float, default=3e-4
        Adam learning rate (of E and G alone when ``d_learning_rate`` is
        set).
    d_learning_rate : float or None, default=6e-4
        Adam learning rate of the discriminators, the two time-scale update
        rule (Heusel et al., 2017); None: ``learning_rate`` (one rate for
        both players, as ALAD and the paper). The default since 0.9 (twice
        ``learning_rate``; before: None), chosen with ``scoring`` on the
        development seeds (README, "Decisions").
    beta1 : float, default=0.5
        Adam's beta1 (ALAD); beta2 is 0.999.
    ema : float or None, default=0.999
        Decay of the weight average used for scoring (ALAD), None to score
        with the last weights.
    scoring : {"xz+l1+range", "xz+l1", "xz+l2", "xz+d+l1", "discriminator", "fm_l1", \
            "fm_l2", "l1", "l2", "xz", "range"}, default="xz+l1+range"
        Anomaly score (see :mod:`rcgan.scores`): "discriminator" is Eq. (11),
        "fm_l1"/"fm_l2" Eq. (12), "xz" D_xz(x, E(x)) (Proposition 1), "l1"/"l2"
        the reconstruction error, "range" how far a row lies outside the
        training rows' per-feature range (summed over features, in the
        scaled space; 0 on every training row), "xz+l2" ("xz+l1") the mean
        of "xz" and "l2" ("l1"), "xz+d+l1" the mean of "xz", "discriminator"
        and "l1", each standardised on the training rows, and "xz+l1+range"
        the mean of the standardised "xz" and "l1" and the raw "range" (the
        default since 0.9; "xz+l1" in 0.8). Named ``score`` before
        0.2; that name is still accepted, with a ``FutureWarning``, for one
        release (it shadowed scikit-learn's ``score`` method).
    scaler : {"standard-log", "standard", "minmax", "unit"} or None, \
            default="standard-log"
        Per-feature scaling fitted on the training data: "standard" is zero
        mean and unit variance; "standard-log" then lets values beyond 3
        standard deviations grow only logarithmically
        (:func:`rcgan.preprocessing.compress_tails`), so that a rare one-hot
        category or a heavy-tailed count, hundreds of standard deviations
        out, does not dominate the reconstruction error and the penalty's
        radius (the default since 0.8, with ``penalty="adaptive-cross"``;
        README, "Decisions");
        "minmax" maps the training range to [-1, 1], "unit" to [0, 1].
        t(x) = N(0, I) only makes sense on scaled data.
    contamination : float or "auto", default=0.1
        Expected share of outliers, in (0, 0.5]: ``offset_`` flags that share
        of the training rows. "auto" needs no such guess: 10 % of the
        training rows are held out, and the threshold is set so that at
        most 1 % of normal rows are flagged (split conformal,
        :func:`rcgan.base.conformal_threshold`). Change it after fit with
        :meth:`set_threshold`.
    random_state : int, RandomState instance or None, default=None
        Seed of the initialisation, dropout, minibatch order and latent and
        penalty draws. Same seed and data: bit-identical scores. Torch's and
        NumPy's global random states are left untouched (None draws a fresh
        seed from the operating system).
    device : str, default="cpu"
        Torch device, e.g. "cpu" or "cuda".
    n_jobs : int or None, default=1
        Torch intra-op threads during fit and scoring (-1: all cores; None:
        leave torch's setting). One thread is fastest for these small networks on a busy
        machine; see ``benchmarks/speed.py``.
    verbose : bool, default=False
        Show a progress bar over epochs.
    impute : {None, "median"}, default=None
        Missing values (NaN): refused by ``fit``, with their rows and
        columns named (None), or replaced by the training medians, in fit
        and scoring ("median"; the medians are stored as ``impute_values_``).
    **deprecated
        Only ``score``, the old name of ``scoring``.

    Attributes
    ----------
    networks_ : Networks
        Trained E, G, D_xz, D_xx (and D_zz); ``encoder_``, ``generator_``
        and ``discriminator_xx_`` are shortcuts.
    preprocessor_ : Preprocessor
        Scaling and image layout fitted on the training rows; ``center_``
        and ``scale_`` are its arrays (the networks see
        ``(X - center_) / scale_``).
    offset_ : float
        Threshold on ``score_samples`` (see ``decision_function``).
    decision_scores_ : ndarray of shape (n_train,)
        Anomaly scores (``-score_samples``) of the training rows (PyOD's
        name); ``threshold_`` (= ``-offset_``) and ``labels_`` (1 =
        outlier) go with them.
    calibration_scores_ : ndarray or None
        Scores of the held-out rows of ``contamination="auto"``.
    history_ : dict of lists
        Per-epoch mean losses ("loss_d", "loss_eg").
    penalty_scale_ : float
        The penalty's scale the networks were trained with (``penalty_scale``,
        or the one "auto" chose). Not kept in model files.
    n_features_in_ : int

    References
    ----------
    Z. Yang, I. Soltani Bozchalooi, E. Darve. Regularized Cycle Consistent
    Generative Adversarial Network for Anomaly Detection. ECAI 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from rcgan import RCGAN
    >>> X = np.random.default_rng(0).normal(size=(200, 4))
    >>> det = RCGAN(epochs=2, random_state=0).fit(X)
    >>> det.anomaly_score(X[:3]).shape
    (3,)
    """

    _module_name = "networks_"
    _extra_keys = frozenset({"data_radius_", "score_stats_", "feature_range_"})
    _params: ClassVar[dict[str, Param]] = {
        "penalty": Param("adaptive-cross", _penalty),
        "penalty_scale": Param(1.0, _penalty_scale),
        "penalty_dxx": Param(True, boolean),
        "latent_dim": Param("auto", _latent_dim),
        "encoder_hidden": Param((128,), widths()),
        "generator_hidden": Param((128, 256), widths()),
        "disc_hidden": Param(256, integer(1)),
        "disc_xx_hidden": Param((256,), widths(1)),
        "disc_zz_hidden": Param((32,), widths()),
        "discriminator_zz": Param(False, boolean),
        "dropout": Param(0.0, real(0.0, 1.0, low_open=False)),
        "dxz_dropout": Param(None, real(0.0, 1.0, low_open=False, optional=True)),
        "dxz_batchnorm": Param(False, boolean),
        "separate_batches": Param(False, boolean),
        "reconstruction_weight": Param(0.0, real(0.0, low_open=False)),
        "penalty_encoder": Param(True, _unit_weight),
        "dxz_weight_decay": Param(0.0, real(0.0, low_open=False)),
        "dxz_noise": Param(0.0, real(0.0, low_open=False)),
        "max_time": Param(None, real(0.0, optional=True)),
        "activation": Param("leaky_relu", one_of(*ACTIVATIONS)),
        "spectral_norm": Param(False, boolean),
        "conv_width": Param(64, integer(1)),
        "max_updates": Param(3000, integer(1, optional=True)),
        "d_learning_rate": Param(6e-4, real(0.0, optional=True)),
        "beta1": Param(0.5, real(0.0, 1.0, low_open=False)),
        "ema": Param(0.999, real(0.0, 1.0, optional=True)),
        "scoring": Param("xz+l1+range", one_of(*SCORES)),
        **common_params(epochs=100, batch_size=50, learning_rate=3e-4, scaler="standard-log"),
    }
    _min_samples = 1

    def __init__(
        self,
        *,
        penalty="adaptive-cross",
        penalty_scale=1.0,
        penalty_dxx=True,
        latent_dim="auto",
        encoder_hidden=(128,),
        generator_hidden=(128, 256),
        disc_hidden=256,
        disc_xx_hidden=(256,),
        disc_zz_hidden=(32,),
        discriminator_zz=False,
        dropout=0.0,
        dxz_dropout=None,
        dxz_batchnorm=False,
        separate_batches=False,
        reconstruction_weight=0.0,
        penalty_encoder=True,
        dxz_weight_decay=0.0,
        dxz_noise=0.0,
        max_time=None,
        activation="leaky_relu",
        spectral_norm=False,
        conv_width=64,
        epochs=100,
        max_updates=3000,
        batch_size=50,
        learning_rate=3e-4,
        d_learning_rate=6e-4,
        beta1=0.5,
        ema=0.999,
        scoring="xz+l1+range",
        scaler="standard-log",
        contamination=0.1,
        random_state=None,
        device="cpu",
        n_jobs=1,
        verbose=False,
        impute=None,
        **deprecated,
    ):
        self.penalty = penalty
        self.penalty_scale = penalty_scale
        self.penalty_dxx = penalty_dxx
        self.latent_dim = latent_dim
        self.encoder_hidden = encoder_hidden
        self.generator_hidden = generator_hidden
        self.disc_hidden = disc_hidden
        self.disc_xx_hidden = disc_xx_hidden
        self.disc_zz_hidden = disc_zz_hidden
        self.discriminator_zz = discriminator_zz
        self.dropout = dropout
        self.dxz_dropout = dxz_dropout
        self.dxz_batchnorm = dxz_batchnorm
        self.separate_batches = separate_batches
        self.reconstruction_weight = reconstruction_weight
        self.penalty_encoder = penalty_encoder
        self.dxz_weight_decay = dxz_weight_decay
        self.dxz_noise = dxz_noise
        self.max_time = max_time
        self.activation = activation
        self.spectral_norm = spectral_norm
        self.conv_width = conv_width
        self.epochs = epochs
        self.max_updates = max_updates
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.d_learning_rate = d_learning_rate
        self.beta1 = beta1
        self.ema = ema
        self.scoring = _renamed(deprecated, scoring)
        self.scaler = scaler
        self.contamination = contamination
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.impute = impute

    def set_params(self, **params):
        """Set parameters (``score=`` is read as ``scoring=`` with a FutureWarning)."""
        old = {k: params.pop(k) for k in _OLD_NAMES if k in params}
        if old:
            params["scoring"] = _renamed(old, params.get("scoring", self.scoring))
        return super().set_params(**params)

    def _network_config(
        self, n_features: int, image_shape: tuple[int, ...] | None = None
    ) -> NetworkConfig:
        net_shape = None if image_shape is None else network_image_shape(image_shape)
        if net_shape is not None:
            n_features = int(np.prod(net_shape))
        return NetworkConfig(
            n_features=n_features,
            image_shape=net_shape,
            conv_width=int(self.conv_width),
            latent_dim=auto_latent_dim(n_features)
            if self.latent_dim == "auto"
            else int(self.latent_dim),
            encoder_hidden=tuple(int(w) for w in self.encoder_hidden),
            generator_hidden=tuple(int(w) for w in self.generator_hidden),
            disc_hidden=int(self.disc_hidden),
            disc_xx_hidden=tuple(int(w) for w in self.disc_xx_hidden),
            disc_zz_hidden=tuple(int(w) for w in self.disc_zz_hidden),
            dropout=float(self.dropout),
            dxz_dropout=None if self.dxz_dropout is None else float(self.dxz_dropout),
            dxz_batchnorm=bool(self.dxz_batchnorm),
            activation=self.activation,
            spectral_norm=bool(self.spectral_norm),
            with_dzz=bool(self.discriminator_zz),
        )

    def _split_images(self, X, reset: bool):
        """2-D view of ``X`` and its image shape (C, H, W), or None for tables."""
        if not (isinstance(X, np.ndarray) and X.ndim in (3, 4)):
            return X, None
        shape = (1, *X.shape[1:]) if X.ndim == 3 else tuple(X.shape[1:])
        if tuple(shape[1:]) not in IMAGE_SIZES:
            raise ValueError(
                f"images must be 28 x 28 or 32 x 32 (shape (n, C, H, W) or (n, H, W)), "
                f"got {X.shape}"
            )
        if not reset and tuple(shape) != tuple(self.image_shape_ or ()):
            raise ValueError(
                f"images of shape {shape}, but the model was fitted on {self.image_shape_}"
            )
        return X.reshape(X.shape[0], -1), tuple(int(v) for v in shape)

    def network_input(self, X) -> torch.Tensor:
        """Scaled float32 network input of the rows of ``X`` (e.g. Figure 3's grid).

        Tables of shape (n, n_features_in_), or images as given to ``fit``.
        """
        check_is_fitted(self, "networks_")
        X2, _ = self._split_images(X, reset=False)
        X2 = self._check_X(X2)
        return self.preprocessor_.to_tensor(X2, self.device)

    # --------------------------------------------------------------------- fit
    def fit(self, X, y=None):
        """Train on ``X`` (assumed normal data).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or images
            Training data; NaN and infinite values are refused. Images of
            shape (n, C, H, W) or (n, H, W) (grey), H = W = 28 or 32, get
            the convolutional networks; their pixels are mapped to [-1, 1]
            with the training set's overall pixel range (the generator ends
            in tanh), and 28 x 28 images are padded to 32 x 32.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : RCGAN
        """
        return super().fit(X, y)

    def _training_rows(self, X):
        X, self.image_shape_ = self._split_images(X, reset=True)
        if self.image_shape_ is not None and (self.dxz_batchnorm or self.dxz_dropout is not None):
            raise ValueError(
                "dxz_batchnorm and dxz_dropout apply to the tabular networks only, not to images"
            )
        if self.dxz_weight_decay > 0 and self.spectral_norm:
            raise ValueError(
                "dxz_weight_decay has no effect with spectral_norm=True (the normalisation "
                "cancels any rescaling of the weights): use one of them"
            )
        lr_d = self.learning_rate if self.d_learning_rate is None else self.d_learning_rate
        if self.dxz_weight_decay * lr_d >= 1:
            raise ValueError(
                f"dxz_weight_decay * the discriminators' learning rate = "
                f"{self.dxz_weight_decay * lr_d:g} must be below 1 (the weights shrink by that "
                "share per update)"
            )
        return X, self.image_shape_

    def _fit_networks(self, xt: torch.Tensor, seed: int, device: torch.device) -> np.ndarray | None:
        data_radius = float(xt.flatten(1).norm(dim=1).max()) if xt.shape[0] else 0.0
        scale = self.penalty_scale
        if isinstance(scale, str):  # "auto": set from the data (penalties.auto_scale)
            if self.penalty not in AUTO_PENALTIES:
                raise ValueError(
                    f'penalty_scale="auto" needs a penalty of {sorted(AUTO_PENALTIES)}, '
                    f"got penalty={self.penalty!r}"
                )
            scale = auto_scale(self.penalty, xt.flatten(1), torch.Generator().manual_seed(seed))
        self.penalty_scale_ = float(scale)
        penalty = make_penalty(self.penalty, scale, data_radius, data=xt.flatten(1))
        noise = 0.0  # per coordinate: a pair's x moves by about dxz_noise x the spacing
        if self.dxz_noise:
            noise = float(self.dxz_noise) * nn_spacing(xt.flatten(1)) / math.sqrt(xt[0].numel())
        d_rate = self.d_learning_rate  # None: learning_rate (TrainConfig resolves it)
        with private_rng(device, seed):
            net_config = self._network_config(self.n_features_in_, self.image_shape_)
            nets = build_networks(net_config).to(device)
            generator = torch.Generator(device=device)
            generator.manual_seed(seed)
            config = TrainConfig(
                epochs=int(self.epochs),
                batch_size=int(self.batch_size),
                learning_rate=float(self.learning_rate),
                d_learning_rate=None if d_rate is None else float(d_rate),
                betas=(float(self.beta1), 0.999),
                ema=None if self.ema is None else float(self.ema),
                penalty_xx=bool(self.penalty_dxx),
                max_updates=None if self.max_updates is None else int(self.max_updates),
                separate_batches=bool(self.separate_batches),
                reconstruction_weight=float(self.reconstruction_weight),
                penalty_encoder=float(self.penalty_encoder),
                dxz_weight_decay=float(self.dxz_weight_decay),
                dxz_noise=noise,
                max_seconds=None if self.max_time is None else float(self.max_time),
            )
            self.history_ = train(
                nets, xt, config, generator, penalty=penalty, verbose=bool(self.verbose)
            )
        self.networks_ = nets
        self.data_radius_ = data_radius
        nets.set_feature_range(xt)
        self.score_stats_, train_scores = training_statistics(nets, xt, self.scoring)
        return None if train_scores is None else train_scores.numpy()

    # ----------------------------------------------------------------- scoring
    def _raw_scores(self, X) -> np.ndarray:
        check_is_fitted(self, "networks_")
        # float32 input stays float32 (no copy); scaling happens chunk-wise
        X, _ = self._split_images(X, reset=False)
        X = self._check_X(X, dtype=(np.float64, np.float32))
        with ThreadLimit(self.n_jobs):
            x = torch.from_numpy(np.ascontiguousarray(X))
            transform = self.preprocessor_.chunk_transform(torch.device(self.device), x.dtype)
            raw = anomaly_scores(
                self.networks_, x, self.scoring, transform=transform, stats=self.score_stats_
            )
        return raw.numpy()

    def score_samples(self, X) -> np.ndarray:
        """Normality score of each row (higher = more normal).

        For ``scoring="discriminator"`` this is the D_xx logit
        l(x, G(E(x))); otherwise minus the distance of Eq. (12) or the
        reconstruction error.
        """
        return -self._raw_scores(X)

    def anomaly_score(self, X) -> np.ndarray:
        """The paper's A(x): higher = more anomalous.

        Eq. (11), 1 - D_xx(x, G(E(x))), for ``scoring="discriminator"``;
        Eq. (12) for "fm_l1"/"fm_l2"; the reconstruction error otherwise.
        Ranking equals that of ``-score_samples`` (use the latter to avoid
        ties where D_xx saturates in floating point).
        """
        return super().anomaly_score(X)

    def _anomaly_from_raw(self, raw: np.ndarray) -> np.ndarray:
        return to_paper_scale(torch.from_numpy(raw), self.scoring).numpy()

    def _raw_from_anomaly(self, value: float) -> float:
        if self.scoring not in ("discriminator", "xz"):
            return value
        if not 0.0 < value < 1.0:  # A(x) is a probability for these scores
            raise ValueError(f"threshold must be in (0, 1) for scoring={self.scoring!r}")
        return math.log(value / (1.0 - value))

    def reconstruct(self, X) -> np.ndarray:
        """G(E(x)) in the units and shape of ``X`` (eval mode, batched).

        For images, the reconstruction of the padded 32 x 32 image is cropped
        back to the input size.
        """
        _, rec = self._reconstruction(X)
        return rec.reshape(np.shape(X)) if isinstance(X, np.ndarray) else rec

    def _reconstruction(self, X) -> tuple[np.ndarray, np.ndarray]:
        """The checked 2-D rows of ``X`` (text columns encoded) and G(E(x)) in their units."""
        check_is_fitted(self, "networks_")
        X2, _ = self._split_images(X, reset=False)
        X2 = self._check_X(X2)
        nets = self.networks_
        out = []
        with ThreadLimit(self.n_jobs), torch.inference_mode():
            nets.eval()
            for start in range(0, X2.shape[0], 512):
                x = self.preprocessor_.to_tensor(X2[start : start + 512], self.device)
                out.append(self.preprocessor_.inverse(nets.reconstruct(x)))
        rec = np.concatenate(out) if out else np.zeros((0, X2.shape[1]))
        return X2, rec.reshape(X2.shape[0], -1)

    def explain(self, X, part: str = "reconstruction") -> np.ndarray:
        """Each feature's share of a part of a row's score, shape (n, n_features).

        ``part="reconstruction"``: the residual of x - G(E(x)) in the scaled
        units the networks see (so that features of different units
        compare), per feature, divided by its sum over the row: the shares
        add up to 1. Squared residuals for the L2 scores, absolute ones when
        ``scoring`` is "l1" or a combined score with an L1 part, so the
        shares decompose the reconstruction score (and the reconstruction
        part of a combined score) exactly. The feature with the largest
        share is the one the model could least reconstruct.

        ``part="range"``: each feature's share of the range part of the
        default score (how far the scaled row lies beyond the training
        rows' minimum or maximum of that feature, :func:`rcgan.scores.range_excess`):
        the features a row takes values on that no training row took. The
        shares add up to 1 on rows outside the range and are all 0 on rows
        inside it (whose range part is 0).

        Images give one share per pixel (flattened); a text column gives one
        share per category (its one-hot features).
        """
        if part == "range":
            return self._range_shares(X)
        if part != "reconstruction":
            raise ValueError(f"part must be 'reconstruction' or 'range', got {part!r}")
        X2, rec = self._reconstruction(X)
        pre = self.preprocessor_
        if pre.knee is None:
            residual = (X2 - rec) / pre.scale
        else:  # the residual in the compressed units the networks see
            residual = pre.scaled(X2) - pre.scaled(rec)
        l1 = self.scoring == "l1" or "l1" in COMBINED.get(self.scoring, ())
        r2 = np.abs(residual) if l1 else residual**2
        total = r2.sum(axis=1, keepdims=True)
        return np.divide(r2, total, out=np.full_like(r2, 1.0 / r2.shape[1]), where=total > 0)

    def _range_shares(self, X) -> np.ndarray:
        x = self.network_input(X)  # (checks that the model is fitted)
        excess = feature_excess(x, *training_range(self.networks_)).double().cpu().numpy()
        total = excess.sum(axis=1, keepdims=True)
        return np.divide(excess, total, out=np.zeros_like(excess), where=total > 0)

    def export_onnx(self, path, opset: int = 17):
        """Write the scoring graph (scaling, E, G, D_xx, the score) as ONNX.

        See :mod:`rcgan.export`; needs the ``onnx`` extra. Returns the path.
        """
        from .export import export_onnx

        return export_onnx(self, path, opset=opset)

    # ------------------------------------------------------------- shortcuts
    @property
    def encoder_(self) -> torch.nn.Module:
        """Trained encoder E."""
        check_is_fitted(self, "networks_")
        return self.networks_.encoder

    @property
    def generator_(self) -> torch.nn.Module:
        """Trained generator G."""
        check_is_fitted(self, "networks_")
        return self.networks_.generator

    @property
    def discriminator_xx_(self) -> torch.nn.Module:
        """Trained D_xx (its logit gives Eq. 11)."""
        check_is_fitted(self, "networks_")
        return self.networks_.d_xx

    def _tensor_scores(self, x: torch.Tensor) -> np.ndarray:
        return anomaly_scores(self.networks_, x, self.scoring, stats=self.score_stats_).numpy()

    # ------------------------------------------------------------ model files
    def _network_description(self) -> dict:
        return asdict(self.networks_.config)

    def _build_from(self, description: dict, fitted: dict) -> torch.nn.Module:
        config = NetworkConfig(
            **{k: tuple(v) if isinstance(v, list) else v for k, v in description.items()}
        )
        if config != self._network_config(fitted["n_features_in_"], fitted["image_shape_"]):
            raise ValueError("the network configuration does not match the parameters")
        return Networks(config)

    def _fitted_extra(self) -> dict:
        extra = {
            "data_radius_": self.data_radius_,
            "score_stats_": {k: list(v) for k, v in self.score_stats_.items()},
        }
        nets = self.networks_
        if nets.feature_low is not None:  # (a model loaded from a file before 0.8.5 has none)
            extra["feature_range_"] = [nets.feature_low.tolist(), nets.feature_high.tolist()]
        return extra

    def _restore_extra(self, fitted: dict) -> None:
        # score_stats_ is absent from files written before the combined scores
        self.data_radius_ = persistence.finite_float(fitted["data_radius_"], "data_radius_")
        self.score_stats_ = persistence.check_score_stats(fitted.get("score_stats_", {}))
        self.image_shape_ = fitted["image_shape_"]
        if "feature_range_" in fitted:  # absent from files written before 0.8.5
            nets = self.networks_
            image = nets.config.image_shape
            size = nets.config.n_features if image is None else math.prod(image)
            low, high = persistence.check_feature_range(fitted["feature_range_"], size)
            nets.feature_low, nets.feature_high = low.to(self.device), high.to(self.device)


#: ALAD's KDDCUP99 network widths (its reference code): ALAD's defaults, the
#: paper tables' networks, and RCGAN's defaults before 0.5
ALAD_WIDTHS: dict[str, Any] = {
    "encoder_hidden": (64,),
    "generator_hidden": (64, 128),
    "disc_hidden": 128,
    "disc_xx_hidden": (128,),
}


class ALAD(RCGAN):
    """ALAD (Zenati et al. 2018) under the same networks and loop as RCGAN.

    RCGAN without the penalty distribution (Eq. 2 + Eq. 9) and with the
    latent cycle discriminator D_zz; ALAD scores with the feature-matching
    distance of Eq. (12) (L1, as its reference code). All parameters are
    those of :class:`RCGAN`, with ``penalty=None``, ``discriminator_zz=True``,
    ``scoring="fm_l1"``, ``scaler="standard"`` (as before 0.8, where RCGAN's
    default became ``"standard-log"``), ``d_learning_rate=None`` (one rate
    for both players, as ALAD's code; RCGAN's default since 0.9 is 6e-4)
    and ALAD's own KDDCUP99 widths (``encoder_hidden=(64,)``, ``generator_hidden=(64, 128)``,
    ``disc_hidden=128``, ``disc_xx_hidden=(128,)``; :data:`ALAD_WIDTHS`) by
    default.
    """

    __init__, _params = with_defaults(
        RCGAN,
        penalty=None,
        discriminator_zz=True,
        scoring="fm_l1",
        scaler="standard",
        d_learning_rate=None,
        **ALAD_WIDTHS,
    )


#: keywords the catch-all of ``RCGAN.__init__`` accepts: the old name of
#: ``scoring``, and the catch-all's own name, which only scikit-learn's
#: signature-driven smoke test passes (it is ignored)
_OLD_NAMES = ("score", "deprecated")


def _renamed(given: dict, scoring):
    """``scoring``, or the old ``score=`` in ``given`` with a FutureWarning.

    Any other keyword is refused as Python refuses unknown arguments.
    """
    unknown = set(given) - set(_OLD_NAMES)
    if unknown:
        raise TypeError(f"unexpected keyword argument(s) {sorted(unknown)}")
    if "score" in given:
        warnings.warn(
            "the parameter 'score' was renamed 'scoring' (it shadowed scikit-learn's "
            "score method); 'score' will be removed in 0.3",
            FutureWarning,
            stacklevel=3,
        )
        return given["score"]
    return scoring
