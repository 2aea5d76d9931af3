"""The one project error type: a message for the user (Chinese) and the field concerned."""

from __future__ import annotations


class SupervisorError(Exception):
    """A refusal the user can act on.

    ``message`` is shown to the user (Simplified Chinese); ``field`` names the input that is
    wrong (``None`` when the problem is not tied to one field); ``detail`` is for developers.
    """

    def __init__(self, message: str, field: str | None = None, detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.detail = detail

    def __str__(self) -> str:
        if self.field:
            return f"{self.message}（字段：{self.field}）"
        return self.message


class ValidationError(SupervisorError):
    """Input breaks a rule; nothing was written."""


class NotFoundError(SupervisorError):
    """The record asked for does not exist (or was deleted)."""


class FrozenRecordError(SupervisorError):
    """The record is signed and can only be corrected by an amendment."""


class DatabaseError(SupervisorError):
    """The database cannot be used (too new, damaged, not ours)."""
