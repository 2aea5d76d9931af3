"""A record type's rules as an ordered list of checks, each marked by what it reads.

``ALONE``: the record itself and the templates (``Lookup.template`` / ``current_template``),
nothing else. ``RELATED``: other records too. ``Checks`` runs them all in order (the order of
the form, so the first error is the one the form shows first); a large import runs the ALONE
ones of its new records ahead, in its second process (``rules.check_alone``), and only the
rest here (``rules.check_record(..., alone_checked=True)``).

A check marked ALONE that reads a record anyway is not trusted blindly: the lookup the second
process gives it (``TemplateLookup``) raises ``NeedsRecords``, and the record is then checked
in full here.
"""

from __future__ import annotations

from collections.abc import Callable

ALONE, RELATED = "alone", "related"

Check = Callable[[dict, "dict | None", object], None]


class Checks:
    """Callable like any rule: ``rule(state, old, lookup)`` runs every check in order."""

    __slots__ = ("checks", "alone", "related")

    def __init__(self, *checks: tuple[str, Check]):
        if any(kind not in (ALONE, RELATED) for kind, _check in checks):
            raise ValueError("each check is ALONE or RELATED")
        self.checks = checks
        self.alone = tuple(check for kind, check in checks if kind == ALONE)
        self.related = tuple(check for kind, check in checks if kind == RELATED)

    def __call__(self, state: dict, old: dict | None, lookup) -> None:
        for _kind, check in self.checks:
            check(state, old, lookup)


def halves(rule) -> tuple[tuple[Check, ...], tuple[Check, ...]]:
    """(the ALONE checks, the rest) of a rule; a plain function is all RELATED."""
    if isinstance(rule, Checks):
        return rule.alone, rule.related
    return (), (rule,)
