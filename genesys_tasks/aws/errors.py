"""botocore's exceptions, translated once into genesys errors that say what to do.

Missing, expired or rejected credentials and access denials become ``CredentialsError``
(exit 3) naming the action and the resource; every other failed call is an
``AwsError`` (exit 1) with AWS's own code and message.

Every shape botocore raises is handled, including those without a reply: a
connection refused, dropped or timed out (``HTTPClientError`` and ``ConnectionError``
carry ``response=None``), and a ``ClientError`` whose response has no ``Error``.
``connection_failure`` tells the call seam which failures are worth another attempt,
and ``reply_lost`` which of them may have reached AWS (a write that may have been
applied is not sent again blindly).

AWS sometimes echoes a function's environment in its messages (Lambda's 4 KB error
quotes every variable; request validation quotes the map): those values are masked
before anything is shown.
"""

from __future__ import annotations

import re

from ..errors import AccessDenied, AwsError, CredentialsError, GenesysError

CONFIGURE_HINT = ("configure credentials: `aws configure` or `aws sso login`, set AWS_PROFILE, or "
                  "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; or try it without an account: --sandbox")
NETWORK_HINT = "check the network, AWS_ENDPOINT_URL, or that the sandbox is running"
EXPIRED_CODES = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
REJECTED_CODES = {"InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch",
                  "AuthFailure", "InvalidAccessKeyId", "IncompleteSignature"}
DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
                "UnauthorizedAccess", "Forbidden"}
MASK = "****"
# "String measured: {"KEY":"value",...}" (Lambda's 4 KB error): every JSON string value
_JSON_VALUE = re.compile(r'("(?:[^"\\]|\\.)*"\s*:\s*)"(?:[^"\\]|\\.)*"')
# "Value '{KEY=value, ...}' at 'environment.variables' failed to satisfy constraint" (request validation)
_ECHOED_VALUE = re.compile(r"Value '.*?' at '([^']*environment[^']*)'", re.S | re.I)


def _error(err: Exception) -> dict:
    """The ``Error`` part of a reply (a waiter's last poll's, for a waiter), or {} when there was no
    reply or it had none."""
    response = getattr(err, "response", None) or getattr(err, "last_response", None)
    error = response.get("Error") if isinstance(response, dict) else None
    return error if isinstance(error, dict) else {}


def error_code(err: Exception) -> str:
    """AWS's error code (``ThrottlingException``), or "" for failures without a reply."""
    return str(_error(err).get("Code") or "")


def http_status(err: Exception) -> int | None:
    """The HTTP status of AWS's reply, or None for failures without one."""
    response = getattr(err, "response", None)
    meta = response.get("ResponseMetadata") if isinstance(response, dict) else None
    status = meta.get("HTTPStatusCode") if isinstance(meta, dict) else None
    return status if isinstance(status, int) else None


def connection_failure(err: Exception) -> bool:
    """True when the call got no usable reply: refused, dropped, timed out, or cut mid-reply.

    A TLS failure is not one: a certificate that does not verify will not on the next attempt."""
    import botocore.exceptions as bx

    return isinstance(err, (bx.ConnectionError, bx.HTTPClientError)) and not isinstance(err, bx.SSLError)


def reply_lost(err: Exception) -> bool:
    """True when the request may have reached AWS but its reply did not come back (a read timeout, a
    connection closed after sending): a write may have been applied."""
    import botocore.exceptions as bx

    if isinstance(err, (bx.ConnectTimeoutError, bx.EndpointConnectionError, bx.ProxyConnectionError)):
        return False  # the connection was never made: nothing was sent
    return isinstance(err, bx.HTTPClientError)


def mask_environment(text: str) -> str:
    """``text`` with the environment values AWS may echo replaced by ****."""
    if "environment" not in text.lower():
        return text
    text = _JSON_VALUE.sub(lambda m: f'{m.group(1)}"{MASK}"', text)
    return _ECHOED_VALUE.sub(lambda m: f"Value '{MASK}' at '{m.group(1)}'", text)


def translate(err: Exception, action: str, resource: str) -> GenesysError:
    """The genesys error for ``err`` raised by ``action`` (e.g. lambda:GetFunction) on ``resource``."""
    import botocore.exceptions as bx

    if isinstance(err, bx.ClientError):
        return _client_error(err, action, resource)
    if isinstance(err, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return CredentialsError(f"no AWS credentials found (needed for {action} on {resource})",
                                hint=CONFIGURE_HINT)
    if isinstance(err, bx.ProfileNotFound):
        return CredentialsError(f"AWS profile not found: {err}",
                                hint="fix [deployment] profile or AWS_PROFILE, or add the profile to ~/.aws/config")
    if isinstance(err, (bx.SSOTokenLoadError, bx.UnauthorizedSSOTokenError, bx.TokenRetrievalError)):
        return CredentialsError(f"AWS SSO session is missing or expired ({action} on {resource})",
                                hint="run `aws sso login` for the profile")
    if isinstance(err, bx.NoRegionError):
        return CredentialsError("no AWS region configured",
                                hint="set [deployment] region, AWS_REGION, or a region in your AWS profile")
    if isinstance(err, (bx.ConnectionError, bx.HTTPClientError)):
        return _connection_error(err, action, resource)
    if isinstance(err, bx.WaiterError):
        return AwsError(f"{action} on {resource} did not finish: {mask_environment(str(err))}",
                        hint="look at the resource in the AWS console; run again once it settles")
    if isinstance(err, bx.BotoCoreError):
        return AwsError(f"{action} on {resource} failed: {mask_environment(str(err))}")
    raise err


def _client_error(err: Exception, action: str, resource: str) -> GenesysError:
    code = error_code(err)
    message = mask_environment(str(_error(err).get("Message") or "") or str(err))
    if code in EXPIRED_CODES:
        return CredentialsError(f"AWS credentials have expired ({action} on {resource}): {message}",
                                hint="refresh them (`aws sso login`, or new session keys), then run again")
    if code in REJECTED_CODES:
        return CredentialsError(f"AWS rejected the credentials ({action} on {resource}): {message}",
                                hint=CONFIGURE_HINT)
    if code in DENIED_CODES:
        return AccessDenied(f"access denied: {action} on {resource}: {message}",
                                hint=f"grant {action} on {resource} to the identity you deploy with")
    if not code:
        status = http_status(err)
        return AwsError(f"{action} on {resource} failed: AWS answered "
                        f"{f'HTTP {status}' if status else 'without an error code'}: {message}",
                        hint="run again; if it persists, check AWS_ENDPOINT_URL and the AWS Health Dashboard")
    return AwsError(f"{action} on {resource} failed: {code}: {message}")


def _connection_error(err: Exception, action: str, resource: str) -> AwsError:
    import botocore.exceptions as bx

    if isinstance(err, bx.ProxyConnectionError):
        return AwsError(f"cannot reach the proxy for {action}: {err}",
                        hint="check HTTPS_PROXY / HTTP_PROXY, or unset them")
    if isinstance(err, bx.SSLError):
        return AwsError(f"TLS to AWS failed for {action}: {err}",
                        hint="check AWS_CA_BUNDLE / REQUESTS_CA_BUNDLE, or the proxy that intercepts TLS")
    if not reply_lost(err):
        return AwsError(f"cannot reach AWS for {action}: {err}", hint=NETWORK_HINT)
    return AwsError(f"no reply from AWS for {action} on {resource}: {err}", hint=NETWORK_HINT)
