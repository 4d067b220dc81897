"""The example TOML from the format's specification, shared by the config and schema tests."""

SEED_TOML = """\
[metadata]
name = "my-api-handler"
runtime = "python3.11"          # optional: detected when absent
handler = "app.lambda_handler"  # optional: detected when absent
description = "API handler function"

[build]
source_path = "."
build_method = "local"          # local | podman | docker
layer_auto = true
requirements_file = "requirements.txt"
architectures = ["x86_64", "arm64"]
pre_build = ["python -m pytest -q"]
post_build = ["./verify.sh"]
exclude = ["tests/**", "*.md"]

[function]
memory_mb = 512
timeout_seconds = 30
layers = ["arn:aws:lambda:us-east-1:123456789012:layer:shared-deps:1"]

[function.environment]
API_KEY = "your-api-key"

[deployment]
function_url = true
cors_enabled = true
auth_type = "AWS_IAM"

[iam]
role_name = "genesys-lambda-my-api-handler"
required_policies = ["Basic CloudWatch Logs access", "S3 read access"]
auto_manage = true
auto_cleanup = true

[tags]
team = "payments"

[[triggers]]
type = "api_gateway"
path = "/{proxy+}"
method = "ANY"

[layer]
name = "my-api-handler-deps"
description = "Dependencies for my-api-handler"
compatible_runtimes = ["python3.11"]
"""
