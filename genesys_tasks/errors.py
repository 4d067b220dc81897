"""The one exception family genesys raises for expected failures, and its exit codes.

Every failure a user can cause or fix is a ``GenesysError`` saying what is wrong,
where (file, line, key) and how to fix it. The CLI and the doit task loader turn it
into a message and an exit code; nothing expected ever reaches the user as a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1  # a build, hook, installer or AWS call failed
EXIT_BAD_INPUT = 2  # config, usage, ambiguous detection
EXIT_CREDENTIALS = 3  # missing credentials or access denied


@dataclass(frozen=True)
class Where:
    """A place in a user's file: the file, the 1-based line when known, and the key path."""

    file: Path | None = None
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        place = str(self.file) if self.file else ""
        if self.file and self.line:
            place += f":{self.line}"
        if self.key:
            place = f"{place}: [{self.key}]" if place else f"[{self.key}]"
        return place


def close_matches(word: str, choices) -> list[str]:
    """The one choice closest to ``word`` (difflib's judgement, as a list of at most one), for an error's
    "did you mean": difflib is imported only when a message needs it."""
    import difflib

    return difflib.get_close_matches(word, choices, n=1)


class GenesysError(Exception):
    """An expected failure: ``message`` says what, ``where`` says where, ``hint`` says the fix."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, hint: str | None = None, where: Where | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.where = where

    def render(self) -> str:
        """The plain-text form shown to people: place, message, then the fix."""
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"\n  fix: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.render()


class ConfigError(GenesysError):
    """The TOML (or a project file next to it) is malformed, invalid or ambiguous."""

    exit_code = EXIT_BAD_INPUT


class UsageError(GenesysError):
    """The command line asks for something that cannot be done as written."""

    exit_code = EXIT_BAD_INPUT


class BuildError(GenesysError):
    """A build step (installer, hook, compiler, container) failed on valid input."""

    exit_code = EXIT_FAILED


class MissingTool(BuildError):
    """A program a build needs (``go``, ``mvn``, ``npm``) is not on PATH; the hint says how to install it.

    ``doit build`` goes on with the functions that do not need it and names each missing
    program once at the end (``tasks/reporter``).
    """

    def __init__(self, tool: str, hint: str):
        super().__init__(f"`{tool}` is not installed (not found on PATH)", hint=hint)
        self.tool = tool


class MissingGrammar(GenesysError):
    """genesys was installed without the extra holding the tree-sitter grammars of a language it must read
    (a generated CI job installs only the grammars of its repo's languages); the hint names the extra."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, label: str, module: str, extra: str):
        super().__init__(
            f"reading {label} sources needs the tree-sitter grammar module {module}, which is not installed here",
            hint=f"pip install 'genesys-lambda[{extra}]' (a plain `pip install genesys-lambda` has every grammar); "
                 "in a CI job whose file genesys generated, run `genesys ci github` (or `genesys ci gitlab`) "
                 f"again, so that its install step installs the {extra} grammars")
        self.extra = extra


class AwsError(GenesysError):
    """An AWS call failed for a reason other than credentials or permissions."""

    exit_code = EXIT_FAILED


class CredentialsError(GenesysError):
    """No usable credentials, or AWS denied access to an action."""

    exit_code = EXIT_CREDENTIALS


class AccessDenied(CredentialsError):
    """AWS denied the identity an action (the credentials themselves are fine)."""
