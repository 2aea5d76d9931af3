"""督导层面 problems: recorded against a group (not a unit) by the office, or by the group's own
device through its leader; listed apart; in bundles only a group's own, by its leader."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from supervisor_app import campaigns, cli, clock, supervision
from supervisor_app.clock import new_id
from supervisor_app.errors import ValidationError
from supervisor_app.models import ChangeLog, Group, Member, SupervisionProblem
from tests.test_sync_helpers import build_trio, device_id, export, import_, on
from tests.test_sync_hostile_device import craft, entry, refused


def _refused(call, message: str, field: str) -> None:
    before = (ChangeLog.select().count(), SupervisionProblem.select().count())
    with pytest.raises(ValidationError) as info:
        call()
    assert message in info.value.message and info.value.field == field
    assert (ChangeLog.select().count(), SupervisionProblem.select().count()) == before


def test_the_group_leader_records_and_lists_the_groups_own(data_dir, capsys):
    problem = supervision.create_problem("到乡镇只听汇报，未进村入户", kind="听取汇报多、深入实际少", found_on="2014-04-10")
    group = campaigns.current_group()
    assert (problem.group_id, problem.member_id) == (group.id, campaigns.current_member().id)
    supervision.update_problem(problem, closed=True)
    assert [p.id for p in supervision.list_problems(group)] == [problem.id]
    assert cli.main(["--data-dir", str(data_dir), "supervision", "list", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["group"], row["kind"], row["closed"], row["found_on"]) == ("市委第一督导组", "听取汇报多、深入实际少",
                                                                          True, "2014-04-10")
    # the units' problems are another list
    assert cli.main(["--data-dir", str(data_dir), "list", "findings", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_bad_input_is_refused_and_nothing_written(data_dir):
    _refused(lambda: supervision.create_problem(""), "请填写问题描述", "description")
    _refused(lambda: supervision.create_problem("把关不严", kind="睁一只眼闭一只眼"), "督导层面问题没有", "kind")
    _refused(lambda: supervision.create_problem("把关不严", found_on=clock.today() + timedelta(days=1)), "不能晚于今天", "found_on")
    other = campaigns.create_group("市委第二督导组")
    _refused(lambda: supervision.create_problem("把关不严", group=other), "只能记录本组", "group")
    member = campaigns.add_member(campaigns.current_group(), "赵六")
    campaigns.set_current_member(member)
    _refused(lambda: supervision.create_problem("把关不严"), "由督导组组长或活动办记录", "member")


@pytest.fixture(scope="module")
def world_template(tmp_path_factory):
    return build_trio(tmp_path_factory.mktemp("supervision") / "t")


@pytest.fixture
def world(world_template, tmp_path):
    return world_template.copy_to(tmp_path / "w")


def _ids(world) -> dict:
    with on(world.office):
        return {"f2": device_id(world.f2), "g1": Group.get(Group.name == "市委第一督导组").id,
                "g2": Group.get(Group.name == "市委第二督导组").id, "leader1": Member.get(Member.name == "张三").id,
                "leader2": Member.get(Member.name == "李四").id}


def test_the_office_records_against_any_group(world):
    w = _ids(world)
    with on(world.office):
        problem = supervision.create_problem("对个别单位当“好好先生”", group=w["g1"], kind="当“好好先生”")
        assert problem.member_id is None and supervision.list_problems(w["g1"]) == [problem]


def test_a_groups_problem_travels_to_the_office(world, tmp_path):
    w = _ids(world)
    with on(world.f2):
        supervision.create_problem("查阅资料只看台账", kind="督导工作浮在面上、流于形式", found_on="2014-04-11")
    (tmp_path / "usb").mkdir()
    (result,) = import_(world.office, export(world.f2, tmp_path / "usb"))
    assert result.status == "imported"
    with on(world.office):
        (problem,) = supervision.list_problems(w["g2"])
        assert (problem.description, problem.member_id) == ("查阅资料只看台账", w["leader2"])


def _problem(w: dict, **fields) -> dict:
    values = {"group": w["g2"], "found_on": "2014-04-11", "kind": "随大流", "description": "反馈意见随大流",
              "member": w["leader2"], "closed": False, **fields}
    return entry(w["f2"], 1, "supervision_problem", new_id(), "insert", values, member=w["leader2"])


def test_the_crafted_entry_is_sound_as_it_stands(world):
    w = _ids(world)
    (result,) = import_(world.office, craft(world, [_problem(w)]))  # the crafting itself is sound
    assert result.status == "imported"


@pytest.mark.parametrize(("change", "message"), [
    ({"group": "g1"}, "不属于本设备的督导组"),  # another group's supervision
    ({"member": "leader1"}, "须由本督导组组长记录"),  # recorded in another group's leader's name
    ({"member": None}, "须由本督导组组长记录"),  # recorded by nobody
    ({"kind": "敷衍了事"}, "督导层面问题没有"),  # a kind the template does not name
])
def test_a_hostile_device_cannot_write_outside_its_rights(world, change, message):
    w = _ids(world)
    fields = {k: (w[v] if isinstance(v, str) and v in w else v) for k, v in change.items()}
    refused(world, craft(world, [_problem(w, **fields)]), message)


def test_a_member_who_is_not_the_leader_cannot_send_one(world):
    w = _ids(world)
    with on(world.office):
        member = campaigns.add_member(w["g2"], "王五")  # a member of the group, not its leader
    refused(world, craft(world, [_problem(w, member=member.id)]), "须由本督导组组长记录")


# --- the window ------------------------------------------------------------------------------------


def test_the_leader_records_one_in_the_window_and_a_member_is_told_why_not(qtbot, data_dir, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from tests.qt_helpers import type_text
    from ui import tasks
    from ui.main_window import MainWindow

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    win = MainWindow(data_dir)
    qtbot.addWidget(win)
    win.show()
    tasks.wait_for_all(600_000)
    page = win.show_page("supervision")
    page.kind.setCurrentIndex(page.kind.findData("当“好好先生”"))
    type_text(page.description, "反馈意见避重就轻")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    tasks.wait_for_all()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1)
    assert [page.table.item(0, c).text() for c in (1, 2, 3, 4)] == ["市委第一督导组", "当“好好先生”", "反馈意见避重就轻", "张三"]
    assert page.description.text() == ""
    # a member who is not the leader is refused, next to the field, and nothing is written
    campaigns.set_current_member(campaigns.add_member(campaigns.current_group(), "赵六"))
    before = ChangeLog.select().count()
    type_text(page.description, "把关不严")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    tasks.wait_for_all()
    label = page.errors.labels["member"]
    qtbot.waitUntil(lambda: not label.isHidden())
    assert "由督导组组长或活动办记录" in label.text()
    assert ChangeLog.select().count() == before and SupervisionProblem.select().count() == 1
