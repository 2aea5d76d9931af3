"""Before the window opens on a Linux desktop: can Qt's X11 (xcb) platform plugin load?

Qt aborts with a core dump ("Could not load the Qt platform plugin \"xcb\"") when a system
library that the plugin links against is missing — on stock Debian 12 libxcb-cursor0, on others
libxcb-icccm4 or libxcb-keysyms1. This check runs before the QApplication exists and names the
Debian/UOS/Kylin package to install instead.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

# Every shared library the xcb plugin (and the Qt libraries it loads) needs from the system, with
# the package that provides it on Debian, UOS and Kylin (the same names on all three).
XCB_PACKAGES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}

_SONAME_IN_ERROR = re.compile(r"(lib[\w.+-]+\.so[\w.]*): cannot open shared object file")

Loader = Callable[[str], object]


def _load(path: str) -> object:
    return ctypes.CDLL(path)


def uses_xcb(env: Mapping[str, str]) -> bool:
    """Whether Qt will pick the X11 platform plugin in this environment."""
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(";")[0].split(":")[0] == "xcb"
    # With no choice made, Qt 6 prefers Wayland in a Wayland session and X11 otherwise.
    return not env.get("WAYLAND_DISPLAY")


def xcb_plugin_path() -> Path:
    """The xcb platform plugin that this Qt would load."""
    from PySide6.QtCore import QLibraryInfo

    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms" / "libqxcb.so"


def missing_packages(plugin: Path, load: Loader | None = None) -> list[str]:
    """The system packages whose libraries keep ``plugin`` from loading; empty when it loads."""
    load = load or _load
    try:
        load(str(plugin))
        return []
    except OSError as exc:
        first = _SONAME_IN_ERROR.search(str(exc))
        failure = first.group(1) if first else None
    if failure is None or failure == plugin.name:  # no such plugin, or a damaged one: not a library to install
        return []
    bundled = Path(getattr(sys, "_MEIPASS", "")) if getattr(sys, "frozen", False) else None
    missing = []
    for soname, package in XCB_PACKAGES.items():
        if soname == failure or not _loadable(soname, load, bundled):
            missing.append(package)
    if failure not in XCB_PACKAGES:
        missing.append(failure)  # a library this table does not know: name the file itself
    return missing


def _loadable(soname: str, load: Loader, bundled: Path | None) -> bool:
    for candidate in (soname, str(bundled / soname) if bundled else None):
        if candidate is None:
            continue
        try:
            load(candidate)
            return True
        except OSError:
            continue
    return False


def problem(env: Mapping[str, str] | None = None, load: Loader | None = None, plugin: Path | None = None) -> str | None:
    """A Chinese message saying why the window cannot open on this desktop, or None."""
    env = os.environ if env is None else env
    if not sys.platform.startswith("linux") or not uses_xcb(env):
        return None
    if not env.get("DISPLAY"):
        return ("无法打开窗口：没有可用的图形桌面（环境变量 DISPLAY 未设置）。"
                "请在桌面环境中打开督导纪实；命令行子命令（如 check、backup）不需要窗口，照常可用。")
    packages = missing_packages(plugin or xcb_plugin_path(), load)
    if not packages:
        return None
    known = [p for p in packages if ".so" not in p]
    files = [p for p in packages if ".so" in p]  # libraries the table does not know a package for
    lacking = "、".join(known + [f"提供 {name} 的软件包" for name in files])
    install = (f"请管理员安装后再打开（Debian、统信 UOS、麒麟 Kylin 相同）：sudo apt install {' '.join(known)}\n"
               if known else "请管理员安装后再打开。\n")
    return f"无法打开窗口：缺少系统软件包 {lacking}。\n{install}命令行子命令（如 check、backup）不需要窗口，照常可用。"


# Started from a desktop menu, nobody reads stderr: the desktop's own dialog or notification tools
# (GTK or KDE ones, which do not need the libraries Qt lacks) show the message instead.
DESKTOP_NOTIFIERS = (
    ("zenity", "--error", "--no-wrap", "--title=督导纪实", "--text={message}"),
    ("kdialog", "--title", "督导纪实", "--error", "{message}"),
    ("notify-send", "--urgency=critical", "督导纪实", "{message}"),
)


def _notify_desktop(message: str) -> bool:
    """Show ``message`` with the first desktop tool found; False when there is none."""
    for command in DESKTOP_NOTIFIERS:
        if shutil.which(command[0]):
            subprocess.run([part.format(message=message) for part in command], check=False)
            return True
    return False


def refuse_if_unusable(env: Mapping[str, str] | None = None, notify: Callable[[str], bool] = _notify_desktop) -> int | None:
    """Print the reason and return an exit code when the window cannot open here, else None."""
    env = os.environ if env is None else env
    message = problem(env)
    if message is None:
        return None
    print(message, file=sys.stderr)
    if env.get("DISPLAY") and not (sys.stderr is not None and sys.stderr.isatty()):
        notify(message)
    return 3
