"""At deploy, ``${env:NAME}`` is filled in: the variables must still fit Lambda's 4 KB, and no error
shows an environment value, whether genesys or AWS (which quotes the environment) wrote it."""

from __future__ import annotations

from pathlib import Path

import pytest

from genesys_tasks import config
from genesys_tasks.errors import AwsError, ConfigError
from load_cases import TODAY, function_project, line_of

HEAD = '[metadata]\nname = "fn"\nruntime = "python3.12"\n'


def _environment_spec(tmp_path: Path, body: str):
    return config.load(function_project(tmp_path, HEAD + "[function.environment]\n" + body), today=TODAY)


def test_env_references_count_toward_4_kb_once_resolved(tmp_path, monkeypatch):
    from genesys_tasks.deploy.deployer import resolve_environment

    spec = _environment_spec(tmp_path, 'SMALL = "x"\nBIG = "${env:GENESYS_TEST_BIG}"\n')
    monkeypatch.setenv("GENESYS_TEST_BIG", "secret-" + "s" * 4100)
    with pytest.raises(ConfigError) as caught:
        resolve_environment(spec)
    err = caught.value
    assert err.exit_code == 2 and "once ${...} references are filled in (BIG)" in err.message and "Lambda allows 4096" in \
        err.message
    assert (err.where.line, err.where.key) == (line_of(spec.path, "[function.environment]"), "function.environment")
    assert "secret-" not in err.render()
    monkeypatch.setenv("GENESYS_TEST_BIG", "fits")
    assert resolve_environment(spec) == {"SMALL": "x", "BIG": "fits"}


def test_deploy_errors_never_show_environment_values(tmp_path, monkeypatch):
    from genesys_tasks.deploy import deployer

    spec = _environment_spec(tmp_path, 'TOKEN = "${env:GENESYS_TEST_TOKEN}"\nMODE = "plain-value"\nNN = "1"\n')
    monkeypatch.setenv("GENESYS_TEST_TOKEN", "tok-12345")

    def failing_plan(*args, **kwargs):
        raise AwsError("lambda:UpdateFunctionConfiguration on fn failed: tok-12345 and plain-value are wrong",
                       hint="tok-12345 again")

    monkeypatch.setattr(deployer, "plan_deploy", failing_plan)
    with pytest.raises(AwsError) as caught:
        deployer.deploy(spec, tmp_path, clients=None, executor=None)
    shown = caught.value.render() + str(caught.value.args)
    assert "tok-12345" not in shown and "plain-value" not in shown and shown.count("****") >= 3, shown
    assert "lambda:UpdateFunctionConfiguration on fn failed" in shown


def test_aws_messages_that_echo_the_environment_are_masked():
    import botocore.exceptions as bx

    from genesys_tasks.aws.errors import translate

    echoes = [
        "Lambda was unable to configure your environment variables because the environment variables you have "
        'provided exceeded the 4KB limit. String measured: {"API_KEY":"sk-live-1","N":"1","Q":"a\\"b"}',
        "1 validation error detected: Value '{1A=sk-live-1, N=1}' at 'environment.variables' failed to satisfy "
        "constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern]",
    ]
    for message in echoes:
        err = bx.ClientError({"Error": {"Code": "InvalidParameterValueException", "Message": message}},
                             "UpdateFunctionConfiguration")
        translated = translate(err, "lambda:UpdateFunctionConfiguration", "fn")
        assert "sk-live-1" not in translated.message and "****" in translated.message, translated.message
        assert "InvalidParameterValueException" in translated.message


def test_an_unset_reference_is_named_not_masked(tmp_path, monkeypatch):
    from genesys_tasks.deploy import deployer

    monkeypatch.delenv("GENESYS_TEST_UNSET", raising=False)
    spec = _environment_spec(tmp_path, 'TOKEN = "${env:GENESYS_TEST_UNSET}"\n')
    monkeypatch.setattr(deployer, "plan_deploy", lambda *a, **k: deployer.resolve_environment(spec))
    with pytest.raises(ConfigError) as caught:
        deployer.deploy(spec, tmp_path, clients=None, executor=None)
    assert "${env:GENESYS_TEST_UNSET}" in caught.value.message
