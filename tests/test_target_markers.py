"""Python requirements judged for the Lambda runtime, not for the Python running genesys.

The host here is Python 3.11; the functions are python3.12, 3.13 and 3.14, so a marker
judged for the host picks other lines than one judged for the runtime. Unit tests pin
the reading of requirements and lock files; the build tests run the real pip and uv.
"""

from __future__ import annotations

import json
import os
import sys
import zipfile
from pathlib import Path

import pytest

from genesys_tasks.build.cache import LayerCache
from genesys_tasks.build.installers import InstallJob
from genesys_tasks.build.layer import build_layer
from genesys_tasks.build.lockfiles import requirements_for
from genesys_tasks.build.requirements import logical_lines, plain_spec, resolve, target_environment
from genesys_tasks.errors import ConfigError
from genesys_tasks.runtimes import DEFAULT

# The sha256 of docopt 0.6.2's source archive (it ships no wheel) and of six 1.16.0's wheel, as published.
DOCOPT_SDIST = "sha256:49b3a825280bd66b3aa83585ef59c4a8c82f2c8a522dbe754a8bc8d08c85c491"
SIX_WHEEL = "sha256:8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254"

PER_VERSION = (
    'six==1.16.0 ; python_version < "3.13"\n'
    'six==1.17.0 ; python_version >= "3.13"\n'
    'attrs==23.2.0 ; platform_machine == "aarch64"\n'
)


def _specs(resolved) -> list[str]:
    return [r.spec for r in resolved.requirements]


def _host_is_not(version: str) -> None:
    assert f"{sys.version_info.major}.{sys.version_info.minor}" != version, \
        "these tests need a host Python other than the runtime's"


# ---------------------------------------------------------------- unit: reading for the target

def test_markers_are_judged_for_the_runtime_python_and_architecture(tmp_path):
    _host_is_not("3.13")
    path = tmp_path / "requirements.txt"
    path.write_text(PER_VERSION)
    assert _specs(resolve(path, target_environment("3.12", "x86_64"))) == ["six==1.16.0"]
    assert _specs(resolve(path, target_environment("3.13", "x86_64"))) == ["six==1.17.0"]
    assert _specs(resolve(path, target_environment("3.14", "arm64"))) == ["six==1.17.0", "attrs==23.2.0"]


def test_target_environment_is_linux_cpython_on_the_architecture_machine():
    env = target_environment("3.12", "arm64")
    assert env["python_version"] == "3.12" and env["python_full_version"].startswith("3.12.")
    assert (env["platform_machine"], env["sys_platform"], env["platform_system"]) == ("aarch64", "linux", "Linux")
    assert (env["implementation_name"], env["platform_python_implementation"], env["os_name"]) == \
        ("cpython", "CPython", "posix")
    assert target_environment("3.12", "x86_64")["platform_machine"] == "x86_64"


def test_a_hashed_line_with_continuations_reads_as_one_requirement_with_its_hashes(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text(f'docopt==0.6.2 ; python_version >= "3.12" \\\n    --hash={DOCOPT_SDIST} \\\n'
                    f'    --hash=sha256:00  # comment\nsix==1.16.0 --hash={SIX_WHEEL}\n')
    assert logical_lines(path.read_text())[0][0] == 1
    resolved = resolve(path, target_environment("3.12", "x86_64"))
    docopt = resolved.find("DocOpt")
    assert docopt.spec == "docopt==0.6.2"
    assert docopt.hashes == (DOCOPT_SDIST, "sha256:00")
    assert resolved.find("six").hashes == (SIX_WHEEL,)


def test_the_source_build_takes_the_line_that_applies_to_the_target(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text('docopt==0.6.1 ; python_version < "3.12"\ndocopt==0.6.2 ; python_version >= "3.12"\n')
    assert resolve(path, target_environment("3.12", "x86_64")).find("docopt").spec == "docopt==0.6.2"


def test_included_files_are_judged_too_and_relative_paths_become_absolute(tmp_path):
    (tmp_path / "base.txt").write_text('attrs==23.2.0 ; python_version >= "3.12"\n')
    path = tmp_path / "requirements.txt"
    path.write_text('-r base.txt\n./libs/demo-1.0-py3-none-any.whl ; sys_platform == "linux"\n'
                    '-e ./pkg\n--find-links ./wheels\n')
    resolved = resolve(path, target_environment("3.12", "x86_64"))
    text = resolved.text()
    assert "attrs==23.2.0\n" in text and "python_version" not in text
    assert f"{tmp_path / 'libs' / 'demo-1.0-py3-none-any.whl'}\n" in text
    assert f"-e {tmp_path / 'pkg'}" in text and f"--find-links {tmp_path / 'wheels'}" in text


def test_a_requirement_pip_cannot_read_is_a_config_error_with_file_and_line(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text('six\nsix==1.16 ; python_version >>> "3"\n')
    with pytest.raises(ConfigError) as failure:
        resolve(path, target_environment("3.12", "x86_64"))
    assert failure.value.where.line == 2 and failure.value.exit_code == 2



PLAIN_LINES = ["requests==2.32.3", "requests == 2.32.3", "PyYAML==6.0.2", "Foo_Bar.baz", "zope.interface>=5",
               "a==01.2", "six!=1.0", "x<3", "y >2.0.1", "typing-extensions<=4.12.2", "Requests",
               "python-dateutil==2.9.0.post0", "boto3[crt]>=1.34,<2", "x[b, a] >= 1 , < 2", "x[a,a]", "x>=1,>=1",
               "x==1.0.*", "x!=1.*", "x~=1.2", "x~=2.2.post3", "x==1.0rc1", "x>=1.0b2", "x<=1.0.dev4",
               "x==1.0a1.post2.dev3"]
NOT_PLAIN_LINES = ["x===1", "x==1.0+local", "x==1.0RC1", "x==1.0-post1", "x==v1", "x[]", "x>=1,",
                   "x @ https://e.invalid/x.whl", "./local.whl", "six ; python_version < '3.13'"]
INVALID_LINES = ["x~=1", "x>=1.0.*", "x==1.0rc1.*", "x>=1 <2", "x,"]


def test_a_plain_line_is_written_as_packaging_writes_it_and_any_other_is_left_to_packaging():
    from packaging.requirements import Requirement

    assert {line: plain_spec(line) for line in PLAIN_LINES} == {
        line: (str(Requirement(line)), Requirement(line).name) for line in PLAIN_LINES}
    left = NOT_PLAIN_LINES + INVALID_LINES
    assert [plain_spec(line) for line in left] == [None] * len(left)


def test_a_line_packaging_refuses_is_refused_with_its_file_and_line(tmp_path):
    path = tmp_path / "requirements.txt"
    for line in INVALID_LINES:
        path.write_text(f"six\n{line}\n")
        with pytest.raises(ConfigError) as failure:
            resolve(path, target_environment("3.12", "x86_64"))
        assert failure.value.where.line == 2, line


# whitespace packaging does not take inside a requirement (only spaces and tabs): such a line is packaging's to refuse
FOREIGN_SPACE_LINES = ["x\xa0==1.0", "x==1.0\xa0", "x\xa0", "x[a\xa0]", "x\x0c>=1", "x>=1,\x0b<2"]


def test_a_line_with_whitespace_packaging_does_not_take_is_not_plain():
    from packaging.requirements import InvalidRequirement, Requirement

    for line in FOREIGN_SPACE_LINES:
        with pytest.raises(InvalidRequirement):
            Requirement(line)
    assert [plain_spec(line) for line in FOREIGN_SPACE_LINES] == [None] * len(FOREIGN_SPACE_LINES)


# one operator twice: packaging finds ``>=1`` and ``>=1.0`` equal and writes one of them
SAME_OPERATOR_LINES = ["x>=1,>=1.0", "x==1.0a1,==1.0.0a1", "x<2 , <2.0.0", "x>=1.0,>=01.0", "x!=1.0,!=1.1"]


def test_a_line_with_one_operator_twice_is_left_to_packaging_which_may_keep_one_of_them(tmp_path):
    from packaging.requirements import Requirement

    assert [plain_spec(line) for line in SAME_OPERATOR_LINES] == [None] * len(SAME_OPERATOR_LINES)
    path = tmp_path / "requirements.txt"
    path.write_text("\n".join(SAME_OPERATOR_LINES) + "\n")
    read = resolve(path, target_environment("3.12", "x86_64")).requirements
    assert [r.spec for r in read] == [str(Requirement(line)) for line in SAME_OPERATOR_LINES]


def test_a_no_break_space_in_a_requirement_is_refused_with_its_file_and_line(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text("six\nrequests\xa0==2.32.3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as failure:
        resolve(path, target_environment("3.12", "x86_64"))
    assert failure.value.where.line == 2 and failure.value.exit_code == 2


def test_plain_requirement_lines_read_as_packaging_reads_them(tmp_path):
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    path = tmp_path / "requirements.txt"
    path.write_text("\n".join(PLAIN_LINES + NOT_PLAIN_LINES[:-2]) + "\n")
    read = resolve(path, target_environment("3.12", "x86_64")).requirements
    expected = [(str(Requirement(line)), canonicalize_name(Requirement(line).name))
                for line in PLAIN_LINES + NOT_PLAIN_LINES[:-2]]
    assert [(r.spec, r.name) for r in read] == expected


def test_a_requirements_file_of_plain_lines_is_read_without_importing_packaging(tmp_path):
    import subprocess

    plain, marked = tmp_path / "plain.txt", tmp_path / "marked.txt"
    plain.write_text("\n".join(PLAIN_LINES) + "\n")
    marked.write_text("six ; python_version < '3.13'\n")
    script = ("import sys; from genesys_tasks.build.requirements import resolve, target_environment; "
              "resolve(sys.argv[1], target_environment('3.12', 'x86_64')); print('packaging' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}  # this checkout
    loaded = [subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, env=env,
                             check=True).stdout.strip() for path in (plain, marked)]
    assert loaded == ["False", "True"]

LOCKS = {
    "Pipfile.lock": json.dumps({"_meta": {"sources": []}, "default": {
        "six": {"version": "==1.16.0", "markers": "python_version >= '3.12'"},
        "attrs": {"version": "==23.2.0", "markers": "python_version < '3.12'"}}}),
    "poetry.lock": '[[package]]\nname = "six"\nversion = "1.16.0"\ngroups = ["main"]\n'
                   'markers = "python_version >= \\"3.12\\""\nfiles = []\n'
                   '[[package]]\nname = "attrs"\nversion = "23.2.0"\ngroups = ["main"]\n'
                   'markers = "python_version < \\"3.12\\""\nfiles = []\n',
    "uv.lock": 'version = 1\n[[package]]\nname = "fn"\nversion = "0.1.0"\nsource = { virtual = "." }\n'
               'dependencies = [{ name = "six", marker = "python_full_version >= \'3.12\'" },'
               ' { name = "attrs", marker = "python_full_version < \'3.12\'" }]\n'
               '[[package]]\nname = "six"\nversion = "1.16.0"\nsource = { registry = "https://example.invalid" }\n'
               '[[package]]\nname = "attrs"\nversion = "23.2.0"\nsource = { registry = "https://example.invalid" }\n',
}


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_lock_file_input_is_judged_for_the_target(lock, tmp_path):
    _host_is_not("3.12")
    path = tmp_path / lock
    path.write_text(LOCKS[lock])
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "fn"\nversion = "0.1.0"\n')
    requirements = requirements_for(path, tmp_path / "out")
    assert _specs(resolve(requirements, target_environment("3.12", "x86_64"))) == ["six==1.16.0"]
    assert _specs(resolve(requirements, target_environment("3.11", "x86_64"))) == ["attrs==23.2.0"]


# ---------------------------------------------------------------- real builds with pip and uv

def _build(tmp_path: Path, manifest: str, text: str, runtime: str, installer: str, arch: str = "x86_64"):
    folder = tmp_path / "fn"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / manifest).write_text(text)
    job = InstallJob(runtime=DEFAULT.lookup(runtime), arch=arch, manifest=folder / manifest, source=folder,
                     target=Path(), installer=installer, log=lambda line: None)
    dest = tmp_path / "out" / f"layer-{arch}.zip"
    build_layer(job, dest, LayerCache(tmp_path / "cache"))
    with zipfile.ZipFile(dest) as archive:
        return archive.namelist()


# pip judges markers for the Python running it; uv already judges them for --python-version.
@pytest.mark.parametrize("installer", ["pip"])
def test_a_line_only_for_the_runtime_python_is_installed_not_left_out(installer, tmp_path):
    _host_is_not("3.12")
    names = _build(tmp_path, "requirements.txt", 'six==1.16.0 ; python_version >= "3.12"\n', "python3.12", installer)
    assert "python/six.py" in names


@pytest.mark.parametrize("installer", ["pip"])
def test_the_pin_for_the_runtime_python_is_chosen_among_per_version_pins(installer, tmp_path):
    _host_is_not("3.13")
    names = _build(tmp_path, "requirements.txt", PER_VERSION, "python3.13", installer, arch="arm64")
    assert "python/six-1.17.0.dist-info/METADATA" in names
    assert not [n for n in names if "six-1.16.0" in n]
    assert any(n.startswith("python/attr/") for n in names), "attrs is for aarch64 only"


@pytest.mark.slow_builds
def test_a_hashed_pipfile_lock_naming_an_sdist_only_package_builds_it_checking_the_hash(tmp_path):
    lock = {"_meta": {"sources": []}, "default": {
        "docopt": {"version": "==0.6.2", "hashes": [DOCOPT_SDIST], "markers": "python_version >= '3.12'"},
        "six": {"version": "==1.16.0", "hashes": [SIX_WHEEL]}}}
    names = _build(tmp_path, "Pipfile.lock", json.dumps(lock), "python3.12", "pip")
    assert "python/docopt.py" in names and "python/six.py" in names



@pytest.mark.slow_builds
def test_a_wrong_hash_for_the_sdist_fails_the_build_naming_it(tmp_path):
    from genesys_tasks.errors import BuildError

    lock = {"_meta": {"sources": []}, "default": {"docopt": {"version": "==0.6.2", "hashes": ["sha256:" + "0" * 64]}}}
    with pytest.raises(BuildError) as failure:
        _build(tmp_path, "Pipfile.lock", json.dumps(lock), "python3.12", "pip")
    assert "docopt" in failure.value.message and failure.value.exit_code == 1
