"""Teams, initiatives, waves and the question bank."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlite_utils import Database

from cxchange.store.base import frame


def teams(db: Database) -> pd.DataFrame:
    """Every team: id, name, parent_id (None at the top), headcount."""
    result = frame(db, "SELECT id, name, parent_id, headcount FROM teams ORDER BY id")
    result["parent_id"] = result["parent_id"].astype("Int64")
    return result


def initiatives(db: Database) -> pd.DataFrame:
    """Every initiative, oldest first."""
    return frame(db, "SELECT id, name, description, owner, started_on FROM initiatives ORDER BY id")


def waves(db: Database, initiative_id: int | None = None) -> pd.DataFrame:
    """Survey waves, oldest first, of one initiative or all."""
    return frame(
        db,
        """
        SELECT waves.id, waves.name, waves.opened_on, waves.initiative_id, initiatives.name AS initiative
        FROM waves JOIN initiatives ON initiatives.id = waves.initiative_id
        WHERE :initiative_id IS NULL OR waves.initiative_id = :initiative_id
        ORDER BY waves.opened_on, waves.id
        """,
        {"initiative_id": initiative_id},
    )


def items(db: Database) -> pd.DataFrame:
    """The question bank in survey order."""
    return frame(db, "SELECT code, element, text, position, active FROM items ORDER BY position")


def initiative_id(db: Database, name: str) -> int | None:
    """The id of the initiative called `name`, or None."""
    row = db.execute("SELECT id FROM initiatives WHERE name = :name", {"name": name}).fetchone()
    return row[0] if row else None


def add_initiative(db: Database, name: str, started_on: str) -> int:
    """Create an initiative; returns its id."""
    return db["initiatives"].insert({"name": name, "started_on": started_on}).last_pk


def wave_id(db: Database, initiative: int, name: str) -> int | None:
    """The id of the initiative's wave called `name`, or None."""
    row = db.execute(
        "SELECT id FROM waves WHERE initiative_id = :initiative AND name = :name",
        {"initiative": initiative, "name": name},
    ).fetchone()
    return row[0] if row else None


def add_wave(db: Database, initiative: int, name: str, opened_on: str) -> int:
    """Create a wave of the initiative; returns its id."""
    return db["waves"].insert({"initiative_id": initiative, "name": name, "opened_on": opened_on}).last_pk


def add_teams(db: Database, names: Iterable[str], batch_id: int | None = None) -> dict[str, int]:
    """Create top-level teams (no headcount yet), in the caller's transaction, recording the import batch
    that brought them (undo removes them where nothing else uses them); returns name -> id."""
    names = list(names)
    db.conn.executemany(
        "INSERT INTO teams (name, parent_id, batch_id) VALUES (?, NULL, ?)", [(name, batch_id) for name in names]
    )
    placeholders = {"names": json.dumps(names)}
    rows = db.execute("SELECT name, id FROM teams WHERE name IN (SELECT value FROM json_each(:names))", placeholders)
    return dict(rows.fetchall())


def team_ids(db: Database) -> dict[str, int]:
    """Team name -> id for every team."""
    return {name: int(team_id) for team_id, name in db.execute("SELECT id, name FROM teams")}


def initiative_name(db: Database, initiative_id: Any) -> str | None:
    """The initiative's name, or None where there is no initiative with that id."""
    row = db.execute("SELECT name FROM initiatives WHERE id = :id", {"id": initiative_id}).fetchone()
    return row[0] if row else None
