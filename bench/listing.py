"""filter_100k and search_100k: the visit list's first page through the services the window
uses (``visits.count_visits`` + ``visits.visit_rows``), against the very SQL they ran, run
directly through sqlite3.

The baseline's statements are captured from the service call itself, so they stay the same
SQL whatever the service does.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from supervisor_app import db, visits
from supervisor_app.models import database
from supervisor_app.paths import db_path

from .data import ANCHOR
from .measure import Figure, medians

SEARCH_TEXT = "四风"  # the example the search box itself offers; a two-character word


def page_size() -> int:
    """The visit list's page (what the window fetches first)."""
    from ui.models.visit_table import PAGE_SIZE

    return PAGE_SIZE


def filter_by_unit_and_dates() -> visits.VisitFilter:
    """A county with its townships and villages, over the last year of data."""
    county = database.execute_sql(
        "SELECT id FROM unit WHERE kind = '县市区' AND deleted = 0 ORDER BY sort_order, id LIMIT 1"
    ).fetchone()[0]
    return visits.VisitFilter(unit_id=county, include_sub_units=True,
                              date_from=(ANCHOR - timedelta(days=365)).isoformat(), date_to=ANCHOR.isoformat())


def first_page(flt: visits.VisitFilter, limit: int) -> tuple[int, int]:
    """What the window does when a filter changes: count, then the first page."""
    total = visits.count_visits(flt)
    rows = visits.visit_rows(flt, limit=limit)
    return total, len(rows)


def captured_sql(fn) -> list[tuple[str, list]]:
    """The statements ``fn`` runs through the bound database, with their parameters."""
    bound = database.obj
    calls: list[tuple[str, list]] = []
    original = bound.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        calls.append((sql, list(params or ())))
        return original(sql, params, *args, **kwargs)

    bound.execute_sql = spy
    try:
        fn()
    finally:
        del bound.execute_sql
    return calls


def raw_connection(data_dir: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection to the same file with the program's pragmas."""
    conn = sqlite3.connect(db_path(data_dir), isolation_level=None)
    for name, value in db.PRAGMAS.items():
        conn.execute(f"PRAGMA {name} = {value}")
    return conn


def _figure(name: str, flt: visits.VisitFilter, data_dir: Path, runs: int, what: str) -> Figure:
    limit = page_size()
    first_page(flt, limit)  # warm: the template and the page cache, as in a window already open
    statements = captured_sql(lambda: first_page(flt, limit))
    conn = raw_connection(data_dir)

    def service() -> float:
        start = time.perf_counter()
        first_page(flt, limit)
        return time.perf_counter() - start

    def raw() -> float:
        start = time.perf_counter()
        for sql, params in statements:
            conn.execute(sql, params).fetchall()
        return time.perf_counter() - start

    try:
        value, baseline = medians(service, raw, runs, warmup=2)
    finally:
        conn.close()
    total, _ = first_page(flt, limit)
    return Figure(name, value * 1000, "ms", baseline * 1000, runs,
                  f"{what}: {total} matches, count + first {limit} rows ({len(statements)} statements)")


def filter_figure(data_dir: Path, runs: int) -> Figure:
    flt = filter_by_unit_and_dates()
    return _figure("filter_100k", flt, data_dir, runs, "a county and its sub-units over one year")


def search_figure(data_dir: Path, runs: int) -> Figure:
    flt = visits.VisitFilter(search=SEARCH_TEXT)
    return _figure("search_100k", flt, data_dir, runs, f"full-text search for {SEARCH_TEXT}")
