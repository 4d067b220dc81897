"""The TOML format, as data: every section, key, type, default, allowed values and doc.

This table is the single description of the format. The loader validates against
it and fills defaults from it; the JSON Schema and the docs are generated from it.
A key that is not here is an error with a "did you mean" hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Key:
    """One key: ``kind`` is str | int | bool | list | map (str → str); ``default`` None means optional."""

    kind: str
    default: Any
    doc: str
    choices: tuple = ()
    minimum: int | None = None
    maximum: int | None = None
    required: bool = False


# The retention periods CloudWatch Logs accepts (PutRetentionPolicy's retentionInDays).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                      3288, 3653)

SECTIONS: dict[str, dict[str, Key]] = {
    "metadata": {
        "name": Key("str", None, "Function name in AWS and in task ids (build:<name>); letters, digits, - and _, at most 64.", required=True),
        "runtime": Key("str", None, "Lambda runtime id, e.g. python3.12; detected from the source when absent."),
        "handler": Key("str", None, "Handler, e.g. app.lambda_handler; detected from the source when absent."),
        "description": Key("str", "", "Function description shown in AWS."),
    },
    "build": {
        "source_path": Key("str", ".", "Source folder, relative to this TOML file (absolute allowed)."),
        "build_method": Key("str", "local", "Where dependencies are installed.", choices=("local", "podman", "docker")),
        "layer_auto": Key("bool", True, "Build the dependencies into a Lambda layer."),
        "requirements_file": Key("str", None, "Dependency manifest or lock file, relative to source_path "
                                 "(requirements.txt, Pipfile.lock, poetry.lock, uv.lock, package.json, pom.xml, "
                                 "Gemfile); detected when absent."),
        "architectures": Key("list", ["x86_64"], "Architectures to build.", choices=("x86_64", "arm64")),
        "pre_build": Key("list", [], "Shell commands run in source_path before packaging."),
        "post_build": Key("list", [], "Shell commands run in source_path after the zips exist."),
        "exclude": Key("list", [], "Glob patterns (relative to source_path) left out of the function zip."),
        "shared": Key("list", [], "Folders outside source_path (relative to it, e.g. \"../../shared\") copied into the "
                      "function zip under their own name (shared/...): monorepo code several functions use. Their "
                      "files are inputs of the build and of `genesys changed`."),
        "include": Key("list", [], "Glob patterns (relative to source_path) put back into the function zip though a "
                       "default exclude leaves them out: credential files (.env*, *.pem, *.key, id_rsa*, .npmrc ...), "
                       "dot-folders, dodo.py, .gitignore."),
        "strict_imports": Key("bool", False, "Fail the build (exit 2) when the handler imports a module that neither "
                              "the function zip, the layer nor the runtime provides; by default a warning."),
        "installer": Key("str", "auto", "Python installer for local layer builds.", choices=("auto", "pip", "uv")),
        "package_type": Key("str", "zip", "How the function ships: a zip (with a dependency layer), or a container "
                            "image genesys writes itself (no container engine), pushed and deployed by digest; "
                            "images take up to 10 GB.", choices=("zip", "image")),
        "image": Key("str", None, "Container image for podman/docker builds; with package_type = \"image\", the base "
                     "image (pin it with @sha256:...); default from the runtime table "
                     "(public.ecr.aws/lambda/<language>:<version>)."),
        "container_env": Key("map", {}, "Environment variables passed into build containers."),
        "container_volumes": Key("list", [], "Extra volumes for build containers, as host:container[:options]."),
        "ca_bundle": Key("str", None, "CA bundle mounted into build containers (else from SSL_CERT_FILE and friends)."),
        "sourcemap": Key("bool", False, "Node.js: put a source map beside the bundle esbuild makes of a TypeScript "
                         "handler (use it with NODE_OPTIONS=--enable-source-maps)."),
    },
    "function": {
        "memory_mb": Key("int", 128, "Memory in MB.", minimum=128, maximum=10240),
        "timeout_seconds": Key("int", 3, "Timeout in seconds.", minimum=1, maximum=900),
        "layers": Key("list", [], "Extra layer version ARNs, after the dependency layer."),
        "environment": Key("map", {}, "Environment variables; values may be ${env:NAME}, resolved at deploy time."),
        "ephemeral_storage_mb": Key("int", 512, "/tmp size in MB.", minimum=512, maximum=10240),
        "vpc": Key("table", None, "Run the function in a VPC: subnet_ids and security_group_ids; the role gets "
                   "AWSLambdaVPCAccessExecutionRole. Removing the table takes the function out of the VPC."),
        "reserved_concurrency": Key("int", None, "Concurrent executions reserved for the function; 0 stops every "
                                    "invocation (a kill switch). Absent: the account's unreserved pool.",
                                    minimum=0, maximum=100000),
        "tracing": Key("str", "PassThrough", "X-Ray tracing; Active gives the role AWSXRayDaemonWriteAccess.",
                       choices=("PassThrough", "Active")),
        "log_retention_days": Key("int", None, "Days CloudWatch keeps the function's logs; genesys creates the log "
                                  "group /aws/lambda/<name> with it. Absent: never expire.",
                                  choices=LOG_RETENTION_DAYS),
        "on_failure": Key("str", None, "Where failed asynchronous invocations go: an SQS queue, SNS topic, Lambda "
                          "function or EventBridge bus ARN; the role gets the permission to send there."),
        "on_success": Key("str", None, "Where successful asynchronous invocations go (an SQS, SNS, Lambda or "
                          "EventBridge ARN)."),
        "image_command": Key("list", None, "Image functions: Lambda's ImageConfig Command; default the handler."),
        "image_entrypoint": Key("list", None, "Image functions: Lambda's ImageConfig EntryPoint; default the base "
                                "image's."),
        "image_workdir": Key("str", None, "Image functions: Lambda's ImageConfig WorkingDirectory; default /var/task."),
    },
    "function.vpc": {
        "subnet_ids": Key("list", None, "Subnet ids (subnet-...), at most 16.", required=True),
        "security_group_ids": Key("list", None, "Security group ids (sg-...), at most 5.", required=True),
    },
    "deployment": {
        "function_url": Key("bool", False, "Create a function URL."),
        "auth_type": Key("str", "AWS_IAM", "Function URL auth type.", choices=("AWS_IAM", "NONE")),
        "cors_enabled": Key("bool", False, "Enable CORS on the function URL (a [deployment.cors] table enables "
                                           "it too; false beside a table is an error)."),
        "cors": Key("table", None, "CORS settings; cors_enabled with no table allows *."),
        "region": Key("str", None, "AWS region; else the credential chain's region."),
        "regions": Key("list", [], "Deploy to each of these regions (instead of region): the first alone, then the "
                       "others in parallel; `delete` removes the function from each."),
        "profile": Key("str", None, "AWS profile; else the credential chain's default."),
        "architecture": Key("str", None, "Architecture deployed; default the first of [build] architectures.", choices=("x86_64", "arm64")),
        "artifact_bucket": Key("str", None, "S3 bucket for zips over 50 MB."),
        "keep_layer_versions": Key("int", 3, "Layer versions genesys keeps; older ones it made are deleted.", minimum=1, maximum=100),
        "alias": Key("str", None, "Publish a version whenever code or configuration changed and point this alias "
                     "at it; `genesys rollback` moves it back."),
        "traffic": Key("table", None, "Gradual rollout of each new version behind the alias."),
        "image_repository": Key("str", None, "Image functions: where the image is pushed, as host/path (any OCI "
                                "registry); default the ECR repository genesys/<name> in the deployment's account "
                                "and region, which genesys creates."),
        "keep_versions": Key("int", None, "Function versions genesys published that are kept; older ones no alias "
                             "points to are deleted. Absent: all are kept.", minimum=1, maximum=1000),
        "protected": Key("bool", False, "`genesys sync` refuses this function (or stage: `[stages.prod] protected = "
                         "true`) without --force."),
    },
    "deployment.traffic": {
        "strategy": Key("str", "all-at-once", "How the alias moves to a new version: at once, a canary share then "
                        "the rest, or in equal steps.", choices=("all-at-once", "canary", "linear")),
        "percent": Key("int", 10, "The canary's share, or each linear step, in percent.", minimum=1, maximum=99),
        "interval_minutes": Key("int", 5, "Minutes between steps, while the alarms are watched.", minimum=0,
                                maximum=1440),
        "alarms": Key("list", [], "CloudWatch alarm names; one in ALARM between steps rolls the alias back."),
    },
    "deployment.cors": {
        "allow_origins": Key("list", ["*"], "Allowed origins."),
        "allow_methods": Key("list", ["*"], "Allowed methods."),
        "allow_headers": Key("list", ["*"], "Allowed headers."),
        "expose_headers": Key("list", [], "Headers exposed to the browser."),
        "allow_credentials": Key("bool", False, "Allow credentials."),
        "max_age": Key("int", 0, "Preflight cache seconds.", minimum=0, maximum=86400),
    },
    "iam": {
        "role_name": Key("str", None, "Execution role name; default genesys-lambda-<name>."),
        "required_policies": Key("list", ["Basic CloudWatch Logs access"], "Policy templates, by name or short id."),
        "auto_manage": Key("bool", True, "Create and update the role; false uses it as it is."),
        "auto_cleanup": Key("bool", True, "Delete the role with the function when genesys made it."),
        "role_arn": Key("str", None, "Written by genesys after it creates the role."),
        "managed_by": Key("str", None, "Written by genesys after it creates the role."),
        "resources": Key("table", None, "Scope the templates to these resources."),
        "permissions_boundary": Key("str", None, "A managed policy every role genesys creates or updates carries as "
                                    "its permissions boundary: a policy name in the deploy account (what `genesys ci "
                                    "bootstrap-oidc` makes: genesys-lambda-boundary) or a policy ARN."),
    },
    "iam.resources": {
        "s3_buckets": Key("list", [], "Bucket names."),
        "dynamodb_tables": Key("list", [], "Table names."),
        "sqs_queues": Key("list", [], "Queue names."),
        "sns_topics": Key("list", [], "Topic names."),
        "allow_wildcard": Key("bool", False, 'Allow "*" in these lists: grant every resource of the service on purpose.'),
    },
    "cost": {
        "invocations_per_month": Key("int", None, "Invocations a month, for `genesys cost` and the estimate "
                                     "`execute --dry-run` shows.", minimum=0),
        "average_duration_ms": Key("int", 100, "Average billed duration of one invocation, in ms.",
                                   minimum=1, maximum=900000),
    },
    "tags": {},  # free map of str → str
    "layer": {
        "name": Key("str", None, "Layer name; default <name>-deps."),
        "description": Key("str", None, "Layer description (genesys prefixes its marker)."),
        "compatible_runtimes": Key("list", None, "Compatible runtimes; default the function's runtime."),
    },
}

# Sections that are free maps of string → string rather than fixed keys.
FREE_MAPS = {"tags", "function.environment", "build.container_env"}

# The event types S3 notifications accept (the S3 API's Event enumeration).
S3_EVENTS = (
    "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated", "s3:ObjectRestore:*", "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete", "s3:ReducedRedundancyLostObject",
    "s3:Replication:*", "s3:Replication:OperationFailedReplication", "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:LifecycleTransition", "s3:IntelligentTiering", "s3:ObjectAcl:Put", "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated", "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put", "s3:ObjectTagging:Delete",
)

# [[triggers]]: each type's keys are in its row of config/triggers.py (``TYPES``; ``TRIGGERS`` is their view).
