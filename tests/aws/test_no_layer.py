"""A function whose build found no dependencies to ship deploys without a layer (Lambda refuses empty ones)."""

from __future__ import annotations

import pytest

from genesys_tasks import paths
from genesys_tasks.build.zipper import write_zip


def _nothing_to_ship(p) -> None:
    """The layer zip as the build leaves it when the installer put nothing in it."""
    write_zip([], paths.layer_zip(p.root, p.name, "x86_64"))


def test_an_empty_layer_is_not_published_and_the_function_has_no_layer(project, clients, boto, deploy):
    p = project()
    _nothing_to_ship(p)
    result = deploy(p, clients()).result()

    assert boto("lambda").list_layer_versions(LayerName="hello-deps")["LayerVersions"] == []
    config = boto("lambda").get_function(FunctionName="hello")["Configuration"]
    assert config.get("Layers", []) == [] and result["layer_version_arns"] == []


@pytest.mark.slow_builds
def test_a_function_whose_dependencies_went_away_drops_its_layer(project, clients, boto, deploy):
    p = project()
    deploy(p, clients())
    assert len(boto("lambda").get_function(FunctionName="hello")["Configuration"]["Layers"]) == 1

    _nothing_to_ship(p)
    used = clients()
    deploy(p, used)
    assert boto("lambda").get_function(FunctionName="hello")["Configuration"].get("Layers", []) == []
    assert not [w for w in used.log.writes if "publish_layer_version" in str(w)]
