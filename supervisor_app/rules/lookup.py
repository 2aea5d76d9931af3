"""What the record rules may read besides the record: related records and templates.

``Lookup`` is the interface the rules use; ``DbLookup`` reads the open database (inside the
caller's transaction) and keeps what it read, so that one instance can serve many checks —
the 250 000 records of a large import read each unit, leader and template once.

States are dicts like ``instance.__data__``: field name → stored value, foreign keys as ids,
JSON fields as Python values, with ``id`` and the meta fields. Tombstoned records are never
returned: ``get`` gives None, ``children`` leaves them out.

A writer that checks records before they are in the database (a batch, an import) tells the
lookup about them with ``assume``: its states then win over the database's, and new ones are
found by ``get`` and ``children`` as if they were stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from peewee import BooleanField

from ..errors import ValidationError
from ..models import MODEL_BY_RECORD_TYPE, JSONField, database
from ..template import Template
from ..template import validate as validate_template


class Lookup(Protocol):
    """Related records for the rules (see DbLookup for the database-backed one)."""

    def get(self, record_type: str, record_id: str) -> dict | None:
        """The stored state of a live record, None when missing or tombstoned."""

    def stored(self, record_type: str, record_id: str) -> dict | None:
        """The stored state of a record, tombstoned or not; None when missing. For checks of
        where a named record belongs: a deleted record still belongs where it was, so
        deleting it does not free it to be claimed from another visit, unit or group."""

    def children(self, record_type: str, field: str, value: str | None) -> list[dict]:
        """Live records of ``record_type`` whose ``field`` equals ``value`` (usually a foreign
        key: a finding's rectification is ``children("rectification", "finding", finding_id)``)."""

    def template(self, template_id: str, version: int) -> Template | None:
        """A stored checklist template version (validated), None when there is none."""

    def current_template(self) -> Template | None:
        """The template of the current campaign (the latest started), None before init."""

    def derived(self, key: tuple, make: Callable[[], Any]) -> Any:
        """``make()`` (a value worked out from stored records, such as a validated campaign
        plan) kept under ``key`` until the lookup forgets or is told of a change."""


def validated_once(cache: dict, validate, content, limit: int = 256):
    """``validate(content)`` once per process for each content (keyed by its canonical text);
    None when it is broken — also when a hostile shape trips the validator itself (a list
    inside a scale gives a TypeError). Templates and campaign plans are checked this way."""
    try:
        key = json.dumps(content, ensure_ascii=False, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None
    if key not in cache:
        try:
            cache[key] = validate(content)
        except (ValidationError, TypeError, ValueError, KeyError, AttributeError):
            cache[key] = None  # a broken content is as good as none
        if len(cache) > limit:
            cache.pop(next(iter(cache)))
    return cache[key]


_validated: dict[str, Template | None] = {}


def _validated_template(content) -> Template | None:
    return validated_once(_validated, validate_template, content)


class DbLookup:
    """``Lookup`` over the open database, with caches and an overlay of assumed states.

    ``get`` results are kept for the life of the instance: use a fresh one per write, or
    ``assume``/``forget`` what changed when one instance serves a long run of checks.
    """

    MAX_CACHED = 200_000

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], dict | None] = {}
        self._overlay: dict[str, dict[str, dict]] = {}
        self._overlay_index: dict[tuple[str, str], dict] = {}
        self._templates: dict[tuple[str, int], Template | None] = {}
        self._current: tuple[Template | None] | None = None
        self._derived: dict[tuple, Any] = {}

    # -- telling the lookup about states not (yet) in the database
    def assume(self, record_type: str, state: dict) -> None:
        """Take ``state`` as the record's state from now on (a tombstone hides the record)."""
        record_id = state.get("id")
        if type(record_id) is not str:
            return  # not a record any rule will accept
        bucket = self._overlay.setdefault(record_type, {})
        previous = bucket.get(record_id)
        bucket[record_id] = state
        for (indexed_type, field), index in self._overlay_index.items():
            if indexed_type != record_type:
                continue
            old_key = previous.get(field) if previous is not None else None
            if previous is not None and (old_key is None or type(old_key) is str) and old_key in index:
                index[old_key] = [s for s in index[old_key] if s["id"] != record_id]
            key = state.get(field)
            if not state.get("deleted") and (key is None or type(key) is str):
                index.setdefault(key, []).append(state)
        if record_type == "template":
            self._templates.clear()
        if record_type in ("campaign", "template"):
            self._current = None
        self._derived.clear()

    def preload(self, record_type: str, record_ids) -> None:
        """Read many records in a few statements (ahead of checking records that name them)."""
        reader = _reader(record_type)
        if reader is None:
            return
        assumed = self._overlay.get(record_type, {})
        wanted = [i for i in dict.fromkeys(record_ids) if type(i) is str and i not in assumed
                  and (record_type, i) not in self._cache]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found = {state["id"]: state for state in reader.many(chunk)}
            if len(self._cache) + len(chunk) > self.MAX_CACHED:
                self._cache.clear()
            for record_id in chunk:
                state = found.get(record_id)
                self._cache[(record_type, record_id)] = state

    def prime(self, record_type: str, state: dict) -> None:
        """Cache ``state`` as if read back: the caller has just written exactly it to the
        database (saves reading back what a batch wrote)."""
        record_id = state.get("id")
        if type(record_id) is str:
            if len(self._cache) >= self.MAX_CACHED:
                self._cache.clear()
            self._cache[(record_type, record_id)] = state

    def forget(self) -> None:
        """Drop every cached read (not the assumed states)."""
        self._cache.clear()
        self._templates.clear()
        self._current = None
        self._derived.clear()

    def derived(self, key: tuple, make: Callable[[], Any]) -> Any:
        try:
            return self._derived[key]
        except KeyError:
            value = self._derived[key] = make()
            return value

    # -- the Lookup interface
    def get(self, record_type: str, record_id: str) -> dict | None:
        state = self.stored(record_type, record_id)
        return None if state is None or state.get("deleted") else state

    def stored(self, record_type: str, record_id: str) -> dict | None:
        if type(record_id) is not str:
            return None
        assumed = self._overlay.get(record_type)
        if assumed is not None and record_id in assumed:
            return assumed[record_id]
        key = (record_type, record_id)
        try:
            return self._cache[key]
        except KeyError:
            pass
        reader = _reader(record_type)
        if reader is None:
            return None
        state = reader.one(record_id)
        if len(self._cache) >= self.MAX_CACHED:
            self._cache.clear()
        self._cache[key] = state
        return state

    def children(self, record_type: str, field: str, value: str | None) -> list[dict]:
        reader = _reader(record_type)
        if reader is None or field not in reader.columns or not (value is None or type(value) is str):
            return []
        found = {row["id"]: row for row in reader.where(field, value)}
        assumed = self._overlay.get(record_type)
        if assumed:
            for record_id in set(found) & set(assumed):
                del found[record_id]  # the assumed state decides
            for state in self._assumed_with(record_type, field, value):
                found[state["id"]] = state
        return list(found.values())

    def _assumed_with(self, record_type: str, field: str, value) -> list[dict]:
        index = self._overlay_index.get((record_type, field))
        if index is None:
            index = {}
            for state in self._overlay.get(record_type, {}).values():
                if not state.get("deleted"):
                    key = state.get(field)
                    if key is None or type(key) is str:
                        index.setdefault(key, []).append(state)
            self._overlay_index[(record_type, field)] = index
        return index.get(value, []) if value is None or type(value) is str else []

    def template(self, template_id: str, version: int) -> Template | None:
        if type(template_id) is not str or type(version) is not int:
            return None
        key = (template_id, version)
        if key not in self._templates:
            content = None
            for state in self._overlay.get("template", {}).values():
                if (state.get("template_id"), state.get("template_version")) == key and not state.get("deleted"):
                    content = state.get("content")
            if content is None:
                row = database.execute_sql(
                    "SELECT content FROM checklist_template WHERE template_id = ? AND template_version = ?"
                    " AND deleted = 0 LIMIT 1",
                    key,
                ).fetchone()
                content = _loads(row[0]) if row else None
            self._templates[key] = _validated_template(content) if content is not None else None
        return self._templates[key]

    def current_template(self) -> Template | None:
        if self._current is None:
            key = self.current_template_key()
            self._current = (self.template(*key) if key is not None else None,)
        return self._current[0]

    def current_template_key(self) -> tuple[str, int] | None:
        """(template id, version) the current campaign names; None before init."""
        # as campaigns.current_campaign: one that came from elsewhere (the office's) before one
        # this installation made itself; then the latest started; then the one changed last
        row = database.execute_sql("SELECT value FROM setting WHERE key = 'device_id'").fetchone()
        me = row[0] if row else None
        candidates = [
            ((s.get("device_id") != me, s.get("start_date"), str(s.get("updated_at")), s.get("id")),
             s.get("template_id"), s.get("template_version"))
            for s in self._overlay.get("campaign", {}).values()
            if not s.get("deleted") and type(s.get("start_date")) is str and type(s.get("id")) is str
        ]
        assumed = set(self._overlay.get("campaign", {}))
        for campaign_id, device, start, updated, template_id, version in database.execute_sql(
            "SELECT id, device_id, start_date, updated_at, template_id, template_version FROM campaign"
            " WHERE deleted = 0 ORDER BY device_id = ? ASC, start_date DESC, updated_at DESC, id DESC LIMIT 20",
            (me,),
        ):
            if campaign_id not in assumed:
                candidates.append(((device != me, start, str(updated), campaign_id), template_id, version))
        if not candidates:
            return None
        _order, template_id, version = max(candidates, key=lambda c: c[0])
        return template_id, version


class NeedsRecords(Exception):  # noqa: N818 - not an error: the check needs what this lookup does not hold
    """A check asked ``TemplateLookup`` for a record: it is not one ``check_alone`` can make."""


class TemplateLookup:
    """A ``Lookup`` that holds the templates and nothing else (``check_alone`` in a large import's
    second process, which never opens the database): made from ``template_snapshot()``, it
    answers template questions as ``DbLookup`` answered them when the snapshot was taken; any
    other read raises ``NeedsRecords``."""

    def __init__(self, snapshot: tuple) -> None:
        rows, current = snapshot
        self._contents = {(template_id, version): content for template_id, version, content in rows}
        self._current_key = tuple(current) if current is not None else None
        self._templates: dict[tuple, Template | None] = {}

    def template(self, template_id: str, version: int) -> Template | None:
        if type(template_id) is not str or type(version) is not int:
            return None
        key = (template_id, version)
        if key not in self._templates:
            text = self._contents.get(key)
            content = _loads(text) if text is not None else None
            self._templates[key] = _validated_template(content) if content is not None else None
        return self._templates[key]

    def current_template(self) -> Template | None:
        return self.template(*self._current_key) if self._current_key is not None else None

    def get(self, record_type: str, record_id: str) -> dict | None:
        raise NeedsRecords(record_type)

    def stored(self, record_type: str, record_id: str) -> dict | None:
        raise NeedsRecords(record_type)

    def children(self, record_type: str, field: str, value: str | None) -> list[dict]:
        raise NeedsRecords(record_type)

    def derived(self, key: tuple, make: Callable[[], Any]) -> Any:
        raise NeedsRecords(key[0] if key else "derived")


def template_snapshot() -> tuple:
    """What ``TemplateLookup`` needs, read from the open database: every live template version
    (id, version, content as stored) and the current campaign's (id, version). Plain data, to
    hand to another process, and to compare (equal snapshots: equal answers)."""
    rows = database.execute_sql(
        "SELECT template_id, template_version, content FROM checklist_template WHERE deleted = 0"
        " ORDER BY template_id, template_version").fetchall()
    current = DbLookup().current_template_key()
    return tuple(tuple(row) for row in rows), (tuple(current) if current is not None else None)


class _Reader:
    """Reads one record type's rows as states with plain SQL (peewee's query building costs
    more than the query: this is called once per record of a large import)."""

    def __init__(self, model) -> None:
        fields = model._meta.sorted_fields
        self.names = [f.name for f in fields]
        self.columns = {f.name: f.column_name for f in fields}
        self.convert = [(f.name, f.python_value) for f in fields if isinstance(f, JSONField | BooleanField)]
        self.select = "SELECT {} FROM \"{}\"".format(
            ", ".join(f'"{f.column_name}"' for f in fields), model._meta.table_name)

    def _state(self, row) -> dict:
        state = dict(zip(self.names, row, strict=True))
        for name, convert in self.convert:
            if state[name] is not None:
                state[name] = convert(state[name])
        return state

    def one(self, record_id: str) -> dict | None:
        row = database.connection().execute(f'{self.select} WHERE "id" = ?', (record_id,)).fetchone()
        return self._state(row) if row is not None else None

    def many(self, record_ids: list[str]) -> list[dict]:
        marks = ", ".join("?" for _ in record_ids)
        rows = database.connection().execute(f'{self.select} WHERE "id" IN ({marks})', record_ids)
        return [self._state(row) for row in rows]

    def where(self, field: str, value: str | None) -> list[dict]:
        column = self.columns[field]
        condition, params = (f'"{column}" IS NULL', ()) if value is None else (f'"{column}" = ?', (value,))
        rows = database.connection().execute(f"{self.select} WHERE {condition} AND deleted = 0", params)
        return [self._state(row) for row in rows]


_READERS: dict[str, _Reader] = {}


def _reader(record_type: str) -> _Reader | None:
    reader = _READERS.get(record_type)
    if reader is None:
        model = MODEL_BY_RECORD_TYPE.get(record_type) if type(record_type) is str else None
        if model is None:
            return None
        reader = _READERS[record_type] = _Reader(model)
    return reader


def read_states(record_type: str, record_ids) -> list[dict]:
    """The stored rows of ``record_ids`` as states (field name → value), in plain SQL, 500 ids
    a statement; ids not stored are simply absent."""
    reader = _reader(record_type)
    if reader is None:
        return []
    ids = list(record_ids)
    states = []
    for i in range(0, len(ids), 500):
        states.extend(reader.many(ids[i : i + 500]))
    return states


def _loads(text: str):
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None
