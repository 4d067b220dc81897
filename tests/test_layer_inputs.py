"""The layer cache key covers everything a layer is built from, and a layer's bytes never depend on the
checkout path: local wheels, folders, ``-e`` paths, ``file:`` URLs, lock-file path sources and package.json
``file:`` dependencies are hashed into the key and are file_dep of the layer task."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from genesys_tasks.build import layer as layer_module
from genesys_tasks.build.cache import LayerCache
from genesys_tasks.build.installers import InstallJob
from genesys_tasks.build.layer import build_layer, cache_key, layer_inputs, strip_host_paths
from genesys_tasks.commands.init_repo import DODO
from genesys_tasks.runtimes import DEFAULT


def make_wheel(path: Path, body: str = "VALUE = 1\n") -> Path:
    """A pure-Python wheel of ``xmod`` 1.0 at ``path`` (a folder); returns the wheel file."""
    files = {
        "xmod/__init__.py": body,
        "xmod-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: xmod\nVersion: 1.0\n",
        "xmod-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(text.encode())}")
    record.append("xmod-1.0.dist-info/RECORD,,")
    files["xmod-1.0.dist-info/RECORD"] = "\n".join(record) + "\n"
    path.mkdir(parents=True, exist_ok=True)
    wheel = path / "xmod-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


def job_for(folder: Path, manifest: str, text: str, runtime: str = "python3.12") -> InstallJob:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / manifest).write_text(text)
    return InstallJob(runtime=DEFAULT.lookup(runtime), arch="x86_64", manifest=folder / manifest, source=folder,
                      target=Path(), installer="pip")


def make_pkg(folder: Path, body: str = "X = 1\n") -> Path:
    (folder / "mypkg").mkdir(parents=True, exist_ok=True)
    (folder / "mypkg" / "__init__.py").write_text(body)
    (folder / "pyproject.toml").write_text('[project]\nname = "mypkg"\nversion = "1.0"\n')
    return folder


# --- the key ---------------------------------------------------------------------------------------

REQUIREMENT_FORMS = {
    "wheel path": "./libs/xmod-1.0-py3-none-any.whl\n",
    "folder": "./pkg\n",
    "editable folder": "-e ./pkg\n",
    "file url": "xmod @ file:{root}/libs/xmod-1.0-py3-none-any.whl\n",
    "nested requirements": "-r more.txt\n",
}


@pytest.mark.parametrize("form", sorted(REQUIREMENT_FORMS))
def test_changing_a_local_file_a_requirements_file_names_changes_the_key(form, tmp_path):
    fn = tmp_path / "fn"
    make_wheel(fn / "libs")
    make_pkg(fn / "pkg")
    (fn / "more.txt").write_text("./libs/xmod-1.0-py3-none-any.whl\n")
    job = job_for(fn, "requirements.txt", REQUIREMENT_FORMS[form].format(root=fn))
    before = cache_key(job, "pip 24")

    make_wheel(fn / "libs", body="VALUE = 2\n")
    make_pkg(fn / "pkg", body="X = 2\n")

    assert cache_key(job, "pip 24") != before


def test_the_same_local_wheel_in_two_checkouts_gives_the_same_key(tmp_path):
    keys = set()
    for checkout in ("one", "two/deeper"):
        fn = tmp_path / checkout / "fn"
        make_wheel(fn / "libs")
        keys.add(cache_key(job_for(fn, "requirements.txt", "./libs/xmod-1.0-py3-none-any.whl\n"), "pip 24"))
    assert len(keys) == 1


def test_build_leftovers_in_a_local_package_folder_do_not_change_the_key(tmp_path):
    fn = tmp_path / "fn"
    make_pkg(fn / "pkg")
    job = job_for(fn, "requirements.txt", "./pkg\n")
    before = cache_key(job, "pip 24")
    (fn / "pkg" / "build" / "lib").mkdir(parents=True)
    (fn / "pkg" / "build" / "lib" / "x.py").write_text("")
    (fn / "pkg" / "mypkg.egg-info").mkdir()
    (fn / "pkg" / "mypkg" / "__pycache__").mkdir()
    assert cache_key(job, "pip 24") == before


@pytest.mark.parametrize("lock", ["Pipfile.lock", "poetry.lock", "uv.lock"])
def test_a_path_source_in_a_python_lock_file_is_hashed_into_the_key(lock, tmp_path):
    fn = tmp_path / "fn"
    make_pkg(fn / "pkg")
    text = {
        "Pipfile.lock": json.dumps({"_meta": {}, "default": {"mypkg": {"path": "./pkg"}}}),
        "poetry.lock": '[[package]]\nname = "mypkg"\nversion = "1.0"\ngroups = ["main"]\n'
                       '[package.source]\ntype = "directory"\nurl = "pkg"\n',
        "uv.lock": 'version = 1\n[[package]]\nname = "fn"\nversion = "0"\nsource = { editable = "." }\n'
                   'dependencies = [{ name = "mypkg" }]\n'
                   '[[package]]\nname = "mypkg"\nversion = "1.0"\nsource = { directory = "pkg" }\n',
    }[lock]
    job = job_for(fn, lock, text)
    before = cache_key(job, "pip 24")
    assert fn / "pkg" / "mypkg" / "__init__.py" in layer_inputs(job)
    make_pkg(fn / "pkg", body="X = 2\n")
    assert cache_key(job, "pip 24") != before


def test_a_package_json_file_dependency_is_hashed_into_the_key_and_is_a_layer_input(tmp_path):
    fn = tmp_path / "fn"
    (fn / "vendor" / "greet").mkdir(parents=True)
    (fn / "vendor" / "greet" / "index.js").write_text("module.exports = 1;\n")
    manifest = json.dumps({"name": "fn", "dependencies": {"greet": "file:vendor/greet", "ms": "2.1.3"}})
    job = job_for(fn, "package.json", manifest, runtime="nodejs20.x")
    before = cache_key(job, "npm 11")
    assert layer_inputs(job) == [fn / "package.json", fn / "vendor" / "greet" / "index.js"]
    (fn / "vendor" / "greet" / "index.js").write_text("module.exports = 2;\n")
    assert cache_key(job, "npm 11") != before


def test_the_key_carries_the_layer_recipe_version(tmp_path, monkeypatch):
    job = job_for(tmp_path / "fn", "requirements.txt", "six\n")
    before = cache_key(job, "pip 24")
    monkeypatch.setattr(layer_module, "RECIPE_VERSION", layer_module.RECIPE_VERSION + "-next")
    assert cache_key(job, "pip 24") != before


def test_the_layer_task_depends_on_the_local_files_the_manifest_names(tmp_path):
    from genesys_tasks.config import load
    from genesys_tasks.tasks.build import function_of, layer_task

    fn = tmp_path / "fn"
    wheel = make_wheel(fn / "libs")
    (fn / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (fn / "requirements.txt").write_text("./libs/xmod-1.0-py3-none-any.whl\nsix\n")
    (fn / "lambda_fn.toml").write_text('[metadata]\nname = "fn"\nruntime = "python3.12"\n'
                                       'handler = "app.lambda_handler"\n')
    task = layer_task(function_of(load(fn / "lambda_fn.toml"), []), tmp_path)
    assert task["file_dep"] == [str(fn / "requirements.txt"), str(wheel)]


@pytest.mark.parametrize("in_layer", [True, False], ids=["layer", "bundled"])
def test_naming_another_manifest_of_the_same_folder_installs_it(tmp_path, run_doit, in_layer):
    """requirements.txt and Pipfile.lock side by side are both inputs of the layer (or of the zip that
    bundles the dependencies) whichever is named: switching ``requirements_file`` from one to the other
    changes no input file, yet the other one must be installed."""
    fn = tmp_path / "fn"
    make_wheel(fn / "libs")
    (fn / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (fn / "requirements.txt").write_text("./libs/xmod-1.0-py3-none-any.whl\n")
    (fn / "Pipfile.lock").write_text(json.dumps({"default": {}, "develop": {}}))  # nothing to install
    toml = fn / "lambda_fn.toml"
    toml.write_text('[metadata]\nname = "fn"\nruntime = "python3.12"\nhandler = "app.lambda_handler"\n\n'
                    '[build]\nrequirements_file = "Pipfile.lock"\ninstaller = "pip"\narchitectures = ["x86_64"]\n'
                    f'layer_auto = {str(in_layer).lower()}\n')
    (fn / "dodo.py").write_text(DODO)
    env = {"GENESYS_CACHE_DIR": str(tmp_path / "cache")}
    first = run_doit("build", cwd=fn, env=env)
    assert first.code == 0, first.output
    built = fn / ".genesys" / "build" / "fn" / ("layer-x86_64.zip" if in_layer else "function-x86_64.zip")
    installed = "python/xmod/__init__.py" if in_layer else "xmod/__init__.py"
    assert installed not in zipfile.ZipFile(built).namelist()

    toml.write_text(toml.read_text().replace('"Pipfile.lock"', '"requirements.txt"'))
    second = run_doit("build", cwd=fn, env=env)
    assert second.code == 0, second.output
    assert ("layer:fn" if in_layer else "build:fn") in second.stderr
    assert installed in zipfile.ZipFile(built).namelist()


# --- the bytes --------------------------------------------------------------------------------------

def test_a_layer_built_from_a_local_wheel_has_the_same_bytes_in_any_checkout_and_no_host_path(tmp_path):
    shas = set()
    for checkout in ("one", "two/deeper"):
        fn = tmp_path / checkout / "fn"
        make_wheel(fn / "libs")
        job = job_for(fn, "requirements.txt", "./libs/xmod-1.0-py3-none-any.whl\n")
        dest = tmp_path / checkout / "layer.zip"
        sha, from_cache = build_layer(job, dest, LayerCache(tmp_path / checkout / "cache"))
        assert not from_cache
        with zipfile.ZipFile(dest) as archive:
            names = archive.namelist()
            assert "python/xmod/__init__.py" in names
            assert not [n for n in names if n.endswith("direct_url.json")]
            assert not [n for n in names if str(tmp_path).encode() in archive.read(n)]
        shas.add(sha)
    assert len(shas) == 1


def test_a_changed_local_wheel_is_rebuilt_instead_of_served_stale_from_the_cache(tmp_path):
    fn = tmp_path / "fn"
    make_wheel(fn / "libs")
    job = job_for(fn, "requirements.txt", "./libs/xmod-1.0-py3-none-any.whl\n")
    cache = LayerCache(tmp_path / "cache")
    build_layer(job, tmp_path / "layer.zip", cache)
    make_wheel(fn / "libs", body="VALUE = 2\n")

    _, from_cache = build_layer(job, tmp_path / "layer.zip", cache)

    assert not from_cache
    with zipfile.ZipFile(tmp_path / "layer.zip") as archive:
        assert archive.read("python/xmod/__init__.py") == b"VALUE = 2\n"


def test_strip_host_paths_removes_direct_url_json_and_its_record_line(tmp_path):
    info = tmp_path / "python" / "xmod-1.0.dist-info"
    info.mkdir(parents=True)
    (tmp_path / "python" / "xmod").mkdir()
    (tmp_path / "python" / "xmod" / "__init__.py").write_text("")
    (info / "direct_url.json").write_text('{"url": "file:///home/me/repo/libs/x.whl"}')
    (info / "RECORD").write_text("xmod/__init__.py,sha256=a,1\nxmod-1.0.dist-info/direct_url.json,sha256=b,2\n")
    strip_host_paths(tmp_path)
    assert not (info / "direct_url.json").exists()
    assert (info / "RECORD").read_text() == "xmod/__init__.py,sha256=a,1\n"


def installed(layer: Path, dist_info: str, shipped: str, record: str) -> Path:
    """A layer with one installed file ``shipped`` and ``dist_info``'s RECORD; the dist-info folder."""
    site = layer / "python"
    info = site / dist_info
    info.mkdir(parents=True)
    (site / shipped).write_text("")
    (info / "RECORD").write_text(record)
    return info


def test_strip_host_paths_keeps_only_record_lines_of_shipped_files_and_drops_installer_records(tmp_path):
    info = installed(tmp_path, "tool-1.0.dist-info", "tool.py",
                     'tool.py,sha256=a,1\n../../bin/tool,sha256=shebang-of-/home/me/venv,9\n'
                     '"tool-1.0.dist-info/uv_cache.json",sha256=c,3\ntool-1.0.dist-info/RECORD,,\n')
    (info / "uv_cache.json").write_text('{"timestamp": {"secs_since_epoch": 1765000000}}')
    strip_host_paths(tmp_path)
    assert not (info / "uv_cache.json").exists()
    assert (info / "RECORD").read_text() == "tool.py,sha256=a,1\ntool-1.0.dist-info/RECORD,,\n"


@pytest.mark.parametrize("line", [
    "tool.py,sha256=a,1\n", "tool.py,sha256=a,1\r\n", "tool.py\n", "tool.py", ",sha256=a,1\n",
    "../../bin/tool,sha256=b,9\n", '"a,b.py",sha256=c,3\n', '"a ""q"".py",sha256=c,3\n', " tool.py ,x\n",
    "bad\0name,sha256=a,1\n", '"unterminated\n'])
def test_a_record_line_names_the_path_csv_reads_in_it(line):
    import csv

    try:
        expected = next(csv.reader([line]))[0]
    except (csv.Error, IndexError, StopIteration):
        expected = None
    assert layer_module._record_path(line) == expected


def test_strip_host_paths_keeps_a_quoted_record_line_of_a_shipped_file_with_a_comma_in_its_name(tmp_path):
    info = installed(tmp_path, "odd-1.0.dist-info", "a,b.py",
                     '"a,b.py",sha256=a,1\n"../../bin/x,y",sha256=b,2\nodd-1.0.dist-info/RECORD,,\n')
    strip_host_paths(tmp_path)
    assert (info / "RECORD").read_text() == '"a,b.py",sha256=a,1\nodd-1.0.dist-info/RECORD,,\n'


def test_a_requirement_by_name_names_no_local_file(tmp_path):
    job = job_for(tmp_path / "fn", "requirements.txt", "six==1.16.0\nrequests[socks]>=2 ; python_version > '3'\n"
                                                        "git+https://example.com/x.git#egg=x\n--index-url https://x\n")
    assert layer_inputs(job) == [tmp_path / "fn" / "requirements.txt"]
