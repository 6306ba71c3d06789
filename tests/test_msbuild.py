"""MSBuild diagnostics: real logs (fixtures) and the quirks named in the issue."""

from __future__ import annotations

from pathlib import Path

from gameops import msbuild

FIX = Path(__file__).resolve().parent / "fixtures" / "msbuild"


def parse(name: str) -> list[msbuild.Diagnostic]:
    return msbuild.parse_text((FIX / name).read_text(encoding="utf-8", errors="replace"))


def test_godot_msbuild_log_with_bom():
    d = parse("godot-demos__msbuild.log")
    assert [x.code for x in d].count("CS4014") == 7
    err = msbuild.errors(d)
    assert len(err) == 1 and err[0].code == "CS0131"
    assert err[0].file.endswith("PlatformerCharacterController2D.cs") and (err[0].line, err[0].column) == (642, 17)
    assert err[0].project.endswith("demos.csproj")
    assert d[0].file.startswith("Z:\\")  # the BOM is not part of the path


def test_summary_repeats_are_removed_but_real_repeats_kept():
    d = parse("analysis-model__issue20154.txt")
    # Debug and Release each raise CA2210 and CA1801 (4 warnings, as MSBuild's own "4 Warning(s)");
    # the summary block lists the same 4 again and adds nothing.
    assert len(d) == 4
    assert [x.code for x in d] == ["CA2210", "CA1801", "CA2210", "CA1801"]
    assert d[0].file is None and d[0].message.startswith("Microsoft.Design : Sign")
    assert (d[1].line, d[1].column) == (12, None)


def test_ansi_colours_and_parallel_node_prefix():
    (d,) = parse("analysis-model__MSBuildANSIColor.txt")
    assert (d.file, d.line, d.column, d.code) == ("GenericCodeRunner\\CompositeCode.cs", 137, 32, "CS1591")
    assert d.project == "C:\\j\\6aa722\\src\\CodeRunner\\CodeRunner.csproj"
    assert "this[int]" in d.message


def test_code_inside_the_text_of_a_fileless_origin():
    d = parse("analysis-model__issue1512.txt")
    assert [x.code for x in d] == ["NU1902", "NU1903", "NU1902"]
    assert all(x.file is None and x.severity == "warning" for x in d)


def test_wrapped_lines_are_joined(shared_fixtures):
    text = (shared_fixtures / "msbuild" / "snippet__dotnet-sdk-issue-33819__wrapped-errors.log").read_text(encoding="utf-8")
    d = msbuild.parse_text(text)
    assert [(x.code, x.column) for x in d] == [("CS1056", 103), ("CS1003", 104), ("CS1056", 121), ("CS1003", 122)]
    assert all(x.project.endswith("Microsoft.NET.Publish.Tests.csproj") for x in d)


def test_test_console_log_has_no_build_diagnostics(shared_fixtures):
    text = (shared_fixtures / "msbuild" / "snippet__equinor-flotilla-issue-2230__dotnet-test-xunit-fail.log").read_text(encoding="utf-8")
    assert msbuild.parse_text(text) == []


def test_location_forms_and_target_framework_suffix():
    lines = [
        "src/Main.cs(17,20): warning CS0168: The variable 'e' is declared but never used [/r/Game.csproj::TargetFramework=net8.0]",
        "C:\\dir1\\strings.resx(2) : error BC30188: Declaration expected.",
        "error CS0006: Metadata file 'System.dll' could not be found.",
        "CSC : error CS5001: Program does not contain a static 'Main' method [/r/App.csproj]",
        "  17:4>/r/A.cs(1,2,3,4): error CS1002: ; expected [/r/A.csproj]",
        "  Code Analysis Complete -- 0 error(s), 2 warning(s)",
        "Time Elapsed 00:00:56.76",
        "    0 Warning(s)",
    ]
    d = msbuild.parse_lines(lines)
    assert [(x.file, x.line, x.column, x.severity, x.code) for x in d] == [
        ("src/Main.cs", 17, 20, "warning", "CS0168"),
        ("C:\\dir1\\strings.resx", 2, None, "error", "BC30188"),
        (None, None, None, "error", "CS0006"),
        (None, None, None, "error", "CS5001"),
        ("/r/A.cs", 1, 2, "error", "CS1002"),
    ]
    assert d[0].project == "/r/Game.csproj"


def test_transient_only_when_every_error_is_a_feed_failure():
    nu = msbuild.parse_lines(["/r/G.sln: error NU1301: Unable to load the service index for source https://api.nuget.org/v3/index.json. [/r/G.sln]"])
    assert msbuild.is_transient(nu)
    cs = msbuild.parse_lines(["/r/A.cs(1,1): error CS1029: #error: 'x' [/r/A.csproj]"])
    assert not msbuild.is_transient(cs)
    assert not msbuild.is_transient(nu + cs)
