"""Write the sample game's small generated assets (examples/sample-game/assets/).

Run once when they change: ``python scripts/make_sample_assets.py``. Everything is computed here
(no downloads, no copied files), so the bytes are the same on every machine:

- ``icon.png``: a 16x16 RGBA texture (a blue tile with a lighter border), drawn pixel by pixel;
- ``beep.wav``: 0.1 s of a 440 Hz sine, 8-bit mono at 22050 Hz;
- ``pixel_font.png`` + ``pixel_font.tres``: a 5x7 bitmap font (the digits and "GO") as a texture
  atlas and the Godot 3 ``BitmapFont`` resource that cuts glyphs out of it.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
import zlib
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "examples" / "sample-game" / "assets"

# 5x7 glyphs, one string per row, '#' = ink.
GLYPHS = {
    "0": [" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "],
    "1": ["  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
    "2": [" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"],
    "3": ["#### ", "    #", "    #", " ### ", "    #", "    #", "#### "],
    "4": ["   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "],
    "5": ["#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "],
    "6": [" ### ", "#    ", "#    ", "#### ", "#   #", "#   #", " ### "],
    "7": ["#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "],
    "8": [" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "],
    "9": [" ### ", "#   #", "#   #", " ####", "    #", "    #", " ### "],
    "G": [" ### ", "#   #", "#    ", "# ###", "#   #", "#   #", " ### "],
    "O": [" ### ", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "],
}
CELL_W, CELL_H = 6, 8  # glyph 5x7 plus one pixel of spacing


def png(width: int, height: int, pixels: list[tuple[int, int, int, int]]) -> bytes:
    """A minimal RGBA PNG (filter 0 on every row), written with zlib at a fixed level."""
    raw = b"".join(b"\0" + b"".join(bytes(pixels[y * width + x]) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def icon() -> bytes:
    px = []
    for y in range(16):
        for x in range(16):
            border = x in (0, 15) or y in (0, 15)
            px.append((120, 170, 255, 255) if border else (40, 80, 200, 255))
    return png(16, 16, px)


def font_atlas() -> tuple[bytes, list[int]]:
    """The atlas and BitmapFont ``chars`` (char, texture, x, y, w, h, align x, align y, advance per glyph)."""
    names = list(GLYPHS)
    width, height = CELL_W * len(names), CELL_H
    px = [(0, 0, 0, 0)] * (width * height)
    chars: list[int] = []
    for i, ch in enumerate(names):
        for y, row in enumerate(GLYPHS[ch]):
            for x, c in enumerate(row):
                if c == "#":
                    px[y * width + i * CELL_W + x] = (255, 255, 255, 255)
        chars += [ord(ch), 0, i * CELL_W, 0, 5, 7, 0, 0, CELL_W]
    return png(width, height, px), chars


def beep(path: Path) -> None:
    rate, seconds, freq = 22050, 0.1, 440.0
    frames = bytes(int(128 + 100 * math.sin(2 * math.pi * freq * n / rate)) for n in range(int(rate * seconds)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(frames)


def main() -> int:
    ASSETS.mkdir(parents=True, exist_ok=True)
    (ASSETS / "icon.png").write_bytes(icon())
    atlas, chars = font_atlas()
    (ASSETS / "pixel_font.png").write_bytes(atlas)
    (ASSETS / "pixel_font.tres").write_text(
        '[gd_resource type="BitmapFont" load_steps=2 format=2]\n\n'
        '[ext_resource path="res://assets/pixel_font.png" type="Texture" id=1]\n\n'
        "[resource]\n"
        "textures = [ ExtResource( 1 ) ]\n"
        f"chars = PoolIntArray( {', '.join(str(c) for c in chars)} )\n"
        f"height = {float(CELL_H)}\n"
        "ascent = 7.0\n",
        encoding="utf-8", newline="\n",
    )
    beep(ASSETS / "beep.wav")
    for p in sorted(ASSETS.iterdir()):
        print(f"{p.name}: {p.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
