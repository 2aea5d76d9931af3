"""The command line: the same services as the window, with no window.

    python main.py [--data-dir DIR] COMMAND ...

Errors print one clear line on stderr and exit non-zero; never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from . import (
    __version__,
    audit,
    campaigns,
    db,
    display,
    evaluations,
    findings,
    installation,
    store,
    units,
    visits,
)
from .errors import SupervisorError

VERSION_TEXT = f"督导纪实 {__version__}（数据版本 {db.SCHEMA_VERSION}）"

LIST_KINDS = ("units", "leaders", "visits", "findings", "rectifications", "evaluations", "surveys", "meetings", "plans")


class CliError(SupervisorError):
    """A usage error detected by the CLI itself."""


def _print_json(data) -> None:
    """Strict JSON whatever the records hold: NaN and infinities as strings, never bare."""
    sys.stdout.write(json.dumps(display.json_safe(data), ensure_ascii=False, indent=2, allow_nan=False))
    sys.stdout.write("\n")


def _cell(value) -> str:
    if isinstance(value, list | tuple):
        return "、".join(display.text(v) for v in value)
    return display.short(value, 200).replace("\n", " ")


def _print_table(rows: list[dict], columns: Sequence[tuple[str, str]]) -> None:
    for row in rows:
        print("  ".join(f"{label}:{_cell(row.get(key))}" for key, label in columns))
    print(f"共 {len(rows)} 条")


# --- commands ----------------------------------------------------------------------------------------


def cmd_init(args) -> int:
    path = store.open_data_dir(args.data_dir)
    created = campaigns.initialize(args.role, args.group, args.member)
    ctx = installation.context()
    print(f"数据文件夹：{path}")
    print(f"角色：{installation.ROLE_LABELS[ctx.role]}  本机设备：{ctx.device_id}")
    print("已初始化。" if created else "已是初始化状态，未作改动。")
    return 0


def cmd_demo(args) -> int:
    from datetime import date

    from . import demo, validate

    anchor = validate.iso_date(args.anchor, "anchor", "--anchor") if args.anchor else None
    path = store.open_data_dir(args.data_dir)

    def progress(done: int, total: int) -> None:
        if args.size == "large":
            print(f"\r生成演示数据 {done}/{total}", end="", file=sys.stderr, flush=True)

    summary = demo.generate(path, seed=args.seed, size=args.size, progress=progress,
                            anchor=date.fromisoformat(anchor) if anchor else None)
    if args.size == "large":
        print(file=sys.stderr)
    print("已生成演示数据：" + "，".join(f"{k} {v}" for k, v in summary.items()))
    return 0


# Stored values are listed as they are (odd ones too); names of referenced records go
# through display.related_name, which marks a missing record instead of failing.


def _unit_dict(u) -> dict:
    return {"id": u.id, "name": u.name, "kind": u.kind, "parent_id": u.parent_id, "path": units.unit_path(u)}


def _leader_dict(leader) -> dict:
    return {
        "id": leader.id, "name": leader.name, "position": leader.position, "unit_id": leader.unit_id,
        "unit": display.related_name(leader, "unit"), "is_top_leader": leader.is_top_leader, "team_id": leader.team_id,
        "contact_point_unit_id": leader.contact_point_unit_id,
    }


def _visit_dict(v, names: dict[str, str]) -> dict:
    return {
        "id": v.id, "unit_id": v.unit_id, "unit": display.related_name(v, "unit"), "date": v.started_at[:10],
        "started_at": v.started_at, "methods": v.methods,
        "members": [names.get(m, m) for m in display.names(v.members_present)], "people_met": v.people_met,
        "notes": v.notes,
    }


def _finding_dict(f) -> dict:
    return {
        "id": f.id, "unit_id": f.unit_id, "unit": display.related_name(f, "unit"), "visit_id": f.visit_id,
        "found_on": f.found_on,
        "category": f.category, "sub_kind": f.sub_kind, "description": f.description, "severity": f.severity,
        "leader_id": f.leader_id, "closed": f.closed, "four_winds": f.four_winds,
    }


def _rect_dict(row) -> dict:
    r = row.rectification
    return {
        "id": r.id, "finding_id": row.finding.id, "unit": row.unit_name, "finding": row.finding.description,
        "measure": r.measure, "responsible": r.responsible, "deadline": r.deadline, "status": r.status,
        "overdue": row.overdue, "verified_on": r.verified_on,
    }


def _evaluation_dict(e) -> dict:
    return {
        "id": e.id, "subject": evaluations.subject_name(e), "subject_kind": e.subject_kind,
        "unit": display.related_name(e, "unit"),
        "period_start": e.period_start, "period_end": e.period_end, "status": evaluations.status(e),
        "overall_rating": e.overall_rating, "signed_at": e.signed_at,
    }


def cmd_list(args) -> int:
    store.open_data_dir(args.data_dir, create=False)
    kind = args.kind
    if args.search and kind != "visits":
        raise CliError("--search 只能用于 list visits。", field="--search")
    if kind == "units":
        rows = [_unit_dict(u) for u in units.list_units()]
        columns = (("path", "单位"), ("kind", "类别"), ("id", "编号"))
    elif kind == "leaders":
        rows = [_leader_dict(leader) for leader in units.list_leaders()]
        columns = (("name", "姓名"), ("position", "职务"), ("unit", "单位"), ("id", "编号"))
    elif kind == "visits":
        flt = visits.VisitFilter(
            unit_id=args.unit, date_from=args.date_from, date_to=args.date_to, search=args.search,
            method=args.method,
        )
        names = visits.member_names()
        rows = [_visit_dict(v, names) for v in visits.list_visits(flt, limit=args.limit)]
        columns = (("date", "日期"), ("unit", "单位"), ("methods", "方式"), ("id", "编号"))
    elif kind == "findings":
        rows = [_finding_dict(f) for f in findings.list_findings(open_only=args.open)]
        columns = (("found_on", "日期"), ("unit", "单位"), ("category", "类别"), ("four_winds", "四风"), ("description", "问题"))
    elif kind == "rectifications":
        ledger = findings.ledger(open_only=args.open, overdue_only=args.overdue)
        rows = [_rect_dict(r) for r in ledger if r.rectification is not None]
        columns = (("deadline", "时限"), ("status", "状态"), ("unit", "单位"), ("measure", "措施"))
    elif kind == "surveys":
        from .plan_cli import survey_list

        rows, columns = survey_list()
    elif kind == "meetings":
        from . import meetings_cli

        return meetings_cli.cmd_list(args)
    elif kind == "plans":
        from .rectification_plans_cli import PLAN_COLUMNS, plan_rows

        rows = plan_rows(args.unit, as_json=args.json)
        columns = PLAN_COLUMNS
    else:
        rows = [_evaluation_dict(e) for e in evaluations.list_evaluations()]
        columns = (("subject", "对象"), ("status", "状态"), ("period_end", "截至"), ("id", "编号"))
    if args.json:
        _print_json(rows)
    else:
        _print_table(rows, columns)
    return 0


def _check_report(args) -> tuple[int, dict]:
    """Run every check; (exit code, the findings as a dict) — 0 sound, 1 problems, 2 not openable."""
    from . import db_health
    from .paths import resolve_data_dir

    report = {"program_version": __version__, "data_dir": str(resolve_data_dir(args.data_dir)), "ok": False,
              "state": None, "schema_version": None, "problems": [], "warnings": [], "newest_good_backup": None}
    try:
        store.open_data_dir(args.data_dir, create=False)
    except db_health.DamagedDatabaseError as exc:
        good = exc.check.newest_good_backup
        report.update(state=db_health.DAMAGED, problems=[exc.message],
                      newest_good_backup=str(good.path) if good is not None else None)
        return 2, report
    except SupervisorError as exc:
        report.update(state="not_openable", problems=[exc.message])
        return 2, report
    from .models import database

    problems = audit.check_all()
    report.update(ok=not problems, state=db_health.OK, schema_version=db.schema_version(database), problems=problems,
                  warnings=_warnings(args))
    return (1 if problems else 0), report


def _warnings(args) -> list[str]:
    """What is not wrong but the user should know: unencrypted device keys (and what protects them)."""
    from .paths import keys_dir, resolve_data_dir
    from .sync import keystore

    warning = keystore.protection_warning(keys_dir(resolve_data_dir(args.data_dir)))
    return [warning] if warning else []


def cmd_check(args) -> int:
    if args.json:
        code, report = _check_report(args)
        _print_json(report)
        return code
    store.open_data_dir(args.data_dir, create=False)
    problems = audit.check_all()
    for warning in _warnings(args):
        print(warning, file=sys.stderr)
    if problems:
        for problem in problems:
            print(problem)
        print(f"发现 {len(problems)} 个问题。", file=sys.stderr)
        return 1
    print("检查通过：数据库完整，外键一致，变更记录链完好，签名有效。")
    return 0


# --- parser ------------------------------------------------------------------------------------------


def build_parser(extra: Sequence[Callable[[argparse._SubParsersAction], None]] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python main.py",
        description="督导纪实 — 督导组现场督导、评估、整改跟踪与纪实评价。不带命令时打开窗口。",
    )
    parser.add_argument("--data-dir", metavar="DIR", help="数据文件夹（默认：环境变量 SUPERVISOR_DATA_DIR 或用户数据目录）")
    parser.add_argument("--version", action="version", version=VERSION_TEXT, help="显示程序版本并退出")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="创建数据文件夹和数据库（重复运行不作改动）")
    p.add_argument("--role", choices=installation.ROLES, default="field", help="field=督导组（默认），office=活动办")
    p.add_argument("--group", help="督导组名称")
    p.add_argument("--member", help="当前成员姓名（新督导组的第一名成员为组长）")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="填入虚构的演示数据")
    p.add_argument("--seed", type=int, default=1, help="随机种子：相同种子生成相同数据")
    p.add_argument("--size", choices=("small", "large"), default="small", help="large 约 10 万条督导记录")
    p.add_argument("--anchor", metavar="YYYY-MM-DD",
                   help="演示数据截至这一天（默认：2014 年活动，截至 2014 年 9 月 30 日）")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("list", help="列出记录")
    p.add_argument("kind", choices=LIST_KINDS)
    p.add_argument("--json", action="store_true", help="以 JSON 数组输出")
    p.add_argument("--search", metavar="TEXT", help="（visits）全文检索：督导情况、接触人员、发现问题")
    p.add_argument("--unit", metavar="ID", help="（visits、meetings）单位编号")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="（visits）起始日期 YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="（visits）截止日期 YYYY-MM-DD")
    p.add_argument("--method", metavar="NAME", help="（visits）督导方式")
    p.add_argument("--limit", type=int, default=None, help="（visits）最多列出多少条")
    p.add_argument("--open", action="store_true", help="（findings/rectifications）只列未销号的")
    p.add_argument("--overdue", action="store_true", help="（rectifications）只列逾期的")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("check", help="检查数据库完整性、外键、变更记录链和签名")
    p.add_argument("--json", action="store_true",
                   help="以 JSON 输出（ok、state、schema_version、problems、newest_good_backup）；退出码同上")
    p.set_defaults(func=cmd_check)

    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(sub)
    for register in extra:
        register(sub)
    return parser


# Capabilities with their own sub-commands; each module offers register(subparsers).
COMMAND_MODULES: tuple[str, ...] = (
    # one line per capability, e.g. "supervisor_app.reports.cli",
    "supervisor_app.evaluation_cli",
    "supervisor_app.plan_cli",
    "supervisor_app.calibration_cli",
    "supervisor_app.checklist_cli",
    "supervisor_app.meetings_cli",
    "supervisor_app.rectification_plans_cli",
    "supervisor_app.backup_cli",
    "supervisor_app.reports.cli",
    "supervisor_app.sync.cli",
    "supervisor_app.export_xlsx_cli",
)


def use_utf8_output() -> None:
    """Write UTF-8 to stdout and stderr whatever the console or the redirection.

    Redirected output on a Chinese Windows would otherwise be cp936, and a bare Linux locale
    ASCII (where Chinese text is an error). An interactive Windows console is written through
    its wide-character API either way, so nothing changes there.
    """
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8", errors="replace")
            except (OSError, ValueError):
                pass


def _window_only(argv: list[str]):
    """The data folder when ``argv`` asks for nothing but the window, else False."""
    if not argv:
        return None
    if len(argv) == 2 and argv[0] == "--data-dir" and not argv[1].startswith("-"):
        return argv[1]
    if len(argv) == 1 and argv[0].startswith("--data-dir="):
        return argv[0].split("=", 1)[1]
    return False


def main(
    argv: Sequence[str] | None = None,
    *,
    gui: Callable[[argparse.Namespace], int] | None = None,
    extra: Sequence[Callable[[argparse._SubParsersAction], None]] = (),
) -> int:
    """Run one command. ``gui`` opens the window when no command is given; ``extra`` adds
    commands that live outside this Qt-free package (main.py passes the window's)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    use_utf8_output()
    if gui is not None:
        data_dir = _window_only(argv)
        if data_dir is not False:
            # Opening the window needs no sub-command parsers (whose modules take time to import).
            return gui(argparse.Namespace(command=None, data_dir=data_dir))
    parser = build_parser(extra)
    args = parser.parse_args(argv)
    if args.command is None:
        if gui is None:
            parser.print_help()
            return 0
        return gui(args)
    try:
        return args.func(args)
    except SupervisorError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `list units | head`: the reader has what it wanted
        # Python would complain again when it flushes stdout at exit: point it at nothing
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        print(f"错误：文件操作失败：{exc.strerror or exc}（{getattr(exc, 'filename', '') or ''}）", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: one line for the user, the traceback only on request
        if os.environ.get("SUPERVISOR_DEBUG"):
            traceback.print_exc()
        print(f"内部错误：{type(exc).__name__}: {exc}（设置环境变量 SUPERVISOR_DEBUG=1 可查看详情）", file=sys.stderr)
        return 3
    finally:
        store.close()
