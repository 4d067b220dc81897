"""Deploying an image function on the emulator, its image pushed to a real registry on 127.0.0.1:
created with PackageType Image by digest, nothing written or sent on an unchanged rerun, one small
layer and one code update after a handler edit, a zip ↔ image switch only with --replace."""

from __future__ import annotations

import hashlib
import json

import pytest

from genesys_tasks import cli, config
from genesys_tasks.deploy import deployer
from genesys_tasks.deploy.executor import Executor
from genesys_tasks.deploy.ownership import Ownership
from genesys_tasks.deploy.session import Session
from registry_fixture import local_registry, needs_tools  # noqa: F401  (a fixture)

from genesys_tasks.commands.init_repo import DODO

pytestmark = needs_tools
HANDLER = "def handler(event, context):\n    return {'n': 1}\n"


def _project(root, registry, package_type="image"):
    (root / ".git").mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text(HANDLER)
    toml = root / "lambda_fn.toml"
    image = (f'package_type = "image"\nimage = "{registry.base}"\n\n[deployment]\n'
             f'image_repository = "{registry.host}/genesys/imgfn"\n') if package_type == "image" else ""
    toml.write_text(f'[metadata]\nname = "imgfn"\nruntime = "python3.12"\nhandler = "app.handler"\n\n[build]\n{image}')
    return toml


def _build_and_deploy(toml, **ownership):
    assert cli.main(["lambda", "build", str(toml)]) == 0
    spec = config.load(toml)
    clients = Session().clients(spec)
    outcome = deployer.deploy(spec, toml.parent, clients, Executor(clients), ownership=Ownership(**ownership))
    return outcome, clients


def _pushes(outcome):
    return [c for c in outcome.plan.calls if c.method == "push_image"]


def test_an_image_function_is_created_by_digest_and_an_unchanged_rerun_writes_and_sends_nothing(
        local_registry, aws, boto, tmp_path):
    toml = _project(tmp_path, local_registry)
    outcome, _ = _build_and_deploy(toml)
    record = json.loads((tmp_path / ".genesys/build/imgfn/artifact-x86_64.json").read_text())
    function = boto("lambda").get_function(FunctionName="imgfn")
    assert function["Configuration"]["PackageType"] == "Image"
    assert function["Code"]["ImageUri"] == f"{local_registry.host}/genesys/imgfn@{record['digest']}"  # by digest
    assert local_registry.inspect(f"genesys/imgfn@{record['digest']}", "--config")["config"]["Cmd"] == ["app.handler"]
    assert len(_pushes(outcome)) == 1

    again, clients = _build_and_deploy(toml)
    assert again.write_calls == 0, [(c.resource, c.changes) for c in again.plan.changes if c.action != "no change"]
    assert clients.log.writes == [] and not _pushes(again)


def test_a_handler_edit_pushes_one_small_layer_and_updates_the_code_once(local_registry, aws, boto, tmp_path):
    toml = _project(tmp_path, local_registry)
    _build_and_deploy(toml)
    (tmp_path / "app.py").write_text(HANDLER.replace("1", "2"))
    outcome, clients = _build_and_deploy(toml)
    assert [c.method for c in outcome.plan.writes] == ["push_image", "update_function_code"]
    record = json.loads((tmp_path / ".genesys/build/imgfn/artifact-x86_64.json").read_text())
    assert boto("lambda").get_function(FunctionName="imgfn")["Code"]["ImageUri"].endswith(record["digest"])


def test_a_zip_function_becomes_an_image_only_with_replace(local_registry, aws, boto, tmp_path, capsys):
    toml = _project(tmp_path, local_registry, package_type="zip")
    _build_and_deploy(toml)
    toml = _project(tmp_path, local_registry)
    with pytest.raises(deployer.GenesysError) as refused:
        _build_and_deploy(toml)
    assert refused.value.exit_code == 2 and "--replace" in refused.value.hint
    assert "delete (Zip)" in refused.value.message and "create (Image" in refused.value.message
    assert boto("lambda").get_function(FunctionName="imgfn")["Configuration"]["PackageType"] == "Zip"

    outcome, _ = _build_and_deploy(toml, replace=True)
    assert [c.action for c in outcome.plan.changes if c.resource == "function imgfn"][:1] == ["replace"]
    assert boto("lambda").get_function(FunctionName="imgfn")["Configuration"]["PackageType"] == "Image"


def test_a_dry_run_after_an_edit_shows_the_digest_change_and_pushes_nothing(local_registry, aws, tmp_path):
    from genesys_tasks.deploy.executor import DisplayExecutor

    toml = _project(tmp_path, local_registry)
    _build_and_deploy(toml)
    before = json.loads((tmp_path / ".genesys/build/imgfn/artifact-x86_64.json").read_text())["digest"]
    (tmp_path / "app.py").write_text(HANDLER.replace("1", "3"))
    assert cli.main(["lambda", "build", str(toml)]) == 0
    after = json.loads((tmp_path / ".genesys/build/imgfn/artifact-x86_64.json").read_text())["digest"]
    spec = config.load(toml)
    lines: list[str] = []
    clients = Session().clients(spec)
    deployer.deploy(spec, tmp_path, clients, DisplayExecutor(lines.append))
    text = "\n".join(lines)
    assert f"~ image {local_registry.host}/genesys/imgfn: push" in text and after in text
    assert f" → {local_registry.host}/genesys/imgfn@{after}" in text and "ImageUri: @sha256:" in text
    assert clients.log.writes == []
    skopeo = local_registry.skopeo("inspect", "--raw", "--tls-verify=false",
                                   f"docker://{local_registry.host}/genesys/imgfn:genesys-live")
    assert "sha256:" + hashlib.sha256(skopeo.encode()).hexdigest() == before, "the live tag still names the deployed image"


def test_a_registry_refusing_the_push_fails_the_deploy_naming_image_and_registry_and_deploys_nothing(
        local_registry, aws, boto, tmp_path, monkeypatch):
    from registry_fixture import LocalRegistry

    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(tmp_path / "no-auth.json"))
    (tmp_path / "locked").mkdir()
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text("someone:$2y$05$0000000000000000000000000000000000000000000000000000u\n")
    locked = LocalRegistry(tmp_path / "locked", htpasswd)
    try:
        toml = _project(tmp_path / "fn", local_registry)
        toml.write_text(toml.read_text().replace(local_registry.host + "/genesys", locked.host + "/genesys"))
        with pytest.raises(deployer.GenesysError) as failed:
            _build_and_deploy(toml)
    finally:
        locked.stop()
    assert failed.value.exit_code == 1 and f"{locked.host}/genesys/imgfn" in failed.value.message
    assert "log in" in failed.value.hint and "Traceback" not in failed.value.render()
    assert boto("lambda").list_functions()["Functions"] == []


def test_doit_deploys_an_image_function_once_and_then_skips_everything(local_registry, aws, boto, tmp_path, run_doit):
    (tmp_path / "dodo.py").write_text(DODO)
    toml = _project(tmp_path / "imgfn", local_registry)
    first = run_doit("deploy", cwd=tmp_path)
    assert first.code == 0, first.output
    assert "layer_publish:imgfn" not in first.stderr, "the dependencies travel in the image"
    assert boto("lambda").get_function(FunctionName="imgfn")["Configuration"]["PackageType"] == "Image"
    second = run_doit("deploy", cwd=tmp_path)
    assert second.code == 0 and "0 ran" in second.stderr, second.output
    assert toml.is_file()


def test_going_back_to_an_earlier_image_moves_its_tag_back_without_sending_its_layers(local_registry, aws, tmp_path):
    toml = _project(tmp_path, local_registry)
    _build_and_deploy(toml)
    first = json.loads((tmp_path / ".genesys/build/imgfn/artifact-x86_64.json").read_text())["digest"]
    (tmp_path / "app.py").write_text(HANDLER.replace("1", "4"))
    _build_and_deploy(toml)
    (tmp_path / "app.py").write_text(HANDLER)
    outcome, clients = _build_and_deploy(toml)
    assert [c.method for c in outcome.plan.writes] == ["push_image", "update_function_code"]
    raw = local_registry.skopeo("inspect", "--raw", "--tls-verify=false",
                                f"docker://{local_registry.host}/genesys/imgfn:genesys-live")
    assert "sha256:" + hashlib.sha256(raw.encode()).hexdigest() == first


def test_genesys_execute_switching_zip_to_image_exits_2_with_the_plan_and_replace_goes_through(
        local_registry, aws, boto, tmp_path, run_genesys):
    toml = _project(tmp_path, local_registry, package_type="zip")
    assert run_genesys("execute", toml).code == 0
    toml = _project(tmp_path, local_registry)
    refused = run_genesys("execute", toml)
    assert refused.code == 2, refused.output
    assert "delete (Zip)" in refused.stderr and "--replace" in refused.stderr and "Traceback" not in refused.stderr
    replaced = run_genesys("execute", toml, "--replace")
    assert replaced.code == 0, replaced.output
    assert boto("lambda").get_function(FunctionName="imgfn")["Configuration"]["PackageType"] == "Image"


def test_an_image_function_behind_an_alias_publishes_once_and_then_nothing(local_registry, aws, tmp_path):
    toml = _project(tmp_path, local_registry)
    toml.write_text(toml.read_text() + 'alias = "live"\n')
    first, _ = _build_and_deploy(toml)
    assert "publish_version" in [c.method for c in first.plan.writes]
    again, _ = _build_and_deploy(toml)
    assert again.write_calls == 0, [c.method for c in again.plan.writes]


def test_two_architectures_give_lambda_its_architectures_manifest_and_push_the_index_tagged(
        local_registry, aws, boto, tmp_path):
    toml = _project(tmp_path, local_registry)
    toml.write_text(toml.read_text().replace('package_type = "image"', 'package_type = "image"\n'
                                             'architectures = ["x86_64", "arm64"]'))
    _build_and_deploy(toml)
    records = {arch: json.loads((tmp_path / f".genesys/build/imgfn/artifact-{arch}.json").read_text())
               for arch in ("x86_64", "arm64")}
    index = records["x86_64"]["index"]
    assert index == records["arm64"]["index"] and index not in (records["x86_64"]["digest"], records["arm64"]["digest"])
    config = boto("lambda").get_function(FunctionName="imgfn")
    assert config["Code"]["ImageUri"] == f"{local_registry.host}/genesys/imgfn@{records['x86_64']['digest']}"
    assert config["Configuration"]["Architectures"] == ["x86_64"]  # Lambda runs one architecture's manifest
    raw = json.loads(local_registry.skopeo("inspect", "--raw", "--tls-verify=false",
                                           f"docker://{local_registry.host}/genesys/imgfn:genesys-live"))
    assert raw["mediaType"] == "application/vnd.oci.image.index.v1+json"  # what people pull: both architectures
    assert {m["digest"] for m in raw["manifests"]} == {records["x86_64"]["digest"], records["arm64"]["digest"]}
    for arch in ("x86_64", "arm64"):
        tagged = local_registry.skopeo("inspect", "--raw", "--tls-verify=false",
                                       f"docker://{local_registry.host}/genesys/imgfn:genesys-live-{arch}")
        assert hashlib.sha256(tagged.encode()).hexdigest() == records[arch]["digest"].split(":")[1]

    again, clients = _build_and_deploy(toml)
    assert again.write_calls == 0 and clients.log.writes == [] and not _pushes(again)


@pytest.mark.slow_builds
@pytest.mark.needs_tools("mvn")
def test_a_java_image_function_is_created_by_digest_running_its_handler_and_a_rerun_writes_nothing(
        local_registry, aws, boto, tmp_path, monkeypatch):
    import shutil
    from pathlib import Path

    monkeypatch.setenv("GENESYS_MAVEN_REPO", "/usr/share/maven-repo")
    root = tmp_path / "java"
    shutil.copytree(Path(__file__).resolve().parent.parent.parent / "examples" / "java-hello", root)
    (root / ".git").mkdir()
    toml = root / "lambda_java_hello.toml"
    toml.write_text(toml.read_text().replace(
        'architectures = ["x86_64"]', f'architectures = ["x86_64"]\npackage_type = "image"\n'
        f'image = "{local_registry.base}"\n\n[deployment]\nimage_repository = "{local_registry.host}/genesys/java"'))
    outcome, _ = _build_and_deploy(toml)
    record = json.loads((root / ".genesys/build/java-hello/artifact-x86_64.json").read_text())
    assert [layer["from"] for layer in record["layers"]][1:] == ["dependencies in /var/task/lib",
                                                                 "function code in /var/task"]
    function = boto("lambda").get_function(FunctionName="java-hello")
    assert function["Configuration"]["PackageType"] == "Image" and "Runtime" not in function["Configuration"]
    assert function["Code"]["ImageUri"] == f"{local_registry.host}/genesys/java@{record['digest']}"
    config = local_registry.inspect(f"genesys/java@{record['digest']}", "--config")["config"]
    assert config["Cmd"] == ["example.Hello::handleRequest"] and len(_pushes(outcome)) == 1

    again, clients = _build_and_deploy(toml)
    assert again.write_calls == 0 and clients.log.writes == [] and not _pushes(again)


def test_the_sandbox_reports_an_image_functions_code_sha256_as_its_digest_so_info_says_it_is_the_build(
        local_registry, aws, boto, run_genesys, tmp_path):
    """Lambda's CodeSha256 of an image function is its manifest digest's hex (moto's stub of ECR hashes the
    ImageUri string): `genesys info` right after a deploy says the function runs the local build."""
    toml = _project(tmp_path, local_registry)
    assert run_genesys("execute", toml.name, cwd=tmp_path).code == 0
    record = json.loads((tmp_path / ".genesys/build/imgfn/artifact-x86_64.json").read_text())
    assert boto("lambda").get_function(FunctionName="imgfn")["Configuration"]["CodeSha256"] == \
        record["digest"].removeprefix("sha256:")
    facts = json.loads(run_genesys("info", toml.name, "--output", "json", cwd=tmp_path).stdout)
    assert facts["matches_build"] is True, facts
    (tmp_path / "app.py").write_text(HANDLER.replace("1", "2"))
    assert run_genesys("execute", toml.name, cwd=tmp_path).code == 0
    record = json.loads((tmp_path / ".genesys/build/imgfn/artifact-x86_64.json").read_text())
    assert boto("lambda").get_function(FunctionName="imgfn")["Configuration"]["CodeSha256"] == \
        record["digest"].removeprefix("sha256:")
    assert "imgfn in us-east-1: deployed" in run_genesys("info", toml.name, cwd=tmp_path).stderr


def test_invoke_remote_of_an_image_function_in_the_sandbox_says_the_sandbox_runs_no_images(
        local_registry, aws, boto, run_genesys, tmp_path):
    """The sandbox runs the code of zip functions only: an image function's Invoke is a clear error in
    Lambda's shape (not the emulator's HTML 500), naming what runs it locally."""
    toml = _project(tmp_path, local_registry)
    assert run_genesys("execute", toml.name, cwd=tmp_path).code == 0
    result = run_genesys("invoke", toml.name, "--remote", cwd=tmp_path)
    assert result.code == 1, result.output
    assert "<html" not in result.output.lower() and "500" not in result.stderr, result.stderr
    assert "imgfn is a container image" in result.stderr and "genesys invoke -- lambda_fn.toml" in result.stderr


def test_an_ecr_repository_behind_an_emulator_is_refused_before_anything_is_written(
        local_registry, aws, boto, run_genesys, tmp_path):
    """The emulator's ECR keeps repositories, not images (its registry host is AWS's own): the deploy stops
    with exit 2 naming [deployment] image_repository, before it makes a repository it cannot push to."""
    toml = _project(tmp_path, local_registry)
    toml.write_text(toml.read_text().replace(f'image_repository = "{local_registry.host}/genesys/imgfn"\n', ""))
    result = run_genesys("execute", toml.name, cwd=tmp_path)
    assert result.code == 2, result.output
    assert "image_repository" in result.stderr and "lambda_fn.toml" in result.stderr, result.stderr
    assert boto("ecr").describe_repositories()["repositories"] == []
    assert "imgfn" not in [f["FunctionName"] for f in boto("lambda").list_functions()["Functions"]]


def test_an_emulators_own_ecr_host_is_not_refused(tmp_path):
    """LocalStack names its ECR repositories <account>.dkr.ecr.<region>.localhost.localstack.cloud:4566/...:
    only AWS's own registry host is out of an emulator's reach."""
    from types import SimpleNamespace

    from genesys_tasks.deploy import images
    from genesys_tasks.errors import ConfigError

    toml = tmp_path / "lambda_fn.toml"
    toml.write_text('[metadata]\nname = "imgfn"\n\n[deployment]\n')
    spec = SimpleNamespace(name="imgfn", path=toml)
    images._reachable(spec, "000000000000.dkr.ecr.us-east-1.localhost.localstack.cloud:4566/imgfn",
                      "http://localhost:4566")
    images._reachable(spec, "123456789012.dkr.ecr.us-east-1.amazonaws.com/imgfn", None)  # AWS itself
    with pytest.raises(ConfigError, match="emulator at http://127.0.0.1:5000"):
        images._reachable(spec, "123456789012.dkr.ecr.us-east-1.amazonaws.com/imgfn", "http://127.0.0.1:5000")


def test_the_plan_of_an_image_push_names_the_layers_it_sends_and_those_the_registry_holds(
        local_registry, aws, boto, tmp_path):
    """A handler edit sends the code layer alone, a new dependency the dependency layer alone: the plan says
    which, as it is what lands (a push sends only what the registry lacks)."""
    def push_row(outcome):
        change = next(c for c in outcome.plan.changes if c.resource.startswith("image "))
        return {key: new for key, _old, new in change.changes}

    toml = _project(tmp_path, local_registry)  # the registry is the module's: other tests pushed the base
    (tmp_path / "app.py").write_text(HANDLER + "# the plan names the layers\n")
    first = push_row(_build_and_deploy(toml)[0])
    assert "function code in /var/task (" in first["layers sent"], first
    (tmp_path / "app.py").write_text(HANDLER.replace("1", "3"))
    edit, _ = _build_and_deploy(toml)
    row = push_row(edit)
    assert row["layers sent"].startswith("function code in /var/task (") and ";" not in row["layers sent"], row
    assert row["layers held"] == "base"
    (tmp_path / "requirements.txt").write_text("six==1.17.0\n")
    deps, _ = _build_and_deploy(toml)
    row = push_row(deps)
    assert row["layers sent"].startswith("dependencies in /opt (") and ";" not in row["layers sent"], row
    assert row["layers held"] == "base, function code in /var/task"


def test_an_image_functions_url_in_the_sandbox_answers_501_saying_what_runs_it_locally(
        local_registry, aws, boto, run_genesys, tmp_path):
    """A function URL of an image function: the sandbox runs no images, so the URL answers 501 with the
    commands that run it on this machine (not a 404 saying no function has the URL)."""
    import urllib.error
    import urllib.parse
    import urllib.request

    toml = _project(tmp_path, local_registry)
    assert run_genesys("execute", toml.name, cwd=tmp_path).code == 0
    url = boto("lambda").create_function_url_config(FunctionName="imgfn", AuthType="NONE")["FunctionUrl"]
    host = urllib.parse.urlsplit(url).netloc
    endpoint = urllib.parse.urlsplit(boto("lambda").meta.endpoint_url).netloc
    request = urllib.request.Request(f"http://{endpoint}/hello", headers={"Host": host})
    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(request, timeout=30)
    assert answered.value.code == 501, answered.value
    message = json.loads(answered.value.read())["Message"]
    assert "imgfn is a container image" in message and "genesys invoke --container -- lambda_fn.toml" in message
