"""TypeScript handlers: detected, bundled by esbuild into the function zip, dependencies left in the layer.

The unit tests (the esbuild command, the module format, which file is the handler)
run by default. The builds install esbuild from npm on first use, so they are behind
the ``typescript`` marker (``python -m pytest -m typescript``; CI runs them after
``bash ci/typescript-setup.sh``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from genesys_tasks.build import typescript

APP_TS = '''import isNumber = require("is-number");
import { greet } from "./greet";

export const handler = async (event: { n?: unknown }): Promise<string> =>
  greet(isNumber(event.n) ? "a number" : "something else");
'''
GREET_TS = "export function greet(what: string): string {\n  return `got ${what}`;\n}\n"
ESM_TS = "export const handler = async (): Promise<string> => `esm ${import.meta.url.startsWith('file:')}`;\n"
TOML = '[metadata]\nname = "ts-fn"\n\n[build]\narchitectures = ["x86_64"]\n'


# ----------------------------------------------------------------------------- without esbuild


def test_the_esbuild_command_bundles_for_the_runtime_node_with_packages_external(tmp_path):
    argv = typescript.esbuild_argv("esbuild", tmp_path / "src/app.ts", tmp_path / "out/src/app.js", node="22",
                                   fmt="cjs", sourcemap=False)
    assert argv == ["esbuild", str(tmp_path / "src/app.ts"), "--bundle", "--platform=node", "--target=node22",
                    "--format=cjs", "--packages=external", "--log-level=warning",
                    f"--outfile={tmp_path / 'out/src/app.js'}"]
    with_map = typescript.esbuild_argv("esbuild", tmp_path / "a.ts", tmp_path / "a.js", node="24", fmt="esm",
                                       sourcemap=True)
    assert "--format=esm" in with_map and with_map[-1] == "--sourcemap"


@pytest.mark.parametrize("package, entry, fmt", [
    ({"type": "module"}, "app.ts", "esm"),
    ({"type": "commonjs"}, "app.ts", "cjs"),
    ({}, "app.ts", "cjs"),
    (None, "app.ts", "cjs"),
    ({}, "app.mts", "esm"),
    ({"type": "module"}, "app.cts", "cjs"),
])
def test_the_module_format_follows_package_json_type_and_the_extension(tmp_path, package, entry, fmt):
    if package is not None:
        (tmp_path / "package.json").write_text(json.dumps(package))
    (tmp_path / "src").mkdir()
    assert typescript.module_format(tmp_path, tmp_path / "src" / entry) == fmt


def test_the_handler_file_is_typescript_only_when_no_compiled_javascript_is_beside_it(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.ts").write_text(APP_TS)
    assert typescript.handler_file(tmp_path, "src/app.handler") == tmp_path / "src" / "app.ts"
    (tmp_path / "src" / "app.js").write_text("exports.handler = 1;\n")  # what tsc in a pre_build writes
    assert typescript.handler_file(tmp_path, "src/app.handler") is None
    assert typescript.handler_file(tmp_path, "missing.handler") is None


def test_sourcemap_is_a_build_key_defaulting_to_off(tmp_path):
    from genesys_tasks.config import load

    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "app.ts").write_text(ESM_TS)
    (tmp_path / "lambda_ts.toml").write_text(TOML)
    spec = load(tmp_path / "lambda_ts.toml")
    assert (spec.handler, spec.build.sourcemap) == ("app.handler", False)
    (tmp_path / "lambda_ts.toml").write_text(TOML + "sourcemap = true\n")
    assert load(tmp_path / "lambda_ts.toml").build.sourcemap is True


FAKE_NPM = """#!/bin/sh
# records its arguments, then installs a stand-in esbuild where --prefix says
echo "$@" >> "$NPM_LOG"
while [ "$1" != "--prefix" ]; do shift; done
mkdir -p "$2/node_modules/esbuild/bin" && printf '#!/bin/sh\\n' > "$2/node_modules/esbuild/bin/esbuild"
"""


def test_esbuild_is_installed_pinned_into_the_cache_once_with_npm(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "npm").write_text(FAKE_NPM)
    (bin_dir / "npm").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("NPM_LOG", str(tmp_path / "npm.log"))
    cache = Path(os.environ["GENESYS_CACHE_DIR"])

    first = typescript.esbuild_binary()
    second = typescript.esbuild_binary()

    assert first == second == str(cache / "tools" / f"esbuild-{typescript.ESBUILD_VERSION}" / "node_modules"
                                  / "esbuild" / "bin" / "esbuild")
    calls = (tmp_path / "npm.log").read_text().splitlines()
    assert len(calls) == 1 and calls[0].startswith("install ") and f"esbuild@{typescript.ESBUILD_VERSION}" in calls[0]
    assert [p.name for p in (cache / "tools").iterdir()] == [f"esbuild-{typescript.ESBUILD_VERSION}"]


def test_without_npm_the_esbuild_install_names_the_missing_program(tmp_path, monkeypatch):
    from genesys_tasks.errors import MissingTool

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingTool) as caught:
        typescript.esbuild_binary()
    assert caught.value.tool == "npm" and "apt-get install nodejs npm" in caught.value.hint


# ----------------------------------------------------------------------------- real esbuild builds

needs_node = pytest.mark.needs_tools("npm", "node")


def _project(folder: Path, *, sourcemap: bool = False) -> Path:
    (folder / "src").mkdir(parents=True)
    (folder / "package.json").write_text(json.dumps({"name": "ts-fn", "version": "1.0.0",
                                                     "dependencies": {"is-number": "7.0.0"}}))
    (folder / "tsconfig.json").write_text('{"compilerOptions": {"strict": true}}\n')
    (folder / "src" / "app.ts").write_text(APP_TS)
    (folder / "src" / "greet.ts").write_text(GREET_TS)
    (folder / "src" / "types.d.ts").write_text("declare const x: number;\n")
    (folder / "src" / "template.txt").write_text("shipped as it is\n")
    (folder / "lambda_ts.toml").write_text(TOML + ("sourcemap = true\n" if sourcemap else ""))
    return folder / "lambda_ts.toml"


def _build(run_genesys, toml: Path) -> dict:
    result = run_genesys("lambda", "build", "--output", "json", toml)
    assert result.code == 0, result.output
    return {a["kind"]: a for a in json.loads(result.stdout)["artifacts"]}


def _unzip(path: str, into: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        archive.extractall(into)
        return archive.namelist()


@pytest.mark.typescript
@needs_node
def test_a_typescript_handler_is_bundled_into_the_zip_and_runs_with_the_layer(tmp_path, run_genesys):
    artifacts = _build(run_genesys, _project(tmp_path / "fn", sourcemap=True))

    names = _unzip(artifacts["function"]["path"], tmp_path / "task")
    assert names == ["package.json", "src/app.js", "src/app.js.map", "src/template.txt", "tsconfig.json"]
    bundle = (tmp_path / "task" / "src" / "app.js").read_text()
    assert 'require("is-number")' in bundle, "a dependency was bundled instead of left to the layer"
    assert "function greet(" in bundle, "the function's own module was not bundled"
    sources = json.loads((tmp_path / "task" / "src" / "app.js.map").read_text())["sources"]
    assert [s.rsplit("/", 2)[-2:] for s in sources] == [["src", "app.ts"], ["src", "greet.ts"]]
    assert not [s for s in sources if str(tmp_path) in s]

    _unzip(artifacts["layer"]["path"], tmp_path / "opt")
    script = "require('./task/src/app.js').handler({n: 3}).then((r) => process.stdout.write(r))"
    ran = subprocess.run(["node", "-e", script], cwd=tmp_path, capture_output=True, text=True,
                         env={"NODE_PATH": str(tmp_path / "opt" / "nodejs" / "node_modules"),
                              "PATH": str(Path(shutil.which("node")).parent)})
    assert (ran.returncode, ran.stdout) == (0, "got a number"), ran.stderr


@pytest.mark.typescript
@needs_node
def test_the_same_typescript_sources_under_two_paths_give_the_same_zip(tmp_path, run_genesys):
    first = _build(run_genesys, _project(tmp_path / "one" / "fn", sourcemap=True))["function"]
    second = _build(run_genesys, _project(tmp_path / "elsewhere" / "deeper" / "fn", sourcemap=True))["function"]
    assert first["sha256"] == second["sha256"]


@pytest.mark.typescript
@needs_node
def test_a_module_package_gets_an_es_module_bundle(tmp_path, run_genesys):
    fn = tmp_path / "fn"
    fn.mkdir()
    (fn / "package.json").write_text('{"name": "esm-fn", "version": "1.0.0", "type": "module"}\n')
    (fn / "index.ts").write_text(ESM_TS)
    (fn / "lambda_ts.toml").write_text(TOML)
    artifacts = _build(run_genesys, fn / "lambda_ts.toml")

    assert _unzip(artifacts["function"]["path"], tmp_path / "task") == ["index.js", "package.json"]
    assert "export {" in (tmp_path / "task" / "index.js").read_text()
    script = "import('./task/index.js').then(async (m) => process.stdout.write(await m.handler()))"
    ran = subprocess.run(["node", "-e", script], cwd=tmp_path, capture_output=True, text=True)
    assert (ran.returncode, ran.stdout) == (0, "esm true"), ran.stderr
