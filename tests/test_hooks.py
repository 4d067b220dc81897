"""pre_build/post_build hooks: a line per hook that worked, all of a failing hook's output, everything with --debug."""

from __future__ import annotations

import re

import pytest

from genesys_tasks.build.hooks import run_hooks
from genesys_tasks.errors import BuildError, GenesysError

NOISY = "for i in $(seq 1 40); do echo line-$i; done"


def test_a_hook_that_works_shows_one_line_with_its_command_and_duration_and_not_its_output(tmp_path):
    shown: list[str] = []
    run_hooks("pre_build", (NOISY, "true"), tmp_path, log=shown.append)
    assert len(shown) == 2
    assert re.fullmatch(rf"pre_build: `{re.escape(NOISY)}` ok in \d+\.\ds", shown[0])
    assert re.fullmatch(r"pre_build: `true` ok in \d+\.\ds", shown[1])


def test_a_failing_hook_shows_all_of_its_output_and_stops_the_hooks_after_it(tmp_path):
    shown: list[str] = []
    with pytest.raises(BuildError) as caught:
        run_hooks("post_build", (f"{NOISY}; exit 4", "touch after"), tmp_path, log=shown.append)
    message = caught.value.message
    assert "post_build hook" in message and "exited with code 4" in message
    assert "line-1\n" in message and "line-40" in message  # the whole output, not only its tail
    assert shown == [] and not (tmp_path / "after").exists()


def test_with_debug_every_line_of_a_hook_is_shown_as_it_runs(tmp_path):
    shown: list[str] = []
    run_hooks("pre_build", (NOISY,), tmp_path, debug=True, log=shown.append)
    assert [line for line in shown if line.startswith("line-")] == [f"line-{i}" for i in range(1, 41)]
    assert shown[-1].startswith(f"pre_build: `{NOISY}` ok in ")


COMPILING_TOML = '''[metadata]
name = "compiled"
runtime = "nodejs22.x"
handler = "app.handler"

[build]
pre_build = ["{hook}"]
'''


def _compiled_function(tmp_path, hook: str):
    (tmp_path / "app.src").write_text("exports.handler = async () => 'compiled';\n")
    toml = tmp_path / "lambda_compiled.toml"
    toml.write_text(COMPILING_TOML.format(hook=hook))
    return toml


def test_a_handler_file_that_a_pre_build_hook_makes_is_checked_after_the_hook(tmp_path, run_genesys):
    import zipfile

    toml = _compiled_function(tmp_path, "cp app.src app.js")  # as tsc would write app.js from app.ts
    result = run_genesys("lambda", "build", toml)
    assert result.code == 0, result.output
    assert re.search(r"pre_build: `cp app.src app.js` ok in \d+\.\ds", result.stderr), result.stderr
    with zipfile.ZipFile(tmp_path / ".genesys" / "build" / "compiled" / "function-x86_64.zip") as zipped:
        assert "app.js" in zipped.namelist()


def test_a_handler_file_still_missing_after_the_hooks_is_a_config_error_at_the_handler_key(tmp_path):
    from genesys_tasks.build import steps
    from genesys_tasks.config import load
    from genesys_tasks.errors import EXIT_BAD_INPUT

    spec = load(_compiled_function(tmp_path, "true"))  # the hooks have not run yet: no app.js is fine here
    steps.pre_build(spec, tmp_path)
    with pytest.raises(GenesysError) as caught:
        steps.package(spec, tmp_path)
    assert caught.value.exit_code == EXIT_BAD_INPUT
    assert "after the pre_build hooks ran" in caught.value.message
    assert (caught.value.where.file.name, caught.value.where.line) == ("lambda_compiled.toml", 4)
