"""``genesys lambda build X.toml``: one function's layer and zips, through the same doit tasks as ``doit build``.

Prints each artifact (kind, architecture, size, sha256, path), or JSON with
``--output json``: the artifacts, and the artifact records the build wrote for the deploy
(``build/record.py``, paths absolute). Nothing remote.
"""

from __future__ import annotations

from pathlib import Path

from .. import ui
from ..errors import UsageError
from ..shell import command


def run(args) -> int:
    return build_one(Path(args.toml), debug=args.debug, json_output=args.output == "json", stage=args.stage)


def build_one(toml: Path, *, debug: bool = False, json_output: bool = False, stage: str | None = None) -> int:
    """Build one function's layer and zips; print the artifacts (JSON with --output json)."""
    from ..build import steps
    from ..build.zipper import sha256_file
    from ..tasks.runner import load_spec, run_tasks

    if toml.is_dir():
        raise UsageError(f"{toml}: is a folder, not a TOML file", hint="pass the path of a lambda TOML file")
    root, spec = load_spec(toml, stage=stage)  # a missing file, a FIFO or a device is the loader's clear error
    code = run_tasks(toml, ["build:{name}"], debug=debug, spec=spec)
    if code:
        return code
    from ..build.layer import ships_nothing

    # a layer that ships nothing is only the build's record: it is never published, so it is no artifact
    artifacts = [{"kind": kind, "arch": arch, "path": str(path), "sha256": sha256_file(path),
                  "size": path.stat().st_size} for kind, arch, path in steps.artifacts(spec, root)
                 if not (kind == "layer" and ships_nothing(path))]
    if json_output:
        from ..build.record import read_record

        hint = f"build it again: {command('genesys', 'lambda', 'build', operands=(toml,))}"
        records = [read_record(path, hint=hint).as_dict() for path in steps.record_paths(spec, root)]
        ui.emit_json({"artifacts": artifacts, "records": records})
        return 0
    for a in artifacts:
        ui.success(f"{a['kind']:<8} {a['arch']:<7} {a['size'] / 1e6:7.2f} MB  {a['sha256'][:12]}  {a['path']}")
    return 0
