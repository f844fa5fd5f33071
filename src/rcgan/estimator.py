"""RCGAN and ALAD as scikit-learn outlier detectors.

Sign conventions, written once:

- ``score_samples(X)``: higher = more normal (scikit-learn);
- ``decision_function(X) = score_samples(X) - offset_``: negative = outlier;
- ``predict(X)``: -1 for outliers, +1 for inliers;
- ``anomaly_score(X)``: the paper's A(x), higher = more anomalous; for the
  default score it is Eq. (11), 1 - D_xx(x, G(E(x))), in [0, 1].
"""

from __future__ import annotations

import numbers
from dataclasses import asdict

import numpy as np
import torch
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from . import persistence
from .networks import ACTIVATIONS, NetworkConfig, Networks, build_networks
from .penalties import make_penalty
from .scores import SCORES, anomaly_scores, to_paper_scale
from .training import TrainConfig, train
from .utils import (
    SCALERS,
    ThreadLimit,
    check_int,
    check_widths,
    crop_images,
    fit_scaler,
    pad_images,
    private_rng,
    seed_from,
)

__all__ = ["ALAD", "RCGAN"]


class RCGAN(OutlierMixin, BaseEstimator):
    """Regularized Cycle Consistent GAN for anomaly detection.

    Trains an encoder E, a generator G and discriminators D_xz(x, z) and
    D_xx(x, x') on normal data by the minimax objective of Eq. (10): the
    ALI-style objective with the penalty term of Eq. (4), in which samples of
    a penalty distribution t(x) are fake pairs (x, E(x)) for D_xz, plus the
    cycle consistency of Eq. (9). Anomalies are scored by Eq. (11),
    A(x) = 1 - D_xx(x, G(E(x))), or by the feature-matching score Eq. (12).

    Parameters
    ----------
    penalty : {"normal", "uniform", "normal-wide"}, callable or None, \
            default="normal-wide"
        Penalty distribution t(x) on the scaled data (see
        :mod:`rcgan.penalties`). "normal" is the paper's N(0, s^2 I);
        "normal-wide" adds a radial component that reaches past the data so
        that far outliers are penalised too (the paper's Section 6
        limitation); None is the ablation without t(x) (Table 3).
    penalty_scale : float, default=1.0
        s above: standard deviation ("normal") or half-width ("uniform").
    penalty_dxx : bool, default=True
        Carry the penalty over to D_xx: identity pairs (x_t, x_t) of penalty
        samples are shown as fake, so that D_xx, and with it A(x) of
        Eq. (11), learns what t covers and q does not, as D_xz does by
        Proposition 1. The paper's Eq. (9) has no such term
        (False); without it, the Eq. (11) score ranked Thyroid's anomalies
        below its normal rows in our runs (see the README). No effect
        without a penalty.
    latent_dim : int, default=32
        Dimension of z.
    encoder_hidden : tuple of int, default=(64,)
        Hidden widths of E.
    generator_hidden : tuple of int, default=(64, 128)
        Hidden widths of G.
    disc_hidden : int, default=128
        Width of the branches and the joint layer of D_xz.
    disc_xx_hidden : tuple of int, default=(128,)
        Hidden widths of D_xx (the last is the feature layer of Eq. 12).
    disc_zz_hidden : tuple of int, default=(32,)
        Hidden widths of D_zz (used when ``discriminator_zz``).
    discriminator_zz : bool, default=False
        Add ALAD's latent cycle discriminator D_zz.
    dropout : float, default=0.2
        Dropout of the discriminators in training (never at scoring).
    activation : {"leaky_relu", "relu", "tanh", "elu"}, default="leaky_relu"
        Hidden activation of E and the discriminators.
    spectral_norm : bool, default=False
        Spectral normalisation of the discriminators.
    conv_width : int, default=64
        Channels of the first convolution of the image networks (ALAD's
        CIFAR-10 networks use 128); doubled at each stride-2 layer.
    epochs : int, default=100
        Full passes over the training data.
    batch_size : int, default=50
        Minibatch size (ALAD's KDDCUP99 setting).
    learning_rate : float, default=1e-4
        Adam learning rate.
    beta1 : float, default=0.5
        Adam's beta1 (ALAD); beta2 is 0.999.
    ema : float or None, default=0.999
        Decay of the weight average used for scoring (ALAD), None to score
        with the last weights.
    score : {"discriminator", "fm_l1", "fm_l2", "l1", "l2"}, \
            default="discriminator"
        Anomaly score (see :mod:`rcgan.scores`).
    scaler : {"standard", "minmax", "unit"} or None, default="standard"
        Per-feature scaling fitted on the training data: zero mean and unit
        variance, or the training range mapped to [-1, 1]. t(x) = N(0, I)
        only makes sense on scaled data.
    contamination : float, default=0.1
        Expected share of outliers, in (0, 0.5]; sets ``offset_`` as that
        quantile of the training scores.
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

    Attributes
    ----------
    networks_ : Networks
        Trained E, G, D_xz, D_xx (and D_zz); ``encoder_``, ``generator_``
        and ``discriminator_xx_`` are shortcuts.
    center_, scale_ : ndarray of shape (n_features_in_,)
        Scaling: the networks see ``(X - center_) / scale_``.
    offset_ : float
        Threshold on ``score_samples`` (see ``decision_function``).
    history_ : dict of lists
        Per-epoch mean losses ("loss_d", "loss_eg").
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

    def __init__(
        self,
        *,
        penalty="normal-wide",
        penalty_scale=1.0,
        penalty_dxx=True,
        latent_dim=32,
        encoder_hidden=(64,),
        generator_hidden=(64, 128),
        disc_hidden=128,
        disc_xx_hidden=(128,),
        disc_zz_hidden=(32,),
        discriminator_zz=False,
        dropout=0.2,
        activation="leaky_relu",
        spectral_norm=False,
        conv_width=64,
        epochs=100,
        batch_size=50,
        learning_rate=1e-4,
        beta1=0.5,
        ema=0.999,
        score="discriminator",
        scaler="standard",
        contamination=0.1,
        random_state=None,
        device="cpu",
        n_jobs=1,
        verbose=False,
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
        self.activation = activation
        self.spectral_norm = spectral_norm
        self.conv_width = conv_width
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.beta1 = beta1
        self.ema = ema
        self.score = score
        self.scaler = scaler
        self.contamination = contamination
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ------------------------------------------------------------------ checks
    def _validate_params(self) -> None:
        make_penalty(self.penalty, self.penalty_scale)  # raises on bad name / scale
        check_int("latent_dim", self.latent_dim, 1)
        check_int("disc_hidden", self.disc_hidden, 1)
        check_int("conv_width", self.conv_width, 1)
        check_int("epochs", self.epochs, 0)
        check_int("batch_size", self.batch_size, 1)
        for name in ("encoder_hidden", "generator_hidden", "disc_xx_hidden", "disc_zz_hidden"):
            check_widths(name, getattr(self, name))
        if not self.disc_xx_hidden:
            raise ValueError("disc_xx_hidden needs at least one layer (Eq. 12's feature layer)")
        if not (isinstance(self.dropout, numbers.Real) and 0 <= self.dropout < 1):
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"activation={self.activation!r} is not supported; "
                f"valid names: {sorted(ACTIVATIONS)}"
            )
        lr = self.learning_rate
        if not (isinstance(lr, numbers.Real) and not isinstance(lr, bool) and 0 < lr < np.inf):
            raise ValueError(f"learning_rate must be a positive number, got {self.learning_rate!r}")
        if not (isinstance(self.beta1, numbers.Real) and 0 <= self.beta1 < 1):
            raise ValueError(f"beta1 must be in [0, 1), got {self.beta1!r}")
        if self.ema is not None and not (isinstance(self.ema, numbers.Real) and 0 < self.ema < 1):
            raise ValueError(f"ema must be None or in (0, 1), got {self.ema!r}")
        if self.score not in SCORES:
            raise ValueError(
                f"score={self.score!r} is not a known score; valid names: {sorted(SCORES)}"
            )
        if self.scaler not in SCALERS or self.scaler == "image":
            raise ValueError(
                f"scaler must be one of 'standard', 'minmax', 'unit' or None, got {self.scaler!r}"
            )
        c = self.contamination
        if not (isinstance(c, numbers.Real) and not isinstance(c, bool) and 0 < c <= 0.5):
            raise ValueError(f"contamination must be in (0, 0.5], got {c!r}")
        if self.n_jobs is not None and self.n_jobs != -1:
            check_int("n_jobs", self.n_jobs, 1)
        for name in ("penalty_dxx", "discriminator_zz", "spectral_norm"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        try:
            device = torch.device(self.device)
        except (RuntimeError, TypeError) as err:
            raise ValueError(f"device={self.device!r} is not a valid torch device") from err
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"device={self.device!r}: CUDA is not available on this machine")

    def _network_config(
        self, n_features: int, image_shape: tuple[int, ...] | None = None
    ) -> NetworkConfig:
        if image_shape is not None:
            n_features = image_shape[0] * 32 * 32
        return NetworkConfig(
            n_features=n_features,
            image_shape=None if image_shape is None else (int(image_shape[0]), 32, 32),
            conv_width=int(self.conv_width),
            latent_dim=int(self.latent_dim),
            encoder_hidden=tuple(int(w) for w in self.encoder_hidden),
            generator_hidden=tuple(int(w) for w in self.generator_hidden),
            disc_hidden=int(self.disc_hidden),
            disc_xx_hidden=tuple(int(w) for w in self.disc_xx_hidden),
            disc_zz_hidden=tuple(int(w) for w in self.disc_zz_hidden),
            dropout=float(self.dropout),
            activation=self.activation,
            spectral_norm=bool(self.spectral_norm),
            with_dzz=bool(self.discriminator_zz),
        )

    # ----------------------------------------------------------------- scaling
    def _fit_scaler(self, X: np.ndarray) -> None:
        # images: one pixel range for the whole image, mapped to [-1, 1]
        kind = self.scaler if self.image_shape_ is None else "image"
        self.center_, self.scale_ = fit_scaler(X, kind)

    def _split_images(self, X, reset: bool):
        """2-D view of ``X`` and its image shape (C, H, W), or None for tables."""
        if not (isinstance(X, np.ndarray) and X.ndim in (3, 4)):
            return X, None
        shape = (1, *X.shape[1:]) if X.ndim == 3 else tuple(X.shape[1:])
        if tuple(shape[1:]) not in ((28, 28), (32, 32)):
            raise ValueError(
                f"images must be 28 x 28 or 32 x 32 (shape (n, C, H, W) or (n, H, W)), "
                f"got {X.shape}"
            )
        if not reset and tuple(shape) != tuple(self.image_shape_ or ()):
            raise ValueError(
                f"images of shape {shape}, but the model was fitted on {self.image_shape_}"
            )
        return X.reshape(X.shape[0], -1), tuple(int(v) for v in shape)

    def _prepare(self, x: torch.Tensor) -> torch.Tensor:
        """Scaled flat rows -> (n, C, 32, 32) images (padding with -1)."""
        return pad_images(x, self.image_shape_)

    def _to_tensor(self, X: np.ndarray) -> torch.Tensor:
        """Scaled float32 copy of ``X`` on the device (for training)."""
        Xs = (np.asarray(X, dtype=np.float64) - self.center_) / self.scale_
        x = torch.as_tensor(Xs, dtype=torch.float32, device=self.device)
        return x if self.image_shape_ is None else self._prepare(x)

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
        self._validate_params()
        X, self.image_shape_ = self._split_images(X, reset=True)
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=1)
        seed = seed_from(self.random_state)
        self._fit_scaler(X)
        device = torch.device(self.device)
        with ThreadLimit(self.n_jobs):
            xt = self._to_tensor(X)
            data_radius = float(xt.flatten(1).norm(dim=1).max()) if xt.shape[0] else 0.0
            penalty = make_penalty(self.penalty, self.penalty_scale, data_radius)
            with private_rng(device, seed):
                net_config = self._network_config(X.shape[1], self.image_shape_)
                nets = build_networks(net_config).to(device)
                generator = torch.Generator(device=device)
                generator.manual_seed(seed)
                config = TrainConfig(
                    epochs=int(self.epochs),
                    batch_size=int(self.batch_size),
                    learning_rate=float(self.learning_rate),
                    betas=(float(self.beta1), 0.999),
                    ema=None if self.ema is None else float(self.ema),
                    penalty_xx=bool(self.penalty_dxx),
                )
                self.history_ = train(
                    nets, xt, config, generator, penalty=penalty, verbose=bool(self.verbose)
                )
            self.networks_ = nets
            self.data_radius_ = data_radius
            train_scores = anomaly_scores(nets, xt, self.score).numpy()
        self.offset_ = float(np.percentile(-train_scores, 100.0 * self.contamination))
        return self

    # ----------------------------------------------------------------- scoring
    def _raw_scores(self, X) -> np.ndarray:
        check_is_fitted(self, "networks_")
        # float32 input stays float32 (no copy); scaling happens chunk-wise
        X, _ = self._split_images(X, reset=False)
        X = validate_data(self, X, dtype=(np.float64, np.float32), reset=False)
        with ThreadLimit(self.n_jobs):
            raw = anomaly_scores(
                self.networks_,
                torch.from_numpy(np.ascontiguousarray(X)),
                self.score,
                center=torch.from_numpy(self.center_),
                scale=torch.from_numpy(self.scale_),
                prepare=None if self.image_shape_ is None else self._prepare,
            )
        return raw.numpy()

    def score_samples(self, X) -> np.ndarray:
        """Normality score of each row (higher = more normal).

        For ``score="discriminator"`` this is the D_xx logit l(x, G(E(x)));
        otherwise minus the distance of Eq. (12) or the reconstruction error.
        """
        return -self._raw_scores(X)

    def decision_function(self, X) -> np.ndarray:
        """``score_samples(X) - offset_``; negative values are outliers."""
        return self.score_samples(X) - self.offset_

    def predict(self, X) -> np.ndarray:
        """-1 for outliers, +1 for inliers (threshold from ``contamination``)."""
        return np.where(self.decision_function(X) < 0, -1, 1)

    def anomaly_score(self, X) -> np.ndarray:
        """The paper's A(x): higher = more anomalous.

        Eq. (11), 1 - D_xx(x, G(E(x))), for ``score="discriminator"``;
        Eq. (12) for "fm_l1"/"fm_l2"; the reconstruction error otherwise.
        Ranking equals that of ``-score_samples`` (use the latter to avoid
        ties where D_xx saturates in floating point).
        """
        raw = torch.from_numpy(self._raw_scores(X))
        return to_paper_scale(raw, self.score).numpy()

    def reconstruct(self, X) -> np.ndarray:
        """G(E(x)) in the units and shape of ``X`` (eval mode, batched).

        For images, the reconstruction of the padded 32 x 32 image is cropped
        back to the input size.
        """
        check_is_fitted(self, "networks_")
        X2, _ = self._split_images(X, reset=False)
        X2 = validate_data(self, X2, dtype=np.float64, reset=False)
        nets = self.networks_
        out = []
        with ThreadLimit(self.n_jobs), torch.inference_mode():
            nets.eval()
            for start in range(0, X2.shape[0], 512):
                x = self._to_tensor(X2[start : start + 512])
                rec = nets.reconstruct(x)
                if self.image_shape_ is not None:
                    rec = crop_images(rec, self.image_shape_)
                out.append(rec.reshape(rec.shape[0], -1).to("cpu", torch.float64).numpy())
        rec = (
            np.concatenate(out) * self.scale_ + self.center_ if out else np.zeros((0, X2.shape[1]))
        )
        return rec.reshape(np.shape(X)) if isinstance(X, np.ndarray) else rec

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

    # ------------------------------------------------------------ persistence
    def save(self, path) -> None:
        """Write the fitted model to ``path`` (safetensors + JSON, no pickle).

        See :mod:`rcgan.persistence` for the format.
        """
        check_is_fitted(self, "networks_")
        fitted = {
            "offset_": self.offset_,
            "n_features_in_": int(self.n_features_in_),
            "data_radius_": self.data_radius_,
            "history_": self.history_,
            "image_shape_": None if self.image_shape_ is None else list(self.image_shape_),
        }
        arrays = {"center_": self.center_, "scale_": self.scale_}
        params = self.get_params()
        if isinstance(params["random_state"], numbers.Integral):
            params["random_state"] = int(params["random_state"])
        elif params["random_state"] is not None:
            params["random_state"] = None  # a RandomState object is not stored
        persistence.save_model(
            path,
            estimator=type(self).__name__,
            params=params,
            network_config=asdict(self.networks_.config),
            fitted=fitted,
            arrays=arrays,
            state_dict=self.networks_.state_dict(),
        )

    @classmethod
    def load(cls, path, device: str | None = None):
        """Read a model written by :meth:`save`.

        Parameters
        ----------
        path : str or Path
        device : str, optional
            Device to load onto (default: the saved ``device`` parameter,
            or "cpu" if that is not available here).

        Raises
        ------
        ValueError
            If the file is not an rcgan model, is corrupted or was altered,
            or holds a different estimator class.
        """
        content = persistence.load_model(path)
        name = content.get("estimator")
        classes = {"RCGAN": RCGAN, "ALAD": ALAD}
        if name not in classes or not issubclass(classes[name], cls):
            raise ValueError(f"{path} holds a {name!r} model, not a {cls.__name__}")
        try:
            return classes[name]._from_content(content, device)
        except (TypeError, KeyError, AttributeError, ValueError, RuntimeError) as err:
            raise ValueError(f"{path}: invalid model file ({err})") from err

    @classmethod
    def _from_content(cls, content: dict, device: str | None):
        """Rebuild a fitted estimator from a verified file's content.

        Every piece is validated before use (a file can pass its checksum and
        still have been written by hand): the parameters as in ``fit``, the
        network configuration against the parameters, the tensor shapes
        against networks built on the "meta" device (no memory is allocated
        for them), the fitted scalars by name and type, and the scaling
        arrays by shape, finiteness and sign.
        """
        params = {k: tuple(v) if isinstance(v, list) else v for k, v in content["params"].items()}
        est = cls(**params)
        if device is not None:
            est.device = device
        elif torch.device(est.device).type == "cuda" and not torch.cuda.is_available():
            est.device = "cpu"
        est._validate_params()

        fitted = content["fitted"]
        expected = {"offset_", "n_features_in_", "data_radius_", "history_", "image_shape_"}
        if set(fitted) != expected:
            raise ValueError(f"fitted attributes {sorted(fitted)}, expected {sorted(expected)}")
        n_features = fitted["n_features_in_"]
        check_int("n_features_in_", n_features, 1)
        for key in ("offset_", "data_radius_"):
            if not (isinstance(fitted[key], float) and np.isfinite(fitted[key])):
                raise ValueError(f"{key} must be a finite number")
        history = fitted["history_"]
        if not (isinstance(history, dict) and all(isinstance(v, list) for v in history.values())):
            raise ValueError("history_ must map names to lists")
        image_shape = fitted["image_shape_"]
        if image_shape is not None:
            ok = (
                isinstance(image_shape, list)
                and len(image_shape) == 3
                and all(isinstance(v, int) and v > 0 for v in image_shape)
                and tuple(image_shape[1:]) in ((28, 28), (32, 32))
                and image_shape[0] * image_shape[1] * image_shape[2] == n_features
            )
            if not ok:
                raise ValueError(f"image_shape_ {image_shape!r} is not valid")
            image_shape = tuple(image_shape)

        config = NetworkConfig(
            **{
                k: tuple(v) if isinstance(v, list) else v
                for k, v in content["network_config"].items()
            }
        )
        if config != est._network_config(n_features, image_shape):
            raise ValueError("the network configuration does not match the parameters")
        with torch.device("meta"):
            shapes = {k: v.shape for k, v in Networks(config).state_dict().items()}
        state = content["state_dict"]
        got = {k: v.shape for k, v in state.items()}
        if got != shapes:
            raise ValueError("the weights do not match the network configuration")

        arrays = content["arrays"]
        for key in ("center_", "scale_"):
            a = arrays[key]
            if a.shape != (n_features,) or a.dtype != np.float64 or not np.all(np.isfinite(a)):
                raise ValueError(f"{key} must be {n_features} finite float64 values")
        if np.any(arrays["scale_"] <= 0):
            raise ValueError("scale_ must be positive")

        with torch.random.fork_rng(devices=[]):  # initialisation draws stay private
            nets = Networks(config)
        nets.load_state_dict(state, strict=True)
        est.networks_ = nets.to(est.device).eval()
        est.offset_ = float(fitted["offset_"])
        est.data_radius_ = float(fitted["data_radius_"])
        est.history_ = history
        est.n_features_in_ = int(n_features)
        est.image_shape_ = image_shape
        est.center_, est.scale_ = arrays["center_"], arrays["scale_"]
        return est

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


class ALAD(RCGAN):
    """ALAD (Zenati et al. 2018) under the same networks and loop as RCGAN.

    RCGAN without the penalty distribution (Eq. 2 + Eq. 9) and with the
    latent cycle discriminator D_zz; ALAD scores with the feature-matching
    distance of Eq. (12) (L1, as its reference code). All parameters are
    those of :class:`RCGAN`, with ``penalty=None``, ``discriminator_zz=True``
    and ``score="fm_l1"`` by default.
    """

    def __init__(
        self,
        *,
        penalty=None,
        penalty_scale=1.0,
        penalty_dxx=True,
        latent_dim=32,
        encoder_hidden=(64,),
        generator_hidden=(64, 128),
        disc_hidden=128,
        disc_xx_hidden=(128,),
        disc_zz_hidden=(32,),
        discriminator_zz=True,
        dropout=0.2,
        activation="leaky_relu",
        spectral_norm=False,
        conv_width=64,
        epochs=100,
        batch_size=50,
        learning_rate=1e-4,
        beta1=0.5,
        ema=0.999,
        score="fm_l1",
        scaler="standard",
        contamination=0.1,
        random_state=None,
        device="cpu",
        n_jobs=1,
        verbose=False,
    ):
        super().__init__(
            penalty=penalty,
            penalty_scale=penalty_scale,
            penalty_dxx=penalty_dxx,
            latent_dim=latent_dim,
            encoder_hidden=encoder_hidden,
            generator_hidden=generator_hidden,
            disc_hidden=disc_hidden,
            disc_xx_hidden=disc_xx_hidden,
            disc_zz_hidden=disc_zz_hidden,
            discriminator_zz=discriminator_zz,
            dropout=dropout,
            activation=activation,
            spectral_norm=spectral_norm,
            conv_width=conv_width,
            epochs=epochs,
            batch_size=batch_size,
            learning_rate=learning_rate,
            beta1=beta1,
            ema=ema,
            score=score,
            scaler=scaler,
            contamination=contamination,
            random_state=random_state,
            device=device,
            n_jobs=n_jobs,
            verbose=verbose,
        )
