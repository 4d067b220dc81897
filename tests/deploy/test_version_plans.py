"""Versions and the alias against hand-built state: publish only on a code or configuration change,
point the alias, prune what no alias uses, and roll back."""

from __future__ import annotations

import pytest
from deployed import calls, methods

from genesys_tasks.deploy import planner
from genesys_tasks.deploy.model import Plan, Var
from genesys_tasks.deploy.ownership import ConflictError, Ownership
from genesys_tasks.deploy.state import VERSION_MARKER, AliasState, VersionState
from genesys_tasks.errors import ConfigError

ALIAS = 'alias = "live"\n'  # the base TOML's [deployment] table is the last one: these keys join it


def ours(*numbers, sha="sha-1"):
    return [VersionState(n, sha, f"{VERSION_MARKER} ") for n in numbers]


def live(version: str, **weights) -> dict:
    return {"live": AliasState("live", version, dict(weights), VERSION_MARKER)}


def test_a_code_or_configuration_change_publishes_and_moves_the_alias(make_spec):
    plan = planner.plan_versions(make_spec(ALIAS), "sha-2", True, ours(1), live("1"))
    assert calls(plan) == [
        ("lambda", "publish_version", {"FunctionName": "hello", "CodeSha256": "sha-2",
                                       "Description": f"{VERSION_MARKER} "}),
        ("lambda", "update_alias", {"FunctionName": "hello", "Name": "live", "FunctionVersion": Var("published_version"),
                                    "Description": VERSION_MARKER, "RoutingConfig": {"AdditionalVersionWeights": {}}})]
    assert [c.resource for c in plan.changes] == ["version hello", "alias hello:live"]


def test_nothing_changed_publishes_nothing_even_after_a_rollback(make_spec):
    assert planner.plan_versions(make_spec(ALIAS), "sha-1", False, ours(1, 2), live("2")).writes == []
    assert planner.plan_versions(make_spec(ALIAS), "sha-1", False, ours(1, 2), live("1")).writes == []


def test_a_run_that_stopped_before_publishing_publishes_on_the_next(make_spec):
    plan = planner.plan_versions(make_spec(ALIAS), "sha-2", False, ours(1), live("1"))
    assert methods(plan) == ["publish_version", "update_alias"]


def test_a_new_alias_is_created_on_the_published_version(make_spec):
    plan = planner.plan_versions(make_spec(ALIAS), "sha-1", True, [], {})
    assert methods(plan) == ["publish_version", "create_alias"] and plan.known["alias_version"] == Var("published_version")


def test_only_code_and_configuration_calls_change_a_version():
    tags_only, code = Plan(), Plan()
    tags_only.call("lambda", "untag_resource", "function hello")
    code.call("lambda", "update_function_code", "function hello")
    assert not planner.changes_version(tags_only) and planner.changes_version(code)


def test_pruning_deletes_the_oldest_beyond_keep_versions_but_never_an_aliased_or_foreign_one(make_spec):
    foreign = [VersionState(3, "sha-x", "made by hand")]
    versions = sorted(ours(1, 2, 4, 5) + foreign, key=lambda v: v.version)
    aliases = {**live("5"), "canary": AliasState("canary", "1", {"2": 0.1}, "")}
    plan = planner.plan_versions(make_spec(ALIAS + "keep_versions = 1\n"), "sha-9", True, versions, aliases)
    assert [c[2].get("Qualifier") for c in calls(plan) if c[1] == "delete_function"] == ["4", "5"]
    plan = planner.plan_versions(make_spec(ALIAS + "keep_versions = 2\n"), "sha-1", False, ours(1, 2), live("2"))
    assert plan.writes == []


def test_an_alias_genesys_did_not_make_is_a_conflict_unless_adopted(make_spec):
    theirs = {"live": AliasState("live", "1", {}, "")}
    with pytest.raises(ConflictError, match="alias hello:live exists and was not made by genesys"):
        planner.plan_versions(make_spec(ALIAS), "sha-1", False, ours(1), theirs)
    plan = planner.plan_versions(make_spec(ALIAS), "sha-1", False, ours(1), theirs, Ownership(adopt=True))
    assert methods(plan) == ["update_alias"] and plan.changes[-1].action == "adopt"


def test_rollback_goes_to_the_previous_version_genesys_published_or_the_named_one(make_spec):
    spec = make_spec(ALIAS)
    plan = planner.plan_rollback(spec, ours(1, 2, 3), live("3", **{"4": 0.1})["live"])
    assert calls(plan) == [("lambda", "update_alias", {"FunctionName": "hello", "Name": "live", "FunctionVersion": "2",
                                                       "RoutingConfig": {"AdditionalVersionWeights": {}}})]
    assert plan.changes[0].changes == (("version", "3", "2"), ("routing", {"4": 0.1}, {}))
    assert calls(planner.plan_rollback(spec, ours(1, 2, 3), live("1")["live"], "3"))[0][2]["FunctionVersion"] == "3"
    with pytest.raises(ConfigError, match="no earlier version"):
        planner.plan_rollback(spec, ours(1, 2), live("1")["live"])
    with pytest.raises(ConfigError, match="version 7 of hello does not exist"):
        planner.plan_rollback(spec, ours(1, 2), live("2")["live"], "7")


def test_with_an_alias_the_url_and_its_permissions_are_the_alias_and_the_old_url_goes(make_spec, artifact, facts):
    from deployed import PUBLIC, deployed_function

    function = deployed_function()  # deployed before the alias: a URL and its statements on the function
    plan = planner.plan_function(make_spec(ALIAS), artifact("code-sha-1"), facts, function, None,
                                 function.config["Role"], None, versions=(ours(1, sha="code-sha-1"), live("1")))
    url_calls = [c for c in calls(plan) if "url" in c[1] or "permission" in c[1]]
    assert url_calls == [
        ("lambda", "delete_function_url_config", {"FunctionName": "hello"}),
        ("lambda", "create_function_url_config", {"FunctionName": "hello", "AuthType": "NONE", "Cors": {},
                                                  "Qualifier": "live"}),
        ("lambda", "add_permission", {"FunctionName": "hello", "StatementId": "genesys-url-public", "Qualifier": "live",
                                      **{k: v for k, v in PUBLIC["genesys-url-public"].items() if k != "Sid"},
                                      "Principal": "*", "FunctionUrlAuthType": "NONE"}),
        ("lambda", "add_permission", {"FunctionName": "hello", "StatementId": "genesys-url-invoke", "Qualifier": "live",
                                      "Action": "lambda:InvokeFunction", "Principal": "*", "InvokedViaFunctionUrl": True}),
        ("lambda", "remove_permission", {"FunctionName": "hello", "StatementId": "genesys-url-invoke"}),
        ("lambda", "remove_permission", {"FunctionName": "hello", "StatementId": "genesys-url-public"})]
    moved = type(function)(function.config, function.tags, None, {}, alias_url=function.url, alias_statements=PUBLIC)
    again = planner.plan_function(make_spec(ALIAS), artifact("code-sha-1"), facts, moved, None,
                                  function.config["Role"], None, versions=(ours(1, sha="code-sha-1"), live("1")))
    assert again.writes == []


def test_an_http_api_integrates_the_alias(make_spec, artifact, facts):
    from deployed import FUNCTION_ARN, deployed_function

    spec = make_spec(ALIAS + '\n[[triggers]]\ntype = "api_gateway"\npath = "/items"\n')
    function = deployed_function()
    plan = planner.plan_function(spec, artifact("code-sha-1"), facts, function, None, function.config["Role"], None,
                                 versions=(ours(1, sha="code-sha-1"), live("1")))
    integration = next(c for c in calls(plan) if c[1] == "create_integration")
    assert integration[2]["IntegrationUri"] == f"{FUNCTION_ARN}:live"
    api_permission = next(c for c in calls(plan) if c[1] == "add_permission" and c[2]["StatementId"] == "genesys-apigw")
    assert api_permission[2]["Qualifier"] == "live"


def test_a_gradual_rollout_starts_with_the_first_share_on_the_new_version(make_spec):
    from genesys_tasks.deploy.executor import resolve

    spec = make_spec(ALIAS + '\n[deployment.traffic]\nstrategy = "linear"\npercent = 30\n')
    assert spec.deployment.traffic.steps() == [30, 60, 90, 100]
    plan = planner.plan_versions(spec, "sha-2", True, ours(1), live("1"))
    update = calls(plan)[1]
    assert update[2]["FunctionVersion"] == "1"
    assert update[2]["RoutingConfig"] == {"AdditionalVersionWeights": {Var("published_version"): 0.3}}
    assert resolve(update[2]["RoutingConfig"], {"published_version": "2"}) == {"AdditionalVersionWeights": {"2": 0.3}}
    assert (plan.known["rollout_from"], plan.known["rollout_to"]) == ("1", Var("published_version"))


def test_a_canary_without_an_alias_is_exit_2(make_spec):
    with pytest.raises(ConfigError, match="shifts an alias's traffic"):
        make_spec('\n[deployment.traffic]\nstrategy = "canary"\n')
