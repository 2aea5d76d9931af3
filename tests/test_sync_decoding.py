"""A large bundle is decoded by a second process while the office applies it (sync/decoding.py).

The result is the same as decoding the bundle first, and every way the worker can fail ends the
same way: the bundle is refused or cancelled with a clear message, the worker is gone, and
nothing is changed. This holds also when the worker's refusal comes after the office has
applied every entry.
"""

from __future__ import annotations

import multiprocessing
import random

import pytest

from supervisor_app import changelog, db
from supervisor_app.models import database
from supervisor_app.sync import container, decoding, service
from supervisor_app.sync.apply import Applier
from supervisor_app.sync.errors import BundleCorrupt, CancelledError
from tests.test_sync import record_visit
from tests.test_sync_helpers import Trio, build_trio, export, import_, office_content, on, snapshot

PHOTO = random.Random(11).randbytes(1 << 20)  # incompressible: four encryption chunks after the entries


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Trio, object]:
    trio = build_trio(tmp_path_factory.mktemp("decoding") / "t")
    with on(trio.f1):
        for i in range(4):
            record_visit(notes=f"第{i}次督导：学习笔记照抄照搬", photo=PHOTO if i == 3 else None,
                         tmp=tmp_path_factory.mktemp(f"photo{i}"))
    return trio, export(trio.f1, trio.usb("out"))


@pytest.fixture
def trio(template, tmp_path) -> Trio:
    return template[0].copy_to(tmp_path / "trio")


@pytest.fixture
def bundle(template, trio):
    return trio.root / template[1].relative_to(template[0].root)


@pytest.fixture
def workers(monkeypatch) -> list:
    """Every import decodes in a worker, in batches of three entries, read ahead by two."""
    started = []
    monkeypatch.setattr(decoding, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(decoding, "STAGE_BATCH", 3)
    monkeypatch.setattr(decoding, "DEPTH", 2)
    real = decoding.Decoder

    def counted(*args, **kw):
        started.append(real(*args, **kw))
        return started[-1]

    monkeypatch.setattr(decoding, "Decoder", counted)
    return started


def _content(folder):
    with on(folder):
        content = office_content()
        assert changelog.verify_chain() is None  # the imported entries joined the chain
    return content


def test_the_worker_gives_the_office_what_decoding_first_gives(trio, bundle, tmp_path, workers, monkeypatch):
    other = trio.copy_to(tmp_path / "other")
    (result,) = import_(trio.office, bundle)
    assert result.status == "imported" and result.attachments == 1 and len(workers) == 1
    assert not workers[0].process.is_alive()
    monkeypatch.setattr(decoding, "WORKER_MIN_BYTES", 1 << 40)
    (first,) = import_(other.office, other.root / bundle.relative_to(trio.root))
    assert len(workers) == 1  # decoded here
    assert (first.applied, first.attachments) == (result.applied, result.attachments)
    assert _content(trio.office) == _content(other.office)
    assert snapshot(trio.office)[1] == snapshot(other.office)[1]  # the photo in the store, nothing staged


def test_a_refusal_after_every_entry_is_applied_changes_nothing(trio, bundle, workers, monkeypatch):
    applied = []
    real_apply = Applier.apply
    monkeypatch.setattr(Applier, "apply", lambda self, batch, **kw: (applied.extend(batch), real_apply(self, batch, **kw))[1])
    frame = container.read_frame(bundle)
    data = bytearray(bundle.read_bytes())
    data[frame.payload_offset + frame.payload_size - 100] ^= 1  # the last encryption chunk: after every entry
    bundle.write_bytes(bytes(data))
    before = snapshot(trio.office)
    with on(trio.office), pytest.raises(BundleCorrupt) as refused:
        service.import_bundle(bundle)
    assert "损坏" in refused.value.message or "改动" in refused.value.message, refused.value.message
    assert len(workers) == 1, refused.value.message
    assert len(applied) == frame.manifest["entry_count"]  # the refusal came after the office applied them all
    assert snapshot(trio.office) == before
    assert not workers[0].process.is_alive() and multiprocessing.active_children() == []


def test_a_worker_that_dies_refuses_the_bundle(trio, bundle, workers):
    before = snapshot(trio.office)

    def kill_it() -> bool:  # polled before each message: the worker dies mid-way
        workers[0].process.kill()
        workers[0].process.join()
        return False

    with on(trio.office), pytest.raises(BundleCorrupt) as refused:
        service.import_bundle(bundle, cancelled=kill_it)
    assert "进程意外结束" in refused.value.message and "未作任何改动" in refused.value.message
    assert snapshot(trio.office) == before


def test_cancelling_ends_the_worker_and_changes_nothing(trio, bundle, workers):
    before = snapshot(trio.office)
    calls = {"n": 0}

    def later() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    with on(trio.office), pytest.raises(CancelledError):
        service.import_bundle(bundle, cancelled=later)
    assert snapshot(trio.office) == before
    assert not workers[0].process.is_alive() and multiprocessing.active_children() == []
    with on(trio.office):
        assert service.import_bundle(bundle).status == "imported"  # and the same bundle imports afterwards


@pytest.mark.parametrize("batch", [1, 5000])
def test_a_visit_changed_after_its_insert_is_indexed_by_its_last_words(trio, tmp_path, monkeypatch, workers, batch):
    """The applier indexes a visit it inserted from what it wrote, not read back; a later change
    in the same import (in the same batch, or a later one) is what the index must hold."""
    from supervisor_app import visits
    from supervisor_app.sync import importer

    monkeypatch.setattr(importer, "BATCH", batch)
    with on(trio.f1):
        visit = record_visit(notes="最初记下的是走访了三个社区")
        visits.update_visit(visit, notes="改为：查阅了会议记录")
        gone = record_visit(notes="这次督导后来删除了")
        visits.delete_visit(gone)
    (result,) = import_(trio.office, export(trio.f1, trio.usb("again")))
    assert result.status == "imported"
    with on(trio.office):
        docs = dict(database.execute_sql("SELECT visit_id, text FROM search_doc").fetchall())
        assert "查阅了会议记录" in docs[visit.id] and "三个社区" not in docs[visit.id]
        assert "学习笔记照抄照搬" in docs[visit.id]  # its finding
        assert gone.id not in docs
        assert int(database.execute_sql("PRAGMA cache_size").fetchone()[0]) == db.PRAGMAS["cache_size"]


def test_an_import_indexing_many_visits_in_bulk_finds_them_and_keeps_the_index_settings(trio, monkeypatch, workers):
    from supervisor_app import visits
    from supervisor_app.sync import apply

    monkeypatch.setattr(apply, "BULK_INDEX_MIN", 1)  # search.bulk_index from the first visit
    with on(trio.f1):
        found = record_visit(notes="查阅了党课记录")
    with on(trio.office):
        config = database.execute_sql("SELECT k, v FROM visit_fts_config ORDER BY k").fetchall()
    (result,) = import_(trio.office, export(trio.f1, trio.usb("bulk")))
    assert result.status == "imported" and workers
    with on(trio.office):
        assert {r.id for r in visits.visit_rows(visits.VisitFilter(search="党课记录"), limit=100)} == {found.id}
        assert database.execute_sql("SELECT k, v FROM visit_fts_config ORDER BY k").fetchall() == config
        database.execute_sql("INSERT INTO visit_fts(visit_fts) VALUES ('integrity-check')")  # raises if broken


def test_a_local_write_between_preparing_and_applying_an_import_leaves_one_chain(trio, bundle, workers, monkeypatch):
    """The import joins its entries to the chain's head as it is inside its own transaction: a
    write of this installation after the import was prepared (here: while the worker starts)
    and before its transaction began is not forked off the chain."""
    from supervisor_app import units
    from supervisor_app.sync import importer

    real = importer.template_snapshot

    def and_a_local_write():
        units.create_unit("新设的县", "县市区")  # the office's own change, logged on its chain
        return real()

    monkeypatch.setattr(importer, "template_snapshot", and_a_local_write)
    (result,) = import_(trio.office, bundle)
    assert result.status == "imported" and workers
    with on(trio.office):
        assert changelog.verify_chain() is None
        assert database.execute_sql("SELECT COUNT(*) FROM change_log GROUP BY prev_hash HAVING COUNT(*) > 1"
                                    ).fetchall() == []
