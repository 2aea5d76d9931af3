"""Rules of visits and what hangs on them: attachments, assessments, quiz records."""

from __future__ import annotations

import re

from .. import clock
from ..errors import ValidationError
from . import fields as f
from .campaigns import item_names, template_of
from .checks import ALONE, RELATED, Checks
from .fields import changed, fail
from .lookup import Lookup

MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024
MAX_PEOPLE_TESTED = 100_000
MAX_QUESTIONS = 1_000
SHA256_SHAPE = re.compile(r"[0-9a-f]{64}\Z")
MIME_SHAPE = re.compile(r"[\w.+-]+/[\w.+-]+\Z", re.ASCII)
# The assessment's two score maps: field, the key of a score, the field-name prefix the window
# knows (visit editor tabs), and the template's item list and scale.
SCORE_MAPS = (
    ("focus_ratings", "rating", "督导重点", "focus_items", "focus"),
    ("tendency_levels", "level", "倾向", "tendencies", "tendency"),
)

LABELS = {
    "visit": {"unit": "被督导单位", "group": "督导组", "started_at": "督导时间", "ended_at": "结束时间",
              "members_present": "督导组成员", "methods": "督导方式", "people_met": "接触人员",
              "leaders_present": "领导干部", "notes": "督导情况"},
    "attachment": {"visit": "督导记录", "sha256": "附件哈希", "filename": "文件名", "mime_type": "文件类型",
                   "size": "文件大小", "finding": "所属问题", "item": "所属评估事项"},
    "assessment": {"visit": "督导记录", "unit": "单位", "template_id": "模板编号", "template_version": "模板版本",
                   "focus_ratings": "督导重点评定", "tendency_levels": "倾向评定"},
    "quiz": {"visit": "督导记录", "unit": "单位", "people_tested": "参测人数", "questions": "题目数",
             "correct_answers": "答对题数"},
}


def not_after_today(value: str | None, name: str, label: str) -> None:
    """A day on which something happened (a visit, a finding) is not later than today.

    Compared by day in local time, so that a visit entered in the morning for the afternoon,
    or a device whose clock is minutes ahead, is not refused.
    """
    if value is not None and value[:10] > clock.today().isoformat():
        raise fail(f"{label}不能晚于今天（{clock.chinese_date(clock.today())}），"
                   f"收到：{clock.chinese_date(value[:10])}。", name)


def stays_on_visit(member: dict, started_at, already_present: bool) -> bool:
    """Whether a member may be named present at a visit: a live member always; one who has
    left the group (a tombstone) on the visits they were present at — already on the stored
    visit, or on a visit that began no later than the day they left (a visit recorded on a
    laptop before the group heard of the retirement). ``member`` is the member's stored state."""
    if not member.get("deleted") or already_present:
        return True
    left = member.get("updated_at")
    if type(started_at) is not str or type(left) is not str:
        return False
    try:
        return started_at[:10] <= clock.local_day(left)
    except ValueError:
        return False


def visit_problems(state: dict, old: dict | None, lookup: Lookup) -> list[ValidationError]:
    """Every rule a visit breaks, one error per field, in the order of the form (the editor
    shows them all at once; ``visit`` raises the first)."""
    problems: list[ValidationError] = []
    for _kind, check in visit.checks:
        if check is _children_follow_unit and any(p.field == "unit" for p in problems):
            continue  # the unit is wrong: where the children belong cannot be told
        try:
            check(state, old, lookup)
        except ValidationError as exc:
            problems.append(exc)
    return problems


def _times(state: dict, old: dict | None) -> None:
    started = f.minute(state, "started_at", "督导时间")
    ended = f.minute(state, "ended_at", "结束时间", required=False)
    if ended is not None and ended < started:
        raise fail("结束时间不能早于开始时间。", "ended_at")
    if changed(state, old, "started_at"):
        not_after_today(started, "started_at", "督导时间")
    if changed(state, old, "ended_at"):
        not_after_today(ended, "ended_at", "结束时间")


def _methods(state: dict, old: dict | None, lookup: Lookup) -> None:
    methods = state.get("methods")
    if type(methods) is not list or not methods:
        raise fail("请至少选择一种督导方式。", "methods")
    if changed(state, old, "methods"):
        tpl = lookup.current_template()
        allowed = tpl.methods if tpl is not None else None
        for method in methods:
            if type(method) is not str or (allowed is not None and method not in allowed) \
                    or not f.encodable(method) or len(method) > 100:
                listed = "、".join(allowed or ())
                raise fail(f"督导方式必须是以下之一：{listed}（收到：{f.shown(method)}）。", "methods")
        if len(set(methods)) != len(methods):
            raise fail("督导方式有重复。", "methods")


def _children_follow_unit(state: dict, old: dict | None, lookup: Lookup) -> None:
    unit_id = state.get("unit")
    if old is not None and old.get("unit") != unit_id:
        # what was recorded on the visit belongs to the visit's unit: it moves with it
        for record_type, label in (("finding", "问题"), ("assessment", "督导评估"), ("quiz", "知识问答")):
            for child in lookup.children(record_type, "visit", state["id"]):
                if child.get("unit") != unit_id:
                    raise fail(f"该督导记录的{label}仍属于原单位，请一并改到新单位。", "unit")


# The rules of a visit: its checks in the order of the form (``visit_problems`` lists every
# one that fails, ``visit`` raises the first); only the last reads other records (its children).
visit = Checks(
    (ALONE, lambda state, old, lookup: f.ident(state, "unit", "被督导单位", missing="请选择被督导单位。")),
    (ALONE, lambda state, old, lookup: f.ident(state, "group", "督导组", required=False)),
    (ALONE, lambda state, old, lookup: _times(state, old)),
    (ALONE, lambda state, old, lookup: f.id_list(state, "members_present", "督导组成员")),
    (ALONE, lambda state, old, lookup: f.id_list(state, "leaders_present", "领导干部")),
    (ALONE, _methods),  # against the current template's methods
    (ALONE, lambda state, old, lookup: f.text(state, "people_met", "接触人员", required=False, max_length=50_000)),
    (ALONE, lambda state, old, lookup: f.text(state, "notes", "督导情况", required=False, max_length=50_000)),
    (RELATED, _children_follow_unit),
)


def attachment(state: dict, old: dict | None, lookup: Lookup) -> None:
    f.ident(state, "visit", "督导记录")
    sha = state.get("sha256")
    if type(sha) is not str or not SHA256_SHAPE.match(sha):
        raise fail(f"附件哈希格式不正确：{f.shown(sha)}", "sha256")
    name = f.text(state, "filename", "文件名", max_length=255)
    if any(c in name for c in '/\\\0') or name.strip() in (".", ".."):
        raise fail(f"文件名不能含有路径：{f.shown(name)}", "filename")
    mime = f.text(state, "mime_type", "文件类型", max_length=255)
    if not MIME_SHAPE.match(mime):
        raise fail(f"文件类型格式不对：{f.shown(mime)}", "mime_type")
    f.integer(state, "size", "文件大小", minimum=0, maximum=MAX_ATTACHMENT_BYTES)
    attachment_link(state, old, lookup)


# An attachment's assessment item: "focus:<item id>" or "tendency:<tendency id>".
ITEM_KINDS = {"focus": ("focus_items", "督导重点"), "tendency": ("tendencies", "倾向")}


def attachment_link(state: dict, old: dict | None, lookup: Lookup) -> None:
    """What a photo is of, besides its visit: one finding of the same visit, or one item of the
    visit's assessment (of the template version the assessment was made with; the campaign's
    current template while the visit has none), never both."""
    finding_id = f.ident(state, "finding", "所属问题", required=False)
    item = state.get("item")
    if item is not None and finding_id is not None:
        raise fail("一张照片只能属于一个问题或一个评估事项，不能同时属于两者。", "item")
    if finding_id is not None and changed(state, old, "finding", "visit"):
        finding_state = lookup.stored("finding", finding_id)  # a deleted finding stays of its visit
        if finding_state is not None and finding_state.get("visit") != state.get("visit"):
            raise fail("照片所属的问题不是本次督导发现的问题。", "finding")
    if item is None or not changed(state, old, "item", "visit"):
        return
    kind, _, item_id = item.partition(":") if type(item) is str else ("", "", "")
    if kind not in ITEM_KINDS or not item_id:
        raise fail(f"照片所属的评估事项格式不对：{f.shown(item)}。", "item")
    items_of, label = ITEM_KINDS[kind]
    assessments = lookup.children("assessment", "visit", state.get("visit"))
    live = [a for a in assessments if not a.get("deleted")]
    tpl = template_of(live[0], lookup) if live else lookup.current_template()
    if tpl is None:
        raise fail("找不到评估模板，照片不能关联到评估事项。", "item")
    if item_id not in item_names(tpl, items_of):
        raise fail(f"评估模板中没有{label}“{f.shown(item_id)}”，照片不能关联到它。", "item")


def _visit_and_unit(state: dict, old: dict | None, lookup: Lookup) -> None:
    """A record of a visit (assessment, quiz) names its visit and its unit ..."""
    f.ident(state, "visit", "督导记录")
    f.ident(state, "unit", "单位")


def _unit_of_visit(state: dict, old: dict | None, lookup: Lookup) -> None:
    """... and its unit is the visit's."""
    if changed(state, old, "visit", "unit"):
        visit_state = lookup.stored("visit", state.get("visit"))
        if visit_state is not None and visit_state.get("unit") != state.get("unit"):
            raise fail("单位必须与督导记录的单位一致。", "unit")


def _collect(*checks) -> list[ValidationError]:
    problems = []
    for check in checks:
        try:
            check()
        except ValidationError as exc:
            problems.append(exc)
    return problems


def _scores(state: dict, old: dict | None, lookup: Lookup) -> None:
    problems = assessment_problems(state, lookup)
    if problems:
        raise problems[0]


assessment = Checks((ALONE, _visit_and_unit), (RELATED, _unit_of_visit), (ALONE, _scores))


def assessment_problems(state: dict, lookup: Lookup) -> list[ValidationError]:
    """Every focus item and tendency whose score breaks a rule, one error each."""
    tpl = template_of(state, lookup)
    problems: list[ValidationError] = []
    for name, key, kind, items_of, scale_of in SCORE_MAPS:
        scores = state.get(name)
        if type(scores) is not dict:
            problems.append(fail(f"{LABELS['assessment'][name]}格式不对。", name))
            continue
        items = item_names(tpl, items_of)
        scale = tpl.scale(scale_of)
        for item_id, entry in scores.items():
            if (item_id in items and type(entry) is dict and len(entry) == 2 and type(value := entry.get(key)) is str
                    and value in scale and type(evidence := entry.get("evidence")) is str
                    and len(evidence) <= f.MAX_TEXT and evidence.strip() and f.encodable(evidence)):
                continue  # the common case, checked without building a message (what _score checks)
            try:
                _score(item_id, entry, items, scale, key, kind)
            except ValidationError as exc:
                problems.append(exc)
    return problems


def _score(item_id, entry, items: dict, scale, key: str, kind: str) -> None:
    field = f"{kind}:{item_id}"
    if item_id not in items:
        raise fail(f"模板中没有{kind}“{f.shown(item_id)}”。", field)
    if type(entry) is not dict:
        raise fail(f"“{items[item_id]}”的评定格式不对。", field)
    value = entry.get(key)
    if type(value) is not str or value not in scale:
        raise fail(f"“{items[item_id]}”的评定必须是 {' / '.join(scale)} 之一。", field)
    evidence = entry.get("evidence")
    if type(evidence) is not str or not evidence.strip():
        raise fail(f"“{items[item_id]}”已评定，请填写依据。", field)
    if len(evidence) > f.MAX_TEXT or not f.encodable(evidence):
        raise fail(f"“{items[item_id]}”的依据过长或含有无法保存的字符。", field)
    if len(entry) != 2:
        raise fail(f"“{items[item_id]}”的评定含有评定和依据以外的内容。", field)


def _counts(state: dict, old: dict | None, lookup: Lookup) -> None:
    problems = quiz_problems(state)
    if problems:
        raise problems[0]


quiz = Checks((ALONE, _visit_and_unit), (RELATED, _unit_of_visit), (ALONE, _counts))


def quiz_problems(state: dict) -> list[ValidationError]:
    """Every count of a quiz record that breaks a rule (the editor checks them as they are typed)."""
    values: dict[str, int] = {}

    def count(name: str, label: str, minimum: int, maximum: int = f.MAX_INT) -> None:
        values[name] = f.integer(state, name, label, minimum=minimum, maximum=maximum)

    problems = _collect(lambda: count("people_tested", "参测人数", 1, MAX_PEOPLE_TESTED),
                        lambda: count("questions", "题目数", 1, MAX_QUESTIONS),
                        lambda: count("correct_answers", "答对题数", 0))
    if not problems:
        people, questions, correct = values["people_tested"], values["questions"], values["correct_answers"]
        if correct > people * questions:
            problems.append(fail(f"答对题数（{correct}）不能超过参测人数 × 题目数（{people * questions}）。",
                                 "correct_answers"))
    return problems
