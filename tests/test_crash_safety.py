"""Crash safety: a writer killed with SIGKILL at random moments loses no committed record.

A child process (this module run as a program) writes records in a loop through the services —
visits, findings with their rectification, visit updates, attachments — and prints one line
per record after its transaction has returned. The parent kills it with SIGKILL at a random
moment (while starting, or after a random number of records), then checks, as the program
would at start, that the database passes quick_check and integrity_check, that foreign keys
and the change-log hash chain hold, and that every reported record is there.

    python -m pytest tests/test_crash_safety.py              # a few trials
    python -m pytest -m slow tests/test_crash_safety.py      # the long run (60 trials)
    python -m tests.test_crash_safety --trials 200 --seed 1  # any number, with a summary
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import child_env

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TRIALS = 4
SLOW_TRIALS = 60

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


# --- the child: writes until it is killed ---------------------------------------------------------------


def child(data_dir: Path, seed: int) -> None:
    from tests.conftest import rules_in_child

    rules_in_child()
    from supervisor_app import attachments, findings, store, units, visits

    store.open_data_dir(data_dir, create=False)
    unit = units.list_units()[0]
    rng = random.Random(seed)
    sources = data_dir.parent / f"sources-{seed}"
    sources.mkdir(exist_ok=True)
    mine: list[str] = []

    def report(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    report("ready")
    n = 0
    while True:
        n += 1
        roll = rng.random()
        notes = f"第{n}次现场督导：查阅学习笔记，个别谈话，发现“四风”问题整改不到位。" * rng.randint(1, 40)
        if roll < 0.45 or not mine:
            visit = visits.create_visit(unit, f"2014-04-{rng.randint(1, 28):02d}T09:30", ["查阅资料", "个别谈话"],
                                        notes=notes, people_met="县委办公室主任")
            mine.append(visit.id)
            report(f"visit {visit.id}")
        elif roll < 0.65:
            finding = findings.create_finding(unit, f"学习笔记照抄照搬（{n}）", "有形式主义趋向",
                                              visit=rng.choice(mine), found_on="2014-04-08")
            report(f"finding {finding.id}")
            rect = findings.set_rectification(finding, measure="重新组织专题学习", responsible="县委办公室",
                                              deadline="2014-05-31")
            report(f"rectification {rect.id}")
        elif roll < 0.85:
            visit = visits.update_visit(rng.choice(mine), notes=notes + "（补充）")
            report(f"update {visit.id} {visit.version}")
        else:
            source = sources / f"scan-{n}.bin"
            source.write_bytes(rng.randbytes(rng.randint(1, 256) * 1024))
            att = attachments.add_attachment(rng.choice(mine), source)
            source.unlink()
            report(f"attachment {att.id} {att.sha256}")


# --- the parent: kills and checks -----------------------------------------------------------------------


@dataclass
class Summary:
    seed: int
    trials: int = 0
    kills_while_starting: int = 0
    records_reported: int = 0
    records_lost: int = 0
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"seed {self.seed}: {self.trials} kills ({self.kills_while_starting} while starting), "
                f"{self.records_reported} committed records reported, {self.records_lost} lost, "
                f"{len(self.problems)} problems")


def prepare(data_dir: Path) -> None:
    from supervisor_app import campaigns, store, units

    store.open_data_dir(data_dir)
    campaigns.initialize("field", "市委第一督导组", "张三")
    units.create_unit("临江县", "县市区")
    store.close()


def _kill_at_random(data_dir: Path, rng: random.Random, summary: Summary) -> list[str]:
    """Start a writer, kill it at a random moment; return the lines it completed."""
    log = data_dir.parent / "child-stderr.txt"
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.test_crash_safety", "--child", str(data_dir), str(rng.randrange(1 << 30))],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True, encoding="utf-8", env=child_env(),
        )
    lines: list[str] = []
    enough = threading.Event()
    while_starting = rng.random() < 0.15
    wanted = 0 if while_starting else rng.randint(1, 40)

    def read() -> None:
        for line in proc.stdout:
            if line.endswith("\n"):  # a line cut by the kill was not reported
                lines.append(line.rstrip("\n"))
                if len(lines) > wanted:
                    enough.set()
        enough.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if while_starting:
        summary.kills_while_starting += 1
        time.sleep(rng.uniform(0.0, 0.3))
    else:
        if not enough.wait(60):
            summary.problems.append("the writer made no progress in 60 s")
        time.sleep(rng.uniform(0.0, 0.02))
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    reader.join(30)
    proc.stdout.close()
    if not alive:
        summary.problems.append(f"the writer stopped by itself: {log.read_text(encoding='utf-8')[-2000:]}")
    return [line for line in lines if line != "ready"]


def _verify(data_dir: Path, reported: list[str], summary: Summary) -> None:
    """Open as the program does at start and look for every reported record."""
    from supervisor_app import attachments, audit, backup, store
    from supervisor_app.models import Attachment, Finding, Rectification, Visit, database

    check = backup.startup_check(data_dir)
    if check.state != backup.OK:
        summary.problems.append(f"start-up check: {check.message} {check.problems}")
        return
    store.open_data_dir(data_dir, create=False)
    try:
        integrity = [r[0] for r in database.execute_sql("PRAGMA integrity_check").fetchall()]
        if integrity != ["ok"]:
            summary.problems.append(f"integrity_check: {integrity[:5]}")
        summary.problems.extend(audit.check_all())
        models = {"visit": Visit, "finding": Finding, "rectification": Rectification, "attachment": Attachment}
        for line in reported:
            kind, record_id, *rest = line.split()
            if kind == "update":
                record = Visit.get_or_none(Visit.id == record_id)
                ok = record is not None and record.version >= int(rest[0])
            else:
                record = models[kind].get_or_none(models[kind].id == record_id)
                ok = record is not None and not record.deleted
                if ok and kind == "attachment":
                    try:
                        attachments.verified_path(record)
                    except Exception as exc:  # reported as a problem below
                        summary.problems.append(f"attachment {record_id}: {exc}")
            summary.records_reported += 1
            if not ok:
                summary.records_lost += 1
                summary.problems.append(f"lost: {line}")
    finally:
        store.close()


def run_trials(work: Path, trials: int, seed: int) -> Summary:
    rng = random.Random(seed)
    summary = Summary(seed)
    data_dir = work / "data"
    prepare(data_dir)
    for _ in range(trials):
        reported = _kill_at_random(data_dir, rng, summary)
        summary.trials += 1
        _verify(data_dir, reported, summary)
        if summary.problems:
            break
    return summary


def _seed() -> int:
    return int(os.environ.get("CRASH_SEED") or random.randrange(1 << 30))


def test_kills_lose_no_committed_record(tmp_path):
    summary = run_trials(tmp_path, DEFAULT_TRIALS, _seed())
    assert summary.problems == [], str(summary)
    assert summary.trials == DEFAULT_TRIALS and summary.records_lost == 0


@pytest.mark.slow
def test_many_kills_lose_no_committed_record(tmp_path):
    summary = run_trials(tmp_path, SLOW_TRIALS, _seed())
    print(summary)
    assert summary.problems == [], str(summary)
    assert summary.trials == SLOW_TRIALS and summary.records_lost == 0 and summary.records_reported > SLOW_TRIALS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kill a writer at random moments; count what is lost.")
    parser.add_argument("--child", nargs=2, metavar=("DATA_DIR", "SEED"), help=argparse.SUPPRESS)
    parser.add_argument("--trials", type=int, default=SLOW_TRIALS)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if args.child:
        child(Path(args.child[0]), int(args.child[1]))
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
