"""`calibration [--json] [--from DATE] [--to DATE]`: each group's and member's leniency
against the evidence (calibration.py, docs/calibration.md)."""

from __future__ import annotations

import json

from . import calibration, store


def _number(x: float | None) -> str:
    return "—" if x is None else f"{x:+.2f}"


def cmd_calibration(args) -> int:
    store.open_data_dir(args.data_dir, create=False)
    result = calibration.calibrate(args.date_from, args.date_to)
    if args.json:
        rows = [g.as_dict() for g in result.groups]
        if args.members:
            rows = {"groups": rows, "members": [{**m.as_dict(), "member": m.name, "group": m.group}
                                                for m in result.members]}
        print(json.dumps(rows, ensure_ascii=False, indent=2, allow_nan=False))
        return 0
    print(f"督导组从宽程度（对数几率，0 为各组平均；区间为 {calibration.LEVEL:.0%} 同时置信区间）")
    print(f"{'督导组':<12}{'评估次数':>6}{'单位数':>6}{'从宽程度':>10}{'区间':>18}  结论")
    for g in result.groups:
        for est, indent in ((g, ""), *((m, "  ") for m in result.member_rows(g.name))):
            interval = f"{_number(est.low)} ~ {_number(est.high)}" if est.low is not None else "—"
            print(f"{indent}{est.name:<{12 - len(indent)}}{est.visits:>8}{est.units:>8}{_number(est.leniency):>12}"
                  f"{interval:>18}  {calibration.verdict(est)}")
    print(f"只有评估不少于{calibration.MIN_VISITS}次、涉及不少于{calibration.MIN_UNITS}个单位，"
          f"且区间下限高于 {calibration.MARGIN} 时才标为“明显偏宽”。")
    return 0


def register(subparsers) -> None:
    """Add the `calibration` command."""
    p = subparsers.add_parser("calibration", help="各督导组（及成员）评定从宽程度的校准",
                              description="按单位类别、规模和督导组无法左右的证据（知识问答、民意调查、整改逾期、"
                                          "发现问题、其他督导组的发现）估计各督导组评定“未发现”的从宽程度。")
    p.add_argument("--json", action="store_true", help="以 JSON 数组输出各督导组")
    p.add_argument("--members", action="store_true", help="（与 --json 同用）同时输出各成员")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="起始日期 YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="截止日期 YYYY-MM-DD")
    p.set_defaults(func=cmd_calibration)
