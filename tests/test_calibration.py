"""Calibration across groups: simulated data with planted leniency (tests/sim_calibration.py),
and the whole path from the database to `calibration --json`."""

from __future__ import annotations

import json

from supervisor_app import calibration, cli
from supervisor_app.calibration import MIN_VISITS, Observation, UnitEvidence, estimate
from supervisor_app.models import Assessment, Group, Visit, alive
from tests.sim_calibration import simulate


def _by_name(result):
    return {g.name: g for g in result.groups}


def test_a_planted_lenient_group_is_flagged_and_no_other():
    flagged = 0
    for seed in range(10):
        result = estimate(*simulate(100 + seed, lenient={"第2组": 1.5}))
        groups = _by_name(result)
        flagged += groups["第2组"].flagged
        assert groups["第2组"].leniency > 0.5
        assert [g.name for g in result.groups if g.flagged] in ([], ["第2组"])
    assert flagged >= 8  # power, not certainty: 34 visits at 10 units per group


def test_with_no_planted_leniency_no_group_is_flagged_in_95_percent_of_seeds():
    seeds = 40
    with_flag = 0
    for seed in range(seeds):
        result = estimate(*simulate(seed))
        with_flag += any(g.flagged for g in result.groups) or any(m.flagged for m in result.members)
        for g in result.groups:  # the interval is an interval around the estimate
            assert g.low < g.leniency < g.high
    assert with_flag <= seeds * 0.05


def test_a_group_with_few_visits_is_never_flagged():
    for seed in range(10):
        result = estimate(*simulate(200 + seed, small_group=("第9组", 8, 3.0)))
        small = _by_name(result)["第9组"]
        assert small.visits < MIN_VISITS
        assert small.leniency > 0.5  # it is estimated lenient, but on too little to say so
        assert not small.flagged
        assert calibration.verdict(small).startswith("数据不足")
        assert not any(g.flagged for g in result.groups)  # and it does not move the others


def test_nine_visits_all_rated_mildest_are_not_enough_to_flag():
    obs, evidence, groups, members = simulate(3)
    units = [u for u in evidence if u.startswith("第1组")][:4]
    obs += [Observation(f"x{i}", units[i % 4], "第6组", ("第6组成员1",), 9, 9, 0) for i in range(MIN_VISITS - 1)]
    result = estimate(obs, evidence, [*groups, "第6组"], {**members, "第6组成员1": "第6组"})
    lone = _by_name(result)["第6组"]
    assert lone.visits == MIN_VISITS - 1 and lone.mildest_share == 1.0 and lone.low > 0.2
    assert not lone.flagged


def test_a_lenient_member_stands_out_from_their_group():
    hits = 0
    for seed in range(6):
        result = estimate(*simulate(300 + seed, lenient_members={"第3组成员2": 2.0}))
        members = {m.name: m for m in result.members}
        hits += members["第3组成员2"].flagged
        assert members["第3组成员2"].leniency > members["第3组成员3"].leniency
        assert not any(m.flagged for m in result.members if m.group not in ("第3组",))
    assert hits >= 4


def test_evidence_explains_a_kind_that_is_rated_milder():
    """A group whose units are good (high quiz, high satisfaction, few findings) rates them
    mildly by right: not flagged, though its raw share of 未发现 is the highest."""
    obs, evidence, groups, members = simulate(11)
    good = {u for u in evidence if u.startswith("第1组")}
    for u in good:  # its units are the best on every piece of evidence
        ev = evidence[u]
        evidence[u] = UnitEvidence(ev.kind, ev.leaders, 0.95, 0.98, 0, ev.found_by)
    obs = [o if o.unit_id not in good else Observation(o.visit_id, o.unit_id, o.group, o.members, o.rated,
                                                         max(o.mildest, 7), 0) for o in obs]
    result = estimate(obs, evidence, groups, members)
    shares = {g.name: g.mildest_share for g in result.groups}
    assert max(shares, key=shares.get) == "第1组"
    assert not _by_name(result)["第1组"].flagged


def test_cli_json_on_the_demo_data(demo_data, capsys):
    assert cli.main(["--data-dir", str(demo_data), "calibration", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    names = sorted(g.name for g in Group.select().where(alive(Group)))
    assert sorted(r["group"] for r in rows) == names
    for row in rows:
        assert set(row) == {"group", "visits", "units", "leniency", "low", "high", "flagged"}
        assessed = (Assessment.select(Visit.id, Visit.unit).join(Visit, on=(Assessment.visit == Visit.id))
                    .join(Group, on=(Visit.group == Group.id))
                    .where(alive(Assessment) & alive(Visit) & (Group.name == row["group"])).tuples())
        assessed = [(v, u) for v, u in assessed
                    if calibration._mildest(Assessment.get(Assessment.visit == v).tendency_levels, "level",
                                            ["未发现", "轻微", "较明显", "突出"])[0]
                    or Assessment.get(Assessment.visit == v).focus_ratings]
        assert row["visits"] == len({v for v, _ in assessed})
        assert row["units"] == len({u for _, u in assessed})
        if row["leniency"] is not None:
            assert row["low"] <= row["leniency"] <= row["high"]
        if row["flagged"]:
            assert row["visits"] >= MIN_VISITS and row["low"] > calibration.MARGIN
    table = calibration.table_rows()
    assert [r[0] for r in table if r[1] == "（全组）"] == [r["group"] for r in rows]
    assert len(table[0]) == len(calibration.TABLE_HEADER)


def test_cli_text_members_and_a_bad_date(demo_data, capsys):
    assert cli.main(["--data-dir", str(demo_data), "calibration"]) == 0
    out = capsys.readouterr().out
    assert "督导组从宽程度" in out
    assert all(g.name in out for g in Group.select().where(alive(Group)))
    assert cli.main(["--data-dir", str(demo_data), "calibration", "--json", "--members"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["groups"] and data["members"] and all("member" in m for m in data["members"])
    code = cli.main(["--data-dir", str(demo_data), "calibration", "--from", "2014-13-01"])
    captured = capsys.readouterr()
    assert code != 0 and "起始日期" in captured.err and captured.out == ""


def test_one_group_alone_is_not_compared(data_dir):
    """A field installation knows its own group only: nothing to compare with, said in words."""
    obs, evidence, _groups, members = simulate(4, groups=1)
    result = estimate(obs, evidence)
    (only,) = result.groups
    assert only.visits > MIN_VISITS and only.leniency is None and not only.flagged
    assert calibration.verdict(only) == "无从比较（至少需要两个督导组的评估）"
    assert calibration.calibrate().groups[0].leniency is None  # the fixture's group, no assessments
    assert calibration.verdict(calibration.calibrate().groups[0]) == "无评估记录"
