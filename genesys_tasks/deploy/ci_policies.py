"""The IAM documents of ``genesys ci bootstrap-oidc``: the deploy role's, the plan role's, and the
permissions boundary every role genesys creates from CI must carry.

A CI job runs code from the repository (hooks, installers, the functions themselves), so what
its role may do is what anyone who can push may do. Nothing here lets that grow past the repo:

- ``lambda_boundary`` (the managed policy ``genesys-lambda-boundary``) allows only what the
  policy templates, ``[function]`` settings and trigger pollers can grant an execution role.
  Every role-writing call the deploy role makes (CreateRole, PutRolePolicy, AttachRolePolicy...)
  is allowed only while the role carries that boundary (``iam:PermissionsBoundary``), and the
  deploy role cannot take a boundary off, change its document, or rewrite a role's trust: an
  admin role, an admin inline policy or an outside account's trust are out of reach. It deletes,
  tags and untags only the project's own roles (``genesys:owner``), and deletes only bounded ones.
- Roles are passed only to Lambda (``iam:PassedToService``).
- Lambda writes (functions, aliases, URLs, permissions, mappings, layers) name the repo's
  functions and layers (``RepoScope``, from its TOMLs), never ``function:*``; S3 notification and
  upload rights name only the buckets the TOMLs name; SNS subscribe and unsubscribe only the
  topics they name; HTTP APIs are created only tagged ``genesys:function`` with one of the repo's
  functions, and changed or deleted only while they carry that tag.
- The plan role reads the repo's functions only, and never ``GetFunction`` (its code location) or
  ``ListFunctions`` (every function's environment); it reads the shared layer cache, never writes.

The repo's names come from its TOMLs when ``bootstrap-oidc`` runs: a function or bucket added
later needs the command run again (its output says so). Names may be patterns (``shop-*``): a
repo too big for IAM's 10,240 characters of inline policy names its functions by prefix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..config.image_ref import default_repository
from ..config.policy_templates import TEMPLATES
from ..config.triggers import TYPES
from ..project import owner_of
from .policies import DESTINATION_ACTIONS, MANAGED_ARNS, VPC_ACCESS_ARN, XRAY_WRITE_ARN
from .marker import OWNER_KEY
from .state import FUNCTION_KEY
from .triggers.schedule import rule_base_of

CI_POLICY = "genesys-ci-deploy"
CI_PLAN_POLICY = "genesys-ci-plan"
BOUNDARY = "genesys-lambda-boundary"
LAMBDA_ROLES = "genesys-lambda-*"  # the only roles the CI role may create, change and pass
INLINE_LIMIT = 10240  # IAM's limit on a role's inline policies, in characters without whitespace
# what the AWS managed policies genesys attaches let a function do (the boundary lets no more through)
MANAGED_ACTIONS = {
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess": ("s3:Get*", "s3:List*"),
    "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess": (
        "dynamodb:BatchGetItem", "dynamodb:Describe*", "dynamodb:Get*", "dynamodb:List*", "dynamodb:PartiQLSelect",
        "dynamodb:Query", "dynamodb:Scan"),
    VPC_ACCESS_ARN: ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
                     "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"),
    XRAY_WRITE_ARN: ("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                     "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"),
}
FUNCTION_READS = ("lambda:GetFunctionConfiguration", "lambda:GetFunctionUrlConfig", "lambda:GetPolicy",
                  "lambda:ListTags", "lambda:ListVersionsByFunction", "lambda:ListAliases", "lambda:GetAlias",
                  "lambda:GetFunctionConcurrency", "lambda:GetFunctionEventInvokeConfig")
FUNCTION_WRITES = ("lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
                   "lambda:DeleteFunction", "lambda:TagResource", "lambda:UntagResource",
                   "lambda:CreateFunctionUrlConfig", "lambda:UpdateFunctionUrlConfig", "lambda:DeleteFunctionUrlConfig",
                   "lambda:AddPermission", "lambda:RemovePermission", "lambda:PublishVersion", "lambda:CreateAlias",
                   "lambda:UpdateAlias", "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency",
                   "lambda:PutFunctionEventInvokeConfig", "lambda:DeleteFunctionEventInvokeConfig")
ROLE_WRITES = ("iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary")
READ_ACTIONS = ("Get", "List", "Describe")
NEVER_FOR_PLANS = ("lambda:GetFunction", "lambda:ListFunctions")  # code locations; every function's environment
# what reading an image's manifest from ECR takes (a dry run asks whether the image is pushed; Lambda checks the
# caller may pull the image it creates a function from), and pushing it
IMAGE_READS = ("ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer")
IMAGE_PUSHES = ("ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage")


@dataclass(frozen=True)
class RepoScope:
    """What the repo's TOMLs name: function and layer names, the buckets whose events invoke a
    function, the buckets zips over 50 MB go through, the ECR repositories genesys makes for
    image functions (``genesys/<name>``), the SNS topics (names or ARNs) functions subscribe to, and
    the project ids genesys marks what it makes with (``genesys:owner``, ``project.owner_of``)."""

    functions: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()
    trigger_buckets: tuple[str, ...] = ()
    artifact_buckets: tuple[str, ...] = ()
    image_repositories: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    rule_bases: tuple[str, ...] = ()  # what the functions' schedule rules are named after (``rule_base_of``)
    owners: tuple[str, ...] = ()

    @classmethod
    def of(cls, specs) -> RepoScope:
        def names(values) -> tuple[str, ...]:
            return tuple(sorted({v for v in values if v}))

        return cls(names(s.name for s in specs), names(s.layer.name for s in specs),
                   names(t.get("bucket") for s in specs for t in s.triggers if t.type == "s3"),
                   names(s.deployment.artifact_bucket for s in specs),
                   names(default_repository(s.name) for s in specs
                         if s.build.is_image and not s.deployment.image_repository),
                   names(t.get("topic") for s in specs for t in s.triggers if t.type == "sns"),
                   names(rule_base_of(s.name) for s in specs), names(owner_of(s.path).project for s in specs))


def boundary_arn(account: str) -> str:
    return f"arn:aws:iam::{account}:policy/{BOUNDARY}"


def lambda_boundary() -> dict:
    """The most any execution role genesys creates from CI may do: every action a policy template,
    an AWS managed policy genesys attaches, a destination or a trigger poller can grant."""
    actions = {a for t in TEMPLATES for a in t.actions} | {a for acts in MANAGED_ACTIONS.values() for a in acts}
    actions |= set(DESTINATION_ACTIONS.values())
    actions |= {a for row in TYPES.values() if row.poller for a in (*row.poller.actions, *row.poller.unscoped)}
    return {"Version": "2012-10-17", "Statement": [_allow("GenesysTemplates", sorted(actions), "*")]}


def _allow(sid: str, actions, resources, condition: dict | None = None) -> dict:
    statement = {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def _function_arns(account: str, repo: RepoScope) -> list[str]:
    # the function itself, and qualified: its versions and aliases
    return [arn for name in repo.functions
            for arn in (f"arn:aws:lambda:*:{account}:function:{name}", f"arn:aws:lambda:*:{account}:function:{name}:*")]


def ci_deploy_policy(account: str, cache: tuple[str, str] | None = None, repo: RepoScope = RepoScope()) -> dict:
    """What ``genesys execute``/``doit deploy`` calls for the functions of ``repo``, and nothing more.
    ``cache``: the shared layer cache's (bucket, prefix), read and written."""
    roles = f"arn:aws:iam::{account}:role/{LAMBDA_ROLES}"
    bounded = {"StringEquals": {"iam:PermissionsBoundary": boundary_arn(account)}}
    functions = _function_arns(account, repo)
    statements = []
    if functions:
        statements += [
            _allow("Functions", ("lambda:GetFunction", *FUNCTION_READS, *FUNCTION_WRITES), functions),
            # event source mappings have no ARN until they exist: AWS checks the function named instead
            _allow("EventSourceMappings", ["lambda:CreateEventSourceMapping", "lambda:UpdateEventSourceMapping",
                                           "lambda:DeleteEventSourceMapping"], "*",
                   {"ArnLike": {"lambda:FunctionArn": functions}}),
        ]
    if repo.layers:
        statements.append(_allow("Layers", ["lambda:PublishLayerVersion", "lambda:DeleteLayerVersion"],
                                 [arn for name in repo.layers for arn in (f"arn:aws:lambda:*:{account}:layer:{name}",
                                                                          f"arn:aws:lambda:*:{account}:layer:{name}:*")]))
    statements += [
        # no resource-level permissions (lists), or layers the functions name, perhaps another account's
        _allow("AccountReads", ["lambda:ListFunctions", "lambda:ListLayerVersions", "lambda:GetLayerVersion",
                                "lambda:ListEventSourceMappings", "lambda:GetEventSourceMapping"], "*"),
        _allow("LambdaRoleReads", ["iam:GetRole", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies",
                                   "iam:GetRolePolicy"], roles),
        # a role's permissions change only while it carries the boundary: never past the templates
        _allow("LambdaRolesWithinBoundary", ROLE_WRITES, roles, bounded),
        _allow("LambdaRolePolicies", ["iam:AttachRolePolicy", "iam:DetachRolePolicy"], roles,
               {"ArnEquals": {"iam:PolicyARN": sorted(MANAGED_ARNS)}, **bounded}),
        _allow("PassLambdaRoles", ["iam:PassRole"], roles,
               {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}),
        _allow("HttpApiReads", ["apigateway:GET"],
               ["arn:aws:apigateway:*::/apis", "arn:aws:apigateway:*::/apis/*", "arn:aws:apigateway:*::/tags/*"]),
    ] + _own_role_statements(roles, bounded, repo) + _http_api_statements(repo)
    statements += _event_and_log_statements(account, repo)
    if cache:
        bucket, prefix = cache
        statements.append(_allow("SharedLayerCache", ["s3:GetObject", "s3:PutObject"],
                                 f"arn:aws:s3:::{bucket}/{prefix}layers/*"))
        statements.append(_cache_misses(bucket, prefix))
    return {"Version": "2012-10-17", "Statement": statements}


def _own_role_statements(roles: str, bounded: dict, repo: RepoScope) -> list[dict]:
    """Deleting, tagging and untagging a ``genesys-lambda-*`` role, only this project's (its
    ``genesys:owner``): IAM offers no boundary condition for TagRole and UntagRole, only the role's
    tags and the request's. A role with no owner yet (new, adopted, or marked before marks named
    one) may be tagged only with this project as its owner; one is deleted only within the boundary."""
    if not repo.owners:
        return []
    owned = {f"aws:ResourceTag/{OWNER_KEY}": list(repo.owners)}
    return [
        _allow("OwnLambdaRoleTags", ["iam:TagRole", "iam:UntagRole"], roles, {"StringEquals": owned}),
        _allow("MarkLambdaRoles", ["iam:TagRole"], roles,
               {"Null": {f"aws:ResourceTag/{OWNER_KEY}": "true"},
                "StringEquals": {f"aws:RequestTag/{OWNER_KEY}": list(repo.owners)}}),
        _allow("OwnLambdaRoleDeletes", ["iam:DeleteRole"], roles,
               {"StringEquals": {**bounded["StringEquals"], **owned}}),
    ]


def _http_api_statements(repo: RepoScope) -> list[dict]:
    """An HTTP API's id is unknown until it exists: genesys creates one only tagged ``genesys:function``
    with its function's name, and changes or deletes one (its routes, integrations, stages) only while
    it carries that tag; API Gateway checks the request's tags on create and the API's on its parts."""
    if not repo.functions:
        return []
    names = list(repo.functions)
    return [
        _allow("HttpApiCreates", ["apigateway:POST"], ["arn:aws:apigateway:*::/apis", "arn:aws:apigateway:*::/tags/*"],
               {"StringLike": {f"aws:RequestTag/{FUNCTION_KEY}": names}}),
        _allow("HttpApiChanges", ["apigateway:POST", "apigateway:DELETE"], "arn:aws:apigateway:*::/apis/*",
               {"StringLike": {f"aws:ResourceTag/{FUNCTION_KEY}": names}}),
    ]


def _cache_misses(bucket: str, prefix: str) -> dict:
    # without it S3 answers a missing object with 403, not 404: a cache miss would look like a denial
    return _allow("SharedLayerCacheMisses", ["s3:ListBucket"], f"arn:aws:s3:::{bucket}",
                  {"StringLike": {"s3:prefix": f"{prefix}layers/*"}})


def _event_and_log_statements(acct: str, repo: RepoScope) -> list[dict]:
    """The deploy role's statements for schedules, trigger sources, log groups, alarms, VPC lookups and
    the buckets the TOMLs name."""
    statements = [_allow("ListRules", ["events:ListRules"], "*")]
    if repo.rule_bases:  # the schedule rules of the repo's functions (<base>-<n>), never another repo's
        statements.append(_allow("ScheduleRules", [
            "events:PutRule", "events:DeleteRule", "events:PutTargets", "events:RemoveTargets",
            "events:ListTargetsByRule", "events:ListTagsForResource", "events:TagResource"],
            # <base>-0 to <base>-99: never the rules of another function whose name starts alike
            [f"arn:aws:events:*:{acct}:rule/{base}-{n}" for base in repo.rule_bases for n in ("?", "??")]))
    statements += [
        # these two cannot be scoped to a resource; rollouts read the named alarms between steps
        _allow("ReadLogGroupsAndAlarms", ["logs:DescribeLogGroups", "cloudwatch:DescribeAlarms"], "*"),
        # AWS checks the caller may see the subnets and security groups a function's [function] vpc names
        _allow("VpcLookups", ["ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"], "*"),
    ]
    if repo.functions:  # the log groups of the repo's functions (Lambda names them /aws/lambda/<function>)
        statements.append(_allow("LogGroups", [
            "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
            "logs:TagLogGroup", "logs:UntagLogGroup", "logs:ListTagsLogGroup"],
            [arn for name in repo.functions for arn in (f"arn:aws:logs:*:{acct}:log-group:/aws/lambda/{name}",
                                                        f"arn:aws:logs:*:{acct}:log-group:/aws/lambda/{name}:*")]))
    if repo.trigger_buckets:
        statements.append(_allow("BucketTriggers", ["s3:GetBucketNotification", "s3:PutBucketNotification"],
                                 [f"arn:aws:s3:::{b}" for b in repo.trigger_buckets]))
    if repo.image_repositories:  # image functions: the repositories genesys makes, and pushes to them
        statements.append(_allow("ImageRepositories", [
            "ecr:DescribeRepositories", "ecr:CreateRepository", "ecr:DeleteRepository", "ecr:GetLifecyclePolicy",
            "ecr:PutLifecyclePolicy", "ecr:ListTagsForResource",
            "ecr:TagResource", "ecr:ListImages", *IMAGE_READS, *IMAGE_PUSHES,
            # Lambda adds its pull statement to the repository's policy with the caller's rights to read and set it
            "ecr:GetRepositoryPolicy", "ecr:SetRepositoryPolicy"],
            [f"arn:aws:ecr:*:{acct}:repository/{name}" for name in repo.image_repositories]))
        statements.append(_allow("RegistryLogin", ["ecr:GetAuthorizationToken"], "*"))  # it has no resource
    if repo.artifact_buckets:  # zips over 50 MB
        statements.append(_allow("ArtifactUploads", ["s3:PutObject"],
                                 [f"arn:aws:s3:::{b}/genesys/*" for b in repo.artifact_buckets]))
    if repo.topics:  # a subscription sends the topic's messages anywhere: only to the topics the TOMLs name
        topics = [t if t.startswith("arn:") else f"arn:aws:sns:*:{acct}:{t}" for t in repo.topics]
        statements.append(_allow("TopicSubscriptions", ["sns:Subscribe"], topics))
        # IAM checks Unsubscribe against the subscription's topic; its own ARN is <topic>:<id>
        statements.append(_allow("TopicUnsubscribes", ["sns:Unsubscribe"],
                                 [arn for topic in topics for arn in (topic, f"{topic}:*")]))
    statements.append(_allow("TriggerSources", ["sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sns:GetTopicAttributes",
                                                "sns:ListSubscriptionsByTopic",
                                                "dynamodb:DescribeStream"],
                             [f"arn:aws:sqs:*:{acct}:*", f"arn:aws:sns:*:{acct}:*",
                              f"arn:aws:dynamodb:*:{acct}:table/*/stream/*"]))
    return statements


def is_read(action: str) -> bool:
    return action.split(":")[1].startswith(READ_ACTIONS) or action in ("apigateway:GET", *IMAGE_READS)


def ci_plan_policy(account: str, cache: tuple[str, str] | None = None, repo: RepoScope = RepoScope()) -> dict:
    """What a dry run (``genesys execute --dry-run``, ``doit plan``) reads: the read actions of
    ``ci_deploy_policy`` on the same resources, minus ``NEVER_FOR_PLANS``; the shared cache read-only."""
    statements = []
    for statement in ci_deploy_policy(account, None, repo)["Statement"]:
        reads = [a for a in statement["Action"] if is_read(a) and a not in NEVER_FOR_PLANS]
        if reads:
            sid = statement["Sid"]
            renamed = reads != statement["Action"] and not sid.endswith(("Read", "Reads"))
            statements.append(dict(statement, Sid=sid + "Read" * renamed, Action=reads))
    if cache:
        bucket, prefix = cache
        statements += [_allow("SharedLayerCacheRead", ["s3:GetObject"], f"arn:aws:s3:::{bucket}/{prefix}layers/*"),
                       _cache_misses(bucket, prefix)]
    return {"Version": "2012-10-17", "Statement": statements}


def size(document: dict) -> int:
    """The characters IAM counts against its limits: the document without whitespace."""
    return len(json.dumps(document, separators=(",", ":")))
