import numpy as np
import pytest

from rcgan.benchmark.synthetic import near_far, run_figure3, summarize_figure3
from rcgan.cli import main
from rcgan.data import SHAPES, distance_to_support, make_synthetic, make_synthetic_anomalies


@pytest.mark.parametrize("shape", SHAPES)
def test_shapes_lie_on_their_support_and_are_seeded(shape):
    X = make_synthetic(shape, 500, random_state=0)
    assert X.shape == (500, 2)
    assert np.all(np.abs(X) < 3)
    noise = 0.15 if shape == "four-dot" else 0.05
    assert np.median(distance_to_support(shape, X)) < 1.5 * noise
    assert np.array_equal(X, make_synthetic(shape, 500, random_state=0))
    assert not np.array_equal(X, make_synthetic(shape, 500, random_state=1))
    A = make_synthetic_anomalies(shape, 100, random_state=0)
    assert A.shape == (100, 2) and distance_to_support(shape, A).min() >= 0.5


def test_shape_geometry():
    loop = make_synthetic("loop", 2000, random_state=0, noise=0.0)
    np.testing.assert_allclose(np.linalg.norm(loop, axis=1), 1.5)
    arc = make_synthetic("arc", 2000, random_state=0, noise=0.0)
    assert arc[:, 1].min() >= -0.75 - 1e-12  # upper half-circle around (0, -0.75)
    dots = make_synthetic("four-dot", 2000, random_state=0, noise=0.0)
    assert len(np.unique(dots, axis=0)) == 4
    assert distance_to_support("arc", np.array([[0.0, 0.75]]))[0] == pytest.approx(0.0)
    assert distance_to_support("arc", np.array([[0.0, -2.25]]))[0] > 1.5  # the missing half


def test_bad_names():
    with pytest.raises(ValueError, match="valid names"):
        make_synthetic("spiral", 10)
    with pytest.raises(ValueError, match="n_samples"):
        make_synthetic("loop", 0)


def test_figure3_tiny_run(tmp_path):
    rows, maps = run_figure3(
        seeds=1,
        epochs=1,
        n_train=200,
        resolution=41,
        shapes=("four-dot",),
        models=("rcgan", "alad"),
    )
    assert len(rows) == 2 and {r["model"] for r in rows} == {"rcgan", "alad"}
    assert maps["four-dot"]["rcgan"]["d_xz"].shape == (41, 41)
    # the two models are different fits: their discriminator maps differ
    assert not np.allclose(maps["four-dot"]["rcgan"]["d_xz"], maps["four-dot"]["alad"]["d_xz"])
    summary = summarize_figure3(rows)
    by_model = {r["model"]: r for r in rows}
    for s in summary:  # one seed: the summary is that seed's value, spread 0
        assert s["seeds"] == 1 and s["auroc_d_xz_std"] == 0.0
        assert s["auroc_d_xz_mean"] == pytest.approx(by_model[s["model"]]["auroc_d_xz"])
    assert near_far("loop") == (0.1, 0.5) and near_far("four-dot") == (0.3, 0.75)


def test_figure3_command(tmp_path, capsys):
    args = [
        "reproduce",
        "figure3",
        "--seeds",
        "1",
        "--epochs",
        "1",
        "--resolution",
        "41",
        "--models",
        "rcgan",
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 0
    assert "| loop | rcgan |" in capsys.readouterr().out
    assert (tmp_path / "figure3.png").exists() and (tmp_path / "figure3.json").exists()
    assert main([*args[:-4], "--models", "gan", "--out", str(tmp_path)]) == 2
