"""`check`: the database's integrity, its foreign keys, one type per record id, every record logged, the
change-log chain."""

from __future__ import annotations

from . import changelog
from .models import SYNCED_MODELS, TYPE_LABELS, database


def check_all() -> list[str]:
    """Return every problem found (empty when all is well), in plain Chinese."""
    problems: list[str] = []
    integrity = [row[0] for row in database.execute_sql("PRAGMA integrity_check").fetchall()]
    if integrity != ["ok"]:
        problems.extend(f"数据库完整性检查：{line}" for line in integrity[:20])
    for table, rowid, parent, _fk in database.execute_sql("PRAGMA foreign_key_check").fetchall()[:20]:
        problems.append(f"外键检查：表 {table} 第 {rowid} 行引用的 {parent} 记录不存在")
    # A record id names one record whatever its type (sync/admission.py refuses a second type
    # on import); an id logged under two types is one found here from before that rule.
    for record_id, types in database.execute_sql(
            "SELECT record_id, GROUP_CONCAT(DISTINCT record_type) FROM change_log GROUP BY record_id"
            " HAVING COUNT(DISTINCT record_type) > 1 LIMIT 20").fetchall():
        problems.append(f"记录编号 {record_id} 被多种记录共用（{types}），请联系技术人员")
    # Every write of a synced record logs it (changelog.py, sync/apply.py); the import's
    # admission looks for stored records only among logged ids (sync/admission.py). A row
    # without a single entry was put here some other way.
    for model in SYNCED_MODELS:
        for (record_id,) in database.execute_sql(
                f'SELECT t.id FROM "{model._meta.table_name}" AS t WHERE NOT EXISTS'
                " (SELECT 1 FROM change_log AS c WHERE c.record_id = t.id) LIMIT 20").fetchall():
            label = TYPE_LABELS.get(model.RECORD_TYPE, model.RECORD_TYPE)
            problems.append(f"{label} {record_id} 没有任何变更记录（不是经本程序写入的），请联系技术人员")
    broken = changelog.verify_chain()
    if broken is not None:
        problems.append(str(broken))
    from . import evaluations

    problems.extend(evaluations.verify_signatures())
    return problems
