"""Loading a TOML never ends in a traceback: deep nesting, a list where a trigger type goes, a
byte-order mark and whatever else a file may hold give a FunctionSpec or a GenesysError (exit 2 with
file:line for bad input), never another exception. A table of nasty inputs and a small seeded fuzzer
(structural and textual mutations of the format's example) pin it."""

from __future__ import annotations

import copy
import datetime as dt
import math
import random
from pathlib import Path

import pytest
import tomlkit

from genesys_tasks import cli, config
from genesys_tasks.config.spec import FunctionSpec
from genesys_tasks.errors import ConfigError, GenesysError
from load_cases import TODAY, function_project, refused
from seed_toml import SEED_TOML

HEAD = '[metadata]\nname = "fn"\nruntime = "python3.12"\nhandler = "app.lambda_handler"\n'
DEEP = 5000  # far past the parser's recursion limit


def _project(tmp_path: Path, text: str) -> Path:
    return function_project(tmp_path, text, {"requirements.txt": "six\n", "verify.sh": "true\n"})


CASES = [
    ("deeply nested arrays", HEAD + "\n[tags]\nx = " + "[" * DEEP + "]" * DEEP + "\n", 7, None,
     "nested too deeply"),
    ("deeply nested inline tables", HEAD + "\n[function]\nenvironment = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n",
     7, None, "nested too deeply"),
    ("a list as a trigger type", HEAD + '\n[[triggers]]\ntype = ["s3"]\nbucket = "b"\n', 7, "triggers[0].type",
     "type must be a string, not list ['s3']"),
    ("a table as a trigger type", HEAD + '\n[[triggers]]\ntype = { s3 = true }\n', 7, "triggers[0].type",
     "type must be a string"),
    ("a byte-order mark", "\ufeff" + HEAD, 1, None, "byte-order mark"),
    ("a home folder of nobody", HEAD + '\n[build]\nsource_path = "~nobody-here-at-all/src"\n', 7,
     "build.source_path", "cannot expand"),
    ("a path name too long", HEAD + f'\n[build]\nrequirements_file = "{"r" * 300}"\n', 7, "build.requirements_file",
     "cannot use"),
]


@pytest.mark.parametrize("name, text, line, key, says", CASES, ids=[c[0] for c in CASES])
def test_bad_files_are_config_errors_at_their_line(tmp_path, name, text, line, key, says):
    refused(_project(tmp_path, text), says, line, key)


@pytest.mark.parametrize("name, text, line, key, says", CASES, ids=[c[0] for c in CASES])
def test_the_command_exits_2_without_a_traceback(tmp_path, capsys, name, text, line, key, says):
    toml = _project(tmp_path, text)
    assert cli.main(["lambda", "build", str(toml)]) == 2
    err = capsys.readouterr().err
    assert f"{toml}:{line}" in err and says in err and "Traceback" not in err, err


def test_a_huge_value_is_shown_cut_short(tmp_path):
    toml = _project(tmp_path, HEAD + f"\n[function]\nmemory_mb = [{', '.join(['1'] * 10000)}]\n")
    with pytest.raises(ConfigError) as caught:
        config.load(toml, today=TODAY)
    assert len(caught.value.render()) < 400 and "..." in caught.value.message


# ----------------------------------------------------------------------------- fuzzing

NASTY_VALUES = [0, -1, 2**63 - 1, 1.5, math.inf, math.nan, True, "", " ", "x" * 3000, "../..", "*", "é日本",
                "${env:NOPE}", "\x00", "~nobody-here-at-all/x", [], [1], [[]], ["a", 1], {}, {"a": 1}, {"a": {"b": []}},
                dt.date(2024, 1, 1), dt.time(1, 2), dt.datetime(2024, 1, 1, 1, 2)]
NASTY_TEXT = ["[", "]", "{", "}", "[[triggers]]\n", "[metadata]\n", '"""', "'''", "=", "\n", "#", "\\",
              "\ufeff", "\t", '"\\u0000"', "x = 1\n", "[a.b.c]\n", "type = []\n", "1979-05-27T07:32:00Z",
              "nan", "inf", "0x_", "\r\n"]


def _paths(data, prefix=()):
    """Every key path in ``data`` (tables and arrays of tables)."""
    for key, value in list(data.items()) if isinstance(data, dict) else enumerate(data):
        yield prefix + (key,)
        if isinstance(value, (dict, list)):
            yield from _paths(value, prefix + (key,))


def _mutated_data(rng: random.Random) -> str:
    data = tomlkit.parse(SEED_TOML).unwrap()
    data["triggers"] = [{"type": "s3", "bucket": "photos", "prefix": "in/"}, {"type": "sqs", "queue": "jobs"},
                        {"type": "schedule", "expression": "rate(5 minutes)"}]
    data["iam"]["resources"] = {"s3_buckets": ["photos"]}
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(list(_paths(data)))
        holder = data
        for part in path[:-1]:
            holder = holder[part]
        if rng.random() < 0.15 and isinstance(holder, dict):
            del holder[path[-1]]
        else:
            holder[path[-1]] = copy.deepcopy(rng.choice(NASTY_VALUES))
    return tomlkit.dumps(data)


def _mutated_text(rng: random.Random) -> str:
    text = SEED_TOML
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(text))
        if rng.random() < 0.3:
            text = text[:at] + text[at + rng.randint(1, 20):]
        else:
            text = text[:at] + rng.choice(NASTY_TEXT) + text[at:]
    return text


@pytest.mark.parametrize("mutate, runs", [(_mutated_data, 300), (_mutated_text, 300)], ids=["values", "text"])
def test_every_mutation_gives_a_spec_or_a_genesys_error(tmp_path, mutate, runs):
    rng = random.Random(20261126)
    toml = _project(tmp_path, SEED_TOML)
    outcomes = {"spec": 0, "error": 0}
    for run in range(runs):
        text = mutate(rng)
        toml.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            result = config.load(toml, today=TODAY, warn=lambda message: None)
        except GenesysError as err:
            assert err.exit_code == 2 and err.render(), text
            outcomes["error"] += 1
        except Exception as err:  # noqa: BLE001 - the point of the test
            pytest.fail(f"run {run}: {type(err).__name__}: {err}\n--- input ---\n{text}")
        else:
            assert isinstance(result, FunctionSpec)
            outcomes["spec"] += 1
    assert outcomes["spec"] and outcomes["error"], outcomes  # the mutations reach both ends
