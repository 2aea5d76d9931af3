"""`meeting add|update|show|propose|delete` and `list meetings`: the 专题民主生活会 a group attended.

Leaders and members may be named by id or by name (a leader's name within the meeting's unit,
a member's within the meeting's group). The structured parts are written as short strings:

    --material "王建国:2014-05-20/张三,2014-05-28/陈志:定稿"   撰写人:日期/审核人[,…][:定稿]
    --talk "王建国:李明:2"                                    谈话人:谈话对象[:次数]（0 = 未谈）
    --problem "官僚主义@王建国:听取汇报多、深入实际少"          四风[@所涉成员]:内容（无 @ 为班子问题）

or, whole, as a JSON file (``--from-file``) with the service's keys (meetings.create_meeting).
"""

from __future__ import annotations

import json
from pathlib import Path

from . import display, installation, meeting_facts, meetings, store
from .errors import NotFoundError, ValidationError
from .models import FOUR_WINDS, Leader, LeadershipTeam, Member, Unit, alive

FINAL_WORDS = ("定稿", "已定稿", "final")


def _open(args):
    return store.open_data_dir(args.data_dir, create=False)


def _print(data) -> None:
    print(json.dumps(display.json_safe(data), ensure_ascii=False, indent=2, allow_nan=False))


def _unit(value) -> Unit:
    found = Unit.get_or_none((Unit.id == value) & alive(Unit)) or Unit.get_or_none((Unit.name == value) & alive(Unit))
    if found is None:
        raise NotFoundError(f"找不到单位：{value}。", field="--unit")
    return found


def _team(unit: Unit, value) -> LeadershipTeam:
    teams = list(LeadershipTeam.select().where(alive(LeadershipTeam) & (LeadershipTeam.unit == unit.id)))
    if value:
        chosen = [t for t in teams if value in (t.id, t.name)]
        if not chosen:
            raise NotFoundError(f"{unit.name}没有领导班子“{value}”。", field="--team")
        return chosen[0]
    if len(teams) != 1:
        names = "、".join(t.name for t in teams) or "（没有）"
        raise ValidationError(f"请用 --team 指定领导班子（{unit.name}的领导班子：{names}）。", field="--team")
    return teams[0]


def _leader(unit_id: str, value: str, field: str) -> str:
    value = value.strip()
    named = list(Leader.select().where(alive(Leader) & (Leader.unit == unit_id) & (Leader.name == value)))
    if len(named) > 1:
        raise ValidationError(f"该单位有 {len(named)} 名领导干部叫“{value}”，请改用编号。", field=field)
    return named[0].id if named else value


def _member(group_id: str | None, value: str) -> str:
    value = value.strip()
    query = Member.select().where(alive(Member) & (Member.name == value))
    if group_id:
        query = query.where(Member.group == group_id)
    named = list(query)
    if len(named) > 1:
        raise ValidationError(f"有 {len(named)} 名督导组成员叫“{value}”，请改用编号。", field="--member")
    return named[0].id if named else value


def _material(unit_id: str, text: str) -> dict:
    leader, _, rest = text.partition(":")
    drafts_text, _, final = rest.partition(":")
    if not leader.strip() or (final.strip() and final.strip() not in FINAL_WORDS):
        raise ValidationError(f"--material 应写成 撰写人:日期/审核人[,日期/审核人…][:定稿]（收到：{text}）。",
                              field="--material")
    drafts = []
    for part in filter(None, (p.strip() for p in drafts_text.split(","))):
        day, slash, reviewer = part.partition("/")
        if not slash:
            raise ValidationError(f"--material 的每一稿应写成 日期/审核人（收到：{part}）。", field="--material")
        drafts.append({"on_date": day.strip(), "reviewer": reviewer.strip()})
    return {"leader": _leader(unit_id, leader, "--material"), "drafts": drafts, "final": bool(final.strip())}


def _talk(unit_id: str, text: str) -> dict:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise ValidationError(f"--talk 应写成 谈话人:谈话对象[:次数]（收到：{text}）。", field="--talk")
    count = parts[2].strip() if len(parts) == 3 else "1"
    if not count.isdigit():
        raise ValidationError(f"--talk 的次数应为整数（收到：{count}）。", field="--talk")
    return {"leader": _leader(unit_id, parts[0], "--talk"), "with": _leader(unit_id, parts[1], "--talk"),
            "done": int(count) > 0, "count": int(count)}


def _problem(unit_id: str, text: str) -> dict:
    head, sep, body = text.partition(":")
    wind, _, leader = head.partition("@")
    if not sep or wind.strip() not in FOUR_WINDS:
        raise ValidationError(f"--problem 应写成 四风[@所涉成员]:内容，四风为{'、'.join(FOUR_WINDS)}（收到：{text}）。",
                              field="--problem")
    return {"wind": wind.strip(), "text": body.strip(),
            "leader": _leader(unit_id, leader, "--problem") if leader.strip() else None}


def _values(args, unit_id: str, group_id: str | None) -> dict:
    values: dict = {}
    if args.from_file:
        try:
            loaded = json.loads(Path(args.from_file).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValidationError(f"无法读取文件：{exc.strerror or exc}", field="--from-file") from exc
        except ValueError as exc:
            raise ValidationError(f"文件不是有效的 JSON：{exc}", field="--from-file") from exc
        if not isinstance(loaded, dict):
            raise ValidationError("文件内容应为一个 JSON 对象。", field="--from-file")
        values.update({k: v for k, v in loaded.items() if k not in ("unit", "team", "held_on", "group")})
    if args.member is not None:
        values["members_present"] = [_member(group_id, m) for m in args.member]
    if args.leader is not None:
        values["leaders_present"] = [_leader(unit_id, v, "--leader") for v in args.leader]
    if args.material is not None:
        values["materials"] = [_material(unit_id, m) for m in args.material]
    if args.talk is not None:
        values["talks"] = [_talk(unit_id, t) for t in args.talk]
    if args.problem is not None:
        values["problems"] = [_problem(unit_id, p) for p in args.problem]
    for name, option in (("criticism_rating", "rating"), ("criticism_evidence", "evidence"), ("comment", "comment")):
        if getattr(args, option) is not None:
            values[name] = getattr(args, option)
    return values


def cmd_add(args) -> int:
    _open(args)
    unit = _unit(args.unit)
    team = _team(unit, args.team)
    ctx = installation.context()
    group_id = ctx.group_id if ctx.role == "field" else unit.group_id
    meeting = meetings.create_meeting(unit, team, args.on, **_values(args, unit.id, group_id))
    print(f"已记录{unit.name}（{team.name}）{display.date_text(meeting.held_on)}的专题民主生活会：{meeting.id}")
    return 0


def cmd_update(args) -> int:
    _open(args)
    meeting = meetings.get_meeting(args.id)
    changes = _values(args, meeting.unit_id, meeting.group_id)
    if args.on:
        changes["held_on"] = args.on
    meetings.update_meeting(meeting, **changes)
    print(f"已修改专题民主生活会记录：{meeting.id}")
    return 0


def cmd_delete(args) -> int:
    _open(args)
    meetings.delete_meeting(args.id)
    print(f"已删除专题民主生活会记录：{args.id}")
    return 0


def show_lines(row: dict) -> list[str]:
    """A meeting as lines of text (``meeting show``)."""
    lines = [f"{row['unit']}  {row['team']}  专题民主生活会  {display.date_text(row['date'])}",
             f"列席的督导组成员：{'、'.join(row['members_present']) or '（未录入）'}",
             f"参会的班子成员：{'、'.join(row['leaders_present'])}"]
    for m in row["materials"]:
        drafts = "；".join(f"{display.date_text(d['on_date'])} 审核人 {d['reviewer']}" for d in m["drafts"])
        lines.append(f"对照检查材料：{m['leader']}  {len(m['drafts'])} 稿（{drafts or '无'}）"
                     f"  {meetings.FINAL_LABELS[m['final']]}")
    for t in row["talks"]:
        lines.append(f"谈心谈话：{t['leader']} — {t['with']}  " + (f"已谈 {t['count']} 次" if t["done"] else "未谈"))
    for p in row["problems"]:
        lines.append(f"查摆问题［{p['wind']}］{p['leader'] + '：' if p['leader'] else '班子：'}{p['text']}")
    winds = "，".join(f"{k} {v}" for k, v in row["problems_by_wind"].items())
    lines.append(f"四风问题：{winds}")
    lines.append(f"批评与自我批评：{row['rating'] or '未评定'}" + (f"（依据：{row['evidence']}）" if row["evidence"] else ""))
    if row["comment"]:
        lines.append(f"督导组点评：{row['comment']}")
    return lines


def cmd_show(args) -> int:
    _open(args)
    row = meetings.summary(meetings.get_meeting(args.id))
    if args.json:
        _print(row)
    else:
        print("\n".join(show_lines(row)))
    return 0


def cmd_propose(args) -> int:
    _open(args)
    result = meeting_facts.propose_to_evaluations(args.id)
    print(f"已向 {len(result.evaluations)} 份纪实评价草稿加入 {result.added} 条待确认纪实，请在纪实评价中逐条采纳或舍弃。")
    if result.without:
        print(f"没有覆盖该日期的纪实评价草稿：{'、'.join(result.without)}")
    return 0


def list_rows(unit: str | None = None) -> list[dict]:
    """``list meetings --json``: one object per meeting."""
    return [meetings.summary(m) for m in meetings.list_meetings(unit)]


def cmd_list(args) -> int:
    """``list meetings`` (called from cli.cmd_list)."""
    rows = list_rows(getattr(args, "unit", None))
    if args.json:
        _print(rows)
        return 0
    for r in rows:
        winds = "、".join(f"{k}{v}" for k, v in r["problems_by_wind"].items() if v) or "无"
        print(f"{r['date']}  {r['unit']}  {r['team']}  参会 {len(r['leaders_present'])} 人  四风问题：{winds}"
              f"  批评与自我批评：{r['rating'] or '未评定'}  {r['id']}")
    print(f"共 {len(rows)} 次")
    return 0


def _parts_options(q) -> None:
    q.add_argument("--member", action="append", metavar="NAME|ID", help="列席的督导组成员（可多次）")
    q.add_argument("--leader", action="append", metavar="NAME|ID", help="参会的班子成员（可多次）")
    q.add_argument("--material", action="append", metavar="SPEC", help="对照检查材料：撰写人:日期/审核人[,…][:定稿]（可多次）")
    q.add_argument("--talk", action="append", metavar="SPEC", help="谈心谈话：谈话人:谈话对象[:次数]，0 为未谈（可多次）")
    q.add_argument("--problem", action="append", metavar="SPEC", help="查摆问题：四风[@所涉成员]:内容（可多次）")
    q.add_argument("--rating", help="批评与自我批评质量（好、较好、一般、差）")
    q.add_argument("--evidence", help="评定的依据（评定时必填）")
    q.add_argument("--comment", help="督导组点评")
    q.add_argument("--from-file", metavar="FILE", help="从 JSON 文件读入以上各项（命令行中给出的项优先）")


FORMATS = """各项的写法：
  --material "王建国:2014-05-20/督导组组长张三,2014-05-28/市委常委陈志:定稿"   撰写人:日期/审核人[,…][:定稿]
  --talk "王建国:李明:2"                                  谈话人:谈话对象[:次数]（0 = 未谈）
  --problem "官僚主义@王建国:听取汇报多、深入实际少"        四风[@所涉成员]:内容（无 @ 为班子问题）
领导干部、督导组成员可写姓名或编号。"""


def register(subparsers) -> None:
    import argparse

    p = subparsers.add_parser("meeting", help="专题民主生活会：记录、修改、查看、送入纪实")
    sub = p.add_subparsers(dest="meeting_command", metavar="ACTION", required=True)
    q = sub.add_parser("add", help="记录督导组列席的一次专题民主生活会", epilog=FORMATS,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    q.add_argument("--unit", required=True, metavar="ID|NAME")
    q.add_argument("--team", metavar="ID|NAME", help="领导班子（单位只有一个班子时可省略）")
    q.add_argument("--on", required=True, metavar="DATE", help="召开日期，如 2014-06-05")
    _parts_options(q)
    q.set_defaults(func=cmd_add)
    q = sub.add_parser("update", help="修改记录（给出的各项整体替换原来的）", epilog=FORMATS,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    q.add_argument("--id", required=True)
    q.add_argument("--on", metavar="DATE", help="召开日期")
    _parts_options(q)
    q.set_defaults(func=cmd_update)
    q = sub.add_parser("show", help="查看一次专题民主生活会")
    q.add_argument("--id", required=True)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_show)
    q = sub.add_parser("propose", help="把该会的纪实作为待确认纪实加入参会成员和班子的纪实评价草稿")
    q.add_argument("--id", required=True)
    q.set_defaults(func=cmd_propose)
    q = sub.add_parser("delete", help="删除记录")
    q.add_argument("--id", required=True)
    q.set_defaults(func=cmd_delete)
