"""The report's charts as Vega-Lite specs, for the formats that draw them (the app's page, the HTML, the PDF).

Pure: a Drawing in, a spec out, made by the same cxchange.charts functions the pages draw. Kept apart from
reports.document so that building a report, and writing it as a deck of native charts, never loads Altair.
"""

from __future__ import annotations

from typing import Any

from cxchange import charts
from cxchange.reports.document import Drawing
from cxchange.reports.specs import chart_spec

CHARTS = {
    "readiness_heatmap": charts.readiness_heatmap,
    "barrier_chart": charts.barrier_chart,
    "readiness_trend": charts.readiness_trend,
    "change_grid": charts.change_grid,
}
"""The charts a report draws, by the name a Drawing gives."""


def spec(drawing: Drawing) -> dict[str, Any]:
    """The drawing's Vega-Lite spec, datasets written in (made once per drawing; the caller may not change it)."""
    if "spec" not in drawing.made:
        made = chart_spec(CHARTS[drawing.chart](*drawing.args, **drawing.options))
        if drawing.subtitle is not None:
            made["title"]["subtitle"] = drawing.subtitle
        drawing.made["spec"] = made
    return drawing.made["spec"]
