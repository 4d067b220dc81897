"""Handlers as bundlers and compilers write them (esbuild CJS and ESM, tsc, rollup, webpack) are
recognised as exporting the handler, and genesys reads the same export names as the lexers Node
uses (cjs-module-lexer for CommonJS, es-module-lexer for ES modules).

Where the lexers run: only here, as the reference. Loading a TOML checks the handler and may run
no subprocess (DESIGN: loading does no network, no subprocess), so ``detect``, ``init`` and the load
checks read the same forms from the syntax tree, without Node.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from genesys_tasks.config.detect.nodejs import check, exported, find_node_handlers

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bundled-handlers"
BUNDLED = sorted(p.name for p in FIXTURES.glob("*js") if p.name != "util.js")
LEXERS = "cjs-module-lexer@1 es-module-lexer@1"
READ_EXPORTS = """
import { readFileSync } from "node:fs";
import { init, parse } from "es-module-lexer";
import { createRequire } from "node:module";
const cjs = createRequire(import.meta.url)("cjs-module-lexer");
await init;
await cjs.init();
const out = {};
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  out[file] = file.endsWith(".mjs") ? parse(text)[1].map((e) => e.n) : cjs.parse(text).exports;
}
console.log(JSON.stringify(out));
"""


@pytest.mark.parametrize("name", BUNDLED)
def test_the_handler_of_bundled_output_is_found_and_a_named_one_passes_the_check(name):
    stem = name.rpartition(".")[0]
    assert check(FIXTURES, f"{stem}.hello") is None
    assert [c.handler for c in find_node_handlers(FIXTURES / name)] == [f"{stem}.hello"]


def test_a_name_bundled_output_does_not_export_is_still_refused_with_what_it_does_export():
    problem = check(FIXTURES, "esbuild-cjs.goodbye")
    assert problem == "handler 'esbuild-cjs.goodbye': esbuild-cjs.js does not export 'goodbye' (it exports hello, version)"


@pytest.fixture(scope="module")
def lexers(tmp_path_factory):
    from ci_tools import need

    need("npm")
    folder = tmp_path_factory.mktemp("lexers")
    subprocess.run([shutil.which("npm"), "install", "--no-audit", "--no-fund", "--loglevel=error", *LEXERS.split()],
                   cwd=folder, check=True, capture_output=True)
    (folder / "read.mjs").write_text(READ_EXPORTS)
    return folder


def test_genesys_reads_the_export_names_nodes_lexers_read(lexers):
    files = [str(FIXTURES / name) for name in BUNDLED]
    done = subprocess.run(["node", str(lexers / "read.mjs"), *files], capture_output=True, text=True, check=True)
    theirs = {Path(file).name: sorted(set(names) - {"__esModule"}) for file, names in json.loads(done.stdout).items()}
    ours = {name: sorted({e.name for e in exported(FIXTURES / name)}) for name in BUNDLED}
    assert ours == theirs
