"""Installations set up on the speech's day (2014年4月8日): their campaign keeps the speech's
calendar (plan.for_campaign), which the dates of the plan's tests are taken from. Without it a
campaign starts on the real day the tests run, and its plan follows it."""

from __future__ import annotations

from datetime import date

from supervisor_app import campaigns, clock, store

SPEECH_DAY = date(2014, 4, 8)


def initialize(data, monkeypatch, role: str, *args) -> object:
    """Open ``data`` and set it up as ``role`` (with group and member for a field device) on the speech's day."""
    with monkeypatch.context() as pinned:
        pinned.setattr(clock, "today", lambda: SPEECH_DAY)
        path = store.open_data_dir(data)
        campaigns.initialize(role, *args)
    return path
