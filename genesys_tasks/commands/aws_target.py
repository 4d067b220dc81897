"""What the commands that talk to AWS share: where the calls go, and what waiting says.

``--sandbox`` points every call of the block at the embedded emulator (the running
``genesys sandbox``, else one started for the command); without it, boto3's own chain
and the TOML's ``[deployment]`` decide. ``notify`` is how the AWS adapters' waits
(for IAM to propagate a new role) reach people.
"""

from __future__ import annotations

import contextlib

from .. import ui


def target(sandbox: bool):
    """A context manager: the sandbox's endpoint inside the block, or None for real AWS."""
    if not sandbox:
        return contextlib.nullcontext(None)
    from ..sandbox import use_sandbox

    return use_sandbox()


def notify(message: str) -> None:
    """What the AWS adapters say while a call waits."""
    ui.info(f"  {message}")


def open_clients(spec):
    """The AWS clients for ``spec``'s target, their waits shown to people."""
    from ..deploy import deployer

    return deployer.open_clients(spec, notify=notify)
