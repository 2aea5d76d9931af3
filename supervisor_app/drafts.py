"""Editor drafts: what the user typed, saved as they type, offered back after a crash.

Each draft is one JSON file in <data_dir>/drafts/, written atomically (temp, fsync, rename),
so a kill at any moment leaves either the previous draft or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .clock import now_utc

_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,120}$")


@dataclass(frozen=True)
class Draft:
    key: str
    kind: str
    title: str
    saved_at: str
    data: dict


class DraftStore:
    def __init__(self, data_dir: Path):
        self.folder = Path(data_dir) / "drafts"

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"bad draft key {key!r}")
        return self.folder / f"{key}.json"

    def save(self, key: str, kind: str, title: str, data: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        payload = {"key": key, "kind": kind, "title": title, "saved_at": now_utc(), "data": data}
        fd, tmp = tempfile.mkstemp(prefix=".draft-", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, ensure_ascii=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self._path(key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def discard(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def load(self, key: str) -> Draft | None:
        try:
            raw = json.loads(self._path(key).read_text(encoding="utf-8"))
            return Draft(raw["key"], raw["kind"], raw["title"], raw["saved_at"], raw["data"])
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None

    def pending(self) -> list[Draft]:
        """Every readable draft left behind, newest first (unreadable files are skipped)."""
        if not self.folder.exists():
            return []
        drafts = [self.load(p.stem) for p in self.folder.glob("*.json") if _KEY.match(p.stem)]
        return sorted((d for d in drafts if d is not None), key=lambda d: d.saved_at, reverse=True)
