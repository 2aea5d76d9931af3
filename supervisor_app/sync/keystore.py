"""The operating system's credential store, which keeps the key that wraps the device keys.

Windows Credential Locker (DPAPI, tied to the user's login), the macOS Keychain, or the Secret
Service of a Linux desktop (GNOME Keyring, KWallet), reached through the ``keyring`` library.
One entry per device: a random 256-bit key, base64, under :data:`SERVICE` and the device id.
The device's private key files are encrypted with it (``identity``), so a copy of the data
folder alone opens nothing.

Where there is no such store — a Linux machine without a desktop session, keyring's ``fail``
or ``null`` backend (``PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring`` chooses this on
purpose), the file-based ``keyrings.alt`` backends, or a backend that raises — :class:`Unavailable`
is raised and the device keys stay the owner-only plain files of earlier versions.

``keyring`` is imported here only, and only when a device key is needed (about 0.2 s, see
docs/sync.md), never at window start.
"""

from __future__ import annotations

import base64
import binascii
import os

SERVICE = "supervisor_app device key"
KEY_BYTES = 32


class Unavailable(Exception):
    """No usable credential store (the reason is the exception's text, for the detail only)."""


def _backend():
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring install must not stop the program
        raise Unavailable(repr(exc)) from exc
    if isinstance(backend, (fail.Keyring, null.Keyring)) or type(backend).__module__.startswith("keyrings.alt"):
        # keyrings.alt keeps passwords in files in the home folder: no better than our own files
        raise Unavailable(f"no credential store ({type(backend).__module__}.{type(backend).__name__})")
    return backend


def load(device_id: str) -> bytes | None:
    """The wrapping key of ``device_id``, or None when the store has none; Unavailable without a store."""
    backend = _backend()
    try:
        text = backend.get_password(SERVICE, device_id)
    except Exception as exc:  # D-Bus gone, collection locked and the prompt dismissed, …
        raise Unavailable(repr(exc)) from exc
    if text is None:
        return None
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Unavailable("the stored device key is not base64") from exc
    if len(key) != KEY_BYTES:
        raise Unavailable("the stored device key has the wrong length")
    return key


def load_or_create(device_id: str) -> bytes:
    """The wrapping key of ``device_id``, made and stored at first use.

    An existing key is never replaced: copies of one data folder (same device id) share it.
    A new key counts only once the store gives it back unchanged, so a backend that quietly
    drops what it is given never leaves files encrypted under a key that is gone.
    """
    existing = load(device_id)
    if existing is not None:
        return existing
    key = os.urandom(KEY_BYTES)
    try:
        _backend().set_password(SERVICE, device_id, base64.b64encode(key).decode("ascii"))
    except Unavailable:
        raise
    except Exception as exc:
        raise Unavailable(repr(exc)) from exc
    if load(device_id) != key:
        raise Unavailable("the credential store did not keep the device key")
    return key
