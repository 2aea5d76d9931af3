"""export_100k and import_100k: one group's field laptop sends its ~100 000 visits to the office.

The realistic case of issue 7 under the authorization model (docs/sync.md, 谁可以写什么): a field
device sends only its own group's records, naming only its group's members, and the office
already holds the assignments it wrote itself (campaign, template, groups, members, units,
teams, leaders) with the group leader's signing key bound. The cached demo data set is a field
installation whose 12 groups share the 100 000 visits, so ``make_pair`` works on copies in the
scratch folder (the cached set and the run's working copy are left as they are):

1. ``field``: a copy of the working copy, rewritten so that every record a field device may
   send belongs to one group G (the demo's first group, the field's own): visits' and
   evaluations' group, units' group (a finding without a visit belongs to its unit's group),
   and every member a record names is mapped to the member of G at the same place in the
   crew (leader to leader), the signatures of evaluations and amendments made again with G's
   leader key. The change log's ``fields`` are rewritten alike (bundles are made from them),
   which breaks the field copy's hash chain: export does not check it, and the office builds
   its own chain of the imported entries.
2. ``office-template``: an office installation holding the field's assignment records (same
   ids, units in G) written as the office's own records and logged by it
   (``changelog.bulk_create``), the demo leaders' public keys bound by the office
   (``changelog.update(member, sign_public_key=…)``), the field device enrolled bound to G.
   Its ``check`` passes (verified here with ``audit.check_all``).

``export_100k`` writes a bundle of every entry the field copy may send (``all_entries``);
``import_100k`` imports it into a fresh copy of the office template each run and checks that
everything was applied: no refusal, nothing held, no conflict, and as many visits, findings
and evaluations at the office as on the field.

Baselines, as issue 7 sets them: for export, sqlite3 reading the same change-log rows (the
sendable record types) and writing them to a file as JSON lines; for import, sqlite3
``executemany`` of the rows the import writes — the field-writable records, their change-log
entries, search documents and full-text rows — into a copy of the office template's database
(same schema, indexes, full-text index, and the assignment rows already there), with the
program's pragmas, in one transaction.
"""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from supervisor_app import audit, campaigns, changelog, db, installation, search, signatures, signing, store
from supervisor_app.canonical import canonical_text
from supervisor_app.demo import DEMO_PASSPHRASE
from supervisor_app.models import SYNCED_MODELS, Member, database
from supervisor_app.paths import db_path
from supervisor_app.sync import container, exporter, identity, service
from supervisor_app.sync.admission import FIELD_TYPES
from supervisor_app.sync.entries import ASSIGNMENT_TYPES
from supervisor_app.sync.models import SyncConflict

from .measure import Figure, medians

opened = store.opened

FIELD_MODELS = tuple(m for m in SYNCED_MODELS if m.RECORD_TYPE in FIELD_TYPES)
ASSIGNMENT_MODELS = tuple(m for m in SYNCED_MODELS if m.RECORD_TYPE in ASSIGNMENT_TYPES)
COUNTED = (("visit", "visit"), ("finding", "finding"), ("evaluation_record", "evaluation"))


@dataclass
class Pair:
    field: Path  # the one-group copy of the field data folder
    office_template: Path  # an enrolled office holding the assignments; each import works on a copy
    usb: Path
    field_device: str
    group_id: str
    exported: set[Path] = field(default_factory=set)  # bundles made from ``field``


def _table(model) -> str:
    return model._meta.table_name


def _column(model, name: str) -> str:
    return model._meta.fields[name].column_name


# --- one group ------------------------------------------------------------------------------------


def _crews(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Each group's live members, leader first, the others in the order they were made."""
    crews: dict[str, list[str]] = {}
    for member_id, group_id in conn.execute(
        "SELECT m.id, m.group_id FROM member m JOIN change_log c ON c.record_id = m.id AND c.op = 'insert'"
        " WHERE m.deleted = 0 ORDER BY m.group_id, m.is_leader DESC, c.id"
    ):
        crews.setdefault(group_id, []).append(member_id)
    return crews


def _leader_key(field: Path, member_id: str):
    return signing.unlock(field, SimpleNamespace(id=member_id, name=member_id), DEMO_PASSPHRASE)


def one_group(field: Path) -> tuple[str, str]:
    """Rewrite the field copy so that everything it may send belongs to its own group G.

    Returns (G's id, G's leader id). Works on the database file with plain sqlite3 (no
    services: they would log the rewrite as new changes). The change log's ``fields`` are
    rewritten with ``json_set`` like the rows, so the field copy's hash chain no longer
    verifies; export does not check it (and the office chains imported entries itself).
    """
    conn = sqlite3.connect(db_path(field), isolation_level=None)
    try:
        settings = dict(conn.execute("SELECT key, value FROM setting WHERE key IN ('group_id', 'member_id')"))
        group, leader = settings["group_id"], settings["member_id"]  # the demo's first group and its leader
        crews = _crews(conn)
        crew = crews[group]
        if crew[0] != leader:
            raise RuntimeError("the field's current member is not its group's leader")
        mapped = {}
        for members in crews.values():
            for k, member_id in enumerate(members):
                mapped[member_id] = crew[min(k, len(crew) - 1)]
        key = _leader_key(field, leader)

        def member(member_id):
            return mapped.get(member_id, member_id)

        def members(text):
            if text is None:
                return None
            return canonical_text(list(dict.fromkeys(member(m) for m in json.loads(text))))

        def sign_hash(content_hash):
            if not isinstance(content_hash, str) or len(content_hash) != 64:
                return None
            return base64.b64encode(key.sign(bytes.fromhex(content_hash))).decode("ascii")

        amendment_signatures = {}
        for aid, evaluation, member_id, reason, changes in conn.execute(
            "SELECT id, evaluation_id, member_id, reason, changes FROM amendment"
        ):
            state = {"id": aid, "evaluation": evaluation, "member": member(member_id), "reason": reason,
                     "changes": json.loads(changes) if changes is not None else None}
            amendment_signatures[aid] = signatures.sign_amendment(state, key)

        conn.create_function("bench_member", 1, member, deterministic=True)
        conn.create_function("bench_members", 1, members, deterministic=True)
        conn.create_function("bench_sign_hash", 1, sign_hash, deterministic=True)
        conn.create_function("bench_amendment_signature", 1, amendment_signatures.get, deterministic=True)

        def log(record_type: str, path: str, value_sql: str) -> None:
            # only entries that carry the field; json_set would add it to the others
            conn.execute(
                f"UPDATE change_log SET fields = json_set(fields, '{path}', {value_sql})"
                f" WHERE record_type = ? AND json_type(fields, '{path}') IS NOT NULL", (record_type,),
            )

        g = f"'{group}'"
        conn.execute("BEGIN")
        conn.execute(f"UPDATE unit SET group_id = {g} WHERE group_id IS NOT NULL")
        log("unit", "$.group", g)
        conn.execute(f"UPDATE visit SET group_id = {g}, members_present = bench_members(members_present)")
        log("visit", "$.group", g)
        log("visit", "$.members_present", "json(bench_members(json_extract(fields, '$.members_present')))")
        conn.execute("UPDATE follow_up SET member_id = bench_member(member_id)")
        log("followup", "$.member", "bench_member(json_extract(fields, '$.member'))")
        conn.execute("UPDATE action_progress SET member_id = bench_member(member_id)")
        log("progress", "$.member", "bench_member(json_extract(fields, '$.member'))")
        conn.execute(f"UPDATE evaluation_record SET group_id = {g}, signed_by_id = bench_member(signed_by_id),"
                     " signature = bench_sign_hash(content_hash) WHERE signature IS NOT NULL")
        conn.execute(f"UPDATE evaluation_record SET group_id = {g} WHERE signature IS NULL")
        log("evaluation", "$.group", g)
        log("evaluation", "$.signed_by", "bench_member(json_extract(fields, '$.signed_by'))")
        log("evaluation", "$.signature", "bench_sign_hash(json_extract(fields, '$.content_hash'))")
        conn.execute("UPDATE amendment SET member_id = bench_member(member_id),"
                     " signature = bench_amendment_signature(id)")
        log("amendment", "$.member", "bench_member(json_extract(fields, '$.member'))")
        log("amendment", "$.signature", "bench_amendment_signature(record_id)")
        types = ", ".join(f"'{t}'" for t in FIELD_TYPES)
        conn.execute(f"UPDATE change_log SET member_id = bench_member(member_id) WHERE record_type IN ({types})")
        conn.execute("COMMIT")
        # a signing entry without a content hash, or one in an evaluation entry that also
        # changes the signature otherwise, would have been left unsigned above: none may be
        left = conn.execute(
            "SELECT COUNT(*) FROM change_log WHERE record_type = 'evaluation'"
            " AND json_type(fields, '$.signature') = 'text' AND json_type(fields, '$.content_hash') IS NOT 'text'"
        ).fetchone()[0]
        if left:
            raise RuntimeError(f"{left} evaluation signatures could not be made again")
        return group, leader
    finally:
        conn.close()


# --- the office that already holds the assignments -----------------------------------------------


def _assignment_instances(field: Path) -> list:
    """The field's assignment records as model instances (raw column values turned into fields)."""
    conn = sqlite3.connect(f"file:{db_path(field)}?mode=ro", uri=True)
    try:
        instances = []
        for model in ASSIGNMENT_MODELS:
            cursor = conn.execute(f'SELECT * FROM "{_table(model)}" ORDER BY rowid')
            columns = [model._meta.columns[d[0]] for d in cursor.description]
            for row in cursor:
                instances.append(model(**{
                    f.name: (f.python_value(value) if value is not None else None)
                    for f, value in zip(columns, row, strict=True)
                }))
        return instances
    finally:
        conn.close()


def _leader_keys(field: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{db_path(field)}?mode=ro", uri=True)
    try:
        return {key[len(signatures.LOCAL_KEY_SETTING):]: value for key, value in conn.execute(
            "SELECT key, value FROM setting WHERE key LIKE ?", (signatures.LOCAL_KEY_SETTING + "%",))}
    finally:
        conn.close()


def make_office(office: Path, field: Path) -> None:
    """An office installation holding the field's assignment records as its own, keys bound."""
    instances = _assignment_instances(field)
    keys = _leader_keys(field)
    with opened(office):
        installation.ensure_device("office")  # not initialize() first: its own campaign and template
        with database.atomic():  # would duplicate the field's (same template id and version)
            changelog.bulk_create(instances)
            for member_id, public in keys.items():
                changelog.update(Member.get_by_id(member_id), sign_public_key=public)
        if campaigns.initialize("office"):  # the campaign is there: nothing to create
            raise RuntimeError("the office template was missing something initialize() makes")
        problems = audit.check_all()
        if problems:
            raise RuntimeError("the office template does not pass check: " + "; ".join(problems[:3]))


def make_pair(data_dir: Path, scratch: Path) -> Pair:
    """The one-group field copy and the office template, enrolled with each other."""
    field, office, usb = scratch / "field", scratch / "office-template", scratch / "usb"
    usb.mkdir(parents=True, exist_ok=True)
    with opened(office):
        installation.ensure_device("office")
        identity.write_card(scratch / "office.card")
    with opened(data_dir):
        identity.enroll(scratch / "office.card")
        device = identity.local_identity().device_id
    shutil.copytree(data_dir, field, ignore=shutil.ignore_patterns("backups", "fonts", "window.ini"))
    group, _leader = one_group(field)
    make_office(office, field)
    with opened(field):
        identity.write_card(scratch / "field.card")
    with opened(office):
        identity.enroll(scratch / "field.card", group=group)
    return Pair(field, office, usb, device, group)


# --- export ---------------------------------------------------------------------------------------


def _sendable() -> str:
    return ", ".join(f"'{t}'" for t in exporter.sendable_types("field"))


def export_figure(pair: Pair, runs: int, out_dir: Path) -> tuple[Figure, Path]:
    """Median export time; also returns one bundle for the import figure."""
    kept: list[Path] = []
    counts: list[int] = []

    def export() -> float:
        start = time.perf_counter()
        (result,) = service.export_to_folder(pair.usb, all_entries=True)
        elapsed = time.perf_counter() - start
        counts.append(result.entry_count)
        if kept:
            result.path.unlink()
        else:
            kept.append(result.path)
        return elapsed

    conn = sqlite3.connect(f"file:{db_path(pair.field)}?mode=ro", uri=True)
    lines = out_dir / "export-baseline.jsonl"

    def baseline() -> float:
        start = time.perf_counter()
        cursor = conn.execute(f"SELECT * FROM change_log WHERE device_id = ? AND record_type IN ({_sendable()})"
                              " ORDER BY seq", (pair.field_device,))
        names = [d[0] for d in cursor.description]
        with open(lines, "w", encoding="utf-8") as fh:
            for row in cursor:
                fh.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False))
                fh.write("\n")
        return time.perf_counter() - start

    with opened(pair.field):
        try:
            value, base = medians(export, baseline, runs, warmup=0)
        finally:
            conn.close()
    entries = counts[0]
    lines.unlink(missing_ok=True)
    pair.exported.add(kept[0])
    return Figure("export_100k", value, "s", base, runs, f"bundle of {entries} change entries of one group "
                  f"({kept[0].stat().st_size / 1e6:.0f} MB)"), kept[0]


def own_bundle(pair: Pair, bundle: Path | None) -> Path:
    """A bundle of the pair's field copy: ``bundle`` when export_figure made it, else one made now
    (untimed)."""
    if bundle is not None and bundle in pair.exported:
        return bundle
    if bundle is not None:
        bundle.unlink(missing_ok=True)
    with opened(pair.field):
        (result,) = service.export_to_folder(pair.usb, all_entries=True)
    pair.exported.add(result.path)
    return result.path


# --- import ---------------------------------------------------------------------------------------


def carried_rows(field: Path, device_id: str) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every row the import of the field copy's bundle writes, table by table, read beforehand:
    the field-writable records, their change-log entries (the office numbers them itself:
    no ``id``), the search documents and their full-text rows. The assignments are in the
    office template already."""
    conn = sqlite3.connect(f"file:{db_path(field)}?mode=ro", uri=True)
    try:
        rows = {}
        for model in FIELD_MODELS:
            cursor = conn.execute(f'SELECT * FROM "{_table(model)}"')
            rows[_table(model)] = ([d[0] for d in cursor.description], cursor.fetchall())
        types = ", ".join(f"'{t}'" for t in FIELD_TYPES)
        cursor = conn.execute(
            "SELECT device_id, seq, record_type, record_id, op, fields, member_id, at, prev_hash, hash FROM change_log"
            f" WHERE device_id = ? AND record_type IN ({types}) ORDER BY seq", (device_id,))
        rows["change_log"] = ([d[0] for d in cursor.description], cursor.fetchall())
        cursor = conn.execute("SELECT * FROM search_doc")
        rows["search_doc"] = ([d[0] for d in cursor.description], cursor.fetchall())
        rows["visit_fts"] = (["rowid", "body"], [(key, search.tokens(text)) for key, _visit, text in rows["search_doc"][1]])
        return rows
    finally:
        conn.close()


def _counts(folder: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{db_path(folder)}?mode=ro", uri=True)
    try:
        return {label: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table, label in COUNTED}
    finally:
        conn.close()


def import_figure(pair: Pair, bundle: Path | None, runs: int, scratch: Path) -> Figure:
    bundle = own_bundle(pair, bundle)
    results = []
    expected = _counts(pair.field)
    manifest = container.read_frame(bundle).manifest

    def import_once() -> float:
        office = scratch / "office-import"
        shutil.rmtree(office, ignore_errors=True)
        shutil.copytree(pair.office_template, office)
        with opened(office):
            start = time.perf_counter()
            result = service.import_bundle(bundle)
            elapsed = time.perf_counter() - start
            open_conflicts = SyncConflict.select().count()
        results.append(result)
        if not results[1:]:  # the first run: did the import really apply everything?
            counts = _counts(office)
            if (result.status != "imported" or result.applied != manifest["entry_count"] or result.held
                    or result.skipped or result.conflicts or open_conflicts or counts != expected):
                raise RuntimeError(f"the import did not apply the whole bundle: {result.status} {result.message!r}; "
                                   f"applied {result.applied} of {manifest['entry_count']}, conflicts "
                                   f"{result.conflicts}/{open_conflicts}; office {counts}, field {expected}")
        shutil.rmtree(office, ignore_errors=True)
        return elapsed

    rows = carried_rows(pair.field, pair.field_device)
    template_db = db_path(pair.office_template)
    target = scratch / "baseline.sqlite3"

    def remove_target() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)

    def baseline() -> float:
        remove_target()
        shutil.copyfile(template_db, target)  # the template is closed: its WAL is checkpointed
        conn = sqlite3.connect(target, isolation_level=None)
        for name, value in db.PRAGMAS.items():
            conn.execute(f"PRAGMA {name} = {value}")
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for table, (columns, values) in rows.items():
            names = ", ".join(f'"{c}"' if c != "rowid" else c for c in columns)
            marks = ", ".join("?" * len(columns))
            conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        conn.close()
        return elapsed

    value, base = medians(import_once, baseline, runs, warmup=0)
    remove_target()
    first = results[0]
    written = sum(len(v) for _, v in rows.values())
    return Figure("import_100k", value, "s", base, runs,
                  f"{first.applied} entries of one group ({expected['visit']} visits) into an office holding "
                  f"the assignments; baseline inserts {written} rows")

