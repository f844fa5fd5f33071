import csv

import numpy as np
import pytest

from rcgan.cli import main, read_csv

from .conftest import manifold_data


def write_csv(path, X, header=True):
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        if header:
            w.writerow([f"f{i}" for i in range(X.shape[1])])
        w.writerows(X.tolist())


def test_fit_then_score(tmp_path, capsys):
    X = manifold_data(300, 0)
    data, model, out = tmp_path / "train.csv", tmp_path / "model.rcgan", tmp_path / "s.csv"
    write_csv(data, X)
    assert main(["fit", str(data), "--out", str(model), "--epochs", "3", "--seed", "1"]) == 0
    assert main(["score", str(model), str(data), "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 300
    scores = np.array([float(r["anomaly_score"]) for r in rows])
    flags = np.array([int(r["is_anomaly"]) for r in rows])
    assert set(flags) <= {0, 1} and abs(flags.mean() - 0.1) < 0.02  # contamination 0.1
    # the flagged rows are the highest scores
    assert scores[flags == 1].min() >= scores[flags == 0].max()


def test_read_csv_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,x\n")
    with pytest.raises(ValueError, match="row 2 has a non-numeric"):
        read_csv(bad)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("1,2\n3\n")
    with pytest.raises(ValueError, match="fields"):
        read_csv(ragged)
    ok = tmp_path / "ok.csv"
    write_csv(ok, np.eye(3), header=False)
    np.testing.assert_array_equal(read_csv(ok), np.eye(3))


def test_cli_reports_errors_with_status_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2\nx,3\n")
    assert main(["fit", str(bad), "--out", str(tmp_path / "m")]) == 2
    assert "non-numeric" in capsys.readouterr().err
    assert main(["score", str(tmp_path / "none.rcgan"), str(bad)]) == 2


def test_demo_writes_plot_and_prints_auroc(tmp_path, capsys):
    assert main(["demo", "--epochs", "2", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "RCGAN  AUROC" in text and "ALAD   AUROC" in text
    png = tmp_path / "demo_loop.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_reproduce_figure2(tmp_path, capsys):
    import json

    assert main(["reproduce", "figure2", "--out", str(tmp_path), "--resolution", "61"]) == 0
    numbers = json.loads((tmp_path / "figure2.json").read_text())
    assert 1.0 <= numbers["beta"] <= 2.0
    # Theorem 1 "chops off" the tail: no generator mass where beta q < t
    assert numbers["q_mass_where_beta_q_below_t"] > 0.01
    assert numbers["p_mass_where_beta_q_below_t"] == 0.0
    assert (tmp_path / "figure2.png").read_bytes()[:4] == b"\x89PNG"
    assert "beta" in capsys.readouterr().out


def test_version_verbose_after_the_command_and_missing_out_folder(tmp_path, capsys):
    import rcgan

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and rcgan.__version__ in capsys.readouterr().out
    data = tmp_path / "train.csv"
    np.savetxt(data, np.random.default_rng(0).normal(size=(20, 3)), delimiter=",")
    # -v after the subcommand is accepted; a missing output folder fails before training
    code = main(["fit", str(data), "-v", "--out", str(tmp_path / "missing" / "m.rcgan")])
    assert code == 2 and "does not exist" in capsys.readouterr().err
