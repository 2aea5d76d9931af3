"""Demo data: the 专题民主生活会 of two leadership teams of this installation's group that held
theirs ahead of the plan, attended by the group, with their facts proposed to the draft 纪实评价
of the leaders present and of the team."""

from __future__ import annotations

import random
from datetime import date, timedelta

from . import installation, meeting_facts, meetings, members, progress
from .models import Leader, LeadershipTeam, Unit, alive

PROBLEMS = (
    ("形式主义", "学习满足于读文件、念材料，联系实际不够，专题研讨不深"),
    ("形式主义", "以会议贯彻会议、以文件落实文件，会议多、文件多"),
    ("官僚主义", "听取汇报多、深入实际少，到基层调研走马观花"),
    ("官僚主义", "对群众反映的征地拆迁问题推诿扯皮，办事效率不高"),
    ("享乐主义", "工作标准不高，满足于过得去，缺乏攻坚克难的劲头"),
    ("奢靡之风", "公务接待有超标准现象，节日期间有互赠土特产的情况"),
)
EVIDENCE = {
    "较好": "会上班子成员相互批评指名道姓、点到具体事例，书记带头剖析自身问题，未见“表扬式”批评。",
    "一般": "自我批评较为深刻，但相互批评多谈工作、少谈思想，个别同志提意见避重就轻，有“多栽花少栽刺”的倾向。",
}
COMMENT = ("会前谈心谈话和对照检查材料准备较充分，查摆问题聚焦“四风”；会后须把班子和个人的问题列入整改方案，"
           "督导组将跟踪整改落实情况。")


def fill_meetings(rng: random.Random, anchor: date, limit: int = 2) -> int:
    """Up to ``limit`` meetings of the teams of this installation's group (at the office: of the
    first group's), held in the week before the plan's 民主生活会 is due or before ``anchor``,
    whichever is earlier; return how many were made."""
    ctx = installation.context()
    group_id = ctx.group_id if ctx.role == "field" else next(iter(g.id for g in members.list_groups()), None)
    if not group_id:
        return 0
    plan = progress.current_plan()
    first_day = plan.stages[0]["start"]
    due = next((a["due"] for a in plan.actions if a["id"] == "democratic-life-meeting"), None)
    if due is not None:
        anchor = min(anchor, date.fromisoformat(due))
    crew = members.list_members(group_id)
    candidates = []
    for unit in Unit.select().where(alive(Unit) & (Unit.group == group_id)).order_by(Unit.sort_order, Unit.name):
        team = LeadershipTeam.select().where(alive(LeadershipTeam) & (LeadershipTeam.unit == unit.id)).first()
        leaders = list(Leader.select().where(alive(Leader) & (Leader.team == team)).order_by(
            Leader.is_top_leader.desc(), Leader.name)) if team is not None else []
        if len(leaders) >= 2:
            candidates.append((unit, team, leaders))
    made = 0
    for n, (unit, team, leaders) in enumerate(candidates[:limit]):
        held_on = anchor - timedelta(days=6 - 4 * n)
        if held_on.isoformat() < first_day:
            continue
        top = leaders[0]
        group_leader = f"督导组组长{crew[0].name}" if crew else "督导组组长"
        materials = []
        for k, leader in enumerate(leaders[:4]):
            # the top leader's material is checked by the group; the others' by the top leader first
            reviewers = [group_leader, "市委活动办"] if k == 0 else [f"{top.position}{top.name}", group_leader]
            drafts = [{"on_date": (held_on - timedelta(days=14 - 4 * d)).isoformat(), "reviewer": reviewers[d % 2]}
                      for d in range(rng.randint(2, 3))]
            materials.append({"leader": leader.id, "drafts": drafts, "final": k < 3})
        talks = [{"leader": top.id, "with": other.id, "done": True, "count": rng.randint(1, 2)} for other in leaders[1:]]
        if len(leaders) > 2:
            talks.append({"leader": leaders[1].id, "with": leaders[2].id, "done": n == 0, "count": 1 if n == 0 else 0})
        picked = rng.sample(PROBLEMS, 4)
        problems = [{"wind": wind, "text": text, "leader": leaders[i].id if 0 < i < len(leaders) else None}
                    for i, (wind, text) in enumerate(picked)]
        rating = "较好" if n == 0 else "一般"
        meeting = meetings.create_meeting(
            unit, team, held_on, members_present=[m.id for m in crew[:2]], leaders_present=[lead.id for lead in leaders],
            materials=materials, talks=talks, problems=problems, criticism_rating=rating,
            criticism_evidence=EVIDENCE[rating], comment=COMMENT)
        meeting_facts.propose_to_evaluations(meeting)
        made += 1
    return made
