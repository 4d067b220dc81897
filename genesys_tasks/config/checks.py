"""Checks of a whole function that need the TOML and nothing else: they run when it loads.

Each check looks at a built ``FunctionSpec`` and returns the first ``Problem`` —
(key path, what is wrong, the fix) — or None; the loader turns it into a ConfigError
at that key's line. So a function AWS would reject for these reasons fails with
exit 2 before anything is built or called, in ``doit list`` as in ``genesys execute``:

- ``layer_arns``: ``[function] layers`` entries are layer *version* ARNs;
- ``layer_count``: at most 5 layers, the dependency layer included;
- ``policy_templates``: every ``[iam] required_policies`` entry names a template;
- ``trigger_sources``: no two triggers share one queue, topic or stream;
- ``trigger_regions``: polled sources (SQS queue ARNs, DynamoDB streams) are in the
  function's ``[deployment] region``, when the TOML names one;
- ``s3_overlaps``: no two S3 triggers on one bucket can both match one key for one
  event (S3 refuses such a notification configuration);
- ``names``: the role name and bucket names are ones AWS accepts, and
  ``[deployment] region`` is a region (``regions``);
- ``descriptions``: at most 256 characters (a layer's leaves room for genesys's marker);
- ``tags``: at most 50 with genesys's own, each within AWS's limits (``aws_limits``);
- ``function_settings``: ``[function.vpc]`` names 1-16 subnets and 1-5 security groups by id, and
  ``on_failure``/``on_success`` are SQS, SNS, Lambda or EventBridge bus ARNs, and
  ``[deployment] alias`` is a name Lambda accepts for an alias;
- ``image``: an image function (``[build] package_type = "image"``) names a valid base image and
  repository, builds locally, runs Python or Node.js, and takes no ``[function] layers`` (Lambda
  refuses layers on images); the ``image_*`` keys are only for image functions;
- ``iam_scope.unscoped_templates``: with ``[iam.resources]``, every data template is scoped;
- ``patterns``: ``[build] include`` and ``exclude`` are globs git can read.

``warnings`` are said once when the TOML loads, through the loader's ``warn``: the
templates that grant every resource (``iam_scope.broad_templates``), a public function URL,
environment values that look like secrets written into the file (``secret_detector``; never their values),
and an image repository in a named ECR account (cross-account pulls need that repository's policy).

Pure: no I/O, except that the list of regions is read once from botocore's data files. What only
some TOMLs use is imported by the check that needs it, when the spec has it (the trigger table with
``[[triggers]]``, ``image_ref`` for an image function, ``secret_detector`` with environment values), so
loading a plain function imports none of them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Iterator

from .. import globs
from ..errors import close_matches
from . import aws_limits, iam_scope, regions
from .policy_templates import TEMPLATES, lookup_template
from .spec import FunctionSpec, TriggerSpec

if TYPE_CHECKING:
    from .triggers import TriggerType

Problem = tuple[tuple, str, str]  # key path, message, hint

MAX_LAYERS = 5
# The patterns of keys few TOMLs have are kept as text: ``re`` compiles one when a check first needs it
LAYER_VERSION_ARN = r"^arn:aws[a-z-]*:lambda:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:layer:[A-Za-z0-9_-]{1,140}:[1-9]\d*$"
LAYER_ARN_EXAMPLE = "arn:aws:lambda:us-east-1:123456789012:layer:shared-deps:3"


def layer_count(spec: FunctionSpec) -> Problem | None:
    count = int(spec.has_layer) + len(spec.function.layers)
    if count <= MAX_LAYERS:
        return None
    own = " (the dependency layer plus [function] layers)" if spec.has_layer else ""
    return (("function", "layers"), f"the function would have {count} layers{own}; Lambda allows at most {MAX_LAYERS}",
            "merge layers, drop unused ones, or set [build] layer_auto = false and ship dependencies in the "
            "function zip")


def layer_arns(spec: FunctionSpec) -> Problem | None:
    for arn in spec.function.layers:
        if re.match(LAYER_VERSION_ARN, arn):
            continue
        what = "a layer ARN without its version" if re.match(r"^arn:aws[a-z-]*:lambda:.*:layer:[^:]+$", arn) \
            else "not a Lambda layer version ARN"
        return (("function", "layers"), f"{arn!r} is {what}",
                f"write arn:aws:lambda:<region>:<12-digit account>:layer:<name>:<version>, e.g. {LAYER_ARN_EXAMPLE} "
                "(aws lambda list-layer-versions --layer-name <name> lists them)")
    return None


def policy_templates(spec: FunctionSpec) -> Problem | None:
    for entry in spec.iam.required_policies:
        if lookup_template(entry) is not None:
            continue
        choices = [t.name for t in TEMPLATES] + [t.id for t in TEMPLATES]
        close = close_matches(entry, choices)
        hint = (f"did you mean {close[0]!r}? " if close else "") + "templates: " + ", ".join(
            f"{t.id} ({t.name})" for t in TEMPLATES)
        return ("iam", "required_policies"), f"unknown policy template {entry!r}", hint
    return None


def _source(trigger: TriggerSpec, key: str) -> str:
    value = trigger.get(key)
    return value.rsplit(":", 1)[-1] if trigger.type == "sqs" else value  # a queue by name or by ARN


def _row(trigger: TriggerSpec) -> TriggerType:
    from .triggers import TYPES, TriggerType

    return TYPES.get(trigger.type) or TriggerType({})


def trigger_sources(spec: FunctionSpec) -> Problem | None:
    seen: dict[tuple[str, str], int] = {}
    for trigger in spec.triggers:
        key = _row(trigger).source_key  # for types AWS allows only once per function and source
        if key is None:
            continue
        source = (trigger.type, _source(trigger, key))
        if source in seen:
            return (("triggers", trigger.index, key),
                    f"triggers [{seen[source]}] and [{trigger.index}] both use the {trigger.type} source "
                    f"{trigger.get(key)!r}",
                    "keep one of them (AWS allows one such trigger per function and source)")
        seen[source] = trigger.index
    return None


def trigger_regions(spec: FunctionSpec) -> Problem | None:
    region = spec.deployment.region
    for trigger in spec.triggers if region else ():
        # polled sources given as ARNs carry a region; Lambda polls only its own region
        key = _row(trigger).source_key if _row(trigger).polled else None
        value = trigger.get(key) if key else ""
        if not value.startswith("arn:") or value.split(":")[3] == region:
            continue
        source_region = value.split(":")[3]
        return (("triggers", trigger.index, key),
                f"the {trigger.type} source {value} is in {source_region}, but [deployment] region is {region}; "
                "Lambda polls only sources in its own region",
                f"deploy the function to {source_region}, or use a source in {region}")
    return None


def s3_triggers_overlap(first: TriggerSpec, second: TriggerSpec) -> bool:
    """True when both S3 triggers are on one bucket and one object key and event can match both."""
    return first.get("bucket") == second.get("bucket") and s3_filters_overlap(
        *((t.get("events"), t.get("prefix"), t.get("suffix")) for t in (first, second)))


def s3_filters_overlap(first: tuple, second: tuple) -> bool:
    """True when one key and event can match both S3 filters, each ``(events, prefix, suffix)``."""
    (events_a, prefix_a, suffix_a), (events_b, prefix_b, suffix_b) = first, second
    return (any(a == b or (a.endswith(":*") and b.startswith(a[:-1])) or (b.endswith(":*") and a.startswith(b[:-1]))
                for a in events_a for b in events_b)
            and (prefix_a.startswith(prefix_b) or prefix_b.startswith(prefix_a))
            and (suffix_a.endswith(suffix_b) or suffix_b.endswith(suffix_a)))


def overlap_key(trigger: TriggerSpec) -> str:
    """The key an overlap error points at: the trigger's filter, else its events."""
    return "prefix" if trigger.get("prefix") else "suffix" if trigger.get("suffix") else "events"


S3_OVERLAP_HINT = ("make their prefixes or suffixes disjoint (e.g. prefix \"in/\" and \"out/\"), use different "
                   "events, or merge them into one trigger")


def s3_overlaps(spec: FunctionSpec) -> Problem | None:
    s3 = [t for t in spec.triggers if t.type == "s3"]
    for later_index, later in enumerate(s3):
        for earlier in s3[:later_index]:
            if s3_triggers_overlap(earlier, later):
                return (("triggers", later.index, overlap_key(later)),
                        f"triggers [{earlier.index}] and [{later.index}] overlap on bucket {later.get('bucket')!r}: "
                        "one object key and event can match both, and S3 refuses overlapping notifications",
                        S3_OVERLAP_HINT)
    return None


def descriptions(spec: FunctionSpec) -> Problem | None:
    limits = (("metadata", "description"), spec.description, aws_limits.DESCRIPTION_MAX), (
        ("layer", "description"), spec.layer.description,
        aws_limits.DESCRIPTION_MAX - aws_limits.LAYER_MARKER_ROOM)
    for key_path, text, limit in limits:
        found = aws_limits.description_problem(text, limit)
        if found:
            return key_path, found, f"shorten it to {limit} characters"
    return None


def names(spec: FunctionSpec) -> Problem | None:
    found = aws_limits.role_name_problem(spec.iam.role_name)
    if found:
        return ("iam", "role_name"), found, "use 1 to 64 letters, digits and + = , . @ _ -"
    buckets = [(("deployment", "artifact_bucket"), spec.deployment.artifact_bucket)] + [
        (("iam", "resources", "s3_buckets"), b) for b in spec.iam.resources.s3_buckets
        if "*" not in b and "?" not in b]  # a pattern scopes the policy; it names no bucket
    for key_path, bucket in buckets:
        found = aws_limits.bucket_problem(bucket) if bucket else None
        if found:
            return key_path, found, aws_limits.BUCKET_HINT
    found = regions.region_problem(spec.deployment.region) if spec.deployment.region else None
    if found:
        return ("deployment", "region"), *found
    for region in spec.deployment.regions:
        found = regions.region_problem(region)
        if found:
            return ("deployment", "regions"), *found
    if spec.deployment.regions and spec.deployment.region:
        return (("deployment", "regions"), "region and regions are both set",
                "keep one: regions deploys to each of its regions")
    return None


VPC_IDS = {"subnet_ids": (r"^subnet-[0-9a-f]{8,17}$", 16, "subnet-0abc1234"),
           "security_group_ids": (r"^sg-[0-9a-f]{8,17}$", 5, "sg-0abc1234")}
DESTINATION_ARN = r"^arn:aws[a-z-]*:(sqs|sns|lambda|events):[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:(.+)$"
ALIAS_NAME = r"^(?!\d+$)[A-Za-z0-9_-]{1,128}$"
DESTINATION_EXAMPLE = "arn:aws:sqs:us-east-1:123456789012:failed-events"


def destination_service(arn: str) -> str | None:
    """``sqs``, ``sns``, ``lambda`` or ``events`` for a destination ARN Lambda accepts; else None."""
    found = re.match(DESTINATION_ARN, arn)
    if not found or (found.group(1) == "events" and not found.group(2).startswith("event-bus/")):
        return None
    return found.group(1)


def function_settings(spec: FunctionSpec) -> Problem | None:
    vpc = spec.function.vpc
    for key, (pattern, most, sample) in VPC_IDS.items() if vpc else ():
        ids = getattr(vpc, key)
        if not 1 <= len(ids) <= most:
            return (("function", "vpc", key), f"{len(ids)} ids; Lambda takes 1 to {most}",
                    f"list 1 to {most} ids, or remove [function.vpc] to run outside a VPC")
        wrong = next((i for i in ids if not re.match(pattern, i)), None)
        if wrong is not None:
            return (("function", "vpc", key), f"{wrong!r} is not an id of this kind", f'write ids as "{sample}"')
    alias = spec.deployment.alias
    if alias is not None and not re.match(ALIAS_NAME, alias):
        return (("deployment", "alias"), f"{alias!r} is not an alias name Lambda accepts",
                'use 1 to 128 letters, digits, - and _, not only digits, e.g. alias = "live"')
    for key in ("on_failure", "on_success"):
        arn = getattr(spec.function, key)
        if arn is not None and destination_service(arn) is None:
            return (("function", key), f"{arn!r} is not an SQS queue, SNS topic, Lambda function or EventBridge "
                                       "bus ARN", f'write the full ARN, e.g. "{DESTINATION_EXAMPLE}"')
    return None


def tags(spec: FunctionSpec) -> Problem | None:
    for key, value in spec.tags:
        found = aws_limits.tag_problem(key, value)
        if found:
            return ("tags", key), found, "shorten or rename it (letters, digits, spaces and _ . : / = + - @)"
    added = aws_limits.GENESYS_TAGS + (("genesys:stage",) if spec.stage else ())
    own = len(added)
    if len(spec.tags) + own > aws_limits.MAX_TAGS:
        return (("tags",), f"{len(spec.tags)} tags plus the {own} genesys adds ({', '.join(added)}) "
                           f"are more than the {aws_limits.MAX_TAGS} AWS allows on a resource",
                f"keep at most {aws_limits.MAX_TAGS - own} tags under [tags]")
    return None


# whose image layout genesys builds: code in /var/task, dependencies in /opt (Java's jars in /var/task/lib)
IMAGE_LANGUAGES = ("python", "nodejs", "go", "java")


def image(spec: FunctionSpec) -> Problem | None:
    settings = spec.function
    if not spec.build.is_image:
        for key in ("image_command", "image_entrypoint", "image_workdir"):
            if getattr(settings, key) is not None:
                return (("function", key), f"{key} is Lambda's ImageConfig, for container-image functions only",
                        'set [build] package_type = "image", or remove the key')
        if spec.deployment.image_repository is not None:
            return (("deployment", "image_repository"), "image_repository is for container-image functions only",
                    'set [build] package_type = "image", or remove the key')
        return None
    from . import image_ref

    for path, value in ((("build", "image"), spec.build.image),
                        (("deployment", "image_repository"), spec.deployment.image_repository)):
        found = value is not None and image_ref.problem(value)
        if found:
            return path, f"{value!r} is not an image reference: {found}", \
                "write host/path[:tag][@sha256:<64 hex>], e.g. public.ecr.aws/lambda/python:3.12"
    repository = spec.deployment.image_repository
    parsed = repository is not None and image_ref.parse(repository)
    if parsed and (parsed.tag or parsed.digest):
        return (("deployment", "image_repository"), f"{repository!r} names a tag or digest; genesys pushes by digest",
                "write the repository only: host/path")
    if spec.build.build_method != "local":
        return (("build", "build_method"), f"an image function is built locally, not with {spec.build.build_method}",
                'remove build_method (genesys installs the dependencies for Linux itself), or package_type = "zip"')
    if spec.runtime.language not in IMAGE_LANGUAGES:
        return (("build", "package_type"), f"genesys builds images for {', '.join(IMAGE_LANGUAGES)} functions, "
                f"not {spec.runtime.id}", 'use package_type = "zip"')
    if settings.layers:
        return (("function", "layers"), "Lambda does not attach layers to a container-image function",
                "remove [function] layers (genesys puts the dependencies in the image)")
    return None


PATTERN_HINT = ("write a glob with git's semantics (*.pem, docs/**); a backslash escapes the character after it, "
                "so a pattern cannot end with one")


def patterns(spec: FunctionSpec) -> Problem | None:
    """``[build] include`` and ``exclude`` are globs git can read (``globs``)."""
    for key in ("include", "exclude"):
        found = globs.problem(getattr(spec.build, key))
        if found:
            return ("build", key), found, PATTERN_HINT
    return None


CHECKS: tuple[Callable[[FunctionSpec], Problem | None], ...] = (
    names, descriptions, layer_arns, layer_count, policy_templates, iam_scope.unscoped_templates, tags, trigger_sources,
    trigger_regions, s3_overlaps, function_settings, image, patterns)


def problems(spec: FunctionSpec) -> Iterator[Problem]:
    """Every check's problem, in the order above."""
    for check in CHECKS:
        found = check(spec)
        if found:
            yield found


def public_url(spec: FunctionSpec) -> str | None:
    if not (spec.deployment.function_url and spec.deployment.auth_type == "NONE"):
        return None
    return (f"{spec.name}: the function URL is public (auth_type = \"NONE\"): anyone with the URL can invoke "
            "the function; use auth_type = \"AWS_IAM\" to require signed requests")


def written_secrets(spec: FunctionSpec) -> str | None:
    """Environment values that look like secrets written into the file (``secret_detector``): they are in git."""
    if not spec.function.environment:
        return None
    from .. import secret_detector

    found = [key for key, value in spec.function.environment if secret_detector.looks_secret(key, value)]
    if not found:
        return None
    return (f"{spec.name}: [function.environment] {', '.join(found)} look{'s' if len(found) == 1 else ''} like "
            f"secret{'s' if len(found) > 1 else ''} written into {spec.path.name}, which lands in git: write "
            + ", ".join(f'{k} = "{secret_detector.reference(k)}"' for k in found) + " "
            "and export the value where you deploy (or read it from SSM Parameter Store or Secrets Manager)")


ENGINE_SOCKETS = ("docker.sock", "podman.sock")


def risky_volumes(spec: FunctionSpec) -> str | None:
    """``[build] container_volumes`` that hand the build container (every install script of every
    dependency) this machine: its root, the home folder, or a Docker/Podman socket."""
    import os

    home = os.path.normpath(os.path.expanduser("~"))
    said = []
    for volume in spec.build.container_volumes:
        host = volume.partition(":")[0]
        path = os.path.normpath(os.path.expanduser(host)) if host else ""
        if path == "/":
            said.append(f"{host} (the whole file system of this machine)")
        elif path == home:
            said.append(f"{host} (the home folder: SSH keys, cloud credentials and tokens)")
        elif path.endswith(ENGINE_SOCKETS):
            said.append(f"{host} (the container engine's socket: a script can start containers that mount "
                        "anything, which is control of this machine)")
    if not said:
        return None
    return (f"{spec.name}: [build] container_volumes gives every install script in the build container "
            f"{'; '.join(said)}; mount only the folders the build needs, read-only (:ro)")


def named_ecr_account(spec: FunctionSpec) -> str | None:
    """An image pushed to an ECR repository named with its account: Lambda pulls across accounts only when
    that repository's policy lets it."""
    repository = spec.deployment.image_repository if spec.build.is_image else None
    if repository is None:
        return None
    from . import image_ref

    if not image_ref.is_ecr_host(repository.split("/", 1)[0]):
        return None
    account = repository.split(".", 1)[0]
    return (f"{spec.name}: the image goes to ECR in account {account}; if the function is deployed to another "
            "account, that repository's policy must let the function's account and lambda.amazonaws.com (for its "
            "functions) ecr:BatchGetImage and ecr:GetDownloadUrlForLayer: genesys adds both statements when it made "
            "the repository; else the plan names them, and the deploy stops before any write when the policy lets "
            "that account pull nothing")


WARNINGS: tuple[Callable[[FunctionSpec], str | None], ...] = (iam_scope.broad_templates, public_url, written_secrets,
                                                              risky_volumes, named_ecr_account)


def warnings(spec: FunctionSpec) -> list[str]:
    """What the load says once about a valid function: things it does that people should know."""
    return [message for message in (warn(spec) for warn in WARNINGS) if message]
