"""The TOML loader: defaults, paths, and every bad input as a ConfigError with file, line, key and fix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from genesys_tasks import config
from genesys_tasks.config.schema import SECTIONS
from genesys_tasks.errors import ConfigError
from seed_toml import SEED_TOML

TODAY = dt.date(2026, 11, 26)
PY_HANDLER = "def lambda_handler(event, context):\n    return {'ok': True}\n"



def project(root: Path, toml: str, files: dict[str, str] | None = None, name: str = "lambda_fn.toml") -> Path:
    """A TOML file in ``root`` next to a Python function (app.py + requirements.txt) unless ``files`` says else."""
    files = {"app.py": PY_HANDLER, "requirements.txt": "requests\n"} if files is None else files
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_text(toml)
    return path


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the first line of ``path`` containing ``needle``."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line)


def config_error(path: Path, **kwargs) -> ConfigError:
    kwargs.setdefault("today", TODAY)
    with pytest.raises(ConfigError) as info:
        config.load(path, **kwargs)
    err = info.value
    assert err.exit_code == 2
    assert err.where is not None and err.where.file == path
    assert err.hint
    return err


def assert_at(err: ConfigError, path: Path, key: str | None, needle: str) -> None:
    assert (err.where.key, err.where.line) == (key, line_of(path, needle)), err.render()


# ----------------------------------------------------------------------------- good input


def test_minimal_toml_fills_every_default(tmp_path):
    spec = config.load(project(tmp_path, '[metadata]\nname = "fn"\n'), today=TODAY)
    assert (spec.name, spec.runtime.id, spec.handler) == ("fn", "python3.14", "app.lambda_handler")
    fn = SECTIONS["function"]
    assert (spec.function.memory_mb, spec.function.timeout_seconds) == (fn["memory_mb"].default,
                                                                       fn["timeout_seconds"].default)
    assert spec.build.architectures == tuple(SECTIONS["build"]["architectures"].default)
    assert spec.build.build_method == SECTIONS["build"]["build_method"].default
    assert spec.build.source_path == tmp_path
    assert spec.build.requirements_file == tmp_path / "requirements.txt"
    assert spec.deployment.auth_type == SECTIONS["deployment"]["auth_type"].default
    assert spec.deployment.architecture == spec.build.architectures[0]
    assert (spec.layer.name, spec.layer.compatible_runtimes) == ("fn-deps", ("python3.14",))
    assert spec.iam.role_name == "genesys-lambda-fn"
    assert spec.has_layer and spec.triggers == () and spec.tags == ()


def test_the_issue_example_loads_every_section(tmp_path):
    path = project(tmp_path, SEED_TOML)
    spec = config.load(path, today=TODAY)
    assert (spec.runtime.id, spec.handler) == ("python3.11", "app.lambda_handler")
    assert spec.build.architectures == ("x86_64", "arm64")
    assert (spec.function.memory_mb, spec.function.timeout_seconds) == (512, 30)
    assert spec.function.environment == (("API_KEY", "your-api-key"),)
    assert spec.deployment.cors is not None and spec.deployment.cors.allow_origins == ("*",)
    assert spec.tags == (("team", "payments"),)
    assert [(t.type, t.get("path"), t.get("method")) for t in spec.triggers] == [("api_gateway", "/{proxy+}", "ANY")]
    assert spec.iam.required_policies == ("Basic CloudWatch Logs access", "S3 read access")


def test_source_path_is_relative_to_the_toml_file(tmp_path):
    path = project(tmp_path / "fns", '[metadata]\nname = "fn"\n[build]\nsource_path = "../src/fn"\n',
                   files={"../src/fn/app.py": PY_HANDLER})
    spec = config.load(path, today=TODAY)
    assert spec.source_path == tmp_path / "src" / "fn"
    assert spec.build.requirements_file is None and not spec.has_layer


def test_source_path_may_be_absolute(tmp_path):
    src = tmp_path / "elsewhere"
    src.mkdir()
    (src / "index.mjs").write_text("export const handler = async () => 1;\n")
    spec = config.load(project(tmp_path / "repo", f'[metadata]\nname = "fn"\n[build]\nsource_path = "{src}"\n',
                               files={}), today=TODAY)
    assert (spec.source_path, spec.runtime.id, spec.handler) == (src, "nodejs24.x", "index.handler")


def test_a_deprecated_runtime_loads_with_a_warning(tmp_path):
    warnings = []
    spec = config.load(project(tmp_path, '[metadata]\nname = "fn"\nruntime = "python3.10"\n'),
                       today=TODAY, warn=warnings.append)
    assert spec.runtime.id == "python3.10"
    assert len(warnings) == 1 and "deprecated" in warnings[0] and "2026-11-30" in warnings[0]


def test_genesys_today_decides_the_lifecycle(tmp_path, monkeypatch):
    path = project(tmp_path, '[metadata]\nname = "fn"\nruntime = "python3.9"\n')
    monkeypatch.setenv("GENESYS_TODAY", "2026-01-01")
    warnings = []
    assert config.load(path, warn=warnings.append).runtime.id == "python3.9"
    assert "deprecated" in warnings[0]
    monkeypatch.setenv("GENESYS_TODAY", "2026-09-01")
    err = config_error(path, today=None)
    assert_at(err, path, "metadata.runtime", "runtime =")
    assert "python3.14" in err.hint


# ----------------------------------------------------------------------------- bad input


def test_malformed_toml_reports_its_line(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\n\n[function]\nmemory_mb = = 3\n')
    err = config_error(path)
    assert err.where.line == line_of(path, "memory_mb")
    assert "not valid TOML" in err.message


def test_missing_metadata_section(tmp_path):
    path = project(tmp_path, '[build]\nsource_path = "."\n')
    err = config_error(path)
    assert (err.where.key, err.where.line) == ("metadata", 1)
    assert "name" in err.hint


def test_missing_metadata_name(tmp_path):
    path = project(tmp_path, '# my function\n[metadata]\ndescription = "no name"\n')
    err = config_error(path)
    assert_at(err, path, "metadata", "[metadata]")
    assert "name" in err.message


@pytest.mark.parametrize("name", ["my function", "a" * 65, "fn!", ""])
def test_a_name_lambda_would_refuse(tmp_path, name):
    path = project(tmp_path, f'[metadata]\nname = "{name}"\n')
    assert_at(config_error(path), path, "metadata.name", "name =")


def test_two_tomls_with_one_name(tmp_path):
    first = project(tmp_path / "a", '[metadata]\nname = "same"\n')
    second = project(tmp_path / "b", '# second\n\n[metadata]\ndescription = "b"\nname = "same"\n')
    with pytest.raises(ConfigError) as info:
        config.load_all([first, second], today=TODAY)
    err = info.value
    assert err.exit_code == 2 and err.hint
    assert err.where.file == second
    assert_at(err, second, "metadata.name", "name =")
    assert str(first) in err.message


def test_unknown_key_says_did_you_mean(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\n\n[function]\nmemory_md = 256\n')
    err = config_error(path)
    assert_at(err, path, "function.memory_md", "memory_md")
    assert "did you mean 'memory_mb'" in err.hint


def test_unknown_section_says_did_you_mean(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\n\n[deploy]\nfunction_url = true\n')
    err = config_error(path)
    assert_at(err, path, "deploy", "[deploy]")
    assert "deployment" in err.hint


def test_unknown_runtime(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\nruntime = "python9.99"\n')
    err = config_error(path)
    assert_at(err, path, "metadata.runtime", "runtime =")
    assert "python9.99" in err.message


def test_runtime_whose_creation_is_blocked_names_the_replacement(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\nruntime = "nodejs18.x"\n', files={"index.js": "exports.handler=1\n"})
    err = config_error(path)
    assert_at(err, path, "metadata.runtime", "runtime =")
    assert "2026-02-03" in err.message and "nodejs24.x" in err.hint


@pytest.mark.parametrize("value", ["64", "20000"])
def test_memory_out_of_range(tmp_path, value):
    path = project(tmp_path, f'[metadata]\nname = "fn"\n[function]\nmemory_mb = {value}\n')
    err = config_error(path)
    assert_at(err, path, "function.memory_mb", "memory_mb")
    assert "128" in err.hint and "10240" in err.hint


@pytest.mark.parametrize("value, fragment", [("0", "out of range"), ("1000", "out of range"),
                                             ('"30"', "whole number")])
def test_timeout_out_of_range_or_a_string(tmp_path, value, fragment):
    path = project(tmp_path, f'[metadata]\nname = "fn"\n[function]\ntimeout_seconds = {value}\n')
    err = config_error(path)
    assert_at(err, path, "function.timeout_seconds", "timeout_seconds")
    assert fragment in err.message


def test_environment_over_4_kb(tmp_path):
    values = "\n".join(f'VAR_{i} = "{"x" * 500}"' for i in range(9))
    path = project(tmp_path, f'[metadata]\nname = "fn"\n\n[function.environment]\n{values}\n')
    err = config_error(path)
    assert_at(err, path, "function.environment", "[function.environment]")
    assert "4096" in err.message


def test_build_method_kubernetes(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\n[build]\nbuild_method = "kubernetes"\n')
    err = config_error(path)
    assert_at(err, path, "build.build_method", "build_method")
    assert "podman" in err.hint


def test_source_path_that_does_not_exist(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\n[build]\nsource_path = "missing"\n')
    err = config_error(path)
    assert_at(err, path, "build.source_path", "source_path")
    assert "does not exist" in err.message


def test_source_path_that_is_a_file(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\n[build]\nsource_path = "app.py"\n')
    err = config_error(path)
    assert_at(err, path, "build.source_path", "source_path")
    assert "is a file" in err.message


def test_requirements_file_missing(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\n[build]\nrequirements_file = "reqs/prod.txt"\n')
    err = config_error(path)
    assert_at(err, path, "build.requirements_file", "requirements_file")


def test_handler_not_found_in_the_source(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\nhandler = "app.handle"\n')
    err = config_error(path)
    assert_at(err, path, "metadata.handler", "handler =")
    assert "app.py has no top-level function 'handle'" in err.message


def test_architecture_sparc(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\n[build]\narchitectures = ["sparc"]\n')
    err = config_error(path)
    assert_at(err, path, "build.architectures", "architectures")
    assert "x86_64" in err.hint


def test_two_runtimes_detected_and_none_named(tmp_path):
    path = project(tmp_path, '# two languages\n[metadata]\nname = "fn"\n',
                   files={"requirements.txt": "", "app.py": PY_HANDLER,
                          "package.json": "{}", "index.js": "exports.handler = async () => 1;\n"})
    err = config_error(path)
    assert_at(err, path, "metadata", "[metadata]")
    assert "python3.14" in err.message and "nodejs24.x" in err.message
    assert "runtime =" in err.hint


def test_two_handlers_detected_and_none_named(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\n',
                   files={"app.py": PY_HANDLER, "jobs.py": "def run(event, context):\n    pass\n"})
    err = config_error(path)
    assert_at(err, path, "metadata", "[metadata]")
    assert "app.lambda_handler" in err.message and "jobs.run" in err.message


def test_a_version_pin_nothing_runs_points_at_the_pin_file(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\n', files={"app.py": PY_HANDLER, ".python-version": "3.7\n"})
    with pytest.raises(ConfigError) as info:
        config.load(path, today=TODAY)
    assert info.value.exit_code == 2 and info.value.hint
    assert (info.value.where.file, info.value.where.line) == (tmp_path / ".python-version", 1)


def test_auth_type_bogus(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\n\n[deployment]\nfunction_url = true\nauth_type = "BOGUS"\n')
    err = config_error(path)
    assert_at(err, path, "deployment.auth_type", "auth_type")
    assert "AWS_IAM" in err.hint and "NONE" in err.hint


def test_bad_value_in_the_second_trigger_points_at_its_line(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\n\n[[triggers]]\ntype = "api_gateway"\nmethod = "GET"\n\n'
                   '[[triggers]]\ntype = "api_gateway"\nmethod = "FETCH"\n')
    err = config_error(path)
    assert_at(err, path, "triggers[1].method", '"FETCH"')


def test_errors_render_file_line_key_and_fix(tmp_path):
    path = project(tmp_path, '[metadata]\nname = "fn"\n[function]\nmemory_mb = 64\n')
    text = config_error(path).render()
    assert text.startswith(f"{path}:4: [function.memory_mb]")
    assert "\n  fix: " in text


def test_the_cli_shows_config_errors_without_a_traceback(tmp_path, run_genesys):
    path = project(tmp_path, '[metadata]\nname = "fn"\n[function]\ntimeout_seconds = 1000\n')
    result = run_genesys("lambda", "build", path)
    assert result.code == 2
    assert f"{path}:4" in result.stderr and "timeout_seconds" in result.stderr
    assert "Traceback" not in result.output
