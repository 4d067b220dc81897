"""Recording the role genesys created in the user's TOML, comments and layout kept.

Only ``[iam] role_arn`` and ``managed_by`` change; the file is replaced atomically
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
    import tomlkit

    with open(toml_path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    crlf = "\r\n" in text
    document = tomlkit.parse(text)
    iam = document.get("iam")
    if iam is None:
        iam = tomlkit.table()
        document["iam"] = iam
    if iam.get("role_arn") == role_arn and iam.get("managed_by") == "genesys":
        return False
    iam["role_arn"] = role_arn
    iam["managed_by"] = "genesys"
    updated = tomlkit.dumps(document)
    if crlf:  # what tomlkit adds ends in LF: the whole file takes the file's own line ending
        updated = updated.replace("\r\n", "\n").replace("\n", "\r\n")
    write_text_atomic(Path(toml_path), updated)
    return True
