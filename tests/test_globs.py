"""One glob matcher with git's semantics (globs.py) for `[build] include`/`exclude`, discovery
(GENESYS_PATTERN) and `genesys changed`: `*` never crosses `/`, a pattern with a `/` is anchored
at its folder, a pattern without one matches a name at any depth."""

from __future__ import annotations

import pytest

from genesys_tasks.build.sources import SourceRules, source_listing
from genesys_tasks.commands.init_repo import DODO
from genesys_tasks.config import discover
from genesys_tasks.globs import matches


@pytest.mark.parametrize("pattern, rel, taken", [
    ("certs/*.pem", "certs/x.pem", True),
    ("certs/*.pem", "certs/sub/x.pem", False),
    ("certs/*.pem", "other/certs/x.pem", False),
    ("*.pem", "certs/sub/x.pem", True),
    ("certs/**/*.pem", "certs/sub/x.pem", True),
    ("lambda_*.toml", "a/b/lambda_x.toml", True),
])
def test_a_star_never_crosses_a_slash_and_a_slash_anchors_the_pattern(pattern, rel, taken):
    assert matches(rel, (pattern,)) is taken


def test_a_folder_pattern_takes_the_folder_itself():
    assert matches("node_modules", ("node_modules/**",), folder=True)
    assert not matches("node_modules", ("node_modules/**",))


def _tree(root, *files):
    for rel in files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)
    return root


def _shipped(source, **rules) -> list[str]:
    return sorted(rel for rel, _ in source_listing(source, SourceRules("python", **rules)).entries)


def test_include_certs_star_pem_brings_back_the_certs_folders_own_files_only(tmp_path):
    source = _tree(tmp_path, "app.py", "certs/x.pem", "certs/sub/x.pem")
    assert _shipped(source, include=("certs/*.pem",)) == ["app.py", "certs/x.pem"]


def test_exclude_docs_star_md_leaves_out_the_docs_folders_own_files_only(tmp_path):
    source = _tree(tmp_path, "app.py", "docs/a.md", "docs/sub/b.md")
    assert _shipped(source, exclude=("docs/*.md",)) == ["app.py", "docs/sub/b.md"]


def test_a_discovery_pattern_with_a_folder_finds_that_folders_files_only(tmp_path):
    _tree(tmp_path, "services/a.toml", "services/old/b.toml", "c.toml")
    assert [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path, "services/*.toml")] == ["services/a.toml"]


def test_genesys_changed_lists_a_removed_toml_its_pattern_names_by_folder(tmp_path):
    from genesys_tasks.cicd.changed import changed, load_project

    from ci_project import git, make_repo

    root = tmp_path / "repo"
    make_repo(root)
    git(root, "rm", "-q", "go-fn/lambda_go_fn.toml")
    pattern = "*/lambda_*.toml"  # the functions one folder below the root
    found = changed(load_project(root, pattern, warn=lambda m: None), root, "HEAD", pattern)
    assert [(r.toml, r.name) for r in found.removed] == [("go-fn/lambda_go_fn.toml", "go-fn")]


NAME_PATTERNS = [("lambda_*.toml",), ("*.pem", "id_rsa*"), ("?.py",), ("*",), (".env*", "*.key"), ("a.b",)]
PATHS = ["lambda_x.toml", "sub/lambda_x.toml", "lambda_.toml", "x.pem", "certs/sub/x.pem", "x.pem/inner.txt",
         "id_rsa.pub", "a.py", "ab.py", "d/a.py", ".env.local", "k/.env", "srv.key", "a.b", "axb", "lambda_x.toml.bak"]


@pytest.mark.parametrize("patterns", NAME_PATTERNS)
def test_name_patterns_matched_without_pathspec_agree_with_pathspec(patterns):
    import pathspec

    spec = pathspec.PathSpec.from_lines("gitignore", patterns)
    for rel in PATHS:
        for folder in (False, True):
            expected = spec.match_file(rel + "/" if folder else rel)
            assert matches(rel, patterns, folder=folder) == expected, (patterns, rel, folder)


TOML_EXCLUDING = '''[metadata]
name = "fn"
runtime = "python3.12"

[build]
exclude = ["docs/**", "docs/\\\\"]
'''


def test_an_exclude_pattern_git_cannot_read_is_a_config_error_at_its_line(tmp_path, run_doit):
    from genesys_tasks.config import load
    from genesys_tasks.errors import ConfigError

    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (tmp_path / "lambda_fn.toml").write_text(TOML_EXCLUDING)
    (tmp_path / "dodo.py").write_text(DODO)
    with pytest.raises(ConfigError) as failure:
        load(tmp_path / "lambda_fn.toml")
    assert failure.value.where.line == 6 and "'docs/\\\\' is not a glob git can read" in failure.value.message
    listed = run_doit("list", cwd=tmp_path)
    assert listed.code == 2 and "[build.exclude]" in listed.stderr and "internal error" not in listed.stderr, \
        listed.stderr


def test_a_discovery_pattern_git_cannot_read_is_a_usage_error(tmp_path, run_doit, run_genesys):
    from genesys_tasks.errors import UsageError

    with pytest.raises(UsageError) as failure:
        discover(tmp_path, "functions/\\")
    assert failure.value.exit_code == 2 and "GENESYS_PATTERN" in failure.value.message
    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (tmp_path / "lambda_fn.toml").write_text(TOML_EXCLUDING.replace(', "docs/\\\\"', ""))
    (tmp_path / "dodo.py").write_text(DODO)
    bad = {"GENESYS_PATTERN": "functions/\\"}
    for said in (run_doit("list", cwd=tmp_path, env=bad), run_genesys("lambda", "build", "lambda_fn.toml", cwd=tmp_path,
                                                                         env=bad)):
        assert said.code == 2 and "GENESYS_PATTERN" in said.stderr and "Traceback" not in said.stderr, said.stderr
        assert "internal error" not in said.stderr, said.stderr
