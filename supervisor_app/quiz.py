"""Quiz records (知识问答): people tested, questions, correct answers → accuracy."""

from __future__ import annotations

from . import changelog, visits
from . import validate as check
from .models import QuizRecord, alive, database
from .visits import get_visit


def accuracy(people_tested: int, questions: int, correct_answers: int) -> float:
    """Share of correct answers among all answers given (0.0 when nothing was asked)."""
    total = people_tested * questions
    return correct_answers / total if total else 0.0


def _clean(people_tested, questions, correct_answers) -> dict:
    """The three counts as whole numbers; their bounds are record rules (rules/visits.py)."""
    return {
        "people_tested": check.integer(people_tested, "people_tested", "参测人数"),
        "questions": check.integer(questions, "questions", "题目数"),
        "correct_answers": check.integer(correct_answers, "correct_answers", "答对题数"),
    }


def save_quiz(visit, people_tested, questions, correct_answers) -> QuizRecord:
    """Create or replace the quiz record of a visit."""
    with database.atomic():
        visit = get_visit(visit)
        values = _clean(people_tested, questions, correct_answers)
        existing = QuizRecord.get_or_none((QuizRecord.visit == visit) & alive(QuizRecord))
        if existing is None:
            return changelog.create(QuizRecord, visit=visit, unit=visit.unit_id, **values)
        return changelog.update(existing, unit=visit.unit_id, **values)


def remove_quiz(visit) -> None:
    with database.atomic():
        existing = QuizRecord.get_or_none((QuizRecord.visit == visit) & alive(QuizRecord))
        if existing is not None:
            changelog.tombstone(existing)


def quiz_of(visit) -> QuizRecord | None:
    return QuizRecord.get_or_none((QuizRecord.visit == visit) & alive(QuizRecord))


def accuracy_by_unit(date_from: str | None = None, date_to: str | None = None) -> dict[str, tuple[int, float]]:
    """unit id → (people tested in all, overall accuracy), over visits in a period (inclusive).

    Only records whose three counts are whole numbers not below zero are counted (a database
    edited by another program may hold text or fractions there); TOTAL never overflows.
    """
    counts = ("q.people_tested", "q.questions", "q.correct_answers")
    sql = (
        "SELECT q.unit_id, TOTAL(q.people_tested), TOTAL(q.correct_answers), TOTAL(q.people_tested * q.questions)"
        " FROM quiz_record q JOIN visit v ON v.id = q.visit_id WHERE q.deleted = 0 AND v.deleted = 0"
        + "".join(f" AND typeof({c}) = 'integer' AND {c} >= 0" for c in counts)
    )
    params: list = []
    if date_from:
        sql += " AND v.started_at >= ?"
        params.append(date_from)
    if date_to:
        sql += " AND v.started_at < ?"
        params.append(date_to + "T99")
    rows = database.execute_sql(sql + " GROUP BY q.unit_id", params)
    return {unit: (int(people), correct / total if total else 0.0) for unit, people, correct, total in rows}


def unit_quizzes(unit_id: str, date_from: str | None = None, date_to: str | None = None) -> list[QuizRecord]:
    """A unit's quiz records over a period (by visit date, inclusive), oldest first, with their visits."""
    return visits.of_unit_in_period(QuizRecord, unit_id, date_from, date_to)
