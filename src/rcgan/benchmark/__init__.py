"""Benchmark protocol (splits, top-k rule, metrics) of the paper's Section 5.3."""

from .protocol import PROTOCOLS, TabularProtocol, split_train_test, topk_metrics

__all__ = ["PROTOCOLS", "TabularProtocol", "split_train_test", "topk_metrics"]
