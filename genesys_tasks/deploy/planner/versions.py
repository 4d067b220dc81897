"""Planning versions and the alias of ``[deployment] alias``: publish, point, prune, roll back.

A version is published only when this plan changes the function's code or configuration,
or when the newest version genesys published does not hold the code ``$LATEST`` has (a run
that stopped before publishing); a rerun publishes nothing. The alias then points at the new
version, its routing cleared. After a rollback the alias stays where it was put until the
code or configuration changes again. An alias a stopped rollout left split (a routing
configuration, and nothing new to publish) is not "no change": the plan says ``resume rollout``
and hands the rollout's versions and share on (``rollout_from``, ``rollout_to``,
``rollout_share``), so the deploy resumes it or names ``genesys rollout --continue|--abort``.

``keep_versions`` deletes the oldest versions genesys published (their description starts
with ``state.VERSION_MARKER``) beyond that many, never one any alias sends traffic to.
An alias of that name genesys did not make is a conflict unless adopted.
"""

from __future__ import annotations

from ...config.locate import where_in
from ...config.spec import FunctionSpec
from ...errors import ConfigError
from ...shell import command
from ..model import Plan, Var
from ..ownership import Ownership, conflict
from ..state import VERSION_MARKER, AliasState, VersionState

VERSIONED_CALLS = ("create_function", "update_function_code", "update_function_configuration")


def changes_version(plan: Plan) -> bool:
    """Whether ``plan`` changes what a published version freezes: the code or the configuration."""
    return any(call.method in VERSIONED_CALLS for call in plan.calls)


def plan_versions(spec: FunctionSpec, code_sha256: str, changed: bool, versions: list[VersionState],
                  aliases: dict[str, AliasState], ownership: Ownership = Ownership()) -> Plan:
    plan = Plan()
    name, alias_name = spec.name, spec.deployment.alias
    if alias_name is None:
        return plan
    ours = [v for v in versions if v.marked]
    newest = ours[-1] if ours else None
    alias = aliases.get(alias_name)
    if alias is not None and not (alias.marked or ownership.adopt):
        raise conflict(f"alias {name}:{alias_name}", [f"version: {alias.version}"],
                       ["name another alias in [deployment] alias"], where_in(spec.path, "deployment", "alias"))
    publish = changed or newest is None or newest.code_sha256 != code_sha256
    if publish:
        plan.call("lambda", "publish_version", f"version {name}", outputs={"published_version": "Version"},
                  FunctionName=name, CodeSha256=code_sha256, Description=f"{VERSION_MARKER} {spec.description}"[:256])
        plan.change(f"version {name}", "create", [("version", newest.version if newest else None,
                                                   Var("published_version"))])
    target = Var("published_version") if publish else str(newest.version)
    plan.known["alias_version"] = target
    _point(plan, spec, alias, target, publish)
    _prune(plan, spec, ours, aliases, publish)
    return plan


def _point(plan: Plan, spec: FunctionSpec, alias: AliasState | None, target, published: bool) -> None:
    name, alias_name = spec.name, spec.deployment.alias
    resource = f"alias {name}:{alias_name}"
    if alias is None:
        plan.call("lambda", "create_alias", resource, FunctionName=name, Name=alias_name, FunctionVersion=target,
                  Description=VERSION_MARKER)
        plan.change(resource, "create", [("version", None, target)])
    elif published and spec.deployment.traffic.steps()[0] < 100:
        _first_step(plan, spec, alias, target, resource)
    elif published or not alias.marked:
        plan.call("lambda", "update_alias", resource, FunctionName=name, Name=alias_name, FunctionVersion=target,
                  Description=VERSION_MARKER, RoutingConfig={"AdditionalVersionWeights": {}})
        plan.change(resource, "update" if alias.marked else "adopt", [("version", alias.version, target)])
    elif alias.weights:
        _interrupted(plan, alias, resource)
    else:
        plan.change(resource, "no change")


def _interrupted(plan: Plan, alias: AliasState, resource: str) -> None:
    """A rollout that stopped half way (its deploy was killed): the alias still splits its traffic."""
    new, weight = next(iter(alias.weights.items()))
    share = round(weight * 100)
    plan.change(resource, "resume rollout", [("traffic", f"{100 - share}% on version {alias.version}, {share}% on "
                                                         f"version {new}", f"100% on version {new}")])
    plan.known.update(rollout_from=alias.version, rollout_to=new, rollout_share=share)


def _first_step(plan: Plan, spec: FunctionSpec, alias: AliasState, target, resource: str) -> None:
    """A gradual rollout starts: the alias stays on its version and sends the first share to the new one;
    ``deploy.rollout`` takes the next steps (``rollout_from``/``rollout_to`` say between which versions)."""
    traffic = spec.deployment.traffic
    share = traffic.steps()[0]
    plan.call("lambda", "update_alias", resource, FunctionName=spec.name, Name=alias.name,
              FunctionVersion=alias.version, Description=VERSION_MARKER,
              RoutingConfig={"AdditionalVersionWeights": {target: share / 100}})
    plan.change(resource, "update", [("traffic", f"100% on version {alias.version}",
                                      f"{share}% on version {target}"),
                                     ("rollout", None, f"{traffic.strategy} to 100% every "
                                                       f"{traffic.interval_minutes} min, alarms: "
                                                       f"{', '.join(traffic.alarms) or 'none'}")])
    plan.known["rollout_from"] = alias.version
    plan.known["rollout_to"] = target


def _prune(plan: Plan, spec: FunctionSpec, ours: list[VersionState], aliases: dict[str, AliasState],
           published: bool) -> None:
    keep = spec.deployment.keep_versions
    if keep is None:
        return
    moved = spec.deployment.alias if published else None  # this run points it at the new version first
    in_use = {v for alias in aliases.values() if alias.name != moved for v in alias.versions()}
    kept = keep - 1 if published else keep  # the version published now is one of those kept
    for version in ours[:max(len(ours) - kept, 0)]:
        if str(version.version) in in_use:
            continue
        resource = f"version {spec.name}:{version.version}"
        plan.call("lambda", "delete_function", resource, FunctionName=spec.name, Qualifier=str(version.version))
        plan.change(resource, "delete")


def plan_rollback(spec: FunctionSpec, versions: list[VersionState], alias: AliasState | None,
                  to: str | None = None) -> Plan:
    """Point the alias back at ``to``, or at the newest version genesys published before the one it
    points at now; its routing is cleared (a rollout in progress ends on that version)."""
    alias_name = spec.deployment.alias
    where = where_in(spec.path, "deployment", "alias")
    if alias is None:
        raise ConfigError(f"alias {spec.name}:{alias_name} does not exist yet", where=where,
                          hint=f"deploy first: {command('genesys', 'execute', operands=(spec.path.name,))}")
    known = {str(v.version) for v in versions}
    if to is not None and to not in known:
        raise ConfigError(f"version {to} of {spec.name} does not exist", where=where,
                          hint="versions: " + (", ".join(sorted(known, key=int)) or "none"))
    if to is None:
        older = [v for v in versions if v.marked and v.version < int(alias.version)]
        if not older:
            raise ConfigError(f"alias {spec.name}:{alias_name} points at version {alias.version}, and genesys "
                              "published no earlier version to roll back to", where=where,
                              hint="name one with --to VERSION")
        to = str(older[-1].version)
    plan = Plan()
    resource = f"alias {spec.name}:{alias_name}"
    plan.call("lambda", "update_alias", resource, FunctionName=spec.name, Name=alias_name, FunctionVersion=to,
              RoutingConfig={"AdditionalVersionWeights": {}})
    plan.change(resource, "update", [("version", alias.version, to)] + (
        [("routing", alias.weights, {})] if alias.weights else []))
    plan.known["alias_version"] = to
    return plan
