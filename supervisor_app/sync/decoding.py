"""Decoding a bundle's payload into checked entries: here for a small bundle, in a second
process for a large one, so that applying (importer.py) overlaps decrypting and parsing.

Either way every entry goes through the same checks before anything uses it: the container's
(decryption with each chunk authenticated, the tar members, sizes, hashes, decompression,
JSON), ``entries.from_wire`` (types, record type, fields), and ``EntryChecker`` (the
manifest's ranges and counts, the sender's role). A checked entry travels as a tuple with the
canonical text of its fields (what the change log stores and hashes), worked out once here.

- **In this process** (``stage``): the whole payload is decoded and checked into a staging
  file first; only then is anything applied.
- **In a second process** (``Decoder``, bundles of ``WORKER_MIN_BYTES`` or more): the worker
  decodes and checks, and sends batches of checked entries through a pipe while this process
  applies them inside the import's transaction. Nothing is committed before the worker has
  reported the whole payload verified (payload hash, counts, the end of the archive); any
  refusal it reports — or its death — rolls the import back. It only ever reads the bundle
  and writes attachments into the import's own staging folder; it never opens the database.
"""

from __future__ import annotations

import json
import marshal
import multiprocessing
import os
import queue
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

from .. import clock
from ..canonical import canonical_text
from ..models import MODEL_BY_RECORD_TYPE
from . import container, errors
from .entries import ASSIGNMENT_TYPES, Entry, from_wire, json_fields, new_record_state, record_defaults
from .errors import BundleCorrupt, UnsafeContentError

STAGE_BATCH = 2000  # checked entries per marshal record (staging file) or per message (pipe)
# A payload this large is decoded by a second process while this one applies it: a few tenths
# of a second to start a process is nothing against the seconds it saves.
WORKER_MIN_BYTES = int(os.environ.get("SUPERVISOR_IMPORT_WORKER_MIN_BYTES", 8 << 20))

DEPTH = 32  # messages read ahead of the applying (of STAGE_BATCH entries each)
_ENTRIES, _DONE, _REFUSED, _FAILED, _TOKENS = b"E", b"D", b"R", b"X", b"T"


class EntryChecker:
    """Checks each entry against the manifest's ranges and the sender's role, and hands the
    checked entries on in batches (``sink``) as tuples (``_entry`` makes the entry again)."""

    def __init__(self, ranges: list[dict], sender_role: str, sender_id: str, sink: Callable[[list], None],
                 batch: int = STAGE_BATCH, alone: AloneRules | None = None):
        self.ranges = ranges
        self.alone = alone  # checks each insert's new record against rules.check_alone; None: not here
        self.batch = batch
        self.role = sender_role
        self.sender_id = sender_id
        self.sink = sink
        self.index = 0
        self.counts = [0] * len(ranges)
        self.last_seq = 0
        self.referenced: set[str] = set()
        self.pending: list[tuple] = []
        self.json: dict[str, frozenset[str]] = {}

    def __call__(self, data, line: bytes) -> None:
        entry = from_wire(data)
        while self.index < len(self.ranges) and entry.device_id != self.ranges[self.index]["device_id"]:
            self._close_range()
        if self.index >= len(self.ranges):
            raise BundleCorrupt("同步包中有不在清单所列范围内的条目（或顺序不对）。")
        rng = self.ranges[self.index]
        if not rng["after"] < entry.seq <= rng["upto"] or entry.seq <= self.last_seq:
            raise BundleCorrupt("同步包中的条目序号超出清单所列范围或顺序不对。")
        self.last_seq = entry.seq
        self.counts[self.index] += 1
        if self.role == "field" and entry.device_id != self.sender_id:
            raise UnsafeContentError("督导组的同步包中只能有该设备自己的变更，本包含有其他设备的变更，已拒绝。")
        if self.role == "office" and entry.record_type not in ASSIGNMENT_TYPES:
            raise UnsafeContentError("活动办下发的同步包中只能有工作安排（督导组、单位、干部、模板等），已拒绝。")
        if entry.record_type == "attachment" and isinstance(entry.fields.get("sha256"), str):
            self.referenced.add(entry.fields["sha256"])
        json_names = self.json.get(entry.record_type)
        if json_names is None:
            json_names = self.json[entry.record_type] = json_fields(entry.record_type)
        texts = {name: canonical_text(value) for name, value in entry.fields.items()
                 if value is not None and name in json_names}
        # Handed on as checked: the fields as their canonical text (what the change log stores
        # and hashes), from which _entry makes them again (json.loads of it is twice as fast
        # as unmarshalling the dict), the canonical text of each JSON-column value, and whether
        # the record an insert makes passed rules.check_alone.
        alone_ok = self.alone is not None and entry.op == "insert" and self.alone(entry)
        self.pending.append((entry.device_id, entry.seq, entry.record_type, entry.record_id, entry.op,
                             entry.member_id, entry.at, entry.deps, canonical_text(entry.fields), texts or None,
                             alone_ok))
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.sink(self.pending)
            self.pending = []

    def _close_range(self) -> None:
        if self.counts[self.index] != self.ranges[self.index]["count"]:
            raise BundleCorrupt("同步包中的条目数与清单不符。")
        self.index += 1
        self.last_seq = 0

    def finish(self) -> None:
        while self.index < len(self.ranges):
            self._close_range()
        self.flush()


class AloneRules:
    """Whether the record an insert entry makes passes ``rules.check_alone`` (the rules that read
    nothing but the record and the templates), against a ``template_snapshot`` of the
    importing installation: the worker's verdict, which spares the importer that half
    (apply.Applier decides where it may use it). Any failure — a rule, or a check that asked
    for a record after all (``NeedsRecords``) — is no verdict: the importer checks that record in full."""

    def __init__(self, templates: tuple):
        from ..rules import TemplateLookup, check_alone

        self.check = check_alone
        self.lookup = TemplateLookup(templates)
        self.defaults: dict[str, dict] = {}

    def __call__(self, entry: Entry) -> bool:
        defaults = self.defaults.get(entry.record_type)
        if defaults is None:
            defaults = self.defaults[entry.record_type] = record_defaults(MODEL_BY_RECORD_TYPE[entry.record_type])
        try:
            self.check(entry.record_type, new_record_state(defaults, entry.record_id, entry.fields), self.lookup)
        except Exception:  # noqa: BLE001 - whatever it is, the importer checks the record in full and says it
            return False
        return True


def _entry(t: tuple) -> Entry:
    """An entry again from EntryChecker's tuple. Its fields are what the checked fields were:
    their canonical text is exact JSON (no NaN, strings as they are, floats by repr)."""
    return Entry(t[0], t[1], t[2], t[3], t[4], json.loads(t[8]), t[5], t[6], t[7], t[8], t[9], t[10])


# --- in this process: decode everything into a staging file, then read it back ------------------------


def stage(frame: container.BundleFile, key: bytes, sender_role: str, sender_id: str, folder: Path,
          progress: Callable[[int], None] | None,
          cancelled: Callable[[], bool] | None) -> tuple[Path, dict[str, Path], set[str]]:
    """Decode and check the whole payload; returns (the staging file of checked entries,
    the staged attachments by hash, the hashes the entries reference)."""
    target = folder / "entries.marshal"
    blobs = folder / "blobs"
    blobs.mkdir()
    with open(target, "wb") as out:
        def write(batch: list) -> None:
            data = marshal.dumps(batch)
            out.write(len(data).to_bytes(8, "little"))
            out.write(data)

        checker = EntryChecker(frame.manifest["ranges"], sender_role, sender_id, write)
        decoded = container.decode_payload(frame, key, blobs, checker, progress, cancelled)
        checker.finish()
    return target, decoded.attachments, checker.referenced


def staged_entries(path: Path) -> Iterator[Entry]:
    """The entries ``stage`` checked, in order.

    The staging file is this import's own (written into a private temporary folder just
    before): records of an 8-byte length and a marshalled list of entry tuples (``marshal.loads``
    of the whole record: ``marshal.load`` of a file reads it piece by piece).
    """
    with open(path, "rb") as fh:
        while head := fh.read(8):
            for t in marshal.loads(fh.read(int.from_bytes(head, "little"))):
                yield _entry(t)


# --- in a second process ----------------------------------------------------------------------------


def _work(conn, requests, frame: container.BundleFile, key: bytes, sender_role: str, sender_id: str, blobs: str,
          batch: int, templates: tuple | None, today) -> None:
    """The worker: decode and check the payload, sending checked batches, then the verdict;
    then work out search tokens of the texts it is sent until the importer closes ``requests``."""
    try:
        # The rules' "today" is the importer's (a day that only moves forward there: what passes
        # here passes there), also where a test pins it.
        clock.today = lambda: today
        checker = EntryChecker(frame.manifest["ranges"], sender_role, sender_id,
                               lambda entries: conn.send_bytes(_ENTRIES + marshal.dumps(entries)), batch,
                               AloneRules(templates) if templates is not None else None)
        decoded = container.decode_payload(frame, key, Path(blobs), checker)
        checker.finish()
        attached = {sha: str(path) for sha, path in decoded.attachments.items()}
        conn.send_bytes(_DONE + marshal.dumps((attached, sorted(checker.referenced))))
        _serve_tokens(conn, requests)
    except errors.BundleRefused as exc:
        conn.send_bytes(_REFUSED + marshal.dumps((type(exc).__name__, exc.message, exc.field, exc.detail)))
    except (BrokenPipeError, EOFError):  # the importer has gone (refused, cancelled): nothing to say
        pass
    except BaseException:  # noqa: BLE001 - reported to the importer, which refuses the bundle
        conn.send_bytes(_FAILED + marshal.dumps(traceback.format_exc()))
    finally:
        conn.close()


def _serve_tokens(conn, requests) -> None:
    from ..search import tokens

    waiting: queue.Queue = queue.Queue()

    def read() -> None:  # always drained: the importer's next request never waits on this reply
        while True:
            try:
                waiting.put(requests.recv_bytes())
            except (EOFError, OSError):
                waiting.put(None)
                return

    threading.Thread(target=read, daemon=True).start()
    while (message := waiting.get()) is not None:
        conn.send_bytes(_TOKENS + marshal.dumps([tokens(text) for text in marshal.loads(message)]))


class Decoder:
    """The main side of a worker decoding one bundle: checked entries in order, then the verdict."""

    def __init__(self, frame: container.BundleFile, key: bytes, sender_role: str, sender_id: str, blobs: Path,
                 cancelled: Callable[[], bool] | None = None, templates: tuple | None = None):
        """``templates``: a ``template_snapshot``; the worker then checks new records against
        ``rules.check_alone`` (``Entry.alone_ok``)."""
        context = multiprocessing.get_context("spawn")  # never fork a process holding a database and Qt
        self._conn, child = context.Pipe(duplex=False)
        child_requests, self._requests = context.Pipe(duplex=False)
        self.name = frame.path.name
        self.process = context.Process(
            target=_work, name="bundle-decoder", daemon=True,
            args=(child, child_requests, frame, key, sender_role, sender_id, str(blobs), STAGE_BATCH, templates,
                  clock.today()))
        self.process.start()
        child.close()  # this process keeps only its ends: the worker's exit ends the pipe
        child_requests.close()
        self.cancelled = cancelled
        self.attachments: dict[str, Path] = {}
        self.referenced: set[str] = set()
        self._verdict = False
        self._queue: queue.Queue = queue.Queue(DEPTH)
        self._closing = threading.Event()
        self._reader = threading.Thread(target=self._pump, name="bundle-decoder-pipe", daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        """Read the worker's messages as they come (a thread: waiting on the pipe leaves the
        GIL free), so that the worker runs ahead of the applying by up to ``DEPTH`` messages."""
        while not self._closing.is_set():
            try:
                message = self._conn.recv_bytes()
            except (EOFError, OSError) as exc:
                message = exc
            while not self._closing.is_set():
                try:
                    self._queue.put(message, timeout=0.5)
                    break
                except queue.Full:
                    continue
            if not isinstance(message, bytes) or message[:1] != _ENTRIES:
                return

    def _message(self) -> bytes:
        if self.cancelled and self.cancelled():
            raise errors.CancelledError()
        message = self._queue.get()
        if isinstance(message, bytes):
            return message
        raise self._gone(message) from message

    def _gone(self, exc: BaseException) -> BundleCorrupt:
        return BundleCorrupt(f"解读 {self.name} 的进程意外结束，已拒绝，未作任何改动。请重试。", detail=repr(exc))

    def _unexpected(self) -> BundleCorrupt:
        return BundleCorrupt(f"解读 {self.name} 时收到不认识的消息，已拒绝。")

    def _verdict_of(self, message: bytes) -> None:
        tag, body = message[:1], message[1:]
        if tag == _DONE:
            attached, referenced = marshal.loads(body)
            self.attachments = {sha: Path(path) for sha, path in attached.items()}
            self.referenced = set(referenced)
            self._verdict = True
            return
        if tag == _REFUSED:
            name, message_text, field, detail = marshal.loads(body)
            kind = getattr(errors, name, None)
            if not (isinstance(kind, type) and issubclass(kind, errors.BundleRefused)):
                kind = errors.BundleRefused
            raise kind(message_text, field=field, detail=detail)
        if tag == _FAILED:
            raise RuntimeError(f"decoding {self.name} failed in the worker:\n{marshal.loads(body)}")
        raise self._unexpected()

    def entries(self) -> Iterator[Entry]:
        """The checked entries in order; stops at the worker's verdict (raising a refusal)."""
        while not self._verdict:
            message = self._message()
            if message[:1] != _ENTRIES:
                self._verdict_of(message)
                return
            for t in marshal.loads(message[1:]):
                yield _entry(t)

    def finish(self) -> None:
        """Wait for the verdict on the whole payload; raises the worker's refusal. Entries not
        taken by then mean the manifest's counts were not what the entries are: refused."""
        while not self._verdict:
            message = self._message()
            if message[:1] == _ENTRIES:
                raise BundleCorrupt("同步包中的条目数与清单不符。")
            self._verdict_of(message)

    # -- search tokens, once the payload is verified (apply.Applier's tokenizer)
    def send(self, texts: list[str]) -> None:
        """Ask for the search tokens of ``texts`` (``receive`` gives them, in the order asked)."""
        self._requests.send_bytes(marshal.dumps(texts))

    def receive(self) -> list[str]:
        try:
            message = self._conn.recv_bytes()  # directly: the pipe's reader thread stopped at the verdict
        except (EOFError, OSError) as exc:
            raise self._gone(exc) from exc
        if message[:1] != _TOKENS:
            raise self._unexpected()
        return marshal.loads(message[1:])

    def close(self) -> None:
        """End the worker (done, or no longer wanted) and release the pipes."""
        self._requests.close()
        self._closing.set()
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(10)
        self._reader.join(10)  # the worker's end closed: its read ends at once
        self._conn.close()
