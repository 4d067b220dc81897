"""uv builds Python layers by default: found through genesys's own installation, with pip's settings read
in-process, and pip only where uv cannot do the job, said once."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest
from test_local_builds import _write_wheel, build, python_job

from genesys_tasks.build import local_python, pip_config

SERVED_ONLY = "genesys-served-demo"  # on no index but the one these tests serve


@pytest.fixture
def served_index(tmp_path):
    """A PEP 503 simple index on http://127.0.0.1 holding one wheel no other index has."""
    project = tmp_path / "index" / "simple" / SERVED_ONLY
    project.mkdir(parents=True)
    wheel = _write_wheel(project, SERVED_ONLY, "1.0")
    (project / "index.html").write_text(f'<html><body><a href="{wheel.name}">{wheel.name}</a></body></html>\n')
    handler = functools.partial(_QuietHandler, directory=str(tmp_path / "index"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    server.shutdown()
    server.server_close()
    thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _build_with_auto(tmp_path: Path) -> tuple[list[str], list[str]]:
    lines: list[str] = []
    job = python_job(tmp_path / "fn", f"{SERVED_ONLY}==1.0\n", installer="auto", debug=True, log=lines.append)
    _, names = build(job, tmp_path / "work")
    return lines, names


def test_an_index_url_in_pip_conf_reaches_uv(tmp_path, served_index, monkeypatch):
    conf = tmp_path / "pip.conf"
    conf.write_text(f"[global]\nindex-url = {served_index}\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    lines, names = _build_with_auto(tmp_path)
    assert any(line.startswith("installing") and "with uv" in line for line in lines), lines
    assert f"python/{SERVED_ONLY.replace('-', '_')}.py" in names


def test_an_index_url_in_pip_index_url_reaches_uv(tmp_path, served_index, monkeypatch):
    monkeypatch.setenv("PIP_INDEX_URL", served_index)
    lines, names = _build_with_auto(tmp_path)
    assert any(line.startswith("installing") and "with uv" in line for line in lines), lines
    assert f"python/{SERVED_ONLY.replace('-', '_')}.py" in names


def test_pip_settings_come_from_pip_files_in_pip_order_with_install_and_variables_winning(tmp_path):
    home, prefix = tmp_path / "home", tmp_path / "venv"
    (home / ".config" / "pip").mkdir(parents=True)
    (home / ".pip").mkdir()
    prefix.mkdir()
    (home / ".pip" / "pip.conf").write_text("[global]\nindex-url = https://legacy.example/simple\ntimeout = 5\n")
    (home / ".config" / "pip" / "pip.conf").write_text(
        "[global]\nindex-url = https://user.example/simple\ntrusted-host = user.example\n"
        "[install]\nExtra_Index_URL = https://extra.example/simple\n[freeze]\nall = true\n")
    (prefix / "pip.conf").write_text("[global]\ncert = /venv/ca.pem\n")
    environ = {"HOME": str(home), "XDG_CONFIG_DIRS": str(tmp_path / "none"), "PIP_FIND_LINKS": "/env/wheels",
               "PIP_VERSION": "1"}
    settings = pip_config.pip_settings(environ, prefix=str(prefix))
    expected = {"index-url": "https://user.example/simple", "timeout": "5", "trusted-host": "user.example",
                "extra-index-url": "https://extra.example/simple", "cert": "/venv/ca.pem", "find-links": "/env/wheels"}
    assert {key: settings.get(key) for key in expected} == expected  # /etc/pip.conf may add others
    assert "all" not in settings and "version" not in settings


def test_pip_config_file_replaces_the_user_files_and_devnull_reads_no_file(tmp_path):
    home = tmp_path / "home"
    (home / ".config" / "pip").mkdir(parents=True)
    (home / ".config" / "pip" / "pip.conf").write_text("[global]\nindex-url = https://user.example/simple\n")
    named = tmp_path / "named.conf"
    named.write_text("[install]\nno-index = true\n")
    base = {"HOME": str(home), "XDG_CONFIG_DIRS": str(tmp_path / "none")}
    prefix = str(tmp_path / "venv")
    with_named = pip_config.pip_settings({**base, "PIP_CONFIG_FILE": str(named)}, prefix=prefix)
    assert with_named["no-index"] == "true" and "index-url" not in with_named
    assert pip_config.pip_settings({**base, "PIP_CONFIG_FILE": os.devnull}, prefix=prefix) == {
        "config-file": os.devnull}
    assert pip_config.pip_settings(base, prefix=prefix)["index-url"] == "https://user.example/simple"


def test_a_named_pip_config_file_still_lets_auto_take_uv(tmp_path, monkeypatch):
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\ntimeout = 30\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    assert local_python.choose(python_job(tmp_path, "six\n", installer="auto")) == "uv"


def test_auto_says_once_why_pip_builds_a_layer_uv_cannot_target(tmp_path):
    lines: list[str] = []
    for _ in range(3):  # every layer asks; the build output says it once
        job = python_job(tmp_path, "six\n", installer="auto", runtime="python3.11", log=lines.append)
        assert local_python.choose(job) == "pip"
    assert len(lines) == 1, lines
    assert "pip builds the python3.11 x86_64 layers, not uv" in lines[0]
    assert "glibc 2.26" in lines[0]


def test_auto_says_once_that_pip_builds_when_pip_settings_do_not_translate(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_NO_BINARY", "six")
    lines: list[str] = []
    for _ in range(2):
        local_python.choose(python_job(tmp_path, "six\n", installer="auto", log=lines.append))
    assert len(lines) == 1 and "uv does not read pip's settings no-binary" in lines[0], lines


def test_auto_says_that_pip_builds_when_uv_is_not_installed(tmp_path, monkeypatch):
    monkeypatch.setattr(local_python, "uv_binary", lambda: None)
    lines: list[str] = []
    assert local_python.choose(python_job(tmp_path, "six\n", installer="auto", log=lines.append)) == "pip"
    assert lines and "uv is not installed" in lines[0]


def test_no_pip_config_subprocess_is_started_to_choose_the_installer(tmp_path, monkeypatch):
    import subprocess

    started: list = []
    real = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: started.append(a) or real(*a, **k))
    local_python._uv_version.cache_clear()
    job = python_job(tmp_path, "six\n", installer="auto")
    assert local_python.version(job).startswith("uv ")
    assert started == []


def test_build_uses_the_installed_uv_when_the_venv_is_not_on_path(tmp_path, run_genesys):
    import sys

    fn = tmp_path / "fn"
    fn.mkdir()
    (fn / "app.py").write_text("import six\n\n\ndef handler(event, context):\n    return six.PY3\n")
    (fn / "requirements.txt").write_text("six\n")
    (fn / "lambda_fn.toml").write_text('[metadata]\nname = "no-path"\nruntime = "python3.12"\n'
                                       'handler = "app.handler"\n')
    bare_path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                if Path(p).resolve() != Path(sys.executable).parent.resolve())
    result = run_genesys("lambda", "build", "--debug", "lambda_fn.toml", cwd=fn,
                         env={"PATH": bare_path, "GENESYS_CACHE_DIR": str(tmp_path / "cache")})
    assert result.code == 0, result.output
    assert "with uv for python3.12" in result.output, result.output
    assert "not uv" not in result.output


def test_the_installer_version_is_read_as_importlib_metadata_reads_it_without_the_email_parser():
    import importlib.metadata
    import subprocess
    import sys

    assert [local_python._installed_version(p) for p in ("uv", "pip")] == [
        importlib.metadata.version(p) for p in ("uv", "pip")]
    script = ("import sys; from genesys_tasks.build import local_python; "
              "print(local_python._installed_version('uv'), 'email.parser' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True).stdout
    assert out.split() == [importlib.metadata.version("uv"), "False"]
