"""Charts as data: each function takes a tidy DataFrame and returns an alt.Chart; one shared look."""

from __future__ import annotations

import altair as alt
import pandas as pd

from cxchange.model import ELEMENT_LABELS, ELEMENTS
from cxchange.readiness import suppression_text

FONT_SIZE = 13
LOW_HIGH_SCHEME = "redyellowblue"
"""Diverging, colour-blind safe: red is low readiness, blue is high, yellow the scale's middle."""
SUPPRESSED_FILL = "#e4e4e4"
LABEL_WIDTH = 240
INDENT = "\u2800\u2800"  # braille blank: Vega trims plain, em and no-break spaces from labels


def team_label(team: str, depth: int, has_children: bool) -> str:
    """How a team is named on a chart axis: indented by its depth, parents marked as roll-ups."""
    suffix = " (all)" if has_children and depth > 0 else ""
    marker = "· " if depth > 1 else ""
    return INDENT * max(depth - 1, 0) + marker + team + suffix


def _finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The shared look of every chart."""
    return (
        chart.configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelLimit=260)
        .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)
        .configure_title(fontSize=FONT_SIZE + 3, anchor="start", subtitleFontSize=FONT_SIZE)
        .configure_view(stroke=None)
    )


def heatmap_data(wave_rows: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """One row per team and element of one wave, with the text each cell shows."""
    rows = []
    for row in wave_rows.sort_values("order").itertuples():
        label = team_label(row.team, row.depth, row.has_children)
        for element in ELEMENTS:
            mean = getattr(row, element)
            hidden = bool(row.suppressed)
            rows.append(
                {
                    "team": label,
                    "order": row.order,
                    "element": ELEMENT_LABELS[element],
                    "mean": None if hidden else float(mean),
                    "n": None if hidden else int(row.n),
                    "suppressed": hidden,
                    "barrier": (not hidden) and row.barrier_point == element,
                    "text": suppression_text(row.suppression, min_n).replace("fewer than", "fewer\nthan") + "\n"
                    if hidden
                    else f"{mean:.2f}\nn={row.n}" + (" entered" if getattr(row, "aggregate_n", 0) else ""),
                    "readiness": None if hidden else float(row.readiness),
                }
            )
    return pd.DataFrame(rows)


def readiness_heatmap(wave_rows: pd.DataFrame, min_n: int, title: str = "") -> alt.HConcatChart:
    """Team × ADKAR element heatmap of one wave: mean and n in every cell, barrier point outlined.

    Suppressed cells are grey and say why; a bar of each team's readiness index sits beside.
    """
    data = heatmap_data(wave_rows, min_n)
    order = list(dict.fromkeys(data["team"]))
    # Left-aligned labels, so a sub-team's indent shows under its parent.
    y = alt.Y(
        "team:N",
        sort=order,
        title=None,
        axis=alt.Axis(labelAlign="left", labelPadding=LABEL_WIDTH, labelLimit=LABEL_WIDTH - 10),
    )
    base = alt.Chart(data).encode(
        x=alt.X(
            "element:N",
            sort=[ELEMENT_LABELS[e] for e in ELEMENTS],
            title=None,
            axis=alt.Axis(orient="top", labelAngle=0),
        ),
        y=y,
    )
    tooltip = [
        alt.Tooltip("team:N", title="Team"),
        alt.Tooltip("element:N", title="Element"),
        alt.Tooltip("mean:Q", title="Mean (1–5)", format=".2f"),
        alt.Tooltip("n:Q", title="Responses (n)"),
    ]
    cells = (
        base.transform_filter(~alt.datum.suppressed)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            color=alt.Color(
                "mean:Q",
                title="Mean (1–5)",
                scale=alt.Scale(scheme=LOW_HIGH_SCHEME, domain=[1, 5], domainMid=3),
                legend=alt.Legend(orient="bottom", gradientLength=240),
            ),
            tooltip=tooltip,
        )
    )
    hidden_cells = (
        base.transform_filter(alt.datum.suppressed)
        .mark_rect(stroke="white", strokeWidth=1, color=SUPPRESSED_FILL)
        .encode(tooltip=[alt.Tooltip("team:N", title="Team"), alt.Tooltip("text:N", title="Not shown")])
    )
    barrier = (
        base.transform_filter(alt.datum.barrier)
        .mark_rect(fill=None, stroke="black", strokeWidth=3)
        .encode(tooltip=tooltip)
    )
    # Two lines (mean, n): lift the first so both sit inside the cell.
    text = base.mark_text(lineBreak="\n", fontSize=FONT_SIZE - 1, baseline="middle", dy=-7).encode(
        text="text:N",
        color=alt.when(alt.datum.suppressed).then(alt.value("#555555")).otherwise(alt.value("black")),
        tooltip=tooltip,
    )
    height = max(len(order) * 44, 120)
    heat = (cells + hidden_cells + barrier + text).properties(width=520, height=height)
    index_rows = data.drop_duplicates("team")
    index_base = alt.Chart(index_rows).encode(y=alt.Y("team:N", sort=order, axis=None))
    index_bars = index_base.mark_bar(color="#4a6fa5").encode(
        x=alt.X(
            "readiness:Q",
            scale=alt.Scale(domain=[0, 100]),
            title="Readiness index (0–100)",
            axis=alt.Axis(orient="top", values=[0, 50, 100]),
        ),
        tooltip=[
            alt.Tooltip("team:N", title="Team"),
            alt.Tooltip("readiness:Q", title="Index", format=".0f"),
            alt.Tooltip("n:Q", title="Responses (n)"),
        ],
    )
    index_text = index_base.mark_text(align="left", dx=4, fontSize=FONT_SIZE - 1).encode(
        x=alt.X("readiness:Q", scale=alt.Scale(domain=[0, 100])),
        text=alt.Text("readiness:Q", format=".0f"),
    )
    index = (index_bars + index_text).properties(width=150, height=height)
    chart = alt.hconcat(heat, index, spacing=12)
    if title:
        chart = chart.properties(
            title=alt.Title(
                title,
                subtitle=[
                    "Outlined cell: the team's barrier point, the first element at or below the threshold.",
                    f"Grey cells: fewer than {min_n} responses, or hidden so that a smaller group "
                    "cannot be worked out.",
                ],
            )
        )
    return _finish(chart)


def readiness_trend(rows: pd.DataFrame, wave_order: list[str], title: str = "") -> alt.LayerChart:
    """Readiness index per team over waves, with its 95% confidence band and n on hover.

    `rows` are readiness_by_team rows of the teams to draw; suppressed points are left out.
    """
    data = rows[~rows["suppressed"].astype(bool)][["team", "wave", "readiness", "ci_low", "ci_high", "n"]].copy()
    x = alt.X("wave:O", sort=wave_order, title="Wave", scale=alt.Scale(domain=wave_order), axis=alt.Axis(labelAngle=0))
    scale = alt.Scale(scheme="tableau10")
    color = alt.Color(
        "team:N",
        title="Team",
        scale=scale,
        legend=alt.Legend(orient="right", symbolType="stroke", symbolStrokeWidth=3, symbolOpacity=1),
    )
    base = alt.Chart(data).encode(x=x, color=color)
    band = base.mark_area(opacity=0.15).encode(
        y=alt.Y("ci_low:Q", title="Readiness index (0–100)", scale=alt.Scale(zero=False)),
        y2="ci_high:Q",
    )
    tooltip = [
        alt.Tooltip("team:N", title="Team"),
        alt.Tooltip("wave:O", title="Wave"),
        alt.Tooltip("readiness:Q", title="Index", format=".1f"),
        alt.Tooltip("ci_low:Q", title="95% CI from", format=".1f"),
        alt.Tooltip("ci_high:Q", title="95% CI to", format=".1f"),
        alt.Tooltip("n:Q", title="Responses (n)"),
    ]
    line = base.mark_line(strokeWidth=2.5).encode(y="readiness:Q")
    points = base.mark_point(filled=True, size=60).encode(y="readiness:Q", tooltip=tooltip)
    chart = (band + line + points).properties(height=360)
    if title:
        chart = chart.properties(title=alt.Title(title, subtitle="Shaded: 95% confidence band. Hover a point for n."))
    return _finish(chart)
