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
    assert message is not None and "缺少系统软件包 提供 libfoo-unknown.so.7 的软件包" in message
    assert "apt install" not in message  # no package name to give apt


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


# --- pinned, bounded dependencies ---------------------------------------------------------------

LOCK = ROOT / "requirements" / "lock.txt"
LOCK_GLIBC_228 = ROOT / "requirements" / "lock-linux-glibc2.28.txt"
REGENERATE = "see README.md, 'Dependencies': uv pip compile … -o requirements/lock.txt"
# Removed from pyproject.toml by the build-time fonts change; it has no upper bound until then.
def _project() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _locked(lock: Path = LOCK) -> dict[str, tuple[str, list[str]]]:
    """name → (pinned version, hashes) from a lock file."""
    from packaging.utils import canonicalize_name

    pins: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in lock.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("--hash="):
            pins[current][1].append(stripped.removeprefix("--hash=").rstrip(" \\"))
            continue
        requirement = stripped.split(";")[0].rstrip(" \\")
        name, _, version = requirement.partition("==")
        current = canonicalize_name(name)
        pins[current] = (version, [])
    return pins


def _requirements():
    from packaging.requirements import Requirement

    project = _project()
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines += extra
    return [Requirement(line) for line in lines]


@pytest.mark.parametrize("lock", [LOCK, LOCK_GLIBC_228], ids=lambda p: p.name)
def test_every_requirement_is_pinned_in_the_lock_with_hashes(lock):
    from packaging.utils import canonicalize_name

    locked = _locked(lock)
    assert len(locked) > 20
    stale = []
    for requirement in _requirements():
        pin = locked.get(canonicalize_name(requirement.name))
        if pin is None or not requirement.specifier.contains(pin[0], prereleases=True):
            stale.append(f"{requirement} (locked: {pin[0] if pin else 'nothing'})")
    assert stale == [], f"requirements/lock.txt is out of date with pyproject.toml ({REGENERATE}): {stale}"
    unhashed = [name for name, (_version, hashes) in locked.items() if not hashes]
    assert unhashed == []
    assert all(h.startswith("sha256:") and len(h) == 71 for _v, hashes in locked.values() for h in hashes)


def test_the_glibc_2_28_lock_differs_only_in_qt():
    """The lock for older Linux systems pins everything else exactly as the main lock does."""
    main = {name: version for name, (version, _h) in _locked(LOCK).items()}
    old = {name: version for name, (version, _h) in _locked(LOCK_GLIBC_228).items()}
    qt = {"pyside6-essentials", "shiboken6"}
    assert {n: v for n, v in old.items() if n not in qt} == {n: main[n] for n in old if n not in qt}
    assert old["pyside6-essentials"] == old["shiboken6"]
    assert "manylinux_2_28" in LOCK_GLIBC_228.read_text(encoding="utf-8")


def test_every_runtime_dependency_has_an_upper_bound_and_ruff_is_pinned():
    from packaging.requirements import Requirement

    unbounded = []
    for line in _project()["dependencies"]:
        requirement = Requirement(line)
        if not any(spec.operator in ("<", "<=", "==", "~=", "===") for spec in requirement.specifier):
            unbounded.append(line)
    assert unbounded == []
    ruff = [Requirement(line) for line in _project()["optional-dependencies"]["test"] if line.startswith("ruff")]
    assert [str(r.specifier) for r in ruff] and all(s.operator == "==" for r in ruff for s in r.specifier)


def test_the_lock_is_universal_for_windows_and_linux():
    """Windows-only dependencies are in the lock (with markers), so one file installs on both."""
    lock = LOCK.read_text(encoding="utf-8")
    assert "--universal" in lock
    for windows_only in ("pywin32-ctypes", "colorama"):
        assert f"\n{windows_only}==" in lock and "sys_platform == 'win32'" in lock
    for linux_only in ("secretstorage", "jeepney"):
        assert f"\n{linux_only}==" in lock


# --- the build and the Windows installer --------------------------------------------------------

SPEC = ROOT / "packaging" / "supervisor_app.spec"
ISS = ROOT / "packaging" / "windows" / "supervisor_app.iss"


def test_the_spec_makes_a_console_cli_and_a_console_less_window_from_main_py():
    spec = SPEC.read_text(encoding="utf-8")
    assert 'name="supervisor-app", console=True' in spec
    assert 'name="supervisor-app-window", console=False' in spec
    assert 'collect_data_files("resources")' in spec  # all package data, fonts included, whatever it is
    assert '"main.py"' in spec


def test_the_installer_script_keeps_its_id_associations_licences_and_the_data():
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads Chinese text only from UTF-8 with a BOM"
    iss = raw.decode("utf-8-sig")
    assert "AppId={{280C0593-FB18-4CDB-B0CD-07F1DA1F181E}" in iss  # never change: upgrades find the program by it
    assert '#define AppWindowExe "supervisor-app-window.exe"' in iss
    assert '#define AppCliExe "supervisor-app.exe"' in iss
    for suffix, progid in ((".sgb", "SupervisorApp.Bundle"), (".card", "SupervisorApp.Card")):
        assert f'Subkey: "Software\\Classes\\{suffix}"; ValueType: string; ValueName: ""; ValueData: "{progid}"' in iss
        assert f'Subkey: "Software\\Classes\\{progid}\\shell\\open\\command"' in iss
    assert '"""{app}\\{#AppWindowExe}"" ""%1"""' in iss
    sections = [line.strip() for line in iss.splitlines() if line.startswith("[")]
    assert "[UninstallDelete]" not in sections  # the data folder stays on uninstall
    assert "localappdata" not in iss.lower().replace("%localappdata%", "")  # nothing touches the data folder
    assert "{group}\\{#AppName}" in iss
    for line in iss.splitlines():  # every file the installer takes from the repository exists
        if line.startswith("LicenseFile=") or line.startswith("InfoBeforeFile="):
            shown = ISS.parent / line.split("=", 1)[1].replace("\\", "/")
            assert shown.read_bytes().startswith(b"\xef\xbb\xbf"), f"{line}: Chinese text needs UTF-8 with a BOM"
    licences = {p.name for p in (ROOT / "packaging" / "licenses").iterdir()}
    assert {"LICENSE.txt", "NOTICE.txt", "LGPL-3.0.txt", "GPL-3.0.txt"} <= licences
    assert any(name.startswith("OFL") for name in licences)


def test_the_launcher_opens_only_bundles_and_cards(tmp_path):
    from ui import launcher

    bundle = tmp_path / "包 1.sgb"
    bundle.write_bytes(b"x")
    card = tmp_path / "活动办.CARD"
    card.write_bytes(b"x")
    assert launcher._opened_file([str(bundle)]) == bundle.resolve()
    assert launcher._opened_file([str(card)]) == card.resolve()
    assert launcher._opened_file([str(tmp_path / "missing.sgb")]) is None
    assert launcher._opened_file(["check"]) is None
    assert launcher._opened_file([str(bundle), str(card)]) is None


def test_double_clicked_card_and_bundle_open_in_the_window(data_dir, tmp_path):
    """What the .card and .sgb file types run: the window opens at 同步 and enrols the card (after
    the fingerprint question), then imports the bundle."""
    from supervisor_app import campaigns, store, units
    from supervisor_app.sync import service
    from ui import launcher

    field = data_dir
    field_card = tmp_path / "第一督导组.card"
    service.write_card(field_card)
    store.close()
    store.open_data_dir(tmp_path / "office")
    campaigns.initialize("office")
    group = campaigns.create_group("市委第一督导组", campaigns.current_campaign())
    campaigns.add_member(group, "张三", is_leader=True)
    units.create_unit("临江县", "县市区", group=group.id)
    service.enroll(field_card, None, "市委第一督导组")
    office_card = tmp_path / "活动办.card"
    service.write_card(office_card)
    usb = tmp_path / "U盘"
    usb.mkdir()
    (sent,) = service.export_to_folder(usb)
    store.close()

    # In a process of its own, as a double-click starts one (a quit event loop would leave this
    # process's QApplication unusable for the tests after it). The fingerprint question is answered 一致.
    driver = (
        "import sys\n"
        "from ui.pages.sync import SyncPage\n"
        "asked = []\n"
        "def read_out_and_matching(page, card):\n"
        "    asked.append(card.fingerprint)\n"
        "    return True\n"
        "SyncPage._fingerprint_matches = read_out_and_matching\n"
        "from ui import launcher\n"
        "code = launcher.main(sys.argv[1:])\n"
        "print('asked', len(asked))\n"
        "sys.exit(code)\n"
    )
    env = {**os.environ, "SUPERVISOR_DATA_DIR": str(field), launcher.QUIT_AFTER_ENV: "300"}

    def double_click(path) -> str:
        result = subprocess.run([sys.executable, "-c", driver, str(path)], capture_output=True, text=True,
                                env=env, cwd=ROOT, timeout=300, encoding="utf-8")
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "asked 1" in double_click(office_card)  # the fingerprint was shown before enrolling
    assert "asked 0" in double_click(sent.path)

    store.open_data_dir(field)
    assert any(d.role == "office" for d in service.list_devices())
    assert "临江县" in [u.name for u in units.list_units()]
    store.close()


def test_the_installed_scripts_start_the_launcher():
    """After `pip install`, `supervisor-app` and the console-less `supervisor-app-window` both run
    the launcher: the window with no arguments, the CLI with a sub-command."""
    from importlib.metadata import entry_points

    from ui import launcher

    console = {e.name: e for e in entry_points(group="console_scripts") if e.name.startswith("supervisor-app")}
    gui = {e.name: e for e in entry_points(group="gui_scripts") if e.name.startswith("supervisor-app")}
    assert console["supervisor-app"].load() is launcher.main
    assert gui["supervisor-app-window"].load() is launcher.main


def test_started_from_a_menu_the_refusal_is_shown_on_the_desktop(monkeypatch, capsys):
    """No terminal to read stderr: the message also goes to the desktop's dialog tool."""
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(platform_check, "xcb_plugin_path", lambda: Path("libqxcb.so"))
    monkeypatch.setattr(platform_check, "_load", _loader({"libxcb-cursor.so.0"}))
    shown = []
    assert platform_check.refuse_if_unusable(X11, shown.append) == 3  # capsys: stderr is no terminal
    assert len(shown) == 1 and "libxcb-cursor0" in shown[0]
    assert "libxcb-cursor0" in capsys.readouterr().err
    shown.clear()
    assert platform_check.refuse_if_unusable({}, shown.append) == 3  # no display: nothing to show it on
    assert shown == []


def test_a_missing_plugin_is_not_reported_as_a_package(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")

    def load(path):
        raise OSError(f"{Path(path).name}: cannot open shared object file: No such file or directory")

    assert platform_check.missing_packages(Path("/nowhere/libqxcb.so"), load) == []
