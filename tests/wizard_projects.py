"""Small projects for the wizard's tests (a Python folder, a Node folder, an ambiguous one, a zip,
a git repository) and a prompter that types scripted keys into prompt_toolkit's pipe input."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

from genesys_tasks.wizard.prompts import Prompter

PY_HANDLER = "def lambda_handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n"
NODE_HANDLER = "exports.handler = async (event) => ({ statusCode: 200, body: 'hi' });\n"

ENTER, DOWN, SPACE, CTRL_C, CLEAR = "\r", "\x1b[B", " ", "\x03", "\x15"  # CLEAR: Ctrl-U, empty the line


def python_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.py").write_text(PY_HANDLER)
    return folder


def node_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.js").write_text(NODE_HANDLER)
    (folder / "package.json").write_text('{"name": "n", "version": "1.0.0", "main": "index.js"}\n')
    return folder


def ambiguous_folder(folder: Path) -> Path:
    """Python and Node both fit: a requirements.txt and a package.json, sources of each."""
    python_folder(folder)
    node_folder(folder)
    (folder / "requirements.txt").write_text("")
    return folder


def zipped(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted(folder.rglob("*")):
            handle.write(path, path.relative_to(folder).as_posix())
    return archive


def git_repo(folder: Path) -> str:
    """``folder`` committed as a git repository with a tag v1; its file:// URL."""
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(folder), "PATH": "/usr/bin:/bin"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "one"], ["tag", "v1"]):
        subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)
    return folder.resolve().as_uri()


class Scripted(Prompter):
    """A Prompter that types the next keys of ``script`` into each question, on a pipe input of its own that
    is closed after them: a question the keys do not finish fails with EOFError instead of waiting."""

    def __init__(self, script: list[str]):
        from prompt_toolkit.output import DummyOutput

        super().__init__(output=DummyOutput())
        self.script, self.asked = list(script), []

    def _asking(self, ask, message, *args, **kwargs):
        from prompt_toolkit.input import create_pipe_input

        self.asked.append(message)
        with create_pipe_input() as pipe:
            pipe.send_text(self.script.pop(0) if self.script else "")
            pipe.close()
            self.io["input"] = pipe
            return ask(message, *args, **kwargs)

    def text(self, message, *args, **kwargs):
        return self._asking(super().text, message, *args, **kwargs)

    def select(self, message, *args, **kwargs):
        return self._asking(super().select, message, *args, **kwargs)

    def checkbox(self, message, *args, **kwargs):
        return self._asking(super().checkbox, message, *args, **kwargs)

    def confirm(self, message, *args, **kwargs):
        return self._asking(super().confirm, message, *args, **kwargs)
