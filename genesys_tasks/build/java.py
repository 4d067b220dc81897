"""Java functions (java11/17/21/25): Maven builds, offline, and Gradle where it is installed.

- Layer (``install``/``version``): the runtime dependencies as jars in ``java/lib``,
  via ``mvn -o dependency:copy-dependencies -DincludeScope=runtime``.
- Function zip (``package_java``): compiled classes and resources at the zip root,
  built in a scratch copy of the sources so the user's tree is never touched and
  the path never leaks into the output. Without a layer, the jars go in ``lib/``.

Maven runs offline (``-o``): dependencies come from the local repository. Setting
``GENESYS_MAVEN_REPO`` to a file repository (such as Debian's /usr/share/maven-repo)
makes it the only source of artifacts, through a generated settings file.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from ..config.locate import where_in
from ..errors import BuildError, ConfigError
from ..paths import cache_dir, write_text_atomic
from . import toolrun
from .sources import source_files
from .zipper import tree_entries, write_zip

MAVEN_REPO_ENV = "GENESYS_MAVEN_REPO"
MAVEN_HINT = "install Maven (Debian/Ubuntu: apt-get install maven) so `mvn` is on PATH"
GRADLE_FILES = ("build.gradle", "build.gradle.kts")
_RELEASE_PINS = ("maven.compiler.release", "<release>", "maven.compiler.source", "<source>",
                 "maven.compiler.target", "<target>")


# ---------------------------------------------------------------- maven

def _maven_settings(repo: str) -> Path:
    """A settings file mirroring every repository to ``repo`` (a folder), written once, atomically."""
    url = Path(repo).absolute().as_uri()
    text = ("<settings>\n  <mirrors>\n    <mirror>\n      <id>genesys-file-repo</id>\n"
            f"      <mirrorOf>*</mirrorOf>\n      <url>{url}</url>\n    </mirror>\n  </mirrors>\n</settings>\n")
    folder = cache_dir() / "maven"
    path = folder / f"settings-{hashlib.sha256(text.encode()).hexdigest()[:12]}.xml"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, text)
    return path


def maven_command(*goals: str) -> list[str]:
    """``mvn`` offline and quiet, resolving from ``GENESYS_MAVEN_REPO`` when it is set."""
    mvn = toolrun.require("mvn", MAVEN_HINT)
    cmd = [mvn, "-B", "-q", "-o", "-Dstyle.color=never"]
    repo = os.environ.get(MAVEN_REPO_ENV)
    if repo:
        if not Path(repo).is_dir():
            raise BuildError(f"{MAVEN_REPO_ENV}={repo} is not a folder",
                             hint="point it at a file Maven repository, e.g. /usr/share/maven-repo, or unset it")
        # File repositories count as remote, and offline mode refuses remotes unless told otherwise.
        cmd += ["-s", str(_maven_settings(repo)), "-Daether.offline.protocols=file",
                f"-Dmaven.repo.local={cache_dir() / 'maven' / 'repository'}"]
    return cmd + list(goals)


def _maven_hint(output: str, runtime) -> str:
    if "offline mode" in output or "could not be resolved" in output:
        return ("genesys runs Maven offline: fetch the dependencies once with `mvn dependency:go-offline`, "
                f"or set {MAVEN_REPO_ENV} to a file repository that has them (e.g. /usr/share/maven-repo)")
    if re.search(r"release version \d+ not supported", output):
        return (f"this JDK cannot compile for {runtime.id}: install JDK {runtime.version} (or point JAVA_HOME "
                "at it), or choose an older java runtime")
    return "fix the error above (run the same mvn command in the source folder to reproduce)"


# Maven's closing advice (stack traces, -X, wiki links) says nothing about this failure.
_MAVEN_BOILERPLATE = re.compile(r"^\[ERROR\]\s*(?:$|To see the full|Re-run Maven|For more information|\[Help \d)")


def _run_maven(goals: list[str], cwd: Path, what: str, runtime) -> str:
    try:
        return toolrun.run_tool(maven_command(*goals), cwd=cwd, what=what)
    except BuildError as err:
        message = "\n".join(line for line in err.message.splitlines() if not _MAVEN_BOILERPLATE.match(line))
        raise BuildError(message, hint=_maven_hint(err.message, runtime)) from None


def _release_flag(pom: Path, runtime) -> list[str]:
    """Compile for the runtime's Java unless the pom pins its own level (Maven's default is too old)."""
    text = pom.read_text(errors="replace")
    return [] if any(pin in text for pin in _RELEASE_PINS) else [f"-Dmaven.compiler.release={runtime.version}"]


# ---------------------------------------------------------------- gradle

_GRADLE_INIT = """\
allprojects {
    afterEvaluate { project ->
        if (project.configurations.findByName('runtimeClasspath') != null) {
            project.tasks.register('genesysCopyDependencies', Copy) {
                from project.configurations.runtimeClasspath
                into System.getProperty('genesys.out')
            }
        }
    }
}
"""


def gradle_command(project: Path) -> list[str]:
    wrapper = project / "gradlew"
    if wrapper.is_file():
        return [str(wrapper), "--offline", "-q"]
    gradle = shutil.which("gradle")
    if gradle is None:
        raise BuildError(
            f"{project} is a Gradle project, but neither `gradle` nor a ./gradlew wrapper is available",
            hint="install Gradle (with its dependencies cached, since genesys runs it --offline), or add a "
                 "pom.xml and build with Maven")
    return [gradle, "--offline", "-q"]


def _run_gradle(project: Path, args: list[str], what: str) -> None:
    toolrun.run_tool(gradle_command(project) + args, cwd=project, what=what,
                hint="genesys runs Gradle --offline: run the build once online so its cache holds every "
                     "dependency, or use Maven")


def _gradle_copy_dependencies(project: Path, out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="genesys-gradle-") as tmp:
        init = Path(tmp, "genesys.init.gradle")
        init.write_text(_GRADLE_INIT)
        _run_gradle(project, ["-I", str(init), f"-Dgenesys.out={out}", "genesysCopyDependencies"],
                    "gradle dependency copy")


# ---------------------------------------------------------------- layer installer

def version(job) -> str:
    """The build tool and its version, plus the repository setting: part of the layer cache key."""
    if job.manifest.name in GRADLE_FILES:
        return "gradle"  # its version needs a daemon start; the lock bytes already key the layer
    first = toolrun.run_tool(maven_command("-v"), cwd=job.manifest.parent, what="mvn -v").strip().splitlines()
    return f"{first[0] if first else 'maven'}; repo={os.environ.get(MAVEN_REPO_ENV, '')}"


def install(job) -> None:
    """Fill ``job.target`` with the runtime dependency jars under the runtime's layer path."""
    out = job.target / (job.runtime.layer_path or "java/lib")
    out.mkdir(parents=True, exist_ok=True)
    if job.manifest.name in GRADLE_FILES:
        _gradle_copy_dependencies(job.manifest.parent, out)
        return
    _run_maven(["dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={out}"],
               job.manifest.parent, "mvn dependency:copy-dependencies", job.runtime)


# ---------------------------------------------------------------- function packager

def _scratch_copy(source: Path, work: Path) -> None:
    for rel, path in source_files(source, "java", defaults=False):
        target = work / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def compile_classes(spec, work: Path, lib: Path | None) -> list[Path]:
    """Compile the project in ``work``; return the folders whose contents go at the zip root."""
    if (work / "pom.xml").is_file():
        goals = ["compile", *_release_flag(work / "pom.xml", spec.runtime)]
        if lib is not None:
            goals += ["dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={lib}"]
        _run_maven(goals, work, "mvn compile", spec.runtime)
        return [work / "target" / "classes"]
    if any((work / name).is_file() for name in GRADLE_FILES):
        _run_gradle(work, ["classes"], "gradle classes")
        if lib is not None:
            _gradle_copy_dependencies(work, lib)
        return [work / "build" / "classes" / "java" / "main", work / "build" / "resources" / "main"]
    raise ConfigError(f"{spec.source_path} has no pom.xml or build.gradle",
                      hint="add a pom.xml (Maven) so genesys can compile the function",
                      where=where_in(spec.path, "build", "source_path"))


def class_java_version(path: Path) -> int:
    """The Java release a class file was compiled for (major version 61 is Java 17)."""
    with open(path, "rb") as handle:
        header = handle.read(8)
    return int.from_bytes(header[6:8], "big") - 44


def check_class_version(spec, classes: list[Path]) -> None:
    """ConfigError when the classes need a newer Java than the function's runtime has."""
    newest = max(class_java_version(path) for path in classes)
    if spec.runtime.version.isdigit() and newest > int(spec.runtime.version):
        raise ConfigError(
            f"the classes are compiled for Java {newest}, but runtime {spec.runtime.id} runs Java "
            f"{spec.runtime.version}: Lambda would fail with UnsupportedClassVersionError",
            hint=f'set runtime = "java{newest}" or newer, or lower maven.compiler.release in the pom to '
                 f"{spec.runtime.version}", where=where_in(spec.path, "metadata", "runtime"))


def package_java(spec, arch: str, dest: Path) -> None:
    """The function zip for a Java function: classes and resources at the root (and lib/ without a layer)."""
    with tempfile.TemporaryDirectory(prefix="genesys-java-") as tmp:
        work = Path(tmp, "src")
        _scratch_copy(spec.source_path, work)
        lib = None if spec.has_layer else Path(tmp, "lib")
        entries = []
        for folder in compile_classes(spec, work, lib):
            if folder.is_dir():
                entries += tree_entries(folder)
        if lib is not None and lib.is_dir():
            entries += tree_entries(lib, "lib")
        classes = [path for name, path in entries if name.endswith(".class")]
        if not classes:
            raise BuildError(f"the build of {spec.source_path} produced no classes",
                             hint="check that the sources are under src/main/java")
        check_class_version(spec, classes)
        write_zip(entries, dest)
