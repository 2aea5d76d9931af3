"""The .sgb file: a signed manifest and an encrypted, streamed payload in one file.

Layout (every byte is covered by a check)::

    "SUPV-SGB"                      8 bytes, magic
    payload                         the sealed stream (see crypto.py), manifest["payload"]["size"] bytes
    manifest                        UTF-8 JSON, L bytes
    signature                       64 bytes, Ed25519 over MANIFEST_CONTEXT + manifest
    L                               8 bytes, big endian
    "SGB-END\\n"                     8 bytes, trailer magic

The manifest comes last so that the payload can be streamed while its hash is computed; the
file size must equal the sum of the parts exactly. The payload's plaintext is a tar stream
(USTAR, regular files only) whose members are listed, in order, in ``manifest["parts"]``:
``entries/NNNNNN.jsonl.gz`` (change-log entries, gzip'd JSON lines) and
``attachments/<sha256>`` (attachment contents).

What comes from a bundle or a card is read strictly, because an enrolled device can still be
hostile: the tar stream by our own reader (only the plain USTAR headers BundleWriter writes —
no pax or GNU extension headers, sparse files, links — and nothing after the end-of-archive but
the writer's zero padding), JSON by ``loads_strict`` (bounded nesting, no lone surrogates, no
NaN or Infinity). Every refusal is a BundleRefused with a Chinese message, never a traceback.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
import os
import re
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from ..attachments import MAX_ATTACHMENT_BYTES
from ..canonical import canonical_bytes
from . import crypto
from .errors import BundleCorrupt, NewerFormatError, SizeLimitError, UnsafeContentError
from .identity import b64

FORMAT = "supervisor_app.bundle"
FORMAT_VERSION = 1
MAGIC = b"SUPV-SGB"
TRAILER_MAGIC = b"SGB-END\n"
MANIFEST_CONTEXT = b"supervisor_app sgb v1 manifest\n"
SIGNATURE_SIZE = 64
FIXED_OVERHEAD = len(MAGIC) + SIGNATURE_SIZE + 8 + len(TRAILER_MAGIC)
SUFFIX = ".sgb"

# Caps checked on the (signed) manifest before anything is decrypted, and again on the way.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_PARTS = 250_000
MAX_TOTAL_BYTES = 32 * 1024**3
MAX_ENTRIES_PART_BYTES = 256 * 1024 * 1024
MAX_ENTRIES_PART_RAW = 512 * 1024 * 1024
MAX_RATIO = 100
RATIO_ALLOWANCE = 1024 * 1024  # tiny parts may compress better than MAX_RATIO
MAX_LINE_BYTES = 16 * 1024 * 1024
MAX_ENTRIES = 20_000_000
MAX_PART_ENTRIES = 50_000  # the exporter writes 5 000 per part
MAX_NAME_CHARS = 1000  # the sender's name in the manifest (a group's name)
INFLATE_STEP = 1 << 20  # decompressed bytes produced per step: memory stays bounded
MAX_JSON_DEPTH = 32  # the deepest entry (a template's content in its fields) nests 6 deep
ENTRIES_PART = re.compile(r"entries/[0-9]{6}\.jsonl\.gz")
ATTACHMENT_PART = re.compile(r"attachments/[0-9a-f]{64}")
UUIDISH = re.compile(r"[0-9a-zA-Z][0-9a-zA-Z-]{7,35}")


canonical_json = canonical_bytes  # what the manifest signature covers


# --- strict JSON ----------------------------------------------------------------------------------


class StrictJSONError(ValueError):
    """Text refused by ``loads_strict``: ``reason`` says why (Chinese, to follow a noun such as
    “同步包中的变更条目”); ``unsafe`` tells a construct no writer of ours makes (deep nesting, a
    lone surrogate, NaN) from text that is merely not JSON."""

    def __init__(self, reason: str, unsafe: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.unsafe = unsafe


_NOT_A_NUMBER = "含有 NaN 或无穷大（Infinity）这样的非法数值"
_TOO_DEEP = f"嵌套过深（超过 {MAX_JSON_DEPTH} 层）"
_LONE_SURROGATE = "含有无效的 Unicode 字符（不成对的代理码，如 \\ud800）"
# A lone surrogate can only arrive as an escape: the UTF-8 decoder refuses encoded ones.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _no_constant(name: str):
    raise StrictJSONError(_NOT_A_NUMBER)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999
        raise StrictJSONError(_NOT_A_NUMBER)
    return value


_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite_float)
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def _too_deep(value) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        for child in item.values() if type(item) is dict else item:
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
    return False


def loads_strict(text: str):
    """``json.loads`` that refuses NaN/Infinity (and numbers beyond a float), lone surrogates
    in keys or values, and nesting deeper than MAX_JSON_DEPTH; raises StrictJSONError.

    Cheap on ordinary text: the depth is walked only when the text has more brackets than the
    bound, the strings only when it has a surrogate escape.
    """
    try:
        value = _DECODER.decode(text)
    except RecursionError:
        raise StrictJSONError(_TOO_DEEP) from None
    except StrictJSONError:
        raise
    except (ValueError, OverflowError) as exc:  # not JSON; an integer of more than 4 300 digits
        raise StrictJSONError("无法解析", unsafe=False) from exc
    if (text.count("[") + text.count("{") > MAX_JSON_DEPTH and (type(value) is dict or type(value) is list)
            and _too_deep(value)):
        raise StrictJSONError(_TOO_DEEP)
    if "\\u" in text and _SURROGATE_ESCAPE.search(text):
        try:
            _ENCODER.encode(value).encode("utf-8")
        except UnicodeEncodeError:
            raise StrictJSONError(_LONE_SURROGATE) from None
    return value


def parse_json_line(line: bytes):
    """One change-log entry line of a bundle, strictly parsed (see ``loads_strict``).

    Raises UnsafeContentError for deep nesting, lone surrogates and NaN/Infinity, BundleCorrupt
    for anything that is not UTF-8 JSON.
    """
    try:
        return loads_strict(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BundleCorrupt("同步包中的变更条目不是有效的 UTF-8 文本。") from exc
    except StrictJSONError as exc:
        if exc.unsafe:
            raise UnsafeContentError(f"同步包中的变更条目{exc.reason}，已拒绝。") from None
        raise BundleCorrupt("同步包中的变更条目无法解析。") from exc


def check_member_name(name) -> str:
    """Refuse absolute paths, '..', backslashes and anything but the two known member kinds."""
    if not isinstance(name, str) or not name or len(name) > 200 or "\x00" in name:
        raise UnsafeContentError(f"同步包中有不安全的文件名：{name!r}。")
    shown = name if name.isprintable() else repr(name)  # a refusal is one line
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise UnsafeContentError(f"同步包中有不安全的文件名（绝对路径）：{shown}。")
    if "\\" in name or any(part in ("..", ".", "") for part in name.split("/")):
        raise UnsafeContentError(f"同步包中有不安全的文件名（含“..”或空路径段）：{shown}。")
    if not (ENTRIES_PART.fullmatch(name) or ATTACHMENT_PART.fullmatch(name)):
        raise UnsafeContentError(f"同步包中有不认识的文件：{shown}。")
    return name


# --- reading ---------------------------------------------------------------------------------------


@dataclass
class BundleFile:
    """The parsed frame of a bundle file: manifest, signature and where the payload is."""

    path: Path
    file_size: int
    manifest: dict
    manifest_bytes: bytes
    signature: bytes
    payload_offset: int
    payload_size: int

    @property
    def bundle_id(self) -> str:
        return self.manifest["bundle_id"]

    @property
    def sender_id(self) -> str:
        return self.manifest["sender"]["device_id"]

    @property
    def receiver_id(self) -> str:
        return self.manifest["receiver"]["device_id"]


def read_frame(path: str | os.PathLike) -> BundleFile:
    """Read the frame and the manifest (format version first); no signature check yet."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            head = fh.read(len(MAGIC))
            if head != MAGIC:
                raise BundleCorrupt(f"{path.name} 不是同步包文件，或文件开头已损坏。")
            if size < FIXED_OVERHEAD:
                raise BundleCorrupt(f"{path.name} 不完整（文件被截断）。")
            fh.seek(size - 16)
            tail = fh.read(16)
            if tail[8:] != TRAILER_MAGIC:
                raise BundleCorrupt(f"{path.name} 不完整或结尾已损坏（文件可能被截断，或复制未完成）。")
            length = int.from_bytes(tail[:8], "big")
            if length > MAX_MANIFEST_BYTES or length > size - FIXED_OVERHEAD:
                raise BundleCorrupt(f"{path.name} 已损坏（清单长度不对）。")
            manifest_at = size - 16 - SIGNATURE_SIZE - length
            fh.seek(manifest_at)
            manifest_bytes = fh.read(length)
            signature = fh.read(SIGNATURE_SIZE)
    except FileNotFoundError as exc:
        raise BundleCorrupt(f"找不到同步包文件：{path}。") from exc
    except IsADirectoryError as exc:
        raise BundleCorrupt(f"{path} 是文件夹，不是同步包。") from exc
    try:
        manifest = loads_strict(manifest_bytes.decode("utf-8"))
    except StrictJSONError as exc:
        if exc.unsafe:
            raise UnsafeContentError(f"{path.name} 的清单{exc.reason}，已拒绝。") from None
        raise BundleCorrupt(f"{path.name} 已损坏（清单无法解析）。") from exc
    except UnicodeDecodeError as exc:
        raise BundleCorrupt(f"{path.name} 已损坏（清单无法解析）。") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleCorrupt(f"{path.name} 已损坏（清单格式不对）。")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise BundleCorrupt(f"{path.name} 已损坏（格式版本不对）。")
    if version > FORMAT_VERSION:
        raise NewerFormatError(
            f"{path.name} 由更新版本的程序生成（同步包格式版本 {version}，本程序支持到 {FORMAT_VERSION}）。"
            "未作任何改动，请升级本程序后再导入。"
        )
    payload_size = manifest_at - len(MAGIC)
    return BundleFile(path, size, manifest, manifest_bytes, signature, len(MAGIC), payload_size)


def verify_signature(frame: BundleFile, public_key: Ed25519PublicKey) -> None:
    try:
        public_key.verify(frame.signature, MANIFEST_CONTEXT + frame.manifest_bytes)
    except InvalidSignature as exc:
        raise BundleCorrupt(f"{frame.path.name} 的签名无效：清单被改动、文件损坏，或不是该设备生成的。") from exc


def _int(value, name: str, low: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= 2**62:
        raise BundleCorrupt(f"同步包清单中的 {name} 不正确。")
    return value


def _text(value, name: str, pattern: re.Pattern | None = None) -> str:
    if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
        raise BundleCorrupt(f"同步包清单中的 {name} 不正确。")
    return value


def check_manifest(frame: BundleFile) -> None:
    """Shapes, sizes and caps of a (signed) manifest, before anything is decrypted."""
    m = frame.manifest
    try:
        _text(m["bundle_id"], "bundle_id", UUIDISH)
        _int(m["bundle_no"], "bundle_no", 1)
        _text(m["kind"], "kind", re.compile("records|assignments"))
        _text(m["created_at"], "created_at")
        for side in ("sender", "receiver"):
            _text(m[side]["device_id"], f"{side}.device_id", UUIDISH)
            _text(m[side]["role"], f"{side}.role", re.compile("field|office"))
        group_id, sender_name = m["sender"].get("group_id"), m["sender"].get("name")
        if group_id is not None:
            _text(group_id, "sender.group_id", UUIDISH)
        if sender_name is not None and len(_text(sender_name, "sender.name")) > MAX_NAME_CHARS:
            raise BundleCorrupt("同步包清单中的 sender.name 过长。")
        entry_count = _int(m["entry_count"], "entry_count")
        _int(m["attachment_count"], "attachment_count")
        ranges = m["ranges"]
        if not isinstance(ranges, list):
            raise BundleCorrupt("同步包清单中的 ranges 不正确。")
        seen = set()
        for r in ranges:
            device = _text(r["device_id"], "ranges.device_id", UUIDISH)
            after, upto = _int(r["after"], "ranges.after"), _int(r["upto"], "ranges.upto")
            count = _int(r["count"], "ranges.count")
            if device in seen or upto < after or count > upto - after:
                raise BundleCorrupt("同步包清单中的序号范围不正确。")
            seen.add(device)
        if sum(r["count"] for r in ranges) != entry_count:
            raise BundleCorrupt("同步包清单中的条目数与序号范围不符。")
        acks = m["acks"]
        if not isinstance(acks, dict):
            raise BundleCorrupt("同步包清单中的 acks 不正确。")
        for device, upto in acks.items():
            _text(device, "acks", UUIDISH)
            _int(upto, "acks")
        enc = m["encryption"]
        if enc.get("scheme") != crypto.SCHEME or enc.get("chunk_size") != crypto.CHUNK_SIZE:
            raise BundleCorrupt("同步包使用了本程序不支持的加密方式。")
        _text(enc["ephemeral_public_key"], "ephemeral_public_key")
        payload = m["payload"]
        _text(payload["sha256"], "payload.sha256", re.compile("[0-9a-f]{64}"))
        if _int(payload["size"], "payload.size") != frame.payload_size:
            raise BundleCorrupt(f"{frame.path.name} 的大小与清单不符（文件不完整或被改动）。")
        parts = m["parts"]
        if not isinstance(parts, list):
            raise BundleCorrupt("同步包清单中的 parts 不正确。")
    except (KeyError, TypeError, AttributeError) as exc:
        raise BundleCorrupt(f"同步包清单缺少必要内容：{exc}。") from exc
    if len(parts) > MAX_PARTS:
        raise SizeLimitError(f"同步包包含的文件过多（{len(parts)} 个，上限 {MAX_PARTS}）。")
    if entry_count > MAX_ENTRIES:
        raise SizeLimitError(f"同步包的变更条目过多（{entry_count} 条）。")
    total = 0
    names = set()
    entries_declared = 0
    attachments = 0
    for part in parts:
        if not isinstance(part, dict):
            raise BundleCorrupt("同步包清单中的 parts 不正确。")
        name = check_member_name(part.get("name"))
        if name in names:
            raise UnsafeContentError(f"同步包中有重名文件：{name}。")
        names.add(name)
        size = _int(part.get("size"), "parts.size")
        _text(part.get("sha256"), "parts.sha256", re.compile("[0-9a-f]{64}"))
        total += size
        if name.startswith("entries/"):
            raw = _int(part.get("raw_size"), "parts.raw_size")
            entries = _int(part.get("entries"), "parts.entries")
            entries_declared += entries
            if entries > MAX_PART_ENTRIES:
                raise SizeLimitError(f"同步包中的 {name} 条目过多（{entries} 条，上限 {MAX_PART_ENTRIES}）。")
            if size > MAX_ENTRIES_PART_BYTES or raw > MAX_ENTRIES_PART_RAW:
                raise SizeLimitError(f"同步包中的 {name} 过大。")
            if raw > max(size * MAX_RATIO, RATIO_ALLOWANCE):
                raise SizeLimitError(
                    f"同步包中的 {name} 压缩比异常（{size} 字节解压为 {raw} 字节，疑似压缩炸弹），已拒绝。"
                )
            total += raw
        else:
            attachments += 1
            if part["sha256"] != name.rsplit("/", 1)[1]:
                raise BundleCorrupt(f"同步包中的附件 {name} 与其哈希不符。")
            if size > MAX_ATTACHMENT_BYTES:
                raise SizeLimitError(f"同步包中的附件 {name} 超过 200 MB 上限。")
    if total > MAX_TOTAL_BYTES:
        raise SizeLimitError("同步包解开后的总大小超过上限。")
    if entries_declared != entry_count or attachments != m["attachment_count"]:
        raise BundleCorrupt("同步包清单中的条目数或附件数与文件列表不符。")


class _Slice(io.RawIOBase):
    """``size`` bytes of an open file from its current position."""

    def __init__(self, fh, size: int):
        super().__init__()
        self._fh = fh
        self._left = size

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0 or n > self._left:
            n = self._left
        data = self._fh.read(n)
        self._left -= len(data)
        return data


@dataclass
class DecodedPayload:
    entries: int = 0
    attachments: dict[str, Path] = field(default_factory=dict)


def decode_payload(frame: BundleFile, key: bytes, stage_dir: Path | None,
                   on_entry: Callable[[dict, bytes], None] | None,
                   progress: Callable[[int], None] | None = None,
                   cancelled: Callable[[], bool] | None = None) -> DecodedPayload:
    """Decrypt and check the payload: member order, names, types, sizes, hashes, decompression.

    Entries are handed to ``on_entry`` (parsed, and as the line read) one by one, in order (None: only counted, not parsed —
    the writer's read-back check, which has every byte checked already); attachments are written to
    ``stage_dir`` under their hash (only checked when it is None). Raises on the first problem;
    the caller discards the stage.
    """
    parts = frame.manifest["parts"]
    result = DecodedPayload()
    with open(frame.path, "rb") as fh:
        fh.seek(frame.payload_offset)
        reader = crypto.DecryptingReader(_Slice(fh, frame.payload_size), frame.payload_size, key,
                                         progress=progress, cancelled=cancelled)
        position = 0  # in the plaintext tar stream
        for expected in parts:
            block = _read_block(reader)
            if block == _ZERO_BLOCK:
                raise BundleCorrupt("同步包缺少清单中列出的文件（内容不完整）。")
            name, size = _member_header(block)
            if name != expected["name"] or size != expected["size"]:
                raise UnsafeContentError(f"同步包中的文件 {name} 与清单不符。")
            if name.startswith("entries/"):
                result.entries += _decode_entries(reader, expected, on_entry)
            else:
                sha = expected["sha256"]
                target = stage_dir / sha if stage_dir is not None else None
                result.attachments[sha] = _stage_attachment(reader, expected, target)
            padding = -size % BLOCK
            if _read_block(reader, padding).strip(b"\x00"):
                raise UnsafeContentError(f"同步包的内容中有多余的数据（{name} 之后的填充不是零），已拒绝。")
            position += BLOCK + size + padding
        _check_end(reader, position)
        if reader.sha256.hexdigest() != frame.manifest["payload"]["sha256"]:
            raise BundleCorrupt("同步包的加密内容与清单中的哈希不符（文件被改动）。")
    return result


# --- the tar stream: only what BundleWriter writes ----------------------------------------------------

BLOCK = tarfile.BLOCKSIZE  # 512
RECORD = tarfile.RECORDSIZE  # 10 240: the writer pads the archive to whole records
_ZERO_BLOCK = bytes(BLOCK)
_USTAR_MAGIC = b"ustar\x0000"  # magic and version of POSIX USTAR (GNU tar's own is "ustar  \0")
_OCTAL = re.compile(rb" *([0-7]{1,12})[ \x00]*")
_EXTENSION_HEADERS = {
    b"x": "pax 扩展头", b"g": "pax 全局扩展头", b"L": "GNU 长文件名扩展头", b"K": "GNU 长链接名扩展头",
    b"S": "稀疏文件（GNU sparse）", b"N": "GNU 扩展头", b"M": "GNU 多卷扩展头", b"V": "GNU 卷标",
    b"D": "GNU 目录清单", b"X": "扩展头",
}
_OTHER_TYPES = {b"1": "链接（硬链接）", b"2": "链接（符号链接）", b"5": "文件夹"}


def _read_block(reader, size: int = BLOCK) -> bytes:
    data = reader.read(size)
    if len(data) != size:
        raise BundleCorrupt("同步包内容不完整（文件提前结束）。")
    return data


def _shown(raw_name: bytes) -> str:
    """A member name as read, printable ASCII (anything else escaped): the name itself when valid."""
    return raw_name.decode("latin-1").encode("unicode_escape").decode("ascii")


def _octal(field: bytes) -> int | None:
    match = _OCTAL.fullmatch(field)
    return int(match.group(1), 8) if match else None


def _member_header(block: bytes) -> tuple[str, int]:
    """The name and size of a plain regular file's USTAR header; anything else is refused."""
    if _octal(block[148:156]) != sum(block[:148]) + 8 * 32 + sum(block[156:]):
        raise BundleCorrupt("同步包内容已损坏（文件头校验和不对）。")
    raw_name = block[:100].split(b"\x00", 1)[0]
    shown = _shown(raw_name)
    kind = block[156:157]
    if kind not in (b"0", b"\x00"):
        if kind in _EXTENSION_HEADERS:
            raise UnsafeContentError(f"同步包中含有{_EXTENSION_HEADERS[kind]}（{shown}），已拒绝：只接受普通文件。")
        what = _OTHER_TYPES.get(kind, f"特殊文件（类型 {_shown(kind)}）")
        raise UnsafeContentError(f"同步包中含有{what}：{shown}，已拒绝。")
    if block[257:265] != _USTAR_MAGIC:
        raise BundleCorrupt("同步包内容的格式不对（不是本程序写出的 USTAR 格式）。")
    if block[len(raw_name):100].strip(b"\x00") or block[157:257].strip(b"\x00") or block[345:500].strip(b"\x00"):
        raise UnsafeContentError(f"同步包中的文件 {shown} 的文件头有链接名、路径前缀或多余内容，已拒绝。")
    size = _octal(block[124:136])
    if size is None:
        raise BundleCorrupt("同步包内容已损坏（文件头中的大小不对）。")
    return check_member_name(shown), size


def _check_end(reader, position: int) -> None:
    """After the last member: two zero blocks and zero padding to a whole record, as the writer
    writes them, then nothing."""
    block = _read_block(reader)
    if block != _ZERO_BLOCK:
        name = _shown(block[:100].split(b"\x00", 1)[0])
        if name:
            raise UnsafeContentError(f"同步包中有清单之外的文件：{name}。")
        raise UnsafeContentError("同步包的内容之后还有多余的数据，已拒绝。")
    end = position + 2 * BLOCK
    expected = end + (-end % RECORD) - position - BLOCK
    tail = reader.read(expected + 1)
    if len(tail) > expected or tail.strip(b"\x00") or not reader.exhausted:
        raise UnsafeContentError("同步包的内容之后还有多余的数据，已拒绝。")
    if len(tail) < expected:
        raise BundleCorrupt("同步包内容不完整（结尾不对）。")


def _read_exact(stream, size: int):
    left = size
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            raise BundleCorrupt("同步包中的文件不完整。")
        left -= len(chunk)
        yield chunk


def _decode_entries(stream, part: dict, on_entry: Callable[[dict, bytes], None] | None) -> int:
    digest = hashlib.sha256()
    inflater = zlib.decompressobj(wbits=31)
    raw_left = part["raw_size"]
    pending = b""
    count = 0

    def lines(data: bytes):
        nonlocal pending
        pending += data
        *complete, pending = pending.split(b"\n")
        if len(pending) > MAX_LINE_BYTES:
            raise SizeLimitError("同步包中有过长的变更条目。")
        return complete

    def emit(raw_lines):
        nonlocal count
        for line in raw_lines:
            if not line:
                raise BundleCorrupt("同步包中的变更条目格式不对（空行）。")
            count += 1
            if count > part["entries"]:
                raise BundleCorrupt(f"同步包中的 {part['name']} 条目数多于清单所列。")
            if on_entry is not None:
                on_entry(parse_json_line(line), line)

    try:
        for chunk in _read_exact(stream, part["size"]):
            digest.update(chunk)
            data = inflater.decompress(chunk, min(raw_left + 1, INFLATE_STEP))
            while True:
                raw_left -= len(data)
                if raw_left < 0:
                    raise SizeLimitError(f"同步包中的 {part['name']} 解压后超过清单所列大小（疑似压缩炸弹），已拒绝。")
                emit(lines(data))
                if not inflater.unconsumed_tail:
                    break
                data = inflater.decompress(inflater.unconsumed_tail, min(raw_left + 1, INFLATE_STEP))
        data = inflater.flush()
        raw_left -= len(data)
        emit(lines(data))
    except zlib.error as exc:
        raise BundleCorrupt(f"同步包中的 {part['name']} 无法解压。") from exc
    if digest.hexdigest() != part["sha256"]:
        raise BundleCorrupt(f"同步包中的 {part['name']} 与清单中的哈希不符。")
    if raw_left != 0 or pending or not inflater.eof or inflater.unused_data:
        raise BundleCorrupt(f"同步包中的 {part['name']} 大小或结尾与清单不符。")
    if count != part["entries"]:
        raise BundleCorrupt(f"同步包中的 {part['name']} 条目数与清单不符。")
    return count


def _stage_attachment(stream, part: dict, target: Path | None) -> Path | None:
    digest = hashlib.sha256()
    out = open(target, "wb") if target is not None else None
    try:
        for chunk in _read_exact(stream, part["size"]):
            digest.update(chunk)
            if out is not None:
                out.write(chunk)
        if out is not None:
            out.flush()
            os.fsync(out.fileno())
    finally:
        if out is not None:
            out.close()
    if digest.hexdigest() != part["sha256"]:
        raise BundleCorrupt(f"同步包中的附件 {part['name']} 内容与哈希不符。")
    return target


# --- writing ---------------------------------------------------------------------------------------


class _HashingReader:
    def __init__(self, fh):
        self._fh = fh
        self.digest = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self.digest.update(data)
        return data


class BundleWriter:
    """Streams one bundle to ``path``: members go through tar → STREAM encryption → file.

    ``finish(manifest)`` completes the manifest (encryption, payload, parts), signs it and
    writes the trailer. The ephemeral key stays in ``payload_key`` so that the writer can read
    the file back and verify it; it is never stored.
    """

    def __init__(self, path: Path, sign_key: Ed25519PrivateKey, receiver_box_public: bytes, bundle_id: str):
        self.path = path
        self.bundle_id = bundle_id
        self._sign_key = sign_key
        ephemeral = X25519PrivateKey.generate()
        self._ephemeral_public = crypto.raw_public(ephemeral)
        self.payload_key = crypto.sender_key(ephemeral, receiver_box_public, bundle_id)
        self._fh = open(path, "wb")
        self._fh.write(MAGIC)
        self._enc = crypto.EncryptingWriter(self._fh, self.payload_key)
        self._tar = tarfile.open(fileobj=self._enc, mode="w|", format=tarfile.USTAR_FORMAT)
        self.parts: list[dict] = []
        self._entry_parts = 0

    def _info(self, name: str, size: int, kind: bytes = tarfile.REGTYPE) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = 0
        info.mode = 0o600
        info.type = kind
        return info

    def add_entries(self, entries: list[dict]) -> None:
        """One entries part (gzip'd JSON lines)."""
        self.add_entry_lines([canonical_json(e) for e in entries])

    def add_entry_lines(self, lines: list[bytes]) -> None:
        """One entries part from entries already encoded as JSON (one per line, no newline)."""
        raw = b"\n".join(lines) + b"\n" if lines else b""
        data = gzip.compress(raw, compresslevel=6, mtime=0)
        self._entry_parts += 1
        name = f"entries/{self._entry_parts:06d}.jsonl.gz"
        self.add_member(name, data, raw_size=len(raw), entries=len(lines))

    def add_member(self, name: str, data: bytes, kind: bytes = tarfile.REGTYPE, **meta) -> None:
        """A member from bytes, listed in the manifest (``meta`` adds raw_size/entries)."""
        info = self._info(name, len(data), kind)
        if kind != tarfile.REGTYPE:
            info.size = 0
            info.linkname = "../../outside"
        self._tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
        self.parts.append({"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), **meta})

    def add_file(self, name: str, source: Path, sha256: str) -> bool:
        """A member streamed from a content-addressed file; False when its content does not
        match ``sha256`` (the bundle must then be abandoned)."""
        with open(source, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            hashing = _HashingReader(fh)
            self._tar.addfile(self._info(name, size), hashing)
        self.parts.append({"name": name, "size": size, "sha256": sha256})
        return hashing.digest.hexdigest() == sha256

    def finish(self, manifest: dict) -> dict:
        self._tar.close()
        self._enc.finish()
        manifest = dict(manifest)
        manifest.setdefault("parts", self.parts)
        manifest["encryption"] = {
            "scheme": crypto.SCHEME, "chunk_size": crypto.CHUNK_SIZE,
            "ephemeral_public_key": b64(self._ephemeral_public),
        }
        manifest["payload"] = {"size": self._enc.size, "sha256": self._enc.sha256.hexdigest()}
        body = canonical_json(manifest)
        signature = self._sign_key.sign(MANIFEST_CONTEXT + body)
        self._fh.write(body)
        self._fh.write(signature)
        self._fh.write(len(body).to_bytes(8, "big"))
        self._fh.write(TRAILER_MAGIC)
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        return manifest

    def abort(self) -> None:
        try:
            self._fh.close()
        finally:
            self.path.unlink(missing_ok=True)
