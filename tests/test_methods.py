import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.svm import OneClassSVM

from rcgan import ALAD, RCGAN
from rcgan.benchmark.methods import GAN_SETTINGS, METHODS, SubsampledAdapter, make_method
from rcgan.estimator import ALAD_WIDTHS

from .conftest import manifold_data


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_method_fits_and_scores(name):
    X = manifold_data(80, 0)
    for dataset in (*GAN_SETTINGS, None):  # None: library defaults (the suite)
        make_method(name, dataset, seed=3)
    det = make_method(name, "thyroid", seed=3, epochs=1).fit(X)
    scores = det.anomaly_score(np.vstack((X[:5], X[:5] + 5.0)))
    assert scores.shape == (10,) and np.all(np.isfinite(scores))
    assert det.get_params()


def test_gan_methods_use_their_settings():
    det = make_method("rcgan_normal2", "arrhythmia", seed=4, epochs=7)
    assert isinstance(det, RCGAN) and det.latent_dim == 64 and det.epochs == 7
    assert det.penalty == "normal" and det.penalty_scale == pytest.approx(2**0.5)
    assert det.random_state == 4
    assert isinstance(make_method("alad", "thyroid", 0), ALAD)
    assert make_method("rcgan_no_penalty", "musk", 0).penalty is None
    assert make_method("rcgan_paper", "musk", 0).penalty_dxx is False


def test_sklearn_baselines_rank_outliers_high():
    rng = np.random.default_rng(0)
    train = rng.normal(size=(300, 4))
    test = np.vstack((rng.normal(size=(50, 4)), rng.normal(size=(50, 4)) + 6))
    y = np.r_[np.zeros(50), np.ones(50)]
    for name in ("iforest", "ocsvm"):
        det = make_method(name, "thyroid", seed=0).fit(train)
        assert roc_auc_score(y, det.anomaly_score(test)) > 0.95, name


def test_subsampling_caps_training_rows():
    X = np.random.default_rng(0).normal(size=(200, 3))
    det = SubsampledAdapter(OneClassSVM(nu=0.9), max_rows=30, seed=0).fit(X)
    assert det.estimator.support_vectors_.shape[0] <= 30


def test_unknown_method():
    with pytest.raises(ValueError, match="valid names"):
        make_method("gan", "thyroid", 0)


def test_pseudo_anomalies_keep_marginals_and_leave_the_box():
    from rcgan.benchmark.methods import pseudo_anomalies

    X = np.random.default_rng(0).normal(size=(101, 3)) @ np.array(
        [[1, 0.9, 0], [0, 0.4, 0], [0, 0, 1]]
    )
    fakes = pseudo_anomalies(X, np.random.default_rng(1))
    assert fakes.shape == X.shape
    shuffled, box = fakes[:51], fakes[51:]
    # shuffled half: each column a subset of the column's own values
    assert all(np.isin(shuffled[:, j], X[:, j]).all() for j in range(3))
    # ... with the correlation of columns 0 and 1 broken
    assert abs(np.corrcoef(shuffled[:, 0], shuffled[:, 1])[0, 1]) < 0.5 < np.corrcoef(X.T)[0, 1]
    # box half: some values outside the training range
    assert ((box < X.min(0)) | (box > X.max(0))).any(axis=1).mean() > 0.3


class _Stub:
    """Scores rows by distance to the training mean ("good") or by noise."""

    def __init__(self, seen):
        self.seen, self.scoring = seen, "good"

    def fit(self, X):
        self.seen.append(X.copy())
        self.mean_ = X.mean(0)
        return self

    def set_params(self, scoring):
        self.scoring = scoring
        return self

    def get_params(self):
        return {"scoring": self.scoring}

    def anomaly_score(self, X):
        if self.scoring == "good":
            return np.linalg.norm(X - self.mean_, axis=1)
        return np.random.default_rng(len(X)).normal(size=len(X))


def test_validated_choice_uses_training_rows_only_and_picks_the_better_candidate():
    from rcgan.benchmark.methods import ValidatedChoice

    seen = []
    X = np.random.default_rng(0).normal(size=(200, 4))
    choice = ValidatedChoice([("stub", lambda: _Stub(seen), ("noise", "good"))], seed=0)
    choice.fit(X)
    assert choice.choice_ == "stub/good"
    assert choice.validation_["stub/good"] > 0.65 > choice.validation_["stub/noise"]
    # one fit, on 80 % of the training rows, none of them held out
    assert len(seen) == 1 and seen[0].shape == (160, 4)
    assert np.isin(seen[0], X).all()
    test = np.random.default_rng(1).normal(size=(20, 4))
    np.testing.assert_allclose(
        choice.anomaly_score(test), np.linalg.norm(test - seen[0].mean(0), axis=1)
    )
    assert (
        make_method("rcgan_val", "thyroid", 0).get_params()["normal-wide"]["penalty"]
        == "normal-wide"
    )


def test_past_defaults_stay_reachable_as_pinned_methods():
    # a row named after a past release's defaults must keep meaning them
    # after the library defaults move on
    now = make_method("rcgan_default", "thyroid", 3)
    assert now.get_params() == RCGAN(random_state=3).get_params()
    last = make_method("rcgan_default_0.8", "thyroid", 3).get_params()
    assert (last["d_learning_rate"], last["scoring"]) == (None, "xz+l1")
    changed = ("d_learning_rate", "scoring")
    assert {k: v for k, v in last.items() if k not in changed} == {
        k: v for k, v in now.get_params().items() if k not in changed
    }
    past = make_method("rcgan_default_0.7", "thyroid", 3).get_params()
    assert (past["penalty"], past["scoring"], past["scaler"], past["d_learning_rate"]) == (
        "adaptive-diff",
        "xz+l2",
        "standard",
        None,
    )
    changed = ("penalty", "scoring", "scaler", "d_learning_rate")
    assert {k: v for k, v in past.items() if k not in changed} == {
        k: v for k, v in now.get_params().items() if k not in changed
    }
    for pinned in ("rcgan_default_0.4", "rcgan_default_0.3", "rcgan_default_0.1", "rcgan", "alad"):
        # one rate for both players until 0.9, and in the paper-table methods
        assert make_method(pinned, "thyroid", 3).get_params()["d_learning_rate"] is None
    old = make_method("rcgan_default_0.4", "thyroid", 3).get_params()
    assert (old["penalty"], old["scaler"], old["encoder_hidden"]) == (
        "adaptive-diff",
        "standard",
        ALAD_WIDTHS["encoder_hidden"],
    )
