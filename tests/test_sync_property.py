"""Property: any order and any repetition of the same bundles gives identical office content."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervisor_app import attachments, audit, findings, units, visits
from supervisor_app.models import Unit
from supervisor_app.sync import service
from supervisor_app.sync.errors import ReplayError
from tests.test_sync_helpers import build_trio, export, import_, office_content, on


def _receipt(helper: Path, field: Path) -> None:
    """The office (a helper copy) acknowledges what it got, so the field's next bundle starts after it."""
    usb = helper.parent / "receipts"
    usb.mkdir(exist_ok=True)
    with on(helper):
        results = service.export_to_folder(usb)
    with on(field):
        from supervisor_app.sync import identity

        me = identity.local_identity().device_id
    import_(field, next(r.path for r in results if r.receiver_id == me))


def _bundles(tmp: Path) -> tuple[Path, list[Path]]:
    """Five bundles: f1's three consecutive ones (gaps if out of order), f2's two overlapping
    ones; both field devices also edit the office's units locally (never sent)."""
    trio = build_trio(tmp / "trio")
    usb = trio.usb()
    helper = tmp / "helper"
    shutil.copytree(trio.office, helper)
    with on(trio.office):  # after the copy: the receipts never tell f1 about it, so it is concurrent
        units.update_unit(Unit.get(Unit.name == "临江县"), sort_order=7)
    photo = tmp / "photo.jpg"
    photo.write_bytes(b"\x89PNG" + bytes(range(256)) * 50)

    with on(trio.f1):
        a = visits.create_visit(Unit.get(Unit.name == "临江县"), "2014-04-08T09:00", ["查阅资料"], notes="一组第一次")
        attachments.add_attachment(a, photo)
    b1 = export(trio.f1, usb)
    import_(helper, b1)
    _receipt(helper, trio.f1)
    with on(trio.f1):
        visits.update_visit(a.id, notes="一组第一次（补充）")
        b = visits.create_visit(Unit.get(Unit.name == "市教育局"), "2014-04-09T09:00", ["个别谈话"], notes="一组第二次")
        findings.create_finding(description="征求意见范围偏窄", category="征求意见不太理想", visit=b)
        units.update_unit(Unit.get(Unit.name == "临江县"), sort_order=3)
    b2 = export(trio.f1, usb)
    import_(helper, b2)
    _receipt(helper, trio.f1)
    with on(trio.f1):
        units.update_unit(Unit.get(Unit.name == "市教育局"), name="市教育局（一组）")
        visits.create_visit(Unit.get(Unit.name == "临江县"), "2014-04-10T09:00", ["暗访督查"], notes="一组第三次")
    b3 = export(trio.f1, usb)

    with on(trio.f2):
        d = visits.create_visit(Unit.get(Unit.name == "青山县"), "2014-04-08T10:00", ["座谈会"], notes="二组第一次")
    c1 = export(trio.f2, usb)
    with on(trio.f2):
        units.update_unit(Unit.get(Unit.name == "市教育局"), name="市教育局（二组）")
        visits.update_visit(d.id, people_met="群众代表")
    c2 = export(trio.f2, usb)  # no receipt: carries c1's entries too
    return trio.office, [b1, b2, b3, c1, c2]


def _import_all(pristine: Path, target: Path, order: list[Path]) -> dict:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(pristine, target)
    with on(target):
        for path in order:
            try:
                service.import_bundle(path)
            except ReplayError:
                pass  # this very bundle again, or an older one that brings nothing: refused, nothing changed
        assert service.held_gaps() == []
        assert audit.check_all() == []
        return office_content()


def test_any_order_and_repetition_gives_the_same_office(tmp_path):
    office, bundles = _bundles(tmp_path)
    reference = _import_all(office, tmp_path / "reference", bundles)
    with on(tmp_path / "reference"):
        # The field devices' local edits of the office's units are never sent (admission.py):
        # the office's own records stay as the office wrote them, and nothing conflicts.
        assert service.list_conflicts() == []
        assert Unit.get_or_none(Unit.name.startswith("市教育局（")) is None
        assert Unit.get(Unit.name == "临江县").sort_order == 7
    # a few fixed orders first: fully reversed, and each f1 bundle before the one it follows
    for order in ([4, 3, 2, 1, 0], [2, 1, 0, 4, 3], [1, 3, 2, 0, 4, 4, 0]):
        assert _import_all(office, tmp_path / "fixed", [bundles[i] for i in order]) == reference, order

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
              derandomize=True)
    @given(order=st.permutations(range(len(bundles))), extra=st.lists(st.integers(0, len(bundles) - 1), max_size=4),
           where=st.lists(st.integers(0, 20), min_size=4, max_size=4))
    def check(order, extra, where):
        sequence = list(order)
        for item, position in zip(extra, where, strict=False):
            sequence.insert(position % (len(sequence) + 1), item)
        assert _import_all(office, tmp_path / "example", [bundles[i] for i in sequence]) == reference

    check()


def test_every_permutation_of_one_devices_bundles_converges(tmp_path):
    """Exhaustive for f1's three consecutive bundles alone (held gaps in every shape)."""
    office, bundles = _bundles(tmp_path)
    f1 = bundles[:3]
    reference = _import_all(office, tmp_path / "reference", f1)
    for order in itertools.permutations(f1):
        assert _import_all(office, tmp_path / "perm", list(order)) == reference
