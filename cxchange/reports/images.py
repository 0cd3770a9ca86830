"""Charts as images: SVG and PNG drawn by vl-convert, fetching nothing; the one module that loads vl-convert."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import vl_convert

from cxchange.reports.specs import static_spec

if TYPE_CHECKING:
    import altair as alt

CHART_FORMATS: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml"}


_EXTERNAL_REFERENCE = re.compile(r"""\s(?!xmlns[:=])[\w:.-]+\s*=\s*(["'])\s*(?:https?:)?//.*?\1""", re.IGNORECASE)


def _without_external_references(svg: str) -> str:
    """The SVG with every attribute pointing outside the file removed (xmlns declarations are names, not fetches)."""
    return _EXTERNAL_REFERENCE.sub("", svg)


def chart_svg(chart_or_spec: alt.TopLevelMixin | dict[str, Any]) -> str:
    """The chart as a standalone SVG document, drawn by vl-convert; it fetches nothing when opened."""

    return _without_external_references(vl_convert.vegalite_to_svg(static_spec(chart_or_spec)))


def chart_png(chart_or_spec: alt.TopLevelMixin | dict[str, Any], scale: float = 2) -> bytes:
    """The chart as a PNG image, drawn by vl-convert at `scale` times its size in pixels."""

    return vl_convert.vegalite_to_png(static_spec(chart_or_spec), scale=scale)


_SMALLEST = {"mark": "point", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a", "type": "quantitative"}}}


def warm() -> None:
    """Start vl-convert's renderer (its first drawing in a process costs a second or two; the next ones do not)."""
    vl_convert.vegalite_to_svg(_SMALLEST)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the PNG header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
