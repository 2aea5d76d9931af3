"""Opening a data folder: the database and the attachment store together."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import attachments, backup, db, installation
from .fsutil import restrict_contents
from .paths import attachments_dir, keys_dir, resolve_data_dir

_open_dir: Path | None = None  # the data folder whose database is bound


def open_data_dir(data_dir: str | Path | None = None, *, create: bool = True) -> Path:
    """Open the data folder (resolved as --data-dir / SUPERVISOR_DATA_DIR / user folder).

    A damaged database is refused (backup.DamagedDatabaseError) before anything writes to it;
    an existing one gets its daily backup after opening.
    """
    global _open_dir
    path = resolve_data_dir(data_dir)
    existed = backup.refuse_if_damaged(path).state != backup.NEW
    db.open_database(path, create=create)
    _protect(path)
    _open_dir = path
    backup.forget_clean_close(path)
    attachments.set_store(attachments_dir(path))
    installation.forget_cache()
    if existed:
        backup.backup_at_start(path)
    return path


def _protect(path: Path) -> None:
    """Owner-only modes (POSIX) for the data folder, what lies in it, the backups and the keys.

    Files made by older versions (0644 in a 0755 folder) are fixed here; new ones are created
    owner-only where they are written. Deeper folders (attachments/ab/…) need no pass: nobody
    else can enter the 0700 data folder.
    """
    restrict_contents(path)
    restrict_contents(backup.backups_dir(path))
    restrict_contents(keys_dir(path))


def close() -> None:
    """Close the database; when it closed whole, the next start can skip the full check."""
    global _open_dir
    db.close_database()
    installation.forget_cache()
    if _open_dir is not None:
        backup.mark_clean_close(_open_dir)
        _open_dir = None


def release_thread_connection() -> None:
    """Close this thread's database connection (worker threads call it when they finish)."""
    from .models import database

    if database.obj is not None and not database.is_closed():
        database.close()


@contextmanager
def opened(data_dir: str | Path) -> Iterator[Path]:
    """Bind ``data_dir``'s database for the block, then close it (one database is bound at a time)."""
    path = open_data_dir(data_dir)
    try:
        yield path
    finally:
        close()
