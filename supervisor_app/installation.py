"""Who this installation is: its role (field or office), device, group and current member."""

from __future__ import annotations

from dataclasses import dataclass

from .clock import new_id, now_utc
from .errors import ValidationError
from .models import Device, Setting, database

ROLES = ("field", "office")
ROLE_LABELS = {"field": "督导组", "office": "活动办"}


@dataclass(frozen=True)
class Context:
    role: str
    device_id: str
    group_id: str | None
    member_id: str | None


_cache: dict[int, Context] = {}


def _get(key: str) -> str | None:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row else None


def set_setting(key: str, value: str | None) -> None:
    with database.atomic():
        if value is None:
            Setting.delete().where(Setting.key == key).execute()
        else:
            Setting.insert(key=key, value=value).on_conflict_replace().execute()
    _cache.clear()


def get_setting(key: str, default: str | None = None) -> str | None:
    value = _get(key)
    return default if value is None else value


def is_initialized() -> bool:
    return _get("device_id") is not None


def ensure_device(role: str) -> Context:
    """Create this installation's device identity once; later calls return it unchanged."""
    if role not in ROLES:
        raise ValidationError(f"角色只能是 field（督导组）或 office（活动办），而不是 {role!r}。", field="role")
    with database.atomic():
        if not is_initialized():
            device_id = new_id()
            Device.create(id=device_id, role=role, is_local=True, enrolled_at=now_utc())
            set_setting("device_id", device_id)
            set_setting("role", role)
    return context()


def context() -> Context:
    """The identity every change is recorded under."""
    key = id(database.obj)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    device_id = _get("device_id")
    if device_id is None:
        raise ValidationError("本机尚未设置：请打开程序，按提示完成首次使用设置（命令行用户：init）。")
    ctx = Context(
        role=_get("role") or "field",
        device_id=device_id,
        group_id=_get("group_id"),
        member_id=_get("member_id"),
    )
    _cache[key] = ctx
    return ctx


def forget_cache() -> None:
    _cache.clear()
