"""The interpreter a local Python run uses: the real one a version shim runs (resolved once), and a
runtime version missing on this machine said once, offering ``uv python install`` where uv is."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import sys
from pathlib import Path

import pytest
from local_functions import invoke_once, python_function

from genesys_tasks.local import clients
from genesys_tasks.local.function import Options
from genesys_tasks.tasks.runner import load_spec, run_tasks


@pytest.fixture(autouse=True)
def _fresh_probe():
    clients.python_for.cache_clear()
    yield
    clients.python_for.cache_clear()


def _script(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    toml = python_function(tmp_path_factory.mktemp("interp") / "fn", "app.chatty")
    root, spec = load_spec(toml)
    assert run_tasks(toml, ["build:{name}"], spec=spec) == 0
    return root, spec


def test_a_version_shim_on_path_is_replaced_by_the_interpreter_it_runs(built, tmp_path, monkeypatch):
    # as a pyenv shim does: it runs an interpreter only when the caller's environment selects one
    shims = tmp_path / "shims"
    _script(shims, "python3.12", f'#!/bin/sh\n[ -n "$SHIM_SELECTED" ] || {{ echo "shim: no version selected" >&2; '
                                 f'exit 127; }}\nexec "{sys.executable}" "$@"\n')
    monkeypatch.setenv("SHIM_SELECTED", "1")
    monkeypatch.setenv("PATH", f"{shims}{os.pathsep}{os.environ['PATH']}")
    root, spec = built
    result, launch = invoke_once(spec, root, Options(client="plain"))
    assert launch.argv[0] == sys.executable
    assert result.kind == "ok", result.payload
    assert json.loads(result.payload)["region"]


def _missing_version_notes(monkeypatch, tmp_path, with_uv: bool) -> list[str]:
    tools = tmp_path / "tools"
    tools.mkdir()
    if with_uv:
        _script(tools, "uv", "#!/bin/sh\nexit 0\n")
    monkeypatch.setenv("PATH", str(tools))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(tmp_path / "no-uv-pythons"))
    spec = dataclasses.replace(load_spec(python_function(tmp_path / "fn"))[1])
    spec = dataclasses.replace(spec, runtime=dataclasses.replace(spec.runtime, id="python3.99", version="3.99"))
    said: list[str] = []
    launch = clients.launch_for(spec, None, "plain", said.append)
    assert launch.argv[0] == sys.executable
    return said


def test_a_missing_runtime_python_is_said_once_offering_uv_python_install(monkeypatch, tmp_path):
    said = _missing_version_notes(monkeypatch, tmp_path, with_uv=True)
    assert len(said) == 1
    assert "python3.99 runs here with Python %d.%d: Python 3.99 is not installed" % sys.version_info[:2] in said[0]
    assert "`uv python install 3.99` installs it" in said[0]


def test_without_uv_the_missing_python_note_names_the_other_ways(monkeypatch, tmp_path):
    said = _missing_version_notes(monkeypatch, tmp_path, with_uv=False)
    assert len(said) == 1 and "uv python install" not in said[0]
    assert "install it with pyenv, uv or the system's packages" in said[0]
