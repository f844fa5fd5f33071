"""Write ``tests/data/reference_scores.npz``: scores of every method before a refactor.

Run once on the code to be preserved (``python tests/make_reference_scores.py``);
``tests/test_reference_scores.py`` then checks that the current code gives the
same scores bit for bit, from the same explicit parameters (stored with the
scores, so later changes of library defaults do not matter).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from rcgan import ALAD, RCGAN
from rcgan.baselines import BASELINES
from rcgan.benchmark.methods import BASELINE_SETTINGS, GAN_SETTINGS

OUT = Path(__file__).parent / "data" / "reference_scores.npz"


def reference_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20261129)
    train = rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6))
    test = np.vstack((rng.normal(size=(20, 6)), 4 + rng.normal(size=(10, 6))))
    return train, test


def configurations() -> dict[str, tuple[type, dict]]:
    """Explicit parameters of every method, from the committed benchmark settings."""
    gan = {**GAN_SETTINGS["thyroid"], "epochs": 2, "random_state": 0}
    configs: dict[str, tuple[type, dict]] = {}
    for kind in ("discriminator", "fm_l1", "fm_l2", "l1", "l2"):
        configs[f"rcgan_{kind}"] = (RCGAN, {**gan, "penalty": "normal", "score": kind})
    configs["rcgan_wide"] = (RCGAN, {**gan, "penalty": "normal-wide"})
    configs["rcgan_paper"] = (RCGAN, {**gan, "penalty": "normal", "penalty_dxx": False})
    configs["alad"] = (ALAD, dict(gan))
    for name in ("dsvdd", "dagmm", "dsebm_r", "dsebm_e", "adgan", "dcae"):
        params = {**BASELINE_SETTINGS[name]["thyroid"], "epochs": 2, "random_state": 0}
        configs[name] = (BASELINES[name], params)
    return configs


def full_params(cls, params: dict) -> dict:
    est = cls(**params)
    out = est.get_params()
    return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


def main() -> None:
    torch.set_num_threads(1)
    train, test = reference_data()
    arrays, meta = {}, {}
    for name, (cls, params) in configurations().items():
        est = cls(**params).fit(train)
        arrays[name] = np.asarray(est.score_samples(test), dtype=np.float64)
        meta[name] = full_params(cls, params)
    OUT.parent.mkdir(exist_ok=True)
    np.savez(
        OUT,
        params=np.array(json.dumps(meta, sort_keys=True)),
        cpu_capability=np.array(torch.backends.cpu.get_cpu_capability()),
        **arrays,
    )
    print(f"wrote {OUT} ({len(arrays)} methods)")


if __name__ == "__main__":
    main()
