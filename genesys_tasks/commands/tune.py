"""``genesys tune X.toml [--memory 128,256,...] [--arch x86_64,arm64] [--event FILE|-] [-n 10] [--write]``:
the deployed function measured at each memory size (and architecture) on Lambda itself (or the
sandbox), a table of durations, billed durations, init durations, memory used and the cost of a
million invocations, and three picks (cheapest, fastest, balanced) with the TOML line to change.

``deploy/tune.py`` does the measuring and always puts ``$LATEST`` back and deletes its tuning
versions (a Ctrl-C too: the interrupt is held while that runs). A protected function or stage
is refused without ``--force``. ``--write`` sets the balanced pick in the TOML (tomlkit, comments
kept, atomically). The last measurement is saved for ``genesys cost --from-profile``: the figures
of the setting the function is deployed with, when it was among those tuned, else the balanced pick's.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from .. import ui
from ..errors import EXIT_FAILED, UsageError
from ..sandbox import within
from ..shell import command

DEFAULT_MEMORY = (128, 256, 512, 1024, 1769, 3008)
ARCHITECTURES = ("x86_64", "arm64")


def run(args) -> int:
    from ..deploy.tune import picks
    from ..pricing import load_prices

    root, spec, settings, event = _checked(args)
    if any(s.architecture != spec.deployment.architecture for s in settings):
        from ..tasks.runner import run_tasks

        code = run_tasks(spec.path, ["build:{name}"], debug=getattr(args, "debug", False), spec=spec)
        if code:
            return code
    prices = load_prices()
    json_output = args.output == "json"
    rows, deployed = _measure(args, spec, root, settings, event, show=None if json_output else prices)
    chosen = picks(rows, prices)
    saved = _save(root, spec.name, rows, chosen, deployed)
    if json_output:
        ui.emit_json({"function": spec.name, "rows": [r.as_dict(prices) for r in rows],
                      "picks": {k: {"memory_mb": r.setting.memory_mb, "architecture": r.setting.architecture,
                                    "toml": toml_lines(spec, r.setting)} for k, r in chosen.items()},
                      "saved": saved.as_dict() if saved else None})
    else:
        _show_picks(spec, chosen, prices)
    if not chosen:
        ui.error(f"{spec.name} failed at every setting: nothing to pick")
        return EXIT_FAILED
    if args.write:
        _write(spec, chosen["balanced"].setting)
    if saved is not None and not json_output:
        from ..measured import record_path

        ui.info(f"saved for `genesys cost --from-profile`: {saved.duration_ms:.1f} ms at {saved.memory_mb} MB "
                f"{saved.architecture} ({record_path(root, spec.name).relative_to(root)})")
    return 0


def _checked(args):
    """(root, spec, the settings, the event) from the command line; bad input is a UsageError."""
    from ..config.stages import refuse_protected
    from ..deploy.tune import Setting
    from ..tasks.runner import load_spec
    from ..local.event_file import read_event

    memories = memory_list(args.memory)
    if args.n < 1:
        raise UsageError(f"-n {args.n}: at least one invocation a setting", hint="pass e.g. -n 10")
    event = read_event(args.event)
    root, spec = load_spec(Path(args.toml), stage=args.stage)
    refuse_protected(spec, args.force, "tune changes its $LATEST configuration and publishes versions for a while",
                     hint="tune another stage, or pass --force")
    arches = arch_list(args.arch) or [spec.deployment.architecture]
    missing = [a for a in arches if a not in spec.build.architectures]
    if missing:
        raise UsageError(f"{spec.name} is not built for {', '.join(missing)}",
                         hint=f"add it to [build] architectures in {spec.path.name}, or pass --arch "
                              f"{spec.deployment.architecture}")
    return root, spec, [Setting(m, a) for a in arches for m in memories], event


def _measure(args, spec, root: Path, settings, event: bytes, show):
    """The rows, and the setting ``$LATEST`` had (and has again after); ``show``: the prices to show
    each row with as it is measured (None: show none)."""
    from ..deploy.session import Options, Session
    from ..deploy.tune import Tuning

    session = Session(Options.from_args(args))
    with within(args.sandbox):
        if args.sandbox:  # the sandbox runs on this host: its runs have the limits this process could have
            from ..local.quota import tell

            tell(ui.warn)
        spec = session.aimed(spec)
        tuning = Tuning(session.clients(spec), spec.name, event, args.n, code_of=built_code(spec, root),
                        progress=ui.progress)
        try:
            rows = tuning.run(settings, on_row=(lambda row: None) if show is None else _row_shower(show))
        finally:
            with _held_interrupts():
                tuning.restore()
            if tuning.before is not None and show is not None:
                ui.info(f"$LATEST of {spec.name} is back at {tuning.before.setting}; the tuning versions are deleted")
    return rows, tuning.before.setting


def _write(spec, best) -> None:
    """``--write``: the balanced pick into the TOML, comments kept."""
    from ..deploy.writeback import set_values

    if set_values(spec.path, toml_values(spec, best)):
        ui.success(f"wrote the balanced pick ({best}) into {spec.path.name}")
    else:
        ui.info(f"{spec.path.name} already says {best}")


def memory_list(text: str | None) -> list[int]:
    """``--memory 128,256``: Lambda's sizes (128 to 10240 MB), each once, in order."""
    if not text:
        return list(DEFAULT_MEMORY)
    found = []
    for item in text.split(","):
        try:
            value = int(item.strip())
        except ValueError:
            raise UsageError(f"--memory {text}: {item.strip()!r} is not a number of MB",
                             hint="pass e.g. --memory 128,512,1769") from None
        if not 128 <= value <= 10240:
            raise UsageError(f"--memory {text}: {value} MB is outside Lambda's 128 to 10240 MB",
                             hint="pass sizes from 128 to 10240")
        if value not in found:
            found.append(value)
    return found


def arch_list(text: str | None) -> list[str] | None:
    """``--arch x86_64,arm64``; None (the deployed one) when not given."""
    if not text:
        return None
    found = []
    for item in (i.strip() for i in text.split(",")):
        if item not in ARCHITECTURES:
            raise UsageError(f"--arch {text}: {item!r} is not a Lambda architecture", hint="x86_64 or arm64")
        if item not in found:
            found.append(item)
    return found


def built_code(spec, root: Path):
    """``code_of(arch, expect)`` for ``Tuning``: this checkout's build of ``arch`` as ZipFile bytes."""
    import base64

    from ..build.record import read_record, record_path

    def code_of(arch: str, expect: str | None = None) -> dict:
        record = read_record(record_path(root, spec.name, arch),
                             hint=f"build it: {command('genesys', 'lambda', 'build', operands=(spec.path.name,))}")
        if getattr(record, "kind", "zip") != "zip":
            raise UsageError(f"{spec.name}'s {arch} build is an image: genesys tune switches zip code only",
                             hint="pass only the deployed architecture to --arch")
        data = Path(record.path).read_bytes()
        if expect is not None:
            import hashlib

            if base64.b64encode(hashlib.sha256(data).digest()).decode() != expect:
                raise UsageError(f"the deployed code of {spec.name} is not this checkout's {arch} build: it could "
                                 "not be put back after tuning another architecture",
                                 hint=f"deploy first ({command('genesys', 'execute', operands=(spec.path.name,))}), "
                                      f"or pass --arch {arch}")
        return {"ZipFile": data}

    return code_of


def toml_values(spec, setting) -> dict:
    """The TOML keys (path of tables → value) that make ``setting`` the deployed one."""
    prefix = ("stages", spec.stage) if spec.stage else ()
    values = {(*prefix, "function", "memory_mb"): setting.memory_mb}
    if setting.architecture != spec.deployment.architecture:
        values[(*prefix, "deployment", "architecture")] = setting.architecture
    return values


def toml_lines(spec, setting) -> list[str]:
    return [f"[{'.'.join(path[:-1])}] {path[-1]} = {value!r}".replace("'", '"')
            for path, value in toml_values(spec, setting).items()]


def _save(root: Path, name: str, rows, chosen: dict, deployed):
    """The measurement ``cost --from-profile`` reads: the deployed setting's row when it was tuned and
    every invocation there succeeded, else the balanced pick's; None when there is neither."""
    from .. import measured

    row = next((r for r in rows if r.setting == deployed and r.usable), None) or chosen.get("balanced")
    if row is None:
        return None
    record = measured.Measurement("tune", name, row.setting.memory_mb, row.setting.architecture,
                                  round(row.duration_ms, 2), round(row.init_ms, 2) if row.init_ms else None,
                                  datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    measured.save(root, record)
    return record


HEADER = f"{'memory':>8} {'arch':<7} {'p50 ms':>9} {'billed ms':>10} {'init ms':>9} {'max MB':>7} {'$/1M inv.':>10}"


def _row_shower(prices):
    """The table as it is measured: its header before the first row."""
    shown = []

    def show(row) -> None:
        if not shown:
            ui.info(HEADER)
            shown.append(row)
        _show_row(row, prices)

    return show


def _show_row(row, prices) -> None:
    init = f"{row.init_ms:.1f}" if row.init_ms is not None else "-"
    cost = f"{row.cost(prices):.4f}" if row.usable else f"failed ({row.errors}x {row.error})"
    ui.info(f"{row.setting.memory_mb:>5} MB {row.setting.architecture:<7} {row.duration_ms:>9.1f} "
            f"{row.billed_ms:>10.1f} {init:>9} {row.max_memory_mb:>7} {cost:>10}")


def _show_picks(spec, chosen: dict, prices) -> None:
    for label, row in chosen.items():
        ui.success(f"{label:<9} {row.setting}: {row.duration_ms:.1f} ms, {row.cost(prices):.4f} "
                   f"{prices['currency']} per million → {'; '.join(toml_lines(spec, row.setting))}")


@contextmanager
def _held_interrupts():
    """Ctrl-C waits while the cleanup runs (a second one would leave versions behind); it is raised
    after, when one came."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came = []
    previous = signal.signal(signal.SIGINT, lambda *_: came.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if came:
        raise KeyboardInterrupt
