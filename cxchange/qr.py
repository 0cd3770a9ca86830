"""QR codes for the live pulse's links (segno: pure Python, SVG without an imaging library)."""

from __future__ import annotations

import segno


def svg(link: str, scale: int = 10) -> str:
    """The QR code of `link` as an SVG drawing: black on white with the standard four-module quiet zone, and
    error correction raised as far as the size allows (a projector's glare or a phone's angle still reads)."""
    code = segno.make(link, error="m", micro=False, boost_error=True)
    return code.svg_inline(scale=scale, border=4, dark="#000", light="#fff")
