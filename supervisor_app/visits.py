"""Visits (督导记录): on-site supervision with methods, people met, notes; listing and search."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from . import campaigns, changelog, display, installation, search
from . import validate as check
from .errors import NotFoundError, ValidationError
from .models import (
    Assessment,
    Finding,
    Leader,
    Member,
    QuizRecord,
    Rectification,
    Unit,
    Visit,
    alive,
    database,
)
from .rules.visits import stays_on_visit


def get_visit(visit_id) -> Visit:
    if isinstance(visit_id, Visit):
        visit_id = visit_id.id
    visit = Visit.get_or_none((Visit.id == visit_id) & alive(Visit)) if visit_id else None
    if visit is None:
        raise NotFoundError(f"找不到督导记录：{visit_id}。", field="visit")
    return visit


def _unique_ids(values) -> list[str]:
    """Record ids (or records) given, each once, in the order given."""
    return list(dict.fromkeys(value.id if hasattr(value, "id") else str(value) for value in values or []))


def _ids(values, model, field_name: str, label: str) -> list[str]:
    ids = _unique_ids(values)
    if ids:
        found = {r.id for r in model.select(model.id).where(alive(model) & model.id.in_(ids))}
        missing = [i for i in ids if i not in found]
        if missing:
            raise ValidationError(f"{label}不存在：{', '.join(missing)}。", field=field_name)
    return ids


def _present_members(values: dict, visit, started: str | None) -> list[str]:
    """The members present: live members, or members who have left the group since and stay
    on this visit (rules.visits.stays_on_visit: already on it, or left no earlier than its day)."""
    ids = _unique_ids(values["members_present"])
    if not ids:
        return ids
    stored = visit if isinstance(visit, Visit) else None
    started = started or (stored.started_at if stored else None)
    already = set(stored.members_present or []) if stored else set()
    found = {m.id: m for m in Member.select().where(Member.id.in_(ids))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(f"督导组成员不存在：{', '.join(missing)}。", field="members_present")
    for member_id in ids:
        member = found[member_id]
        if visit is _PARSING_ONE and member.deleted:
            continue  # one value parsed alone (the editor's live check): the save decides
        if not stays_on_visit(member.__data__, started, member_id in already):
            raise ValidationError(f"{member.name}在这次督导之前已退出督导组，不能列为在场组员。",
                                  field="members_present")
    return ids


def _clean(values: dict, visit: Visit | None = None) -> dict:
    """Parse what the editor or a caller gives into stored values; the record rules
    (rules/visits.py) check them when they are written."""
    clean = {}
    if "unit" in values or visit is None:
        unit_id = values.get("unit")
        unit_id = unit_id.id if isinstance(unit_id, Unit) else unit_id
        unit = Unit.get_or_none((Unit.id == unit_id) & alive(Unit)) if unit_id else None
        if unit is None:
            raise ValidationError("请选择被督导单位。" if not unit_id else f"单位不存在：{unit_id}。", field="unit")
        clean["unit"] = unit
    if "started_at" in values or visit is None:
        clean["started_at"] = check.local_datetime(values.get("started_at"), "started_at", "督导时间")
    if "ended_at" in values:
        ended = values["ended_at"]
        clean["ended_at"] = check.local_datetime(ended, "ended_at", "结束时间") if ended else None
    if "methods" in values or visit is None:
        methods = values.get("methods") or []
        if isinstance(methods, list | tuple) and all(isinstance(m, str) for m in methods):
            methods = list(dict.fromkeys(methods))  # each method once, in the order given
        clean["methods"] = methods
    if "members_present" in values:
        clean["members_present"] = _present_members(values, visit, clean.get("started_at"))
    if "leaders_present" in values:
        clean["leaders_present"] = _ids(values["leaders_present"], Leader, "leaders_present", "领导干部")
    for name in ("people_met", "notes"):
        if name in values:
            clean[name] = check.clean_text(values[name])
    if "group" in values:
        clean["group"] = values["group"] or None
    return clean


def parse_each(values: dict) -> tuple[dict, list[ValidationError]]:
    """Parse each of ``values`` on its own, as ``update_visit`` would: the stored values that
    parsed, and one error for each that did not (the editor shows them all at once)."""
    clean: dict = {}
    problems: list[ValidationError] = []
    for name, value in values.items():
        try:
            clean.update(_clean({name: value}, _PARSING_ONE))
        except ValidationError as exc:
            problems.append(exc)
    return clean, problems


_PARSING_ONE = object()  # stands for "a visit exists": _clean then parses only the values given


def reindex(visit_id: str) -> None:
    """Refresh the search text of one visit (notes, people met, its findings)."""
    visit = Visit.get_by_id(visit_id)
    if visit.deleted:
        search.remove_visit(visit_id)
        return
    findings = [
        f.description
        for f in Finding.select(Finding.description).where(alive(Finding) & (Finding.visit == visit_id))
    ]
    search.index_visit(visit_id, search.document_text(visit.notes, visit.people_met, findings))


def create_visit(unit, started_at, methods, **extra) -> Visit:
    """Record a visit; the group defaults to this installation's group."""
    with database.atomic():
        values = _clean({"unit": unit, "started_at": started_at, "methods": methods, **extra})
        values.setdefault("group", installation.context().group_id)
        visit = changelog.create(Visit, **values)
        reindex(visit.id)
        return visit


def update_visit(visit, **changes) -> Visit:
    """Change a visit; moved to another unit, what was recorded on it (findings, assessment,
    quiz) moves with it."""
    with database.atomic():
        visit = get_visit(visit)
        clean = _clean(changes, visit)
        writes = [(visit, clean)]
        unit = clean.get("unit")
        if unit is not None and unit.id != visit.unit_id:
            for model in (Finding, Assessment, QuizRecord):
                for record in model.select().where(alive(model) & (model.visit == visit.id)):
                    writes.append((record, {"unit": unit.id}))
        try:
            visit = changelog.update_together(writes)[0]
        except ValidationError as exc:
            if exc.field == "leader":  # a finding of the visit names a leader the new unit does not have
                raise ValidationError(f"督导记录改到“{unit.name}”后：{exc.message}", field="unit") from exc
            raise
        reindex(visit.id)
        return visit


def delete_visit(visit) -> Visit:
    """Tombstone a visit with what hangs on it (assessment, quiz, findings without a rectification)."""
    with database.atomic():
        visit = get_visit(visit)
        live_findings = list(Finding.select().where(alive(Finding) & (Finding.visit == visit)))
        for finding in live_findings:
            if Rectification.select().where(alive(Rectification) & (Rectification.finding == finding)).exists():
                raise ValidationError("该督导记录发现的问题已有整改记录，不能删除。", field="visit")
        for finding in live_findings:
            changelog.tombstone(finding)
        for related in (*visit.assessments, *visit.quizzes, *visit.attachments):
            if not related.deleted:
                changelog.tombstone(related)
        changelog.tombstone(visit)
        search.remove_visit(visit.id)
        return visit


# --- listing ----------------------------------------------------------------------------------------


@dataclass
class VisitFilter:
    """What the visit list is narrowed to. Dates are 'YYYY-MM-DD', inclusive."""

    unit_id: str | None = None
    include_sub_units: bool = False
    date_from: str | None = None
    date_to: str | None = None
    method: str | None = None
    member_id: str | None = None
    search: str | None = None
    unit_ids: list[str] = field(default_factory=list)

    def where(self, *, tombstoned: bool | None = False) -> tuple[str, list]:
        """SQL conditions on ``v`` (the visit table) and their parameters.

        Live visits only by default; ``tombstoned=True`` for the tombstoned ones only (through
        the ``deleted`` index: they are few), ``None`` for both.
        """
        # "+" keeps SQLite from choosing the unselective `deleted` index over the sort index
        clauses = {False: ["+v.deleted = 0"], True: ["v.deleted = 1"], None: ["1"]}[tombstoned]
        params: list = []
        if self.unit_id:
            if self.include_sub_units:
                clauses.append(
                    "v.unit_id IN (WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL"
                    " SELECT u.id FROM unit u JOIN sub ON u.parent_id = sub.id) SELECT id FROM sub)"
                )
            else:
                clauses.append("v.unit_id = ?")
            params.append(self.unit_id)
        if self.date_from:
            clauses.append("v.started_at >= ?")
            params.append(check.iso_date(self.date_from, "date_from", "起始日期"))
        if self.date_to:
            clauses.append("v.started_at < ?")
            params.append(check.iso_date(self.date_to, "date_to", "截止日期") + "T99")
        # json_each fails on text that is not JSON: such a visit matches nothing (CASE is lazy)
        if self.method:
            clauses.append("CASE WHEN json_valid(v.methods) THEN"
                           " EXISTS (SELECT 1 FROM json_each(v.methods) WHERE json_each.value = ?) ELSE 0 END")
            params.append(self.method)
        if self.member_id:
            clauses.append("CASE WHEN json_valid(v.members_present) THEN"
                           " EXISTS (SELECT 1 FROM json_each(v.members_present) WHERE json_each.value = ?) ELSE 0 END")
            params.append(self.member_id)
        if self.search and self.search.strip():
            sql, search_params = search.visit_condition(self.search.strip())
            clauses.append(sql)
            params.extend(search_params)
        return " AND ".join(clauses), params

    def searches_only(self) -> bool:
        """True when the search text is the only thing narrowing the list."""
        return bool(self.search and self.search.strip()) and not (
            self.unit_id or self.date_from or self.date_to or self.method or self.member_id
        )


SORT_COLUMNS = {
    "started_at": "v.started_at",
    "unit": "coalesce(u.name, '')",  # a visit whose unit is missing is listed too
    "methods": "v.methods",
    "notes": "v.notes",
}


@dataclass(frozen=True, slots=True)
class VisitRow:
    """One line of the visit list (a light row, not a model instance).

    A list scrolled to its end holds 100 000 of them, so they have slots, and the strings that
    rows repeat (unit, methods, members, sort key) are shared, not copied into every row.
    """

    id: str
    started_at: str
    unit_id: str
    unit_name: str
    methods: list[str]
    member_ids: list[str]
    notes: str
    assessed: int  # 0 none, 1 partial, 2 complete
    sort_key: str = ""  # the value the list is sorted by (for fetching the next page)

    @property
    def first_line(self) -> str:
        return (self.notes or "").strip().split("\n", 1)[0]


def count_visits(flt: VisitFilter | None = None) -> int:
    """How many visits the list holds under ``flt``.

    A search alone is counted in the full-text index (milliseconds), not by checking every
    matching visit (a common word matches tens of thousands); tombstoned visits left in the
    index, if any, are taken off so that the count stays exact.
    """
    flt = flt or VisitFilter()
    if flt.searches_only():
        query = flt.search.strip()
        indexed = search.count_indexed(query)
        if indexed is not None:
            sql, params = search.tombstoned_matches_sql(query)
            return indexed - database.execute_sql(sql, params).fetchone()[0]
    where, params = flt.where()
    return database.execute_sql(f"SELECT COUNT(*) FROM visit v WHERE {where}", params).fetchone()[0]


def visit_rows(
    flt: VisitFilter | None = None, *, order: str = "started_at", descending: bool = True,
    offset: int = 0, limit: int = 100, after: VisitRow | None = None,
) -> list[VisitRow]:
    """A page of the visit list, sorted; the notes are cut to their first 200 characters.

    Pass the last row of the previous page as ``after`` to fetch the next page: it costs the
    same at row 90 000 as at row 100 (``offset`` makes SQLite walk every row before it).
    """
    where, params = (flt or VisitFilter()).where()
    column = SORT_COLUMNS.get(order, "v.started_at")
    direction = "DESC" if descending else "ASC"
    if after is not None:
        where += f" AND ({column}, v.id) {'<' if descending else '>'} (?, ?)"
        params = [*params, after.sort_key, after.id]
    sql = (
        f"SELECT v.id, v.started_at, v.unit_id, u.name, v.methods, v.members_present, substr(v.notes, 1, 200), {column},"
        f" (SELECT {_ENTRIES.format('a.focus_ratings')} || '|' || {_ENTRIES.format('a.tendency_levels')}"
        "   FROM assessment a"
        "   WHERE a.visit_id = v.id AND a.deleted = 0)"
        f" FROM visit v LEFT JOIN unit u ON u.id = v.unit_id WHERE {where}"
        f" ORDER BY {column} {direction}, v.id {direction} LIMIT ? OFFSET ?"
    )
    tpl = campaigns.active_template()
    needed = (len(tpl.focus_items), len(tpl.tendencies))
    shared = sys.intern
    rows = []
    for vid, started, unit_id, unit_name, methods, members, notes, key, counts in database.execute_sql(
        sql, [*params, int(limit), int(offset)]
    ):
        unit_name = shared(unit_name) if unit_name is not None else display.missing(unit_id)
        key = started if key == started else unit_name if key == unit_name else key or ""
        rows.append(
            VisitRow(vid, started, shared(unit_id), unit_name, [shared(m) for m in display.names(display.loads(methods))],
                     [shared(m) for m in display.names(display.loads(members))], notes or "",
                     _assessment_state(counts, needed), key)
        )
    return rows


# How many entries a stored JSON object holds (0 for anything else: json_each fails on non-JSON).
_ENTRIES = ("(CASE WHEN NOT json_valid({0}) THEN 0 WHEN json_type({0}) = 'object'"
            " THEN (SELECT COUNT(*) FROM json_each({0})) ELSE 0 END)")


def _assessment_state(counts: str | None, needed: tuple[int, int]) -> int:
    """0 not assessed, 1 partly, 2 every focus item and tendency scored."""
    if not counts:
        return 0
    focus, tendency = (int(n) for n in counts.split("|", 1))
    return 2 if focus >= needed[0] and tendency >= needed[1] else 1


def list_visits(flt: VisitFilter | None = None, limit: int | None = None) -> list[Visit]:
    """Full visit records matching ``flt``, newest first."""
    where, params = (flt or VisitFilter()).where()
    sql = f"SELECT v.id FROM visit v WHERE {where} ORDER BY v.started_at DESC, v.id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    ids = [r[0] for r in database.execute_sql(sql, params)]
    by_id = {v.id: v for chunk in _chunks(ids, 500) for v in Visit.select().where(Visit.id.in_(chunk))}
    return [by_id[i] for i in ids]


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def visit_counts(date_from: str | None = None, date_to: str | None = None, *, by: str = "unit") -> dict[str | None, int]:
    """Live visits in a period (inclusive) per unit id, or per group id with ``by="group"``.

    Counted as every visit less the tombstoned ones: the first count reads an index only
    ((unit_id, started_at) or (group_id)), the second the few tombstones. Checking ``deleted``
    on each visit read the whole visit table instead (0.17 s at 100 000 visits, per call).
    """
    column = {"unit": "v.unit_id", "group": "v.group_id"}[by]
    period = VisitFilter(date_from=date_from, date_to=date_to)
    counts: dict[str | None, int] = {}
    for tombstoned, sign in ((None, 1), (True, -1)):
        where, params = period.where(tombstoned=tombstoned)
        sql = f"SELECT {column}, COUNT(*) FROM visit v WHERE {where} GROUP BY {column}"
        for key, n in database.execute_sql(sql, params).fetchall():
            counts[key] = counts.get(key, 0) + sign * n
    return {key: n for key, n in counts.items() if n}


def last_visit_dates() -> dict[str, str]:
    """unit id → date of its latest visit."""
    return dict(
        database.execute_sql("SELECT unit_id, MAX(started_at) FROM visit WHERE deleted = 0 GROUP BY unit_id").fetchall()
    )


def member_names() -> dict[str, str]:
    return {m.id: m.name for m in Member.select(Member.id, Member.name)}


def assessment_of(visit) -> Assessment | None:
    return Assessment.get_or_none((Assessment.visit == visit) & alive(Assessment))


def of_unit_in_period(model, unit_id: str, date_from: str | None = None, date_to: str | None = None) -> list:
    """A unit's records of ``model`` (an assessment or quiz: one per visit) over a period of
    visit dates (inclusive), oldest first, each with its visit joined."""
    query = model.select(model, Visit).join(Visit).where(alive(model) & alive(Visit) & (model.unit == unit_id))
    if date_from:
        query = query.where(Visit.started_at >= date_from)
    if date_to:
        query = query.where(Visit.started_at < date_to + "T99")
    return list(query.order_by(Visit.started_at))
