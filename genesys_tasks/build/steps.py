"""The actions behind the build tasks: what ``layer``, ``pre_build``, ``package`` and ``build`` do.

Each step takes a FunctionSpec and the project root and does its work, raising
``GenesysError`` on failure; ``tasks`` wraps them as doit actions. Installers,
packagers and the cache are imported inside the steps, so loading tasks never
pays for them; nothing here starts a process until an action runs.
"""

from __future__ import annotations

import os
from pathlib import Path

from .. import paths
from ..config.spec import FunctionSpec
from .installers import install_job
from .toolrun import debug_enabled, show


def layer_inputs(spec: FunctionSpec) -> list[Path]:
    """The files a layer is built from: the manifest, the lock files beside it, the local files they name."""
    from .layer import layer_inputs as inputs

    return inputs(install_job(spec, spec.build.architectures[0]))


def _recorded(path: Path, sha256: str) -> dict:
    """What a task saves about an artifact it wrote: its sha256, and the size and mtime it had then."""
    stat = path.stat()
    return {path.stem: sha256, f"{path.stem}.stat": [stat.st_size, stat.st_mtime_ns]}


def targets_intact(task, values) -> bool | None:
    """doit ``uptodate``: False when a target's bytes are not the ones its task recorded (e.g. truncated),
    or when an image build's blobs left genesys's image cache (``images_cached``).

    The size and mtime are compared first; only when they differ is the file hashed
    again, so a no-op build reads no zip. None (no opinion) before the task has run.
    """
    from .zipper import sha256_file

    if not images_cached(values.get(IMAGE_BLOBS, ())):
        return False
    for target in task.targets:  # os.path, not Path: a shared layer's task has a target per function
        stem = os.path.splitext(os.path.basename(target))[0]
        sha256 = values.get(stem)
        if sha256 is None:
            return None
        try:
            stat = os.stat(target)
        except OSError:
            return False
        if values.get(f"{stem}.stat") != [stat.st_size, stat.st_mtime_ns] and sha256_file(Path(target)) != sha256:
            return False
    return True


IMAGE_BLOBS = "image blobs"  # what ``finish`` saves of an image build: the digests its push reads from the cache


def images_cached(digests) -> bool:
    """Every blob of the built images is still in genesys's image cache (a cleaned cache folder, or a CI
    runner that kept ``.genesys/build`` and not the cache, has none): else the images are made again."""
    if not digests:
        return True
    from .image.blobs import image_store

    store = image_store()
    return all(store.has(digest) for digest in digests)


def build_layers(spec: FunctionSpec, root: Path, remote=None, sharing: tuple[str, ...] = ()) -> dict:
    """``remote``: the ``cache.RemoteStore`` shared with other machines, or None. ``sharing``: the other
    functions whose layer this is; each one's ``layer-<arch>.zip`` becomes a link to the same bytes."""
    from ..paths import link_file_atomic
    from .cache import LayerCache
    from .layer import build_layer, ships_nothing

    cache = LayerCache(paths.cache_dir(), remote, notify=show)
    for name in (spec.name, *sharing):
        paths.remove_stale_temps(paths.build_dir(root, name))
    who = f"{spec.name} (and {len(sharing)} more)" if sharing else spec.name
    result = {}
    for arch in spec.build.architectures:
        dest = paths.layer_zip(root, spec.name, arch)
        sha, origin = build_layer(install_job(spec, arch), dest, cache)
        for name in sharing:
            other = paths.layer_zip(root, name, arch)
            other.parent.mkdir(parents=True, exist_ok=True)
            link_file_atomic(dest, other)
        if ships_nothing(dest):
            show(f"layer {who} {arch}: no dependencies to ship, so no layer; the function deploys without one")
        else:
            show(f"layer {who} {arch}: {f'from {origin}' if origin else 'built'} ({sha[:12]})")
        result.update(_recorded(dest, sha))
    return result


def pre_build(spec: FunctionSpec, root: Path) -> None:
    from .hooks import run_hooks

    run_hooks("pre_build", spec.build.pre_build, spec.source_path, debug=debug_enabled(), log=show)


def check_handler_after_hooks(spec: FunctionSpec) -> None:
    """With pre_build hooks the loader leaves the named handler's file unchecked (a hook may make it,
    as tsc does): once they ran, it must be there."""
    if not spec.build.pre_build:
        return
    from ..config.detect import check_handler
    from ..config.locate import where_in
    from ..errors import ConfigError

    problem = check_handler(spec.runtime, spec.source_path, spec.handler)
    if problem:
        raise ConfigError(f"{problem} (after the pre_build hooks ran)",
                          hint="make the pre_build hooks write the handler's file, or fix [metadata] handler",
                          where=where_in(spec.path, "metadata", "handler"))


def package(spec: FunctionSpec, root: Path) -> dict:
    from .package import package_function

    check_handler_after_hooks(spec)
    targets = {arch: paths.function_zip(root, spec.name, arch) for arch in spec.build.architectures}
    paths.remove_stale_temps(paths.build_dir(root, spec.name))
    sha256 = package_function(spec, targets)  # worked out as each zip was written: not read back
    result = {}
    for dest in targets.values():
        result.update(_recorded(dest, sha256[dest]))
    return result


def artifacts(spec: FunctionSpec, root: Path) -> list[tuple[str, str, Path]]:
    """(kind, arch, path) of every artifact the build of ``spec`` produces."""
    found = []
    for arch in spec.build.architectures:
        if spec.has_layer:
            found.append(("layer", arch, paths.layer_zip(root, spec.name, arch)))
        found.append(("function", arch, paths.function_zip(root, spec.name, arch)))
    return found


def check_imports(spec: FunctionSpec, root: Path) -> None:
    """After both zips exist, before ``finish``: warn (or fail, with ``[build] strict_imports``) about the
    handler's imports that nothing ships."""
    from .imports import check_function
    from .toolrun import warn

    arch = spec.build.architectures[0]
    layer = [paths.layer_zip(root, spec.name, arch)] if spec.has_layer else []
    for line in check_function(spec, paths.function_zip(root, spec.name, arch), layer):
        warn(f"{spec.name}: {line}")


def record_paths(spec: FunctionSpec, root: Path) -> list[Path]:
    """The artifact records the build writes (``record.py``), one per architecture: the ``build`` task's targets."""
    from .record import record_path

    return [record_path(root, spec.name, arch) for arch in spec.build.architectures]


def finish(spec: FunctionSpec, root: Path) -> dict | None:
    """After both zips exist: check Lambda's limits, run the post_build hooks, then write the artifact
    records the deploy reads (for images, the digests of their blobs are saved: ``images_cached``)."""
    from .layer import ships_nothing
    from .limits import check_artifacts

    for arch in () if spec.build.is_image else spec.build.architectures:  # an image's limit is checked as it is built
        layer = [paths.layer_zip(root, spec.name, arch)] if spec.has_layer else []
        layer = [zip_ for zip_ in layer if not ships_nothing(zip_)]
        for note in check_artifacts(paths.function_zip(root, spec.name, arch), layer,
                                    len(spec.function.layers), spec.deployment.artifact_bucket):
            show(f"{spec.name} {arch}: {note}")
    if spec.build.post_build:
        from .hooks import run_hooks

        run_hooks("post_build", spec.build.post_build, spec.source_path, debug=debug_enabled(), log=show)
    if spec.build.is_image:
        return {IMAGE_BLOBS: image_blobs(build_images(spec, root))}
    from .record import record_build

    record_build(root, spec.name, spec.build.architectures, spec.has_layer)


def base_image(spec: FunctionSpec) -> str:
    """``[build] image``, else the runtime's AWS base image (public.ecr.aws/lambda/<language>:<version>)."""
    return spec.build.image or spec.runtime.image


def image_blobs(records: list) -> list[str]:
    """The digests a push of ``records``' images reads from the cache: index, manifests, configs and layers."""
    import json

    from .image.blobs import image_store

    store, digests = image_store(), []
    for record in records:
        config = json.loads(store.read(record.digest))["config"]["digest"]
        digests += [record.digest, config, *(layer["digest"] for layer in record.layers)]
    digests += [record.index for record in records[:1] if record.index]
    return sorted(set(digests))


def _no_entrypoint(spec: FunctionSpec, base) -> None:
    """A base with no Entrypoint (a plain distribution image, not one of AWS's Lambda bases) and none in the
    TOML: Lambda would start the handler's name as a program, and the function would never run."""
    from ..config.locate import where_in
    from ..errors import ConfigError

    client = {"python": '["python", "-m", "awslambdaric"]',
              "nodejs": '["npx", "aws-lambda-ric"]'}.get(spec.runtime.language, '["<the runtime interface client>"]')
    raise ConfigError(f"the base image {base} has no Entrypoint: Lambda would start the handler name "
                      f"{spec.handler!r} as a program (Runtime.InvalidEntrypoint)",
                      hint=f"use an AWS Lambda base image (leave [build] image out for {spec.runtime.image}), or "
                           f"install the runtime interface client in the base and name it in [function] "
                           f"image_entrypoint, e.g. image_entrypoint = {client}",
                      where=where_in(spec.path, "build", "image"))


# a Go function's `bootstrap` speaks the Runtime API itself: it is the image's entrypoint, as in AWS's Go images
GO_ENTRYPOINT = ["/var/task/bootstrap"]


def build_images(spec: FunctionSpec, root: Path) -> list:
    """The function's image per architecture from its zips (``image/assemble``), and the index when there are
    two; write the image records the deploy reads."""
    from ..config.image_ref import default_repository, parse
    from dataclasses import replace

    from .image.assemble import build_image, build_index
    from .image.blobs import image_store
    from .image.layers import dependency_placement
    from .image.registry import Registry
    from .layer import ships_nothing
    from .record import ImageRecord, record_path, write_record

    base = parse(base_image(spec))
    registry = Registry.for_ref(base)
    store = image_store()
    repository = spec.deployment.image_repository or default_repository(spec.name)
    built, records = {}, []
    for arch in spec.build.architectures:
        deps = paths.layer_zip(root, spec.name, arch) if spec.has_layer else None
        deps = None if deps is None or ships_nothing(deps) else deps
        image = build_image(base, arch, paths.function_zip(root, spec.name, arch), deps, [spec.handler], store,
                            registry, entrypoint=GO_ENTRYPOINT if spec.runtime.language == "go" else None,
                            dependencies_at=dependency_placement(spec.runtime.language))
        if not image.entrypoint and spec.function.image_entrypoint is None:
            _no_entrypoint(spec, base)
        built[arch] = image
        show(f"image {spec.name} {arch}: {image.digest[:19]} on {base} ({image.base[:19]})")
        records.append(ImageRecord(image.digest, repository, arch, image.base, image.layers))
    if len(built) > 1:  # Lambda runs one architecture's manifest; the index is for people who pull the image
        index = build_index(built, store)
        show(f"image {spec.name}: index {index[:19]} of {', '.join(built)}")
        records = [replace(record, index=index) for record in records]
    for record in records:
        write_record(record_path(root, spec.name, record.arch), record)
    return records
