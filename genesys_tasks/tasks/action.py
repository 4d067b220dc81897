"""How a genesys step runs as a doit action, and how its failure reaches the exit code.

``Action(step, spec, root, *args)`` is a picklable callable (``doit -n`` sends tasks to
worker processes): it calls the module-level ``step(spec, root, *args)`` (given a
``function.Function``, its spec, unpickled only when the action runs). A ``GenesysError`` comes
back as ``Failure``, doit's ``TaskFailed`` carrying genesys's message and exit code;
any other exception is an internal error, said in one line (the traceback only with
``--debug``/``GENESYS_DEBUG``). Nothing is kept in a module global: the reporter reads
the exit code off the failure doit hands it.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from doit.exceptions import TaskFailed

from ..build.toolrun import debug_enabled
from ..errors import EXIT_FAILED, GenesysError, MissingTool
from .function import Function


class Failure(TaskFailed):
    """A failed genesys step: its rendered message, the exit code genesys gives it, and the missing
    program with how to install it when that is why it failed (``MissingTool``)."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED, missing: tuple[str, str] | None = None):
        super().__init__(message)
        self.exit_code = exit_code
        self.missing = missing


def internal_error(err: BaseException) -> str:
    """One line for an unexpected exception; the traceback too when debugging."""
    line = traceback.format_exception_only(type(err), err)[-1].strip()
    text = f"internal error (a bug in genesys): {line}"
    if debug_enabled():
        text += "\n" + "".join(traceback.format_exception(type(err), err, err.__traceback__))
    else:
        text += "\n  fix: run again with --debug (or GENESYS_DEBUG=1) for the traceback, and report it"
    return text


class Action:
    """``step(spec, root, *args)`` as a doit action; failures become ``Failure``. ``function``: a spec, or a
    ``Function`` whose spec is made when the action runs."""

    def __init__(self, step, function, root: Path, *args):
        self.step, self.function, self.root, self.args = step, function, root, args
        self.__name__ = f"{step.__name__}:{function.name}"

    @property
    def spec(self):
        return self.function.spec if isinstance(self.function, Function) else self.function

    def __call__(self):
        try:
            return self.step(self.spec, self.root, *self.args)
        except MissingTool as err:
            return Failure(err.render(), err.exit_code, missing=(err.tool, err.hint or ""))
        except GenesysError as err:
            return Failure(err.render(), err.exit_code)
        except Exception as err:  # noqa: BLE001 - a bug: one line, never a doit traceback
            return Failure(internal_error(err), EXIT_FAILED)

    def __repr__(self) -> str:
        return f"<action {self.__name__}>"
