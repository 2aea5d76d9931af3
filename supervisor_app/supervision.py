"""督导层面 problems: problems about a supervision group's own work, recorded against the group.

The speech names them apart from the units' problems ("从督导层面看 … 听取汇报多、深入实际少 …
当“好好先生”"). Who may record one: the office, for any group; a field installation, for its
own group only, by its group leader (组长负责制). A field device's records travel to the office
in its bundles (sync/admission.py checks the same); the office's stay at the office — they are
its view of the groups and are not sent to every group's devices. What a stored one must
satisfy is in rules/supervision.py.
"""

from __future__ import annotations

from . import changelog, clock, installation
from . import validate as check
from .errors import NotFoundError, ValidationError
from .members import current_member, group_leader
from .models import Group, SupervisionProblem, alive, database


def get_problem(problem_id) -> SupervisionProblem:
    if isinstance(problem_id, SupervisionProblem):
        problem_id = problem_id.id
    found = SupervisionProblem.get_or_none((SupervisionProblem.id == problem_id) & alive(SupervisionProblem)) \
        if problem_id else None
    if found is None:
        raise NotFoundError(f"找不到督导层面问题：{problem_id}。", field="supervision_problem")
    return found


def _group_of(value) -> Group:
    group_id = value.id if isinstance(value, Group) else value
    group = Group.get_or_none((Group.id == group_id) & alive(Group)) if group_id else None
    if group is None:
        raise ValidationError("请选择督导组。" if not group_id else f"找不到督导组：{group_id}。", field="group")
    return group


def _may_write(group: Group) -> str | None:
    """Who records it on this installation (a member id, or None at the office); refused when
    this installation may not write problems of ``group``."""
    ctx = installation.context()
    if ctx.role == "office":
        member = current_member()
        return member.id if member is not None and member.group_id == group.id else None
    if ctx.group_id != group.id:
        raise ValidationError("督导组设备只能记录本组的督导层面问题。", field="group")
    member = current_member()
    leader = group_leader(group)
    if member is None or leader is None or member.id != leader.id:
        raise ValidationError("督导层面问题由督导组组长或活动办记录；请以组长身份使用本机。", field="member")
    return member.id


def create_problem(description: str, *, group=None, kind: str = "", found_on=None) -> SupervisionProblem:
    """Record a problem of a group's own supervision (the installation's group by default)."""
    with database.atomic():
        group = _group_of(group if group is not None else installation.context().group_id)
        member_id = _may_write(group)
        return changelog.create(
            SupervisionProblem, group=group, description=check.clean_text(description),
            kind=check.clean_text(kind or ""),
            found_on=check.iso_date(found_on or clock.today(), "found_on", "发现日期"), member=member_id,
        )


def update_problem(problem, **changes) -> SupervisionProblem:
    """Change a problem's description, kind, date or 已整改 mark (its group stays)."""
    with database.atomic():
        problem = get_problem(problem)
        _may_write(problem.group)
        clean = {}
        if "description" in changes:
            clean["description"] = check.clean_text(changes["description"])
        if "kind" in changes:
            clean["kind"] = check.clean_text(changes["kind"] or "")
        if "found_on" in changes:
            clean["found_on"] = check.iso_date(changes["found_on"], "found_on", "发现日期")
        if "closed" in changes:
            clean["closed"] = changes["closed"]
        return changelog.update(problem, **clean)


def delete_problem(problem) -> SupervisionProblem:
    with database.atomic():
        problem = get_problem(problem)
        _may_write(problem.group)
        return changelog.tombstone(problem)


def list_problems(group=None) -> list[SupervisionProblem]:
    """Live 督导层面 problems (of one group when given), newest first."""
    query = SupervisionProblem.select().where(alive(SupervisionProblem))
    if group is not None:
        query = query.where(SupervisionProblem.group == (group.id if isinstance(group, Group) else group))
    return list(query.order_by(SupervisionProblem.found_on.desc(), SupervisionProblem.created_at))


DEMO_PROBLEMS = (
    ("听取汇报多、深入实际少", "到乡镇督导以听取汇报为主，进村入户核实情况不够"),
    ("当“好好先生”", "对个别单位集中学习时间不足的问题未当场指出，反馈意见避重就轻"),
    ("督导工作浮在面上、流于形式", "查阅资料只看台账是否齐全，未抽查学习笔记和征求意见表"),
)


def fill_demo(new_id, groups, leaders: dict, anchor) -> int:
    """Demo data: a few 督导层面 problems recorded by group leaders — on a field installation of
    its own group only (the office would refuse any other group's in its bundle)."""
    from datetime import timedelta

    ctx = installation.context()
    if ctx.role != "office":
        groups = [g for g in groups if g.id == ctx.group_id]
    if not groups:
        return 0
    batch = []
    for i, (kind, text) in enumerate(DEMO_PROBLEMS):
        group = groups[i % len(groups)]
        leader = leaders.get(group.id)
        batch.append(SupervisionProblem(
            id=new_id(), group=group.id, kind=kind, description=text, closed=i == 2,
            found_on=(anchor - timedelta(days=20 + 9 * i)).isoformat(), member=leader.id if leader else None))
    with database.atomic():
        changelog.bulk_create(batch)
    return len(batch)
