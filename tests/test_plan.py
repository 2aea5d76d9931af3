"""The campaign plan (活动进度安排) and each unit's progress on its 规定动作."""

from __future__ import annotations

import json
from datetime import date

import pytest

from supervisor_app import changelog, installation, progress, units
from supervisor_app import plan as plans
from supervisor_app.errors import ValidationError
from supervisor_app.models import ActionProgress, CampaignPlan, ChangeLog
from tests import factories, speech_day


def _default_content() -> dict:
    return json.loads(json.dumps(plans.load_default().content))


# --- the plan as data ---------------------------------------------------------------------------------


def test_the_default_plan_is_the_speechs_calendar():
    plan = plans.load_default()
    assert [s["name"] for s in plan.stages] == ["学习教育、听取意见", "查摆问题、开展批评", "整改落实、建章立制"]
    study = plan.action("team-study-5-days")
    assert study["measure"] == {"kind": "days", "target": 5, "minimum": 4, "unit": "天"}
    assert study["applies_to"] == {"unit_kinds": ["县市区", "市直单位"], "county_level_team": True}
    one_plus = [plan.action(a) for a in ("grassroots-study-discussion", "grassroots-film", "grassroots-party-lecture")]
    assert all(a["measure"]["target"] == 1 and len(a["applies_to"]["unit_kinds"]) == 5 for a in one_plus)
    assert plan.action("opinions-review")["kind"] == "回头看"
    assert plan.action("opinions-review")["due"] == "2014-04-20"  # "这个月中旬" of April 2014
    assert plan.action("weak-organisation-rectified")["due"] == "2014-04-30"  # "4月底前完成整顿任务"
    assert plan.action("special-rectification")["due"] == "2014-06-30"  # "6月底前完成突出问题的专项整治"
    assert [s["on"][:7] for s in plan.surveys] == ["2014-04", "2014-09"]  # "9月份还要进行一次"


@pytest.mark.parametrize(("change", "field"), [
    (lambda c: c.pop("stages"), "stages"),
    (lambda c: c.__setitem__("version", "2"), "version"),
    (lambda c: c["stages"][1].__setitem__("start", "2014-04-01"), "stages[1].start"),
    (lambda c: c["stages"][0].__setitem__("end", "2014-13-01"), "stages[0].end"),
    (lambda c: c["actions"][2].__setitem__("due", "4月底"), "actions[2].due"),
    (lambda c: c["actions"][0]["applies_to"].__setitem__("unit_kinds", ["县直单位"]), "actions[0].applies_to.unit_kinds[0]"),
    (lambda c: c["actions"][0]["measure"].__setitem__("minimum", 9), "actions[0].measure.minimum"),
    (lambda c: c["actions"][0]["measure"].__setitem__("kind", "hours"), "actions[0].measure.kind"),
    (lambda c: c["actions"][3].__setitem__("stage", "nowhere"), "actions[3].stage"),
    (lambda c: c["actions"][4].__setitem__("id", c["actions"][0]["id"]), "actions[4].id"),
    (lambda c: c["actions"][5].pop("not_applicable_allowed"), "actions[5].not_applicable_allowed"),
    (lambda c: c["surveys"][1].__setitem__("on", None), "surveys[1].on"),
])
def test_a_broken_plan_file_is_refused_naming_the_field(tmp_path, change, field):
    content = _default_content()
    change(content)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        plans.load_file(path)
    assert info.value.field == field
    assert field in info.value.message and "活动安排字段" in info.value.message


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ValidationError, match="不是有效的 JSON"):
        plans.load_file(path)
    with pytest.raises(ValidationError, match="找不到活动安排文件"):
        plans.load_file(tmp_path / "missing.json")


def test_shifting_moves_every_date_and_makes_a_new_version():
    plan = plans.shifted(plans.load_default(), 365 * 12 + 3, 2)
    assert plan.version == 2
    assert plan.stages[0]["start"] == "2026-02-10"
    assert plan.action("special-rectification")["due"] == "2026-06-30"


# --- the office loads its dates ---------------------------------------------------------------------------


@pytest.fixture
def office(isolated_data, monkeypatch):
    return speech_day.initialize(isolated_data, monkeypatch, "office")


@pytest.fixture
def data_dir(isolated_data, monkeypatch):
    """conftest's field installation, set up on the speech's day (tests/speech_day.py)."""
    return speech_day.initialize(isolated_data, monkeypatch, "field", "市委第一督导组", "张三")


def test_only_the_office_loads_a_plan_and_versions_only_go_up(data_dir, monkeypatch):
    newer = plans.shifted(plans.load_default(), 7, 2)
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError) as info:
        progress.load_plan(newer)
    assert info.value.field == "role" and "只有活动办" in info.value.message
    assert ChangeLog.select().count() == before and not CampaignPlan.select().exists()


def test_the_office_loads_a_new_version(office):
    assert progress.current_plan() is plans.load_default()
    newer = plans.shifted(plans.load_default(), 7, 2)
    assert progress.load_plan(newer) is True
    assert progress.load_plan(newer) is False  # the same again: nothing changes
    assert progress.current_plan().action("opinions-review")["due"] == "2014-04-27"
    before = ChangeLog.select().count()
    for version, field in ((2, "version"), (1, "version")):
        with pytest.raises(ValidationError) as info:
            progress.load_plan(plans.shifted(plans.load_default(), 14, version))
        assert info.value.field == field
    assert ChangeLog.select().count() == before
    assert CampaignPlan.select().count() == 1


def test_a_stored_plan_version_never_changes(office):
    record = CampaignPlan.get_by_id(_stored(office))
    content = json.loads(json.dumps(record.content))
    content["actions"][0]["due"] = "2014-03-01"
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError) as info:
        changelog.update(record, content=content)
    assert info.value.field == "content"
    assert ChangeLog.select().count() == before


def _stored(_office) -> str:
    progress.load_plan(plans.shifted(plans.load_default(), 0, 2))
    return CampaignPlan.get().id


# --- progress per unit ------------------------------------------------------------------------------------


@pytest.fixture
def county(data_dir):
    unit = factories.county()
    team = units.create_team(unit, "临江县委领导班子")
    factories.leader(unit, team=team, is_top_leader=True)
    return unit


def test_which_actions_a_unit_owes(county):
    town = units.create_unit("新港镇", "乡镇", parent=county)
    dept = units.create_unit("市财政局", "市直单位")  # no 县处级 team recorded: the team's actions wait
    owed = {u.name: {s.action_id for s in progress.progress(u.id, on=date(2014, 4, 1))} for u in (county, town, dept)}
    assert "team-study-5-days" in owed["临江县"] and "weak-organisation-rectified" not in owed["临江县"]
    assert "weak-organisation-rectified" in owed["新港镇"] and "team-study-5-days" not in owed["新港镇"]
    assert "team-study-5-days" not in owed["市财政局"] and "grassroots-party-lecture" in owed["市财政局"]


def test_due_turns_overdue_after_the_due_day(county):
    def state(on):
        return {s.action_id: s.state for s in progress.progress(county.id, on=on)}["grassroots-party-lecture"]

    assert state(date(2014, 4, 15)) == "due"
    assert state(date(2014, 4, 16)) == "overdue"


def test_done_needs_a_date_evidence_and_the_measure(county):
    visit = factories.visit(county, notes="县委中心组集中学习第五天，一把手领学解读。", started_at="2014-03-20T09:00")
    other = factories.visit(factories.county("青山县"), started_at="2014-03-20T09:00")
    cases = [
        (dict(evidence=[]), "evidence"),
        (dict(evidence=[{"kind": "visit", "id": other.id}]), "evidence"),  # another unit's visit
        (dict(evidence=[{"kind": "visit", "id": "nope"}]), "evidence"),
        (dict(amount=3), "amount"),  # at least 4 of 5 days
        (dict(amount=None), "amount"),
        (dict(done_on="2014/03/20"), "done_on"),
        (dict(done_on="2099-01-01"), "done_on"),
        (dict(action_id="no-such-action"), "action_id"),
        (dict(action_id="weak-organisation-rectified"), "action_id"),  # not a county's action
    ]
    for change, field in cases:
        values = {"action_id": "team-study-5-days", "done_on": "2014-03-20",
                  "evidence": [{"kind": "visit", "id": visit.id}], "amount": 5, **change}
        before = ChangeLog.select().count()
        with pytest.raises(ValidationError) as info:
            progress.confirm_done(county, values.pop("action_id"), **values)
        assert info.value.field == field, (change, info.value)
        assert ChangeLog.select().count() == before
        assert not ActionProgress.select().exists()
    record = progress.confirm_done(county, "team-study-5-days", "2014-03-20", [{"kind": "visit", "id": visit.id}], 5)
    assert (record.plan_id, record.plan_version) == ("qzlx-2014-plan", 1)
    assert record.member_id == installation.context().member_id
    (row,) = [s for s in progress.progress(county.id, on=date(2014, 6, 1)) if s.action_id == "team-study-5-days"]
    assert (row.state, row.done_on, row.amount) == ("done", "2014-03-20", 5)
    assert row.evidence[0]["id"] == visit.id and "2014年3月20日" in row.evidence[0]["text"]
    # confirming again corrects the one record; withdrawing makes it owed again
    progress.confirm_done(county, "team-study-5-days", "2014-03-21", [{"kind": "visit", "id": visit.id}], 6)
    assert ActionProgress.select().where(ActionProgress.deleted == False).count() == 1
    assert progress.reopen(county, "team-study-5-days")
    (row,) = [s for s in progress.progress(county.id, on=date(2014, 6, 1)) if s.action_id == "team-study-5-days"]
    assert row.state == "overdue"


def test_a_document_measure_needs_a_document(county):
    visit = factories.visit(county, notes="查阅对照检查材料。", started_at="2014-05-20T09:00")
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError) as info:
        progress.confirm_done(county, "comparison-material", "2014-05-20", [{"kind": "visit", "id": visit.id}])
    assert info.value.field == "evidence" and "文件材料" in info.value.message
    assert ChangeLog.select().count() == before
    progress.confirm_done(county, "comparison-material", "2014-05-20",
                          [{"kind": "visit", "id": visit.id}, {"kind": "document", "title": "临江县委常委班子对照检查材料"}])
    assert {s.action_id: s.state for s in progress.progress(county.id)}["comparison-material"] == "done"


def test_not_applicable_only_where_the_plan_allows_it(county):
    town = units.create_unit("新港镇", "乡镇", parent=county)
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError) as info:
        progress.mark_not_applicable(town, "grassroots-party-lecture", "镇里没有安排")
    assert info.value.field == "status" and "必须完成" in info.value.message
    with pytest.raises(ValidationError) as info:
        progress.mark_not_applicable(town, "weak-organisation-rectified", "  ")
    assert info.value.field == "reason"
    assert ChangeLog.select().count() == before
    progress.mark_not_applicable(town, "weak-organisation-rectified", "该镇党委不属于软弱涣散党组织")
    row = {s.action_id: s for s in progress.progress(town.id, on=date(2014, 6, 1))}["weak-organisation-rectified"]
    assert (row.state, row.reason) == ("not_applicable", "该镇党委不属于软弱涣散党组织")


def test_evidence_is_proposed_from_visits_and_a_person_confirms(county):
    study = factories.visit(county, notes="县委中心组集中学习，书记领学解读。", started_at="2014-03-10T09:00",
                            methods=["列席会议"])
    factories.visit(county, notes="查阅征求意见台账。", started_at="2014-03-12T09:00")
    factories.visit(county, notes="去年的中心组集中学习。", started_at="2014-01-10T09:00")  # before the campaign
    proposals = progress.propose_evidence(county, "team-study-5-days")
    assert [p.visit_id for p in proposals] == [study.id]
    assert "集中学习" in proposals[0].why and "列席会议" in proposals[0].why
    assert not ActionProgress.select().exists()  # proposing writes nothing
    progress.confirm_done(county, "team-study-5-days", proposals[0].on_date,
                          [{"kind": "visit", "id": proposals[0].visit_id}], 5)
    assert progress.propose_evidence(county, "team-study-5-days") == []  # used evidence is not proposed again


def test_due_soon_lists_this_weeks_and_overdue_actions(county):
    rows = progress.due_soon(on=date(2014, 4, 14))
    states = {(r.action_id, r.state) for r in rows}
    assert ("team-study-5-days", "overdue") in states  # due 3月31日
    assert ("opinions-review", "due") in states  # due 4月20日, within the week
    assert not any(r.action_id == "comparison-material" for r in rows)  # due 5月31日
    assert [r.due for r in rows] == sorted(r.due for r in rows)


# --- the CLI and the demo ----------------------------------------------------------------------------------


def _run(capsys, *argv):
    from supervisor_app import cli

    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_progress_agrees_with_its_visits(demo_data, capsys, monkeypatch):
    from supervisor_app.models import Unit, Visit
    from tests.conftest import DEMO_ANCHOR

    monkeypatch.setattr("supervisor_app.clock.today", lambda: DEMO_ANCHOR)  # the demo's today

    code, out, _ = _run(capsys, "--data-dir", str(demo_data), "progress", "--json")
    assert code == 0
    rows = json.loads(out)
    assert {"unit", "action", "state", "due", "done_on", "evidence"} <= set(rows[0])
    plan = progress.current_plan()
    assert plan.version == 2  # the demo's calendar: the office's dates moved to the demo's days
    states = {r["state"] for r in rows}
    assert states == {"done", "due", "overdue", "not_applicable"}
    for row in rows:
        action = plan.action(row["action_id"])
        if row["state"] == "done":
            assert row["evidence"] and row["done_on"] <= "2014-06-30"
            for item in row["evidence"]:
                if item["kind"] == "visit":
                    visit = Visit.get_by_id(item["id"])
                    assert visit.unit_id == row["unit_id"]
                    assert progress.evidence_reason(action, visit.notes, visit.methods) is not None
        elif row["state"] == "overdue":
            assert row["due"] < "2014-06-30"
        elif row["state"] == "due":
            assert row["due"] >= "2014-06-30"
    # the field device follows its own group's units
    mine = {u.id for u in Unit.select().where(Unit.group == installation.context().group_id)}
    assert {r["unit_id"] for r in rows} == mine
    code, out, _ = _run(capsys, "--data-dir", str(demo_data), "progress", "--unit", rows[0]["unit_id"])
    assert code == 0 and rows[0]["unit"] in out and "共 " in out


def test_plan_commands(office, capsys, tmp_path):
    code, out, _ = _run(capsys, "--data-dir", str(office), "plan", "show", "--json")
    assert code == 0 and json.loads(out)["version"] == 1
    content = _default_content()
    content["version"] = 2
    content["actions"][0]["due"] = "2014-04-05"
    path = tmp_path / "plan-v2.json"
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    code, out, _ = _run(capsys, "--data-dir", str(office), "plan", "load", str(path))
    assert code == 0 and "第 2 版" in out
    code, out, _ = _run(capsys, "--data-dir", str(office), "plan", "show")
    assert "2014年4月5日" in out and "第 2 版" in out
    content["actions"][0]["due"] = "4月5日"
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    code, _, err = _run(capsys, "--data-dir", str(office), "plan", "load", str(path))
    assert code == 2 and "actions[0].due" in err


def test_progress_commands_mark_done_not_applicable_and_reopen(county, capsys):
    """(The data folder is the test's own, through SUPERVISOR_DATA_DIR.)"""
    town = units.create_unit("新港镇", "乡镇", parent=county)
    visit = factories.visit(county, notes="县委书记上专题党课。", started_at="2014-04-09T09:00")
    code, _, err = _run(capsys, "progress", "done", "--unit", county.id, "--action", "grassroots-party-lecture",
                        "--on", "2014-04-09", "--visit", visit.id)
    assert code == 2 and "完成数量" in err and not ActionProgress.select().exists()
    code, out, _ = _run(capsys, "progress", "done", "--unit", county.id, "--action", "grassroots-party-lecture",
                        "--on", "2014-04-09", "--visit", visit.id, "--amount", "1")
    assert code == 0 and "已确认完成" in out
    code, out, _ = _run(capsys, "progress", "--unit", county.id, "--json")
    (row,) = [r for r in json.loads(out) if r["action_id"] == "grassroots-party-lecture"]
    assert (row["state"], row["done_on"], row["evidence"][0]["id"]) == ("done", "2014-04-09", visit.id)
    code, out, _ = _run(capsys, "progress", "not-applicable", "--unit", town.id, "--action",
                        "weak-organisation-rectified", "--reason", "不属于软弱涣散党组织")
    assert code == 0
    code, out, _ = _run(capsys, "progress", "reopen", "--unit", county.id, "--action", "grassroots-party-lecture")
    assert code == 0 and "已撤销" in out
    assert [r.status for r in ActionProgress.select().where(ActionProgress.deleted == False)] == ["not_applicable"]


def test_damaged_stored_progress_never_crashes_the_states(county, capsys):
    """Values written straight into the database (never through the rules) are shown as owed."""
    from supervisor_app import surveys
    from supervisor_app.models import database

    visit = factories.visit(county, notes="专题党课。", started_at="2014-04-09T09:00")
    good = progress.confirm_done(county, "grassroots-party-lecture", "2014-04-09", [{"kind": "visit", "id": visit.id}], 1)
    other = progress.confirm_done(county, "grassroots-film", "2014-04-09", [{"kind": "visit", "id": visit.id}], 1)
    database.execute_sql('UPDATE action_progress SET status = ?, evidence = ? WHERE id = ?', ("xyz", '"str"', good.id))
    database.execute_sql('UPDATE action_progress SET evidence = ?, done_on = ? WHERE id = ?', ("123", "yesterday", other.id))
    database.execute_sql('INSERT INTO campaign_plan (id, created_at, updated_at, device_id, version, deleted, plan_id, '
                         'plan_version, name, content) VALUES (?, ?, ?, ?, 1, 0, ?, 9, ?, ?)',
                         ("bad-plan", "2014-01-01T00:00:00+00:00", "2014-01-01T00:00:00+00:00", "dev", "x", "坏", "[1]"))
    database.execute_sql('INSERT INTO survey_result (id, created_at, updated_at, device_id, version, deleted, unit_id, '
                         'survey_id, plan_id, plan_version, sample, satisfied, basically_satisfied, unsatisfied) '
                         'VALUES (?, ?, ?, ?, 1, 0, ?, ?, ?, 1, ?, 1, 1, 1)',
                         ("bad-survey", "2014-01-01T00:00:00+00:00", "2014-01-01T00:00:00+00:00", "dev", county.id,
                          "survey-1", "qzlx-2014-plan", "abc"))
    assert progress.current_plan() is plans.load_default()  # the damaged version is passed over
    states = {s.action_id: s for s in progress.progress(county.id, on=date(2014, 6, 1))}
    assert states["grassroots-party-lecture"].state == "overdue"
    assert states["grassroots-film"].state == "done" and states["grassroots-film"].evidence == []
    assert surveys.ranking("survey-1") == []
    code, out, _ = _run(capsys, "progress", "--json")
    assert code == 0 and json.loads(out)
