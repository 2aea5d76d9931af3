"""`report …`: write an official PDF record from the command line.

    python main.py report visit|unit|ledger|summary|evaluation|progress [--id ID | --unit ID] [--from DATE] [--to DATE]
                          (--out FILE.pdf | --out-dir DIR)
"""

from __future__ import annotations

import sys

from .. import store
from ..errors import ValidationError
from . import BATCH_KINDS, KIND_LABELS, KINDS, render, render_batch


def cmd_report(args) -> int:
    store.open_data_dir(args.data_dir, create=False)
    label = KIND_LABELS[args.kind]
    if args.kind == "weekly":
        _weekly_arguments(args)
    elif args.group or args.week:
        raise ValidationError("--group 和 --week 只用于督导工作周报（report weekly）。",
                              field="--group" if args.group else "--week")
    if args.out_dir:
        if args.id:
            raise ValidationError("--out-dir 为每个单位（或每条记录）各生成一份，不能与 --id 同时使用。", field="--id")

        def progress(done: int, total: int) -> None:
            print(f"\r生成{label} {done}/{total}", end="", file=sys.stderr, flush=True)

        result = render_batch(args.kind, args.out_dir, date_from=args.date_from, date_to=args.date_to,
                              progress=progress)
        print(file=sys.stderr)
        for notice in result.notices:
            print(f"注意：{notice}", file=sys.stderr)
        print(f"已生成{label} {len(result.paths)} 份：{args.out_dir}")
        return 0
    notices: list[str] = []
    path = render(args.kind, args.out, record_id=args.id, date_from=args.date_from, date_to=args.date_to,
                  notices=notices)
    for notice in notices:
        print(f"注意：{notice}", file=sys.stderr)
    print(f"已生成{label}：{path}")
    return 0


def _weekly_arguments(args) -> None:
    """The 周报 takes a group and a week: passed on as the record id and the period's start."""
    for given, name in ((args.id, "--id"), (args.date_from, "--from"), (args.date_to, "--to"), (args.out_dir, "--out-dir")):
        if given:
            raise ValidationError(f"督导工作周报用 --group 指定督导组、--week 指定一周中的任一天，不用 {name}。", field=name)
    from .weekly import week_of

    week_of(args.week)  # a bad day is refused naming --week, before anything is read
    args.id, args.date_from = args.group, args.week


def register(subparsers) -> None:
    """Add the `report` command."""
    kinds = "，".join(f"{k}={KIND_LABELS[k]}" for k in KINDS)
    p = subparsers.add_parser("report", help="生成正式文书（PDF，GB/T 9704 版式）", description=f"文书类别：{kinds}。")
    p.add_argument("kind", choices=KINDS, help="文书类别")
    p.add_argument("--id", "--unit", dest="id", metavar="ID",
                   help="督导记录、单位或纪实评价的编号（ledger、progress 不指定时为全部单位）")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="起始日期 YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="截止日期 YYYY-MM-DD")
    p.add_argument("--group", metavar="G", help="（weekly）督导组名称或编号，默认本机的督导组")
    p.add_argument("--week", metavar="DATE", help="（weekly）这一周中的任一天 YYYY-MM-DD，默认本周")
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--out", metavar="FILE.pdf", help="输出文件")
    out.add_argument("--out-dir", metavar="DIR",
                     help=f"输出文件夹：每个单位（或每条记录）一份（{'、'.join(BATCH_KINDS)}）")
    p.set_defaults(func=cmd_report)
