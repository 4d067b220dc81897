"""What may go into a generated CI file, and how: the one quoting filter and the name checks.

Every value a template writes goes through ``quote``: a JSON string, which is also a
YAML double-quoted scalar, so ``: ``, `` #``, quotes and brackets stay part of the value.
A value with a newline or another control character is refused (exit 2): nothing in a CI
file needs one, and it would start a new key. Where GitLab expands variables itself (the
values of ``variables:``, environment and resource group names), ``$`` is written ``$$``
so a folder named ``$CI_JOB_TOKEN`` stays a folder name.

Names that select behaviour are checked before rendering: a branch is a git ref name of
safe characters, an environment a GitHub/GitLab environment name, a stage a genesys stage
name, and the folder and name of each function a path of safe characters (all exit 2).
"""

from __future__ import annotations

import json
import re

from ..errors import UsageError

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")
_SAFE_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._+@-]*(/[A-Za-z0-9_][A-Za-z0-9._+@-]*)*")
_BRANCH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/+-]*")
_ENVIRONMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/ -]*[A-Za-z0-9_]|[A-Za-z0-9_]")
_STAGE = re.compile(r"[a-z0-9][a-z0-9-]*")


def quote(value: object, gitlab_literal: bool = False) -> str:
    """``value`` as a YAML-safe scalar (UsageError on control characters); ``$`` doubled for GitLab."""
    text = str(value)
    bad = _CONTROL.search(text)
    if bad:
        raise UsageError(f"{text[:60]!r} has a control character ({bad.group()!r}): it cannot go into a CI file",
                         hint="give the value on one line, without tabs or control characters")
    if gitlab_literal:
        text = text.replace("$", "$$")
    return json.dumps(text, ensure_ascii=False)


def check_branch(branch: str) -> str:
    """``branch`` if it is a git branch name of safe characters (UsageError otherwise)."""
    parts = branch.split("/")
    if (not _BRANCH.fullmatch(branch) or ".." in branch or any(not p or p.startswith(".") or p.endswith(".lock")
                                                               for p in parts) or branch.endswith(".")):
        raise UsageError(f"--branch {branch!r} is not a branch name genesys writes into a CI file",
                         hint="a git branch name of letters, digits and . _ / + - (as `git check-ref-format "
                              "--branch` accepts), for example main or release/2.x")
    return branch


def check_environment(name: str) -> str:
    """``name`` if it is a deployment environment name (letters, digits, space, . _ / -)."""
    if not _ENVIRONMENT.fullmatch(name) or len(name) > 255:
        raise UsageError(f"--environment {name!r} is not an environment name",
                         hint="letters, digits, spaces and . _ / - (no quotes, wildcards or $), for example production")
    return name


def parse_environment(text: str) -> tuple[str, str]:
    """``NAME[=STAGE]`` as (environment, stage); the stage is "" when not given."""
    name, _, stage = text.partition("=")
    check_environment(name)
    if stage and not _STAGE.fullmatch(stage):
        raise UsageError(f"--environment {text!r}: the stage {stage!r} is not a stage name",
                         hint="NAME=STAGE with STAGE a [stages.STAGE] of the TOMLs (lowercase letters, digits, -)")
    return name, stage


def check_path(value: str, what: str) -> str:
    """``value`` (a function's folder, TOML or name) if it has only safe characters; UsageError otherwise."""
    if not _SAFE_PATH.fullmatch(value) or ".." in value.split("/"):
        raise UsageError(f"{what} {value!r} has characters a generated CI file cannot carry safely",
                         hint="rename it to letters, digits and . _ + @ - (a folder or file name may not start "
                              "with . or -, nor hold spaces, quotes, $ or #)")
    return value
