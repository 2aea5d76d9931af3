"""Small helpers that create valid records through the services."""

from __future__ import annotations

from supervisor_app import units, visits


def county(name: str = "临江县"):
    return units.create_unit(name, "县市区")


def leader(unit, name: str = "王建国", position: str = "县委书记", **extra):
    return units.create_leader(name, position, unit, **extra)


def visit(unit, notes: str = "查阅学习笔记，发现照抄照搬。", started_at: str = "2014-04-08T09:30", **extra):
    extra.setdefault("methods", ["查阅资料"])
    return visits.create_visit(unit, started_at, notes=notes, **extra)
