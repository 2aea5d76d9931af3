"""Which backups the rolling set keeps: the newest of each of the last 7 days that have one, the
newest of each of 4 older weeks, and always the 2 newest (so the safety copy taken just before a
restore or an import is never the one pruned) — at most 13 files.

A pure rule over (time, file) pairs; ``backup_files.prune`` applies it to the backups folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Protocol

KEEP_DAILY = 7
KEEP_WEEKLY = 4
KEEP_NEWEST = 2


class Dated(Protocol):
    path: Path
    created_at: datetime  # aware


def _newest_per_period(infos: list[Dated], period: Callable[[datetime], object], count: int,
                       already: set[Path]) -> set[Path]:
    """The newest backup of each of the ``count`` most recent periods not already covered."""
    kept: set[Path] = set()
    seen = set()
    for info in infos:  # newest first
        if len(kept) >= count:
            break
        key = period(info.created_at.astimezone())
        if key in seen:
            continue
        seen.add(key)
        if info.path not in already:
            kept.add(info.path)
    return kept


def retained(infos: Iterable[Dated]) -> set[Path]:
    """The backups the rolling set keeps: 7 daily + 4 weekly (older weeks) + the 2 newest."""
    infos = sorted(infos, key=lambda b: (b.created_at, b.path.name), reverse=True)
    daily = _newest_per_period(infos, lambda t: t.date(), KEEP_DAILY, set())
    weekly = _newest_per_period(infos, lambda t: t.isocalendar()[:2], KEEP_WEEKLY, daily)
    return daily | weekly | {info.path for info in infos[:KEEP_NEWEST]}
