"""Durable file writes shared by every module that must not leave half a file behind, and the
owner-only modes of the data folder.

Modes: on POSIX (Linux, macOS) the data folder and its folders are 0700 and its files 0600, so
other local users can read nothing (a folder is made with the mode, then chmod-ed because the
umask may have taken bits away). On Windows ``os.chmod`` only sets the read-only flag, so these
helpers do nothing there: the data folder lies in the user's profile (``%LOCALAPPDATA%``), whose
ACL already admits only that user, SYSTEM and administrators.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_POSIX_MODES = os.name != "nt"  # Windows protects by ACL; chmod cannot take a reader's right away


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
    make_private_dir(path.parent)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    restrict(tmp)  # O_CREAT's mode does not apply to a file left by an earlier attempt
    return tmp


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) if needed and make it owner-only (0700 on POSIX)."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    restrict(path)
    return path


def create_private_file(path: Path) -> Path:
    """Create ``path`` empty and owner-only (0600 on POSIX) unless it exists; either way leave it 0600.

    Made before SQLite or another writer opens the file, so it is never readable by others, not
    even for a moment; SQLite gives its -wal, -shm and -journal files the mode of the database.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE)
    os.close(fd)
    restrict(path)
    return path


def restrict(path: Path) -> None:
    """Make an existing folder 0700 or file 0600 (POSIX; nothing on Windows, see the module doc).

    Symbolic links and missing paths are left alone; a mode that cannot be changed (a file
    owned by someone else, a FAT stick) is not an error: the 0700 data folder still keeps others out.
    """
    if not _POSIX_MODES:
        return
    try:
        st = os.lstat(path)
        if stat.S_ISDIR(st.st_mode):
            wanted = PRIVATE_DIR_MODE
        elif stat.S_ISREG(st.st_mode):
            wanted = PRIVATE_FILE_MODE
        else:
            return
        if stat.S_IMODE(st.st_mode) != wanted:
            os.chmod(path, wanted)
    except OSError:
        pass


def restrict_contents(folder: Path) -> None:
    """:func:`restrict` ``folder`` and what lies directly in it (not deeper)."""
    restrict(folder)
    try:
        children = list(os.scandir(folder))
    except OSError:
        return
    for entry in children:
        restrict(Path(entry.path))
