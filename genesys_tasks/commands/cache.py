"""``genesys cache ls | prune``: the user-wide, content-addressed layer cache."""

from __future__ import annotations

from .. import ui


def _cache():
    from ..build.cache import LayerCache
    from ..paths import cache_dir

    return LayerCache(cache_dir())


def run_ls(args) -> int:
    cache = _cache()
    entries = cache.entries()
    if args.output == "json":
        ui.emit_json([{"key": e.key, "path": str(e.path), "size": e.size, "created": e.created, **e.meta}
                      for e in entries])
        return 0
    for e in entries:
        ui.info(f"{e.key[:16]}  {e.size / 1e6:8.2f} MB  {e.meta.get('runtime', '?'):<14} "
                f"{e.meta.get('arch', '?'):<7} {e.meta.get('manifest', '')}")
    ui.info(f"{len(entries)} layer(s) in {cache.root}")
    return 0


def run_prune(args) -> int:
    removed = _cache().prune(args.older_than)
    ui.success(f"removed {len(removed)} cached layer(s), {sum(e.size for e in removed) / 1e6:.1f} MB")
    return 0
