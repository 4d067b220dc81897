"""A local run does not reach the host's AWS credentials: HOME is in the scratch folder, the AWS
shared files are empty, instance metadata is off and container credentials are gone, unless
``--pass-credentials`` hands the function the deploying keys. Real runtime processes."""

from __future__ import annotations

import json
from pathlib import Path

from local_functions import python_function

from genesys_tasks import paths
from genesys_tasks.local.function import Options, open_function
from genesys_tasks.tasks.runner import load_spec, run_tasks

PROBE = '''\
import os


def probe(event, context):
    home = os.path.expanduser("~")
    shared = os.environ.get("AWS_SHARED_CREDENTIALS_FILE")
    try:
        import botocore.session
        found = botocore.session.Session().get_credentials() is not None
    except ImportError:
        found = None
    return {"home": home, "user_aws": os.path.exists(os.path.join(home, ".aws", "credentials")),
            "shared": shared, "shared_text": open(shared).read() if shared else None,
            "config": os.environ.get("AWS_CONFIG_FILE"), "metadata": os.environ.get("AWS_EC2_METADATA_DISABLED"),
            "container": sorted(k for k in os.environ if k.startswith(("AWS_CONTAINER", "AWS_WEB_IDENTITY"))),
            "botocore_found_credentials": found}
'''


def _fake_user(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "user"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text("[default]\naws_access_key_id = AKIAHOSTUSER0000\n"
                                               "aws_secret_access_key = host-secret\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials")
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "host-token")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return home


def _run(tmp_path, options: Options) -> tuple[dict, dict]:
    toml = python_function(tmp_path / "fn", "app.probe", files={"app.py": PROBE})
    root, spec = load_spec(toml)
    assert run_tasks(toml, ["build:{name}"], spec=spec) == 0
    process, _ = open_function(spec, root, options)
    try:
        result = process.invoke(b"{}")
    finally:
        process.close()
    assert not result.failed, result.payload
    return json.loads(result.payload), process.env


def test_a_local_run_sees_an_empty_home_and_no_host_credentials(tmp_path, monkeypatch):
    _fake_user(tmp_path, monkeypatch)
    env_file = tmp_path / "local.env"
    env_file.write_text("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/x\nKEPT=1\n")
    seen, env = _run(tmp_path, Options(client="plain", env_file=env_file))
    scratch = paths.cache_dir() / "local"
    assert Path(seen["home"]).is_relative_to(scratch) and not seen["user_aws"]
    assert Path(seen["shared"]).is_relative_to(scratch) and seen["shared_text"] == ""
    assert Path(seen["config"]).is_relative_to(scratch) and Path(seen["config"]).read_text() == ""
    assert seen["metadata"] == "true" and seen["container"] == []
    assert seen["botocore_found_credentials"] is not True
    assert env["KEPT"] == "1"


def test_pass_credentials_hands_over_the_keys_instead_of_the_isolation(tmp_path, monkeypatch):
    _fake_user(tmp_path, monkeypatch)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-example")
    seen, env = _run(tmp_path, Options(client="plain", pass_credentials=True))
    assert env["AWS_ACCESS_KEY_ID"] == "AKIAEXAMPLE" and "AWS_SHARED_CREDENTIALS_FILE" not in env
    assert seen["botocore_found_credentials"] in (True, None)
