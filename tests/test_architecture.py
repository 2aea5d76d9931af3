"""The layering rules as import-linter contracts (pyproject.toml, [tool.importlinter]), and the
one rule a contract cannot express: ui holds no SQL."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTER = {"cli", "backup_cli", "evaluation_cli", "sync", "reports",  # may import sync and reports
         "export_xlsx", "export_xlsx_sources", "export_xlsx_cli"}  # the summary's tables order groups as reports do


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def test_import_contracts_are_kept():
    """ui -> supervisor_app; supervisor_app imports no Qt; core imports neither sync nor reports; no cycles."""
    code = "from importlinter.cli import lint_imports_command; lint_imports_command()"  # the lint-imports script
    out = subprocess.run([sys.executable, "-c", code, "--no-cache"], capture_output=True, text=True, cwd=ROOT,
                         timeout=300)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout
    ids = {c["id"] for c in _config()["contracts"]}
    assert {"ui-above-core", "core-below-sync-and-reports", "no-cycles"} <= ids


def test_every_module_is_placed_in_a_layer():
    """A new module of supervisor_app is either core (listed in the contract) or an outer one."""
    contract = next(c for c in _config()["contracts"] if c["id"] == "core-below-sync-and-reports")
    core = {name.removeprefix("supervisor_app.") for name in contract["source_modules"]}
    present = {p.stem for p in (ROOT / "supervisor_app").glob("*.py") if p.stem != "__init__"}
    present |= {p.parent.name for p in (ROOT / "supervisor_app").glob("*/__init__.py")}
    unplaced = present - core - OUTER
    assert unplaced == set(), f"add these to the core list in pyproject.toml (or to OUTER here): {sorted(unplaced)}"
    assert core & OUTER == set()


def test_ui_holds_no_sql():
    pattern = re.compile(r"\.(execute_sql|raw)\(|\bSELECT\b.+\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b")
    offenders = []
    for path in (ROOT / "ui").rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_importing_the_domain_does_not_load_qt():
    """Import-time only (the contracts cover import statements; this covers what actually loads)."""
    code = "import sys, supervisor_app.cli, supervisor_app.demo; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
