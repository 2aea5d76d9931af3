"""活动进度: the campaign's stages with their dates, each 规定动作 of a unit (or of every unit,
by group and then unit) with its measure, due date, state and evidence in words, and the
民意调查 results with any extension of the campaign ("延长活动时间至…")."""

from __future__ import annotations

from dataclasses import replace

from .. import display, progress, surveys, units
from ..clock import chinese_date, today
from ..models import Unit, alive
from .common import group_name, group_order, issuer, stacked_date
from .layout import Document, Writer

TITLE = "活动进度"
STAGE_HEADER = ("序号", "环节", "起止时间")
STAGE_WIDTHS = (14, 70, 70)
HEADER = ("序号", "规定动作", "标准", "时限", "完成情况", "佐证")
# mm, in 五号 (3.656 mm a character, 2.1 mm of padding): 规定动作 9 characters a line, 标准 须有文件材料
# whole (a minimum below its target on a line of its own), 时限 10月16日, 完成情况 a date
# (2014年10月16日), 佐证 the rest.
WIDTHS = (9.7, 38.3, 26, 19, 28, 35)
SURVEY_HEADER = ("名次", "单位", "样本", "满意", "基本满意", "不满意", "满意率", "延长活动时间")
SURVEY_WIDTHS = (14, 35, 13, 13, 19, 16, 16, 30)  # 名次 22/23, 基本满意 and 2014年11月29日 whole
TABLE_SIZE = 10.5  # 五号
STATE_ORDER = ("done", "not_applicable", "due", "overdue")
NO_GROUP = "未分配督导组的单位"


def build(w: Writer, *, record_id: str | None, date_from=None, date_to=None) -> Document:
    """The progress of unit ``record_id``, or of every unit this installation follows."""
    on = today()
    plan = progress.current_plan()
    unit = units.get_unit(record_id) if record_id else None
    states = progress.progress(unit.id if unit else None, on)
    group = group_name(unit.group_id if unit else None)
    scope = units.unit_path(unit) if unit else "全部单位"
    story = [w.title(TITLE), w.subtitle(f"（{scope}）")]
    story.append(w.para(summary(states, on, unit is None)))

    story.append(w.h1("活动环节"))
    story.append(w.para(f"按照《{plan.name}》（第{plan.version}版），活动分{len(plan.stages)}个环节压茬进行："))
    stage_rows = [[str(n), s["name"], f"{display.date_text(s['start'])}至{display.date_text(s['end'])}"]
                  for n, s in enumerate(plan.stages, 1)]
    story.append(w.table(STAGE_HEADER, stage_rows, STAGE_WIDTHS, center_columns=(0,), size=TABLE_SIZE))
    current = next((s for s in plan.stages if s["start"] <= on.isoformat() <= s["end"]), None)
    if current is not None:
        story.append(w.para(f"截至{chinese_date(on)}，活动处于“{current['name']}”环节。"))

    story.append(w.h1("规定动作完成情况"))
    if not states:
        story.append(w.para("没有适用的规定动作。"))
    elif unit is not None:
        story.append(table(w, states))
    else:
        by_group: dict[str | None, list[progress.ActionState]] = {}
        for state in states:
            by_group.setdefault(state.group_id, []).append(state)
        names = {gid: (group_name(gid) if gid else NO_GROUP) for gid in by_group}
        unit_heading = replace(w.styles.h2, align="justify")
        for gid in sorted(by_group, key=lambda g: (g is None, group_order(names[g]))):
            story.append(w.h2(names[gid]))
            by_unit: dict[str, list[progress.ActionState]] = {}
            for state in by_group[gid]:
                by_unit.setdefault(state.unit_id, []).append(state)
            story.append(w.para(summary(by_group[gid], on, True).replace(f"截至{chinese_date(on)}，", "", 1)))
            paths = _paths(by_unit)
            for n, unit_id in enumerate(sorted(by_unit, key=lambda u: paths[u][0]), 1):
                # a third-level heading (1．) in the body face; a long one is justified like the text
                story.append(w.grid(f"{n}．{paths[unit_id][1]}", unit_heading, "body"))
                story.append(table(w, by_unit[unit_id]))
    story.append(w.small(f"注：底色标红的为截至{chinese_date(on)}超过时限仍未完成的规定动作；"
                         "“不适用”为活动安排允许、经督导组确认并写明理由的项目。"))

    story.append(w.h1("群众满意度民意调查"))
    story += survey_part(w, unit, plan)
    return Document(title=f"{TITLE}（{unit.name if unit else '全部单位'}）", author=group,
                    subject=unit.id if unit else "全部单位",
                    record_label=f"单位 {unit.id}" if unit else "全部单位", story=story, issuer=issuer())


def _paths(by_unit: dict) -> dict[str, tuple[int, str]]:
    """(tree position, path) of each unit with states."""
    order = {uid: (i, path) for i, (uid, path) in enumerate(units.unit_paths())}
    return {uid: order.get(uid, (len(order), uid)) for uid in by_unit}


def counts(states: list[progress.ActionState]) -> dict[str, int]:
    """How many actions are in each state."""
    return {key: sum(1 for s in states if s.state == key) for key in STATE_ORDER}


def summary(states: list[progress.ActionState], on, every: bool) -> str:
    """The opening paragraph: how many actions, how many in each state."""
    if not states:
        return f"截至{chinese_date(on)}，没有适用的规定动作。"
    n = counts(states)
    text = f"截至{chinese_date(on)}，"
    if every:
        text += f"{len({s.unit_id for s in states})}个单位"
    text += (f"共有规定动作{len(states)}项：已完成{n['done']}项，不适用{n['not_applicable']}项，"
             f"待完成{n['due']}项，已逾期{n['overdue']}项。")
    return text


def state_text(state: progress.ActionState) -> str:
    """已完成 with its date (and amount), or the state's name."""
    if state.state == "done":
        text = f"已完成\n{display.date_text(state.done_on)}"
        if state.amount is not None:
            text += f"\n完成{state.amount}{_unit_word(state)}"
        return text
    return state.state_label


def _unit_word(state: progress.ActionState) -> str:
    return "天" if state.measure.split("（")[0].endswith("天") else "次"


def evidence_text(state: progress.ActionState) -> str:
    """The evidence in words (a visit's date and methods, a file's name), or the reason."""
    if state.state == "not_applicable":
        return f"理由：{state.reason}" if state.reason else "—"
    if state.state != "done":
        return "—"
    return "\n".join(item.get("text", "") for item in state.evidence) or "—"


def table(w: Writer, states: list[progress.ActionState]):
    """One unit's 规定动作: 序号 | 规定动作 | 标准 | 时限 | 完成情况 | 佐证; overdue rows marked."""
    data, marked = [], []
    for n, state in enumerate(states, 1):
        data.append([str(n), state.action_name, state.measure.replace("（", "\n（", 1), stacked_date(state.due), state_text(state),
                     evidence_text(state)])
        if state.state == "overdue":
            marked.append(n - 1)
    return w.table(HEADER, data, WIDTHS, center_columns=(0, 3, 4), marked_rows=marked, size=TABLE_SIZE)


def survey_part(w: Writer, unit: Unit | None, plan) -> list:
    """Each round held: the ranking (one unit: its own line), the line, and the units extended."""
    rule = plan.survey_rule
    out = []
    rows = surveys.all_results(plan)
    if unit is not None:
        rows = [r for r in rows if r.unit_id == unit.id]
    if not rows:
        if unit is not None and unit.kind not in rule["unit_kinds"]:
            return [w.para(f"民意调查只对{'、'.join(rule['unit_kinds'])}排名，本单位不参加排名。")]
        return [w.para("还没有民意调查结果。")]
    out.append(w.para(
        f"满意率为满意和基本满意人数占样本数的比例。满意率低于{rule['satisfaction_line_percent']}%或排名靠后"
        f"（最后{rule['bottom_ranks']}名）的单位，延长活动时间{rule['extend_days']}天，继续整改。"))
    rounds: dict[str, list[surveys.SurveyRow]] = {}
    for row in rows:
        rounds.setdefault(row.survey_id, []).append(row)
    for rows_of_round in rounds.values():
        first = rows_of_round[0]
        survey = plan.survey(first.survey_id) or {}
        out.append(w.h2(f"{first.survey_name}（{display.date_text(survey.get('on'))}）"))
        data, marked = [], []
        for i, row in enumerate(rows_of_round):
            data.append([f"{row.rank}/{row.of}", row.unit_name, str(row.sample), str(row.satisfied),
                         str(row.basically_satisfied), str(row.unsatisfied), f"{row.rate:.1f}%",
                         f"延长至\n{display.date_text(row.extended_until)}" if row.extended else "—"])
            if row.extended:
                marked.append(i)
        out.append(w.table(SURVEY_HEADER, data, SURVEY_WIDTHS, center_columns=(0, 2, 3, 4, 5, 6, 7),
                           marked_rows=marked, size=TABLE_SIZE))
        extended = [r for r in rows_of_round if r.extended]
        if extended:
            out.append(w.para("；".join(f"{r.unit_name}{_why(r, rule)}，延长活动时间至{display.date_text(r.extended_until)}"
                                       for r in extended) + "。"))
        elif unit is not None:
            out.append(w.para(f"本单位满意率{first.rate:.1f}%，排名第{first.rank}名，不需延长活动时间。"))
    return out


def _why(row: surveys.SurveyRow, rule: dict) -> str:
    """Why a unit is extended, in words that keep each number with its unit."""
    reasons = []
    if row.below_line:
        reasons.append(f"满意率{row.rate:.1f}%，低于{rule['satisfaction_line_percent']}%")
    if "排名靠后" in row.why:
        reasons.append(f"排名靠后（{row.of}个单位中第{row.rank}名）")
    return "，".join(reasons)


def batch_targets(*, date_from=None, date_to=None) -> list[tuple[str, str]]:
    """Every unit that owes 规定动作, in tree order."""
    live = {u.id for u in Unit.select(Unit.id).where(alive(Unit))}
    return [(uid, f"{path.replace(' / ', '-')}-{TITLE}") for uid, path in units.unit_paths() if uid in live]

