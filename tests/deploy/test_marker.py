"""How a resource's tags compare with the owner that deploys now: pure, no AWS."""

from __future__ import annotations

import pytest

from genesys_tasks.deploy import marker
from genesys_tasks.project import Owner

ME = Owner("github.com/org/first", "fns/a/lambda_a.toml")


@pytest.mark.parametrize("tags, per_toml, found", [
    ({"genesys:managed": "true", "genesys:owner": ME.project, "genesys:toml": ME.toml}, True, marker.OURS),
    ({"genesys:managed": "true", "genesys:owner": ME.project, "genesys:toml": "other.toml"}, True, marker.FOREIGN),
    ({"genesys:managed": "true", "genesys:owner": ME.project}, False, marker.OURS),  # a role: the project alone
    ({"genesys:managed": "true", "genesys:owner": "github.com/org/second"}, False, marker.FOREIGN),
    ({"genesys:managed": "true"}, True, marker.CLAIM),
    ({"genesys:owner": ME.project, "genesys:toml": ME.toml}, True, marker.UNMARKED),
    ({}, True, marker.UNMARKED),
])
def test_tags_are_ours_claimable_foreign_or_unmarked(tags, per_toml, found):
    assert marker.standing(tags, ME, per_toml) == found


def test_with_no_owner_known_the_mark_alone_counts():
    assert marker.standing({"genesys:managed": "true", "genesys:owner": "x"}, None) == marker.OURS


def test_delete_keeps_all_but_its_own_and_says_whose_they_are():
    foreign = {"genesys:managed": "true", "genesys:owner": "github.com/org/second", "genesys:toml": "b.toml"}
    assert marker.kept_because(marker.OURS, {}) is None
    assert marker.kept_because(marker.FOREIGN, foreign) == "made by genesys for b.toml of project github.com/org/second"
    assert "old genesys mark" in marker.kept_because(marker.CLAIM, {"genesys:managed": "true"})
    assert marker.owner_tags(ME) == {"genesys:managed": "true", "genesys:owner": ME.project, "genesys:toml": ME.toml}
    assert marker.owner_tags(ME, per_toml=False) == {"genesys:managed": "true", "genesys:owner": ME.project}


def test_a_mark_naming_a_toml_gone_from_the_project_is_the_moved_tomls_and_one_still_there_is_not(tmp_path):
    (tmp_path / "fns" / "b").mkdir(parents=True)
    (tmp_path / "fns" / "b" / "lambda_b.toml").write_text("")
    me = Owner(ME.project, ME.toml, tmp_path)
    mark = {"genesys:managed": "true", "genesys:owner": ME.project}
    assert marker.standing({**mark, "genesys:toml": "old/lambda_a.toml"}, me) == marker.OURS  # moved here
    assert marker.standing({**mark, "genesys:toml": "fns/b/lambda_b.toml"}, me) == marker.FOREIGN  # another TOML's
    assert marker.standing(mark, me) == marker.FOREIGN  # a function mark that names no TOML
    assert marker.standing({"genesys:managed": "true", "genesys:owner": "github.com/org/second",
                            "genesys:toml": "old/lambda_a.toml"}, me) == marker.FOREIGN  # another project's


def test_a_mark_naming_a_toml_whose_path_the_tag_had_to_change_is_not_taken_as_moved(tmp_path):
    (tmp_path / "my#fns").mkdir()
    (tmp_path / "my#fns" / "lambda_b.toml").write_text("")  # its mark says "my_fns/lambda_b.toml"
    me = Owner(ME.project, ME.toml, tmp_path)
    mark = {"genesys:managed": "true", "genesys:owner": ME.project, "genesys:toml": "my_fns/lambda_b.toml"}
    assert marker.standing(mark, me) == marker.FOREIGN
    assert marker.standing({**mark, "genesys:toml": "my_fns/lambda_gone.toml"}, me) == marker.OURS
