"""Other ways to combine two scores of one fit, offline (development seeds only).

Reads the raw training and test scores that ``accuracy_dev.py
--save-scores DIR`` keeps for each fit (``TAG_DATASET_SEED.npz``) and
ranks rules that combine the parts, all label-free (statistics of the
training rows only), beside the parts alone and the baselines of the
development results files:

- ``mean z``: the library's rule, the mean of (s - median) / IQR;
- ``mean slog z``: the same after sign(z) log(1 + |z|), so that one part far
  out in its own units cannot drown the other;
- ``mean z, q10-q90``: spread from the 10 and 90 % points instead of the IQR;
- ``mean tail``: the mean of -log of each part's empirical upper tail
  probability on the training rows (ties beyond the largest training score
  broken by ``mean slog z``);
- ``max z`` and ``max slog z``: the largest part;
- with ``--overlap DATA_DIR``: ``first part x (1 - f)`` and ``first part x
  max(0, 1 - 2f)``, the first part (D_xz) weighted down by f, the share of
  the default penalty's draws that fall on the data (:func:`on_data_share`),
  a label-free measure of how much of t(x) D_xz learned to call fake
  where the normal rows are;
- with ``--range DATA_DIR``: ``mean z + range excess``, the parts' IQR
  z-scores and, as one more part, how far a row lies outside the training
  rows' per-feature range in the scaled space the networks see
  (:func:`range_excess`; 0 for every training row, so it is not
  standardised);
- with ``--range DATA_DIR --data-parts``, three more rules with parts that
  need no network, in the same scaled space: ``+ tail z+``, the positive
  part of the IQR z-score of :func:`feature_tail` (an ECOD-like sum of the
  per-feature two-sided empirical tail surprisals); ``+ kNN z``, the IQR
  z-score of the distance to the 5th nearest training row
  (:func:`knn_distance`); and ``first part + kNN z + range excess``, the
  kNN part in place of the second (reconstruction) part.

    python benchmarks/accuracy_dev.py --tag d10_save --no-code-knn --save-scores DIR \\
        --seeds 0 1 2 --data-dir ../shared/data --out ROWS.jsonl
    python benchmarks/combine_scores.py --scores DIR --tag d10_save --parts xz,l2
    python benchmarks/combine_scores.py --scores DIR --tag d15_save --parts xz,l1 \
        --overlap ../shared/data
    python benchmarks/combine_scores.py --scores DIR --tag d41_save --parts xz,l1 \
        --range ../shared/data --per-set
    python benchmarks/combine_scores.py --scores DIR --tag d15_save --parts xz,l1 \
        --with d26_wd10:xz      # parts of two fits of each split
"""

from __future__ import annotations

import argparse
import collections
import json
import re
from pathlib import Path

import numpy as np
from accuracy_dev import SETS, metrics, set_knee, standardised
from scipy.stats import rankdata

#: the data sets a saved file may be of (the 15 small sets and KDDCUP99)
KNOWN = {*SETS, "kddcup99"}


def slog(v: np.ndarray) -> np.ndarray:
    return np.sign(v) * np.log1p(np.abs(v))


def tail(train: np.ndarray, test: np.ndarray) -> np.ndarray:
    ordered = np.sort(train)
    n = len(ordered)
    upper = (1 + n - np.searchsorted(ordered, test, side="left")) / (n + 1)
    return -np.log(upper)


def scaled(train: np.ndarray, *rows: np.ndarray) -> list:
    """``rows`` scaled as ``RCGAN()`` scales them when fitted on ``train`` (float32 tensors)."""
    import torch

    from rcgan.preprocessing import Preprocessor

    pre = Preprocessor.fit(train, "standard-log", None)
    return [pre.to_tensor(r, torch.device("cpu")) for r in rows]


def on_data_share(train: np.ndarray, seed: int, draws: int = 4000) -> float:
    """Share of the default penalty's draws that lie on the training rows.

    The rows are scaled as ``RCGAN()`` scales them; a draw is on the data
    when it lies within :func:`rcgan.penalties.data_reach` of the rows (the
    90th percentile of the training rows' nearest-row distance).
    """
    import torch

    from rcgan.penalties import _nearest, data_reach, make_penalty

    (x,) = scaled(train, train)
    g = torch.Generator().manual_seed(seed)
    ref, limit = data_reach(x, g)  # the reach of the off-data crossover bank
    penalty = make_penalty("adaptive-cross", 1.0, float(x.norm(dim=1).max()), x)
    return float((_nearest(penalty(draws, x.shape[1], g), ref) <= limit).float().mean())


def range_excess(train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Sum over features of how far each test row lies outside the training range.

    In the space ``RCGAN()`` scales the rows to (``"standard-log"``): the
    library's part of ``scoring="xz+l1+range"``
    (:func:`rcgan.scores.range_excess`), per feature max(0, x - max) +
    max(0, min - x) of the training rows.
    """
    from rcgan.scores import range_excess as excess

    tr, te = scaled(train, train, test)
    return excess(te, tr.amin(0), tr.amax(0)).double().numpy()


def feature_tail(train: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Sum over features of -log of each value's two-sided empirical tail probability.

    Per feature, 2 min(F(v), 1 - F(v)) (capped at 1) with F the training
    rows' empirical distribution ((count + 1) / (n + 1), so a value beyond
    every training row has probability 2 / (n + 1)): ECOD's idea (Li et
    al., 2022) without its skewness rule.
    """
    n, out = len(train), np.zeros(len(rows))
    for j in range(train.shape[1]):
        ordered = np.sort(train[:, j])
        left = (np.searchsorted(ordered, rows[:, j], side="right") + 1) / (n + 1)
        right = (n - np.searchsorted(ordered, rows[:, j], side="left") + 1) / (n + 1)
        out -= np.log(np.minimum(2 * np.minimum(left, right), 1.0))
    return out


def knn_distance(train: np.ndarray, rows: np.ndarray, k: int = 5, itself: bool = False):
    """Distance of each row to its ``k``-th nearest training row (skipping itself if ``itself``)."""
    from sklearn.neighbors import NearestNeighbors

    found = NearestNeighbors(n_neighbors=k + itself).fit(train)
    return found.kneighbors(rows, n_neighbors=k + itself)[0][:, -1]


def data_part_rules(train: np.ndarray, test: np.ndarray, z: list, excess: np.ndarray) -> dict:
    """The ``--data-parts`` rules (module docstring) of one fit.

    ``z``: the fit's parts as IQR z-scores of the test rows; ``excess``:
    their :func:`range_excess`.
    """
    tr, te = (t.double().numpy() for t in scaled(train, train, test))
    tail_z = standardised(feature_tail(tr, tr), feature_tail(tr, te))
    knn_z = standardised(knn_distance(tr, tr, itself=True), knn_distance(tr, te))
    return {
        "mean z + range excess + tail z+": (np.sum(z, 0) + excess + np.maximum(tail_z, 0))
        / (len(z) + 2),
        "mean z + range excess + kNN z": (np.sum(z, 0) + excess + knn_z) / (len(z) + 2),
        "first part + kNN z + range excess": (z[0] + knn_z + excess) / 3,
    }


def weighted_first(weight):
    """Rule: the first part times ``weight(f)`` plus the others, IQR-standardised."""

    def rule(parts, f):
        z = [standardised(*p) for p in parts]
        return weight(f) * z[0] + np.sum(z[1:], 0)

    return rule


OVERLAP_RULES = {
    "first part x (1 - f)": weighted_first(lambda f: 1 - f),
    "first part x max(0, 1 - 2f)": weighted_first(lambda f: max(0.0, 1 - 2 * f)),
}

RULES = {
    "mean z (library)": lambda parts: np.mean([standardised(*p) for p in parts], 0),
    "mean slog z": lambda parts: np.mean([slog(standardised(*p)) for p in parts], 0),
    "mean z, q10-q90": lambda parts: np.mean([standardised(*p, 10, 90) for p in parts], 0),
    "mean tail": lambda parts: (
        np.mean([tail(*p) for p in parts], 0)
        + 1e-6 * np.mean([slog(standardised(*p)) for p in parts], 0)
    ),
    "max z": lambda parts: np.max([standardised(*p) for p in parts], 0),
    "max slog z": lambda parts: np.max([slog(standardised(*p)) for p in parts], 0),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scores", required=True, help="folder of accuracy_dev --save-scores")
    ap.add_argument(
        "--tag", required=True, help="saved fits' tag; comma-separated: rows named 'TAG: rule'"
    )
    ap.add_argument(
        "--seeds", type=int, nargs="+", help="only these development seeds (default: all saved)"
    )
    ap.add_argument(
        "--match",
        default=".",
        help="rank only the rules and parts matching this regular expression, beside the baselines",
    )
    ap.add_argument("--parts", default="xz,l2")
    ap.add_argument(
        "--baselines",
        nargs="*",
        default=["benchmarks/results/suite_dev/screen.jsonl"],
        help="development results files whose baseline rows (kind '-') join the ranking",
    )
    ap.add_argument(
        "--overlap",
        metavar="DATA_DIR",
        help="also the rules weighted by the penalty's on-data share (reloads each split)",
    )
    ap.add_argument(
        "--range",
        dest="range_dir",
        metavar="DATA_DIR",
        help="also the rule with the training-range excess as one more part (reloads each split)",
    )
    ap.add_argument("--per-set", action="store_true", help="also each set's mean F1 per rule")
    ap.add_argument(
        "--with",
        dest="other",
        action="append",
        default=[],
        metavar="TAG:PARTS",
        help="parts of another fit of the same split (its saved scores in --scores), appended "
        "to --parts as TAG.PART, e.g. d26_wd10:xz (a two-fit combination)",
    )
    ap.add_argument(
        "--data-parts",
        action="store_true",
        help="with --range: also the rules with a per-feature tail or a kNN part",
    )
    ap.add_argument(
        "--knee",
        type=float,
        default=None,
        help="with --range: the tail knee the fits were run with (accuracy_dev --knee)",
    )
    args = ap.parse_args()
    if args.knee is not None:
        set_knee(args.knee)
    parts = args.parts.split(",")
    if args.data_parts and not args.range_dir:
        raise SystemExit("--data-parts needs --range DATA_DIR")
    if any(":" not in spec for spec in args.other):
        raise SystemExit("--with takes TAG:PARTS, e.g. d26_wd10:xz")
    other = [(t, k) for spec in args.other for t, ks in [spec.split(":", 1)] for k in ks.split(",")]
    data_dir = args.overlap or args.range_dir
    if data_dir:
        from accuracy_dev import fraction

        from rcgan.benchmark.protocol import split_train_test
        from rcgan.data import load_dataset

        loaded = {}
    f1 = collections.defaultdict(dict)
    auc = collections.defaultdict(dict)  # the same cells' AUROC
    seeds = set()

    tags = args.tag.split(",")
    prefix = ""  # with several tags, each row is named by its tag

    def record(name: str, dataset: str, seed: int, scores: np.ndarray, y: np.ndarray) -> None:
        if not re.search(args.match, prefix + name):
            return
        m = metrics(scores, y)
        cell = (prefix + name, dataset)
        f1[cell][seed], auc[cell][seed] = m["f1"], m["auroc"]

    saved_fits = [
        (tag, path) for tag in tags for path in sorted(Path(args.scores).glob(f"{tag}_*.npz"))
    ]
    for tag, path in saved_fits:
        prefix = f"{tag}: " if len(tags) > 1 else ""
        dataset, seed = path.stem[len(tag) + 1 :].rsplit("_", 1)
        if dataset not in KNOWN:
            continue  # another tag that starts with this one (TAG_more_DATASET_SEED)
        if 1000 <= int(seed) <= 1009:
            raise SystemExit("seeds 1000-1009 are for reporting only")
        if args.seeds is not None and int(seed) not in args.seeds:
            continue
        saved = np.load(path)
        pairs = [(saved[f"train_{k}"], saved[f"test_{k}"]) for k in parts]
        if other:
            files = {t: Path(args.scores) / f"{t}_{dataset}_{seed}.npz" for t, _ in other}
            if not all(f.exists() for f in files.values()):
                print(f"{dataset} seed {seed}: skipped, the other fit was not saved", flush=True)
                continue
            more = {t: np.load(f) for t, f in files.items()}
            n_train, y = len(saved[f"train_{parts[0]}"]), saved["y"]
            if any(
                len(more[t][f"train_{k}"]) != n_train or not np.array_equal(more[t]["y"], y)
                for t, k in other
            ):
                raise SystemExit(f"{dataset} seed {seed}: the fits saw different splits")
            pairs += [(more[t][f"train_{k}"], more[t][f"test_{k}"]) for t, k in other]
        seeds.add(int(seed))
        for name, rule in RULES.items():
            record(name, dataset, int(seed), rule(pairs), saved["y"])
        if data_dir:
            if dataset not in loaded:
                loaded[dataset] = load_dataset(dataset, data_dir=data_dir)
            train, test, y_test = split_train_test(*loaded[dataset], fraction(dataset), int(seed))
            if not np.array_equal(y_test, saved["y"]):
                raise SystemExit(f"{dataset} seed {seed}: the saved fit saw another split")
        if args.range_dir:
            excess = range_excess(train, test)
            zs = [standardised(*p) for p in pairs]
            z = np.sum(zs, 0)
            record(
                "mean z + range excess", dataset, int(seed), (z + excess) / (len(pairs) + 1), y_test
            )
            if args.data_parts:
                for name, scores in data_part_rules(train, test, zs, excess).items():
                    record(name, dataset, int(seed), scores, y_test)
        if args.overlap:
            share = on_data_share(train, int(seed))
            print(f"{dataset} seed {seed}: on-data share of the penalty {share:.3f}", flush=True)
            for name, rule in OVERLAP_RULES.items():
                record(name, dataset, int(seed), rule(pairs, share), saved["y"])
        for k in parts:
            record(k, dataset, int(seed), saved[f"test_{k}"], saved["y"])
        for t, k in other:
            record(f"{t}.{k}", dataset, int(seed), more[t][f"test_{k}"], saved["y"])
    for results in args.baselines:
        for line in Path(results).read_text().splitlines():
            r = json.loads(line)
            if r["kind"] == "-" and r["seed"] in seeds:
                f1[(r["tag"], r["dataset"])][r["seed"]] = r["f1"]
                auc[(r["tag"], r["dataset"])][r["seed"]] = r["auroc"]
    methods = sorted({m for m, _ in f1})
    sets = sorted({d for _, d in f1})
    full = [d for d in sets if all(len(f1.get((m, d), {})) == len(seeds) for m in methods)]
    mean = {m: [np.mean(list(f1[(m, d)].values())) for d in full] for m in methods}
    spread = {m: [np.std(list(f1[(m, d)].values())) for d in full] for m in methods}
    ranks = np.array([rankdata([-mean[m][i] for m in methods]) for i in range(len(full))])
    rank = ranks.mean(0) if len(full) else np.full(len(methods), np.nan)
    print(f"{len(full)} data sets, seeds {sorted(seeds)}: {', '.join(full)}")
    roc = {m: np.mean([np.mean(list(auc[(m, d)].values())) for d in full]) for m in methods}
    print("| rule or score | mean F1 rank | mean F1 | mean AUROC | mean F1 std |")
    print("|---|---|---|---|---|")
    for i in np.argsort(rank):
        m = methods[i]
        cells = f"{rank[i]:.2f} | {np.mean(mean[m]):.3f} | {roc[m]:.3f} | {np.mean(spread[m]):.3f}"
        print(f"| {m} | {cells} |")
    if args.per_set:
        order = [methods[i] for i in np.argsort(rank)]
        print("\n| data set | " + " | ".join(order) + " |")
        print("|---" * (len(order) + 1) + "|")
        for i, d in enumerate(full):
            print(f"| {d} | " + " | ".join(f"{mean[m][i]:.3f}" for m in order) + " |")
    left = [d for d in sets if d not in full]
    for d in left:  # sets without baselines (KDDCUP99): the rules alone
        cells = {m: f1[(m, d)] for m in methods if (m, d) in f1}
        print(d, {m: round(float(np.mean(list(v.values()))), 3) for m, v in cells.items()})


if __name__ == "__main__":
    main()
