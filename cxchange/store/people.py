"""People who may sign in (users) and the audit trail of every write."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlite_utils import Database

from cxchange.store.base import frame


def users(db: Database) -> pd.DataFrame:
    """Everyone with a role: email, role, team_id (NULL: the whole organisation), team (its name), added_at,
    added_by; by e-mail."""
    return frame(
        db,
        """
        SELECT users.email, users.role, users.team_id, teams.name AS team, users.added_at, users.added_by
        FROM users LEFT JOIN teams ON teams.id = users.team_id
        ORDER BY users.email
        """,
    )


def save_user(db: Database, email: str, role: str, team_id: int | None, added_at: str, added_by: str) -> None:
    """Give `email` a role and scope (replacing what they had), in the caller's transaction."""
    db.execute(
        """
        INSERT INTO users (email, role, team_id, added_at, added_by)
        VALUES (:email, :role, :team_id, :added_at, :added_by)
        ON CONFLICT (email) DO UPDATE SET role = excluded.role, team_id = excluded.team_id
        """,
        {"email": email, "role": role, "team_id": team_id, "added_at": added_at, "added_by": added_by},
    )


def remove_user(db: Database, email: str) -> int:
    """Take `email`'s role away; returns the rows removed (0 or 1)."""
    return db.execute("DELETE FROM users WHERE email = :email", {"email": email}).rowcount


def move_scopes(db: Database, from_team: int, into_team: int | None, emails: Iterable[str] | None = None) -> int:
    """Point everyone scoped to `from_team` (only the `emails` given, where given: an undone merge) at
    `into_team` (a merge); returns how many."""
    if emails is None:
        return db.execute(
            "UPDATE users SET team_id = :into WHERE team_id = :from", {"into": into_team, "from": from_team}
        ).rowcount
    return db.execute(
        "UPDATE users SET team_id = :into WHERE team_id = :from AND email IN (SELECT value FROM json_each(:emails))",
        {"into": into_team, "from": from_team, "emails": json.dumps(sorted(emails))},
    ).rowcount


def record(db: Database, at: str, actor: str, role: str, action: str, target: str, detail: Mapping[str, Any]) -> None:
    """Append one entry to the audit trail, in the caller's transaction (the write it records)."""
    db.execute(
        """
        INSERT INTO audit (at, actor, role, action, target, detail)
        VALUES (:at, :actor, :role, :action, :target, :detail)
        """,
        {
            "at": at,
            "actor": actor,
            "role": role,
            "action": action,
            "target": target,
            "detail": json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
        },
    )


def audit(db: Database, since: str | None = None, actor: str | None = None) -> pd.DataFrame:
    """The audit trail, newest first: id, at, actor, role, action, target, detail (JSON text);
    from `since` (an ISO date or time) on, and for one actor, where given."""
    return frame(
        db,
        """
        SELECT id, at, actor, role, action, target, detail FROM audit
        WHERE (:since IS NULL OR at >= :since) AND (:actor IS NULL OR actor = :actor)
        ORDER BY id DESC
        """,
        {"since": since, "actor": actor},
    )
