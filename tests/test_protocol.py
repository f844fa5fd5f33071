import numpy as np
import pytest
import torch

from rcgan.benchmark import PROTOCOLS, split_train_test, topk_metrics


def test_split_trains_on_normal_rows_only_and_is_seeded():
    X = np.arange(200, dtype=float)[:, None]
    y = (np.arange(200) % 5 == 0).astype(int)
    tr, te, yte = split_train_test(X, y, 0.8, seed=3)
    assert len(te) == 40 and len(yte) == 40
    assert not np.any(y[tr[:, 0].astype(int)])  # no anomaly in training
    # train and test are disjoint and cover every normal row of the train part
    assert set(tr[:, 0]).isdisjoint(te[:, 0])
    tr2, te2, _ = split_train_test(X, y, 0.8, seed=3)
    assert np.array_equal(tr, tr2) and np.array_equal(te, te2)
    assert not np.array_equal(te, split_train_test(X, y, 0.8, seed=4)[1])


def test_topk_by_hand():
    scores = np.array([0.9, 0.8, 0.7, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.05])
    y = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 1])
    m = topk_metrics(scores, y, 0.2)  # flags the 2 highest: rows 0 and 1
    assert m["n_flagged"] == 2
    assert m["precision"] == 0.5 and m["recall"] == pytest.approx(1 / 3)
    assert m["f1"] == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))


def test_topk_ties_flag_all_tied_rows_and_inverted_scores_score_zero():
    scores = np.array([1.0, 1.0, 1.0, 0.0])
    m = topk_metrics(scores, np.array([1, 0, 0, 0]), 0.25)
    assert m["n_flagged"] == 3
    y = np.array([0, 0, 1, 1])
    assert topk_metrics(np.array([4.0, 3.0, 2.0, 1.0]), y, 0.5)["f1"] == 0.0
    assert topk_metrics(np.array([4.0, 3.0, 2.0, 1.0]), y, 0.5)["auroc"] == 0.0


def test_protocol_table_matches_the_paper():
    assert (
        PROTOCOLS["kddcup99"].train_fraction == 0.8 and PROTOCOLS["kddcup99"].anomaly_share == 0.2
    )
    assert PROTOCOLS["thyroid"].anomaly_share == 0.025 and PROTOCOLS["musk"].train_fraction == 0.5


def test_bad_inputs():
    with pytest.raises(ValueError, match="NaN"):
        topk_metrics(np.array([np.nan, 1.0]), np.array([0, 1]), 0.5)
    with pytest.raises(ValueError, match="train_fraction"):
        split_train_test(np.zeros((3, 1)), np.zeros(3), 1.5, 0)


def test_reproduce_table_runs_resumes_and_prints(tmp_path, capsys, monkeypatch, shared_data):
    from rcgan.benchmark.runner import read_results
    from rcgan.cli import main

    shared = shared_data
    monkeypatch.setenv("RCGAN_CACHE_DIR", str(tmp_path / "cache"))
    args = [
        "reproduce",
        "table1",
        "--datasets",
        "thyroid",
        "--methods",
        "iforest,rcgan",
        "--seeds",
        "2",
        "--epochs",
        "1",
        "--data-dir",
        str(shared),
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 0
    rows = read_results(tmp_path / "results.jsonl")
    assert len(rows) == 4
    assert {r["method"] for r in rows} == {"iforest", "rcgan"}
    row = next(r for r in rows if r["method"] == "rcgan")
    assert row["config"]["epochs"] == 1 and row["config"]["penalty"] == "normal"
    for key in ("precision", "recall", "f1", "auroc", "fit_seconds", "versions", "anomaly_share"):
        assert key in row
    assert row["commit"] and row["data_sha256"] == {
        "thyroid.mat": "49155d7861b977e90808faf68343ff67a67f63090c2744d514dbb67ac68e7e33"
    }
    assert row["peak_rss_mb"] > 0 and row["wall_seconds"] >= row["fit_seconds"]
    # the kind of CPU (bits of a GAN fit are the same only on one kind)
    assert row["cpu"]["model"] and row["cpu"]["capability"] == str(
        torch.backends.cpu.get_cpu_capability()
    )
    out = capsys.readouterr().out
    assert "| thyroid | iforest | 2 |" in out and "70.27" in out  # the paper's IF F1 beside ours
    # a rerun finds every job done and appends nothing
    assert main(args) == 0
    assert len(read_results(tmp_path / "results.jsonl")) == 4
    assert main([*args[:4], "--methods", "gan", *args[6:]]) == 2


def test_suite_protocol_and_command(tmp_path, capsys, monkeypatch, shared_data):
    from rcgan.benchmark.protocol import SUITE, suite_protocol
    from rcgan.benchmark.runner import read_results
    from rcgan.cli import main

    assert len(SUITE) == 16 and suite_protocol("arrhythmia").train_fraction == 0.8
    assert suite_protocol("pendigits") == suite_protocol("thyroid")
    assert suite_protocol("glass").anomaly_share is None  # k = the test anomaly count
    monkeypatch.setenv("RCGAN_CACHE_DIR", str(tmp_path / "cache"))
    args = ["reproduce", "suite", "--datasets", "glass,wdbc", "--methods", "knn,meandist"]
    args += ["--seeds", "2", "--first-seed", "0", "--data-dir", str(shared_data)]
    assert main([*args, "--out", str(tmp_path)]) == 0
    rows = read_results(tmp_path / "results.jsonl")
    assert len(rows) == 8 and {r["protocol"] for r in rows} == {"suite"}
    from rcgan.benchmark.protocol import split_train_test
    from rcgan.data import load_dataset

    for r in rows:  # k = the number of test anomalies of that split
        X, y = load_dataset(r["dataset"], data_dir=shared_data)
        _, _, y_test = split_train_test(X, y, 0.5, r["seed"])
        assert r["anomaly_share"] is None and r["n_flagged"] == int(y_test.sum())
    out = capsys.readouterr().out
    assert "mean F1 rank" in out and "| glass |" in out and "| knn |" in out
    # a paper-protocol run refuses to append to a suite file
    with pytest.raises(ValueError, match="another protocol"):
        from rcgan.benchmark.runner import run_jobs

        run_jobs([("knn", "thyroid", 0)], tmp_path / "results.jsonl", data_dir=shared_data)


def test_runner_recovers_a_torn_last_line_and_names_a_bad_one(tmp_path):
    """A crash mid-write leaves a torn last line: dropped (warned) and its job rerun."""
    from rcgan.benchmark.runner import execute, read_results

    class Count:
        key = ("method", "seed")
        protocol = "toy"

        def __init__(self):
            self.ran = []

        def run(self, job):
            self.ran.append(job["seed"])
            return {"value": 10 * job["seed"]}

        def describe(self, row):
            return f"seed {row['seed']}"

    out = tmp_path / "results.jsonl"
    jobs = [{"method": "m", "seed": s} for s in range(3)]
    task = Count()
    execute(jobs[:2], out, task, verbose=False, log=None)
    rows = read_results(out)
    assert [r["value"] for r in rows] == [0, 10] and rows[0]["protocol"] == "toy"
    assert rows[0]["commit"] and rows[0]["peak_rss_mb"] > 0
    text = out.read_text()
    out.write_text(text[: len(text) - 20])  # the second row torn by a crash
    with pytest.warns(UserWarning, match="results.jsonl: the last line is incomplete"):
        assert len(read_results(out)) == 1
    task = Count()
    with pytest.warns(UserWarning, match="dropped and its job run again"):
        execute(jobs, out, task, verbose=False, log=None)
    assert task.ran == [1, 2]
    assert [r["seed"] for r in read_results(out)] == [0, 1, 2]
    lines = out.read_text().splitlines()
    out.write_text("\n".join([lines[0], "{oops", *lines[1:]]) + "\n")
    with pytest.raises(ValueError, match=r"results.jsonl, line 2: not a JSON row"):
        read_results(out)
    out.write_text("\n".join(lines) + "\n")
    # another protocol's file is refused
    other = Count()
    other.protocol = "paper"
    with pytest.raises(ValueError, match="another protocol"):
        execute(jobs, tmp_path / "results.jsonl", other, verbose=False, log=None)


def test_runner_appends_after_a_last_row_without_newline(tmp_path):
    from rcgan.benchmark.runner import execute, read_results

    class One:
        key = ("seed",)
        protocol = "toy"

        def run(self, job):
            return {"value": job["seed"]}

        def describe(self, row):
            return ""

    out = tmp_path / "r.jsonl"
    execute([{"seed": 0}], out, One(), verbose=False, log=None)
    out.write_text(out.read_text().rstrip("\n"))  # complete JSON, newline lost
    execute([{"seed": 0}, {"seed": 1}], out, One(), verbose=False, log=None)
    assert [r["seed"] for r in read_results(out)] == [0, 1]
