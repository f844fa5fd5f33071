"""One-class image benchmark (Table 2) and Figure 1.

Protocol (Section 5.4, the official splits): for each class c in turn, train
on the training images of class c only; score the whole official test split;
test images of other classes are the anomalies; AUROC. One JSON line per
(data set, class, method, seed), appended as each job finishes (a restarted
run skips finished jobs).

Methods (settings fixed a priori; ALAD's CIFAR-10 choices where it has them:
latent 100, batch 32, Adam learning rate 2e-4 with beta1 0.5):

- ``rcgan``: t(x) = N(0, I) on images scaled to [-1, 1], Eq. (12) score
  with the L2 norm, as the paper's Table 2;
- ``alad``: the same networks and loop without t(x), with D_zz, Eq. (12)
  with L1 (ALAD's default);
- ``dcae``: convolutional autoencoder (RCGAN's E and G), L2 error;
- ``iforest``: Isolation Forest on the raw pixels.

The paper's Table 2 values (CIFAR-10, AUROC %, mean ± std) are printed beside
ours.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

from ..baselines import get_baseline
from ..data import CIFAR10_CLASSES, dataset_sha256, load_images
from ..estimator import ALAD, RCGAN
from .methods import SklearnAdapter
from .runner import execute, jsonable

__all__ = [
    "IMAGE_METHODS",
    "PAPER_TABLE2",
    "ImageTask",
    "figure1",
    "run_table2",
    "table2_markdown",
]

# ALAD's CIFAR-10 settings; dropout and the epoch budget as in 0.1.0 (the
# library defaults changed in 0.2, the image rows keep their configuration)
_GAN = dict(
    latent_dim=100,
    batch_size=32,
    learning_rate=2e-4,
    d_learning_rate=None,
    conv_width=32,
    dropout=0.2,
    max_updates=None,
)

#: name -> factory ``(shape, seed, epochs, device) -> detector``
IMAGE_METHODS: dict[str, Callable[..., Any]] = {
    "rcgan": lambda shape, seed, epochs, device="cpu": RCGAN(
        penalty="normal", scoring="fm_l2", epochs=epochs, random_state=seed, device=device, **_GAN
    ),
    "alad": lambda shape, seed, epochs, device="cpu": ALAD(
        epochs=epochs, random_state=seed, device=device, **_GAN
    ),
    "dcae": lambda shape, seed, epochs, device="cpu": get_baseline(
        "dcae",
        image_shape=shape,
        epochs=epochs,
        seed=seed,
        batch_size=32,
        conv_width=32,
        learning_rate=2e-4,
        device=device,
    ),
    "iforest": lambda shape, seed, epochs, device="cpu": SklearnAdapter(
        IsolationForest(random_state=seed)
    ),
}
_FLAT = {"dcae", "iforest"}  # these take flattened pixel rows

#: CIFAR-10 AUROC (%) of the paper's Table 2: class -> method -> (mean, std)
PAPER_TABLE2: dict[str, dict[str, tuple[float, float]]] = {
    "airplane": {
        "dcae": (59.1, 5.1),
        "iforest": (60.1, 0.7),
        "alad": (64.7, 2.6),
        "rcgan": (71.8, 1.5),
    },
    "automobile": {
        "dcae": (57.4, 2.9),
        "iforest": (50.8, 0.6),
        "alad": (45.7, 0.8),
        "rcgan": (59.5, 0.7),
    },
    "bird": {
        "dcae": (48.9, 2.4),
        "iforest": (49.2, 0.4),
        "alad": (67.0, 0.7),
        "rcgan": (66.2, 0.2),
    },
    "cat": {"dcae": (58.4, 1.2), "iforest": (55.1, 0.4), "alad": (59.2, 1.1), "rcgan": (63.9, 1.7)},
    "deer": {
        "dcae": (54.0, 1.3),
        "iforest": (49.8, 0.4),
        "alad": (72.7, 0.6),
        "rcgan": (73.4, 0.9),
    },
    "dog": {"dcae": (62.2, 1.8), "iforest": (58.5, 0.4), "alad": (52.8, 1.2), "rcgan": (59.6, 1.1)},
    "frog": {
        "dcae": (51.2, 5.2),
        "iforest": (42.9, 0.6),
        "alad": (69.5, 1.1),
        "rcgan": (73.0, 1.3),
    },
    "horse": {
        "dcae": (58.6, 2.9),
        "iforest": (55.1, 0.7),
        "alad": (44.8, 0.4),
        "rcgan": (52.5, 0.5),
    },
    "ship": {
        "dcae": (76.8, 1.4),
        "iforest": (74.2, 0.6),
        "alad": (73.4, 0.4),
        "rcgan": (73.4, 3.2),
    },
    "truck": {
        "dcae": (67.3, 3.0),
        "iforest": (58.9, 0.7),
        "alad": (43.2, 1.3),
        "rcgan": (57.2, 0.6),
    },
}


def class_names(dataset: str) -> tuple[str, ...]:
    """Names of the ten classes (digits for MNIST)."""
    return CIFAR10_CLASSES if dataset == "cifar10" else tuple(str(d) for d in range(10))


@dataclass
class ImageTask:
    """A one-class job: train on one class's official training images, AUROC on the test split.

    ``max_train`` caps the training images per class (the first ones of the
    official split; for quick runs, recorded in each row). ``device``
    (``"cuda"`` on a GPU machine) is where the networks train and score.
    """

    dataset: str
    epochs: int = 5
    data_dir: str | Path | None = None
    max_train: int | None = None
    device: str = "cpu"
    key: tuple[str, ...] = ("dataset", "class", "method", "seed", "epochs", "max_train")
    protocol: str = "one-class"

    def __post_init__(self) -> None:
        self._data: tuple[np.ndarray, ...] | None = None

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        if self._data is None:
            X_train, y_train, X_test, y_test = load_images(self.dataset, data_dir=self.data_dir)
            flat_test = X_test.reshape(len(X_test), -1).astype(np.float32)
            self._data = (X_train, y_train, X_test, y_test, flat_test)
        X_train, y_train, X_test, y_test, flat_test = self._data
        c, method, seed = job["class"], job["method"], job["seed"]
        shape = (1, *X_train.shape[1:]) if X_train.ndim == 3 else tuple(X_train.shape[1:])
        train = X_train[y_train == c][: self.max_train]
        det = IMAGE_METHODS[method](shape, seed, self.epochs, self.device)
        start = time.perf_counter()
        det.fit(train.reshape(len(train), -1).astype(np.float32) if method in _FLAT else train)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        scores = det.anomaly_score(flat_test if method in _FLAT else X_test)
        score_s = time.perf_counter() - start
        return {
            "class_name": class_names(self.dataset)[c],
            "auroc": float(roc_auc_score(y_test != c, scores)),
            "n_train": len(train),
            "n_test": len(X_test),
            "fit_seconds": fit_s,
            "score_seconds": score_s,
            "train_images_per_s": None if method == "iforest" else self.epochs * len(train) / fit_s,
            "config": jsonable(det.get_params()),
            "data_sha256": dataset_sha256(self.dataset),
        }

    def describe(self, row: dict[str, Any]) -> str:
        return (
            f"{row['dataset']} class {row['class']} {row['method']} seed {row['seed']}: "
            f"AUROC {row['auroc']:.3f} ({row['fit_seconds']:.0f} s)"
        )


def run_table2(
    dataset: str,
    out: str | Path,
    classes: tuple[int, ...] = tuple(range(10)),
    methods: tuple[str, ...] = ("rcgan", "alad", "dcae", "iforest"),
    seeds: int = 3,
    epochs: int = 5,
    data_dir: str | Path | None = None,
    log: Callable[[str], None] | None = print,
    max_train: int | None = None,
    device: str = "cpu",
) -> list[dict]:
    """Run the one-class jobs not yet in ``out`` (see :class:`ImageTask`); the new rows."""
    for m in methods:
        if m not in IMAGE_METHODS:
            raise ValueError(f"unknown method {m!r}; valid names: {sorted(IMAGE_METHODS)}")
    task = ImageTask(dataset, epochs, data_dir, max_train, device)
    jobs = [
        {
            "dataset": dataset,
            "class": int(c),
            "method": m,
            "seed": s,
            "epochs": epochs,
            "max_train": max_train,
        }
        for c in classes
        for m in methods
        for s in range(seeds)
    ]
    return execute(jobs, out, task, verbose=False, log=log)


def table2_markdown(rows: list[dict], dataset: str, methods: tuple[str, ...]) -> str:
    """Mean ± std AUROC (%) per class and method; the paper's beside (CIFAR-10)."""
    names = class_names(dataset)
    head = "| normal class | " + " | ".join(methods)
    if dataset == "cifar10":
        head += " | " + " | ".join(f"paper {m}" for m in methods)
    lines = [head + " |", "|" + "---|" * (1 + len(methods) * (2 if dataset == "cifar10" else 1))]
    means: dict[str, list[float]] = {m: [] for m in methods}
    for c in sorted({r["class"] for r in rows}):
        cells = []
        for m in methods:
            vals = np.array([r["auroc"] for r in rows if r["class"] == c and r["method"] == m])
            if vals.size:
                means[m].append(100 * vals.mean())
                cells.append(f"{100 * vals.mean():.1f} ± {100 * vals.std():.1f} ({vals.size})")
            else:
                cells.append("-")
        if dataset == "cifar10":
            paper = PAPER_TABLE2[names[c]]
            cells += [
                f"{paper[m][0]:.1f} ± {paper[m][1]:.1f}" if m in paper else "-" for m in methods
            ]
        lines.append(f"| {names[c]} | " + " | ".join(cells) + " |")
    mean_cells = [f"{np.mean(v):.1f}" if v else "-" for v in means.values()]
    if dataset == "cifar10":
        mean_cells += [
            f"{np.mean([PAPER_TABLE2[n][m][0] for n in names]):.1f}"
            if m in PAPER_TABLE2["cat"]
            else "-"
            for m in methods
        ]
    lines.append("| mean | " + " | ".join(mean_cells) + " |")
    return "\n".join(lines)


def figure1(
    out: str | Path,
    epochs: int = 10,
    normal_digit: int = 0,
    n_train: int | None = None,
    seed: int = 0,
    data_dir: str | Path | None = None,
    device: str = "cpu",
) -> dict:
    """Figure 1: abnormal digits and their AE and RCGAN reconstructions.

    Trains the convolutional autoencoder (DCAE) and RCGAN (t(x) = N(0, I))
    on the training images of ``normal_digit``, reconstructs five abnormal
    test digits (the first test image of each of the next five digits), and
    measures the mean squared reconstruction error per pixel (pixels in
    [0, 1]) of normal and abnormal test digits for both models.
    """
    from ..plots import plot_figure1

    X_train, y_train, X_test, y_test = load_images("mnist", data_dir=data_dir)
    train = X_train[y_train == normal_digit][:n_train]
    flat = train.reshape(len(train), -1).astype(np.float32)
    ae = IMAGE_METHODS["dcae"]((1, 28, 28), seed, epochs, device).fit(flat)
    gan = IMAGE_METHODS["rcgan"]((1, 28, 28), seed, epochs, device).fit(train)
    abnormal_digits = [(normal_digit + k) % 10 for k in range(1, 6)]
    picks = np.array([np.flatnonzero(y_test == d)[0] for d in abnormal_digits])
    shown = X_test[picks]
    ae_rec = ae.reconstruct(shown.reshape(5, -1).astype(np.float32)).reshape(shown.shape)
    gan_rec = gan.reconstruct(shown.astype(np.float32))

    def mse(model_rec: np.ndarray, x: np.ndarray) -> float:
        return float(np.mean(((model_rec - x) / 255.0) ** 2))

    def ae_reconstruct(images: np.ndarray) -> np.ndarray:
        return ae.reconstruct(images.reshape(len(images), -1)).reshape(images.shape)

    normal = X_test[y_test == normal_digit].astype(np.float32)
    abnormal = X_test[y_test != normal_digit].astype(np.float32)
    numbers = {
        "normal_digit": normal_digit,
        "epochs": epochs,
        "n_train": len(train),
        "ae_mse_normal": mse(ae_reconstruct(normal), normal),
        "ae_mse_abnormal": mse(ae_reconstruct(abnormal), abnormal),
        "rcgan_mse_normal": mse(gan.reconstruct(normal), normal),
        "rcgan_mse_abnormal": mse(gan.reconstruct(abnormal), abnormal),
        "shown_test_indices": [int(i) for i in picks],
    }
    numbers["ae_ratio_abnormal_over_normal"] = numbers["ae_mse_abnormal"] / numbers["ae_mse_normal"]
    numbers["rcgan_ratio_abnormal_over_normal"] = (
        numbers["rcgan_mse_abnormal"] / numbers["rcgan_mse_normal"]
    )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    plot_figure1(shown, ae_rec, gan_rec).savefig(out / "figure1.png", dpi=80)
    (out / "figure1.json").write_text(json.dumps(numbers, indent=2) + "\n")
    return numbers
