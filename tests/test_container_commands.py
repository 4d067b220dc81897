"""The exact podman/docker command lines of container layer builds, and their error messages.

Pure: no engine runs here (the machine has no arm64 emulation and no Docker engine),
so these pin the shape of every variant the real-Podman tests cannot reach.
"""

from __future__ import annotations

import shutil

import pytest

from genesys_tasks.build import container
from genesys_tasks.build.container import CA_MOUNT, Host
from genesys_tasks.build.installers import InstallJob
from genesys_tasks.errors import EXIT_BAD_INPUT, EXIT_FAILED, BuildError, ConfigError
from genesys_tasks.runtimes import RUNTIME_TABLE, from_row

ROOTFUL = Host(uid=1234, gid=4321, rootless=False, selinux=False)
PIP_SCRIPT = ("python3 -m pip install --no-compile --disable-pip-version-check -r /src/requirements.txt"
              " -t /opt/python && rm -rf /opt/python/bin")
BASE_ENV = ["-e", "HOME=/tmp", "-e", "PIP_ROOT_USER_ACTION=ignore"]


def python_job(tmp_path, **overrides) -> InstallJob:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "requirements.txt").write_text("six==1.16.0\n")
    fields = dict(runtime=from_row("python3.11", RUNTIME_TABLE["python3.11"]), arch="x86_64",
                  manifest=src / "requirements.txt", source=src, target=tmp_path / "layer", method="podman")
    fields.update(overrides)
    return InstallJob(**fields)


def node_job(tmp_path, lock: bool, **overrides) -> InstallJob:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "package.json").write_text('{"dependencies": {"is-number": "7.0.0"}}')
    if lock:
        (src / "package-lock.json").write_text("{}")
    fields = dict(runtime=from_row("nodejs18.x", RUNTIME_TABLE["nodejs18.x"]), arch="x86_64",
                  manifest=src / "package.json", source=src, target=tmp_path / "layer", method="podman")
    fields.update(overrides)
    return InstallJob(**fields)


@pytest.mark.parametrize("engine", ["podman", "docker"])
@pytest.mark.parametrize("arch, platform", [("x86_64", "linux/amd64"), ("arm64", "linux/arm64")])
def test_python_layer_command_per_engine_and_arch(tmp_path, engine, arch, platform):
    job = python_job(tmp_path, method=engine, arch=arch)
    assert container.run_argv(job, ROOTFUL, None) == [
        engine, "run", "--rm", "--pull=never", "--platform", platform, "--entrypoint", "/bin/sh",
        "--user", "1234:4321", "--workdir", "/src",
        "-v", f"{tmp_path / 'src'}:/src:ro", "-v", f"{tmp_path / 'layer'}:/opt",
        *BASE_ENV,
        "public.ecr.aws/lambda/python:3.11", "-c", PIP_SCRIPT,
    ]


@pytest.mark.parametrize("engine", ["podman", "docker"])
@pytest.mark.parametrize("arch, platform", [("x86_64", "linux/amd64"), ("arm64", "linux/arm64")])
def test_node_layer_command_copies_manifest_and_lock_then_runs_npm_ci(tmp_path, engine, arch, platform):
    job = node_job(tmp_path, lock=True, method=engine, arch=arch)
    assert container.run_argv(job, ROOTFUL, None) == [
        engine, "run", "--rm", "--pull=never", "--platform", platform, "--entrypoint", "/bin/sh",
        "--user", "1234:4321", "--workdir", "/src",
        "-v", f"{tmp_path / 'src'}:/src:ro", "-v", f"{tmp_path / 'layer'}:/opt",
        *BASE_ENV,
        "public.ecr.aws/lambda/nodejs:18", "-c",
        "mkdir -p /opt/nodejs && cp /src/package.json /src/package-lock.json /opt/nodejs/ && cd /opt/nodejs"
        " && npm ci --omit=dev --no-audit --no-fund && rm -rf .npmrc node_modules/.bin",
    ]


def test_node_layer_without_lock_file_runs_npm_install(tmp_path):
    script = container.install_script(node_job(tmp_path, lock=False))
    assert "npm install --omit=dev" in script and "npm ci" not in script
    assert "cp /src/package.json /opt/nodejs/" in script


def test_project_npmrc_is_used_for_the_install_then_removed(tmp_path):
    job = node_job(tmp_path, lock=True)
    (tmp_path / "src" / ".npmrc").write_text("registry=https://npm.example/\n")
    script = container.install_script(job)
    assert "cp /src/package.json /src/package-lock.json /src/.npmrc /opt/nodejs/" in script
    assert script.index("npm ci") < script.index("rm -rf .npmrc")


def test_rootless_podman_keeps_the_user_id_instead_of_setting_a_user(tmp_path):
    argv = container.run_argv(python_job(tmp_path), Host(1000, 1000, rootless=True, selinux=False), None)
    assert "--userns=keep-id" in argv and "--user" not in argv


def test_docker_always_runs_as_the_invoking_user(tmp_path):
    argv = container.run_argv(python_job(tmp_path, method="docker"), Host(1000, 100, rootless=True, selinux=False),
                              None)
    assert argv[argv.index("--user") + 1] == "1000:100" and "--userns=keep-id" not in argv


def test_selinux_hosts_get_relabelled_mounts(tmp_path):
    argv = container.run_argv(python_job(tmp_path), Host(0, 0, rootless=False, selinux=True), None)
    assert f"{tmp_path / 'src'}:/src:ro,z" in argv and f"{tmp_path / 'layer'}:/opt:z" in argv


def test_probe_host_reports_the_invoking_user_and_rootless_podman_only_for_non_root(monkeypatch):
    monkeypatch.setattr(container, "invoking_user", lambda: (1234, 99))
    monkeypatch.setattr(container.os, "geteuid", lambda: 1234)
    assert container.probe_host("podman").rootless
    assert not container.probe_host("docker").rootless
    host = container.probe_host("podman")
    assert (host.uid, host.gid) == (1234, 99)
    monkeypatch.setattr(container.os, "geteuid", lambda: 0)
    assert not container.probe_host("podman").rootless


def test_image_override_replaces_the_runtime_image(tmp_path):
    argv = container.run_argv(python_job(tmp_path, image="localhost/lambda-python:3.11"), ROOTFUL, None)
    assert argv[-3:-1] == ["localhost/lambda-python:3.11", "-c"]
    assert "public.ecr.aws/lambda/python:3.11" not in argv


def test_ca_bundle_is_mounted_read_only_and_every_tls_variable_points_at_it(tmp_path):
    bundle = tmp_path / "corp-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    argv = container.run_argv(python_job(tmp_path), ROOTFUL, bundle)
    assert argv[argv.index(f"{bundle}:{CA_MOUNT}:ro") - 1] == "-v"
    for var in ("SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"):
        assert argv[argv.index(f"{var}={CA_MOUNT}") - 1] == "-e"


def test_no_ca_bundle_means_no_ca_mount_or_variables(tmp_path):
    argv = container.run_argv(python_job(tmp_path), ROOTFUL, None)
    assert not [arg for arg in argv if CA_MOUNT in arg]


@pytest.mark.parametrize("var", ["SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"])
def test_host_tls_variable_naming_a_bundle_selects_it(tmp_path, var):
    bundle = tmp_path / "host-ca.pem"
    bundle.write_text("pem")
    assert container.ca_bundle_for(python_job(tmp_path), {var: str(bundle)}) == bundle.resolve()


def test_host_tls_variable_naming_no_file_is_ignored(tmp_path):
    assert container.ca_bundle_for(python_job(tmp_path), {"SSL_CERT_FILE": str(tmp_path / "absent.pem")}) is None


def test_build_ca_bundle_wins_over_environment_and_is_relative_to_the_source(tmp_path):
    job = python_job(tmp_path, ca_bundle="certs/corp.pem")
    (tmp_path / "src" / "certs").mkdir()
    (tmp_path / "src" / "certs" / "corp.pem").write_text("pem")
    other = tmp_path / "other.pem"
    other.write_text("pem")
    chosen = container.ca_bundle_for(job, {"GENESYS_CA_BUNDLE": str(other), "SSL_CERT_FILE": str(other)})
    assert chosen == (tmp_path / "src" / "certs" / "corp.pem").resolve()


def test_genesys_ca_bundle_wins_over_tls_variables(tmp_path):
    named, host = tmp_path / "named.pem", tmp_path / "host.pem"
    named.write_text("pem")
    host.write_text("pem")
    chosen = container.ca_bundle_for(python_job(tmp_path), {"GENESYS_CA_BUNDLE": str(named), "PIP_CERT": str(host)})
    assert chosen == named.resolve()


def test_named_ca_bundle_that_does_not_exist_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as caught:
        container.ca_bundle_for(python_job(tmp_path, ca_bundle="/nowhere/ca.pem"), {})
    assert caught.value.exit_code == EXIT_BAD_INPUT
    assert "/nowhere/ca.pem" in caught.value.message and "build.ca_bundle" in caught.value.render()


def test_container_env_and_volumes_pass_through_after_genesys_own(tmp_path):
    job = python_job(tmp_path, container_env=(("PIP_INDEX_URL", "https://index.example/simple"), ("A", "b c")),
                     container_volumes=("/srv/wheels:/wheels:ro", "./vendor:/vendor", "pipcache:/tmp/.cache"))
    argv = container.run_argv(job, ROOTFUL, None)
    image_at = argv.index("public.ecr.aws/lambda/python:3.11")
    tail = argv[argv.index("PIP_ROOT_USER_ACTION=ignore") + 1:image_at]
    assert tail == ["-e", "PIP_INDEX_URL=https://index.example/simple", "-e", "A=b c",
                    "-v", "/srv/wheels:/wheels:ro", "-v", f"{(tmp_path / 'src' / 'vendor').resolve()}:/vendor",
                    "-v", "pipcache:/tmp/.cache"]


def test_custom_requirements_file_name_is_read_from_the_mount(tmp_path):
    job = python_job(tmp_path)
    (tmp_path / "src" / "prod deps.txt").write_text("six\n")
    script = container.install_script(python_job(tmp_path, manifest=tmp_path / "src" / "prod deps.txt"))
    assert "-r '/src/prod deps.txt'" in script and job.manifest.name == "requirements.txt"


# ---- errors ----

def test_missing_engine_is_a_build_error_with_install_commands_and_local_alternative(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(BuildError) as caught:
        container.version(python_job(tmp_path, method="podman"))
    error = caught.value
    assert error.exit_code == EXIT_FAILED
    assert "podman is not installed" in error.message
    assert 'build_method = "local"' in error.hint and "install" in error.hint


@pytest.mark.parametrize("engine, os_release, platform, expected", [
    ("podman", 'ID=debian\n', "linux", "sudo apt-get install podman"),
    ("docker", 'ID=ubuntu\nID_LIKE=debian\n', "linux", "sudo apt-get install docker-ce"),
    ("podman", 'ID="fedora"\n', "linux", "sudo dnf install podman"),
    ("podman", 'ID="rocky"\nID_LIKE="rhel centos fedora"\n', "linux", "sudo dnf install podman"),
    ("podman", "", "darwin", "brew install podman && podman machine init && podman machine start"),
    ("docker", "", "darwin", "brew install --cask docker"),
])
def test_install_hint_names_the_command_for_the_os(engine, os_release, platform, expected):
    hint = container.install_hint(engine, platform, os_release)
    assert expected in hint and 'build_method = "local"' in hint


def test_install_hint_on_an_unknown_os_lists_apt_dnf_and_brew():
    hint = container.install_hint("podman", "linux", "ID=alpine\n")
    assert "apt-get install podman" in hint and "dnf install podman" in hint and "brew install podman" in hint


def test_exec_format_error_says_how_to_enable_emulation_or_build_locally(tmp_path):
    error = container.run_failure(python_job(tmp_path, arch="arm64"), 1,
                                  "exec /bin/sh: exec format error\n")
    assert "cannot run linux/arm64 containers" in error.message
    assert "qemu-user-static" in error.hint and "binfmt" in error.hint and 'build_method = "local"' in error.hint


def test_unreadable_source_gives_the_chmod_and_selinux_hint(tmp_path):
    output = "ERROR: Could not open requirements file: [Errno 13] Permission denied: '/src/requirements.txt'\n"
    error = container.run_failure(python_job(tmp_path), 1, output)
    assert "cannot read the source folder" in error.message
    assert f"chmod -R a+rX -- {tmp_path / 'src'}" in error.hint and ":z" in error.hint


def test_installer_failure_shows_only_the_tail_of_the_output(tmp_path):
    output = "".join(f"line {n}\n" for n in range(100)) + "ERROR: No matching distribution found for nope\n"
    error = container.run_failure(python_job(tmp_path), 1, output)
    assert error.exit_code == EXIT_FAILED
    assert "exit 1" in error.message and "pip said" in error.message
    assert "No matching distribution found for nope" in error.message
    assert "line 71" in error.message and "line 70\n" not in error.message


def test_npm_failure_names_npm(tmp_path):
    error = container.run_failure(node_job(tmp_path, lock=True), 1, "npm ERR! code E404\n")
    assert "npm said" in error.message and "npm ERR! code E404" in error.message


def test_absent_image_that_cannot_be_pulled_names_it_and_how_to_get_it():
    error = container.image_failure("podman", "localhost/lambda-python:3.11", "arm64",
                                    "Error: initializing source: connection refused\n")
    assert "image localhost/lambda-python:3.11 (linux/arm64) is not present" in error.message
    assert "connection refused" in error.message
    assert "podman pull --platform linux/arm64 localhost/lambda-python:3.11" in error.hint
    assert "[build] image" in error.hint


def test_docker_without_a_running_engine_says_to_start_it():
    error = container.engine_unreachable("docker", "Cannot connect to the Docker daemon at "
                                         "unix:///var/run/docker.sock. Is the docker daemon running?\n")
    assert "docker is installed but its engine is not running" in error.message and "local" in error.hint


def test_podman_without_its_machine_says_to_start_it():
    error = container.engine_unreachable("podman", "Cannot connect to Podman. Please verify your connection\n")
    assert "podman machine start" in error.hint


def test_ordinary_engine_output_is_not_taken_for_an_unreachable_engine():
    assert container.engine_unreachable("podman", "Error: localhost/x:1: image not known\n") is None


@pytest.mark.skipif(shutil.which("docker") is None, reason="the docker client is not installed")
def test_real_docker_client_without_engine_fails_the_build_with_start_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    with pytest.raises(BuildError) as caught:
        container.version(python_job(tmp_path, method="docker"))
    assert "docker is installed but its engine is not running" in caught.value.message
    assert caught.value.exit_code == EXIT_FAILED


def test_a_node_file_dependency_fails_a_container_build_naming_it_instead_of_being_left_out(tmp_path):
    job = node_job(tmp_path, lock=False)
    job.manifest.write_text('{"name": "fn", "dependencies": {"localdep": "file:../localdep"}}')
    with pytest.raises(BuildError) as failed:
        container.install_script(job)
    assert "the dependency 'localdep' is 'file:../localdep'" in failed.value.message
    assert 'build_method = "local"' in failed.value.hint
