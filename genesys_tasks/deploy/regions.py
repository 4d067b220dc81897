"""One function in several regions (``[deployment] regions``): a spec per region, and running a
deploy in each, the first alone (the IAM role is global: it creates it) and the others in
parallel. The first failure stops the regions not started yet, unless ``keep_going``;
``summary_error`` says per region what was done, what failed and what never started.
Prints nothing: what each region shows goes through the callable it runs.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Callable

from ..config.spec import FunctionSpec
from ..errors import GenesysError


def region_specs(spec: FunctionSpec) -> list[FunctionSpec]:
    """The spec once per region of ``[deployment] regions``; the spec itself when it names none."""
    if not spec.deployment.regions:
        return [spec]
    return [replace(spec, deployment=replace(spec.deployment, region=r, regions=())) for r in spec.deployment.regions]


@dataclass
class RegionResult:
    """What a deploy to one region gave: its outcome, its error, or that it never started."""

    region: str
    outcome: Any = None
    error: GenesysError | None = None
    started: bool = True


def _attempt(spec: FunctionSpec, one: Callable, stop: threading.Event, keep_going: bool) -> RegionResult:
    if stop.is_set():
        return RegionResult(spec.deployment.region, started=False)
    try:
        return RegionResult(spec.deployment.region, one(spec))
    except GenesysError as err:
        if not keep_going:
            stop.set()
        return RegionResult(spec.deployment.region, error=err)


def run_regions(specs: list[FunctionSpec], one: Callable[[FunctionSpec], Any], *, parallel: bool = True,
                keep_going: bool = False) -> list[RegionResult]:
    """``one(spec)`` for each region's spec, in order of the results; errors are kept, not raised."""
    stop = threading.Event()
    results = [_attempt(specs[0], one, stop, keep_going)]
    rest = specs[1:]
    if not parallel or len(rest) < 2:
        return results + [_attempt(s, one, stop, keep_going) for s in rest]
    with ThreadPoolExecutor(max_workers=len(rest)) as pool:
        return results + list(pool.map(lambda s: _attempt(s, one, stop, keep_going), rest))


def summary_error(name: str, results: list[RegionResult]) -> GenesysError | None:
    """None when every region succeeded; else one error naming each region's fate, with the
    first failure's exit code and message."""
    failed = [r for r in results if r.error is not None]
    if not failed:
        return None
    done = [r.region for r in results if r.started and r.error is None]
    skipped = [r.region for r in results if not r.started]
    parts = [f"failed in {r.region}: {r.error.message}" for r in failed]
    parts.append(f"deployed to {', '.join(done)}" if done else "deployed nowhere")
    if skipped:
        parts.append(f"not started: {', '.join(skipped)}")
    error = GenesysError(f"{name}: " + "; ".join(parts), hint=failed[0].error.hint or
                         "fix it and run again: regions already deployed make no writes")
    error.exit_code = failed[0].error.exit_code
    return error
