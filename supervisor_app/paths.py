"""Where the data folder is: --data-dir, then SUPERVISOR_DATA_DIR, then the user data folder.

The data folder must be on a local disk, outside network shares and synced folders
(:func:`location_problem`; ``store.open_data_dir`` refuses it otherwise).

The data folder is owner-only (0700 on POSIX, its files 0600; see ``fsutil`` and
``store.open_data_dir``); on Windows the user data folder (``%LOCALAPPDATA%``) is owner-only by
its ACL. A folder named with --data-dir should be one made for the program alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from .errors import SupervisorError

APP_NAME = "supervisor_app"
ENV_DATA_DIR = "SUPERVISOR_DATA_DIR"
DB_FILENAME = "supervisor.sqlite3"
KEYS_DIRNAME = "keys"


def resolve_data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """Return the data folder to use (not created here)."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def db_path(data_dir: Path) -> Path:
    return data_dir / DB_FILENAME


def attachments_dir(data_dir: Path) -> Path:
    return data_dir / "attachments"


def keys_dir(data_dir: Path) -> Path:
    """Private keys: the device's (sync) and the group leaders' (signing)."""
    return data_dir / KEYS_DIRNAME


# --- where the data folder may live ---------------------------------------------------------------
# SQLite's WAL needs shared memory and byte-range locks that network file systems do not give
# reliably, and a sync client copying the database while it is written ships half a
# transaction to other machines (or puts its own older copy back). So the data folder must be
# on a local disk and outside every synced folder. Bundles are a different matter: the office's
# watched sync folder (sync.service.FolderWatcher) may lie on a share or a synced disk.

NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph", "glusterfs",
    "fuse.sshfs", "sshfs", "fuse.davfs", "davfs", "fuse.rclone", "fuse.gvfsd-fuse", "fuse.glusterfs",
    "fuse.s3fs", "lustre", "gpfs", "beegfs", "ocfs2", "fuse.smbnetfs",
})
# Folder names the sync clients use for their synced folders (a path through one is synced).
SYNCED_FOLDER_NAMES = {
    "onedrive": "OneDrive",
    "我的坚果云": "坚果云",
    "坚果云": "坚果云",
    "nutstore": "坚果云",
    "nutstore files": "坚果云",
    "baidusyncdisk": "百度网盘",
    "百度网盘同步空间": "百度网盘",
    "baidunetdiskworkspace": "百度网盘",
    "百度网盘": "百度网盘",
    "dropbox": "Dropbox",
    "icloud drive": "iCloud",
    "icloudrive": "iCloud",
    "google drive": "Google Drive",
}
# Environment variables naming synced folders (Windows sets these for OneDrive).
SYNCED_FOLDER_ENV = {"OneDrive": "OneDrive", "OneDriveCommercial": "OneDrive", "OneDriveConsumer": "OneDrive"}
ENV_ALLOW_ANY_LOCATION = "SUPERVISOR_ALLOW_ANY_DATA_DIR"  # for a support engineer who knows the risk


def _mount_table() -> list[tuple[str, str]]:
    """(mount point, file system type) of every mount (Linux; empty elsewhere)."""
    mounts = []
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                left, _, right = line.partition(" - ")
                fields = left.split()
                if len(fields) >= 5 and right:
                    point = fields[4].encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
                    mounts.append((point, right.split()[0]))
    except (OSError, UnicodeError):
        return []
    return mounts


def _windows_remote_drive(path: Path) -> bool:
    """True when ``path`` lies on a UNC share or a mapped network drive (Windows)."""
    text = str(path)
    if text.startswith(("\\\\", "//")) and not text.startswith(("\\\\?\\", "\\\\.\\")):
        return True
    if text.startswith("\\\\?\\UNC\\"):
        return True
    if os.name != "nt":
        return False
    import ctypes

    drive = path.drive
    if not drive:
        return False
    return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == 4  # DRIVE_REMOTE


def _network_filesystem(path: Path) -> str | None:
    """The network file system ``path`` lies on ('cifs', '网络驱动器'), or None."""
    if _windows_remote_drive(path):
        return "网络共享"
    best = ("", "")
    text = str(path)
    for point, fstype in _mount_table():
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best[0]):
            best = (point, fstype)
    return best[1] if best[1] in NETWORK_FILESYSTEMS else None


def _synced_by(path: Path) -> str | None:
    """The sync client whose folder holds ``path`` ('OneDrive', '坚果云', '百度网盘', …), or None."""
    for variable, client in SYNCED_FOLDER_ENV.items():
        root = os.environ.get(variable)
        if root:
            try:
                if path == Path(root).resolve() or Path(root).resolve() in path.parents:
                    return client
            except OSError:
                continue
    for part in path.parts:
        name = part.casefold()
        if name in SYNCED_FOLDER_NAMES:
            return SYNCED_FOLDER_NAMES[name]
        if name.startswith("onedrive - "):  # OneDrive for work or school: "OneDrive - 单位名"
            return "OneDrive"
    return None


class DataLocationError(SupervisorError):
    """The data folder is on a network share or in a synced folder; nothing was opened or written."""


# SQLite cannot open a database whose full name is longer than MAX_PATH (260 characters) on
# Windows, or 512 bytes on POSIX; the longest file the program makes in the data folder is a
# backup's journal, "backups/supervisor-20140408T013000Z-pre-migration-12.sqlite3-journal".
WINDOWS_MAX_PATH_CHARS = 259
POSIX_MAX_PATH_BYTES = 511
LONGEST_NAME_INSIDE = len("/backups/supervisor-20140408T013000Z-pre-migration-12.sqlite3-journal") + 4


def _too_long(path: Path) -> int | None:
    """The length that makes ``path`` too long a data folder (characters on Windows, bytes elsewhere)."""
    from . import fsutil  # its WINDOWS flag is the one the tests' Windows rules set

    if fsutil.WINDOWS:
        length = len(str(path))
        return length if length + LONGEST_NAME_INSIDE > WINDOWS_MAX_PATH_CHARS else None
    length = len(os.fsencode(path))
    return length if length + LONGEST_NAME_INSIDE > POSIX_MAX_PATH_BYTES else None


def location_problem(data_dir: Path) -> str | None:
    """Why ``data_dir`` must not hold the database (in Chinese, with the way out), or None."""
    path = Path(os.path.abspath(data_dir))
    default = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    length = _too_long(path)
    if length is not None:
        return (
            f"数据文件夹的路径太长（{len(str(path))} 个字符），数据库在这里无法可靠地打开，程序没有作任何改动。"
            f"请选一个路径较短的文件夹（不超过 {WINDOWS_MAX_PATH_CHARS - LONGEST_NAME_INSIDE} 个字符），"
            f"例如默认位置 {default}，用 --data-dir 指定。"
        )
    if os.environ.get(ENV_ALLOW_ANY_LOCATION) == "1":
        return None
    network = _network_filesystem(path)
    client = None if network else _synced_by(path)
    if network is None and client is None:
        return None
    where = f"网络共享（{network}）上" if network else f"{client} 同步的文件夹中"
    return (
        f"数据文件夹 {path} 位于{where}。数据库在这种位置可能损坏或丢失已保存的记录，程序没有打开它，也没有作任何改动。"
        f"请把数据文件夹放在本机磁盘上、任何同步盘之外，例如默认位置 {default}"
        f"（不指定 --data-dir、也不设置环境变量 {ENV_DATA_DIR} 时即用它）。"
        "已有的数据可以这样搬过去：关闭本程序，把整个数据文件夹复制到本机磁盘上的新位置，再用 --data-dir 指向它。"
        "与活动办交换同步包的共享文件夹或同步盘不受影响，可以照常使用。"
    )
