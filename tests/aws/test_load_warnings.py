"""What loading a TOML warns about reaches people once per command: `execute --dry-run` (the plan)
names the templates that grant every resource and says the function URL is public, each once."""

from __future__ import annotations

from genesys_tasks.commands.init_repo import DODO


def test_execute_dry_run_says_each_warning_once(aws, project, run_genesys):
    p = project(extra='\n[iam]\nrequired_policies = ["logs", "dynamodb-read"]\n', requirements=None)
    result = run_genesys("execute", p.toml, "--dry-run")
    assert result.code == 0, result.output
    assert result.stderr.count("function URL is public") == 1, result.stderr
    assert result.stderr.count("dynamodb-read (DynamoDB read access) on every resource") == 1, result.stderr
    assert "Traceback" not in result.output


def test_doit_list_says_no_load_warning_and_doit_build_says_it_once(tmp_path, run_doit):
    (tmp_path / "dodo.py").write_text(DODO)
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "lambda_warny.toml").write_text('[metadata]\nname = "warny"\nruntime = "python3.12"\n'
                                                'handler = "app.handler"\n\n[deployment]\nfunction_url = true\n'
                                                'auth_type = "NONE"\n')
    listed = run_doit("list", cwd=tmp_path)
    assert listed.code == 0 and "function URL is public" not in listed.output, listed.output
    built = run_doit("build", cwd=tmp_path)
    assert built.code == 0 and built.stderr.count("function URL is public") == 1, built.output
