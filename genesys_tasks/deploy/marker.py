"""genesys's mark on what it makes, and whose it is: the tags, and how a resource's tags compare
with the owner that deploys now.

A tagged resource genesys made carries ``genesys:managed=true`` and its owner
(``project.Owner``): ``genesys:owner`` (the project's id) and ``genesys:toml`` (the TOML's
path in the project). A role, which several TOMLs of a project may share, carries the
project only. Against an owner, a resource's tags are:

- ``OURS``: marked by this owner (or no owner is known: a planner given no owner compares the
  mark alone);
- ``CLAIM``: the old mark alone (``genesys:managed=true``, no owner), what genesys made before
  marks named their owner: the first owner that deploys it claims it, once, and the plan
  says so; ``delete`` never removes it (the owner cannot be told from the tags);
- ``FOREIGN``: marked by another owner: a conflict (exit 2, naming the owner) unless adopted;
- ``UNMARKED``: no mark: a conflict unless adopted.

Layer versions, permission statements, S3 notifications, versions and aliases carry
genesys's mark in their description or id but no owner: they follow the function (or
layer) they belong to, whose owner is checked.
"""

from __future__ import annotations

from ..config.aws_limits import GENESYS_TAGS
from ..project import Owner

MARKER_KEY, OWNER_KEY, TOML_KEY = GENESYS_TAGS[:3]
OURS, CLAIM, FOREIGN, UNMARKED = "ours", "claim", "foreign", "unmarked"


def owner_tags(owner: Owner | None, per_toml: bool = True) -> dict:
    """The mark for what ``owner`` makes: the marker, the project and (unless shared) the TOML."""
    tags = {MARKER_KEY: "true"}
    if owner is not None:
        tags[OWNER_KEY] = owner.project
        if per_toml:
            tags[TOML_KEY] = owner.toml
    return tags


def standing(tags: dict, owner: Owner | None, per_toml: bool = True) -> str:
    """Whose a resource with ``tags`` is, seen by ``owner``: ``OURS``, ``CLAIM``, ``FOREIGN`` or ``UNMARKED``."""
    if tags.get(MARKER_KEY) != "true":
        return UNMARKED
    if owner is None:
        return OURS
    if OWNER_KEY not in tags:
        return CLAIM
    if tags[OWNER_KEY] == owner.project and (not per_toml or tags.get(TOML_KEY) == owner.toml
                                             or owner.moved_from(tags.get(TOML_KEY, ""))):
        return OURS
    return FOREIGN


def owner_named(tags: dict) -> str:
    """The owner a resource's marks name, as people read it."""
    project = tags.get(OWNER_KEY, "(none)")
    return f"{tags[TOML_KEY]} of project {project}" if TOML_KEY in tags else f"project {project}"


def action(found: str, changed: bool) -> str:
    """The plan's action for a resource genesys updates: ``claim``, ``adopt``, ``update`` or ``no change``."""
    return {CLAIM: "claim", FOREIGN: "adopt", UNMARKED: "adopt"}.get(found) or ("update" if changed else "no change")


def kept_because(found: str, tags: dict) -> str | None:
    """Why ``delete`` keeps a resource it finds ``found``; None when it is this owner's to remove."""
    return {UNMARKED: "not made by genesys (no tag)",
            FOREIGN: f"made by genesys for {owner_named(tags)}",
            CLAIM: "carries the old genesys mark with no owner: deploy it once to claim it, then delete"}.get(found)
