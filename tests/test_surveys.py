"""The 民意调查 rounds: results per unit, the ranking, and the extension rule
("民意调查排名靠后的、整改效果群众不满意的，要延长活动时间继续整改")."""

from __future__ import annotations

import pytest

from supervisor_app import surveys, units
from supervisor_app.errors import ValidationError
from supervisor_app.models import ChangeLog, SurveyResult
from tests import speech_day


@pytest.fixture
def office(isolated_data, monkeypatch):
    return speech_day.initialize(isolated_data, monkeypatch, "office")


@pytest.fixture
def data_dir(isolated_data, monkeypatch):
    """conftest's field installation, set up on the speech's day (tests/speech_day.py)."""
    return speech_day.initialize(isolated_data, monkeypatch, "field", "市委第一督导组", "张三")


def _units(n: int):
    return [units.create_unit(f"第{i}县", "县市区") for i in range(1, n + 1)]


def test_results_are_checked_and_only_the_office_enters_them(office):
    (county,) = _units(1)
    town = units.create_unit("新港镇", "乡镇", parent=county)
    cases = [
        ((county, "survey-1", 100, 50, 40, 5), "sample"),  # 95 of a sample of 100
        ((county, "survey-9", 100, 50, 40, 10), "survey_id"),
        ((town, "survey-1", 100, 50, 40, 10), "unit"),  # townships are not ranked
        ((county, "survey-1", 100, -1, 91, 10), "satisfied"),
        ((county, "survey-1", "很多", 50, 40, 10), "sample"),
    ]
    for args, field in cases:
        before = ChangeLog.select().count()
        with pytest.raises(ValidationError) as info:
            surveys.record_result(*args)
        assert info.value.field == field, (args, info.value)
        assert ChangeLog.select().count() == before and not SurveyResult.select().exists()
    surveys.record_result(county, "survey-1", 100, 50, 40, 10)
    surveys.record_result(county, "survey-1", 100, 60, 30, 10)  # a correction: still one result
    assert SurveyResult.select().count() == 1 and SurveyResult.get().satisfied == 60


def test_field_devices_do_not_enter_results(data_dir):
    (county,) = _units(1)
    with pytest.raises(ValidationError) as info:
        surveys.record_result(county, "survey-1", 100, 50, 40, 10)
    assert info.value.field == "role" and not SurveyResult.select().exists()


def test_units_ranked_last_or_below_the_line_are_extended(office):
    a, b, c, d, e = _units(5)
    for unit, satisfied, basic, unhappy in ((a, 80, 18, 2), (b, 70, 25, 5), (c, 60, 32, 8), (d, 50, 41, 9),
                                             (e, 40, 35, 25)):
        surveys.record_result(unit, "survey-1", 100, satisfied, basic, unhappy)
    rows = surveys.ranking()
    assert [(r.unit_name, r.rank, r.extended) for r in rows] == [
        ("第1县", 1, False), ("第2县", 2, False), ("第3县", 3, False),
        ("第4县", 4, True),  # 91%, but among the last two places
        ("第5县", 5, True),  # 75%: below the 80% line, and last
    ]
    assert rows[3].why == "排名靠后（第 4/5 名）"
    assert rows[4].why == "满意率 75.0% 低于 80%；排名靠后（第 5/5 名）"
    assert rows[4].extended_until == "2014-11-29"  # 60 days after the campaign's planned end, 2014年9月30日
    assert surveys.unit_standing(e.id).extended and surveys.unit_standing(a.id).extended_until is None


def test_of_few_units_only_the_lower_half_ranks_last(office):
    a, b = _units(2)
    surveys.record_result(a, "survey-1", 100, 80, 18, 2)
    surveys.record_result(b, "survey-1", 100, 70, 25, 5)
    assert [(r.rank, r.extended) for r in surveys.ranking()] == [(1, False), (2, True)]


def test_list_surveys_prints_one_object_per_result(office, capsys):
    import json

    from supervisor_app import cli

    a, b, c = _units(3)
    for unit, satisfied, basic, unhappy in ((a, 80, 18, 2), (b, 60, 25, 15), (c, 40, 30, 30)):
        surveys.record_result(unit, "survey-1", 100, satisfied, basic, unhappy)
    surveys.record_result(a, "survey-2", 200, 100, 90, 10)
    assert cli.main(["list", "surveys", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(SurveyResult.get_by_id(r["id"]).unit_id == r["unit_id"] for r in rows)
    assert [(r["round"], r["unit"]) for r in rows] == [
        ("survey-1", "第1县"), ("survey-1", "第2县"), ("survey-1", "第3县"), ("survey-2", "第1县")]
    first, second, third, later = rows
    assert (first["sample"], first["satisfied"], first["basically_satisfied"], first["unsatisfied"]) == (100, 80, 18, 2)
    assert (first["rate"], first["rank"], first["below_line"], first["extended_until"]) == (98.0, 1, False, None)
    assert (second["rate"], second["below_line"]) == (85.0, False)  # above the 80% line
    extended = surveys.ranking("survey-1")[2].extended_until
    assert (third["rate"], third["rank"], third["below_line"], third["extended_until"]) == (70.0, 3, True, extended)
    assert extended is not None and (later["rate"], later["rank"], later["of"]) == (95.0, 1, 1)
    assert cli.main(["list", "surveys"]) == 0
    out = capsys.readouterr().out
    assert "第3县" in out and "共 4 条" in out


def test_list_surveys_with_no_results(office, capsys):
    from supervisor_app import cli

    assert cli.main(["list", "surveys", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"
