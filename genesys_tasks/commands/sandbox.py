"""``genesys sandbox``: keep the embedded AWS emulator running on 127.0.0.1 until Ctrl-C.

Other commands' ``--sandbox`` use it while it runs; for doit or the AWS CLI it prints
the variables to export.
"""

from __future__ import annotations

import time

from .. import ui


def run(args) -> int:
    from ..sandbox import NOTE, environment, start_recorded, stop_recorded

    server, endpoint = start_recorded()
    ui.success(f"sandbox running at {endpoint} (Ctrl-C stops it)")
    ui.info("commands with --sandbox use it; for doit or the AWS CLI, set:")
    for key, value in environment(endpoint).items():
        ui.info(f"  export {key}={value}")
    ui.info(f"note: {NOTE}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        ui.info("stopping the sandbox")
    finally:
        stop_recorded(server)
    return 0
