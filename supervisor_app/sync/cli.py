"""Sync commands: export-bundle, import-bundle, device …, enroll, conflicts …, bundles."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .. import store
from ..errors import SupervisorError


def _open(args) -> None:
    store.open_data_dir(args.data_dir, create=False)


def _progress(label: str):
    if not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        print(f"\r{label} {100 * done // max(total, 1)}%", end="", file=sys.stderr, flush=True)

    return report


def _json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def cmd_export(args) -> int:
    from . import service

    _open(args)
    results = service.export_to_folder(args.to, receivers=args.receivers, all_entries=args.all,
                                       progress=_progress("生成同步包"))
    if sys.stderr.isatty():
        print(file=sys.stderr)
    for result in results:
        print(result.path)
        print(result.summary, file=sys.stderr)
    return 0


def cmd_import(args) -> int:
    from . import service

    _open(args)
    explicit = [Path(p) for p in args.files]
    results = service.import_paths(explicit, progress=_progress("导入同步包"))
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if not results:
        print("没有找到同步包（.sgb）。", file=sys.stderr)
        return 2
    code = 0
    imported = skipped = refused = 0
    for result in results:
        if result.ok:
            print(f"{result.path.name}：{result.message}")
            imported += 1
        elif result.status == "duplicate" and result.path not in explicit:
            print(f"{result.path.name}：跳过（已导入过）。")
            skipped += 1
        else:
            # one line per file, whatever the reason quotes
            print(f"{result.path.name}：拒绝：{' '.join(result.message.splitlines())}", file=sys.stderr)
            refused += 1
            code = 2
    if len(results) > 1:
        summary = f"共 {len(results)} 个同步包：导入 {imported} 个"
        summary += f"，跳过 {skipped} 个（已导入过）" if skipped else ""
        summary += f"，拒绝 {refused} 个" if refused else ""
        print(summary + "。", file=sys.stderr if code else sys.stdout)
    return code


def cmd_card(args) -> int:
    from . import service

    _open(args)
    card = service.write_card(args.out)
    print(f"已写出本机设备卡：{args.out}")
    print(f"设备：{card.device_id}  角色：{card.role_label}  {card.group_name}")
    print(f"指纹：{card.fingerprint}")
    print("请把设备卡交给对方，并通过电话或书面核对指纹。")
    return 0


def cmd_enroll(args) -> int:
    from . import service

    _open(args)
    card = service.read_card(args.card)
    info = service.enroll(args.card, args.fingerprint, getattr(args, "group", None),
                          adopt=getattr(args, "adopt_group", False))
    print(f"已登记：{info.label}，角色：{card.role_label}")
    if info.role == "field":
        print(f"督导组：{info.group_name}" if info.group_id else
              f"尚未分配督导组：请运行 device assign {info.short_id} --group 督导组名称，之后才接收它的记录。")
    print(f"指纹：{card.fingerprint}")
    if args.fingerprint is None:
        print("请与对方核对以上指纹；不一致时请立即注销（device revoke）。")
    return 0


def cmd_list(args) -> int:
    from . import service

    _open(args)
    devices = service.list_devices()
    if args.json:
        _json([d.__dict__ for d in devices])
        return 0
    for d in devices:
        print(f"{d.id}  {d.status}  {'活动办' if d.role == 'office' else '督导组'}  {d.group_name or d.name}  指纹 {d.fingerprint}")
    print(f"共 {len(devices)} 台设备")
    return 0


def cmd_assign(args) -> int:
    from . import service

    _open(args)
    info = service.assign_device(args.id, args.group)
    print(f"已将设备 {info.short_id} 分配给{info.group_name}：此后只接收它发来的本组记录。")
    return 0


def cmd_entries(args) -> int:
    from . import service

    _open(args)
    rows = service.applied_entries(args.id, args.limit)
    if args.json:
        _json([{"seq": r.seq, "record_type": r.record_type, "record_id": r.record_id, "op": r.op,
                "member_id": r.member_id, "at": r.at, "fields": sorted(r.fields)} for r in rows])
        return 0
    for r in rows:
        print(f"{r.seq:>8}  {r.at[:19]}  {r.op:<6}  {r.record_type:<13} {r.record_id}  {'、'.join(sorted(r.fields))}")
    print(f"共 {len(rows)} 条")
    return 0


def cmd_revoke(args) -> int:
    from . import service

    _open(args)
    info = service.revoke_device(args.id)
    print(f"已注销：{info.label}。此后它的同步包将被拒绝。")
    return 0


def cmd_conflicts_list(args) -> int:
    from . import service

    _open(args)
    items = service.list_conflicts(include_resolved=args.all)
    if args.json:
        _json([{**c.__dict__, "versions": [v.__dict__ for v in c.versions]} for c in items])
        return 0
    for c in items:
        print(f"[{c.short_id}] {c.type_label}“{c.record_label}”（{c.record_id}）：{c.reason_label}"
              f"{'' if c.status == 'open' else '（已处理）'}")
        for n, v in enumerate(c.versions):
            shown = "；".join(f"{c.field_labels[f]}={json.dumps(v.values[f], ensure_ascii=False)}" for f in c.fields
                             if f in v.values)
            print(f"    {n}. {v.key}  {v.label}  {v.at or ''}  {shown}")
    print(f"共 {len(items)} 处{'冲突' if args.all else '待处理的冲突'}")
    return 0


def cmd_conflicts_resolve(args) -> int:
    from . import service

    _open(args)
    take = None
    if args.take:
        take = {}
        for item in args.take:
            name, sep, key = item.partition("=")
            if not sep:
                raise SupervisorError(f"--take 的格式是 字段=版本，而不是 {item}。", field="--take")
            take[name.strip()] = key.strip()
    view = service.resolve_conflict(args.id, keep=args.keep, take=take)
    print(f"已处理冲突 {view.short_id}：{view.type_label}“{view.record_label}”。处理结果已记入变更记录。")
    return 0


def cmd_bundles(args) -> int:
    from . import service

    _open(args)
    rows = service.bundle_history(limit=args.limit)
    gaps = service.held_gaps()
    if args.json:
        _json({"history": [r.__dict__ for r in rows], "held": [g.__dict__ for g in gaps]})
        return 0
    for r in rows:
        print(f"{r.processed_at}  {r.direction_label}  {r.peer_label}  第{r.bundle_no}号  {r.status_label}  {r.message}")
    for g in gaps:
        print(g.text)
    print(f"共 {len(rows)} 个同步包")
    return 0


def register(subparsers) -> None:
    """Add the sync commands to the main parser."""
    p = subparsers.add_parser("export-bundle", help="生成同步包（.sgb）并打印其路径")
    p.add_argument("--to", required=True, metavar="DIR", help="写入的文件夹（如 U 盘）")
    p.add_argument("--all", action="store_true", help="全部重发（不管对方已确认到哪里）")
    p.add_argument("--for", dest="receivers", action="append", metavar="DEVICE",
                   help="（活动办）只为这台督导组设备生成，可重复")
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser("import-bundle", help="导入同步包（文件或文件夹）")
    p.add_argument("files", nargs="+", metavar="FILE", help=".sgb 文件或包含它们的文件夹")
    p.set_defaults(func=cmd_import)

    device = subparsers.add_parser("device", help="设备：设备卡、登记、列表、注销")
    dsub = device.add_subparsers(dest="device_command", metavar="ACTION", required=True)
    p = dsub.add_parser("card", help="写出本机的设备卡（公钥与指纹）")
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(func=cmd_card)
    for parent in (dsub, subparsers):
        p = parent.add_parser("enroll", help="登记对方的设备卡（活动办登记督导组；督导组登记活动办）")
        p.add_argument("card", metavar="CARD")
        p.add_argument("--fingerprint", metavar="FP", help="对方读出的指纹；给出时必须一致")
        p.add_argument("--group", metavar="NAME", help="活动办：该设备所属的督导组（名称或编号）")
        p.add_argument("--adopt-group", action="store_true",
                       help="活动办：按设备卡建立该设备自己的督导组及其成员（同一编号），并把设备分配给它")
        p.set_defaults(func=cmd_enroll)
    p = dsub.add_parser("assign", help="活动办：把已登记的督导组设备分配给一个督导组")
    p.add_argument("id", metavar="ID", help="设备编号（或其前几位）")
    p.add_argument("--group", required=True, metavar="NAME")
    p.set_defaults(func=cmd_assign)
    p = dsub.add_parser("entries", help="列出某台设备写入、已在本机生效的全部变更")
    p.add_argument("id", metavar="ID", help="设备编号（或其前几位）")
    p.add_argument("--limit", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_entries)
    p = dsub.add_parser("list", help="列出本机与已登记的设备")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    p = dsub.add_parser("revoke", help="注销设备：此后拒绝它的同步包")
    p.add_argument("id", metavar="ID", help="设备编号（或其前几位）")
    p.set_defaults(func=cmd_revoke)

    conflicts = subparsers.add_parser("conflicts", help="同步冲突：列出与处理")
    csub = conflicts.add_subparsers(dest="conflicts_command", metavar="ACTION", required=True)
    p = csub.add_parser("list", help="列出待处理的冲突")
    p.add_argument("--all", action="store_true", help="也列出已处理的")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_conflicts_list)
    p = csub.add_parser("resolve", help="处理冲突：保留一个版本，或逐个字段选择")
    p.add_argument("id", metavar="ID")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--keep", metavar="VERSION", help="整体保留的版本：序号（0=当前）或版本键")
    group.add_argument("--take", action="append", metavar="FIELD=VERSION", help="逐个字段选择，可重复")
    p.set_defaults(func=cmd_conflicts_resolve)

    p = subparsers.add_parser("bundles", help="同步包记录（导入、导出及状态）与暂存情况")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bundles)
