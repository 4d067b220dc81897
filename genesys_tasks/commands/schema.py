"""``genesys schema [--runtimes]``: the JSON Schema of lambda TOML files (or of runtime files), for editors."""

from __future__ import annotations

from .. import ui


def run(args) -> int:
    from ..config.json_schema import function_schema, runtimes_schema
    from ..config.runtimes_file import project_registry

    ui.emit_json(runtimes_schema() if args.runtimes else function_schema(project_registry()))
    return 0
