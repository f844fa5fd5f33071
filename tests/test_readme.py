"""The README's Python example runs as written."""

import re
from pathlib import Path

import numpy as np

from rcgan import RCGAN

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs(tmp_path, monkeypatch):
    """The first two Python blocks: use, then thresholds and explanations.

    They run as written, except that ``RCGAN``'s default budget is cut from
    3000 to 300 updates for the run (three default fits at full budget are
    most of a minute; the calls and the results' shapes are the same).
    """
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert RCGAN.__init__.__kwdefaults__["max_updates"] == 3000
    monkeypatch.setitem(RCGAN.__init__.__kwdefaults__, "max_updates", 300)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(blocks[0] + blocks[1], "README.md", "exec"), namespace)
    assert namespace["shares"].shape == (10, 8)
    assert namespace["auto"].calibration_scores_.shape == (200,)
    scores = namespace["det"].anomaly_score(namespace["X_test"])
    assert scores.shape == (10,)
    assert np.median(scores[5:]) > np.median(scores[:5])  # the shifted rows score higher
    assert (tmp_path / "model.rcgan").exists()
