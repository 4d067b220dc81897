"""The terminal's four ways of asking (text, select, checkbox, confirm), on questionary.

questionary (and prompt_toolkit under it) is imported here only, when a question is
asked, so nothing else in genesys pays for it. ``Prompter(input=..., output=...)``
passes a prompt_toolkit input and output to every question: tests drive it with a
pipe input and a dummy output, in process. Ctrl-C raises ``KeyboardInterrupt``
(``unsafe_ask``), which the CLI turns into exit 130.
"""

from __future__ import annotations

from typing import Any, Callable


class Prompter:
    """Asks one question at a time; ``choices`` are (title, value) pairs, a title may carry ``disabled``."""

    def __init__(self, input=None, output=None):
        self.io = {k: v for k, v in (("input", input), ("output", output)) if v is not None}

    @staticmethod
    def _choices(choices: list[tuple], default: Any = None, checked: list | None = None):
        from questionary import Choice

        made = []
        for entry in choices:
            title, value, disabled = (*entry, None)[:3]
            made.append(Choice(title, value=value, disabled=disabled,
                               checked=checked is not None and value in checked))
        return made

    def text(self, message: str, default: str = "", check: Callable[[str], str | None] | None = None) -> str:
        import questionary

        validate = (lambda text: check(text) or True) if check else (lambda text: True)
        return questionary.text(message, default=default, validate=validate, **self.io).unsafe_ask()

    def select(self, message: str, choices: list[tuple], default: Any = None) -> Any:
        import questionary

        made = self._choices(choices)
        start = next((c for c in made if c.value == default and not c.disabled), None)
        return questionary.select(message, choices=made, default=start, **self.io).unsafe_ask()

    def checkbox(self, message: str, choices: list[tuple], default: list,
                 check: Callable[[list], str | None] | None = None) -> list:
        import questionary

        validate = (lambda picked: check(picked) or True) if check else (lambda picked: True)
        return questionary.checkbox(message, choices=self._choices(choices, checked=default), validate=validate,
                                    **self.io).unsafe_ask()

    def confirm(self, message: str, default: bool = False) -> bool:
        import questionary

        return bool(questionary.confirm(message, default=default, **self.io).unsafe_ask())
