"""Checks that need only the TOML run when it loads: each one fails the load, and `genesys lambda build`,
with exit 2 and the file:line of the key it is about, before anything is built or any AWS call is made."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from genesys_tasks import cli, config
from genesys_tasks.config import checks
from genesys_tasks.errors import ConfigError

TODAY = dt.date(2026, 11, 26)
HEAD = '''[metadata]
name = "fn"
runtime = "python3.12"
handler = "app.lambda_handler"
'''
ARN = "arn:aws:lambda:us-east-1:123456789012:layer:{name}:1"
SIX_LAYERS = "[function]\nlayers = [\n" + "".join(f'  "{ARN.format(name=f"extra{i}")}",\n' for i in range(5)) + "]\n"
SQS = '[[triggers]]\ntype = "sqs"\nqueue = "{queue}"\n'

# (name, TOML after the [metadata] table, the key the error names, text on the line it points at, words it says)
CASES = [
    ("layer count", SIX_LAYERS, "function.layers", "layers = [", "6 layers"),
    ("layer count without a dependency layer", "[build]\nlayer_auto = false\n\n" + SIX_LAYERS.replace(
        "layers = [\n", f'layers = [\n  "{ARN.format(name="extra5")}",\n'), "function.layers", "layers = [", "6 layers"),
    ("placeholder layer ARN", '[function]\nlayers = ["arn:aws:lambda:region:account:layer:shared-deps:1"]\n',
     "function.layers", "layers =", "not a Lambda layer version ARN"),
    ("layer ARN without a version", '[function]\nlayers = ["arn:aws:lambda:us-east-1:123456789012:layer:shared"]\n',
     "function.layers", "layers =", "without its version"),
    ("unknown policy template", '[iam]\nrequired_policies = ["logs", "S3 reed access"]\n', "iam.required_policies",
     "required_policies", "unknown policy template 'S3 reed access'"),
    ("two triggers on one queue", SQS.format(queue="jobs") + "\n" + SQS.format(
        queue="arn:aws:sqs:us-east-1:123456789012:jobs"), "triggers[1].queue", "arn:aws:sqs", "both use the sqs source"),
    ("two triggers on one topic", '[[triggers]]\ntype = "sns"\ntopic = "news"\n\n[[triggers]]\ntype = "sns"\n'
     'topic = "news"  # again\n', "triggers[1].topic", "# again", "both use the sns source"),
    ("a queue in another region", '[deployment]\nregion = "eu-west-1"\n\n'
     + SQS.format(queue="arn:aws:sqs:us-east-1:123456789012:jobs"), "triggers[0].queue", "arn:aws:sqs",
     "Lambda polls only sources in its own region"),
]
IDS = [case[0] for case in CASES]


def _project(tmp_path: Path, body: str) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (tmp_path / "requirements.txt").write_text("six\n")
    toml = tmp_path / "lambda_fn.toml"
    toml.write_text(HEAD + "\n" + body)
    return toml


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line)


@pytest.mark.parametrize("name, body, key, needle, says", CASES, ids=IDS)
def test_the_loader_rejects_it_at_the_key(tmp_path, name, body, key, needle, says):
    toml = _project(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        config.load(toml, today=TODAY)
    err = caught.value
    assert says in err.message and err.hint, err.render()
    assert (err.where.file, err.where.line, err.where.key) == (toml, _line_of(toml, needle), key), err.render()


@pytest.mark.parametrize("name, body, key, needle, says", CASES, ids=IDS)
def test_lambda_build_exits_2_with_file_and_line(tmp_path, capsys, name, body, key, needle, says):
    toml = _project(tmp_path, body)
    assert cli.main(["lambda", "build", str(toml)]) == 2
    err = capsys.readouterr().err
    assert f"{toml}:{_line_of(toml, needle)}: [{key}]" in err and says in err and "fix:" in err, err
    assert not (tmp_path / ".genesys").exists(), "nothing is built"


def test_the_placeholder_layer_arn_fails_the_real_command_too(tmp_path, run_genesys):
    toml = _project(tmp_path, '[function]\nlayers = ["arn:aws:lambda:region:account:layer:shared-deps:1"]\n')
    result = run_genesys("lambda", "build", toml)
    assert result.code == 2 and f"{toml}:{_line_of(toml, 'layers =')}" in result.stderr, result.output
    assert "arn:aws:lambda:<region>:<12-digit account>:layer:<name>:<version>" in result.stderr
    assert "Traceback" not in result.output


def test_the_unknown_policy_template_hint_suggests_the_closest(tmp_path):
    toml = _project(tmp_path, '[iam]\nrequired_policies = ["S3 reed access"]\n')
    with pytest.raises(ConfigError) as caught:
        config.load(toml, today=TODAY)
    assert "did you mean 'S3 read access'" in caught.value.hint


@pytest.mark.parametrize("body", [
    "[function]\nlayers = [\n" + "".join(f'  "{ARN.format(name=f"extra{i}")}",\n' for i in range(4)) + "]\n",
    '[function]\nlayers = ["arn:aws-us-gov:lambda:us-gov-west-1:123456789012:layer:x:12", '
    '"arn:aws-cn:lambda:cn-north-1:123456789012:layer:y:3"]\n',
    '[iam]\nrequired_policies = ["s3-read", "SQS READ/WRITE ACCESS", "Basic CloudWatch Logs access"]\n',
    SQS.format(queue="jobs") + "\n" + SQS.format(queue="other") + '\n[[triggers]]\ntype = "sns"\ntopic = "jobs"\n',
    '[deployment]\nregion = "us-east-1"\n\n' + SQS.format(queue="arn:aws:sqs:us-east-1:123456789012:jobs"),
    SQS.format(queue="arn:aws:sqs:eu-west-1:123456789012:jobs"),  # no region in the TOML: checked at deploy
], ids=["4 extra layers and the dependency layer", "other partitions", "templates by id and any case",
        "different sources", "a queue in the function's region", "region left to the credential chain"])
def test_what_aws_accepts_loads(tmp_path, body):
    config.load(_project(tmp_path, body), today=TODAY)


def test_checks_are_pure_functions_of_the_spec(tmp_path):
    spec = config.load(_project(tmp_path, ""), today=TODAY)
    assert list(checks.problems(spec)) == []
    assert [check.__name__ for check in checks.CHECKS] == [
        "names", "descriptions", "layer_arns", "layer_count", "policy_templates", "unscoped_templates", "tags", "trigger_sources",
        "trigger_regions", "s3_overlaps", "function_settings", "image", "patterns"]
