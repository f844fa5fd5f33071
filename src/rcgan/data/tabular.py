"""The tabular benchmark data sets of the paper (Section 5.3, Table 1).

``load_dataset(name)`` returns ``(X, y)`` with ``y = 1`` for anomalies (it
also serves the image sets, as their official splits, see
:mod:`rcgan.data.images`):

- ``"kddcup99"``: the raw KDD Cup 1999 10 % file (494,021 rows), parsed here
  and one-hot encoded into the 121 columns of ALAD's and DAGMM's loaders:
  the 34 numeric columns in file order, then indicator columns for
  ``protocol_type`` (3), ``service`` (66), ``flag`` (11), ``land`` (2),
  ``logged_in`` (2), ``is_host_login`` (1: always 0 in this file) and
  ``is_guest_login`` (2), each block with its values sorted as strings
  (:func:`parse_kddcup99` also returns the column names). Rows labelled
  ``normal.`` (19.7 %) are the anomaly class, as in the paper. Features are
  not scaled (the estimators scale on their training rows).
- ``"arrhythmia"``: ODDS ``arrhythmia.mat`` (452 x 274); with
  ``source="uci"``, the raw UCI file (452 x 279 + class), from which the five
  attributes with missing values (0-based columns 10-14: T, P, QRST, J,
  heart rate; 408 of the 452 J values are missing) are dropped, giving the
  same 274 columns; classes 3, 4, 5, 7, 8, 9, 14, 15 are anomalies (66 rows).
- ``"thyroid"``: ODDS ``thyroid.mat`` (3772 x 6, 93 anomalies).
- ``"musk"``: ODDS ``musk.mat`` (3062 x 166, 97 anomalies).
- the twelve sets of :data:`ADBENCH` (``"breastw"``, ``"fault"``, ...):
  ADBench's "Classical" ``.npz`` files (Han et al., NeurIPS 2022 Datasets and
  Benchmarks), keys ``X`` and ``y``, read from ``adbench/`` under the data
  folder or downloaded from the ADBench repository at a fixed commit; the
  development suite of ``rcgan reproduce suite``.

Files come through :func:`rcgan.data.download.fetch`: a local folder
(``data_dir=`` or ``RCGAN_DATA_DIR``), the cache, or the canonical source,
always checked against the SHA-256 below.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import numpy as np

from .download import RemoteFile, cache_dir, fetch
from .images import CIFAR10_FILE, IMAGES, MNIST_FILES, load_images

__all__ = [
    "ADBENCH",
    "FILES",
    "TABULAR",
    "dataset_sha256",
    "load_dataset",
    "parse_arrhythmia_uci",
    "parse_kddcup99",
]

_ODDS = "https://raw.githubusercontent.com/yzhao062/pyod/ef6d5e8dc828615f498286c1d6a22cbd02fd4cd2/notebooks/data/"
_UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases/"

FILES: dict[str, RemoteFile] = {
    "thyroid.mat": RemoteFile(
        "thyroid.mat",
        "49155d7861b977e90808faf68343ff67a67f63090c2744d514dbb67ac68e7e33",
        (_ODDS + "thyroid.mat",),
    ),
    "arrhythmia.mat": RemoteFile(
        "arrhythmia.mat",
        "e4d47e499591ae31e5d7f0cd983367092353eac240f48e14c9b36457edb3460d",
        (_ODDS + "arrhythmia.mat",),
    ),
    "musk.mat": RemoteFile(
        "musk.mat",
        "50bbf414caceb66cfe6f6b1eb7c1ff7c6eb1e6d87173f7bb597ba55cd3dc5493",
        (_ODDS + "musk.mat",),
    ),
    "arrhythmia.data": RemoteFile(
        "arrhythmia.data",
        "a7f0f4ca289a4c58b5ed85a9adb793189acd38425828ce3dfbb70adb45f30169",
        (_UCI + "arrhythmia/arrhythmia.data",),
    ),
    "kddcup.data_10_percent.gz": RemoteFile(
        "kddcup.data_10_percent.gz",
        "8045aca0d84e70e622d1148d7df782496f6333bf6eb979a1b0837c42a9fd9561",
        (
            "http://kdd.ics.uci.edu/databases/kddcup99/kddcup.data_10_percent.gz",
            "https://ndownloader.figshare.com/files/5976042",
        ),
    ),
}

_ADBENCH_URL = (
    "https://raw.githubusercontent.com/Minqi824/ADBench/"
    "3dac8221081e190f157d78e93bfa8867f90d0965/adbench/datasets/Classical/"
)
_ADBENCH_FILES = {
    "breastw": (
        "4_breastw.npz",
        "4f37ce07dbc25ddad8178fdc6d664ab46d2d0000ee28c2787c3c7ff3c03ef9f6",
    ),
    "fault": ("12_fault.npz", "ec27301f9a4cf7c5d8b22c360cf37ddb043b7fb062465723dfd8b34e2771e5dd"),
    "glass": ("14_glass.npz", "aa7a8db1d475ba01a10488af454bc15220a3d5951b010b03b7020567d8152cdc"),
    "ionosphere": (
        "18_Ionosphere.npz",
        "bca46cb0cfd1bf9ddef6cde5ad2215d54fb0189508d0d4c4eb98e788cad69001",
    ),
    "letter": ("20_letter.npz", "f986d3da80cf1fa2aea83a5ebe73b7d4800e0d4c01fdd1ae074b58d20f10d039"),
    "mammography": (
        "23_mammography.npz",
        "a0308ac9712d78321073b1c2dc98dc37665c0f35c1cc33019416fe8f8d7de7ea",
    ),
    "optdigits": (
        "26_optdigits.npz",
        "60de17a375a278ba220a7849727d998aa02b5e2f9fd17732a004bba28de4656e",
    ),
    "pageblocks": (
        "27_PageBlocks.npz",
        "10a9b4d5bb5d3b9083caab4c4062f665610eada703c3d927bf7c34b1f2d0d223",
    ),
    "pendigits": (
        "28_pendigits.npz",
        "c4936b89dcdad59d303020e492f763a0f54170080d787c77497609acbb9c2d79",
    ),
    "pima": ("29_Pima.npz", "215454bb263a2f040945c9ea7bd7f06f1e89a61a3143bdb6f196e3887e801a7d"),
    "vowels": ("40_vowels.npz", "4bfc4244d1c882773bbbc50d4a5db5e52276e53506e46b2d45e02d074cfcb1b6"),
    "wdbc": ("43_WDBC.npz", "78d4606a1ab516f5b60b00c196497f3bbd6bd5e4548fd04cf5f2475209b34b85"),
}
for _name, (_file, _sha) in _ADBENCH_FILES.items():
    FILES[f"adbench/{_file}"] = RemoteFile(f"adbench/{_file}", _sha, (_ADBENCH_URL + _file,))

TABULAR = ("kddcup99", "arrhythmia", "thyroid", "musk")
#: the twelve ADBench "Classical" sets of the development suite
ADBENCH = tuple(_ADBENCH_FILES)

KDD_FIELDS = (
    "duration protocol_type service flag src_bytes dst_bytes land wrong_fragment urgent hot "
    "num_failed_logins logged_in num_compromised root_shell su_attempted num_root "
    "num_file_creations num_shells num_access_files num_outbound_cmds is_host_login "
    "is_guest_login count srv_count serror_rate srv_serror_rate rerror_rate srv_rerror_rate "
    "same_srv_rate diff_srv_rate srv_diff_host_rate dst_host_count dst_host_srv_count "
    "dst_host_same_srv_rate dst_host_diff_srv_rate dst_host_same_src_port_rate "
    "dst_host_srv_diff_host_rate dst_host_serror_rate dst_host_srv_serror_rate "
    "dst_host_rerror_rate dst_host_srv_rerror_rate"
).split()
KDD_CATEGORICAL = (
    "protocol_type",
    "service",
    "flag",
    "land",
    "logged_in",
    "is_host_login",
    "is_guest_login",
)
_KDD_PARSER_VERSION = 1
ARRHYTHMIA_ANOMALY_CLASSES = (3, 4, 5, 7, 8, 9, 14, 15)
ARRHYTHMIA_MISSING_COLUMNS = (10, 11, 12, 13, 14)


#: field positions of the raw KDD Cup 1999 lines: the 34 numbers, the 8 text fields
_KDD_NUMERIC = [i for i, f in enumerate(KDD_FIELDS) if f not in KDD_CATEGORICAL]
_KDD_TEXT = [i for i in range(42) if i not in _KDD_NUMERIC]


def parse_kddcup99(path: str | Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Parse the raw (gzip) KDD Cup 1999 file into the 121-column encoding.

    Returns
    -------
    X : ndarray (n, 121) float64, y : ndarray (n,) int8 (1 = ``normal.``),
    columns : list of str
    """
    table = _read_kdd_table(path)
    if table is None:  # not a clean table: name the first bad line, if a count is off
        _check_kdd_fields(path)
        raise ValueError(f"{path}: expected 42 fields per line, 34 of them numbers")
    numeric, text = table
    cats = text[:, [_KDD_TEXT.index(KDD_FIELDS.index(f)) for f in KDD_CATEGORICAL]]
    labels = text[:, _KDD_TEXT.index(41)]
    blocks, columns = [numeric], [KDD_FIELDS[i] for i in _KDD_NUMERIC]
    for j, name in enumerate(KDD_CATEGORICAL):
        values = np.unique(cats[:, j])  # sorted as strings
        blocks.append((cats[:, j][:, None] == values[None, :]).astype(np.float64))
        columns += [f"{name}-{v}" for v in values]
    y = (np.array(labels) == "normal.").astype(np.int8)
    return np.hstack(blocks), y, columns


def _read_kdd_table(path: str | Path) -> tuple[np.ndarray, np.ndarray] | None:
    """The numeric fields (n, 34) float64 and the text fields (n, 8) of the file.

    pandas' C parser (its default float conversion gives the same float64
    values as ``float()`` on this file, checked against an independent copy
    in the tests). None if the file is not such a table.
    """
    import pandas as pd

    dtypes = {i: (np.float64 if i in _KDD_NUMERIC else str) for i in range(42)}
    try:
        frame = pd.read_csv(
            path,
            header=None,
            dtype=dtypes,
            compression="gzip",
            keep_default_na=False,
            na_filter=False,
        )
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None  # (pandas' ParserError is a ValueError too)
    if frame.shape[1] != 42:
        return None
    return frame[_KDD_NUMERIC].to_numpy(np.float64), frame[_KDD_TEXT].to_numpy(str)


def _check_kdd_fields(path: str | Path) -> None:
    """Raise naming the first line that does not have 42 fields."""
    with gzip.open(path, "rt", newline="") as fh:
        for line_no, row in enumerate(csv.reader(fh), start=1):
            if row and len(row) != 42:
                raise ValueError(f"{path}: line {line_no} has {len(row)} fields, expected 42")


def parse_arrhythmia_uci(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Parse the raw UCI Arrhythmia file; drop the columns with missing values."""
    text = Path(path).read_text()
    rows = [r for r in csv.reader(io.StringIO(text)) if r]
    if any(len(r) != 280 for r in rows):
        raise ValueError(f"{path}: expected 280 fields per line (279 attributes + class)")
    keep = [i for i in range(279) if i not in ARRHYTHMIA_MISSING_COLUMNS]
    X = np.array([[float(r[i]) for i in keep] for r in rows])
    cls = np.array([int(r[279]) for r in rows])
    return X, np.isin(cls, ARRHYTHMIA_ANOMALY_CLASSES).astype(np.int8)


def _load_mat(path: Path) -> tuple[np.ndarray, np.ndarray]:
    from scipy.io import loadmat

    mat = loadmat(path)
    return np.asarray(mat["X"], dtype=np.float64), np.asarray(mat["y"]).ravel().astype(np.int8)


def _load_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        X = np.asarray(data["X"], dtype=np.float64)
        y = np.asarray(data["y"]).ravel().astype(np.int8)
    return X, y


def _kdd_cached(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Parse once, then reuse a derived .npz in the cache (keyed by checksum)."""
    spec = FILES["kddcup.data_10_percent.gz"]
    derived = (
        cache_dir() / "derived" / f"kddcup99-121-v{_KDD_PARSER_VERSION}-{spec.sha256[:16]}.npz"
    )
    if derived.is_file():
        with np.load(derived, allow_pickle=False) as d:
            return d["X"], d["y"]
    X, y, columns = parse_kddcup99(path)
    try:
        derived.parent.mkdir(parents=True, exist_ok=True)
        tmp = derived.with_suffix(".tmp.npz")
        np.savez(tmp, X=X, y=y, columns=np.array(columns))
        tmp.replace(derived)
    except OSError:
        pass  # a read-only cache only costs a re-parse next time
    return X, y


def dataset_sha256(name: str, source: str = "odds") -> dict[str, str]:
    """SHA-256 of the file(s) behind a data set (for result provenance)."""
    if name == "mnist":
        return {f.name: f.sha256 for f in MNIST_FILES.values()}
    if name == "cifar10":
        return {CIFAR10_FILE.name: CIFAR10_FILE.sha256}
    if name in ADBENCH:
        key = f"adbench/{_ADBENCH_FILES[name][0]}"
    elif name == "kddcup99":
        key = "kddcup.data_10_percent.gz"
    elif name == "arrhythmia" and source == "uci":
        key = "arrhythmia.data"
    elif name in TABULAR:
        key = f"{name}.mat"
    else:
        raise ValueError(f"unknown data set {name!r}")
    return {key: FILES[key].sha256}


def load_dataset(
    name: str, data_dir: str | Path | None = None, source: str = "odds", download: bool = True
) -> tuple[np.ndarray, ...]:
    """Load a benchmark data set.

    Tabular sets come as ``(X, y)`` with y = 1 for anomalies; the image sets
    ``"mnist"`` and ``"cifar10"`` as their official splits ``(X_train,
    y_train, X_test, y_test)`` with class labels (see
    :func:`rcgan.data.load_images`).

    Parameters
    ----------
    name : {"kddcup99", "arrhythmia", "thyroid", "musk", "mnist", "cifar10"} or a name in
        :data:`ADBENCH`
    data_dir : str or Path, optional
        Folder holding the raw files (default: ``RCGAN_DATA_DIR``, then the
        cache, then a download).
    source : {"odds", "uci"}
        For "arrhythmia" only: the ODDS .mat file or the raw UCI file.
    download : bool
        Allow downloading into the cache.
    """
    if name in IMAGES and source == "odds":
        return load_images(name, data_dir, download)
    if name in ADBENCH and source == "odds":
        return _load_npz(fetch(FILES[f"adbench/{_ADBENCH_FILES[name][0]}"], data_dir, download))
    if name not in TABULAR and name not in IMAGES and name not in ADBENCH:
        valid = list(TABULAR) + list(ADBENCH) + list(IMAGES)
        raise ValueError(f"unknown data set {name!r}; valid names: {valid}")
    if source not in ("odds", "uci") or (source == "uci" and name != "arrhythmia"):
        raise ValueError(f"source={source!r} is not available for {name!r}")
    if name == "kddcup99":
        path = fetch(FILES["kddcup.data_10_percent.gz"], data_dir, download)
        return _kdd_cached(path)
    if source == "uci":
        return parse_arrhythmia_uci(fetch(FILES["arrhythmia.data"], data_dir, download))
    return _load_mat(fetch(FILES[f"{name}.mat"], data_dir, download))
