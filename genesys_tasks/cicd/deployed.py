"""What is deployed, as ``genesys changed --since deployed`` asks: the commit each function records.

A deploy with ``GENESYS_COMMIT`` set ends by tagging the function ``genesys:commit`` (see
``deploy.planner.plan_commit``). Reading it is one ListTags call per function (a read the plan role
has), through the deploy session's clients (one per target).
"""

from __future__ import annotations


class DeployedCommits:
    """``deployed(spec)``: the commit the deployed function records; None when it is not deployed or
    records none. ``session`` is a ``deploy.session.Session`` (a new one by default)."""

    def __init__(self, session=None):
        self.session = session

    def __call__(self, spec) -> str | None:
        from ..deploy.planner import COMMIT_KEY
        from ..deploy.session import Session

        if self.session is None:
            self.session = Session()
        clients = self.session.clients(spec)
        arn = f"arn:aws:lambda:{clients.region}:{clients.account()}:function:{spec.name}"
        found = clients.adapter("lambda").call("list_tags", spec.name, missing_ok=True, Resource=arn)
        return (found or {}).get("Tags", {}).get(COMMIT_KEY)
