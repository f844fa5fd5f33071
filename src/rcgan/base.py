"""The one base of every torch detector: parameters, validation, sign methods.

Every detector of the package (:class:`rcgan.RCGAN`, :class:`rcgan.ALAD` and
the deep baselines of :mod:`rcgan.baselines`) derives from
:class:`Detector`. A detector declares each constructor parameter once, in
its ``_params`` table, as a :class:`Param` (default and check); the table
drives :meth:`Detector._validate_params`, and ``tests/test_base.py`` checks
that every ``__init__`` signature has exactly the declared names and
defaults. So the same bad value gets the same error class (``ValueError``)
and message shape from every detector.

Sign conventions, written once here:

- ``anomaly_score(X)``: higher = more anomalous (the paper's A(x));
- ``score_samples(X)``: higher = more normal (scikit-learn), minus the raw
  anomaly score;
- ``decision_function(X) = score_samples(X) - offset_``: negative = outlier;
- ``predict(X)``: -1 for outliers, +1 for inliers.
"""

from __future__ import annotations

import importlib
import inspect
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.utils.validation import check_is_fitted, validate_data
from torch import nn

from . import persistence
from .preprocessing import SCALERS, Preprocessor
from .utils import ThreadLimit, seed_from

__all__ = [
    "Detector",
    "Param",
    "boolean",
    "common_params",
    "integer",
    "one_of",
    "real",
    "widths",
    "with_defaults",
]

Check = Callable[[str, Any], None]


@dataclass(frozen=True)
class Param:
    """One constructor parameter: its default and its check."""

    default: Any
    check: Check


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def integer(low: int, optional: bool = False) -> Check:
    """An integer >= ``low`` (bools refused); None too if ``optional``."""

    def check(name: str, value: Any) -> None:
        if optional and value is None:
            return
        ok = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
        if not ok or value < low:
            extra = " or None" if optional else ""
            raise ValueError(f"{name} must be an integer >= {low}{extra}, got {value!r}")

    return check


def real(
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = True,
    high_open: bool = True,
    optional: bool = False,
) -> Check:
    """A finite real number in the interval (bools refused); None if ``optional``."""
    left, right = "(" if low_open else "[", ")" if high_open else "]"

    def check(name: str, value: Any) -> None:
        if optional and value is None:
            return
        ok = _is_real(value) and math.isfinite(value)
        ok = ok and (value > low if low_open else value >= low)
        ok = ok and (value < high if high_open else value <= high)
        if not ok:
            extra = " or None" if optional else ""
            raise ValueError(
                f"{name} must be a number in {left}{low}, {high}{right}{extra}, got {value!r}"
            )

    return check


def boolean(name: str, value: Any) -> None:
    """True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")


def one_of(*options: Any) -> Check:
    """One of ``options`` (compared with ``==``, type-strict for bools)."""

    def check(name: str, value: Any) -> None:
        if isinstance(value, (bool, np.bool_)) or not any(
            value is o or (o is not None and value == o) for o in options
        ):
            raise ValueError(f"{name}={value!r} is not valid; valid values: {list(options)}")

    return check


def widths(min_layers: int = 0) -> Check:
    """A tuple (or list) of positive integers, with at least ``min_layers``."""

    def check(name: str, value: Any) -> None:
        ok = isinstance(value, (tuple, list)) and all(
            isinstance(w, numbers.Integral) and not isinstance(w, (bool, np.bool_)) and w >= 1
            for w in value
        )
        if not ok or len(value) < min_layers:
            raise ValueError(
                f"{name} must be a tuple of at least {min_layers} positive integers, got {value!r}"
            )

    return check


def _anything(name: str, value: Any) -> None:
    """No check (``random_state`` is checked by scikit-learn when used)."""


def _device(name: str, value: Any) -> None:
    try:
        device = torch.device(value)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"{name}={value!r} is not a valid torch device") from err
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"{name}={value!r}: CUDA is not available on this machine")


def _n_jobs(name: str, value: Any) -> None:
    if value is None or (value == -1 and not isinstance(value, (bool, np.bool_))):
        return
    integer(1)(name, value)


def _verbose(name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_, numbers.Integral)):
        raise ValueError(f"{name} must be True or False, got {value!r}")


def common_params(
    *, epochs: Any, batch_size: int, learning_rate: float, scaler: str | None
) -> dict[str, Param]:
    """The parameters every torch detector has, with the class's defaults."""
    return {
        "epochs": Param(epochs, integer(0)),
        "batch_size": Param(batch_size, integer(1)),
        "learning_rate": Param(learning_rate, real(0.0)),
        "scaler": Param(scaler, one_of(*(s for s in SCALERS if s != "image"))),
        "contamination": Param(0.1, real(0.0, 0.5, high_open=False)),
        "random_state": Param(None, _anything),
        "device": Param("cpu", _device),
        "n_jobs": Param(1, _n_jobs),
        "verbose": Param(False, _verbose),
    }


#: every detector class by name (the ``estimator`` field of a model file)
_REGISTRY: dict[str, type[Detector]] = {}


class Detector(OutlierMixin, BaseEstimator):
    """Base of every torch detector (see the module docstring).

    The fit skeleton (:meth:`fit`: parameter and data checks, the fitted
    :class:`~rcgan.preprocessing.Preprocessor`, the thread limit, the
    threshold) and the model files (:meth:`save`, :meth:`load`) are written
    here once. A subclass sets ``_params`` and ``_module_name`` (the
    attribute holding its trained ``nn.Module``) and implements

    - ``_fit_networks(x, seed, device)``: train on the scaled tensor, return
      the training rows' anomaly scores;
    - ``_raw_scores(X)``: anomaly scores of new rows (higher = more anomalous);
    - ``_network_description()`` / ``_build_from(description, fitted)``: a
      JSON description of the networks for the model file, and the untrained
      module it describes (checked against the parameters);

    and may override ``_training_rows`` (images), ``_scaler_kind``,
    ``_validate_extra``, and, for fitted values beyond the common ones,
    ``_fitted_extra``/``_restore_extra`` (JSON values, names in
    ``_extra_keys``) and ``_fitted_tensor_shapes`` (tensors such as Deep
    SVDD's centre).
    """

    _params: ClassVar[dict[str, Param]] = {}
    #: fewest training rows accepted by ``fit``
    _min_samples: ClassVar[int] = 2
    #: the attribute holding the trained module
    _module_name: ClassVar[str] = "model_"
    #: names of the detector's own JSON fitted values in a model file
    _extra_keys: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls

    def _validate_params(self) -> None:
        for name, param in self._params.items():
            param.check(name, getattr(self, name))
        self._validate_extra()

    def _validate_extra(self) -> None:
        """Checks that involve several parameters (none by default)."""

    # ----------------------------------------------------------------- fit
    def _training_rows(self, X) -> tuple[Any, tuple[int, int, int] | None]:
        """2-D rows of ``X`` and their image shape (None: tables)."""
        return X, None

    def _scaler_kind(self) -> str | None:
        """Scaling fitted on the training rows (the ``scaler`` parameter)."""
        return self.scaler

    def _fit_networks(self, x: torch.Tensor, seed: int, device: torch.device) -> np.ndarray:
        raise NotImplementedError

    def fit(self, X, y=None):
        """Train on ``X`` (normal data). ``y`` is ignored."""
        self._validate_params()
        X, image_shape = self._training_rows(X)
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=self._min_samples)
        seed = seed_from(self.random_state)
        self.preprocessor_ = Preprocessor.fit(X, self._scaler_kind(), image_shape)
        device = torch.device(self.device)
        with ThreadLimit(self.n_jobs):
            x = self.preprocessor_.to_tensor(X, device)
            train_scores = self._fit_networks(x, seed, device)
        self._set_offset(train_scores)
        return self

    def _raw_scores(self, X) -> np.ndarray:
        raise NotImplementedError

    # ------------------------------------------------------------ model files
    def _network_description(self) -> dict[str, Any]:
        raise NotImplementedError

    def _build_from(self, description: dict[str, Any], fitted: dict[str, Any]) -> nn.Module:
        raise NotImplementedError

    def _fitted_extra(self) -> dict[str, Any]:
        """The detector's own JSON fitted values (names in ``_extra_keys``)."""
        return {}

    def _restore_extra(self, fitted: dict[str, Any]) -> None:
        """Check and set the values of :meth:`_fitted_extra` read from a file."""

    def _fitted_tensor_shapes(self, n_features: int) -> dict[str, tuple[int, ...]]:
        """Fitted tensor attributes outside the module, with their shapes."""
        return {}

    def save(self, path) -> None:
        """Write the fitted model to ``path`` (safetensors + JSON, no pickle).

        See :mod:`rcgan.persistence` for the format; :meth:`load` (or
        :func:`rcgan.load`) reads it back with every field checked.
        """
        check_is_fitted(self, self._module_name)
        fitted = {
            "offset_": float(self.offset_),
            "n_features_in_": int(self.n_features_in_),
            "history_": self.history_,
            "image_shape_": None
            if self.preprocessor_.image_shape is None
            else [int(v) for v in self.preprocessor_.image_shape],
            **self._fitted_extra(),
        }
        if hasattr(self, "feature_names_in_"):
            fitted["feature_names_in_"] = [str(v) for v in self.feature_names_in_]
        arrays = {"center_": self.preprocessor_.center, "scale_": self.preprocessor_.scale}
        for name in self._fitted_tensor_shapes(self.n_features_in_):
            arrays[name] = getattr(self, name).detach().to("cpu").numpy()
        params = self.get_params()
        if isinstance(params["random_state"], numbers.Integral):
            params["random_state"] = int(params["random_state"])
        elif params["random_state"] is not None:
            params["random_state"] = None  # a RandomState object is not stored
        persistence.save_model(
            path,
            estimator=type(self).__name__,
            params=params,
            network_config=self._network_description(),
            fitted=fitted,
            arrays=arrays,
            state_dict=getattr(self, self._module_name).state_dict(),
        )

    @classmethod
    def load(cls, path, device: str | None = None):
        """Read a model written by :meth:`save`.

        ``Detector.load`` (and :func:`rcgan.load`) reads any detector's
        file; ``RCGAN.load`` refuses a file of another class (ALAD's is
        accepted: ALAD is an RCGAN).

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
        if isinstance(name, str) and name not in _REGISTRY:
            importlib.import_module("rcgan.baselines")  # defines (registers) the baselines
        klass = _REGISTRY.get(name) if isinstance(name, str) else None
        if klass is None or not issubclass(klass, cls):
            raise ValueError(f"{path} holds a {name!r} model, not a {cls.__name__}")
        try:
            return klass._from_content(content, device)
        except (TypeError, KeyError, AttributeError, ValueError, RuntimeError) as err:
            raise ValueError(f"{path}: invalid model file ({err})") from err

    @classmethod
    def _from_content(cls, content: dict[str, Any], device: str | None):
        """Rebuild a fitted detector from a verified file's content.

        The parameters are checked as in ``fit``, the fitted values by
        :func:`rcgan.persistence.check_fitted` and the detector's own checks,
        the network description against the parameters, and the tensor
        shapes against networks built on the "meta" device (no memory is
        allocated for them).
        """
        est = cls(**persistence.params_from_file(content["params"]))
        if device is not None:
            est.device = device
        elif torch.device(est.device).type == "cuda" and not torch.cuda.is_available():
            est.device = "cpu"
        est._validate_params()
        arrays = content["arrays"]
        fitted = persistence.check_fitted(content["fitted"], arrays, cls._extra_keys)
        description = content["network_config"]
        with torch.device("meta"):
            state = est._build_from(description, fitted).state_dict()
            shapes = {k: v.shape for k, v in state.items()}
        persistence.check_state_shapes(shapes, content["state_dict"])
        with torch.random.fork_rng(devices=[]):  # initialisation draws stay private
            module = est._build_from(description, fitted)
        module.load_state_dict(content["state_dict"], strict=True)
        setattr(est, cls._module_name, module.to(est.device).eval())
        n_features = fitted["n_features_in_"]
        expected = {"center_", "scale_", *est._fitted_tensor_shapes(n_features)}
        if set(arrays) != expected:
            raise ValueError(f"arrays {sorted(arrays)}, expected {sorted(expected)}")
        for name, shape in est._fitted_tensor_shapes(n_features).items():
            a = arrays[name]
            if a.shape != shape or a.dtype != np.float32 or not np.all(np.isfinite(a)):
                raise ValueError(f"{name} must be finite float32 values of shape {shape}")
            setattr(est, name, torch.from_numpy(a.copy()).to(est.device))
        est.offset_ = fitted["offset_"]
        est.history_ = fitted["history_"]
        est.n_features_in_ = n_features
        if fitted["feature_names_in_"] is not None:
            est.feature_names_in_ = fitted["feature_names_in_"]
        est.preprocessor_ = Preprocessor(
            fitted["center_"], fitted["scale_"], fitted["image_shape_"]
        )
        est._restore_extra(fitted)
        return est

    @property
    def center_(self) -> np.ndarray:
        """Per-feature centre of the scaling (from ``preprocessor_``)."""
        check_is_fitted(self, "preprocessor_")
        return self.preprocessor_.center

    @property
    def scale_(self) -> np.ndarray:
        """Per-feature scale of the scaling (from ``preprocessor_``)."""
        check_is_fitted(self, "preprocessor_")
        return self.preprocessor_.scale

    def _set_offset(self, train_scores: np.ndarray) -> None:
        """``offset_``: the ``contamination`` quantile of the training normality scores."""
        self.offset_ = float(np.percentile(-np.asarray(train_scores), 100.0 * self.contamination))

    def anomaly_score(self, X) -> np.ndarray:
        """Per-row anomaly score, higher = more anomalous."""
        return self._raw_scores(X)

    def score_samples(self, X) -> np.ndarray:
        """Normality score of each row (higher = more normal)."""
        return -self._raw_scores(X)

    def decision_function(self, X) -> np.ndarray:
        """``score_samples(X) - offset_``; negative values are outliers."""
        return self.score_samples(X) - self.offset_

    def predict(self, X) -> np.ndarray:
        """-1 for outliers, +1 for inliers (threshold from ``contamination``).

        A row whose score is not a number is an outlier, never an inlier.
        """
        return np.where(self.decision_function(X) >= 0, 1, -1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


def with_defaults(parent: type, **defaults: Any) -> tuple[Callable[..., None], dict[str, Param]]:
    """``__init__`` and ``_params`` of a subclass that only changes defaults.

    The returned ``__init__`` has ``parent``'s signature with the new
    defaults (scikit-learn reads the parameters from it) and stores through
    ``parent.__init__``; the declarations carry the same defaults. Use as::

        class ALAD(RCGAN):
            __init__, _params = with_defaults(RCGAN, penalty=None)
    """
    unknown = set(defaults) - set(parent._params)
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not parameters of {parent.__name__}")
    signature = inspect.signature(parent.__init__)
    new_signature = signature.replace(
        parameters=[
            p.replace(default=defaults[p.name]) if p.name in defaults else p
            for p in signature.parameters.values()
        ]
    )
    var_keyword = [
        p.name for p in signature.parameters.values() if p.kind is inspect.Parameter.VAR_KEYWORD
    ]

    def __init__(self, **kwargs):
        bound = new_signature.bind(self, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        arguments.pop("self")
        extra = arguments.pop(var_keyword[0], {}) if var_keyword else {}
        parent.__init__(self, **arguments, **extra)

    __init__.__signature__ = new_signature  # type: ignore[attr-defined]
    params = {
        key: Param(defaults[key], p.check) if key in defaults else p
        for key, p in parent._params.items()
    }
    return __init__, params
