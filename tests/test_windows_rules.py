"""Windows' file rules, imposed on Linux (tests/conftest.py WindowsRules), and where the data may live.

The durability tests (backup, restore, bundles, reports, full disks, clean close) run under
these rules too: conftest's WINDOWS_RULES_MODULES runs each of them twice, [posix] and [windows].
"""

from __future__ import annotations

import errno
import os
import threading
import time
from pathlib import Path

import pytest

from supervisor_app import backup, campaigns, fsutil, paths, store, units
from supervisor_app.errors import DatabaseError
from supervisor_app.paths import DataLocationError

# --- the fixture imposes what Windows does ---------------------------------------------------------------


def test_the_rules_refuse_what_windows_refuses(tmp_path, windows_rules):
    path = tmp_path / "a.bin"
    path.write_bytes(b"x")
    fd = os.open(path, os.O_RDONLY)
    try:
        with pytest.raises(OSError) as caught:
            os.fsync(fd)
        assert caught.value.errno == errno.EBADF
    finally:
        os.close(fd)
    other = tmp_path / "b.bin"
    other.write_bytes(b"new")
    with open(path, "rb"), pytest.raises(PermissionError):
        os.replace(other, path)
    with open(path, "rb"), pytest.raises(PermissionError):
        os.unlink(path)
    assert path.read_bytes() == b"x" and other.read_bytes() == b"new"
    os.chmod(path, 0o000)  # nothing a reader would notice
    assert path.read_bytes() == b"x"
    with pytest.raises(PermissionError):
        os.open(tmp_path, os.O_RDONLY)
    assert [op for op, _ in windows_rules.refused] == ["fsync", "replace", "unlink", "open folder"]


def test_fsync_file_flushes_through_a_writable_handle(tmp_path, windows_rules):
    path = tmp_path / "备份 文件.sqlite3"
    path.write_bytes(b"data")
    fsutil.fsync_file(path)
    fsutil.fsync_dir(tmp_path)  # a no-op on Windows, not an error
    assert windows_rules.refused == []


def test_replace_waits_for_a_reader_that_lets_go(tmp_path, windows_rules):
    target, source = tmp_path / "清单.json", tmp_path / "清单.json.tmp"
    target.write_text("旧", encoding="utf-8")
    source.write_text("新", encoding="utf-8")
    reader = open(target, "rb")  # a virus scanner glancing at the file
    threading.Timer(0.1, reader.close).start()
    fsutil.replace(source, target, retry_for=5)
    assert target.read_text(encoding="utf-8") == "新" and not source.exists()
    assert windows_rules.refused and windows_rules.refused[0][0] == "replace"


def test_replace_refuses_a_file_held_open_and_changes_nothing(tmp_path, windows_rules):
    target, source = tmp_path / "纪实评价.pdf", tmp_path / ".partial-纪实评价.pdf"
    target.write_bytes(b"old")
    source.write_bytes(b"new")
    with open(target, "rb"):  # a PDF viewer keeps it open
        started = time.monotonic()
        with pytest.raises(fsutil.FileInUseError) as caught:
            fsutil.replace(source, target)
        assert 0.25 <= time.monotonic() - started < 3
    assert "正被其他程序占用" in caught.value.message and str(target) in caught.value.message
    assert isinstance(caught.value, PermissionError)
    assert target.read_bytes() == b"old" and source.read_bytes() == b"new"


def test_write_file_atomically_leaves_no_partial_when_refused(tmp_path, windows_rules):
    target = tmp_path / "mark.json"
    target.write_bytes(b"{}")
    with open(target, "rb"), pytest.raises(fsutil.FileInUseError):
        fsutil.write_file_atomically(target, b'{"a": 1}')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mark.json"] and target.read_bytes() == b"{}"


# --- the data folder under the rules: Chinese, spaces, long names ---------------------------------------------


def _long_data_dir(tmp_path: Path, length: int) -> Path:
    """A data folder of exactly ``length`` characters: Chinese, spaces, parts of at most 60."""
    folder = tmp_path / "督导 数据"
    while length - len(str(folder)) - 1 > 60:
        folder = folder / ("市委第一督导组 现场记录 " * 5)[:59]
    folder = folder / ("数据 " + "记" * 60)[: length - len(str(folder)) - 1]
    assert len(str(folder)) == length and not folder.name.endswith(" ")
    return folder


def test_a_data_folder_too_long_for_windows_is_refused(tmp_path, windows_rules):
    limit = paths.WINDOWS_MAX_PATH_CHARS - paths.LONGEST_NAME_INSIDE
    folder = _long_data_dir(tmp_path, limit + 1)
    with pytest.raises(DataLocationError) as caught:
        store.open_data_dir(folder)
    assert "路径太长" in caught.value.message and caught.value.field == "--data-dir"
    assert not (tmp_path / "督导 数据").exists()


def test_backup_and_restore_in_a_long_chinese_path_with_spaces(tmp_path, windows_rules):
    folder = _long_data_dir(tmp_path, paths.WINDOWS_MAX_PATH_CHARS - paths.LONGEST_NAME_INSIDE)
    store.open_data_dir(folder)
    campaigns.initialize("field", "市委第一督导组", "张三")
    units.create_unit("临江县", "县市区")
    saved = backup.create_backup(folder, to=folder.parent / "拷出 的 备份" / "备份 一.sqlite3")
    units.create_unit("东山区", "县市区")
    result = backup.restore(saved.path, folder)
    assert [u.name for u in units.list_units()] == ["临江县"]
    assert result.safety_copy is not None and result.safety_copy.exists()
    assert not [op for op, _ in windows_rules.refused if op == "fsync"]


def _dump(path: Path) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_restore_while_a_reader_holds_the_database_is_refused_and_changes_nothing(data_dir, windows_rules):
    units.create_unit("临江县", "县市区")
    saved = backup.create_backup(data_dir)
    units.create_unit("东山区", "县市区")
    store.close()
    database_file = paths.db_path(data_dir)
    before = _dump(database_file)
    with open(database_file, "rb"):  # another program reading the file (without SQLite's locks)
        with pytest.raises(DatabaseError) as caught:
            backup.restore(saved.path, data_dir)
    assert "正被其他程序占用" in caught.value.message
    assert _dump(database_file) == before  # the same records (the header's change counter may move)
    store.open_data_dir(data_dir)
    assert sorted(u.name for u in units.list_units()) == ["东山区", "临江县"]
    assert not list(data_dir.glob(".restore-*"))


def test_a_held_old_backup_is_kept_until_the_next_prune(data_dir, windows_rules):
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2014, 4, 8, 1, 30, tzinfo=UTC)
    made = [backup.create_backup(data_dir, now=t0 + timedelta(days=i), prune_old=False) for i in range(12)]
    oldest = made[0].path
    with open(oldest, "rb"):
        removed = backup.prune(data_dir)
    assert oldest.exists() and oldest not in removed and removed  # the others went
    assert oldest in backup.prune(data_dir) and not oldest.exists()


# --- where the data may live ------------------------------------------------------------------------------


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


@pytest.mark.parametrize("fstype", ["cifs", "nfs4", "fuse.sshfs"])
def test_a_data_folder_on_a_network_share_is_refused(tmp_path, monkeypatch, fstype):
    share = tmp_path / "share"
    share.mkdir()
    monkeypatch.setattr(paths, "_mount_table", lambda: [("/", "ext4"), (str(share), fstype)])
    folder = share / "督导数据"
    with pytest.raises(DataLocationError) as caught:
        store.open_data_dir(folder)
    assert caught.value.field == "--data-dir"
    assert f"网络共享（{fstype}）" in caught.value.message and "本机磁盘" in caught.value.message
    assert _tree(share) == []  # nothing created, nothing written


@pytest.mark.parametrize(("parts", "client"), [
    (("OneDrive", "文档"), "OneDrive"),
    (("OneDrive - 江川市委",), "OneDrive"),
    (("我的坚果云",), "坚果云"),
    (("BaiduSyncdisk",), "百度网盘"),
    (("百度网盘同步空间", "督导"), "百度网盘"),
])
def test_a_data_folder_in_a_synced_folder_is_refused(tmp_path, parts, client):
    synced = tmp_path.joinpath(*parts)
    synced.mkdir(parents=True)
    with pytest.raises(DataLocationError) as caught:
        store.open_data_dir(synced / "data")
    assert f"{client} 同步的文件夹中" in caught.value.message and caught.value.field == "--data-dir"
    assert "--data-dir" in caught.value.message  # the way out
    assert _tree(synced) == []


def test_onedrive_is_found_by_its_environment_variable(tmp_path, monkeypatch):
    root = tmp_path / "Work Files"
    root.mkdir()
    monkeypatch.setenv("OneDriveCommercial", str(root))
    assert "OneDrive" in paths.location_problem(root / "data")
    assert paths.location_problem(tmp_path / "elsewhere") is None


def test_the_cli_refuses_a_synced_data_folder_in_one_line(tmp_path, capsys):
    from supervisor_app import cli

    folder = tmp_path / "我的坚果云" / "data"
    code = cli.main(["--data-dir", str(folder), "init"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "坚果云" in err and "Traceback" not in err
    assert not folder.exists()


def test_the_office_watched_folder_may_be_a_share(tmp_path, monkeypatch, isolated_data):
    """Bundles are exchanged through shares and synced disks; only the data folder is refused."""
    from supervisor_app.sync import service

    share = tmp_path / "OneDrive" / "同步包"
    share.mkdir(parents=True)
    monkeypatch.setattr(paths, "_mount_table", lambda: [("/", "ext4"), (str(share), "cifs")])
    store.open_data_dir(isolated_data)
    campaigns.initialize("office")
    assert service.import_new_from_folder(share) == []
    assert service.FolderWatcher(share).folder == share


def test_a_support_engineer_can_allow_any_location(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.ENV_ALLOW_ANY_LOCATION, "1")
    folder = tmp_path / "OneDrive" / "data"
    store.open_data_dir(folder)
    assert paths.db_path(folder).exists()


def test_mount_points_with_spaces_and_chinese_are_read(monkeypatch, tmp_path):
    table = tmp_path / "mountinfo"
    table.write_text("36 25 0:32 / /mnt/共享\\040盘 rw,relatime shared:1 - cifs //srv/s rw\n"
                     "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n", encoding="utf-8")
    real_open = open
    monkeypatch.setattr("builtins.open", lambda f, *a, **k: real_open(table if f == "/proc/self/mountinfo" else f, *a, **k))
    assert ("/mnt/共享 盘", "cifs") in paths._mount_table()
    assert paths._network_filesystem(Path("/mnt/共享 盘/数据")) == "cifs"
    assert paths._network_filesystem(Path("/mnt/共享 盘2")) is None


def test_on_posix_a_permission_problem_is_not_called_a_file_in_use(tmp_path, monkeypatch):
    """Without Windows' rules, PermissionError is a real permission problem: raised at once, as it is."""
    def denied(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", denied)
    started = time.monotonic()
    with pytest.raises(PermissionError) as caught:
        fsutil.replace(tmp_path / "a", tmp_path / "b")
    assert not isinstance(caught.value, fsutil.FileInUseError) and time.monotonic() - started < 0.5
