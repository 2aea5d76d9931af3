"""`check`: the database's integrity, its foreign keys and the change-log chain."""

from __future__ import annotations

from . import changelog
from .models import database


def check_all() -> list[str]:
    """Return every problem found (empty when all is well), in plain Chinese."""
    problems: list[str] = []
    integrity = [row[0] for row in database.execute_sql("PRAGMA integrity_check").fetchall()]
    if integrity != ["ok"]:
        problems.extend(f"数据库完整性检查：{line}" for line in integrity[:20])
    for table, rowid, parent, _fk in database.execute_sql("PRAGMA foreign_key_check").fetchall()[:20]:
        problems.append(f"外键检查：表 {table} 第 {rowid} 行引用的 {parent} 记录不存在")
    broken = changelog.verify_chain()
    if broken is not None:
        problems.append(str(broken))
    from . import evaluations

    problems.extend(evaluations.verify_signatures())
    return problems
