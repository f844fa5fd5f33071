"""The README's Python example runs as written."""

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs(tmp_path, monkeypatch):
    """The first two Python blocks: use, then thresholds and explanations."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(blocks[0] + blocks[1], "README.md", "exec"), namespace)
    assert namespace["shares"].shape == (10, 8)
    assert namespace["auto"].calibration_scores_.shape == (200,)
    scores = namespace["det"].anomaly_score(namespace["X_test"])
    assert scores.shape == (10,)
    assert np.median(scores[5:]) > np.median(scores[:5])  # the shifted rows score higher
    assert (tmp_path / "model.rcgan").exists()
