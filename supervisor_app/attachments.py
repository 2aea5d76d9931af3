"""Attachments (photos, scans): stored once by SHA-256 in the data folder, verified on read."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from pathlib import Path

from . import changelog
from .db import StorageFullError, is_storage_full
from .errors import NotFoundError, SupervisorError, ValidationError
from .models import Attachment, Finding, Visit, alive, database
from .rules.visits import MAX_ATTACHMENT_BYTES  # one limit for the store and the record rules

_store_dir: Path | None = None


def set_store(path: Path) -> None:
    """Point the store at ``path`` (the data folder's attachments directory)."""
    global _store_dir
    _store_dir = path


def store_dir() -> Path:
    if _store_dir is None:
        raise RuntimeError("attachment store not configured; call set_store() after opening the database")
    return _store_dir


def blob_path(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValidationError(f"附件哈希格式不正确：{sha256}", field="sha256")
    return store_dir() / sha256[:2] / sha256


def put_bytes_from(source: Path) -> tuple[str, int]:
    """Copy a file into the store (atomically, once per content); return (sha256, size)."""
    sha, size, _created = _put(source)
    return sha, size


def _put(source: Path) -> tuple[str, int, bool]:
    """put_bytes_from, also telling whether the content is new to the store."""
    digest = hashlib.sha256()
    size = 0
    target_dir = store_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=target_dir)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            while chunk := src.read(1 << 20):
                size += len(chunk)
                if size > MAX_ATTACHMENT_BYTES:
                    raise ValidationError("附件过大（上限 200 MB）。", field="attachment")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        final = blob_path(sha)
        if final.exists():
            os.unlink(tmp_name)
            return sha, size, False
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp_name, final)
        return sha, size, True
    except OSError as exc:
        Path(tmp_name).unlink(missing_ok=True)
        if is_storage_full(exc):
            raise StorageFullError("磁盘空间不足，附件没有保存，已保存的记录和附件都未受影响。请清理磁盘空间后重试。",
                                   field="attachment", detail=repr(exc)) from exc
        raise SupervisorError(f"无法保存附件：{exc.strerror or exc}", field="attachment", detail=repr(exc)) from exc
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def add_attachment(visit, source: str | os.PathLike, *, finding=None, item: str | None = None) -> Attachment:
    """Store a file and attach it to a visit; optionally to one finding of that visit or to one
    item of its assessment (``item``: "focus:<item id>" or "tendency:<tendency id>")."""
    source = Path(source)
    if not source.is_file():
        raise ValidationError(f"找不到要添加的文件：{source}", field="attachment")
    visit_id = visit.id if isinstance(visit, Visit) else visit
    visit = Visit.get_or_none((Visit.id == visit_id) & alive(Visit))
    if visit is None:
        raise NotFoundError(f"找不到督导记录：{visit_id}。", field="visit")
    finding_id = _live_finding_id(finding)
    sha, size, created = _put(source)
    mime = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    try:
        with database.atomic():
            return changelog.create(Attachment, visit=visit, sha256=sha, filename=source.name, mime_type=mime,
                                    size=size, finding=finding_id, item=item)
    except BaseException:
        if created:  # new content that no record refers to: leave the store as it was
            blob_path(sha).unlink(missing_ok=True)
        raise


def link_attachment(attachment_id: str, *, finding=None, item: str | None = None) -> Attachment:
    """Say what an attached photo is of: one finding of its visit, one assessment item, or
    (both None) the visit as a whole."""
    with database.atomic():
        att = Attachment.get_or_none((Attachment.id == attachment_id) & alive(Attachment))
        if att is None:
            raise NotFoundError(f"找不到附件：{attachment_id}。", field="attachment")
        return changelog.update(att, finding=_live_finding_id(finding), item=item)


def _live_finding_id(finding) -> str | None:
    if finding is None:
        return None
    finding_id = finding.id if isinstance(finding, Finding) else finding
    if not Finding.select().where((Finding.id == finding_id) & alive(Finding)).exists():
        raise NotFoundError(f"找不到照片所属的问题：{finding_id}。", field="finding")
    return finding_id


def remove_attachment(attachment_id: str) -> Attachment:
    """Detach (tombstone); the content stays in the store, other records may share it."""
    with database.atomic():
        att = Attachment.get_or_none((Attachment.id == attachment_id) & alive(Attachment))
        if att is None:
            raise NotFoundError(f"找不到附件：{attachment_id}。", field="attachment")
        return changelog.tombstone(att)


def list_attachments(visit) -> list[Attachment]:
    """Every live attachment of a visit (of the visit itself, its findings and its items)."""
    return list(Attachment.select().where(alive(Attachment) & (Attachment.visit == visit)).order_by(Attachment.created_at))


def attachments_by_subject(visit) -> dict[tuple[str, str] | None, list[Attachment]]:
    """A visit's live attachments by what they are of: ("finding", id), ("item", "focus:<id>")
    or None for the visit as a whole (one query; the editor shows thumbnails from it)."""
    grouped: dict[tuple[str, str] | None, list[Attachment]] = {}
    for att in list_attachments(visit):
        key = ("finding", att.finding_id) if att.finding_id else ("item", att.item) if att.item else None
        grouped.setdefault(key, []).append(att)
    return grouped


def verified_path(att: Attachment) -> Path:
    """The stored file of an attachment, after checking its content against its hash."""
    path = blob_path(att.sha256)
    if not path.exists():
        raise NotFoundError(f"附件“{att.filename}”的文件不在本机（可能尚未同步）。", field="attachment")
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest() != att.sha256:
        raise SupervisorError(f"附件“{att.filename}”已损坏（内容与哈希不符）。", field="attachment")
    return path


def thumbnail(path: str | os.PathLike, size: int) -> tuple[int, int, bytes] | None:
    """A picture file shrunk to fit ``size``×``size``: (width, height, RGBA bytes), or None for
    a file that is not a picture Pillow can read (a document, a damaged photo, a bomb)."""
    from PIL import Image  # reportlab's own dependency; imported here, only where pictures are shrunk

    try:
        with Image.open(path) as image:
            image.draft("RGB", (size, size))  # JPEG: decode at a reduced scale, much faster
            image.thumbnail((size, size))
            rgba = image.convert("RGBA")
            return rgba.width, rgba.height, rgba.tobytes("raw", "RGBA")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
