"""Storage details a user would notice: backups never overwrite each other, restore brings data back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cxchange import services, store


def test_two_backups_in_the_same_second_are_both_kept(demo_db, demo_path):
    moment = datetime(2026, 11, 25, 10, 0, 0)
    first = store.backup(demo_db, store.backup_path(demo_path, "before-demo", moment))
    services.clear_workspace(demo_db)
    second = store.backup(demo_db, store.backup_path(demo_path, "before-demo", moment))
    assert first != second
    assert store.count(store.open_db(first), "responses") > 0
    assert store.count(store.open_db(second), "responses") == 0


def test_restore_brings_the_whole_workspace_back(demo_db, demo_path):
    responses = store.count(demo_db, "responses")
    kept = store.backup(demo_db, store.backup_path(demo_path, "before-empty"))
    services.clear_workspace(demo_db)
    assert not store.has_data(demo_db)
    assert store.settings.workspace_kind(demo_db) == "own"
    services.restore_backup(demo_db, kept)
    assert store.count(demo_db, "responses") == responses
    assert store.settings.workspace_kind(demo_db) == "demo"
    assert store.backups(demo_path) == [kept]


def test_clearing_keeps_settings_and_the_question_bank(demo_db):
    services.save_settings(demo_db, {"min_group_size": 8})
    services.clear_workspace(demo_db)
    assert store.settings.settings(demo_db)["min_group_size"] == 8
    assert len(store.org.items(demo_db)) == 16
    for table in store.DATA_TABLES:
        assert store.count(demo_db, table) == 0, table


def test_adding_teams_commits_them_and_leaves_no_transaction_open(db_path):
    database = store.open_db(db_path)
    with store.write_transaction(database):
        ids = store.org.add_teams(database, ["Stores", "Digital"])
    assert not database.conn.in_transaction  # a following write can start its own transaction
    with store.write_transaction(database):
        store.org.add_teams(database, ["Supply Chain"])
    database.close()
    again = store.open_db(db_path)
    assert set(store.org.teams(again)["name"]) == {"Stores", "Digital", "Supply Chain"}
    assert set(ids) == {"Stores", "Digital"}
    again.close()


def test_the_default_workspace_is_data_cxchange_db_of_the_project(monkeypatch):
    monkeypatch.delenv("CXCHANGE_DB", raising=False)
    root = Path(__file__).resolve().parent.parent
    assert store.default_path() == root / "data" / "cxchange.db"
    monkeypatch.setenv("CXCHANGE_DB", "/tmp/elsewhere.db")
    assert store.default_path() == Path("/tmp/elsewhere.db")
