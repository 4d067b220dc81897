"""What every trigger type shares: the ``TriggerState`` its reader fills, the ``TriggerType``
``planners()`` makes of its module, and the names, errors and places they all use.

Readers make only read calls and fill their part of one ``TriggerState``; planners turn
the spec's triggers of their type and that state into calls on a ``Plan``. Nothing here
changes AWS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable

from ...config.locate import where_in
from ...config.spec import FunctionSpec, TriggerSpec
from ...errors import ConfigError, Where

NOT_FOUND_HINT = "check the name and [deployment] region / AWS_REGION (and the account), or create it first"


@dataclass
class TriggerState:
    """What exists for one function's triggers, as the readers found it; sources are resolved to ARNs."""

    region: str
    account: str
    function_name: str
    statements: dict = field(default_factory=dict)  # the function's permission statements by Sid
    function_exists: bool = False
    queue_arns: dict = field(default_factory=dict)  # queue as written in the TOML → ARN
    notifications: dict = field(default_factory=dict)  # bucket → its whole notification configuration
    subscriptions: dict = field(default_factory=dict)  # topic ARN → the subscriptions of ``function_arn``
    # topic ARN → the subscriptions of the function's other ARNs (unqualified, or another alias of genesys's)
    stale_subscriptions: dict = field(default_factory=dict)
    mappings: list = field(default_factory=list)  # event source mappings genesys made for this function
    mapping_targets: dict = field(default_factory=dict)  # mapping UUID → the alias it invokes (None: unqualified)
    rules: dict = field(default_factory=dict)  # rule name → {"rule": ..., "targets": [...]}
    # what exists where genesys would put its own, unmarked: a conflict unless adopted
    foreign_mappings: list = field(default_factory=list)  # this function's mappings genesys did not make
    foreign_rules: dict = field(default_factory=dict)  # untagged rules with genesys's rule names
    adopt: bool = False  # the user lets genesys take those over (``Ownership.adopt``)
    alias: str | None = None  # ``[deployment] alias``: what every trigger invokes
    aliases: tuple = ()  # the aliases genesys made for the function, where triggers may still point

    @property
    def base_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.function_name}"

    @property
    def function_arn(self) -> str:
        """What the triggers invoke: the alias's ARN when ``[deployment] alias`` is set, else the function's."""
        return self.qualified(self.alias)

    def qualified(self, alias: str | None) -> str:
        return f"{self.base_arn}:{alias}" if alias else self.base_arn

    @property
    def function_arns(self) -> set[str]:
        """Every ARN of the function a trigger genesys made may invoke: unqualified, or one of its aliases."""
        return {self.qualified(a) for a in (None, self.alias, *self.aliases)}


def no_statements(spec: FunctionSpec, triggers: list[TriggerSpec], region: str, account: str) -> dict:
    """Polled sources need no invoke permission: Lambda itself reads them."""
    return {}


@dataclass(frozen=True)
class TriggerType:
    """A planned trigger type (``planners()`` reads it from its module): each function gets the spec and
    only the triggers of its type.

    ``read_state(spec, clients, triggers, state)`` fills ``state`` with read calls;
    ``plan(plan, spec, triggers, state)`` adds the calls that make AWS match ``triggers``;
    ``statements(spec, triggers, region, account)`` gives the invoke permissions a push
    source needs, by statement id (planned with the function's other permissions), each
    id of the form ``statement_id``.
    """

    read_state: Callable
    plan: Callable
    statements: Callable = no_statements
    statement_id: str = ""  # the full form of the statement ids ``statements`` gives (a regex)


def sid_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)[:80]


def statement_source(statement: dict) -> str | None:
    condition = statement.get("Condition", {}) or {}
    return (condition.get("ArnLike", {}) or {}).get("AWS:SourceArn")


def diffs(old: dict, new: dict) -> list[tuple]:
    return [(k, old.get(k), new.get(k)) for k in new if old.get(k) != new.get(k)]


def trigger_where(spec: FunctionSpec, trigger: TriggerSpec, key: str) -> Where:
    """``key`` of ``trigger`` in the TOML, named as the loader names it (``triggers[0].queue``)."""
    return replace(where_in(spec.path, "triggers", trigger.index, key), key=f"triggers[{trigger.index}].{key}")


def missing(spec: FunctionSpec, trigger: TriggerSpec, key: str, kind: str, region: str,
            hint: str = NOT_FOUND_HINT) -> ConfigError:
    """A source the TOML names that AWS does not have: bad input (exit 2), at the trigger's line."""
    return ConfigError(f"the {kind} {trigger.get(key)!r} named by a trigger does not exist in {region}", hint=hint,
                       where=trigger_where(spec, trigger, key))


POLLED_REGION = "Lambda polls only sources in its own region"


def check_same_region(spec: FunctionSpec, trigger: TriggerSpec, key: str, region: str,
                      why: str = POLLED_REGION) -> None:
    """A source given as an ARN of another region, where genesys cannot wire it (``why``): say so before
    calling about it. Lambda polls only queues and streams of its own region.

    The deploy region may come from the environment, so this cannot be checked at load time.
    """
    source_region = trigger.get(key).split(":")[3]
    if source_region != region:
        raise ConfigError(f"the {trigger.type} source {trigger.get(key)} is in {source_region}, but the "
                          f"function deploys to {region}; {why}",
                          hint=f"deploy the function to {source_region} ([deployment] region), "
                               f"or use a source in {region}",
                          where=trigger_where(spec, trigger, key))
