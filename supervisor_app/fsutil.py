"""Durable file writes shared by every module that must not leave half a file behind."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_file(path: Path) -> None:
    """Flush a closed file's content to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX; Windows cannot open a folder and needs no such step)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def stage_private_file(path: Path, data: bytes) -> Path:
    """Write ``data`` beside ``path`` as an owner-only (0600) temporary file in an owner-only
    folder, flushed to the disk; the caller renames it into place with ``os.replace`` when
    everything else that goes with it has succeeded."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)  # O_CREAT's mode does not apply to a file left by an earlier attempt
    return tmp
