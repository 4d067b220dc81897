"""A small git repository of three functions (Python, Node, Go) for the CI tests, and git helpers."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}

FILES = {
    "README.md": "# three functions\n",
    ".gitignore": ".genesys/\n",
    "py-fn/lambda_py_fn.toml": """\
        [metadata]
        name = "py-fn"
        runtime = "python3.12"
        handler = "app.handler"
        [function]
        memory_mb = 128
        """,
    "py-fn/app.py": "def handler(event, context):\n    return {'statusCode': 200, 'body': 'py'}\n",
    "node-fn/lambda_node_fn.toml": """\
        [metadata]
        name = "node-fn"
        runtime = "nodejs22.x"
        handler = "index.handler"
        [function]
        memory_mb = 128
        """,
    "node-fn/index.js": "exports.handler = async () => ({ statusCode: 200, body: 'node' });\n",
    "go-fn/lambda_go_fn.toml": """\
        [metadata]
        name = "go-fn"
        runtime = "provided.al2023"
        handler = "bootstrap"
        [build]
        architectures = ["x86_64"]
        [function]
        memory_mb = 128
        """,
    "go-fn/go.mod": "module example.com/gofn\n\ngo 1.19\n",
    "go-fn/main.go": "package main\n\nimport \"os\"\n\nfunc main() { os.Exit(0) }\n",
}


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def make_repo(root: Path, files: dict[str, str] | None = None) -> str:
    """A git repository at ``root`` with ``files`` (default: the three functions), committed; its SHA."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write(root, FILES if files is None else files)
    return commit(root, "three functions")
