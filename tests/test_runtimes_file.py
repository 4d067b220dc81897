"""Runtime files: project-defined runtimes picked up without code changes; Ruby shipped as one."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

# A made-up language: the runtime row alone tells genesys how to build its layer.
CUSTOM_RUNTIMES = '''
[runtimes."shell1"]
language = "shell"
version = "1"
layer_path = "bin"
image = "example/shell:1"
dependency_files = ["tools.txt"]
extensions = [".sh"]
build_commands = ["mkdir -p {layer} && sort {manifest} > {layer}/tools.txt"]
deprecation = 2030-01-31
block_create = "2030-02-28"
block_update = 2030-03-31
'''
CUSTOM_TOML = '''[metadata]
name = "shell-fn"
runtime = "shell1"
handler = "handler.run"
'''


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".git").mkdir()
    return root


def test_a_project_runtime_is_built_and_listed_without_code_changes(tmp_path, run_genesys):
    root = _repo(tmp_path)
    (root / "genesys-runtimes.toml").write_text(CUSTOM_RUNTIMES)
    fn = root / "fn"
    fn.mkdir()
    (fn / "handler.sh").write_text("run() { echo hi; }\n")
    (fn / "tools.txt").write_text("jq\ncurl\n")
    (fn / "lambda_shell.toml").write_text(CUSTOM_TOML)

    result = run_genesys("lambda", "build", "--output", "json", fn / "lambda_shell.toml")
    assert result.code == 0, result.output
    artifacts = {a["kind"]: a for a in json.loads(result.stdout)["artifacts"]}
    with zipfile.ZipFile(artifacts["layer"]["path"]) as layer:
        assert layer.namelist() == ["bin/tools.txt"] and layer.read("bin/tools.txt") == b"curl\njq\n"
    with zipfile.ZipFile(artifacts["function"]["path"]) as function:
        assert function.namelist() == ["handler.sh"], "the dependency file belongs to the layer"

    listed = run_genesys("runtimes", "--output", "json", cwd=root)
    row = next(r for r in json.loads(listed.stdout)["runtimes"] if r["id"] == "shell1")
    assert row == {"id": "shell1", "language": "shell", "version": "1", "status": "supported",
                   "deprecation": "2030-01-31", "block_create": "2030-02-28", "block_update": "2030-03-31",
                   "replacement": None}


def test_a_project_file_overrides_a_built_in_runtime(tmp_path, run_genesys):
    root = _repo(tmp_path)
    (root / "genesys-runtimes.toml").write_text('[runtimes."java11"]\nblock_create = 2026-01-01\n'
                                                'block_update = 2026-02-01\n')
    listed = run_genesys("runtimes", "--output", "json", cwd=root)
    rows = {r["id"]: r for r in json.loads(listed.stdout)["runtimes"]}
    assert rows["java11"]["status"] == "update blocked" and rows["java11"]["language"] == "java"
    assert rows["java11"]["deprecation"] == "2027-06-30", "fields the file does not name keep their values"
    assert rows["java17"]["status"] == "supported"


def test_a_runtime_missing_a_field_exits_2_with_file_and_line(tmp_path, run_genesys):
    root = _repo(tmp_path)
    runtimes = root / "genesys-runtimes.toml"
    runtimes.write_text('# ours\n\n[runtimes."lua5"]\nlanguage = "lua"\nversion = "5.4"\n')

    result = run_genesys("runtimes", cwd=root)

    assert result.code == 2, result.output
    assert "error: genesys-runtimes.toml:3" in result.stderr and "'layer_path'" in result.stderr and "fix:" in result.stderr
    assert "Traceback" not in result.output


def test_an_unknown_runtime_field_exits_2_with_a_suggestion(tmp_path, run_genesys):
    root = _repo(tmp_path)
    runtimes = root / "genesys-runtimes.toml"
    runtimes.write_text('[runtimes."lua5"]\nlanguage = "lua"\nversion = "5.4"\nlayer_path = "lua"\nimagee = "x"\n')

    result = run_genesys("runtimes", cwd=root)

    assert result.code == 2
    assert "error: genesys-runtimes.toml:5" in result.stderr and "did you mean 'image'?" in result.stderr


@pytest.mark.parametrize("content, expected", [
    (b"runtimes = 3\n", ":1: [runtimes]: runtimes must be a table"),
    (b"# ours\n[runtimes\n", ":2: not valid TOML"),
    (b"\xff\xfe", "cannot read it"),
])
def test_a_malformed_runtime_file_exits_2_with_its_line_and_no_traceback(tmp_path, run_genesys, content, expected):
    root = _repo(tmp_path)
    runtimes = root / "genesys-runtimes.toml"
    runtimes.write_bytes(content)

    result = run_genesys("runtimes", cwd=root)

    assert result.code == 2, result.output
    assert expected in result.stderr and f"error: {runtimes.name}:" in result.stderr  # relative to the cwd
    assert "Traceback" not in result.output and "internal error" not in result.output


def test_runtimes_lists_lifecycle_status_on_the_given_day(tmp_path, run_genesys):
    result = run_genesys("runtimes", "--output", "json", cwd=tmp_path, env={"GENESYS_TODAY": "2026-11-26"})
    assert result.code == 0, result.output
    data = json.loads(result.stdout)
    rows = {r["id"]: r for r in data["runtimes"]}
    assert data["today"] == "2026-11-26"
    assert rows["python3.9"]["status"] == "update blocked"
    assert rows["python3.10"]["status"] == "deprecated" and rows["python3.10"]["deprecation"] == "2026-10-31"
    assert rows["python3.14"]["status"] == "supported"
    assert rows["ruby3.3"]["block_create"] == "2027-04-30" and rows["ruby3.3"]["replacement"] == "ruby3.4"

    text = run_genesys("runtimes", cwd=tmp_path, env={"GENESYS_TODAY": "2027-04-30"})
    line = next(line for line in text.stderr.splitlines() if line.startswith("ruby3.3"))
    assert "create blocked" in line and "2027-04-30" in line


GEMSPEC = '''Gem::Specification.new do |s|
  s.name = "hello_gem"
  s.version = "0.1.0"
  s.summary = "greets"
  s.authors = ["genesys"]
  s.files = ["lib/hello_gem.rb"]
  s.license = "MIT"
end
'''
GEMFILE_LOCK = """GEM
  specs:
    hello_gem (0.1.0)

PLATFORMS
  ruby
  x86_64-linux

DEPENDENCIES
  hello_gem
"""


@pytest.mark.needs_tools("ruby", "gem", "bundle")
def test_ruby_layer_is_built_with_bundler_into_ruby_gems(tmp_path, run_genesys):
    # A real gem, built here and vendored, so Bundler installs it with no gem server.
    gem_source = tmp_path / "gem"
    (gem_source / "lib").mkdir(parents=True)
    (gem_source / "hello_gem.gemspec").write_text(GEMSPEC)
    (gem_source / "lib" / "hello_gem.rb").write_text('module HelloGem\n  def self.greet(n) = "hello #{n}"\nend\n')
    subprocess.run(["gem", "build", "hello_gem.gemspec"], cwd=gem_source, check=True, capture_output=True)
    root = _repo(tmp_path)
    fn = root / "fn"
    (fn / "vendor" / "cache").mkdir(parents=True)
    shutil.copy(gem_source / "hello_gem-0.1.0.gem", fn / "vendor" / "cache")
    (fn / "Gemfile").write_text('gem "hello_gem"\n')
    (fn / "Gemfile.lock").write_text(GEMFILE_LOCK)
    (fn / "app.rb").write_text('require "hello_gem"\n\ndef handler(event:, context:)\n  HelloGem.greet("ruby")\nend\n')
    (fn / "lambda_ruby.toml").write_text('[metadata]\nname = "ruby-fn"\nruntime = "ruby3.3"\nhandler = "app.handler"\n')

    result = run_genesys("lambda", "build", "--output", "json", fn / "lambda_ruby.toml")

    assert result.code == 0, result.output
    artifacts = {a["kind"]: a for a in json.loads(result.stdout)["artifacts"]}
    with zipfile.ZipFile(artifacts["layer"]["path"]) as layer:
        names = layer.namelist()
    assert "ruby/gems/3.3.0/gems/hello_gem-0.1.0/lib/hello_gem.rb" in names
    assert "ruby/gems/3.3.0/specifications/hello_gem-0.1.0.gemspec" in names
    assert not any("/cache/" in name for name in names)
    with zipfile.ZipFile(artifacts["function"]["path"]) as function:
        assert "app.rb" in function.namelist() and "Gemfile.lock" not in function.namelist()
    assert not (fn / ".bundle").exists(), "the build must not write Bundler settings into the source"


def test_a_failing_build_command_fails_the_layer_naming_the_runtime_and_program(tmp_path, run_genesys):
    root = _repo(tmp_path)
    (root / "genesys-runtimes.toml").write_text(
        CUSTOM_RUNTIMES.replace("mkdir -p {layer} && sort {manifest} > {layer}/tools.txt",
                                "LANG=C genesys-no-such-tool {manifest}"))
    fn = root / "fn"
    fn.mkdir()
    (fn / "handler.sh").write_text("run() { echo hi; }\n")
    (fn / "tools.txt").write_text("jq\n")
    (fn / "lambda_shell.toml").write_text(CUSTOM_TOML)

    result = run_genesys("lambda", "build", fn / "lambda_shell.toml")

    assert result.code == 1, result.output
    assert "shell1 build command 1 (genesys-no-such-tool ...) failed (exit 127)" in result.stderr
    assert "build_commands of runtime shell1" in result.stderr
