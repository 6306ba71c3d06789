"""Safe, streamed, forgiving XML reading shared by the TRX, JUnit and Cobertura parsers.

- ``defusedxml`` refuses entity tricks (billion laughs, external entities);
- a byte filter repairs what real result files contain and strict XML 1.0 forbids: character
  references to control characters (``&#x2;``, JENKINS-23531) and raw control bytes, both
  turned into U+FFFD; it works chunk by chunk so memory stays bounded;
- UTF-16 files (a BOM) are transcoded to UTF-8 on the fly; a UTF-8 BOM is fine as it is.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from xml.etree.ElementTree import Element, ParseError

from gameops.errors import BadInput
from gameops.fileops import open_input

CHUNK = 1 << 16
_CHARREF = re.compile(rb"&#(x[0-9A-Fa-f]{1,8}|[0-9]{1,10});")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DECL_ENCODING = re.compile(rb"""(<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


def _legal(cp: int) -> bool:
    return cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF


def _fix_ref(m: re.Match[bytes]) -> bytes:
    body = m.group(1)
    try:
        cp = int(body[1:], 16) if body[:1] in (b"x",) else int(body)
    except ValueError:
        return b"&#xFFFD;"
    return m.group(0) if _legal(cp) else b"&#xFFFD;"


class CleanStream(io.RawIOBase):
    """A read-only byte stream over ``raw`` with illegal XML characters repaired."""

    def __init__(self, raw: io.BufferedIOBase) -> None:
        self.raw = raw
        self.pending = b""
        self.decoder = None
        head = raw.read(4)
        if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            self.decoder = codecs.getincrementaldecoder("utf-16")()
            self.pending = self.decoder.decode(head).encode("utf-8")
        else:
            self.pending = head
        self.first = True
        self.eof = False

    def readable(self) -> bool:
        return True

    def _more(self) -> bytes:
        data = self.raw.read(CHUNK)
        if not data:
            self.eof = True
            if self.decoder is not None:
                return self.decoder.decode(b"", final=True).encode("utf-8")
            return b""
        if self.decoder is not None:
            return self.decoder.decode(data).encode("utf-8")
        return data

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        want = CHUNK if size is None or size < 0 else size
        buf = self.pending
        while len(buf) < want + 16 and not self.eof:
            buf += self._more()
        if not buf:
            return b""
        if self.first and self.decoder is not None:  # now UTF-8: say so in the declaration
            buf = _DECL_ENCODING.sub(rb"\1\2utf-8\2", buf.replace(codecs.BOM_UTF8, b"", 1), count=1)
        # Keep back a possibly cut character reference ("&#x1" | "C;") for the next round.
        cut = len(buf)
        if not self.eof:
            amp = buf.rfind(b"&", max(0, len(buf) - 16))
            if amp != -1 and b";" not in buf[amp:]:
                cut = amp
        chunk, self.pending = buf[:cut], buf[cut:]
        self.first = False
        chunk = _CHARREF.sub(_fix_ref, chunk)
        return _CONTROL.sub(b"?", chunk)

    def close(self) -> None:
        try:
            self.raw.close()
        finally:
            super().close()


def local(tag: Any) -> str:
    """Tag name without its ``{namespace}``."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def open_checked(path: Path) -> io.BufferedIOBase:
    """Open a result file: FIFOs, devices, folders, bad symlinks and oversized files are BadInput."""
    f, _size = open_input(path, str(path), kind="results", expect="a result file")
    return f


def events(path: Path, kind: str | None = None, roots: tuple[str, ...] = ()) -> Iterator[tuple[str, Element]]:
    """``(event, element)`` pairs ("start" / "end") of ``path``; XML trouble becomes BadInput.

    With ``roots``, a document whose root element is none of them is BadInput naming ``kind``
    (each parser's "is this my kind of file" check, in one place).
    """
    stream = CleanStream(open_checked(path))
    try:
        parsed = iterparse(stream, events=("start", "end"))
        for event, elem in parsed:
            if roots:
                name = local(elem.tag)
                if name not in roots:
                    expected = " or ".join(f"<{r}>" for r in roots)
                    raise BadInput(f"{path}: not a {kind} file (root element <{name}>, expected {expected})")
                roots = ()
            yield event, elem
    except ParseError as exc:
        raise BadInput(f"{path}: unreadable XML ({_why(exc)})") from None
    except DefusedXmlException as exc:
        raise BadInput(f"{path}: refused unsafe XML ({type(exc).__name__})") from None
    except UnicodeError as exc:
        raise BadInput(f"{path}: unreadable text encoding ({exc})") from None
    finally:
        stream.close()


def _why(exc: ParseError) -> str:
    msg = str(exc)
    if msg.startswith(("no element found", "unclosed token")):
        return "truncated: " + msg
    return msg


def root_tag(path: Path) -> str:
    """The root element's tag (with namespace), reading only the file's start."""
    for event, elem in events(path):
        if event == "start":
            return elem.tag
    raise BadInput(f"{path}: empty XML document")


def text_of(elem: Element | None) -> str | None:
    if elem is None:
        return None
    return "".join(elem.itertext())


def child(elem: Element, name: str) -> Element | None:
    for c in elem:
        if local(c.tag) == name:
            return c
    return None
