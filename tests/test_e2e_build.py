"""End to end: a temporary repo built with real doit runs, real pip and npm installs.

Pins the incremental contract: a second build runs nothing, an edit reruns only
what it feeds, artifact hashes are stable, and failures exit with the right code
and a clear message instead of a traceback.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from genesys_tasks.commands.init_repo import DODO

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
pytestmark = pytest.mark.needs_tools("npm", "node")  # every repo here has a Node function with a layer

PY_TOML = '''[metadata]
name = "{name}"
runtime = "python3.12"
handler = "app.lambda_handler"

[build]
source_path = "."
pre_build = ["python -c \\"open('pre.marker', 'a').write('x')\\""]
post_build = ["python -c \\"open('post.marker', 'a').write('x')\\""]
exclude = ["*.marker"]

[function]
memory_mb = 256
'''


def _python_function(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "app.py").write_text("import six\n\n\ndef lambda_handler(event, context):\n    return six.PY3\n")
    (folder / "requirements.txt").write_text("six==1.16.0\n")
    toml = folder / f"lambda_{name}.toml"
    toml.write_text(PY_TOML.format(name=name))
    return toml


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "dodo.py").write_text(DODO)
    _python_function(root, "alpha")
    _python_function(root, "beta")
    shutil.copytree(EXAMPLES / "node-cjs", root / "node", ignore=shutil.ignore_patterns("node_modules"))
    return root


def executed(result) -> set[str]:
    return set(re.findall(r"^▶ (\S+)", result.stderr, re.M))


def hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / ".genesys" / "build").rglob("*.zip"))}


@pytest.fixture
def built(repo, run_doit):
    first = run_doit("build", cwd=repo)
    assert first.code == 0, first.output
    return repo, first


def test_first_build_makes_every_layer_and_zip_then_a_second_build_runs_nothing(built, run_doit):
    repo, first = built
    assert {"layer:alpha", "layer:beta", "layer:node-cjs", "pre_build:alpha", "build:alpha", "build:beta",
            "build:node-cjs"} <= executed(first)
    before = hashes(repo)
    assert set(before) == {".genesys/build/alpha/layer-x86_64.zip", ".genesys/build/alpha/function-x86_64.zip",
                           ".genesys/build/beta/layer-x86_64.zip", ".genesys/build/beta/function-x86_64.zip",
                           ".genesys/build/node-cjs/layer-x86_64.zip",
                           ".genesys/build/node-cjs/function-x86_64.zip"}
    second = run_doit("build", cwd=repo)
    assert second.code == 0, second.output
    assert executed(second) == set()
    assert hashes(repo) == before


def test_rebuilding_from_scratch_gives_the_same_sha256s(built, run_doit):
    repo, _ = built
    before = hashes(repo)
    shutil.rmtree(repo / ".genesys")
    again = run_doit("build", cwd=repo)
    assert again.code == 0, again.output
    assert hashes(repo) == before


def test_editing_a_handler_reruns_only_that_functions_hooks_and_build(built, run_doit):
    repo, _ = built
    app = repo / "alpha" / "app.py"
    app.write_text(app.read_text() + "\n# a change\n")
    result = run_doit("build", cwd=repo)
    assert result.code == 0, result.output
    assert executed(result) == {"pre_build:alpha", "build:alpha"}  # build:<fn> zips it, then checks
    assert (repo / "alpha" / "post.marker").read_text() == "xx"  # post_build ran again after the zip changed


def test_editing_requirements_reruns_only_that_functions_layer(built, run_doit):
    repo, _ = built
    reqs = repo / "beta" / "requirements.txt"
    reqs.write_text("six==1.17.0\n")
    result = run_doit("build", cwd=repo)
    assert result.code == 0, result.output
    assert executed(result) == {"layer:beta", "build:beta"}


def test_functions_with_the_same_requirements_share_one_layer_file(built):
    repo, _ = built
    build = repo / ".genesys" / "build"
    assert (build / "alpha" / "layer-x86_64.zip").samefile(build / "beta" / "layer-x86_64.zip")


def test_rebuilding_one_functions_layer_leaves_the_others_file_alone(built, run_doit):
    repo, _ = built
    alpha, beta = (repo / ".genesys" / "build" / name / "layer-x86_64.zip" for name in ("alpha", "beta"))
    alpha_inode, alpha_sha = alpha.stat().st_ino, hashlib.sha256(alpha.read_bytes()).hexdigest()
    (repo / "beta" / "requirements.txt").write_text("six==1.17.0\n")

    result = run_doit("build", cwd=repo)

    assert result.code == 0, result.output
    assert not alpha.samefile(beta)
    assert alpha.stat().st_ino == alpha_inode
    assert hashlib.sha256(alpha.read_bytes()).hexdigest() == alpha_sha
    assert hashlib.sha256(beta.read_bytes()).hexdigest() != alpha_sha


def test_n_functions_sharing_one_requirements_file_keep_one_layer_on_disk(tmp_path, run_doit):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "dodo.py").write_text(DODO)
    (root / "requirements.txt").write_text("six==1.16.0\n")
    for i in range(5):
        toml = _python_function(root, f"fn{i}")
        (toml.parent / "requirements.txt").unlink()
        toml.write_text(toml.read_text().replace('source_path = "."',
                                                 'source_path = "."\nrequirements_file = "../requirements.txt"'))

    result = run_doit("build", cwd=root)

    assert result.code == 0, result.output
    layers = sorted((root / ".genesys" / "build").glob("*/layer-x86_64.zip"))
    assert len(layers) == 5
    on_disk = {(p.stat().st_dev, p.stat().st_ino): p.stat().st_size for p in layers}
    assert len(on_disk) == 1 and sum(on_disk.values()) == layers[0].stat().st_size


def test_changing_memory_rebuilds_nothing(built, run_doit):
    repo, _ = built
    toml = repo / "alpha" / "lambda_alpha.toml"
    toml.write_text(toml.read_text().replace("memory_mb = 256", "memory_mb = 1024"))
    result = run_doit("build", cwd=repo)
    assert result.code == 0, result.output
    assert executed(result) == set()


def test_bare_doit_builds_and_deploys_nothing(repo, run_doit):
    result = run_doit(cwd=repo)
    assert result.code == 0, result.output
    ran = executed(result)
    assert "build:alpha" in ran
    assert all(name.split(":")[0] in {"layer", "pre_build", "package", "build"} for name in ran)


def test_lambda_build_json_lists_every_artifact_with_its_sha256(repo, run_genesys):
    result = run_genesys("lambda", "build", "--output", "json", repo / "alpha" / "lambda_alpha.toml")
    assert result.code == 0, result.output
    artifacts = json.loads(result.stdout)["artifacts"]
    assert {(a["kind"], a["arch"]) for a in artifacts} == {("layer", "x86_64"), ("function", "x86_64")}
    for a in artifacts:
        data = Path(a["path"]).read_bytes()
        assert a["sha256"] == hashlib.sha256(data).hexdigest()
        assert a["size"] == len(data)


def test_cli_and_doit_share_state_so_each_skips_the_others_work(repo, run_genesys, run_doit):
    assert run_genesys("lambda", "build", repo / "alpha" / "lambda_alpha.toml").code == 0
    result = run_doit("build:alpha", cwd=repo)
    assert result.code == 0, result.output
    assert executed(result) == set()


def test_a_config_error_under_doit_exits_2_with_file_line_and_no_traceback(repo, run_doit):
    toml = repo / "beta" / "lambda_beta.toml"
    toml.write_text(toml.read_text().replace("memory_mb = 256", "memory_mb = 20000"))
    result = run_doit("build", cwd=repo)
    assert result.code == 2
    assert f"{toml}:13" in result.stderr and "memory_mb" in result.stderr and "10240" in result.stderr
    assert "Traceback" not in result.output


def test_two_tomls_with_one_name_are_a_config_error(repo, run_doit):
    toml = repo / "beta" / "lambda_beta.toml"
    toml.write_text(toml.read_text().replace('name = "beta"', 'name = "alpha"'))
    result = run_doit("list", cwd=repo)
    assert result.code == 2
    assert "'alpha'" in result.stderr and "Traceback" not in result.output


def test_a_failing_hook_stops_the_build_naming_the_command_and_its_exit_code(repo, run_genesys):
    toml = repo / "alpha" / "lambda_alpha.toml"
    toml.write_text(toml.read_text().replace('pre_build = [', 'pre_build = ["exit 3", '))
    result = run_genesys("lambda", "build", toml)
    assert result.code == 1
    assert "`exit 3`" in result.stderr and "code 3" in result.stderr
    assert not (repo / ".genesys" / "build" / "alpha" / "function-x86_64.zip").exists()
    assert "Traceback" not in result.output


def test_a_requirement_missing_from_the_index_exits_1_with_the_installers_message(repo, run_genesys):
    (repo / "alpha" / "requirements.txt").write_text("genesys-no-such-package-4242==1.0\n")
    result = run_genesys("lambda", "build", repo / "alpha" / "lambda_alpha.toml")
    assert result.code == 1
    assert "genesys-no-such-package-4242" in result.stderr
    assert "Traceback" not in result.output


def test_init_repo_writes_a_working_dodo_and_ignores_the_state_folder(tmp_path, run_genesys, run_doit):
    _python_function(tmp_path, "gamma")
    result = run_genesys("init-repo", tmp_path)
    assert result.code == 0, result.output
    assert ".genesys/" in (tmp_path / ".gitignore").read_text().splitlines()
    assert run_genesys("init-repo", tmp_path).code == 0
    assert (tmp_path / ".gitignore").read_text().count(".genesys/") == 1
    listing = run_doit("list", "--all", cwd=tmp_path)
    assert listing.code == 0 and "build:gamma" in listing.stdout


@pytest.mark.parametrize("kind, task", [("function", "build"), ("layer", "layer")])
def test_a_truncated_zip_is_not_up_to_date_and_the_next_build_makes_it_whole(kind, task, built, run_doit):
    repo, _ = built
    zip_path = repo / ".genesys" / "build" / "alpha" / f"{kind}-x86_64.zip"
    good = hashlib.sha256(zip_path.read_bytes()).hexdigest()
    size = zip_path.stat().st_size
    zip_path.chmod(0o644)  # a layer zip is a read-only hard link to its cache entry: this cuts both
    with open(zip_path, "r+b") as handle:
        handle.truncate(size // 2)

    result = run_doit("build", cwd=repo)

    assert result.code == 0, result.output
    assert f"{task}:alpha" in executed(result)
    assert hashlib.sha256(zip_path.read_bytes()).hexdigest() == good
    assert "Traceback" not in result.output
    assert executed(run_doit("build", cwd=repo)) == set()
