"""Defaults that fit: Node builds locally unless a native addon needs the Lambda image (and then says
why), a container build with nothing to install pulls no image, volumes that hand the build container
this machine are a warning naming the risk, and a failed runtime client install shows its real error."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from genesys_tasks.config import checks, load
from genesys_tasks.errors import BuildError
from genesys_tasks.local import clients

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _fake_engine(folder: Path) -> Path:
    """A ``podman`` that records each call and fails: a build that needs no engine never runs it."""
    folder.mkdir(parents=True, exist_ok=True)
    engine = folder / "podman"
    engine.write_text(f'#!/bin/sh\necho "$@" >> "{folder}/calls"\necho "no engine here" >&2\nexit 125\n')
    engine.chmod(engine.stat().st_mode | stat.S_IXUSR)
    return folder


def _with_podman(tmp_path: Path) -> dict:
    return {"PATH": f"{_fake_engine(tmp_path / 'engine')}{os.pathsep}{os.environ['PATH']}"}


def _copy(source: Path, tmp_path: Path) -> Path:
    folder = tmp_path / source.name
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("lambda_*.toml"))
    (folder / ".git").mkdir()
    return folder


def _init(run_genesys, folder: Path, env: dict):
    done = run_genesys("init", "--source", ".", "--name", "fn", "--yes", cwd=folder, env=env)
    assert done.code == 0, done.output
    return done, load(next(folder.glob("lambda_fn_*.toml")))


def test_init_picks_a_local_build_for_node_even_with_podman_installed(run_genesys, tmp_path):
    done, spec = _init(run_genesys, _copy(EXAMPLES / "node-cjs", tmp_path), _with_podman(tmp_path))
    assert spec.build.build_method == "local"


def test_init_picks_podman_for_a_native_addon_and_says_which_package_needs_it(run_genesys, tmp_path):
    done, spec = _init(run_genesys, _copy(FIXTURES / "node-native-addon", tmp_path), _with_podman(tmp_path))
    assert spec.build.build_method == "podman"
    assert 'build_method = "podman": bcrypt compile native addons in install scripts' in done.stderr
    assert "esbuild" not in done.stderr  # a dev dependency is not shipped


def test_a_container_build_with_nothing_to_install_runs_no_engine(run_genesys, tmp_path):
    folder = tmp_path / "fn"
    shutil.copytree(FIXTURES / "node-no-dependencies", folder)
    (folder / ".git").mkdir()
    done = run_genesys("lambda", "build", folder / "lambda_no_dependencies.toml", env=_with_podman(tmp_path))
    assert done.code == 0, done.output
    assert not (tmp_path / "engine" / "calls").exists()


@pytest.mark.parametrize("volume, risk", [
    ("/:/host", "the whole file system of this machine"),
    ("~:/home/me:ro", "the home folder: SSH keys, cloud credentials and tokens"),
    ("/var/run/docker.sock:/var/run/docker.sock", "the container engine's socket"),
    (f"{os.environ.get('XDG_RUNTIME_DIR', '/run/user/0')}/podman/podman.sock:/run/podman.sock",
     "the container engine's socket"),
])
def test_a_volume_handing_the_build_container_this_machine_is_a_warning_naming_the_risk(tmp_path, volume, risk):
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
    toml = tmp_path / "lambda_v.toml"
    toml.write_text('[metadata]\nname = "v"\nruntime = "python3.12"\nhandler = "app.handler"\n\n'
                    f'[build]\nbuild_method = "podman"\ncontainer_volumes = ["./data:/data:ro", "{volume}"]\n')
    said = [w for w in checks.warnings(load(toml)) if "container_volumes" in w]
    assert len(said) == 1 and risk in said[0] and "./data" not in said[0]


NPM_COMPILE_FAILURE = r"""
echo "npm warn deprecated inflight@1.0.6: This module is not supported" >&2
echo "npm error code 1" >&2
echo "npm error path /tmp/x/node_modules/aws-lambda-ric" >&2
echo "npm error command failed" >&2
echo "npm error command sh -c ./scripts/preinstall.sh" >&2
echo "npm error configure: error: cannot find curl/curl.h (libcurl development headers)" >&2
echo "npm error A complete log of this run can be found in: /root/.npm/_logs/debug-0.log" >&2
echo "npm warn cleanup Failed to remove some directories" >&2
exit 1
"""


def test_a_failed_client_install_shows_the_real_error_line_not_npms_last_warning(tmp_path):
    with pytest.raises(BuildError) as failed:
        clients._install(tmp_path / "client", ["sh", "-c", NPM_COMPILE_FAILURE], "aws-lambda-ric")
    assert "configure: error: cannot find curl/curl.h" in failed.value.message
    assert "npm warn" not in failed.value.message and "complete log" not in failed.value.message


def test_npms_own_error_for_a_missing_version_is_the_line_shown(tmp_path):
    from ci_tools import need

    need("npm")
    npm = shutil.which("npm")
    with pytest.raises(BuildError) as failed:
        clients._install(tmp_path / "client", [npm, "install", "--prefix", "{dest}", "--no-audit", "--no-fund",
                                               "--loglevel=error", "aws-lambda-ric@999.0.0"], "aws-lambda-ric")
    assert "No matching version found for aws-lambda-ric@999.0.0" in failed.value.message
    assert "complete log" not in failed.value.message
    assert not (tmp_path / "client").exists()
