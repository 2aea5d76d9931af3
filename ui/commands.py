"""CLI commands that need Qt (registered by main.py); Qt is imported only when they run."""

from __future__ import annotations

PAGES = ("overview", "units", "visits", "rectification", "supervision", "evaluations", "reports", "calibration",
         "sync", "settings")
# Scenes for the guide beyond a page: the first-start wizard's steps (shown over the folder's
# group and members, nothing written) and the leader's passphrase dialog with a sample typed.
VISIT_TABS = ("basic", "attachments", "assessment", "quiz", "findings")
SCENES = ("setup-role", "setup-group", "setup-members", "setup-passphrase", "passphrase")


def _scene(name: str, path, window):
    """A dialog of the first start or of 设置, laid out as the user sees it; nothing is written."""
    from supervisor_app import members

    from .members_panel import PassphraseDialog
    from .setup_dialog import GROUP_PAGE, MEMBERS_PAGE, PASSPHRASE_PAGE, ROLE_PAGE, SetupDialog

    if name == "passphrase":
        leader = members.group_leader(members.current_group())
        dialog = PassphraseDialog(window, path, leader.id)
        for edit in (dialog.new, dialog.repeat):
            edit.setText("临江县督导组2014年四月")
        return dialog
    wizard = SetupDialog(data_dir=path)
    start = {"setup-role": ROLE_PAGE, "setup-group": GROUP_PAGE, "setup-members": MEMBERS_PAGE,
             "setup-passphrase": PASSPHRASE_PAGE}[name]
    wizard.setStartId(start)  # shown directly: no page before it is validated (and written)
    wizard.restart()
    if start == GROUP_PAGE:
        group, member = members.current_group(), members.current_member()
        wizard.group_page.group.setText(group.name if group else "")
        wizard.group_page.member.setText(member.name if member else "")
    return wizard


def cmd_screenshot(args) -> int:
    """Render a page (or a record's editor) offscreen at 1280×800 into a PNG."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pathlib import Path

    from supervisor_app import installation, store
    from supervisor_app.errors import SupervisorError

    from .app import make_app
    from .main_window import MainWindow

    app = make_app()
    if args.scene == "setup-role":  # the very first screen: a new, empty data folder is what it shows
        from .setup_dialog import SetupDialog

        path = store.open_data_dir(args.data_dir)
        if installation.is_initialized():
            raise SupervisorError("“setup-role”场景用于新的空数据文件夹（显示第一次打开时的样子）。", field="--data-dir")
        wizard = SetupDialog(data_dir=path)
        wizard.show()
        return _save(app, wizard, Path(args.out))
    path = store.open_data_dir(args.data_dir, create=False)
    if not installation.is_initialized():
        raise SupervisorError("数据文件夹尚未初始化，请先运行 init。")
    if not args.page and not args.scene:
        raise SupervisorError("请用 --page 指定页面，或用 --scene 指定场景。", field="--page")
    if args.tab and not (args.page == "visits" and args.record):
        raise SupervisorError("--tab 只能与 --page visits --record 一起使用。", field="--tab")
    window = MainWindow(path)
    window.resize(1280, 800)
    window.show_page(args.page or "overview")
    window.show()
    target = window
    if args.search:
        if args.page != "visits":
            raise SupervisorError("--search 只能用于 visits 页面。", field="--search")
        page = window.pages["visits"]
        page.search.setText(args.search)
        page.apply_filter()
    if args.scene:
        target = _scene(args.scene, path, window)
        target.show()
    elif args.record:
        if args.page == "visits":
            target = window.pages["visits"].open_visit(args.record)
        elif args.page == "rectification":
            target = window.pages["rectification"].open_finding(args.record)
        elif args.page == "evaluations":
            target = window.pages["evaluations"].open_evaluation(args.record)
        elif args.page == "units":
            window.pages["units"].select_unit(args.record)
        else:
            raise SupervisorError("--record 只能用于 visits、rectification、evaluations 或 units 页面。",
                                  field="--record")
        if target is not window:
            target.resize(1280, 800)
        if args.tab:
            target.tabs.setCurrentWidget(getattr(target, args.tab))
    from . import tasks

    tasks.wait_for_all()  # pages that load on the worker have their data
    _save(app, target, Path(args.out))
    if target is not window:
        target.close()
    window.close()
    return 0


def _save(app, target, out) -> int:
    from supervisor_app.errors import SupervisorError

    for _ in range(5):
        app.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not target.grab().save(str(out), "PNG"):
        raise SupervisorError(f"无法写入截图文件：{out}", field="--out")
    print(f"已保存截图：{out}")
    return 0


def register(subparsers) -> None:
    """Add the window's commands to the CLI."""
    p = subparsers.add_parser("screenshot", help="把窗口的某一页（或某条记录的编辑窗口）渲染为 1280×800 的 PNG")
    p.add_argument("--page", choices=PAGES)
    p.add_argument("--scene", choices=SCENES, help="首次使用向导的某一步，或组长签名口令对话框（不写入任何内容）")
    p.add_argument("--tab", choices=VISIT_TABS, help="督导记录编辑窗口显示的标签页")
    p.add_argument("--search", metavar="词", help="在督导记录页检索这个词（显示命中片段）")
    p.add_argument("--record", metavar="ID", help="打开这条记录（visits：督导记录编号；rectification：问题编号）")
    p.add_argument("--out", required=True, metavar="FILE.png")
    p.set_defaults(func=cmd_screenshot)
