"""The commands genesys prints for a person to copy into a shell, quoted as one.

``command`` is the one place such a line is made: every word goes through ``shlex.quote``, so
a path with a space, a quote, ``$(...)`` or a backtick is one argument again when pasted, and
the paths a command takes as operands follow ``--``, so one starting with ``-`` is never read
as an option. Only commands that accept ``--`` before their operands (genesys's own argparse
commands do) are given operands this way.
"""

from __future__ import annotations

import os
import shlex


def command(*words: object, operands: tuple[object, ...] = ()) -> str:
    """``words`` then ``--`` and ``operands`` (when there are any), each quoted for a POSIX shell."""
    line = [_text(word) for word in words]
    if operands:
        line += ["--", *map(_text, operands)]
    return shlex.join(line)


def _text(word: object) -> str:
    return os.fspath(word) if isinstance(word, os.PathLike) else str(word)
