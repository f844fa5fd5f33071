"""ONNX export: onnxruntime gives our scores."""

import os
from pathlib import Path

import numpy as np
import pytest

from rcgan import ALAD, RCGAN
from rcgan.cli import main

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

SHARED = Path(
    os.environ.get("RCGAN_TEST_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def run(path, X):
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, {"X": np.asarray(X, dtype=np.float32)})


@pytest.mark.parametrize(
    "make",
    [
        lambda: RCGAN(epochs=2, random_state=0),
        lambda: ALAD(epochs=2, random_state=0),
        lambda: RCGAN(
            epochs=2, random_state=0, spectral_norm=True, scoring="fm_l2", scaler="minmax"
        ),
        lambda: RCGAN(epochs=2, random_state=0, scoring="l1", dropout=0.5),
        lambda: RCGAN(epochs=2, random_state=0, scaler="standard-log"),
        lambda: RCGAN(epochs=2, random_state=0, scoring="xz+l1+range"),
    ],
)
def test_onnxruntime_equals_our_scores_on_random_rows(make, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(loc=5, scale=[1, 10, 0.1, 3, 2, 1], size=(400, 6))
    det = make().fit(X)
    path = det.export_onnx(tmp_path / "m.onnx")
    test = rng.normal(loc=5, scale=4, size=(333, 6)).astype(np.float32)  # odd batch size
    anomaly, normality = run(path, test)
    np.testing.assert_allclose(anomaly, det.anomaly_score(test), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(normality, det.score_samples(test), rtol=1e-5, atol=1e-5)
    one, _ = run(path, test[:1])
    np.testing.assert_allclose(one, anomaly[:1], rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(not (SHARED / "thyroid.mat").exists(), reason="shared data not present")
def test_onnx_on_real_rows_via_cli(tmp_path, monkeypatch):
    from rcgan.data import load_dataset

    monkeypatch.setenv("RCGAN_CACHE_DIR", str(tmp_path / "cache"))
    X, y = load_dataset("thyroid", data_dir=SHARED, download=False)
    det = RCGAN(epochs=3, random_state=0).fit(X[y == 0][:1000])
    det.save(tmp_path / "m.rcgan")
    assert main(["export", str(tmp_path / "m.rcgan"), str(tmp_path / "m.onnx")]) == 0
    anomaly, _ = run(tmp_path / "m.onnx", X)
    np.testing.assert_allclose(anomaly, det.anomaly_score(X), rtol=1e-5, atol=1e-6)


def test_image_model_export(tmp_path):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (40, 28, 28)).astype(np.float32)
    det = RCGAN(epochs=1, conv_width=8, latent_dim=16, random_state=0).fit(images)
    anomaly, _ = run(det.export_onnx(tmp_path / "i.onnx"), images.reshape(40, -1))
    # the default score divides by the training rows' interquartile range, which
    # scales onnxruntime's float32 convolution rounding up with it
    np.testing.assert_allclose(anomaly, det.anomaly_score(images), rtol=1e-4, atol=1e-4)
