import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.svm import OneClassSVM

from rcgan import ALAD, RCGAN
from rcgan.benchmark.methods import GAN_SETTINGS, METHODS, SubsampledAdapter, make_method


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_method_builds_for_every_dataset(name):
    for dataset in GAN_SETTINGS:
        det = make_method(name, dataset, seed=3)
        assert hasattr(det, "fit") and hasattr(det, "anomaly_score") and det.get_params()


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
