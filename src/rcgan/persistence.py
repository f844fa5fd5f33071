"""Safe model files: one safetensors file, no pickle anywhere.

Layout of a model file:

- tensors: the networks' ``state_dict`` under ``"net."`` and the fitted
  arrays (scaling) under ``"array."``;
- header metadata (strings): ``"format"`` = ``"rcgan-model"``,
  ``"format_version"``, and ``"content"``, a JSON document with the
  estimator class, its parameters, the network configuration, the fitted
  scalars, the library versions that wrote it, and a SHA-256 digest over the
  JSON and every tensor's bytes.

Loading parses the header with safetensors (which never executes code) and
JSON, checks the format name, version and digest, and only then hands the
tensors back. A truncated, foreign or damaged file gives a ``ValueError``
that says which. The digest is a checksum, not a signature: it catches
damage and naive edits, while a hand-made file with a recomputed digest is
caught by the validation of every field on load (:func:`check_fitted`,
:func:`check_state_shapes`, and the estimator's own parameter checks);
neither path can execute code.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .preprocessing import IMAGE_SIZES
from .provenance import library_versions
from .utils import atomic_path

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "check_columns",
    "check_feature_range",
    "check_fitted",
    "check_score_stats",
    "check_state_shapes",
    "finite_float",
    "load_model",
    "params_from_file",
    "save_model",
]

FORMAT = "rcgan-model"
FORMAT_VERSION = 2  # 2: score vectors, column names and categories (0.3)


def _digest(content_json: str, tensors: dict[str, torch.Tensor]) -> str:
    h = hashlib.sha256(content_json.encode())
    for key in sorted(tensors):
        t = tensors[key].contiguous()
        h.update(key.encode())
        h.update(str(t.dtype).encode())
        h.update(str(tuple(t.shape)).encode())
        h.update(t.view(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def _jsonable(value: Any, name: str) -> Any:
    try:
        json.dumps(value)
    except TypeError as err:
        raise ValueError(
            f"parameter {name}={value!r} cannot be saved in a model file "
            "(only JSON values are stored; pickle is never used)"
        ) from err
    return value


def save_model(
    path: str | Path,
    *,
    estimator: str,
    params: dict[str, Any],
    network_config: dict[str, Any],
    fitted: dict[str, Any],
    arrays: dict[str, np.ndarray],
    state_dict: dict[str, torch.Tensor],
) -> None:
    """Write a model file (see the module docstring for the layout)."""
    from safetensors.torch import save_file

    tensors = {f"net.{k}": v.detach().to("cpu").contiguous() for k, v in state_dict.items()}
    tensors.update(
        {f"array.{k}": torch.from_numpy(np.ascontiguousarray(v)) for k, v in arrays.items()}
    )
    content = {
        "estimator": estimator,
        "params": {k: _jsonable(v, k) for k, v in params.items()},
        "network_config": network_config,
        "fitted": fitted,
        "versions": library_versions(),
    }
    content_json = json.dumps(content, sort_keys=True)
    meta = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "content": content_json,
        "sha256": _digest(content_json, tensors),
    }
    with atomic_path(path) as tmp:  # a crash never leaves a half-written model file
        save_file(tensors, str(tmp), metadata=meta)


def load_model(path: str | Path) -> dict[str, Any]:
    """Read and verify a model file.

    Returns
    -------
    dict
        Keys ``estimator``, ``params``, ``network_config``, ``fitted``,
        ``versions``, ``arrays`` (NumPy) and ``state_dict`` (tensors).

    Raises
    ------
    ValueError
        If the file is missing pieces, is not an rcgan model, has a newer
        format version, or fails the integrity check.
    """
    from safetensors import SafetensorError
    from safetensors.torch import load_file, safe_open

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such model file")
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as err:
        raise ValueError(f"{path} is not a readable rcgan model file ({err})") from err
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path} is not an rcgan model file (format={meta.get('format')!r})")
    try:
        version = int(meta.get("format_version", ""))
    except ValueError as err:
        raise ValueError(f"{path}: unreadable format version") from err
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by a newer rcgan (format {version}); "
            f"this version reads format <= {FORMAT_VERSION}"
        )
    content_json = meta.get("content", "")
    if _digest(content_json, tensors) != meta.get("sha256"):
        raise ValueError(f"{path} failed its integrity check: the file was altered or damaged")
    try:
        content = json.loads(content_json)
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: model description is not valid JSON") from err
    content["state_dict"] = {k[4:]: v for k, v in tensors.items() if k.startswith("net.")}
    content["arrays"] = {k[6:]: v.numpy() for k, v in tensors.items() if k.startswith("array.")}
    return content


#: parameters renamed since files were first written: old name -> new name
RENAMED_PARAMS = {"score": "scoring"}
#: fitted values every detector's file holds
FITTED_KEYS = {"offset_", "n_features_in_", "history_", "image_shape_"}
#: fitted values that files written by older versions lack
OPTIONAL_FITTED_KEYS = {"feature_names_in_", "input_columns_", "categories_"}


def params_from_file(params: dict[str, Any]) -> dict[str, Any]:
    """Stored parameters as constructor arguments (lists -> tuples, old names renamed)."""
    out = {}
    for key, value in params.items():
        out[RENAMED_PARAMS.get(key, key)] = tuple(value) if isinstance(value, list) else value
    return out


def finite_float(value: Any, name: str) -> float:
    """A stored float that must be finite."""
    if not (isinstance(value, float) and np.isfinite(value)):
        raise ValueError(f"{name} must be a finite number")
    return float(value)


def check_columns(fitted: dict[str, Any]) -> tuple[list[str] | None, dict[str, list[str]]]:
    """Stored DataFrame columns and text categories: ``(input_columns_, categories_)``."""
    columns = fitted.get("input_columns_")
    categories = fitted.get("categories_", {})
    if columns is None:
        if categories:
            raise ValueError("categories_ without input_columns_")
        return None, {}
    ok = isinstance(columns, list) and all(isinstance(c, str) for c in columns)
    ok = ok and len(set(columns)) == len(columns) and isinstance(categories, dict)
    ok = ok and all(
        k in columns and isinstance(v, list) and all(isinstance(u, str) for u in v)
        for k, v in categories.items()
    )
    if not ok:
        raise ValueError("input_columns_ / categories_ are not valid")
    n_expanded = len(columns) - len(categories) + sum(len(v) for v in categories.values())
    names = fitted.get("feature_names_in_")
    if names is None or len(names) != n_expanded:
        raise ValueError("input_columns_ / categories_ do not match feature_names_in_")
    return list(columns), {k: list(v) for k, v in categories.items()}


def check_score_stats(stats: Any) -> dict[str, tuple[float, float]]:
    """Stored ``score_stats_``: score name -> [median, positive spread]."""
    ok = isinstance(stats, dict) and all(
        isinstance(v, list)
        and len(v) == 2
        and all(isinstance(u, float) and np.isfinite(u) for u in v)
        and v[1] > 0
        for v in stats.values()
    )
    if not ok:
        raise ValueError("score_stats_ must map score names to [median, positive spread]")
    return {k: (float(v[0]), float(v[1])) for k, v in stats.items()}


def check_feature_range(stored: Any, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Stored ``feature_range_``: [low, high], each ``size`` finite floats, low <= high."""
    ok = (
        isinstance(stored, list)
        and len(stored) == 2
        and all(
            isinstance(v, list) and len(v) == size and all(isinstance(u, float) for u in v)
            for v in stored
        )
    )
    if ok:
        low, high = (np.asarray(v, dtype=np.float64) for v in stored)
        ok = bool(np.all(np.isfinite(low)) and np.all(np.isfinite(high)) and np.all(low <= high))
    if not ok:
        raise ValueError(f"feature_range_ must be [low, high] of {size} finite floats, low <= high")
    return tuple(torch.tensor(v, dtype=torch.float32) for v in (low, high))


def check_fitted(
    fitted: dict[str, Any], arrays: dict[str, np.ndarray], extra: set[str] | frozenset = frozenset()
) -> dict[str, Any]:
    """Validate the fitted values every detector stores; return them typed.

    A file can pass its checksum and still have been written by hand, so
    each value is checked by name, type, shape, finiteness and sign. The
    names in ``extra`` are the detector's own (checked by the detector);
    they are returned as stored.

    Returns
    -------
    dict
        ``offset_``, ``n_features_in_``, ``history_``, ``image_shape_``
        (tuple or None), ``feature_names_in_`` (array of str, or None),
        ``center_``, ``scale_``, and the ``extra`` values present.
    """
    allowed = FITTED_KEYS | OPTIONAL_FITTED_KEYS | set(extra)
    if not FITTED_KEYS <= set(fitted) <= allowed:
        raise ValueError(f"fitted attributes {sorted(fitted)}, expected {sorted(FITTED_KEYS)}")
    n_features = fitted["n_features_in_"]
    if not (isinstance(n_features, int) and not isinstance(n_features, bool) and n_features >= 1):
        raise ValueError(f"n_features_in_ must be an integer >= 1, got {n_features!r}")
    history = fitted["history_"]
    if not (isinstance(history, dict) and all(isinstance(v, list) for v in history.values())):
        raise ValueError("history_ must map names to lists")
    image_shape = fitted["image_shape_"]
    if image_shape is not None:
        ok = (
            isinstance(image_shape, list)
            and len(image_shape) == 3
            and all(isinstance(v, int) and v > 0 for v in image_shape)
            and tuple(image_shape[1:]) in IMAGE_SIZES
            and image_shape[0] * image_shape[1] * image_shape[2] == n_features
        )
        if not ok:
            raise ValueError(f"image_shape_ {image_shape!r} is not valid")
        image_shape = tuple(image_shape)
    names = fitted.get("feature_names_in_")
    if names is not None:
        ok = (
            isinstance(names, list)
            and len(names) == n_features
            and all(isinstance(v, str) for v in names)
            and len(set(names)) == n_features
        )
        if not ok:
            raise ValueError(f"feature_names_in_ must be {n_features} distinct strings")
        names = np.asarray(names, dtype=object)
    for key in ("center_", "scale_"):
        a = arrays.get(key)
        if a is None or a.shape != (n_features,) or a.dtype != np.float64:
            raise ValueError(f"{key} must be {n_features} finite float64 values")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{key} must be {n_features} finite float64 values")
    if np.any(arrays["scale_"] <= 0):
        raise ValueError("scale_ must be positive")
    return {
        "offset_": finite_float(fitted["offset_"], "offset_"),
        "n_features_in_": int(n_features),
        "history_": history,
        "image_shape_": image_shape,
        "feature_names_in_": names,
        "center_": arrays["center_"],
        "scale_": arrays["scale_"],
        **{k: fitted[k] for k in extra if k in fitted},
    }


def check_state_shapes(expected: dict[str, torch.Size], state: dict[str, torch.Tensor]) -> None:
    """The weights must have exactly the expected names and shapes."""
    if {k: v.shape for k, v in state.items()} != expected:
        raise ValueError("the weights do not match the network configuration")
