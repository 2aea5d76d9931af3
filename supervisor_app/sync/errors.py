"""Refusals raised by sync: every one carries a Chinese message naming the reason."""

from __future__ import annotations

from ..errors import SupervisorError


class SyncError(SupervisorError):
    """A sync operation could not be done; nothing was changed."""


class EnrolmentError(SyncError):
    """A device card cannot be enrolled (or a device cannot be revoked)."""


class IdentityError(SyncError):
    """This installation's device keys are missing or do not match its registered keys."""


class ExportError(SyncError):
    """A bundle could not be written."""


class BundleRefused(SyncError):
    """An incoming bundle was refused; the database and attachment store are unchanged."""


class BundleCorrupt(BundleRefused):
    """The file is damaged, truncated or was altered."""


class NewerFormatError(BundleRefused):
    """The bundle was written by a newer program."""


class UnknownDeviceError(BundleRefused):
    """The sender is not enrolled here."""


class RevokedDeviceError(BundleRefused):
    """The sender has been revoked."""


class WrongReceiverError(BundleRefused):
    """The bundle is meant for another installation."""


class UnsafeContentError(BundleRefused):
    """A member name is unsafe (absolute, '..', a link) or the content breaks a rule."""


class SizeLimitError(BundleRefused):
    """A cap on member count, total size or compression ratio is exceeded."""


class ReplayError(BundleRefused):
    """An old bundle presented again."""


class DuplicateBundleError(ReplayError):
    """This very bundle was imported before."""


class MissingReferenceError(BundleRefused):
    """Records in the bundle point at records this installation does not have."""


class CancelledError(SyncError):
    """The user cancelled; nothing was changed."""

    def __init__(self, message: str = "已取消，未作任何改动。"):
        super().__init__(message)
