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


def build_workbook(chosen: Sequence[Table], *, cancelled: Callable[[], bool] | None = None) -> bytes:
    """The workbook of ``chosen`` (one sheet each) as bytes; a workbook with no table has one empty sheet."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    taken: set[str] = set()
    header_font = Font(bold=True)
    top = Alignment(vertical="top")
    for table in chosen or [Table("说明", ["内容"], [["没有选择要导出的内容。"]], [TEXT])]:
        if cancelled is not None and cancelled():
            raise ExportCancelled("已取消导出。")
        sheet = book.create_sheet(sheet_name(table.sheet, taken))
        rows = [[typed(v, kind) for v, kind in zip(row, table.types, strict=False)] for row in table.rows]
        widths = [display_width(h) for h in table.headers]
        for row in rows:
            for c, value in enumerate(row):
                if value is not None:
                    widths[c] = max(widths[c], display_width(value) if not isinstance(value, date) else 10)
        table.widths = [min(MAX_WIDTH, max(MIN_WIDTH, w)) + 2 for w in widths]
        for c, width in enumerate(table.widths, 1):
            sheet.column_dimensions[get_column_letter(c)].width = width
        sheet.freeze_panes = "A2"
        header = []
        for h in table.headers:
            cell = WriteOnlyCell(sheet, value=_clean_text(h))
            cell.font = header_font
            header.append(cell)
        sheet.append(header)
        for row in rows:
            cells = []
            for value, kind in zip(row, table.types, strict=False):
                cell = WriteOnlyCell(sheet, value=None)
                if isinstance(value, str):
                    cell.value = value
                    cell.data_type = "s"  # never a formula, whatever it starts with
                    if is_formula_like(value):
                        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
                    if "\n" in value:
                        cell.alignment = top
                else:
                    cell.value = value
                    if kind == DATE and value is not None:
                        cell.number_format = DATE_FORMAT
                    elif kind == PERCENT and value is not None:
                        cell.number_format = PERCENT_FORMAT
                cells.append(cell)
            sheet.append(cells)
        last = get_column_letter(len(table.headers))
        sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


