import pytest

from supervisor_app import assessments, attachments, campaigns, quiz, units, visits
from supervisor_app.errors import NotFoundError, SupervisorError, ValidationError
from supervisor_app.models import Attachment, ChangeLog, Visit
from tests import factories


def test_create_visit_with_members_and_leaders(data_dir):
    unit = factories.county()
    leader = factories.leader(unit)
    me = campaigns.current_member()
    visit = visits.create_visit(
        unit, "2014-04-08 09:30", ["随机抽查", "个别谈话"], members_present=[me.id], leaders_present=[leader.id],
        people_met="王建国（县委书记）", notes="查阅学习笔记。\n第二行",
    )
    stored = visits.get_visit(visit.id)
    assert stored.started_at == "2014-04-08T09:30"
    assert stored.methods == ["随机抽查", "个别谈话"]
    assert stored.group_id == campaigns.current_group().id
    row = visits.visit_rows()[0]
    assert row.first_line == "查阅学习笔记。" and row.unit_name == "临江县" and row.assessed == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"unit": None}, "unit"),
        ({"started_at": "2014-13-01"}, "started_at"),
        ({"started_at": ""}, "started_at"),
        ({"methods": []}, "methods"),
        ({"methods": ["喝茶聊天"]}, "methods"),
        ({"members_present": ["nobody"]}, "members_present"),
        ({"ended_at": "2014-04-08T08:00"}, "ended_at"),
    ],
)
def test_visit_rules(data_dir, kwargs, field):
    unit = factories.county()
    values = {"unit": unit, "started_at": "2014-04-08T09:30", "methods": ["随机抽查"], **kwargs}
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError) as info:
        visits.create_visit(**values)
    assert info.value.field == field
    assert ChangeLog.select().count() == before
    assert Visit.select().count() == 0


def test_assessment_needs_evidence_and_scale_values(data_dir):
    visit = factories.visit(factories.county())
    with pytest.raises(ValidationError) as info:
        assessments.save_assessment(visit, {"F1": {"rating": "好", "evidence": ""}}, {})
    assert info.value.field == "督导重点:F1"
    with pytest.raises(ValidationError):
        assessments.save_assessment(visit, {"F1": {"rating": "优秀", "evidence": "x"}}, {})
    with pytest.raises(ValidationError):
        assessments.save_assessment(visit, {}, {"T9": {"level": "轻微", "evidence": "x"}})
    with pytest.raises(ValidationError):
        assessments.save_assessment(visit, {}, {"T1": {"level": "好", "evidence": "x"}})
    partial = assessments.save_assessment(visit, {"F1": {"rating": "好", "evidence": "有笔记"}}, {})
    assert not assessments.is_complete(partial)
    tpl = campaigns.active_template()
    full = assessments.save_assessment(
        visit,
        {i["id"]: {"rating": "较好", "evidence": "依据"} for i in tpl.focus_items},
        {t["id"]: {"level": "未发现", "evidence": "依据"} for t in tpl.tendencies},
    )
    assert full.id == partial.id and assessments.is_complete(full)
    assert visits.visit_rows()[0].assessed == 2


def test_quiz_accuracy_and_rules(data_dir):
    visit = factories.visit(factories.county())
    record = quiz.save_quiz(visit, 10, 30, 180)
    assert record.accuracy == pytest.approx(0.6)
    assert quiz.accuracy(10, 30, 180) == pytest.approx(0.6)
    with pytest.raises(ValidationError) as info:
        quiz.save_quiz(visit, 10, 30, 301)
    assert info.value.field == "correct_answers"
    with pytest.raises(ValidationError) as info:
        quiz.save_quiz(visit, 0, 30, 0)
    assert info.value.field == "people_tested"
    with pytest.raises(ValidationError):
        quiz.save_quiz(visit, "十", 30, 0)
    assert quiz.quiz_of(visit).correct_answers == 180


def test_attachment_stored_once_by_hash(data_dir, tmp_path):
    visit = factories.visit(factories.county())
    other = factories.visit(visit.unit, started_at="2014-04-09T10:00")
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8fake jpeg" * 1000)
    a = attachments.add_attachment(visit, photo)
    b = attachments.add_attachment(other, photo)
    assert a.sha256 == b.sha256 and a.mime_type == "image/jpeg"
    blobs = [p for p in attachments.store_dir().rglob("*") if p.is_file()]
    assert len(blobs) == 1
    assert attachments.verified_path(a).read_bytes() == photo.read_bytes()
    attachments.remove_attachment(a.id)
    assert attachments.list_attachments(visit) == []
    assert len(attachments.list_attachments(other)) == 1


def test_attachment_corruption_is_detected(data_dir, tmp_path):
    visit = factories.visit(factories.county())
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 fake")
    att = attachments.add_attachment(visit, scan)
    attachments.blob_path(att.sha256).write_bytes(b"tampered")
    with pytest.raises(SupervisorError, match="损坏") as info:
        attachments.verified_path(Attachment.get_by_id(att.id))
    assert info.value.field == "attachment"
    assert attachments.blob_path(att.sha256).read_bytes() == b"tampered"  # nothing repaired or removed


def test_missing_attachment_file_is_refused(data_dir, tmp_path):
    visit = factories.visit(factories.county())
    with pytest.raises(ValidationError):
        attachments.add_attachment(visit, tmp_path / "nope.jpg")
    assert Attachment.select().count() == 0


def test_delete_visit(data_dir):
    unit = factories.county()
    visit = factories.visit(unit, notes="四风问题突出")
    quiz.save_quiz(visit, 5, 30, 100)
    visits.delete_visit(visit)
    with pytest.raises(NotFoundError):
        visits.get_visit(visit.id)
    assert visits.count_visits(visits.VisitFilter(search="四风")) == 0
    assert quiz.quiz_of(visit) is None
    assert units.get_unit(unit.id)


def test_filters(data_dir):
    unit = factories.county()
    other = factories.county("青山县")
    me = campaigns.current_member()
    factories.visit(unit, started_at="2014-04-01T09:00", methods=["随机抽查"], members_present=[me.id])
    factories.visit(unit, started_at="2014-04-10T09:00", methods=["暗访督查"])
    factories.visit(other, started_at="2014-04-20T09:00", methods=["随机抽查"])
    count = visits.count_visits
    assert count(visits.VisitFilter(unit_id=unit.id)) == 2
    assert count(visits.VisitFilter(date_from="2014-04-10", date_to="2014-04-20")) == 2
    assert count(visits.VisitFilter(date_to="2014-04-01")) == 1
    assert count(visits.VisitFilter(method="随机抽查")) == 2
    assert count(visits.VisitFilter(member_id=me.id)) == 1
    rows = visits.visit_rows(order="started_at", descending=False)
    assert [r.started_at[:10] for r in rows] == ["2014-04-01", "2014-04-10", "2014-04-20"]
    with pytest.raises(ValidationError):
        count(visits.VisitFilter(date_from="昨天"))


def test_paging_after_a_row_equals_offset_paging(data_dir):
    unit = factories.county()
    other = factories.county("青山县")
    for day in range(1, 13):
        factories.visit(unit if day % 2 else other, started_at=f"2014-04-{day % 4 + 1:02d}T09:00", notes=f"记录{day}")
    for order in ("started_at", "unit", "notes", "methods"):
        for descending in (True, False):
            whole = visits.visit_rows(order=order, descending=descending, limit=100)
            paged, last = [], None
            while True:
                page = visits.visit_rows(order=order, descending=descending, limit=5, after=last)
                if not page:
                    break
                paged.extend(page)
                last = page[-1]
            assert [r.id for r in paged] == [r.id for r in whole], (order, descending)


# --- dates in the future --------------------------------------------------------------------------


def test_a_visit_dated_in_the_future_is_refused_on_create_and_update(data_dir):
    from datetime import timedelta

    from supervisor_app.clock import today

    unit = factories.county()
    tomorrow = (today() + timedelta(days=1)).isoformat()
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError) as info:
        visits.create_visit(unit, f"{tomorrow}T09:00", ["随机抽查"])
    assert info.value.field == "started_at" and "不能晚于今天" in info.value.message
    assert ChangeLog.select().count() == before and Visit.select().count() == 0
    with pytest.raises(ValidationError) as info:
        visits.create_visit(unit, "2030-01-01T09:00", ["随机抽查"])
    assert info.value.field == "started_at"
    # today is fine, at any hour (a visit entered in the morning for the afternoon)
    visit = visits.create_visit(unit, f"{today().isoformat()}T23:59", ["随机抽查"])
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError) as info:
        visits.update_visit(visit, started_at=f"{tomorrow}T08:00")
    assert info.value.field == "started_at"
    assert visits.get_visit(visit.id).started_at.startswith(today().isoformat())
    assert ChangeLog.select().count() == before


def test_visit_problems_lists_every_broken_field_at_once(data_dir):
    from supervisor_app.rules import DbLookup
    from supervisor_app.rules.visits import quiz_problems, visit_problems

    state = {"id": "x", "unit": None, "started_at": "2030-01-01T09:00", "methods": [], "members_present": [],
             "leaders_present": [], "people_met": "", "notes": ""}
    problems = visit_problems(state, None, DbLookup())
    assert [p.field for p in problems] == ["unit", "started_at", "methods"]
    assert quiz_problems({"people_tested": 1, "questions": 30, "correct_answers": 31})[0].field == "correct_answers"
    assert [p.field for p in quiz_problems({"people_tested": 0, "questions": 0, "correct_answers": 1})] == [
        "people_tested", "questions"]


def test_an_imported_visit_dated_in_the_future_is_refused(tmp_path_factory, tmp_path):
    """The rule holds for a bundle too: the office refuses it, names the field, writes nothing."""
    from tests.test_sync_hostile_device import craft, ids, refused, visit_of_f2, world_template

    world = world_template.__wrapped__(tmp_path_factory).copy_to(tmp_path / "w")
    w = ids(world)
    refused(world, craft(world, [visit_of_f2(w, started_at="2030-04-09T09:00")]), "督导时间不能晚于今天")


# --- the editor's form --------------------------------------------------------------------------------


def _form(unit, **changes):
    from supervisor_app import visit_form

    values = {"unit_id": unit.id, "started_at": "2014-04-08T09:30", "methods": ["查阅资料"], "notes": "查阅学习笔记"}
    return visit_form.VisitForm(**{**values, **changes})


def test_form_problems_are_all_listed_and_nothing_is_written(data_dir):
    from supervisor_app import visit_form

    unit = factories.county()
    form = _form(unit, started_at="2030-01-01T09:00", methods=[], quiz_done=True, quiz_people=1, quiz_questions=30,
                 quiz_correct=31, focus_ratings={"F1": {"rating": "好", "evidence": ""}},
                 findings=[visit_form.FindingForm(description="", category="有形式主义趋向"),
                           visit_form.FindingForm(description="笔记雷同", category="有形式主义趋向", responsible="王建国")])
    fields = [p.field for p in visit_form.problems(form)]
    assert fields == ["started_at", "methods", "督导重点:F1", "correct_answers", "finding:1:description",
                      "finding:2:measure"]
    before = ChangeLog.select().count()
    with pytest.raises(visit_form.FormProblems) as info:
        visit_form.save(form)
    assert info.value.field == "started_at" and len(info.value.problems) == 6
    assert ChangeLog.select().count() == before and Visit.select().count() == 0


def test_form_saves_a_finding_with_its_rectification_and_keeps_unticked_quiz_out(data_dir):
    from supervisor_app import findings, visit_form

    unit = factories.county()
    form = _form(unit, quiz_done=False, quiz_people=10, quiz_questions=30, quiz_correct=100, findings=[
        visit_form.FindingForm(description="学习笔记雷同\n多名干部照抄", category="有形式主义趋向", measure="重新组织学习",
                               responsible="王建国", deadline="2014-05-01")])
    visit = visit_form.save(form)
    assert quiz.quiz_of(visit) is None
    (finding,) = findings.list_findings(visit=visit)
    assert finding.description == "学习笔记雷同\n多名干部照抄"
    rect = visit_form.rectification_of(finding.id)
    assert (rect.measure, rect.responsible, rect.deadline) == ("重新组织学习", "王建国", "2014-05-01")
    # a deadline before the finding is refused by the rectification rule, named on the finding's row
    form.findings = [visit_form.FindingForm(**{**form.findings[0].__dict__, "id": finding.id, "deadline": "2014-01-01"})]
    problems = visit_form.problems(form, visit.id)
    assert [p.field for p in problems] == ["finding:1:deadline"] and "整改时限" in problems[0].message
    # the draft is the form: it goes to JSON and back unchanged
    assert visit_form.VisitForm.from_dict(form.to_dict()) == form
