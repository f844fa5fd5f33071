"""The one detector base: declarations match signatures; the same bad input
gets the same error from every detector."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from rcgan import ALAD, RCGAN
from rcgan.base import Detector
from rcgan.baselines import DAGMM, DSEBM, AnoGAN, AutoEncoder, DeepSVDD
from rcgan.estimator import ALAD_WIDTHS

DETECTORS = [RCGAN, ALAD, DeepSVDD, DAGMM, DSEBM, AnoGAN, AutoEncoder]


@pytest.mark.parametrize("cls", DETECTORS, ids=lambda c: c.__name__)
def test_signature_is_the_declarations(cls):
    assert issubclass(cls, Detector)
    signature = inspect.signature(cls.__init__).parameters
    declared = {name: p.default for name, p in cls._params.items()}
    in_signature = {
        name: p.default
        for name, p in signature.items()
        if name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD
    }
    assert in_signature == declared
    assert set(cls().get_params()) == set(declared)


def test_alad_only_changes_defaults():
    rc, al = RCGAN().get_params(), ALAD().get_params()
    assert set(rc) == set(al)
    assert {k for k in rc if rc[k] != al[k]} == {
        "penalty",
        "discriminator_zz",
        "scoring",
        "scaler",  # ALAD keeps the plain standardisation RCGAN had before 0.8
        "d_learning_rate",  # and one rate for both players, as RCGAN before 0.9
        *ALAD_WIDTHS,  # ALAD keeps its own KDDCUP99 widths
    }
    assert {k: al[k] for k in ALAD_WIDTHS} == ALAD_WIDTHS


BAD = [
    ({"epochs": -1}, "epochs must be an integer >= 0, got -1"),
    ({"epochs": True}, "epochs must be an integer >= 0, got True"),
    ({"batch_size": 0}, "batch_size must be an integer >= 1, got 0"),
    ({"learning_rate": True}, "learning_rate must be a number in"),
    ({"learning_rate": -1e-3}, "learning_rate must be a number in"),
    ({"contamination": 0.7}, "contamination must be .auto. or a number in"),
    ({"scaler": "robust"}, "scaler='robust' is not valid"),
    ({"device": "nope"}, "device='nope' is not a valid torch device"),
    ({"n_jobs": 0}, "n_jobs must be an integer >= 1, got 0"),
]


@pytest.mark.parametrize("cls", DETECTORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("params,message", BAD, ids=[str(b[0]) for b in BAD])
def test_same_bad_parameter_same_error(cls, params, message):
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("[", r"\[")):
        cls(**params).fit(X)


@pytest.mark.parametrize("cls", DETECTORS, ids=lambda c: c.__name__)
def test_same_bad_data_same_error(cls):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    with pytest.raises(ValueError, match="NaN"):
        bad = X.copy()
        bad[3, 1] = np.nan
        cls(epochs=1).fit(bad)
    with pytest.raises(NotFittedError):
        cls().score_samples(X)
    det = cls(epochs=1, random_state=0).fit(X)
    with pytest.raises(ValueError, match="features"):
        det.score_samples(rng.normal(size=(5, 4)))
    assert isinstance(det.history_, dict)
    assert all(isinstance(v, list) and len(v) == 1 for v in det.history_.values())
    # one sign convention everywhere
    s = det.score_samples(X)
    np.testing.assert_allclose(det.decision_function(X), s - det.offset_)
    assert set(np.unique(det.predict(X))) <= {-1, 1}


@pytest.mark.parametrize("cls", DETECTORS, ids=lambda c: c.__name__)
def test_finite_extreme_values_score_finite_and_most_anomalous(cls):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    # reconstruction-type scores grow with the distance; Eq. (11)'s D_xx logit
    # need not, far outside what its penalty covered (tested on trained models
    # in test_estimator.py::test_far_outliers_get_high_scores)
    params = {"scoring": "l2"} if issubclass(cls, RCGAN) else {}
    det = cls(epochs=2, random_state=0, **params).fit(X)
    extreme = np.array([[1e38, 0.0, 0.0], [0.0, -1e300, 0.0], [1e100, 1e100, 1e100]])
    scores = det.score_samples(np.vstack((X, extreme)))
    assert np.all(np.isfinite(scores))
    assert np.all(scores[-3:] < scores[:-3].min())
    assert np.all(det.predict(extreme) == -1)


def test_a_nan_score_is_an_outlier():
    class Broken(RCGAN):
        def _raw_scores(self, X):
            return np.full(len(X), np.nan)

    det = Broken(epochs=1, random_state=0).fit(np.random.default_rng(0).normal(size=(30, 2)))
    assert np.all(det.predict(np.zeros((3, 2))) == -1)
