"""``genesys config verify``: who the credentials are, where they point, and whether AWS answers.

Makes only read calls: sts:GetCallerIdentity, then one small list call each to
Lambda and IAM (the two services every deploy needs). Credentials that are
missing, expired or denied exit 3, as everywhere else in genesys.
"""

from __future__ import annotations

from pathlib import Path

from .. import ui
from ..errors import GenesysError
from ..sandbox import within as target

CHECKS = (("Lambda", "lambda", "list_functions", {"MaxItems": 1}),
          ("IAM", "iam", "list_roles", {"MaxItems": 1}))


def verify(clients) -> tuple[dict, GenesysError | None]:
    """The facts as plain data, and the first failure of a service check (None when all answer)."""
    identity = clients.sts.get_caller_identity()  # no usable credentials: CredentialsError, exit 3
    facts = {"account": identity["Account"], "region": clients.region, "identity": identity["Arn"],
             "endpoint": clients.target.endpoint, "profile": clients.target.profile}
    failure = None
    for label, service, method, params in CHECKS:
        try:
            getattr(clients.adapter(service), method)(**params)
            facts[service] = {"answers": True}
        except GenesysError as err:
            facts[service] = {"answers": False, "error": err.message}
            failure = failure or err
    return facts, failure


def show(facts: dict) -> None:
    """The facts for people; ``--output json`` prints ``facts`` themselves instead."""
    ui.info(f"account:  {facts['account']}")
    ui.info(f"region:   {facts['region']}")
    ui.info(f"identity: {facts['identity']}")
    if facts["profile"]:
        ui.info(f"profile:  {facts['profile']}")
    if facts["endpoint"]:
        ui.info(f"endpoint: {facts['endpoint']}")
    for label, service, _method, _params in CHECKS:
        state = facts[service]
        if state["answers"]:
            ui.success(f"{label} answers")
        else:
            ui.error(f"{label} does not answer: {state['error']}")


def run(args) -> int:
    return command(Path(args.toml) if args.toml else None, sandbox=args.sandbox, json_output=args.output == "json",
                   region=args.region, profile=args.profile)


def command(toml=None, *, sandbox: bool = False, json_output: bool = False, region: str | None = None,
            profile: str | None = None) -> int:
    """Run the checks for the default credential chain, or the target of ``toml``'s [deployment]."""
    from ..aws.target import target_for
    from ..deploy.session import Options, Session

    session = Session(Options(region=region, profile=profile))  # --region/--profile over the TOML's
    spec = None
    if toml is not None:
        from ..config import load

        spec = load(toml, warn=ui.warn)
    with target(sandbox):
        clients = session.clients(spec) if spec is not None else session.clients_at(target_for(region, profile))
        facts, failure = verify(clients)
    if json_output:
        ui.emit_json(facts)
    else:
        show(facts)
    if failure is not None:
        raise failure
    return 0
