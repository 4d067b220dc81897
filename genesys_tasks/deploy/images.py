"""An image function's registry side, read for the deployer: the repository's full name (an ECR
name completed with the account and region), the ECR repository's state, whether the registry
already holds the image under genesys's tag (and, when it does not, which of its layers it holds), and
the plans ``planner.image`` makes from them.

An ECR repository in another account than the function's (same region: Lambda pulls from no other) has
its policy read for Lambda's pull rights (``planner.pull_access``). Reads only (ECR describe/list/get
calls, a manifest HEAD through ``aws/ecr``); prints nothing.
"""

from __future__ import annotations

from ..config.spec import FunctionSpec
from . import planner
from .model import Plan
from .ownership import Ownership


def plan_image(spec: FunctionSpec, clients, image: planner.ImageArtifact, facts: planner.Facts,
               ownership: Ownership):
    """The image with its repository's full name (an ECR name is completed with the account and region),
    and the plan of its repository and push, from what ECR and the registry hold."""
    repository = _full_repository(image.repository, facts.account, facts.region)
    _reachable(spec, repository, getattr(getattr(clients, "target", None), "endpoint", None))
    ecr_name = _ecr_name(repository, facts.account, facts.region)
    state = None if ecr_name is None else repository_state(clients, ecr_name)
    image = planner.ImageArtifact(repository, image.digest, image.index, image.layers)
    plan = pull_access(clients, repository, facts)
    reachable = state is not None or ecr_name is None  # a repository genesys has yet to make holds nothing
    pushed = reachable and clients.ecr.image_pushed(Repository=repository, Digest=image.pushed,
                                                    Tag=planner.live_tag(spec))
    held = () if pushed or not reachable else tuple(
        digest for _, digest, _ in image.layers if clients.ecr.blob_pushed(Repository=repository, Digest=digest))
    plan.extend(planner.plan_image(spec, image, ecr_name, state, pushed, ownership, held))
    return image, plan


def _reachable(spec: FunctionSpec, repository: str, endpoint: str | None) -> None:
    """An ECR repository on AWS's own registry host while AWS's calls go to an emulator (``AWS_ENDPOINT_URL``,
    the sandbox): that registry does not know the emulator's repositories or credentials (the sandbox keeps ECR
    repositories, not their images), so nothing could be pushed; exit 2 before anything is written. An
    emulator's own registry host (LocalStack's ``...dkr.ecr.<region>.localhost.localstack.cloud``) is used."""
    from ..config.image_ref import is_ecr_host, parse
    from ..config.locate import where_in
    from ..errors import ConfigError

    host = parse(repository).host.split(":")[0]
    if endpoint and is_ecr_host(host) and host.endswith((".amazonaws.com", ".amazonaws.com.cn")):
        raise ConfigError(f"{spec.name}'s image goes to ECR ({repository}), but AWS's calls go to the emulator at "
                          f"{endpoint}, which keeps ECR repositories and not their images",
                          hint="for the sandbox, set [deployment] image_repository to a registry this machine "
                               f"reaches, e.g. \"127.0.0.1:5000/genesys/{spec.name}\" (plain HTTP is used for "
                               "127.0.0.1 and localhost)",
                          where=where_in(spec.path, "deployment", "image_repository"))


def pull_access(clients, repository: str, facts: planner.Facts) -> Plan:
    """Lambda's pull rights when ``repository`` is ECR in another account; exit 2 when it is ECR in another
    region (Lambda pulls only from its own)."""
    from ..config.image_ref import is_ecr_host, parse
    from ..errors import AccessDenied, UsageError

    ref = parse(repository)
    if not is_ecr_host(ref.host):
        return Plan()
    account, region = ref.host.split(".")[0], ref.host.split(".")[3]
    if region != facts.region:
        raise UsageError(f"[deployment] image_repository {repository} is in {region}; Lambda runs images only from "
                         f"ECR in the function's region ({facts.region})",
                         hint="name a repository in the same region (or leave image_repository out)")
    if account == facts.account:
        return Plan()
    try:
        state = repository_state(clients, ref.path, registry=account)
    except AccessDenied:  # another account's repository: reading it may be refused
        return planner.plan_pull_access(ref.path, account, facts.account, region, None, False)
    return planner.plan_pull_access(ref.path, account, facts.account, region, state, True)


def _full_repository(repository: str, account: str, region: str) -> str:
    """``host/path``: an ECR repository name is completed with the account's registry in ``region``."""
    from ..config.image_ref import ecr_host, has_registry

    return repository if has_registry(repository) else f"{ecr_host(account, region)}/{repository}"


def _ecr_name(repository: str, account: str, region: str) -> str | None:
    """The repository's name when it is ECR in ``account`` and ``region`` (where genesys may make it)."""
    from ..config.image_ref import ecr_host, parse

    ref = parse(repository)
    return ref.path if ref.host == ecr_host(account, region) else None


def repository_state(clients, name: str, registry: str | None = None):
    """The repository ``name`` (in account ``registry``: then its repository policy is read too, not its
    lifecycle); None when it does not exist."""
    where = {"registryId": registry} if registry else {}
    found = clients.ecr.describe_repositories(repositoryNames=[name], **where)
    if not found:
        return None
    arn = found["repositories"][0]["repositoryArn"]
    tags = {t["Key"]: t["Value"] for t in clients.ecr.list_tags_for_resource(resourceArn=arn).get("tags", [])}
    if registry:
        policy = clients.ecr.get_repository_policy(repositoryName=name, **where) or {}
        return planner.RepositoryState(arn, tags, None, policy.get("policyText"))
    lifecycle = clients.ecr.get_lifecycle_policy(repositoryName=name) or {}
    return planner.RepositoryState(arn, tags, lifecycle.get("lifecyclePolicyText"))


def plan_delete_repository(spec: FunctionSpec, clients, account: str, ownership: Ownership) -> Plan:
    """An image function's ECR repository, when it is one genesys may have made."""
    from ..config.image_ref import default_repository

    if not spec.build.is_image:
        return Plan()
    repository = _full_repository(spec.deployment.image_repository or default_repository(spec.name), account,
                                  clients.region)
    name = _ecr_name(repository, account, clients.region)
    if name is None:
        return Plan()
    state = repository_state(clients, name)
    images = clients.ecr.list_images(repositoryName=name) if state is not None else []
    return planner.plan_delete_repository(name, state, images, ownership)
