"""The one preprocessor: per-feature scaling and the image layout.

:class:`Preprocessor` is fitted once on the training rows and then used by
every path that feeds a network: training, chunked scoring, reconstruction
(its inverse), ONNX export (:meth:`Preprocessor.module`, the same
arithmetic as a torch module) and the deep baselines. ``"standard-log"``
standardises, then compresses each value beyond :data:`TAIL_KNEE` standard
deviations logarithmically (monotone, so ranks within a feature are kept,
and invertible). Images (flattened
rows of a C x H x W image) are reshaped and, when 28 x 28, padded to the
32 x 32 the convolutional networks take (:data:`IMAGE_SIZE`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

__all__ = [
    "CLAMP",
    "IMAGE_SIZE",
    "IMAGE_SIZES",
    "SCALERS",
    "TAIL_KNEE",
    "Preprocessor",
    "compress_tails",
    "compress_tails_",
    "crop_images",
    "fit_scaler",
    "network_image_shape",
    "pad_images",
]

SCALERS = ("standard", "standard-log", "minmax", "unit", "image", None)
#: ``"standard-log"``: standardised values beyond this many standard
#: deviations grow logarithmically, knee + log(1 + |z| - knee)
TAIL_KNEE = 3.0
#: side of the square images the convolutional networks take
IMAGE_SIZE = 32
#: image sizes (H, W) accepted as input; 28 x 28 is padded to IMAGE_SIZE
IMAGE_SIZES = ((28, 28), (IMAGE_SIZE, IMAGE_SIZE))
#: scaled values are clamped to [-CLAMP, CLAMP] before float32: a finite but
#: extreme input (1e38, 1e300) stays finite and ranks as the most anomalous
CLAMP = 1e4


def fit_scaler(X: np.ndarray, kind: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature ``(center, scale)`` so that ``(X - center) / scale`` is scaled.

    ``"standard"`` (and ``"standard-log"``, whose tail compression
    :class:`Preprocessor` applies after this): mean and standard deviation;
    ``"minmax"``: the training
    range mapped to [-1, 1]; ``"unit"``: the training range mapped to [0, 1];
    ``"image"``: one range for all features (pixels) mapped to [-1, 1];
    ``None``: identity. Constant features get scale 1.
    """
    n_features = X.shape[1]
    if kind in ("standard", "standard-log"):
        with np.errstate(over="ignore", invalid="ignore"):
            center, scale = X.mean(axis=0), X.std(axis=0)
        overflow = ~(np.isfinite(center) & np.isfinite(scale))
        if overflow.any():  # values near the float64 limit: the same statistics, rescaled
            peak = np.abs(X[:, overflow]).max(axis=0)
            center, scale = center.copy(), scale.copy()
            center[overflow] = peak * (X[:, overflow] / peak).mean(axis=0)
            scale[overflow] = peak * (X[:, overflow] / peak).std(axis=0)
    elif kind == "minmax":
        lo, hi = X.min(axis=0), X.max(axis=0)
        center, scale = (hi + lo) / 2.0, (hi - lo) / 2.0
    elif kind == "unit":
        lo, hi = X.min(axis=0), X.max(axis=0)
        center, scale = lo, hi - lo
    elif kind == "image":
        lo, hi = float(X.min()), float(X.max())
        center, scale = np.full(n_features, (hi + lo) / 2.0), np.full(n_features, (hi - lo) / 2.0)
    elif kind is None:
        center, scale = np.zeros(n_features), np.ones(n_features)
    else:
        raise ValueError(f"scaler must be one of {SCALERS}, got {kind!r}")
    if not (np.isfinite(center).all() and np.isfinite(scale).all()):
        bad = np.flatnonzero(~(np.isfinite(center) & np.isfinite(scale)))
        raise ValueError(
            f"features {bad[:10].tolist()} are too large to scale (their center or spread "
            "overflows float64): divide the data by a constant first"
        )
    scale = np.where(scale > 1e-12, scale, 1.0)
    return np.asarray(center, dtype=np.float64), np.asarray(scale, dtype=np.float64)


def compress_tails(z, knee: float):
    """``z`` where ``|z| <= knee``, else ``sign(z) (knee + log(1 + |z| - knee))``.

    Continuous with slope 1 at the knee, monotone, unbounded; works on NumPy
    arrays and torch tensors alike. A feature whose training rows reach
    hundreds of standard deviations (a rare one-hot category, a heavy-tailed
    count) then spans a few units instead of hundreds, so it no longer
    dominates distances, reconstruction errors and the penalty's radius.
    """
    lib = torch if isinstance(z, torch.Tensor) else np
    a = lib.abs(z)
    return lib.where(a <= knee, z, lib.sign(z) * (knee + lib.log1p(lib.clip(a - knee, 0, None))))


def compress_tails_(z: torch.Tensor, knee: float) -> torch.Tensor:
    """:func:`compress_tails` of a torch tensor, in place, with the same bits.

    Only the entries beyond the knee (few on most data) go through the
    logarithm: the others are left as they are, which is what
    :func:`compress_tails` returns for them. Where ``|z| > knee``,
    ``|z| - knee`` is positive, so its clip at 0 is the identity. Returns ``z``.
    """
    where = (z.abs() > knee).nonzero(as_tuple=True)
    if where[0].numel():
        tail = z[where]
        z[where] = tail.abs().sub_(knee).log1p_().add_(knee).mul_(tail.sign())
    return z


def expand_tails(y, knee: float):
    """The inverse of :func:`compress_tails`."""
    lib = torch if isinstance(y, torch.Tensor) else np
    a = lib.abs(y)
    excess = lib.clip(a - knee, 0, float(np.log1p(CLAMP)))  # at most the image of CLAMP
    return lib.where(a <= knee, y, lib.sign(y) * (knee + lib.expm1(excess)))


def network_image_shape(shape: tuple[int, ...]) -> tuple[int, int, int]:
    """(C, H, W) of input images -> (C, 32, 32), the convolutional networks' input."""
    return (int(shape[0]), IMAGE_SIZE, IMAGE_SIZE)


def pad_images(x: torch.Tensor, shape: tuple[int, int, int]) -> torch.Tensor:
    """Scaled flat rows -> (n, C, 32, 32) images; 28 x 28 padded with -1."""
    c, h, w = shape
    x = x.reshape(-1, c, h, w)
    pad = (IMAGE_SIZE - h) // 2
    return torch.nn.functional.pad(x, (pad, pad, pad, pad), value=-1.0) if pad else x


def crop_images(x: torch.Tensor, shape: tuple[int, int, int]) -> torch.Tensor:
    """Undo :func:`pad_images`: (n, C, 32, 32) -> (n, C, H, W)."""
    pad = (IMAGE_SIZE - shape[1]) // 2
    return x[:, :, pad:-pad, pad:-pad] if pad else x


@dataclass
class Preprocessor:
    """Fitted scaling ``(x - center) / scale`` and optional image layout.

    Parameters
    ----------
    center, scale : ndarray of shape (n_features,), float64
    image_shape : (C, H, W) or None
        Set when the rows are flattened images.
    knee : float or None
        If set, scaled values are then passed through :func:`compress_tails`
        (the ``"standard-log"`` scaler).
    """

    center: np.ndarray
    scale: np.ndarray
    image_shape: tuple[int, int, int] | None = None
    knee: float | None = None

    @classmethod
    def fit(
        cls, X: np.ndarray, kind: str | None, image_shape: tuple[int, int, int] | None = None
    ) -> Preprocessor:
        """Fit on training rows; images always use one pixel range ("image").

        Warns when scaled training values reach beyond +-:data:`CLAMP` (with
        ``scaler=None`` on data in the thousands or more): they are clipped
        there, so rows that differ only beyond it score alike.
        """
        center, scale = fit_scaler(X, "image" if image_shape is not None else kind)
        if X.shape[0]:
            with np.errstate(over="ignore", invalid="ignore"):
                reach = np.maximum(X.max(axis=0) - center, center - X.min(axis=0)) / scale
            clipped = np.flatnonzero(~(reach <= CLAMP))
            if clipped.size:
                warnings.warn(
                    f"features {clipped[:10].tolist()} reach {float(np.max(reach)):.3g} after "
                    f"scaling (scaler={kind!r}) and are clipped to +-{CLAMP:g}: rows that differ "
                    "only beyond it score alike; use a scaler such as 'standard'",
                    UserWarning,
                    stacklevel=3,
                )
        return cls(center, scale, image_shape, cls.knee_for(kind, image_shape))

    @staticmethod
    def knee_for(kind: str | None, image_shape: tuple[int, int, int] | None) -> float | None:
        """The tail knee of scaler ``kind`` (``"standard-log"``) for tables, else None.

        Images are never compressed.
        """
        return TAIL_KNEE if kind == "standard-log" and image_shape is None else None

    def scaled(self, X: np.ndarray) -> np.ndarray:
        """Rows of ``X`` scaled in float64 as the networks see them (clamped, compressed)."""
        Xs = np.clip((np.asarray(X, dtype=np.float64) - self.center) / self.scale, -CLAMP, CLAMP)
        return Xs if self.knee is None else compress_tails(Xs, self.knee)

    def layout(self, x: torch.Tensor) -> torch.Tensor:
        """Scaled flat rows -> the networks' input shape (images padded)."""
        return x if self.image_shape is None else pad_images(x, self.image_shape)

    def to_tensor(self, X: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
        """All rows, scaled in float64, as float32 network input (training)."""
        return self.layout(torch.as_tensor(self.scaled(X), dtype=torch.float32, device=device))

    def chunk_transform(self, device: torch.device, dtype: torch.dtype):
        """A function scaling one chunk in ``dtype`` (the input's precision), then float32."""
        center = torch.from_numpy(self.center).to(device, dtype)
        scale = torch.from_numpy(self.scale).to(device, dtype)

        def transform(chunk: torch.Tensor) -> torch.Tensor:
            # in place on the new tensor that sub returns: the same bits as
            # ((chunk - center) / scale).clamp(...) and compress_tails, fewer passes
            scaled = chunk.to(device).sub(center).div_(scale).clamp_(-CLAMP, CLAMP)
            if self.knee is not None:
                scaled = compress_tails_(scaled, self.knee)
            return self.layout(scaled.to(torch.float32))

        return transform

    def inverse(self, x: torch.Tensor) -> np.ndarray:
        """Network output -> rows in the input units (images cropped, flattened)."""
        if self.image_shape is not None:
            x = crop_images(x, self.image_shape)
        flat = x.reshape(x.shape[0], -1).to("cpu", torch.float64).numpy()
        if self.knee is not None:
            flat = expand_tails(flat, self.knee)
        return flat * self.scale + self.center

    def module(self) -> nn.Module:
        """The forward transform as a float32 torch module (for ONNX export)."""
        return _PreprocessModule(self)


class _PreprocessModule(nn.Module):
    def __init__(self, pre: Preprocessor) -> None:
        super().__init__()
        self.image_shape = pre.image_shape
        self.knee = pre.knee
        self.register_buffer("center", torch.as_tensor(pre.center, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(pre.scale, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = ((x - self.center) / self.scale).clamp(-CLAMP, CLAMP)
        if self.knee is not None:
            x = compress_tails(x, self.knee)
        return x if self.image_shape is None else pad_images(x, self.image_shape)
