"""One progress per unit and 规定动作: a second one is refused on a local write, and one arriving
in a bundle (two devices confirming the same action) is kept out and listed as a conflict, where
a person may keep this device's or take the other's content."""

from __future__ import annotations

import pytest

from supervisor_app import changelog, progress
from supervisor_app.errors import ValidationError
from supervisor_app.models import ActionProgress, ChangeLog, Unit
from supervisor_app.sync import conflicts
from tests import factories
from tests.test_sync_helpers import build_trio, export, import_, on

LECTURE = "grassroots-party-lecture"


def test_a_second_progress_for_one_unit_and_action_is_refused_locally(data_dir):
    county = factories.county()
    first = progress.confirm_done(county, LECTURE, "2014-04-09", [{"kind": "document", "title": "党课讲稿"}], 1)
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError) as info:
        changelog.create(ActionProgress, unit=county.id, action_id=LECTURE, plan_id=first.plan_id,
                         plan_version=first.plan_version, status="done", done_on="2014-04-10", amount=1,
                         evidence=[{"kind": "document", "title": "另一份讲稿"}], reason="")
    assert info.value.field == "action_id" and "已有完成情况记录" in info.value.message
    assert ChangeLog.select().count() == before and ActionProgress.select().count() == 1
    # the service corrects the one record instead of adding another; once withdrawn, a new one may come
    progress.confirm_done(county, LECTURE, "2014-04-10", [{"kind": "document", "title": "党课讲稿（修订）"}], 1)
    assert ActionProgress.select().count() == 1 and ActionProgress.get().done_on == "2014-04-10"
    progress.reopen(county, LECTURE)
    progress.confirm_done(county, LECTURE, "2014-04-11", [{"kind": "document", "title": "党课讲稿"}], 1)
    assert ActionProgress.select().where(ActionProgress.deleted == False).count() == 1  # noqa: E712


@pytest.fixture(scope="module")
def trio_template(tmp_path_factory):
    return build_trio(tmp_path_factory.mktemp("dup") / "t")


@pytest.fixture
def world(trio_template, tmp_path):
    return trio_template.copy_to(tmp_path / "w")


def _confirm(folder, on_date: str, title: str) -> str:
    with on(folder):
        county = Unit.get(Unit.name == "临江县")
        return progress.confirm_done(county, LECTURE, on_date, [{"kind": "document", "title": title}], 1).id


def test_two_devices_confirming_the_same_action_make_a_conflict(world):
    kept = _confirm(world.office, "2014-04-09", "党课讲稿（活动办存档）")
    theirs = _confirm(world.f1, "2014-04-12", "县委书记党课讲稿")
    (result,) = import_(world.office, export(world.f1, world.usb("f1")))
    assert result.status == "imported" and result.conflicts == 1
    with on(world.office):
        live = list(ActionProgress.select().where(ActionProgress.deleted == False))  # noqa: E712
        assert [r.id for r in live] == [kept]  # the second one is not in: the state stays one
        (row,) = [s for s in progress.progress(live[0].unit_id) if s.action_id == LECTURE]
        assert (row.state, row.done_on) == ("done", "2014-04-09")
        (view,) = conflicts.list_conflicts()
        assert (view.record_type, view.reason, view.record_id) == ("progress", "duplicate", theirs)
        assert view.record_label == f"临江县 {LECTURE}" and view.type_label == "规定动作进度"
        other = view.versions[1]
        assert other.values["done_on"] == "2014-04-12"
        assert other.values["evidence"] == [{"kind": "document", "title": "县委书记党课讲稿"}]
        assert view.field_labels["done_on"] == "完成日期"
        # a person takes the field device's date and evidence onto the one record kept
        resolved = conflicts.resolve_conflict(view.id, take={"done_on": other.key, "evidence": other.key})
        assert resolved.status == "resolved"
        record = ActionProgress.get_by_id(kept)
        assert (record.done_on, record.evidence) == ("2014-04-12", [{"kind": "document", "title": "县委书记党课讲稿"}])
        assert ActionProgress.select().where(ActionProgress.deleted == False).count() == 1  # noqa: E712


def test_the_same_import_twice_or_a_withdrawn_record_makes_no_conflict(world):
    kept = _confirm(world.office, "2014-04-09", "党课讲稿")
    with on(world.office):
        progress.reopen(Unit.get(Unit.name == "临江县"), LECTURE)  # withdrawn here: a new one may come
    theirs = _confirm(world.f1, "2014-04-12", "县委书记党课讲稿")
    bundle = export(world.f1, world.usb("f1"))
    (result,) = import_(world.office, bundle)
    assert result.status == "imported" and result.conflicts == 0
    with on(world.office):
        live = [r.id for r in ActionProgress.select().where(ActionProgress.deleted == False)]  # noqa: E712
        assert live == [theirs] and kept != theirs and not conflicts.list_conflicts()


def test_keeping_this_devices_progress_closes_the_conflict_unchanged(world):
    kept = _confirm(world.office, "2014-04-09", "党课讲稿（活动办存档）")
    _confirm(world.f1, "2014-04-12", "县委书记党课讲稿")
    import_(world.office, export(world.f1, world.usb("f1")))
    with on(world.office):
        (view,) = conflicts.list_conflicts()
        assert conflicts.resolve_conflict(view.id, keep="current").status == "resolved"
        record = ActionProgress.get_by_id(kept)
        assert (record.done_on, record.evidence) == ("2014-04-09", [{"kind": "document", "title": "党课讲稿（活动办存档）"}])
        assert not conflicts.list_conflicts()
