"""A group's first start, through the window only: role, group, members, the leader's
passphrase, the current member, and the first exchange of 设备卡 with the office."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWizard

from supervisor_app import campaigns, installation, members, signing, store
from supervisor_app.models import Member
from supervisor_app.sync import service
from tests.qt_helpers import type_text
from tests.test_ui_sync import same_fingerprint
from ui import app, setup_dialog, tasks
from ui.members_panel import MembersModel, PassphraseDialog
from ui.setup_dialog import GROUP_PAGE, MEMBERS_PAGE, PASSPHRASE_PAGE, SetupDialog

STRONG = "临江县督导组2014年四月"


def _next(qtbot, wizard, expected_id: int | None) -> None:
    wizard.button(QWizard.WizardButton.CommitButton if wizard.currentPage().isCommitPage()
                  else QWizard.WizardButton.NextButton).click()
    if expected_id is not None:
        qtbot.waitUntil(lambda: wizard.currentId() == expected_id, timeout=10_000)


def _passphrase(qtbot, dialog: PassphraseDialog, text: str, repeat: str | None = None, old: str = "") -> None:
    for edit in (dialog.old, dialog.new, dialog.repeat):
        edit.clear()
    if old:
        type_text(dialog.old, old)
    type_text(dialog.new, text)
    type_text(dialog.repeat, text if repeat is None else repeat)


@pytest.fixture
def office(tmp_path):
    """An office installation elsewhere, which hands over its 设备卡 on a stick."""
    folder = tmp_path / "office"
    store.open_data_dir(folder)
    campaigns.initialize("office")
    card = tmp_path / "活动办.card"
    office_card = service.write_card(card)
    store.close()
    return card, office_card.fingerprint


def test_first_start_members_passphrase_and_card_exchange(qtbot, isolated_data, monkeypatch, office, tmp_path):
    office_card_path, office_fingerprint = office
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)

    def drive(wizard: SetupDialog) -> int:
        qtbot.addWidget(wizard)
        wizard.show()
        # 1. role first; the office page would end here, a group goes on
        assert wizard.role_page.field.isChecked() and not wizard.role_page.isFinalPage()
        _next(qtbot, wizard, GROUP_PAGE)
        assert installation.context().role == "field"
        # 2. the group and me: nothing filled in is refused next to the field, nothing written
        _next(qtbot, wizard, None)
        assert wizard.currentId() == GROUP_PAGE
        assert "督导组名称" in wizard.group_page.errors.labels["name"].text()
        assert members.current_group() is None
        type_text(wizard.group_page.group, "市委第一督导组")
        type_text(wizard.group_page.member, "李明")
        _next(qtbot, wizard, MEMBERS_PAGE)
        # 3. members: add two, a clash refused, rename one, retire one, hand over and back
        panel = wizard.members_page.panel
        for name, said in (("王芳", "已添加成员王芳"), ("赵强", "已添加成员赵强"), ("王芳", "已有成员“王芳”")):
            type_text(panel.new_name, name)
            panel.add_button.click()
            qtbot.waitUntil(lambda said=said: said in panel.message.text(), timeout=5_000)
        assert panel.new_name.text() == "王芳"  # the refused name stays to be corrected
        assert [r["name"] for r in panel.model.rows] == ["李明", "王芳", "赵强"]
        assert panel.select("王芳")
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("王芳芳", True))
        panel.rename_button.click()
        qtbot.waitUntil(lambda: "王芳芳" in [r["name"] for r in panel.model.rows], timeout=5_000)
        assert panel.select("赵强")
        panel.retire_button.click()
        qtbot.waitUntil(lambda: any(r["retired"] for r in panel.model.rows), timeout=5_000)
        assert panel.select("王芳芳")
        panel.leader_button.click()
        qtbot.waitUntil(lambda: panel.model.rows[0]["name"] == "王芳芳", timeout=5_000)  # the leader first
        assert members.group_leader(members.current_group()).name == "王芳芳"
        assert panel.select("李明")
        panel.leader_button.click()
        qtbot.waitUntil(lambda: panel.model.rows[0]["name"] == "李明", timeout=5_000)
        assert members.group_leader(members.current_group()).name == "李明"
        assert panel.model.data(panel.model.index(0, 1)) == "组长"
        assert panel.model.data(panel.model.index(0, 2)) == "是"  # 李明 uses this computer
        # 4. the leader's passphrase: strength shown as typed, a weak one refused, a strong one set
        _next(qtbot, wizard, PASSPHRASE_PAGE)
        assert "未设置" in wizard.passphrase_page.state.text()
        dialog = wizard.passphrase_page.set_passphrase()  # a child of the wizard, deleted with it
        _passphrase(qtbot, dialog, "12345678")
        assert "很弱" in dialog.strength.text() or "弱" in dialog.strength.text()
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        qtbot.waitUntil(lambda: "不能使用" in dialog.errors.labels["passphrase"].text(), timeout=5_000)
        leader = members.group_leader(members.current_group())
        assert not signing.has_key(wizard.data_dir, leader)
        _passphrase(qtbot, dialog, STRONG, repeat=STRONG + "x")
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        assert "不一样" in dialog.errors.labels["repeat"].text()
        _passphrase(qtbot, dialog, STRONG)
        assert "较强" in dialog.strength.text() or "强" in dialog.strength.text()
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
        assert signing.has_key(wizard.data_dir, leader)
        qtbot.waitUntil(lambda: "已设置" in wizard.passphrase_page.state.text(), timeout=5_000)
        wizard.button(QWizard.WizardButton.FinishButton).click()
        return wizard.result()

    monkeypatch.setattr(setup_dialog.SetupDialog, "exec", drive)
    window = app.open_window()
    assert window is not None
    qtbot.addWidget(window)
    window.show()
    data_dir = window.data_dir
    assert "市委第一督导组" in window.windowTitle() and "李明" in window.windowTitle()

    # switching the current member: one choice in the title area
    switch = window.member_switch
    assert [switch.itemText(i) for i in range(switch.count())] == ["李明（组长）", "王芳芳"]
    switch.activated.emit(switch.findText("王芳芳"))
    tasks.wait_for_all(300_000)  # behind the report fonts the window prepares on the worker at start
    qtbot.waitUntil(lambda: "王芳芳" in window.windowTitle(), timeout=5_000)
    assert members.current_member().name == "王芳芳"
    switch.activated.emit(switch.findText("李明（组长）"))
    qtbot.waitUntil(lambda: "李明" in window.windowTitle(), timeout=5_000)

    # the same roster on 设置: the leader changes the passphrase there
    settings = window.show_page("settings")
    panel = settings.members
    assert [r["name"] for r in panel.model.rows] == ["李明", "王芳芳", "赵强"]
    assert panel.select("李明") and panel.passphrase_button.text() == "更改签名口令…"
    dialog = panel.set_passphrase()
    qtbot.addWidget(dialog)
    _passphrase(qtbot, dialog, "another good passphrase", old="wrong passphrase")
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: "口令不正确" in dialog.errors.labels["old"].text(), timeout=10_000)
    _passphrase(qtbot, dialog, "another good passphrase", old=STRONG)
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    leader = Member.get(Member.name == "李明")
    signing.unlock(data_dir, leader, "another good passphrase")

    # the card exchange on 同步: exporting first says what to click
    page = window.show_page("sync")
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    assert page.export(str(tmp_path)) is None
    assert "② 登记对方的设备卡" in told[0] and "main.py" not in told[0]
    own_card = tmp_path / "第一督导组.card"
    with qtbot.waitSignal(page.operation_finished, timeout=60_000):  # written on the worker
        assert page.write_card(str(own_card)) is not None
    assert own_card.exists()
    assert str(own_card) in page.step_write_state.text()
    assert service.local_card().fingerprint in page.step_read.text()
    seen: list[str] = []
    same_fingerprint(monkeypatch, seen)
    with qtbot.waitSignal(page.operation_finished, timeout=60_000):
        assert page.enroll(str(office_card_path)) is not None
    assert office_fingerprint in seen[0]
    assert office_fingerprint in page.step_enroll_state.text()
    assert service.export_readiness() is None
    window.close()
    tasks.wait_for_all()


def test_office_first_start_asks_no_group(qtbot, isolated_data):
    store.open_data_dir(isolated_data)
    wizard = SetupDialog(data_dir=isolated_data)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.role_page.office.setChecked(True)
    assert wizard.role_page.isFinalPage()
    wizard.button(QWizard.WizardButton.CommitButton).click()
    qtbot.waitUntil(lambda: wizard.result() == wizard.DialogCode.Accepted, timeout=10_000)
    assert installation.context().role == "office" and installation.context().group_id is None
    assert not app.needs_setup()


def test_members_model_passes_the_model_tester(qtmodeltester, data_dir):
    group = members.current_group()
    members.add_member(group, "李四")
    retired = members.add_member(group, "王五")
    members.retire_member(retired)
    model = MembersModel(data_dir)
    model.reload()
    assert model.rowCount() == 3 and model.data(model.index(2, 1)) == "已退出"
    qtmodeltester.check(model)
