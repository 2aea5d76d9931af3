"""Excel workbooks (.xlsx) of the lists and the summary's tables, for the office's statisticians.

One sheet per table; cells typed (dates as dates, percentages as numbers shown with %, counts as
whole numbers); a frozen header row, an auto-filter and column widths that fit Chinese text.
Every number comes from the same service functions the lists, the CLI and the summary PDF use.

Text from records is hostile data as far as Excel is concerned: see xlsx_workbook.py, which
writes the cells (this module says what goes in; export_xlsx_sources.py builds the built-in tables).

Other modules add tables with :func:`register` (name, label, builder) — the builder returns a
list of :class:`Table` — or pass ``extra=[Table(...)]`` to :func:`build_workbook`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import export_xlsx_sources, fsutil
from .errors import ValidationError
from .xlsx_workbook import (  # noqa: F401 - the workbook's vocabulary, offered here to callers
    BOOL,
    DATE,
    DATE_FORMAT,
    INT,
    MAX_WIDTH,
    MIN_WIDTH,
    NUMBER,
    PERCENT,
    PERCENT_FORMAT,
    TEXT,
    TYPES,
    ExportCancelled,
    Table,
    build_workbook,
    display_width,
    is_formula_like,
    sheet_name,
    typed,
)

Builder = Callable[..., list[Table]]


@dataclass(frozen=True)
class Source:
    """A name for ``--what``, its Chinese label and the function that builds its tables."""

    name: str
    label: str
    build: Builder


SOURCES: dict[str, Source] = {}


def register(name: str, label: str, build: Builder) -> None:
    """Offer ``name`` to ``--what`` and to the window: ``build(date_from=…, date_to=…)`` returns its tables."""
    SOURCES[name] = Source(name, label, build)


def names() -> list[str]:
    """Every name ``--what`` accepts, in workbook order."""
    return list(SOURCES)


def check_what(what: str | Sequence[str] | None) -> list[str]:
    """The names asked for: all for None or a blank string, none for an empty list; ValidationError
    naming the valid ones for an unknown name (or a string of commas only)."""
    valid = names()
    if what is None or (isinstance(what, str) and not what.strip()):
        return valid
    if not isinstance(what, str) and not what:
        return []  # only the caller's own tables (extra=)
    asked = [w.strip() for w in (what.split(",") if isinstance(what, str) else what) if w and w.strip()]
    unknown = [w for w in asked if w not in SOURCES]
    if unknown or not asked:  # (an empty sequence returned above; here a string of commas only)
        offered = "，".join(f"{n}（{SOURCES[n].label}）" for n in valid)
        raise ValidationError(f"不能导出“{'、'.join(unknown) or (what if isinstance(what, str) else '')}”："
                              f"可选的内容为 {offered}，多个用逗号分隔。", field="--what")
    return list(dict.fromkeys(asked))


def tables(what=None, *, date_from=None, date_to=None) -> list[Table]:
    """The tables of the sources asked for, in the order of ``names()``."""
    chosen = check_what(what)
    result: list[Table] = []
    for name in names():
        if name in chosen:
            result.extend(SOURCES[name].build(date_from=date_from, date_to=date_to))
    return result


def export(out_path: str | os.PathLike, what=None, *, date_from=None, date_to=None,
           extra: Sequence[Table] = (), cancelled: Callable[[], bool] | None = None,
           progress: Callable[[int, int], None] | None = None) -> Path:
    """Write the workbook of ``what`` (every source when empty) and ``extra`` to ``out_path``, atomically."""
    path = Path(out_path)
    if path.suffix.lower() != ".xlsx":
        raise ValidationError("输出文件名须以 .xlsx 结尾。", field="--out")
    if not path.parent.is_dir():
        raise ValidationError(f"输出文件夹不存在：{path.parent}", field="--out")
    chosen = tables(what, date_from=date_from, date_to=date_to) + list(extra)
    data = build_workbook(chosen, cancelled=cancelled, progress=progress)
    fsutil.write_file_atomically(path, data)
    return path


export_xlsx_sources.register_all(register)  # the built-in sources, first in the workbook
