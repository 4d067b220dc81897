"""The TOML keys of container-image functions: loaded into the spec, refused with exit 2 at their key
when AWS or genesys could not build or deploy them."""

from __future__ import annotations

import pytest

from genesys_tasks import config
from genesys_tasks.config import image_ref
from genesys_tasks.config.runtimes_file import load_registry
from load_cases import TODAY, function_project, line_of, refused

HEAD = '[metadata]\nname = "fn"\nruntime = "python3.12"\n'
IMAGE = '[build]\npackage_type = "image"\n'


def test_an_image_function_loads_with_its_image_config(tmp_path):
    spec = config.load(function_project(tmp_path, HEAD + IMAGE + 'image = "127.0.0.1:5000/lambda/python:3.12"\n'
                                        '[function]\nimage_command = ["app.other"]\nimage_workdir = "/var/task"\n'
                                        '[deployment]\nimage_repository = "127.0.0.1:5000/team/fn"\n'), today=TODAY)
    assert spec.build.is_image and spec.build.image == "127.0.0.1:5000/lambda/python:3.12"
    assert spec.function.image_config() == {"Command": ["app.other"], "WorkingDirectory": "/var/task"}
    assert spec.deployment.image_repository == "127.0.0.1:5000/team/fn"


def test_a_zip_function_stays_a_zip_by_default(tmp_path):
    spec = config.load(function_project(tmp_path, HEAD), today=TODAY)
    assert spec.build.package_type == "zip" and spec.function.image_config() == {}


@pytest.mark.parametrize("body, key, needle, says", [
    (IMAGE + 'image = "public.ecr.aws/lambda/python:3.12@sha256:abc"\n', "build.image", "image =",
     "not a sha256 digest"),
    (IMAGE + '[deployment]\nimage_repository = "Registry.example.com/Team/FN"\n', "deployment.image_repository",
     "image_repository", "not a repository path"),
    (IMAGE + '[deployment]\nimage_repository = "127.0.0.1:5000/team/fn:v1"\n', "deployment.image_repository",
     "image_repository", "genesys pushes by digest"),
    (IMAGE + 'build_method = "podman"\n', "build.build_method", "build_method", "built locally"),
    (IMAGE + '[function]\nlayers = ["arn:aws:lambda:us-east-1:123456789012:layer:x:1"]\n', "function.layers",
     "layers =", "does not attach layers"),
    ('[function]\nimage_command = ["app.h"]\n', "function.image_command", "image_command", "for container-image"),
    ('[deployment]\nimage_repository = "127.0.0.1:5000/fn"\n', "deployment.image_repository", "image_repository",
     "for container-image"),
], ids=["a digest too short", "capitals in a repository", "a tag on the repository", "a podman build",
        "layers on an image", "image_command on a zip", "image_repository on a zip"])
def test_the_loader_refuses_it_at_the_key(tmp_path, body, key, needle, says):
    toml = function_project(tmp_path, HEAD + body)
    refused(toml, says, line_of(toml, needle), key)


def test_go_and_java_images_load_and_a_ruby_image_is_refused_at_the_key(tmp_path):
    (tmp_path / "go").mkdir()
    (tmp_path / "java" / "src" / "main" / "java" / "example").mkdir(parents=True)
    (tmp_path / "ruby").mkdir()
    go = function_project(tmp_path / "go", '[metadata]\nname = "fn"\nruntime = "provided.al2023"\n'
                          'handler = "bootstrap"\n' + IMAGE,
                          files={"go.mod": "module fn\n", "main.go": "package main\nfunc main() {}\n"})
    assert config.load(go).build.is_image
    java = function_project(tmp_path / "java", '[metadata]\nname = "fn"\nruntime = "java21"\n'
                            'handler = "example.Hello::handleRequest"\n' + IMAGE,
                            files={"pom.xml": "<project><modelVersion>4.0.0</modelVersion><groupId>e</groupId>"
                                              "<artifactId>fn</artifactId><version>1</version></project>\n",
                                   "src/main/java/example/Hello.java": "package example; public class Hello {\n"
                                   "  public String handleRequest(Object e, Object c) { return \"hi\"; }\n}\n"})
    spec = config.load(java)
    assert spec.build.is_image and spec.runtime.image == "public.ecr.aws/lambda/java:21"
    ruby = function_project(tmp_path / "ruby", '[metadata]\nname = "fn"\nruntime = "ruby3.3"\n'
                            'handler = "app.handler"\n' + IMAGE,
                            files={"app.rb": "def handler(event:, context:)\n  1\nend\n"})
    with pytest.raises(config.ConfigError) as caught:
        config.load(ruby, registry=load_registry(ruby.parent), today=TODAY)
    assert "not ruby3.3" in caught.value.message and caught.value.exit_code == 2
    assert f"{ruby}:{line_of(ruby, 'package_type')}" in caught.value.render()


@pytest.mark.parametrize("text, host, path, tag, digest", [
    ("public.ecr.aws/lambda/python:3.12", "public.ecr.aws", "lambda/python", "3.12", None),
    ("127.0.0.1:5000/lambda/python@sha256:" + "a" * 64, "127.0.0.1:5000", "lambda/python", None, "sha256:" + "a" * 64),
    ("alpine", "docker.io", "library/alpine", None, None),
    ("localhost/x/y:1", "localhost", "x/y", "1", None),
])
def test_references_parse_like_docker(text, host, path, tag, digest):
    ref = image_ref.parse(text)
    assert (ref.host, ref.path, ref.tag, ref.digest) == (host, path, tag, digest)
    assert str(ref) == (text if host != "docker.io" else "docker.io/library/alpine")


def test_only_loopback_registries_are_loopback():
    assert image_ref.parse("127.0.0.1:5000/a").loopback and image_ref.parse("localhost:80/a").loopback
    assert not image_ref.parse("registry.example.com:5000/a").loopback


def test_an_ecr_repository_named_with_its_account_is_said_to_need_a_policy_across_accounts(tmp_path):
    from genesys_tasks.config import checks

    spec = config.load(function_project(tmp_path, HEAD + IMAGE + '[deployment]\nimage_repository = '
                                        '"210987654321.dkr.ecr.eu-west-1.amazonaws.com/shared/fn"\n'), today=TODAY)
    (said,) = [w for w in checks.warnings(spec) if "210987654321" in w]
    assert "lambda.amazonaws.com" in said and "ecr:BatchGetImage" in said
    (tmp_path / "b").mkdir()
    plain = config.load(function_project(tmp_path / "b", HEAD + IMAGE), today=TODAY)
    assert not [w for w in checks.warnings(plain) if "ECR" in w]
