"""纪实评价表: subject, unit, position, period, the facts (date | fact | source), item ratings,
overall rating, narrative, the group leader's signature block; 草稿 on every page until
signed; amendments appended."""

from __future__ import annotations

from datetime import datetime

from .. import campaigns, evaluations, findings, signing, units, visits
from ..clock import chinese_date
from ..errors import NotFoundError
from .common import group_name, period_text
from .layout import Document, Writer, chinese_number, local_time

TITLE = "纪实评价表"
SOURCE_LABELS = {"visit": "督导记录", "finding": "督导发现问题", "rectification": "整改情况", "manual": "督导组记录"}
CHANGE_LABELS = {"overall_rating": "总体评价", "narrative": "评价意见", "fact": "纪实"}


def _local_date(stamp: str | None) -> str:
    """A stored UTC time as the local date, 2014年4月8日."""
    if not stamp:
        return ""
    return chinese_date(datetime.fromisoformat(stamp).astimezone().date())


def source_text(fact) -> str:
    """Where a fact comes from, as the 来源 column says it."""
    label = SOURCE_LABELS.get(fact.source_kind, fact.source_kind)
    try:
        if fact.source_kind == "visit" and fact.source_id:
            visit = visits.get_visit(fact.source_id)
            return f"{label}\n{chinese_date(visit.started_at)}\n{visit.unit.name}"
        if fact.source_kind == "finding" and fact.source_id:
            finding = findings.get_finding(fact.source_id)
            return f"{label}\n{chinese_date(finding.found_on)}\n{finding.category}"
        if fact.source_kind == "rectification" and fact.source_id:
            rect = findings.get_rectification(fact.source_id)
            return f"{label}\n{rect.status}"
    except NotFoundError:
        return f"{label}\n（来源记录已删除）"
    return label


def build(w: Writer, *, record_id: str | None, date_from=None, date_to=None) -> Document:
    """The 纪实评价表 of evaluation ``record_id``; NotFoundError for an unknown id."""
    record = evaluations.get_evaluation(record_id)
    tpl = campaigns.get_template(record.template_id, record.template_version)
    state = evaluations.status(record)
    signed = bool(record.signed_at)
    group = group_name(record.group_id)
    if record.subject_kind == "leader" and record.leader_id:
        subject, position, kind = record.leader.name, record.leader.position, "领导干部"
    else:
        subject, position, kind = (record.team.name if record.team_id else ""), "领导班子", "领导班子"

    story = [w.title(TITLE)]
    if not signed:
        story.append(w.subtitle("（草稿，未经组长签署）"))
    story.append(w.fields([
        ("评价对象", f"{subject}（{kind}）"),
        ("所在单位", units.unit_path(record.unit)),
        ("职务", position),
        ("评价期间", period_text(record.period_start, record.period_end)),
        ("督导组", group),
        ("状态", evaluations.STATUS_LABELS[state]),
    ]))

    story.append(w.h1("纪实"))
    story.extend(_facts(w, record))

    story.append(w.h1("评价项目"))
    rows = []
    for item in tpl.evaluation_items(record.subject_kind):
        entry = record.item_ratings.get(item["id"]) or {}
        rows.append([item["name"], entry.get("rating") or "未评", entry.get("comment") or ""])
    story.append(w.table(("评价项目", "评价", "说明"), rows, (56, 18, 82), center_columns=(1,)))

    story.append(w.h1("总体评价"))
    story.append(w.para(f"总体评价：{record.overall_rating or '（未评）'}。"))

    story.append(w.h1("评价意见"))
    story.extend(w.paragraphs(record.narrative) or [w.para("（未填写）")])

    story.append(w.h1("组长签署"))
    story.append(_signature(w, record))

    corrections = evaluations.amendments(record)
    if corrections:
        story.append(w.h1("更正记录"))
        story.append(w.para("以下更正在签署后提出，原评价内容保持签署时的原样。"))
        story.extend(_amendments(w, corrections, tpl))
    return Document(title=f"{TITLE}（{subject}）", author=group, subject=record.id,
                    record_label=f"纪实评价 {record.id}", story=story, draft=not signed)


def _facts(w: Writer, record) -> list:
    facts = evaluations.facts(record)
    if not facts:
        return [w.para("尚无纪实。")]
    rows = []
    for fact in facts:
        text = fact.text if fact.state != "proposed" else f"{fact.text}\n（待确认）"
        rows.append([chinese_date(fact.on_date).replace("年", "年\n", 1), text, source_text(fact)])
    return [w.table(("日期", "纪实内容", "来源"), rows, (24, 100, 32), center_columns=(0,))]


def _signature(w: Writer, record):
    if not record.signed_at:
        leader = campaigns.group_leader(record.group) if record.group_id else None
        return w.fields([
            ("督导组组长", leader.name if leader else ""),
            ("签署日期", "（尚未签署）"),
            ("签名指纹", "—"),
        ])
    return w.fields([
        ("督导组组长", record.signed_by.name if record.signed_by_id else ""),
        ("签署日期", _local_date(record.signed_at)),
        ("签名指纹", signing.fingerprint(record.signature) if record.signature else "—"),
        ("内容哈希", (record.content_hash or "")[:16]),
    ])


def _amendments(w: Writer, corrections, tpl) -> list:
    out = []
    for n, amendment in enumerate(corrections, 1):
        who = amendment.member.name if amendment.member_id else "（未注明）"
        pairs = [("更正人", who), ("更正时间", local_time(datetime.fromisoformat(amendment.created_at))),
                 ("更正原因", amendment.reason)]
        for key, value in amendment.changes.items():
            pairs.append((CHANGE_LABELS.get(key) or tpl.item_name(key), f"更正为：{value}"))
        out.append(w.keep_with_next(w.h2(f"第{chinese_number(n)}次更正"), w.fields(pairs)))
    return out


def batch_targets(*, date_from=None, date_to=None) -> list[tuple[str, str]]:
    """Every evaluation whose period meets the given one."""
    out = []
    for record in evaluations.list_evaluations():
        if date_from and record.period_end < date_from or date_to and record.period_start > date_to:
            continue
        name = evaluations.subject_name(record)
        out.append((record.id, f"{record.unit.name}-{name}-{TITLE}-{record.id[:8]}"))
    return out
