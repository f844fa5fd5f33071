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
import warnings
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


def _contamination(name: str, value: Any) -> None:
    if isinstance(value, str) and value == "auto":
        return
    try:
        real(0.0, 0.5, high_open=False)(name, value)
    except ValueError:
        raise ValueError(f"{name} must be 'auto' or a number in (0, 0.5], got {value!r}") from None


#: ``contamination="auto"``: share of the training rows held out to calibrate
#: the threshold, and the false-positive rate it targets on normal rows
AUTO_CALIBRATION_SHARE = 0.1
AUTO_FALSE_POSITIVE_RATE = 0.01


def conformal_threshold(calibration_scores: np.ndarray, rate: float) -> float:
    """Split-conformal threshold for a false-positive rate of at most ``rate``.

    With m calibration scores of normal rows, flagging a new normal row when
    its score exceeds the ceil((1 - rate)(m + 1))-th smallest calibration
    score happens with probability at most ``rate`` (the rows being
    exchangeable; Vovk et al. 2005, Laxhammar and Falkman 2015). With too
    few rows for that rank (m < 1 / rate - 1) the largest score is used,
    which bounds the rate by 1 / (m + 1) only.
    """
    s = np.sort(np.asarray(calibration_scores, dtype=np.float64))
    k = math.ceil((1.0 - rate) * (len(s) + 1))
    return float(s[min(k, len(s)) - 1])


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
        "contamination": Param(0.1, _contamination),
        "random_state": Param(None, _anything),
        "device": Param("cpu", _device),
        "n_jobs": Param(1, _n_jobs),
        "verbose": Param(False, _verbose),
        "impute": Param(None, one_of(None, "median")),
    }


def _is_frame(X: Any) -> bool:
    return hasattr(X, "columns") and hasattr(X, "iloc")


def _is_time(column: Any) -> bool:
    """Whether a pandas column holds dates, times or durations (never numbers to a model).

    By dtype (datetime64, with or without a time zone, timedelta64, period,
    and categories of those) or, for object columns, by the Python values
    they hold (``datetime``, ``date``, ``time``, ``timedelta``).
    """
    import pandas as pd
    from pandas.api.types import (
        infer_dtype,
        is_datetime64_any_dtype,
        is_object_dtype,
        is_timedelta64_dtype,
    )

    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        dtype = dtype.categories.dtype
    if (
        is_datetime64_any_dtype(dtype)
        or is_timedelta64_dtype(dtype)
        or isinstance(dtype, pd.PeriodDtype)
    ):
        return True
    return is_object_dtype(dtype) and infer_dtype(column, skipna=True) in _TIME_KINDS


#: what ``pandas.api.types.infer_dtype`` calls object columns of dates and durations
_TIME_KINDS = ("datetime", "datetime64", "date", "time", "timedelta", "timedelta64", "period")


def _category_key(value: Any) -> str:
    """The text a category value is stored and matched as: 1, 1.0 and np.int64(1) give "1".

    Integers give their exact integer text, floats with an integral value
    the same (at any size), other real numbers their shortest float text,
    everything else (text, booleans, complex numbers) ``str``; so codes
    fitted as integers match the same codes scored as floats.
    """
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value)


def _known_key(value: Any, known: set[str]) -> str:
    """``str(value)`` where the model knows that text, else :func:`_category_key`.

    ``str`` first keeps files written before the keys (categories stored as
    ``str(value)``) reading as they did; for a fit of this version the two
    agree wherever ``str(value)`` is known.
    """
    text = str(value)
    return text if text in known else _category_key(value)


def _missing_error(X: Any, names: list[str] | None) -> ValueError | None:
    """A ValueError naming the columns and rows of missing values in numeric ``X``, or None."""
    try:
        if hasattr(X, "to_numpy"):  # pandas: nullable columns hold pd.NA, not NaN
            values = X.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            values = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if values.ndim != 2:
        return None
    nan = np.isnan(values)
    if not nan.any():
        return None
    cols = np.flatnonzero(nan.any(axis=0))
    rows = np.flatnonzero(nan.any(axis=1))
    label = [names[j] if names else str(j) for j in cols[:5]]
    return ValueError(
        f"missing values (NaN) in {len(rows)} row(s) (0-based: {rows[:5].tolist()}"
        f"{', ...' if len(rows) > 5 else ''}) and column(s) {label}"
        f"{' ...' if len(cols) > 5 else ''}; drop or fill them before fitting"
    )


#: fitted vectors stored in model files (optional: older files lack them)
_SCORE_ARRAYS = ("decision_scores_", "calibration_scores_", "impute_values_")

#: every detector class by name (the ``estimator`` field of a model file)
_REGISTRY: dict[str, type[Detector]] = {}


class Detector(OutlierMixin, BaseEstimator):
    """Base of every torch detector (see the module docstring).

    The fit skeleton (:meth:`fit`: parameter and data checks, the fitted
    :class:`~rcgan.preprocessing.Preprocessor`, the thread limit, the
    threshold) and the model files (:meth:`save`, :meth:`load`) are written
    here once. A subclass sets ``_params`` and ``_module_name`` (the
    attribute holding its trained ``nn.Module``) and implements

    - ``_fit_networks(x, seed, device)``: train on the scaled tensor; it may
      return the training rows' anomaly scores when it computed them on the
      way (else None, and ``_tensor_scores(x)`` gives them);
    - ``_tensor_scores(x)``: anomaly scores of scaled rows (the training rows'
      scores set the threshold; the held-out rows' calibrate "auto");
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

    def set_params(self, **params):
        """Set parameters; on a fitted detector, a new ``contamination`` re-thresholds it.

        (As :meth:`set_threshold`: the training rows' stored scores give the
        new ``offset_``; no refit.) Other values are checked by ``fit``, as
        scikit-learn asks; the new contamination of a fitted detector is
        checked before anything is set, so an invalid one leaves it as it
        was. ``contamination="auto"`` on a model fitted without it (no
        calibration rows) is stored with a warning and takes effect at the
        next ``fit``; the threshold stays.
        """
        fitted = getattr(self, "decision_scores_", None) is not None and hasattr(self, "offset_")
        if "contamination" in params and fitted:
            contamination = params.pop("contamination")
            _contamination("contamination", contamination)
            if params:
                super().set_params(**params)
            uncalibrated = getattr(self, "calibration_scores_", None) is None
            if isinstance(contamination, str) and uncalibrated:
                self.contamination = contamination
                warnings.warn(
                    f"contamination={contamination!r} needs calibration rows: it takes effect "
                    "when the detector is fitted again; the current threshold stays",
                    UserWarning,
                    stacklevel=2,
                )
                return self
            return self.set_threshold(contamination=contamination)
        return super().set_params(**params)

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

    def _fit_networks(self, x: torch.Tensor, seed: int, device: torch.device) -> np.ndarray | None:
        raise NotImplementedError

    # ------------------------------------------------------------ data frames
    def _encode_frame(self, X: Any, reset: bool) -> Any:
        """DataFrames: columns matched by name, text columns one-hot encoded.

        At fit (``reset``), the column names and the categories of every
        non-numeric column, and of every column of pandas' ``category`` dtype
        (numbers too, e.g. codes), are stored (``input_columns_``, ``categories_``);
        a text column ``c`` with values a, b becomes the features ``c=a``,
        ``c=b``. Later frames are reordered to the stored columns (missing
        or unknown names are an error naming them); a value not seen in fit
        is encoded as all zeros, with a warning. Arrays pass through.
        """
        categories = getattr(self, "categories_", None) or {}
        if not _is_frame(X):
            if categories and not reset:
                raise ValueError(
                    f"this model one-hot encodes the text column(s) {sorted(categories)}: "
                    "score a DataFrame with the columns it was fitted on"
                )
            if reset:
                self.input_columns_, self.categories_ = None, {}
            return X
        import pandas as pd
        from pandas.api.types import is_bool_dtype, is_numeric_dtype

        names = [str(c) for c in X.columns]
        X = X.set_axis(names, axis=1)
        times = [names[i] for i in range(X.shape[1]) if _is_time(X.iloc[:, i])]
        if times:
            raise ValueError(
                f"column(s) {times} hold dates or durations: turn them into numbers first "
                "(e.g. seconds since a reference time, or the hour and day of week) or drop them"
            )
        if reset:
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"repeated column name(s) {dupes}")
            X = X.infer_objects()  # object columns of numbers (e.g. Decimal) stay numbers
            text = [
                c
                for c in names
                if isinstance(X[c].dtype, pd.CategoricalDtype)  # declared categorical
                or (
                    not (is_numeric_dtype(X[c]) or is_bool_dtype(X[c]))
                    and pd.to_numeric(X[c].dropna(), errors="coerce").isna().any()
                )
            ]
            categories = {c: sorted({_category_key(v) for v in X[c].dropna()}) for c in text}
            encoded = [f"{c}={v}" for c in text for v in categories[c]]
            clash = sorted(set(encoded) & set(names))
            if clash:
                raise ValueError(f"one-hot names {clash} are also column names; rename them")
            self.input_columns_, self.categories_ = names, categories
        elif getattr(self, "input_columns_", None) is not None:
            expected = self.input_columns_
            missing = [c for c in expected if c not in set(names)]
            unknown = [c for c in names if c not in set(expected)]
            if missing or unknown:
                raise ValueError(
                    f"the columns do not match the model's: missing {missing}, unknown {unknown}"
                )
            X = X[expected]  # reordered by name
        if not categories:
            return X
        blocks = {}
        for c in X.columns:
            if c not in categories:
                blocks[c] = pd.to_numeric(X[c], errors="raise").astype(np.float64).to_numpy()
                continue
            known = set(categories[c])
            # a value's key (1 and 1.0 alike); as text where a model file stored that
            keys = X[c].astype(object).where(X[c].notna(), None)
            keys = keys.map(lambda v, known=known: None if v is None else _known_key(v, known))
            unseen = sorted({k for k in keys if k is not None and k not in known})
            if unseen and not reset:
                warnings.warn(
                    f"column {c!r}: value(s) {unseen[:5]} not seen in fit, encoded as all zeros",
                    UserWarning,
                    stacklevel=4,
                )
            for cat in categories[c]:
                blocks[f"{c}={cat}"] = (keys == cat).to_numpy(dtype=np.float64)
        return pd.DataFrame(blocks, index=X.index)

    def _check_X(self, X: Any, dtype: Any = np.float64) -> Any:
        """New rows for a fitted detector: frames aligned and encoded, then checked.

        With ``impute="median"``, missing values become the training medians.
        """
        X = self._encode_frame(X, reset=False)
        if getattr(self, "impute_values_", None) is None:
            return validate_data(self, X, dtype=dtype, reset=False)
        X = validate_data(self, X, dtype=dtype, reset=False, ensure_all_finite="allow-nan")
        return self._fill(X)

    def _fill(self, X: np.ndarray) -> np.ndarray:
        nan = np.isnan(X)
        if not nan.any():
            return X
        X = X.copy()
        X[nan] = np.broadcast_to(self.impute_values_.astype(X.dtype), X.shape)[nan]
        return X

    def fit(self, X, y=None):
        """Train on ``X`` (normal data). ``y`` is ignored.

        ``X`` may be a pandas DataFrame with text columns: they are one-hot
        encoded with the categories seen here (see ``categories_``).
        Missing values are refused, with their rows and columns named.
        """
        self._validate_params()
        X, image_shape = self._training_rows(X)
        X = self._encode_frame(X, reset=True)
        self.impute_values_ = None
        try:
            X = validate_data(
                self,
                X,
                dtype=np.float64,
                ensure_min_samples=self._min_samples,
                ensure_all_finite="allow-nan" if self.impute == "median" else True,
            )
            if self.impute == "median":
                with warnings.catch_warnings():  # an all-missing column gets 0
                    warnings.simplefilter("ignore", RuntimeWarning)
                    self.impute_values_ = np.nan_to_num(np.nanmedian(X, axis=0))
                X = self._fill(X)
        except ValueError as err:
            names = [str(c) for c in X.columns] if _is_frame(X) else None
            missing = _missing_error(X, names) if "NaN" in str(err) else None
            if missing is not None:
                raise missing from None
            raise
        seed = seed_from(self.random_state)
        X_cal, self.calibration_scores_ = None, None
        if isinstance(self.contamination, str):  # "auto": hold out calibration rows
            order = np.random.default_rng(seed).permutation(X.shape[0])
            n_cal = round(AUTO_CALIBRATION_SHARE * X.shape[0])
            if n_cal < 1 or X.shape[0] - n_cal < self._min_samples:
                raise ValueError(
                    f'contamination="auto" needs calibration rows: {X.shape[0]} training rows '
                    "are too few"
                )
            X_cal, X = X[np.sort(order[:n_cal])], X[np.sort(order[n_cal:])]
        self.preprocessor_ = Preprocessor.fit(X, self._scaler_kind(), image_shape)
        device = torch.device(self.device)
        with ThreadLimit(self.n_jobs):
            x = self.preprocessor_.to_tensor(X, device)
            train_scores = self._fit_networks(x, seed, device)
            if train_scores is None:
                train_scores = self._tensor_scores(x)
            if X_cal is not None:
                x_cal = self.preprocessor_.to_tensor(X_cal, device)
                self.calibration_scores_ = np.asarray(self._tensor_scores(x_cal), np.float64)
        scores = np.asarray(train_scores, dtype=np.float64)
        bad = int(np.count_nonzero(~np.isfinite(scores)))
        if bad:
            raise ValueError(
                f"the fitted model scores {bad} of its {scores.size} training rows as NaN or "
                "infinite: training diverged (try a lower learning_rate, or scale the data)"
            )
        self.decision_scores_ = scores
        self._set_offset()
        return self

    def _tensor_scores(self, x: torch.Tensor) -> np.ndarray:
        """Anomaly scores of scaled rows already in network layout."""
        raise NotImplementedError

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
        if getattr(self, "input_columns_", None) is not None:
            fitted["input_columns_"] = list(self.input_columns_)
            fitted["categories_"] = {k: list(v) for k, v in self.categories_.items()}
        arrays = {"center_": self.preprocessor_.center, "scale_": self.preprocessor_.scale}
        for name in self._fitted_tensor_shapes(self.n_features_in_):
            arrays[name] = getattr(self, name).detach().to("cpu").numpy()
        for name in _SCORE_ARRAYS:
            if getattr(self, name, None) is not None:
                arrays[name] = np.asarray(getattr(self, name), dtype=np.float64)
        params = {k: _plain(v) for k, v in self.get_params().items()}
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
        if not expected <= set(arrays) <= expected | set(_SCORE_ARRAYS):
            raise ValueError(f"arrays {sorted(arrays)}, expected {sorted(expected)}")
        for name in _SCORE_ARRAYS:  # absent from files written before 0.3
            a = arrays.get(name)
            if a is not None and (a.ndim != 1 or a.dtype != np.float64):
                raise ValueError(f"{name} must be a vector of float64 scores")
            setattr(est, name, a)
        if isinstance(est.contamination, str) and est.calibration_scores_ is None:
            raise ValueError('contamination="auto" without calibration scores')
        if (est.impute is None) != (est.impute_values_ is None) or (
            est.impute_values_ is not None
            and (est.impute_values_.shape != (n_features,) or np.isnan(est.impute_values_).any())
        ):
            raise ValueError("impute_values_ do not match the impute parameter")
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
        est.input_columns_, est.categories_ = persistence.check_columns(content["fitted"])
        est.preprocessor_ = Preprocessor(
            fitted["center_"],
            fitted["scale_"],
            fitted["image_shape_"],
            Preprocessor.knee_for(est._scaler_kind(), fitted["image_shape_"]),
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

    def _set_offset(self) -> None:
        """``offset_`` from ``contamination``.

        A number c: the c quantile of the training rows' normality scores
        (c of the training rows are flagged). "auto": minus the conformal
        threshold of the held-out calibration rows' scores at a 1 %
        false-positive rate (:func:`conformal_threshold`).
        """
        if isinstance(self.contamination, str):
            if self.calibration_scores_ is None:
                raise ValueError('contamination="auto" needs a model fitted with it')
            threshold = conformal_threshold(self.calibration_scores_, AUTO_FALSE_POSITIVE_RATE)
            self.offset_ = -threshold
        else:
            self.offset_ = float(np.percentile(-self.decision_scores_, 100.0 * self.contamination))

    def set_threshold(self, contamination: float | str | None = None, threshold=None):
        """Change the threshold of a fitted model without refitting.

        Parameters
        ----------
        contamination : float in (0, 0.5] or "auto", optional
            Flag this share of the training rows (or "auto", for a model fitted
            with ``contamination="auto"``); stored as the ``contamination``
            parameter.
        threshold : float, optional
            Flag rows whose ``anomaly_score(X)`` exceeds it (the scale of the
            ``anomaly_score`` column of ``rcgan score``).

        Returns
        -------
        self
        """
        check_is_fitted(self, "offset_")
        if (contamination is None) == (threshold is None):
            raise ValueError("give exactly one of contamination and threshold")
        if threshold is not None:
            real()("threshold", threshold)
            self.offset_ = -float(self._raw_from_anomaly(float(threshold)))
            return self
        _contamination("contamination", contamination)
        self._training_scores()
        if isinstance(contamination, str) and getattr(self, "calibration_scores_", None) is None:
            raise ValueError('contamination="auto" needs a model fitted with it')
        self.contamination = contamination
        self._set_offset()
        return self

    def _training_scores(self) -> np.ndarray:
        """``decision_scores_``, or a ValueError for a model file that predates them."""
        check_is_fitted(self, "offset_")
        scores = getattr(self, "decision_scores_", None)
        if scores is None:
            raise ValueError(
                "this model holds no training scores (a file written before 0.3); refit it"
            )
        return scores

    @property
    def threshold_(self) -> float:
        """Rows whose ``-score_samples(X)`` exceeds it are outliers (``-offset_``).

        On the scale of ``anomaly_score`` too, except for RCGAN's
        ``scoring="discriminator"`` and ``"xz"``, whose ``anomaly_score`` is the
        sigmoid of ``-score_samples``.
        """
        check_is_fitted(self, "offset_")
        return -self.offset_

    @property
    def labels_(self) -> np.ndarray:
        """1 for the training rows above ``threshold_`` (or not a number), else 0 (PyOD)."""
        return self._is_outlier(self._training_scores()).astype(int)

    def predict_proba(self, X, method: str = "linear") -> np.ndarray:
        """Probability-like outlier scores, shape (n, 2): [P(normal), P(outlier)].

        ``method="linear"``: the anomaly score min-max scaled by the training
        rows' scores, clipped to [0, 1]; ``"unify"``: the Gaussian scaling of
        Kriegel et al. (2011), erf((s - mean) / (std sqrt 2)) clipped to
        [0, 1], with the mean and std of the training rows' scores. These
        are rescaled scores, not calibrated probabilities.
        """
        train = self._training_scores()
        if method not in ("linear", "unify"):
            raise ValueError(f"method={method!r} is not valid; valid values: ['linear', 'unify']")
        s = -self.score_samples(X)
        if method == "linear":
            low, high = np.nanmin(train), np.nanmax(train)
            p = (s - low) / (high - low) if high > low else (s > high).astype(float)
        else:
            from scipy.special import erf

            mean, std = np.nanmean(train), np.nanstd(train)
            p = erf((s - mean) / (std * math.sqrt(2))) if std > 0 else (s > mean)
        p = np.clip(np.nan_to_num(np.asarray(p, dtype=np.float64), nan=1.0), 0.0, 1.0)
        return np.column_stack((1.0 - p, p))

    def predict_confidence(self, X) -> np.ndarray:
        """Confidence in each ``predict`` label, in [0, 1] (ExCeeD, Perini et al. 2020).

        A row whose score exceeds k of the n training scores has outlier
        probability p = (1 + k) / (2 + n) (Bayesian, uniform prior); with c
        the share of training rows above ``threshold_`` (the contamination
        when the threshold came from it), the confidence that the row is an
        outlier is the chance that n rows drawn at that p leave at least
        n - floor(n c) below it: P(Binomial(n, p) >= n - floor(n c)). For rows
        predicted normal the confidence is one minus that.
        """
        from scipy.stats import binom

        train = np.sort(self._training_scores())
        s = -self.score_samples(X)
        n = len(train)
        k = np.searchsorted(train, s, side="right")
        p = (1.0 + k) / (2.0 + n)
        c = float(np.mean(self._is_outlier(train)))
        outlier_conf = binom.sf(n - math.floor(n * c) - 1, n, p)
        return np.where(self._is_outlier(s), outlier_conf, 1.0 - outlier_conf)

    def _raw_from_anomaly(self, value: float) -> float:
        """Inverse of :meth:`_anomaly_from_raw` for one value (identity here)."""
        return value

    def _anomaly_from_raw(self, raw: np.ndarray) -> np.ndarray:
        """``anomaly_score`` from the raw scores (a monotone map; identity here)."""
        return raw

    def anomaly_score(self, X) -> np.ndarray:
        """Per-row anomaly score, higher = more anomalous."""
        return self._anomaly_from_raw(self._raw_scores(X))

    def score_and_flag(self, X) -> tuple[np.ndarray, np.ndarray]:
        """``anomaly_score(X)`` and the outlier flags of ``predict`` (True = outlier), scored once.

        A row whose score is not a number is flagged, never normal.
        """
        raw = self._raw_scores(X)
        return self._anomaly_from_raw(raw), self._is_outlier(raw)

    def _is_outlier(self, raw: np.ndarray) -> np.ndarray:
        """Raw scores above ``threshold_``, or not a number: outliers."""
        return ~(np.asarray(raw) <= self.threshold_)

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
        tags.input_tags.allow_nan = getattr(self, "impute", None) == "median"
        return tags


def _plain(value: Any) -> Any:
    """NumPy scalars (np.int64(3), np.float32(0.1), np.bool_) as Python values, in tuples too.

    ``fit`` accepts them (a grid from ``np.arange``); a model file stores JSON.
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)):
        return type(value)(_plain(v) for v in value)
    return value


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
