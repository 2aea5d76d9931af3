"""专题民主生活会 supervision: the record of a leadership team's meeting the group attended, and
the dated facts it offers the 纪实 of the leaders present and of the team.

This module parses what the window and the CLI give (records or ids, loose dates) into the
stored form; what a stored meeting must satisfy lives in rules/meetings.py and holds on every
path (here, bundle import, restore). Facts are proposed through evaluation_facts.propose (which
reads ``fact_sources`` here), the one proposal mechanism: a person accepts or rejects each;
meeting_facts.py adds them to the drafts of the people present.
"""

from __future__ import annotations

from collections import Counter

from . import campaigns, changelog, display, installation, progress
from . import validate as check
from .errors import NotFoundError, ValidationError
from .models import (
    FOUR_WINDS,
    DemocraticMeeting,
    EvaluationRecord,
    Leader,
    LeadershipTeam,
    Member,
    Unit,
    alive,
    database,
)

FINAL_LABELS = {True: "已定稿", False: "未定稿"}


def get_meeting(meeting_id) -> DemocraticMeeting:
    if isinstance(meeting_id, DemocraticMeeting):
        meeting_id = meeting_id.id
    found = (DemocraticMeeting.get_or_none((DemocraticMeeting.id == meeting_id) & alive(DemocraticMeeting))
             if isinstance(meeting_id, str) and meeting_id else None)
    if found is None:
        raise NotFoundError(f"找不到专题民主生活会记录：{meeting_id}。", field="meeting")
    return found


def _id(value) -> str | None:
    if value is None or value == "":
        return None
    return value.id if hasattr(value, "id") else str(value).strip()


def _live(model, value, field: str, label: str):
    record_id = _id(value)
    found = model.get_or_none((model.id == record_id) & alive(model)) if record_id else None
    if found is None:
        raise NotFoundError(f"找不到{label}：{record_id or '（未选择）'}。", field=field)
    return found


def _ids(values, model, field: str, label: str) -> list[str]:
    """Distinct ids, in the order given, each of a live record."""
    if values is None:
        return []
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise ValidationError(f"{label}应为列表。", field=field)
    ids = list(dict.fromkeys(_id(v) for v in values if _id(v)))
    if ids:
        found = {r.id for r in model.select(model.id).where(alive(model) & model.id.in_(ids))}
        missing = [i for i in ids if i not in found]
        if missing:
            raise ValidationError(f"{label}不存在：{'、'.join(missing)}。", field=field)
    return ids


def _leader_id(value, field: str, label: str) -> str | None:
    """A leader named in a part of the meeting: a live one, or None when none is given."""
    if _id(value) is None:
        return None
    return _live(Leader, value, field, label).id


def _materials(values) -> list[dict]:
    out = []
    for item in _dicts(values, "materials", "对照检查材料"):
        drafts = []
        for draft in _dicts(item.get("drafts"), "materials", "对照检查材料的修改稿"):
            drafts.append({"on_date": check.iso_date(draft.get("on_date"), "materials", "修改稿日期"),
                           "reviewer": check.clean_text(draft.get("reviewer"))})
        drafts.sort(key=lambda d: d["on_date"])
        out.append({"leader": _leader_id(item.get("leader"), "materials", "对照检查材料的撰写人"),
                    "drafts": drafts, "final": bool(item.get("final"))})
    return out


def _talks(values) -> list[dict]:
    out = []
    for item in _dicts(values, "talks", "谈心谈话"):
        done = bool(item.get("done", True))
        count = item.get("count")
        if count in (None, ""):
            count = 1 if done else 0
        out.append({"leader": _leader_id(item.get("leader"), "talks", "谈话人"),
                    "with": _leader_id(item.get("with"), "talks", "谈话对象"),
                    "done": done, "count": check.integer(count, "talks", "谈心谈话次数")})
    return out


def _problems(values) -> list[dict]:
    out = []
    for item in _dicts(values, "problems", "查摆问题"):
        out.append({"wind": check.clean_text(item.get("wind")), "text": check.clean_text(item.get("text")),
                    "leader": _leader_id(item.get("leader"), "problems", "查摆问题所涉的班子成员")})
    return out


def _dicts(values, field: str, label: str) -> list[dict]:
    if values is None:
        return []
    if not isinstance(values, list | tuple) or not all(isinstance(v, dict) for v in values):
        raise ValidationError(f"{label}的格式不对。", field=field)
    return list(values)


def _clean(values: dict, meeting: DemocraticMeeting | None = None) -> dict:
    """Parse a meeting's values into the stored form; the rules check the result on write."""
    clean: dict = {}
    if meeting is None or "unit" in values or "team" in values:
        unit = _live(Unit, values.get("unit", meeting.unit_id if meeting else None), "unit", "单位")
        team = _live(LeadershipTeam, values.get("team", meeting.team_id if meeting else None), "team", "领导班子")
        clean.update(unit=unit.id, team=team.id)
        if meeting is None:
            ctx = installation.context()  # a group records its own; the office, the unit's group's
            group = ctx.group_id if ctx.role == "field" else values.get("group") or unit.group_id
            clean["group"] = _id(group)
            tpl = campaigns.active_template()
            plan = progress.current_plan()
            clean.update(template_id=tpl.id, template_version=tpl.version, plan_id=plan.id,
                         plan_version=plan.version)
    if meeting is None or "held_on" in values:
        clean["held_on"] = check.iso_date(values.get("held_on"), "held_on", "召开日期")
    if "members_present" in values:
        clean["members_present"] = _ids(values["members_present"], Member, "members_present", "督导组成员")
    if "leaders_present" in values:
        clean["leaders_present"] = _ids(values["leaders_present"], Leader, "leaders_present", "班子成员")
    if "materials" in values:
        clean["materials"] = _materials(values["materials"])
    if "talks" in values:
        clean["talks"] = _talks(values["talks"])
    if "problems" in values:
        clean["problems"] = _problems(values["problems"])
    if "criticism_rating" in values:
        clean["criticism_rating"] = check.clean_text(values["criticism_rating"]) or None
    for name in ("criticism_evidence", "comment"):
        if name in values:
            clean[name] = check.clean_text(values[name])
    return clean


def create_meeting(unit, team, held_on, **values) -> DemocraticMeeting:
    """Record a team's 专题民主生活会 (the leaders present are required; the rest may follow)."""
    with database.atomic():
        clean = _clean({"unit": unit, "team": team, "held_on": held_on, **values})
        clean.setdefault("members_present", [])
        clean.setdefault("leaders_present", [])
        return changelog.create(DemocraticMeeting, **clean)


def update_meeting(meeting, **changes) -> DemocraticMeeting:
    """Change a meeting; the office may correct any group's."""
    with database.atomic():
        meeting = get_meeting(meeting)
        return changelog.update(meeting, **_clean(changes, meeting))


def delete_meeting(meeting) -> DemocraticMeeting:
    with database.atomic():
        return changelog.tombstone(get_meeting(meeting))


def list_meetings(unit=None) -> list[DemocraticMeeting]:
    """The meetings held here (a field device: its group's), newest first."""
    query = DemocraticMeeting.select().where(alive(DemocraticMeeting))
    if unit is not None:
        query = query.where(DemocraticMeeting.unit == _id(unit))
    return list(query.order_by(DemocraticMeeting.held_on.desc(), DemocraticMeeting.created_at))


def rating_scale(meeting: DemocraticMeeting | None = None) -> list[str]:
    """The scale the quality of 批评与自我批评 is rated on: the template's evaluation scale."""
    if meeting is not None:
        return list(campaigns.get_template(meeting.template_id, meeting.template_version).scale("evaluation"))
    return list(campaigns.active_template().scale("evaluation"))


# --- what a meeting says, for lists, the CLI and facts --------------------------------------------


def _names(model, ids) -> dict[str, str]:
    ids = [i for i in display.names(ids) if isinstance(i, str)]
    return {r.id: display.text(r.name) for r in model.select(model.id, model.name).where(model.id.in_(ids))} if ids else {}


def problems_by_wind(meeting: DemocraticMeeting) -> dict[str, int]:
    """How many problems were found under each of the 四风 (all four listed, 0 included)."""
    counts = Counter(p.get("wind") for p in _parts(meeting.problems))
    return {wind: counts.get(wind, 0) for wind in FOUR_WINDS}


def _parts(value) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _leaders_named(meeting: DemocraticMeeting) -> dict[str, str]:
    ids = set(display.names(meeting.leaders_present))
    for part in (*_parts(meeting.materials), *_parts(meeting.talks), *_parts(meeting.problems)):
        ids.update(v for k, v in part.items() if k in ("leader", "with") and isinstance(v, str))
    return _names(Leader, sorted(ids))


def summary(meeting: DemocraticMeeting) -> dict:
    """One meeting as the CLI's JSON and the window's table show it."""
    leaders = _leaders_named(meeting)
    members = _names(Member, meeting.members_present)
    talks = _parts(meeting.talks)
    return {
        "id": meeting.id, "unit_id": meeting.unit_id, "unit": display.related_name(meeting, "unit"),
        "team_id": meeting.team_id, "team": display.related_name(meeting, "team"),
        "group": display.related_name(meeting, "group"), "date": meeting.held_on,
        "members_present": [members.get(m, display.missing(m)) for m in display.names(meeting.members_present)],
        "leaders_present": [leaders.get(i, display.missing(i)) for i in display.names(meeting.leaders_present)],
        "materials": [{"leader": leaders.get(m.get("leader"), display.missing(m.get("leader"))),
                       "drafts": [{"on_date": d.get("on_date"), "reviewer": d.get("reviewer")}
                                  for d in _parts(m.get("drafts"))],
                       "final": m.get("final") is True} for m in _parts(meeting.materials)],
        "talks": [{"leader": leaders.get(t.get("leader"), display.missing(t.get("leader"))),
                   "with": leaders.get(t.get("with"), display.missing(t.get("with"))),
                   "done": t.get("done") is True, "count": t.get("count")} for t in talks],
        "talks_done": sum(1 for t in talks if t.get("done") is True),
        "talks_count": sum(t.get("count") for t in talks if type(t.get("count")) is int),
        "problems": [{"wind": p.get("wind"), "text": p.get("text"),
                      "leader": leaders.get(p.get("leader"), display.missing(p.get("leader"))) if p.get("leader")
                      else None} for p in _parts(meeting.problems)],
        "problems_by_wind": problems_by_wind(meeting),
        "rating": meeting.criticism_rating, "evidence": meeting.criticism_evidence, "comment": meeting.comment,
    }


def _winds_text(problems: list[dict]) -> str:
    counts = Counter(p.get("wind") for p in problems)
    return "、".join(f"{wind}{counts[wind]}个" for wind in FOUR_WINDS if counts.get(wind))


def _sentence(text: str) -> str:
    text = text.strip().rstrip("，,、；;：: ")
    return text if not text or text[-1] in "。！？" else text + "。"


def _opening(meeting: DemocraticMeeting) -> str:
    team = display.related_name(meeting, "team") or "该领导班子"
    members = _names(Member, meeting.members_present)
    who = "、".join(members.get(m, "") for m in display.names(meeting.members_present) if members.get(m))
    return f"{display.date_text(meeting.held_on)}，{team}召开专题民主生活会，督导组{who + '等' if who else ''}列席"


def _criticism_text(meeting: DemocraticMeeting) -> str:
    text = ""
    if meeting.criticism_rating:
        text += _sentence(f"督导组评定批评与自我批评质量为“{meeting.criticism_rating}”，依据：{meeting.criticism_evidence}")
    if display.text(meeting.comment).strip():
        text += _sentence(f"督导组点评：{display.text(meeting.comment).strip()}")
    return text


def leader_fact(meeting: DemocraticMeeting, leader_id: str) -> str:
    """The fact a meeting gives about one leader present: his 对照检查材料, 谈心谈话, the problems
    found of him by 四风, and the group's judgement of the meeting."""
    names = _leaders_named(meeting)
    name = names.get(leader_id, "该同志")
    text = _sentence(f"{_opening(meeting)}，{name}同志参加")
    material = next((m for m in _parts(meeting.materials) if m.get("leader") == leader_id), None)
    if material is not None:
        drafts = _parts(material.get("drafts"))
        reviewers = "、".join(dict.fromkeys(display.text(d.get("reviewer")) for d in drafts if d.get("reviewer")))
        part = f"其对照检查材料修改{len(drafts)}稿" + (f"（审核人：{reviewers}）" if reviewers else "")
        text += _sentence(part + "，" + FINAL_LABELS[material.get("final") is True])
    talks = [t for t in _parts(meeting.talks) if leader_id in (t.get("leader"), t.get("with"))]
    if talks:
        done = [t for t in talks if t.get("done") is True]
        times = sum(t.get("count") for t in done if type(t.get("count")) is int)
        part = f"会前与{len(done)}名班子成员谈心谈话{times}次"
        missed = [names.get(t.get("with") if t.get("leader") == leader_id else t.get("leader"), "")
                  for t in talks if t.get("done") is not True]
        if missed:
            part += f"，与{'、'.join(n for n in missed if n) or '部分成员'}未谈"
        text += _sentence(part)
    own = [p for p in _parts(meeting.problems) if p.get("leader") == leader_id]
    if own:
        listed = "；".join(display.text(p.get("text")) for p in own)
        text += _sentence(f"查摆个人问题{len(own)}个（{_winds_text(own)}）：{listed}")
    return text + _criticism_text(meeting)


def team_fact(meeting: DemocraticMeeting) -> str:
    """The fact a meeting gives about the team: who came, 谈心谈话, 对照检查材料, problems by 四风."""
    present = len(display.names(meeting.leaders_present))
    text = _sentence(f"{_opening(meeting)}，班子成员{present}人参加")
    talks = _parts(meeting.talks)
    if talks:
        done = [t for t in talks if t.get("done") is True]
        times = sum(t.get("count") for t in done if type(t.get("count")) is int)
        part = f"会前开展谈心谈话{len(done)}对、共{times}次"
        if len(done) < len(talks):
            part += f"，另有{len(talks) - len(done)}对未谈"
        text += _sentence(part)
    materials = _parts(meeting.materials)
    if materials:
        final = sum(1 for m in materials if m.get("final") is True)
        text += _sentence(f"对照检查材料{len(materials)}份，已定稿{final}份")
    problems = _parts(meeting.problems)
    if problems:
        team_own = sum(1 for p in problems if not p.get("leader"))
        text += _sentence(f"查摆问题{len(problems)}个（{_winds_text(problems)}），其中班子问题{team_own}个")
    return text + _criticism_text(meeting)


def fact_sources(record: EvaluationRecord, used: set) -> list[tuple[str, str, str]]:
    """(date, text, meeting id) of the meetings inside ``record``'s period that concern its
    subject — a leader present, or the team — not yet used as a fact source (evaluation_facts)."""
    query = DemocraticMeeting.select().where(
        alive(DemocraticMeeting) & (DemocraticMeeting.held_on >= record.period_start)
        & (DemocraticMeeting.held_on <= record.period_end))
    if record.subject_kind == "team":
        query = query.where(DemocraticMeeting.team == record.team_id)
    else:
        query = query.where(DemocraticMeeting.unit == record.unit_id)
    out = []
    for meeting in query.order_by(DemocraticMeeting.held_on):
        if meeting.id in used:
            continue
        if record.subject_kind == "team":
            out.append((meeting.held_on, team_fact(meeting), meeting.id))
        elif record.leader_id in display.names(meeting.leaders_present):
            out.append((meeting.held_on, leader_fact(meeting, record.leader_id), meeting.id))
    return out
