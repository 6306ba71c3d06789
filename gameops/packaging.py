"""Reproducible zip archives, SHA256SUMS and release-manifest.json.

Two builds of one commit give byte-identical archives: entries sorted by their archive path
(``/`` separators), every timestamp = the release commit's time (``SOURCE_DATE_EPOCH`` when set,
clamped to the zip epoch 1980-01-01), fixed modes (0755 for executables and folders, 0644 for
the rest), ``create_system`` = Unix whatever the host, DEFLATE at a pinned level, no extra fields,
no comment. The archive is written to a temporary file next to its destination and renamed; when
the result equals what is already there, nothing is replaced.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import stat
import time
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gameops.errors import BadInput
from gameops.fileops import AtomicWriter, atomic_write_text, sha256_file

ZIP_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the earliest time a zip entry can hold
COMPRESSLEVEL = 6
CHECKSUMS = "SHA256SUMS"
MANIFEST = "release-manifest.json"
NOTES = "RELEASE_NOTES.md"


def source_date_epoch(commit_time: int, environ: Mapping[str, str] | None = None) -> int:
    """``SOURCE_DATE_EPOCH`` when set (an integer), else the commit time; BadInput when malformed."""
    env = os.environ if environ is None else environ
    raw = env.get("SOURCE_DATE_EPOCH")
    if raw is None or raw.strip() == "":
        return commit_time
    try:
        value = int(raw.strip())
    except ValueError:
        raise BadInput(f"SOURCE_DATE_EPOCH={raw!r}: expected an integer number of seconds since 1970-01-01 UTC") from None
    if value < 0:
        raise BadInput(f"SOURCE_DATE_EPOCH={raw!r}: must not be negative")
    return value


def zip_date_time(epoch: int) -> tuple[int, int, int, int, int, int]:
    return time.gmtime(max(epoch, ZIP_EPOCH))[:6]  # type: ignore[return-value]


def slug(text: str) -> str:
    """``text`` as a piece of a portable file name: accents dropped (NFKD), then runs of anything
    but ASCII letters, digits, ``.``, ``_``, ``+`` and ``-`` become one ``-``
    ("Sample Game" -> "Sample-Game", "Jeu d'été" -> "Jeu-d-ete")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._+-]+", "-", ascii_text).strip("-.") or "project"


def archive_name(template: str, *, project: str, version: str, platform: str) -> str:
    """The archive file name from ``release.archive_name`` ({project}, {version}, {platform}); the
    values are slugs, so the name has no spaces whatever the project is called."""
    try:
        name = template.format(project=slug(project), version=slug(version), platform=slug(platform))
    except (KeyError, IndexError, ValueError) as exc:
        raise BadInput(f"release.archive_name {template!r}: unknown or malformed placeholder ({exc}); use {{project}}, {{version}}, {{platform}}") from None
    if not name or any(sep in name for sep in ("/", "\\")) or name in (".", ".."):
        raise BadInput(f"release.archive_name {template!r}: gives {name!r}, which is not a file name")
    if not name.lower().endswith(".zip"):
        name += ".zip"
    return name


@dataclass(frozen=True)
class Item:
    """One file of an archive: its path inside the archive, and its bytes (a file, or given)."""

    arcname: str
    source: Path | None = None
    data: bytes | None = None
    executable: bool = False


def tree_items(folder: Path, prefix: str = "") -> list[Item]:
    """Every file under ``folder`` (symlinks followed), arcnames relative to it."""
    items = []
    for p in folder.rglob("*"):
        if p.is_file():
            rel = p.relative_to(folder).as_posix()
            mode = p.stat().st_mode
            items.append(Item(prefix + rel, source=p, executable=bool(mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH))))
    return items


def glob_items(root: Path, patterns: Sequence[str], overrides: Mapping[str, bytes] | None = None) -> list[Item]:
    """Repository files matching ``patterns`` (release.include), by their path relative to ``root``.

    ``overrides`` gives the bytes of some of them (the CHANGELOG with the new section).
    """
    overrides = dict(overrides or {})
    found: dict[str, Item] = {}
    for pattern in patterns:
        for p in sorted(root.glob(pattern)):
            if p.is_file() and ".git" not in p.relative_to(root).parts:
                rel = p.relative_to(root).as_posix()
                found[rel] = Item(rel, source=p, data=overrides.get(rel))
    for rel, data in overrides.items():
        if rel not in found and any(fnmatch.fnmatch(rel, pat) for pat in patterns):
            found[rel] = Item(rel, data=data)
    return list(found.values())


def _dirs_of(names: Iterable[str]) -> set[str]:
    dirs: set[str] = set()
    for n in names:
        parts = n.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]) + "/")
    return dirs


def write_zip(dest: Path, items: Sequence[Item], epoch: int, *, wrap: str | None = None) -> bool:
    """Write a reproducible zip of ``items`` to ``dest``. Returns False when ``dest`` already had these bytes."""
    prefix = f"{wrap.strip('/')}/" if wrap else ""
    entries: dict[str, Item] = {}
    for it in items:
        name = prefix + it.arcname.replace("\\", "/").lstrip("/")
        if name in entries:
            raise BadInput(f"{dest.name}: two files would be stored as {name!r}")
        entries[name] = it
    date_time = zip_date_time(epoch)
    names = sorted(set(entries) | _dirs_of(entries), key=lambda n: n.encode("utf-8"))
    writer = AtomicWriter(dest)  # same bytes as before: the old archive stays untouched
    with writer as raw:
        with zipfile.ZipFile(raw, "w") as zf:
            for name in names:
                info = zipfile.ZipInfo(name, date_time=date_time)
                info.create_system = 3
                if name.endswith("/"):
                    info.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10
                    info.compress_type = zipfile.ZIP_STORED
                    zf.writestr(info, b"")
                    continue
                it = entries[name]
                info.external_attr = (stat.S_IFREG | (0o755 if it.executable else 0o644)) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                if it.data is not None:
                    zf.writestr(info, it.data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL)
                    continue
                assert it.source is not None
                size = it.source.stat().st_size
                info.file_size = size
                info._compresslevel = COMPRESSLEVEL  # type: ignore[attr-defined]  # ZipFile.open honours it
                with open(it.source, "rb") as src, zf.open(info, "w", force_zip64=size > zipfile.ZIP64_LIMIT) as out:
                    shutil.copyfileobj(src, out, 1 << 20)
    return writer.changed


# ---------------------------------------------------------------------------
# Checksums and manifest


def checksums_text(hashes: Mapping[str, str]) -> str:
    """``<hex>  <name>`` lines sorted by name: what ``sha256sum -c SHA256SUMS`` reads."""
    return "".join(f"{hashes[n]}  {n}\n" for n in sorted(hashes, key=lambda n: n.encode("utf-8")))


def read_checksums(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        if not name:
            digest, _, name = line.partition(" *")
        out[name] = digest.strip().lower()
    return out


def verify(folder: Path) -> list[str]:
    """Problems with the files of a release folder against its SHA256SUMS (empty list = all good)."""
    sums = folder / CHECKSUMS
    if not sums.is_file():
        return [f"{CHECKSUMS} is missing"]
    problems = []
    for name, digest in read_checksums(sums).items():
        p = folder / name
        if not p.is_file():
            problems.append(f"{name}: missing")
        elif sha256_file(p) != digest:
            problems.append(f"{name}: sha256 differs from {CHECKSUMS}")
    return problems


def write_checksums(folder: Path, hashes: dict[str, str]) -> None:
    """``SHA256SUMS`` from the hashes already taken of each archive (not read a second time)."""
    atomic_write_text(folder / CHECKSUMS, checksums_text(hashes), newline="\n")


def manifest(*, project: str, version: str, tag: str, commit: str, epoch: int, artifacts: Sequence[dict],
             notes: str = NOTES) -> dict:
    """The release manifest: no clock reading, so two builds of one commit write the same bytes."""
    return {
        "project": project,
        "version": version,
        "tag": tag,
        "commit": commit,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)),
        "source_date_epoch": epoch,
        "artifacts": sorted(artifacts, key=lambda a: a["name"]),
        "checksums": CHECKSUMS,
        "notes": notes,
    }


def write_manifest(folder: Path, doc: dict) -> bool:
    return atomic_write_text(folder / MANIFEST, json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n", newline="\n")


def read_manifest(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def artifact_entry(path: Path, platform: str) -> dict:
    return {"name": path.name, "platform": platform, "size": path.stat().st_size, "sha256": sha256_file(path)}



