"""Shipped data files (TOML), parsed once per version of the file and kept in the user's cache.

Every command reads a few code tables; parsing TOML in pure Python (and importing the
parser) costs more than the rest of a light command's start (`explain CO-50`). A parsed
file is stored with marshal, which needs no import, together with the file's size and
modification time, and read back while both match. A file marshal cannot hold (TOML dates)
or a cache that cannot be written is simply parsed each time. The cache holds copies of
the program's own data, nothing of the practice's; it is owner-only like everything else.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import zlib
from typing import Any

CACHE_ENV = "AR_ASSISTANT_CACHE"
_FORMAT = f"data-py{sys.version_info[0]}{sys.version_info[1]}-m{marshal.version}"


def cache_dir() -> str:
    env = os.environ.get(CACHE_ENV)
    if env:
        return os.path.expanduser(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ar-assistant")


def _cache_file(path: str) -> str:
    key = f"{zlib.crc32(path.encode()):08x}-{os.path.basename(path)}.marshal"
    return os.path.join(cache_dir(), _FORMAT, key)


def _store(target: str, blob: bytes) -> None:
    folder = os.path.dirname(target)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    partial = f"{target}.{os.getpid()}.partial"
    fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(partial, target)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise


def read_toml(path: str) -> dict[str, Any]:
    """The parsed TOML file at `path` (raises OSError and tomllib.TOMLDecodeError as tomllib does)."""
    stat = os.stat(path)
    stamp = (stat.st_size, stat.st_mtime_ns)
    target = _cache_file(path)
    try:
        with open(target, "rb") as fh:
            size, mtime, data = marshal.loads(fh.read())
        if (size, mtime) == stamp and isinstance(data, dict):
            return data
    except (OSError, ValueError, EOFError, TypeError):
        pass
    import tomllib

    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    with contextlib.suppress(OSError, ValueError):  # dates in the file, or no cache to write to:
        _store(target, marshal.dumps((*stamp, data)))  # parsed again next time
    return data
