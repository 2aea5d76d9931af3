"""The conflict list: records changed on two devices, shown with every version, resolved by a person.

Resolving keeps one version whole (``keep``) or takes each disputed field from a chosen
version (``take``). The choice is written as an ordinary logged change by this installation,
so it travels on like any edit and is causally after every version it chose from. A signed
evaluation keeps its signed content: only "current" may be chosen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .. import changelog, installation, visits
from ..clock import now_utc
from ..errors import FrozenRecordError, NotFoundError, ValidationError
from ..models import MODEL_BY_RECORD_TYPE, TYPE_LABELS, ActionProgress, Finding, Visit, database
from .importer import device_label
from .models import SyncConflict

CURRENT = "current"
REASON_LABELS = {
    "concurrent": "两台设备同时修改",
    "signed": "已签署的纪实评价收到修改（未采用）",
    "duplicate": "重复的记录（未导入）",
}
FIELD_LABELS = {
    "name": "名称", "notes": "督导情况", "people_met": "接触人员", "methods": "督导方式", "started_at": "督导时间",
    "ended_at": "结束时间", "members_present": "参加成员", "leaders_present": "在场领导干部", "unit": "单位",
    "group": "督导组", "parent": "上级单位", "kind": "类别", "position": "职务", "description": "问题描述",
    "category": "问题类别", "sub_kind": "具体表现", "severity": "严重程度", "closed": "已销号", "measure": "整改措施",
    "responsible": "责任人", "deadline": "整改时限", "status": "状态", "deleted": "删除", "narrative": "评价意见",
    "overall_rating": "总体评价", "item_ratings": "评价项目", "text": "纪实内容", "on_date": "日期", "state": "状态",
    "phone": "电话", "is_leader": "组长", "focus_ratings": "督导重点评定", "tendency_levels": "倾向评定",
    "action_id": "规定动作", "done_on": "完成日期", "amount": "完成数量", "evidence": "佐证", "reason": "不适用理由",
    "member": "确认人", "plan_id": "安排编号", "plan_version": "安排版本",
}
# A duplicate of a record that may exist once among the live ones (a model's LIVE_UNIQUE, e.g. one
# progress per unit and action) may take the other version's content; never these.
_KEPT_ON_DUPLICATE = {"id", "created_at", "updated_at", "device_id", "version", "deleted"}


@dataclass
class ConflictVersion:
    key: str  # "current", or "<device id>:<seq>" of the change
    label: str
    device_id: str | None
    at: str | None
    op: str
    values: dict  # field → value, for the disputed fields this version set


@dataclass
class ConflictView:
    id: str
    record_type: str
    type_label: str
    record_id: str
    record_label: str
    reason: str
    reason_label: str
    fields: list[str]
    field_labels: dict[str, str]
    versions: list[ConflictVersion]
    status: str
    detected_at: str
    resolved_at: str | None
    resolution: dict | None

    @property
    def short_id(self) -> str:
        return self.id[:8]


def _record_label(record) -> str:
    if record is None:
        return "（记录不存在）"
    data = record.__data__
    for name in ("name", "description", "text", "measure", "narrative", "notes", "filename"):
        value = data.get(name)
        if isinstance(value, str) and value.strip():
            text = value.strip().split("\n", 1)[0]
            return text[:30] + ("…" if len(text) > 30 else "")
    if isinstance(record, Visit):
        return f"{record.unit.name} {record.started_at[:10]}"
    if isinstance(record, ActionProgress):
        return f"{record.unit.name} {record.action_id}"
    return record.id[:8]


def _view(conflict: SyncConflict) -> ConflictView:
    model = MODEL_BY_RECORD_TYPE.get(conflict.record_type)
    other = next((v.get("record_id") for v in conflict.versions if v.get("key") == "other"), None)
    shown = other if conflict.reason == "duplicate" and other else conflict.record_id  # a duplicate: the one kept
    record = model.get_or_none(model.id == shown) if model else None
    current_values = {f: record.__data__.get(f) for f in conflict.fields} if record is not None else {}
    versions = [ConflictVersion(CURRENT, "当前（本机现用）", record.device_id if record else None,
                                record.updated_at if record else None, "current", current_values)]
    for v in conflict.versions:
        if v.get("key") == "other":
            continue
        versions.append(ConflictVersion(
            v["key"], f"{device_label(v['device_id'])} 第 {v['seq']} 条变更", v["device_id"], v.get("at"), v.get("op", ""),
            v.get("values", {}),
        ))
    return ConflictView(
        id=conflict.id, record_type=conflict.record_type, type_label=TYPE_LABELS.get(conflict.record_type, conflict.record_type),
        record_id=conflict.record_id, record_label=_record_label(record), reason=conflict.reason,
        reason_label=REASON_LABELS.get(conflict.reason, conflict.reason), fields=list(conflict.fields),
        field_labels={f: FIELD_LABELS.get(f, f) for f in conflict.fields}, versions=versions, status=conflict.status,
        detected_at=conflict.detected_at, resolved_at=conflict.resolved_at, resolution=conflict.resolution,
    )


def list_conflicts(include_resolved: bool = False) -> list[ConflictView]:
    """Open conflicts (and resolved ones on request), oldest first."""
    query = SyncConflict.select()
    if not include_resolved:
        query = query.where(SyncConflict.status == "open")
    return [_view(c) for c in query.order_by(SyncConflict.detected_at, SyncConflict.id)]


def _find(conflict_id: str) -> SyncConflict:
    text = (conflict_id or "").strip()
    found = SyncConflict.get_or_none(SyncConflict.id == text)
    if found is None and len(text) >= 4:
        matches = list(SyncConflict.select().where(SyncConflict.id.startswith(text)).limit(2))
        found = matches[0] if len(matches) == 1 else None
    if found is None:
        raise NotFoundError(f"找不到冲突：{conflict_id}。", field="conflict")
    return found


def get_conflict(conflict_id: str) -> ConflictView:
    return _view(_find(conflict_id))


def _same(a, b) -> bool:
    return json.dumps(a, sort_keys=True, ensure_ascii=False) == json.dumps(b, sort_keys=True, ensure_ascii=False)


def _touch(record) -> None:
    """Log a change that carries no new content: the decision itself."""
    ctx = installation.context()
    record.updated_at = now_utc()
    record.device_id = ctx.device_id
    record.version = (record.version or 0) + 1
    names = ("updated_at", "device_id", "version")
    record.save(only=[type(record)._meta.fields[n] for n in names])
    changelog.append(type(record).RECORD_TYPE, record.id, "update", changelog.field_values(record, names))


def resolve_conflict(conflict_id: str, keep: str | None = None, take: dict[str, str] | None = None) -> ConflictView:
    """Decide a conflict: ``keep`` one version whole, or ``take`` {field: version key}.

    Version keys are "current" or the "<device id>:<seq>" shown in the list (a unique prefix
    of the device id works too). The decision is logged as a change of this installation.
    """
    if (keep is None) == (take is None):
        raise ValidationError("请选择保留哪个版本，或逐个字段选择。", field="choice")
    with database.atomic():
        conflict = _find(conflict_id)
        if conflict.status != "open":
            raise ValidationError("该冲突已处理。", field="conflict")
        model = MODEL_BY_RECORD_TYPE[conflict.record_type]
        versions = {v["key"]: v for v in conflict.versions if v.get("key") != "other"}

        ordered = [CURRENT, *versions]

        def key_of(text: str) -> str:
            """A version key, its number in the list (0 = current) or '<device prefix>:<seq>'."""
            text = (text or "").strip()
            if text == CURRENT or text in versions:
                return text
            if text.isdigit() and int(text) < len(ordered):
                return ordered[int(text)]
            if ":" in text:
                prefix, seq = text.rsplit(":", 1)
                matches = [k for k in versions if k.startswith(prefix) and k.rsplit(":", 1)[1] == seq]
                if len(matches) == 1:
                    return matches[0]
            raise ValidationError(f"没有这个版本：{text}。可选：{'、'.join(ordered)}。", field="version")

        if keep is not None:
            choice = dict.fromkeys(conflict.fields, key_of(keep))
        else:
            unknown = set(take) - set(conflict.fields)
            if unknown:
                raise ValidationError(f"这些字段不在冲突之中：{'、'.join(sorted(unknown))}。", field="field")
            choice = {f: key_of(take.get(f, CURRENT)) for f in conflict.fields}
        if conflict.reason in ("signed", "duplicate") and any(k != CURRENT for k in choice.values()):
            if conflict.reason == "signed":
                raise FrozenRecordError(
                    "已签署的纪实评价不能被覆盖，只能保留当前（已签署）版本；如需更正，请提交更正记录。", field="version"
                )
            if not getattr(model, "LIVE_UNIQUE", ()):
                raise ValidationError("重复的记录未导入，只能保留本机现有的记录。", field="version")
        other = next((v.get("record_id") for v in conflict.versions if v.get("key") == "other"), None)
        record_id = other if conflict.reason == "duplicate" and other else conflict.record_id
        record = model.get_or_none(model.id == record_id)
        if record is None:
            raise NotFoundError("冲突涉及的记录在本机不存在。", field="conflict")
        changes = {}
        kept = set()
        if conflict.reason == "duplicate":  # the record kept is this one: only content comes across
            kept = _KEPT_ON_DUPLICATE | {n for names in getattr(model, "LIVE_UNIQUE", ()) for n in names}
        for name, key in choice.items():
            if key == CURRENT or name not in versions[key]["values"] or name in kept:
                continue
            value = versions[key]["values"][name]
            if not _same(record.__data__.get(name), value):
                changes[name] = value
        delete = changes.pop("deleted", None)
        if changes or delete is False:
            if delete is False:
                changes["deleted"] = False
            changelog.update(record, **changes)
        if delete:
            changelog.tombstone(record)
        if not changes and not delete:
            _touch(record)
        if model is Visit:
            visits.reindex(record.id)
        elif model is Finding and record.visit_id:
            visits.reindex(record.visit_id)
        ctx = installation.context()
        SyncConflict.update(status="resolved", resolved_at=now_utc(), resolved_by=ctx.member_id,
                            resolution=choice).where(SyncConflict.id == conflict.id).execute()
        return _view(SyncConflict.get_by_id(conflict.id))
