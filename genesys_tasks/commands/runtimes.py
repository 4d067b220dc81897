"""``genesys runtimes``: every runtime the project knows, with its lifecycle dates and its status today."""

from __future__ import annotations

from .. import ui

DATES = ("deprecation", "block_create", "block_update")


def run(args) -> int:
    from ..config import today_default
    from ..config.runtimes_file import project_registry

    today = today_default()
    rows = [{"id": r.id, "language": r.language, "version": r.version, "status": r.status(today),
             "deprecation": r.deprecation, "block_create": r.block_create, "block_update": r.block_update,
             "replacement": r.replacement or None} for r in project_registry().all()]
    if args.output == "json":
        ui.emit_json({"today": today, "runtimes": rows})
        return 0
    ui.info(f"{'runtime':<16}{'status':<16}{'deprecation':<13}{'block create':<14}{'block update':<14}replacement")
    for row in rows:
        dates = [str(row[k] or "-") for k in DATES]
        ui.info(f"{row['id']:<16}{row['status']:<16}{dates[0]:<13}{dates[1]:<14}{dates[2]:<14}"
                f"{row['replacement'] or ''}")
    ui.info(f"status as of {today.isoformat()}")
    return 0
