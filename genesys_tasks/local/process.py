"""One runtime process driven through invocations, as a Lambda execution environment is.

The first ``invoke`` starts the process (a cold start: its init duration is the time
until the runtime first asks for work); later ones reuse it (warm). Lambda's limits
hold: init gets ``INIT_LIMIT_S``, each invocation the function's timeout from the
moment the runtime takes it; past it the process group is killed and the result is
``Sandbox.Timedout``. A failed init, a crash or a timeout leaves no process behind (not even
a child that left the group with ``setsid``: ``reaper``), so the next invocation starts cold.
With ``limits``, the process runs in a cgroup of its own (``quota``): Lambda's CPU share of its
memory after init, and its memory size, past which the kernel kills it: ``Runtime.OutOfMemory``.
The function's output goes to ``log_fd`` (stderr), never to genesys's stdout.
"""

from __future__ import annotations

import json
import math
import subprocess
import threading
import time
from dataclasses import dataclass

from . import quota, reaper
from .runtime_api import RuntimeApi, fault_payload

INIT_LIMIT_S = 10.0  # Lambda's init phase limit for on-demand functions


@dataclass(frozen=True)
class Result:
    """One invocation's outcome and what Lambda's REPORT line says about it."""

    request_id: str
    kind: str  # "ok", "error" (the function raised), "init_error" (also a runtime that died in init), "timeout",
    #            "exit" (the runtime died while it ran an invocation)
    payload: bytes
    duration_ms: float
    init_ms: float | None  # set on a cold start
    memory_mb: int
    max_memory_mb: int

    @property
    def failed(self) -> bool:
        return self.kind != "ok"

    def error(self) -> dict:
        """The error body (errorType, errorMessage, stackTrace) when the invocation failed."""
        try:
            data = json.loads(self.payload or b"{}")
        except ValueError:
            return {"errorType": "Runtime.Unknown", "errorMessage": self.payload.decode(errors="replace")}
        return data if isinstance(data, dict) else {"errorType": "Runtime.Unknown", "errorMessage": str(data)}

    def report(self) -> str:
        line = (f"REPORT RequestId: {self.request_id}\tDuration: {self.duration_ms:.2f} ms\t"
                f"Billed Duration: {max(1, math.ceil(self.duration_ms))} ms\tMemory Size: {self.memory_mb} MB\t"
                f"Max Memory Used: {self.max_memory_mb} MB")
        if self.init_ms is not None:
            line += f"\tInit Duration: {self.init_ms:.2f} ms"
        return line


class RuntimeProcess:
    """A runtime started on demand with ``argv`` in ``cwd`` and Lambda's ``env``."""

    def __init__(self, argv, *, env: dict[str, str], cwd, memory_mb: int, timeout_s: float,
                 function_arn: str = "", log_fd: int = 2, limits: bool = False):
        self.argv, self.env, self.cwd, self.limits = list(argv), env, cwd, limits
        self._group: quota.Group | None = None  # the cgroup of the running process, with limits
        self.memory_mb, self.timeout_s, self.function_arn, self.log_fd = memory_mb, timeout_s, function_arn, log_fd
        self._proc: subprocess.Popen | None = None
        self._api: RuntimeApi | None = None
        self._started_at = 0.0
        self._mark: str | None = None  # reaper's mark in the environment of the runtime and its children
        self.on_start = None  # called with the request id as the runtime takes an invocation (Lambda's START line)

    @property
    def warm(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        self.close()
        group = self._group = quota.group(self.memory_mb) if self.limits else None
        api = RuntimeApi(on_ready=group.throttle if group else None,
                         on_take=lambda request_id: self.on_start and self.on_start(request_id))
        self._started_at = time.monotonic()
        self._mark = reaper.new_mark()
        env = {**self.env, "AWS_LAMBDA_RUNTIME_API": api.address, reaper.RUN_MARK: self._mark}
        try:
            proc = subprocess.Popen(group.wrap(self.argv) if group else self.argv, cwd=self.cwd, env=env,
                                    stdin=subprocess.DEVNULL, stdout=self.log_fd, stderr=self.log_fd,
                                    start_new_session=True)
        except OSError as err:
            api.close()
            self._drop_group()
            from ..errors import BuildError

            raise BuildError(f"cannot start {self.argv[0]}: {err.strerror}",
                             hint="install the runtime's interpreter or rebuild the function") from None
        self._proc, self._api = proc, api
        threading.Thread(target=_watch, args=(proc, api, group), name="runtime-exit", daemon=True).start()

    def invoke(self, event: bytes) -> Result:
        cold = not self.warm
        if cold:
            self.start()
        api, proc = self._api, self._proc
        invocation = api.submit(event, self.timeout_s, self.function_arn)
        if not invocation.taken.wait(INIT_LIMIT_S if cold else None):
            invocation.finish("timeout", fault_payload(invocation.request_id, "Sandbox.Timedout",
                                                       f"INIT timed out after {INIT_LIMIT_S:.2f} seconds"))
        if invocation.taken_at:
            left = self.timeout_s - (time.monotonic() - invocation.taken_at)
            if not invocation.done.wait(max(left, 0)):
                invocation.finish("timeout", fault_payload(invocation.request_id, "Sandbox.Timedout",
                                                           f"Task timed out after {self.timeout_s:.2f} seconds"))
        group = self._group
        peak = _peak_memory_mb(proc.pid) or (group.peak_mb() or 0 if group else 0)  # a killed one: its group's
        if invocation.kind != "ok" and invocation.kind != "error":
            self.close()  # a timed-out, crashed or failed init leaves nothing running
        init_ms = (api.first_next_at - self._started_at) * 1000 if cold and api.first_next_at else None
        if cold and init_ms is None:  # init never finished: Lambda counts it all as init
            init_ms = (invocation.finished_at - self._started_at) * 1000
        duration = (invocation.finished_at - invocation.taken_at) * 1000 if invocation.taken_at else 0.0
        return Result(invocation.request_id, invocation.kind, invocation.payload, duration, init_ms,
                      self.memory_mb, peak)

    def close(self) -> None:
        """Kill the runtime and everything it started; stop its Runtime API."""
        proc, api, self._proc, self._api = self._proc, self._api, None, None
        if proc is not None:
            reaper.kill_all(proc.pid if proc.poll() is None else None, self._mark)
            proc.wait()
        if api is not None:
            api.close()
        self._drop_group()

    def _drop_group(self) -> None:
        group, self._group = self._group, None
        if group is not None:
            group.remove()


def _watch(proc: subprocess.Popen, api: RuntimeApi, group: quota.Group | None = None) -> None:
    """When the runtime exits, end what it left unanswered: its init error, its memory limit's kill
    (Lambda's ``Runtime.OutOfMemory``), else an exit error. A runtime that exits before it asks for work
    (``sys.exit()`` while the handler's module is imported) failed its init, as Lambda counts it."""
    code = proc.wait()
    if api.init_error is not None:
        api.fail_pending("init_error", api.init_error)
        return
    kind = "exit" if api.first_next.is_set() else "init_error"
    if code == -9 and group is not None and group.out_of_memory():
        api.fail_pending(kind, fault=("Runtime.OutOfMemory", exit_reason(code)))
    else:
        api.fail_pending(kind, fault=("Runtime.ExitError", exit_reason(code)))


# Go's names of the signals a runtime dies of (Lambda's supervisor words a termination as Go's os/exec does)
_SIGNALS = {1: "hangup", 2: "interrupt", 3: "quit", 4: "illegal instruction", 5: "trace/breakpoint trap",
            6: "aborted", 7: "bus error", 8: "floating point exception", 9: "killed", 11: "segmentation fault",
            13: "broken pipe", 14: "alarm clock", 15: "terminated", 24: "CPU time limit exceeded",
            25: "file size limit exceeded", 31: "bad system call"}


def exit_reason(code: int) -> str:
    """What Lambda says of a runtime process that ended with ``code`` (``Popen.returncode``: -N for signal N)
    before it answered: a clean exit gave no reason; otherwise its exit status or its signal."""
    if code == 0:
        return "Runtime exited without providing a reason"
    if code > 0:
        return f"Runtime exited with error: exit status {code}"
    return f"Runtime exited with error: signal: {_SIGNALS.get(-code, f'signal {-code}')}"


def _peak_memory_mb(pid: int) -> int:
    """The process's peak resident memory (VmHWM) in MB; 0 where /proc does not say."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return max(1, round(int(line.split()[1]) / 1024))
    except (OSError, ValueError):
        pass
    return 0
