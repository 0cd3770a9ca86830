"""Every page through the router, as a user sees it (streamlit.testing AppTest on the real app.py)."""

from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cxchange import db as store
from cxchange import ui

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "app_pages").glob("*.py"))
TESTED_PAGES = {
    "app_pages/overview.py",
    "app_pages/readiness.py",
    "app_pages/team_detail.py",
    "app_pages/cx_outcomes.py",
    "app_pages/import_entry.py",
    "app_pages/settings.py",
}
FIXTURES = ROOT / "tests" / "fixtures" / "imports"


@pytest.fixture
def app(demo_path, monkeypatch) -> AppTest:
    """The app on a private copy of the demo workspace, caches cleared."""
    monkeypatch.setenv("CXCHANGE_DB", str(demo_path))
    st.cache_data.clear()
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def texts(at: AppTest) -> str:
    """Everything written on the page as text, for 'the user sees' assertions."""
    parts = [element.value for kind in ("markdown", "caption", "info", "success", "error") for element in at.get(kind)]
    return "\n".join(str(part) for part in parts)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_every_page_file_is_registered_and_tested():
    # A folder named pages/ would switch Streamlit to its old multipage mode, where a deep link
    # runs the page without app.py (no navigation, no demo label).
    assert not (ROOT / "pages").exists()
    registered = set(re.findall(r'st\.Page\("([^"]+)"', (ROOT / "app.py").read_text()))
    assert set(PAGES) == registered
    assert set(PAGES) == TESTED_PAGES


def test_overview_shows_the_demo_at_a_glance(app):
    at = app.run()
    assert not at.exception
    assert "Demo data" in texts(at)
    assert metric(at, "Readiness index (0–100)") == "67"
    assert metric(at, "Complete responses (n)") == "1,061"
    assert metric(at, "Teams hidden") == "2 of 16"
    assert "since 2026 Q3" in texts(at)
    assert len(at.get("vega_lite_chart")) == 2
    table = at.dataframe[0].value.set_index("Team")
    assert table.loc["Customer Insight", "Barrier point"] == "fewer than 5"
    assert table.loc["Distribution Centre", "Barrier point"] == "Awareness"
    at.selectbox(key="comments_team").select("Customer Insight").run()
    assert "Comments are shown for teams of at least 10 responses" in texts(at)
    at.selectbox(key="comments_team").select("Stores North").run()
    assert re.search(r"\d+ comments\.", texts(at))


def test_overview_first_wave_has_nothing_to_compare(app):
    at = app.run()
    at.selectbox(key="wave").select_index(len(at.selectbox(key="wave").options) - 1).run()
    assert not at.exception
    assert "First wave: nothing to compare with yet." in texts(at)
    table = at.dataframe[0].value.set_index("Team")
    assert table.loc["Stores North", "Barrier point"] == "Knowledge"


def test_overview_for_the_pilot_initiative(app):
    at = app.run()
    at.selectbox(key="initiative").select_index(1).run()
    assert not at.exception
    assert at.selectbox(key="wave").value is not None
    table = at.dataframe[0].value
    assert set(table["Team"]) >= {"Contact Centre", "E-commerce"}
    assert "Stores North" not in set(table["Team"])


def test_settings_change_reaches_the_overview(app):
    at = app.run()
    at.switch_page("app_pages/settings.py").run()
    assert not at.exception
    at.number_input[0].set_value(40)  # minimum group size for scores
    at.button[0].click().run()
    assert not at.exception
    at.switch_page("app_pages/overview.py").run()
    assert int(metric(at, "Teams hidden").split()[0]) > 2
    table = at.dataframe[0].value.set_index("Team")
    assert table.loc["Logistics Planning", "Barrier point"] == "fewer than 40"


def test_settings_refuses_nothing_silently(app, demo_path):
    at = app.run()
    at.switch_page("app_pages/settings.py").run()
    assert [n.label for n in at.number_input][:3] == [
        "Minimum group size for scores",
        "Minimum group size for comments",
        "Barrier threshold",
    ]
    at.number_input[2].set_value(3.5)
    at.button[0].click().run()
    assert store.settings(store.open_db(demo_path))["barrier_threshold"] == 3.5


def test_start_an_empty_workspace_and_get_the_demo_back(app, demo_path):
    at = app.run()
    at.switch_page("app_pages/settings.py").run()
    next(b for b in at.button if b.label == "Start an empty workspace").click().run()
    assert "A backup of the current workspace is kept" in texts(at)
    next(b for b in at.button if b.label == "Yes, start empty").click().run()
    assert not at.exception
    assert "Started an empty workspace" in texts(at)
    assert "Demo data" not in texts(at)
    assert store.count(store.open_db(demo_path), "responses") == 0
    assert len(store.backups(demo_path)) == 1

    at.switch_page("app_pages/overview.py").run()
    assert not at.exception
    assert "No survey results yet" in texts(at)

    at.switch_page("app_pages/settings.py").run()
    next(b for b in at.button if b.label == "Load the demo organisation").click().run()
    next(b for b in at.button if b.label == "Yes, load the demo").click().run()
    assert not at.exception
    assert "Demo data" in texts(at)
    at.switch_page("app_pages/overview.py").run()
    assert metric(at, "Readiness index (0–100)") == "67"


def test_restore_a_backup_after_confirming(app, demo_path):
    at = app.run()
    at.switch_page("app_pages/settings.py").run()
    next(b for b in at.button if b.label == "Start an empty workspace").click().run()
    next(b for b in at.button if b.label == "Yes, start empty").click().run()
    next(b for b in at.button if b.label == "Restore this backup").click().run()
    assert "will be replaced by the backup demo-before-empty-" in texts(at)
    next(b for b in at.button if b.label == "Cancel").click().run()
    assert store.count(store.open_db(demo_path), "responses") == 0  # cancelled: nothing restored
    next(b for b in at.button if b.label == "Restore this backup").click().run()
    next(b for b in at.button if b.label == "Yes, restore it").click().run()
    assert not at.exception
    assert "Restored demo-before-empty-" in texts(at)
    assert store.count(store.open_db(demo_path), "responses") > 6000
    assert "Demo data" in texts(at)


def _upload(at: AppTest, name: str, data: bytes | None = None) -> AppTest:
    at.switch_page("app_pages/import_entry.py").run()
    at.selectbox(key="import_wave").select("New wave…").run()
    at.text_input(key="import_new_wave").input("2027 Q1").run()
    at.file_uploader[0].upload(name, data if data is not None else (FIXTURES / name).read_bytes()).run()
    return at


def test_import_wizard_previews_imports_and_undoes(app, demo_path):
    at = _upload(app.run(), "qualtrics_choice_text.csv")
    assert not at.exception
    assert metric(at, "Complete responses") == "8"
    assert metric(at, "Incomplete (kept out of scores)") == "1"
    assert metric(at, "Rows skipped") == "2"
    assert "Read as a Qualtrics export" in texts(at)
    problems = at.dataframe[1].value
    assert "skipped: blank row" in set(problems["What happens"])
    before = store.count(store.open_db(demo_path), "responses")
    assert store.count(store.open_db(demo_path), "import_batches") == 0  # the preview wrote nothing

    next(b for b in at.button if b.label == "Import").click().run()
    assert not at.exception
    assert "Imported qualtrics_choice_text.csv" in texts(at)
    assert store.count(store.open_db(demo_path), "responses") == before + 9

    history = at.dataframe[-2].value if len(at.dataframe) > 1 else at.dataframe[0].value
    assert "qualtrics_choice_text.csv" in set(history["File"])
    next(b for b in at.button if b.label == "Undo this import").click().run()
    next(b for b in at.button if b.label == "Yes, remove it").click().run()
    assert not at.exception
    assert "Removed batch 1: 9 responses." in texts(at)
    assert store.count(store.open_db(demo_path), "responses") == before


def test_import_wizard_asks_for_an_unknown_label(app, demo_path):
    data = (FIXTURES / "googleforms.csv").read_text(encoding="utf-8").replace(",4 - Agree,", ",Kinda agree,", 1)
    at = _upload(app.run(), "forms.csv", data.encode())
    assert not at.exception
    assert "not on the 1–5 agreement scale" in "\n".join(w.value for w in at.warning)
    assert not any(b.label == "Import" for b in at.button)
    choice = next(s for s in at.selectbox if s.label == "“Kinda agree” means")
    choice.select("Agree (4)")
    next(b for b in at.button if b.label == "Use these values").click().run()
    assert not at.exception
    assert metric(at, "Complete responses") == "8"
    next(b for b in at.button if b.label == "Import").click().run()
    assert store.count(store.open_db(demo_path), "import_batches") == 1


def test_import_wizard_refuses_a_pdf_in_one_sentence(app, demo_path):
    at = _upload(app.run(), "results.csv", b"%PDF-1.7 binary")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "results.csv is a PDF report, not the survey's data: download the responses as CSV or Excel (.xlsx)."
    ]


def test_team_level_results_show_in_the_grid_and_on_the_overview(app, demo_path):
    from cxchange import entry

    database = store.open_db(demo_path)
    teams = store.teams(database)
    ids = dict(zip(teams["name"], teams["id"], strict=True))
    row = {"Team": "HR & People", "Awareness": 4, "Desire": 4, "Knowledge": 4, "Ability": 4, "Reinforcement": 4}
    rows, problems = entry.check_grid(pd.DataFrame([row | {"n": 9, "sd (optional)": None}]), ids)
    assert problems == []
    store.save_team_results(database, int(store.waves(database, 1)["id"].iloc[-1]), rows, "test")

    at = app.run()
    at.switch_page("app_pages/import_entry.py").run()
    assert not at.exception
    grid = next(d.value for d in at.dataframe if "sd (optional)" in d.value.columns)
    assert grid["Team"].tolist() == ["HR & People"]
    assert grid["n"].tolist() == [9]
    at.switch_page("app_pages/overview.py").run()
    table = at.dataframe[0].value.set_index("Team")
    assert table.loc["HR & People", "Source"] == "team-level entry: no significance test possible"
    assert table.loc["HR & People", "Responses (n)"] == 18 + 9  # its survey responses and the 9 entered


def test_import_wizard_maps_a_new_team_name_to_an_existing_team(app, demo_path):
    at = _upload(app.run(), "googleforms.csv")
    assert "Created team Click & Collect." in texts(at)
    next(s for s in at.selectbox if s.label == "Team “Click & Collect” in the file is").select("E-commerce").run()
    assert not at.exception
    assert "Created team Click & Collect." not in texts(at)
    next(b for b in at.button if b.label == "Import").click().run()
    teams = store.teams(store.open_db(demo_path))["name"].tolist()
    assert "Click & Collect" not in teams


def test_cx_outcomes_shows_readiness_against_each_measure_as_association(app):
    at = app.run()
    at.switch_page("app_pages/cx_outcomes.py").run()
    assert not at.exception
    shown = texts(at)
    assert "Teams with higher readiness had higher CSAT (r = 0.87, 95% CI 0.79 to 0.92, n = 54 team-waves)." in shown
    assert "Teams with higher readiness had lower complaint rates" in shown
    assert "This is an association, not proof that readiness causes it." in shown
    assert "its points are not independent" in shown
    assert "Left out: 6 NPS figures, because the team's readiness is hidden in that wave" in shown
    charts = at.get("vega_lite_chart")
    assert len(charts) == 3
    assert "association, not cause" in charts[0].proto.spec
    per_wave = at.dataframe[0].value
    assert per_wave["Wave"].tolist() == ["2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]
    assert per_wave["Teams (n)"].eq(9).all()


def test_cx_outcomes_without_figures_says_how_to_add_them(app, demo_path):
    store.open_db(demo_path)["cx_outcomes"].delete_where()
    at = app.run()
    at.switch_page("app_pages/cx_outcomes.py").run()
    assert not at.exception
    assert "No CX outcome figures yet. Type them under **Enter figures**" in texts(at)
    assert not at.get("vega_lite_chart")


def test_cx_outcomes_grid_saves_a_figure_that_then_shows(app, demo_path):
    at = app.run()
    at.switch_page("app_pages/cx_outcomes.py").run()
    assert at.selectbox(key="outcomes_period").value == "2026 Q4"
    grid = at.data_editor(key="outcomes_grid:2026 Q4").value
    north = grid.index[grid["Team"] == "Stores North"][0]
    at.session_state["outcomes_grid:2026 Q4"] = {
        "edited_rows": {int(north): {"NPS": 41.5}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="outcomes_save").click().run()
    assert not at.exception
    assert "Saved 2026 Q4: 30 figures: 0 added, 1 changed, 29 left unchanged." in texts(at)
    stored = store.cx_outcomes(store.open_db(demo_path), "2026 Q4").set_index(["team", "metric"])["value"]
    assert stored[("Stores North", "nps")] == 41.5
    grid = at.data_editor(key="outcomes_grid:2026 Q4").value
    assert grid.loc[grid["Team"] == "Stores North", "NPS"].tolist() == [41.5]


def test_cx_outcomes_import_names_the_bad_cell_then_imports_the_fixed_file(app, demo_path):
    at = app.run()
    at.switch_page("app_pages/cx_outcomes.py").run()
    before = store.count(store.open_db(demo_path), "cx_outcomes")
    bad = b"team,period,nps,csat\nStores North,2027 Q1,30,80\nE-commerce,2027 Q1,140,81\n"
    at.file_uploader(key="outcomes_upload").upload("outcomes.csv", bad).run()
    assert not at.exception
    assert "Nothing can be imported from outcomes.csv until this problem is fixed" in texts(at)
    assert "Row 3, nps: 140 is outside the NPS range -100 to 100." in texts(at)
    assert not any(b.label == "Import" for b in at.button)
    assert store.count(store.open_db(demo_path), "cx_outcomes") == before

    at.file_uploader(key="outcomes_upload").upload("outcomes.csv", bad.replace(b"140", b"40")).run()
    assert metric(at, "Figures to add") == "4"
    assert store.count(store.open_db(demo_path), "cx_outcomes") == before  # the preview wrote nothing
    at.button(key="outcomes_import").click().run()
    assert not at.exception
    assert "Imported outcomes.csv: 4 figures: 4 added, 0 changed, 0 left unchanged." in texts(at)
    assert store.count(store.open_db(demo_path), "cx_outcomes") == before + 4
    assert "importing it would change nothing" in texts(at)  # the same file again


# Readiness and Team detail


def team_ids(demo_path: Path) -> dict[str, int]:
    """Team name -> id of the demo workspace (the team pickers' values are ids, their labels names)."""
    teams = store.teams(store.open_db(demo_path))
    return dict(zip(teams["name"], teams["id"].astype(int), strict=True))


def chart_spec(chart) -> dict:
    return json.loads(chart.proto.spec)


def chart_data(chart) -> pd.DataFrame:
    """Every row a Vega-Lite chart was sent: Streamlit ships an Altair chart's datasets apart from the
    spec (as Arrow), a spec dict's inside it."""
    frames = [pa.ipc.open_stream(dataset.data.data).read_pandas() for dataset in chart.proto.datasets]
    frames += [pd.DataFrame(rows) for rows in chart_spec(chart).get("datasets", {}).values()]
    frames += [pd.DataFrame(rows) for rows in inline_values(chart_spec(chart))]
    return pd.concat(frames, ignore_index=True)


def inline_values(node) -> list[list[dict]]:
    """Rows written into a spec's views (ui.chart inlines an Altair chart's datasets), each list once."""
    found: list[list[dict]] = []
    if isinstance(node, dict):
        data = node.get("data")
        if isinstance(data, dict) and isinstance(data.get("values"), list) and data["values"] not in found:
            found.append(data["values"])
        for value in node.values():
            found += [rows for rows in inline_values(value) if rows not in found]
    elif isinstance(node, list):
        for value in node:
            found += [rows for rows in inline_values(value) if rows not in found]
    return found


def heatmap_teams(at: AppTest) -> list[str]:
    """The heatmap's row labels, top to bottom, without the indent marks."""
    spec = chart_spec(at.get("vega_lite_chart")[0])
    order = spec["hconcat"][0]["layer"][0]["encoding"]["y"]["sort"]
    return [label.replace("\u2800", "").replace("·", "").strip() for label in order]


def readiness_page(app: AppTest) -> AppTest:
    at = app.run()
    at.switch_page("app_pages/readiness.py").run()
    return at


def test_readiness_shows_heatmap_change_and_drivers(app):
    at = readiness_page(app)
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Heatmap", "Answers", "Barrier points", "Trends", "Change", "Key drivers"]
    assert not at.get("page_link")  # all teams: no one team to open
    assert "Demo data" in texts(at)
    rows = heatmap_teams(at)
    assert rows[0] == "All teams"
    assert {"Customer Insight", "Distribution Centre", "Supply Chain (all)"} <= set(rows)
    assert len(rows) == 17
    assert "Readiness by team and element, 2026 Q4" in json.dumps(chart_spec(at.get("vega_lite_chart")[0]))
    cells = (
        chart_data(at.get("vega_lite_chart")[0])
        .drop_duplicates(["team_name", "element"])
        .set_index(["team_name", "element"])
    )
    assert cells.loc[("Customer Insight", "Awareness"), "text"] == "fewer\nthan 5\n"
    assert cells.loc[("Complaints Resolution", "Awareness"), "text"] == "hidden\n"
    assert bool(cells.loc[("Distribution Centre", "Awareness"), "barrier"])
    shown = texts(at)
    assert re.search(r"Of \d+ team × element figures tested, \*\*\d+ went up\*\* and \*\*\d+ went down\*\*", shown)
    assert "Of 75 team × element figures tested" in shown  # 15 shown teams × 5 elements
    assert "Fix first" in shown or "matters most" in shown
    assert "This is an association, not proof of cause." in shown
    assert "Click a team on any chart of teams to open its detail." in shown


def test_readiness_for_one_team_shows_only_its_subtree(app, demo_path):
    at = readiness_page(app)
    at.selectbox(key="team").select(team_ids(demo_path)["Supply Chain"]).run()
    assert not at.exception
    assert heatmap_teams(at) == ["Supply Chain (all)", "Distribution Centre", "Logistics Planning"]
    cells = chart_data(at.get("vega_lite_chart")[0])
    barrier = cells[cells["barrier"].astype(bool)].drop_duplicates(["team_name", "element"])
    assert {("Supply Chain", "Awareness"), ("Distribution Centre", "Awareness")} <= set(
        zip(barrier["team_name"], barrier["element"], strict=True)
    )
    shown = texts(at)
    assert "Of 15 team × element figures tested" in shown  # 3 teams × 5 elements, not the whole organisation's 75
    assert "Stores" not in " ".join(heatmap_teams(at))
    [link] = at.get("page_link")
    assert (link.proto.label, link.proto.page, link.proto.query_string) == (
        "Open Supply Chain in Team detail",
        "team_detail",
        "team=Supply+Chain",
    )


def test_readiness_for_champions_hides_small_groups(app):
    at = readiness_page(app)
    at.radio(key="group").set_value("champions").run()
    assert not at.exception
    chart = at.get("vega_lite_chart")[0]
    assert "2026 Q4, champions" in json.dumps(chart_spec(chart))
    cells = chart_data(chart).drop_duplicates(["team_name", "element"])
    shown, hidden = cells[~cells["suppressed"].astype(bool)], cells[cells["suppressed"].astype(bool)]
    assert not shown.empty
    assert shown["n"].min() >= 5  # no champion group below the minimum shows a figure
    assert hidden["mean"].isna().all()
    assert hidden["n"].isna().all()
    texts_by_team = hidden.groupby("team_name")["text"].first().str.replace("\n", " ").str.strip()
    assert texts_by_team["Stores South"] == "fewer than 5"
    assert texts_by_team["Supply Chain"] == "fewer than 5"
    assert "hidden" in set(texts_by_team)


def test_readiness_needs_two_waves_to_show_change(app):
    at = readiness_page(app)
    at.select_slider(key="waves").set_value(("2026 Q4", "2026 Q4")).run()
    assert not at.exception
    assert "Choose a range of two or more waves to compare." in texts(at)
    assert "team × element figures tested" not in texts(at)
    assert not [s for s in at.selectbox if s.key == "since"]
    assert len(heatmap_teams(at)) == 17  # the snapshot still shows


def test_readiness_for_a_hidden_team_says_no_figure_can_be_shown(app, demo_path):
    at = readiness_page(app)
    at.selectbox(key="team").select(team_ids(demo_path)["Customer Insight"]).run()
    assert not at.exception
    assert "No figure can be shown for this team in 2026 Q4: fewer than 5 complete responses" in texts(at)
    assert not at.get("vega_lite_chart")
    assert not at.tabs

    at.selectbox(key="team").select(team_ids(demo_path)["Supply Chain"]).run()
    at.radio(key="group").set_value("champions").run()  # 2 champions answered in Supply Chain
    assert not at.exception
    assert "No figure can be shown for this team in 2026 Q4, champions" in texts(at)
    assert not at.get("vega_lite_chart")


def team_detail(app: AppTest, team: str) -> AppTest:
    at = app.run()
    at.query_params["team"] = team
    at.switch_page("app_pages/team_detail.py").run()
    return at


def test_team_detail_from_a_link_shows_the_barrier_and_what_helps(app):
    at = team_detail(app, "Distribution Centre")
    assert not at.exception
    assert [t.value for t in at.title] == ["Distribution Centre"]
    assert metric(at, "Readiness index, 2026 Q4") == "36"
    assert metric(at, "Complete responses (n)") == "78"
    assert metric(at, "Barrier point now") == "Awareness"
    assert "Down 7.0 points since 2026 Q3" in texts(at)
    assert [w.value for w in at.warning] == [
        "**What helps with Awareness:** Sponsor messages that explain why the change is needed and what happens "
        "if we do not change."
    ]
    tables = [d.value for d in at.dataframe]
    history = next(t for t in tables if "Wave" in t.columns)
    assert history["Barrier point"].tolist()[-4:] == ["Reinforcement", "Knowledge", "Desire", "Awareness"]
    path = next(t for t in tables if "Team" in t.columns and "Barrier point" in t.columns)
    assert path["Team"].tolist() == ["Distribution Centre", "Supply Chain (all)", "All teams"]
    assert path["Barrier point"].tolist() == ["Awareness", "Awareness", "none"]
    champions = next(t for t in tables if "Champion" in t.columns)
    assert set(champions["Team"]) == {"Distribution Centre"}
    actions = next(t for t in tables if "Action" in t.columns)
    assert "Add a help channel for the new order process" in set(actions["Action"])
    assert re.search(r"\d+ comments\.", texts(at))
    assert len(at.get("vega_lite_chart")) == 2  # elements over waves, answers by element


def test_team_detail_of_a_small_team_shows_no_figures(app):
    at = team_detail(app, "Customer Insight")
    assert not at.exception
    assert [t.value for t in at.title] == ["Customer Insight"]
    assert [(m.label, m.value) for m in at.metric] == [("Readiness index, 2026 Q4", "hidden")]
    shown = texts(at)
    assert "Fewer than 5: no figures are shown." in shown
    assert "Comments are shown for teams of at least 10 responses; this one has fewer." in shown
    assert not at.warning  # no remedy for a barrier nobody may see
    assert not at.get("vega_lite_chart")
    history = next(d.value for d in at.dataframe if "Wave" in d.value.columns)
    assert set(history["Barrier point"]) == {"fewer than 5"}
    assert history["Readiness index"].isna().all()
    assert history["Responses (n)"].isna().all()
    path = next(d.value for d in at.dataframe if "Team" in d.value.columns).set_index("Team")
    assert path.loc["Customer Insight", "Barrier point"] == "fewer than 5"
    assert pd.isna(path.loc["Customer Insight", "Responses (n)"])
    assert path.loc["Customer Operations (all)", "Responses (n)"] == 207  # it still counts in its parent


def test_team_detail_of_a_complementarily_hidden_team_keeps_its_size_hidden(app):
    # Customer Operations (n=207) and Contact Centre (n=173) are shown, so Complaints Resolution's n
    # would give away Customer Insight's: 207 - 173 - 32 = 2 respondents.
    at = team_detail(app, "Complaints Resolution")
    assert not at.exception
    assert metric(at, "Readiness index, 2026 Q4") == "hidden"
    assert "Hidden: no figures are shown." in texts(at)
    path = next(d.value for d in at.dataframe if "Team" in d.value.columns).set_index("Team")
    assert path.loc["Customer Operations (all)", "Responses (n)"] == 207
    assert path.loc["Complaints Resolution", "Barrier point"] == "hidden"
    assert pd.isna(path.loc["Complaints Resolution", "Responses (n)"])
    for caption in at.caption:
        assert "32 responses" not in caption.value, caption.value


def test_team_detail_of_an_unknown_team_warns_and_offers_the_picker(app):
    at = team_detail(app, "Nowhere")
    assert not at.exception
    assert [w.value for w in at.warning] == ["There is no team called 'Nowhere'; choose one below."]
    assert at.selectbox(key="detail_team").value is not None
    assert at.query_params["team"] == at.title[0].value  # the link now names the team shown


def test_team_detail_picker_updates_the_link(app, demo_path):
    at = team_detail(app, "Distribution Centre")
    at.selectbox(key="detail_team").select(team_ids(demo_path)["Logistics Planning"]).run()
    assert not at.exception
    assert at.query_params["team"] == "Logistics Planning"
    assert [t.value for t in at.title] == ["Logistics Planning"]
    assert metric(at, "Complete responses (n)") == "17"
    path = next(d.value for d in at.dataframe if "Team" in d.value.columns)
    assert path["Team"].tolist() == ["Logistics Planning", "Supply Chain (all)", "All teams"]


def test_readiness_warm_rerun_time(app):
    """Measures (does not assert) how long a rerun of the Readiness page takes once its caches are warm."""
    at = readiness_page(app)
    assert not at.exception
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        at.run()
        timings.append(time.perf_counter() - start)
    assert not at.exception
    assert len(heatmap_teams(at)) == 17
    print(f"Readiness warm rerun: median {statistics.median(timings):.3f} s of {[round(t, 3) for t in timings]}")


def test_a_team_mean_exactly_at_the_threshold_is_its_barrier_point(app, demo_path):
    # Logistics Planning's 17 respondents score Awareness 51/17 = 3 exactly; summed in floating point
    # the mean comes out as 3.0000000000000004, which a bare "at or below 3" would miss.
    at = readiness_page(app)
    at.selectbox(key="team").select(team_ids(demo_path)["Supply Chain"]).run()
    assert not at.exception
    cells = chart_data(at.get("vega_lite_chart")[0]).drop_duplicates(["team_name", "element"])
    cells = cells.set_index(["team_name", "element"])
    assert cells.loc[("Logistics Planning", "Awareness"), "text"] == "3.00\nn=17"
    assert bool(cells.loc[("Logistics Planning", "Awareness"), "barrier"])

    at = team_detail(app, "Logistics Planning")
    assert metric(at, "Barrier point now") == "Awareness"


def test_opening_the_workspace_for_a_run_keeps_the_page_caches(demo_path, monkeypatch):
    # app.py opens the workspace on every run and the cached queries are keyed by ui._stamp. SQLite
    # creates a fresh -wal when a connection opens and deletes it when the last one closes: a stamp
    # taken from the -wal's mtime would change on a run that writes nothing, and every cache would miss.
    monkeypatch.setenv("CXCHANGE_DB", str(demo_path))
    before = ui._stamp(demo_path)
    database = ui.open_workspace()
    try:
        assert store.count(database, "responses") > 0  # a read, no write
        assert ui._stamp(demo_path) == before
    finally:
        database.close()
