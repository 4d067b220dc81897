"""Recording the role genesys created in the user's TOML, comments and layout kept.

Only ``[iam] role_arn`` and ``managed_by`` change; the file is replaced atomically.
The TOML is no file_dep of any build or deploy task and is left out of the function
zip, so this write never makes a task out of date.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def record_role(toml_path: Path, role_arn: str) -> bool:
    """Set ``[iam] role_arn`` and ``managed_by = "genesys"``; False when they already say so."""
    import tomlkit

    text = toml_path.read_text(encoding="utf-8")
    document = tomlkit.parse(text)
    iam = document.get("iam")
    if iam is None:
        iam = tomlkit.table()
        document["iam"] = iam
    if iam.get("role_arn") == role_arn and iam.get("managed_by") == "genesys":
        return False
    iam["role_arn"] = role_arn
    iam["managed_by"] = "genesys"
    tmp = toml_path.with_name(f".{toml_path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(tomlkit.dumps(document), encoding="utf-8")
        shutil.copymode(toml_path, tmp)
        os.replace(tmp, toml_path)
    finally:
        tmp.unlink(missing_ok=True)
    return True
