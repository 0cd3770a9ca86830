"""The schema: built from an empty file, safe to apply twice, WAL with foreign keys, shared by processes."""

from __future__ import annotations

import hashlib
import inspect
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlite_utils import Database

from cxchange import db as store
from cxchange import migrations

ROOT = Path(__file__).resolve().parent.parent

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
}

# Each writer waits for the "go" file, so that both write at the same time, then inserts its
# teams one transaction each, through the storage module.
WRITER = """
import sys, time
from pathlib import Path
from cxchange import db as store

path, prefix, go, count = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
Path(f"{go}.{prefix}").touch()
deadline = time.monotonic() + 60
while not go.exists():
    if time.monotonic() > deadline:
        sys.exit("never told to start")
    time.sleep(0.001)
database = store.open_db(path)
started = time.time()
for number in range(count):
    store.insert_rows(database, "teams", [{"name": f"{prefix} {number}"}])
print(started, time.time())
"""


def schema(database) -> list[tuple[str, str, str]]:
    """Every object of the schema with its SQL, in a stable order."""
    return database.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def table_names(database) -> set[str]:
    """Tables and views: answers is a view over each response's answers (one JSON object a response)."""
    return {row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def run_writers(path: Path, tmp_path: Path, prefixes: tuple[str, ...], count: int) -> list[tuple[float, float]]:
    """Start one writer process per prefix, let them go together, return each one's (start, end)."""
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, str(script), str(path), prefix, str(go), str(count)],
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
    spans = run_writers(db_path, tmp_path, ("north", "south"), 200)

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
    assert applied == ["m001_initial", "m002_health_ticks_and_champion_batches"]
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
    # A file written by the first release (m001 only), with a champion in it, gains health ticks
    # and champion batches, and keeps its data.
    path = tmp_path / "old.db"
    old = store.Database(path)
    first = migrations.Migrations("cxchange")
    first()(migrations.m001_initial)
    first.apply(old)
    old["teams"].insert({"id": 1, "name": "Stores"})
    old["champions"].insert({"alias": "Ana", "team_id": 1, "started_on": "2026-01-05"})
    old.close()

    database = store.open_db(path)
    assert database["champions"].get(1)["alias"] == "Ana"
    assert "batch_id" in database["champions"].columns_dict
    assert database["health_ticks"].count == 0
    store.open_db(path).close()  # applying again changes nothing
    assert len(list(database.execute("SELECT name FROM _sqlite_migrations"))) == 2
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
