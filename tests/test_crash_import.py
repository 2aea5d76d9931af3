"""Crash safety of a bundle import: killed at a random moment, nothing or everything is applied.

The office imports a field device's bundle (visits, findings, attachments) in a child process
(this module run as a program); the parent kills it with SIGKILL at a random moment of the
import, then checks that the database is sound (quick_check, integrity_check, foreign keys, the
change-log chain, signatures) and holds either exactly what it held before or exactly what a
complete import gives — and that a killed import can simply be run again.

    python -m pytest tests/test_crash_import.py              # a few trials
    python -m pytest -m slow tests/test_crash_import.py      # the long run (50 trials)
    python -m tests.test_crash_import --trials 100 --seed 1  # any number, with a summary
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TRIALS = 3
SLOW_TRIALS = 50
VISITS = 300
ATTACHMENTS = 6

from tests.conftest import child_env  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


def child(office: Path, bundle: Path) -> None:
    from tests.conftest import rules_in_child

    rules_in_child()
    from supervisor_app import store
    from supervisor_app.sync import service

    store.open_data_dir(office, create=False)
    print("start", flush=True)
    service.import_bundle(bundle)
    print("done", flush=True)


@dataclass
class Setup:
    pristine: Path
    bundle: Path
    bundle_id: str
    before: dict
    after: dict
    blobs_before: set[str]
    bundle_blobs: set[str]
    import_seconds: float = 0.0


@dataclass
class Summary:
    seed: int
    trials: int = 0
    found_complete: int = 0
    found_untouched: int = 0
    orphan_blobs: int = 0
    staging_left: int = 0
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"seed {self.seed}: {self.trials} kills during a bundle import: {self.found_complete} found it complete, "
                f"{self.found_untouched} found nothing applied, {len(self.problems)} problems "
                f"(left behind, harmless: {self.orphan_blobs} attachment files without a record, "
                f"{self.staging_left} staging folders)")


def _blobs(folder: Path) -> set[str]:
    store_dir = folder / "attachments"
    return {p.name for p in store_dir.rglob("*") if p.is_file() and not p.name.startswith(".")} if store_dir.exists() else set()


def _content(folder: Path) -> tuple[dict, bool]:
    from supervisor_app.sync.models import SyncBundle
    from tests.test_sync_helpers import office_content, on

    with on(folder):
        return office_content(), SyncBundle.select().where(SyncBundle.direction == "in").count()


def prepare(work: Path) -> Setup:
    from supervisor_app import attachments, visits
    from supervisor_app.models import Unit, database
    from supervisor_app.sync import container
    from tests.test_sync_helpers import build_trio, export, import_, on

    trio = build_trio(work / "trio")
    rng = random.Random(3)
    with on(trio.f1):
        unit = Unit.get(Unit.name == "临江县")
        with database.atomic():
            made = [visits.create_visit(unit, f"2014-04-{1 + i % 28:02d}T09:30", ["查阅资料"],
                                        notes=f"第{i}次现场督导：查阅学习笔记，发现“四风”问题整改不到位。" * 8)
                    for i in range(VISITS)]
        for i in range(ATTACHMENTS):
            source = work / f"scan-{i}.bin"
            source.write_bytes(rng.randbytes(200_000))
            attachments.add_attachment(made[i], source)
    bundle = export(trio.f1, trio.usb("bundles"))
    bundle_id = container.read_frame(bundle).bundle_id
    pristine = work / "office-pristine"
    shutil.copytree(trio.office, pristine)
    before, _ = _content(pristine)
    reference = work / "office-reference"
    shutil.copytree(pristine, reference)
    import_(reference, bundle)
    after, _ = _content(reference)
    setup = Setup(pristine, bundle, bundle_id, before, after, _blobs(pristine), _blobs(reference) - _blobs(pristine))
    # how long an import takes in a child, from "start" to "done"
    trial = work / "office-calibration"
    shutil.copytree(pristine, trial)
    proc = subprocess.Popen([sys.executable, "-m", "tests.test_crash_import", "--child", str(trial), str(bundle)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True, env=child_env())
    assert proc.stdout.readline() == "start\n"
    started = time.monotonic()
    assert proc.stdout.readline() == "done\n"
    setup.import_seconds = time.monotonic() - started
    proc.wait(60)
    proc.stdout.close()
    return setup


def _one_trial(work: Path, setup: Setup, rng: random.Random, summary: Summary) -> None:
    from supervisor_app import audit, backup
    from supervisor_app.models import database
    from supervisor_app.sync import service
    from tests.test_sync_helpers import on

    office = work / "office-trial"
    shutil.rmtree(office, ignore_errors=True)
    shutil.copytree(setup.pristine, office)
    proc = subprocess.Popen([sys.executable, "-m", "tests.test_crash_import", "--child", str(office), str(setup.bundle)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=child_env())
    started = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            if line == "start\n":
                started.set()
        started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if not started.wait(60):
        summary.problems.append("the importer did not start within 60 s")
    time.sleep(rng.uniform(0.0, setup.import_seconds * 1.1))
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    reader.join(30)
    proc.stdout.close()
    summary.trials += 1

    check = backup.startup_check(office)
    if check.state != backup.OK:
        summary.problems.append(f"start-up check after the kill: {check.message}")
        return
    with on(office):
        integrity = [r[0] for r in database.execute_sql("PRAGMA integrity_check").fetchall()]
        if integrity != ["ok"]:
            summary.problems.append(f"integrity_check: {integrity[:3]}")
        summary.problems.extend(audit.check_all())
    content, bundles_in = _content(office)
    blobs = _blobs(office)
    if content == setup.after and bundles_in == 1:
        summary.found_complete += 1
        if not setup.bundle_blobs <= blobs:
            summary.problems.append("the import is complete but attachment files are missing")
    elif content == setup.before and bundles_in == 0:
        summary.found_untouched += 1
        extra = blobs - setup.blobs_before
        if not extra <= setup.bundle_blobs:
            summary.problems.append(f"unknown files in the attachment store: {sorted(extra)[:3]}")
        summary.orphan_blobs += len(extra)
        with on(office):  # a killed import can be run again
            service.import_bundle(setup.bundle)
        if _content(office)[0] != setup.after:
            summary.problems.append("importing again after the kill did not give the complete result")
    else:
        differing = sorted(t for t in set(content) | set(setup.before)
                           if content.get(t) != setup.before.get(t) and content.get(t) != setup.after.get(t))
        summary.problems.append(f"partly applied: tables {differing[:5]}, bundles recorded {bundles_in}")
    staging = office / ".sync-staging"
    if staging.exists():
        summary.staging_left += sum(1 for _ in staging.iterdir())


def run_trials(work: Path, trials: int, seed: int) -> Summary:
    setup = prepare(work)
    rng = random.Random(seed)
    summary = Summary(seed)
    for _ in range(trials):
        _one_trial(work, setup, rng, summary)
        if summary.problems:
            break
    return summary


def _seed() -> int:
    return int(os.environ.get("CRASH_SEED") or random.randrange(1 << 30))


def test_a_killed_import_applies_nothing_or_everything(tmp_path):
    summary = run_trials(tmp_path, DEFAULT_TRIALS, _seed())
    assert summary.problems == [], str(summary)
    assert summary.trials == DEFAULT_TRIALS


@pytest.mark.slow
def test_many_killed_imports_apply_nothing_or_everything(tmp_path):
    summary = run_trials(tmp_path, SLOW_TRIALS, _seed())
    print(summary)
    assert summary.problems == [], str(summary)
    assert summary.trials == SLOW_TRIALS and summary.found_untouched > 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kill a bundle import at random moments.")
    parser.add_argument("--child", nargs=2, metavar=("OFFICE", "BUNDLE"), help=argparse.SUPPRESS)
    parser.add_argument("--trials", type=int, default=SLOW_TRIALS)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return 0
    import tempfile

    seed = args.seed if args.seed is not None else _seed()
    with tempfile.TemporaryDirectory() as work:
        started = time.monotonic()
        summary = run_trials(Path(work), args.trials, seed)
        print(f"{summary} in {time.monotonic() - started:.0f} s")
        for problem in summary.problems:
            print("  " + problem)
    return 1 if summary.problems else 0


if __name__ == "__main__":
    sys.exit(main())
