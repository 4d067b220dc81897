"""TypeScript handlers: bundled by esbuild into the function zip, their dependencies left in the layer.

A Node.js function whose handler file is TypeScript (``app.handler`` with ``app.ts``
and no ``app.js`` beside it) is packaged here: esbuild bundles the handler and the
function's own modules into ``app.js`` (``.mts`` gives ``.mjs``, ``.cts`` ``.cjs``)
with ``--platform=node --target=node<runtime version>`` and ``--format`` from
package.json's ``type`` (``module`` is esm, else cjs). Packages stay external
(``--packages=external``): they are in the layer's ``nodejs/node_modules``, where
Node finds them on Lambda. ``[build] sourcemap = true`` adds ``app.js.map`` (set
``NODE_OPTIONS=--enable-source-maps`` in [function] environment to use it).
The zip carries the bundle and the function's other files, without the TypeScript
sources. A project whose ``pre_build`` compiles with tsc names the compiled file
and is zipped as it is.

esbuild is the npm package, pinned (``ESBUILD_VERSION``), installed on first use
with npm into genesys's cache folder (``<cache>/tools/esbuild-<version>``) and
shared by every repo; npm comes from PATH. The bundle is written beside the zip, so
the paths a source map records are the same on every machine.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import BuildError
from ..paths import cache_dir
from . import toolrun

ESBUILD_VERSION = "0.28.2"
OUTPUT_SUFFIX = {".ts": ".js", ".mts": ".mjs", ".cts": ".cjs"}
TYPESCRIPT_SUFFIXES = tuple(OUTPUT_SUFFIX)
NPM_HINT = "install Node.js with npm (Debian/Ubuntu: apt-get install nodejs npm): esbuild is installed with it"


def handler_file(source: Path, handler: str) -> Path | None:
    """The TypeScript file of ``handler`` (``src/app.handler`` -> ``src/app.ts``) when no JavaScript
    file of that name is beside it (one compiled by tsc wins), else None."""
    stem = handler.rpartition(".")[0]
    if not stem or any((source / (stem + ext)).is_file() for ext in (".js", ".mjs", ".cjs")):
        return None
    return next((source / (stem + ext) for ext in TYPESCRIPT_SUFFIXES if (source / (stem + ext)).is_file()), None)


def module_format(source: Path, entry: Path) -> str:
    """``esm`` or ``cjs``: by the file's extension (.mts, .cts), else by package.json's ``type``."""
    if entry.suffix != ".ts":
        return "esm" if entry.suffix == ".mts" else "cjs"
    for folder in (entry.parent, *entry.parent.parents):
        package = folder / "package.json"
        if package.is_file():
            try:
                data = json.loads(package.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return "cjs"
            return "esm" if isinstance(data, dict) and data.get("type") == "module" else "cjs"
        if folder == source:
            break
    return "cjs"


def esbuild_argv(esbuild: str, entry: Path, outfile: Path, *, node: str, fmt: str, sourcemap: bool) -> list[str]:
    """The esbuild command bundling ``entry`` into ``outfile`` for Node ``node`` (a major version)."""
    argv = [esbuild, str(entry), "--bundle", "--platform=node", f"--target=node{node}", f"--format={fmt}",
            "--packages=external", "--log-level=warning", f"--outfile={outfile}"]
    return argv + (["--sourcemap"] if sourcemap else [])


def esbuild_binary() -> str:
    """esbuild's executable, installed with npm into the cache folder on first use (atomically)."""
    home = cache_dir() / "tools" / f"esbuild-{ESBUILD_VERSION}"
    binary = home / "node_modules" / "esbuild" / "bin" / "esbuild"
    if binary.is_file():
        return str(binary)
    npm = toolrun.require("npm", NPM_HINT)
    shutil.rmtree(home, ignore_errors=True)  # an install whose binary is gone is no install
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".esbuild-{ESBUILD_VERSION}-", dir=home.parent))
    try:
        with toolrun.timed(f"installing esbuild {ESBUILD_VERSION} (once, into {home.parent})"):
            toolrun.run_tool([npm, "install", "--no-save", "--no-audit", "--no-fund", "--no-package-lock",
                              "--prefix", str(staging), f"esbuild@{ESBUILD_VERSION}"],
                             cwd=staging, what=f"npm install esbuild@{ESBUILD_VERSION}",
                             env={"npm_config_update_notifier": "false"},
                             hint="check that npm can reach its registry (npm config get registry), then build again")
        try:
            os.rename(staging, home)
        except OSError:  # another build installed it first
            if not binary.is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return str(binary)


def package_node(spec, arch: str, dest: Path) -> None:
    """The Node.js packager: a TypeScript handler is bundled; otherwise the sources are zipped as they are."""
    from .package import report_sources, zip_sources

    listing = report_sources(spec)
    entry = handler_file(spec.source_path, spec.handler)
    if entry is None:
        zip_sources(spec, arch, dest, listing=listing)
        return
    _bundle(spec, arch, dest, listing.entries, entry)


def _bundle(spec, arch: str, dest: Path, entries: list[tuple[str, Path]], entry: Path) -> None:
    """Bundle ``entry`` and zip it with ``entries`` (the function's files) minus the TypeScript sources."""
    from .package import write_function_zip

    rel = entry.relative_to(spec.source_path).as_posix()
    out_name = rel[: -len(entry.suffix)] + OUTPUT_SUFFIX[entry.suffix]
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".esbuild-", dir=dest.parent) as tmp:
        outfile = Path(tmp) / out_name
        argv = esbuild_argv(esbuild_binary(), entry, outfile, node=spec.runtime.version,
                            fmt=module_format(spec.source_path, entry), sourcemap=spec.build.sourcemap)
        toolrun.run_tool(argv, cwd=spec.source_path, what=f"esbuild bundle of {rel}",
                         hint=f"fix the error above (it is in {rel} or a module it imports)")
        if not outfile.is_file():
            raise BuildError(f"esbuild wrote no {out_name}", hint="run with --debug to see esbuild's output")
        bundle = [(out_name, outfile)] + ([(out_name + ".map", Path(f"{outfile}.map"))] if spec.build.sourcemap else [])
        kept = [(name, path) for name, path in entries
                if not name.endswith(TYPESCRIPT_SUFFIXES) and name not in dict(bundle)]
        write_function_zip(spec, arch, sorted(kept + bundle), dest)
