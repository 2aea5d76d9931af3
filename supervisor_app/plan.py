"""The campaign plan (活动进度安排): stages, 规定动作 with their measures and due dates, 回头看
points and survey rounds — loaded from JSON next to the checklist template, validated, versioned.

The default plan is written from the speech (``resources/templates/plan-default.json``). This
module knows the plan as data (like template.py the checklist); progress.py keeps the stored
versions (the office's ``plan load FILE`` makes a new one, field installations receive it in
the office's bundle) and each unit's progress, which keeps the plan version it was judged
against.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from .errors import ValidationError
from .models import UNIT_KINDS
from .template import VersionedContent, read_json_file

DEFAULT_PLAN = "plan-default.json"
ACTION_KINDS = ("规定动作", "回头看", "时限")
MEASURE_KINDS = {"days": "天数", "count": "次数", "yes_no": "是否完成", "document": "须有文件材料"}


@dataclass(frozen=True)
class Plan(VersionedContent):
    """A validated campaign plan (read-only view over its JSON content)."""

    @property
    def stages(self) -> list[dict]:
        return self.content["stages"]

    @property
    def actions(self) -> list[dict]:
        return self.content["actions"]

    @property
    def surveys(self) -> list[dict]:
        return self.content.get("surveys", [])

    @property
    def survey_rule(self) -> dict:
        return self.content["survey_rule"]

    @property
    def end(self) -> str:
        """The last day of the last stage: the campaign's planned end."""
        return self.stages[-1]["end"]

    def survey(self, survey_id: str) -> dict | None:
        for survey in self.surveys:
            if survey["id"] == survey_id:
                return survey
        return None

    def action(self, action_id: str) -> dict | None:
        for action in self.actions:
            if action["id"] == action_id:
                return action
        return None

    def stage(self, stage_id: str) -> dict | None:
        for stage in self.stages:
            if stage["id"] == stage_id:
                return stage
        return None


def applies(action: dict, unit_kind: str, has_county_team: bool) -> bool:
    """Whether ``action`` is required of a unit of ``unit_kind`` (with or without a 县处级 team)."""
    scope = action["applies_to"]
    if unit_kind not in scope["unit_kinds"]:
        return False
    return has_county_team or not scope["county_level_team"]


def measure_minimum(action: dict) -> int | None:
    """The least amount (days, times) that counts as done; None for yes/no and documents."""
    measure = action["measure"]
    if measure["kind"] not in ("days", "count"):
        return None
    return measure.get("minimum", measure["target"])


def measure_text(action: dict) -> str:
    """The measure as people read it: 5天（至少4天）, 1次, 须有文件材料, 是否完成."""
    measure = action["measure"]
    if measure["kind"] in ("days", "count"):
        unit = measure.get("unit") or ("天" if measure["kind"] == "days" else "次")
        text = f"{measure['target']}{unit}"
        if measure.get("minimum", measure["target"]) != measure["target"]:
            text += f"（至少{measure['minimum']}{unit}）"
        return text
    return MEASURE_KINDS[measure["kind"]]


# --- validation --------------------------------------------------------------------------------------


def _fail(path: str, message: str) -> ValidationError:
    return ValidationError(f"活动安排字段 {path} {message}", field=path)


def _require(obj, key: str, kind: type, where: str):
    path = f"{where}.{key}" if where else key
    if not isinstance(obj, dict) or key not in obj:
        raise _fail(path, "缺失")
    value = obj[key]
    if (kind in (int, str, list, dict) and isinstance(value, bool)) or not isinstance(value, kind):
        expected = {str: "文字", int: "整数", list: "列表", dict: "对象", bool: "true 或 false"}[kind]
        raise _fail(path, f"应为{expected}")
    if kind in (str, dict) and not value:
        raise _fail(path, "不能为空")
    return value


def _date(obj, key: str, where: str) -> str:
    value = _require(obj, key, str, where)
    path = f"{where}.{key}"
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or len(value) != 10 or not 2000 <= parsed.year <= 2100:
        raise _fail(path, f"应为日期（YYYY-MM-DD），收到：{value[:40]}")
    return value


def _texts(obj, key: str, where: str, *, allowed=None) -> list[str]:
    values = _require(obj, key, list, where)
    for j, value in enumerate(values):
        if not isinstance(value, str) or not value:
            raise _fail(f"{where}.{key}[{j}]", "应为非空文字")
        if allowed is not None and value not in allowed:
            raise _fail(f"{where}.{key}[{j}]", f"应为以下之一：{'、'.join(allowed)}（收到：{value[:40]}）")
    return values


def _items(content: dict, key: str) -> list[dict]:
    items = _require(content, key, list, "")
    if not items and key != "surveys":
        raise _fail(key, "不能为空")
    seen = set()
    for i, item in enumerate(items):
        path = f"{key}[{i}]"
        if not isinstance(item, dict):
            raise _fail(path, "应为对象")
        item_id = _require(item, "id", str, path)
        _require(item, "name", str, path)
        if item_id in seen:
            raise _fail(f"{path}.id", f"重复：{item_id}")
        seen.add(item_id)
    return items


def validate(content: object) -> Plan:
    """Check a plan's structure; raise ValidationError naming the exact wrong field."""
    if not isinstance(content, dict):
        raise _fail("(根)", "应为对象")
    _require(content, "id", str, "")
    version = _require(content, "version", int, "")
    if not 1 <= version <= 1_000_000:
        raise _fail("version", "应为 1 到 1000000 之间的整数")
    _require(content, "name", str, "")
    stages = _items(content, "stages")
    previous_end = None
    for i, stage in enumerate(stages):
        where = f"stages[{i}]"
        start, end = _date(stage, "start", where), _date(stage, "end", where)
        if end < start:
            raise _fail(f"{where}.end", "不能早于开始日期")
        if previous_end is not None and start <= previous_end:
            raise _fail(f"{where}.start", "应晚于上一环节的结束日期（各环节压茬进行）")
        previous_end = end
    stage_ids = [s["id"] for s in stages]
    for i, action in enumerate(_items(content, "actions")):
        where = f"actions[{i}]"
        kind = _require(action, "kind", str, where)
        if kind not in ACTION_KINDS:
            raise _fail(f"{where}.kind", f"应为以下之一：{'、'.join(ACTION_KINDS)}（收到：{kind[:40]}）")
        stage = _require(action, "stage", str, where)
        if stage not in stage_ids:
            raise _fail(f"{where}.stage", f"不是安排中的环节：{stage[:40]}")
        scope = _require(action, "applies_to", dict, where)
        kinds = _texts(scope, "unit_kinds", f"{where}.applies_to", allowed=UNIT_KINDS)
        if not kinds:
            raise _fail(f"{where}.applies_to.unit_kinds", "不能为空")
        _require(scope, "county_level_team", bool, f"{where}.applies_to")
        measure = _require(action, "measure", dict, where)
        measure_kind = _require(measure, "kind", str, f"{where}.measure")
        if measure_kind not in MEASURE_KINDS:
            raise _fail(f"{where}.measure.kind", f"应为以下之一：{'、'.join(MEASURE_KINDS)}（收到：{measure_kind[:40]}）")
        if measure_kind in ("days", "count"):
            target = _require(measure, "target", int, f"{where}.measure")
            if not 1 <= target <= 1000:
                raise _fail(f"{where}.measure.target", "应为 1 到 1000 之间的整数")
            if "minimum" in measure:
                minimum = _require(measure, "minimum", int, f"{where}.measure")
                if not 1 <= minimum <= target:
                    raise _fail(f"{where}.measure.minimum", "应为不大于 target 的正整数")
            if "unit" in measure:
                _require(measure, "unit", str, f"{where}.measure")
        _date(action, "due", where)
        _require(action, "not_applicable_allowed", bool, where)
        _texts(action, "evidence_words", where)
        _texts(action, "evidence_methods", where)
    for i, survey in enumerate(_items(content, "surveys")):
        _date(survey, "on", f"surveys[{i}]")
    rule = _require(content, "survey_rule", dict, "")
    kinds = _texts(rule, "unit_kinds", "survey_rule", allowed=UNIT_KINDS)
    if not kinds:
        raise _fail("survey_rule.unit_kinds", "不能为空")
    for key, low, high in (("satisfaction_line_percent", 0, 100), ("bottom_ranks", 0, 1000), ("extend_days", 1, 366)):
        value = _require(rule, key, int, "survey_rule")
        if not low <= value <= high:
            raise _fail(f"survey_rule.{key}", f"应为 {low} 到 {high} 之间的整数")
    return Plan(content)


def load_file(path: str | Path) -> Plan:
    """Load and validate a plan file."""
    return validate(read_json_file(path, "活动安排文件"))


_default: Plan | None = None


def load_default() -> Plan:
    """The default plan shipped in resources/templates/ (read once)."""
    global _default
    if _default is None:
        text = resources.files("resources").joinpath("templates").joinpath(DEFAULT_PLAN).read_text(encoding="utf-8")
        _default = validate(json.loads(text))
    return _default


def shifted(plan: Plan, days: int, version: int) -> Plan:
    """A copy of ``plan`` with every date moved by ``days`` as version ``version`` (the office's
    own calendar for a later campaign; the demo's calendar)."""
    content = json.loads(json.dumps(plan.content))

    def move(value: str) -> str:
        return (date.fromisoformat(value) + timedelta(days=days)).isoformat()

    for stage in content["stages"]:
        stage["start"], stage["end"] = move(stage["start"]), move(stage["end"])
    for action in content["actions"]:
        action["due"] = move(action["due"])
    for survey in content.get("surveys", []):
        survey["on"] = move(survey["on"])
    content["version"] = version
    return validate(content)


DERIVED_MARK = "@"  # '<default id>@<campaign start>': the default moved to a campaign's start


def for_campaign(base: Plan, start: str) -> Plan:
    """The plan of a campaign starting on ``start`` (YYYY-MM-DD) that has no city-specific plan.

    A campaign that starts within the default's own calendar (the speech's campaign, 2014年2月10日
    to 2014年9月30日) keeps its dates exactly (``base`` itself). Any other campaign gets every date
    moved so that the first stage starts on ``start``: the same version, an id that names the
    start ('<id>@<start>', see ``derived``), so that every device derives the same dates.
    """
    first = base.stages[0]["start"]
    if not isinstance(start, str) or first <= start <= base.end:
        return base
    try:
        days = (date.fromisoformat(start) - date.fromisoformat(first)).days
        moved = shifted(base, days, base.version)
    except (ValueError, ValidationError):  # not a date, or dates beyond the years a plan may name
        return base
    content = json.loads(json.dumps(moved.content))
    content["id"] = f"{base.id}{DERIVED_MARK}{start}"
    content["derived_from"] = {"id": base.id, "version": base.version, "campaign_start": start, "days": days}
    return validate(content)


def derived(plan_id: object, version: object) -> Plan | None:
    """The plan ``for_campaign`` derives from the shipped default when ``plan_id`` names one
    ('<default id>@<start>', the default's version); None otherwise. Any device computes it
    again, so a record judged against it is checked the same way everywhere."""
    base = load_default()
    prefix = base.id + DERIVED_MARK
    if type(plan_id) is not str or not plan_id.startswith(prefix) or version != base.version:
        return None
    plan = for_campaign(base, plan_id[len(prefix):])
    return plan if plan.id == plan_id else None


def stage_on(plan: Plan, on: date) -> dict | None:
    """The stage ``on`` falls in (None before the first and after the last)."""
    text = on.isoformat()
    for stage in plan.stages:
        if stage["start"] <= text <= stage["end"]:
            return stage
    return None
