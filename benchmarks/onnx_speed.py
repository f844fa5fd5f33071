"""Scoring speed: onnxruntime on the exported graph vs. rcgan's torch path.

One process, one thread each (``torch.set_num_threads(1)``,
``intra_op_num_threads=1``), 20,000 x 121 N(0, 1) float32 rows, ALAD's KDD
widths, median of 5 calls after a warm-up. The ONNX graph is the plain
scoring graph (``rcgan.export``); the torch path is the estimator's own
(chunked, fused for Eq. 11/12).

Run::

    python benchmarks/onnx_speed.py --out benchmarks/results/onnx_speed.json
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from speed import median_seconds  # benchmarks/speed.py, beside this script

from rcgan import ALAD, RCGAN


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="benchmarks/results/onnx_speed.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    X = np.random.default_rng(0).normal(size=(20_000, 121)).astype(np.float32)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    rows = []
    for det in (RCGAN(epochs=1, random_state=0), ALAD(epochs=1, random_state=0)):
        det.fit(X[:2000])
        with tempfile.TemporaryDirectory() as tmp:
            path = det.export_onnx(Path(tmp) / "m.onnx")
            sess = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            ort_s = median_seconds(lambda s=sess: s.run(["anomaly_score"], {"X": X}))
            torch_s = median_seconds(lambda d=det: d.anomaly_score(X))
            max_diff = float(
                np.abs(sess.run(["anomaly_score"], {"X": X})[0] - det.anomaly_score(X)).max()
            )
        rows.append(
            {
                "method": type(det).__name__,
                "scoring": det.scoring,
                "onnxruntime_rows_per_s": len(X) / ort_s,
                "torch_rows_per_s": len(X) / torch_s,
                "onnxruntime_over_torch": torch_s / ort_s,
                "max_abs_difference": max_diff,
            }
        )
        print(
            f"{type(det).__name__} ({det.score}): onnxruntime {len(X) / ort_s:,.0f} rows/s, "
            f"torch {len(X) / torch_s:,.0f} rows/s, max |diff| {max_diff:.2g}"
        )
    result = {
        "command": f"python benchmarks/onnx_speed.py --out {args.out}",
        "data": "20000 x 121 N(0,1) float32, 1 thread",
        "torch": torch.__version__,
        "onnxruntime": ort.__version__,
        "rows": rows,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
