"""A ruled table that crosses pages as a printed form does.

Rows stay whole: a row that does not fit the rest of a page moves to the next one. Only a row
taller than a whole page (a long 问题 in the ledger, long evidence in an assessment) is cut,
line by line, where the page ends. Every page's part is a table of its own — closed by its
bottom rule, its header repeated above it on the next page (never in the middle of one).

reportlab's own in-row split is not used: with a repeated header it drew the header again in
the middle of the first page and left the cut row without its bottom rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, Table, TableStyle

from .grid import GridParagraph

# A cut leaves at least this many lines of text on the page it leaves.
MIN_LINES_BEFORE_CUT = 2


class OfficialTable(Table):
    """A table of ``header`` rows (repeated on every page) and data ``rows``.

    ``commands`` are TableStyle commands that hold for any number of rows (whole table,
    header, columns); ``row_commands`` are (data row, command, first column, last column,
    *arguments) — a fill of a marked row — and follow the row into whichever part it lands in.
    """

    def __init__(self, header: Sequence[Sequence], rows: Sequence[Sequence], widths: Sequence[float],
                 commands: Sequence[tuple], row_commands: Sequence[tuple] = (), *, page_height: float,
                 _origins: Sequence[int] | None = None, _cut_rows: Sequence[int] = ()):
        self.header = [list(r) for r in header]
        self.body = [list(r) for r in rows]
        self.widths = list(widths)
        self.commands = list(commands)
        self.row_commands = list(row_commands)
        self.page_height = page_height
        self.origins = list(_origins) if _origins is not None else list(range(len(self.body)))
        top = len(self.header)
        style = list(self.commands)
        for part_row, origin in enumerate(self.origins):
            for data_row, command, first, last, *arguments in self.row_commands:
                if data_row == origin:
                    style.append((command, (first, part_row + top), (last, part_row + top), *arguments))
        for part_row in _cut_rows:  # the parts of a cut row read on from the top
            style.append(("VALIGN", (0, part_row + top), (-1, part_row + top), "TOP"))
        super().__init__([*self.header, *self.body], colWidths=self.widths, repeatRows=top, hAlign="LEFT")
        self.setStyle(TableStyle(style))

    def _part(self, rows: list[list], origins: list[int], cut_rows: Sequence[int] = ()) -> OfficialTable:
        return OfficialTable(self.header, rows, self.widths, self.commands, self.row_commands,
                             page_height=self.page_height, _origins=origins, _cut_rows=cut_rows)

    def split(self, availWidth, availHeight):  # noqa: N803 (reportlab's names)
        self._calc(availWidth, availHeight)
        heights = self._rowHeights
        top = len(self.header)
        used = sum(heights[:top])
        if used > availHeight + 1e-6:
            return []
        fitting = 0
        while fitting < len(self.body) and used + heights[top + fitting] <= availHeight + 1e-6:
            used += heights[top + fitting]
            fitting += 1
        if fitting == len(self.body):
            return [self]
        row = top + fitting
        if sum(heights[:top]) + heights[row] <= self.page_height + 1e-6:
            # The row fits a page of its own: it moves over whole (with the table, if it is the first).
            if fitting == 0:
                return []
            return [self._part(self.body[:fitting], self.origins[:fitting]),
                    self._part(self.body[fitting:], self.origins[fitting:])]
        cut = self._cut(row, availHeight - used)
        if cut is None:  # not even two lines fit under what is on the page: start the row afresh
            if fitting == 0:
                return []
            return [self._part(self.body[:fitting], self.origins[:fitting]),
                    self._part(self.body[fitting:], self.origins[fitting:])]
        head, tail = cut
        origin = self.origins[fitting]
        return [
            self._part([*self.body[:fitting], head], [*self.origins[:fitting], origin], cut_rows=(fitting,)),
            self._part([tail, *self.body[fitting + 1:]], [origin, *self.origins[fitting + 1:]], cut_rows=(0,)),
        ]

    def _cut(self, row: int, room: float) -> tuple[list, list] | None:
        """Row ``row`` cut into the part that fits ``room`` and the rest (None if too little fits)."""
        head: list = []
        tail: list = []
        styles = self._cellStyles[row]
        cut_any = False
        for column, value in enumerate(self.body[row - len(self.header)]):
            style = styles[column]
            inner = self._colWidths[column] - style.leftPadding - style.rightPadding
            space = room - style.topPadding - style.bottomPadding
            if isinstance(value, GridParagraph):
                lines = value.lines(inner)
                fit = int((space + 1e-6) // value.style.leading)
                if fit >= len(lines):
                    head.append(value)
                    tail.append("")
                    continue
                if fit < MIN_LINES_BEFORE_CUT:
                    return None
                first, rest = value.cut(inner, fit)
                head.append(first)
                tail.append(rest)
                cut_any = True
            elif isinstance(value, Flowable) and value.wrap(inner, space)[1] > space:
                return None  # a picture or the like cannot be cut: the row starts on a new page
            else:
                head.append(value)
                tail.append("")
        return (head, tail) if cut_any else None
