"""Pictures for the photo tests, made with Pillow: a camera JPEG with a GPS position, a PNG with
transparency, a decompression bomb, and an upload that can be sent more than once."""
from __future__ import annotations

import struct
import zlib
from io import BytesIO

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
# Where the camera was: 51°30'N 0°7'W, as a phone writes it.
GPS = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}


def camera_jpeg(width: int = 1200, height: int = 800, orientation: int = 1) -> bytes:
    """A JPEG with EXIF: the camera's make, the orientation tag and a GPS position."""
    image = Image.new("RGB", (width, height), (180, 40, 40))
    image.paste((20, 60, 200), (0, 0, width // 2, height // 4))  # a mark in the top-left corner
    exif = Image.Exif()
    exif[0x010F] = "Phonecam"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = GPS
    out = BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png(width: int = 300, height: int = 200, transparent: bool = False) -> bytes:
    mode, colour = ("RGBA", (10, 120, 60, 0)) if transparent else ("RGB", (10, 120, 60))
    image = Image.new(mode, (width, height), colour)
    if transparent:
        image.paste((10, 120, 60, 255), (50, 50, 150, 150))
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` × `height` pixels: a decompression bomb's shape."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def opened(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data))
    image.load()
    return image


class Upload(BytesIO):
    """A file for the test client that can be sent again (the CSRF matrix sends one example's
    data several times): read to the end, it is back at the start, and closing it only rewinds."""

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        if not chunk:
            self.seek(0)
        return chunk

    def close(self) -> None:
        self.seek(0)


def upload(data: bytes | None = None, name: str = "holiday.jpg") -> tuple[Upload, str]:
    return Upload(camera_jpeg(400, 300) if data is None else data), name
