"""Training and scoring speed of the convolutional networks (images/s), CPU threads and layout.

RCGAN's image networks as in the image benchmark (Table 2: latent 100,
batch 32, conv width 32, t(x) = N(0, I)) on 3,200 random 1 x 32 x 32 images;
training images/s over 100 updates (after 10 warm-up updates) and scoring
images/s (``anomaly_scores`` in eval mode), for 1 and 2 torch threads, with
the default (contiguous, NCHW) and the channels-last memory layout::

    python benchmarks/image_speed.py --out benchmarks/results/image_speed.json

No GPU was available for this project's runs; with one, pass ``--device cuda``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from rcgan.networks import NetworkConfig, build_networks
from rcgan.penalties import make_penalty
from rcgan.provenance import provenance
from rcgan.scores import anomaly_scores
from rcgan.training import TrainConfig, train


def measure(threads: int, channels_last: bool, device: str, n: int = 3200) -> dict:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    config = NetworkConfig(
        n_features=1024, image_shape=(1, 32, 32), latent_dim=100, conv_width=32, dropout=0.2
    )
    nets = build_networks(config).to(device)
    x = torch.rand(n, 1, 32, 32, device=device) * 2 - 1
    if channels_last:
        nets = nets.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    penalty = make_penalty("normal")
    gen = torch.Generator(device=device).manual_seed(0)

    def run(updates: int) -> float:
        cfg = TrainConfig(epochs=100, batch_size=32, learning_rate=2e-4, max_updates=updates)
        start = time.perf_counter()
        train(nets, x, cfg, gen, penalty=penalty)
        if device != "cpu":
            torch.cuda.synchronize()
        return time.perf_counter() - start

    run(10)
    train_s = run(100)
    with torch.inference_mode():
        anomaly_scores(nets, x[:512], "fm_l2")
        start = time.perf_counter()
        anomaly_scores(nets, x, "fm_l2")
        score_s = time.perf_counter() - start
    return {
        "threads": threads,
        "channels_last": channels_last,
        "train_images_per_s": 100 * 32 / train_s,
        "score_images_per_s": n / score_s,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rows = [measure(t, cl, args.device) for t in (1, 2) for cl in (False, True)]
    for r in rows:
        print(r)
    result = {
        "command": f"python benchmarks/image_speed.py --device {args.device} --out {args.out}",
        "device": args.device,
        "rows": rows,
        **provenance(),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
