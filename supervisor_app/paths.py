"""Where the data folder is: --data-dir, then SUPERVISOR_DATA_DIR, then the user data folder.

The data folder is owner-only (0700 on POSIX, its files 0600; see ``fsutil`` and
``store.open_data_dir``); on Windows the user data folder (``%LOCALAPPDATA%``) is owner-only by
its ACL. A folder named with --data-dir should be one made for the program alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "supervisor_app"
ENV_DATA_DIR = "SUPERVISOR_DATA_DIR"
DB_FILENAME = "supervisor.sqlite3"
KEYS_DIRNAME = "keys"


def resolve_data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """Return the data folder to use (not created here)."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def db_path(data_dir: Path) -> Path:
    return data_dir / DB_FILENAME


def attachments_dir(data_dir: Path) -> Path:
    return data_dir / "attachments"


def keys_dir(data_dir: Path) -> Path:
    """Private keys: the device's (sync) and the group leaders' (signing)."""
    return data_dir / KEYS_DIRNAME
