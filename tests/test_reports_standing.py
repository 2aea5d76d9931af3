"""The 常委会 report (report standing): its numbers against direct counts of the database, read
back from the PDF with pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from supervisor_app import cli, evaluations
from supervisor_app.errors import ValidationError
from supervisor_app.models import EvaluationRecord, Finding, Group, Member, Rectification, Visit, alive
from supervisor_app.reports import fonts, render, render_batch
from supervisor_app.reports.standing import TITLE

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")


@pytest.fixture(scope="module", autouse=True)
def shipped_faces_only():
    fonts.configure(use_system=False)
    yield
    fonts.configure(use_system=True)


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return "".join(out.split())


def direct_counts(group: Group) -> dict:
    """The group's figures counted straight from the tables, not through the report's code."""
    visits = [v for v in Visit.select().where(alive(Visit) & (Visit.group == group))]
    leader = Member.get((Member.group == group) & (Member.is_leader == True) & alive(Member))
    days = {v.started_at[:10] for v in visits if leader.id in (v.members_present or [])}
    ids = [v.id for v in visits]
    found = list(Finding.select().where(alive(Finding) & Finding.visit.in_(ids)))
    done = Rectification.select().where(alive(Rectification) & Rectification.finding.in_([f.id for f in found])
                                        & Rectification.status.in_(["已完成", "已核实"])).count()
    records = list(EvaluationRecord.select().where(alive(EvaluationRecord) & (EvaluationRecord.group == group)))
    return {"visits": len(visits), "leader": leader.name, "days": len(days), "findings": len(found), "done": done,
            "signed": [r for r in records if r.signed_at], "pending": [r for r in records if not r.signed_at]}


def test_the_report_numbers_agree_with_direct_counts(demo_data, tmp_path):
    path = render("standing", tmp_path / "standing.pdf")
    text = pdf_text(path)
    assert TITLE in text and "报送：市委常委会。" in text
    groups = list(Group.select().where(alive(Group)))
    totals = {"visits": 0, "findings": 0, "signed": 0, "teams": 0, "pending": 0}
    weak_subjects = 0
    for group in groups:
        c = direct_counts(group)
        totals["visits"] += c["visits"]
        totals["findings"] += c["findings"]
        totals["signed"] += len(c["signed"])
        totals["teams"] += sum(1 for r in c["signed"] if r.subject_kind == "team")
        totals["pending"] += len(c["pending"])
        rate = f"，整改完成率{100 * c['done'] / c['findings']:.1f}%" if c["findings"] else ""
        line = (f"督导{c['visits']}次，组长{c['leader']}驻点{c['days']}天，发现问题{c['findings']}个，"
                f"整改完成{c['done']}个{rate}。")
        section = text.split(f"）{group.name}", 1)[1]
        assert section.startswith(line), (group.name, section[:80], line)
        if c["signed"]:
            assert f"组长签署纪实评价{len(c['signed'])}份" in section
        for record in c["signed"] + c["pending"]:
            assert evaluations.subject_name(record) in text
        if c["pending"]:
            assert f"尚待组长签署的纪实评价{len(c['pending'])}份" in section
        for record in c["signed"]:
            view = evaluations.current_view(record)
            weak = [k for k, v in view.item_ratings.items() if v["rating"] in ("一般", "差")]
            weak_subjects += bool(weak)
    assert totals["signed"] and totals["pending"] and weak_subjects  # the demo covers every part
    assert (f"{len(groups)}个督导组督导{totals['visits']}次，发现问题{totals['findings']}个；组长签署纪实评价"
            f"{totals['signed']}份，其中领导班子{totals['teams']}份、领导干部{totals['signed'] - totals['teams']}份") in text
    assert f"尚待签署{totals['pending']}份。" in text
    assert "评价项目和评价" in text
    # every signed evaluation with a weak item has its facts printed beside it
    signed_weak = [r for r in EvaluationRecord.select().where(alive(EvaluationRecord) & EvaluationRecord.signed_at.is_null(False))
                   if any(v["rating"] in ("一般", "差") for v in evaluations.current_view(r).item_ratings.values())]
    for record in signed_weak:
        facts = [f for f in evaluations.facts(record) if f.state == "accepted"]
        if facts:
            assert "".join(facts[0].text.split()).rstrip("。")[-12:] in text


def test_a_period_narrows_the_counts(demo_data, tmp_path):
    first = Visit.select(Visit.started_at).where(alive(Visit)).order_by(Visit.started_at).first().started_at[:10]
    path = render("standing", tmp_path / "one-day.pdf", date_from=first, date_to=first)
    text = pdf_text(path)
    on_day = Visit.select().where(alive(Visit) & Visit.started_at.startswith(first)).count()
    assert re.search(rf"个督导组督导{on_day}次", text)


def test_cli_writes_it_and_refuses_an_id_or_a_batch(demo_data, tmp_path, capsys):
    out = tmp_path / "s.pdf"
    assert cli.main(["--data-dir", str(demo_data), "report", "standing", "--out", str(out)]) == 0
    assert out.exists() and "各督导组纪实评价情况报告" in capsys.readouterr().out
    with pytest.raises(ValidationError) as refused:
        render("standing", tmp_path / "x.pdf", record_id="abc")
    assert refused.value.field == "id" and "不需要指定编号" in str(refused.value)
    assert not (tmp_path / "x.pdf").exists()
    with pytest.raises(ValidationError) as refused:
        render_batch("standing", tmp_path / "dir")
    assert refused.value.field == "kind" and not (tmp_path / "dir").exists()


def test_a_new_installation_gets_a_report_that_says_so(data_dir, tmp_path):
    text = pdf_text(render("standing", tmp_path / "empty.pdf"))
    assert "0个督导组督导0次，发现问题0个；组长签署纪实评价0份，其中领导班子0份、领导干部0份；尚待签署0份。" in text
    assert "市委第一督导组" in text and "张三000" in text  # the group's row: leader, no visits, no findings
    assert "期间内各督导组尚无督导记录和纪实评价。" in text


def test_rows_for_a_spreadsheet_agree_with_direct_counts(demo_data):
    from supervisor_app.reports.standing import RECORD_HEADER, table_rows

    rows = {r[0]: r for r in table_rows()}
    for group in Group.select().where(alive(Group)):
        c = direct_counts(group)
        row = rows[group.name]
        assert len(row) == len(RECORD_HEADER)
        assert row[1:6] == [c["leader"], c["visits"], c["days"], c["findings"], c["done"]]
        assert row[7:] == [len(c["signed"]), len(c["pending"])]
        assert row[6] == (c["done"] / c["findings"] if c["findings"] else None)
