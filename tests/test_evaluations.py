import pytest

from supervisor_app import audit, campaigns, evaluation_facts, evaluations, findings, signing, units
from supervisor_app.errors import FrozenRecordError, ValidationError
from supervisor_app.models import ChangeLog, EvaluationRecord, database
from tests import factories

PASS = "correct horse battery"


@pytest.fixture
def setup(data_dir):
    unit = factories.county()
    team = units.create_team(unit, "临江县委领导班子")
    leader = factories.leader(unit, team=team, is_top_leader=True)
    visit = factories.visit(unit, notes="书记讲专题党课，开展一把手领学解读。", leaders_present=[leader.id],
                            started_at="2014-04-10T09:00")
    finding = findings.create_finding(unit, "征求意见范围偏窄", "征求意见不太理想", leader=leader, found_on="2014-04-12")
    findings.set_rectification(finding, measure="扩大征求意见范围", responsible="王建国", deadline="2014-04-20")
    me = campaigns.current_member()
    signing.create_leader_key(data_dir, me, PASS)
    record = evaluations.create_evaluation("leader", "2014-04-01", "2014-06-30", leader=leader)
    return {"unit": unit, "team": team, "leader": leader, "visit": visit, "finding": finding, "record": record,
            "me": campaigns.current_member(), "data_dir": data_dir}


def _fill(record):
    for p in evaluation_facts.propose(record):
        evaluations.add_fact(record, p.on_date, p.text, source_kind=p.source_kind, source_id=p.source_id)
    tpl = campaigns.active_template()
    evaluations.update_evaluation(
        record, item_ratings={i["id"]: {"rating": "较好", "comment": "有纪实"} for i in tpl.evaluation_items("leader")},
        overall_rating="较好", narrative="带头学习，示范作用较好。",
    )


def test_facts_are_proposed_from_visits_findings_and_missed_deadlines(setup, monkeypatch):
    from datetime import date

    monkeypatch.setattr("supervisor_app.clock.today", lambda: date(2014, 5, 1))
    proposals = evaluation_facts.propose(setup["record"])
    kinds = [(p.source_kind, p.source_id) for p in proposals]
    assert ("visit", setup["visit"].id) in kinds
    assert ("finding", setup["finding"].id) in kinds
    overdue = [p for p in proposals if p.source_kind == "rectification"]
    assert overdue and "逾期" in overdue[0].text
    visit_fact = next(p for p in proposals if p.source_kind == "visit")
    assert "带头讲党课" in visit_fact.text and "带头学习、领学解读" in visit_fact.text
    evaluations.add_fact(setup["record"], visit_fact.on_date, visit_fact.text, source_kind="visit",
                         source_id=visit_fact.source_id)
    assert ("visit", setup["visit"].id) not in [(p.source_kind, p.source_id) for p in evaluation_facts.propose(setup["record"])]


def test_rating_validation(setup):
    record = setup["record"]
    with pytest.raises(ValidationError):
        evaluations.update_evaluation(record, item_ratings={"L1": {"rating": "优秀"}})
    with pytest.raises(ValidationError):
        evaluations.update_evaluation(record, item_ratings={"M1": {"rating": "好"}})  # a team item
    with pytest.raises(ValidationError):
        evaluations.update_evaluation(record, overall_rating="很好")
    with pytest.raises(ValidationError):
        evaluations.add_fact(record, "2015-01-01", "期间外")
    with pytest.raises(ValidationError):
        evaluations.create_evaluation("leader", "2014-06-30", "2014-04-01", leader=setup["leader"])


def test_sign_freezes_the_record(setup):
    record, me, data_dir = setup["record"], setup["me"], setup["data_dir"]
    _fill(record)
    with pytest.raises(ValidationError, match="口令不正确"):
        signing.unlock(data_dir, me, "wrong passphrase")
    key = signing.unlock(data_dir, me, PASS)
    signed = evaluations.sign(record, me, key)
    assert evaluations.status(signed) == "signed" and signed.signature
    before = ChangeLog.select().count()
    for attempt in (
        lambda: evaluations.update_evaluation(record, narrative="改一下"),
        lambda: evaluations.add_fact(record, "2014-05-01", "补一条"),
        lambda: evaluations.update_fact(evaluations.facts(record)[0].id, text="改"),
        lambda: evaluations.delete_evaluation(record),
        lambda: evaluations.sign(record, me, key),
    ):
        with pytest.raises(FrozenRecordError):
            attempt()
    assert ChangeLog.select().count() == before
    assert audit.check_all() == []


def test_non_leader_cannot_sign(setup):
    record = setup["record"]
    _fill(record)
    group = campaigns.current_group()
    member = campaigns.add_member(group, "李四")
    leader_key = signing.unlock(setup["data_dir"], setup["me"], PASS)
    with pytest.raises(ValidationError, match="组长"):
        evaluations.sign(record, member, leader_key)
    with pytest.raises(ValidationError):
        signing.create_leader_key(setup["data_dir"], member, PASS)
    with pytest.raises(ValidationError):
        signing.unlock(setup["data_dir"], member, PASS)
    assert evaluations.status(evaluations.get_evaluation(record.id)) == "draft"


def test_signing_needs_accepted_facts_and_overall_rating(setup):
    record = setup["record"]
    key = signing.unlock(setup["data_dir"], setup["me"], PASS)
    with pytest.raises(ValidationError) as info:
        evaluations.sign(record, setup["me"], key)
    assert info.value.field == "facts"
    evaluations.add_fact(record, "2014-04-10", "带头讲党课", state="proposed")
    with pytest.raises(ValidationError, match="待确认"):
        evaluations.sign(record, setup["me"], key)


def test_amendment_keeps_the_original(setup):
    record = setup["record"]
    _fill(record)
    key = signing.unlock(setup["data_dir"], setup["me"], PASS)
    evaluations.sign(record, setup["me"], key)
    with pytest.raises(ValidationError):
        evaluations.amend(record, setup["me"], "", {"overall_rating": "好"}, key)
    with pytest.raises(ValidationError):
        evaluations.amend(record, setup["me"], "复核", {"overall_rating": "极好"}, key)
    amendment = evaluations.amend(record, setup["me"], "复核后调整", {"overall_rating": "好"}, key)
    stored = evaluations.get_evaluation(record.id)
    assert stored.overall_rating == "较好"  # the signed original is unchanged
    assert evaluations.status(stored) == "amended"
    assert evaluations.amendments(stored)[0].id == amendment.id
    assert audit.check_all() == []


def test_check_catches_a_signed_record_edited_behind_the_program(setup):
    record = setup["record"]
    _fill(record)
    evaluations.sign(record, setup["me"], signing.unlock(setup["data_dir"], setup["me"], PASS))
    database.execute_sql("UPDATE evaluation_record SET narrative = '悄悄改过' WHERE id = ?", (record.id,))
    problems = audit.check_all()
    assert any("内容被改动" in p for p in problems)
    database.execute_sql("UPDATE evaluation_fact SET text = '假纪实' WHERE evaluation_id = ?", (record.id,))
    assert any("内容被改动" in p for p in audit.check_all())


def test_forged_signature_is_caught(setup):
    record = setup["record"]
    _fill(record)
    evaluations.sign(record, setup["me"], signing.unlock(setup["data_dir"], setup["me"], PASS))
    sig = EvaluationRecord.get_by_id(record.id).signature
    forged = ("A" if sig[0] != "A" else "B") + sig[1:]
    database.execute_sql("UPDATE evaluation_record SET signature = ? WHERE id = ?", (forged, record.id))
    assert any("签名无效" in p for p in audit.check_all())


# --- the record as amended (evaluations.current_view) -----------------------------------------------


def _signed(setup):
    record = setup["record"]
    _fill(record)
    key = signing.unlock(setup["data_dir"], setup["me"], PASS)
    evaluations.sign(record, setup["me"], key)
    return evaluations.get_evaluation(record.id), key


def test_current_view_applies_amendments_in_order_with_their_provenance(setup):
    record, key = _signed(setup)
    assert not evaluations.current_view(record).corrections  # signed, not yet amended
    evaluations.amend(record, setup["me"], "复核联系点工作", {"overall_rating": "一般", "L2": "一般"}, key)
    evaluations.amend(record, setup["me"], "再次核实整改成效", {"overall_rating": "好"}, key)
    evaluations.amend(record, setup["me"], "补记纪实", {"fact": "4月15日到社区报到"}, key)
    view = evaluations.current_view(record)
    assert view.overall_rating == "好" and view.original["overall_rating"] == "较好"
    steps = view.corrections["overall_rating"]
    assert [(s.before, s.after, s.reason) for s in steps] == [("较好", "一般", "复核联系点工作"),
                                                              ("一般", "好", "再次核实整改成效")]
    assert view.item_ratings["L2"] == {"rating": "一般", "comment": "有纪实"}
    assert view.item_ratings["L1"]["rating"] == "较好" and not view.is_amended("L1")
    assert view.narrative == "带头学习，示范作用较好。" and not view.is_amended("narrative")
    assert [c.after for c in view.fact_corrections] == ["4月15日到社区报到"]
    note = view.note("overall_rating")
    assert note.startswith("已更正（原为较好）") and "张三更正总体评价：较好 → 一般。原因：复核联系点工作" in note
    tpl = campaigns.active_template()
    assert view.label("L2") == tpl.item_name("L2") and view.label("fact") == "纪实"
    assert evaluations.get_evaluation(record.id).overall_rating == "较好"  # the signed original stays


def test_current_view_ignores_amendments_of_a_draft(setup):
    """Only a signed record is amended; an amendment row on a draft (written behind the
    services' back) changes nothing shown."""
    from supervisor_app import changelog
    from supervisor_app.models import Amendment

    record = setup["record"]
    _fill(record)
    changelog.create(Amendment, evaluation=record, member=setup["me"], reason="草稿上的更正",
                     changes={"overall_rating": "差"})
    view = evaluations.current_view(record)
    assert view.overall_rating == "较好" and not view.corrections and view.note("overall_rating") == ""


def test_amendment_that_changes_nothing_is_refused(setup):
    record, key = _signed(setup)
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError, match="无需更正") as info:
        evaluations.amend(record, setup["me"], "复核", {"overall_rating": "较好"}, key)
    assert info.value.field == "changes"
    assert ChangeLog.select().count() == before and evaluations.amendments(record) == []


def test_amendment_rating_must_be_on_the_scale(setup):
    record, key = _signed(setup)
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError, match="更正后的评价必须是以下之一") as info:
        evaluations.amend(record, setup["me"], "复核", {"L2": "优秀"}, key)
    assert info.value.field == "changes"
    assert ChangeLog.select().count() == before and evaluations.amendments(record) == []


def test_history_names_fields_in_chinese_and_shows_one_fingerprint(setup):
    from supervisor_app import signatures

    record, key = _signed(setup)
    evaluations.amend(record, setup["me"], "复核联系点工作", {"overall_rating": "一般"}, key)
    lines = [line.text for line in evaluations.history(record)]
    text = "\n".join(lines)
    assert "新建草稿" in lines[0]
    edit = next(line for line in lines if "修改" in line)
    assert set(edit.split("修改", 1)[1].split("、")) == {"评价项目", "总体评价", "评价意见"}
    assert "content_hash" not in text and "item_ratings" not in text and "group" not in text
    fingerprint = signatures.fingerprint_text(record.signature)
    assert f"签名指纹 {fingerprint}" in text
    assert len(fingerprint) == 19 and fingerprint.count(" ") == 3  # 'XXXX XXXX XXXX XXXX'
    assert lines[-1].endswith("张三更正总体评价：较好 → 一般。原因：复核联系点工作。")


def test_a_corrected_narrative_is_said_without_repeating_both_texts(setup):
    record, key = _signed(setup)
    evaluations.amend(record, setup["me"], "核对纪实后调整。", {"narrative": "经复核，联系点工作好于原评价。"}, key)
    view = evaluations.current_view(record)
    assert view.narrative == "经复核，联系点工作好于原评价。" and view.original["narrative"] == "带头学习，示范作用较好。"
    line = evaluations.history(record)[-1].text
    assert line.endswith("张三更正评价意见。原因：核对纪实后调整。") and "示范作用" not in line


def test_figures_count_overall_ratings_as_amended(setup):
    record, key = _signed(setup)
    assert evaluations.figures()["ratings"]["较好"] == 1
    evaluations.amend(record, setup["me"], "复核", {"overall_rating": "一般"}, key)
    draft = evaluations.create_evaluation("team", "2014-04-01", "2014-06-30", team=setup["team"])
    evaluations.update_evaluation(draft, overall_rating="好")
    figures = evaluations.figures()
    assert (figures["total"], figures["draft"], figures["signed"], figures["amended"]) == (2, 1, 0, 1)
    assert figures["ratings"] == {"好": 0, "较好": 0, "一般": 1, "差": 0}  # drafts are not counted


def test_fingerprint_text_of_nothing_and_of_garbage():
    from supervisor_app import signatures

    assert signatures.fingerprint_text(None) == "—"
    assert signatures.fingerprint_text(["not", "text"]).endswith("（签名无法解析）")
    assert signatures.content_code_text("ab" * 32) == "ABAB ABAB ABAB ABAB"
    assert signatures.content_code_text("zz") == "zz（校验码无法解析）" and signatures.content_code_text(None) == "—"


def test_current_stage_is_the_campaign_so_far(data_dir):
    from datetime import date

    campaign = campaigns.current_campaign()
    start = date.fromisoformat(campaign.start_date)
    stage = campaigns.current_stage(date(start.year + 1, 1, 1))
    assert (stage.start, stage.end) == (campaign.start_date, f"{start.year + 1}-01-01")
    assert campaigns.current_stage(date(start.year - 1, 1, 1)).end == campaign.start_date  # not begun yet


def test_an_amendment_without_its_leader_is_refused_by_the_rule(setup):
    """The record rule every path passes (service, import): an amendment names who made it."""
    from supervisor_app import changelog
    from supervisor_app.models import Amendment

    record, _key = _signed(setup)
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError) as info:
        changelog.create(Amendment, evaluation=record, member=None, reason="无人署名", changes={"overall_rating": "差"})
    assert info.value.field == "member" and "更正人" in info.value.message
    assert ChangeLog.select().count() == before and evaluations.amendments(record) == []
