"""The readiness report as a document every format renders: title, context line, sections of figures, charts
to draw (for the app, the HTML and the PDF: reports.drawn makes their specs), native chart data (for the PPTX)
and tables.

Pure: ReportData in, Report out. Built from the functions the Overview and Readiness pages draw, so a report
and the views agree. Honesty rules hold in every section: a suppressed row never carries a figure, and the
context line (filters, wave, suppression threshold, demo label) travels with every page and slide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxchange import access, analysis, hierarchy, palette, readiness, summary
from cxchange.model import ELEMENT_LABELS, ELEMENTS, REMEDIES
from cxchange.reports.cells import guarded, team_table
from cxchange.summary import ChartData, Finding, Summary
from cxchange.text import MISSING, agree, plural, response_rate_text

REPORT_FORMATS: dict[str, str] = {
    "html": "text/html",
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
"""The report's file formats and their MIME types."""


@dataclass(frozen=True)
class Figure:
    """A headline number with its label and what qualifies it (n, CI, test)."""

    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Drawing:
    """A chart to draw: the name of a cxchange.charts function, its arguments and the subtitle a file gives it.

    Data, not a spec: the report is built without Altair, so that a format drawing native charts (the PPTX)
    never loads it; reports.drawn makes the Vega-Lite spec for the formats that draw one.
    """

    chart: str
    args: tuple[Any, ...]
    options: dict[str, Any] = field(default_factory=dict)
    subtitle: str | None = None
    """In place of the chart's own subtitle (on paper there is no hovering to read n from)."""
    made: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The spec once reports.drawn has made it (a cached report is drawn once)."""


@dataclass(frozen=True)
class Section:
    """One part of a report: headline figures, a chart (to draw) or a table, with a note."""

    title: str
    note: str = ""
    figures: tuple[Figure, ...] = ()
    chart: Drawing | None = None
    table: pd.DataFrame | None = None
    hidden: tuple[bool, ...] = ()
    """Per table row: the row's team is hidden (its figures are never written)."""
    findings: tuple[Finding, ...] = ()
    """The executive summary's findings (its section only)."""
    native: ChartData | None = None
    """The chart's figures as plain data, for a format that draws native charts (the PPTX)."""


@dataclass(frozen=True)
class Report:
    """A readiness report as every format renders it: title, context line, sections in order."""

    title: str
    context: str
    sections: tuple[Section, ...]
    file_stem: str = "readiness-report"
    choices: dict[str, Any] = field(default_factory=dict)


def slug(text: str) -> str:
    """Text as a file-name part: lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "report"


@dataclass(frozen=True)
class ReportData:
    """What a readiness report is drawn from: the workspace's settings, organisation and readiness figures."""

    settings: dict[str, Any]
    initiatives: pd.DataFrame
    waves: pd.DataFrame
    """The initiative's waves, oldest first, indexed from 0."""
    teams: pd.DataFrame
    demo: bool
    frame: pd.DataFrame
    """readiness figures of the initiative for the report's respondent group."""
    barrier_counts: pd.DataFrame
    """Barrier points per team and group of the report's wave, at the settings' threshold."""
    summary: Summary | None = None
    """The executive summary of the report's wave and team (summary.summarise), opening the report."""


def readiness_report_document(
    data: ReportData, initiative_id: int, wave_id: int, team_id: int = 0, group: str = "all"
) -> Report:
    """The readiness report of one initiative's wave for a team and the teams below it (0: all teams).

    Built from the functions the Overview and Readiness pages draw, so a report and the views agree:
    the headline (index with n and CI; a change called only where significant), the team × element
    heatmap, barrier points, the trend up to this wave, the change since the wave before, the team table.
    Raises LookupError for an unknown initiative, wave or team, ValueError for an unknown group.
    """
    if group not in readiness.GROUPS:
        raise ValueError(f"Unknown respondent group {group!r}; groups are: {', '.join(readiness.GROUPS)}.")
    settings = data.settings
    min_n = int(settings["min_group_size"])
    initiative = data.initiatives[data.initiatives["id"] == initiative_id]
    if initiative.empty:
        raise LookupError(f"There is no initiative with id {initiative_id}.")
    waves = data.waves
    position = np.flatnonzero(waves["id"].to_numpy() == wave_id)
    if len(position) == 0:
        raise LookupError(f"{initiative['name'].iloc[0]} has no wave with id {wave_id}.")
    teams = data.teams
    tree = hierarchy.team_tree(teams).set_index("team_id")
    if team_id not in tree.index:
        raise LookupError(f"There is no team with id {team_id}.")

    initiative_name = str(initiative["name"].iloc[0])
    wave = waves.iloc[position[0]]
    wave_name = str(wave["name"])
    team_name = str(tree.loc[team_id, "team"])
    group_text = readiness.GROUPS[group].lower()
    context = " · ".join(
        [
            initiative_name,
            f"wave {wave_name} (opened {wave['opened_on']})",
            f"team: {team_name}" + (" and the teams below it" if team_id and tree.loc[team_id, "has_children"] else ""),
            group_text,
            f"groups under {min_n} responses hidden",
            *(["Demo data"] if data.demo else []),
        ]
    )
    scope = f"{team_name} · " if team_id else ""
    title = f"Readiness report: {scope}{initiative_name}, {wave_name}"

    frame = data.frame
    members = hierarchy.subtree_ids(teams, team_id)
    in_view = frame[frame["team_id"].isin(members)]
    wave_rows = in_view[in_view["wave_id"] == wave_id]
    shown = wave_rows[~wave_rows["suppressed"].astype(bool)]
    suffix = "" if group == "all" else f", {group_text}"
    previous = waves.iloc[position[0] - 1] if position[0] > 0 else None

    scoped_rows = access.scoped_figures(frame, teams, team_id or None)
    scoped_rows = scoped_rows[scoped_rows["wave_id"] == wave_id]
    sections = [_headline(frame, wave_rows, team_id, wave_id, settings, scoped_rows)]
    if data.summary is not None:
        sections.insert(0, Section(data.summary.title, findings=data.summary.findings))
    if shown.empty:
        sections.append(
            Section(
                "No figures to show",
                note=f"No team in view has {min_n} or more complete responses in {wave_name}{suffix}, or each is "
                "hidden so that a smaller group cannot be worked out.",
            )
        )
    else:
        hidden = int(wave_rows["suppressed"].sum())
        hidden_note = f" {plural(hidden, 'team')} {agree(hidden, 'is', 'are')} hidden and left out." if hidden else ""
        heatmap_title = f"Readiness by team and ADKAR element, {wave_name}{suffix}"
        threshold = float(settings["barrier_threshold"])
        heatmap = Drawing("readiness_heatmap", (wave_rows, min_n), {"title": heatmap_title, "threshold": threshold})
        sections.append(Section(heatmap_title, chart=heatmap, native=_heatmap_data(wave_rows)))
        shares = readiness.barrier_shares(data.barrier_counts, teams, wave_rows, group)
        if not shares.empty:
            sections.append(
                Section(
                    f"Barrier points, {wave_name}",
                    note=f"Share of each team's respondents stuck at each element: the first element they score at "
                    f"or below {threshold:g} on the 1–5 scale.{hidden_note}",
                    chart=Drawing(
                        "barrier_chart", (shares,), {"title": f"Where respondents are stuck, {wave_name}{suffix}"}
                    ),
                    native=_shares_data(shares),
                )
            )
        wave_order = waves["name"].iloc[: position[0] + 1].tolist()
        lines = readiness.trend_lines(in_view[in_view["wave"].isin(wave_order)], team_id)
        if not lines.empty:
            colours = palette.team_colours(teams)  # each team in the colour the app gives it
            trend = Drawing(
                "readiness_trend",
                (lines, wave_order, "Readiness index over waves"),
                {"colours": colours},
                # On paper there is no hovering: each point's n is in the table that follows.
                subtitle="Shaded: 95% confidence band. Each point's n is in the table that follows.",
            )
            sections.append(
                Section(
                    "Readiness index over waves",
                    note="Hidden points are left out.",
                    chart=trend,
                    native=_trend_data(lines, wave_order, colours),
                )
            )
            counts = lines.pivot_table(index="team", columns="wave", values="n", aggfunc="first", sort=False)
            counts = counts.reindex(columns=[name for name in wave_order if name in counts.columns])
            sections.append(
                Section(
                    "Responses behind the trend (n)",
                    note="Complete responses behind each point of the trend; a blank is a hidden point.",
                    table=counts.astype("Int64").reset_index().rename(columns={"team": "Team"}),
                    hidden=(False,) * len(counts),
                )
            )
        sections.append(_change_section(frame, previous, wave_id, wave_name, members, suffix))
    table, flags = team_table(in_view, wave_id, min_n)
    if not table.empty:
        sections.append(
            Section(
                f"Teams, {wave_name}",
                note=f"Hidden teams say why instead of showing figures (fewer than {min_n}: too few responses; "
                "hidden: withheld so that a smaller group cannot be worked out).",
                table=table,
                hidden=flags,
            )
        )
    stem = slug(f"readiness {initiative_name} {wave_name}" + (f" {team_name}" if team_id else ""))
    return Report(
        title=title,
        context=context,
        sections=tuple(sections),
        file_stem=stem,
        choices={"initiative_id": initiative_id, "wave_id": wave_id, "team_id": team_id, "group": group},
    )


def _headline(
    frame: pd.DataFrame,
    wave_rows: pd.DataFrame,
    team_id: int,
    wave_id: int,
    settings: dict[str, Any],
    scoped_rows: pd.DataFrame,
) -> Section:
    """The headline: readiness index with n and CI, the change since the wave before, and the teams at a
    barrier as the Overview counts them (a team without teams below it: its own barrier point)."""
    min_n = int(settings["min_group_size"])
    root = wave_rows[wave_rows["team_id"] == team_id]
    if root.empty:
        return Section("At a glance", note="No complete responses in this wave for this team.")
    row = root.iloc[0]
    if row["suppressed"]:
        reason = hierarchy.suppression_text(row["suppression"], min_n)
        return Section(
            "At a glance",
            figures=(Figure("Readiness index (0–100)", "hidden", reason.capitalize() + ": no figures are shown."),),
        )
    change = readiness.change_between(frame, team_id, wave_id)
    if change is None:
        change_figure = Figure("Change since the wave before", "–", "First wave: nothing to compare with yet.")
    else:
        called = f"{change.delta:+.1f}" if change.significant else "no clear change"
        if np.isnan(change.p_value):
            called = "no test possible"
        change_figure = Figure(f"Change since {change.previous_wave}", called, change.describe())
    has_ci = pd.notna(row["ci_low"]) and pd.notna(row["ci_high"])
    rate = response_rate_text(row["response_rate"], row["headcount"])
    point = row["barrier_point"]
    teams = wave_rows[wave_rows["team_id"] != team_id]
    return Section(
        "At a glance",
        note="Readiness index: the mean of the five ADKAR element scores, rescaled to 0–100.",
        figures=(
            Figure(
                "Readiness index (0–100)",
                f"{row['readiness']:.0f}",
                f"95% CI {row['ci_low']:.1f} to {row['ci_high']:.1f}" if has_ci else readiness.ci_text(row),
            ),
            Figure(
                "Complete responses (n)",
                f"{int(row['n']):,}",
                "Each respondent counts once." + (f" Response rate: {rate}." if rate else ""),
            ),
            change_figure,
            _barrier_figure(point, bool(row["has_children"]), scoped_rows, settings),
            Figure(
                "Teams hidden",
                f"{int(teams['suppressed'].sum())} of {len(teams)}",
                f"Fewer than {min_n} responses, or hidden so that a smaller group cannot be worked out.",
            ),
        ),
    )


def _barrier_figure(point: Any, parent: bool, scoped_rows: pd.DataFrame, settings: dict[str, Any]) -> Figure:
    """The Overview's "Teams at a barrier" (summary.teams_at_barrier) for a team with teams below it (the
    organisation too): a parent's own barrier point, from its roll-up, can say "none" while teams are stuck.
    A team without teams below it: its own barrier point and what helps."""
    if parent:
        stuck, shown = summary.teams_at_barrier(scoped_rows)
        names = ", ".join(stuck["team"].astype(str))
        return Figure(
            "Teams at a barrier",
            f"{len(stuck)} of {shown}",
            (f"{names}: an element" if names else "No team has an element")
            + f" at or below {float(settings['barrier_threshold']):.2f} on the 1–5 scale.",
        )
    return Figure(
        "Barrier point",
        ELEMENT_LABELS[point] if isinstance(point, str) else "none",
        REMEDIES[point] if isinstance(point, str) else "No element at or below the threshold.",
    )


def _label(row: Any) -> str:
    """A team as a chart's category names it: sub-teams indented under their parent."""
    return "  " * max(int(row.depth) - 1, 0) + str(row.team)


def _heatmap_data(wave_rows: pd.DataFrame) -> ChartData:
    """The heatmap's means per team and element; a hidden team's cells are None."""
    rows = wave_rows.sort_values("order")
    return ChartData(
        "heatmap",
        tuple(_label(row) for row in rows.itertuples()),
        tuple(
            (
                ELEMENT_LABELS[element],
                tuple(
                    None if hidden else round(float(value), 2)
                    for value, hidden in zip(rows[element], rows["suppressed"].astype(bool), strict=True)
                ),
            )
            for element in ELEMENTS
        ),
        number_format="0.00",
        value_range=(1, 5),
    )


def _shares_data(shares: pd.DataFrame) -> ChartData:
    """Barrier shares per team (categories) and element or none (series), as percentages of respondents."""
    teams = shares.drop_duplicates("team_id").sort_values("order")
    table = shares.pivot_table(index="team_id", columns="barrier_point", values="share", aggfunc="first")
    series = [*ELEMENTS, "none"]
    return ChartData(
        "stacked",
        tuple(_label(row) for row in teams.itertuples()),
        tuple(
            (
                ELEMENT_LABELS.get(point, "No barrier"),
                tuple(
                    round(float(table.loc[team, point]), 3)
                    if point in table and pd.notna(table.loc[team, point])
                    else 0.0
                    for team in teams["team_id"]
                ),
            )
            for point in series
        ),
        number_format="0%",
        value_title="Share of respondents",
    )


def _trend_data(lines: pd.DataFrame, wave_order: list[str], colours: dict[int, str]) -> ChartData:
    """The trend's index per team (series, each in its team's colour) and wave (categories); a hidden or missing
    point is None."""
    series, drawn = [], []
    for team_id, part in lines.groupby("team_id", sort=False):
        values = dict(zip(part["wave"], part["value"], strict=True))
        series.append(
            (
                str(part["team_name"].iloc[0]),
                tuple(None if pd.isna(values.get(w)) else round(float(values[w]), 1) for w in wave_order),
            )
        )
        drawn.append(colours.get(int(team_id), palette.OTHER_TEAMS_GREY))
    return ChartData(
        "line", tuple(wave_order), tuple(series), value_title="Readiness index (0–100)", colours=tuple(drawn)
    )


def _change_section(
    frame: pd.DataFrame, previous: pd.Series | None, wave_id: int, wave_name: str, members: set[int], suffix: str
) -> Section:
    """Change by team and element since the wave before: called up or down only where significant."""
    if previous is None:
        return Section("Change since the wave before", note="First wave: nothing to compare with yet.")
    title = f"Change by team and element, {previous['name']} → {wave_name}"
    table = analysis.changes(frame, int(previous["id"]), wave_id, sorted(members))
    if table.empty:
        return Section(title, note="No team is shown in both waves.")
    called = table[table["call"].isin(["up", "down"])]
    native = ChartData(
        "barh",
        tuple(f"{row.team} · {ELEMENT_LABELS[row.element]}" for row in called.itertuples()),
        (("Significant change", tuple(round(float(delta), 2) for delta in called["delta"])),),
        number_format="+0.00;−0.00",
        value_title="Change in the element's mean (1–5 scale); only significant changes",
    )
    return Section(
        title,
        note=analysis.describe_changes(table).replace("**", ""),
        chart=Drawing("change_grid", (table,), {"title": f"{title}{suffix}"}),
        native=native if len(called) else None,
    )


def section_table_rows(section: Section) -> tuple[list[str], list[list[str]]]:
    """A section's table as text: header and rows, hidden rows without numbers."""
    safe = guarded(section.table, section.hidden or None)
    header = [str(column) for column in section.table.columns]
    return header, [[cell_text(cell) for cell in row] for row in safe.itertuples(index=False)]


def cell_text(value: Any) -> str:
    """A table cell as a reader sees it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def chart_grid(data: ChartData | None) -> tuple[list[str], list[list[str]], list[list[Any]]] | None:
    """A heatmap or a set of significant changes as a table: header, rows and per-cell fill colours."""
    if data is None or data.kind not in ("heatmap", "barh"):
        return None
    if data.kind == "barh":
        name, values = data.series[0]
        rows = [
            [category, f"{value:+.2f}".replace("-", "−")]
            for category, value in zip(data.categories, values, strict=True)
        ]
        fills = [[None, (198, 224, 180) if value > 0 else (244, 199, 195)] for value in values]
        return ["Team · element", "Significant change (1–5 scale)"], rows, fills
    header = ["Team", *(name for name, _ in data.series)]
    rows, fills = [], []
    for i, category in enumerate(data.categories):
        values = [series[i] for _, series in data.series]
        hidden = values[0] is None
        rows.append(
            [
                category.strip() + (" (hidden)" if hidden else ""),
                *(MISSING if v is None else f"{v:.2f}" for v in values),
            ]
        )
        fills.append([None, *(heat_colour(v) for v in values)])
    return header, rows, fills


def heat_colour(value: float | None) -> tuple[int, int, int]:
    """A heatmap cell's fill on the 1–5 scale, light to mid blue as the app's heatmap (dark text stays legible);
    grey when hidden."""
    if value is None:
        return (230, 230, 230)
    light, dark = (247, 251, 255), (107, 164, 212)
    share = min(max((value - 1) / 4, 0.0), 1.0)
    return tuple(round(a + (b - a) * share) for a, b in zip(light, dark, strict=True))


def pack_teams(teams: pd.DataFrame, team_id: int = hierarchy.ORGANISATION) -> list[int]:
    """The teams a per-team pack has a report for: those directly below `team_id` (the organisation: the
    top-level teams), in hierarchy order; a team with none below it is its own pack."""
    tree = hierarchy.team_tree(teams)
    below = tree[tree["parent_id"].fillna(hierarchy.ORGANISATION).astype(int) == team_id]
    below = below[below["team_id"] != hierarchy.ORGANISATION]
    return [int(team) for team in below.sort_values("order")["team_id"]] or [team_id]
