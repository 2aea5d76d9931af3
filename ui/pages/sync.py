"""同步: the first exchange of 设备卡 (guided, with fingerprints read aloud), bundles to and
from a USB stick or a shared folder, what has reached the office, the history, conflicts to
decide, the devices."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import installation
from supervisor_app.errors import SupervisorError
from supervisor_app.sync import service

from .. import tasks, theme
from ..hub import announce, hub
from ..operations import perform
from ..widgets import bold, heading, show_error

RESULT_LABELS = {"imported": "已导入", "held": "已导入（部分暂存）", "duplicate": "以前已导入", "refused": "已拒绝",
                 "cancelled": "已取消", "skipped": "已跳过"}
WATCH_INTERVAL_MS = 5000


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, list[str]]]) -> None:
    table.setRowCount(len(rows))
    for r, (key, cells) in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(str(text))
            item.setData(Qt.ItemDataRole.UserRole, key)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def _when(value: str | None) -> str:
    return (value or "").replace("T", " ")[:16]


class ResolveDialog(QDialog):
    """Decide a conflict: keep one version whole, or take each field from a version."""

    def __init__(self, parent, conflict: service.ConflictView):
        super().__init__(parent)
        self.conflict = conflict
        self.setWindowTitle(self.tr("处理冲突"))
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.addWidget(bold(QLabel(f"{conflict.type_label}：{conflict.record_label}")))
        layout.addWidget(QLabel(conflict.reason_label))
        form = QFormLayout()
        self.choices: dict[str, QComboBox] = {}
        for name in conflict.fields:
            combo = QComboBox()
            for version in conflict.versions:
                if name in version.values:
                    combo.addItem(f"{version.label}：{str(version.values[name])[:60]}", version.key)
            self.choices[name] = combo
            form.addRow(conflict.field_labels.get(name, name), combo)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setStyleSheet(theme.ink_style("danger"))
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        """Write the choice on the worker; the dialog closes once it is written, or says why not."""
        take = {name: combo.currentData() for name, combo in self.choices.items()}
        self.setEnabled(False)

        def failed(exc):
            self.setEnabled(True)
            self.error.setText(getattr(exc, "message", str(exc)))

        self.task = perform(self, lambda: service.resolve_conflict(self.conflict.id, take=take), kind="*",
                            message=self.tr("冲突已处理"), on_done=lambda _r: QDialog.accept(self), on_error=failed)


class SyncPage(QWidget):
    title = "同步"
    operation_finished = Signal(object)

    def __init__(self, window):
        super().__init__()
        self.window_ = window
        self.settings = QSettings(str(window.data_dir / "window.ini"), QSettings.Format.IniFormat)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("同步")))
        self.identity = QLabel()
        self.identity.setWordWrap(True)
        self.identity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.identity)
        layout.addWidget(self._build_exchange())

        row = QHBoxLayout()
        box = QGroupBox(self.tr("带回活动办 / 发往督导组"))
        box_layout = QVBoxLayout(box)
        self.all_entries = QCheckBox(self.tr("包含全部记录（而不只是对方尚未确认的）"))
        export_button = QPushButton(self.tr("导出同步包到文件夹（U 盘）…"))
        export_button.clicked.connect(lambda: self.export())
        box_layout.addWidget(export_button)
        box_layout.addWidget(self.all_entries)
        row.addWidget(box)
        box = QGroupBox(self.tr("导入"))
        box_layout = QVBoxLayout(box)
        buttons = QHBoxLayout()
        files_button = QPushButton(self.tr("导入同步包文件…"))
        files_button.clicked.connect(lambda: self.import_files())
        folder_button = QPushButton(self.tr("导入整个文件夹…"))
        folder_button.clicked.connect(lambda: self.import_folder())
        buttons.addWidget(files_button)
        buttons.addWidget(folder_button)
        box_layout.addLayout(buttons)
        watch = QHBoxLayout()
        self.watch_folder = QLineEdit(self.settings.value("sync/watch_folder", ""))
        self.watch_folder.setPlaceholderText(self.tr("同步文件夹（共享文件夹或同步盘）"))
        choose = QPushButton(self.tr("选择…"))
        choose.clicked.connect(self._choose_watch_folder)
        self.watching = QCheckBox(self.tr("自动导入新同步包"))
        self.watching.toggled.connect(self.set_watching)
        watch.addWidget(self.watch_folder, 1)
        watch.addWidget(choose)
        watch.addWidget(self.watching)
        box_layout.addLayout(watch)
        row.addWidget(box, 1)
        layout.addLayout(row)
        self.result = QLabel()
        self.result.setWordWrap(True)
        layout.addWidget(self.result)

        self.tabs = QTabWidget()
        self.history = _table([self.tr("时间"), self.tr("方向"), self.tr("对方"), self.tr("编号"), self.tr("变更"),
                               self.tr("附件"), self.tr("冲突"), self.tr("状态"), self.tr("文件")])
        self.tabs.addTab(self.history, self.tr("同步记录"))
        self.marks = _table([self.tr("记录"), self.tr("未发送"), self.tr("已发送"), self.tr("活动办已确认")])
        self.tabs.addTab(self.marks, self.tr("发送情况"))
        conflicts = QWidget()
        conflicts_layout = QVBoxLayout(conflicts)
        self.conflicts = _table([self.tr("发现时间"), self.tr("记录"), self.tr("原因"), self.tr("字段"), self.tr("版本")])
        conflicts_layout.addWidget(self.conflicts)
        buttons = QHBoxLayout()
        keep_current = QPushButton(self.tr("保留本机版本"))
        keep_current.clicked.connect(lambda: self.resolve_selected(keep="current"))
        keep_incoming = QPushButton(self.tr("采用收到的版本"))
        keep_incoming.clicked.connect(lambda: self.resolve_selected(keep="incoming"))
        by_field = QPushButton(self.tr("逐个字段选择…"))
        by_field.clicked.connect(self.resolve_by_field)
        for button in (keep_current, keep_incoming, by_field):
            buttons.addWidget(button)
        buttons.addStretch(1)
        conflicts_layout.addLayout(buttons)
        self.tabs.addTab(conflicts, self.tr("冲突"))
        devices = QWidget()
        devices_layout = QVBoxLayout(devices)
        self.devices = _table([self.tr("设备"), self.tr("角色"), self.tr("督导组"), self.tr("指纹"), self.tr("登记时间"),
                               self.tr("状态")])
        self.devices.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        devices_layout.addWidget(self.devices)
        buttons = QHBoxLayout()
        card_button = QPushButton(self.tr("写出本机设备卡…"))
        card_button.clicked.connect(lambda: self.write_card())
        enroll_button = QPushButton(self.tr("登记对方的设备卡…"))
        enroll_button.clicked.connect(lambda: self.enroll())
        revoke_button = QPushButton(self.tr("停用所选设备"))
        revoke_button.clicked.connect(self.revoke_selected)
        self.bind_key_button = QPushButton(self.tr("登记组长公钥卡…"))
        self.bind_key_button.setToolTip(self.tr("活动办登记组长的签名公钥：登记之后，该组长签署的纪实评价才被采信。"))
        self.bind_key_button.clicked.connect(lambda: self.bind_leader_key())
        self.assign_button = QPushButton(self.tr("分配督导组…"))
        self.assign_button.setToolTip(self.tr("活动办把所选的督导组设备分配给一个督导组：它只能发来该组的记录。"))
        self.assign_button.clicked.connect(lambda: self.assign_selected())
        for button in (card_button, enroll_button, revoke_button, self.assign_button, self.bind_key_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        devices_layout.addLayout(buttons)
        self.tabs.addTab(devices, self.tr("设备"))
        self.gaps = QLabel()
        self.gaps.setWordWrap(True)
        self.gaps.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.tabs.addTab(self.gaps, self.tr("暂存"))
        layout.addWidget(self.tabs, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(WATCH_INTERVAL_MS)
        self.timer.timeout.connect(self.poll_watch_folder)
        self._watcher: service.FolderWatcher | None = None
        self._polling = False
        hub.changed.connect(self._on_changed)

    # --- showing -----------------------------------------------------------------------------------

    def refresh(self) -> None:
        try:
            info = service.overview()
        except SupervisorError as exc:
            self.identity.setText(exc.message)
            return
        self.identity.setText(self.tr(
            "本机：{role}　设备 {device}　指纹 {fp}\n已登记设备 {n} 台，未处理冲突 {c} 个，暂存变更 {h} 条。"
            "最近导入 {last_in}，最近导出 {last_out}。").format(
            role=installation.ROLE_LABELS.get(info.role, info.role), device=info.device_id[:8], fp=info.fingerprint,
            n=info.devices, c=info.open_conflicts, h=info.held_entries, last_in=_when(info.last_in) or "—",
            last_out=_when(info.last_out) or "—"))
        _fill(self.history, [(h.bundle_id, [_when(h.processed_at), h.direction_label, h.peer_label, h.bundle_no,
                                            h.entry_count, h.attachment_count, h.conflicts, h.status_label, h.file_name])
                             for h in service.bundle_history()])
        _fill(self.conflicts, [(c.id, [_when(c.detected_at), f"{c.type_label}：{c.record_label}", c.reason_label,
                                       "、".join(c.field_labels.get(f, f) for f in c.fields),
                                       " / ".join(v.label for v in c.versions)])
                               for c in service.list_conflicts()])
        _fill(self.devices, [(d.id, [f"{d.name or d.short_id}{self.tr('（本机）') if d.is_local else ''}",
                                     installation.ROLE_LABELS.get(d.role, d.role), d.group_name, d.fingerprint,
                                     _when(d.enrolled_at), self.tr("已停用") if d.revoked_at else self.tr("有效")])
                             for d in service.list_devices()])
        self.assign_button.setVisible(info.role == "office")
        gaps = service.held_gaps()
        self.gaps.setText("\n".join(g.text for g in gaps) or self.tr("没有暂存的变更。"))
        self.tabs.setTabText(2, self.tr("冲突（{n}）").format(n=self.conflicts.rowCount()))
        counts = service.sync_mark_counts()
        _fill(self.marks, [(label, [label, c["unsent"], c["sent"], c["confirmed"]]) for label, c in counts.items()])
        self._refresh_exchange(info)
        self.bind_key_button.setVisible(info.role == "office")

    def _on_changed(self, kind: str) -> None:
        if self.isVisible() and kind in ("*", "sync"):
            self.refresh()

    # --- export and import -------------------------------------------------------------------------

    def _write(self, work, kind: str, describe, title: str | None = None) -> tasks.Task:
        """A short write of this page (a card, an enrolment, a key, a revocation, a conflict) on
        the worker through ``operations.perform``: ``describe(result)`` is shown when it is done;
        ``operation_finished`` carries the result, or the refusal (also shown in a message box)."""

        def done(result):
            text = describe(result)
            if text:
                self.result.setText(text)
                hub.status.emit(text.split("\n", 1)[0])
            self.refresh()
            self.operation_finished.emit(result)

        def failed(exc):
            self.result.setText(self.tr("未完成：") + getattr(exc, "message", str(exc)))
            show_error(self, exc, title)
            self.operation_finished.emit(exc)

        return perform(self, work, kind=kind, on_done=done, on_error=failed)

    def _run(self, label: str, work, describe) -> tasks.Task:
        def done(result):
            self.result.setText(describe(result))
            announce("*", self.result.text().split("\n", 1)[0])
            self.refresh()
            self.operation_finished.emit(result)

        def failed(exc):
            self.result.setText(self.tr("未完成：") + getattr(exc, "message", str(exc)))
            show_error(self, exc)
            self.operation_finished.emit(exc)

        return tasks.run_with_progress(self, label, work, done, failed)

    def export(self, folder: str | None = None):
        if self._not_ready():
            return None
        folder = folder or QFileDialog.getExistingDirectory(self, self.tr("选择 U 盘或共享文件夹"))
        if not folder:
            return None
        everything = self.all_entries.isChecked()
        return self._run(self.tr("正在生成同步包…"),
                         lambda progress, cancelled: service.export_to_folder(
                             folder, all_entries=everything, progress=progress, cancelled=cancelled),
                         lambda results: "\n".join(r.summary for r in results) or self.tr("没有需要导出的内容。"))

    def _describe_imports(self, results) -> str:
        if not results:
            return self.tr("没有新的同步包。")
        lines = []
        for r in results:
            line = f"{r.path.name}：{self.tr(RESULT_LABELS.get(r.status, r.status))}"
            if r.status in ("imported", "held"):
                line += self.tr("，应用 {a} 条，冲突 {c} 个，暂存 {h} 条").format(a=r.applied, c=r.conflicts, h=r.held)
            elif r.message:
                line += f"。{r.message}"
            lines.append(line)
        return "\n".join(lines)

    def import_files(self, paths: list[str] | None = None):
        if paths is None:
            paths, _ = QFileDialog.getOpenFileNames(self, self.tr("选择同步包"), "", self.tr("同步包 (*.sgb)"))
        if not paths:
            return None
        return self._run(self.tr("正在导入同步包…"),
                         lambda progress, cancelled: service.import_paths(paths, progress=progress, cancelled=cancelled),
                         self._describe_imports)

    def import_folder(self, folder: str | None = None):
        folder = folder or QFileDialog.getExistingDirectory(self, self.tr("选择存放同步包的文件夹"))
        return self.import_files([folder]) if folder else None

    def _choose_watch_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("选择同步文件夹"))
        if folder:
            self.watch_folder.setText(folder)

    def set_watching(self, on: bool) -> None:
        folder = self.watch_folder.text().strip()
        if on and not Path(folder).is_dir():
            self.result.setText(self.tr("同步文件夹不存在：") + (folder or self.tr("（未填写）")))
            self.watching.setChecked(False)
            return
        self.settings.setValue("sync/watch_folder", folder)
        self._watcher = service.FolderWatcher(folder) if on else None
        if on:
            self.timer.start()
            self.poll_watch_folder()
        else:
            self.timer.stop()

    def poll_watch_folder(self) -> None:
        """Import what has newly arrived in the watched folder (on the worker, one poll at a time)."""
        if self._watcher is None or self._polling:
            return
        self._polling = True
        watcher = self._watcher

        def done(results):
            self._polling = False
            if results:
                self.result.setText(self.tr("自动导入：") + self._describe_imports(results))
                announce("*", self.tr("已自动导入新的同步包"))
                self.refresh()
            self.operation_finished.emit(results)

        def failed(exc):
            self._polling = False
            self.result.setText(self.tr("自动导入失败：") + getattr(exc, "message", str(exc)))

        tasks.run_task(lambda progress, cancelled: watcher.poll(progress=progress, cancelled=cancelled), done, failed)

    # --- devices and conflicts ---------------------------------------------------------------------

    def write_card(self, path: str | None = None):
        path = path or QFileDialog.getSaveFileName(
            self, self.tr("保存本机设备卡"), self._card_file_name(), self.tr("设备卡 (*.card *.json)"))[0]
        if not path:
            return None

        def written(card) -> str:
            self.settings.setValue("sync/card_written", path)
            return self.tr(
                "已写出本机设备卡：{path}。请把这个文件交给对方（U 盘），并打电话或当面把本机指纹读给对方：{fp}").format(
                path=path, fp=card.fingerprint)

        return self._write(lambda: service.write_card(path), "sync", written)

    def enroll(self, path: str | None = None):
        path = path or QFileDialog.getOpenFileName(self, self.tr("选择对方的设备卡"), "",
                                                   self.tr("设备卡 (*.card *.json);;所有文件 (*)"))[0]
        if not path:
            return None
        try:
            card = service.read_card(path)
            if not self._fingerprint_matches(card):
                self.result.setText(self.tr("没有登记：指纹没有核对一致。请向对方要一份新的设备卡，再点“登记对方的设备卡…”。"))
                return None
            group, adopt = None, False
            if installation.context().role == "office" and card.role == "field":
                answer = self._ask_group(card)
                if answer is None:
                    return None
                group, adopt = answer
        except SupervisorError as exc:
            show_error(self, exc, self.tr("无法登记"))
            return None

        def enrolled(device) -> str:
            if installation.context().role == "field":
                return self.tr("已登记活动办的设备卡。以后点“导出同步包到文件夹（U 盘）…”即可把记录带回活动办。")
            return self.tr("已登记{name}的设备卡。点“导出同步包到文件夹（U 盘）…”给它写出工作安排。").format(
                name=device.group_name or device.name or device.short_id)

        fingerprint = card.fingerprint
        return self._write(lambda: service.enroll(path, fingerprint, group, adopt=adopt), "sync", enrolled,
                           self.tr("无法登记"))

    # --- the first exchange of 设备卡 -------------------------------------------------------------

    def _build_exchange(self) -> QGroupBox:
        box = QGroupBox(self.tr("第一次同步：与活动办交换设备卡"))
        grid = QFormLayout(box)
        self.step_write = QPushButton(self.tr("① 写出本机设备卡…"))
        self.step_write.clicked.connect(lambda: self.write_card())
        self.step_write_state = QLabel()
        self.step_write_state.setWordWrap(True)
        self.step_enroll = QPushButton(self.tr("② 登记对方的设备卡…"))
        self.step_enroll.clicked.connect(lambda: self.enroll())
        self.step_enroll_state = QLabel()
        self.step_enroll_state.setWordWrap(True)
        self.step_read = QLabel()
        self.step_read.setWordWrap(True)
        self.step_read.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addRow(self.step_write, self.step_write_state)
        grid.addRow(self.step_enroll, self.step_enroll_state)
        grid.addRow(QLabel(self.tr("③ 核对指纹")), self.step_read)
        self.exchange_box = box
        return box

    def _card_file_name(self) -> str:
        from supervisor_app import members

        group = members.current_group()
        name = group.name if group else self.tr(installation.ROLE_LABELS[installation.context().role])
        return f"{name}.card"

    def _refresh_exchange(self, info) -> None:
        office = installation.context().role == "office"
        self.exchange_box.setTitle(self.tr("登记督导组的设备：交换设备卡") if office
                                   else self.tr("第一次同步：与活动办交换设备卡"))
        written = self.settings.value("sync/card_written", "")
        self.step_write_state.setText(
            self.tr("已写出：{path}。把这个文件交给对方。").format(path=written) if written else
            self.tr("把本机的设备卡写到 U 盘上，交给{peer}。").format(
                peer=self.tr("督导组") if office else self.tr("活动办")))
        peers = [d for d in service.list_devices() if not d.is_local and not d.revoked_at]
        if office:
            self.step_enroll_state.setText(
                self.tr("已登记督导组设备 {n} 台。每个督导组的设备卡登记一次，并指定它属于哪个督导组。").format(n=len(peers))
                if peers else self.tr("登记督导组交来的设备卡，并指定它属于哪个督导组。"))
        else:
            enrolled = [d for d in peers if d.role == "office"]
            self.step_enroll_state.setText(
                self.tr("已登记活动办（指纹 {fp}）。").format(fp=enrolled[0].fingerprint) if enrolled
                else self.tr("登记活动办交来的设备卡。登记之后才能导出同步包。"))
        self.step_read.setText(self.tr(
            "打电话或当面，把本机指纹读给对方：{fp}\n登记对方的设备卡时，程序显示对方的指纹，请对方读给您听，一致才登记。"
        ).format(fp=info.fingerprint))

    def _fingerprint_matches(self, card) -> bool:
        """Show the peer's fingerprint and ask whether the peer read out the same."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("核对指纹"))
        who = self.tr(installation.ROLE_LABELS.get(card.role, card.role)) + (f" {card.group_name}" if card.group_name else "")
        box.setText(self.tr("请对方（{who}）把他们的指纹读给您听，与下面的逐组比较：\n\n{fp}\n\n完全一致吗？").format(
            who=who, fp=card.fingerprint))
        same = box.addButton(self.tr("一致，登记"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("不一致，不登记"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(same)
        box.exec()
        return box.clickedButton() is same

    def _not_ready(self) -> bool:
        """Say what to click when nothing can be exported yet."""
        reason = service.export_readiness()
        if reason is None:
            return False
        if reason == "no_office":
            text = self.tr("还不能导出：本机尚未登记活动办的设备卡。请在本页上方点“② 登记对方的设备卡…”，"
                           "选择活动办交来的设备卡文件，并与活动办核对指纹。")
        else:
            text = self.tr("还不能导出：还没有登记任何督导组的设备。请在本页上方点“② 登记对方的设备卡…”，"
                           "选择督导组交来的设备卡文件。")
        self.result.setText(text)
        QMessageBox.information(self, self.tr("还不能导出"), text)
        return True

    def bind_leader_key(self, path: str | None = None, fingerprint: str | None = None):
        """The office binds a group leader's signing key from their key card, checking the
        fingerprint the leader reads out."""
        from supervisor_app import signatures

        path = path or QFileDialog.getOpenFileName(self, self.tr("选择组长公钥卡"), "",
                                                   self.tr("组长公钥卡 (*.keycard);;所有文件 (*)"))[0]
        if not path:
            return None
        if fingerprint is None:
            fingerprint, ok = QInputDialog.getText(self, self.tr("核对指纹"), self.tr(
                "请组长打电话或当面把公钥卡的指纹读给您，照读输入（空格可省略）："))
            if not ok or not fingerprint.strip():
                return None
        return self._write(lambda: signatures.bind_key_card(path, fingerprint), "member",
                           lambda member: self.tr("已登记组长{name}的签名公钥。下次给该组导出同步包时一并发去。").format(
                               name=member.name), self.tr("无法登记"))

    def _ask_group(self, card) -> tuple[str | None, bool] | None:
        """The office binds a field laptop to the group whose records it may send: one of its
        groups, or (a group the laptop set up itself) the card's group, members, units and
        leaders taken over as the office's. (group name, adopt), or None when cancelled."""
        from supervisor_app import campaigns

        groups = campaigns.list_groups()
        names = [g.name for g in groups]
        choices = list(names)
        adopt_item = None
        if card.group_id and card.group_name and card.group_id not in {g.id for g in groups}:
            adopt_item = self.tr("按设备卡建立：{name}（成员 {members} 名，单位 {units} 个，干部 {leaders} 名）").format(
                name=card.group_name, members=len(card.roster), units=len(card.made_of("unit")),
                leaders=len(card.made_of("leader")))
            choices.insert(0, adopt_item)
        if not choices:
            raise SupervisorError(self.tr("活动办还没有督导组，这张设备卡也没有督导组：请先建立督导组，再登记它。"))
        current = choices.index(card.group_name) if card.group_name in choices else 0
        name, ok = QInputDialog.getItem(self, self.tr("分配督导组"), self.tr(
            "这台设备属于哪个督导组？\n它只能发来该组的记录。督导组在自己的电脑上建立的组，选“按设备卡建立”："
            "活动办以自己的名义建立该组及其成员、单位和干部（编号相同）。"), choices, current, False)
        if not ok or not name:
            return None
        return (None, True) if name == adopt_item else (name, False)

    def _selected(self, table: QTableWidget) -> str | None:
        row = table.currentRow()
        return table.item(row, 0).data(Qt.ItemDataRole.UserRole) if row >= 0 and table.item(row, 0) else None

    def revoke_selected(self) -> tasks.Task | None:
        device_id = self._selected(self.devices)
        if not device_id:
            return None
        if QMessageBox.question(self, self.tr("停用设备"), self.tr("停用后，该设备以后的同步包都将被拒绝。确定吗？")) \
                != QMessageBox.StandardButton.Yes:
            return None
        return self._write(lambda: service.revoke_device(device_id), "sync", lambda _r: self.tr("已停用设备"))

    def assign_selected(self, group: str | None = None) -> tasks.Task | None:
        """The office binds the selected field device to a group (its bundles then carry only
        that group's records); the group is asked for unless given."""
        device_id = self._selected(self.devices)
        if not device_id:
            self.result.setText(self.tr("请先在设备列表中选择一台督导组设备，再点“分配督导组…”。"))
            return None
        if group is None:
            from supervisor_app import campaigns

            device = next((d for d in service.list_devices() if d.id == device_id), None)
            names = [g.name for g in campaigns.list_groups()]
            if not names:
                self.result.setText(self.tr("活动办还没有督导组：请先建立督导组，再分配设备。"))
                return None
            current = names.index(device.group_name) if device is not None and device.group_name in names else 0
            group, ok = QInputDialog.getItem(self, self.tr("分配督导组"), self.tr(
                "这台设备属于哪个督导组？\n它只能发来该组的记录。"), names, current, False)
            if not ok or not group:
                return None
        return self._write(lambda: service.assign_device(device_id, group), "sync",
                           lambda info: self.tr("已把设备 {device} 分配给{group}。").format(
                               device=info.name or info.short_id, group=info.group_name), self.tr("无法分配"))

    def resolve_selected(self, keep: str) -> tasks.Task | None:
        """Keep one version of the selected conflict whole (written on the worker)."""
        conflict_id = self._selected(self.conflicts)
        if not conflict_id:
            return None

        def resolve():
            chosen = keep
            if chosen == "incoming":
                incoming = [v.key for v in service.get_conflict(conflict_id).versions if v.key != "current"]
                chosen = incoming[-1] if incoming else "current"
            return service.resolve_conflict(conflict_id, keep=chosen)

        return self._write(resolve, "*", lambda _r: self.tr("冲突已处理"))

    def resolve_by_field(self) -> None:
        conflict_id = self._selected(self.conflicts)
        if not conflict_id:
            return
        dialog = ResolveDialog(self, service.get_conflict(conflict_id))
        if dialog.exec():
            announce("*", self.tr("冲突已处理"))
            self.refresh()
