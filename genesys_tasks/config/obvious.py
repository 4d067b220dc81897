"""The TOML a command means when none is named: the only ``lambda_*.toml`` in the folder.

With none or several there is nothing obvious, and the usage error lists what is there,
so ``genesys lambda build --debug`` works in a folder with one function and says which
files to choose from in a folder with many. Reads one directory listing; nothing else.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError

PATTERN = "lambda_*.toml"


def only_toml(folder: Path | None = None, command: str = "genesys COMMAND") -> Path:
    """The one ``lambda_*.toml`` in ``folder`` (the current one by default), named as the user would."""
    folder = Path.cwd() if folder is None else folder
    found = sorted(folder.glob(PATTERN))
    if len(found) == 1:
        return Path(os.path.relpath(found[0])) if folder == Path.cwd() else found[0]
    if not found:
        raise UsageError(f"no {PATTERN} here ({folder}) and no TOML named",
                         hint=f"{command} path/to/lambda_x.toml, or `genesys interact` to write one")
    names = ", ".join(p.name for p in found)
    raise UsageError(f"{len(found)} function TOMLs here, name one: {names}",
                     hint=f"{command} {found[0].name}")
