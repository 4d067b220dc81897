"""Who owns what: the input that says what the user lets genesys take over, and the error for a
resource genesys would put its own in place of, that it did not make.

genesys changes and deletes only what carries its mark (``state.MARKER_KEY`` as a tag, its
full marker in a layer-version description, its statement and notification ids). A
same-named resource without the mark is a conflict (``ConflictError``, exit 2) naming it
and what differs, unless the user adopts it with ``--adopt`` (``Ownership.adopt``): then
the plan shows it with the action ``adopt`` and genesys marks it as its own.

The mark names its owner (``marker``): a resource another project or TOML deployed is a
conflict the same way, naming that owner; ``Ownership.owner`` is who deploys now (the
deployer fills it in from the TOML's project; a planner given none compares the mark alone).

A role several functions of a repo name (``[iam] role_name``) is shared: its policies are
the union of what each needs, so the caller, which can read the repo's TOMLs, hands the
planner the other functions' specs (``Ownership.sharers``). Nothing here reads files or AWS.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config.spec import FunctionSpec
from ..errors import EXIT_BAD_INPUT, GenesysError, Where
from ..project import Owner
from . import marker
from .model import shown

ADOPT_FIX = ("adopt it with `--adopt` (under doit: GENESYS_ADOPT=1) so that genesys changes and deletes it "
             "as its own")


@dataclass(frozen=True)
class Ownership:
    """What the planners may take over beyond what genesys made, and who shares the role.

    ``adopt``: same-named unmarked functions, roles, schedule rules and event source
    mappings become genesys's (``genesys execute --adopt``), shown as ``adopt`` in the plan.
    ``sharers``: the specs of the repo's other functions that use the same role.
    ``owner``: who deploys now (``project.owner_of``), written into the marks and compared with them.
    ``replace``: ``--replace`` (GENESYS_REPLACE=1) allows a replacement: zip ↔ image.
    """

    adopt: bool = False
    sharers: tuple[FunctionSpec, ...] = ()
    owner: Owner | None = None
    replace: bool = False  # a function AWS cannot change in place (zip ↔ image) is deleted and made again

    def standing(self, tags: dict, per_toml: bool = True) -> str:
        """Whose a resource with ``tags`` is, for this owner (``marker.standing``)."""
        return marker.standing(tags, self.owner, per_toml)

    def tags(self, per_toml: bool = True) -> dict:
        """The mark for what genesys makes now."""
        return marker.owner_tags(self.owner, per_toml)


class ConflictError(GenesysError):
    """A resource genesys would create or change exists and was not made by genesys."""

    exit_code = EXIT_BAD_INPUT


def conflict(what: str, differs: list[str], fixes: list[str], where: Where | None = None,
             tags: dict | None = None) -> ConflictError:
    """``what`` exists unmarked, or (its ``tags`` say) marked by another owner: say so, what differs
    from what genesys would make, and the fixes (``fixes`` first, adopting last)."""
    if tags is not None and marker.standing(tags, None) == marker.OURS:
        message = f"{what} exists and was made by genesys for another owner: {marker.owner_named(tags)}"
    else:
        message = f"{what} exists and was not made by genesys (it has no genesys mark)"
    if differs:
        message += "; it differs from what genesys would make: " + "; ".join(differs)
    return ConflictError(message, hint=", or ".join([*fixes, ADOPT_FIX]), where=where)


def differences(changes, labels: dict | None = None) -> list[str]:
    """A planned change's field diffs as people read them (``memory: 1024 → 256``), leaving out the
    tags genesys would add (the missing mark is the conflict); environment values come masked."""
    labels = labels or {}

    def label(name: str) -> str:  # "Environment.KEY" may be labelled through its "Environment." prefix
        head, dot, rest = name.partition(".")
        return labels.get(name) or (labels[head + dot] + rest if dot and head + dot in labels else name)

    return [f"{label(name)}: {shown(old)} → {shown(new)}" for name, old, new in changes
            if not name.startswith("Tags.")]
