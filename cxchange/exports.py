"""Exports: charts as SVG and PNG, tables as CSV and XLSX, the readiness report as HTML, PDF and PPTX.

Everything here works without a browser (vl-convert draws the charts) and without Streamlit, so the
app and the command line write the same files. Honesty rules hold in every file: a suppressed row
never carries a figure, and the report's context line (filters, wave, suppression threshold, demo
label) travels with every page and slide.
"""

from __future__ import annotations

import copy
import csv
import html
import io
import math
import numbers
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from cxchange import access, analysis, charts, hierarchy, readiness, summary
from cxchange.model import ELEMENT_LABELS, ELEMENTS, REMEDIES
from cxchange.summary import ChartData, Finding, Summary
from cxchange.text import MISSING, agree, plural, rate_text

STATIC_FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
"""Fonts of drawn charts: the first has the braille blank that indents sub-teams, so no label falls back to a serif."""
STATIC_WIDTH = 900
"""Width in pixels of a chart that fits its page's width in the app; a file has no page to fit."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# MISSING (from text): what an empty cell reads in every table and file, never "None", "nan" or "NaT"; our own
# readers take it for a blank cell (text.blank), so a file exported and imported again loses nothing.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2800\ufeff]")
"""Characters a reader cannot see (zero-width, direction marks, word joiners, braille blank): never in a file."""
"""A spreadsheet reads text starting with these as a formula (OWASP's CSV injection guidance)."""
REPORT_FORMATS: dict[str, str] = {
    "html": "text/html",
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
"""The report's file formats and their MIME types."""
TABLE_FORMATS: dict[str, str] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHART_FORMATS: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml"}


# Charts --------------------------------------------------------------------------------------


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


def _static_spec(chart_or_spec: alt.TopLevelMixin | dict[str, Any]) -> dict[str, Any]:
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


_EXTERNAL_REFERENCE = re.compile(r"""\s(?!xmlns[:=])[\w:.-]+\s*=\s*(["'])\s*(?:https?:)?//.*?\1""", re.IGNORECASE)


def _without_external_references(svg: str) -> str:
    """The SVG with every attribute pointing outside the file removed (xmlns declarations are names, not fetches)."""
    return _EXTERNAL_REFERENCE.sub("", svg)


def chart_svg(chart_or_spec: alt.TopLevelMixin | dict[str, Any]) -> str:
    """The chart as a standalone SVG document, drawn by vl-convert; it fetches nothing when opened."""
    import vl_convert

    return _without_external_references(vl_convert.vegalite_to_svg(_static_spec(chart_or_spec)))


def chart_png(chart_or_spec: alt.TopLevelMixin | dict[str, Any], scale: float = 2) -> bytes:
    """The chart as a PNG image, drawn by vl-convert at `scale` times its size in pixels."""
    import vl_convert

    return vl_convert.vegalite_to_png(_static_spec(chart_or_spec), scale=scale)


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the PNG header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


# Tables --------------------------------------------------------------------------------------


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet shows but never executes: formula-like text gets a leading apostrophe.

    Numbers stay numbers (numpy's become Python's); missing values (None, NaN, NA, NaT) become None;
    text loses the characters no reader sees (_INVISIBLE).
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating, np.datetime64, np.timedelta64)) and pd.isna(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Number):
        number = value.item() if isinstance(value, np.generic) else value
        if isinstance(number, float) and not math.isfinite(number):
            return None
        return number
    text = _INVISIBLE.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _whole_numbers(column: pd.Series) -> bool:
    """Whether a float column holds only whole numbers: counts that a gap (a hidden n) turned into floats."""
    if not pd.api.types.is_float_dtype(column):
        return False
    values = column.dropna()
    return bool(len(values)) and bool(np.isfinite(values).all()) and bool((values == values.round()).all())


def _empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _guarded(table: pd.DataFrame, hidden: Sequence[bool] | None) -> pd.DataFrame:
    """The table as safe cells, with every number of a hidden row blanked (belt and braces on suppression),
    counts as whole numbers ("207", never "207.0") and every empty cell reading MISSING."""
    if hidden is not None and len(hidden) != len(table):
        raise ValueError(f"The table has {len(table)} rows but {len(hidden)} hidden flags were given.")
    whole = [_whole_numbers(table[column]) for column in table.columns] if table.columns.is_unique else []
    rows = []
    for position, row in enumerate(table.itertuples(index=False)):
        cells = [safe_cell(value) for value in row]
        if whole:
            cells = [
                int(cell) if is_whole and isinstance(cell, float) else cell
                for cell, is_whole in zip(cells, whole, strict=True)
            ]
        if hidden is not None and hidden[position]:
            cells = [None if isinstance(cell, numbers.Number) else cell for cell in cells]
        rows.append([MISSING if _empty(cell) else cell for cell in cells])
    return pd.DataFrame(rows, columns=[safe_cell(str(column)) for column in table.columns], dtype=object)


def table_csv(table: pd.DataFrame, hidden: Sequence[bool] | None = None) -> bytes:
    """The table as CSV in UTF-8 with a byte-order mark (so Excel reads it right), formula-like cells neutralised.

    Rows flagged in `hidden` carry no number whatever the table holds.
    """
    safe = _guarded(table, hidden)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe.columns)
    writer.writerows([["" if cell is None else cell for cell in row] for row in safe.itertuples(index=False)])
    return buffer.getvalue().encode("utf-8-sig")


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def table_xlsx(table: pd.DataFrame, sheet: str = "Table", hidden: Sequence[bool] | None = None) -> bytes:
    """The table as an Excel workbook of one sheet: values only (never a formula), header bold, widths to fit.

    Formula-like text is stored as text with a leading apostrophe; rows flagged in `hidden` carry no number.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    safe = _guarded(table, hidden)
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = _SHEET_FORBIDDEN.sub(" ", sheet).strip()[:31] or "Table"
    worksheet.append(list(safe.columns))
    for row in safe.itertuples(index=False):
        worksheet.append(list(row))
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for row in worksheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, whatever it looks like
    for position, column in enumerate(safe.columns, start=1):
        lengths = [len(str(column))] + [len(str(value)) for value in safe.iloc[:, position - 1] if value is not None]
        width = min(max(lengths) + 2, 60)
        worksheet.column_dimensions[get_column_letter(position)].width = max(width, 8)
        if max(lengths) > 60:
            for (cell,) in worksheet.iter_rows(min_row=2, min_col=position, max_col=position):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def blank_suppressed(frame: pd.DataFrame) -> pd.DataFrame:
    """readiness_by_team rows with every figure of a suppressed row blanked again, whatever they held.

    readiness_by_team blanks them already; an export checks once more, so a figure that slipped
    through upstream still never reaches a file.
    """
    hidden = frame["suppressed"].astype(bool)
    result = frame.copy()
    figures = [column for column in (*readiness.FIGURE_COLUMNS, "n", "direct_n") if column in result.columns]
    result[figures] = result[figures].astype(float)
    result.loc[hidden, figures] = np.nan
    result["barrier_point"] = result["barrier_point"].astype(object).where(~hidden, None)
    return result


def team_table(frame: pd.DataFrame, wave_id: int, min_n: int) -> tuple[pd.DataFrame, tuple[bool, ...]]:
    """readiness.team_table of the frame's teams in one wave, from rows re-checked for suppression.

    Returns the table and, per row, whether the team is hidden (for table_csv / table_xlsx).
    """
    safe = blank_suppressed(frame)
    hidden = tuple(bool(flag) for flag in readiness.wave_teams(safe, wave_id)["suppressed"])
    return readiness.team_table(safe, wave_id, min_n), hidden


# The report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A headline number with its label and what qualifies it (n, CI, test)."""

    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Section:
    """One part of a report: headline figures, a chart (Vega-Lite spec) or a table, with a note."""

    title: str
    note: str = ""
    figures: tuple[Figure, ...] = ()
    chart: dict[str, Any] | None = None
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
        heatmap = charts.readiness_heatmap(wave_rows, min_n, title=heatmap_title, threshold=threshold)
        sections.append(Section(heatmap_title, chart=chart_spec(heatmap), native=_heatmap_data(wave_rows)))
        shares = readiness.barrier_shares(data.barrier_counts, teams, wave_rows, group)
        if not shares.empty:
            sections.append(
                Section(
                    f"Barrier points, {wave_name}",
                    note=f"Share of each team's respondents stuck at each element: the first element they score at "
                    f"or below {threshold:g} on the 1–5 scale.{hidden_note}",
                    chart=chart_spec(
                        charts.barrier_chart(shares, title=f"Where respondents are stuck, {wave_name}{suffix}")
                    ),
                    native=_shares_data(shares),
                )
            )
        wave_order = waves["name"].iloc[: position[0] + 1].tolist()
        lines = readiness.trend_lines(in_view[in_view["wave"].isin(wave_order)], team_id)
        if not lines.empty:
            colours = charts.team_colours(teams)  # each team in the colour the app gives it
            trend = chart_spec(charts.readiness_trend(lines, wave_order, "Readiness index over waves", colours=colours))
            # On paper there is no hovering: each point's n is in the table that follows.
            trend["title"]["subtitle"] = "Shaded: 95% confidence band. Each point's n is in the table that follows."
            sections.append(
                Section(
                    "Readiness index over waves",
                    note="Hidden points are left out.",
                    chart=trend,
                    native=_trend_data(lines, wave_order),
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
    rate = rate_text(row["response_rate"], row["headcount"])
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


def _trend_data(lines: pd.DataFrame, wave_order: list[str]) -> ChartData:
    """The trend's index per team (series) and wave (categories); a hidden or missing point is None."""
    series = []
    for team, part in lines.groupby("team_name", sort=False):
        values = dict(zip(part["wave"], part["value"], strict=True))
        series.append(
            (str(team), tuple(None if pd.isna(values.get(w)) else round(float(values[w]), 1) for w in wave_order))
        )
    return ChartData("line", tuple(wave_order), tuple(series), value_title="Readiness index (0–100)")


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
        chart=chart_spec(charts.change_grid(table, title=f"{title}{suffix}")),
        native=native if len(called) else None,
    )


def _section_table_rows(section: Section) -> tuple[list[str], list[list[str]]]:
    """A section's table as text: header and rows, hidden rows without numbers."""
    safe = _guarded(section.table, section.hidden or None)
    header = [str(column) for column in section.table.columns]
    return header, [[_text(cell) for cell in row] for row in safe.itertuples(index=False)]


def _text(value: Any) -> str:
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


# HTML ----------------------------------------------------------------------------------------

_HTML_STYLE = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; color: #222;
       max-width: 1100px; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 0.4rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
.context { color: #555; font-size: 0.85rem; }
.note { color: #333; font-size: 0.95rem; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; }
.figure { flex: 1 1 9rem; border: 1px solid #ddd; border-radius: 6px; padding: 0.6rem 0.8rem; }
.figure .label { font-size: 0.85rem; color: #555; }
.figure .value { font-size: 2rem; font-weight: bold; }
.figure .note { font-size: 0.8rem; color: #555; }
figure { margin: 0.5rem 0; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #e2e2e2; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.number { text-align: right; white-space: nowrap; }
tr.hidden td { color: #777; }
ol.findings { padding-left: 1.4rem; }
ol.findings li { margin: 0 0 0.7rem; }
ol.findings strong { font-size: 1.1rem; }
footer { margin-top: 3rem; border-top: 1px solid #ddd; padding-top: 0.5rem; }
@media print { section { break-inside: avoid; } body { margin: 0; max-width: none; } }
"""


def _svg_body(svg: str) -> str:
    """An SVG document as an element to write inline into HTML (no XML declaration)."""
    return re.sub(r"^\s*<\?xml[^>]*>\s*", "", svg)


def report_html(report: Report) -> str:
    """The report as one self-contained HTML file: inline SVG charts and CSS, no script, nothing fetched."""
    escape = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(report.title)}</title>",
        f"<style>{_HTML_STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="context">{escape(report.context)}</p>',
        "</header>",
    ]
    for section in report.sections:
        parts.append("<section>")
        parts.append(f"<h2>{escape(section.title)}</h2>")
        if section.findings:
            parts.append('<ol class="findings">')
            for finding in section.findings:
                parts.append(
                    f'<li class="{escape(finding.kind)}"><strong>{escape(finding.title)}</strong>'
                    f"<br>{escape(finding.sentence)}</li>"
                )
            parts.append("</ol>")
        if section.figures:
            parts.append('<div class="figures">')
            for figure in section.figures:
                parts.append(
                    '<div class="figure">'
                    f'<div class="label">{escape(figure.label)}</div>'
                    f'<div class="value">{escape(figure.value)}</div>'
                    f'<div class="note">{escape(figure.note)}</div>'
                    "</div>"
                )
            parts.append("</div>")
        if section.chart is not None:
            parts.append(f'<figure role="img" aria-label="{escape(section.title)}">')
            parts.append(_svg_body(chart_svg(subtitle_only(section.chart))))
            parts.append("</figure>")
        if section.table is not None:
            header, rows = _section_table_rows(section)
            numeric = [pd.api.types.is_numeric_dtype(section.table[column]) for column in section.table.columns]
            parts.append("<table>")
            parts.append("<thead><tr>" + "".join(f"<th>{escape(cell)}</th>" for cell in header) + "</tr></thead>")
            parts.append("<tbody>")
            flags = section.hidden or (False,) * len(rows)
            for row, hidden in zip(rows, flags, strict=True):
                cells = "".join(
                    f'<td class="number">{escape(cell)}</td>' if is_number else f"<td>{escape(cell)}</td>"
                    for cell, is_number in zip(row, numeric, strict=True)
                )
                parts.append(f'<tr class="hidden">{cells}</tr>' if hidden else f"<tr>{cells}</tr>")
            parts.append("</tbody></table>")
        if section.note:
            parts.append(f'<p class="note">{escape(section.note)}</p>')
        parts.append(f'<p class="context">{escape(report.context)}</p>')
        parts.append("</section>")
    parts += [
        f'<footer><p class="context">{escape(report.context)} · made with cxchange</p></footer>',
        "</body>",
        "</html>",
    ]
    return "\n".join(parts)


# PDF -----------------------------------------------------------------------------------------

PDF_FONT_FILES: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    ("/Library/Fonts/Arial Unicode.ttf", "/Library/Fonts/Arial Unicode.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
)
"""Unicode fonts a PDF embeds, first found wins; without one, the PDF's built-in Helvetica and plain Latin-1."""
_LATIN1 = str.maketrans({"–": "-", "—": "-", "→": "->", "≤": "<=", "≥": ">=", "×": "x", "\u2800": " ", "−": "-"})


def _pdf_font() -> tuple[str, str] | None:
    for regular, bold in PDF_FONT_FILES:
        if Path(regular).is_file() and Path(bold).is_file():
            return regular, bold
    return None


def report_pdf(report: Report) -> bytes:
    """The report as a PDF (A4): charts as images fitted to the page, tables as text, context on every page."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    font_files = _pdf_font()

    def clean(text: str) -> str:
        if font_files:
            return text
        return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    def draw_table(
        header: list[str],
        rows: list[list[str]],
        align: tuple[str, ...],
        line_height: float,
        fills: list[list[Any]] | None = None,
    ) -> None:
        """A table no narrower per column than its longest word (_pdf_column_widths), cells filled where given."""
        pdf.set_text_color(20, 20, 20)
        size, widths = _pdf_column_widths(pdf, family, header, rows, padding=1)
        pdf.set_font(family, "", size)
        with pdf.table(
            col_widths=widths,
            headings_style=FontFace(emphasis="BOLD", fill_color=(240, 240, 240)),
            line_height=line_height,
            padding=1,
            text_align=align,
        ) as table:
            table.row([clean(cell) for cell in header])
            for at, cells in enumerate(rows):
                row = table.row()
                colours = fills[at] if fills else [None] * len(cells)
                for cell, colour in zip(cells, colours, strict=True):
                    row.cell(clean(cell), style=FontFace(fill_color=colour) if colour else None)

    class ReportPDF(FPDF):
        def header(self) -> None:
            self.set_font(family, "B", 9)
            self.set_text_color(90, 90, 90)
            self.cell(0, 5, clean(report.title), new_x="LMARGIN", new_y="NEXT")
            self.ln(2)

        def footer(self) -> None:
            self.set_y(-16)
            self.set_font(family, "", 7.5)
            self.set_text_color(90, 90, 90)
            self.multi_cell(0, 3.6, clean(f"{report.context} · page {self.page_no()} of {{nb}}"), align="L")

    pdf = ReportPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(clean(report.title))
    pdf.set_creator("cxchange")
    if font_files:
        family = "ReportSans"
        pdf.add_font(family, "", font_files[0])
        pdf.add_font(family, "B", font_files[1])
    else:
        family = "Helvetica"
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(15, 12, 15)
    pdf.add_page()
    pdf.set_font(family, "B", 18)
    pdf.set_text_color(20, 20, 20)
    pdf.multi_cell(0, 9, clean(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(0, 5, clean(report.context), new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.h - 20
    for section in report.sections:
        grid = _pdf_grid(section.native)
        # A heatmap and a grid of changes read as tables on paper (and are drawn in no time); the rest as pictures.
        image = chart_png(subtitle_only(section.chart)) if section.chart is not None and grid is None else None
        width_mm = pdf.epw
        height_mm = 0.0
        if image is not None:
            pixels_w, pixels_h = _png_size(image)
            height_mm = width_mm * pixels_h / pixels_w
            room = bottom - 40  # a whole page below the header and the section's title
            if height_mm > room:
                width_mm, height_mm = width_mm * room / height_mm, room
        if pdf.get_y() + 14 + max(height_mm, 25) > bottom:
            pdf.add_page()
        pdf.ln(4)
        pdf.set_font(family, "B", 13)
        pdf.set_text_color(20, 20, 20)
        pdf.multi_cell(0, 7, clean(section.title), new_x="LMARGIN", new_y="NEXT")
        for number, finding in enumerate(section.findings, start=1):
            if pdf.get_y() + 16 > bottom:
                pdf.add_page()
            pdf.set_font(family, "B", 11.5)
            pdf.set_text_color(20, 20, 20)
            pdf.multi_cell(0, 6, clean(f"{number}. {finding.title}"), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(family, "", 9.5)
            pdf.set_text_color(60, 60, 60)
            pdf.set_x(pdf.l_margin + 5)
            pdf.multi_cell(pdf.epw - 5, 4.6, clean(finding.sentence), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        if section.figures:
            for figure in section.figures:
                pdf.set_font(family, "B", 11)
                pdf.set_text_color(20, 20, 20)
                pdf.multi_cell(0, 6, clean(f"{figure.label}: {figure.value}"), new_x="LMARGIN", new_y="NEXT")
                if figure.note:
                    pdf.set_font(family, "", 9)
                    pdf.set_text_color(80, 80, 80)
                    pdf.multi_cell(0, 4.5, clean(figure.note), new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
        if grid is not None:
            header, rows, fills = grid
            draw_table(header, rows, ("LEFT", *("RIGHT",) * (len(header) - 1)), 4.4, fills)
        if image is not None:
            pdf.image(io.BytesIO(image), x=pdf.l_margin + (pdf.epw - width_mm) / 2, w=width_mm, h=height_mm)
        if section.table is not None:
            header, rows = _section_table_rows(section)
            numeric = [pd.api.types.is_numeric_dtype(section.table[column]) for column in section.table.columns]
            draw_table(header, rows, tuple("RIGHT" if is_number else "LEFT" for is_number in numeric), 4)
        if section.note:
            pdf.ln(1)
            pdf.set_font(family, "", 9)
            pdf.set_text_color(60, 60, 60)
            pdf.multi_cell(0, 4.5, clean(section.note), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _pdf_grid(data: ChartData | None) -> tuple[list[str], list[list[str]], list[list[Any]]] | None:
    """A heatmap or a set of significant changes as a PDF table: header, rows and per-cell fill colours."""
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
        fills.append([None, *(_heat_colour(v) for v in values)])
    return header, rows, fills


PDF_TABLE_SIZES: tuple[float, ...] = (8, 7.5, 7, 6.5, 6)
"""Font sizes (pt) a PDF table tries, largest first, until its longest words fit their columns."""


def _pdf_column_widths(
    pdf: Any, family: str, header: list[str], rows: list[list[str]], padding: float
) -> tuple[float, tuple[float, ...]]:
    """A table's font size and column widths (mm, summing to the page's width) at which no column is narrower
    than its longest word, header words in bold included: a table never breaks a word ("Response / s (n)").

    The space left over makes the shorter texts whole first, then goes to the long ones.
    """
    columns = range(len(header))
    for size in PDF_TABLE_SIZES:
        pdf.set_font(family, "B", size)
        head = [max(pdf.get_string_width(word) for word in (header[i].split() or [""])) for i in columns]
        pdf.set_font(family, "", size)
        words = [max([0.0, *(pdf.get_string_width(word) for row in rows for word in row[i].split())]) for i in columns]
        whole = [max([0.0, *(pdf.get_string_width(row[i]) for row in rows)]) for i in columns]
        slack = 2 * padding + 1.2
        least = [max(head[i], words[i]) + slack for i in columns]
        if sum(least) <= pdf.epw or size == PDF_TABLE_SIZES[-1]:
            break
    # A header may wrap between its words ("Readiness / index"); the cells' text is what asks for room.
    wanted = [min(max(head[i], whole[i]) + slack, 75.0) for i in columns]
    wanted = [max(wanted[i], least[i]) for i in columns]
    room = pdf.epw - sum(least)
    extra = [wanted[i] - least[i] for i in columns]
    if room <= 0 or sum(extra) == 0:
        spread = [least[i] + max(room, 0) / len(header) for i in columns]
    elif sum(extra) <= room:
        spread = [wanted[i] + (room - sum(extra)) / len(header) for i in columns]
    else:
        # Short texts whole first (a team's name on one line), then what is left to the long ones.
        spread = list(least)
        for i in sorted(columns, key=lambda i: extra[i]):
            given = min(extra[i], room / sum(1 for j in columns if extra[j] >= extra[i]))
            spread[i] += given
            room -= given
        spread = [width + room / len(header) for width in spread]
    return size, tuple(spread)


def _column_widths(header: list[str], rows: list[list[str]]) -> tuple[float, ...]:
    """Relative column widths from the longest text of each column, long texts capped so none squeezes the rest."""
    longest = [
        max([*(len(word) for word in header[i].split()), *(len(row[i]) for row in rows)]) for i in range(len(header))
    ]
    return tuple(float(min(max(length, 6), 45) + 5) for length in longest)


# PPTX ----------------------------------------------------------------------------------------

SLIDE_WIDTH_IN, SLIDE_HEIGHT_IN = 13.333, 7.5
TABLE_ROWS_PER_SLIDE = 10
"""Rows of a table per slide at most (fewer where rows wrap, _slide_chunks); longer tables continue on the next."""
HEATMAP_ROWS_PER_SLIDE = 12
MIN_PT = 14
"""The smallest type on any slide, charts included: what a room reads from the back."""
CONTEXT_BOX_NAME = "Context"
"""Name of the text box carrying the context line at the bottom of every slide."""


def _sized(frame: Any, size: float, bold: bool | None = None, color: Any = None) -> None:
    """Every run of a text frame at `size` pt (and bold / colour where given): no run inherits a size."""
    from pptx.util import Pt

    for paragraph in frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(size)
            if bold is not None:
                run.font.bold = bold
            if color is not None:
                run.font.color.rgb = color


def _heat_colour(value: float | None) -> tuple[int, int, int]:
    """A heatmap cell's fill on the 1–5 scale, light to mid blue as the app's heatmap (dark text stays legible);
    grey when hidden."""
    if value is None:
        return (230, 230, 230)
    light, dark = (247, 251, 255), (107, 164, 212)
    share = min(max((value - 1) / 4, 0.0), 1.0)
    return tuple(round(a + (b - a) * share) for a, b in zip(light, dark, strict=True))


def _lines(text: str, width_in: float, size: float = MIN_PT) -> int:
    """How many lines a cell's text takes at `size` pt in a column `width_in` wide (0.58 em per character)."""
    per_line = max(int((width_in - 0.2) * 72 / (size * 0.58)), 1)
    return max(1, math.ceil(len(text) / per_line))


def _slide_chunks(
    header: list[str], rows: list[list[str]], widths_in: list[float], room: float
) -> list[list[list[str]]]:
    """A table's rows cut into slides: as many rows as fit `room` inches below the header (at most
    TABLE_ROWS_PER_SLIDE), each row as tall as its longest cell wraps to at MIN_PT."""
    line = MIN_PT * 1.2 / 72 + 0.02

    def height(cells: list[str]) -> float:
        return max(_lines(cell, width) for cell, width in zip(cells, widths_in, strict=True)) * line + 0.1

    room -= height(header)
    chunks: list[list[list[str]]] = [[]]
    used = 0.0
    for row in rows:
        tall = height(row)
        if chunks[-1] and (used + tall > room or len(chunks[-1]) >= TABLE_ROWS_PER_SLIDE):
            chunks.append([])
            used = 0.0
        chunks[-1].append(row)
        used += tall
    return chunks


def report_pptx(report: Report) -> bytes:
    """The report as a 16:9 deck worth presenting: a title slide, the executive summary, one slide per finding,
    the report's charts as native (editable) PowerPoint charts, and its tables in an appendix; every text at
    MIN_PT or more, the context line on every slide."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    margin = Inches(0.5)
    content_width = deck.slide_width - 2 * margin
    grey, ink = RGBColor(0x55, 0x55, 0x55), RGBColor(0x22, 0x22, 0x22)
    context_top = deck.slide_height - Inches(0.72)
    bottom = context_top - Inches(0.1)

    def text_box(slide: Any, left: int, top: int, width: int, height: int, text: str, size: float, **style: Any):
        box = slide.shapes.add_textbox(left, top, width, height)
        frame = box.text_frame
        frame.word_wrap = True
        frame.text = text
        _sized(frame, size, style.get("bold", False), style.get("color", ink))
        return box

    def add_context(slide: Any) -> None:
        box = text_box(slide, margin, context_top, content_width, Inches(0.65), report.context, MIN_PT, color=grey)
        box.name = CONTEXT_BOX_NAME

    def slide_with_title(title: str, note: str = "", note_size: float = 16) -> tuple[Any, int]:
        """A slide titled `title` (a note under it), the context at its foot; returns it and where content starts."""
        slide = deck.slides.add_slide(deck.slide_layouts[5])  # "Title Only"
        heading = slide.shapes.title
        long_title = len(title) > 44  # what one line holds at 28 pt bold
        heading.left, heading.top, heading.width = margin, Inches(0.25), content_width
        heading.height = Inches(1.1 if long_title else 0.8)
        heading.text = title
        heading.text_frame.word_wrap = True
        _sized(heading.text_frame, 24 if long_title else 28, bold=True, color=ink)
        top = heading.top + heading.height + Inches(0.1)
        if note:
            # About 0.58 em per character of DejaVu/Liberation Sans (wider than most), 1.2 em per line.
            per_line = int(content_width / Inches(1) * 72 / (note_size * 0.58))
            lines = sum(max(1, math.ceil(len(part) / per_line)) for part in note.splitlines() or [note])
            height = Inches(lines * note_size * 1.2 / 72 + 0.15)
            text_box(slide, margin, top, content_width, height, note, note_size, color=grey)
            top += height + Inches(0.05)
        add_context(slide)
        return slide, top

    def add_chart(slide: Any, data: ChartData, top: int) -> None:
        kinds = {
            "bar": XL_CHART_TYPE.COLUMN_CLUSTERED,
            "barh": XL_CHART_TYPE.BAR_CLUSTERED,
            "stacked": XL_CHART_TYPE.BAR_STACKED_100,
            "line": XL_CHART_TYPE.LINE_MARKERS,
        }
        chart_data = CategoryChartData(number_format=data.number_format)
        chart_data.categories = list(data.categories)
        for name, values in data.series:
            chart_data.add_series(name, list(values))
        frame = slide.shapes.add_chart(kinds[data.kind], margin, top, content_width, bottom - top, chart_data)
        chart = frame.chart
        chart.font.size = Pt(MIN_PT)
        chart.has_legend = len(data.series) > 1
        if chart.has_legend:
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False
            chart.legend.font.size = Pt(MIN_PT)
        axis = chart.value_axis
        axis.tick_labels.font.size = Pt(MIN_PT)
        axis.has_major_gridlines = True
        if data.value_range is not None:
            axis.minimum_scale, axis.maximum_scale = data.value_range
        if data.value_title:
            axis.has_title = True
            axis.axis_title.text_frame.text = data.value_title
            _sized(axis.axis_title.text_frame, MIN_PT, color=grey)
        categories = chart.category_axis
        categories.tick_labels.font.size = Pt(MIN_PT)
        if data.kind in ("barh", "stacked"):
            categories.reverse_order = True  # first category at the top, as read
        plot = chart.plots[0]
        if data.kind != "line":
            plot.gap_width = 60
        if len(data.series) == 1 and data.kind in ("bar", "barh"):
            plot.has_data_labels = True
            plot.data_labels.font.size = Pt(MIN_PT)
            plot.data_labels.number_format = data.number_format
            plot.data_labels.number_format_is_linked = False
        if data.kind == "stacked":
            for series, colour in zip(plot.series, charts.BARRIER_COLOURS, strict=False):
                series.format.fill.solid()
                series.format.fill.fore_color.rgb = RGBColor.from_string(colour.lstrip("#").upper())

    def add_table(slide: Any, header: list[str], rows: list[list[str]], top: int, fills: Any = None) -> None:
        widths = _column_widths(header, [*rows])
        shape = slide.shapes.add_table(len(rows) + 1, len(header), margin, top, content_width, Inches(0.4))
        table = shape.table
        for index, relative in enumerate(widths):
            table.columns[index].width = int(content_width * relative / sum(widths))
        for row_index, cells in enumerate([header, *rows]):
            for column_index, value in enumerate(cells):
                cell = table.cell(row_index, column_index)
                cell.text = value
                _sized(cell.text_frame, MIN_PT, bold=row_index == 0)
                fill = fills(row_index - 1, column_index) if fills is not None and row_index else None
                if fill is not None:
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = RGBColor(*fill)
                    for paragraph in cell.text_frame.paragraphs:
                        for run in paragraph.runs:
                            run.font.color.rgb = ink

    title_slide = deck.slides.add_slide(deck.slide_layouts[0])
    heading = title_slide.shapes.title
    heading.left, heading.top, heading.width, heading.height = margin, Inches(2.0), content_width, Inches(1.8)
    heading.text = report.title
    _sized(heading.text_frame, 40, bold=True, color=ink)
    subtitle = title_slide.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = margin, Inches(4.0), content_width, Inches(1.0)
    subtitle.text = "Executive summary, then readiness by team: ADKAR elements, barrier points, trend and change."
    _sized(subtitle.text_frame, 20, color=grey)
    add_context(title_slide)

    appendix: list[Section] = []
    for section in report.sections:
        if section.findings:
            slide, top = slide_with_title(section.title)
            box = slide.shapes.add_textbox(margin, top, content_width, bottom - top)
            frame = box.text_frame
            frame.word_wrap = True
            for number, finding in enumerate(section.findings):
                paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
                paragraph.text = finding.title
                paragraph.space_after = Pt(8)
            _sized(frame, 20 if len(section.findings) <= 6 else 18, color=ink)
            for finding in section.findings:
                slide, top = slide_with_title(finding.title, finding.sentence, note_size=18)
                if finding.chart is not None:
                    add_chart(slide, finding.chart, top)
                elif len(finding.rows) > 1:
                    header, *rows = finding.rows
                    add_table(slide, list(header), [list(row) for row in rows[:TABLE_ROWS_PER_SLIDE]], top)
        elif section.figures:
            slide, top = slide_with_title(section.title, section.note)
            count = len(section.figures)
            gap = Inches(0.2)
            width = int((content_width - gap * (count - 1)) / count)
            for position, figure in enumerate(section.figures):
                left = margin + position * (width + gap)
                text_box(slide, left, top + Inches(0.2), width, Inches(0.6), figure.label, 16, color=grey)
                text_box(slide, left, top + Inches(0.85), width, Inches(1.0), figure.value, 36, bold=True)
                text_box(slide, left, top + Inches(1.9), width, Inches(2.6), figure.note, MIN_PT, color=grey)
        elif section.native is not None and section.native.kind == "heatmap":
            data = section.native
            header = ["Team", *(name for name, _ in data.series)]
            pages = max(math.ceil(len(data.categories) / HEATMAP_ROWS_PER_SLIDE), 1)
            for page in range(pages):
                first = page * HEATMAP_ROWS_PER_SLIDE
                chunk = range(first, min(first + HEATMAP_ROWS_PER_SLIDE, len(data.categories)))
                title = section.title + (f" ({page + 1} of {pages})" if pages > 1 else "")
                slide, top = slide_with_title(
                    title, "Mean on the 1–5 scale per team and element; a grey row is a hidden team: no figure."
                )
                rows = [
                    [data.categories[i].strip() + ("" if data.series[0][1][i] is not None else " (hidden)")]
                    + [MISSING if values[i] is None else f"{values[i]:.2f}" for _, values in data.series]
                    for i in chunk
                ]
                starts = list(chunk)
                add_table(
                    slide,
                    header,
                    rows,
                    top,
                    fills=lambda row, column, starts=starts, data=data: (
                        None if column == 0 else _heat_colour(data.series[column - 1][1][starts[row]])
                    ),
                )
        elif section.native is not None:
            slide, top = slide_with_title(section.title, section.note)
            add_chart(slide, section.native, top)
        elif section.chart is not None:
            slide, top = slide_with_title(section.title, section.note)
            text_box(slide, margin, top, content_width, Inches(1), "No figure to draw: see the tables.", MIN_PT)
        elif section.table is not None:
            appendix.append(section)
        else:
            slide_with_title(section.title, section.note)
    for section in appendix:
        header, rows = _section_table_rows(section)
        widths = _column_widths(header, rows)
        inches = [(SLIDE_WIDTH_IN - 1.0) * width / sum(widths) for width in widths]
        chunks = _slide_chunks(header, rows, inches, room=4.6)
        pages = len(chunks)
        for page, chunk in enumerate(chunks):
            title = f"Appendix: {section.title}" + (f" ({page + 1} of {pages})" if pages > 1 else "")
            slide, top = slide_with_title(title, section.note if page == 0 else "")
            add_table(slide, header, chunk, top)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


RENDERERS: dict[str, Callable[[Report], str | bytes]] = {
    "html": report_html,
    "pdf": report_pdf,
    "pptx": report_pptx,
}


def report_file(report: Report, kind: str, part: int | None = None) -> bytes:
    """The report as a file (`part` None: html, pdf or pptx) or one of its sections (png, svg, csv or xlsx)."""
    if part is None:
        return report_bytes(report, kind)
    section = report.sections[part]
    if kind == "png":
        return chart_png(section.chart)
    if kind == "svg":
        return chart_svg(section.chart).encode("utf-8")
    if kind == "csv":
        return table_csv(section.table, section.hidden or None)
    return table_xlsx(section.table, section.title, section.hidden or None)


def pack_teams(teams: pd.DataFrame, team_id: int = hierarchy.ORGANISATION) -> list[int]:
    """The teams a per-team pack has a report for: those directly below `team_id` (the organisation: the
    top-level teams), in hierarchy order; a team with none below it is its own pack."""
    tree = hierarchy.team_tree(teams)
    below = tree[tree["parent_id"].fillna(hierarchy.ORGANISATION).astype(int) == team_id]
    below = below[below["team_id"] != hierarchy.ORGANISATION]
    return [int(team) for team in below.sort_values("order")["team_id"]] or [team_id]


def report_pack(reports: Sequence[Report], kind: str) -> bytes:
    """A per-team pack: one report file per team (each scoped to its team), in one ZIP archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for report in reports:
            archive.writestr(f"{report.file_stem}.{kind}", report_bytes(report, kind))
    return buffer.getvalue()


def report_bytes(report: Report, kind: str) -> bytes:
    """The report as a file of the format `kind` (html, pdf or pptx)."""
    if kind not in RENDERERS:
        raise ValueError(f"Unknown report format {kind!r}; formats are: {', '.join(RENDERERS)}.")
    rendered = RENDERERS[kind](report)
    return rendered.encode("utf-8") if isinstance(rendered, str) else rendered
