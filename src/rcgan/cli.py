"""Command line: ``rcgan demo | fit | score | reproduce`` (also ``python -m rcgan``)."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .penalties import PENALTIES
from .scores import SCORES

__all__ = ["build_parser", "main"]

logger = logging.getLogger(__name__)


class _Help(argparse.HelpFormatter):
    """Help that shows each option's default (unless None or already said)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if (
            "default" not in text
            and not any(action.default is v for v in (None, argparse.SUPPRESS, False))
            and action.option_strings
        ):
            text += " (default: %(default)s)"
        return text


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split(",") if c.strip()) if text else ()


def _spec(args: argparse.Namespace, categorical: tuple[str, ...] = (), allow_missing: bool = False):
    from .tableio import TableSpec

    return TableSpec(
        header=args.header,
        columns=_names(args.columns) or None,
        keep=_names(getattr(args, "keep", None)),
        exclude=_names(args.exclude),
        categorical=tuple(
            dict.fromkeys((*_names(getattr(args, "categorical", None)), *categorical))
        ),
        allow_missing=allow_missing or getattr(args, "impute", None) is not None,
    )


def _progress(args: argparse.Namespace) -> bool:
    """Progress bars: with -v, or by default when stderr is a terminal."""
    return bool(args.verbose) or sys.stderr.isatty()


def _demo(args: argparse.Namespace) -> int:
    from sklearn.metrics import roc_auc_score

    from . import ALAD, RCGAN
    from .data import make_synthetic, make_synthetic_anomalies
    from .plots import plot_score_maps

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    train = make_synthetic(args.shape, 2000, random_state=args.seed)
    test_normal = make_synthetic(args.shape, 500, random_state=args.seed + 1)
    test_anomal = make_synthetic_anomalies(args.shape, 500, random_state=args.seed + 2)
    x_test = np.vstack((test_normal, test_anomal))
    y_test = np.r_[np.zeros(len(test_normal)), np.ones(len(test_anomal))]
    print(
        f"demo: '{args.shape}' in R^2, {len(train)} normal training points; test = "
        f"{len(test_normal)} normal + {len(test_anomal)} uniform anomalies in [-3, 3]^2 "
        f"(>= 0.5 from the shape); seed {args.seed}, {args.epochs} epochs"
    )
    panels = []
    for name, cls in (("RCGAN", RCGAN), ("ALAD", ALAD)):
        start = time.perf_counter()
        det = cls(epochs=args.epochs, random_state=args.seed, verbose=args.verbose).fit(train)
        seconds = time.perf_counter() - start
        auroc = roc_auc_score(y_test, det.anomaly_score(x_test))
        print(f"{name:6s} AUROC {auroc:.3f}  (scoring={det.scoring}, fit {seconds:.1f} s)")
        panels.append((f"{name}: A(x), AUROC {auroc:.3f}", det))
    fig = plot_score_maps(panels, train)
    png = out / f"demo_{args.shape}.png"
    fig.savefig(png, dpi=100)
    print(f"wrote {png}")
    return 0


def _fit(args: argparse.Namespace) -> int:
    import warnings

    from . import ALAD, RCGAN
    from .parallel import launch, process_group, rank
    from .tableio import read_table

    out_dir = Path(args.out).resolve().parent
    if not out_dir.is_dir():  # before training, not after it
        raise ValueError(f"--out {args.out}: the folder {out_dir} does not exist")
    if args.nproc > 1:
        rest, skip = [], False
        for item in args.argv:  # drop --nproc N from the workers' command line
            if skip:
                skip = False
            elif item == "--nproc":
                skip = True
            elif not item.startswith("--nproc="):
                rest.append(item)
        launch(args.nproc, rest, args.port)
        return 0
    with process_group(args.device):
        X = read_table(args.data, _spec(args))
        cls = RCGAN if args.method == "rcgan" else ALAD
        params = {
            "epochs": args.epochs,
            "random_state": args.seed,
            "contamination": args.contamination,
            "verbose": _progress(args),
            "device": args.device,
            "impute": args.impute,
        }
        if args.penalty is not None:
            params["penalty"] = None if args.penalty == "none" else args.penalty
        if args.scoring is not None:
            params["scoring"] = args.scoring
        if args.max_updates is not None:
            params["max_updates"] = args.max_updates
        if args.batch_size is not None:
            params["batch_size"] = args.batch_size
        det = cls(**params)
        if len(X) < max(10, det.batch_size):
            warnings.warn(
                f"only {len(X)} training rows (fewer than 10 or than the batch size "
                f"{det.batch_size}): the model will be weak",
                UserWarning,
                stacklevel=1,
            )
        det.fit(X)
        this_rank, world = rank()
        if this_rank == 0:
            det.save(args.out)
            text = f", text columns one-hot: {sorted(det.categories_)}" if det.categories_ else ""
            print(
                f"trained {cls.__name__} on {X.shape[0]} rows x {X.shape[1]} columns "
                f"({det.n_features_in_} features{text}; {world} process(es)); wrote {args.out}"
            )
    return 0


def _score_dask(args: argparse.Namespace) -> int:
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from .dataframes import score_dask
    from .tableio import detect_header

    data, out = Path(args.data), args.out
    if not data.exists():
        raise ValueError(f"{data}: no such file or folder")
    if data.suffix == ".parquet" or data.is_dir():
        ddf = dd.read_parquet(str(data))
    else:
        ddf = dd.read_csv(
            str(data), header=0 if detect_header(data) else None, blocksize=args.blocksize
        )
    with (
        LocalCluster(
            n_workers=args.workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        result = score_dask(args.model, ddf, labels=True)
        if out is None or out == "-":
            result.compute().to_csv(sys.stdout, index=False)
            return 0
        if str(out).endswith(".parquet"):
            result.to_parquet(out, write_index=False)
        else:
            result.to_csv(out, single_file=True, index=False)
    print(f"scored {data} with {args.workers} Dask workers; wrote {out}")
    return 0


def _contamination(text: str) -> float | str:
    if text == "auto":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'auto' or a number in (0, 0.5], got {text!r}") from None


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _score(args: argparse.Namespace) -> int:
    from .base import Detector
    from .tableio import atomic_output, needs_extra, read_chunks

    if args.engine == "dask":
        given = [
            f"--{name.replace('_', '-')}"
            for name in (
                "header",
                "columns",
                "exclude",
                "keep",
                "contamination",
                "threshold",
                "explain",
            )
            if getattr(args, name) is not None
        ]
        if given:
            raise ValueError(f"{', '.join(given)}: not available with --engine dask")
        needs_extra("dask.dataframe", "distributed")
        return _score_dask(args)
    det = Detector.load(args.model)
    if args.contamination is not None or args.threshold is not None:
        det.set_threshold(contamination=args.contamination, threshold=args.threshold)
    if args.explain and not hasattr(det, "explain"):
        raise ValueError(f"--explain: a {type(det).__name__} model has no explanations")
    model_columns = getattr(det, "input_columns_", None)
    if model_columns is None and hasattr(det, "feature_names_in_"):
        model_columns = list(det.feature_names_in_)
    spec = _spec(
        args,
        categorical=tuple(getattr(det, "categories_", {}) or {}),
        allow_missing=getattr(det, "impute_values_", None) is not None,
    )
    _, chunks = read_chunks(args.data, spec, model_columns)
    names = [str(c) for c in getattr(det, "feature_names_in_", range(det.n_features_in_))]
    parquet = args.out is not None and str(args.out).endswith(".parquet")
    if parquet:
        needs_extra("pyarrow", "parquet")  # before any scoring
    n_rows = n_flagged = 0
    with atomic_output(args.out, "wb" if parquet else "w") as fh:
        writer = None
        named = hasattr(det, "feature_names_in_")
        for _, X, kept in chunks:
            X = X if named else X.to_numpy()
            scores, flagged = det.score_and_flag(X)
            out = kept.reset_index(drop=True)
            out["anomaly_score"] = scores
            out["is_anomaly"] = flagged.astype(int)
            if args.explain:
                shares = det.explain(X, part=args.explain_part)
                top = np.argsort(-shares, axis=1, kind="stable")[:, : args.explain]
                for k in range(top.shape[1]):
                    out[f"top{k + 1}_feature"] = [names[j] for j in top[:, k]]
                    out[f"top{k + 1}_share"] = shares[np.arange(len(top)), top[:, k]]
            if parquet:
                import pyarrow as pa
                import pyarrow.parquet as pq

                table = pa.Table.from_pandas(out, preserve_index=False)
                writer = writer or pq.ParquetWriter(fh, table.schema)
                writer.write_table(table)
            else:
                out.to_csv(fh, header=n_rows == 0, index=False)  # shortest exact floats
            n_rows += len(out)
            n_flagged += int(flagged.sum())
        if writer is not None:
            writer.close()
        if n_rows == 0:  # inside: an empty output never replaces the old file
            raise ValueError(f"{args.data}: no data rows")
    if args.out not in (None, "-"):
        print(f"scored {n_rows} rows ({n_flagged} flagged); wrote {args.out}")
    return 0


def _figure2(args: argparse.Namespace) -> int:
    import json

    from .plots import plot_figure2
    from .theory import figure2_distributions, optimal_generator

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    d = figure2_distributions(resolution=args.resolution)
    q, t, anomaly = d["q"], d["t"], d["anomaly"]
    p, beta = optimal_generator(q, t)
    low_q = q < 0.01 * q.max()
    tail = q < t / beta  # where Theorem 1 removes all generator mass
    numbers = {
        "beta": beta,
        "q_mass_where_q_below_1pct_of_max": float(q[low_q].sum()),
        "p_mass_where_q_below_1pct_of_max": float(p[low_q].sum()),
        "q_mass_where_beta_q_below_t": float(q[tail].sum()),
        "p_mass_where_beta_q_below_t": float(p[tail].sum()),
        "q_mass_on_anomaly_region": float(q[anomaly > 0.01 * anomaly.max()].sum()),
        "p_mass_on_anomaly_region": float(p[anomaly > 0.01 * anomaly.max()].sum()),
        "p_peak_over_q_peak": float(p.max() / q.max()),
        "grid": f"{args.resolution} x {args.resolution} on [-2, 2]^2",
    }
    for key, val in numbers.items():
        print(f"{key:36s} {val:.6g}" if isinstance(val, float) else f"{key:36s} {val}")
    fig = plot_figure2(d, p, beta)
    fig.savefig(out / "figure2.png", dpi=80)
    (out / "figure2.json").write_text(json.dumps(numbers, indent=2) + "\n")
    print(f"wrote {out / 'figure2.png'} and {out / 'figure2.json'}")
    return 0


def _figure3(args: argparse.Namespace) -> int:
    import json

    from .benchmark.synthetic import FIGURE3_MODELS, run_figure3, summarize_figure3
    from .plots import plot_figure3

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    models = tuple(args.models.split(","))
    for model in models:
        if model not in FIGURE3_MODELS:
            raise ValueError(f"unknown model {model!r}; valid names: {sorted(FIGURE3_MODELS)}")
    start = time.perf_counter()
    rows, maps = run_figure3(
        seeds=args.seeds,
        epochs=args.epochs,
        resolution=args.resolution,
        models=models,
        progress=print if args.verbose else None,
    )
    summary = summarize_figure3(rows)
    seconds = time.perf_counter() - start
    print(
        f"AUROC of each discriminator for grid points within 0.1 of the shape (normal) vs. "
        f"farther than 0.5; mean ± std over {args.seeds} seed(s), {args.epochs} epochs\n"
    )
    print("| shape | model | D_xz(x, E(x)) | D_xx(x, G(E(x))) |")
    print("|---|---|---|---|")
    for e in summary:
        print(
            f"| {e['shape']} | {e['model']} "
            f"| {e['auroc_d_xz_mean']:.3f} ± {e['auroc_d_xz_std']:.3f} "
            f"| {e['auroc_d_xx_mean']:.3f} ± {e['auroc_d_xx_std']:.3f} |"
        )
    record = {
        "command": (
            f"rcgan reproduce figure3 --seeds {args.seeds} --epochs {args.epochs} "
            f"--resolution {args.resolution} --models {args.models}"
        ),
        "seconds": seconds,
        "summary": summary,
        "runs": rows,
    }
    (out / "figure3.json").write_text(json.dumps(record, indent=2) + "\n")
    plot_figure3(maps, models).savefig(out / "figure3.png", dpi=80)
    print(f"\nwrote {out / 'figure3.png'} and {out / 'figure3.json'} ({seconds:.0f} s)")
    return 0


def _table(args: argparse.Namespace) -> int:
    from .benchmark.methods import METHODS
    from .benchmark.tables import TABLES, markdown
    from .data import TABULAR

    spec = TABLES[args.target]
    datasets = tuple(args.datasets.split(",")) if args.datasets else spec.datasets
    if args.methods == "all":
        methods = tuple(METHODS)
    else:
        methods = tuple(args.methods.split(",")) if args.methods else spec.methods
    seeds = list(range(args.seeds))
    rows, results, seconds, n_jobs = _run_tabular(args, datasets, TABULAR, methods, seeds, False)
    print(
        f"\n{args.target}: mean ± std over seeds (percent); protocol: random split per seed, "
        "training on normal training rows only, top-k of the test scores flagged "
        "(k = anomaly share); paper values beside ours\n"
    )
    print(markdown(rows, args.target, methods=methods, datasets=datasets))
    print(f"\n{n_jobs} jobs ({seconds:.0f} s this run); results in {results}")
    return 0


def _run_tabular(args, datasets, valid_sets, methods, seeds, suite: bool):
    """Check the names, run the jobs not yet in ``--out``, return the selected rows."""
    from .benchmark.methods import METHODS
    from .benchmark.runner import read_results, run_jobs

    for name in datasets:
        if name not in valid_sets:
            raise ValueError(f"unknown data set {name!r}; valid names: {list(valid_sets)}")
    for name in methods:
        if name not in METHODS:
            raise ValueError(f"unknown method {name!r}; valid names: {sorted(METHODS)}")
    results = Path(args.out) / "results.jsonl"
    jobs = [(m, d, s) for d in datasets for s in seeds for m in methods]
    start = time.perf_counter()
    log = print if args.verbose else None
    run_jobs(jobs, results, data_dir=args.data_dir, epochs=args.epochs, log=log, suite=suite)
    seconds = time.perf_counter() - start
    rows = [
        r
        for r in read_results(results)
        if r["dataset"] in datasets and r["method"] in methods and r["seed"] in seeds
    ]
    return rows, results, seconds, len(jobs)


def _suite(args: argparse.Namespace) -> int:
    from .benchmark.protocol import SUITE
    from .benchmark.tables import SUITE_METHODS, suite_markdown

    datasets = tuple(args.datasets.split(",")) if args.datasets else SUITE
    methods = tuple(args.methods.split(",")) if args.methods else SUITE_METHODS
    seeds = [args.first_seed + k for k in range(args.seeds)]
    rows, results, seconds, n_jobs = _run_tabular(args, datasets, SUITE, methods, seeds, True)
    print(
        f"\nsuite, seeds {seeds[0]}-{seeds[-1]}: every method at its library defaults; "
        "per seed a random split (80 % train for kddcup99 and arrhythmia, 50 % otherwise), "
        "training on the normal training rows only, top-k F1 with k = the test anomaly "
        "count, AUROC\n"
    )
    print(suite_markdown(rows, methods, datasets))
    print(f"\n{n_jobs} jobs ({len(rows)} rows) in {seconds:.0f} s this run; {results}")
    return 0


def _table2(args: argparse.Namespace) -> int:
    from .benchmark.images import IMAGE_METHODS, run_table2, table2_markdown
    from .benchmark.runner import read_results

    methods = tuple(args.methods.split(","))
    for m in methods:
        if m not in IMAGE_METHODS:
            raise ValueError(f"unknown method {m!r}; valid names: {sorted(IMAGE_METHODS)}")
    classes = tuple(int(c) for c in args.classes.split(",")) if args.classes else tuple(range(10))
    if any(not 0 <= c <= 9 for c in classes):
        raise ValueError(f"classes must be in 0..9, got {classes}")
    results = Path(args.out) / f"{args.dataset}.jsonl"
    start = time.perf_counter()
    run_table2(
        args.dataset,
        results,
        classes,
        methods,
        args.seeds,
        args.epochs,
        args.data_dir,
        log=print if args.verbose else None,
        max_train=args.max_train,
        device=args.device,
    )
    seconds = time.perf_counter() - start
    rows = [
        r
        for r in read_results(results)
        if r["dataset"] == args.dataset
        and r["class"] in classes
        and r["method"] in methods
        and r["seed"] < args.seeds
        and (r["epochs"] == args.epochs or r["method"] == "iforest")
        and r.get("max_train") == args.max_train
    ]
    print(
        f"\n{args.dataset} one-class AUROC (%), mean ± std (seeds); each class in turn "
        f"normal, trained on its official training images, tested on the official test "
        f"split; {args.epochs} epochs\n"
    )
    print(table2_markdown(rows, args.dataset, methods))
    print(f"\n({seconds:.0f} s this run); results in {results}")
    return 0


def _figure1(args: argparse.Namespace) -> int:
    from .benchmark.images import figure1

    numbers = figure1(
        args.out,
        epochs=args.epochs,
        n_train=args.n_train,
        seed=args.seed,
        data_dir=args.data_dir,
        device=args.device,
    )
    for key, val in numbers.items():
        print(f"{key:34s} {val}")
    print(f"wrote {Path(args.out) / 'figure1.png'} and {Path(args.out) / 'figure1.json'}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .estimator import RCGAN
    from .tableio import needs_extra

    needs_extra("onnx", "onnx")
    det = RCGAN.load(args.model)
    det.export_onnx(args.out)
    print(
        f"wrote {args.out} (input X: float32 (n, {det.n_features_in_}); "
        "outputs anomaly_score, score_samples)"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``rcgan`` command."""
    from . import __version__
    from .estimator import RCGAN

    def rcgan_default(name: str):
        """RCGAN's declared default of ``name`` (the help never restates it by hand)."""
        return RCGAN._params[name].default

    parser = argparse.ArgumentParser(prog="rcgan", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="progress bars")
    parser.add_argument("--version", action="version", version=f"rcgan {__version__}")
    # -v also after the subcommand (rcgan fit -v ...)
    verbose = argparse.ArgumentParser(add_help=False)
    verbose.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="progress bars"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_parser = sub.add_parser

    def add_parser(name: str, **kwargs) -> argparse.ArgumentParser:
        kwargs.setdefault("formatter_class", _Help)
        return _add_parser(name, parents=[verbose], **kwargs)

    sub.add_parser = add_parser  # type: ignore[method-assign]

    demo = sub.add_parser("demo", help="train RCGAN and ALAD on a synthetic 2-D shape")
    demo.add_argument(
        "--shape", default="loop", choices=("loop", "arc", "four-dot"), help="the 2-D shape"
    )
    demo.add_argument("--epochs", type=_positive, default=100, help="most passes over the data")
    demo.add_argument("--seed", type=int, default=0, help="random seed")
    demo.add_argument("--out", default="rcgan-demo", help="folder for the plot")
    demo.set_defaults(func=_demo)

    def table_options(p: argparse.ArgumentParser, keep: bool) -> None:
        p.add_argument(
            "--header",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="the first CSV line holds column names (default: detected: a line without "
            "any number; a header holding a number needs --header)",
        )
        p.add_argument(
            "--columns",
            help="comma-separated feature columns (names, or 0-based positions "
            "without a header; default: all others)",
        )
        p.add_argument("--exclude", help="comma-separated columns not to use (e.g. a label)")
        if keep:
            p.add_argument(
                "--keep", help="comma-separated key columns copied to the output (not features)"
            )

    fit = sub.add_parser(
        "fit",
        help="train on a CSV or Parquet table and save the model",
    )
    fit.add_argument("data", help="CSV or Parquet file of normal training rows")
    fit.add_argument("--out", required=True, help="model file to write")
    table_options(fit, keep=False)
    fit.add_argument(
        "--categorical",
        help="comma-separated text columns, one-hot encoded (categories stored in the model)",
    )
    fit.add_argument(
        "--impute", choices=("median",), default=None, help="fill missing values (default: refuse)"
    )
    fit.add_argument("--method", choices=("rcgan", "alad"), default="rcgan", help="detector")
    fit.add_argument(
        "--epochs", type=_positive, default=100, help="most passes over the data (>= 1)"
    )
    fit.add_argument(
        "--max-updates",
        type=_positive,
        default=None,
        help=f"update budget (default: the estimator's, {rcgan_default('max_updates')})",
    )
    fit.add_argument(
        "--batch-size",
        type=_positive,
        default=None,
        help=f"rows per minibatch (default: {rcgan_default('batch_size')})",
    )
    fit.add_argument("--seed", type=int, default=0, help="random seed")
    fit.add_argument(
        "--contamination",
        type=_contamination,
        default=0.1,
        help="share of training rows flagged, or 'auto' (1 %% false positives, held-out rows)",
    )
    fit.add_argument(
        "--penalty",
        choices=(*PENALTIES, "none"),
        help=f"penalty distribution t(x) (default: the estimator's, {rcgan_default('penalty')!r})",
    )
    fit.add_argument(
        "--scoring",
        "--score",
        dest="scoring",
        choices=tuple(SCORES),
        help="anomaly score (--score is the old name; default: the estimator's, "
        f"{rcgan_default('scoring')!r})",
    )
    fit.add_argument("--device", default="cpu", help='torch device, e.g. "cuda"')
    fit.add_argument(
        "--nproc",
        type=int,
        default=1,
        help="train with N processes on this machine (torchrun, DDP)",
    )
    fit.add_argument(
        "--port",
        type=int,
        default=0,
        help="rendezvous port for --nproc (0: a free port chosen by torchrun)",
    )
    fit.set_defaults(func=_fit)

    score = sub.add_parser(
        "score",
        help="score a CSV or Parquet table with a saved model (streamed)",
    )
    score.add_argument("model", help="model file written by 'rcgan fit' or any detector's save")
    score.add_argument("data", help="CSV or Parquet file (or folder) to score")
    score.add_argument(
        "--out", default=None, help="CSV or .parquet file to write (default: stdout)"
    )
    table_options(score, keep=True)
    score.add_argument(
        "--contamination",
        type=_contamination,
        default=None,
        help="re-threshold: flag this share of the training rows (or 'auto')",
    )
    score.add_argument(
        "--threshold", type=float, default=None, help="re-threshold: flag scores above it"
    )
    score.add_argument(
        "--explain",
        type=_positive,
        default=None,
        metavar="K",
        help="add each row's K features with the largest share of its reconstruction error",
    )
    score.add_argument(
        "--explain-part",
        choices=("reconstruction", "range"),
        default="reconstruction",
        help="with --explain: the shares of the reconstruction error, or of the range part "
        "(the features beyond the training range; all 0 on rows inside it)",
    )
    score.add_argument(
        "--engine", choices=("local", "dask"), default="local", help="where to compute"
    )
    score.add_argument("--workers", type=int, default=2, help="Dask workers (127.0.0.1)")
    score.add_argument("--blocksize", default="64MB", help="Dask CSV partition size")
    score.set_defaults(func=_score)
    export = sub.add_parser(
        "export", help="export a saved model's scoring graph to ONNX (the onnx extra)"
    )
    export.add_argument("model", help="model file written by 'rcgan fit'")
    export.add_argument("out", help="ONNX file to write")
    export.set_defaults(func=_export)

    reproduce = sub.add_parser("reproduce", help="reproduce a figure or table of the paper")
    rsub = reproduce.add_subparsers(dest="target", required=True)
    _add_target = rsub.add_parser

    def add_target(name: str, **kwargs) -> argparse.ArgumentParser:
        kwargs.setdefault("formatter_class", _Help)
        return _add_target(name, parents=[verbose], **kwargs)

    rsub.add_parser = add_target  # type: ignore[method-assign]
    fig2 = rsub.add_parser("figure2", help="Theorem 1 on a 2-D grid (Figure 2)")
    fig2.add_argument("--out", default="results/figure2", help="output folder")
    fig2.add_argument("--resolution", type=int, default=121, help="grid points per axis")
    fig2.set_defaults(func=_figure2)
    fig3 = rsub.add_parser("figure3", help="discriminators on loop / arc / four-dot (Figure 3)")
    fig3.add_argument("--out", default="results/figure3", help="output folder")
    fig3.add_argument("--seeds", type=int, default=3, help="number of seeds")
    fig3.add_argument("--epochs", type=int, default=100, help="training epochs")
    fig3.add_argument("--resolution", type=int, default=121, help="grid points per axis")
    fig3.add_argument("--models", default="rcgan_paper,rcgan,alad", help="comma-separated")
    fig3.set_defaults(func=_figure3)
    for target, help_text in (
        ("table1", "tabular benchmark (Table 1)"),
        ("table3", "with and without t(x) (Table 3)"),
        ("table4", "choice of t(x) (Table 4)"),
    ):
        table = rsub.add_parser(target, help=help_text)
        table.add_argument("--datasets", help="comma-separated (default: the table's)")
        table.add_argument("--methods", help="comma-separated, or 'all' (default: the table's)")
        table.add_argument("--seeds", type=int, default=10, help="number of seeds (0, 1, ...)")
        table.add_argument("--epochs", type=int, default=None, help="override the GAN epochs")
        table.add_argument("--data-dir", default=None, help="folder with the raw data files")
        table.add_argument("--out", default=f"results/{target}", help="results folder")
        table.set_defaults(func=_table)
    suite = rsub.add_parser(
        "suite", help="accuracy suite: 16 tabular sets, every method at its defaults"
    )
    suite.add_argument("--datasets", help="comma-separated (default: all 16)")
    suite.add_argument("--methods", help="comma-separated (default: the suite's eight)")
    suite.add_argument("--seeds", type=int, default=10, help="number of seeds (default 10)")
    suite.add_argument(
        "--first-seed",
        type=int,
        default=1000,
        help="first seed (default 1000: the reporting seeds; 0 for the development seeds)",
    )
    suite.add_argument("--epochs", type=int, default=None, help="override the deep methods' epochs")
    suite.add_argument("--data-dir", default=None, help="folder with the raw data files")
    suite.add_argument("--out", default="results/suite", help="results folder")
    suite.set_defaults(func=_suite)
    table2 = rsub.add_parser("table2", help="one-class image benchmark (Table 2)")
    table2.add_argument(
        "--dataset", choices=("mnist", "cifar10"), default="mnist", help="image data set"
    )
    table2.add_argument("--classes", help="comma-separated class numbers (default: all ten)")
    table2.add_argument("--methods", default="rcgan,alad,dcae,iforest", help="comma-separated")
    table2.add_argument("--seeds", type=int, default=3, help="number of seeds")
    table2.add_argument("--epochs", type=int, default=5, help="training epochs")
    table2.add_argument("--max-train", type=int, default=None, help="cap training images")
    table2.add_argument("--data-dir", default=None, help="folder with the raw data files")
    table2.add_argument("--device", default="cpu", help='torch device, e.g. "cuda"')
    table2.add_argument("--out", default="results/table2", help="results folder")
    table2.set_defaults(func=_table2)
    fig1 = rsub.add_parser("figure1", help="AE vs RCGAN reconstructions on MNIST (Figure 1)")
    fig1.add_argument("--epochs", type=int, default=10, help="training epochs")
    fig1.add_argument("--n-train", type=int, default=None, help="cap on training images")
    fig1.add_argument("--seed", type=int, default=0, help="random seed")
    fig1.add_argument("--data-dir", default=None, help="folder with the raw data files")
    fig1.add_argument("--device", default="cpu", help='torch device, e.g. "cuda"')
    fig1.add_argument("--out", default="results/figure1", help="output folder")
    fig1.set_defaults(func=_figure1)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    try:
        return args.func(args)
    except ValueError as err:
        print(f"rcgan: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. rcgan score ... | head: the reader left
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
