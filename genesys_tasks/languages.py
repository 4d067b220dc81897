"""What genesys knows about each language, as one table: one ``Language`` row per language.

Detection (``config/detect``), the loader, packaging (``build/package``, ``build/zipper``),
the installers (``build/installers``) and the runtime registry (``runtimes``) all read
these rows, so adding a language is one row here plus the modules it names (an
installer, and a detector when genesys should recognise its sources). A language that
only a runtime file adds (``genesys-runtimes.toml``) gets a row made from that file's
own fields by ``generic``.

Modules are named, not imported: the table stays plain data, with no I/O and nothing
outside the standard library, so everything may read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True)
class Language:
    """One language: its files, where its dependencies go, and who builds and packages it."""

    name: str  # the runtime table's ``language`` ("go" for provided.al2023)
    label: str  # for people: "Node.js"
    manifests: tuple[str, ...]  # a layer is built from one of these, in order of preference
    lock_files: tuple[str, ...] = ()  # pin the manifest's versions; read beside it
    project_files: tuple[str, ...] = ()  # also say "a project of this language", feed no layer
    source_extensions: tuple[str, ...] = ()
    dependency_dirs: frozenset[str] = frozenset()  # installed dependencies or build output: never shipped
    layer_only_files: frozenset[str] = frozenset()  # feed the layer, so they stay out of the function zip
    layer_path: str = ""  # folder inside the layer zip; "{version}" is the runtime's; "" means no layer
    # AWS base image repository for container builds, fully qualified as AWS publishes it (a short name
    # does not resolve on a stock Podman); the tag is the runtime's version
    image_repo: str = ""
    installers: Mapping[str, str] = field(default_factory=dict, hash=False)  # build method -> module in build/
    packager: str = ""  # "module:function" in genesys_tasks.build; "" zips the sources as they are
    zip_per_arch: bool = False  # the function zip is native code, built once per architecture
    detector: str = ""  # module in genesys_tasks.config.detect; "" means the TOML must name runtime and handler
    handler_example: str = "app.handler"
    # what `genesys interact` and `init` offer for [function] memory_mb and timeout_seconds (0: the schema's
    # default): Java starts where AWS's Java samples do, for the JVM's cold start
    starting_memory_mb: int = 0
    starting_timeout_seconds: int = 0
    handler_fix: str = ""  # how to add a handler detection can find, when there is none
    # The extra of genesys-lambda (pyproject.toml) with the tree-sitter grammars this language's sources are
    # read with ("": none, as Python's ast and Go's text need none); CI installs it only where needed.
    grammars: str = ""

    @property
    def dependency_files(self) -> tuple[str, ...]:
        """Every file that marks a project of this language: manifests, lock files, project files."""
        return tuple(dict.fromkeys(self.manifests + self.lock_files + self.project_files))

    def layer_path_for(self, version: str) -> str:
        return self.layer_path.format(version=version)


def _methods(**modules: str) -> Mapping[str, str]:
    return MappingProxyType(dict(modules))


# The Python lock files build/lockfiles.py reads into requirements: named here, so that what tells a lock
# file apart (build/references.py) does not import its readers
PYTHON_LOCK_FILES = ("Pipfile.lock", "poetry.lock", "uv.lock")
_PYTHON_MANIFESTS = ("requirements.txt", *PYTHON_LOCK_FILES, "Pipfile")
_NODE_LOCK_FILES = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml")

TABLE: tuple[Language, ...] = (
    Language(
        # pyproject.toml last: its [project] dependencies, when no requirements file or lock names them
        "python", "Python", manifests=(*_PYTHON_MANIFESTS, "pyproject.toml"), project_files=("pyproject.toml",),
        source_extensions=(".py",), dependency_dirs=frozenset({"node_modules"}),
        layer_only_files=frozenset(_PYTHON_MANIFESTS), layer_path="python",
        image_repo="public.ecr.aws/lambda/python",
        installers=_methods(local="local_python", container="container"), detector="python",
        handler_example="app.lambda_handler",
        handler_fix='define `def lambda_handler(event, context)`, or name it: handler = "app.lambda_handler" '
                    "under [metadata]",
    ),
    Language(
        # package.json is not layer-only: Node reads its "type" field to load .js files as ES modules.
        "nodejs", "Node.js", manifests=("package.json",), lock_files=_NODE_LOCK_FILES,
        source_extensions=(".js", ".mjs", ".cjs", ".ts"), dependency_dirs=frozenset({"node_modules"}),
        layer_only_files=frozenset(_NODE_LOCK_FILES), layer_path="nodejs/node_modules",
        image_repo="public.ecr.aws/lambda/nodejs", installers=_methods(local="local_node", container="container"),
        packager="typescript:package_node",  # a TypeScript handler is bundled by esbuild; else the sources as they are
        detector="nodejs", handler_example="index.handler",
        handler_fix='export it (`exports.handler = async (event) => ...`), or name it: handler = "index.handler"',
        grammars="node",
    ),
    Language(
        # Go runs on provided.al2023 as one `bootstrap` binary: its modules are compiled in, no layer.
        "go", "Go", manifests=("go.mod",), lock_files=("go.sum",), source_extensions=(".go",),
        image_repo="public.ecr.aws/lambda/provided", packager="golang:package_go", zip_per_arch=True,
        detector="go", handler_example="bootstrap",
        handler_fix="put `package main` with a `func main()` that runs the Lambda runtime loop in source_path "
                    "(or point [build] source_path at the folder that has it)",
    ),
    Language(
        "java", "Java", manifests=("pom.xml", "build.gradle", "build.gradle.kts"), source_extensions=(".java",),
        dependency_dirs=frozenset({"target", "build", ".gradle"}), layer_path="java/lib",
        image_repo="public.ecr.aws/lambda/java", installers=_methods(local="java"), packager="java:package_java",
        detector="java", handler_example="example.Handler::handleRequest",
        starting_memory_mb=512, starting_timeout_seconds=15,
        handler_fix="add `public Output handleRequest(Input event, Context context)` to a class, or name it: "
                    'handler = "pkg.Class::handleRequest" under [metadata]',
        grammars="java",
    ),
    Language(
        # Runtimes come from a runtime file (data/runtimes-ruby.toml), which also says how to build the layer.
        "ruby", "Ruby", manifests=("Gemfile",), lock_files=("Gemfile.lock",), source_extensions=(".rb",),
        detector="ruby", handler_fix='define `def handler(event:, context:)`, or name it: handler = "app.handler" '
                                     "under [metadata]",
        dependency_dirs=frozenset({"vendor", ".bundle"}), layer_only_files=frozenset({"Gemfile", "Gemfile.lock"}),
        layer_path="ruby/gems/{version}.0", image_repo="public.ecr.aws/lambda/ruby", handler_example="app.handler",
        grammars="ruby",
    ),
)
BY_NAME: Mapping[str, Language] = MappingProxyType({row.name: row for row in TABLE})

# Folders that never hold anything a function ships or a TOML genesys should load: version
# control, genesys's own output, virtualenvs, caches, editors and other deploy tools.
IGNORED_DIRS = frozenset({
    ".git", ".genesys", "__pycache__", ".venv", "venv", ".tox", ".pytest_cache", ".mypy_cache",
    ".ruff_cache", ".aws-sam", ".serverless", ".idea", ".vscode", ".gitlab-ci-local", "cdk.out",
})
# Walking a tree for sources or TOML files skips these too: any language's dependencies and build output.
SKIP_DIRS = IGNORED_DIRS.union(*(row.dependency_dirs for row in TABLE))


def get(name: str) -> Language | None:
    """The row for a language name, or None when only a runtime file knows the language."""
    return BY_NAME.get(name)


def detected() -> tuple[Language, ...]:
    """The languages detection recognises, in the order ties are listed."""
    return tuple(row for row in TABLE if row.detector)


def detected_labels() -> str:
    """The languages detection recognises, as a message names them: "Python, Node.js, ... or Ruby"."""
    labels = [row.label for row in detected()]
    return ", ".join(labels[:-1]) + " or " + labels[-1]


def generic(name: str, dependency_files: tuple[str, ...], extensions: tuple[str, ...]) -> Language:
    """A row for a language only a runtime file knows: its dependency files feed the layer and stay out
    of the function zip, its sources are zipped as they are, and its runtime rows say how to build."""
    return Language(name, name, manifests=tuple(dependency_files), source_extensions=tuple(extensions),
                    layer_only_files=frozenset(dependency_files))


def skipped_dirs(name: str) -> frozenset[str]:
    """Folders left out of a function zip of this language: the ignored ones and its dependency folders."""
    row = get(name)
    return IGNORED_DIRS | (row.dependency_dirs if row else frozenset())
