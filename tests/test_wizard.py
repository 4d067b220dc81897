"""The wizard without a terminal: the answers model and the TOML it makes, `genesys init` from flags,
`genesys interact --replay`, and `genesys interact` refusing to wait when there is no terminal."""

from __future__ import annotations

import datetime as _dt
import json
import shutil
from pathlib import Path

import pytest

from genesys_tasks import secret_detector as secrets
from genesys_tasks.cli import main
from genesys_tasks.config import load
from genesys_tasks.errors import ConfigError
from genesys_tasks.runtimes import DEFAULT
from genesys_tasks.wizard import render
from genesys_tasks.wizard.answers import Answers, Source
from genesys_tasks.wizard.questions import BY_KEY, Context, _build_method, _runtime_choices
from genesys_tasks.config.detect import detect
from genesys_tasks.config.regions import configured_region
from wizard_projects import ambiguous_folder, node_folder, python_folder

REPO = Path(__file__).resolve().parent.parent
TODAY = _dt.date(2026, 11, 26)


def _init(tmp_path: Path, *flags: str) -> int:
    return main(["init", "--dir", str(tmp_path), "--build-method", "local", *flags])


def test_answers_render_to_a_toml_the_loader_reads_back_answer_for_answer(tmp_path):
    python_folder(tmp_path / "src")
    answers = Answers(Source(), "orders", "python3.12", "app.lambda_handler", 512, 30, {"MODE": "prod"},
                      ["logs", "s3-read", "sqs-rw"], {"s3": ["in-bucket"], "sqs": ["jobs"]}, {"team": "data"},
                      True, "NONE", True, [{"type": "sqs", "queue": "jobs", "batch_size": 5}], "local",
                      ["arm64"])
    text = render.render(answers, "src")
    dest = tmp_path / render.file_name(answers)
    render.write(text, dest, overwrite=False)

    assert dest.name == "lambda_orders_python312.toml"
    spec = load(dest)
    assert (spec.name, spec.runtime.id, spec.handler) == ("orders", "python3.12", "app.lambda_handler")
    assert spec.build.source_path == (tmp_path / "src").resolve() and spec.build.architectures == ("arm64",)
    assert (spec.function.memory_mb, spec.function.timeout_seconds) == (512, 30)
    assert dict(spec.function.environment) == {"MODE": "prod"} and dict(spec.tags) == {"team": "data"}
    assert spec.iam.resources.s3_buckets == ("in-bucket",) and spec.iam.resources.sqs_queues == ("jobs",)
    assert spec.deployment.function_url and spec.deployment.auth_type == "NONE" and spec.deployment.cors_enabled
    assert [(t.type, t.get("queue"), t.get("batch_size")) for t in spec.triggers] == [("sqs", "jobs", 5)]
    assert "[metadata] # what the function is" in text and "# what invokes it" in text


def test_a_toml_the_loader_refuses_is_never_written(tmp_path):
    python_folder(tmp_path)
    answers = Answers(name="fn", runtime="python3.12", handler="missing.handler")
    dest = tmp_path / render.file_name(answers)
    with pytest.raises(ConfigError) as caught:
        render.write(render.render(answers, "."), dest, overwrite=False)
    assert caught.value.where.file == dest and "missing" in caught.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py"]


@pytest.mark.parametrize("name, value, secret", [
    ("API_KEY", "abc", True), ("DB_PASSWORD", "x", True), ("GITHUB_TOKEN", "t", True), ("STRIPE_SECRET", "s", True),
    ("MODE", "prod", False), ("BUCKET", "my-data-bucket", False), ("BASE_URL", "https://example.com/a/b/c/d", False),
    ("SETTING", "q8Zr2LmXv9Tn4KpW7sYb3HcJ", True), ("API_KEY", "${env:API_KEY}", False),
])
def test_secret_names_and_random_values_are_recognised(name, value, secret):
    assert secrets.looks_secret(name, value) is secret


def test_init_writes_the_toml_and_a_replay_of_its_answers_writes_the_same_bytes(tmp_path, monkeypatch, capsys):
    python_folder(tmp_path / "api")
    monkeypatch.chdir(tmp_path)  # --source is read from where init runs
    assert _init(tmp_path, "--source", "api", "--name", "my-api", "--runtime", "python3.11", "--env", "MODE=prod",
                 "--env", "API_TOKEN=hunter2", "--policy", "s3-read", "--resource", "s3=uploads", "--tag", "team=a",
                 "--url", "--auth-type", "NONE", "--trigger", "sqs:queue=jobs,batch_size=5", "--trigger",
                 "s3:bucket=uploads,events=s3:ObjectCreated:*|s3:ObjectRemoved:*", "--yes",
                 "--save-answers", str(tmp_path / "answers.json")) == 0
    toml = tmp_path / "lambda_my-api_python311.toml"
    first = toml.read_bytes()
    spec = load(toml)
    assert dict(spec.function.environment) == {"MODE": "prod", "API_TOKEN": "${env:API_TOKEN}"}
    assert "hunter2" not in first.decode() and "hunter2" not in (tmp_path / "answers.json").read_text()
    assert spec.iam.required_policies == ("logs", "s3-read") and spec.iam.resources.s3_buckets == ("uploads",)
    assert [t.type for t in spec.triggers] == ["sqs", "s3"]
    assert spec.triggers[1].get("events") == ("s3:ObjectCreated:*", "s3:ObjectRemoved:*")
    err = capsys.readouterr().err
    assert f"genesys execute {toml}" in err or "genesys execute " in err and "--dry-run" in err
    assert "genesys ci github" in err

    toml.unlink()
    assert main(["interact", "--replay", str(tmp_path / "answers.json"), "--dir", str(tmp_path)]) == 0
    assert toml.read_bytes() == first


def test_init_never_replaces_a_file_without_force(tmp_path, capsys):
    python_folder(tmp_path)
    toml = tmp_path / "lambda_fn_python312.toml"
    toml.write_text("# mine\n")
    assert _init(tmp_path, "--name", "fn", "--runtime", "python3.12", "--yes") == 2
    assert toml.read_text() == "# mine\n" and "--force" in capsys.readouterr().err
    assert _init(tmp_path, "--name", "fn", "--runtime", "python3.12", "--yes", "--force") == 0
    assert load(toml).name == "fn"


def test_init_without_yes_and_without_a_terminal_writes_nothing(tmp_path, capsys):
    python_folder(tmp_path)
    assert _init(tmp_path, "--name", "fn") == 2
    assert "--yes" in capsys.readouterr().err and not list(tmp_path.glob("lambda_*.toml"))


def test_an_ambiguous_folder_names_the_candidates_and_a_runtime_flag_settles_it(tmp_path, capsys):
    ambiguous_folder(tmp_path)
    assert _init(tmp_path, "--name", "fn", "--yes") == 2
    err = capsys.readouterr().err
    assert "more than one runtime fits" in err and "python3.14" in err and "nodejs24.x" in err
    assert _init(tmp_path, "--name", "fn", "--runtime", "nodejs22.x", "--yes") == 0
    assert load(tmp_path / "lambda_fn_nodejs22x.toml").handler == "index.handler"


@pytest.mark.parametrize("flags, wrong", [
    (("--memory", "99999"), "--memory: 99999 is out of range"),
    (("--name", "no spaces"), "--name: 'no spaces' is not a function name"),
    (("--policy", "s3-read", "--policy", "sqs-rw", "--resource", "s3=b"), "name resources for sqs too"),
    (("--trigger", "sqs:batch_size=5"), "missing required key 'queue'"),
    (("--trigger", "kafka:topic=x"), "unknown trigger type 'kafka'"),
    (("--runtime", "python3.8"), "unknown runtime 'python3.8'"),
    (("--env", "AWS_REGION=x"), "AWS_REGION is reserved"),
    (("--env", "NO_VALUE"), "--env 'NO_VALUE' is not KEY=value"),
    (("--trigger", "sqs:queue=j,batch_size=many"), "sqs trigger batch_size 'many' is not a whole number"),
    (("--trigger", "sqs:queue=j,size=5"), "sqs has no key 'size'"),
    (("--region", "eu-wset-1"), "--region: 'eu-wset-1' is not an AWS region; did you mean 'eu-west-1'?"),
])
def test_bad_flags_are_refused_with_the_flag_and_nothing_is_written(tmp_path, capsys, flags, wrong):
    python_folder(tmp_path)
    assert _init(tmp_path, "--runtime", "python3.12", *flags, "--yes") == 2
    assert wrong in capsys.readouterr().err and not list(tmp_path.glob("lambda_*.toml"))


def test_a_bad_replayed_answer_names_the_file_and_the_answer(tmp_path, capsys):
    python_folder(tmp_path)
    saved = tmp_path / "answers.json"
    saved.write_text(json.dumps({"genesys_answers": 1, "name": "fn", "memory_mb": 99999}))
    assert main(["interact", "--replay", str(saved), "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{saved}: [memory_mb]: 99999 is out of range" in err
    saved.write_text(json.dumps({"genesys_answers": 1, "memroy_mb": 256}))
    assert main(["interact", "--replay", str(saved), "--dir", str(tmp_path)]) == 2
    assert "unknown answer 'memroy_mb'" in capsys.readouterr().err


@pytest.mark.parametrize("stdin_tty, ci", [(False, ""), (True, "true")])
def test_interact_without_a_terminal_points_to_init_and_replay_instead_of_waiting(monkeypatch, capsys, tmp_path,
                                                                                   stdin_tty, ci):
    monkeypatch.setenv("CI", ci)
    monkeypatch.setattr("sys.stdin.isatty", lambda: stdin_tty, raising=False)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    assert main(["interact", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no terminal to ask in" in err and "genesys init --source" in err and "--replay" in err


def _context(tmp_path: Path, runtime: str = "") -> Context:
    ctx = Context(tmp_path, DEFAULT, TODAY, folder=tmp_path, detection=detect(tmp_path, today=TODAY))
    ctx.answers.runtime = runtime
    return ctx


def test_python_builds_locally_with_the_runtimes_wheels_even_with_podman_installed_and_says_why(tmp_path,
                                                                                                monkeypatch):
    python_folder(tmp_path)
    (tmp_path / "requirements.txt").write_text("numpy==2.3.4\n")
    monkeypatch.setattr("genesys_tasks.wizard.questions.shutil.which", lambda tool: f"/usr/bin/{tool}")
    assert _build_method(_context(tmp_path, "python3.14")) == (
        "local", "the wheels built for python3.14 on Lambda's Linux are installed on this machine")
    assert _build_method(_context(tmp_path, "provided.al2023"))[0] == "local"


UV_LOCK = """version = 1
[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "cffi-like" }, { name = "six" }]

[[package]]
name = "cffi-like"
version = "1.0"
source = { registry = "https://index.invalid/simple" }
sdist = { url = "https://index.invalid/cffi-like-1.0.tar.gz", hash = "sha256:00", size = 1 }

[[package]]
name = "six"
version = "1.17.0"
source = { registry = "https://index.invalid/simple" }
sdist = { url = "https://index.invalid/six-1.17.0.tar.gz", hash = "sha256:11", size = 1 }
wheels = [{ url = "https://index.invalid/six-1.17.0-py2.py3-none-any.whl", hash = "sha256:22", size = 1 }]
"""

POETRY_LOCK = """[[package]]
name = "cffi-like"
version = "1.0"
files = [{file = "cffi-like-1.0.tar.gz", hash = "sha256:00"}]

[[package]]
name = "six"
version = "1.17.0"
files = [
    {file = "six-1.17.0-py2.py3-none-any.whl", hash = "sha256:22"},
    {file = "six-1.17.0.tar.gz", hash = "sha256:11"},
]
"""


@pytest.mark.parametrize("lock, text", [("uv.lock", UV_LOCK), ("poetry.lock", POETRY_LOCK)])
def test_python_builds_in_podman_when_the_lock_names_a_package_without_a_wheel_naming_it(tmp_path, monkeypatch,
                                                                                         lock, text):
    python_folder(tmp_path)
    (tmp_path / lock).write_text(text)
    monkeypatch.setattr("genesys_tasks.wizard.questions.shutil.which", lambda tool: f"/usr/bin/{tool}")
    assert _build_method(_context(tmp_path, "python3.14")) == (
        "podman", "cffi-like has no wheel in the lock file, only source that may compile: built in the Lambda image")
    monkeypatch.setattr("genesys_tasks.wizard.questions.shutil.which", lambda tool: None)
    method, why = _build_method(_context(tmp_path, "python3.14"))
    assert method == "local" and why.startswith("cffi-like has no wheel in the lock file: built here when pure Python")


def test_init_says_in_one_line_why_it_picks_podman_and_writes_local_without_a_reason_to(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("genesys_tasks.wizard.questions.shutil.which", lambda tool: f"/usr/bin/{tool}")
    python_folder(tmp_path / "plain")
    assert main(["init", "--source", str(tmp_path / "plain"), "--dir", str(tmp_path / "plain"), "--name", "plain",
                 "--runtime", "python3.14", "--yes"]) == 0
    assert load(tmp_path / "plain" / "lambda_plain_python314.toml").build.build_method == "local"
    assert 'build_method = "podman":' not in capsys.readouterr().err
    (python_folder(tmp_path / "compiled") / "uv.lock").write_text(UV_LOCK)
    assert main(["init", "--source", str(tmp_path / "compiled"), "--dir", str(tmp_path / "compiled"), "--name", "c",
                 "--runtime", "python3.14", "--yes"]) == 0
    assert load(tmp_path / "compiled" / "lambda_c_python314.toml").build.build_method == "podman"
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith('build_method = "podman":')]
    assert said == ['build_method = "podman": cffi-like has no wheel in the lock file, only source that may compile: '
                    "built in the Lambda image"]


def test_runtime_choices_mark_deprecated_runtimes_and_leave_out_retired_ones(tmp_path):
    python_folder(tmp_path)
    titles = dict((value, title) for title, value in _runtime_choices(_context(tmp_path)))
    assert titles["python3.10"] == "python3.10 (deprecated since 2026-10-31)"
    assert titles["python3.12"] == "python3.12" and "python3.9" not in titles
    assert list(titles)[0] == "python3.14"  # the detected one first
    ambiguous_folder(tmp_path / "both")
    assert [v for _, v in _runtime_choices(_context(tmp_path / "both"))] == ["python3.14", "nodejs24.x"]


def test_every_question_has_its_own_init_flag():
    flags = [q.flag for q in BY_KEY.values()]
    assert len(set(flags)) == len(flags) and all(f.startswith("--") for f in flags)


@pytest.mark.parametrize("example, runtime, handler", [
    ("flask-app", "python3.14", "app.lambda_handler"),
    ("express-app", "nodejs24.x", "index.handler"),
    ("go-hello", "provided.al2023", "bootstrap"),
])
def test_the_seed_examples_go_through_init_yes_to_a_toml_that_loads(tmp_path, example, runtime, handler):
    shutil.copytree(REPO / "examples" / example, tmp_path / example, ignore=shutil.ignore_patterns("lambda_*.toml"))
    assert main(["init", "--source", str(tmp_path / example), "--dir", str(tmp_path), "--yes"]) == 0
    toml = tmp_path / f"lambda_{example}_{runtime.replace('.', '')}.toml"
    spec = load(toml)
    assert (spec.runtime.id, spec.handler, spec.build.source_path) == (runtime, handler, (tmp_path / example).resolve())


def test_node_folder_detected_by_init_with_defaults(tmp_path):
    node_folder(tmp_path / "web")
    assert _init(tmp_path, "--source", str(tmp_path / "web"), "--yes") == 0
    spec = load(tmp_path / "lambda_web_nodejs24x.toml")
    assert spec.name == "web" and spec.handler == "index.handler" and spec.function.memory_mb == 128


def test_init_writes_the_region_flag_into_deployment_and_no_region_without_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    python_folder(tmp_path)
    assert _init(tmp_path, "--name", "there", "--runtime", "python3.12", "--region", "ap-south-1", "--yes") == 0
    assert load(tmp_path / "lambda_there_python312.toml").deployment.region == "ap-south-1"
    assert _init(tmp_path, "--name", "here", "--runtime", "python3.12", "--yes") == 0
    assert "region" not in (tmp_path / "lambda_here_python312.toml").read_text()


def test_an_answers_file_saved_before_the_region_question_replays_to_the_same_toml(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    python_folder(tmp_path)
    old = {"genesys_answers": 1, **Answers(Source(), "old", "python3.12", "app.lambda_handler").to_dict()}
    del old["region"]
    saved = tmp_path / "answers.json"
    saved.write_text(json.dumps(old))
    assert main(["interact", "--replay", str(saved), "--dir", str(tmp_path)]) == 0
    written = (tmp_path / "lambda_old_python312.toml").read_text()
    assert written == render.render(Answers(Source(), "old", "python3.12", "app.lambda_handler"), ".")
    assert "region" not in written


def test_the_configured_region_is_the_environments_else_the_profiles_read_without_boto3(tmp_path):
    import subprocess
    import sys

    config = tmp_path / "config"
    config.write_text("[default]\nregion = eu-north-1\n[profile work]\nregion = ap-east-1\n[bare]\nregion = x\n")
    files = {"AWS_CONFIG_FILE": str(config)}
    assert configured_region({**files, "AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "x"}) == "us-west-2"
    assert configured_region({**files, "AWS_DEFAULT_REGION": "ca-central-1"}) == "ca-central-1"
    assert configured_region(files) == "eu-north-1"
    assert configured_region({**files, "AWS_PROFILE": "work"}) == "ap-east-1"
    assert configured_region({**files, "AWS_PROFILE": "missing"}) is None
    assert configured_region({**files, "AWS_PROFILE": "bare"}) is None  # not a profile to boto3 either
    assert configured_region({"AWS_CONFIG_FILE": str(tmp_path / "none")}) is None
    code = ("import sys; from genesys_tasks.config.regions import configured_region; configured_region(); "
            "import genesys_tasks.wizard.questions; assert 'boto3' not in sys.modules and 'botocore' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
