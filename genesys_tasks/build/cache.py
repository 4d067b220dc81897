"""The content-addressed layer cache, shared by every function and every repo of a user.

A layer zip is stored under the sha256 of what determines its contents (``layer.cache_key``).
Each entry is ``layers/<key>.zip`` with ``layers/<key>.json`` beside it, which records
the zip's size and sha256 when it is written. An entry is trusted only while its bytes
match that record: ``get`` checks the size and the sha256 (read once per file per
process), and an entry that does not match (truncated, overwritten, written by a
version that recorded neither) is removed and counts as missing, so it is rebuilt.

Entries are written to a temp file and renamed into place, so a killed build never
leaves a half-written entry under its real name. Functions' layer zips are hard links
to these entries (``layer``), so an entry is never changed in place: it is stored
read-only, and replaced only by renaming a new file over it. Pruning an entry leaves
the functions' links (and their bytes) alone.

Layers are built in ``work/<host>-<pid>-<random>/`` folders; a build killed on the way
leaves one behind, which the next build (or ``genesys cache prune``) removes once
its process is gone.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..paths import STALE_AFTER, process_running
from .zipper import sha256_file

_SHA256: dict[tuple, str] = {}  # (device, inode, size, mtime): sha256, for files this process has hashed


def sha256_once(path: Path) -> str:
    """sha256 of ``path``, read once per file: the functions sharing a layer share its hash too."""
    stat = path.stat()
    key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key not in _SHA256:
        _SHA256[key] = sha256_file(path)
    return _SHA256[key]


@dataclass(frozen=True)
class CacheEntry:
    key: str
    path: Path
    size: int
    created: float
    meta: dict


class LayerCache:
    """``<root>/layers/<key>.zip`` plus ``<key>.json`` describing it; ``<root>/work/`` for builds."""

    def __init__(self, root: Path):
        self.root = Path(root) / "layers"
        self.work = Path(root) / "work"

    def _zip(self, key: str) -> Path:
        return self.root / f"{key}.zip"

    def _meta(self, key: str) -> dict:
        try:
            meta = json.loads((self.root / f"{key}.json").read_text())
        except (OSError, ValueError):
            return {}
        return meta if isinstance(meta, dict) else {}

    def get(self, key: str) -> Path | None:
        """The entry's zip when its bytes are the ones recorded at write; else None (a bad entry is removed)."""
        path = self._zip(key)
        if not path.is_file():
            return None
        meta = self._meta(key)
        if meta.get("size") == path.stat().st_size and meta.get("sha256") == sha256_once(path):
            return path
        self.remove(key)
        return None

    def put(self, key: str, zip_path: Path, meta: dict) -> Path:
        """Store ``zip_path`` under ``key`` atomically (metadata first, zip last), recording its size and sha256."""
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = f"{os.getpid()}.{time.monotonic_ns()}"
        zip_tmp = self.root / f".{key}.zip.{stamp}"
        meta_tmp = self.root / f".{key}.json.{stamp}"
        try:
            shutil.copyfile(zip_path, zip_tmp)
            os.chmod(zip_tmp, 0o444)  # shared through hard links: a write in place would change every function's layer
            record = dict(meta, created=time.time(), size=zip_tmp.stat().st_size, sha256=sha256_file(zip_tmp))
            meta_tmp.write_text(json.dumps(record, sort_keys=True))
            os.replace(meta_tmp, self.root / f"{key}.json")
            os.replace(zip_tmp, self._zip(key))
        finally:
            zip_tmp.unlink(missing_ok=True)
            meta_tmp.unlink(missing_ok=True)
        return self._zip(key)

    def remove(self, key: str) -> None:
        self._zip(key).unlink(missing_ok=True)
        (self.root / f"{key}.json").unlink(missing_ok=True)

    def entries(self) -> list[CacheEntry]:
        if not self.root.is_dir():
            return []
        found = []
        for path in sorted(self.root.glob("*.zip")):
            key = path.stem
            meta = self._meta(key)
            stat = path.stat()
            found.append(CacheEntry(key, path, stat.st_size, meta.get("created", stat.st_mtime), meta))
        return found

    @contextmanager
    def work_dir(self):
        """A fresh folder to build a layer in, removed afterwards; leftovers of killed builds go first."""
        self.clean_work()
        self.work.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f"{socket.gethostname()}-{os.getpid()}-", dir=self.work))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def clean_work(self) -> list[Path]:
        """Remove the work folders of builds that were killed: their process is gone, or they are a day old."""
        removed = []
        host = socket.gethostname()
        for folder in sorted(self.work.glob("*-*-*")) if self.work.is_dir() else ():
            made_by, pid, _ = folder.name.rsplit("-", 2)
            try:
                old = time.time() - folder.stat().st_mtime > STALE_AFTER
            except OSError:
                continue
            if old or (made_by == host and pid.isdigit() and not process_running(int(pid))):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        return removed

    def prune(self, older_than_days: float | None = None) -> list[CacheEntry]:
        """Remove entries (all, or those created more than N days ago), stray temp files and stale work folders."""
        cutoff = time.time() - older_than_days * 86400 if older_than_days is not None else None
        removed = []
        for entry in self.entries():
            if cutoff is None or entry.created < cutoff:
                self.remove(entry.key)
                removed.append(entry)
        if self.root.is_dir():
            for stray in self.root.glob(".*"):
                if time.time() - stray.stat().st_mtime > 3600:
                    stray.unlink(missing_ok=True)
        self.clean_work()
        return removed
