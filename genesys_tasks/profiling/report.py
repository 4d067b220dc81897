"""A profile as data (the stable shape ``--output json`` prints and the HTML page embeds) and as the
lines people read; the text is written from the data, so both always say the same.

The shape (``"schema": 1``; new keys may be added, none renamed or removed within a schema):
``function``, ``runtime``, ``architecture``, ``memory_mb``, ``client``, ``measured_at``; ``cold``
(``runs``, and ``init_ms``, ``first_invoke_ms``, ``runtime_start_ms``, ``function_imports_ms``, each a
summary ``{"p50", "p95", "p99", "min", "max"}`` in ms, the last two null when imports were not
timed, ``imports``: ``timed``, ``packages`` (slowest first) and ``tree``); ``warm``
(``invocations``, ``duration_ms`` summary, ``max_memory_mb``); ``bytes`` (``limit_bytes``,
``unzipped_bytes``, ``share_of_limit``, ``zips``, ``packages`` biggest first, ``biggest_files``,
``removable``: ``bytes``, ``by_reason``, ``items``; ``layers_by_arn``: layers not read, so not counted).
"""

from __future__ import annotations

from ..build.limits import UNZIPPED_MAX, MiB
from . import imports
from .runs import Runs
from .sizes import Sizes

SCHEMA = 1
SLOWEST_SHOWN = 10
BIGGEST_SHOWN = 10


def percentile(values, share: float) -> float:
    """The ``share`` (0..1) percentile of ``values``, interpolated between the two nearest ranks."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    at = (len(ordered) - 1) * share
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def summary(values) -> dict | None:
    values = list(values)
    if not values:
        return None
    return {"p50": round(percentile(values, 0.50), 3), "p95": round(percentile(values, 0.95), 3),
            "p99": round(percentile(values, 0.99), 3), "min": round(min(values), 3), "max": round(max(values), 3)}


def profile_data(*, function: str, runtime: str, architecture: str, memory_mb: int, client: str, runs: Runs,
                 sizes: Sizes, measured_at: str, layers_by_arn: int = 0) -> dict:
    """The profile in its stable JSON shape."""
    return {"schema": SCHEMA, "function": function, "runtime": runtime, "architecture": architecture,
            "memory_mb": memory_mb, "client": client, "measured_at": measured_at,
            "cold": _cold(runs), "warm": {"invocations": len(runs.warm_ms), "duration_ms": summary(runs.warm_ms),
                                          "max_memory_mb": runs.max_memory_mb},
            "bytes": {**_bytes(sizes), "layers_by_arn": layers_by_arn}}


def _cold(runs: Runs) -> dict:
    timed = [one for one in runs.cold if one.imports is not None and one.imports.roots]
    data = {"runs": len(runs.cold), "init_ms": summary(one.init_ms for one in runs.cold),
            "first_invoke_ms": summary(one.first_invoke_ms for one in runs.cold),
            "runtime_start_ms": summary(max(one.init_ms - one.imports.function_us / 1000, 0) for one in timed),
            "function_imports_ms": summary(one.imports.function_us / 1000 for one in timed),
            "imports": {"timed": bool(timed), "packages": [], "tree": None}}
    if timed:
        middle = sorted(timed, key=lambda one: one.init_ms)[len(timed) // 2]  # the typical run's tree
        data["imports"]["packages"] = [
            {"package": p.package, "origin": p.origin, "cumulative_ms": round(p.cumulative_us / 1000, 3),
             "self_ms": round(p.self_us / 1000, 3), "modules": p.modules}
            for p in imports.typical([one.imports for one in timed])]
        data["imports"]["tree"] = imports.tree(middle.imports, runs.placer)
    return data


def _bytes(sizes: Sizes) -> dict:
    by_reason: dict[str, int] = {}
    for item in sizes.removable:
        by_reason[item.reason] = by_reason.get(item.reason, 0) + item.bytes
    return {"limit_bytes": UNZIPPED_MAX, "unzipped_bytes": sizes.unzipped_bytes,
            "share_of_limit": round(sizes.share_of_limit, 6),
            "zips": [dict(kind=z.kind, path=z.path, zipped_bytes=z.zipped_bytes, unzipped_bytes=z.unzipped_bytes)
                     for z in sizes.zips],
            "packages": [dict(zip=p.zip, package=p.package, bytes=p.bytes, files=p.files) for p in sizes.packages],
            "biggest_files": [dict(zip=f.zip, path=f.path, bytes=f.bytes) for f in sizes.biggest_files],
            "removable": {"bytes": sizes.removable_bytes, "by_reason": by_reason,
                          "items": [dict(reason=r.reason, zip=r.zip, package=r.package, bytes=r.bytes, files=r.files)
                                    for r in sizes.removable]}}


def size(count: int) -> str:
    if count >= MiB:
        return f"{count / MiB:.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.1f} KB"
    return f"{count} B"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"


def text_lines(data: dict) -> list[str]:
    """The profile for people: cold start, the slowest imports, warm runs, bytes and what could go."""
    cold, warm, sizes = data["cold"], data["warm"], data["bytes"]
    lines = [f"{data['function']} ({data['runtime']}, {data['architecture']}, {data['memory_mb']} MB, "
             f"runtime client {data['client']}), measured on this machine"]
    lines.append(f"cold start, {cold['runs']} fresh runtime processes (p50, min-max):")

    def row(label: str, values: dict | None, note: str = "") -> None:
        if values is not None:
            lines.append(f"  {label:<18} {_ms(values['p50']):>10}  ({values['min']:.1f}-{values['max']:.1f}){note}")

    row("init", cold["init_ms"])
    row("  runtime start", cold["runtime_start_ms"], "  init less the function's imports: interpreter, runtime client")
    row("  function imports", cold["function_imports_ms"], "  the handler's module and what it imports")
    row("first invoke", cold["first_invoke_ms"])
    packages = [p for p in cold["imports"]["packages"] if p["origin"] in imports.FUNCTION_ORIGINS][:SLOWEST_SHOWN]
    if packages:
        lines.append(f"  slowest imports (cumulative, with what each imports first; p50 of {cold['runs']}):")
        lines += [f"    {_ms(p['cumulative_ms']):>10}  {p['package']}  ({p['origin']})" for p in packages]
    elif not cold["imports"]["timed"]:
        lines.append("  imports not timed for this runtime")
    duration = warm["duration_ms"]
    if duration:
        lines.append(f"warm, {warm['invocations']} invocations in one process: p50 {_ms(duration['p50'])}, "
                     f"p95 {_ms(duration['p95'])}, p99 {_ms(duration['p99'])}; max memory {warm['max_memory_mb']} MB")
    lines.append(f"bytes: {size(sizes['unzipped_bytes'])} unzipped, {sizes['share_of_limit'] * 100:.1f}% of "
                 f"Lambda's {size(sizes['limit_bytes'])} for the function and its layers")
    if sizes["layers_by_arn"]:
        lines.append(f"  ({sizes['layers_by_arn']} layer(s) of [function] layers, given by ARN, are not counted)")
    for one in sizes["zips"]:
        lines.append(f"  {one['kind']:<8} {size(one['zipped_bytes']):>10} zipped {size(one['unzipped_bytes']):>10} "
                     f"unzipped  {one['path']}")
    lines.append("  biggest packages (unzipped):")
    lines += [f"    {size(p['bytes']):>10}  {p['package']}  ({p['zip']}, {p['files']} files)"
              for p in sizes["packages"][:BIGGEST_SHOWN]]
    lines.append("  biggest files:")
    lines += [f"    {size(f['bytes']):>10}  {f['path']}  ({f['zip']})" for f in sizes["biggest_files"]]
    removable = sizes["removable"]
    if removable["items"]:
        reasons = sorted(removable["by_reason"].items(), key=lambda item: -item[1])
        lines.append(f"  could go: {size(removable['bytes'])} ({', '.join(f'{r} {size(b)}' for r, b in reasons)})")
        lines += [f"    {size(r['bytes']):>10}  {r['package']} ({r['zip']}): {r['reason']}"
                  for r in removable["items"][:BIGGEST_SHOWN]]
    else:
        lines.append("  could go: nothing found")
    return lines

