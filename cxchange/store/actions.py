"""The action log."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from sqlite_utils import Database

from cxchange.store.base import frame

ACTION_COLUMNS = (
    "id, initiative_id, team_id, title, owner, element, kotter_step, due_on, status, source, created_on, "
    "closed_on, votes, session_id"
)


def initiative_actions(db: Database, initiative_id: int | None = None) -> pd.DataFrame:
    """The actions of an initiative (or of all), with their team's name: open and in progress first, then
    done, then dropped, each by due date. Columns: ACTION_COLUMNS and team (None for no team); session_id is
    the workshop session that captured it (None: logged elsewhere)."""
    result = frame(
        db,
        """
        SELECT actions.id, actions.initiative_id, actions.team_id, teams.name AS team, actions.title,
               actions.owner, actions.element, actions.kotter_step, actions.due_on, actions.status,
               actions.source, actions.created_on, actions.closed_on, actions.votes, actions.session_id
        FROM actions LEFT JOIN teams ON teams.id = actions.team_id
        WHERE :initiative_id IS NULL OR actions.initiative_id = :initiative_id
        ORDER BY CASE actions.status WHEN 'done' THEN 1 WHEN 'dropped' THEN 2 ELSE 0 END,
                 actions.due_on IS NULL, actions.due_on, actions.id
        """,
        {"initiative_id": initiative_id},
    )
    return result.astype(
        {"id": "int64", "team_id": "Int64", "kotter_step": "Int64", "votes": "int64", "session_id": "Int64"}
    )


def open_actions(db: Database, team_ids: Iterable[int], initiative_id: int | None = None) -> pd.DataFrame:
    """Actions still open or in progress for the given teams: id, team_id, title, owner, team, element, step,
    due, status, source."""
    return frame(
        db,
        """
        SELECT actions.id, actions.team_id, actions.title, actions.owner, teams.name AS team, actions.element,
               actions.kotter_step, actions.due_on, actions.status, actions.source
        FROM actions JOIN teams ON teams.id = actions.team_id
        WHERE actions.status IN ('open', 'in progress')
          AND actions.team_id IN (SELECT value FROM json_each(:ids))
          AND (:initiative_id IS NULL OR actions.initiative_id = :initiative_id)
        ORDER BY actions.due_on IS NULL, actions.due_on, actions.title
        """,
        {"ids": json.dumps([int(i) for i in team_ids]), "initiative_id": initiative_id},
    )


def stored_actions(db: Database, ids: Iterable[Any]) -> dict[int, dict[str, Any]]:
    """The stored rows of the given action ids (ids that are not whole numbers find nothing)."""
    wanted = [int(i) for i in ids if isinstance(i, int | np.integer) and not isinstance(i, bool)]
    cursor = db.execute(
        f"SELECT {ACTION_COLUMNS} FROM actions WHERE id IN (SELECT value FROM json_each(:ids))",
        {"ids": json.dumps(wanted)},
    )  # the column list is this module's constant, not input
    columns = [column[0] for column in cursor.description]
    return {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}


def insert_action(
    db: Database, initiative_id: int, clean: Mapping[str, Any], created_on: str, session_id: int | None = None
) -> int:
    """Write a checked new open action (captured in workshop session `session_id`, if any); returns its id."""
    fields = {"team_id": None, "owner": None, "element": None, "kotter_step": None, "due_on": None, "source": None}
    cursor = db.execute(
        """
        INSERT INTO actions (initiative_id, team_id, title, owner, element, kotter_step, due_on, status,
                             source, created_on, closed_on, votes, session_id)
        VALUES (:initiative_id, :team_id, :title, :owner, :element, :kotter_step, :due_on, 'open',
                :source, :created_on, NULL, 0, :session_id)
        """,
        {"initiative_id": initiative_id, **fields, **clean, "created_on": created_on, "session_id": session_id},
    )
    return cursor.lastrowid


def update_action(db: Database, row: Mapping[str, Any]) -> None:
    """Write an action's checked fields (id, every editable field, closed_on)."""
    db.execute(
        """
        UPDATE actions SET title = :title, owner = :owner, team_id = :team_id, element = :element,
            kotter_step = :kotter_step, due_on = :due_on, status = :status, source = :source,
            closed_on = :closed_on
        WHERE id = :id
        """,
        row,
    )


def set_votes(db: Database, votes: Mapping[int, int]) -> None:
    """Write checked dot-votes (action id -> votes)."""
    db.conn.executemany("UPDATE actions SET votes = ? WHERE id = ?", [(v, i) for i, v in votes.items()])
