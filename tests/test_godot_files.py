"""Reading project.godot and export_presets.cfg (Godot 3 and 4) without Godot."""

from __future__ import annotations

import pytest

from gameops.errors import BadInput
from gameops.godot import parse_config, platform_key, read_export_presets, read_project


def test_multiline_strings_and_arrays():
    text = (
        '[preset.0]\n\nname="Linux"\nplatform="Linux"\n\n[preset.0.options]\n\n'
        'ssh_remote_deploy/run_script="#!/usr/bin/env bash\nexport DISPLAY=:0\n\\"{temp_dir}/{exe_name}\\" {cmd_args}"\n'
        'patches=PackedStringArray("a.pck", "b \\"q\\".pck")\n'
        "value=Vector2(\n 1, 2\n)\n"
        "count=3\nratio=0.5\nflag=false\n"
    )
    cfg = parse_config(text)
    opts = cfg["preset.0.options"]
    assert opts["ssh_remote_deploy/run_script"] == '#!/usr/bin/env bash\nexport DISPLAY=:0\n"{temp_dir}/{exe_name}" {cmd_args}'
    assert opts["patches"] == ["a.pck", 'b "q".pck']
    assert opts["value"] == "Vector2(\n 1, 2\n)"
    assert (opts["count"], opts["ratio"], opts["flag"]) == (3, 0.5, False)


def test_unterminated_value_names_file_and_line(tmp_path):
    f = tmp_path / "export_presets.cfg"
    f.write_text('[preset.0]\nname="Linux\nplatform="Linux"\n')
    with pytest.raises(BadInput, match=r"export_presets.cfg:2: value of 'name' is not closed"):
        read_export_presets(f)


def test_every_fixture_preset_file_parses(shared_fixtures):
    expected = {
        "thrive__export_presets.cfg": 7,
        "godot-demos__export_presets.cfg": 7,
        "typetorio__export_presets.cfg": 2,
        "godot-ci__test-project__export_presets.cfg": 5,
        "godot-export__project-godot-4__export_presets.cfg": 2,
        "godot3__godot-export__project__export_presets.cfg": 3,
        "godot3__godot-export__project-mono__export_presets.cfg": 3,
    }
    for name, count in expected.items():
        presets = read_export_presets(shared_fixtures / "godot" / name)
        assert len(presets) == count, name
    thrive = read_export_presets(shared_fixtures / "godot" / "thrive__export_presets.cfg")
    assert thrive[0].name == "Linux/X11" and thrive[0].platform == "Linux"
    assert "#!/usr/bin/env bash" in thrive[0].options["ssh_remote_deploy/run_script"]
    assert [p.export_path for p in thrive].count("") == 1


def test_platform_keys_across_engine_versions():
    assert platform_key("Linux/X11") == platform_key("Linux") == "linux"
    assert platform_key("Mac OSX") == platform_key("macOS") == "macos"
    assert platform_key("Windows Desktop") == "windows"
    assert platform_key("HTML5") == platform_key("Web") == "web"


def test_project_godot_versions(tmp_path, shared_fixtures):
    (tmp_path / "project.godot").write_bytes((shared_fixtures / "godot" / "thrive__project.godot").read_bytes())
    proj = read_project(tmp_path)
    assert proj.name == "Thrive" and proj.engine_major == 4 and proj.uses_csharp
    assert "4.7" in proj.features


def test_sample_game_is_godot3():
    from conftest import SAMPLE_GAME

    proj = read_project(SAMPLE_GAME)
    assert proj.engine_major == 3 and not proj.uses_csharp and proj.main_scene == "res://Main.tscn"


GODOT44_CSHARP = """config_version=5

[application]

config/name="Blocks"
run/main_scene="uid://o8gakj4jxun8"
config/features=PackedStringArray("4.4", "C#", "GL Compatibility")

[dotnet]

project/assembly_name="Blocks"
"""


def test_engine_version_and_csharp_edition_come_from_project_godot(tmp_path):
    (tmp_path / "project.godot").write_text(GODOT44_CSHARP)
    proj = read_project(tmp_path)
    assert proj.engine_version == "4.4" and proj.uses_csharp
    assert proj.engine_version_source == "config/features in project.godot"
    (tmp_path / "project.godot").write_text(GODOT44_CSHARP.replace('"4.4", "C#", ', "").replace("[dotnet]", "[other]"))
    plain = read_project(tmp_path)
    assert plain.engine_version == "4" and not plain.uses_csharp  # no version in features: the format's major
    from conftest import SAMPLE_GAME

    assert read_project(SAMPLE_GAME).engine_version == "3"  # Godot 3 writes no minor into project.godot


def test_uid_main_scene_resolves_through_the_scenes_uid_headers(tmp_path):
    from gameops.godot import resolve_resource

    proj = tmp_path / "game"
    (proj / "scenes" / "Main").mkdir(parents=True)
    (proj / "project.godot").write_text(GODOT44_CSHARP)
    (proj / "scenes" / "Other.tscn").write_text('[gd_scene load_steps=2 format=3 uid="uid://b1other"]\n')
    (proj / "scenes" / "Main" / "main.tscn").write_text('[gd_scene load_steps=4 format=3 uid="uid://o8gakj4jxun8"]\n\n[node name="Main" type="Node2D"]\n')
    assert resolve_resource(proj, "uid://o8gakj4jxun8") == proj / "scenes" / "Main" / "main.tscn"
    assert resolve_resource(proj, "uid://missing") is None
    assert resolve_resource(proj, "res://scenes/Other.tscn") == (proj / "scenes" / "Other.tscn").resolve()
    # nothing outside the project is found, through .. or a symlink
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.tscn").write_text('[gd_scene format=3 uid="uid://evil"]\n')
    (proj / "linked").symlink_to(outside, target_is_directory=True)
    (proj / "evil.tscn").symlink_to(outside / "evil.tscn")
    assert resolve_resource(proj, "uid://evil") is None
    assert resolve_resource(proj, "res://../outside/evil.tscn") is None
    assert resolve_resource(proj, "res://evil.tscn") is None
