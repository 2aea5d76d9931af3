"""Writing tables as an Excel workbook: typed cells, a frozen header, a filter, widths for
Chinese text, sheet names Excel accepts, and text that can never become a formula.

A text cell that starts with = + - @ (or a tab or carriage return) is stored as a string with
Excel's quote prefix, so that it is never read, nor re-entered, as a formula.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from . import display
from .errors import SupervisorError

# Cell types a table declares per column.
TEXT, INT, NUMBER, DATE, PERCENT, BOOL = "text", "int", "number", "date", "percent", "bool"
TYPES = (TEXT, INT, NUMBER, DATE, PERCENT, BOOL)
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
MAX_WIDTH = 60  # characters of a half-width face; longer text is cut off on screen, not in the cell
MIN_WIDTH = 6
SHEET_NAME_LIMIT = 31
PROGRESS_ROWS = 2000  # rows between two progress reports (and cancel checks)
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters no xlsx may hold


@dataclass
class Table:
    """One sheet: its name, column headers, rows of values and one type per column."""

    sheet: str
    headers: Sequence[str]
    rows: list[list]
    types: Sequence[str]
    widths: list[float] = field(default_factory=list)  # filled in by the writer

    def __post_init__(self):
        if len(self.headers) != len(self.types):
            raise ValueError(f"{self.sheet}: {len(self.headers)} headers but {len(self.types)} types")
        unknown = set(self.types) - set(TYPES)
        if unknown:
            raise ValueError(f"{self.sheet}: unknown cell types {sorted(unknown)}")


class ExportCancelled(SupervisorError):
    """The user cancelled; nothing was written."""


# --- cells -----------------------------------------------------------------------------------------


def display_width(value) -> int:
    """Columns a text takes in Excel's default face: East Asian wide and full-width characters count 2."""
    text = value if isinstance(value, str) else _shown(value)
    longest = 0
    for line in text.split("\n"):
        width = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)
        longest = max(longest, width)
    return longest


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return "2014-04-08"
    if isinstance(value, float):
        return f"{value * 100:.1f}%" if value <= 1 else f"{value:.1f}"
    return str(value)


def _clean_text(value) -> str:
    return _ILLEGAL_XML.sub("\ufffd", display.text(value))


def typed(value, kind: str):
    """A stored value as the cell value of its column type; an unreadable value stays text, marked."""
    if value is None or value == "":
        return None
    if kind == DATE:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        day = display.parse_date(value)
        return day if day is not None else display.odd(value, display.INVALID_DATE)
    if kind == INT:
        number = display.count(value)
        return number if number is not None else display.odd(value, display.INVALID_NUMBER)
    if kind in (NUMBER, PERCENT):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return display.odd(value, display.INVALID_NUMBER)
        return value
    if kind == BOOL:
        return "是" if value is True else "否" if value is False else _clean_text(value)
    if isinstance(value, list | tuple):
        return "、".join(_clean_text(v) for v in value) or None
    return _clean_text(value) or None


def is_formula_like(text: str) -> bool:
    """Whether Excel (or a program reading the sheet) could take this text for a formula."""
    return text.startswith(_FORMULA_STARTS)


def sheet_name(name: str, taken: set[str] | None = None) -> str:
    """A sheet name Excel accepts: no []:*?/\\, no quote at either end, ≤31 characters, unique (any case)."""
    cleaned = _SHEET_FORBIDDEN.sub("_", _ILLEGAL_XML.sub("", name)).strip().strip("'") or "表"
    cleaned = cleaned[:SHEET_NAME_LIMIT]
    taken = taken if taken is not None else set()
    candidate, n = cleaned, 2
    while candidate.lower() in taken:
        suffix = f"({n})"
        candidate = cleaned[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        n += 1
    taken.add(candidate.lower())
    return candidate


# --- workbook --------------------------------------------------------------------------------------


def column_widths(headers: Sequence[str], rows: list[list]) -> list[float]:
    """Excel column widths that fit the header and the widest value (MIN_WIDTH to MAX_WIDTH, +2 of margin)."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        for c, value in enumerate(row):
            if value is None or widths[c] >= MAX_WIDTH:
                continue
            if isinstance(value, str):
                if 2 * len(value) > widths[c]:  # else it cannot be wider than the widest so far
                    widths[c] = max(widths[c], display_width(value))
            else:
                widths[c] = max(widths[c], 10 if isinstance(value, date) else display_width(value))
    return [min(MAX_WIDTH, max(MIN_WIDTH, w)) + 2 for w in widths]


def _cell(sheet, value, percent: bool):
    """The value itself when openpyxl writes it as meant, else a cell that says how."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        if not is_formula_like(value):
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # never a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return cell
    if percent and isinstance(value, int | float):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = PERCENT_FORMAT
        return cell
    return value


def build_workbook(chosen: Sequence[Table], *, cancelled: Callable[[], bool] | None = None,
                   progress: Callable[[int, int], None] | None = None) -> bytes:
    """The workbook of ``chosen`` (one sheet each) as bytes; a workbook with no table has one empty sheet.

    ``progress(rows written, rows in all)`` is called as rows are written and ``cancelled()``
    polled as often (ExportCancelled then): 100 000 rows take tens of seconds.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    taken: set[str] = set()
    header_font = Font(bold=True)
    chosen = list(chosen) or [Table("说明", ["内容"], [["没有选择要导出的内容。"]], [TEXT])]
    total, done = sum(len(t.rows) for t in chosen), 0

    def step() -> None:
        if cancelled is not None and cancelled():
            raise ExportCancelled("已取消导出。")
        if progress is not None:
            progress(done, total)

    try:
        for table in chosen:
            step()
            sheet = book.create_sheet(sheet_name(table.sheet, taken))
            rows = [[typed(v, kind) for v, kind in zip(row, table.types, strict=False)] for row in table.rows]
            table.widths = column_widths(table.headers, rows)
            for c, width in enumerate(table.widths, 1):
                sheet.column_dimensions[get_column_letter(c)].width = width
            sheet.freeze_panes = "A2"
            header = []
            for h in table.headers:
                cell = WriteOnlyCell(sheet, value=_clean_text(h))
                cell.font = header_font
                header.append(cell)
            sheet.append(header)
            percent_columns = {c for c, kind in enumerate(table.types) if kind == PERCENT}
            for n, row in enumerate(rows, 1):
                if n % PROGRESS_ROWS == 0:
                    done += PROGRESS_ROWS
                    step()
                # Plain values where openpyxl writes them right by itself (a date gets yyyy-mm-dd): a
                # cell object for each value would take several times as long for 100 000 rows.
                sheet.append([_cell(sheet, value, c in percent_columns) for c, value in enumerate(row)])
            done += len(rows) % PROGRESS_ROWS
            last = get_column_letter(len(table.headers))
            sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    except ExportCancelled:
        book.save(io.BytesIO())  # let openpyxl close its half-written sheets; nothing reaches a file
        raise
    step()
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


