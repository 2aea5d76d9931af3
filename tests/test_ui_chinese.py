"""The program speaks Chinese whatever the system locale: Qt's own buttons and dialogs too."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QWizard,
)

from ui import app as ui_app
from ui.setup_dialog import SetupDialog

LATIN = re.compile(r"[A-Za-z]{2,}")  # a word of English (single letters: shortcut markers such as (&O))

ALL_MESSAGE_BOX_BUTTONS = [
    getattr(QMessageBox.StandardButton, name) for name in (
        "Ok", "Save", "SaveAll", "Open", "Yes", "YesToAll", "No", "NoToAll", "Abort", "Retry", "Ignore",
        "Close", "Cancel", "Discard", "Help", "Apply", "Reset", "RestoreDefaults",
    )
]


@pytest.fixture
def chinese(qapp):
    """Qt's Chinese installed as make_app does, starting from an English system locale."""
    previous = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    installed = ui_app.install_chinese(qapp)
    assert installed, "qtbase_zh_CN.qm was not found in PySide6's translations folder"
    yield
    for translator in installed:
        qapp.removeTranslator(translator)
    del qapp._supervisor_translators
    QLocale.setDefault(previous)


def _english(texts) -> list[str]:
    return [t for t in texts if LATIN.search(t.replace("&", ""))]


def test_message_box_standard_buttons_read_chinese(chinese, qtbot):
    box = QMessageBox()
    qtbot.addWidget(box)
    for button in ALL_MESSAGE_BOX_BUTTONS:
        box.addButton(button)
    texts = [b.text() for b in box.buttons()]
    assert len(texts) == len(ALL_MESSAGE_BOX_BUTTONS)
    assert _english(texts) == []
    assert box.button(QMessageBox.StandardButton.Yes).text().replace("&", "").startswith("是")
    assert box.button(QMessageBox.StandardButton.No).text().replace("&", "").startswith("否")


def test_dialog_button_box_reads_chinese(chinese, qtbot):
    buttons = QDialogButtonBox()
    qtbot.addWidget(buttons)
    for button in ALL_MESSAGE_BOX_BUTTONS:
        buttons.addButton(QDialogButtonBox.StandardButton(button.value))
    texts = [b.text() for b in buttons.buttons()]
    assert len(texts) == len(ALL_MESSAGE_BOX_BUTTONS) and _english(texts) == []
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


@pytest.mark.parametrize("mode", ["open", "save", "folder"])
def test_file_dialog_reads_chinese(chinese, qtbot, tmp_path, mode):
    dialog = QFileDialog(None, "选择同步包", str(tmp_path), "同步包 (*.sgb)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    if mode == "save":
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    elif mode == "folder":
        dialog.setFileMode(QFileDialog.FileMode.Directory)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisible() and b.text()]
    texts += [label.text() for label in dialog.findChildren(QLabel) if label.isVisible() and label.text()]
    texts += [b.toolTip() for b in dialog.findChildren(QAbstractButton) if b.isVisible() and b.toolTip()]
    assert texts and _english(texts) == []
    dialog.close()


def test_setup_wizard_buttons_read_chinese(chinese, qtbot, isolated_data):
    from supervisor_app import store

    store.open_data_dir(isolated_data)
    wizard = SetupDialog(data_dir=isolated_data)
    qtbot.addWidget(wizard)
    wizard.show()
    shown = [wizard.button(b).text() for b in (QWizard.WizardButton.CommitButton, QWizard.WizardButton.CancelButton,
                                                 QWizard.WizardButton.FinishButton, QWizard.WizardButton.BackButton,
                                                 QWizard.WizardButton.NextButton)]
    assert _english(shown) == []
    assert "取消" in shown[1]


def test_chinese_whatever_the_system_locale(chinese):
    assert QLocale().language() == QLocale.Language.Chinese


def test_the_system_font_size_is_kept(qapp):
    from PySide6.QtGui import QFont

    before, locale = qapp.font(), QLocale()
    try:
        qapp.setFont(QFont(before.family(), 15))  # as a desktop set to large text would
        ui_app.make_app()
        assert qapp.font().pointSize() == 15
        assert qapp.font().family().startswith("Noto Sans SC")  # the bundled face, at the system's size
    finally:
        qapp.setFont(before)
        QLocale.setDefault(locale)
        for translator in getattr(qapp, "_supervisor_translators", []):
            qapp.removeTranslator(translator)
        if hasattr(qapp, "_supervisor_translators"):
            del qapp._supervisor_translators
