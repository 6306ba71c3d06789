"""Small core helpers other modules rely on: version matching, git's list of changed paths."""

from __future__ import annotations

from conftest import git

from gameops.git import changed_paths, state
from gameops.tools import version_matches


def test_version_matches_numbers_not_text():
    assert version_matches("4.1.3.stable", "4.1")
    assert not version_matches("4.10.1.stable", "4.1")  # a text prefix would say yes
    assert version_matches("3.2.3.stable.custom_build", "3.2") and version_matches("3.2.3", "3")
    assert not version_matches(None, "4.4") and not version_matches("4.4", "four")


def test_changed_paths_keep_odd_names_as_they_are(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "old name.txt").write_text("x")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "init")
    (tmp_path / "Música.ogg").write_bytes(b"ogg")
    (tmp_path / 'say "hi".md').write_text("x")
    git(tmp_path, "mv", "old name.txt", "new name.txt")
    assert sorted(changed_paths(tmp_path)) == sorted(["Música.ogg", 'say "hi".md', "new name.txt"])
    assert all((tmp_path / p).exists() for p in state(tmp_path).dirty)


def test_godot_binary_must_fit_the_project_version_and_edition():
    from gameops.tools import godot_misfit

    wrong_major = godot_misfit("/usr/bin/godot3-server", "3.2.3.stable.custom_build", "4.4", False, "project.godot")
    assert "/usr/bin/godot3-server is Godot 3.2.3.stable.custom_build" in wrong_major and "Godot 4.4 project" in wrong_major
    assert "\n" not in wrong_major
    assert godot_misfit("g", "4.3.stable.official", "4.4", False)  # older minor cannot open it
    assert godot_misfit("g", "4.5.stable.official", "4.4", False)  # newer minor would upgrade the project
    assert godot_misfit("g", "4.10.1.stable", "4.1", False)
    assert godot_misfit("g", "4.4.1.stable.official.49a5bc7b6", "4.4", False) is None
    no_net = godot_misfit("g", "4.4.1.stable.official.49a5bc7b6", "4.4", True)
    assert ".NET" in no_net and "C# project" in no_net
    assert godot_misfit("g", "4.4.1.stable.mono.official.49a5bc7b6", "4.4", True) is None
    assert godot_misfit("g", "3.2.3.stable.custom_build", "3", False) is None  # Godot 3 projects name only the major
    assert godot_misfit("g", "3.5.3.stable.mono.official", "3", True) is None


def test_the_dotnet_hint_works_on_debian_12(monkeypatch):
    """Debian's own archive has no dotnet package: the Linux hint points to Microsoft's feed for
    Debian 12 or the official install script, and keeps apt for Ubuntu (which carries it)."""
    from gameops import tools

    hint = tools.INSTALL_HINTS["dotnet"]["linux"]
    assert "packages.microsoft.com/config/debian/12/packages-microsoft-prod.deb" in hint
    assert "dotnet-install.sh" in hint
    assert "Debian/Ubuntu: apt-get install" not in hint
