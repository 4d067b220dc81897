"""``genesys cost X.toml [--invocations N --duration-ms D] [--prices FILE] [--output json]``: the
function's monthly cost as configured, the free tier apart, and the same function on the other
architecture and at the next memory sizes. Nothing is built or called."""

from __future__ import annotations

from pathlib import Path

from .. import ui
from ..errors import UsageError
from ..pricing import estimate_lines, money


def run(args) -> int:
    from ..pricing import compare, estimate, load_prices
    from ..tasks.runner import load_spec

    from ..deploy.session import Options, Session

    _, spec = load_spec(Path(args.toml), stage=args.stage)
    spec = Session(Options.from_args(args)).aimed(spec)  # prices of --region's
    invocations = args.invocations if args.invocations is not None else spec.cost.invocations_per_month
    if invocations is None:
        raise UsageError("how many invocations a month?",
                         hint="pass --invocations N, or set [cost] invocations_per_month in the TOML")
    duration = args.duration_ms if args.duration_ms is not None else spec.cost.average_duration_ms
    if invocations < 0 or duration < 1:
        raise UsageError("--invocations must be 0 or more and --duration-ms at least 1")
    prices = load_prices(Path(args.prices) if args.prices else None)
    others = compare(spec, invocations, duration, prices)
    if args.output == "json":
        ui.emit_json({"prices": {k: str(prices[k]) for k in ("read_on", "region", "currency")},
                      "estimate": estimate(spec, invocations, duration, prices).as_dict(),
                      "compare": [o.as_dict() for o in others]})
        return 0
    for line in estimate_lines(spec, invocations, duration, prices):
        ui.info(line)
    ui.info("compared (same duration):")
    for other in others:
        ui.info(f"  {other.memory_mb:>5} MB {other.architecture:<7} {money(other.total, prices['currency'])}")
    return 0
