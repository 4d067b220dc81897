"""What the function zip carries: the sources less layer-only files, dependency folders and function TOMLs."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from genesys_tasks.build.package import function_sources, packager_for, zip_sources
from genesys_tasks.config import load
from settled import settled

TOML = '[metadata]\nname = "{name}"\nruntime = "{runtime}"\nhandler = "{handler}"\n'


def _names(spec) -> list[str]:
    return [name for name, _ in function_sources(spec)]


def _python(tmp_path: Path, toml_name: str = "lambda_fn.toml") -> Path:
    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (tmp_path / "requirements.txt").write_text("six\n")
    (tmp_path / "poetry.lock").write_text("")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'fn'\n")
    toml = tmp_path / toml_name
    toml.write_text(TOML.format(name="fn", runtime="python3.12", handler="app.lambda_handler"))
    return toml


def test_other_function_tomls_stay_out_by_the_default_pattern(tmp_path, monkeypatch):
    monkeypatch.delenv("GENESYS_PATTERN", raising=False)
    spec = load(_python(tmp_path))
    (tmp_path / "lambda_other.toml").write_text("")
    (tmp_path / "fn_other.toml").write_text("")
    assert _names(spec) == ["app.py", "fn_other.toml", "pyproject.toml"]


def test_genesys_pattern_decides_which_tomls_are_functions_and_stay_out(tmp_path, monkeypatch):
    monkeypatch.setenv("GENESYS_PATTERN", "fn_*.toml")
    spec = load(_python(tmp_path, "fn_main.toml"))
    (tmp_path / "fn_other.toml").write_text("")
    (tmp_path / "lambda_data.toml").write_text("")  # under this pattern, no function's TOML: it ships
    assert _names(spec) == ["app.py", "lambda_data.toml", "pyproject.toml"]
    assert [n for n, _ in function_sources(spec, pattern="lambda_*.toml")] == ["app.py", "fn_other.toml",
                                                                               "pyproject.toml"]


def test_genesys_pattern_reaches_the_package_task_of_lambda_build(tmp_path, run_genesys):
    toml = _python(tmp_path, "fn_main.toml")
    (tmp_path / ".git").mkdir()
    (tmp_path / "fn_other.toml").write_text("")
    result = run_genesys("lambda", "build", "--output", "json", toml, env={"GENESYS_PATTERN": "fn_*.toml"})
    assert result.code == 0, result.output
    artifacts = {a["kind"]: a for a in json.loads(result.stdout)["artifacts"]}
    with zipfile.ZipFile(artifacts["function"]["path"]) as archive:
        assert archive.namelist() == ["app.py", "pyproject.toml"]


def test_layer_only_files_come_from_the_language_table(tmp_path):
    (tmp_path / "index.js").write_text("exports.handler = async () => 1;\n")
    for name in ("package.json", "package-lock.json", "yarn.lock"):
        (tmp_path / name).write_text("{}\n")
    (tmp_path / "node_modules" / "ms").mkdir(parents=True)
    (tmp_path / "node_modules" / "ms" / "index.js").write_text("")
    toml = tmp_path / "lambda_fn.toml"
    toml.write_text(TOML.format(name="fn", runtime="nodejs22.x", handler="index.handler"))
    assert _names(load(toml)) == ["index.js", "package.json"], "Node reads package.json; the locks feed the layer"


def test_packagers_are_the_ones_the_language_table_names(tmp_path):
    from genesys_tasks.build.golang import package_go
    from genesys_tasks.build.java import package_java

    python = load(_python(tmp_path))
    assert packager_for(python) is zip_sources
    go = tmp_path / "go"
    go.mkdir()
    (go / "main.go").write_text("package main\n\nfunc main() {}\n")
    (go / "lambda_go.toml").write_text(TOML.format(name="go", runtime="provided.al2023", handler="bootstrap"))
    assert packager_for(load(go / "lambda_go.toml")) is package_go
    java = tmp_path / "java"
    (java / "src").mkdir(parents=True)
    (java / "src" / "Handler.java").write_text("public class Handler { public String handleRequest(Object i, "
                                               "Object c) { return \"\"; } }\n")
    (java / "lambda_java.toml").write_text(TOML.format(name="j", runtime="java21", handler="Handler::handleRequest"))
    assert packager_for(load(java / "lambda_java.toml")) is package_java


def test_packaging_a_python_function_loads_no_compiler_module(tmp_path):
    _python(tmp_path)
    code = ("import sys; from genesys_tasks.config import load; from genesys_tasks.build.package import "
            "function_sources, packager_for; spec = load(sys.argv[1]); function_sources(spec); packager_for(spec);"
            "sys.exit(1 if {'genesys_tasks.build.golang', 'genesys_tasks.build.java'} & set(sys.modules) else 0)")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "lambda_fn.toml")], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr


def _python_in_src(tmp_path: Path) -> Path:
    """``_python`` in ``tmp_path/src``: the zips the tests write beside it change no folder of the sources."""
    (tmp_path / "src").mkdir()
    return _python(tmp_path / "src")


def _zipped(spec, dest: Path) -> dict[str, bytes]:
    from genesys_tasks.build.package import package_function

    package_function(spec, {"x86_64": dest})
    with zipfile.ZipFile(dest) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _walks(monkeypatch) -> list[Path]:
    from genesys_tasks.build import package

    walked, real = [], package.source_listing
    monkeypatch.setattr(package, "source_listing", lambda source, rules: walked.append(source) or real(source, rules))
    return walked


def test_the_zip_after_a_load_takes_the_listing_the_load_made_when_nothing_changed(tmp_path, monkeypatch):
    from genesys_tasks.build import package, walk

    monkeypatch.setattr(walk, "RACY_NS", 0)
    spec = load(_python_in_src(tmp_path))
    settled(spec.source_path)
    package.function_listing(spec)  # as the load does
    walked = _walks(monkeypatch)
    assert set(_zipped(spec, tmp_path / "fn.zip")) == {"app.py", "pyproject.toml"}
    assert walked == []
    assert set(_zipped(spec, tmp_path / "again.zip")) == {"app.py", "pyproject.toml"}
    assert walked == [spec.source_path]  # taken once: a later build walks again


def test_a_source_file_added_or_edited_after_the_load_is_zipped_as_it_is_then(tmp_path, monkeypatch):
    from genesys_tasks.build import package, walk

    monkeypatch.setattr(walk, "RACY_NS", 0)
    spec = load(_python_in_src(tmp_path))
    settled(spec.source_path)
    package.function_listing(spec)
    # what another function's pre_build hook writes into a source folder they share
    (spec.source_path / "generated.py").write_text("made = True\n")
    (spec.source_path / "app.py").write_text("edited = True\n")
    walked = _walks(monkeypatch)
    zipped = _zipped(spec, tmp_path / "fn.zip")
    assert set(zipped) == {"app.py", "generated.py", "pyproject.toml"}
    assert zipped["app.py"] == b"edited = True\n"
    assert walked == [spec.source_path]


def test_a_function_with_pre_build_hooks_walks_its_sources_again_after_them(tmp_path, monkeypatch):
    from genesys_tasks.build import package, walk

    monkeypatch.setattr(walk, "RACY_NS", 0)
    toml = _python_in_src(tmp_path)
    toml.write_text(toml.read_text() + '\n[build]\npre_build = ["true"]\n')
    spec = load(toml)
    settled(spec.source_path)
    package.function_listing(spec)
    walked = _walks(monkeypatch)
    assert set(_zipped(spec, tmp_path / "fn.zip")) == {"app.py", "pyproject.toml"}
    assert walked == [spec.source_path]


def test_a_listing_of_sources_changed_just_before_it_or_made_for_another_spec_is_not_taken(tmp_path, monkeypatch):
    from genesys_tasks.build import package

    toml = _python_in_src(tmp_path)
    spec = load(toml)
    package.function_listing(spec)  # the sources were written within walk.RACY_NS of it
    walked = _walks(monkeypatch)
    _zipped(spec, tmp_path / "fn.zip")
    assert walked == [spec.source_path]
    package.function_listing(spec)
    walked.clear()
    _zipped(load(toml), tmp_path / "fn.zip")  # the TOML loaded again: another spec
    assert walked == [spec.source_path]


def test_package_function_returns_the_sha256_of_each_zip_it_wrote_or_copied(tmp_path):
    import hashlib

    from genesys_tasks.build.package import package_function

    spec = load(_python_in_src(tmp_path))
    dests = {"x86_64": tmp_path / "x86.zip", "arm64": tmp_path / "arm.zip"}
    assert package_function(spec, dests) == {dest: hashlib.sha256(dest.read_bytes()).hexdigest()
                                             for dest in dests.values()}
