"""The modules the language table names by string meet their ``typing.Protocol`` contracts: every
row is checked here at once, and a module lacking a function fails where it is found, naming it."""

from __future__ import annotations

import sys
import types

import pytest

from genesys_tasks import languages
from genesys_tasks.contracts import Detector, Installer, Packager, named
from genesys_tasks.errors import GenesysError


def test_every_installer_packager_and_detector_the_table_names_meets_its_contract():
    checked = 0
    for row in languages.TABLE:
        for module in row.installers.values():
            assert isinstance(named("genesys_tasks.build", module, Installer), Installer)
            checked += 1
        if row.packager:
            assert isinstance(named("genesys_tasks.build", row.packager, Packager), Packager)
            checked += 1
        if row.detector:
            assert isinstance(named("genesys_tasks.config.detect", row.detector, Detector), Detector)
            checked += 1
    assert named("genesys_tasks.build", "build_commands", Installer)  # a runtime's own build commands
    assert checked >= 10


def test_a_module_without_a_contract_function_fails_where_it_is_found_naming_it(monkeypatch):
    half = types.ModuleType("genesys_tasks.build.half_installer")
    half.install = lambda job: None  # no version(): the layer cache key could not be made
    monkeypatch.setitem(sys.modules, "genesys_tasks.build.half_installer", half)
    with pytest.raises(GenesysError) as raised:
        named("genesys_tasks.build", "half_installer", Installer)
    assert raised.value.message == "genesys_tasks.build.half_installer is not an Installer: it has no version"


def test_a_packager_the_table_misnames_fails_naming_it():
    with pytest.raises(GenesysError) as raised:
        named("genesys_tasks.build", "java:package_jar", Packager)
    assert "genesys_tasks.build.java:package_jar is not a Packager" in raised.value.message
