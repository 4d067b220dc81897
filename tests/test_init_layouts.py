"""`genesys init` on the layouts real projects have (SAM samples, Serverless examples, builder
test data), reduced to their few files: what it detects and writes, and what it says when it
cannot tell."""

from __future__ import annotations

from pathlib import Path

from test_detect import GO_MAIN
from test_detect import make as _write


def _tomls(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("lambda_*.toml"))


def test_init_on_a_go_project_whose_main_package_is_in_one_subfolder_takes_that_folder_as_the_source(tmp_path,
                                                                                                      run_genesys):
    # aws-lambda-developer-guide blank-go: template.yml CodeUri function/; go build . at the top would fail
    folder = _write(tmp_path / "blank-go", {"template.yml": "Resources: {}\n", "function/main.go": GO_MAIN,
                                            "function/go.mod": "module blank\n\ngo 1.22\n"})
    done = run_genesys("init", "--source", ".", "--yes", cwd=folder)
    assert done.code == 0, done.output
    assert "using function as the source" in done.stderr
    text = (folder / "lambda_blank-go_providedal2023.toml").read_text()  # named after the folder given
    assert 'source_path = "function"' in text and 'handler = "bootstrap"' in text


def test_init_on_two_go_main_packages_in_subfolders_names_them_and_writes_nothing(tmp_path, run_genesys):
    # serverless/examples aws-golang-simple-http-endpoint: hello/main.go and world/main.go
    folder = _write(tmp_path, {"go.mod": "module x\n", "hello/main.go": GO_MAIN, "world/main.go": GO_MAIN})
    done = run_genesys("init", "--source", ".", "--name", "hello", "--yes", cwd=folder)
    assert done.code == 2, done.output
    assert "package main only in hello, world" in done.stderr and "as the source" in done.stderr
    assert _tomls(folder) == []


def test_a_toml_naming_no_handler_over_a_go_main_in_a_subfolder_is_refused_at_load_naming_the_folder(tmp_path,
                                                                                                     run_genesys):
    folder = _write(tmp_path, {"go.mod": "module x\n", "cmd/hello/main.go": GO_MAIN,
                               "lambda_hello.toml": '[metadata]\nname = "hello"\nruntime = "provided.al2023"\n'})
    done = run_genesys("lambda", "build", folder / "lambda_hello.toml")
    assert done.code == 2, done.output
    assert "[metadata]" in done.stderr and "package main only in cmd/hello" in done.stderr
    assert "Traceback" not in done.output


# SAM's `CodeUri: src/` layout: the function's package.json (or requirements.txt) is in a subfolder and
# the top folder has none; with the top folder as the source its dependencies would never be installed.
SUBFOLDER_PROJECTS = {
    "nodejs": {"template.yaml": "Resources: {}\n", "README.md": "x\n",
               "src/package.json": '{"dependencies": {"left-pad": "1.3.0"}}\n',
               "src/app.js": "const pad = require('left-pad');\nexports.lambdaHandler = async (event) => pad('x', 3);\n"},
    "python": {"template.yml": "Resources: {}\n", "function/requirements.txt": "six==1.16.0\n",
               "function/lambda_function.py": "import six\n\ndef lambda_handler(event, context):\n    return 1\n"},
}


def test_detect_names_the_subfolder_with_the_functions_own_manifest_as_the_source(tmp_path, run_genesys):
    for language, files in SUBFOLDER_PROJECTS.items():
        folder = _write(tmp_path / language, files)
        done = run_genesys("detect", folder)
        assert done.code == 2, done.output
        home, manifest = ("src", "src/package.json") if language == "nodejs" else \
            ("function", "function/requirements.txt")
        assert f"own dependency files ({manifest})" in done.stderr and "use that folder as the source" in done.stderr
        assert "--source FOLDER" in done.stderr
        assert run_genesys("detect", folder / home).code == 0


def test_init_on_a_sam_codeuri_src_layout_takes_the_subfolder_as_the_source_with_its_handler(tmp_path, run_genesys):
    folder = _write(tmp_path, SUBFOLDER_PROJECTS["nodejs"])
    done = run_genesys("init", "--source", ".", "--name", "api", "--yes", cwd=folder)
    assert done.code == 0, done.output
    assert "using src as the source" in done.stderr
    text = (folder / "lambda_api_nodejs24x.toml").read_text()  # as template.yaml has it: CodeUri src/
    assert 'source_path = "src"' in text and 'handler = "app.lambdaHandler"' in text


def test_init_over_several_subfolder_projects_lists_them_and_writes_nothing(tmp_path, run_genesys):
    # aws-sam-cli buildcmd/PythonParentPackages: src/fnone and src/fntwo, each with its requirements.txt
    files = {f"src/{fn}/{name}": text for fn in ("fnone", "fntwo") for name, text in
             (("requirements.txt", "six\n"), ("main.py", "def handler(event, context):\n    return 1\n"))}
    folder = _write(tmp_path, files)
    done = run_genesys("init", "--source", ".", "--name", "fn", "--yes", cwd=folder)
    assert done.code == 2, done.output
    assert "src/fnone/requirements.txt, src/fntwo/requirements.txt" in done.stderr
    assert "use one of them as the source" in done.stderr and _tomls(folder) == []


def test_a_toml_without_handler_over_a_subfolder_project_is_refused_at_load(tmp_path, run_genesys):
    folder = _write(tmp_path, {**SUBFOLDER_PROJECTS["python"],
                               "lambda_fn.toml": '[metadata]\nname = "fn"\nruntime = "python3.12"\n'})
    done = run_genesys("lambda", "build", folder / "lambda_fn.toml")
    assert done.code == 2, done.output
    assert "function/requirements.txt" in done.stderr and "Traceback" not in done.output


def test_a_top_folder_with_its_own_manifest_keeps_handlers_in_subfolders(tmp_path, run_genesys):
    # aws-lambda-developer-guide blank-nodejs: package.json at the top, the handler in function/
    folder = _write(tmp_path, {"package.json": "{}\n", "function/index.js": "exports.handler = async () => 1;\n",
                               "lib/package.json": "{}\n"})
    done = run_genesys("detect", folder, "--output", "json")
    assert done.code == 0, done.output
    assert '"handler": "function/index.handler"' in done.stdout


def test_init_on_a_folder_with_no_function_of_a_known_language_says_so_without_suggesting_python(tmp_path,
                                                                                                  run_genesys):
    # aws-lambda-developer-guide blank-csharp: a .NET function, which genesys does not build
    folder = _write(tmp_path, {"README.md": "# blank\n", "src/blank-csharp/Function.cs": "namespace blank {}\n",
                               "template.yml": "Resources: {}\n"})
    done = run_genesys("init", "--source", ".", "--name", "cs", "--yes", cwd=folder)
    assert done.code == 2, done.output
    assert f"no Python, Node.js, Go, Java or Ruby function found in {folder}" in done.stderr
    assert "python3.12" not in done.stderr and _tomls(folder) == []


JAVA_HANDLER = """package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

public class Handler implements RequestHandler<Object, String> {
    public String handleRequest(Object event, Context context) { return "ok"; }
}
"""


def test_init_offers_a_java_function_the_memory_and_timeout_aws_java_samples_start_with(tmp_path, run_genesys):
    # every AWS Java sample (blank-java, java-basic: 2048 MB, 10 s) and genesys's own java-hello set more
    # than Lambda's 128 MB and 3 s
    folder = _write(tmp_path / "java", {"pom.xml": "<project/>\n", "src/main/java/example/Handler.java": JAVA_HANDLER})
    done = run_genesys("init", "--source", ".", "--name", "hello", "--yes", cwd=folder)
    assert done.code == 0, done.output
    text = (folder / "lambda_hello_java25.toml").read_text()
    assert "memory_mb = 512" in text and "timeout_seconds = 15" in text
    done = run_genesys("init", "--source", ".", "--name", "small", "--memory", "256", "--yes", cwd=folder)
    assert "memory_mb = 256" in (folder / "lambda_small_java25.toml").read_text()
    python = _write(tmp_path / "py", {"app.py": "def lambda_handler(event, context):\n    return 1\n"})
    done = run_genesys("init", "--source", ".", "--name", "py", "--yes", cwd=python)
    text = (python / "lambda_py_python314.toml").read_text()
    assert "memory_mb = 128" in text and "timeout_seconds = 3" in text
