"""Development screening of RCGAN settings on the suite (development seeds only).

One fit per (data set, seed) yields every score kind and the combinations of
scores standardised on the training rows, so that a score is chosen on the
whole suite, not per data set. Protocol: as ``rcgan reproduce suite`` (50/50
split, 80/20 for KDDCUP99 and Arrhythmia, normal training rows only, top-k F1
with k = the test anomaly count, AUROC).

    python benchmarks/accuracy_dev.py --tag NAME --params '{"penalty": "adaptive"}' \\
        --seeds 0 1 2 --data-dir ../shared/data --out benchmarks/results/suite_dev/screen.jsonl
    python benchmarks/accuracy_dev.py --baselines --seeds 0 1 2 ...

    python benchmarks/accuracy_dev.py --summary benchmarks/results/suite_dev/screen.jsonl \
        --match "^(a1_lr3e4_div4_d0|adaptive1_u3k)/(xz.l2|l2)$"

(``--summary`` ranks every configuration/score matching the regular
expression, with the baselines, by mean F1 over the data sets where all of
them have 3 seeds.) Seeds 1000-1009 are reserved for reporting and are
refused here.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from rcgan import RCGAN
from rcgan.benchmark.methods import make_method
from rcgan.benchmark.protocol import split_train_test, suite_protocol, topk_metrics
from rcgan.data import ADBENCH, load_dataset

SETS = ("arrhythmia", "thyroid", "musk", *ADBENCH)
KINDS = ("discriminator", "fm_l1", "l1", "l2", "xz")
COMBOS = {
    "d+l2": ("discriminator", "l2"),
    "d+fm+l2": ("discriminator", "fm_l1", "l2"),
    "fm+l2": ("fm_l1", "l2"),
    "d+fm": ("discriminator", "fm_l1"),
    "xz+l2": ("xz", "l2"),
    "xz+d": ("xz", "discriminator"),
    "xz+d+l2": ("xz", "discriminator", "l2"),
    "xz+l2+zknn": ("xz", "l2", "zknn"),
    "l2+zknn": ("l2", "zknn"),
    "xz+zknn": ("xz", "zknn"),
    "xz+l1": ("xz", "l1"),
    "xz+fm": ("xz", "fm_l1"),
    "xz+fm+l2": ("xz", "fm_l1", "l2"),
    "xz+l1c": ("xz", "l1c"),
    "xz+l1c1": ("xz", "l1c1"),
    "xz+l1x": ("xz", "l1x"),
    "xz+l1n": ("xz", "l1n"),
    "xz+d+l1": ("xz", "discriminator", "l1"),
}
#: scores this script computes from a fitted model (not library scores)
EXTRA = ("zknn",)
#: robust reconstruction errors (``--robust``): name -> knee of the residual compression
ROBUST = {"l1c": 3.0, "l1c1": 1.0}


def robust_l1(det: RCGAN, rows: np.ndarray, knee: float) -> np.ndarray:
    """Sum over features of the compressed absolute residual |x - G(E(x))| (scaled units).

    Each residual counts as itself up to ``knee`` and grows logarithmically
    beyond (:func:`rcgan.preprocessing.compress_tails`), so that one feature
    the model cannot reconstruct (a rare value far out) cannot dominate the
    row's error.
    """
    from rcgan.preprocessing import compress_tails

    nets = det.networks_.eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(rows), 4096):
            x = det.network_input(rows[start : start + 4096])
            r = (x - nets.reconstruct(x)).abs().double()
            out.append(compress_tails(r, knee).sum(1).numpy())
    return np.concatenate(out)


def expanded_l1(det: RCGAN, rows: np.ndarray) -> np.ndarray:
    """L1 reconstruction error in standardised units before the tail compression.

    x and G(E(x)) are both mapped back through the inverse of the
    ``"standard-log"`` compression (:func:`rcgan.preprocessing.expand_tails`),
    so that a value far out counts by its distance, as the standard scaler
    would; the networks are unchanged.
    """
    from rcgan.preprocessing import expand_tails

    knee = det.preprocessor_.knee
    nets = det.networks_.eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(rows), 4096):
            x = det.network_input(rows[start : start + 4096])
            r = nets.reconstruct(x)
            if knee is not None:
                x, r = expand_tails(x.double(), knee), expand_tails(r.double(), knee)
            out.append((x - r).abs().double().sum(1).numpy())
    return np.concatenate(out)


def abs_residuals(det: RCGAN, rows: np.ndarray) -> np.ndarray:
    """|x - G(E(x))| per feature, in the scaled units the networks see, shape (n, d)."""
    nets = det.networks_.eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(rows), 4096):
            x = det.network_input(rows[start : start + 4096])
            out.append((x - nets.reconstruct(x)).abs().double().numpy())
    return np.concatenate(out) if out else np.zeros((0, det.n_features_in_))


def normalised_l1(det: RCGAN, train: np.ndarray, rows: np.ndarray) -> tuple:
    """Per-feature normalised L1 error on (training rows, ``rows``).

    Each feature's absolute residual is divided by its mean over the
    training rows, floored at a tenth of the mean over features (so that a
    feature reconstructed almost exactly on the training rows cannot
    dominate): a feature the model reconstructs well counts more when it
    does not.
    """
    r_train = abs_residuals(det, train)
    scale = r_train.mean(0)
    scale = np.maximum(scale, 0.1 * scale.mean() + 1e-12)
    return (r_train / scale).sum(1), (abs_residuals(det, rows) / scale).sum(1)


def code_knn(det: RCGAN, train: np.ndarray, rows: np.ndarray, k: int = 5) -> tuple:
    """Distance to the k-th nearest training code E(x) (training rows: leave-one-out)."""
    from sklearn.neighbors import NearestNeighbors

    nets = det.networks_.eval()
    with torch.inference_mode():
        z_tr = nets.encoder(det.network_input(train)).double().numpy()
        z_te = nets.encoder(det.network_input(rows)).double().numpy()
    k = min(k, len(z_tr) - 1)
    nn_ = NearestNeighbors(n_neighbors=k + 1).fit(z_tr)
    d_tr = nn_.kneighbors(z_tr)[0][:, k]
    d_te = nn_.kneighbors(z_te, n_neighbors=k)[0][:, k - 1]
    return d_tr, d_te


#: candidates of the label-free score choice (``--select``)
SELECT = {
    "xz+l2": ("xz", "l2"),
    "xz+l1": ("xz", "l1"),
    "xz": ("xz",),
    "l2": ("l2",),
    "l1": ("l1",),
}


def validation_anomalies(train: np.ndarray, seed: int, n: int = 1000) -> dict:
    """Synthetic anomalies next to the training rows, with no labels involved.

    Each probe set is ``n`` training rows drawn with replacement followed by
    ``n`` synthetic rows: "iso" moves rows by N(0, 1) per column in units of the
    column's spread (off the data's span); "diff2" moves them along the
    data's own directions twice as far as the default penalty does
    (x_i + 2 (x_j - x_k) / sqrt(2)); "both" is half of each.
    """
    rng = np.random.default_rng(10_000 + seed)
    m = len(train)
    base = train[rng.integers(0, m, n)]
    iso = base + rng.standard_normal(base.shape) * train.std(axis=0)
    diff = base + np.sqrt(2.0) * (train[rng.integers(0, m, n)] - train[rng.integers(0, m, n)])
    normal = train[rng.integers(0, m, n)]  # with replacement: n rows on any set
    both = np.concatenate([iso[: n // 2], diff[: n - n // 2]])
    return {
        name: np.concatenate([normal, v])
        for name, v in (("iso", iso), ("diff2", diff), ("both", both))
    }


def select_score(zp: dict, n_normal: int) -> str:
    """The candidate of :data:`SELECT` with the best AUROC, normal rows vs probes."""
    from sklearn.metrics import roc_auc_score

    y = np.r_[np.zeros(n_normal), np.ones(len(next(iter(zp.values()))) - n_normal)]
    best, best_auc = "xz+l2", -1.0
    for name, kinds in SELECT.items():
        auc = roc_auc_score(y, np.mean([zp[k] for k in kinds], axis=0))
        if auc > best_auc + 1e-9:
            best, best_auc = name, auc
    return best


def standardised(train: np.ndarray, test: np.ndarray, low: float = 25, high: float = 75):
    """(test - median) / spread of the reference scores ``train`` (IQR by default)."""
    spread = np.subtract(*np.percentile(train, [high, low]))
    return (test - np.median(train)) / max(spread, 1e-12)


def hold_out(train: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(held-out rows, the rest): ``share`` of the normal training rows (at least 2), at random."""
    order = np.random.default_rng(20_000 + seed).permutation(len(train))
    n_held = max(2, round(share * len(train)))
    return train[np.sort(order[:n_held])], train[np.sort(order[n_held:])]


def fraction(dataset: str) -> float:
    return suite_protocol(dataset).train_fraction


def suite_splits(datasets: str, seeds, data_dir: str | None):
    """(data set, seed, training rows, test rows, test labels) of the suite's protocol.

    ``datasets``: comma-separated names; each is loaded once and split per
    seed (:func:`rcgan.benchmark.protocol.split_train_test`, its training
    share); the training rows are the normal ones only.
    """
    for dataset in datasets.split(","):
        X, y = load_dataset(dataset, data_dir=data_dir)
        for seed in seeds:
            yield (dataset, seed, *split_train_test(X, y, fraction(dataset), seed))


def metrics(scores: np.ndarray, y: np.ndarray) -> dict[str, float]:
    m = topk_metrics(scores, y, y.sum() / len(y) - 1e-12)
    return {"f1": m["f1"], "auroc": m["auroc"]}


def summary(path: str, match: str, seeds: list[int] | None = None, per_set: bool = False) -> None:
    """Mean F1 rank, F1 and AUROC of the matching configurations and the baselines.

    Over ``seeds`` (default 0-2), on the data sets where every configuration
    has all of them; also each configuration's mean F1 std over seeds, and
    with ``per_set`` each set's mean F1 per configuration.
    """
    seeds = [0, 1, 2] if seeds is None else seeds
    import collections
    import re

    from scipy.stats import rankdata

    pattern = re.compile(match)
    cells = collections.defaultdict(list)
    for line in Path(path).read_text().splitlines():
        r = json.loads(line)
        key = r["tag"] if r["kind"] == "-" else f"{r['tag']}/{r['kind']}"
        if (r["kind"] == "-" or pattern.search(key)) and r["seed"] in seeds:
            cells[(key, r["dataset"])].append((r["seed"], r["f1"], r["auroc"]))
    cells = {k: list({c[0]: c for c in v}.values()) for k, v in cells.items()}  # one per seed
    methods = sorted({k for k, _ in cells})
    sets = sorted({d for _, d in cells})
    full = [d for d in sets if all(len(cells.get((m, d), [])) == len(seeds) for m in methods)]
    f1 = {m: [np.mean([c[1] for c in cells[(m, d)]]) for d in full] for m in methods}
    auc = {m: [np.mean([c[2] for c in cells[(m, d)]]) for d in full] for m in methods}
    spread = {m: [np.std([c[1] for c in cells[(m, d)]]) for d in full] for m in methods}
    ranks = np.array([rankdata([-f1[m][i] for m in methods]) for i in range(len(full))])
    means = ranks.mean(0) if len(full) else [np.nan] * len(methods)
    mean_rank = dict(zip(methods, means, strict=True))
    print(f"{len(full)} data sets, seeds {seeds[0]}-{seeds[-1]}: {', '.join(full)}")
    print(
        "| configuration / score | mean F1 rank | mean F1 | mean AUROC | mean F1 std |\n"
        "|---|---|---|---|---|"
    )
    for m in sorted(methods, key=lambda m: mean_rank[m]):
        print(
            f"| {m} | {mean_rank[m]:.2f} | {np.mean(f1[m]):.3f} | {np.mean(auc[m]):.3f} "
            f"| {np.mean(spread[m]):.3f} |"
        )
    if per_set:
        print("\n| data set | " + " | ".join(methods) + " |\n|---|" + "---|" * len(methods))
        for i, d in enumerate(full):
            print(f"| {d} | " + " | ".join(f"{f1[m][i]:.3f}" for m in methods) + " |")


def set_knee(knee: float) -> None:
    """Development hook: the tail knee every "standard-log" fit of this process uses."""
    from rcgan import preprocessing

    if not knee > 0:
        raise SystemExit("--knee must be positive")
    preprocessing.TAIL_KNEE = float(knee)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--summary", help="print a summary of this results file and exit")
    ap.add_argument("--match", default=".", help="with --summary: configurations to rank")
    ap.add_argument(
        "--per-set", action="store_true", help="with --summary: also each set's mean F1"
    )
    ap.add_argument("--tag", default="baselines")
    ap.add_argument("--params", default="{}")
    ap.add_argument("--baselines", action="store_true")
    ap.add_argument("--datasets", default=",".join(SETS))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--data-dir", default=None)
    ap.add_argument(
        "--members", type=int, default=1, help="seed ensemble: fits averaged per score kind"
    )
    ap.add_argument(
        "--normalised",
        action="store_true",
        help="also the per-feature normalised L1 error (l1n, normalised_l1)",
    )
    ap.add_argument(
        "--snapshots",
        type=int,
        default=1,
        help="snapshot ensemble of one run: member k of K is the same seed's fit stopped at "
        "k/K of the defaults' budget (the run's state there, since nothing in a fit depends "
        "on where it will stop); scores averaged per kind as --members does",
    )
    ap.add_argument("--out")
    ap.add_argument(
        "--knee",
        type=float,
        default=None,
        help="development hook: the tail knee of scaler 'standard-log' (the library's "
        "preprocessing.TAIL_KNEE, 3) for this run's fits; recorded in the rows",
    )
    ap.add_argument(
        "--select",
        action="store_true",
        help="also a label-free choice of score per fit: the candidate that best separates "
        "the training rows from synthetic validation anomalies (rows 'sel-*')",
    )
    ap.add_argument(
        "--no-code-knn",
        action="store_true",
        help="skip the kNN distance between codes (zknn; quadratic in the training rows)",
    )
    ap.add_argument(
        "--robust",
        action="store_true",
        help="also the compressed-residual reconstruction errors of ROBUST (l1c, l1c1)",
    )
    ap.add_argument(
        "--expanded",
        action="store_true",
        help="also the L1 error before the tail compression (l1x, expanded_l1)",
    )
    ap.add_argument(
        "--save-scores",
        help="folder: also write each fit's standardised test scores per kind, the raw "
        "training and test scores (train_KIND, test_KIND) and the test labels "
        "(TAG_DATASET_SEED.npz), to compare further combinations offline",
    )
    ap.add_argument(
        "--holdout",
        type=float,
        default=0.0,
        help="share of the normal training rows held out of the fit: every score is "
        "standardised on them instead of on the fitted rows (rows of kind 'KIND@fit' keep "
        "the fitted rows' standardisation of the same fit)",
    )
    args = ap.parse_args()
    if args.summary:
        summary(args.summary, args.match, args.seeds, args.per_set)
        return
    if not args.out:
        ap.error("--out is required")
    if any(1000 <= s <= 1009 for s in args.seeds):
        raise SystemExit("seeds 1000-1009 are for reporting only")
    if args.members > 1 and args.snapshots > 1:
        ap.error("--members and --snapshots are exclusive")
    torch.set_num_threads(1)
    if args.knee is not None:
        set_knee(args.knee)
    params = json.loads(args.params)
    budget = RCGAN(**params)  # the full budget that --snapshots divides
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for dataset, seed, train, test, y_test in suite_splits(
        args.datasets, args.seeds, args.data_dir
    ):
        held = None
        if args.holdout > 0:  # label-free: the training rows are all normal
            held, train = hold_out(train, args.holdout, seed)
        rows = []
        if args.baselines:
            for name in ("iforest", "knn", "ocsvm", "ecod", "meandist"):
                t0 = time.perf_counter()
                det = make_method(name, dataset, seed).fit(train)
                s = det.anomaly_score(test)
                rows.append(
                    {
                        "tag": name,
                        "kind": "-",
                        **metrics(s, y_test),
                        "seconds": time.perf_counter() - t0,
                    }
                )
        else:
            t0 = time.perf_counter()
            extra = (() if args.no_code_knn else EXTRA) + (tuple(ROBUST) if args.robust else ())
            extra += ("l1x",) if args.expanded else ()
            extra += ("l1n",) if args.normalised else ()
            z = {kind: 0.0 for kind in (*KINDS, *extra)}
            z_fit = dict(z)  # with --holdout: standardised on the fitted rows
            raw_scores = {}  # the last member's raw scores (with --save-scores)
            if args.select:
                probes = validation_anomalies(train, seed)
                zp = {name: {kind: 0.0 for kind in KINDS} for name in probes}
            n_fits = max(args.members, args.snapshots)
            for member in range(n_fits):
                model_seed = seed if args.members == 1 else 100 * seed + member
                fit_params = dict(params)
                if args.snapshots > 1:  # stop at (member + 1) / K of the budget
                    stop_at = (member + 1) / args.snapshots
                    fit_params["epochs"] = max(1, round(budget.epochs * stop_at))
                    if budget.max_updates is not None:
                        updates = max(1, round(budget.max_updates * stop_at))
                        fit_params["max_updates"] = updates
                if str(fit_params.get("latent_dim", "")).startswith("div"):
                    # development rule: latent = d // k, between 2 and 32
                    k = int(fit_params["latent_dim"][3:])
                    fit_params["latent_dim"] = int(min(32, max(2, train.shape[1] // k)))
                det = RCGAN(**fit_params, random_state=model_seed, n_jobs=1).fit(train)
                for kind in (*KINDS, *extra):
                    if kind == "zknn":
                        raw_tr, raw_te = code_knn(det, train, test)
                    elif kind == "l1n":
                        raw_tr, raw_te = normalised_l1(det, train, test)
                    elif kind == "l1x":
                        raw_tr, raw_te = expanded_l1(det, train), expanded_l1(det, test)
                    elif kind in ROBUST:
                        raw_tr = robust_l1(det, train, ROBUST[kind])
                        raw_te = robust_l1(det, test, ROBUST[kind])
                    else:
                        det.set_params(scoring=kind)
                        raw_tr = -det.score_samples(train)
                        raw_te = -det.score_samples(test)
                    raw_scores[f"train_{kind}"], raw_scores[f"test_{kind}"] = raw_tr, raw_te
                    if args.snapshots > 1:
                        raw_scores[f"train_{kind}_s{member}"] = raw_tr
                        raw_scores[f"test_{kind}_s{member}"] = raw_te
                    if held is not None and kind in KINDS:
                        z_fit[kind] = z_fit[kind] + standardised(raw_tr, raw_te) / n_fits
                        raw_tr = -det.score_samples(held)  # (scoring=kind set above)
                    z[kind] = z[kind] + standardised(raw_tr, raw_te) / n_fits
                    if args.select and kind in KINDS:
                        for name, rows_p in probes.items():
                            raw_p = -det.score_samples(rows_p)
                            share = standardised(raw_tr, raw_p) / n_fits
                            zp[name][kind] = zp[name][kind] + share
            fit_s = time.perf_counter() - t0
            if args.save_scores:
                folder = Path(args.save_scores)
                folder.mkdir(parents=True, exist_ok=True)
                np.savez(folder / f"{args.tag}_{dataset}_{seed}.npz", y=y_test, **z, **raw_scores)
            for kind in (*KINDS, *extra):
                rows.append(
                    {
                        "tag": args.tag,
                        "kind": kind,
                        **metrics(z[kind], y_test),
                        "seconds": fit_s,
                    }
                )
            for combo, kinds in COMBOS.items():
                if not set(kinds) <= set(z):
                    continue
                s = np.mean([z[k] for k in kinds], axis=0)
                rows.append(
                    {"tag": args.tag, "kind": combo, **metrics(s, y_test), "seconds": fit_s}
                )
                if held is not None:
                    s = np.mean([z_fit[k] for k in kinds], axis=0)
                    rows.append(
                        {
                            "tag": args.tag,
                            "kind": f"{combo}@fit",
                            **metrics(s, y_test),
                            "seconds": fit_s,
                        }
                    )
            if args.select:
                for name in probes:
                    pick = select_score(zp[name], len(probes[name]) // 2)
                    s = np.mean([z[k] for k in SELECT[pick]], axis=0)
                    rows.append(
                        {
                            "tag": args.tag,
                            "kind": f"sel-{name}",
                            "picked": pick,
                            **metrics(s, y_test),
                            "seconds": fit_s,
                        }
                    )
        more = {"params": params} if args.knee is None else {"params": params, "knee": args.knee}
        if args.snapshots > 1:
            more["snapshots"] = args.snapshots
        with out.open("a") as fh:
            for r in rows:
                fh.write(json.dumps({"dataset": dataset, "seed": seed, **more, **r}) + "\n")
        print(
            dataset,
            seed,
            " ".join(f"{r['tag']}/{r['kind']}:{r['f1']:.2f}" for r in rows),
            flush=True,
        )


if __name__ == "__main__":
    main()
