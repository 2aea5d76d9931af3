"""What the one-folder build relies on: package data read the way a frozen program reads it,
the pinned dependency bounds, the installer script, and the check for Linux desktop libraries."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import resources
from importlib.resources.readers import MultiplexedPath
from pathlib import Path

import pytest

from supervisor_app import template
from ui import platform_check

ROOT = Path(__file__).resolve().parents[1]


def test_default_template_loads_through_a_multiplexed_path(monkeypatch):
    """A frozen build hands out package folders as MultiplexedPath, whose joinpath takes one part."""
    real_files = resources.files

    def frozen_files(package):
        return MultiplexedPath(str(real_files(package)))

    monkeypatch.setattr(resources, "files", frozen_files)
    tpl = template.load_default()
    assert tpl.id and len(tpl.tendencies) == 5


# --- Linux desktops: the window's system libraries ---------------------------------------------

X11 = {"DISPLAY": ":0"}


def _loader(missing: set[str]):
    """A dlopen stand-in: the plugin fails on the first missing library, as the real one does."""

    def load(path: str):
        name = Path(path).name
        if name == "libqxcb.so" and missing:
            raise OSError(f"{sorted(missing)[0]}: cannot open shared object file: No such file or directory")
        if name in missing:
            raise OSError(f"{name}: cannot open shared object file: No such file or directory")
        return object()

    return load


def test_a_missing_xcb_library_is_named_by_its_package(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    message = platform_check.problem(X11, _loader({"libxcb-cursor.so.0", "libxcb-icccm.so.4"}), Path("libqxcb.so"))
    assert message is not None
    assert "缺少系统软件包 libxcb-cursor0、libxcb-icccm4" in message
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4" in message


def test_a_library_the_table_does_not_know_is_named_by_its_file(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    message = platform_check.problem(X11, _loader({"libfoo-unknown.so.7"}), Path("libqxcb.so"))
    assert message is not None and "libfoo-unknown.so.7" in message


def test_nothing_missing_and_other_platforms_pass(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    assert platform_check.problem(X11, _loader(set()), Path("libqxcb.so")) is None
    refuse = _loader({"libxcb-cursor.so.0"})
    assert platform_check.problem({**X11, "QT_QPA_PLATFORM": "offscreen"}, refuse, Path("libqxcb.so")) is None
    assert platform_check.problem({**X11, "WAYLAND_DISPLAY": "wayland-0"}, refuse, Path("libqxcb.so")) is None
    assert platform_check.problem({**X11, "QT_QPA_PLATFORM": "xcb"}, refuse, Path("libqxcb.so")) is not None
    monkeypatch.setattr(sys, "platform", "win32")
    assert platform_check.problem(X11, refuse, Path("libqxcb.so")) is None


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("ldd") is None, reason="Linux only")
def test_the_real_plugin_check_agrees_with_ldd():
    """On this machine: the packages named are exactly those of the libraries ldd cannot find."""
    plugin = platform_check.xcb_plugin_path()
    assert plugin.is_file()
    ldd = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True).stdout
    not_found = {line.split()[0] for line in ldd.splitlines() if "not found" in line}
    expected = sorted(platform_check.XCB_PACKAGES.get(name, name) for name in not_found)
    assert sorted(platform_check.missing_packages(plugin)) == expected


def test_the_window_refuses_without_a_display_and_writes_nothing(tmp_path):
    data = tmp_path / "数据"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="xcb", SUPERVISOR_DATA_DIR=str(data))
    if not sys.platform.startswith("linux"):
        pytest.skip("the X11 check applies to Linux")
    result = subprocess.run([sys.executable, str(ROOT / "main.py")], capture_output=True, text=True, env=env,
                            timeout=120, encoding="utf-8")
    assert result.returncode == 3, result.stderr
    assert "DISPLAY" in result.stderr and "无法打开窗口" in result.stderr
    assert "Traceback" not in result.stderr
    assert not data.exists()
