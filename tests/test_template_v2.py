"""Template version 2: the checklist in the seed's own words; version 1's scores keep theirs.

The office moves a campaign to version 2 (``template load``); assessments, findings and their
PDFs made under version 1 still show and print version 1's words, new ones use version 2's.
"""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from supervisor_app import (
    assessments,
    campaigns,
    cli,
    clock,
    findings,
    installation,
    store,
    template,
    units,
    visits,
)
from supervisor_app.errors import ValidationError
from supervisor_app.models import Assessment, Campaign, ChecklistTemplate, Finding
from supervisor_app.paths import db_path
from supervisor_app.reports import fonts, render

# The speech's own sentences (seed/000_511e2be2b8386667.txt, part 一), quoted as they stand.
SEED = (
    "有的地方和单位匆匆忙忙开局,冷冷清清推进,执行规定动作不扎实,也不想搞自选动作,“顺着走、跟着走、看着走”。"
    "就是不解决实际问题,以形式主义来反对“四风”问题。有的单位活动一开始就忙于赶进度,一哄而上,"
    "三是学习教育还不深不透。有的学习内容不集中,没有把习近平总书记系列讲话精神和中央规定的必读书目作为重点来学,"
    "至今还有个别党员没有领到学习读本。有的学习方式简单,有的学习效果不明显,"
    "普遍存在征求意见不主动、不聚焦、不全面的情况。有的以群众反映的具体问题代替“四风”问题,"
    "以去年“大走访”征求意见情况代替现在征求意见情况,以班子的问题代替个人的问题,以一般问题代替重点问题;"
    "有的民主评议“交白卷”,群众不敢提意见;群众不愿提意见;群众不会真提意见;群众不晓得提意见。"
    "有的单位“一把手”重视不够,当甩手掌柜;只拿手电筒照别人,从来不照自己。"
    "从督导层面看,有的督导工作浮在面上、流于形式,听取汇报多、深入实际少;有的存在“多栽花少栽刺”等思想,"
    "对活动把关不严,“随大流”、“讲人情”,当“好好先生”。脱离实际搞活动、就活动搞活动,"
    "一是思想认识存在偏差。一是盲目自满,二是担心顾虑,三是过关应付,四是等待观望,“上面热、下面冷”,“表面热、实际冷”,"
    "采取走访调研、个别谈话等形式,加大明查暗访力度"
)


def _plain(text: str) -> str:
    """Without the marks a label may leave out or change (quotation marks, 、 for ,)."""
    return text.translate(str.maketrans("", "", "“”、,，;；"))


@pytest.fixture(scope="module", autouse=True)
def shipped_fonts():
    fonts.configure(use_system=False)
    yield
    fonts.configure(use_system=True)


def test_version_2_is_the_default_and_says_what_the_seed_says():
    v1, v2 = template.load_shipped(1), template.load_default()
    assert (v1.version, v2.version, v1.id) == (1, 2, v2.id)
    subs = {cat["name"]: cat["sub_kinds"] for cat in v2.problem_categories}
    assert "学习内容不集中" in subs["学习教育还不深不透"] and "学习内容不聚焦" not in subs["学习教育还不深不透"]
    assert "群众不会真提意见" in subs["征求意见不太理想"]
    assert "忙于赶进度、一哄而上" in subs["有形式主义趋向"]
    for added in ("顺着走、跟着走、看着走", "以形式主义来反对“四风”问题", "没有领到学习读本", "民主评议“交白卷”",
                  "以群众反映的具体问题代替“四风”问题", "以去年“大走访”征求意见情况代替现在征求意见情况",
                  "以班子的问题代替个人的问题", "以一般问题代替重点问题", "多栽花少栽刺", "随大流", "讲人情",
                  "听取汇报多、深入实际少"):
        assert any(added in kinds for kinds in subs.values()), added
    # every sub-kind and 督导层面 kind is the speech's wording, not a paraphrase
    seed = _plain(SEED)
    for kind in [k for kinds in subs.values() for k in kinds] + v2.supervision_kinds:
        assert _plain(kind) in seed, kind
    assert {"走访调研", "明查暗访", "民主测评", "问卷"} <= set(v2.methods)
    assert set(v1.methods) <= set(v2.methods)
    # focus items, tendencies, scales and evaluation items are version 1's: old scores read alike
    for key in ("focus_items", "tendencies", "scales", "evaluation_items", "severities"):
        assert v2.content[key] == v1.content[key], key


def test_version_1_is_kept_word_for_word():
    v1 = template.load_shipped(1)
    assert "学习内容不聚焦" in v1.category("学习教育还不深不透")["sub_kinds"]
    assert v1.supervision_kinds == []
    with pytest.raises(ValidationError, match="没有自带模板第 9 版") as info:
        template.load_shipped(9)
    assert info.value.field == "version"


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda c: c.__setitem__("supervision_kinds", ["随大流", ""]), "supervision_kinds[1]"),
    (lambda c: c.__setitem__("supervision_kinds", ["随大流", "随大流"]), "supervision_kinds"),
    (lambda c: c.__setitem__("supervision_kinds", "随大流"), "supervision_kinds"),
    (lambda c: c["methods"].append("问卷"), "methods"),
    (lambda c: c["problem_categories"][2]["sub_kinds"].append("学习内容不集中"), "problem_categories[2].sub_kinds"),
])
def test_a_broken_version_2_names_the_field(mutate, field):
    content = json.loads(json.dumps(template.load_default().content))
    mutate(content)
    with pytest.raises(ValidationError) as info:
        template.validate(content)
    assert info.value.field == field and field in info.value.message


def _pdf_text(path: Path) -> str:
    return "".join("".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


@pytest.fixture
def office_on_v1(isolated_data):
    """An office whose campaign began on version 1, with a visit scored and a problem found then."""
    store.open_data_dir(isolated_data)
    installation.ensure_device("office")
    campaigns.create_campaign(campaigns.DEFAULT_CAMPAIGN_NAME, "2014-04-01", template.load_shipped(1))
    unit = units.create_unit("临江县", "县市区")
    visit = visits.create_visit(unit, "2014-04-08T09:30", notes="查阅学习笔记。", methods=["查阅资料"])
    scored = assessments.save_assessment(visit, {"F1": {"rating": "较好", "evidence": "笔记齐全"}},
                                         {"T2": {"level": "轻微", "evidence": "赶进度"}})
    finding = findings.create_finding(unit, "学习篇目不集中", "学习教育还不深不透", visit=visit, sub_kind="学习内容不聚焦")
    return {"data": isolated_data, "unit": unit, "visit": visit, "assessment": scored, "finding": finding}


def test_the_office_moves_the_campaign_and_old_scores_keep_version_1(office_on_v1, tmp_path):
    w = office_on_v1
    before = Assessment.get_by_id(w["assessment"].id).__data__.copy()
    assert cli.main(["--data-dir", str(w["data"]), "template", "load"]) == 0
    assert (campaigns.active_template().version, Campaign.select().first().template_version) == (2, 2)
    assert ChecklistTemplate.select().count() == 2  # both versions kept
    # the old assessment is untouched and still read with version 1
    assert Assessment.get_by_id(w["assessment"].id).__data__ == before
    again = assessments.save_assessment(w["visit"], {"F1": {"rating": "好", "evidence": "补充"}}, {})
    assert again.template_version == 1
    # a finding of version 1's words stays editable, and prints them
    findings.update_finding(w["finding"], description="学习篇目不集中，未学原文")
    assert Finding.get_by_id(w["finding"].id).sub_kind == "学习内容不聚焦"
    old_pdf = _pdf_text(render("visit", tmp_path / "old.pdf", record_id=w["visit"].id))
    assert "学习内容不聚焦" in old_pdf and "学习内容不集中" not in old_pdf
    # a new sub-kind must be in version 2's words
    with pytest.raises(ValidationError) as info:
        findings.update_finding(w["finding"], sub_kind="不会提")
    assert info.value.field == "sub_kind"
    assert Finding.get_by_id(w["finding"].id).sub_kind == "学习内容不聚焦"
    # a new visit is scored against version 2, and its finding may use its words
    visit = visits.create_visit(w["unit"], "2014-04-10T09:30", notes="走访。", methods=["走访调研", "问卷"])
    assert assessments.save_assessment(visit, {"F1": {"rating": "好", "evidence": "齐全"}}, {}).template_version == 2
    findings.create_finding(w["unit"], "部分群众不敢讲", "征求意见不太理想", visit=visit, sub_kind="群众不会真提意见")
    assert "群众不会真提意见" in _pdf_text(render("visit", tmp_path / "new.pdf", record_id=visit.id))


def test_moving_back_or_sideways_is_refused(office_on_v1):
    campaigns.switch_template(template.load_default())
    with pytest.raises(ValidationError, match="只能换到更高的版本") as info:
        campaigns.switch_template(template.load_shipped(1))
    assert info.value.field == "version"
    assert campaigns.active_template().version == 2


def test_a_field_device_cannot_move_the_campaign(data_dir, capsys):
    campaign = Campaign.select().first()
    before = (campaign.template_id, campaign.template_version, ChecklistTemplate.select().count())
    assert cli.main(["--data-dir", str(data_dir), "template", "load"]) != 0
    assert "由活动办载入" in capsys.readouterr().err
    campaign = Campaign.select().first()
    assert (campaign.template_id, campaign.template_version, ChecklistTemplate.select().count()) == before


FIXTURE_V5 = Path(__file__).resolve().parent / "fixtures" / "schema-v5"


def test_a_schema_5_database_keeps_its_version_1_scores(tmp_path):
    data = tmp_path / "v5"
    data.mkdir()
    shutil.copyfile(FIXTURE_V5 / "supervisor.sqlite3", db_path(data))
    store.open_data_dir(data)
    try:
        assert campaigns.active_template().version == 1  # no campaign moves by itself
        scored = list(Assessment.select())
        assert scored and {(a.template_id, a.template_version) for a in scored} == {("qzlx-2014", 1)}
        assert campaigns.get_template("qzlx-2014", 1).content == template.load_shipped(1).content
        tagged = {tuple(f.four_winds) for f in Finding.select()}
        assert tagged == {()}  # findings made before the tags concern no 四风 until someone says so
    finally:
        store.close()


def test_the_visit_editor_shows_an_old_assessment_with_its_own_versions_words(qtbot, data_dir, monkeypatch):
    """A later version that renames a focus item: the old visit's 评估 tab keeps the old name,
    a new visit's shows the new one."""
    from PySide6.QtWidgets import QLabel, QMessageBox

    from ui import tasks
    from ui.main_window import MainWindow

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    unit = units.create_unit("临江县", "县市区")
    old_visit = visits.create_visit(unit, "2014-04-08T09:30", notes="查阅资料。", methods=["查阅资料"])
    first = assessments.save_assessment(old_visit, {"F1": {"rating": "好", "evidence": "笔记齐全"}}, {})
    content = json.loads(json.dumps(campaigns.active_template().content))
    content["version"] = first.template_version + 1
    content["focus_items"][0]["name"] = "学习教育是否扎实（新版）"
    campaigns.create_campaign("第二阶段", clock.today() + timedelta(days=1), template.validate(content))
    assert campaigns.active_template().version == first.template_version + 1
    win = MainWindow(data_dir)
    qtbot.addWidget(win)
    win.show()
    tasks.wait_for_all(600_000)

    def labels(editor) -> set[str]:
        return {label.text() for label in editor.assessment.findChildren(QLabel)}

    old = win.pages["visits"].open_visit(old_visit.id)
    qtbot.addWidget(old)
    assert "学习教育是否扎实" in labels(old) and "学习教育是否扎实（新版）" not in labels(old)
    old.close()
    new = win.pages["visits"].new_visit(unit.id)
    qtbot.addWidget(new)
    assert "学习教育是否扎实（新版）" in labels(new)
    new.close()
    tasks.wait_for_all()


def test_the_new_version_travels_to_the_field_with_the_office_bundle(tmp_path):
    from supervisor_app.sync.identity import local_identity
    from tests.test_sync_helpers import build_trio, export, import_, on

    trio = build_trio(tmp_path / "trio")
    with on(trio.office):
        content = json.loads(json.dumps(campaigns.active_template().content))
        content["version"] += 1
        content["methods"].append("随机走访")
        campaigns.switch_template(template.validate(content))
    with on(trio.f2):
        me = local_identity().device_id
        before = campaigns.active_template().version
    usb = tmp_path / "usb"
    usb.mkdir()
    (result,) = import_(trio.f2, export(trio.office, usb, receivers=[me]))
    assert result.status == "imported"
    with on(trio.f2):
        assert campaigns.active_template().version == before + 1
        assert "随机走访" in campaigns.active_template().methods
        assert campaigns.get_template(content["id"], before).version == before  # the earlier one stays
