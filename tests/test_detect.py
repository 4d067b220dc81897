"""Runtime and handler detection: every rule of config/detect/, every ambiguity, and `genesys detect`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from genesys_tasks.config import detect
from genesys_tasks.errors import ConfigError
from genesys_tasks.runtimes import DEFAULT, RUNTIME_TABLE, Registry

TODAY = dt.date(2026, 11, 26)  # python3.9/nodejs18.x/nodejs20.x blocked, python3.10 deprecated
PY_HANDLER = "def lambda_handler(event, context):\n    return {'ok': True}\n"
JS_HANDLER = "exports.handler = async (event) => ({ ok: true });\n"
GO_MAIN = "package main\n\nfunc main() {}\n"
JAVA_HANDLER = """package com.example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

public class Handler implements RequestHandler<Object, String> {
    @Override
    public String handleRequest(Object input, Context context) {
        return "ok";
    }
}
"""


def make(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def found(root: Path, files: dict[str, str], today: dt.date = TODAY, registry: Registry = DEFAULT):
    return detect.detect(make(root, files), registry=registry, today=today)


# ----------------------------------------------------------------------------- language


@pytest.mark.parametrize("manifest, runtime", [
    ("requirements.txt", "python3.14"), ("Pipfile", "python3.14"), ("poetry.lock", "python3.14"),
    ("pyproject.toml", "python3.14"),
    ("package.json", "nodejs24.x"), ("package-lock.json", "nodejs24.x"), ("yarn.lock", "nodejs24.x"),
    ("pnpm-lock.yaml", "nodejs24.x"),
    ("go.mod", "provided.al2023"), ("go.sum", "provided.al2023"),
    ("pom.xml", "java25"), ("build.gradle", "java25"), ("build.gradle.kts", "java25"),
])
def test_each_dependency_file_names_its_language(tmp_path, manifest, runtime):
    result = found(tmp_path, {manifest: "{}\n" if manifest == "package.json" else ""})
    assert result.runtime == runtime
    assert manifest in result.candidates[0].evidence


@pytest.mark.parametrize("source, runtime", [
    ("app.py", "python3.14"), ("index.js", "nodejs24.x"), ("index.mjs", "nodejs24.x"),
    ("index.cjs", "nodejs24.x"), ("src/index.ts", "nodejs24.x"), ("cmd/fn/main.go", "provided.al2023"),
    ("src/main/java/com/example/Handler.java", "java25"),
])
def test_source_extension_names_the_language_without_dependency_files(tmp_path, source, runtime):
    assert found(tmp_path, {source: "\n"}).runtime == runtime


def test_dependency_file_beats_extension_evidence(tmp_path):
    result = found(tmp_path, {"requirements.txt": "", "app.py": PY_HANDLER, "scripts/tool.js": "console.log(1)\n"})
    assert (result.runtime, result.handler) == ("python3.14", "app.lambda_handler")


def test_package_json_for_tooling_does_not_make_a_python_function_ambiguous(tmp_path):
    result = found(tmp_path, {
        "requirements.txt": "", "app.py": PY_HANDLER,
        "package.json": '{"devDependencies": {"prettier": "3.0.0"}}', "package-lock.json": "{}",
        "jest.config.js": "module.exports = {};\n", ".eslintrc.js": "module.exports = {};\n",
    })
    assert (result.runtime, result.handler) == ("python3.14", "app.lambda_handler")


def test_test_files_are_not_source_evidence(tmp_path):
    result = found(tmp_path, {"requirements.txt": "", "app.py": PY_HANDLER, "package.json": "{}",
                              "e2e/login.spec.js": "test('x', () => {});\n", "tests/api.test.ts": "\n"})
    assert (result.runtime, result.handler) == ("python3.14", "app.lambda_handler")


def test_two_languages_with_dependency_files_and_sources_are_ambiguous(tmp_path):
    result = found(tmp_path, {"requirements.txt": "", "app.py": PY_HANDLER,
                              "package.json": "{}", "index.js": JS_HANDLER})
    assert (result.runtime, result.handler) == (None, None)
    assert [(c.runtime, c.handler) for c in result.candidates] == [
        ("python3.14", "app.lambda_handler"), ("nodejs24.x", "index.handler")]
    assert "requirements.txt" in result.candidates[0].evidence
    assert "package.json" in result.candidates[1].evidence


def test_two_languages_by_extension_only_are_ambiguous(tmp_path):
    result = found(tmp_path, {"app.py": PY_HANDLER, "main.go": GO_MAIN})
    assert result.runtime is None
    assert {c.runtime for c in result.candidates} == {"python3.14", "provided.al2023"}


def test_two_dependency_files_without_sources_are_ambiguous(tmp_path):
    result = found(tmp_path, {"go.mod": "module x\n", "pom.xml": "<project/>"})
    assert result.runtime is None
    assert [c.runtime for c in result.candidates] == ["provided.al2023", "java25"]


def test_an_empty_folder_detects_nothing(tmp_path):
    assert found(tmp_path, {"README.md": "# hi\n"}) == detect.Detection(None, None, ())


def test_dependency_and_build_folders_are_not_evidence(tmp_path):
    result = found(tmp_path, {
        "app.py": PY_HANDLER, "node_modules/lib/index.js": JS_HANDLER, "target/Gen.java": JAVA_HANDLER,
        ".genesys/build/x/index.js": JS_HANDLER, "venv/lib/site.py": PY_HANDLER,
    })
    assert (result.runtime, result.handler) == ("python3.14", "app.lambda_handler")


# ----------------------------------------------------------------------------- versions


def test_python_version_file_pins_the_runtime(tmp_path):
    result = found(tmp_path, {".python-version": "3.12.4\n", "app.py": PY_HANDLER})
    assert result.runtime == "python3.12"
    assert ".python-version" in result.candidates[0].evidence


def test_python_version_file_wins_over_requires_python(tmp_path):
    result = found(tmp_path, {".python-version": "3.13\n", "app.py": PY_HANDLER,
                              "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.11"\n'})
    assert result.runtime == "python3.13"


@pytest.mark.parametrize("spec, runtime", [
    (">=3.11", "python3.11"),
    (">=3.10", "python3.11"),  # 3.10 is deprecated on TODAY: a supported runtime is preferred
    (">=3.12,<3.14", "python3.12"),
    ("~=3.13", "python3.13"),
    ("==3.12.*", "python3.12"),
    (">3.12.1", "python3.12"),  # Lambda runs the newest 3.12 patch
    (">=3.9, !=3.11.*", "python3.12"),
    ("==3.10.*", "python3.10"),  # only a deprecated runtime fits: it is used (the loader warns)
])
def test_requires_python_picks_the_lowest_fitting_supported_runtime(tmp_path, spec, runtime):
    result = found(tmp_path, {"pyproject.toml": f'[project]\nname = "x"\nrequires-python = "{spec}"\n',
                              "app.py": PY_HANDLER})
    assert result.runtime == runtime


def test_pin_to_a_version_lambda_never_ran_is_an_error_naming_the_pin_file(tmp_path):
    make(tmp_path, {".python-version": "# the team's version\n3.8\n", "app.py": PY_HANDLER})
    with pytest.raises(ConfigError) as info:
        detect.detect(tmp_path, today=TODAY)
    err = info.value
    assert err.exit_code == 2
    assert (err.where.file, err.where.line) == (tmp_path / ".python-version", 2)
    assert "3.8" in err.message
    assert "python3.14" in err.hint


def test_pin_to_a_runtime_blocked_today_is_an_error_but_fits_while_still_creatable(tmp_path):
    make(tmp_path, {".python-version": "3.9\n", "app.py": PY_HANDLER})
    with pytest.raises(ConfigError, match="3.9"):
        detect.detect(tmp_path, today=TODAY)
    assert detect.detect(tmp_path, today=dt.date(2026, 1, 1)).runtime == "python3.9"


def test_unreadable_requires_python_is_an_error_with_its_line(tmp_path):
    make(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n\nrequires-python = "python three"\n'})
    with pytest.raises(ConfigError) as info:
        detect.detect(tmp_path, today=TODAY)
    assert (info.value.where.file.name, info.value.where.line) == ("pyproject.toml", 4)


@pytest.mark.parametrize("spec, runtime", [
    (">=18", "nodejs22.x"),  # 18 and 20 can no longer be created on TODAY
    ("^22.5.0", "nodejs22.x"),
    ("24.x", "nodejs24.x"),
    ("18 || 24", "nodejs24.x"),
    ("22 - 24", "nodejs22.x"),
    (">=20 <23", "nodejs22.x"),
    ("~24.1", "nodejs24.x"),
])
def test_engines_node_picks_the_lowest_fitting_supported_runtime(tmp_path, spec, runtime):
    result = found(tmp_path, {"package.json": json.dumps({"engines": {"node": spec}}), "index.js": JS_HANDLER})
    assert result.runtime == runtime


def test_engines_node_follows_the_clock(tmp_path):
    files = {"package.json": json.dumps({"engines": {"node": ">=18"}}), "index.js": JS_HANDLER}
    assert found(tmp_path, files, today=dt.date(2026, 1, 1)).runtime == "nodejs20.x"


def test_engines_node_nothing_creatable_fits_is_an_error(tmp_path):
    make(tmp_path, {"package.json": '{\n  "name": "x",\n  "engines": {\n    "node": "16.x"\n  }\n}\n'})
    with pytest.raises(ConfigError) as info:
        detect.detect(tmp_path, today=TODAY)
    assert (info.value.where.file.name, info.value.where.line) == ("package.json", 4)
    assert "nodejs24.x" in info.value.hint


def test_go_always_runs_on_provided_al2023_and_says_which_go(tmp_path):
    result = found(tmp_path, {"go.mod": "module example.com/fn\n\ngo 1.22\n", "main.go": GO_MAIN})
    assert (result.runtime, result.handler) == ("provided.al2023", "bootstrap")
    assert "go 1.22" in result.candidates[0].evidence


@pytest.mark.parametrize("pom, runtime", [
    ("<properties><maven.compiler.release>17</maven.compiler.release></properties>", "java17"),
    ("<properties><maven.compiler.source>1.8</maven.compiler.source></properties>", "java11"),
    ("<configuration><source>11</source><release>21</release></configuration>", "java21"),
    ("<properties><java.version>19</java.version></properties>", "java21"),
    ("<properties/>", "java25"),
])
def test_maven_release_pins_the_java_runtime(tmp_path, pom, runtime):
    result = found(tmp_path, {"pom.xml": f"<project>{pom}</project>",
                              "src/main/java/com/example/Handler.java": JAVA_HANDLER})
    assert result.runtime == runtime


@pytest.mark.parametrize("name, gradle, runtime", [
    ("build.gradle.kts", "java {\n  toolchain {\n    languageVersion = JavaLanguageVersion.of(21)\n  }\n}\n", "java21"),
    ("build.gradle", "java { sourceCompatibility = JavaVersion.VERSION_17 }\n", "java17"),
    ("build.gradle", "sourceCompatibility = '1.8'\n", "java11"),
])
def test_gradle_java_version_pins_the_java_runtime(tmp_path, name, gradle, runtime):
    result = found(tmp_path, {name: gradle})
    assert result.runtime == runtime
    assert f"{name} pins" in result.candidates[0].evidence


def test_newest_means_newest_creatable_on_the_given_day(tmp_path):
    rows = {k: RUNTIME_TABLE[k] for k in ("python3.10", "python3.9")}
    make(tmp_path, {"app.py": PY_HANDLER})
    assert detect.detect(tmp_path, registry=Registry(rows), today=dt.date(2026, 6, 1)).runtime == "python3.10"
    with pytest.raises(ConfigError, match="no python runtime"):
        detect.detect(tmp_path, registry=Registry(rows), today=dt.date(2027, 2, 1))


# ----------------------------------------------------------------------------- python handlers


@pytest.mark.parametrize("signature", [
    "def lambda_handler(event, context):",
    "def lambda_handler(event, _context):",
    "def lambda_handler(evt, ctx):",
    "def lambda_handler(_event, context):",
    "def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict:",
    "async def lambda_handler(event, context):",
    "def lambda_handler(\n    event,\n    context,\n):",
])
def test_python_handler_signatures_accepted(tmp_path, signature):
    result = found(tmp_path, {"app.py": f"from typing import Any\n\n{signature}\n    return 1\n"})
    assert result.handler == "app.lambda_handler"


@pytest.mark.parametrize("signature", [
    "def lambda_handler(event):",
    "def lambda_handler(event, context, extra):",
    "def lambda_handler(request, response):",
    "def lambda_handler(event, context=None):",
    "def lambda_handler(*args):",
    "class Api:\n    def lambda_handler(self, event, context):",
    "class Api:\n    def handle(event, context):",
])
def test_python_functions_that_are_not_handlers(tmp_path, signature):
    result = found(tmp_path, {"app.py": f"{signature}\n    return 1\n"})
    assert (result.runtime, result.handler) == ("python3.14", None)


def test_python_handler_in_a_package_gets_its_dotted_module(tmp_path):
    result = found(tmp_path, {
        "service/__init__.py": "", "service/api/__init__.py": "", "service/api/routes.py": PY_HANDLER,
        "tests/test_app.py": PY_HANDLER, "test_local.py": PY_HANDLER, "conftest.py": PY_HANDLER,
    })
    assert result.handler == "service.api.routes.lambda_handler"


def test_two_python_handlers_are_ambiguous_with_both_listed(tmp_path):
    result = found(tmp_path, {"app.py": PY_HANDLER, "worker.py": "def process(event, context):\n    pass\n"})
    assert (result.runtime, result.handler) == ("python3.14", None)
    assert [c.handler for c in result.candidates] == ["app.lambda_handler", "worker.process"]
    assert result.candidates[1].evidence == "worker.py: def process(event, context)"


# ----------------------------------------------------------------------------- node handlers


@pytest.mark.parametrize("source", [
    "exports.handler = async (event) => 1;",
    "module.exports.handler = function (event, context) {};",
    "export const handler = async (event) => 1;",
    "export async function handler(event) { return 1; }",
    "export function handler(event) { return 1; }",
    "async function handler(event) {}\nmodule.exports = { handler };",
    "module.exports = {\n  handler: async (event) => 1,\n};",
    "const handler = async () => 1;\nexport { handler };",
    "const main = async () => 1;\nexport { main as handler };",
])
def test_node_handler_export_forms(tmp_path, source):
    assert found(tmp_path, {"index.mjs": source + "\n"}).handler == "index.handler"


@pytest.mark.parametrize("source", [
    "// exports.handler = async () => 1;",
    "/* export const handler = 1; */",
    "exports.TABLE = 'orders';",
    "module.exports = { config: { memory: 128 } };",
    "const handler = () => 1;",
])
def test_node_sources_that_export_no_function(tmp_path, source):
    result = found(tmp_path, {"index.js": source + "\n"})
    assert (result.runtime, result.handler) == ("nodejs24.x", None)


def test_node_handler_string_keeps_the_subfolder(tmp_path):
    result = found(tmp_path, {"package.json": "{}", "src/lambda/index.cjs": JS_HANDLER})
    assert result.handler == "src/lambda/index.handler"


def test_node_tests_type_declarations_and_node_modules_hold_no_handlers(tmp_path):
    result = found(tmp_path, {
        "package.json": "{}", "index.js": JS_HANDLER, "index.test.js": JS_HANDLER, "index.test.ts": JS_HANDLER,
        "__tests__/a.js": JS_HANDLER, "node_modules/dep/index.js": JS_HANDLER, "src/types.d.ts": JS_HANDLER,
    })
    assert result.handler == "index.handler"


TS_HANDLER = "import type { Handler } from 'aws-lambda';\n\nexport const handler: Handler = async () => 'ok';\n"


def test_a_typescript_handler_is_detected(tmp_path):
    result = found(tmp_path, {"package.json": "{}", "tsconfig.json": "{}", "src/app.ts": TS_HANDLER})
    assert (result.runtime, result.handler) == ("nodejs24.x", "src/app.handler")


def test_typescript_with_its_compiled_javascript_beside_it_is_one_handler(tmp_path):
    result = found(tmp_path, {"package.json": "{}", "app.ts": TS_HANDLER, "app.js": JS_HANDLER})
    assert result.handler == "app.handler" and len(result.candidates) <= 1


def test_two_node_handlers_are_ambiguous(tmp_path):
    result = found(tmp_path, {"package.json": "{}", "a.js": JS_HANDLER, "b.mjs": JS_HANDLER})
    assert result.handler is None
    assert [c.handler for c in result.candidates] == ["a.handler", "b.handler"]


# ----------------------------------------------------------------------------- go and java handlers


def test_go_library_package_has_no_handler(tmp_path):
    result = found(tmp_path, {"go.mod": "module x\n", "lib.go": "package lib\n", "main_test.go": GO_MAIN})
    assert (result.runtime, result.handler) == ("provided.al2023", None)


def test_go_main_packages_only_in_subfolders_are_no_handler_and_name_the_folders_to_use(tmp_path):
    # `go build .` compiles the source folder itself: bootstrap from the top would not build
    result = found(tmp_path, {"go.mod": "module x\n", "cmd/a/main.go": GO_MAIN, "cmd/b/main.go": GO_MAIN})
    assert (result.runtime, result.handler) == ("provided.al2023", None)
    assert len(result.candidates) == 1
    assert "package main only in cmd/a, cmd/b" in result.candidates[0].evidence
    assert "use one of them as the source" in result.candidates[0].evidence


def test_a_go_function_in_a_subfolder_is_not_offered_as_bootstrap_of_the_top_folder(tmp_path):
    result = found(tmp_path, {"README.md": "x", "function/go.mod": "module x\n", "function/main.go": GO_MAIN})
    assert result.handler is None
    assert "package main only in function" in result.candidates[0].evidence
    assert detect.detect(tmp_path / "function", today=TODAY).handler == "bootstrap"


def test_java_handler_is_package_class_and_method(tmp_path):
    result = found(tmp_path, {"pom.xml": "<project/>", "src/main/java/com/example/Handler.java": JAVA_HANDLER,
                              "src/main/java/com/example/Util.java": "package com.example;\nclass Util {\n"
                              "  void run(Handler h) { h.handleRequest(null, null); }\n}\n",
                              "src/test/java/com/example/HandlerTest.java": JAVA_HANDLER})
    assert (result.runtime, result.handler) == ("java25", "com.example.Handler::handleRequest")


def test_java_handler_without_package_and_stream_handler(tmp_path):
    source = ("public class App implements RequestStreamHandler {\n  public void handleRequest(InputStream in,"
              " OutputStream out, Context context) throws IOException {\n  }\n}\n")
    assert found(tmp_path, {"App.java": source}).handler == "App::handleRequest"


# ----------------------------------------------------------------------------- check_handler


def _runtime(runtime_id):
    return DEFAULT.lookup(runtime_id)


@pytest.mark.parametrize("files, handler, problem", [
    ({"app.py": PY_HANDLER}, "app.lambda_handler", None),
    ({"mod/__init__.py": "", "mod/sub.py": PY_HANDLER}, "mod.sub.lambda_handler", None),
    ({"mod/__init__.py": PY_HANDLER}, "mod.lambda_handler", None),
    ({"app.py": "from mangum import Mangum\nhandler = Mangum(app)\n"}, "app.handler", None),
    ({"app.py": "from .impl import handler\n"}, "app.handler", None),
    ({"app.py": PY_HANDLER}, "app.missing", "app.py has no top-level function 'missing'"),
    ({"app.py": PY_HANDLER}, "other.lambda_handler", "no other.py"),
    ({"mod/sub.py": PY_HANDLER}, "mod.other.fn", "no mod/other.py"),
    ({"app.py": PY_HANDLER}, "lambda_handler", "must be module.function"),
])
def test_check_python_handler(tmp_path, files, handler, problem):
    result = detect.check_handler(_runtime("python3.12"), make(tmp_path, files), handler)
    assert result is None if problem is None else problem in result


@pytest.mark.parametrize("files, handler, problem", [
    ({"index.js": JS_HANDLER}, "index.handler", None),
    ({"index.mjs": "export const main = 1;\n"}, "index.main", None),
    ({"src/app.cjs": JS_HANDLER}, "src/app.handler", None),
    ({"index.js": JS_HANDLER}, "index.main", "does not export 'main'"),
    ({"index.js": JS_HANDLER}, "app.handler", "no app.js, app.mjs, app.cjs or app.ts"),
    ({"index.ts": TS_HANDLER}, "index.handler", None),
    ({"index.ts": TS_HANDLER}, "index.main", "does not export 'main'"),
    ({"index.js": JS_HANDLER}, "handler", "must be file.function"),
])
def test_check_node_handler(tmp_path, files, handler, problem):
    result = detect.check_handler(_runtime("nodejs22.x"), make(tmp_path, files), handler)
    assert result is None if problem is None else problem in result


@pytest.mark.parametrize("handler, problem", [
    ("com.example.Handler::handleRequest", None),
    ("com.example.Handler", None),  # Lambda's default method is handleRequest
    ("com.example.Handler::process", "declares no method 'process'"),
    ("org.other.Handler::handleRequest", "no class org.other.Handler"),
    ("com.example.Missing::handleRequest", "no class com.example.Missing"),
    ("not a class", "must be package.Class::method"),
])
def test_check_java_handler(tmp_path, handler, problem):
    make(tmp_path, {"src/main/java/com/example/Handler.java": JAVA_HANDLER})
    result = detect.check_handler(_runtime("java21"), tmp_path, handler)
    assert result is None if problem is None else problem in result


def test_check_go_handler_needs_a_main_package(tmp_path):
    runtime = _runtime("provided.al2023")
    make(tmp_path, {"lib/lib.go": "package lib\n"})
    assert "no Go main package" in detect.check_handler(runtime, tmp_path, "bootstrap")
    make(tmp_path, {"cmd/fn/main.go": GO_MAIN})
    assert detect.check_handler(runtime, tmp_path, "bootstrap") is None


def test_manifest_names_prefer_requirements_for_python():
    assert detect.manifest_names(_runtime("python3.12")) == ("requirements.txt", "Pipfile.lock", "poetry.lock",
                                                             "uv.lock", "Pipfile", "pyproject.toml")
    assert detect.manifest_names(_runtime("nodejs22.x")) == ("package.json",)
    assert detect.manifest_names(_runtime("provided.al2023")) == ("go.mod",)


# ----------------------------------------------------------------------------- genesys detect


def test_cli_json_names_runtime_handler_and_evidence(tmp_path, run_genesys):
    make(tmp_path, {"requirements.txt": "requests\n", "app.py": PY_HANDLER})
    result = run_genesys("detect", tmp_path, "--output", "json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["runtime"], data["handler"]) == ("python3.14", "app.lambda_handler")
    assert data["candidates"] == [{"runtime": "python3.14", "handler": "app.lambda_handler",
                                   "evidence": data["candidates"][0]["evidence"]}]
    assert "requirements.txt" in data["candidates"][0]["evidence"]


def test_cli_json_ambiguous_runtime_exits_2_with_null_runtime(tmp_path, run_genesys):
    make(tmp_path, {"requirements.txt": "", "app.py": PY_HANDLER, "package.json": "{}", "index.js": JS_HANDLER})
    result = run_genesys("detect", tmp_path, "--output", "json")
    assert result.code == 2
    data = json.loads(result.stdout)
    assert data["runtime"] is None and data["handler"] is None
    assert [(c["runtime"], c["handler"]) for c in data["candidates"]] == [
        ("python3.14", "app.lambda_handler"), ("nodejs24.x", "index.handler")]
    assert all(set(c) == {"runtime", "handler", "evidence"} for c in data["candidates"])


def test_cli_json_ambiguous_handler_exits_2(tmp_path, run_genesys):
    make(tmp_path, {"package.json": "{}", "a.js": JS_HANDLER, "b.js": JS_HANDLER})
    result = run_genesys("detect", tmp_path, "--output", "json")
    assert result.code == 2
    data = json.loads(result.stdout)
    assert (data["runtime"], data["handler"]) == ("nodejs24.x", None)
    assert [c["handler"] for c in data["candidates"]] == ["a.handler", "b.handler"]


def test_cli_json_nothing_found_exits_2(tmp_path, run_genesys):
    make(tmp_path, {"README.md": "hi\n"})
    result = run_genesys("detect", tmp_path, "--output", "json")
    assert result.code == 2
    assert json.loads(result.stdout) == {"runtime": None, "handler": None, "candidates": []}


def test_cli_text_goes_to_stderr_and_ambiguity_says_how_to_fix(tmp_path, run_genesys):
    make(tmp_path / "ok", {"go.mod": "module x\n\ngo 1.23\n", "main.go": GO_MAIN})
    result = run_genesys("detect", tmp_path / "ok")
    assert result.code == 0 and result.stdout == ""
    assert "provided.al2023" in result.stderr and "bootstrap" in result.stderr
    make(tmp_path / "both", {"app.py": PY_HANDLER, "main.go": GO_MAIN})
    result = run_genesys("detect", tmp_path / "both")
    assert result.code == 2
    assert "more than one runtime" in result.stderr and "fix:" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("files, example", [
    ({"pom.xml": "<project/>", "src/main/java/a/Util.java": "package a;\nclass Util {}\n"},
     'handler = "pkg.Class::handleRequest"'),
    ({"package.json": "{}", "src/lib.js": "const x = 1;\n"}, 'handler = "index.handler"'),
])
def test_cli_no_handler_fix_gives_an_example_in_the_detected_language(tmp_path, run_genesys, files, example):
    result = run_genesys("detect", make(tmp_path, files))
    assert result.code == 2
    assert "no handler found" in result.stderr and example in result.stderr
    assert "app.lambda_handler" not in result.stderr


def test_cli_bad_pin_and_missing_folder_exit_2_without_traceback(tmp_path, run_genesys):
    make(tmp_path, {".python-version": "3.7\n", "app.py": PY_HANDLER})
    result = run_genesys("detect", tmp_path)
    assert result.code == 2
    assert ".python-version:1" in result.stderr and "fix:" in result.stderr
    result = run_genesys("detect", tmp_path / "nope", "--output", "json")
    assert result.code == 2 and result.stdout == ""
    assert "Traceback" not in result.output


def test_cli_uses_genesys_today(tmp_path, run_genesys):
    make(tmp_path, {"package.json": json.dumps({"engines": {"node": ">=18"}}), "index.js": JS_HANDLER})
    early = json.loads(run_genesys("detect", tmp_path, "--output", "json", env={"GENESYS_TODAY": "2026-01-01"}).stdout)
    late = json.loads(run_genesys("detect", tmp_path, "--output", "json", env={"GENESYS_TODAY": "2026-11-26"}).stdout)
    assert (early["runtime"], late["runtime"]) == ("nodejs20.x", "nodejs22.x")
