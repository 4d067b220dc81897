"""Writing into the user's TOML, comments and layout kept: the role genesys created (``record_role``)
and the memory ``genesys tune --write`` picked (``set_values``).

Only the keys named change; the file is replaced atomically
(``paths.write_text_atomic``): its line endings stay as they were (a CRLF file stays
CRLF), its permissions stay, and a TOML that is a symbolic link is written at its
target, so the link stays a link. The TOML is no file_dep of any build or deploy task
and is left out of the function zip, so this write never makes a task out of date.
"""

from __future__ import annotations

from pathlib import Path

from ..paths import write_text_atomic


def record_role(toml_path: Path, role_arn: str) -> bool:
    """Set ``[iam] role_arn`` and ``managed_by = "genesys"``; False when they already say so."""
    return set_values(toml_path, {("iam", "role_arn"): role_arn, ("iam", "managed_by"): "genesys"})


def set_values(toml_path: Path, values: dict) -> bool:
    """Set each key, named by its path of tables (``("stages", "prod", "function", "memory_mb")``), to
    its value, making missing tables; False when every key already says so (nothing is written)."""
    import tomlkit

    with open(toml_path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    crlf = "\r\n" in text
    document = tomlkit.parse(text)
    changed = False
    for path, value in values.items():
        table = document
        for name in path[:-1]:
            if table.get(name) is None:
                table[name] = tomlkit.table()
            table = table[name]
        if table.get(path[-1]) != value:
            table[path[-1]] = value
            changed = True
    if not changed:
        return False
    updated = tomlkit.dumps(document)
    if crlf:  # what tomlkit adds ends in LF: the whole file takes the file's own line ending
        updated = updated.replace("\r\n", "\n").replace("\n", "\r\n")
    write_text_atomic(Path(toml_path), updated)
    return True
