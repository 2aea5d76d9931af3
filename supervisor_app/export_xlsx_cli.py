"""`export-xlsx [--what …] [--from DATE] [--to DATE] --out F.xlsx`: the lists and the summary's
tables as one Excel workbook (see export_xlsx.py)."""

from __future__ import annotations

import sys

from . import export_xlsx, store
from . import validate as check
from .errors import ValidationError

LONG_EXPORT_ROWS = 10_000  # rows from which the CLI shows its progress


def cmd_export_xlsx(args) -> int:
    chosen = export_xlsx.check_what(args.what)  # refused before the database is even opened
    start = check.iso_date(args.date_from, "--from", "起始日期", required=False)
    end = check.iso_date(args.date_to, "--to", "截止日期", required=False)
    if start and end and end < start:
        raise ValidationError("截止日期不能早于起始日期。", field="--to")
    store.open_data_dir(args.data_dir, create=False)
    shown = []

    def progress(done: int, total: int) -> None:
        if total >= LONG_EXPORT_ROWS:
            shown.append(done)
            print(f"\r导出 Excel {done}/{total} 行", end="", file=sys.stderr, flush=True)

    path = export_xlsx.export(args.out, chosen, date_from=start, date_to=end, progress=progress)
    if shown:
        print(file=sys.stderr)
    labels = "、".join(export_xlsx.SOURCES[name].label for name in chosen)
    print(f"已导出 Excel（{labels}）：{path}")
    return 0


def register(subparsers) -> None:
    """Add the `export-xlsx` command."""
    offered = "，".join(f"{name}={export_xlsx.SOURCES[name].label}" for name in export_xlsx.names())
    p = subparsers.add_parser("export-xlsx", help="把各列表和督导工作汇总各表导出为 Excel 工作簿（.xlsx）",
                              description=f"可导出的内容：{offered}。不指定 --what 时全部导出，每个表一个工作表。")
    p.add_argument("--what", metavar="NAMES", help="要导出的内容，多个用逗号分隔（默认全部）")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="（visits、summary）起始日期 YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="（visits、summary）截止日期 YYYY-MM-DD")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件")
    p.set_defaults(func=cmd_export_xlsx)
