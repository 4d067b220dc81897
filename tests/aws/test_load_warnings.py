"""What loading a TOML warns about reaches people once per command: `execute --dry-run` (the plan)
names the templates that grant every resource and says the function URL is public, each once."""

from __future__ import annotations


def test_execute_dry_run_says_each_warning_once(aws, project, run_genesys):
    p = project(extra='\n[iam]\nrequired_policies = ["logs", "dynamodb-read"]\n', requirements=None)
    result = run_genesys("execute", p.toml, "--dry-run")
    assert result.code == 0, result.output
    assert result.stderr.count("function URL is public") == 1, result.stderr
    assert result.stderr.count("dynamodb-read (DynamoDB read access) on every resource") == 1, result.stderr
    assert "Traceback" not in result.output
