"""Chinese full-text search over visits: SQLite FTS5 on overlapping two-character tokens.

FTS5's trigram tokenizer cannot match queries shorter than three characters, yet two-character
words (四风, 整改, 党课) are the most common Chinese queries. So the text of each visit (notes,
people met, the descriptions of its findings) is turned into overlapping bigrams
("四风问题" → "四风 风问 问题") and a query becomes the phrase of its own bigrams, which matches
exactly the documents containing the query as a substring of one run of letters. A
one-character query falls back to a scan of the stored text.

The indexed text is kept in ``search_doc`` so that an update can remove exactly the tokens it
indexed before (the FTS table is contentless: SQLite 3.40 has no contentless_delete).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from operator import add as _add

import peewee

from .models import database

SCHEMA_SQL = (
    "CREATE TABLE IF NOT EXISTS search_doc ("
    " key INTEGER PRIMARY KEY, visit_id TEXT NOT NULL UNIQUE, text TEXT NOT NULL)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS visit_fts USING fts5("
    " body, content='', tokenize='unicode61 remove_diacritics 0')",
)

_RUN = re.compile(r"[^\W_]+", re.UNICODE)

# FTS5 keeps this much new index data in memory before it writes a segment (its "hashsize");
# DEFAULT_HASH_BYTES is FTS5's own default, BULK_HASH_BYTES what bulk_index sets.
DEFAULT_HASH_BYTES = 1 << 20
BULK_HASH_BYTES = 64 << 20
_SET_HASHSIZE = "INSERT INTO visit_fts(visit_fts, rank) VALUES ('hashsize', ?)"


def tokens(text: str) -> str:
    """Return the space-separated bigram tokens of ``text`` (runs of one letter stay whole)."""
    out: list[str] = []
    for run in _RUN.findall(text.lower()):
        if len(run) == 1:
            out.append(run)
        else:  # run[i] + run[i + 1] is run[i : i + 2]; map does it without a Python loop
            out.extend(map(_add, run[:-1], run[1:]))
    return " ".join(out)


def match_expression(query: str) -> str | None:
    """Return the FTS5 MATCH expression for the runs of two or more letters in ``query``.

    Each run is matched as the phrase of its bigrams; None when there is no such run.
    """
    runs = [run for run in _RUN.findall(query.lower()) if len(run) >= 2]
    if not runs:
        return None
    return " AND ".join('"' + tokens(run) + '"' for run in runs)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def document_text(notes: str, people_met: str, findings: list[str]) -> str:
    return "\n".join([notes or "", people_met or "", *findings])


def index_visit(visit_id: str, text: str) -> None:
    """Replace the indexed text of one visit (call inside the writing transaction)."""
    row = database.execute_sql("SELECT key, text FROM search_doc WHERE visit_id = ?", (visit_id,)).fetchone()
    if row is not None:
        key, old = row
        if old == text:
            return
        database.execute_sql(
            "INSERT INTO visit_fts(visit_fts, rowid, body) VALUES('delete', ?, ?)", (key, tokens(old))
        )
        database.execute_sql("UPDATE search_doc SET text = ? WHERE key = ?", (text, key))
    else:
        cursor = database.execute_sql("INSERT INTO search_doc(visit_id, text) VALUES (?, ?)", (visit_id, text))
        key = cursor.lastrowid
    database.execute_sql("INSERT INTO visit_fts(rowid, body) VALUES (?, ?)", (key, tokens(text)))


@contextlib.contextmanager
def bulk_index() -> Iterator[None]:
    """While one transaction indexes many documents (a large import): FTS5 holds up to
    ``BULK_HASH_BYTES`` of new index data in memory, instead of writing a small segment every
    megabyte and merging the segments again and again, and writes it at the commit. The
    setting is stored in the index's own configuration, so the stored value is put back
    before the block ends (inside the caller's transaction: the stored configuration is as
    before)."""
    stored = database.execute_sql("SELECT v FROM visit_fts_config WHERE k = 'hashsize'").fetchone()

    def restore() -> None:
        database.execute_sql(_SET_HASHSIZE, (stored[0] if stored else DEFAULT_HASH_BYTES,))
        if stored is None:
            database.execute_sql("DELETE FROM visit_fts_config WHERE k = 'hashsize'")

    try:
        database.execute_sql(_SET_HASHSIZE, (BULK_HASH_BYTES,))
    except peewee.OperationalError:  # an SQLite whose FTS5 has no such setting: index as usual
        yield
        return
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):  # the transaction is being undone anyway
            restore()
        raise
    restore()


def index_many(docs: list[tuple[str, str]], tokenized: list[str] | None = None) -> None:
    """Index many new visits at once (visit_id, text); they must not be indexed yet.

    ``tokenized``: the ``tokens`` of each text in the same order, when worked out elsewhere
    (a large import's second process). Keys are the next free ones, as single inserts take them.
    """
    if not docs:
        return
    conn = database.connection()
    first = conn.execute("SELECT COALESCE(MAX(key), 0) + 1 FROM search_doc").fetchone()[0]
    keys = range(first, first + len(docs))
    conn.executemany("INSERT INTO search_doc(key, visit_id, text) VALUES (?, ?, ?)",
                     [(key, visit_id, text) for key, (visit_id, text) in zip(keys, docs, strict=True)])
    if tokenized is None:
        tokenized = [tokens(text) for _, text in docs]
    conn.executemany("INSERT INTO visit_fts(rowid, body) VALUES (?, ?)", zip(keys, tokenized, strict=True))


def remove_visit(visit_id: str) -> None:
    row = database.execute_sql("SELECT key, text FROM search_doc WHERE visit_id = ?", (visit_id,)).fetchone()
    if row is None:
        return
    key, old = row
    database.execute_sql("INSERT INTO visit_fts(visit_fts, rowid, body) VALUES('delete', ?, ?)", (key, tokens(old)))
    database.execute_sql("DELETE FROM search_doc WHERE key = ?", (key,))


# Above this many matching visits, a list checks each visit it walks (in its sort order, stopping
# after a page) against the matches, rather than fetching and sorting every match.
MANY_MATCHES = 2000


def _document_conditions(query: str, alias: str = "") -> tuple[list[str], list[str]]:
    """Conditions on ``search_doc`` (columns prefixed with ``alias``) selecting the documents matching ``query``."""
    column = f"{alias}." if alias else ""
    runs = _RUN.findall(query.lower())
    if not runs:
        return [f"{column}text LIKE ? ESCAPE '\\'"], [_like(query)]
    clauses: list[str] = []
    params: list[str] = []
    expression = match_expression(query)
    if expression is not None:
        clauses.append(f"{column}key IN (SELECT rowid FROM visit_fts WHERE visit_fts MATCH ?)")
        params.append(expression)
    for run in runs:
        if len(run) == 1:
            clauses.append(f"{column}text LIKE ? ESCAPE '\\'")
            params.append(_like(run))
    return clauses, params


def matching_visit_ids_sql(query: str) -> tuple[str, tuple]:
    """Return SQL selecting the ids of visits whose text matches ``query``, with its params.

    A visit matches when it contains every run of letters of the query (spaces and punctuation
    separate runs). Runs of two or more letters go through the index; one-letter runs are
    scanned. A query with no letters at all is scanned for as it is.
    """
    clauses, params = _document_conditions(query)
    return "SELECT visit_id FROM search_doc WHERE " + " AND ".join(clauses), tuple(params)


def visit_condition(query: str, visit_id: str = "v.id") -> tuple[str, tuple]:
    """Return an SQL condition that the visit whose id is ``visit_id`` matches ``query``, with its params.

    Shaped by how many visits the index matches. Few: ``id IN (the matching ids)``, so that
    SQLite starts from the matches. Many (a common word such as 四风 is in a third of all
    visits): ``EXISTS (its document matches)``, so that SQLite walks the visits in the list's
    order, checks each against the matching documents (collected once) and stops after a
    page — fetching and sorting 40 000 matches to show 200 took ten times longer.
    """
    indexed = _indexed_matches(query, limit=MANY_MATCHES + 1)
    if indexed is None or indexed <= MANY_MATCHES:
        sql, params = matching_visit_ids_sql(query)
        return f"{visit_id} IN ({sql})", params
    clauses, params = _document_conditions(query, alias="d")
    return (f"EXISTS (SELECT 1 FROM search_doc d WHERE d.visit_id = {visit_id} AND {' AND '.join(clauses)})",
            tuple(params))


def _indexed_matches(query: str, limit: int | None = None) -> int | None:
    """How many documents the index matches for the runs of two or more letters (counting
    stops at ``limit``); None when the query has no such run."""
    expression = match_expression(query)
    if expression is None:
        return None
    sql = "SELECT rowid FROM visit_fts WHERE visit_fts MATCH ?"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return database.execute_sql(f"SELECT COUNT(*) FROM ({sql})", (expression,)).fetchone()[0]


def count_indexed(query: str) -> int | None:
    """The number of indexed documents matching ``query``, counted in the index alone.

    None when the index cannot answer alone (a one-letter run or no letters: those are
    scanned). Tombstoned visits are removed from the index, so this is the number of live
    visits that match, as long as the index is kept with the visits.
    """
    runs = _RUN.findall(query.lower())
    if not runs or any(len(run) == 1 for run in runs):
        return None
    return _indexed_matches(query)


def tombstoned_matches_sql(query: str) -> tuple[str, tuple]:
    """SQL counting the tombstoned visits still in the index that match ``query`` (none, unless
    a writer forgot the index) — what makes :func:`count_indexed` exact."""
    clauses, params = _document_conditions(query, alias="d")
    return ("SELECT COUNT(*) FROM visit v WHERE v.deleted = 1 AND EXISTS (SELECT 1 FROM search_doc d"
            f" WHERE d.visit_id = v.id AND {' AND '.join(clauses)})", tuple(params))


# --- what a hit shows --------------------------------------------------------------------------------


def snippet(text: str, query: str, width: int = 24) -> tuple[str, str, str] | None:
    """The passage of ``text`` around the first place it holds ``query``: (before, the words
    found, after), each side at most ``width`` characters on its line, with … where cut.

    The query's runs of letters are looked for in turn (the longest first), as the search
    matches them; None when none is in the text.
    """
    runs = sorted(set(_RUN.findall(query.lower())) or {query.strip().lower()}, key=len, reverse=True)
    folded = text.lower()  # lower() keeps Chinese and most text the same length
    if len(folded) != len(text):
        folded = text
    for run in runs:
        at = folded.find(run) if run else -1
        if at < 0:
            continue
        end = at + len(run)
        line_start = text.rfind("\n", 0, at) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        start, stop = max(line_start, at - width), min(line_end, end + width)
        before = ("…" if start > 0 else "") + text[start:at]
        after = text[end:stop] + ("…" if stop < len(text) else "")
        return before, text[at:end], after
    return None


def snippets(visit_ids: list[str], query: str, width: int = 24) -> dict[str, tuple[str, str, str]]:
    """visit id → its snippet for ``query`` (see :func:`snippet`), read from the indexed text."""
    found: dict[str, tuple[str, str, str]] = {}
    for start in range(0, len(visit_ids), 500):
        chunk = visit_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        rows = database.execute_sql(f"SELECT visit_id, text FROM search_doc WHERE visit_id IN ({marks})", chunk)
        for visit_id, text in rows:
            cut = snippet(text, query, width)
            if cut is not None:
                found[visit_id] = cut
    return found
