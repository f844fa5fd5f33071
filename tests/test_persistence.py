import json
import struct
from importlib import metadata

import numpy as np
import pytest
import torch

import rcgan
from rcgan import ALAD, RCGAN, persistence

from .conftest import manifold_data


@pytest.fixture(scope="module")
def fitted():
    X = manifold_data(200, 0)
    return RCGAN(random_state=0, epochs=2).fit(X), ALAD(random_state=0, epochs=2).fit(X), X


def header(path):
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    return raw, n, json.loads(raw[8 : 8 + n])


def write_header(path, raw, n, head):
    text = json.dumps(head).encode()
    text += b" " * (n - len(text)) if len(text) <= n else b""
    path.write_bytes(struct.pack("<Q", len(text)) + text + raw[8 + n :])


@pytest.mark.parametrize("which", [0, 1])
def test_round_trip_identical_scores(fitted, tmp_path, which):
    det, X = fitted[which], fitted[2]
    path = tmp_path / "model.rcgan"
    det.save(path)
    again = rcgan.load(path)
    assert type(again) is type(det)
    assert again.get_params() == det.get_params()
    assert np.array_equal(again.score_samples(X), det.score_samples(X))
    assert np.array_equal(again.predict(X), det.predict(X))
    assert again.offset_ == det.offset_ and again.history_ == det.history_


def test_file_is_safetensors_without_pickle(fitted, tmp_path):
    path = tmp_path / "m.rcgan"
    fitted[0].save(path)
    raw, n, head = header(path)
    meta = head["__metadata__"]
    assert meta["format"] == "rcgan-model" and meta["format_version"] == "2"
    content = json.loads(meta["content"])
    assert content["versions"]["torch"] == metadata.version("torch")
    assert content["params"]["penalty"] == "adaptive-cross"
    assert b"\x80\x04" not in raw[: 8 + n]  # no pickle protocol marker in the header
    assert all(k.startswith(("net.", "array.")) for k in head if k != "__metadata__")


def test_corrupted_file(fitted, tmp_path):
    path = tmp_path / "m.rcgan"
    fitted[0].save(path)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="not a readable rcgan model"):
        RCGAN.load(path)


def test_foreign_files(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x80\x04K\x01.")  # a pickle of the integer 1
    with pytest.raises(ValueError, match="not a readable"):
        RCGAN.load(junk)
    other = tmp_path / "other.safetensors"
    from safetensors.torch import save_file

    save_file({"w": torch.zeros(2)}, str(other), metadata={"format": "pt"})
    with pytest.raises(ValueError, match="not an rcgan model"):
        RCGAN.load(other)
    with pytest.raises(ValueError, match="no such model file"):
        RCGAN.load(tmp_path / "missing.rcgan")


def test_tampered_weights_and_params(fitted, tmp_path):
    path = tmp_path / "m.rcgan"
    fitted[0].save(path)
    raw = bytearray(path.read_bytes())
    raw[-3] ^= 0xFF  # flip bits in the last tensor
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="integrity"):
        RCGAN.load(path)

    fitted[0].save(path)
    raw, n, head = header(path)
    content = json.loads(head["__metadata__"]["content"])
    content["params"]["epochs"] = 999
    head["__metadata__"]["content"] = json.dumps(content, sort_keys=True)
    write_header(path, raw, n, head)
    with pytest.raises(ValueError, match="integrity"):
        RCGAN.load(path)


def test_newer_format_and_wrong_class(fitted, tmp_path):
    path = tmp_path / "m.rcgan"
    fitted[0].save(path)
    raw, n, head = header(path)
    head["__metadata__"]["format_version"] = "99"
    write_header(path, raw, n, head)
    with pytest.raises(ValueError, match="newer rcgan"):
        RCGAN.load(path)
    fitted[0].save(path)
    with pytest.raises(ValueError, match="not a ALAD"):
        ALAD.load(path)


def test_callable_penalty_cannot_be_saved(tmp_path):
    def mine(n, d, g):
        return torch.randn(n, d, generator=g)

    det = RCGAN(random_state=0, epochs=1, penalty=mine).fit(manifold_data(50, 0))
    with pytest.raises(ValueError, match="cannot be saved"):
        det.save(tmp_path / "m.rcgan")


def rewrite(src, dst, edit):
    """Write ``dst``: the content of model ``src`` after ``edit``, with a valid digest."""
    content = persistence.load_model(src)
    edit(content)
    persistence.save_model(
        dst,
        estimator=content["estimator"],
        params=content["params"],
        network_config=content["network_config"],
        fitted=content["fitted"],
        arrays=content["arrays"],
        state_dict=content["state_dict"],
    )


FORGERIES = {
    "zero scale": lambda c: c["arrays"]["scale_"].__setitem__(0, 0.0),
    "short center": lambda c: c["arrays"].__setitem__("center_", np.zeros(1)),
    "extra fitted attribute": lambda c: c["fitted"].__setitem__("predict", 1),
    "missing fitted attribute": lambda c: c["fitted"].pop("offset_"),
    "bad activation": lambda c: c["params"].__setitem__("activation", "gelu2"),
    "config not matching params": lambda c: c["network_config"].__setitem__("latent_dim", 7),
    "unknown config key": lambda c: c["network_config"].__setitem__("depth", 3),
    "huge widths": lambda c: (
        c["params"].__setitem__("disc_hidden", 10**9),
        c["network_config"].__setitem__("disc_hidden", 10**9),
    ),
    "unknown parameter": lambda c: c["params"].__setitem__("exec", "print(1)"),
    "bad device": lambda c: c["params"].__setitem__("device", "nope"),
}


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_hand_made_files_with_valid_digest_are_refused(fitted, tmp_path, name):
    src, dst = tmp_path / "m.rcgan", tmp_path / "forged.rcgan"
    fitted[0].save(src)
    rewrite(src, dst, FORGERIES[name])
    with pytest.raises(ValueError, match="invalid model file"):
        RCGAN.load(dst)


def test_unedited_rewrite_loads(fitted, tmp_path):
    src, dst = tmp_path / "m.rcgan", tmp_path / "copy.rcgan"
    fitted[0].save(src)
    rewrite(src, dst, lambda c: None)
    X = fitted[2]
    assert np.array_equal(RCGAN.load(dst).score_samples(X), fitted[0].score_samples(X))


def test_numpy_integer_seed_is_kept(tmp_path):
    det = RCGAN(random_state=np.int64(3), epochs=1).fit(manifold_data(30, 0))
    det.save(tmp_path / "m.rcgan")
    assert RCGAN.load(tmp_path / "m.rcgan").random_state == 3


BASELINE_CASES = [
    ("dsvdd", {}),
    ("dagmm", {"n_gmm": 3, "latent_dim": 2}),
    ("dsebm_e", {}),
    ("adgan", {"query_steps": 3}),
    ("dcae", {}),
]


@pytest.mark.parametrize(("name", "params"), BASELINE_CASES)
def test_baselines_round_trip(tmp_path, name, params):
    """Every baseline saves and loads through the one base (fitted tensors included)."""
    from rcgan.baselines import get_baseline

    X = manifold_data(120, 1)
    det = get_baseline(name, epochs=2, random_state=0, **params).fit(X)
    path = tmp_path / f"{name}.rcgan"
    det.save(path)
    again = rcgan.load(path)
    assert type(again) is type(det) and again.get_params() == det.get_params()
    assert np.array_equal(again.anomaly_score(X), det.anomaly_score(X))
    assert again.offset_ == det.offset_ and again.history_ == det.history_
    with pytest.raises(ValueError, match="not a RCGAN"):
        RCGAN.load(path)


def test_fitted_tensor_checked_on_load(tmp_path):
    """A hand-edited fitted tensor (wrong shape) is refused, naming it."""
    from rcgan.baselines import DeepSVDD

    det = DeepSVDD(epochs=1, random_state=0).fit(manifold_data(60, 0))
    det.c_ = torch.zeros(5)
    path = tmp_path / "m.rcgan"
    det.save(path)
    with pytest.raises(ValueError, match="c_ must be finite float32 values of shape"):
        rcgan.load(path)


def test_feature_names_survive_save_and_load(fitted, tmp_path):
    """A model fitted on a DataFrame keeps its column names, also through a file."""
    pd = pytest.importorskip("pandas")
    X = fitted[2]
    cols = [f"f{i}" for i in range(X.shape[1])]
    df = pd.DataFrame(X, columns=cols)
    det = RCGAN(random_state=0, epochs=1).fit(df)
    path = tmp_path / "m.rcgan"
    det.save(path)
    again = rcgan.load(path)
    assert list(again.feature_names_in_) == cols
    assert np.array_equal(again.score_samples(df), det.score_samples(df))
    # matched by name: reordered columns are reordered, a renamed one is named
    assert np.array_equal(again.score_samples(df[cols[::-1]]), det.score_samples(df))
    with pytest.raises(ValueError, match=r"missing \['f0'\], unknown \['x0'\]"):
        again.score_samples(df.rename(columns={"f0": "x0"}))


def test_a_file_written_by_0_2_loads_and_scores_the_same():
    """tests/data/model_v1.rcgan was written by rcgan 0.2 (format 1, commit 7968acc).

    Its reference scores were computed on one kind of CPU: another one's
    matrix kernels round float32 differently (measured: 3e-7 on scores of
    size 0.8), so the scores are compared to float32 precision, the
    decisions exactly.
    """
    from pathlib import Path

    data = Path(__file__).parent / "data"
    det = rcgan.load(data / "model_v1.rcgan")
    with np.load(data / "model_v1_scores.npz") as ref:
        np.testing.assert_allclose(
            det.score_samples(ref["X"]), ref["score_samples"], rtol=1e-5, atol=1e-6
        )
        assert np.array_equal(det.predict(ref["X"]), ref["predict"])
        # no stored training scores: the new attributes say so instead of crashing
        for use in (lambda: det.labels_, lambda: det.predict_proba(ref["X"])):
            with pytest.raises(ValueError, match=r"written before 0\.3\); refit"):
                use()
        det.set_threshold(threshold=float(np.median(-ref["score_samples"])))
        assert (det.predict(ref["X"]) == -1).mean() == 0.5


def test_an_interrupted_save_keeps_the_old_model(fitted, tmp_path, monkeypatch):
    import safetensors.torch

    path = tmp_path / "m.rcgan"
    fitted[0].save(path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(safetensors.torch, "save_file", crash)
    with pytest.raises(KeyboardInterrupt):
        fitted[1].save(path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["m.rcgan"]


def test_check_feature_range_accepts_bounds_and_rejects_broken_ones():
    low, high = persistence.check_feature_range([[-1.0, 0.0], [1.0, 0.0]], 2)
    assert low.dtype == torch.float32
    assert low.tolist() == [-1.0, 0.0] and high.tolist() == [1.0, 0.0]
    for bad in ([[1.0, 0.0], [0.0, 0.0]], [[0.0], [1.0]], [[0.0, float("nan")], [1.0, 1.0]], "x"):
        with pytest.raises(ValueError, match="feature_range_"):
            persistence.check_feature_range(bad, 2)
