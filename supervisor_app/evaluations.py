"""纪实评价: evidence-backed evaluation records of leaders and leadership teams.

A record rests on dated facts, rates the template's items, and is signed by the group leader
with a personal Ed25519 key protected by a passphrase. A signed record is frozen: every
change is refused, and a correction is an amendment that points at it.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field

from . import campaigns, changelog
from . import validate as check
from .canonical import canonical_bytes
from .errors import FrozenRecordError, NotFoundError, ValidationError
from .models import (
    Amendment,
    EvaluationFact,
    EvaluationRecord,
    Member,
    alive,
    database,
)
from .rules.evaluations import FACT_STATES, SUBJECT_KINDS  # noqa: F401 - the lists live with their rules
from .units import get_leader, get_team

STATUS_LABELS = {"draft": "草稿", "signed": "已签署", "amended": "已更正"}
AMENDED_MARK = "已更正"
FIXED_FIELD_LABELS = {"overall_rating": "总体评价", "narrative": "评价意见", "fact": "纪实"}


def get_evaluation(evaluation_id) -> EvaluationRecord:
    if isinstance(evaluation_id, EvaluationRecord):
        evaluation_id = evaluation_id.id
    record = (
        EvaluationRecord.get_or_none((EvaluationRecord.id == evaluation_id) & alive(EvaluationRecord))
        if evaluation_id
        else None
    )
    if record is None:
        raise NotFoundError(f"找不到纪实评价：{evaluation_id}。", field="evaluation")
    return record


def status(record: EvaluationRecord) -> str:
    """draft | signed | amended."""
    if not record.signed_at:
        return "draft"
    if Amendment.select().where(alive(Amendment) & (Amendment.evaluation == record)).exists():
        return "amended"
    return "signed"


def subject_name(record: EvaluationRecord) -> str:
    """'王建国（县委书记）' or the team's name; a missing subject is marked, not looked up."""
    from . import display

    if record.subject_kind == "leader" and record.leader_id:
        leader = display.related(record, "leader")
        return f"{display.text(leader.name)}（{display.text(leader.position)}）" if leader else \
            display.related_name(record, "leader")
    if record.team_id:
        return display.related_name(record, "team")
    return ""


def _refuse_if_signed(record: EvaluationRecord) -> None:
    if record.signed_at:
        raise FrozenRecordError(
            "该纪实评价已由组长签署，不能修改；如需更正，请提交更正说明（更正记录）。", field="evaluation"
        )


def _clean(values: dict, record: EvaluationRecord | None = None) -> dict:
    """Parse an evaluation's values: on create, the subject resolved to a live leader or team
    (whose unit the record takes) and the active template; blank ratings dropped. The record
    rules (rules/evaluations.py) check the result."""
    clean = {}
    if record is None:
        kind = clean["subject_kind"] = values.get("subject_kind")
        if kind == "leader":
            leader = get_leader(values.get("leader"))
            clean.update(leader=leader, team=None, unit=leader.unit)
        elif kind == "team":
            team = get_team(values.get("team"))
            clean.update(team=team, leader=None, unit=team.unit)
        tpl = campaigns.active_template()
        clean.update(template_id=tpl.id, template_version=tpl.version)
    for name, label in (("period_start", "评价期间起"), ("period_end", "评价期间止")):
        if name in values or record is None:
            clean[name] = check.iso_date(values.get(name), name, label)
    if "item_ratings" in values:
        given = values["item_ratings"] or {}
        if not isinstance(given, dict):
            raise ValidationError("评价项目格式不对。", field="item_ratings")
        ratings = {}
        for item_id, entry in given.items():
            entry = entry if isinstance(entry, dict) else {"rating": entry}
            rating = entry.get("rating")
            comment = check.clean_text(entry.get("comment"))
            if rating in (None, "") and not comment:
                continue  # not rated yet
            ratings[item_id] = {"rating": rating, "comment": comment}
        clean["item_ratings"] = ratings
    if "overall_rating" in values:
        clean["overall_rating"] = values["overall_rating"] or None
    if "narrative" in values:
        clean["narrative"] = check.clean_text(values["narrative"])
    if "group" in values:
        clean["group"] = values["group"] or None
    return clean


def create_evaluation(subject_kind: str, period_start, period_end, **extra) -> EvaluationRecord:
    """Start a draft evaluation of a leader (``leader=``) or a team (``team=``)."""
    from . import installation

    with database.atomic():
        values = _clean({"subject_kind": subject_kind, "period_start": period_start, "period_end": period_end, **extra})
        values.setdefault("group", installation.context().group_id)
        return changelog.create(EvaluationRecord, **values)


def update_evaluation(record, **changes) -> EvaluationRecord:
    with database.atomic():
        record = get_evaluation(record)
        _refuse_if_signed(record)
        return changelog.update(record, **_clean(changes, record))


def delete_evaluation(record) -> EvaluationRecord:
    with database.atomic():
        record = get_evaluation(record)
        _refuse_if_signed(record)
        for fact in facts(record, include_rejected=True):
            changelog.tombstone(fact)
        return changelog.tombstone(record)


def list_evaluations(unit=None, status_filter: str | None = None) -> list[EvaluationRecord]:
    query = EvaluationRecord.select().where(alive(EvaluationRecord))
    if unit is not None:
        query = query.where(EvaluationRecord.unit == unit)
    records = list(query.order_by(EvaluationRecord.period_end.desc(), EvaluationRecord.created_at))
    if status_filter:
        records = [r for r in records if status(r) == status_filter]
    return records


# --- facts -------------------------------------------------------------------------------------------


def facts(record, *, include_rejected: bool = False) -> list[EvaluationFact]:
    query = EvaluationFact.select().where(alive(EvaluationFact) & (EvaluationFact.evaluation == record))
    if not include_rejected:
        query = query.where(EvaluationFact.state != "rejected")
    return list(query.order_by(EvaluationFact.on_date, EvaluationFact.created_at))


def add_fact(record, on_date, text: str, *, source_kind: str = "manual", source_id: str | None = None,
             state: str = "accepted") -> EvaluationFact:
    with database.atomic():
        record = get_evaluation(record)
        _refuse_if_signed(record)
        on = check.iso_date(on_date, "on_date", "纪实日期")  # inside the period: rules/evaluations.py
        return changelog.create(
            EvaluationFact, evaluation=record, on_date=on, text=check.clean_text(text), source_kind=source_kind,
            source_id=source_id, state=state,
        )


def update_fact(fact_id: str, **changes) -> EvaluationFact:
    """Edit, accept (state='accepted') or reject (state='rejected') a fact of a draft."""
    with database.atomic():
        fact = EvaluationFact.get_or_none((EvaluationFact.id == fact_id) & alive(EvaluationFact))
        if fact is None:
            raise NotFoundError(f"找不到纪实条目：{fact_id}。", field="fact")
        _refuse_if_signed(fact.evaluation)
        clean = {}
        if "text" in changes:
            clean["text"] = check.clean_text(changes["text"])
        if "on_date" in changes:
            clean["on_date"] = check.iso_date(changes["on_date"], "on_date", "纪实日期")
        if "state" in changes:
            clean["state"] = changes["state"]
        return changelog.update(fact, **clean)


# --- canonical content, signing, verification ---------------------------------------------------


def canonical_content(record: EvaluationRecord) -> bytes:
    """The bytes a signature covers: the judgement and every fact it rests on."""
    content = {
        "id": record.id,
        "subject_kind": record.subject_kind,
        "leader_id": record.leader_id,
        "team_id": record.team_id,
        "unit_id": record.unit_id,
        "period": [record.period_start, record.period_end],
        "template": [record.template_id, record.template_version],
        "item_ratings": record.item_ratings,
        "overall_rating": record.overall_rating,
        "narrative": record.narrative,
        "facts": [
            {"id": f.id, "on_date": f.on_date, "text": f.text, "source": [f.source_kind, f.source_id]}
            for f in facts(record)
            if f.state == "accepted"
        ],
    }
    return canonical_bytes(content)


def content_hash(record: EvaluationRecord) -> str:
    return hashlib.sha256(canonical_content(record)).hexdigest()


def _check_signer(record: EvaluationRecord, member: Member | None, private_key) -> None:
    """Only the leader of the record's group, with the key bound to them, signs or amends."""
    from . import signatures, signing

    if member is None or not member.is_leader or member.deleted or (
        record.group_id and member.group_id != record.group_id
    ):
        raise ValidationError("只有本督导组组长可以签署纪实评价或提交更正。", field="member")
    key = signatures.bound_key(member.id)
    if key is None:
        raise ValidationError(
            f"{member.name}的签名公钥尚未登记。请组长先创建签名密钥，并把公钥卡交活动办登记。", field="member"
        )
    if signing.public_key_text(private_key) != key:
        raise ValidationError("签名密钥与活动办为组长登记的公钥不符。", field="passphrase")


def sign(record, member: Member, private_key) -> EvaluationRecord:
    """Freeze a record under the group leader's signature (``private_key``: an unlocked key).

    Refused when ``member`` is not the leader of the record's group, when the record is
    already signed, when facts are still only proposed, or when ratings are missing.
    """

    with database.atomic():
        record = get_evaluation(record)
        _refuse_if_signed(record)
        _check_signer(record, member, private_key)
        if any(f.state == "proposed" for f in facts(record)):
            raise ValidationError("还有待确认的纪实条目，请先采纳或舍弃。", field="facts")
        if not any(f.state == "accepted" for f in facts(record)):
            raise ValidationError("纪实评价须建立在纪实之上，请至少采纳一条纪实。", field="facts")
        if not record.overall_rating:
            raise ValidationError("请先给出总体评价。", field="overall_rating")
        digest = content_hash(record)
        signature = base64.b64encode(private_key.sign(bytes.fromhex(digest))).decode("ascii")
        from .clock import now_utc

        return changelog.update(
            record, signed_by=member, signed_at=now_utc(), content_hash=digest, signature=signature
        )


def amend(record, member: Member | None, reason: str, changes: dict, private_key) -> Amendment:
    """Correct a signed record: who, when, why and what changes, signed by the group leader
    (``private_key``: the leader's unlocked key); the original stays as signed. What a valid
    amendment holds is rules.evaluations.amendment's to say."""
    from . import display, signatures
    from .clock import new_id

    with database.atomic():
        record = get_evaluation(record)
        problem = signatures.amendment_target_problem(record.__data__)
        if problem:
            raise ValidationError(f"{problem}。", field="evaluation")
        _check_signer(record, member, private_key)
        clean = {key: (value.strip() if isinstance(value, str) else value) for key, value in (changes or {}).items()}
        current = current_view(record)
        same = [key for key, value in clean.items()
                if key != "fact" and key in current.values and value == current.value(key)]
        if clean and len(same) == len(clean):  # a correction that corrects nothing
            shown = "、".join(f"{current.label(key)}现在就是“{display.short(clean[key], 20)}”" for key in same)
            raise ValidationError(f"{shown}，无需更正。", field="changes")
        values = {"id": new_id(), "evaluation": record.id, "member": member.id,
                  "reason": reason.strip() if isinstance(reason, str) else reason, "changes": clean}
        values["signature"] = signatures.sign_amendment(values, private_key)
        amendment = changelog.create(Amendment, **values)
        # The check an imported amendment passes (sync/admission) and ``check`` repeats.
        problem = signatures.amendment_problem(values, record.group_id, signatures.KeyCache())
        if problem:
            raise ValidationError(f"更正未能签署：{problem}。", field="member")
        return amendment


def amendments(record) -> list[Amendment]:
    return list(Amendment.select().where(alive(Amendment) & (Amendment.evaluation == record)).order_by(Amendment.created_at))


def verify_signatures() -> list[str]:
    """Check every signed record and amendment against the key the office bound to the
    group's leader (signatures.bound_key); return the problems found."""
    from . import signatures

    keys = signatures.KeyCache()
    problems = []
    for record in EvaluationRecord.select().where(EvaluationRecord.signed_at.is_null(False)):
        label = f"纪实评价 {record.id}（{subject_name(record) if not record.deleted else '已删除'}）"
        if record.deleted:
            problems.append(f"{label} 已签署却被删除")
            continue
        try:
            changed = content_hash(record) != record.content_hash
        except (TypeError, ValueError):  # a value no JSON holds (NaN, …) written by another program
            changed = True
        if changed:
            problems.append(f"{label} 签署后内容被改动（与签署时的内容校验码不符）")
            continue
        problem = signatures.evaluation_signature_problem(record.__data__, keys)
        if problem:
            problems.append(f"{label} {problem}")
    for amendment in Amendment.select().where(Amendment.deleted == False):
        evaluation = EvaluationRecord.get_or_none(EvaluationRecord.id == amendment.evaluation_id)
        problem = (signatures.amendment_target_problem(evaluation.__data__ if evaluation is not None else None)
                   or signatures.amendment_problem(amendment.__data__, evaluation.group_id, keys))
        if problem:
            problems.append(f"更正记录 {amendment.id} {problem}")
    return problems


# --- the record as amended: what every screen and paper shows as the current truth ---------------


@dataclass(frozen=True)
class Correction:
    """One amendment's change of one field: from what, to what, by whom, when and why."""

    amendment_id: str
    at: str  # the amendment's created_at (UTC ISO-8601)
    member: str  # who corrected it, as display.related_name shows them
    reason: str
    before: str  # the value this amendment replaced ("" for a fact correction)
    after: str

    def text(self, label: str) -> str:
        """'2014-04-20 10:00 张三更正总体评价：较好 → 一般。原因：复核联系点工作' (local time).

        A rating shows from → to; a correction of the facts shows what it says; a corrected
        narrative (long text either side) only that it was corrected — its texts are on the
        record and in the amendment."""
        from . import display

        if label == FIXED_FIELD_LABELS["narrative"]:
            change = ""
        elif label == FIXED_FIELD_LABELS["fact"]:
            change = f"：{self.after.rstrip('。')}"
        else:
            change = f"：{self.before or '（空）'} → {self.after}"
        return (f"{display.moment_text(self.at)} {self.member or '（未注明）'}更正{label}{change}。"
                f"原因：{self.reason.rstrip('。')}。")


@dataclass
class EvaluationView:
    """A record as amended: the signed values with every amendment applied in order, and for
    each amended field the corrections that made it (its provenance). Keys: "overall_rating",
    "narrative", an evaluation item's id, and "fact" (corrections of the facts, kept as notes).
    """

    record: EvaluationRecord
    values: dict[str, str]  # overall_rating, narrative and each item's rating, as amended
    original: dict[str, str]  # the same as signed
    corrections: dict[str, list[Correction]] = field(default_factory=dict)
    amendments: list[Amendment] = field(default_factory=list)

    def value(self, key: str) -> str:
        return self.values.get(key, "")

    def is_amended(self, key: str) -> bool:
        return bool(self.corrections.get(key))

    @property
    def overall_rating(self) -> str:
        return self.value("overall_rating")

    @property
    def narrative(self) -> str:
        return self.value("narrative")

    @property
    def item_ratings(self) -> dict[str, dict[str, str]]:
        """{item id: {"rating", "comment"}} as amended (comments are not amended)."""
        from . import display

        ratings = display.entries(self.record.item_ratings, "rating", "comment")
        for key, value in self.values.items():
            if key not in ("overall_rating", "narrative"):
                ratings.setdefault(key, {"rating": "", "comment": ""})["rating"] = value
        return ratings

    @property
    def fact_corrections(self) -> list[Correction]:
        return self.corrections.get("fact", [])

    def label(self, key: str) -> str:
        """A field's Chinese name: 总体评价, 评价意见, 纪实 or the item's name in the template."""
        from . import display

        if key in FIXED_FIELD_LABELS:
            return FIXED_FIELD_LABELS[key]
        for item in display.evaluation_items(display.template_of(self.record), self.record.subject_kind):
            if item.get("id") == key:
                return display.text(item.get("name"))
        return display.odd(key, display.NOT_IN_TEMPLATE)

    def note(self, key: str) -> str:
        """'已更正（原为较好）' and each correction with its reason, one per line; "" when not amended."""
        steps = self.corrections.get(key) or []
        if not steps:
            return ""
        first = steps[0].before
        head = f"{AMENDED_MARK}（原为{first}）" if key not in ("fact", "narrative") and first else AMENDED_MARK
        return "\n".join([head, *(step.text(self.label(key)) for step in steps)])


def current_view(record) -> EvaluationView:
    """``record`` as amended, with per-field provenance — what the editor, the list, the PDF
    and the overview show. Only a signed record is amended: amendments that hang on a draft
    (which no service writes) change nothing. Amendments apply in the order they were made;
    a later one of the same field wins and records what it replaced."""
    from . import display

    record = get_evaluation(record)
    values = {"overall_rating": display.text(record.overall_rating), "narrative": display.text(record.narrative)}
    for item_id, entry in display.entries(record.item_ratings, "rating", "comment").items():
        values[item_id] = entry["rating"]
    view = EvaluationView(record=record, values=values, original=dict(values))
    if not record.signed_at:
        return view
    view.amendments = amendments(record)
    for amendment in view.amendments:
        who = display.related_name(amendment, "member")
        for key, value in display.pairs(amendment.changes):
            before = "" if key == "fact" else values.get(key, "")
            view.corrections.setdefault(key, []).append(Correction(
                amendment_id=amendment.id, at=display.text(amendment.created_at), member=who,
                reason=display.text(amendment.reason), before=before, after=value))
            if key != "fact":
                values[key] = value
    return view


def figures(records=None) -> dict:
    """The overview's evaluation figures, every rating as amended: how many records in each
    state, and how many signed records carry each overall rating (已更正 ones at their
    corrected value). ``records``: all live ones by default."""
    from . import display

    records = list_evaluations() if records is None else records
    tpl = campaigns.active_template()
    counts = {"total": len(records), "draft": 0, "signed": 0, "amended": 0,
              "ratings": dict.fromkeys(tpl.scale("evaluation"), 0)}
    for record in records:
        view = current_view(record)
        state = "draft" if not record.signed_at else ("amended" if view.amendments else "signed")
        counts[state] += 1
        if state != "draft":
            rating = display.text(view.overall_rating) or "未评"
            counts["ratings"][rating] = counts["ratings"].get(rating, 0) + 1
    return counts


@dataclass(frozen=True)
class HistoryLine:
    at: str  # UTC ISO-8601, for ordering
    text: str


def _labels_of(fields: dict) -> str:
    from .rules import evaluations as rule

    labels = rule.LABELS["evaluation"]
    names = [labels.get(name, name) for name in fields if name not in changelog.META_FIELDS and name != "id"]
    return "、".join(dict.fromkeys(names))


def history(record) -> list[HistoryLine]:
    """The record's story in Chinese, oldest first: created, edited (which fields, by their
    Chinese names), signed (with the signature's fingerprint), each correction."""
    from . import display, signatures
    from .models import Member as MemberModel

    record = get_evaluation(record)
    view = current_view(record)
    lines = []
    signing_fields = {"signed_by", "signed_at", "content_hash", "signature"}
    for entry in changelog.history(record.id):
        fields = entry.fields if isinstance(entry.fields, dict) else {}
        member = MemberModel.get_or_none(MemberModel.id == entry.member_id) if entry.member_id else None
        who = display.text(member.name) if member is not None else ""
        when = display.moment_text(entry.at)
        if entry.op == "insert":
            lines.append(HistoryLine(entry.at, f"{when} {who}新建草稿"))
        elif entry.op == "delete" or fields.get("deleted") is True:
            lines.append(HistoryLine(entry.at, f"{when} {who}删除"))
        elif signing_fields & fields.keys():
            continue  # the signing line below says it with the fingerprint
        else:
            changed = _labels_of(fields)
            if changed:
                lines.append(HistoryLine(entry.at, f"{when} {who}修改{changed}"))
    if record.signed_at:
        lines.append(HistoryLine(display.text(record.signed_at), (
            f"{display.moment_text(record.signed_at)} 组长{display.related_name(record, 'signed_by')}签署，"
            f"签名指纹 {signatures.fingerprint_text(record.signature)}")))
    for key, steps in view.corrections.items():
        for step in steps:
            lines.append(HistoryLine(step.at, step.text(view.label(key))))
    return sorted(lines, key=lambda line: line.at)


# --- hasty evaluations ----------------------------------------------------------------------------

SIMILARITY_WARNING = 0.8


def similar_narratives(record, narrative: str | None = None, threshold: float = SIMILARITY_WARNING
                       ) -> list[tuple[EvaluationRecord, float]]:
    """Other records whose narrative is a near copy of this one's (ratio ≥ threshold), most alike first.

    ``narrative`` checks text not saved yet (the editor passes what is being typed).
    """
    import difflib

    record = get_evaluation(record)
    text = (record.narrative if narrative is None else narrative).strip()
    if len(text) < 10:
        return []
    matches = []
    others = EvaluationRecord.select().where(alive(EvaluationRecord) & (EvaluationRecord.id != record.id)
                                             & (EvaluationRecord.narrative != ""))
    for other in others:
        matcher = difflib.SequenceMatcher(None, text, other.narrative.strip(), autojunk=False)
        if matcher.real_quick_ratio() >= threshold and matcher.quick_ratio() >= threshold:
            ratio = matcher.ratio()
            if ratio >= threshold:
                matches.append((other, ratio))
    return sorted(matches, key=lambda pair: pair[1], reverse=True)


def similarity_warning(record, narrative: str | None = None) -> str | None:
    """A plain warning when the narrative nearly copies another record's, else None."""
    matches = similar_narratives(record, narrative)
    if not matches:
        return None
    other, ratio = matches[0]
    return (f"评价意见与“{subject_name(other)}”的评价意见相似度达 {ratio:.0%}，"
            "请核实是否照搬照抄，应依据本人纪实撰写。")
