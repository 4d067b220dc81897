"""``genesys profile`` end to end: real `genesys` processes build the committed fixtures (real pip, real
npm), run them cold and warm through the plain runtime client, and print text, JSON and an HTML page.

No timing is asserted beyond what cannot flake: the package whose import sleeps 0.2 s is the slowest.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from genesys_tasks import measured
from genesys_tasks.profiling.page import embedded_data

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _copy(tmp_path: Path, name: str) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / name, root)
    (root / ".git").mkdir()
    return root


@pytest.fixture
def python_fn(tmp_path) -> Path:
    return _copy(tmp_path, "profile-python") / "lambda_profile_py.toml"


def test_profile_json_names_the_sleeping_import_slowest_and_sizes_the_layer(python_fn, run_genesys):
    done = run_genesys("profile", python_fn, "--client", "plain", "--cold", "2", "--warm", "5", "--output", "json")
    assert done.code == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["schema"], data["function"], data["memory_mb"], data["client"]) == (1, "profile-py", 256, "plain")
    cold = data["cold"]
    assert cold["runs"] == 2 and cold["imports"]["timed"]
    slowest = cold["imports"]["packages"][0]
    assert (slowest["package"], slowest["origin"]) == ("slowpkg", "function")
    assert slowest["cumulative_ms"] >= 200  # it sleeps 0.2 s
    assert any(p["package"] == "yaml" and p["origin"] == "layer" for p in cold["imports"]["packages"])
    assert cold["init_ms"]["min"] >= cold["function_imports_ms"]["min"] >= 200
    assert data["warm"]["invocations"] == 5 and data["warm"]["max_memory_mb"] > 0
    assert set(data["warm"]["duration_ms"]) == {"p50", "p95", "p99", "min", "max"}
    sizes = data["bytes"]
    assert [z["kind"] for z in sizes["zips"]] == ["function", "layer"]
    assert any(p["package"] == "yaml" and p["zip"] == "layer" and p["bytes"] > 100_000 for p in sizes["packages"])
    assert sizes["unzipped_bytes"] == sum(z["unzipped_bytes"] for z in sizes["zips"])
    assert sizes["share_of_limit"] == pytest.approx(sizes["unzipped_bytes"] / 262_144_000, abs=1e-6)
    record = measured.last(python_fn.parent, "profile-py")  # what `genesys cost --from-profile` reads
    assert record is not None and record.source == "profile" and record.memory_mb == 256
    assert record.duration_ms == data["warm"]["duration_ms"]["p50"] and record.init_ms == cold["init_ms"]["p50"]


def test_profile_text_and_html_page_say_the_same_sizes_and_names(python_fn, run_genesys, tmp_path):
    page = tmp_path / "out" / "profile.html"
    page.parent.mkdir()
    done = run_genesys("profile", python_fn, "--client", "plain", "--cold", "1", "--warm", "3", "--html", page)
    assert done.code == 0, done.stderr
    assert done.stdout == ""  # text goes to stderr, as all people's output does
    lines = done.stderr.splitlines()
    slowest = lines.index(next(line for line in lines if "slowest imports" in line))
    assert "slowpkg" in lines[slowest + 1] and "(function)" in lines[slowest + 1]
    assert any("yaml" in line and "(layer," in line for line in lines)
    assert "of Lambda's 250.0 MB" in done.stderr
    data = embedded_data(page.read_text())
    assert data["function"] == "profile-py"
    assert data["cold"]["imports"]["packages"][0]["package"] == "slowpkg"
    tree = data["cold"]["imports"]["tree"]
    assert "slowpkg" in [child["name"] for child in tree["children"]]
    assert {p["package"] for p in data["bytes"]["packages"]} >= {"yaml", "app.py", "slowpkg"}
    assert not list(page.parent.glob(".*tmp"))  # written through a temporary sibling, nothing left


@pytest.mark.needs_tools("npm", "node")
def test_profile_of_a_node_function_times_its_layer_dependency(tmp_path, run_genesys):
    toml = _copy(tmp_path, "profile-node") / "fn" / "lambda_profile_node.toml"
    done = run_genesys("profile", toml, "--client", "plain", "--cold", "2", "--warm", "3", "--output", "json")
    assert done.code == 0, done.stderr
    data = json.loads(done.stdout)
    slowest = data["cold"]["imports"]["packages"][0]
    assert (slowest["package"], slowest["origin"], slowest["modules"]) == ("slowdep", "layer", 2)
    assert slowest["cumulative_ms"] >= 200
    layer = {p["package"]: p for p in data["bytes"]["packages"] if p["zip"] == "layer"}
    assert "slowdep" in layer
    assert [(r["package"], r["reason"]) for r in data["bytes"]["removable"]["items"]] == [("slowdep", "tests")]


def test_an_event_that_is_not_json_is_refused_before_anything_runs(python_fn, run_genesys, tmp_path):
    event = tmp_path / "event.json"
    event.write_text("{oops")
    done = run_genesys("profile", python_fn, "--event", event)
    assert done.code == 2
    assert f"{event}:1: the event is not valid JSON" in done.stderr
    assert not (python_fn.parent / ".genesys" / "build").exists()  # nothing was built


@pytest.mark.parametrize("flag", ["--cold", "--warm"])
def test_fewer_than_one_run_is_a_usage_error(python_fn, run_genesys, flag):
    done = run_genesys("profile", python_fn, flag, "0")
    assert done.code == 2
    assert f"{flag} 0: at least 1 run is needed" in done.stderr and "Traceback" not in done.stderr


def test_a_function_failing_on_the_event_fails_the_profile_with_its_error(python_fn, run_genesys):
    (python_fn.parent / "app.py").write_text("def handler(event, context):\n    raise KeyError(event['missing'])\n")
    done = run_genesys("profile", python_fn, "--client", "plain", "--cold", "1", "--warm", "1")
    assert done.code == 1
    assert "the function failed: KeyError" in done.stderr and "Traceback (most recent call last)" not in done.stderr
    assert measured.last(python_fn.parent, "profile-py") is None  # nothing measured, nothing saved


def test_a_function_failing_as_it_starts_names_its_imports_not_the_event_as_the_fix(python_fn, run_genesys):
    """An import error comes before any event: asking for another event leaves the user guessing."""
    (python_fn.parent / "app.py").write_text("import pkg_resources_gone\n\ndef handler(event, context):\n    return 1\n")
    done = run_genesys("profile", python_fn, "--client", "plain", "--cold", "1", "--warm", "1")
    assert done.code == 1, done.output
    assert "the function failed during init" in done.stderr and "pkg_resources_gone" in done.stderr
    hint = done.stderr.split("fix:", 1)[1]
    assert "--event" not in hint and "before it got an event" in hint, hint


def test_an_html_path_in_a_missing_folder_or_naming_a_folder_is_a_usage_error(python_fn, run_genesys, tmp_path):
    missing = tmp_path / "nowhere" / "profile.html"
    done = run_genesys("profile", python_fn, "--html", missing)
    assert done.code == 2 and f"the folder {missing.parent} does not exist" in done.stderr
    done = run_genesys("profile", python_fn, "--html", tmp_path)
    assert done.code == 2 and "is a folder" in done.stderr


def test_profile_says_each_load_warning_of_the_toml_once(python_fn, run_genesys):
    with python_fn.open("a") as toml:
        toml.write('\n[deployment]\nfunction_url = true\nauth_type = "NONE"\n')
    done = run_genesys("profile", python_fn, "--client", "plain", "--cold", "1", "--warm", "1")
    assert done.code == 0, done.stderr
    assert done.stderr.count("function URL is public") == 1, done.stderr
