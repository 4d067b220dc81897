"""A plain Python runtime loop: import the handler, then call it for each invocation.

Run as ``python -S python_plain.py module.function`` when awslambdaric cannot be
installed. It speaks the same Runtime API and gives errors Lambda's shape. As Lambda's
runtime does, it puts a handler on the root logger (``logging`` records in Lambda's text
format, with the request id) and sets ``_X_AMZN_TRACE_ID`` for each invocation; it has
none of the client's JSON log format or X-Ray segments. Results are marshalled as awslambdaric's
marshaller does: ``Decimal`` as a number (through a float when it is not whole, where awslambdaric
keeps every digit), ``bytes`` as they are, and from Python 3.12 on non-ASCII text unescaped.
"""

import decimal
import http.client
import importlib
import json
import logging
import math
import os
import re
import sys
import time
import traceback

_request_id = ""  # the invocation under way, for the log lines


class _LambdaLogHandler(logging.Handler):
    """Records on stdout as Lambda's Python runtime writes them: level, UTC time, request id, message."""

    def emit(self, record):
        record.aws_request_id = _request_id
        sys.stdout.write(self.format(record))


def _setup_logging():
    handler = _LambdaLogHandler()
    formatter = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
                                  "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    logging.getLogger().addHandler(handler)


def _error(error_type, message, trace=None, request_id=""):
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": trace or []}


class _Encoder(json.JSONEncoder):
    """awslambdaric's marshaller, as far as the standard library's json goes."""

    def default(self, obj):
        if isinstance(obj, decimal.Decimal):
            if obj.is_nan():
                return math.nan
            return int(obj) if obj == obj.to_integral_value() else float(obj)
        return super().default(obj)


_RUNTIME = re.match(r"AWS_Lambda_python(\d+)\.(\d+)", os.environ.get("AWS_EXECUTION_ENV", ""))
_ENCODER = _Encoder(ensure_ascii=not (_RUNTIME and (int(_RUNTIME[1]), int(_RUNTIME[2])) >= (3, 12)))


def _to_json(value):
    return _ENCODER.encode(value).encode()


class InitFailed(Exception):
    """The handler could not be loaded; ``args[0]`` is the init error, in Lambda's shape."""


def _user_error(err, request_id=""):
    """The error of an exception the function's own code raised, as the runtime client reports it: its frames
    as (file, line, function, code) only, so no column markers (``^^^``), as awslambdaric formats them."""
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(err.__traceback__)[1:]]
    return _error(type(err).__name__, str(err), traceback.format_list(frames), request_id)


def _load(handler):
    modname, _, fname = handler.rpartition(".")
    if not modname:
        raise InitFailed(_error("Runtime.MalformedHandlerName", f"Bad handler '{handler}': not enough values to unpack"))
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as err:
        raise InitFailed(_error("Runtime.ImportModuleError", f"Unable to import module '{modname}': {err}")) from None
    except SyntaxError as err:
        raise InitFailed(_error("Runtime.UserCodeSyntaxError", f"Syntax error in module '{modname}': {err}")) from None
    except Exception as err:  # noqa: BLE001 - the module's own code raised while it was imported
        raise InitFailed(_user_error(err)) from None
    try:
        return getattr(module, fname)
    except AttributeError:
        raise InitFailed(_error("Runtime.HandlerNotFound", f"Handler '{fname}' missing on module '{modname}'")) from None


class CognitoIdentity:
    """``context.identity``: an object even when no Cognito identity came with the invocation, as awslambdaric's."""

    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self):
        self.cognito_identity_id = self.cognito_identity_pool_id = None


class Context:
    """The handler's context, with the attributes and methods awslambdaric's ``LambdaContext`` has."""

    def __init__(self, headers):
        self.aws_request_id = headers["Lambda-Runtime-Aws-Request-Id"]
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn", "")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms", "0"))
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity, self.client_context, self.tenant_id = CognitoIdentity(), None, None

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))


def _post(conn, path, body, error_type=None):
    headers = {"Content-Type": "application/json"}
    if error_type:
        headers["Lambda-Runtime-Function-Error-Type"] = error_type
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def main(handler_name):
    global _request_id
    host, _, port = os.environ["AWS_LAMBDA_RUNTIME_API"].rpartition(":")
    conn = http.client.HTTPConnection(host, int(port))
    base = "/2018-06-01/runtime"
    _setup_logging()
    try:
        handler = _load(handler_name)
    except InitFailed as failed:
        error = failed.args[0]
        print(f"[ERROR] {error['errorType']}: {error['errorMessage']}", file=sys.stderr, flush=True)
        _post(conn, f"{base}/init/error", _to_json(error), error["errorType"])
        sys.exit(1)
    while True:
        conn.request("GET", f"{base}/invocation/next")
        response = conn.getresponse()
        event = json.loads(response.read() or b"null")
        headers = {k.title(): v for k, v in response.getheaders()}
        request_id = headers["Lambda-Runtime-Aws-Request-Id"]
        _request_id = request_id
        if headers.get("Lambda-Runtime-Trace-Id"):
            os.environ["_X_AMZN_TRACE_ID"] = headers["Lambda-Runtime-Trace-Id"]
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        try:
            result = handler(event, Context(headers))
        except Exception as err:  # noqa: BLE001 - the function's error is the result
            error = _user_error(err, request_id)
            print(f"[ERROR] {error['errorType']}: {error['errorMessage']}", file=sys.stderr, flush=True)
            _post(conn, f"{base}/invocation/{request_id}/error", _to_json(error), "Unhandled")
            continue
        try:
            body = result if isinstance(result, bytes) else _to_json(result)
        except (TypeError, ValueError) as err:
            error = _error("Runtime.MarshalError", f"Unable to marshal response: {err}", request_id=request_id)
            _post(conn, f"{base}/invocation/{request_id}/error", _to_json(error), "Runtime.MarshalError")
            continue
        status, answer = _post(conn, f"{base}/invocation/{request_id}/response", body)
        if status >= 400:  # refused (a result over 6 MB): awslambdaric says so and its process ends
            print(f"[ERROR] [{int(time.time() * 1000)}] LAMBDA_RUNTIME Failed to post handler success response. "
                  f"Http response code: {status}. {answer.decode(errors='replace')}", file=sys.stderr, flush=True)
            sys.exit(1)


if __name__ == "__main__":
    sys.stdout = os.fdopen(sys.stdout.fileno(), "w", buffering=1)
    main(sys.argv[1])
