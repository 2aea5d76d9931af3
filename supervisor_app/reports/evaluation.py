"""纪实评价表: subject, unit, position, period, the facts (date | fact | source), item ratings,
overall rating, narrative, the group leader's signature block; 草稿 on every page until
signed; amendments appended."""

from __future__ import annotations

from .. import campaigns, display, evaluations, findings, meetings, signatures, units, visits
from ..errors import NotFoundError
from .common import group_name, period_text
from .layout import Document, Writer, chinese_number, local_time

TITLE = "纪实评价表"
SOURCE_LABELS = {"visit": "督导记录", "finding": "督导发现问题", "rectification": "整改情况", "manual": "督导组记录",
                 "meeting": "专题民主生活会"}
CHANGE_LABELS = {"overall_rating": "总体评价", "narrative": "评价意见", "fact": "纪实"}


def source_text(fact) -> str:
    """Where a fact comes from, as the 来源 column says it."""
    label = SOURCE_LABELS.get(fact.source_kind, fact.source_kind)
    try:
        if fact.source_kind == "visit" and fact.source_id:
            visit = visits.get_visit(fact.source_id)
            return f"{label}\n{display.date_text(visit.started_at)}\n{display.related_name(visit, 'unit')}"
        if fact.source_kind == "finding" and fact.source_id:
            finding = findings.get_finding(fact.source_id)
            return f"{label}\n{display.date_text(finding.found_on)}\n{finding.category}"
        if fact.source_kind == "rectification" and fact.source_id:
            rect = findings.get_rectification(fact.source_id)
            return f"{label}\n{rect.status}"
        if fact.source_kind == "meeting" and fact.source_id:
            meeting = meetings.get_meeting(fact.source_id)
            return f"{label}\n{display.date_text(meeting.held_on)}\n督导组列席"
    except NotFoundError:
        return f"{label}\n（来源记录已删除）"
    return label


def build(w: Writer, *, record_id: str | None, date_from=None, date_to=None) -> Document:
    """The 纪实评价表 of evaluation ``record_id``; NotFoundError for an unknown id."""
    record = evaluations.get_evaluation(record_id)
    tpl = display.template_of(record)
    state = evaluations.status(record)
    signed = bool(record.signed_at)
    group = group_name(record.group_id)
    leader = display.related(record, "leader") if record.subject_kind == "leader" and record.leader_id else None
    if leader is not None:
        subject, position, kind = leader.name, leader.position, "领导干部"
    elif record.subject_kind == "leader" and record.leader_id:
        subject, position, kind = display.related_name(record, "leader"), "", "领导干部"
    else:
        subject, position, kind = display.related_name(record, "team"), None, "领导班子"
    if record.subject_kind not in ("leader", "team"):
        kind = display.odd(record.subject_kind, "（未知的评价对象类别）")
    unit = display.related(record, "unit")

    story = [w.mark("内部资料"), w.title(TITLE)]
    if not signed:
        story.append(w.subtitle("（草稿，未经组长签署）"))
    story.append(w.fields([
        ("评价对象", f"{subject}（{kind}）"),
        ("所在单位", units.unit_path(unit) if unit is not None else display.related_name(record, "unit")),
        *((("职务", position or "—"),) if position is not None else ()),
        ("评价期间", period_text(record.period_start, record.period_end)),
        ("督导组", group),
        ("状态", evaluations.STATUS_LABELS[state]),
    ]))

    story.append(w.h1("纪实"))
    story.extend(_facts(w, record))

    story.append(w.h1("评价项目"))
    rows = []
    scale = tpl.scale("evaluation")
    view = evaluations.current_view(record)  # amendments are the current truth
    ratings = display.entries(record.item_ratings, "rating", "comment")
    for item in display.evaluation_items(tpl, record.subject_kind):
        entry = ratings.get(item["id"]) or {}
        rating = display.scale_text(view.value(item["id"]), scale) or "未评"
        if view.is_amended(item["id"]):
            rating += "（已更正）"
        rows.append([item["name"], rating, entry.get("comment") or ""])
    if rows:
        story.append(w.table(("评价项目", "评价", "说明"), rows, (56, 18, 82), center_columns=(1,)))
    else:
        story.append(w.para("（模板中没有这类评价对象的评价项目。）"))

    story.append(w.h1("总体评价"))
    overall = display.scale_text(view.overall_rating, scale) or "（未评）"
    if view.is_amended("overall_rating"):
        overall += f"（已更正，原为{display.scale_text(view.original['overall_rating'], scale) or '未评'}）"
    story.append(w.para(f"总体评价：{overall}。"))

    story.append(w.h1("评价意见"))
    story.extend(w.paragraphs(view.narrative) or [w.para("（未填写）")])
    if view.is_amended("narrative"):
        story.append(w.para("（评价意见已更正，签署时的原文见“更正记录”。）"))

    story.append(w.h1("组长签署"))
    story.append(_signature(w, record))
    story.append(w.signatures(("督导组组长", "记录人")))

    corrections = evaluations.amendments(record)
    if corrections:
        story.append(w.h1("更正记录"))
        story.append(w.para("以下更正在签署后由组长签名提出；上文所列为更正后的内容，签署时的原内容如下。"))
        story.extend(_amendments(w, corrections, tpl, view))
    return Document(title=f"{TITLE}（{subject}）", author=group, subject=record.id,
                    record_label=f"纪实评价 {record.id}", story=story, draft=not signed, issuer=group)


def _facts(w: Writer, record) -> list:
    facts = evaluations.facts(record)
    if not facts:
        return [w.para("尚无纪实。")]
    rows = []
    for fact in facts:
        text = fact.text if fact.state != "proposed" else f"{fact.text}\n（待确认）"
        rows.append([display.date_text(fact.on_date).replace("年", "年\n", 1), text, source_text(fact)])
    return [w.table(("日期", "纪实内容", "来源"), rows, (24, 100, 32), center_columns=(0,))]


def _signature(w: Writer, record):
    if not record.signed_at:
        group = display.related(record, "group") if record.group_id else None
        leader = campaigns.group_leader(group) if group is not None else None
        return w.fields([
            ("督导组组长", leader.name if leader else ""),
            ("签署日期", "（尚未签署）"),
            ("签名指纹", "—"),
        ])
    return w.fields([
        ("督导组组长", display.related_name(record, "signed_by")),
        ("签署日期", display.moment_date_text(record.signed_at)),
        ("签名指纹", signatures.fingerprint_text(record.signature)),
        ("内容校验码", signatures.content_code_text(record.content_hash)),
    ])


def _amendments(w: Writer, corrections, tpl, view) -> list:
    out = []
    for n, amendment in enumerate(corrections, 1):
        who = display.related_name(amendment, "member") or "（未注明）"
        moment = display.parse_moment(amendment.created_at)
        pairs = [("更正人", who), ("更正时间", local_time(moment) if moment else display.moment_text(amendment.created_at)),
                 ("更正原因", amendment.reason)]
        for key, value in display.pairs(amendment.changes):
            label = CHANGE_LABELS.get(key) or tpl.item_name(key) or "更正内容"
            step = next((c for c in view.corrections.get(key, ()) if c.amendment_id == amendment.id), None)
            if key == "narrative" and step is not None:
                pairs.append((f"原{label}", step.before or "（空）"))
                pairs.append((label, f"更正为：{value}"))
            elif key != "fact" and step is not None:
                pairs.append((label, f"由“{step.before or '未评'}”更正为“{value}”"))
            else:
                pairs.append((label, f"更正为：{value}"))
        out.append(w.keep_with_next(w.h2(f"第{chinese_number(n)}次更正"), w.fields(pairs)))
    return out


def batch_targets(*, date_from=None, date_to=None) -> list[tuple[str, str]]:
    """Every evaluation whose period meets the given one."""
    out = []
    for record in evaluations.list_evaluations():
        if date_from and record.period_end < date_from or date_to and record.period_start > date_to:
            continue
        name = evaluations.subject_name(record)
        out.append((record.id, f"{display.related_name(record, 'unit')}-{name}-{TITLE}-{record.id[:8]}"))
    return out
