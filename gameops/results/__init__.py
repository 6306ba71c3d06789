"""Test result parsers: TRX, JUnit XML, Cobertura. Streamed, safe, forgiving; no Prefect.

``read(path)`` picks the parser from the root element, so a file's name does not matter;
``read_many(paths)`` also accepts folders (every ``*.trx`` and ``*.xml`` result file in them).
Unreadable files raise :class:`gameops.errors.BadInput` (exit 2) naming the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from gameops.errors import BadInput
from gameops.results import cobertura, junit, trx
from gameops.results.model import Summary, TestCase, ResultFile, Coverage, status_of
from gameops.results.xmlstream import local, root_tag

__all__ = ["read", "read_many", "Summary", "TestCase", "ResultFile", "Coverage", "status_of", "find_result_files"]

PARSERS = {"TestRun": trx.parse, "testsuites": junit.parse, "testsuite": junit.parse, "coverage": cobertura.parse}


def read(path: str | Path) -> ResultFile:
    path = Path(path)
    root = local(root_tag(path))
    parser = PARSERS.get(root)
    if parser is None:
        raise BadInput(f"{path}: not a TRX, JUnit or Cobertura file (root element <{root}>)")
    return parser(path)


def find_result_files(folder: Path) -> list[Path]:
    """Result files under ``folder``: ``*.trx`` and ``*.xml`` whose root is a known result format."""
    out: list[Path] = []
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.suffix.lower() not in (".trx", ".xml"):
            continue
        if p.suffix.lower() == ".xml":
            try:
                if local(root_tag(p)) not in PARSERS:
                    continue
            except BadInput:
                continue
        out.append(p)
    return out


def read_many(paths: Iterable[str | Path]) -> Summary:
    files: list[ResultFile] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = find_result_files(p)
            if not found:
                raise BadInput(f"{p}: no TRX, JUnit or Cobertura files in this folder")
            files.extend(read(f) for f in found)
        elif not p.exists() and not p.is_symlink():  # a bad symlink: reading it says what is wrong
            raise BadInput(f"{p}: no such file or folder")
        else:
            files.append(read(p))
    return Summary(files)
