"""Options are parsed once where genesys is entered (the CLI's argparse, or the environment read in
doit's ``creators()``) and travel down as arguments: no module below the entry reads GENESYS_STAGE
or GENESYS_DEBUG, and ``--stage``/``--debug`` (and their environment spellings) still work end to end."""

from __future__ import annotations

import re
from pathlib import Path

import genesys_tasks

PACKAGE = Path(genesys_tasks.__file__).parent
ENTRIES = {"cli.py", "tasks/graph.py"}  # the CLI, and doit's creators
READS = re.compile(r"os\.environ|getenv")
NAMES = re.compile(r"GENESYS_STAGE|GENESYS_DEBUG|STAGE_ENV|DEBUG_ENV")


def test_no_module_below_the_entry_reads_the_stage_or_debug_variables():
    readers = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                     if any(READS.search(line) and NAMES.search(line) for line in path.read_text().splitlines()))
    assert [r for r in readers if r not in ENTRIES] == []


def test_no_module_below_the_entry_reads_the_commit_being_deployed():
    """GENESYS_COMMIT is ``Options.commit`` (read by the CLI's dispatch or doit's ``creators()``), not read
    where the deployer tags the function."""
    names = re.compile(r"GENESYS_COMMIT|COMMIT_ENV")
    readers = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                     if any(READS.search(line) and names.search(line) for line in path.read_text().splitlines()))
    assert [r for r in readers if r not in ENTRIES] == []


def _function(folder: Path, hook: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".git").mkdir()
    (folder / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    toml = folder / "lambda_fn.toml"
    toml.write_text('[metadata]\nname = "fn"\nruntime = "python3.12"\n'
                    + (f"\n[build]\npre_build = [{hook!r}]\n" if hook else "")
                    + "\n[stages.prod]\nfunction = { memory_mb = 1024 }\n")
    return toml


def test_the_stage_flag_and_genesys_stage_build_the_stages_function(tmp_path, run_genesys):
    toml = _function(tmp_path / "fn")
    result = run_genesys("lambda", "build", toml, "--stage", "prod", cwd=toml.parent)
    assert result.code == 0, result.output
    assert (toml.parent / ".genesys/build/fn-prod/function-x86_64.zip").is_file()
    result = run_genesys("lambda", "build", toml, "--stage", "staging", cwd=toml.parent)
    assert result.code == 2 and "unknown stage 'staging'" in result.stderr, result.output
    # the CLI's default for --stage is GENESYS_STAGE, read at the entry
    result = run_genesys("lambda", "build", toml, cwd=toml.parent, env={"GENESYS_STAGE": "staging"})
    assert result.code == 2 and "unknown stage 'staging'" in result.stderr, result.output


def test_the_debug_flag_shows_what_a_build_hook_prints_and_only_then(tmp_path, run_genesys):
    toml = _function(tmp_path / "fn", hook="echo hook-$((40 + 2))")
    quiet = run_genesys("lambda", "build", toml, cwd=toml.parent)
    assert quiet.code == 0 and "hook-42" not in quiet.output, quiet.output
    (toml.parent / "app.py").write_text("def lambda_handler(event, context):\n    return 2\n")  # the hook runs again
    loud = run_genesys("lambda", "build", toml, "--debug", cwd=toml.parent)
    assert loud.code == 0 and "hook-42" in loud.output, loud.output
