"""Small presentation helpers shared by the documents (no rules: those live in the services)."""

from __future__ import annotations

from reportlab.lib import colors

from .. import campaigns, display
from ..findings import LedgerRow
from ..models import RECTIFICATION_STATUSES

# The ground of a tendency cell, by the level's position on the template's scale (mildest first).
LEVEL_FILLS = (
    colors.white,
    colors.Color(1.0, 0.95, 0.75),
    colors.Color(0.98, 0.78, 0.6),
    colors.Color(0.93, 0.5, 0.45),
)


def level_fill(index: int) -> colors.Color:
    return LEVEL_FILLS[max(0, min(index, len(LEVEL_FILLS) - 1))]


_NUMERALS = {c: n for n, c in enumerate("零一二三四五六七八九")}


def numeral_value(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23, 12 → 12 (None when ``text`` is not a number)."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _NUMERALS and c not in "十百" for c in text):
        return None
    total, digit = 0, 0
    for char in text:
        if char == "百":
            total += (digit or 1) * 100
            digit = 0
        elif char == "十":
            total += (digit or 1) * 10
            digit = 0
        else:
            digit = _NUMERALS[char]
    return total + digit


def group_order(name: str) -> tuple:
    """Groups in their number's order (第一…第十二 by the number, not by the character); a
    name without 第N comes after, by name."""
    import re

    match = re.search(r"第([零一二三四五六七八九十百\d]+)", name or "")
    number = numeral_value(match.group(1)) if match else None
    return (number is None, number or 0, name or "")


def group_name(group_id: str | None) -> str:
    """The group's name, else this installation's group, else a plain 督导组."""
    for group in campaigns.list_groups():
        if group.id == group_id:
            return group.name
    current = campaigns.current_group() if group_id is None else None
    return current.name if current is not None else "督导组"


def stacked_date(value: str) -> str:
    """2014年\n4月8日: a date that fits a narrow table column without an awkward break (a
    stored value that is not a date is printed as it is, marked)."""
    if display.parse_date(value) is None:
        return display.date_text(value)
    return display.date_text(value).replace("年", "年\n", 1)


def issuer() -> str:
    """Who issues a document that is not one group's record: the office, or this group."""
    from .. import installation

    if installation.context().role == "office":
        return "市委活动办"
    return group_name(None)


def _local_time(stamp: str) -> str:
    """'2014-04-08T09:30' → 2014年4月8日 9:30 (a stored value that is not a time, marked)."""
    moment = display.parse_minute(stamp)
    if moment is None:
        return display.minute_text(stamp)
    return f"{display.chinese(moment.date())} {moment.hour}:{moment:%M}"


def visit_time(started_at: str, ended_at: str | None) -> str:
    """2014年4月8日 9:30—11:00 (the end's date is shown only when it differs)."""
    text = _local_time(started_at)
    if ended_at:
        start, end = display.parse_minute(started_at), display.parse_minute(ended_at)
        same_day = start is not None and end is not None and start.date() == end.date()
        text += "—" + (f"{end.hour}:{end:%M}" if same_day else _local_time(ended_at))
    return text


def period_text(date_from: str | None, date_to: str | None) -> str:
    if date_from and date_to:
        return f"{display.date_text(date_from)}至{display.date_text(date_to)}"
    if date_from:
        return f"{display.date_text(date_from)}以来"
    if date_to:
        return f"截至{display.date_text(date_to)}"
    return "全部期间"


def completion_text(row: LedgerRow) -> str:
    """What the 完成情况 column says about a ledger row: the state, then each detail on a line
    of its own (a date is never torn from its state by a narrow column)."""
    rect = row.rectification
    if rect is None:
        return "未制定整改措施"
    text = rect.status if rect.status in RECTIFICATION_STATUSES else display.odd(rect.status, display.NOT_IN_TEMPLATE)
    if rect.status == "已核实" and rect.verified_on:
        text += f"\n{display.date_text(rect.verified_on)}"
        if rect.verified_by:
            text += f"\n{rect.verified_by}核实"
        if rect.verification_note:
            text += f"\n{rect.verification_note}"
    elif rect.status == "已完成" and rect.completed_on:
        text += f"\n{display.date_text(rect.completed_on)}"
    if row.overdue:
        text += "\n【已逾期】"
    elif row.due_soon:
        text += "\n【即将到期】"
    return text


def finding_text(row: LedgerRow) -> str:
    """The 问题 cell where the table has no 类别 column: what was found, its kind, when, who."""
    return f"{problem_text(row)}\n{category_text(row)}"


def problem_text(row: LedgerRow) -> str:
    """The 问题 cell: what was found, then when (and whom it concerns) on a line of its own."""
    finding = row.finding
    text = f"{finding.description}\n{display.date_text(finding.found_on)}发现"
    if row.leader_name:
        text += f"\n涉及：{row.leader_name}"
    return text


def category_text(row: LedgerRow) -> str:
    """The 类别 cell: the checklist's category, and the severity when it is not the usual one."""
    finding = row.finding
    return finding.category if finding.severity == "一般" else f"{finding.category}\n（{finding.severity}）"
