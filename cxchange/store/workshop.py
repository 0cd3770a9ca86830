"""Workshop sessions: one row per session started, the actions it captured keep its id."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database


def insert_session(
    db: Database, initiative_id: int, wave_id: int | None, started_at: str, started_by: str, teams: Sequence[str]
) -> int:
    """Write a checked new session; returns its id."""
    cursor = db.execute(
        """
        INSERT INTO workshop_sessions (initiative_id, wave_id, started_at, started_by, teams)
        VALUES (:initiative_id, :wave_id, :started_at, :started_by, :teams)
        """,
        {
            "initiative_id": initiative_id,
            "wave_id": wave_id,
            "started_at": started_at,
            "started_by": started_by,
            "teams": json.dumps(list(teams)),
        },
    )
    return cursor.lastrowid


def session(db: Database, session_id: int) -> dict[str, Any] | None:
    """A session's row (id, initiative_id, wave_id, started_at, started_by, teams as a list), or None."""
    cursor = db.execute(
        "SELECT id, initiative_id, wave_id, started_at, started_by, teams FROM workshop_sessions WHERE id = :id",
        {"id": session_id},
    )
    row = cursor.fetchone()
    if row is None:
        return None
    found = dict(zip([column[0] for column in cursor.description], row, strict=True))
    return found | {"teams": json.loads(found["teams"])}
