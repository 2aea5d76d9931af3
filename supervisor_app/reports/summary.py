"""督导工作汇总: for the office and the standing committee — every unit's tendency levels (a
heat table), a ranking, overdue rectifications, quiz accuracy by unit, visits per unit and
per group."""

from __future__ import annotations

from dataclasses import dataclass

from .. import assessments, campaigns, findings, quiz, units, visits
from ..clock import chinese_date, today
from ..template import Template
from . import calibration_section
from .common import completion_text, finding_text, group_order, issuer, level_fill, period_text, stacked_date
from .layout import Document, Writer, chinese_number, percent

TITLE = "督导工作汇总"
DISTRIBUTION = (("报送", "市委常委会，市委教育实践活动领导小组。"), ("抄送", "各督导组。"))
OVERDUE_LISTED = 100  # the committee reads the longest overdue; the ledgers hold every one


@dataclass
class Figures:
    """What the summary is made of over a period, read once: the PDF and the workbook
    (export_xlsx_sources.summary_tables) both show these, so they cannot disagree."""

    tpl: Template
    paths: list[tuple[str, str]]  # (unit id, unit path), in the units' order
    name_of: dict[str, str]
    levels: dict  # unit id → the latest tendency levels
    ranking: list  # (rank, unit id, score)
    unit_visits: dict
    group_visits: dict
    accuracy: dict  # unit id → (people tested, accuracy)
    rows: list  # the ledger rows of findings found in the period
    overdue: list  # those overdue, longest first


def figures(date_from=None, date_to=None) -> Figures:
    tpl = campaigns.active_template()
    paths = units.unit_paths()
    levels = assessments.latest_tendencies_by_unit(date_from, date_to)
    rows = [
        r for r in findings.ledger()
        if (not date_from or r.finding.found_on >= date_from) and (not date_to or r.finding.found_on <= date_to)
    ]
    return Figures(
        tpl, paths, dict(paths), levels, assessments.tendency_ranking(levels, tpl),
        visits.visit_counts(date_from, date_to), visits.visit_counts(date_from, date_to, by="group"),
        quiz.accuracy_by_unit(date_from, date_to), rows,
        sorted((r for r in rows if r.overdue), key=lambda r: (r.rectification.deadline, r.unit_name)),
    )


def build(w: Writer, *, record_id: str | None = None, date_from=None, date_to=None) -> Document:
    """The summary of every unit and group over the period."""
    f = figures(date_from, date_to)
    tpl, paths, name_of, levels, ranking = f.tpl, f.paths, f.name_of, f.levels, f.ranking
    unit_visits, group_visits, accuracy, rows, overdue = f.unit_visits, f.group_visits, f.accuracy, f.rows, f.overdue
    period = period_text(date_from, date_to)
    on = today()

    story = [w.title(TITLE), w.subtitle(f"（{period}）")]
    story.append(w.h1("总体情况"))
    people = sum(p for p, _ in accuracy.values())
    story.append(w.para(
        f"{period}，{sum(1 for g, n in group_visits.items() if g and n)}个督导组到{len(unit_visits)}个单位督导"
        f"{sum(unit_visits.values())}次，对{len(levels)}个单位作出倾向评估；发现问题{len(rows)}个，"
        f"截至{chinese_date(on)}整改逾期{len(overdue)}个；知识问答参测{people}人次，"
        f"平均正确率{percent(_mean_accuracy(accuracy))}。"
    ))

    story.append(w.h1("各单位防止五种倾向评定"))
    assessed = [(unit_id, path) for unit_id, path in paths if levels.get(unit_id)]
    unassessed = len(paths) - len(assessed)
    if assessed:
        story.append(w.para(
            f"期间内作出倾向评估的{len(assessed)}个单位最近一次评估的评定如下，颜色越深倾向越明显"
            + (f"；另有{unassessed}个单位期间内没有倾向评估，不再列出。" if unassessed else "。")))
        story.append(_heat_table(w, assessed, levels, tpl))
    else:
        story.append(w.para("期间内没有倾向评估。"))
    story.append(w.small("倾向一至倾向" + chinese_number(len(tpl.tendencies)) + "依次为：" + "；".join(
        f"{chinese_number(i)}、{t['name']}" for i, t in enumerate(tpl.tendencies, 1))))

    story.append(w.h1("倾向问题排名"))
    story.extend(_ranking(w, ranking, name_of, levels, tpl))

    story.append(w.h1("整改逾期事项"))
    story.extend(_overdue(w, overdue, on, name_of))

    story.append(w.h1("各单位督导和知识问答情况"))
    story.extend(_unit_table(w, paths, unit_visits, rows, accuracy))

    story.append(w.h1("各督导组督导情况"))
    story.append(_group_table(w, group_visits))

    story.append(w.h1("各督导组评定尺度校准"))
    story.extend(calibration_section.section(w, date_from, date_to))
    label = f"督导工作汇总（{period}）"
    return Document(title=f"{TITLE}（{period}）", author=issuer(), subject=label, record_label=label, story=story,
                    issuer=issuer(), distribution=DISTRIBUTION)


def _mean_accuracy(accuracy: dict[str, tuple[int, float]]) -> float:
    """Accuracy over everyone tested (weighted by people, as the per-unit figures are)."""
    people = sum(p for p, _ in accuracy.values())
    return sum(p * a for p, a in accuracy.values()) / people if people else 0.0


def _heat_table(w: Writer, paths, levels, tpl):
    scale = tpl.scale("tendency")
    header = ["序号", "单位", *(f"倾向{chinese_number(i)}" for i in range(1, len(tpl.tendencies) + 1))]
    rows, fills = [], []
    for r, (unit_id, path) in enumerate(paths):
        unit_levels = levels.get(unit_id, {})
        row = [str(r + 1), path]
        for c, item in enumerate(tpl.tendencies, 2):
            level = unit_levels.get(item["id"])
            row.append(level or "—")
            if level in scale:
                fills.append((r, c, level_fill(assessments.tendency_score(level, tpl))))
        rows.append(row)
    columns = len(header)
    return w.table(header, rows, (12, 44, *([20] * len(tpl.tendencies))),
                   center_columns=[0, *range(2, columns)], fills=fills)


def _ranking(w: Writer, ranking, name_of, levels, tpl) -> list:
    if not ranking:
        return [w.para("期间内没有倾向评估。")]
    scale = tpl.scale("tendency")
    marked_level = scale[-2] if len(scale) > 1 else scale[-1]
    rows = []
    for rank, unit_id, score in ranking:
        serious = [
            f"倾向{chinese_number(i)}（{levels[unit_id][t['id']]}）"
            for i, t in enumerate(tpl.tendencies, 1)
            if levels[unit_id].get(t["id"]) in scale
            and assessments.tendency_score(levels[unit_id][t["id"]], tpl) >= assessments.tendency_score(marked_level, tpl)
        ]
        rows.append([str(rank), name_of.get(unit_id, unit_id), str(score), "、".join(serious) or "—"])
    return [
        w.para(f"按最近一次评估各倾向的程度计分（{'、'.join(f'{lv}{i}分' for i, lv in enumerate(scale))}），"
               "分值越高，倾向性问题越突出。"),
        w.table(("名次", "单位", "分值", f"{marked_level}及以上的倾向"), rows, (14, 62, 16, 64),
                center_columns=(0, 2)),
    ]


def _overdue(w: Writer, rows, on, name_of: dict[str, str]) -> list:
    if not rows:
        return [w.para(f"截至{chinese_date(on)}，没有整改逾期的问题。")]
    shown = rows[:OVERDUE_LISTED]
    data = [
        # the unit with its parents: village names repeat across townships
        [str(n), name_of.get(row.finding.unit_id, row.unit_name), finding_text(row), row.rectification.responsible,
         stacked_date(row.rectification.deadline), completion_text(row)]
        for n, row in enumerate(shown, 1)
    ]
    intro = f"截至{chinese_date(on)}，超过整改时限仍未完成的问题{len(rows)}个，"
    intro += "按时限先后排列如下。" if len(shown) == len(rows) else f"以下列出逾期最久的{len(shown)}个。"
    out = [
        w.para(intro),
        w.table(("序号", "单位", "问题", "责任人", "时限", "完成情况"), data, (12, 30, 48, 18, 22, 26),
                center_columns=(0, 3, 4), marked_rows=range(len(data))),
    ]
    if len(shown) < len(rows):
        out.append(w.small(f"其余{len(rows) - len(shown)}个见各单位的问题整改台账；各单位逾期数见下节。"))
    return out


def _unit_table(w: Writer, paths, unit_visits, rows, accuracy):
    found: dict[str, int] = {}
    late: dict[str, int] = {}
    for row in rows:
        found[row.finding.unit_id] = found.get(row.finding.unit_id, 0) + 1
        if row.overdue:
            late[row.finding.unit_id] = late.get(row.finding.unit_id, 0) + 1
    active = [(unit_id, path) for unit_id, path in paths
              if unit_visits.get(unit_id) or found.get(unit_id) or accuracy.get(unit_id, (0, None))[0]]
    if not active:
        return [w.para("期间内没有督导、发现问题或知识问答的记录。")]
    quiet = len(paths) - len(active)
    intro = w.para(f"期间内有督导、发现问题或知识问答记录的{len(active)}个单位如下"
                   + (f"；其余{quiet}个单位期间内没有这些记录，不再列出。" if quiet else "。"))
    data = []
    for n, (unit_id, path) in enumerate(active, 1):
        people, rate = accuracy.get(unit_id, (0, None))
        data.append([
            str(n), path, str(unit_visits.get(unit_id, 0)), str(found.get(unit_id, 0)), str(late.get(unit_id, 0)),
            str(people) if people else "—", percent(rate) if people else "—",
        ])
    return [intro, w.table(("序号", "单位", "督导次数", "发现问题", "整改逾期", "参测人数", "正确率"), data,
                           (12, 44, 20, 20, 20, 20, 20), center_columns=(0, 2, 3, 4, 5, 6))]


def _group_table(w: Writer, group_visits):
    groups = sorted(campaigns.list_groups(), key=lambda g: group_order(g.name))
    assigned: dict[str, int] = {}
    for unit in units.list_units():
        if unit.group_id:
            assigned[unit.group_id] = assigned.get(unit.group_id, 0) + 1
    data = [
        [str(n), group.name, str(assigned.get(group.id, 0)), str(group_visits.get(group.id, 0))]
        for n, group in enumerate(groups, 1)
    ]
    unassigned = group_visits.get(None, 0)
    if unassigned:
        data.append([str(len(data) + 1), "未注明督导组", "—", str(unassigned)])
    data.append(["", "合计", str(sum(assigned.values())), str(sum(group_visits.values()))])
    return w.table(("序号", "督导组", "负责单位数", "督导次数"), data, (14, 70, 36, 36), center_columns=(0, 2, 3))
