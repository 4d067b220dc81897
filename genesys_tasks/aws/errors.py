"""botocore's exceptions, translated once into genesys errors that say what to do.

Missing, expired or rejected credentials and access denials become ``CredentialsError``
(exit 3) naming the action and the resource; every other failed call is an
``AwsError`` (exit 1) with AWS's own code and message.
"""

from __future__ import annotations

from ..errors import AwsError, CredentialsError, GenesysError

CONFIGURE_HINT = ("configure credentials: `aws configure` or `aws sso login`, set AWS_PROFILE, or "
                  "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; or try it without an account: --sandbox")
EXPIRED_CODES = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
REJECTED_CODES = {"InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch",
                  "AuthFailure", "InvalidAccessKeyId", "IncompleteSignature"}
DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
                "UnauthorizedAccess", "Forbidden"}


def error_code(err: Exception) -> str:
    return getattr(err, "response", {}).get("Error", {}).get("Code", "") if hasattr(err, "response") else ""


def translate(err: Exception, action: str, resource: str) -> GenesysError:
    """The genesys error for ``err`` raised by ``action`` (e.g. lambda:GetFunction) on ``resource``."""
    import botocore.exceptions as bx

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
    if isinstance(err, bx.EndpointConnectionError):
        return AwsError(f"cannot reach AWS for {action}: {err}",
                        hint="check the network, AWS_ENDPOINT_URL, or that the sandbox is running")
    if isinstance(err, bx.ClientError):
        code = error_code(err)
        message = err.response.get("Error", {}).get("Message", "") or str(err)
        if code in EXPIRED_CODES:
            return CredentialsError(f"AWS credentials have expired ({action} on {resource}): {message}",
                                    hint="refresh them (`aws sso login`, or new session keys), then run again")
        if code in REJECTED_CODES:
            return CredentialsError(f"AWS rejected the credentials ({action} on {resource}): {message}",
                                    hint=CONFIGURE_HINT)
        if code in DENIED_CODES:
            return CredentialsError(f"access denied: {action} on {resource}: {message}",
                                    hint=f"grant {action} on {resource} to the identity you deploy with")
        return AwsError(f"{action} on {resource} failed: {code}: {message}")
    if isinstance(err, bx.WaiterError):
        return AwsError(f"{action} on {resource} did not finish: {err}",
                        hint="look at the resource in the AWS console; run again once it settles")
    if isinstance(err, bx.BotoCoreError):
        return AwsError(f"{action} on {resource} failed: {err}")
    raise err
