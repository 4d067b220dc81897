"""Planning an image function's repository and push: before the function, so Lambda finds the image.

An ECR repository in the deployment's account and region that does not exist is created, tagged
as genesys's, with scan on push and a lifecycle policy that expires untagged images beyond the
newest ``keep`` (``[deployment] keep_versions``, else ``DEFAULT_KEEP``); the image genesys deploys
is tagged (``live_tag``), so the one the function or its alias runs is never expired. A
repository genesys did not make, or one in another registry, is used as it is. The image is
pushed only when its tag does not name its digest (the blobs the registry holds are not sent
again): an unchanged rerun plans nothing, a redeploy of an older image moves the tag back. A function
built for two architectures pushes the index of both (the tag names the index, for people who pull
it; each architecture's image gets the tag plus ``-<arch>``, so the lifecycle never expires the one
the function runs), while Lambda is given the deploy architecture's own manifest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ...config.spec import FunctionSpec
from .. import marker
from ..model import Plan
from ..ownership import Ownership
from .inputs import ImageArtifact, marker_tags

DEFAULT_KEEP = 10


@dataclass(frozen=True)
class RepositoryState:
    """An ECR repository: its ARN, tags, lifecycle policy text (None when it has none) and repository policy
    text (read for a repository in another account than the function's)."""

    arn: str
    tags: dict
    lifecycle: str | None
    policy: str | None = None


def live_tag(spec: FunctionSpec) -> str:
    return f"genesys-{spec.deployment.alias or 'live'}"


def lifecycle_policy(spec: FunctionSpec) -> str:
    keep = spec.deployment.keep_versions or DEFAULT_KEEP
    return json.dumps({"rules": [{
        "rulePriority": 1,
        "description": f"genesys: keep the newest {keep} untagged images (the deployed one is tagged)",
        "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": keep},
        "action": {"type": "expire"}}]}, sort_keys=True, separators=(",", ":"))


def plan_image(spec: FunctionSpec, image: ImageArtifact, ecr_name: str | None, repository: RepositoryState | None,
               pushed: bool, ownership: Ownership = Ownership(), held: tuple[str, ...] = ()) -> Plan:
    """``ecr_name``: the repository's name when it is ECR in the deployment's account and region (genesys
    may make it), else None; ``repository``: its state (None: it does not exist); ``held``: the digests of
    the image's layers the registry already has (a push sends the others: the plan names them)."""
    plan = Plan()
    if ecr_name is not None:
        resource = f"ECR repository {ecr_name}"
        policy = lifecycle_policy(spec)
        if repository is None:
            tags = [{"Key": k, "Value": v} for k, v in sorted(marker_tags(spec, ownership).items())]
            plan.call("ecr", "create_repository", resource, repositoryName=ecr_name, tags=tags,
                      imageScanningConfiguration={"scanOnPush": True}, imageTagMutability="MUTABLE")
            plan.call("ecr", "put_lifecycle_policy", resource, repositoryName=ecr_name, lifecyclePolicyText=policy)
            plan.change(resource, "create", [("scanOnPush", None, True), ("lifecycle", None, "keep untagged: "
                                              f"{spec.deployment.keep_versions or DEFAULT_KEEP}")])
        elif ownership.standing(repository.tags) == marker.OURS and _policy(repository.lifecycle) != _policy(policy):
            plan.call("ecr", "put_lifecycle_policy", resource, repositoryName=ecr_name, lifecyclePolicyText=policy)
            plan.change(resource, "update", [("lifecycle", repository.lifecycle, policy)])
    resource = f"image {image.repository}"
    if pushed:
        plan.change(resource, "no change")
    else:
        plan.call("ecr", "push_image", resource, Repository=image.repository, Digest=image.pushed, Tag=live_tag(spec))
        plan.change(resource, "push", [("digest", None, image.digest)] + ([("index", None, image.index)] if image.index
                                                                          else []) + _layers_sent(image, held))
    return plan


def _layers_sent(image: ImageArtifact, held: tuple[str, ...]) -> list[tuple]:
    """What a push sends and what the registry already holds, by what each layer holds (a handler edit sends
    the code layer alone, a dependency change the dependency layer too)."""
    if not image.layers:
        return []
    sent = [f"{what} ({size:,} bytes)" for what, digest, size in image.layers if digest not in held]
    kept = sorted({what for what, digest, _ in image.layers if digest in held})
    return [("layers sent", None, "; ".join(sent) or "none")] + ([("layers held", None, ", ".join(kept))] if kept else [])


def plan_delete_repository(name: str, repository: RepositoryState | None, images: list[dict],
                           ownership: Ownership = Ownership()) -> Plan:
    """``genesys delete``: the ECR repository goes only when this owner made it and it holds nothing but
    what genesys pushed (no image tagged other than ``genesys-*``)."""
    plan, resource = Plan(), f"ECR repository {name}"
    if repository is None:
        return plan
    foreign = sorted({i["imageTag"] for i in images if i.get("imageTag") and not i["imageTag"].startswith("genesys-")})
    kept = marker.kept_because(ownership.standing(repository.tags), repository.tags)
    if kept:
        plan.change(resource, "no change", [("kept", None, kept)])
    elif foreign:
        plan.change(resource, "no change", [("kept", None, f"holds images genesys did not push: {', '.join(foreign)}")])
    else:
        plan.call("ecr", "delete_repository", resource, repositoryName=name, force=True)
        plan.change(resource, "delete", [("images", len(images), None)])
    return plan


def _policy(text: str | None):
    return None if text is None else json.loads(text)
