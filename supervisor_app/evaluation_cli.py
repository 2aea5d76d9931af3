"""`evaluation …` commands: list, suggest facts, create the leader's key, sign, amend."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

from . import campaigns, display, evaluation_facts, evaluations, signatures, signing, store
from .errors import ValidationError


def _open(args):
    return store.open_data_dir(args.data_dir, create=False)


def _passphrase(args, prompt: str = "组长口令：", confirm: bool = False) -> str:
    if args.passphrase_file:
        try:
            return Path(args.passphrase_file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ValidationError(f"无法读取口令文件：{exc.strerror or exc}", field="--passphrase-file") from exc
    if not sys.stdin.isatty():
        raise ValidationError("没有终端可以输入口令，请使用 --passphrase-file。", field="--passphrase-file")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("再输入一次：") != first:
        raise ValidationError("两次输入的口令不一致。", field="passphrase")
    return first


def _signer():
    member = campaigns.current_member()
    if member is None:
        raise ValidationError("本机还没有设置当前成员（init --group … --member …）。", field="member")
    return member


def cmd_list(args) -> int:
    _open(args)
    rows = []
    for e in evaluations.list_evaluations():
        view = evaluations.current_view(e)  # the amended values are the current ones
        rows.append({
            "id": e.id, "subject": evaluations.subject_name(e), "subject_kind": e.subject_kind,
            "unit": display.related_name(e, "unit"),
            "period_start": e.period_start, "period_end": e.period_end, "status": evaluations.status(e),
            "overall_rating": view.overall_rating or None, "signed_at": e.signed_at,
            "signature_fingerprint": signatures.fingerprint_text(e.signature) if e.signature else None,
            "amended": [view.label(key) for key in view.corrections],
        })
    if args.json:
        print(json.dumps(display.json_safe(rows), ensure_ascii=False, indent=2, allow_nan=False))
    else:
        for row in rows:
            label = evaluations.STATUS_LABELS.get(row["status"], row["status"])
            overall = row["overall_rating"] or "未评"
            if row["amended"]:
                overall += f"（{evaluations.AMENDED_MARK}：{'、'.join(row['amended'])}）"
            print(f"{row['id']}  {label}  {row['subject']}  {row['period_start']}～{row['period_end']}  {overall}")
        print(f"共 {len(rows)} 条")
    return 0


def cmd_suggest(args) -> int:
    _open(args)
    record = evaluations.get_evaluation(args.id)
    proposals = evaluation_facts.propose(record)
    if args.accept:
        for p in proposals:
            evaluations.add_fact(record, p.on_date, p.text, source_kind=p.source_kind, source_id=p.source_id,
                                 state="proposed")
    if args.json:
        json.dump([p.__dict__ for p in proposals], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for p in proposals:
            print(f"{p.on_date}  [{p.source_kind}:{p.source_id}]  {p.text}")
        print(f"共 {len(proposals)} 条建议" + ("，已作为待确认纪实加入。" if args.accept else "。"))
    return 0


def cmd_key(args) -> int:
    data_dir = _open(args)
    member = _signer()
    passphrase = _passphrase(args, "设置组长签名口令：", confirm=True)
    public = signing.create_leader_key(data_dir, member, passphrase)
    print(f"已为组长{member.name}创建签名密钥。公钥指纹：{signatures.key_fingerprint(public)}")
    if signatures.office_binding(member.id) != public:
        print("请用 evaluation key-card --out 文件 写出组长公钥卡，交活动办登记（evaluation bind-key），"
              "并当面或电话核对上面的指纹；登记之前签署的纪实评价活动办不予采信。")
    return 0


def cmd_key_card(args) -> int:
    data_dir = _open(args)
    member = _signer()
    key = signing.unlock(data_dir, member, _passphrase(args))
    fingerprint = signatures.write_key_card(member, key, args.out)
    print(f"已写出组长{member.name}的公钥卡：{args.out}。指纹：{fingerprint}")
    return 0


def cmd_bind_key(args) -> int:
    _open(args)
    member = signatures.bind_key_card(args.card, args.fingerprint)
    print(f"已登记组长{member.name}的签名公钥，指纹：{signatures.key_fingerprint(member.sign_public_key)}。"
          "下次同步时发往该组的设备。")
    return 0


def cmd_sign(args) -> int:
    data_dir = _open(args)
    member = _signer()
    record = evaluations.get_evaluation(args.id)
    if not member.is_leader:
        raise ValidationError(f"{member.name}不是组长，只有本督导组组长可以签署纪实评价。", field="member")
    key = signing.unlock(data_dir, member, _passphrase(args))
    signed = evaluations.sign(record, member, key)
    print(f"已签署：{evaluations.subject_name(signed)}，签名指纹 {signatures.fingerprint_text(signed.signature)}")
    return 0


def cmd_amend(args) -> int:
    changes = {}
    if args.overall:
        changes["overall_rating"] = args.overall
    if args.narrative:
        changes["narrative"] = args.narrative
    for item in args.item or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValidationError(f"--item 应写成 项目编号=评价，例如 L2=较好（收到：{item}）。", field="--item")
        changes[key.strip()] = value.strip()
    data_dir = _open(args)
    member = _signer()
    key = signing.unlock(data_dir, member, _passphrase(args))
    amendment = evaluations.amend(args.id, member, args.reason, changes, key)
    view = evaluations.current_view(args.id)
    now = "，".join(f"{view.label(k)}现为“{display.short(view.value(k), 40)}”" for k in changes if k != "fact")
    print(f"已记录更正：{amendment.id}" + (f"。{now}" if now else ""))
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("evaluation", help="纪实评价：列出、建议纪实、签署、更正")
    sub = p.add_subparsers(dest="evaluation_command", metavar="ACTION", required=True)
    q = sub.add_parser("list", help="列出纪实评价（状态：draft 草稿 / signed 已签署 / amended 已更正）")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_list)
    q = sub.add_parser("suggest", help="根据督导记录、问题和整改建议纪实")
    q.add_argument("--id", required=True)
    q.add_argument("--accept", action="store_true", help="把建议作为待确认纪实加入该评价")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_suggest)
    q = sub.add_parser("key", help="组长创建个人签名密钥（口令保护）")
    q.add_argument("--passphrase-file", metavar="FILE", help="从文件读取口令（默认在终端输入）")
    q.set_defaults(func=cmd_key)
    q = sub.add_parser("key-card", help="组长写出公钥卡，交活动办登记")
    q.add_argument("--out", required=True, metavar="FILE")
    q.add_argument("--passphrase-file", metavar="FILE", help="从文件读取口令（默认在终端输入）")
    q.set_defaults(func=cmd_key_card)
    q = sub.add_parser("bind-key", help="活动办登记组长的签名公钥（核对指纹）")
    q.add_argument("card", metavar="CARD")
    q.add_argument("--fingerprint", help="组长读出的指纹，不符即拒绝")
    q.set_defaults(func=cmd_bind_key)
    q = sub.add_parser("sign", help="组长签署纪实评价（签署后冻结）")
    q.add_argument("--id", required=True)
    q.add_argument("--passphrase-file", metavar="FILE", help="从文件读取口令（默认在终端输入）")
    q.set_defaults(func=cmd_sign)
    q = sub.add_parser("amend", help="对已签署的纪实评价提交更正（原记录保留）")
    q.add_argument("--id", required=True)
    q.add_argument("--reason", required=True, help="更正原因")
    q.add_argument("--overall", help="更正后的总体评价")
    q.add_argument("--narrative", help="更正后的评价意见")
    q.add_argument("--item", action="append", metavar="ID=RATING", help="更正某评价项目，如 L2=较好（可重复）")
    q.add_argument("--passphrase-file", metavar="FILE", help="组长口令（更正由组长签名）；默认在终端输入")
    q.set_defaults(func=cmd_amend)
