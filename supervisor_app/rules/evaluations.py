"""Rules of evaluation records (纪实评价), their facts (纪实) and amendments.

A record rests on dated facts inside its period: a fact moved out of the period, or a period
shrunk so that a fact falls outside it, is refused — from whichever side is edited.
"""

from __future__ import annotations

import re

from . import fields as f
from .campaigns import item_names, template_of
from .fields import changed, fail
from .lookup import Lookup

SUBJECT_KINDS = ("leader", "team")
FACT_STATES = ("proposed", "accepted", "rejected")
FACT_SOURCES = ("visit", "finding", "rectification", "manual", "meeting")
HASH_SHAPE = re.compile(r"[0-9a-f]{64}\Z")
FIXED_KEYS = ("overall_rating", "narrative", "fact")  # what an amendment may correct besides items

LABELS = {
    "evaluation": {"subject_kind": "评价对象类别", "leader": "领导干部", "team": "领导班子", "unit": "单位",
                   "group": "督导组", "period_start": "评价期间起", "period_end": "评价期间止",
                   "item_ratings": "评价项目", "overall_rating": "总体评价", "narrative": "评价意见",
                   "template_id": "模板编号", "template_version": "模板版本", "signed_by": "签署人",
                   "signed_at": "签署时间", "content_hash": "内容校验码", "signature": "签名"},
    "fact": {"evaluation": "纪实评价", "on_date": "纪实日期", "text": "纪实内容", "source_kind": "来源",
             "source_id": "来源记录", "state": "状态"},
    "amendment": {"evaluation": "纪实评价", "member": "更正人", "reason": "更正原因", "changes": "更正内容"},
}


def evaluation(state: dict, old: dict | None, lookup: Lookup) -> None:
    kind = f.choice(state, "subject_kind", "评价对象类别", SUBJECT_KINDS)
    leader_id = f.ident(state, "leader", "领导干部", required=kind == "leader")
    team_id = f.ident(state, "team", "领导班子", required=kind == "team")
    unit_id = f.ident(state, "unit", "单位")
    f.ident(state, "group", "督导组", required=False)
    if kind == "leader" and team_id is not None:
        raise fail("评价对象是领导干部时不能同时指定领导班子。", "team")
    if kind == "team" and leader_id is not None:
        raise fail("评价对象是领导班子时不能同时指定领导干部。", "leader")
    start = f.day(state, "period_start", "评价期间起")
    end = f.day(state, "period_end", "评价期间止")
    if end < start:
        raise fail("评价期间的截止日期不能早于起始日期。", "period_end")
    tpl = template_of(state, lookup)
    scale = tpl.scale("evaluation")
    ratings = state.get("item_ratings")
    if type(ratings) is not dict:
        raise fail("评价项目格式不对。", "item_ratings")
    items = item_names(tpl, f"evaluation:{kind}")
    for item_id, entry in ratings.items():
        field = f"item:{item_id}"
        if item_id not in items:
            raise fail(f"评价项目“{f.shown(item_id)}”不在模板中。", field)
        if type(entry) is not dict:
            raise fail(f"“{items[item_id]}”的评价格式不对。", field)
        rating = entry.get("rating")
        if type(rating) is not str or rating not in scale:
            listed = "、".join(scale)
            raise fail(f"“{items[item_id]}”的评价必须是以下之一：{listed}（收到：{f.shown(rating)}）。", field)
        comment = entry.get("comment", "")
        if type(comment) is not str or len(comment) > f.MAX_TEXT or not f.encodable(comment):
            raise fail(f"“{items[item_id]}”的评语应为不超过 {f.MAX_TEXT} 字的文字。", field)
        if not entry.keys() <= {"rating", "comment"}:
            raise fail(f"“{items[item_id]}”的评价含有评价和评语以外的内容。", field)
    f.choice(state, "overall_rating", "总体评价", scale, required=False)
    f.text(state, "narrative", "评价意见", required=False)
    _signature(state)
    if changed(state, old, "subject_kind", "leader", "team", "unit"):
        subject = lookup.get("leader", leader_id) if kind == "leader" else lookup.get("team", team_id)
        if subject is not None and subject.get("unit") != unit_id:
            raise fail("纪实评价的单位必须是评价对象所在的单位。", "unit")
    if old is not None and (old.get("period_start") != start or old.get("period_end") != end):
        for fact_state in lookup.children("fact", "evaluation", state["id"]):
            on = fact_state.get("on_date")
            if type(on) is str and not start <= on <= end:
                snippet = f.shown(fact_state.get("text"))
                raise fail(f"评价期间应包含全部纪实：{on} 的纪实“{snippet}”在期间之外。",
                           "period_start" if on < start else "period_end")


def _signature(state: dict) -> None:
    """A signature comes whole: signer, time, content hash and signature, and an overall rating."""
    signed_by = f.ident(state, "signed_by", "签署人", required=False)
    signed_at = f.timestamp(state, "signed_at", "签署时间", required=False)
    content_hash = f.optional_text(state, "content_hash", "内容校验码", max_length=64)
    signature = f.optional_text(state, "signature", "签名", max_length=1_000)
    parts = (signed_by, signed_at, content_hash, signature)
    if any(p is not None for p in parts) and not all(parts):
        raise fail("签署信息不完整（签署人、签署时间、内容校验码和签名须同时具备）。", "signed_at")
    if content_hash is not None and not HASH_SHAPE.match(content_hash):
        raise fail("内容校验码格式不对。", "content_hash")
    if signed_at is not None and not state.get("overall_rating"):
        raise fail("请先给出总体评价。", "overall_rating")


def fact(state: dict, old: dict | None, lookup: Lookup) -> None:
    evaluation_id = f.ident(state, "evaluation", "纪实评价")
    on = f.day(state, "on_date", "纪实日期")
    f.text(state, "text", "纪实内容")
    f.choice(state, "source_kind", "来源", FACT_SOURCES)
    f.optional_text(state, "source_id", "来源记录", max_length=100)
    f.choice(state, "state", "状态", FACT_STATES)
    if changed(state, old, "on_date", "evaluation"):
        record = lookup.get("evaluation", evaluation_id)
        start, end = (record.get("period_start"), record.get("period_end")) if record else (None, None)
        if type(start) is str and type(end) is str and not start <= on <= end:
            raise fail(f"纪实日期应在评价期间内（{start} 至 {end}）。", "on_date")


def amendment(state: dict, old: dict | None, lookup: Lookup) -> None:
    evaluation_id = f.ident(state, "evaluation", "纪实评价")
    f.ident(state, "member", "更正人")  # an amendment is the leader's, signed (signatures.amendment_problem)
    f.text(state, "reason", "更正原因")
    changes = state.get("changes")
    if type(changes) is not dict or not changes:
        raise fail("请写明更正的内容。", "changes")
    for key, value in changes.items():
        if len(key) > 100 or not f.encodable(key):
            raise fail(f"不能更正“{f.shown(key)}”。", "changes")
        if type(value) is not str or not value.strip():
            raise fail("请填写更正内容。", "changes")
        if len(value) > f.MAX_TEXT or not f.encodable(value):
            raise fail(f"更正内容过长或含有无法保存的字符（最多 {f.MAX_TEXT} 字）。", "changes")
    record = lookup.get("evaluation", evaluation_id)
    if record is None or not changed(state, old, "changes", "evaluation"):
        return
    tpl = lookup.template(record.get("template_id"), record.get("template_version"))
    if tpl is None:
        return
    kind = record.get("subject_kind")
    item_ids = item_names(tpl, f"evaluation:{kind}") if kind in SUBJECT_KINDS else {}
    for key, value in changes.items():
        if key not in item_ids and key not in FIXED_KEYS:
            raise fail(f"不能更正“{f.shown(key)}”。可更正：总体评价、评价意见、评价项目、纪实。", "changes")
        if (key == "overall_rating" or key in item_ids) and value not in tpl.scale("evaluation"):
            shown = "、".join(tpl.scale("evaluation"))
            raise fail(f"更正后的评价必须是以下之一：{shown}（收到：{f.shown(value)}）。", "changes")
