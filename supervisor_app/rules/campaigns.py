"""Rules of checklist templates, campaigns, supervision groups and their members."""

from __future__ import annotations

import base64
import binascii

from ..errors import ValidationError
from ..template import Template
from ..template import validate as validate_template
from . import fields as f
from .fields import changed, fail
from .lookup import Lookup

LABELS = {
    "template": {"template_id": "模板编号", "template_version": "模板版本", "name": "模板名称", "content": "模板内容"},
    "campaign": {"name": "活动名称", "start_date": "开始日期", "end_date": "结束日期", "template_id": "模板编号",
                 "template_version": "模板版本"},
    "group": {"name": "督导组名称", "campaign": "活动"},
    "member": {"group": "督导组", "name": "成员姓名", "is_leader": "组长", "phone": "电话",
               "sign_public_key": "签名公钥"},
}


def template(state: dict, old: dict | None, lookup: Lookup) -> None:
    template_id = f.text(state, "template_id", "模板编号", max_length=100)
    version = f.integer(state, "template_version", "模板版本", minimum=1, maximum=1_000_000)
    f.text(state, "name", "模板名称", max_length=200)
    content = state.get("content")
    f.json_value(content, "content", "模板内容")
    try:
        tpl = validate_template(content)
    except ValidationError as exc:
        raise fail(exc.message, "content") from None
    except (TypeError, ValueError, KeyError, AttributeError):
        # template.validate trips over some hostile shapes (a list inside a scale)
        raise fail("模板内容的结构不对。", "content") from None
    if tpl.id != template_id or tpl.version != version:
        raise fail(f"模板内容的编号和版本（{tpl.id} 第 {tpl.version} 版）与记录不符。", "content")
    if old is not None and (old.get("content") != content or old.get("template_id") != template_id
                            or old.get("template_version") != version):
        raise fail(f"模板 {template_id} 第 {version} 版已存在且内容不同；修改模板请提高版本号。", "content")


def template_of(state: dict, lookup: Lookup):
    """The template a record names by template_id and template_version (refused when missing)."""
    template_id = f.text(state, "template_id", "模板编号", max_length=100)
    version = f.integer(state, "template_version", "模板版本", minimum=1, maximum=1_000_000)
    tpl = lookup.template(template_id, version)
    if tpl is None:
        raise fail(f"找不到模板 {template_id} 第 {version} 版。", "template_id")
    return tpl


_NAMES: dict[tuple[int, str], tuple[dict, dict[str, str]]] = {}


def item_names(tpl: Template, group: str) -> dict[str, str]:
    """Item id → name of a template's ``focus_items``, ``tendencies`` or evaluation items
    (``evaluation:leader``, ``evaluation:team``); made once per template."""
    key = (id(tpl.content), group)
    hit = _NAMES.get(key)
    if hit is not None and hit[0] is tpl.content:
        return hit[1]
    if group.startswith("evaluation:"):
        items = tpl.evaluation_items(group.split(":", 1)[1])
    else:
        items = getattr(tpl, group)
    names = {item["id"]: item["name"] for item in items}
    if len(_NAMES) > 512:
        _NAMES.clear()
    _NAMES[key] = (tpl.content, names)
    return names


def campaign(state: dict, old: dict | None, lookup: Lookup) -> None:
    f.text(state, "name", "活动名称")
    start = f.day(state, "start_date", "开始日期")
    end = f.day(state, "end_date", "结束日期", required=False)
    if end is not None and end < start:
        raise fail("结束日期不能早于开始日期。", "end_date")
    if changed(state, old, "template_id", "template_version"):
        template_of(state, lookup)
    else:
        f.text(state, "template_id", "模板编号", max_length=100)
        f.integer(state, "template_version", "模板版本", minimum=1, maximum=1_000_000)


def group(state: dict, old: dict | None, lookup: Lookup) -> None:
    f.text(state, "name", "督导组名称", max_length=100)
    f.ident(state, "campaign", "活动", required=False)


def member(state: dict, old: dict | None, lookup: Lookup) -> None:
    f.ident(state, "group", "督导组")
    f.text(state, "name", "成员姓名", max_length=50)
    f.flag(state, "is_leader", "组长")
    f.text(state, "phone", "电话", required=False, max_length=50)
    key = f.optional_text(state, "sign_public_key", "签名公钥", max_length=100)
    if key is not None and not _is_public_key(key):
        raise fail("签名公钥格式不对（应为 Ed25519 公钥的 Base64 文字）。", "sign_public_key")


def _is_public_key(text: str) -> bool:
    try:
        return len(base64.b64decode(text, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


# --- rules over sets of records (see rules.check_unique) ------------------------------------------


def unique_group(state: dict, old: dict | None, lookup: Lookup) -> None:
    if not changed(state, old, "name"):
        return
    name = state.get("name")
    if any(other["id"] != state["id"] for other in lookup.children("group", "name", name)):
        raise fail(f"督导组“{name}”已存在。", "name")


def unique_member(state: dict, old: dict | None, lookup: Lookup) -> None:
    if not changed(state, old, "name", "group", "is_leader"):
        return
    crew = [m for m in lookup.children("member", "group", state.get("group")) if m["id"] != state["id"]]
    group_state = lookup.get("group", state.get("group"))
    group_name = group_state.get("name") if group_state else state.get("group")
    if state.get("is_leader") and changed(state, old, "is_leader", "group") and any(m.get("is_leader") for m in crew):
        raise fail(f"督导组“{group_name}”已有组长，一个督导组只能有一名组长。", "is_leader")
    name = state.get("name")
    if changed(state, old, "name", "group") and any(m.get("name") == name for m in crew):
        raise fail(f"督导组“{group_name}”中已有成员“{name}”。", "name")
