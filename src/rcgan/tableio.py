"""Tables in and out of the command line: CSV and Parquet, streamed in chunks.

Reading (:func:`iter_table`, :func:`read_table`) uses pandas (CSV) and
pyarrow (Parquet, the ``parquet`` extra), a chunk of rows at a time, so that
scoring a file of any length holds one chunk in memory. What is read is
explicit:

- the header: ``header=True``/``False``, or ``None`` to detect it. The
  first line is a header when it has a non-empty cell and no cell is a
  number: a line of numbers (``0,1,2``) is data, and so is a data row
  mixing text and numbers (``0,tcp,http``); pass ``header=True`` for a
  header holding a number. So a first row holding any number is always
  read as data (with an empty cell, it is then refused for its missing
  value, not dropped); only a first row without any number (all text) is
  taken for a header, and ``header=False`` reads such a row as data.
- the feature columns (``columns``, by name, or by 0-based position in a file
  without a header), and the key columns carried to the output (``keep``);
- against a model with column names, the columns are matched by name:
  reordered columns are reordered, missing, unknown or renamed ones are an
  error that names them.

Every refused cell is named by its column and its line in the file.
Writing goes to a temporary file renamed over the target at the end
(:func:`atomic_output`): an interrupted run leaves the old file or none,
never a truncated one that looks complete.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import numpy as np

from .utils import atomic_path

__all__ = [
    "CHUNK_ROWS",
    "TableSpec",
    "atomic_output",
    "detect_header",
    "iter_table",
    "needs_extra",
    "read_chunks",
    "read_table",
    "select_columns",
    "table_columns",
    "to_features",
]

#: rows per chunk when streaming
CHUNK_ROWS = 65_536


def needs_extra(module: str, extra: str) -> Any:
    """Import ``module``, or raise a one-line error naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ValueError(
            f"this needs the optional package {module.split('.')[0]!r}: "
            f'pip install "rcgan[{extra}]"'
        ) from None


@dataclass(frozen=True)
class TableSpec:
    """What to read from a table.

    Parameters
    ----------
    header : bool or None
        Whether the first CSV line holds column names; None: detect it (see
        the module docstring). Parquet files always have names.
    columns : sequence of str or None
        Feature columns, by name (by 0-based position without a header);
        None: every column not in ``keep`` (or the model's columns).
    keep : sequence of str
        Key columns carried through to the output, not used as features.
    exclude : sequence of str
        Columns not used at all (e.g. a label column).
    categorical : sequence of str
        Text columns to read as categories (one-hot encoded by the detector);
        any other column must hold numbers.
    allow_missing : bool
        Read empty cells as NaN (for a detector with ``impute="median"``)
        instead of refusing them.
    """

    header: bool | None = None
    columns: Sequence[str] | None = None
    keep: Sequence[str] = ()
    exclude: Sequence[str] = ()
    categorical: Sequence[str] = ()
    allow_missing: bool = False


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def _is_parquet(path: Path) -> bool:
    return path.suffix == ".parquet" or path.is_dir()


def _first_line(path: str | Path) -> list[str] | None:
    """The first CSV record (gzip-compressed files too), or None if empty."""
    import gzip

    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", newline="", encoding="utf-8-sig") as fh:  # a BOM is not a name
        return next(csv.reader(fh), None)


def _is_header(first: list[str]) -> bool:
    cells = [cell.strip() for cell in first]
    return any(cells) and not any(_is_number(cell) for cell in cells if cell)


def detect_header(path: str | Path) -> bool:
    """True if the first line has a non-empty cell and none of its cells is a number."""
    return _is_header(_first_line(path) or [])


def _csv_names(path: Path, first: list[str] | None, header: bool) -> list[str]:
    if first is None:
        raise ValueError(f"{path}: the file is empty")
    if not header:
        return [str(i) for i in range(len(first))]
    names = [c.strip() for c in first]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"{path}: the header repeats the column name(s) {dupes}")
    return names


def table_columns(path: str | Path, spec: TableSpec) -> tuple[list[str], bool]:
    """The table's column names (positions as names without a header) and its header flag."""
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: no such file")
    if _is_parquet(path):
        ds = needs_extra("pyarrow.dataset", "parquet")
        return list(ds.dataset(str(path), format="parquet").schema.names), True
    first = _first_line(path)  # read once, for the header and the names
    header = _is_header(first or []) if spec.header is None else spec.header
    return _csv_names(path, first, header), header


def select_columns(
    names: Sequence[str],
    spec: TableSpec,
    model_columns: Sequence[str] | None = None,
    path: str | Path = "the table",
) -> list[str]:
    """The feature columns to read, in the order the model expects.

    Raises ``ValueError`` naming the missing, unknown or renamed columns.
    """
    present = set(names)
    aside = set(spec.keep) | set(spec.exclude)
    for what, wanted in (("keep", spec.keep), ("exclude", spec.exclude)):
        absent = [c for c in wanted if c not in present]
        if absent:
            raise ValueError(f"{path}: no column(s) {absent} to {what}; columns: {list(names)}")
    if spec.columns is not None:
        features = list(spec.columns)
        missing = [c for c in features if c not in present]
        if missing:
            raise ValueError(f"{path}: no column(s) {missing}; columns: {list(names)}")
    elif model_columns is not None:
        features = list(model_columns)
        missing = [c for c in features if c not in present]
        unknown = [c for c in names if c not in set(features) and c not in aside]
        if missing or unknown:
            msg = f"{path}: the columns do not match the model's"
            if missing:
                msg += f"; missing: {missing}"
            if unknown:
                msg += f"; not in the model: {unknown} (pass them to --keep or --exclude)"
            raise ValueError(msg)
    else:
        features = [c for c in names if c not in aside]
    if not features:
        raise ValueError(f"{path}: no feature columns left")
    return features


def iter_table(
    path: str | Path,
    spec: TableSpec,
    usecols: Sequence[str],
    chunk_rows: int = CHUNK_ROWS,
    columns: tuple[list[str], bool] | None = None,
) -> Iterator[tuple[int, Any]]:
    """``(first line number, DataFrame of usecols)`` per chunk of rows.

    Line numbers count from 1 at the file's first line (CSV) or row (Parquet).
    ``columns``: :func:`table_columns` of the file, if already read.
    """
    import pandas as pd

    path = Path(path)
    if _is_parquet(path):
        ds = needs_extra("pyarrow.dataset", "parquet")
        line = 1
        dataset = ds.dataset(str(path), format="parquet")
        for batch in dataset.to_batches(columns=list(usecols), batch_size=chunk_rows):
            frame = batch.to_pandas()
            yield line, frame
            line += len(frame)
        return
    names, header = table_columns(path, spec) if columns is None else columns
    line = 2 if header else 1
    # every column is parsed (not ``usecols``), so that a row with extra fields is an
    # error, never silently cut
    reader = pd.read_csv(
        path,
        header=None,
        names=names,
        skiprows=1 if header else 0,
        chunksize=chunk_rows,
        skip_blank_lines=True,
        encoding="utf-8-sig",
        dtype={c: str for c in (*spec.keep, *spec.categorical) if c in usecols},
    )
    try:
        for frame in reader:
            yield line, frame[list(usecols)]
            line += len(frame)
    except pd.errors.ParserError as err:
        raise ValueError(f"{path}: {err}") from None


def to_features(
    frame,
    features: Sequence[str],
    first_line: int,
    path: str | Path,
    categorical=(),
    allow_missing: bool = False,
):
    """The feature columns of a chunk: numbers as float64, ``categorical`` ones as text.

    A cell that is not a number (outside ``categorical``), or is empty, is
    refused with its column and line named.
    """
    import pandas as pd

    out = {}
    for name in features:
        col = frame[name]
        if name in categorical:  # the user's choice, kept by the detector's encoder
            out[name] = col.astype(object).where(col.notna(), None).astype("category")
            continue
        numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        values = col if numeric else pd.to_numeric(col, errors="coerce")
        bad = np.array(pd.isna(values), dtype=bool)
        if allow_missing:
            bad &= ~pd.isna(col).to_numpy()  # empty cells pass, text does not
        bad = np.flatnonzero(bad)
        if bad.size:
            i = bad[0]
            cell = col.iloc[i]
            what = "is empty (missing)" if pd.isna(cell) else f"holds {str(cell)!r}, not a number"
            hint = "" if pd.isna(cell) else " (a text column? name it in --categorical)"
            raise ValueError(
                f"{path}: column {name!r}, line {first_line + int(i)} {what}{hint}; "
                f"{bad.size} such cell(s) in the {len(frame)} rows from line {first_line}"
            )
        out[name] = np.asarray(values, dtype=np.float64)
    return pd.DataFrame(out, index=frame.index)


def read_chunks(
    path: str | Path,
    spec: TableSpec,
    model_columns: Sequence[str] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> tuple[list[str], Iterator[tuple[int, Any, Any]]]:
    """The feature names and an iterator of ``(first line, features, kept columns)``."""
    names, header = table_columns(path, spec)
    rename: dict[str, str] = {}
    if not header and model_columns is not None and not set(model_columns) <= set(names):
        # no header, a model with column names: the columns are taken by position
        positional = select_columns(names, spec, None, path)
        if len(positional) != len(model_columns):
            raise ValueError(
                f"{path}: {len(positional)} feature columns (no header), the model has "
                f"{len(model_columns)}: {list(model_columns)}"
            )
        rename = dict(zip(positional, model_columns, strict=True))
        features = positional
    else:
        features = select_columns(names, spec, model_columns, path)
    categorical = [c for c in spec.categorical if c in set(features) or c in rename.values()]
    unknown = [c for c in spec.categorical if c not in set(categorical)]
    if unknown:
        raise ValueError(f"{path}: --categorical {unknown} are not feature columns")
    by_position = {v: k for k, v in rename.items()}
    categorical = [by_position.get(c, c) for c in categorical]
    usecols = [*features, *[c for c in spec.keep if c not in set(features)]]
    read_spec = replace(spec, categorical=tuple(categorical))  # the file's own names

    def chunks():
        for line, frame in iter_table(path, read_spec, usecols, chunk_rows, (names, header)):
            if frame.empty:
                continue
            X = to_features(frame, features, line, path, categorical, spec.allow_missing)
            yield line, X.rename(columns=rename) if rename else X, frame[list(spec.keep)]

    return [rename.get(c, c) for c in features], chunks()


def read_table(path: str | Path, spec: TableSpec, model_columns: Sequence[str] | None = None):
    """All rows of the feature columns as one DataFrame (see :func:`read_chunks`)."""
    import pandas as pd

    _, chunks = read_chunks(path, spec, model_columns)
    parts = [X for _, X, _ in chunks]
    if not parts or sum(len(p) for p in parts) == 0:
        raise ValueError(f"{path}: no data rows")
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


@contextlib.contextmanager
def atomic_output(path: str | Path | None, mode: str = "w") -> Iterator[IO]:
    """A file object for ``path`` (stdout for None or "-") written atomically.

    The data go to a temporary file in the same folder, renamed over
    ``path`` only when the block ends without an exception (including
    KeyboardInterrupt); otherwise the temporary file is removed.
    """
    import sys

    if path is None or str(path) == "-":
        yield sys.stdout
        return
    with atomic_path(path) as tmp, open(tmp, mode, newline="" if "b" not in mode else None) as fh:
        yield fh
