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

Shared across machines: given a ``RemoteStore`` (``aws.cache_store.S3Store`` for
``GENESYS_CACHE_URL=s3://bucket/prefix``, handed in by ``tasks``), a local miss reads
through to it (``fetch``) and what is built here is written through to it (``share``).
The store holds ``layers/<key>.zip`` and ``layers/<key>.json`` as here, and anyone who may
write the bucket could write both: so the shared record also carries an HMAC over
(key, sha256, size) made with a secret the bucket does not hold (``SignedStore``, the
secret from ``GENESYS_CACHE_KEY``). A fetched entry is used only when its record's signature
is right and the zip's size and sha256 are the ones it records; anything else (a record and
zip both rewritten, a corrupt, partial or missing object) counts as a miss, reported once:
the layer is built, and the good one uploaded over it where this run may write. A store that
cannot be reached, or refuses a write (a plan job's role may only read), is reported once
through ``notify`` and left alone for the rest of the run: the build goes on without it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from ..errors import GenesysError
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
    """One layer in the cache: its key, zip, size, creation time and metadata."""

    key: str
    path: Path
    size: int
    created: float
    meta: dict


class RemoteStore(Protocol):
    """Objects by name on another machine. ``get`` writes ``name`` to ``dest`` and returns True, or
    returns False when there is no such object; ``put`` stores the file ``path`` as ``name``. Both
    raise ``GenesysError`` (or ``OSError``) when the store cannot be used."""

    def get(self, name: str, dest: Path) -> bool: ...

    def put(self, name: str, path: Path) -> None: ...


class SignedStore:
    """A ``RemoteStore`` and the secret its entries' records are signed with: ``seal`` adds the
    signature over (key, sha256, size), ``trusts`` checks it. With no secret nothing it holds can be
    verified: ``usable`` says so once (per store, so once per process) and the caches leave it alone."""

    def __init__(self, store: RemoteStore, secret: bytes | None, name: str = "the shared layer cache"):
        self.store, self.secret, self.name = store, secret, name
        self._said = False

    def usable(self, notify: Callable[[str], None]) -> bool:
        if self.secret is None and not self._said:
            self._said = True
            notify(f"{self.name}: GENESYS_CACHE_KEY is not set, so its entries cannot be verified; not used "
                   "(layers are built here)")
        return self.secret is not None

    def get(self, name: str, dest: Path) -> bool:
        return self.store.get(name, dest)

    def put(self, name: str, path: Path) -> None:
        self.store.put(name, path)

    def _signature(self, key: str, record: dict) -> str:
        import hmac  # a shared cache's signatures only: a local build never imports it

        message = json.dumps([key, record.get("sha256"), record.get("size")]).encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def seal(self, key: str, record: dict) -> dict:
        return dict(record, signature=self._signature(key, record))

    def trusts(self, key: str, record: dict) -> bool:
        import hmac

        return isinstance(record.get("signature"), str) and hmac.compare_digest(
            record["signature"], self._signature(key, record))


def _silent(message: str) -> None:
    """The default ``notify``: nobody is listening."""


RECORDED = ("created", "size", "sha256", "signature")  # what ``put`` records itself, not carried over from a store


class LayerCache:
    """``<root>/layers/<key>.zip`` plus ``<key>.json`` describing it; ``<root>/work/`` for builds;
    ``remote``: the store shared with other machines, if any."""

    def __init__(self, root: Path, remote: SignedStore | None = None, notify: Callable[[str], None] = _silent):
        self.root = Path(root) / "layers"
        self.work = Path(root) / "work"
        self.remote = remote
        self.notify = notify

    def fetch(self, key: str) -> Path | None:
        """The entry from the remote store, kept here once its bytes are the ones recorded beside it;
        None when the store has no good one (or there is no store)."""
        if self.remote is None or not self._usable():
            return None
        with self.work_dir() as tmp:
            meta_file, zip_file = Path(tmp, "entry.json"), Path(tmp, "entry.zip")
            if not (self._remote("read", "get", f"layers/{key}.json", meta_file)
                    and self._remote("read", "get", f"layers/{key}.zip", zip_file)):
                return None
            try:
                meta = json.loads(meta_file.read_text())
            except ValueError:
                meta = None
            if not isinstance(meta, dict) or not self.remote.trusts(key, meta):
                self.notify(f"shared layer cache: the entry {key[:12]} is not signed with GENESYS_CACHE_KEY "
                            "(written by someone else?); rejected, building it again")
                return None
            if meta.get("size") != zip_file.stat().st_size or (
                    meta.get("sha256") != sha256_file(zip_file)):
                self.notify(f"shared layer cache: the entry {key[:12]} does not match its record; "
                            "building it again (the good one replaces it)")
                return None
            return self.put(key, zip_file, {k: v for k, v in meta.items() if k not in RECORDED})

    def share(self, key: str) -> None:
        """Upload the entry ``key`` to the remote store: the zip first, then its signed record (the
        record makes it usable, and names the bytes a reader must find)."""
        if self.remote is None or not self._usable() or not self._remote("write", "put", f"layers/{key}.zip",
                                                                         self._zip(key)):
            return
        with self.work_dir() as tmp:
            record = Path(tmp, "entry.json")
            record.write_text(json.dumps(self.remote.seal(key, self._meta(key)), sort_keys=True))
            self._remote("write", "put", f"layers/{key}.json", record)

    def _usable(self) -> bool:
        if self.remote.usable(self.notify):
            return True
        self.remote = None
        return False

    def _remote(self, what: str, method: str, name: str, path: Path) -> bool:
        """``remote.<method>(name, path)``; a store that fails is reported and not used again."""
        if self.remote is None:
            return False
        try:
            return getattr(self.remote, method)(name, path) is not False
        except (GenesysError, OSError) as err:
            self.remote = None
            reason = err.message if isinstance(err, GenesysError) else str(err)
            self.notify(f"shared layer cache: cannot {what} {name} ({reason}); going on without it")
            return False

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
            # sha256_once: the name the zip is renamed to keeps its inode, so its hash is not read again
            record = dict(meta, created=time.time(), size=zip_tmp.stat().st_size, sha256=sha256_once(zip_tmp))
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
    def work_dir(self, *, remove_on_a_thread: bool = False):
        """A fresh folder to build a layer in, removed afterwards; leftovers of killed builds go first.

        ``remove_on_a_thread``: the folder is removed on a thread of its own while the build goes on
        (unlinking an installed layer's files takes tens of milliseconds); the process waits for that
        thread before it exits, and what a killed process left is removed by the next ``clean_work``."""
        self.clean_work()
        self.work.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f"{socket.gethostname()}-{os.getpid()}-", dir=self.work))
        try:
            yield folder
        finally:
            if remove_on_a_thread:
                threading.Thread(target=shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True},
                                 name="genesys-remove-work").start()
            else:
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
