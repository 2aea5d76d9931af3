"""Backups and restore, as the window, the CLI and the importer use them.

The work is split by job: ``backup_files`` makes, lists, checks and prunes backup files (with
``backup_retention``'s rule of what stays), ``db_health`` is the start-up health check, and
``store`` closes, swaps and reopens the database for a restore. This module only gathers their
public names in one place; it sits above ``store`` and nothing below imports it.
"""

from __future__ import annotations

from . import store
from .backup_files import (
    AUTO_BACKUP_AFTER,
    BACKUP_DIRNAME,
    COUNT_LABELS,
    COUNTED,
    DAILY,
    MANUAL,
    PRE_IMPORT,
    PRE_MIGRATION,
    PRE_RESTORE,
    REASON_LABELS,
    BackupInfo,
    backups_dir,
    create_backup,
    describe_counts,
    ensure_daily_backup,
    list_backups,
    newest_good_backup,
    prune,
    referenced_attachments,
    verify_backup,
)
from .backup_retention import KEEP_DAILY, KEEP_NEWEST, KEEP_WEEKLY, retained
from .db_health import (
    CLEAN_CLOSE_MARKER,
    DAMAGED,
    NEW,
    NOT_OURS,
    OK,
    TOO_NEW,
    DamagedDatabaseError,
    StartupCheck,
    forget_clean_close,
    mark_clean_close,
    refuse_if_damaged,
    startup_check,
)
from .store import RestoreResult, StartBackup, backup_at_start, restore

__all__ = [
    "AUTO_BACKUP_AFTER", "BACKUP_DIRNAME", "CLEAN_CLOSE_MARKER", "COUNTED", "COUNT_LABELS", "DAILY", "DAMAGED",
    "KEEP_DAILY", "KEEP_NEWEST", "KEEP_WEEKLY", "MANUAL", "NEW", "NOT_OURS", "OK", "PRE_IMPORT", "PRE_MIGRATION",
    "PRE_RESTORE", "REASON_LABELS", "TOO_NEW", "BackupInfo", "DamagedDatabaseError", "RestoreResult",
    "StartBackup", "StartupCheck", "backup_at_start", "backups_dir", "create_backup", "describe_counts",
    "ensure_daily_backup", "forget_clean_close", "list_backups", "mark_clean_close", "newest_good_backup",
    "prune", "referenced_attachments", "refuse_if_damaged", "restore", "retained", "startup_check",
    "verify_backup",
]


def __getattr__(name: str):
    # The outcome of the last automatic backup at start is rebound by store on every open;
    # read it there each time rather than copying the value once.
    if name == "last_start_backup":
        return store.last_start_backup
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
