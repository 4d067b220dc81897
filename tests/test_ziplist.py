"""A zip's table of contents is read once per version of the file, and again when the file changes."""

from __future__ import annotations

import zipfile

import pytest

from genesys_tasks.build import ziplist
from genesys_tasks.build.zipper import write_zip
from genesys_tasks.errors import BuildError


def _names(path) -> list[str]:
    """The entry names ``ziplist.entries`` gives for ``path``, in the zip's order."""
    return [info.filename for info in ziplist.entries(path)]


def _zip(tmp_path, name: str, files: dict[str, str]):
    sources = []
    for rel, text in files.items():
        source = tmp_path / "src" / rel
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(text)
        sources.append((rel, source))
    dest = tmp_path / name
    write_zip(sources, dest)
    return dest


def test_a_shared_zip_is_read_once_however_many_functions_ask(tmp_path, monkeypatch):
    import os

    layer = _zip(tmp_path, "layer.zip", {"python/six.py": "x = 1\n"})
    links = []
    for i in range(50):  # each function's layer-<arch>.zip is a link to the one file
        links.append(tmp_path / f"fn-{i}.zip")
        os.link(layer, links[-1])
    opened = []
    real = zipfile.ZipFile
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: opened.append(a[0]) or real(*a, **k))
    for link in links:
        assert _names(link) == ["python/six.py"]
    assert len(opened) == 1


def test_a_zip_replaced_or_rewritten_is_read_again(tmp_path):
    layer = _zip(tmp_path, "layer.zip", {"python/six.py": "x = 1\n"})
    assert _names(layer) == ["python/six.py"]
    _zip(tmp_path, "layer.zip", {"python/six.py": "x = 1\n", "python/yaml/__init__.py": "y = 2\n"})
    assert _names(layer) == ["python/six.py", "python/yaml/__init__.py"]
    with zipfile.ZipFile(layer, "a") as archive:  # written through, in place
        archive.writestr("python/extra.py", "z = 3\n")
    assert "python/extra.py" in _names(layer)


@pytest.mark.parametrize("content", [None, b"", b"PK\x03\x04 truncated"], ids=["missing", "empty", "truncated"])
def test_a_missing_or_corrupt_zip_is_a_build_error_naming_it(tmp_path, content):
    path = tmp_path / "layer-x86_64.zip"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BuildError) as failure:
        ziplist.entries(path)
    assert str(path) in failure.value.message


def test_a_zip_the_import_check_opened_is_not_read_again_for_its_limits(tmp_path, monkeypatch):
    code = _zip(tmp_path, "function.zip", {"app.py": "x = 1\n"})
    with ziplist.opened(code) as archive:
        assert archive.namelist() == ["app.py"]
    opened = []
    real = zipfile.ZipFile
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: opened.append(a[0]) or real(*a, **k))
    assert _names(code) == ["app.py"]
    assert opened == []


def test_a_zip_replaced_after_it_was_opened_is_read_again(tmp_path):
    code = _zip(tmp_path, "function.zip", {"app.py": "x = 1\n"})
    ziplist.opened(code).close()
    _zip(tmp_path, "function.zip", {"app.py": "x = 1\n", "lib.py": "y = 2\n"})
    assert _names(code) == ["app.py", "lib.py"]
    assert ziplist.name_set(code) == {"app.py", "lib.py"}


def test_the_unzipped_size_follows_a_zip_rewritten_in_place(tmp_path):
    layer = _zip(tmp_path, "layer.zip", {"python/six.py": "x = 1\n"})
    assert ziplist.unzipped_size(layer) == 6
    with zipfile.ZipFile(layer, "a") as archive:
        archive.writestr("python/extra.py", "z = 33\n")
    assert ziplist.unzipped_size(layer) == 13


def test_a_shared_zip_asked_for_again_stays_while_many_others_come_and_go(tmp_path, monkeypatch):
    layer = _zip(tmp_path, "layer.zip", {"python/six.py": "x = 1\n"})
    _names(layer)
    opened = []
    real = zipfile.ZipFile
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: opened.append(a[0]) or real(*a, **k))
    for i in range(ziplist._KEPT + 10):  # each function's zip opened by the import check, then its layer's asked for
        code = _zip(tmp_path, f"function-{i}.zip", {"app.py": f"x = {i}\n"})
        ziplist.opened(code).close()
        assert _names(layer) == ["python/six.py"]
    assert layer not in opened
