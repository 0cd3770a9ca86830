"""Chart specs as files draw them: named datasets written in, a font with every glyph, a page's width.

Pure: Vega-Lite specs (dicts) or Altair charts in, specs out; no renderer here (images draws them).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import altair as alt

STATIC_FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
"""Fonts of drawn charts: the first has the braille blank that indents sub-teams, so no label falls back to a serif."""
STATIC_WIDTH = 900
"""Width in pixels of a chart that fits its page's width in the app; a file has no page to fit."""


def chart_spec(chart_or_spec: alt.TopLevelMixin | dict[str, Any]) -> dict[str, Any]:
    """A chart's Vega-Lite spec with its named datasets written into the views that use them.

    Accepts an Altair chart or a spec (as ui.chart draws it); never changes its input.
    """
    # Validated where charts are made and tested (test_charts); a file of a validated chart needs no second pass.
    spec = copy.deepcopy(chart_or_spec) if isinstance(chart_or_spec, dict) else chart_or_spec.to_dict(validate=False)
    datasets = spec.pop("datasets", {})

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and data.get("name") in datasets:
                node["data"] = {"values": datasets[data["name"]]}
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(spec)
    return spec


def static_spec(chart_or_spec: alt.TopLevelMixin | dict[str, Any]) -> dict[str, Any]:
    """The spec as a file draws it: a font with every glyph the labels use, a width where the app fits the page,
    and no mark descriptions.

    Vega-Lite describes every mark for screen readers from its data fields unformatted ("Share of
    respondents: 29.867675%", "readiness: 76.91"): a file would publish figures at more decimals than
    any view prints. The report's HTML names each chart by its title (role="img"); the drawn labels stay.
    """
    spec = chart_spec(chart_or_spec)
    config = spec.setdefault("config", {})
    config.setdefault("font", STATIC_FONT)
    config["aria"] = False
    fits = isinstance(spec.get("autosize"), dict) and spec["autosize"].get("type") == "fit-x"
    if ("mark" in spec or "layer" in spec) and fits:
        # In the app the chart takes the page's width, labels included: give it a page's width here.
        spec["width"] = max(spec.get("width", 0), STATIC_WIDTH)
    return spec


def subtitle_only(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with its title's subtitle standing in for the title, for pages and slides titled already."""
    spec = copy.deepcopy(spec)
    title = spec.get("title")
    if isinstance(title, dict) and title.get("subtitle"):
        spec["title"] = {"text": title["subtitle"], "fontSize": 13, "fontWeight": "normal", "anchor": "start"}
    elif title is not None:
        spec.pop("title")
    return spec
