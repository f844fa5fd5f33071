"""Print the Markdown tables of finished runs, from their results files only.

    python benchmarks/tables.py tabular benchmarks/results/tabular/results.jsonl
    python benchmarks/tables.py mnist benchmarks/results/table2/mnist.jsonl
    python benchmarks/tables.py suite benchmarks/results/suite/results.jsonl [METHOD,...]

(`rcgan reproduce ...` prints the same tables, but first runs any job that
is missing from the file.)
"""

from __future__ import annotations

import sys

from rcgan.benchmark.images import table2_markdown
from rcgan.benchmark.runner import read_results
from rcgan.benchmark.tables import SUITE_METHODS, TABLES, markdown, suite_markdown


def main() -> None:
    kind, path = sys.argv[1], sys.argv[2]
    rows = read_results(path)
    if kind == "suite":
        from rcgan.benchmark.protocol import SUITE

        chosen = sys.argv[3].split(",") if len(sys.argv) > 3 else SUITE_METHODS
        methods = [m for m in chosen if any(r["method"] == m for r in rows)]
        print(
            suite_markdown(
                rows, methods, [d for d in SUITE if any(r["dataset"] == d for r in rows)]
            )
        )
        return
    if kind == "tabular":
        for name in ("table1", "table3", "table4"):
            methods = tuple(dict.fromkeys(r["method"] for r in rows))
            if name != "table1":  # the rows of that table, beside its paper values
                methods = TABLES[name].methods
            print(f"### {name}\n")
            print(markdown(rows, name, methods=methods))
            print()
    else:
        methods = tuple(dict.fromkeys(r["method"] for r in rows))
        print(table2_markdown(rows, kind, methods))


if __name__ == "__main__":
    main()
