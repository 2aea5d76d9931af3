"""File operations that must behave the same on Windows and POSIX: durable writes, replaces,
removals, and the owner-only modes of the data folder. The Windows rules live here and nowhere
else; every module that writes a file the user cannot afford to lose goes through these helpers.

Windows differs from POSIX in three ways that matter here (``tests/conftest.py``'s
``windows_rules`` fixture imposes all three on Linux, and the durability tests run under it):

- **Flushing needs a writable handle.** ``FlushFileBuffers`` (what ``os.fsync`` calls) fails with
  ``EBADF`` on a read-only handle, so :func:`fsync_file` opens the file for writing. A folder
  cannot be opened at all, and a rename there is durable without one, so :func:`fsync_dir` does
  nothing on Windows.
- **An open file cannot be replaced or removed.** Python and SQLite open files without
  ``FILE_SHARE_DELETE``, so while anyone — a virus scanner, the search indexer, a PDF viewer, a
  second connection — has the file open, ``os.replace`` and ``os.unlink`` fail with
  ``PermissionError``. :func:`replace` and :func:`remove` retry for a few seconds (scanners and
  indexers let go quickly) and then refuse with :class:`FileInUseError`, a Chinese message
  naming the file, leaving both files as they were.
- **``chmod`` cannot take a reader's right away.** It only sets the read-only flag. So the mode
  helpers do nothing there: the data folder lies in the user's profile (``%LOCALAPPDATA%``),
  whose ACL admits only that user, SYSTEM and administrators; the device keys are encrypted
  under a key kept in Windows' credential store (``sync/keystore.py``) and the group leaders'
  keys under their passphrase. A data folder named with ``--data-dir`` elsewhere is protected
  by that folder's ACL alone (docs/reliability.md says so).

On POSIX (Linux, macOS) the data folder and its folders are 0700 and its files 0600, so other
local users can read nothing (a folder is made with the mode, then chmod-ed because the umask
may have taken bits away).
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from .errors import SupervisorError

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
WINDOWS = os.name == "nt"  # the tests' windows_rules fixture sets this on Linux too
IN_USE_RETRY_SECONDS = 3.0  # how long a replace or a removal waits for another reader to let go


class FileInUseError(SupervisorError, PermissionError):
    """Another program holds the file open (Windows), so it was not replaced or removed.

    Also a PermissionError, so code that treats a failed file operation as an OSError still does.
    """

    def __init__(self, path: str | os.PathLike, detail: str | None = None):
        SupervisorError.__init__(
            self,
            f"文件 {path} 正被其他程序占用（例如在阅读器中打开，或杀毒软件正在扫描），没有改动它。"
            "请关闭占用它的程序后重试。",
            detail=detail,
        )
        self.filename = str(path)


def _posix_modes() -> bool:
    return not WINDOWS


def fsync_file(path: Path) -> None:
    """Flush a closed file's content to the disk (through a writable handle, as Windows needs)."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX; Windows cannot open a folder and needs no such step)."""
    if WINDOWS:
        return
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


def _retrying(operation, path, *, retry_for: float | None) -> None:
    """Run ``operation`` until it stops failing with PermissionError or ``retry_for`` seconds pass
    (Windows, where PermissionError is what another program's open handle gives)."""
    limit = time.monotonic() + (IN_USE_RETRY_SECONDS if retry_for is None else retry_for)
    delay = 0.01
    while True:
        try:
            operation()
            return
        except FileInUseError:
            raise
        except PermissionError as exc:
            if not WINDOWS:  # on POSIX an open file never blocks this: a real permission problem
                raise
            if time.monotonic() >= limit:
                raise FileInUseError(path, detail=repr(exc)) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


def replace(source: str | os.PathLike, target: str | os.PathLike, *, retry_for: float | None = None) -> None:
    """``os.replace`` that waits a little while another program holds ``target`` (or ``source``) open.

    Raises FileInUseError when it still cannot after ``retry_for`` seconds; both files are then
    as they were (the caller removes its temporary ``source``).
    """
    _retrying(lambda: os.replace(source, target), target, retry_for=retry_for)


def remove(path: str | os.PathLike, *, retry_for: float | None = None) -> None:
    """Remove a file if it exists, waiting a little while another program holds it open."""

    def unlink() -> None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass

    _retrying(unlink, path, retry_for=retry_for)


def write_file_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: an owner-only temporary file beside it, flushed, then
    :func:`replace`-d into place and the folder flushed."""
    tmp = path.with_name(f".partial-{os.getpid()}-{path.name}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), PRIVATE_FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        restrict(tmp)
        replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def stage_private_file(path: Path, data: bytes) -> Path:
    """Write ``data`` beside ``path`` as an owner-only (0600) temporary file in an owner-only
    folder, flushed to the disk; the caller renames it into place with :func:`replace` when
    everything else that goes with it has succeeded."""
    make_private_dir(path.parent)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), PRIVATE_FILE_MODE)
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
    if not _posix_modes():
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
