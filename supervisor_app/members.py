"""The group's roster: its members, who leads it, who is using this computer.

The record rules (rules/campaigns.py) hold what a stored member must satisfy — names unique
within a group, one 组长 per group — and are checked on every write and on import. What lives
here is how the roster changes:

- a member is added, renamed, or retired (a tombstone: the record stays, so a retired member
  remains the author of everything written under their name and their name still shows);
- leadership passes from one member to another in one write (never two leaders, never none);
- the leader cannot be retired before someone else leads;
- the current member of this computer is a live member of this installation's group.
"""

from __future__ import annotations

from . import changelog, installation
from . import validate as check
from .errors import NotFoundError, ValidationError
from .models import Group, Member, database


def _group_id(group: Group | str | None) -> str | None:
    return group.id if isinstance(group, Group) else group


def add_member(group: Group | str, name: str, *, is_leader: bool = False, phone: str = "") -> Member:
    """Add a member; a group has exactly one leader, so a second leader is refused (rules/campaigns.py)."""
    name = check.clean_text(name)
    if not name:
        raise ValidationError("请填写成员姓名。", field="name")
    with database.atomic():
        return changelog.create(Member, group=_group_id(group), name=name, is_leader=bool(is_leader),
                                phone=check.clean_text(phone))


def get_member(member_id: str) -> Member:
    """A live member (a retired one is not found)."""
    member = Member.get_or_none((Member.id == member_id) & (Member.deleted == False))
    if member is None:
        raise NotFoundError(f"找不到成员 {member_id}。", field="member")
    return member


def _live(member: Member | str) -> Member:
    return get_member(member.id if isinstance(member, Member) else member)


def group_leader(group: Group | str) -> Member | None:
    return (
        Member.select()
        .where((Member.group == _group_id(group)) & (Member.is_leader == True) & (Member.deleted == False))
        .first()
    )


def list_members(group: Group | str | None = None, *, include_retired: bool = False) -> list[Member]:
    """Members, the leader first, then by name; retired ones last when asked for."""
    query = Member.select()
    if not include_retired:
        query = query.where(Member.deleted == False)
    if group is not None:
        query = query.where(Member.group == _group_id(group))
    return list(query.order_by(Member.deleted, Member.is_leader.desc(), Member.name))


def rename_member(member: Member | str, name: str) -> Member:
    """Change a member's name; old records show the new name (they refer to the member, not the name)."""
    member = _live(member)
    name = check.clean_text(name)
    if not name:
        raise ValidationError("请填写成员姓名。", field="name")
    return changelog.update(member, name=name)


def make_leader(member: Member | str) -> Member:
    """Make ``member`` the group's 组长; the present leader becomes an ordinary member in the same write."""
    member = _live(member)
    if member.is_leader:
        return member
    writes: list[tuple[Member, dict]] = [(member, {"is_leader": True})]
    previous = group_leader(member.group_id)
    if previous is not None:
        writes.insert(0, (previous, {"is_leader": False}))
    changelog.update_together(writes)
    return Member.get_by_id(member.id)


def retire_member(member: Member | str) -> Member:
    """Retire a member: they leave the roster but stay the author of their records.

    The 组长 cannot be retired (make someone else 组长 first), nor the member now using this
    computer (switch first), so that the group is never left without a leader or a user.
    """
    member = _live(member)
    if member.is_leader:
        raise ValidationError(f"{member.name}是组长，不能退出。请先把另一名成员设为组长。", field="is_leader")
    if installation.is_initialized() and installation.context().member_id == member.id:
        raise ValidationError(f"{member.name}是本机当前使用者，不能退出。请先切换到另一名成员。", field="member")
    return changelog.tombstone(member)


def rename_group(group: Group | str, name: str) -> Group:
    """Rename the group (its name is unique: rules/campaigns.py)."""
    found = Group.get_or_none((Group.id == _group_id(group)) & (Group.deleted == False))
    if found is None:
        raise NotFoundError("找不到督导组。", field="group")
    name = check.clean_text(name)
    if not name:
        raise ValidationError("请填写督导组名称。", field="name")
    return changelog.update(found, name=name)


# --- who is using this computer -----------------------------------------------------------------


def current_group() -> Group | None:
    ctx = installation.context()
    return Group.get_or_none(Group.id == ctx.group_id) if ctx.group_id else None


def current_member() -> Member | None:
    ctx = installation.context()
    return Member.get_or_none(Member.id == ctx.member_id) if ctx.member_id else None


def check_current_member(member: Member | str) -> Member:
    """The member who may use this computer: a live member of this installation's group (any
    group while none is chosen yet). Raises ValidationError naming ``member`` otherwise."""
    member_id = member.id if isinstance(member, Member) else member
    found = Member.get_or_none(Member.id == member_id)
    if found is None:
        raise NotFoundError("找不到这名成员。", field="member")
    if found.deleted:
        raise ValidationError(f"{found.name}已退出督导组，不能作为本机使用者。", field="member")
    group_id = installation.context().group_id
    if group_id is not None and found.group_id != group_id:
        raise ValidationError(f"{found.name}不是本督导组的成员。", field="member")
    return found


def set_current_member(member: Member | str) -> Member:
    """Make ``member`` the one using this computer (every change is then recorded under them)."""
    member = check_current_member(member)
    with database.atomic():
        installation.set_setting("group_id", member.group_id)
        installation.set_setting("member_id", member.id)
    return member


def use_group_of(member: Member | str) -> Member:
    """This computer changes to ``member``'s group, used by ``member`` — e.g. the group and
    member the office made, once its assignments have arrived. The member must be live."""
    member_id = member.id if isinstance(member, Member) else member
    found = Member.get_or_none(Member.id == member_id)
    if found is None:
        raise NotFoundError("找不到这名成员。", field="member")
    if found.deleted:
        raise ValidationError(f"{found.name}已退出督导组，不能作为本机使用者。", field="member")
    if Group.get_or_none((Group.id == found.group_id) & (Group.deleted == False)) is None:
        raise ValidationError("这个督导组已被删除。", field="group")
    if installation.context().role != "field":
        raise ValidationError("只有督导组的电脑属于某个督导组。", field="group")
    with database.atomic():
        installation.set_setting("group_id", found.group_id)
        installation.set_setting("member_id", found.id)
    return found


def list_groups() -> list[Group]:
    """Every live group known here (this computer's own and those the office sent)."""
    return list(Group.select().where(Group.deleted == False).order_by(Group.name))
