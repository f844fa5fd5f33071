"""Where a result or a model file came from: code, libraries, data, resources.

Every benchmark row records :func:`provenance` (the git commit of the
source tree, or "unknown" outside a checkout, with a ``+dirty`` mark when it
has uncommitted changes, and the library versions), so rows written before
and after a fix can be told apart; model files record the versions.
"""

from __future__ import annotations

import platform
import resource
import subprocess
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

__all__ = ["cpu_description", "git_commit", "library_versions", "peak_memory_mb", "provenance"]


def library_versions() -> dict[str, str]:
    """Versions of Python and of the libraries a model or a result depends on."""
    out = {"python": platform.python_version()}
    for pkg in ("rcgan", "torch", "numpy", "scipy", "scikit-learn", "safetensors"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return out


@cache
def cpu_description() -> dict[str, str]:
    """The CPU's model name and the vector instruction set torch's kernels use.

    Matrix kernels take different paths (and round differently) on
    different instruction sets, so a GAN fit with one seed gives the same
    bits on machines of one kind, but not across kinds: a result row names
    the kind it was computed on.
    """
    import torch

    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"model": model, "capability": str(torch.backends.cpu.get_cpu_capability())}


@cache
def git_commit() -> str:
    """The commit of the checkout holding this package ("unknown" if none)."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return "unknown"
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
        )
        mark = "+dirty" if dirty.returncode == 0 and dirty.stdout.strip() else ""
        return commit.stdout.strip() + mark
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak / 1e3  # bytes on macOS, KiB else


def provenance() -> dict[str, object]:
    """``{"commit": ..., "versions": {...}, "cpu": {...}}`` for a result row."""
    return {"commit": git_commit(), "versions": library_versions(), "cpu": cpu_description()}
