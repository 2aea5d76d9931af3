"""The campaign checklist template: loaded from JSON, validated, versioned.

A template has an id and a version. Assessments and evaluations store the version they were
scored against, and every version used is kept in the database, so old scores stay readable
after the template changes.

The shipped versions are ``resources/templates/default.json`` (version 1, kept unchanged for
the scores made under it) and ``default-v<n>.json``; ``load_default`` gives the newest. A new
installation starts its campaign on it; an existing campaign moves to it only when the office
loads it (``template load``, campaigns.switch_template), and the change travels to the field
devices with the next assignment bundle, as the template itself does.

Version 2 puts the checklist in the seed's own words (学习内容不集中, 群众不会真提意见, 忙于赶进度、一哄
而上 …), adds the sub-kinds the speech names, the methods 走访调研, 明查暗访, 民主测评, 问卷, and
``supervision_kinds``: the kinds of 督导层面 problems (about a group's own supervision).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import ValidationError

DEFAULT_TEMPLATE = "default.json"
DEFAULT_VERSIONS = ("default.json", "default-v2.json")  # oldest first; the last is the default


@dataclass(frozen=True)
class VersionedContent:
    """A validated JSON document of the office's (a checklist template, a campaign plan, a list
    of 专项整治 tasks): a read-only view with its id, version and name."""

    content: dict

    @property
    def id(self) -> str:
        return self.content["id"]

    @property
    def version(self) -> int:
        return self.content["version"]

    @property
    def name(self) -> str:
        return self.content["name"]


@dataclass(frozen=True)
class Template(VersionedContent):
    """A validated checklist template (read-only view over its JSON content)."""

    @property
    def focus_items(self) -> list[dict]:
        return self.content["focus_items"]

    @property
    def tendencies(self) -> list[dict]:
        return self.content["tendencies"]

    @property
    def problem_categories(self) -> list[dict]:
        return self.content["problem_categories"]

    @property
    def methods(self) -> list[str]:
        return self.content["methods"]

    @property
    def severities(self) -> list[str]:
        return self.content["severities"]

    @property
    def quiz_questions(self) -> int:
        return self.content["quiz"]["default_questions"]

    @property
    def supervision_kinds(self) -> list[str]:
        """Kinds of 督导层面 problems (a group's own supervision); empty before version 2."""
        return self.content.get("supervision_kinds", [])

    def scale(self, name: str) -> list[str]:
        return self.content["scales"][name]

    def evaluation_items(self, subject_kind: str) -> list[dict]:
        return self.content["evaluation_items"][subject_kind]

    def category(self, name_or_id: str) -> dict | None:
        for cat in self.problem_categories:
            if name_or_id in (cat["id"], cat["name"]):
                return cat
        return None

    def item_name(self, item_id: str) -> str:
        for group in (self.focus_items, self.tendencies, *self.content["evaluation_items"].values()):
            for item in group:
                if item["id"] == item_id:
                    return item["name"]
        return item_id


def _fail(path: str, message: str) -> ValidationError:
    return ValidationError(f"模板字段 {path} {message}", field=path)


def _require(obj: dict, key: str, kind: type, where: str):
    path = f"{where}.{key}" if where else key
    if not isinstance(obj, dict) or key not in obj:
        raise _fail(path, "缺失")
    value = obj[key]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        expected = {str: "文字", int: "整数", list: "列表", dict: "对象"}[kind]
        raise _fail(path, f"应为{expected}")
    if kind in (str, list, dict) and not value:
        raise _fail(path, "不能为空")
    return value


def _named_items(obj: dict, key: str, where: str = "") -> list[dict]:
    items = _require(obj, key, list, where)
    seen = set()
    for i, item in enumerate(items):
        path = f"{where + '.' if where else ''}{key}[{i}]"
        item_id = _require(item, "id", str, path)
        _require(item, "name", str, path)
        if item_id in seen:
            raise _fail(f"{path}.id", f"重复：{item_id}")
        seen.add(item_id)
    return items


def _text_list(values: list, key: str) -> None:
    for j, value in enumerate(values):
        if not isinstance(value, str) or not value:
            raise _fail(f"{key}[{j}]", "应为非空文字")
    if len(set(values)) != len(values):
        raise _fail(key, "有重复的项")


def validate(content: object) -> Template:
    """Check a template's structure; raise ValidationError naming the exact wrong field."""
    if not isinstance(content, dict):
        raise _fail("(根)", "应为对象")
    _require(content, "id", str, "")
    version = _require(content, "version", int, "")
    if version < 1:
        raise _fail("version", "应为正整数")
    _require(content, "name", str, "")
    for i, item in enumerate(_named_items(content, "focus_items")):
        points = _require(item, "points", list, f"focus_items[{i}]")
        for j, point in enumerate(points):
            if not isinstance(point, str) or not point:
                raise _fail(f"focus_items[{i}].points[{j}]", "应为非空文字")
    _named_items(content, "tendencies")
    for i, cat in enumerate(_named_items(content, "problem_categories")):
        subs = _require(cat, "sub_kinds", list, f"problem_categories[{i}]")
        for j, sub in enumerate(subs):
            if not isinstance(sub, str) or not sub:
                raise _fail(f"problem_categories[{i}].sub_kinds[{j}]", "应为非空文字")
    for key in ("methods", "severities"):
        _text_list(_require(content, key, list, ""), key)
    for i, cat in enumerate(content["problem_categories"]):
        if len(set(cat["sub_kinds"])) != len(cat["sub_kinds"]):
            raise _fail(f"problem_categories[{i}].sub_kinds", "有重复的具体表现")
    if "supervision_kinds" in content:  # optional: version 1 has none
        _text_list(_require(content, "supervision_kinds", list, ""), "supervision_kinds")
    quiz = _require(content, "quiz", dict, "")
    questions = _require(quiz, "default_questions", int, "quiz")
    if questions < 1:
        raise _fail("quiz.default_questions", "应为正整数")
    evaluation = _require(content, "evaluation_items", dict, "")
    for kind in ("leader", "team"):
        _named_items(evaluation, kind, "evaluation_items")
    scales = _require(content, "scales", dict, "")
    for name in ("focus", "tendency", "evaluation"):
        values = _require(scales, name, list, "scales")
        if len(set(values)) != len(values) or not all(isinstance(v, str) and v for v in values):
            raise _fail(f"scales.{name}", "应为互不相同的非空文字")
    return Template(content)


def read_json_file(path: str | Path, label: str):
    """The JSON content of one of the office's files (``label``: 模板文件, 活动安排文件 …);
    a missing, unreadable or malformed file is refused naming it."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValidationError(f"找不到{label} {path}。", field="path") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"{label} {path} 不是有效的 JSON：{exc}", field="(文件)") from exc
    except OSError as exc:
        raise ValidationError(f"无法读取{label} {path}：{exc.strerror or exc}", field="path") from exc


def load_file(path: str | Path) -> Template:
    """Load and validate a template file."""
    return validate(read_json_file(path, "模板文件"))


def load_shipped(version: int | None = None) -> Template:
    """A checklist version shipped in resources/templates/ (default: the newest)."""
    names = {int(n.removeprefix("default-v").removesuffix(".json")) if n != DEFAULT_TEMPLATE else 1: n
             for n in DEFAULT_VERSIONS}
    version = max(names) if version is None else version
    if version not in names:
        raise ValidationError(f"程序没有自带模板第 {version} 版（自带：{'、'.join(map(str, sorted(names)))}）。",
                              field="version")
    # One part per joinpath: in a frozen build files() is a MultiplexedPath, whose joinpath takes
    # a single part on Python 3.11.
    text = resources.files("resources").joinpath("templates").joinpath(names[version]).read_text(encoding="utf-8")
    return validate(json.loads(text))


def load_default() -> Template:
    """The default checklist: the newest version shipped in resources/templates/."""
    return load_shipped()
