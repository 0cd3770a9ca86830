"""The organisation: the team tree from the grid and from org files, merges and their undo, initiatives,
waves and the question bank, through the pure rules, the services and the command line on real files."""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import Workbook

from cxchange import organisation, questions, services, store
from cxchange.importing.reading import ImportRejected

TODAY = date(2027, 1, 15)


def snapshot(db) -> dict[str, list]:
    """Every table's rows, sorted: two snapshots are equal only where nothing changed anywhere (but in the
    audit trail, which keeps the write and its undo both)."""
    tables = [
        row[0]
        for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'audit' ORDER BY name")
    ]
    return {table: sorted(map(repr, db.execute(f"SELECT * FROM [{table}]").fetchall())) for table in tables}


def teams_by_name(db) -> pd.DataFrame:
    return store.org.teams(db).set_index("name")


@pytest.fixture
def tree(db):
    """Retail (Stores North, Stores South below it) and Digital, saved through the grid's service."""
    services.save_teams(
        db,
        [
            {"row": "Row 1", "id": None, "name": "Retail", "parent": None, "headcount": 10},
            {"row": "Row 2", "id": None, "name": "Stores North", "parent": "Retail", "headcount": 40},
            {"row": "Row 3", "id": None, "name": "Stores South", "parent": "Retail", "headcount": 35},
            {"row": "Row 4", "id": None, "name": "Digital", "parent": None, "headcount": None},
        ],
        today=TODAY,
    )
    return db


# The pure rules --------------------------------------------------------------------------------


def empty_teams() -> pd.DataFrame:
    return pd.DataFrame(columns=["id", "name", "parent_id", "headcount", "code", "archived_on"])


def test_a_parent_may_be_a_team_of_a_later_row():
    plan = organisation.plan_teams(
        empty_teams(), [{"row": "Row 1", "name": "North", "parent": "retail"}, {"row": "Row 2", "name": "Retail"}]
    )
    assert plan.problems == []
    assert [(team.name, team.parent, team.outcome) for team in plan.teams] == [
        ("North", "Retail", "create"),
        ("Retail", None, "create"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (12.0, 12),
        (" 7 ", 7),
        ("", None),
        (-3, "Row 2, headcount: -3 is negative: give how many people are in the team, 0 or more."),
        ("12.5", "Row 2, headcount: '12.5' is not a whole number of people."),
        ("many", "Row 2, headcount: 'many' is not a number: give how many people are in the team itself."),
    ],
)
def test_headcount_is_a_whole_number_of_zero_or_more(value, expected):
    number, problem = organisation.check_headcount(value, "Row 2")
    assert (problem if isinstance(expected, str) else number) == expected


def test_every_bad_row_gets_its_sentence():
    rows = [
        {"row": "Row 1", "name": "A", "parent": "B"},
        {"row": "Row 2", "name": "B", "parent": "A"},
        {"row": "Row 3", "name": "C", "parent": "Nowhere"},
        {"row": "Row 4", "name": "D", "headcount": -1},
        {"row": "Row 5", "name": "x" * 121},
        {"row": "Row 6", "name": "Tab\u200bbed"},
        {"row": "Row 7", "name": "  "},
        {"row": "Row 8", "name": "a"},
    ]
    problems = organisation.plan_teams(empty_teams(), rows).problems
    assert "Row 1, parent team: B would put A below itself (A → B → A)." in problems
    assert "Row 3, parent team: 'Nowhere' is not a team of this workspace or of these rows." in problems
    assert "Row 4, headcount: -1 is negative: give how many people are in the team, 0 or more." in problems
    assert any(p.startswith("Row 5, team: A team name may have at most 120 characters") for p in problems)
    assert any(p.startswith("Row 6, team: The team name") and "invisible" in p for p in problems)
    assert "Row 7, team: A team needs a name." in problems
    assert "Row 8, team: 'a' is already the name of Row 1 (A): choose another name." in problems
    assert len([p for p in problems if "below itself" in p]) == 1  # one loop, one sentence


def test_a_lookalike_of_a_stored_team_is_refused_and_a_team_cannot_report_to_itself():
    stored = pd.DataFrame(
        [{"id": 1, "name": "Stores North", "parent_id": None, "headcount": 4, "code": None, "archived_on": None}]
    )
    problems = organisation.plan_teams(
        stored, [{"row": "Row 2", "name": "St\u043eres North"}, {"row": "Row 3", "id": 1, "parent": "stores north"}]
    ).problems
    assert problems[0].startswith("Row 2, team: 'Stоres North' only looks like 'Stores North'")
    assert "Row 3, parent team: Stores North cannot report to itself." in problems


def test_archiving_a_team_that_others_report_to_is_refused(tree):
    teams = store.org.teams(tree)
    retail = int(teams_by_name(tree).loc["Retail", "id"])
    plan = organisation.plan_teams(teams, [{"row": "Row 1", "id": retail, "archived": True}])
    assert plan.problems == [
        "Row 1, archived: Retail cannot be archived while Stores North, Stores South report to it: move them first."
    ]


def test_the_grid_gives_only_the_rows_that_changed(tree):
    grid = organisation.team_grid(store.org.teams(tree))
    assert grid["Team"].tolist() == ["Digital", "Retail", "Stores North", "Stores South"]
    edited = grid.copy()
    edited.loc[edited["Team"] == "Stores North", "Headcount"] = 42
    edited = pd.concat([edited, pd.DataFrame([{"Team": "Online", "Parent team": "Digital"}])], ignore_index=True)
    rows = organisation.grid_rows(grid, edited)
    assert [(row["row"], row["name"]) for row in rows] == [("Row 3", "Stores North"), ("Row 5", "Online")]


def test_item_codes_follow_the_element_prefix(db):
    items = store.bank.items(db)
    assert questions.next_code(items, "awareness") == "AW4"
    assert questions.check_item(items, "ability", "I can use the new tools.") == {
        "code": "AB4",
        "element": "ability",
        "text": "I can use the new tools.",
    }
    with pytest.raises(ValueError, match="Wording: AW1 already says"):
        questions.check_item(
            items, "desire", "  i understand why our customer experience programme is changing how we work. "
        )
    with pytest.raises(ValueError, match="Code: AW1 is already used"):
        questions.check_item(items, "awareness", "Something new.", "aw1")


# Teams through the service ---------------------------------------------------------------------


def test_the_grid_saves_adds_renames_reparents_and_archives(tree):
    ids = teams_by_name(tree)["id"]
    plan = services.save_teams(
        tree,
        [
            {"row": "Row 1", "id": int(ids["Stores North"]), "name": "Stores  North-East", "parent": "Digital"},
            {"row": "Row 2", "id": int(ids["Stores South"]), "archived": True},
            {"row": "Row 5", "id": None, "name": "Online", "parent": "Digital", "headcount": "12"},
        ],
        today=TODAY,
    )
    assert plan.counts() == {"create": 1, "update": 2, "unchanged": 0}
    teams = teams_by_name(tree)
    assert teams.loc["Stores North-East", "parent_id"] == ids["Digital"]
    assert teams.loc["Online", "headcount"] == 12
    assert teams.loc["Stores South", "archived_on"] == TODAY.isoformat()
    assert "Stores South" not in store.org.team_ids(tree)
    assert "Stores South" in set(store.org.teams(tree)["name"])  # history keeps it
    assert "Stores South" not in set(store.org.teams(tree, archived=False)["name"])


def test_a_refused_grid_changes_nothing(tree):
    before = snapshot(tree)
    ids = teams_by_name(tree)["id"]
    with pytest.raises(services.TeamsRefused) as refused:
        services.save_teams(
            tree,
            [
                {"row": "Row 1", "id": int(ids["Retail"]), "parent": "Stores North"},
                {"row": "Row 5", "id": None, "name": "Online", "headcount": 3},
            ],
        )
    assert refused.value.problems == [
        "Row 1, parent team: Stores North would put Retail below itself (Retail → Stores North → Retail)."
    ]
    assert snapshot(tree) == before


def test_a_name_an_archived_team_keeps_cannot_be_reused(tree):
    ids = teams_by_name(tree)["id"]
    services.save_teams(tree, [{"row": "Row 1", "id": int(ids["Digital"]), "archived": True}], today=TODAY)
    with pytest.raises(services.TeamsRefused, match="'digital' is already the name of the archived team Digital"):
        services.save_teams(tree, [{"row": "Row 5", "id": None, "name": "digital"}])


# The org file ----------------------------------------------------------------------------------


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    path = pd.io.common.BytesIO()
    book.save(path)
    return path.getvalue()


def test_an_org_file_builds_the_tree_then_updates_it(db, tmp_path, cli):
    path = tmp_path / "org.csv"
    path.write_text(
        "Team Code;Team;Reports to;People\nN1;Stores North;Retail;40\nR;Retail;;10\nD;Digital;;\n", encoding="utf-8"
    )
    db_file = tmp_path / "cxchange.db"
    dry = cli("teams", "import", str(path), "--db", str(db_file), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Row 2: create Stores North (under Retail, 40 people)." in dry.stdout
    assert "Dry run, nothing written: 3 teams to create, 0 to update, 0 unchanged." in dry.stdout
    assert store.count(store.open_db(db_file), "teams") == 0

    done = cli("teams", "import", str(path), "--db", str(db_file))
    assert done.returncode == 0, done.stderr
    assert "Saved: 3 teams to create" in done.stdout
    teams = teams_by_name(store.open_db(db_file))
    assert teams.loc["Stores North", "parent_id"] == teams.loc["Retail", "id"]
    assert teams.loc["Stores North", "code"] == "N1"

    # Matched by code first (a rename), then by name key; a blank headcount keeps the stored one.
    path.write_bytes(
        xlsx(
            [
                ["team", "Parent", "Headcount", "code"],
                ["North stores", "retail", 42, "N1"],
                ["DIGITAL", None, None, None],
            ]
        )
    )
    again = cli("teams", "import", str(path), "--db", str(db_file))
    assert again.returncode == 0, again.stderr
    assert "Row 2: update North stores: renamed from Stores North; headcount 40 → 42." in again.stdout
    assert "Row 3: Digital unchanged." in again.stdout
    assert set(store.org.teams(store.open_db(db_file))["name"]) == {"North stores", "Retail", "Digital"}


BAD_FILES = {
    "cycle": ("team,parent team,headcount\nA,B,1\nB,A,2\n", "Row 2, parent team: B would put A below itself"),
    "unknown parent": ("team,parent team,headcount\nA,Nowhere,1\n", "Row 2, parent team: 'Nowhere' is not a team"),
    "negative headcount": ("team,parent team,headcount\nA,,-5\n", "Row 2, headcount: '-5' is negative"),
    "duplicate": ("team,parent team,headcount\nA,,1\n a ,,2\n", "Row 3, team: 'a' is already on row 2 of the file"),
    "lookalike": ("team,parent team,headcount\nSt\u043eres North,,1\n", "Row 2, team: 'Stоres North' only looks like"),
    "too long": (f"team,parent team,headcount\n{'x' * 130},,1\n", "Row 2, team: A team name may have at most 120"),
    "no team column": ("who,parent\nA,B\n", "org.csv needs a column naming each team"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_org_file_says_why_and_changes_nothing(kind, tree, db_path, tmp_path, cli):
    content, message = BAD_FILES[kind]
    path = tmp_path / "org.csv"
    path.write_text(content, encoding="utf-8")
    before = snapshot(tree)
    result = cli("teams", "import", str(path), "--db", str(db_path))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(store.open_db(db_path)) == before


def test_the_service_reports_an_org_file_problem_without_writing(tree):
    before = snapshot(tree)
    found = services.import_teams(tree, b"team,parent\nOnline,Digital\nOnline,Retail\n", "org.csv")
    assert found.problems == ["Row 3, team: 'Online' is already on row 2 of the file: give each team once."]
    assert not found.written
    assert snapshot(tree) == before
    with pytest.raises(ImportRejected):
        services.import_teams(tree, b"", "org.csv")


# Merges ----------------------------------------------------------------------------------------


@pytest.fixture
def merge_demo(demo_db):
    """The demo with one row of every kind that a merge moves on Stores South."""
    teams = teams_by_name(demo_db)["id"]
    south, north = int(teams["Stores South"]), int(teams["Stores North"])
    initiative = int(store.org.initiatives(demo_db)["id"].iloc[0])
    wave = int(store.org.waves(demo_db, initiative)["id"].iloc[-1])
    demo_db.execute("DELETE FROM team_results WHERE team_id IN (:a, :b)", {"a": south, "b": north})
    demo_db.execute("DELETE FROM cx_outcomes WHERE team_id = :a", {"a": north})
    demo_db.execute(
        "INSERT INTO team_results (team_id, wave_id, element, mean, n) VALUES (:t, :w, 'awareness', 3.5, 12)",
        {"t": south, "w": wave},
    )
    services.add_action(
        demo_db, initiative, "Huddle in the south", owner="Ana", due_on="2027-02-01", team_id=south, today=TODAY
    )
    services.add_sponsor_activity(demo_db, initiative, "Ana", "2027-01-10", "site visit", team_id=south, today=TODAY)
    services.add_champion(demo_db, "Sol", south, "2026-06-01")
    services.save_teams(demo_db, [{"row": "Row 1", "id": None, "name": "South Kiosks", "parent": "Stores South"}])
    return demo_db, south, north


def counts_of(db, team: int) -> dict[str, int]:
    return {kind: len(rows) for kind, rows in store.org.team_rows(db, team).items()}


def test_merge_moves_every_kind_of_row_and_undo_puts_it_back(merge_demo):
    db, south, north = merge_demo
    before = snapshot(db)
    south_rows = counts_of(db, south)
    north_rows = counts_of(db, north)
    assert all(south_rows.values()), south_rows  # one of every kind to move
    headcounts = teams_by_name(db)["headcount"]

    merged = services.merge_teams(db, south, north, merged_by="tester", now=datetime(2027, 1, 20, 9, 0))
    assert merged["summary"].startswith("Merged Stores South into Stores North: ")
    assert counts_of(db, south) == {kind: 0 for kind in south_rows}
    assert counts_of(db, north) == {kind: north_rows[kind] + south_rows[kind] for kind in south_rows}
    teams = teams_by_name(db)
    assert teams.loc["Stores South", "archived_on"] == "2027-01-20"
    assert teams.loc["Stores North", "headcount"] == headcounts["Stores North"] + headcounts["Stores South"]
    assert teams.loc["South Kiosks", "parent_id"] == north
    ids = store.org.team_ids(db)
    assert ids["Stores South"] == north  # a file naming the old team reaches the one it went into
    recorded = json.loads(store.org.merges(db)["moved"].iloc[0])
    assert len(recorded["responses"]) == south_rows["responses"]

    sentence = services.undo_merge(db, merged["id"], now=datetime(2027, 1, 21))
    assert sentence.startswith("Undid the merge of Stores South into Stores North: ")
    after = snapshot(db)
    assert after.pop("team_merges") != before.pop("team_merges")  # the merge stays on record, undone
    assert after == before
    assert store.org.team_ids(db)["Stores South"] == south


def test_merge_refuses_a_clash_and_an_undo_out_of_order(merge_demo):
    db, south, north = merge_demo
    initiative = int(store.org.initiatives(db)["id"].iloc[0])
    wave = store.org.waves(db, initiative).iloc[-1]
    db.execute(
        "INSERT INTO team_results (team_id, wave_id, element, mean, n) VALUES (:t, :w, 'awareness', 4, 8)",
        {"t": north, "w": int(wave["id"])},
    )
    before = snapshot(db)
    with pytest.raises(ValueError, match=f"both have entered results for {wave['name']} awareness: the team kept"):
        services.merge_teams(db, south, north)
    assert snapshot(db) == before
    with pytest.raises(ValueError, match="is below Stores South"):
        services.merge_teams(db, south, int(teams_by_name(db).loc["South Kiosks", "id"]))

    retail = int(teams_by_name(db).loc["Stores North", "parent_id"])
    digital = int(teams_by_name(db).loc["E-commerce", "id"])
    first = services.merge_teams(db, int(teams_by_name(db).loc["South Kiosks", "id"]), digital)
    services.merge_teams(db, digital, retail)
    with pytest.raises(ValueError, match="undo the later merge of E-commerce into"):
        services.undo_merge(db, first["id"])
    assert store.org.team_ids(db)["South Kiosks"] == retail  # through both merges


# Initiatives, waves and the bank ---------------------------------------------------------------


def test_initiatives_are_created_renamed_and_archived(db):
    first = services.add_initiative(db, "CX 2027", owner="Ana Ruiz", sponsor="COO", today=TODAY)
    with pytest.raises(ValueError, match="already an initiative called CX 2027"):
        services.add_initiative(db, " cx  2027 ")
    services.update_initiative(db, first, "CX programme 2027", "Ana Ruiz", "Chief Operating Officer")
    row = store.org.initiatives(db).iloc[0]
    assert (row["name"], row["owner"], row["sponsor"]) == ("CX programme 2027", "Ana Ruiz", "Chief Operating Officer")
    services.archive_initiative(db, first, today=TODAY)
    assert store.org.initiatives(db, archived=False).empty


def test_waves_order_by_opening_date_whatever_their_creation(db, tmp_path, cli):
    path = tmp_path / "cx.db"
    created = cli("waves", "add", "2027 Q2", "--db", str(path), "--initiative", "CX", "--opens", "2027-04-01")
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "Created initiative CX. Added wave 2027 Q2 to CX, opening 2027-04-01."
    assert (
        cli(
            "waves",
            "add",
            "2027 Q1",
            "--db",
            str(path),
            "--initiative",
            "CX",
            "--opens",
            "2027-01-04",
            "--closes",
            "2027-01-31",
        ).returncode
        == 0
    )
    assert store.org.waves(store.open_db(path))["name"].tolist() == ["2027 Q1", "2027 Q2"]
    for args, message in [
        (["--opens", "2027-13-01"], "'2027-13-01' is not a date"),
        (
            ["--opens", "2027-05-01", "--closes", "2027-04-01"],
            "cannot close on 2027-04-01, before it opens on 2027-05-01",
        ),
    ]:
        refused = cli("waves", "add", "2027 Q3", "--db", str(path), "--initiative", "CX", *args)
        assert refused.returncode == 2
        assert message in refused.stderr
    again = cli("waves", "add", "2027 q1", "--db", str(path), "--initiative", "CX", "--opens", "2027-01-04")
    assert again.returncode == 2
    assert "CX already has a wave called 2027 q1" in again.stderr
    assert len(store.org.waves(store.open_db(path))) == 2


def test_a_wave_is_edited_and_deleted_only_while_empty(demo_db, db):
    wave, _ = services.add_wave(db, "CX", "Pilot", "2027-02-01")
    services.update_wave(db, wave, "Pilot wave", "2027-02-02", "2027-02-20")
    assert store.org.waves(db).iloc[0][["name", "opened_on", "closes_on"]].tolist() == [
        "Pilot wave",
        "2027-02-02",
        "2027-02-20",
    ]
    assert services.delete_wave(db, wave) == "Pilot wave"
    assert store.org.waves(db).empty
    used = int(store.org.waves(demo_db)["id"].iloc[0])
    with pytest.raises(ValueError, match="holds .* responses: undo its imports"):
        services.delete_wave(demo_db, used)


def test_bank_items_are_added_retired_and_brought_back(db):
    assert services.add_item(db, "awareness", "I know who to ask about the programme.") == "AW4"
    assert services.add_item(db, "outcome", "Customers will notice.", code="oc9") == "OC9"
    services.set_item_active(db, "AW4", False, TODAY)
    items = store.bank.items(db).set_index("code")
    assert (items.loc["AW4", "active"], items.loc["AW4", "retired_on"]) == (0, TODAY.isoformat())
    services.set_item_active(db, "AW4", True)
    assert store.bank.items(db).set_index("code").loc["AW4", "active"] == 1
    table = questions.bank_table(store.bank.items(db)).set_index("Code")
    assert table.loc["AW1", "Came from"] == "default bank"
    assert table.loc["AW4", "Came from"] == "added in Settings"
