"""Image loaders (real MNIST files; CIFAR-10 files written in the real
binary format) and the convolutional networks and estimators."""

import gzip
import io
import os
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch

from rcgan import ALAD, RCGAN, load
from rcgan.data import ChecksumError, load_dataset, load_images
from rcgan.data.images import CIFAR10_FILE, read_cifar10_binary, read_idx
from rcgan.networks import NetworkConfig, build_networks

SHARED = Path(
    os.environ.get("RCGAN_TEST_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
needs_mnist = pytest.mark.skipif(not (SHARED / "mnist").is_dir(), reason="MNIST files not present")


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RCGAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("RCGAN_DATA_DIR", raising=False)


@needs_mnist
def test_mnist_official_splits(cache):
    X_train, y_train, X_test, y_test = load_images("mnist", data_dir=SHARED, download=False)
    assert X_train.shape == (60000, 28, 28) and X_train.dtype == np.uint8
    assert X_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert list(np.bincount(y_train)) == [
        5923,
        6742,
        5958,
        6131,
        5842,
        5421,
        5918,
        6265,
        5851,
        5949,
    ]
    assert list(np.bincount(y_test))[:3] == [980, 1135, 1032]
    assert abs(X_train.mean() / 255 - 0.13066) < 1e-4
    # the one loader entry point gives the same official splits
    same = load_dataset("mnist", data_dir=SHARED, download=False)
    for a, b in zip(same, (X_train, y_train, X_test, y_test), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="not available"):
        load_dataset("mnist", data_dir=SHARED, source="uci")


def test_idx_reader_and_bad_files(tmp_path):
    arr = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    header = bytes([0, 0, 8, 3]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    path = tmp_path / "x.idx.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(header + arr.tobytes())
    np.testing.assert_array_equal(read_idx(path), arr)
    bad = tmp_path / "bad.idx"
    bad.write_bytes(bytes([0, 0, 9, 1, 0, 0, 0, 1, 5]))
    with pytest.raises(ValueError, match="IDX"):
        read_idx(bad)


def test_mnist_copy_with_other_content_is_refused(tmp_path, cache):
    folder = tmp_path / "data"
    folder.mkdir()
    with gzip.open(folder / "train-images-idx3-ubyte.gz", "wb") as fh:
        fh.write(b"not mnist")
    with pytest.raises(ChecksumError, match="train-images"):
        load_images("mnist", data_dir=folder, download=False)


def write_cifar_archive(path, n_per_batch=3, seed=0):
    """A small archive in the real CIFAR-10 binary layout."""
    rng = np.random.default_rng(seed)
    batches = {}
    with tarfile.open(path, "w:gz") as tar:
        for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
            labels = rng.integers(0, 10, n_per_batch, dtype=np.uint8)
            images = rng.integers(0, 256, (n_per_batch, 3, 32, 32), dtype=np.uint8)
            raw = b"".join(
                bytes([lab]) + img.tobytes() for lab, img in zip(labels, images, strict=True)
            )
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
            batches[name] = (images, labels)
        info = tarfile.TarInfo("cifar-10-batches-bin/batches.meta.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"plane"))
    return batches


def test_cifar10_binary_format(tmp_path):
    path = tmp_path / "cifar-10-binary.tar.gz"
    batches = write_cifar_archive(path)
    X_train, y_train, X_test, _y_test = read_cifar10_binary(path)
    assert X_train.shape == (15, 3, 32, 32) and X_test.shape == (3, 3, 32, 32)
    np.testing.assert_array_equal(X_train[:3], batches["data_batch_1.bin"][0])
    np.testing.assert_array_equal(y_train[3:6], batches["data_batch_2.bin"][1])
    np.testing.assert_array_equal(X_test, batches["test_batch.bin"][0])
    # channel planes: the first 1,024 bytes of a record are the red plane
    raw = X_train[0].tobytes()
    np.testing.assert_array_equal(
        np.frombuffer(raw[:1024], np.uint8).reshape(32, 32), X_train[0, 0]
    )


def test_cifar10_checksum_is_enforced(tmp_path, cache):
    write_cifar_archive(tmp_path / "cifar-10-binary.tar.gz")
    with pytest.raises(ChecksumError, match="cifar-10-binary"):
        load_images("cifar10", data_dir=tmp_path, download=False)
    with pytest.raises(ChecksumError, match="cifar-10-binary"):
        load_dataset("cifar10", data_dir=tmp_path, download=False)
    assert CIFAR10_FILE.sha256.startswith("c4a38c50")


def test_cifar10_truncated_member(tmp_path):
    path = tmp_path / "c.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("data_batch_1.bin")
        info.size = 100
        tar.addfile(info, io.BytesIO(b"x" * 100))
    with pytest.raises(ValueError, match="3,073-byte records"):
        read_cifar10_binary(path)


@pytest.mark.parametrize("channels", [1, 3])
def test_conv_networks_shapes(channels):
    cfg = NetworkConfig(
        n_features=channels * 1024,
        latent_dim=16,
        image_shape=(channels, 32, 32),
        conv_width=8,
        with_dzz=True,
    )
    nets = build_networks(cfg).eval()
    x = torch.randn(5, channels, 32, 32)
    z = nets.encoder(x)
    assert z.shape == (5, 16)
    rec = nets.generator(z)
    assert rec.shape == x.shape and rec.abs().max() <= 1  # tanh output
    assert nets.d_xz(x, z).shape == (5,)
    logit, feat = nets.d_xx(x, rec, return_features=True)
    assert logit.shape == (5,) and feat.shape == (5, 8 * 64)
    assert nets.d_zz(z, z).shape == (5,)
    with pytest.raises(ValueError, match="32 x 32"):
        build_networks(NetworkConfig(n_features=3 * 64 * 64, image_shape=(3, 64, 64)))


TINY_IMG = dict(conv_width=8, latent_dim=16, batch_size=32, random_state=0)


@needs_mnist
def test_tiny_training_on_mnist_digits(tmp_path, cache):
    X_train, y_train, X_test, _y_test = load_images("mnist", data_dir=SHARED, download=False)
    zeros = X_train[y_train == 0][:256]
    det = RCGAN(epochs=2, **TINY_IMG).fit(zeros)
    assert det.image_shape_ == (1, 28, 28) and det.networks_.config.image_shape == (1, 32, 32)
    test = X_test[:200]
    scores = det.anomaly_score(test)
    assert scores.shape == (200,) and np.all(np.isfinite(scores)) and len(np.unique(scores)) > 150
    # same seed, same scores; flattened rows score the same as images
    again = RCGAN(epochs=2, **TINY_IMG).fit(zeros).anomaly_score(test)
    np.testing.assert_array_equal(scores, again)
    np.testing.assert_allclose(det.anomaly_score(test.reshape(200, -1)), scores)
    np.testing.assert_allclose(det.anomaly_score(test[:7]), scores[:7], rtol=1e-5, atol=1e-6)
    det.save(tmp_path / "m.rcgan")
    np.testing.assert_array_equal(load(tmp_path / "m.rcgan").anomaly_score(test), scores)
    with pytest.raises(ValueError, match="fitted on"):
        det.anomaly_score(np.zeros((2, 3, 32, 32)))


def test_colour_images_and_alad():
    rng = np.random.default_rng(0)
    X = rng.random((48, 3, 32, 32))
    det = ALAD(epochs=1, **TINY_IMG).fit(X)
    a = det.anomaly_score(rng.random((4, 3, 32, 32)))
    assert a.shape == (4,) and np.all(np.isfinite(a))
    # pixels are mapped to [-1, 1] with the training set's overall range
    assert np.allclose(det.center_, (X.max() + X.min()) / 2)


def test_image_methods_take_the_device():
    from rcgan.benchmark.images import IMAGE_METHODS

    for name in ("rcgan", "alad", "dcae"):
        det = IMAGE_METHODS[name]((1, 28, 28), 0, 1, "cuda")
        assert det.get_params()["device"] == "cuda", name
        assert IMAGE_METHODS[name]((1, 28, 28), 0, 1).get_params()["device"] == "cpu"


@needs_mnist
@pytest.mark.slow
def test_table2_command_and_figure1(tmp_path, capsys, cache):
    import json

    from rcgan.cli import main

    args = [
        "reproduce",
        "table2",
        "--dataset",
        "mnist",
        "--classes",
        "1",
        "--seeds",
        "1",
        "--epochs",
        "1",
        "--max-train",
        "64",
        "--methods",
        "iforest,dcae",
        "--device",
        "cpu",
        "--data-dir",
        str(SHARED),
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "| 1 | " in out and "| mean |" in out
    rows = [json.loads(x) for x in (tmp_path / "mnist.jsonl").read_text().splitlines()]
    assert {r["method"] for r in rows} == {"iforest", "dcae"}
    assert all(r["n_test"] == 10000 and r["n_train"] == 64 and 0 <= r["auroc"] <= 1 for r in rows)
    assert main(args) == 0  # resumed: nothing new
    assert len((tmp_path / "mnist.jsonl").read_text().splitlines()) == 2

    from rcgan.benchmark.images import figure1

    numbers = figure1(tmp_path / "f1", epochs=1, n_train=64, data_dir=SHARED)
    assert (tmp_path / "f1" / "figure1.png").exists()
    for key in ("ae_mse_normal", "ae_mse_abnormal", "rcgan_mse_normal", "rcgan_mse_abnormal"):
        assert 0 < numbers[key] < 1
