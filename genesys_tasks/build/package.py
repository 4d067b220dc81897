"""The function zip: which source files it carries, and which packager builds it.

A language's row in the language table names its packager; by default the function
is its source files, zipped deterministically, under the rules of ``sources``: the
layer-only files (manifests and lock files that feed the layer), the function's own
TOML, every file matching the discovery pattern (``GENESYS_PATTERN``, default
``lambda_*.toml``) and the dependency folders stay out, so editing requirements or
writing a role ARN back into a TOML never changes the function zip; credentials and
dot-folders stay out unless ``[build] include`` names them, and the build says which
it left out. Compiled languages name their own packager (``module:function`` in this
package), built per architecture when the code is native.

With ``[build] layer_auto = false`` a Python or Node.js function carries its
dependencies itself: the layer build (same installer, same cache) runs for each
architecture and its tree goes into the function zip, Python packages beside the
handler and Node's ``node_modules`` at the root, where the runtimes look first. A
source file of the same name wins over an installed one.
"""

from __future__ import annotations

import functools
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

from ..config import discovery_pattern
from ..config.spec import FunctionSpec
from ..paths import copy_file_atomic
from .sources import SourceRules, source_listing
from .walk import Listing, names_line, printable
from .zipper import write_zip

# a packager may return the zip's sha256 when it worked it out as it wrote the zip (``zip_sources`` does)
Packager = Callable[[FunctionSpec, str, Path], "str | None"]
# Where a language's installed dependencies go in the function zip: the layer tree below its
# layer path lands under this folder ("" is the zip's root, which Lambda puts on sys.path).
ZIP_DEPENDENCY_FOLDER = {"python": "", "nodejs": "node_modules"}


def _own_files(spec: FunctionSpec) -> frozenset[str]:
    """Paths in the source folder the function zip never carries: its TOML, its requirements, layer-only files."""
    source = str(spec.source_path)
    own = set(spec.runtime.language_row.layer_only_files)
    # A Python requirements file may have any name; Node's manifest (package.json) stays.
    requirements = spec.build.requirements_file if spec.runtime.language == "python" else None
    for path in (spec.path, requirements):
        if path is not None:
            rel = os.path.relpath(path, source)
            if not rel.startswith(".."):
                own.add(rel.replace(os.sep, "/"))
    return frozenset(own)


def source_rules(spec: FunctionSpec, pattern: str | None = None) -> SourceRules:
    """The rule that leaves a path of the function's source folder out of its zip (or keeps it in)."""
    return SourceRules(spec.runtime.language, spec.build.exclude, spec.build.include, own=_own_files(spec),
                       own_pattern=pattern or discovery_pattern())


def _walk_sources(spec: FunctionSpec, pattern: str) -> Listing:
    listing = source_listing(spec.source_path, source_rules(spec, pattern))
    for folder in spec.build.shared:
        extra = source_listing(folder, SourceRules(spec.runtime.language, own_pattern=pattern))
        top = folder.name
        if any(name.split("/", 1)[0] == top for name, _ in listing.entries):
            listing.problems.append(f"{top}/ (a [build] shared folder) is also a folder of the source: rename one")
        listing.entries += [(f"{top}/{name}", path) for name, path in extra.entries]
        listing.dropped += [f"{top}/{name}" for name in extra.dropped]
        listing.skipped += [f"{top}/{name}" for name in extra.skipped]
        listing.problems += [f"{top}/{name}" for name in extra.problems]
        listing.folders += extra.folders  # the spec cache stats them: a file added there is seen
        listing.stamps += extra.stamps
    return listing


# The last listing ``function_listing`` made of each function in this process (by name, with the spec
# and pattern it was made for): the zip made right after a load takes it instead of walking again,
# when nothing can have changed what it found (``_listing_to_zip``).
_LISTED: dict[str, tuple[FunctionSpec, str, Listing]] = {}


def function_listing(spec: FunctionSpec, pattern: str | None = None) -> Listing:
    """What the function zip carries and leaves out; ``pattern`` defaults to the discovery one.

    Each ``[build] shared`` folder is walked with the default excludes and zipped under its own
    name; a name the source folder already uses is a problem of the listing (the build fails).
    """
    pattern = pattern or discovery_pattern()
    listing = _walk_sources(spec, pattern)
    _LISTED[spec.name] = (spec, pattern, listing)
    return listing


def _listing_to_zip(spec: FunctionSpec) -> Listing:
    """The listing the function zip is made from: the one made of this very spec at load, when the function
    has no pre_build hooks and a walk now would find the same (``Listing.still_holds``); else a new walk.
    Taken once: a later build of the function walks again."""
    pattern = discovery_pattern()
    kept = _LISTED.pop(spec.name, None)
    if kept is not None and kept[0] is spec and kept[1] == pattern and not spec.build.pre_build \
            and kept[2].still_holds():
        return kept[2]
    return _walk_sources(spec, pattern)


def function_sources(spec: FunctionSpec, pattern: str | None = None) -> list[tuple[str, Path]]:
    """(name in zip, path) for every file the function zip carries (never raises: problems wait for the build)."""
    return function_listing(spec, pattern).entries


def bundles_dependencies(spec: FunctionSpec) -> bool:
    """Whether the function zip carries the dependencies (``layer_auto = false`` with a manifest)."""
    return (not spec.build.layer_auto and spec.build.requirements_file is not None
            and bool(spec.runtime.layer_path) and spec.runtime.language in ZIP_DEPENDENCY_FOLDER)


def _extract(layer: Path, into: Path) -> None:
    """Unpack a layer zip, keeping the executable bits it recorded."""
    with zipfile.ZipFile(layer) as archive:
        for info in archive.infolist():
            path = Path(archive.extract(info, into))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                path.chmod(mode)


def dependency_entries(spec: FunctionSpec, arch: str, work: Path) -> list[tuple[str, Path]]:
    """The installed dependencies of ``spec`` for ``arch`` as function-zip entries (built in ``work``)."""
    from .. import paths
    from .cache import LayerCache
    from .layer import build_layer
    from .installers import install_job
    from .zipper import tree_entries

    layer = work / "layer.zip"
    build_layer(install_job(spec, arch), layer, LayerCache(paths.cache_dir()))
    _extract(layer, work / "tree")
    installed = work / "tree" / spec.runtime.layer_path
    if not installed.is_dir():
        return []
    return tree_entries(installed, ZIP_DEPENDENCY_FOLDER[spec.runtime.language])


def write_function_zip(spec: FunctionSpec, arch: str, entries: list[tuple[str, Path]], dest: Path) -> str:
    """Zip ``entries`` into ``dest``, with the installed dependencies when the zip carries them
    (``layer_auto = false``); a file of the function's own wins over an installed one of the same name.
    Returns the zip's sha256."""
    if not bundles_dependencies(spec):
        return write_zip(entries, dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="genesys-deps-", dir=dest.parent) as work:
        own = {name for name, _ in entries}
        entries = entries + [(name, path) for name, path in dependency_entries(spec, arch, Path(work))
                             if name not in own]
        return write_zip(entries, dest)


def zip_sources(spec: FunctionSpec, arch: str, dest: Path, *, listing: Listing | None = None) -> str:
    """The default packager; ``listing``: the source folder's, when the caller has just walked it.
    Returns the zip's sha256."""
    listing = function_listing(spec) if listing is None else listing
    return write_function_zip(spec, arch, listing.check(f"the function zip of {spec.name}").entries, dest)


def packager_for(spec: FunctionSpec) -> Packager:
    """The packager the language table names for the function's language (the sources zipped by default)."""
    named = spec.runtime.language_row.packager
    if not named:
        return zip_sources
    from ..contracts import Packager as Contract, named as checked

    return checked(__package__, named, Contract)


def report_sources(spec: FunctionSpec) -> Listing:
    """Once per build of a source zip: BuildError for files it cannot carry, a warning for what it left out;
    returns the listing, for the zip made right after."""
    from .toolrun import show, warn

    listing = _listing_to_zip(spec).check(f"the function zip of {spec.name}")
    if listing.dropped:
        left_out = printable(names_line(listing.dropped))
        warn(f"{spec.name}: left out of the function zip (they may hold credentials): {left_out}; "
             f"to ship one, add it to [build] include in {spec.path.name}")
    note = listing.skipped_note()
    if note:
        show(f"{spec.name}: {note}")
    return listing


def package_function(spec: FunctionSpec, dest_by_arch: dict[str, Path]) -> dict[Path, str]:
    """Write the function zip for every architecture; a zip of no native code is built once, then copied.
    Returns each zip's sha256 (as it was written, when the packager returns it; else read back)."""
    from .zipper import sha256_file

    packager = packager_for(spec)
    if packager is zip_sources:  # the source folder is walked once for the report and every zip
        packager = functools.partial(zip_sources, listing=report_sources(spec))
    per_arch = spec.runtime.language_row.zip_per_arch or bundles_dependencies(spec)
    first: Path | None = None
    sha256: dict[Path, str] = {}
    for arch, dest in dest_by_arch.items():
        if not per_arch and first is not None:
            copy_file_atomic(first, dest)
            sha256[dest] = sha256[first]
            continue
        sha256[dest] = packager(spec, arch, dest) or sha256_file(dest)
        first = dest
    return sha256
