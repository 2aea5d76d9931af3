"""A unit's 整改方案: its rules refused on create and on update (message, field, nothing written),
`list plans --json` and the rplan commands, and the ledger grouped by plan (PDF and rows)."""

from __future__ import annotations

import json

import pytest

from supervisor_app import cli, findings, units
from supervisor_app import rectification_plans as plans
from supervisor_app.errors import ValidationError
from supervisor_app.models import ChangeLog, RectificationPlan
from tests import factories

FOUND_ON = "2014-04-08"


@pytest.fixture
def unit_world(data_dir):
    """临江县 with two leaders and two findings, 青山县 with a leader and a finding."""
    county = factories.county()
    other = factories.county("青山县")
    w = {
        "unit": county, "other": other,
        "secretary": factories.leader(county, "王建国", "县委书记", is_top_leader=True),
        "mayor": factories.leader(county, "李明", "县长"),
        "stranger": factories.leader(other, "赵强", "县委书记"),
    }
    w["f1"] = findings.create_finding(county, "学习笔记照抄照搬", "有形式主义趋向", found_on=FOUND_ON)
    w["f2"] = findings.create_finding(county, "征求意见不聚焦四风", "征求意见不太理想", found_on=FOUND_ON)
    w["f_other"] = findings.create_finding(other, "集中学习时间不足", "学习教育还不深不透", found_on=FOUND_ON)
    return w


def good_item(w, **changes) -> dict:
    item = {"finding": w["f1"].id, "kind": "个人", "leader": w["mayor"].id, "measure": "重新撰写学习笔记，支部讨论时交流。",
            "responsible_leader": w["secretary"].id, "responsible_unit": "县委办公室", "responsible_unit_id": None,
            "deadline": "2014-05-30"}
    item.update(changes)
    return item


def good_plan(**changes) -> dict:
    values = {"title": "临江县委常委班子整改方案", "state": "已通过", "adopted_on": "2014-05-06", "publicity": "已公示",
              "publicized_on": "2014-05-08"}
    values.update(changes)
    return values


def _stored() -> tuple:
    """Everything a refused write must leave as it was: the plans' stored rows and the change log."""
    rows = [(p.id, p.title, p.state, p.adopted_on, p.publicity, p.publicized_on, json.dumps(p.items, sort_keys=True),
             p.version) for p in RectificationPlan.select().order_by(RectificationPlan.id)]
    return rows, ChangeLog.select().count()


# (what changes, the field the refusal names, words of its message)
CASES = [
    ("another unit's finding", {}, {"finding": "f_other"}, "items[0].finding", "不是“临江县”的问题"),
    ("a 个人 problem of another unit's leader", {}, {"leader": "stranger"}, "items[0].leader", "不是“临江县”的领导干部"),
    ("a 个人 problem naming no leader", {}, {"leader": None}, "items[0].leader", "须写明是哪位领导干部"),
    ("a 班子 problem naming a leader", {}, {"kind": "班子"}, "items[0].leader", "班子问题不应指定个人"),
    ("a 责任领导 of another unit", {}, {"responsible_leader": "stranger"}, "items[0].responsible_leader",
     "不是“临江县”的领导干部"),
    ("no 责任领导", {}, {"responsible_leader": None}, "items[0].responsible_leader", "请选择责任领导"),
    ("a deadline before the finding", {}, {"deadline": "2014-04-07"}, "items[0].deadline", "不能早于问题发现日期"),
    ("no deadline", {}, {"deadline": None}, "items[0].deadline", "请填写整改时限"),
    ("no 整改措施", {}, {"measure": "  "}, "items[0].measure", "请填写整改措施"),
    ("a 整改措施 too long", {}, {"measure": "措" * 2001}, "items[0].measure", "过长（最多 2000 字）"),
    ("no 责任单位", {}, {"responsible_unit": ""}, "items[0].responsible_unit", "请填写责任单位"),
    ("a 责任单位 too long", {}, {"responsible_unit": "办" * 201}, "items[0].responsible_unit", "过长（最多 200 字）"),
    ("no title", {"title": " "}, {}, "title", "请填写方案名称"),
    ("a title too long", {"title": "方" * 201}, {}, "title", "过长（最多 200 字）"),
    ("adopted with no date", {"adopted_on": None, "publicity": "未公示", "publicized_on": None}, {}, "adopted_on",
     "请填写通过日期"),
    ("公示 before adoption", {"publicized_on": "2014-05-05"}, {}, "publicized_on", "不能早于方案通过日期"),
    ("公示 of a draft", {"state": "草拟", "adopted_on": None}, {}, "publicity", "通过后才能公示"),
    ("公示 with no date", {"publicized_on": None}, {}, "publicized_on", "请填写公示日期"),
    ("an unknown state", {"state": "已作废"}, {}, "state", "方案状态"),
]


def _resolve(w, item_changes: dict) -> dict:
    return {k: (w[v].id if isinstance(v, str) and v in w else v) for k, v in item_changes.items()}


@pytest.mark.parametrize(("plan_changes", "item_changes", "field", "message"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_plan_breaking_a_rule_is_refused_on_create(unit_world, plan_changes, item_changes, field, message):
    w = unit_world
    before = _stored()
    values = good_plan(**plan_changes)
    title = values.pop("title")
    with pytest.raises(ValidationError) as info:
        plans.create_plan(w["unit"], title, items=[good_item(w, **_resolve(w, item_changes))], **values)
    assert message in info.value.message and info.value.field == field, (info.value.message, info.value.field)
    assert _stored() == before


@pytest.mark.parametrize(("plan_changes", "item_changes", "field", "message"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_plan_breaking_a_rule_is_refused_on_update(unit_world, plan_changes, item_changes, field, message):
    w = unit_world
    values = good_plan()
    plan = plans.create_plan(w["unit"], values.pop("title"), items=[good_item(w)], **values)
    before = _stored()
    with pytest.raises(ValidationError) as info:
        if item_changes:
            plans.set_item(plan, w["f1"], **_resolve(w, item_changes)) if "finding" not in item_changes else \
                plans.update_plan(plan, items=[good_item(w, **_resolve(w, item_changes))])
        else:
            plans.update_plan(plan, **plan_changes)
    assert message in info.value.message and info.value.field == field, (info.value.message, info.value.field)
    assert _stored() == before
    assert RectificationPlan.get_by_id(plan.id).items == [good_item(w)]


def test_a_finding_is_in_at_most_one_item_of_its_units_plans(unit_world):
    w = unit_world
    values = good_plan()
    first = plans.create_plan(w["unit"], values.pop("title"), items=[good_item(w)], **values)
    before = _stored()
    with pytest.raises(ValidationError) as info:  # twice in one plan
        plans.update_plan(first, items=[good_item(w), good_item(w, kind="班子", leader=None)])
    assert (info.value.field, "已列在本方案的另一项中" in info.value.message) == ("items[1].finding", True)
    second = plans.create_plan(w["unit"], "临江县政府党组整改方案")
    before = _stored()
    with pytest.raises(ValidationError) as info:  # in another plan of the unit
        plans.set_item(second, w["f1"], **{k: v for k, v in good_item(w).items() if k != "finding"})
    assert info.value.field == "items[0].finding" and "已列入整改方案“临江县委常委班子整改方案”" in info.value.message
    assert _stored() == before
    # once taken out of the first plan, it may go into the second
    plans.remove_item(first, w["f1"])
    plans.set_item(second, w["f1"], **{k: v for k, v in good_item(w).items() if k != "finding"})
    assert [i["finding"] for i in RectificationPlan.get_by_id(second.id).items] == [w["f1"].id]


def test_a_field_device_writes_plans_for_its_own_groups_units_only(unit_world):
    from supervisor_app import campaigns

    w = unit_world
    elsewhere = campaigns.create_group("市委第二督导组", campaigns.current_campaign())
    units.update_unit(w["other"], group=elsewhere.id)
    before = _stored()
    with pytest.raises(ValidationError) as info:
        plans.create_plan(w["other"], "青山县整改方案")
    assert info.value.field == "unit" and "不是本督导组负责的单位" in info.value.message
    assert _stored() == before


def test_list_plans_json_and_the_rplan_commands(unit_world, data_dir, capsys):
    w = unit_world
    base = ["--data-dir", str(data_dir)]
    assert cli.main([*base, "rplan", "create", "--unit", w["unit"].id, "--title", "临江县委常委班子整改方案",
                     "--state", "已通过", "--adopted", "2014-05-06"]) == 0
    plan_id = RectificationPlan.get().id
    assert cli.main([*base, "rplan", "item", plan_id, "--finding", w["f2"].id, "--kind", "班子",
                     "--measure", "重新发放征求意见表", "--responsible-leader", w["secretary"].id,
                     "--responsible-unit", "县委组织部", "--deadline", "2014-05-20"]) == 0
    assert cli.main([*base, "rplan", "update", plan_id, "--publicity", "已公示", "--publicized", "2014-05-09"]) == 0
    # a refusal: the rule's message on stderr, non-zero, nothing changed
    capsys.readouterr()
    before = _stored()
    assert cli.main([*base, "rplan", "item", plan_id, "--finding", w["f2"].id, "--deadline", "2014-04-01"]) != 0
    assert "整改时限不能早于问题发现日期" in capsys.readouterr().err
    assert _stored() == before
    assert cli.main([*base, "list", "plans", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["unit"] == "临江县" and listed["title"] == "临江县委常委班子整改方案"
    assert listed["adopted"] == "2014-05-06" and listed["state"] == "已通过"
    assert listed["publicity"] == {"status": "已公示", "date": "2014-05-09"}
    assert listed["items"] == [{"finding_id": w["f2"].id, "finding": "征求意见不聚焦四风", "kind": "班子", "leader": None,
                                "measure": "重新发放征求意见表", "responsible_leader": "王建国",
                                "responsible_unit": "县委组织部", "deadline": "2014-05-20"}]
    assert cli.main([*base, "list", "plans"]) == 0
    assert "临江县委常委班子整改方案" in capsys.readouterr().out


def test_the_ledger_groups_rows_by_plan_with_the_rest_last(unit_world):
    w = unit_world
    values = good_plan()
    plans.create_plan(w["unit"], values.pop("title"), items=[
        good_item(w, finding=w["f2"].id, kind="班子", leader=None), good_item(w)], **values)
    rows = findings.ledger()
    groups = plans.group_ledger(rows)
    assert [g.plan.title if g.plan else None for g in groups] == ["临江县委常委班子整改方案", None]
    assert [r.finding.id for r in groups[0].rows] == [w["f2"].id, w["f1"].id]  # the plan's item order
    assert [r.finding.id for r in groups[1].rows] == [w["f_other"].id]
    assert groups[1].heading == plans.OUTSIDE_PLANS
    assert "2014年5月6日通过" in groups[0].summary and "已公示（2014年5月8日）" in groups[0].summary
    names = plans.leader_names(groups)
    assert [plans.item_label(groups[0].items[r.finding.id], names) for r in groups[0].rows] == ["班子问题", "个人问题（李明）"]


def test_the_ledger_pdf_shows_the_plans_then_the_rest(unit_world, tmp_path):
    import pdfplumber

    from supervisor_app.reports import render

    w = unit_world
    values = good_plan()
    plans.create_plan(w["unit"], values.pop("title"), items=[good_item(w)], **values)
    out = render("ledger", tmp_path / "ledger.pdf")
    with pdfplumber.open(out) as pdf:
        text = "".join((page.extract_text() or "") for page in pdf.pages).replace("\n", "")
    plan_at, rest_at = text.index("一、临江县整改方案"), text.index("二、未列入整改方案的问题")
    assert plan_at < text.index("方案名称：临江县委常委班子整改方案") < text.index("学习笔记照抄照搬") < rest_at
    assert rest_at < text.index("集中学习时间不足") and rest_at < text.index("征求意见不聚焦四风")
    assert "个人问题" in text and "李明" in text  # the cell wraps: 个人问题 / （李明）
    assert "列入整改方案、尚未登记整改进展1个，尚未制定整改措施2个" in text
    one = render("ledger", tmp_path / "one.pdf", record_id=w["unit"].id)
    with pdfplumber.open(one) as pdf:
        text = "".join((page.extract_text() or "") for page in pdf.pages).replace("\n", "")
    assert text.index("一、临江县整改方案") < text.index("二、未列入整改方案的问题") < text.index("征求意见不聚焦四风")
    assert "集中学习时间不足" not in text


def test_the_other_side_a_finding_or_leader_a_plan_names_keeps_fitting_it(unit_world):
    """The checks rules/findings.py and rules/units.py are to call (their owners wire them in)."""
    from supervisor_app import changelog
    from supervisor_app.rules import DbLookup
    from supervisor_app.rules.rectification_plans import finding_still_fits_plans, leader_still_fits_plans

    w = unit_world
    values = good_plan()
    plans.create_plan(w["unit"], values.pop("title"), items=[good_item(w)], **values)
    old = changelog.state_of(w["f1"])
    for change, field, message in (({"found_on": "2014-06-01"}, "found_on", "不能晚于整改方案"),
                                   ({"unit": w["other"].id}, "unit", "不能改到其他单位")):
        with pytest.raises(ValidationError) as info:
            finding_still_fits_plans({**old, **change}, old, DbLookup())
        assert info.value.field == field and message in info.value.message
    finding_still_fits_plans({**old, "found_on": "2014-05-30"}, old, DbLookup())  # the deadline day itself: fine
    finding_still_fits_plans({**changelog.state_of(w["f2"]), "unit": w["other"].id}, changelog.state_of(w["f2"]),
                             DbLookup())  # a finding in no plan moves freely
    for leader in (w["mayor"], w["secretary"]):
        old = changelog.state_of(leader)
        with pytest.raises(ValidationError) as info:
            leader_still_fits_plans({**old, "unit": w["other"].id}, old, DbLookup())
        assert info.value.field == "unit" and "不能改到其他单位" in info.value.message


def test_editing_a_planned_finding_or_leader_through_the_services_is_refused(unit_world):
    """The same checks, wired into the finding and leader rules: every path that edits them."""
    from supervisor_app import changelog, findings, units
    from supervisor_app.models import ChangeLog, Finding, Leader

    w = unit_world
    values = good_plan()
    plans.create_plan(w["unit"], values.pop("title"), items=[good_item(w)], **values)
    before = (changelog.state_of(Finding.get_by_id(w["f1"].id)), changelog.state_of(Leader.get_by_id(w["mayor"].id)),
              ChangeLog.select().count())
    with pytest.raises(ValidationError) as info:
        findings.update_finding(w["f1"].id, found_on="2014-06-01")
    assert info.value.field == "found_on" and "不能晚于整改方案" in info.value.message
    with pytest.raises(ValidationError) as info:
        units.update_leader(w["mayor"].id, unit=w["other"].id)
    assert info.value.field == "unit" and "不能改到其他单位" in info.value.message
    assert (changelog.state_of(Finding.get_by_id(w["f1"].id)), changelog.state_of(Leader.get_by_id(w["mayor"].id)),
            ChangeLog.select().count()) == before
