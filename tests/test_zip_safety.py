"""What goes into a zip is what the user meant to ship: no file from outside the folder, no credentials
unless included by name, and unusual files (links, loops, FIFOs, sockets, odd names) never crash or hang
the build."""

from __future__ import annotations

import os
import socket
import stat
import zipfile
from pathlib import Path

import pytest

from genesys_tasks.build.package import function_listing, function_sources
from genesys_tasks.build.sources import source_files
from genesys_tasks.build.zipper import tree_entries
from genesys_tasks.config import load
from genesys_tasks.config.schema import SECTIONS
from genesys_tasks.errors import BuildError

TOML = '''[metadata]
name = "fn"
runtime = "python3.12"
handler = "app.lambda_handler"

[build]
{build}
'''
BUILD_TIMEOUT = 120  # seconds: a build that reads a FIFO never ends; the test fails instead of hanging


def function(tmp_path: Path, build: str = "") -> Path:
    """A function without dependencies in ``tmp_path/src``; returns its TOML."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    toml = src / "lambda_fn.toml"
    toml.write_text(TOML.format(build=build))
    return toml


def names(toml: Path) -> list[str]:
    return [name for name, _ in function_sources(load(toml))]


def build(run_genesys, toml: Path):
    return run_genesys("lambda", "build", "--output", "json", toml, timeout=BUILD_TIMEOUT)


def zipped(toml: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(toml.parent / ".genesys" / "build" / "fn" / "function-x86_64.zip") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# --- 5. links ---------------------------------------------------------------------------------------

def test_a_link_to_a_file_outside_the_source_folder_stops_the_build_naming_the_link_and_its_target(
        tmp_path, run_genesys):
    toml = function(tmp_path)
    (toml.parent / ".genesys").mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("not the function's\n")
    (toml.parent / "passwd_link").symlink_to("/etc/passwd")
    (toml.parent / "notes.txt").symlink_to(outside)

    result = build(run_genesys, toml)

    assert result.code == 1, result.output
    assert "passwd_link is a link to /etc/passwd" in result.stderr
    assert f"notes.txt is a link to {outside}" in result.stderr
    assert "Traceback" not in result.output
    assert not (toml.parent / ".genesys" / "build" / "fn" / "function-x86_64.zip").exists()


def test_a_link_leaving_the_folder_that_the_user_excludes_is_no_error(tmp_path):
    toml = function(tmp_path, 'exclude = ["passwd_link"]')
    (toml.parent / "passwd_link").symlink_to("/etc/passwd")
    listing = function_listing(load(toml))
    assert listing.problems == [] and [n for n, _ in listing.entries] == ["app.py"]


def test_links_inside_the_source_folder_are_followed_for_files_and_folders_alike(tmp_path):
    toml = function(tmp_path)
    src = toml.parent
    (src / "lib").mkdir()
    (src / "lib" / "util.py").write_text("X = 1\n")
    (src / "shared").symlink_to("lib")
    (src / "alias.py").symlink_to("app.py")
    assert names(toml) == ["alias.py", "app.py", "lib/util.py", "shared/util.py"]


def test_a_folder_link_back_up_the_tree_is_skipped_with_a_note_instead_of_looping(tmp_path):
    toml = function(tmp_path)
    (toml.parent / "lib").mkdir()
    (toml.parent / "lib" / "util.py").write_text("X = 1\n")
    (toml.parent / "lib" / "up").symlink_to("..")
    listing = function_listing(load(toml))
    assert [n for n, _ in listing.entries] == ["app.py", "lib/util.py"]
    assert "lib/up (a link to a folder that contains it)" in listing.skipped_note()


def test_a_link_inside_the_folder_cannot_carry_in_a_file_a_default_exclude_leaves_out(tmp_path):
    toml = function(tmp_path)
    (toml.parent / ".env").write_text("TOKEN=x\n")
    (toml.parent / "settings.txt").symlink_to(".env")
    assert names(toml) == ["app.py"]


def test_a_layer_folder_never_picks_up_a_file_through_a_link_that_leaves_it(tmp_path):
    layer = tmp_path / "layer"
    (layer / "python" / "pkg").mkdir(parents=True)
    (layer / "python" / "pkg" / "__init__.py").write_text("")
    (layer / "python" / "pkg" / "data").symlink_to("/etc/passwd")
    with pytest.raises(BuildError) as raised:
        tree_entries(layer)
    assert "python/pkg/data is a link to /etc/passwd" in raised.value.message


def test_a_layer_folder_keeps_links_that_stay_inside_it(tmp_path):
    layer = tmp_path / "layer"
    (layer / "python").mkdir(parents=True)
    (layer / "python" / "a.py").write_text("A = 1\n")
    (layer / "python" / "b.py").symlink_to("a.py")
    assert [name for name, _ in tree_entries(layer)] == ["python/a.py", "python/b.py"]


# --- 6. credentials and other files no one meant to upload ------------------------------------------

CREDENTIALS = {
    ".env": "TOKEN=1", ".env.production": "TOKEN=2", ".aws/credentials": "[default]", ".ssh/id_rsa": "key",
    "id_rsa": "key", "id_ed25519.pub": "pub", "certs/server.pem": "pem", "tls.key": "key", ".npmrc": "//t",
    ".pypirc": "[pypi]", ".netrc": "machine", ".github/workflows/ci.yml": "on: push",
}
QUIET = {"dodo.py": "", ".gitignore": ".genesys/", "genesys-runtimes.toml": "", "lambda_other.toml": ""}


def _write(folder: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text + "\n")


def test_credentials_dot_folders_and_tool_files_stay_out_of_the_function_zip_by_default(tmp_path):
    toml = function(tmp_path)
    _write(toml.parent, {**CREDENTIALS, **QUIET, "lib/.hidden.py": "", "conf/settings.json": "{}"})
    assert names(toml) == ["app.py", "conf/settings.json", "lib/.hidden.py"]


def test_build_include_puts_a_default_exclude_back_on_purpose(tmp_path):
    toml = function(tmp_path, 'include = [".env.production", "certs/*.pem", ".well-known/**", "dodo.py"]')
    _write(toml.parent, {**CREDENTIALS, **QUIET, ".well-known/security.txt": "contact"})
    assert names(toml) == [".env.production", ".well-known/security.txt", "app.py", "certs/server.pem", "dodo.py"]


def test_include_never_brings_back_a_function_toml_or_a_dependency_folder(tmp_path):
    toml = function(tmp_path, 'include = ["*.toml", "node_modules/**", ".git/**"]')
    _write(toml.parent, {"lambda_other.toml": "", "node_modules/x/index.js": "", ".git/HEAD": "ref"})
    assert names(toml) == ["app.py"]


def test_include_is_a_build_key_of_the_schema():
    key = SECTIONS["build"]["include"]
    assert key.kind == "list" and key.default == [] and ".env" in key.doc


def test_the_build_warns_once_in_one_line_naming_what_a_default_exclude_left_out(tmp_path, run_genesys):
    toml = function(tmp_path)
    _write(toml.parent, {**CREDENTIALS, **QUIET})

    result = build(run_genesys, toml)

    assert result.code == 0, result.output
    assert set(zipped(toml)) == {"app.py"}
    warnings = [line for line in result.stderr.splitlines() if "left out of the function zip" in line]
    assert len(warnings) == 1, result.stderr
    for shown in (".env", ".aws/", ".ssh/", "certs/server.pem", "tls.key", ".npmrc"):
        assert shown in warnings[0]
    assert "dodo.py" not in warnings[0] and ".gitignore" not in warnings[0]
    assert "[build] include" in warnings[0]


def test_executable_bits_are_kept_as_0755_and_everything_else_is_0644(tmp_path, run_genesys):
    toml = function(tmp_path)
    (toml.parent / "run.sh").write_text("#!/bin/sh\n")
    (toml.parent / "run.sh").chmod(0o700)
    assert build(run_genesys, toml).code == 0
    with zipfile.ZipFile(toml.parent / ".genesys" / "build" / "fn" / "function-x86_64.zip") as archive:
        modes = {i.filename: stat.S_IMODE(i.external_attr >> 16) for i in archive.infolist()}
    assert modes == {"app.py": 0o644, "run.sh": 0o755}


# --- 7. unusual files -------------------------------------------------------------------------------

def test_dangling_links_loops_fifos_and_sockets_are_skipped_with_a_note_and_never_hang(tmp_path, run_genesys):
    toml = function(tmp_path)
    src = toml.parent
    (src / ".#app.py").symlink_to("someone@host.4242:1700000000")  # an editor's lock file
    (src / "loop_a").symlink_to("loop_b")
    (src / "loop_b").symlink_to("loop_a")
    os.mkfifo(src / "pipe")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(src / "control.sock"))
    try:
        result = build(run_genesys, toml)
    finally:
        server.close()

    assert result.code == 0, result.output
    assert set(zipped(toml)) == {"app.py"}
    for shown in (".#app.py (a dangling link", "loop_a (a link loop)", "pipe (a FIFO", "control.sock (a socket)"):
        assert shown in result.stderr
    assert "Traceback" not in result.output


def test_doit_loads_and_builds_a_folder_with_a_fifo_without_hanging(tmp_path, run_doit):
    from genesys_tasks.commands.init_repo import DODO

    toml = function(tmp_path)
    (toml.parent / "dodo.py").write_text(DODO)
    os.mkfifo(toml.parent / "pipe")
    result = run_doit("build", cwd=toml.parent, timeout=BUILD_TIMEOUT)
    assert result.code == 0, result.output
    assert set(zipped(toml)) == {"app.py"}


def test_a_file_name_that_is_not_utf8_stops_the_build_naming_it(tmp_path, run_genesys):
    toml = function(tmp_path)
    with open(os.path.join(os.fsencode(toml.parent), b"caf\xe9.py"), "w") as handle:
        handle.write("X = 1\n")

    result = build(run_genesys, toml)

    assert result.code == 1, result.output
    assert "caf\\xe9.py: the name is not valid UTF-8" in result.stderr
    assert "Traceback" not in result.output


def test_an_unreadable_file_is_an_error_naming_it(tmp_path, monkeypatch):
    toml = function(tmp_path)
    (toml.parent / "secret.txt").write_text("x\n")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: not str(path).endswith("secret.txt")
                        and real_access(path, mode))
    listing = function_listing(load(toml))
    assert [n for n, _ in listing.entries] == ["app.py"]
    with pytest.raises(BuildError) as raised:
        listing.check("the function zip of fn")
    assert "secret.txt: cannot be read (permission denied)" in raised.value.message


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_stops_the_build_without_a_traceback(tmp_path, run_genesys):
    toml = function(tmp_path)
    (toml.parent / "secret.txt").write_text("x\n")
    (toml.parent / "secret.txt").chmod(0)
    result = build(run_genesys, toml)
    assert result.code == 1 and "secret.txt: cannot be read" in result.stderr
    assert "Traceback" not in result.output


def test_source_files_of_a_compiler_scratch_copy_keep_dot_folders_but_not_links_leaving(tmp_path):
    (tmp_path / ".mvn").mkdir()
    (tmp_path / ".mvn" / "maven.config").write_text("-o\n")
    (tmp_path / "pom.xml").write_text("<project/>\n")
    assert [n for n, _ in source_files(tmp_path, "java", defaults=False)] == [".mvn/maven.config", "pom.xml"]
    (tmp_path / "outside").symlink_to("/etc/passwd")
    with pytest.raises(BuildError):
        source_files(tmp_path, "java", defaults=False)


def test_a_name_that_is_not_utf8_is_no_error_when_excluded_and_is_shown_printably_when_skipped(tmp_path):
    toml = function(tmp_path, 'exclude = ["caf*"]')
    src = os.fsencode(toml.parent)
    with open(os.path.join(src, b"caf\xe9.py"), "w") as handle:
        handle.write("X = 1\n")
    os.symlink(b"gone", os.path.join(src, b"lock\xff"))
    listing = function_listing(load(toml))
    assert listing.problems == [] and [n for n, _ in listing.entries] == ["app.py"]
    assert "lock\\xff (a dangling link to gone)" in listing.skipped_note()


def _settled_walk(root: Path, monkeypatch):
    """A walk of ``root`` made once the file system's clock has passed every change in it (``RACY_NS`` 0):
    whatever changes next has a change time of its own."""
    from genesys_tasks.build import walk
    from settled import settled

    monkeypatch.setattr(walk, "RACY_NS", 0)
    settled(root)
    return walk.walk(root)


@pytest.mark.parametrize("change", ["none", "add in a subfolder", "remove", "rename", "chmod", "link in place"])
def test_a_listing_still_holds_until_a_folder_or_file_it_kept_changes(tmp_path, monkeypatch, change):
    root = tmp_path / "src"
    (root / "lib").mkdir(parents=True)
    (root / "app.py").write_text("x = 1\n")
    (root / "lib" / "util.py").write_text("y = 2\n")
    listing = _settled_walk(root, monkeypatch)
    if change == "add in a subfolder":
        (root / "lib" / "new.py").write_text("")
    elif change == "remove":
        (root / "lib" / "util.py").unlink()
    elif change == "rename":
        (root / "lib" / "util.py").rename(root / "lib" / "other.py")
    elif change == "chmod":
        (root / "app.py").chmod(0o600)
    elif change == "link in place":
        (root / "lib" / "util.py").unlink()
        (root / "lib" / "util.py").symlink_to(root / "app.py")
    assert listing.still_holds() is (change == "none")


def test_a_listing_of_a_folder_changed_just_before_the_walk_or_with_problems_does_not_hold(tmp_path):
    from genesys_tasks.build import walk

    root = tmp_path / "src"
    root.mkdir()
    (root / "app.py").write_text("x = 1\n")
    assert not walk.walk(root).still_holds()  # written within RACY_NS of the walk
    assert not walk.walk(tmp_path / "missing").still_holds()
