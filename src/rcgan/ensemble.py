"""Seed ensembles: several fits of one detector, scores standardised and averaged.

A GAN's scores move with its seed (initialisation, minibatch order, latent
and penalty draws). :class:`SeedEnsemble` fits ``n_members`` clones of a
detector that differ only in ``random_state``, standardises each member's
anomaly scores by the median and interquartile range of its own scores on
the training rows (so members on different scales weigh alike), and
averages them. The cost is ``n_members`` fits and scorings.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin, clone
from sklearn.utils.validation import check_is_fitted, validate_data

from .base import integer, real
from .utils import seed_from

__all__ = ["SeedEnsemble"]


class SeedEnsemble(OutlierMixin, BaseEstimator):
    """Average of ``n_members`` seeds of one detector (see the module docstring).

    Parameters
    ----------
    estimator : detector or None, default=None
        Any detector with ``random_state`` and ``score_samples`` (higher =
        more normal); None: ``RCGAN()`` with its defaults.
    n_members : int, default=5
        Number of fits.
    contamination : float, default=0.1
        Expected share of outliers, in (0, 0.5]; sets ``offset_``.
    random_state : int, RandomState instance or None, default=None
        Seeds the members' seeds.

    Attributes
    ----------
    estimators_ : list of fitted detectors
    center_, spread_ : ndarray of shape (n_members,)
        Median and interquartile range of each member's training anomaly scores.
    offset_ : float
        Threshold on ``score_samples``.
    """

    def __init__(self, estimator=None, *, n_members=5, contamination=0.1, random_state=None):
        self.estimator = estimator
        self.n_members = n_members
        self.contamination = contamination
        self.random_state = random_state

    def fit(self, X, y=None):
        """Fit every member on ``X`` (normal data); ``y`` is ignored."""
        integer(1)("n_members", self.n_members)
        real(0.0, 0.5, high_open=False)("contamination", self.contamination)
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        if self.estimator is None:
            from .estimator import RCGAN

            base = RCGAN()
        else:
            base = self.estimator
        rng = np.random.default_rng(seed_from(self.random_state))
        seeds = rng.integers(np.iinfo(np.int32).max, size=self.n_members)
        self.estimators_ = [clone(base).set_params(random_state=int(s)).fit(X) for s in seeds]
        train = np.stack([-est.score_samples(X) for est in self.estimators_])
        q25, q50, q75 = np.percentile(train, [25, 50, 75], axis=1)
        self.center_, self.spread_ = q50, np.where(q75 - q25 > 1e-12, q75 - q25, 1.0)
        combined = ((train - self.center_[:, None]) / self.spread_[:, None]).mean(0)
        self.offset_ = float(np.percentile(-combined, 100.0 * self.contamination))
        return self

    def anomaly_score(self, X) -> np.ndarray:
        """Mean standardised anomaly score of the members (higher = more anomalous)."""
        check_is_fitted(self, "estimators_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        raw = np.stack([-est.score_samples(X) for est in self.estimators_])
        return ((raw - self.center_[:, None]) / self.spread_[:, None]).mean(0)

    def score_samples(self, X) -> np.ndarray:
        """Normality score (higher = more normal): ``-anomaly_score``."""
        return -self.anomaly_score(X)

    def decision_function(self, X) -> np.ndarray:
        """``score_samples(X) - offset_``; negative = outlier."""
        return self.score_samples(X) - self.offset_

    def predict(self, X) -> np.ndarray:
        """-1 for outliers, +1 for inliers."""
        return np.where(self.decision_function(X) < 0, -1, 1)
