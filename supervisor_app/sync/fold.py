"""The fold: one record's state from all its change-log entries, and the conflicts among them.

Pure: no database. A record's content is the fold of every entry logged for it, in
``Entry.sort_key`` order (version, time, device, seq): an insert sets every field, an update or a
tombstone the fields it carries. The order does not depend on when entries arrived, so
importing bundles in any order gives the same records.

Conflicts: two entries of one record from different devices where neither knew the other
(see ``Entry.knows``) and that set a field to different values — or where one deletes and the
other edits.

Signed evaluations (纪实评价) are never overwritten: once a signing entry exists, the record
is the fold of what the signer knew when signing; content changes made without knowing of the
signing — to the record or to its facts — are excluded and listed as conflicts of reason
``signed``. (A change that *knew* of the signing never gets here: admission.py refuses it.)
"""

from __future__ import annotations

from collections.abc import Iterable

from ..canonical import canonical_text
from .entries import Entry

_canon = canonical_text


def _same(a, b) -> bool:
    return a == b if type(a) is str and type(b) is str else _canon(a) == _canon(b)


def differing_fields(a: Entry, b: Entry) -> list[str]:
    """The fields two concurrent changes disagree on (empty: they can both stand)."""
    ca, cb = a.content, b.content
    if a.op == "delete" or b.op == "delete":
        if a.op == b.op:
            return []
        return sorted(set(ca) | set(cb) | {"deleted"})
    return sorted(k for k in set(ca) & set(cb) if not _same(ca[k], cb[k]))


def signing_entry(entries: Iterable[Entry]) -> Entry | None:
    signing = [e for e in entries if e.is_signing]
    return min(signing, key=Entry.sort_key) if signing else None


class Folded:
    __slots__ = ("state", "included", "excluded", "conflicts")

    def __init__(self):
        self.state: dict | None = None
        self.included: list[Entry] = []
        self.excluded: list[Entry] = []
        self.conflicts: list[tuple[str, list[str], list[Entry]]] = []


def fold(entries: list[Entry], frozen_by: Entry | None = None, local_device_id: str = "") -> Folded:
    """The state of one record from all its entries, and the conflicts among the new ones."""
    result = Folded()
    if len(entries) == 1 and frozen_by is None:  # most imports: a record new here, in one entry
        result.included.append(entries[0])
        result.state = dict(entries[0].fields)
        return result
    ordered = sorted(entries, key=Entry.sort_key)
    signing = signing_entry(ordered) if frozen_by is None else None
    for entry in ordered:
        if signing is not None:
            keep = entry is signing or signing.knows(entry) or (entry.knows(signing) and entry.meta_only)
        elif frozen_by is not None:  # a fact of a signed evaluation
            keep = _known_at_signing(entry, frozen_by, local_device_id) or entry.meta_only
        else:
            keep = True
        (result.included if keep else result.excluded).append(entry)
    state = None
    for entry in result.included:
        if entry.op == "insert" or state is None:
            state = dict(entry.fields)
        else:
            state.update(entry.fields)
    result.state = state
    new_excluded = [e for e in result.excluded if e.new and not e.meta_only]
    if new_excluded:
        fields = sorted({k for e in new_excluded for k in e.content})
        result.conflicts.append(("signed", fields, new_excluded))
    devices = {e.device_id for e in result.included}
    if len(devices) > 1:
        for i, a in enumerate(result.included):
            for b in result.included[i + 1 :]:
                if a.device_id == b.device_id or not (a.new or b.new) or a.knows(b) or b.knows(a):
                    continue
                fields = differing_fields(a, b)
                if fields:
                    result.conflicts.append(("concurrent", fields, [a, b]))
    return result


def _known_at_signing(entry: Entry, signing: Entry, local_device_id: str) -> bool:
    if signing.device_id == local_device_id and signing.log_id is not None:
        return entry.log_id is not None and entry.log_id < signing.log_id
    return entry.device_id == signing.device_id and entry.seq < signing.seq


def _last_value(entries: list[Entry], name: str):
    value = None
    for entry in sorted(entries, key=Entry.sort_key):
        if name in entry.fields:
            value = entry.fields[name]
    return value
