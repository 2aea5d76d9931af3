"""Payload encryption: X25519 key agreement, HKDF-SHA256, ChaCha20-Poly1305 in the STREAM construction.

Every bundle gets a fresh ephemeral X25519 key; ``HKDF(shared, salt=eph_pub || receiver_pub,
info=context || bundle_id)`` gives a 256-bit key used for this bundle only. The plaintext is cut
into chunks of CHUNK_SIZE bytes; chunk *i* is sealed with the nonce ``i`` (11 bytes, big endian)
followed by one flag byte, 1 for the last chunk and 0 otherwise (the STREAM construction of
Hoang, Reyhanitabar, Rogaway and Vizár, as used by age and Tink). Reordering, dropping,
repeating or truncating chunks therefore fails authentication, and a stream must end with its
final chunk. Every chunk but the last holds exactly CHUNK_SIZE bytes; the last holds 0 to
CHUNK_SIZE bytes (0 only when the whole plaintext is empty).

Only primitives from ``cryptography`` are used; this module only frames them.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import BundleCorrupt, CancelledError

SCHEME = "X25519-HKDF-SHA256-ChaCha20Poly1305-STREAM-256K"
CHUNK_SIZE = 256 * 1024
TAG_SIZE = 16
KDF_CONTEXT = b"supervisor_app sgb v1 payload key\n"
MAX_CHUNKS = 1 << 88


def raw_public(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def derive_key(shared: bytes, ephemeral_public: bytes, receiver_public: bytes, bundle_id: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=ephemeral_public + receiver_public,
        info=KDF_CONTEXT + bundle_id.encode("ascii"),
    ).derive(shared)


def sender_key(ephemeral: X25519PrivateKey, receiver_public: bytes, bundle_id: str) -> bytes:
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(receiver_public))
    return derive_key(shared, raw_public(ephemeral), receiver_public, bundle_id)


def receiver_key(receiver: X25519PrivateKey, ephemeral_public: bytes, bundle_id: str) -> bytes:
    try:
        shared = receiver.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    except ValueError as exc:
        raise BundleCorrupt("同步包的密钥交换数据无效。") from exc
    return derive_key(shared, ephemeral_public, raw_public(receiver), bundle_id)


def _nonce(counter: int, final: bool) -> bytes:
    if counter >= MAX_CHUNKS:
        raise OverflowError("too many chunks")
    return counter.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


class EncryptingWriter(io.RawIOBase):
    """A write-only stream that seals what is written to ``sink`` chunk by chunk.

    Call :meth:`finish` (not only close) to write the final chunk; ``sha256`` and ``size``
    then describe the ciphertext written.
    """

    def __init__(self, sink, key: bytes, chunk_size: int = CHUNK_SIZE):
        super().__init__()
        self._sink = sink
        self._aead = ChaCha20Poly1305(key)
        self._chunk = chunk_size
        self._buffer = bytearray()
        self._counter = 0
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.plain_size = 0
        self.finished = False

    def writable(self) -> bool:
        return True

    def _emit(self, data: bytes, final: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._counter, final), data, None)
        self._counter += 1
        self._sink.write(sealed)
        self.sha256.update(sealed)
        self.size += len(sealed)

    def write(self, data) -> int:
        if self.finished:
            raise ValueError("stream already finished")
        self._buffer += data
        self.plain_size += len(data)
        while len(self._buffer) > self._chunk:  # keep up to one full chunk for the final one
            self._emit(bytes(self._buffer[: self._chunk]), False)
            del self._buffer[: self._chunk]
        return len(data)

    def finish(self) -> None:
        if not self.finished:
            self._emit(bytes(self._buffer), True)
            self._buffer.clear()
            self.finished = True


class DecryptingReader(io.RawIOBase):
    """A read-only stream of the plaintext of ``size`` sealed bytes read from ``source``.

    Each chunk is authenticated before any of its bytes are returned; a damaged, reordered
    or truncated stream raises BundleCorrupt. The ciphertext's SHA-256 is computed on the way.
    """

    def __init__(self, source, size: int, key: bytes, chunk_size: int = CHUNK_SIZE,
                 progress: Callable[[int], None] | None = None, cancelled: Callable[[], bool] | None = None):
        super().__init__()
        full = chunk_size + TAG_SIZE
        if size < TAG_SIZE or (size - TAG_SIZE) % full > chunk_size:
            raise BundleCorrupt("同步包的加密内容长度不对（文件不完整或被改动）。")
        self._source = source
        self._aead = ChaCha20Poly1305(key)
        self._full = full
        self._chunks_left = (size - TAG_SIZE) // full + 1
        self._last_size = (size - TAG_SIZE) % full + TAG_SIZE
        self._counter = 0
        self._buffer = b""
        self._pos = 0
        self._progress = progress
        self._cancelled = cancelled
        self.sha256 = hashlib.sha256()
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    @property
    def exhausted(self) -> bool:
        return self._chunks_left == 0 and self._pos >= len(self._buffer)

    def _next_chunk(self) -> bool:
        if self._chunks_left == 0:
            return False
        if self._cancelled and self._cancelled():
            raise CancelledError()
        final = self._chunks_left == 1
        want = self._last_size if final else self._full
        sealed = self._source.read(want)
        if len(sealed) != want:
            raise BundleCorrupt("同步包不完整（加密内容提前结束）。")
        self.sha256.update(sealed)
        self.read_bytes += len(sealed)
        try:
            self._buffer = self._aead.decrypt(_nonce(self._counter, final), sealed, None)
        except InvalidTag as exc:
            raise BundleCorrupt(
                f"同步包第 {self._counter + 1} 段内容校验失败：文件被改动、损坏，或不是发给本机的。"
            ) from exc
        self._pos = 0
        self._counter += 1
        self._chunks_left -= 1
        if self._progress:
            self._progress(self.read_bytes)
        return True

    def readinto(self, target) -> int:
        while self._pos >= len(self._buffer):
            if not self._next_chunk():
                return 0
        n = min(len(target), len(self._buffer) - self._pos)
        target[:n] = self._buffer[self._pos : self._pos + n]
        self._pos += n
        return n

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            parts = []
            while True:
                chunk = self.read(1 << 20)
                if not chunk:
                    return b"".join(parts)
                parts.append(chunk)
        out = bytearray()
        while len(out) < size:
            if self._pos >= len(self._buffer) and not self._next_chunk():
                break
            take = min(size - len(out), len(self._buffer) - self._pos)
            out += self._buffer[self._pos : self._pos + take]
            self._pos += take
        return bytes(out)
