"""Chinese line breaking: where a line may end, by every rule at once.

A break between two characters is allowed only when all of these hold together (checking
them one after another — pulling a break back for one rule and not re-checking the others —
is what tore "问题5｜个" apart):

- 避头: the next line does not start with a closing mark (，。、；：？！）》” …);
- 避尾: the line does not end with an opening mark (（《“ …);
- a Latin word, a number (3.5, 12.5%, 2014-06-17, PPT) is not cut;
- a number stays with its unit or date part (5个, 1分, 2014年6月17日, 第3, 30%);
- —— and …… are not cut in two.

``break_lines`` takes the characters and their advances and returns each line's
(start, end); a line breaks at the allowed place nearest its end (at a space, when one is in
the line's second half: names are separated by spaces in unit paths). Only where a line holds no
allowed place at all (a word longer than the line) is it cut at its end.

Given the places that lie inside a word (``inside``: "趋|向", "红星|村", from ``words``), a line
breaks at an allowed place outside every word when it has one; only a line that holds none
(a word longer than the line) breaks inside one — or, given ``max_gap``, a line that keeping
the word whole would leave so short that its justified gaps grow wider than the grid allows. Given ``min_chars``, a paragraph's last line
that would hold fewer characters takes some from the line above (when the line above keeps
at least as many and no rule or word is broken for it): no "位。" alone under a cell's text.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

CANNOT_START = set(
    "!%),.:;?]}¢°·'\"†‡›℃∶、。〃〆〕〗〞﹚﹜！＂％＇），．：；？！］｝～–—…‥〉》」』】〙〟｠»’”‰′″ヽヾーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻"
)
CANNOT_END = set("([{£¥'\"‵〈《「『【〔〖〘〝﹙﹛（＄．［｛￡￥〚‘“«‹")
# Characters that follow a number as its unit or as a part of a date or time.
UNIT_AFTER_DIGIT = set("年月日时分秒号个人次项条天周岁元角万亿千百十%％‰℃度米克吨斤亩户家名位件份批所起处座篇页期倍余多")
BEFORE_DIGIT = set("第约近逾")  # 第3, 约5: kept with the number that follows
DATE_PARTS = set("年月")  # 2014年6月: the part and the next number stay together
LATIN_JOINERS = set("-_.:/%@#&+'’,")


def _latin(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in LATIN_JOINERS)


def _digit(char: str) -> bool:
    return char.isdigit()  # ASCII and full-width digits


def glued(before: str, after: str) -> bool:
    """Whether ``before`` and ``after`` (adjacent) must stay on one line."""
    if _latin(before) and _latin(after):
        return True
    if _digit(before) and after in UNIT_AFTER_DIGIT:
        return True
    if before in BEFORE_DIGIT and _digit(after):
        return True
    if before in DATE_PARTS and _digit(after):
        return True
    if before == after and before in "—…":
        return True
    return False


def may_break(chars: Sequence[str], i: int) -> bool:
    """Whether a line may end before ``chars[i]`` (0 < i < len(chars))."""
    before, after = chars[i - 1], chars[i]
    if after.isspace() or before.isspace():
        return True  # a space is where Latin text breaks; it is dropped at the line's ends
    return after not in CANNOT_START and before not in CANNOT_END and not glued(before, after)


def break_lines(chars: Sequence[str], advances: Sequence[float], widths: Sequence[float],
                fuzz: float = 1e-6, *, inside: Collection[int] = (), min_chars: int = 0,
                max_gap: float | None = None, squeeze: float = 0.0) -> list[tuple[int, int]]:
    """Lines of ``chars`` as (start, end) pairs; line n may be ``widths[min(n, -1)]`` wide.

    Spaces at the start of a line (after a break) are skipped; explicit line breaks are
    ``"\\n"`` characters, which end a line and are not part of it. ``inside``: the places
    (a break before ``chars[i]``) that would split a word; ``min_chars``: the fewest characters
    a paragraph's last line should hold (see the module's docstring); ``max_gap``: the widest
    space (in the advances' unit) that keeping a word whole may open between the characters of
    the line it shortens — past it, the word is broken where the rules allow; ``squeeze``: the
    share of each closing mark's advance (，。、；：！？）》”) that may be taken away so that a
    mark which may not start the next line still ends this one (a line is then wider than its
    width by at most that much: ``squeezed`` tells by how much).
    """
    lines = _break(chars, advances, widths, fuzz, inside, max_gap, squeeze)
    if min_chars > 1:
        _fill_short_last_lines(chars, advances, widths, lines, inside, min_chars, fuzz)
    return lines


# Closing marks whose ink sits in the left half of their cell: the right half may be squeezed.
SQUEEZABLE = set("，。、；：！？）》」』】”’")


def squeezed(chars: Sequence[str], advances: Sequence[float], start: int, end: int, width: float) -> list[float]:
    """The advances of a line wider than ``width``: its closing marks' advances cut alike (but
    the last character's, which ends the line at the block's edge)."""
    out = list(advances[start:end])
    excess = sum(out) - width
    marks = [i for i in range(start, end - 1) if chars[i] in SQUEEZABLE]
    total = sum(advances[i] for i in marks)
    if excess > 0 and total > 0:
        for i in marks:
            out[i - start] -= excess * advances[i] / total
    return out


def _squeezes(chars: Sequence[str], advances: Sequence[float], start: int, end: int, width: float,
              share: float, inside: Collection[int]) -> bool:
    """Whether ``chars[end]`` — a closing mark that may not start the next line — fits at the
    end of the line [start, end) by squeezing the line's closing marks by ``share`` at most."""
    mark = chars[end]
    if mark not in SQUEEZABLE or may_break(chars, end):
        return False
    after = end + 1
    if after < len(chars) and chars[after] != "\n" and not (may_break(chars, after) and after not in inside):
        return False  # two marks in a row ("。”"), or a word would be torn after the mark
    # The marks before it give the room; the mark at the end keeps its cell, so that nothing
    # (not even a glyph's empty half) stands out of the text block.
    excess = sum(advances[start:after]) - width
    room = share * sum(advances[i] for i in range(start, end) if chars[i] in SQUEEZABLE)
    return excess <= room


def _count(chars: Sequence[str], start: int, end: int) -> int:
    return sum(1 for c in chars[start:end] if not c.isspace())


def _fill_short_last_lines(chars: Sequence[str], advances: Sequence[float], widths: Sequence[float],
                           lines: list[tuple[int, int]], inside: Collection[int], min_chars: int,
                           fuzz: float) -> None:
    """Move the break above a paragraph's too short last line back, where the rules allow."""
    for n in range(1, len(lines)):
        start, end = lines[n]
        last = end >= len(chars) or chars[end] == "\n"
        previous_start, previous_end = lines[n - 1]
        joined = previous_end < len(chars) and chars[previous_end] != "\n"  # not after a hard break
        if not last or not joined or _count(chars, start, end) >= min_chars:
            continue
        # A word broken already (longer than the line) may be broken elsewhere instead.
        for words in (inside, () if start in inside else None):
            if words is None:
                break
            brk = _earlier_break(chars, advances, widths[min(n, len(widths) - 1)] + fuzz, previous_start, start,
                                 end, words, min_chars)
            if brk is not None:
                stop = brk
                while stop > previous_start and chars[stop - 1] == " ":
                    stop -= 1
                lines[n - 1] = (previous_start, stop)
                lines[n] = (brk, end)
                break


def _earlier_break(chars: Sequence[str], advances: Sequence[float], width: float, previous_start: int,
                   start: int, end: int, inside: Collection[int], min_chars: int) -> int | None:
    """The latest break before ``start`` that leaves ``min_chars`` on both lines, or None."""
    for brk in range(start - 1, previous_start, -1):
        if _count(chars, previous_start, brk) < min_chars:
            return None
        if _count(chars, brk, end) > 2 * min_chars:
            return None  # more than a few characters would make the line above look loose
        if sum(advances[brk:end]) > width:
            return None
        if (chars[brk].isspace() or not may_break(chars, brk) or brk in inside
                or _count(chars, brk, end) < min_chars):
            continue
        return brk
    return None


def _break(chars: Sequence[str], advances: Sequence[float], widths: Sequence[float], fuzz: float,
           inside: Collection[int], max_gap: float | None, squeeze: float) -> list[tuple[int, int]]:
    lines: list[tuple[int, int]] = []
    count = len(chars)
    start = 0
    while start < count:
        width = widths[min(len(lines), len(widths) - 1)]
        used = 0.0
        end = start
        while end < count and chars[end] != "\n" and used + advances[end] <= width + fuzz:
            used += advances[end]
            end += 1
        if end < count and chars[end] == "\n":
            lines.append((start, end))
            start = end + 1
            continue
        if end >= count:
            lines.append((start, count))
            break
        if end == start:
            end = start + 1  # a character wider than the line: alone on it
        elif squeeze and _squeezes(chars, advances, start, end, width + fuzz, squeeze, inside):
            end += 1  # the closing mark stays on this line, closing marks squeezed (标点挤压)
        else:
            brk = next((b for b in range(end, start, -1) if may_break(chars, b) and b not in inside), None)
            if brk is not None and max_gap is not None and brk - start > 1:
                # Justified, the shortened line must not open gaps wider than the grid allows:
                # then the word is broken as the rules alone allow.
                if (width - sum(advances[start:brk])) / (brk - start - 1) > max_gap + fuzz:
                    brk = None
            if brk is None:  # a word longer than the line: the rules alone
                brk = next((b for b in range(end, start, -1) if may_break(chars, b)), None)
            # Where the text has spaces (a unit's path "临江县 / 新港镇 / 红星村", Latin words), a
            # break at a space in the line's second half keeps a name whole.
            space = next((b for b in range(end, start + (end - start) // 2, -1) if chars[b] == " "), None)
            if space is not None:
                brk = space
            end = brk if brk is not None else end
        stop = end
        while stop > start and chars[stop - 1] == " ":
            stop -= 1  # a space at the end of a line takes no room
        lines.append((start, stop))
        start = end
        while start < count and chars[start] == " ":
            start += 1
    return lines
