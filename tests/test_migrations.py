"""The schema: built from an empty file, safe to apply twice, WAL with foreign keys, shared by processes;
shipped migrations never change, and a file of every schema that shipped opens, imports and reports."""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlite_utils import Database

from cxchange import cli, migrations, services, store

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "tests" / "fixtures" / "schemas"
DUMPS = sorted(SCHEMAS.glob("*.sql"))  # every schema that shipped, oldest first (README.md there)
FIRST_RELEASE = SCHEMAS / "01-first-release-answers-table.sql"
LAST_SHIPPED = DUMPS[-1]
M007_ERA = SCHEMAS / "09-m007-pulses.sql"
M002_ERA = SCHEMAS / "05-m002-health-ticks-champion-batches.sql"
"""The same file imported by fed26eb, whose importer still kept unfinished responses (as incomplete)."""
IMPORTS = ROOT / "tests" / "fixtures" / "imports"
SURVEY = IMPORTS / "googleforms.csv"  # the same ten people the dumps hold (their README)
EXPECTED = json.loads((IMPORTS / "expected.json").read_text(encoding="utf-8"))["files"][SURVEY.name]
ELEMENTS = ("awareness", "desire", "knowledge", "ability", "reinforcement")

# DESIGN.md's Data section, table by table.
DESIGN_TABLES = {
    "teams",
    "initiatives",
    "waves",
    "items",
    "responses",
    "answers",
    "team_results",
    "champions",
    "champion_activities",
    "kotter_steps",
    "kotter_step_history",
    "sponsor_activities",
    "cx_outcomes",
    "actions",
    "import_batches",
    "settings",
}

# sha256 of each migration's source text (inspect.getsource: decorator, signature, docstring, body).
# A migration that has shipped never changes: a file that has applied it will not apply it again.
SHIPPED_MIGRATIONS = {
    "m001_initial": "e0ac28a1bc213e6ace608f50f651e0de6e83106865c0aedcf85732bb2d882e9e",
    "m002_health_ticks_and_champion_batches": "51a5a55a051a6364c88feeb0ff71e47c7ffe2ff8f3f67f78c6586b5e6efc5596",
    "m003_repair_responses_of_older_m001": "2006b762983dcc6714908fe966667e2c38ad67851f460a6896a5b34548ace3a9",
    "m004_organisation_waves_and_bank": "002acfcd8ba56caf9894052cb886c88fd5cc9768bb77f038c3d4bfdb49f04c92",
    "m005_people_and_audit": "1be7fd24069033b19b77dc8a8ca9f60a2b44b75e9f1b298a6c2c82b8edf28408",
    "m006_workshop_sessions": "96c3d5d3582fe80dbcf56602966db94f1fc2a6fb8785c3446908cdc16cb70341",
    "m007_pulses": "cdb93fb582e7c4c74e198b8fbea091847200a87242c5f0cbb29a55a4d9a2b849",
    "m008_pulse_published": "23696039f58674223c82bb4074344ba62a2c1c5a2a5d76ab036aebf294557be5",
}

# Each writer waits for the "go" file, so that both write at the same time, then inserts its
# teams one transaction each, through the storage module.
WRITER = """
import sys, time
from pathlib import Path
from cxchange import store

path, prefix, go, count, open_first = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
# Opened before the start where the writes are what runs side by side (on a busy machine one opening
# can outlast the other's 200 writes); after it where the openings (the migrations) are.
database = store.open_db(path) if open_first == "yes" else None
Path(f"{go}.{prefix}").touch()
deadline = time.monotonic() + 60
while not go.exists():
    if time.monotonic() > deadline:
        sys.exit("never told to start")
    time.sleep(0.001)
database = database or store.open_db(path)
started = time.time()
for number in range(count):
    store.insert_rows(database, "teams", [{"name": f"{prefix} {number}"}])
print(started, time.time())
"""


def load_dump(dump: Path, path: Path) -> Path:
    """A file holding exactly what `dump` holds, written with plain sqlite3 (no migration runs)."""
    connection = sqlite3.connect(path)
    connection.executescript(dump.read_text(encoding="utf-8"))
    connection.close()
    return path


def dump_of(path: Path) -> str:
    """Everything in the file, schema and rows, as SQL text."""
    connection = sqlite3.connect(path)
    try:
        return "\n".join(connection.iterdump())
    finally:
        connection.close()


def run_cli(capsys, *args: str) -> str:
    """One command in-process, as `python -m cxchange` runs it; returns what it printed."""
    capsys.readouterr()
    code = cli.main([str(arg) for arg in args])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    return printed.out


def readiness(capsys, path: Path, wave: str) -> dict:
    document = json.loads(run_cli(capsys, "readiness", "--db", path, "--wave", wave, "--json"))
    assert document["wave"] == wave
    return document


def schema(database) -> list[tuple[str, str, str]]:
    """Every object of the schema with its SQL, in a stable order."""
    return database.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def table_names(database) -> set[str]:
    """Tables and views: answers is a view over each response's answers (one JSON object a response)."""
    return {row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def run_writers(
    path: Path, tmp_path: Path, prefixes: tuple[str, ...], count: int, open_first: bool = False
) -> list[tuple[float, float]]:
    """Start one writer process per prefix, let them go together, return each one's (start, end).

    With `open_first`, each opens the file before the start, so that only the writes run together.
    """
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, str(script), str(path), prefix, str(go), str(count), "yes" if open_first else "no"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for prefix in prefixes
    ]
    try:
        deadline = time.monotonic() + 60
        while not all(Path(f"{go}.{prefix}").exists() for prefix in prefixes):
            assert time.monotonic() < deadline, "writers did not start"
            assert all(process.poll() is None for process in processes), "a writer ended before the start"
            time.sleep(0.005)
        go.touch()
        results = [process.communicate(timeout=120) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
    return [tuple(float(part) for part in out.split()) for out, _ in results]


def test_apply_on_an_empty_file_creates_every_table_and_the_question_bank(tmp_path):
    database = store.connect(tmp_path / "empty.db")
    assert table_names(database) == set()

    migrations.apply(database)

    assert table_names(database) >= DESIGN_TABLES
    # the schema version, as DESIGN.md asks, is kept by sqlite-utils' migrations table
    assert "_sqlite_migrations" in table_names(database)
    assert database.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 16
    database.close()


def test_apply_twice_changes_nothing(tmp_path):
    path = tmp_path / "twice.db"
    database = store.connect(path)
    migrations.apply(database)
    before = schema(database)
    applied = database.execute("SELECT migration_set, name, applied_at FROM _sqlite_migrations").fetchall()

    migrations.apply(database)

    assert schema(database) == before
    assert database.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 16
    assert database.execute("SELECT migration_set, name, applied_at FROM _sqlite_migrations").fetchall() == applied
    database.close()

    # and again from a new connection, as every start of the app does
    reopened = store.open_db(path)
    assert schema(reopened) == before
    assert reopened.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 16
    reopened.close()


def test_apply_keeps_data_already_there(db):
    store.insert_rows(db, "teams", [{"id": 1, "name": "Stores"}])
    db["items"].update("AW1", {"text": "Reworded by the user"})

    migrations.apply(db)

    assert store.count(db, "teams") == 1
    assert db["items"].get("AW1")["text"] == "Reworded by the user"


def test_connection_uses_wal_and_foreign_keys(db_path):
    database = store.open_db(db_path)

    assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    database.close()
    # WAL is a property of the file: a plain connection sees it too
    plain = sqlite3.connect(db_path)
    assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    plain.close()


def test_two_processes_write_to_one_file_at_the_same_time(db_path, tmp_path):
    spans = run_writers(db_path, tmp_path, ("north", "south"), 200, open_first=True)

    database = store.open_db(db_path)
    assert store.count(database, "teams") == 400
    assert database.execute("SELECT COUNT(*) FROM teams WHERE name LIKE 'north %'").fetchone()[0] == 200
    database.close()
    # both started before either finished, so they did run side by side
    (start_a, end_a), (start_b, end_b) = spans
    assert start_a < end_b
    assert start_b < end_a


def test_two_processes_opening_a_new_file_at_once_both_migrate_and_write(tmp_path):
    path = tmp_path / "new.db"

    run_writers(path, tmp_path, ("east", "west"), 50)

    database = store.open_db(path)
    assert store.count(database, "teams") == 100
    assert store.count(database, "items") == 16
    # Each migration applied once, though two processes raced to apply them.
    applied = [row[0] for row in database.execute("SELECT name FROM _sqlite_migrations ORDER BY name")]
    assert applied == list(SHIPPED_MIGRATIONS)
    database.close()


def test_a_foreign_key_violation_is_refused(db):
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        store.insert_rows(db, "teams", [{"id": 2, "name": "Orphan", "parent_id": 999}])
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        store.insert_rows(db, "responses", [{"id": 1, "wave_id": 99, "team_id": 99, "source_hash": "x", "complete": 0}])

    assert store.count(db, "teams") == 0
    assert store.count(db, "responses") == 0


def test_answers_that_are_not_json_are_refused(demo_db):
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        demo_db.execute("UPDATE responses SET answers = 'AW1=4' WHERE id = 1")


def test_deleting_a_parent_team_with_children_is_refused(db):
    store.insert_rows(db, "teams", [{"id": 1, "name": "Stores"}, {"id": 2, "name": "Stores North", "parent_id": 1}])

    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        db.execute("DELETE FROM teams WHERE id = 1")

    assert store.count(db, "teams") == 2


def test_a_workspace_of_the_first_schema_is_brought_up_to_date(tmp_path):
    # A file written by the first release (its own m001, not today's), with a champion in it, gains
    # health ticks and champion batches, and keeps its data.
    path = load_dump(FIRST_RELEASE, tmp_path / "old.db")
    old = sqlite3.connect(path)
    old.execute("INSERT INTO champions (alias, team_id, started_on) VALUES ('Ana', 1, '2026-01-05')")
    old.commit()
    old.close()

    database = store.open_db(path)
    assert database["champions"].get(1)["alias"] == "Ana"
    assert "batch_id" in database["champions"].columns_dict
    assert database["health_ticks"].count == 0
    store.open_db(path).close()  # applying again changes nothing
    assert len(list(database.execute("SELECT name FROM _sqlite_migrations"))) == len(SHIPPED_MIGRATIONS)
    database.close()


def test_shipped_migrations_never_change():
    registered = migrations.migrations.pending(Database(memory=True))  # every migration, in order

    for migration in registered:
        digest = hashlib.sha256(inspect.getsource(migration.fn).encode()).hexdigest()
        assert migration.name in SHIPPED_MIGRATIONS, (
            f"{migration.name} has no recorded hash: record {migration.name!r}: {digest!r} in "
            "SHIPPED_MIGRATIONS; once it is merged it never changes"
        )
        assert digest == SHIPPED_MIGRATIONS[migration.name], (
            f"{migration.name} has shipped and was edited: files that applied it keep their old shape. "
            "Undo the edit and add a new migration instead."
        )
    assert [migration.name for migration in registered] == list(SHIPPED_MIGRATIONS)


@pytest.mark.parametrize("dump", DUMPS, ids=[dump.stem for dump in DUMPS])
def test_a_file_of_every_shipped_schema_ends_in_the_schema_of_a_new_file(dump, tmp_path, capsys):
    new = tmp_path / "new.db"
    run_cli(capsys, "import", SURVEY, "--db", new, "--wave", "Wave 1")  # a new file, made by today's code
    path = load_dump(dump, tmp_path / "old.db")

    readiness(capsys, path, "Wave 1")  # any command opens, and so migrates, the file

    expected, migrated = sqlite3.connect(new), sqlite3.connect(path)
    assert schema(migrated) == schema(expected)
    expected.close()
    migrated.close()
    # the repair, run again on a file in today's shape, changes nothing at all
    before = dump_of(path)
    database = Database(path)
    database.execute("PRAGMA foreign_keys = ON")
    migrations.m003_repair_responses_of_older_m001(database)
    database.close()
    assert dump_of(path) == before


RESPONSE_ROWS = """
    SELECT id, wave_id, team_id, batch_id, source_hash, is_champion, submitted_on, comment, answers, complete,
           awareness, desire, knowledge, ability, reinforcement, outcome, readiness
    FROM responses ORDER BY id
"""


def test_the_first_release_answers_become_the_json_todays_import_writes(tmp_path, capsys):
    repaired = load_dump(FIRST_RELEASE, tmp_path / "first.db")
    written_later = load_dump(M002_ERA, tmp_path / "later.db")  # the same file, imported by fed26eb
    readiness(capsys, repaired, "Wave 1")
    readiness(capsys, written_later, "Wave 1")

    first, later = sqlite3.connect(repaired), sqlite3.connect(written_later)
    rows = first.execute(RESPONSE_ROWS).fetchall()
    assert len(rows) == 9  # 8 complete, 1 incomplete
    assert rows == later.execute(RESPONSE_ROWS).fetchall()  # scores, hashes, comments and answers alike
    # R1 answered every item; R4's "Don't know" (AB3) and R8's blank DE3 stay out of the object
    assert rows[0][8] == (
        '{"AW1":5,"AW2":4,"AW3":5,"DE1":4,"DE2":4,"DE3":5,"KN1":3,"KN2":2,"KN3":3,'
        '"AB1":3,"AB2":3,"AB3":2,"RE1":3,"RE2":2,"RE3":3,"OC1":4}'
    )
    assert "AB3" not in json.loads(rows[3][8])
    assert "DE3" not in json.loads(rows[7][8])
    item_rows = "SELECT response_id, item_code, value FROM answers ORDER BY response_id, item_code"
    assert len(first.execute(item_rows).fetchall()) == 138
    assert first.execute(item_rows).fetchall() == later.execute(item_rows).fetchall()
    first.close()
    later.close()


def test_the_first_release_row_outcomes_become_what_the_import_history_reads(tmp_path, capsys):
    # The first release recorded every row in a list; the Import page's history reads an object
    # (counts, rows, problems, note) and failed on the list ('list' object has no attribute 'get').
    repaired = load_dump(FIRST_RELEASE, tmp_path / "first.db")
    written_later = load_dump(M002_ERA, tmp_path / "later.db")
    readiness(capsys, repaired, "Wave 1")

    def recorded(path: Path) -> dict:
        connection = sqlite3.connect(path)
        (text,) = connection.execute("SELECT row_outcomes FROM import_batches WHERE id = 1").fetchone()
        connection.close()
        return json.loads(text)

    first, later = recorded(repaired), recorded(written_later)
    assert first["counts"] == later["counts"] == {"blank": 1, "incomplete": 1, "duplicate in file": 1, "imported": 8}
    assert first["problems"] == later["problems"]  # R4's "Don't know"
    assert first["note"] == later["note"]
    # the rows not simply imported, each with the reason the first release gave it
    assert [{**row, "reason": None} for row in first["rows"]] == [{**row, "reason": None} for row in later["rows"]]
    assert first["rows"][2]["reason"] == "skipped: the same response appears earlier in the file"


def test_a_repair_that_cannot_finish_leaves_the_file_as_it_was(tmp_path):
    # A response whose team is gone (written with foreign keys off, outside the app) cannot be
    # copied into the repaired table: the repair stops and takes back every step it took.
    path = load_dump(SCHEMAS / "02-answers-json-column.sql", tmp_path / "old.db")
    old = sqlite3.connect(path)
    old.execute("UPDATE responses SET team_id = 99 WHERE id = 9")
    old.commit()
    old.close()
    before = dump_of(path)

    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        cli.main(["readiness", "--db", str(path), "--wave", "Wave 1", "--json"])

    assert dump_of(path) == before  # answers view, UNIQUE constraint, index, m002 not applied: all as they were


def assert_figures(team: dict, expected: dict) -> None:
    """A shown team's n, five means, index and barrier point, as a user reads them (rounded)."""
    assert not team["suppressed"]
    assert team["n"] == expected["n"]
    for element in ELEMENTS:
        assert team[element] == pytest.approx(expected[element], abs=0.005), element
    assert team["readiness_index"] == pytest.approx(expected["readiness_index"], abs=0.005)
    assert team["barrier_point"] == expected["barrier_point"]


@pytest.mark.parametrize("dump", DUMPS, ids=[dump.stem for dump in DUMPS])
def test_a_file_of_every_shipped_schema_takes_an_import_and_reports_readiness(dump, tmp_path, capsys):
    # Each dump holds wave "Wave 1" (the Qualtrics export of the same people, imported by the code of
    # its day) and a minimum reporting group of 3, so Stores North shows and the two smaller teams do not.
    path = load_dump(dump, tmp_path / "workspace.db")

    printed = run_cli(capsys, "import", SURVEY, "--db", path, "--wave", "Wave 2")

    # Google Forms writes no response id: R10, identical to R2, is a person of its own (issue 11)
    assert "9 complete responses, 1 incomplete" in printed
    for wave in ("Wave 1", "Wave 2"):  # the rows the old code wrote, and those written today
        document = readiness(capsys, path, wave)
        assert document["min_group_size"] == 3
        teams = {team["team"]: team for team in document["teams"]}
        assert list(teams) == ["Click & Collect", "Contact Centre", "Stores North"]
        assert teams["Click & Collect"]["suppressed"]
        assert teams["Contact Centre"]["suppressed"]
        assert teams["Click & Collect"]["awareness"] is None
        assert_figures(teams["Stores North"], EXPECTED["teams"]["Stores North"])
    # the file the old code imported is known as imported: nothing is doubled
    again = run_cli(capsys, "import", IMPORTS / "qualtrics_choice_text.csv", "--db", path, "--wave", "Wave 1")
    assert "nothing changed" in again
    assert readiness(capsys, path, "Wave 1")["teams"][2]["n"] == 5


def test_an_empty_file_takes_an_import_and_reports_readiness(tmp_path, capsys):
    # One team for everyone (the file's teams mapped onto Stores North), so the default minimum of 5 shows it.
    path = tmp_path / "new.db"
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"teams": {"Contact Centre": "Stores North", "Click & Collect": "Stores North"}}))

    printed = run_cli(capsys, "import", SURVEY, "--db", path, "--wave", "Wave 1", "--mapping", mapping)

    assert "9 complete responses, 1 incomplete" in printed
    document = readiness(capsys, path, "Wave 1")
    assert document["min_group_size"] == 5
    assert [team["team"] for team in document["teams"]] == ["Stores North"]
    # expected.json's roll-up of the eight, with R10 (= R2: 11/3, 7/3, 8/3, 7/3, 5/3) a ninth respondent
    assert_figures(
        document["teams"][0],
        {
            "n": 9,
            "awareness": (100 / 3 + 11 / 3) / 9,  # 37/9
            "desire": (177 / 6 + 7 / 3) / 9,  # 191/54
            "knowledge": (22 + 8 / 3) / 9,  # 74/27
            "ability": (41 / 2 + 7 / 3) / 9,  # 137/54
            "reinforcement": (20 + 5 / 3) / 9,  # 65/27
            "readiness_index": 155 / 3,  # element sums 828/6 = 138, / 9 / 5 = 46/15
            "barrier_point": "knowledge",
        },
    )


@pytest.mark.parametrize("dump", DUMPS, ids=[dump.stem for dump in DUMPS])
def test_an_action_of_every_shipped_schema_keeps_its_place_and_a_session_captures_new_ones(dump, tmp_path):
    # An action logged by the code of its day (no session column) is listed as before, of no session;
    # a workshop session then started keeps the actions it captures, and only those.
    path = load_dump(dump, tmp_path / "old.db")
    old = sqlite3.connect(path)
    initiative, wave = old.execute("SELECT initiative_id, id FROM waves WHERE name = 'Wave 1'").fetchone()
    old.execute(
        "INSERT INTO actions (initiative_id, title, owner, due_on, status, created_on, votes) "
        "VALUES (?, 'Explain why we change', 'Dee Lowe', '2026-06-30', 'open', '2026-06-01', 0)",
        (initiative,),
    )
    old.commit()
    old.close()

    database = store.open_db(path)
    [before] = store.actions.initiative_actions(database, initiative).to_dict("records")
    assert (before["title"], before["owner"]) == ("Explain why we change", "Dee Lowe")
    assert pd.isna(before["session_id"])
    session = services.start_workshop_session(database, initiative, wave, ["Stores North"])
    captured = services.add_action(
        database, initiative, "Huddle at every shift", owner="Ana", due_on="2026-07-15", session_id=session,
        source="workshop", today=date(2026, 7, 1),
    )  # fmt: skip
    listed = store.actions.initiative_actions(database, initiative).set_index("id")["session_id"]
    assert listed[captured] == session
    assert listed.isna().sum() == 1
    assert store.workshop.session(database, session)["teams"] == ["Stores North"]
    database.close()


def test_a_pulse_open_in_a_file_of_m007_publishes_its_figures_in_steps_after_the_migration(tmp_path):
    # A pulse the code of m007 opened (no published figures then) goes on taking answers once today's code
    # opens the file; its figures reach the room only once the minimum group size (3 in the dumps) has sent.
    path = load_dump(M007_ERA, tmp_path / "old.db")
    old = sqlite3.connect(path)
    old.execute("PRAGMA foreign_keys = ON")
    old.execute(
        "INSERT INTO pulses (id, token, wave_id, batch_id, form, outcome, opens_at, closes_at) "
        "VALUES (1, 'old-token', 1, 1, 'short', 0, '2026-12-02T09:00:00+00:00', '2026-12-02T10:00:00+00:00')"
    )
    old.execute("INSERT INTO pulse_teams (pulse_id, team_id) VALUES (1, 1)")
    old.commit()
    old.close()

    database = store.open_db(path)
    assert database["pulse_published"].count == 0
    during = datetime(2026, 12, 2, 9, 5, tzinfo=UTC)
    form = {"team": "1", "AW1": "4", "DE1": "2", "KN1": "3", "AB1": "4", "RE1": "5"}
    for phone in range(2):
        services.answer_pulse(database, "old-token", f"phone-{phone}", form, now=during)
    assert services.pulse_published(database, 1).empty
    services.answer_pulse(database, "old-token", "phone-2", form | {"AW1": "1"}, now=during)
    [row] = services.pulse_published(database, 1).to_dict("records")
    assert (row["team_id"], row["n"], row["awareness"], row["desire"]) == (1, 3, 3.0, 2.0)
    database.close()
