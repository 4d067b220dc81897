"""Calling a deployed function: ``genesys invoke --remote`` (Lambda's Invoke API, ``LogType=Tail``).

``invoke_deployed`` makes the call through the session's clients and returns plain data: the
payload, whether the function errored (``X-Amz-Function-Error``), the decoded log tail and
the REPORT line in it. A function that is not deployed is a usage error naming the fix,
before anything is sent. Prints nothing.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from ..errors import UsageError


@dataclass(frozen=True)
class RemoteResult:
    """One invocation of the deployed function: its payload, error, log tail and version."""

    payload: bytes
    function_error: str | None  # "Unhandled" / "Handled" when the function errored
    log_tail: str  # the last 4 KB of the invocation's log, decoded
    version: str | None  # the version that ran

    @property
    def failed(self) -> bool:
        return self.function_error is not None

    @property
    def report(self) -> str | None:
        """Lambda's REPORT line of this invocation (duration, billed, memory), if the tail has it."""
        return next((line for line in reversed(self.log_tail.splitlines()) if line.startswith("REPORT ")), None)


def invoke_deployed(clients, name: str, event: bytes, qualifier: str | None = None) -> RemoteResult:
    """Invoke ``name`` (at ``qualifier``: an alias or version) with ``event`` and wait for the answer;
    a function (or qualifier) that is not deployed is a usage error, before anything is sent."""
    qualified = {"Qualifier": qualifier} if qualifier else {}
    lam = clients.adapter("lambda")
    if lam.get_function(FunctionName=name, **qualified) is None:
        if qualifier and lam.get_function(FunctionName=name) is not None:
            _no_qualifier(clients, name, qualifier)
        where = f"{name}:{qualifier}" if qualifier else name
        raise UsageError(f"{where} is not deployed in {clients.region}",
                         hint="deploy it first (genesys execute X.toml), or check --stage / --region")
    return invoke(clients, name, event, qualifier)


def _no_qualifier(clients, name: str, qualifier: str) -> None:
    """The function is there, the alias or version is not: name those it has."""
    from .state import read_versions

    versions, aliases = read_versions(clients, name)
    has = "; ".join(part for part in (f"aliases: {', '.join(sorted(aliases))}" if aliases else "",
                                      f"versions: {', '.join(str(v.version) for v in versions)}" if versions else "")
                    if part) or "no alias or published version"
    raise UsageError(f"{name} is deployed in {clients.region} but has no alias or version {qualifier!r} ({has})",
                     hint="pass --qualifier with one of those, or leave it out ([deployment] alias, else $LATEST); "
                          "an alias in [deployment] alias is made by the next `genesys execute`")


def invoke(clients, name: str, event: bytes, qualifier: str | None = None) -> RemoteResult:
    """One Invoke of what is known to be deployed (``genesys tune`` invokes the version it just published)."""
    lam = clients.adapter("lambda")
    params = {"FunctionName": name, "Payload": event, "LogType": "Tail"}
    if qualifier:
        params["Qualifier"] = qualifier
    response = lam.invoke(**params)
    payload = response["Payload"].read()
    tail = base64.b64decode(response.get("LogResult") or "").decode("utf-8", errors="replace")
    return RemoteResult(payload, response.get("FunctionError"), tail, response.get("ExecutedVersion"))
