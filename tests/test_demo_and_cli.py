import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from supervisor_app import audit, cli, db, demo, findings, store, visits
from supervisor_app.models import database
from tests.conftest import DEMO_ANCHOR

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _content(data_dir):
    rows = database.execute_sql("SELECT id, unit_id, started_at, notes FROM visit ORDER BY id").fetchall()
    return rows


def test_demo_is_deterministic_and_valid(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    contents = []
    for folder, seed in ((a, 3), (b, 3), (c, 4)):
        store.open_data_dir(folder)
        summary = demo.generate(folder, seed=seed, anchor=DEMO_ANCHOR)
        assert summary["督导记录"] == 120 and summary["纪实评价"] > 0
        assert audit.check_all() == []
        contents.append(_content(folder))
        store.close()
    assert contents[0] == contents[1]
    assert contents[0] != contents[2]
    assert not set(r[0] for r in contents[0]) & set(r[0] for r in contents[2])


def test_demo_evaluations_cover_every_status(demo_data):
    from supervisor_app import evaluations

    statuses = {evaluations.status(e) for e in evaluations.list_evaluations()}
    assert statuses == {"draft", "signed", "amended"}


def test_init_is_idempotent(capsys, isolated_data):
    code, out, _ = run(capsys, "init", "--group", "市委第二督导组", "--member", "李四")
    assert code == 0 and "已初始化" in out
    code, out, _ = run(capsys, "init", "--group", "市委第二督导组", "--member", "李四")
    assert code == 0 and "未作改动" in out
    code, _, err = run(capsys, "init", "--role", "office")
    assert code == 2 and "不能改为其他角色" in err


def test_list_commands(capsys, isolated_data):
    assert run(capsys, "init")[0] == 0
    code, out, _ = run(capsys, "demo", "--seed", "5")
    assert code == 0 and "督导记录 120" in out
    for kind in cli.LIST_KINDS:
        code, out, _ = run(capsys, "list", kind, "--json")
        rows = json.loads(out)
        assert code == 0 and rows and all("id" in r for r in rows), kind
    code, out, _ = run(capsys, "list", "visits", "--json")
    first = json.loads(out)[0]
    assert {"unit", "date", "methods", "notes"} <= set(first)
    code, out, _ = run(capsys, "list", "visits", "--json", "--search", "四风")
    found = json.loads(out)
    def mentions(v) -> bool:  # the search covers notes, people met and the visit's findings
        described = [f.description for f in findings.list_findings(visit=v["id"])]
        return "四风" in v["notes"] + v["people_met"] + "".join(described)

    assert found and all(mentions(v) for v in found)
    assert len(found) == visits.count_visits(visits.VisitFilter(search="四风"))
    code, out, _ = run(capsys, "list", "evaluations", "--json")
    assert {e["status"] for e in json.loads(out)} <= {"draft", "signed", "amended"}
    code, out, _ = run(capsys, "list", "units")
    assert code == 0 and "共" in out
    code, out, _ = run(capsys, "check")
    assert code == 0 and "检查通过" in out


def test_cli_errors_are_one_line(capsys, isolated_data, tmp_path):
    code, _, err = run(capsys, "list", "units")
    assert code == 2 and "请先运行 init" in err and "Traceback" not in err
    run(capsys, "init")
    code, _, err = run(capsys, "list", "units", "--search", "x")
    assert code == 2 and "--search" in err
    code, _, err = run(capsys, "list", "visits", "--from", "不是日期")
    assert code == 2 and "有效日期" in err
    with pytest.raises(SystemExit) as info:
        cli.main(["list", "nonsense"])
    assert info.value.code == 2


def test_check_reports_a_broken_chain(capsys, isolated_data):
    run(capsys, "init")
    run(capsys, "demo")
    store.open_data_dir(isolated_data)
    database.execute_sql("UPDATE change_log SET op = 'update' WHERE id = 5")
    store.close()
    code, out, _ = run(capsys, "check")
    assert code == 1 and "第 5 条" in out


def test_main_py_help_runs_as_a_program(isolated_data):
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--help"], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0 and "init" in result.stdout
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "check"], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr and "init" in result.stderr


def test_output_into_a_closed_pipe_ends_quietly(isolated_data):
    """`python main.py list units | head -1`: the reader leaves early; no error, no traceback."""
    subprocess.run([sys.executable, str(ROOT / "main.py"), "init", "--group", "第一督导组", "--member", "张三"],
                   capture_output=True, cwd=ROOT, timeout=60, check=True)
    child = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "list", "units"], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # before the child writes anything: its first write meets a closed pipe
    _out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err.decode("utf-8", "replace")
    assert err == b""


def test_no_command_opens_the_window_without_building_the_commands(monkeypatch, tmp_path):
    opened = []
    monkeypatch.setattr(cli, "build_parser", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parser built")))
    assert cli.main([], gui=lambda args: opened.append(args.data_dir) or 0) == 0
    assert cli.main(["--data-dir", str(tmp_path)], gui=lambda args: opened.append(args.data_dir) or 0) == 0
    assert cli.main([f"--data-dir={tmp_path}"], gui=lambda args: opened.append(args.data_dir) or 0) == 0
    assert opened == [None, str(tmp_path), str(tmp_path)]


def test_version_everywhere(capsys, isolated_data):
    """`--version` from main.py (window entry) and from the CLI alone; no data folder is touched."""
    from supervisor_app import __version__

    for argv in ([str(ROOT / "main.py"), "--version"], ["-c", "from supervisor_app.cli import main; main()", "--version"]):
        result = subprocess.run([sys.executable, *argv], capture_output=True, timeout=60, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        assert result.stdout.decode("utf-8").strip() == f"督导纪实 {__version__}（数据版本 {db.SCHEMA_VERSION}）"
    assert not isolated_data.exists()


def test_check_json_sound_broken_and_damaged(capsys, isolated_data):
    code, out, _ = run(capsys, "check", "--json")
    report = json.loads(out)
    assert code == 2 and report["ok"] is False and report["state"] == "not_openable" and "init" in report["problems"][0]
    run(capsys, "init")
    run(capsys, "demo")
    code, out, _ = run(capsys, "check", "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["problems"] == [] and report["schema_version"] == db.SCHEMA_VERSION
    store.open_data_dir(isolated_data)
    database.execute_sql("UPDATE change_log SET op = 'update' WHERE id = 5")
    store.close()
    code, out, _ = run(capsys, "check", "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False and any("第 5 条" in p for p in report["problems"])


def test_check_json_on_a_damaged_file_names_the_backup(capsys, isolated_data):
    from supervisor_app import backup
    from tests.test_backup import corrupt

    run(capsys, "init")
    run(capsys, "demo")
    store.open_data_dir(isolated_data)
    good = backup.create_backup(isolated_data)
    corrupt(isolated_data)
    code, out, _ = run(capsys, "check", "--json")
    report = json.loads(out)
    assert code == 2 and report["state"] == "damaged" and report["ok"] is False
    assert report["newest_good_backup"] == str(good.path) and "已损坏" in report["problems"][0]


@pytest.mark.parametrize("encoding", ["gbk", "ascii", "latin-1"])
def test_output_is_utf8_whatever_the_console(isolated_data, encoding):
    """Redirected output on a Chinese Windows (cp936/gbk) or a bare locale (ascii) is still UTF-8."""
    env = {**__import__("os").environ, "PYTHONIOENCODING": encoding}
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(isolated_data), "init",
                             "--group", "市委第一督导组", "--member", "张三"], capture_output=True, timeout=60, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    assert "已初始化。" in result.stdout.decode("utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(isolated_data / "无"), "list",
                             "units"], capture_output=True, timeout=60, cwd=ROOT, env=env)
    assert result.returncode == 2 and "还没有数据库" in result.stderr.decode("utf-8")


# --- the demo a 活动办 official would believe (the 2014 campaign by default) ---------------------------


@pytest.fixture
def demo_2014(data_dir):
    demo.generate(data_dir, seed=7, size="small")
    return data_dir


def test_the_default_demo_is_the_2014_campaign_on_working_days(demo_2014):
    from supervisor_app import campaigns
    from supervisor_app.models import Visit

    campaign = campaigns.current_campaign()
    assert campaign.start_date.startswith("2014-") and campaign.end_date == "2014-09-30"
    days = {date.fromisoformat(v.started_at[:10]) for v in Visit.select()}
    assert min(days) >= demo.SPEECH_DAY and max(days) <= demo.CAMPAIGN_END
    assert all(d.weekday() < 5 and d not in demo.HOLIDAYS_2014 for d in days)
    assert {d.month for d in days} >= {4, 5, 6, 7, 8, 9}


def test_demo_positions_fit_their_unit(demo_2014):
    from supervisor_app.models import Leader, Unit

    tops = {u.name: Leader.get((Leader.unit == u) & (Leader.is_top_leader == True)).position
            for u in Unit.select().where(Unit.kind.in_(["县市区", "市直单位"]))}
    assert tops["临江县"] == "县委书记" and tops["云溪区"] == "区委书记" and tops["石门市"] == "市委书记"
    assert tops["市发展和改革委员会"] == "党组书记、主任" and tops["市教育局"] == "党组书记、局长"
    assert tops["市委组织部"] == "部长"
    for name, position in tops.items():
        if name.endswith(("县", "区", "市")) and not name.startswith("市"):
            assert position == f"{name[-1]}委书记", (name, position)
        elif name.endswith("局"):
            assert position.endswith("局长"), (name, position)


def test_no_demo_rating_contradicts_its_own_notes(demo_2014):
    from supervisor_app.models import Assessment, QuizRecord, Visit

    assessments = {a.visit_id: a for a in Assessment.select()}
    quizzes = {q.visit_id: q for q in QuizRecord.select()}
    checked = 0
    for visit in Visit.select():
        quiz = quizzes.get(visit.id)
        low = quiz is not None and quiz.correct_answers < demo.QUIZ_LOW_BELOW * quiz.people_tested * quiz.questions
        assert (demo.QUIZ_LOW in visit.notes) == low, visit.notes
        record = assessments.get(visit.id)
        if record is None:
            continue
        for text, item in demo.BAD_NOTES:
            if text.split("{")[0] in visit.notes:
                checked += 1
                if item.startswith("T"):
                    assert record.tendency_levels[item]["level"] != "未发现", (visit.notes, item)
                else:
                    assert record.focus_ratings[item]["rating"] != "好", (visit.notes, item)
        for text, item in demo.GOOD_NOTES:
            if text.split("{")[0] in visit.notes:
                checked += 1
                if item.startswith("T"):
                    assert record.tendency_levels[item]["level"] == "未发现", (visit.notes, item)
                else:
                    assert record.focus_ratings[item]["rating"] in ("好", "较好"), (visit.notes, item)
    assert checked > 50


def test_demo_leaders_narratives_and_followups_fit(demo_2014):
    from supervisor_app import evaluations
    from supervisor_app.models import Finding, FollowUp

    for finding in Finding.select().where(Finding.leader.is_null(False)):
        assert finding.leader.unit_id == finding.unit_id, finding.description
    records = evaluations.list_evaluations()
    assert records
    for record in records:
        if record.subject_kind == "leader":
            assert "该同志" in record.narrative, record.narrative
        else:
            assert "该同志" not in record.narrative and ("班子" in record.narrative), record.narrative
        assert record.overall_rating in ("好", "较好", "一般")
        for fact in evaluations.facts(record):
            assert record.period_start <= fact.on_date <= record.period_end, fact.text
    notes = [f.note for f in FollowUp.select()]
    assert len(set(notes)) >= 3


def test_calibration_finds_the_demo_lenient_groups_and_no_other(demo_2014):
    from supervisor_app import calibration

    result = calibration.calibrate()
    flagged = {g.name for g in result.groups if g.flagged}
    lenient = {f"市委第{demo._GROUP_NUMBERS[i]}督导组" for i in demo.LENIENT_GROUPS}
    assert flagged == lenient, flagged


def test_demo_anchor_on_the_command_line(capsys, isolated_data):
    """--anchor lays the demo out up to that day (for work due this week); a bad day is refused
    with its field named and nothing written."""
    from supervisor_app.models import Unit, Visit

    assert run(capsys, "init")[0] == 0
    code, _out, err = run(capsys, "demo", "--anchor", "2026-13-01")
    assert code == 2 and "不是有效日期" in err and "--anchor" in err
    store.open_data_dir(isolated_data)
    assert not Unit.select().exists()
    store.close()
    code, out, _err = run(capsys, "demo", "--anchor", "2026-11-20")
    assert code == 0 and "督导记录 120" in out
    store.open_data_dir(isolated_data)
    days = [v.started_at[:10] for v in Visit.select()]
    assert max(days) <= "2026-11-20" and min(days) >= "2026-06-20"
