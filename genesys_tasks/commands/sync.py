"""``genesys sync X.toml [--watch]``: build, then put the edit live with as few calls as it needs.

A code-only change is UpdateFunctionCode (and the alias's new version); a dependency or
configuration change runs the whole deploy (``deploy/sync.py`` decides). ``--watch`` waits on
changes to the function's files (``watchfiles``, filtered to the files the build packages by
its own source rules, the dependency manifests and the TOML) and syncs after each edit, saying how long the edit took to
go live. Works against AWS and the sandbox alike.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from .. import ui
from ..errors import GenesysError
from ..sandbox import within

SAID = {"code": "code only: UpdateFunctionCode", "full": "full deploy", "none": "already live"}


def run(args) -> int:
    from ..deploy.session import Options, Session

    session = Session(Options.from_args(args, record_role=not args.sandbox))
    json_output = args.output == "json"
    toml = Path(args.toml)
    with within(args.sandbox):
        code = sync_once(session, toml, args, time.time(), json_output)
        if not args.watch:
            return code
        return _watch(session, toml, args)


def sync_once(session, toml: Path, args, edited_at: float, json_output: bool = False) -> int:
    """Build, then sync each region; 0, or the build's exit code."""
    from .. import paths
    from ..deploy.regions import region_specs
    from ..config.stages import refuse_protected
    from ..deploy.sync import sync_region
    from ..tasks.runner import load_spec, role_sharers_in_repo, run_tasks

    _, spec = load_spec(toml, stage=args.stage)
    refuse_protected(spec, args.force, "sync skips the review a deploy gets",
                     hint="deploy it with genesys execute, or pass --force")
    session.check_profile(spec)  # a profile that does not exist fails before the build
    code = run_tasks(spec.path, ["build:{name}"], debug=args.debug, spec=spec)
    if code:
        return code
    root = paths.find_root(spec.path)
    shown = []
    for one in region_specs(session.aimed(spec)):
        clients = session.clients(one)
        before = len(clients.log.calls)
        decision = sync_region(session, one, root, sharers=role_sharers_in_repo(one, root))
        writes = [action for action, write in clients.log.calls[before:] if write]
        shown.append({"region": clients.region, "kind": decision.kind, "reason": decision.reason, "writes": writes})
        if not json_output:
            if decision.kind == "none":
                ui.info(f"{one.name} in {clients.region}: {decision.reason}")
            else:
                ui.success(f"{one.name} in {clients.region}: {SAID[decision.kind]} ({decision.reason}); "
                           f"live in {time.time() - edited_at:.1f} s")
    if json_output:
        ui.emit_json(shown)
    return 0


def packaged(spec):
    """``watchfiles``' filter: the files the function zip carries (the build's own source rules), the
    TOML, and the dependency manifests the layer is built from; nothing else starts a sync."""
    from ..build.package import source_rules

    rules = source_rules(spec)
    source = spec.source_path.resolve()
    own = {spec.path.resolve(), *(source / name for name in spec.runtime.dependency_files)}
    if spec.build.requirements_file is not None:
        own.add(spec.build.requirements_file.resolve())

    def relevant(_change, path: str) -> bool:
        changed = Path(path).resolve()
        if changed in own:
            return True
        try:
            parts = changed.relative_to(source).parts
        except ValueError:
            return False
        if any(rules("/".join(parts[:i]), True) for i in range(1, len(parts))):  # its folders: .git, .genesys...
            return False
        return not rules("/".join(parts), False)

    return relevant


def _watch(session, toml: Path, args) -> int:
    from watchfiles import watch

    from ..tasks.runner import load_spec

    _, spec = load_spec(toml, stage=args.stage)
    folders = {spec.source_path.resolve(), spec.path.parent.resolve()}
    ui.info(f"watching {', '.join(os.path.relpath(f) for f in sorted(folders))} (Ctrl-C stops)")
    try:
        for changes in watch(*sorted(folders), watch_filter=packaged(spec), debounce=50, step=20,
                             raise_interrupt=True):
            edited_at = max((os.stat(p).st_mtime for _c, p in changes if os.path.exists(p)), default=time.time())
            try:
                sync_once(session, toml, args, min(edited_at, time.time()))
            except GenesysError as err:  # a bad edit must not end the loop
                ui.error(err.render())
    except KeyboardInterrupt:
        pass
    return 0
