"""One secret detector for the wizard and the load warning: names with PASS, PWD, CREDENTIAL,
WEBHOOK, DSN, PRIVATE; URLs with a password; tokens with known prefixes; never a reference."""

from __future__ import annotations

import pytest
from wizard_projects import python_folder

from genesys_tasks.cli import main
from genesys_tasks.config import load

SECRETS = [("DB_PASS", "hunter2"), ("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0/B0/x"),
           ("DATABASE_URL", "postgres://app:hunter2@db.internal:5432/app"), ("DB_PWD", "x"),
           ("GCP_CREDENTIALS", "{}"), ("SENTRY_DSN", "https://abc@o1.ingest.sentry.io/1"), ("PRIVATE_PEM", "x"),
           ("NOTE", "AKIAIOSFODNN7EXAMPLE"), ("CI_HELPER", "ghp_" + "a1B2" * 9), ("CHAT", "xoxb-1234567890-abcdef"),
           ("BILLING", "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"), ("UPLOAD", "https://bob:s3cr3t@files.example.com/in")]
PLAIN = [("MODE", "prod"), ("BYPASS_CACHE", "true"), ("QUEUE_ARN", "arn:aws:sqs:us-east-1:123456789012:orders-queue"),
         ("TABLE", "orders-table-production"), ("HOME_URL", "https://user@example.com/path"),
         ("DB_PASS", "${env:DB_PASS}"), ("DATABASE_URL", "postgres://app:${env:DB_PW}@db.internal/app")]


@pytest.mark.parametrize("name, value", SECRETS)
def test_secret_names_urls_with_passwords_and_known_tokens_are_secrets(name, value):
    from genesys_tasks import secret_detector

    assert secret_detector.looks_secret(name, value)


@pytest.mark.parametrize("name, value", PLAIN)
def test_plain_values_names_arns_and_references_are_not(name, value):
    from genesys_tasks import secret_detector

    assert not secret_detector.looks_secret(name, value)


def test_a_toml_with_secrets_written_into_it_warns_once_naming_them_not_their_values(tmp_path):
    python_folder(tmp_path)
    toml = tmp_path / "lambda_fn.toml"
    toml.write_text('[metadata]\nname = "fn"\nruntime = "python3.12"\nhandler = "app.lambda_handler"\n\n'
                    '[function.environment]\nMODE = "prod"\nDB_PASS = "hunter2"\n'
                    'DATABASE_URL = "postgres://app:pw123@db/app"\nTOKEN = "${env:TOKEN}"\n')
    heard = []
    load(toml, warn=heard.append)
    found = [m for m in heard if "look like secrets" in m]
    assert len(found) == 1 and "DATABASE_URL, DB_PASS" in found[0] and 'DB_PASS = "${env:DB_PASS}"' in found[0]
    assert "hunter2" not in found[0] and "pw123" not in found[0] and "MODE" not in found[0]


def test_the_wizard_writes_db_pass_and_a_url_with_a_password_as_references(tmp_path):
    python_folder(tmp_path / "api")
    assert main(["init", "--dir", str(tmp_path), "--build-method", "local", "--source", str(tmp_path / "api"),
                 "--name", "api",
                 "--runtime", "python3.12", "--env", "DB_PASS=hunter2", "--env",
                 "UPSTREAM=https://bob:pw123@example.com/x", "--env", "MODE=prod", "--yes"]) == 0
    [toml] = tmp_path.glob("lambda_api_*.toml")
    text = toml.read_text()
    assert "hunter2" not in text and "pw123" not in text
    assert dict(load(toml).function.environment) == {"DB_PASS": "${env:DB_PASS}", "UPSTREAM": "${env:UPSTREAM}",
                                                     "MODE": "prod"}
