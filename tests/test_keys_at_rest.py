"""Keys at rest: device keys under the OS credential store (or owner-only files without one),
owner-only data folder, database and backups, and the leader's key under a strong KDF."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import keyring
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import KeyringError

from supervisor_app import backup, campaigns, cli, signing, store
from supervisor_app.errors import ValidationError
from supervisor_app.models import Device, Member
from supervisor_app.sync import identity, keystore, service
from supervisor_app.sync.errors import IdentityError

ROOT = Path(__file__).resolve().parent.parent

POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="Windows protects the data folder by ACL, not by mode")
KEY_FILES = (identity.SIGN_KEY_FILE, identity.BOX_KEY_FILE)


class MemoryKeyring(KeyringBackend):
    """A credential store that lives in this process only (the real one is never touched)."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


class BrokenKeyring(MemoryKeyring):
    """A store whose every call fails, as Secret Service does without a D-Bus session."""

    def get_password(self, service, username):
        raise KeyringError("org.freedesktop.DBus.Error.ServiceUnknown")

    def set_password(self, service, username, password):
        raise KeyringError("org.freedesktop.DBus.Error.ServiceUnknown")


class ForgetfulKeyring(MemoryKeyring):
    """A store that accepts what it is given and keeps nothing."""

    def set_password(self, service, username, password):
        pass


@pytest.fixture
def use_keyring():
    """Install a keyring backend for the test; the suite's default (fail) comes back afterwards."""
    previous = keyring.get_keyring()

    def install(backend):
        keyring.set_keyring(backend)
        return backend

    yield install
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(use_keyring) -> MemoryKeyring:
    return use_keyring(MemoryKeyring())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def key_texts(folder: Path) -> list[bytes]:
    return [(folder / "keys" / name).read_bytes() for name in KEY_FILES]


def public_keys() -> tuple[str, str]:
    me = identity.local_identity()
    return identity.b64(me.sign_public), identity.b64(me.box_public)


# --- device keys ---------------------------------------------------------------------------------


def test_device_keys_are_encrypted_under_the_credential_store(data_dir, memory_keyring):
    first = public_keys()
    device_id = identity.local_identity().device_id
    assert list(memory_keyring.entries) == [(keystore.SERVICE, device_id)]
    for text in key_texts(data_dir):
        assert text.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        with pytest.raises(TypeError):  # the file alone opens nothing
            serialization.load_pem_private_key(text, password=None)
    assert public_keys() == first
    device = Device.get_by_id(device_id)
    assert (device.sign_public_key, device.box_public_key) == first


def test_a_copy_of_the_data_folder_cannot_use_the_device_key(data_dir, memory_keyring, tmp_path, capsys):
    original = public_keys()
    store.close()
    copy = tmp_path / "stolen"
    shutil.copytree(data_dir, copy)
    saved = dict(memory_keyring.entries)
    memory_keyring.entries.clear()  # another computer, or another user: its store has no such key
    before = key_texts(copy)
    with store.opened(copy):
        with pytest.raises(IdentityError) as refused:
            identity.local_identity()
    assert refused.value.message == identity.KEY_NOT_IN_STORE
    assert key_texts(copy) == before  # nothing was rewritten, nothing made anew
    assert memory_keyring.entries == {}

    code = cli.main(["--data-dir", str(copy), "device", "card", "--out", str(tmp_path / "x.card")])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "x.card").exists()
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("错误：本机设备密钥无法解开") and "系统凭据管理器" in err

    memory_keyring.entries.update(saved)  # back on the machine it belongs to
    with store.opened(copy):
        assert public_keys() == original


def test_an_unreachable_store_is_said_plainly_and_changes_nothing(data_dir, memory_keyring, use_keyring):
    public_keys()
    before = key_texts(data_dir)
    use_keyring(BrokenKeyring())
    with pytest.raises(IdentityError) as refused:
        identity.local_identity()
    assert refused.value.message == identity.STORE_UNAVAILABLE
    assert key_texts(data_dir) == before


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring, BrokenKeyring, ForgetfulKeyring])
def test_without_a_credential_store_keys_are_owner_only_plain_files(data_dir, use_keyring, backend):
    use_keyring(backend())
    first = public_keys()
    for text in key_texts(data_dir):
        assert text.startswith(b"-----BEGIN PRIVATE KEY-----")
    if os.name != "nt":
        assert mode(data_dir / "keys") == 0o700
        assert all(mode(data_dir / "keys" / name) == 0o600 for name in KEY_FILES)
    assert public_keys() == first


def test_plain_keys_of_an_earlier_version_are_protected_at_first_use(data_dir, use_keyring, tmp_path):
    use_keyring(fail.Keyring())
    old = public_keys()  # as an earlier version (or a machine without a store) left them
    store.close()
    copy = tmp_path / "copy-made-before"
    shutil.copytree(data_dir, copy)

    memory = use_keyring(MemoryKeyring())
    with store.opened(data_dir):
        assert public_keys() == old
        assert all(t.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") for t in key_texts(data_dir))
        if os.name != "nt":
            assert all(mode(data_dir / "keys" / name) == 0o600 for name in KEY_FILES)
        assert len(memory.entries) == 1
    assert not list((data_dir / "keys").glob("*.tmp"))

    # A copy of the same folder (same device) takes the same key from the store and keeps both working.
    with store.opened(copy):
        assert public_keys() == old
        assert all(t.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") for t in key_texts(copy))
    assert len(memory.entries) == 1
    with store.opened(data_dir):
        assert public_keys() == old

    # Half done (a crash between the two files): the plain one is protected next time.
    with store.opened(copy):
        me = identity.local_identity()
        plain = me.box_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption())
        (copy / "keys" / identity.BOX_KEY_FILE).write_bytes(plain)
        assert public_keys() == old
        assert all(t.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") for t in key_texts(copy))


def test_bundles_travel_with_protected_keys(tmp_path, memory_keyring):
    office, field = tmp_path / "office", tmp_path / "field"
    with store.opened(office):
        campaigns.initialize("office")
        campaigns.create_group("市委第一督导组", campaigns.current_campaign())
        identity.write_card(tmp_path / "office.card")
    with store.opened(field):
        campaigns.initialize("field")
        identity.write_card(tmp_path / "field.card")
        identity.enroll(tmp_path / "office.card")
    with store.opened(office):
        identity.enroll(tmp_path / "field.card")
        (tmp_path / "usb").mkdir()
        (result,) = service.export_to_folder(tmp_path / "usb")
    with store.opened(field):
        assert service.import_bundle(result.path) is not None
    assert len(memory_keyring.entries) == 2
    for folder in (office, field):
        assert all(t.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") for t in key_texts(folder))


# --- file modes -----------------------------------------------------------------------------------


@POSIX_ONLY
def test_data_folder_database_wal_backups_and_keys_are_owner_only(data_dir):
    identity.local_identity()
    info = backup.create_backup(data_dir)
    campaigns.create_group("市委第二督导组", campaigns.current_campaign())  # something in the WAL
    db = data_dir / "supervisor.sqlite3"
    assert mode(data_dir) == 0o700
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        assert path.exists() and mode(path) == 0o600, path
    assert mode(data_dir / "backups") == 0o700
    assert mode(info.path) == 0o600 and mode(info.path.with_suffix(".json")) == 0o600
    assert mode(data_dir / "keys") == 0o700
    assert all(mode(data_dir / "keys" / name) == 0o600 for name in KEY_FILES)
    exported = backup.create_backup(data_dir, to=data_dir.parent / "拷出" / "备份.sqlite3")
    assert mode(exported.path) == 0o600  # a copy of everything, wherever it goes
    store.close()
    assert all(mode(p) == 0o600 for p in data_dir.iterdir() if p.is_file())


@POSIX_ONLY
def test_open_fixes_what_earlier_versions_left_readable(data_dir):
    identity.local_identity()
    backup.create_backup(data_dir)
    store.close()
    db = data_dir / "supervisor.sqlite3"
    opened_up = [data_dir, data_dir / "backups", data_dir / "keys"]
    for folder in opened_up:
        os.chmod(folder, 0o755)
    files = [db, *(data_dir / "backups").iterdir(), *(data_dir / "keys").iterdir()]
    for path in files:
        os.chmod(path, 0o644)
    store.open_data_dir(data_dir)
    assert all(mode(folder) == 0o700 for folder in opened_up)
    assert all(mode(path) == 0o600 for path in files)


@POSIX_ONLY
def test_a_new_data_folder_is_owner_only_from_the_start(tmp_path):
    folder = tmp_path / "新的" / "数据"
    store.open_data_dir(folder)
    db = folder / "supervisor.sqlite3"
    assert mode(folder) == 0o700 and mode(db) == 0o600
    assert mode(Path(f"{db}-wal")) == 0o600


# --- the leader's key ------------------------------------------------------------------------------

PASSPHRASE = "组长的口令 2014"


def leader() -> Member:
    return Member.get((Member.name == "张三") & (Member.is_leader == True))


def old_style_key_file(data_dir: Path, member: Member) -> Ed25519PrivateKey:
    """What version 1 wrote: PKCS#8 with cryptography's best available encryption (PBKDF2, 2 048 rounds)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(PASSPHRASE.encode("utf-8")))
    path = signing.key_path(data_dir, member)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pem)
    return key


def test_a_new_leader_key_is_sealed_with_600k_pbkdf2(data_dir):
    member = leader()
    public = signing.create_leader_key(data_dir, member, PASSPHRASE)
    path = signing.key_path(data_dir, member)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "supervisor_app.leader_key" and document["format_version"] == 2
    assert document["kdf"]["name"] == "pbkdf2-sha256" and document["kdf"]["iterations"] >= 600_000
    assert document["cipher"] == "aes-256-gcm" and document["public_key"] == public
    if os.name != "nt":
        assert mode(path) == 0o600 and mode(path.parent) == 0o700
    before = path.read_bytes()
    assert signing.public_key_text(signing.unlock(data_dir, member, PASSPHRASE)) == public
    assert path.read_bytes() == before  # already current: not rewritten
    with pytest.raises(ValidationError, match="口令不正确"):
        signing.unlock(data_dir, member, "别人的口令 2014")


def test_an_old_leader_key_is_upgraded_on_unlock(data_dir):
    member = leader()
    key = old_style_key_file(data_dir, member)
    path = signing.key_path(data_dir, member)
    old = path.read_bytes()
    assert old.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")

    with pytest.raises(ValidationError, match="口令不正确"):
        signing.unlock(data_dir, member, "别人的口令 2014")
    assert path.read_bytes() == old  # a wrong passphrase changes nothing

    unlocked = signing.unlock(data_dir, member, PASSPHRASE)
    assert unlocked.private_bytes_raw() == key.private_bytes_raw()
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["kdf"]["iterations"] >= 600_000
    assert [p.name for p in path.parent.iterdir() if p.name.startswith("leader-")] == [path.name]
    if os.name != "nt":
        assert mode(path) == 0o600
    again = signing.unlock(data_dir, member, PASSPHRASE)  # the same passphrase still opens it
    assert again.private_bytes_raw() == key.private_bytes_raw()
    with pytest.raises(ValidationError, match="口令不正确"):
        signing.unlock(data_dir, member, "别人的口令 2014")


def test_a_failed_upgrade_keeps_the_old_key_file(data_dir, monkeypatch):
    member = leader()
    key = old_style_key_file(data_dir, member)
    path = signing.key_path(data_dir, member)
    old = path.read_bytes()

    def disk_full(target, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(signing, "stage_private_file", disk_full)
    assert signing.unlock(data_dir, member, PASSPHRASE).private_bytes_raw() == key.private_bytes_raw()
    assert path.read_bytes() == old
    monkeypatch.undo()

    # The new file must open to the same key before it replaces the old one.
    real_seal = signing._seal
    monkeypatch.setattr(signing, "_seal", lambda k, passphrase: real_seal(Ed25519PrivateKey.generate(), passphrase))
    assert signing.unlock(data_dir, member, PASSPHRASE).private_bytes_raw() == key.private_bytes_raw()
    assert path.read_bytes() == old
    assert [p.name for p in path.parent.iterdir() if p.name.startswith("leader-")] == [path.name]


def test_a_tampered_leader_key_file_is_refused(data_dir):
    member = leader()
    signing.create_leader_key(data_dir, member, PASSPHRASE)
    path = signing.key_path(data_dir, member)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["kdf"]["iterations"] = 1000
    path.write_text(json.dumps(document), encoding="utf-8")
    tampered = path.read_bytes()
    with pytest.raises(ValidationError):
        signing.unlock(data_dir, member, PASSPHRASE)
    assert path.read_bytes() == tampered


# --- saying plainly how the key files are protected ---------------------------------------------------------


def _check(capsys, data_dir, *extra) -> tuple[int, str, str]:
    store.close()
    code = cli.main(["--data-dir", str(data_dir), "check", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_check_says_plainly_that_plain_key_files_are_not_protected_on_windows(data_dir, capsys, windows_rules):
    identity.local_identity()  # made with no credential store (the suite's default): plain files
    assert [p.name for p in keystore.plain_key_files(data_dir / "keys")] == sorted(KEY_FILES)
    code, out, err = _check(capsys, data_dir)
    assert code == 0 and "检查通过" in out
    assert "未加密" in err and "Windows 上程序不能把文件设为仅本人可读" in err
    code, out, _ = _check(capsys, data_dir, "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] and len(report["warnings"]) == 1 and "Windows" in report["warnings"][0]


def test_check_names_the_posix_protection_of_plain_key_files(data_dir, capsys):
    identity.local_identity()
    code, _, err = _check(capsys, data_dir)
    assert code == 0 and "0600" in err and "Windows" not in err


def test_no_warning_once_the_keys_are_encrypted_under_the_credential_store(data_dir, capsys, memory_keyring):
    identity.local_identity()
    assert keystore.plain_key_files(data_dir / "keys") == []
    code, out, err = _check(capsys, data_dir, "--json")
    assert code == 0 and json.loads(out)["warnings"] == [] and err == ""


def test_the_first_use_of_keyring_keeps_nothing_of_its_caller_alive(tmp_path):
    """keyring keeps the error of a backend that cannot load here (with its traceback and so
    every frame of the stack that first used it): a large import's whole working state stayed
    alive after the import. The caller's locals must be freed when it returns."""
    script = textwrap.dedent("""
        import weakref
        from supervisor_app.sync import keystore

        class State:
            pass

        def caller():
            state = State()
            try:
                keystore._backend()
            except keystore.Unavailable:
                pass
            return weakref.ref(state)

        ref = caller()
        print("freed" if ref() is None else "kept")
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env["DBUS_SESSION_BUS_ADDRESS"] = "disabled:"  # detection only: never a real store
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "freed"
