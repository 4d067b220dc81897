"""Stages in one file: ``[stages.<name>]`` tables override any key of the other sections.

``apply`` takes the stage the entry chose (``--stage``; where doit enters, ``GENESYS_STAGE``:
``STAGE_ENV``, read there once and handed down), or none, and merges
its tables over the file's: tables key by key, everything else (lists, ``[[triggers]]``)
replaced whole. The function is then named ``<name>-<stage>`` unless the stage sets
``[metadata] name`` itself, so each stage's role, layer, log group and function are its
own; the deployer tags them ``genesys:stage``. ``protected = true`` in a stage's table is its
``[deployment] protected`` (``genesys sync`` and ``genesys tune`` refuse it without ``--force``:
``refuse_protected``). A stage the file does not define is exit 2
naming the ones it does; a file with no ``[stages]`` takes any stage with no overrides.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from ..errors import UsageError

if TYPE_CHECKING:
    from .reader import Reader

STAGE_ENV = "GENESYS_STAGE"


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply(r: Reader, data: dict, stage: str | None) -> tuple[dict, str | None]:
    """The file's data as ``stage`` sees it, without ``[stages]``, and the stage's name (or None)."""
    stages = data.get("stages", {})
    if not isinstance(stages, dict) or any(not isinstance(v, dict) for v in stages.values()):
        raise r.fail(("stages",), "[stages] holds one table per stage",
                     hint='write [stages.dev] and [stages.prod], each with the sections it changes')
    data = {k: v for k, v in data.items() if k != "stages"}
    if not stage:
        return data, None
    if stages and stage not in stages:
        raise r.fail(("stages", next(iter(stages))), f"unknown stage {stage!r}",
                     hint="this file defines: " + ", ".join(sorted(stages)) + f" (check --stage or {STAGE_ENV})")
    override = dict(stages.get(stage, {}))
    if "protected" in override:  # `[stages.prod] protected = true`: the stage's [deployment] is protected
        override["deployment"] = {**override.get("deployment", {}), "protected": override.pop("protected")}
    merged = _merge(data, override)
    if "name" not in override.get("metadata", {}) and isinstance(merged.get("metadata", {}).get("name"), str):
        merged["metadata"] = {**merged["metadata"], "name": f"{merged['metadata']['name']}-{stage}"}
    return merged, stage


def refuse_protected(spec, force: bool, why: str, hint: str) -> None:
    """A command that changes a deployed function past the review a deploy gets refuses a protected
    function or stage (exit 2, saying ``why``) unless ``force``."""
    if spec.deployment.protected and not force:
        raise UsageError(f"{spec.name} is protected{f' (stage {spec.stage})' if spec.stage else ''}: {why}",
                         hint=hint)
