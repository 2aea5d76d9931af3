"""The benchmark data: the demo generator's data set, made once per code version and cached.

``demo.generate(size="large")`` takes about a minute for its 100 000 visits, so the folder it
fills is kept under ``bench/.data/`` (git ignores it), keyed by a hash of the code that shapes the
data (the generator, the models and schema, the search index, the change log, the checklist
templates). Every run works on a copy, so what a run writes (window settings, backups, sync
history) never reaches the cache.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CACHE = ROOT / "bench" / ".data"

SEED = 1
ANCHOR = date(2014, 6, 30)  # the demo's "today": the same data whatever the calendar says
DATA_FORMAT = 1  # bump to throw every cached data set away

# What the generated folder depends on; a change to any of them makes a new data set.
SHAPING = (
    "supervisor_app/demo.py",
    "supervisor_app/models.py",
    "supervisor_app/db.py",
    "supervisor_app/search.py",
    "supervisor_app/changelog.py",
    "supervisor_app/campaigns.py",
    "supervisor_app/evaluations.py",
    "supervisor_app/evaluation_facts.py",
    "supervisor_app/signing.py",
    "supervisor_app/sync/models.py",
    "resources/templates",
)
READY = "bench-data.json"


def cache_key(size: str) -> str:
    """A short hash of the data's recipe: size, seed, anchor and the code that shapes it."""
    digest = hashlib.sha256(f"{DATA_FORMAT}|{size}|{SEED}|{ANCHOR.isoformat()}".encode())
    for name in SHAPING:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes() if file.exists() else b"<missing>")
    return digest.hexdigest()[:16]


def cached_data(size: str, cache_root: Path = DEFAULT_CACHE, log: Callable[[str], None] = print) -> Path:
    """The demo data folder of ``size`` ('small' or 'large'), generated now if not cached yet."""
    from supervisor_app import demo, store

    cache_root = Path(cache_root)
    folder = cache_root / f"{size}-{cache_key(size)}"
    if (folder / READY).is_file():
        return folder
    cache_root.mkdir(parents=True, exist_ok=True)
    for stale in cache_root.glob(f"{size}-*"):  # an older recipe: its data would mislead
        shutil.rmtree(stale, ignore_errors=True)
    partial = cache_root / f".{folder.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    log(f"generating the {size} demo data set (once per code version) into {folder} …")

    def progress(done: int, total: int) -> None:
        if size == "large" and done % 20_000 == 0:
            log(f"  {done} / {total} visits")

    store.open_data_dir(partial)
    try:
        counts = demo.generate(partial, seed=SEED, size=size, anchor=ANCHOR, progress=progress)
    finally:
        store.close()  # checkpoints the WAL: the cached folder is one self-contained file
    (partial / READY).write_text(json.dumps({"size": size, "counts": counts}, ensure_ascii=False), encoding="utf-8")
    partial.rename(folder)
    return folder


def counts(folder: Path) -> dict:
    """What the data set holds (督导记录, 单位, …), as the generator reported it."""
    return json.loads((folder / READY).read_text(encoding="utf-8"))["counts"]


def working_copy(cached: Path, target: Path) -> Path:
    """Copy a cached data folder to ``target`` (which must not exist) and return it."""
    shutil.copytree(cached, target, ignore=shutil.ignore_patterns(READY, "backups", "window.ini"))
    return target
