"""Build the one-folder program with PyInstaller, then (with --smoke) smoke-test it.

    python -m pip install --require-hashes -r requirements/lock.txt && python -m pip install --no-deps -e .
    python packaging/build.py --smoke

The folder is dist/supervisor-app/ (about 250 MB); on Windows packaging/windows/supervisor_app.iss
turns it into an installer. A build runs on the system it is for: Windows builds on Windows, a
Linux build on the oldest Linux it must run on (its C library sets the floor).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "supervisor_app.spec"


def build(dist: Path, work: Path) -> Path:
    """Run PyInstaller on the spec; return the one-folder program."""
    subprocess.run([sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work)], check=True, cwd=ROOT)
    return dist / "supervisor-app"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the one-folder program (PyInstaller).")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the folder goes (default dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller", help="PyInstaller's work folder")
    parser.add_argument("--smoke", action="store_true", help="then run packaging/smoke.py on the result")
    args = parser.parse_args(argv)
    started = time.monotonic()
    folder = build(args.dist.resolve(), args.work.resolve())
    print(f"built {folder} in {time.monotonic() - started:.0f} s", flush=True)
    if args.smoke:
        return subprocess.run([sys.executable, str(ROOT / "packaging" / "smoke.py"), str(folder)]).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
