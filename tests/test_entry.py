"""Team-level entry: validation that names row, column and value; entered means count everywhere, weighted by n."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cxchange import entry, readiness, services, store
from cxchange.importing import ImportRejected


def grid(*rows: dict) -> pd.DataFrame:
    frame = entry.empty_grid()
    return pd.concat([frame, pd.DataFrame(list(rows))], ignore_index=True)


ROW = {"Team": "HR & People", "Awareness": 4.0, "Desire": 3.0, "Knowledge": 3.0, "Ability": 2.0, "Reinforcement": 3.0}


@pytest.fixture(autouse=True)
def _own(own_workspace: Path) -> None:
    """Entries go into a workspace of the customer's own: the demo refuses them (see test_demo_refuses_entries)."""


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
        ({"Awareness": 6.0}, "Row 1, Awareness: 6 is outside 1–5."),
        ({"Desire": "high"}, "Row 1, Desire: 'high' is not a number."),
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
    # Stores minus its shown children would reveal the 3 entered at Stores itself: a child is hidden too;
    # and since the entry is public, Stores minus it minus the two others would give that child back: a second.
    children = frame[(frame["wave_id"] == wave) & (frame["parent_id"] == stores["team_id"])]
    assert children["suppression"].tolist().count("complementary") == 2


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


# Team-level results from a file -----------------------------------------------------------------

GOOD_FILE = (
    b"Team,n,Awareness,Desire,Knowledge,Ability,Reinforcement,awareness_sd\n"
    b"HR & People,12,4,3.5,3,2,3,0.8\n"
    b"store support,9,3,3,3,3,3,\n"
)


def test_a_file_is_read_into_the_grid_and_checked_by_the_grids_rules(team_ids):
    found = entry.read_team_results(GOOD_FILE, "results.csv")
    rows, problems = entry.check_results_file(found, team_ids)
    assert problems == []
    hr = rows[rows["team_id"] == team_ids["HR & People"]].set_index("element")
    assert hr["mean"].tolist() == [4.0, 3.5, 3.0, 2.0, 3.0]
    assert hr.loc["awareness", "sd"] == 0.8  # its own sd; the other elements have none
    assert pd.isna(hr.loc["desire", "sd"])
    assert set(rows.loc[rows["team_id"] == team_ids["Store Support"], "n"]) == {9}  # team matched ignoring case


def test_headers_match_ignoring_case_spaces_and_underscores_and_semicolon_files_read_decimal_commas(team_ids):
    data = "TEAM ; N ;awareness;DESIRE;Knowledge ;ability;Reinforcement;SD (optional)\nHR & People;12;3,5;4;4;4;4;0,9\n"
    found = entry.read_team_results(data.encode("cp1252"), "results.csv")
    rows, problems = entry.check_results_file(found, team_ids)
    assert problems == []
    assert rows["mean"].tolist() == [3.5, 4.0, 4.0, 4.0, 4.0]
    assert rows["sd"].eq(0.9).all()  # one sd for all five


def test_each_bad_cell_of_a_file_is_named_by_its_row_in_the_file_its_header_and_value(team_ids):
    data = (
        b"team,n,awareness,desire,knowledge,ability,reinforcement\n"
        b"HR & People,12,34,3.5,3,2,3\n"
        b"Store Support,2.5,4,4,4,4,0\n"
    )
    rows, problems = entry.check_results_file(entry.read_team_results(data, "results.csv"), team_ids)
    assert rows.empty  # all or nothing
    assert problems == [
        "Row 2, awareness: 34 is outside 1–5.",
        "Row 3, n: 2.5 must be a whole number of respondents, at least 1.",
        "Row 3, reinforcement: 0 is outside 1–5.",
    ]


def test_an_unknown_team_is_named_with_the_teams_there_are(team_ids):
    data = b"team,n,awareness,desire,knowledge,ability,reinforcement\nNarnia,12,4,4,4,4,4\n"
    _, problems = entry.check_results_file(entry.read_team_results(data, "results.csv"), team_ids)
    assert len(problems) == 1
    assert problems[0].startswith("Row 2, team: 'Narnia' is not a team of this workspace; teams are: Complaints")
    assert "HR & People" in problems[0]


def test_a_file_without_a_needed_column_is_refused_in_one_sentence():
    data = b"team,n,awareness,desire,knowledge,ability\nHR & People,12,4,4,4,4\n"
    with pytest.raises(ImportRejected, match=r"^results.csv has no column for Reinforcement: it needs team, n, "):
        entry.read_team_results(data, "results.csv")


def test_entering_a_file_writes_one_batch_replacing_only_its_teams(demo_db, team_ids):
    wave = int(store.org.waves(demo_db, 1)["id"].iloc[-1])
    services.save_team_results(
        demo_db, wave, entry.check_grid(grid(ROW | {"Team": "Stores", "n": 6}), team_ids)[0], "t"
    )
    dry = services.enter_team_results(demo_db, GOOD_FILE, "results.csv", "2026 Q4", dry_run=True)
    assert dry.preview["Team"].tolist() == ["HR & People", "Store Support"]
    assert store.responses.team_results(demo_db, wave)["team_id"].nunique() == 1  # the dry run wrote nothing
    done = services.enter_team_results(demo_db, GOOD_FILE, "results.csv", "2026 Q4", "Customer First")
    stored = store.responses.team_results(demo_db, wave)
    assert set(stored["team_id"]) == {team_ids["Stores"], team_ids["HR & People"], team_ids["Store Support"]}
    assert done.report_lines()[0] == (
        f"Entered team-level results of 2 teams from results.csv into 2026 Q4 (Customer First), batch {done.batch_id}."
    )
    assert services.undo_batch(demo_db, done.batch_id) == 2
    assert set(store.responses.team_results(demo_db, wave)["team_id"]) == {team_ids["Stores"]}


def test_entering_the_same_file_again_leaves_one_entry_in_the_history(demo_db):
    first = services.enter_team_results(demo_db, GOOD_FILE, "results.csv", "2026 Q4", "Customer First")
    again = services.enter_team_results(demo_db, GOOD_FILE, "results.csv", "2026 Q4", "Customer First")
    entries = store.responses.batches(demo_db).query("kind == 'team results'")
    # The second entry replaced every row of the first: the first has nothing left to undo and is gone.
    assert entries["id"].tolist() == [again.batch_id]
    assert first.batch_id != again.batch_id
    assert services.undo_batch(demo_db, again.batch_id) == 2


def test_a_file_with_any_problem_or_an_unknown_wave_writes_nothing(demo_db):
    before = store.count(demo_db, "import_batches")
    bad = GOOD_FILE.replace(b"store support,9", b"store support,0")
    with pytest.raises(ImportRejected, match="^Nothing was entered from results.csv: Row 3, n: 0 must be"):
        services.enter_team_results(demo_db, bad, "results.csv", "2026 Q4")
    with pytest.raises(LookupError, match="no wave called 'Spring'; its waves are: 2025 Q3, .*2026 Q4"):
        services.enter_team_results(demo_db, GOOD_FILE, "results.csv", "Spring")
    assert store.count(demo_db, "import_batches") == before
    assert store.count(demo_db, "team_results") == 0


def test_demo_refuses_entries(demo_file: Path, tmp_path: Path):
    """Team-level results from a file are real figures: the demo workspace refuses them, naming what to do
    (the entry grid's Save is disabled in the demo: see test_pages)."""
    demo = tmp_path / "demo.db"
    demo.write_bytes(demo_file.read_bytes())
    database = store.open_db(demo)
    try:
        before = store.count(database, "team_results")
        with pytest.raises(
            ImportRejected, match=r"^results\.csv cannot go into the demo workspace: .* Start an empty "
        ):
            services.enter_team_results(database, b"team,n\nHR & People,12\n", "results.csv", "2026 Q4")
        assert store.count(database, "team_results") == before
    finally:
        database.close()
