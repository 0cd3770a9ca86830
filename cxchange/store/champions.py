"""The champion roster, their logged sessions and roster imports."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from sqlite_utils import Database

from cxchange.store.base import frame
from cxchange.store.responses import add_batch


def champion_roster(db: Database) -> pd.DataFrame:
    """Every champion: id, alias, team_id, team, started_on, ended_on, batch_id; by team, then name."""
    result = frame(
        db,
        """
        SELECT champions.id, champions.alias, champions.team_id, teams.name AS team, champions.started_on,
               champions.ended_on, champions.batch_id
        FROM champions JOIN teams ON teams.id = champions.team_id
        ORDER BY teams.name, champions.alias, champions.id
        """,
    )
    return result.astype({"ended_on": object, "batch_id": "Int64"})


def champion_activity_log(db: Database) -> pd.DataFrame:
    """Every logged session, newest first: id, champion_id, alias, team_id, team, happened_on, kind,
    people_reached, note."""
    return frame(
        db,
        """
        SELECT champion_activities.id, champion_activities.champion_id, champions.alias, champions.team_id,
               teams.name AS team, champion_activities.happened_on, champion_activities.kind,
               champion_activities.people_reached, champion_activities.note
        FROM champion_activities
        JOIN champions ON champions.id = champion_activities.champion_id
        JOIN teams ON teams.id = champions.team_id
        ORDER BY champion_activities.happened_on DESC, champion_activities.id DESC
        """,
    )


def team_champions(db: Database, team_ids: Iterable[int]) -> pd.DataFrame:
    """Champions of the given teams with their activity: alias, team, start, end, last activity, sessions, reach."""
    return frame(
        db,
        """
        SELECT champions.alias, teams.name AS team, champions.started_on, champions.ended_on,
               MAX(champion_activities.happened_on) AS last_activity,
               COUNT(champion_activities.id) AS activities,
               COALESCE(SUM(champion_activities.people_reached), 0) AS people_reached
        FROM champions JOIN teams ON teams.id = champions.team_id
        LEFT JOIN champion_activities ON champion_activities.champion_id = champions.id
        WHERE champions.team_id IN (SELECT value FROM json_each(:ids))
        GROUP BY champions.id
        ORDER BY champions.ended_on IS NOT NULL, last_activity DESC, champions.alias
        """,
        {"ids": json.dumps([int(i) for i in team_ids])},
    )


def stored_champions(db: Database, ids: Iterable[Any]) -> dict[int, dict[str, Any]]:
    """The roster rows of the given ids (unknown or malformed ids are left out), with their activity days."""
    wanted = [int(i) for i in ids if isinstance(i, int | np.integer) and not isinstance(i, bool)]
    rows = db.execute(
        "SELECT id, alias, team_id, started_on, ended_on FROM champions "
        "WHERE id IN (SELECT value FROM json_each(:ids))",
        {"ids": json.dumps(wanted)},
    ).fetchall()
    stored = {row[0]: dict(zip(("id", "alias", "team_id", "started_on", "ended_on"), row, strict=True)) for row in rows}
    for champion_id, day in db.execute(
        "SELECT champion_id, happened_on FROM champion_activities "
        "WHERE champion_id IN (SELECT value FROM json_each(:ids))",
        {"ids": json.dumps(list(stored))},
    ):
        stored[champion_id].setdefault("days", []).append(day)
    return stored


def same_start(db: Database, team_id: int, started_on: str) -> list[tuple[int, str]]:
    """(id, alias) of every champion of the team who started on that day."""
    return db.execute(
        "SELECT id, alias FROM champions WHERE team_id = :team_id AND started_on = :started_on",
        {"team_id": team_id, "started_on": started_on},
    ).fetchall()


def insert_champion(db: Database, row: Mapping[str, Any]) -> int:
    """Write a checked roster entry; returns its id."""
    return db["champions"].insert(dict(row)).last_pk


def update_champions(db: Database, rows: Iterable[Mapping[str, Any]]) -> None:
    """Write checked roster entries (id, alias, team_id, started_on, ended_on)."""
    db.conn.executemany(
        "UPDATE champions SET alias = :alias, team_id = :team_id, started_on = :started_on, "
        "ended_on = :ended_on WHERE id = :id",
        list(rows),
    )


def insert_activity(db: Database, champion_id: int, row: Mapping[str, Any]) -> int:
    """Write a checked session of a champion; returns its id."""
    return db["champion_activities"].insert(dict(row) | {"champion_id": champion_id}).last_pk


def champion_batch_with_hash(db: Database, file_hash: str) -> dict[str, Any] | None:
    """The earlier roster import of the same file, if it is still there."""
    rows = list(
        db.query(
            "SELECT id, file_name, imported_at, imported_by FROM import_batches "
            "WHERE file_hash = :hash AND kind = 'champions'",
            {"hash": file_hash},
        )
    )
    return rows[0] if rows else None


def insert_champion_batch(db: Database, batch: Mapping[str, Any], rows: Iterable[Mapping[str, Any]]) -> int:
    """Write a roster import (its batch and checked champions), in the caller's transaction; returns the batch id."""
    batch_id = add_batch(db, batch)
    db.conn.executemany(
        "INSERT INTO champions (alias, team_id, started_on, ended_on, batch_id) "
        "VALUES (:alias, :team_id, :started_on, :ended_on, :batch_id)",
        [dict(row) | {"batch_id": batch_id} for row in rows],
    )
    return batch_id


def champion_batches(db: Database) -> pd.DataFrame:
    """Roster imports, newest first, with how many champions and logged sessions each still holds."""
    return frame(
        db,
        """
        SELECT import_batches.id, import_batches.file_name, import_batches.imported_at, import_batches.imported_by,
               (SELECT COUNT(*) FROM champions WHERE champions.batch_id = import_batches.id) AS champions,
               (SELECT COUNT(*) FROM champion_activities
                JOIN champions ON champions.id = champion_activities.champion_id
                WHERE champions.batch_id = import_batches.id) AS activities
        FROM import_batches WHERE kind = 'champions'
        ORDER BY import_batches.id DESC
        """,
    )


def champion_batch_counts(db: Database, batch: int) -> tuple[int, int] | None:
    """How many champions and logged sessions a roster import holds, or None where there is no such import."""
    return db.execute(
        """
        SELECT (SELECT COUNT(*) FROM champions WHERE batch_id = :id),
               (SELECT COUNT(*) FROM champion_activities JOIN champions ON champions.id = champion_id
                WHERE champions.batch_id = :id)
        FROM import_batches WHERE id = :id AND kind = 'champions'
        """,
        {"id": batch},
    ).fetchone()


def delete_batch(db: Database, batch: int) -> None:
    """Remove an import batch; what it brought goes with it (the schema cascades)."""
    db.execute("DELETE FROM import_batches WHERE id = :id", {"id": batch})
