"""Python lock files as layer inputs: Pipfile.lock, poetry.lock and uv.lock, without their tools.

The conversion is pinned by unit tests on small lock texts; the end-to-end tests build
real layers with pip and compare each lock kind with the equivalent requirements.txt.
"""

from __future__ import annotations

import json
import subprocess
import tomllib
import zipfile
from pathlib import Path

import pytest

from genesys_tasks.build import local_python
from genesys_tasks.build.lockfiles import requirements_for, requirements_text
from genesys_tasks.errors import ConfigError

APP = "import attr, six\n\n\ndef lambda_handler(event, context):\n    return six.PY3\n"
TOML = '''[metadata]
name = "locked-{kind}"
runtime = "python3.12"
handler = "app.lambda_handler"

[build]
installer = "{installer}"
'''
PYPROJECT = '''[project]
name = "locked"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["six==1.16.0", "attrs==23.2.0"]

[dependency-groups]
dev = ["iniconfig==2.0.0"]
'''
# Files pip writes about the install itself, which say nothing about the layer's contents.
INSTALLER_METADATA = {"INSTALLER", "RECORD", "REQUESTED", "direct_url.json"}


# ---------------------------------------------------------------- unit: the conversion

def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_poetry_lock_keeps_the_main_group_with_markers_and_hashes(tmp_path):
    lock = _write(tmp_path, "poetry.lock", '''
[[package]]
name = "six"
version = "1.16.0"
optional = false
groups = ["main"]
markers = "python_version >= \\"3.8\\""
files = [{file = "six-1.16.0-py2.py3-none-any.whl", hash = "sha256:aa"}, {file = "six-1.16.0.tar.gz", hash = "sha256:bb"}]

[[package]]
name = "pytest"
version = "8.0.0"
optional = false
groups = ["dev"]
files = [{file = "pytest-8.0.0-py3-none-any.whl", hash = "sha256:cc"}]

[[package]]
name = "ujson"
version = "5.0.0"
optional = true
groups = ["main"]
files = [{file = "ujson-5.0.0.tar.gz", hash = "sha256:dd"}]

[metadata]
lock-version = "2.1"
''')
    text = requirements_text(lock)
    assert _lines(text) == ['six==1.16.0 ; python_version >= "3.8" \\', "    --hash=sha256:aa \\",
                            "    --hash=sha256:bb"]


def test_poetry_lock_1_x_reads_category_and_the_metadata_files_table(tmp_path):
    lock = _write(tmp_path, "poetry.lock", '''
[[package]]
name = "six"
version = "1.16.0"
category = "main"
optional = false

[[package]]
name = "pytest"
version = "8.0.0"
category = "dev"
optional = false

[metadata]
lock-version = "1.1"

[metadata.files]
six = [{file = "six-1.16.0.tar.gz", hash = "sha256:bb"}]
pytest = [{file = "pytest-8.0.0.tar.gz", hash = "sha256:cc"}]
''')
    assert _lines(requirements_text(lock)) == ["six==1.16.0 \\", "    --hash=sha256:bb"]


def test_poetry_lock_without_groups_follows_pyproject_main_dependencies(tmp_path):
    _write(tmp_path, "pyproject.toml", '[tool.poetry.dependencies]\npython = "^3.11"\nattrs = "*"\n'
                                       '[tool.poetry.group.dev.dependencies]\npytest = "*"\n')
    lock = _write(tmp_path, "poetry.lock", '''
[[package]]
name = "attrs"
version = "23.2.0"
optional = false
files = []
[package.dependencies]
six = "*"

[[package]]
name = "six"
version = "1.16.0"
optional = false
files = []

[[package]]
name = "pytest"
version = "8.0.0"
optional = false
files = []

[metadata]
lock-version = "2.0"
''')
    assert [line.split(" ")[0] for line in _lines(requirements_text(lock))] == ["attrs==23.2.0", "six==1.16.0"]


def test_pipfile_lock_keeps_default_only_and_drops_hashes_when_one_package_has_none(tmp_path):
    lock = _write(tmp_path, "Pipfile.lock", json.dumps({
        "_meta": {"sources": [{"name": "main", "url": "https://index.invalid/simple"}]},
        "default": {
            "six": {"version": "==1.16.0", "hashes": ["sha256:aa"], "markers": "python_version >= '3.8'"},
            "attrs": {"version": "==23.2.0", "extras": ["tests"]},
        },
        "develop": {"pytest": {"version": "==8.0.0", "hashes": ["sha256:cc"]}},
    }))
    text = requirements_text(lock)
    assert _lines(text) == ["attrs[tests]==23.2.0", "six==1.16.0 ; python_version >= '3.8'"]
    assert "hashes left out" in text


def test_uv_lock_follows_the_project_dependencies_and_extras_not_dev_groups(tmp_path):
    lock = _write(tmp_path, "uv.lock", '''
version = 1
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "attrs", extra = ["fast"] }, { name = "tzdata", marker = "sys_platform == 'win32'" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "attrs"
version = "23.2.0"
source = { registry = "https://index.invalid/simple" }
sdist = { url = "https://index.invalid/attrs.tar.gz", hash = "sha256:a1", size = 1 }
wheels = [{ url = "https://index.invalid/attrs.whl", hash = "sha256:a2", size = 1 }]

[package.optional-dependencies]
fast = [{ name = "six" }]

[[package]]
name = "six"
version = "1.16.0"
source = { registry = "https://index.invalid/simple" }
wheels = [{ url = "https://index.invalid/six.whl", hash = "sha256:s1", size = 1 }]

[[package]]
name = "tzdata"
version = "2024.1"
source = { registry = "https://index.invalid/simple" }
wheels = [{ url = "https://index.invalid/tzdata.whl", hash = "sha256:t1", size = 1 }]

[[package]]
name = "pytest"
version = "8.0.0"
source = { registry = "https://index.invalid/simple" }
wheels = [{ url = "https://index.invalid/pytest.whl", hash = "sha256:p1", size = 1 }]
''')
    assert _lines(requirements_text(lock)) == [
        "attrs==23.2.0 \\", "    --hash=sha256:a1 \\", "    --hash=sha256:a2",
        "six==1.16.0 \\", "    --hash=sha256:s1",
        "tzdata==2024.1 ; sys_platform == 'win32' \\", "    --hash=sha256:t1",
    ]


def test_a_plain_requirements_file_is_handed_over_as_it_is(tmp_path):
    manifest = _write(tmp_path, "requirements.txt", "six\n")
    assert requirements_for(manifest, tmp_path / "out") == manifest
    assert not (tmp_path / "out").exists()


def test_a_named_pipfile_installs_the_lock_beside_it(tmp_path):
    """``requirements_file = "Pipfile"`` with its Pipfile.lock there: the lock is installed, as pipenv does
    (the lock is already among the layer's inputs), not refused for a lock it said was missing."""
    pipfile = _write(tmp_path, "Pipfile", '[packages]\nsix = "*"\n')
    _write(tmp_path, "Pipfile.lock", json.dumps({"default": {"six": {"version": "==1.16.0"}}}))
    written = requirements_for(pipfile, tmp_path / "out")
    assert written == tmp_path / "out" / "requirements.txt"
    assert _lines(written.read_text()) == ["six==1.16.0"]


def test_a_broken_lock_file_is_a_config_error_naming_the_file(tmp_path):
    lock = _write(tmp_path, "poetry.lock", "[[package]\nname = ")
    with pytest.raises(ConfigError) as caught:
        requirements_for(lock, tmp_path / "out")
    assert "poetry.lock" in caught.value.render() and "poetry lock" in caught.value.render()


# ---------------------------------------------------------------- end to end: real layers

@pytest.fixture(scope="module")
def uv_locked(tmp_path_factory) -> Path:
    """A real uv.lock for six + attrs (and a dev group), made by uv against the configured index."""
    folder = tmp_path_factory.mktemp("uv-project")
    (folder / "pyproject.toml").write_text(PYPROJECT)
    subprocess.run([local_python.uv_binary(), "lock", "--quiet"], cwd=folder, check=True, timeout=300)
    return folder / "uv.lock"


def _hashes(uv_lock: Path) -> dict[str, list[str]]:
    found = {}
    for package in tomllib.loads(uv_lock.read_text())["package"]:
        files = package.get("wheels", []) + ([package["sdist"]] if "sdist" in package else [])
        found[package["name"]] = [f["hash"] for f in files]
    return found


def _pipfile_lock(hashes: dict) -> str:
    return json.dumps({
        "_meta": {"pipfile-spec": 6, "requires": {"python_version": "3.12"}},
        "default": {"six": {"version": "==1.16.0", "hashes": hashes["six"]},
                    "attrs": {"version": "==23.2.0", "hashes": hashes["attrs"], "markers": "python_version >= '3.7'"}},
        "develop": {"iniconfig": {"version": "==2.0.0", "hashes": hashes["iniconfig"]}},
    }, indent=4)


def _poetry_lock(hashes: dict, style: str) -> str:
    def files(name):
        return ", ".join(f'{{file = "{name}", hash = "{h}"}}' for h in hashes[name])

    blocks = []
    for name, version, group in (("attrs", "23.2.0", "main"), ("iniconfig", "2.0.0", "dev"), ("six", "1.16.0", "main")):
        membership = f'groups = ["{group}"]' if style == "groups" else f'category = "{group}"'
        blocks.append(f'[[package]]\nname = "{name}"\nversion = "{version}"\ndescription = ""\noptional = false\n'
                      f'python-versions = ">=3.7"\n{membership}\nfiles = [{files(name)}]\n')
    lock_version = "2.1" if style == "groups" else "1.1"
    return "\n".join(blocks) + f'\n[metadata]\nlock-version = "{lock_version}"\npython-versions = "^3.11"\n'


def _layer_contents(zip_path: str) -> dict[str, bytes]:
    with zipfile.ZipFile(zip_path) as archive:
        return {name: archive.read(name) for name in archive.namelist()
                if not (".dist-info/" in name and name.rsplit("/", 1)[-1] in INSTALLER_METADATA)}


def _build_layer(run_genesys, folder: Path, kind: str, installer: str, files: dict[str, str]) -> dict[str, bytes]:
    folder.mkdir(parents=True)
    (folder / ".genesys").mkdir()
    (folder / "app.py").write_text(APP)
    for name, text in files.items():
        (folder / name).write_text(text)
    toml = folder / f"lambda_{kind}.toml"
    toml.write_text(TOML.format(kind=kind.replace(".", "-").replace("_", "-"), installer=installer))
    result = run_genesys("lambda", "build", "--output", "json", toml)
    assert result.code == 0, result.output
    layer = next(a for a in json.loads(result.stdout)["artifacts"] if a["kind"] == "layer")
    return _layer_contents(layer["path"])


@pytest.mark.parametrize("installer", ["pip", "uv"])
@pytest.mark.parametrize("kind", ["Pipfile.lock", "poetry.lock (groups)", "poetry.lock (category)", "uv.lock"])
def test_each_lock_kind_gives_the_same_layer_as_the_equivalent_requirements_txt(kind, installer, uv_locked,
                                                                                  tmp_path, run_genesys):
    hashes = _hashes(uv_locked)
    files = {
        "Pipfile.lock": {"Pipfile.lock": _pipfile_lock(hashes)},
        "poetry.lock (groups)": {"poetry.lock": _poetry_lock(hashes, "groups")},
        "poetry.lock (category)": {"poetry.lock": _poetry_lock(hashes, "category")},
        "uv.lock": {"uv.lock": uv_locked.read_text(), "pyproject.toml": PYPROJECT},
    }[kind]

    reference = _build_layer(run_genesys, tmp_path / "reference", "requirements", installer,
                             {"requirements.txt": "six==1.16.0\nattrs==23.2.0\n"})
    locked = _build_layer(run_genesys, tmp_path / "locked", kind.split()[0], installer, files)

    assert "python/six.py" in reference and any(n.startswith("python/attr/") for n in reference)
    assert not any("iniconfig" in name for name in locked), "dev dependencies must stay out of the layer"
    assert sorted(locked) == sorted(reference)
    assert locked == reference


def test_hashes_from_a_lock_file_are_enforced(tmp_path, run_genesys):
    folder = tmp_path / "fn"
    folder.mkdir()
    (folder / ".genesys").mkdir()
    (folder / "app.py").write_text(APP)
    (folder / "Pipfile.lock").write_text(json.dumps(
        {"default": {"six": {"version": "==1.16.0", "hashes": ["sha256:" + "0" * 64]}}}))
    (folder / "lambda_fn.toml").write_text(TOML.format(kind="tampered", installer="pip"))

    result = run_genesys("lambda", "build", folder / "lambda_fn.toml")

    assert result.code == 1, result.output
    assert "0" * 64 in result.stderr and "six" in result.stderr


def test_a_pipfile_without_its_lock_exits_2_asking_for_pipenv_lock(tmp_path, run_genesys):
    folder = tmp_path / "fn"
    folder.mkdir()
    (folder / ".genesys").mkdir()
    (folder / "app.py").write_text(APP)
    (folder / "Pipfile").write_text('[packages]\nsix = "*"\n')
    (folder / "lambda_fn.toml").write_text(TOML.format(kind="unlocked", installer="pip"))

    result = run_genesys("lambda", "build", folder / "lambda_fn.toml")

    assert result.code == 2, result.output
    assert "Pipfile.lock" in result.stderr and "pipenv lock" in result.stderr


@pytest.mark.parametrize("lock_name, lock_text, pyproject, tool", [
    # aws-sam-cli's PythonPyProject test data: pyproject.toml names cryptography, its uv.lock only numpy
    ("uv.lock", 'version = 1\n\n[[package]]\nname = "fn"\nversion = "0.1.0"\nsource = { virtual = "." }\n'
                'dependencies = [{ name = "six" }]\n\n[[package]]\nname = "six"\nversion = "1.16.0"\n'
                'source = { registry = "https://pypi.org/simple" }\n',
     '[project]\nname = "fn"\nversion = "0.1.0"\ndependencies = ["six==1.16.0", "cryptography==3.3.2"]\n', "uv lock"),
    ("poetry.lock", '[[package]]\nname = "six"\nversion = "1.16.0"\noptional = false\nfiles = []\n\n'
                    '[metadata]\nlock-version = "2.0"\n',
     '[tool.poetry.dependencies]\npython = "^3.11"\nsix = "*"\nCryptography = "*"\n', "poetry lock"),
])
def test_a_lock_older_than_a_pyproject_dependency_stops_the_layer_naming_it(tmp_path, run_genesys, lock_name,
                                                                            lock_text, pyproject, tool):
    folder = tmp_path / "fn"
    folder.mkdir()
    (folder / "app.py").write_text(APP)
    (folder / lock_name).write_text(lock_text)
    (folder / "pyproject.toml").write_text(pyproject)
    (folder / "lambda_fn.toml").write_text(TOML.format(kind="stale", installer="pip"))

    result = run_genesys("lambda", "build", folder / "lambda_fn.toml")

    assert result.code == 2, result.output
    assert f"{lock_name}: is older than pyproject.toml: it locks no " in result.stderr
    assert "ryptography" in result.stderr and f"run `{tool}`" in result.stderr
    assert not (folder / ".genesys" / "build" / "stale" / "layer-x86_64.zip").exists()


def test_a_dependency_added_to_pyproject_after_a_build_stops_the_next_build_until_relocked(tmp_path, run_genesys):
    folder = tmp_path / "fn"
    folder.mkdir()
    (folder / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (folder / "uv.lock").write_text('version = 1\n\n[[package]]\nname = "fn"\nversion = "0.1.0"\n'
                                    'source = { virtual = "." }\n')
    (folder / "pyproject.toml").write_text('[project]\nname = "fn"\nversion = "0.1.0"\ndependencies = []\n')
    (folder / "lambda_fn.toml").write_text(TOML.format(kind="relock", installer="pip"))
    first = run_genesys("lambda", "build", folder / "lambda_fn.toml")
    assert first.code == 0, first.output

    (folder / "pyproject.toml").write_text('[project]\nname = "fn"\nversion = "0.1.0"\ndependencies = ["six"]\n')
    again = run_genesys("lambda", "build", folder / "lambda_fn.toml")

    assert again.code == 2, again.output
    assert "locks no six" in again.stderr and "run `uv lock`" in again.stderr


PYPROJECT_APP = "import six\n\n\ndef lambda_handler(event, context):\n    return six.PY3\n"


def test_pyproject_dependencies_without_a_lock_or_requirements_file_build_the_layer(tmp_path, run_genesys):
    # a PEP 621 project (`uv init`, hatch, setuptools) whose only dependency list is pyproject.toml's
    folder = tmp_path / "fn"
    folder.mkdir()
    (folder / "app.py").write_text(PYPROJECT_APP)
    (folder / "pyproject.toml").write_text('[project]\nname = "fn"\nversion = "0.1.0"\ndependencies = ["six==1.16.0"]\n')
    (folder / "lambda_fn.toml").write_text(TOML.format(kind="pep621", installer="pip"))

    result = run_genesys("lambda", "build", folder / "lambda_fn.toml")

    assert result.code == 0, result.output
    layer = folder / ".genesys" / "build" / "locked-pep621" / "layer-x86_64.zip"
    with zipfile.ZipFile(layer) as zipped:
        assert "python/six.py" in zipped.namelist()


@pytest.mark.parametrize("pyproject, said", [
    ('[project]\nname = "fn"\nversion = "0.1.0"\n\n[tool.ruff]\nline-length = 100\n', "no dependencies to ship"),
    ('[tool.poetry.dependencies]\npython = "^3.12"\nsix = "*"\n', "there is no poetry.lock beside it"),
])
def test_a_pyproject_naming_no_dependencies_ships_no_layer_and_poetry_ones_need_their_lock(tmp_path, run_genesys,
                                                                                          pyproject, said):
    folder = tmp_path / "fn"
    folder.mkdir()
    (folder / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (folder / "pyproject.toml").write_text(pyproject)
    (folder / "lambda_fn.toml").write_text(TOML.format(kind="pep621", installer="pip"))

    result = run_genesys("lambda", "build", folder / "lambda_fn.toml")

    assert said in result.stderr, result.output
    assert result.code == (0 if "no dependencies" in said else 2)


UV_LOCK_VIRTUAL = 'version = 1\n\n[[package]]\nname = "fn"\nversion = "0.1.0"\nsource = { virtual = "." }\n'


@pytest.mark.parametrize("beside, pyproject, said", [
    ("", '[project]\nname = "fn"\ndependencies = "six"\n', "[project] dependencies is not a list"),
    ("uv.lock", '[project]\nname = "fn"\ndependencies = "six"\n', "[project] dependencies is not a list"),
    ("", 'project = "fn"\n', "[project] dependencies is not a list"),
    ("uv.lock", '[tool]\npoetry = 1\n', "[tool.poetry.dependencies] is not a table"),
    ("uv.lock", '[project\nname = "fn"\n', "pyproject.toml: not valid TOML"),
])
def test_a_pyproject_of_the_wrong_shape_is_named_not_read_letter_by_letter(tmp_path, run_genesys, beside,
                                                                            pyproject, said):
    folder = tmp_path / "fn"
    folder.mkdir()
    (folder / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    if beside:
        (folder / beside).write_text(UV_LOCK_VIRTUAL)
    (folder / "pyproject.toml").write_text(pyproject)
    (folder / "lambda_fn.toml").write_text(TOML.format(kind="shape", installer="pip"))

    result = run_genesys("lambda", "build", folder / "lambda_fn.toml")

    assert result.code == 2, result.output
    assert said in result.stderr and "Traceback" not in result.output
    assert "locks no" not in result.stderr
