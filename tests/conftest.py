"""Every test gets its own data folder; Qt runs offscreen; no test touches real user data."""

from __future__ import annotations

import os
import sys
from datetime import date

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_QUICK_BACKEND", "software")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # never the real keyring (tests set their own)

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

# Deterministic property tests: the same examples on every run and every machine.
settings.register_profile("deterministic", derandomize=True, database=None, deadline=None)
settings.load_profile("deterministic")

from supervisor_app import campaigns, demo, store  # noqa: E402

# A fixed day for demo data, so that overdue/due-soon figures do not depend on the calendar.
DEMO_ANCHOR = date(2014, 6, 30)


@pytest.fixture(scope="session", autouse=True)
def shared_font_cache(tmp_path_factory):
    """Report fonts are made once per test session (minutes of instancing otherwise), never in
    the user's folders."""
    folder = tmp_path_factory.getbasetemp() / "font-cache"
    os.environ["SUPERVISOR_FONT_CACHE"] = str(folder)
    yield folder
    os.environ.pop("SUPERVISOR_FONT_CACHE", None)


@pytest.fixture(autouse=True)
def quick_leader_keys(request, monkeypatch):
    """Leader keys made in tests derive their key in 1 000 PBKDF2 rounds, not 600 000 (0.2 s
    each, a dozen per demo data set); each key file records its own count, so nothing else
    changes. tests/test_keys_at_rest.py checks the real count."""
    if request.module.__name__.endswith("test_keys_at_rest"):
        return
    from supervisor_app import signing

    monkeypatch.setattr(signing, "KDF_ITERATIONS", 1000)


@pytest.fixture(autouse=True)
def isolated_data(tmp_path, monkeypatch):
    """Point every data and config location at the test's temporary folder."""
    data = tmp_path / "data"
    monkeypatch.setenv("SUPERVISOR_DATA_DIR", str(data))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    yield data
    if "ui.tasks" in sys.modules:  # let the window's worker finish with this test's database
        sys.modules["ui.tasks"].wait_for_all()
    store.close()


@pytest.fixture
def data_dir(isolated_data):
    """An initialised field installation: group 市委第一督导组, current member 张三 (its leader)."""
    path = store.open_data_dir(isolated_data)
    campaigns.initialize("field", "市委第一督导组", "张三")
    return path


@pytest.fixture
def demo_data(data_dir):
    """The small demo data set, laid out around DEMO_ANCHOR."""
    demo.generate(data_dir, seed=7, size="small", anchor=DEMO_ANCHOR)
    return data_dir
