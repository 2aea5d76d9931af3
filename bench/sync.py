"""export_100k and import_100k: a bundle of every change entry of the large data set.

The data folder is a field installation; an office installation is made beside it and the two
enrol each other's cards. ``export_100k`` writes a bundle of every entry (``all_entries``);
``import_100k`` imports that bundle into an empty office database (a fresh copy each run).

Baselines, as issue 7 sets them: for export, sqlite3 reading the same change-log rows and
writing them to a file as JSON lines; for import, sqlite3 ``executemany`` of the same rows
(records, change log, search documents) into an empty database with the office's schema — the
same tables, indexes and full-text index — with the program's pragmas, in one transaction.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from supervisor_app import campaigns, db, search, store
from supervisor_app.paths import db_path
from supervisor_app.sync import identity, service

from .measure import Figure, medians

LOCAL_TABLES = ("device", "setting")  # never carried by a bundle


opened = store.opened


@dataclass
class Pair:
    field: Path
    office_template: Path  # an enrolled, empty office; each import works on a copy
    usb: Path
    field_device: str


def make_pair(field: Path, scratch: Path) -> Pair:
    """An empty office beside the field data folder, the two enrolled with each other."""
    office = scratch / "office-empty"
    usb = scratch / "usb"
    usb.mkdir(parents=True, exist_ok=True)
    with opened(office):
        campaigns.initialize("office")
        identity.write_card(scratch / "office.card")
    with opened(field):
        identity.write_card(scratch / "field.card")
        identity.enroll(scratch / "office.card")
        device = identity.local_identity().device_id
    with opened(office):
        identity.enroll(scratch / "field.card")
    return Pair(field, office, usb, device)


# --- export ---------------------------------------------------------------------------------------


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
        cursor = conn.execute("SELECT * FROM change_log WHERE device_id = ? ORDER BY seq", (pair.field_device,))
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
    return Figure("export_100k", value, "s", base, runs, f"bundle of {entries} change entries "
                  f"({kept[0].stat().st_size / 1e6:.0f} MB)"), kept[0]


# --- import ---------------------------------------------------------------------------------------


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]


def carried_rows(field: Path, office_tables: list[str]) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every row an import of the whole field database writes, table by table, read beforehand."""
    conn = sqlite3.connect(f"file:{db_path(field)}?mode=ro", uri=True)
    try:
        rows = {}
        for table in _tables(conn):
            if (table in LOCAL_TABLES or table.startswith(("sqlite_", "sync_", "visit_fts"))
                    or table not in office_tables):
                continue
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            rows[table] = ([d[0] for d in cursor.description], cursor.fetchall())
        docs = rows.get("search_doc", ([], []))[1]
        rows["visit_fts"] = (["rowid", "body"], [(key, search.tokens(text)) for key, _visit, text in docs])
        return rows
    finally:
        conn.close()


def office_schema(office: Path) -> tuple[list[str], list[str]]:
    """The office database's schema (tables, indexes, the full-text index) as SQL, and its tables."""
    conn = sqlite3.connect(f"file:{db_path(office)}?mode=ro", uri=True)
    try:
        statements = [sql for (sql,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'visit_fts_%' ORDER BY rowid"
        )]
        return statements, _tables(conn)
    finally:
        conn.close()


def import_figure(pair: Pair, bundle: Path, runs: int, scratch: Path) -> Figure:
    results = []

    def import_once() -> float:
        office = scratch / "office-import"
        shutil.rmtree(office, ignore_errors=True)
        shutil.copytree(pair.office_template, office)
        with opened(office):
            start = time.perf_counter()
            result = service.import_bundle(bundle)
            elapsed = time.perf_counter() - start
        results.append(result)
        shutil.rmtree(office, ignore_errors=True)
        return elapsed

    schema, tables = office_schema(pair.office_template)
    rows = carried_rows(pair.field, tables)
    target = scratch / "baseline.sqlite3"

    def baseline() -> float:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        conn = sqlite3.connect(target, isolation_level=None)
        for name, value in db.PRAGMAS.items():
            conn.execute(f"PRAGMA {name} = {value}")
        for sql in schema:
            conn.execute(sql)
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
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    first = results[0]
    if first.status != "imported" or first.applied != first.entry_count:
        raise RuntimeError(f"import did not apply the whole bundle: {first.message}")
    written = sum(len(v) for _, v in rows.values())
    return Figure("import_100k", value, "s", base, runs,
                  f"{first.applied} entries into an empty office; baseline inserts {written} rows")
