"""Handler discovery from syntax trees: Python (ast), Node.js and TypeScript, Java (tree-sitter)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from genesys_tasks.config import detect
from genesys_tasks.runtimes import DEFAULT

from test_detect import found, make

# ----------------------------------------------------------------------------- python


@pytest.mark.parametrize("files, handler", [
    ({"requirements.txt": "", "src/app.py": "def lambda_handler(event, context):\n    return 1\n"},
     "src.app.lambda_handler"),
    ({"functions/orders/create.py": "def handler(event, context):\n    return 1\n"},
     "functions.orders.create.handler"),
    ({"email-lambda.py": "def lambda_handler(event, context):\n    return 1\n", "setup.py": "",
      "old.v1/app.py": "def lambda_handler(event, context):\n    return 1\n"}, "email-lambda.lambda_handler"),
])
def test_python_handler_in_a_folder_without_init_py(tmp_path, files, handler):
    assert found(tmp_path, files).handler == handler


def test_python_decorated_multiline_async_annotated_handler(tmp_path):
    source = ('from aws_lambda_powertools import Logger\nlogger = Logger()\n\n'
              '@logger.inject_lambda_context(log_event=True)\n'
              'async def lambda_handler(\n    event: "dict[str, Any]",  # (the event)\n'
              '    context: "LambdaContext",\n) -> dict:\n    return {}\n\n'
              'def helper(event, context=None):\n    pass\n')
    assert found(tmp_path, {"app.py": source}).handler == "app.lambda_handler"


def test_python_handler_in_a_string_is_not_a_handler(tmp_path):
    source = 'DOC = """\ndef lambda_handler(event, context):\n    pass\n"""\n'
    assert found(tmp_path, {"app.py": source}).handler is None


def test_python_syntax_newer_than_the_host_still_finds_the_handler(tmp_path):
    source = "type Event = dict[str, object]\n\ndef lambda_handler(event: Event, context):\n    return 1\n"
    assert found(tmp_path, {"app.py": source}).handler == "app.lambda_handler"


@pytest.mark.parametrize("source", [
    "try:\n    from .impl import handler\nexcept ImportError:\n    from impl import handler\n",
    "if True:\n    handler = make()\n",
])
def test_check_python_handler_bound_under_try_or_if(tmp_path, source):
    assert detect.check_handler(DEFAULT.lookup("python3.12"), make(tmp_path, {"app.py": source}),
                                "app.handler") is None


# ----------------------------------------------------------------------------- node


@pytest.mark.parametrize("name, source, handler", [
    ("app.js", "exports.lambdaHandler = async (event, context) => ({ statusCode: 200 });", "app.lambdaHandler"),
    ("app.mjs", "export const lambdaHandler = async (event) => 1;", "app.lambdaHandler"),
    ("main.js", "async function main(event) {}\nmodule.exports = { main };", "main.main"),
    ("index.mjs", "export default async function (event) { return 1; }", "index.default"),
    ("index.js", "const h = async (evt) => 1;\nmodule.exports.run = h;", "index.run"),
    ("handler.js", "module.exports.hello = async (event) => ({ statusCode: 200 });", "handler.hello"),
    ("index.js", 'exports["process"] = function (event, context) {};', "index.process"),
    ("index.js", "const api = { async go(event) {} };\nmodule.exports = api;", "index.go"),
    ("index.mjs", "const main = middy(base);\nexport { main as handler };", "index.handler"),
])
def test_node_any_exported_function_is_a_candidate(tmp_path, name, source, handler):
    assert found(tmp_path, {"package.json": "{}", name: source + "\n"}).handler == handler


def test_node_handler_named_export_wins_over_helpers_exported_for_tests(tmp_path):
    source = ("const parse = (body) => JSON.parse(body);\nconst handler = async (event) => parse(event.body);\n"
              "module.exports = { handler, parse, TABLE: 'orders' };\n")
    result = found(tmp_path, {"package.json": "{}", "index.js": source,
                              "lib/format.js": "exports.format = (value) => String(value);\n"})
    assert result.handler == "index.handler"


def test_node_event_taking_function_wins_over_other_exports(tmp_path):
    result = found(tmp_path, {"package.json": "{}", "app.js": "exports.main = async (event, context) => 1;\n",
                              "util.js": "exports.format = (value) => String(value);\n"})
    assert result.handler == "app.main"


def test_node_several_candidates_are_listed_not_guessed(tmp_path):
    result = found(tmp_path, {"package.json": "{}", "a.js": "exports.lambdaHandler = async () => 1;\n",
                              "b.mjs": "export function handler(event) {}\n"})
    assert result.handler is None
    assert [c.handler for c in result.candidates] == ["a.lambdaHandler", "b.handler"]
    assert result.candidates[0].evidence == "a.js:1 exports lambdaHandler"


def test_node_exports_in_comments_and_strings_do_not_count(tmp_path):
    source = ('// exports.handler = async () => 1;\nconst doc = "exports.handler = 1";\n'
              "/* export const handler = 1; */\nexports.lambdaHandler = async (event) => doc;\n")
    assert found(tmp_path, {"index.js": source}).handler == "index.lambdaHandler"


def test_check_node_names_what_the_file_exports(tmp_path):
    make(tmp_path, {"app.js": "exports.lambdaHandler = async () => 1;\n"})
    problem = detect.check_handler(DEFAULT.lookup("nodejs22.x"), tmp_path, "app.handler")
    assert "does not export 'handler' (it exports lambdaHandler)" in problem
    make(tmp_path, {"b.js": "function go() {}\nmodule.exports = { go };\n"})
    assert detect.check_handler(DEFAULT.lookup("nodejs22.x"), tmp_path, "b.go") is None


@pytest.mark.parametrize("name, source, handler", [
    ("app.ts", "import type { Handler } from 'aws-lambda';\n"
               "export const lambdaHandler: Handler = async (event: unknown, context?: Ctx): Promise<R> => ({});",
     "lambdaHandler"),
    ("app.mts", "export async function lambdaHandler(event: APIGatewayProxyEvent): Promise<R> { return x as R; }",
     "lambdaHandler"),
    ("app.tsx", "export const lambdaHandler = async (event: E) => <div>{event.id}</div>;", "lambdaHandler"),
    ("app.ts", "export const lambdaHandler = async (e: E) => 1;\nexport function format(v: string) {}\n",
     "lambdaHandler"),
    ("app.ts", "const consume: SQSHandler = async (records) => {};\nexport default consume;\n"
               "export const version = (v: string) => v;\n", "default"),
])
def test_find_node_handlers_reads_typescript(tmp_path, name, source, handler):
    from genesys_tasks.config.detect.nodejs import find_node_handlers

    path = tmp_path / name
    path.write_text(source + "\n")
    assert [c.handler for c in find_node_handlers(path, "src/app")] == [f"src/app.{handler}"]


# ----------------------------------------------------------------------------- java

JAVA_SAM = """package aws.example;

import com.amazonaws.services.lambda.runtime.Context;

public class Hello {
    public String myHandler(Context context) {
        return "Hello World";
    }

    private String helper(String s, Context context) { return s; }

    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {}
}
"""


def test_java_public_method_taking_context_is_a_handler_whatever_its_name(tmp_path):
    result = found(tmp_path, {"pom.xml": "<project/>", "src/main/java/aws/example/Hello.java": JAVA_SAM})
    assert result.handler == "aws.example.Hello::myHandler"
    assert detect.check_handler(DEFAULT.lookup("java21"), tmp_path, "aws.example.Hello::myHandler") is None


def test_java_stream_handler_and_comments(tmp_path):
    source = ("package p;\n// public class Old implements RequestHandler<A, B> { handleRequest(A a, Context c) {} }\n"
              "public class App implements com.amazonaws.services.lambda.runtime.RequestStreamHandler {\n"
              "  @Override\n  public void handleRequest(InputStream in, OutputStream out, Context context)\n"
              "      throws IOException {}\n  public void close() {}\n}\n")
    assert found(tmp_path, {"pom.xml": "<project/>", "App.java": source}).handler == "p.App::handleRequest"


def test_java_public_handle_request_without_interface_or_context(tmp_path):
    source = ("package example;\npublic class Hello {\n"
              "  public Map<String, String> handleRequest(Map<String, Object> e) {}\n}\n")
    assert found(tmp_path, {"pom.xml": "<project/>", "Hello.java": source}).handler == "example.Hello::handleRequest"


def test_java_abstract_base_and_non_public_methods_are_not_handlers(tmp_path):
    base = ("package p;\npublic abstract class Base implements RequestHandler<String, String> {\n"
            "  public String handleRequest(String in, Context c) { return in; }\n}\n")
    worker = "package p;\nclass Worker {\n  String run(String in, Context c) { return in; }\n}\n"
    result = found(tmp_path, {"pom.xml": "<project/>", "Base.java": base, "Worker.java": worker})
    assert (result.runtime, result.handler) == ("java25", None)


# ----------------------------------------------------------------------------- loading stays light


def _python(code: str, folder: Path) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter (so ``sys.modules`` shows what it imported), with ``folder`` as argv[1]."""
    return subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent)


def test_task_loading_for_functions_that_name_their_handlers_loads_no_grammar(tmp_path):
    make(tmp_path, {".git/HEAD": "", "js/index.js": "exports.handler = async () => 1;\n",
                    "js/lambda_js.toml": '[metadata]\nname = "js"\nruntime = "nodejs22.x"\nhandler = "index.handler"\n',
                    "java/pom.xml": "<project/>",
                    "java/src/main/java/ex/H.java": "package ex;\npublic class H {\n  public String "
                                                    "handleRequest(String s, Context c) { return s; }\n}\n",
                    "java/lambda_java.toml": '[metadata]\nname = "java"\nruntime = "java21"\n'
                                             'handler = "ex.H::handleRequest"\n',
                    "rb/Gemfile": "", "rb/app.rb": "def handler(event:, context:)\nend\n",
                    "rb/lambda_rb.toml": '[metadata]\nname = "rb"\nruntime = "ruby3.4"\nhandler = "app.handler"\n'})
    result = _python("import sys; from genesys_tasks.tasks import creators; c = creators(sys.argv[1]);"
                     "names = [t.get('name') or '' for n, f in c.items() if n.startswith('task_')"
                     " for t in (f() or ())]; heavy = [m for m in sys.modules if m.startswith('tree_sitter')];"
                     "print(sorted(set(names)), heavy);"
                     "sys.exit(1 if heavy or 'rb' not in names else 0)", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_detection_parses_with_the_grammar(tmp_path):
    make(tmp_path, {"index.js": "exports.main = async (event) => 1;\n"})
    result = _python("import sys; from genesys_tasks.config import detect; print(detect.detect(sys.argv[1]).handler);"
                     "sys.exit(0 if 'tree_sitter' in sys.modules else 1)", tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, "index.main"), result.stderr


# ----------------------------------------------------------------------------- languages added as data

PHP_RUNTIMES = """[runtimes."php8.3"]
language = "php"
version = "8.3"
layer_path = "php/vendor"
dependency_files = ["composer.json", "composer.lock"]
extensions = [".php"]
"""


def test_ruby_from_the_packaged_runtime_file_is_detected_by_its_gemfile(tmp_path):
    from genesys_tasks.config.runtimes_file import load_registry

    result = found(tmp_path, {"Gemfile": "source 'https://example.invalid'\n", "app.rb": "def handler; end\n"},
                   registry=load_registry())
    assert result.runtime == "ruby3.4"
    assert "Gemfile" in result.candidates[0].evidence


def test_a_project_runtime_file_language_is_detected_by_files_and_extensions(tmp_path):
    from genesys_tasks.config.runtimes_file import load_registry

    make(tmp_path, {"genesys-runtimes.toml": PHP_RUNTIMES})
    registry = load_registry(tmp_path)
    assert found(tmp_path / "fn", {"composer.json": "{}", "index.php": "<?php\n"}, registry=registry).runtime \
        == "php8.3"
    assert found(tmp_path / "ext", {"index.php": "<?php\n"}, registry=registry).runtime == "php8.3"
    tie = found(tmp_path / "tie", {"composer.json": "{}", "index.php": "", "requirements.txt": "", "app.py": ""},
                registry=registry)
    assert [c.runtime for c in tie.candidates] == ["python3.14", "php8.3"]


def test_genesys_detect_uses_the_project_runtime_file(tmp_path, run_genesys):
    make(tmp_path, {"dodo.py": "", "genesys-runtimes.toml": PHP_RUNTIMES, "fn/composer.json": "{}",
                    "fn/index.php": "<?php\n"})
    result = run_genesys("detect", str(tmp_path / "fn"), "--output", "json", cwd=tmp_path)
    assert json.loads(result.stdout)["runtime"] == "php8.3"


def test_node_wrapped_values_are_candidates_after_functions(tmp_path):
    source = ("const app = express();\nmodule.exports = {\n  app,\n  hello: serverless(app),\n};\n")
    result = found(tmp_path, {"package.json": "{}", "handler.js": source})
    assert [c.handler for c in result.candidates] == ["handler.app", "handler.hello"]
    result = found(tmp_path, {"index.js": "exports.run = (evt) => 1;\n"})
    assert result.handler == "index.run"


def test_a_tooling_package_json_beside_python_sources_is_python(tmp_path):
    result = found(tmp_path, {"package.json": '{"devDependencies": {"serverless-python-requirements": "^6"}}',
                              "handler.py": "def hello(event, context):\n    return 1\n"})
    assert (result.runtime, result.handler) == ("python3.14", "handler.hello")


# ----------------------------------------------------------------------------- ruby

RUBY_CLASS = """require 'json'

module Shop
  class Api
    def self.create(event:, context:)
      { statusCode: 201 }
    end

    def helper(event:, context:)
    end
  end
end
"""


def _ruby(tmp_path, files):
    from genesys_tasks.config.runtimes_file import load_registry

    return found(tmp_path, {"Gemfile": "source 'https://example.invalid'\n", **files}, registry=load_registry())


@pytest.mark.parametrize("files, handler", [
    ({"src/handlers/lottery/handler.rb": "require_relative '../x'\n\ndef run(event:, context:)\nend\n\n"
                                         "def helper(errors)\nend\n"}, "src/handlers/lottery/handler.run"),
    ({"app.rb": RUBY_CLASS}, "app.Shop::Api.create"),
])
def test_ruby_handler_methods_take_event_and_context_keywords(tmp_path, files, handler):
    result = _ruby(tmp_path, files)
    assert (result.runtime, result.handler) == ("ruby3.4", handler)
    assert detect.check_handler(_ruby34(), tmp_path, handler) is None


def test_gemfile_ruby_requirement_pins_the_lowest_fitting_runtime(tmp_path):
    result = _ruby(tmp_path, {"Gemfile": "source 'https://example.invalid'\nruby '~> 3.3'\n",
                              "app.rb": "def handler(event:, context:)\nend\n"})
    assert (result.runtime, result.handler) == ("ruby3.3", "app.handler")
    assert "Gemfile pins ruby \"~> 3.3\"" in result.candidates[0].evidence


def test_check_ruby_handler_names_what_is_missing(tmp_path):
    make(tmp_path, {"app.rb": RUBY_CLASS})
    assert "defines no method 'Shop::Api.delete'" in detect.check_handler(_ruby34(), tmp_path,
                                                                         "app.Shop::Api.delete")
    assert "no lib/app.rb" in detect.check_handler(_ruby34(), tmp_path, "lib/app.handler")


def _ruby34():
    from genesys_tasks.config.runtimes_file import load_registry

    return load_registry().lookup("ruby3.4")
