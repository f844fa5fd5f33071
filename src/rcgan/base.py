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

import inspect
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.utils.validation import check_is_fitted

from .preprocessing import SCALERS

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


class Detector(OutlierMixin, BaseEstimator):
    """Base of every torch detector (see the module docstring).

    Subclasses set ``_params`` and implement ``fit`` and ``_raw_scores(X)``
    (higher = more anomalous); they may add checks in ``_validate_extra``.
    """

    _params: ClassVar[dict[str, Param]] = {}
    #: fewest training rows accepted by ``fit``
    _min_samples: ClassVar[int] = 2

    def _validate_params(self) -> None:
        for name, param in self._params.items():
            param.check(name, getattr(self, name))
        self._validate_extra()

    def _validate_extra(self) -> None:
        """Checks that involve several parameters (none by default)."""

    def _raw_scores(self, X) -> np.ndarray:
        raise NotImplementedError

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
