"""The sandbox's answers to Lambda's control plane where moto's are not Lambda's, in front of moto's app.

``answer`` takes the requests it adjusts (else None: moto answers alone):

- the function-URL config calls: moto's ``https://<id>.lambda-url.<region>.on.aws`` URLs rewritten to
  the sandbox's ``http://<id>.lambda-url.<region>.localhost:<port>/`` (``local_url``);
- UpdateFunctionCode's ``Architectures``, which moto ignores: the function takes it, as Lambda's does;
- CreateFunction and UpdateFunctionCode of an image by digest: ``CodeSha256`` is the digest's hex, as
  Lambda reports it (moto's stub of ECR hashes the ImageUri string);
- GetAccountSettings, which moto lacks (AWS's own samples call it as they start): Lambda's default
  limits, and the emulator's functions as the usage.

Also the small WSGI helpers ``local.sandbox_lambda`` shares, and why an image function does not run here
(``image_function_note``).
"""

from __future__ import annotations

import io
import json
import os
import re

from ..shell import command

URL_CONFIG_PATH = re.compile(r"^/2021-10-31/functions/[^/]+/urls?$")
CODE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/code/?$")
CREATE_PATH = re.compile(r"^/2015-03-31/functions/?$")
ACCOUNT_SETTINGS_PATH = re.compile(r"^/2016-08-19/account-settings/?$")
IMAGE_DIGEST = re.compile(r"@sha256:(?P<hex>[0-9a-f]{64})$")
MOTO_URL = re.compile(rb"https://([a-z0-9]+)\.lambda-url\.([a-z0-9-]+)\.on\.aws/?")
REGION_IN_AUTH = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[a-z0-9-]+)/")


def answer(app, environ, start_response):
    """The adjusted answer to ``environ`` when it is one of the calls above, else None."""
    from urllib.parse import unquote

    path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD")
    if URL_CONFIG_PATH.match(path):
        return _with_local_urls(app, environ, start_response)
    code = CODE_PATH.match(path)
    if code and method == "PUT":
        return _with_architectures(app, unquote(code["name"]), environ, start_response)
    if CREATE_PATH.match(path) and method == "POST":
        return _with_image_sha256(app, environ, start_response)
    if ACCOUNT_SETTINGS_PATH.match(path) and method == "GET":
        return respond(start_response, 200, {"Content-Type": "application/json"},
                       json.dumps(account_settings(region_of(environ))).encode())
    return None


def local_url(url_id: str, region: str, port) -> str:
    """The sandbox's address of a function URL (names under .localhost resolve to 127.0.0.1)."""
    return f"http://{url_id}.lambda-url.{region}.localhost:{port}/"


def lambda_backend(region: str):
    from moto.awslambda.models import lambda_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    return lambda_backends[DEFAULT_ACCOUNT_ID][region]


def image_function_note(name: str, qualifier: str | None, region: str) -> str | None:
    """Why the function the emulator holds under ``name`` cannot run here, when it is a container image."""
    try:
        fn = lambda_backend(region).get_function(name, qualifier)
    except Exception:  # noqa: BLE001 - moto's not-found: moto answers the call itself
        return None
    if getattr(fn, "package_type", None) != "Image":
        return None
    toml = (getattr(fn, "tags", None) or {}).get("genesys:toml")
    local, container = ((command("genesys", "invoke", operands=(toml,)),
                         command("genesys", "invoke", "--container", operands=(toml,))) if toml
                        else ("genesys invoke <its TOML>", "genesys invoke --container <its TOML>"))
    return (f"{fn.function_name} is a container image: the sandbox runs the code of zip functions only; "
            f"run it on this machine with `{local}` (its own layers) or `{container}` (the image in Podman)")


CONCURRENCY = 1000  # Lambda's default concurrent executions per account and region
TOTAL_CODE_SIZE = 75 * 1024 ** 3  # its default storage for functions and layers (75 GB)


def account_settings(region: str) -> dict:
    """GetAccountSettings' answer: Lambda's default limits, and the emulator's functions in ``region`` as usage."""
    from ..build.limits import DIRECT_UPLOAD_MAX, UNZIPPED_MAX

    functions = list(lambda_backend(region)._lambdas.all())
    reserved = sum(int(getattr(fn, "reserved_concurrency", None) or 0) for fn in functions)
    return {"AccountLimit": {"CodeSizeUnzipped": UNZIPPED_MAX, "CodeSizeZipped": DIRECT_UPLOAD_MAX,
                             "ConcurrentExecutions": CONCURRENCY, "TotalCodeSize": TOTAL_CODE_SIZE,
                             "UnreservedConcurrentExecutions": CONCURRENCY - reserved},
            "AccountUsage": {"FunctionCount": len(functions),
                             "TotalCodeSize": sum(int(getattr(fn, "code_size", 0) or 0) for fn in functions)}}


def _with_architectures(app, name: str, environ, start_response):
    """UpdateFunctionCode through moto, then its ``Architectures`` set on ``$LATEST``."""
    body = body_of(environ)
    environ["wsgi.input"] = io.BytesIO(body)
    request = _request_json(body)
    wanted = request.get("Architectures")
    status, headers, answer = _captured(app, environ)
    if wanted and status.startswith("200"):
        try:
            lambda_backend(region_of(environ)).get_function(name, None).architectures = list(wanted)
            answer = json.dumps({**json.loads(answer), "Architectures": list(wanted)}).encode()
        except Exception:  # noqa: BLE001 - moto refused the value: its answer stands
            pass
    answer = _image_sha256(name, _image_uri(request, "ImageUri"), environ, status, answer)
    return respond(start_response, int(status.split()[0]), headers, answer)


def _with_image_sha256(app, environ, start_response):
    """CreateFunction through moto; an image's ``CodeSha256`` then made its digest's hex."""
    body = body_of(environ)
    environ["wsgi.input"] = io.BytesIO(body)
    status, headers, answer = _captured(app, environ)
    request = _request_json(body)
    answer = _image_sha256(request.get("FunctionName", ""), _image_uri(request, "Code", "ImageUri"), environ,
                           status, answer)
    return respond(start_response, int(status.split()[0]), headers, answer)


def _with_local_urls(app, environ, start_response):
    """moto's answer with its ``https://<id>.lambda-url.<region>.on.aws`` URLs made the sandbox's."""
    port = environ.get("SERVER_PORT", "")
    status, headers, body = _captured(app, environ)
    body = MOTO_URL.sub(lambda m: local_url(m[1].decode(), m[2].decode(), port).encode(), body)
    return respond(start_response, int(status.split()[0]), headers, body)


def _request_json(body: bytes) -> dict:
    """A call's JSON body, read once ({} when it is empty, not JSON or not an object: moto answers that)."""
    try:
        found = json.loads(body or b"{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _image_uri(request: dict, *keys: str) -> str:
    """The ImageUri a CreateFunction (``Code.ImageUri``) or UpdateFunctionCode (``ImageUri``) body names."""
    found = request
    for key in keys:
        found = found.get(key) if isinstance(found, dict) else None
    return found if isinstance(found, str) else ""


def _image_sha256(name: str, uri: str, environ, status: str, answer: bytes) -> bytes:
    """A function just given the image ``uri`` by digest reports the digest's hex as its CodeSha256, as
    Lambda does; ``answer`` (moto's) says so too."""
    digest = IMAGE_DIGEST.search(uri)
    if digest is None or not status.startswith(("200", "201")):
        return answer
    try:
        lambda_backend(region_of(environ)).get_function(name, None).code_sha_256 = digest["hex"]
        return json.dumps({**json.loads(answer), "CodeSha256": digest["hex"]}).encode()
    except Exception:  # noqa: BLE001 - moto's answer stands
        return answer


def _captured(app, environ) -> tuple[str, list, bytes]:
    """What ``app`` answers ``environ``: its status line, headers and body."""
    captured = {}

    def keep(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    body = b"".join(app(environ, keep))
    return captured["status"], captured["headers"], body


def region_of(environ) -> str:
    found = REGION_IN_AUTH.search(environ.get("HTTP_AUTHORIZATION", ""))
    return found["region"] if found else os.environ.get("AWS_REGION") or "us-east-1"


def body_of(environ) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length) if length else b""


def respond(start_response, status: int, headers, body: bytes):
    from http import HTTPStatus

    pairs = [(k, v) for k, v in (headers.items() if isinstance(headers, dict) else headers)
             if k.lower() != "content-length"]  # a passed-on answer's length is said again, for its new body
    start_response(f"{status} {HTTPStatus(status).phrase}", pairs + [("Content-Length", str(len(body)))])
    return [body]
