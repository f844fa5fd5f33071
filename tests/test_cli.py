import csv

import numpy as np
import pytest

from rcgan import RCGAN
from rcgan.cli import main

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


def test_read_table_errors_name_the_cell(tmp_path):
    from rcgan.tableio import TableSpec, read_table

    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,x\n")
    with pytest.raises(ValueError, match=r"column 'b', line 3 holds 'x', not a number"):
        read_table(bad, TableSpec())
    ok = tmp_path / "ok.csv"
    write_csv(ok, np.eye(3), header=False)
    np.testing.assert_array_equal(read_table(ok, TableSpec()).to_numpy(), np.eye(3))


def test_cli_reports_errors_with_status_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2\nx,3\n")
    assert main(["fit", str(bad), "--out", str(tmp_path / "m")]) == 2
    assert "column '0', line 2 holds 'x', not a number" in capsys.readouterr().err
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


# ---------------------------------------------------------------- hardening
@pytest.fixture(scope="module")
def model_with_header(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("m")
    X = manifold_data(200, 0)
    data, model = tmp / "train.csv", tmp / "model.rcgan"
    write_csv(data, X)
    assert main(["fit", str(data), "--out", str(model), "--epochs", "2"]) == 0
    return model, X


def read_rows(path):
    return list(csv.DictReader(path.open()))


def test_columns_matched_by_name(model_with_header, tmp_path, capsys):
    """A header in another order is reordered; a missing or unknown name is an error naming it."""
    import pandas as pd

    model, X = model_with_header
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    df.to_csv(tmp_path / "a.csv", index=False)
    df[df.columns[::-1]].to_csv(tmp_path / "b.csv", index=False)
    assert main(["score", str(model), str(tmp_path / "a.csv"), "--out", str(tmp_path / "a")]) == 0
    assert main(["score", str(model), str(tmp_path / "b.csv"), "--out", str(tmp_path / "b")]) == 0
    assert (tmp_path / "a").read_text() == (tmp_path / "b").read_text()
    flagged = sum(int(r["is_anomaly"]) for r in read_rows(tmp_path / "a"))
    assert flagged < len(X) / 2  # not "every row flagged"
    df.rename(columns={"f0": "g0"}).to_csv(tmp_path / "c.csv", index=False)
    assert main(["score", str(model), str(tmp_path / "c.csv")]) == 2
    err = capsys.readouterr().err
    assert "missing: ['f0']" in err and "not in the model: ['g0']" in err


def test_keep_carries_an_id_and_header_handling(model_with_header, tmp_path, capsys):
    import pandas as pd

    model, X = model_with_header
    df = pd.DataFrame(X[:5], columns=[f"f{i}" for i in range(X.shape[1])])
    df.insert(0, "id", [f"row-{i}" for i in range(5)])
    df.to_csv(tmp_path / "ids.csv", index=False)
    out = tmp_path / "s.csv"
    assert (
        main(["score", str(model), str(tmp_path / "ids.csv"), "--keep", "id", "--out", str(out)])
        == 0
    )
    rows = read_rows(out)
    assert [r["id"] for r in rows] == [f"row-{i}" for i in range(5)]
    assert list(rows[0]) == ["id", "anomaly_score", "is_anomaly"]
    # a first row holding numbers and an empty cell is data (refused, named), not a header
    (tmp_path / "blank.csv").write_text("1,,3,4,5,6,7,8\n" + "1,2,3,4,5,6,7,8\n")
    assert main(["score", str(model), str(tmp_path / "blank.csv")]) == 2
    assert "line 1 is empty" in capsys.readouterr().err
    # a header of numbers is data unless --header says so
    nums = tmp_path / "nums.csv"
    write_csv(nums, X[:4], header=False)
    from rcgan.tableio import TableSpec, read_table

    assert len(read_table(nums, TableSpec())) == 4
    assert len(read_table(nums, TableSpec(header=True))) == 3


def test_text_columns_and_a_label_through_the_cli(tmp_path):
    rng = np.random.default_rng(0)
    n = 300
    lines = ["x,proto,y,label"] + [
        f"{rng.normal():.4f},{rng.choice(['tcp', 'udp'])},{rng.normal():.4f},normal"
        for _ in range(n)
    ]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    model = tmp_path / "m.rcgan"
    args = ["fit", str(tmp_path / "t.csv"), "--out", str(model), "--epochs", "2"]
    assert main([*args, "--categorical", "proto", "--exclude", "label"]) == 0
    out = tmp_path / "s.csv"
    assert (
        main(["score", str(model), str(tmp_path / "t.csv"), "--keep", "label", "--out", str(out)])
        == 0
    )
    assert len(read_rows(out)) == n


def test_interrupted_score_leaves_no_partial_file(model_with_header, tmp_path, monkeypatch):
    """An interrupt mid-way leaves the old output (or none), never a truncated file."""
    import rcgan.tableio as tableio
    from rcgan.base import Detector

    model, X = model_with_header
    data = tmp_path / "d.csv"
    write_csv(data, np.vstack([X] * 3))
    out = tmp_path / "s.csv"
    out.write_text("old\n")
    monkeypatch.setattr(tableio, "CHUNK_ROWS", 100)
    monkeypatch.setattr(tableio.read_chunks, "__defaults__", (None, 100))
    calls = {"n": 0}
    real = Detector.score_and_flag

    def interrupted(self, X):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(self, X)

    monkeypatch.setattr(Detector, "score_and_flag", interrupted)
    with pytest.raises(KeyboardInterrupt):
        main(["score", str(model), str(data), "--out", str(out)])
    assert calls["n"] == 3 and out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_rethreshold_explain_and_extras(model_with_header, tmp_path, capsys, monkeypatch):
    import sys

    model, X = model_with_header
    data = tmp_path / "d.csv"
    write_csv(data, X)
    out = tmp_path / "s.csv"
    assert main(["score", str(model), str(data), "--contamination", "0.3", "--out", str(out)]) == 0
    assert abs(np.mean([int(r["is_anomaly"]) for r in read_rows(out)]) - 0.3) < 0.02
    assert main(["score", str(model), str(data), "--explain", "2", "--out", str(out)]) == 0
    rows = read_rows(out)
    assert (
        rows[0]["top1_feature"].startswith("f")
        and 0 <= float(rows[0]["top2_share"]) <= float(rows[0]["top1_share"]) <= 1
    )
    shifted = tmp_path / "shifted.csv"
    far = X[:5].copy()
    far[:, 1] = X[:, 1].max() + 10 * X[:, 1].std()  # past the training range on f1 alone
    write_csv(shifted, far)
    argv = ["score", str(model), str(shifted), "--explain", "1", "--explain-part", "range"]
    assert main([*argv, "--out", str(out)]) == 0
    assert {(r["top1_feature"], float(r["top1_share"])) for r in read_rows(out)} == {("f1", 1.0)}
    monkeypatch.setitem(sys.modules, "onnx", None)  # the extra not installed
    assert main(["export", str(model), str(tmp_path / "m.onnx")]) == 2
    assert 'pip install "rcgan[onnx]"' in capsys.readouterr().err


def test_too_few_rows_warn_and_zero_epochs_refused(tmp_path, capsys):
    data = tmp_path / "tiny.csv"
    write_csv(data, np.random.default_rng(0).normal(size=(3, 2)))
    with pytest.warns(UserWarning, match="only 3 training rows"):
        assert main(["fit", str(data), "--out", str(tmp_path / "m"), "--epochs", "1"]) == 0
    with pytest.raises(SystemExit):
        main(["fit", str(data), "--out", str(tmp_path / "m"), "--epochs", "0"])
    assert "must be >= 1" in capsys.readouterr().err


def test_closed_pipe_exits_quietly(model_with_header, tmp_path):
    import subprocess
    import sys

    model, X = model_with_header
    data = tmp_path / "big.csv"
    write_csv(data, np.vstack([X] * 50))
    cmd = f"{sys.executable} -m rcgan score {model} {data} | head -n 2"
    done = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines()[0] == "anomaly_score,is_anomaly"
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def _kdd_raw_end_to_end(shared_data, tmp_path, lines):
    """The raw KDDCUP99 file (no header, three text columns, a text label) through the CLI."""
    import gzip
    import itertools

    raw = shared_data / "kddcup.data_10_percent.gz"
    data = raw
    if lines is not None:  # the file's first lines, in its own format
        data = tmp_path / "kdd_head.csv.gz"
        with gzip.open(raw, "rt") as src, gzip.open(data, "wt") as dst:
            dst.writelines(itertools.islice(src, lines))
    model, out = tmp_path / "kdd.rcgan", tmp_path / "scores.csv"
    fit = ["fit", str(data), "--no-header", "--categorical", "1,2,3", "--exclude", "41"]
    assert main([*fit, "--max-updates", "20", "--out", str(model)]) == 0
    assert main(["score", str(model), str(data), "--keep", "41", "--out", str(out)]) == 0
    rows = read_rows(out)
    assert list(rows[0]) == ["41", "anomaly_score", "is_anomaly"]
    assert rows[0]["41"].endswith(".") and all(np.isfinite(float(r["anomaly_score"])) for r in rows)
    return rows


def test_kdd_raw_file_head_through_fit_and_score(shared_data, tmp_path):
    rows = _kdd_raw_end_to_end(shared_data, tmp_path, 20_000)
    assert len(rows) == 20_000


@pytest.mark.slow
def test_kdd_raw_file_through_fit_and_score(shared_data, tmp_path):
    rows = _kdd_raw_end_to_end(shared_data, tmp_path, None)
    assert len(rows) == 494_021


def test_ragged_rows_bom_and_positional_text_columns(tmp_path, capsys):
    from rcgan.tableio import TableSpec, read_table

    ragged = tmp_path / "ragged.csv"
    ragged.write_text("1,2\n3,4,5\n")
    with pytest.raises(ValueError, match="Expected 2 fields"):
        read_table(ragged, TableSpec())
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffa,b\n1,2\n".encode())
    assert list(read_table(bom, TableSpec(columns=["a"])).columns) == ["a"]
    # a model fitted with a header scores a headerless file by position, text columns included
    rng = np.random.default_rng(0)
    rows = [f"{rng.normal():.3f},{rng.choice(['tcp', 'udp'])}" for _ in range(200)]
    (tmp_path / "h.csv").write_text("x,proto\n" + "\n".join(rows) + "\n")
    (tmp_path / "n.csv").write_text("\n".join(rows) + "\n")
    model = tmp_path / "m.rcgan"
    args = ["fit", str(tmp_path / "h.csv"), "--categorical", "proto", "--epochs", "2"]
    assert main([*args, "--out", str(model)]) == 0
    for name in ("h", "n"):
        assert (
            main(
                [
                    "score",
                    str(model),
                    str(tmp_path / f"{name}.csv"),
                    "--out",
                    str(tmp_path / f"{name}.out"),
                ]
            )
            == 0
        )
    assert (tmp_path / "h.out").read_text() == (tmp_path / "n.out").read_text()
    assert (
        main(["score", str(model), str(tmp_path / "h.csv"), "--engine", "dask", "--keep", "x"]) == 2
    )
    assert "--keep: not available with --engine dask" in capsys.readouterr().err


def test_every_option_has_help_and_its_default(capsys):
    import argparse

    from rcgan.cli import build_parser

    def walk(parser):
        yield parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    yield from walk(sub)

    for parser in walk(build_parser()):
        for action in parser._actions:
            if action.option_strings and action.help is not argparse.SUPPRESS:
                assert action.help, (parser.prog, action.option_strings)
        text = parser.format_help()
        assert "(default: 0.1)" in text if parser.prog == "rcgan fit" else True
        if parser.prog == "rcgan fit":  # the estimator's defaults, as they are now
            flat = " ".join(text.split())
            assert f"the estimator's, {RCGAN().penalty!r})" in flat
            assert f"the estimator's, {RCGAN().scoring!r})" in flat


def test_impute_through_the_cli(tmp_path, capsys):
    rng = np.random.default_rng(0)
    cells = [
        f"{rng.normal():.3f},{'' if i % 7 == 0 else round(rng.normal(), 3)}" for i in range(100)
    ]
    (tmp_path / "m.csv").write_text("\n".join(["a,b", *cells]) + "\n")
    model = tmp_path / "m.rcgan"
    fit = ["fit", str(tmp_path / "m.csv"), "--out", str(model), "--epochs", "1"]
    assert main(fit) == 2
    assert "column 'b', line 2 is empty (missing)" in capsys.readouterr().err
    assert main([*fit, "--impute", "median"]) == 0
    out = tmp_path / "s.csv"
    assert main(["score", str(model), str(tmp_path / "m.csv"), "--out", str(out)]) == 0
    assert len(read_rows(out)) == 100


def test_fit_batch_size_and_update_budget(tmp_path):
    import rcgan

    data = tmp_path / "d.csv"
    write_csv(data, manifold_data(100, 0))
    model = tmp_path / "m.rcgan"
    args = ["fit", str(data), "--out", str(model), "--batch-size", "16", "--max-updates", "5"]
    assert main(args) == 0
    det = rcgan.load(model)
    assert det.batch_size == 16 and det.max_updates == 5


def test_progress_bar_by_default_on_a_terminal_and_export_in_the_help(monkeypatch, capsys):
    import argparse
    import sys

    from rcgan.cli import _progress, build_parser

    quiet = argparse.Namespace(verbose=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert _progress(quiet) is False and _progress(argparse.Namespace(verbose=True)) is True
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert _progress(quiet) is True
    assert "export" in build_parser().format_help()
