"""What a function costs a month, from a price table that is data (``data/lambda-prices.toml``,
with the date it was read and the region it applies to; ``--prices FILE`` replaces it).

``estimate`` is pure arithmetic on a ``FunctionSpec``'s memory, architecture and ephemeral
storage and the monthly invocations and average duration given: requests, compute
(GB-seconds priced by architecture, in AWS's monthly tiers), ephemeral storage above the free
512 MB, and the free tier shown apart (it is per account, shared by every function).
Reserved concurrency costs nothing and is said so; provisioned concurrency is not set by genesys.
``compare`` gives the same function on arm64 and at the next memory sizes, duration unchanged;
``per_million`` prices a million invocations of a measured billed duration (``genesys tune``).
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import ConfigError

PRICES = Path(__file__).parent / "data" / "lambda-prices.toml"
MEMORY_STEPS = (128, 256, 512, 1024, 1536, 2048, 3008, 4096, 6144, 8192, 10240)
KEYS = ("read_on", "region", "currency", "requests_per_million", "ephemeral_storage_gb_second",
        "duration_gb_second", "free_tier")


def load_prices(path: Path | None = None) -> dict:
    """The price table; a file that lacks a key or is no TOML is a ConfigError naming it."""
    path = path or PRICES
    try:
        prices = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path}: cannot read the price table ({err})",
                          hint=f"pass a TOML file with the keys of {PRICES.name}") from None
    missing = [k for k in KEYS if k not in prices]
    if missing:
        raise ConfigError(f"{path}: the price table lacks {', '.join(missing)}",
                          hint=f"copy {PRICES} and change its figures")
    return prices


@dataclass(frozen=True)
class Estimate:
    """A monthly cost estimate for one function, in parts."""

    memory_mb: int
    architecture: str
    invocations: int
    duration_ms: int
    gb_seconds: float
    requests: float
    compute: float
    ephemeral_storage: float
    free_tier: float  # what the account's free tier takes off, if this function had it alone
    reserved_concurrency: str

    @property
    def total(self) -> float:
        return self.requests + self.compute + self.ephemeral_storage

    @property
    def total_after_free_tier(self) -> float:
        return max(self.total - self.free_tier, 0.0)

    def as_dict(self) -> dict:
        return {**asdict(self), "total": round(self.total, 4), "total_after_free_tier":
                round(self.total_after_free_tier, 4)}


def _tiered(gb_seconds: float, tiers: list) -> float:
    cost, floor = 0.0, 0
    for limit, price in tiers:
        top = gb_seconds if not limit else min(gb_seconds, limit)
        if top > floor:
            cost += (top - floor) * price
        if limit and gb_seconds <= limit:
            break
        floor = limit
    return cost


def estimate(spec, invocations: int, duration_ms: int, prices: dict, *, memory_mb: int | None = None,
             architecture: str | None = None) -> Estimate:
    memory = memory_mb or spec.function.memory_mb
    arch = architecture or spec.deployment.architecture
    seconds = invocations * duration_ms / 1000
    gb_seconds = seconds * memory / 1024
    tiers = prices["duration_gb_second"][arch]
    requests = invocations / 1_000_000 * prices["requests_per_million"]
    storage_gb = max(spec.function.ephemeral_storage_mb - 512, 0) / 1024
    free = prices["free_tier"]
    free_requests = min(invocations, free["requests"]) / 1_000_000 * prices["requests_per_million"]
    free_compute = min(gb_seconds, free["gb_seconds"]) * tiers[0][1]
    reserved = spec.function.reserved_concurrency
    return Estimate(memory, arch, invocations, duration_ms, gb_seconds, requests, _tiered(gb_seconds, tiers),
                    seconds * storage_gb * prices["ephemeral_storage_gb_second"], free_requests + free_compute,
                    "not set" if reserved is None else f"{reserved} (no charge)")


def compare(spec, invocations: int, duration_ms: int, prices: dict) -> list[Estimate]:
    """The function on the other architecture, and at the next two memory sizes."""
    other = "arm64" if spec.deployment.architecture == "x86_64" else "x86_64"
    bigger = [m for m in MEMORY_STEPS if m > spec.function.memory_mb][:2]
    return ([estimate(spec, invocations, duration_ms, prices, architecture=other)]
            + [estimate(spec, invocations, duration_ms, prices, memory_mb=m) for m in bigger])


def per_million(memory_mb: int, architecture: str, billed_ms: float, prices: dict) -> float:
    """A million invocations of ``billed_ms`` each at ``memory_mb`` on ``architecture``: requests and
    compute at the first tier's price (what comparing settings needs; tiers and free tier apart)."""
    gb_seconds = 1_000_000 * billed_ms / 1000 * memory_mb / 1024
    return prices["requests_per_million"] + gb_seconds * prices["duration_gb_second"][architecture][0][1]


def money(value: float, currency: str) -> str:
    return f"{value:,.2f} {currency}" if value >= 0.01 or value == 0 else f"{value:.4f} {currency}"


def estimate_lines(spec, invocations: int, duration_ms: int, prices: dict) -> list[str]:
    """The estimate as people read it (``genesys cost``, and the end of ``execute --dry-run``)."""
    e, cur = estimate(spec, invocations, duration_ms, prices), prices["currency"]
    return [f"monthly cost of {spec.name} ({invocations:,} invocations of {duration_ms} ms, {e.memory_mb} MB, "
            f"{e.architecture}; prices of {prices['region']} read on {prices['read_on']}):",
            f"  requests           {money(e.requests, cur)}",
            f"  compute            {money(e.compute, cur)}  ({e.gb_seconds:,.0f} GB-seconds)",
            f"  ephemeral storage  {money(e.ephemeral_storage, cur)}",
            f"  total              {money(e.total, cur)}",
            f"  free tier          -{money(e.free_tier, cur)} (per account, shared by all its functions) "
            f"→ {money(e.total_after_free_tier, cur)}",
            f"  reserved concurrency: {e.reserved_concurrency}"]
