"""Smoke test of the one-folder program: run the frozen executables as an IT person would.

    python packaging/smoke.py dist/supervisor-app

Everything runs in a temporary folder (data folders, font cache, HOME); nothing of the user's is
touched. An office and a field device each get a data folder: the office fills its own with demo
data, the two exchange device cards, the office sends a bundle that the field imports, both pass
`check`; then a visit report, a screenshot of the window and the window itself, started offscreen.
Exits non-zero with the failing step's output.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEP_TIMEOUT = 300


class SmokeFailure(Exception):
    pass


class Frozen:
    def __init__(self, folder: Path, work: Path):
        suffix = ".exe" if sys.platform == "win32" else ""
        self.cli = folder / f"supervisor-app{suffix}"
        self.window = folder / f"supervisor-app-window{suffix}"
        for exe in (self.cli, self.window):
            if not exe.is_file():
                raise SmokeFailure(f"missing executable {exe}")
        self.work = work
        self.env = {
            **os.environ,
            "HOME": str(work / "home"),
            "USERPROFILE": str(work / "home"),
            "XDG_DATA_HOME": str(work / "home" / "data"),
            "XDG_CONFIG_HOME": str(work / "home" / "config"),
            "SUPERVISOR_FONT_CACHE": str(work / "font-cache"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHONIOENCODING": "utf-8",
        }
        self.env.pop("SUPERVISOR_DATA_DIR", None)
        self.env.pop("PYTHONPATH", None)  # the frozen program must need nothing from outside its folder

    def run(self, data: str, *args: str, exe: Path | None = None, env: dict | None = None) -> str:
        argv = [str(exe or self.cli), "--data-dir", str(self.work / data), *args]
        started = time.monotonic()
        result = subprocess.run(argv, capture_output=True, cwd=self.work, env={**self.env, **(env or {})},
                                timeout=STEP_TIMEOUT)
        out = result.stdout.decode("utf-8", "replace")
        err = result.stderr.decode("utf-8", "replace")
        took = time.monotonic() - started
        print(f"  {took:5.1f} s  {data}: {' '.join(args) or '(window)'}", flush=True)
        if result.returncode != 0:
            raise SmokeFailure(f"{' '.join(argv)} exited {result.returncode}\n{out}\n{err}")
        if "Traceback" in err:
            raise SmokeFailure(f"{' '.join(argv)} printed a traceback\n{err}")
        return out


def fingerprint(card_output: str) -> str:
    match = re.search(r"指纹：([0-9A-F ]+)", card_output)
    if not match:
        raise SmokeFailure(f"no fingerprint in:\n{card_output}")
    return match.group(1).strip()


def smoke(folder: Path, work: Path) -> None:
    app = Frozen(folder, work)
    # A laptop may have no Chinese font at all: the folder must carry its own.
    fonts = [p for p in folder.rglob("*") if p.suffix.lower() in (".ttf", ".otf", ".ttc")]
    if not fonts:
        raise SmokeFailure(f"no font file in {folder}")
    (work / "usb").mkdir()
    (work / "out").mkdir()

    app.run("office", "init", "--role", "office")
    app.run("office", "demo", "--seed", "1")
    app.run("field", "init", "--role", "field")

    office_fp = fingerprint(app.run("office", "device", "card", "--out", str(work / "活动办.card")))
    field_fp = fingerprint(app.run("field", "device", "card", "--out", str(work / "第一督导组.card")))
    app.run("office", "enroll", str(work / "第一督导组.card"), "--group", "市委第一督导组", "--fingerprint", field_fp)
    app.run("field", "enroll", str(work / "活动办.card"), "--fingerprint", office_fp)

    app.run("office", "export-bundle", "--to", str(work / "usb"))
    bundles = sorted((work / "usb").glob("*.sgb"))
    if len(bundles) != 1:
        raise SmokeFailure(f"expected one bundle, found {bundles}")
    # decoded by a second process, as a large bundle is: the frozen program must start it
    # (multiprocessing.freeze_support in main.py; sync/decoding.py)
    imported = app.run("field", "import-bundle", str(bundles[0]), env={"SUPERVISOR_IMPORT_WORKER_MIN_BYTES": "0"})
    if "已导入" not in imported:
        raise SmokeFailure(f"bundle not imported:\n{imported}")
    units = json.loads(app.run("field", "list", "units", "--json"))
    if not units:
        raise SmokeFailure("the field device has no units after importing the office's bundle")
    app.run("field", "check")
    app.run("office", "check")

    visits = json.loads(app.run("office", "list", "visits", "--json", "--limit", "1"))
    pdf = work / "out" / "督导纪实 visit.pdf"
    app.run("office", "report", "visit", "--id", visits[0]["id"], "--out", str(pdf))
    check_pdf(pdf, visits[0]["unit"])

    png = work / "out" / "overview.png"
    app.run("office", "screenshot", "--page", "overview", "--out", str(png))
    if not png.is_file() or png.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n" or png.stat().st_size < 20_000:
        raise SmokeFailure(f"no proper screenshot at {png}")

    # The window: started with no sub-command, offscreen, quits itself once it has been shown.
    app.run("office", exe=app.window, env={"SUPERVISOR_APP_QUIT_AFTER_MS": "1500"})


def check_pdf(pdf: Path, unit_name: str) -> None:
    if not pdf.is_file() or pdf.read_bytes()[:5] != b"%PDF-":
        raise SmokeFailure(f"no PDF at {pdf}")
    try:
        from pypdf import PdfReader
    except ImportError:  # the text check needs the test tools; the file check above still ran
        return
    text = "".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    if unit_name not in text:
        raise SmokeFailure(f"the visit report does not name its unit {unit_name!r}:\n{text[:500]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the one-folder program, e.g. dist/supervisor-app")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="supervisor-smoke-") as tmp:
        try:
            smoke(args.folder.resolve(), Path(tmp))
        except (SmokeFailure, subprocess.TimeoutExpired) as exc:
            print(f"SMOKE TEST FAILED: {exc}", file=sys.stderr)
            return 1
    print(f"frozen smoke test passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
