"""Seed ensembles of a detector."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from rcgan import RCGAN
from rcgan.ensemble import SeedEnsemble

from .conftest import TINY


def test_members_differ_and_the_average_is_their_standardised_mean(detection_task):
    train, test, y = detection_task
    base = RCGAN(**{**TINY, "epochs": 20, "learning_rate": 1e-3}, scoring="l2")
    ens = SeedEnsemble(base, n_members=3, random_state=0).fit(train[:300])
    seeds = {est.random_state for est in ens.estimators_}
    assert len(seeds) == 3
    raw = np.stack([-est.score_samples(test) for est in ens.estimators_])
    assert not np.allclose(raw[0], raw[1])
    expected = ((raw - ens.center_[:, None]) / ens.spread_[:, None]).mean(0)
    np.testing.assert_allclose(ens.anomaly_score(test), expected)
    assert roc_auc_score(y, ens.anomaly_score(test)) > 0.7
    # same seed, same ensemble; contamination sets the share flagged on training rows
    again = SeedEnsemble(base, n_members=3, random_state=0).fit(train[:300])
    np.testing.assert_array_equal(again.anomaly_score(test), ens.anomaly_score(test))
    assert abs((ens.predict(train[:300]) == -1).mean() - 0.1) < 0.02


def test_bad_parameters():
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="n_members"):
        SeedEnsemble(n_members=0).fit(X)
    with pytest.raises(ValueError, match="contamination"):
        SeedEnsemble(contamination=0.9).fit(X)
