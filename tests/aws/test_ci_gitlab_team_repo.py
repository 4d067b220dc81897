"""The generated GitLab pipeline of a team's monorepo, run under gitlab-ci-local against the emulator
(marker ``pipeline``): nested folders, names with dashes, dots and underscores, two Python functions
sharing one requirements file, a Node function. Push after push, only the functions a commit changed
deploy (read from the emulator: code hashes and the ``genesys:commit`` tags); a folder renamed is
deployed from its new place with no delete job; a TOML deleted gets a manual delete job that deletes
its function. The pipelines run as ``test_ci_gitlab`` runs them (its ``pipeline`` helper)."""

from __future__ import annotations

import subprocess

import pytest

import test_ci_gitlab as gitlab_run
from ci_project import commit, git, make_repo, write
from ci_release import from_index, release
from ci_tools import need

pytestmark = pytest.mark.pipeline

PY_HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': %r}\n"


def python_service(folder: str, name: str, shared: str) -> dict:
    """A Python function in ``folder`` whose requirements include the repo's shared ones (``shared``)."""
    return {f"{folder}/app.py": PY_HANDLER % name, f"{folder}/requirements.txt": f"-r {shared}\n",
            f"{folder}/lambda_{name}.toml": f'[metadata]\nname = "{name}"\nruntime = "python3.12"\n'
                                            f'handler = "app.handler"\n[build]\nrequirements_file = "requirements.txt"\n'}


FILES = {
    ".gitignore": ".genesys/\nnode_modules/\n",
    "README.md": "# a team's functions\n",
    "requirements-shared.txt": "# what every Python service pins (nothing yet)\n",
    **python_service("services/orders.api", "orders-api", "../../requirements-shared.txt"),
    **python_service("services/billing_jobs/nightly", "billing_nightly", "../../../requirements-shared.txt"),
    "web/hello-node/index.js": "exports.handler = async () => ({ statusCode: 200, body: 'hello' });\n",
    "web/hello-node/lambda_hello-node.toml": """\
        [metadata]
        name = "hello-node"
        runtime = "nodejs22.x"
        handler = "index.handler"
        """,
    "tools/report/app.py": PY_HANDLER % "report",
    "tools/report/lambda_report.toml": """\
        [metadata]
        name = "report"
        runtime = "python3.12"
        handler = "app.handler"
        """,
}
ALL = ["billing_nightly", "hello-node", "orders-api", "report"]


def test_a_team_monorepo_deploys_exactly_what_each_push_changed(aws, boto, tmp_path):
    tool = need("gitlab-ci-local")
    need("rsync")
    origin = tmp_path / "origin"
    make_repo(origin, FILES)
    found = release(tmp_path / "release")
    writer = from_index(found, tmp_path / "writer")
    done = subprocess.run([str(writer / "bin/python"), "-m", "genesys_tasks.cli", "ci", "gitlab", "--auth", "env",
                           "--image", ""], cwd=origin, env=found.env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    before = commit(origin, "CI")
    workdir = tmp_path / "runs"
    workdir.mkdir()

    def push(files: dict | None, message: str, *, manual: str = "") -> tuple[set[str], str]:
        """Commit ``files`` (None: what the index holds), run its pipeline; the functions it redeployed."""
        nonlocal before
        if files:
            write(origin, files)
        then = gitlab_run.commits(boto)
        head = commit(origin, message)
        child = gitlab_run.pipeline(tool, origin, workdir, before, aws, found, manual=manual)
        before = head
        now = gitlab_run.commits(boto)
        return {name for name, sha in now.items() if sha == head and then.get(name) != head}, child

    deployed, _ = push({}, "nothing deployed yet")
    assert sorted(deployed) == ALL

    assert push({"services/orders.api/app.py": PY_HANDLER % "orders v2"}, "one handler")[0] == {"orders-api"}
    assert push({"requirements-shared.txt": "# pins, reviewed\n"}, "shared requirements")[0] == {
        "orders-api", "billing_nightly"}
    toml = (origin / "tools/report/lambda_report.toml").read_text()
    assert push({"tools/report/lambda_report.toml": toml + "[function]\nmemory_mb = 256\n"}, "TOML only")[0] == {
        "report"}
    assert boto("lambda").get_function_configuration(FunctionName="report")["MemorySize"] == 256
    deployed, child = push({"README.md": "# docs only\n"}, "docs")
    assert deployed == set() and "genesys-nothing-changed" in child

    git(origin, "mv", "web/hello-node", "web/hello.node")
    deployed, child = push(None, "hello-node's folder renamed")
    assert deployed == {"hello-node"} and "delete:" not in child
    assert sorted(gitlab_run.functions(boto)) == ALL

    git(origin, "rm", "-q", "-r", "tools/report")
    deployed, child = push(None, "report retired", manual="delete:report (removed)")
    assert deployed == set() and '"delete:report (removed)"' in child
    assert sorted(gitlab_run.functions(boto)) == ["billing_nightly", "hello-node", "orders-api"]
