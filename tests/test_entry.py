"""Team-level entry: validation that names row, column and value; entered means count everywhere, weighted by n."""

from __future__ import annotations

import pandas as pd
import pytest

from cxchange import entry, readiness, services, store


def grid(*rows: dict) -> pd.DataFrame:
    frame = entry.empty_grid()
    return pd.concat([frame, pd.DataFrame(list(rows))], ignore_index=True)


ROW = {"Team": "HR & People", "Awareness": 4.0, "Desire": 3.0, "Knowledge": 3.0, "Ability": 2.0, "Reinforcement": 3.0}


@pytest.fixture
def team_ids(demo_db) -> dict[str, int]:
    teams = store.org.teams(demo_db)
    return dict(zip(teams["name"], teams["id"], strict=True))


def test_a_valid_grid_gives_one_row_per_team_and_element(team_ids):
    rows, problems = entry.check_grid(grid(ROW | {"n": 12, "sd (optional)": 0.8}), team_ids)
    assert problems == []
    assert rows["element"].tolist() == ["awareness", "desire", "knowledge", "ability", "reinforcement"]
    assert rows["n"].eq(12).all()
    assert rows["mean"].tolist() == [4.0, 3.0, 3.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Team": "Narnia"}, "Row 1, Team: 'Narnia' is not a team of this workspace."),
        ({"Awareness": 6.0}, "Row 1, Awareness: 6 must be a mean between 1 and 5."),
        ({"Ability": None}, "Row 1, Ability: (empty) must be a mean between 1 and 5."),
        ({"n": 0}, "Row 1, n: 0 must be a whole number of respondents, at least 1."),
        ({"n": 2.5}, "Row 1, n: 2.5 must be a whole number of respondents, at least 1."),
        ({"sd (optional)": -1.0}, "Row 1, sd (optional): -1 cannot be negative."),
    ],
)
def test_bad_cells_are_named_by_row_column_and_value(team_ids, change, message):
    rows, problems = entry.check_grid(grid(ROW | {"n": 12} | change), team_ids)
    assert problems == [message]


def test_a_team_twice_is_refused_and_blank_rows_ignored(team_ids):
    _, problems = entry.check_grid(grid(ROW | {"n": 12}, {}, ROW | {"n": 3}), team_ids)
    assert problems == ["Row 3, Team: HR & People appears twice; keep one row per team."]


def test_entered_means_roll_up_weighted_by_n_and_say_no_test_is_possible(demo_db, team_ids):
    waves = store.org.waves(demo_db, 1)
    latest = int(waves["id"].iloc[-1])
    settings = store.settings.settings(demo_db)
    before = services.readiness_by_team(demo_db, settings, 1)
    hr_before = before[(before["wave_id"] == latest) & (before["team"] == "HR & People")].iloc[0]
    org_before = before[(before["wave_id"] == latest) & (before["team_id"] == 0)].iloc[0]

    rows, _ = entry.check_grid(grid(ROW | {"n": 12}), team_ids)
    batch = services.save_team_results(demo_db, latest, rows, "test")
    after = services.readiness_by_team(demo_db, settings, 1)
    hr = after[(after["wave_id"] == latest) & (after["team"] == "HR & People")].iloc[0]
    org = after[(after["wave_id"] == latest) & (after["team_id"] == 0)].iloc[0]

    # survey respondents and the 12 entered count together, each mean weighted by its n
    assert hr["n"] == hr_before["n"] + 12
    expected = (hr_before["awareness"] * hr_before["n"] + 4.0 * 12) / (hr_before["n"] + 12)
    assert hr["awareness"] == pytest.approx(expected)
    assert org["n"] == org_before["n"] + 12
    assert pd.isna(hr["readiness_sd"])  # entered means carry no spread: no CI, no test
    assert pd.isna(org["ci_low"])
    change = readiness.change_between(after, int(hr["team_id"]), latest)
    assert change.describe().startswith("No test possible against 2026 Q3: team-level results")
    table = readiness.team_table(after, latest, 5).set_index("Team")
    assert table.loc["HR & People", "Source"] == "team-level entry: no significance test possible"
    assert table.loc["Stores North", "Source"] == "survey"

    assert services.undo_batch(demo_db, batch) == 1
    restored = services.readiness_by_team(demo_db, settings, 1)
    assert (
        restored[(restored["wave_id"] == latest) & (restored["team"] == "HR & People")].iloc[0]["n"] == hr_before["n"]
    )


def test_saving_again_replaces_a_teams_entry(demo_db, team_ids):
    wave = int(store.org.waves(demo_db, 1)["id"].iloc[-1])
    services.save_team_results(demo_db, wave, entry.check_grid(grid(ROW | {"n": 12}), team_ids)[0], "test")
    services.save_team_results(demo_db, wave, entry.check_grid(grid(ROW | {"n": 20}), team_ids)[0], "test")
    results = store.responses.team_results(demo_db, wave)
    assert len(results) == 5
    assert results["n"].eq(20).all()
    names = {v: k for k, v in team_ids.items()}
    shown = entry.grid_from_results(results, names)
    assert shown.loc[0, "Team"] == "HR & People"
    assert shown.loc[0, "n"] == 20


def test_a_team_known_only_from_entered_means_is_suppressed_below_the_minimum(demo_db, team_ids):
    wave = int(store.org.waves(demo_db, 1)["id"].iloc[-1])
    services.save_team_results(
        demo_db, wave, entry.check_grid(grid(ROW | {"Team": "Stores", "n": 3}), team_ids)[0], "test"
    )
    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), 1)
    stores = frame[(frame["wave_id"] == wave) & (frame["team"] == "Stores")].iloc[0]
    assert not stores["suppressed"]
    assert stores["direct_n"] == 3
    # Stores minus its shown children would reveal the 3 entered at Stores itself: a child is hidden too
    children = frame[(frame["wave_id"] == wave) & (frame["parent_id"] == stores["team_id"])]
    assert children["suppression"].tolist().count("complementary") == 1


def test_a_team_taken_out_of_the_grid_is_taken_out_of_the_results(demo_db, team_ids):
    wave = int(store.org.waves(demo_db, 1)["id"].iloc[-1])
    two = grid(ROW | {"n": 12}, ROW | {"Team": "Store Support", "n": 7})
    services.save_team_results(demo_db, wave, entry.check_grid(two, team_ids)[0], "test")
    services.save_team_results(demo_db, wave, entry.check_grid(grid(ROW | {"n": 12}), team_ids)[0], "test")
    assert set(store.responses.team_results(demo_db, wave)["team_id"]) == {team_ids["HR & People"]}


def test_an_entry_cannot_be_subtracted_to_reveal_a_few_survey_responses(demo_db, team_ids):
    # Customer Insight has 2-4 survey responses; with 9 entered beside them, total minus entry = the few.
    wave = int(store.org.waves(demo_db, 1)["id"].iloc[-1])
    row = ROW | {"Team": "Customer Insight", "n": 9}
    services.save_team_results(demo_db, wave, entry.check_grid(grid(row), team_ids)[0], "test")
    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), 1)
    insight = frame[(frame["wave_id"] == wave) & (frame["team"] == "Customer Insight")].iloc[0]
    assert insight["suppressed"]
    assert pd.isna(insight["awareness"])


def test_a_public_entry_is_counted_as_known_when_hiding_its_siblings(demo_db, team_ids):
    # Store Support and HR & People sit at the top. Enter means for a new team under Stores with no
    # survey: its figures are public in the grid, so Stores minus it minus its shown siblings must
    # still leave nobody or at least five.
    wave = int(store.org.waves(demo_db, 1)["id"].iloc[-1])
    demo_db.execute("INSERT INTO teams (id, name, parent_id, headcount) VALUES (99, 'Stores Pop-up', 1, 8)")
    team_ids = team_ids | {"Stores Pop-up": 99}
    services.save_team_results(
        demo_db, wave, entry.check_grid(grid(ROW | {"Team": "Stores Pop-up", "n": 6}), team_ids)[0], "t"
    )
    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), 1)
    rows = frame[frame["wave_id"] == wave].set_index("team_id")
    stores_children = rows[rows["parent_id"] == 1]
    shown = stores_children[~stores_children["suppressed"]]["n"].sum()
    popup = rows.loc[99, "n"]
    remainder = rows.loc[1, "n"] - shown - (popup if rows.loc[99, "suppressed"] else 0)
    assert remainder == 0 or remainder >= 5
