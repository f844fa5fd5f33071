"""Aggregate benchmark rows into the paper's tables, with its numbers beside.

The paper's values (precision, recall, F1 in percent) are transcribed from
its Tables 1, 3 and 4. Table 3's F1 for Arrhythmia without t(x) is missing
from our copy of the paper and is left empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SUITE_METHODS", "TABLES", "TableSpec", "markdown", "suite_markdown", "summarize"]

PRF = tuple[float | None, float | None, float | None]

_T1: dict[str, dict[str, PRF]] = {
    "iforest": {
        "kddcup99": (92.16, 93.73, 92.94),
        "arrhythmia": (51.47, 54.69, 53.03),
        "thyroid": (70.13, 71.43, 70.27),
        "musk": (47.96, 47.72, 47.51),
    },
    "ocsvm": {
        "kddcup99": (74.57, 85.23, 79.54),
        "arrhythmia": (53.97, 40.82, 45.18),
        "thyroid": (36.39, 42.39, 38.87),
    },
    "dsebm_r": {
        "kddcup99": (85.12, 64.72, 73.28),
        "arrhythmia": (15.15, 15.13, 15.10),
        "thyroid": (4.04, 4.03, 4.03),
    },
    "dsebm_e": {
        "kddcup99": (86.19, 64.46, 73.99),
        "arrhythmia": (46.67, 45.65, 46.01),
        "thyroid": (13.19, 13.19, 13.19),
    },
    "adgan": {
        "kddcup99": (87.86, 82.97, 88.65),
        "arrhythmia": (41.18, 43.75, 42.42),
        "thyroid": (44.12, 46.87, 45.45),
        "musk": (3.06, 3.10, 3.10),
    },
    "dagmm": {
        "kddcup99": (92.97, 94.22, 93.69),
        "arrhythmia": (49.09, 50.78, 49.83),
        "thyroid": (47.66, 48.34, 47.82),
    },
    "alad": {
        "kddcup99": (94.27, 95.77, 95.01),
        "arrhythmia": (50.00, 53.13, 51.52),
        "thyroid": (22.92, 21.57, 22.22),
        "musk": (58.16, 59.03, 58.37),
    },
    "dsvdd": {
        "kddcup99": (89.81, 94.97, 92.13),
        "arrhythmia": (35.32, 34.35, 34.79),
        "thyroid": (22.22, 23.61, 23.29),
    },
    "rcgan": {
        "kddcup99": (95.17, 96.69, 95.92),
        "arrhythmia": (52.73, 56.06, 54.14),
        "thyroid": (77.08, 75.56, 76.26),
        "musk": (67.00, 66.21, 66.49),
    },
}
_T3: dict[str, dict[str, PRF]] = {
    "rcgan_no_penalty": {"arrhythmia": (50.00, 51.93, None), "thyroid": (64.06, 66.35, 64.94)},
    "rcgan": {"arrhythmia": (52.73, 56.06, 54.14), "thyroid": (77.08, 75.56, 75.80)},
}
_T4: dict[str, dict[str, PRF]] = {
    "rcgan": {"kddcup99": (95.17, 96.69, 95.92), "thyroid": (77.08, 75.56, 75.80)},
    "rcgan_normal2": {"kddcup99": (95.26, 96.78, 96.01), "thyroid": (75.83, 75.93, 76.48)},
    "rcgan_uniform": {"kddcup99": (93.85, 95.45, 94.60), "thyroid": (75.34, 77.76, 76.48)},
}


@dataclass(frozen=True)
class TableSpec:
    """Default data sets and methods of a table, and the paper's values."""

    datasets: tuple[str, ...]
    methods: tuple[str, ...]
    paper: dict[str, dict[str, PRF]]


TABLES: dict[str, TableSpec] = {
    "table1": TableSpec(
        ("kddcup99", "arrhythmia", "thyroid", "musk"),
        (
            "rcgan",
            "rcgan_paper",
            "rcgan_default",
            "rcgan_default_0.8",
            "rcgan_default_0.7",
            "rcgan_default_0.4",
            "rcgan_default_0.3",
            "rcgan_default_0.1",
            "alad",
            "iforest",
            "ocsvm",
        ),
        _T1,
    ),
    "table3": TableSpec(("arrhythmia", "thyroid"), ("rcgan_no_penalty", "rcgan"), _T3),
    "table4": TableSpec(("kddcup99", "thyroid"), ("rcgan", "rcgan_normal2", "rcgan_uniform"), _T4),
}


def summarize(rows: list[dict]) -> dict[tuple[str, str], dict[str, float]]:
    """Mean and std (over seeds) of each metric per (method, dataset), in percent."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    for key in sorted({(r["method"], r["dataset"]) for r in rows}):
        sel = [r for r in rows if (r["method"], r["dataset"]) == key]
        entry: dict[str, float] = {"seeds": len(sel)}
        for metric in ("precision", "recall", "f1", "auroc", "fit_seconds"):
            vals = np.array([r[metric] for r in sel], dtype=float)
            scale = 1.0 if metric == "fit_seconds" else 100.0
            entry[metric] = float(scale * vals.mean())
            entry[f"{metric}_std"] = float(scale * vals.std())
            entry[f"{metric}_min"] = float(scale * vals.min())
        out[key] = entry
    return out


def markdown(rows: list[dict], table: str, methods=None, datasets=None) -> str:
    """A Markdown table: ours (mean ± std over seeds) beside the paper's F1."""
    spec = TABLES[table]
    summary = summarize(rows)
    methods = methods or spec.methods
    datasets = datasets or spec.datasets
    lines = [
        "| data set | method | seeds | precision | recall | F1 | paper F1 | F1 - paper "
        "| AUROC | AUROC min |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for ds in datasets:
        for m in methods:
            s = summary.get((m, ds))
            if s is None:
                continue
            paper_f1 = spec.paper.get(m, {}).get(ds, (None, None, None))[2]
            paper = "-" if paper_f1 is None else f"{paper_f1:.2f}"
            diff = "-" if paper_f1 is None else f"{s['f1'] - paper_f1:+.2f}"
            lines.append(
                f"| {ds} | {m} | {s['seeds']} | {s['precision']:.2f} ± {s['precision_std']:.2f} "
                f"| {s['recall']:.2f} ± {s['recall_std']:.2f} | {s['f1']:.2f} ± {s['f1_std']:.2f} "
                f"| {paper} | {diff} | {s['auroc']:.2f} ± {s['auroc_std']:.2f} "
                f"| {s['auroc_min']:.2f} |"
            )
    return "\n".join(lines)


#: methods of the accuracy suite, each at its library defaults
SUITE_METHODS = (
    "rcgan_default",
    "rcgan_default_0.8",
    "alad",
    "dsvdd",
    "iforest",
    "knn",
    "ocsvm",
    "ecod",
    "meandist",
)


def suite_markdown(rows: list[dict], methods=None, datasets=None) -> str:
    """The suite's tables: F1 and AUROC per set, mean ranks, seed spreads.

    Ranks: per data set, the methods are ranked by mean F1 over seeds (1 =
    best, ties share the mean rank), over the data sets every listed method
    has results for; the mean over those sets is reported. Spread: the
    standard deviation of F1 over seeds, averaged over the sets, and the
    largest gap between a set's mean AUROC and its worst seed.
    """
    from scipy.stats import rankdata

    summary = summarize(rows)
    methods = [m for m in (methods or SUITE_METHODS) if any(k[0] == m for k in summary)]
    datasets = [d for d in (datasets or sorted({k[1] for k in summary}))]
    complete = [d for d in datasets if all((m, d) in summary for m in methods)]
    header = "| data set | " + " | ".join(methods) + " |"
    rule = "|---|" + "---|" * len(methods)
    out = []
    for title, cell in (
        ("F1 % (mean ± std over seeds):", lambda s: f"{s['f1']:.1f} ± {s['f1_std']:.1f}"),
        ("AUROC % (mean; worst seed):", lambda s: f"{s['auroc']:.1f}; {s['auroc_min']:.1f}"),
    ):
        out += ([""] if out else []) + [title, "", header, rule]
        for d in datasets:
            cells = [cell(summary[(m, d)]) if (m, d) in summary else "-" for m in methods]
            out.append(f"| {d} | " + " | ".join(cells) + " |")
    ranks = {m: [] for m in methods}
    for d in complete:
        r = rankdata([-summary[(m, d)]["f1"] for m in methods])
        for m, value in zip(methods, r, strict=True):
            ranks[m].append(float(value))
    out += [
        "",
        f"Over the {len(complete)} sets with every method: mean F1 rank (1 = best), mean F1, "
        "mean AUROC, mean F1 std over seeds, largest (mean - worst seed) AUROC gap:",
        "",
        "| method | mean F1 rank | mean F1 | mean AUROC | mean F1 std | max AUROC gap |",
        "|---|---|---|---|---|---|",
    ]
    for m in sorted(methods, key=lambda m: np.mean(ranks[m]) if ranks[m] else np.inf):
        if not ranks[m]:
            continue
        sel = [summary[(m, d)] for d in complete]
        out.append(
            f"| {m} | {np.mean(ranks[m]):.2f} | {np.mean([s['f1'] for s in sel]):.1f} "
            f"| {np.mean([s['auroc'] for s in sel]):.1f} "
            f"| {np.mean([s['f1_std'] for s in sel]):.1f} "
            f"| {max(s['auroc'] - s['auroc_min'] for s in sel):.1f} |"
        )
    return "\n".join(out)
