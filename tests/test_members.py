"""The roster (supervisor_app/members.py) and the leader's passphrase (signing.py)."""

from __future__ import annotations

import pytest

from supervisor_app import campaigns, installation, members, signing, units, visits
from supervisor_app.errors import SupervisorError, ValidationError
from supervisor_app.models import ChangeLog, Member


def _log_count() -> int:
    return ChangeLog.select().count()


@pytest.fixture
def group(data_dir):
    return campaigns.current_group()


def test_add_rename_and_list(group):
    li = members.add_member(group, "李四")
    members.add_member(group, "王五")
    members.rename_member(li, "李思")
    assert [m.name for m in members.list_members(group)] == ["张三", "李思", "王五"]  # the leader first
    assert members.group_leader(group).name == "张三"


def test_names_are_unique_within_a_group(group):
    members.add_member(group, "李四")
    before = _log_count()
    with pytest.raises(ValidationError) as refused:
        members.add_member(group, "李四")
    assert refused.value.field == "name" and "已有成员“李四”" in refused.value.message
    wang = members.add_member(group, "王五")
    with pytest.raises(ValidationError) as refused:
        members.rename_member(wang, "张三")
    assert refused.value.field == "name"
    assert Member.get_by_id(wang.id).name == "王五"
    assert _log_count() == before + 1  # only 王五's insert


def test_empty_name_is_refused_and_writes_nothing(group):
    before = _log_count()
    with pytest.raises(ValidationError) as refused:
        members.add_member(group, "  ")
    assert refused.value.field == "name" and "姓名" in refused.value.message
    assert _log_count() == before


def test_one_leader_and_handing_over(group):
    li = members.add_member(group, "李四")
    before = _log_count()
    with pytest.raises(ValidationError) as refused:
        members.add_member(group, "王五", is_leader=True)
    assert refused.value.field == "is_leader" and "只能有一名组长" in refused.value.message
    assert _log_count() == before
    members.make_leader(li)
    assert members.group_leader(group).name == "李四"
    assert [m.name for m in members.list_members(group) if m.is_leader] == ["李四"]


def test_leader_and_current_member_cannot_retire(group):
    zhang = members.current_member()
    before = _log_count()
    with pytest.raises(ValidationError) as refused:
        members.retire_member(zhang)
    assert refused.value.field == "is_leader" and "先把另一名成员设为组长" in refused.value.message
    li = members.add_member(group, "李四")
    members.make_leader(li)
    with pytest.raises(ValidationError) as refused:
        members.retire_member(zhang)
    assert refused.value.field == "member" and "当前使用者" in refused.value.message
    assert not Member.get_by_id(zhang.id).deleted
    assert _log_count() == before + 3  # 李四 added, leadership handed over (two updates)


def test_a_retired_member_stays_on_the_visits_of_before_and_joins_no_later_one(group, monkeypatch):
    """The same rule as a bundle's (rules.visits.stays_on_visit): on the stored visit, or on a
    visit that began no later than the day the member left."""
    wang = members.add_member(group, "王五")
    unit = units.create_unit("临江县", "县市区")
    old = visits.create_visit(unit, "2014-04-08T09:30", ["查阅资料"], members_present=[wang.id])
    monkeypatch.setattr("supervisor_app.changelog.now_utc", lambda: "2014-04-20T04:00:00+00:00")
    members.retire_member(wang)
    monkeypatch.undo()
    # the old visit is edited with him still present; a visit of the 15th entered late names him
    visits.update_visit(old, members_present=[wang.id], notes="补记")
    late = visits.create_visit(unit, "2014-04-15T09:30", ["座谈会"], members_present=[wang.id])
    assert late.members_present == [wang.id]
    before = _log_count()
    with pytest.raises(ValidationError) as refused:
        visits.create_visit(unit, "2014-04-21T09:30", ["座谈会"], members_present=[wang.id])
    assert refused.value.field == "members_present" and "已退出督导组" in refused.value.message
    assert _log_count() == before
    # a visit he was present at keeps him when its date is corrected
    visits.update_visit(late, started_at="2014-04-16T09:30", members_present=[wang.id])
    assert visits.get_visit(late.id).members_present == [wang.id]


def test_retired_member_keeps_authorship(group):
    wang = members.add_member(group, "王五")
    unit = units.create_unit("临江县", "县市区")
    visit = visits.create_visit(unit, "2014-04-08T09:30", ["查阅资料"], notes="查阅学习笔记",
                                members_present=[wang.id])
    members.retire_member(wang)
    assert [m.name for m in members.list_members(group)] == ["张三"]
    assert "王五" in [m.name for m in members.list_members(group, include_retired=True)]
    assert visits.member_names()[wang.id] == "王五"  # old records still name their author
    assert visit.members_present == [wang.id]
    with pytest.raises(SupervisorError) as refused:
        members.set_current_member(wang)
    assert refused.value.field == "member" and "已退出" in refused.value.message
    assert installation.context().member_id != wang.id


def test_current_member_must_be_of_this_group(group):
    other = campaigns.create_group("市委第二督导组", campaigns.current_campaign())
    stranger = members.add_member(other, "赵六")
    with pytest.raises(ValidationError) as refused:
        members.set_current_member(stranger)
    assert refused.value.field == "member" and "不是本督导组的成员" in refused.value.message
    assert installation.context().member_id == members.current_member().id == campaigns.current_member().id
    li = members.add_member(group, "李四")
    members.set_current_member(li)
    assert installation.context().member_id == li.id


def test_rename_group_is_unique(group):
    campaigns.create_group("市委第二督导组", campaigns.current_campaign())
    with pytest.raises(ValidationError) as refused:
        members.rename_group(group, "市委第二督导组")
    assert refused.value.field == "name"
    members.rename_group(group, "市委第三督导组")
    assert campaigns.current_group().name == "市委第三督导组"


def test_passphrase_strength_feedback():
    weak = signing.passphrase_strength("12345678")
    assert not weak.acceptable and weak.label in ("很弱", "弱") and weak.hint
    short = signing.passphrase_strength("abc")
    assert not short.acceptable and "至少 8 个字符" in short.hint
    strong = signing.passphrase_strength("临江县督导组2014年四月")
    assert strong.acceptable and strong.score >= 3


def test_weak_passphrase_is_refused_and_no_key_is_made(data_dir):
    me = members.current_member()
    with pytest.raises(ValidationError) as refused:
        signing.create_leader_key(data_dir, me, "password")
    assert refused.value.field == "passphrase" and "不能使用" in refused.value.message
    assert not signing.has_key(data_dir, me)


def test_change_passphrase_keeps_the_key(data_dir):
    me = members.current_member()
    public = signing.create_leader_key(data_dir, me, "leader passphrase")
    path = signing.key_path(data_dir, me)
    before = path.read_bytes()
    with pytest.raises(ValidationError) as refused:
        signing.change_passphrase(data_dir, me, "wrong passphrase", "another good passphrase")
    assert refused.value.field == "passphrase" and path.read_bytes() == before
    with pytest.raises(ValidationError) as refused:
        signing.change_passphrase(data_dir, me, "leader passphrase", "1234")
    assert refused.value.field == "passphrase" and path.read_bytes() == before
    signing.change_passphrase(data_dir, me, "leader passphrase", "another good passphrase")
    key = signing.unlock(data_dir, me, "another good passphrase")
    assert signing.public_key_text(key) == public
    with pytest.raises(ValidationError):
        signing.unlock(data_dir, me, "leader passphrase")
    assert not list(path.parent.glob("*.tmp"))


def test_using_the_office_group(group):
    office_group = campaigns.create_group("市委第二督导组", campaigns.current_campaign())  # as if the office sent it
    leader = members.add_member(office_group, "赵六", is_leader=True)
    gone = members.add_member(office_group, "钱七")
    changelog_before = _log_count()
    members.retire_member(gone)
    with pytest.raises(ValidationError) as refused:
        members.use_group_of(gone)
    assert refused.value.field == "member" and "已退出" in refused.value.message
    assert installation.context().group_id == group.id
    assert _log_count() == changelog_before + 1  # the retirement only
    members.use_group_of(leader)
    assert installation.context().group_id == office_group.id and members.current_member().name == "赵六"
