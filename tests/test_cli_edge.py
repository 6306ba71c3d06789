"""One line at the edge (issue 11, point 7): an unexpected error is one stderr line naming the
log that holds the details (exit 1, a traceback only with -v); data shown with rich is shown
as written (brackets are not markup) and table cells render their styles."""

from __future__ import annotations

import argparse
import io
import os
import shutil
from pathlib import Path


from conftest import SAMPLE_GAME


def _boom(args, ctx):
    raise RuntimeError("the parser fell over\nsecond line of the message")


def test_unexpected_exception_is_one_line_naming_the_log(monkeypatch, capsys):
    from gameops import cli
    from gameops.commands import notes

    monkeypatch.setattr(notes, "run", _boom)
    code = cli.main(["notes"])
    out = capsys.readouterr()
    assert code == 1
    lines = out.err.strip().splitlines()
    assert len(lines) == 1, out.err
    assert "Traceback" not in out.err
    assert "unexpected error (RuntimeError: the parser fell over second line of the message)" in lines[0]
    log = Path(lines[0].split("details in ", 1)[1].split(" (-v", 1)[0])
    assert log.is_file() and log.parent == Path(os.environ["GAMEOPS_HOME"]) / "logs"
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: the parser fell over" in text and "gameops notes" in text


def test_unexpected_exception_with_verbose_shows_the_traceback(monkeypatch, capsys):
    from gameops import cli
    from gameops.commands import notes

    monkeypatch.setattr(notes, "run", _boom)
    code = cli.main(["-v", "notes"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" in err and "_boom" in err
    assert err.strip().splitlines()[-1].startswith("gameops: unexpected error (RuntimeError")


def test_unexpected_exception_redacts_secrets(monkeypatch, capsys, sample_repo):
    from gameops import cli, redaction
    from gameops.commands import notes

    (sample_repo / "gameops.yaml").write_text("redact: [EDGE_TOKEN]\n", encoding="utf-8")
    monkeypatch.setenv("EDGE_TOKEN", "edge-secret-4242")

    def leak(args, ctx):
        ctx.loaded()
        raise ValueError("bad token edge-secret-4242")

    monkeypatch.setattr(notes, "run", leak)
    try:
        code = cli.main(["--project", str(sample_repo), "notes"])
    finally:
        redaction.forget_all()
    err = capsys.readouterr().err
    assert code == 1 and "edge-secret-4242" not in err and "bad token ***" in err
    log = Path(err.split("details in ", 1)[1].split(" (-v", 1)[0])
    assert "edge-secret-4242" not in log.read_text(encoding="utf-8")


def _ctx(width: int = 200):
    from rich.console import Console

    from gameops.console import Context

    ctx = Context(argparse.Namespace(json=False, verbose=0, dry_run=False))
    buf = io.StringIO()
    ctx._console = Console(file=buf, width=width, force_terminal=False, highlight=False)
    return ctx, buf


def test_bracketed_path_in_output_neither_raises_nor_vanishes(tmp_path, gameops_cli):
    project = tmp_path / "a[" / "tmp]"  # the project's path contains "[/tmp]"
    project.parent.mkdir()
    shutil.copytree(SAMPLE_GAME, project)
    result = gameops_cli("--project", str(project), "config", "show", env={"COLUMNS": "300"})
    assert result.code == 0, result.stderr
    assert "a[/tmp]" in result.stderr
    assert "MarkupError" not in result.stderr


def test_xunit_run_error_is_shown_as_written():
    from gameops.commands.test import print_summary

    ctx, buf = _ctx()
    message = "[xUnit.net 00:00:00.39] Lumen.Tests: Catastrophic failure [FAIL]"
    print_summary(ctx, {"tests": [], "run_errors": [message], "total": 0, "passed": 0, "failed": 0, "skipped": 0,
                        "coverage": None, "ok": False})
    assert message in buf.getvalue()


def test_ci_and_build_tables_render_styles_not_markup():
    from gameops.commands.build import print_diagnostics
    from gameops.commands.ci import print_report

    ctx, buf = _ctx()
    print_report(ctx, {"gates": [{"name": "coverage", "ok": True, "skipped": True, "detail": "no coverage [collected]"}],
                       "build": None, "total": 0, "passed": 0, "failed": 0, "skipped": 0, "coverage": None,
                       "failures": [], "ok": True})
    out = buf.getvalue()
    assert "skip" in out and "[dim]" not in out
    assert "no coverage [collected]" in out
    ctx, buf = _ctx()
    print_diagnostics(ctx, {"errors": [], "warnings": [{"severity": "warning", "code": "CS0168", "file": "src/[Gen]/A.cs",
                                                        "line": 3, "message": "The variable '[x]' is declared"}]})
    out = buf.getvalue()
    assert "warning" in out and "[yellow]" not in out
    assert "src/[Gen]/A.cs(3)" in out and "'[x]'" in out


def test_styled_cells_keep_their_style():
    ctx, _ = _ctx()
    cell = ctx.styled("skip", "dim")
    assert cell.plain == "skip" and str(cell.style) == "dim"
