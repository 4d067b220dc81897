"""The embedded AWS emulator for deploy tests: one moto server per session, reset per test.

boto3 reaches it over real HTTP. Clients are made after the server is up, and the
environment (endpoint, fake credentials, region) is set through monkeypatch.
"""

from __future__ import annotations

import os
import textwrap
import urllib.request
from pathlib import Path

import pytest

from genesys_tasks import paths
from genesys_tasks.build.zipper import write_zip
from genesys_tasks.commands.init_repo import DODO


@pytest.fixture(scope="session")
def moto_endpoint():
    """genesys's sandbox (moto's server with Lambda's data plane in front: Invoke and function URLs run code)."""
    from genesys_tasks.sandbox import start_server

    server = start_server()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(moto_endpoint, monkeypatch):
    """A clean emulator and an environment pointing boto3 (and subprocesses) at it."""
    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request).close()
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return moto_endpoint


@pytest.fixture
def boto(aws):
    """Plain boto3 clients on the emulator, for looking at what a deploy did."""
    import boto3

    def client(service):
        return boto3.client(service, endpoint_url=aws, region_name="us-east-1")

    return client


BASE_TOML = """\
# a function for deploy tests
[metadata]
name = "{name}"
runtime = "python3.12"
handler = "app.handler"

[function]
memory_mb = 256

[deployment]
function_url = true
auth_type = "NONE"  # public
{extra}
"""


class Project:
    """A repo with one function whose zips exist as the build tasks would leave them."""

    def __init__(self, root: Path, name: str):
        self.root = root
        self.name = name
        self.stage = None  # the stage spec() loads (what --stage hands the loader)
        self.toml = root / f"lambda_{name}.toml"
        self.source = root
        (root / ".genesys").mkdir(exist_ok=True)

    def write(self, extra: str = "", *, requirements: str | None = "six==1.16.0\n") -> "Project":
        self.toml.write_text(BASE_TOML.format(name=self.name, extra=textwrap.dedent(extra)))
        if requirements is not None:
            (self.root / "requirements.txt").write_text(requirements)
        self.code("def handler(event, context):\n    return {'statusCode': 200}\n")
        if requirements is not None:
            self.layer(requirements)
        return self

    def edit(self, old: str, new: str) -> None:
        """Replace ``old`` (which must be there) by ``new`` in the TOML."""
        text = self.toml.read_text()
        assert old in text, old
        self.toml.write_text(text.replace(old, new))

    def code(self, text: str, arch: str = "x86_64") -> None:
        (self.root / "app.py").write_text(text)
        write_zip([("app.py", self.root / "app.py")], paths.function_zip(self.root, self.name, arch))

    def layer(self, content: str, arch: str = "x86_64") -> None:
        stage = self.root / ".genesys" / "layer-src"
        stage.mkdir(parents=True, exist_ok=True)
        (stage / "deps.py").write_text(f"# {content}\n")
        write_zip([("python/deps.py", stage / "deps.py")], paths.layer_zip(self.root, self.name, arch))

    def spec(self):
        """The loaded spec, with the artifact records the build writes for the zips as they are now."""
        from genesys_tasks.build.record import record_build
        from genesys_tasks.config import load

        spec = load(self.toml, stage=self.stage)
        built = [a for a in spec.build.architectures if paths.function_zip(self.root, self.name, a).is_file()]
        record_build(self.root, self.name, built, spec.has_layer)
        return spec


@pytest.fixture
def project(tmp_path):
    def make(name: str = "hello", extra: str = "", *, folder: str | None = None, **kwargs) -> Project:
        folder = tmp_path / (folder or name)  # its own folder name: two repos naming one function
        folder.mkdir(exist_ok=True)
        return Project(folder, name).write(extra, **kwargs)

    return make


READ_OPERATIONS = ("Get", "List", "Describe", "Head")


@pytest.fixture
def read_only_clients(aws):
    """Clients whose every write call fails the test: what a dry run must be happy with."""
    import boto3

    from genesys_tasks.aws.session import Clients
    from genesys_tasks.aws.target import target_for

    def refuse_writes(model, **_):
        if not model.name.startswith(READ_OPERATIONS):
            raise AssertionError(f"a dry run made the write call {model.name}")

    def make() -> Clients:
        overrides = {}
        for service in ("lambda", "iam", "apigatewayv2", "s3", "sts"):
            client = boto3.client(service, endpoint_url=aws, region_name="us-east-1")
            client.meta.events.register("before-call.*.*", refuse_writes)
            overrides[service] = client
        return Clients(target_for(), overrides=overrides)

    return make


@pytest.fixture
def clients(aws):
    """A fresh genesys Clients on the emulator; its ``log`` counts reads and writes."""
    from genesys_tasks.aws.session import Clients
    from genesys_tasks.aws.target import target_for

    return lambda: Clients(target_for())


@pytest.fixture
def deploy(aws):
    """Deploy a Project for real: ``deploy(p, clients=None, **options)`` → Outcome, with the
    applying executor and fresh clients unless given."""
    from genesys_tasks.deploy import deployer
    from genesys_tasks.deploy.session import Session
    from genesys_tasks.deploy.executor import Executor

    def run(p: Project, used=None, **options):
        spec = p.spec()
        used = used or Session().clients(spec)
        return deployer.deploy(spec, p.root, used, Executor(used), **options)

    return run


@pytest.fixture
def dry_run(aws):
    """Plan a Project and show it as ``execute --dry-run`` does (to stderr): ``dry_run(p, clients=None,
    executor=None)`` → Outcome; ``executor`` replaces the display one (e.g. a CollectingExecutor)."""
    from genesys_tasks import ui
    from genesys_tasks.deploy import deployer
    from genesys_tasks.deploy.session import Session
    from genesys_tasks.deploy.executor import DisplayExecutor

    def run(p: Project, used=None, executor=None):
        spec = p.spec()
        used = used or Session().clients(spec)
        return deployer.deploy(spec, p.root, used, executor or DisplayExecutor(ui.info))

    return run


@pytest.fixture
def stubbed():
    """A Lambda adapter on a Stubber-backed client (for what the emulator cannot produce):
    yields (adapter, stub, sleeps) with the retry sleeps recorded instead of slept."""
    import boto3
    from botocore.stub import Stubber

    from genesys_tasks.aws.base import CallLog, RetryPolicy
    from genesys_tasks.aws.lambda_ import LambdaAdapter

    client = boto3.client("lambda", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    sleeps: list[float] = []
    adapter = LambdaAdapter(client, CallLog(), RetryPolicy(sleep=sleeps.append, waiter_delay=0, waiter_attempts=3,
                                                           iam_wait_seconds=10))
    with Stubber(client) as stub:
        yield adapter, stub, sleeps
        stub.assert_no_pending_responses()


PLAIN_TOML = """\
[metadata]
name = "plain"
runtime = "python3.12"
handler = "app.handler"
"""


@pytest.fixture
def doit_repo(tmp_path):
    """A repo with a genesys dodo.py and one function, ``plain``, for `doit deploy:plain`."""
    (tmp_path / "dodo.py").write_text(DODO)
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (folder / "lambda_plain.toml").write_text(PLAIN_TOML)
    return tmp_path
