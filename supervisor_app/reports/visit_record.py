"""督导记录: one visit — unit, time, members, methods, people met, notes, the assessment, the
quiz result, the findings with their rectification, and the attachments."""

from __future__ import annotations

from .. import attachments, display, findings, quiz, units, visits
from ..errors import NotFoundError, SupervisorError
from .common import completion_text, group_name, level_fill, visit_time
from .layout import Document, Writer, percent

TITLE = "督导记录"


def _leader_names(ids) -> str:
    names = []
    for leader_id in display.names(ids):
        try:
            leader = units.get_leader(leader_id)
        except NotFoundError:
            continue
        names.append(f"{leader.name}（{leader.position}）")
    return "、".join(names)


def build(w: Writer, *, record_id: str | None, date_from=None, date_to=None) -> Document:
    """The 督导记录 of one visit; NotFoundError for an unknown id (the period is not used)."""
    visit = visits.get_visit(record_id)
    unit = display.related(visit, "unit")
    unit_name = unit.name if unit is not None else display.related_name(visit, "unit")
    member_names = visits.member_names()
    group = group_name(visit.group_id)
    story = [w.title(TITLE)]
    story.append(w.fields([
        ("被督导单位", units.unit_path(unit) if unit is not None else unit_name),
        ("督导时间", visit_time(visit.started_at, visit.ended_at)),
        ("督导组", group),
        ("督导组成员", "、".join(member_names.get(m, m) for m in display.names(visit.members_present)) or "—"),
        ("督导方式", "、".join(display.names(visit.methods))),
        ("在场领导干部", _leader_names(visit.leaders_present) or "—"),
        ("接触人员", visit.people_met or "—"),
    ]))
    story.append(w.blank(0.5))

    story.append(w.h1("督导情况"))
    story.extend(w.paragraphs(visit.notes) or [w.para("（未记录）")])

    story.append(w.h1("评估情况"))
    story.extend(_assessment(w, visit))

    story.append(w.h1("知识问答"))
    record = quiz.quiz_of(visit)
    if record is None:
        story.append(w.para("本次督导未进行知识问答。"))
    else:
        accuracy = display.accuracy(record.people_tested, record.questions, record.correct_answers)
        story.append(w.para(
            f"参测{display.count_text(record.people_tested)}人，每人{display.count_text(record.questions)}题，"
            f"共答对{display.count_text(record.correct_answers)}题，正确率{percent(accuracy)}。"
        ))

    story.append(w.h1("发现问题及整改"))
    story.extend(_findings(w, visit))

    story.append(w.h1("附件"))
    story.extend(_attachments(w, visit))
    story.append(w.h1("签字"))
    story.append(w.signatures(("督导组组长", "记录人")))
    return Document(title=f"{TITLE}（{unit_name}，{display.date_text(visit.started_at)}）", author=group, subject=visit.id,
                    record_label=f"督导记录 {visit.id}", story=story, issuer=group)


def _assessment(w: Writer, visit) -> list:
    assessment = visits.assessment_of(visit)
    if assessment is None:
        return [w.para("本次督导未作评估。")]
    tpl = display.template_of(assessment)
    out = [w.h2("督导重点")]
    rows = []
    ratings = display.entries(assessment.focus_ratings, "rating", "evidence")
    for item in tpl.focus_items:
        entry = ratings.get(item["id"])
        rows.append([item["name"], display.scale_text(entry["rating"], tpl.scale("focus")) if entry else "未评定",
                     entry["evidence"] if entry else ""])
    out.append(w.table(("督导重点", "评定", "依据"), rows, (62, 18, 76), center_columns=(1,)))
    out.append(w.blank(0.5))
    out.append(w.h2("防止五种倾向"))
    rows, fills = [], []
    scale = tpl.scale("tendency")
    levels = display.entries(assessment.tendency_levels, "level", "evidence")
    for index, item in enumerate(tpl.tendencies):
        entry = levels.get(item["id"])
        position = display.on_scale(entry["level"], scale) if entry else None
        if position is not None:
            fills.append((index, 1, level_fill(position)))
        rows.append([item["name"], display.scale_text(entry["level"], scale) if entry else "未评定",
                     entry["evidence"] if entry else ""])
    out.append(w.table(("倾向", "程度", "依据"), rows, (62, 18, 76), center_columns=(1,), fills=fills))
    return out


def _findings(w: Writer, visit) -> list:
    rows = [r for r in findings.ledger(visit.unit_id) if r.finding.visit_id == visit.id]
    if not rows:
        return [w.para("本次督导未发现问题。")]
    rows.sort(key=lambda r: (r.finding.found_on, r.finding.created_at))
    data, marked = [], []
    for n, row in enumerate(rows, 1):
        finding = row.finding
        rect = row.rectification
        problem = finding.description + (f"\n涉及：{row.leader_name}" if row.leader_name else "")
        kind = finding.category + (f"\n{finding.sub_kind}" if finding.sub_kind else "") + f"\n（{finding.severity}）"
        winds = findings.four_winds_text(finding)
        kind += f"\n四风：{winds}" if winds else ""
        measure = (f"{rect.measure}\n责任人：{rect.responsible}\n时限：{display.date_text(rect.deadline)}" if rect else "—")
        data.append([str(n), problem, kind, measure, completion_text(row)])
        if row.overdue:
            marked.append(n - 1)
    return [
        w.para(f"本次督导发现问题{len(rows)}个。"),
        w.table(("序号", "问题", "类别", "整改措施", "完成情况"), data, (11, 43, 31.5, 38.5, 32),
                center_columns=(0,), marked_rows=marked),
    ]


def _attachments(w: Writer, visit) -> list:
    items = attachments.list_attachments(visit)
    if not items:
        return [w.para("无。")]
    out, listed = [], []
    for n, att in enumerate(items, 1):
        label = f"附件{n}：{att.filename}（{_size_text(att.size)}）"
        if att.mime_type.startswith("image/"):
            try:
                path = attachments.verified_path(att)
                image = w.image(path)
            except SupervisorError as exc:
                listed.append(f"{label}——{exc.message}")
                continue
            except Exception:  # an image format the PDF library cannot read: list the file instead
                listed.append(f"{label}——图片无法嵌入，请查看原文件")
                continue
            out.append(w.keep_with_next(image, w.small(label)))
            out.append(w.blank(0.3))
        else:
            listed.append(label)
    out.extend(w.para(text, w.styles.plain) for text in listed)
    return out


def _size_text(size) -> str:
    number = display.count(size)
    if number is None or number < 0:
        return display.count_text(size) if number is None else display.odd(size, display.INVALID_NUMBER)
    return f"{number / 1024:.0f} KB" if number < 1024 * 1024 else f"{number / 1024 / 1024:.1f} MB"


def batch_targets(*, date_from=None, date_to=None) -> list[tuple[str, str]]:
    """Every visit of the period, oldest first."""
    rows = visits.visit_rows(visits.VisitFilter(date_from=date_from, date_to=date_to), descending=False,
                             limit=visits.count_visits(visits.VisitFilter(date_from=date_from, date_to=date_to)))
    return [(r.id, f"{r.started_at[:10]}-{r.unit_name}-{TITLE}-{r.id[:8]}") for r in rows]
