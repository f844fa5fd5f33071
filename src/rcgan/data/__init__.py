"""Data sets: the paper's tabular and image benchmarks and the synthetic shapes of Figure 3."""

from .download import ChecksumError, RemoteFile, cache_dir, fetch
from .images import CIFAR10_CLASSES, IMAGES, load_images
from .synthetic import SHAPES, distance_to_support, make_synthetic, make_synthetic_anomalies
from .tabular import ADBENCH, TABULAR, dataset_sha256, load_dataset

__all__ = [
    "ADBENCH",
    "CIFAR10_CLASSES",
    "IMAGES",
    "SHAPES",
    "TABULAR",
    "ChecksumError",
    "RemoteFile",
    "cache_dir",
    "dataset_sha256",
    "distance_to_support",
    "fetch",
    "load_dataset",
    "load_images",
    "make_synthetic",
    "make_synthetic_anomalies",
]
