"""Proposing facts (纪实) for an evaluation from the records already held.

Sources: visits where the leader was present or named (or, for a team, visits to its unit),
with what the notes say they did (led study, gave a party lecture, solicited opinions …);
findings concerning the leader or the team's unit; their rectifications, missed deadlines
included; the 专题民主生活会 the leader took part in, or the team held (meetings.py). The supervisor accepts, edits or rejects each proposal.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from . import clock, display, meetings
from . import findings as findings_service
from .models import EvaluationFact, EvaluationRecord, Finding, Rectification, Visit, alive

# What notes say a leader did, and the evaluation item it supports.
ACTIVITY_WORDS = (
    ("领学", "带头学习、领学解读"),
    ("党课", "带头讲党课"),
    ("征求意见", "带头听取意见"),
    ("听取意见", "带头听取意见"),
    ("支部", "参加支部讨论"),
    ("联系点", "办好联系点"),
    ("报到", "到社区报到"),
    ("整改", "带头查摆整改"),
)


@dataclass(frozen=True)
class Proposal:
    on_date: str
    text: str
    source_kind: str
    source_id: str


def _first_sentence(text: str) -> str:
    for stop in ("。", "\n"):
        if stop in text:
            text = text.split(stop, 1)[0]
    return text.strip()


SENTENCE_ENDS = "。！？"


def sentence(text: str) -> str:
    """``text`` as a sentence: trailing commas and spaces dropped, a final 。 where none is."""
    text = text.strip().rstrip("，,、；;：: ")
    return text if not text or text[-1] in SENTENCE_ENDS else text + "。"


def subject(record: EvaluationRecord) -> str:
    """Who a fact is about, as the sentence's subject: 王建国同志, or the team's name."""
    if record.subject_kind == "leader":
        leader = display.related(record, "leader")
        return f"{display.text(leader.name)}同志" if leader is not None else "该同志"
    return display.related_name(record, "team") or "该领导班子"


def _visit_fact(record: EvaluationRecord, visit: Visit, who: str) -> str:
    """2014年4月10日，督导组采取查阅资料方式到临江县督导，王建国同志在场，记录涉及其带头讲党课。记录载明：…。"""
    did = sorted({label for word, label in ACTIVITY_WORDS if word in visit.notes})
    methods = "、".join(display.names(visit.methods)) or "督导"
    unit = display.related_name(visit, "unit")
    text = f"{display.date_text(visit.started_at)}，督导组采取{methods}方式"
    if record.subject_kind == "leader":
        text += f"到{unit}督导，{who}在场"
        if did:
            text += f"，记录涉及其{'，'.join(did)}"
    else:
        text += f"督导{who}"
        if did:
            text += f"，记录涉及该班子{'，'.join(did)}"
    text = sentence(text)
    summary = _first_sentence(visit.notes.split("\n", 1)[-1] if "\n" in visit.notes else visit.notes)
    if summary:
        text += sentence(f"记录载明：{summary}")
    return text


def propose(record: EvaluationRecord) -> list[Proposal]:
    """Facts the records suggest for ``record``, oldest first, skipping sources already used.

    Each reads as a sentence: its date, a subject (督导组, the leader, the team, the unit), a
    predicate, a final 。."""
    used = {
        f.source_id
        for f in EvaluationFact.select(EvaluationFact.source_id).where(
            alive(EvaluationFact) & (EvaluationFact.evaluation == record)
        )
    }
    start, end = record.period_start, record.period_end
    proposals: list[Proposal] = []
    who = subject(record)

    visits = Visit.select().where(alive(Visit) & (Visit.started_at >= start) & (Visit.started_at < end + "T99"))
    if record.subject_kind == "leader":
        leader_id = record.leader_id
        visits = visits.where(fn.instr(Visit.leaders_present, leader_id) > 0)  # exact check below
        finding_query = Finding.select().where(alive(Finding) & (Finding.leader == leader_id))
    else:
        visits = visits.where(Visit.unit == record.unit_id)
        finding_query = Finding.select().where(alive(Finding) & (Finding.unit == record.unit_id))
    for visit in visits.order_by(Visit.started_at):
        if visit.id in used:
            continue
        if record.subject_kind == "leader" and record.leader_id not in display.names(visit.leaders_present):
            continue
        proposals.append(Proposal(visit.started_at[:10], _visit_fact(record, visit, who), "visit", visit.id))

    on = clock.today()
    for finding in finding_query.where((Finding.found_on >= start) & (Finding.found_on <= end)).order_by(Finding.found_on):
        found = display.date_text(finding.found_on)
        if finding.id not in used:
            text = sentence(f"{found}，督导组发现{who}存在问题（{finding.category}）：{finding.description}")
            proposals.append(Proposal(finding.found_on, text, "finding", finding.id))
        rect = Rectification.get_or_none((Rectification.finding == finding) & alive(Rectification))
        if rect is None or rect.id in used:
            continue
        if rect.status == "已核实" and rect.verified_on and start <= rect.verified_on <= end:
            text = sentence(f"{display.date_text(rect.verified_on)}，经督导组核实，{who}对{found}发现的问题"
                            f"整改到位，措施为：{rect.measure}")
            proposals.append(Proposal(rect.verified_on, text, "rectification", rect.id))
        elif findings_service.is_overdue(rect, on) and rect.deadline <= end:
            text = sentence(f"{display.date_text(rect.deadline)}，{who}对{found}发现的问题整改逾期未完成"
                            f"（时限{display.date_text(rect.deadline)}，状态：{rect.status}），措施为：{rect.measure}")
            proposals.append(Proposal(rect.deadline, text, "rectification", rect.id))
    for on_date, text, meeting_id in meetings.fact_sources(record, used):  # 专题民主生活会 attended
        proposals.append(Proposal(on_date, text, "meeting", meeting_id))
    proposals.sort(key=lambda p: (p.on_date, p.source_kind))
    return proposals
