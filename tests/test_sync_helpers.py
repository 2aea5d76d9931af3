"""Helpers for the sync tests: three data folders (an office, two field devices), switching
between them, and dumps of everything a refused import must leave unchanged.

Only one database is bound at a time (the models use a DatabaseProxy), so every step runs
inside ``on(folder)``. The trio is built once per test module and copied for each test.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from supervisor_app import campaigns, store, units
from supervisor_app.models import database
from supervisor_app.sync import identity, service

FIELD_GROUPS = {"f1": ("市委第一督导组", "张三"), "f2": ("市委第二督导组", "李四")}


on = store.opened  # bind a folder's database (and attachment store) for a block


@dataclass
class Trio:
    root: Path

    @property
    def office(self) -> Path:
        return self.root / "office"

    @property
    def f1(self) -> Path:
        return self.root / "f1"

    @property
    def f2(self) -> Path:
        return self.root / "f2"

    def usb(self, name: str = "usb") -> Path:
        path = self.root / name
        path.mkdir(exist_ok=True)
        return path

    def copy_to(self, root: Path) -> Trio:
        shutil.copytree(self.root, root)
        return Trio(root)


def build_trio(root: Path) -> Trio:
    """Office with two groups, three units and a leader; two field devices enrolled both ways,
    each holding the office's assignments and working as its group's first member (leader)."""
    trio = Trio(root)
    root.mkdir(parents=True, exist_ok=True)
    with on(trio.office):
        campaigns.initialize("office")
        campaign = campaigns.current_campaign()
        g1 = campaigns.create_group("市委第一督导组", campaign)
        g2 = campaigns.create_group("市委第二督导组", campaign)
        for group, (_, leader) in zip((g1, g2), FIELD_GROUPS.values(), strict=True):
            campaigns.add_member(group, leader, is_leader=True)  # the office appoints the leaders
        county = units.create_unit("临江县", "县市区", group=g1.id)
        units.create_unit("青山县", "县市区", group=g2.id)
        units.create_unit("市教育局", "市直单位", group=g1.id)
        team = units.create_team(county, "临江县委领导班子")
        units.create_leader("王建国", "县委书记", county, team=team, is_top_leader=True)
        identity.write_card(root / "office.card")
    for name in ("f1", "f2"):
        with on(root / name):
            campaigns.initialize("field")
            identity.write_card(root / f"{name}.card")
    with on(trio.office):
        for name in ("f1", "f2"):
            identity.enroll(root / f"{name}.card", group=FIELD_GROUPS[name][0])
        out = service.export_to_folder(trio.usb("setup"))
    by_receiver = {r.receiver_id: r.path for r in out}
    for name in ("f1", "f2"):
        with on(root / name):
            identity.enroll(root / "office.card")
            me = identity.local_identity().device_id
            service.import_bundle(by_receiver[me])
            group, member = FIELD_GROUPS[name]
            campaigns.initialize("field", group, member)
    shutil.rmtree(trio.usb("setup"))
    return trio


LEADER_PASSPHRASE = "leader-passphrase"


def bind_leader(trio: Trio, name: str) -> None:
    """The leader of field ``name`` makes a signing key, the office binds it from the key
    card, and the binding reaches the field device (what a group does before it leaves)."""
    from supervisor_app import signatures, signing
    from supervisor_app.models import Member

    card = trio.root / f"{name}.keycard"
    with on(trio.root / name):
        member = Member.get(Member.name == FIELD_GROUPS[name][1])
        signing.create_leader_key(trio.root / name, member, LEADER_PASSPHRASE)
        fingerprint = signatures.write_key_card(member, signing.unlock(trio.root / name, member, LEADER_PASSPHRASE),
                                                card)
    receiver = device_id(trio.root / name)
    with on(trio.office):
        signatures.bind_key_card(card, fingerprint)
        (out,) = service.export_to_folder(trio.usb("binding"), receivers=[receiver])
    import_(trio.root / name, out.path)


def device_id(folder: Path) -> str:
    with on(folder):
        return identity.local_identity().device_id


def export(folder: Path, usb: Path, **kw) -> Path:
    """Export one bundle from ``folder`` (a field device, or the office for one receiver)."""
    with on(folder):
        results = service.export_to_folder(usb, **kw)
    assert len(results) == 1
    return results[0].path


def import_(folder: Path, *paths: Path):
    with on(folder):
        return [service.import_bundle(p) for p in paths]


SKIP_TABLES = ("visit_fts",)  # the contentless FTS table and its shadow tables hold no rows to read back


def dump_tables() -> dict:
    """Every row of every table of the bound database, sorted (FTS shadow tables as stored)."""
    tables = [
        r[0] for r in database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if not r[0].startswith("sqlite_") and r[0] != "visit_fts"
    ]
    return {t: sorted(map(repr, database.execute_sql(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


def dump_files(folder: Path) -> dict:
    """Relative path → SHA-256 of every file under the attachment store (and what is around it)."""
    result = {}
    store_dir = folder / "attachments"
    if store_dir.exists():
        for path in sorted(store_dir.rglob("*")):
            rel = str(path.relative_to(folder))
            result[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "<dir>"
    result["staging"] = sorted(p.name for p in folder.iterdir() if p.name.startswith(".sync"))
    return result


def snapshot(folder: Path) -> tuple[dict, dict]:
    with on(folder):
        tables = dump_tables()
    return tables, dump_files(folder)


def office_content() -> dict:
    """What must not depend on the order bundles were imported in (the bound database)."""
    content = {}
    skip = {"change_log", "sync_bundle", "sync_conflict", "setting", "search_doc", "sync_held_range"}
    for table, rows in dump_tables().items():
        if table not in skip and not table.startswith("visit_fts"):
            content[table] = rows
    content["change_log"] = sorted(database.execute_sql(
        "SELECT device_id, seq, record_type, record_id, op, fields, member_id, at FROM change_log"
    ).fetchall())
    content["search_doc"] = sorted(database.execute_sql("SELECT visit_id, text FROM search_doc").fetchall())
    content["conflicts"] = sorted(database.execute_sql(
        "SELECT record_type, record_id, reason, fields, versions, status FROM sync_conflict"
    ).fetchall())
    return content
