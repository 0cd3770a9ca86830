"""Charts as data: each function takes a tidy DataFrame and returns an alt.Chart; one shared look."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from cxchange.champions import EFFECT_GROUPS, status_labels
from cxchange.hierarchy import ORGANISATION, suppression_text
from cxchange.model import ELEMENT_LABELS, ELEMENTS
from cxchange.palette import (  # re-exported: pages and tests name them as charts.*
    BARRIER_COLOURS,
    ORGANISATION_COLOUR,
    OTHER_TEAMS_GREY,
    TEAM_PALETTE,
)
from cxchange.palette import (
    team_colours as team_colours,
)
from cxchange.settings import DEFAULTS
from cxchange.text import NO_RATE, date_text, plural, response_rate_text

FONT_SIZE = 13
LOW_HIGH_SCHEME = "redyellowblue"
"""Diverging, colour-blind safe: red is low readiness, blue is high, yellow the scale's middle."""
SUPPRESSED_FILL = "#e4e4e4"
LABEL_WIDTH = 240
INDENT_PX = 16
"""How far a sub-team's axis label sits right of its parent's, per level: drawn by the axis, never by blank
characters in the label (they would reach tooltips, SVG, HTML and CSV)."""
TEXT_COLOUR = "#31333f"
"""Every chart's labels, titles and legends: Streamlit's body text (12.6:1 on white). Streamlit's chart theme
would draw them in #808495 (3.7:1), below WCAG AA's 4.5:1 for text."""
MUTED_TEXT = "#555555"
"""Secondary text on white (7.5:1)."""


def team_label(team: str, depth: int, has_children: bool) -> str:
    """How a team is named on a chart axis: sub-teams marked, parents marked as roll-ups (the indent is the axis's)."""
    suffix = " (all)" if has_children and depth > 0 else ""
    marker = "· " if depth > 1 else ""
    return marker + team + suffix


def indented_padding(labels: Sequence[str], depths: Sequence[int], width: int = LABEL_WIDTH) -> dict[str, Any]:
    """A left-aligned team axis's labelPadding: `width` for top-level teams, INDENT_PX less per level below.

    A Vega-Lite conditional axis value, tested on each label's text, so a label carries no indent of its own.
    """
    by_depth: dict[int, list[str]] = {}
    for label, depth in zip(labels, depths, strict=True):
        if int(depth) > 1:
            by_depth.setdefault(int(depth), []).append(str(label))
    conditions = [
        {
            "test": f"indexof({json.dumps(sorted(set(names)))}, datum.value) >= 0",
            "value": width - INDENT_PX * (depth - 1),
        }
        for depth, names in sorted(by_depth.items())
    ]
    return {"condition": conditions, "value": width} if conditions else {"value": width}


def _team_axis(data: pd.DataFrame, label: str, depth: str = "depth", **options: Any) -> alt.Axis:
    """The left-aligned axis of team labels (column `label`), sub-teams indented by `depth`."""
    rows = data.drop_duplicates(label)
    padding = indented_padding(rows[label].tolist(), rows[depth].tolist())
    return alt.Axis(labelAlign="left", labelPadding=padding if "condition" in padding else LABEL_WIDTH, **options)


def _titled(chart: alt.TopLevelMixin, title: str, subtitle: str | list[str]) -> alt.TopLevelMixin:
    """The chart under its title and the subtitle that says how to read it; untitled where `title` is empty."""
    return chart.properties(title=alt.Title(title, subtitle=subtitle)) if title else chart


DECIMALS = 2
"""Figures leave for the browser rounded as they are published (means and indices to 2 decimals): the
chart's data is on the page, and unrounded means times n would give sums a reader could subtract."""


KEEP_DIGITS = frozenset(
    {"p", "p_value", "adjusted_p", "p_adjusted", "share", "start", "end", "agree", "disagree", "x", "y"}
)
"""Columns left as they are: p-values describe a test, not a group ("p < 0.001" needs the digits), and
answer shares (and the bar ends built from them) are fractions of shown teams that must add up to 1;
x and y place labels at the edges of an axis."""


def _keeps_digits(column: str) -> bool:
    return column in KEEP_DIGITS or column.startswith("p_")


def _rounded(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart with every DataFrame it carries (its layers' and concatenated charts' too) rounded.

    Columns in KEEP_DIGITS keep theirs.
    """
    data = getattr(chart, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame):
        floats = [c for c in data.columns if pd.api.types.is_float_dtype(data[c]) and not _keeps_digits(str(c))]
        chart = chart.copy(deep=False)
        chart.data = data.assign(**{str(c): data[c].round(DECIMALS) for c in floats}) if floats else data
    for part in ("layer", "hconcat", "vconcat", "concat"):
        children = getattr(chart, part, alt.Undefined)
        if isinstance(children, list):
            chart = chart.copy(deep=False) if chart is not None else chart
            setattr(chart, part, [_rounded(child) for child in children])
    spec = getattr(chart, "spec", alt.Undefined)
    if isinstance(spec, alt.SchemaBase):
        chart = chart.copy(deep=False)
        chart.spec = _rounded(spec)
    return chart


def _finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The shared look of every chart, and its data rounded as published."""
    chart = _rounded(chart).copy(deep=False)
    if isinstance(chart, (alt.Chart, alt.LayerChart)):
        # Fit the page's width only: a chart's height is its plot's, whatever its title and legend take.
        chart.autosize = alt.AutoSizeParams(type="fit-x", contains="padding")
    # Set once on a shallow copy: each configure_* call deep-copies the whole chart (its layers, encodings
    # and parameters), and five of them took a third of the time a page spent drawing its charts.
    chart.config = alt.Config(
        axis=alt.AxisConfig(
            labelFontSize=FONT_SIZE,
            titleFontSize=FONT_SIZE,
            labelLimit=260,
            labelColor=TEXT_COLOUR,
            titleColor=TEXT_COLOUR,
        ),
        legend=alt.LegendConfig(
            labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelColor=TEXT_COLOUR, titleColor=TEXT_COLOUR
        ),
        header=alt.HeaderConfig(labelColor=TEXT_COLOUR, titleColor=TEXT_COLOUR),
        title=alt.TitleConfig(
            fontSize=FONT_SIZE + 3,
            anchor="start",
            subtitleFontSize=FONT_SIZE,
            color=TEXT_COLOUR,
            subtitleColor=TEXT_COLOUR,
        ),
        view=alt.ViewConfig(stroke=None),
    )
    return chart


HEATMAP_SORTS: dict[str, str] = {"hierarchy": "Team hierarchy", "readiness": "Readiness index, lowest first"} | {
    element: f"{ELEMENT_LABELS[element]}, lowest first" for element in ELEMENTS
}
TEAM_SELECTION = "team_click"
"""Name of the click selection on team charts: the page opens Team detail for the clicked team."""


def _team_click() -> alt.Parameter:
    """The click that selects a team (its `team_name`) on any chart of teams."""
    return alt.selection_point(name=TEAM_SELECTION, fields=["team_name"], on="click", empty=False)


def _with_rate(data: pd.DataFrame) -> pd.DataFrame:
    """`data` with its `rate` column (readiness.rate_labels) for the tooltip beside n; NO_RATE where it has none."""
    return data if "rate" in data else data.assign(rate=NO_RATE)


RATE_TOOLTIP = alt.Tooltip("rate:N", title="Response rate")
"""Beside every per-team "Responses (n)" of a tooltip: complete responses ÷ headcount, where it is known."""


def _sorted_rows(wave_rows: pd.DataFrame, sort: str) -> pd.DataFrame:
    """Teams in hierarchy order, or by a measure with the lowest first and hidden teams last."""
    if sort == "hierarchy":
        return wave_rows.sort_values("order")
    return wave_rows.sort_values([sort, "order"], na_position="last")


def heatmap_data(wave_rows: pd.DataFrame, min_n: int, sort: str = "hierarchy") -> pd.DataFrame:
    """One row per team and element of one wave, with the text each cell shows."""
    rows = []
    for row in _sorted_rows(wave_rows, sort).itertuples():
        label = team_label(row.team, row.depth if sort == "hierarchy" else 1, row.has_children)
        for element in ELEMENTS:
            mean = getattr(row, element)
            hidden = bool(row.suppressed)
            rows.append(
                {
                    "team": label,
                    "team_id": row.team_id,
                    "team_name": row.team,
                    "order": row.order,
                    "depth": row.depth if sort == "hierarchy" else 1,
                    "element": ELEMENT_LABELS[element],
                    "mean": None if hidden else float(mean),
                    "n": None if hidden else int(row.n),
                    "rate": response_rate_text(getattr(row, "response_rate", None), getattr(row, "headcount", None))
                    or NO_RATE,
                    "suppressed": hidden,
                    "barrier": (not hidden) and row.barrier_point == element,
                    "text": suppression_text(row.suppression, min_n).replace("fewer than", "fewer\nthan") + "\n"
                    if hidden
                    else f"{mean:.2f}\nn={row.n}" + (" entered" if getattr(row, "aggregate_n", 0) else ""),
                    "readiness": None if hidden else float(row.readiness),
                }
            )
    return pd.DataFrame(rows)


def barrier_legend(threshold: float = DEFAULTS["barrier_threshold"]) -> str:
    """How the heatmap's outline reads: the barrier point judged on the mean as the cell prints it."""
    return (
        f"Outlined: the team's barrier point, the first element at or below {threshold:.{DECIMALS}f} as shown "
        f"(each mean judged as printed, at {DECIMALS} decimals)."
    )


def readiness_heatmap(
    wave_rows: pd.DataFrame,
    min_n: int,
    title: str = "",
    sort: str = "hierarchy",
    threshold: float = DEFAULTS["barrier_threshold"],
) -> alt.HConcatChart:
    """Team × ADKAR element heatmap of one wave: mean and n in every cell, barrier point outlined.

    Suppressed cells are grey and say why; a bar of each team's readiness index sits beside. Rows
    follow the hierarchy or a measure (HEATMAP_SORTS). Clicking a team's cell selects it
    (TEAM_SELECTION), so a page can open that team. The outline is wave_rows' barrier_point, judged
    on the mean as printed (scoring.barrier_points with decimals); the subtitle says so, naming
    `threshold` as the cells print it, so a 2.996 and a 3.004 that both read "3.00" are seen to agree.
    """
    data = heatmap_data(wave_rows, min_n, sort)
    order = list(dict.fromkeys(data["team"]))
    # Left-aligned labels, so a sub-team's indent shows under its parent.
    y = alt.Y(
        "team:N",
        sort=order,
        title=None,
        axis=_team_axis(data, "team", labelLimit=LABEL_WIDTH - 10),
    )
    base = alt.Chart(data).encode(
        x=alt.X(
            "element:N",
            sort=[ELEMENT_LABELS[e] for e in ELEMENTS],
            title=None,
            # Centred over their column: left as they were, "Awareness" ran into "Desire" on the projector.
            axis=alt.Axis(orient="top", labelAngle=0, labelAlign="center"),
        ),
        y=y,
    )
    tooltip = [
        alt.Tooltip("team:N", title="Team"),
        alt.Tooltip("element:N", title="Element"),
        alt.Tooltip("mean:Q", title="Mean (1–5)", format=".2f"),
        alt.Tooltip("n:Q", title="Responses (n)"),
        RATE_TOOLTIP,
    ]
    click = _team_click()
    cells = (
        base.transform_filter(~alt.datum.suppressed)
        .mark_rect(stroke="white", strokeWidth=1, cursor="pointer")
        .add_params(click)
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
    # Labels, cells, the index and the gaps come to about 810 px: the page's column on a 1280 px laptop screen
    # (with the sidebar) is 820, and a wider drawing loses the index at its right edge.
    heat = (cells + hidden_cells + barrier + text).properties(width=430, height=height)
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
            RATE_TOOLTIP,
        ],
    )
    index_text = index_base.mark_text(align="left", dx=4, fontSize=FONT_SIZE - 1).encode(
        x=alt.X("readiness:Q", scale=alt.Scale(domain=[0, 100])),
        text=alt.Text("readiness:Q", format=".0f"),
    )
    index = (index_bars + index_text).properties(width=120, height=height)
    chart = alt.hconcat(heat, index, spacing=12)
    chart = _titled(
        chart,
        title,
        [
            barrier_legend(threshold),
            f"Grey cells: fewer than {min_n} responses, or hidden so that a smaller group cannot be worked out.",
        ],
    )
    return _finish(chart)


SCALE_LABELS = ("Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree")
LIKERT_COLOURS = ("#c0392b", "#f1a58f", "#d9d9d9", "#8fb8de", "#2c6aa8")


def likert_segments(shares: pd.DataFrame, by: str = "team") -> pd.DataFrame:
    """Where each scale point's bar starts and ends: disagree left of zero, neutral centred, agree right.

    `shares` are readiness.likert_shares rows (one team with by="element", or one element with by="team").
    """
    rows = []
    for key, part in shares.groupby("team_id" if by == "team" else "element", sort=False):
        share = part.set_index("value")["share"].reindex(range(1, 6), fill_value=0.0)
        first = part.iloc[0]
        label = (
            team_label(first["team"], first["depth"], first["has_children"])
            if by == "team"
            else ELEMENT_LABELS[first["element"]]
        )
        start = -(share[1] + share[2] + share[3] / 2)
        for value in range(1, 6):
            rows.append(
                {
                    "row": label,
                    "team_name": first["team"],
                    "order": first["order"] if by == "team" else ELEMENTS.index(key),
                    "depth": int(first["depth"]) if by == "team" else 1,
                    "answer": SCALE_LABELS[value - 1],
                    "value": value,
                    "start": start,
                    "end": start + share[value],
                    "share": share[value],
                    "n": int(first["n"]),
                    "rate": first["rate"] if "rate" in part else NO_RATE,
                    "agree": share[4] + share[5],
                    "disagree": share[1] + share[2],
                }
            )
            start += share[value]
    return pd.DataFrame(rows)


def likert_bars(shares: pd.DataFrame, by: str = "team", title: str = "") -> alt.LayerChart:
    """Diverging stacked bars of the answers: disagree to the left, agree to the right, neutral centred.

    One bar per team (for one element) or per element (for one team); n and the shares on hover,
    and the agree share printed at the bar's right.
    """
    data = likert_segments(shares, by)
    order = list(dict.fromkeys(data.sort_values("order")["row"]))
    y = alt.Y("row:N", sort=order, title=None, axis=_team_axis(data, "row"))
    base = alt.Chart(data).encode(y=y)
    bars = base.mark_bar(cursor="pointer" if by == "team" else "default").encode(
        x=alt.X(
            "start:Q",
            title="← disagree · share of answers · agree →",
            scale=alt.Scale(domain=[-1, 1]),
            axis=alt.Axis(format="%", values=[-1, -0.5, 0, 0.5, 1], labelExpr="abs(datum.value) * 100 + '%'"),
        ),
        x2="end:Q",
        color=alt.Color(
            "answer:N",
            title="Answer",
            sort=list(SCALE_LABELS),
            scale=alt.Scale(domain=list(SCALE_LABELS), range=list(LIKERT_COLOURS)),
            legend=alt.Legend(orient="bottom", direction="horizontal"),
        ),
        tooltip=[
            alt.Tooltip("row:N", title="Team" if by == "team" else "Element"),
            alt.Tooltip("answer:N", title="Answer"),
            alt.Tooltip("share:Q", title="Share", format=".0%"),
            alt.Tooltip("n:Q", title="Responses (n)"),
            RATE_TOOLTIP,
        ],
    )
    if by == "team":
        bars = bars.add_params(_team_click())
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#333333").encode(x="x:Q")
    ends = data[data["value"] == 5]
    agree = (
        alt.Chart(ends)
        .mark_text(align="left", dx=4, fontSize=FONT_SIZE - 1)
        .encode(y=alt.Y("row:N", sort=order), x="end:Q", text="label:N")
        .transform_calculate(label="format(datum.agree, '.0%') + ' agree · n=' + datum.n")
    )
    chart = (bars + zero + agree).properties(height=max(len(order) * 30, 100))
    chart = _titled(chart, title, "Each bar is 100% of the answers; neutral answers straddle the centre.")
    return _finish(chart)


def barrier_chart(shares: pd.DataFrame, title: str = "") -> alt.LayerChart:
    """Per team, the share of respondents whose barrier point is each element (or none), stacked to 100%."""
    names = [ELEMENT_LABELS[e] for e in ELEMENTS] + ["No barrier"]
    data = _with_rate(shares).assign(
        team_name=shares["team"],
        row=[
            team_label(t, d, c) for t, d, c in zip(shares["team"], shares["depth"], shares["has_children"], strict=True)
        ],
        stuck_at=[ELEMENT_LABELS.get(point, "No barrier") for point in shares["barrier_point"]],
    )
    order = list(dict.fromkeys(data.sort_values("order")["row"]))
    chart = (
        alt.Chart(data)
        .mark_bar(cursor="pointer")
        .add_params(_team_click())
        .encode(
            y=alt.Y("row:N", sort=order, title=None, axis=_team_axis(data, "row")),
            x=alt.X("share:Q", stack="normalize", title="Share of respondents", axis=alt.Axis(format="%")),
            color=alt.Color(
                "stuck_at:N",
                title="Stuck at",
                sort=names,
                scale=alt.Scale(domain=names, range=list(BARRIER_COLOURS)),
                legend=alt.Legend(orient="bottom", direction="horizontal"),
            ),
            order=alt.Order("position:Q"),
            tooltip=[
                alt.Tooltip("team:N", title="Team"),
                alt.Tooltip("stuck_at:N", title="Stuck at"),
                alt.Tooltip("share:Q", title="Share", format=".0%"),
                alt.Tooltip("count:Q", title="Respondents"),
                alt.Tooltip("n:Q", title="Responses (n)"),
                RATE_TOOLTIP,
            ],
        )
        .properties(height=max(len(order) * 30, 100))
    )
    chart = _titled(chart, title, "A respondent is stuck at the first element they score at or below the threshold.")
    return _finish(chart)


CALL_COLOURS = {"up": "#2c6aa8", "down": "#c0392b", "no clear change": "#f2f2f2", "no test possible": "#ffffff"}


def change_grid(changes: pd.DataFrame, title: str = "") -> alt.LayerChart:
    """Team × element grid of changes between two waves: coloured only where the change is significant.

    Every cell prints the change and its own 95% CI; the tooltip says, in words, the smallest change
    the team's n could detect at the level the calls are made at.
    """
    data = changes.assign(
        team_name=changes["team"],
        element_label=changes["element"].map(ELEMENT_LABELS),
        row=[
            f"{team} (n {a:,} → {b:,})"
            for team, a, b in zip(changes["team"], changes["n_before"], changes["n_after"], strict=True)
        ],
        text=[
            f"{call if call in ('up', 'down') else ('no test' if call == 'no test possible' else 'no clear change')}"
            f"\n{delta:+.2f}" + (f" ({low:+.2f} to {high:+.2f})" if pd.notna(low) else "")
            for call, delta, low, high in zip(
                changes["call"], changes["delta"], changes["ci_low"], changes["ci_high"], strict=True
            )
        ],
        detectable=[
            f"could detect a change of about {mdc:.2f}" if pd.notna(mdc) else "too few or no spread to tell"
            for mdc in changes["mdc"]
        ],
    )
    order = list(dict.fromkeys(data.sort_values("order")["row"]))
    base = alt.Chart(data).encode(
        x=alt.X(
            "element_label:N",
            sort=[ELEMENT_LABELS[e] for e in ELEMENTS],
            title=None,
            axis=alt.Axis(orient="top", labelAngle=0),
        ),
        y=alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_WIDTH + 60)),
    )
    tooltip = [
        alt.Tooltip("team:N", title="Team"),
        alt.Tooltip("element_label:N", title="Element"),
        alt.Tooltip("before:Q", title="Before", format=".2f"),
        alt.Tooltip("after:Q", title="After", format=".2f"),
        alt.Tooltip("delta:Q", title="Change", format="+.2f"),
        alt.Tooltip("p_adjusted:Q", title="p (BH-adjusted)", format=".3f"),
        alt.Tooltip("adjusted_among:N", title="Adjusted among"),
        alt.Tooltip("ci_low:Q", title="95% CI of the change, from", format="+.2f"),
        alt.Tooltip("ci_high:Q", title="to", format="+.2f"),
        alt.Tooltip("detectable:N", title="With these n"),
        alt.Tooltip("call:N", title="Called"),
    ]
    cells = (
        base.mark_rect(stroke="#bbbbbb", strokeWidth=0.5, cursor="pointer")
        .add_params(_team_click())
        .encode(
            color=alt.Color(
                "call:N",
                title="Called",
                scale=alt.Scale(domain=list(CALL_COLOURS), range=list(CALL_COLOURS.values())),
                legend=alt.Legend(orient="bottom", direction="horizontal"),
            ),
            tooltip=tooltip,
        )
    )
    text = base.mark_text(lineBreak="\n", fontSize=FONT_SIZE - 1, dy=-7).encode(
        text="text:N",
        color=alt.when(alt.FieldOneOfPredicate(field="call", oneOf=["up", "down"]))
        .then(alt.value("white"))
        .otherwise(alt.value("#333333")),
        tooltip=tooltip,
    )
    chart = (cells + text).properties(width=560, height=max(len(order) * 44, 100))
    chart = _titled(
        chart,
        title,
        [
            "Up or down only where Welch's t-test is significant at 0.05 after Benjamini–Hochberg correction",
            "across every cell shown. In brackets: the smallest change the team's n could detect (80% power).",
        ],
    )
    return _finish(chart)


def priority_matrix(drivers: pd.DataFrame, title: str = "") -> alt.LayerChart:
    """Key drivers: each element's importance for the outcome item against its current score.

    Top left (important, scored low) reads "fix first". Splits: the elements' mean score, and an
    equal share (1 in 5) of importance.
    """
    data = drivers.assign(label=drivers["element"].map(ELEMENT_LABELS))
    split_x = float(data["score"].mean())
    split_y = 1 / len(ELEMENTS)
    low = min(float(data["score"].min()) - 0.2, split_x - 0.3)
    high = max(float(data["score"].max()) + 0.2, split_x + 0.3)
    top = max(float(data["share"].max()) * 1.15, split_y * 1.6)
    x_scale, y_scale = alt.Scale(domain=[low, high], zero=False, nice=False), alt.Scale(domain=[0, top], nice=False)
    x = alt.X("score:Q", title="Current score (mean, 1–5)", scale=x_scale)
    y = alt.Y(
        "share:Q",
        title="Importance for the outcome item (share)",
        scale=alt.Scale(domain=[0, top]),
        axis=alt.Axis(format="%"),
    )
    points = (
        alt.Chart(data)
        .mark_circle(size=260, color="#2c6aa8", opacity=0.9)
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("label:N", title="Element"),
                alt.Tooltip("share:Q", title="Importance", format=".0%"),
                alt.Tooltip("score:Q", title="Score", format=".2f"),
                alt.Tooltip("n:Q", title="Responses (n)"),
            ],
        )
    )
    labels = alt.Chart(data).mark_text(align="left", dx=12, fontSize=FONT_SIZE + 1).encode(x=x, y=y, text="label:N")
    rule = alt.Chart(pd.DataFrame({"x": [split_x], "y": [split_y]})).mark_rule(strokeDash=[4, 4], color="#888888")
    rules = rule.encode(x=alt.X("x:Q", scale=x_scale)) + rule.encode(y=alt.Y("y:Q", scale=y_scale))
    corners = pd.DataFrame(
        {
            "x": [low, high, low, high],
            "y": [top, top, 0, 0],
            "text": ["Fix first", "Keep it up", "Watch", "Lower priority"],
            "align": ["left", "right", "left", "right"],
            "baseline": ["top", "top", "bottom", "bottom"],
        }
    )
    corner_marks = [
        alt.Chart(corners.iloc[[i]])
        .mark_text(
            align=row.align,
            baseline=row.baseline,
            dx=6 if row.align == "left" else -6,
            dy=6 if row.baseline == "top" else -6,
            fontSize=FONT_SIZE + 2,
            fontWeight="bold" if row.text == "Fix first" else "normal",
            color="#c0392b" if row.text == "Fix first" else MUTED_TEXT,
        )
        .encode(x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), text="text:N")
        for i, row in enumerate(corners.itertuples())
    ]
    chart = alt.layer(rules, points, labels, *corner_marks).properties(height=380)
    n = int(data["n"].iloc[0]) if len(data) else 0
    chart = _titled(
        chart,
        title,
        f"Relative weights of the five elements for the outcome item (OC1), n = {n:,}. "
        "Association, not proof of cause.",
    )
    return _finish(chart)


def element_profiles(rows: pd.DataFrame, wave_order: list[str], title: str = "") -> alt.FacetChart:
    """Small multiples: one panel per ADKAR element, the team's mean over waves with its 95% band.

    `rows` have element, wave, value, ci_low, ci_high, n (readiness.trend_rows per element).
    """
    data = _with_rate(rows).assign(element_label=rows["element"].map(ELEMENT_LABELS))
    x = alt.X(
        "wave:O",
        sort=wave_order,
        title=None,
        scale=alt.Scale(domain=wave_order),
        axis=alt.Axis(labelAngle=-45, labelOverlap=False),
    )
    y_scale = alt.Scale(domain=[1, 5])
    base = alt.Chart().encode(x=x)
    band = base.mark_area(opacity=0.2, color="#4a6fa5").encode(
        y=alt.Y("ci_low:Q", title="Mean (1–5)", scale=y_scale), y2="ci_high:Q"
    )
    line = base.mark_line(color="#2c6aa8", strokeWidth=2.5).encode(y=alt.Y("value:Q", scale=y_scale))
    points = base.mark_point(filled=True, size=50, color="#2c6aa8").encode(
        y=alt.Y("value:Q", scale=y_scale),
        tooltip=[
            alt.Tooltip("element_label:N", title="Element"),
            alt.Tooltip("wave:O", title="Wave"),
            alt.Tooltip("value:Q", title="Mean", format=".2f"),
            alt.Tooltip("ci_low:Q", title="95% CI from", format=".2f"),
            alt.Tooltip("ci_high:Q", title="95% CI to", format=".2f"),
            alt.Tooltip("n:Q", title="Responses (n)"),
            RATE_TOOLTIP,
        ],
    )
    threshold = alt.Chart().mark_rule(strokeDash=[3, 3], color="#c0392b").encode(y=alt.datum(3))
    chart = (
        alt.layer(band, threshold, line, points, data=data)
        .properties(width=140, height=160)
        .facet(column=alt.Column("element_label:N", sort=[ELEMENT_LABELS[e] for e in ELEMENTS], title=None))
    )
    chart = _titled(chart, title, "Shaded: 95% confidence band. Dashed: the barrier threshold.")
    return _finish(chart)


def _line_colours(data: pd.DataFrame, colours: Mapping[int, str] | None) -> list[str]:
    """The colour of each drawn team (in data's first-seen order): from `colours`, or by position without it."""
    ids = list(dict.fromkeys(data["team_id"]))
    if colours is None:  # no organisation given: stable for these rows only
        colours = {team_id: TEAM_PALETTE[1:][i % 7] for i, team_id in enumerate(sorted(set(ids) - {ORGANISATION}))}
        colours[ORGANISATION] = ORGANISATION_COLOUR
    return [colours.get(int(team_id), OTHER_TEAMS_GREY) for team_id in ids]


def readiness_trend(
    rows: pd.DataFrame,
    wave_order: list[str],
    title: str = "",
    measure: str = "Readiness index (0–100)",
    colours: Mapping[int, str] | None = None,
    highlight: int | None = None,
) -> alt.LayerChart:
    """One measure per team over waves, with its 95% confidence band and n on hover.

    `rows` are readiness.trend_rows of the teams to draw (team_id, team, wave, value, ci_low, ci_high,
    n): suppressed points are already left out. `colours` is team_colours of the whole organisation,
    so a team keeps its colour on every chart. With `highlight` (a team id), that team is drawn in its
    colour with its band and a label at its line's end, the others light grey behind it. Where colours
    repeat (more lines than colours), every line is labelled at its end as well as in the legend.
    """
    data = _with_rate(rows)[["team_id", "team", "team_name", "wave", "value", "ci_low", "ci_high", "n", "rate"]].rename(
        columns={"value": "readiness"}
    )
    labels = list(dict.fromkeys(data["team"]))
    palette = _line_colours(data, colours)
    chosen = highlight if highlight is not None and highlight in set(data["team_id"]) else None
    ids = list(dict.fromkeys(data["team_id"]))
    repeated = len(set(palette)) < len(palette)  # more lines than colours: name each at its end
    labelled = chosen is not None or repeated
    if chosen is not None:
        palette = [
            colour if team_id == chosen else OTHER_TEAMS_GREY for team_id, colour in zip(ids, palette, strict=True)
        ]
        # Drawn last, so on top of the grey lines.
        data = data.assign(front=data["team_id"].eq(chosen)).sort_values("front", kind="stable").drop(columns="front")
    x = alt.X("wave:O", sort=wave_order, title="Wave", scale=alt.Scale(domain=wave_order), axis=alt.Axis(labelAngle=0))
    color = alt.Color(
        "team:N",
        title="Team",
        sort=labels,
        scale=alt.Scale(domain=labels, range=palette),
        # Below the plot where lines are labelled at their ends: the labels take the right-hand side.
        legend=alt.Legend(
            orient="bottom" if labelled else "right",
            columns=4 if labelled else alt.Undefined,
            symbolType="stroke",
            symbolStrokeWidth=3,
            symbolOpacity=1,
        ),
    )
    base = alt.Chart(data).encode(x=x, color=color)
    y = alt.Y("ci_low:Q", title=measure, scale=alt.Scale(zero=False))
    band = base.mark_area(opacity=0.15).encode(y=y, y2="ci_high:Q")
    if chosen is not None:
        band = band.transform_filter(alt.datum.team_id == chosen)
    tooltip = [
        alt.Tooltip("team:N", title="Team"),
        alt.Tooltip("wave:O", title="Wave"),
        alt.Tooltip("readiness:Q", title=measure, format=".2f"),
        alt.Tooltip("ci_low:Q", title="95% CI from", format=".2f"),
        alt.Tooltip("ci_high:Q", title="95% CI to", format=".2f"),
        alt.Tooltip("n:Q", title="Responses (n)"),
        RATE_TOOLTIP,
    ]
    width = (
        alt.value(2.5)
        if chosen is None
        else alt.when(alt.datum.team_id == chosen).then(alt.value(4)).otherwise(alt.value(1.5))
    )
    line = base.mark_line().encode(y="readiness:Q", strokeWidth=width)
    points = (
        base.mark_point(filled=True, size=80, cursor="pointer")
        .add_params(_team_click())
        .encode(y="readiness:Q", tooltip=tooltip)
    )
    layers = [band, line, points]
    if labelled:
        position = {name: i for i, name in enumerate(wave_order)}
        ends = data.assign(at=data["wave"].map(position)).sort_values("at").groupby("team_id", sort=False).tail(1)
        if not repeated:
            ends = ends[ends["team_id"] == chosen]
        layers.append(
            alt.Chart(ends[["team", "wave", "readiness"]])
            .mark_text(align="left", dx=8, fontSize=FONT_SIZE - 1, color=TEXT_COLOUR)
            .encode(x=x, y="readiness:Q", text="team:N")
        )
    chart = alt.layer(*layers).properties(height=360)
    if labelled:
        chart = chart.properties(padding={"right": LABEL_WIDTH - 60, "left": 5, "top": 5, "bottom": 5})
    subtitle = "Shaded: 95% confidence band. Hover a point for n and the response rate."
    if chosen is not None:
        subtitle = (
            "Shaded: the highlighted team's 95% confidence band; other teams in grey. "
            "Hover a point for n and the response rate."
        )
    chart = _titled(chart, title, subtitle)
    return _finish(chart)


# CX outcomes


def readiness_outcome_scatter(
    points: pd.DataFrame,
    wave_order: list[str],
    measure: str,
    correlation_text: str,
    band: pd.DataFrame | None = None,
    title: str = "",
) -> alt.LayerChart:
    """Readiness index (x) against a CX outcome (y), a point per team and wave, with its trend line.

    `points` are outcomes.readiness_vs_outcomes rows of one measure (team, wave, readiness, n, value);
    `band` (readiness, low, high) is the trend line's confidence band; `correlation_text` gives r,
    its CI and n for the subtitle, which also says that this is association, not cause.
    """
    data = _with_rate(points)[["team", "wave", "readiness", "n", "rate", "value"]]
    x = alt.X("readiness:Q", title="Readiness index (0–100)", scale=alt.Scale(zero=False))
    y = alt.Y("value:Q", title=measure, scale=alt.Scale(zero=False))
    dots = (
        alt.Chart(data)
        .mark_circle(size=90, opacity=0.85, stroke="white", strokeWidth=0.5)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "wave:O",
                title="Wave",
                sort=wave_order,
                scale=alt.Scale(domain=[w for w in wave_order if w in set(data["wave"])], scheme="viridis"),
            ),
            tooltip=[
                alt.Tooltip("team:N", title="Team"),
                alt.Tooltip("wave:O", title="Wave"),
                alt.Tooltip("readiness:Q", title="Readiness index", format=".1f"),
                alt.Tooltip("n:Q", title="Responses (n)"),
                RATE_TOOLTIP,
                alt.Tooltip("value:Q", title=measure, format=".4~g"),
            ],
        )
    )
    trend = (
        alt.Chart(data)
        .transform_regression("readiness", "value")
        .mark_line(color="#333333", strokeWidth=2)
        .encode(x="readiness:Q", y="value:Q")
    )
    layers = [dots, trend]
    if band is not None and not band.empty:
        shade = alt.Chart(band).mark_area(opacity=0.12, color="#333333").encode(x="readiness:Q", y="low:Q", y2="high:Q")
        layers.insert(0, shade)
    chart = alt.layer(*layers).properties(height=380)
    subtitle = [
        f"{correlation_text}. An association, not cause.",
        "Line: least-squares trend; shaded: its 95% band, which treats every team-wave as independent.",
    ]
    return _finish(chart.properties(title=alt.Title(title or f"Readiness and {measure}", subtitle=subtitle)))


# Kotter board ----------------------------------------------------------------------------------

KOTTER_STATUS_COLOURS: dict[str, str] = {
    "not started": "#d9d9d9",
    "in progress": "#8fb8de",
    "done": "#2c6aa8",
    "at risk": "#e67e22",
}
"""Blues for work under way and done, orange for at risk: apart for colour-blind readers too."""


def kotter_timeline(segments: pd.DataFrame, labels: list[str], today: str, title: str = "") -> alt.LayerChart:
    """How each Kotter step moved: a bar per recorded status, from its change to the next one (or today).

    `segments` are kotter.timeline_segments rows (label, status, start, end, health, owner, evidence);
    `labels` every step's axis label in order, so a step that never changed keeps its row; `today`
    (ISO date) is drawn as a rule. Dates are read and shown in UTC, so no time zone moves a day.
    """
    data = segments.assign(
        health_text=[f"{value}" if pd.notna(value) else "not rated" for value in segments["health"]],
        owner=segments["owner"].astype(object).where(segments["owner"].notna(), "—"),
        evidence=segments["evidence"].astype(object).where(segments["evidence"].notna(), "—"),
    ).drop(columns="health")
    x_scale = alt.Scale(type="utc")
    y = alt.Y("label:N", sort=labels, scale=alt.Scale(domain=labels), title=None, axis=alt.Axis(labelLimit=320))
    statuses = list(KOTTER_STATUS_COLOURS)
    tooltip = [
        alt.Tooltip("label:N", title="Step"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("start:N", title="From"),
        alt.Tooltip("end:N", title="Until"),
        alt.Tooltip("health_text:N", title="Health (1–5)"),
        alt.Tooltip("owner:N", title="Owner"),
        alt.Tooltip("evidence:N", title="Evidence"),
    ]
    bars = (
        alt.Chart(data)
        .mark_bar(height=20, cornerRadius=2, stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("start:T", title=None, scale=x_scale, axis=alt.Axis(format="%b %Y", labelAngle=0)),
            x2="end:T",
            y=y,
            color=alt.Color(
                "status:N",
                title="Status",
                sort=statuses,
                scale=alt.Scale(domain=statuses, range=list(KOTTER_STATUS_COLOURS.values())),
                legend=alt.Legend(orient="bottom", direction="horizontal"),
            ),
            tooltip=tooltip,
        )
    )
    # A dot per change, in its new status: a change made today still shows, though its bar has no length yet.
    changes = (
        alt.Chart(data)
        .mark_point(filled=True, size=120, stroke="#333333", strokeWidth=1, opacity=1)
        .encode(x=alt.X("start:T", scale=x_scale), y=y, color=alt.Color("status:N", legend=None), tooltip=tooltip)
    )
    now = alt.Chart(pd.DataFrame({"today": [today], "text": [f"today, {today}"]}))
    rule = now.mark_rule(color="#c0392b", strokeDash=[4, 3], strokeWidth=1.5).encode(x=alt.X("today:T", scale=x_scale))
    rule_text = now.mark_text(align="right", baseline="bottom", dx=-4, dy=-4, color="#c0392b").encode(
        x=alt.X("today:T", scale=x_scale), y=alt.value(0), text="text:N"
    )
    chart = alt.layer(bars, changes, rule, rule_text).properties(height=len(labels) * 36)
    chart = _titled(
        chart,
        title,
        "Each bar is a status from the day it was recorded until the next change; "
        "dots mark the changes. Hover for health, owner and evidence.",
    )
    return _finish(chart)


# Champion network


COVERAGE_COLOURS: dict[str, str] = {"active": "#2c6aa8", "quiet": "#e69f00", "none": "#c0392b"}
"""A team's coverage status: champions active lately (blue), quiet (amber), none active (red)."""


def coverage_chart(
    rows: pd.DataFrame, ratio: float, title: str = "", quiet_days: int = DEFAULTS["champion_quiet_days"]
) -> alt.LayerChart:
    """People per active champion per team, against the target ratio; colour by coverage status.

    `rows` are champions.coverage rows (the organisation's row is left out) at `quiet_days`. A team
    without an active champion has no bar, only its status and headcount written at zero. Clicking
    a team selects it (TEAM_SELECTION).
    """
    statuses = status_labels(quiet_days)
    teams = rows[rows["team_id"] != 0]
    data = pd.DataFrame(
        {
            "row": [
                team_label(t, d, c)
                for t, d, c in zip(teams["team"], teams["depth"], teams["has_children"], strict=True)
            ],
            "team_name": teams["team"].to_numpy(),
            "order": teams["order"].to_numpy(),
            "depth": teams["depth"].to_numpy(),
            "people_per_champion": teams["people_per_champion"].round(1).to_numpy(),
            "bar": teams["people_per_champion"].fillna(0).to_numpy(),
            "headcount": teams["headcount"].astype(float).to_numpy(),
            "champions": teams["champions"].to_numpy(),
            "needed": teams["needed"].astype(float).to_numpy(),
            "status": teams["status"].to_numpy(),
            "status_text": [statuses[s] for s in teams["status"]],
            "last_activity": teams["last_activity"].fillna("none").to_numpy(),
            "days_since": teams["days_since"].astype(float).to_numpy(),
            "label": [
                f"no active champion · {int(h):,} people"
                if c == 0 and h == h
                else "no active champion"
                if c == 0
                else f"1 per {p:.0f} · {plural(c, 'champion')}"
                if p == p
                else f"{plural(c, 'champion')} · no headcount"
                for c, h, p in zip(teams["champions"], teams["headcount"], teams["people_per_champion"], strict=True)
            ],
        }
    )
    order = list(dict.fromkeys(data.sort_values("order")["row"]))
    y = alt.Y("row:N", sort=order, title=None, axis=_team_axis(data, "row"))
    top = max(float(data["bar"].max() or 0), ratio) * 1.35
    x_scale = alt.Scale(domain=[0, top], nice=False)
    tooltip = [
        alt.Tooltip("team_name:N", title="Team"),
        alt.Tooltip("status_text:N", title="Status"),
        alt.Tooltip("headcount:Q", title="Headcount"),
        alt.Tooltip("champions:Q", title="Active champions"),
        alt.Tooltip("people_per_champion:Q", title="People per champion"),
        alt.Tooltip("needed:Q", title=f"Champions needed at 1 per {ratio:g}"),
        alt.Tooltip("last_activity:N", title="Last activity"),
        alt.Tooltip("days_since:Q", title="Days since"),
    ]
    colour = alt.Color(
        "status:N",
        title="Status",
        scale=alt.Scale(domain=list(COVERAGE_COLOURS), range=list(COVERAGE_COLOURS.values())),
        legend=alt.Legend(
            orient="bottom",
            direction="horizontal",
            labelExpr=" : ".join(f"datum.label == '{k}' ? '{v}'" for k, v in statuses.items()) + " : datum.label",
        ),
    )
    base = alt.Chart(data).encode(y=y)
    bars = (
        base.mark_bar(cursor="pointer", height=18)
        .add_params(_team_click())
        .encode(x=alt.X("bar:Q", title="People per active champion", scale=x_scale), color=colour, tooltip=tooltip)
    )
    labels = base.mark_text(align="left", dx=5, fontSize=FONT_SIZE - 1).encode(
        x=alt.X("bar:Q", scale=x_scale),
        text="label:N",
        color=alt.when(alt.datum.status == "none")
        .then(alt.value(COVERAGE_COLOURS["none"]))
        .otherwise(alt.value("#333333")),
        tooltip=tooltip,
    )
    target = alt.Chart(pd.DataFrame({"x": [ratio], "text": [f"target: 1 per {ratio:g}"]}))
    rule = target.mark_rule(color="#333333", strokeDash=[5, 4], strokeWidth=1.5).encode(x=alt.X("x:Q", scale=x_scale))
    rule_text = target.mark_text(align="center", baseline="bottom", dy=-4, color="#333333").encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.value(0), text="text:N"
    )
    chart = alt.layer(bars, labels, rule, rule_text).properties(height=max(len(order) * 30, 100))
    chart = _titled(
        chart,
        title,
        [
            f"Bars left of the dashed line meet the target of one active champion per {ratio:g} people.",
            "Parents marked (all) count every team below them. "
            f"Quiet: no session logged in the last {quiet_days} days.",
        ],
    )
    return _finish(chart)


EFFECT_COLOURS: dict[str, str] = {EFFECT_GROUPS["with"]: "#2c6aa8", EFFECT_GROUPS["without"]: "#888888"}


def champion_effect_chart(lines: pd.DataFrame, wave_order: list[str], title: str = "") -> alt.LayerChart:
    """Readiness of teams with an active champion and of those with none in post, per wave, each with its 95% band.

    `lines` are champions.effect_lines rows (wave, group, mean, ci_low, ci_high, n, teams, difference
    and its CI); n, teams and the difference are in every point's tooltip.
    """
    data = lines[
        ["wave", "group", "mean", "ci_low", "ci_high", "n", "teams", "difference", "difference_low", "difference_high"]
    ]
    x = alt.X("wave:O", sort=wave_order, title="Wave", scale=alt.Scale(domain=wave_order), axis=alt.Axis(labelAngle=0))
    colour = alt.Color(
        "group:N",
        title=None,
        scale=alt.Scale(domain=list(EFFECT_COLOURS), range=list(EFFECT_COLOURS.values())),
        legend=alt.Legend(orient="bottom", symbolType="stroke", symbolStrokeWidth=3, symbolOpacity=1),
    )
    base = alt.Chart(data).encode(x=x, color=colour)
    y_title = "Readiness index (0–100)"
    band = base.mark_area(opacity=0.18).encode(
        y=alt.Y("ci_low:Q", title=y_title, scale=alt.Scale(zero=False)), y2="ci_high:Q"
    )
    line = base.mark_line(strokeWidth=2.5).encode(y="mean:Q")
    points = base.mark_point(filled=True, size=80).encode(
        y="mean:Q",
        tooltip=[
            alt.Tooltip("group:N", title="Teams"),
            alt.Tooltip("wave:O", title="Wave"),
            alt.Tooltip("mean:Q", title="Readiness index", format=".1f"),
            alt.Tooltip("ci_low:Q", title="95% CI from", format=".1f"),
            alt.Tooltip("ci_high:Q", title="95% CI to", format=".1f"),
            alt.Tooltip("n:Q", title="Respondents (n)", format=","),
            alt.Tooltip("teams:Q", title="Teams"),
            alt.Tooltip("difference:Q", title="Difference (active − none in post)", format="+.1f"),
            alt.Tooltip("difference_low:Q", title="Difference: 95% CI from", format="+.1f"),
            alt.Tooltip("difference_high:Q", title="Difference: 95% CI to", format="+.1f"),
        ],
    )
    chart = alt.layer(band, line, points).properties(height=340)
    chart = _titled(
        chart,
        title,
        [
            "Shaded: 95% confidence band of each group's mean, teams as the unit. "
            "Hover a point for n and the difference.",
            "Teams whose champions were quiet are left out. An association, not cause: teams with champions may "
            "differ in other ways.",
        ],
    )
    return _finish(chart)


# Programme health ------------------------------------------------------------------------------


def health_trend(trend: pd.DataFrame, title: str = "") -> alt.LayerChart:
    """The overall programme-health score (0–100) over time, a point per assessment day.

    `trend` is health.health_trend's frame (day, score, green, amber, red, grey); hovering a point
    shows how many checks had each colour. Days are drawn in UTC, so no time zone moves a month-end.
    """
    data = trend.assign(
        day=[pd.Timestamp(day).strftime("%Y-%m-%d") for day in trend["day"]],
        as_of=[date_text(pd.Timestamp(day)) for day in trend["day"]],
    )
    x = alt.X(
        "day:T", title=None, scale=alt.Scale(type="utc"), axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=8)
    )
    y = alt.Y("score:Q", title="Health score (0–100)", scale=alt.Scale(domain=[0, 100]))
    tooltip = [
        alt.Tooltip("as_of:N", title="As of"),
        alt.Tooltip("score:Q", title="Health score (0–100)"),
        alt.Tooltip("green:Q", title="Green checks"),
        alt.Tooltip("amber:Q", title="Amber checks"),
        alt.Tooltip("red:Q", title="Red checks"),
        alt.Tooltip("grey:Q", title="Not assessed"),
    ]
    base = alt.Chart(data).encode(x=x, y=y)
    line = base.mark_line(color="#2c6aa8", strokeWidth=2.5)
    points = base.mark_point(filled=True, size=70, color="#2c6aa8").encode(tooltip=tooltip)
    chart = alt.layer(line, points).properties(height=280)
    chart = _titled(
        chart,
        title,
        "Each point judges the checks again with what was logged (and ticked) by that day: "
        "green 100, amber 50, red 0, averaged over the checks assessed. Hover for the counts.",
    )
    return _finish(chart)
