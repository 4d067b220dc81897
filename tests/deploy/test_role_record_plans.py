"""The role's record of the managed policies genesys attached (``genesys:policies``): genesys
detaches only what it recorded, keeps (and shows as kept) what someone else attached, takes on a
role with no record the attached ones its TOML wants, and ``delete`` agrees with the record."""

from __future__ import annotations

from deployed import LOGS_POLICY, MARKER, ROLE_TAGS, calls, deployed_function, deployed_role

from genesys_tasks.config.aws_limits import TAG_VALUE_MAX, tag_problem
from genesys_tasks.deploy import planner, policies
from genesys_tasks.deploy.ownership import Ownership

S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
DYNAMODB_READ = "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"
RECORD = policies.RECORD_KEY


def _change(plan, resource="role genesys-lambda-hello"):
    return next(c for c in plan.changes if c.resource == resource)


def _kept(plan) -> list[str]:
    return [new for field, _, new in _change(plan).changes if field == "kept"]


def _tag_calls(plan) -> list[dict]:
    return [c[2]["Tags"] for c in calls(plan) if c[1] == "tag_role"]


def test_the_record_of_every_managed_policy_genesys_may_attach_fits_one_tag_value():
    value = policies.record_value(policies.MANAGED_ARNS)
    assert len(value) <= TAG_VALUE_MAX and tag_problem("record", value) is None  # IAM's characters
    assert policies.recorded({RECORD: value}) == policies.MANAGED_ARNS
    assert policies.record_value([LOGS_POLICY, S3_READ, LOGS_POLICY]) == "logs+s3-read"
    assert policies.recorded({RECORD: ""}) == frozenset()  # recorded: genesys attached none
    assert policies.recorded(MARKER) is None  # no record: a role an older genesys made


def test_a_name_the_record_does_not_know_stands_for_no_policy_genesys_may_detach():
    assert policies.recorded({RECORD: "logs+from-a-newer-genesys+arn:aws:iam::aws:policy/X"}) == {LOGS_POLICY}


def test_a_template_policy_someone_else_attached_is_kept_and_shown_as_kept(make_spec, facts):
    role = deployed_role(managed=(LOGS_POLICY, S3_READ))  # recorded: logs only
    plan = planner.plan_role(make_spec(), role, facts)
    assert calls(plan) == []
    assert _change(plan).action == "no change"
    assert _kept(plan) == [f"{S3_READ}: attached by someone else (genesys detaches only the managed "
                           "policies it attached)"]
    assert not [f for f, _, _ in _change(plan).changes if f == "policies"]  # not shown as genesys's change
    assert planner.removable(role, planner.wanted_policies(make_spec(), facts)) == []


def test_a_template_policy_genesys_recorded_and_the_toml_drops_is_detached_and_the_record_follows(make_spec,
                                                                                                  facts):
    role = deployed_role(tags={**MARKER, RECORD: "logs+s3-read"}, managed=(LOGS_POLICY, S3_READ))
    plan = planner.plan_role(make_spec(), role, facts)
    assert calls(plan) == [
        ("iam", "tag_role", {"RoleName": "genesys-lambda-hello", "Tags": [{"Key": RECORD, "Value": "logs"}]}),
        ("iam", "detach_role_policy", {"RoleName": "genesys-lambda-hello", "PolicyArn": S3_READ}),
    ]
    assert ("policies", sorted([LOGS_POLICY, S3_READ]), [LOGS_POLICY]) in _change(plan).changes
    assert _kept(plan) == []


def test_a_policy_genesys_attaches_is_added_to_the_record_before_it_is_attached(make_spec, facts):
    spec = make_spec('\n[iam]\nrequired_policies = ["logs", "s3-read"]\n')
    plan = planner.plan_role(spec, deployed_role(), facts)
    assert calls(plan) == [
        ("iam", "tag_role", {"RoleName": "genesys-lambda-hello",
                             "Tags": [{"Key": RECORD, "Value": "logs+s3-read"}]}),
        ("iam", "attach_role_policy", {"RoleName": "genesys-lambda-hello", "PolicyArn": S3_READ}),
    ]


def test_a_wanted_policy_someone_else_attached_first_stays_theirs_and_is_kept_when_the_toml_drops_it(
        make_spec, facts):
    wants_s3 = make_spec('\n[iam]\nrequired_policies = ["logs", "s3-read"]\n')
    role = deployed_role(managed=(LOGS_POLICY, S3_READ))  # recorded: logs only; s3 attached by hand
    assert calls(planner.plan_role(wants_s3, role, facts)) == []  # nothing to attach, the record unchanged
    dropped = planner.plan_role(make_spec(), role, facts)
    assert calls(dropped) == [] and _kept(dropped)


def test_a_role_with_no_record_takes_the_attached_policies_its_toml_wants_and_keeps_the_others(make_spec, facts):
    older = deployed_role(tags=MARKER, managed=(LOGS_POLICY, S3_READ))  # made by a genesys that kept no record
    plan = planner.plan_role(make_spec(), older, facts)
    assert calls(plan) == [
        ("iam", "tag_role", {"RoleName": "genesys-lambda-hello", "Tags": [{"Key": RECORD, "Value": "logs"}]})]
    assert (f"Tags.{RECORD}", None, "logs") in _change(plan).changes
    assert _change(plan).action == "update"
    assert _kept(plan) and S3_READ in _kept(plan)[0]


def test_a_recorded_policy_stays_recorded_while_a_function_the_repo_does_not_know_uses_the_role(make_spec,
                                                                                                 facts):
    role = deployed_role(tags={**MARKER, RECORD: "logs+s3-read"}, managed=(LOGS_POLICY, S3_READ))
    plan = planner.plan_role(make_spec(), role, facts, users=["stranger"])
    assert calls(plan) == []  # neither detached nor dropped from the record: it may come off later
    assert any("also used by stranger" in k for k in _kept(plan))


def test_a_role_shared_by_the_repo_records_the_union_of_what_its_functions_attach(make_spec, facts):
    other = make_spec('\n[iam]\nrequired_policies = ["logs", "dynamodb-read"]\n')
    role = deployed_role(managed=(LOGS_POLICY,))
    plan = planner.plan_role(make_spec(), role, facts, Ownership(sharers=(other,)))
    assert _tag_calls(plan) == [[{"Key": RECORD, "Value": "dynamodb-read+logs"}]]


def test_a_new_role_records_its_settings_policies_by_short_name(make_spec, facts):
    spec = make_spec('[function]\ntracing = "Active"\n'
                     'vpc = { subnet_ids = ["subnet-0aaa1111"], security_group_ids = ["sg-0ccc3333"] }\n')
    created = calls(planner.plan_role(spec, None, facts))[0][2]["Tags"]
    assert {"Key": RECORD, "Value": "logs+vpc+xray"} in created


# --- delete ----------------------------------------------------------------------------------------

def test_delete_keeps_a_role_carrying_a_template_policy_the_record_does_not_name(make_spec, facts):
    role = deployed_role(managed=(LOGS_POLICY, S3_READ))  # recorded: logs
    plan = planner.plan_delete(make_spec(), role, [], deployed_function(), None)
    assert ("iam", "delete_role", {"RoleName": "genesys-lambda-hello"}) not in calls(plan)
    assert _kept(plan) == [f"it carries policies genesys did not add ({S3_READ}): remove them, then delete again"]


def test_delete_removes_a_role_carrying_only_what_it_recorded(make_spec, facts):
    role = deployed_role(tags={**MARKER, RECORD: "logs+s3-read"}, managed=(LOGS_POLICY, S3_READ))
    plan = planner.plan_delete(make_spec(), role, [], deployed_function(), None)
    assert ("iam", "detach_role_policy", {"RoleName": "genesys-lambda-hello", "PolicyArn": S3_READ}) in calls(plan)
    assert calls(plan)[-1] == ("iam", "delete_role", {"RoleName": "genesys-lambda-hello"})


def test_delete_of_a_role_with_no_record_counts_as_genesys_s_only_what_the_toml_attaches(make_spec, facts):
    wanted_only = deployed_role(tags=MARKER, managed=(LOGS_POLICY,))
    assert calls(planner.plan_delete(make_spec(), wanted_only, [], None, None))[-1][1] == "delete_role"
    with_other = deployed_role(tags=MARKER, managed=(LOGS_POLICY, DYNAMODB_READ))
    plan = planner.plan_delete(make_spec(), with_other, [], None, None)
    assert "delete_role" not in [c[1] for c in calls(plan)]
    assert DYNAMODB_READ in _kept(plan)[0] and LOGS_POLICY not in _kept(plan)[0]


def test_the_unit_tests_role_is_recorded_as_genesys_deploys_it():
    assert ROLE_TAGS[RECORD] == policies.record_value([LOGS_POLICY])


def test_a_role_with_no_room_for_the_record_stops_the_plan_naming_it(make_spec, facts):
    import pytest

    from genesys_tasks.errors import EXIT_FAILED, GenesysError

    shared = Ownership(sharers=(make_spec(),))  # a role the repo's functions share: its tags are left as they are
    full = deployed_role(tags={**MARKER, **{f"team{n}": "x" for n in range(49)}})  # 50 tags, no record
    with pytest.raises(GenesysError) as raised:
        planner.plan_role(make_spec(), full, facts, shared)
    assert raised.value.exit_code == EXIT_FAILED
    assert "role genesys-lambda-hello would carry 51 tags" in raised.value.message and RECORD in raised.value.message
    with_record = deployed_role(tags={**ROLE_TAGS, **{f"t{n}": "x" for n in range(48)}})  # 50 with the record
    assert planner.plan_role(make_spec(), with_record, facts, shared).calls == []
