"""genesys installed without some tree-sitter grammars, as a generated CI job installs it for its repo.

A repo whose functions need no grammar builds and loads with none installed; a function whose
language needs one it lacks stops with exit 2 naming the extra to install, never an ImportError.
Each run is a real process in which the grammar modules cannot be imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from genesys_tasks.commands.init_repo import DODO

GRAMMAR_MODULES = ("tree_sitter", "tree_sitter_javascript", "tree_sitter_typescript", "tree_sitter_java",
                   "tree_sitter_ruby")
# Runs argv[1:] as doit (when argv[1] is "doit") or as the genesys command, with no grammar importable.
RUN = textwrap.dedent(f"""
    import sys
    for name in {GRAMMAR_MODULES!r}:
        sys.modules[name] = None  # as if the wheel were not installed
    if sys.argv[1] == "doit":
        from doit.__main__ import main
        sys.argv = sys.argv[1:]
        main()
    from genesys_tasks.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def _project(root: Path, node: bool) -> None:
    files = {
        "dodo.py": DODO,
        "py/lambda_py.toml": '[metadata]\nname = "py"\nruntime = "python3.12"\nhandler = "app.handler"\n',
        "py/app.py": "def handler(event, context):\n    return 1\n",
    }
    if node:
        files |= {"node/lambda_node.toml": '[metadata]\nname = "node"\nruntime = "nodejs22.x"\nhandler = "index.handler"\n',
                  "node/index.js": "exports.handler = async () => 1;\n"}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def _run(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GENESYS_CACHE_DIR": str(root / ".cache"), "NO_COLOR": "1",
           "PYTHONPATH": str(Path(__file__).parent.parent)}  # this checkout, not another genesys installed here
    return subprocess.run([sys.executable, "-c", RUN, *args], cwd=root, env=env, capture_output=True, text=True)


def test_a_repo_of_python_functions_builds_with_no_grammar_installed(tmp_path):
    _project(tmp_path, node=False)
    built = _run(tmp_path, "doit", "build")
    assert built.returncode == 0, built.stderr
    assert (tmp_path / ".genesys/build/py/function-x86_64.zip").is_file()
    assert _run(tmp_path, "lambda", "build", "py/lambda_py.toml").returncode == 0


def test_a_node_function_without_its_grammars_stops_with_exit_2_naming_the_extra(tmp_path):
    _project(tmp_path, node=True)
    for args in (("lambda", "build", "node/lambda_node.toml"), ("doit", "build")):
        done = _run(tmp_path, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert "reading Node.js sources needs the tree-sitter grammar module tree_sitter" in done.stderr
        assert "pip install 'genesys-lambda[node]'" in done.stderr and "genesys ci github" in done.stderr
        assert "Traceback" not in done.stderr
