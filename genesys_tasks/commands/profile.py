"""``genesys profile X.toml [--event FILE|-] [--cold N] [--warm M] [--output text|json] [--html FILE]``:
where the function's cold start and bytes go, measured locally (no account).

Builds like ``genesys invoke`` (through the doit tasks), then runs the built function through the
same runtime client: ``--cold`` fresh runtime processes (init, the runtime's start, the function's
imports by top-level package, the first invoke), ``--warm`` invocations of one process (p50/p95/p99,
max memory), and reads the zips (unzipped size per package, share of Lambda's 250 MB, the biggest
files, what could go). The typical figures are saved as the function's last measurement
(``measured``) for ``genesys cost --from-profile``. Exit 1 when the build or the function fails.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from .. import ui
from ..errors import EXIT_FAILED, UsageError


def run(args) -> int:
    from .. import measured, paths
    from ..local.built import open_built
    from ..local.event_file import read_event
    from ..local.function import choose_arch
    from ..profiling import report, runs, sizes
    from ..tasks.runner import load_spec

    for flag, value in (("--cold", args.cold), ("--warm", args.warm)):
        if value < 1:
            raise UsageError(f"{flag} {value}: at least 1 run is needed", hint=f"pass e.g. {flag} 5, or leave it out")
    html = Path(args.html) if args.html else None
    if html is not None and (html.is_dir() or not html.parent.is_dir()):
        said = "is a folder" if html.is_dir() else f"the folder {html.parent} does not exist"
        raise UsageError(f"--html {html}: {said}", hint="name a file in an existing folder, e.g. --html profile.html")
    event = read_event(args.event)
    root, spec = load_spec(Path(args.toml))
    process, launch = open_built(Path(args.toml), args, loaded=(root, spec))
    if process is None:
        return EXIT_FAILED
    arch = choose_arch(spec, args.arch)
    with ui.progress(f"profiling {spec.name}: {args.cold} cold starts, {args.warm} warm invocations"):
        measured_runs = runs.measure(process, spec.runtime.language, event, args.cold, args.warm)
    zips = [("function", paths.function_zip(root, spec.name, arch))]
    if spec.has_layer:
        zips.append(("layer", paths.layer_zip(root, spec.name, arch)))
    node_sdk = spec.runtime.language == "nodejs" and int(spec.runtime.version.split(".")[0]) >= 18
    data = report.profile_data(
        function=spec.name, runtime=spec.runtime.id, architecture=arch, memory_mb=spec.function.memory_mb,
        client=launch.client, runs=measured_runs, sizes=sizes.measure(zips, node_sdk=node_sdk),
        measured_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), layers_by_arn=len(spec.function.layers))
    init = data["cold"]["init_ms"]
    measured.save(root, measured.Measurement(
        source="profile", function=spec.name, memory_mb=spec.function.memory_mb, architecture=arch,
        duration_ms=data["warm"]["duration_ms"]["p50"], init_ms=init["p50"] if init else None,
        measured_at=data["measured_at"]))
    if html is not None:
        from ..profiling.page import write_page

        write_page(html, data)
    if args.output == "json":
        ui.emit_json(data)
    else:
        for line in report.text_lines(data):
            ui.info(line)
        if html is not None:
            ui.success(f"wrote {html}")
    return 0
