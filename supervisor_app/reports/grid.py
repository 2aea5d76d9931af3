"""Text set on a document grid, as a word processor sets 公文 (GB/T 9704 ``22 × 28``).

Every full-width character takes one grid cell (``pitch``: 156 mm / 28 = 5.571 mm for the
body, the same proportion for other sizes), half-width characters their natural width; a line
is broken by the Chinese rules of ``cjk.break_lines`` and — except a paragraph's last line —
justified to fill the measure exactly, the spare room shared between the characters. Each line
takes ``leading`` (one grid line: 225 mm / 22), the text centred in it, so that paragraphs,
headings and the title all sit on the grid's lines.

reportlab's Paragraph cannot do this (its justification stretches spaces only, which Chinese
text has none of), hence a flowable of our own. It splits across pages between lines.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from .cjk import break_lines, squeezed
from .fonts import Face
from .words import Lexicon

EM_BOX_TOP = 0.88  # the top of a CJK face's ideographic em box above the baseline, in em
FULL_WIDTH = 0.9  # a glyph at least this wide (in em) is full-width: it takes a grid cell


# The widest extra space justification puts between two characters, in ems; a line that would
# need more (a narrow table cell whose line was broken early by the breaking rules) is set left.
MAX_JUSTIFY_GAP = 0.5
# The widest gap that keeping a word whole ("红星村", "趋向") may open in the line it shortens;
# a line that would be looser breaks the word instead (as the rules allow): even spacing reads
# better than a whole word in a spread line.
MAX_WORD_GAP = 0.25


@dataclass(frozen=True)
class GridStyle:
    """How a GridParagraph is set."""

    name: str
    size: float
    leading: float
    pitch: float  # the advance of a full-width character
    indent: float = 0  # first-line indent, in characters
    right_indent: float = 0  # room kept free at the right of every line, in characters
    align: str = "justify"  # justify | left | center
    color: colors.Color = colors.black
    space_before: float = 0
    space_after: float = 0
    # Keep words whole where a line can break outside them (table cells, headings: short lines
    # where a split word reads badly). Body text keeps the grid's 28 characters to every full
    # line instead, as a word processor's document grid sets 公文.
    keep_words: bool = False
    min_chars: int = 0  # the fewest characters on a paragraph's last line, where the rules allow
    # The share of a closing mark's cell that may be squeezed so that the mark ends its line
    # instead of pulling the character before it down (标点挤压, as word processors set 公文):
    # a full line keeps its 28 characters.
    squeeze: float = 0.0


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    justify: bool  # False for a paragraph's last line and a line ended by a break


class GridParagraph(Flowable):
    """Runs of (text, face) set on the grid of ``style``."""

    def __init__(self, runs: list[tuple[str, Face]], style: GridStyle, *, words: Lexicon | None = None,
                 _lines=None, _first=True):
        super().__init__()
        self.style = style
        self.runs = runs
        self.words = words
        chars: list[str] = []
        faces: list[Face] = []
        for text, face in runs:
            for char in text.replace("\r\n", "\n"):
                chars.append(char)
                faces.append(face)
        self.chars = chars
        self.faces = faces
        self.advances = [self._advance(c, f) for c, f in zip(chars, faces, strict=True)]
        self._lines: list[Line] | None = _lines
        self._fixed = _lines is not None  # a part of a split paragraph: its lines are set
        self._first = _first
        self._width = None
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after

    # --- measuring ----------------------------------------------------------------------------

    def _advance(self, char: str, face: Face) -> float:
        if char == "\n":
            return 0.0
        natural = stringWidth(char, face.name, self.style.size)
        return self.style.pitch if natural >= FULL_WIDTH * self.style.size else natural

    def plain_text(self) -> str:
        """The paragraph's characters (a line break as \\n)."""
        return "".join(self.chars)

    def _break(self, width: float) -> list[Line]:
        indent = self.style.indent * self.style.pitch if self._first else 0
        width -= self.style.right_indent * self.style.pitch
        inside = self.words.inside("".join(self.chars)) if self.words and self.style.keep_words else ()
        spans = break_lines(self.chars, self.advances, [width - indent, width], inside=inside,
                            min_chars=self.style.min_chars, max_gap=MAX_WORD_GAP * self.style.size,
                            squeeze=self.style.squeeze)
        lines = []
        for n, (start, end) in enumerate(spans):
            last = n == len(spans) - 1
            hard = end < len(self.chars) and self.chars[end] == "\n"
            lines.append(Line(start, end, not last and not hard))
        return lines

    def lines(self, width: float) -> list[Line]:
        if not self._fixed and (self._lines is None or self._width != width):
            self._lines = self._break(width)
            self._width = width
        return self._lines or []

    def line_texts(self, width: float) -> list[str]:
        return ["".join(self.chars[ln.start:ln.end]) for ln in self.lines(width)]

    def wrap(self, availWidth, availHeight):  # noqa: N803 (reportlab's names)
        self.width = availWidth
        self.height = len(self.lines(availWidth)) * self.style.leading
        return availWidth, self.height

    def cut(self, width: float, count: int) -> tuple[GridParagraph, GridParagraph]:
        """The paragraph as set ``width`` wide, cut after its first ``count`` lines."""
        lines = self.lines(width)
        head = GridParagraph(self.runs, replace(self.style, space_after=0), _lines=lines[:count], _first=self._first)
        tail = GridParagraph(self.runs, replace(self.style, space_before=0), _lines=lines[count:], _first=False)
        head._width = tail._width = width
        return head, tail

    def split(self, availWidth, availHeight):  # noqa: N803
        lines = self.lines(availWidth)
        fit = int((availHeight + 1e-6) // self.style.leading)
        if fit <= 0 or fit >= len(lines):
            return []
        head, tail = self.cut(availWidth, fit)
        # The parts take this paragraph's place; reportlab's "postponed once" mark must not stay
        # on it, or laying the same story out again (the benchmark does) fails on it.
        self.__dict__.pop("_postponed", None)
        return [head, tail]

    # --- drawing -------------------------------------------------------------------------------

    def draw(self):
        self.__dict__.pop("_postponed", None)  # drawn at last: laid out again, it starts afresh
        canvas = self.canv
        style = self.style
        width = self.width - style.right_indent * style.pitch
        baseline_drop = (style.leading - style.size) / 2 + EM_BOX_TOP * style.size
        canvas.saveState()
        canvas.setFillColor(style.color)
        canvas.setStrokeColor(style.color)
        for row, line in enumerate(self.lines(width)):
            y = self.height - row * style.leading - baseline_drop
            first = self._first and line.start == 0
            indent = style.indent * style.pitch if first else 0
            self._draw_line(canvas, line, indent, width - indent, y)
        canvas.restoreState()

    def _draw_line(self, canvas, line: Line, x0: float, measure: float, y: float) -> None:
        style = self.style
        start, end = line.start, line.end
        if end <= start:
            return
        used = sum(self.advances[start:end])
        if used > measure + 1e-6:  # closing marks squeezed: each character set on its own
            self._draw_squeezed(canvas, line, x0, measure, y)
            return
        gap = 0.0
        if style.align == "justify" and line.justify and end - start > 1 and used < measure:
            gap = (measure - used) / (end - start - 1)
            if gap > style.size * MAX_JUSTIFY_GAP:  # a short line in a narrow cell: left, not
                gap = 0.0                             # "强 ； 严 重" spread over the width
        elif style.align == "center":
            x0 += (measure - used) / 2
        elif style.align == "right":
            x0 += measure - used
        x = x0
        i = start
        while i < end:
            face, adv = self.faces[i], self.advances[i]
            j = i + 1
            while j < end and self.faces[j] is face and self.advances[j] == adv:
                j += 1
            text = "".join(self.chars[i:j])
            natural = stringWidth(self.chars[i], face.name, style.size)
            tx = canvas.beginText(x, y)
            tx.setFont(face.name, style.size)
            tx.setCharSpace(adv - natural + gap)
            if face.fake_bold:
                tx.setTextRenderMode(2)  # fill and stroke: a regular 宋体 drawn bold
                canvas.setLineWidth(style.size * 0.03)
            tx.textOut(text)
            canvas.drawText(tx)
            x += (adv + gap) * (j - i)
            i = j


    def _draw_squeezed(self, canvas, line: Line, x0: float, measure: float, y: float) -> None:
        style = self.style
        advances = squeezed(self.chars, self.advances, line.start, line.end, measure)
        x = x0
        for i, advance in zip(range(line.start, line.end), advances, strict=True):
            face = self.faces[i]
            tx = canvas.beginText(x, y)
            tx.setFont(face.name, style.size)
            if face.fake_bold:
                tx.setTextRenderMode(2)
                canvas.setLineWidth(style.size * 0.03)
            tx.textOut(self.chars[i])
            canvas.drawText(tx)
            x += advance


class GridSnap(Flowable):
    """Space down to the next grid line (at least ``least``), after a table or a picture."""

    def __init__(self, leading: float, block_height: float, least: float = 0.0):
        super().__init__()
        self.leading = leading
        self.block_height = block_height
        self.least = least

    def wrap(self, availWidth, availHeight):  # noqa: N803
        if availHeight >= self.block_height - 0.01:
            self.height = 0.0  # at the top of a page: on the grid already
            return availWidth, 0.0
        used = self.block_height - availHeight + self.least
        rest = (-used) % self.leading
        if rest > self.leading - 0.01:
            rest = 0.0
        self.height = self.least + rest
        if self.height > availHeight:
            self.height = availHeight
        return availWidth, self.height

    def split(self, availWidth, availHeight):  # noqa: N803
        return []  # at a page's foot: nothing to move on

    def draw(self):
        pass
