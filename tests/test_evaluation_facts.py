"""The facts proposed for a 纪实评价 read as sentences: a date, a subject (the leader, the team,
督导组), a predicate and a final 。 — checked on every proposal the demo data gives."""

from __future__ import annotations

import re

from supervisor_app import evaluation_facts, evaluations
from supervisor_app.models import EvaluationFact, alive

DATE = r"\d{4}年\d{1,2}月\d{1,2}日"


def _check(record, text: str) -> None:
    who = evaluation_facts.subject(record)
    assert who and who in text, (who, text)  # the subject is named
    assert re.match(DATE + "，", text), text
    assert text.endswith("。") and "。。" not in text and "，。" not in text, text
    assert "““" not in text and "””" not in text, text
    sentences = [s for s in text.split("。") if s]
    assert all(len(s) > 6 for s in sentences), text  # no stub of a sentence


def test_every_proposed_fact_of_the_demo_is_a_sentence_about_its_subject(demo_data):
    records = evaluations.list_evaluations()
    assert {r.subject_kind for r in records} == {"leader", "team"}
    checked = set()
    for record in records:
        for proposal in evaluation_facts.propose(record):
            _check(record, proposal.text)
            checked.add(proposal.source_kind)
        for fact in EvaluationFact.select().where(alive(EvaluationFact) & (EvaluationFact.evaluation == record)):
            if fact.source_kind in {"visit", "finding", "rectification"}:  # the demo took them from propose
                _check(record, fact.text)
                checked.add(fact.source_kind)
    assert checked == {"visit", "finding", "rectification", "meeting"}


def test_sentence_ends_once():
    assert evaluation_facts.sentence("整改到位") == "整改到位。"
    assert evaluation_facts.sentence("整改到位。") == "整改到位。"
    assert evaluation_facts.sentence("整改到位， ") == "整改到位。"
    assert evaluation_facts.sentence("是否到位？") == "是否到位？"
