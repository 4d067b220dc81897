"""The registry credentials genesys reads from the standard auth file (``REGISTRY_AUTH_FILE``, else
``~/.docker/config.json``): found by host, absent when the file says nothing, bad input when it is malformed."""

from __future__ import annotations

import base64
import json

import pytest

from genesys_tasks.build.image.registry import auth_file_credentials
from genesys_tasks.errors import ConfigError


def _auth_file(tmp_path, monkeypatch, auths) -> str:
    path = tmp_path / "auth.json"
    path.write_text(json.dumps({"auths": auths}))
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(path))
    return str(path)


def test_the_auth_files_user_and_password_are_found_by_host_with_or_without_scheme(tmp_path, monkeypatch):
    token = base64.b64encode(b"someone:pa:ss").decode()
    _auth_file(tmp_path, monkeypatch, {"https://registry.example.com": {"auth": token}})
    assert auth_file_credentials("registry.example.com") == ("someone", "pa:ss")
    assert auth_file_credentials("other.example.com") is None


def test_an_auth_file_whose_auths_are_not_a_table_holds_no_credentials(tmp_path, monkeypatch):
    _auth_file(tmp_path, monkeypatch, ["registry.example.com"])
    assert auth_file_credentials("registry.example.com") is None


@pytest.mark.parametrize("auth", ["not base64!", base64.b64encode(b"no-colon").decode(),
                                  base64.b64encode(b"\xff\xfe:x").decode()])
def test_a_malformed_auth_is_bad_input_naming_the_file_and_the_registry(tmp_path, monkeypatch, auth):
    path = _auth_file(tmp_path, monkeypatch, {"registry.example.com": {"auth": auth}})
    with pytest.raises(ConfigError) as caught:
        auth_file_credentials("registry.example.com")
    assert path in caught.value.message and "registry.example.com" in caught.value.message
    assert "login" in caught.value.hint and caught.value.exit_code == 2
