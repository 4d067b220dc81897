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
  function's ``[deployment] region``, when the TOML names one.

Pure: no I/O.
"""

from __future__ import annotations

import difflib
import re
from typing import Callable, Iterator

from .policy_templates import TEMPLATES, lookup_template
from .spec import FunctionSpec, TriggerSpec

Problem = tuple[tuple, str, str]  # key path, message, hint

MAX_LAYERS = 5
LAYER_VERSION_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:layer:[A-Za-z0-9_-]{1,140}:[1-9]\d*$")
LAYER_ARN_EXAMPLE = "arn:aws:lambda:us-east-1:123456789012:layer:shared-deps:3"
# The key naming a trigger's source, for types AWS allows only once per function and source.
SOURCE_KEY = {"sqs": "queue", "sns": "topic", "dynamodb": "stream_arn"}
# Polled sources given as ARNs carry a region; Lambda polls only its own region.
POLLED_ARN_KEY = {"sqs": "queue", "dynamodb": "stream_arn"}


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
        if LAYER_VERSION_ARN.match(arn):
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
        close = difflib.get_close_matches(entry, choices, n=1)
        hint = (f"did you mean {close[0]!r}? " if close else "") + "templates: " + ", ".join(
            f"{t.id} ({t.name})" for t in TEMPLATES)
        return ("iam", "required_policies"), f"unknown policy template {entry!r}", hint
    return None


def _source(trigger: TriggerSpec, key: str) -> str:
    value = trigger.get(key)
    return value.rsplit(":", 1)[-1] if trigger.type == "sqs" else value  # a queue by name or by ARN


def trigger_sources(spec: FunctionSpec) -> Problem | None:
    seen: dict[tuple[str, str], int] = {}
    for trigger in spec.triggers:
        key = SOURCE_KEY.get(trigger.type)
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
        key = POLLED_ARN_KEY.get(trigger.type)
        value = trigger.get(key) if key else ""
        if not value.startswith("arn:") or value.split(":")[3] == region:
            continue
        source_region = value.split(":")[3]
        return (("triggers", trigger.index, key),
                f"the {trigger.type} source {value} is in {source_region}, but [deployment] region is {region}; "
                "Lambda polls only sources in its own region",
                f"deploy the function to {source_region}, or use a source in {region}")
    return None


CHECKS: tuple[Callable[[FunctionSpec], Problem | None], ...] = (
    layer_arns, layer_count, policy_templates, trigger_sources, trigger_regions)


def problems(spec: FunctionSpec) -> Iterator[Problem]:
    """Every check's problem, in the order above."""
    for check in CHECKS:
        found = check(spec)
        if found:
            yield found
