"""The group leader's personal signing key: Ed25519, stored encrypted under a passphrase.

The private key lives in the data folder (owner-only permissions) as PKCS#8 PEM encrypted
with cryptography's best available encryption; the public key is registered on the leader's
member record, so it travels with the group's records and the office can verify too.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from . import changelog
from .errors import ValidationError
from .fsutil import stage_private_file
from .models import Member, database

MIN_PASSPHRASE = 8


def key_path(data_dir: Path, member: Member) -> Path:
    return data_dir / "keys" / f"leader-{member.id}.pem"


def public_key_text(private_key: Ed25519PrivateKey) -> str:
    raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def create_leader_key(data_dir: Path, member: Member, passphrase: str) -> str:
    """Make the leader's key pair, store the private key encrypted, register the public key."""
    if not member.is_leader:
        raise ValidationError("只有督导组组长需要签名密钥。", field="member")
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise ValidationError(f"口令至少 {MIN_PASSPHRASE} 个字符。", field="passphrase")
    path = key_path(data_dir, member)
    if path.exists():
        raise ValidationError("该组长已有签名密钥。", field="member")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )
    tmp = stage_private_file(path, pem)
    public = public_key_text(key)
    with database.atomic():
        _register(member, public)
        os.replace(tmp, path)
    return public


def _register(member: Member, public: str) -> None:
    """The office binds the key itself; a field installation keeps it locally (never synced)
    until the office binds the same key from the leader's key card (signatures.bind_key_card)."""
    from . import installation, signatures

    if installation.context().role == "office":
        changelog.update(member, sign_public_key=public)
    else:
        installation.set_setting(signatures.LOCAL_KEY_SETTING + member.id, public)


def unlock(data_dir: Path, member: Member, passphrase: str) -> Ed25519PrivateKey:
    """Load the leader's private key; a wrong passphrase is refused."""
    path = key_path(data_dir, member)
    if not path.exists():
        raise ValidationError(f"{member.name}在本机没有签名密钥，只有组长本人可以签署。", field="member")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=(passphrase or "").encode("utf-8"))
    except (ValueError, TypeError) as exc:
        raise ValidationError("口令不正确。", field="passphrase") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValidationError("签名密钥文件格式不对。", field="member")
    return key


def verify(public_key_b64: str, message: bytes, signature_b64: str) -> bool:
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
        public.verify(base64.b64decode(signature_b64), message)
        return True
    except (InvalidSignature, ValueError):
        return False


def fingerprint(signature_b64: str) -> str:
    """A short fingerprint of a signature for print: SHA-256, 16 hex digits in groups of four."""
    digest = hashlib.sha256(base64.b64decode(signature_b64)).hexdigest()[:16].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))
