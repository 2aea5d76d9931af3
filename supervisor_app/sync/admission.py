"""Who may send what: the authorization rules every imported bundle and entry must pass.

An enrolled device is trusted to be itself, nothing more (docs/sync.md has the table):

- The office writes anything, as itself: the campaign, templates, groups, members and the
  binding of a leader to a signing key, units, teams and leaders — and corrections of any
  record. A field device writes only its own group's records: visits and what hangs on them
  (attachments, assessments, quizzes), findings, rectifications and their follow-ups, its
  group's 纪实评价 with their facts and amendments, the 专题民主生活会 it attended, its units' 整改方案
  and 专项整治 progress; under its own device id, naming only its own group's members. Its group is
  the one the office bound it to (``enroll --group``, ``device assign``), never what its bundle claims.
- A bundle carries only its sender's own entries; it declares sequence ranges, cursors and
  held ranges for its sender only; what an entry claims to know of other devices' entries
  (``deps``) may not exceed what the receiver sent it.
- A signed 纪实评价 counts as signed only when the signature verifies against the key the office
  bound to the group's leader. No entry that knew of the signing may change it, unsign it or
  change its facts; a change made without knowing of it is kept aside as a conflict. An
  amendment must be signed by the leader's bound key.

One entry outside its sender's rights refuses the whole bundle, with a reason naming it.
"""

from __future__ import annotations

from peewee import fn

from ..models import TYPE_LABELS, ChangeLog, Device, database
from ..rules.lookup import read_states
from ..rules.visits import stays_on_visit
from ..signatures import KeyCache, amendment_problem, amendment_target_problem, evaluation_signature_problem
from .entries import MAX_SEQ, Entry
from .errors import UnsafeContentError
from .models import SyncBundle, SyncHeldRange

# What a field device may write: its own group's records.
FIELD_TYPES = frozenset((
    "visit", "attachment", "assessment", "quiz", "finding", "rectification", "followup", "evaluation", "fact",
    "amendment", "progress", "supervision_problem", "meeting", "rplan", "stask_status",
))
SIGNING_FIELDS = frozenset(("signed_by", "signed_at", "content_hash", "signature"))
MAX_GAP = 5_000_000  # entries a held range may wait for
MAX_HELD_RANGES = 200  # per device
MAX_DEPS = 64

# The field naming the record a record hangs on, and that record's type.
PARENT = {
    "attachment": ("visit", "visit"), "assessment": ("visit", "visit"), "quiz": ("visit", "visit"),
    "rectification": ("finding", "finding"), "followup": ("rectification", "rectification"),
    "fact": ("evaluation", "evaluation"), "amendment": ("evaluation", "evaluation"),
}


def refuse(entry: Entry, why: str) -> UnsafeContentError:
    label = TYPE_LABELS.get(entry.record_type, entry.record_type)
    return UnsafeContentError(
        f"同步包中的第 {entry.seq} 条变更（{label} {entry.record_id[:8]}）{why}，整个同步包已拒绝，未作任何改动。",
        field=f"{entry.device_id}:{entry.seq}",
    )


def exported_upto(peer_id: str, origin_id: str) -> int:
    """The highest seq of ``origin_id`` this installation has sent to ``peer_id``."""
    best = 0
    for (ranges,) in SyncBundle.select(SyncBundle.ranges).where(
        (SyncBundle.direction == "out") & (SyncBundle.peer_device_id == peer_id)
    ).tuples():
        for rng in SyncBundle.ranges.python_value(ranges) if isinstance(ranges, str) else ranges:
            if rng.get("device_id") == origin_id:
                best = max(best, rng.get("upto", 0))
    return best


def own_max_seq(device_id: str) -> int:
    return ChangeLog.select(fn.MAX(ChangeLog.seq)).where(ChangeLog.device_id == device_id).scalar() or 0


def check_manifest(manifest: dict, sender: Device, me_id: str, cursor_of) -> None:
    """The sender's claims about itself and others: group, ranges, held ranges, cursors."""
    from .errors import UnsafeContentError as Refused

    claimed = manifest["sender"].get("group_id")
    if sender.role == "field":
        if manifest["entry_count"] and not sender.group_id:
            raise Refused(
                f"设备 {sender.id[:8]} 尚未由活动办分配督导组，不能接收它的记录。"
                "请在“同步”页点“② 登记对方的设备卡…”，再次登记这台设备的设备卡，并选择它所属的督导组。",
                field="sender.group_id",
            )
        if claimed not in (None, sender.group_id):
            raise Refused("同步包清单声称来自另一个督导组，与活动办为该设备登记的督导组不符，已拒绝。",
                          field="sender.group_id")
    held = SyncHeldRange.select().where(SyncHeldRange.device_id == sender.id).count()
    for rng in manifest["ranges"]:
        if rng["device_id"] != sender.id:
            raise Refused(
                f"同步包为其他设备（{rng['device_id'][:8]}）声明了变更范围；每台设备只能为自己声明，已拒绝。",
                field="ranges",
            )
        if rng["upto"] > MAX_SEQ or rng["after"] > rng["upto"]:
            raise Refused("同步包声明的变更序号超出合理范围，已拒绝。", field="ranges")
        current = cursor_of(sender.id)
        if rng["after"] > current:
            if rng["after"] - current > MAX_GAP:
                raise Refused(f"同步包声明缺少的变更过多（{rng['after'] - current} 条），疑似伪造，已拒绝。",
                              field="ranges")
            held += 1
            if held > MAX_HELD_RANGES:
                raise Refused("该设备暂存待补的同步包过多，已拒绝；请先导入缺少的同步包。", field="ranges")
    sent = own_max_seq(me_id) if sender.role == "office" else exported_upto(sender.id, me_id)
    for origin, upto in manifest["acks"].items():
        if origin != me_id:
            raise Refused(f"同步包声明了其他设备（{origin[:8]}）的接收进度；只能确认本机发给它的变更，已拒绝。",
                          field="acks")
        if upto > sent:
            raise Refused(f"同步包声称已收到本机第 {upto} 条变更，而本机只发出到第 {sent} 条，已拒绝。", field="acks")


class Admission:
    """Checks every entry of one import against its origin's rights, in arrival order.

    Keeps the state each record reaches through the entries checked so far (over what is
    stored here), so that a record made earlier in the same bundle is known to later ones.
    """

    def __init__(self, sender: Device, me_id: str):
        self.sender = sender
        self.me = me_id
        self.group = sender.group_id if sender.role == "field" else None
        # (record type, id) → its state | None (not stored). Keyed by type too: ids are unique
        # per table only, and a record of one type must never stand for one of another.
        self.states: dict[tuple[str, str], dict | None] = {}
        self.signings: dict[str, Entry | None] = {}  # evaluation id → its signing entry
        self.keys = KeyCache()
        self.members: dict[str, dict | None] = {}
        sent_max = exported_upto(sender.id, me_id) if sender.role == "field" else own_max_seq(me_id)
        self.known_of_me = sent_max  # what the sender can have seen of this installation's entries
        self.absent: set[tuple[str, str]] = set()  # of the entries last checked, (type, id) not stored here

    # -- stored states, fetched per batch
    def prefetch(self, entries: list[Entry], logged: set[str] | None = None) -> None:
        """Read the stored states of the records of ``entries`` not known yet. ``logged``: the
        ids among them that the change log has; the others are not looked for (every write of a
        record logs it: changelog.py, apply.py; a row some other program slipped in unlogged
        makes the import's insert of it fail, and the bundle is refused)."""
        wanted: dict[str, set[str]] = {}
        for e in entries:
            if (e.record_type, e.record_id) not in self.states and (logged is None or e.record_id in logged):
                wanted.setdefault(e.record_type, set()).add(e.record_id)
        for record_type, ids in wanted.items():
            for state in read_states(record_type, ids):
                self.states[(record_type, state["id"])] = state
        # Records not stored here before these entries: none read from the database, and none
        # admitted since (an import writes only records whose entries were admitted).
        self.absent = {key for e in entries if self.states.setdefault(key := (e.record_type, e.record_id), None) is None}

    def _state(self, record_type: str, record_id) -> dict | None:
        if not isinstance(record_id, str):
            return None
        key = (record_type, record_id)
        if key not in self.states:
            found = read_states(record_type, [record_id])
            self.states[key] = found[0] if found else None
        return self.states[key]

    def owner(self, record_type: str, state: dict | None, depth: int = 0) -> str | None:
        """The group a record belongs to (None: none, or unknown here)."""
        if state is None or depth > 4:
            return None
        if record_type in ("visit", "evaluation", "supervision_problem", "meeting"):  # a meeting's unit is its group's (rules)
            return state.get("group")
        if record_type in ("progress", "rplan", "stask_status"):  # a unit's progress and plans are its group's
            unit = self._state("unit", state.get("unit"))
            return unit.get("group") if unit else None
        if record_type == "finding":
            if state.get("visit"):
                return self.owner("visit", self._state("visit", state.get("visit")), depth + 1)
            unit = self._state("unit", state.get("unit"))
            return unit.get("group") if unit else None
        parent = PARENT.get(record_type)
        if parent is None:
            return None
        name, parent_type = parent
        return self.owner(parent_type, self._state(parent_type, state.get(name)), depth + 1)

    def _member(self, member_id) -> dict | None:
        if not isinstance(member_id, str):
            return None
        if member_id not in self.members:
            self.members[member_id] = self._state("member", member_id)
        return self.members[member_id]

    def _own_member(self, member_id, *, retired_ok: bool = False) -> bool:
        member = self._member(member_id)
        return (member is not None and (retired_ok or not member.get("deleted"))
                and member.get("group") == self.group)

    # -- the signing of evaluations
    def _signing(self, evaluation_id: str) -> Entry | None:
        if evaluation_id not in self.signings:
            from .entries import log_entries_for
            from .fold import signing_entry

            logged = log_entries_for([evaluation_id], self.me).get(evaluation_id, [])
            self.signings[evaluation_id] = signing_entry(logged)
        return self.signings[evaluation_id]

    # -- the check
    def check(self, entries: list[Entry], *, deferred_ok: bool = False) -> list[Entry]:
        """Check a batch in order; raise on the first entry outside its rights.

        With ``deferred_ok`` (entries to be held), an entry whose record or parent is not
        here yet is returned to be checked again when it is applied.
        """
        logged = self._one_type_per_id(entries)
        self.prefetch(entries, logged)
        later = []
        for entry in entries:
            if not self._check(entry, deferred_ok):
                later.append(entry)
        return later

    def _one_type_per_id(self, entries: list[Entry]) -> set[str]:
        """A record id names one record, whatever its type. Ids are unique per table only, and
        a record's history is found by its id (``log_entries_for``): an entry giving a new
        record the id of a record of another type (another group's finding, say) would mix
        the two — its tombstone could end that finding. Never so between honest devices (ids
        are random), so refused: against every record ever logged here (this import's earlier
        batches included) and within the entries. Returns the ids the change log has."""
        first: dict[str, Entry] = {}  # record id → the first entry naming it
        logged: set[str] = set()
        for e in entries:
            first.setdefault(e.record_id, e)
        ids = list(first)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for record_id, record_type in database.execute_sql(
                    f"SELECT DISTINCT record_id, record_type FROM change_log WHERE record_id IN "
                    f"({', '.join('?' for _ in chunk)})", chunk):
                logged.add(record_id)
                if record_type != first[record_id].record_type:
                    raise refuse(first[record_id],
                                 f"的编号已是本机另一种记录（{TYPE_LABELS.get(record_type, record_type)}）的编号")
        for e in entries:
            earlier = first[e.record_id].record_type
            if earlier != e.record_type:
                raise refuse(e, f"的编号已是同一同步包中另一种记录（{TYPE_LABELS.get(earlier, earlier)}）的编号")
        return logged

    def _check(self, entry: Entry, deferred_ok: bool) -> bool:
        if len(entry.deps) > MAX_DEPS:
            raise refuse(entry, "声称知道的设备过多")
        for device, seq in entry.deps.items():
            limit = self.known_of_me if device == self.me else (0 if self.sender.role == "field" else None)
            if limit is not None and seq > limit:
                raise refuse(entry, "声称已知道本机从未发给它的变更")
        before = self._state(entry.record_type, entry.record_id)
        if before is None and entry.op != "insert" and deferred_ok:
            return False
        after = dict(before or {})
        after.update(entry.fields)
        after["id"] = entry.record_id
        if self.sender.role == "field":
            if not self._field_rights(entry, before, after, deferred_ok):
                return False
        self._signature_rules(entry, before, after)
        self.states[(entry.record_type, entry.record_id)] = after
        if entry.record_type == "member":
            self.members.pop(entry.record_id, None)
        return True

    def _field_rights(self, entry: Entry, before: dict | None, after: dict, deferred_ok: bool) -> bool:
        if entry.record_type not in FIELD_TYPES:
            raise refuse(entry, f"是{TYPE_LABELS.get(entry.record_type, entry.record_type)}，只有活动办可以修改")
        if entry.member_id is not None and not self._own_member(entry.member_id):
            raise refuse(entry, "署名的成员不是本督导组的成员")
        if before is not None and self.owner(entry.record_type, before) != self.group:
            raise refuse(entry, "属于其他督导组（或活动办），本设备无权修改")
        owner = self.owner(entry.record_type, after)
        if owner is None and deferred_ok:
            return False
        if owner != self.group:
            raise refuse(entry, "不属于本设备的督导组")
        present = entry.fields.get("members_present")
        if isinstance(present, list):
            # a member retired since stays on the visits they were present at (rules.visits)
            stored = before.get("members_present") if before is not None else None
            already = {m for m in stored if type(m) is str} if isinstance(stored, list) else set()
            for m in present:
                if self._own_member(m):
                    continue
                if not self._own_member(m, retired_ok=True):
                    raise refuse(entry, "列出的在场组员不是本督导组的成员")
                if not stays_on_visit(self._member(m), after.get("started_at") or after.get("held_on"), m in already):
                    raise refuse(entry, "列出的在场组员在这次督导之前已退出督导组")
        if entry.record_type in ("followup", "progress", "stask_status") and entry.fields.get("member") is not None:
            if not self._own_member(entry.fields["member"]):
                raise refuse(entry, "记录人不是本督导组的成员")
        if entry.record_type == "supervision_problem" and not after.get("deleted"):
            # a group records problems of its own supervision through its leader (组长负责制)
            recorder = self._member(after.get("member"))
            if not (self._own_member(after.get("member")) and recorder.get("is_leader")):
                raise refuse(entry, "督导层面问题须由本督导组组长记录")
        return True

    def _signature_rules(self, entry: Entry, before: dict | None, after: dict) -> None:
        if entry.record_type == "amendment":
            if entry.op != "insert" or before is not None:
                if entry.content.keys() - {"deleted"} or entry.fields.get("deleted"):
                    raise refuse(entry, "修改或删除了已提交的更正记录（更正记录只能新增）")
                return
            evaluation = self._state("evaluation", after.get("evaluation"))
            problem = amendment_target_problem(evaluation)
            if problem:
                raise refuse(entry, problem)
            problem = amendment_problem(after, evaluation.get("group"), self.keys)
            if problem:
                raise refuse(entry, problem)
            return
        if entry.record_type == "evaluation":
            evaluation_id = entry.record_id
        elif entry.record_type == "fact":
            evaluation_id = after.get("evaluation")
            if before is not None and before.get("evaluation") != evaluation_id:
                self._frozen_check(entry, before.get("evaluation"))
        else:
            return
        if not isinstance(evaluation_id, str):
            return
        signing = self._frozen_check(entry, evaluation_id)
        if entry.record_type == "evaluation" and entry.fields.get("signature"):
            # Every signing entry must verify, also one that comes after another: the fold
            # takes the earliest, and that may be this one.
            problem = evaluation_signature_problem(after, self.keys)
            if problem:
                raise refuse(entry, problem)
            if signing is None:
                self.signings[evaluation_id] = entry

    def _frozen_check(self, entry: Entry, evaluation_id) -> Entry | None:
        """An entry that knew of a signing may not change the signed record or its facts."""
        if not isinstance(evaluation_id, str):
            return None
        signing = self._signing(evaluation_id)
        if signing is None or entry is signing or entry.meta_only:
            return signing
        if entry.knows(signing):
            raise refuse(entry, "修改了已签署的纪实评价（签署后只能由组长签名更正）")
        return signing


def applied_entries(device_id: str, limit: int | None = None) -> list[ChangeLog]:
    """Every applied change-log entry written by ``device_id`` (the office's audit by origin)."""
    query = ChangeLog.select().where(ChangeLog.device_id == device_id).order_by(ChangeLog.seq)
    if limit:
        query = query.limit(limit)
    return list(query)

