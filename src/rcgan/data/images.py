"""MNIST and CIFAR-10 with their official train and test splits.

``load_images(name, data_dir=None) -> (X_train, y_train, X_test, y_test)``:

- ``"mnist"``: the four IDX files (gzip), parsed with NumPy: images uint8
  (n, 28, 28), labels uint8. The checksum is that of each file's
  decompressed content (the canonical one), so re-compressed copies are
  accepted as long as their content is identical.
- ``"cifar10"``: the official *binary* archive ``cifar-10-binary.tar.gz``,
  read member by member from the tar stream without extracting anything:
  ``data_batch_1.bin`` ... ``data_batch_5.bin`` (train) and
  ``test_batch.bin``, each a sequence of fixed 3,073-byte records (1 label
  byte, then 1,024 red, 1,024 green and 1,024 blue bytes, row-major);
  images uint8 (n, 3, 32, 32). No pickle is involved.

Files come through :func:`rcgan.data.download.fetch` (local folder, cache or
download; SHA-256 checked).
"""

from __future__ import annotations

import gzip
import tarfile
from pathlib import Path

import numpy as np

from .download import RemoteFile, fetch

__all__ = ["CIFAR10_CLASSES", "IMAGES", "load_images", "read_cifar10_binary", "read_idx"]

IMAGES = ("mnist", "cifar10")
CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)

_MNIST_URLS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
# (file, sha256 of the decompressed IDX content)
_MNIST = {
    "train-images-idx3-ubyte.gz": (
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
    ),
    "train-labels-idx1-ubyte.gz": (
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
    ),
    "t10k-images-idx3-ubyte.gz": (
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
    ),
}
MNIST_FILES = {
    name: RemoteFile(name, sha, tuple(u + name for u in _MNIST_URLS), gunzip=True)
    for name, sha in _MNIST.items()
}
#: SHA-256 of the 170,052,171-byte archive (MD5 on the authors' page:
#: c32a1d4ab5d03f1284b67883e8d87530)
CIFAR10_FILE = RemoteFile(
    "cifar-10-binary.tar.gz",
    "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
    ("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",),
)
_CIFAR_TRAIN = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
_CIFAR_TEST = ("test_batch.bin",)
_RECORD = 1 + 3 * 32 * 32


def read_idx(path: str | Path) -> np.ndarray:
    """Read a (gzip) IDX file of unsigned bytes into an array of its shape."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as fh:
        data = fh.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    ndim = data[3]
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {body.size} bytes of data for shape {dims}")
    return body.reshape(dims)


def _parse_records(raw: bytes, name: str) -> tuple[np.ndarray, np.ndarray]:
    if len(raw) % _RECORD:
        raise ValueError(f"{name}: {len(raw)} bytes is not a whole number of 3,073-byte records")
    rec = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _RECORD)
    labels = rec[:, 0].copy()
    if labels.max(initial=0) > 9:
        raise ValueError(f"{name}: label byte above 9")
    return rec[:, 1:].reshape(-1, 3, 32, 32).copy(), labels


def read_cifar10_binary(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read the CIFAR-10 binary archive: (X_train, y_train, X_test, y_test).

    Only the six expected regular members are read (by their base name,
    wherever they sit in the archive); nothing is written to disk.
    """
    wanted = set(_CIFAR_TRAIN + _CIFAR_TEST)
    parts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            base = Path(member.name).name
            if base in wanted and member.isreg():
                fh = tar.extractfile(member)
                parts[base] = _parse_records(fh.read(), base)
    missing = wanted - set(parts)
    if missing:
        raise ValueError(f"{path}: missing members {sorted(missing)}")

    def join(names):
        return (
            np.concatenate([parts[n][0] for n in names]),
            np.concatenate([parts[n][1] for n in names]),
        )

    X_train, y_train = join(_CIFAR_TRAIN)
    X_test, y_test = join(_CIFAR_TEST)
    return X_train, y_train, X_test, y_test


def load_images(
    name: str, data_dir: str | Path | None = None, download: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Official train and test splits of ``"mnist"`` or ``"cifar10"``.

    ``data_dir`` may hold the files directly or in a ``mnist/`` subfolder.
    """
    if name not in IMAGES:
        raise ValueError(f"unknown image data set {name!r}; valid names: {list(IMAGES)}")
    if name == "cifar10":
        return read_cifar10_binary(fetch(CIFAR10_FILE, data_dir, download))
    folder = data_dir
    if data_dir is not None and (Path(data_dir) / "mnist").is_dir():
        folder = Path(data_dir) / "mnist"
    arrays = [read_idx(fetch(MNIST_FILES[f], folder, download)) for f in _MNIST]
    X_train, y_train, X_test, y_test = arrays
    return X_train, y_train, X_test, y_test
