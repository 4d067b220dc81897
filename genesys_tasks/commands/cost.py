"""``genesys cost X.toml [--invocations N --duration-ms D | --from-profile] [--prices FILE] [--output json]``:
the function's monthly cost as configured, the free tier apart, and the same function on the other
architecture and at the next memory sizes. ``--from-profile`` takes the duration, memory and
architecture from the function's last measurement (``genesys profile`` or ``genesys tune``,
``measured.last``). Nothing is built or called."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

from .. import ui
from ..errors import UsageError
from ..measured import Measurement
from ..pricing import estimate_lines, money
from ..shell import command


def run(args) -> int:
    from ..pricing import compare, estimate, load_prices
    from ..tasks.runner import load_spec

    from ..deploy.session import Options, Session

    root, spec = load_spec(Path(args.toml), stage=args.stage)
    spec = Session(Options.from_args(args)).aimed(spec)  # prices of --region's
    measured = from_profile(spec, root, args) if getattr(args, "from_profile", False) else None
    if measured is not None:
        spec = as_measured(spec, measured)
    invocations = args.invocations if args.invocations is not None else spec.cost.invocations_per_month
    if invocations is None:
        raise UsageError("how many invocations a month?",
                         hint="pass --invocations N, or set [cost] invocations_per_month in the TOML")
    duration = args.duration_ms if args.duration_ms is not None else spec.cost.average_duration_ms
    if measured is not None:
        duration = max(1, math.ceil(measured.duration_ms))  # Lambda bills each invocation's ms rounded up
    if invocations < 0 or duration < 1:
        raise UsageError("--invocations must be 0 or more and --duration-ms at least 1")
    prices = load_prices(Path(args.prices) if args.prices else None)
    others = compare(spec, invocations, duration, prices)
    if args.output == "json":
        ui.emit_json({"prices": {k: str(prices[k]) for k in ("read_on", "region", "currency")},
                      "estimate": estimate(spec, invocations, duration, prices).as_dict(),
                      "compare": [o.as_dict() for o in others],
                      **({"measured": measured.as_dict()} if measured is not None else {})})
        return 0
    if measured is not None:
        ui.info(f"measured by genesys {measured.source} at {measured.measured_at}: {measured.duration_ms:.1f} ms "
                f"(p50) at {measured.memory_mb} MB {measured.architecture}")
    for line in estimate_lines(spec, invocations, duration, prices):
        ui.info(line)
    ui.info("compared (same duration):")
    for other in others:
        ui.info(f"  {other.memory_mb:>5} MB {other.architecture:<7} {money(other.total, prices['currency'])}")
    return 0


def from_profile(spec, root: Path, args) -> Measurement:
    """``--from-profile``: the function's last measurement; none is a usage error naming the commands
    that make one."""
    from .. import measured

    if args.duration_ms is not None:
        raise UsageError("--from-profile and --duration-ms both give the duration", hint="pass one of them")
    found = measured.last(root, spec.name)
    if found is None:
        raise UsageError(f"{spec.name} has no measurement in {measured.record_path(root, spec.name)}",
                         hint=f"run `{command('genesys', 'profile', operands=(spec.path.name,))}` (local) or "
                              f"`{command('genesys', 'tune', operands=(spec.path.name,))}` "
                              "(deployed) first, or pass --duration-ms")
    return found


def as_measured(spec, measurement: Measurement):
    """``spec`` at the memory and architecture the measurement was made at."""
    return replace(spec, function=replace(spec.function, memory_mb=measurement.memory_mb),
                   deployment=replace(spec.deployment, architecture=measurement.architecture))
