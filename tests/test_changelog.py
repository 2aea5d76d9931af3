import pytest

from supervisor_app import changelog, installation, units
from supervisor_app.errors import ValidationError
from supervisor_app.models import ChangeLog, Unit, database


def test_one_entry_per_change(data_dir):
    before = ChangeLog.select().count()
    unit = units.create_unit("临江县", "县市区")
    units.update_unit(unit, name="临江区")
    units.update_unit(unit, name="临江区")  # no change: no entry
    units.delete_unit(unit)
    entries = list(ChangeLog.select().where(ChangeLog.id > 0).order_by(ChangeLog.id))[before:]
    assert [e.op for e in entries] == ["insert", "update", "delete"]
    assert entries[1].fields["name"] == "临江区" and entries[1].fields["version"] == 2
    ctx = installation.context()
    assert all(e.device_id == ctx.device_id and e.member_id == ctx.member_id for e in entries)
    seqs = [e.seq for e in entries]
    assert seqs == list(range(seqs[0], seqs[0] + 3))
    stored = Unit.get_by_id(unit.id)
    assert stored.deleted and stored.version == 3


def test_refused_change_writes_nothing(data_dir):
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError):
        units.create_unit("", "县市区")
    with pytest.raises(ValidationError):
        units.create_unit("临江县", "省直单位")
    assert ChangeLog.select().count() == before
    assert Unit.select().count() == 0


def test_chain_holds_and_catches_an_edited_entry(data_dir):
    unit = units.create_unit("临江县", "县市区")
    units.update_unit(unit, name="临江区")
    assert changelog.verify_chain() is None
    target = ChangeLog.select().where(ChangeLog.record_id == unit.id).order_by(ChangeLog.id).first()
    database.execute_sql(
        "UPDATE change_log SET fields = replace(fields, '临江县', '改过的') WHERE id = ?", (target.id,)
    )
    problem = changelog.verify_chain()
    assert problem is not None and problem.entry_id == target.id
    assert "改动" in str(problem)


def test_chain_catches_a_removed_entry(data_dir):
    unit = units.create_unit("临江县", "县市区")
    units.update_unit(unit, name="临江区")
    units.update_unit(unit, name="临江市")
    middle = ChangeLog.select().where(ChangeLog.record_id == unit.id).order_by(ChangeLog.id)[1]
    database.execute_sql("DELETE FROM change_log WHERE id = ?", (middle.id,))
    problem = changelog.verify_chain()
    assert problem is not None and problem.entry_id > middle.id
