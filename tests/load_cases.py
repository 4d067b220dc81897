"""What the config tests of refused inputs share: a one-function project, the line a key is on,
and the ConfigError a load must raise (exit 2, a fix, and the place it names)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from genesys_tasks import config
from genesys_tasks.errors import ConfigError

TODAY = dt.date(2026, 11, 26)
HANDLER = "def lambda_handler(event, context):\n    return 1\n"


def function_project(tmp_path: Path, text: str | bytes, files: dict[str, str] | None = None) -> Path:
    """``lambda_fn.toml`` holding ``text`` in a repo with app.py (and ``files``) beside it."""
    (tmp_path / ".git").mkdir(exist_ok=True)
    for name, content in {"app.py": HANDLER, **(files or {})}.items():
        (tmp_path / name).write_text(content)
    toml = tmp_path / "lambda_fn.toml"
    toml.write_bytes(text if isinstance(text, bytes) else text.encode())
    return toml


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the first line of ``path`` containing ``needle``."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line)


def refused(toml: Path, says: str, line: int | None, key: str | None) -> ConfigError:
    """Load ``toml``; it must fail with exit 2, a fix, ``says`` in the message, at ``line`` and ``key``."""
    with pytest.raises(ConfigError) as caught:
        config.load(toml, today=TODAY)
    err = caught.value
    assert says in err.message and err.hint and err.exit_code == 2, err.render()
    assert (err.where.file, err.where.line, err.where.key) == (toml, line, key), err.render()
    return err
