"""The 专项整治 tasks: the shipped list and the loader (good and broken files, the wrong field
named), versions, assignment by the office only, status by the group for assigned tasks only
(message, field, nothing written), and the `special-tasks` commands."""

from __future__ import annotations

import json

import pytest

from supervisor_app import campaigns, cli, store
from supervisor_app import special_tasks as tasks
from supervisor_app.errors import ValidationError
from supervisor_app.models import ChangeLog, SpecialTaskAssignment, SpecialTaskList, SpecialTaskStatus
from supervisor_app.rules.rectification_plans import default_task_list
from tests import factories


@pytest.fixture
def office(isolated_data):
    path = store.open_data_dir(isolated_data)
    campaigns.initialize("office")
    return path


def _written() -> tuple:
    return (ChangeLog.select().count(), SpecialTaskList.select().count(), SpecialTaskAssignment.select().count(),
            [(s.task_id, s.status, s.on_date, s.note) for s in SpecialTaskStatus.select().order_by(SpecialTaskStatus.id)])


def test_the_shipped_list_has_34_tasks_with_placeholder_titles_the_office_replaces():
    default = default_task_list()
    assert len(default.tasks) == 34 and len({t["id"] for t in default.tasks}) == 34
    assert all("待替换" in t["title"] for t in default.tasks)  # not official titles: says so
    assert "占位" in default.content["note"]


BROKEN = [
    ({"version": "2"}, "version", "应为 1 到 1000000 之间的整数"),
    ({"name": ""}, "name", "应为非空文字"),
    ({"tasks": []}, "tasks", "应有 1 到 500 项任务"),
    ({"tasks": [{"id": "T01", "title": "甲"}, {"id": "T01", "title": "乙"}]}, "tasks[1].id", "重复：T01"),
    ({"tasks": [{"id": "T01"}]}, "tasks[0].title", "缺失"),
    ({"tasks": [{"id": "T 1", "title": "甲"}]}, "tasks[0].id", "只能用字母、数字和连字符"),
    ({"tasks": [{"id": "T01", "title": "甲" * 201}]}, "tasks[0].title", "过长"),
    ({"tasks": [{"id": "T01", "title": "甲", "due": "2014-06-30"}]}, "tasks[0].due", "不是任务的字段"),
]


@pytest.mark.parametrize(("change", "field", "message"), BROKEN, ids=[b[1] for b in BROKEN])
def test_a_broken_list_file_is_refused_naming_the_field(tmp_path, change, field, message):
    content = {"id": "special-tasks", "version": 2, "name": "专项整治任务", "tasks": [{"id": "T01", "title": "甲"}]}
    content.update(change)
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        tasks.load_file(path)
    assert info.value.field == field and message in info.value.message, (info.value.field, info.value.message)


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "tasks.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ValidationError, match="不是有效的 JSON"):
        tasks.load_file(path)


def test_the_office_loads_a_higher_version_only(office, tmp_path):
    edited = {**tasks.current_list().content, "version": 2, "tasks": [{"id": "T01", "title": "整治“庸懒散”问题"}]}
    assert tasks.load_list(tasks.validate_task_list(edited))
    assert not tasks.load_list(tasks.validate_task_list(edited))  # the same again: nothing
    assert tasks.current_list().tasks == [{"id": "T01", "title": "整治“庸懒散”问题"}]
    before = _written()
    changed = {**edited, "tasks": [{"id": "T01", "title": "别的"}]}
    with pytest.raises(ValidationError) as info:
        tasks.load_list(tasks.validate_task_list(changed))
    assert info.value.field == "version" and "已存在且内容不同" in info.value.message
    older = {**edited, "version": 1}
    with pytest.raises(ValidationError) as info:
        tasks.load_list(tasks.validate_task_list(older))
    assert info.value.field == "version" and "应高于当前的第 2 版" in info.value.message
    assert _written() == before


def test_only_the_office_assigns_and_only_assigned_tasks_get_a_status(data_dir):
    unit = factories.county()
    before = _written()
    with pytest.raises(ValidationError) as info:
        tasks.assign(unit, ["T01"])
    assert info.value.field == "role" and "只有活动办" in info.value.message
    with pytest.raises(ValidationError) as info:
        tasks.report_status(unit, "T01", "推进中", "2014-05-10")
    assert info.value.field == "task_id" and "没有给“临江县”分配专项整治任务“T01”" in info.value.message
    assert _written() == before


def test_assignment_and_status_rules(office):
    unit = factories.county()
    before = _written()
    with pytest.raises(ValidationError) as info:
        tasks.assign(unit, ["T01", "T99"])
    assert info.value.field == "task_ids" and "没有任务“T99”" in info.value.message
    with pytest.raises(ValidationError) as info:
        tasks.assign(unit, ["T01", "T01"])
    assert info.value.field == "task_ids" and "重复" in info.value.message
    assert _written() == before
    tasks.assign(unit, ["T01", "T02"])
    tasks.report_status(unit, "T02", "推进中", "2014-05-10", "已制定子方案")
    before = _written()
    for status, on_date, note, field, message in (
            ("已搁置", "2014-05-10", "", "status", "进展"),
            ("已完成", "2099-01-01", "", "on_date", "不能晚于今天"),
            ("已完成", "2014-05-12", "情" * 2001, "note", "过长")):
        with pytest.raises(ValidationError) as info:
            tasks.report_status(unit, "T02", status, on_date, note)
        assert info.value.field == field and message in info.value.message, (info.value.field, info.value.message)
    assert _written() == before
    tasks.report_status(unit, "T02", "已完成", "2014-05-12", "整治完成")
    assert [(r.task_id, r.status, r.on_date) for r in tasks.unit_tasks(unit)] == [
        ("T01", "未启动", None), ("T02", "已完成", "2014-05-12")]


def test_the_special_tasks_commands(office, tmp_path, capsys):
    unit = factories.county()
    base = ["--data-dir", str(office)]
    edited = {**tasks.current_list().content, "version": 2}
    edited["tasks"] = [{**t, "title": f"任务{t['id']}"} for t in edited["tasks"]]
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    assert cli.main([*base, "special-tasks", "load", str(path)]) == 0
    assert "第 2 版（34 项）" in capsys.readouterr().out
    assert cli.main([*base, "special-tasks", "assign", "--unit", unit.id, "--task", "T03", "--task", "T07"]) == 0
    assert cli.main([*base, "special-tasks", "report", "--unit", unit.id, "--task", "T07", "--status", "推进中",
                     "--on", "2014-05-10", "--note", "已排查"]) == 0
    capsys.readouterr()
    assert cli.main([*base, "special-tasks", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["list"]["version"] == 2 and len(shown["list"]["tasks"]) == 34
    assert [(a["task_id"], a["title"], a["status"]) for a in shown["assigned"]] == [
        ("T03", "任务T03", "未启动"), ("T07", "任务T07", "推进中")]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({**edited, "version": 3, "tasks": [{"id": "T01"}]}), encoding="utf-8")
    assert cli.main([*base, "special-tasks", "load", str(broken)]) != 0
    assert "tasks[0].title" in capsys.readouterr().err
    assert tasks.current_list().version == 2
