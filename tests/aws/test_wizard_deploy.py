"""What the wizard writes deploys: `genesys init --yes` on a small project of each language, then
`genesys execute` builds it and deploys it into the emulator."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from genesys_tasks.cli import main

from wizard_projects import node_folder, python_folder

REPO = Path(__file__).resolve().parent.parent.parent


def _go_folder(folder: Path) -> Path:
    shutil.copytree(REPO / "examples" / "go-hello", folder, ignore=shutil.ignore_patterns("lambda_*.toml"))
    return folder


LANGUAGES = [(python_folder, "py", "python3.14", "app.lambda_handler"),
             (node_folder, "node", "nodejs24.x", "index.handler"),
             (_go_folder, "go", "provided.al2023", "bootstrap")]


def test_the_toml_init_writes_builds_and_deploys_for_each_language(tmp_path, aws, boto, capsys):
    """One emulator for the three languages: a reset of it costs more than a deploy."""
    for make, name, runtime, handler in LANGUAGES:
        make(tmp_path / name)
        assert main(["init", "--source", str(tmp_path / name), "--dir", str(tmp_path), "--build-method", "local",
                     "--url", "--auth-type", "NONE", "--memory", "256", "--yes"]) == 0, name
        toml = tmp_path / f"lambda_{name}_{runtime.replace('.', '')}.toml"
        assert "--dry-run" in capsys.readouterr().err

        assert main(["execute", str(toml), "--output", "json"]) == 0, capsys.readouterr().err
        assert ".lambda-url." in json.loads(capsys.readouterr().out)["function_url"], name
        config = boto("lambda").get_function(FunctionName=name)["Configuration"]
        assert (config["Runtime"], config["Handler"], config["MemorySize"]) == (runtime, handler, 256)
        assert "[metadata] # what the function is" in toml.read_text()  # the role ARN written back kept comments
