"""Commands `backup [list] [--to FILE]` and `restore FILE`."""

from __future__ import annotations

import argparse
import json
import sys

from . import backup
from .errors import NotFoundError, ValidationError
from .paths import resolve_data_dir


def _info_dict(info: backup.BackupInfo) -> dict:
    return {
        "file": str(info.path),
        "created_at": info.created_at.isoformat(),
        "time": info.time_text,
        "reason": info.reason,
        "reason_label": info.reason_label,
        "size": info.size,
        "schema_version": info.schema_version,
        "counts": info.counts,
    }


def cmd_backup(args) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    if args.action == "list":
        if args.to:
            raise ValidationError("backup list 不接受 --to。", field="--to")
        infos = backup.list_backups(data_dir)
        if args.json:
            json.dump([_info_dict(i) for i in infos], sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
            return 0
        for info in infos:
            print(f"{info.time_text}  {info.reason_label}  {info.summary()}  {info.path.name}")
        print(f"共 {len(infos)} 份备份（{backup.backups_dir(data_dir)}）")
        return 0
    info = backup.create_backup(data_dir, to=args.to)
    if args.json:
        json.dump(_info_dict(info), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"已备份到：{info.path}")
    print(f"内容：{info.summary()}")
    if args.to:
        print("注意：附件按内容存放在数据文件夹的 attachments 中，备份只记录它们的哈希，不含附件本身。")
    return 0


def cmd_restore(args) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    if args.latest:
        if args.file:
            raise ValidationError("请只给出备份文件或 --latest 之一。", field="--latest")
        info = backup.newest_good_backup(data_dir)
        if info is None:
            raise NotFoundError("备份文件夹中没有完好的备份。", field="--latest")
        file = info.path
    elif args.file:
        file = args.file
    else:
        raise ValidationError("请给出要恢复的备份文件（或 --latest）。", field="FILE")
    result = backup.restore(file, data_dir)
    source = result.restored_from
    print(f"已从备份恢复：{source.path.name}（{source.time_text}，{source.summary()}）")
    if result.safety_copy is not None:
        print(f"恢复前的数据已保存为：{result.safety_copy}")
    if result.missing_attachments:
        print(f"注意：备份引用的 {len(result.missing_attachments)} 个附件不在本机的附件文件夹中。", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("backup", help="备份数据库（backup list 列出备份）")
    p.add_argument("action", nargs="?", choices=("list",), help="list：列出备份文件夹中的备份")
    p.add_argument("--to", metavar="FILE", help="备份到指定文件（默认：数据文件夹的 backups 中，自动轮换）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_backup)

    p = subparsers.add_parser("restore", help="从备份恢复数据库（先检查备份，并先备份当前数据）")
    p.add_argument("file", nargs="?", metavar="FILE", help="备份文件（路径，或 backups 中的文件名）")
    p.add_argument("--latest", action="store_true", help="用最近一份完好的备份恢复")
    p.set_defaults(func=cmd_restore)
