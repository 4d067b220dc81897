"""``[build] shared``: folders from outside a function's source folder that its zip carries under
their own name (monorepo code), and the rule that ``include`` never leaves the source folder."""

from __future__ import annotations

import os
from pathlib import Path

from .reader import Reader


def shared_folders(r: Reader, build: dict, source: Path, sources: bool) -> tuple[Path, ...]:
    """``[build] shared`` as folders (outside the source folder, existing when sources are read); an
    ``include`` entry that leaves the source folder is an error that points to ``shared``."""
    for entry in build["include"]:
        if os.path.isabs(entry) or ".." in Path(entry).parts:
            raise r.fail(("build", "include"), f"{entry!r} leaves the source folder: include only puts back "
                         "files of source_path that a default exclude leaves out",
                         hint='ship a folder from outside it with [build] shared = ["../../shared"]')
    found: dict[str, Path] = {}
    for entry in build["shared"]:
        folder = Path(os.path.normpath(source / entry))
        if os.path.isabs(entry) or not os.path.relpath(folder, source).startswith(".."):
            raise r.fail(("build", "shared"), f"{entry!r} is not a folder outside the source folder",
                         hint="shared names folders relative to source_path that are outside it, e.g. ../../shared")
        if sources and not folder.is_dir():
            raise r.fail(("build", "shared"), f"{entry!r}: {folder} is not a folder", hint="check the path")
        if folder.name in found:
            raise r.fail(("build", "shared"), f"{entry!r} and {str(found[folder.name])!r} would both be "
                         f"{folder.name}/ in the zip", hint="share folders with different names")
        found[folder.name] = folder
    return tuple(found.values())
