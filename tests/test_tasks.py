"""The task graph, without running it: what each task depends on and what it ignores."""

from __future__ import annotations

from pathlib import Path

import pytest

from genesys_tasks.commands.init_repo import DODO
from genesys_tasks.config import load
from genesys_tasks.tasks import creators
from genesys_tasks.tasks.build import build_task, function_of, layer_task, package_task

TOML = '''[metadata]
name = "fn"
runtime = "python3.12"
handler = "app.lambda_handler"

[build]
architectures = ["x86_64", "arm64"]
{extra}

[function]
memory_mb = {memory}
'''


def _function(tmp_path: Path, *, requirements: bool = True, memory: int = 128, extra: str = "") -> Path:
    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    if requirements:
        (tmp_path / "requirements.txt").write_text("six\n")
    toml = tmp_path / "lambda_fn.toml"
    toml.write_text(TOML.format(memory=memory, extra=extra))
    return toml


def _sources(spec):
    from genesys_tasks.build.package import function_sources

    return [str(p) for _, p in function_sources(spec)]


def test_package_inputs_leave_out_the_toml_and_the_requirements(tmp_path):
    spec = load(_function(tmp_path))
    assert _sources(spec) == [str(tmp_path / "app.py")]


def test_layer_task_depends_on_the_manifest_and_targets_one_zip_per_architecture(tmp_path):
    spec = load(_function(tmp_path))
    task = layer_task(function_of(spec, []), tmp_path)
    assert task["file_dep"] == [str(tmp_path / "requirements.txt")]
    assert [Path(t).name for t in task["targets"]] == ["layer-x86_64.zip", "layer-arm64.zip"]


def test_a_function_without_dependencies_has_no_layer_task(tmp_path):
    spec = load(_function(tmp_path, requirements=False))
    assert layer_task(function_of(spec, []), tmp_path) is None
    assert build_task(function_of(spec, _sources(spec)), tmp_path)["task_dep"] == []


def test_memory_is_not_a_build_input(tmp_path):
    def signatures(memory):
        spec = load(_function(tmp_path, memory=memory))
        tasks = [layer_task(function_of(spec, []), tmp_path), package_task(function_of(spec, _sources(spec)), tmp_path),
                 build_task(function_of(spec, _sources(spec)), tmp_path)]
        return [(t["file_dep"], [getattr(u, "config", u) for u in t["uptodate"]]) for t in tasks]

    assert signatures(128) == signatures(4096)


def test_pre_build_hooks_become_a_task_the_build_and_the_package_wait_for(tmp_path):
    spec = load(_function(tmp_path, extra='pre_build = ["true"]'))
    assert package_task(function_of(spec, _sources(spec)), tmp_path)["task_dep"] == ["pre_build:fn"]
    assert build_task(function_of(spec, _sources(spec)), tmp_path)["task_dep"] == ["layer:fn", "pre_build:fn"]


def test_the_build_task_zips_the_function_and_depends_on_its_sources_and_layer_zips(tmp_path):
    spec = load(_function(tmp_path))
    task = build_task(function_of(spec, _sources(spec)), tmp_path)
    assert [Path(t).name for t in task["file_dep"]] == ["app.py", "layer-x86_64.zip", "layer-arm64.zip"]
    assert [Path(t).name for t in task["targets"]] == ["function-x86_64.zip", "function-arm64.zip",
                                                      "artifact-x86_64.json", "artifact-arm64.json"]
    assert [a.__name__.split(":")[0] for a in task["actions"]] == ["begin", "package", "check_imports", "finish", "end"]
    assert len(task["uptodate"]) == 1  # doit inspects each up-to-date callable of every task on every run


def test_a_settings_digest_is_what_doit_saves_for_the_settings_so_an_upgrade_rebuilds_nothing():
    from doit.tools import config_changed

    from genesys_tasks.tasks.build import settings_digest

    settings = {"runtime": "python3.12", "exclude": ["*.md", "tests/"], "layers": 2, "image": None, "ünï": True}
    saved = config_changed(settings)
    assert saved(None, {}) is False  # works out the digest it saves
    assert settings_digest(settings) == saved.config_digest
    assert config_changed(settings_digest(settings))(None, {"_config_changed": saved.config_digest}) is True


@pytest.mark.parametrize("cache_url", ["", "s3://team-cache/genesys"], ids=["local cache", "shared cache"])
def test_creating_tasks_imports_neither_boto3_nor_rich(tmp_path, cache_url):
    import os
    import subprocess
    import sys

    _function(tmp_path)
    code = ("import sys; from genesys_tasks.tasks import creators; c = creators(sys.argv[1]);"
            "[list(f() or ()) for n, f in c.items() if n.startswith('task_')];"
            "heavy = [m for m in ('boto3', 'botocore', 'rich', 'pydantic', 'jinja2') if m in sys.modules];"
            "print(heavy); sys.exit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent.parent,
                            env=dict(os.environ, GENESYS_CACHE_URL=cache_url))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_default_task_is_build_and_the_dep_file_lives_in_dot_genesys(tmp_path):
    config = creators(tmp_path)["DOIT_CONFIG"]
    assert config["default_tasks"] == ["build"]
    assert Path(config["dep_file"]).parent == tmp_path / ".genesys"
    assert (tmp_path / ".genesys").is_dir()


DEPLOY_SIDE = ("role", "layer_publish", "deploy", "plan", "delete")
ON_DEMAND = ("package", *DEPLOY_SIDE)


def _load(namespace: dict, *, running: bool) -> dict:
    from doit.loader import load_tasks

    return {task.name: task for task in load_tasks(namespace, allow_delayed=running)}


def test_a_run_makes_one_build_task_a_function_and_the_other_steps_only_when_one_is_asked_for(tmp_path):
    _function(tmp_path)
    tasks = _load(creators(tmp_path, listing=False), running=True)
    assert {name for name in tasks if ":" in name} == {"layer:fn", "build:fn"}
    assert all(tasks[step].loader for step in ON_DEMAND)  # placeholders doit fills in on demand
    assert all(tasks[step].loader.creates == list(ON_DEMAND) for step in ON_DEMAND)  # create_after(creates=...)


def test_a_package_task_asked_for_by_name_is_made_on_demand_and_zips_the_function(tmp_path, run_doit):
    import re

    _function(tmp_path, requirements=False)
    (tmp_path / "dodo.py").write_text(DODO)
    ran = lambda result: set(re.findall(r"^▶ (\S+)", result.stderr, re.M))  # noqa: E731
    first = run_doit("package:fn", cwd=tmp_path)
    assert first.code == 0 and ran(first) == {"package:fn"}, first.output
    assert (tmp_path / ".genesys/build/fn/function-arm64.zip").is_file()
    again = run_doit("package:fn", cwd=tmp_path)
    assert again.code == 0 and ran(again) == set(), again.output
    build = run_doit("build", cwd=tmp_path)
    assert build.code == 0 and ran(build) == {"build:fn"}, build.output


def test_doits_command_line_chooses_whether_every_task_is_made_at_load():
    from genesys_tasks.tasks.graph import command_lists

    assert command_lists(["list", "--all"]) and command_lists(["-f", "dodo.py", "info", "deploy:fn"])
    assert command_lists(["forget", "deploy:fn"])
    assert not command_lists([]) and not command_lists(["deploy:fn"]) and not command_lists(["-n", "2", "build"])
    assert not command_lists(["run", "list"]) and not command_lists(["-f", "list"])
    assert command_lists(["stage=prod", "list"]) and not command_lists(["strace", "build"])  # as doit reads them


def test_listing_shows_every_deploy_side_task_once_with_its_doc(tmp_path):
    _function(tmp_path)
    tasks = _load(creators(tmp_path, listing=True), running=False)
    assert {f"{step}:fn" for step in ON_DEMAND} <= set(tasks)
    assert tasks["deploy:fn"].task_dep[:3] == ["build:fn", "role:fn", "layer_publish:fn"]
    assert tasks["plan"].doc == "Show what deploying each function would change."


def test_the_same_creators_load_twice_with_the_same_tasks(tmp_path):
    _function(tmp_path)
    for listing in (True, False):
        namespace = creators(tmp_path, listing=listing)
        assert set(_load(namespace, running=not listing)) == set(_load(namespace, running=not listing))


def test_loading_the_tasks_pauses_the_garbage_collector_and_restores_its_state(tmp_path):
    import gc

    _function(tmp_path)
    seen = []
    for collecting in (True, False):
        (gc.enable if collecting else gc.disable)()
        try:
            for name in ("task_layer", "task_pre_build", "task_build"):
                for _ in creators(tmp_path, listing=False)[name]():
                    seen.append(gc.isenabled())
            assert gc.isenabled() is collecting
        finally:
            gc.enable()
    assert seen and not any(seen)


def test_deploy_side_tasks_pickle_for_doit_n_workers(tmp_path):
    import pickle

    _function(tmp_path)
    tasks = _load(creators(tmp_path, listing=True), running=False)
    for step in DEPLOY_SIDE:
        original = tasks[f"{step}:fn"].actions[0].py_callable
        copy = pickle.loads(pickle.dumps(tasks[f"{step}:fn"])).actions[0].py_callable
        assert (copy.step, copy.spec, copy.root) == (original.step, original.spec, original.root)
        assert repr(copy) == f"<action {original.step.__name__}:fn>"


def test_a_build_task_made_from_the_spec_cache_pickles_for_doit_n_workers_and_runs_on_its_spec(tmp_path):
    import os
    import pickle
    import time

    from doit.loader import load_tasks

    toml = _function(tmp_path, requirements=False)  # no layer, whose inputs are worked out from one spec a manifest
    creators(tmp_path)  # makes .genesys/ in the function's folder
    when = time.time() - 10  # old enough for the spec cache to keep them
    for path in (tmp_path, *tmp_path.iterdir()):
        os.utime(path, (when, when))

    def build_action():
        made = creators(tmp_path, listing=False)
        task = {t.name: t for t in load_tasks({"task_build": made["task_build"]})}["build:fn"]
        return task, task.actions[1].py_callable  # after SourcesHeld.begin

    from genesys_tasks.tasks import spec_cache

    build_action()  # loads the TOML and keeps its spec
    assert spec_cache.cache_file(tmp_path.absolute(), None).is_file()
    task, action = build_action()  # made from the cache
    assert action.function._spec is None  # the spec not unpickled yet
    copy = pickle.loads(pickle.dumps(task)).actions[1].py_callable
    assert repr(copy) == "<action package:fn>"
    assert copy.spec == action.spec == load(toml)


PLAIN_TOML = '''[metadata]
name = "fn"
runtime = "python3.12"
handler = "app.lambda_handler"
'''
ONLY_FOR_SOME_TOMLS = ("genesys_tasks.config.triggers", "genesys_tasks.config.image_ref",
                       "genesys_tasks.secret_detector", "genesys_tasks.build.source_builds",
                       "genesys_tasks.config.detect.evidence", "genesys_tasks.config.detect.versions",
                       "genesys_tasks.config.detect.python_pins")
ONLY_TO_READ_A_TOML = ("genesys_tasks.config.loader", "genesys_tasks.config.checks", "genesys_tasks.config.reader",
                       "genesys_tasks.build.lockfiles")


def _imported(result) -> set[str]:
    """The modules a run imported, from what ``-X importtime`` (``PYTHONPROFILEIMPORTTIME``) wrote on stderr."""
    return {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
            if line.startswith("import time:") and line.count("|") == 2}


def test_a_build_imports_what_its_functions_use_and_a_no_op_no_loader(tmp_path, run_doit):
    """A valid function naming its runtime and handler, without triggers, image or environment, whose install
    succeeds: the clean build imports no trigger table, image reference, secret detector, runtime detection
    or source-build fallback; the no-op after it reads no TOML (the spec cache keeps its spec), so
    it imports neither the loader nor its checks, nor the lock file readers."""
    import os
    import time

    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (tmp_path / "requirements.txt").write_text("six==1.16.0\n")
    (tmp_path / "lambda_fn.toml").write_text(PLAIN_TOML)
    (tmp_path / "dodo.py").write_text(DODO)
    (tmp_path / ".genesys").mkdir()  # the repo as a first run leaves it, dated back: the spec cache trusts no
    (tmp_path / "__pycache__").mkdir()  # (where Python writes dodo.py's bytecode, unless PYTHONDONTWRITEBYTECODE)
    past = time.time() - 10  # folder changed within a second of its stat (build.walk.RACY_NS), and this one is the source
    for path in (*tmp_path.iterdir(), tmp_path):
        os.utime(path, (past, past))
    clean = run_doit("build", cwd=tmp_path, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert clean.code == 0, clean.output
    imported = _imported(clean)
    # it read the TOML and judged the requirements (a module imported with importlib, as the installer is, gets
    # no line of its own: the modules it imports are the sign of it)
    assert {"genesys_tasks.config.loader", "genesys_tasks.build.requirements"} <= imported, clean.output[-2000:]
    assert imported.isdisjoint(ONLY_FOR_SOME_TOMLS), sorted(imported & set(ONLY_FOR_SOME_TOMLS))
    no_op = run_doit("build", cwd=tmp_path, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert no_op.code == 0 and "0 ran" in no_op.stderr, no_op.output
    imported = _imported(no_op)
    assert "genesys_tasks.tasks.spec_cache" in imported
    assert imported.isdisjoint(ONLY_FOR_SOME_TOMLS + ONLY_TO_READ_A_TOML), \
        sorted(imported & set(ONLY_FOR_SOME_TOMLS + ONLY_TO_READ_A_TOML))
