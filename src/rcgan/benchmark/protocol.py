"""The tabular evaluation protocol of the paper (Section 5.3), in one place.

Per data set and seed:

1. split the rows at random (``numpy.random.default_rng(seed)``): a
   ``train_fraction`` share for training, the rest for testing (80 % for
   KDDCUP99 and Arrhythmia, 50 % for Thyroid and Musk);
2. train on the **normal** rows of the training part only (the labels of
   the training part are used for this filtering and nothing else);
3. score the whole test part;
4. flag the top ``anomaly_share`` of the test scores as anomalies (20, 15,
   2.5 and 3.2 %): the ``ceil(share * n_test)`` highest scores, plus any
   score tied with the lowest of them (ALAD's ``>=`` percentile rule), and
   report precision, recall and F1 of the anomaly class, with AUROC and
   average precision, which need no threshold.

The threshold uses the known anomaly share of the test set, as the paper and
ALAD do (a transductive, oracle-share rule); AUROC does not depend on it. No
test label reaches training or model choice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

__all__ = [
    "PROTOCOLS",
    "SUITE",
    "TabularProtocol",
    "split_train_test",
    "suite_protocol",
    "topk_metrics",
]


@dataclass(frozen=True)
class TabularProtocol:
    """Split share and flagged share of one data set.

    ``anomaly_share=None`` flags as many test rows as there are test
    anomalies (the suite's rule: top-k with k = the test anomaly count).
    """

    train_fraction: float
    anomaly_share: float | None


PROTOCOLS: dict[str, TabularProtocol] = {
    "kddcup99": TabularProtocol(0.8, 0.20),
    "arrhythmia": TabularProtocol(0.8, 0.15),
    "thyroid": TabularProtocol(0.5, 0.025),
    "musk": TabularProtocol(0.5, 0.032),
}


#: the accuracy suite: the paper's four sets and ADBench's twelve classical sets
SUITE = (
    "kddcup99",
    "arrhythmia",
    "thyroid",
    "musk",
    "breastw",
    "fault",
    "glass",
    "ionosphere",
    "letter",
    "mammography",
    "optdigits",
    "pageblocks",
    "pendigits",
    "pima",
    "vowels",
    "wdbc",
)


def suite_protocol(dataset: str) -> TabularProtocol:
    """The suite's protocol: the paper's split shares (80 % for KDDCUP99 and
    Arrhythmia, 50 % otherwise), top-k with k = the test anomaly count."""
    return TabularProtocol(0.8 if dataset in ("kddcup99", "arrhythmia") else 0.5, None)


def split_train_test(
    X: np.ndarray, y: np.ndarray, train_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random split; returns (normal training rows, test rows, test labels).

    ``y`` is 1 for anomalies, 0 for normal rows.
    """
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must be in (0, 1), got {train_fraction!r}")
    X, y = np.asarray(X), np.asarray(y).ravel()
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]}")
    order = np.random.default_rng(seed).permutation(X.shape[0])
    n_train = round(train_fraction * X.shape[0])
    train, test = order[:n_train], order[n_train:]
    return X[train][y[train] == 0], X[test], y[test]


def topk_metrics(
    scores: np.ndarray, y: np.ndarray, anomaly_share: float | None
) -> dict[str, float]:
    """Top-k precision, recall and F1 of the anomaly class, AUROC and AP.

    Parameters
    ----------
    scores : array of shape (n,)
        Anomaly scores, higher = more anomalous.
    y : array of shape (n,)
        1 for anomalies, 0 for normal rows.
    anomaly_share : float or None
        Share of rows to flag (k = ceil(share * n)); None: k = the number
        of anomalies in ``y``.
    """
    scores, y = np.asarray(scores, dtype=float).ravel(), np.asarray(y).ravel().astype(int)
    if scores.shape != y.shape:
        raise ValueError(f"{scores.shape[0]} scores for {y.shape[0]} labels")
    if not np.all(np.isfinite(scores)):
        raise ValueError("scores contain NaN or infinite values")
    if anomaly_share is None:
        n_flag = max(1, int((y == 1).sum()))
    else:
        n_flag = max(1, math.ceil(anomaly_share * len(scores)))
    threshold = np.sort(scores)[::-1][n_flag - 1]
    flagged = scores >= threshold
    tp = int(np.sum(flagged & (y == 1)))
    precision = tp / max(int(flagged.sum()), 1)
    recall = tp / max(int((y == 1).sum()), 1)
    f1 = 0.0 if tp == 0 else 2 * precision * recall / (precision + recall)
    two_classes = 0 < y.sum() < len(y)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "auroc": float(roc_auc_score(y, scores)) if two_classes else float("nan"),
        "average_precision": float(average_precision_score(y, scores))
        if two_classes
        else float("nan"),
        "n_flagged": int(flagged.sum()),
        "threshold": float(threshold),
    }
