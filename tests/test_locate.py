"""config/locate.py: the line of a key in TOML text, for every way TOML can spell a key, and where_in."""

from __future__ import annotations

import tomllib

import pytest

from genesys_tasks.config.locate import find_line, where_in
from genesys_tasks.errors import Where

DOC = """\
# a function
[metadata]
name = "fn"
"description" = "quoted key"

[build]
architectures = [
  "x86_64",
  "arm64",
]
exclude = ["*.md"]

[function]  # settings
memory_mb = 256
environment.API_KEY = "dotted"
environment . 'OTHER' = "spaced and single-quoted"

[ deployment . cors ]
allow_origins = ["*"]

[tags]
"team.name" = "payments"
'owner' = "me"
plain = "x"

[layer]
name = "fn-deps"
"""


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_the_document_is_valid_toml():
    data = tomllib.loads(DOC)
    assert data["tags"]["team.name"] == "payments"
    assert data["function"]["environment"] == {"API_KEY": "dotted", "OTHER": "spaced and single-quoted"}


@pytest.mark.parametrize("path, needle", [
    (("metadata", "name"), 'name = "fn"'),
    (("metadata", "description"), '"description"'),
    (("build", "architectures"), "architectures = ["),
    (("build", "exclude"), "exclude"),
    (("function", "memory_mb"), "memory_mb"),
    (("function", "environment", "API_KEY"), "environment.API_KEY"),
    (("function", "environment", "OTHER"), "'OTHER'"),
    (("deployment", "cors", "allow_origins"), "allow_origins"),
    (("tags", "team.name"), '"team.name"'),
    (("tags", "owner"), "'owner'"),
    (("layer", "name"), 'name = "fn-deps"'),
])
def test_keys_are_found_under_their_own_table(path, needle):
    assert find_line(DOC, path) == line_of(DOC, needle)


def test_a_table_is_found_at_its_header_even_with_a_comment_or_spaces():
    assert find_line(DOC, ("function",)) == line_of(DOC, "[function]")
    assert find_line(DOC, ("deployment", "cors")) == line_of(DOC, "[ deployment . cors ]")


def test_a_missing_key_falls_back_to_its_table_header():
    assert find_line(DOC, ("function", "timeout_seconds")) == line_of(DOC, "[function]")


def test_a_missing_table_gives_none():
    assert find_line(DOC, ("iam", "role_name")) is None


def test_a_dotted_key_at_top_level_is_found():
    text = '[metadata]\nname = "fn"\n\nfunction.memory_mb = 64\n'
    text = 'function.memory_mb = 64\n' + text  # top-level keys come before any header
    assert find_line(text, ("function", "memory_mb")) == 1


def test_a_dotted_key_path_under_a_header_is_found():
    text = '[function]\nenvironment.API_KEY = "x"\n[deployment]\ncors.max_age = 5\n'
    assert find_line(text, ("deployment", "cors", "max_age")) == 4


def test_a_key_inside_an_inline_table_points_at_the_inline_table():
    text = '[function]\nmemory_mb = 128\nenvironment = { API_KEY = "x", OTHER = "y" }\n'
    assert find_line(text, ("function", "environment", "OTHER")) == 3
    assert find_line(text, ("function", "environment")) == 3


def test_arrays_of_tables_are_counted():
    text = ('[metadata]\nname = "fn"\n\n'
            '[[triggers]]\ntype = "api_gateway"\npath = "/a"\n\n'
            '[[triggers]]\ntype = "sqs"\n\n'
            '[[triggers]]\ntype = "api_gateway"\npath = "/c"\n')
    assert find_line(text, ("triggers", 0, "path")) == line_of(text, '"/a"')
    assert find_line(text, ("triggers", 2, "path")) == line_of(text, '"/c"')
    assert find_line(text, ("triggers", 1, "type")) == line_of(text, '"sqs"')
    # the second trigger has no path: its own header, not another trigger's path
    assert find_line(text, ("triggers", 1, "path")) == 8
    assert find_line(text, ("triggers", 2)) == 11


def test_a_subtable_of_an_array_of_tables_item():
    text = '[[triggers]]\ntype = "a"\n\n[[triggers]]\ntype = "b"\n[triggers.filter]\nprefix = "x"\n'
    data = tomllib.loads(text)
    assert data["triggers"][1]["filter"] == {"prefix": "x"}
    assert find_line(text, ("triggers", 1, "filter", "prefix")) == 7


def test_text_inside_multiline_strings_is_not_a_key():
    text = ('[metadata]\ndescription = """\nname = "not a key"\n[build]\n"""\nname = "fn"\n\n'
            "[function]\nmemory_mb = 1\n")
    assert tomllib.loads(text)["metadata"]["name"] == "fn"
    assert find_line(text, ("metadata", "name")) == 6
    assert find_line(text, ("function", "memory_mb")) == 9
    assert find_line(text, ("build",)) is None


def test_windows_line_endings():
    text = '[metadata]\r\nname = "fn"\r\n[function]\r\nmemory_mb = 1\r\n'
    assert find_line(text, ("function", "memory_mb")) == 4


def test_same_key_in_two_tables_is_told_apart():
    text = '[layer]\nname = "deps"\n\n[metadata]\nname = "fn"\n'
    assert find_line(text, ("metadata", "name")) == 5
    assert find_line(text, ("layer", "name")) == 2


def test_where_in_names_the_file_line_and_key_as_people_read_it(tmp_path):
    path = tmp_path / "lambda_fn.toml"
    path.write_text('[metadata]\nname = "fn"\n\n[[triggers]]\ntype = "sqs"\nqueue = "q"\n')
    assert where_in(path, "triggers", 0, "queue") == Where(path, 6, "triggers[0].queue")
    assert str(where_in(path, "metadata", "name")) == f"{path}:2: [metadata.name]"
    assert where_in(path) == Where(path, None, None)


def test_where_in_uses_the_text_it_is_given_and_survives_an_unreadable_file(tmp_path):
    path = tmp_path / "gone.toml"
    assert where_in(path, "function", "memory_mb", text="[function]\nmemory_mb = 1\n").line == 2
    assert where_in(path, "function", "memory_mb") == Where(path, None, "function.memory_mb")
