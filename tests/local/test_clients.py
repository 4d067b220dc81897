"""How a runtime client is installed into the cache, and when Node needs the ES module hook."""

from __future__ import annotations

import sys

import pytest

from genesys_tasks.errors import BuildError
from genesys_tasks.local import clients


def test_an_install_lands_whole_or_not_at_all_and_a_killed_ones_leftovers_go(tmp_path, monkeypatch):
    monkeypatch.setenv("GENESYS_CACHE_DIR", str(tmp_path))
    folder = clients.client_dir("demo")
    folder.parent.mkdir(parents=True)
    leftover = folder.with_name(".demo.999999999.tmp")  # no such process: a killed install
    leftover.mkdir()
    with pytest.raises(BuildError, match="demo could not be installed"):
        clients._install(folder, [sys.executable, "-c", "import sys; sys.exit('no network')"], "demo")
    assert not folder.exists() and not leftover.exists()
    clients._install(folder, [sys.executable, "-c", "import pathlib, sys; pathlib.Path(sys.argv[1], 'ok').touch()",
                              "{dest}"], "demo")
    assert (folder / "ok").is_file() and list(folder.parent.iterdir()) == [folder]


def test_es_module_handlers_are_told_apart_from_commonjs(tmp_path):
    (tmp_path / "a.mjs").write_text("")
    (tmp_path / "b.js").write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.js").write_text("")
    (tmp_path / "sub" / "package.json").write_text('{"type": "module"}')
    assert clients.is_es_module(tmp_path, "a") and clients.is_es_module(tmp_path, "sub/c")
    assert not clients.is_es_module(tmp_path, "b") and not clients.is_es_module(tmp_path, "missing")


@pytest.mark.parametrize("runtime_version, line", [("18.x", 3), ("20.x", 3), ("22.x", 3), ("24.x", 4), ("26.x", 4),
                                                   ("24", 4), ("latest", 4)])
def test_the_node_runtime_picks_the_aws_lambda_ric_line_its_lambda_image_carries(runtime_version, line):
    """Line 4 refuses callback handlers at init, as Lambda does from nodejs24.x on only."""
    assert clients.node_client_line(runtime_version) == line
    assert clients.NODE_CLIENTS[line][1] == f"aws-lambda-ric@{line}"


def test_each_aws_lambda_ric_line_has_its_own_folder_and_failure_marker_per_node_major(tmp_path, monkeypatch):
    monkeypatch.setenv("GENESYS_CACHE_DIR", str(tmp_path))
    folders = {clients.node_client_dir(line, major) for line in (3, 4) for major in ("20", "22")}
    assert len(folders) == 4 and all(folder.parent == clients.client_dir("x").parent for folder in folders)
    assert clients.install_failed("nodejs", "22.x") != clients.install_failed("nodejs", "24.x")
    assert clients.install_failed("nodejs", "20.x") == clients.install_failed("nodejs", "22.x")
