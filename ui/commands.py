"""CLI commands that need Qt (registered by main.py); Qt is imported only when they run."""

from __future__ import annotations

PAGES = ("overview", "units", "visits", "rectification", "evaluations", "reports", "sync", "settings")


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
    path = store.open_data_dir(args.data_dir, create=False)
    if not installation.is_initialized():
        raise SupervisorError("数据文件夹尚未初始化，请先运行 init。")
    window = MainWindow(path)
    window.resize(1280, 800)
    window.show_page(args.page)
    window.show()
    target = window
    if args.record:
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
    from . import tasks

    tasks.wait_for_all()  # pages that load on the worker have their data
    for _ in range(5):
        app.processEvents()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not target.grab().save(str(out), "PNG"):
        raise SupervisorError(f"无法写入截图文件：{out}", field="--out")
    print(f"已保存截图：{out}")
    if target is not window:
        target.close()
    window.close()
    return 0


def register(subparsers) -> None:
    """Add the window's commands to the CLI."""
    p = subparsers.add_parser("screenshot", help="把窗口的某一页（或某条记录的编辑窗口）渲染为 1280×800 的 PNG")
    p.add_argument("--page", choices=PAGES, required=True)
    p.add_argument("--record", metavar="ID", help="打开这条记录（visits：督导记录编号；rectification：问题编号）")
    p.add_argument("--out", required=True, metavar="FILE.png")
    p.set_defaults(func=cmd_screenshot)
