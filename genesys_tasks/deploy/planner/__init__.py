"""Spec + remote state → ``Plan``. Pure: no AWS calls, no file writes, no output.

One planner per resource family, in the order AWS needs them:

- ``role``         the execution role and its policies
- ``layer``        the dependency layer: publish unless AWS has it, prune old versions
- ``image``        an image function's ECR repository, and the push of its image when the registry lacks it
- ``function``     the function's code, configuration and tags; then, for it:
- ``settings``     its reserved concurrency and asynchronous invocation destinations
- ``logs``         its log group and the group's retention
- ``versions``     the versions it publishes, the alias pointing at the newest, pruning, rollback
- ``url``          its function URL
- ``api``          the HTTP API of its ``api_gateway`` triggers
- ``permissions``  its resource policy (URL, API and push-trigger invoke permissions)
- ``delete``       what ``genesys delete`` removes
- ``inputs``       what planners take besides spec and state: ``Artifact``/``ImageArtifact``, ``Facts``, tags

A later stage refers to an earlier stage's output through ``Var`` when it does not
exist yet. Every resource gets a ``Change`` (create, update with field diffs, adopt,
delete, or no change); environment values never appear in a change, only masked. A
same-named resource genesys did not make is a ``ownership.ConflictError`` unless the
``Ownership`` handed in adopts it. The other
event triggers are planned by ``deploy.triggers``.
"""

from __future__ import annotations

from .delete import plan_delete, role_deletable
from .function import plan_commit, plan_function
from .image import RepositoryState, live_tag, plan_delete_repository, plan_image
from .inputs import COMMIT_KEY, Artifact, Facts, ImageArtifact
from .layer import plan_layer
from .pull_access import plan_pull_access, pull_statements
from .logs import plan_delete_log_group, plan_log_group
from .role import plan_role, removable, wanted_policies
from .versions import changes_version, plan_rollback, plan_versions

__all__ = ["COMMIT_KEY", "Artifact", "Facts", "ImageArtifact", "RepositoryState", "changes_version",
           "live_tag", "plan_commit", "plan_delete", "plan_delete_log_group", "plan_delete_repository", "plan_function",
           "plan_image", "plan_layer", "plan_log_group", "plan_role", "plan_rollback", "plan_versions", "removable",
           "role_deletable", "wanted_policies"]
