"""`genesys init` on the layouts real projects have (SAM samples, Serverless examples, builder
test data), reduced to their few files: what it detects and writes, and what it says when it
cannot tell."""

from __future__ import annotations

from pathlib import Path

GO_MAIN = "package main\n\nfunc main() {}\n"


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _tomls(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("lambda_*.toml"))


def test_init_on_a_go_project_whose_main_package_is_in_a_subfolder_names_it_and_writes_nothing(tmp_path, run_genesys):
    # aws-lambda-developer-guide blank-go: template.yml CodeUri function/; go build . at the top would fail
    folder = _write(tmp_path, {"template.yml": "Resources: {}\n", "function/go.mod": "module blank\n\ngo 1.22\n",
                               "function/main.go": GO_MAIN})
    done = run_genesys("init", "--source", ".", "--name", "blank", "--yes", cwd=folder)
    assert done.code == 2, done.output
    assert "package main only in function" in done.stderr and "as the source" in done.stderr
    assert _tomls(folder) == []
    done = run_genesys("init", "--source", "function", "--name", "blank", "--yes", cwd=folder)
    assert done.code == 0, done.output
    text = (folder / "lambda_blank_providedal2023.toml").read_text()
    assert 'source_path = "function"' in text and 'handler = "bootstrap"' in text


def test_a_toml_naming_no_handler_over_a_go_main_in_a_subfolder_is_refused_at_load_naming_the_folder(tmp_path,
                                                                                                     run_genesys):
    folder = _write(tmp_path, {"go.mod": "module x\n", "cmd/hello/main.go": GO_MAIN,
                               "lambda_hello.toml": '[metadata]\nname = "hello"\nruntime = "provided.al2023"\n'})
    done = run_genesys("lambda", "build", folder / "lambda_hello.toml")
    assert done.code == 2, done.output
    assert "[metadata]" in done.stderr and "package main only in cmd/hello" in done.stderr
    assert "Traceback" not in done.output
