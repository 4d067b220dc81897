"""Where a function's bytes go, for ``genesys profile``: hand-made zips read into sizes per package, the
biggest files and what could go; the report's percentiles; the HTML page's embedded data."""

from __future__ import annotations

import zipfile

from genesys_tasks.build.limits import UNZIPPED_MAX
from genesys_tasks.profiling import page, report, sizes


def make_zip(path, files: dict[str, int]):
    with zipfile.ZipFile(path, "w") as archive:
        for name, size in files.items():
            archive.writestr(name, b"x" * size)
    return path


SITE = "python/lib/python3.12/site-packages"


def test_sizes_are_totalled_per_top_level_package_of_each_zip(tmp_path):
    function = make_zip(tmp_path / "function.zip", {"app.py": 100, "lib/util.py": 50, "lib/more.py": 25})
    layer = make_zip(tmp_path / "layer.zip", {f"{SITE}/yaml/__init__.py": 2000, f"{SITE}/yaml/_yaml.so": 9000,
                                              "python/numpy/core/x.py": 500})
    measured = sizes.measure([("function", function), ("layer", layer)])
    rows = [(p.zip, p.package, p.bytes, p.files) for p in measured.packages]
    assert rows == [("layer", "yaml", 11000, 2), ("layer", "numpy", 500, 1), ("function", "app.py", 100, 1),
                    ("function", "lib", 75, 2)]
    assert measured.unzipped_bytes == 11675
    assert measured.share_of_limit == 11675 / UNZIPPED_MAX
    assert measured.biggest_files[0].path == f"{SITE}/yaml/_yaml.so"
    assert [z.kind for z in measured.zips] == ["function", "layer"]


def test_what_the_runtime_provides_and_packaging_leftovers_could_go_each_with_its_size(tmp_path):
    layer = make_zip(tmp_path / "layer.zip", {
        "python/boto3/session.py": 300, "python/botocore/data/s3.json": 5000, "python/boto3-1.34.0.dist-info/METADATA": 10,
        "python/requests/__init__.py": 400, "python/requests/tests/test_api.py": 700,
        "python/requests/docs/index.rst": 60, "python/requests/__pycache__/api.cpython-312.pyc": 90,
        "python/requests/api.pyi": 30, "python/requests-2.32.0.dist-info/METADATA": 20,
        "python/requests-2.32.0.dist-info/RECORD": 80, "python/requests-2.32.0.dist-info/entry_points.txt": 5})
    measured = sizes.measure([("layer", layer)])
    items = {(r.package, r.reason): r.bytes for r in measured.removable}
    assert items == {("botocore", "provided by the runtime"): 5000, ("boto3", "provided by the runtime"): 300,
                     ("boto3-1.34.0.dist-info", "provided by the runtime"): 10, ("requests", "tests"): 700,
                     ("requests", "__pycache__"): 90, ("requests", "docs and examples"): 60,
                     ("requests", "type stubs"): 30, ("requests-2.32.0.dist-info", "dist-info extras"): 80}
    assert measured.removable_bytes == sum(items.values())
    assert measured.removable[0].package == "botocore"  # biggest first


def test_a_layer_package_the_function_zip_ships_too_is_shadowed(tmp_path):
    function = make_zip(tmp_path / "function.zip", {"app.py": 10, "yaml/__init__.py": 300})
    layer = make_zip(tmp_path / "layer.zip", {"python/yaml/__init__.py": 300, "python/other/x.py": 5})
    measured = sizes.measure([("function", function), ("layer", layer)])
    assert [(r.zip, r.package, r.reason, r.bytes) for r in measured.removable] == \
        [("layer", "yaml", "shadowed by the function zip's copy", 300)]


def test_the_aws_sdk_for_javascript_goes_only_where_the_node_runtime_provides_it(tmp_path):
    layer = make_zip(tmp_path / "layer.zip", {"nodejs/node_modules/@aws-sdk/client-s3/dist/index.js": 800,
                                              "nodejs/node_modules/left-pad/index.d.ts": 40,
                                              "nodejs/node_modules/left-pad/index.js.map": 20,
                                              "nodejs/node_modules/left-pad/index.js": 100})
    with_sdk = {(r.package, r.reason) for r in sizes.measure([("layer", layer)], node_sdk=True).removable}
    assert with_sdk == {("@aws-sdk/client-s3", "provided by the runtime"), ("left-pad", "type stubs"),
                        ("left-pad", "source maps")}
    without = {r.package for r in sizes.measure([("layer", layer)], node_sdk=False).removable}
    assert "@aws-sdk/client-s3" not in without


def test_percentiles_interpolate_between_the_nearest_ranks():
    values = list(range(1, 101))  # 1..100
    assert report.percentile(values, 0.5) == 50.5
    assert report.percentile(values, 0.99) == 99.01
    assert report.summary([3.0]) == {"p50": 3.0, "p95": 3.0, "p99": 3.0, "min": 3.0, "max": 3.0}
    assert report.summary([]) is None


def test_the_page_embeds_the_data_so_no_name_can_end_its_script_block():
    data = {"function": "</script><script>alert(1)</script>", "bytes": {"packages": [{"package": "a&b"}]}}
    html = page.render(data)
    assert "</script><script>alert(1)" not in html
    assert page.embedded_data(html) == data
    assert "http://" not in html and "https://" not in html  # nothing fetched: the page works offline


def test_a_runtime_whose_imports_are_not_timed_still_reports_its_cold_and_warm_runs(tmp_path):
    from genesys_tasks.profiling.runs import ColdStart, Runs

    runs = Runs((ColdStart(30.0, 2.0, None), ColdStart(50.0, 4.0, None)), (1.0, 2.0, 3.0), 40, None)
    measured = sizes.measure([("function", make_zip(tmp_path / "function.zip", {"bootstrap": 1000}))])
    data = report.profile_data(function="go-fn", runtime="provided.al2023", architecture="x86_64", memory_mb=128,
                               client="bootstrap", runs=runs, sizes=measured, measured_at="2026-12-06T04:00:00Z")
    assert data["cold"]["init_ms"]["p50"] == 40.0 and data["cold"]["runtime_start_ms"] is None
    assert data["cold"]["imports"] == {"timed": False, "packages": [], "tree": None}
    assert data["warm"]["duration_ms"]["p50"] == 2.0 and data["warm"]["max_memory_mb"] == 40
    text = "\n".join(report.text_lines(data))
    assert "imports not timed for this runtime" in text and "could go: nothing found" in text
