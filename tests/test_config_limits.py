"""Inputs AWS would refuse are refused when the TOML loads, each with exit 2, its file:line, the key
and the fix; the role's templates are scoped or said to be broad; a public URL is said to be public."""

from __future__ import annotations

from pathlib import Path

import pytest

from genesys_tasks import cli, config
from genesys_tasks.config import aws_limits, regions
from genesys_tasks.errors import ConfigError
from load_cases import TODAY, function_project, line_of, refused

HEAD = '[metadata]\nname = "fn"\nruntime = "python3.12"\n'
S3 = '[[triggers]]\ntype = "s3"\nbucket = "{bucket}"\n{extra}\n'


def _tags(count: int) -> str:
    return "[tags]\n" + "".join(f'tag{i} = "v"\n' for i in range(count))


def _s3(bucket="photos", **extra) -> str:
    return S3.format(bucket=bucket, extra="".join(f"{k} = {v}\n" for k, v in extra.items()))


TAG_KEY_129 = "k" * 129
# 150 variables of 4 + 19 characters: 3450 bytes of names and values, 4351 as the JSON Lambda measures
JSON_SIZED_ENV = "[function.environment]\n" + "".join(f'K{i:03} = "{"v" * 19}"\n' for i in range(150))

# (name, TOML after the [metadata] name and runtime, the key the error names, text on its line, words it says)
CASES = [
    ("role name with a space", '[iam]\nrole_name = "my role"\n', "iam.role_name", "role_name",
     "characters IAM does not allow"),
    ("role name over 64", f'[iam]\nrole_name = "{"r" * 65}"\n', "iam.role_name", "role_name", "1 to 64"),
    ("handler climbing out", 'handler = "../outside.handler"\n', "metadata.handler", "handler =", "no .."),
    ("handler with a leading dot", 'handler = ".app.lambda_handler"\n', "metadata.handler", "handler =",
     "no leading dot"),
    ("handler with whitespace", 'handler = "app. lambda_handler"\n', "metadata.handler", "handler =",
     "whitespace"),
    ("one-letter environment key", '[function.environment]\nA = "x"\n', "function.environment.A", "A = ",
     "at least 2 characters"),
    ("environment key with a dash", '[function.environment]\n"MY-KEY" = "x"\n', "function.environment.MY-KEY",
     '"MY-KEY"', "not a valid environment variable name"),
    ("environment over 4 KB as Lambda measures it", JSON_SIZED_ENV, "function.environment",
     "[function.environment]", "total 4351 bytes"),
    ("47 tags and genesys's own", _tags(47), "tags", "[tags]", "more than the 50"),
    ("tag key over 128", f"[tags]\n{TAG_KEY_129} = \"v\"\n", f"tags.{TAG_KEY_129}", TAG_KEY_129, "1 to 128"),
    ("tag value over 256", f'[tags]\nteam = "{"v" * 257}"\n', "tags.team", "team =", "at most 256"),
    ("tag key starting aws:", '[tags]\n"aws:team" = "x"\n', "tags.aws:team", '"aws:team"', "starts with aws:"),
    ("tag key starting AWS:", '[tags]\n"AWS:team" = "x"\n', "tags.AWS:team", '"AWS:team"', "starts with aws:"),
    ("tag key taking genesys's marker", '[tags]\n"genesys:managed" = "false"\n', "tags.genesys:managed",
     '"genesys:managed"', "genesys keeps"),
    ("tag with a character AWS refuses", '[tags]\nteam = "a&b"\n', "tags.team", "team =",
     "characters AWS does not allow"),
    ("* in an S3 prefix", _s3(prefix='"uploads/*"'), "triggers[0].prefix", "prefix =", "matches literally"),
    ("? in an S3 suffix", _s3(suffix='"?.jpg"'), "triggers[0].suffix", "suffix =", "matches literally"),
    ("nested S3 prefixes on one bucket", _s3(prefix='"in/"') + "\n" + _s3(prefix='"in/img/"  # second'),
     "triggers[1].prefix", "# second", "overlap on bucket 'photos'"),
    ("an S3 trigger without a filter and one with", _s3() + "\n" + _s3(suffix='".jpg"  # second'),
     "triggers[1].suffix", "# second", "overlap"),
    ("ObjectCreated:* and ObjectCreated:Put", _s3(events='["s3:ObjectCreated:*"]') + "\n" + _s3(
        events='["s3:ObjectCreated:Put"]  # second'), "triggers[1].events", "# second", "overlap"),
    ("description over 256", f'description = "{"d" * 257}"\n', "metadata.description", "description =",
     "257 characters; at most 256"),
    ("layer description leaving no room for genesys's marker", f'\n[layer]\ndescription = "{"d" * 161}"\n',
     "layer.description", "description =", "at most 160"),
    ("unknown compatible runtime", '\n[layer]\ncompatible_runtimes = ["python3.12", "pyhton3.13"]\n',
     "layer.compatible_runtimes", "compatible_runtimes", "'pyhton3.13' is not a Lambda runtime"),
    ("artifact bucket with capitals", '[deployment]\nartifact_bucket = "My_Bucket"\n',
     "deployment.artifact_bucket", "artifact_bucket", "not a valid bucket name"),
    ("artifact bucket as an IP address", '[deployment]\nartifact_bucket = "192.168.5.4"\n',
     "deployment.artifact_bucket", "artifact_bucket", "IP address"),
    ("trigger bucket with a reserved prefix", _s3(bucket="xn--photos"), "triggers[0].bucket", "bucket =",
     "'xn--' is reserved"),
    ("trigger bucket with a reserved suffix", _s3(bucket="photos-s3alias"), "triggers[0].bucket", "bucket =",
     "'-s3alias' is reserved"),
    ("IAM resource bucket given as an ARN", '[iam]\nrequired_policies = ["s3-read"]\n\n[iam.resources]\n'
     's3_buckets = ["arn:aws:s3:::photos"]\n', "iam.resources.s3_buckets", "s3_buckets", "not a valid bucket"),
    ("unknown region", '[deployment]\nregion = "us-east-7"\n', "deployment.region", "region =",
     "'us-east-7' is not an AWS region"),
    ("a region with a typo", '[deployment]\nregion = "eu-wset-1"\n', "deployment.region", "region =",
     "not an AWS region"),
    ("a data template left unscoped", '[iam]\nrequired_policies = ["s3-read", "dynamodb-read"]\n\n'
     '[iam.resources]\ns3_buckets = ["photos"]\n', "iam.required_policies", "required_policies",
     "dynamodb-read (DynamoDB read access) has no dynamodb_tables"),
    ("an empty [iam.resources]", '[iam]\nrequired_policies = ["sqs-rw"]\n\n[iam.resources]\n',
     "iam.required_policies", "required_policies", "has no sqs_queues"),
    ("* without allow_wildcard", '[iam]\nrequired_policies = ["s3-read"]\n\n[iam.resources]\ns3_buckets = ["*"]\n',
     "iam.resources.s3_buckets", "s3_buckets", "grants every resource with a wildcard"),
]
IDS = [case[0] for case in CASES]


def _project(tmp_path: Path, body: str) -> Path:
    return function_project(tmp_path, HEAD + body)


@pytest.mark.parametrize("name, body, key, needle, says", CASES, ids=IDS)
def test_the_loader_refuses_it_at_the_key(tmp_path, name, body, key, needle, says):
    toml = _project(tmp_path, body)
    refused(toml, says, line_of(toml, needle), key)


@pytest.mark.parametrize("name, body, key, needle, says", CASES[::4], ids=IDS[::4])
def test_lambda_build_exits_2_before_building(tmp_path, capsys, name, body, key, needle, says):
    toml = _project(tmp_path, body)
    assert cli.main(["lambda", "build", str(toml)]) == 2
    err = capsys.readouterr().err
    assert f"{toml}:{line_of(toml, needle)}: [{key}]" in err and "fix:" in err, err
    assert not (tmp_path / ".genesys").exists(), "nothing is built"


@pytest.mark.parametrize("body", [
    '[iam]\nrole_name = "team+ci=lambda,v1.2@prod_x-y"\n',
    "[function.environment]\nAB = \"x\"\nA_1 = \"y\"\n",
    _tags(46),
    f'[tags]\n{"k" * 128} = "{"v" * 256}"\n"team name" = "a b_c.d:e/f=g+h-i@j"\nempty = ""\n"équipe" = "données"\n',
    _s3(prefix='"in/"') + "\n" + _s3(prefix='"out/"'),
    _s3(prefix='"img/"', suffix='".jpg"') + "\n" + _s3(prefix='"img/"', suffix='".png"'),
    _s3(events='["s3:ObjectCreated:*"]') + "\n" + _s3(events='["s3:ObjectRemoved:*"]'),
    _s3() + "\n" + _s3(bucket="other-bucket"),
    f'description = "{"d" * 256}"\n\n[layer]\ndescription = "{"d" * 160}"\n'
    'compatible_runtimes = ["python3.12", "python3.13"]\n',
    '[deployment]\nregion = "eu-central-2"\nartifact_bucket = "my.artifacts-2024"\n',
    '[deployment]\nregion = "cn-north-1"\n',
    '[iam]\nrequired_policies = ["logs", "s3-rw", "sns-publish"]\n\n[iam.resources]\n'
    's3_buckets = ["photos", "logs-*"]\nsns_topics = ["news"]\n',
    '[iam]\nrequired_policies = ["s3-read"]\n\n[iam.resources]\ns3_buckets = ["*"]\nallow_wildcard = true\n',
    '[iam]\nrequired_policies = ["logs"]\n\n[iam.resources]\n',
], ids=["every character IAM allows", "two-character keys", "46 tags", "tags at AWS's limits",
        "disjoint prefixes", "one prefix, disjoint suffixes", "different events", "different buckets",
        "descriptions at the limit", "a region and a bucket with dots", "another partition",
        "every template scoped", "a wildcard on purpose", "logs needs no resources"])
def test_what_aws_accepts_loads(tmp_path, body):
    config.load(_project(tmp_path, body), today=TODAY)


def test_a_wildcard_on_purpose_grants_every_bucket(tmp_path):
    from genesys_tasks.deploy.planner import Facts
    from genesys_tasks.deploy.policies import role_policies

    toml = _project(tmp_path, '[iam]\nrequired_policies = ["s3-read"]\n\n[iam.resources]\ns3_buckets = ["*"]\n'
                              'allow_wildcard = true\n')
    spec = config.load(toml, today=TODAY)
    document = role_policies(spec, Facts("us-east-1", "123456789012", {})).inline["genesys-s3-read"]
    assert document["Statement"][0]["Resource"] == ["arn:aws:s3:::*", "arn:aws:s3:::*/*"]


def test_regions_come_from_botocore_data_without_importing_it():
    import subprocess
    import sys

    code = ("import sys; from genesys_tasks.config import regions; r = regions.known_regions(); "
            "print('us-east-1' in r, 'eu-west-1' in r, 'aws-global' in r, 'botocore' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "False", "False"]
    assert regions.region_problem("us-east-1") is None
    message, hint = regions.region_problem("us-east-7")
    assert "'us-east-7' is not an AWS region" in message and "did you mean 'us-east-" in hint


def test_a_bucket_name_is_checked_against_every_s3_rule():
    for name in ("ab", "a" * 64, "-ab", "ab-", "a..b", "sthree-x", "amzn-s3-demo-x", "x--ol-s3", "x.mrap",
                 "x--x-s3", "10.0.0.1", "UPPER", "under_score"):
        assert aws_limits.bucket_problem(name), name
    for name in ("abc", "a" * 63, "my.bucket-1", "1.2.3.4.5"):
        assert aws_limits.bucket_problem(name) is None, name


# ----------------------------------------------------------------------------- warnings


def _warnings(tmp_path: Path, body: str) -> list[str]:
    heard: list[str] = []
    config.load(_project(tmp_path, body), today=TODAY, warn=heard.append)
    return heard


def test_templates_that_grant_every_resource_are_named_in_one_warning(tmp_path):
    heard = _warnings(tmp_path, '[iam]\nrequired_policies = ["logs", "s3-read", "sqs-rw"]\n')
    assert len(heard) == 1, heard
    assert "s3-read (S3 read access), sqs-rw (SQS read/write access)" in heard[0]
    assert "every resource" in heard[0] and "[iam.resources]" in heard[0] and "logs" not in heard[0].split("grants")[1]


def test_a_public_function_url_is_said_to_be_public(tmp_path):
    heard = _warnings(tmp_path, '[deployment]\nfunction_url = true\nauth_type = "NONE"\n')
    assert len(heard) == 1 and "public" in heard[0] and "AWS_IAM" in heard[0]


@pytest.mark.parametrize("body", [
    "", '[deployment]\nfunction_url = true\n', '[deployment]\nauth_type = "NONE"\n',
    '[iam]\nrequired_policies = ["s3-read"]\n\n[iam.resources]\ns3_buckets = ["photos"]\n',
], ids=["the defaults", "an IAM-authenticated URL", "NONE without a URL", "a scoped role"])
def test_nothing_to_say_means_no_warning(tmp_path, body):
    assert _warnings(tmp_path, body) == []


def test_the_command_shows_each_warning_once(tmp_path, capsys):
    toml = _project(tmp_path, 'handler = "app.lambda_handler"\n\n[deployment]\nfunction_url = true\n'
                              'auth_type = "NONE"\n\n[iam]\nrequired_policies = ["s3-read"]\n')
    assert cli.main(["lambda", "build", str(toml)]) == 0
    err = capsys.readouterr().err
    assert err.count("function URL is public") == 1 and err.count("s3-read (S3 read access)") == 1, err


def test_s3_triggers_of_two_functions_may_not_overlap_either(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        folder.mkdir()
    a = function_project(first, HEAD.replace('"fn"', '"fa"') + _s3(prefix='"in/"'))
    b = function_project(second, HEAD.replace('"fn"', '"fb"') + _s3(prefix='"in/jpg/"  # b'))
    with pytest.raises(ConfigError) as caught:
        config.load_all([a, b], today=TODAY)
    err = caught.value
    assert "triggers [0] of fb and [0] of fa" in err.message and "overlap on bucket 'photos'" in err.message
    assert (err.where.file, err.where.line, err.where.key) == (b, line_of(b, "# b"), "triggers[0].prefix")
    c = function_project(second, HEAD.replace('"fn"', '"fb"') + _s3(prefix='"out/"'))
    assert [s.name for s in config.load_all([a, c], today=TODAY)] == ["fa", "fb"]
