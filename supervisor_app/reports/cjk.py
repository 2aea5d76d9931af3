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
"""

from __future__ import annotations

from collections.abc import Sequence

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
                fuzz: float = 1e-6) -> list[tuple[int, int]]:
    """Lines of ``chars`` as (start, end) pairs; line n may be ``widths[min(n, -1)]`` wide.

    Spaces at the start of a line (after a break) are skipped; explicit line breaks are
    ``"\\n"`` characters, which end a line and are not part of it.
    """
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
        else:
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
