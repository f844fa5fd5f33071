"""Methods of the tabular benchmark, behind one adapter.

Every method is built by ``make_method(name, dataset, seed)`` and exposes
``fit(X)`` and ``anomaly_score(X)`` (higher = more anomalous). The GAN
methods share per-data-set network sizes and training settings
(:data:`GAN_SETTINGS`), fixed before any run and never tuned on test labels:
ALAD's published networks for KDDCUP99 (also used for Thyroid and Musk) and
for Arrhythmia (``alad/{kdd,arrhythmia}_utilities.py`` of the ALAD code),
Adam with beta1 = 0.5, EMA 0.999.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

from ..baselines import get_baseline
from ..estimator import ALAD, ALAD_WIDTHS, RCGAN

__all__ = [
    "BASELINE_SETTINGS",
    "GAN_SETTINGS",
    "METHODS",
    "Method",
    "ValidatedChoice",
    "make_method",
    "pseudo_anomalies",
]

_ARRHYTHMIA_NETS: dict[str, Any] = {
    "latent_dim": 64,
    "encoder_hidden": (256, 128),
    "generator_hidden": (128, 256),
    "disc_hidden": 256,
    "disc_xx_hidden": (256, 128),
    "disc_zz_hidden": (64, 32),
}

#: per-data-set settings of every GAN method (networks, batch, epochs)
GAN_SETTINGS: dict[str, dict[str, Any]] = {
    # KDDCUP99, Thyroid, Musk: ALAD's KDD networks (ALAD_WIDTHS, in LEGACY_PARAMS)
    "kddcup99": {"batch_size": 50, "epochs": 10, "learning_rate": 1e-4},
    "arrhythmia": {**_ARRHYTHMIA_NETS, "batch_size": 32, "epochs": 100, "learning_rate": 1e-4},
    "thyroid": {"batch_size": 50, "epochs": 100, "learning_rate": 1e-4},
    "musk": {"batch_size": 50, "epochs": 100, "learning_rate": 1e-4},
}
_SMALL = ("arrhythmia", "thyroid", "musk")

#: per-data-set settings of the deep baselines, from their papers and the
#: ALAD code base where given (DAGMM's per-data-set networks), fixed a priori
BASELINE_SETTINGS: dict[str, dict[str, dict[str, Any]]] = {
    "dsvdd": {d: {"hidden": (64, 32), "batch_size": 128} for d in GAN_SETTINGS},
    "dcae": {d: {"hidden": (64, 32), "batch_size": 128} for d in GAN_SETTINGS},
    "adgan": {d: {"latent_dim": 32, "hidden": (64, 128), "batch_size": 64} for d in GAN_SETTINGS},
    "dsebm_r": {
        "kddcup99": {"hidden": (128, 512), "batch_size": 100},
        **{d: {"hidden": (64,), "batch_size": 128} for d in _SMALL},
    },
    "dagmm": {
        "kddcup99": {"hidden": (60, 30, 10), "latent_dim": 1, "n_gmm": 4, "batch_size": 1024},
        "arrhythmia": {
            "hidden": (10,),
            "latent_dim": 2,
            "n_gmm": 2,
            "batch_size": 128,
            "epochs": 200,
        },
        "thyroid": {
            "hidden": (12, 4),
            "latent_dim": 1,
            "n_gmm": 2,
            "batch_size": 128,
            "epochs": 200,
        },
        "musk": {
            "hidden": (60, 30, 10),
            "latent_dim": 1,
            "n_gmm": 2,
            "batch_size": 128,
            "epochs": 200,
        },
    },
}
BASELINE_SETTINGS["dsebm_e"] = BASELINE_SETTINGS["dsebm_r"]


def _baseline(name: str) -> Callable[..., Any]:
    def build(dataset: str | None, seed: int, epochs: int | None = None):
        params = {}  # dataset None: the library defaults (the accuracy suite)
        if dataset is not None:
            params = {"epochs": GAN_SETTINGS[dataset]["epochs"], **BASELINE_SETTINGS[name][dataset]}
        if epochs is not None:
            params["epochs"] = epochs
        return get_baseline(name, seed=seed, **params)

    return build


class SklearnAdapter:
    """``anomaly_score = -score_samples`` for scikit-learn detectors."""

    def __init__(self, estimator) -> None:
        self.estimator = estimator

    def fit(self, X: np.ndarray) -> SklearnAdapter:
        self.estimator.fit(X)
        return self

    def anomaly_score(self, X: np.ndarray) -> np.ndarray:
        return -self.estimator.score_samples(X)

    def get_params(self) -> dict[str, Any]:
        return self.estimator.get_params()


@dataclass(frozen=True)
class Method:
    """A benchmark method: a description and a factory.

    ``build(dataset, seed, epochs=None)`` returns a detector; ``epochs``
    overrides the deep methods' epochs (the scikit-learn and PyOD methods
    have none). ``dataset=None`` builds the method with its library
    defaults, without the per-data-set settings (the accuracy suite).
    """

    description: str
    build: Callable[..., Any]


#: the estimator parameters of version 0.1.0 that the paper-table methods ran
#: with and whose library defaults have changed since: pinned, so that the
#: Table 1, 3 and 4 rows keep meaning the same configuration
LEGACY_PARAMS: dict[str, dict[str, Any]] = {
    "RCGAN": {
        **ALAD_WIDTHS,
        "penalty": "normal-wide",
        "penalty_scale": 1.0,
        "penalty_dxx": True,
        "latent_dim": 32,
        "dropout": 0.2,
        "learning_rate": 1e-4,
        "d_learning_rate": None,
        "max_updates": None,
        "scoring": "discriminator",
        "scaler": "standard",
    },
    "ALAD": {
        **ALAD_WIDTHS,
        "penalty": None,
        "penalty_dxx": True,
        "latent_dim": 32,
        "dropout": 0.2,
        "learning_rate": 1e-4,
        "max_updates": None,
        "scoring": "fm_l1",
        "scaler": "standard",
    },
}


def _defaults(cls, **overrides) -> Callable[..., Any]:
    """A detector with its library defaults (and ``overrides``), whatever the data set.

    Only the seed is set per run.
    """

    def build(dataset: str | None, seed: int, epochs: int | None = None):
        extra = {} if epochs is None else {"epochs": epochs}
        return cls(random_state=seed, **overrides, **extra)

    return build


def _gan(cls, **overrides) -> Callable[..., Any]:
    """A paper-table GAN method: the 0.1.0 parameters and the per-data-set settings.

    With ``dataset=None`` (the suite): the library defaults plus ``overrides``.
    """

    def build(dataset: str | None, seed: int, epochs: int | None = None):
        settings = {}
        if dataset is not None:
            settings = {**LEGACY_PARAMS[cls.__name__], **GAN_SETTINGS[dataset]}
        params = {**settings, **overrides, "random_state": seed}
        if epochs is not None:
            params["epochs"] = epochs
        return cls(**params)

    return build


class SubsampledAdapter(SklearnAdapter):
    """Fit on at most ``max_rows`` random training rows (seeded).

    Kernel methods cost O(n^2) memory and time in the training rows; on
    KDDCUP99's ~317,000 training rows the one-class SVM is capped this way.
    """

    def __init__(self, estimator, max_rows: int, seed: int) -> None:
        super().__init__(estimator)
        self.max_rows, self.seed = max_rows, seed

    def fit(self, X: np.ndarray) -> SubsampledAdapter:
        if X.shape[0] > self.max_rows:
            rows = np.random.default_rng(self.seed).choice(X.shape[0], self.max_rows, replace=False)
            X = X[np.sort(rows)]
        self.estimator.fit(X)
        return self

    def get_params(self) -> dict[str, Any]:
        return {**self.estimator.get_params(), "max_rows": self.max_rows}


def pseudo_anomalies(X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Label-free stand-ins for anomalies, built from normal rows only.

    Half the rows are ``X`` with every column permuted independently (the
    marginals kept, the dependence between features broken), half are
    uniform draws in the box spanned by ``X``, widened by half its range on
    each side (values outside the normal range).
    """
    n, m = X.shape
    shuffled = np.column_stack([X[rng.permutation(n), j] for j in range(m)])
    low, high = X.min(0), X.max(0)
    pad = 0.5 * (high - low)
    box = rng.uniform(low - pad, high + pad, size=(n, m))
    return np.vstack((shuffled[: n - n // 2], box[: n // 2]))


class ValidatedChoice:
    """Choose among candidate detectors on held-out *normal* rows.

    ``fit(X)`` holds out ``validation_fraction`` of the (normal) training
    rows, fits every candidate on the rest, and keeps the one whose scores
    best separate the held-out rows from :func:`pseudo_anomalies` of them
    (AUROC). No anomaly and no test row is seen: the choice uses the
    training part of the split only. Each candidate is
    ``(name, factory, scores)``: ``factory()`` builds an :class:`RCGAN`-like
    estimator, and each of its ``scoring`` parameter values in ``scores`` is a
    separate candidate sharing that fit (only ``anomaly_score`` is used, so
    changing ``scoring`` after the fit is safe here). The kept detector is the
    one fitted on the other 80 % (by default) of the training rows; it is not
    refitted on all of them.
    """

    def __init__(self, candidates, seed: int, validation_fraction: float = 0.2) -> None:
        self.candidates, self.seed = candidates, seed
        self.validation_fraction = validation_fraction

    def fit(self, X: np.ndarray) -> ValidatedChoice:
        rng = np.random.default_rng([self.seed, 0x7A1])
        order = rng.permutation(X.shape[0])
        n_val = max(1, round(self.validation_fraction * X.shape[0]))
        val, fit = X[order[:n_val]], X[order[n_val:]]
        fakes = pseudo_anomalies(val, rng)
        y = np.r_[np.zeros(len(val)), np.ones(len(fakes))]
        both = np.vstack((val, fakes))
        self.validation_: dict[str, float] = {}
        best = -np.inf
        for name, factory, scores in self.candidates:
            det = factory().fit(fit)
            for score in scores:
                auc = float(roc_auc_score(y, det.set_params(scoring=score).anomaly_score(both)))
                self.validation_[f"{name}/{score}"] = auc
                if auc > best:
                    best, self.detector_, self.score_ = auc, det, score
                    self.choice_ = f"{name}/{score}"
        return self

    def anomaly_score(self, X: np.ndarray) -> np.ndarray:
        return self.detector_.set_params(scoring=self.score_).anomaly_score(X)

    def get_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"validation_fraction": self.validation_fraction}
        for name, factory, scores in self.candidates:
            params[name] = {**factory().get_params(), "scores": list(scores)}
        if hasattr(self, "choice_"):
            params["choice"] = self.choice_
            params["validation_auroc"] = self.validation_
        return params


def _validated(dataset: str, seed: int, epochs: int | None = None) -> ValidatedChoice:
    # t(x) = N(0, I) as in Table 1, or the library's wide penalty; Eq. (11)
    # or Eq. (12) with the L1 norm: four candidates from two fits.
    scores = ("discriminator", "fm_l1")
    candidates = [
        (
            penalty,
            lambda penalty=penalty: _gan(RCGAN, penalty=penalty)(dataset, seed, epochs),
            scores,
        )
        for penalty in ("normal", "normal-wide")
    ]
    return ValidatedChoice(candidates, seed)


class KNNDetector:
    """Distance to the ``k``-th nearest training row, on standardised data.

    The classical kNN outlier score (Ramaswamy et al. 2000) with k = 5:
    features are standardised on the training rows, then a test row scores
    the Euclidean distance to its 5th nearest training row.
    """

    def __init__(self, n_neighbors: int = 5) -> None:
        self.n_neighbors = n_neighbors

    def fit(self, X: np.ndarray) -> KNNDetector:
        from sklearn.neighbors import NearestNeighbors

        self.scaler_ = StandardScaler().fit(X)
        k = min(self.n_neighbors, X.shape[0])
        self.index_ = NearestNeighbors(n_neighbors=k).fit(self.scaler_.transform(X))
        return self

    def anomaly_score(self, X: np.ndarray) -> np.ndarray:
        dist, _ = self.index_.kneighbors(self.scaler_.transform(X))
        return dist[:, -1]

    def get_params(self) -> dict[str, Any]:
        return {"n_neighbors": self.n_neighbors, "scaler": "standard"}


class MeanDistance:
    """Euclidean distance to the training mean on standardised data (a floor)."""

    def fit(self, X: np.ndarray) -> MeanDistance:
        self.scaler_ = StandardScaler().fit(X)
        return self

    def anomaly_score(self, X: np.ndarray) -> np.ndarray:
        return np.linalg.norm(self.scaler_.transform(X), axis=1)

    def get_params(self) -> dict[str, Any]:
        return {"scaler": "standard"}


class ECODAdapter(SklearnAdapter):
    """PyOD's ECOD (Li et al. 2022), parameter-free; needs the ``bench`` extra."""

    def __init__(self) -> None:
        try:
            from pyod.models.ecod import ECOD
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError("ECOD needs PyOD: pip install 'rcgan[bench]'") from err
        super().__init__(ECOD())

    def anomaly_score(self, X: np.ndarray) -> np.ndarray:
        return self.estimator.decision_function(X)


def _ocsvm(dataset: str, seed: int, epochs: int | None = None) -> SklearnAdapter:
    # RBF kernel with gamma = 1/m ("auto": m = number of features), as in the
    # paper, on standardised features; nu = 0.1; at most 10,000 training rows.
    est = make_pipeline(StandardScaler(), OneClassSVM(kernel="rbf", gamma="auto", nu=0.1))
    return SubsampledAdapter(est, max_rows=10_000, seed=seed)


#: what the 0.8 defaults changed, as the 0.4-0.7 defaults had it
_DEFAULTS_0_7: dict[str, Any] = {
    "d_learning_rate": None,
    "penalty": "adaptive-diff",
    "scoring": "xz+l2",
    "scaler": "standard",
}

#: what the 0.9 defaults changed, as the 0.8 defaults had it
_DEFAULTS_0_8: dict[str, Any] = {"d_learning_rate": None, "scoring": "xz+l1"}

METHODS: dict[str, Method] = {
    "rcgan": Method(
        "RCGAN, t(x) = N(0, I) (Table 1), penalty also on D_xx", _gan(RCGAN, penalty="normal")
    ),
    "rcgan_paper": Method(
        "RCGAN exactly as written: t(x) = N(0, I), Eq. (9) without penalty",
        _gan(RCGAN, penalty="normal", penalty_dxx=False),
    ),
    "rcgan_default": Method(
        "RCGAN() with the library defaults: nothing set per data set", _defaults(RCGAN)
    ),
    "rcgan_default_0.8": Method(
        "RCGAN with the 0.8 library defaults (one learning rate for both players, D_xz + L1)",
        _defaults(RCGAN, **_DEFAULTS_0_8),
    ),
    "rcgan_default_0.7": Method(
        "RCGAN with the 0.5-0.7 library defaults (t(x) along the data, D_xz + L2, no tail "
        "compression)",
        _defaults(RCGAN, **_DEFAULTS_0_7),
    ),
    "rcgan_default_0.4": Method(
        "RCGAN with the 0.4 library defaults (ALAD's KDDCUP99 widths)",
        _defaults(RCGAN, **_DEFAULTS_0_7, **ALAD_WIDTHS),
    ),
    "rcgan_default_0.3": Method(
        "RCGAN with the 0.2-0.3 library defaults (t(x) with isotropic noise near the data)",
        _defaults(RCGAN, **{**_DEFAULTS_0_7, "penalty": "adaptive"}, **ALAD_WIDTHS),
    ),
    "rcgan_default_0.1": Method(
        "RCGAN with the 0.1.0 library defaults (wide penalty, Eq. 11) and GAN_SETTINGS",
        _gan(RCGAN),
    ),
    "rcgan_no_penalty": Method("RCGAN without t(x) (Table 3)", _gan(RCGAN, penalty=None)),
    "rcgan_normal2": Method(
        "RCGAN, t(x) = N(0, 2I) (Table 4)",
        _gan(RCGAN, penalty="normal", penalty_scale=math.sqrt(2)),
    ),
    "rcgan_uniform": Method(
        "RCGAN, t(x) = U(-1, 1) (Table 4)", _gan(RCGAN, penalty="uniform", penalty_scale=1.0)
    ),
    "rcgan_val": Method(
        "RCGAN, penalty N(0, I) or wide and score Eq. (11) or (12) chosen on 20 % held-out"
        " normal training rows against pseudo-anomalies (no labels); fitted on the other 80 %",
        _validated,
    ),
    "alad": Method("ALAD under the same networks and loop", _gan(ALAD)),
    "iforest": Method(
        "Isolation Forest (scikit-learn defaults)",
        lambda dataset, seed, epochs=None: SklearnAdapter(IsolationForest(random_state=seed)),
    ),
    "dsvdd": Method("Deep SVDD, one-class (Ruff et al. 2018)", _baseline("dsvdd")),
    "dagmm": Method("DAGMM (Zong et al. 2018)", _baseline("dagmm")),
    "dsebm_r": Method("DSEBM, reconstruction score (Zhai et al. 2016)", _baseline("dsebm_r")),
    "dsebm_e": Method("DSEBM, energy score (Zhai et al. 2016)", _baseline("dsebm_e")),
    "adgan": Method(
        "AnoGAN / ADGAN, batched latent search (Schlegl et al. 2017)", _baseline("adgan")
    ),
    "dcae": Method("MLP autoencoder, L2 reconstruction error", _baseline("dcae")),
    "knn": Method(
        "kNN: distance to the 5th nearest training row, standardised",
        lambda dataset, seed, epochs=None: KNNDetector(5),
    ),
    "meandist": Method(
        "Distance to the training mean, standardised (a no-model floor)",
        lambda dataset, seed, epochs=None: MeanDistance(),
    ),
    "ecod": Method("ECOD (PyOD defaults)", lambda dataset, seed, epochs=None: ECODAdapter()),
    "ocsvm": Method(
        "One-class SVM, RBF, gamma = 1/m, nu = 0.1, standardised, <= 10,000 training rows",
        _ocsvm,
    ),
}


def make_method(name: str, dataset: str, seed: int, epochs: int | None = None):
    """Build method ``name`` for ``dataset`` with ``seed`` (and optional epochs)."""
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; valid names: {sorted(METHODS)}")
    return METHODS[name].build(dataset, seed, epochs)
