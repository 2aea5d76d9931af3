"""Where the data folder is: --data-dir, then SUPERVISOR_DATA_DIR, then the user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "supervisor_app"
ENV_DATA_DIR = "SUPERVISOR_DATA_DIR"
DB_FILENAME = "supervisor.sqlite3"


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
