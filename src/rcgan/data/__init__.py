"""Data sets: synthetic shapes (Section 5.1); loaders arrive with the benchmarks."""

from .synthetic import SHAPES, distance_to_support, make_synthetic, make_synthetic_anomalies

__all__ = ["SHAPES", "distance_to_support", "make_synthetic", "make_synthetic_anomalies"]
