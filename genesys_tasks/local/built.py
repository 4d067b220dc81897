"""Build a function through the doit tasks, then open it for local runs: what ``genesys invoke`` and
``genesys serve`` both start with."""

from __future__ import annotations

from pathlib import Path

from .. import ui
from ..errors import UsageError


def open_built(toml: Path, args, loaded: tuple | None = None):
    """Build ``toml``'s function through the doit tasks, then open it for local runs; (None, None)
    if the build failed. ``loaded``: (root, spec) when the caller has loaded ``toml`` already, so it
    is not read (and its warnings shown) twice."""
    from .function import Options, open_function, own_environment
    from ..tasks.runner import load_spec, run_tasks

    if args.timeout is not None and not 0 < args.timeout <= 900:
        raise UsageError(f"--timeout {args.timeout}: Lambda allows 1 to 900 seconds", hint="pass e.g. --timeout 30")
    memory = getattr(args, "memory", None)
    if memory is not None and not 128 <= memory <= 10240:
        raise UsageError(f"--memory {memory}: Lambda allows 128 to 10240 MB", hint="pass e.g. --memory 512")
    root, spec = loaded or load_spec(toml)
    own_environment(spec)  # a missing ${env:...} is said before the build and any client install
    container = getattr(args, "container", False)
    if container:  # said before the build
        from .container import podman

        if not spec.build.is_image:
            raise UsageError(f"--container runs an image function; {spec.name} is built as a zip",
                             hint='set [build] package_type = "image", or run without --container')
        podman()
    if run_tasks(spec.path, ["build:{name}"], debug=args.debug, spec=spec):
        return None, None
    options = Options(arch=args.arch, timeout_s=args.timeout, env_file=Path(args.env_file) if args.env_file else None,
                      pass_credentials=args.pass_credentials, client=args.client, container=container,
                      notify=ui.warn, memory_mb=memory)
    process, launch = open_function(spec, root, options)
    ui.debug(f"runtime: {' '.join(launch.argv)} ({launch.client})")
    return process, launch
