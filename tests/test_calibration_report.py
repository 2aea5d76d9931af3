"""The calibration section of the 督导工作汇总: the figures of calibration.py, the reading in words."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from supervisor_app import calibration
from supervisor_app.reports import fonts, render
from supervisor_app.reports.common import group_order
from tests.sim_calibration import simulate

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")


@pytest.fixture(scope="module", autouse=True)
def shipped_faces_only():
    fonts.configure(use_system=False)
    yield
    fonts.configure(use_system=True)


def _section(path) -> str:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    text = "".join(text.split())
    return text[text.index("各督导组评定尺度校准"):]


def test_summary_section_shows_every_group_with_its_figures(demo_data, tmp_path):
    expected = calibration.calibrate(order=group_order)
    section = _section(render("summary", tmp_path / "summary.pdf"))
    flagged = [g.name for g in expected.groups if g.flagged]
    assert flagged  # the demo plants lenient groups (demo.LENIENT_GROUPS)
    assert f"明显偏宽的督导组：{'、'.join(flagged)}" in section
    table = section[section.index("督导组评估次数单位数从宽程度下限上限结论"):]
    position = 0
    for g in expected.groups:  # in the groups' order, each row with its own figures
        row = f"{g.name}{g.visits}{g.units}{g.leniency:+.2f}{g.low:+.2f}{g.high:+.2f}".replace("-", "−")
        found = table.find(row, position)
        assert found >= 0, row
        position = found
    # the verdicts (the greyed 数据不足 may come out of the text layer after its row)
    body = table[: table.index("按成员在场")]
    for verdict in {calibration.verdict(g).split("（")[0] for g in expected.groups}:
        assert body.count(verdict) == sum(calibration.verdict(g).split("（")[0] == verdict
                                          for g in expected.groups), verdict


def test_summary_section_names_a_lenient_group_in_words(demo_data, tmp_path, monkeypatch):
    planted = calibration.estimate(*simulate(101, lenient={"第2组": 1.5}))
    monkeypatch.setattr(calibration, "calibrate", lambda *a, **k: planted)
    section = _section(render("summary", tmp_path / "summary.pdf"))
    assert "明显偏宽的督导组：第2组，请进一步核实。" in section
    assert "第2组" in section and "明显偏宽" in section[section.index("结论"):]
