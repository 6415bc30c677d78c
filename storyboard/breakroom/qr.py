"""QR codes for the printed sheet, drawn by segno as SVG, for links built on EXTERNAL_URL.

A phone reads the code off paper, far from the request that printed it: the link must be the
address people reach Storyboard at (EXTERNAL_URL), never whatever Host the printing browser
sent (a proxy's inner name, or a forged header).
"""
from __future__ import annotations

import io

import segno
from flask import Response

from storyboard.urls import external_url

# Always a full QR code (a Micro QR, which segno.make may choose for short links, is read by
# few phone cameras), at error correction M: a crease or a pin hole through the sheet still reads.
ERROR = "m"
# Black on an opaque white square with the standard quiet zone, so the code also reads on a
# dark screen; no size, so the page sizes it (a viewBox scales sharply to any size on paper).
SVG_OPTIONS = {"kind": "svg", "scale": 4, "border": 4, "dark": "#000", "light": "#fff", "omitsize": True,
               "svgclass": None, "lineclass": None}
# What a code may use: nothing at all (it is two paths); the rest as strict as every page's.
QR_POLICY = ("default-src 'none'; script-src 'self'; style-src 'none'; img-src 'none'; object-src 'none'; "
             "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def story_url(story_id: int) -> str:
    """Where "Read it and applaud" leads: the story's page, on EXTERNAL_URL."""
    return external_url("stories.show", story_id=story_id)


def nominate_url() -> str:
    """Where "Tell us about a colleague" leads: the nominate form, on EXTERNAL_URL."""
    return external_url("stories.nominate")


def qr_svg(url: str) -> bytes:
    """The QR code of `url`, as an SVG document."""
    buffer = io.BytesIO()
    segno.make_qr(url, error=ERROR).save(buffer, **SVG_OPTIONS)
    return buffer.getvalue()


def svg_response(url: str) -> Response:
    """The code of `url` as image/svg+xml, under its own policy (an SVG opened on its own is a
    document: it gets no script, style or image, and may not be framed)."""
    response = Response(qr_svg(url), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = QR_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
