"""Issue 14: the response rate (complete responses ÷ headcount) beside n wherever the headcount is known,
in the same words and rounding on every page ("55% of 420"); nothing for a hidden team or an unknown
headcount, and a rate above 100% shown as it is, with a note."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from cxchange import charts, readiness, services, store
from cxchange.text import NO_RATE, OVER_HEADCOUNT, response_rate_text

ROOT = Path(__file__).resolve().parent.parent


def opened(app: AppTest, page: str) -> AppTest:
    at = app.switch_page(page).run()
    assert not at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [element.value for kind in ("markdown", "caption", "info", "success", "error") for element in at.get(kind)]
    return "\n".join(str(part) for part in parts)


def set_headcount(path: Path, team: str, headcount: int | None) -> None:
    """Give a demo team another headcount (None: unknown) as an admin does in Settings → Organisation."""
    database = store.open_db(path)
    try:
        ids = store.org.team_ids(database)
        services.save_teams(database, [{"row": team, "id": ids[team], "headcount": headcount}])
    finally:
        database.close()


def spec_of(chart) -> dict:
    return json.loads(chart.proto.spec)


def inline_values(node) -> list[list[dict]]:
    found: list[list[dict]] = []
    if isinstance(node, dict):
        data = node.get("data")
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            found.append(data["values"])
        for value in node.values():
            found += inline_values(value)
    elif isinstance(node, list):
        for value in node:
            found += inline_values(value)
    return found


def rows_of(chart) -> pd.DataFrame:
    """Every row a drawn chart was sent (Arrow datasets, named datasets and inline values)."""
    spec = spec_of(chart)
    frames = [pa.ipc.open_stream(dataset.data.data).read_pandas() for dataset in chart.proto.datasets]
    if chart.proto.HasField("data"):  # a layered chart's top-level rows
        frames.append(pa.ipc.open_stream(chart.proto.data.data).read_pandas())
    frames += [pd.DataFrame(rows) for rows in spec.get("datasets", {}).values()]
    frames += [pd.DataFrame(rows) for rows in inline_values(spec)]
    return pd.concat(frames, ignore_index=True)


def titled(at: AppTest, start: str):
    """The drawn chart whose title starts with `start`."""
    for chart in at.get("vega_lite_chart"):
        title = spec_of(chart).get("title", {})
        text = title.get("text") if isinstance(title, dict) else title
        if isinstance(text, str) and text.startswith(start):
            return chart
    raise AssertionError(f"no chart titled {start!r}")


def tooltip_titles(node) -> list[list[str]]:
    """The titles of every tooltip list in a spec, one list per mark."""
    found = []
    if isinstance(node, dict):
        tooltip = node.get("encoding", {}).get("tooltip") if isinstance(node.get("encoding"), dict) else None
        if isinstance(tooltip, list):
            found.append([item.get("title") for item in tooltip])
        for value in node.values():
            found += tooltip_titles(value)
    elif isinstance(node, list):
        for value in node:
            found += tooltip_titles(value)
    return found


def rate_beside_n(spec: dict) -> bool:
    """Whether every tooltip that gives "Responses (n)" gives "Response rate" right after it."""
    lists = [titles for titles in tooltip_titles(spec) if "Responses (n)" in titles]
    return bool(lists) and all(
        titles[titles.index("Responses (n)") + 1] == "Response rate" for titles in lists
    )  # fmt: skip


# The words -----------------------------------------------------------------------------------------


def test_a_rate_is_a_whole_percent_of_the_headcount_and_above_100_says_so():
    assert response_rate_text(231 / 420, 420) == "55% of 420"
    assert response_rate_text(596 / 1100, 1100) == "54% of 1,100"
    assert response_rate_text(1.0, 40) == "100% of 40"
    # never clipped to 100%: more responses than people counted is shown as it is, and said
    assert response_rate_text(152 / 100, 100) == f"152% of 100, {OVER_HEADCOUNT}"
    # no headcount, or no rate: nothing at all (no "0%", no "nan%")
    assert response_rate_text(float("nan"), 40) == response_rate_text(0.5, None) == response_rate_text(None, None) == ""


# Pages ---------------------------------------------------------------------------------------------


def test_overview_gives_the_rate_beside_n_in_the_table_and_the_trend(app):
    at = opened(app, "app_pages/overview.py")
    table = at.dataframe[0].value.set_index("Team")
    assert table.loc["Logistics Planning", ["Responses (n)", "Response rate"]].tolist() == [17, "49% of 35"]
    assert table.loc["Customer Insight", ["Responses (n)", "Response rate"]].isna().tolist() == [True, False]
    assert table.loc["Customer Insight", "Response rate"] == ""  # hidden: n and rate alike
    trend = titled(at, "Readiness index by top-level team")
    assert rate_beside_n(spec_of(trend))
    points = rows_of(trend).dropna(subset=["rate"])
    by_point = points.set_index(["team_name", "wave"])["rate"]
    assert by_point[("Stores", "2026 Q4")] == "54% of 1,100"
    assert by_point[("HR & People", "2025 Q3")] == "57% of 30"  # 17 of its 30 people
    assert rate_beside_n(spec_of(titled(at, "Readiness by team and ADKAR element")))


def test_a_team_without_headcount_shows_n_and_no_rate_anywhere(app, demo_path):
    set_headcount(demo_path, "HR & People", None)
    at = opened(app, "app_pages/overview.py")
    table = at.dataframe[0].value.set_index("Team")
    assert table.loc["HR & People", ["Responses (n)", "Response rate"]].tolist() == [18, ""]
    assert table.loc["Stores North", "Response rate"] == "55% of 420"  # others keep theirs
    shown = texts(at)
    # All teams' 1,061 include HR & People's 18, whose people are uncounted: no rate is better than a wrong one
    assert "Response rate:" not in shown
    assert "nan" not in shown
    assert "0% of" not in shown
    trend = rows_of(titled(at, "Readiness index by top-level team")).dropna(subset=["rate"])
    assert set(trend.loc[trend["team_name"] == "HR & People", "rate"]) == {NO_RATE}
    at.query_params["team"] = "HR & People"
    detail = opened(app, "app_pages/team_detail.py")
    history = next(d.value for d in detail.dataframe if "Wave" in d.value.columns)
    assert history["Responses (n)"].notna().all()
    assert history["Response rate"].eq("").all()
    assert "Response rate:" not in texts(detail)
    assert "nan" not in texts(detail)


def test_a_rate_above_100_percent_is_shown_as_it_is_with_a_note(app, demo_path):
    set_headcount(demo_path, "Stores West", 100)  # 152 complete responses in 2026 Q4: the headcount is stale
    at = opened(app, "app_pages/overview.py")
    table = at.dataframe[0].value.set_index("Team")
    assert table.loc["Stores West", "Response rate"] == "152% of 100, more responses than headcount"
    assert table.loc["Stores (all)", "Response rate"] == "66% of 900"  # 596 of 420 + 380 + 100


def test_readiness_gives_the_rate_beside_n_on_every_chart_of_teams(app):
    at = opened(app, "app_pages/readiness.py")
    for start in ("Readiness by team and element", "Awareness: answers by team", "Where respondents are stuck"):
        chart = titled(at, start)
        assert rate_beside_n(spec_of(chart)), start
        rates = rows_of(chart).dropna(subset=["rate"]).drop_duplicates("team_name").set_index("team_name")["rate"]
        assert rates["Stores North"] == "55% of 420", start
        assert "Customer Insight" not in rates.index or rates["Customer Insight"] == NO_RATE, start
    trend = titled(at, "Readiness index (0–100) over waves")
    assert rate_beside_n(spec_of(trend))
    rates = rows_of(trend).dropna(subset=["rate"]).set_index(["team_name", "wave"])["rate"]
    assert rates[("Stores", "2026 Q4")] == "54% of 1,100"


def test_a_respondent_group_has_n_but_no_rate(app):
    at = opened(app, "app_pages/readiness.py")
    at.radio(key="group").set_value("others").run()
    assert not at.exception
    for start in ("Readiness by team and element", "Awareness: answers by team", "Readiness index (0–100) over"):
        data = rows_of(titled(at, start)).dropna(subset=["rate"])
        assert set(data["rate"]) == {NO_RATE}, start  # the group's n over the team's people is no response rate


def test_team_detail_gives_the_rate_in_its_wave_table_and_element_profiles(app):
    at = app
    at.query_params["team"] = "Logistics Planning"
    at = opened(at, "app_pages/team_detail.py")
    history = next(d.value for d in at.dataframe if "Wave" in d.value.columns)
    assert history[["Responses (n)", "Response rate"]].tail(2).values.tolist() == [[14, "40% of 35"], [17, "49% of 35"]]
    assert "Response rate: 49% of 35." in texts(at)
    profiles = titled(at, "Logistics Planning: ADKAR elements")
    assert rate_beside_n(spec_of(profiles))
    assert set(rows_of(profiles).dropna(subset=["rate"]).query("wave == '2026 Q4'")["rate"]) == {"49% of 35"}


def test_team_detail_of_a_hidden_team_shows_neither_n_nor_rate(app):
    app.query_params["team"] = "Customer Insight"
    at = opened(app, "app_pages/team_detail.py")
    history = next(d.value for d in at.dataframe if "Wave" in d.value.columns)
    assert history["Responses (n)"].isna().all()
    assert history["Response rate"].eq("").all()  # its headcount of 7 would give its n back
    assert "of 7" not in texts(at)


def test_workshop_screens_give_the_rate_beside_n(app):
    app.query_params.update(
        {"initiative": "1", "wave": "6", "teams": ["Logistics Planning"], "steps": ["pulse", "team"], "step": "pulse"}
    )
    at = opened(app, "app_pages/workshop.py")
    assert "n = 1,061 · 58% of 1,827" in texts(at)
    at.query_params["step"] = "team:Logistics Planning"
    at = at.run()
    assert not at.exception
    assert "readiness index</div><p>n = 17 · 49% of 35</p>" in texts(at)  # n and rate on a line of their own


def test_cx_outcomes_scatter_gives_the_rate_beside_n(app):
    at = opened(app, "app_pages/cx_outcomes.py")
    chart = at.get("vega_lite_chart")[0]
    assert rate_beside_n(spec_of(chart))
    points = rows_of(chart).dropna(subset=["rate"]).drop_duplicates(["team", "wave"]).set_index(["team", "wave"])
    assert points.loc[("Stores North", "2026 Q4"), ["n", "rate"]].tolist() == [231, "55% of 420"]


# Charts and views, from the demo's figures ---------------------------------------------------------


def test_trend_and_profile_tooltips_carry_the_rate(demo_frame):
    lines = readiness.trend_lines(demo_frame, 0)
    spec = charts.readiness_trend(lines, sorted(set(demo_frame["wave"]))).to_dict()
    assert rate_beside_n(spec)
    rates = lines.set_index(["team", "wave"])["rate"]
    assert rates[("Customer Operations", "2026 Q4")] == "71% of 292"  # 207 of its 292 people
    profile = readiness.element_trend_rows(demo_frame, int(lines["team_id"].iloc[0]))
    assert rate_beside_n(charts.element_profiles(profile, sorted(set(demo_frame["wave"]))).to_dict())


def test_a_hand_built_frame_without_rates_still_draws_with_a_blank_rate():
    rows = pd.DataFrame(
        {
            "team_id": [1],
            "team": ["Stores"],
            "team_name": ["Stores"],
            "wave": ["W1"],
            "value": [60.0],
            "ci_low": [55.0],
            "ci_high": [65.0],
            "n": [20],
        }
    )
    spec = charts.readiness_trend(rows, ["W1"]).to_dict()
    assert rate_beside_n(spec)
    assert [row["rate"] for rows in spec["datasets"].values() for row in rows] == [NO_RATE]


def test_answer_bars_give_no_rate_where_entered_results_make_up_part_of_n(demo_frame, demo_file):
    wave = demo_frame[demo_frame["wave_id"] == demo_frame["wave_id"].max()].copy()
    north = wave["team"] == "Stores North"
    wave.loc[north, ["n", "aggregate_n"]] = [241, 10]  # 10 entered beside 231 surveyed: the bars count 231
    database = store.open_db(demo_file)
    try:
        answers = store.responses.answer_counts(database, int(wave["wave_id"].iloc[0]))
        teams = store.org.teams(database)
    finally:
        database.close()
    shares = readiness.likert_shares(answers, teams, wave, "all").drop_duplicates("team").set_index("team")
    assert shares.loc["Stores North", ["n", "rate"]].tolist() == [231, NO_RATE]
    assert shares.loc["Stores South", "rate"] == "56% of 380"
