"""Loaders on the real files: local folder, loopback download, cache, checksums."""

import functools
import gzip
import http.server
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from rcgan.data import ChecksumError, RemoteFile, fetch, load_dataset
from rcgan.data.tabular import FILES, parse_kddcup99

from .conftest import shared_data_dir

SHARED = shared_data_dir() or Path("missing-data-folder")
needs_data = pytest.mark.skipif(
    shared_data_dir() is None, reason="benchmark data folder not present"
)


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("RCGAN_CACHE_DIR", str(folder))
    monkeypatch.delenv("RCGAN_DATA_DIR", raising=False)
    return folder


@pytest.fixture()
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving the folder tmp_path / 'www'."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@needs_data
def test_download_verifies_and_caches(server, cache):
    root, url = server
    shutil.copy(SHARED / "thyroid.mat", root / "thyroid.mat")
    spec = RemoteFile(
        "thyroid.mat", FILES["thyroid.mat"].sha256, (f"{url}/missing", f"{url}/thyroid.mat")
    )
    path = fetch(spec)
    assert path == cache / "thyroid.mat"
    (root / "thyroid.mat").unlink()  # a second call must not need the server
    assert fetch(spec) == path


@needs_data
def test_corrupted_download_is_refused_and_not_cached(server, cache):
    root, url = server
    data = bytearray((SHARED / "thyroid.mat").read_bytes())
    data[500] ^= 0xFF
    (root / "thyroid.mat").write_bytes(bytes(data))
    spec = RemoteFile("thyroid.mat", FILES["thyroid.mat"].sha256, (f"{url}/thyroid.mat",))
    with pytest.raises(ChecksumError, match=r"thyroid\.mat"):
        fetch(spec)
    assert not (cache / "thyroid.mat").exists()
    assert not any(cache.iterdir())  # no temporary file left behind


def test_unreachable_sources_and_no_download(cache):
    spec = RemoteFile("x.bin", "0" * 64, ("http://127.0.0.1:9/x.bin",))
    with pytest.raises(OSError, match=r"could not download x\.bin"):
        fetch(spec, timeout=2)
    with pytest.raises(FileNotFoundError, match=r"x\.bin"):
        fetch(spec, download=False)


def test_local_file_with_wrong_checksum_is_an_error(tmp_path, cache):
    (tmp_path / "musk.mat").write_bytes(b"not the ODDS file")
    with pytest.raises(ChecksumError, match=r"musk\.mat"):
        load_dataset("musk", data_dir=tmp_path, download=False)


@needs_data
@pytest.mark.parametrize(
    "name,shape,anomalies",
    [("thyroid", (3772, 6), 93), ("arrhythmia", (452, 274), 66), ("musk", (3062, 166), 97)],
)
def test_odds_files(name, shape, anomalies, cache):
    X, y = load_dataset(name, data_dir=SHARED, download=False)
    assert X.shape == shape and int(y.sum()) == anomalies and set(np.unique(y)) == {0, 1}


@needs_data
def test_environment_variable_folder(cache, monkeypatch):
    monkeypatch.setenv("RCGAN_DATA_DIR", str(SHARED))
    X, _ = load_dataset("thyroid", download=False)
    assert X.shape == (3772, 6)


@needs_data
def test_arrhythmia_raw_uci_equals_odds(cache):
    Xu, yu = load_dataset("arrhythmia", data_dir=SHARED, source="uci", download=False)
    Xo, yo = load_dataset("arrhythmia", data_dir=SHARED, download=False)
    np.testing.assert_array_equal(Xu, Xo)
    np.testing.assert_array_equal(yu, yo)


@needs_data
def test_kddcup99_matches_the_independent_121_column_copy(cache):
    X, y = load_dataset("kddcup99", data_dir=SHARED, download=False)  # parses, then caches
    ref = np.load(SHARED / "kddcup99_10pct_onehot121.npz", allow_pickle=False)
    assert X.shape == (494021, 121) and int(y.sum()) == 97278
    np.testing.assert_array_equal(X.astype(np.float32), ref["X"])  # the copy is float32
    np.testing.assert_array_equal(y, ref["y"])
    (derived,) = (cache / "derived").iterdir()
    with np.load(derived, allow_pickle=False) as d:
        # same column order as the copy, documented in rcgan.data.tabular
        assert list(d["columns"]) == list(ref["columns"])
    X2, y2 = load_dataset("kddcup99", data_dir=SHARED, download=False)  # from the cache
    assert np.array_equal(X2, X) and np.array_equal(y2, y)


def test_kddcup99_parser_on_a_small_file(tmp_path):
    lines = [
        "0,tcp,http,SF,181,5450,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,8,8,0.00,0.00,0.00,0.00,1.00,0.00,0.00,9,9,1.00,0.00,0.11,0.00,0.00,0.00,0.00,0.00,normal.",
        "0,icmp,ecr_i,SF,1032,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,511,511,0.00,0.00,0.00,0.00,1.00,0.00,0.00,255,255,1.00,0.00,1.00,0.00,0.00,0.00,0.00,0.00,smurf.",
    ]
    path = tmp_path / "k.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(lines) + "\n")
    X, y, columns = parse_kddcup99(path)
    assert X.shape == (2, 34 + 2 + 2 + 1 + 1 + 2 + 1 + 1)
    assert list(y) == [1, 0]
    assert columns[34:36] == ["protocol_type-icmp", "protocol_type-tcp"]
    assert X[0, columns.index("src_bytes")] == 181 and X[1, columns.index("service-ecr_i")] == 1
    bad = tmp_path / "bad.gz"
    with gzip.open(bad, "wt") as fh:
        fh.write("1,2,3\n")
    with pytest.raises(ValueError, match="expected 42"):
        parse_kddcup99(bad)
    with gzip.open(bad, "wt") as fh:  # 42 fields, but text where a number belongs
        fh.write(lines[0].replace(",181,", ",many,") + "\n")
    with pytest.raises(ValueError, match="34 of them numbers"):
        parse_kddcup99(bad)
    with gzip.open(bad, "wt") as fh:  # a short second line is named
        fh.write(lines[0] + "\n" + lines[1].rsplit(",", 2)[0] + "\n")
    with pytest.raises(ValueError, match="line 2 has 40 fields"):
        parse_kddcup99(bad)


def test_unknown_names():
    with pytest.raises(ValueError, match="valid names"):
        load_dataset("cardio")
    with pytest.raises(ValueError, match="source"):
        load_dataset("thyroid", source="uci")
