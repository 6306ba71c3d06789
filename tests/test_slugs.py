"""One slug rule for Prefect keys, block and limit names, result folders and backlog tags."""

from gameops import alerts, dotnet, godot, prefect_api, run_labels
from gameops.slugs import slug


def test_runs_of_other_characters_become_one_dash_and_an_empty_name_its_fallback():
    assert slug("Block Life 2") == "block-life-2" and slug("  !!  ") == "" and slug("!!", "x") == "x"
    assert slug("a--b") == "a-b" and slug("a--b", keep_dashes=True) == "a--b"  # keys of earlier versions keep theirs


def test_every_user_keeps_its_own_fallback():
    assert run_labels.slug("***") == "gameops" and dotnet.slug("***") == "tests" and alerts._slug("***") == "project"
    assert prefect_api.artifact_key("Test History: Block--Life") == "test-history-block--life"
    assert godot.platform_key("", "***") == "unknown" and godot.platform_key("My Console", "") == "my-console"
