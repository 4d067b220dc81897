"""Small functions written into a test's folder: handlers for every outcome local invoke must show."""

from __future__ import annotations

from pathlib import Path

PYTHON_HANDLERS = '''\
import json
import os
import sys
import time


def ok(event, context):
    return {"echo": event, "name": context.function_name, "task_root": os.environ["LAMBDA_TASK_ROOT"],
            "remaining_ok": 0 < context.get_remaining_time_in_millis() <= 2000}


def boom(event, context):
    raise ValueError("bad input: " + str(event.get("n")))


def sleepy(event, context):
    time.sleep(30)
    return "never"


def chatty(event, context):
    print("to stdout from the handler")
    print("to stderr from the handler", file=sys.stderr)
    return {"path": sys.path, "secret": os.environ.get("AWS_SECRET_ACCESS_KEY"), "stage": os.environ.get("STAGE"),
            "extra": os.environ.get("EXTRA"), "region": os.environ.get("AWS_REGION")}


def unmarshalable(event, context):
    return {"when": object()}


def exits(event, context):
    sys.exit(event.get("code"))


def context_fields(event, context):
    context.log("through context.log\\n")
    return {"identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
            "client_context": context.client_context, "tenant_id": context.tenant_id,
            "version": context.function_version, "memory": context.memory_limit_in_mb}


def decimals(event, context):  # what a DynamoDB read gives
    from decimal import Decimal

    return {"count": Decimal("5"), "price": Decimal("1.5"), "name": "J\u00f6rg \u2713"}


def raw_bytes(event, context):
    return b"\\x00raw"


def big(event, context):
    return "x" * event["size"]


def logs(event, context):
    import logging

    logging.getLogger().setLevel(logging.INFO)  # as functions do: Lambda's runtime logs only from WARNING on
    logging.getLogger("app").info("handled %s", event.get("n"))
    return {"trace": os.environ.get("_X_AMZN_TRACE_ID")}
'''

# a script made into a function: it ends the process while it is imported (SystemExit is no Exception)
EXITS_AT_IMPORT = 'import sys\n\nsys.exit()\n\n\ndef handler(event, context):\n    return "never"\n'
# what Lambda answers for each way a Python runtime exits: (handler, event, kind, message after "Error: ")
PYTHON_EXITS = [
    ("exits_at_import.handler", b"{}", "init_error", "Runtime exited without providing a reason"),
    ("app.exits", b'{"code": 3}', "exit", "Runtime exited with error: exit status 3"),
    ("app.exits", b'{"code": "giving up"}', "exit", "Runtime exited with error: exit status 1"),
    ("app.exits", b"{}", "exit", "Runtime exited without providing a reason"),
]


def python_function(folder: Path, handler: str = "app.ok", *, timeout: int = 2, files: dict | None = None,
                    requirements: str | None = None, extra: str = "") -> Path:
    """A python3.12 function in ``folder`` (its own repo); returns its TOML."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".git").mkdir(exist_ok=True)
    for name, text in (files or {"app.py": PYTHON_HANDLERS}).items():
        (folder / name).write_text(text)
    req = ""
    if requirements is not None:
        (folder / "requirements.txt").write_text(requirements)
        req = 'requirements_file = "requirements.txt"\n'
    toml = folder / "lambda_local_py.toml"
    toml.write_text(f'[metadata]\nname = "local-py"\nruntime = "python3.12"\nhandler = "{handler}"\n\n'
                    f'[build]\nsource_path = "."\narchitectures = ["x86_64"]\n{req}\n'
                    f'[function]\nmemory_mb = 256\ntimeout_seconds = {timeout}\n{extra}')
    return toml


# what awslambdaric answers for these handlers (python3.12: non-ASCII unescaped; context.identity an object)
AS_AWSLAMBDARIC = {"app.context_fields": b'{"identity": [null, null], "client_context": null, "tenant_id": null, '
                                    b'"version": "$LATEST", "memory": "256"}',
              "app.decimals": '{"count": 5, "price": 1.5, "name": "J\u00f6rg \u2713"}'.encode(),
              "app.raw_bytes": b"\x00raw"}
LOG_LINE = r"\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t%s\thandled 7\n"  # Lambda's Python log line

# a callback handler, as older functions are written, and one that answers the trace id the runtime set
NODE_CALLBACK_AND_TRACE = ('exports.callback = (event, context, callback) => callback(null, { n: event.n });\n'
                           'exports.trace = async () => ({ trace: process.env._X_AMZN_TRACE_ID ?? null });\n')


def node_function(folder: Path, runtime: str) -> Path:
    """A Node function of ``runtime`` in ``folder`` (its own repo) with ``NODE_CALLBACK_AND_TRACE``; its TOML."""
    (folder / ".git").mkdir(parents=True)
    (folder / "index.js").write_text(NODE_CALLBACK_AND_TRACE)
    toml = folder / "lambda_node_plain.toml"
    toml.write_text(f'[metadata]\nname = "node-plain"\nruntime = "{runtime}"\nhandler = "index.callback"\n\n'
                    '[build]\nsource_path = "."\narchitectures = ["x86_64"]\n')
    return toml


def invoke_once(spec, root: Path, options, event: bytes = b"{}"):
    """One invocation of the built ``spec`` on a new runtime (closed after): (the Result, the Launch)."""
    from genesys_tasks.local.function import open_function

    process, launch = open_function(spec, root, options)
    try:
        return process.invoke(event), launch
    finally:
        process.close()
