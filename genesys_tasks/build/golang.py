"""Go functions (provided.al2023): compile a static ``bootstrap`` per architecture and zip it.

Go has no layer: the binary carries its dependencies. The build is reproducible
(``-trimpath``, no VCS stamp, empty build id), so the same sources give the same
zip on any machine and under any path. Go itself comes from the system
(``golang-go`` on Debian); modules resolve through the user's own GOPROXY settings.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from ..config.locate import where_in
from ..errors import BuildError, ConfigError
from . import toolrun
from .zipper import write_zip

GOARCH = {"x86_64": "amd64", "arm64": "arm64"}
INSTALL_HINT = "install Go 1.19 or newer (Debian/Ubuntu: apt-get install golang-go) so `go` is on PATH"
_PACKAGE_MAIN = re.compile(r"^\s*package\s+main\b", re.M)
_FUNC_MAIN = re.compile(r"^func\s+main\s*\(\s*\)", re.M)


def main_package_problem(source: Path) -> str | None:
    """Why ``source`` cannot become a ``bootstrap`` (no ``package main`` with ``func main()``), or None."""
    files = sorted(p for p in source.glob("*.go") if not p.name.endswith("_test.go"))
    if not files:
        return f"no .go files in {source}"
    texts = [p.read_text(errors="replace") for p in files]
    if not any(_PACKAGE_MAIN.search(t) for t in texts):
        package = re.search(r"^\s*package\s+(\w+)", texts[0], re.M)
        name = package.group(1) if package else "?"
        return f"{source} holds package {name!r}, not package main: Lambda runs a `bootstrap` executable"
    if not any(_PACKAGE_MAIN.search(t) and _FUNC_MAIN.search(t) for t in texts):
        return f"package main in {source} has no func main()"
    return None


def check_main_package(spec) -> None:
    """ConfigError (exit 2) when the source folder has no main package to build."""
    problem = main_package_problem(spec.source_path)
    if problem:
        raise ConfigError(problem, where=where_in(spec.path, "build", "source_path"),
                          hint="point [build] source_path at the folder with `package main` and `func main()` "
                               "(e.g. cmd/<name>), or add one that starts the Lambda runtime loop")


def _go_hint(output: str) -> str:
    if re.search(r"requires go >?= ?[\d.]+|go\.mod requires go", output):
        return "the go directive in go.mod needs a newer Go than this one: install it, or lower the directive"
    if re.search(r"dial tcp|proxy\.|GOPROXY|module lookup disabled|cannot find module providing", output):
        return ("go could not fetch a module: run `go mod download` where the module proxy is reachable "
                "(or vendor the modules with `go mod vendor`), then build again")
    return "fix the compile error above (run `go build .` in the source folder to reproduce)"


def build_bootstrap(source: Path, arch: str, out: Path) -> Path:
    """Compile the main package in ``source`` for Linux/``arch`` into ``out``/bootstrap."""
    go = toolrun.require("go", INSTALL_HINT)
    binary = out / "bootstrap"
    try:
        toolrun.run_tool(
            [go, "build", "-tags", "lambda.norpc", "-trimpath", "-buildvcs=false",
             "-ldflags=-s -w -buildid=", "-o", str(binary), "."],
            cwd=source, what=f"go build for {arch}",
            env={"GOOS": "linux", "GOARCH": GOARCH[arch], "CGO_ENABLED": "0"},
        )
    except BuildError as err:
        raise BuildError(err.message, hint=_go_hint(err.message)) from None
    return binary


def package_go(spec, arch: str, dest: Path) -> None:
    """The function zip for a Go function: one executable entry, ``bootstrap`` (0755)."""
    check_main_package(spec)
    with tempfile.TemporaryDirectory(prefix="genesys-go-") as tmp:
        binary = build_bootstrap(spec.source_path, arch, Path(tmp))
        binary.chmod(0o755)
        write_zip([("bootstrap", binary)], dest)
