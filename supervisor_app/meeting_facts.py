"""Feeding a 专题民主生活会 into the 纪实: its facts added, as proposals a person confirms, to the
draft 纪实评价 of each leader present and of the team (through evaluation_facts.propose)."""

from __future__ import annotations

from dataclasses import dataclass

from . import display, evaluation_facts, evaluations, meetings
from .models import EvaluationRecord, Leader, LeadershipTeam, alive, database


@dataclass(frozen=True)
class FeedResult:
    """What ``propose_to_evaluations`` did: facts added (to be confirmed) and to which records;
    the subjects present that have no draft 纪实评价 covering the meeting's day."""

    added: int
    evaluations: tuple[str, ...]
    without: tuple[str, ...]


def propose_to_evaluations(meeting) -> FeedResult:
    """Add this meeting's facts, as proposals to be confirmed, to the draft 纪实评价 of each leader
    present and of the team whose period holds the meeting's day — through
    evaluation_facts.propose, as the evaluation editor's 建议纪实 does (sources already used are
    not proposed again)."""
    meeting = meetings.get_meeting(meeting)
    subjects = [("leader", leader_id) for leader_id in display.names(meeting.leaders_present)]
    subjects.append(("team", meeting.team_id))
    added, touched, without = 0, [], []
    with database.atomic():
        for kind, subject_id in subjects:
            column = EvaluationRecord.leader if kind == "leader" else EvaluationRecord.team
            records = [r for r in EvaluationRecord.select().where(
                alive(EvaluationRecord) & (EvaluationRecord.subject_kind == kind) & (column == subject_id)
                & (EvaluationRecord.period_start <= meeting.held_on) & (EvaluationRecord.period_end >= meeting.held_on)
                & EvaluationRecord.signed_at.is_null())]
            if not records:
                model = Leader if kind == "leader" else LeadershipTeam
                found = model.get_or_none(model.id == subject_id)
                without.append(display.text(found.name) if found is not None else display.missing(subject_id))
                continue
            for record in records:
                for p in evaluation_facts.propose(record):
                    if p.source_kind == "meeting" and p.source_id == meeting.id:
                        evaluations.add_fact(record, p.on_date, p.text, source_kind=p.source_kind,
                                             source_id=p.source_id, state="proposed")
                        added += 1
                        touched.append(record.id)
    return FeedResult(added, tuple(dict.fromkeys(touched)), tuple(without))
