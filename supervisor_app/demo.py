"""Realistic, fictional demo data for a city (江川市): units, leaders, groups, visits, scores,
quizzes, findings with rectification, and evaluation records (signed, draft, amended).

By default the data is the 2014 campaign the program was built from: visits on working days
from the speech of 8 April 2014 to the end of September, the campaign plan's dates as they are.
With ``anchor`` the same kind of data is laid out backwards from that day instead (tests that
need work due and overdue "this week" pin it). The same seed gives the same data (ids
included). ``size='large'`` makes about 100 000 visits for benchmarks.

The data agrees with itself the way a real group's records would: each unit has a hidden
quality that its quiz accuracy, survey results and rectification record follow; each group
sees it through its own leniency (two groups see it more kindly than the rest — what the
office's calibration is meant to find). Notes say what was seen, and no rating contradicts its
own note: a note that says 赶进度 never rates that tendency 未发现.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from . import (
    campaigns,
    changelog,
    evaluations,
    findings,
    installation,
    meetings_demo,
    progress,
    search,
    signing,
    supervision,
)
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
# What a visit's notes say, each about one checklist item: (text, item id, good news?). A note
# about an item bounds its rating (see _ratings); QUIZ_LOW is written only under a poor quiz.
GOOD_NOTES = [
    ("集中学习时间达到要求，领导班子成员均能按时参加", "F1"),
    ("征求意见聚焦“四风”，梳理出意见建议{n}条，已分类建立台账", "F2"),
    ("对已查摆的问题制定了整改清单，立行立改事项已完成{n}项", "F3"),
    ("一把手亲自领学，结合焦裕禄精神谈了体会", "F4"),
    ("活动与中心工作结合较好，未出现“两张皮”现象", "T5"),
    ("学习讨论安排从容，按计划步骤推进，没有赶进度", "T2"),
]
BAD_NOTES = [
    ("学习笔记记录较为完整，但个别干部照抄照搬，心得体会不深", "F1"),
    ("意见征求范围偏窄，主要局限在机关内部，基层群众参与不多", "F2"),
    ("群众代表反映会议多、文件多问题突出，查摆的问题尚未见整改行动", "F3"),
    ("班子成员领学解读照本宣科，未结合本单位实际", "F4"),
    ("个别干部认为本单位“四风”问题不突出，有盲目自满情绪", "T1"),
    ("存在赶进度倾向，学习讨论环节时间被压缩", "T2"),
    ("以办几件实事代替解决“四风”问题，对群众反映的作风问题回应不多", "T3"),
    ("重视查摆“四风”，但联系服务群众的具体措施不多", "T4"),
    ("业务工作一忙，学习讨论就让位，存在“两张皮”倾向", "T5"),
]
QUIZ_LOW = "部分党员对“四风”具体表现认识模糊，答题正确率不高"
QUIZ_LOW_BELOW = 0.6  # accuracy under which the notes say so (and only then)
# Evidence for an item no note is about: what was looked at, without a verdict.
LOOKED_AT = {
    "F1": "查阅了中心组学习记录和党员学习笔记", "F2": "查阅了征求意见台账和座谈会记录",
    "F3": "查阅了问题清单和立行立改台账", "F4": "了解了班子成员领学、参加双重组织生活情况",
    "T1": "个别谈话了解干部对本单位“四风”问题的认识", "T2": "对照实施方案核对各环节时间安排",
    "T3": "查看为民办实事清单与“四风”问题清单", "T4": "了解联系服务群众制度的落实",
    "T5": "了解活动与本单位中心工作的结合情况",
}
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
# Narratives by subject and by how the record came out (overall rating 好/较好 → kind words;
# 一般/差 → what must improve); {extra} is one more sentence.
NARRATIVES = {
    ("leader", True): [
        "该同志认真履行第一责任人职责，带头学习、带头征求意见、带头查摆问题，示范作用较好。{extra}",
        "该同志坚持以上率下，亲自领学解读，到联系点指导活动，查摆自身问题较为深刻。{extra}",
    ],
    ("leader", False): [
        "该同志能够参加各项学习活动，但领学解读不够深入，联系点工作指导较少，需进一步发挥示范作用。{extra}",
        "该同志对活动重视程度不够，征求意见局限于机关内部，查摆自身问题避重就轻。{extra}",
    ],
    ("team", True): [
        "领导班子重视教育实践活动，学习教育扎实，征求意见较为充分，边学边查边改成效初显。{extra}",
        "班子成员参与度高，分工明确，整改措施具体，立行立改事项推进有力。{extra}",
    ],
    ("team", False): [
        "班子成员参与度高，但对“两张皮”倾向警惕不足，个别整改事项进度滞后。{extra}",
        "领导班子对活动的谋划不够深入，学习讨论流于形式，征求意见触及“四风”问题不多。{extra}",
    ],
}
EXTRAS = {
    True: ["建议继续加强对联系点的指导。", "希望在整改落实环节持续用力。", "群众评价总体较好。", ""],
    False: ["须防止盲目自满情绪。", "要求对照问题清单逐项整改。", "建议督导组下阶段重点跟踪。", ""],
}
FOLLOWUPS = [
    "电话了解整改进展，已召开专题会议部署。",
    "实地查看整改台账，{n} 项措施已落实 {m} 项。",
    "列席整改专题会议，要求明确每项措施的时限和责任人。",
    "回访群众代表，反映整改效果初步显现。",
    "查阅整改材料，要求补充佐证并按期报送。",
]

# The campaign the demo shows by default (the plan's dates are this campaign's).
SPEECH_DAY = date(2014, 4, 8)  # supervision starts with the speech
CAMPAIGN_END = date(2014, 9, 30)
# 2014's public holidays that fell on weekdays (清明, 劳动节, 端午, 中秋); no visits on them.
HOLIDAYS_2014 = {date(2014, 4, 7), date(2014, 5, 1), date(2014, 5, 2), date(2014, 6, 2), date(2014, 9, 8)}
LENIENT_GROUPS = (1, 4)  # the second and fifth groups rate more kindly than what they see warrants
LENIENCY = 1.0  # in units of the spread of the units' hidden quality


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


def _workdays(start: date, end: date) -> list[date]:
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5 and day not in HOLIDAYS_2014:
            days.append(day)
        day += timedelta(days=1)
    return days


def _positions(unit_name: str, county: bool) -> tuple[str, list[str]]:
    """The team's name and its leaders' positions, as such a unit has them (the first is the top leader)."""
    if county:  # 县 / 区 / 县级市: 县委书记, 区委书记, 市委书记
        level = unit_name[-1]
        head = {"县": "县长", "区": "区长", "市": "市长"}[level]
        return f"{unit_name}委领导班子", [f"{level}委书记", head, f"{level}委副书记", f"常务副{head}",
                                          f"{level}委常委、组织部长"]
    if unit_name.startswith("市委") and unit_name.endswith("部"):
        return f"{unit_name}部务会", ["部长", "常务副部长", "副部长", "副部长"]
    head = "主任" if unit_name.endswith("委员会") else "局长"
    return f"{unit_name}党组", [f"党组书记、{head}", f"党组成员、副{head}", f"党组成员、副{head}", "纪检组长"]


def _level(index: float, scale: list[str]) -> int:
    return max(0, min(len(scale) - 1, round(index)))


def _ratings(tpl, rng, seen: float, notes: list[tuple[str, str, bool]]) -> tuple[dict, dict]:
    """Focus ratings and tendency levels as a group that perceives the unit at ``seen`` (higher
    is better) would give them, bounded by the visit's own notes: a bad note about an item
    rules out its best grade, a good one its two worst."""
    about = {}
    for text, item, good in notes:
        about[item] = (text, good)
    focus_scale, tendency_scale = tpl.scale("focus"), tpl.scale("tendency")
    focus = {}
    for item in tpl.focus_items:
        level = _level(1.2 - seen + rng.gauss(0, 0.6), focus_scale)
        text, good = about.get(item["id"], (LOOKED_AT.get(item["id"], "查阅了相关资料"), None))
        if good is False:
            level = max(level, 1)
        elif good is True:
            level = min(level, 1)
        focus[item["id"]] = {"rating": focus_scale[level], "evidence": text}
    tendency = {}
    for item in tpl.tendencies:
        level = _level(0.3 - 0.8 * seen + rng.gauss(0, 0.6), tendency_scale)
        text, good = about.get(item["id"], (LOOKED_AT.get(item["id"], "了解了相关情况"), None))
        if good is False:
            level = max(level, 1)
        elif good is True:
            level = 0
        tendency[item["id"]] = {"level": tendency_scale[level], "evidence": text}
    return focus, tendency


def generate(data_dir: Path, *, seed: int = 1, size: str = "small", anchor: date | None = None,
             progress: Callable[[int, int], None] | None = None, cancelled: Callable[[], bool] | None = None) -> dict:
    """Fill an empty data folder with demo data; return counts by kind.

    Without ``anchor`` the data is the 2014 campaign (as it stood at its end, 30 September
    2014); with it, the data ends on ``anchor`` and starts 150 days (large: 1 500) before.
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
    if anchor is None:
        start, asof, plan_shift = SPEECH_DAY, CAMPAIGN_END, 0
    else:
        start, asof = anchor - timedelta(days=150 if size == "small" else 1500), anchor
        plan_shift = (anchor - PLAN_TODAY).days
    campaign = campaigns.current_campaign()
    tpl = campaigns.active_template()
    counts = dict.fromkeys(("单位", "领导干部", "督导组", "督导记录", "问题", "整改", "纪实评价"), 0)
    progress = progress or (lambda done, total: None)

    with database.atomic():
        # the campaign's dates: the plan's (2014), or the demo's span around its anchor
        first_day = plans.shifted(plans.load_default(), plan_shift, 2).stages[0]["start"]
        changelog.update(campaign, start_date=min(first_day, start.isoformat()),
                         end_date=CAMPAIGN_END.isoformat() if anchor is None else None)
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
        leniency = {group.id: (LENIENCY if g in LENIENT_GROUPS else 0.0) for g, group in enumerate(groups)}

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
        # each unit's hidden quality: what its quizzes, surveys and rectifications follow
        quality = {u.id: rng.gauss(0, 1) for u in units}

        # leadership teams and leaders of counties and departments
        leaders_by_unit: dict[str, list[Leader]] = {}
        teams: list[LeadershipTeam] = []
        top_units = [u for u in units if u.kind in ("县市区", "市直单位")]
        towns = [u for u in units if u.kind == "乡镇"]
        for unit in top_units:
            county = unit.kind == "县市区"
            base = unit.name.split("（")[0]  # the large set's copies: 市教育局（2）
            team_name, positions = _positions(base, county)
            team = LeadershipTeam(id=new_id(), unit=unit.id, name=unit.name + team_name[len(base):])
            teams.append(team)
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
    workdays = _workdays(start, asof)
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
                day = rng.choice(workdays)
                crew = members[unit.group_id]
                truth = quality[unit.id]
                seen = truth + leniency[unit.group_id] + rng.gauss(0, 0.5)  # what this group makes of it
                methods = rng.sample(tpl.methods, rng.randint(1, 3))
                present = [m.id for m in rng.sample(crew, rng.randint(2, 4))]
                local_leaders = leaders_by_unit.get(unit.id) or []
                leaders_present = [le.id for le in rng.sample(local_leaders, min(len(local_leaders), rng.randint(0, 2)))]
                activity = rng.choice(ACTIVITIES)
                quiz = None
                if "提问答题" in methods or rng.random() < 0.2:
                    people_tested = rng.randint(5, 20)
                    questions = tpl.quiz_questions
                    accuracy = min(0.95, max(0.35, 0.72 + 0.1 * truth + rng.gauss(0, 0.05)))
                    quiz = (people_tested, questions, int(people_tested * questions * accuracy))
                notes_about: list[tuple[str, str, bool]] = []
                if quiz is not None and quiz[2] < QUIZ_LOW_BELOW * quiz[0] * quiz[1]:
                    notes_about.append((QUIZ_LOW, "F1", False))
                bad_chance = 1 / (1 + math.exp(1.5 * seen))  # a group that sees worse writes more of it
                while len(notes_about) < 2:
                    good = rng.random() >= bad_chance
                    text, item = rng.choice(GOOD_NOTES if good else BAD_NOTES)
                    if all(item != other for _, other, _ in notes_about):
                        notes_about.append((text.format(n=rng.randint(5, 60)), item, good))
                people = "、".join(f"{_name(rng)}（{rng.choice(PEOPLE_ROLES)}）" for _ in range(rng.randint(1, 4)))
                notes = (f"{day.month}月{day.day}日，督导组采取{methods[0]}方式到{unit.name}督导。该单位{activity}。"
                         f"\n{notes_about[0][0]}；{notes_about[1][0]}。督导组当场反馈意见，要求立行立改。")
                visit = Visit(id=new_id(), unit=unit.id, group=unit.group_id, started_at=_stamp(day, rng),
                              members_present=present, methods=methods, people_met=people,
                              leaders_present=leaders_present, notes=notes)
                batch.append(visit)
                doc_findings = []
                if rng.random() < 0.85:
                    focus, tendency = _ratings(tpl, rng, seen, notes_about)
                    batch.append(Assessment(id=new_id(), visit=visit.id, unit=unit.id, template_id=tpl.id,
                                            template_version=tpl.version, focus_ratings=focus, tendency_levels=tendency))
                if quiz is not None:
                    batch.append(QuizRecord(id=new_id(), visit=visit.id, unit=unit.id, people_tested=quiz[0],
                                            questions=quiz[1], correct_answers=quiz[2]))
                finding_chance = (0.6 if size == "small" else 0.16) / (1 + math.exp(1.2 * seen))
                if rng.random() < finding_chance:
                    category = rng.choice(tpl.problem_categories)
                    sub = rng.choice(category["sub_kinds"])
                    description = FINDING_TEXT[category["name"]].format(sub=sub)
                    leader_id = rng.choice(local_leaders).id if local_leaders and rng.random() < 0.5 else None
                    finding = Finding(id=new_id(), unit=unit.id, visit=visit.id, leader=leader_id, found_on=day.isoformat(),
                                      category=category["name"], sub_kind=sub, description=description,
                                      severity=rng.choices(tpl.severities, weights=[6, 3, 1])[0],
                                      four_winds=findings.typical_four_winds(category["name"], sub))
                    batch.append(finding)
                    doc_findings.append(description)
                    rect = None
                    if rng.random() < 0.85:
                        deadline = day + timedelta(days=rng.choice([7, 14, 30, 45, 60]))
                        status = "未开始"
                        if deadline < asof:  # a weaker unit leaves more of its rectification late
                            on_time = 1 / (1 + math.exp(-1.5 * (truth + 1)))
                            status = (rng.choices(["已核实", "已完成"], weights=[5, 2])[0] if rng.random() < on_time
                                      else rng.choice(["整改中", "未开始"]))
                        elif rng.random() < 0.5:
                            status = "整改中"
                        rect = Rectification(id=new_id(), finding=finding.id, measure=rng.choice(MEASURES),
                                             responsible=rng.choice(local_leaders).name if local_leaders else _name(rng),
                                             deadline=deadline.isoformat(), status=status)
                        if status in ("已完成", "已核实"):
                            rect.completed_on = min(deadline, asof).isoformat()
                        if status == "已核实":
                            rect.verified_on = rect.completed_on
                            rect.verified_by = crew[0].name
                            rect.verification_note = "经回访核实，整改到位。"
                            finding.closed = True
                        batch.append(rect)
                        if status != "未开始":
                            follow_day = min(day + timedelta(days=rng.randint(1, 6)), asof)
                            total = rng.randint(3, 8)
                            note = rng.choice(FOLLOWUPS).format(n=total, m=rng.randint(1, total))
                            batch.append(FollowUp(id=new_id(), rectification=rect.id, on_date=follow_day.isoformat(),
                                                  note=note, member=crew[1].id))
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
                                   start, asof, size, quality, leniency)
    counts["规定动作进度"] = _progress(rng, new_id, units, members, asof, plan_shift)
    counts["民意调查结果"] = _surveys(rng, new_id, units, asof, quality)
    counts["督导层面问题"] = supervision.fill_demo(new_id, groups, group_leaders, asof)
    counts["民主生活会"] = meetings_demo.fill_meetings(rng, asof)
    counts["整改方案"] = fill_rectification_plans(rng, asof)
    return counts


def _evaluations(data_dir, rng, new_id, top_units, leaders_by_unit, teams, group_leaders, start, asof, size,
                 quality, leniency) -> int:
    """Draft, signed and amended evaluations of top leaders and teams, with facts from visits;
    their ratings follow the unit as its group sees it, their narratives fit the subject."""
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
    scale = tpl.scale("evaluation")
    for n, (kind, subject, unit) in enumerate(subjects):
        seen = quality[unit.id] + leniency[unit.group_id]
        with database.atomic():
            values = {"leader": subject.id} if kind == "leader" else {"team": subject.id}
            record = evaluations.create_evaluation(kind, start.isoformat(), asof.isoformat(),
                                                   group=unit.group_id, **values)
            proposals = evaluation_facts.propose(record)[:6]
            for proposal in proposals:
                evaluations.add_fact(record, proposal.on_date, proposal.text, source_kind=proposal.source_kind,
                                     source_id=proposal.source_id, state="accepted")
            if not evaluations.facts(record):
                talk_day = min(start + timedelta(days=rng.randint(7, 40)), asof)
                who = "该同志" if kind == "leader" else "班子成员"
                evaluations.add_fact(record, talk_day.isoformat(),
                                     f"{talk_day.month}月{talk_day.day}日，督导组个别谈话了解到，{who}按要求参加了集中学习。")
            levels = [_level(1.0 - seen + rng.gauss(0, 0.5), scale[:3]) for _ in tpl.evaluation_items(kind)]
            ratings = {i["id"]: {"rating": scale[level], "comment": "有纪实支撑。"}
                       for i, level in zip(tpl.evaluation_items(kind), levels, strict=True)}
            overall = scale[_level(sum(levels) / len(levels), scale[:3])]
            kind_words = overall in scale[:2]
            narrative = (rng.choice(NARRATIVES[(kind, kind_words)]).format(extra=rng.choice(EXTRAS[kind_words]))
                         + f"（{unit.name}）")
            evaluations.update_evaluation(record, item_ratings=ratings, overall_rating=overall, narrative=narrative)
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


def _progress(rng, new_id, units, members, anchor, plan_shift) -> int:
    """The office's plan moved to the demo's dates, and what the groups confirmed of it: actions
    their visits' notes show done (with those visits, and the document where one is required);
    some grassroots bodies found not weak (not applicable); the rest left owed."""
    with database.atomic():
        default = plans.load_default()
        if not CampaignPlan.select().where((CampaignPlan.deleted == False)
                                           & (CampaignPlan.plan_id == default.id)).exists():
            # stands for the office's assignment (plan load at the office): at a field
            # installation it is never sent on, since only the office's plans travel
            plan = plans.shifted(default, plan_shift, 2)
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


def _surveys(rng, new_id, units, anchor, quality) -> int:
    """The province's figures for the rounds already held: they follow each unit's hidden
    quality (no group has a hand in them), so most units are well satisfied and a few not."""
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
                share = min(0.4, max(0.01, 0.08 - 0.05 * quality[unit.id] + rng.gauss(0, 0.02)))
                unsatisfied = int(sample * share)
                satisfied = int((sample - unsatisfied) * min(0.9, max(0.3, 0.62 + 0.1 * quality[unit.id])))
                batch.append(SurveyResult(id=new_id(), unit=unit.id, survey_id=survey["id"], plan_id=plan.id,
                                          plan_version=plan.version, sample=sample, satisfied=satisfied,
                                          basically_satisfied=sample - unsatisfied - satisfied,
                                          unsatisfied=unsatisfied))
        changelog.bulk_create(batch)
    return len(batch)
