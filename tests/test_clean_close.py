"""The start-up check skips the full quick_check only for a file left whole by a clean close."""

import pytest

from supervisor_app import backup, db_health, store, units
from tests.test_backup import corrupt


@pytest.fixture
def spy(monkeypatch):
    calls = []
    real = db_health.quick_check

    def counting(conn, pragma="quick_check"):
        calls.append(pragma)
        return real(conn, pragma)

    monkeypatch.setattr(db_health, "quick_check", counting)
    return calls


def test_clean_close_lets_the_next_start_skip_the_full_check(data_dir, spy):
    units.create_unit("临江县", "县市区")
    store.close()
    assert (data_dir / backup.CLEAN_CLOSE_MARKER).exists()
    assert backup.startup_check(data_dir).ok and spy == []
    store.open_data_dir(data_dir)  # (its daily backup checks the copy it makes)
    assert not (data_dir / backup.CLEAN_CLOSE_MARKER).exists()  # open for writing: no mark
    spy.clear()
    assert backup.startup_check(data_dir).ok and spy == ["quick_check"]
    assert backup.startup_check(data_dir, full=True).ok


def test_a_file_changed_after_a_clean_close_is_checked(data_dir, spy):
    units.create_unit("临江县", "县市区")
    store.close()
    corrupt(data_dir, "unit")  # touches the file behind the program's back
    check = backup.startup_check(data_dir)
    assert check.state == backup.DAMAGED and spy


def test_no_mark_after_a_crash(data_dir, spy):
    """A process that dies never writes the mark (it is written only by close)."""
    units.create_unit("临江县", "县市区")
    assert not (data_dir / backup.CLEAN_CLOSE_MARKER).exists()
    assert backup.startup_check(data_dir).ok and spy == ["quick_check"]
