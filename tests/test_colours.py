"""One colour per team everywhere, told apart by colour-blind readers, and text dark enough to read.

The colours are checked where a user meets them: in the Vega-Lite spec each page sends to the browser
(Overview and Readiness → Trends, with and without a filter), and in the chart a report draws. The
palette is checked through Machado, Oliveira and Fernandes' (2009) simulation of the three dichromacies.
"""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Page, expect
from streamlit.testing.v1 import AppTest
from test_browser import ARTIFACTS, drawn, settled

from cxchange import analysis, charts, exports, readiness, services, store
from cxchange.hierarchy import ORGANISATION

ROOT = Path(__file__).resolve().parent.parent

# Colour science -----------------------------------------------------------------------------------

MACHADO_2009 = {
    # Severity 1.0, applied to linear RGB (Machado, Oliveira & Fernandes 2009, table 1).
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}
APART = 15.0
"""Smallest CIELAB distance (ΔE*ab) between two team colours as a dichromat sees them: above 10 two lines
are told apart at a glance; Okabe–Ito's closest pair, orange and yellow under deuteranopia, is 17."""
TABLEAU10 = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b")
"""The scheme the trend charts used before, as far as six top-level teams reached."""


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255


def linear(colour: str) -> np.ndarray:
    c = rgb(colour)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(linear_rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of a linear sRGB colour."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(
        linear_rgb, 0, 1
    )
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen_by(colour: str, deficiency: str | None) -> np.ndarray:
    matrix = np.eye(3) if deficiency is None else np.array(MACHADO_2009[deficiency])
    return lab(matrix @ linear(colour))


def closest_pair(palette: tuple[str, ...], deficiency: str | None) -> tuple[float, str, str]:
    return min(
        (float(np.linalg.norm(seen_by(a, deficiency) - seen_by(b, deficiency))), a, b)
        for a, b in itertools.combinations(palette, 2)
    )


def contrast(foreground: str, background: str = "#ffffff") -> float:
    """WCAG 2 contrast ratio of two colours."""

    def luminance(colour: str) -> float:
        return float(np.array([0.2126, 0.7152, 0.0722]) @ linear(colour))

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("deficiency", [None, *MACHADO_2009])
def test_every_two_team_colours_stay_apart_for_colour_blind_readers(deficiency):
    distance, a, b = closest_pair(charts.TEAM_PALETTE, deficiency)
    assert distance >= APART, f"{a} and {b} are {distance:.1f} apart under {deficiency or 'normal vision'}"


def test_the_old_scheme_made_two_top_level_teams_one_colour_under_deuteranopia():
    # What the issue saw: HR & People (red) and Stores (green) drew the same olive line.
    distance, a, b = closest_pair(TABLEAU10, "deuteranopia")
    assert distance < 3
    assert {a, b} == {"#e45756", "#54a24b"}


# The mapping --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_teams(demo_file: Path) -> pd.DataFrame:
    database = store.open_db(demo_file)
    try:
        return store.org.teams(database)
    finally:
        database.close()


def test_each_team_differs_from_its_siblings_and_its_parent_and_the_organisation_is_black(demo_teams):
    colours = charts.team_colours(demo_teams)
    assert set(colours) == {ORGANISATION, *demo_teams["id"].astype(int)}
    assert colours[ORGANISATION] == "#000000"
    parents = demo_teams["parent_id"].fillna(ORGANISATION).astype(int)
    for parent, siblings in demo_teams.groupby(parents)["id"]:
        shades = [colours[int(team)] for team in siblings]
        assert len(set(shades)) == len(shades), parent  # the demo's families are smaller than the palette
        assert colours[int(parent)] not in shades, parent  # "Stores (all)" never shares its children's colour
        assert set(shades) <= set(charts.TEAM_PALETTE[1:])


def test_a_new_renamed_or_reordered_team_moves_no_one_elses_colour(demo_teams):
    before = charts.team_colours(demo_teams)
    renamed = demo_teams.assign(name=demo_teams["name"].where(demo_teams["name"] != "Stores", "Aardvark Stores"))
    added = pd.concat(
        [demo_teams, pd.DataFrame([{"id": 99, "name": "A brand-new team", "parent_id": None}])], ignore_index=True
    )
    assert charts.team_colours(renamed) == before
    assert charts.team_colours(demo_teams.sample(frac=1, random_state=3)) == before
    after = charts.team_colours(added)
    assert {team: after[team] for team in before} == before
    assert after[99] not in {before[int(team)] for team in demo_teams.loc[demo_teams["parent_id"].isna(), "id"]}


def many_top_level_teams(count: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An organisation of `count` top-level teams and their trend rows over two waves."""
    teams = pd.DataFrame({"id": range(1, count + 1), "name": [f"Team {i}" for i in range(1, count + 1)]})
    teams["parent_id"] = None
    rows = pd.DataFrame(
        [
            {"team_id": i, "team": f"Team {i}", "team_name": f"Team {i}", "wave": wave, "value": 50.0 + i + step}
            | {"ci_low": 45.0 + i, "ci_high": 60.0 + i, "n": 30}
            for i in range(1, count + 1)
            for step, wave in enumerate(("W1", "W2"))
        ]
    )
    return teams, rows


def layers(spec: dict) -> Iterator[dict]:
    yield spec
    for child in spec.get("layer", []):
        yield from layers(child)


def line_colours(spec: dict) -> dict[str, str]:
    """Team label -> its line's colour, from a trend chart's spec."""
    (scale,) = {
        json.dumps(layer["encoding"]["color"]["scale"])
        for layer in layers(spec)
        if layer.get("encoding", {}).get("color", {}).get("field") == "team"
    }
    scale = json.loads(scale)
    return dict(zip(scale["domain"], scale["range"], strict=True))


def mark_type(layer: dict) -> str | None:
    mark = layer.get("mark")
    return mark.get("type") if isinstance(mark, dict) else mark


def end_labels(spec: dict) -> list[str]:
    """The team names written at the lines' ends (the text layer of an inlined trend spec)."""
    return [row["team"] for layer in layers(spec) if mark_type(layer) == "text" for row in layer["data"]["values"]]


def test_beyond_seven_teams_colours_repeat_and_every_line_is_named_at_its_end():
    teams, rows = many_top_level_teams(9)
    colours = charts.team_colours(teams)
    assert len(set(colours.values())) == 8  # black and the seven the top level takes
    spec = exports.chart_spec(charts.readiness_trend(rows, ["W1", "W2"], colours=colours))
    assert sorted(end_labels(spec)) == sorted(f"Team {i}" for i in range(1, 10))
    few = exports.chart_spec(charts.readiness_trend(rows[rows["team_id"] <= 7], ["W1", "W2"], colours=colours))
    assert end_labels(few) == []  # seven colours for seven lines: the legend says which is which


def test_a_highlighted_team_keeps_its_colour_and_the_others_turn_grey(demo_teams, demo_file):
    database = store.open_db(demo_file)
    try:
        frame = services.readiness_by_team(database, store.settings.settings(database), 1)
    finally:
        database.close()
    colours = charts.team_colours(demo_teams)
    supply_chain = int(demo_teams.set_index("name").loc["Supply Chain", "id"])
    rows = readiness.trend_rows(frame[frame["depth"] == 1])
    waves = list(dict.fromkeys(frame.sort_values("opened_on")["wave"]))
    spec = exports.chart_spec(charts.readiness_trend(rows, waves, colours=colours, highlight=supply_chain))
    drawn_colours = line_colours(spec)
    assert drawn_colours.pop("Supply Chain") == colours[supply_chain]
    assert set(drawn_colours.values()) == {charts.OTHER_TEAMS_GREY}
    assert end_labels(spec) == ["Supply Chain"]


# What each page sends to the browser -------------------------------------------------------------


def trend_spec(at: AppTest) -> dict:
    """The spec of the page's trend chart: the one whose lines are coloured by team."""
    (found,) = [
        spec
        for spec in (json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart"))
        if any(
            mark_type(layer) == "line" and layer.get("encoding", {}).get("color", {}).get("field") == "team"
            for layer in layers(spec)
        )
    ]
    return found


def test_a_team_has_one_colour_on_the_overview_and_in_readiness_trends_whatever_the_filter(app, demo_path):
    overview = app.switch_page("app_pages/overview.py").run()
    assert not overview.exception
    on_overview = line_colours(trend_spec(overview))
    assert len(on_overview) == 6

    trends = app.switch_page("app_pages/readiness.py").run()
    assert not trends.exception
    in_trends = line_colours(trend_spec(trends))
    assert in_trends.pop("All teams") == "#000000"
    assert in_trends == on_overview  # Supply Chain is one colour on both pages

    ids = store.org.team_ids(store.open_db(demo_path))
    trends.selectbox(key="team").select(ids["Supply Chain"]).run()
    assert not trends.exception
    family = line_colours(trend_spec(trends))
    assert family["Supply Chain (all)"] == on_overview["Supply Chain"]
    assert set(family) == {"Supply Chain (all)", "Distribution Centre", "Logistics Planning"}
    assert len(set(family.values())) == 3

    trends.selectbox(key="team").select(ORGANISATION).run()
    trends.radio(key="group").set_value("champions").run()  # champions only: some teams' lines are hidden
    assert not trends.exception
    champions_only = line_colours(trend_spec(trends))
    assert champions_only.pop("All teams") == "#000000"
    assert champions_only
    assert champions_only == {team: on_overview[team] for team in champions_only}


def test_the_highlight_control_greys_the_other_teams_on_both_pages(app, demo_path):
    ids = store.org.team_ids(store.open_db(demo_path))
    overview = app.switch_page("app_pages/overview.py").run()
    colour = line_colours(trend_spec(overview))["Supply Chain"]
    overview.selectbox(key="overview_highlight").select(ids["Supply Chain"]).run()
    assert not overview.exception
    shown = line_colours(trend_spec(overview))
    assert shown.pop("Supply Chain") == colour
    assert set(shown.values()) == {charts.OTHER_TEAMS_GREY}

    trends = app.switch_page("app_pages/readiness.py").run()
    trends.selectbox(key="trend_highlight").select(ids["Supply Chain"]).run()
    assert not trends.exception
    shown = line_colours(trend_spec(trends))
    assert shown.pop("Supply Chain") == colour
    assert set(shown.values()) == {charts.OTHER_TEAMS_GREY}
    assert "Shaded: the highlighted team's 95% confidence band" in json.dumps(trend_spec(trends))


def test_the_reports_trend_draws_each_team_in_its_app_colour(demo_file, demo_teams):
    database = store.open_db(demo_file)
    try:
        report = services.report_document(database, *services.report_ids(database, "Customer First", "2026 Q4"))
    finally:
        database.close()
    (trend,) = [
        exports.drawn_spec(found.chart) for found in report.sections if found.title == "Readiness index over waves"
    ]
    colours = charts.team_colours(demo_teams)
    by_name = {name: colours[int(team)] for name, team in zip(demo_teams["name"], demo_teams["id"], strict=True)}
    assert line_colours(trend) == {"All teams": "#000000"} | {
        team: by_name[team] for team in line_colours(trend) if team != "All teams"
    }
    assert line_colours(trend)["Supply Chain"] == by_name["Supply Chain"]


# Contrast -----------------------------------------------------------------------------------------


def units(spec: dict) -> Iterator[dict]:
    """Every view of a spec: layers, concatenated and faceted charts."""
    yield spec
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            yield from units(child)
    if isinstance(spec.get("spec"), dict):
        yield from units(spec["spec"])


def text_colours(spec: dict) -> Iterator[tuple[str, str]]:
    """(where, colour) of every text colour a spec sets: its config's labels and titles, and its text marks'."""
    for part, settings in spec.get("config", {}).items():
        for key in ("labelColor", "titleColor", "subtitleColor", "color"):
            if isinstance(settings, dict) and isinstance(settings.get(key), str):
                yield f"config.{part}.{key}", settings[key]
    for unit in units(spec):
        if mark_type(unit) != "text":
            continue
        if isinstance(unit["mark"], dict) and isinstance(unit["mark"].get("color"), str):
            yield "text mark", unit["mark"]["color"]
        encoded = unit.get("encoding", {}).get("color", {})
        conditions = encoded.get("condition", [])
        for choice in [*(conditions if isinstance(conditions, list) else [conditions]), encoded]:
            if isinstance(choice.get("value"), str):
                yield "text mark (encoded)", choice["value"]


def every_chart(demo_file: Path) -> dict[str, dict]:
    """The specs of the demo's charts: the report's (heatmap, barriers, trend, change), answers and key drivers."""
    database = store.open_db(demo_file)
    try:
        report = services.report_document(database, *services.report_ids(database, "Customer First", "2026 Q4"))
        latest = max(report.choices["wave_id"], 1)
        settings = store.settings.settings(database)
        frame = services.readiness_by_team(database, settings, 1)
        teams = store.org.teams(database)
        answers = store.responses.answer_counts(database, latest)
        scores = store.responses.response_scores(database, latest)
    finally:
        database.close()
    found = {
        section.title: exports.drawn_spec(section.chart) for section in report.sections if section.chart is not None
    }
    shares = readiness.likert_shares(answers, teams, frame[frame["wave_id"] == latest], "all")
    found["answers"] = exports.chart_spec(charts.likert_bars(shares[shares["element"] == "desire"]))
    found["key drivers"] = exports.chart_spec(charts.priority_matrix(analysis.key_drivers(scores)))
    return found


def test_chart_text_meets_wcag_aa_on_white(demo_file):
    specs = every_chart(demo_file)
    assert len(specs) >= 6
    for title, spec in specs.items():
        config = spec["config"]
        for part in ("axis", "legend"):
            assert config[part]["labelColor"] == config[part]["titleColor"] == charts.TEXT_COLOUR, title
        for where, colour in text_colours(spec):
            if colour in ("white", "#ffffff"):
                continue  # white on the change grid's coloured cells, below
            named = {"black": "#000000"}.get(colour, colour)
            assert contrast(named) >= 4.5, f"{title}{where} = {colour}: {contrast(named):.2f}:1"
    for call in ("up", "down"):  # the change grid's white text on its called cells
        assert contrast("#ffffff", charts.CALL_COLOURS[call]) >= 4.5, call
    assert contrast(charts.TEXT_COLOUR) >= 4.5
    assert contrast(charts.MUTED_TEXT) >= 4.5
    assert contrast("#808495") < 4.5  # Streamlit's chart theme grey, which our config overrides


def test_the_themes_captions_meet_wcag_aa_on_white():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    body = config["theme"]["light"]["textColor"]
    # Streamlit draws captions and help text in the body text at 60% over the background.
    faded = "#" + "".join(f"{round(0.6 * c * 255 + 0.4 * 255):02x}" for c in rgb(body))
    assert contrast(body) >= 7
    assert contrast(faded) >= 4.5, faded


MEASURE_TEXT = """() => {
  const parse = c => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const lin = v => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = c => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
  const opacity = el => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
    return o;
  };
  // Drawn on a colour of their own, not on white: a slider's value, alerts, primary buttons, tags, chart cells.
  const own = '[data-testid="stSliderThumbValue"], [data-testid="stSliderTickBar"], [role="alert"], '
    + 'button[kind="primary"], [data-baseweb="tag"]';
  const found = [];
  const walker = document.createTreeWalker(document.querySelector('[data-testid="stMain"]'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement, text = walker.currentNode.textContent.trim();
    if (!text || !el.getBoundingClientRect().width || el.closest(own)) continue;
    const svg = el instanceof SVGElement;
    if (svg && !el.closest('.role-axis, .role-legend, .role-title')) continue;
    const style = getComputedStyle(el), c = parse(svg ? style.fill : style.color);
    if (!c) continue;
    const a = c[3] * (svg ? Number(style.fillOpacity || 1) : 1) * opacity(el);
    const mixed = [0, 1, 2].map(i => c[i] * a + 255 * (1 - a));
    found.push([text.slice(0, 40), 1.05 / (lum(mixed) + 0.05)]);
  }
  return found;
}"""
"""Every text in the page's main part with its contrast on white, as Chromium draws it (alpha and opacity mixed
in); chart text marks (on their cells) are the spec test's."""


@pytest.mark.browser
def test_text_on_the_overview_and_trends_reads_at_wcag_aa_in_the_browser(demo_server: str, page: Page):
    """Every text's colour as Chromium draws it (opacity and alpha mixed over white), on the two pages with trends."""
    url = demo_server
    low = []
    for path, heading in (("", "Overview"), ("/readiness", "Readiness")):
        page.goto(url + path)
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=60_000)
        drawn(page)
        if heading == "Readiness":
            page.get_by_role("tab", name="Trends").click()
            settled(page)
            drawn(page)
        page.screenshot(path=str(ARTIFACTS / f"colours-{heading.lower()}.png"), full_page=True)
        texts = page.evaluate(MEASURE_TEXT)
        assert len(texts) > 50, heading
        low += [(heading, text, round(ratio, 2)) for text, ratio in texts if ratio < 4.5]
    assert not low, low


def test_no_label_of_a_chart_carries_an_invisible_character(demo_file):
    for title, spec in every_chart(demo_file).items():
        text = json.dumps(spec, ensure_ascii=False)
        assert not re.search("[\u2800\u200b-\u200f\u2060\ufeff]", text), title
