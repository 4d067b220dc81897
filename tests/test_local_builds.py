"""Local layer builds with the real pip, uv and npm: the right wheels, the right files, clear failures."""

from __future__ import annotations

import base64
import hashlib
import io
import platform
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from genesys_tasks.build import local_node, local_python, pip_config
from genesys_tasks.build.cache import LayerCache
from genesys_tasks.build.installers import InstallJob
from genesys_tasks.build.layer import build_layer
from genesys_tasks.errors import BuildError
from genesys_tasks.runtimes import DEFAULT

ELF_MACHINE = {"x86_64": 0x3E, "arm64": 0xB7}
NPM_HOST_CPU = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}


def python_job(folder: Path, requirements: str, *, installer: str = "pip", arch: str = "x86_64",
               runtime: str = "python3.12", **extra) -> InstallJob:
    manifest = folder / "requirements.txt"
    folder.mkdir(parents=True, exist_ok=True)
    manifest.write_text(requirements)
    return InstallJob(runtime=DEFAULT.lookup(runtime), arch=arch, manifest=manifest, source=folder,
                      target=Path(), installer=installer, **extra)


def build(job: InstallJob, work: Path) -> tuple[Path, list[str]]:
    """Build through the whole layer pipeline; the zip and its entry names."""
    dest = work / "out" / f"layer-{job.arch}.zip"
    build_layer(job, dest, LayerCache(work / "cache"))
    with zipfile.ZipFile(dest) as archive:
        return dest, archive.namelist()


def elf_machine(data: bytes) -> int:
    """``e_machine`` from an ELF header (0x3E x86-64, 0xB7 AArch64)."""
    assert data[:4] == b"\x7fELF", "not an ELF file"
    order = "little" if data[5] == 1 else "big"
    return int.from_bytes(data[18:20], order)


# --- Python: one layer per installer and architecture, shared by the tests below --------------------

@pytest.fixture(scope="module", params=[("pip", "x86_64"), ("pip", "arm64"), ("uv", "x86_64"), ("uv", "arm64")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def python_layer(request, tmp_path_factory):
    installer, arch = request.param
    work = tmp_path_factory.mktemp(f"py-{installer}-{arch}")
    job = python_job(work / "fn", "six\nmarkupsafe\n", installer=installer, arch=arch)
    dest, names = build(job, work)
    return job, dest, names, work


def test_python_layer_puts_requirements_under_python_folder(python_layer):
    _, _, names, _ = python_layer
    assert "python/six.py" in names
    assert "python/markupsafe/__init__.py" in names
    assert all(name.startswith("python/") for name in names)


def test_python_layer_has_extension_modules_built_for_the_runtime_python_not_the_host(python_layer):
    job, _, names, _ = python_layer
    machine = local_python.machine(job.arch)
    extensions = [n for n in names if n.endswith(".so")]
    assert extensions, "markupsafe ships a compiled speedups module"
    host_tag = f"cpython-{sys.version_info.major}{sys.version_info.minor}-"
    assert host_tag != "cpython-312-", "this test needs a host Python other than the runtime's"
    for name in extensions:
        assert f"cpython-312-{machine}-linux-gnu" in name


def test_python_layer_wheels_are_manylinux_for_the_architecture(python_layer):
    job, dest, names, _ = python_layer
    allowed = set(local_python.platform_tags(job.runtime.glibc, job.arch))
    with zipfile.ZipFile(dest) as archive:
        wheel_file = next(n for n in names if n.startswith("python/markupsafe-") and n.endswith("/WHEEL"))
        tags = [line.split(":", 1)[1].strip() for line in archive.read(wheel_file).decode().splitlines()
                if line.startswith("Tag:")]
    platforms = {tag.split("-")[2] for tag in tags}
    assert platforms & allowed, f"{tags} fit none of {sorted(allowed)[:3]}..."


def test_so_files_of_a_layer_are_elf_for_its_architecture(python_layer):
    job, dest, names, _ = python_layer
    with zipfile.ZipFile(dest) as archive:
        machines = {name: elf_machine(archive.read(name)) for name in names if name.endswith(".so")}
    assert machines
    assert set(machines.values()) == {ELF_MACHINE[job.arch]}, machines


def test_python_layer_has_no_bytecode_scripts_or_installer_leftovers(python_layer):
    _, _, names, _ = python_layer
    assert not [n for n in names if n.endswith((".pyc", ".pyo")) or "__pycache__" in n]
    assert not [n for n in names if n.startswith("python/bin/")]
    assert "python/.lock" not in names


def test_second_build_of_same_layer_comes_from_cache_with_same_sha(python_layer):
    job, dest, _, work = python_layer
    first = hashlib.sha256(dest.read_bytes()).hexdigest()
    again = work / "again.zip"
    sha, from_cache = build_layer(job, again, LayerCache(work / "cache"))
    assert from_cache
    assert sha == first == hashlib.sha256(again.read_bytes()).hexdigest()


def test_auto_installer_builds_a_working_layer_with_either_tool(tmp_path):
    job = python_job(tmp_path / "fn", "six\n", installer="auto")
    assert local_python.version(job).split()[0] in ("pip", "uv")
    _, names = build(job, tmp_path)
    assert "python/six.py" in names


def test_auto_installer_falls_back_to_pip_when_pip_settings_do_not_translate(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_NO_BINARY", "six")  # no uv flag carries this setting over
    job = python_job(tmp_path / "fn", "six\n", installer="auto")
    assert local_python.choose(job) == "pip"


# --- manylinux tags and pip settings --------------------------------------------------------------

def test_platform_tags_for_glibc_2_26_x86_64_run_from_2_26_down_to_manylinux1():
    tags = local_python.platform_tags("2.26", "x86_64")
    assert tags[0] == "manylinux_2_26_x86_64"
    assert tags[-1] == "manylinux1_x86_64"
    for legacy in ("manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux_2_17_x86_64",
                   "manylinux_2_12_x86_64", "manylinux_2_5_x86_64"):
        assert legacy in tags
    assert "manylinux_2_27_x86_64" not in tags and "manylinux_2_28_x86_64" not in tags


def test_platform_tags_for_glibc_2_34_arm64_are_aarch64_and_stop_at_manylinux2014():
    tags = local_python.platform_tags("2.34", "arm64")
    assert tags[0] == "manylinux_2_34_aarch64"
    assert tags[-1] == "manylinux2014_aarch64"
    assert all(tag.endswith("_aarch64") for tag in tags)
    assert len(tags) == (34 - 17 + 1) + 1


def test_uv_platform_is_exact_for_glibc_2_34_and_falls_back_to_2_17_for_2_26():
    assert local_python.uv_platform("2.34", "arm64") == ("aarch64-manylinux_2_34", True)
    assert local_python.uv_platform("2.26", "x86_64") == ("x86_64-manylinux_2_17", False)


def test_uv_for_a_glibc_2_26_runtime_builds_with_manylinux_2_17_and_says_so(tmp_path):
    lines: list[str] = []
    job = python_job(tmp_path / "fn", "markupsafe\n", installer="uv", runtime="python3.11", log=lines.append)
    _, names = build(job, tmp_path)
    assert [n for n in names if n.endswith(".so") and "cpython-311-x86_64" in n]
    assert any("x86_64-manylinux_2_17" in line and "2.26" in line for line in lines), lines


def test_auto_installer_uses_pip_where_uv_cannot_name_the_runtime_glibc(tmp_path):
    assert local_python.choose(python_job(tmp_path, "six\n", installer="auto", runtime="python3.11")) == "pip"


def test_pip_settings_become_uv_flags_with_env_over_install_over_global(tmp_path):
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\ncert = /etc/ssl/ca.pem\nextra-index-url = file:///mirror/a file:///mirror/b\n"
                    "find-links = /global/wheels\nindex-url = https://index.example/simple\ntimeout = 60\n"
                    "[install]\nindex-url = https://install.example/simple\n")
    settings = pip_config.pip_settings({"PIP_CONFIG_FILE": str(conf), "PIP_FIND_LINKS": "/env/wheels",
                                        "XDG_CONFIG_DIRS": str(tmp_path / "none")}, prefix=str(tmp_path))
    assert settings["find-links"] == "/env/wheels"
    assert settings["index-url"] == "https://install.example/simple"
    options = local_python.uv_index_options(settings, environ={})
    args = list(options.args)
    assert args[args.index("--index-url") + 1] == "https://install.example/simple"
    assert [args[i + 1] for i, a in enumerate(args) if a == "--extra-index-url"] == ["file:///mirror/a",
                                                                                   "file:///mirror/b"]
    assert [args[i + 1] for i, a in enumerate(args) if a == "--find-links"] == ["/env/wheels"]
    assert ("SSL_CERT_FILE", "/etc/ssl/ca.pem") in options.env
    assert options.unmapped == ()


def test_uv_own_index_variables_win_over_pip_settings():
    settings = {"index-url": "https://index.example/simple", "no-binary": ":all:"}
    assert local_python.uv_index_options(settings, environ={"UV_INDEX_URL": "https://uv.example"}).args == ()
    assert local_python.uv_index_options(settings, environ={}).unmapped == ("no-binary",)


def _write_wheel(folder: Path, name: str, version: str) -> Path:
    """A minimal pure-Python wheel, the way a private index would serve it."""
    module = name.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    files = {
        f"{module}.py": b"VALUE = 42\n",
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = ""
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record += f"{path},sha256={digest},{len(data)}\n"
    files[f"{dist_info}/RECORD"] = (record + f"{dist_info}/RECORD,,\n").encode()
    wheel = folder / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_both_installers_find_packages_in_pip_configured_find_links(installer, tmp_path, monkeypatch):
    links = tmp_path / "links"
    links.mkdir()
    _write_wheel(links, "genesys-local-demo", "1.0")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    job = python_job(tmp_path / "fn", "genesys-local-demo==1.0\n", installer=installer)
    _, names = build(job, tmp_path)
    assert "python/genesys_local_demo.py" in names


# --- source distributions and failures ------------------------------------------------------------

@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_sdist_only_pure_python_requirement_is_built_into_the_layer(installer, tmp_path):
    # docopt 0.6.2 is published as a source distribution only.
    job = python_job(tmp_path / "fn", "docopt==0.6.2\nsix\n", installer=installer)
    _, names = build(job, tmp_path)
    assert "python/docopt.py" in names
    assert "python/six.py" in names
    assert not [n for n in names if n.endswith(".pyc")]


def _write_c_extension_sdist(folder: Path) -> None:
    """An sdist whose build compiles C: it can only be trusted when built for Amazon Linux."""
    files = {
        "setup.py": b"from setuptools import setup, Extension\n"
                    b"setup(name='genesys-cext-demo', version='1.0',\n"
                    b"      ext_modules=[Extension('genesys_cext_demo', ['demo.c'])])\n",
        "demo.c": b"#include <Python.h>\n"
                  b"static struct PyModuleDef m = {PyModuleDef_HEAD_INIT, \"genesys_cext_demo\", 0, -1, 0};\n"
                  b"PyMODINIT_FUNC PyInit_genesys_cext_demo(void) { return PyModule_Create(&m); }\n",
        "PKG-INFO": b"Metadata-Version: 2.1\nName: genesys-cext-demo\nVersion: 1.0\n",
    }
    with tarfile.open(folder / "genesys-cext-demo-1.0.tar.gz", "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"genesys-cext-demo-1.0/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_sdist_only_requirement_with_native_code_fails_naming_it_and_suggesting_podman(installer, tmp_path,
                                                                                       monkeypatch):
    links = tmp_path / "links"
    links.mkdir()
    _write_c_extension_sdist(links)
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    job = python_job(tmp_path / "fn", "genesys-cext-demo==1.0\n", installer=installer)
    with pytest.raises(BuildError) as failure:
        build(job, tmp_path)
    assert "genesys-cext-demo" in failure.value.message
    assert "native code" in failure.value.message
    assert 'build_method = "podman"' in failure.value.hint
    assert failure.value.exit_code == 1
    assert LayerCache(tmp_path / "cache").entries() == []


INSTALLER_NOT_FOUND_MESSAGE = {"pip": "No matching distribution found for genesys-no-such-package-zz",
                               "uv": "genesys-no-such-package-zz was not found in the package registry"}


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_requirement_missing_from_the_index_fails_with_exit_1_and_the_installer_message(installer, tmp_path):
    job = python_job(tmp_path / "fn", "six\ngenesys-no-such-package-zz==1.0\n", installer=installer)
    with pytest.raises(BuildError) as failure:
        build(job, tmp_path)
    assert failure.value.exit_code == 1
    # uv wraps its message to the terminal width: compare with the line breaks taken out.
    assert INSTALLER_NOT_FOUND_MESSAGE[installer] in " ".join(failure.value.message.split())
    assert "python3.12 x86_64" in failure.value.message


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_debug_streams_installer_output_through_the_job_log_and_quiet_mode_does_not(installer, tmp_path):
    for debug in (True, False):
        lines: list[str] = []
        job = python_job(tmp_path / f"fn-{debug}", "six\n", installer=installer, debug=debug, log=lines.append)
        build(job, tmp_path / f"work-{debug}")
        streamed = [line for line in lines if "six" in line and not line.startswith("$ ")]
        if debug:
            assert any(line.startswith("$ ") and " install " in line for line in lines)
            assert streamed, lines
        else:
            assert streamed == [] and not any(line.startswith("$ ") for line in lines)


# --- Node ----------------------------------------------------------------------------------------

def node_job(folder: Path, arch: str = "x86_64", runtime: str = "nodejs20.x", **extra) -> InstallJob:
    return InstallJob(runtime=DEFAULT.lookup(runtime), arch=arch, manifest=folder / "package.json",
                      source=folder, target=Path(), **extra)


def write_package_json(folder: Path, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(body)


@pytest.fixture(scope="module")
def node_layer(tmp_path_factory):
    """semver (which has a bin script) as a dependency, is-number as a dev dependency, with a lock file."""
    work = tmp_path_factory.mktemp("node")
    source = work / "fn"
    write_package_json(source, '{"name": "fn", "version": "1.0.0", "private": true,\n'
                               ' "dependencies": {"semver": "7.6.3"},\n'
                               ' "devDependencies": {"is-number": "7.0.0"}}\n')
    (source / ".npmrc").write_text("fund=false\n")
    subprocess.run(["npm", "install", "--package-lock-only", "--no-audit", "--no-fund"], cwd=source, check=True,
                   capture_output=True)
    lines: list[str] = []
    dest, names = build(node_job(source, log=lines.append), work)
    return dest, names, lines


@pytest.mark.needs_tools("npm", "node")
def test_node_layer_with_lock_file_has_production_dependencies_only(node_layer):
    _, names, _ = node_layer
    assert "nodejs/node_modules/semver/package.json" in names
    assert not [n for n in names if "/is-number/" in n]
    assert all(name.startswith("nodejs/") for name in names)


@pytest.mark.needs_tools("npm", "node")
def test_node_layer_keeps_package_json_and_lock_but_not_npmrc_or_bin_links(node_layer):
    _, names, _ = node_layer
    assert "nodejs/package.json" in names and "nodejs/package-lock.json" in names
    assert "nodejs/.npmrc" not in names
    assert not [n for n in names if n.startswith("nodejs/node_modules/.bin/")]


@pytest.mark.needs_tools("npm", "node")
def test_node_layer_without_lock_file_is_installed_with_npm_install(tmp_path):
    source = tmp_path / "fn"
    write_package_json(source, '{"name": "fn", "version": "1.0.0", "dependencies": {"semver": "7.6.3"},'
                               ' "devDependencies": {"is-number": "7.0.0"}}')
    _, names = build(node_job(source), tmp_path)
    assert "nodejs/node_modules/semver/package.json" in names
    assert not [n for n in names if "/is-number/" in n]
    assert "nodejs/package-lock.json" not in names


def _pack(folder: Path, name: str, cpu: str) -> Path:
    package = folder / name
    write_package_json(package, f'{{"name": "{name}", "version": "1.0.0", "cpu": ["{cpu}"], "os": ["linux"]}}')
    (package / "index.js").write_text(f"module.exports = '{cpu}';\n")
    out = subprocess.run(["npm", "pack", "--silent", "--pack-destination", str(folder)], cwd=package, check=True,
                         capture_output=True, text=True)
    return folder / out.stdout.strip().splitlines()[-1]


@pytest.mark.needs_tools("npm", "node")
@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_node_optional_dependencies_are_chosen_for_the_lambda_cpu(arch, tmp_path):
    arm = _pack(tmp_path, "genesys-demo-arm64", "arm64")
    x64 = _pack(tmp_path, "genesys-demo-x64", "x64")
    source = tmp_path / "fn"
    write_package_json(source, '{"name": "fn", "version": "1.0.0", "optionalDependencies": '
                               f'{{"genesys-demo-arm64": "file:{arm}", "genesys-demo-x64": "file:{x64}"}}}}')
    lines: list[str] = []
    _, names = build(node_job(source, arch=arch, log=lines.append), tmp_path)
    wanted, unwanted = ("genesys-demo-arm64", "genesys-demo-x64") if arch == "arm64" else \
        ("genesys-demo-x64", "genesys-demo-arm64")
    assert f"nodejs/node_modules/{wanted}/index.js" in names
    assert not [n for n in names if f"/{unwanted}/" in n]
    host_differs = NPM_HOST_CPU.get(platform.machine().lower()) != local_node.NPM_CPU[arch]
    notes = [line for line in lines if "native addons" in line and 'build_method = "podman"' in line]
    assert bool(notes) == host_differs, lines


@pytest.mark.needs_tools("npm", "node")
def test_node_package_missing_from_the_registry_fails_with_exit_1_and_npm_message(tmp_path):
    source = tmp_path / "fn"
    write_package_json(source, '{"name": "fn", "version": "1.0.0",'
                               ' "dependencies": {"genesys-no-such-package-zz": "1.0.0"}}')
    with pytest.raises(BuildError) as failure:
        build(node_job(source), tmp_path)
    assert failure.value.exit_code == 1
    assert "npm install failed" in failure.value.message
    assert "genesys-no-such-package-zz" in failure.value.message
    assert "404" in failure.value.message


@pytest.mark.needs_tools("npm", "node")
def test_a_lock_out_of_step_with_package_json_shows_npms_reason_not_its_usage_text(tmp_path):
    """npm ci appends its usage (some 80 lines) to a usage error: the reason is above it."""
    source = tmp_path / "fn"
    write_package_json(source, '{"name": "fn", "version": "1.0.0", "dependencies": {}}')
    subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=source, check=True, capture_output=True)
    write_package_json(source, '{"name": "fn", "version": "1.0.0", "dependencies": {"left-pad": "1.3.0"}}')
    with pytest.raises(BuildError) as failure:
        build(node_job(source), tmp_path)
    assert "npm ci failed" in failure.value.message
    assert "package.json and package-lock.json" in failure.value.message
    assert "Missing: left-pad@1.3.0 from lock file" in failure.value.message
    assert "Usage:" not in failure.value.message and "--install-strategy" not in failure.value.message
    assert "npm install" in failure.value.hint


@pytest.mark.needs_tools("npm", "node")
def test_node_installer_version_names_npm_and_node(tmp_path):
    write_package_json(tmp_path, "{}")
    described = local_node.version(replace(node_job(tmp_path)))
    assert described.startswith("npm ") and "; node " in described


BUILD_SCRIPT = """
import sys, zipfile, hashlib
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from test_local_builds import python_job, build
job = python_job(Path(sys.argv[1]) / "fn", "tabulate==0.9.0\\n", installer=sys.argv[2])
dest, _ = build(job, Path(sys.argv[1]))
print(hashlib.sha256(dest.read_bytes()).hexdigest())
"""


@pytest.mark.slow
@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_two_pythons_at_different_paths_build_one_layer(tmp_path, installer):
    """A requirement with a console script: its RECORD lines and the installer's own records would carry
    the interpreter's path or the time; two genesys installs at two paths must build the same bytes."""
    import sysconfig

    digests = set()
    for name in ("venv-one", "elsewhere/venv-two"):
        venv = tmp_path / name
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path),
               "PYTHONPATH": f"{Path(__file__).parent.parent}:{sysconfig.get_paths()['purelib']}"}
        import os

        env.update({k: v for k, v in os.environ.items() if k.startswith(("PIP_", "UV_"))})
        done = subprocess.run([str(venv / "bin/python"), "-c", BUILD_SCRIPT, str(tmp_path / name / "work"), installer,
                               str(Path(__file__).parent)], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        digests.add(done.stdout.split()[-1])
    assert len(digests) == 1, digests


def test_a_local_project_in_requirements_builds_with_the_default_installer(tmp_path):
    shared = tmp_path / "shared"
    (shared / "sharedpkg").mkdir(parents=True)
    (shared / "pyproject.toml").write_text('[build-system]\nrequires = ["setuptools>=61"]\n'
                                           'build-backend = "setuptools.build_meta"\n'
                                           '[project]\nname = "sharedpkg"\nversion = "0.1"\n')
    (shared / "sharedpkg" / "__init__.py").write_text("X = 1\n")
    job = python_job(tmp_path / "fn", "../shared\n", installer="auto")
    assert local_python.local_projects(job) == [shared]
    assert local_python.choose(job) == "pip"
    _, names = build(job, tmp_path)
    assert "python/sharedpkg/__init__.py" in names
