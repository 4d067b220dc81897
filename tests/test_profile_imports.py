"""Import timings for ``genesys profile``: ``-X importtime`` text read into a tree, split into the runtime's
start and the function's imports, totalled by top-level package. Pure: hand-written text, no processes."""

from __future__ import annotations

from genesys_tasks.profiling import imports
from genesys_tasks.profiling.imports import Place

# what `python -X importtime` writes (post-order, two spaces a level), with a log line in between
IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 |   _io
import time:       300 |        400 | io
import time:       900 |        900 |   json.decoder
import time:       500 |       1400 | json
import time:      1000 |       1000 | awslambdaric.bootstrap
a line the function printed
import time:    200000 |     200000 | slowpkg
import time:      4000 |       4000 |       urllib3.util
import time:      6000 |      10000 |     urllib3
import time:      2000 |       2000 |     requests.models
import time:      3000 |      15000 |   requests.api
import time:      1000 |      16000 | requests
import time:       700 |        700 |   yaml.reader
import time:       300 |       1000 | yaml
"""

ORIGINS = {"_io": "interpreter", "io": "interpreter", "json": "interpreter", "awslambdaric": "runtime client",
           "slowpkg": "function", "requests": "layer", "urllib3": "layer", "yaml": "layer"}


def where(name: str) -> Place:
    top = name.split(".")[0]
    return Place(top, ORIGINS[top], name)


def test_importtime_lines_become_a_tree_in_the_order_the_roots_finished():
    roots = imports.parse(IMPORTTIME)
    assert [r.name for r in roots] == ["io", "json", "awslambdaric.bootstrap", "slowpkg", "requests", "yaml"]
    requests = roots[4]
    assert (requests.self_us, requests.cumulative_us) == (1000, 16000)
    assert [c.name for c in requests.children] == ["requests.api"]
    api = requests.children[0]
    assert [c.name for c in api.children] == ["urllib3", "requests.models"]
    assert [c.name for c in api.children[0].children] == ["urllib3.util"]


def test_roots_before_the_functions_first_are_the_runtime_starting():
    one = imports.breakdown(imports.parse(IMPORTTIME), where)
    assert one.runtime_us == 400 + 1400 + 1000
    assert one.function_us == 200000 + 16000 + 1000


def test_the_slowest_package_comes_first_and_a_package_counts_where_it_was_entered_from_outside():
    one = imports.breakdown(imports.parse(IMPORTTIME), where)
    by_name = {p.package: p for p in one.packages}
    assert [p.package for p in one.packages][:3] == ["slowpkg", "requests", "urllib3"]
    assert by_name["requests"].cumulative_us == 16000  # with urllib3 inside it, counted once
    assert by_name["requests"].self_us == 1000 + 3000 + 2000  # its own three modules
    assert (by_name["urllib3"].cumulative_us, by_name["urllib3"].modules) == (10000, 2)
    assert "awslambdaric" not in by_name and "json" not in by_name  # the runtime's, not the function's


def test_a_runtime_that_imports_nothing_of_the_function_gives_it_no_time():
    one = imports.breakdown(imports.parse(IMPORTTIME.split("a line")[0]), where)
    assert (one.function_us, one.packages) == (0, ())


def test_a_packages_typical_time_is_its_median_over_the_cold_starts():
    fast = IMPORTTIME.replace("200000 |     200000 | slowpkg", "100000 |     100000 | slowpkg")
    slow = IMPORTTIME.replace("200000 |     200000 | slowpkg", "300000 |     300000 | slowpkg")
    runs = [imports.breakdown(imports.parse(text), where) for text in (fast, IMPORTTIME, slow)]
    typical = {p.package: p.cumulative_us for p in imports.typical(runs)}
    assert typical["slowpkg"] == 200000 and typical["requests"] == 16000


def test_the_icicle_tree_puts_the_runtime_under_one_node_and_sums_small_imports():
    one = imports.breakdown(imports.parse(IMPORTTIME), where)
    tree = imports.tree(one, where, smallest_share=0.01)  # 1 % of 220 ms: imports under 2.2 ms are summed
    names = [c["name"] for c in tree["children"]]
    assert names == [imports.RUNTIME_START, "slowpkg", "requests", "(1 smaller)"]
    assert tree["children"][0]["ms"] == 2.8 and tree["children"][1]["origin"] == "function"
    assert tree["ms"] == round((2800 + 217000) / 1000, 3)


def test_python_modules_are_placed_by_the_first_folder_of_the_import_path_that_holds_them(tmp_path):
    task, layer = tmp_path / "task", tmp_path / "opt" / "python"
    (task / "app.py").parent.mkdir(parents=True)
    (task / "app.py").write_text("")
    (layer / "yaml").mkdir(parents=True)
    (task / "yaml").mkdir()  # the function's own copy comes first on the path
    (layer / "_cffi_backend.cpython-312-x86_64-linux-gnu.so").write_text("")
    where_py = imports.python_placer([(str(task), "function"), (str(layer), "layer")])
    assert where_py("app").origin == "function"
    assert where_py("yaml.reader") == Place("yaml", "function", "yaml.reader")
    assert where_py("_cffi_backend").origin == "layer"
    assert where_py("json.decoder") == Place("json", "interpreter", "json.decoder")


def test_node_files_are_placed_by_folder_and_named_by_their_package():
    where_js = imports.node_placer([("/s/task", "function"), ("/s/opt", "layer"), ("/c/runtime-clients", "runtime client")])
    assert where_js("/s/opt/nodejs/node_modules/slowdep/lib/x.js") == Place("slowdep", "layer", "slowdep/lib/x.js")
    assert where_js("/s/task/node_modules/@aws-sdk/client-s3/dist/index.js").package == "@aws-sdk/client-s3"
    assert where_js("/s/task/index.js") == Place("index.js", "function", "index.js")
    assert where_js("/c/runtime-clients/ric/node_modules/aws-lambda-ric/x.js").origin == "runtime client"
    assert where_js("/usr/lib/node/thing.js").origin == "interpreter"
