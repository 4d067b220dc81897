"""An image function's ECR repository on the emulator: created with genesys's tag, scan on push and a
lifecycle policy, left alone on a rerun; `delete` removes it only when genesys made it and it holds
nothing genesys did not push."""

from __future__ import annotations

import json

from genesys_tasks import config
from genesys_tasks.deploy import deployer, images, planner
from genesys_tasks.deploy.executor import Executor
from genesys_tasks.deploy.session import Session
from load_cases import function_project

NAME = "genesys/imgfn"


def _spec(tmp_path, extra=""):
    return config.load(function_project(tmp_path, '[metadata]\nname = "imgfn"\nruntime = "python3.12"\n'
                                        'handler = "app.lambda_handler"\n[build]\npackage_type = "image"\n'
                                        f'[deployment]\nkeep_versions = 4\n{extra}'))


def _repository_plan(spec, clients):
    """The repository part of a deploy's plan (the image counted as pushed: the emulator serves no registry)."""
    image = planner.ImageArtifact(f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{NAME}", "sha256:" + "a" * 64)
    return planner.plan_image(spec, image, NAME, images.repository_state(clients, NAME), pushed=True,
                              ownership=deployer.owned_by_project(spec))


def test_the_repository_is_created_tagged_scanned_with_a_lifecycle_and_then_left_alone(aws, boto, tmp_path):
    spec = _spec(tmp_path)
    clients = Session().clients(spec)
    Executor(clients).run(_repository_plan(spec, clients))
    ecr = boto("ecr")
    repo = ecr.describe_repositories(repositoryNames=[NAME])["repositories"][0]
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    tags = {t["Key"]: t["Value"] for t in ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"]}
    assert tags["genesys:managed"] == "true" and tags["genesys:toml"] == "lambda_fn.toml"
    rule = json.loads(ecr.get_lifecycle_policy(repositoryName=NAME)["lifecyclePolicyText"])["rules"][0]
    assert rule["selection"] == {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 4}

    again = _repository_plan(spec, Session().clients(spec))
    assert again.writes == []


def test_a_repository_genesys_did_not_make_is_neither_changed_nor_deleted(aws, boto, tmp_path):
    boto("ecr").create_repository(repositoryName=NAME)
    spec = _spec(tmp_path)
    clients = Session().clients(spec)
    assert _repository_plan(spec, clients).writes == []
    plan, _ = deployer.plan_delete(spec, clients)
    assert not [c for c in plan.calls if c.service == "ecr"]
    assert any("not made by genesys" in str(c.changes) for c in plan.changes if c.resource.startswith("ECR"))


def test_delete_removes_the_repository_genesys_made_unless_it_holds_foreign_images(aws, boto, tmp_path):
    spec = _spec(tmp_path)
    clients = Session().clients(spec)
    Executor(clients).run(_repository_plan(spec, clients))
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": "sha256:" + "b" * 64, "size": 2}, "layers": []})
    boto("ecr").put_image(repositoryName=NAME, imageManifest=manifest, imageTag="someone-elses")
    plan, _ = deployer.plan_delete(spec, Session().clients(spec))
    assert not [c for c in plan.calls if c.service == "ecr"]
    assert any("someone-elses" in str(c.changes) for c in plan.changes)

    boto("ecr").batch_delete_image(repositoryName=NAME, imageIds=[{"imageTag": "someone-elses"}])
    outcome = deployer.delete(spec, Session().clients(spec), Executor(Session().clients(spec)))
    assert [c.method for c in outcome.plan.calls if c.service == "ecr"] == ["delete_repository"]
    assert boto("ecr").describe_repositories()["repositories"] == []


def test_an_ecr_registry_is_logged_in_with_the_deploy_credentials_and_another_through_the_auth_file(
        aws, tmp_path, monkeypatch):
    import base64

    spec = _spec(tmp_path)
    ecr = Session().clients(spec).ecr
    user, password = ecr._credentials("123456789012.dkr.ecr.us-east-1.amazonaws.com")
    assert user == "AWS" and password
    auth = tmp_path / "auth.json"
    auth.write_text(json.dumps({"auths": {"registry.example.com": {
        "auth": base64.b64encode(b"robot:s3cret").decode()}}}))
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(auth))
    assert ecr._credentials("registry.example.com") == ("robot", "s3cret")
    assert ecr._credentials("other.example.com") is None
    assert [c for c in ecr.log.calls if c[0] == "ecr:GetAuthorizationToken"] != []


FUNCTION_ACCOUNT = "210987654321"  # the function's account; the emulator's own (123456789012) holds the repository
REPOSITORY = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{NAME}"


def _pull_access(spec, clients, repository=REPOSITORY):
    facts = planner.Facts(region="us-east-1", account=FUNCTION_ACCOUNT, environment={})
    return images.pull_access(clients, repository, facts)


def test_a_repository_genesys_made_gets_pull_rights_for_the_function_account_merged_into_its_policy(
        aws, boto, tmp_path):
    spec = _spec(tmp_path)
    clients = Session().clients(spec)
    Executor(clients).run(_repository_plan(spec, clients))
    ecr = boto("ecr")
    other = {"Sid": "TheirOwn", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": ["ecr:BatchGetImage"]}
    ecr.set_repository_policy(repositoryName=NAME, policyText=json.dumps({"Version": "2012-10-17",
                                                                          "Statement": [other]}))
    plan = _pull_access(spec, clients)
    assert [c.method for c in plan.writes] == ["set_repository_policy"]
    Executor(clients).run(plan)  # the emulator checks the policy document
    statements = json.loads(ecr.get_repository_policy(repositoryName=NAME)["policyText"])["Statement"]
    assert other in statements and len(statements) == 3
    lambda_pull = next(s for s in statements if s["Principal"] == {"Service": "lambda.amazonaws.com"})
    assert lambda_pull["Condition"] == {"StringLike": {
        "aws:sourceArn": f"arn:aws:lambda:us-east-1:{FUNCTION_ACCOUNT}:function:*"}}
    assert {"Sid": f"GenesysPull{FUNCTION_ACCOUNT}", "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{FUNCTION_ACCOUNT}:root"},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]} in statements
    assert _pull_access(spec, Session().clients(spec)).writes == []  # a rerun writes nothing


def test_a_repository_genesys_did_not_make_that_denies_the_pull_stops_the_deploy_naming_the_statements(
        aws, boto, tmp_path):
    import pytest

    from genesys_tasks.errors import UsageError

    boto("ecr").create_repository(repositoryName=NAME)
    spec = _spec(tmp_path)
    clients = Session().clients(spec)
    with pytest.raises(UsageError) as refused:
        _pull_access(spec, clients)
    assert refused.value.exit_code == 2 and f"arn:aws:iam::{FUNCTION_ACCOUNT}:root" in refused.value.hint
    assert "lambda.amazonaws.com" in refused.value.hint and clients.log.writes == []
    with pytest.raises(boto("ecr").exceptions.RepositoryPolicyNotFoundException):
        boto("ecr").get_repository_policy(repositoryName=NAME)  # untouched


def test_an_ecr_repository_in_another_region_is_bad_input(aws, tmp_path):
    import pytest

    from genesys_tasks.errors import UsageError

    spec = _spec(tmp_path)
    with pytest.raises(UsageError, match="only from ECR in the function's region"):
        _pull_access(spec, Session().clients(spec), f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/{NAME}")
