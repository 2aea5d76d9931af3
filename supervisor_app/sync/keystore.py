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
import threading
from pathlib import Path

SERVICE = "supervisor_app device key"
KEY_BYTES = 32


class Unavailable(Exception):
    """No usable credential store (the reason is the exception's text, for the detail only)."""


_first_use = threading.Lock()
_detected = False


def _detect_backend_apart() -> None:
    """keyring's first use loads its backends, and a backend module that cannot load here (the
    Windows one on Linux) keeps the error in a module-level ``jaraco.context.ExceptionTrap`` for
    good — with its traceback, and through it every frame of the stack that first used keyring,
    locals and all: after an import, its whole working state (hundreds of megabytes for a
    large bundle) stayed alive in the office's program. So the first use runs in a short
    thread of its own, whose stack holds nothing of the caller's."""
    global _detected
    with _first_use:
        if _detected:
            return

        def detect() -> None:
            try:
                import keyring

                keyring.get_keyring()
            except Exception:  # noqa: BLE001 - _backend asks again and says why
                pass

        thread = threading.Thread(target=detect, name="keyring-detect", daemon=True)
        thread.start()
        thread.join()
        _detected = True


def _backend():
    _detect_backend_apart()
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


# --- telling the user how the key files are protected -------------------------------------------------

PLAIN_PEM = b"-----BEGIN PRIVATE KEY-----"


def plain_key_files(keys_dir: Path) -> list[Path]:
    """The private key files in ``keys_dir`` kept unencrypted (made or last used with no store)."""
    found = []
    try:
        candidates = sorted(keys_dir.glob("*.pem"))
    except OSError:
        return []
    for path in candidates:
        try:
            with open(path, "rb") as fh:
                if fh.read(64).lstrip().startswith(PLAIN_PEM):
                    found.append(path)
        except OSError:
            continue
    return found


def protection_warning(keys_dir: Path) -> str | None:
    """A plain-words warning when device keys lie unencrypted, saying what protects them; else None.

    On Windows the program cannot make a file owner-only (``fsutil``): an unencrypted key file
    is then protected by nothing but the ACL of the folder it lies in.
    """
    from ..fsutil import WINDOWS

    plain = plain_key_files(keys_dir)
    if not plain:
        return None
    names = "、".join(p.name for p in plain)
    if WINDOWS:
        return (
            f"注意：本机设备私钥（{names}）以未加密文件保存在 {keys_dir}。Windows 上程序不能把文件设为仅本人可读，"
            "它们只受所在文件夹的 Windows 权限保护：能复制这个文件夹的人就能冒用本机身份。"
            "Windows 凭据管理器可用时，程序会在下次使用密钥时自动加密它们；在此之前请勿把数据文件夹放到他人可读的位置。"
        )
    return (
        f"注意：本机设备私钥（{names}）以未加密文件保存在 {keys_dir}（仅本人可读，0600），因为本机没有可用的系统密钥环"
        "（如 GNOME 密钥环）：能以本用户身份或管理员身份读取这个文件夹的人就能冒用本机身份。"
        "有密钥环后，程序会在下次使用密钥时自动加密它们。"
    )
