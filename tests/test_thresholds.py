"""Thresholds without a known contamination, and PyOD's fitted attributes."""

import numpy as np
import pytest
import torch

import rcgan
from rcgan import RCGAN
from rcgan.base import conformal_threshold
from rcgan.baselines import DeepSVDD


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    train = rng.normal(size=(600, 4))
    normal = rng.normal(size=(2000, 4))
    anomalies = rng.normal(size=(200, 4)) + 6.0
    return train, normal, anomalies


@pytest.fixture(scope="module")
def fitted(data):
    return RCGAN(epochs=5, random_state=0, contamination=0.05).fit(data[0])


def test_pyod_attributes_agree_with_predict(fitted, data):
    train = data[0]
    det = fitted
    assert det.decision_scores_.shape == (len(train),)
    assert np.allclose(det.decision_scores_, -det.score_samples(train), atol=1e-6)
    assert det.threshold_ == -det.offset_
    assert det.labels_.mean() == pytest.approx(0.05, abs=0.01)
    assert np.array_equal(det.labels_ == 1, det.predict(train) == -1)


def test_set_threshold_changes_predictions_without_refitting(data):
    train = data[0]
    det = RCGAN(epochs=2, random_state=0).fit(train)
    weights = [p.clone() for p in det.networks_.parameters()]
    assert (det.predict(train) == -1).mean() == pytest.approx(0.1, abs=0.01)
    det.set_threshold(contamination=0.2)
    assert det.contamination == 0.2
    assert (det.predict(train) == -1).mean() == pytest.approx(0.2, abs=0.01)
    det.set_threshold(threshold=float(np.max(det.decision_scores_)))
    assert (det.predict(train) == 1).all()
    params = det.networks_.parameters()
    assert all(torch.equal(a, b) for a, b in zip(weights, params, strict=True))
    with pytest.raises(ValueError, match="exactly one"):
        det.set_threshold()
    with pytest.raises(ValueError, match="contamination must be"):
        det.set_threshold(contamination=0.9)


def test_conformal_threshold_rank():
    s = np.arange(1, 200, dtype=float)  # 199 scores: rank ceil(0.99 * 200) = 198
    assert conformal_threshold(s, 0.01) == 198.0
    assert conformal_threshold(np.array([3.0, 1.0]), 0.01) == 3.0  # too few: the largest


def test_auto_contamination_false_positive_rate(data):
    """'auto' holds out rows and flags about 1 % of new normal rows, most anomalies."""
    train, normal, anomalies = data
    det = RCGAN(epochs=5, random_state=0, contamination="auto").fit(train)
    assert det.calibration_scores_.shape == (60,) and det.decision_scores_.shape == (540,)
    fpr = (det.predict(normal) == -1).mean()
    assert fpr < 0.05
    assert (det.predict(anomalies) == -1).mean() > 0.9


def test_predict_proba_and_confidence(fitted, data):
    _, normal, anomalies = data
    X = np.vstack((normal[:300], anomalies[:50]))
    for method in ("linear", "unify"):
        p = fitted.predict_proba(X, method=method)
        assert p.shape == (350, 2) and np.allclose(p.sum(1), 1.0)
        assert (p >= 0).all() and (p <= 1).all()
        assert p[300:, 1].mean() > p[:300, 1].mean() + 0.3
    with pytest.raises(ValueError, match="method="):
        fitted.predict_proba(X, method="nope")
    conf = fitted.predict_confidence(X)
    assert conf.shape == (350,) and (conf >= 0).all() and (conf <= 1).all()
    # far anomalies are flagged with near-certainty; rows at the threshold are not
    assert conf[300:].mean() > 0.99
    s = -fitted.score_samples(X)
    near = np.argsort(np.abs(s - fitted.threshold_))
    assert conf[near[:5]].mean() < conf[300:].mean()
    # below one half only just past the threshold, where p = (1 + k) / (2 + n)
    # puts n p a little under the boundary rank
    assert set(np.flatnonzero(conf < 0.5)) <= set(near[:10])


def test_thresholds_survive_save_and_load(tmp_path, data):
    train = data[0]
    for det in (
        RCGAN(epochs=2, random_state=0, contamination="auto").fit(train),
        DeepSVDD(epochs=2, random_state=0).fit(train),
    ):
        det.save(tmp_path / "m.rcgan")
        again = rcgan.load(tmp_path / "m.rcgan")
        assert np.array_equal(again.decision_scores_, det.decision_scores_)
        assert again.threshold_ == det.threshold_
        again.set_threshold(contamination=0.3)
        assert again.labels_.mean() == pytest.approx(0.3, abs=0.01)


def test_explain_names_the_shifted_feature():
    """Rows with one feature shifted: that feature ranks first in >= 95 % of them."""
    rng = np.random.default_rng(1)
    d, n = 8, 1000
    A = rng.normal(size=(d, d))
    train = rng.normal(size=(n, d)) @ A.T * np.arange(1, d + 1)  # correlated, mixed units
    det = RCGAN(random_state=0, max_updates=300).fit(train)
    test = rng.normal(size=(400, d)) @ A.T * np.arange(1, d + 1)
    which = rng.integers(0, d, size=len(test))
    spread = train.std(0)
    test[np.arange(len(test)), which] += 6 * spread[which]
    shares = det.explain(test)
    assert shares.shape == test.shape and np.allclose(shares.sum(1), 1.0)
    top = shares.argmax(1)
    assert (top == which).mean() >= 0.95
    # the range part names the feature a row pushed past the training range
    beyond = test.copy()
    beyond[np.arange(len(test)), which] = train.max(0)[which] + 3 * spread[which]
    assert np.all(det.explain(beyond, part="range").argmax(1) == which)


def test_failed_auto_rethreshold_leaves_the_model_intact(tmp_path, data):
    det = RCGAN(epochs=1, random_state=0).fit(data[0])
    with pytest.raises(ValueError, match="needs a model fitted with it"):
        det.set_threshold(contamination="auto")
    assert det.contamination == 0.1
    det.save(tmp_path / "m.rcgan")
    assert rcgan.load(tmp_path / "m.rcgan").contamination == 0.1


def test_confidence_follows_a_threshold_set_by_hand(fitted, data):
    _, normal, anomalies = data
    X = np.vstack((normal[:300], anomalies[:50]))
    fitted.set_threshold(threshold=float(np.median(fitted.decision_scores_)))
    try:
        conf = fitted.predict_confidence(X)
        assert (conf >= 0).all() and (conf <= 1).all()
        assert conf[300:].mean() > 0.99  # the far anomalies stay certain
        assert conf[:300].min() > 1e-6  # c is the training share above the threshold now
    finally:
        fitted.set_threshold(contamination=0.05)


def test_set_params_contamination_rethresholds_a_fitted_model(data):
    det = RCGAN(epochs=1, random_state=0).fit(data[0])
    det.set_params(contamination=0.25)
    assert det.labels_.mean() == pytest.approx(0.25, abs=0.01)
    assert (det.predict(data[0]) == -1).mean() == pytest.approx(0.25, abs=0.01)


def test_impute_median_fills_missing_values_in_fit_and_scoring(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    X[::10, 1] = np.nan
    with pytest.raises(ValueError, match="missing values"):
        RCGAN(epochs=1).fit(X)
    det = RCGAN(epochs=1, random_state=0, impute="median").fit(X)
    assert np.allclose(det.impute_values_, np.nanmedian(X, axis=0))
    row = np.array([[0.5, np.nan, -0.2]])
    filled = np.array([[0.5, det.impute_values_[1], -0.2]])
    assert np.array_equal(det.score_samples(row), det.score_samples(filled))
    det.save(tmp_path / "m.rcgan")
    again = rcgan.load(tmp_path / "m.rcgan")
    assert np.array_equal(again.score_samples(row), det.score_samples(row))
