"""Charts as data: each chart function's Vega-Lite spec (`to_dict()`) encodes what the honesty rules ask.

Every mark that shows a mean also shows its n; a hidden team has no number anywhere in a chart's
data, only why it is hidden; distributions and trends leave hidden teams out. Inputs come from the
demo organisation, built the way the pages build them.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from cxchange import analysis, charts, readiness, scoring, services, store
from cxchange.model import ELEMENT_LABELS, ELEMENTS

MIN_N = 5
ADKAR_LABELS = [ELEMENT_LABELS[element] for element in ELEMENTS]


@dataclass(frozen=True)
class Demo:
    """The demo's readiness frames (everyone, champions) and the latest wave's inputs, computed once."""

    frame: pd.DataFrame
    champions: pd.DataFrame
    teams: pd.DataFrame
    waves: pd.DataFrame
    answers: pd.DataFrame
    barriers: pd.DataFrame
    scores: pd.DataFrame

    @property
    def latest(self) -> int:
        return int(self.waves["id"].iloc[-1])

    @property
    def wave_order(self) -> list[str]:
        return self.waves["name"].tolist()

    def wave_rows(self, frame: pd.DataFrame | None = None) -> pd.DataFrame:
        frame = self.frame if frame is None else frame
        return frame[frame["wave_id"] == self.latest]

    def team_id(self, name: str) -> int:
        return int(self.teams.set_index("name").loc[name, "id"])


@pytest.fixture(scope="module")
def demo(demo_file, tmp_path_factory) -> Iterator[Demo]:
    """The demo workspace (a private copy of the session's demo file) and what the charts are drawn from."""
    path = tmp_path_factory.mktemp("charts") / "demo.db"
    shutil.copy(demo_file, path)
    db = store.open_db(path)
    settings = store.settings.settings(db)
    waves = store.org.waves(db, 1)
    latest = int(waves["id"].iloc[-1])
    yield Demo(
        frame=services.readiness_by_team(db, settings, 1),
        champions=services.readiness_by_team(db, settings, 1, "champions"),
        teams=store.org.teams(db),
        waves=waves,
        answers=store.responses.answer_counts(db, latest),
        barriers=store.responses.barrier_counts(db, latest, float(settings["barrier_threshold"])),
        scores=store.responses.response_scores(db, latest),
    )
    db.close()


# Reading a spec -----------------------------------------------------------------------------------


def units(spec: dict, data: dict | None = None) -> Iterator[tuple[dict, dict | None]]:
    """Every single view (a spec with a mark) in a chart dict, with the data it inherits or names."""
    data = spec.get("data", data)
    if "mark" in spec:
        yield spec, data
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            yield from units(child, data)
    if "spec" in spec:
        yield from units(spec["spec"], data)


def records(top: dict, data: dict | None) -> list[dict]:
    """The rows a view draws, from the chart's datasets or inline values."""
    assert data is not None
    return top["datasets"][data["name"]] if "name" in data else data["values"]


def mark(unit: dict) -> str:
    return unit["mark"] if isinstance(unit["mark"], str) else unit["mark"]["type"]


def field(unit: dict, channel: str) -> tuple[str, str]:
    """The field and type a channel encodes."""
    encoding = unit["encoding"][channel]
    return encoding["field"], encoding.get("type", "")


def tooltip_fields(unit: dict) -> list[str]:
    return [item["field"] for item in unit["encoding"].get("tooltip", [])]


def views_of(spec: dict, kind: str) -> list[tuple[dict, dict | None]]:
    return [(unit, data) for unit, data in units(spec) if mark(unit) == kind]


def label_padding(axis: dict, label: str) -> float:
    """How far left of a team axis `label` starts: its conditional labelPadding, as Vega evaluates it."""
    padding = axis["labelPadding"]
    if not isinstance(padding, dict):
        return padding
    for condition in padding.get("condition", []):
        names = json.loads(re.fullmatch(r"indexof\((\[.*\]), datum\.value\) >= 0", condition["test"]).group(1))
        if label in names:
            return condition["value"]
    return padding["value"]


def filters(unit: dict) -> list[str]:
    return [step["filter"] for step in unit.get("transform", []) if "filter" in step]


# Heatmap ------------------------------------------------------------------------------------------


def heatmap_layers(spec: dict) -> dict[str, tuple[dict, dict]]:
    """The heatmap's layers by role: shown cells, hidden cells, barrier outline, cell text, index bars."""
    layers = {}
    for unit, data in units(spec):
        style = unit["mark"] if isinstance(unit["mark"], dict) else {}
        if mark(unit) == "rect" and "(!datum.suppressed)" in filters(unit):
            layers["cells"] = unit, data
        elif mark(unit) == "rect" and "datum.suppressed" in filters(unit):
            layers["hidden"] = unit, data
        elif mark(unit) == "rect" and style.get("fill", "") is None:
            layers["barrier"] = unit, data
        elif mark(unit) == "text" and field(unit, "text")[0] == "text":
            layers["text"] = unit, data
        elif mark(unit) == "bar":
            layers["index"] = unit, data
    return layers


def test_heatmap_encodes_element_by_team_coloured_by_the_mean(demo):
    spec = charts.readiness_heatmap(demo.wave_rows(), MIN_N, title="Readiness").to_dict()
    cells, _ = heatmap_layers(spec)["cells"]

    assert field(cells, "x") == ("element", "nominal")
    assert cells["encoding"]["x"]["sort"] == ADKAR_LABELS
    assert field(cells, "y") == ("team", "nominal")
    assert field(cells, "color") == ("mean", "quantitative")
    assert cells["encoding"]["color"]["scale"]["domain"] == [1, 5]
    assert cells["encoding"]["color"]["scale"]["domainMid"] == 3
    assert {"team", "element", "mean", "n"} <= set(tooltip_fields(cells))
    index, _ = heatmap_layers(spec)["index"]
    assert field(index, "x") == ("readiness", "quantitative")
    assert index["encoding"]["x"]["scale"]["domain"] == [0, 100]
    assert "n" in tooltip_fields(index)


@pytest.mark.parametrize("group", ["all", "champions"])
def test_heatmap_cells_show_mean_and_n_and_hidden_teams_say_why(demo, group):
    wave_rows = demo.wave_rows(demo.frame if group == "all" else demo.champions)
    spec = charts.readiness_heatmap(wave_rows, MIN_N).to_dict()
    layers = heatmap_layers(spec)
    text, data = layers["text"]
    rows = pd.DataFrame(records(spec, data))
    expected = wave_rows.set_index("team")
    hidden = rows[rows["suppressed"]]
    shown = rows[~rows["suppressed"]]

    assert not hidden.empty
    assert not shown.empty
    assert set(rows["team_name"]) == set(expected.index)
    assert len(rows) == len(expected) * len(ELEMENTS)
    # shown: "mean\nn=N", the mean and n of that team
    for row in shown.itertuples():
        team = expected.loc[row.team_name]
        element = ELEMENTS[ADKAR_LABELS.index(row.element)]
        assert row.text == f"{team[element]:.2f}\nn={team['n']}"
        assert row.n == team["n"] >= MIN_N
    # hidden: no figure at all, and the reason instead
    assert hidden[["mean", "n", "readiness"]].isna().all().all()
    assert not hidden["barrier"].any()
    reasons = {
        name: "fewer than 5" if kind == "primary" else "hidden"
        for name, kind in zip(expected.index, expected["suppression"], strict=True)
    }
    for row in hidden.itertuples():
        assert " ".join(row.text.split()) == reasons[row.team_name]
    # the grey cells' tooltip carries the reason, not a number
    hidden_cells, _ = layers["hidden"]
    assert tooltip_fields(hidden_cells) == ["team", "text"]
    assert hidden_cells["mark"]["color"] == charts.SUPPRESSED_FILL


def test_heatmap_tooltip_gives_the_response_rate_beside_n_and_none_for_a_hidden_team(demo):
    spec = charts.readiness_heatmap(demo.wave_rows(), MIN_N).to_dict()
    layers = heatmap_layers(spec)
    cells, data = layers["cells"]
    assert tooltip_fields(cells)[3:5] == ["n", "rate"]
    assert "rate" in tooltip_fields(layers["index"][0])
    rate = pd.DataFrame(records(spec, data)).drop_duplicates("team_name").set_index("team_name")["rate"]
    assert rate["Stores North"] == "55% of 420"  # 231 complete of 420 people
    assert rate["Stores"] == "54% of 1,100"  # its three stores' 231 + 213 + 152 = 596 of 420 + 380 + 300
    assert rate["Customer Insight"] == "–"  # hidden: with its headcount, a rate gives its n back
    champions = charts.heatmap_data(demo.wave_rows(demo.champions), MIN_N)
    assert set(champions["rate"]) == {"–"}  # a respondent group has no headcount of its own


def test_heatmap_outlines_each_shown_teams_barrier_point(demo):
    wave_rows = demo.wave_rows()
    spec = charts.readiness_heatmap(wave_rows, MIN_N).to_dict()
    outline, data = heatmap_layers(spec)["barrier"]
    rows = pd.DataFrame(records(spec, data))

    assert outline["mark"]["stroke"] == "black"
    assert outline["mark"]["strokeWidth"] >= 2
    assert filters(outline) == ["datum.barrier"]
    outlined = set(zip(rows.loc[rows["barrier"], "team_name"], rows.loc[rows["barrier"], "element"], strict=True))
    stuck = wave_rows[~wave_rows["suppressed"] & wave_rows["barrier_point"].notna()]
    expected = {
        (team, ELEMENT_LABELS[point]) for team, point in zip(stuck["team"], stuck["barrier_point"], strict=True)
    }
    assert outlined == expected
    assert len(expected) >= 3  # the demo's last wave has teams stuck at Awareness


def test_heatmap_legend_says_the_outline_is_judged_on_the_mean_as_shown(demo):
    # Issue 12: a barrier at 2.996 and none at 3.004 both read "3.00"; the outline follows the printed
    # mean, and the legend says so with the threshold as the cells print it.
    spec = charts.readiness_heatmap(demo.wave_rows(), MIN_N, title="Readiness").to_dict()
    assert spec["title"]["subtitle"][0] == (
        "Outlined: the team's barrier point, the first element at or below 3.00 as shown "
        "(each mean judged as printed, at 2 decimals)."
    )
    stricter = charts.readiness_heatmap(demo.wave_rows(), MIN_N, title="Readiness", threshold=3.5).to_dict()
    assert "at or below 3.50 as shown" in stricter["title"]["subtitle"][0]

    wave_rows = demo.wave_rows().copy()
    shown = wave_rows[~wave_rows["suppressed"] & (wave_rows["team_id"] != 0)].index[:2]
    wave_rows.loc[shown, ELEMENTS] = 3.6
    wave_rows.loc[shown, "awareness"] = [2.996, 3.004]
    wave_rows["barrier_point"] = scoring.barrier_points(wave_rows[list(ELEMENTS)], 3.0, scoring.PUBLISHED_DECIMALS)
    spec = charts.readiness_heatmap(wave_rows, MIN_N, title="Readiness").to_dict()
    _, data = heatmap_layers(spec)["text"]
    cells = pd.DataFrame(records(spec, data)).set_index(["team_name", "element"])
    for team in wave_rows.loc[shown, "team"]:
        assert cells.loc[(team, "Awareness"), "text"].startswith("3.00\n")
        assert bool(cells.loc[(team, "Awareness"), "barrier"])  # both read 3.00, both are outlined


def test_heatmap_click_selects_a_team_by_name(demo):
    spec = charts.readiness_heatmap(demo.wave_rows(), MIN_N).to_dict()
    cells, data = heatmap_layers(spec)["cells"]
    params = [param for param in spec.get("params", []) if param["name"] == charts.TEAM_SELECTION]

    assert len(params) == 1
    assert params[0]["select"] == {"type": "point", "fields": ["team_name"], "on": "click"}
    assert params[0]["views"] == [cells["name"]]
    assert {row["team_name"] for row in records(spec, data)} == set(demo.wave_rows()["team"])


@pytest.mark.parametrize("sort", list(charts.HEATMAP_SORTS))
def test_heatmap_sorts_rows(demo, sort):
    wave_rows = demo.wave_rows()
    spec = charts.readiness_heatmap(wave_rows, MIN_N, sort=sort).to_dict()
    layers = heatmap_layers(spec)
    cells, data = layers["cells"]
    name_of = {row["team"]: row["team_name"] for row in records(spec, data)}
    order = [name_of[label] for label in cells["encoding"]["y"]["sort"]]
    by_name = wave_rows.set_index("team")

    assert sorted(order) == sorted(wave_rows["team"])
    assert layers["index"][0]["encoding"]["y"]["sort"] == cells["encoding"]["y"]["sort"]  # index bars line up
    if sort == "hierarchy":
        assert order == wave_rows.sort_values("order")["team"].tolist()
        # Sub-teams sit right of their parent, indented by the axis: no label carries blank characters.
        axis = cells["encoding"]["y"]["axis"]
        assert label_padding(axis, "· Stores North") == label_padding(axis, "Stores (all)") - charts.INDENT_PX
        assert label_padding(axis, "Stores (all)") == charts.LABEL_WIDTH
        assert not [label for label in cells["encoding"]["y"]["sort"] if "\u2800" in label or not label.isprintable()]
        return
    hidden = by_name.loc[order, "suppressed"].to_numpy()
    values = by_name.loc[order, sort].to_numpy(float)
    count = int((~hidden).sum())
    assert not hidden[:count].any()
    assert hidden[count:].all()  # hidden teams last
    assert (np.diff(values[:count]) >= 0).all()  # lowest first
    assert values[0] == by_name.loc[~by_name["suppressed"], sort].min()


# Trend --------------------------------------------------------------------------------------------


def test_trend_draws_shown_teams_with_band_and_n(demo):
    rows = readiness.trend_rows(demo.frame)
    spec = charts.readiness_trend(rows, demo.wave_order, title="Trend").to_dict()
    (band, data), (line, _), (points, _) = (views_of(spec, kind)[0] for kind in ("area", "line", "point"))
    drawn = pd.DataFrame(records(spec, data))
    shown = demo.frame[~demo.frame["suppressed"]]

    assert (field(band, "y"), band["encoding"]["y2"]["field"]) == (("ci_low", "quantitative"), "ci_high")
    assert field(line, "y")[0] == field(points, "y")[0] == "readiness"
    assert field(points, "x") == ("wave", "ordinal")
    assert points["encoding"]["x"]["sort"] == demo.wave_order
    assert field(points, "color") == ("team", "nominal")
    assert {"team", "wave", "readiness", "ci_low", "ci_high", "n"} <= set(tooltip_fields(points))
    assert set(zip(drawn["team"], drawn["wave"], strict=True)) == set(zip(shown["team"], shown["wave"], strict=True))
    assert not {"Customer Insight", "Complaints Resolution"} & set(drawn["team"])  # hidden in every wave
    assert (drawn["n"] >= MIN_N).all()
    assert (drawn["ci_low"] <= drawn["readiness"]).all()
    assert (drawn["readiness"] <= drawn["ci_high"]).all()


# Likert bars --------------------------------------------------------------------------------------


def likert_spec(shares: pd.DataFrame, by: str) -> tuple[dict, pd.DataFrame]:
    spec = charts.likert_bars(shares, by=by, title="Answers").to_dict()
    bars, data = views_of(spec, "bar")[0]
    return spec, pd.DataFrame(records(spec, data))


def assert_diverging(segments: pd.DataFrame) -> None:
    """Each bar: disagree left of 0, neutral across it, agree right of it, five segments adding up to 1."""
    for row, bar in segments.groupby("row"):
        bar = bar.set_index("value").sort_index()
        assert bar.index.tolist() == [1, 2, 3, 4, 5], row
        np.testing.assert_allclose(bar["end"] - bar["start"], bar["share"], err_msg=row)
        np.testing.assert_allclose(bar["start"].iloc[1:], bar["end"].iloc[:-1], err_msg=row)  # no gaps
        assert bar["share"].sum() == pytest.approx(1.0), row
        assert bar.loc[5, "end"] - bar.loc[1, "start"] == pytest.approx(1.0), row
        assert (bar.loc[[1, 2], "end"] <= 1e-12).all(), row
        assert (bar.loc[[4, 5], "start"] >= -1e-12).all(), row
        assert bar.loc[3, "start"] <= 1e-12, row
        assert bar.loc[3, "end"] >= -1e-12, row
        assert bar.loc[3, "start"] == pytest.approx(-bar.loc[3, "end"]), row  # neutral centred on 0


def assert_likert_encodings(spec: dict) -> None:
    bars, _ = views_of(spec, "bar")[0]
    assert field(bars, "x") == ("start", "quantitative")
    assert bars["encoding"]["x2"]["field"] == "end"
    assert bars["encoding"]["x"]["scale"]["domain"] == [-1, 1]
    assert field(bars, "color") == ("answer", "nominal")
    assert bars["encoding"]["color"]["scale"]["domain"] == list(charts.SCALE_LABELS)
    assert "n" in tooltip_fields(bars)
    zero, _ = views_of(spec, "rule")[0]
    assert field(zero, "x")[0] == "x"
    labels = [unit for unit, _ in views_of(spec, "text")]
    calculated = [step["calculate"] for unit in labels for step in unit.get("transform", []) if "calculate" in step]
    assert any("n=" in expression and "datum.n" in expression for expression in calculated)


def test_likert_bars_by_team_diverge_for_shown_teams_only(demo):
    wave_rows = demo.wave_rows()
    shares = readiness.likert_shares(demo.answers, demo.teams, wave_rows, "all")
    spec, segments = likert_spec(shares[shares["element"] == "knowledge"], "team")
    shown = wave_rows[~wave_rows["suppressed"]].set_index("team")

    assert_likert_encodings(spec)
    assert_diverging(segments)
    assert set(segments["team_name"]) == set(shown.index)
    assert {name: n for name, n in zip(segments["team_name"], segments["n"], strict=True)} == shown["n"].to_dict()


def test_likert_bars_by_element_for_one_team(demo):
    wave_rows = demo.wave_rows()
    team = wave_rows[wave_rows["team_id"] == demo.team_id("Stores North")]
    spec, segments = likert_spec(readiness.likert_shares(demo.answers, demo.teams, team, "all"), "element")

    assert_likert_encodings(spec)
    assert_diverging(segments)
    assert list(dict.fromkeys(segments.sort_values("order")["row"])) == ADKAR_LABELS
    assert set(segments["n"]) == {int(team["n"].iloc[0])}


# Barrier points -----------------------------------------------------------------------------------


def test_barrier_chart_stacks_shown_teams_to_one_with_n(demo):
    wave_rows = demo.wave_rows()
    shares = readiness.barrier_shares(demo.barriers, demo.teams, wave_rows, "all")
    spec = charts.barrier_chart(shares, title="Stuck").to_dict()
    bars, data = views_of(spec, "bar")[0]
    drawn = pd.DataFrame(records(spec, data))
    shown = wave_rows[~wave_rows["suppressed"]].set_index("team")

    assert field(bars, "x") == ("share", "quantitative")
    assert bars["encoding"]["x"]["stack"] == "normalize"
    assert field(bars, "y") == ("row", "nominal")
    assert field(bars, "color") == ("stuck_at", "nominal")
    assert bars["encoding"]["color"]["scale"]["domain"] == [*ADKAR_LABELS, "No barrier"]
    assert {"share", "count", "n"} <= set(tooltip_fields(bars))
    assert set(drawn["team"]) == set(shown.index)
    totals = drawn.groupby("team").agg(share=("share", "sum"), count=("count", "sum"), n=("n", "first"))
    np.testing.assert_allclose(totals["share"], 1.0)
    assert (totals["count"] == totals["n"]).all()
    assert totals["n"].to_dict() == shown["n"].to_dict()


# Change grid --------------------------------------------------------------------------------------


def test_change_grid_colours_only_significant_changes(demo):
    first, last = (int(wave) for wave in demo.waves["id"].iloc[[0, -1]])
    table = analysis.changes(demo.frame, first, last, sorted(demo.frame["team_id"].unique()))
    spec = charts.change_grid(table, title="Change").to_dict()
    cells, data = views_of(spec, "rect")[0]
    text, _ = views_of(spec, "text")[0]
    drawn = pd.DataFrame(records(spec, data))
    scale = cells["encoding"]["color"]["scale"]
    colour = dict(zip(scale["domain"], scale["range"], strict=True))

    assert field(cells, "color") == ("call", "nominal")
    assert field(cells, "x") == ("element_label", "nominal")
    assert cells["encoding"]["x"]["sort"] == ADKAR_LABELS
    assert {"before", "after", "delta", "p_adjusted", "ci_low", "ci_high", "detectable", "call"} <= set(
        tooltip_fields(cells)
    )
    assert set(colour) == set(analysis.CHANGE_CALLS)
    # only up and down are coloured; the rest stay (near) white
    assert colour["up"] != colour["down"]
    for call in ("no clear change", "no test possible"):
        red, green, blue = (int(colour[call][i : i + 2], 16) for i in (1, 3, 5))
        assert min(red, green, blue) >= 0xE8, call
    condition = text["encoding"]["color"]["condition"]
    assert condition[0]["test"] == {"field": "call", "oneOf": ["up", "down"]}
    # the calls follow the adjusted p-values; n before and after label each row
    significant = drawn["p_adjusted"] < 0.05
    assert set(drawn.loc[significant, "call"]) <= {"up", "down"}
    assert set(drawn.loc[~significant, "call"]) <= {"no clear change", "no test possible"}
    assert {"up", "down", "no clear change"} <= set(drawn["call"])
    assert drawn["row"].str.contains(r"\(n [\d,]+ → [\d,]+\)").all()
    # Issue 12: the cell's interval is the change's own 95% CI, never "(±0.27)", which read like one.
    tested = drawn[drawn["call"] != "no test possible"].iloc[0]
    assert tested["text"].endswith(f"({tested['ci_low']:+.2f} to {tested['ci_high']:+.2f})")
    assert not drawn["text"].str.contains("±").any()
    assert drawn["detectable"].str.fullmatch(r"could detect a change of about \d\.\d\d").all()
    assert not {"Customer Insight", "Complaints Resolution"} & set(drawn["team"])


# Priority matrix ----------------------------------------------------------------------------------


def test_priority_matrix_puts_fix_first_top_left(demo):
    drivers = analysis.key_drivers(demo.scores)
    spec = charts.priority_matrix(drivers, title="Key drivers").to_dict()
    (points, data) = views_of(spec, "circle")[0]
    x_domain = points["encoding"]["x"]["scale"]["domain"]
    y_domain = points["encoding"]["y"]["scale"]["domain"]
    corners = {}
    for unit, corner_data in views_of(spec, "text"):
        for row in records(spec, corner_data):
            if "text" in row:
                corners[row["text"]] = (row["x"], row["y"], unit["mark"]["align"], unit["mark"]["baseline"])

    assert field(points, "x") == ("score", "quantitative")
    assert field(points, "y") == ("share", "quantitative")
    assert {"label", "share", "score", "n"} <= set(tooltip_fields(points))
    assert sum(row["share"] for row in records(spec, data)) == pytest.approx(1.0)
    assert corners["Fix first"] == (x_domain[0], y_domain[1], "left", "top")
    assert corners["Keep it up"] == (x_domain[1], y_domain[1], "right", "top")
    assert corners["Watch"][:2] == (x_domain[0], 0)
    assert corners["Lower priority"][:2] == (x_domain[1], 0)


# Element profiles ---------------------------------------------------------------------------------


def test_element_profiles_leave_out_waves_where_the_team_is_hidden(demo):
    # The champions of Stores are hidden in one wave (2026 Q3) of the demo: that wave has no point.
    stores = demo.team_id("Stores")
    rows = readiness.element_trend_rows(demo.champions, stores)
    spec = charts.element_profiles(rows, demo.wave_order, title="Stores").to_dict()
    drawn = pd.DataFrame(records(spec, spec["data"]))
    team = demo.champions[demo.champions["team_id"] == stores]
    hidden_waves = set(team.loc[team["suppressed"], "wave"])
    (band, _), (line, _), (points, _) = (views_of(spec, kind)[0] for kind in ("area", "line", "point"))
    threshold, _ = views_of(spec, "rule")[0]

    assert spec["facet"]["column"]["field"] == "element_label"
    assert spec["facet"]["column"]["sort"] == ADKAR_LABELS
    assert (field(band, "y")[0], band["encoding"]["y2"]["field"]) == ("ci_low", "ci_high")
    assert field(line, "y")[0] == field(points, "y")[0] == "value"
    assert {"element_label", "wave", "value", "n"} <= set(tooltip_fields(points))
    assert threshold["encoding"]["y"] == {"datum": 3}
    assert hidden_waves
    assert not hidden_waves & set(drawn["wave"])
    assert set(drawn["wave"]) == set(team.loc[~team["suppressed"], "wave"])
    assert len(drawn) == len(ELEMENTS) * (len(team) - len(hidden_waves))
    assert (drawn["n"] >= MIN_N).all()


def test_every_chart_of_teams_opens_the_clicked_team(demo):
    # Team detail is reached from any chart of teams: each carries the same click selection on team_name.
    rows = demo.wave_rows()
    shares = readiness.likert_shares(demo.answers, demo.teams, rows, "all")
    made = {
        "likert": charts.likert_bars(shares[shares["element"] == "desire"], by="team"),
        "barriers": charts.barrier_chart(readiness.barrier_shares(demo.barriers, demo.teams, rows, "all")),
        "changes": charts.change_grid(analysis.changes(demo.frame, demo.latest - 1, demo.latest, [0, 2, 6])),
        "trend": charts.readiness_trend(readiness.trend_lines(demo.frame, 0), demo.wave_order),
    }
    for name, chart in made.items():
        spec = chart.to_dict()
        params = [param for param in spec.get("params", []) if param["name"] == charts.TEAM_SELECTION]
        assert len(params) == 1, name
        assert params[0]["select"]["fields"] == ["team_name"], name
        names = {row.get("team_name") for rows in spec["datasets"].values() for row in rows} - {None}
        assert names <= {*demo.teams["name"], "All teams"}, name
        assert names, name
    # By element, one team's bars: nothing to open.
    one_team = charts.likert_bars(shares[shares["team_id"] == demo.team_id("Stores North")], by="element").to_dict()
    assert not [param for param in one_team.get("params", []) if param["name"] == charts.TEAM_SELECTION]
