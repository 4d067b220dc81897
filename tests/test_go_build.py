"""Go functions: a real `go build` per architecture, a reproducible bootstrap zip, clear errors."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "go-hello"
ELF_MACHINE = {"x86_64": 0x3E, "arm64": 0xB7}


def _project(folder: Path) -> Path:
    """A copy of examples/go-hello as its own repo; returns its TOML."""
    shutil.copytree(EXAMPLE, folder)
    (folder / ".genesys").mkdir()
    return folder / "lambda_go_hello.toml"


def _build(run_genesys, toml: Path, **env):
    result = run_genesys("lambda", "build", "--output", "json", toml, env=env or None)
    assert result.code == 0, result.output
    return json.loads(result.stdout)["artifacts"]


@pytest.mark.needs_tools("go")
def test_go_builds_a_static_bootstrap_per_architecture_and_no_layer(tmp_path, run_genesys):
    artifacts = _build(run_genesys, _project(tmp_path / "fn"))

    assert {(a["kind"], a["arch"]) for a in artifacts} == {("function", "x86_64"), ("function", "arm64")}
    for artifact in artifacts:
        with zipfile.ZipFile(artifact["path"]) as archive:
            assert archive.namelist() == ["bootstrap"]
            info = archive.getinfo("bootstrap")
            assert (info.external_attr >> 16) & 0o777 == 0o755
            binary = archive.read("bootstrap")
        assert binary[:4] == b"\x7fELF"
        assert int.from_bytes(binary[18:20], "little") == ELF_MACHINE[artifact["arch"]]


@pytest.mark.needs_tools("go")
def test_same_go_sources_under_two_paths_give_the_same_zip(tmp_path, run_genesys):
    first = _build(run_genesys, _project(tmp_path / "one" / "fn"))
    second_toml = _project(tmp_path / "elsewhere" / "deeper" / "fn")
    os.utime(second_toml.parent / "main.go", (1_000_000_000, 1_000_000_000))
    second = _build(run_genesys, second_toml)

    digests = lambda artifacts: {a["arch"]: a["sha256"] for a in artifacts}  # noqa: E731
    assert digests(first) == digests(second)
    assert digests(first)["x86_64"] != digests(first)["arm64"]


@pytest.mark.needs_tools("go")
def test_go_module_without_a_main_package_exits_2_with_the_fix(tmp_path, run_genesys):
    toml = _project(tmp_path / "fn")
    (toml.parent / "main.go").write_text("package greeting\n\nfunc Hello() string { return \"hi\" }\n")

    result = run_genesys("lambda", "build", toml)

    assert result.code == 2, result.output
    assert "main package" in result.stderr and "Traceback" not in result.output
    assert str(toml) in result.stderr


@pytest.mark.needs_tools("go")
def test_main_package_only_in_a_subfolder_exits_2_pointing_at_source_path(tmp_path, run_genesys):
    toml = _project(tmp_path / "fn")
    cmd = toml.parent / "cmd" / "hello"
    cmd.mkdir(parents=True)
    (toml.parent / "main.go").rename(cmd / "main.go")
    (toml.parent / "lib.go").write_text("package greeting\n")

    result = run_genesys("lambda", "build", toml)

    assert result.code == 2, result.output
    line = toml.read_text().splitlines().index('source_path = "."') + 1
    assert f"{toml}:{line}: [build.source_path]" in result.stderr
    assert "not package main" in result.stderr and "cmd/<name>" in result.stderr
    assert "Traceback" not in result.output


def test_missing_go_toolchain_fails_with_an_install_hint(tmp_path, run_genesys):
    toml = _project(tmp_path / "fn")
    empty = tmp_path / "empty-path"
    empty.mkdir()

    result = run_genesys("lambda", "build", toml, env={"PATH": str(empty)})

    assert result.code == 1, result.output
    assert "`go` is not installed" in result.stderr and "golang-go" in result.stderr


@pytest.mark.needs_tools("go")
def test_the_go_example_answers_an_invocation_through_the_runtime_api(tmp_path, run_genesys):
    """Run the built bootstrap against a minimal Runtime API, as Lambda would."""
    import http.server
    import subprocess
    import threading

    artifacts = _build(run_genesys, _project(tmp_path / "fn"))
    zip_path = next(a["path"] for a in artifacts if a["arch"] == "x86_64")
    with zipfile.ZipFile(zip_path) as archive:
        archive.extract("bootstrap", tmp_path / "run")
    bootstrap = tmp_path / "run" / "bootstrap"
    bootstrap.chmod(0o755)

    events = [b'{"name": "lambda"}']
    responses: list[tuple[str, bytes]] = []
    done = threading.Event()

    class RuntimeApi(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802 - the http.server naming
            if not events:
                done.wait(10)  # hold the next poll open until the test kills the function
                self.close_connection = True
                return
            body = events.pop()
            self.send_response(200)
            self.send_header("Lambda-Runtime-Aws-Request-Id", "req-1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            responses.append((self.path, body))
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
            done.set()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proc = subprocess.Popen([str(bootstrap)], env={"AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_port}"})
    try:
        assert done.wait(30), "the function never posted a response"
    finally:
        proc.kill()
        proc.wait()
        server.shutdown()
    assert responses == [("/2018-06-01/runtime/invocation/req-1/response", b'{"message":"hello lambda"}')]


@pytest.mark.needs_tools("go")
def test_a_compile_error_fails_with_the_compiler_message(tmp_path, run_genesys):
    toml = _project(tmp_path / "fn")
    main = toml.parent / "main.go"
    main.write_text(main.read_text().replace('req.Name = "world"', "req.Name = 42"))

    result = run_genesys("lambda", "build", toml)

    assert result.code == 1, result.output
    assert "go build for x86_64 failed" in result.stderr and "main.go" in result.stderr
    assert "go build ." in result.stderr


@pytest.mark.needs_tools("go")
def test_a_module_that_cannot_be_fetched_says_how_to_get_it(tmp_path, run_genesys):
    toml = _project(tmp_path / "fn")
    (toml.parent / "go.mod").write_text("module example.com/go-hello\n\ngo 1.19\n\n"
                                        "require example.com/not/there v1.0.0\n")
    main = toml.parent / "main.go"
    main.write_text(main.read_text().replace('import (\n', 'import (\n\t_ "example.com/not/there"\n'))

    result = run_genesys("lambda", "build", toml, env={"GOPROXY": "off", "GOFLAGS": "-mod=mod"})

    assert result.code == 1, result.output
    assert "go mod download" in result.stderr
