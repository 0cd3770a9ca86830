"""Kotter steps per initiative and their dated history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pandas as pd
from sqlite_utils import Database

from cxchange.store.base import frame

KOTTER_STEP_COLUMNS = "step, status, owner, evidence, started_on, due_on, health, updated_on"


def kotter_steps(db: Database, initiative_id: int) -> pd.DataFrame:
    """The initiative's stored Kotter steps by number (a step never saved has no row): step, status,
    owner, evidence, started_on, due_on, health (Int64), updated_on."""
    result = frame(
        db,
        f"SELECT {KOTTER_STEP_COLUMNS} FROM kotter_steps WHERE initiative_id = :initiative_id ORDER BY step",
        {"initiative_id": initiative_id},
    )
    result["health"] = result["health"].astype("Int64")
    return result


def kotter_history(db: Database, initiative_id: int) -> pd.DataFrame:
    """Every recorded change of the initiative's steps, oldest first: id, step, changed_on, status, owner,
    evidence, health (Int64)."""
    result = frame(
        db,
        """
        SELECT id, step, changed_on, status, owner, evidence, health FROM kotter_step_history
        WHERE initiative_id = :initiative_id ORDER BY changed_on, id
        """,
        {"initiative_id": initiative_id},
    )
    result["health"] = result["health"].astype("Int64")
    return result


def save_steps(db: Database, initiative_id: int, rows: Iterable[Mapping[str, Any]], today: date) -> None:
    """Store checked steps, each with one history row dated `today`, in the caller's transaction."""
    for row in rows:
        values = {"initiative_id": initiative_id, **row, "updated_on": today.isoformat()}
        db.execute(
            f"""
            INSERT INTO kotter_steps (initiative_id, {KOTTER_STEP_COLUMNS})
            VALUES (:initiative_id, :step, :status, :owner, :evidence, :started_on, :due_on, :health, :updated_on)
            ON CONFLICT (initiative_id, step) DO UPDATE SET
                status = excluded.status, owner = excluded.owner, evidence = excluded.evidence,
                started_on = excluded.started_on, due_on = excluded.due_on, health = excluded.health,
                updated_on = excluded.updated_on
            """,
            values,
        )  # the column list is this module's constant, not input
        db.execute(
            """
            INSERT INTO kotter_step_history (initiative_id, step, changed_on, status, owner, evidence, health)
            VALUES (:initiative_id, :step, :updated_on, :status, :owner, :evidence, :health)
            """,
            values,
        )
