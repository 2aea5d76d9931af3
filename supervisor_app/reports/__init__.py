"""Official PDF records (GB/T 9704 layout): 督导记录, 单位督导评估, 问题整改台账, 督导工作汇总, 纪实评价表.

The window and the CLI call two functions:

- ``render(kind, out_path, *, record_id, date_from, date_to, progress, cancelled)`` — one file;
- ``render_batch(kind, out_dir, *, date_from, date_to, progress, cancelled)`` — one file per
  unit (``unit``, ``ledger``), per visit (``visit``) or per evaluation (``evaluation``).

Both may run on a worker thread. ``progress(done, total)`` is called as work advances;
``cancelled()`` is polled between files and between pages. Every document gets its data
through the services; a bad id raises NotFoundError before any file exists, and files are
written atomically (a temporary file renamed into place), so a reader never sees half a PDF.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .. import validate as check
from ..errors import SupervisorError, ValidationError
from . import fonts  # light: reportlab and fontTools load only when a document is made

KINDS = ("visit", "unit", "ledger", "summary", "evaluation", "progress", "weekly", "standing")
KIND_LABELS = {
    "visit": "督导记录",
    "unit": "单位督导评估",
    "ledger": "问题整改台账",
    "summary": "督导工作汇总",
    "evaluation": "纪实评价表",
    "progress": "活动进度",
    "weekly": "督导工作周报",
    "standing": "各督导组纪实评价情况报告",
}
NEEDS_ID = ("visit", "unit", "evaluation")
BATCH_KINDS = ("visit", "unit", "ledger", "evaluation")

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

__all__ = [
    "KINDS", "KIND_LABELS", "BATCH_KINDS", "BatchResult", "ReportCancelled", "render", "render_batch",
    "batch_targets", "prepare_fonts", "safe_filename",
]


class ReportCancelled(SupervisorError):
    """The user cancelled while a document was being made; that document was not written."""


def _module(kind: str):
    if kind == "visit":
        from . import visit_record as module
    elif kind == "unit":
        from . import unit_assessment as module
    elif kind == "ledger":
        from . import ledger as module
    elif kind == "summary":
        from . import summary as module
    elif kind == "progress":
        from . import progress as module
    elif kind == "weekly":
        from . import weekly as module
    elif kind == "standing":
        from . import standing as module
    else:
        from . import evaluation as module
    return module


def _check_kind(kind: str, allowed=KINDS) -> None:
    if kind not in allowed:
        names = "、".join(f"{k}（{KIND_LABELS[k]}）" for k in allowed)
        raise ValidationError(f"文书类别必须是 {names} 之一（收到：{kind or '空'}）。", field="kind")


def _check_period(date_from, date_to) -> tuple[str | None, str | None]:
    start = check.iso_date(date_from, "date_from", "起始日期", required=False)
    end = check.iso_date(date_to, "date_to", "截止日期", required=False)
    if start and end and end < start:
        raise ValidationError("截止日期不能早于起始日期。", field="date_to")
    return start, end


def prepare_fonts() -> fonts.FontSet:
    """Resolve the faces once, ahead of time."""
    return fonts.prepare()


def render(
    kind: str,
    out_path: str | os.PathLike,
    *,
    record_id: str | None = None,
    date_from=None,
    date_to=None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    made_at: datetime | None = None,
    notices: list[str] | None = None,
) -> Path:
    """Write one document of ``kind`` to ``out_path``; return the path written.

    When the document was set in substitute faces (no official Chinese fonts on the machine,
    or a rare character), one line saying so is appended to ``notices`` (when given).

    ``record_id`` names the visit, the unit (``unit``; optional for ``ledger``: all units
    when absent) or the evaluation. Dates are 'YYYY-MM-DD', inclusive. Raises NotFoundError
    for a bad id, ValidationError for bad arguments, ReportCancelled when cancelled — and
    then no file is written.
    """
    _check_kind(kind)
    start, end = _check_period(date_from, date_to)
    if kind in NEEDS_ID and not (record_id or "").strip():
        raise ValidationError(f"生成{KIND_LABELS[kind]}需要指定编号（--id）。", field="id")
    if kind == "summary" and record_id:
        raise ValidationError("督导工作汇总涵盖全部单位，不需要指定编号。", field="id")
    if kind == "standing" and record_id:
        raise ValidationError("各督导组纪实评价情况报告涵盖全部督导组，不需要指定编号。", field="id")
    from .layout import Writer, write

    progress = progress or (lambda done, total: None)
    progress(0, 1)
    writer = Writer(fonts.font_set())
    document = _module(kind).build(writer, record_id=(record_id or "").strip() or None, date_from=start, date_to=end)
    if cancelled is not None and cancelled():
        raise ReportCancelled("已取消生成文书。")
    path = write(document, writer, out_path, made_at=made_at, cancelled=cancelled)
    notice = writer.notice()
    if notices is not None and notice:
        notices.append(notice)
    progress(1, 1)
    return path


# --- batches --------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    """What a batch wrote; ``cancelled`` when it stopped early (the files listed are complete)."""

    paths: list[Path] = field(default_factory=list)
    total: int = 0
    cancelled: bool = False
    notices: list[str] = field(default_factory=list)  # substitute faces used (one line each, no repeats)


_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')


def safe_filename(name: str, limit: int = 120, max_bytes: int = 180) -> str:
    """A file name that every system accepts, from Chinese text: at most ``limit`` characters
    and ``max_bytes`` bytes of UTF-8 (Linux counts a name's bytes, 255 at most, and a Chinese
    character takes three; the writer's temporary name adds a few dozen more)."""
    cleaned = _UNSAFE.sub("_", name).strip(" .")[:limit]
    while len(cleaned.encode("utf-8")) > max_bytes:
        cleaned = cleaned[:-1]
    return (cleaned.rstrip(" .") or "文书")


def batch_targets(kind: str, *, date_from=None, date_to=None) -> list[tuple[str, str]]:
    """(record id, file name without .pdf) of every file a batch of ``kind`` writes, in order."""
    if kind == "weekly":
        raise ValidationError("督导工作周报每个督导组每周一份，请指定输出文件（--out）。", field="kind")
    if kind == "summary":
        raise ValidationError("督导工作汇总涵盖全部单位，只生成一份，请指定输出文件（--out）。", field="kind")
    if kind == "standing":
        raise ValidationError("各督导组纪实评价情况报告只生成一份，请指定输出文件（--out）。", field="kind")
    _check_kind(kind, BATCH_KINDS)
    start, end = _check_period(date_from, date_to)
    return _module(kind).batch_targets(date_from=start, date_to=end)


def render_batch(
    kind: str,
    out_dir: str | os.PathLike,
    *,
    date_from=None,
    date_to=None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    made_at: datetime | None = None,
) -> BatchResult:
    """Write one file per unit / visit / evaluation into ``out_dir``; ``progress(done, total)``
    after each file. Cancelling stops before the next file (or within the current one, which
    is then not written)."""
    from .layout import Writer, write

    targets = batch_targets(kind, date_from=date_from, date_to=date_to)
    start, end = _check_period(date_from, date_to)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    result = BatchResult(total=len(targets))
    progress = progress or (lambda done, total: None)
    progress(0, len(targets))
    font_set = fonts.font_set()
    module = _module(kind)
    for done, (record_id, name) in enumerate(targets, 1):
        if cancelled is not None and cancelled():
            result.cancelled = True
            break
        writer = Writer(font_set)
        document = module.build(writer, record_id=record_id, date_from=start, date_to=end)
        try:
            path = write(document, writer, folder / f"{safe_filename(name)}.pdf", made_at=made_at, cancelled=cancelled)
        except ReportCancelled:
            result.cancelled = True
            break
        result.paths.append(path)
        notice = writer.notice()
        if notice and notice not in result.notices:
            result.notices.append(notice)
        progress(done, len(targets))
    return result
