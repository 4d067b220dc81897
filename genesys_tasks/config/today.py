"""The date lifecycle checks judge runtimes on: today, or ``GENESYS_TODAY`` to pin it.

Apart from the loader, so that a run which reads no TOML (a no-op ``doit build`` keys its
spec cache on the date) does not import the loader and every check it brings.
"""

from __future__ import annotations

import datetime as _dt
import os

from ..errors import ConfigError


def today_default() -> _dt.date:
    """Today, or ``GENESYS_TODAY`` (YYYY-MM-DD) so lifecycle checks can be pinned."""
    pinned = os.environ.get("GENESYS_TODAY")
    if not pinned:
        return _dt.date.today()
    try:
        return _dt.date.fromisoformat(pinned)
    except ValueError:
        raise ConfigError(f"GENESYS_TODAY={pinned!r} is not a date",
                          hint="set it as YYYY-MM-DD, e.g. GENESYS_TODAY=2027-01-31, or unset it") from None
