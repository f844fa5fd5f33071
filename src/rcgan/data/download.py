"""Find, download and verify data files: local folder, cache, or the web.

A file is looked up, in this order:

1. in ``data_dir`` when given, else in the folder named by the environment
   variable ``RCGAN_DATA_DIR`` when set;
2. in the cache folder: ``RCGAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/rcgan``,
   else ``~/.cache/rcgan``;
3. downloaded from its canonical public source(s) into the cache.

Every file is checked against its SHA-256 before use, wherever it came from;
a mismatch raises :class:`ChecksumError` naming the file (a download is
written to a temporary name first and only renamed after the check, so a
corrupted download never lands in the cache).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import shutil
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ChecksumError", "RemoteFile", "cache_dir", "fetch", "sha256sum"]

logger = logging.getLogger(__name__)


class ChecksumError(ValueError):
    """A data file does not have the expected SHA-256."""


@dataclass(frozen=True)
class RemoteFile:
    """A data file: its name, its SHA-256 and where it can be downloaded.

    With ``gunzip=True`` the SHA-256 is that of the file's decompressed
    content (for gzip files whose compressed bytes differ between copies).
    """

    name: str
    sha256: str
    urls: tuple[str, ...]
    gunzip: bool = False


def cache_dir() -> Path:
    """The cache folder (created on first download)."""
    if os.environ.get("RCGAN_CACHE_DIR"):
        return Path(os.environ["RCGAN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rcgan"


def sha256sum(path: Path, gunzip: bool = False) -> str:
    """Hex SHA-256 of a file (or of its gzip-decompressed content), in 1 MiB blocks."""
    digest = hashlib.sha256()
    opener = gzip.open if gunzip else open
    with opener(Path(path), "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified(path: Path, spec: RemoteFile) -> Path:
    try:
        actual = sha256sum(path, spec.gunzip)
    except (OSError, EOFError) as err:  # e.g. not gzip data
        raise ChecksumError(f"{path}: cannot be read as {spec.name} ({err})") from err
    if actual != spec.sha256:
        raise ChecksumError(
            f"{path}: SHA-256 {actual} does not match the expected {spec.sha256} for "
            f"{spec.name}; the file is damaged or not the published version"
        )
    return path


def _download(spec: RemoteFile, target: Path, timeout: float) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    errors = []
    for url in spec.urls:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{Path(spec.name).name}.")
        tmp = Path(tmp_name)
        try:
            logger.info("downloading %s from %s", spec.name, url)
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
                shutil.copyfileobj(resp, out)
            _verified(tmp, spec)
            tmp.replace(target)
            return
        except ChecksumError:
            tmp.unlink(missing_ok=True)
            raise
        except OSError as err:  # URLError, timeouts, HTTP errors
            tmp.unlink(missing_ok=True)
            errors.append(f"{url}: {err}")
    raise OSError(
        f"could not download {spec.name}; tried: "
        + "; ".join(errors)
        + ". Put the file in a folder and pass data_dir= (or set RCGAN_DATA_DIR)."
    )


def fetch(
    spec: RemoteFile,
    data_dir: str | Path | None = None,
    download: bool = True,
    timeout: float = 60.0,
) -> Path:
    """Path of a verified local copy of ``spec`` (see the module docstring).

    Raises
    ------
    ChecksumError
        If the local, cached or downloaded file has the wrong SHA-256.
    FileNotFoundError
        If the file is not in ``data_dir`` (when one is given) and
        ``download`` is False and it is not cached.
    OSError
        If every download source fails.
    """
    folder = data_dir if data_dir is not None else os.environ.get("RCGAN_DATA_DIR")
    if folder:
        local = Path(folder) / spec.name
        if local.is_file():
            return _verified(local, spec)
        logger.info("%s not in %s; trying the cache", spec.name, folder)
    cached = cache_dir() / spec.name
    if cached.is_file():
        return _verified(cached, spec)
    if not download:
        raise FileNotFoundError(
            f"{spec.name} is neither in {folder!r} nor in the cache {cached.parent}"
        )
    _download(spec, cached, timeout)
    return cached
