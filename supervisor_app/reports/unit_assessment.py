"""单位督导评估: one unit over a period — every visit's assessment, the five tendencies with
level and evidence and a chart of their levels over time, the focus items, quiz accuracy
and the findings still open."""

from __future__ import annotations

from .. import assessments, campaigns, display, findings, quiz, units, visits
from . import ledger
from .charts import level_chart
from .common import group_name, level_fill, period_text
from .layout import Document, Writer, chinese_number, percent

TITLE = "单位督导评估"


def build(w: Writer, *, record_id: str | None, date_from=None, date_to=None) -> Document:
    """The assessment of unit ``record_id`` over the period; NotFoundError for an unknown unit."""
    unit = units.get_unit(record_id)
    tpl = campaigns.active_template()
    rated = assessments.unit_assessments(unit.id, date_from, date_to)
    visit_count = visits.count_visits(visits.VisitFilter(unit_id=unit.id, date_from=date_from, date_to=date_to))
    quizzes = quiz.unit_quizzes(unit.id, date_from, date_to)
    open_rows = [r for r in findings.ledger(unit.id, open_only=True)]
    group = group_name(unit.group_id)
    period = period_text(date_from, date_to)

    story = [w.title(TITLE), w.subtitle(f"（{period}）")]
    story.append(w.fields([
        ("被督导单位", units.unit_path(unit)),
        ("单位类别", unit.kind),
        ("督导组", group),
        ("评估期间", period),
        ("督导次数", f"{visit_count}次（其中作出评估{len(rated)}次）"),
    ]))

    latest = _latest_levels(rated, tpl)
    story.append(w.h1("总体情况"))
    story.append(w.para(_overview(visit_count, rated, latest, quizzes, open_rows, tpl)))

    story.append(w.h1("防止五种倾向"))
    story.extend(_tendencies(w, rated, latest, tpl))

    story.append(w.h1("督导重点"))
    story.extend(_focus(w, rated, tpl))

    story.append(w.h1("知识问答"))
    story.extend(_quizzes(w, quizzes))

    story.append(w.h1("未销号问题"))
    story.extend(_open_findings(w, open_rows))
    return Document(title=f"{TITLE}（{unit.name}）", author=group, subject=unit.id,
                    record_label=f"单位 {unit.id}（{period}）", story=story, issuer=group)


def _levels(assessment) -> dict[str, dict[str, str]]:
    return display.entries(assessment.tendency_levels, "level", "evidence")


def _ratings(assessment) -> dict[str, dict[str, str]]:
    return display.entries(assessment.focus_ratings, "rating", "evidence")


def _latest_levels(rated, tpl) -> dict[str, tuple[str, str, str]]:
    """tendency id → (level, evidence, date) from the latest assessment that levelled it."""
    latest: dict[str, tuple[str, str, str]] = {}
    for assessment in rated:
        levels = _levels(assessment)
        for item in tpl.tendencies:
            entry = levels.get(item["id"])
            if entry and (entry["level"] or entry["evidence"]):
                latest[item["id"]] = (entry["level"], entry["evidence"], assessment.visit.started_at)
    return latest


def _quiz_totals(quizzes) -> tuple[int, int, float | None]:
    """People tested, correct answers and accuracy over the quiz records whose counts can be read."""
    counted = [q for q in quizzes if display.accuracy(q.people_tested, q.questions, q.correct_answers) is not None]
    people = sum(q.people_tested for q in counted)
    correct = sum(q.correct_answers for q in counted)
    asked = sum(q.people_tested * q.questions for q in counted)
    return people, correct, display.accuracy(1, asked, correct) if counted else None


def _overview(visit_count, rated, latest, quizzes, open_rows, tpl) -> str:
    if not visit_count:
        return "评估期间内，督导组未到该单位督导。"
    text = f"评估期间内，督导组到该单位督导{visit_count}次，作出评估{len(rated)}次。"
    scale = tpl.scale("tendency")
    positions = {item_id: display.on_scale(level, scale) for item_id, (level, _e, _d) in latest.items()}
    serious = [
        f"{item['name']}（{latest[item['id']][0]}）"
        for item in tpl.tendencies
        if positions.get(item["id"]) is not None and positions[item["id"]] >= len(scale) - 2
    ]
    if serious:
        text += f"最近评估显示，需重点关注：{'；'.join(serious)}。"
    elif latest:
        text += "最近评估未发现明显倾向性问题。"
    if quizzes:
        people, _correct, rate = _quiz_totals(quizzes)
        text += f"知识问答{len(quizzes)}次，参测{people}人次，正确率{percent(rate)}。"
    overdue = sum(1 for r in open_rows if r.overdue)
    text += f"尚未销号的问题{len(open_rows)}个" + (f"，其中整改逾期{overdue}个。" if overdue else "。")
    return text


def _tendencies(w: Writer, rated, latest, tpl) -> list:
    out = [w.h2("最近评定")]
    scale = tpl.scale("tendency")
    rows, fills = [], []
    for index, item in enumerate(tpl.tendencies):
        level, evidence, when = latest.get(item["id"], ("未评定", "", ""))
        position = display.on_scale(level, scale)
        if position is not None:
            fills.append((index, 1, level_fill(position)))
        shown = display.scale_text(level, scale) if item["id"] in latest else level
        rows.append([item["name"], shown, f"{evidence}\n（{display.date_text(when)}）" if when else ""])
    out.append(w.table(("倾向", "程度", "依据"), rows, (62, 18, 76), center_columns=(1,), fills=fills))
    if not rated:
        return out
    out.append(w.h2("变化情况"))
    series = []
    for index, item in enumerate(tpl.tendencies, 1):
        points = []
        for assessment in rated:
            entry = _levels(assessment).get(item["id"])
            if entry and display.parse_date(assessment.visit.started_at):  # a point needs a date and a level
                position = display.on_scale(entry["level"], display.template_of(assessment).scale("tendency"))
                if position is not None:
                    points.append((assessment.visit.started_at, position))
        series.append((f"倾向{chinese_number(index)}", points))
    out.append(level_chart(series, scale, w.fonts.font("body")))
    out.append(w.small("图中倾向一至倾向五依次为：" + "；".join(
        f"{chinese_number(i)}、{item['name']}" for i, item in enumerate(tpl.tendencies, 1))))
    out.append(w.blank(0.3))
    header = ["督导日期", *(f"倾向{chinese_number(i)}" for i in range(1, len(tpl.tendencies) + 1))]
    rows, fills = [], []
    for r, assessment in enumerate(rated):
        row = [display.date_text(assessment.visit.started_at)]
        levels = _levels(assessment)
        for c, item in enumerate(tpl.tendencies, 1):
            entry = levels.get(item["id"])
            row.append(display.scale_text(entry["level"], scale) or "—" if entry else "—")
            position = display.on_scale(entry["level"], scale) if entry else None
            if position is not None:
                fills.append((r, c, level_fill(position)))
        rows.append(row)
    out.append(w.table(header, rows, (36, *([24] * len(tpl.tendencies))), center_columns=range(len(header)),
                       fills=fills))
    return out


def _focus(w: Writer, rated, tpl) -> list:
    if not rated:
        return [w.para("评估期间内没有评估记录。")]
    scale = tpl.scale("focus")
    rows = []
    for item in tpl.focus_items:
        last = next(((a, _ratings(a)[item["id"]]) for a in reversed(rated) if item["id"] in _ratings(a)), None)
        if last is None:
            rows.append([item["name"], "未评定", ""])
        else:
            assessment, entry = last
            rows.append([item["name"], display.scale_text(entry["rating"], scale),
                         f"{entry['evidence']}\n（{display.date_text(assessment.visit.started_at)}）"])
    out = [w.h2("最近评定"), w.table(("督导重点", "评定", "依据"), rows, (62, 18, 76), center_columns=(1,))]
    out.append(w.h2("历次评定"))
    header = ["督导日期", *(f"重点{chinese_number(i)}" for i in range(1, len(tpl.focus_items) + 1))]
    rows = [
        [display.date_text(a.visit.started_at),
         *(display.scale_text((_ratings(a).get(i["id"]) or {}).get("rating"), scale) or "—" for i in tpl.focus_items)]
        for a in rated
    ]
    out.append(w.table(header, rows, (36, *([30] * len(tpl.focus_items))), center_columns=range(len(header))))
    out.append(w.small("重点一至重点" + chinese_number(len(tpl.focus_items)) + "依次为：" + "；".join(
        f"{chinese_number(i)}、{item['name']}" for i, item in enumerate(tpl.focus_items, 1))))
    return out


def _quizzes(w: Writer, quizzes) -> list:
    if not quizzes:
        return [w.para("评估期间内未进行知识问答。")]
    rows = [
        [display.date_text(q.visit.started_at), display.count_text(q.people_tested), display.count_text(q.questions),
         display.count_text(q.correct_answers), percent(display.accuracy(q.people_tested, q.questions, q.correct_answers))]
        for q in quizzes
    ]
    people, correct, rate = _quiz_totals(quizzes)
    rows.append(["合计", str(people), "—", str(correct), percent(rate)])
    return [w.table(("督导日期", "参测人数", "每人题数", "答对题数", "正确率"), rows, (44, 28, 28, 28, 28),
                    center_columns=range(5))]


def _open_findings(w: Writer, rows) -> list:
    if not rows:
        return [w.para("没有未销号的问题。")]
    return [ledger.table(w, rows)]  # the ledger's own columns


def batch_targets(*, date_from=None, date_to=None) -> list[tuple[str, str]]:
    """Every unit visited in the period, in tree order."""
    visited = visits.visit_counts(date_from, date_to)
    return [(uid, f"{path.replace(' / ', '-')}-{TITLE}") for uid, path in units.unit_paths() if visited.get(uid)]
