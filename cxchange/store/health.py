"""What the programme-health checks read, sponsor activities and facilitators' ticks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlite_utils import Database

from cxchange.store.base import frame


def health_inputs(db: Database, initiative_id: int) -> dict[str, Any]:
    """What the programme-health checks read about one initiative, as health.HealthData's fields.

    Small queries on the logs; the one scan of responses finds which teams take part in which wave.
    """
    found = db.execute("SELECT owner, started_on FROM initiatives WHERE id = :id", {"id": initiative_id})
    row = found.fetchone() or (None, None)
    params = {"initiative_id": initiative_id}
    return {
        "owner": row[0],
        "started_on": row[1],
        "sponsor_activities": sponsor_activities(db, initiative_id),
        "waves": frame(
            db, "SELECT name, opened_on FROM waves WHERE initiative_id = :initiative_id ORDER BY opened_on, id", params
        ),
        "outcome_periods": [period for (period,) in db.execute("SELECT DISTINCT period FROM cx_outcomes")],
        # Every recorded change, and steps saved without one (dated by their last update) as one change each.
        "kotter": frame(
            db,
            """
            SELECT step, status, changed_on FROM kotter_step_history WHERE initiative_id = :initiative_id
            UNION ALL
            SELECT step, status, COALESCE(updated_on, started_on) FROM kotter_steps
            WHERE initiative_id = :initiative_id AND NOT EXISTS (
                SELECT 1 FROM kotter_step_history AS history
                WHERE history.initiative_id = kotter_steps.initiative_id AND history.step = kotter_steps.step
            )
            """,
            params,
        ),
        "actions": frame(
            db,
            """
            SELECT title, team_id, element, status, created_on, closed_on, owner, due_on FROM actions
            WHERE initiative_id = :initiative_id ORDER BY id
            """,
            params,
        ),
        "teams": frame(db, "SELECT id, name, parent_id FROM teams ORDER BY id"),
        "taking_part": frame(
            db,
            """
            SELECT DISTINCT taking_part.team_id, waves.opened_on
            FROM (
                SELECT wave_id, team_id FROM responses
                WHERE wave_id IN (SELECT id FROM waves WHERE initiative_id = :initiative_id)
                GROUP BY wave_id, team_id
                UNION
                SELECT wave_id, team_id FROM team_results
                WHERE wave_id IN (SELECT id FROM waves WHERE initiative_id = :initiative_id)
            ) AS taking_part
            JOIN waves ON waves.id = taking_part.wave_id
            """,
            params,
        ),
        "champions": frame(db, "SELECT id, alias, team_id, started_on, ended_on FROM champions ORDER BY id"),
        "champion_activities": frame(
            db, "SELECT champion_id, happened_on, kind FROM champion_activities ORDER BY happened_on, id"
        ),
        "ticks": health_ticks(db, initiative_id),
    }


def sponsor_activities(db: Database, initiative_id: int) -> pd.DataFrame:
    """The initiative's sponsor activities, newest first: id, sponsor, team_id, team, happened_on, kind, note."""
    result = frame(
        db,
        """
        SELECT sponsor_activities.id, sponsor_activities.sponsor, sponsor_activities.team_id, teams.name AS team,
               sponsor_activities.happened_on, sponsor_activities.kind, sponsor_activities.note
        FROM sponsor_activities LEFT JOIN teams ON teams.id = sponsor_activities.team_id
        WHERE sponsor_activities.initiative_id = :initiative_id
        ORDER BY sponsor_activities.happened_on DESC, sponsor_activities.id DESC
        """,
        {"initiative_id": initiative_id},
    )
    return result.astype({"team_id": "Int64"})


def health_ticks(db: Database, initiative_id: int) -> pd.DataFrame:
    """Every tick a facilitator gave the initiative's checks, oldest first: id, check_name, ticked, note, ticked_on.

    A check's current tick is its latest row; the earlier ones stay for the health trend.
    """
    return frame(
        db,
        """
        SELECT id, check_name, ticked, note, ticked_on FROM health_ticks
        WHERE initiative_id = :initiative_id ORDER BY ticked_on, id
        """,
        {"initiative_id": initiative_id},
    )


def insert_sponsor_activity(db: Database, initiative_id: int, team_id: int | None, row: Mapping[str, Any]) -> int:
    """Write a checked sponsor activity; returns its id."""
    cursor = db.execute(
        """
        INSERT INTO sponsor_activities (initiative_id, sponsor, team_id, happened_on, kind, note)
        VALUES (:initiative_id, :sponsor, :team_id, :happened_on, :kind, :note)
        """,
        {"initiative_id": initiative_id, "team_id": team_id, **row},
    )
    return cursor.lastrowid


def insert_tick(db: Database, initiative_id: int, row: Mapping[str, Any], ticked_on: str) -> int:
    """Write a checked tick of a check; returns its id."""
    cursor = db.execute(
        """
        INSERT INTO health_ticks (initiative_id, check_name, ticked, note, ticked_on)
        VALUES (:initiative_id, :check_name, :ticked, :note, :ticked_on)
        """,
        {"initiative_id": initiative_id, **row, "ticked_on": ticked_on},
    )
    return cursor.lastrowid


def set_initiative_owner(db: Database, initiative_id: int, owner: str) -> None:
    """Write the checked name of the person accountable for an initiative."""
    db.execute("UPDATE initiatives SET owner = :owner WHERE id = :id", {"owner": owner, "id": initiative_id})
