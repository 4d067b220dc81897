"""Lambda's CPU share and memory size for a local runtime process, through Linux cgroups.

Lambda gives a function CPU in proportion to its memory: 1,769 MB is one vCPU, less is a share
of one, more is more, up to 6 vCPUs at 10,240 MB; and it kills a function that uses more memory
than it has (``Runtime.OutOfMemory``). Here each runtime process gets a cgroup of its own, a
child of genesys's own group:

- cgroup v2 (``/sys/fs/cgroup/cgroup.controllers`` lists cpu and memory): ``cpu.max`` =
  ``quota period`` and ``memory.max`` (no swap: ``memory.swap.max`` = 0);
- cgroup v1 (``/sys/fs/cgroup/cpu/cpu.cfs_quota_us`` and ``/sys/fs/cgroup/memory``):
  ``cpu.cfs_quota_us``/``cpu.cfs_period_us`` and ``memory.limit_in_bytes`` (and the memory+swap
  limit where it exists).

The runtime is started through ``sh``, which writes its own pid into the group before it execs
the runtime, so it and everything it starts are inside from the first instruction. The memory
limit holds from the start; the CPU quota from the moment the runtime has finished its init and
asks for work (``Group.throttle``): Lambda's init runs faster than its handler below 3 GB
(observed, not documented), and a 7 %-of-a-core init would miss Lambda's 10 s init limit with
a boto3 import. Where the host allows neither (no cgroup file system, not writable, not delegated),
``group`` returns None and ``unavailable()`` says why, once per process; runs go on without limits.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..build.limits import MiB

CGROUP_ROOT = Path("/sys/fs/cgroup")
VCPU_MB = 1769  # the memory size that has one full vCPU
MAX_VCPUS = 6.0  # at 10,240 MB
MAX_MEMORY_MB = 10240
PERIOD_US = 100_000


def vcpus(memory_mb: int) -> float:
    """The share of CPUs Lambda gives ``memory_mb``: proportional, one vCPU per 1,769 MB up to five,
    then to six at 10,240 MB (the largest size, which has six, not 10,240 / 1,769 = 5.8)."""
    five = 5 * VCPU_MB
    if memory_mb <= five:
        return memory_mb / VCPU_MB
    return min(5 + (memory_mb - five) / (MAX_MEMORY_MB - five), MAX_VCPUS)


def quota_us(memory_mb: int) -> int:
    """CPU time per ``PERIOD_US`` for ``memory_mb`` (the kernel takes at least 1 ms)."""
    return max(1000, round(vcpus(memory_mb) * PERIOD_US))


@dataclass
class Group:
    """One runtime process's cgroup: where it is moved, its limits, what it says after."""

    version: int  # 1 or 2
    dirs: dict  # controller ("cpu", "memory"; v2: both the same directory) → its directory
    memory_mb: int

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` started inside the group: ``sh`` moves itself in, then execs it."""
        procs = sorted({str(d / "cgroup.procs") for d in self.dirs.values()})
        script = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 126; shift; done; shift; exec "$@"'
        return ["/bin/sh", "-c", script, "sh", *procs, "--", *argv]

    def limit_memory(self) -> None:
        folder = self.dirs["memory"]
        if self.version == 2:
            _write(folder / "memory.max", str(self.memory_mb * MiB))
            _write(folder / "memory.swap.max", "0", optional=True)
        else:
            _write(folder / "memory.limit_in_bytes", str(self.memory_mb * MiB))
            _write(folder / "memory.memsw.limit_in_bytes", str(self.memory_mb * MiB), optional=True)

    def throttle(self) -> bool:
        """The CPU share of ``memory_mb`` from now on; False when the kernel refused it (the run goes
        on: this is called from the Runtime API's thread, which must answer the runtime anyway)."""
        folder = self.dirs["cpu"]
        try:
            if self.version == 2:
                _write(folder / "cpu.max", f"{quota_us(self.memory_mb)} {PERIOD_US}")
            else:
                _write(folder / "cpu.cfs_period_us", str(PERIOD_US))
                _write(folder / "cpu.cfs_quota_us", str(quota_us(self.memory_mb)))
        except OSError:
            return False
        return True

    def out_of_memory(self) -> bool:
        """Whether the kernel killed a process of the group for its memory limit."""
        folder = self.dirs["memory"]
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            for line in (folder / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and int(value or 0) > 0:
                    return True
        except (OSError, ValueError):
            pass
        peak = self.peak_mb()
        return peak is not None and peak >= self.memory_mb

    def peak_mb(self) -> int | None:
        """The group's peak memory use in MB (every process in it), where the kernel says."""
        folder = self.dirs["memory"]
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return round(int((folder / name).read_text().split()[0]) / MiB)
        except (OSError, ValueError, IndexError):
            return None

    def remove(self) -> None:
        """Remove the group (its processes are gone: the caller killed them)."""
        for folder in set(self.dirs.values()):
            try:
                folder.rmdir()
            except OSError:
                pass


def _write(path: Path, value: str, optional: bool = False) -> None:
    try:
        path.write_text(value)
    except OSError:
        if not optional:
            raise


@dataclass(frozen=True)
class Host:
    """Where this host lets genesys make groups: the parent directory per controller."""

    version: int
    parents: dict  # controller → directory new groups go under

    def make(self, memory_mb: int) -> Group:
        name = f"genesys-{uuid.uuid4().hex[:12]}"
        dirs = {}
        try:
            for controller, parent in self.parents.items():
                folder = parent / name
                folder.mkdir(exist_ok=True)
                dirs[controller] = folder
            group = Group(self.version, dirs, memory_mb)
            group.limit_memory()
        except OSError:
            Group(self.version, dirs, memory_mb).remove()
            raise
        return group


def _own_paths(proc_cgroup: str) -> dict:
    """``/proc/self/cgroup`` as controller → path (v2's unified line under the key "")."""
    found = {}
    for line in proc_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            for controller in parts[1].split(",") if parts[1] else [""]:
                found[controller] = parts[2]
    return found


def find_host(root: Path = CGROUP_ROOT, proc_cgroup: str | None = None) -> tuple[Host | None, str]:
    """Where groups can go on this host, or None and why not (nothing is created)."""
    if proc_cgroup is None:
        try:
            proc_cgroup = Path("/proc/self/cgroup").read_text()
        except OSError:
            return None, "no /proc/self/cgroup (not Linux)"
    own = _own_paths(proc_cgroup)
    if (root / "cgroup.controllers").is_file():
        controllers = (root / "cgroup.controllers").read_text().split()
        if not {"cpu", "memory"} <= set(controllers):
            return None, f"cgroup v2 without the cpu and memory controllers ({' '.join(controllers) or 'none'})"
        parent = root / own.get("", "/").lstrip("/")
        try:
            enabled = (parent / "cgroup.subtree_control").read_text().split()
            if not {"cpu", "memory"} <= set(enabled):
                (parent / "cgroup.subtree_control").write_text("+cpu +memory")
        except OSError as err:
            return None, f"cgroup v2: cannot enable cpu and memory below {parent} ({err.strerror})"
        return Host(2, {"cpu": parent, "memory": parent}), ""
    cpu, memory = root / "cpu", root / "memory"
    if (cpu / "cpu.cfs_quota_us").is_file() and (memory / "memory.limit_in_bytes").is_file():
        return Host(1, {"cpu": cpu / own.get("cpu", "/").lstrip("/"),
                        "memory": memory / own.get("memory", "/").lstrip("/")}), ""
    return None, f"no cgroup cpu and memory controllers under {root}"


def probe(host: Host) -> str:
    """Make a group, move a shell into it, remove it: "" when all of that works, else why not."""
    if shutil.which("sh") is None and not Path("/bin/sh").exists():
        return "no /bin/sh to move the runtime into its group"
    try:
        group = host.make(VCPU_MB)
    except OSError as err:
        return f"cannot create a cgroup under {next(iter(host.parents.values()))} ({err.strerror})"
    try:
        if not group.throttle():
            return "cannot set a CPU quota"
        done = subprocess.run(group.wrap(["true"]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=10)
        return "" if done.returncode == 0 else "cannot move a process into a new cgroup"
    except (OSError, subprocess.SubprocessError) as err:
        return f"cannot start a process in a new cgroup ({err})"
    finally:
        group.remove()


_HOST: dict = {}  # this process's answer, found once: {"host": Host | None, "why": str, "said": bool}
_HOST_LOCK = threading.Lock()  # the sandbox's parallel first Invokes: one probe, one warning


def _host() -> tuple[Host | None, str]:
    with _HOST_LOCK:
        if "host" not in _HOST:
            if os.environ.get("GENESYS_NO_QUOTAS"):
                host, why = None, "GENESYS_NO_QUOTAS is set"
            else:
                host, why = find_host()
                why = why or (probe(host) if host else why)
                host = None if why else host
            _HOST.update(host=host, why=why, said=False)
        return _HOST["host"], _HOST["why"]


def group(memory_mb: int) -> Group | None:
    """A new group limited to ``memory_mb`` (its CPU share once ``throttle``d), or None where the host
    allows none."""
    host, _why = _host()
    if host is None:
        return None
    try:
        return host.make(memory_mb)
    except OSError:
        return None


def unavailable() -> str | None:
    """Why runs get no CPU share or memory limit here, the first time it is asked in this process
    (None after, and None where they do)."""
    host, why = _host()
    with _HOST_LOCK:
        if host is not None or _HOST["said"]:
            return None
        _HOST["said"] = True
    return f"no CPU share or memory limit for local runs: {why}; the durations are this machine's"


def tell(say) -> None:
    """``say`` why runs get no limits here, the first time in this process (nothing where they do)."""
    why = unavailable()
    if why:
        say(why)
