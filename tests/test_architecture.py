"""The layering rules: supervisor_app imports no Qt; ui holds no SQL."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_domain_package_imports_no_qt():
    offenders = []
    for path in (ROOT / "supervisor_app").rglob("*.py"):
        bad = {n for n in _imports(path) if n.split(".")[0] in {"PySide6", "shiboken6", "ui"}}
        if bad:
            offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert offenders == []


def test_ui_holds_no_sql():
    pattern = re.compile(r"\.(execute_sql|raw)\(|\bSELECT\b.+\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b")
    offenders = []
    for path in (ROOT / "ui").rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_importing_the_domain_does_not_load_qt():
    import subprocess
    import sys

    code = "import sys, supervisor_app.cli, supervisor_app.demo; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
