"""The per-record "sent / confirmed by the office" mark of the lists (visits, the rectification
ledger, evaluations): fetched once per page of rows (``service.sync_marks``), never per row.

On a field installation each record this laptop wrote shows 未发送 / 已发送 / 已确认 in a
narrow 同步 column, the full sentence as its tooltip; the office's installation and records
this laptop never wrote show nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication

from supervisor_app.sync import service

from .. import theme

HEADER = "同步"
ORDER = ("unsent", "sent", "confirmed")  # the least advanced of a row's records is the row's
SHORT = {"unsent": "未发送", "sent": "已发送", "confirmed": "已确认"}
TOOLTIP = {
    "unsent": "未发送：本机的修改还没有导出给活动办。",
    "sent": "已发送：已导出给活动办，尚未收到活动办的确认。",
    "confirmed": "活动办已确认：活动办已导入并确认收到本机的最新修改。",
}


def fetch(record_ids: Iterable[str | None]) -> dict[str, str]:
    """The marks of one page of records (one query per 500 ids)."""
    return service.sync_marks(record_id for record_id in record_ids if record_id)


def of_row(marks: dict[str, str], *record_ids: str | None) -> str | None:
    """The mark of a row made of several records (a finding and its rectification): the least
    advanced of theirs; None when none of them has one."""
    found = [marks[r] for r in record_ids if r and r in marks]
    return min(found, key=ORDER.index) if found else None


def text(mark: str | None) -> str:
    return QCoreApplication.translate("sync_marks", SHORT[mark]) if mark else ""


def tooltip(mark: str | None) -> str | None:
    return QCoreApplication.translate("sync_marks", TOOLTIP[mark]) if mark else None


def colour(mark: str | None):
    """Unsent work in the warning ink; the rest in the palette's own."""
    return theme.ink("warning") if mark == "unsent" else None
