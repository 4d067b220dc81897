"""The content-addressed layer cache, shared by every function and every repo of a user.

A layer zip is stored under the sha256 of what determines its contents (manifest and
lock bytes, runtime, architecture, build method, installer version, image). Entries
are written to a temp file and renamed into place, so a killed build never leaves a
half-written entry that a later build would trust.

Functions' layer zips are hard links to these entries (``layer``), so an entry is
never changed in place: it is stored read-only, and replaced only by renaming a new
file over it. Pruning an entry leaves the functions' links (and their bytes) alone.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CacheEntry:
    key: str
    path: Path
    size: int
    created: float
    meta: dict


class LayerCache:
    """``<root>/layers/<key>.zip`` plus ``<key>.json`` describing it."""

    def __init__(self, root: Path):
        self.root = Path(root) / "layers"

    def _zip(self, key: str) -> Path:
        return self.root / f"{key}.zip"

    def get(self, key: str) -> Path | None:
        path = self._zip(key)
        return path if path.is_file() else None

    def put(self, key: str, zip_path: Path, meta: dict) -> Path:
        """Store ``zip_path`` under ``key`` atomically (metadata first, zip last)."""
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = f"{os.getpid()}.{time.monotonic_ns()}"
        meta_tmp = self.root / f".{key}.json.{stamp}"
        meta_tmp.write_text(json.dumps(dict(meta, created=time.time()), sort_keys=True))
        os.replace(meta_tmp, self.root / f"{key}.json")
        zip_tmp = self.root / f".{key}.zip.{stamp}"
        shutil.copyfile(zip_path, zip_tmp)
        os.chmod(zip_tmp, 0o444)  # shared through hard links: a write in place would change every function's layer
        os.replace(zip_tmp, self._zip(key))
        return self._zip(key)

    def entries(self) -> list[CacheEntry]:
        if not self.root.is_dir():
            return []
        found = []
        for path in sorted(self.root.glob("*.zip")):
            key = path.stem
            meta_path = self.root / f"{key}.json"
            try:
                meta = json.loads(meta_path.read_text())
            except (OSError, ValueError):
                meta = {}
            stat = path.stat()
            found.append(CacheEntry(key, path, stat.st_size, meta.get("created", stat.st_mtime), meta))
        return found

    def prune(self, older_than_days: float | None = None) -> list[CacheEntry]:
        """Remove entries (all, or those created more than N days ago) and stray temp files."""
        cutoff = time.time() - older_than_days * 86400 if older_than_days is not None else None
        removed = []
        for entry in self.entries():
            if cutoff is None or entry.created < cutoff:
                entry.path.unlink(missing_ok=True)
                (self.root / f"{entry.key}.json").unlink(missing_ok=True)
                removed.append(entry)
        if self.root.is_dir():
            for stray in self.root.glob(".*"):
                if time.time() - stray.stat().st_mtime > 3600:
                    stray.unlink(missing_ok=True)
        return removed
