"""Chinese line breaking for reportlab paragraphs.

reportlab's own CJK wrap lets a full-width comma or full stop start a line (its list of
marks that cannot start a line is Japanese and lacks ，；：！？) or hang outside the text
block. Chinese typesetting pulls the last character of the line down with the mark instead,
keeps an opening bracket or quote with what follows, and does not cut a Latin word or a
number in two unless it is longer than a line.
"""

from __future__ import annotations

from reportlab.lib.textsplit import ALL_CANNOT_END, ALL_CANNOT_START
from reportlab.platypus.paragraph import Paragraph, ParaLines, cjkU, makeCJKParaLine
from reportlab.rl_config import _FUZZ

CANNOT_START = set(ALL_CANNOT_START) | set("，。、；：？！）》」』】〕〉”’…—·%‰℃,.;:?!)]}")
CANNOT_END = set(ALL_CANNOT_END) | set("（《「『【〔〈“‘([{")
_MAX_PULL = 3  # characters pulled down at most to satisfy the rules


UNIT_AFTER_DIGIT = set("年月日时分秒号个人次项条天周岁元万亿%")


def _is_word(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "-_.:/%@#&+")


def _glued(units: list, i: int) -> bool:
    """Whether ``units[i]`` may not be parted from ``units[i - 1]``: inside a Latin word or a
    number, or a unit after a number (2014年, 17日, 30%)."""
    before, char = units[i - 1], units[i]
    if _is_word(before) and _is_word(char):
        return True
    return before.isascii() and before.isdigit() and char in UNIT_AFTER_DIGIT


def _width(u, max_width: float) -> float:
    width = u.width
    if hasattr(width, "normalizedValue"):
        width._normalizer = max_width
        width = width.normalizedValue(max_width)
    return width


def _break_at(units: list, start: int, overflow: int) -> int:
    """Where the line that cannot hold ``units[overflow]`` should end (exclusive)."""
    brk = overflow
    if _glued(units, overflow):
        j = overflow - 1
        while j > start and _glued(units, j):
            j -= 1
        if j > start:
            brk = j  # the whole word or number moves down
    for _ in range(_MAX_PULL):
        if brk - 1 <= start:
            break
        if units[brk] in CANNOT_START or units[brk - 1] in CANNOT_END:
            brk -= 1
        else:
            break
    return brk if brk > start else overflow


def split_cjk(frags, max_widths, calc_bounds: bool) -> ParaLines:
    """Break ``frags`` into lines of at most ``max_widths[n]`` points, by the rules above."""
    units = []
    for frag in frags:
        text = frag.text.decode("utf8") if isinstance(frag.text, bytes) else frag.text
        if text:
            units.extend(cjkU(char, frag, "utf8") for char in text)
        else:
            units.append(cjkU(text, frag, "utf8"))
    lines = []
    max_width = max_widths[0]
    widths = [_width(u, max_width) for u in units]
    ends = [0.0]  # ends[i]: the width of units[:i], so that a line's width costs nothing
    for width in widths:
        ends.append(ends[-1] + width)

    def close(begin: int, end: int, line_break: bool) -> None:
        nonlocal max_width
        used = ends[end] - ends[begin]
        lines.append(makeCJKParaLine(units[begin:end], max_width, used, max_width - used, line_break, calc_bounds))
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]

    start = i = 0
    used = 0.0
    count = len(units)
    while i < count:
        unit = units[i]
        if hasattr(unit.frag, "lineBreak"):
            close(start, i + 1, True)
            start = i = i + 1
            used = 0.0
            continue
        width = widths[i]
        if used + width > max_width + _FUZZ and i > start:
            brk = _break_at(units, start, i)
            close(start, brk, False)
            start = i = brk
            while start < count and units[start] == " ":
                start = i = start + 1
            used = 0.0
            continue
        used += width
        i += 1
    if start < count:
        close(start, count, False)
    return ParaLines(kind=1, lines=lines)


class CJKParagraph(Paragraph):
    """A Paragraph (style.wordWrap='CJK') that breaks lines by Chinese rules."""

    def breakLinesCJK(self, maxWidths):  # noqa: N802 (reportlab's name)
        if not isinstance(maxWidths, list | tuple):
            maxWidths = [maxWidths]
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        style = self.style
        self.height = 0
        if not self.frags:
            return ParaLines(kind=0, fontSize=style.fontSize, fontName=style.fontName, textColor=style.textColor,
                             lines=[], ascent=style.fontSize, descent=-0.2 * style.fontSize)
        auto_leading = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        # A table wraps each cell to measure it and again to draw it: break the lines once.
        key = (tuple(maxWidths), auto_leading)
        cached = getattr(self, "_cjk_lines", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        lines = split_cjk(self.frags, maxWidths, auto_leading not in ("", "off"))
        self._cjk_lines = (key, lines)
        return lines

    def split(self, availWidth, availHeight):  # noqa: N803 (reportlab's names)
        """Split at a page end; the part that moves on keeps the lines already broken.

        reportlab breaks the moved part's text again from scratch on the next page, so a
        paragraph of n pages cost n² (minutes for a text of 100 000 characters); its lines,
        broken at the same width, are the same.
        """
        parts = super().split(availWidth, availHeight)
        lines = getattr(self, "blPara", None)
        if len(parts) == 2 and lines is not None and lines.kind == 1 and hasattr(parts[0], "blPara"):
            rest = lines.lines[len(parts[0].blPara.lines):]
            later = self._wrapWidths[1]
            auto_leading = getattr(parts[1], "autoLeading", getattr(parts[1].style, "autoLeading", ""))
            if rest and parts[1].style.leftIndent == self.style.leftIndent:
                parts[1]._cjk_lines = (((later, later), auto_leading), ParaLines(kind=1, lines=rest))
        return parts
