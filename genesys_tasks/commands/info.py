"""``genesys info [X.toml] [--output json]``: what is deployed, read from AWS (or the sandbox).

With a TOML: the function's facts in each of its regions (``deploy/info.describe``), the code's
sha256 compared with the local build's record. Without one: every function of the repo, one
line each, ``deployed`` / ``out of date`` / ``not built`` / ``not deployed``. Read calls only.
"""

from __future__ import annotations

from pathlib import Path

from .. import paths, ui
from ..sandbox import within

FIELDS = (("ARN", "arn"), ("state", "state"), ("last update", "last_update_status"), ("runtime", "runtime"),
          ("architecture", "architecture"), ("memory", "memory_mb"), ("timeout", "timeout_s"),
          ("role", "role"), ("URL", "url"), ("API endpoint", "api_endpoint"))


def run(args) -> int:
    from ..deploy.session import Options, Session

    session = Session(Options.from_args(args))
    json_output = args.output == "json"
    with within(args.sandbox):
        if args.toml is None:
            return _repo(session, json_output, args.stage)
        return _one(session, Path(args.toml), json_output, args.stage)


def _facts(session, spec, root) -> list[tuple[str, dict | None]]:
    from ..deploy.info import describe
    from ..deploy.regions import region_specs

    session.check_profile(spec)
    return [(one.deployment.region or session.clients(one).region, describe(one, session.clients(one), root))
            for one in region_specs(session.aimed(spec))]


def _one(session, toml: Path, json_output: bool, stage: str | None) -> int:
    from ..deploy.info import status
    from ..tasks.runner import load_spec

    root, spec = load_spec(toml, sources=False, stage=stage)
    found = _facts(session, spec, root)
    if json_output:
        shown = {region: facts for region, facts in found}
        ui.emit_json(next(iter(shown.values())) if len(found) == 1 else shown)
        return 0
    for region, facts in found:
        ui.info(f"{spec.name} in {region}: {status(facts)}")
        if facts is not None:
            show(facts)
    return 0


def show(facts: dict) -> None:
    units = {"memory_mb": " MB", "timeout_s": " s"}
    for label, key in FIELDS:
        if facts.get(key) not in (None, ""):
            ui.info(f"  {label + ':':<14}{facts[key]}{units.get(key, '')}")
    match = {True: "matches the local build", False: "differs from the local build",
             None: "nothing built here to compare"}[facts["matches_build"]]
    ui.info(f"  {'code sha256:':<14}{facts['code_sha256']} ({match})")
    for label, key in (("layers", "layers"), ("versions", "versions")):
        if facts[key]:
            ui.info(f"  {label + ':':<14}{', '.join(map(str, facts[key]))}")
    if facts["aliases"]:
        ui.info(f"  {'aliases:':<14}{', '.join(f'{a} → {v}' for a, v in facts['aliases'].items())}")
    if facts.get("alias") and facts["matches_build"] is False:
        ui.info(f"  {'':<14}alias {facts['alias']} runs version {facts['aliases'].get(facts['alias'])}, not the "
                "local build (after `genesys rollback` it stays there until the code or configuration changes)")
    for trigger in facts["triggers"]:
        ui.info(f"  {'trigger:':<14}" + (f"{trigger['source']} ({trigger['state']})" if "source" in trigger
                                          else f"permission {trigger['permission']}"))
    if facts["tags"]:
        ui.info(f"  {'tags:':<14}{', '.join(f'{k}={v}' for k, v in sorted(facts['tags'].items()))}")


def _repo(session, json_output: bool, stage: str | None) -> int:
    import os

    from ..config import discover, discovery_pattern, load
    from ..config.runtimes_file import load_registry
    from ..deploy.info import status

    root = paths.find_root(Path.cwd())
    registry = load_registry(root)
    rows = []
    for toml in discover(root, discovery_pattern()):
        spec = load(toml, registry=registry, warn=ui.warn, sources=False, stage=stage)
        for region, facts in _facts(session, spec, root):
            rows.append({"name": spec.name, "toml": os.path.relpath(toml), "region": region, "status": status(facts),
                         "arn": facts["arn"] if facts else None})
    if json_output:
        ui.emit_json(rows)
        return 0
    if not rows:
        ui.info(f"no function TOMLs under {os.path.relpath(root)}")
    for row in rows:
        ui.info(f"{row['name']:<28} {row['region']:<14} {row['status']:<13} {row['toml']}")
    return 0
