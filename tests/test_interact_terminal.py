"""`genesys interact` in a real pseudo-terminal (tmux: send-keys, capture-pane): a Python folder, a Node
folder, a zip, a git repository cloned by file:// URL, an ambiguous folder, Ctrl-C halfway, an existing file;
the TOMLs it writes load, build and deploy (into the embedded emulator, `--sandbox`).

Behind the `terminal` marker (`pytest -m terminal`; CI installs tmux with ci/terminal-setup.sh)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from genesys_tasks.config import load
from wizard_projects import ambiguous_folder, git_repo, node_folder, python_folder, zipped

pytestmark = pytest.mark.terminal
REPO = Path(__file__).resolve().parent.parent
WAIT = 60  # seconds for one screen to show up; a loaded CI machine is slow, a hang still fails


@pytest.fixture(scope="module", autouse=True)
def _tmux():
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed: run ci/terminal-setup.sh (apt-get install tmux)")


class Terminal:
    """One `genesys ARGS` in a detached tmux session of its own."""

    def __init__(self, cwd: Path, *args: str, env: dict | None = None):
        self.name = f"genesys-{uuid.uuid4().hex[:8]}"
        self.rc = cwd / f".rc-{self.name}"
        env = {"PYTHONPATH": str(REPO), "GENESYS_TODAY": "2026-11-26", "PROMPT_TOOLKIT_NO_CPR": "1",
               "NO_COLOR": "1", "TERM": "xterm", "CI": "", **(env or {})}
        exports = " ".join(f"{k}={v!r}" for k, v in env.items())
        command = (f"cd {str(cwd)!r} && env {exports} {sys.executable} -m genesys_tasks.cli {' '.join(args)}; "
                   f"echo $? > {str(self.rc)!r}; sleep 600")
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", "150", "-y", "50", command], check=True)
        self.seen: dict[str, int] = {}

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name, "-S", "-2000"], check=True,
                              capture_output=True, text=True).stdout

    def wait_for(self, text: str) -> str:
        """Wait until ``text`` shows one more time than it had; the screen."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            screen = self.screen()
            if screen.count(text) > self.seen.get(text, 0):
                self.seen[text] = screen.count(text)
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never showed; the screen:\n{self.screen()}")

    def keys(self, *keys: str, literal: str = "") -> None:
        """Send ``keys`` (tmux key names), then ``literal`` text as it is."""
        if keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)
        if literal:
            subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", literal], check=True)

    def answer(self, question: str, *keys: str, literal: str = "") -> str:
        screen = self.wait_for(question)
        time.sleep(0.1)  # the prompt is drawn before it reads keys
        self.keys(*keys, literal=literal)
        return screen

    def exit_code(self) -> int:
        deadline = time.monotonic() + WAIT
        while not self.rc.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert self.rc.exists(), f"genesys did not exit; the screen:\n{self.screen()}"
        return int(self.rc.read_text())

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def terminal():
    opened: list[Terminal] = []

    def start(cwd: Path, *args: str, env: dict | None = None) -> Terminal:
        opened.append(Terminal(cwd, *args, env=env))
        return opened[-1]

    yield start
    for t in opened:
        t.close()


def _menu_and_source(t: Terminal, kind_downs: int, location: str, folder: str | None = None, ref: str = "") -> None:
    t.answer("genesys", "Enter")
    t.answer("? aws", "Enter")
    t.answer("? Function", "Enter")
    t.answer("Where is the code?", *["Down"] * kind_downs, "Enter")
    t.answer({0: "Folder", 1: "Repository URL", 2: "Zip file"}[kind_downs], "C-u", literal=location)
    t.keys("Enter")
    if kind_downs == 1:
        t.answer("Branch, tag or commit", literal=ref)
        t.keys("Enter")
    if folder is not None:
        t.answer("into folder", "Enter")


def _rest_with_defaults(t: Terminal, *, url: bool = True) -> None:
    """Name, runtime, handler, memory, timeout: defaults; no env, logs only, no tags; the configured region; a public
    URL; local build."""
    for question in ("Function name", "Runtime", "Handler", "Memory in MB (128-10240)", "Timeout in seconds (1-900)",
                     "Environment variable", "AWS services", "Tag (key=value", "AWS region"):
        t.answer(question, "Enter")
    t.answer("Create a function URL?", "y" if url else "n")
    if url:
        t.answer("Function URL auth type", "Down", "Enter")
        t.answer("Enable CORS", "n")
    t.answer("Add a trigger", "Enter")
    screen = t.wait_for("Build method")
    t.keys(*(["Up"] if "podman is installed" in screen else []), "Enter")
    t.answer("Architectures", "Enter")


def _deploys(toml: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "genesys_tasks.cli", "execute", str(toml), "--sandbox"],
                          cwd=toml.parent, env={**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"},
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "function URL: http://" in proc.stderr


def _finished(t: Terminal, toml_name: str) -> str:
    screen = t.answer(f"Write {toml_name}?", "y")
    assert t.exit_code() == 0, t.screen()
    return screen


def test_a_python_folder_through_the_terminal_loads_and_deploys(tmp_path, terminal):
    python_folder(tmp_path / "api")
    t = terminal(tmp_path, "interact", "--save-answers", "answers.json")
    _menu_and_source(t, 0, "api")
    _rest_with_defaults(t)
    screen = _finished(t, "lambda_api_python314.toml")
    assert "app.py: def lambda_handler(event, context)" in screen and "[metadata] # what the function is" in screen
    assert "genesys execute --dry-run -- lambda_api_python314.toml" in t.screen()
    assert load(tmp_path / "lambda_api_python314.toml").handler == "app.lambda_handler"
    assert (tmp_path / "answers.json").is_file()
    _deploys(tmp_path / "lambda_api_python314.toml")


def test_a_node_folder_through_the_terminal_loads_and_deploys(tmp_path, terminal):
    node_folder(tmp_path / "web")
    t = terminal(tmp_path, "interact")
    _menu_and_source(t, 0, "web")
    _rest_with_defaults(t)
    _finished(t, "lambda_web_nodejs24x.toml")
    _deploys(tmp_path / "lambda_web_nodejs24x.toml")


def test_a_zip_through_the_terminal_is_extracted_and_loads(tmp_path, terminal):
    zipped(python_folder(tmp_path / "src"), tmp_path / "bundle.zip")
    t = terminal(tmp_path, "interact")
    _menu_and_source(t, 2, "bundle.zip", folder="bundle")
    _rest_with_defaults(t, url=False)
    _finished(t, "lambda_bundle_python314.toml")
    assert load(tmp_path / "lambda_bundle_python314.toml").build.source_path == (tmp_path / "bundle").resolve()


def test_a_git_repository_by_file_url_is_cloned_at_its_ref_and_deploys(tmp_path, terminal):
    url = git_repo(node_folder(tmp_path / "upstream"))
    work = tmp_path / "work"
    work.mkdir()
    t = terminal(work, "interact")
    _menu_and_source(t, 1, url, folder="upstream", ref="v1")
    _rest_with_defaults(t)
    _finished(t, "lambda_upstream_nodejs24x.toml")
    assert (work / "upstream" / ".git").is_dir()
    _deploys(work / "lambda_upstream_nodejs24x.toml")


def test_an_ambiguous_folder_offers_both_runtimes(tmp_path, terminal):
    ambiguous_folder(tmp_path / "both")
    t = terminal(tmp_path, "interact")
    _menu_and_source(t, 0, "both")
    t.answer("Function name", "Enter")
    screen = t.answer("Runtime", "Down", "Enter")
    assert "more than one runtime fits; pick one" in screen and "nodejs24.x" in screen and "python3.14" in screen
    for question in ("Handler", "Memory in MB (128-10240)", "Timeout in seconds (1-900)", "Environment variable",
                     "AWS services", "Tag (key=value", "AWS region"):
        t.answer(question, "Enter")
    t.answer("Create a function URL?", "n")
    t.answer("Add a trigger", "Enter")
    t.answer("Build method", "Enter")
    t.answer("Architectures", "Enter")
    _finished(t, "lambda_both_nodejs24x.toml")
    assert load(tmp_path / "lambda_both_nodejs24x.toml").handler == "index.handler"


def test_ctrl_c_halfway_writes_nothing_and_exits_130(tmp_path, terminal):
    python_folder(tmp_path / "api")
    t = terminal(tmp_path, "interact")
    _menu_and_source(t, 0, "api")
    t.answer("Function name", "Enter")
    t.answer("Runtime", "C-c")
    assert t.exit_code() == 130
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".rc-")) == ["api"]


def test_an_existing_file_is_replaced_only_after_asking(tmp_path, terminal):
    python_folder(tmp_path / "api")
    (tmp_path / "lambda_api_python314.toml").write_text("# mine\n")
    t = terminal(tmp_path, "interact")
    _menu_and_source(t, 0, "api")
    _rest_with_defaults(t, url=False)
    t.answer("Write lambda_api_python314.toml?", "y")
    t.answer("lambda_api_python314.toml exists; replace it?", "y")
    assert t.exit_code() == 0
    assert load(tmp_path / "lambda_api_python314.toml").name == "api"


def test_the_region_asked_starts_at_the_configured_one_and_another_is_written(tmp_path, terminal):
    python_folder(tmp_path / "api")
    t = terminal(tmp_path, "interact", env={"AWS_REGION": "eu-west-1"})
    _menu_and_source(t, 0, "api")
    for question in ("Function name", "Runtime", "Handler", "Memory in MB (128-10240)", "Timeout in seconds (1-900)",
                     "Environment variable", "AWS services", "Tag (key=value"):
        t.answer(question, "Enter")
    screen = t.answer("AWS region", "C-u", literal="eu-central-1")
    assert "eu-west-1 is configured here" in screen and "AWS region eu-west-1" in screen.replace(":", ""), screen
    t.keys("Enter")
    t.answer("Create a function URL?", "n")
    t.answer("Add a trigger", "Enter")
    screen = t.wait_for("Build method")
    t.keys(*(["Up"] if "podman is installed" in screen else []), "Enter")
    t.answer("Architectures", "Enter")
    _finished(t, "lambda_api_python314.toml")
    assert load(tmp_path / "lambda_api_python314.toml").deployment.region == "eu-central-1"


def test_a_sam_layout_with_the_function_in_src_through_the_terminal_takes_src_as_the_source(tmp_path, terminal):
    # SAM's CodeUri: src/ (aws-samples serverless-patterns): package.json and the handler in src/, none at the top
    folder = tmp_path / "flags"
    for name, text in {"template.yaml": "Resources: {}\n", "README.md": "# flags\n",
                       "src/package.json": '{"name": "flags", "version": "1.0.0"}\n',
                       "src/app.js": "exports.lambdaHandler = async (event) => ({ statusCode: 200 });\n"}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    t = terminal(tmp_path, "interact")
    _menu_and_source(t, 0, "flags")
    t.wait_for("using src as the source")
    _rest_with_defaults(t)
    _finished(t, "lambda_flags_nodejs24x.toml")
    spec = load(tmp_path / "lambda_flags_nodejs24x.toml")
    assert (spec.handler, spec.source_path) == ("app.lambdaHandler", folder / "src")
