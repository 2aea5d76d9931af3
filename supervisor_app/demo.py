"""Realistic, fictional demo data for a city (江川市): units, leaders, groups, visits, scores,
quizzes, findings with rectification, and evaluation records (signed, draft, amended).

The same seed gives the same data (ids included); dates are laid out backwards from the day
the data is made, so the overview shows work due this week and some overdue. ``size='large'``
makes about 100 000 visits for benchmarks.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from . import campaigns, changelog, clock, evaluations, installation, progress, search, signing
from . import plan as plans
from .errors import ValidationError
from .models import (
    ActionProgress,
    Assessment,
    CampaignPlan,
    Finding,
    FollowUp,
    Group,
    Leader,
    LeadershipTeam,
    Member,
    QuizRecord,
    Rectification,
    SurveyResult,
    Unit,
    Visit,
    database,
)
from .rectification_plans import fill_rectification_plans

DEMO_PASSPHRASE = "demo-passphrase"  # the demo group leaders' signing passphrase (documented)

COUNTIES = ["临江县", "青山县", "云溪区", "北湖区", "南岭县", "石门市", "桃源县", "梅溪县", "白沙区"]
DEPARTMENTS = [
    ("市委组织部", ["市委老干部局"]), ("市委宣传部", ["市广播电视台"]), ("市发展和改革委员会", ["市价格监测中心"]),
    ("市教育局", ["市教育考试院", "市教育科学研究院"]), ("市财政局", ["市国库集中支付中心"]),
    ("市民政局", ["市社会福利院"]), ("市人力资源和社会保障局", ["市就业服务局"]), ("市住房和城乡建设局", ["市建设工程质量监督站"]),
    ("市交通运输局", ["市公路管理局"]), ("市农业委员会", ["市农业科学研究所"]), ("市卫生局", ["市中心医院"]),
    ("市环境保护局", ["市环境监测站"]), ("市国土资源局", ["市土地储备中心"]), ("市水务局", ["市水文站"]),
]
TOWN_SUFFIX = ["镇", "乡", "街道"]
TOWN_STEMS = ["新港", "荷塘", "麻塘", "黄沙", "杨林", "长湖", "金桥", "柳林", "东山", "西塘", "鹿角", "月田", "白石", "清溪"]
VILLAGE_STEMS = ["红星", "胜利", "团结", "幸福", "前进", "和平", "光明", "东风", "新华", "友谊", "永安", "兴隆"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "建国志强明华国庆海军立新卫东伟俊丽芳红霞敏静晓峰文斌振华世杰德胜永红春燕秋云光辉学军新民跃进"

ACTIVITIES = [
    "召开党委（党组）中心组集中学习会", "组织观看专题教育片《焦裕禄》", "举行专题党课", "召开征求意见座谈会",
    "开展“一把手领学解读”", "组织党员干部学习中央规定篇目", "召开支部学习讨论会", "开展入户走访征求意见",
]
OBSERVATIONS = [
    "学习笔记记录较为完整，但个别干部照抄照搬，心得体会不深",
    "集中学习时间达到要求，领导班子成员均能按时参加",
    "征求意见聚焦“四风”，梳理出意见建议{n}条，已分类建立台账",
    "群众代表反映会议多、文件多问题突出，希望减少检查评比",
    "部分党员对“四风”具体表现认识模糊，答题正确率不高",
    "一把手亲自领学，结合焦裕禄精神谈了体会",
    "意见征求范围偏窄，主要局限在机关内部，基层群众参与不多",
    "对已查摆的问题制定了整改清单，立行立改事项已完成{n}项",
    "存在赶进度倾向，学习讨论环节时间被压缩",
    "活动与中心工作结合较好，未出现“两张皮”现象",
]
PEOPLE_ROLES = ["党委书记", "办公室主任", "组织委员", "普通党员", "群众代表", "村支部书记", "社区主任", "科室负责人"]
FINDING_TEXT = {
    "思想认识存在偏差": "部分干部认为本单位“四风”问题不突出，存在{sub}思想",
    "有形式主义趋向": "活动开展{sub}，学习记录雷同，调研报告质量不高",
    "学习教育还不深不透": "{sub}，党员干部对规定篇目掌握不准",
    "征求意见不太理想": "征求意见{sub}，意见建议多为工作层面，触及“四风”的少",
    "指导督促工作有待加强": "对下级单位{sub}，督促指导流于形式",
    "“两张皮”": "教育实践活动与业务工作{sub}，整改措施未落到具体工作中",
}
MEASURES = [
    "召开专题会议研究，制定整改方案，明确责任到人", "补课学习中央规定篇目，逐人谈体会并形成书面材料",
    "扩大征求意见范围，深入基层入户走访", "清理规范文件会议，严格控制数量和规模",
    "建立整改台账，每周报送进展", "由一把手牵头督办，分管领导具体负责",
]
NARRATIVES = [
    "该同志认真履行第一责任人职责，带头学习、带头征求意见、带头查摆问题，示范作用较好。{extra}",
    "领导班子重视教育实践活动，学习教育扎实，征求意见较为充分，边学边查边改成效初显。{extra}",
    "该同志能够参加各项学习活动，但领学解读不够深入，联系点工作指导较少，需进一步发挥示范作用。{extra}",
    "班子成员参与度高，整改措施具体，但对“两张皮”倾向警惕不足，个别整改事项进度滞后。{extra}",
]
EXTRAS = ["建议继续加强对联系点的指导。", "希望在整改落实环节持续用力。", "须防止盲目自满情绪。", "群众评价总体较好。", ""]


_GROUP_NUMBERS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


class _Ids:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def __call__(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _stamp(day: date, rng: random.Random) -> str:
    return datetime.combine(day, datetime.min.time()).replace(hour=rng.choice([8, 9, 10, 14, 15, 16]),
                                                              minute=rng.choice([0, 15, 30, 45])).strftime("%Y-%m-%dT%H:%M")


def generate(data_dir: Path, *, seed: int = 1, size: str = "small", anchor: date | None = None,
             progress: Callable[[int, int], None] | None = None, cancelled: Callable[[], bool] | None = None) -> dict:
    """Fill an empty data folder with demo data; return counts by kind.

    Refused when the folder already holds units (demo data is only for an empty folder).
    """
    if size not in ("small", "large"):
        raise ValidationError("演示数据规模只能是 small 或 large。", field="size")
    if not installation.is_initialized():
        campaigns.initialize("field")
    if Unit.select().exists():
        raise ValidationError("数据文件夹中已有单位数据；演示数据只能填入空的数据文件夹（请换一个 --data-dir）。")
    rng = random.Random(seed)
    new_id = _Ids(rng)
    anchor = anchor or clock.today()
    campaign = campaigns.current_campaign()
    tpl = campaigns.active_template()
    start = anchor - timedelta(days=150 if size == "small" else 1500)
    counts = dict.fromkeys(("单位", "领导干部", "督导组", "督导记录", "问题", "整改", "纪实评价"), 0)
    progress = progress or (lambda done, total: None)

    with database.atomic():
        # groups and members
        groups: list[Group] = []
        members: dict[str, list[Member]] = {}
        n_groups = 6 if size == "small" else 12
        batch: list = []
        for g in range(n_groups):
            name = f"市委第{_GROUP_NUMBERS[g]}督导组"
            group = Group.get_or_none((Group.name == name) & (Group.deleted == False))
            crew = []
            if group is None:
                group = Group(id=new_id(), name=name, campaign=campaign.id)
                batch.append(group)
            else:  # a group named at init: keep it and its members, top it up
                crew = list(Member.select().where((Member.group == group) & (Member.deleted == False))
                            .order_by(Member.is_leader.desc()))
            groups.append(group)
            has_leader = any(m.is_leader for m in crew)
            while len(crew) < 5:
                member = Member(id=new_id(), group=group.id, name=_name(rng), is_leader=not has_leader,
                                phone=f"13{rng.randint(100000000, 999999999)}")
                has_leader = True
                crew.append(member)
                batch.append(member)
            members[group.id] = crew
        counts["督导组"] = len(groups)

        # units: counties with townships and villages, departments with second-level bodies
        units: list[Unit] = []
        county_names = COUNTIES if size == "small" else COUNTIES + [f"{s}县" for s in TOWN_STEMS]
        towns_per_county = 3 if size == "small" else 12
        villages_per_town = 1 if size == "small" else 2
        for i, county_name in enumerate(county_names):
            county = Unit(id=new_id(), name=county_name, kind="县市区", sort_order=i, group=groups[i % n_groups].id)
            units.append(county)
            for t in range(towns_per_county):
                town = Unit(id=new_id(), name=TOWN_STEMS[(i + t) % len(TOWN_STEMS)] + TOWN_SUFFIX[t % 3]
                            + ("" if t < len(TOWN_STEMS) else str(t)), kind="乡镇", parent=county.id, sort_order=t,
                            group=county.group_id)
                units.append(town)
                for v in range(villages_per_town):
                    units.append(Unit(id=new_id(), name=VILLAGE_STEMS[(i + t + v) % len(VILLAGE_STEMS)]
                                      + ("村" if v % 2 == 0 else "社区"), kind="村社区", parent=town.id, sort_order=v,
                                      group=county.group_id))
        departments = DEPARTMENTS if size == "small" else DEPARTMENTS * 3
        for i, (dept_name, subs) in enumerate(departments):
            name = dept_name if i < len(DEPARTMENTS) else f"{dept_name}（{i // len(DEPARTMENTS) + 1}）"
            dept = Unit(id=new_id(), name=name, kind="市直单位", sort_order=100 + i, group=groups[i % n_groups].id)
            units.append(dept)
            for j, sub in enumerate(subs):
                units.append(Unit(id=new_id(), name=sub, kind="二级机构", parent=dept.id, sort_order=j, group=dept.group_id))
        batch.extend(units)
        counts["单位"] = len(units)

        # leadership teams and leaders of counties and departments
        leaders_by_unit: dict[str, list[Leader]] = {}
        teams: list[LeadershipTeam] = []
        top_units = [u for u in units if u.kind in ("县市区", "市直单位")]
        towns = [u for u in units if u.kind == "乡镇"]
        for unit in top_units:
            county = unit.kind == "县市区"
            team = LeadershipTeam(id=new_id(), unit=unit.id, name=f"{unit.name}{'委' if county else ''}领导班子")
            teams.append(team)
            positions = (["县委书记", "县长", "县委副书记", "常务副县长", "县委常委、组织部长"] if county
                         else ["党组书记、局长", "党组成员、副局长", "党组成员、副局长", "纪检组长"])
            crew = []
            for k, position in enumerate(positions):
                crew.append(Leader(id=new_id(), name=_name(rng), position=position, unit=unit.id, team=team.id,
                                   is_top_leader=(k == 0), is_county_level=True,
                                   contact_point_unit=rng.choice(towns).id if county and k < 2 else None))
            leaders_by_unit[unit.id] = crew
        batch.extend(teams)
        for crew in leaders_by_unit.values():
            batch.extend(crew)
        counts["领导干部"] = sum(len(c) for c in leaders_by_unit.values())
        changelog.bulk_create(batch)

        # the leaders of the groups get signing keys so that evaluations can be signed
        group_leaders = {}
        for group in groups:
            leader_member = Member.get_by_id(members[group.id][0].id)
            if not signing.key_path(data_dir, leader_member).exists():
                signing.create_leader_key(data_dir, leader_member, DEMO_PASSPHRASE)
            group_leaders[group.id] = leader_member
        ctx = installation.context()
        if ctx.group_id is None or Group.get_or_none(Group.id == ctx.group_id) is None:
            campaigns.set_current_member(group_leaders[groups[0].id])

    # visits with what hangs on them, in batches
    target = 120 if size == "small" else 100_000
    visit_units = [u for u in units if u.kind != "村社区"] if size == "small" else units
    days = max((anchor - start).days, 1)
    made = 0
    docs: list[tuple[str, str]] = []
    findings_made: list[tuple[Finding, Rectification | None]] = []
    while made < target:
        if cancelled and cancelled():
            break
        chunk = min(2000, target - made)
        batch = []
        with database.atomic():
            for _ in range(chunk):
                unit = visit_units[(made * 7 + rng.randrange(len(visit_units))) % len(visit_units)]
                day = start + timedelta(days=rng.randrange(days + 1))
                crew = members[unit.group_id]
                methods = rng.sample(tpl.methods, rng.randint(1, 3))
                present = [m.id for m in rng.sample(crew, rng.randint(2, 4))]
                local_leaders = leaders_by_unit.get(unit.id) or leaders_by_unit.get(unit.parent_id) or []
                leaders_present = [le.id for le in rng.sample(local_leaders, min(len(local_leaders), rng.randint(0, 2)))]
                activity = rng.choice(ACTIVITIES)
                obs = [o.format(n=rng.randint(5, 60)) for o in rng.sample(OBSERVATIONS, 2)]
                people = "、".join(f"{_name(rng)}（{rng.choice(PEOPLE_ROLES)}）" for _ in range(rng.randint(1, 4)))
                notes = (f"{day.month}月{day.day}日，督导组采取{methods[0]}方式到{unit.name}督导。该单位{activity}。"
                         f"\n{obs[0]}；{obs[1]}。督导组当场反馈意见，要求立行立改。")
                visit = Visit(id=new_id(), unit=unit.id, group=unit.group_id, started_at=_stamp(day, rng),
                              members_present=present, methods=methods, people_met=people,
                              leaders_present=leaders_present, notes=notes)
                batch.append(visit)
                doc_findings = []
                if rng.random() < 0.85:
                    focus = {i["id"]: {"rating": rng.choice(tpl.scale("focus")), "evidence": rng.choice(obs)}
                             for i in tpl.focus_items}
                    tendency = {t["id"]: {"level": rng.choices(tpl.scale("tendency"), weights=[6, 3, 2, 1])[0],
                                          "evidence": rng.choice(obs)} for t in tpl.tendencies}
                    batch.append(Assessment(id=new_id(), visit=visit.id, unit=unit.id, template_id=tpl.id,
                                            template_version=tpl.version, focus_ratings=focus, tendency_levels=tendency))
                if "提问答题" in methods or rng.random() < 0.2:
                    people_tested = rng.randint(5, 20)
                    questions = tpl.quiz_questions
                    correct = int(people_tested * questions * rng.uniform(0.45, 0.9))
                    batch.append(QuizRecord(id=new_id(), visit=visit.id, unit=unit.id, people_tested=people_tested,
                                            questions=questions, correct_answers=correct))
                if rng.random() < (0.3 if size == "small" else 0.08):
                    category = rng.choice(tpl.problem_categories)
                    sub = rng.choice(category["sub_kinds"])
                    description = FINDING_TEXT[category["name"]].format(sub=sub)
                    leader_id = rng.choice(local_leaders).id if local_leaders and rng.random() < 0.5 else None
                    finding = Finding(id=new_id(), unit=unit.id, visit=visit.id, leader=leader_id, found_on=day.isoformat(),
                                      category=category["name"], sub_kind=sub, description=description,
                                      severity=rng.choices(tpl.severities, weights=[6, 3, 1])[0])
                    batch.append(finding)
                    doc_findings.append(description)
                    rect = None
                    if rng.random() < 0.85:
                        deadline = day + timedelta(days=rng.choice([7, 14, 30, 45, 60]))
                        status = "未开始"
                        if deadline < anchor:
                            status = rng.choices(["已核实", "已完成", "整改中", "未开始"], weights=[5, 2, 2, 1])[0]
                        elif rng.random() < 0.5:
                            status = "整改中"
                        rect = Rectification(id=new_id(), finding=finding.id, measure=rng.choice(MEASURES),
                                             responsible=rng.choice(local_leaders).name if local_leaders else "办公室主任",
                                             deadline=deadline.isoformat(), status=status)
                        if status in ("已完成", "已核实"):
                            rect.completed_on = min(deadline, anchor).isoformat()
                        if status == "已核实":
                            rect.verified_on = rect.completed_on
                            rect.verified_by = crew[0].name
                            rect.verification_note = "经回访核实，整改到位。"
                            finding.closed = True
                        batch.append(rect)
                        if status != "未开始":
                            follow_day = min(day + timedelta(days=rng.randint(1, 6)), anchor)
                            batch.append(FollowUp(id=new_id(), rectification=rect.id, on_date=follow_day.isoformat(),
                                                  note="电话了解整改进展，已召开专题会议部署。", member=crew[1].id))
                    findings_made.append((finding, rect))
                docs.append((visit.id, search.document_text(notes, people, doc_findings)))
                made += 1
            changelog.bulk_create(batch)
            search.index_many(docs)
            docs.clear()
        progress(made, target)
    counts["督导记录"] = made
    counts["问题"] = len(findings_made)
    counts["整改"] = sum(1 for _, r in findings_made if r is not None)
    counts["纪实评价"] = _evaluations(data_dir, rng, new_id, top_units, leaders_by_unit, teams, group_leaders,
                                   start, anchor, size)
    counts["规定动作进度"] = _progress(rng, new_id, units, members, anchor)
    counts["民意调查结果"] = _surveys(rng, new_id, units, anchor)
    counts["整改方案"] = fill_rectification_plans(rng, anchor)
    return counts


def _evaluations(data_dir, rng, new_id, top_units, leaders_by_unit, teams, group_leaders, start, anchor, size) -> int:
    """Draft, signed and amended evaluations of top leaders and teams, with facts from visits."""
    from . import evaluation_facts

    made = 0
    subjects = []
    for unit in top_units[: (8 if size == "small" else 40)]:
        subjects.append(("leader", leaders_by_unit[unit.id][0], unit))
        team = next(t for t in teams if t.unit_id == unit.id)
        subjects.append(("team", team, unit))
    keys = {}
    for group_id, member in group_leaders.items():
        try:
            keys[group_id] = signing.unlock(data_dir, member, DEMO_PASSPHRASE)
        except ValidationError:
            pass  # a real leader's key made before the demo: leave that group's records as drafts
    tpl = campaigns.active_template()
    for n, (kind, subject, unit) in enumerate(subjects):
        with database.atomic():
            values = {"leader": subject.id} if kind == "leader" else {"team": subject.id}
            record = evaluations.create_evaluation(kind, start.isoformat(), anchor.isoformat(),
                                                   group=unit.group_id, **values)
            for proposal in evaluation_facts.propose(record)[:6]:
                evaluations.add_fact(record, proposal.on_date, proposal.text, source_kind=proposal.source_kind,
                                     source_id=proposal.source_id, state="accepted")
            if not evaluations.facts(record):
                evaluations.add_fact(record, anchor.isoformat(), "督导组个别谈话了解到，该同志按要求参加了集中学习。")
            ratings = {i["id"]: {"rating": rng.choice(tpl.scale("evaluation")[:3]), "comment": "有纪实支撑。"}
                       for i in tpl.evaluation_items(kind)}
            narrative = rng.choice(NARRATIVES).format(extra=rng.choice(EXTRAS)) + f"（{unit.name}）"
            evaluations.update_evaluation(record, item_ratings=ratings, overall_rating=rng.choice(["好", "较好", "一般"]),
                                          narrative=narrative)
            if n % 3 != 2 and unit.group_id in keys:  # two in three are signed
                leader_member = group_leaders[unit.group_id]
                evaluations.sign(record, leader_member, keys[unit.group_id])
                if n % 6 == 1:
                    evaluations.amend(record, leader_member, "核对纪实后，联系点工作评价应调整。",
                                      {"narrative": narrative + "经复核，联系点工作开展情况好于原评价。"},
                                      keys[unit.group_id])
        made += 1
    return made


# The speech was given on 8 April 2014; the demo's today stands for mid-April of the campaign, when
# the 回头看 and the first 到社区报到 are due and the first 规定动作 are already late.
PLAN_TODAY = date(2014, 4, 14)
NOT_WEAK = "经查阅资料、走访群众，该党组织不属于软弱涣散基层党组织，不列入整顿。"


def _progress(rng, new_id, units, members, anchor) -> int:
    """The office's plan moved to the demo's dates, and what the groups confirmed of it: actions
    their visits' notes show done (with those visits, and the document where one is required);
    some grassroots bodies found not weak (not applicable); the rest left owed."""
    with database.atomic():
        if not CampaignPlan.select().where(CampaignPlan.deleted == False).exists():
            # stands for the office's assignment (plan load at the office): at a field
            # installation it is never sent on, since only the office's plans travel
            plan = plans.shifted(plans.load_default(), (anchor - PLAN_TODAY).days, 2)
            changelog.bulk_create([CampaignPlan(id=new_id(), plan_id=plan.id, plan_version=plan.version,
                                                name=plan.name, content=plan.content)])
        plan = progress.current_plan()
        begin = plan.stages[0]["start"]
        visits_by_unit: dict[str, list[Visit]] = {}
        for visit in (Visit.select(Visit.id, Visit.unit, Visit.started_at, Visit.notes, Visit.methods)
                      .where((Visit.deleted == False) & (Visit.started_at >= begin)
                             & (Visit.started_at < anchor.isoformat() + "T99")).order_by(Visit.started_at)):
            visits_by_unit.setdefault(visit.unit_id, []).append(visit)
        county = progress.county_team_units()
        horizon = (anchor + timedelta(days=14)).isoformat()
        batch = []
        for unit in units:
            crew = members[unit.group_id]
            for action in plan.actions:
                if not plans.applies(action, unit.kind, unit.id in county):
                    continue
                shown = [v for v in visits_by_unit.get(unit.id, [])
                         if progress.evidence_reason(action, v.notes, v.methods) is not None]
                record = ActionProgress(id=new_id(), unit=unit.id, action_id=action["id"], plan_id=plan.id,
                                        plan_version=plan.version, member=rng.choice(crew[:2]).id, reason="")
                if shown and (action["due"] <= horizon or rng.random() < 0.3) and rng.random() < 0.85:
                    evidence = [{"kind": "visit", "id": v.id} for v in shown[:2]]
                    if action["measure"]["kind"] == "document":
                        evidence.append({"kind": "document", "title": f"{unit.name}{action['name']}材料"})
                    minimum = plans.measure_minimum(action)
                    record.status, record.done_on, record.evidence = "done", shown[0].started_at[:10], evidence
                    record.amount = None if minimum is None else minimum + rng.choice([0, 0, 1])
                elif action["not_applicable_allowed"] and rng.random() < 0.7:
                    record.status, record.evidence, record.reason = "not_applicable", [], NOT_WEAK
                else:
                    continue
                batch.append(record)
        changelog.bulk_create(batch)
    return len(batch)


def _surveys(rng, new_id, units, anchor) -> int:
    """The province's figures for the rounds already held: most units well satisfied, a few not."""
    plan = progress.current_plan()
    rule = plan.survey_rule
    batch = []
    with database.atomic():
        if SurveyResult.select().where(SurveyResult.deleted == False).exists():
            return 0
        for survey in plan.surveys:
            if survey["on"] > anchor.isoformat():
                continue
            for unit in units:
                if unit.kind not in rule["unit_kinds"]:
                    continue
                sample = rng.randrange(200, 601, 10)
                unsatisfied = int(sample * rng.choices([0.03, 0.05, 0.08, 0.1, 0.12, 0.25], weights=[3, 4, 4, 3, 2, 1])[0])
                satisfied = int((sample - unsatisfied) * rng.uniform(0.45, 0.8))
                batch.append(SurveyResult(id=new_id(), unit=unit.id, survey_id=survey["id"], plan_id=plan.id,
                                          plan_version=plan.version, sample=sample, satisfied=satisfied,
                                          basically_satisfied=sample - unsatisfied - satisfied,
                                          unsatisfied=unsatisfied))
        changelog.bulk_create(batch)
    return len(batch)
