"""``genesys sync``'s decision and its code-only plan, with in-memory state: a code edit is one
UpdateFunctionCode (plus the alias's version), anything else goes through the full deploy."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from genesys_tasks.build.record import LayerZip, ZipRecord
from genesys_tasks.deploy.state import VERSION_MARKER, AliasState, VersionState
from genesys_tasks.deploy.sync import CODE, FULL, NONE, configuration, decide, plan_code


def _record(code: bytes = b"code", layer: bytes | None = None) -> ZipRecord:
    zipped = LayerZip(Path("layer.zip"), hashlib.sha256(layer).hexdigest(), len(layer)) if layer else None
    return ZipRecord(Path("function.zip"), hashlib.sha256(code).hexdigest(), "x86_64", len(code), zipped)


def _deployed(code: bytes) -> dict:
    return {"CodeSha256": base64.b64encode(hashlib.sha256(code).digest()).decode()}


def _synced(spec, layer: bytes | None = None) -> dict:
    return {"configuration": configuration(spec), "layer": hashlib.sha256(layer).hexdigest() if layer else None}


def test_only_the_code_changed_is_a_code_sync(make_spec):
    spec = make_spec()
    assert decide(spec, _record(b"new"), _synced(spec), _deployed(b"old")).kind == CODE


def test_the_same_code_as_deployed_is_nothing_to_do(make_spec):
    spec = make_spec()
    assert decide(spec, _record(b"same"), _synced(spec), _deployed(b"same")).kind == NONE


def test_not_deployed_never_synced_a_configuration_or_dependency_change_is_the_full_deploy(make_spec):
    spec = make_spec()
    assert decide(spec, _record(), None, None) == decide(spec, _record(), _synced(spec), None)
    assert decide(spec, _record(), None, _deployed(b"x")).reason == "first sync from this checkout"
    bigger = make_spec("[function]\nmemory_mb = 1024\n")
    assert decide(bigger, _record(b"new"), _synced(spec), _deployed(b"old")) .kind == FULL
    changed_layer = decide(spec, _record(b"new", b"deps 2"), _synced(spec, b"deps 1"), _deployed(b"old"))
    assert (changed_layer.kind, changed_layer.reason) == (FULL, "the dependencies changed: the layer is published first")


def test_a_recorded_role_or_a_build_setting_is_not_a_configuration_change(make_spec):
    plain = make_spec()
    recorded = make_spec('[iam]\nrole_arn = "arn:aws:iam::123456789012:role/genesys-lambda-hello"\n')
    assert configuration(plain) == configuration(recorded)
    assert configuration(plain) != configuration(make_spec("[function]\ntimeout_seconds = 9\n"))


def test_the_code_plan_is_update_function_code_and_wait_nothing_else(make_spec, artifact):
    plan = plan_code(make_spec(), artifact("sha-new"), {"CodeSha256": "sha-old"})
    assert [(c.service, c.method) for c in plan.calls] == [("lambda", "update_function_code"),
                                                           ("lambda", "wait_function_updated_v2")]
    assert plan.calls[0].params["FunctionName"] == "hello" and "ZipFile" in plan.calls[0].params
    assert [(c.resource, c.action) for c in plan.changes] == [("function hello", "update")]


def test_with_an_alias_the_code_plan_publishes_a_version_and_moves_the_alias(make_spec, artifact):
    spec = make_spec('alias = "live"\n')
    versions = [VersionState(3, "sha-old", f"{VERSION_MARKER} x")]
    aliases = {"live": AliasState("live", "3", {}, VERSION_MARKER)}
    plan = plan_code(spec, artifact("sha-new"), {"CodeSha256": "sha-old"}, versions, aliases)
    methods = [c.method for c in plan.calls]
    assert methods[:2] == ["update_function_code", "wait_function_updated_v2"]
    assert "publish_version" in methods and "update_alias" in methods
    assert not any(m.startswith(("create_role", "put_role", "publish_layer", "create_event", "add_permission"))
                   for m in methods)
