"""Applying incoming change-log entries: rows, conflicts, uniqueness, the hash chain.

Each batch of new entries is folded per record (fold.py) with what is logged for it, and the
resulting state written: new records inserted in bulk, changed fields updated. Entries of one
record are re-read from the log only when a new one arrives for it — and a record one device
changes again and again within one import continues from its stored state instead of being
folded anew each batch, so an import is linear in its entries.

Conflicts found by the fold are recorded (``SyncConflict``, every version's values kept); the
fold's winner is live until a person decides. New records that would break a uniqueness rule
are kept out and listed as ``duplicate`` conflicts.

Imported entries join the local hash chain in the order they are applied: each keeps its
origin ``device_id``, ``seq``, ``at`` and ``fields``; its ``prev_hash`` is the local head and its
``hash`` is computed here, so ``changelog.verify_chain`` covers them like local ones.
"""

from __future__ import annotations

import contextlib
import json
from operator import itemgetter
from types import NoneType

from peewee import BooleanField, CharField, IntegerField, TextField, fn

from .. import search, visits
from ..canonical import canonical_text
from ..changelog import chain_hash
from ..changelog import head as chain_head
from ..clock import new_id, now_utc
from ..models import (
    SYNCED_MODELS,
    TYPE_LABELS,
    ChecklistTemplate,
    EvaluationFact,
    EvaluationRecord,
    Finding,
    JSONField,
    Visit,
    database,
)
from .entries import ASSIGNMENT_TYPES, Entry, log_entries_for, new_record_state, record_defaults
from .errors import MissingReferenceError
from .fold import Folded, _last_value, _same, fold, signing_entry
from .models import SyncConflict

_canon = canonical_text  # JSONField's text: the one canonical JSON
BULK_INDEX_MIN = 2000  # visits to index at the end of an import from which search.bulk_index pays


# --- applying a batch ---------------------------------------------------------------------------------


class Applier:
    """Applies batches of new entries inside the caller's transaction."""

    def __init__(self, local_device_id: str, *, office_first: bool = False, tokenizer=None):
        self.me = local_device_id
        # Works out search tokens elsewhere (decoding.Decoder: send texts, receive their
        # search.tokens in order); None: here.
        self.tokenizer = tokenizer
        # On a field installation the office speaks for the assignments (campaign, template,
        # groups, members, units, teams, leaders): where the office has written one, this
        # installation's own changes of it (made before the office took it over, or local
        # edits never sent) give way, and are no conflict.
        self.office_first = office_first
        self.prev_hash: str | None = None  # the local chain's head: read at the first append (in the transaction)
        self.applied = 0
        self.conflicts = 0
        self.touched_tables: set[str] = set()
        # visit id → (notes, people met, deleted) as this import last wrote the visit (its search
        # document needs no reading back); None: only a finding of it changed, read it back
        self.touched_visits: dict[str, tuple | None] = {}
        self.touched_evaluations: set[str] = set()
        self.orphans: dict[str, str] = {}  # record id → type: changes logged whose insert has not come yet
        self._fresh: set[str] = set()
        self._signing: dict[str, Entry | None] = {}
        self._runs: dict[str, tuple[str, tuple]] = {}  # record id → (its only device, last sort key)
        # (record type, full state, old state, whether rules.check_alone passed on it in the worker)
        self._to_check: list[tuple[str, dict, dict | None, bool]] = []
        # The templates the decoding worker checked new records against (lookup.template_snapshot),
        # None: no worker verdicts. They count while they are the templates stored here: checked
        # once inside the import's transaction, and no longer once the import changes a template
        # or a campaign (the current template).
        self.alone_templates: tuple | None = None
        self._alone_trusted: bool | None = None
        self._default_rows: dict = {}
        from ..rules import DbLookup

        self._lookup = DbLookup()
        self._continuing: set[str] = set()
        self._absent: set[tuple[str, str]] = frozenset()

    # -- signatures of evaluations
    def _evaluation_signing(self, evaluation_id: str, pending: dict[str, list[Entry]]) -> Entry | None:
        if evaluation_id not in self._signing:
            logged = log_entries_for([evaluation_id], self.me).get(evaluation_id, [])
            self._signing[evaluation_id] = signing_entry([*logged, *pending.get(evaluation_id, [])])
        return self._signing[evaluation_id]

    def apply(self, batch: list[Entry], absent: set[tuple[str, str]] = frozenset()) -> None:
        """Apply a batch; ``absent``: (record type, id) of its records known not to be stored
        here (their rows are not looked for)."""
        if not batch:
            return
        self._absent = absent
        if self._alone_trusted is None:
            from ..rules.lookup import template_snapshot

            self._alone_trusted = self.alone_templates is not None and template_snapshot() == self.alone_templates
        if self._alone_trusted and any(e.record_type in ("template", "campaign") for e in batch):
            self._alone_trusted = False
        for entry in batch:
            entry.new = True
        new_by_record: dict[str, list[Entry]] = {}
        types: dict[str, str] = {}
        for entry in batch:
            new_by_record.setdefault(entry.record_id, []).append(entry)
            types[entry.record_id] = entry.record_type
        # A record whose insert is in this batch can have no earlier entries here, except
        # changes of other origins applied earlier in this same import (orphans).
        self._fresh = {rid for rid, es in new_by_record.items() if es[0].op == "insert" and rid not in self.orphans}
        self._continuing = {rid for rid, es in new_by_record.items() if self._continues(rid, types[rid], es)}
        logged = log_entries_for(
            [rid for rid in new_by_record if rid not in self._fresh and rid not in self._continuing], self.me)
        for record_id, entries in new_by_record.items():
            if types[record_id] == "evaluation":
                self._signing[record_id] = signing_entry([*logged.get(record_id, []), *entries])
        # Facts of an evaluation signed in this batch are folded again (only what the signer knew stays).
        newly_signed = [rid for rid, es in new_by_record.items() if any(e.is_signing for e in es)]
        if newly_signed:
            extra = [
                f.id for f in EvaluationFact.select(EvaluationFact.id).where(EvaluationFact.evaluation.in_(newly_signed))
                if f.id not in new_by_record
            ]
            logged.update(log_entries_for(extra, self.me))
            for rid in extra:
                types[rid] = "fact"
        by_type: dict[str, list[str]] = {}
        for rid, t in types.items():
            by_type.setdefault(t, []).append(rid)
        for model in SYNCED_MODELS:  # in the models' order: parents before children
            record_ids = by_type.get(model.RECORD_TYPE)
            if record_ids:
                self._apply_model(model, record_ids, logged, new_by_record)
        self._check_rules()
        self._append_log(batch)

    def _written(self, model, state: dict, old: dict | None) -> None:
        """A record this batch wrote, to be held to the services' rules once the batch is in."""
        full = {**(old if old is not None else self._defaults(model)),
                **{k: v for k, v in state.items() if k in model._meta.fields}}
        self._to_check.append((model.RECORD_TYPE, full, old, False))

    def _defaults(self, model) -> dict:
        if model not in self._default_rows:
            self._default_rows[model] = record_defaults(model)
        return self._default_rows[model]

    def _check_rules(self) -> None:
        """Every record written, against the same rules as the services (rules.check_record):
        one breach refuses the whole import (the caller's transaction rolls back)."""
        from .. import rules
        from ..errors import ValidationError
        from .errors import UnsafeContentError

        self._lookup.forget()  # the batch is in the database now: read it afresh
        checks, self._to_check = self._to_check, []
        for record_type, state, _old, _alone in checks:  # except what it wrote: that is known
            self._lookup.prime(record_type, state)
        wanted: dict[str, set] = {}
        for _type, state, _old, _alone in checks:  # the records the rules will read, in a few statements
            for name, target in _REFERENCES.items():
                value = state.get(name)
                if type(value) is str:
                    wanted.setdefault(target, set()).add(value)
        for target, record_ids in wanted.items():
            self._lookup.preload(target, record_ids)
        for record_type, state, old, alone in checks:
            try:
                rules.check_record(record_type, state, old=old, lookup=self._lookup, alone_checked=alone)
            except ValidationError as exc:
                raise UnsafeContentError(
                    f"同步包中的{TYPE_LABELS.get(record_type, record_type)} {state['id'][:8]} 不符合本程序的规则："
                    f"{exc.message}已拒绝整个同步包，未作任何改动。",
                    field=f"{record_type}:{state['id']}:{exc.field}",
                ) from exc

    def _apply_model(self, model, record_ids: list[str], logged: dict, new_by_record: dict) -> None:
        current = {}
        table = model._meta.table_name
        absent, record_type = self._absent, model.RECORD_TYPE
        maybe = [rid for rid in record_ids if (record_type, rid) not in absent]
        for i in range(0, len(maybe), 500):
            chunk = maybe[i : i + 500]
            marks = ", ".join("?" for _ in chunk)
            # Most records of a large import are new here: look for their ids first, and read
            # (through the model) only the rows that exist.
            present = [r[0] for r in database.execute_sql(f'SELECT id FROM "{table}" WHERE id IN ({marks})', chunk)]
            for j in range(0, len(present), 500):
                for row in model.select().where(model.id.in_(present[j : j + 500])):
                    current[row.id] = dict(row.__data__)
        stale = [rid for rid in record_ids if rid in current and rid in self._fresh]
        if stale:  # an insert for a record that exists already: fold with everything logged
            logged.update(log_entries_for(stale, self.me))
        inserts: list[dict] = []
        texts_of: dict[str, dict[str, str]] = {}  # new record id → canonical texts of its JSON values, known
        alone_ok: set[str] = set()  # new records made by one entry that passed rules.check_alone
        entries_of: dict[str, list[Entry]] = {}
        for record_id in record_ids:
            if record_id in self._continuing and record_id in current:
                state = self._continue(record_id, current[record_id], new_by_record[record_id])
                changes = {k: v for k, v in state.items() if k in model._meta.fields and not _same(current[record_id].get(k), v)}
                if changes:
                    model.update(**changes).where(model.id == record_id).execute()
                    self._touch(model, record_id, current[record_id], state)
                    self._written(model, state, current[record_id])
                continue
            entries = entries_of[record_id] = [*logged.get(record_id, []), *new_by_record.get(record_id, [])]
            if self.office_first and model.RECORD_TYPE in ASSIGNMENT_TYPES:
                theirs = [e for e in entries if e.device_id != self.me]
                if theirs:
                    entries = entries_of[record_id] = theirs
            frozen_by = None
            if model is EvaluationFact:
                evaluation_id = _last_value(entries, "evaluation") or (current.get(record_id) or {}).get("evaluation")
                if evaluation_id:
                    frozen_by = self._evaluation_signing(evaluation_id, new_by_record)
            folded = fold(entries, frozen_by, self.me)
            self._remember(model, record_id, folded)
            for reason, fields, versions in folded.conflicts:
                record_conflict(model.RECORD_TYPE, record_id, reason, fields, versions)
                self.conflicts += 1
            state = folded.state
            if state is None:
                continue
            old = current.get(record_id)
            if old is None:
                if "created_at" not in state:
                    self.orphans[record_id] = model.RECORD_TYPE  # its insert may still come in this import
                    continue
                self.orphans.pop(record_id, None)
                inserts.append({"id": record_id, **state})
                if len(entries) == 1 and frozen_by is None:  # the state is that entry's fields
                    if entries[0].json_texts:
                        texts_of[record_id] = entries[0].json_texts
                    if entries[0].alone_ok and self._alone_trusted:
                        alone_ok.add(record_id)
            else:
                changes = {k: v for k, v in state.items() if k in model._meta.fields and not _same(old.get(k), v)}
                if changes:
                    model.update(**changes).where(model.id == record_id).execute()
                    self._touch(model, record_id, old, state)
                    self._written(model, state, old)
        if inserts:
            inserts = self._drop_duplicates(model, inserts, entries_of)
            fields = list(model._meta.sorted_fields)
            sql = 'INSERT INTO "{}" ({}) VALUES ({})'.format(
                model._meta.table_name, ", ".join(f'"{f.column_name}"' for f in fields), ", ".join("?" for _ in fields)
            )
            # Each new record's full state (its defaults under what it carries: the entry
            # checks allow only the model's fields) is both the row written and what the rules see.
            defaults = self._defaults(model)
            full_rows = [new_record_state(defaults, row["id"], row) for row in inserts]
            encode = _RowEncoder(model, fields)
            database.connection().executemany(sql, [encode(full, texts_of.get(full["id"])) for full in full_rows])
            for full in full_rows:
                self._touch(model, full["id"], None, full)
                self._to_check.append((model.RECORD_TYPE, full, None, full["id"] in alone_ok))
        self.touched_tables.add(model._meta.table_name)

    # -- one device's run of changes to a record, folded once per import (linear, not quadratic)
    def _remember(self, model, record_id: str, folded: Folded) -> None:
        """After a full fold of a record that only one device ever changed (and that is no
        evaluation or fact, whose signing decides what counts): keep that device and the
        last sort key, so that its next changes in this import continue the state stored."""
        if len(folded.included) < 2 or folded.excluded or model in (EvaluationRecord, EvaluationFact):
            return
        devices = {e.device_id for e in folded.included}
        if len(devices) == 1:
            self._runs[record_id] = (devices.pop(), folded.included[-1].sort_key())

    def _continues(self, record_id: str, record_type: str, entries: list[Entry]) -> bool:
        run = self._runs.get(record_id)
        if run is None or record_type in ("evaluation", "fact"):
            return False
        device, last = run
        return all(e.device_id == device and e.op != "insert" for e in entries) and min(
            e.sort_key() for e in entries) > last

    def _continue(self, record_id: str, stored: dict, entries: list[Entry]) -> dict:
        """The stored state with these later changes of the same device applied in order."""
        state = {k: v for k, v in stored.items() if k != "id"}
        ordered = sorted(entries, key=Entry.sort_key)
        for entry in ordered:
            state.update(entry.fields)
        self._runs[record_id] = (ordered[-1].device_id, ordered[-1].sort_key())
        return state

    def _touch(self, model, record_id: str, old: dict | None, state: dict) -> None:
        if model is EvaluationRecord:
            self.touched_evaluations.add(record_id)
        elif model is EvaluationFact:
            for value in ((old or {}).get("evaluation"), state.get("evaluation")):
                if value:
                    self.touched_evaluations.add(value)
        elif model is Visit:
            stored = state if old is None else {**old, **state}  # what the row now holds
            self.touched_visits[record_id] = (stored.get("notes"), stored.get("people_met"), stored.get("deleted"))
        elif model is Finding:
            for value in ((old or {}).get("visit"), state.get("visit")):
                if value:
                    self.touched_visits.setdefault(value, None)

    def _drop_duplicates(self, model, inserts: list[dict], entries_of: dict[str, list[Entry]]) -> list[dict]:
        """New records that would break a uniqueness rule (a second assessment of a visit, a
        template version that exists with another id) are not inserted; unless they are the
        same template, they are listed as conflicts."""
        unique_sets = [(name,) for name, f in model._meta.fields.items() if f.unique and not f.primary_key]
        unique_sets += [tuple(fields) for fields, unique in model._meta.indexes if unique]
        live_sets = [tuple(names) for names in getattr(model, "LIVE_UNIQUE", ())]  # among live records only
        clashes: dict[str, str] = {}  # new record id → the record already holding its unique values
        for names in [*unique_sets, *live_sets]:
            def key(row, names=names) -> tuple:  # text as it is (the common case), anything else as its JSON
                return tuple(v if type(v := row.get(n)) is str else (_canon(v),) for n in names)

            live = names in live_sets
            holders = self._holders(model, names, inserts, key, live)
            for row in inserts:
                if live and row.get("deleted"):
                    continue
                holder = holders.setdefault(key(row), row["id"])
                if holder != row["id"]:
                    clashes.setdefault(row["id"], holder)
        if not clashes:
            return inserts
        kept = []
        for row in inserts:
            other = clashes.get(row["id"])
            if other is None:
                kept.append(row)
                continue
            if model is ChecklistTemplate:
                same_batch = next((r for r in inserts if r["id"] == other), None)
                existing = same_batch or ChecklistTemplate.get_by_id(other).__data__
                if _same(existing.get("content"), row.get("content")):
                    continue  # the same template version, made on two installations
            new_entries = [e for e in entries_of[row["id"]] if e.new]
            record_conflict(model.RECORD_TYPE, row["id"], "duplicate", sorted(set(row) - {"id"}), new_entries,
                            other=other)
            self.conflicts += 1
        return kept

    @staticmethod
    def _holders(model, names: tuple, inserts: list[dict], key, live: bool) -> dict[tuple, str]:
        """The stored records holding the unique values (``names``) of these new rows, by key:
        one query per 500 values of the first column (the rest compared here); with ``live``,
        tombstones hold nothing (filtered here: "deleted = 0" would steer SQLite onto the
        unselective deleted index)."""
        columns = [model._meta.fields[n] for n in names]
        values = list({columns[0].db_value(row.get(names[0])) for row in inserts
                       if row.get(names[0]) is not None and not (live and row.get("deleted"))})
        wanted = {key(row) for row in inserts}
        names_sql = ", ".join(f'"{c.column_name}"' for c in columns)
        sql = (f'SELECT id, deleted, {names_sql} FROM "{model._meta.table_name}" WHERE "{columns[0].column_name}" IN '
               if live else f'SELECT id, 0, {names_sql} FROM "{model._meta.table_name}" WHERE "{columns[0].column_name}" IN ')
        holders: dict[tuple, str] = {}
        for i in range(0, len(values), 500):
            chunk = values[i : i + 500]
            for existing_id, deleted, *stored in database.execute_sql(f"{sql}({', '.join('?' for _ in chunk)})", chunk):
                if deleted:
                    continue
                found = key({n: c.python_value(v) for n, c, v in zip(names, columns, stored, strict=True)})
                if found in wanted:
                    holders.setdefault(found, existing_id)
        return holders

    def _append_log(self, batch: list[Entry]) -> None:
        prev = self.prev_hash if self.prev_hash is not None else chain_head()
        rows = []
        deps_rows = []
        for e in batch:
            fields_text = e.text or _canon(e.fields)  # ChangeLog.fields.db_value
            digest = chain_hash(e, fields_text, prev)
            rows.append((e.device_id, e.seq, e.record_type, e.record_id, e.op, fields_text, e.member_id, e.at, prev,
                         digest))
            prev = digest
            if e.deps:
                deps_rows.append((e.device_id, e.seq, json.dumps(e.deps, sort_keys=True)))
        conn = database.connection()
        conn.executemany(
            "INSERT INTO change_log (device_id, seq, record_type, record_id, op, fields, member_id, at, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        if deps_rows:
            conn.executemany("INSERT OR REPLACE INTO sync_entry_deps (device_id, seq, deps) VALUES (?, ?, ?)", deps_rows)
        self.prev_hash = prev
        self.applied += len(batch)

    def finish(self) -> None:
        """Check references and refresh the search index of the visits touched."""
        if self.orphans:
            record_id, record_type = next(iter(self.orphans.items()))
            raise MissingReferenceError(
                f"同步包中的{TYPE_LABELS.get(record_type, record_type)} {record_id[:8]} 只有修改，本机没有它的创建记录；"
                "请先导入更早的同步包。"
            )
        problems = []
        for table in sorted(self.touched_tables):
            problems += database.execute_sql(f'PRAGMA foreign_key_check("{table}")').fetchall()[:1]
        if problems:
            table, rowid, parent, _ = problems[0]
            raise MissingReferenceError(
                f"同步包中的记录（{table}）引用了本机没有的{parent}记录。请先导入活动办下发的同步包，"
                "或该设备更早的同步包。",
                detail=repr(problems),
            )
        self._reindex(sorted(self.touched_visits))

    def _reindex(self, visit_ids: list[str]) -> None:
        """Keep the search index in step: visits already indexed go through visits.reindex;
        visits new to the index (most of a large import) are indexed in bulk with the same
        document text (search.document_text of notes, people met and live findings).

        With a ``tokenizer`` (a large import's second process), each chunk's texts are sent
        to it, and the chunk is written once the next chunk's texts are on their way. Many
        visits are indexed under ``search.bulk_index``."""
        with search.bulk_index() if len(visit_ids) >= BULK_INDEX_MIN else contextlib.nullcontext():
            self._index(visit_ids)

    def _index(self, visit_ids: list[str]) -> None:
        waiting: list[tuple[str, str]] | None = None  # documents whose tokens are being worked out
        for i in range(0, len(visit_ids), 500):
            chunk = visit_ids[i : i + 500]
            marks = ", ".join("?" for _ in chunk)
            indexed = {r[0] for r in database.execute_sql(
                f"SELECT visit_id FROM search_doc WHERE visit_id IN ({marks})", chunk)}
            # Tombstones are filtered here, not in SQL: "deleted = 0" steers SQLite onto the
            # unselective deleted index and turns each lookup into a scan.
            texts = [(visit_id, self.touched_visits.get(visit_id)) for visit_id in chunk]
            unknown = [visit_id for visit_id, known in texts if known is None]
            read = {} if not unknown else {r[0]: r for r in database.execute_sql(
                f"SELECT id, notes, people_met, deleted FROM visit WHERE id IN ({', '.join('?' for _ in unknown)})",
                unknown)}
            rows = [(visit_id, *known) if known is not None else read[visit_id]
                    for visit_id, known in texts if known is not None or visit_id in read]
            fresh = [r[:3] for r in rows if r[0] not in indexed and not r[3]]
            found: dict[str, list[str]] = {}
            if fresh:
                fresh_marks = ", ".join("?" for _ in fresh)
                for visit_id, description, deleted in database.execute_sql(
                    f"SELECT visit_id, description, deleted FROM finding WHERE visit_id IN ({fresh_marks})"
                    " ORDER BY visit_id, rowid", [r[0] for r in fresh]  # the order visits.reindex sees
                ):
                    if not deleted:
                        found.setdefault(visit_id, []).append(description)
                docs = [(vid, search.document_text(notes, people, found.get(vid, []))) for vid, notes, people in fresh]
                if self.tokenizer is None:
                    search.index_many(docs)
                else:
                    self.tokenizer.send([text for _, text in docs])
                    if waiting is not None:
                        search.index_many(waiting, self.tokenizer.receive())
                    waiting = docs
            fresh_ids = {r[0] for r in fresh}
            for visit_id in chunk:
                if visit_id not in fresh_ids and Visit.get_or_none(Visit.id == visit_id) is not None:
                    visits.reindex(visit_id)
        if waiting is not None:
            search.index_many(waiting, self.tokenizer.receive())


def _plain_type(f) -> type | None:
    """The Python type whose values ``f.db_value`` passes through unchanged, if any (the
    entry checks, entries._fits, give every value of a synced column its column's type)."""
    if isinstance(f, BooleanField):
        return bool
    if isinstance(f, IntegerField):
        return int
    if isinstance(f, (CharField, TextField)) or (
        getattr(f, "rel_field", None) is not None and isinstance(f.rel_field, (CharField, TextField))
    ):
        return str
    return None


class _RowEncoder:
    """A new record's full state (a dict with every field) as the row of ``fields``' database
    values: what ``[f.db_value(full[f.name]) for f in fields]`` gives, without a peewee call per value.

    A row whose values all have their columns' plain types (checked once per combination of
    types) needs only its JSON columns encoded; any other row goes through ``db_value``.
    """

    def __init__(self, model, fields: list):
        self.get = itemgetter(*(f.name for f in fields)) if len(fields) > 1 else (lambda d: (d[fields[0].name],))
        self.fields = fields
        self.names = [f.name for f in fields]
        self.json = [i for i, f in enumerate(fields) if isinstance(f, JSONField)]
        self.plain = [None if isinstance(f, JSONField) else _plain_type(f) for f in fields]
        self.good: set[tuple] = set()

    def __call__(self, full: dict, texts: dict[str, str] | None = None) -> list:
        """The row of a record's full state (every field present: the caller merged the defaults);
        ``texts``: canonical texts of JSON values already worked out (Entry.json_texts)."""
        values = list(self.get(full))
        types = tuple(map(type, values))
        if types not in self.good:
            if not all(t is NoneType or t is plain or i in self.json
                       for i, (t, plain) in enumerate(zip(types, self.plain, strict=True))):
                return [None if v is None else f.db_value(v) for f, v in zip(self.fields, values, strict=True)]
            self.good.add(types)
        for i in self.json:
            if values[i] is not None:
                known = texts.get(self.names[i]) if texts else None
                values[i] = known if known is not None else _canon(values[i])
        return values


# Fields naming another record, and its type: what the rules look up for a record.
_REFERENCES = {"visit": "visit", "finding": "finding", "rectification": "rectification",
               "evaluation": "evaluation", "unit": "unit", "leader": "leader", "team": "team"}


# --- conflicts ----------------------------------------------------------------------------------------


def version_of(entry: Entry, fields: list[str]) -> dict:
    return {
        "key": entry.key, "device_id": entry.device_id, "seq": entry.seq, "version": entry.version, "at": entry.at,
        "op": entry.op, "member_id": entry.member_id,
        "values": {f: entry.fields[f] for f in fields if f in entry.fields},
    }


def record_conflict(record_type: str, record_id: str, reason: str, fields: list[str], entries: list[Entry],
                    other: str | None = None) -> SyncConflict:
    """Open (or extend) the open conflict of a record; every version is kept with its values."""
    conflict = SyncConflict.get_or_none(
        (SyncConflict.record_type == record_type) & (SyncConflict.record_id == record_id)
        & (SyncConflict.status == "open") & (SyncConflict.reason == reason)
    )
    all_fields = sorted(set(fields) | set(conflict.fields if conflict else []))
    versions = {v["key"]: v for v in (conflict.versions if conflict else [])}
    for entry in entries:
        versions[entry.key] = version_of(entry, all_fields)
    ordered = sorted(versions.values(), key=lambda v: (v["device_id"], v["seq"]))
    if other:
        ordered = [{"key": "other", "record_id": other, "values": {}}, *[v for v in ordered if v["key"] != "other"]]
    if conflict is None:
        return SyncConflict.create(
            id=new_id(), record_type=record_type, record_id=record_id, reason=reason, fields=all_fields,
            versions=ordered, status="open", detected_at=now_utc(),
        )
    SyncConflict.update(fields=all_fields, versions=ordered).where(SyncConflict.id == conflict.id).execute()
    return SyncConflict.get_by_id(conflict.id)


def open_conflict_count() -> int:
    return SyncConflict.select(fn.COUNT(SyncConflict.id)).where(SyncConflict.status == "open").scalar() or 0
