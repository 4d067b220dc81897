"""``genesys completion bash|zsh|fish``: a shell completion script, generated from the command tree.

The script is written by ``shtab`` from the same argparse tree the CLI parses with (handed in
as ``args.parser``), so a new command or flag completes without anyone editing a script.
Install it with e.g. ``genesys completion bash > ~/.local/share/bash-completion/completions/genesys``.
"""

from __future__ import annotations

import sys

from ..errors import UsageError


def run(args) -> int:
    try:
        import shtab
    except ImportError:
        raise UsageError("completion scripts need shtab, which is not installed", hint="pip install shtab") from None
    sys.stdout.write(shtab.complete(args.parser, shell=args.shell))
    return 0
